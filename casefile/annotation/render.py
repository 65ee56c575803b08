"""Showing documents in the browser: PDF pages as PNG, DOCX as text.

PDF pages are rendered on the server with pypdfium2 (PDFium is not
thread-safe: one lock) and cached on disk under ``var_dir/page-cache``
keyed by (sha256, page, width); the page count is cached in memory.
"""
import collections
import io
import os
import threading
import zipfile

PDF = 'application/pdf'
IMAGES = ('image/png', 'image/jpeg')
DOCX = ('application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document')

WIDTHS = (480, 800, 1200)
DEFAULT_WIDTH = 800
MAX_PAGES_CACHED = 512

_lock = threading.Lock()
_page_counts = collections.OrderedDict()


def kind_of(mimetype):
    if mimetype == PDF:
        return 'pdf'
    if mimetype in IMAGES:
        return 'image'
    if mimetype == DOCX:
        return 'docx'
    return 'download'


def _read(version):
    with version.open() as f:
        return f.read()


def page_count(version):
    key = version.sha256
    with _lock:
        if key in _page_counts:
            _page_counts.move_to_end(key)
            return _page_counts[key]
    import pypdfium2 as pdfium
    data = _read(version)
    with _lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            count = 0
        else:
            try:
                count = len(pdf)
            finally:
                pdf.close()
        _page_counts[key] = count
        while len(_page_counts) > MAX_PAGES_CACHED:
            _page_counts.popitem(last=False)
    return count


def cache_dir(var_dir):
    path = os.path.join(var_dir, 'page-cache')
    os.makedirs(path, exist_ok=True)
    return path


def render_page(version, page, width=DEFAULT_WIDTH, var_dir=None):
    """PNG bytes of page ``page`` (1-based) of a PDF version, or ``None``."""
    if width not in WIDTHS:
        width = DEFAULT_WIDTH
    path = None
    if var_dir:
        path = os.path.join(cache_dir(var_dir), '%s-%d-%d.png' % (
            version.sha256, page, width))
        if os.path.exists(path):
            with open(path, 'rb') as f:
                return f.read()
    import pypdfium2 as pdfium
    data = _read(version)
    with _lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            if not 1 <= page <= len(pdf):
                return None
            pdf_page = pdf[page - 1]
            scale = width / max(pdf_page.get_width(), 1)
            bitmap = pdf_page.render(scale=scale)
            image = bitmap.to_pil()
            out = io.BytesIO()
            image.save(out, format='PNG', optimize=True)
            png = out.getvalue()
            pdf_page.close()
        finally:
            pdf.close()
    if path:
        tmp = path + '.%d.tmp' % threading.get_ident()
        with open(tmp, 'wb') as f:
            f.write(png)
        os.replace(tmp, path)
    return png


def docx_paragraphs(version):
    """The text of a DOCX, one string per paragraph (tables included)."""
    try:
        import docx
    except ImportError:      # pragma: no cover
        docx = None
    data = _read(version)
    if docx is not None:
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception:
            return _docx_xml_text(data)
        out = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                out.append(' | '.join(cell.text for cell in row.cells))
        return out
    return _docx_xml_text(data)


def _docx_xml_text(data):
    import xml.etree.ElementTree as ET
    ns = '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}'
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = ET.fromstring(z.read('word/document.xml'))
    except (zipfile.BadZipFile, KeyError, ET.ParseError):
        return []
    return [''.join(t.text or '' for t in p.iter(ns + 't'))
            for p in root.iter(ns + 'p')]
