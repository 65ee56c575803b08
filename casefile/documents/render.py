"""Rendering an issued document: template + record -> signed PDF in a blob.

On :class:`~casefile.case.document.DocumentIssued` the record (kind,
number, lines, items) is filled into its template (``templates.py``), laid
out as an A4 PDF with the embedded Chinese font, the one seal and a QR code
to the public verification page, signed with the bureau's key
(``sign.py``) and stored on the record:

- ``document.pdf``: a ZODB blob with the signed PDF;
- ``document.sha256``, ``document.size``: its fingerprint and length;
- ``document.verify_token``, ``document.verify_url``: what the QR code says;
- ``document.template``: the template file used.

The values a template can use are computed here from the case and the
record (``document_values``); a value in ``document.data`` under a
placeholder's name wins over the computed one.
"""
import datetime
import functools
import hashlib
import io
import logging
import re

from pyramid.threadlocal import get_current_request

from . import sign
from .seal import SEAL_DIAMETER_MM, draw_seal
from .templates import FORM_PREFIX, PLACEHOLDERS, expand, fill
from .verify import format_code, new_token, register

log = logging.getLogger(__name__)

DEFAULT_BUREAU = '鞍山市行政审批局'
DEFAULT_PUBLIC_URL = 'http://localhost:6543'
MISSING = '—'


def bureau_name(settings):
    return settings.get('casefile.bureau_name') or DEFAULT_BUREAU


def chinese_date(value):
    """``2026年11月25日`` for a date, a datetime (in the server's time
    zone, as on the pages) or ISO text."""
    if not value:
        return ''
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        value = value.date()
    return '%d年%d月%d日' % (value.year, value.month, value.day)


def public_url(settings, request=None):
    """The address the QR code points at: ``casefile.public_url``, else
    the current request's application URL."""
    url = settings.get('casefile.public_url')
    if not url:
        request = request if request is not None else get_current_request()
        url = request.application_url if request is not None \
            else DEFAULT_PUBLIC_URL
    return url.rstrip('/')


# -- values -------------------------------------------------------------------

def label_fields(lines):
    """``{label: value}`` of the record's ``label：value`` lines."""
    fields = {}
    for line in lines:
        label, sep, value = line.partition('：')
        if sep and label and len(label) <= 12 and label not in fields:
            fields[label] = value.strip()
    return fields


def _after(lines, marker):
    for line in lines:
        if marker in line:
            return line.rsplit(marker, 1)[1].strip()
    return ''


def _item_names(case, catalogue, codes):
    tasks = case['tasks'] if 'tasks' in case else {}
    names = []
    for code in codes:
        if code in tasks:
            names.append(tasks[code].item_name)
        elif catalogue is not None and code in catalogue.items:
            names.append(catalogue.items[code].name)
        else:
            names.append(code)
    return names


