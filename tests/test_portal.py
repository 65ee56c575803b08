"""The applicant portal: accounts, applying online, notices, progress, rating.

Applicants and staff each get their own WebTest session (``applicant``
fixture / ``login``), as two people in two browsers would.
"""
import json
import re

import pytest
import webtest

from casefile.identifiers import credit_code_check_char, id_number_check_char
from casehelpers import (
    PDF_BYTES, PHARMACY, VALID_CODE, csrf_from, current_catalogue,
    intake_controls, open_db_case)
from test_lifecycle import decide, inspect, step

PASSWORD = 'kangning2026'


def credit(body):
    return body + credit_code_check_char(body)


OTHER_CODE = credit('91210303MA7654321')
ID_NUMBER = '21030219800101123' + id_number_check_char('21030219800101123')


def new_client(app, address='10.0.0.1'):
    return webtest.TestApp(app, extra_environ={'REMOTE_ADDR': address})


def register(client, identifier=VALID_CODE, mobile='13904121234',
             kind='company', name='鞍山市康宁大药房有限公司',
             password=PASSWORD, confirm=None):
    page = client.get('/portal/register')
    return client.post('/portal/register', {
        'csrf_token': csrf_from(page.text), 'kind': kind,
        'identifier': identifier, 'name': name, 'contact': '张三',
        'mobile': mobile, 'password': password,
        'confirm': password if confirm is None else confirm},
        expect_errors=True)


@pytest.fixture
def applicant(app):
    client = new_client(app)
    response = register(client)
    assert response.status_int == 302, response.text[:2000]
    return client


@pytest.fixture
def other(app):
    client = new_client(app, '10.0.0.2')
    response = register(client, identifier=OTHER_CODE, mobile='13904125678',
                        name='鞍山市仁和药房有限公司')
    assert response.status_int == 302, response.text[:2000]
    return client


def form_csrf(page):
    return re.search(r'name="_csrf_token_" value="([^"]+)"',
                     page.text).group(1)


def start_draft(client, code=PHARMACY):
    page = client.get('/portal/apply/%s' % code)
    response = client.post('/portal/apply/%s' % code,
                           {'csrf_token': csrf_from(page.text)})
    assert response.status_int == 302
    return response.location


def upload_to_draft(client, draft_url, code, filename='a.pdf',
                    data=PDF_BYTES, xhr=False):
    page = client.get(draft_url)
    headers = {'X-Requested-With': 'XMLHttpRequest'} if xhr else {}
    return client.post(draft_url + '/upload', {
        'csrf_token': csrf_from(page.text), 'material_code': code},
        upload_files=[('file', filename, data)], headers=headers,
        expect_errors=True)


def required_codes(testapp, code=PHARMACY):
    catalogue = current_catalogue(testapp)
    return [n.material.code for n in catalogue.merged_materials(code)
            if n.required and n.submitted_by_applicant]


def form_controls(testapp, page, code=PHARMACY, action='submit', **kw):
    catalogue = current_catalogue(testapp)
    controls = intake_controls(catalogue, code, csrf=form_csrf(page), **kw)
    controls = [c for c in controls if c[0] != 'submit']
    controls.append((action, action))
    return controls


def apply_online(client, testapp, code=PHARMACY, skip=()):
    """A complete online application; returns the case number."""
    draft_url = start_draft(client, code)
    for material in required_codes(testapp, code):
        if material not in skip:
            r = upload_to_draft(client, draft_url, material,
                                material + '.pdf')
            assert r.status_int == 302, r.text[:2000]
    page = client.get(draft_url)
    response = client.post(draft_url, form_controls(testapp, page, code),
                           expect_errors=True)
    assert response.status_int == 302, response.text[:3000]
    return response.location.rstrip('/').rsplit('/', 1)[-1]


def staff_url(number):
    return 'http://localhost/cases/%s' % number


# -- accounts ----------------------------------------------------------------------

