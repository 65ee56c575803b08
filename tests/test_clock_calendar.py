"""The working-day calendar (casefile.clock) against the real 2024-2026
official arrangements, the override file, the fallback for unknown years,
and the contracts as properties.

Expected dates were read from the State Council's notices as encoded in
chinesecalendar 1.11.0 (e.g. 2025: 春节 1/28-2/4 with 1/26 and 2/8 worked;
国庆节+中秋节 10/1-10/8 with 9/28 and 10/11 worked; 2026: 春节 2/15-2/23
with 2/14 and 2/28 worked).  Override files in these tests are fixtures,
not the 2027 notice: only 1 January (元旦, fixed by regulation) is used.
"""
import datetime
import doctest
import os
import textwrap
from datetime import date

import chinese_calendar
import pytest
from hypothesis import given, settings, strategies as st

import casefile.clock as clock
from casefile.clock import (
    Kind,
    OverrideError,
    WorkingCalendar,
    fallback_note,
    load_overrides,
    parse_overrides,
)
from casefile.clock import calendar as calendar_module

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def cal():
    return WorkingCalendar()


@pytest.fixture(autouse=True)
def default_calendar():
    """Tests that configure the module-level calendar leave it as found."""
    clock.configure()
    yield
    clock.configure()


def write(tmp_path, text, name='calendar.yaml'):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip('\n'), encoding='utf-8')
    return str(path)


def deadlines(cal, start, count):
    return [cal.add_working_days(start, n).value for n in range(1, count + 1)]


# -- Spring Festival, National Day: the official arrangements ----------------

def test_spring_festival_2025_skips_holidays_and_counts_both_makeup_weekend_days(cal):
    assert deadlines(cal, date(2025, 1, 24), 7) == [
        date(2025, 1, 26),   # Sunday, worked (调休)
        date(2025, 1, 27),
        date(2025, 2, 5),    # 1/28-2/4 holiday
        date(2025, 2, 6),
        date(2025, 2, 7),
        date(2025, 2, 8),    # Saturday, worked (调休)
        date(2025, 2, 10),
    ]


def test_spring_festival_2026_nine_day_holiday_with_saturday_makeup_days(cal):
    assert deadlines(cal, date(2026, 2, 13), 7) == [
        date(2026, 2, 14),   # Saturday, worked
        date(2026, 2, 24),   # 2/15-2/23 holiday
        date(2026, 2, 25),
        date(2026, 2, 26),
        date(2026, 2, 27),
        date(2026, 2, 28),   # Saturday, worked
        date(2026, 3, 2),
    ]


def test_national_day_2025_eight_days_off_and_two_makeup_days(cal):
    assert deadlines(cal, date(2025, 9, 26), 7) == [
        date(2025, 9, 28), date(2025, 9, 29), date(2025, 9, 30),
        date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 11),
        date(2025, 10, 13),
    ]
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 8)).value == 0
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 11)).value == 3


def test_statutory_20_day_limit_across_national_day_2024(cal):
    # accepted Mon 2024-09-23; 9/29 (Sun) and 10/12 (Sat) worked, 10/1-10/7 off
    deadline = cal.add_working_days(date(2024, 9, 23), 20)
    assert deadline.value == date(2024, 10, 24)
    assert deadline.assumed_years == frozenset()


def test_joint_45_day_limit_across_new_year_and_spring_festival_2026(cal):
    # 2026-01-01..03 off, 01-04 (Sun) worked; 2/14 and 2/28 worked, 2/15-2/23 off
    deadline = cal.add_working_days(date(2025, 12, 29), 45)
    assert deadline.value == date(2026, 3, 9)
    assert cal.working_days_between(date(2025, 12, 29), date(2026, 3, 9)).value == 45


def test_day_kinds_name_holidays_in_chinese(cal):
    assert cal.day_kind(date(2025, 1, 29)).kind is Kind.HOLIDAY
    assert cal.day_kind(date(2025, 1, 29)).name == '春节'
    assert cal.day_kind(date(2025, 10, 6)).name == '中秋节'
    assert cal.day_kind(date(2024, 4, 4)).name == '清明节'
    assert cal.day_kind(date(2024, 6, 10)).name == '端午节'
    makeup = cal.day_kind(date(2025, 1, 26))
    assert (makeup.kind, makeup.name, makeup.is_working) == (Kind.MAKEUP_WORKDAY, '春节', True)
    weekend = cal.day_kind(date(2025, 1, 25))
    assert (weekend.kind, weekend.name, weekend.assumed) == (Kind.WEEKEND, '星期六', False)
    assert cal.day_kind(date(2025, 1, 27)).kind is Kind.WORKING


