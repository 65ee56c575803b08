"""The supervision dashboard (督查考核): numbers, drill-down, export, access.

Cases are made through the service layer and the workflow engine (the
same code the pages call), with decisions dated in the past by setting the
day the life cycle stamps (``lifecycle._today``) and each task's
``started_on`` as tests/test_clock_timing.py does.  Every number of the
dashboard is then checked against a brute-force recount over the cases.
"""
import datetime
import io
import os
import re
import shutil

import pytest
import transaction

from casefile.clock import add_working_days
from casefile.clock.timing import as_date, task_timing, today

from casehelpers import make_case

D = datetime.date

# (application, {item: (started, decided or None, grant, extension days,
#                       stop (start, end) or None)})
# started=None keeps the day the engine started the task.
HISTORY = [
    ('M-01', {'SC-001': (D(2026, 9, 1), D(2026, 9, 1), True, 0, None),
              'SY-001': (D(2026, 9, 2), D(2026, 10, 30), True, 0, None),
              'SY-002': (D(2026, 9, 2), D(2026, 9, 15), True, 5, None),
              'SY-003': (D(2026, 9, 2), D(2026, 9, 10), False, 0,
                         (D(2026, 9, 3), D(2026, 9, 9)))}),
    ('M-04', {'SC-001': (D(2026, 10, 8), D(2026, 10, 12), True, 0, None),
              'SH-001': (D(2026, 10, 12), D(2026, 10, 16), True, 0, None),
              'CJ-001': (D(2026, 10, 12), D(2026, 10, 29), True, 0,
                         None)}),
    ('M-04', {'SC-001': (D(2026, 10, 9), D(2026, 10, 9), True, 0, None),
              'SH-001': (D(2026, 10, 9), D(2026, 10, 15), False, 0, None),
              'CJ-001': (D(2026, 10, 9), D(2026, 11, 3), True, 10,
                         None)}),
    # open: SC-001 decided, the food items still running
    ('M-01', {'SC-001': (D(2026, 11, 2), D(2026, 11, 2), True, 0, None)}),
    # open: SC-001 long overdue (red)
    ('M-01', {'SC-001': (D(2026, 6, 1), None, None, 0, None)}),
    # open: SC-001 due within the yellow window
    ('M-04', {'SC-001': ('yellow', None, None, 0, None)}),
]


class SystemRequest:
    """What ``engine.fire(..., system=True)`` needs of a request."""

    def __init__(self, registry):
        self.registry = registry


def yellow_start(limit, now=None):
    """A start day whose deadline is one working day away."""
    now = now or today()
    day = now
    while add_working_days(day, limit) > add_working_days(now, 1):
        day -= datetime.timedelta(days=1)
    return day


def _no_guards(monkeypatch):
    """Materials, inspections and the like are other tests' business:
    every guard passes here (the life cycle still decides in order)."""
    from casefile.workflow import guards
    for name in list(guards.GUARDS):
        monkeypatch.setitem(guards.GUARDS, name, lambda obj, engine: None)


def play(root, registry, monkeypatch, history=HISTORY):
    """Create the cases of ``history``; return their numbers."""
    from casefile.case import clockops, lifecycle
    from casefile.workflow.engine import get_engine
    from substanced.util import find_catalog
    _no_guards(monkeypatch)
    engine = get_engine(registry)
    request = SystemRequest(registry)
    numbers = []
    for code, plan in history:
        case = make_case(root, registry, code)
        numbers.append(case.case_number)
        engine.fire(case, 'accept', request=request, system=True,
                    actor='clerk', journal=case.journal)
        transaction.commit()
        # decide in the order of the plan (prerequisites first)
        for item, (started, decided, grant, ext, stop) in plan.items():
            task = case['tasks'][item]
            if started == 'yellow':
                started = yellow_start(task.promised_days)
            task.started_on = started.isoformat()
            if ext:
                clockops.extend(task, ext, '需要补充核查', actor='head',
                                registry=registry)
            if stop:
                record = clockops.start_stop(
                    case, 'inspection', '现场勘验', 5, items=(item,),
                    actor='head', start=stop[0], registry=registry)
                clockops.end_stop(case, record['id'], actor='head',
                                  end=stop[1], registry=registry)
            if decided is None:
                find_catalog(case, 'casefile').reindex_resource(task)
                transaction.commit()
                continue
            monkeypatch.setattr(lifecycle, '_today', lambda d=decided: d)
            engine.fire(task, 'submit_opinion', request=request,
                        system=True, actor='reviewer', journal=case.journal,
                        inputs={'opinion': '审查意见',
                                'proposal': 'grant' if grant else 'deny'})
            engine.fire(task, 'grant' if grant else 'deny', request=request,
                        system=True, actor='head', journal=case.journal,
                        inputs={'comment': '同意'} if grant else
                        {'reasons': '不符合条件'})
            monkeypatch.undo()
            _no_guards(monkeypatch)
            # tasks started by this decision start when the plan says
            for other, spec in plan.items():
                waiting = case['tasks'][other]
                if spec[0] not in (None, 'yellow') and \
                        waiting.state == 'in_review':
                    waiting.started_on = spec[0].isoformat()
            transaction.commit()
        # started_on was set by hand: the deadlines of the tasks and of the
        # case (the earliest running task) follow
        for task in case.tasks():
            find_catalog(case, 'casefile').reindex_resource(task)
        find_catalog(case, 'casefile').reindex_resource(case)
        transaction.commit()
    return numbers


