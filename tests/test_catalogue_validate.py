"""The validator: every rule, shown by a broken catalogue, at file and line.

Each directory under ``tests/data/catalogue_broken/`` (except ``_base``) is an
overlay: it is copied over the minimal valid catalogue in ``_base`` and must
produce exactly the problems listed here -- right file, right line, clear
message, and no follow-on noise.
"""
import pathlib
import shutil
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.catalogue.loader import (CatalogueError, check_catalogue,
                                       load_catalogue)

BROKEN = pathlib.Path(__file__).parent / 'data' / 'catalogue_broken'


def overlay(name, tmp_path):
    """The base catalogue with the fixture ``name`` copied over it."""
    target = tmp_path / 'catalogue'
    shutil.copytree(BROKEN / '_base', target)
    if name is not None:
        shutil.copytree(BROKEN / name, target, dirs_exist_ok=True)
    return target


def problems_of(path):
    return [(p.file, p.line, p.message) for p in check_catalogue(path)]


# fixture directory -> the problems it must produce: (file, line, message)
RULES = [
    ('choice_without_options', [
        ('fields.yaml', 9,
         "field company_type: a 'choice' field needs 'options' (the "
         'list of choices)'),
    ]),
    ('duplicate_field_key', [
        ('fields.yaml', 7,
         "field applicant_name: duplicate field key 'applicant_name': "
         'already defined at fields.yaml:1'),
    ]),
    ('duplicate_item_code', [
        ('items/broken.yaml', 8,
         "item SC-001: duplicate item code 'SC-001': already defined "
         'at items/base.yaml:1'),
    ]),
    ('duplicate_material_code', [
        ('materials.yaml', 9,
         "material floor_plan: duplicate material code 'floor_plan': "
         'already defined at materials.yaml:6'),
    ]),
    ('duplicate_matter_code', [
        ('matters.yaml', 4,
         "matter M-01: duplicate matter, project or stage code 'M-01':"
         ' already defined at matters.yaml:1'),
    ]),
    ('duplicate_section_code', [
        ('sections.yaml', 5,
         "section market_entry: duplicate section code 'market_entry':"
         ' already defined at sections.yaml:1'),
    ]),
    ('duplicate_stage_code', [
        ('projects.yaml', 15,
         'project P-2 stage P-1-3: duplicate matter, project or stage '
         "code 'P-1-3': already defined at projects.yaml:7"),
    ]),
    ('effective_not_a_date', [
        ('catalogue.yaml', 2,
         "catalogue: 'effective' must be a date written YYYY-MM-DD; "
         "found '2019年4月30日'"),
    ]),
    ('expert_review_without_speciality', [
        ('items/broken.yaml', 9,
         "item SY-002 expert_review: missing required key 'speciality'"),
    ]),
    ('fee_without_amount', [
        ('items/broken.yaml', 9,
         "item SY-002 fee: a charged item needs 'amount' (yuan)"),
        ('items/broken.yaml', 9, "item SY-002 fee: missing required key 'basis'"),
    ]),
    ('inline_field_clash', [
        ('items/broken.yaml', 10,
         "item SY-002: inline field 'business_address' clashes with "
         "the shared field 'business_address' at fields.yaml:4; write "
         'just the key to reuse it, or choose another key'),
    ]),
    ('inline_field_differs', [
        ('items/broken.yaml', 17,
         "item SY-003: inline field 'manager' differs from the one of "
         'item SY-002 at items/broken.yaml:9; move one definition to '
         'fields.yaml or choose another key'),
    ]),
    ('inspection_without_points', [
        ('items/broken.yaml', 9,
         "item SY-002 inspection: a required inspection needs 'points'"
         ' (勘验要点: what the inspector checks on site)'),
    ]),
    ('licence_without_certificate', [
        ('items/broken.yaml', 1,
         "item SY-002: a licence needs 'certificate' (the name of the "
         'document a grant produces, e.g. 药品经营许可证)'),
    ]),
    ('limit_not_a_number', [
        ('items/broken.yaml', 7,
         "item SY-002 limits: 'statutory' must be a whole number; "
         "found '二十'"),
    ]),
    ('material_issued_by_unknown_item', [
        ('materials.yaml', 5,
         "material business_licence: unknown item 'SC-01' in "
         "'issued_by': no item in items/*.yaml has this code (did you "
         "mean 'SC-001'?)"),
    ]),
    ('matter_item_twice', [
        ('matters.yaml', 6, "matter M-01: item 'SC-001' is listed twice in 'items'"),
    ]),
    ('matter_no_items', [
        ('matters.yaml', 6, "matter M-02: 'items' must list at least one entry"),
    ]),
    ('matter_unknown_item', [
        ('matters.yaml', 6,
         "matter M-01: unknown item 'SY-009' in 'items': no item in "
         "items/*.yaml has this code (did you mean 'SY-001'?)"),
    ]),
    ('matter_unknown_lead_section', [
        ('matters.yaml', 4,
         "matter M-01: unknown section 'food_and_drug' in "
         "'lead_section': no section in sections.yaml has this code "
         "(did you mean 'food_drug'?)"),
    ]),
    ('missing_limit', [
        ('items/broken.yaml', 7,
         "item SY-002 limits: missing required key 'promised'"),
    ]),
    ('missing_limits', [
        ('items/broken.yaml', 1, "item SY-002: missing required key 'limits'"),
    ]),
    ('missing_required_key', [
        ('items/broken.yaml', 1, "item SY-002: missing required key 'name'"),
    ]),
    ('non_positive_limit', [
        ('items/broken.yaml', 7,
         "item SY-002 limits: 'statutory' must be at least 1; found 0"),
        ('items/broken.yaml', 8,
         "item SY-002 limits: 'promised' must be at least 1; found -1"),
    ]),
    ('not_a_list', [
        ('sections.yaml', 1,
         'expected a list of sections (entries starting with "- '
         'code:"); found a mapping'),
    ]),
    ('prerequisite_cycle', [
        ('items/broken.yaml', 7,
         'item X-001: prerequisite cycle X-001 → X-003 → X-002 → X-001'
         ' (each needs the next): none of these items could ever start'),
        ('items/broken.yaml', 28,
         'item X-004: X-004 lists itself as a prerequisite: it could '
         'never start'),
    ]),
    ('project_missing_stage', [
        ('projects.yaml', 4,
         'project P-1: missing stage 施工许可; a project has the stages '
         '立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收'),
    ]),
    ('project_stage_order', [
        ('projects.yaml', 6,
         "project P-1: stage '施工许可' is out of order at position 2; the"
         ' stages must be 立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收'),
    ]),
    ('project_unknown_kind', [
        ('projects.yaml', 3,
         "project P-1: 'kind' is 'factory'; expected one of "
         'industrial, real_estate'),
    ]),
    ('project_unknown_stage_name', [
        ('projects.yaml', 8,
         "project P-1 stage P-1-4: '竣工验收阶段' is not a stage name; "
         'expected one of 立项用地规划许可, 工程建设许可, 施工许可, 竣工验收'),
    ]),
    ('promised_over_statutory', [
        ('items/broken.yaml', 8,
         'item SY-002 limits: promised limit 15 is longer than the '
         'statutory limit 10; the bureau may only promise the same or '
         'fewer working days'),
    ]),
    ('stage_code_same_as_matter', [
        ('projects.yaml', 5,
         'project P-1 stage M-01: duplicate matter, project or stage '
         "code 'M-01': already defined at matters.yaml:1"),
    ]),
    ('unexpected_file', [
        ('matter.yaml', 1,
         "unexpected file or directory 'matter.yaml': a catalogue "
         'holds catalogue.yaml, sections.yaml, materials.yaml, '
         'fields.yaml, matters.yaml, projects.yaml and items/*.yaml'),
    ]),
    ('unknown_allowed_type', [
        ('materials.yaml', 11,
         "material floor_plan: allowed type 'dwg' is not one of pdf, "
         'jpg, png, docx, doc, xlsx'),
    ]),
    ('unknown_field_key', [
        ('items/broken.yaml', 10,
         "item SY-002: unknown field key 'business_adress' in "
         "'fields': not in fields.yaml; define it there or inline here"
         " with its type (did you mean 'business_address'?)"),
    ]),
    ('unknown_field_type', [
        ('fields.yaml', 6,
         "field business_address: 'type' is 'string'; expected one of "
         'text, textarea, credit_code, id_number, phone, date, area, '
         'money, integer, choice, address, boolean'),
    ]),
    ('unknown_item_kind', [
        ('items/broken.yaml', 3,
         "item SY-002: 'kind' is 'permit'; expected one of licence, "
         'filing, other'),
    ]),
    ('unknown_key', [
        ('items/broken.yaml', 4,
         "item SY-002: unknown key 'legal_bases'; did you mean "
         "'legal_basis'?"),
    ]),
    ('unknown_material', [
        ('items/broken.yaml', 10,
         "item SY-002: unknown material 'health_certificates' in "
         "'materials': no material in materials.yaml has this code"),
    ]),
    ('unknown_material_form', [
        ('materials.yaml', 8,
         "material floor_plan: 'form' is 'scan'; expected one of "
         'original, copy, original_and_copy'),
    ]),
    ('unknown_prerequisite', [
        ('items/broken.yaml', 10,
         "item SY-002: unknown item 'SC-009' in 'prerequisites': no "
         "item in items/*.yaml has this code (did you mean 'SC-001'?)"),
    ]),
    ('unknown_retention', [
        ('items/broken.yaml', 8,
         "item SY-002: 'retention' is '20y'; expected one of "
         'permanent, 30y, 10y'),
    ]),
    ('unknown_section', [
        ('items/broken.yaml', 5,
         "item SY-002: unknown section 'food_drugs': no section in "
         "sections.yaml has this code (did you mean 'food_drug'?)"),
    ]),
    ('unknown_section_kind', [
        ('sections.yaml', 5,
         "section food_drug: 'kind' is 'review'; expected one of "
         'approval, coordination, inspection, policy, platform, '
         'service_centre'),
    ]),
    ('yaml_duplicate_key', [
        ('items/broken.yaml', 7,
         "key 'name' is given twice in this mapping (first on line 2);"
         ' the second would silently replace the first'),
    ]),
]


