"""The supervision dashboard's numbers (督查考核): sums, lights, rankings.

Everything here is cheap at any size:

- handled / on time / days used / extensions / stops come from the
  maintained aggregates (:mod:`.aggregates`): a sum over the period's
  month and day counters;
- "now yellow / red" are range queries on the catalog's ``deadline`` index;
  each open task in the result is attributed to its section and item by
  looking its id up in the ``kind``, ``sections`` and ``items`` indexes
  (no object is loaded), so the cost follows the number of open late
  tasks, not the number of cases;
- drill-down lists and the overdue worklist are catalog queries, sorted
  by an index with a limit, loading only the objects of one page.

Supervision is city-wide by definition: the ``supervision.view``
permission (supervisors, administrators) grants every number; the lists
link to case pages, where the case's own ACL applies as always.
"""
import datetime
from dataclasses import dataclass, field

from substanced.util import find_catalog

from ..catalogue.store import current_catalogue
from ..clock import add_working_days, working_days_between
from ..clock.timing import today
from .aggregates import (
    add_counts, empty_counts, get_store, month_end, month_key)

#: metrics one can drill into: (scope, metric)
TASK_METRICS = ('decided', 'on_time', 'late', 'extended', 'stopped',
                'red', 'yellow')
CASE_METRICS = ('decided', 'on_time', 'late', 'extended', 'stopped',
                'red', 'yellow')
LIGHTS = ('red', 'yellow')


# -- the period ----------------------------------------------------------------

@dataclass
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def query(self):
        return {'start': self.start.isoformat(), 'end': self.end.isoformat()}

    @property
    def months(self):
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(month_key(day))
            day = month_end(day) + datetime.timedelta(days=1)
        return out


def _date(value):
    try:
        return datetime.date.fromisoformat(str(value or '').strip()[:10])
    except ValueError:
        return None


def parse_period(params, now=None):
    """``start``/``end`` (ISO dates) or ``month`` (YYYY-MM); by default this
    month up to today.  Swapped or absurd ranges are put right."""
    now = now or today()
    month = (params.get('month') or '').strip()
    start, end = _date(params.get('start')), _date(params.get('end'))
    if month and not (start or end):
        first = _date(month + '-01')
        if first is not None:
            return Period(first, month_end(first))
    start = start or now.replace(day=1)
    end = end or max(now, start)
    if end < start:
        start, end = end, start
    if (end - start).days > 366 * 10:
        start = end - datetime.timedelta(days=366 * 10)
    return Period(start, end)


# -- the numbers ---------------------------------------------------------------

@dataclass
class Row:
    """One line of a table: a section, an item, or a lead section."""

    key: tuple
    name: str
    counts: dict = field(default_factory=empty_counts)
    red: int = 0
    yellow: int = 0
    rank: int = None

    @property
    def decided(self):
        return self.counts['decided']

    @property
    def on_time_rate(self):
        """Share decided on time, 0..1; None when nothing was decided."""
        if not self.counts['decided']:
            return None
        return self.counts['on_time'] / self.counts['decided']

    @property
    def avg_used(self):
        if not self.counts['decided']:
            return None
        return self.counts['used_days'] / self.counts['decided']

    @property
    def avg_limit(self):
        if not self.counts['decided']:
            return None
        return self.counts['limit_days'] / self.counts['decided']

    @property
    def used_ratio(self):
        if not self.counts['limit_days']:
            return None
        return self.counts['used_days'] / self.counts['limit_days']

    def __getitem__(self, name):
        return self.counts[name]


def pct(value):
    return '—' if value is None else '%.1f%%' % (value * 100)


def num(value, digits=1):
    return '—' if value is None else ('%.*f' % (digits, value))


def _only(values):
    """The single value of a keyword index entry (a task's one section)."""
    if values is None:
        return None
    for value in values:
        return value
    return None


def light_ids(catalog, light, yellow_days, now=None):
    """Ids of everything (cases and tasks) whose light is ``light`` now:
    the same range queries as the worklists' filter."""
    now = now or today()
    deadline = catalog['deadline']
    if light == 'red':
        return deadline.applyInRange(None, now, excludemax=True)
    return deadline.applyInRange(now, add_working_days(now, yellow_days))


