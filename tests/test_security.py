"""Roles, principals, permission tables turned into ACLs, the SDI."""
from pyramid.security import DENY_ALL, Allow

from casefile.security.acl import build_acl
from casefile.security.roles import principals_for_groups


def test_group_names_become_readable_principals():
    principals = principals_for_groups(
        ['role.section_reviewer', 'section.food_drug', 'admins'])
    assert principals == ['role:section_reviewer', 'section:food_drug',
                          'section:food_drug:section_reviewer']


def test_global_roles_and_local_roles_become_aces_ending_in_deny_all():
    acl = build_acl(
        {'case.view': ['window_clerk', 'section_reviewer'],
         'case.edit': ['window_clerk']},
        {'section_reviewer': ['section:food_drug:section_reviewer']})
    assert acl == [
        (Allow, 'role:window_clerk', 'case.edit'),
        (Allow, 'role:window_clerk', 'case.view'),
        (Allow, 'section:food_drug:section_reviewer', 'case.view'),
        DENY_ALL]


def test_a_local_role_without_principals_grants_nothing():
    acl = build_acl({'case.view': ['lead_section']}, {'lead_section': []})
    assert acl == [DENY_ALL]


def test_administrator_reaches_the_sdi(testapp):
    page = testapp.get('/manage/@@login')
    form = page.forms['formlogin'] if 'formlogin' in page.forms else \
        page.forms[0]
    form['login'] = 'admin'
    form['password'] = 'admin-test-password'
    response = form.submit('form.submitted')
    assert response.status_int == 302
    contents = testapp.get('/manage/@@contents')
    assert contents.status_int == 200
    assert 'cases' in contents.text and 'catalogue' in contents.text


def test_a_clerk_cannot_reach_the_sdi(login):
    """The SDI answers a non-administrator with its login form, not content."""
    clerk = login('clerk')
    response = clerk.get('/manage/@@contents', expect_errors=True)
    assert 'name="password"' in response.text
    assert 'catalogue' not in response.text  # the root's contents


def test_passwords_are_stored_hashed(root):
    user = root['principals']['users']['clerk']
    assert 'demo-2026' not in str(user.password)
    assert user.check_password('demo-2026')
