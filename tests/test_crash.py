"""Crash safety: SIGKILL the real server in the middle of intake and uploads.

Four API clients create cases and upload materials as fast as the server
answers; after a few seconds of load the server process is killed with
SIGKILL (no shutdown, transactions in flight, files open).  The server
is started again on the same ``var_dir`` and we check that

- every request that was answered with success is fully there: the case
  (page and API), each acknowledged material readable with the SHA-256
  the client computed, and their journal entries, with intact chains;
- nothing half-done is visible: every case in the database has all its
  containers, a first ``case.created`` entry, is in the catalog, and every
  material's blob matches its recorded SHA-256 and journal entry;
- the restarted server takes new work;
- the search index reconciles: every acknowledged case is found through
  ``GET /api/search`` after the restart (the durable index queue catches
  up with what was committed but not yet indexed when the server died).

Bounded: about 4 s of load; the whole test takes well under a minute.
"""
import hashlib
import os
import shutil
import threading
import time

import pytest

from serverproc import (
    ServerProcess, api_intake_body, api_json, api_login, api_upload,
    pdf_bytes, write_ini)

PHARMACY = 'M-01'
CLIENTS = 4
LOAD_SECONDS = 4.0


def _pdf_materials(catalogue):
    return [n.material.code for n in catalogue.merged_materials(PHARMACY)
            if n.submitted_by_applicant
            and 'pdf' in n.material.allowed_types][:3]


def _open_db(var_dir):
    """The database as a restarted server sees it (read-only)."""
    from ZODB import DB
    from ZODB.FileStorage import FileStorage
    storage = FileStorage(os.path.join(var_dir, 'Data.fs'),
                          blob_dir=os.path.join(var_dir, 'blobs'),
                          read_only=True)
    return DB(storage)


def refused(status, body):
    """The JSON answer of a request the server gave up on (a conflict its
    retries did not get past): it promises that nothing was changed."""
    return status == 500 and isinstance(body, dict) and \
        body.get('error', {}).get('code') == 'server-error'


class Load:
    """Clients that remember exactly what the server acknowledged."""

    def __init__(self, base, catalogue):
        self.base = base
        self.catalogue = catalogue
        self.codes = _pdf_materials(catalogue)
        self.cases = {}        # number -> applicant name (201 answered)
        self.materials = {}    # (number, name) -> (code, sha256) (201)
        self.errors = []       # answers that were neither success nor cut
        # refused under contention (500 "nothing was changed" after the
        # retries): not acknowledged, and must leave no trace
        self.refused = []      # ('case', name) or ('material', number, code)
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def client(self, i):
        try:
            token = api_login(self.base)
        except Exception as e:  # noqa: BLE001 (reported below)
            self.errors.append('login: %r' % e)
            return
        n = 0
        while not self.stop.is_set():
            n += 1
            name = '崩溃测试%d号%03d有限公司' % (i, n)
            try:
                status, body = api_json(
                    self.base + '/api/cases', 'POST', api_intake_body(
                        self.catalogue, PHARMACY, name), token=token,
                    timeout=20)
            except OSError:
                return          # the server died under this request
            if refused(status, body):
                with self.lock:
                    self.refused.append(('case', name))
                continue
            if status != 201:
                self.errors.append((status, str(body)[:300]))
                return
            number = body['case_number']
            with self.lock:
                self.cases[number] = name
            for j, code in enumerate(self.codes):
                content = pdf_bytes('%s-%s-%d' % (number, code, j),
                                    size=30000 + 7000 * j)
                try:
                    status, body = api_upload(
                        self.base, token, number, code, '%s.pdf' % code,
                        content, timeout=20)
                except OSError:
                    return
                if refused(status, body):
                    with self.lock:
                        self.refused.append(('material', number, code))
                    continue
                if status != 201:
                    self.errors.append((status, str(body)[:300]))
                    return
                with self.lock:
                    self.materials[(number, body['name'])] = (
                        code, hashlib.sha256(content).hexdigest())


