"""Using archives: search, borrowing that ends by itself, disposal.

The archive's clock (``casefile.archive.clock.now``) is moved by the
tests: a grant of 7 days is tried on day 3 and on day 8; an archive of 30
years is disposed of 32 years on.
"""
import datetime

import pytest

from archivehelpers import archive, complete, with_case
from casehelpers import csrf_from
from test_lifecycle import accepted  # noqa: F401  (fixture)

import casefile.archive.clock as archive_clock


class Clock:
    def __init__(self, monkeypatch):
        self.offset = datetime.timedelta()
        real = archive_clock.now
        monkeypatch.setattr(archive_clock, 'now',
                            lambda: real() + self.offset)

    def advance(self, **kw):
        self.offset += datetime.timedelta(**kw)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def archived(login, testapp, accepted):
    url, number = accepted
    complete(login, url)
    assert archive(login, number)[1].status_int == 302
    return number, with_case(testapp, number, lambda c: c.archive_number)


def post(browser, path, page='/archives', **fields):
    token = csrf_from(browser.get(page).text)
    return browser.post(path, dict(fields, csrf_token=token),
                        expect_errors=True)


def test_archivists_find_archives_by_every_field(login, archived):
    number, archive_number = archived
    archivist = login('archivist')
    year = archive_number.split('-')[1]
    for query in ({'q': archive_number}, {'q': '康宁大药房'},
                  {'q': '91210302MA'}, {'matter': 'M-01'},
                  {'item': 'SY-003'}, {'year': year},
                  {'retention': '30y'},
                  {'q': '康宁', 'year': year, 'retention': '30y'},
                  # said only in the one form: the full-text index
                  {'q': '第二类医疗器械零售'}):
        page = archivist.get('/archives', params=query)
        assert archive_number in page.text, query
        assert '<span id="archive-total">1</span>' in page.text, (
            query, page.text[page.text.find('archive-total') - 20:][:300])
    for query in ({'q': '没有这个申请人'}, {'retention': 'permanent'},
                  {'item': 'JS-001'}, {'year': '1999'}):
        page = archivist.get('/archives', params=query)
        assert archive_number not in page.text, query
    # not an archivist: no search, only borrowing
    page = login('reviewer.market').get('/archives', params={
        'q': archive_number})
    assert 'id="archive-results"' not in page.text
    assert 'id="borrow-form"' in page.text


def test_a_borrowing_grant_ends_by_itself(login, testapp, archived, clock):
    number, archive_number = archived
    reviewer = login('reviewer.market')
    reviewer.get('/archives/%s' % number, status=403)
    # a request needs a reason and a sensible period
    response = post(reviewer, '/archives/borrowing/request',
                    archive=archive_number, reason=' ', days='7')
    assert response.status_int == 302
    response = post(reviewer, '/archives/borrowing/request',
                    archive=archive_number, reason='复核许可条件', days='365')
    response = post(reviewer, '/archives/borrowing/request',
                    archive=archive_number, reason='复核许可条件', days='7')
    assert response.status_int == 302
    office = with_case(testapp, number, lambda c: [
        (b.id, b.status, b.days) for b in
        c.__parent__.__parent__['archives'].borrowings.values()])
    assert [(s, d) for _i, s, d in office] == [('requested', 7)]
    borrow_id = office[0][0]
    reviewer.get('/archives/%s' % number, status=403)   # not yet approved
    # only the archivist decides
    response = post(reviewer, '/archives/borrowing/%s/approve' % borrow_id,
                    days='7')
    assert response.status_int == 403
    archivist = login('archivist')
    response = post(archivist, '/archives/borrowing/%s/approve'
                    % borrow_id, days='7')
    assert response.status_int == 302

    reviewer = login('reviewer.market')
    page = reviewer.get('/archives/%s' % number)
    assert 'id="file-index"' in page.text
    assert 'id="download-package"' not in page.text   # archivist only
    reviewer.get('/archives/%s/records/1' % number, status=200)
    reviewer.get('/archives/%s/package.zip' % number, status=403)
    clock.advance(days=3)
    reviewer.get('/archives/%s/records/2' % number, status=200)
    clock.advance(days=5)                 # day 8 of a 7-day grant
    reviewer.get('/archives/%s' % number, status=403)
    reviewer.get('/archives/%s/records/1' % number, status=403)
    page = reviewer.get('/archives')
    assert '借阅已到期' in page.text

    def readings(case):
        return [(e['action'], e['actor'], e['target']) for e in case.journal
                if e['actor'] == 'reviewer.market']
    seen = with_case(testapp, number, readings)
    assert ('archive.borrow_requested', 'reviewer.market', borrow_id) \
        in seen
    views = [e for e in seen if e[0] == 'archive.view']
    assert [e[2].split(' ')[0] for e in views if ' ' in e[2]] == ['1', '2']
    assert ('archive.view', 'reviewer.market', '/archives/%s' % number) \
        in views