def test_registration_checks_identifier_mobile_and_password(app, testapp):
    client = new_client(app)
    bad = register(client, identifier=VALID_CODE[:-1] + (
        'A' if VALID_CODE[-1] != 'A' else 'B'))
    assert bad.status_int == 400
    assert '不是有效的统一社会信用代码' in bad.text
    assert register(client, mobile='1234').status_int == 400
    weak = register(client, password='short')
    assert weak.status_int == 400 and '至少' in weak.text
    assert register(client, confirm='different-2026').status_int == 400
    person_bad = register(client, kind='person',
                          identifier='210302198001011230')
    assert person_bad.status_int == 400 and '身份证号码' in person_bad.text
    assert register(client).status_int == 302
    again = register(new_client(app), mobile='13800000000')
    assert again.status_int == 400 and '已存在' in again.text
    person = register(new_client(app), kind='person', identifier=ID_NUMBER,
                      mobile='13800000001', name='王小明')
    assert person.status_int == 302
    db = app.registry._zodb_databases['']
    conn = db.open()
    try:
        portal = conn.root()['app_root']['portal']
        account = portal.account_for_login(VALID_CODE)
        assert account.kind == 'company'
        assert PASSWORD not in account.password     # hashed (bcrypt)
        assert account.password.startswith('$2')
        assert portal.account_for_login('13800000001').kind == 'person'
        # applicants are not staff users
        assert VALID_CODE not in conn.root()['app_root']['principals'][
            'users']
    finally:
        conn.close()


def test_sign_in_by_identifier_or_mobile_and_throttling(app, applicant):
    client = new_client(app, '10.0.0.9')

    def attempt(login, password):
        page = client.get('/portal/login')
        return client.post('/portal/login', {
            'csrf_token': csrf_from(page.text), 'login': login,
            'password': password}, expect_errors=True)
    assert attempt('13904121234', PASSWORD).status_int == 302
    client.post('/portal/logout', {'csrf_token': csrf_from(
        client.get('/portal').text)})
    assert client.get('/portal/cases').status_int == 302
    assert attempt(VALID_CODE.lower(), PASSWORD).status_int == 302
    client.reset()
    for _i in range(5):
        response = attempt(VALID_CODE, 'wrong-password-1')
        assert response.status_int == 400
        assert '账户或密码错误' in response.text
    locked = attempt(VALID_CODE, PASSWORD)
    assert locked.status_int == 429
    assert '登录失败次数过多' in locked.text


def test_an_applicant_is_not_staff(applicant):
    assert '/login' in applicant.get('/').location
    assert applicant.get('/cases', expect_errors=True).status_int == 302
    assert applicant.get('/supervision/ratings').status_int == 302


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(testapp):
    for url in ('/portal/cases', '/portal/apply', '/portal/apply/M-01',
                '/portal/cases/AS-20260101-000001',
                '/portal/drafts/d-0000'):
        response = testapp.get(url)
        assert response.status_int == 302
        assert '/portal/login?came_from=' in response.location
    response = testapp.post('/portal/cases/AS-20260101-000001/rate',
                            {'level': '5'}, expect_errors=True)
    assert response.status_int == 403
    for url in ('/portal', '/portal/query', '/portal/register',
                '/portal/login'):
        assert testapp.get(url).status_int == 200


# -- applying ------------------------------------------------------------------------

def test_find_by_words_and_theme(applicant):
    page = applicant.get('/portal/apply', {'q': '药店'})
    assert '开办药店' in page.text and '开办餐馆' not in page.text
    page = applicant.get('/portal/apply', {'theme': '餐饮'})
    assert '开办餐馆' in page.text and '开办药店' not in page.text
    guide = applicant.get('/portal/apply/M-01')
    assert '/guides/M-01' in guide.text
    assert applicant.get('/portal/apply/NOPE',
                         expect_errors=True).status_int == 404


def test_draft_is_saved_and_resumed_even_unfinished(applicant, testapp):
    draft_url = start_draft(applicant)
    page = applicant.get(draft_url)
    controls = form_controls(testapp, page, action='save',
                             overrides={'business_area': 'not a number'})
    response = applicant.post(draft_url, controls)
    assert response.status_int == 302
    page = applicant.get(draft_url)
    assert 'not a number' in page.text
    assert '二一九路18号' in page.text
    listing = applicant.get('/portal/cases')
    assert draft_url.rsplit('/', 1)[1] in listing.text
    # submitting the invalid form shows the errors and keeps the draft
    response = applicant.post(draft_url, form_controls(
        testapp, page, overrides={'business_area': 'not a number'}),
        expect_errors=True)
    assert response.status_int == 400
    assert 'not a number' in response.text