def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path,
                                                       template_var_dir):
    from casefile.catalogue.store import current_catalogue
    var = str(tmp_path / 'var')
    shutil.copytree(template_var_dir, var)
    ini = write_ini(str(tmp_path / 'crash.ini'), var)
    server = ServerProcess(ini, str(tmp_path / 'server.log'))
    db = _open_db(var)
    conn = db.open()
    catalogue = current_catalogue(conn.root()['app_root'])
    conn.close()
    db.close()
    load = Load(None, catalogue)
    assert load.codes, 'M-01 names no PDF material'
    try:
        server.start()
        load.base = server.url
        threads = [threading.Thread(target=load.client, args=(i,))
                   for i in range(CLIENTS)]
        for t in threads:
            t.start()
        started = time.time()
        while (time.time() - started < LOAD_SECONDS
               or len(load.materials) < 3) and time.time() - started < 30:
            time.sleep(0.05)
        server.kill()           # in the middle: requests are in flight
        load.stop.set()
        for t in threads:
            t.join(30)
        assert not load.errors, load.errors
        assert load.cases and load.materials

        # -- restart on the same files -----------------------------------------------
        server.start()
        token = api_login(server.url)
        for number, name in load.cases.items():
            status, body = api_json(server.url + '/api/cases/' + number,
                                    token=token)
            assert status == 200, (number, body)
            assert body['applicant']['name'] == name
            listed = {m['name']: m for m in body['materials']}
            for (n, mname), (code, sha) in load.materials.items():
                if n == number:
                    assert listed[mname]['material_code'] == code
        # the restarted server takes new work
        status, body = api_json(server.url + '/api/cases', 'POST',
                                api_intake_body(catalogue, PHARMACY,
                                                '重启之后有限公司'),
                                token=token)
        assert status == 201, body
        _search_reconciles(server.url, token, load.cases)
    finally:
        server.stop()
    _check_database(var, load)


def _search_reconciles(base, token, cases):
    """Every acknowledged case is found by search after the restart."""
    missing = dict(cases)
    deadline = time.time() + 20
    while missing and time.time() < deadline:
        for number in list(missing):
            status, body = api_json(
                base + '/api/search?q=' + urllib_quote(missing[number]),
                token=token)
            assert status == 200, body
            if number in [h['case_number'] for h in body['hits']]:
                del missing[number]
        if missing:
            time.sleep(0.5)
    assert not missing, 'not found by search after restart: %s' % missing


def urllib_quote(text):
    from urllib.parse import quote
    return quote(text)


def _check_database(var, load):
    from substanced.util import find_catalog
    from casefile.case.model import SUBCONTAINERS, CaseContainer
    db = _open_db(var)
    conn = db.open()
    try:
        root = conn.root()['app_root']
        cases = root['cases']
        catalog = find_catalog(root, 'casefile')
        indexed = set(catalog['state'].eq('submitted').execute().ids)
        for number in load.cases:
            assert number in cases, 'acknowledged case %s lost' % number
        for (number, name), (code, sha) in load.materials.items():
            material = cases[number]['materials'][name]
            assert material.material_code == code
            with material.current.open() as f:
                assert hashlib.sha256(f.read()).hexdigest() == sha
        # a refused request left nothing behind
        names = {cases[n].applicant.get('name') for n in cases.keys()}
        for refusal in load.refused:
            if refusal[0] == 'case':
                assert refusal[1] not in names, refusal
            else:
                _kind, number, code = refusal
                assert code not in {
                    m.material_code
                    for m in cases[number]['materials'].values()}, refusal
        # nothing half-done: every case there is whole and consistent
        for number in cases.keys():
            case = cases[number]
            entries = list(case.journal)
            case.journal.verify()
            assert entries[0]['action'] == 'case.created'
            # sub-containers come with their first record: present and
            # whole, or absent
            for sub, _title in SUBCONTAINERS:
                container = case.get(sub)
                assert container is None or isinstance(
                    container, CaseContainer), (number, sub)
            assert case.__oid__ in indexed, '%s is not in the catalog' % number
            added = {e['target']: e['data']['sha256'] for e in entries
                     if e['action'] == 'material.added'}
            assert sorted(added) == sorted(case['materials'].keys())
            for mname in case['materials'].keys():
                material = case['materials'][mname]
                with material.current.open() as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                assert digest == material.sha256 == added[mname]
    finally:
        conn.close()
        db.close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ('http_proxy', 'HTTP_PROXY', 'no_proxy'):
        monkeypatch.delenv(name, raising=False)
