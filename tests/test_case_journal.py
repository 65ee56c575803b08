"""The case journal: append-only, hash-chained, edits are caught."""
import pytest
import transaction

from casefile.case.journal import Journal, JournalBrokenError


def test_entries_are_numbered_and_chained():
    journal = Journal()
    first = journal.record('case.created', 'clerk', target='AS-1')
    second = journal.record('material.added', 'clerk', target='m001')
    assert (first['seq'], second['seq']) == (1, 2)
    assert second['prev'] == first['hash']
    assert journal.verify() == 2


def test_editing_an_old_entry_is_caught_at_that_entry():
    journal = Journal()
    for i in range(5):
        journal.record('step', 'clerk', comment='step %d' % i)
    edited = dict(journal.entries[3])
    edited['actor'] = 'someone-else'
    journal.entries[3] = edited
    with pytest.raises(JournalBrokenError) as e:
        journal.verify()
    assert e.value.seq == 3


def test_rehashing_an_edited_entry_breaks_the_next_one():
    from casefile.case.journal import entry_hash
    journal = Journal()
    for i in range(4):
        journal.record('step', 'clerk', comment='step %d' % i)
    edited = dict(journal.entries[2], comment='rewritten')
    edited['hash'] = entry_hash(edited)
    journal.entries[2] = edited
    with pytest.raises(JournalBrokenError) as e:
        journal.verify()
    assert e.value.seq == 3


def test_removing_an_entry_is_caught():
    journal = Journal()
    for i in range(4):
        journal.record('step', 'clerk')
    del journal.entries[2]
    with pytest.raises(JournalBrokenError) as e:
        journal.verify()
    assert e.value.seq == 3


def test_an_edit_through_the_zodb_api_is_caught_after_commit(app):
    """Tampering via a ZODB connection (an insider with database access)."""
    db = app.registry._zodb_databases['']
    conn = db.open()
    try:
        root = conn.root()
        journal = root['test-journal'] = Journal()
        for i in range(3):
            journal.record('step', 'clerk', comment=str(i))
        transaction.commit()
        entry = journal.entries[1]
        entry['comment'] = 'changed in place'
        journal.entries._p_changed = True
        journal.entries[1] = entry
        transaction.commit()
    finally:
        conn.close()
    conn = db.open()
    try:
        with pytest.raises(JournalBrokenError) as e:
            conn.root()['test-journal'].verify()
        assert e.value.seq == 1
    finally:
        transaction.abort()
        conn.close()