@pytest.fixture(scope='module')
def history_db(tmp_path_factory, template_var_dir):
    """The cases of HISTORY, played once per module into a database that
    each test then gets a copy of (as conftest does with the demo users)."""
    from casefile import main
    from conftest import REPO, close_app, make_settings
    from pyramid.threadlocal import manager
    path = tmp_path_factory.mktemp('supervision') / 'var'
    shutil.copytree(template_var_dir, path)
    application = main({'here': REPO}, **make_settings(path))
    db = application.registry._zodb_databases['']
    conn = db.open()
    manager.push({'registry': application.registry, 'request': None})
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            numbers = play(conn.root()['app_root'], application.registry,
                           monkeypatch)
    finally:
        transaction.abort()
        manager.pop()
        conn.close()
        close_app(application)
    for name in os.listdir(path):
        if name.endswith('.lock') or name.endswith('.tmp'):
            os.remove(os.path.join(path, name))
    return path, numbers


@pytest.fixture
def var_dir(tmp_path, history_db):
    """Every test of this module starts from the played history."""
    path = tmp_path / 'var'
    shutil.copytree(history_db[0], path)
    return path


@pytest.fixture
def history(root, history_db):
    return root, history_db[1]


# -- the brute-force recount ---------------------------------------------------

FIELDS = ('decided', 'granted', 'denied', 'on_time', 'late', 'used_days',
          'limit_days', 'extended', 'extension_days', 'stopped', 'stops',
          'stopped_days')


def brute(root, start, end, now=None):
    """Walk every case: ``(tasks, cases, lights, lists)``."""
    now = now or today()
    tasks, cases, lights = {}, {}, {}
    lists = {}
    for case in root['cases'].values():
        all_on_time, decided_days = True, []
        for task in case.tasks():
            key = (task.section, task.item_code)
            if task.decided:
                day = as_date(task.decided_on)
                timing = task_timing(task)
                decided_days.append(day)
                all_on_time &= bool(timing.on_time)
                if not start <= day <= end:
                    continue
                stops = [s for s in case.clock_stops or ()
                         if (not s.get('items') or task.item_code in
                             s['items']) and as_date(s['start']) <= day]
                ext = sum(e['days'] for e in getattr(task, 'extensions',
                                                     None) or ())
                c = tasks.setdefault(key, dict.fromkeys(FIELDS, 0))
                c['decided'] += 1
                c['granted'] += task.state == 'granted'
                c['denied'] += task.state == 'denied'
                c['on_time'] += bool(timing.on_time)
                c['late'] += not timing.on_time
                c['used_days'] += timing.used
                c['limit_days'] += task.promised_days
                c['extended'] += bool(ext)
                c['extension_days'] += ext
                c['stopped'] += bool(stops)
                c['stops'] += len(stops)
                c['stopped_days'] += timing.stopped
                ref = (case.case_number, task.item_code)
                lists.setdefault(('decided',) + key, set()).add(ref)
                lists.setdefault(('on_time' if timing.on_time else 'late',)
                                 + key, set()).add(ref)
                if ext:
                    lists.setdefault(('extended',) + key, set()).add(ref)
                if stops:
                    lists.setdefault(('stopped',) + key, set()).add(ref)
            elif case.state == 'in_review':
                light = task_timing(task, now=now).light
                if light in ('red', 'yellow'):
                    lights.setdefault(key, {'red': 0, 'yellow': 0})
                    lights[key][light] += 1
                    lists.setdefault((light,) + key, set()).add(
                        (case.case_number, task.item_code))
        if case.outcome is not None:
            day = max(decided_days)
            if start <= day <= end:
                c = cases.setdefault(case.lead_section,
                                     {'decided': 0, 'on_time': 0})
                c['decided'] += 1
                c['on_time'] += all_on_time
    return tasks, cases, lights, lists


