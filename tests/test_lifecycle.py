"""A case from intake to completion through the web UI, each role as itself.

开办药店: the window accepts; the case is routed to 市场准入科 (营业执照)
and 食品药品科 (three items waiting for the licence); sections review in
parallel, heads decide; the last decision concludes the case; the issuance
window hands out everything; the case is then read-only.
"""
import re

import pytest

from casehelpers import (
    PDF_BYTES, PHARMACY, create_case, csrf_from, open_db_case, upload,
    upload_required)


def step(browser, url, path, **inputs):
    page = browser.get(url)
    token = csrf_from(page.text)
    return browser.post(url + path, dict(inputs, csrf_token=token),
                        expect_errors=True)


def state_of(testapp, number):
    conn, case = open_db_case(testapp, number)
    try:
        return case.state, {t.item_code: t.state for t in case.tasks()}
    finally:
        conn.close()


@pytest.fixture
def accepted(login, testapp):
    """A pharmacy case with all materials, accepted by the window."""
    clerk = login('clerk')
    url = create_case(clerk).location
    upload_required(clerk, url, testapp)
    response = step(clerk, url, '/do/accept')
    assert response.status_int == 302, response.text[:3000]
    return url, url.rsplit('/', 1)[-1]


def decide(login, url, item, reviewer, head, grant=True):
    r = login(reviewer)
    response = step(r, url, '/tasks/%s/do/submit_opinion' % item,
                    opinion='材料齐全，符合法定条件。',
                    proposal='grant' if grant else 'deny')
    assert response.status_int == 302, response.text[:3000]
    h = login(head)
    if grant:
        response = step(h, url, '/tasks/%s/do/grant' % item,
                        comment='同意。')
    else:
        response = step(h, url, '/tasks/%s/do/deny' % item,
                        reasons='经营场所不符合要求。')
    assert response.status_int == 302, response.text[:3000]


def inspect(login, url, results='pass'):
    """The inspection section schedules and passes the site inspection."""
    inspector = login('inspector')
    response = step(inspector, url, '/inspection/do/schedule',
                    date='2026-12-01', address='鞍山市铁东区二一九路18号',
                    inspectors='冯军\n何丽', expected_days='3')
    assert response.status_int == 302, response.text[:3000]
    page = inspector.get(url + '/inspection')
    count = len(re.findall(r'name="result-(\d+)" value="pass"', page.text))
    form = {'inspectors': '冯军\n何丽', 'confirm': 'yes'}
    for i in range(count):
        form['result-%d' % i] = results
    return step(inspector, url, '/inspection/report', **form)


def test_pharmacy_case_from_intake_to_completion(login, testapp, accepted):
    url, number = accepted
    state, tasks = state_of(testapp, number)
    assert state == 'in_review'
    assert tasks == {'SC-001': 'in_review', 'SY-001': 'waiting',
                     'SY-002': 'waiting', 'SY-003': 'waiting'}

    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    state, tasks = state_of(testapp, number)
    assert tasks['SC-001'] == 'granted'
    assert {tasks[c] for c in ('SY-001', 'SY-002', 'SY-003')} == \
        {'in_review'}

    assert inspect(login, url).status_int == 302
    decide(login, url, 'SY-001', 'reviewer.food', 'head.food')
    decide(login, url, 'SY-002', 'reviewer.food', 'head.food')
    decide(login, url, 'SY-003', 'reviewer.food', 'head.food', grant=False)
    state, tasks = state_of(testapp, number)
    assert state == 'decided'

    issuer = login('issuer')
    page = issuer.get(url)
    assert '3 项准予许可，1 项不予许可' in page.text
    response = step(issuer, url, '/do/issue', delivery='in_person',
                    recipient='张三')
    assert response.status_int == 302, response.text[:3000]

    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'completed'
        from substanced.util import find_catalog, get_oid
        catalog = find_catalog(case, 'casefile')
        # the catalog follows every transition, not only the first
        assert catalog['state']._rev_index[get_oid(case)] == 'completed'
        assert {catalog['state']._rev_index[get_oid(t)]
                for t in case.tasks()} == {'granted', 'denied'}
        assert case.outcome == {'granted': 3, 'denied': 1}
        kinds = sorted(d.kind for c in ('documents', 'decisions',
                                        'certificates')
                       for d in case[c].values())
        assert kinds == sorted(['acceptance_notice', 'inspection_notice',
                                'clock_stop_notice', 'inspection_report',
                                'decision_grant',
                                'decision_grant', 'decision_grant',
                                'decision_deny', 'certificate',
                                'certificate', 'certificate',
                                'delivery_record'])
        sy001 = case['tasks']['SY-001']
        assert sy001.received == (case['tasks']['SC-001'].decision,)
        # each reviewer's opinion was kept (a tuple, replaced per opinion)
        assert [o['text'] for o in sy001.opinions] == ['材料齐全，符合法定条件。']
        transitions = [(e['data']['workflow'], e['data']['transition'])
                       for e in case.journal if e['action'] == 'transition']
        assert ('case', 'accept') in transitions
        assert ('case', 'conclude') in transitions
        assert ('case', 'issue') in transitions
        assert ('task', 'grant') in transitions
        case.journal.verify()
        deny = [d for d in case['decisions'].values()
                if d.kind == 'decision_deny'][0]
        assert '六十日内' in deny.text and '六个月内' in deny.text
    finally:
        conn.close()

    # completed: read-only except archiving
    clerk = login('clerk')
    page = clerk.get(url)
    assert 'name="file"' not in page.text
    response = upload(clerk, url, 'late.pdf', PDF_BYTES, 'commitment_letter')
    assert response.status_int == 403


