"""The JSON API (信息共享) through the real app, each role with its own token.

Two whole life cycles through the API only (开办药店, with its site
inspection, and the first stage of an industrial project), the site
inspection and expert review routes, then the ways a request can go wrong:
every error is JSON with a code and a Chinese message, and leaves nothing
behind.
"""
import collections
import re

import pytest
from substanced.util import find_service

from casehelpers import (
    PDF_BYTES, PHARMACY, VALID_CODE, current_catalogue, open_db_case)
from conftest import DEMO_PASSWORD

#: a JSON value of each catalogue field type (cf. casehelpers.VALUES)
JSON_VALUES = {
    'text': '鞍山市铁东区二一九路18号',
    'textarea': '药品零售；预包装食品销售；第二类医疗器械零售。',
    'credit_code': VALID_CODE,
    'id_number': '11010519491231002X',
    'phone': '13904121234',
    'area': 120.5,
    'money': 500000,
    'integer': 12,
    'boolean': True,
    'date': '2026-12-01',
    'address': {'district': '210302', 'detail': '二一九路18号'},
}

APPLICANT = {'applicant_kind': 'company', 'name': '鞍山市康宁大药房有限公司',
             'identifier': VALID_CODE, 'contact': '张三',
             'phone': '13904121234'}

CHINESE = re.compile('[\u4e00-\u9fff]')


def auth(testapp, login, password=DEMO_PASSWORD):
    """Headers with a fresh token for ``login``."""
    response = testapp.post_json('/api/tokens', {
        'login': login, 'password': password}, status=201)
    return {'Authorization': 'Bearer ' + response.json['token']}


def field_value(field):
    if field.type == 'choice':
        return field.options[0]
    return JSON_VALUES[field.type]


def intake_body(testapp, code=PHARMACY, applicant=None, project=None):
    """A valid ``POST /api/cases`` body, built from the catalogue."""
    from casefile.case.intake import APPLICANT_KEYS
    from casefile.catalogue.forms import group_name
    form = current_catalogue(testapp).merged_fields(code)
    body = {'application': code,
            'applicant': dict(APPLICANT, **(applicant or {})),
            'form': {'shared': {e.field.key: field_value(e.field)
                                for e in form.shared
                                if e.field.key not in APPLICANT_KEYS}}}
    for group in form.per_item:
        body['form'][group_name(group.item)] = {
            f.key: field_value(f) for f in group.fields}
    if project is not None:
        body['project'] = project
    return body


def create(testapp, headers, code=PHARMACY, **kw):
    response = testapp.post_json('/api/cases', intake_body(testapp, code,
                                                           **kw),
                                 headers=headers, status=201)
    assert response.json['state'] == 'submitted'
    return response.json


def upload(testapp, headers, number, code, filename='m.pdf',
           data=PDF_BYTES, status=201, **fields):
    return testapp.post('/api/cases/%s/materials' % number,
                        dict(fields, material_code=code),
                        upload_files=[('file', filename, data)],
                        headers=headers, status=status)


def upload_required(testapp, headers, number, code=PHARMACY):
    for need in current_catalogue(testapp).merged_materials(code):
        if need.required and need.submitted_by_applicant:
            data = upload(testapp, headers, number, need.material.code,
                          need.material.code + '.pdf').json
            assert data['material_code'] == need.material.code
            assert data['version'] == 1 and data['size'] == len(PDF_BYTES)


def fire(testapp, headers, number, name, item=None, status=200, **inputs):
    path = '/api/cases/%s/%stransitions/%s' % (
        number, 'tasks/%s/' % item if item else '', name)
    return testapp.post_json(path, inputs, headers=headers, status=status)


def get_case(testapp, headers, number, status=200):
    return testapp.get('/api/cases/%s' % number, headers=headers,
                       status=status)


def decide(testapp, number, item, reviewer, head, grant=True):
    fire(testapp, reviewer, number, 'submit_opinion', item,
         opinion='材料齐全，符合法定条件。',
         proposal='grant' if grant else 'deny')
    if grant:
        response = fire(testapp, head, number, 'grant', item,
                        comment='同意。')
    else:
        response = fire(testapp, head, number, 'deny', item,
                        reasons='经营场所不符合要求。')
    assert response.json['state'] == ('granted' if grant else 'denied')
    return response.json


def inspection(testapp, headers, number, status=200):
    return testapp.get('/api/cases/%s/inspection' % number, headers=headers,
                       status=status)


