"""Annotations (批注): who reads and writes them follows the case's state."""
import pytest

from casehelpers import create_case, csrf_from, open_db_case, upload
from test_lifecycle import accepted, decide, inspect, step  # noqa: F401
from test_viewer import two_page_pdf

FLOOR_PLAN = 'm006'      # floor_plan: needed by SY-001/SY-002 (食品药品科)


def annotate(browser, url, name, expect_errors=True, **fields):
    data = {'csrf_token': browser.csrf(), 'container': 'materials',
            'name': name, 'page': '1', 'text': 'note'}
    data.update(fields)
    return browser.post(url.split('/materials/')[0] + '/annotations/add'
                        if '/materials/' in url else url +
                        '/annotations/add', data,
                        expect_errors=expect_errors)


def post(browser, url, path, **data):
    return browser.post(url + path, dict(data, csrf_token=browser.csrf()),
                        expect_errors=True)


def annotations(testapp, number):
    conn, case = open_db_case(testapp, number)
    try:
        return [(n, a.author, a.material, a.version, a.page, a.region,
                 a.text, a.resolved, a.told, [r['text'] for r in a.replies])
                for n, a in case['annotations'].items()]
    finally:
        conn.close()


@pytest.fixture
def reviewed(accepted, login):
    """An accepted pharmacy case whose floor plan has a 2-page version 2."""
    url, number = accepted
    clerk = login('clerk')
    page = clerk.get(url)
    response = clerk.post(url + '/upload', {
        'csrf_token': csrf_from(page.text), 'material_code': 'floor_plan',
        'replace': FLOOR_PLAN, 'reason': '补充第二页'},
        upload_files=[('file', 'floor-plan-v2.pdf', two_page_pdf())])
    assert response.status_int == 302, response.text[:2000]
    return url, number


def test_reviewer_annotation_is_shown_to_colleagues_of_the_section(
        reviewed, login, testapp):
    url, number = reviewed
    viewer = url + '/materials/%s/view' % FLOOR_PLAN
    reviewer = login('reviewer.food')
    response = annotate(reviewer, viewer + '?version=2&page=2', FLOOR_PLAN,
                        version='2', page='2', x='0.1', y='0.2', w='0.3',
                        h='0.1', quote='消防通道',
                        text='<script>alert(1)</script> 通道宽度不足')
    assert response.status_int == 302, response.text[:3000]
    assert response.location.endswith(
        '/view?version=2&page=2#annotations')
    [(name, author, material, version, page, region, text, *_rest)] = \
        annotations(testapp, number)
    assert (author, material, version, page) == (
        'reviewer.food', FLOOR_PLAN, 2, 2)
    assert region == (0.1, 0.2, 0.3, 0.1)

    head = login('head.food')
    shown = head.get(viewer + '?version=2&page=2')
    notes = shown.html.select('#annotations .annotation-text')
    assert [n.text for n in notes] == ['<script>alert(1)</script> 通道宽度不足']
    assert '<script>alert(1)' not in shown.text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in shown.text
    assert 'left:10.00%' in shown.text and '消防通道' in shown.text
    # only on its own page and version
    assert not head.get(viewer + '?version=2&page=1').html.select(
        '#annotations .annotation-text')
    assert not head.get(viewer + '?version=1').html.select(
        '#annotations .annotation-text')
    # the list of all annotations of the material shows it everywhere
    assert name in head.get(viewer + '?version=1').html.select(
        '#all-annotations')[0].text

    # reply and resolve
    case_url = url
    assert post(head, case_url, '/annotations/%s/reply' % name,
                text='同意，请窗口告知。').status_int == 302
    assert post(reviewer, case_url, '/annotations/%s/resolve' % name
                ).status_int == 302
    [(_n, *_x, resolved, told, replies)] = annotations(testapp, number)
    assert resolved and not told
    assert replies[-1] == '同意，请窗口告知。'
    page = head.get(viewer + '?version=2&page=2').text
    assert '同意，请窗口告知。' in page
    conn, case = open_db_case(testapp, number)
    try:
        actions = [e['action'] for e in case.journal]
        assert {'annotation.added', 'annotation.replied',
                'annotation.resolved'} <= set(actions)
        case.journal.verify()
    finally:
        conn.close()

    # another section's reviewer neither sees nor writes
    build = login('reviewer.build')
    build.get(viewer + '?version=2&page=2', status=403)
    assert post(build, case_url, '/annotations/%s/reply' % name,
                text='x').status_int == 403
    # the lead section (市场准入科) reads every material of the case
    market = login('reviewer.market')
    assert '通道宽度不足' in market.get(viewer + '?version=2&page=2').text
    # the inspection section may read but not write
    assert annotate(login('inspector'), case_url, FLOOR_PLAN
                    ).status_int == 403


