"""Never out of step: the durable queue, crashes, rollbacks, permissions.

- a process killed after its commit but before indexing leaves the work
  in the log; the next start applies it and the index equals a full
  rebuild (compared term by term and document by document);
- a rolled-back transaction leaves no entry and no trace in the index;
- a reviewer of a section not concerned by a case finds it by no word of
  its text, while a user who may view it does.
"""
import os
import subprocess
import sys
import textwrap

import transaction

from casefile.search import get_index
from casefile.search.analysis import RUNS
from casefile.search.index import SearchIndex
from casefile.search.queue import get_log
from casefile.search.reindex import rebuild
from casehelpers import create_case
from conftest import REPO, make_settings, sign_in

HERE = os.path.dirname(os.path.abspath(__file__))


def new_case(browser, name):
    response = create_case(browser, applicant={'name': name})
    assert response.status_int == 302, response.text[:2000]
    return response.location.rstrip('/').rsplit('/', 1)[1]


def found(browser, q):
    return [h['case_number'] for h in
            browser.app.get('/api/search', params={'q': q}).json['hits']]


def snapshot(search_index):
    """Everything an index holds: stored documents and term statistics."""
    docs, terms = {}, {}
    for year in search_index.years():
        searcher = search_index.searcher(year)
        reader = searcher.reader()
        for fields in reader.all_stored_fields():
            docs[fields['case_number']] = fields
        for fieldname, text in reader.all_terms():
            if fieldname == 'body':
                continue
            key = (year, fieldname, text)
            terms[key] = reader.doc_frequency(fieldname, text)
    return docs, terms


CRASH = textwrap.dedent('''
    import os, sys
    sys.path[:0] = [%(tests)r, %(repo)r]
    from casefile import compat
    compat.install()
    import webtest
    from casefile import main
    from casefile.search import queue
    from conftest import make_settings, sign_in, REPO
    from casehelpers import create_case
    app = main({'here': REPO}, **make_settings(%(var)r))
    def killed(*args, **kw):
        os._exit(9)      # the process dies after commit, before indexing
    queue.Applier.wake = killed      # the commit hands the work over here
    queue.catch_up = killed
    testapp = webtest.TestApp(app, extra_environ={'REMOTE_ADDR': '127.0.0.1'})
    clerk = sign_in(testapp, 'clerk')
    create_case(clerk, applicant={'name': '鞍山市崩溃测试药店有限公司'})
    os._exit(0)          # not reached when the hook ran
''')


