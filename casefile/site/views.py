"""The home page (my worklist) and the case list."""
import logging

from pyramid.httpexceptions import HTTPException, HTTPFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import (
    forbidden_view_config, notfound_view_config, view_config)

from .worklist import search_cases, worklists_for

log = logging.getLogger(__name__)


@view_config(route_name='home', renderer='home.page',
             permission='staff.view')
def home(request):
    light = request.params.get('light')
    if light not in ('red', 'yellow'):
        light = None
    return {'worklists': worklists_for(request, light), 'light': light,
            'timing': timing_of(request)}


def timing_of(request):
    """``timing(obj)`` for templates: the clock of a task or case."""
    from ..clock.timing import case_timing, task_timing
    from .worklist import yellow_days
    days = yellow_days(request)

    def timing(obj):
        if getattr(obj, 'item_code', None):
            return task_timing(obj, yellow_days=days)
        return case_timing(obj, yellow_days=days)
    return timing


@view_config(route_name='cases', renderer='cases.page',
             permission='case.search')
def cases(request):
    q = request.params.get('q', '')
    count, found = search_cases(request, q)
    return {'q': q, 'count': count, 'cases': found}


@forbidden_view_config(renderer='forbidden.page')
def forbidden(request):
    """Anonymous users are sent to sign in; others are told what to do."""
    if request.authenticated_userid is None and request.method == 'GET' \
            and not request.path.startswith('/api/'):
        return HTTPFound(location=request.route_url(
            'login', _query={'came_from': request.path_qs}))
    request.response.status_int = 403
    return {}


@notfound_view_config(renderer='notfound.page')
def notfound(request):
    request.response.status_int = 404
    return {}


@view_config(context=Exception, renderer='error.page',
             permission=NO_PERMISSION_REQUIRED)
def error(exc, request):
    """Any unexpected error: a Chinese page, the details in the log.

    pyramid_tm aborts the transaction (``request.exception`` is set), so
    nothing half-done is committed; pyramid_retry still retries conflicts.
    """
    if isinstance(exc, HTTPException):
        return exc
    log.exception('unexpected error on %s %s', request.method, request.url)
    request.response.status_int = 500
    return {}
