"""Security headers on every response; HttpOnly, SameSite cookies."""
import re

import pytest

from casehelpers import PHARMACY
from conftest import make_settings

EXPECTED = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
}


def assert_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response)
    csp = response.headers['Content-Security-Policy']
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and 'unsafe-inline' not in \
        csp.split('script-src')[1].split(';')[0]


@pytest.mark.parametrize('url,status', [
    ('/login', 200), ('/guides', 200), ('/', 302), ('/cases', 302),
    ('/no-such-page', 404), ('/api/cases', 401), ('/api/nothing', 401), ('/api/tokens', 405),
    ('/static/casefile.css', 200),
])
def test_every_kind_of_response_carries_the_headers(testapp, url, status):
    response = testapp.get(url, expect_errors=True)
    assert response.status_int == status
    assert_headers(response)


def test_signed_in_pages_and_forms_carry_them(login):
    clerk = login('clerk')
    for url in ('/', '/cases', '/cases/new?application=%s' % PHARMACY):
        page = clerk.get(url)
        assert_headers(page)
        # the CSP forbids inline scripts: the pages must not need them
        assert not re.search(r'<script(?![^>]*\bsrc=)[^>]*>', page.text)
        assert not re.search(r'\son[a-z]+=', page.text)


def test_csp_allows_the_inline_styles_pages_use(testapp):
    page = testapp.get('/guides')
    assert '<style>' in page.text
    assert "style-src 'self' 'unsafe-inline'" in \
        page.headers['Content-Security-Policy']


def test_the_sdi_keeps_working_with_a_relaxed_csp(testapp):
    page = testapp.get('/manage/@@login')
    assert page.headers['X-Content-Type-Options'] == 'nosniff'
    assert page.headers['X-Frame-Options'] == 'SAMEORIGIN'
    csp = page.headers['Content-Security-Policy']
    assert "'unsafe-inline'" in csp.split('script-src')[1].split(';')[0]
    form = page.forms['formlogin'] if 'formlogin' in page.forms else \
        page.forms[0]
    form['login'] = 'admin'
    form['password'] = 'admin-test-password'
    assert form.submit('form.submitted').status_int == 302
    assert testapp.get('/manage/@@contents').status_int == 200


def cookie_headers(response):
    return [v for k, v in response.headerlist if k.lower() == 'set-cookie']


def test_session_and_auth_cookies_are_httponly_and_samesite(testapp):
    page = testapp.get('/login')
    cookies = cookie_headers(page)
    assert cookies, 'the login page starts a session'
    form = page.forms[0]
    form['login'] = 'clerk'
    form['password'] = 'demo-2026'
    response = form.submit()
    assert response.status_int == 302
    cookies += cookie_headers(response)
    names = {c.split('=', 1)[0] for c in cookies}
    assert 'session' in names and 'casefile_auth' in names
    for cookie in cookies:
        flags = cookie.lower()
        assert 'httponly' in flags, cookie
        assert 'samesite=lax' in flags, cookie
        assert 'secure' not in flags.replace('not-for-production', ''), \
            cookie


@pytest.fixture
def secure_testapp(var_dir):
    import webtest

    from casefile import main
    from conftest import REPO
    application = main({'here': REPO}, **make_settings(
        var_dir, **{'casefile.secure_cookies': 'true'}))
    yield webtest.TestApp(application, extra_environ={
        'REMOTE_ADDR': '127.0.0.1', 'wsgi.url_scheme': 'https',
        'HTTP_HOST': 'localhost:443'})
    for db in application.registry._zodb_databases.values():
        db.close()


def test_cookies_are_secure_when_configured(secure_testapp):
    page = secure_testapp.get('/login')
    form = page.forms[0]
    form['login'] = 'clerk'
    form['password'] = 'demo-2026'
    response = form.submit()
    cookies = cookie_headers(page) + cookie_headers(response)
    assert cookies
    for cookie in cookies:
        assert '; secure' in cookie.lower(), cookie
