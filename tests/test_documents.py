"""Official documents under one seal: rendered, sealed, signed, verifiable.

One pharmacy case (开办药店) is driven through the web UI once per module,
each role as itself -- correction, acceptance, extension, site inspection,
decisions (three grants, one denial), issuance -- and a second case is
refused; every document they produce is then checked as a PDF: the text
(applicant, items, reasons), the embedded Chinese font, the signature
(intact and trusted with the demo certificate as the trust root), the
download permission and the public verification page.
"""
import io
import os
import re
import shutil
from urllib.parse import quote
from types import SimpleNamespace

import pypdf
import pytest
import webtest

from casefile.catalogue.notice import DEFAULT_FONT_FILE
from casehelpers import create_case, open_db_case, upload_required
from conftest import REPO, make_settings, sign_in
import test_lifecycle as lifecycle

pytestmark = pytest.mark.skipif(
    not os.path.exists(DEFAULT_FONT_FILE),
    reason='fonts-wqy-zenhei is not installed')

APPLICANT = '鞍山市康宁大药房有限公司'
CORRECTIONS = ['营业场所证明不清晰，请重新提供', '缺少执业药师注册证']
REFUSAL = '申请事项不属于本机关职权范围'
DENIAL = '经营场所不符合要求'
EXTENSION = '需要进一步核实股东资格'
CONTAINERS = ('documents', 'decisions', 'certificates')


def step(browser, url, path, **inputs):
    return lifecycle.step(browser, url, path, **inputs)


def ok(response):
    assert response.status_int == 302, response.text[:3000]


@pytest.fixture(scope='module')
def world(tmp_path_factory, template_var_dir):
    from casefile import main
    path = tmp_path_factory.mktemp('documents') / 'var'
    shutil.copytree(template_var_dir, path)
    app = main({'here': REPO}, **make_settings(path))
    testapp = webtest.TestApp(app, extra_environ={'REMOTE_ADDR':
                                                  '127.0.0.1'})

    def login(name):
        return sign_in(testapp, name)

    # case A: correction, acceptance, extension, inspection, decisions
    clerk = login('clerk')
    url = create_case(clerk).location
    ok(step(clerk, url, '/do/request_correction',
            notice='\n'.join(CORRECTIONS)))
    ok(step(clerk, url, '/do/resubmit', comment='已补正'))
    upload_required(clerk, url, testapp)
    ok(step(clerk, url, '/do/accept'))
    ok(step(login('head.market'), url, '/tasks/SC-001/extend', days='5',
            reason=EXTENSION))
    lifecycle.decide(login, url, 'SC-001', 'reviewer.market',
                     'head.market')
    ok(lifecycle.inspect(login, url))
    lifecycle.decide(login, url, 'SY-001', 'reviewer.food', 'head.food')
    lifecycle.decide(login, url, 'SY-002', 'reviewer.food', 'head.food')
    lifecycle.decide(login, url, 'SY-003', 'reviewer.food', 'head.food',
                     grant=False)
    ok(step(login('issuer'), url, '/do/issue', delivery='in_person',
            recipient='张三'))

    # case B: refused at the window
    clerk = login('clerk')
    refused_url = create_case(clerk).location
    ok(step(clerk, refused_url, '/do/refuse', reasons=REFUSAL))
    testapp.reset()

    documents = []
    for case_url in (url, refused_url):
        conn, case = open_db_case(testapp, case_url.rsplit('/', 1)[-1])
        try:
            for container in CONTAINERS:
                for name, d in case[container].items():
                    with d.pdf.open('r') as f:
                        data = f.read()
                    documents.append(SimpleNamespace(
                        case_url=case_url, case_number=case.case_number,
                        container=container, name=name, kind=d.kind,
                        title=d.title, number=d.number, items=d.items,
                        item_names=[case['tasks'][c].item_name
                                    for c in d.items] if d.items else [],
                        lines=list(d.lines), sha256=d.sha256, size=d.size,
                        token=d.verify_token, verify_url=d.verify_url,
                        pdf=data))
        finally:
            conn.close()
    dump = os.environ.get('CASEFILE_DUMP_PDFS')   # to look at them
    if dump:
        os.makedirs(dump, exist_ok=True)
        for d in documents:
            with open(os.path.join(dump, '%s-%s.pdf' % (d.kind, d.name)),
                      'wb') as f:
                f.write(d.pdf)
    yield SimpleNamespace(app=app, testapp=testapp, login=login, url=url,
                          refused_url=refused_url, documents=documents,
                          settings=app.registry.settings)
    for db in app.registry._zodb_databases.values():
        db.close()


