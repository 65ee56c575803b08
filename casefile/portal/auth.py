"""Applicants sign in to the portal, apart from staff.

The signed-in applicant is kept in the (signed, HttpOnly) session under
``portal.account``, never in the staff authentication cookie: the staff
policy, its group finder and every case ACL stay exactly as they were, so
an applicant session opens no staff page.  Portal pages ask
:func:`require_account` instead; an anonymous GET is sent to the portal's
sign-in page, anything else is refused.

Registration checks the credit code or ID number with its check
character (``casefile.identifiers``), the mobile number, and the bureau's
password policy; sign-in shares the staff login's throttle rules (five
failures in 15 minutes lock the login and the address) in a throttle of
its own, so staff and applicants cannot lock each other out.
"""
import re

from pyramid.httpexceptions import HTTPForbidden, HTTPFound

from .. import identifiers
from ..i18n import _
from ..security.passwords import password_problems
from ..security.throttle import LoginThrottle, client_address
from .model import MAX_PASSWORD, Account, find_portal, new_id

SESSION_KEY = 'portal.account'
MOBILE_RE = re.compile(r'^1[3-9]\d{9}$')


def get_portal_throttle(registry):
    throttle = getattr(registry, 'casefile_portal_throttle', None)
    if throttle is None:
        throttle = registry.casefile_portal_throttle = LoginThrottle()
    return throttle


def current_account(request):
    """The signed-in applicant's account, or None (``request.applicant``)."""
    account_id = request.session.get(SESSION_KEY)
    if not account_id:
        return None
    return find_portal(request.root).accounts.get(account_id)


def require_account(request):
    """The account, or raise: GETs go to the sign-in page, others 403."""
    account = request.applicant
    if account is not None:
        return account
    if request.method in ('GET', 'HEAD'):
        raise HTTPFound(request.route_url(
            'portal_login', _query={'came_from': request.path_qs}))
    raise HTTPForbidden()


def sign_in(request, account):
    """A fresh session for the account (no fixation of an older one)."""
    request.session.invalidate()
    request.session[SESSION_KEY] = account.id
    request.session.new_csrf_token()


def sign_out(request):
    request.session.invalidate()


class RegistrationError(ValueError):
    def __init__(self, errors):
        super().__init__('registration')
        self.errors = errors      # field -> translatable message


def register(portal, kind, identifier, name, mobile, password, confirm,
             contact=''):
    """Check everything, then add and return the new account."""
    identifier = (identifier or '').strip().upper()
    mobile = (mobile or '').strip()
    name = (name or '').strip()
    contact = (contact or '').strip()
    errors = {}
    if kind not in ('company', 'person'):
        errors['kind'] = _('Choose whether you register a company or a '
                           'person.')
    elif kind == 'company' and not identifiers.is_valid_credit_code(
            identifier):
        errors['identifier'] = _(
            'This is not a valid unified social credit code (18 characters, '
            'the last one a check character). Please check it against the '
            'business licence.')
    elif kind == 'person' and not identifiers.is_valid_id_number(
            identifier):
        errors['identifier'] = _(
            'This is not a valid resident ID number (18 characters, the last '
            'one a check digit or X). Please check it against the ID card.')
    elif identifier in portal.identifiers:
        errors['identifier'] = _(
            'An account for this credit code or ID number already exists. '
            'Please sign in instead.')
    if not 2 <= len(name) <= 100:
        errors['name'] = _('Please give the full name (2 to 100 '
                           'characters).')
    if not MOBILE_RE.match(mobile):
        errors['mobile'] = _('Please give an 11-digit mobile number '
                             'starting with 1.')
    elif mobile in portal.mobiles:
        errors['mobile'] = _('This mobile number already belongs to an '
                             'account.')
    problems = password_problems(mobile, password)
    if problems:
        errors['password'] = problems[0]
    elif password != confirm:
        errors['confirm'] = _('The two passwords differ.')
    if errors:
        raise RegistrationError(errors)
    account = Account(new_id('ap-', portal.accounts), kind, identifier, name,
                      mobile, password, contact=contact)
    portal.add_account(account)
    return account


def authenticate(request, login, password):
    """``(account, error)``: the account on success, else a message."""
    throttle = get_portal_throttle(request.registry)
    address = client_address(request)
    if throttle.is_locked(login, address):
        from ..security.throttle import LOCKED_MESSAGE
        return None, LOCKED_MESSAGE
    portal = find_portal(request.root)
    account = portal.account_for_login(login) if login else None
    if (account is not None and password and len(password) <= MAX_PASSWORD
            and account.check_password(password)):
        throttle.succeeded(login, address)
        return account, None
    throttle.failed(login, address)
    return None, _('Wrong account or password. Please check and try again.')
