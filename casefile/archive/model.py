"""The archive office's own records: borrowing and destruction.

``root['archives']`` (an :class:`ArchiveOffice`) holds what belongs to
the archive and not to any one case:

- ``borrowings``: every borrowing request (借阅) with its decision and
  period; a grant is a period, so access ends by itself when it is over;
- ``disposals``: destruction proposals (销毁) waiting for approval;
- ``destructions``: the destruction records (what, when, approved by
  whom), kept forever: nothing in the application removes one.
"""
import datetime

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.mapping import PersistentMapping
from substanced.content import content
from substanced.folder import Folder

from . import clock


@content('Archive Office', icon='glyphicon glyphicon-book')
class ArchiveOffice(Folder):
    def __init__(self):
        super().__init__()
        self.borrowings = OOBTree()
        self.disposals = OOBTree()
        self.destructions = OOBTree()
        self.counter = 0

    def next_id(self, prefix):
        self.counter += 1
        return '%s%06d' % (prefix, self.counter)


class BorrowRequest(Persistent):
    """A staff member's request to read an archive, and its decision."""

    status = 'requested'    # requested | approved | refused | returned
    decided_by = None
    decided_at = None
    starts = None
    ends = None
    decision_note = ''

    def __init__(self, id, case_number, archive_number, requester, reason,
                 days):
        self.id = id
        self.case_number = case_number
        self.archive_number = archive_number
        self.requester = requester
        self.reason = reason
        self.days = days
        self.requested_at = clock.now()

    def approve(self, actor, days, note=''):
        self.status = 'approved'
        self.decided_by = actor
        self.decided_at = clock.now()
        self.days = days
        self.starts = self.decided_at
        self.ends = self.starts + datetime.timedelta(days=days)
        self.decision_note = note

    def refuse(self, actor, note):
        self.status = 'refused'
        self.decided_by = actor
        self.decided_at = clock.now()
        self.decision_note = note

    def end_now(self, actor):
        """Returned early (归还): access ends at once."""
        self.status = 'returned'
        self.ends = min(self.ends or clock.now(), clock.now())
        self.returned_by = actor

    def active(self, now=None):
        now = now or clock.now()
        return (self.status == 'approved' and self.starts <= now < self.ends)

    def state(self, now=None):
        if self.status == 'approved':
            return 'active' if self.active(now) else 'expired'
        return self.status


class DisposalProposal(Persistent):
    """An archivist's proposal to destroy an expired archive."""

    status = 'proposed'     # proposed | rejected | destroyed
    decided_by = None
    decided_at = None
    decision_note = ''

    def __init__(self, case_number, archive_number, proposer, reason):
        self.case_number = case_number
        self.archive_number = archive_number
        self.proposer = proposer
        self.reason = reason
        self.proposed_at = clock.now()


class DestructionRecord(Persistent):
    """What was destroyed, when, proposed and approved by whom.

    Written once, never changed: a plain mapping of plain values (the
    case's description and its file index with each record's checksum).
    """

    def __init__(self, data):
        self.data = PersistentMapping(data)

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)