PERIOD = (D(2026, 9, 1), D(2026, 11, 30))


def board_for(root, start, end):
    from casefile.supervision.dashboard import Period, build
    return build(root, Period(start, end), 3)


@pytest.mark.parametrize('start,end', [
    PERIOD, (D(2026, 9, 10), D(2026, 10, 15)), (D(2026, 10, 1),
                                                D(2026, 10, 31)),
    (D(2026, 11, 1), D(2026, 11, 30)), (D(2025, 1, 1), D(2025, 12, 31))])
def test_dashboard_numbers_equal_a_brute_force_recount(history, start, end):
    root, _numbers = history
    board = board_for(root, start, end)
    tasks, cases, lights, _lists = brute(root, start, end)
    got = {row.key: {f: row.counts[f] for f in FIELDS}
           for row in board.items if row.decided}
    assert got == tasks
    got_lights = {row.key: {'red': row.red, 'yellow': row.yellow}
                  for row in board.items if row.red or row.yellow}
    assert got_lights == lights
    for row in board.sections:
        expected = [c for (s, _i), c in tasks.items() if s == row.key[0]]
        assert row.decided == sum(c['decided'] for c in expected)
        assert row['on_time'] == sum(c['on_time'] for c in expected)
        assert row.red == sum(v['red'] for (s, _i), v in lights.items()
                              if s == row.key[0])
    assert board.total.decided == sum(c['decided'] for c in tasks.values())
    got_cases = {row.key[0]: {'decided': row.decided,
                              'on_time': row['on_time']}
                 for row in board.cases if row.decided}
    assert got_cases == cases


def test_the_history_has_what_the_dashboard_must_show(history):
    """Guard against a scenario that tests nothing."""
    root, _numbers = history
    tasks, cases, lights, _lists = brute(root, *PERIOD)
    total = {f: sum(c[f] for c in tasks.values()) for f in FIELDS}
    assert total['decided'] == 11
    assert total['late'] >= 2 and total['on_time'] >= 5
    assert total['extended'] == 2 and total['stops'] == 1
    assert total['denied'] == 2
    assert sum(v['red'] for v in lights.values()) >= 1
    assert sum(v['yellow'] for v in lights.values()) == 1
    assert sum(c['decided'] for c in cases.values()) == 3


def test_ranking_puts_the_slowest_section_last(history):
    root, _numbers = history
    board = board_for(root, *PERIOD)
    ranked = [r for r in board.ranking if r.decided]
    rates = [r.on_time_rate for r in ranked]
    assert rates == sorted(rates, reverse=True)
    assert [r.rank for r in ranked][0] == 1
    assert all(r.rank is None for r in board.ranking if not r.decided)


def test_a_period_is_summed_from_months_and_days(history):
    """A range that cuts months sums day counters; whole months use the
    month counters; both give the same as the recount."""
    from casefile.supervision.aggregates import get_store, segments
    root, _numbers = history
    assert segments(D(2026, 9, 10), D(2026, 11, 30)) == [
        ('days', D(2026, 9, 10), D(2026, 9, 30)),
        ('months', D(2026, 10, 1), D(2026, 11, 1))]
    store = get_store(root)
    month = store.tasks.totals(D(2026, 10, 1), D(2026, 10, 31))
    days = {}
    for n in range(1, 32):
        for key, counts in store.tasks.totals(D(2026, 10, n),
                                              D(2026, 10, n)).items():
            target = days.setdefault(key, dict.fromkeys(counts, 0))
            for f, v in counts.items():
                target[f] += v
    assert month == days


def _links(html):
    return [a.replace('&amp;', '&') for a in re.findall(r'href="([^"]+)"',
                                                         html)]