def _unique(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def form_values(case, catalogue, items):
    """``{'form.KEY': display text}`` from the case's one form."""
    from ..catalogue.forms import display_value, group_name
    out = {}
    data = case.form_data or {}
    try:
        form = catalogue.merged_fields(case.application_code)
    except (AttributeError, KeyError):
        return out
    shared = data.get('shared', {})
    for entry in form.shared:
        if entry.field.key in shared:
            out[FORM_PREFIX + entry.field.key] = display_value(
                entry.field, shared[entry.field.key])
    for group in form.per_item:
        if items and group.item not in items:
            continue
        values = data.get(group_name(group.item), {})
        for field in group.fields:
            if field.key in values:
                out.setdefault(FORM_PREFIX + field.key,
                               display_value(field, values[field.key]))
    if case.applicant.get('kind') == 'company':
        out.setdefault(FORM_PREFIX + 'credit_code',
                       case.applicant.get('identifier') or MISSING)
    out.setdefault(FORM_PREFIX + 'applicant_name',
                   case.applicant.get('name') or MISSING)
    return out


def document_values(case, document, settings, verify_url=''):
    """Everything a template may say about ``document``."""
    from ..case.lifecycle import RIGHTS
    from ..catalogue.store import catalogue_for
    try:
        catalogue = catalogue_for(case)
    except Exception:   # pragma: no cover - a case outside a site
        catalogue = None
    lines = list(document.lines)
    fields = label_fields(lines)
    codes = list(document.items) or list(case.item_codes)
    items = [catalogue.items[c] for c in codes
             if catalogue is not None and c in catalogue.items]
    applicant = case.applicant
    values = {
        'bureau': bureau_name(settings),
        'title': document.title,
        'number': document.number,
        'date': chinese_date(document.created),
        'case_number': case.case_number,
        'query_code': getattr(case, 'query_code', None) or '',
        'application': case.application_name,
        'applicant': applicant.get('name') or '',
        'applicant_identifier': applicant.get('identifier') or '',
        'applicant_contact': applicant.get('contact') or '',
        'applicant_phone': applicant.get('phone') or '',
        'submitted_date': chinese_date(case.created),
        'accepted_date': chinese_date(getattr(case, 'accepted_at', None)),
        'items': _item_names(case, catalogue, codes),
        'legal_basis': _unique(b for item in items
                               for b in item.legal_basis),
        'inspection_points': _unique(p for item in items
                                     for p in item.inspection.points),
        'lines': lines,
        'rights': RIGHTS,
        'reasons': _after(lines, '理由：'),
        'holder': fields.get('持证人') or applicant.get('name') or '',
        'verify_code': format_code(document.verify_token)
        if getattr(document, 'verify_token', None) else '',
        'verify_url': verify_url,
        'corrections': [re.sub(r'^\d+\.\s*', '', line) for line in lines
                        if re.match(r'^\d+\.\s', line)]
        if document.kind == 'correction_notice' else [],
        'comment': '', 'gaps': [], 'gaps_due': '', 'days': '',
        'stop_kind': '', 'stop_start': '',
        'inspection_date': chinese_date(fields.get('勘验时间', '')),
        'inspection_address': fields.get('勘验地点', ''),
        'inspectors': fields.get('勘验人员', ''),
        'delivery_method': fields.get('送达方式', ''),
        'recipient': fields.get('领取人/收件人', ''),
        'delivered': [d for d in fields.get('送达文书', '').split('、') if d],
    }
    kind = document.kind
    if kind == 'decision_grant':
        marker = next((i for i, line in enumerate(lines)
                       if '决定准予许可' in line), None)
        if marker is not None:
            values['comment'] = '\n'.join(lines[marker + 1:])
    if kind == 'acceptance_notice' and any(line.startswith('容缺受理')
                                           for line in lines):
        gaps = getattr(case, 'gaps', None) or {}
        values['gaps'] = list(gaps.get('materials', ()))
        values['gaps_due'] = chinese_date(gaps.get('due', ''))
    if kind == 'extension_notice':
        match = re.search(r'延长\s*(\d+)\s*个工作日', document.text)
        values['days'] = match.group(1) if match else ''
    if kind == 'clock_stop_notice':
        _clock_stop_values(case, document, values)
    values['reasons'] = values['reasons'].rstrip('。.；; ')
    for key, value in (document.data or {}).items():
        if key in PLACEHOLDERS:
            values[key] = list(value) if isinstance(value, (list, tuple)) \
                else value
    values.update(form_values(case, catalogue, codes)
                  if catalogue is not None else {})
    return values


def _clock_stop_values(case, document, values):
    from ..clock.timing import STOP_KINDS
    text = document.text
    match = re.search(r'因(.+?)（(.*)），以下事项自\s*(\S+)\s*起暂停计时', text)
    days = re.search(r'预计需要\s*(\d+)\s*个工作日', text)
    if match:
        values['stop_kind'], values['reasons'] = match.group(1), \
            match.group(2)
        values['stop_start'] = chinese_date(match.group(3))
    elif getattr(case, 'clock_stops', None):
        stop = case.clock_stops[-1]
        values['stop_kind'] = STOP_KINDS.get(stop['kind'], stop['kind'])
        values['reasons'] = stop['reason']
        values['stop_start'] = chinese_date(stop['start'])
    values['days'] = days.group(1) if days else ''


# -- the PDF ------------------------------------------------------------------

def draw_qr(canvas, payload, x, y, size):
    """The QR code of ``payload`` as vector squares, ``size`` points wide."""
    import segno
    qr = segno.make(payload, error='m', micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        start = None
        for c, bit in enumerate(row + [0]):
            if bit and start is None:
                start = c
            elif not bit and start is not None:
                canvas.rect(x + start * module, y + size - (r + 1) * module,
                            (c - start) * module, module * 1.02,
                            stroke=0, fill=1)
                start = None
    canvas.restoreState()
    return qr


@functools.lru_cache(maxsize=None)
def _flowables():
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable

    class SignOff(Flowable):
        """The QR code (left) and the bureau, the date and the seal
        (right): the end of every document."""

        height_mm = 52

        def __init__(self, font, bureau, date, verify_url, verify_code,
                     labels):
            super().__init__()
            self.font = font
            self.bureau = bureau
            self.date = date
            self.verify_url = verify_url
            self.verify_code = verify_code
            self.labels = labels

        def wrap(self, available_width, available_height):
            self.width = available_width
            self.height = self.height_mm * mm
            return self.width, self.height

        def draw(self):
            from reportlab.pdfbase.pdfmetrics import stringWidth
            c = self.canv
            centre = self.width - 42 * mm
            c.setFont(self.font, 13)
            c.drawCentredString(centre, 32 * mm, self.bureau)
            c.setFont(self.font, 12)
            c.drawCentredString(centre, 23.5 * mm, self.date)
            draw_seal(c, centre, 29 * mm, SEAL_DIAMETER_MM / 2 * mm,
                      self.font, self.bureau)
            if not self.verify_url:
                return
            qr_size = 27 * mm
            draw_qr(c, self.verify_url, 0, 6 * mm, qr_size)
            x = qr_size + 4 * mm
            room = centre - 24 * mm - x
            c.setFont(self.font, 9.5)
            c.drawString(x, 28 * mm, self.labels['scan'])
            c.drawString(x, 22.5 * mm, self.labels['code'] + self.verify_code)
            size = 8.0
            text = self.verify_url
            while size > 5 and stringWidth(text, self.font, size) > room:
                size -= 0.5
            c.setFont(self.font, size)
            c.drawString(x, 17 * mm, text)

    return SignOff


LABELS = {
    'scan': '扫描二维码或访问下列网址核验本文书',
    'code': '验证码：',
    'number': '编号：',
    'page': '第 %d 页',
    'footer': '办件编号：%s',
}


def build_pdf(template, values, font, bureau, labels=LABELS):
    """The (unsigned) PDF bytes of ``template`` filled with ``values``."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (KeepTogether, Paragraph,
                                    SimpleDocTemplate, Spacer, Table,
                                    TableStyle)
    from xml.sax.saxutils import escape

    certificate = template.layout == 'certificate'
    base = ParagraphStyle('base', fontName=font, fontSize=12, leading=21,
                          wordWrap='CJK')
    body = ParagraphStyle('body', parent=base, firstLineIndent=24)
    title = ParagraphStyle('title', parent=base,
                           fontSize=26 if certificate else 22,
                           leading=36 if certificate else 30,
                           alignment=TA_CENTER, spaceAfter=6,
                           textColor=colors.HexColor(
                               '#8b0000' if certificate else '#000000'))
    number = ParagraphStyle('number', parent=base, fontSize=11, leading=16,
                            alignment=TA_CENTER if certificate else TA_RIGHT,
                            spaceAfter=14)
    cell = ParagraphStyle('cell', parent=base, fontSize=11, leading=16)
    label = ParagraphStyle('label', parent=cell, alignment=TA_CENTER)

    def p(text, style):
        lines = escape(str(text)).split('\n')
        return Paragraph('<br/>'.join(lines), style)

    heading = fill(template.title, values)
    if certificate and len(heading) <= 10:
        heading = ' '.join(heading)
    story = [Spacer(1, 8 * mm if certificate else 2 * mm), p(heading, title),
             p((labels['number'] if certificate else '') + values['number'],
               number)]
    if template.addressee:
        story.append(p(fill(template.addressee, values), base))
    for paragraph in template.body:
        story += [p(text, body) for text in expand(paragraph, values)]
    if template.table:
        rows = [[p(fill(row.label, values), label),
                 p((fill(row.value, values, joiner='\n') or MISSING)
                   if row.value.strip() else '', cell)]
                for row in template.table]
        table = Table(rows, colWidths=[38 * mm, None])
        table.setStyle(TableStyle([
            ('GRID', (0, 0), (-1, -1), 0.6, colors.HexColor('#555555')),
            ('VALIGN', (0, 0), (-1, -1), 'MIDDLE'),
            ('TOPPADDING', (0, 0), (-1, -1), 5),
            ('BOTTOMPADDING', (0, 0), (-1, -1), 5),
        ]))
        story += [Spacer(1, 3 * mm), table, Spacer(1, 3 * mm)]
    for paragraph in template.closing:
        story += [p(text, body) for text in expand(paragraph, values)]
    story.append(Spacer(1, 8 * mm))
    SignOff = _flowables()
    story.append(KeepTogether([SignOff(
        font, bureau, values['date'], values.get('verify_url', ''),
        values.get('verify_code', ''), labels)]))

    def page(canvas, doc):
        canvas.saveState()
        width, height = A4
        if certificate:
            canvas.setStrokeColor(colors.HexColor('#8b0000'))
            canvas.setLineWidth(2.2)
            canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
            canvas.setLineWidth(0.6)
            canvas.rect(12.5 * mm, 12.5 * mm, width - 25 * mm,
                        height - 25 * mm)
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.HexColor('#666666'))
        canvas.drawString(20 * mm, 14.5 * mm,
                          labels['footer'] % values['case_number'] + '  '
                          + values['number'])
        canvas.drawRightString(width - 20 * mm, 14.5 * mm,
                               labels['page'] % doc.page)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
        topMargin=22 * mm, bottomMargin=22 * mm,
        title='%s %s' % (fill(template.title, values), values['number']),
        author=bureau, subject=values['case_number'],
        creator='casefile', keywords=values['number'])
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()


# -- issuing ------------------------------------------------------------------

def get_templates(registry):
    templates = getattr(registry, 'casefile_document_templates', None)
    if templates is None:
        from .templates import load_templates
        templates = load_templates(templates_dir(registry.settings))
        registry.casefile_document_templates = templates
    return templates


def templates_dir(settings):
    import os
    return settings.get('casefile.document_templates') or os.path.join(
        settings.get('casefile.templates_dir') or 'templates', 'documents')


def render_document(case, document, registry, request=None):
    """The signed PDF bytes of ``document`` (token and URL must be set)."""
    from ..catalogue.notice import register_font
    settings = registry.settings
    template = get_templates(registry).for_document(document)
    font = register_font(settings.get('casefile.font_file'))
    values = document_values(case, document, settings,
                             getattr(document, 'verify_url', ''))
    bureau = bureau_name(settings)
    pdf = build_pdf(template, values, font, bureau)
    signed = sign.sign_pdf(pdf, settings, reason='%s %s' % (
        document.title, document.number))
    return signed, template


def store_pdf(document, data, template=None):
    from ZODB.blob import Blob
    blob = Blob()
    with blob.open('w') as f:
        f.write(data)
    document.pdf = blob
    document.sha256 = hashlib.sha256(data).hexdigest()
    document.size = len(data)
    document.template = getattr(template, 'name', None)
    document.rendered = datetime.datetime.now(datetime.timezone.utc)


def issue_pdf(case, document, registry, request=None):
    """Give ``document`` its token, render, sign and store its PDF."""
    if not getattr(document, 'verify_token', None):
        document.verify_token = new_token()
    document.verify_url = '%s/verify/%s' % (
        public_url(registry.settings, request), document.verify_token)
    data, template = render_document(case, document, registry, request)
    store_pdf(document, data, template)
    register(case, document)
    return data


def on_document_issued(event):
    issue_pdf(event.case, event.document, event.registry)


class PdfFile:
    """The rendered PDF in the shape ``case.views.file_response`` serves."""

    mimetype = 'application/pdf'

    def __init__(self, document):
        self.document = document
        self.size = document.size
        safe = re.sub(r'[\\/:*?"<>|\s]+', '_', '%s-%s' % (
            document.title, document.number))
        self.filename = safe + '.pdf'

    def open(self):
        return self.document.pdf.open('r')
