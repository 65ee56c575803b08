"""Case numbers: unique and sortable even when many clerks start at once."""
import datetime
import threading

import pytest

from casefile.case.numbering import format_case_number, next_case_number


def test_format_is_prefix_date_and_six_digits():
    assert format_case_number(datetime.date(2026, 11, 25), 123) == \
        'AS-20261125-000123'


def test_numbers_count_per_day(app):
    db = app.registry._zodb_databases['']
    day = datetime.date(2026, 11, 25)
    assert next_case_number(db, day) == 'AS-20261125-000001'
    assert next_case_number(db, day) == 'AS-20261125-000002'
    other = datetime.date(2026, 11, 26)
    assert next_case_number(db, other) == 'AS-20261126-000001'


def test_concurrent_draws_never_repeat_a_number(app):
    """Eight threads on their own connections, 25 draws each, one day."""
    db = app.registry._zodb_databases['']
    day = datetime.date(2026, 12, 1)
    drawn, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker():
        start.wait()
        for _ in range(25):
            try:
                number = next_case_number(db, day)
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
                return
            with lock:
                drawn.append(number)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(drawn) == 200
    assert len(set(drawn)) == 200
    assert sorted(drawn) == [format_case_number(day, i)
                             for i in range(1, 201)]