def test_every_package_holiday_name_has_a_chinese_name():
    names = set(chinese_calendar.constants.holidays.values())
    for english in names:
        assert calendar_module.HOLIDAY_NAMES_ZH[english] != english
    assert calendar_module.holiday_name_zh('Some Future Day') == 'Some Future Day'


# -- the contracts: start day, n = 0, negative n, ranges ---------------------

def test_start_day_is_not_counted_even_when_it_is_a_holiday(cal):
    assert cal.add_working_days(date(2025, 10, 1), 1).value == date(2025, 10, 9)
    assert cal.add_working_days(date(2025, 10, 8), 1).value == date(2025, 10, 9)


def test_start_day_is_not_counted_when_it_is_a_working_or_makeup_day(cal):
    assert cal.add_working_days(date(2025, 9, 29), 1).value == date(2025, 9, 30)
    assert cal.add_working_days(date(2025, 9, 28), 1).value == date(2025, 9, 29)
    assert cal.working_days_between(date(2025, 9, 28), date(2025, 9, 29)).value == 1


def test_zero_days_returns_the_start_whatever_it_is(cal):
    for start in (date(2025, 10, 1), date(2025, 9, 27), date(2027, 3, 3)):
        deadline = cal.add_working_days(start, 0)
        assert deadline.value == start
        assert deadline.assumed_years == frozenset()


def test_negative_days_are_refused(cal):
    with pytest.raises(ValueError, match='0 or more'):
        cal.add_working_days(date(2025, 1, 2), -1)
    with pytest.raises(ValueError):
        clock.add_working_days(date(2025, 1, 2), -5)


def test_non_dates_and_non_integers_are_refused(cal):
    with pytest.raises(TypeError):
        cal.add_working_days(datetime.datetime(2025, 1, 2, 9, 0), 1)
    with pytest.raises(TypeError):
        cal.working_days_between(date(2025, 1, 2), '2025-02-01')
    with pytest.raises(TypeError):
        cal.add_working_days(date(2025, 1, 2), 1.0)
    with pytest.raises(TypeError):
        cal.add_working_days(date(2025, 1, 2), True)


def test_between_is_zero_when_end_is_not_after_start(cal):
    assert cal.working_days_between(date(2025, 3, 3), date(2025, 3, 3)).value == 0
    assert cal.working_days_between(date(2025, 3, 10), date(2025, 3, 3)).value == 0
    assert cal.working_days_between(date(2025, 3, 7), date(2025, 3, 9)).value == 0  # Fri→Sun


def test_between_spans_years(cal):
    # 2024 has 251 working days in total under the official arrangement
    assert cal.working_days_between(date(2023, 12, 31), date(2024, 12, 31)).value == 251
    assert cal.working_days_between(date(2024, 12, 31), date(2025, 1, 2)).value == 1


# -- years nobody knows: fallback, always said -------------------------------

def test_unknown_year_falls_back_to_weekends_and_says_so(cal):
    assert not cal.known(date(2027, 6, 1))
    assert cal.known(date(2026, 12, 31))
    deadline = cal.add_working_days(date(2026, 12, 30), 3)
    assert deadline.value == date(2027, 1, 4)       # Fri 1/1 counted: assumed
    assert deadline.assumed_years == {2027}
    assert deadline.assumed
    assert deadline.note == '2027年的法定节假日尚未公布，本期限暂按周末推算，可能有误。'
    jan1 = cal.day_kind(date(2027, 1, 1))
    assert (jan1.kind, jan1.assumed, jan1.source) == (Kind.WORKING, True, 'fallback')
    assert cal.day_kind(date(2027, 1, 2)).kind is Kind.WEEKEND


def test_result_within_known_years_assumes_nothing(cal):
    deadline = cal.add_working_days(date(2026, 12, 1), 22)
    assert deadline.value == date(2026, 12, 31)
    assert deadline.assumed_years == frozenset() and deadline.note == ''


def test_start_on_last_day_of_known_year_only_counts_the_unknown_year(cal):
    count = cal.working_days_between(date(2026, 12, 31), date(2027, 1, 8))
    assert (count.value, count.assumed_years) == (6, {2027})   # 1/1, 1/4-1/8
    assert cal.working_days_between(date(2026, 1, 5), date(2026, 12, 31)).assumed_years == frozenset()