def inspection_step(testapp, headers, number, name, status=200, **inputs):
    return testapp.post_json('/api/cases/%s/inspection/transitions/%s' % (
        number, name), inputs, headers=headers, status=status)


def schedule(testapp, headers, number, name='schedule', status=200):
    return inspection_step(testapp, headers, number, name, status=status,
                           date='2026-12-01', address='鞍山市铁东区二一九路18号',
                           inspectors=['冯军', '何丽'], expected_days=3)


def report_body(testapp, headers, number, result='pass', **body):
    """Every point of the checklist with ``result``."""
    points = inspection(testapp, headers, number).json['points']
    return dict({'results': {str(p['index']): {'result': result,
                                               'remark': ''}
                             for p in points},
                 'inspectors': ['冯军', '何丽'], 'confirmed': True}, **body)


def report(testapp, headers, number, body, status=201):
    return testapp.post_json('/api/cases/%s/inspection/report' % number,
                             body, headers=headers, status=status)


def inspect(testapp, number):
    """The inspector schedules the site inspection, every point passes."""
    inspector = auth(testapp, 'inspector')
    assert schedule(testapp, inspector, number).json['state'] == 'scheduled'
    response = report(testapp, inspector, number,
                      report_body(testapp, inspector, number))
    assert response.json['state'] == 'passed'
    return response.json


def assert_error(response, code, status, chinese=False):
    """The error shape; ``chinese``: the message must be in Chinese.

    Asked where the message is one the catalogue already translated;
    that every message is translated is ``tests/test_i18n.py``'s job.
    """
    assert response.status_int == status, response.text
    assert response.content_type == 'application/json'
    error = response.json['error']
    assert error['code'] == code, error
    assert error['message'].strip()
    if chinese:
        assert CHINESE.search(error['message']), error['message']
    return error


@pytest.fixture
def clerk(testapp):
    return auth(testapp, 'clerk')


@pytest.fixture
def accepted(testapp, clerk):
    """A pharmacy case with all materials, accepted through the API."""
    number = create(testapp, clerk)['case_number']
    upload_required(testapp, clerk, number)
    response = fire(testapp, clerk, number, 'accept')
    assert response.json['state'] == 'in_review'
    return number


# -- whole life cycles --------------------------------------------------------

