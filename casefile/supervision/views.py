"""Pages of e-supervision: dashboard, drill-down, overdue list, export,
and every user's messages."""
import datetime

from pyramid.httpexceptions import HTTPBadRequest, HTTPFound
from pyramid.response import Response
from pyramid.view import view_config

from ..clock.timing import today as clock_today
from ..i18n import _
from ..site.worklist import yellow_days
from . import charts
from .aggregates import case_record, task_record
from .dashboard import (
    CASE_METRICS, LIGHTS, TASK_METRICS, build, drill, num, overdue,
    parse_period, pct)
from .export import workbook
from .notify import message_box, message_text

PAGE = 100

METRIC_TITLES = {
    'decided': _('Decided'),
    'on_time': _('Decided on time'),
    'late': _('Decided late'),
    'extended': _('Decided with an extension'),
    'stopped': _('Decided after a clock stop'),
    'red': _('Overdue now (red)'),
    'yellow': _('Due soon now (yellow)'),
}


#: the columns of the section and item tables: (metric to drill into or
#: None, title, cell text)
TASK_CELLS = (
    ('decided', _('Decided'), lambda r: r['decided']),
    ('on_time', _('On time'), lambda r: r['on_time']),
    ('late', _('Late'), lambda r: r['late']),
    (None, _('On-time rate'), lambda r: pct(r.on_time_rate)),
    (None, _('Working days used / promised (average)'),
     lambda r: '%s / %s' % (num(r.avg_used), num(r.avg_limit))),
    ('extended', _('Extended'), lambda r: r['extended']),
    (None, _('Extension days'), lambda r: r['extension_days']),
    ('stopped', _('Clock stopped'), lambda r: r['stopped']),
    (None, _('Clock stops / working days'),
     lambda r: '%d / %d' % (r['stops'], r['stopped_days'])),
    ('red', _('Red now'), lambda r: r.red),
    ('yellow', _('Yellow now'), lambda r: r.yellow),
)

CASE_CELLS = (
    ('decided', _('Cases decided'), lambda r: r['decided']),
    ('on_time', _('On time'), lambda r: r['on_time']),
    ('late', _('Late'), lambda r: r['late']),
    (None, _('On-time rate'), lambda r: pct(r.on_time_rate)),
    (None, _('Items decided / late'),
     lambda r: '%d / %d' % (r['tasks'], r['late_tasks'])),
    ('extended', _('Extended'), lambda r: r['extended']),
    ('stopped', _('Clock stopped'), lambda r: r['stopped']),
    ('red', _('Red now'), lambda r: r.red),
    ('yellow', _('Yellow now'), lambda r: r.yellow),
)


def cells(row, columns, url):
    """``[(text, link or None, metric)]`` of one table row; ``url(metric)``
    links a non-zero number to the list behind it."""
    out = []
    for metric, _title, value in columns:
        text = value(row)
        link = url(metric) if metric and text else None
        out.append((text, link, metric or ''))
    return out


def drill_url(request, period):
    """``url(scope, metric, section, key)`` for the template's links."""
    def url(scope, metric, section=None, key=None, organisation=None):
        query = {'scope': scope, 'metric': metric}
        if organisation:
            query['organisation'] = organisation
        if metric not in LIGHTS:
            query.update(period.query)
        if section:
            query['section'] = section
        if key:
            query['key'] = key
        return request.route_url('supervision_list', _query=query)
    return url


def rating_summary(root, start, end):
    from ..portal.ratings import rating_summary as summary
    return summary(root, start, end)


def _board(request):
    period = parse_period(request.params)
    return build(request.root, period, yellow_days(request))


@view_config(route_name='supervision', renderer='supervision.page',
             permission='supervision.view')
def dashboard(request):
    board = _board(request)
    t = request.localizer.translate
    ranking_chart = charts.on_time_bars(
        [(r.name, r.on_time_rate, r.decided, r.red) for r in board.ranking],
        t(_('On-time rate by section')), red_label=t(_('red')))
    month_chart = charts.monthly_bars(
        [(m, c['on_time'], c['late']) for m, c in board.months],
        t(_('Items decided per month')), t(_('On time')), t(_('Late')))
    period = board.period
    today = clock_today()
    presets = [
        (_('This month'), today.replace(day=1), today),
        (_('Last month'), (today.replace(day=1) - datetime.timedelta(
            days=1)).replace(day=1), today.replace(day=1)
            - datetime.timedelta(days=1)),
        (_('This year'), today.replace(month=1, day=1), today),
        (_('Last 12 months'), today - datetime.timedelta(days=365), today),
    ]
    drill = drill_url(request, period)

    def task_cells(row, key=None):
        return cells(row, TASK_CELLS, lambda m: drill(
            'task', m, row.key[0] or None, key))

    def org_cells(row):
        return cells(row, TASK_CELLS, lambda m: drill(
            'task', m, organisation=row.key[0]))

    def case_cells(row, key=None):
        return cells(row, CASE_CELLS, lambda m: drill(
            'case', m, row.key[0] or None, key))
    return {'board': board, 'period': period, 'pct': pct, 'num': num,
            'drill': drill, 'task_cells': task_cells, 'org_cells': org_cells,
            'case_cells': case_cells, 'task_heads': [c[1] for c in
                                                      TASK_CELLS],
            'case_heads': [c[1] for c in CASE_CELLS],
            'ranking_chart': ranking_chart, 'month_chart': month_chart,
            'presets': [(title, request.route_url('supervision', _query={
                'start': a.isoformat(), 'end': b.isoformat()}))
                for title, a, b in presets],
            'export_url': request.route_url('supervision_export',
                                            _query=period.query),
            # 好差评: the applicants' ratings of the period (portal)
            'ratings': rating_summary(request.root, period.start,
                                      period.end)}


