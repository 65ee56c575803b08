"""Joint work (联合审批): one meeting across sections and organisations,
one set of minutes, each participant's conclusion."""
import re

from casehelpers import csrf_from, open_db_case
from test_organisation_routing import new_case


def post(browser, url, path, **form):
    page = browser.get(url)
    form['csrf_token'] = csrf_from(page.text)
    return browser.post(url + path, form, expect_errors=True)


def test_joint_review_meeting_with_minutes_and_conclusions(login, testapp):
    url, number = new_case(login, testapp)
    joint = url + '/joint'
    lead = login('reviewer.invest')
    page = lead.get(joint)
    assert 'name="participants" value="fire.review"' in page.text
    # at least two participants, all of the case
    response = post(lead, joint, '', kind='meeting', topic='联合审查',
                    date='2026-12-01', participants='investment')
    assert response.status_int == 400
    assert '至少需要两个' in response.text
    response = lead.post(joint, [
        ('csrf_token', csrf_from(lead.get(joint).text)), ('kind', 'meeting'),
        ('topic', '联合审查'), ('date', '2026-12-01'),
        ('participants', 'investment'), ('participants', 'market_entry')],
        expect_errors=True)
    assert response.status_int == 400 and 'market_entry' in response.text
    response = post(lead, joint, '', kind='meeting', topic='联合审查',
                    date='12/01/2026', participants='investment')
    assert response.status_int == 400
    response = lead.post(joint, [
        ('csrf_token', csrf_from(lead.get(joint).text)), ('kind', 'meeting'),
        ('topic', '项目选址与消防布局联合审查'), ('date', '2026-12-01'),
        ('place', '政务服务中心四楼会议室'), ('participants', 'investment'),
        ('participants', 'tiexi.approval'), ('participants', 'fire.review')],
        expect_errors=True)
    assert response.status_int == 302, response.text[:2000]
    session_url = response.location
    assert session_url.endswith('/joint/j001')

    # only the lead section convenes
    fire = login('reviewer.fire')
    response = post(fire, joint, '', kind='meeting', topic='x',
                    date='2026-12-01', participants='fire.review')
    assert response.status_int == 403
    # a participant concludes for its own section only, once, with reasons
    response = post(fire, session_url, '/conclusion',
                    section='tiexi.approval', conclusion='agree')
    assert response.status_int == 403
    response = post(fire, session_url, '/conclusion', section='fire.review',
                    conclusion='disagree', text='')
    assert response.status_int == 400 and '理由' in response.text
    response = post(fire, session_url, '/conclusion', section='fire.review',
                    conclusion='agree')
    assert response.status_int == 302
    response = post(fire, session_url, '/conclusion', section='fire.review',
                    conclusion='agree')
    assert response.status_int == 400 and '已提交意见' in response.text
    # minutes and closing are the lead section's
    assert post(fire, session_url, '/minutes',
                minutes='x').status_int == 403
    lead = login('reviewer.invest')
    response = post(lead, session_url, '/close')
    assert response.status_int == 409 and '纪要' in response.text
    assert post(lead, session_url, '/minutes',
                minutes='各单位对项目选址、消防车通道布局达成一致。'
                ).status_int == 302
    response = post(lead, session_url, '/close')
    assert response.status_int == 409
    assert '铁西区行政审批局审批科' in response.text
    assert post(lead, session_url, '/conclusion', section='investment',
                conclusion='agree').status_int == 302
    tiexi = login('reviewer.tiexi')
    assert post(tiexi, session_url, '/conclusion',
                section='tiexi.approval', conclusion='conditions',
                text='临时用地期满后恢复原状。').status_int == 302
    lead = login('reviewer.invest')
    assert post(lead, session_url, '/close').status_int == 302
    # closed: nothing changes any more
    response = post(lead, session_url, '/minutes', minutes='改写')
    assert response.status_int == 400 and '已结束' in response.text

    conn, case = open_db_case(testapp, number)
    try:
        session = case['joint_work']['j001']
        assert session.closed and session.document
        minutes = case['documents'][session.document]
        assert minutes.kind == 'joint_minutes'
        assert minutes.title == '联合审查会议纪要'
        text = minutes.text
        assert '各单位对项目选址' in text
        assert '铁西区行政审批局审批科：有条件同意（临时用地期满后恢复原状。）' in text
        assert '鞍山市消防救援支队防火监督处：同意' in text
        assert '投资项目科：同意' in text
        actions = [e['action'] for e in case.journal
                   if e['action'].startswith('joint.')]
        assert actions == ['joint.convened', 'joint.conclusion',
                           'joint.minutes', 'joint.conclusion',
                           'joint.conclusion', 'joint.closed']
        case.journal.verify()
    finally:
        conn.close()
    # every participant (and nobody outside the case) reads the record
    page = login('reviewer.tiexi').get(session_url)
    assert re.search(r'id="conclusion-fire.review"', page.text)
    login('reviewer.market').get(session_url, status=403)


def test_joint_inspection_lets_the_inspection_section_in(login, testapp):
    """P-LINK-1 needs no site inspection: inspectors cannot open the case
    until the lead section invites them to a joint inspection."""
    url, number = new_case(login, testapp)
    login('inspector').get(url, status=403)
    lead = login('reviewer.invest')
    response = lead.post(url + '/joint', [
        ('csrf_token', csrf_from(lead.get(url + '/joint').text)),
        ('kind', 'inspection'), ('topic', '临时用地现场联合踏勘'),
        ('date', '2026-12-02'), ('participants', 'tiexi.approval'),
        ('participants', 'site_inspection')], expect_errors=True)
    assert response.status_int == 302, response.text[:2000]
    session_url = response.location
    inspector = login('inspector')
    inspector.get(url, status=200)
    assert post(inspector, session_url, '/conclusion',
                section='site_inspection', conclusion='agree'
                ).status_int == 302
    conn, case = open_db_case(testapp, number)
    try:
        session = case['joint_work']['j001']
        assert session.kind == 'inspection'
        assert session.conclusions['site_inspection']['by'] == 'inspector'
        assert session.missing() == ['tiexi.approval']
    finally:
        conn.close()