def test_pharmacy_case_from_intake_to_completion(testapp, clerk):
    created = create(testapp, clerk)
    number = created['case_number']
    assert created['url'].endswith('/api/cases/' + number)
    case = get_case(testapp, clerk, number).json
    assert case['application']['code'] == PHARMACY
    assert case['applicant']['identifier'] == VALID_CODE
    assert case['state_title'] == '待受理'
    accept = [t for t in case['transitions'] if t['name'] == 'accept'][0]
    assert accept['blockers'] and case['missing_materials']

    upload_required(testapp, clerk, number)
    case = get_case(testapp, clerk, number).json
    assert case['missing_materials'] == []
    assert {t['name'] for t in case['transitions']} >= {
        'accept', 'refuse', 'request_correction'}
    response = fire(testapp, clerk, number, 'accept')
    assert response.json['state'] == 'in_review'
    assert response.json['case']['state_title'] == '审查中'

    market = auth(testapp, 'reviewer.market')
    head_market = auth(testapp, 'head.market')
    food = auth(testapp, 'reviewer.food')
    head_food = auth(testapp, 'head.food')
    lists = {wl['name']: wl for wl in testapp.get(
        '/api/worklist', headers=market).json['lists']}
    assert lists['review']['count'] == 1
    assert lists['review']['entries'][0]['item_code'] == 'SC-001'
    assert lists['review']['entries'][0]['case_number'] == number

    # the lead section sees every task; 食品药品科 its own and its materials
    tasks = {t['item_code']: t for t in get_case(
        testapp, market, number).json['tasks']}
    assert {c: t['state'] for c, t in tasks.items()} == {
        'SC-001': 'in_review', 'SY-001': 'waiting', 'SY-002': 'waiting',
        'SY-003': 'waiting'}
    assert [t['name'] for t in tasks['SC-001']['transitions']] == [
        'submit_opinion']
    seen_by_food = get_case(testapp, food, number).json
    assert 'SC-001' not in {t['item_code'] for t in seen_by_food['tasks']}
    assert 0 < len(seen_by_food['materials']) < len(
        get_case(testapp, clerk, number).json['materials'])

    decide(testapp, number, 'SC-001', market, head_market)
    # 药品经营许可 and 食品经营许可 need the site inspection first
    assert get_case(testapp, food, number).json['inspection']['state'] == \
        'to_schedule'
    passed = inspect(testapp, number)
    assert passed['outcome'] == 'pass'
    assert set(passed['inspection']['items']) == {'SY-001', 'SY-002'}
    decide(testapp, number, 'SY-001', food, head_food)
    decide(testapp, number, 'SY-002', food, head_food)
    last = decide(testapp, number, 'SY-003', food, head_food, grant=False)
    assert last['case']['state'] == 'decided'

    issuer = auth(testapp, 'issuer')
    case = get_case(testapp, issuer, number).json
    assert case['outcome'] == {'granted': 3, 'denied': 1,
                               'text': '3 项准予许可，1 项不予许可'}
    issue = [t for t in case['transitions'] if t['name'] == 'issue'][0]
    assert {i['name'] for i in issue['inputs']} == {'delivery', 'recipient'}
    response = fire(testapp, issuer, number, 'issue', delivery='in_person',
                    recipient='张三')
    assert response.json['state'] == 'completed'

    case = get_case(testapp, issuer, number).json
    assert case['state_title'] == '已办结'
    assert case['delivery']['method'] == 'in_person'
    kinds = collections.Counter(d['kind'] for d in case['documents'])
    assert {k: kinds[k] for k in (
        'acceptance_notice', 'inspection_notice', 'inspection_report',
        'decision_grant', 'decision_deny', 'certificate',
        'delivery_record')} == {
        'acceptance_notice': 1, 'inspection_notice': 1,
        'inspection_report': 1, 'decision_grant': 3, 'decision_deny': 1,
        'certificate': 3, 'delivery_record': 1}
    assert case['transitions'] == []
    actions = [(e['action'], e['data'].get('transition'))
               for e in case['journal']]
    assert ('transition', 'accept') in actions
    assert ('transition', 'conclude') in actions
    assert ('transition', 'issue') in actions
    assert [e['actor'] for e in case['journal']
            if e['data'].get('transition') == 'grant'][0] == 'head.market'
    conn, stored = open_db_case(testapp, number)
    try:
        stored.journal.verify()
    finally:
        conn.close()
    # completed: read-only
    response = upload(testapp, clerk, number, 'commitment_letter',
                      status=403)
    assert_error(response, 'forbidden', 403)


def test_industrial_project_stage_from_intake_to_completion(testapp, clerk):
    """工业项目 · 立项用地规划许可: five items of 投资项目科, decided by
    its reviewer and head; TZ-002 and TZ-005 wait for TZ-001 (备案)."""
    created = create(testapp, clerk, 'P-IND-1',
                     project={'name': '鞍山某某机械厂房建设项目'})
    number, project = created['case_number'], created['project_number']
    assert project.startswith('PJ-')
    upload_required(testapp, clerk, number, 'P-IND-1')
    fire(testapp, clerk, number, 'accept')

    reviewer = auth(testapp, 'reviewer.invest')
    head = auth(testapp, 'head.invest')
    tasks = {t['item_code']: t['state'] for t in get_case(
        testapp, reviewer, number).json['tasks']}
    assert tasks == {'TZ-001': 'in_review', 'TZ-002': 'waiting',
                     'TZ-003': 'in_review', 'TZ-004': 'in_review',
                     'TZ-005': 'waiting'}
    for item in ('TZ-001', 'TZ-002', 'TZ-003', 'TZ-004', 'TZ-005'):
        last = decide(testapp, number, item, reviewer, head)
    assert last['case']['state'] == 'decided'
    fire(testapp, auth(testapp, 'issuer'), number, 'issue',
         delivery='online', recipient='项目单位')
    case = get_case(testapp, reviewer, number).json
    assert case['state'] == 'completed'
    assert case['outcome']['granted'] == 5

    # the stage is done, the next one open: it takes the project number
    conn, stored = open_db_case(testapp, number)
    try:
        stages = conn.root()['app_root']['projects'][project]
        assert stages['P-IND-1'].state == 'done'
        assert stages['P-IND-2'].state == 'open'
    finally:
        conn.close()
    second = create(testapp, clerk, 'P-IND-2', project={'number': project})
    assert second['project_number'] == project
    response = testapp.post_json('/api/cases', intake_body(
        testapp, 'P-IND-3', project={'number': project}), headers=clerk,
        status=400)
    assert_error(response, 'stage-not-open', 400, chinese=True)