def test_a_draft_of_an_application_no_longer_offered(applicant, testapp):
    import transaction
    draft_url = start_draft(applicant)
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        account = conn.root()['app_root']['portal'].account_for_login(
            VALID_CODE)
        draft = account.drafts[draft_url.rsplit('/', 1)[1]]
        draft.application_code = 'M-GONE'    # a later catalogue dropped it
        transaction.commit()
    finally:
        conn.close()
    response = applicant.get(draft_url)
    assert response.location.endswith('/portal/apply')
    assert '不能再按此草稿申请' in response.follow().text


def test_uploads_are_checked_with_clear_messages(applicant, testapp):
    draft_url = start_draft(applicant)
    code = required_codes(testapp)[0]
    wrong = upload_to_draft(applicant, draft_url, code, 'a.exe', b'MZ...')
    assert wrong.status_int == 400 and '不接受' in wrong.text
    fake = upload_to_draft(applicant, draft_url, code, 'a.pdf',
                           b'not really a pdf', xhr=True)
    assert fake.status_int == 400
    body = json.loads(fake.text)
    assert body['ok'] is False and 'pdf' in body['error']
    empty = upload_to_draft(applicant, draft_url, code, 'a.pdf', b'')
    assert empty.status_int == 400 and '空' in empty.text
    good = upload_to_draft(applicant, draft_url, code, 'ok.pdf', xhr=True)
    assert good.status_int == 200 and json.loads(good.text)['ok'] is True
    # submitting without the other required materials names them
    page = applicant.get(draft_url)
    response = applicant.post(draft_url, form_controls(testapp, page),
                              expect_errors=True)
    assert response.status_int == 400
    assert '请先上传以下必需材料' in response.text


def test_online_application_lands_in_the_intake_queue(
        applicant, testapp, login):
    number = apply_online(applicant, testapp)
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'submitted'
        assert case.channel == 'online'
        assert case.applicant['identifier'] == VALID_CODE
        assert case.applicant['kind'] == 'company'
        assert len(case.query_code) == 8
        account = conn.root()['app_root']['portal'].account_for_login(
            VALID_CODE)
        assert case.applicant_account == account.id
        assert not account.drafts
        assert {m.material_code for m in case['materials'].values()} >= \
            set(required_codes(testapp))
    finally:
        conn.close()
    clerk = login('clerk')
    home = clerk.get('/')
    assert number in home.text
    staff_page = clerk.get(staff_url(number))
    assert '网上申请' in staff_page.text          # the channel
    assert case.query_code in staff_page.text
    # the journal names the applicant, not their internal account id
    assert '（申请人，网上办理）' in staff_page.text
    assert 'applicant:' not in staff_page.text
    page = applicant.get('/portal/cases/%s' % number)
    assert '网上提交申请' in page.text


def test_window_cases_get_a_query_code_too(login, testapp):
    from casehelpers import create_case
    clerk = login('clerk')
    url = create_case(clerk).location
    conn, case = open_db_case(testapp, url.rsplit('/', 1)[-1])
    try:
        assert len(case.query_code) == 8
        assert case.applicant_account is None
    finally:
        conn.close()
    page = clerk.get(url)
    assert '窗口申请' in page.text and case.query_code in page.text


def test_a_window_case_is_added_with_its_query_code(
        applicant, other, login, testapp):
    from casehelpers import create_case
    clerk = login('clerk')
    number = create_case(clerk).location.rsplit('/', 1)[-1]
    conn, case = open_db_case(testapp, number)
    code = case.query_code
    conn.close()

    def claim(client, number, code):
        token = csrf_from(client.get('/portal/cases').text)
        return client.post('/portal/claim', {
            'csrf_token': token, 'number': number, 'code': code})
    # the right code, but the case is not this company's
    response = claim(other, number, code)
    assert '/portal/cases' in response.location
    assert number not in other.get('/portal/cases').text
    assert other.get('/portal/cases/' + number,
                     expect_errors=True).status_int == 404
    # this company's case, wrong code
    claim(applicant, number, 'AAAAAAAA')
    assert applicant.get('/portal/cases/' + number,
                         expect_errors=True).status_int == 404
    response = claim(applicant, number, code)
    assert response.location.endswith('/portal/cases/' + number)
    assert '窗口收到申请' in applicant.get(response.location).text
    assert number in applicant.get('/portal/cases').text
    # once linked, nobody else can take it
    assert claim(other, number, code).location.endswith('/portal/cases')


