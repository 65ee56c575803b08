"""The one-time notice (一次性告知书) of a service guide, as a PDF.

Art. 32 of the Administrative Licensing Law: the applicant is told *once
and completely* what an application needs.  This is the guide on paper:
the full list of materials, the conditions, the time limits, fees, the
site inspection and whom to ask -- built with reportlab from the same
``guide.Guide`` value as the page, so the two cannot disagree.

The Chinese font is *embedded* (a subset of WenQuanYi Zen Hei, as a
TrueType ``FontFile2``) so the PDF prints and reads the same on any
computer, and the text stays extractable (reportlab writes a ToUnicode
map).  The font file is named by the setting ``casefile.font_file``.
"""
import datetime
import io
import os
import threading

from ..i18n import _
from .guide import ART_32, ART_45, CONTACT_ROLES

DEFAULT_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'
FONT_NAME = 'WenQuanYi'
FONT_PACKAGE = 'fonts-wqy-zenhei'

_lock = threading.Lock()
_registered = {}     # path -> font name


class FontMissing(RuntimeError):
    """The Chinese font for PDFs is not installed."""

    def __init__(self, path):
        self.path = path
        super().__init__(
            f'The Chinese font file {path} for PDF notices does not exist. '
            f'Install the Debian package {FONT_PACKAGE} '
            f'(apt-get install {FONT_PACKAGE}) or point the setting '
            f'casefile.font_file at a TrueType collection with Chinese '
            f'glyphs.')


def register_font(path=DEFAULT_FONT_FILE):
    """Register the TTC once per process; return the reportlab font name."""
    path = path or DEFAULT_FONT_FILE
    with _lock:
        if path in _registered:
            return _registered[path]
        if not os.path.isfile(path):
            raise FontMissing(path)
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        name = FONT_NAME if not _registered else \
            f'{FONT_NAME}-{len(_registered)}'
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        _registered[path] = name
        return name


def _identity(message):
    return message.interpolate() if hasattr(message, 'interpolate') \
        else str(message)