# -- site inspection and expert review ----------------------------------------

def test_a_failed_inspection_is_rectified_and_reinspected(testapp, accepted):
    number = accepted
    decide(testapp, number, 'SC-001', auth(testapp, 'reviewer.market'),
           auth(testapp, 'head.market'))
    inspector = auth(testapp, 'inspector')
    job = inspection(testapp, inspector, number).json
    assert job['state'] == 'to_schedule' and job['round'] == 0
    assert [t['name'] for t in job['transitions']] == ['schedule']
    assert not job['can_report'] and job['reports'] == []
    texts = [p['text'] for p in job['points']]
    assert len(texts) == len(set(texts))          # no point asked twice
    assert {c for p in job['points'] for c in p['items']} == {
        'SY-001', 'SY-002'}
    # no report before the inspection is scheduled
    assert_error(report(testapp, inspector, number, {}, status=403),
                 'forbidden', 403)
    schedule(testapp, inspector, number)
    body = report_body(testapp, inspector, number)
    body['results']['0'] = {'result': 'fail', 'remark': '门牌与申请材料不一致'}
    body['due'] = '2026-12-20'
    failed = report(testapp, inspector, number, body).json
    assert (failed['outcome'], failed['transition'], failed['state']) == (
        'fail', 'record_fail', 'rectification')
    assert failed['report']['results']['0'] == {
        'result': 'fail', 'remark': '门牌与申请材料不一致'}
    job = failed['inspection']
    assert job['reports'][0]['rectification_due'] == '2026-12-20'
    assert {t['name'] for t in job['transitions']} == {
        'reschedule', 'close_failed'}
    # granting an inspected item is refused until the inspection passed
    food, head_food = auth(testapp, 'reviewer.food'), auth(testapp,
                                                           'head.food')
    fire(testapp, food, number, 'submit_opinion', 'SY-001',
         opinion='符合条件。', proposal='grant')
    assert_error(fire(testapp, head_food, number, 'grant', 'SY-001',
                      status=409), 'guard-failed', 409)
    # the report's own steps are not fired by hand
    assert_error(inspection_step(testapp, inspector, number, 'record_pass',
                                 status=400), 'use-report', 400)
    # re-inspection passes
    assert schedule(testapp, inspector, number, 'reschedule').json[
        'inspection']['round'] == 2
    passed = report(testapp, inspector, number, report_body(
        testapp, inspector, number)).json
    assert passed['state'] == 'passed' and passed['report']['round'] == 2
    job = inspection(testapp, head_food, number).json
    assert [r['outcome'] for r in job['reports']] == ['fail', 'pass']
    assert len(job['schedules']) == 2 and job['transitions'] == []
    assert get_case(testapp, head_food, number).json['inspection'][
        'outcome'] == 'pass'
    assert fire(testapp, head_food, number, 'grant', 'SY-001',
                comment='同意。').json['state'] == 'granted'


def test_only_the_inspection_section_writes_reports(testapp, clerk,
                                                    accepted):
    number = accepted
    inspector = auth(testapp, 'inspector')
    body = report_body(testapp, inspector, number)
    # the clerk may neither schedule nor report
    assert_error(schedule(testapp, clerk, number, status=403),
                 'forbidden', 403)
    schedule(testapp, inspector, number)
    for login in ('clerk', 'reviewer.food', 'head.food'):
        assert_error(report(testapp, auth(testapp, login), number, body,
                            status=403), 'forbidden', 403)
    # 食品药品科 follows the inspection of its items, without writing it
    job = inspection(testapp, auth(testapp, 'reviewer.food'), number).json
    assert job['state'] == 'scheduled' and not job['can_report']
    assert job['transitions'] == []
    assert inspection(testapp, inspector, number).json['reports'] == []
    # a case without items to inspect has no job
    industrial = create(testapp, clerk, 'P-IND-1', project={
        'name': '鞍山某某机械厂房建设项目'})['case_number']
    assert_error(inspection(testapp, clerk, industrial, status=404),
                 'not-found', 404)


