"""organisations.yaml and the catalogue's items of other organisations:
every rule is checked with input that breaks it, and every problem names
file and line."""
import os
import shutil

import pytest

from casefile.catalogue.loader import check_catalogue, load_catalogue
from casefile.organisation import (
    OrganisationError, load_organisations, parse_organisations,
    read_organisations)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORGS = os.path.join(REPO, 'schemas', 'organisations.yaml')
BASE = os.path.join(REPO, 'tests', 'data', 'catalogue_broken', '_base')

BUREAU = '''- code: bureau
  name: 鞍山市行政审批局
  kind: bureau
'''

DISTRICTS = ''.join('''- code: d{code}
  name: 区{code}
  kind: district
  admin_code: '{code}'
  sections:
    - {{code: approval, name: 审批科}}
'''.format(code=code) for code in ('210302', '210303', '210304', '210311',
                                   '210321', '210323', '210381'))

VALID = BUREAU + DISTRICTS + '''- code: fire
  name: 鞍山市消防救援支队
  kind: department
  sections:
    - {code: review, name: 防火监督处}
'''


def problems(text):
    orgs, found = parse_organisations(text, 'organisations.yaml')
    assert orgs is None
    return [str(p) for p in found]


def line_of(text, needle, occurrence=1):
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


# -- the demo file -------------------------------------------------------------

def test_the_demo_file_is_valid_and_complete():
    orgs, found = read_organisations(ORGS)
    assert found == []
    assert orgs.bureau.code == 'bureau'
    assert sorted(d.admin_code for d in orgs.districts()) == [
        '210302', '210303', '210304', '210311', '210321', '210323', '210381']
    assert orgs.district('210302').name == '铁东区行政审批局'
    assert {o.kind for o in orgs} == {'bureau', 'district', 'zone',
                                      'department'}
    assert orgs['fire'].section('review').code == 'fire.review'
    assert orgs.of_section('natres.land_use').code == 'natres'
    assert orgs.of_section('market_entry').code == 'bureau'
    assert orgs['tiedong'].calendar.years[2026].days   # its own closure


def test_a_valid_minimal_file():
    orgs, found = parse_organisations(VALID)
    assert found == [] and len(orgs) == 9


# -- organisations.yaml rules ----------------------------------------------------

def test_yaml_syntax_error_names_its_line():
    text = VALID + '- code: [broken\n'
    found = problems(text)
    assert found[0].startswith('organisations.yaml:%d:' % (
        len(VALID.splitlines()) + 1)) or 'syntax' in found[0]
    assert any('YAML syntax error' in p for p in found)


def test_not_a_list_and_not_a_mapping():
    assert problems('code: bureau\n')[0].startswith(
        'organisations.yaml:1: expected a list of organisations')
    text = VALID + '- just text\n'
    assert ('organisations.yaml:%d: organisation #10: expected a mapping'
            % line_of(text, '- just text')) in ' '.join(problems(text))


def test_unknown_key_missing_key_bad_code_and_kind():
    text = VALID + '''- code: Zone-1
  nmae: 某开发区
  kind: zoen
'''
    found = problems(text)
    assert ("organisations.yaml:%d: organisation Zone-1: organisation code "
            "'Zone-1' must use only lowercase letters" % line_of(
                text, 'Zone-1')) in ' '.join(found)
    assert ("organisations.yaml:%d: organisation Zone-1: unknown key 'nmae'; "
            "did you mean 'name'?" % line_of(text, 'nmae')) in found
    assert any(p.startswith('organisations.yaml:%d:' % line_of(text, 'zoen'))
               and "'kind' is 'zoen'" in p for p in found)