@pytest.mark.parametrize('fixture, expected', RULES,
                         ids=[fixture for fixture, _ in RULES])
def test_broken_fixture_reports_exactly_its_problems_at_file_and_line(
        fixture, expected, tmp_path):
    assert problems_of(overlay(fixture, tmp_path)) == expected


def test_every_fixture_directory_is_covered_by_a_test():
    tested = {fixture for fixture, _ in RULES} | {
        'many_problems', 'ok_prerequisite_listed_later', 'yaml_syntax_error'}
    present = {p.name for p in BROKEN.iterdir()
               if p.is_dir() and not p.name.startswith('_')}
    assert present == tested


def test_yaml_syntax_error_is_reported_where_the_parser_stopped(tmp_path):
    [(file, line, message)] = problems_of(overlay('yaml_syntax_error', tmp_path))
    assert (file, line) == ('items/broken.yaml', 5)
    # the wording between differs between libyaml and pure-Python PyYAML
    assert message.startswith("YAML syntax error: ")
    assert message.endswith("(while parsing a flow sequence that starts on "
                            "line 4)")


def test_base_fixture_is_valid(tmp_path):
    assert check_catalogue(overlay(None, tmp_path)) == []


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    found = problems_of(overlay('many_problems', tmp_path))
    assert [(file, line) for file, line, _ in found] == [
        ('items/broken.yaml', 5), ('items/broken.yaml', 6),
        ('items/broken.yaml', 8), ('items/broken.yaml', 9),
        ('items/broken.yaml', 10), ('items/broken.yaml', 14),
        ('matters.yaml', 3)]
    messages = '\n'.join(message for _, _, message in found)
    for fragment in ("unknown section 'food'", 'promised limit 15',
                     "unknown material 'health_certificates'",
                     "item SY-003: missing required key 'name'",
                     "'kind' is 'registration'", "unknown item 'SY-009'",
                     "unknown item 'SY-004' in 'items'"):
        assert fragment in messages