def test_an_incomplete_report_is_refused_and_leaves_nothing(testapp,
                                                            accepted):
    number = accepted
    inspector = auth(testapp, 'inspector')
    schedule(testapp, inspector, number)
    before = get_case(testapp, inspector, number).json
    full = report_body(testapp, inspector, number)
    first_point = {'0': full['results']['0']}
    failing = dict(full, results=dict(full['results'], **{
        '0': {'result': 'fail', 'remark': '消防通道堵塞'}}))
    refused = [
        (dict(full, results=first_point), 'incomplete', None),
        (dict(full, results={'0': {'result': 'good'}}), 'invalid-input',
         'results.0'),
        (dict(full, results={'99': {'result': 'pass'}}), 'invalid-input',
         'results.99'),
        (dict(full, results=['pass']), 'invalid-input', 'results'),
        (dict(full, inspectors=['冯军']), 'inspectors', None),
        (dict(full, confirmed=False), 'unconfirmed', None),
        (dict(failing, results=dict(failing['results'], **{
            '0': {'result': 'fail'}}), due='2026-12-20'), 'remark-needed',
         None),
        (failing, 'missing-input', 'due'),                 # no due date
        (dict(failing, due='soon'), 'invalid-input', 'due'),
    ]
    for body, code, field in refused:
        error = assert_error(report(testapp, inspector, number, body,
                                    status=400), code, 400)
        assert error.get('field') == field, (code, error)
    after = get_case(testapp, inspector, number).json
    assert after['inspection']['state'] == 'scheduled'
    assert inspection(testapp, inspector, number).json['reports'] == []
    assert after['journal'] == before['journal']
    assert after['documents'] == before['documents']


@pytest.fixture
def stage(testapp, clerk):
    """An accepted first stage of an industrial project: TZ-002, TZ-004
    and TZ-005 need an expert review (国土空间规划, 环境影响评价, 节能评估)."""
    number = create(testapp, clerk, 'P-IND-1', project={
        'name': '鞍山某某机械厂房建设项目'})['case_number']
    upload_required(testapp, clerk, number, 'P-IND-1')
    fire(testapp, clerk, number, 'accept')
    return number


def draw_panel(testapp, headers, number, status=201, **body):
    return testapp.post_json('/api/cases/%s/reviews' % number, body,
                             headers=headers, status=status)


def opine(testapp, headers, number, review, status=200, **body):
    return testapp.post_json('/api/cases/%s/reviews/%s/opinion' % (
        number, review), body, headers=headers, status=status)


