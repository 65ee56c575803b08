"""Maintained aggregates: what the supervision dashboard sums, kept current.

Recounting tens of thousands of decided tasks on every dashboard request
would cost time proportional to the history.  Instead every decision adds
its numbers, once, to counters that the dashboard only has to sum:

- when a task is granted or denied (the workflow engine's ``Transitioned``
  event), a **decision record** is taken: decided on, promised deadline,
  on time or late, working days used against the promised limit, the
  extension and the clock stops that applied.  It is kept on the task
  (``task.supervision_record``, a plain dict, never changed afterwards)
  and its numbers are added to the counters of the decision's day and
  month, under (section, item);
- when a case is concluded (all items decided), the same for the case under
  (lead section, application): on time when every item was.

Counters live in ``SupervisionStore`` in the ZODB root (beside the case
number sequences), in two ``OOBTree`` per kind: ``months`` keyed by
``('2026-11', section, item)`` and ``days`` keyed by
``('2026-11-25', section, item)``.  A period is summed from whole months
plus the days of its partial months, so any date range is exact and costs
at most ~31 day keys per partial month plus one key per whole month (per
section and item), never anything proportional to the number of cases.

Each counter is its own persistent object whose ``_p_resolveConflict``
merges concurrent increments (they are sums: old + both deltas), so two
sections deciding at the same moment never conflict on the aggregate.
Only the very first decision of a (day, section, item) inserts a key; two
such first insertions of the *same* key at the same instant conflict and
are retried by pyramid_retry like any other conflict.
"""
import calendar as _calendar
import datetime

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.traversal import find_root

from ..clock.timing import as_date, task_timing, today

STORE_KEY = 'casefile_supervision'

#: the counters of a task decision (a case decision uses the same names)
FIELDS = (
    'decided',          # tasks (cases) decided in the period
    'granted', 'denied',
    'on_time', 'late',  # decided on/before the promised deadline, or after
    'used_days',        # sum of working days used (clock stops excluded)
    'limit_days',       # sum of promised limits (承诺时限)
    'extended',         # decisions that used an extension
    'extension_days',   # sum of the extensions' working days
    'stopped',          # decisions whose clock was stopped at least once
    'stops',            # number of clock stops
    'stopped_days',     # working days inside those stops
    'tasks',            # cases only: items in the concluded cases
    'late_tasks',       # cases only: items decided late
)


class Counters(Persistent):
    """A bag of sums; concurrent increments merge instead of conflicting."""

    def __init__(self):
        for name in FIELDS:
            setattr(self, name, 0)

    def add(self, deltas):
        for name, value in deltas.items():
            if value:
                setattr(self, name, getattr(self, name, 0) + value)

    def as_dict(self):
        return {name: getattr(self, name, 0) for name in FIELDS}

    def _p_resolveConflict(self, old, committed, new):
        """old + (committed - old) + (new - old), field by field."""
        old = old or {}
        merged = dict(committed)
        for name in set(old) | set(committed) | set(new):
            values = (old.get(name, 0), committed.get(name, 0),
                      new.get(name, 0))
            if not all(isinstance(v, int) for v in values):
                # not a counter: only merge what both sides agree on
                if committed.get(name) != new.get(name):
                    from ZODB.POSException import ConflictError
                    raise ConflictError('counter field %r changed' % name)
                continue
            merged[name] = values[1] + values[2] - values[0]
        return merged


def add_counts(target, counts):
    for name in FIELDS:
        target[name] = target.get(name, 0) + counts.get(name, 0)
    return target


def empty_counts():
    return dict.fromkeys(FIELDS, 0)


def month_key(day):
    return day.strftime('%Y-%m')


def month_end(day):
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def segments(start, end):
    """Split [start, end] into ('months', first, last) runs of whole months
    and ('days', first, last) runs of the partial months."""
    out = []
    day = start
    while day <= end:
        last = month_end(day)
        if day.day == 1 and last <= end:
            if out and out[-1][0] == 'months':
                out[-1] = ('months', out[-1][1], day)
            else:
                out.append(('months', day, day))
            day = last + datetime.timedelta(days=1)
        else:
            stop = min(end, last)
            out.append(('days', day, stop))
            day = stop + datetime.timedelta(days=1)
    return out