# -- correction, notices, resubmission -----------------------------------------------------

@pytest.fixture
def corrected(applicant, testapp, login):
    """An online case the window sent back for correction."""
    number = apply_online(applicant, testapp)
    clerk = login('clerk')
    response = step(clerk, staff_url(number), '/do/request_correction',
                    notice='经营场所使用证明不清晰，请重新上传。\n补充营业场所平面图。')
    assert response.status_int == 302, response.text[:2000]
    return number


def test_correction_notice_fix_and_resubmit(applicant, testapp, corrected):
    number = corrected
    url = '/portal/cases/%s' % number
    page = applicant.get(url)
    assert '经营场所使用证明不清晰' in page.text
    pdf = re.search(r'href="[^"]*(/portal/cases/[^"]+correction_notice[^"]*'
                    r'\.pdf)"', page.text)
    assert pdf, page.text
    download = applicant.get(pdf.group(1))
    assert download.content_type == 'application/pdf'
    assert download.body.startswith(b'%PDF')
    # nothing uploaded yet: resubmitting is refused
    refused = applicant.post(url + '/resubmit', {
        'csrf_token': csrf_from(page.text)}, expect_errors=True)
    assert refused.status_int == 400 and '请先上传' in refused.text
    bad = applicant.post(url + '/correction', {
        'csrf_token': csrf_from(page.text), 'material_code': 'premises_proof'},
        upload_files=[('file', 'x.pdf', b'plain text')], expect_errors=True)
    assert bad.status_int == 400
    fix = applicant.post(url + '/correction', {
        'csrf_token': csrf_from(page.text), 'material_code': 'premises_proof'},
        upload_files=[('file', 'premises-v2.pdf', PDF_BYTES)])
    assert fix.status_int == 302
    page = applicant.get(url)
    response = applicant.post(url + '/resubmit', {
        'csrf_token': csrf_from(page.text), 'comment': '已重新上传。'})
    assert response.status_int == 302
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'submitted'
        versions = [m for m in case['materials'].values()
                    if m.material_code == 'premises_proof']
        assert len(versions[0].versions) == 2
        assert versions[0].current.uploaded_by.startswith('applicant:')
    finally:
        conn.close()
    page = applicant.get(url)
    assert '已补正' in page.text


def test_materials_accepted_with_gaps_are_supplied_online(
        applicant, testapp, login):
    number = apply_online(applicant, testapp,
                          skip=('staff_health_certificates',))
    clerk = login('clerk')
    response = step(clerk, staff_url(number), '/do/accept_with_gaps',
                    due='2026-12-20', comment='健康证明后补。')
    assert response.status_int == 302, response.text[:2000]
    url = '/portal/cases/%s' % number
    page = applicant.get(url)
    assert '容缺受理后需补交的材料' in page.text
    assert '2026-12-20' in page.text
    token = csrf_from(page.text)
    # only the missing material may be added now
    other = applicant.post(url + '/correction', {
        'csrf_token': token, 'material_code': 'premises_proof'},
        upload_files=[('file', 'again.pdf', PDF_BYTES)], expect_errors=True)
    assert other.status_int == 400
    response = applicant.post(url + '/correction', {
        'csrf_token': token, 'material_code': 'staff_health_certificates'},
        upload_files=[('file', 'health.pdf', PDF_BYTES)])
    assert response.status_int == 302
    page = applicant.get(url)
    assert '容缺受理后需补交的材料' not in page.text
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'in_review'
        assert 'staff_health_certificates' in {
            m.material_code for m in case['materials'].values()}
    finally:
        conn.close()


# -- nobody opens another applicant's case ------------------------------------------------