def test_load_raises_one_error_carrying_every_problem(tmp_path):
    path = overlay('many_problems', tmp_path)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    assert len(raised.value.problems) == 7
    text = str(raised.value)
    assert text.startswith('the catalogue has 7 problems:')
    assert '  items/broken.yaml:5: item SY-002: unknown section' in text


def test_prerequisite_listed_after_its_dependent_in_a_matter_is_fine(tmp_path):
    catalogue = load_catalogue(overlay('ok_prerequisite_listed_later', tmp_path))
    matter = catalogue.application('M-01')
    assert matter.items == ('SY-001', 'SC-001')
    # order only decides the default lead section: the first item's section
    assert matter.lead_section == 'food_drug'
    # the schedule still follows the prerequisite
    assert catalogue.levels('M-01') == (('SC-001',), ('SY-001',))


def test_missing_catalogue_file_is_reported(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'catalogue.yaml').unlink()
    assert problems_of(path) == [
        ('catalogue.yaml', 1, 'required file catalogue.yaml is missing')]


def test_missing_sections_file_is_reported_without_follow_on_noise(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'sections.yaml').unlink()
    assert problems_of(path) == [
        ('sections.yaml', 1, 'required file sections.yaml is missing')]


def test_catalogue_without_items_is_reported_once(tmp_path):
    path = overlay(None, tmp_path)
    shutil.rmtree(path / 'items')
    assert problems_of(path) == [
        ('items/', 1, 'no items: put the items in items/*.yaml (one file '
                      'per section)')]


