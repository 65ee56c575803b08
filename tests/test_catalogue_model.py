"""The catalogue model: storage round trip, applications, the one form,
merged materials, schedules, the merged inspection checklist, and diffs."""
import dataclasses
import doctest
import json
import pathlib
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.catalogue.diff import diff
from casefile.catalogue.loader import load_catalogue
from casefile.catalogue.model import Catalogue, Limits
from casefile.catalogue.vocabulary import STAGE_NAMES

REPO = pathlib.Path(__file__).resolve().parent.parent
DEMO = REPO / 'schemas' / 'catalogue'


@pytest.fixture(scope='module')
def demo():
    return load_catalogue(DEMO)


# -- small hand-built catalogues (from_dict trusts its input) ----------------

def item(code, days=5, prerequisites=(), fields=(), materials=(),
         points=None, speciality=None, statutory=None, section='s1'):
    return {
        'code': code, 'name': f'事项{code}', 'kind': 'filing',
        'legal_basis': ['某条例第一条'], 'section': section,
        'limits': {'statutory': statutory or days, 'promised': days},
        'fee': {'free': True, 'amount': None, 'unit': None, 'basis': None},
        'conditions': [], 'materials': list(materials), 'fields': list(fields),
        'inspection': {'required': points is not None, 'points': points or []},
        'expert_review': {'required': speciality is not None,
                          'speciality': speciality},
        'review_points': [], 'prerequisites': list(prerequisites),
        'retention': '30y', 'certificate': None, 'keywords': []}


def field(key, label=None, type='text'):
    return {'key': key, 'label': label or key, 'type': type, 'required': True,
            'help': None, 'max_length': None, 'options': []}


def material(code, issued_by=None):
    return {'code': code, 'name': f'材料{code}', 'form': 'copy', 'count': 1,
            'allowed_types': ['pdf'], 'max_size_mb': 20, 'reusable': False,
            'issued_by': issued_by, 'description': None}


def need(code, required=True, gaps_allowed=False):
    return {'code': code, 'required': required, 'gaps_allowed': gaps_allowed}


def build(items, matter_items=None, fields=(), materials=()):
    """A catalogue with one matter ``M`` holding ``matter_items`` (default all)."""
    codes = matter_items or [i['code'] for i in items]
    return Catalogue.from_dict({
        'title': '测试', 'effective': '2019-04-30', 'notes': None,
        'sections': [{'code': 's1', 'name': '一科', 'kind': 'approval',
                      'phone': None, 'location': None},
                     {'code': 's2', 'name': '二科', 'kind': 'approval',
                      'phone': None, 'location': None}],
        'materials': list(materials), 'fields': list(fields),
        'items': list(items),
        'matters': [{'code': 'M', 'name': '测试事情', 'description': None,
                     'items': codes, 'lead_section': 's1', 'themes': [],
                     'keywords': []}],
        'projects': []})


# -- storage -------------------------------------------------------------------

def test_to_dict_is_plain_json_and_round_trips_to_an_equal_catalogue(demo):
    data = json.loads(json.dumps(demo.to_dict(), ensure_ascii=False))
    again = Catalogue.from_dict(data)
    assert again == demo
    assert again.to_dict() == demo.to_dict()
    assert dict(again.items) == dict(demo.items)
    assert dict(again.projects) == dict(demo.projects)


def test_stored_form_writes_shared_fields_as_keys_and_inline_ones_in_full(demo):
    stored = {i['code']: i for i in demo.to_dict()['items']}['SY-001']
    assert 'applicant_name' in stored['fields']
    inline = [f for f in stored['fields'] if isinstance(f, dict)]
    assert [f['key'] for f in inline] == ['drug_scope', 'pharmacist_name',
                                          'pharmacist_registration_no',
                                          'quality_manager',
                                          'sells_prescription_drugs']
    assert stored['materials'][-1] == {'code': 'power_of_attorney',
                                       'required': False,
                                       'gaps_allowed': False}


def test_stored_data_altered_after_storing_is_refused(demo):
    data = demo.to_dict()
    data['items'][0]['limits']['promised'] = 99
    with pytest.raises(ValueError, match='altered after it was stored'):
        Catalogue.from_dict(data)


def test_data_without_a_digest_is_accepted_and_gets_one(demo):
    data = demo.to_dict()
    del data['digest']
    assert Catalogue.from_dict(data).digest == demo.digest


