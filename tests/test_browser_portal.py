"""The applicant's whole way through the portal in Chromium.

register → find 开办药店 → read the guide → upload the materials (with the
progress bar) → fill the one form, save a draft, come back, submit → the
window asks for a correction (Chromium, as the clerk) → the applicant
uploads the fix against the one-time notice and resubmits → the window
accepts → the sections grant (over HTTP against the same server, as in
test_lifecycle: their pages are tested elsewhere) → the issuance window
delivers online → the applicant downloads the certificate and rates the
service.  A phone-sized view of the case page checks the layout.

Screenshots: test-output/screenshots/portal-*.png.
"""
import re

from browser_support import (  # noqa: F401  (fixtures)
    browser, browser_page, fill_one_form, live_server, new_page, shot)
from casefile.identifiers import credit_code_check_char
from casehelpers import csrf_from
from live import Client

PASSWORD = 'kangning2026'
CODE = '91210302MA7777777' + credit_code_check_char('91210302MA7777777')
PDF_BYTES = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
             b'2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer'
             b'<</Root 1 0 R>>\n%%EOF\n')
PHONE = {'width': 390, 'height': 844}


def staff_step(client, url, path, **inputs):
    token = csrf_from(client.get(url).text)
    response = client.post_form(url + path, list(dict(
        inputs, csrf_token=token).items()))
    assert response.status == 302, response.text[:2000]


def grant_everything(base, number):
    """The sections decide, the inspection passes, the window issues."""
    url = '/cases/%s' % number
    for item, section in (('SC-001', 'market'), ('SY-001', 'food'),
                          ('SY-002', 'food'), ('SY-003', 'food')):
        if item == 'SY-001':
            inspector = Client(base).login('inspector')
            staff_step(inspector, url, '/inspection/do/schedule',
                       date='2026-12-01', address='鞍山市铁东区二一九路18号',
                       inspectors='冯军\n何丽', expected_days='3')
            page = inspector.get(url + '/inspection').text
            form = {'inspectors': '冯军\n何丽', 'confirm': 'yes'}
            for i in range(len(re.findall(
                    r'name="result-(\d+)" value="pass"', page))):
                form['result-%d' % i] = 'pass'
            staff_step(inspector, url, '/inspection/report', **form)
        reviewer = Client(base).login('reviewer.' + section)
        staff_step(reviewer, url, '/tasks/%s/do/submit_opinion' % item,
                   opinion='材料齐全，符合法定条件。', proposal='grant')
        head = Client(base).login('head.' + section)
        staff_step(head, url, '/tasks/%s/do/grant' % item, comment='同意。')
    issuer = Client(base).login('issuer')
    staff_step(issuer, url, '/do/issue', delivery='online',
               recipient='鞍山市康宁大药房有限公司')


def upload(page, code, path):
    block = page.locator('#m-%s' % code)
    block.locator('input[type=file]').set_input_files(str(path))
    with page.expect_navigation():
        block.get_by_role('button', name='上传', exact=True).click()
    page.wait_for_load_state()


