"""Shared fixtures: a real app on a throw-away FileStorage, WebTest, logins.

Fixture graph::

    app_settings ─► app ─► testapp ─► login(user) ─► (page tests)
         │           └───► root_tx (a connection + transaction for direct
         │                          model access in unit-ish tests)
         └─► var_dir (tmp_path)

Every test gets its own ``var_dir``, so tests never share a database; the
demo users are loaded on start, as in ``make serve``.
"""
import os
import re
import shutil

import pytest
import transaction

# Compiled page templates are cached on disk across the many app instances
# of a test run (Chameleon would otherwise compile them again for each).
os.environ.setdefault('CHAMELEON_CACHE', os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    'test-output', 'chameleon-cache'))
os.makedirs(os.environ['CHAMELEON_CACHE'], exist_ok=True)

from casefile import compat  # noqa: E402

compat.install()

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_PASSWORD = 'demo-2026'


def make_settings(var_dir, **overrides):
    settings = {
        'pyramid.default_locale_name': 'zh_CN',
        'pyramid.reload_templates': 'false',
        'retry.attempts': '10',
        'tm.annotate_user': 'false',
        'substanced.initial_login': 'admin',
        'substanced.initial_password': 'admin-test-password',
        'substanced.secret': 'test-secret-not-for-production',
        'substanced.catalogs.autosync': 'true',
        'casefile.var_dir': str(var_dir),
        'casefile.schemas_dir': os.path.join(REPO, 'schemas'),
        'casefile.catalogue_dir': os.path.join(REPO, 'schemas', 'catalogue'),
        'casefile.calendar_file': os.path.join(REPO, 'schemas',
                                               'calendar.yaml'),
        'casefile.workflows_dir': os.path.join(REPO, 'workflows'),
        'casefile.templates_dir': os.path.join(REPO, 'templates'),
        'casefile.demo': 'true',
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope='session')
def template_var_dir(tmp_path_factory):
    """A database prepared once per run (root, catalogue, demo users).

    Hashing sixteen demo passwords with bcrypt and loading the catalogue
    take seconds; each test starts from a copy of this prepared directory
    instead, which is what a restarted server sees too.
    """
    from casefile import main
    path = tmp_path_factory.mktemp('template') / 'var'
    path.mkdir()
    application = main({'here': REPO}, **make_settings(path))
    close_app(application)
    for name in os.listdir(path):
        if name.endswith('.lock') or name.endswith('.tmp'):
            os.remove(os.path.join(path, name))
    return path


def close_app(application):
    """Close an application's databases once its search index is written:
    the directory is copied next, and the indexing thread must not be
    writing into it meanwhile."""
    from casefile.search.queue import Applier
    Applier.wait_idle()
    for db in application.registry._zodb_databases.values():
        db.close()


@pytest.fixture
def var_dir(tmp_path, template_var_dir):
    path = tmp_path / 'var'
    shutil.copytree(template_var_dir, path)
    return path


@pytest.fixture
def empty_var_dir(tmp_path):
    """A var_dir with nothing in it: a first start."""
    path = tmp_path / 'empty-var'
    path.mkdir()
    return path


@pytest.fixture
def app_settings(var_dir):
    return make_settings(var_dir)


@pytest.fixture(params=['true', 'false'],
                ids=['writes-in-turn', 'writes-at-once'])
def both_write_modes(request, var_dir):
    """Settings for concurrency tests, run twice: as one process serves
    (its writing requests take turns: ``casefile.writelock``) and with
    writes at once, as several processes sharing a database run them;
    then ZODB's conflict detection and the retries must keep every
    guarantee.  A module uses it as its ``app_settings``."""
    return make_settings(var_dir, **{
        'casefile.serialize_writes': request.param})


@pytest.fixture
def app(app_settings):
    from casefile import main
    application = main({'here': REPO}, **app_settings)
    yield application
    for db in application.registry._zodb_databases.values():
        db.close()


@pytest.fixture
def testapp(app):
    import webtest
    return webtest.TestApp(app, extra_environ={'REMOTE_ADDR': '127.0.0.1'})


@pytest.fixture
def root(app):
    """The app root on a connection of its own; commit with transaction."""
    from pyramid.threadlocal import manager
    db = app.registry._zodb_databases['']
    conn = db.open()
    manager.push({'registry': app.registry, 'request': None})
    try:
        yield conn.root()['app_root']
    finally:
        transaction.abort()
        manager.pop()
        conn.close()


from casehelpers import csrf_from  # noqa: E402,F401  (shared with tests)


class Browser:
    """A WebTest session signed in as one user."""

    def __init__(self, testapp, login):
        self.app = testapp
        self.login_name = login

    def get(self, url, **kw):
        return self.app.get(url, **kw)

    def post(self, url, params=None, **kw):
        return self.app.post(url, params, **kw)

    def csrf(self):
        return csrf_from(self.app.get('/').text)


def sign_in(testapp, login, password=DEMO_PASSWORD):
    testapp.reset()
    page = testapp.get('/login')
    form = page.forms[0]
    form['login'] = login
    form['password'] = password
    response = form.submit()
    assert response.status_int == 302, response.text[:2000]
    return Browser(testapp, login)


@pytest.fixture
def login(testapp):
    def _login(name, password=DEMO_PASSWORD):
        return sign_in(testapp, name, password)
    return _login


def pytest_runtest_teardown(item):
    """Doctests leave ``builtins._`` set to their last value; Chameleon would
    then compile that into cached templates as the translation function."""
    import builtins
    builtins.__dict__.pop('_', None)
