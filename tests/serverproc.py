"""Real casefile (and ZEO) server processes for crash, ZEO and backup tests.

:mod:`live` serves the test's own app from a thread; the tests here need
what a thread cannot give: a process that can be killed with SIGKILL, and
several processes sharing one database.  Each :class:`ServerProcess` runs
``pserve`` on a small ini written by :func:`write_ini` (the test settings
of ``conftest.make_settings``, plus whatever the test overrides), logs to a
file, and is always stopped by the test's ``finally``.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_ini(path, var_dir, **settings):
    """An ini for ``pserve``/``casefile -c`` with the test settings."""
    sys.path.insert(0, os.path.join(REPO, 'tests'))
    from conftest import make_settings
    values = make_settings(var_dir, **settings)
    lines = ['[DEFAULT]', 'http_port = 6543', 'var_dir = %s' % var_dir, '',
             '[app:main]', 'use = egg:casefile']
    lines += ['%s = %s' % (k, str(v).replace('%', '%%'))
              for k, v in sorted(values.items())]
    lines += ['', '[server:main]', 'use = egg:casefile#waitress',
              'host = 127.0.0.1', 'threads = 4', '']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))
    return path


class ServerProcess:
    """``pserve INI http_port=PORT`` in its own process group."""

    def __init__(self, ini, log, port=None, env=None):
        self.ini = ini
        self.port = port or free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log = log
        self.env = dict(os.environ, **(env or {}))
        self.env.setdefault('CHAMELEON_CACHE', os.path.join(
            REPO, 'test-output', 'chameleon-cache'))
        self.proc = None

    def start(self, timeout=90):
        return self.launch().wait_ready(timeout)

    def launch(self):
        out = open(self.log, 'ab')
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'pserve'), self.ini,
             'http_port=%d' % self.port],
            stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=REPO,
            start_new_session=True)
        out.close()
        return self

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('server exited: %s' % self.tail())
            try:
                with urllib.request.urlopen(self.url + '/login',
                                            timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError('server did not start: %s' % self.tail())

    def kill(self):
        """SIGKILL: no clean shutdown, no commit finished, no file closed."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, n=3000):
        try:
            with open(self.log, 'rb') as f:
                return f.read()[-n:].decode('utf-8', 'replace')
        except OSError:
            return ''


class ZEOProcess:
    """``runzeo -C zeo.conf`` with a blob directory and the audit storage
    (STACK.md trap 10: ``runzeo -a/-f`` has no blobs)."""

    def __init__(self, directory, log, port=None):
        self.directory = directory
        self.port = port or free_port()
        self.address = '127.0.0.1:%d' % self.port
        self.log = log
        self.conf = os.path.join(directory, 'zeo.conf')
        self.proc = None

    def write_conf(self):
        from casefile.server import zeo_conf
        with open(self.conf, 'w', encoding='utf-8') as f:
            f.write(zeo_conf(self.directory, self.address))

    def start(self, timeout=30):
        os.makedirs(self.directory, exist_ok=True)
        self.write_conf()
        out = open(self.log, 'ab')
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'runzeo'), '-C', self.conf],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('runzeo exited: %s' % open(
                    self.log, errors='replace').read()[-2000:])
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('runzeo did not start')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def api_json(url, method='GET', body=None, token=None, headers=None,
             timeout=30, body_bytes=None):
    """``(status, parsed JSON or raw bytes)`` of one API call."""
    data = json.dumps(body).encode('utf-8') if body is not None else None
    if body_bytes is not None:
        data = body_bytes
    hdrs = {'Content-Type': 'application/json'} if data else {}
    if token:
        hdrs['Authorization'] = 'Bearer ' + token
    hdrs.update(headers or {})
    request = urllib.request.Request(url, data=data, method=method,
                                     headers=hdrs)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def api_login(base, login='clerk', password='demo-2026'):
    status, body = api_json(base + '/api/tokens', 'POST', {
        'login': login, 'password': password})
    assert status == 201, body
    return body['token']


def api_upload(base, token, number, material_code, filename, content,
               timeout=30):
    """``POST /api/cases/{number}/materials`` (multipart) with a token."""
    import uuid
    boundary = uuid.uuid4().hex
    body = ('--%s\r\nContent-Disposition: form-data; name="material_code"'
            '\r\n\r\n%s\r\n--%s\r\nContent-Disposition: form-data; '
            'name="file"; filename="%s"\r\nContent-Type: '
            'application/octet-stream\r\n\r\n' % (
                boundary, material_code, boundary, filename)).encode('utf-8')
    body += content + ('\r\n--%s--\r\n' % boundary).encode('utf-8')
    return api_json(base + '/api/cases/%s/materials' % number, 'POST',
                    token=token, timeout=timeout, headers={
                        'Content-Type': 'multipart/form-data; boundary='
                        + boundary}, body_bytes=body)


def api_intake_body(catalogue, code, name):
    """A complete, valid ``POST /api/cases`` body for application ``code``."""
    from casefile.case.intake import APPLICANT_KEYS
    from casefile.catalogue.forms import group_name
    from casehelpers import VALID_CODE, VALUES

    def value(field):
        if field.type == 'date':
            return '2026-12-01'
        if field.type == 'address':
            return {'district': '210302', 'detail': '二一九路18号'}
        if field.type == 'choice':
            return field.options[0]
        return VALUES[field.type]
    form = catalogue.merged_fields(code)
    body = {'application': code,
            'applicant': {'applicant_kind': 'company', 'name': name,
                          'identifier': VALID_CODE, 'contact': '张三',
                          'phone': '13904121234'},
            'form': {'shared': {f.field.key: value(f.field)
                                for f in form.shared
                                if f.field.key not in APPLICANT_KEYS}}}
    for group in form.per_item:
        body['form'][group_name(group.item)] = {
            f.key: value(f) for f in group.fields}
    return body


def pdf_bytes(seed, size=20000):
    """A small valid-looking PDF whose bytes (and SHA-256) depend on seed."""
    import random
    filler = random.Random(str(seed)).randbytes(size // 2 + 1).hex()
    return (b'%PDF-1.4\n%' + filler[:size].encode('ascii')
            + b'\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj'
            b'<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>'
            b'\n%%EOF\n')