def test_entry_that_is_not_a_mapping_is_reported(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'items' / 'extra.yaml').write_text('- SY-002\n', encoding='utf-8')
    [(file, line, message)] = problems_of(path)
    assert (file, line) == ('items/extra.yaml', 1)
    assert message.startswith("item #1: expected a mapping with keys code, "
                              "name, kind")
    assert message.endswith("found 'SY-002'")


def test_malformed_codes_and_field_keys_are_reported(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'fields.yaml').write_text(
        '- key: applicant_name\n  label: 申请人名称\n  type: text\n'
        '- key: business_address\n  label: 经营场所\n  type: address\n'
        '- key: Shop Name\n  label: 店名\n  type: text\n', encoding='utf-8')
    (path / 'matters.yaml').write_text(
        '- code: M 01\n  name: 开办药店\n  items: [SC-001]\n', encoding='utf-8')
    assert problems_of(path) == [
        ('fields.yaml', 7, "field Shop Name: field key 'Shop Name' must use "
                           "only lowercase letters, digits and _, starting "
                           "with a letter"),
        ('matters.yaml', 1, "matter M 01: code 'M 01' must use only letters, "
                            "digits, \"-\", \"_\" or \".\"")]


def test_wrongly_typed_values_say_what_was_found(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'items' / 'extra.yaml').write_text(
        '- code: SY-002\n'
        '  name: 食品经营许可证核发\n'
        '  kind: filing\n'
        '  legal_basis: 《中华人民共和国食品安全法》第三十五条\n'
        '  section: food_drug\n'
        '  limits: {statutory: 10, promised: 5}\n'
        '  retention: 30y\n'
        '  inspection: {required: yes please, points: [经营场所与申请材料一致]}\n'
        '  certificate: 2019-04-30\n', encoding='utf-8')
    assert problems_of(path) == [
        ('items/extra.yaml', 4, "item SY-002: 'legal_basis' must be a list "
                                "(entries starting with \"- \"); found "
                                "'《中华人民共和国食品安全法》第三十五条'"),
        ('items/extra.yaml', 8, "item SY-002 inspection: 'required' must be "
                                "true or false; found 'yes please'"),
        ('items/extra.yaml', 9, "item SY-002: 'certificate' must be non-empty "
                                "text; found the date 2019-04-30 (quote it if "
                                "it looks like a number or date)")]