def test_catalogue_and_its_entries_are_immutable(demo):
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo.items['SY-001'].name = '改名'
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo.title = '改名'
    with pytest.raises(TypeError):
        demo.items['XX-001'] = demo.items['SY-001']
    assert isinstance(demo.items, types.MappingProxyType)


def test_repr_names_title_size_and_digest(demo):
    assert repr(demo).startswith("<Catalogue '鞍山市行政审批局")
    assert f'37 items {demo.digest[:12]}>' in repr(demo)
    assert demo != 'not a catalogue'


def test_labels_come_from_the_vocabulary(demo):
    drug = demo.items['SY-001']
    assert (drug.kind_label, drug.retention_label) == ('行政许可', '30年')
    assert demo.projects['P-RE'].kind_label == '房地产项目'
    assert demo.application('P-RE-1').kind_label == '一个项目'


# -- the demo catalogue is what the bureau's plan describes ------------------

def test_demo_has_enough_items_sections_and_matters(demo):
    assert len(demo.items) >= 25
    assert len({i.section for i in demo.items.values()}) >= 5
    names = {m.name for m in demo.matters.values()}
    assert {'开办药店', '开办餐馆', '开办便利店', '开办美容美发店', '开办诊所',
            '开办培训机构'} <= names
    assert {p.kind for p in demo.projects.values()} == {'industrial',
                                                        'real_estate'}


def test_demo_sections_include_every_role_of_the_plan(demo):
    kinds = {s.kind for s in demo.sections.values()}
    assert kinds == {'approval', 'coordination', 'inspection', 'policy',
                     'platform', 'service_centre'}
    names = {s.name for s in demo.sections.values()}
    assert {'市场准入科', '社会事务科', '建设工程科', '现场勘验科', '业务协调科',
            '政策法规科', '网络平台科'} <= names


def test_opening_a_pharmacy_needs_a_business_licence_first(demo):
    items = {i.code: i for i in demo.items_of('M-01')}
    assert items['SY-001'].certificate == '药品经营许可证'
    assert items['SY-001'].prerequisites == ('SC-001',)
    assert items['SC-001'].certificate == '营业执照'
    assert items['SY-003'].kind == 'filing'
    assert any('药品管理法' in basis for basis in items['SY-001'].legal_basis)


def test_every_project_has_the_four_stages_in_order(demo):
    for project in demo.projects.values():
        assert tuple(s.name for s in project.stages) == STAGE_NAMES


def test_promised_limits_are_never_longer_than_statutory(demo):
    for item in demo.items.values():
        assert 1 <= item.limits.promised <= item.limits.statutory


# -- applications ---------------------------------------------------------------

def test_applications_are_every_matter_then_every_project_stage(demo):
    applications = demo.applications()
    assert [a.kind for a in applications] == ['matter'] * 8 + ['stage'] * 12
    assert len({a.code for a in applications}) == len(applications)
    stage = demo.application('P-IND-3')
    assert (stage.name, stage.project, stage.title) == (
        '施工许可', 'P-IND', '工业项目 · 施工许可')
    assert stage.items == ('JS-004', 'JS-007', 'JS-006')


def test_lead_section_defaults_to_the_section_of_the_first_item(demo):
    assert demo.application('M-01').lead_section == 'market_entry'
    assert demo.application('P-IND-1').lead_section == 'investment'
    assert demo.application('P-IND-2').lead_section == 'construction'


def test_an_explicit_lead_section_wins(demo):
    assert demo.items['SC-001'].section == 'market_entry'
    assert demo.application('M-05').lead_section == 'social_affairs'


def test_unknown_application_code_raises_key_error_naming_it(demo):
    with pytest.raises(KeyError, match="'Z-99'"):
        demo.application('Z-99')


def test_items_of_returns_items_in_application_order(demo):
    assert [i.code for i in demo.items_of('M-02')] == ['SC-001', 'SY-002',
                                                       'CJ-002', 'CJ-001']


# -- the one form -----------------------------------------------------------------

def test_pharmacy_one_form_asks_fewer_fields_than_its_items_forms(demo):
    form = demo.merged_fields('M-01')
    separate = sum(len(i.fields) for i in demo.items_of('M-01'))
    assert form.separate_count == separate
    assert form.field_count < separate
    assert form.saved == separate - form.field_count > 15


