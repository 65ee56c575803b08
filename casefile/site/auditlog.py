"""Substance D's audit log, kept to the recent past it is for.

Substance D records folder events, ACL changes and logins in an audit log
in a database of its own (``zodbconn.uri.audit``).  The management
interface reads it: live folder listings, its auditing view.  It is not
the record of a case; that is the case journal, which keeps everything.

The log is one persistent ``AppendStack``: a single database record,
rewritten whole by every transaction that adds an entry, which is nearly
every write.  Substance D sizes it at 1,000 entries, and casefile's ACL
changes carry both tables as text (a kilobyte each).  At 1,000 entries
the record was about 270 KB, so each upload wrote that again to
``audit.fs``: 2.5 MB per case taken in, and about a fifth of the
intake time.  The newest :data:`CAPACITY` entries serve the management
views as well.
"""
from substanced.audit import AuditLog

LAYERS = 10
LAYER_SIZE = 10
#: entries kept: the newest, the oldest drop out as new ones come
CAPACITY = LAYERS * LAYER_SIZE


def capacity(log):
    """How many entries ``log`` keeps (Substance D's ``AppendStack`` has
    no public accessor for its two limits)."""
    entries = log.entries
    return entries._max_layers * entries._max_length


def ensure_auditlog(root):
    """Give the audit database a log of :data:`CAPACITY` entries.

    A larger log (a new database gets Substance D's; older installations
    have it) is replaced by a small one holding its newest entries.
    Without an audit database there is nothing to do: Substance D then
    keeps no log.
    """
    jar = getattr(root, '_p_jar', None)
    if jar is None:                     # not stored yet
        return False
    try:
        audit = jar.get_connection('audit')
    except KeyError:
        return False
    audit_root = audit.root()
    current = audit_root.get('auditlog')
    if current is not None and capacity(current) <= CAPACITY:
        return False
    log = AuditLog(LAYERS, LAYER_SIZE)
    if current is not None:
        newest = [entry for _generation, _index, entry in current.entries]
        for entry in newest[-CAPACITY:]:
            log.entries.push(entry)
    audit_root['auditlog'] = log
    return True
