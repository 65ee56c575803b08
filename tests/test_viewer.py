"""The document viewer: PDF pages as PNG, images inline, DOCX as text,
versions and their comparison."""
import io
import zipfile

import pytest

from casehelpers import (
    PDF_BYTES, PNG_BYTES, create_case, csrf_from, open_db_case, upload)


def two_page_pdf():
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595, 842))
    c.drawString(100, 700, 'page one')
    c.showPage()
    c.setFillColorRGB(1, 0, 0)
    c.rect(0, 0, 595, 842, fill=1)
    c.showPage()
    c.save()
    return out.getvalue()


def minimal_docx(paragraphs):
    from xml.sax.saxutils import escape
    body = ''.join('<w:p><w:r><w:t>%s</w:t></w:r></w:p>' % escape(p)
                   for p in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as z:
        z.writestr('[Content_Types].xml', (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main'
            '+xml"/></Types>'))
        z.writestr('_rels/.rels', (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.'
            'org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        z.writestr('word/document.xml', (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
            '"http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body>%s</w:body></w:document>' % body))
    return out.getvalue()


@pytest.fixture
def case_url(login):
    clerk = login('clerk')
    url = create_case(clerk).location
    return clerk, url


def material_names(testapp, url):
    conn, case = open_db_case(testapp, url.rsplit('/', 1)[-1])
    try:
        return {m.filename: n for n, m in case['materials'].items()}
    finally:
        conn.close()


def test_pdf_page_two_is_rendered_as_png(case_url, testapp):
    clerk, url = case_url
    assert upload(clerk, url, 'plan.pdf', two_page_pdf(),
                  'business_licence').status_int == 302
    name = material_names(testapp, url)['plan.pdf']
    page = clerk.get(url + '/materials/%s/view?page=2' % name)
    assert '2' in page.text and 'page.png' in page.text
    assert 'rel="prev"' in page.text and 'rel="next"' not in page.text
    png = clerk.get(url + '/materials/%s/page.png?page=2&width=480' % name)
    assert png.content_type == 'image/png'
    assert png.body[:8] == b'\x89PNG\r\n\x1a\n'
    from PIL import Image
    image = Image.open(io.BytesIO(png.body))
    assert image.width == 480
    # page two is red all over
    r, g, b = image.convert('RGB').getpixel((240, 300))
    assert r > 200 and g < 60 and b < 60
    # cached per (sha256, page, width)
    assert any(p.endswith('-2-480.png') for p in
               __import__('os').listdir(
                   testapp.app.registry.settings['casefile.var_dir']
                   + '/page-cache'))
    again = clerk.get(url + '/materials/%s/page.png?page=2&width=480' % name)
    assert again.body == png.body
    clerk.get(url + '/materials/%s/page.png?page=3' % name, status=404)
    # the case page links to the viewer
    assert '/materials/%s/view' % name in clerk.get(url).text


def test_image_is_shown_inline_and_docx_as_text(case_url, testapp):
    clerk, url = case_url
    assert upload(clerk, url, 'photo.png', PNG_BYTES,
                  'business_licence').status_int == 302
    name = material_names(testapp, url)['photo.png']
    page = clerk.get(url + '/materials/%s/view' % name)
    assert ('/materials/%s?version=1&amp;inline=1' % name) in page.text \
        or ('/materials/%s?inline=1&amp;version=1' % name) in page.text

    # a DOCX (allowed for no catalogue material: add it directly)
    from casefile.case.material import store_upload
    from casefile.case.service import add_material
    import transaction
    conn, case = open_db_case(testapp, url.rsplit('/', 1)[-1])
    try:
        stored = store_upload(io.BytesIO(minimal_docx(
            ['第一段：经营场所说明', '<b>not markup</b>'])), 'note.docx',
            ('docx',))
        from pyramid.threadlocal import manager
        manager.push({'registry': testapp.app.registry, 'request': None})
        try:
            add_material(case, stored, 'note.docx', actor='clerk')
            transaction.commit()
        finally:
            manager.pop()
    finally:
        conn.close()
    name = material_names(testapp, url)['note.docx']
    page = clerk.get(url + '/materials/%s/view' % name)
    assert '第一段：经营场所说明' in page.text
    assert '&lt;b&gt;not markup&lt;/b&gt;' in page.text
    assert 'page.png' not in page.text


def test_versions_are_listed_and_compared(case_url, testapp):
    clerk, url = case_url
    upload(clerk, url, 'licence.pdf', PDF_BYTES, 'business_licence')
    name = material_names(testapp, url)['licence.pdf']
    page = clerk.get(url)
    response = clerk.post(url + '/upload', {
        'csrf_token': csrf_from(page.text),
        'material_code': 'business_licence', 'replace': name,
        'reason': '原件模糊，重新扫描'},
        upload_files=[('file', 'licence-v2.pdf', two_page_pdf())])
    assert response.status_int == 302
    page = clerk.get(url + '/materials/%s/view' % name)
    versions = page.html.select('table.versions tbody tr')
    assert len(versions) == 2
    assert 'licence.pdf' in versions[0].text
    assert 'licence-v2.pdf' in versions[1].text
    assert '原件模糊，重新扫描' in versions[1].text
    assert 'view?version=1' in page.text
    # version 1 is still viewable (one page, the old file)
    old = clerk.get(url + '/materials/%s/view?version=1' % name)
    assert 'licence.pdf' in old.text
    clerk.get(url + '/materials/%s/view?version=3' % name, status=404)
    compared = clerk.get(url + '/materials/%s/view?compare=1&with=2' % name)
    rows = compared.html.select('table.comparison tbody tr')
    changed = {r.select('td')[0].text.strip() for r in rows
               if 'changed' in r.get('class', [])}
    same = {r.select('td')[0].text.strip() for r in rows
            if 'same' in r.get('class', [])}
    assert len(changed) == 5      # name, size, hash, time, reason
    assert len(same) == 2         # type, uploader
    assert 'licence-v2.pdf' in compared.html.select(
        'table.comparison')[0].text


def test_generated_document_pdf_is_viewable(login, testapp):
    from test_lifecycle import step
    from casehelpers import upload_required
    clerk = login('clerk')
    url = create_case(clerk).location
    upload_required(clerk, url, testapp)
    assert step(clerk, url, '/do/accept').status_int == 302
    conn, case = open_db_case(testapp, url.rsplit('/', 1)[-1])
    try:
        name = next(n for n, d in case['documents'].items()
                    if d.kind == 'acceptance_notice')
    finally:
        conn.close()
    page = clerk.get(url + '/documents/documents/%s/view' % name)
    assert 'page.png' in page.text
    png = clerk.get(url + '/documents/documents/%s/page.png?page=1' % name)
    assert png.body[:4] == b'\x89PNG'


def test_viewer_needs_the_download_permission(case_url, testapp, login):
    clerk, url = case_url
    upload(clerk, url, 'plan.pdf', two_page_pdf(), 'business_licence')
    name = material_names(testapp, url)['plan.pdf']
    # before acceptance no section may open the case's materials
    other = login('reviewer.food')
    other.get(url + '/materials/%s/view' % name, status=403)
    other.get(url + '/materials/%s/page.png?page=1' % name, status=403)