def test_duplicate_code_and_reserved_code():
    text = VALID + '''- code: fire
  name: 又一个
  kind: department
  sections: [{code: a, name: a}]
- code: district
  name: 保留
  kind: department
  sections: [{code: a, name: a}]
'''
    found = problems(text)
    assert ("organisations.yaml:%d: organisation fire: duplicate organisation "
            "code 'fire': already defined at organisations.yaml:%d" % (
                line_of(text, 'code: fire', 2), line_of(text, 'code: fire'))
            ) in found
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, 'code: district')) and 'reserved' in p for p in found)


def test_exactly_one_bureau_named_bureau_without_sections():
    found = problems(DISTRICTS)
    assert "organisations.yaml:1: no organisation has kind 'bureau'" in \
        ' '.join(found)
    text = BUREAU + DISTRICTS + '''- code: other
  name: 又一个审批局
  kind: bureau
'''
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, 'kind: bureau', 2)) and 'a second bureau' in p
        for p in problems(text))
    text = BUREAU.replace('code: bureau', 'code: asb') + DISTRICTS
    assert any("the bureau's code must be 'bureau'" in p
               for p in problems(text))
    text = BUREAU + '  sections: [{code: x, name: x}]\n' + DISTRICTS
    assert ('organisations.yaml:4: organisation bureau: the bureau\'s '
            'sections are kept in the catalogue\'s sections.yaml; do not '
            'list them here') in problems(text)


def test_a_partner_needs_sections_unique_by_code():
    text = VALID + '''- code: natres
  name: 自然资源局
  kind: department
'''
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, 'code: natres')) and 'needs at least one section' in p
        for p in problems(text))
    text = VALID + '''- code: natres
  name: 自然资源局
  kind: department
  sections:
    - {code: land, name: 用途管制科}
    - {code: land, name: 又一个}
'''
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, 'name: 又一个')) and "section code 'land' is listed twice" in p
        for p in problems(text))


def test_district_codes_every_district_once():
    text = VALID.replace("admin_code: '210381'", "admin_code: '210399'")
    found = problems(text)
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, '210399')) and 'not an Anshan district code' in p
        for p in found)
    assert any('these Anshan districts have no organisation' in p
               and '210381 海城市' in p for p in found)
    text = VALID + '''- code: again
  name: 又一个铁东
  kind: district
  admin_code: '210302'
  sections: [{code: approval, name: 审批科}]
'''
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, "admin_code: '210302'", 2)) and 'already used by d210302' in p
        for p in problems(text))
    text = VALID + '''- code: nocode
  name: 无代码区
  kind: district
  sections: [{code: approval, name: 审批科}]
'''
    assert any("a district needs 'admin_code'" in p for p in problems(text))


def test_zone_within_a_district_and_departments_without_codes():
    text = VALID + '''- code: gaoxin
  name: 高新区
  kind: zone
  sections: [{code: approval, name: 审批科}]
'''
    assert any("a development zone needs 'within'" in p
               for p in problems(text))
    text = VALID + '''- code: gaoxin
  name: 高新区
  kind: zone
  within: '210300'
  sections: [{code: approval, name: 审批科}]
'''
    assert any(p.startswith('organisations.yaml:%d:' % line_of(
        text, "within: '210300'")) and "not the city's" in p
        for p in problems(text))
    text = VALID.replace('''  kind: department
''', '''  kind: department
  admin_code: '210302'
''')
    assert any("only districts (and the city, 210300) have one" in p
               for p in problems(text))


def test_calendar_overrides_are_checked_with_lines():
    text = VALID + '''- code: housing
  name: 住建局
  kind: department
  sections: [{code: completion, name: 质量安全监督科}]
  calendar:
    2026:
      closure:
        - {date: 2026-12-02, name: 搬迁}
'''
    assert ("organisations.yaml:%d: organisation housing calendar: unknown "
            "key 'closure' in year 2026 (allowed: closures, complete, "
            "holidays, workdays)" % line_of(text, 'closure:')) in \
        problems(text)
    text = text.replace('closure:', 'closures:').replace('2026-12-02',
                                                          '2026-02-30')
    assert ("organisations.yaml:%d: calendar: bad date '2026-02-30': day is "
            "out of range for month" % line_of(text, '2026-02-30')) in \
        problems(text)
    text = text.replace('2026-02-30', '2027-01-05')
    assert any('outside its year section 2026' in p for p in problems(text))
    good = text.replace('2027-01-05', '2026-12-02')
    orgs, found = parse_organisations(good)
    assert found == []
    day = next(iter(orgs['housing'].calendar.years[2026].days.values()))
    assert day.source == 'organisations.yaml:%d' % line_of(good,
                                                            '2026-12-02')