@view_config(route_name='supervision_export', permission='supervision.view')
def export(request):
    board = _board(request)
    body = workbook(board, request.localizer.translate)
    name = 'supervision-%s-%s.xlsx' % (board.period.start.isoformat(),
                                       board.period.end.isoformat())
    return Response(
        body=body, content_type='application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet',
        content_disposition='attachment; filename="%s"' % name)


def _page(request):
    try:
        return max(1, int(request.params.get('page', 1)))
    except ValueError:
        return 1


@view_config(route_name='supervision_list', renderer='supervision_list.page',
             permission='supervision.view')
def drill_list(request):
    scope = request.params.get('scope', 'task')
    metric = request.params.get('metric', 'decided')
    metrics = TASK_METRICS if scope == 'task' else CASE_METRICS
    if scope not in ('task', 'case') or metric not in metrics:
        raise HTTPBadRequest()
    period = parse_period(request.params)
    section = request.params.get('section') or None
    key = request.params.get('key') or None
    organisation = request.params.get('organisation') or None
    page = _page(request)
    count, objects = drill(request.root, scope, metric, period, section, key,
                           yellow_days(request), offset=(page - 1) * PAGE,
                           limit=PAGE, organisation=organisation)
    rows = []
    from ..clock.timing import task_timing, case_timing
    for obj in objects:
        if scope == 'task':
            case = obj.case
            record = task_record(obj) if obj.decided else None
            timing = None if record else task_timing(obj)
        else:
            case = obj
            record = case_record(obj) if obj.outcome is not None else None
            timing = None if record else case_timing(obj)
        rows.append({'obj': obj, 'case': case, 'record': record,
                     'timing': timing})
    pages = max(1, -(-count // PAGE))

    def page_url(n):
        query = dict(request.params)
        query['page'] = str(n)
        return request.route_url('supervision_list', _query=query)
    return {'scope': scope, 'metric': metric, 'period': period,
            'light': metric in LIGHTS,
            'metric_title': METRIC_TITLES[metric], 'section': section,
            'key': key, 'count': count, 'rows': rows, 'page': page,
            'pages': pages, 'page_url': page_url,
            'names': _names(request)}


def _names(request):
    from ..catalogue.store import current_catalogue
    catalogue = current_catalogue(request.root)
    if catalogue is None:
        return {}
    names = {c: s.name for c, s in catalogue.sections.items()}
    names.update({c: i.name for c, i in catalogue.items.items()})
    names.update({a.code: a.title or a.name
                  for a in catalogue.applications()})
    return names


@view_config(route_name='supervision_overdue',
             renderer='supervision_overdue.page',
             permission='supervision.view')
def overdue_list(request):
    section = request.params.get('section') or None
    page = _page(request)
    count, rows = overdue(request.root, section, offset=(page - 1) * PAGE,
                          limit=PAGE)
    pages = max(1, -(-count // PAGE))

    def page_url(n):
        query = {'page': str(n)}
        if section:
            query['section'] = section
        return request.route_url('supervision_overdue', _query=query)
    return {'count': count, 'rows': rows, 'section': section, 'page': page,
            'pages': pages, 'page_url': page_url, 'names': _names(request),
            'sections': _sections(request)}


def _sections(request):
    """``[(code, name)]`` of the sections that own items."""
    from ..catalogue.store import current_catalogue
    catalogue = current_catalogue(request.root)
    if catalogue is None:
        return []
    owners = {i.section for i in catalogue.items.values()}
    return [(c, s.name) for c, s in catalogue.sections.items()
            if c in owners]


# -- messages -------------------------------------------------------------------

def _box(request, create=False):
    info = request.user_info
    if info is None:
        return None
    return message_box(request.root._p_jar.root(), info.login, create)


@view_config(route_name='messages', renderer='messages.page',
             permission='authenticated')
def messages(request):
    box = _box(request)
    entries = box.latest() if box is not None else []
    read_upto = box.read_upto if box is not None else 0
    return {'entries': [(m, message_text(m), m['seq'] > read_upto)
                        for m in entries],
            'unread': box.unread() if box is not None else 0}


@view_config(route_name='messages_read', permission='authenticated',
             request_method='POST', require_csrf=True)
def messages_read(request):
    box = _box(request)
    if box is not None:
        box.mark_read()
    return HTTPFound(location=request.route_url('messages'))


def includeme(config):
    config.add_route('supervision', '/supervision')
    config.add_route('supervision_list', '/supervision/list')
    config.add_route('supervision_overdue', '/supervision/overdue')
    config.add_route('supervision_export', '/supervision/export.xlsx')
    config.add_route('messages', '/messages')
    config.add_route('messages_read', '/messages/read')
    config.scan(__name__)
