"""The working-day calendar behind every statutory and promised time limit.

Art. 82 of the Administrative Licensing Law counts limits in working days:
weekends and official holidays do not count, the State Council's make-up
workdays (调休上班) do.  Three layers decide what a day is, most specific
first:

1. the bureau's override file (``schemas/calendar.yaml``): local closures,
   corrections, and whole years the package does not know yet;
2. the ``chinesecalendar`` package: the State Council's notices 2004-2026;
3. the fallback: Monday-Friday work, Saturday/Sunday rest.  A day decided
   by the fallback is *assumed*, and every result that relied on one says
   so (``assumed_years``): a deadline that may be wrong must never look
   certain.

Every worklist render asks for many deadlines, so the calendar never asks
``chinesecalendar`` twice about the same year: it builds, once per year, a
table of day kinds and a running count of working days, and answers
``add_working_days`` / ``working_days_between`` by arithmetic and one
bisection on those tables.
"""
import dataclasses
import datetime
import enum
import os
import re
from bisect import bisect_left
from typing import Mapping, NamedTuple, Optional

import chinese_calendar
import yaml

ONE_DAY = datetime.timedelta(days=1)


# --------------------------------------------------------------------------
# What a day is
# --------------------------------------------------------------------------

class Kind(str, enum.Enum):
    """The kinds of day; a ``str`` so that templates and JSON see plain text."""

    WORKING = 'working'
    WEEKEND = 'weekend'
    HOLIDAY = 'holiday'
    MAKEUP_WORKDAY = 'makeup_workday'
    BUREAU_CLOSURE = 'bureau_closure'
    BUREAU_WORKDAY = 'bureau_workday'

    def __str__(self):
        return self.value


WORKING_KINDS = frozenset({Kind.WORKING, Kind.MAKEUP_WORKDAY, Kind.BUREAU_WORKDAY})

#: ``chinesecalendar`` names holidays in English; the case page speaks Chinese.
#: The names are those of the State Council's notices (清明节, not 清明).
HOLIDAY_NAMES_ZH = {
    "New Year's Day": '元旦',
    'Spring Festival': '春节',
    'Tomb-sweeping Day': '清明节',
    'Labour Day': '劳动节',
    'Dragon Boat Festival': '端午节',
    'National Day': '国庆节',
    'Mid-autumn Festival': '中秋节',
    'Anti-Fascist 70th Day': '中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日',
}

WEEKDAY_NAMES_ZH = ('星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日')

SOURCE_PACKAGE = 'chinesecalendar'
SOURCE_FALLBACK = 'fallback'


def holiday_name_zh(english):
    """Chinese name of a ``chinesecalendar`` holiday.

    A holiday added by a newer package release falls back to the package's
    own Chinese name, then to the English one: a name is never lost.
    """
    if english in HOLIDAY_NAMES_ZH:
        return HOLIDAY_NAMES_ZH[english]
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


@dataclasses.dataclass(frozen=True)
class DayKind:
    """What one day is, why, and how sure the calendar is about it.

    ``name`` is the holiday (春节), the closure's reason, the make-up day's
    holiday, or the weekday (星期六) of a weekend.  ``assumed`` is true when
    the day was decided by the weekday fallback because its year is unknown.
    ``source`` is ``'chinesecalendar'``, ``'fallback'`` or ``file:line`` of
    the override entry, for audits.
    """

    kind: Kind
    name: Optional[str] = None
    assumed: bool = False
    source: str = SOURCE_PACKAGE

    @property
    def is_working(self):
        return self.kind in WORKING_KINDS

    @property
    def reason(self):
        """One Chinese sentence a case page can show beside the date."""
        if self.kind is Kind.HOLIDAY:
            return f'法定节假日：{self.name}放假'
        if self.kind is Kind.MAKEUP_WORKDAY:
            return f'{self.name}调休上班，计为工作日'
        if self.kind is Kind.BUREAU_CLOSURE:
            return f'本局闭馆：{self.name}'
        if self.kind is Kind.BUREAU_WORKDAY:
            return f'本局日历定为工作日：{self.name}'
        text = f'{self.name}，休息日' if self.kind is Kind.WEEKEND else '工作日'
        if self.assumed:
            text += '（该年法定节假日尚未公布，暂按周末推算）'
        return text


def _weekday_kind(d, assumed):
    weekday = d.weekday()
    source = SOURCE_FALLBACK if assumed else SOURCE_PACKAGE
    if weekday >= 5:
        return DayKind(Kind.WEEKEND, WEEKDAY_NAMES_ZH[weekday], assumed, source)
    return DayKind(Kind.WORKING, None, assumed, source)


