"""API tokens for staff, and the authentication policy that reads them.

The city's service platform (信息共享) calls the API from a server, not a
browser, so it cannot keep our session cookie and answer CSRF checks:
it signs in once (``POST /api/tokens``) and sends ``Authorization: Bearer
<token>`` with every request.

- **Hashed.**  A token is as good as a password for eight hours.  The
  database (and every backup of it) keeps only the SHA-256 of each token,
  so a copied ``Data.fs`` opens nothing.  SHA-256 and not bcrypt: a token
  carries 256 random bits, there is nothing to guess, and it is checked on
  every request.
- **On the user.**  Hashes live on the Substance D user with their expiry;
  the user's oid leads the token (``<oid in hex>.<secret>``) so that
  checking it is one object load, no index, and deleting a user revokes
  all their tokens.
- **Never logged.**  Tokens are only accepted in the ``Authorization``
  header, never in a URL (which access logs and proxies record).
- **No CSRF.**  Browsers never send an ``Authorization`` header on their
  own, so a request carrying one cannot be forged cross-site; a request
  authenticated by the session cookie can, so unsafe API views check the
  ``X-CSRF-Token`` header unless a Bearer token is present
  (:func:`session_csrf`).
"""
import datetime
import hashlib
import secrets

from persistent.mapping import PersistentMapping
from pyramid.authentication import CallbackAuthenticationPolicy
from pyramid.csrf import check_csrf_origin, check_csrf_token
from pyramid.httpexceptions import HTTPNoContent
from pyramid.interfaces import IAuthenticationPolicy
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from substanced.util import find_service, get_oid
from zope.interface import implementer

from ..i18n import _
from ..site.userinfo import UserInfo
from .errors import INVALID_TOKEN, ApiError, json_object, json_response

#: how long a token is valid: one working day, like the session cookie
TOKEN_LIFETIME = datetime.timedelta(hours=8)

#: attribute of the Substance D user: {sha256 hex: expiry (epoch seconds)}
TOKENS_ATTR = 'casefile_api_tokens'