def test_an_expert_review_through_the_api(testapp, clerk, stage):
    from casefile.inspection.experts import rerun
    number = stage
    inspector = auth(testapp, 'inspector')
    listed = testapp.get('/api/cases/%s/reviews' % number,
                         headers=inspector).json
    assert listed['can_request'] and listed['reviews'] == []
    assert {i['code']: i['speciality'] for i in listed['items']} == {
        'TZ-002': '国土空间规划', 'TZ-004': '环境影响评价',
        'TZ-005': '节能评估'}
    # only the inspection section draws
    assert_error(draw_panel(testapp, clerk, number, item='TZ-004',
                            status=403), 'forbidden', 403)
    assert_error(draw_panel(testapp, inspector, number, item='TZ-001',
                            status=400), 'not-needed', 400)
    assert_error(draw_panel(testapp, inspector, number, item='TZ-004',
                            size=5, status=409), 'too-few', 409)
    assert_error(draw_panel(testapp, inspector, number, item='TZ-004',
                            size='many', status=400), 'invalid-input', 400)
    response = draw_panel(testapp, inspector, number, item='TZ-004', size=2,
                          exclude=['E003'], recent_days=0)
    review = response.json
    assert response.headers['Location'] == review['url']
    assert review['name'] == 'review-001' and review['state'] == 'open'
    draw = review['draw']
    assert draw['candidates'] == ['E001', 'E002', 'E003']
    assert draw['excluded'] == [{'expert': 'E003', 'reason': 'excluded',
                                 'reason_title': '指定回避'}]
    assert draw['panel'] == ['E001', 'E002'] == [
        p['expert'] for p in review['panel']]
    assert isinstance(draw['seed'], str)
    assert rerun(dict(draw, seed=int(draw['seed']))) == draw['panel']
    assert [t['name'] for t in review['transitions']] == ['close']
    assert review['transitions'][0]['blockers']   # no opinions yet
    assert get_case(testapp, inspector, number).json['reviews'][0][
        'state'] == 'open'
    # a second review, of another speciality
    other = draw_panel(testapp, inspector, number, item='TZ-002', size=2,
                       recent_days=0).json
    outsider = [p['login'] for p in other['panel']][0]

    # each expert of the panel, in their own login
    for login in ('expert', 'expert2'):
        expert = auth(testapp, login)
        seen = testapp.get(review['url'], headers=expert).json
        assert seen['can_opine']
        assert_error(opine(testapp, expert, number, 'review-001',
                           text='  ', conclusion='agree', status=400),
                     'incomplete', 400)
        opinion = opine(testapp, expert, number, 'review-001',
                        text='环评结论可信，同意。', conclusion='agree').json
        assert login in [o['login'] for o in opinion['opinions']]
    # an expert not on this panel
    assert_error(opine(testapp, auth(testapp, 'expert3'), number,
                       'review-001', text='同意。', conclusion='agree',
                       status=403), 'forbidden', 403)
    assert_error(opine(testapp, auth(testapp, outsider), number,
                       'review-001', text='同意。', conclusion='agree',
                       status=403), 'forbidden', 403)
    # not the expert's step
    assert_error(testapp.post_json(
        review['url'] + '/transitions/close', {'consolidated': '同意。'},
        headers=auth(testapp, 'expert'), status=403), 'forbidden', 403)
    closed = testapp.post_json(review['url'] + '/transitions/close',
                               {'consolidated': '专家组一致同意。'},
                               headers=inspector).json
    assert closed['state'] == 'closed'
    assert closed['review']['consolidated'] == '专家组一致同意。'
    assert [o['conclusion_title'] for o in closed['review']['opinions']] == [
        '同意', '同意']
    # closed: the experts no longer see the case (unless on another panel)
    assert_error(testapp.get(review['url'], headers=auth(testapp, 'expert'),
                             status=403), 'forbidden', 403)
    case = get_case(testapp, inspector, number).json
    assert 'expert_opinion' in {d['kind'] for d in case['documents']}
    drawn = [e for e in case['journal'] if e['action'] == 'expert.drawn']
    assert str(drawn[0]['data']['seed']) == draw['seed']
    # the review stops no grant: TZ-004 is decided as before
    decide(testapp, number, 'TZ-004', auth(testapp, 'reviewer.invest'),
           auth(testapp, 'head.invest'))


# -- authentication -----------------------------------------------------------

def test_no_authentication_is_401_json(testapp):
    response = testapp.get('/api/worklist', status=401)
    assert_error(response, 'unauthenticated', 401)
    assert response.headers['WWW-Authenticate'].startswith('Bearer')
    # whether a case exists is not for anonymous callers to find out
    assert_error(testapp.get('/api/cases/AS-20260101-000001', status=401),
                 'unauthenticated', 401)
    # the staff pages keep their HTML
    assert 'text/html' in testapp.get('/cases/nope', status='*').content_type


def test_wrong_credentials_and_wrong_tokens_are_401(testapp, clerk):
    response = testapp.post_json('/api/tokens', {
        'login': 'clerk', 'password': 'wrong'}, status=401)
    assert_error(response, 'wrong-credentials', 401, chinese=True)
    assert 'token' not in response.json
    response = testapp.post_json('/api/tokens', {'login': 'nobody',
                                                  'password': 'x'},
                                 status=401)
    assert_error(response, 'wrong-credentials', 401, chinese=True)
    valid = clerk['Authorization']
    for wrong in ('Bearer ', 'Bearer nonsense', 'Bearer 1.abc',
                  valid[:-2] + ('AA' if not valid.endswith('AA') else 'BB')):
        response = testapp.get('/api/worklist', headers={
            'Authorization': wrong}, status=401)
        assert_error(response, 'invalid-token', 401)
    testapp.get('/api/worklist', headers=clerk, status=200)


def test_a_token_can_be_revoked(testapp, clerk):
    testapp.delete('/api/tokens/current', headers=clerk, status=204)
    assert_error(testapp.get('/api/worklist', headers=clerk, status=401),
                 'invalid-token', 401)
    assert_error(testapp.delete('/api/tokens/current', headers=clerk,
                                status=401), 'invalid-token', 401)
    assert_error(testapp.delete('/api/tokens/current', status=400),
                 'no-token', 400)


