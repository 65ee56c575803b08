"""The intake form at the window: applicant first, then the one form.

One deform form per application: the applicant block (who applies, with
the identifier checked), then the catalogue's one form (shared facts once,
item-specific fields grouped by item).  Catalogue fields that the applicant
block already answers (the applicant's name, credit code, ID number and
phone) are not asked twice.
"""
import deform
from pyramid.httpexceptions import HTTPNotFound

from ..catalogue.forms import flatten_form_data, one_form_schema
from ..catalogue.store import catalogue_versions
from ..forms import CSRFSchema
from ..i18n import _
from .schemas import ApplicantSchema, applicant_validator

#: one-form keys answered by the applicant block, and where from
APPLICANT_KEYS = {
    'applicant_name': 'name',
    'credit_code': 'identifier',
    'id_number': 'identifier',
    'contact_phone': 'phone',
    'contact_person': 'contact',
}


class IntakeSchema(CSRFSchema):
    applicant = ApplicantSchema(title=_('Applicant'),
                                validator=applicant_validator)


class IntakeForm:
    def __init__(self, request):
        self.request = request
        self.version = catalogue_versions(request.root).current
        self.catalogue = self.version.catalogue
        code = request.params.get('application')
        self.application = None
        if code:
            try:
                self.application = self.catalogue.application(code)
            except KeyError:
                raise HTTPNotFound()

    def schema(self):
        schema = IntakeSchema().bind(request=self.request)
        one_form_schema(self.catalogue, self.application.code, base=schema)
        shared = schema.get('shared')
        if shared is not None:
            for key in APPLICANT_KEYS:
                if key in shared:
                    del shared[key]
            if not len(shared.children):
                del schema['shared']
        return schema

    def form(self):
        return deform.Form(
            self.schema(), buttons=(deform.Button(
                'submit', _('Create case'), css_class='btn-primary'),),
            formid='intake', action=self.request.route_url(
                'case_new', _query={'application': self.application.code}))

    def validate(self, controls):
        return self.form().validate(controls)

    def application_data(self):
        app = self.application
        sections = []
        for code in app.items:
            section = self.catalogue.items[code].section
            if section not in sections:
                sections.append(section)
        return {'code': app.code, 'kind': app.kind, 'name': app.title,
                'items': tuple(app.items), 'sections': tuple(sections),
                'lead_section': app.lead_section}

    def applicant_data(self, appstruct):
        applicant = dict(appstruct['applicant'])
        applicant['kind'] = applicant.pop('applicant_kind')
        return applicant

    def form_data(self, appstruct):
        data = flatten_form_data(appstruct)
        shared = data.setdefault('shared', {})
        for key, source in APPLICANT_KEYS.items():
            if key in ('credit_code', 'id_number'):
                continue
            shared.setdefault(key, appstruct['applicant'][source])
        return data

    def groups(self):
        matters = [a for a in self.catalogue.applications()
                   if a.kind == 'matter']
        stages = [a for a in self.catalogue.applications()
                  if a.kind == 'stage']
        return [(_('Matters (one thing)'), matters),
                (_('Project stages (one project)'), stages)]

    def values(self, form_html=None, failed=False):
        if self.application is None:
            return {'application': None, 'groups': self.groups(),
                    'form_html': '', 'failed': False}
        return {'application': self.application, 'groups': [],
                'form_html': form_html or self.form().render(),
                'failed': failed}
