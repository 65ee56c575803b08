"""The permission tables, checked against the live app: for every state,
role and permission, the app allows exactly what the table says.

One 开办药店 (M-01) case is made through the web UI (all required materials,
accepted by the window, so that it has item tasks and an acceptance
notice).  Then, for each state of a workflow, the case (or its task SY-001)
is put straight into that state and, for one demo user per role:

- the real authorization policy with the user's real principals (the
  group finder) must grant exactly the permissions the table grants, on
  the case and on everything that follows its state (materials, documents)
  or on the task, for every permission a table can name;
- over HTTP, as that user: the case page is 200 or 403, a material and a
  document open or answer 403, an upload is accepted (400: no file) or
  403, the page offers exactly the steps the table allows and every other
  step of the state answers 403.

What the table grants is worked out here from the YAML and the demo users'
roles and sections, independently of the engine: a global role is held by
its holders; ``section_reviewer``/``section_head`` by holders of that role
in a section owning an item of the object (for a material or document: the
items it serves, or all the case's items if it serves none); ``lead_section``
by reviewers and heads of the case's lead section; ``system`` by nobody.
"""
import contextlib
import re
import shutil
import types

import pytest
import transaction
import webtest
from pyramid.interfaces import IAuthorizationPolicy
from pyramid.security import Authenticated, Everyone
from pyramid.threadlocal import manager
from substanced.util import find_service, get_oid

from substanced.util import get_content_type

from casefile.catalogue.store import catalogue_for
from casefile.security import groupfinder
from casefile.security.permissions import PERMISSIONS
from casefile.site.demo import DEMO_USERS
from casefile.workflow.engine import LOCAL_ROLES, get_engine

from casehelpers import (
    PDF_BYTES, create_case, csrf_from, upload, upload_required)
from conftest import REPO, make_settings, sign_in
from test_workflow_definition import shipped_definitions

DEFINITIONS = shipped_definitions()
CASE_WF = DEFINITIONS['case']
TASK_WF = DEFINITIONS['task']
TASK = 'SY-001'           # 食品药品科's item, waiting for SC-001

SECTION_ROLES = ('section_reviewer', 'section_head')
ADMIN = ('admin', 'admin-test-password')   # the SDI administrator

#: one demo user per role (and per kind of section membership)
USERS = (
    'clerk',            # window_clerk
    'reviewer.food',    # section_reviewer of a section of the case
    'head.food',        # section_head of a section of the case
    'reviewer.market',  # section_reviewer of the lead section
    'head.market',      # section_head of the lead section
    'reviewer.build',   # section_reviewer of a section NOT in the case
    'inspector',
    'expert',
    'issuer',           # issuance_clerk
    'archivist',
    'supervisor',
    'manager',          # administrator (the bureau's role)
    'admin',            # Substance D's admin: ALL_PERMISSIONS at the root
)
DEMO = {login: (frozenset(roles), frozenset(sections))
        for login, _title, roles, sections in DEMO_USERS}
DEMO['admin'] = (frozenset(), frozenset())


def every_permission(definition):
    return sorted(set(PERMISSIONS) | {
        definition.transition_permission(t) for t in definition.transitions})


def other_local_roles(obj):
    """Local roles of ``obj`` besides the sections' and the lead section's
    (e.g. inspectors only on cases with a site inspection): who plays them
    is the app's business; {role: principals}."""
    roles_of = LOCAL_ROLES.get(get_content_type(obj))
    found = roles_of(obj) if roles_of else {}
    return {role: set(principals) for role, principals in found.items()
            if role not in SECTION_ROLES + ('lead_section',)}


def table_grants(definition, state, permission, login, sections, lead,
                 others=None, principals=()):
    """Does the table of ``state`` give ``permission`` to ``login`` on an
    object owned by ``sections`` in a case led by ``lead``?  ``others``:
    the object's other local roles, matched against ``principals``."""
    roles, own = DEMO[login]
    others = others or {}
    for role in definition.permission_map(state).get(permission, ()):
        if role in SECTION_ROLES:
            if role in roles and own & set(sections):
                return True
        elif role == 'lead_section':
            if roles & set(SECTION_ROLES) and lead in own:
                return True
        elif role in others:
            if others[role] & set(principals):
                return True
        elif role != 'system' and role in roles:
            return True
    return False


