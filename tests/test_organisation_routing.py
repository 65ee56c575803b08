"""Across organisations (issue #14): a project stage whose items belong to
the bureau, a district chosen by the applicant's address and the fire
department; hand-over and return; who sees what; supervision by
organisation; joint work."""
import datetime
import re

import pytest

from casehelpers import (
    create_case, csrf_from, current_catalogue, deform_csrf, intake_controls,
    open_db_case, upload_required)
from test_lifecycle import decide, step

STAGE = 'P-LINK-1'        # TZ-001 bureau, QX-001 district, XF-001 fire


def controls_for(testapp, code, district, csrf):
    """The intake POST with every address in ``district``."""
    catalogue = current_catalogue(testapp)
    controls = intake_controls(catalogue, code, csrf=csrf)
    return [('district', district) if name == 'district' else (name, value)
            for name, value in controls]


def new_case(login, testapp, code=STAGE, district='210303'):
    clerk = login('clerk')
    response = clerk.post('/cases/new?application=%s' % code,
                          controls_for(testapp, code, district,
                                       deform_csrf(clerk, code)),
                          expect_errors=True)
    assert response.status_int == 302, response.text[:3000]
    url = response.location
    upload_required(clerk, url, testapp, code=code)
    response = step(clerk, url, '/do/accept')
    assert response.status_int == 302, response.text[:3000]
    return url, url.rsplit('/', 1)[-1]


def task_block(html, item):
    """The case page's block of one task (its heading to the next one)."""
    start = html.index('id="task-%s"' % item)
    end = html.find('class="task"', start + 10)
    return html[start:end if end > 0 else len(html)]


def timing_row(html, item):
    match = re.search(r'<tr[^>]*class="timing-%s".*?</tr>' % re.escape(item),
                      html, re.S)
    return match.group(0) if match else ''


@pytest.fixture
def linked(login, testapp):
    return new_case(login, testapp)


def test_a_stage_is_routed_to_the_bureau_the_district_and_the_fire_dept(
        login, testapp, linked):
    url, number = linked
    conn, case = open_db_case(testapp, number)
    try:
        assert case.organisations == ('bureau', 'tiexi', 'fire')
        assert case.district == '210303'
        routed = {t.item_code: (t.section, t.organisation, t.state)
                  for t in case.tasks()}
        assert routed == {
            'TZ-001': ('investment', 'bureau', 'in_review'),
            'QX-001': ('tiexi.approval', 'tiexi', 'in_review'),
            'XF-001': ('fire.review', 'fire', 'in_review')}
        assert 'tiexi.approval' in case.sections
        from casefile.clock import calendar_for
        from casefile.clock.timing import as_date
        expected = {}
        for task in case.tasks():
            start = as_date(task.started_on)
            expected[task.item_code] = calendar_for(
                task.organisation).add_working_days(
                start, task.promised_days).value.isoformat()
    finally:
        conn.close()

    # each organisation's user sees only their task
    for login_name, own in (('reviewer.tiexi', 'QX-001'),
                            ('reviewer.fire', 'XF-001')):
        page = login(login_name).get(url)
        for item in ('TZ-001', 'QX-001', 'XF-001'):
            assert (('id="task-%s"' % item) in page.text) == (item == own), \
                (login_name, item)
        home = login(login_name).get('/')
        assert number in home.text
    # the lead section (投资项目科) sees all three, each with its deadline
    lead = login('reviewer.invest').get(url)
    for item, deadline in expected.items():
        assert 'id="task-%s"' % item in lead.text
        assert deadline in timing_row(lead.text, item), item
    # another district's users and an unconcerned section see nothing
    login('reviewer.tiedong').get(url, status=403)
    login('reviewer.haicheng').get(url, status=403)
    login('reviewer.market').get(url, status=403)
    # a user of one organisation cannot decide another's item
    fire = login('reviewer.fire')
    response = step(fire, url, '/tasks/QX-001/do/submit_opinion',
                    opinion='越权。', proposal='grant')
    assert response.status_int in (403, 404), response.status_int

    decide(login, url, 'XF-001', 'reviewer.fire', 'head.fire')
    decide(login, url, 'QX-001', 'reviewer.tiexi', 'head.tiexi')
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'in_review'       # TZ-001 still open
    finally:
        conn.close()
    decide(login, url, 'TZ-001', 'reviewer.invest', 'head.invest')
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'decided'
        assert {t.state for t in case.tasks()} == {'granted'}
    finally:
        conn.close()
    assert step(login('issuer'), url, '/do/issue', delivery='in_person',
                recipient='张三').status_int == 302
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'completed'
    finally:
        conn.close()