#: bcrypt of very long passwords is slow; the login page has the same limit
MAX_PASSWORD = 4096


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def token_hash(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def bearer_token(request):
    """The token of an ``Authorization: Bearer`` header, else ``None``.

    A Bearer header with nothing after it gives ``''`` (not ``None``): the
    request then chose token authentication and must not fall back to the
    cookie (nor skip CSRF on the strength of a header that proves nothing).
    """
    header = request.headers.get('Authorization')
    if not header:
        return None
    scheme, _sep, value = header.strip().partition(' ')
    if scheme.lower() != 'bearer':
        return None
    return value.strip()


def _oid_text(oid):
    """ZODB oids of Substance D are signed 64-bit: as unsigned hex."""
    return '%x' % (oid % 2 ** 64)


def _oid(text):
    try:
        value = int(text, 16)
    except ValueError:
        return None
    if not 0 <= value < 2 ** 64:
        return None
    return value - 2 ** 64 if value >= 2 ** 63 else value


def _user_and_hash(request, token):
    from ..security import find_user
    oid_text, sep, secret = (token or '').partition('.')
    oid = _oid(oid_text) if sep and secret else None
    if oid is None:
        return None, None
    user = find_user(request, oid)
    if user is None:
        return None, None
    return user, token_hash(token)


def issue_token(user, now=None):
    """A new token for ``user``: ``(token, expires)``; only its hash is kept.

    Expired hashes of the user are dropped here, the only time we write.
    """
    now = now or _now()
    token = '%s.%s' % (_oid_text(get_oid(user)), secrets.token_urlsafe(32))
    expires = now + TOKEN_LIFETIME
    tokens = getattr(user, TOKENS_ATTR, None)
    if tokens is None:
        tokens = PersistentMapping()
        setattr(user, TOKENS_ATTR, tokens)
    for key, until in list(tokens.items()):
        if until <= now.timestamp():
            del tokens[key]
    tokens[token_hash(token)] = expires.timestamp()
    return token, expires


def userid_for_token(request, token, now=None):
    """The userid (oid) of a valid, unexpired token, else ``None``."""
    user, digest = _user_and_hash(request, token)
    if user is None:
        return None
    expires = (getattr(user, TOKENS_ATTR, None) or {}).get(digest)
    if expires is None or expires <= (now or _now()).timestamp():
        return None
    return get_oid(user)


def revoke_token(request, token):
    """Forget ``token``; ``True`` if it was valid until now."""
    if userid_for_token(request, token) is None:
        return False
    user, digest = _user_and_hash(request, token)
    del getattr(user, TOKENS_ATTR)[digest]
    return True


@implementer(IAuthenticationPolicy)
class BearerOrCookiePolicy(CallbackAuthenticationPolicy):
    """A Bearer token if the request has one, else the session cookie.

    A request with a Bearer header is judged by its token alone: a wrong
    or expired token leaves it anonymous even if a valid cookie came too.
    ``callback`` (the group finder) is the same for both.  ``remember`` and
    ``forget`` are the cookie's: the login page keeps working unchanged.
    """

    def __init__(self, cookie_policy, callback):
        self.cookie = cookie_policy
        self.callback = callback

    def unauthenticated_userid(self, request):
        token = bearer_token(request)
        if token is not None:
            return userid_for_token(request, token)
        return self.cookie.unauthenticated_userid(request)

    def remember(self, request, userid, **kw):
        return self.cookie.remember(request, userid, **kw)

    def forget(self, request):
        return self.cookie.forget(request)


def session_csrf(view):
    """View decorator: unsafe requests signed in by cookie need CSRF.

    The token is the session's (``request.session.get_csrf_token()``, the
    one every page carries) in the ``X-CSRF-Token`` header.  Requests with
    a Bearer token skip the check (see the module docstring).  A failure
    raises Pyramid's ``BadCSRFToken``, which the API answers as JSON.
    """
    def checked(context, request):
        if bearer_token(request) is None and request.method not in (
                'GET', 'HEAD', 'OPTIONS'):
            check_csrf_origin(request, raises=True)
            check_csrf_token(request, raises=True)
        return view(context, request)
    return checked


# -- the token routes ---------------------------------------------------------

@view_config(route_name='api_tokens', request_method='POST',
             permission=NO_PERMISSION_REQUIRED)
def create_token(request):
    """``POST /api/tokens`` {login, password} → 201 {token, expires, ...}."""
    from ..security.throttle import (
        LOCKED_MESSAGE, client_address, get_throttle)
    body = json_object(request)
    login = body.get('login')
    password = body.get('password')
    user = None
    name = login.strip() if isinstance(login, str) else ''
    throttle = get_throttle(request.registry)
    address = client_address(request)
    if throttle.is_locked(name, address):
        raise ApiError(429, 'too-many-attempts', LOCKED_MESSAGE)
    if name:
        principals = find_service(request.root, 'principals')
        user = principals['users'].get(name)
    if (user is None or not isinstance(password, str) or not password
            or len(password) > MAX_PASSWORD
            or not user.check_password(password)):
        throttle.failed(name, address)
        raise ApiError(401, 'wrong-credentials', _(
            'Wrong user name or password. Please check and try again.'))
    throttle.succeeded(name, address)
    token, expires = issue_token(user)
    info = UserInfo(request, user)
    return json_response(request, {
        'token': token,
        'expires': expires.isoformat(timespec='seconds'),
        'login': info.login, 'name': info.title,
        'roles': info.roles, 'sections': info.sections}, status=201)


@view_config(route_name='api_token_current', request_method='DELETE',
             permission=NO_PERMISSION_REQUIRED)
def delete_token(request):
    """``DELETE /api/tokens/current``: revoke the token of this request."""
    token = bearer_token(request)
    if token is None:
        raise ApiError(400, 'no-token', _(
            'Send the token to revoke in the header "Authorization: Bearer '
            '<token>".'))
    if not revoke_token(request, token):
        raise ApiError(401, 'invalid-token', INVALID_TOKEN)
    return HTTPNoContent()
