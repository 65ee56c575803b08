"""The same clerk submitting the same intake twice, against a real server.

A double click, a browser re-post after a slow answer, or a platform that
retries a timed-out ``POST /api/cases`` must give one case, never two:
each intake form carries its own token, the API an ``Idempotency-Key``,
claimed in the transaction that creates the case
(``casefile/case/idempotency.py``).  Many clients deciding different
items of one case: ``tests/test_lifecycle_concurrency.py``.
"""
import json
import re
import threading

from casehelpers import PHARMACY, intake_controls
from live import Client, live_app  # noqa: F401 (fixture)
from serverproc import api_intake_body


def _catalogue(app):
    from casefile.catalogue.store import current_catalogue
    conn = app.registry._zodb_databases[''].open()
    try:
        return current_catalogue(conn.root()['app_root'])
    finally:
        conn.close()


def _cases(app):
    conn = app.registry._zodb_databases[''].open()
    try:
        cases = conn.root()['app_root']['cases']
        return {n: cases[n].applicant['name'] for n in cases.keys()}
    finally:
        conn.close()


def _form(client):
    page = client.get('/cases/new?application=' + PHARMACY)
    csrf = re.search(r'name="_csrf_token_" value="([^"]+)"', page.text)
    token = re.search(r'name="_intake_token_" value="([^"]+)"', page.text)
    assert token, 'the intake form carries no intake token'
    return csrf.group(1), token.group(1)


def _controls(app, csrf, token, name):
    controls = intake_controls(_catalogue(app), PHARMACY, csrf=csrf,
                               applicant={'name': name})
    return controls[:3] + [('_intake_token_', token)] + controls[3:]


def _together(n, func):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = func(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_form_posted_twice_in_a_row_makes_one_case(live_app, app):
    clerk = Client(live_app.url).login('clerk')
    csrf, token = _form(clerk)
    controls = _controls(app, csrf, token, '重复提交测试公司')
    first = clerk.post_form('/cases/new?application=' + PHARMACY, controls)
    second = clerk.post_form('/cases/new?application=' + PHARMACY, controls)
    assert first.status == second.status == 302
    assert first.headers['Location'] == second.headers['Location']
    assert list(_cases(app).values()) == ['重复提交测试公司']
    page = clerk.get(second.headers['Location'].split(live_app.url)[-1])
    assert '此表单已提交过' in page.text


def test_a_form_posted_four_times_at_once_makes_one_case(live_app, app):
    clerk = Client(live_app.url).login('clerk')
    csrf, token = _form(clerk)
    controls = _controls(app, csrf, token, '并发重复提交公司')
    # a second form of the same clerk is a second, distinct intake
    csrf2, token2 = _form(clerk)
    other = _controls(app, csrf2, token2, '另一份申请公司')
    assert token2 != token
    results = _together(5, lambda i: clerk.post_form(
        '/cases/new?application=' + PHARMACY,
        other if i == 4 else controls))
    assert [r.status for r in results] == [302] * 5, \
        [r.text[:300] for r in results if r.status != 302]
    locations = {r.headers['Location'] for r in results[:4]}
    assert len(locations) == 1
    assert results[4].headers['Location'] not in locations
    assert sorted(_cases(app).values()) == ['另一份申请公司', '并发重复提交公司']


def test_a_damaged_intake_token_is_refused(live_app, app):
    clerk = Client(live_app.url).login('clerk')
    csrf, _token = _form(clerk)
    controls = _controls(app, csrf, '<script>x</script>', '坏令牌公司')
    response = clerk.post_form('/cases/new?application=' + PHARMACY,
                               controls)
    assert response.status == 400
    assert '表单已损坏' in response.text
    assert _cases(app) == {}


def _api_token(client):
    response = client.request('POST', '/api/tokens', json.dumps({
        'login': 'clerk', 'password': 'demo-2026'}).encode(), {
        'Content-Type': 'application/json'})
    assert response.status == 201, response.text
    return json.loads(response.body)['token']


def _api_body(app, name):
    return json.dumps(api_intake_body(_catalogue(app), PHARMACY,
                                      name)).encode('utf-8')


def test_an_api_intake_retried_with_its_idempotency_key_makes_one_case(
        live_app, app):
    client = Client(live_app.url)
    token = _api_token(client)
    body = _api_body(app, '接口重试公司')

    def post(key):
        return client.request('POST', '/api/cases', body, {
            'Content-Type': 'application/json',
            'Authorization': 'Bearer ' + token, 'Idempotency-Key': key})
    results = _together(4, lambda i: post('platform-req-0001'))
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 200, 200, 201], [r.text[:300] for r in results]
    numbers = {json.loads(r.body)['case_number'] for r in results}
    assert len(numbers) == 1
    again = post('platform-req-0001')
    assert again.status == 200
    assert json.loads(again.body)['case_number'] in numbers
    other = post('platform-req-0002')
    assert other.status == 201
    assert sorted(_cases(app).values()) == ['接口重试公司', '接口重试公司']
    bad = post('x')
    assert bad.status == 400
    assert json.loads(bad.body)['error']['code'] == 'invalid-idempotency-key'
    assert len(_cases(app)) == 2