def test_hand_over_carries_the_materials_and_the_result_returns(
        login, testapp, linked):
    url, number = linked
    decide(login, url, 'XF-001', 'reviewer.fire', 'head.fire')
    conn, case = open_db_case(testapp, number)
    try:
        journal = list(case.journal)
        handed = [e for e in journal
                  if e['action'] == 'organisation.handed_over']
        assert sorted(e['target'] for e in handed) == ['QX-001', 'XF-001']
        fire = case['tasks']['XF-001']
        need = {n for n, m in case['materials'].items()
                if not m.items or 'XF-001' in m.items}
        assert set(fire.handover['materials'][i]['name'] for i in range(
            len(fire.handover['materials']))) == need
        assert need and all(m['sha256'] for m in fire.handover['materials'])
        letter = case['documents'][fire.handover['document']]
        assert letter.kind == 'handover_letter'
        assert letter.sections == ('fire.review',)
        assert '鞍山市消防救援支队' in letter.text
        returned = [e for e in journal
                    if e['action'] == 'organisation.returned']
        assert [e['target'] for e in returned] == ['XF-001']
        decision = case['decisions'][fire.decision]
        assert returned[0]['data']['document'] == decision.number
        assert fire.returned['number'] == decision.number
        assert '承办单位：鞍山市消防救援支队' in decision.text
        # times, in order: hand-over before return
        assert handed[0]['when'] <= returned[0]['when']
        # the fire reviewer may open the materials its item needs, and
        # not the ones only another organisation's item needs
        other = [n for n, m in case['materials'].items()
                 if m.items and 'XF-001' not in m.items]
        own = sorted(need)[0]
    finally:
        conn.close()
    fire_user = login('reviewer.fire')
    fire_user.get('%s/materials/%s' % (url, own), status=200)
    for name in other:
        fire_user.get('%s/materials/%s' % (url, name), status=403)
    # nor the other items' own form fields, nor their journal entries
    page = fire_user.get(url)
    assert '临时用地面积' not in page.text and '计划开工年份' not in page.text
    assert '临时用地审批（属地） → 铁西区' not in page.text
    assert '建设项目消防安全布局和消防车通道规划意见 → 鞍山市消防救援支队' in page.text
    # the lead section sees hand-over and return on the case page
    lead = login('reviewer.invest').get(url)
    block = task_block(lead.text, 'XF-001')
    assert '移交' in block and decision.number in block
    assert '临时用地面积' in lead.text
    assert '临时用地审批（属地） → 铁西区行政审批局' in lead.text


def test_a_district_user_cannot_see_another_districts_case(login, testapp):
    url_tiedong, number_tiedong = new_case(login, testapp, district='210302')
    url_tiexi, number_tiexi = new_case(login, testapp, district='210303')
    tiedong = login('reviewer.tiedong')
    tiedong.get(url_tiedong, status=200)
    tiedong.get(url_tiexi, status=403)
    home = tiedong.get('/').text
    assert number_tiedong in home and number_tiexi not in home
    tiexi = login('reviewer.tiexi')     # one browser: the last sign-in
    tiexi.get(url_tiexi, status=200)
    tiexi.get(url_tiedong, status=403)
    # the organisation's worklist lists only what the user may see
    page = tiexi.get('/organisations/tiedong')
    assert number_tiedong not in page.text
    page = tiexi.get('/organisations/tiexi')
    assert 'org-task-%s-QX-001' % number_tiexi in page.text
    assert number_tiedong not in page.text
    # case searches follow the same ACLs
    assert number_tiedong not in tiexi.get('/cases').text


def test_a_district_item_needs_the_district_of_the_address(testapp):
    from casefile.organisation.routing import RoutingError, resolve
    catalogue = current_catalogue(testapp)
    with pytest.raises(RoutingError) as raised:
        resolve(catalogue, STAGE, {'shared': {}})
    assert raised.value.code == 'district-required'
    with pytest.raises(RoutingError) as raised:
        resolve(catalogue, STAGE, {'shared': {'project_address': {
            'district': '110101', 'detail': 'x'}}})
    assert raised.value.code == 'district-unknown'
    routed = resolve(catalogue, STAGE, {'shared': {'project_address': {
        'district': '210381', 'detail': '海城'}}})
    assert routed['item_sections']['QX-001'] == 'haicheng.approval'
    assert routed['district'] == '210381'
    assert routed['organisations'] == ('bureau', 'haicheng', 'fire')
    # a bureau-only matter: the bureau alone, the district of its address
    pharmacy = resolve(catalogue, 'M-01', {'shared': {'business_address': {
        'district': '210304', 'detail': 'x'}}})
    assert pharmacy['organisations'] == ('bureau',)
    assert pharmacy['district'] == '210304'


