"""Archiving, archival metadata, access records, borrowing and disposal.

Everything here changes an archived case or the archive office; pages and
the command line call these functions, never the objects directly.

- :func:`archived` is the reaction to the ``archive`` transition: it gives
  the case its retention period (the longest of its items'), its archive
  number (from ``schemas/archive.yaml``, drawn like case numbers in a
  transaction of its own) and journals the file index's checksums.
- :func:`describe` changes the archivist's own metadata (storage place,
  remarks); nothing else of an archived case ever changes.
- :func:`write_access` journals every reading of an archived case and
  every refused change, in a transaction of its own (see ``access.py``).
- Borrowing: :func:`request_borrowing`, :func:`decide_borrowing`,
  :func:`may_read`.  A grant is a period; :func:`may_read` compares it with
  :func:`clock.now`, so access ends by itself.
- Disposal: :func:`expired_archives`, :func:`propose_disposal`,
  :func:`decide_disposal` (a second person approves; the case and its
  blobs are removed and a :class:`DestructionRecord` stays).
"""
import datetime

from persistent.mapping import PersistentMapping
from pyramid.events import subscriber
from pyramid.threadlocal import get_current_registry

from ..catalogue import vocabulary
from ..catalogue.store import catalogue_for
from ..case.numbering import next_value
from ..case.service import zodb_database
from ..events import notify_modified
from ..i18n import _
from ..workflow.engine import Transitioned
from . import clock
from .index import file_index
from .model import BorrowRequest, DestructionRecord, DisposalProposal

#: longest first: the case keeps the longest retention of its items
RETENTION_ORDER = ('permanent', '30y', '10y')
RETENTION_YEARS = {'permanent': None, '30y': 30, '10y': 10}
METADATA_FIELDS = (
    ('location', _('Storage location'), 100),
    ('volume', _('Volume and box'), 50),
    ('classification', _('Classification'), 50),
    ('remarks', _('Remarks'), 1000),
)
MAX_BORROW_DAYS = 90


class ArchiveError(Exception):
    """A refused archive operation: ``code`` for the API, ``message`` for
    people; raised before anything changed."""

    def __init__(self, code, message, status=400):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


def get_office(root):
    return root['archives']


def get_scheme(registry=None):
    registry = registry or get_current_registry()
    return registry.casefile_archive_scheme


def case_retention(case):
    """The longest retention period of the case's items (默认 30年)."""
    catalogue = catalogue_for(case)
    found = set()
    for code in case.item_codes:
        item = catalogue.items.get(code)
        found.add(item.retention if item is not None
                  else vocabulary.DEFAULT_RETENTION)
    for retention in RETENTION_ORDER:
        if retention in found:
            return retention
    return vocabulary.DEFAULT_RETENTION


def retention_label(retention):
    return vocabulary.RETENTIONS.get(retention, retention or '')


def expires_on(case):
    """The day the retention period has run out, or ``None`` (permanent).

    Periods count in whole years from 1 January of the year after the
    case was archived (the archives' custom: a file formed in 2026 with
    ten years' retention may be disposed of from 1 January 2037).
    """
    years = RETENTION_YEARS.get(case.retention)
    if years is None or case.archived_on is None:
        return None
    return datetime.date(case.archive_year + 1 + years, 1, 1)


# -- archiving ------------------------------------------------------------------

@subscriber(Transitioned)
def on_transition(event):
    if event.definition.name == 'case' and event.transition.name == 'archive':
        registry = (event.request.registry if event.request is not None
                    else get_current_registry())
        archived(event.object, event.actor, registry)


def archived(case, actor, registry):
    scheme = get_scheme(registry)
    now = clock.now()
    retention = case_retention(case)
    year = now.astimezone(clock.TZ).year
    sequence = next_value(zodb_database(case),
                          scheme.counter_key(year, retention))
    case.archive_number = scheme.number(year, retention, sequence)
    case.retention = retention
    case.archived_on = now
    case.archive_year = year
    case.archived_by = actor
    case.archive_metadata = PersistentMapping()
    entries = file_index(case)
    case.journal.record('archive.archived', actor,
                        target=case.archive_number,
                        comment='档号 %s，保管期限 %s，卷内文件 %d 件' % (
                            case.archive_number, retention_label(retention),
                            len(entries)),
                        data={'archive_number': case.archive_number,
                              'retention': retention,
                              'records': [[e.seq, e.title, e.sha256]
                                          for e in entries if e.stored]},
                        when=now)
    reindex(case, registry)


def reindex(case, registry):
    notify_modified(case, registry)
    try:
        from ..search.queue import enqueue
    except ImportError:
        return
    enqueue(case)