def test_years_before_the_package_are_assumed_too(cal):
    count = cal.working_days_between(date(2003, 12, 1), date(2004, 1, 5))
    assert count.assumed_years == {2003}
    assert not cal.known(date(2003, 5, 1))


def test_plain_api_returns_plain_values_even_for_unknown_years():
    result = clock.add_working_days(date(2026, 12, 30), 3)
    assert type(result) is date and result == date(2027, 1, 4)
    count = clock.working_days_between(date(2025, 9, 26), date(2025, 10, 11))
    assert type(count) is int and count == 6


def test_fallback_note_lists_every_year_and_is_empty_when_nothing_assumed():
    assert fallback_note({2028, 2027}) == (
        '2027年、2028年的法定节假日尚未公布，本期限暂按周末推算，可能有误。')
    assert fallback_note(frozenset()) == ''


# -- the override file ------------------------------------------------------

FIXTURE_2027 = """
    # test fixture only: not the State Council's 2027 notice
    2027:
      complete: true
      holidays:
        - {date: 2027-01-01, name: 元旦}
    """


def test_override_makes_2027_known(tmp_path):
    cal = WorkingCalendar.from_file(write(tmp_path, FIXTURE_2027))
    assert cal.known(date(2027, 6, 1))
    deadline = cal.add_working_days(date(2026, 12, 30), 3)
    assert deadline.value == date(2027, 1, 5)       # 1/1 now a holiday
    assert deadline.assumed_years == frozenset()
    jan1 = cal.day_kind(date(2027, 1, 1))
    assert (jan1.kind, jan1.name, jan1.assumed) == (Kind.HOLIDAY, '元旦', False)
    assert jan1.source == 'calendar.yaml:5'
    plain_monday = cal.day_kind(date(2027, 1, 4))
    assert (plain_monday.kind, plain_monday.assumed) == (Kind.WORKING, False)


def test_override_entries_without_complete_leave_the_year_assumed(tmp_path):
    cal = WorkingCalendar.from_file(write(tmp_path, """
        2027:
          closures:
            - {date: 2027-01-04, name: 设备检修}
        """))
    assert not cal.known(date(2027, 1, 4))
    deadline = cal.add_working_days(date(2026, 12, 30), 3)
    assert deadline.value == date(2027, 1, 5)
    assert deadline.assumed_years == {2027}
    assert cal.day_kind(date(2027, 1, 4)).assumed is False


def test_local_closure_pushes_a_deadline(tmp_path):
    path = write(tmp_path, """
        2026:
          closures:
            - {start: 2026-12-02, end: 2026-12-03, name: 办公场所搬迁}
        """)
    cal = WorkingCalendar.from_file(path)
    assert WorkingCalendar().add_working_days(date(2026, 12, 1), 2).value == date(2026, 12, 3)
    assert cal.add_working_days(date(2026, 12, 1), 2).value == date(2026, 12, 7)
    closure = cal.day_kind(date(2026, 12, 2))
    assert (closure.kind, closure.name, closure.is_working) == (
        Kind.BUREAU_CLOSURE, '办公场所搬迁', False)
    assert [(e.date, e.reason) for e in cal.explain(date(2026, 12, 1), date(2026, 12, 4))] == [
        (date(2026, 12, 2), '本局闭馆：办公场所搬迁'),
        (date(2026, 12, 3), '本局闭馆：办公场所搬迁'),
    ]


def test_override_workday_and_holiday_win_over_the_package(tmp_path):
    cal = WorkingCalendar.from_file(write(tmp_path, """
        2026:
          workdays:
            - {date: 2026-12-05, name: 集中办理日}
          holidays:
            - {date: 2026-12-07, name: 测试假日}
        """))
    saturday = cal.day_kind(date(2026, 12, 5))
    assert (saturday.kind, saturday.is_working) == (Kind.BUREAU_WORKDAY, True)
    assert cal.day_kind(date(2026, 12, 7)).kind is Kind.HOLIDAY
    assert cal.add_working_days(date(2026, 12, 4), 2).value == date(2026, 12, 8)
    assert saturday.reason == '本局日历定为工作日：集中办理日'
    assert str(saturday.kind) == 'bureau_workday' and saturday.kind == 'bureau_workday'


def test_configure_and_includeme_load_the_bureau_file(tmp_path):
    path = write(tmp_path, FIXTURE_2027)
    configured = clock.configure(calendar_file=path)
    assert clock.get_calendar() is configured
    assert clock.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)

    clock.configure()
    assert clock.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 4)

    from pyramid import testing
    config = testing.setUp(settings={'casefile.calendar_file': path})
    try:
        config.include('casefile.clock')
        assert clock.get_calendar().known(date(2027, 1, 1))
    finally:
        testing.tearDown()


