"""Centralised site inspection and expert review (现场勘验 · 专家评审)."""
import datetime
import re

import pytest

from casefile.inspection.experts import DrawError, draw, rerun
from casefile.inspection.model import Expert
from casehelpers import create_case, open_db_case, upload_required
from test_lifecycle import accepted, decide, inspect, step  # noqa: F401


def job(testapp, number):
    conn, case = open_db_case(testapp, number)
    try:
        from casefile.inspection.service import job_of
        j = job_of(case)
        return (j.state, [dict(p) for p in j.points],
                [dict(r) for r in j.reports], list(case.clock_stops))
    finally:
        conn.close()


def test_one_inspection_job_with_a_merged_checklist(login, testapp,
                                                     accepted):
    url, number = accepted
    state, points, reports, stops = job(testapp, number)
    assert state == 'to_schedule'
    texts = [p['text'] for p in points]
    assert len(texts) == len(set(texts))            # no point asked twice
    shared = [p for p in points if p['text'] == '经营场所与申请材料一致']
    assert shared and set(shared[0]['items']) == {'SY-001', 'SY-002'}
    assert {c for p in points for c in p['items']} == {'SY-001', 'SY-002'}


def test_a_failed_point_leads_to_rectification_and_reinspection(
        login, testapp, accepted):
    url, number = accepted
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    inspector = login('inspector')
    # no report before the inspection is scheduled
    assert step(inspector, url, '/inspection/report', confirm='yes',
                inspectors='冯军\n何丽').status_int == 403
    response = step(inspector, url, '/inspection/do/schedule',
                    date='2026-12-01', address='铁东区二一九路18号',
                    inspectors='冯军\n何丽', expected_days='3')
    assert response.status_int == 302
    state, points, _r, stops = job(testapp, number)
    assert state == 'scheduled'
    assert stops and stops[-1]['kind'] == 'inspection' and \
        not stops[-1]['end']
    form = {'inspectors': '冯军\n何丽', 'confirm': 'yes',
            'due': '2026-12-20'}
    for i in range(len(points)):
        form['result-%d' % i] = 'pass'
    form['result-0'] = 'fail'
    # a failure needs a remark
    assert step(inspector, url, '/inspection/report', **form
                ).status_int == 400
    form['remark-0'] = '经营场所门牌与申请材料不一致'
    # one inspector is not enough
    assert step(inspector, url, '/inspection/report',
                **dict(form, inspectors='冯军')).status_int == 400
    assert step(inspector, url, '/inspection/report', **form
                ).status_int == 302
    state, _p, reports, stops = job(testapp, number)
    assert state == 'rectification'
    assert reports[0]['outcome'] == 'fail'
    assert reports[0]['rectification_due'] == '2026-12-20'
    assert stops[-1]['end']            # the clock runs again
    # granting an inspected item is refused until the inspection passed
    step(login('reviewer.food'), url, '/tasks/SY-001/do/submit_opinion',
         opinion='同意', proposal='grant')
    response = step(login('head.food'), url, '/tasks/SY-001/do/grant')
    assert response.status_int == 409
    assert '勘验' in response.text
    # re-inspection passes
    inspector = login('inspector')
    assert step(inspector, url, '/inspection/do/reschedule',
                date='2026-12-22', address='铁东区二一九路18号',
                inspectors='冯军\n何丽', expected_days='2'
                ).status_int == 302
    form['result-0'] = 'pass'
    form['remark-0'] = ''
    page = inspector.get(url + '/inspection')
    from casehelpers import PNG_BYTES, csrf_from as token_of
    response = inspector.post(
        url + '/inspection/report', dict(form, csrf_token=token_of(
            page.text)), upload_files=[('photos', '门头.png', PNG_BYTES)])
    assert response.status_int == 302, response.text[:2000]
    state, _p, reports, _s = job(testapp, number)
    assert state == 'passed'
    assert [r['outcome'] for r in reports] == ['fail', 'pass']
    assert len(reports[1]['photos']) == 1
    assert [r['round'] for r in reports] == [1, 2]
    response = step(login('head.food'), url, '/tasks/SY-001/do/grant')
    assert response.status_int == 302
    conn, case = open_db_case(testapp, number)
    try:
        kinds = [d.kind for d in case['documents'].values()]
        assert kinds.count('inspection_report') == 2
        assert kinds.count('inspection_notice') == 2
    finally:
        conn.close()


def test_the_inspection_page_is_for_the_inspection_section(login, testapp,
                                                           accepted):
    url, number = accepted
    page = login('inspector').get(url + '/inspection')
    assert '经营场所与申请材料一致' in page.text
    assert 'inspection/do/schedule' in page.text
    clerk = login('clerk').get(url + '/inspection')
    assert 'inspection/do/schedule' not in clerk.text