def describe(case, values, actor, registry):
    """Change the archivist's metadata; return the changed field names."""
    if case.state != 'archived':
        raise ArchiveError('not-archived', _('This case is not archived.'),
                           409)
    changed = {}
    for key, title, limit in METADATA_FIELDS:
        if key not in values:
            continue
        value = (values[key] or '').strip()
        if len(value) > limit:
            raise ArchiveError('too-long', _(
                '"${field}" is too long (at most ${limit} characters).',
                mapping={'field': title, 'limit': limit}))
        if value != case.archive_metadata.get(key, ''):
            changed[key] = value
    if changed:
        old = {k: case.archive_metadata.get(k, '') for k in changed}
        case.archive_metadata.update(changed)
        case.journal.record('archive.described', actor,
                            target=case.archive_number,
                            comment='、'.join(sorted(changed)),
                            data={'old': old, 'new': changed})
        reindex(case, registry)
    return sorted(changed)


# -- access records -------------------------------------------------------------

def write_access(db, case_number, actor, action, what, data):
    """Journal one access to an archived case (who, when, what), in a
    transaction of its own: a refused request's own is aborted."""
    import transaction
    from ZODB.POSException import ConflictError
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        for _attempt in range(10):
            try:
                tm.begin()
                case = conn.root()['app_root']['cases'].get(case_number)
                if case is None or case.state != 'archived':
                    tm.abort()
                    return
                case.journal.record('archive.' + action, actor,
                                    target=what, data=data,
                                    when=clock.now())
                tm.get().note('casefile: %s of archive %s'
                              % (action, case_number))
                tm.commit()
                return
            except ConflictError:
                tm.abort()
    finally:
        conn.close()


# -- borrowing ------------------------------------------------------------------

def _days(value):
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise ArchiveError('invalid-days', _(
            'The borrowing period must be a whole number of days.'))
    if not 1 <= days <= MAX_BORROW_DAYS:
        raise ArchiveError('invalid-days', _(
            'The borrowing period must be between 1 and ${max} days.',
            mapping={'max': MAX_BORROW_DAYS}))
    return days


def request_borrowing(root, case, requester, reason, days):
    if case is None or case.state != 'archived':
        raise ArchiveError('not-archived', _('There is no archive with '
                                             'this number.'), 404)
    reason = (reason or '').strip()
    if not reason:
        raise ArchiveError('missing-reason', _('Please say why you need '
                                               'to read this archive.'))
    if len(reason) > 500:
        raise ArchiveError('too-long', _('The reason is too long (at most '
                                         '500 characters).'))
    days = _days(days)
    office = get_office(root)
    for request in office.borrowings.values():
        if (request.case_number == case.case_number
                and request.requester == requester
                and request.state() in ('requested', 'active')):
            raise ArchiveError('duplicate', _(
                'You already have an open request or a grant for this '
                'archive.'), 409)
    borrow = BorrowRequest(office.next_id('B'), case.case_number,
                           case.archive_number, requester, reason, days)
    office.borrowings[borrow.id] = borrow
    case.journal.record('archive.borrow_requested', requester,
                        target=borrow.id, comment=reason,
                        data={'days': days}, when=clock.now())
    return borrow


def decide_borrowing(root, borrow_id, actor, decision, days=None, note=''):
    office = get_office(root)
    borrow = office.borrowings.get(borrow_id)
    if borrow is None:
        raise ArchiveError('not-found', _('No such borrowing request.'), 404)
    case = root['cases'].get(borrow.case_number)
    if decision == 'return':
        if borrow.state() != 'active':
            raise ArchiveError('not-active', _('This grant is not active.'),
                               409)
        borrow.end_now(actor)
    else:
        if borrow.status != 'requested':
            raise ArchiveError('decided', _('This request has already '
                                            'been decided.'), 409)
        if decision == 'approve':
            borrow.approve(actor, _days(days if days not in (None, '')
                                        else borrow.days), note.strip())
        elif decision == 'refuse':
            if not note.strip():
                raise ArchiveError('missing-reason', _(
                    'Please say why the request is refused.'))
            borrow.refuse(actor, note.strip())
        else:
            raise ArchiveError('unknown', _('Unknown decision.'))
    if case is not None:
        case.journal.record('archive.borrow_' + borrow.status, actor,
                            target=borrow.id, comment=note.strip(),
                            data={'requester': borrow.requester,
                                  'ends': borrow.ends.isoformat()
                                  if borrow.ends else None},
                            when=clock.now())
    return borrow


