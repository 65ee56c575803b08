"""The case life cycle on RelStorage with PostgreSQL (Debian's postgresql).

A throw-away PostgreSQL cluster (``initdb`` + ``pg_ctl``, a Unix socket in
the test's directory, no TCP port) holds the case database and the audit
database; the prepared test database is copied into them with
RelStorage's ``zodbconvert`` (the migration path from FileStorage or
ZEO), casefile opens them through ``zconfig://`` URIs, exactly as
production.ini.example shows, and runs a pharmacy case from intake to
completion.  Needs PostgreSQL's server
binaries (``apt-get install postgresql``; .ci/run installs them) and the
``relstorage`` extra; skipped with the reason when they are absent.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from casehelpers import open_db_case
from test_lifecycle import accepted, decide, inspect, step  # noqa: F401 (accepted: a fixture)


def _pg_bin():
    for pattern in ('/usr/lib/postgresql/*/bin',):
        for folder in sorted(glob.glob(pattern), reverse=True):
            if os.path.exists(os.path.join(folder, 'initdb')):
                return folder
    return None


PG_BIN = _pg_bin()

pytestmark = pytest.mark.skipif(
    PG_BIN is None, reason='PostgreSQL server binaries not installed')


def _as_postgres(cmd, **kw):
    """Run ``cmd``; PostgreSQL refuses to run as root, so use its user."""
    if os.geteuid() == 0:
        cmd = ['runuser', '-u', 'postgres', '--'] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kw)


@pytest.fixture
def postgres():
    """A PostgreSQL cluster of its own, reachable by Unix socket only."""
    pytest.importorskip('relstorage')
    pytest.importorskip('psycopg2')
    # outside pytest's tmp_path: that is private to root, and PostgreSQL
    # must run as its own user
    base = tempfile.mkdtemp(prefix='casefile-pg-')
    data, sock = os.path.join(base, 'data'), os.path.join(base, 'sock')
    os.mkdir(sock)
    if os.geteuid() == 0:
        for path in (base, sock):
            shutil.chown(path, 'postgres')
    pg_ctl = os.path.join(PG_BIN, 'pg_ctl')
    try:
        _as_postgres([os.path.join(PG_BIN, 'initdb'), '-D', data, '-U',
                      'casefile', '--auth=trust', '-E', 'UTF8',
                      '--no-sync'])
        options = ("-c listen_addresses='' -k %s -c fsync=off "
                   "-c full_page_writes=off" % sock)
        _as_postgres([pg_ctl, '-D', data, '-o', options, '-l',
                      os.path.join(base, 'pg.log'), '-w', 'start'])
        try:
            for name in ('casefile', 'casefile_audit'):
                _as_postgres([os.path.join(PG_BIN, 'createdb'), '-h', sock,
                              '-U', 'casefile', name])
            yield sock
        finally:
            _as_postgres([pg_ctl, '-D', data, '-m', 'immediate', '-w',
                          'stop'])
    finally:
        shutil.rmtree(base, ignore_errors=True)


RELSTORAGE_CONF = """\
%import relstorage
<zodb main>
  cache-size 20000
  <relstorage>
    blob-dir {blobs}
    shared-blob-dir true
    keep-history false
    <postgresql>
      dsn dbname='casefile' host='{sock}' user='casefile'
    </postgresql>
  </relstorage>
</zodb>
<zodb audit>
  <relstorage>
    keep-history false
    <postgresql>
      dsn dbname='casefile_audit' host='{sock}' user='casefile'
    </postgresql>
  </relstorage>
</zodb>
"""


CONVERT_CONF = """\
<filestorage source>
  path {source}/{name}
  {blob}
  read-only true
</filestorage>
<relstorage destination>
  {dest_blob}
  keep-history false
  <postgresql>
    dsn dbname='{db}' host='{sock}' user='casefile'
  </postgresql>
</relstorage>
"""


def zodbconvert(tmp_path, source, sock, var):
    """Copy the prepared FileStorage databases into PostgreSQL with
    RelStorage's ``zodbconvert``: the way an installation moves from
    FileStorage or ZEO to RelStorage (docs/deploy.md), and much faster
    here than a first start (bcrypt-hashing every demo user)."""
    for name, db, blob, dest_blob in (
            ('Data.fs', 'casefile', 'blob-dir %s/blobs' % source,
             'blob-dir %s/blobs\n  shared-blob-dir true' % var),
            ('audit.fs', 'casefile_audit', '', '')):
        conf = tmp_path / ('convert-%s.conf' % db)
        conf.write_text(CONVERT_CONF.format(
            source=source, name=name, blob=blob, dest_blob=dest_blob,
            db=db, sock=sock))
        subprocess.run([os.path.join(os.path.dirname(sys.executable),
                                     'zodbconvert'), str(conf)],
                       check=True, capture_output=True)


@pytest.fixture
def app_settings(tmp_path, postgres, template_var_dir):
    """conftest's settings with both databases on RelStorage, filled from
    the prepared test database."""
    from conftest import make_settings
    var = tmp_path / 'var'
    var.mkdir()
    zodbconvert(tmp_path, str(template_var_dir), postgres, var)
    conf = tmp_path / 'relstorage.conf'
    conf.write_text(RELSTORAGE_CONF.format(blobs=var / 'blobs',
                                           sock=postgres))
    return make_settings(var, **{
        'zodbconn.uri': 'zconfig://%s#main' % conf,
        'zodbconn.uri.audit': 'zconfig://%s#audit' % conf})


def test_a_pharmacy_case_from_intake_to_completion_on_postgresql(
        login, testapp, app, accepted):
    from relstorage.storage import RelStorage
    db = app.registry._zodb_databases['']
    assert isinstance(db.storage, RelStorage)
    url, number = accepted
    decide(login, url, 'SC-001', 'reviewer.market', 'head.market')
    assert inspect(login, url).status_int == 302
    decide(login, url, 'SY-001', 'reviewer.food', 'head.food')
    decide(login, url, 'SY-002', 'reviewer.food', 'head.food')
    decide(login, url, 'SY-003', 'reviewer.food', 'head.food', grant=False)
    issuer = login('issuer')
    response = step(issuer, url, '/do/issue', delivery='in_person',
                    recipient='张三')
    assert response.status_int == 302, response.text[:3000]
    conn, case = open_db_case(testapp, number)
    try:
        assert case.state == 'completed'
        assert case.outcome == {'granted': 3, 'denied': 1}
        case.journal.verify()
        for material in case['materials'].values():
            with material.current.open() as f:
                assert f.read(5) == b'%PDF-'
    finally:
        conn.close()

