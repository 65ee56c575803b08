"""Staff pages of a case: start one at the window, view it, add materials.

Permissions come from the case's ACL (the permission table of its state);
no view decides on its own who may do what.
"""
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.response import FileIter, Response
from pyramid.view import view_config
from urllib.parse import quote

from ..catalogue.forms import form_rows
from ..catalogue.store import catalogue_for
from ..i18n import _
from ..clock.timing import STOP_KINDS, case_timing, task_timing
from ..site.worklist import yellow_days
from ..workflow.engine import TransitionError, get_engine
from .clockops import ClockError, end_stop, extend, start_stop
from .idempotency import claimed_case, new_token, valid_token
from .intake import IntakeForm, start_case
from .lifecycle import outcome_text
from .material import UploadError, store_upload
from .model import Case
from .permissions import (
    CASE_ADD_MATERIAL, CASE_DOWNLOAD, CASE_VIEW, TASK_VIEW)
from .service import (
    IntakeError, add_material, material_items, material_limits,
    replace_material)


def case_url(request, case):
    return request.route_url('case', number=case.case_number)


@view_config(route_name='case_new', renderer='case_new.page',
             permission='case.create')
def case_new(request):
    intake = IntakeForm(request)
    if request.method == 'POST' and 'submit' in request.POST:
        form = intake.form()
        try:
            appstruct = form.validate(request.POST.items())
        except deform.ValidationFailure as e:
            request.response.status_int = 400
            return intake.values(form_html=e.render(), failed=True)
        token = appstruct.get('_intake_token_') or None
        if token is not None and not valid_token(token):
            # a hidden field's error would not show: say it above the form
            request.response.status_int = 400
            appstruct['_intake_token_'] = new_token()
            return intake.values(form_html=form.render(appstruct), error=_(
                'This form is damaged. Please reload the page and submit '
                'again.'))
        earlier = claimed_case(request.root['cases'], token)
        if earlier is not None:
            # the same form posted again: show the case it created
            request.session.flash(request.localizer.translate(_(
                'This form was already submitted: case ${number} was '
                'created from it.', mapping={
                    'number': earlier.case_number})), 'success')
            return HTTPFound(case_url(request, earlier))
        try:
            case = start_case(request.root, intake.application.code,
                              appstruct, request.user_info.login,
                              token=token)
        except IntakeError as e:
            request.response.status_int = 400
            return intake.values(form_html=form.render(appstruct),
                                 error=e.message)
        request.session.flash(request.localizer.translate(_(
            'Case ${number} created. Now attach the materials.',
            mapping={'number': case.case_number})), 'success')
        return HTTPFound(case_url(request, case))
    return intake.values()


@view_config(route_name='case', context=Case, renderer='case.page',
             permission=CASE_VIEW)
def case_view(context, request):
    return case_page_values(context, request)


def _visible(request, objects, permission):
    return [o for o in objects if request.has_permission(permission, o)]


def case_page_values(context, request, upload_error=None, action_error=None):
    engine = get_engine(request.registry)
    catalogue = catalogue_for(context)
    days = yellow_days(request)
    timing = case_timing(context, yellow_days=days)
    application = catalogue.application(context.application_code)
    merged = catalogue.merged_materials(context.application_code)
    by_code = {}
    materials = {name: m for name, m in context['materials'].items()
                 if request.has_permission(CASE_DOWNLOAD, m)}
    for name, material in materials.items():
        by_code.setdefault(material.material_code, []).append(
            (name, material))
    expected = [(entry, by_code.get(entry.material.code, []))
                for entry in merged]
    known = {entry.material.code for entry in merged}
    others = [(name, m) for name, m in materials.items()
              if m.material_code not in known]
    tasks = _visible(request, context.tasks(), TASK_VIEW)
    # a section's user sees some tasks: the items whose task they may not
    # see (another section's, another organisation's) keep their own form
    # fields and journal entries hidden too.  Case-wide roles (window,
    # issuance, supervision) see no task and everything else.
    hidden = ({t.item_code for t in context.tasks()}
              - {t.item_code for t in tasks}) if tasks else set()
    hidden_names = {catalogue.items[c].name for c in hidden}
    task_timings = [(t, task_timing(t, yellow_days=days)) for t in tasks]
    explanation = explain_timings(
        [tt[1] for tt in task_timings] + [timing],
        {getattr(t, 'organisation', 'bureau') for t in tasks} - {'bureau'})
    documents = []
    for container in ('documents', 'decisions', 'certificates'):
        documents.extend((container, name, d) for name, d in
                         context[container].items()
                         if request.has_permission(CASE_DOWNLOAD, d))
    return {
        'case': context,
        'application': application,
        'catalogue': catalogue,
        'form_rows': [(heading, rows) for heading, rows in form_rows(
            catalogue, context.application_code, context.form_data)
            if heading is None or heading not in hidden_names],
        'items': [catalogue.items[code] for code in context.item_codes],
        'expected': expected,
        'others': others,
        'journal': [e for e in context.journal
                    if e.get('target') not in hidden][::-1],
        'can_add': request.has_permission(CASE_ADD_MATERIAL, context),
        'engine': engine,
        'steps': engine.available(context, request),
        'blockers': {t.name: engine.blockers(context, t)
                     for t in engine.available(context, request)},
        'tasks': tasks,
        'task_actions': {t.item_code: engine.available(t, request)
                         for t in tasks},
        'documents': documents,
        'outcome': outcome_text(context),
        'case_timing': timing,
        'has_inspection': bool(context.get('inspections') and len(
            context['inspections'])) or bool(
            context.get('expert_opinions') and len(
                context['expert_opinions'])) or catalogue.needs_expert_review(
            context.application_code),
        'task_timings': task_timings,
        'explanation': explanation,
        'can_extend': {t.item_code: request.has_permission('task.extend', t)
                       for t in tasks},
        'can_clock': request.has_permission('case.clock', context),
        'clock_stops': list(getattr(context, 'clock_stops', ())),
        'stop_kinds': STOP_KINDS,
        'running_label': _('running'),
        'action_error': action_error,
        'csrf_token': request.session.get_csrf_token(),
        'upload_error': upload_error,
    }