def active_grant(root, case, login, now=None):
    for borrow in get_office(root).borrowings.values():
        if (borrow.case_number == case.case_number
                and borrow.requester == login and borrow.active(now)):
            return borrow
    return None


def may_read(request, case):
    """Archivists read every archive; others only during a grant."""
    if case is None or case.state != 'archived':
        return False
    if request.has_permission('archive.manage', request.root):
        return True
    login = request.user_info.login if request.user_info else None
    return login is not None and active_grant(request.root, case,
                                              login) is not None


# -- disposal -------------------------------------------------------------------

def expired_archives(root, today=None):
    """Archived cases whose retention has run out, oldest first."""
    today = today or clock.today()
    from substanced.util import find_catalog
    catalog = find_catalog(root, 'archive')
    docids = catalog['retention'].any(['30y', '10y']).execute().all()
    out = []
    for case in docids:
        ends = expires_on(case)
        if ends is not None and ends <= today:
            out.append(case)
    out.sort(key=lambda c: (expires_on(c), c.archive_number))
    return out


def propose_disposal(root, case, actor, reason, today=None):
    if case is None or case.state != 'archived':
        raise ArchiveError('not-archived', _('There is no archive with '
                                             'this number.'), 404)
    ends = expires_on(case)
    if ends is None or ends > (today or clock.today()):
        raise ArchiveError('not-expired', _(
            'The retention period of this archive has not run out.'), 409)
    reason = (reason or '').strip()
    if not reason:
        raise ArchiveError('missing-reason', _('Please give the grounds '
                                               'for destruction.'))
    office = get_office(root)
    existing = office.disposals.get(case.case_number)
    if existing is not None and existing.status == 'proposed':
        raise ArchiveError('duplicate', _('Destruction of this archive is '
                                          'already proposed.'), 409)
    proposal = DisposalProposal(case.case_number, case.archive_number,
                                actor, reason)
    office.disposals[case.case_number] = proposal
    case.journal.record('archive.disposal_proposed', actor,
                        target=case.archive_number, comment=reason,
                        when=clock.now())
    return proposal


def decide_disposal(root, case_number, actor, approve, note, registry):
    office = get_office(root)
    proposal = office.disposals.get(case_number)
    if proposal is None or proposal.status != 'proposed':
        raise ArchiveError('not-found', _('No destruction proposal is '
                                          'waiting for this archive.'), 404)
    if actor == proposal.proposer:
        raise ArchiveError('same-person', _(
            'The destruction must be approved by someone other than the '
            'person who proposed it.'), 403)
    note = (note or '').strip()
    proposal.decided_by = actor
    proposal.decided_at = clock.now()
    proposal.decision_note = note
    case = root['cases'].get(case_number)
    if not approve:
        if not note:
            raise ArchiveError('missing-reason', _(
                'Please say why the destruction is rejected.'))
        proposal.status = 'rejected'
        if case is not None:
            case.journal.record('archive.disposal_rejected', actor,
                                target=proposal.archive_number,
                                comment=note, when=clock.now())
        return None
    if case is None:
        raise ArchiveError('not-found', _('There is no archive with this '
                                          'number.'), 404)
    proposal.status = 'destroyed'
    return destroy(root, case, proposal, actor, note, registry)


def destroy(root, case, proposal, actor, note, registry):
    """Remove the case and its records; keep the destruction record."""
    entries = file_index(case)
    last = case.journal.last()
    record = DestructionRecord({
        'case_number': case.case_number,
        'archive_number': case.archive_number,
        'title': case.title,
        'applicant': case.applicant.get('name'),
        'applicant_identifier': case.applicant.get('identifier'),
        'application': case.application_name,
        'items': list(case.item_codes),
        'retention': case.retention,
        'archived_on': case.archived_on.isoformat(),
        'expired_on': expires_on(case).isoformat(),
        'records': [{'seq': e.seq, 'title': e.title, 'kind': e.kind,
                     'date': e.date.isoformat(), 'size': e.size,
                     'sha256': e.sha256} for e in entries],
        'journal_entries': len(case.journal),
        'journal_head': last['hash'] if last else None,
        'proposed_by': proposal.proposer,
        'proposed_at': proposal.proposed_at.isoformat(),
        'reason': proposal.reason,
        'approved_by': actor,
        'approval_note': note,
        'destroyed_at': clock.now().isoformat(),
    })
    get_office(root).destructions[case.archive_number] = record
    # removing the case removes its sub-containers, materials and the
    # PDFs' blobs with it; the catalogs unindex it
    root['cases'].remove(case.case_number, registry=registry)
    return record