class Site:
    """One app for the module, the case, and a signed-in browser per user."""

    def __init__(self, app):
        self.app = app
        self.db = app.registry._zodb_databases['']
        self.policy = app.registry.queryUtility(IAuthorizationPolicy)
        self.browsers = {}
        self.csrf = {}

    def browser(self, login):
        if login not in self.browsers:
            testapp = webtest.TestApp(
                self.app, extra_environ={'REMOTE_ADDR': '127.0.0.1'})
            browser = sign_in(testapp, *(ADMIN if login == 'admin' else
                                         (login,)))
            self.browsers[login] = browser
            self.csrf[login] = browser.csrf()
        return self.browsers[login]

    @contextlib.contextmanager
    def root(self):
        tm = transaction.TransactionManager()
        conn = self.db.open(transaction_manager=tm)
        manager.push({'registry': self.app.registry, 'request': None})
        try:
            tm.begin()
            yield conn.root()['app_root'], tm
        finally:
            tm.abort()
            manager.pop()
            conn.close()

    def principals(self, root, login):
        """What Pyramid's authentication policy would say for ``login``."""
        user = find_service(root, 'principals')['users'][login]
        oid = get_oid(user)
        found = groupfinder(oid, types.SimpleNamespace(root=root))
        assert found is not None, login
        return [Everyone, Authenticated, oid] + found


@pytest.fixture(scope='module')
def site(tmp_path_factory, template_var_dir):
    from casefile import main
    var = tmp_path_factory.mktemp('workflow-permissions') / 'var'
    shutil.copytree(template_var_dir, var)
    app = main({'here': REPO}, **make_settings(var))
    site = Site(app)
    clerk = site.browser('clerk')
    url = create_case(clerk).location
    upload_required(clerk, url, clerk.app)
    response = clerk.post(url + '/do/accept',
                          {'csrf_token': csrf_from(clerk.get(url).text)})
    assert response.status_int == 302, response.text[:2000]
    site.url = url
    site.number = url.rsplit('/', 1)[-1]
    with site.root() as (root, tm):
        case = root['cases'][site.number]
        catalogue = catalogue_for(case)
        site.case_sections = set(case.sections)
        site.lead = case.lead_section
        assert site.case_sections == {'market_entry', 'food_drug'}
        assert site.lead == 'market_entry'
        assert case.state == 'in_review' and TASK in case['tasks']
        site.task_section = catalogue.items[TASK].section

        def owners(obj):
            items = [i for i in getattr(obj, 'items', ()) or ()
                     if i in case.item_codes]
            return ({catalogue.items[i].section for i in items}
                    or set(case.sections))
        site.followers = {
            (container, name): owners(obj)
            for container in ('materials', 'documents', 'decisions',
                              'certificates')
            for name, obj in case[container].items()}
        site.principals_of = {login: site.principals(root, login)
                              for login in USERS}
    assert any(c == 'documents' for c, _n in site.followers)
    yield site
    for db in app.registry._zodb_databases.values():
        db.close()


def put_in_state(site, workflow, state, task=None):
    """Put the case (or its task ``task``) into ``state``, as the engine's
    state callback would; the case itself in ``in_review`` for a task."""
    engine = get_engine(site.app.registry)
    with site.root() as (root, tm):
        case = root['cases'][site.number]
        if task is None:
            engine.workflows['case']._set_state(case, state, None)
            engine.apply_acl(case, site.app.registry)
        else:
            if case.state != 'in_review':
                engine.workflows['case']._set_state(case, 'in_review', None)
                engine.apply_acl(case, site.app.registry)
            obj = case['tasks'][task]
            engine.workflows['task']._set_state(obj, state, None)
            engine.apply_acl(obj, site.app.registry)
        tm.commit()


def state_now(site, task=None):
    with site.root() as (root, tm):
        case = root['cases'][site.number]
        return case['tasks'][task].state if task else case.state


def step_names(html, pattern):
    return set(re.findall(pattern, html))


def materials_to_open(site):
    """A material only 市场准入科 (the lead section) needs and one only
    食品药品科 needs: each reviewer opens one of its own and one not."""
    materials = sorted((n, s) for (c, n), s in site.followers.items()
                       if c == 'materials')
    return [next((n, s) for n, s in materials if s == {section})
            for section in ('market_entry', 'food_drug')]


# -- the case workflow --------------------------------------------------------

