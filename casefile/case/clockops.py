"""Stopping the clock and extending a limit: the bureau's time decisions.

Both are written decisions the applicant is told about (Art. 42, 45): each
issues a notice document into the case folder, each is journaled, and each
makes the affected deadlines move (the catalog is reindexed so worklists
and lights follow at once).
"""
import datetime
import uuid

from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from pyramid.threadlocal import get_current_registry

from ..events import notify_modified
from ..clock.timing import STOP_KINDS, as_date, today
from ..i18n import _
from .lifecycle import issue_document


class ClockError(ValueError):
    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def _reindex(case, registry):
    notify_modified(case, registry)
    for task in case.tasks():
        notify_modified(task, registry)


def open_stops(case):
    return [s for s in getattr(case, 'clock_stops', ()) if not s.get('end')]


def start_stop(case, kind, reason, expected_days, items=(), actor=None,
               start=None, registry=None):
    """Stop the clock for ``items`` (all items when empty) from ``start``."""
    registry = registry or get_current_registry()
    if kind not in STOP_KINDS:
        raise ClockError('invalid-kind', _('Unknown reason for stopping '
                                           'the clock.'))
    reason = (reason or '').strip()
    if not reason:
        raise ClockError('missing-input', _('Please say why the clock '
                                            'stops.'))
    try:
        expected_days = int(expected_days)
    except (TypeError, ValueError):
        expected_days = 0
    if expected_days <= 0 or expected_days > 365:
        raise ClockError('invalid-input', _(
            'Tell the applicant how many working days it is expected to '
            'take (1 to 365).'))
    unknown = [i for i in items if i not in case.item_codes]
    if unknown:
        raise ClockError('invalid-input', _('Unknown item: ${items}.',
                                            mapping={'items': ', '.join(
                                                unknown)}))
    stop = PersistentMapping({
        'id': uuid.uuid4().hex[:8], 'kind': kind, 'reason': reason,
        'items': tuple(items), 'start': (start or today()).isoformat(),
        'end': None, 'expected_days': expected_days, 'actor': actor})
    if not isinstance(case.clock_stops, PersistentList):
        case.clock_stops = PersistentList(case.clock_stops)
    case.clock_stops.append(stop)
    names = _item_names(case, items)
    issue_document(case, 'documents', 'clock_stop_notice', '暂停计时告知书',
                   ['申请人：%s' % case.applicant.get('name'),
                    '办件编号：%s' % case.case_number,
                    '因%s（%s），以下事项自 %s 起暂停计时：%s。' % (
                        STOP_KINDS[kind], reason, stop['start'], names),
                    '预计需要 %d 个工作日，所需时间不计算在办理时限内'
                    '（《中华人民共和国行政许可法》第四十五条）。'
                    % expected_days],
                   items=items, actor=actor, registry=registry)
    case.journal.record('clock.stopped', actor, comment=reason, data=dict(
        stop))
    _reindex(case, registry)
    return stop


def end_stop(case, stop_id, actor=None, end=None, registry=None):
    registry = registry or get_current_registry()
    stop = next((s for s in getattr(case, 'clock_stops', ())
                 if s['id'] == stop_id), None)
    if stop is None:
        raise ClockError('not-found', _('This clock stop does not exist.'))
    if stop.get('end'):
        raise ClockError('wrong-state', _('The clock is already running '
                                          'again.'))
    end = end or today()
    if end < as_date(stop['start']):
        raise ClockError('invalid-input', _('The clock cannot resume '
                                            'before it stopped.'))
    stop['end'] = end.isoformat()
    case.journal.record('clock.resumed', actor, comment=stop['reason'],
                        data={'id': stop_id, 'start': stop['start'],
                              'end': stop['end']})
    _reindex(case, registry)
    return stop


def extension_limit(task):
    """Art. 42: 10 working days, or 15 where the limit is the 45 days of
    joint or centralised handling."""
    return 15 if (task.statutory_days or 0) >= 45 else 10


def extend(task, days, reason, actor=None, registry=None):
    registry = registry or get_current_registry()
    case = task.case
    reason = (reason or '').strip()
    if not reason:
        raise ClockError('missing-input', _('Please give the reason for '
                                            'the extension; the applicant '
                                            'is told it.'))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    limit = extension_limit(task)
    if days <= 0 or days > limit:
        raise ClockError('invalid-input', _(
            'An extension is 1 to ${limit} working days.', mapping={
                'limit': limit}))
    if getattr(task, 'extensions', None):
        raise ClockError('already-extended', _(
            'This item has already been extended once.'))
    if task.decided:
        raise ClockError('wrong-state', _('This item is already decided.'))
    record = {'days': days, 'reason': reason, 'approved_by': actor,
              'on': today().isoformat()}
    task.extensions = PersistentList([record])
    issue_document(case, 'documents', 'extension_notice', '延期通知书',
                   ['申请人：%s' % case.applicant.get('name'),
                    '事项：%s' % task.item_name,
                    '经本机关负责人批准，办理期限延长 %d 个工作日。' % days,
                    '延期理由：%s' % reason],
                   items=[task.item_code], sections=[task.section],
                   actor=actor, registry=registry)
    case.journal.record('task.extended', actor, target=task.item_code,
                        comment=reason, data={'days': days})
    _reindex(case, registry)
    return record


def _item_names(case, items):
    tasks = case['tasks'] if 'tasks' in case else {}
    if not items:
        return '全部事项'
    return '、'.join(tasks[c].item_name if c in tasks else c for c in items)