def test_load_raises_with_every_problem(tmp_path):
    path = tmp_path / 'organisations.yaml'
    path.write_text(DISTRICTS + '- code: X\n', encoding='utf-8')
    with pytest.raises(OrganisationError) as raised:
        load_organisations(str(path))
    assert len(raised.value.problems) >= 2
    assert 'organisations.yaml:' in str(raised.value)


# -- items of other organisations in the catalogue ------------------------------

@pytest.fixture
def catalogue_dir(tmp_path):
    """The minimal catalogue with organisations.yaml beside it."""
    target = tmp_path / 'catalogue'
    shutil.copytree(BASE, target)
    (tmp_path / 'organisations.yaml').write_text(VALID, encoding='utf-8')
    return target


def add_item(directory, text):
    path = directory / 'items' / 'partners.yaml'
    path.write_text(text, encoding='utf-8')
    return path


FIRE_ITEM = '''- code: XF-001
  name: 消防安全检查
  kind: other
  organisation: fire
  section: review
  legal_basis: [《中华人民共和国消防法》第十五条]
  limits: {statutory: 10, promised: 5}
  fields: [applicant_name]
'''

DISTRICT_ITEM = '''- code: QX-001
  name: 属地许可
  kind: other
  organisation: district
  section: approval
  legal_basis: [《某条例》]
  limits: {statutory: 10, promised: 5}
  fields: [applicant_name, business_address]
'''


def test_items_of_a_department_and_of_the_district(catalogue_dir):
    add_item(catalogue_dir, FIRE_ITEM + DISTRICT_ITEM)
    (catalogue_dir / 'matters.yaml').write_text(
        '- code: M-01\n  name: 开办\n  items: [XF-001, SC-001, QX-001]\n',
        encoding='utf-8')
    catalogue = load_catalogue(catalogue_dir)
    assert catalogue.items['XF-001'].section == 'fire.review'
    assert catalogue.items['XF-001'].organisation == 'fire'
    assert catalogue.items['QX-001'].section == 'district.approval'
    assert catalogue.sections['fire.review'].organisation == 'fire'
    assert catalogue.sections['d210303.approval'].name == '区210303审批科'
    # the bureau leads: its first own item, not the fire department's
    assert catalogue.application('M-01').lead_section == 'market_entry'
    # bureau items keep their stored shape (older versions keep digests)
    assert 'organisation' not in catalogue.items['SC-001'].to_dict()


def test_unknown_organisation_and_unknown_section(catalogue_dir):
    path = add_item(catalogue_dir, FIRE_ITEM.replace(
        'organisation: fire', 'organisation: fir') + FIRE_ITEM.replace(
        'XF-001', 'XF-002').replace('section: review', 'section: reveiw'))
    text = path.read_text(encoding='utf-8')
    found = [str(p) for p in check_catalogue(catalogue_dir)]
    assert ("items/partners.yaml:%d: item XF-001: unknown organisation "
            "'fir': not in organisations.yaml (did you mean 'fire'?)"
            % line_of(text, 'organisation: fir')) in found
    assert ("items/partners.yaml:%d: item XF-002: unknown section 'reveiw': "
            "鞍山市消防救援支队 has no such section in "
            "organisations.yaml (did you mean 'review'?)"
            % line_of(text, 'section: reveiw')) in found


