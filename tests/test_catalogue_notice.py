"""The PDF one-time notice: Chinese text extractable, font embedded."""
import io
import os

import pypdf
import pytest

from casefile.catalogue.guide import compose_guide
from casefile.catalogue.loader import load_catalogue
from casefile.catalogue.notice import (DEFAULT_FONT_FILE, FontMissing,
                                       build_notice, register_font)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.skipif(
    not os.path.exists(DEFAULT_FONT_FILE),
    reason='fonts-wqy-zenhei is not installed')


def pdf_text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = ''.join(page.extract_text() for page in reader.pages)
    return ''.join(text.split()), reader     # table cells wrap anywhere


def embedded_fonts(reader):
    found = set()
    for page in reader.pages:
        fonts = page['/Resources'].get('/Font', {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get('/FontDescriptor')
            if descriptor is not None and any(
                    key in descriptor.get_object()
                    for key in ('/FontFile', '/FontFile2', '/FontFile3')):
                found.add(str(font['/BaseFont']))
    return found


def zh_cn(msgid):
    from pyramid.i18n import make_localizer
    from casefile.i18n import LOCALE_DIR, _
    return make_localizer('zh_CN', [LOCALE_DIR]).translate(_(msgid))


@pytest.fixture(scope='module')
def pharmacy():
    catalogue = load_catalogue(os.path.join(REPO, 'schemas', 'catalogue'))
    return compose_guide(catalogue, 'M-01')


def test_notice_lists_every_material_limits_and_contacts(pharmacy):
    data = build_notice(pharmacy, translate=lambda m: m.interpolate(),
                        version=1)
    assert data.startswith(b'%PDF')
    text, reader = pdf_text(data)
    assert 'One-time notice'.replace(' ', '') in text   # msgid default
    assert '开办药店' in text
    for material in pharmacy.materials:
        assert ''.join(material.name.split()) in text, material.name
    assert '营业执照' in text                  # passed on internally
    for condition in pharmacy.conditions:
        assert ''.join(condition.text.split()) in text
    for item in pharmacy.items:
        assert item.name in text
    assert '《中华人民共和国行政许可法》第四十五条' in text
    assert '0412-5550101' in text and '现场勘验科' in text
    assert '经营场所与申请材料一致' in text
    assert any('WenQuanYi' in name for name in embedded_fonts(reader))


def test_notice_uses_the_translation_function(pharmacy):
    data = build_notice(pharmacy, translate=lambda m: '【' + m.interpolate()
                        + '】')
    text, _reader = pdf_text(data)
    assert '【One-time notice】'.replace(' ', '') in text


def test_missing_font_names_the_debian_package(pharmacy, tmp_path):
    missing = str(tmp_path / 'no-such-font.ttc')
    with pytest.raises(FontMissing) as info:
        register_font(missing)
    assert 'fonts-wqy-zenhei' in str(info.value)
    assert missing in str(info.value)
    with pytest.raises(FontMissing):
        build_notice(pharmacy, font_file=missing)


def test_notice_download_is_public(testapp, app):
    response = testapp.get('/guides/M-01/notice.pdf')
    assert response.content_type == 'application/pdf'
    assert 'notice-M-01.pdf' in response.headers['Content-Disposition']
    text, reader = pdf_text(response.body)
    # the title as the Chinese UI says it (一次性告知书 once translated)
    assert ''.join(zh_cn('One-time notice').split()) in text
    assert '开办药店' in text
    assert '经营场所使用证明（房屋产权证明或租赁合同）' in text
    assert '执业药师注册证及身份证明' in text
    assert embedded_fonts(reader)
    testapp.get('/guides/NO-SUCH/notice.pdf', status=404)
    # a server without the font says so instead of failing obscurely
    app.registry.settings['casefile.font_file'] = '/nonexistent/font.ttc'
    response = testapp.get('/guides/M-01/notice.pdf', status=503)
    assert response.content_type == 'text/plain'