def test_an_applicant_cannot_open_another_applicants_case(
        applicant, other, testapp, corrected):
    number = corrected
    conn, case = open_db_case(testapp, number)
    try:
        material = next(iter(case['materials'].keys()))
        notice = next(iter(case['documents'].keys()))
    finally:
        conn.close()
    urls = ['/portal/cases/%s' % number,
            '/portal/cases/%s/materials/%s' % (number, material),
            '/portal/cases/%s/documents/documents/%s.pdf' % (number, notice)]
    for url in urls:
        assert applicant.get(url).status_int == 200, url
        response = other.get(url, expect_errors=True)
        assert response.status_int == 404, url
        # a number that does not exist looks exactly the same
    missing = other.get('/portal/cases/AS-20990101-999999',
                        expect_errors=True)
    assert missing.status_int == 404
    token = csrf_from(other.get('/portal/cases').text)
    for path in ('/correction', '/resubmit', '/rate'):
        response = other.post('/portal/cases/%s%s' % (number, path),
                              {'csrf_token': token, 'level': '1'},
                              expect_errors=True)
        assert response.status_int == 404, path
    # drafts too
    draft_url = start_draft(applicant)
    assert other.get(draft_url, expect_errors=True).status_int == 404
    response = other.post(draft_url + '/upload', {
        'csrf_token': token, 'material_code': 'premises_proof'},
        upload_files=[('file', 'a.pdf', PDF_BYTES)], expect_errors=True)
    assert response.status_int == 404
    assert other.post(draft_url + '/delete', {'csrf_token': token},
                      expect_errors=True).status_int == 404
    assert number not in other.get('/portal/cases').text
    # internal documents never reach the applicant, even their own case
    assert applicant.get(
        '/portal/cases/%s/documents/decisions/x.pdf' % number,
        expect_errors=True).status_int == 404


# -- progress query without login ------------------------------------------------------

def query(client, number, code):
    page = client.get('/portal/query')
    return client.post('/portal/query', {
        'csrf_token': csrf_from(page.text), 'number': number, 'code': code},
        expect_errors=True)


def test_progress_query_by_number_and_code(app, applicant, testapp):
    number = apply_online(applicant, testapp)
    conn, case = open_db_case(testapp, number)
    code = case.query_code
    conn.close()
    anonymous = new_client(app, '10.0.0.7')
    found = query(anonymous, number, code.lower())
    assert found.status_int == 200
    assert '等待窗口审查' in found.text and '承诺' in found.text
    assert '康宁' not in found.text     # no names without signing in
    wrong = query(anonymous, number, 'ABCDEFGH')
    unknown = query(anonymous, 'AS-20990101-999999', code)

    def message(response):
        return re.search(r'role="alert">([^<]+)<', response.text).group(1)
    assert wrong.status_int == unknown.status_int == 404
    assert message(wrong) == message(unknown)
    assert number not in message(wrong)
    for _i in range(8):
        query(anonymous, number, 'WRONG000')
    locked = query(anonymous, number, code)
    assert locked.status_int == 429
    # another address is not locked
    assert query(new_client(app, '10.0.0.8'), number, code).status_int == 200


# -- the whole way: decision, certificate, rating, follow-up -----------------------------------

def complete(login, number):
    url = staff_url(number)
    clerk = login('clerk')
    response = step(clerk, url, '/do/accept')
    assert response.status_int == 302, response.text[:2000]
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    assert inspect(login, url).status_int == 302
    for item in ('SY-001', 'SY-002', 'SY-003'):
        decide(login, url, item, 'reviewer.food', 'head.food')
    issuer = login('issuer')
    response = step(issuer, url, '/do/issue', delivery='online',
                    recipient='张三')
    assert response.status_int == 302, response.text[:2000]


@pytest.fixture
def completed(applicant, testapp, login):
    number = apply_online(applicant, testapp)
    complete(login, number)
    return number