def test_includeme_without_the_setting_means_no_overrides(tmp_path):
    from pyramid import testing
    clock.configure(write(tmp_path, FIXTURE_2027))
    config = testing.setUp(settings={})
    try:
        config.include('casefile.clock')
        assert not clock.get_calendar().known(date(2027, 1, 1))
    finally:
        testing.tearDown()


def test_a_named_but_missing_file_fails_loudly(tmp_path):
    with pytest.raises(OSError):
        clock.configure(str(tmp_path / 'missing.yaml'))


def test_shipped_override_file_loads_and_invents_no_year():
    overrides = load_overrides(os.path.join(REPO, 'schemas', 'calendar.yaml'))
    assert overrides.years == {}
    assert not WorkingCalendar(overrides).known(date(2027, 1, 1))


def test_empty_override_file_means_no_overrides(tmp_path):
    assert load_overrides(write(tmp_path, '# nothing yet\n')).years == {}
    assert parse_overrides('2027:\n').get(2027).days == {}


# -- override errors name file and line -------------------------------------

@pytest.mark.parametrize('text, line, message', [
    ('2027:\n  holidays:\n    - {date: 2027-02-30, name: 春节}\n',
     3, "bad date '2027-02-30'"),
    ('2027:\n  holidays:\n    - {date: 27-2-3, name: 春节}\n',
     3, "bad date '27-2-3': write YYYY-MM-DD"),
    ('2027:\n  closures:\n    - start: 2027-05-06\n      end: 2027-05-04\n      name: x\n',
     4, 'end 2027-05-04 is before start 2027-05-06'),
    ('2027:\n  complete: true\n  holiday: []\n',
     3, "unknown key 'holiday' in year 2027"),
    ('2027:\n  holidays:\n    - {day: 2027-01-01, name: 元旦}\n',
     3, "unknown key 'day' in an entry of holidays"),
    ('2027:\n  holidays:\n    - {date: 2028-01-01, name: 元旦}\n',
     3, '2028-01-01 is outside its year section 2027'),
    ('2027:\n  holidays:\n    - {date: 2027-01-01}\n',
     3, 'an entry needs a name'),
    ('2027:\n  holidays:\n    - {name: 元旦}\n',
     3, 'an entry needs date, or start and end'),
    ('2027:\n  holidays:\n    - {date: 2027-01-01, start: 2027-01-01, end: 2027-01-02, name: x}\n',
     3, 'either date or start and end'),
    ('2027:\n  holidays:\n    - {date: 2027-01-01, name: 元旦}\n'
     '  closures:\n    - {date: 2027-01-01, name: x}\n',
     5, '2027-01-01 is already listed under holidays at line 3'),
    ('2027:\n  complete: maybe\n', 2, 'complete must be true or false'),
    ('27:\n  complete: true\n', 1, 'year must be a four-digit number'),
    ('2027:\n  complete: true\n2027:\n  complete: false\n', 3, "'2027' appears twice"),
    ('2027:\n  holidays: {date: 2027-01-01}\n', 2, 'must be a list of entries'),
    ('- 2027\n', 1, 'the file must be a mapping'),
    ('2027:\n  holidays:\n    - {date: 2027-01-01, name: 元旦\n', 4, 'not valid YAML'),
])
def test_override_errors_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(OverrideError) as caught:
        load_overrides(path)
    assert str(caught.value).startswith(f'{path}:{line}: ')
    assert message in str(caught.value)
    assert (caught.value.path, caught.value.line) == (path, line)


def test_configure_refuses_a_broken_file_and_keeps_nothing_half_loaded(tmp_path):
    before = clock.get_calendar()
    with pytest.raises(OverrideError):
        clock.configure(write(tmp_path, '2027:\n  complete: maybe\n'))
    assert clock.get_calendar() is before


# -- explain: the days counted, the days skipped and why ---------------------

