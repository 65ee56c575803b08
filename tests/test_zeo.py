"""Two casefile processes on one ZEO server (``make serve-zeo`` in small).

A ZEO server (``runzeo -C zeo.conf``, the configuration ``make serve-zeo``
writes) serves the case database with its blob directory and the audit
database; two ``pserve`` processes use it through ``zodbconn.uri =
zeo://...`` with the server's blob directory shared, and one search index
directory shared.  A case created through one process is seen, and its
material read with the right SHA-256, through the other, and the other way
round; and each process finds by search what the other created.
"""
import hashlib
import os
import shutil
import time
from urllib.parse import quote

import pytest

from serverproc import (
    ServerProcess, ZEOProcess, api_intake_body, api_json, api_login,
    api_upload, pdf_bytes, write_ini)

PHARMACY = 'M-01'


def _seed_zeo_dir(template_var_dir, zeo_dir):
    """The prepared test database becomes the ZEO server's storage (a
    first start over ZEO works too, but bcrypt-hashing the demo users
    again costs seconds)."""
    os.makedirs(zeo_dir)
    for name in ('Data.fs', 'audit.fs'):
        shutil.copy(os.path.join(template_var_dir, name),
                    os.path.join(zeo_dir, name))
    shutil.copytree(os.path.join(template_var_dir, 'blobs'),
                    os.path.join(zeo_dir, 'blobs'))


def _catalogue(var_dir):
    from ZODB import DB
    from ZODB.FileStorage import FileStorage
    from casefile.catalogue.store import current_catalogue
    db = DB(FileStorage(os.path.join(var_dir, 'Data.fs'), read_only=True))
    try:
        conn = db.open()
        return current_catalogue(conn.root()['app_root'])
    finally:
        db.close()


def _eventually(func, timeout=10):
    """ZEO invalidations reach the other process asynchronously (within
    milliseconds); a reader may need a moment before it sees a commit."""
    deadline = time.time() + timeout
    while True:
        result = func()
        if result or time.time() > deadline:
            return result
        time.sleep(0.1)


@pytest.fixture
def zeo_pair(tmp_path, template_var_dir):
    zeo_dir = str(tmp_path / 'zeo')
    _seed_zeo_dir(str(template_var_dir), zeo_dir)
    zeo = ZEOProcess(zeo_dir, str(tmp_path / 'runzeo.log'))
    index_dir = str(tmp_path / 'shared-index')
    apps = []
    try:
        zeo.start()
        settings = {'casefile.zeo_address': zeo.address,
                    'casefile.zeo_blob_dir': os.path.join(zeo_dir, 'blobs'),
                    'casefile.index_dir': index_dir}
        for name in ('a', 'b'):
            var = str(tmp_path / ('var-' + name))
            os.makedirs(var)
            ini = write_ini(str(tmp_path / (name + '.ini')), var, **settings)
            apps.append(ServerProcess(ini, str(tmp_path / (name + '.log'))))
        for app in apps:
            app.launch()
        for app in apps:
            app.wait_ready()
        yield apps, zeo_dir
    finally:
        for app in apps:
            app.stop()
        zeo.stop()


def test_a_case_made_in_one_process_is_seen_in_the_other(
        zeo_pair, template_var_dir):
    (a, b), zeo_dir = zeo_pair
    catalogue = _catalogue(str(template_var_dir))
    token_a, token_b = api_login(a.url), api_login(b.url)

    status, body = api_json(a.url + '/api/cases', 'POST', api_intake_body(
        catalogue, PHARMACY, '甲进程创建有限公司'), token=token_a)
    assert status == 201, body
    number = body['case_number']

    def seen_in_b():
        status, body = api_json(b.url + '/api/cases/' + number,
                                token=token_b)
        return body if status == 200 else None
    case = _eventually(seen_in_b)
    assert case, 'process b does not see the case made in a'
    assert case['applicant']['name'] == '甲进程创建有限公司'
    assert case['state'] == 'submitted'

    # a material uploaded through b is stored once (shared blob directory)
    # and read back through a with the same SHA-256
    code = [n.material.code for n in catalogue.merged_materials(PHARMACY)
            if 'pdf' in n.material.allowed_types][0]
    content = pdf_bytes('zeo-' + number)
    status, material = api_upload(b.url, token_b, number, code, 'a.pdf',
                                  content)
    assert status == 201, material

    def material_in_a():
        status, body = api_json(a.url + '/api/cases/' + number,
                                token=token_a)
        found = [m for m in body.get('materials', [])
                 if m['name'] == material['name']]
        return found[0] if found else None
    seen = _eventually(material_in_a)
    assert seen, 'process a does not see the material uploaded through b'
    assert seen['versions'][-1]['sha256'] == hashlib.sha256(
        content).hexdigest()
    blobs = [f for _d, _s, files in os.walk(os.path.join(zeo_dir, 'blobs'))
             for f in files if f.endswith('.blob')]
    assert blobs, 'the shared blob directory holds no blob'

    # the journal written through a and b is one intact chain
    status, body = api_json(a.url + '/api/cases/' + number, token=token_a)
    actions = [e['action'] for e in body['journal']]
    assert actions[0] == 'case.created' and 'material.added' in actions

    _search_in_both(a, b, token_a, token_b, number, catalogue)


def _search_in_both(a, b, token_a, token_b, number, catalogue):
    """Processes sharing one index directory find each other's cases."""
    status, body = api_json(b.url + '/api/cases', 'POST', api_intake_body(
        catalogue, PHARMACY, '乙进程创建有限公司'), token=token_b)
    assert status == 201, body
    other = body['case_number']
    for server, token, name, wanted in (
            (b, token_b, '甲进程创建有限公司', number),
            (a, token_a, '乙进程创建有限公司', other)):
        def found():
            status, body = api_json(
                server.url + '/api/search?q=' + quote(name), token=token)
            assert status == 200, body
            return wanted in [h['case_number'] for h in body['hits']]
        assert _eventually(found, 20), '%s not found by search in %s' % (
            wanted, server.url)


def test_zeo_address_gives_both_uris_and_an_explicit_uri_wins(tmp_path):
    from casefile.config import prepare_settings
    base = {'casefile.var_dir': str(tmp_path)}
    shared = prepare_settings({'zeo_address': '127.0.0.1:8100',
                               'zeo_blob_dir': '/srv/zeo/blobs'}, base)
    assert shared['zodbconn.uri'].startswith('zeo://127.0.0.1:8100?storage=1')
    assert 'blob_dir=/srv/zeo/blobs&shared_blob_dir=true' in \
        shared['zodbconn.uri']
    assert shared['zodbconn.uri.audit'] == \
        'zeo://127.0.0.1:8100?storage=audit'
    private = prepare_settings({}, dict(base, **{
        'casefile.zeo_address': '10.0.0.5:8100'}))
    assert 'blob_dir=%s/blobcache&shared_blob_dir=false' % tmp_path in \
        private['zodbconn.uri']
    explicit = prepare_settings({'zeo_address': '127.0.0.1:8100'}, dict(
        base, **{'zodbconn.uri': 'postgresql://x'}))
    assert explicit['zodbconn.uri'] == 'postgresql://x'
    plain = prepare_settings({}, base)
    assert plain['zodbconn.uri'].startswith('file://')