def test_one_form_asks_each_key_once(demo):
    for application in demo.applications():
        keys = [f.key for f in demo.merged_fields(application.code).all_fields()]
        assert len(keys) == len(set(keys)), application.code


def test_shared_fields_come_once_in_first_use_order(demo):
    form = demo.merged_fields('M-01')
    keys = [f.field.key for f in form.shared]
    assert keys[:3] == ['applicant_name', 'legal_representative',
                        'legal_rep_id_number']
    # credit_code is first used by SY-001, after SC-001's fields
    assert keys.index('credit_code') > keys.index('business_scope')
    by_key = {f.field.key: f.items for f in form.shared}
    assert by_key['business_area'] == ('SY-001', 'SY-002', 'SY-003')
    assert by_key['registered_capital'] == ('SC-001',)   # from fields.yaml


def test_item_specific_fields_are_grouped_per_item(demo):
    groups = {g.item: [f.key for f in g.fields]
              for g in demo.merged_fields('M-01').per_item}
    assert groups['SC-001'] == ['company_type']
    assert groups['SY-002'] == ['food_business_type', 'food_business_items',
                                'food_safety_manager']


def test_inline_key_used_by_two_items_is_shared_and_one_by_one_is_not():
    catalogue = build(
        [item('A', fields=['name', field('size'), field('colour')]),
         item('B', fields=[field('size'), field('weight')])],
        fields=[field('name')])
    form = catalogue.merged_fields('M')
    assert [(f.field.key, f.items) for f in form.shared] == [
        ('name', ('A',)), ('size', ('A', 'B'))]
    assert [(g.item, [f.key for f in g.fields]) for g in form.per_item] == [
        ('A', ['colour']), ('B', ['weight'])]
    assert (form.field_count, form.separate_count) == (4, 5)


# -- one list of materials -------------------------------------------------------

def test_pharmacy_materials_are_listed_once_with_the_items_needing_them(demo):
    merged = demo.merged_materials('M-01')
    codes = [m.material.code for m in merged]
    assert len(codes) == len(set(codes))
    by_code = {m.material.code: m for m in merged}
    assert by_code['premises_proof'].items == ('SC-001', 'SY-001', 'SY-002',
                                               'SY-003')
    assert by_code['floor_plan'].items == ('SY-001', 'SY-002')
    assert by_code['power_of_attorney'].required is False
    assert by_code['facilities_list'].gaps_allowed is True


def test_a_material_the_case_itself_produces_is_not_asked_for(demo):
    licence = {m.material.code: m for m in
               demo.merged_materials('M-01')}['business_licence']
    assert licence.produced_by == 'SC-001'
    assert licence.reusable and not licence.submitted_by_applicant


def test_a_material_from_an_earlier_stage_is_submitted_or_reused(demo):
    permit = {m.material.code: m for m in
              demo.merged_materials('P-IND-2')}['land_use_planning_permit']
    assert permit.produced_by is None and permit.reusable


def test_required_if_any_item_requires_gaps_only_if_all_requiring_allow():
    catalogue = build(
        [item('A', materials=[need('x', gaps_allowed=True), need('y'),
                              need('z', gaps_allowed=True)]),
         item('B', materials=[need('x', gaps_allowed=False),
                              need('y', required=False),
                              need('z', required=False)]),
         item('C', materials=[need('w', required=False)])],
        materials=[material(c) for c in 'xyzw'])
    merged = {m.material.code: m for m in catalogue.merged_materials('M')}
    assert (merged['x'].required, merged['x'].gaps_allowed) == (True, False)
    assert (merged['y'].required, merged['y'].gaps_allowed) == (True, False)
    assert (merged['z'].required, merged['z'].gaps_allowed) == (True, True)
    assert (merged['w'].required, merged['w'].gaps_allowed) == (False, False)


# -- time -----------------------------------------------------------------------

DIAMOND = [item('A', 2, statutory=3), item('B', 5, ['A'], statutory=20),
           item('C', 3, ['A'], statutory=10), item('D', 4, ['B', 'C'])]


def test_critical_path_follows_the_longest_prerequisite_chain():
    catalogue = build(DIAMOND)
    assert catalogue.critical_path('M') == 2 + 5 + 4
    assert catalogue.sequential_days('M') == 2 + 5 + 3 + 4
    assert catalogue.critical_path('M', 'statutory') == 3 + 20 + 4
    assert catalogue.sequential_days('M', 'statutory') == 3 + 20 + 10 + 4