class Aggregate(Persistent):
    """Counters by day and by month for one kind (tasks or cases)."""

    def __init__(self):
        self.months = OOBTree()
        self.days = OOBTree()

    def add(self, day, key, deltas):
        key = tuple(key)
        for tree, period in ((self.months, month_key(day)),
                             (self.days, day.isoformat())):
            full = (period,) + key
            counters = tree.get(full)
            if counters is None:
                counters = tree[full] = Counters()
            counters.add(deltas)

    def _scan(self, start, end):
        """(period, key, counters) for every counter inside [start, end]."""
        for kind, first, last in segments(start, end):
            if kind == 'months':
                tree, low, high = self.months, month_key(first), \
                    month_key(last)
            else:
                tree, low, high = self.days, first.isoformat(), \
                    last.isoformat()
            # keys are (period, *key): everything from (low,) up to but
            # excluding (high + '~',) is inside (ISO strings sort by date)
            for full, counters in tree.items(min=(low,), max=(high + '~',),
                                             excludemax=True):
                yield full[0], full[1:], counters

    def totals(self, start, end):
        """``{key: counts}`` summed over [start, end]."""
        out = {}
        for _period, key, counters in self._scan(start, end):
            add_counts(out.setdefault(key, empty_counts()),
                       counters.as_dict())
        return out

    def by_month(self, start, end):
        """``{'2026-11': counts}`` over [start, end], all keys summed."""
        out = {}
        for period, _key, counters in self._scan(start, end):
            add_counts(out.setdefault(period[:7], empty_counts()),
                       counters.as_dict())
        return out


class SupervisionStore(Persistent):
    def __init__(self):
        self.tasks = Aggregate()
        self.cases = Aggregate()
        # (case number, item code or '') -> {'light': ..., 'on': iso date}
        self.warned = OOBTree()


def zodb_root_of(obj):
    return find_root(obj)._p_jar.root()


def get_store(obj, create=False):
    """The store of the database ``obj`` lives in (``None`` if none yet)."""
    zodb_root = zodb_root_of(obj)
    store = zodb_root.get(STORE_KEY)
    if store is None and create:
        store = zodb_root[STORE_KEY] = SupervisionStore()
    return store


# -- decision records ---------------------------------------------------------

def _applies(stop, item_code, decided):
    items = tuple(stop.get('items') or ())
    if items and item_code not in items:
        return False
    return as_date(stop['start']) <= decided


def compute_task_record(task):
    """The numbers of a decided task, as of its decision."""
    from ..clock.timing import compute
    case = task.case
    decided = as_date(getattr(task, 'decided_on', None)) or today()
    timing = task_timing(task, now=decided)
    if timing.finished is None:        # not yet stamped by the life cycle
        timing = compute(
            as_date(getattr(task, 'started_on', None)),
            task.promised_days or 0, task.statutory_days or 0,
            stops=getattr(case, 'clock_stops', None) or (),
            extensions=getattr(task, 'extensions', None) or (),
            items=(task.item_code,), finished=decided, now=decided)
    stops = [s for s in (getattr(case, 'clock_stops', None) or ())
             if _applies(s, task.item_code, decided)]
    extension_days = sum(int(e['days']) for e in
                         (getattr(task, 'extensions', None) or ()))
    return {
        'case': case.case_number,
        'item': task.item_code,
        'section': task.section,
        'decided_on': decided.isoformat(),
        'deadline': timing.deadline.isoformat() if timing.deadline else None,
        'granted': task.state == 'granted',
        'on_time': timing.on_time is not False,
        'used': int(timing.used),
        'limit': int(task.promised_days or 0),
        'extended': bool(extension_days),
        'extension_days': extension_days,
        'stops': len(stops),
        'stopped_days': int(timing.stopped),
    }


def task_record(task):
    """The stored record, or (not yet decided through the engine, or from
    before e-supervision) the record computed now."""
    return getattr(task, 'supervision_record', None) or \
        compute_task_record(task)


def task_deltas(record):
    return {
        'decided': 1,
        'granted': int(record['granted']),
        'denied': int(not record['granted']),
        'on_time': int(record['on_time']),
        'late': int(not record['on_time']),
        'used_days': record['used'],
        'limit_days': record['limit'],
        'extended': int(record['extended']),
        'extension_days': record['extension_days'],
        'stopped': int(bool(record['stops'])),
        'stops': record['stops'],
        'stopped_days': record['stopped_days'],
    }