@pytest.mark.parametrize('state', list(CASE_WF.states))
def test_case_permissions_follow_the_table(site, state):
    put_in_state(site, 'case', state)
    wrong = []
    permissions = every_permission(CASE_WF)

    sections_of = dict(site.followers, case=site.case_sections)
    others_of = {}

    def expect(login, permission, key='case'):
        return table_grants(CASE_WF, state, permission, login,
                            sections_of[key], site.lead, others_of[key],
                            site.principals_of[login])

    # (a) the authorization policy, with each user's real principals
    with site.root() as (root, tm):
        case = root['cases'][site.number]
        assert case.state == state
        objects = {key: case[key[0]][key[1]] for key in site.followers}
        objects['case'] = case
        for key, obj in objects.items():
            others_of[key] = other_local_roles(obj)
        for login in USERS + ('anonymous',):
            principals = ([Everyone] if login == 'anonymous'
                          else site.principals_of[login])
            for key, obj in objects.items():
                for permission in permissions:
                    allowed = bool(site.policy.permits(obj, principals,
                                                       permission))
                    wanted = (login != 'anonymous' and
                              expect(login, permission, key))
                    if allowed != wanted:
                        wrong.append('%s on %s: %s is %s, the table says %s'
                                     % (login, '/'.join(key) if key !=
                                        'case' else key, permission,
                                        allowed, wanted))

    # (b) the same over HTTP
    case_url = '/cases/%s' % site.number
    document = sorted(n for c, n in site.followers if c == 'documents')[0]
    steps_pattern = r'action="[^"]*/cases/%s/do/([\w-]+)"' % site.number
    for login in USERS:
        browser = site.browser(login)
        csrf = site.csrf[login]
        view = expect(login, 'case.view')
        page = browser.get(case_url, expect_errors=True)
        if page.status_int != (200 if view else 403):
            wrong.append('%s: GET case page is %s, case.view is %s'
                         % (login, page.status_int, view))
        shown = (step_names(page.text, steps_pattern)
                 if page.status_int == 200 else set())
        allowed_steps = {t.name for t in CASE_WF.transitions_from(state)
                         if expect(login, CASE_WF.transition_permission(
                             t.name))}
        if shown != allowed_steps:
            wrong.append('%s: the page offers steps %s, the table allows %s'
                         % (login, sorted(shown), sorted(allowed_steps)))

        for material, _sections in materials_to_open(site):
            download = (expect(login, 'case.download') and expect(
                login, 'case.download', ('materials', material)))
            got = browser.get('%s/materials/%s' % (case_url, material),
                              expect_errors=True).status_int
            if got != (200 if download else 403):
                wrong.append('%s: GET material %s is %s, case.download is '
                             '%s' % (login, material, got, download))

        read = view and expect(login, 'case.download',
                               ('documents', document))
        got = browser.get('%s/documents/documents/%s' % (case_url, document),
                          expect_errors=True).status_int
        if got != (200 if read else 403):
            wrong.append('%s: GET document %s is %s, case.download is %s'
                         % (login, document, got, read))

        add = expect(login, 'case.add-material')
        got = browser.post(case_url + '/upload', {
            'csrf_token': csrf, 'material_code': 'commitment_letter'},
            expect_errors=True).status_int
        # allowed: refused for want of a file (400), nothing stored
        if got != (400 if add else 403):
            wrong.append('%s: POST upload is %s, case.add-material is %s'
                         % (login, got, add))

        for t in CASE_WF.transitions_from(state):
            if t.name in allowed_steps:
                continue
            got = browser.post('%s/do/%s' % (case_url, t.name),
                               {'csrf_token': csrf},
                               expect_errors=True).status_int
            if got != 403:
                wrong.append('%s: POST step %s is %s, not 403'
                             % (login, t.name, got))

    anonymous = webtest.TestApp(site.app,
                                extra_environ={'REMOTE_ADDR': '127.0.0.1'})
    for path in ('', '/materials/%s' % materials_to_open(site)[0][0]):
        response = anonymous.get(case_url + path, expect_errors=True)
        if response.status_int != 302 or '/login' not in response.location:
            wrong.append('anonymous: GET case%s is %s, not a redirect to '
                         'the login page' % (path, response.status_int))

    assert state_now(site) == state, 'a refused request changed the state'
    assert not wrong, 'state %s:\n' % state + '\n'.join(wrong)


ADDING_STATES = [s for s in CASE_WF.states if 'window_clerk' in
                 CASE_WF.permission_map(s).get('case.add-material', ())]


