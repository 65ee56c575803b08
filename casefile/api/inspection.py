"""The API's routes over site inspection and expert review (现场勘验, 专家评审).

The inspection page's operations as JSON, by the same means
(:mod:`casefile.inspection.service` and the workflow engine) and with the
same permission checks: the case's ACL lets the caller reach the case
(``case.view``, ``case.review`` to request a review), then
``request.has_permission`` asks the job (``inspection.view``,
``inspection.report``) or the review (``review.view``, ``review.opine``).

Everything is checked before anything is stored; a refusal after that
(which the checks make unlikely) is raised, so pyramid_tm aborts the whole
request: a refused report or draw leaves nothing behind.
"""
from pyramid.view import view_config

from ..case.model import Case
from ..case.permissions import CASE_VIEW
from ..i18n import _
from ..inspection.service import (
    RESULTS, InspectionError, give_opinion, job_of, record_report,
    request_review, reviews_of)
from ..workflow.engine import TransitionError, get_engine
from .auth import session_csrf
from .errors import ApiError, json_object, json_response
from .serialize import (
    INSPECTION_REPORT, INSPECTION_VIEW, REPORT_STEPS, REVIEW_OPINE,
    REVIEW_VIEW, _tree, case_summary, inspection_data, review_data,
    review_items, review_summary, review_url)
from .views import fire_step

#: the HTTP status of each code of :class:`InspectionError` (and of the
#: draw's ``DrawError``, which ``request_review`` passes on)
STATUS = {
    'wrong-state': 409,      # a report before the inspection is scheduled
    'incomplete': 400,       # a point without a result; an empty opinion
    'remark-needed': 400,    # a failed point without a remark
    'inspectors': 400,       # fewer than two inspectors
    'unconfirmed': 400,      # the inspectors did not confirm
    'unknown-item': 400,     # the item is not part of the case
    'not-needed': 400,       # the item needs no expert review
    'invalid-size': 400,     # fewer than one expert asked for
    'too-few': 409,          # the pool has too few eligible experts
    'not-on-panel': 403,     # an expert not drawn for this review
    'closed': 409,           # an opinion after the review closed
}


def _inspection_error(e, field=None):
    return ApiError(STATUS.get(e.code, 400), e.code, e.message, field=field)


def _forbidden():
    return ApiError(403, 'forbidden', _(
        'Your role may not do this here, or not in the current state.'))


def _invalid(field, message):
    return ApiError(400, 'invalid-input', message, field=field)


def _job(request, case):
    """The case's inspection job if the user may see it; else 404 / 403."""
    job = job_of(case)
    if job is None:
        raise ApiError(404, 'not-found', _(
            'This case has no site inspection: none of its items needs '
            'one.'))
    if not request.has_permission(INSPECTION_VIEW, job):
        raise _forbidden()
    return job


def _review(request, case):
    container = case.get('expert_opinions')
    name = request.matchdict['review']
    review = container.get(name) if container is not None else None
    if review is None:
        raise ApiError(404, 'not-found', _(
            'This case has no expert review ${name}.',
            mapping={'name': name}))
    if not request.has_permission(REVIEW_VIEW, review):
        raise _forbidden()
    return review


# -- site inspection ----------------------------------------------------------

@view_config(route_name='api_inspection', context=Case,
             request_method='GET', permission=CASE_VIEW)
def inspection(context, request):
    """``GET /api/cases/{number}/inspection``: the job with its checklist."""
    job = _job(request, context)
    return json_response(request, inspection_data(request, context, job))


@view_config(route_name='api_inspection_transition', context=Case,
             request_method='POST', permission=CASE_VIEW,
             decorator=session_csrf)
def inspection_transition(context, request):
    """``POST /api/cases/{number}/inspection/transitions/{name}``.

    ``schedule``, ``reschedule``, ``close_failed``; ``record_pass`` and
    ``record_fail`` only follow from a report.
    """
    job = _job(request, context)
    name = request.matchdict['name']
    if name in REPORT_STEPS:
        raise ApiError(400, 'use-report', _(
            'This step follows from the on-site report: send the report to '
            'POST /api/cases/{number}/inspection/report.'))
    data = fire_step(request, context, job, name)
    data['inspection'] = inspection_data(request, context, job)
    return json_response(request, data)


def _results(job, value):
    """``{"0": {"result": "pass", "remark": ""}, ...}`` → ``{0: (r, m)}``."""
    if not isinstance(value, dict):
        raise _invalid('results', _(
            '"results" must be an object: the number of each point → '
            '{"result": "pass", "fail" or "na", "remark": "..."}.'))
    results = {}
    for key, entry in value.items():
        field = 'results.%s' % key
        try:
            index = int(key)
        except ValueError:
            index = -1
        if not 0 <= index < len(job.points):
            raise _invalid(field, _(
                'The checklist has no point ${key}: points are numbered from '
                '0 to ${last}.', mapping={'key': key,
                                          'last': len(job.points) - 1}))
        if not isinstance(entry, dict):
            raise _invalid(field, _(
                'Each point takes an object {"result": ..., "remark": ...}.'))
        result, remark = entry.get('result'), entry.get('remark') or ''
        if result not in RESULTS:
            raise _invalid(field, _(
                'The result of a point is "pass", "fail" or "na".'))
        if not isinstance(remark, str):
            raise _invalid(field, _('A remark must be text.'))
        results[index] = (result, remark)
    return results


def _lines(value, field):
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise _invalid(field, _('"${field}" must be a list of names.',
                            mapping={'field': field}))


@view_config(route_name='api_inspection_report', context=Case,
             request_method='POST', permission=CASE_VIEW,
             decorator=session_csrf)
