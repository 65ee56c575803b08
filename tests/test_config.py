"""Settings, secrets and independent instances."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from casefile.config import load_or_create_secrets, prepare_settings
from conftest import REPO


def test_paths_default_relative_to_the_ini_and_var_dir_from_global_conf(
        tmp_path):
    settings = prepare_settings({'here': REPO, 'var_dir': str(tmp_path)},
                                {})
    assert settings['casefile.var_dir'] == str(tmp_path)
    assert settings['casefile.templates_dir'] == os.path.join(REPO,
                                                              'templates')
    assert settings['zodbconn.uri'].startswith('file://%s/Data.fs' % tmp_path)
    assert 'blobstorage_dir=%s/blobs' % tmp_path in settings['zodbconn.uri']
    for sub in ('blobs', 'index', 'tmp'):
        assert os.path.isdir(tmp_path / sub)


def test_secrets_are_generated_once_and_private(tmp_path):
    path = tmp_path / 'secrets.json'
    first = load_or_create_secrets(str(path))
    second = load_or_create_secrets(str(path))
    assert first == second and len(first['secret']) >= 32
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'


def test_environment_secret_wins(tmp_path, monkeypatch):
    monkeypatch.setenv('CASEFILE_SECRET', 'from-the-environment')
    settings = prepare_settings({'here': REPO, 'var_dir': str(tmp_path)},
                                {})
    assert settings['substanced.secret'] == 'from-the-environment'
    stored = json.loads((tmp_path / 'secrets.json').read_text())
    assert stored['secret'] != 'from-the-environment'


def test_the_ini_holds_no_secret():
    text = open(os.path.join(REPO, 'development.ini'), encoding='utf-8').read()
    assert 'substanced.secret' not in text
    assert 'initial_password' not in text


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_pserve_with_port_and_var_dir_runs_an_independent_instance(tmp_path):
    port = free_port()
    var = tmp_path / 'second'
    pserve = os.path.join(os.path.dirname(sys.executable), 'pserve')
    proc = subprocess.Popen(
        [pserve, os.path.join(REPO, 'development.ini'),
         'http_port=%d' % port, 'var_dir=%s' % var],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        deadline = time.time() + 60
        body = None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(
                        'http://127.0.0.1:%d/login' % port, timeout=2) as r:
                    body = r.read().decode('utf-8')
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None, proc.stdout.read1().decode()
        assert '鞍山市行政审批局' in body
        assert (var / 'Data.fs').exists()
        assert not (tmp_path / 'var').exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
