"""Applying online: find, read the guide, fill the one form, attach, submit.

The form is the window's intake schema (:func:`casefile.case.intake.
intake_schema`) minus what the account already says (company or person,
credit code or ID number): an applicant applies for themselves.  Drafts
keep the raw form fields, so a form left half-filled -- or invalid --
comes back exactly as it was.

Materials are checked exactly like at the window (``store_upload``: type
from the content, size, emptiness) and kept on the draft until submission.
Instead of uploading, the applicant may reuse (材料复用) what the bureau
already holds for them:

- a *reusable* material (the catalogue's ``reusable``) of the same kind
  from one of their earlier cases that the window accepted (in review,
  decided or completed): its current version;
- a certificate the bureau issued to them, where the material is the
  result of the item that issued it (``issued_by``).

Submission goes through :func:`casefile.case.intake.start_case`, the
window's own entry point: the case enters ``submitted`` and shows up in the
window's intake worklist like any case created at the counter.
"""
import hashlib

import colander
import deform
import peppercorn
from ZODB.blob import Blob

from ..case.intake import IntakeSchema, intake_schema, start_case
from ..case.material import CHUNK, StoredUpload, UploadError, store_upload
from ..case.service import add_material, material_items, material_limits
from ..catalogue.store import catalogue_versions
from ..i18n import _
from .model import Draft, new_id

#: case states in which the window has accepted the materials
ACCEPTED_STATES = ('in_review', 'decided', 'completed')

#: account fields that replace the form's applicant block
ACCOUNT_KEYS = ('applicant_kind', 'identifier')


class ApplyError(ValueError):
    def __init__(self, message):
        super().__init__('apply')
        self.message = message


def current_catalogue(root):
    return catalogue_versions(root).current.catalogue


def find_applications(catalogue, q='', theme=''):
    """Matters and stages matching every word of ``q`` and the theme."""
    from ..catalogue.views import _matches
    words = (q or '').split()
    found = []
    for application in catalogue.applications():
        if not _matches(application, catalogue, words):
            continue
        if theme:
            matter = catalogue.matters.get(application.code)
            if matter is None or theme not in matter.themes:
                continue
        found.append(application)
    return found


def themes(catalogue):
    seen = []
    for matter in catalogue.matters.values():
        for theme in matter.themes:
            if theme not in seen:
                seen.append(theme)
    return seen


def start_draft(account, catalogue, code):
    application = catalogue.application(code)   # KeyError: unknown
    draft = Draft(new_id('d-', account.drafts), application.code,
                  application.title)
    account.drafts[draft.id] = draft
    return draft


def form_schema(request, catalogue, code):
    """The intake schema without the account's own fields."""
    base = IntakeSchema().bind(request=request)
    schema = intake_schema(catalogue, code, base)
    applicant = schema['applicant']
    for key in ACCOUNT_KEYS:
        del applicant[key]
    applicant.validator = None
    return schema


def make_form(request, catalogue, draft):
    schema = form_schema(request, catalogue, draft.application_code)
    return deform.Form(
        schema, formid='portal-apply', buttons=(
            deform.Button('save', _('Save draft')),
            deform.Button('submit', _('Submit the application'),
                          css_class='btn-primary')),
        action=request.route_url('portal_draft', draft=draft.id))


def initial_values(account):
    return {'applicant': {'name': account.name,
                          'contact': account.contact or '',
                          'phone': account.mobile}}


def render_form(request, form, account, draft):
    """The form as left in the draft (or prefilled from the account)."""
    if draft.controls:
        pstruct = peppercorn.parse(list(draft.controls))
        # a fresh CSRF token, not the one saved with the draft
        pstruct['_csrf_token_'] = request.session.get_csrf_token()
        form.set_pstruct(pstruct)      # sets every field's cstruct
        return form.render()
    return form.render(initial_values(account))


def save_controls(draft, controls):
    """Keep the form's fields (not the CSRF token, not the buttons)."""
    keep = tuple((k, v) for k, v in controls
                 if isinstance(v, str) and k not in (
                     '_csrf_token_', 'save', 'submit', 'csrf_token'))
    draft.controls = keep
    draft.touch()


# -- materials ----------------------------------------------------------------

def needs(catalogue, draft):
    """The materials the applicant submits for this application."""
    return [n for n in catalogue.merged_materials(draft.application_code)
            if n.submitted_by_applicant]


def add_draft_file(catalogue, draft, code, field):
    """Check and keep one upload for material ``code``; return it."""
    material, types, max_mb = material_limits(catalogue, code)
    known = {n.material.code for n in needs(catalogue, draft)}
    if material is None or code not in known:
        raise ApplyError(_('Unknown material. Please reload the page and '
                           'try again.'))
    if not hasattr(field, 'file'):
        raise ApplyError(_('Please choose a file to upload.'))
    try:
        upload = store_upload(field.file, field.filename, types,
                              int(max_mb) * 1024 * 1024)
    except UploadError as e:
        raise ApplyError(_(e.message, mapping=e.mapping))
    files = list(draft.files.get(code, ()))
    files.append(upload)
    draft.files[code] = files
    draft.reused.pop(code, None)
    draft.touch()
    return upload


def remove_draft_file(draft, code, index):
    files = list(draft.files.get(code, ()))
    if not 0 <= index < len(files):
        raise ApplyError(_('The file to remove no longer exists.'))
    del files[index]
    if files:
        draft.files[code] = files
    else:
        draft.files.pop(code, None)
    draft.touch()