def test_a_crash_after_commit_is_repaired_at_the_next_start(var_dir,
                                                           tmp_path):
    from casefile import main
    settings = make_settings(var_dir)
    app = main({'here': REPO}, **settings)
    import webtest
    testapp = webtest.TestApp(app, extra_environ={'REMOTE_ADDR': '127.0.0.1'})
    first = new_case(sign_in(testapp, 'clerk'), '鞍山市崩溃之前药店有限公司')
    for db in app.registry._zodb_databases.values():
        db.close()

    script = tmp_path / 'crash.py'
    script.write_text(CRASH % {'tests': HERE, 'repo': REPO,
                               'var': str(var_dir)}, encoding='utf-8')
    done = subprocess.run([sys.executable, str(script)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 9, done.stderr[-3000:]

    # committed, not indexed: the log is ahead of the directory
    search_index = SearchIndex(settings.get('casefile.index_dir')
                               or os.path.join(str(var_dir), 'index'))
    behind = search_index.read_state()['applied']

    app = main({'here': REPO}, **settings)        # the next start
    try:
        db = app.registry._zodb_databases['']
        conn = db.open()
        search_log = get_log(conn.root()['app_root'])
        assert search_log.last() > behind
        conn.close()
        repaired = get_index(app.registry)
        assert repaired.read_state()['applied'] == search_log.last()
        testapp = webtest.TestApp(app, extra_environ={
            'REMOTE_ADDR': '127.0.0.1'})
        clerk = sign_in(testapp, 'clerk')
        assert found(clerk, '崩溃测试药店')
        assert first in found(clerk, '崩溃之前药店')

        fresh = SearchIndex(str(tmp_path / 'full'))
        rebuild(db, fresh, app.registry, procs=1, resume=False)
        assert snapshot(get_index(app.registry)) == snapshot(fresh)
        assert len(snapshot(fresh)[0]) >= 2
    finally:
        for db in app.registry._zodb_databases.values():
            db.close()


def settled(app):
    """The index after every committed change is applied (the commits
    hand the work to a background thread; wait for it here)."""
    from casefile.search.queue import catch_up
    search_index = get_index(app.registry)
    catch_up(app.registry._zodb_databases[''], search_index, app.registry)
    return search_index


def test_a_rolled_back_transaction_leaves_no_trace(app, testapp, login,
                                                  root):
    from casefile.events import notify_modified
    from casefile.search.queue import enqueue
    clerk = login('clerk')
    number = new_case(clerk, '鞍山市回滚之前药店有限公司')
    search_index = settled(app)
    state = search_index.read_state()
    transaction.begin()
    search_log = get_log(root)
    last = search_log.last()
    case = root['cases'][number]
    case.applicant['name'] = '鞍山市回滚名称药店有限公司'
    case.journal.record('test.change', 'clerk', comment='回滚备注')
    enqueue(case, app.registry)
    notify_modified(case, app.registry)
    transaction.abort()

    assert search_index.read_state() == state
    transaction.begin()
    assert get_log(root).last() == last
    assert found(clerk, '回滚名称') == []
    assert found(clerk, '回滚备注') == []
    assert number in found(clerk, '回滚之前')


def test_a_change_without_an_event_is_still_indexed(app, testapp, login,
                                                   root):
    """A change made without notify_modified is found through the
    connection's modified objects when the transaction commits."""
    clerk = login('clerk')
    number = new_case(clerk, '鞍山市无事件药店有限公司')
    transaction.begin()
    root['cases'][number].applicant['contact'] = '无事件联系人'
    root['cases'][number].touch()
    transaction.commit()
    assert number in found(clerk, '无事件联系人')


def test_another_section_finds_the_case_by_no_word_of_it(app, testapp,
                                                         login):
    clerk = login('clerk')
    number = new_case(clerk, '鞍山市权限测试大药房有限公司')
    search_index = settled(app)
    body = [f for _k, f in search_index.search(
        __import__('casefile.search.query', fromlist=['parse']).parse(
            number), None)[2]][0]['body']
    words = sorted({m.group() for m in RUNS.finditer(body.lower())})
    assert len(words) > 10
    # the clerk who took it in may view it: the test can fail
    assert number in found(clerk, '权限测试大药房')
    outsider = login('reviewer.social')
    for word in words:
        assert number not in found(outsider, word), word
    # two-character pieces of every Chinese run too
    for word in words:
        for i in range(len(word) - 1):
            piece = word[i:i + 2]
            if not piece.isascii():
                assert number not in found(outsider, piece), piece


def test_concurrent_writers_do_not_conflict_and_a_late_commit_is_applied(
        app):
    """Two transactions that change cases at the same time both commit
    (a shared sequence number made one of them conflict and retry), and
    the one with the earlier key that commits later is still applied."""
    from casefile.search.queue import SearchLog
    db = app.registry._zodb_databases['']
    managers = [transaction.TransactionManager() for _ in range(2)]
    conns = [db.open(transaction_manager=tm) for tm in managers]
    try:
        for tm in managers:
            tm.begin()
        logs = [c.root()['app_root'].search_log for c in conns]
        early = logs[0].append(['AS-LATE'])
        late = logs[1].append(['AS-EARLY'])
        assert early < late
        managers[1].commit()       # the later key commits first ...
        state = {'applied': late, 'log': logs[1].log_id, 'recent': [late]}
        managers[0].commit()       # ... and the earlier one after it
        for tm in managers:
            tm.begin()
        search_log = conns[0].root()['app_root'].search_log
        assert {early, late} <= set(search_log.entries.keys())
        keys, numbers = search_log.unapplied(state)
        assert keys == [early] and numbers == {'AS-LATE'}
        applied, recent, _n = search_log.since(state)
        assert applied == late and set(recent) >= {early, late}
        assert search_log.unapplied({'applied': applied, 'recent': recent,
                                     'log': search_log.log_id})[0] == []
    finally:
        for tm, conn in zip(managers, conns):
            tm.abort()
            conn.close()
    assert SearchLog().prune() == 0
