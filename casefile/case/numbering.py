"""Case numbers (办件编号): ``AS-20261125-000123``, unique and sortable.

A counter that ZODB merges on conflict (like ``BTrees.Length``) would hand
two concurrent intakes the same number, and a plain counter in the intake's
own transaction would make every intake conflict with every other (the
lesson of PEERS.md).  So numbers are drawn like database sequences: in a
tiny transaction of their own, on a separate connection, retried on
conflict, committed before the intake goes on.  A number whose intake later
fails is not reused; numbers may have gaps but never repeat.
"""
import datetime

import transaction
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB.POSException import ConflictError

SEQUENCES_KEY = 'casefile_sequences'
PREFIX = 'AS'


class Counter(Persistent):
    """Deliberately without conflict resolution: a conflict means retry."""

    def __init__(self):
        self.value = 0


def format_case_number(day, value, prefix=PREFIX):
    return '%s-%s-%06d' % (prefix, day.strftime('%Y%m%d'), value)


def _draw(zodb_root, key):
    sequences = zodb_root.get(SEQUENCES_KEY)
    if sequences is None:
        sequences = zodb_root[SEQUENCES_KEY] = OOBTree()
    counter = sequences.get(key)
    if counter is None:
        counter = sequences[key] = Counter()
    counter.value += 1
    return counter.value


def next_case_number(db, day=None, prefix=PREFIX):
    """Draw the next case number for ``day`` from ``db``."""
    day = day or datetime.date.today()
    return format_case_number(day, next_value(db, day.isoformat()), prefix)


def next_value(db, key, attempts=50):
    """The next value of the sequence ``key``, in a transaction of its own."""
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        for _attempt in range(attempts):
            try:
                tm.begin()
                value = _draw(conn.root(), key)
                tm.get().note('casefile: draw number %s' % key)
                tm.commit()
                return value
            except ConflictError:
                tm.abort()
        raise ConflictError('could not draw a number for %s' % key)
    finally:
        tm.abort()
        conn.close()
