"""Every answer of the API is JSON, errors included.

An error is ``{"error": {"code": ..., "message": ...}}`` with the HTTP
status that fits: ``code`` is a stable English word for programs,
``message`` the Chinese sentence a person can act on (an English msgid
through ``_()``, translated for the request).  Invalid forms add
``fields`` (``{"applicant.identifier": "..."}``), refused transitions the
``field`` of the input at fault.

Pyramid's own errors (401/403 from the ACLs, 404, 405, a bad CSRF token,
an unexpected crash) get the same shape: the exception views below are
registered only for paths under ``/api/`` (the ``api`` view predicate), so
the staff pages keep their HTML error pages.  Raising (rather than
returning) an error lets pyramid_tm abort the transaction: a refused
request leaves nothing behind.
"""
import datetime
import decimal
import json
import logging

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken, PredicateMismatch
from pyramid.httpexceptions import HTTPException
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import (
    forbidden_view_config, notfound_view_config, view_config)
from pyramid_retry import is_error_retryable

from ..i18n import _

log = logging.getLogger(__name__)

#: the codes this package answers with itself, and their status; the
#: intake, upload and workflow codes come from those subsystems
CODES = {
    'unauthenticated': 401,
    'invalid-token': 401,
    'wrong-credentials': 401,
    'forbidden': 403,
    'not-found': 404,
    'method-not-allowed': 405,
    'csrf': 400,
    'invalid-json': 400,
    'invalid': 400,
    'no-token': 400,
    'no-file': 400,
    'unknown-material': 400,
    'missing-reason': 400,
    'invalid-input': 400,
    'use-report': 400,
    'bad-request': 400,
    'server-error': 500,
}


#: said by the 401 view and by ``DELETE /api/tokens/current``
INVALID_TOKEN = _('The token is wrong, expired or revoked. Request a new '
                  'one at POST /api/tokens.')


class ApiError(Exception):
    """An error answer: raise it from a view; nothing is committed."""

    def __init__(self, status, code, message, fields=None, field=None,
                 headers=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.field = field
        self.headers = headers or {}


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def json_response(request, data, status=200, headers=None):
    """A JSON response; Chinese stays readable (no ``\\uXXXX`` escapes)."""
    response = Response(status=status, content_type='application/json',
                        charset='utf-8')
    response.text = json.dumps(data, ensure_ascii=False, default=_plain)
    response.headers['Cache-Control'] = 'no-store'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def json_object(request, empty_ok=False):
    """The request body as a JSON object (``{}`` if empty and allowed)."""
    if empty_ok and not request.body.strip():
        return {}
    try:
        body = json.loads(request.body.decode(request.charset or 'utf-8'))
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, 'invalid-json', _(
            'The request body must be a JSON object (Content-Type: '
            'application/json, UTF-8).'))
    return body


def error_response(request, status, code, message, fields=None, field=None,
                   headers=None):
    translate = request.localizer.translate
    error = {'code': code, 'message': translate(message)}
    if fields:
        error['fields'] = {k: translate(v) for k, v in fields.items()}
    if field:
        error['field'] = field
    return json_response(request, {'error': error}, status=status,
                         headers=headers)


class ApiPathPredicate:
    """View predicate ``api=True``: the request is for a path under /api/."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return 'api = %s' % self.value

    phash = text

    def __call__(self, context, request):
        path = request.path_info
        return (path == '/api' or path.startswith('/api/')) == self.value


# -- exception views, /api/ only ----------------------------------------------

@view_config(context=ApiError, api=True, permission=NO_PERMISSION_REQUIRED)
def api_error(exc, request):
    return error_response(request, exc.status, exc.code, exc.message,
                          exc.fields, exc.field, exc.headers)


def unauthenticated(request):
    """401: nobody signed in, or a wrong, expired or revoked token."""
    from .auth import bearer_token     # auth imports this module
    headers = {'WWW-Authenticate': 'Bearer realm="casefile"'}
    if bearer_token(request) is not None:
        return error_response(request, 401, 'invalid-token', INVALID_TOKEN,
                              headers=headers)
    return error_response(request, 401, 'unauthenticated', _(
        'Please sign in: send "Authorization: Bearer <token>" (see POST '
        '/api/tokens).'), headers=headers)


@forbidden_view_config(api=True)
def forbidden(exc, request):
    """401 for nobody (no or a bad token), 403 for a user without the right."""
    if request.authenticated_userid is None:
        return unauthenticated(request)
    return error_response(request, 403, 'forbidden', _(
        'Your role may not do this here, or not in the current state.'))


@notfound_view_config(api=True)
def not_found(exc, request):
    """404; 405 when the route exists but not for this method.

    Anonymous callers get 401 instead: whether a case number exists is
    not for them to find out.
    """
    if isinstance(exc, PredicateMismatch) and request.matched_route:
        return error_response(request, 405, 'method-not-allowed', _(
            'This address does not accept ${method} requests.',
            mapping={'method': request.method}))
    if request.authenticated_userid is None:
        return unauthenticated(request)
    return error_response(request, 404, 'not-found', _(
        'Not found: no such case, item, material or address.'))


@view_config(context=HTTPException, api=True,
             permission=NO_PERMISSION_REQUIRED)
def http_error(exc, request):
    """Pyramid's other HTTP errors, e.g. a missing or wrong CSRF token."""
    if exc.status_int < 400:
        return exc
    if isinstance(exc, (BadCSRFToken, BadCSRFOrigin)):
        return error_response(request, 400, 'csrf', _(
            'Signed in with the session cookie: send the page\'s CSRF token '
            'in the X-CSRF-Token header, or use a Bearer token.'))
    return error_response(request, exc.status_int, 'bad-request' if
                          exc.status_int < 500 else 'server-error', _(
                              'The request could not be handled (HTTP '
                              '${status}).', mapping={
                                  'status': exc.status_int}))


@view_config(context=Exception, api=True, permission=NO_PERMISSION_REQUIRED)
def server_error(exc, request):
    """Anything unexpected: JSON for the caller, the details in the log.

    The log names method and path only: never headers (the token).
    """
    if not is_error_retryable(request, exc):   # a conflict is re-run
        log.exception('unexpected error on API %s %s', request.method,
                      request.path)
    return error_response(request, 500, 'server-error', _(
        'An unexpected error occurred; nothing was changed. Please try '
        'again later or tell the platform section.'))