def test_register_apply_correct_grant_download_rate(
        live_server, browser, tmp_path):
    base = live_server
    context, page = new_page(browser)
    clerk_context, clerk = new_page(browser)
    try:
        # -- register from the staff login page's link
        page.goto(base + '/login')
        page.get_by_role('link', name=re.compile('申请人')).click()
        page.wait_for_load_state()
        shot(page, 'portal-01-home')
        page.get_by_role('link', name='注册').first.click()
        page.get_by_label('企业或组织').check()
        page.get_by_label('统一社会信用代码或身份证号码').fill(CODE[:-1] + (
            'A' if CODE[-1] != 'A' else 'B'))
        page.get_by_label('申请人名称').fill('鞍山市康宁大药房有限公司')
        page.get_by_label('联系人').fill('张三')
        page.get_by_label('手机号码').fill('13904127777')
        page.get_by_label('密码', exact=True).fill(PASSWORD)
        page.get_by_label('再次输入密码').fill(PASSWORD)
        page.get_by_role('button', name='注册').click()
        page.wait_for_load_state()
        assert page.get_by_text('不是有效的统一社会信用代码').is_visible()
        shot(page, 'portal-02-register-invalid-code')
        page.get_by_label('统一社会信用代码或身份证号码').fill(CODE)
        page.get_by_label('密码', exact=True).fill(PASSWORD)
        page.get_by_label('再次输入密码').fill(PASSWORD)
        page.get_by_role('button', name='注册').click()
        page.wait_for_load_state()
        assert page.get_by_role('heading', name='我的申请').is_visible()

        # -- find 开办药店 by words, read the guide, start
        page.get_by_role('link', name='网上申请').first.click()
        page.get_by_label('按关键词搜索').fill('药店')
        page.get_by_role('button', name='搜索').click()
        page.wait_for_load_state()
        shot(page, 'portal-03-find')
        page.get_by_role('link', name=re.compile('开办药店')).click()
        page.wait_for_load_state()
        shot(page, 'portal-04-application')
        page.get_by_role('button', name='开始申请').click()
        page.wait_for_load_state()
        draft_url = page.url

        # -- a wrong file is refused in Chinese beside the field (no reload)
        codes = page.locator('.material').evaluate_all(
            'ms => ms.filter(m => m.querySelector(".tag.req"))'
            '.map(m => m.id.slice(2))')
        assert codes
        bad = tmp_path / 'scan.pdf'
        bad.write_bytes(b'this is not a pdf')
        block = page.locator('#m-%s' % codes[0])
        block.locator('input[type=file]').set_input_files(str(bad))
        block.get_by_role('button', name='上传', exact=True).click()
        status = block.locator('.upload-status')
        status.wait_for(state='visible')
        page.wait_for_function(
            'e => e.textContent.length > 0', arg=status.element_handle())
        assert '不是' in status.inner_text(), status.inner_text()
        shot(page, 'portal-05-upload-error')
        for code in codes:
            pdf = tmp_path / ('%s.pdf' % code)
            pdf.write_bytes(PDF_BYTES)
            upload(page, code, pdf)
        assert page.locator('.tag.missing').count() == 0
        shot(page, 'portal-06-materials-uploaded')

        # -- the form: save a draft, come back, submit
        fill_one_form(page, 'form#portal-apply')
        page.get_by_role('button', name='保存草稿').click()
        page.wait_for_load_state()
        assert page.get_by_text('草稿已保存').is_visible()
        page.goto(base + '/portal/cases')
        page.get_by_role('link', name=re.compile('开办药店')).click()
        page.wait_for_load_state()
        assert page.url == draft_url
        shot(page, 'portal-07-draft-resumed')
        page.get_by_role('button', name='提交申请').click()
        page.wait_for_load_state()
        number = re.search(r'AS-\d{8}-\d{6}', page.url).group(0)
        assert page.get_by_text('等待窗口审查受理').is_visible()
        shot(page, 'portal-08-submitted')

        # -- the window asks for a correction (the clerk, in Chromium)
        clerk.goto(base + '/login')
        clerk.get_by_label('用户名').fill('clerk')
        clerk.get_by_label('密码').fill('demo-2026')
        clerk.get_by_role('button', name='登录').click()
        clerk.wait_for_load_state()
        assert clerk.get_by_text(number).first.is_visible()
        clerk.goto(base + '/cases/' + number)
        clerk.locator('#case-request_correction-notice').fill(
            '经营场所使用证明不清晰，请重新上传清晰的扫描件。')
        clerk.get_by_role('button', name='一次性告知补正').click()
        clerk.wait_for_load_state()
        shot(clerk, 'portal-09-staff-correction')

        # -- the applicant fixes it against the notice and resubmits
        page.goto(base + '/portal/cases/' + number)
        assert page.get_by_text('经营场所使用证明不清晰').is_visible()
        shot(page, 'portal-10-correction-notice')
        fixed = tmp_path / 'premises-clear.pdf'
        fixed.write_bytes(PDF_BYTES)
        page.get_by_label('材料', exact=True).select_option('premises_proof')
        page.get_by_label('补正文件').set_input_files(str(fixed))
        with page.expect_navigation():
            page.locator('#correction').get_by_role(
                'button', name='上传', exact=True).click()
        page.get_by_role('button', name='提交补正').click()
        page.wait_for_load_state()
        assert page.get_by_text('补正材料已提交').is_visible()
        shot(page, 'portal-11-resubmitted')

        # -- the window accepts; the sections grant; results issued online
        clerk.goto(base + '/cases/' + number)
        clerk.get_by_role('button', name='受理', exact=True).click()
        clerk.wait_for_load_state()
        shot(clerk, 'portal-12-staff-accepted')
        page.goto(base + '/portal/cases/' + number)
        assert page.get_by_text('已受理，交由').is_visible()
        shot(page, 'portal-13-accepted')
        grant_everything(base, number)

        # -- results: download the certificate, rate the service
        page.goto(base + '/portal/cases/' + number)
        assert page.get_by_text('已办结，结果已送达').first.is_visible()
        shot(page, 'portal-14-completed')
        link = page.locator('#documents a[href*="/certificates/"]').first
        with page.expect_download() as info:
            link.click()
        download = info.value
        target = tmp_path / 'certificate.pdf'
        download.save_as(str(target))
        assert target.read_bytes().startswith(b'%PDF')
        page.get_by_label('非常满意').check()
        page.get_by_label(re.compile('评价内容')).fill('一次办好，很方便。')
        page.get_by_role('button', name='提交评价').click()
        page.wait_for_load_state()
        assert page.get_by_text('感谢您的评价').is_visible()
        shot(page, 'portal-15-rated')

        # -- progress query without signing in, and a phone-sized page
        query_code = page.locator('dd.mono').inner_text().strip()
        anon_context, anon = new_page(browser, PHONE)
        try:
            anon.goto(base + '/portal/query')
            anon.get_by_label('办件编号').fill(number)
            anon.get_by_label('查询码').fill(query_code)
            anon.get_by_role('button', name='查询').click()
            anon.wait_for_load_state()
            assert anon.get_by_text('已办结，结果已送达').first.is_visible()
            shot(anon, 'portal-16-query-phone')
            width = anon.evaluate('document.documentElement.scrollWidth')
            assert width <= PHONE['width'] + 1, width
        finally:
            anon_context.close()
        phone_context, phone = new_page(browser, PHONE)
        try:
            phone.goto(base + '/portal/login')
            phone.get_by_label('统一社会信用代码、身份证号码或手机号码').fill(
                '13904127777')
            phone.get_by_label('密码').fill(PASSWORD)
            with phone.expect_navigation():
                phone.keyboard.press('Enter')   # keyboard only
            phone.goto(base + '/portal/cases/' + number)
            assert phone.get_by_role('heading', name=re.compile(
                number)).is_visible()
            shot(phone, 'portal-17-case-phone')
            width = phone.evaluate('document.documentElement.scrollWidth')
            assert width <= PHONE['width'] + 1, width
        finally:
            phone_context.close()
    finally:
        clerk_context.close()
        context.close()
