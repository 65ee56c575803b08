"""Reading catalogue files with line numbers, and loading the demo catalogue."""
import pathlib
import shutil

import pytest

from casefile.catalogue.loader import (CatalogueError, Problem,
                                       check_catalogue, load_catalogue,
                                       read_catalogue)
from casefile.catalogue.yamlsource import (LineDict, LineList, parse_yaml,
                                           read_directory, read_yaml)

REPO = pathlib.Path(__file__).resolve().parent.parent
DEMO = REPO / 'schemas' / 'catalogue'
BASE = REPO / 'tests' / 'data' / 'catalogue_broken' / '_base'


# -- YAML with line numbers ------------------------------------------------

def test_mappings_remember_their_line_and_each_keys_line():
    data, problems = parse_yaml('# comment\n- code: A\n  name: 甲\n\n'
                                '- code: B\n  limits:\n    statutory: 3\n',
                                'x.yaml')
    assert problems == []
    assert isinstance(data, LineList) and data.line == 2
    first, second = data
    assert isinstance(first, LineDict)
    assert (first.line, first.line_of('name')) == (2, 3)
    assert second.line_of('limits') == 6
    assert second['limits'].line_of('statutory') == 7


def test_sequences_remember_the_line_of_each_element():
    data, _ = parse_yaml('items:\n  - A\n  # skipped\n  - B\nflow: [C, D]\n',
                         'x.yaml')
    assert data['items'].item_lines == [2, 4]
    assert data['flow'].line_of(1) == 5


def test_absent_key_falls_back_to_the_mapping_line():
    data, _ = parse_yaml('a: 1\nb:\n  c: 2\n', 'x.yaml')
    assert data['b'].line_of('missing') == 3


def test_parsed_values_are_still_plain_dicts_and_lists():
    data, _ = parse_yaml('a: [1, 2]\nb: {c: 2019-04-30}\n', 'x.yaml')
    assert data == {'a': [1, 2], 'b': {'c': __import__('datetime').date(2019, 4, 30)}}


def test_syntax_error_becomes_a_problem_at_its_line():
    data, problems = parse_yaml('a: 1\nb: [2, 3\nc: 4\n', 'x.yaml')
    assert data is None
    [problem] = problems
    assert (problem.file, problem.line) == ('x.yaml', 3)
    assert problem.message.startswith('YAML syntax error: ')
    assert 'starts on line 2' in problem.message


def test_bad_indentation_is_a_syntax_problem():
    _, [problem] = parse_yaml('- code: A\n   name: 甲\n  kind: x\n', 'x.yaml')
    assert problem.line == 2
    assert problem.message.startswith('YAML syntax error: mapping values are '
                                      'not allowed')


def test_key_given_twice_is_reported_with_both_lines():
    data, problems = parse_yaml('code: A\nname: 甲\nname: 乙\n', 'x.yaml')
    assert data['name'] == '乙'
    assert problems == [Problem('x.yaml', 3, "key 'name' is given twice in this "
                                             "mapping (first on line 2); the "
                                             "second would silently replace "
                                             "the first")]


def test_anchors_and_merge_keys_still_work():
    data, problems = parse_yaml('base: &b {form: copy, count: 1}\n'
                                'one: {<<: *b, count: 2}\n', 'x.yaml')
    assert problems == []     # overriding a merged key is not a duplicate
    assert data['one'] == {'form': 'copy', 'count': 2}


def test_unhashable_key_is_a_problem_not_a_crash():
    data, [problem] = parse_yaml('a: 1\n? [b, c]\n: 2\n', 'x.yaml')
    assert data is None
    assert problem.line == 2
    assert 'found an unhashable key' in problem.message


def test_empty_file_gives_no_data_and_no_problem():
    assert parse_yaml('# only a comment\n', 'x.yaml') == (None, [])


def test_non_utf8_file_is_a_problem(tmp_path):
    path = tmp_path / 'sections.yaml'
    path.write_bytes('- name: 市场准入科\n'.encode('gbk'))
    data, [problem] = read_yaml(path, 'sections.yaml')
    assert data is None
    assert (problem.file, problem.line) == ('sections.yaml', 1)
    assert problem.message.startswith('file is not UTF-8 text')


def test_problem_prints_as_file_line_message():
    assert str(Problem('items/a.yaml', 12, 'item X: bad')) == \
        'items/a.yaml:12: item X: bad'


# -- the directory -----------------------------------------------------------

