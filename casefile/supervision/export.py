"""The dashboard's tables as an Excel workbook (openpyxl), same numbers.

Rates are written as fractions with a percent format and averages as
numbers with one decimal shown, so a spreadsheet can compute with them.
"""
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..i18n import _

#: (title, value of a Row, number format)
TASK_COLUMNS = (
    (_('Decided'), lambda r: r['decided'], '0'),
    (_('On time'), lambda r: r['on_time'], '0'),
    (_('Late'), lambda r: r['late'], '0'),
    (_('On-time rate'), lambda r: r.on_time_rate, '0.0%'),
    (_('Average working days used'), lambda r: r.avg_used, '0.0'),
    (_('Average promised limit'), lambda r: r.avg_limit, '0.0'),
    (_('Extended'), lambda r: r['extended'], '0'),
    (_('Extension days'), lambda r: r['extension_days'], '0'),
    (_('Clock stopped'), lambda r: r['stopped'], '0'),
    (_('Number of clock stops'), lambda r: r['stops'], '0'),
    (_('Stopped working days'), lambda r: r['stopped_days'], '0'),
    (_('Red now'), lambda r: r.red, '0'),
    (_('Yellow now'), lambda r: r.yellow, '0'),
)

CASE_COLUMNS = (
    (_('Cases decided'), lambda r: r['decided'], '0'),
    (_('On time'), lambda r: r['on_time'], '0'),
    (_('Late'), lambda r: r['late'], '0'),
    (_('On-time rate'), lambda r: r.on_time_rate, '0.0%'),
    (_('Items decided'), lambda r: r['tasks'], '0'),
    (_('Items late'), lambda r: r['late_tasks'], '0'),
    (_('Extended'), lambda r: r['extended'], '0'),
    (_('Clock stopped'), lambda r: r['stopped'], '0'),
    (_('Number of clock stops'), lambda r: r['stops'], '0'),
    (_('Red now'), lambda r: r.red, '0'),
    (_('Yellow now'), lambda r: r.yellow, '0'),
)

HEAD = Font(bold=True)
FILL = PatternFill('solid', fgColor='EEF1F4')


def _sheet(book, title, heads, rows, formats):
    sheet = book.create_sheet(title)
    sheet.append(heads)
    for cell in sheet[1]:
        cell.font = HEAD
        cell.fill = FILL
    for row in rows:
        sheet.append(row)
    for column, fmt in enumerate(formats, 1):
        if fmt is None:
            continue
        for cell in sheet.iter_rows(min_row=2, min_col=column,
                                    max_col=column):
            cell[0].number_format = fmt
    for column, head in enumerate(heads, 1):
        width = max([len(str(head)) * 2] + [len(str(r[column - 1])) + 2
                                            for r in rows] + [8])
        sheet.column_dimensions[get_column_letter(column)].width = min(
            width, 40)
    sheet.freeze_panes = 'A2'
    return sheet


def workbook(board, translate):
    """The workbook of ``board`` (a :class:`~.dashboard.Dashboard`) as
    bytes; ``translate`` turns message ids into the user's language."""
    book = Workbook()
    book.remove(book.active)
    t = translate
    task_heads = [t(c[0]) for c in TASK_COLUMNS]
    task_formats = [c[2] for c in TASK_COLUMNS]

    def values(row, columns):
        return [c[1](row) for c in columns]

    _sheet(book, t(_('Sections')),
           [t(_('Rank')), t(_('Section'))] + task_heads,
           [[r.rank, r.name] + values(r, TASK_COLUMNS)
            for r in board.ranking],
           ['0', None] + task_formats)
    _sheet(book, t(_('Items')),
           [t(_('Section')), t(_('Item code')), t(_('Item'))] + task_heads,
           [[_section_name(board, r.key[0]), r.key[1], r.name]
            + values(r, TASK_COLUMNS) for r in board.items],
           [None, None, None] + task_formats)
    case_heads = [t(c[0]) for c in CASE_COLUMNS]
    case_formats = [c[2] for c in CASE_COLUMNS]
    _sheet(book, t(_('Cases by lead section')),
           [t(_('Lead section'))] + case_heads,
           [[r.name] + values(r, CASE_COLUMNS) for r in board.cases],
           [None] + case_formats)
    _sheet(book, t(_('Matters and stages')),
           [t(_('Lead section')), t(_('Application code')),
            t(_('Application'))] + case_heads,
           [[_section_name(board, r.key[0]), r.key[1], r.name]
            + values(r, CASE_COLUMNS) for r in board.applications],
           [None, None, None] + case_formats)
    _sheet(book, t(_('Months')),
           [t(_('Month')), t(_('Decided')), t(_('On time')), t(_('Late'))],
           [[m, c['decided'], c['on_time'], c['late']]
            for m, c in board.months],
           [None, '0', '0', '0'])
    _sheet(book, t(_('Organisations')),
           [t(_('Organisation'))] + task_heads,
           [[r.name] + values(r, TASK_COLUMNS) for r in board.organisations],
           [None] + task_formats)
    info = book.create_sheet(t(_('Period')), 0)
    info.append([t(_('Period')), board.period.start.isoformat(),
                 board.period.end.isoformat()])
    info['A1'].font = HEAD
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _section_name(board, code):
    for row in board.sections:
        if row.key[0] == code:
            return row.name
    return code