def test_a_district_item_needs_the_section_in_every_district(catalogue_dir):
    orgs = catalogue_dir.parent / 'organisations.yaml'
    orgs.write_text(VALID.replace(
        "admin_code: '210381'\n  sections:\n    - {code: approval,",
        "admin_code: '210381'\n  sections:\n    - {code: other,"),
        encoding='utf-8')
    path = add_item(catalogue_dir, DISTRICT_ITEM)
    found = [str(p) for p in check_catalogue(catalogue_dir)]
    assert ("items/partners.yaml:%d: item QX-001: section 'approval' is not "
            "a section of every district; missing in: 区210381 "
            "(organisations.yaml)" % line_of(path.read_text(encoding='utf-8'),
                                             'section: approval')) in found


def test_a_district_item_needs_a_required_address(catalogue_dir):
    path = add_item(catalogue_dir, DISTRICT_ITEM.replace(
        '[applicant_name, business_address]', '[applicant_name]'))
    found = [str(p) for p in check_catalogue(catalogue_dir)]
    assert ("items/partners.yaml:%d: item QX-001: an item a district handles "
            "for its own area needs a required address field (type address)"
            % line_of(path.read_text(encoding='utf-8'), 'fields:')) in \
        ' '.join(found)


def test_other_organisations_need_organisations_yaml(catalogue_dir):
    add_item(catalogue_dir, FIRE_ITEM)
    found = [str(p) for p in check_catalogue(catalogue_dir,
                                             organisations=None)]
    assert any("organisation 'fire': there is no organisations.yaml" in p
               for p in found)
    # a broken organisations.yaml is a problem of the catalogue too
    (catalogue_dir.parent / 'organisations.yaml').write_text(
        BUREAU, encoding='utf-8')
    found = [str(p) for p in check_catalogue(catalogue_dir)]
    assert any(p.startswith('../organisations.yaml:1:') for p in found)


def test_a_chain_of_only_other_organisations_needs_a_lead(catalogue_dir):
    add_item(catalogue_dir, FIRE_ITEM)
    matters = catalogue_dir / 'matters.yaml'
    matters.write_text('- code: M-09\n  name: 只有消防\n  items: [XF-001]\n',
                       encoding='utf-8')
    found = [str(p) for p in check_catalogue(catalogue_dir)]
    assert ("matters.yaml:3: matter M-09: every item belongs to another "
            "organisation: name the bureau's lead section with "
            "'lead_section'") in found
    matters.write_text('- code: M-09\n  name: 只有消防\n  items: [XF-001]\n'
                       '  lead_section: market_entry\n', encoding='utf-8')
    assert check_catalogue(catalogue_dir) == []


def test_docs_examples_run(monkeypatch):
    import doctest
    monkeypatch.chdir(REPO)
    result = doctest.testfile(os.path.join(REPO, 'docs', 'organisations.md'),
                              module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6
    assert result.failed == 0


def test_cli_check_and_list(tmp_path):
    from click.testing import CliRunner
    from casefile.cli import main
    ini = os.path.join(REPO, 'development.ini')
    runner = CliRunner()
    result = runner.invoke(main, ['-c', ini, 'organisations', 'check'])
    assert result.exit_code == 0, result.output
    assert 'OK (13 organisations' in result.output
    result = runner.invoke(main, ['-c', ini, 'organisations', 'list'])
    assert 'tiedong\tdistrict\t210302\t铁东区行政审批局\ttiedong.approval' \
        in result.output
    broken = tmp_path / 'organisations.yaml'
    broken.write_text(VALID + '- code: fire\n  name: x\n  kind: department\n'
                      '  sections: [{code: a, name: a}]\n', encoding='utf-8')
    result = runner.invoke(main, ['-c', ini, 'organisations', 'check',
                                  str(broken)])
    assert result.exit_code == 1
    assert "%s:%d: organisation fire: duplicate organisation code 'fire'" % (
        broken, line_of(broken.read_text(encoding='utf-8'), 'code: fire',
                        2)) in result.output
