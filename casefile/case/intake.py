"""Intake (受理): one schema and one entry point for the window and the API.

The intake schema is the applicant block (who applies, the identifier
checked), for a project stage the project it belongs to, then the
catalogue's one form (shared facts once, item-specific fields grouped by
item).  Catalogue fields that the applicant block already answers (name,
credit code, ID number, phone, contact) are not asked twice.

:func:`start_case` validates everything and only then creates the case:
the deform page and ``POST /api/cases`` both call it.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPNotFound

from ..catalogue.forms import flatten_form_data, one_form_schema
from ..catalogue.store import catalogue_versions
from ..forms import CSRFSchema
from ..i18n import _
from .idempotency import claim, claimed_case, new_token
from .project import create_project
from .schemas import ApplicantSchema, applicant_validator
from .service import IntakeError, create_case

#: one-form keys answered by the applicant block, and where from
APPLICANT_KEYS = {
    'applicant_name': 'name',
    'credit_code': 'identifier',
    'id_number': 'identifier',
    'contact_phone': 'phone',
    'contact_person': 'contact',
}


class ProjectSchema(colander.MappingSchema):
    number = colander.SchemaNode(
        colander.String(), title=_('Project number'), missing='',
        description=_('For a later stage: the number of the project '
                      '(PJ-...). Leave empty for a new project.'))
    name = colander.SchemaNode(
        colander.String(), title=_('Project name'), missing='',
        validator=colander.Length(max=200),
        description=_('For a new project: its name, e.g. 鞍山某某厂房建设项目.'))


def intake_schema(catalogue, code, base=None):
    """The colander schema of an intake for application ``code``."""
    application = catalogue.application(code)
    schema = base if base is not None else colander.SchemaNode(
        colander.Mapping())
    schema.add(ApplicantSchema(name='applicant', title=_('Applicant'),
                               validator=applicant_validator))
    if application.kind == 'stage':
        schema.add(ProjectSchema(name='project', title=_('Project')))
    one_form_schema(catalogue, code, base=schema)
    shared = schema.get('shared')
    if shared is not None:
        for key in APPLICANT_KEYS:
            if key in shared:
                del shared[key]
        if not len(shared.children):
            del schema['shared']
    return schema


def application_data(catalogue, code, form_values=None):
    """What a case records of its application; items of other
    organisations routed by ``casefile.organisation.routing`` (a district's
    by the applicant's address in ``form_values``)."""
    from ..organisation.routing import resolve
    app = catalogue.application(code)
    routing = resolve(catalogue, code, form_values)
    return dict(routing, code=app.code, kind=app.kind, name=app.title,
                items=tuple(app.items), lead_section=app.lead_section)


def form_data(appstruct):
    data = flatten_form_data(appstruct)
    shared = data.setdefault('shared', {})
    for key, source in APPLICANT_KEYS.items():
        if key in ('credit_code', 'id_number'):
            continue
        shared.setdefault(key, appstruct['applicant'][source])
    return data


def _project_for(root, catalogue, code, appstruct, registry):
    """The project a stage case belongs to (a new one for a first stage)."""
    application = catalogue.application(code)
    project_def = catalogue.projects[application.project]
    order = [s.code for s in project_def.stages].index(code)
    given = appstruct.get('project') or {}
    number = (given.get('number') or '').strip().upper()
    if not number:
        if order:
            raise IntakeError('project-required', _(
                'This is a later stage: give the number of the project '
                '(PJ-...) whose earlier stages are done.'))
        name = (given.get('name') or '').strip()
        if not name:
            raise IntakeError('project-name-required', _(
                'Give the name of the new project.'))
        return None, name
    project = root['projects'].get(number)
    if project is None or project.code != project_def.code:
        raise IntakeError('unknown-project', _(
            'There is no ${kind} with the number ${number}.', mapping={
                'kind': project_def.name, 'number': number}))
    stage = project.get(code)
    if stage.state != 'open':
        raise IntakeError('stage-not-open', _(
            'The stage "${stage}" of project ${number} is not open: the '
            'previous stage must be completed first.', mapping={
                'stage': stage.name, 'number': number}))
    return project, None


def start_case(root, code, appstruct, actor, registry=None, token=None):
    """Create the case of a validated intake ``appstruct``; return it.

    Raises :class:`IntakeError` (nothing created) if the application is
    unknown or, for a project stage, the project or stage does not allow it.
    With an intake ``token`` (see :mod:`.idempotency`) a repeated request
    returns the case the first one created instead of a second case.
    """
    if token:
        existing = claimed_case(root['cases'], token)
        if existing is not None:
            return existing
    version = catalogue_versions(root).current
    catalogue = version.catalogue
    try:
        catalogue.application(code)
    except KeyError:
        raise IntakeError('unknown-application', _(
            'There is no matter or project stage with the code ${code}.',
            mapping={'code': code}))
    from ..organisation.routing import RoutingError
    values = form_data(appstruct)
    try:
        application = application_data(catalogue, code, values)
    except RoutingError as error:
        raise IntakeError(error.code, error.message)
    applicant = dict(appstruct['applicant'])
    applicant['kind'] = applicant.pop('applicant_kind')
    project = new_project_name = None
    if application['kind'] == 'stage':
        project, new_project_name = _project_for(root, catalogue, code,
                                                 appstruct, registry)
    if new_project_name:
        project = create_project(
            root, catalogue, catalogue.application(code).project,
            new_project_name, applicant, registry=registry)
    case = create_case(
        root, application, applicant, form_data=values,
        catalogue_version=version.number, actor=actor, registry=registry,
        project_number=project.number if project is not None else None)
    if token:
        claim(root['cases'], token, case.case_number)
    return case


@colander.deferred
def deferred_intake_token(node, kw):
    return new_token()


class IntakeSchema(CSRFSchema):
    """The page's form: the intake schema with the CSRF token and the
    form's own intake token (one case per form, however often posted)."""

    _intake_token_ = colander.SchemaNode(
        colander.String(), name='_intake_token_',
        widget=deform.widget.HiddenWidget(), default=deferred_intake_token,
        missing='')


class IntakeForm:
    """The deform page around :func:`intake_schema` and :func:`start_case`."""

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
        base = IntakeSchema().bind(request=self.request)
        return intake_schema(self.catalogue, self.application.code, base)

    def form(self):
        return deform.Form(
            self.schema(), buttons=(deform.Button(
                'submit', _('Create case'), css_class='btn-primary'),),
            formid='intake', action=self.request.route_url(
                'case_new', _query={'application': self.application.code}))

    def validate(self, controls):
        return self.form().validate(controls)

    def groups(self):
        matters = [a for a in self.catalogue.applications()
                   if a.kind == 'matter']
        stages = [a for a in self.catalogue.applications()
                  if a.kind == 'stage']
        return [(_('Matters (one thing)'), matters),
                (_('Project stages (one project)'), stages)]

    def values(self, form_html=None, failed=False, error=None):
        if self.application is None:
            return {'application': None, 'groups': self.groups(),
                    'form_html': '', 'failed': False, 'error': None}
        return {'application': self.application, 'groups': [],
                'form_html': form_html or self.form().render(),
                'failed': failed, 'error': error}
