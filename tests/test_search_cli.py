"""``casefile reindex`` / ``casefile search`` and material text extraction."""
import io
import json
import os

from click.testing import CliRunner

from casefile.cli import main
from casefile.search.extract import extract_bytes, material_text
from conftest import REPO, make_settings, sign_in
from casehelpers import create_case

INI = os.path.join(REPO, 'development.ini')


def run(var_dir, *args):
    return CliRunner().invoke(main, ['-c', INI, '-o', 'var_dir=%s' % var_dir]
                              + list(args), catch_exceptions=False)


def test_reindex_rebuilds_and_search_prints_json(var_dir):
    import webtest
    from casefile import main as app_main
    app = app_main({'here': REPO}, **make_settings(var_dir))
    clerk = sign_in(webtest.TestApp(app, extra_environ={
        'REMOTE_ADDR': '127.0.0.1'}), 'clerk')
    response = create_case(clerk, applicant={'name': '鞍山市命令行大药房'})
    number = response.location.rstrip('/').rsplit('/', 1)[1]
    for db in app.registry._zodb_databases.values():
        db.close()

    index_dir = os.path.join(str(var_dir), 'index')
    # an index thrown away: reindex rebuilds it with a progress bar
    import shutil
    shutil.rmtree(index_dir)
    result = run(var_dir, 'reindex', '--procs', '2', '--fresh')
    assert result.exit_code == 0, result.output
    assert 'indexed 1 case(s)' in result.output
    assert not os.path.exists(os.path.join(index_dir, 'rebuild'))

    result = run(var_dir, 'search', '命令行大药房', '--json')
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index('{\n'):])
    assert data['total'] == 1
    assert data['hits'][0]['case_number'] == number
    assert '<mark>命令行大药房</mark>' in data['hits'][0]['snippet']

    result = run(var_dir, 'search', '不存在的词语组合')
    assert '0 case(s)' in result.output


def test_a_resumed_reindex_skips_what_was_committed(var_dir, tmp_path):
    """A checkpoint from an interrupted run is honoured (same log)."""
    from casefile.search.index import SearchIndex
    from casefile.search.reindex import _read_checkpoint, _write_checkpoint
    search_index = SearchIndex(str(tmp_path / 'ix'))
    _write_checkpoint(search_index, {'log': 'x', 'start': 3,
                                     'done': {'2026': 'AS-20261231-999999'}})
    assert _read_checkpoint(search_index)['done']['2026'].endswith('999999')


def test_text_is_extracted_from_docx_pdf_and_plain_text(tmp_path):
    import docx
    document = docx.Document()
    document.add_paragraph('开办药店申请书：申请人王建国')
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = '食品经营许可'
    out = io.BytesIO()
    document.save(out)
    text = extract_bytes(out.getvalue(), 'application/zip', 'a.docx')
    assert '开办药店申请书' in text and '食品经营许可' in text

    from reportlab.pdfgen import canvas
    pdf = io.BytesIO()
    page = canvas.Canvas(pdf)
    page.drawString(72, 720, 'Licence 91210302MA1234567C issued')
    page.save()
    text = extract_bytes(pdf.getvalue(), 'application/pdf', 'b.pdf')
    assert '91210302MA1234567C' in text

    assert extract_bytes('营业执照'.encode('gb18030'), 'text/plain',
                         'c.txt') == '营业执照'
    # a damaged file gives no text, never an error
    assert extract_bytes(b'%PDF-1.4 broken', 'application/pdf', 'd.pdf') \
        == ''


def test_material_text_is_cached_by_content_hash(tmp_path):
    class Version:
        sha256 = 'ab' * 32
        mimetype = 'text/plain'
        filename = 'x.txt'
        opened = 0

        def open(self):
            Version.opened += 1
            return io.BytesIO('现场核查记录'.encode('utf-8'))
    cache = str(tmp_path / 'texts')
    assert material_text(Version(), cache) == '现场核查记录'
    assert material_text(Version(), cache) == '现场核查记录'
    assert Version.opened == 1