def explain_timings(timings, organisations=()):
    """The non-working days inside the clocks shown, with their reasons;
    days another organisation of the case counts differently (its own
    closures, casefile.organisation) are named with that organisation."""
    from ..clock import calendar_for, get_calendar
    starts = [t.start for t in timings if t.start]
    ends = [t.deadline for t in timings if t.deadline and t.start]
    if not starts or not ends:
        return []
    start, end = min(starts), max(ends)
    rows = get_calendar().explain(start, end)
    out = [(row.date.isoformat(), row.reason) for row in rows]
    if organisations:
        from ..organisation import organisation_name
        seen = {(row.date, row.kind.kind) for row in rows}
        for code in sorted(organisations):
            for row in calendar_for(code).explain(start, end):
                if (row.date, row.kind.kind) not in seen:
                    out.append((row.date.isoformat(), '%s：%s' % (
                        organisation_name(code), row.reason)))
        out.sort(key=lambda pair: pair[0])
    return out


def _clock_action(request, case, func):
    try:
        func()
    except ClockError as e:
        response = render_to_response(
            'case.page', case_page_values(case, request,
                                          action_error=e.message),
            request=request)
        response.status_int = 400
        return response
    request.session.flash(request.localizer.translate(_('Saved.')),
                          'success')
    return HTTPFound(case_url(request, case) + '#clock')


@view_config(route_name='clock_stop', context=Case, permission='case.clock',
             request_method='POST', require_csrf=True)
def clock_stop(context, request):
    return _clock_action(request, context, lambda: start_stop(
        context, request.POST.get('kind'), request.POST.get('reason'),
        request.POST.get('expected_days'), request.POST.getall('items'),
        actor=request.user_info.login))


@view_config(route_name='clock_resume', context=Case,
             permission='case.clock', request_method='POST',
             require_csrf=True)
def clock_resume(context, request):
    return _clock_action(request, context, lambda: end_stop(
        context, request.matchdict['stop'], actor=request.user_info.login))