def _drill_link(html, **want):
    for link in _links(html):
        if '/supervision/list' not in link:
            continue
        query = dict(p.split('=', 1) for p in link.split('?', 1)[1].split(
            '&'))
        if all(query.get(k) == v for k, v in want.items()) and all(
                k in want for k in ('section', 'key') if k in query):
            return link
    raise AssertionError('no drill-down link for %r' % (want,))


def _listed(browser, link):
    page = browser.get(link)
    numbers = re.findall(r'class="case-link" href="[^"]*/cases/([^"#]+)'
                         r'(?:#task-([^"]+))?"', page.text)
    count = int(re.search(r'id="count">(\d+)<', page.text).group(1))
    return count, {(n, i) for n, i in numbers}


def test_drill_down_lists_exactly_the_tasks_behind_a_number(history, login):
    root, _numbers = history
    start, end = PERIOD
    _tasks, _cases, _lights, lists = brute(root, start, end)
    transaction.abort()
    supervisor = login('supervisor')
    page = supervisor.get('/supervision?start=%s&end=%s' % (start, end))
    assert page.status_int == 200
    checked = 0
    for (metric, section, item), expected in lists.items():
        link = _drill_link(page.text, scope='task', metric=metric,
                           section=section, key=item)
        count, listed = _listed(supervisor, link)
        assert count == len(expected), (metric, section, item)
        assert listed == expected, (metric, section, item)
        checked += 1
    assert checked >= 8
    # a section's number lists all its items' tasks
    late_food = set().union(*[v for k, v in lists.items()
                              if k[0] == 'late' and k[1] == 'food_drug'])
    link = _drill_link(page.text, scope='task', metric='late',
                       section='food_drug')
    assert _listed(supervisor, link) == (len(late_food), late_food)


def test_drill_down_of_cases_and_lights(history):
    from casefile.supervision.dashboard import Period, drill
    root, numbers = history
    count, objects = drill(root, 'case', 'decided', Period(*PERIOD))
    assert count == 3
    assert {c.case_number for c in objects} == set(numbers[:3])
    count, objects = drill(root, 'task', 'red', section='market_entry')
    assert numbers[4] in {t.case.case_number for t in objects}
    count, objects = drill(root, 'task', 'yellow')
    assert [t.case.case_number for t in objects] == [numbers[5]]


def test_dashboard_page_shows_charts_ranking_and_links(history, login):
    transaction.abort()
    page = login('supervisor').get('/supervision?start=2026-09-01'
                                   '&end=2026-11-30')
    text = page.text
    assert '<svg' in text and 'role="img"' in text
    assert 'id="ranking"' in text
    assert '食品药品科' in text and '市场准入科' in text
    assert '<script' not in text
    # default period: this month
    page = login('supervisor').get('/supervision')
    first = today().replace(day=1).isoformat()
    assert 'value="%s"' % first in page.text


def test_excel_export_holds_the_same_numbers(history, login):
    from openpyxl import load_workbook
    root, _numbers = history
    board = board_for(root, *PERIOD)
    transaction.abort()
    response = login('supervisor').get(
        '/supervision/export.xlsx?start=2026-09-01&end=2026-11-30')
    assert response.content_type.startswith(
        'application/vnd.openxmlformats')
    book = load_workbook(io.BytesIO(response.body))
    assert len(book.sheetnames) == 7
    # by organisation (casefile.organisation): the same sums
    organisations = book.worksheets[-1]
    org_rows = {r[0]: r for r in organisations.iter_rows(
        min_row=2, values_only=True)}
    assert org_rows['鞍山市行政审批局'][1] == board.total['decided']
    sections = book.worksheets[1]
    heads = [c.value for c in sections[1]]
    rows = {r[1]: dict(zip(heads, r)) for r in sections.iter_rows(
        min_row=2, values_only=True)}
    for row in board.ranking:
        cells = rows[row.name]
        values = list(cells.values())
        assert values[0] == row.rank
        assert values[2] == row.decided
        assert values[3] == row['on_time']
        assert values[4] == row['late']
        assert values[5] == row.on_time_rate
        assert values[6] == row.avg_used
        assert values[-2] == row.red
        assert values[-1] == row.yellow
    items = book.worksheets[2]
    got = {(r[1]): (r[3], r[4], r[5]) for r in items.iter_rows(
        min_row=2, values_only=True)}
    for row in board.items:
        assert got[row.key[1]] == (row.decided, row['on_time'], row['late'])
    cases = book.worksheets[3]
    total = sum(r[1] for r in cases.iter_rows(min_row=2, values_only=True))
    assert total == board.case_total.decided == 3


