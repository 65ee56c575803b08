"""The ``casefile`` command, run as operators run it."""
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from casefile.cli import main
from conftest import REPO

INI = os.path.join(REPO, 'development.ini')


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, var_dir, *args):
    return runner.invoke(main, ['-c', INI, '-o', 'var_dir=%s' % var_dir]
                         + list(args), catch_exceptions=False)


def test_help_lists_the_subcommands(runner):
    result = runner.invoke(main, ['--help'])
    assert result.exit_code == 0
    for name in ('init', 'demo', 'shell', 'catalogue'):
        assert name in result.output


def test_init_creates_an_independent_database_and_prints_logins(
        runner, empty_var_dir):
    result = run(runner, empty_var_dir, 'init', '--demo')
    assert result.exit_code == 0, result.output
    assert 'clerk' in result.output and 'demo-2026' in result.output
    assert 'http://127.0.0.1:6543/' in result.output
    assert os.path.exists(os.path.join(empty_var_dir, 'Data.fs'))
    assert os.path.isdir(os.path.join(empty_var_dir, 'blobs'))
    assert os.path.isdir(os.path.join(empty_var_dir, 'index'))
    secrets = os.path.join(empty_var_dir, 'secrets.json')
    assert oct(os.stat(secrets).st_mode & 0o777) == '0o600'
    # idempotent
    again = run(runner, empty_var_dir, 'init')
    assert again.exit_code == 0
    assert 'unchanged' in again.output


def test_init_prints_the_port_given_on_the_command_line(runner,
                                                         empty_var_dir):
    result = runner.invoke(main, ['-c', INI, '-o', 'var_dir=%s'
                                  % empty_var_dir, '-o', 'http_port=7123',
                                  'init'], catch_exceptions=False)
    assert 'http://127.0.0.1:7123/' in result.output


def test_catalogue_check_passes_on_the_shipped_catalogue(runner):
    result = runner.invoke(main, ['catalogue', 'check',
                                  os.path.join(REPO, 'schemas', 'catalogue')])
    assert result.exit_code == 0, result.output
    assert 'OK' in result.output


def test_catalogue_check_accepts_the_schemas_folder(runner):
    result = runner.invoke(main, ['catalogue', 'check',
                                  os.path.join(REPO, 'schemas')])
    assert result.exit_code == 0, result.output
    assert os.path.join('schemas', 'catalogue') in result.output


def test_catalogue_check_fails_with_file_and_line(runner, tmp_path):
    broken = tmp_path / 'cat'
    import shutil
    shutil.copytree(os.path.join(REPO, 'schemas', 'catalogue'), broken)
    sections = broken / 'sections.yaml'
    text = sections.read_text(encoding='utf-8')
    sections.write_text(text.replace('code: food_drug', 'code: food_drug\n'
                                     '  colour: red', 1), encoding='utf-8')
    result = runner.invoke(main, ['catalogue', 'check', str(broken)])
    assert result.exit_code == 1
    assert 'sections.yaml:' in result.output
    assert 'colour' in result.output


def test_catalogue_list_json_has_the_documented_shape(runner, var_dir):
    result = run(runner, var_dir, 'catalogue', 'list', '--json')
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {'sections', 'items', 'matters', 'projects'}
    for key in ('sections', 'items', 'matters', 'projects'):
        assert all('code' in e and 'name' in e for e in data[key])
    assert any(m['name'] == '开办药店' for m in data['matters'])
    assert all(len(p['stages']) == 4 for p in data['projects'])
    assert len(data['items']) >= 25


def test_catalogue_load_creates_a_version_only_when_changed(runner, var_dir,
                                                           tmp_path):
    import shutil
    same = run(runner, var_dir, 'catalogue', 'load',
               os.path.join(REPO, 'schemas', 'catalogue'))
    assert 'unchanged' in same.output
    changed = tmp_path / 'cat'
    shutil.copytree(os.path.join(REPO, 'schemas', 'catalogue'), changed)
    catalogue_yaml = changed / 'catalogue.yaml'
    text = catalogue_yaml.read_text(encoding='utf-8')
    catalogue_yaml.write_text(text.replace('title:', 'title: 调整后 ', 1),
                              encoding='utf-8')
    result = run(runner, var_dir, 'catalogue', 'load', str(changed))
    assert result.exit_code == 0, result.output
    assert 'version 2' in result.output


def test_console_script_is_installed():
    exe = os.path.join(os.path.dirname(sys.executable), 'casefile')
    out = subprocess.run([exe, '--help'], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0
    assert 'catalogue' in out.stdout


def test_catalogue_check_prints_paths_an_editor_can_open(runner, tmp_path):
    import shutil
    base = os.path.join(REPO, 'tests', 'data', 'catalogue_broken', '_base')
    shutil.copytree(base, tmp_path / 'c')
    (tmp_path / 'c' / 'matters.yaml').write_text(
        '- code: M-01\n  name: 开办药店\n  items: [SC-009]\n')
    result = runner.invoke(main, ['catalogue', 'check', str(tmp_path / 'c')])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'c'}/matters.yaml:3: matter M-01: unknown item "
        f"'SC-009' in 'items': no item in items/*.yaml has this code (did "
        f"you mean 'SC-001'?)")


def test_documents_check_passes_on_the_shipped_templates(runner):
    result = runner.invoke(main, ['documents', 'check',
                                  os.path.join(REPO, 'templates',
                                               'documents')])
    assert result.exit_code == 0, result.output
    assert 'fine' in result.output


def test_documents_check_names_file_and_line(runner, tmp_path):
    import shutil
    broken = tmp_path / 'documents'
    shutil.copytree(os.path.join(REPO, 'templates', 'documents'), broken)
    path = broken / 'default.yaml'
    path.write_text(path.read_text(encoding='utf-8') +
                    '\nnonsense_key: 1\n', encoding='utf-8')
    result = runner.invoke(main, ['documents', 'check', str(broken)])
    assert result.exit_code == 1
    assert 'default.yaml:' in result.stderr
