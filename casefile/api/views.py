"""The API's routes over the case life cycle: the pages' operations as JSON.

Each view does what the matching staff page does, by the same means:
intake through :func:`~casefile.case.intake.start_case` with the same
colander schema, materials through ``store_upload`` and the case service,
steps through the workflow engine.  Permissions are the pages' too: case
routes traverse to the case (``traverse='/cases/{number}'``) so Pyramid
checks the view's permission against the case's own ACL, and per-object
rights are asked with ``request.has_permission``.  Unsafe requests signed
in by cookie must carry the CSRF header (:func:`~.auth.session_csrf`).
"""
import colander
from pyramid.view import view_config

from ..case.idempotency import api_token, claimed_case
from ..case.intake import APPLICANT_KEYS, intake_schema, start_case
from ..case.material import UploadError, store_upload
from ..case.model import Case
from ..case.permissions import CASE_ADD_MATERIAL, CASE_VIEW
from ..case.service import (
    IntakeError, add_material, material_items, material_limits,
    replace_material)
from ..catalogue.forms import group_name
from ..catalogue.store import catalogue_for, catalogue_versions
from ..i18n import _
from ..site.worklist import search_cases, worklists_for
from ..workflow.engine import TransitionError, get_engine
from .auth import session_csrf
from .errors import ApiError, json_object, json_response
from .serialize import case_data, case_summary, case_url, material_data


# -- what one may apply for ---------------------------------------------------

def _application_data(catalogue, application):
    return {
        'code': application.code,
        'name': application.title,
        'kind': application.kind,
        'kind_label': application.kind_label,
        'project': application.project,
        'lead_section': application.lead_section,
        'items': [{'code': item.code, 'name': item.name,
                   'section': item.section}
                  for item in catalogue.items_of(application.code)],
    }


def _field_data(field):
    return {'key': field.key, 'label': field.label, 'type': field.type,
            'required': field.required, 'options': list(field.options),
            'help': field.help}


@view_config(route_name='api_applications', request_method='GET',
             permission='staff.view')
def applications(request):
    """``GET /api/applications``: every matter and project stage."""
    version = catalogue_versions(request.root).current
    return json_response(request, {
        'catalogue_version': version.number,
        'applications': [_application_data(version.catalogue, a)
                         for a in version.catalogue.applications()]})


@view_config(route_name='api_application', request_method='GET',
             permission='staff.view')
def application(request):
    """``GET /api/applications/{code}``: what ``POST /api/cases`` needs.

    The one form (``form.shared`` and one ``form.item_<CODE>`` per item
    with fields of its own; the fields the applicant block answers are
    left out, as on the intake page) and the merged list of materials.
    """
    catalogue = catalogue_versions(request.root).current.catalogue
    code = request.matchdict['code']
    try:
        app = catalogue.application(code)
    except KeyError:
        raise _unknown_application(code, 404)
    one_form = catalogue.merged_fields(code)
    form = {'shared': [_field_data(e.field) for e in one_form.shared
                       if e.field.key not in APPLICANT_KEYS]}
    for group in one_form.per_item:
        form[group_name(group.item)] = [_field_data(f) for f in group.fields]
    data = _application_data(catalogue, app)
    data['form'] = form
    data['materials'] = [{
        'code': need.material.code, 'name': need.material.name,
        'required': need.required,
        'submitted_by_applicant': need.submitted_by_applicant,
        'gaps_allowed': need.gaps_allowed,
        'allowed_types': list(need.material.allowed_types),
        'max_size_mb': need.material.max_size_mb,
        'items': list(need.items)} for need in catalogue.merged_materials(
            code)]
    return json_response(request, data)


def _unknown_application(code, status=400):
    return ApiError(status, 'unknown-application', _(
        'There is no matter or project stage with the code ${code}.',
        mapping={'code': code}))


# -- intake -------------------------------------------------------------------

