"""The archive number scheme file and the checksums, without a database."""
import hashlib
import os

import pytest
from click.testing import CliRunner

from conftest import REPO

from casefile.archive.hashing import GmsslSM3, digest_file, new_sm3
from casefile.archive.scheme import load_scheme, parse_scheme

GOOD = '''fonds: "A037"
pattern: "{fonds}-{year}-{retention}-{sequence:04d}"
retention_codes:
  permanent: Y
  30y: D30
  10y: D10
'''


def test_the_shipped_scheme_makes_the_default_numbers():
    scheme = load_scheme(os.path.join(REPO, 'schemas', 'archive.yaml'))
    assert scheme.number(2026, 'permanent', 12) == 'A037-2026-Y-0012'
    assert scheme.number(2026, '30y', 1) == 'A037-2026-D30-0001'
    assert scheme.counter_key(2026, '10y') == 'archive:A037:2026:D10'


@pytest.mark.parametrize('text, line, words', [
    (GOOD.replace('fonds: "A037"', 'fonds: ""'), 1, "'fonds'"),
    (GOOD.replace('-{sequence:04d}', ''), 2, 'needs {sequence}'),
    (GOOD.replace('{year}', '{yaer}'), 2, 'unknown placeholder {yaer}'),
    (GOOD.replace('{sequence:04d}', '{sequence:zz}'), 2, 'cannot be filled'),
    (GOOD.replace('-{retention}-', '/{retention}/'), 2, '"/"'),
    (GOOD.replace('  10y: D10\n', ''), 3, "'10y' has no code"),
    (GOOD.replace('  10y: D10', '  10y: D30'), 6, 'used for both'),
    (GOOD.replace('  10y: D10', '  20y: D20'), 6, "unknown retention"),
    (GOOD + 'fond: x\n', 7, "unknown key 'fond'"),
    (GOOD.replace('fonds: "A037"\n', ''), 1, "missing key 'fonds'"),
    ('fonds: [\n', 2, 'YAML syntax error'),
    ('', 1, 'empty'),
])
def test_a_broken_scheme_is_refused_with_its_line(text, line, words):
    scheme, problems = parse_scheme(text, 'archive.yaml')
    assert scheme is None
    assert any(p.line == line and words in p.message and
               p.file == 'archive.yaml' for p in problems), \
        [str(p) for p in problems]


def test_archive_check_names_file_and_line(tmp_path):
    from casefile.cli import main
    path = tmp_path / 'archive.yaml'
    path.write_text(GOOD.replace('{year}', '{yaer}'), encoding='utf-8')
    result = CliRunner().invoke(main, ['archive', 'check', str(path)])
    assert result.exit_code == 1
    assert '%s:2: unknown placeholder {yaer}' % path in result.output
    path.write_text(GOOD, encoding='utf-8')
    result = CliRunner().invoke(main, ['archive', 'check', str(path)])
    assert result.exit_code == 0 and 'A037-' in result.output


def test_sm3_gives_the_standards_test_vectors():
    # GB/T 32905-2016, appendix A
    abc = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
    abcd = 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732'
    for make in (new_sm3, GmsslSM3):
        h = make()
        h.update(b'abc')
        assert h.hexdigest() == abc
        h = make()
        for _i in range(16):
            h.update(b'abcd')     # streamed in pieces
        assert h.hexdigest() == abcd


def test_digests_are_streamed_over_the_whole_file(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)
    path = tmp_path / 'x.bin'
    path.write_bytes(data)
    with open(path, 'rb') as f:
        result = digest_file(f, chunk=1 << 16)
    assert result['sha256'] == hashlib.sha256(data).hexdigest()
    assert result['size'] == len(data)
    g = GmsslSM3()
    g.update(data[:100000])
    h = new_sm3()
    h.update(data[:100000])
    assert g.hexdigest() == h.hexdigest()
