"""Production settings: the example configuration works, secrets stay out
of the repository, and the deploy/ files name what exists."""
import configparser
import logging.config
import os

import pytest

from casefile.config import prepare_settings, read_secrets_file

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPO, 'production.ini.example')


def _example():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(EXAMPLE, encoding='utf-8')
    return parser


def _secrets(tmp_path, mode=0o600, text=None):
    path = tmp_path / 'secrets.env'
    path.write_text(text or '# casefile\nCASEFILE_SECRET="from-the-file"\n'
                    'CASEFILE_ADMIN_PASSWORD=file-admin-pw\n')
    os.chmod(path, mode)
    return str(path)


def test_the_example_gives_zeo_and_reads_the_secrets_file(tmp_path,
                                                          monkeypatch):
    monkeypatch.delenv('CASEFILE_SECRET', raising=False)
    monkeypatch.delenv('CASEFILE_ADMIN_PASSWORD', raising=False)
    parser = _example()
    settings = dict(parser['app:main'])
    settings['casefile.secrets_file'] = _secrets(tmp_path)
    settings['casefile.var_dir'] = str(tmp_path / 'var')
    defaults = dict(parser['DEFAULT'])
    settings = prepare_settings(defaults, settings)
    assert settings['zodbconn.uri'].startswith('zeo://127.0.0.1:8100?')
    assert 'shared_blob_dir=true' in settings['zodbconn.uri']
    assert settings['substanced.secret'] == 'from-the-file'
    assert settings['substanced.initial_password'] == 'file-admin-pw'
    assert settings['casefile.demo'] == 'false'
    assert settings['casefile.secure_cookies'] == 'true'
    # the environment wins over the file
    monkeypatch.setenv('CASEFILE_SECRET', 'from-the-environment')
    again = prepare_settings(defaults, dict(settings))
    assert again['substanced.secret'] == 'from-the-environment'


def test_a_secrets_file_others_can_read_is_refused(tmp_path):
    path = _secrets(tmp_path, mode=0o644)
    with pytest.raises(ValueError, match='chmod 600'):
        read_secrets_file(path)


def test_no_secret_in_the_example_or_the_development_ini():
    for name in ('production.ini.example', 'development.ini'):
        text = open(os.path.join(REPO, name), encoding='utf-8').read()
        for line in text.splitlines():
            if line.startswith('#'):
                continue
            assert not line.startswith('substanced.secret'), (name, line)
            assert not line.startswith('substanced.initial_password'), name


def test_the_example_server_and_logging_sections_are_valid(tmp_path):
    from waitress.adjustments import Adjustments
    parser = _example()
    server = {k: v for k, v in parser['server:main'].items()
              if k not in ('use', 'http_port', 'var_dir', 'zeo_address',
                           'zeo_blob_dir')}
    adjustments = Adjustments(port=0, **server)
    assert adjustments.threads == 4
    assert adjustments.trusted_proxy == '127.0.0.1'
    # the logging configuration loads, with the log folder moved to tmp
    text = open(EXAMPLE, encoding='utf-8').read().replace(
        '/srv/casefile/log', str(tmp_path))
    ini = tmp_path / 'p.ini'
    ini.write_text(text, encoding='utf-8')
    try:
        logging.config.fileConfig(str(ini), disable_existing_loggers=False)
        logging.getLogger('casefile.test').error('rotated later')
        assert 'rotated later' in (tmp_path / 'errors.log').read_text()
    finally:
        logging.config.dictConfig({'version': 1, 'incremental': False,
                                   'disable_existing_loggers': False})


def test_deploy_files_name_the_commands_that_exist():
    deploy = os.path.join(REPO, 'deploy')
    units = {n: open(os.path.join(deploy, n), encoding='utf-8').read()
             for n in os.listdir(deploy)}
    assert 'runzeo -C /srv/casefile/zeo/zeo.conf' in units[
        'casefile-zeo.service']
    assert 'pserve /etc/casefile/production.ini http_port=%i' in units[
        'casefile@.service']
    assert 'EnvironmentFile=/etc/casefile/secrets.env' in units[
        'casefile@.service']
    assert 'server 127.0.0.1:6543' in units['nginx.conf']
    from click.testing import CliRunner
    from casefile.cli import main
    for command in ('init', 'backup', 'restore', 'journal'):
        assert CliRunner().invoke(main, [command, '--help']).exit_code == 0
