"""The clock: working days per Art. 82, for every time limit of a case.

Two levels of API, on purpose:

* ``add_working_days(start, n) -> date`` and
  ``working_days_between(start, end) -> int`` return *plain* values.  They
  are the contracts operators script against and issues refer to; their
  signatures and meaning do not change.
* ``get_calendar()`` returns the :class:`WorkingCalendar` behind them, whose
  methods return :class:`Deadline` / :class:`Count` carrying
  ``assumed_years``, plus ``day_kind`` and ``explain``.  Pages that show a
  deadline use this level, so that a deadline computed on a guessed year
  always carries :func:`fallback_note`.

The default calendar has no overrides; ``includeme`` replaces it from the
setting ``casefile.calendar_file`` at start-up.
"""
import datetime

from .calendar import (  # noqa: F401  (re-exported: the rich API)
    Count,
    DayKind,
    Deadline,
    Explanation,
    Kind,
    OverrideError,
    Overrides,
    WorkingCalendar,
    fallback_note,
    layered,
    load_overrides,
    parse_override_node,
    parse_overrides,
)

#: the Pyramid setting naming the bureau's override file
CALENDAR_FILE_SETTING = 'casefile.calendar_file'

_calendar = WorkingCalendar()


def get_calendar():
    """The calendar in use (rich API: ``Deadline``, ``Count``, ``explain``)."""
    return _calendar


def configure(calendar_file=None):
    """Replace the calendar in use; load overrides from ``calendar_file``.

    ``None`` means no overrides.  A file that is named but missing or wrong
    raises (``OSError`` / :class:`OverrideError`): silently losing the
    bureau's closures would move deadlines without anyone noticing.
    """
    global _calendar
    overrides = load_overrides(calendar_file) if calendar_file else None
    _calendar = WorkingCalendar(overrides)
    return _calendar


#: organisation code -> its WorkingCalendar (see casefile.organisation)
_organisation_calendars = {}


def configure_organisations(overrides_by_code):
    """One calendar per organisation: the bureau's file with the
    organisation's own overrides on top (:func:`layered`).  Called when
    ``organisations.yaml`` is loaded; replaces what was there."""
    _organisation_calendars.clear()
    for code, overrides in overrides_by_code.items():
        _organisation_calendars[code] = WorkingCalendar(
            layered(_calendar.overrides, overrides))
    return dict(_organisation_calendars)


def calendar_for(organisation=None):
    """The calendar an organisation's tasks are counted in; the bureau's
    (``get_calendar()``) for the bureau, ``None`` or an organisation
    without overrides of its own."""
    if not organisation:
        return _calendar
    return _organisation_calendars.get(organisation, _calendar)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (start not counted; n=0 → start)."""
    return _calendar.add_working_days(start, n).value


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days ``d`` with ``start < d <= end``; 0 when ``end <= start``."""
    return _calendar.working_days_between(start, end).value


def includeme(config):
    """Load the override file named by ``casefile.calendar_file``, if any.

    Done at start-up so that a broken file stops the application with its
    file and line, instead of failing on the first worklist.
    """
    path = (config.registry.settings or {}).get(CALENDAR_FILE_SETTING)
    configure((path or '').strip() or None)