def compute_case_record(case):
    tasks = [task_record(t) for t in case.tasks() if t.decided]
    decided = max((t['decided_on'] for t in tasks), default=None) or \
        today().isoformat()
    stops = len(getattr(case, 'clock_stops', None) or ())
    return {
        'case': case.case_number,
        'application': case.application_code,
        'section': case.lead_section or '',
        'decided_on': decided,
        'on_time': all(t['on_time'] for t in tasks),
        'tasks': len(tasks),
        'late_tasks': sum(1 for t in tasks if not t['on_time']),
        'granted': sum(1 for t in tasks if t['granted']),
        'extended': any(t['extended'] for t in tasks),
        'extension_days': sum(t['extension_days'] for t in tasks),
        'stops': stops,
    }


def case_record(case):
    return getattr(case, 'supervision_record', None) or \
        compute_case_record(case)


def case_deltas(record):
    return {
        'decided': 1,
        'granted': int(record['granted'] == record['tasks']),
        'denied': int(record['granted'] != record['tasks']),
        'on_time': int(record['on_time']),
        'late': int(not record['on_time']),
        'extended': int(record['extended']),
        'extension_days': record['extension_days'],
        'stopped': int(bool(record['stops'])),
        'stops': record['stops'],
        'tasks': record['tasks'],
        'late_tasks': record['late_tasks'],
    }


def count_task(task, store=None):
    """Record and count a decided task, once; return its record."""
    return _count(task, store, compute_task_record, 'tasks',
                  lambda r: (r['section'], r['item']), task_deltas)


def count_case(case, store=None):
    """Record and count a concluded case, once; return its record."""
    return _count(case, store, compute_case_record, 'cases',
                  lambda r: (r['section'], r['application']), case_deltas)


def _count(obj, store, compute, table, key, deltas):
    """The record kept on ``obj`` makes counting idempotent: a retried or
    repeated decision is never counted twice."""
    existing = getattr(obj, 'supervision_record', None)
    if existing is not None:
        return existing
    record = compute(obj)
    obj.supervision_record = record
    store = store or get_store(obj, create=True)
    getattr(store, table).add(
        datetime.date.fromisoformat(record['decided_on']), key(record),
        deltas(record))
    return record


def on_transition(event):
    """``Transitioned`` subscriber: count decisions as they happen.

    Registered after the case life cycle's own subscriber, which stamps
    ``task.decided_on`` first (and concludes the case, which is counted
    in the nested ``case.conclude`` event)."""
    name = '%s.%s' % (event.definition.name, event.transition.name)
    if name in ('task.grant', 'task.deny'):
        count_task(event.object)
    elif name == 'case.conclude':
        count_case(event.object)
    else:
        return
    # the engine queued a reindex before the record existed; a query in
    # between may have flushed it, so queue one more (merged if still
    # pending): the indexes must show the record
    from substanced.util import find_catalog
    catalog = find_catalog(event.object, 'casefile')
    if catalog is not None:
        catalog.reindex_resource(event.object)


def rebuild(root, reindex=True, progress=None):
    """Recount everything from the cases (for a database that predates
    e-supervision, or after repairs); decision records already taken are
    kept.  Walks every case: a command-line operation, never a request."""
    from substanced.util import find_catalog
    store = get_store(root, create=True)
    store.tasks = Aggregate()
    store.cases = Aggregate()
    catalog = find_catalog(root, 'casefile') if reindex else None
    counted = {'tasks': 0, 'cases': 0}
    for n, case in enumerate(root['cases'].values()):
        for task in case.tasks():
            if not task.decided:
                continue
            record = task_record(task)
            if getattr(task, 'supervision_record', None) is None:
                task.supervision_record = record
            store.tasks.add(datetime.date.fromisoformat(
                record['decided_on']), (record['section'], record['item']),
                task_deltas(record))
            counted['tasks'] += 1
            if catalog is not None:
                catalog.reindex_resource(task)
        if case.outcome is not None:
            record = case_record(case)
            if getattr(case, 'supervision_record', None) is None:
                case.supervision_record = record
            store.cases.add(datetime.date.fromisoformat(
                record['decided_on']),
                (record['section'], record['application']),
                case_deltas(record))
            counted['cases'] += 1
            if catalog is not None:
                catalog.reindex_resource(case)
        if progress is not None:
            progress(n + 1)
    return counted