@view_config(route_name='task_extend', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def task_extend(context, request):
    task = context['tasks'].get(request.matchdict['item'])
    if task is None:
        raise HTTPNotFound()
    if not request.has_permission('task.extend', task):
        raise HTTPForbidden()
    return _clock_action(request, context, lambda: extend(
        task, request.POST.get('days'), request.POST.get('reason'),
        actor=request.user_info.login))


def _fire(request, case, obj, name):
    """Fire a transition from a page form; re-render the case on refusal."""
    engine = get_engine(request.registry)
    inputs = {k: v for k, v in request.POST.items() if k != 'csrf_token'}
    try:
        engine.fire(obj, name, request=request, inputs=inputs,
                    actor=request.user_info.login, journal=case.journal)
    except TransitionError as e:
        response = render_to_response(
            'case.page', case_page_values(case, request,
                                          action_error=e.message),
            request=request)
        response.status_int = e.status
        return response
    transition = engine.definition_for(obj).transitions[name]
    request.session.flash(request.localizer.translate(_(
        'Done: ${step}.', mapping={'step': transition.title})), 'success')
    return HTTPFound(case_url(request, case))


@view_config(route_name='case_do', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def case_do(context, request):
    """A step of the case workflow; the engine checks who may take it."""
    return _fire(request, context, context, request.matchdict['transition'])


@view_config(route_name='task_do', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def task_do(context, request):
    task = context['tasks'].get(request.matchdict['item'])
    if task is None:
        raise HTTPNotFound()
    return _fire(request, context, task, request.matchdict['transition'])


@view_config(route_name='case_document', context=Case,
             permission=CASE_VIEW, renderer='document.page')
def case_document(context, request):
    container = request.matchdict['container']
    if container not in ('documents', 'decisions', 'certificates'):
        raise HTTPNotFound()
    document = context[container].get(request.matchdict['name'])
    if document is None:
        raise HTTPNotFound()
    if not request.has_permission(CASE_DOWNLOAD, document):
        raise HTTPForbidden()
    return {'case': context, 'document': document}


@view_config(route_name='case_upload', context=Case,
             permission=CASE_ADD_MATERIAL, request_method='POST',
             require_csrf=True)
def case_upload(context, request):
    """Add (or replace) a material; any error leaves the case unchanged."""
    translate = request.localizer.translate
    catalogue = catalogue_for(context)
    code = request.POST.get('material_code', '')
    material_def, types, max_mb = material_limits(catalogue, code)
    field = request.POST.get('file')
    replace = request.POST.get('replace', '')
    reason = request.POST.get('reason', '').strip()
    error = None
    if code and material_def is None:
        error = _('Unknown material. Please reload the page and try again.')
    elif not hasattr(field, 'file'):
        error = _('Please choose a file to upload.')
    elif replace and not reason:
        error = _('Please say why the material is replaced.')
    elif replace and replace not in context['materials']:
        error = _('The material to replace no longer exists.')
    if error is None:
        try:
            upload = store_upload(field.file, field.filename, types,
                                  int(max_mb) * 1024 * 1024)
        except UploadError as e:
            error = _(e.message, mapping=e.mapping)
    if error is not None:
        response = render_to_response(
            'case.page', case_page_values(context, request, error),
            request=request)
        response.status_int = 400
        return response
    actor = request.user_info.login
    if replace:
        replace_material(context, context['materials'][replace], upload,
                         reason, actor=actor)
    else:
        title = material_def.name if material_def else upload.filename
        items = material_items(catalogue, context.application_code,
                               code) if material_def is not None else ()
        add_material(context, upload, title, code, items, actor=actor)
    request.session.flash(translate(_('File "${name}" uploaded.', mapping={
        'name': upload.filename})), 'success')
    return HTTPFound(case_url(request, context) + '#materials')


def file_response(request, version, inline=False):
    """Serve a stored file; never inline unless it is a safe type."""
    safe_inline = version.mimetype in ('application/pdf', 'image/png',
                                       'image/jpeg')
    disposition = 'inline' if inline and safe_inline else 'attachment'
    response = Response(content_type=version.mimetype)
    response.app_iter = FileIter(version.open())
    response.content_length = version.size
    response.headers['Content-Disposition'] = (
        "%s; filename*=UTF-8''%s" % (disposition, quote(version.filename)))
    response.headers['X-Content-Type-Options'] = 'nosniff'
    response.headers['Content-Security-Policy'] = "default-src 'none'"
    return response


@view_config(route_name='case_material', context=Case,
             permission=CASE_DOWNLOAD)
def case_material(context, request):
    material = context['materials'].get(request.matchdict['name'])
    if material is None:
        raise HTTPNotFound()
    if not request.has_permission(CASE_DOWNLOAD, material):
        raise HTTPForbidden()
    version = material.current
    number = request.params.get('version')
    if number:
        try:
            version = material.versions[int(number) - 1]
        except (ValueError, IndexError):
            raise HTTPNotFound()
    return file_response(request, version,
                         inline=request.params.get('inline') == '1')


def includeme(config):
    config.add_route('case_new', '/cases/new')
    add = config.add_case_route
    add('case')
    add('case_upload', '/upload')
    add('case_material', '/materials/{name}')
    add('case_do', '/do/{transition}')
    add('task_do', '/tasks/{item}/do/{transition}')
    add('clock_stop', '/clock/stop')
    add('clock_resume', '/clock/resume/{stop}')
    add('task_extend', '/tasks/{item}/extend')
    add('case_document', '/documents/{container}/{name}')
    config.scan(__name__)