def to_cstruct(value):
    """JSON values as the strings colander's form types expect.

    Numbers become their text (``120.5`` → ``'120.5'``), booleans
    ``'true'``/``'false'``, ``null`` "not given"; objects and lists keep
    their shape.  The schema then checks them exactly as on the page.
    """
    if value is None:
        return colander.null
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return {k: to_cstruct(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cstruct(v) for v in value]
    return value


@view_config(route_name='api_cases', request_method='POST',
             permission='case.create', decorator=session_csrf)
def create_case(request):
    """``POST /api/cases``: validate the whole intake, then create the case."""
    body = json_object(request)
    code = body.get('application')
    catalogue = catalogue_versions(request.root).current.catalogue
    if not isinstance(code, str):
        raise _unknown_application(str(code))
    try:
        app = catalogue.application(code)
    except KeyError:
        raise _unknown_application(code)
    form = body.get('form') or {}
    if not isinstance(form, dict):
        form = {}
    cstruct = {k: to_cstruct(v) for k, v in form.items()
               if k == 'shared' or k.startswith('item_')}
    cstruct['applicant'] = to_cstruct(body.get('applicant'))
    if app.kind == 'stage':
        cstruct['project'] = to_cstruct(body.get('project') or {})
    try:
        appstruct = intake_schema(catalogue, code).deserialize(cstruct)
    except colander.Invalid as e:
        raise ApiError(400, 'invalid', _(
            'Some fields are missing or wrong; see "fields".'),
            fields=e.asdict(translate=request.localizer.translate))
    key = request.headers.get('Idempotency-Key')
    token = None
    if key is not None:
        token = api_token(request.user_info.login, key)
        if token is None:
            raise ApiError(400, 'invalid-idempotency-key', _(
                'The Idempotency-Key header must be 8 to 100 letters, '
                'digits or "_.:-".'))
        earlier = claimed_case(request.root['cases'], token)
        if earlier is not None:
            # the same request again: answer with the case it created
            summary = case_summary(request, earlier)
            summary['project_number'] = earlier.project_number
            return json_response(request, summary, status=200,
                                 headers={'Location': summary['url']})
    try:
        case = start_case(request.root, code, appstruct,
                          request.user_info.login, registry=request.registry,
                          token=token)
    except IntakeError as e:
        raise ApiError(400, e.code, e.message)
    summary = case_summary(request, case)
    summary['project_number'] = case.project_number
    return json_response(request, summary, status=201,
                         headers={'Location': summary['url']})


@view_config(route_name='api_cases', request_method='GET',
             permission='case.search')
def search(request):
    """``GET /api/cases?q=``: by case number, applicant name or identifier."""
    count, found = search_cases(request, request.params.get('q', ''))
    return json_response(request, {
        'count': count, 'cases': [case_summary(request, c) for c in found]})


@view_config(route_name='api_case', context=Case, request_method='GET',
             permission=CASE_VIEW)
def case(context, request):
    """``GET /api/cases/{number}``: the case as this user may see it."""
    return json_response(request, case_data(request, context))


# -- materials ----------------------------------------------------------------

@view_config(route_name='api_case_materials', context=Case,
             request_method='POST', permission=CASE_ADD_MATERIAL,
             decorator=session_csrf)
def upload(context, request):
    """``POST /api/cases/{number}/materials`` (multipart): add or replace.

    Checked completely (material, file, size, type) before anything is
    added: a refused upload leaves no trace.
    """
    catalogue = catalogue_for(context)
    code = request.POST.get('material_code', '').strip()
    field = request.POST.get('file')
    replace = request.POST.get('replace', '').strip()
    reason = request.POST.get('reason', '').strip()
    if replace and not code and replace in context['materials']:
        code = context['materials'][replace].material_code
    material_def, types, max_mb = material_limits(catalogue, code)
    if code and material_def is None:
        raise ApiError(400, 'unknown-material', _(
            'There is no material with the code "${code}" in the catalogue.',
            mapping={'code': code}), field='material_code')
    if not hasattr(field, 'file'):
        raise ApiError(400, 'no-file', _('Please choose a file to upload.'),
                       field='file')
    if replace and not reason:
        raise ApiError(400, 'missing-reason', _(
            'Please say why the material is replaced.'), field='reason')
    if replace and replace not in context['materials']:
        raise ApiError(400, 'unknown-material', _(
            'The material to replace no longer exists.'), field='replace')
    try:
        stored = store_upload(field.file, field.filename, types,
                              int(max_mb) * 1024 * 1024)
    except UploadError as e:
        raise ApiError(400, e.code, _(e.message, mapping=e.mapping),
                       field='file')
    actor = request.user_info.login
    if replace:
        material = context['materials'][replace]
        replace_material(context, material, stored, reason, actor=actor,
                         registry=request.registry)
        name = replace
    else:
        title = material_def.name if material_def else stored.filename
        material = add_material(
            context, stored, title, code,
            material_items(catalogue, context.application_code, code)
            if material_def else (),
            actor=actor, registry=request.registry)
        name = material.__name__
    return json_response(request, material_data(request, context, name,
                                                material), status=201)


# -- steps --------------------------------------------------------------------

def step_inputs(request):
    """The JSON body as workflow inputs: text, lines (a list), true/false."""
    inputs = {}
    for name, value in json_object(request, empty_ok=True).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        elif isinstance(value, list):
            value = [str(v) for v in value if v is not None]
        elif isinstance(value, dict):
            raise ApiError(400, 'invalid-input', _(
                'The input "${name}" must be text, a list of lines or '
                'true/false.', mapping={'name': name}), field=name)
        inputs[name] = value
    return inputs


def fire_step(request, case, obj, name):
    """Fire ``name`` on ``obj`` (the case, a task, the inspection job, a
    review) with the body as inputs; the answer's data, or raise."""
    engine = get_engine(request.registry)
    try:
        state = engine.fire(obj, name, request=request,
                            inputs=step_inputs(request),
                            actor=request.user_info.login,
                            journal=case.journal)
    except TransitionError as e:
        raise ApiError(e.status, e.code, e.message, field=e.field)
    return {'transition': name, 'state': state,
            'state_title': engine.state_title(obj),
            'case': case_summary(request, case)}


@view_config(route_name='api_case_transition', context=Case,
             request_method='POST', permission=CASE_VIEW,
             decorator=session_csrf)
def case_transition(context, request):
    """``POST /api/cases/{number}/transitions/{name}``: a step of the case.

    The engine checks who may take it (the transition's permission in the
    case's ACL), its inputs and guards, before anything changes.
    """
    return json_response(request, fire_step(request, context, context,
                                            request.matchdict['name']))


@view_config(route_name='api_task_transition', context=Case,
             request_method='POST', permission=CASE_VIEW,
             decorator=session_csrf)
def task_transition(context, request):
    """``POST /api/cases/{number}/tasks/{item}/transitions/{name}``."""
    task = context['tasks'].get(request.matchdict['item'])
    if task is None:
        raise ApiError(404, 'not-found', _(
            'This case has no item task ${item}.', mapping={
                'item': request.matchdict['item']}))
    data = fire_step(request, context, task, request.matchdict['name'])
    data['item_code'] = task.item_code
    return json_response(request, data)


# -- worklists ----------------------------------------------------------------

def _entry(request, obj):
    engine = get_engine(request.registry)
    task = obj if getattr(obj, 'item_code', None) else None
    case = task.case if task is not None else obj
    entry = {'case_number': case.case_number,
             'title': task.item_name if task else case.application_name,
             'applicant': case.applicant.get('name'),
             'state': engine.state_of(obj),
             'state_title': engine.state_title(obj),
             'url': case_url(request, case)}
    if task is not None:
        entry['item_code'] = task.item_code
    return entry


@view_config(route_name='api_worklist', request_method='GET',
             permission='staff.view')
def worklist(request):
    """``GET /api/worklist``: the home page's lists, same queries."""
    translate = request.localizer.translate
    return json_response(request, {'lists': [
        {'name': wl.name, 'title': translate(wl.title), 'count': count,
         'entries': [_entry(request, obj) for obj in objects]}
        for wl, count, objects in worklists_for(request)]})
