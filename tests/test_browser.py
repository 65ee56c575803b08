"""Real-browser tests: the real server (pserve) driven by Chromium.

The window clerk logs in, chooses 开办药店, fills the one form and creates
a case, then uploads a PDF; wrong passwords and invalid credit codes are
refused in Chinese; the case page fits a tablet.  Screenshots of every step
go to test-output/screenshots/ for a human to look at.
"""
import re

import pytest

from browser_support import (  # noqa: F401  (fixtures)
    TABLET, browser, browser_page, fill_one_form, live_server, new_page,
    shot)
from casefile.identifiers import credit_code_check_char

DEMO_PASSWORD = 'demo-2026'
VALID_CODE = '91210302MA1234567' + credit_code_check_char('91210302MA1234567')
INVALID_CODE = '91210302MA1234567' + (
    'X' if credit_code_check_char('91210302MA1234567') != 'X' else 'Y')
CASE_NUMBER = re.compile(r'AS-\d{8}-\d{6}')
APPLICANT = {
    '申请人名称': '鞍山市康宁大药房有限公司',
    '联系人': '张三',
    '联系电话': '13904121234',
}
PDF_BYTES = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
             b'2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer'
             b'<</Root 1 0 R>>\n%%EOF\n')


def login(page, base, user='clerk', password=DEMO_PASSWORD, name=None):
    page.goto(base + '/login')
    if name:
        shot(page, name)
    page.get_by_label('用户名').fill(user)
    page.get_by_label('密码').fill(password)
    page.get_by_role('button', name='登录').click()
    page.wait_for_load_state()


def intake_count(page, base):
    """The number on the worklist's 受理中的办件 counter."""
    response = page.goto(base + '/')
    assert response.status == 200, (
        'the worklist answers %d' % response.status)
    counter = page.locator('.counts .count', has_text='受理中的办件')
    return int(counter.locator('.n').inner_text().strip())


def open_intake_form(page, base, screenshots=False):
    """Through the top bar's 新建办件 when screenshotting the walk-through;
    straight to the page otherwise (the worklist is not under test)."""
    if screenshots:
        page.goto(base + '/')
        page.get_by_role('link', name='新建办件').first.click()
    else:
        page.goto(base + '/cases/new')
    page.wait_for_load_state()
    if screenshots:
        shot(page, '03-choose-application')
    page.get_by_role('link', name=re.compile('开办药店')).click()
    page.wait_for_load_state()
    page.locator('form#intake').wait_for()


def fill_applicant(page, identifier=VALID_CODE):
    page.get_by_label('企业或组织').check()
    for label, value in APPLICANT.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label('统一社会信用代码或身份证号码').fill(identifier)


def form_errors(page):
    return page.locator('form#intake .has-error, form#intake .error, '
                        '.alert-danger').all_inner_texts()


def create_case(page, base, screenshots=False):
    """Create a 开办药店 case through the intake form; return its number."""
    open_intake_form(page, base, screenshots)
    fill_applicant(page)
    fill_one_form(page, 'form#intake')
    if screenshots:
        shot(page, '04-intake-form-filled')
    page.get_by_role('button', name='创建办件').click()
    page.wait_for_load_state()
    assert re.search(r'/cases/AS-\d{8}-\d{6}', page.url), (
        'intake refused: %s' % form_errors(page))
    number = CASE_NUMBER.search(page.url).group(0)
    return number


def upload_first_material(page, tmp_path):
    pdf = tmp_path / '申请书-browser.pdf'
    pdf.write_bytes(PDF_BYTES)
    row = page.locator('table.materials tbody tr').first
    row.get_by_label('文件').set_input_files(str(pdf))
    row.get_by_role('button', name='上传').click()
    page.wait_for_load_state()
    return pdf


def test_wrong_password_is_refused_in_chinese(live_server, browser_page):
    page = browser_page
    login(page, live_server, password='not-the-password')
    shot(page, '07-login-wrong-password')
    assert '/login' in page.url
    assert page.get_by_text('用户名或密码不正确').is_visible()
    assert page.get_by_label('密码').is_visible()


def test_invalid_credit_code_is_refused_next_to_the_field(live_server,
                                                          browser_page):
    page = browser_page
    login(page, live_server)
    before = intake_count(page, live_server)
    open_intake_form(page, live_server)
    fill_applicant(page, identifier=INVALID_CODE)
    fill_one_form(page, 'form#intake')
    page.get_by_role('button', name='创建办件').click()
    page.wait_for_load_state()
    shot(page, '08-intake-invalid-credit-code')
    assert '/cases/new' in page.url
    field = page.locator('form#intake .item-identifier')
    message = field.get_by_text('这不是有效的统一社会信用代码')
    assert message.is_visible()
    # what was typed is kept, so the clerk can correct it
    assert field.locator('input').input_value() == INVALID_CODE
    assert intake_count(page, live_server) == before == 0


def test_login_create_case_and_upload(live_server, browser_page, tmp_path):
    page = browser_page
    login(page, live_server, name='01-login')
    assert page.get_by_role('heading', name='我的待办').is_visible()
    shot(page, '02-worklist')

    number = create_case(page, live_server, screenshots=True)
    assert page.get_by_text(number).first.is_visible()
    assert page.get_by_text('鞍山市康宁大药房有限公司').first.is_visible()
    shot(page, '05-case-page')

    pdf = upload_first_material(page, tmp_path)
    shot(page, '06-case-after-upload')
    assert number in page.url
    row = page.locator('table.materials tbody tr').first
    assert row.get_by_role('link', name=pdf.name).is_visible(), (
        page.locator('#materials').inner_text())


def test_worklist_lists_the_new_case(live_server, browser_page, tmp_path):
    page = browser_page
    login(page, live_server)
    number = create_case(page, live_server)
    upload_first_material(page, tmp_path)
    count = intake_count(page, live_server)
    shot(page, '11-worklist-after-upload')
    assert count >= 1, '受理中的办件 shows %d after creating a case' % count
    assert page.locator('#wl-intake').get_by_role(
        'link', name=number).is_visible()


def test_case_page_fits_a_tablet(live_server, browser):
    context, page = new_page(browser, viewport=TABLET)
    try:
        login(page, live_server)
        shot(page, '09-tablet-worklist')
        create_case(page, live_server)
        shot(page, '10-tablet-case-page')
        width = page.evaluate('document.scrollingElement.scrollWidth')
        assert width <= TABLET['width'] + 1, (
            'case page scrolls sideways: %dpx wide in a %dpx viewport'
            % (width, TABLET['width']))
    finally:
        context.close()