def of_kind(world, kind):
    found = [d for d in world.documents if d.kind == kind]
    assert found, kind
    return found


def pdf_text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = ''.join(page.extract_text() for page in reader.pages)
    return ''.join(text.split()), reader


def embedded_fonts(reader):
    found = set()
    for page in reader.pages:
        for font in page['/Resources'].get('/Font', {}).values():
            font = font.get_object()
            descriptor = font.get('/FontDescriptor')
            if descriptor is not None and '/FontFile2' in \
                    descriptor.get_object():
                found.add(str(font['/BaseFont']))
    return found


def squeeze(text):
    return ''.join(text.split())


# -- the PDFs -----------------------------------------------------------------

EXPECTED_KINDS = {
    'acceptance_notice', 'correction_notice', 'refusal_notice',
    'decision_grant', 'decision_deny', 'certificate', 'delivery_record',
    'extension_notice', 'clock_stop_notice', 'inspection_notice'}


def test_every_issued_document_has_its_signed_pdf(world):
    import hashlib
    kinds = {d.kind for d in world.documents}
    assert EXPECTED_KINDS <= kinds
    for d in world.documents:
        assert d.pdf.startswith(b'%PDF'), d.kind
        assert d.size == len(d.pdf)
        assert d.sha256 == hashlib.sha256(d.pdf).hexdigest()
        text, reader = pdf_text(d.pdf)
        assert squeeze(d.number) in text, d.kind
        assert APPLICANT in text, d.kind
        assert squeeze(d.verify_url) in text, d.kind
        assert squeeze(d.title) in text, d.kind
        if d.kind != 'certificate':    # a licence names no procedure
            for name in d.item_names:
                assert squeeze(name) in text, (d.kind, name)
        assert any('WenQuanYi' in f for f in embedded_fonts(reader)), d.kind
        assert reader.metadata.title.endswith(d.number)


def test_each_kind_says_what_it_must(world):
    text = pdf_text(of_kind(world, 'acceptance_notice')[0].pdf)[0]
    assert '受理通知书' in text and '决定予以受理' in text
    for name in ('企业设立登记（营业执照核发）', '药品经营许可证核发（零售）'):
        assert name in text               # all items of the case
    text = pdf_text(of_kind(world, 'correction_notice')[0].pdf)[0]
    assert '一次性告知' in text
    for n, line in enumerate(CORRECTIONS, 1):
        assert '%d.%s' % (n, line) in text
    text = pdf_text(of_kind(world, 'refusal_notice')[0].pdf)[0]
    assert REFUSAL in text and '决定不予受理' in text
    assert '六十日内' in text and '六个月内' in text
    text = pdf_text(of_kind(world, 'decision_deny')[0].pdf)[0]
    assert '不予行政许可决定书' in text and DENIAL in text
    assert '行政复议' in text and '六十日内' in text
    assert '行政诉讼' in text and '六个月内' in text
    grants = of_kind(world, 'decision_grant')
    assert len(grants) == 3
    assert all('决定准予行政许可' in pdf_text(d.pdf)[0] for d in grants)
    text = pdf_text(of_kind(world, 'extension_notice')[0].pdf)[0]
    assert EXTENSION in text and '延长5个工作日' in text
    text = pdf_text(of_kind(world, 'clock_stop_notice')[0].pdf)[0]
    assert '暂停计时' in text and '第四十五条' in text
    text = pdf_text(of_kind(world, 'inspection_notice')[0].pdf)[0]
    assert '现场勘验通知书' in text and '二一九路18号' in text
    assert '经营场所与申请材料一致' in text      # the items' inspection points
    text = pdf_text(of_kind(world, 'delivery_record')[0].pdf)[0]
    assert '送达回证' in text and '张三' in text
    for d in of_kind(world, 'decision_grant'):
        assert squeeze(d.title) in text    # every delivered document


