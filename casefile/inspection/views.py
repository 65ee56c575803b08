"""The inspection page of a case: the merged checklist, scheduling, the
on-site report (made for a tablet), re-inspection, and expert reviews."""
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..case.model import Case
from ..case.material import UploadError, store_upload
from ..case.permissions import CASE_VIEW
from ..case.service import add_material
from ..i18n import _
from ..workflow.engine import TransitionError, get_engine
from .service import (
    RESULTS, InspectionError, give_opinion, job_of, record_report,
    request_review, reviews_of)


def page_url(request, case):
    return request.route_url('inspection', number=case.case_number)


def values(context, request, error=None):
    engine = get_engine(request.registry)
    job = job_of(context)
    if job is not None and not request.has_permission('inspection.view',
                                                      job):
        job = None
    reviews = [r for r in reviews_of(context)
               if request.has_permission('review.view', r)]
    from ..catalogue.store import catalogue_for
    catalogue = catalogue_for(context)
    review_items = [(code, catalogue.items[code].name,
                     catalogue.items[code].expert_review.speciality)
                    for code in context.item_codes
                    if catalogue.items[code].expert_review.required]
    return {
        'case': context, 'job': job, 'reviews': reviews, 'engine': engine,
        'results': RESULTS, 'error': error,
        'job_steps': [t for t in engine.available(job, request)
                      if t.name not in ('record_pass', 'record_fail')]
        if job is not None else [],
        'can_report': job is not None and request.has_permission(
            'inspection.report', job),
        'can_request_review': request.has_permission('case.review', context),
        'review_items': review_items,
        'review_steps': {r.__name__: engine.available(r, request)
                         for r in reviews},
        'can_opine': {r.__name__: request.has_permission('review.opine', r)
                      and request.user_info.login in r.panel_logins
                      for r in reviews},
        'csrf_token': request.session.get_csrf_token(),
        'login': request.user_info.login,
    }


def _error(context, request, message, status=400):
    response = render_to_response('inspection.page',
                                  values(context, request, message),
                                  request=request)
    response.status_int = status
    return response


@view_config(route_name='inspection', context=Case, permission=CASE_VIEW,
             renderer='inspection.page')
def inspection(context, request):
    return values(context, request)


@view_config(route_name='inspection_report', context=Case,
             permission=CASE_VIEW, request_method='POST', require_csrf=True)
def report(context, request):
    job = job_of(context)
    if job is None:
        raise HTTPNotFound()
    if not request.has_permission('inspection.report', job):
        raise HTTPForbidden()
    results = {}
    for i in range(len(job.points)):
        value = request.POST.get('result-%d' % i)
        if value:
            results[i] = (value, request.POST.get('remark-%d' % i, ''))
    engine = get_engine(request.registry)
    try:
        photos = store_photos(context, job, request)
        outcome = record_report(
            job, results, request.POST.get('inspectors', '').splitlines(),
            request.POST.get('confirm') == 'yes', photos=photos,
            actor=request.user_info.login)
        if outcome == 'pass':
            engine.fire(job, 'record_pass', request=request,
                        actor=request.user_info.login,
                        journal=context.journal)
        else:
            engine.fire(job, 'record_fail', request=request,
                        inputs={'due': request.POST.get('due')},
                        actor=request.user_info.login,
                        journal=context.journal)
    except (InspectionError, TransitionError, UploadError) as e:
        import transaction
        transaction.abort()   # the report is not kept without its outcome
        if isinstance(e, UploadError):
            return _error(context, request, _(e.message, mapping=e.mapping))
        return _error(context, request, e.message,
                      getattr(e, 'status', 400))
    request.session.flash(request.localizer.translate(
        _('The on-site report is recorded.')), 'success')
    return HTTPFound(page_url(request, context))


PHOTO_TYPES = ('jpg', 'jpeg', 'png')


def store_photos(case, job, request):
    """Photos taken on site become materials of the case, tied to the
    inspected items; all are checked before any is added."""
    uploads = []
    for field in request.POST.getall('photos'):
        if not hasattr(field, 'file') or not field.filename:
            continue
        uploads.append(store_upload(field.file, field.filename, PHOTO_TYPES,
                                    20 * 1024 * 1024))
    names = []
    for upload in uploads:
        material = add_material(
            case, upload, '现场勘验照片（第 %d 次）' % job.round,
            'inspection_photo', job.items, actor=request.user_info.login)
        names.append(material.__name__)
    return names


def _fire(request, context, obj, name):
    engine = get_engine(request.registry)
    inputs = {k: v for k, v in request.POST.items() if k != 'csrf_token'}
    try:
        engine.fire(obj, name, request=request, inputs=inputs,
                    actor=request.user_info.login, journal=context.journal)
    except TransitionError as e:
        return _error(context, request, e.message, e.status)
    return HTTPFound(page_url(request, context))


@view_config(route_name='inspection_do', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def inspection_do(context, request):
    job = job_of(context)
    if job is None:
        raise HTTPNotFound()
    return _fire(request, context, job, request.matchdict['transition'])


@view_config(route_name='review_new', context=Case, permission='case.review',
             request_method='POST', require_csrf=True)
def review_new(context, request):
    try:
        review = request_review(
            context, request.POST.get('item', ''),
            request.POST.get('size') or 3,
            exclude=[x.strip() for x in request.POST.get(
                'exclude', '').split() if x.strip()],
            recent_days=request.POST.get('recent_days') or 30,
            actor=request.user_info.login)
        get_engine(request.registry).fire(
            review, 'draw', request=request, actor=request.user_info.login,
            journal=context.journal)
    except (InspectionError, TransitionError, ValueError) as e:
        import transaction
        transaction.abort()
        return _error(context, request, getattr(e, 'message', str(e)))
    return HTTPFound(page_url(request, context))


def _review(context, request):
    review = context['expert_opinions'].get(request.matchdict['name'])
    if review is None or not request.has_permission('review.view', review):
        raise HTTPNotFound()
    return review


@view_config(route_name='review_opinion', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def review_opinion(context, request):
    review = _review(context, request)
    if not request.has_permission('review.opine', review):
        raise HTTPForbidden()
    try:
        give_opinion(review, request.user_info.login,
                     request.POST.get('text'), request.POST.get('conclusion'))
    except InspectionError as e:
        return _error(context, request, e.message)
    return HTTPFound(page_url(request, context))


@view_config(route_name='review_do', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def review_do(context, request):
    review = _review(context, request)
    return _fire(request, context, review, request.matchdict['transition'])


def includeme(config):
    add = config.add_case_route
    add('inspection', '/inspection')
    add('inspection_report', '/inspection/report')
    add('inspection_do', '/inspection/do/{transition}')
    add('review_new', '/reviews')
    add('review_opinion', '/reviews/{name}/opinion')
    add('review_do', '/reviews/{name}/do/{transition}')
    config.scan(__name__)
