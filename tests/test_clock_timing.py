"""Deadlines, clock stops, extensions and lights (Art. 32, 42, 44, 45, 82)."""
import datetime
import re

import pytest
import transaction

from casefile.clock import add_working_days
from casefile.clock.timing import compute
from casehelpers import open_db_case
from test_lifecycle import accepted, decide, step  # noqa: F401 (fixture)

D = datetime.date


def stop(start, end, items=(), kind='inspection'):
    return {'kind': kind, 'start': start.isoformat(),
            'end': end.isoformat() if end else None, 'items': items}


def test_deadline_counts_working_days_across_spring_festival():
    # 2026 Spring Festival: 15-23 February off, 14 and 28 February worked
    # counted: 13, 14 (make-up Saturday), 24, 25, 26 February
    timing = compute(D(2026, 2, 12), 5, now=D(2026, 2, 12))
    assert timing.deadline == D(2026, 2, 26)
    assert timing.light == 'green'


def test_deadline_across_national_day_with_make_up_workdays():
    start = D(2025, 9, 26)  # Friday; 28 Sep and 11 Oct were workdays
    timing = compute(start, 10, 20, now=start)
    assert timing.deadline == add_working_days(start, 10)
    assert timing.statutory_deadline == add_working_days(start, 20)
    assert D(2025, 10, 3) < timing.deadline


def test_a_clock_stop_over_a_holiday_counts_only_its_working_days():
    start = D(2025, 9, 22)
    plain = compute(start, 10, now=start)
    # inspection from 29 Sep to 10 Oct: spans the National Day holiday;
    # working days inside: 29, 30 Sep, 9, 10 Oct = 4
    stopped = compute(start, 10, stops=[stop(D(2025, 9, 29),
                                             D(2025, 10, 10))], now=start)
    assert stopped.stopped == 4
    assert stopped.deadline == add_working_days(start, 14)
    assert stopped.deadline > plain.deadline


def test_an_open_stop_pauses_the_clock():
    start = D(2026, 3, 2)
    timing = compute(start, 10, stops=[stop(D(2026, 3, 4), None)],
                     now=D(2026, 3, 20))
    assert timing.light == 'paused'


def test_a_stop_for_other_items_does_not_move_this_deadline():
    start = D(2026, 3, 2)
    timing = compute(start, 10, items=('SY-001',),
                     stops=[stop(D(2026, 3, 4), D(2026, 3, 10),
                                 items=('SY-002',))], now=start)
    assert timing.stopped == 0


def test_an_extension_adds_its_working_days():
    start = D(2026, 3, 2)
    timing = compute(start, 10, 20, extensions=[{'days': 10}], now=start)
    assert timing.deadline == add_working_days(start, 20)
    assert timing.statutory_deadline == add_working_days(start, 30)


def test_a_year_the_calendar_does_not_know_is_said_so():
    start = D(2026, 12, 21)
    timing = compute(start, 20, now=start)
    assert 2027 in timing.assumed_years
    assert '2027' in timing.note


def test_lights_green_yellow_red():
    start = D(2026, 3, 2)
    deadline = add_working_days(start, 10)
    assert compute(start, 10, now=start).light == 'green'
    assert compute(start, 10, now=deadline).light == 'yellow'
    late = compute(start, 10, now=deadline + datetime.timedelta(days=7))
    assert late.light == 'red' and late.remaining < 0


def set_task_start(testapp, number, item, started):
    from pyramid.threadlocal import manager
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    manager.push({'registry': testapp.app.registry, 'request': None})
    try:
        case = conn.root()['app_root']['cases'][number]
        case['tasks'][item].started_on = started.isoformat()
        from substanced.util import find_catalog
        catalog = find_catalog(case, 'casefile')
        catalog.reindex_resource(case['tasks'][item])
        catalog.reindex_resource(case)
        transaction.commit()
    finally:
        transaction.abort()
        manager.pop()
        conn.close()