def open_lights(catalog, yellow_days, now=None):
    """``{'task': {(section, item): {'red': n, 'yellow': n}},
    'case': {(lead section, application): {...}}}`` — counts from the
    indexes' own per-document entries, no object loaded."""
    kinds = catalog['kind']._rev_index
    sections = catalog['sections']._rev_index
    items = catalog['items']._rev_index
    leads = catalog['lead_section']._rev_index
    applications = catalog['application_code']._rev_index
    out = {'task': {}, 'case': {}}
    for light in LIGHTS:
        for docid in light_ids(catalog, light, yellow_days, now):
            kind = kinds.get(docid)
            if kind == 'task':
                key = (_only(sections.get(docid)), _only(items.get(docid)))
            elif kind == 'case':
                key = (leads.get(docid) or '', applications.get(docid))
            else:
                continue
            counts = out[kind].setdefault(key, {'red': 0, 'yellow': 0})
            counts[light] += 1
    return out


@dataclass
class Dashboard:
    period: Period
    sections: list          # Rows by section (all approval sections)
    items: list             # Rows by (section, item)
    cases: list             # Rows by lead section
    applications: list      # Rows by (lead section, application)
    ranking: list           # section Rows, best first
    months: list            # [(YYYY-MM, counts)] of the period
    total: Row
    case_total: Row
    organisations: list = field(default_factory=list)   # Rows by organisation


def _names(root):
    catalogue = current_catalogue(root)
    if catalogue is None:
        return {}, {}, {}, []
    sections = {c: s.name for c, s in catalogue.sections.items()}
    items = {c: i.name for c, i in catalogue.items.items()}
    applications = {a.code: a.title or a.name
                    for a in catalogue.applications()}
    approval = [c for c, s in catalogue.sections.items()
                if any(i.section == c for i in catalogue.items.values())
                and getattr(s, 'organisation', None) != 'district']
    return sections, items, applications, approval


def build(root, period, yellow_days=3, now=None):
    """All numbers of the dashboard for ``period``."""
    catalog = find_catalog(root, 'casefile')
    store = get_store(root)
    section_names, item_names, app_names, approval = _names(root)
    task_totals = store.tasks.totals(period.start, period.end) \
        if store is not None else {}
    case_totals = store.cases.totals(period.start, period.end) \
        if store is not None else {}
    lights = open_lights(catalog, yellow_days, now)

    items = {}
    for key in set(task_totals) | set(lights['task']):
        section, item = key
        row = items[key] = Row(key, item_names.get(item, item or ''))
        add_counts(row.counts, task_totals.get(key, {}))
        light = lights['task'].get(key, {})
        row.red, row.yellow = light.get('red', 0), light.get('yellow', 0)
    sections = {code: Row((code,), section_names.get(code, code))
                for code in approval}
    for (section, _item), row in items.items():
        target = sections.get(section)
        if target is None:
            target = sections[section] = Row(
                (section,), section_names.get(section, section or ''))
        add_counts(target.counts, row.counts)
        target.red += row.red
        target.yellow += row.yellow

    applications = {}
    for key in set(case_totals) | set(lights['case']):
        lead, code = key
        row = applications[key] = Row(key, app_names.get(code, code or ''))
        add_counts(row.counts, case_totals.get(key, {}))
        light = lights['case'].get(key, {})
        row.red, row.yellow = light.get('red', 0), light.get('yellow', 0)
    leads = {}
    for (lead, _code), row in applications.items():
        target = leads.get(lead)
        if target is None:
            target = leads[lead] = Row((lead,), section_names.get(lead,
                                                                   lead))
        add_counts(target.counts, row.counts)
        target.red += row.red
        target.yellow += row.yellow

    order = {code: n for n, code in enumerate(section_names)}

    def by_section(row):
        return (order.get(row.key[0], len(order)), row.key)

    section_rows = sorted(sections.values(), key=by_section)
    item_rows = sorted(items.values(), key=by_section)
    ranking = rank(section_rows)
    total = Row(('',), '')
    for row in section_rows:
        add_counts(total.counts, row.counts)
        total.red += row.red
        total.yellow += row.yellow
    case_total = Row(('',), '')
    for row in leads.values():
        add_counts(case_total.counts, row.counts)
        case_total.red += row.red
        case_total.yellow += row.yellow
    months = []
    if store is not None:
        per_month = store.tasks.by_month(period.start, period.end)
        months = [(m, per_month.get(m, empty_counts()))
                  for m in period.months]
    from ..organisation.supervision import organisation_rows
    organisations = organisation_rows(section_rows, current_catalogue(root),
                                      Row, add_counts)
    return Dashboard(
        organisations=organisations,
        period=period, sections=section_rows, items=item_rows,
        cases=sorted(leads.values(), key=by_section),
        applications=sorted(applications.values(), key=by_section),
        ranking=ranking, months=months, total=total, case_total=case_total)


