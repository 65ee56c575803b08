"""Every registered view and API route, walked as every role and anonymous.

The introspector lists every view the application registers; the test
fails when a view is added without an explicit permission (unless it is
in the public allow-list below, which must match exactly), when an
anonymous visitor reaches anything but a public route, and when a signed-in
user gets anything but 403 from a view whose permission the context's ACL
does not grant them (views may refuse more on finer rules of their own).  Substance D's own SDI views
(under ``/manage``, and its static assets) are not ours and are skipped.
"""
import re

import pytest
import webtest
from pyramid.authorization import ACLAuthorizationPolicy
from pyramid.interfaces import IExceptionResponse
from pyramid.security import (
    NO_PERMISSION_REQUIRED, Authenticated, Everyone)
from substanced.util import get_oid

from casefile.security.roles import principals_for_groups
from casehelpers import PHARMACY, create_case, csrf_from, upload_required
from conftest import sign_in

#: routes anybody may use, signed in or not
PUBLIC = {
    'login', 'logout',                         # signing in and out
    'guides', 'guide', 'guide_notice',         # 办事指南 for applicants
    'verify', 'verify_token',                  # checking a document's seal
    'api_tokens', 'api_token_current',         # API sign-in and sign-out
}

#: the applicant portal: applicants are not staff principals, so these
#: views check the portal session's account themselves (a case, file or
#: draft of another account is "not found"); tests/test_portal.py walks
#: them as anonymous visitors and as a second applicant
PORTAL = {
    'portal', 'portal_register', 'portal_login', 'portal_logout',
    'portal_query', 'portal_apply', 'portal_apply_one', 'portal_draft',
    'portal_draft_upload', 'portal_draft_remove', 'portal_draft_reuse',
    'portal_draft_delete', 'portal_cases', 'portal_case',
    'portal_case_document', 'portal_case_material',
    'portal_correction_upload', 'portal_resubmit', 'portal_rate',
    'portal_claim',
}
PUBLIC |= PORTAL

#: one demo user per role, and per section for the section roles
USERS = ['clerk', 'reviewer.market', 'head.market', 'reviewer.food',
         'head.food', 'reviewer.social', 'head.social', 'reviewer.urban',
         'reviewer.build', 'reviewer.invest', 'inspector', 'expert',
         'issuer', 'archivist', 'supervisor', 'manager',
         # other organisations (casefile.organisation): a district, a city
         # department
         'reviewer.tiedong', 'head.fire']

#: sections not concerned by a pharmacy case: never see it
OUTSIDERS = ['reviewer.social', 'head.social', 'reviewer.urban',
             'reviewer.build', 'reviewer.invest', 'reviewer.tiedong',
             'head.fire']


def is_exception_view(intr):
    context = intr['context']
    if context is None:
        return False
    if isinstance(context, type):
        return issubclass(context, BaseException)
    return context is IExceptionResponse or (
        hasattr(context, 'isOrExtends')
        and context.isOrExtends(IExceptionResponse))


def our_views(app):
    """(route name, pattern, method, permission, module) of our views."""
    introspector = app.registry.introspector
    found = []
    for view in introspector.get_category('views'):
        intr = view['introspectable']
        module = getattr(intr['callable'], '__module__', '') or ''
        routes = [r for r in view['related'] if r.category_name == 'routes']
        pattern = routes[0]['pattern'] if routes else None
        if module.startswith('substanced') or (
                pattern and pattern.lstrip('/').startswith('manage')):
            continue
        if is_exception_view(intr):
            continue
        perms = [p['value'] for p in view['related']
                 if p.category_name == 'permissions']
        methods = intr['request_methods']
        if isinstance(methods, str):
            methods = (methods,)
        found.append({
            'route': intr['route_name'], 'pattern': pattern,
            'method': 'GET' if not methods or 'GET' in methods
            else methods[0],
            'permission': perms[0] if perms else None, 'module': module,
            'context': intr['context']})
    return found


def is_static(view):
    return view['module'] == 'pyramid.static'