def test_overdue_worklist_lists_every_red_task(history, login):
    root, numbers = history
    _t, _c, lights, lists = brute(root, *PERIOD)
    red = set().union(*[v for k, v in lists.items() if k[0] == 'red'])
    transaction.abort()
    page = login('supervisor').get('/supervision/overdue')
    count = int(re.search(r'id="count">(\d+)<', page.text).group(1))
    assert count == len(red)
    assert all(n in page.text for n, _i in red)


@pytest.mark.parametrize('path', [
    '/supervision', '/supervision/list?scope=task&metric=decided',
    '/supervision/overdue', '/supervision/export.xlsx'])
def test_a_reviewer_may_not_see_supervision(login, path):
    login('reviewer.market').get(path, status=403)


def test_an_administrator_may(login):
    login('manager').get('/supervision', status=200)


def test_bad_drill_down_parameters_are_refused(login):
    login('supervisor').get('/supervision/list?scope=x&metric=decided',
                            status=400)
    login('supervisor').get('/supervision/list?scope=task&metric=nope',
                            status=400)


# -- conflicts ---------------------------------------------------------------------

def test_counter_conflicts_resolve_by_adding_both_deltas():
    from casefile.supervision.aggregates import Counters
    old = Counters().__getstate__()
    committed = dict(old, decided=3, on_time=2, used_days=10)
    mine = dict(old, decided=1, late=1, used_days=7)
    merged = Counters()._p_resolveConflict(old, committed, mine)
    assert merged['decided'] == 4
    assert merged['on_time'] == 2 and merged['late'] == 1
    assert merged['used_days'] == 17


def test_concurrent_decisions_do_not_conflict_on_the_aggregates(app):
    """Two transactions add to the same counters (and to new keys in the
    same bucket) at once; both commit, nothing is lost."""
    from casefile.supervision.aggregates import SupervisionStore
    db = app.registry._zodb_databases['']
    tm1, tm2 = transaction.TransactionManager(), transaction.TransactionManager()
    c1, c2 = db.open(transaction_manager=tm1), db.open(
        transaction_manager=tm2)
    try:
        tm1.begin()
        store = c1.root()['casefile_supervision'] = SupervisionStore()
        store.tasks.add(D(2026, 10, 9), ('food_drug', 'SY-001'),
                        {'decided': 1})
        tm1.commit()
        tm1.begin()
        tm2.begin()
        s1 = c1.root()['casefile_supervision']
        s2 = c2.root()['casefile_supervision']
        s1.tasks.add(D(2026, 10, 9), ('food_drug', 'SY-001'),
                     {'decided': 1, 'late': 1, 'used_days': 12})
        s1.tasks.add(D(2026, 10, 9), ('food_drug', 'SY-002'),
                     {'decided': 1})
        s2.tasks.add(D(2026, 10, 9), ('food_drug', 'SY-001'),
                     {'decided': 1, 'on_time': 1, 'used_days': 3})
        s2.tasks.add(D(2026, 10, 9), ('market_entry', 'SC-001'),
                     {'decided': 1})
        tm1.commit()
        tm2.commit()
        tm1.begin()
        totals = c1.root()['casefile_supervision'].tasks.totals(
            D(2026, 10, 1), D(2026, 10, 31))
        assert totals[('food_drug', 'SY-001')]['decided'] == 3
        assert totals[('food_drug', 'SY-001')]['used_days'] == 15
        assert totals[('food_drug', 'SY-001')]['late'] == 1
        assert totals[('food_drug', 'SY-001')]['on_time'] == 1
        assert totals[('food_drug', 'SY-002')]['decided'] == 1
        assert totals[('market_entry', 'SC-001')]['decided'] == 1
    finally:
        tm1.abort()
        tm2.abort()
        c1.close()
        c2.close()


def test_rebuild_recounts_the_same_numbers(history):
    from casefile.supervision.aggregates import rebuild
    root, _numbers = history
    before = board_for(root, *PERIOD)
    rebuild(root)
    transaction.commit()
    after = board_for(root, *PERIOD)
    assert [(r.key, r.counts) for r in after.items] == \
        [(r.key, r.counts) for r in before.items]
    assert after.case_total.counts == before.case_total.counts
