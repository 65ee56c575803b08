"""The home page (my worklist) and the case list."""
from pyramid.httpexceptions import HTTPFound
from pyramid.view import forbidden_view_config, view_config

from .worklist import search_cases, worklists_for


@view_config(route_name='home', renderer='home.page',
             permission='staff.view')
def home(request):
    return {'worklists': worklists_for(request)}


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
