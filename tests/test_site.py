"""The site: first start, sign in, worklists, forbidden pages."""
from casefile.site.demo import DEMO_USERS


def test_first_start_creates_containers_catalogue_and_demo_users(root):
    assert 'cases' in root and 'catalogue' in root
    assert root['catalogue'].current_number == 1
    users = root['principals']['users']
    for login, *_rest in DEMO_USERS:
        assert login in users


def test_login_page_is_chinese_and_declares_utf8(testapp):
    page = testapp.get('/login')
    assert page.content_type == 'text/html'
    assert page.charset.lower() == 'utf-8'
    assert '员工登录' in page.text or '登录' in page.text


def test_wrong_password_is_refused_with_a_clear_message(testapp):
    page = testapp.get('/login')
    form = page.forms[0]
    form['login'] = 'clerk'
    form['password'] = 'wrong'
    response = form.submit(status=400)
    assert '用户名或密码' in response.text
    assert 'casefile_auth' not in testapp.cookies


def test_anonymous_home_redirects_to_login(testapp):
    response = testapp.get('/', status=302)
    assert '/login?came_from=' in response.location


def test_clerk_sees_worklist_with_counts(login):
    clerk = login('clerk')
    page = clerk.get('/')
    assert '王芳' in page.text
    assert '受理中的办件' in page.text


def test_logout_requires_post_with_csrf(login, testapp):
    clerk = login('clerk')
    clerk.post('/logout', {'csrf_token': 'forged'}, status=400)
    token = clerk.csrf()
    response = clerk.post('/logout', {'csrf_token': token}, status=302)
    assert response.location.endswith('/login')
    testapp.get('/', status=302)


def test_login_does_not_redirect_off_site(testapp):
    page = testapp.get('/login?came_from=//evil.example/x')
    form = page.forms[0]
    form['login'] = 'clerk'
    form['password'] = 'demo-2026'
    response = form.submit(status=302)
    assert 'evil.example' not in response.location


def test_static_assets_are_served_locally(testapp):
    testapp.get('/static/casefile.css', status=200)
    testapp.get('/deform_static/css/form.css', status=200)


def test_recent_list_shows_the_last_month_only(login, testapp):
    """The "recently changed" worklist is bounded in time: without the
    bound its permission check would visit every case the city ever had."""
    import datetime
    import transaction
    from substanced.util import find_catalog
    from casehelpers import create_case, open_db_case
    clerk = login('clerk')
    number = create_case(clerk).location.rstrip('/').rsplit('/', 1)[-1]
    supervisor = login('supervisor')
    assert number in supervisor.get('/').text
    from pyramid.threadlocal import manager
    manager.push({'registry': testapp.app.registry, 'request': None})
    conn, case = open_db_case(testapp, number)
    try:
        case.modified -= datetime.timedelta(days=40)
        find_catalog(case, 'casefile').reindex_resource(case)
        transaction.commit()
    finally:
        transaction.abort()
        conn.close()
        manager.pop()
    assert number not in supervisor.get('/').text