def test_a_refused_loan_and_an_early_return(login, testapp, archived, clock):
    number, archive_number = archived
    food = login('reviewer.food')
    post(food, '/archives/borrowing/request', archive=number,
         reason='核对材料', days='3')
    archivist = login('archivist')
    office = lambda c: list(  # noqa: E731
        c.__parent__.__parent__['archives'].borrowings.values())
    borrow_id = with_case(testapp, number, lambda c: office(c)[0].id)
    response = post(archivist, '/archives/borrowing/%s/refuse' % borrow_id,
                    note='')
    assert with_case(testapp, number,
                     lambda c: office(c)[0].status) == 'requested'
    post(archivist, '/archives/borrowing/%s/approve' % borrow_id, days='3')
    login('reviewer.food').get('/archives/%s' % number, status=200)
    response = post(login('archivist'), '/archives/borrowing/%s/return'
                    % borrow_id)
    assert response.status_int == 302
    login('reviewer.food').get('/archives/%s' % number, status=403)
    assert response.status_int == 302


def test_disposal_needs_a_second_person_and_keeps_a_record(
        login, testapp, archived, clock):
    number, archive_number = archived
    archivist = login('archivist')
    page = archivist.get('/archives/disposal')
    assert archive_number not in page.text
    # too early: refused
    post(archivist, '/archives/disposal/%s/propose' % number,
         page='/archives/disposal', reason='保管期满')
    assert with_case(testapp, number, lambda c: c.state) == 'archived'
    clock.advance(days=366 * 32)          # 30 years from next 1 January
    page = archivist.get('/archives/disposal')
    assert archive_number in page.text
    response = post(archivist, '/archives/disposal/%s/propose' % number,
                    page='/archives/disposal',
                    reason='保管期限已满，经鉴定无继续保存价值')
    assert response.status_int == 302
    # the proposer may not approve (nor may an archivist at all)
    response = post(archivist, '/archives/disposal/%s/decide' % number,
                    page='/archives/disposal', decision='approve')
    assert response.status_int == 403
    supervisor = login('supervisor')
    response = post(supervisor, '/archives/disposal/%s/decide' % number,
                    page='/archives/disposal', decision='approve',
                    note='同意销毁')
    assert response.status_int == 302
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        root = conn.root()['app_root']
        assert number not in root['cases']
        record = root['archives'].destructions[archive_number]
        assert record['proposed_by'] == 'archivist'
        assert record['approved_by'] == 'supervisor'
        assert record['case_number'] == number
        assert record['records'] and all(
            r['sha256'] for r in record['records'] if r['kind'] in (
                'material', 'decision_grant'))
    finally:
        conn.close()
    page = login('archivist').get('/archives/disposal')
    assert 'id="destructions"' in page.text and archive_number in page.text
    login('archivist').get('/archives/%s' % number, status=404)


def test_the_same_person_may_not_propose_and_approve(root, monkeypatch):
    from casefile.archive import service
    from casefile.archive.model import DisposalProposal
    office = root['archives']
    office.disposals['AS-1'] = DisposalProposal('AS-1', 'A-1', 'lin', 'x')
    with pytest.raises(service.ArchiveError) as error:
        service.decide_disposal(root, 'AS-1', 'lin', True, 'ok', None)
    assert error.value.code == 'same-person'
    assert office.disposals['AS-1'].status == 'proposed'