def test_results_timeline_rating_and_follow_up(applicant, testapp, login,
                                               completed):
    number = completed
    url = '/portal/cases/%s' % number
    page = applicant.get(url)
    for words in ('已受理', '现场勘验', '准予许可', '已办结'):
        assert words in page.text, words
    certificates = re.findall(
        r'href="[^"]*(/portal/cases/[^"]+/certificates/[^"]+\.pdf)"',
        page.text)
    conn, case = open_db_case(testapp, number)
    try:
        assert len(certificates) == len(case['certificates']) >= 1
    finally:
        conn.close()
    pdf = applicant.get(certificates[0])
    assert pdf.body.startswith(b'%PDF')
    conn, case = open_db_case(testapp, number)
    try:
        notice = next(d for d in case['documents'].values()
                      if d.kind == 'acceptance_notice')
        assert '查询码：%s' % case.query_code in notice.text
    finally:
        conn.close()
    acceptance = re.search(r'(/portal/cases/[^"]+acceptance_notice[^"]*'
                           r'\.pdf)"', page.text).group(1)
    assert applicant.get(acceptance).content_type == 'application/pdf'
    # internal records are not offered
    assert 'inspection_report' not in page.text
    token = csrf_from(page.text)
    assert applicant.post(url + '/rate', {'csrf_token': token,
                                          'level': '9'},
                          expect_errors=True).status_int == 400
    no_reason = applicant.post(url + '/rate', {'csrf_token': token,
                                               'level': '1'},
                               expect_errors=True)
    assert no_reason.status_int == 400 and '请告诉我们' in no_reason.text
    response = applicant.post(url + '/rate', {
        'csrf_token': token, 'level': '2', 'comment': '窗口排队时间太长。'})
    assert response.status_int == 302
    twice = applicant.post(url + '/rate', {'csrf_token': token,
                                           'level': '5'},
                           expect_errors=True)
    assert twice.status_int == 400
    from casefile.portal.ratings import rating_summary
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        root = conn.root()['app_root']
        summary = rating_summary(root)
        assert summary['count'] == 1 and summary['bad'] == 1
        assert summary['open_followups'] == 1
        followup = next(iter(root['portal'].followups.values()))
        assert followup.due > followup.created.date()
    finally:
        conn.close()
    supervisor = login('supervisor')
    dashboard = supervisor.get('/supervision')
    panel = dashboard.text[dashboard.text.index('id="ratings"'):]
    assert re.search(r'差评数</dt><dd>1</dd>', panel)
    assert re.search(r'待回访</dt><dd>1</dd>', panel)
    board = supervisor.get('/supervision/ratings')
    assert '窗口排队时间太长' in board.text
    resolve = re.search(r'action="([^"]+/resolve)"', board.text).group(1)
    empty = supervisor.post(resolve, {'csrf_token': csrf_from(board.text),
                                      'resolution': ''},
                            expect_errors=True)
    assert empty.status_int == 400
    done = supervisor.post(resolve, {'csrf_token': csrf_from(board.text),
                                     'resolution': '已电话回访，增开窗口。'})
    assert done.status_int == 302
    conn = db.open()
    try:
        assert rating_summary(conn.root()['app_root'])[
            'open_followups'] == 0
    finally:
        conn.close()
    assert login('clerk').get('/supervision/ratings',
                              expect_errors=True).status_int == 403


def test_reuse_of_materials_and_certificates_held(applicant, testapp,
                                                  completed):
    """A second application reuses the licence the bureau issued and the
    reusable materials of the first case, without uploading them."""
    draft_url = start_draft(applicant, 'M-03')
    page = applicant.get(draft_url)
    options = re.findall(r'<option value="((?:material|certificate):'
                         r'[^"]+)"', page.text)
    assert options, page.text
    catalogue = current_catalogue(testapp)
    needs = {n.material.code for n in catalogue.merged_materials('M-03')
             if n.submitted_by_applicant}
    reused = 0
    reused_codes = set()
    for code in needs:
        held = re.search(r'name="material_code" value="%s">\s*<label '
                         r'for="ref-%s"[^>]*>[^<]*</label>\s*<select[^>]*>\s*'
                         r'<option value="([^"]+)"' % (code, code),
                         page.text)
        if held:
            response = applicant.post(draft_url + '/reuse', {
                'csrf_token': csrf_from(page.text), 'material_code': code,
                'ref': held.group(1)})
            assert response.status_int == 302
            reused += 1
            reused_codes.add(code)
    assert reused
    bogus = applicant.post(draft_url + '/reuse', {
        'csrf_token': csrf_from(page.text), 'material_code': 'premises_proof',
        'ref': 'material:AS-20990101-000001:m001'}, expect_errors=True)
    assert bogus.status_int == 400
    for code in required_codes(testapp, 'M-03'):
        if code not in reused_codes:
            upload_to_draft(applicant, draft_url, code, code + '.pdf')
    page = applicant.get(draft_url)
    response = applicant.post(draft_url, form_controls(testapp, page,
                                                       'M-03'),
                              expect_errors=True)
    assert response.status_int == 302, response.text[:3000]
    number = response.location.rsplit('/', 1)[-1]
    conn, case = open_db_case(testapp, number)
    try:
        sources = [getattr(m, 'reused_from', None)
                   for m in case['materials'].values()]
        assert sum(1 for s in sources if s) == reused
        case.journal.verify()
    finally:
        conn.close()


