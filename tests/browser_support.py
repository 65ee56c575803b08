"""Real-browser test support: the real server in a subprocess, Chromium.

Fixtures:

- ``live_server`` (module scope): ``pserve development.ini`` on a free port
  with its own ``var_dir``; yields the base URL (``http://127.0.0.1:PORT``).
  The ini loads the demo users on first start (password ``demo-2026``).
- ``browser`` (module scope): Debian's Chromium through Playwright;
  skipped when ``/usr/bin/chromium`` is missing.
- ``browser_page``: a fresh zh-CN context (1280×900) and page per test.

``shot(page, name)`` saves a full-page screenshot to
``test-output/screenshots/<name>.png`` under the repository;
``fill_one_form(page, selector)`` fills a one form's required fields.
"""
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
SCREENSHOTS = os.path.join(REPO, 'test-output', 'screenshots')
DESKTOP = {'width': 1280, 'height': 900}
TABLET = {'width': 768, 'height': 1024}
START_TIMEOUT = 60


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope='module')
def live_server(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp('live-var')
    log_path = var_dir / 'server.log'
    port = free_port()
    base = 'http://127.0.0.1:%d' % port
    pserve = os.path.join(REPO, '.venv', 'bin', 'pserve')
    with open(log_path, 'wb') as log:
        proc = subprocess.Popen(
            [pserve, 'development.ini', 'http_port=%d' % port,
             'var_dir=%s' % var_dir],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(base + '/login'):
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                output = log_path.read_text(errors='replace')
                pytest.fail('server did not answer %s/login (exit code %s):'
                            '\n%s' % (base, proc.returncode, output[-5000:]),
                            pytrace=False)
            time.sleep(0.2)
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope='module')
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip('%s not found: real-browser tests need Chromium '
                    '(apt-get install chromium fonts-wqy-zenhei)' % CHROMIUM)
    sync_api = pytest.importorskip('playwright.sync_api')
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, viewport=None):
    context = browser.new_context(locale='zh-CN',
                                  viewport=viewport or DESKTOP)
    context.set_default_timeout(10000)
    return context, context.new_page()


@pytest.fixture
def browser_page(browser):
    context, page = new_page(browser)
    try:
        yield page
    finally:
        context.close()


def shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, '%s.png' % name)
    page.screenshot(path=path, full_page=True)
    return path


def value_for(label):
    """A valid value for a required one-form field, judged by its label."""
    from casehelpers import VALID_CODE
    if '身份证' in label:
        return '11010519491231002X'
    if '电话' in label:
        return '13904121234'
    if '信用代码' in label:
        return VALID_CODE
    if '面积' in label:
        return '120.5'
    if '资本' in label or '金额' in label or '投资' in label:
        return '500000'
    if label.endswith('数'):
        return '12'
    return '鞍山测试填写内容'


def fill_one_form(page, selector):
    """Fill every required control of the form ``selector`` that is still
    empty: text and textareas by their label, selects with their first
    option, date inputs with a date, checkboxes ticked."""
    form = page.locator(selector)
    labels = form.locator('label.control-label.required')
    for i in range(labels.count()):
        label = labels.nth(i)
        control = form.locator('[id="%s"]' % label.get_attribute('for'))
        if control.count() == 0:      # radio groups, mappings: the label
            continue                  # names a container, not a control
        tag = control.evaluate('e => e.tagName.toLowerCase()')
        kind = (control.get_attribute('type') or '').lower()
        if tag == 'select':
            values = [v for v in control.locator('option').evaluate_all(
                'os => os.map(o => o.value)') if v]
            if not control.input_value():
                control.select_option(values[0])
        elif kind == 'checkbox':
            control.check()
        elif kind in ('radio', 'hidden'):
            continue
        elif kind == 'date':
            control.fill('2026-12-01')
        elif not control.input_value():
            control.fill(value_for(label.inner_text().strip()))
    # date fields whose label names a mapping rather than the input
    for date in form.locator('input[type="date"]').all():
        if not date.input_value():
            date.fill('2026-12-01')
