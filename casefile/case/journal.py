"""The case journal: an append-only, hash-chained record inside the case.

Substance D's audit log is capped at 1,000 entries and lives outside the
case, so it cannot be "one archive per case".  Each case carries its own
journal: entries are kept in an ``IOBTree`` keyed by sequence number and
each entry holds the SHA-256 of the previous one, so an entry edited
through the ZODB API later breaks the chain at that entry.
"""
import datetime
import hashlib
import json

from BTrees.IOBTree import IOBTree
from persistent import Persistent

GENESIS = '0' * 64


def _canonical(entry):
    body = {k: v for k, v in entry.items() if k != 'hash'}
    return json.dumps(body, sort_keys=True, ensure_ascii=False,
                      separators=(',', ':'), default=str)


def entry_hash(entry):
    return hashlib.sha256(_canonical(entry).encode('utf-8')).hexdigest()


class JournalBrokenError(Exception):
    def __init__(self, seq, reason):
        super().__init__('journal entry %s: %s' % (seq, reason))
        self.seq = seq
        self.reason = reason


class Journal(Persistent):
    """Entries are plain dicts (never mutated after they are written)."""

    def __init__(self):
        self.entries = IOBTree()

    def __len__(self):
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries.values())

    def last(self):
        if not len(self.entries):
            return None
        return self.entries[self.entries.maxKey()]

    def record(self, action, actor, target='', comment='', data=None,
               when=None):
        """Append one entry; ``actor`` is a login name (or 'system')."""
        last = self.last()
        seq = 1 if last is None else last['seq'] + 1
        when = when or datetime.datetime.now(datetime.timezone.utc)
        entry = {
            'seq': seq,
            'when': when.isoformat(timespec='microseconds'),
            'actor': actor or 'system',
            'action': action,
            'target': target,
            'comment': comment,
            'data': data or {},
            'prev': GENESIS if last is None else last['hash'],
        }
        entry['hash'] = entry_hash(entry)
        self.entries[seq] = entry
        return entry

    def verify(self):
        """Raise :class:`JournalBrokenError` at the first entry that fails."""
        prev = GENESIS
        expected_seq = 1
        for seq, entry in self.entries.items():
            if seq != expected_seq or entry.get('seq') != seq:
                raise JournalBrokenError(seq, 'sequence gap or mismatch')
            if entry.get('prev') != prev:
                raise JournalBrokenError(seq, 'previous hash does not match')
            if entry_hash(entry) != entry.get('hash'):
                raise JournalBrokenError(seq, 'content does not match its hash')
            prev = entry['hash']
            expected_seq += 1
        return expected_seq - 1
