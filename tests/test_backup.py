"""``casefile backup`` and ``casefile restore``: back up, change, restore,
compare everything.

Backups are taken while the app is open (repozo reads a live
FileStorage); the first is full, the next incremental; the restore goes
into a fresh ``var_dir`` and must give back exactly the state of the last
backup (cases, journals, material bytes, users, catalog), without what
came after it, and ``--date`` must give back the state of an earlier one.
"""
import datetime
import hashlib
import json
import os
import time

import pytest
from click.testing import CliRunner

from casehelpers import PDF_BYTES, create_case, upload, upload_required
from serverproc import write_ini


def _cli(*args):
    from casefile.cli import main
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def _open(var):
    from ZODB import DB
    from ZODB.FileStorage import FileStorage
    return DB(FileStorage(os.path.join(var, 'Data.fs'), read_only=True,
                          blob_dir=os.path.join(var, 'blobs')))


def snapshot(var):
    """Everything a restore must give back, in comparable form."""
    from substanced.util import find_catalog
    db = _open(var)
    conn = db.open()
    try:
        root = conn.root()['app_root']
        cases = {}
        for number in root['cases'].keys():
            case = root['cases'][number]
            case.journal.verify()
            materials = {}
            for name in case['materials'].keys():
                material = case['materials'][name]
                with material.current.open() as f:
                    materials[name] = (material.sha256, hashlib.sha256(
                        f.read()).hexdigest())
            cases[number] = {
                'state': case.state,
                'journal': [(e['seq'], e['action'], e['hash'])
                            for e in case.journal],
                'materials': materials}
        catalog = find_catalog(root, 'casefile')
        return {'cases': cases,
                'users': sorted(root['principals']['users'].keys()),
                'indexed': len(catalog['state'].eq('submitted').execute()),
                'catalogue': len(root['catalogue'])}
    finally:
        conn.close()
        db.close()


def test_backup_change_restore_gives_back_everything(
        tmp_path, var_dir, login, testapp):
    clerk = login('clerk')
    first = create_case(clerk).location
    upload_required(clerk, first, testapp)
    ini = write_ini(str(tmp_path / 'live.ini'), str(var_dir))
    dest = str(tmp_path / 'backup')

    result = _cli('-c', ini, 'backup', dest)
    assert result.exit_code == 0, result.output
    after_first = snapshot(str(var_dir))
    time.sleep(1.1)       # repozo names its files by the second

    second = create_case(clerk).location
    assert upload(clerk, second, 'extra.pdf', PDF_BYTES + b'%second\n',
                  'business_licence').status_int == 302
    result = _cli('-c', ini, 'backup', dest)
    assert result.exit_code == 0, result.output
    log = [json.loads(line) for line in open(os.path.join(
        dest, 'backups.log'), encoding='utf-8')]
    assert [entry['zodb'] for entry in log] == ['full', 'incremental']
    assert any(n.endswith('.deltafs') for n in os.listdir(
        os.path.join(dest, 'zodb')))
    expected = snapshot(str(var_dir))
    assert len(expected['cases']) == 2

    create_case(clerk)      # after the last backup: must not come back
    assert len(snapshot(str(var_dir))['cases']) == 3

    restored = tmp_path / 'restored'
    restored.mkdir()
    ini2 = write_ini(str(tmp_path / 'restored.ini'), str(restored))
    result = _cli('-c', ini2, 'restore', dest)
    assert result.exit_code == 0, result.output
    assert snapshot(str(restored)) == expected
    assert open(os.path.join(restored, 'secrets.json')).read() == open(
        os.path.join(var_dir, 'secrets.json')).read()
    result = _cli('-c', ini2, 'journal', 'verify')
    assert result.exit_code == 0, result.output

    # the restored installation starts and shows the cases
    from casefile import main
    from conftest import REPO, make_settings, sign_in
    import webtest
    app = main({'here': REPO}, **make_settings(restored))
    try:
        browser = sign_in(webtest.TestApp(app, extra_environ={
            'REMOTE_ADDR': '127.0.0.1'}), 'clerk')
        assert browser.get(second).status_int == 200
    finally:
        for db in app.registry._zodb_databases.values():
            db.close()

    # never over an existing database without --force
    result = _cli('-c', ini2, 'restore', dest)
    assert result.exit_code != 0
    assert 'exists' in result.output

    # an earlier state: the date of the first backup
    when = datetime.datetime.fromisoformat(log[0]['finished']).strftime(
        '%Y-%m-%d-%H-%M-%S')
    result = _cli('-c', ini2, 'restore', dest, '--force', '--date', when)
    assert result.exit_code == 0, result.output
    assert snapshot(str(restored))['cases'] == after_first['cases']


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    empty = tmp_path / 'nothing'
    empty.mkdir()
    var = tmp_path / 'var'
    var.mkdir()
    ini = write_ini(str(tmp_path / 'x.ini'), str(var))
    result = _cli('-c', ini, 'restore', str(empty))
    assert result.exit_code != 0
    assert 'no casefile backup' in result.output


@pytest.fixture(autouse=True)
def _utc_repozo(monkeypatch):
    monkeypatch.setenv('TZ', 'UTC')


def test_the_search_index_is_backed_up_from_where_the_ini_puts_it(
        tmp_path, var_dir):
    """``casefile.search_dir`` may lie outside var_dir (another disk):
    the backup takes the index from there and the restore puts it back
    there, not into var_dir/index."""
    outside = tmp_path / 'search-elsewhere'
    ini = write_ini(str(tmp_path / 'app.ini'), str(var_dir),
                    **{'casefile.search_dir': str(outside)})
    outside.mkdir()
    (outside / 'state.json').write_text('{"marker": "the live index"}')
    dest = str(tmp_path / 'backup')
    result = _cli('-c', ini, 'backup', dest)
    assert result.exit_code == 0, result.output
    assert json.load(open(os.path.join(dest, 'index', 'state.json'))) == {
        'marker': 'the live index'}
    restored = tmp_path / 'restored'
    restored.mkdir()
    elsewhere = tmp_path / 'restored-search'
    ini2 = write_ini(str(tmp_path / 'restored.ini'), str(restored),
                     **{'casefile.search_dir': str(elsewhere)})
    result = _cli('-c', ini2, 'restore', dest)
    assert result.exit_code == 0, result.output
    assert json.load(open(elsewhere / 'state.json')) == {
        'marker': 'the live index'}
    assert not (restored / 'index' / 'state.json').exists()
