"""Login and logout for staff, with the bureau's own Chinese pages.

Substance D's SDI login (``/manage/@@login``) stays for administrators;
this is the page everybody else uses.
"""
from pyramid.httpexceptions import HTTPFound
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import view_config
from substanced.util import find_service, get_oid

from ..i18n import _
from .throttle import LOCKED_MESSAGE, client_address, get_throttle


def safe_came_from(request, value):
    """Only redirect to our own site after login (no open redirect)."""
    if value and value.startswith('/') and not value.startswith('//'):
        return value
    return request.resource_url(request.root)


@view_config(route_name='login', renderer='login.page',
             permission=NO_PERMISSION_REQUIRED)
def login(request):
    came_from = safe_came_from(request, request.params.get('came_from'))
    error = None
    login_name = ''
    if request.method == 'POST':
        if request.POST.get('csrf_token') != request.session.get_csrf_token():
            error = _('Your session expired. Please sign in again.')
        else:
            login_name = request.POST.get('login', '').strip()
            password = request.POST.get('password', '')
            throttle = get_throttle(request.registry)
            address = client_address(request)
            if throttle.is_locked(login_name, address):
                error = LOCKED_MESSAGE
                request.response.status_int = 429
                return {'error': error, 'login': login_name,
                        'came_from': came_from,
                        'csrf_token': request.session.get_csrf_token()}
            principals = find_service(request.root, 'principals')
            user = principals['users'].get(login_name) if login_name else None
            if (user is not None and password
                    and len(password) <= 4096
                    and user.check_password(password)):
                throttle.succeeded(login_name, address)
                headers = remember(request, get_oid(user))
                return HTTPFound(location=came_from, headers=headers)
            throttle.failed(login_name, address)
            error = _('Wrong user name or password. Please check and '
                      'try again.')
        request.response.status_int = 400 if error else 200
    return {'error': error, 'login': login_name, 'came_from': came_from,
            'csrf_token': request.session.get_csrf_token()}


@view_config(route_name='logout', permission=NO_PERMISSION_REQUIRED,
             request_method='POST', require_csrf=True)
def logout(request):
    return HTTPFound(location=request.route_url('login'),
                     headers=forget(request))


def includeme(config):
    config.add_route('login', '/login')
    config.add_route('logout', '/logout')
    config.scan(__name__)
