"""The archive package of an archived 开办药店 case: exported by the
command line, verified; one changed byte, a missing or an added file in
any place makes ``verify`` fail and name the file."""
import os
import xml.etree.ElementTree as ET
import zipfile

import pytest
from click.testing import CliRunner

from archivehelpers import archive, complete
from conftest import REPO
from test_lifecycle import accepted  # noqa: F401  (fixture)

from casefile.archive.package import load_public_key, verify_package
from casefile.cli import main

INI = os.path.join(REPO, 'development.ini')


def rewrite(src, dst, change=None, drop=None, add=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in zin.infolist():
            if info.filename == drop:
                continue
            data = zin.read(info.filename)
            if info.filename == change:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0x01]) + \
                    data[middle + 1:]
            zout.writestr(info, data)
        if add:
            zout.writestr(add, b'not part of the archive\n')


@pytest.fixture
def package(login, testapp, accepted, tmp_path, app_settings):
    url, number = accepted
    complete(login, url)
    assert archive(login, number)[1].status_int == 302
    for db in testapp.app.registry._zodb_databases.values():
        db.close()      # the command line opens the database itself
    out = tmp_path / 'package.zip'
    runner = CliRunner()
    result = runner.invoke(main, ['-c', INI, '-o', 'var_dir=%s'
                                  % app_settings['casefile.var_dir'],
                                  'archive', 'export', number, '--out',
                                  str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, app_settings


def cli_verify(settings, path):
    return CliRunner().invoke(main, [
        '-c', INI, '-o', 'var_dir=%s' % settings['casefile.var_dir'],
        'archive', 'verify', str(path)], catch_exceptions=False)


def test_the_package_has_every_part_and_verifies(package):
    path, settings = package
    result = cli_verify(settings, path)
    assert result.exit_code == 0, result.output
    assert 'intact' in result.output
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for part in ('metadata.xml', 'file-index.pdf', 'reading.pdf',
                     'manifest-sha256.txt', 'manifest-sm3.txt',
                     'manifest.sig'):
            assert part in names
        records = [n for n in names if n.startswith('records/')]
        metadata = ET.fromstring(zf.read('metadata.xml'))
        sha = zf.read('manifest-sha256.txt').decode()
        sm3 = zf.read('manifest-sm3.txt').decode()
        reading = zf.read('reading.pdf')
    assert any(n.endswith('.jsonl') for n in records)
    listed = [r.findtext('file') for r in metadata.iter('record')]
    assert listed == records          # the file index order, every record
    assert metadata.findtext('archivalDescription/retention') == '30年'
    assert metadata.find('applicant/name').text == '鞍山市康宁大药房有限公司'
    assert len(metadata.findall('items/item')) == 4
    for record in metadata.iter('record'):
        algorithms = {c.get('algorithm') for c in record.iter('checksum')}
        assert algorithms == {'SHA-256', 'SM3'}
        assert record.findtext('title') and record.findtext('date')
    assert len(sha.splitlines()) == len(sm3.splitlines()) == \
        len(names) - 3
    from pypdf import PdfReader
    import io
    pages = len(PdfReader(io.BytesIO(reading)).pages)
    assert pages > len(records)   # index + every record at least one page


def test_bulk_export_for_the_archives_authority(package, tmp_path):
    path, settings = package
    out = tmp_path / 'transfer'
    args = ['-c', INI, '-o', 'var_dir=%s' % settings['casefile.var_dir'],
            'archive', 'export', '--all', '--out', str(out)]
    result = CliRunner().invoke(main, args + ['--since', '2000-01-01'],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '1 archive packages' in result.output
    [written] = os.listdir(out)
    assert written.startswith('A037-') and written.endswith('.zip')
    assert cli_verify(settings, out / written).exit_code == 0
    result = CliRunner().invoke(main, args[:-1] + [str(tmp_path / 'later'),
                                                   '--since', '2999-01-01'],
                                catch_exceptions=False)
    assert '0 archive packages' in result.output


def test_any_changed_missing_or_added_file_is_named(package, tmp_path):
    path, settings = package
    key = load_public_key(settings)
    assert verify_package(path, key) == []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    bad = tmp_path / 'bad.zip'
    for name in names:
        rewrite(path, bad, change=name)
        problems = verify_package(bad, key)
        assert any(p.kind == 'changed' and p.path == name
                   for p in problems), (name, [str(p) for p in problems])
        rewrite(path, bad, drop=name)
        problems = verify_package(bad, key)
        assert any(p.kind == 'missing' and p.path == name
                   for p in problems), (name, [str(p) for p in problems])
    rewrite(path, bad, add='records/9999-extra.pdf')
    problems = verify_package(bad, key)
    assert [str(p) for p in problems] == ['added: records/9999-extra.pdf']
    # the command exits non-zero and names the file
    record = [n for n in names if n.startswith('records/')][3]
    rewrite(path, bad, change=record)
    result = cli_verify(settings, bad)
    assert result.exit_code == 1
    assert 'changed: %s' % record in result.output
