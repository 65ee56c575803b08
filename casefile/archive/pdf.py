"""The archive's PDFs: the file index, the generated records, the reading
copy.

All are laid out with reportlab in the bureau's Chinese font (the setting
``casefile.font_file``) and made with ``invariant=1``, so the same case
gives the same bytes every time.  The reading copy (one PDF to read the
whole file) is assembled with pypdf from the record PDFs and images; to
keep memory bounded however large the case, it takes in records only up
to ``casefile.archive_reading_max_mb`` (default 32 MB of source files)
and puts a page in place of every other record saying where in the
package it is and its checksum.
"""
import datetime
import io
import os
import tempfile
from xml.sax.saxutils import escape

from .index import GROUPS, open_stored

DEFAULT_READING_MAX_MB = 32


def _font(settings):
    from ..catalogue.notice import register_font
    return register_font(settings.get('casefile.font_file'))


def _styles(font):
    from reportlab.lib.styles import ParagraphStyle
    return {
        'title': ParagraphStyle('t', fontName=font, fontSize=18,
                                leading=26, alignment=1, spaceAfter=8),
        'h2': ParagraphStyle('h', fontName=font, fontSize=13, leading=19,
                             spaceBefore=8, spaceAfter=4),
        'body': ParagraphStyle('b', fontName=font, fontSize=10.5,
                               leading=16, wordWrap='CJK'),
        'cell': ParagraphStyle('c', fontName=font, fontSize=8.5,
                               leading=11.5, wordWrap='CJK'),
        'small': ParagraphStyle('s', fontName=font, fontSize=8, leading=11,
                                wordWrap='CJK'),
    }


def _p(text, style):
    from reportlab.platypus import Paragraph
    return Paragraph(escape(str(text if text is not None else '')).replace(
        '\n', '<br/>'), style)


