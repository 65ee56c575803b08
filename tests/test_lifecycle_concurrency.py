"""Two sections deciding items of the same case at the same moment.

开办餐馆: once the business licence is granted, 食品药品科 (SY-002) and
城建交通科 (CJ-001, CJ-002) decide in parallel.  Three heads press "grant"
at the same instant against a real multi-threaded server: every request
succeeds, nothing is lost, and the case is concluded exactly once.
"""
import re
import threading

import pytest

from casehelpers import create_case, csrf_from, open_db_case, upload_required
from live import Client, live_app  # noqa: F401 (fixture)
from test_lifecycle import decide, inspect, step

RESTAURANT = 'M-02'


@pytest.fixture
def app_settings(both_write_modes):
    return both_write_modes


def test_parallel_decisions_by_two_sections_lose_nothing(login, testapp,
                                                          live_app):
    clerk = login('clerk')
    url = create_case(clerk, RESTAURANT).location
    number = url.rsplit('/', 1)[-1]
    upload_required(clerk, url, testapp, code=RESTAURANT)
    assert step(clerk, url, '/do/accept').status_int == 302
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    assert inspect(login, url).status_int == 302
    for item, reviewer in (('SY-002', 'reviewer.food'),
                           ('CJ-001', 'reviewer.urban'),
                           ('CJ-002', 'reviewer.urban')):
        response = step(login(reviewer), url,
                        '/tasks/%s/do/submit_opinion' % item,
                        opinion='同意', proposal='grant')
        assert response.status_int == 302, response.text[:2000]

    path = '/cases/' + number
    plan = [('head.food', 'SY-002'), ('head.urban', 'CJ-001'),
            ('head.urban', 'CJ-002')]
    clients, tokens = [], []
    for head, _item in plan:
        client = Client(live_app.url).login(head)
        clients.append(client)
        tokens.append(csrf_from(client.get(path).text))
    barrier = threading.Barrier(len(plan))
    results = [None] * len(plan)

    def grant(i):
        barrier.wait()
        results[i] = clients[i].post_form(
            '%s/tasks/%s/do/grant' % (path, plan[i][1]),
            [('csrf_token', tokens[i]), ('comment', '同意')])

    threads = [threading.Thread(target=grant, args=(i,))
               for i in range(len(plan))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == [302] * len(plan), \
        [re.findall(r'flash error[^>]*>([^<]*)', r.text) for r in results]

    conn, case = open_db_case(testapp, number)
    try:
        assert {t.item_code: t.state for t in case.tasks()} == {
            'SC-001': 'granted', 'SY-002': 'granted', 'CJ-001': 'granted',
            'CJ-002': 'granted'}
        assert case.state == 'decided'
        assert case.outcome == {'granted': 4, 'denied': 0}
        assert len(case['decisions']) == 4
        actions = [e['action'] for e in case.journal]
        assert actions.count('case.outcome') == 1
        grants = [e for e in case.journal if e['action'] == 'transition'
                  and e['data']['transition'] == 'grant']
        assert sorted(e['target'] for e in grants) == [
            'CJ-001', 'CJ-002', 'SC-001', 'SY-002']
        case.journal.verify()
    finally:
        conn.close()