def test_directory_lists_item_files_in_name_order(tmp_path):
    shutil.copytree(BASE, tmp_path / 'c')
    (tmp_path / 'c' / 'items' / 'a_first.yaml').write_text('[]\n')
    sources, problems = read_directory(tmp_path / 'c')
    assert problems == []
    assert [name for name, _ in sources.items] == ['items/a_first.yaml',
                                                   'items/base.yaml']


def test_unexpected_files_are_reported_but_other_files_ignored(tmp_path):
    shutil.copytree(BASE, tmp_path / 'c')
    (tmp_path / 'c' / 'notes.txt').write_text('ignored')
    (tmp_path / 'c' / 'items' / 'food.yml').write_text('[]\n')
    (tmp_path / 'c' / 'extra').mkdir()
    found = [str(p) for p in check_catalogue(tmp_path / 'c')]
    assert found == [
        "extra:1: unexpected file or directory 'extra': a catalogue holds "
        "catalogue.yaml, sections.yaml, materials.yaml, fields.yaml, "
        "matters.yaml, projects.yaml and items/*.yaml",
        "items/food.yml:1: unexpected file 'items/food.yml': items files end "
        "in .yaml"]


def test_not_a_directory_is_one_problem_and_no_exception(tmp_path):
    missing = tmp_path / 'nowhere'
    assert check_catalogue(missing) == [Problem(
        str(missing), 1, 'not a catalogue directory (it does not exist or is '
                         'not a directory)')]


def test_syntax_error_in_one_file_does_not_hide_problems_in_others(tmp_path):
    shutil.copytree(BASE, tmp_path / 'c')
    (tmp_path / 'c' / 'fields.yaml').write_text('- key: [\n')
    (tmp_path / 'c' / 'matters.yaml').write_text(
        '- code: M-01\n  name: 开办药店\n  items: [SC-001, SY-009]\n')
    found = check_catalogue(tmp_path / 'c')
    assert [(p.file, p.line) for p in found] == [('fields.yaml', 2),
                                                 ('matters.yaml', 3)]
    # references into the unreadable fields.yaml are not reported as unknown
    assert not any('field key' in p.message for p in found)


# -- loading -----------------------------------------------------------------

def test_demo_catalogue_has_no_problems():
    assert check_catalogue(DEMO) == []


def test_demo_catalogue_loads_with_its_metadata():
    catalogue = load_catalogue(DEMO)
    assert '演示数据' in catalogue.title
    assert catalogue.effective.isoformat() == '2019-04-30'
    assert '演示数据' in catalogue.notes


def test_two_loads_of_the_same_files_are_equal():
    first, second = load_catalogue(DEMO), load_catalogue(DEMO)
    assert first is not second
    assert first == second and hash(first) == hash(second)
    assert first.digest == second.digest and len(first.digest) == 64


def test_editing_a_file_changes_the_digest(tmp_path):
    shutil.copytree(DEMO, tmp_path / 'c')
    before = load_catalogue(tmp_path / 'c')
    path = tmp_path / 'c' / 'items' / 'food_drug.yaml'
    path.write_text(path.read_text(encoding='utf-8').replace(
        'limits: {statutory: 20, promised: 10}',
        'limits: {statutory: 20, promised: 8}', 1), encoding='utf-8')
    after = load_catalogue(tmp_path / 'c')
    assert after != before
    assert after.items['SY-001'].limits.promised == 8


def test_comments_and_layout_do_not_change_the_digest(tmp_path):
    shutil.copytree(DEMO, tmp_path / 'c')
    path = tmp_path / 'c' / 'sections.yaml'
    path.write_text('# reformatted\n\n' + path.read_text(encoding='utf-8')
                    .replace('  kind: approval\n', ''), encoding='utf-8')
    assert load_catalogue(tmp_path / 'c') == load_catalogue(DEMO)


def test_load_raises_catalogue_error_and_check_returns_the_same(tmp_path):
    shutil.copytree(BASE, tmp_path / 'c')
    (tmp_path / 'c' / 'matters.yaml').write_text('- code: M-01\n  items: []\n')
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(tmp_path / 'c')
    assert raised.value.problems == check_catalogue(tmp_path / 'c')
    assert [str(p) for p in raised.value.problems] == [
        "matters.yaml:1: matter M-01: missing required key 'name'",
        "matters.yaml:2: matter M-01: 'items' must list at least one entry"]


def test_read_catalogue_returns_catalogue_or_problems(tmp_path):
    catalogue, problems = read_catalogue(BASE)
    assert problems == [] and len(catalogue.items) == 2
    catalogue, problems = read_catalogue(tmp_path)
    assert catalogue is None and problems
