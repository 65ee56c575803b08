"""The archive pages as Chromium draws them, in Chinese, with screenshots.

The pages come from the application in this process (an archived 开办药店
case needs the whole life cycle, which the WebTest helpers drive); the
HTML is handed to Debian's Chromium with the site's stylesheet inlined,
and screenshots go to test-output/screenshots/archive-*.png for a person
to look at.  The test fails when a page still shows an English message
(an untranslated msgid) or when the file index is not visible.
"""
import os
import re

from archivehelpers import archive, complete
import pytest

from browser_support import CHROMIUM, CHROMIUM_ARGS, shot
from conftest import REPO
from test_lifecycle import accepted  # noqa: F401  (fixture)

CSS = os.path.join(REPO, 'casefile', 'static', 'casefile.css')
#: English words that would mean a message was not translated
ENGLISH = re.compile(r'>\s*(Archive|Archives|File index|Retention|Borrow|'
                     r'Disposal|Search|Find|Save|Approve|Refuse|Records?)'
                     r'\b[^<]*<')


def render(browser, html, name, width=1280):
    with open(CSS, encoding='utf-8') as f:
        css = f.read()
    html = re.sub(r'<link rel="stylesheet"[^>]*>', '<style>%s</style>'
                  % css.replace('\\', '\\\\'), html)
    context = browser.new_context(locale='zh-CN',
                                  viewport={'width': width, 'height': 900})
    try:
        page = context.new_page()
        page.set_content(html)
        path = shot(page, name)
        return page.inner_text('main'), path
    finally:
        context.close()


def test_archive_pages_in_a_real_browser(login, testapp, accepted):
    # Chromium starts after the case is archived: Playwright's event loop
    # would stop pyHanko (asyncio) from signing the case's documents
    if not os.path.exists(CHROMIUM):
        pytest.skip('%s not found' % CHROMIUM)
    sync_api = pytest.importorskip('playwright.sync_api')
    url, number = accepted
    complete(login, url)
    archivist = login('archivist')
    pending = archivist.get('/archives/pending').text
    archive(login, number)
    archivist = login('archivist')
    pages = {
        'archive-pending': pending,
        'archive-search': archivist.get('/archives', params={
            'q': '康宁'}).text,
        'archive-file': archivist.get('/archives/%s' % number).text,
        'archive-disposal': archivist.get('/archives/disposal').text,
        'archive-borrow': login('reviewer.market').get('/archives').text,
    }
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=CHROMIUM_ARGS)
        try:
            look_at(browser, pages)
        finally:
            browser.close()


def look_at(browser, pages):
    for name, html in pages.items():
        assert not ENGLISH.search(html.split('<main', 1)[1]), (
            name, ENGLISH.search(html.split('<main', 1)[1]).group(0))
        text, path = render(browser, html, name)
        assert os.path.getsize(path) > 10000
        if name == 'archive-file':
            assert '卷内目录' in text and '档号' in text
            assert '申请材料' in text and '办件日志' in text
        if name == 'archive-search':
            assert 'A037-' in text
        if name == 'archive-borrow':
            assert '申请借阅档案' in text
    # a tablet is wide enough for the file index
    render(browser, pages['archive-file'], 'archive-file-tablet', width=768)