def test_an_inspection_of_seven_working_days_moves_the_deadline_by_seven(
        login, testapp, accepted):
    url, number = accepted
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    start = D(2026, 3, 2)
    set_task_start(testapp, number, 'SY-001', start)
    set_task_start(testapp, number, 'SY-002', start)
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        case = conn.root()['app_root']['cases'][number]
        from pyramid.threadlocal import manager
        from casefile.case.clockops import end_stop, start_stop
        manager.push({'registry': testapp.app.registry, 'request': None})
        try:
            record = start_stop(case, 'inspection', '现场勘验经营场所', 7,
                                items=('SY-001',), actor='head.food',
                                start=D(2026, 3, 4))
            end_stop(case, record['id'], actor='head.food',
                     end=add_working_days(D(2026, 3, 3), 7))
            transaction.commit()
        finally:
            transaction.abort()
            manager.pop()
    finally:
        conn.close()
    conn, case = open_db_case(testapp, number)
    promised = case['tasks']['SY-001'].promised_days
    conn.close()
    page = login('head.food').get(url)
    with_stop = re.search(r'timing-SY-001.*?class="deadline">([\d-]+)',
                          page.text, re.S).group(1)
    # the same item without the inspection would end 7 working days earlier
    assert D.fromisoformat(with_stop) == add_working_days(start,
                                                          promised + 7)
    assert D.fromisoformat(with_stop) == add_working_days(
        add_working_days(start, promised), 7)
    # SY-002 (not inspected here) is not moved
    without = re.search(r'timing-SY-002.*?class="deadline">([\d-]+)',
                        page.text, re.S).group(1)
    conn, case = open_db_case(testapp, number)
    assert D.fromisoformat(without) == add_working_days(
        start, case['tasks']['SY-002'].promised_days)
    conn.close()
    assert '现场勘验' in page.text and '现场勘验经营场所' in page.text
    assert '暂停计时告知书' in page.text


def test_extension_needs_the_section_head_a_reason_and_a_legal_length(
        login, testapp, accepted):
    url, number = accepted
    reviewer = login('reviewer.market')
    response = step(reviewer, url, '/tasks/SC-001/extend', days='5',
                    reason='需要进一步核实')
    assert response.status_int == 403
    head = login('head.market')
    assert step(head, url, '/tasks/SC-001/extend', days='5',
                reason='').status_int == 400
    assert step(head, url, '/tasks/SC-001/extend', days='11',
                reason='x').status_int == 400
    response = step(head, url, '/tasks/SC-001/extend', days='5',
                    reason='需要进一步核实股东资格')
    assert response.status_int == 302
    again = step(head, url, '/tasks/SC-001/extend', days='2', reason='y')
    assert again.status_int == 400
    conn, case = open_db_case(testapp, number)
    try:
        task = case['tasks']['SC-001']
        assert [e['days'] for e in task.extensions] == [5]
        assert any(d.kind == 'extension_notice'
                   for d in case['documents'].values())
    finally:
        conn.close()


def test_overdue_tasks_are_red_in_the_worklist(login, testapp, accepted):
    url, number = accepted
    set_task_start(testapp, number, 'SC-001', D(2025, 1, 6))
    reviewer = login('reviewer.market')
    red = reviewer.get('/?light=red')
    assert number in red.text
    assert 'light red' in red.text
    yellow = reviewer.get('/?light=yellow')
    assert number not in yellow.text


def test_intake_must_be_answered_within_five_working_days(login, testapp):
    from casehelpers import create_case
    clerk = login('clerk')
    url = create_case(clerk).location
    number = url.rsplit('/', 1)[-1]
    conn, case = open_db_case(testapp, number)
    try:
        from casefile.clock.timing import case_timing
        timing = case_timing(case)
        assert timing.limit == 5
        assert timing.deadline == add_working_days(
            case.created.astimezone(datetime.timezone(
                datetime.timedelta(hours=8))).date(), 5)
    finally:
        conn.close()