# -- the draw -----------------------------------------------------------------

def pool():
    experts = {
        'E1': Expert('甲', '环评', '鞍山市环境科学研究院', login='e1'),
        'E2': Expert('乙', '环评', '辽宁科技大学', login='e2'),
        'E3': Expert('丙', '环评', '鞍钢设计研究院', login='e3',
                     conflicts=('91210302MA1234567X',)),
        'E4': Expert('丁', '环评', '鞍山市规划设计研究院', login='e4'),
        'E5': Expert('戊', '环评', '某某公司', login='e5',
                     org_credit_code='91210300TEST00001X'),
        'E6': Expert('己', '规划', '鞍山市规划设计研究院', login='e6'),
        'E7': Expert('庚', '环评', '鞍山师范学院', login='e7'),
    }
    experts['E7'].drawn_on.append('2026-11-20')
    return experts


APPLICANT = {'name': '某某公司', 'identifier': '91210300TEST00001X'}


def test_recusal_same_organisation_conflict_recent_and_excluded():
    record = draw(pool(), '环评', 2, {'name': '某某公司',
                                      'identifier': '91210302MA1234567X'},
                  exclude=('e4',), recent_days=30,
                  today=datetime.date(2026, 11, 25), seed=7)
    assert record['excluded'] == {'E3': 'declared_conflict',
                                  'E4': 'excluded', 'E5': 'same_organisation',
                                  'E7': 'recently_drawn'}
    assert set(record['panel']) <= {'E1', 'E2'}
    assert 'E6' not in record['candidates']      # other speciality


@pytest.mark.parametrize('seed', range(25))
def test_a_draw_never_returns_a_recused_expert(seed):
    record = draw(pool(), '环评', 2, APPLICANT, exclude=('E1',),
                  today=datetime.date(2026, 11, 25), seed=seed)
    assert 'E5' not in record['panel'] and 'E1' not in record['panel']
    assert rerun(record) == record['panel']


def test_rerunning_a_recorded_draw_gives_the_same_panel():
    record = draw(pool(), '环评', 2, APPLICANT,
                  today=datetime.date(2026, 11, 25))
    assert isinstance(record['seed'], int)
    assert rerun(dict(record)) == record['panel']


def test_too_few_experts_is_a_clear_error():
    with pytest.raises(DrawError) as e:
        draw(pool(), '环评', 6, APPLICANT, today=datetime.date(2026, 11, 25))
    assert '不足' in e.value.message


# -- experts in their own login ---------------------------------------------------

@pytest.fixture
def stage_case(login, testapp):
    """An industrial project's first stage (TZ-004 needs 环境影响评价)."""
    clerk = login('clerk')
    url = create_case(clerk, 'P-IND-1').location
    upload_required(clerk, url, testapp, code='P-IND-1')
    assert step(clerk, url, '/do/accept').status_int == 302
    return url, url.rsplit('/', 1)[-1]


def test_experts_see_only_their_case_and_only_while_the_review_is_open(
        login, testapp, stage_case, accepted):
    url, number = stage_case
    other_url, _other = accepted
    inspector = login('inspector')
    response = step(inspector, url, '/reviews', item='TZ-004', size='2',
                    recent_days='0')
    assert response.status_int == 302, response.text[:2000]
    conn, case = open_db_case(testapp, number)
    try:
        review = list(case['expert_opinions'].values())[0]
        panel, seed = list(review.panel_logins), review.draw['seed']
        assert review.state == 'open'
        assert rerun(review.draw) == list(review.panel)
        stops = [s for s in case.clock_stops if s['kind'] == 'expert_review']
        assert stops and not stops[0]['end']
    finally:
        conn.close()
    everyone = {'expert', 'expert2', 'expert3'}
    outsider = sorted(everyone - set(panel))[0]
    login(outsider).get(url, status=403)
    for login_name in panel:
        expert = login(login_name)
        expert.get(url, status=200)
        expert.get(other_url, status=403)   # not drawn for that case
        response = step(expert, url, '/reviews/review-001/opinion',
                        text='环评结论可信，同意。', conclusion='agree')
        assert response.status_int == 302, response.text[:2000]
    inspector = login('inspector')
    response = step(inspector, url, '/reviews/review-001/do/close',
                    consolidated='专家组一致同意。')
    assert response.status_int == 302, response.text[:2000]
    for login_name in panel:
        login(login_name).get(url, status=403)
    conn, case = open_db_case(testapp, number)
    try:
        assert any(d.kind == 'expert_opinion'
                   for d in case['documents'].values())
        assert all(s['end'] for s in case.clock_stops)
        drawn = [e for e in case.journal if e['action'] == 'expert.drawn']
        assert drawn[0]['data']['seed'] == seed
    finally:
        conn.close()
