"""Deadlines of tasks and cases: what the law and the bureau's promise allow.

Pure functions of a case's records and the working-day calendar, so a page
can explain every deadline and a test can recompute it:

- an item task's clock starts the day it starts (at acceptance, or when its
  prerequisite is decided) and runs for the item's promised (承诺) and
  statutory (法定) limits in working days (Art. 42, 82);
- **clock stops** (暂停计时: correction, site inspection, expert review,
  hearing, Art. 45) do not count: the working days inside a closed stop are
  added to the deadline; while a stop is open the clock is paused;
- **extensions** (延期, Art. 42) add the approved working days;
- at intake the bureau must accept, refuse or ask for correction within
  5 working days of receipt (Art. 32); after the last grant, certificates
  are issued within 10 working days (Art. 44).

Lights: red when the deadline has passed, yellow when ``yellow_days`` or
fewer working days are left, green otherwise; ``paused`` during a stop.
"""
import datetime
from dataclasses import dataclass, field
from typing import Optional

from . import get_calendar
from .calendar import fallback_note

INTAKE_DAYS = 5       # Art. 32
ISSUANCE_DAYS = 10    # Art. 44
DEFAULT_YELLOW_DAYS = 3

STOP_KINDS = {
    'correction': '补正材料',
    'inspection': '现场勘验',
    'expert_review': '专家评审',
    'hearing': '听证',
    'testing': '检验检测',
}


def today():
    return datetime.date.today()


def as_date(value):
    if value is None or isinstance(value, datetime.date) and not isinstance(
            value, datetime.datetime):
        return value
    if isinstance(value, datetime.datetime):
        return value.astimezone(CHINA).date() if value.tzinfo else \
            value.date()
    return datetime.date.fromisoformat(str(value)[:10])


CHINA = datetime.timezone(datetime.timedelta(hours=8))


@dataclass
class Timing:
    """The clock of one task or one phase of a case."""

    start: Optional[datetime.date]
    limit: int = 0                      # promised working days
    statutory: int = 0
    extension: int = 0
    stopped: int = 0                    # working days inside closed stops
    paused: bool = False                # a stop is open now
    deadline: Optional[datetime.date] = None
    statutory_deadline: Optional[datetime.date] = None
    finished: Optional[datetime.date] = None
    used: int = 0                       # working days used (without stops)
    remaining: Optional[int] = None
    light: str = 'green'                # green | yellow | red | paused | done
    assumed_years: set = field(default_factory=set)
    stops: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    basis: str = ''

    @property
    def note(self):
        return fallback_note(self.assumed_years)

    @property
    def on_time(self):
        if self.finished is None or self.deadline is None:
            return None
        return self.finished <= self.deadline


def stop_days(stops, start, items=None, until=None, calendar=None):
    """Working days inside closed stops after ``start`` (for ``items``)."""
    calendar = calendar or get_calendar()
    total, assumed, open_stop = 0, set(), False
    for stop in stops:
        stop_items = tuple(stop.get('items') or ())
        if items is not None and stop_items and not set(items) & set(
                stop_items):
            continue
        begin = as_date(stop['start'])
        end = as_date(stop.get('end'))
        if end is None:
            open_stop = True
            end = until or today()
        first = max(begin, start + datetime.timedelta(days=1))
        if end < first:
            continue
        count = calendar.working_days_between(
            first - datetime.timedelta(days=1), end)
        total += count.value
        assumed |= count.assumed_years
    return total, open_stop, assumed


def compute(start, limit, statutory=0, stops=(), extensions=(), items=None,
            finished=None, now=None, yellow_days=DEFAULT_YELLOW_DAYS,
            basis='', calendar=None):
    """The timing of one clock from its records."""
    calendar = calendar or get_calendar()
    now = now or today()
    timing = Timing(start=start, limit=limit, statutory=statutory,
                    finished=finished, basis=basis,
                    stops=list(stops), extensions=list(extensions))
    if start is None:
        timing.light = 'none'
        return timing
    until = finished or now
    timing.extension = sum(int(e['days']) for e in extensions)
    stopped, paused, assumed = stop_days(stops, start, items, until,
                                         calendar)
    timing.stopped = stopped
    timing.paused = paused and finished is None
    assumed = set(assumed)
    deadline = calendar.add_working_days(
        start, limit + timing.extension + stopped)
    timing.deadline = deadline.value
    assumed |= deadline.assumed_years
    if statutory:
        legal = calendar.add_working_days(
            start, statutory + timing.extension + stopped)
        timing.statutory_deadline = legal.value
        assumed |= legal.assumed_years
    elapsed = calendar.working_days_between(start, until)
    assumed |= elapsed.assumed_years
    timing.used = max(0, elapsed.value - stopped)
    timing.assumed_years = assumed
    if finished is not None:
        timing.light = 'done'
        return timing
    if timing.paused:
        timing.light = 'paused'
        return timing
    if now > timing.deadline:
        timing.remaining = -calendar.working_days_between(
            timing.deadline, now).value
        timing.light = 'red'
    else:
        timing.remaining = calendar.working_days_between(
            now, timing.deadline).value
        timing.light = 'yellow' if timing.remaining <= yellow_days \
            else 'green'
    return timing


def task_timing(task, now=None, yellow_days=DEFAULT_YELLOW_DAYS):
    """A task counts in its organisation's calendar (a district closed for
    a local reason does not lose working days it never had)."""
    from . import calendar_for
    case = task.case
    start = as_date(getattr(task, 'started_on', None))
    return compute(
        start, task.promised_days or 0, task.statutory_days or 0,
        stops=getattr(case, 'clock_stops', ()),
        extensions=getattr(task, 'extensions', ()),
        items=(task.item_code,),
        finished=as_date(getattr(task, 'decided_on', None)), now=now,
        yellow_days=yellow_days, basis='《行政许可法》第四十二条',
        calendar=calendar_for(getattr(task, 'organisation', None)))


def case_timing(case, now=None, yellow_days=DEFAULT_YELLOW_DAYS):
    """The clock of the case's current phase.

    At intake: 5 working days from receipt.  In review: the running task
    whose deadline comes first (the case is late as soon as any task is);
    paused when every started task is paused.  Decided: 10 working days
    from the last decision to issue the results.
    """
    state = case.state
    if state in ('submitted', 'correction'):
        start = as_date(case.created)
        return compute(start, INTAKE_DAYS, INTAKE_DAYS, now=now,
                       yellow_days=yellow_days,
                       basis='《行政许可法》第三十二条')
    if state == 'in_review':
        timings = [task_timing(t, now, yellow_days) for t in case.tasks()
                   if not t.decided]
        started = [t for t in timings if t.start is not None]
        if not started:
            return Timing(start=as_date(case.accepted_at), light='green')
        running = [t for t in started if t.light != 'paused']
        if not running:
            return started[0]
        return min(running, key=lambda t: t.deadline)
    if state == 'decided':
        decided = [as_date(getattr(t, 'decided_on', None))
                   for t in case.tasks()]
        start = max((d for d in decided if d), default=None)
        return compute(start, ISSUANCE_DAYS, ISSUANCE_DAYS, now=now,
                       yellow_days=yellow_days,
                       basis='《行政许可法》第四十四条')
    return Timing(start=None, light='done')