def test_explain_lists_spring_festival_2025_with_chinese_names(cal):
    lines = cal.explain(date(2025, 1, 24), date(2025, 2, 10))
    by_date = {e.date: e for e in lines}
    assert by_date[date(2025, 1, 25)].reason == '星期六，休息日'
    assert by_date[date(2025, 1, 26)].reason == '春节调休上班，计为工作日'
    assert [by_date[date(2025, 1, 28) + datetime.timedelta(i)].kind.name
            for i in range(8)] == ['春节'] * 8
    assert by_date[date(2025, 2, 1)].reason == '法定节假日：春节放假'
    assert by_date[date(2025, 2, 8)].kind.kind is Kind.MAKEUP_WORKDAY
    assert by_date[date(2025, 2, 9)].kind.kind is Kind.WEEKEND
    assert date(2025, 1, 27) not in by_date              # plain working day
    assert date(2025, 1, 24) not in by_date              # start day
    counted = [e for e in lines if e.kind.is_working]
    skipped = [e for e in lines if not e.kind.is_working]
    assert len(counted) == 2 and len(skipped) == 10   # 1/25, 1/28-2/4, 2/9
    span = (date(2025, 2, 10) - date(2025, 1, 24)).days
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 10)).value == span - len(skipped)


def test_explain_marks_assumed_weekends_of_unknown_years(cal):
    lines = cal.explain(date(2026, 12, 31), date(2027, 1, 4))
    assert [(e.date, e.kind.kind, e.kind.assumed) for e in lines] == [
        (date(2027, 1, 2), Kind.WEEKEND, True),
        (date(2027, 1, 3), Kind.WEEKEND, True),
    ]
    assert '暂按周末推算' in lines[0].reason


def test_explain_is_empty_when_end_is_not_after_start(cal):
    assert cal.explain(date(2025, 10, 8), date(2025, 10, 1)) == []


# -- performance: a year is asked of chinesecalendar once --------------------

def test_deadlines_do_not_call_chinesecalendar_once_the_year_is_cached(monkeypatch):
    calls = []
    real = chinese_calendar.get_holiday_detail

    def counting(d):
        calls.append(d)
        return real(d)

    monkeypatch.setattr(chinese_calendar, 'get_holiday_detail', counting)
    cal = WorkingCalendar()
    cal.add_working_days(date(2025, 3, 3), 45)
    first = len(calls)
    assert first <= 2 * 366
    for day in range(1, 200):
        cal.add_working_days(date(2025, 1, 1) + datetime.timedelta(day), 45)
        cal.working_days_between(date(2025, 1, 1), date(2025, 1, 1) + datetime.timedelta(day))
    assert len(calls) == first


# -- properties -------------------------------------------------------------

starts = st.dates(min_value=date(2002, 1, 1), max_value=date(2028, 12, 31))
#: shared so that each year's table is built once for all examples
plain_calendar = WorkingCalendar()
calendar_for_properties = WorkingCalendar(parse_overrides("""
2026:
  closures:
    - {start: 2026-12-02, end: 2026-12-04, name: 搬迁}
  workdays:
    - {date: 2026-12-12, name: 集中办理日}
""", source='fixture.yaml'))


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=400),
       calendar=st.sampled_from([plain_calendar, calendar_for_properties]))
def test_property_between_inverts_add(start, n, calendar):
    deadline = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, deadline.value).value == n
    if n > 0:
        assert calendar.is_working_day(deadline.value)
        assert deadline.value > start
        # the day before the deadline holds one working day fewer
        assert calendar.working_days_between(
            start, deadline.value - datetime.timedelta(1)).value == n - 1


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 11, 30)),
       length=st.integers(min_value=0, max_value=30))
def test_property_agrees_with_chinesecalendar_day_by_day(start, length):
    end = start + datetime.timedelta(length)
    cal = plain_calendar
    expected = len(chinese_calendar.get_workdays(start + datetime.timedelta(1), end)) if length else 0
    count = cal.working_days_between(start, end)
    assert count.value == expected
    assert count.assumed_years == frozenset()


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts, c=starts)
def test_property_between_is_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    cal = plain_calendar
    assert (cal.working_days_between(a, b).value + cal.working_days_between(b, c).value
            == cal.working_days_between(a, c).value)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=300))
def test_property_assumed_years_are_exactly_the_unknown_years_counted(start, n):
    cal = plain_calendar
    deadline = cal.add_working_days(start, n)
    counted_years = {(start + datetime.timedelta(i)).year
                     for i in range(1, (deadline.value - start).days + 1)}
    assert deadline.assumed_years == {y for y in counted_years if not 2004 <= y <= 2026}


# -- the documentation's examples are run -----------------------------------

def test_docs_clock_md_examples_are_correct():
    result = doctest.testfile(os.path.join(REPO, 'docs', 'clock.md'),
                              module_relative=False, encoding='utf-8')
    assert result.attempted > 20
    assert result.failed == 0


def test_module_docstring_examples_are_correct():
    result = doctest.testmod(calendar_module)
    assert result.attempted > 0 and result.failed == 0