def _package_kind(d):
    """The package's verdict on a day of a year it knows."""
    is_rest, english = chinese_calendar.get_holiday_detail(d)
    if english is None:
        return _weekday_kind(d, assumed=False)
    kind = Kind.HOLIDAY if is_rest else Kind.MAKEUP_WORKDAY
    return DayKind(kind, holiday_name_zh(english))


def package_knows(year):
    """Whether ``chinesecalendar`` has the State Council's notice for ``year``."""
    try:
        chinese_calendar.get_holiday_detail(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# --------------------------------------------------------------------------
# Results that cannot hide a guess
# --------------------------------------------------------------------------

def fallback_note(assumed_years):
    """The warning a page must show when a result relied on the fallback.

    >>> fallback_note({2027})
    '2027年的法定节假日尚未公布，本期限暂按周末推算，可能有误。'
    >>> fallback_note(set())
    ''
    """
    if not assumed_years:
        return ''
    years = '、'.join(f'{y}年' for y in sorted(assumed_years))
    return f'{years}的法定节假日尚未公布，本期限暂按周末推算，可能有误。'


class _Result:
    @property
    def assumed(self):
        """True when some counted day came from the weekday fallback."""
        return bool(self.assumed_years)

    @property
    def note(self):
        """:func:`fallback_note` for this result; ``''`` when certain."""
        return fallback_note(self.assumed_years)


@dataclasses.dataclass(frozen=True)
class Deadline(_Result):
    """A date computed from working days, and the years it had to guess."""

    value: datetime.date
    assumed_years: frozenset = frozenset()


@dataclasses.dataclass(frozen=True)
class Count(_Result):
    """A number of working days, and the years it had to guess."""

    value: int
    assumed_years: frozenset = frozenset()


class Explanation(NamedTuple):
    """One line of "the days counted, the days skipped and why"."""

    date: datetime.date
    kind: DayKind
    reason: str


# --------------------------------------------------------------------------
# The bureau's override file
# --------------------------------------------------------------------------

class OverrideError(ValueError):
    """A mistake in the override file, told as ``file:line: problem``."""

    def __init__(self, path, line, problem):
        self.path, self.line, self.problem = path, line, problem
        where = f'{path}:{line}' if line else str(path)
        super().__init__(f'{where}: {problem}')


@dataclasses.dataclass(frozen=True)
class YearOverride:
    """One year's section: its listed days and whether the year is complete."""

    year: int
    complete: bool
    days: Mapping[datetime.date, DayKind]
    line: int


@dataclasses.dataclass(frozen=True)
class Overrides:
    """The whole override file, by year."""

    years: Mapping[int, YearOverride] = dataclasses.field(default_factory=dict)
    source: str = '<none>'

    def get(self, year):
        return self.years.get(year)

    @property
    def complete_years(self):
        return frozenset(y for y, o in self.years.items() if o.complete)


SECTION_LISTS = {
    'holidays': Kind.HOLIDAY,
    'workdays': Kind.BUREAU_WORKDAY,
    'closures': Kind.BUREAU_CLOSURE,
}
SECTION_KEYS = frozenset(SECTION_LISTS) | {'complete'}
ENTRY_KEYS = frozenset({'date', 'start', 'end', 'name'})
_YEAR_RE = re.compile(r'^\d{4}$')
_DATE_RE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
_TRUE = frozenset({'true', 'yes', 'on'})
_BOOL_TAG = 'tag:yaml.org,2002:bool'


def load_overrides(path):
    """Read and validate the override file at ``path``.

    Raises :class:`OverrideError` naming the file and line of the first
    mistake, so that whoever edits the file can find it.
    """
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return parse_overrides(text, source=os.fspath(path))


def parse_overrides(text, source='<string>'):
    """Validate override YAML given as text; ``source`` names it in errors."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise OverrideError(source, mark.line + 1 if mark else None,
                            f'not valid YAML: {e.problem or e.context}') from None
    return _OverrideParser(source).parse(root)


def parse_override_node(node, source='<string>'):
    """Validate an already composed YAML node in the override format.

    For override blocks that live inside another file (an organisation's
    ``calendar`` in ``organisations.yaml``): lines stay those of that file.
    """
    return _OverrideParser(source).parse(node)


def layered(base, extra, drop_closures=True):
    """``base`` overrides with ``extra`` on top (an organisation's calendar).

    The bureau's *closures* are its own (an office move does not close a
    district); its holidays and make-up workdays are the country's and
    stay.  A year is complete if either says so.
    """
    years = {}
    for year in set(base.years) | set(extra.years):
        mine, theirs = base.get(year), extra.get(year)
        days = {}
        if mine is not None:
            days.update({d: k for d, k in mine.days.items()
                         if not (drop_closures and k.kind == Kind.BUREAU_CLOSURE)})
        if theirs is not None:
            days.update(theirs.days)
        complete = bool((mine and mine.complete) or (theirs and theirs.complete))
        line = (theirs or mine).line
        years[year] = YearOverride(year, complete, days, line)
    return Overrides(years, extra.source)


class _OverrideParser:
    """Walks the YAML node tree (not the loaded data) to keep line numbers."""

    def __init__(self, source):
        self.source = source
        self.label = os.path.basename(source)

    def fail(self, node, problem):
        raise OverrideError(self.source, node.start_mark.line + 1, problem)

    def pairs(self, node, what):
        """Key/value node pairs of a mapping; duplicate keys are mistakes."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f'{what} must be a mapping')
        seen = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.fail(key, f'{what}: keys must be plain words')
            if key.value in seen:
                self.fail(key, f'{what}: {key.value!r} appears twice')
            seen.add(key.value)
            yield key, value

    def parse(self, root):
        years = {}
        if root is None or _is_null(root):
            return Overrides({}, self.source)
        for key, section in self.pairs(root, 'the file'):
            if not _YEAR_RE.match(key.value):
                self.fail(key, f'year must be a four-digit number like 2027, got {key.value!r}')
            year = int(key.value)
            years[year] = self.year_section(year, key, section)
        return Overrides(years, self.source)

    def year_section(self, year, key, section):
        complete = False
        days, where = {}, {}
        if _is_null(section):
            return YearOverride(year, False, {}, key.start_mark.line + 1)
        for name, value in self.pairs(section, f'year {year}'):
            if name.value not in SECTION_KEYS:
                allowed = ', '.join(sorted(SECTION_KEYS))
                self.fail(name, f'unknown key {name.value!r} in year {year} (allowed: {allowed})')
            if name.value == 'complete':
                if not isinstance(value, yaml.ScalarNode) or value.tag != _BOOL_TAG:
                    self.fail(value, 'complete must be true or false')
                complete = value.value.lower() in _TRUE
            elif not _is_null(value):
                self.entries(year, name.value, value, days, where)
        return YearOverride(year, complete, days, key.start_mark.line + 1)

    def entries(self, year, list_name, node, days, where):
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f'{list_name} of {year} must be a list of entries')
        for entry in node.value:
            first, last, name = self.entry(year, list_name, entry)
            line = entry.start_mark.line + 1
            kind = DayKind(SECTION_LISTS[list_name], name, False, f'{self.label}:{line}')
            d = first
            while d <= last:
                if d in where:
                    other_list, other_line = where[d]
                    self.fail(entry, f'{d} is already listed under {other_list} at line {other_line}')
                where[d] = (list_name, line)
                days[d] = kind
                d += ONE_DAY

    def entry(self, year, list_name, node):
        """``(first, last, name)`` of ``{date, name}`` or ``{start, end, name}``."""
        fields = {}
        for key, value in self.pairs(node, f'an entry of {list_name}'):
            if key.value not in ENTRY_KEYS:
                self.fail(key, f'unknown key {key.value!r} in an entry of {list_name}'
                               ' (allowed: date, or start and end; and name)')
            fields[key.value] = value
        if 'date' in fields and ({'start', 'end'} & fields.keys()):
            self.fail(node, 'give either date or start and end, not both')
        if 'date' in fields:
            first = last = self.date(year, fields['date'])
        elif 'start' in fields and 'end' in fields:
            first = self.date(year, fields['start'])
            last = self.date(year, fields['end'])
            if last < first:
                self.fail(fields['end'], f'end {last} is before start {first}')
        else:
            self.fail(node, 'an entry needs date, or start and end')
        name = fields.get('name')
        if name is None or not isinstance(name, yaml.ScalarNode) or not name.value.strip():
            self.fail(node, 'an entry needs a name (the holiday, or why the bureau is closed)')
        return first, last, name.value.strip()

    def date(self, year, node):
        if not isinstance(node, yaml.ScalarNode) or not _DATE_RE.match(node.value):
            self.fail(node, f'bad date {getattr(node, "value", "")!r}: write YYYY-MM-DD')
        try:
            d = datetime.date.fromisoformat(node.value)
        except ValueError as e:
            self.fail(node, f'bad date {node.value!r}: {e}')
        if d.year != year:
            self.fail(node, f'{d} is outside its year section {year}')
        return d