@pytest.fixture
def pharmacy(login, testapp):
    """An accepted pharmacy case: (number, material name)."""
    clerk = login('clerk')
    url = create_case(clerk).location
    upload_required(clerk, url, testapp)
    page = clerk.get(url)
    response = clerk.post(url + '/do/accept',
                          {'csrf_token': csrf_from(page.text)},
                          expect_errors=True)
    assert response.status_int == 302, response.text[:2000]
    number = url.rstrip('/').rsplit('/', 1)[-1]
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        case = conn.root()['app_root']['cases'][number]
        material = next(iter(case['materials'].keys()))
    finally:
        conn.close()
    return number, material


def fill(pattern, number, material):
    values = {'number': number, 'code': PHARMACY, 'item': 'SC-001',
              'transition': 'accept', 'name': 'nothing-here',
              'container': 'documents', 'stop': '1', 'review': 'nothing',
              'token': 'not-a-token', 'subpath': 'x'}
    if '/materials/{name}' in pattern:
        values['name'] = material

    def one(match):  # a parameter added later: a value that finds nothing
        return values.get(match.group(1), 'nothing')
    return re.sub(r'\{\*?(\w+)(?::[^}]*)?\}', one,
                  pattern.replace('*subpath', '{subpath}'))


def request(app, method, url):
    headers = {'Accept': 'text/html'} if not url.startswith('/api/') \
        else {'Accept': 'application/json'}
    return app.request(url, method=method, headers=headers,
                       expect_errors=True)


def test_every_view_has_a_permission_except_the_public_ones(app):
    views = our_views(app)
    assert len(views) > 40
    without = {v['route'] for v in views
               if v['permission'] in (None, NO_PERMISSION_REQUIRED)
               and not is_static(v)}
    assert without == PUBLIC
    for view in views:
        if view['route'] is None:  # a view on the root, not a route
            assert view['permission'] not in (None, NO_PERMISSION_REQUIRED), \
                view


def test_anonymous_reaches_only_public_routes(testapp, pharmacy):
    number, material = pharmacy
    testapp.reset()
    checked = 0
    for view in our_views(testapp.app):
        if view['route'] in PUBLIC or is_static(view) or not view['pattern']:
            continue
        url = fill(view['pattern'], number, material)
        response = request(testapp, view['method'], url)
        where = '%s %s (%s)' % (view['method'], url, view['route'])
        if url.startswith('/api/'):
            assert response.status_int == 401, where
        elif view['method'] == 'GET':
            assert response.status_int == 302, where
            assert '/login?came_from=' in response.location, where
        else:  # an unsafe request cannot be redirected: refused outright
            assert response.status_int == 403, where
        checked += 1
    assert checked > 40


def principals_of(root, login):
    user = root['principals']['users'][login]
    return ([Everyone, Authenticated, get_oid(user)] + list(user.groupids)
            + principals_for_groups([g.__name__ for g in user.groups]))


def test_every_role_gets_exactly_what_the_acls_grant(testapp, pharmacy):
    number, material = pharmacy
    policy = ACLAuthorizationPolicy()
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    root = conn.root()['app_root']
    case = root['cases'][number]
    views = [v for v in our_views(testapp.app)
             if v['route'] not in PUBLIC and not is_static(v)
             and v['pattern']]
    case_page_viewers = set()
    try:
        for login in USERS:
            browser = webtest.TestApp(
                testapp.app, extra_environ={'REMOTE_ADDR': '127.0.0.1'})
            sign_in(browser, login)
            principals = principals_of(root, login)
            for view in views:
                context = case if '{number}' in view['pattern'] else root
                allowed = bool(policy.permits(context, principals,
                                              view['permission']))
                url = fill(view['pattern'], number, material)
                response = request(browser, view['method'], url)
                where = '%s: %s %s (%s, %s)' % (
                    login, view['method'], url, view['route'],
                    view['permission'])
                if allowed:
                    # the view may still refuse (403) on a finer rule of
                    # its own (an inspection only for its section...)
                    assert response.status_int != 401, where
                    assert '/login' not in (response.location or ''), where
                    assert response.status_int < 500, where
                else:
                    assert response.status_int == 403, where
                if view['route'] == 'case' and response.status_int == 200:
                    case_page_viewers.add(login)
    finally:
        conn.close()
    # the case page: the sections not concerned never see the case
    assert not case_page_viewers & set(OUTSIDERS)
    assert {'clerk', 'reviewer.market', 'reviewer.food'} <= case_page_viewers