def test_schedule_gives_earliest_start_and_finish_and_levels():
    plan = build(DIAMOND).schedule('M')
    assert [(s.item, s.start, s.finish, s.level) for s in plan.slots] == [
        ('A', 0, 2, 0), ('B', 2, 7, 1), ('C', 2, 5, 1), ('D', 7, 11, 2)]
    assert plan.levels == (('A',), ('B', 'C'), ('D',))
    assert plan.critical_items == ('A', 'B', 'D')
    assert plan.slot('D').waits_for == ('B', 'C')


def test_items_without_prerequisites_run_in_parallel():
    catalogue = build([item('A', 4), item('B', 9), item('C', 1)])
    assert catalogue.critical_path('M') == 9
    assert catalogue.levels('M') == (('A', 'B', 'C'),)


def test_prerequisites_outside_the_application_do_not_delay_it():
    catalogue = build(DIAMOND, matter_items=['B', 'D'])
    plan = catalogue.schedule('M')
    assert [(s.item, s.start) for s in plan.slots] == [('B', 0), ('D', 5)]
    assert plan.external == (('B', 'A'), ('D', 'C'))


def test_schedule_rejects_an_unknown_limit_kind():
    with pytest.raises(ValueError, match="not 'legal'"):
        build(DIAMOND).critical_path('M', 'legal')
    with pytest.raises(ValueError, match="not 'legal'"):
        Limits(20, 10).days('legal')
    with pytest.raises(KeyError):
        build(DIAMOND).schedule('M').slot('Z')


def test_demo_pharmacy_takes_eleven_promised_days_instead_of_seventeen(demo):
    assert (demo.critical_path('M-01'), demo.sequential_days('M-01')) == (11, 17)
    assert demo.levels('M-01') == (('SC-001',), ('SY-001', 'SY-002', 'SY-003'))


@st.composite
def dags(draw):
    """Items whose prerequisites point only to earlier items: acyclic."""
    count = draw(st.integers(1, 8))
    items = []
    for index in range(count):
        before = [f'I{n}' for n in range(index)]
        prerequisites = draw(st.lists(st.sampled_from(before), unique=True,
                                      max_size=3)) if before else []
        items.append(item(f'I{index}', draw(st.integers(1, 20)), prerequisites))
    order = draw(st.permutations([i['code'] for i in items]))
    return items, list(order)


@settings(max_examples=150, deadline=None)
@given(dags())
def test_schedule_invariants_hold_for_any_acyclic_application(case):
    items, order = case
    plan = build(items, matter_items=order).schedule('M')
    slots = {s.item: s for s in plan.slots}
    assert [s.item for s in plan.slots] == order
    assert max(s.days for s in plan.slots) <= plan.total <= plan.sequential
    for slot in plan.slots:
        finishes = [slots[p].finish for p in slot.waits_for]
        assert slot.start == max(finishes, default=0)      # earliest start
        assert slot.finish == slot.start + slot.days
    assert sorted(c for level in plan.levels for c in level) == sorted(order)
    chain = plan.critical_items
    assert sum(slots[c].days for c in chain) == plan.total
    for earlier, later in zip(chain, chain[1:]):
        assert earlier in slots[later].waits_for


# -- inspection and expert review -------------------------------------------------

def test_one_visit_checks_each_point_once_for_all_items_needing_it(demo):
    points = demo.inspection_points('M-01')
    texts = [p.text for p in points]
    assert len(texts) == len(set(texts))
    shared = {p.text: p.items for p in points if len(p.items) > 1}
    assert shared['经营场所与申请材料一致'] == ('SY-001', 'SY-002')
    separate = sum(len(i.inspection.points) for i in demo.items_of('M-01'))
    assert len(points) < separate


def test_items_not_needing_inspection_add_no_points():
    catalogue = build([item('A', points=['场所一致']),
                       item('B', points=['场所一致', '设备齐全']),
                       item('C')])
    assert [(p.text, p.items) for p in catalogue.inspection_points('M')] == [
        ('场所一致', ('A', 'B')), ('设备齐全', ('B',))]
    assert build([item('C')]).needs_inspection('M') is False
    assert build([item('C')]).inspection_points('M') == ()


