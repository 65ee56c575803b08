"""``casefile journal verify``: an edited journal entry is caught and named."""
import os

import pytest
import transaction
import webtest
from click.testing import CliRunner

from casefile.cli import main
from casehelpers import create_case
from conftest import REPO, make_settings, sign_in

INI = os.path.join(REPO, 'development.ini')


def run(var_dir, *args):
    return CliRunner().invoke(
        main, ['-c', INI, '-o', 'var_dir=%s' % var_dir] + list(args),
        catch_exceptions=False)


@pytest.fixture
def two_cases(var_dir):
    """Two pharmacy cases in ``var_dir``; the app is closed again."""
    from casefile import main as make_app
    application = make_app({'here': REPO}, **make_settings(var_dir))
    try:
        testapp = webtest.TestApp(
            application, extra_environ={'REMOTE_ADDR': '127.0.0.1'})
        clerk = sign_in(testapp, 'clerk')
        numbers = []
        for _i in range(2):
            response = create_case(clerk)
            assert response.status_int == 302, response.text[:2000]
            numbers.append(response.location.rstrip('/').rsplit('/', 1)[-1])
    finally:
        for db in application.registry._zodb_databases.values():
            db.close()
    return numbers


def tamper(var_dir, number, seq, **changes):
    """Edit one journal entry directly through the ZODB API."""
    from ZODB import DB
    from ZODB.FileStorage import FileStorage
    storage = FileStorage(os.path.join(str(var_dir), 'Data.fs'),
                          blob_dir=os.path.join(str(var_dir), 'blobs'))
    db = DB(storage)
    try:
        conn = db.open()
        case = conn.root()['app_root']['cases'][number]
        entry = dict(case.journal.entries[seq])
        entry.update(changes)
        case.journal.entries[seq] = entry
        transaction.commit()
        conn.close()
    finally:
        db.close()


def test_intact_journals_pass(var_dir, two_cases):
    result = run(var_dir, 'journal', 'verify')
    assert result.exit_code == 0, result.output
    assert '2 journals intact' in result.output
    one = run(var_dir, 'journal', 'verify', two_cases[0])
    assert one.exit_code == 0, one.output
    assert '1 journals intact' in one.output


def test_an_edited_old_entry_is_caught_and_named(var_dir, two_cases):
    broken, intact = two_cases
    tamper(var_dir, broken, 1, actor='someone-else')
    result = run(var_dir, 'journal', 'verify')
    assert result.exit_code == 1, result.output
    assert ('%s: journal broken at entry 1: content does not match its hash'
            % broken) in result.output
    assert intact + ':' not in result.output
    assert '1 of 2 journals broken' in result.output
    single = run(var_dir, 'journal', 'verify', broken)
    assert single.exit_code == 1
    assert broken in single.output and 'entry 1' in single.output
    assert run(var_dir, 'journal', 'verify', intact).exit_code == 0


def test_an_unknown_case_is_an_error(var_dir):
    result = run(var_dir, 'journal', 'verify', 'AS-20000101-000001')
    assert result.exit_code != 0
    assert 'no case' in result.output
