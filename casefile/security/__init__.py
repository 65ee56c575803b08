"""Authentication, roles, and the translation of permission tables to ACLs.

Substance D keeps users and groups (``principals`` service) and hashes
passwords with bcrypt; this package adds the bureau's roles and sections
on top of its groups and a group finder that names them readably.
"""
from pyramid.authentication import AuthTktAuthenticationPolicy
from pyramid.authorization import ACLAuthorizationPolicy
from pyramid.session import SignedCookieSessionFactory
from pyramid_zodbconn import get_connection
from substanced.interfaces import IUser
from substanced.objectmap import find_objectmap

from .roles import principals_for_groups


def find_user(request, userid):
    """The Substance D user for an authenticated userid (its oid), or None.

    Works before traversal (pyramid_tm asks for the user first, STACK.md
    trap 5): the root comes from the ZODB connection, not the context.
    """
    root = getattr(request, 'root', None)
    if root is None:
        zodb_root = get_connection(request).root()
        root = zodb_root.get('app_root')
    objectmap = find_objectmap(root) if root is not None else None
    if objectmap is None or not isinstance(userid, int):
        return None
    user = objectmap.object_for(userid)
    if not IUser.providedBy(user):
        return None
    return user


def groupfinder(userid, request):
    """Principals for a logged-in user; ``None`` means "not a user".

    pyramid_tm reads ``authenticated_userid`` before traversal has set
    ``request.context`` (STACK.md trap 5); we only need the root, which
    ``request.root`` gives us at any time.  Substance D's own group oids are
    kept so that its SDI's ACLs (granted to the ``admins`` group oid) work.
    """
    user = find_user(request, userid)
    if user is None:
        return None
    groups = list(user.groups)
    return (list(user.groupids)
            + principals_for_groups([g.__name__ for g in groups]))


def set_policies(config):
    """Install our policies over Substance D's.

    Substance D's SDI include sets its own; Pyramid lets the application's
    top-level configuration override an include only when called from
    ``main()`` itself, so ``main()`` calls this directly (not as an include).

    Staff pages sign in with the AuthTkt cookie; the API's callers may
    instead send ``Authorization: Bearer <token>`` (``casefile.api.auth``).
    One policy serves both, with the same group finder, so that every ACL
    means the same whichever way a user signed in.
    """
    from ..api.auth import BearerOrCookiePolicy
    settings = config.registry.settings
    secure = settings.get('casefile.secure_cookies', 'false').lower() == 'true'
    cookie = AuthTktAuthenticationPolicy(
        settings['substanced.secret'], callback=groupfinder,
        hashalg='sha512', secure=secure, http_only=True, samesite='Lax',
        cookie_name='casefile_auth', timeout=8 * 3600, reissue_time=600)
    policy = BearerOrCookiePolicy(cookie, callback=groupfinder)
    config.set_authentication_policy(policy)
    config.set_authorization_policy(ACLAuthorizationPolicy())
    # Substance D's SDI include sets an unencrypted session cookie without
    # HttpOnly; ours is signed with the same secret (so the SDI's own
    # sessions keep working), HttpOnly, SameSite=Lax, Secure on request.
    config.set_session_factory(SignedCookieSessionFactory(
        settings['substanced.secret'], httponly=True, samesite='Lax',
        secure=secure, timeout=8 * 3600, reissue_time=600))


def includeme(config):
    config.include('.headers')
    config.include('.views')