def test_choice_options_and_max_length_only_where_they_apply(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'fields.yaml').write_text(
        '- key: applicant_name\n  label: 申请人名称\n  type: text\n'
        '- key: business_address\n  label: 经营场所\n  type: address\n'
        '- key: area\n  label: 面积\n  type: area\n  max_length: 10\n'
        '  options: [大, 小]\n'
        '- key: size\n  label: 规模\n  type: choice\n  options: [大, 大]\n',
        encoding='utf-8')
    assert problems_of(path) == [
        ('fields.yaml', 10, "field area: 'max_length' only applies to text, "
                            "textarea, address fields, not 'area'"),
        ('fields.yaml', 11, "field area: 'options' only apply to 'choice' "
                            "fields, not 'area'"),
        ('fields.yaml', 15, 'field size: an option is listed twice')]


def test_free_fee_with_amount_and_optional_material_with_gaps_are_reported(
        tmp_path):
    path = overlay(None, tmp_path)
    (path / 'items' / 'extra.yaml').write_text(
        '- code: SY-002\n'
        '  name: 食品经营许可证核发\n'
        '  kind: filing\n'
        '  legal_basis: [《中华人民共和国食品安全法》第三十五条]\n'
        '  section: food_drug\n'
        '  limits: {statutory: 10, promised: 5}\n'
        '  fee: {free: true, amount: 10}\n'
        '  materials:\n'
        '    - {code: floor_plan, required: false, gaps_allowed: true}\n',
        encoding='utf-8')
    assert problems_of(path) == [
        ('items/extra.yaml', 7, "item SY-002 fee: a free item has no 'amount';"
                                " remove it or set free: false"),
        ('items/extra.yaml', 9, 'item SY-002 material #1: gaps_allowed (容缺) '
                                'only applies to a required material; this '
                                'one is optional')]


def test_same_material_field_or_prerequisite_twice_in_an_item(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'items' / 'extra.yaml').write_text(
        '- code: SY-002\n'
        '  name: 食品经营许可证核发\n'
        '  kind: filing\n'
        '  legal_basis: [《中华人民共和国食品安全法》第三十五条]\n'
        '  section: food_drug\n'
        '  limits: {statutory: 10, promised: 5}\n'
        '  materials: [floor_plan, floor_plan]\n'
        '  fields: [applicant_name, applicant_name]\n'
        '  prerequisites: [SC-001, SC-001]\n', encoding='utf-8')
    assert problems_of(path) == [
        ('items/extra.yaml', 7, "item SY-002: material 'floor_plan' is listed "
                                "twice in 'materials'"),
        ('items/extra.yaml', 8, "item SY-002: field 'applicant_name' is listed"
                                " twice in 'fields'"),
        ('items/extra.yaml', 9, "item SY-002: prerequisite 'SC-001' is listed "
                                "twice in 'prerequisites'")]


def test_a_stage_given_twice_is_reported(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'projects.yaml').write_text(
        '- code: P-1\n  name: 工业项目\n  kind: industrial\n  stages:\n'
        '    - {code: P-1-1, name: 立项用地规划许可, items: [SC-001]}\n'
        '    - {code: P-1-2, name: 工程建设许可, items: [SC-001]}\n'
        '    - {code: P-1-3, name: 施工许可, items: [SY-001]}\n'
        '    - {code: P-1-4, name: 竣工验收, items: [SY-001]}\n'
        '    - {code: P-1-5, name: 竣工验收, items: [SY-001]}\n',
        encoding='utf-8')
    assert problems_of(path) == [
        ('projects.yaml', 9, "project P-1 stage P-1-5: stage '竣工验收' is "
                             "given twice")]