def test_tokens_are_stored_hashed(testapp, var_dir):
    response = testapp.post_json('/api/tokens', {
        'login': 'clerk', 'password': DEMO_PASSWORD}, status=201)
    token = response.json['token']
    secret = token.split('.', 1)[1]
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        user = find_service(conn.root()['app_root'], 'principals')[
            'users']['clerk']
        stored = dict(user.casefile_api_tokens)
    finally:
        conn.close()
    assert len(stored) == 1
    assert token not in stored and secret not in repr(stored)
    with open(var_dir / 'Data.fs', 'rb') as f:
        assert secret.encode() not in f.read()


def test_token_expiry(testapp, clerk):
    import datetime
    from casefile.api import auth as api_auth
    response = testapp.post_json('/api/tokens', {
        'login': 'clerk', 'password': DEMO_PASSWORD}, status=201)
    expires = datetime.datetime.fromisoformat(response.json['expires'])
    lifetime = expires - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=7) < lifetime <= api_auth.TOKEN_LIFETIME


def test_cookie_sessions_need_the_csrf_header(login, testapp):
    browser = login('clerk')
    number = create(testapp, {'X-CSRF-Token': browser.csrf()})['case_number']
    # a GET needs no token; an unsafe request without the header is refused
    get_case(testapp, {}, number)
    response = fire(testapp, {}, number, 'refuse', reasons='不符合条件',
                    status=400)
    assert_error(response, 'csrf', 400)
    assert get_case(testapp, {}, number).json['state'] == 'submitted'
    response = fire(testapp, {'X-CSRF-Token': browser.csrf()}, number,
                    'refuse', reasons='不符合条件')
    assert response.json['state'] == 'refused'


# -- permissions --------------------------------------------------------------

def test_a_clerk_may_not_take_a_heads_step(testapp, clerk, accepted):
    number = accepted
    fire(testapp, auth(testapp, 'reviewer.market'), number,
         'submit_opinion', 'SC-001', opinion='符合条件。', proposal='grant')
    response = fire(testapp, clerk, number, 'grant', 'SC-001', status=403)
    error = assert_error(response, 'forbidden', 403, chinese=True)
    assert '准予许可' in error['message']
    conn, case = open_db_case(testapp, number)
    try:
        assert case['tasks']['SC-001'].state == 'awaiting_approval'
    finally:
        conn.close()
    # a reviewer of a section without an item in the case sees nothing
    assert_error(get_case(testapp, auth(testapp, 'reviewer.build'), number,
                          status=403), 'forbidden', 403)
    # a step from the wrong state
    assert_error(fire(testapp, clerk, number, 'accept', status=409),
                 'wrong-state', 409, chinese=True)


def test_unknown_case_item_step_and_address_are_404(testapp, clerk,
                                                    accepted):
    assert_error(get_case(testapp, clerk, 'AS-20200101-999999', status=404),
                 'not-found', 404)
    assert_error(fire(testapp, clerk, 'AS-20200101-999999', 'accept',
                      status=404), 'not-found', 404)
    market = auth(testapp, 'reviewer.market')
    assert_error(fire(testapp, market, accepted, 'submit_opinion', 'XX-999',
                      status=404), 'not-found', 404)
    assert_error(fire(testapp, clerk, accepted, 'fly', status=404),
                 'unknown-transition', 404, chinese=True)
    assert_error(testapp.get('/api/nothing-here', headers=clerk,
                             status=404), 'not-found', 404)
    assert_error(testapp.delete('/api/cases', headers=clerk, status=405),
                 'method-not-allowed', 405)


# -- validation ---------------------------------------------------------------

def test_an_invalid_credit_code_is_400_with_the_field(testapp, clerk):
    body = intake_body(testapp, applicant={'identifier': '91210302MA1234567X'})
    body['form']['shared']['employee_count'] = 'many'
    response = testapp.post_json('/api/cases', body, headers=clerk,
                                 status=400)
    error = assert_error(response, 'invalid', 400)
    assert set(error['fields']) == {'applicant.identifier',
                                    'shared.employee_count'}
    assert '统一社会信用代码' in error['fields']['applicant.identifier']
    assert testapp.get('/api/cases', headers=clerk).json['count'] == 0
    for bad in (b'not json', b'[1, 2]'):
        response = testapp.post('/api/cases', bad, headers=dict(
            clerk, **{'Content-Type': 'application/json'}), status=400)
        assert_error(response, 'invalid-json', 400)
    response = testapp.post_json('/api/cases', dict(body, application='X-9'),
                                 headers=clerk, status=400)
    assert_error(response, 'unknown-application', 400, chinese=True)