def _document(flowables, font, footer, landscape_=False):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate
    out = io.BytesIO()
    size = landscape(A4) if landscape_ else A4

    def page(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(size[0] - 18 * mm, 10 * mm,
                               '第 %d 页' % doc.page)
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=18 * mm,
                            rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, invariant=1,
                            title=footer, author='casefile')
    doc.build(flowables, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


def _table(rows, widths, font, header=True):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [('GRID', (0, 0), (-1, -1), 0.4, colors.grey),
             ('VALIGN', (0, 0), (-1, -1), 'TOP'),
             ('FONTNAME', (0, 0), (-1, -1), font)]
    if header:
        style.append(('BACKGROUND', (0, 0), (-1, 0), colors.HexColor(
            '#eef1f4')))
    table.setStyle(TableStyle(style))
    return table


def _when(value):
    if isinstance(value, datetime.datetime):
        from . import clock
        if value.year <= 1970:
            return ''
        return value.astimezone(clock.TZ).strftime('%Y-%m-%d %H:%M')
    return str(value or '')


def _footer(case):
    return '档号 %s · 办件编号 %s' % (getattr(case, 'archive_number', None)
                                  or '（未归档）', case.case_number)


def file_index_pdf(case, entries, settings, digests=None):
    """卷内目录: one row per record, with its checksum when known."""
    from reportlab.lib.units import mm
    from .service import retention_label
    font = _font(settings)
    s = _styles(font)
    digests = digests or {}
    story = [_p('卷内目录', s['title']),
             _p('档号：%s　保管期限：%s　归档日期：%s' % (
                 case.archive_number or '', retention_label(case.retention),
                 _when(case.archived_on)), s['body']),
             _p('办件编号：%s　事项：%s　申请人：%s（%s）' % (
                 case.case_number, case.application_name,
                 case.applicant.get('name', ''),
                 case.applicant.get('identifier', '')), s['body'])]
    rows = [[_p(h, s['cell']) for h in (
        '件号', '类别', '题名', '文号', '形成日期', '责任者', '大小（字节）',
        'SHA-256')]]
    for e in entries:
        digest = digests.get(e.path, {})
        rows.append([_p(x, s['cell']) for x in (
            e.seq, '%d %s' % (e.group_number, _group_title(e.group)),
            e.title, e.number, _when(e.date), e.creator,
            digest.get('size', e.size) or '',
            digest.get('sha256', e.sha256) or '')])
    story.append(_table(rows, [10 * mm, 28 * mm, 60 * mm, 38 * mm,
                               26 * mm, 22 * mm, 20 * mm, 57 * mm], font))
    return _document(story, font, _footer(case), landscape_=True)


#: group titles in the PDFs (the bureau's filing vocabulary, always Chinese)
GROUP_LABELS = {
    'application': '申请书及申请表', 'intake': '受理、补正通知',
    'materials': '申请材料', 'inspection': '现场勘验',
    'expert': '专家评审', 'review': '审查意见及批注',
    'decisions': '许可决定', 'certificates': '证照',
    'delivery': '送达回证', 'journal': '办件日志'}
assert set(GROUP_LABELS) == {g for g, _t in GROUPS}


def _group_title(group):
    return GROUP_LABELS[group]


def application_pdf(case, settings):
    """申请表: the applicant and the one form as submitted."""
    from reportlab.lib.units import mm
    from ..catalogue.forms import form_rows
    from ..catalogue.store import catalogue_for
    font = _font(settings)
    s = _styles(font)
    story = [_p('行政审批申请表', s['title']),
             _p('办件编号：%s　申请事项：%s' % (case.case_number,
                                           case.application_name),
                s['body'])]
    applicant = [['申请人', case.applicant.get('name', '')],
                 ['证件号码', case.applicant.get('identifier', '')],
                 ['联系人', case.applicant.get('contact', '')],
                 ['联系电话', case.applicant.get('phone', '')],
                 ['提交时间', _when(case.created)]]
    story.append(_p('申请人', s['h2']))
    story.append(_table([[_p(a, s['cell']), _p(b, s['cell'])]
                         for a, b in applicant], [40 * mm, 134 * mm], font,
                        header=False))
    try:
        groups = form_rows(catalogue_for(case), case.application_code,
                           case.form_data)
    except (KeyError, AttributeError):
        groups = []
    for heading, rows in groups:
        if not rows:
            continue
        story.append(_p(heading or '共用信息（一张表格）', s['h2']))
        story.append(_table([[_p(a, s['cell']), _p(b, s['cell'])]
                             for a, b in rows], [60 * mm, 114 * mm], font,
                            header=False))
    return _document(story, font, _footer(case))


def opinions_pdf(case, settings):
    from reportlab.lib.units import mm
    font = _font(settings)
    s = _styles(font)
    story = [_p('审查意见', s['title'])]
    for task in case.tasks():
        story.append(_p('%s（%s）' % (task.item_name, task.item_code),
                        s['h2']))
        rows = [[_p(h, s['cell']) for h in ('时间', '审查人', '建议',
                                            '意见')]]
        for o in task.opinions:
            rows.append([_p(x, s['cell']) for x in (
                o.get('when', ''), o.get('author', ''),
                {'grant': '准予', 'deny': '不予'}.get(o.get('proposal'),
                                                  o.get('proposal', '')),
                o.get('text', ''))])
        story.append(_table(rows, [34 * mm, 26 * mm, 16 * mm, 98 * mm],
                            font))
    return _document(story, font, _footer(case))


def annotations_pdf(case, settings):
    from reportlab.lib.units import mm
    font = _font(settings)
    s = _styles(font)
    story = [_p('文书批注及回复', s['title'])]
    rows = [[_p(h, s['cell']) for h in ('时间', '批注人', '文书', '批注与回复',
                                        '状态')]]
    annotations = sorted(case['annotations'].values(),
                         key=lambda a: a.created)
    for a in annotations:
        text = '%s%s' % ('“%s” ' % a.quote if a.quote else '', a.text)
        for reply in a.replies:
            text += '\n↳ %s（%s）：%s' % (reply.get('author'), _when(
                reply.get('created')), reply.get('text'))
        rows.append([_p(x, s['cell']) for x in (
            _when(a.created), a.author,
            '%s/%s 第%s版 第%s页' % (a.container, a.material, a.version,
                                  a.page),
            text, '已解决（%s）' % a.resolved_by if a.resolved else '未解决')])
    story.append(_table(rows, [26 * mm, 20 * mm, 36 * mm, 72 * mm,
                               20 * mm], font))
    return _document(story, font, _footer(case))


def journal_pdf(case, settings):
    from reportlab.lib.units import mm
    font = _font(settings)
    s = _styles(font)
    story = [_p('办件日志', s['title']),
             _p('每条记录含上一条的 SHA-256，构成哈希链；机读版见 '
                'journal.jsonl。', s['small'])]
    rows = [[_p(h, s['cell']) for h in ('序号', '时间', '操作人', '操作',
                                        '对象', '说明', '哈希（前16位）')]]
    for e in case.journal:
        rows.append([_p(x, s['cell']) for x in (
            e['seq'], e['when'][:19].replace('T', ' '), e['actor'],
            e['action'], e['target'], e['comment'], e['hash'][:16])])
    story.append(_table(rows, [12 * mm, 30 * mm, 22 * mm, 30 * mm,
                               28 * mm, 32 * mm, 22 * mm], font))
    return _document(story, font, _footer(case))


def placeholder_pdf(case, entry, reason, settings, digest=None):
    font = _font(settings)
    s = _styles(font)
    digest = digest or {}
    story = [_p('%d. %s' % (entry.seq, entry.title), s['title']),
             _p(reason, s['body']),
             _p('档案包内文件：%s' % entry.path, s['body']),
             _p('大小：%s 字节' % (digest.get('size') or entry.size or ''),
                s['body']),
             _p('SHA-256：%s' % (digest.get('sha256') or entry.sha256 or ''),
                s['small'])]
    return _document(story, font, _footer(case))


def image_pdf(fileobj, settings):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    image = ImageReader(fileobj)
    w, h = image.getSize()
    scale = min((A4[0] - 60) / w, (A4[1] - 60) / h, 1.0)
    c.drawImage(image, (A4[0] - w * scale) / 2, (A4[1] - h * scale) / 2,
                w * scale, h * scale)
    c.showPage()
    c.save()
    return out.getvalue()


def reading_pdf(case, entries, generated, digests, settings, out):
    """Write the reading copy to the binary file ``out``."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    limit = int(float(settings.get('casefile.archive_reading_max_mb')
                      or DEFAULT_READING_MAX_MB) * 1024 * 1024)
    writer = PdfWriter()
    budget = limit

    def append(data_or_file, title):
        start = len(writer.pages)
        writer.append(PdfReader(data_or_file))
        if len(writer.pages) == start:
            raise ValueError('a PDF without pages')
        writer.add_outline_item(title=title, page_number=start)

    append(io.BytesIO(generated['__index__']), '卷内目录')
    for entry in entries:
        title = '%d. %s' % (entry.seq, entry.title)
        digest = digests.get(entry.path)
        if not entry.stored:
            if entry.path in generated and entry.path.endswith('.pdf'):
                append(io.BytesIO(generated[entry.path]), title)
            else:
                append(io.BytesIO(placeholder_pdf(
                    case, entry, '此文件为机读数据，未并入阅读版。',
                    settings, digest)), title)
            continue
        size = entry.size or 0
        if entry.mimetype not in ('application/pdf', 'image/jpeg',
                                  'image/png'):
            reason = '此文件格式不能并入阅读版，请打开档案包内的原文件。'
        elif size > budget:
            reason = ('为控制阅读版的大小，此文件未并入（阅读版最多并入 %d MB '
                      '原文件）。请打开档案包内的原文件。' % (limit >> 20))
        else:
            reason = None
        if reason is None:
            try:
                with open_stored(case, entry) as f:
                    if entry.mimetype == 'application/pdf':
                        append(f, title)
                    else:
                        append(io.BytesIO(image_pdf(f, settings)), title)
                budget -= size
                continue
            except (PyPdfError, OSError, ValueError, KeyError) as error:
                reason = '此文件无法解析为页面（%s），请打开档案包内的原文件。' \
                    % type(error).__name__
        append(io.BytesIO(placeholder_pdf(case, entry, reason, settings,
                                          digest)), title)
    writer.add_metadata({'/Title': '%s 阅读版' % (case.archive_number or
                                                 case.case_number),
                         '/Producer': 'casefile'})
    writer.write(out)
    writer.close()


def temporary_file(settings):
    from ..config import var_dir
    directory = os.path.join(var_dir(settings), 'tmp')
    os.makedirs(directory, exist_ok=True)
    return tempfile.TemporaryFile(dir=directory)