def test_inspection_and_expert_review_needs_per_application(demo):
    assert demo.needs_inspection('M-01') and not demo.needs_expert_review('M-01')
    assert not demo.needs_inspection('M-03')
    assert demo.needs_expert_review('P-IND-1')
    assert ('TZ-004', '环境影响评价') in demo.expert_reviews('P-IND-1')


# -- diff ------------------------------------------------------------------------

def changed(catalogue, **items):
    """A copy of ``catalogue`` with some items replaced (None removes)."""
    new_items = dict(catalogue.items)
    for code, value in items.items():
        code = code.replace('_', '-')
        if value is None:
            del new_items[code]
        else:
            new_items[code] = value
    return dataclasses.replace(catalogue, items=new_items)


def test_diff_of_equal_catalogues_is_empty(demo):
    result = diff(demo, load_catalogue(DEMO))
    assert result.is_empty and result.summary == ()


def test_diff_names_changed_limits_with_old_and_new_values(demo):
    drug = demo.items['SY-001']
    newer = changed(demo, SY_001=dataclasses.replace(
        drug, limits=Limits(statutory=15, promised=10)))
    result = diff(demo, newer)
    [change] = result.items.changed
    assert change.code == 'SY-001'
    assert change.attributes() == ('limits.statutory',)
    assert (change.changes[0].old, change.changes[0].new) == (20, 15)
    assert result.summary == ('事项 SY-001 药品经营许可证核发（零售）：法定时限 20→15',)


def test_diff_lists_added_and_removed_items(demo):
    extra = dataclasses.replace(demo.items['SY-004'], code='SY-009',
                                name='新事项')
    newer = changed(demo, SY_009=extra, SH_003=None)
    result = diff(demo, newer)
    assert (result.items.added, result.items.removed) == (('SY-009',), ('SH-003',))
    assert '新增事项 SY-009 新事项' in result.summary
    assert '删除事项 SH-003 放射诊疗许可' in result.summary


def test_diff_describes_list_changes_by_what_was_added_and_removed(demo):
    drug = demo.items['SY-001']
    newer = changed(demo, SY_001=dataclasses.replace(
        drug, materials=drug.materials[1:]))
    result = diff(demo, newer)
    assert result.summary == (
        '事项 SY-001 药品经营许可证核发（零售）：申请材料 删除 business_licence',)


def test_diff_shows_yes_no_and_none_in_chinese(demo):
    filing = demo.items['SY-004']
    newer = changed(demo, SY_004=dataclasses.replace(
        filing, certificate='预包装食品备案凭证',
        inspection=dataclasses.replace(filing.inspection, required=True,
                                       points=('场所一致',))))
    assert diff(demo, newer).summary == (
        '事项 SY-004 仅销售预包装食品备案：现场勘验 否→是；勘验要点 新增 场所一致；'
        '审批结果 无→预包装食品备案凭证',)


def test_diff_sees_matter_and_project_stage_changes(demo):
    matters = dict(demo.matters)
    matters['M-01'] = dataclasses.replace(matters['M-01'],
                                          items=matters['M-01'].items + ('CJ-001',))
    projects = dict(demo.projects)
    project = projects['P-IND']
    stage = dataclasses.replace(project.stages[2], items=('JS-004', 'JS-006'))
    projects['P-IND'] = dataclasses.replace(
        project, stages=project.stages[:2] + (stage,) + project.stages[3:])
    newer = dataclasses.replace(demo, matters=matters, projects=projects)
    result = diff(demo, newer)
    assert result.matters.changed[0].attributes() == ('items',)
    assert result.projects.changed[0].attributes() == ('stages[P-IND-3].items',)
    assert result.summary == (
        '一件事情 M-01 开办药店：包含事项 新增 CJ-001',
        '一个项目 P-IND 工业项目：阶段 P-IND-3 包含事项 删除 JS-007')


def test_diff_reports_a_new_title_first(demo):
    newer = dataclasses.replace(demo, title='第二批清单',
                                effective=demo.effective.replace(year=2020))
    assert diff(demo, newer).summary[0] == (
        f'清单 {demo.title}（2019-04-30）→ 第二批清单（2020-04-30）')
    assert diff(demo, newer).is_empty    # no entry changed


# -- the documentation's examples run ----------------------------------------------

def test_docs_examples_run(monkeypatch):
    monkeypatch.chdir(REPO)
    result = doctest.testfile(str(REPO / 'docs' / 'catalogue.md'),
                              module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted > 30
    assert result.failed == 0