def test_a_reviewer_sees_only_their_sections_tasks_and_materials(
        login, testapp, accepted):
    """食品药品科 reviews three items of the pharmacy case; 市场准入科
    leads it (its item comes first), so it sees everything."""
    url, number = accepted
    food = login('reviewer.food')
    page = food.get(url)
    assert 'id="task-SY-001"' in page.text
    assert 'id="task-SC-001"' not in page.text
    conn, case = open_db_case(testapp, number)
    try:
        own = [n for n, m in case['materials'].items()
               if 'food_drug' in m.sections]
        other = [n for n, m in case['materials'].items()
                 if 'food_drug' not in m.sections]
    finally:
        conn.close()
    assert own and other
    food.get('%s/materials/%s' % (url, own[0]), status=200)
    food.get('%s/materials/%s' % (url, other[0]), status=403)
    page = food.get(url)
    assert other[0] not in page.text.replace(url, '')
    lead = login('reviewer.market').get(url)
    assert 'id="task-SY-001"' in lead.text and 'id="task-SC-001"' in lead.text
    # a reviewer of a section with no item in the case sees nothing
    login('reviewer.build').get(url, status=403)


def test_refusing_without_reasons_is_rejected_and_changes_nothing(
        login, testapp):
    clerk = login('clerk')
    url = create_case(clerk).location
    number = url.rsplit('/', 1)[-1]
    response = step(clerk, url, '/do/refuse', reasons='   ')
    assert response.status_int == 400
    assert '不予受理的理由' in response.text
    assert state_of(testapp, number)[0] == 'submitted'
    conn, case = open_db_case(testapp, number)
    try:
        assert [e['action'] for e in case.journal] == ['case.created']
    finally:
        conn.close()


def test_accepting_with_missing_materials_is_refused(login, testapp):
    clerk = login('clerk')
    url = create_case(clerk).location
    response = step(clerk, url, '/do/accept')
    assert response.status_int == 409
    assert '缺少' in response.text or '材料' in response.text
    assert state_of(testapp, url.rsplit('/', 1)[-1])[0] == 'submitted'


def test_deciding_an_item_of_another_section_is_refused(login, testapp,
                                                         accepted):
    url, number = accepted
    food = login('reviewer.food')
    response = step(food, url, '/tasks/SC-001/do/submit_opinion',
                    opinion='x', proposal='grant')
    assert response.status_int == 403
    assert state_of(testapp, number)[1]['SC-001'] == 'in_review'


def test_a_transition_from_the_wrong_state_is_refused(login, testapp,
                                                      accepted):
    url, number = accepted
    clerk = login('clerk')
    response = step(clerk, url, '/do/accept')
    assert response.status_int in (403, 409)
    assert state_of(testapp, number)[0] == 'in_review'


def test_granting_while_a_prerequisite_is_pending_is_refused(
        login, testapp, accepted):
    url, number = accepted
    food = login('reviewer.food')
    # SY-001 waits for the business licence (SC-001): no review yet
    response = step(food, url, '/tasks/SY-001/do/submit_opinion',
                    opinion='x', proposal='grant')
    assert response.status_int == 409
    assert state_of(testapp, number)[1]['SY-001'] == 'waiting'
    # and when the prerequisite is denied, the dependent cannot be granted
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market',
           grant=False)
    step(login('reviewer.food'), url, '/tasks/SY-001/do/submit_opinion',
         opinion='前置事项未准予', proposal='grant')
    head = login('head.food')
    response = step(head, url, '/tasks/SY-001/do/grant')
    assert response.status_int == 409
    assert '前置' in response.text
    assert state_of(testapp, number)[1]['SY-001'] == 'awaiting_approval'


def test_correction_then_resubmission(login, testapp):
    clerk = login('clerk')
    url = create_case(clerk).location
    number = url.rsplit('/', 1)[-1]
    response = step(clerk, url, '/do/request_correction',
                    notice='营业场所证明不清晰，请重新提供\n缺少执业药师注册证')
    assert response.status_int == 302
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'correction'
        notice = [d for d in case['documents'].values()
                  if d.kind == 'correction_notice'][0]
        assert '缺少执业药师注册证' in notice.text
    finally:
        conn.close()
    response = step(clerk, url, '/do/resubmit', comment='已补正')
    assert response.status_int == 302
    assert state_of(testapp, number)[0] == 'submitted'


def test_worklists_follow_the_tasks(login, testapp, accepted):
    url, number = accepted
    reviewer = login('reviewer.market')
    home = reviewer.get('/')
    match = re.search(r'id="wl-review".*?<span class="badge">(\d+)</span>',
                      home.text, re.S)
    assert match and int(match.group(1)) == 1
    assert number in home.text
    food = login('reviewer.food').get('/')
    match = re.search(r'id="wl-review".*?<span class="badge">(\d+)</span>',
                      food.text, re.S)
    assert int(match.group(1)) == 0