def test_invalid_annotations_are_refused(reviewed, login, testapp):
    url, number = reviewed
    reviewer = login('reviewer.food')
    assert annotate(reviewer, url, FLOOR_PLAN, text='  ').status_int == 400
    assert annotate(reviewer, url, FLOOR_PLAN, x='0.9', y='0', w='0.5',
                    h='0.1').status_int == 400
    assert annotate(reviewer, url, 'm999').status_int == 404
    assert annotations(testapp, number) == []


def test_no_new_annotations_after_completion(reviewed, login, testapp):
    url, number = reviewed
    reviewer = login('reviewer.food')
    assert annotate(reviewer, url, FLOOR_PLAN, page='2', version='2',
                    text='平面图第二页需盖章').status_int == 302
    [(name, *_rest)] = annotations(testapp, number)
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    assert inspect(login, url).status_int == 302
    for item in ('SY-001', 'SY-002', 'SY-003'):
        decide(login, url, item, 'reviewer.food', 'head.food')
    issuer = login('issuer')
    assert step(issuer, url, '/do/issue', delivery='in_person',
                recipient='张三').status_int == 302
    conn, case = open_db_case(testapp, number)
    assert case.state == 'completed'
    conn.close()

    reviewer = login('reviewer.food')
    page = reviewer.get(url + '/materials/%s/view?version=2&page=2'
                        % FLOOR_PLAN)
    assert '平面图第二页需盖章' in page.text      # still readable
    assert 'id="annotate"' not in page.text
    assert annotate(reviewer, url, FLOOR_PLAN).status_int == 403
    assert post(reviewer, url, '/annotations/%s/reply' % name,
                text='late').status_int == 403
    assert post(reviewer, url, '/annotations/%s/resolve' % name
                ).status_int == 403
    assert len(annotations(testapp, number)) == 1


def test_flagged_note_goes_into_the_next_correction_notice(login, testapp):
    clerk = login('clerk')
    url = create_case(clerk).location
    number = url.rsplit('/', 1)[-1]
    assert upload(clerk, url, 'plan.pdf', two_page_pdf(),
                  'floor_plan').status_int == 302
    assert annotate(clerk, url, 'm001', text='平面图未标注面积',
                    tell_applicant='1').status_int == 302
    assert annotate(clerk, url, 'm001', text='内部备注：无需告知'
                    ).status_int == 302
    assert annotate(clerk, url, 'm001', text='已解决的问题',
                    tell_applicant='1').status_int == 302
    names = [a[0] for a in annotations(testapp, number)]
    assert post(clerk, url, '/annotations/%s/resolve' % names[2]
                ).status_int == 302
    response = step(clerk, url, '/do/request_correction',
                    notice='请补交营业执照副本')
    assert response.status_int == 302, response.text[:3000]

    def notices():
        conn, case = open_db_case(testapp, number)
        try:
            return [d.text for n, d in sorted(case['documents'].items())
                    if d.kind == 'correction_notice']
        finally:
            conn.close()
    [text] = notices()
    assert '1. 请补交营业执照副本' in text
    assert '2. 平面图未标注面积' in text
    assert '内部备注' not in text and '已解决的问题' not in text
    told = {a[0]: a[8] for a in annotations(testapp, number)}
    assert told == {names[0]: True, names[1]: False, names[2]: False}

    # told once: not repeated in the next notice
    assert step(clerk, url, '/do/resubmit').status_int == 302
    assert step(clerk, url, '/do/request_correction',
                notice='请补交租赁合同').status_int == 302
    second = notices()[1]
    assert '平面图未标注面积' not in second