def inspection_report(context, request):
    """``POST /api/cases/{number}/inspection/report``: the on-site report.

    Records the report of the current round and fires ``record_pass`` or
    ``record_fail`` (with ``due``, the end of the rectification period).
    Body, step and its inputs are all checked before the report is
    stored; a refusal leaves no report, no document, no step.
    """
    job = _job(request, context)
    if not request.has_permission(INSPECTION_REPORT, job):
        raise _forbidden()
    body = json_object(request)
    results = _results(job, body.get('results'))
    inspectors = _lines(body.get('inspectors'), 'inspectors')
    confirmed = body.get('confirmed') is True
    fails = any(result == 'fail' for result, _remark in results.values())
    name = 'record_fail' if fails else 'record_pass'
    inputs = {'due': body.get('due')} if fails else {}
    engine = get_engine(request.registry)
    definition = engine.definition_for(job)
    if not request.has_permission(definition.transition_permission(name),
                                  job):
        raise _forbidden()
    try:
        engine.check_inputs(definition.transitions[name], inputs)
    except TransitionError as e:
        raise ApiError(e.status, e.code, e.message, field=e.field)
    actor = request.user_info.login
    try:
        outcome = record_report(job, results, inspectors, confirmed,
                                actor=actor, registry=request.registry)
    except InspectionError as e:
        raise _inspection_error(e)
    try:
        state = engine.fire(job, name, request=request, inputs=inputs,
                            actor=actor, journal=context.journal)
    except TransitionError as e:   # raised: the report is not kept either
        raise ApiError(e.status, e.code, e.message, field=e.field)
    data = {'outcome': outcome, 'transition': name, 'state': state,
            'state_title': engine.state_title(job),
            'report': _tree(job.reports[-1]),
            'inspection': inspection_data(request, context, job),
            'case': case_summary(request, context)}
    return json_response(request, data, status=201)


# -- expert review ------------------------------------------------------------

@view_config(route_name='api_reviews', context=Case, request_method='GET',
             permission=CASE_VIEW)
def reviews(context, request):
    """``GET /api/cases/{number}/reviews``: the reviews, and what needs one."""
    return json_response(request, {
        'items': review_items(context),
        'can_request': bool(request.has_permission('case.review', context)),
        'reviews': [review_summary(request, context, r)
                    for r in reviews_of(context)
                    if request.has_permission(REVIEW_VIEW, r)]})


def _whole(body, name, default, low, high):
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) \
            or not low <= value <= high:
        raise _invalid(name, _(
            '"${field}" must be a whole number from ${low} to ${high}.',
            mapping={'field': name, 'low': low, 'high': high}))
    return value


@view_config(route_name='api_reviews', context=Case, request_method='POST',
             permission='case.review', decorator=session_csrf)
def request_expert_review(context, request):
    """``POST /api/cases/{number}/reviews``: draw a panel, open the review."""
    body = json_object(request, empty_ok=True)
    item = body.get('item')
    if not isinstance(item, str) or not item.strip():
        raise _invalid('item', _('Name the item to review ("item").'))
    size = _whole(body, 'size', 3, 1, 50)
    recent_days = _whole(body, 'recent_days', 30, 0, 3650)
    exclude = body.get('exclude')
    exclude = exclude.split() if isinstance(exclude, str) else _lines(
        exclude, 'exclude')
    actor = request.user_info.login
    try:
        review = request_review(
            context, item.strip(), size,
            exclude=[x.strip() for x in exclude if x.strip()],
            recent_days=recent_days, actor=actor,
            registry=request.registry)
    except InspectionError as e:
        raise _inspection_error(e, field='item' if e.code in (
            'unknown-item', 'not-needed') else 'size' if e.code in (
            'invalid-size', 'too-few') else None)
    try:
        get_engine(request.registry).fire(
            review, 'draw', request=request, actor=actor,
            journal=context.journal)
    except TransitionError as e:   # raised: the draw is not kept either
        raise ApiError(e.status, e.code, e.message, field=e.field)
    url = review_url(request, context, review)
    return json_response(request, review_data(request, context, review),
                         status=201, headers={'Location': url})


@view_config(route_name='api_review', context=Case, request_method='GET',
             permission=CASE_VIEW)
def review(context, request):
    """``GET /api/cases/{number}/reviews/{review}``."""
    return json_response(request, review_data(
        request, context, _review(request, context)))


@view_config(route_name='api_review_opinion', context=Case,
             request_method='POST', permission=CASE_VIEW,
             decorator=session_csrf)
def review_opinion(context, request):
    """``POST /api/cases/{number}/reviews/{review}/opinion``: an expert's
    opinion, in the expert's own login; given again, it replaces theirs."""
    review = _review(request, context)
    if not request.has_permission(REVIEW_OPINE, review):
        raise _forbidden()
    body = json_object(request)
    text = body.get('text')
    if text is not None and not isinstance(text, str):
        raise _invalid('text', _('The opinion must be text.'))
    try:
        give_opinion(review, request.user_info.login, text,
                     body.get('conclusion'), registry=request.registry)
    except InspectionError as e:
        raise _inspection_error(e)
    return json_response(request, review_data(request, context, review))


@view_config(route_name='api_review_transition', context=Case,
             request_method='POST', permission=CASE_VIEW,
             decorator=session_csrf)
def review_transition(context, request):
    """``POST /api/cases/{number}/reviews/{review}/transitions/{name}``:
    ``close`` with the ``consolidated`` opinion."""
    review = _review(request, context)
    data = fire_step(request, context, review, request.matchdict['name'])
    data['review'] = review_data(request, context, review)
    return json_response(request, data)