def build_notice(guide, translate=None, font_file=None, version=None,
                 today=None):
    """The PDF bytes of the one-time notice for ``guide``."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (KeepTogether, Paragraph,
                                    SimpleDocTemplate, Spacer, Table,
                                    TableStyle)
    from xml.sax.saxutils import escape

    t = translate or _identity
    font = register_font(font_file)
    today = today or datetime.date.today()

    base = ParagraphStyle('base', fontName=font, fontSize=10.5, leading=15,
                          wordWrap='CJK')
    small = ParagraphStyle('small', parent=base, fontSize=9, leading=12.5,
                           textColor=colors.HexColor('#444444'))
    cell = ParagraphStyle('cell', parent=base, fontSize=9.5, leading=13)
    head = ParagraphStyle('head', parent=cell, textColor=colors.white)
    title = ParagraphStyle('title', parent=base, fontSize=20, leading=28,
                           alignment=TA_CENTER, spaceAfter=4)
    subtitle = ParagraphStyle('subtitle', parent=base, fontSize=13,
                              leading=19, alignment=TA_CENTER, spaceAfter=10)
    h2 = ParagraphStyle('h2', parent=base, fontSize=12.5, leading=18,
                        spaceBefore=10, spaceAfter=4,
                        textColor=colors.HexColor('#b71c1c'))

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    def tr(message):
        return t(message)

    def table(header, rows, widths):
        data = [[p(tr(h), head) for h in header]]
        data += [[c if hasattr(c, 'wrap') else p(c, cell) for c in row]
                 for row in rows]
        result = Table(data, colWidths=[w * mm for w in widths],
                       repeatRows=1)
        result.setStyle(TableStyle([
            ('BACKGROUND', (0, 0), (-1, 0), colors.HexColor('#b71c1c')),
            ('GRID', (0, 0), (-1, -1), 0.4, colors.HexColor('#999999')),
            ('VALIGN', (0, 0), (-1, -1), 'TOP'),
            ('TOPPADDING', (0, 0), (-1, -1), 3),
            ('BOTTOMPADDING', (0, 0), (-1, -1), 3),
        ]))
        return result

    story = [p(tr(_('One-time notice')), title),
             p(guide.title, subtitle),
             p(tr(_('Dear applicant: to apply for "${name}" you need the '
                    'materials and conditions below. We tell you once and '
                    'completely (${basis}); nothing else will be asked of '
                    'you.', mapping={'name': guide.title,
                                     'basis': ART_32}))),
             Spacer(1, 4)]

    # 申请材料
    story.append(p(tr(_('Application materials')), h2))
    rows = []
    for n, m in enumerate(guide.materials, 1):
        notes = []
        if m.gaps_allowed:
            notes.append(tr(_('May follow after acceptance (accept with '
                              'gaps)')))
        if m.reusable:
            notes.append(tr(_('Not needed again if the bureau already '
                              'holds it')))
        if m.description:
            notes.append(m.description)
        if not m.all_items:
            notes.append(tr(_('For: ${items}',
                              mapping={'items': '、'.join(m.items)})))
        rows.append([str(n), m.name, m.form, str(m.count),
                     tr(_('required') if m.required else _('optional')),
                     Paragraph('<br/>'.join(escape(x) for x in notes), cell)])
    story.append(table([_('No.'), _('Material'), _('Form'), _('Copies'),
                        _('Required'), _('Notes')], rows,
                       [10, 56, 20, 14, 18, 62]))
    if guide.internal_materials:
        story.append(Spacer(1, 4))
        for m in guide.internal_materials:
            story.append(p(tr(_('${material}: issued by "${item}" within '
                                'this application and passed on inside '
                                'the bureau; you do not submit it.',
                                mapping={'material': m.name,
                                         'item': m.produced_by_name})),
                           small))

    # 受理条件
    story.append(p(tr(_('Acceptance conditions')), h2))
    for n, c in enumerate(guide.conditions, 1):
        text = f'{n}. {c.text}'
        if not c.all_items:
            text += f'（{"、".join(c.items)}）'
        story.append(p(text))
    for item_name, prerequisite in guide.external:
        story.append(p(tr(_('"${item}" needs the result of "${prerequisite}",'
                            ' which you must already hold.',
                            mapping={'item': item_name,
                                     'prerequisite': prerequisite}))))

    # 办结时限
    story.append(p(tr(_('Time limits')), h2))
    story.append(p(tr(_('Parallel handling: ${parallel} working days; one '
                        'item after another it would take ${sequential} '
                        'working days.',
                        mapping={'parallel': guide.time.promised,
                                 'sequential':
                                     guide.time.promised_sequential}))))
    story.append(p(tr(_('Statutory limit for the whole application: '
                        '${days} working days.',
                        mapping={'days': guide.time.statutory}))))
    rows = [[i.name, i.section.name, str(i.promised), str(i.statutory)]
            for i in guide.items]
    story.append(table([_('Item'), _('Section'), _('Promised (working '
                                                   'days)'),
                        _('Statutory (working days)')], rows,
                       [72, 40, 34, 34]))

    # 收费标准
    story.append(p(tr(_('Fees')), h2))
    for fee in guide.fees:
        if fee.free:
            text = f'{fee.item}：{tr(_("Free of charge"))}'
        else:
            text = f'{fee.item}：{fee.amount_text}'
        if fee.basis:
            text += f'（{tr(_("Basis"))}：{fee.basis}）'
        story.append(p(text))

    # 现场勘验、专家评审
    story.append(p(tr(_('Site inspection and expert review')), h2))
    if guide.inspection_points:
        story.append(p(tr(_('A site inspection is needed. The inspection '
                            'section checks all points on one visit:'))))
        for n, point in enumerate(guide.inspection_points, 1):
            story.append(p(f'{n}. {point.text}（{"、".join(point.items)}）',
                           small))
    else:
        story.append(p(tr(_('No site inspection is needed.'))))
    if guide.expert_reviews:
        for item_name, speciality in guide.expert_reviews:
            story.append(p(tr(_('Expert review for "${item}": ${speciality}',
                                mapping={'item': item_name,
                                         'speciality': speciality or ''}))))
    else:
        story.append(p(tr(_('No expert review is needed.'))))
    if guide.inspection_points or guide.expert_reviews:
        story.append(p(tr(_('Time for site inspection and expert review is '
                            'not counted in the time limits (${basis}); you '
                            'are told in writing how long it takes.',
                            mapping={'basis': ART_45}))))

    # 咨询与监督
    contacts = [[tr(CONTACT_ROLES.get(c.role, c.role)), c.name, c.phone or '',
                 c.location or ''] for c in guide.contacts + guide.supervision]
    story.append(KeepTogether([
        p(tr(_('Enquiries and supervision')), h2),
        table([_('For'), _('Name'), _('Phone'), _('Location')], contacts,
              [28, 58, 28, 66])]))

    story.append(Spacer(1, 10))
    story.append(p(tr(_('Catalogue: ${title} (effective ${date})${version}',
                        mapping={'title': guide.catalogue_title,
                                 'date': guide.effective.isoformat(),
                                 'version': f' v{version}' if version
                                 else ''})), small))
    bureau = tr(_('Anshan Administrative Approval Bureau'))
    printed = tr(_('Printed on ${date}', mapping={'date': today.isoformat()}))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.HexColor('#666666'))
        canvas.drawString(18 * mm, 10 * mm, f'{bureau} · {printed}')
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm,
                               f'{guide.code} · {doc.page}')
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
        topMargin=15 * mm, bottomMargin=18 * mm,
        title=f'{tr(_("One-time notice"))} · {guide.title}',
        author=bureau, subject=guide.title)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