def test_certificates_use_their_items_template(world):
    certificates = {d.items[0]: d for d in of_kind(world, 'certificate')}
    assert set(certificates) == {'SC-001', 'SY-001', 'SY-002'}
    text = pdf_text(certificates['SC-001'].pdf)[0]
    assert '营业执照' in text and '经营范围' in text
    assert '药品零售；预包装食品销售' in text    # from the one form
    text = pdf_text(certificates['SY-001'].pdf)[0]
    assert '药品经营许可证' in text and '二一九路18号' in text


def test_the_signature_is_intact_and_trusted(world):
    from casefile.documents.sign import load_certificate, validate
    root = load_certificate(world.settings)
    for d in world.documents:
        status = validate(d.pdf, [root])
        assert status.intact and status.valid and status.trusted, d.kind
        assert status.bottom_line, d.kind


def test_one_changed_byte_breaks_the_signature(world):
    from casefile.documents.sign import load_certificate, validate
    d = of_kind(world, 'decision_deny')[0]
    altered = bytearray(d.pdf)
    altered[len(altered) // 3] ^= 0x01
    status = validate(bytes(altered), [load_certificate(world.settings)])
    assert not status.intact and not status.bottom_line


def test_a_certificate_of_another_key_is_not_trusted(world, tmp_path):
    from casefile.documents.sign import (
        ensure_signing_identity, load_certificate, validate)
    other = {'casefile.var_dir': str(tmp_path)}
    ensure_signing_identity(other)
    status = validate(of_kind(world, 'certificate')[0].pdf,
                      [load_certificate(other)])
    assert status.intact and not status.trusted


# -- download -----------------------------------------------------------------

def pdf_path(d):
    return '%s/documents/%s/%s.pdf' % (d.case_url, d.container, d.name)


def test_the_pdf_is_downloaded_with_its_name(world):
    d = of_kind(world, 'decision_grant')[0]
    head = world.login('head.market')
    page = head.get('%s/documents/%s/%s' % (d.case_url, d.container,
                                            d.name))
    assert pdf_path(d) in page.text              # the download link
    response = head.get(pdf_path(d))
    assert response.content_type == 'application/pdf'
    assert response.body == d.pdf
    disposition = response.headers['Content-Disposition']
    assert disposition.startswith('attachment; filename*=UTF-8\'\'')
    assert disposition.endswith('.pdf')
    inline = head.get(pdf_path(d) + '?inline=1')
    assert inline.headers['Content-Disposition'].startswith('inline')
    head.get('%s/documents/decisions/nothing.pdf' % d.case_url, status=404)


def test_a_reviewer_of_an_unrelated_section_cannot_download(world):
    market = [d for d in of_kind(world, 'decision_grant')
              if d.items == ('SC-001',)][0]
    world.login('reviewer.build').get(pdf_path(market), status=403)
    food = [d for d in of_kind(world, 'decision_deny')
            if d.items == ('SY-003',)][0]
    world.login('reviewer.food').get(pdf_path(food), status=200)
    # 食品药品科 reviews other items of this case, not the licence
    world.login('reviewer.food').get(pdf_path(market), status=403)
    world.testapp.reset()
    anonymous = world.testapp.get(pdf_path(market), status=302)
    assert '/login' in anonymous.location


# -- verification -------------------------------------------------------------

def path_of(url):
    return '/' + url.split('/', 3)[3]


def test_the_qr_code_encodes_the_verification_url(world, monkeypatch):
    from casefile.documents import render
    d = of_kind(world, 'decision_deny')[0]
    assert d.verify_url == 'http://localhost/verify/' + d.token
    assert re.fullmatch(r'[23456789A-HJKMNP-Z]{16}', d.token)
    encoded = []
    real = render.draw_qr

    def spy(canvas, payload, *args):
        encoded.append(payload)
        return real(canvas, payload, *args)

    monkeypatch.setattr(render, 'draw_qr', spy)
    conn, case = open_db_case(world.testapp, d.case_number)
    try:
        document = case[d.container][d.name]
        from pyramid.threadlocal import manager
        manager.push({'registry': world.app.registry, 'request': None})
        try:
            render.render_document(case, document, world.app.registry)
        finally:
            manager.pop()
    finally:
        conn.close()
    assert encoded == [d.verify_url]
    import segno
    assert segno.make(d.verify_url, error='m').designator   # encodable
    world.testapp.reset()
    page = world.testapp.get(path_of(d.verify_url))
    assert d.number in page.text and d.case_number in page.text


def test_the_verification_page_shows_the_document_to_anyone(world):
    d = of_kind(world, 'certificate')[0]
    world.testapp.reset()
    page = world.testapp.get('/verify/' + d.token)
    assert d.number in page.text
    assert d.case_number in page.text
    assert APPLICANT in page.text
    assert d.title in page.text
    assert d.sha256 in page.text


def test_an_issued_copy_matches_and_an_altered_one_does_not(world):
    d = of_kind(world, 'decision_deny')[0]
    world.testapp.reset()
    page = world.testapp.get('/verify/' + d.token)
    form = page.forms['verify-upload']
    form['file'] = webtest.Upload('copy.pdf', d.pdf, 'application/pdf')
    result = form.submit()
    assert 'data-result="match"' in result.text
    altered = bytearray(d.pdf)
    altered[1000] ^= 0x20
    form = result.forms['verify-upload']
    form['file'] = webtest.Upload('copy.pdf', bytes(altered),
                                  'application/pdf')
    result = form.submit()
    assert 'data-result="mismatch"' in result.text
    longer = world.testapp.post('/verify/' + d.token, upload_files=[
        ('file', 'copy.pdf', d.pdf + b'\n')])
    assert 'data-result="mismatch"' in longer.text
    empty = world.testapp.post('/verify/' + d.token, {'x': '1'},
                               status=400)
    assert 'data-result' not in empty.text


def test_a_wrong_token_says_only_not_found(world):
    world.testapp.reset()
    d = of_kind(world, 'decision_grant')[0]
    wrong = d.token[:-1] + ('2' if d.token[-1] != '2' else '3')
    for token in (wrong, 'nonsense', d.number, d.case_number):
        page = world.testapp.get('/verify/' + quote(token), status=404)
        assert 'id="verify-error"' in page.text
        assert d.case_number not in page.text and APPLICANT not in page.text
    page = world.testapp.post('/verify/' + wrong, upload_files=[
        ('file', 'copy.pdf', d.pdf)], status=404)
    assert 'data-result' not in page.text


def test_the_form_needs_the_number_and_the_code(world):
    world.testapp.reset()
    d = of_kind(world, 'decision_grant')[0]
    assert 'name="number"' in world.testapp.get('/verify').text
    code = '-'.join(d.token[i:i + 4] for i in range(0, 16, 4)).lower()
    found = world.testapp.get('/verify', {'number': d.number, 'code': code},
                              status=302)
    assert found.location.endswith('/verify/' + d.token)
    typed = d.number.replace('〔', '[').replace('〕', ']')[:-1]
    found = world.testapp.get('/verify', {'number': typed,
                                          'code': d.token}, status=302)
    assert found.location.endswith('/verify/' + d.token)
    other = of_kind(world, 'decision_deny')[0]
    for number, token in ((d.number, other.token), (other.number, d.token),
                          (d.number, ''), ('', d.token)):
        page = world.testapp.get('/verify', {'number': number,
                                             'code': token}, status=404)
        assert d.case_number not in page.text
        assert APPLICANT not in page.text