def test_every_portal_route_needs_an_applicant_except_the_public_ones(
        testapp):
    """The route walk of test_security_routes lists the portal's views as
    public for staff; here each one is walked as an anonymous visitor."""
    from test_security_routes import PORTAL, fill, our_views, request
    open_to_all = {'portal', 'portal_register', 'portal_login',
                   'portal_logout', 'portal_query'}
    views = [v for v in our_views(testapp.app) if v['route'] in PORTAL]
    assert {v['route'] for v in views} == PORTAL
    for view in views:
        url = fill(view['pattern'], 'AS-20260101-000001', 'm001')
        response = request(testapp, view['method'], url)
        where = '%s %s' % (view['method'], url)
        if view['route'] in open_to_all:
            assert response.status_int in (200, 302), where
            if response.status_int == 302:
                assert 'login' not in response.location, where
        elif view['method'] == 'GET':
            assert response.status_int == 302, where
            assert '/portal/login?came_from=' in response.location, where
        else:
            assert response.status_int == 403, where


# -- every field has a label ------------------------------------------------------------------

class _Fields:
    """Inputs, selects and textareas of a page, and the ids labels name."""

    def __init__(self, html):
        from html.parser import HTMLParser
        self.controls = []
        self.labelled = set()
        self.wrapped = 0
        fields = self

        class Parser(HTMLParser):
            depth = 0

            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == 'label':
                    if attrs.get('for'):
                        fields.labelled.add(attrs['for'])
                    else:
                        Parser.depth += 1
                elif tag in ('input', 'select', 'textarea'):
                    kind = (attrs.get('type') or '').lower()
                    if kind in ('hidden', 'submit', 'button'):
                        return
                    if Parser.depth or attrs.get('aria-label'):
                        fields.wrapped += 1
                        return
                    fields.controls.append(attrs.get('id') or attrs.get(
                        'name'))

            def handle_endtag(self, tag):
                if tag == 'label' and Parser.depth:
                    Parser.depth -= 1
        Parser().feed(html)

    def unlabelled(self):
        return [c for c in self.controls if c not in self.labelled]


def test_every_field_of_the_portal_has_a_label(applicant, testapp,
                                                corrected):
    number = corrected
    draft_url = start_draft(applicant)
    pages = ['/portal', '/portal/query', '/portal/apply',
             '/portal/apply/M-01', draft_url, '/portal/cases',
             '/portal/cases/%s' % number]
    anonymous = new_client(testapp.app, '10.0.0.5')
    for url in ('/portal/register', '/portal/login'):
        fields = _Fields(anonymous.get(url).text)
        assert fields.controls and not fields.unlabelled(), url
    for url in pages:
        fields = _Fields(applicant.get(url).text)
        assert not fields.unlabelled(), (url, fields.unlabelled())
    draft = _Fields(applicant.get(draft_url).text)
    assert len(draft.controls) > 20      # the one form and the uploads


def test_rating_summary_counts_overdue_follow_ups_and_sections():
    import datetime
    from casefile.portal.model import Portal
    from casefile.portal.ratings import FollowUp, Rating, rating_summary
    portal = Portal()
    due = datetime.date(2026, 12, 1)
    portal.followups['f-1'] = FollowUp('f-1', 'AS-1', 1, 'slow', due)
    closed = FollowUp('f-2', 'AS-2', 2, 'rude', due)
    closed.resolution = 'talked to the clerk'
    portal.followups['f-2'] = closed
    for number, level, sections in (('AS-1', 1, ('market',)),
                                    ('AS-2', 2, ('market', 'food')),
                                    ('AS-3', 5, ('food',))):
        portal.ratings[number] = Rating(number, 'ap-1', level, '', sections)
    root = {'portal': portal}
    before = rating_summary(root, now=due)
    after = rating_summary(root, now=due + datetime.timedelta(days=1))
    assert before['overdue_followups'] == 0
    assert after['overdue_followups'] == 1
    assert after['open_followups'] == 1
    assert after['count'] == 3 and after['bad'] == 2
    assert after['satisfied_rate'] == round(1 / 3, 4)
    assert after['by_section'] == {'market': {'count': 2, 'average': 1.5},
                                   'food': {'count': 2, 'average': 3.5}}
    today = datetime.date.today()
    assert rating_summary(root, start=today + datetime.timedelta(days=1))[
        'count'] == 0
