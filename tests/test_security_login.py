"""Login throttling (page and API) and the password policy."""
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.security.passwords import (
    PasswordPolicyError, check_password_policy, password_problems)
from casefile.security.throttle import LoginThrottle
from conftest import DEMO_PASSWORD

#: the message, in Chinese once the catalogue has it (else its msgid)
LOCKED = ('登录失败次数过多', 'Too many failed sign-in attempts')


def says_locked(text):
    return any(words in text for words in LOCKED)


def try_login(testapp, login, password, address='127.0.0.1'):
    page = testapp.get('/login', extra_environ={'REMOTE_ADDR': address})
    form = page.forms[0]
    form['login'] = login
    form['password'] = password
    return form.submit(expect_errors=True,
                       extra_environ={'REMOTE_ADDR': address})


def test_five_failures_lock_the_login_for_15_minutes(testapp):
    for _i in range(5):
        assert try_login(testapp, 'clerk', 'wrong-password').status_int \
            == 400
    # now even the right password is refused, with a clear message
    locked = try_login(testapp, 'clerk', DEMO_PASSWORD)
    assert locked.status_int == 429
    assert says_locked(locked.text)
    # from another address too: the login itself is locked
    assert try_login(testapp, 'clerk', DEMO_PASSWORD,
                     address='10.0.0.9').status_int == 429
    # other users from other addresses are not affected
    assert try_login(testapp, 'issuer', DEMO_PASSWORD,
                     address='10.0.0.9').status_int == 302


def test_five_failures_from_one_address_lock_that_address(testapp):
    for name in ('a1', 'a2', 'a3', 'clerk', 'issuer'):
        try_login(testapp, name, 'wrong-password', address='10.1.1.1')
    assert try_login(testapp, 'archivist', DEMO_PASSWORD,
                     address='10.1.1.1').status_int == 429
    assert try_login(testapp, 'archivist', DEMO_PASSWORD,
                     address='10.1.1.2').status_int == 302


def test_the_api_token_endpoint_is_throttled_too(testapp):
    for _i in range(5):
        response = testapp.post_json('/api/tokens', {
            'login': 'clerk', 'password': 'wrong'}, expect_errors=True)
        assert response.status_int == 401
    response = testapp.post_json('/api/tokens', {
        'login': 'clerk', 'password': DEMO_PASSWORD}, expect_errors=True)
    assert response.status_int == 429
    assert response.json['error']['code'] == 'too-many-attempts'
    assert says_locked(response.json['error']['message'])
    # the page and the API share one count
    assert try_login(testapp, 'clerk', DEMO_PASSWORD,
                     address='10.2.2.2').status_int == 429


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_lock_lifts_after_15_minutes_and_old_failures_expire():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _i in range(4):
        throttle.failed('clerk', '1.2.3.4')
    clock.now += 15 * 60 + 1          # the four failures are forgotten
    throttle.failed('clerk', '1.2.3.4')
    assert not throttle.is_locked('clerk', '1.2.3.4')
    for _i in range(4):
        throttle.failed('clerk', '1.2.3.4')
    assert throttle.is_locked('clerk', '9.9.9.9')
    clock.now += 15 * 60 - 1
    assert throttle.is_locked('clerk', None)
    clock.now += 2
    assert not throttle.is_locked('clerk', '1.2.3.4')


def test_a_success_clears_the_logins_count():
    throttle = LoginThrottle()
    for _i in range(4):
        throttle.failed('clerk', None)
    throttle.succeeded('clerk', None)
    for _i in range(4):
        throttle.failed('clerk', None)
    assert not throttle.is_locked('clerk', None)


# -- password policy ---------------------------------------------------------

def test_examples():
    assert check_password_policy('clerk', 'anshan2026ok')
    for bad in ('short1', 'onlyletterslong', '1234567890123',
                'clerk2026abc', 'CLERK2026abc'):
        with pytest.raises(PasswordPolicyError):
            check_password_policy('clerk', bad)


letters = st.sampled_from(string.ascii_letters)
digits = st.sampled_from(string.digits)


@settings(max_examples=200, deadline=None)
@given(st.lists(letters, min_size=1, max_size=30),
       st.lists(digits, min_size=1, max_size=30), st.randoms())
def test_long_mixed_passwords_pass(chars, nums, rnd):
    mixed = chars + nums
    rnd.shuffle(mixed)
    password = ''.join(mixed)
    login = 'user_with_underscore'  # cannot occur in such a password
    ok = len(password) >= 10
    assert (password_problems(login, password) == []) == ok


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=9))
def test_short_passwords_fail(password):
    with pytest.raises(PasswordPolicyError):
        check_password_policy('someone', password)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.punctuation,
               min_size=10, max_size=40))
def test_passwords_without_digits_fail(password):
    with pytest.raises(PasswordPolicyError):
        check_password_policy('someone', password)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.digits + string.punctuation,
               min_size=10, max_size=40))
def test_passwords_without_letters_fail(password):
    with pytest.raises(PasswordPolicyError):
        check_password_policy('someone', password)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r'[a-z]{3,12}', fullmatch=True),
       st.text(alphabet=string.ascii_letters + string.digits, max_size=10),
       st.text(alphabet=string.ascii_letters + string.digits, max_size=10))
def test_passwords_containing_the_login_fail(login, before, after):
    password = before + login.upper() + after + 'a1' * 5
    problems = password_problems(login, password)
    assert any('user name' in str(p) for p in problems)


def test_a_forwarded_for_header_does_not_dodge_the_address_count(testapp):
    for i in range(5):
        page = testapp.get('/login')
        form = page.forms[0]
        form['login'] = 'nobody%d' % i
        form['password'] = 'wrong-password'
        form.submit(expect_errors=True, headers={
            'X-Forwarded-For': '192.0.2.%d' % i})
    assert try_login(testapp, 'clerk', DEMO_PASSWORD).status_int == 429