def _is_null(node):
    return isinstance(node, yaml.ScalarNode) and node.tag == 'tag:yaml.org,2002:null'


# --------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------

class _YearTable:
    """One year, computed once: each day's kind and the running working count.

    ``cum[i]`` is the number of working days from 1 January through day
    ``i`` (0-based) inclusive; ``total`` is ``cum[-1]``.
    """

    __slots__ = ('year', 'first_ordinal', 'kinds', 'cum', 'total', 'known')

    def __init__(self, year, kinds, known):
        self.year = year
        self.first_ordinal = datetime.date(year, 1, 1).toordinal()
        self.kinds = tuple(kinds)
        self.known = known
        cum, running = [], 0
        for kind in self.kinds:
            running += kind.is_working
            cum.append(running)
        self.cum = cum
        self.total = running

    def index(self, d):
        return d.toordinal() - self.first_ordinal


class WorkingCalendar:
    """Working days per Art. 82: official calendar, bureau overrides, fallback.

    Contracts (both exclude the start day, whatever kind of day it is,
    because a limit runs from the day after acceptance):

    * ``add_working_days(start, n)``: the n-th working day after ``start``;
      ``n == 0`` gives ``start``; negative ``n`` is a ``ValueError``.
    * ``working_days_between(start, end)``: the number of working days ``d``
      with ``start < d <= end``; 0 when ``end <= start``.

    So ``working_days_between(s, add_working_days(s, n).value) == n``.
    """

    def __init__(self, overrides=None):
        self.overrides = overrides if overrides is not None else Overrides()
        self._tables = {}

    @classmethod
    def from_file(cls, path):
        return cls(load_overrides(path))

    # -- single days -------------------------------------------------------

    def day_kind(self, d):
        """The :class:`DayKind` of ``d``."""
        table = self._table(_check_date(d).year)
        return table.kinds[table.index(d)]

    def is_working_day(self, d):
        return self.day_kind(d).is_working

    def known(self, d):
        """Whether ``d``'s year is known (package, or override ``complete``)."""
        return self._table(_check_date(d).year).known

    # -- ranges ------------------------------------------------------------

    def add_working_days(self, start, n):
        """The ``n``-th working day after ``start`` as a :class:`Deadline`."""
        _check_date(start)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f'n must be an int, got {type(n).__name__}')
        if n < 0:
            raise ValueError(f'n must be 0 or more, got {n}')
        if n == 0:
            return Deadline(start)
        table = self._table(start.year)
        need = table.cum[table.index(start)] + n
        while need > table.total:
            need -= table.total
            table = self._table(table.year + 1)
        end = datetime.date.fromordinal(table.first_ordinal + bisect_left(table.cum, need))
        return Deadline(end, self._assumed_years(start, end))

    def working_days_between(self, start, end):
        """Working days ``d`` with ``start < d <= end`` as a :class:`Count`."""
        _check_date(start), _check_date(end)
        if end <= start:
            return Count(0)
        first, last = self._table(start.year), self._table(end.year)
        whole_years = sum(self._table(y).total for y in range(start.year, end.year))
        value = whole_years - first.cum[first.index(start)] + last.cum[last.index(end)]
        return Count(value, self._assumed_years(start, end))

    def explain(self, start, end):
        """Every day in ``start < d <= end`` that is not a plain working day.

        That is every non-working day skipped and every make-up or bureau
        workday counted, each with its kind and a Chinese reason; plain
        Monday-Friday working days are left out, their number is
        ``working_days_between`` minus the counted days listed here.
        """
        _check_date(start), _check_date(end)
        lines = []
        d = start + ONE_DAY
        while d <= end:
            kind = self.day_kind(d)
            if kind.kind is not Kind.WORKING:
                lines.append(Explanation(d, kind, kind.reason))
            d += ONE_DAY
        return lines

    # -- tables ------------------------------------------------------------

    def _assumed_years(self, start, end):
        """Unknown years among the days counted, i.e. ``start < d <= end``."""
        first_year = start.year + (start.month == 12 and start.day == 31)
        return frozenset(y for y in range(first_year, end.year + 1)
                         if not self._table(y).known)

    def _table(self, year):
        table = self._tables.get(year)
        if table is None:
            table = self._tables[year] = self._build(year)
        return table

    def _build(self, year):
        official = package_knows(year)
        override = self.overrides.get(year)
        listed = override.days if override else {}
        known = official or bool(override and override.complete)
        first = datetime.date(year, 1, 1)
        length = (datetime.date(year + 1, 1, 1) - first).days if year < 9999 else 365
        kinds = []
        for i in range(length):
            d = first + datetime.timedelta(days=i)
            if d in listed:
                kinds.append(listed[d])
            elif official:
                kinds.append(_package_kind(d))
            else:
                kinds.append(_weekday_kind(d, assumed=not known))
        return _YearTable(year, kinds, known)


def _check_date(d):
    """Accept dates only: a datetime's date depends on its time zone, and
    the bureau's day is the Asia/Shanghai day; the caller must decide it."""
    if isinstance(d, datetime.datetime) or not isinstance(d, datetime.date):
        raise TypeError(f'expected a datetime.date, got {type(d).__name__}')
    return d