def held_for(root, account, catalogue):
    """What the bureau holds for the account, by material code.

    ``{code: [reference, ...]}``, newest first; a reference is a dict with
    ``kind`` ('material' | 'certificate'), ``case``, ``name``, ``title``,
    ``filename``, ``date``.
    """
    cases = root['cases']
    held = {}
    issuing = {}
    for material in catalogue.materials.values():
        if material.issued_by:
            issuing.setdefault(material.issued_by, []).append(material.code)
    for number in reversed(list(account.cases)):
        case = cases.get(number)
        if not account.owns(case) or case.state not in ACCEPTED_STATES:
            continue
        for name, material in case['materials'].items():
            definition = catalogue.materials.get(material.material_code)
            if definition is None or not definition.reusable:
                continue
            held.setdefault(material.material_code, []).append({
                'kind': 'material', 'case': number, 'name': name,
                'title': material.title, 'filename': material.filename,
                'date': material.current.uploaded_at.date().isoformat()})
        for name, document in case['certificates'].items():
            if getattr(document, 'pdf', None) is None:
                continue
            for item_code in document.items:
                for code in issuing.get(item_code, ()):
                    held.setdefault(code, []).append({
                        'kind': 'certificate', 'case': number, 'name': name,
                        'title': document.title,
                        'filename': '%s.pdf' % document.title,
                        'date': document.created.date().isoformat(),
                        'number': document.number})
    return held


def choose_reuse(root, account, catalogue, draft, code, ref_key):
    """Reuse the held reference ``ref_key`` ('kind:case:name') for ``code``."""
    for ref in held_for(root, account, catalogue).get(code, ()):
        if '%s:%s:%s' % (ref['kind'], ref['case'], ref['name']) == ref_key:
            draft.reused[code] = dict(ref)
            draft.files.pop(code, None)
            draft.touch()
            return ref
    raise ApplyError(_('This document is not available for reuse. Please '
                       'upload the file instead.'))


def _copy_blob(source_file, filename, mimetype):
    """A new blob with the same bytes: cases never share a file."""
    blob = Blob()
    digest = hashlib.sha256()
    size = 0
    with source_file as src, blob.open('w') as out:
        while True:
            chunk = src.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return StoredUpload(blob, filename, size, mimetype, digest.hexdigest())


def reused_upload(root, account, ref):
    """The held file of a reference, copied; None if it is gone."""
    case = root['cases'].get(ref['case'])
    if not account.owns(case):
        return None
    if ref['kind'] == 'material':
        material = case['materials'].get(ref['name'])
        if material is None:
            return None
        version = material.current
        return _copy_blob(version.open(), version.filename,
                          version.mimetype)
    document = case['certificates'].get(ref['name'])
    if document is None or getattr(document, 'pdf', None) is None:
        return None
    return _copy_blob(document.pdf.open('r'), ref['filename'],
                      'application/pdf')


def missing(catalogue, draft, gaps=False):
    """Required materials with neither a file nor a reused document.

    Those the catalogue lets follow after acceptance (容缺, ``gaps_allowed``)
    do not stop a submission; the window decides whether to accept with
    gaps (``gaps=True`` lists them instead).
    """
    return [n for n in needs(catalogue, draft) if n.required
            and n.gaps_allowed == gaps
            and not draft.files.get(n.material.code)
            and n.material.code not in draft.reused]


# -- submission ---------------------------------------------------------------

def submit(request, account, draft, appstruct):
    """Create the case from a validated form and the draft's materials."""
    root = request.root
    catalogue = current_catalogue(root)
    lacking = missing(catalogue, draft)
    if lacking:
        raise ApplyError(_('Please attach these required materials first: '
                           '${names}.', mapping={'names': '、'.join(
                               n.material.name for n in lacking)}))
    appstruct = dict(appstruct)
    applicant = dict(appstruct['applicant'])
    applicant['applicant_kind'] = account.kind
    applicant['identifier'] = account.identifier
    appstruct['applicant'] = applicant
    actor = actor_name(account)
    uploads = []
    for need in needs(catalogue, draft):
        code = need.material.code
        for upload in draft.files.get(code, ()):
            uploads.append((code, upload, None))
        ref = draft.reused.get(code)
        if ref is not None:
            upload = reused_upload(root, account, ref)
            if upload is None:
                raise ApplyError(_('A document chosen for reuse is no '
                                   'longer available. Please upload it.'))
            uploads.append((code, upload, ref))
    from ..case.service import IntakeError
    try:
        case = start_case(root, draft.application_code, appstruct, actor,
                          registry=request.registry)
    except IntakeError as e:
        raise ApplyError(e.message)
    case.applicant_account = account.id
    case.channel = 'online'
    for code, upload, ref in uploads:
        material, _types, _mb = material_limits(catalogue, code)
        items = material_items(catalogue, draft.application_code, code)
        title = material.name
        if ref is not None:
            # the journal's material.added entry keeps where it came from
            title = '%s（复用%s %s）' % (
                material.name, '证照' if ref['kind'] == 'certificate'
                else '材料', ref['case'])
        added = add_material(case, upload, title, code, items,
                             actor=actor, registry=request.registry)
        if ref is not None:
            added.reused_from = '%s/%s/%s' % (ref['case'], ref['kind'],
                                              ref['name'])
    account.cases.append(case.case_number)
    del account.drafts[draft.id]
    return case


def actor_name(account):
    """How the journal names an applicant acting online."""
    return 'applicant:%s' % account.id


def validate(form, controls):
    try:
        return form.validate(controls), None
    except deform.ValidationFailure as e:
        return None, e
    except colander.Invalid as e:   # pragma: no cover - deform wraps these
        return None, e