def test_a_matter_with_a_district_and_a_city_department(login, testapp):
    url, number = new_case(login, testapp, code='M-08', district='210381')
    conn, case = open_db_case(testapp, number)
    try:
        assert case.organisations == ('bureau', 'haicheng', 'fire')
        assert {t.item_code: t.state for t in case.tasks()} == {
            'SC-001': 'in_review', 'QX-002': 'waiting', 'XF-003': 'waiting'}
    finally:
        conn.close()
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    conn, case = open_db_case(testapp, number)
    try:
        qx = case['tasks']['QX-002']
        assert qx.state == 'in_review'
        # the licence issued by the bureau travels with the hand-over
        assert qx.handover['results'] and \
            qx.handover['results'][0]['number'] == \
            case['decisions'][case['tasks']['SC-001'].decision].number
    finally:
        conn.close()


def test_supervision_groups_by_organisation(login, testapp, linked):
    url, number = linked
    decide(login, url, 'XF-001', 'reviewer.fire', 'head.fire')
    decide(login, url, 'QX-001', 'reviewer.tiexi', 'head.tiexi')
    page = login('supervisor').get('/supervision')
    assert 'id="organisation-fire"' in page.text
    assert 'id="organisation-tiexi"' in page.text
    row = re.search(r'<tr id="organisation-fire">.*?</tr>', page.text,
                    re.S).group(0)
    link = re.search(r'href="([^"]*organisation=fire[^"]*)"', row).group(1)
    listing = login('supervisor').get(link.replace('&amp;', '&'))
    assert number in listing.text
    assert 'XF-001' in listing.text or '消防' in listing.text
    assert 'QX-001' not in listing.text
    # open tasks are attributed too: the bureau's TZ-001 is still open
    from casefile.supervision.dashboard import build, parse_period
    conn, _ = open_db_case(testapp, number)
    try:
        root = conn.root()['app_root']
        board = build(root, parse_period({}))
        orgs = {r.key[0]: r for r in board.organisations}
        assert orgs['fire'].decided == 1 and orgs['tiexi'].decided == 1
        assert 'bureau' in orgs and orgs['bureau'].decided == 0
        assert board.organisations[0].key == ('bureau',)
    finally:
        conn.close()


def test_each_organisation_counts_in_its_own_calendar():
    from casefile.clock import calendar_for, get_calendar
    from casefile.clock.timing import task_timing
    from types import SimpleNamespace
    import casefile.organisation as org
    org.configure('schemas/organisations.yaml')
    closed = datetime.date(2026, 12, 18)      # 铁东区 closure (demo)
    assert not calendar_for('tiedong').is_working_day(closed)
    assert get_calendar().is_working_day(closed)
    assert calendar_for('tiexi').is_working_day(closed)
    case = SimpleNamespace(clock_stops=())
    def task(organisation):
        return SimpleNamespace(
            case=case, started_on='2026-12-16', promised_days=3,
            statutory_days=5, item_code='QX-001', extensions=(),
            organisation=organisation)
    assert task_timing(task('tiexi')).deadline == datetime.date(2026, 12, 21)
    assert task_timing(task('tiedong')).deadline == datetime.date(2026, 12,
                                                                   22)


def test_organisation_pages(login):
    browser = login('reviewer.fire')
    page = browser.get('/organisations')
    for code in ('bureau', 'tiedong', 'haicheng', 'gaoxin', 'fire', 'natres',
                 'housing'):
        assert 'id="org-%s"' % code in page.text
    assert '铁东区行政审批局' in page.text and '210302' in page.text
    mine = re.search(r'<tr id="org-fire">.*?</tr>', page.text, re.S).group(0)
    assert '本单位' in mine
    page = browser.get('/organisations/tiedong')
    assert '白雪' in page.text and 'reviewer.tiedong' in page.text
    assert '2026-12-18' in page.text          # its own closure
    assert '临时用地审批（属地）' in page.text   # items by the district
    page = browser.get('/organisations/bureau')
    assert '市场准入科' in page.text
    browser.get('/organisations/nowhere', status=404)


def test_the_case_page_explains_an_organisations_own_closure():
    from casefile.case.views import explain_timings
    from casefile.clock.timing import Timing
    import casefile.organisation as org
    org.configure('schemas/organisations.yaml')
    clock = Timing(start=datetime.date(2026, 12, 16),
                   deadline=datetime.date(2026, 12, 22))
    rows = explain_timings([clock], {'tiedong'})
    assert ('2026-12-18', '铁东区行政审批局：本局闭馆：区政务服务中心搬迁（演示）') in rows \
        or any(d == '2026-12-18' and r.startswith('铁东区行政审批局：')
               for d, r in rows)
    assert [d for d, _r in rows] == sorted(d for d, _r in rows)
    assert not any(d == '2026-12-18' for d, _r in explain_timings([clock]))
