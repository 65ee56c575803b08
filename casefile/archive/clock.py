"""The archive's notion of "now", in one place so tests can move it.

Borrowing grants end by themselves and retention periods run out with
time; both are decided by comparing with :func:`now`.  Tests replace it
(``monkeypatch.setattr(casefile.archive.clock, 'now', ...)``) to see a
grant expire without waiting for it.
"""
import datetime


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def today():
    return now().astimezone(TZ).date()


#: the bureau's time zone: dates in archive numbers and lists are local
TZ = datetime.timezone(datetime.timedelta(hours=8), 'CST')