def test_inline_field_identical_to_the_shared_one_is_accepted(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'items' / 'extra.yaml').write_text(
        '- code: SY-002\n'
        '  name: 食品经营许可证核发\n'
        '  kind: filing\n'
        '  legal_basis: [《中华人民共和国食品安全法》第三十五条]\n'
        '  section: food_drug\n'
        '  limits: {statutory: 10, promised: 5}\n'
        '  fields:\n'
        '    - {key: applicant_name, label: 申请人名称, type: text}\n',
        encoding='utf-8')
    catalogue = load_catalogue(path)
    assert catalogue.items['SY-002'].fields == (catalogue.fields['applicant_name'],)


def test_odd_values_are_each_named_with_what_was_found(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'sections.yaml').write_text(
        '- code: market_entry\n  name: 市场准入科\n  colour: red\n'
        '- code: food_drug\n  name:\n', encoding='utf-8')
    (path / 'items' / 'extra.yaml').write_text(
        '- code: SY-002\n'
        '  name: 食品经营许可证核发\n'
        '  kind: filing\n'
        '  legal_basis: [1, 《中华人民共和国食品安全法》第三十五条]\n'
        '  section: food_drug\n'
        '  limits: {statutory: 10, promised: 5}\n'
        '  fee: {amount: 十元, basis: 某规定}\n'
        '- code: SY-003\n'
        '  name: 第二类医疗器械经营备案\n'
        '  kind: filing\n'
        '  legal_basis: [《医疗器械监督管理条例》第四十一条]\n'
        '  section: food_drug\n'
        '  limits: {statutory: 1, promised: 1}\n'
        '  fee: {amount: -5, basis: 某规定}\n', encoding='utf-8')
    assert problems_of(path) == [
        ('items/extra.yaml', 4, "item SY-002: entry 1 of 'legal_basis' must be "
                                "non-empty text; found the number 1"),
        ('items/extra.yaml', 7, "item SY-002 fee: 'amount' must be a number; "
                                "found '十元'"),
        ('items/extra.yaml', 14, "item SY-003 fee: 'amount' must be more than "
                                 "0; found -5"),
        ('sections.yaml', 3, "section market_entry: unknown key 'colour'; "
                             "expected one of code, name, kind, phone, "
                             "location"),
        ('sections.yaml', 5, "section food_drug: 'name' has no value")]


def test_stage_that_is_not_a_mapping_is_reported_once(tmp_path):
    path = overlay(None, tmp_path)
    (path / 'projects.yaml').write_text(
        '- code: P-1\n  name: 工业项目\n  kind: industrial\n  stages:\n'
        '    - 立项用地规划许可\n'
        '    - {code: P-1-2, name: 工程建设许可, items: [SC-001]}\n'
        '- code: P-2\n  name: 房地产项目\n  kind: real_estate\n',
        encoding='utf-8')
    assert problems_of(path) == [
        ('projects.yaml', 5, "project P-1 stage #1: expected a mapping with "
                             "keys code, name, items, lead_section; found "
                             "'立项用地规划许可'"),
        ('projects.yaml', 7, "project P-2: missing required key 'stages'")]


DEMO = pathlib.Path(__file__).resolve().parent.parent / 'schemas' / 'catalogue'
DEMO_FILES = sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob('*.yaml'))
ODD_VALUES = ['', '[]', '{}', '-1', '0', 'true', 'null', '2019-01-01', '[a, b]',
              '{code: x}', '"  "', 'SC-001', ': :', '[', '*undefined']


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DEMO_FILES), st.integers(0, 10**6),
                          st.sampled_from(ODD_VALUES)), min_size=1, max_size=3))
def test_check_never_raises_and_always_points_at_a_line(edits):
    """Whatever a hand edit does to a value, the answer is a list of problems."""
    with tempfile.TemporaryDirectory() as tmp:
        target = pathlib.Path(tmp) / 'c'
        shutil.copytree(DEMO, target)
        for name, position, value in edits:
            path = target / name
            lines = path.read_text(encoding='utf-8').split('\n')
            index = position % len(lines)
            key = lines[index].split(':', 1)[0]
            lines[index] = f'{key}: {value}'
            path.write_text('\n'.join(lines), encoding='utf-8')
        for problem in check_catalogue(target):
            assert problem.line >= 1 and problem.message