def rank(rows):
    """Sections best first: on-time rate, then fewer days used per promised
    day, then fewer overdue now; sections that decided nothing come last.
    Ties share a rank."""
    def score(row):
        rate = row.on_time_rate
        ratio = row.used_ratio
        return (rate is None, -(rate or 0), ratio if ratio is not None
                else float('inf'), row.red)
    ordered = sorted(rows, key=lambda r: (score(r), r.key))
    previous, position = None, 0
    for n, row in enumerate(ordered, 1):
        if score(row) != previous:
            position = n
            previous = score(row)
        row.rank = position if row.decided else None
    return ordered


# -- drill-down and overdue ------------------------------------------------------

def drill_ids(root, scope, metric, period=None, section=None, key=None,
              yellow_days=3, now=None, organisation=None):
    """The catalog ids behind one number of the dashboard.

    ``scope`` is 'task' (section, item) or 'case' (lead section,
    application); ``key`` the item or application code."""
    catalog = find_catalog(root, 'casefile')
    family = catalog.family
    if metric in LIGHTS:
        ids = light_ids(catalog, metric, yellow_days, now)
        ids = family.IF.intersection(ids, catalog['kind'].applyEq(scope))
    else:
        query = catalog['kind'].eq(scope) & catalog['decided_on'].inrange(
            period.start, period.end)
        if metric == 'on_time':
            query &= catalog['on_time'].eq(True)
        elif metric == 'late':
            query &= catalog['on_time'].eq(False)
        elif metric in ('extended', 'stopped'):
            query &= catalog['clock_marks'].eq(metric)
        ids = query.execute().ids
    if section:
        index = 'sections' if scope == 'task' else 'lead_section'
        ids = family.IF.intersection(ids, catalog[index].applyEq(section))
    if key:
        index = 'items' if scope == 'task' else 'application_code'
        ids = family.IF.intersection(ids, catalog[index].applyEq(key))
    if organisation:
        ids = family.IF.intersection(
            ids, catalog['organisations'].applyEq(organisation))
    return catalog, ids


def drill(root, scope, metric, period=None, section=None, key=None,
          yellow_days=3, offset=0, limit=100, now=None, organisation=None):
    """``(count, objects)`` of one page of the drill-down list."""
    catalog, ids = drill_ids(root, scope, metric, period, section, key,
                             yellow_days, now, organisation)
    count = len(ids)
    if not count:
        return 0, []
    if metric in LIGHTS:
        ordered = catalog['deadline'].sort(ids, limit=offset + limit)
    else:
        ordered = catalog['decided_on'].sort(ids, reverse=True,
                                             limit=offset + limit)
    ordered = list(ordered)[offset:offset + limit]
    objectmap = root.__objectmap__
    return count, [o for o in (objectmap.object_for(i) for i in ordered)
                   if o is not None]


def overdue_ids(catalog, section=None, now=None):
    """Ids of every red (overdue) open task of the city."""
    family = catalog.family
    kinds = catalog['kind']._rev_index
    red = light_ids(catalog, 'red', 0, now)
    ids = family.IF.TreeSet(d for d in red if kinds.get(d) == 'task')
    if section:
        ids = family.IF.intersection(ids, catalog['sections'].applyEq(
            section))
    return ids


def overdue(root, section=None, offset=0, limit=50, now=None):
    """``(count, [(task, days overdue)])``: the most overdue first."""
    catalog = find_catalog(root, 'casefile')
    now = now or today()
    ids = overdue_ids(catalog, section, now)
    count = len(ids)
    if not count:
        return 0, []
    ordered = list(catalog['deadline'].sort(ids, limit=offset + limit))
    objectmap = root.__objectmap__
    deadlines = catalog['deadline']._rev_index
    out = []
    for docid in ordered[offset:offset + limit]:
        task = objectmap.object_for(docid)
        if task is None:
            continue
        out.append((task, deadlines.get(docid),
                    working_days_between(deadlines.get(docid), now)))
    return count, out