def test_a_stage_needs_its_project(testapp, clerk):
    response = testapp.post_json('/api/cases', intake_body(
        testapp, 'P-IND-1'), headers=clerk, status=400)
    assert_error(response, 'project-name-required', 400, chinese=True)
    response = testapp.post_json('/api/cases', intake_body(
        testapp, 'P-IND-2', project={'number': 'PJ-2020-999999'}),
        headers=clerk, status=400)
    assert_error(response, 'unknown-project', 400, chinese=True)


def test_refusing_without_reasons_changes_nothing(testapp, clerk):
    number = create(testapp, clerk)['case_number']
    response = fire(testapp, clerk, number, 'refuse', reasons='   ',
                    status=400)
    error = assert_error(response, 'missing-input', 400, chinese=True)
    assert error['field'] == 'reasons'
    assert '不予受理的理由' in error['message']
    case = get_case(testapp, clerk, number).json
    assert case['state'] == 'submitted'
    assert [e['action'] for e in case['journal']] == ['case.created']
    # missing materials: the guard says which
    response = fire(testapp, clerk, number, 'accept', status=409)
    assert_error(response, 'guard-failed', 409, chinese=True)


def test_refused_uploads_leave_no_trace(testapp, clerk):
    number = create(testapp, clerk)['case_number']
    big = b'%PDF-1.4\n' + b'0' * (20 * 1024 * 1024)
    cases = [
        (dict(data=big), 'too-large'),
        (dict(data=b''), 'empty'),
        (dict(filename='m.exe', data=b'MZ\x90\x00'), 'type-not-allowed'),
        (dict(data=b'GIF89a not a pdf'), 'content-mismatch'),
    ]
    for kw, code in cases:
        response = upload(testapp, clerk, number, 'commitment_letter',
                          status=400, **kw)
        assert_error(response, code, 400, chinese=True)
    response = upload(testapp, clerk, number, 'no_such_material', status=400)
    assert_error(response, 'unknown-material', 400)
    response = testapp.post('/api/cases/%s/materials' % number,
                            {'material_code': 'commitment_letter'},
                            headers=clerk, status=400)
    assert_error(response, 'no-file', 400, chinese=True)
    case = get_case(testapp, clerk, number).json
    assert case['materials'] == []
    assert [e['action'] for e in case['journal']] == ['case.created']


def test_replacing_a_material_keeps_its_versions(testapp, clerk):
    number = create(testapp, clerk)['case_number']
    first = upload(testapp, clerk, number, 'commitment_letter').json
    response = upload(testapp, clerk, number, '', replace=first['name'],
                      status=400)
    assert_error(response, 'missing-reason', 400, chinese=True)
    second = upload(testapp, clerk, number, '', data=PDF_BYTES + b'\n',
                    replace=first['name'], reason='原件不清晰').json
    assert second['name'] == first['name'] and second['version'] == 2
    assert second['sha256'] != first['sha256']
    assert [v['reason'] for v in second['versions']] == ['', '原件不清晰']


def test_search_and_applications(testapp, clerk):
    number = create(testapp, clerk)['case_number']
    found = testapp.get('/api/cases', {'q': number}, headers=clerk).json
    assert [c['case_number'] for c in found['cases']] == [number]
    found = testapp.get('/api/cases', {'q': VALID_CODE}, headers=clerk).json
    assert found['count'] == 1
    apps = {a['code']: a for a in testapp.get(
        '/api/applications', headers=clerk).json['applications']}
    assert apps['M-01']['kind'] == 'matter'
    assert apps['P-IND-1']['kind'] == 'stage'
    assert [i['code'] for i in apps['M-01']['items']] == [
        'SC-001', 'SY-001', 'SY-002', 'SY-003']
    detail = testapp.get('/api/applications/M-01', headers=clerk).json
    assert 'item_SY_001' in detail['form']
    assert 'credit_code' not in {f['key'] for f in detail['form']['shared']}
    assert_error(testapp.get('/api/applications/X-9', headers=clerk,
                             status=404), 'unknown-application', 404)


def test_an_unexpected_error_is_500_json(testapp, clerk, monkeypatch):
    from casefile.api import views

    def broken(*args, **kw):
        raise RuntimeError('boom')
    monkeypatch.setattr(views, 'search_cases', broken)
    response = testapp.get('/api/cases', headers=clerk, status=500)
    assert_error(response, 'server-error', 500)
    assert 'boom' not in response.text
