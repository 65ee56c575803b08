"""Substance D's audit log keeps the recent past, not 1,000 entries."""
import transaction
from substanced.audit import AuditLog
from substanced.util import get_auditlog

from casehelpers import make_case
from casefile.site.auditlog import CAPACITY, capacity, ensure_auditlog


def test_a_new_site_has_a_small_audit_log_that_records_events(root, app):
    log = get_auditlog(root)
    assert capacity(log) == CAPACITY == 100
    before = len(log)
    make_case(root, app.registry)
    assert len(get_auditlog(root)) > before


def test_the_log_keeps_only_the_newest_entries(root):
    log = get_auditlog(root)
    for n in range(CAPACITY + 40):
        log.add('Test', None, n=n)
    transaction.commit()
    payloads = [entry.payload for _g, _i, entry in get_auditlog(root).entries]
    assert len(payloads) <= CAPACITY
    assert '"n": %d' % (CAPACITY + 39) in payloads[-1]


def test_an_older_installations_large_log_is_replaced_keeping_its_newest(
        root, app):
    audit_root = root._p_jar.get_connection('audit').root()
    large = AuditLog()                      # Substance D's 10 x 100
    for n in range(250):
        large.add('Old', None, n=n)
    audit_root['auditlog'] = large
    transaction.commit()
    assert capacity(get_auditlog(root)) == 1000

    assert ensure_auditlog(root) is True
    transaction.commit()
    log = get_auditlog(root)
    assert capacity(log) == CAPACITY
    kept = [entry.payload for _g, _i, entry in log.entries]
    assert len(kept) == CAPACITY
    assert '"n": 150,' in kept[0] and '"n": 249,' in kept[-1]
    # once small, start-up leaves it alone
    assert ensure_auditlog(root) is False


def test_without_an_audit_database_there_is_nothing_to_do():
    """Without ``zodbconn.uri.audit`` Substance D keeps no log at all."""
    import ZODB
    from persistent.mapping import PersistentMapping
    db = ZODB.DB(None)
    tm = transaction.TransactionManager()
    conn = db.open(tm)
    try:
        conn.root()['app_root'] = site = PersistentMapping()
        tm.commit()
        assert ensure_auditlog(site) is False
        assert ensure_auditlog(PersistentMapping()) is False   # not stored
    finally:
        conn.close()
        db.close()
