"""Driving a 开办药店 case to completion and into the archive."""
from casehelpers import csrf_from, open_db_case
from test_lifecycle import decide, inspect, step

FOOD_ITEMS = ('SY-001', 'SY-002', 'SY-003')


def complete(login, url):
    """From accepted to completed: every section decides, results issued."""
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    assert inspect(login, url).status_int == 302
    for item in FOOD_ITEMS:
        decide(login, url, item, 'reviewer.food', 'head.food')
    response = step(login('issuer'), url, '/do/issue', delivery='in_person',
                    recipient='张三')
    assert response.status_int == 302, response.text[:3000]


def archive(login, number):
    archivist = login('archivist')
    page = archivist.get('/archives/pending')
    response = archivist.post('/archives/%s/archive' % number,
                              {'csrf_token': csrf_from(page.text)},
                              expect_errors=True)
    return archivist, response


def with_case(testapp, number, func):
    conn, case = open_db_case(testapp, number)
    try:
        return func(case)
    finally:
        conn.close()