@pytest.mark.parametrize('state', ADDING_STATES)
def test_a_material_added_in_a_state_gets_that_states_table(site, state):
    """Uploaded now, not when the state was entered: the new material must
    be covered by the table all the same (only 食品药品科 needs it)."""
    put_in_state(site, 'case', state)
    clerk = site.browser('clerk')
    case_url = '/cases/%s' % site.number
    response = upload(clerk, case_url, 'map.pdf', PDF_BYTES, 'location_map')
    assert response.status_int == 302, response.text[:2000]
    wrong = []
    with site.root() as (root, tm):
        case = root['cases'][site.number]
        [material] = [m for name, m in case['materials'].items()
                      if m.material_code == 'location_map'
                      and ('materials', name) not in site.followers]
        site.followers[('materials', material.__name__)] = {'food_drug'}
        for login in USERS:
            for permission in every_permission(CASE_WF):
                allowed = bool(site.policy.permits(
                    material, site.principals_of[login], permission))
                wanted = table_grants(CASE_WF, state, permission, login,
                                      {'food_drug'}, site.lead,
                                      other_local_roles(material),
                                      site.principals_of[login])
                if allowed != wanted:
                    wrong.append('%s: %s is %s, the table says %s'
                                 % (login, permission, allowed, wanted))
    assert not wrong, 'state %s:\n' % state + '\n'.join(wrong)


# -- the task workflow --------------------------------------------------------

@pytest.mark.parametrize('state', list(TASK_WF.states))
def test_task_permissions_follow_the_table(site, state):
    put_in_state(site, 'task', state, task=TASK)
    wrong = []
    permissions = every_permission(TASK_WF)
    task_sections = {site.task_section}
    others = {}

    def expect(login, permission):
        return table_grants(TASK_WF, state, permission, login,
                            task_sections, site.lead, others,
                            site.principals_of[login])

    with site.root() as (root, tm):
        task = root['cases'][site.number]['tasks'][TASK]
        assert task.state == state
        others.update(other_local_roles(task))
        for login in USERS + ('anonymous',):
            principals = ([Everyone] if login == 'anonymous'
                          else site.principals_of[login])
            for permission in permissions:
                allowed = bool(site.policy.permits(task, principals,
                                                   permission))
                wanted = login != 'anonymous' and expect(login, permission)
                if allowed != wanted:
                    wrong.append('%s on task %s: %s is %s, the table says %s'
                                 % (login, TASK, permission, allowed, wanted))

    case_url = '/cases/%s' % site.number
    steps_pattern = (r'action="[^"]*/cases/%s/tasks/%s/do/([\w-]+)"'
                     % (site.number, TASK))
    for login in USERS:
        browser = site.browser(login)
        page = browser.get(case_url, expect_errors=True)
        if page.status_int != 200:
            continue          # the case table decides, tested above
        visible = 'id="task-%s"' % TASK in page.text
        if visible != expect(login, 'task.view'):
            wrong.append('%s: task %s shown is %s, task.view is %s'
                         % (login, TASK, visible, expect(login,
                                                         'task.view')))
        shown = step_names(page.text, steps_pattern)
        allowed_steps = {t.name for t in TASK_WF.transitions_from(state)
                         if expect(login, TASK_WF.transition_permission(
                             t.name))}
        if shown != allowed_steps:
            wrong.append('%s: the page offers task steps %s, the table '
                         'allows %s' % (login, sorted(shown),
                                        sorted(allowed_steps)))
        for t in TASK_WF.transitions_from(state):
            if t.name in allowed_steps:
                continue
            got = browser.post('%s/tasks/%s/do/%s' % (case_url, TASK,
                                                      t.name),
                               {'csrf_token': site.csrf[login]},
                               expect_errors=True).status_int
            if got != 403:
                wrong.append('%s: POST task step %s is %s, not 403'
                             % (login, t.name, got))

    assert state_now(site, TASK) == state, 'a refused request changed it'
    assert not wrong, 'task state %s:\n' % state + '\n'.join(wrong)


def test_every_role_of_the_tables_is_played_by_a_tested_user():
    """The users above cover every role any table names."""
    named = {role for d in (CASE_WF, TASK_WF) for s in d.states
             for roles in d.permission_map(s).values() for role in roles}
    played = {r for login in USERS for r in DEMO[login][0]}
    assert named - {'lead_section'} <= played
    assert any(DEMO[login][1] & {'market_entry'} for login in USERS)


# -- across the two tables ---------------------------------------------------

def test_a_withdrawn_case_leaves_no_open_task_in_any_worklist(
        login, testapp):
    clerk = login('clerk')
    url = create_case(clerk).location
    upload_required(clerk, url, testapp)
    for step, inputs in (('accept', {}),
                         ('withdraw', {'reasons': '申请人撤回'})):
        response = clerk.post('%s/do/%s' % (url, step), dict(
            inputs, csrf_token=csrf_from(clerk.get(url).text)))
        assert response.status_int == 302, response.text[:2000]
    reviewer = login('reviewer.market')
    reviewer.get(url, status=403)      # the case table: withdrawn
    home = reviewer.get('/')
    number = url.rsplit('/', 1)[-1]
    # nothing on the home page points at a case the user may not open
    assert number not in home.text
