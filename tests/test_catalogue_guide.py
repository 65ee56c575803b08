"""The service guide as data (guide.py) and its flow diagram (diagram.py).

No app, no request: the guide is composed from the catalogue directly.
"""
import os
import xml.etree.ElementTree as ET

import pytest

from casefile.catalogue.diagram import flow_diagram, wrap
from casefile.catalogue.guide import (ART_45, HOTLINE, SUPERVISION,
                                      compose_guide,
                                      supervision_from_settings)
from casefile.catalogue.loader import load_catalogue

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SVG = '{http://www.w3.org/2000/svg}'


@pytest.fixture(scope='module')
def catalogue():
    return load_catalogue(os.path.join(REPO, 'schemas', 'catalogue'))


@pytest.fixture(scope='module')
def pharmacy(catalogue):
    return compose_guide(catalogue, 'M-01')


def test_pharmacy_guide_names_the_application_and_its_items(pharmacy):
    assert pharmacy.title == '开办药店'
    assert pharmacy.kind == 'matter'
    assert pharmacy.lead_section.name == '市场准入科'
    assert [i.name for i in pharmacy.items] == [
        '企业设立登记（营业执照核发）', '药品经营许可证核发（零售）',
        '食品经营许可证核发', '第二类医疗器械经营备案']
    assert pharmacy.item('SY-001').certificate == '药品经营许可证'


def test_materials_are_listed_once_and_the_licence_travels_inside(pharmacy):
    names = [m.name for m in pharmacy.materials]
    assert len(names) == len(set(names))
    assert '经营场所使用证明（房屋产权证明或租赁合同）' in names
    assert '执业药师注册证及身份证明' in names
    # issued by SC-001 of the same application: not asked of the applicant
    assert '营业执照' not in names
    [licence] = pharmacy.internal_materials
    assert licence.name == '营业执照'
    assert licence.produced_by == 'SC-001'
    assert licence.produced_by_name == '企业设立登记（营业执照核发）'
    by_code = {m.code: m for m in pharmacy.materials}
    premises = by_code['premises_proof']
    assert premises.all_items and premises.reusable and premises.required
    assert premises.form == '复印件' and premises.count == 1
    assert by_code['facilities_list'].gaps_allowed
    assert not by_code['power_of_attorney'].required
    # required materials come before optional ones
    required = [m.required for m in pharmacy.materials]
    assert required == sorted(required, reverse=True)


def test_conditions_of_all_items_each_once(pharmacy):
    texts = [c.text for c in pharmacy.conditions]
    assert len(texts) == len(set(texts))
    licence = next(c for c in pharmacy.conditions
                   if c.text == '已依法取得营业执照')
    assert licence.items == ('药品经营许可证核发（零售）', '食品经营许可证核发',
                             '第二类医疗器械经营备案')
    assert '有依法经过资格认定的执业药师，负责处方审核和药学服务' in texts


def test_parallel_and_sequential_days(pharmacy):
    assert pharmacy.time.promised == 11          # SC-001 1 + SY-001 10
    assert pharmacy.time.promised_sequential == 17
    assert pharmacy.time.statutory == 23
    assert pharmacy.time.statutory_sequential == 34
    assert pharmacy.time.saved == 6
    sy1 = pharmacy.item('SY-001')
    assert (sy1.start, sy1.finish, sy1.level, sy1.critical) == (1, 11, 1, True)
    assert not pharmacy.item('SY-003').critical


def test_one_visit_merges_inspection_points(pharmacy):
    assert pharmacy.needs_inspection and not pharmacy.needs_expert_review
    points = {p.text: p.items for p in pharmacy.inspection_points}
    assert points['经营场所与申请材料一致'] == ('药品经营许可证核发（零售）',
                                                '食品经营许可证核发')
    assert '温湿度监测和调控设备运行正常' in points
    assert len(points) == len(pharmacy.inspection_points)
    assert '第四十五条' in ART_45


def test_fees_free_with_a_basis(pharmacy):
    assert pharmacy.all_free
    assert pharmacy.fees[0].basis == '《中华人民共和国市场主体登记管理条例》不收取登记费'
    # no basis in the catalogue: Art. 58 (no fee unless a law provides one)
    assert '第五十八条' in pharmacy.fees[1].basis


def test_paid_item_shows_amount(catalogue):
    guide = compose_guide(catalogue, 'P-RE-2')
    assert not guide.all_free
    fee = next(f for f in guide.fees if not f.free)
    assert fee.amount_text.startswith('100元/平方米')


def test_contacts_windows_sections_inspection_supervision(pharmacy):
    roles = [(c.role, c.name) for c in pharmacy.contacts]
    assert roles[0][0] == 'window'
    assert ('lead', '市场准入科') in roles
    assert ('section', '食品药品科') in roles
    assert ('inspection', '现场勘验科') in roles
    assert all(c.phone for c in pharmacy.contacts)
    assert pharmacy.supervision == (SUPERVISION, HOTLINE)


def test_supervision_contact_from_settings():
    contacts = supervision_from_settings(
        {'casefile.supervision_phone': '0412-1234567'})
    assert contacts[0].phone == '0412-1234567'
    assert contacts[0].name == SUPERVISION.name


def test_stage_guide_lists_stages_experts_and_external_prerequisites(
        catalogue):
    stage = compose_guide(catalogue, 'P-IND-3')
    assert stage.project == '工业项目'
    assert [c for c, _ in stage.stages] == ['P-IND-1', 'P-IND-2', 'P-IND-3',
                                            'P-IND-4']
    assert stage.external        # needs a permit from the previous stage
    assert all(pair[1] == catalogue.items['JS-001'].name
               for pair in stage.external)
    first = compose_guide(catalogue, 'P-IND-1')
    assert ('环境影响评价' in dict(first.expert_reviews).values())


def test_legal_bases_each_once(pharmacy):
    texts = [b.text for b in pharmacy.legal_bases]
    assert len(texts) == len(set(texts))
    assert '《中华人民共和国药品管理法》第五十一条、第五十二条' in texts


def test_unknown_code(catalogue):
    with pytest.raises(KeyError):
        compose_guide(catalogue, 'NO-SUCH')


# -- the flow diagram ---------------------------------------------------------

def _parse(diagram):
    root = ET.fromstring(str(diagram.svg))
    boxes = {}
    for g in root.iter(SVG + 'g'):
        if g.get('data-item'):
            rect = g.find(SVG + 'rect')
            boxes[g.get('data-item')] = (int(g.get('data-level')),
                                         int(rect.get('x')))
    arrows = {(p.get('data-from'), p.get('data-to'))
              for p in root.iter(SVG + 'path')
              if 'prerequisite' in (p.get('class') or '').split()}
    return root, boxes, arrows


def test_prerequisites_are_in_later_columns_with_an_arrow(catalogue):
    for application in catalogue.applications():
        diagram = flow_diagram(catalogue, application.code)
        _root, boxes, arrows = _parse(diagram)
        assert set(boxes) == set(application.items)
        edges = set()
        for code in application.items:
            for p in catalogue.items[code].prerequisites:
                if p in application.items:
                    edges.add((p, code))
                    assert boxes[code][0] > boxes[p][0], (application.code, p)
                    assert boxes[code][1] > boxes[p][1], (application.code, p)
        assert arrows == edges, application.code


def test_pharmacy_diagram_columns_and_box_text(catalogue):
    diagram = flow_diagram(catalogue, 'M-01')
    root, boxes, arrows = _parse(diagram)
    assert boxes['SC-001'][0] == 0
    assert {boxes[c][0] for c in ('SY-001', 'SY-002', 'SY-003')} == {1}
    # parallel items share the column
    assert len({boxes[c][1] for c in ('SY-001', 'SY-002', 'SY-003')}) == 1
    assert arrows == {('SC-001', 'SY-001'), ('SC-001', 'SY-002'),
                      ('SC-001', 'SY-003')}
    text = ''.join(root.itertext())
    assert '药品经营许可证核发（零售）' in text
    assert '食品药品科' in text and '市场准入科' in text
    assert '10 working days' in text          # untranslated msgid default
    critical = [g.get('data-item') for g in root.iter(SVG + 'g')
                if 'critical' in (g.get('class') or '').split()]
    assert critical == ['SC-001', 'SY-001']
    assert 'script' not in str(diagram.svg).lower()


def test_diagram_translates_with_the_given_function(catalogue):
    diagram = flow_diagram(catalogue, 'M-01',
                           translate=lambda m: '<' + m.interpolate() + '>')
    assert '&lt;10 working days&gt;' in str(diagram.svg)
    ET.fromstring(str(diagram.svg))        # still well-formed


def test_wrap_keeps_lines_within_the_box():
    lines = wrap('建设工程规划许可证核发（含建筑工程设计方案审查）', 120, 14)
    assert ''.join(lines).rstrip('…') in '建设工程规划许可证核发（含建筑工程设计方案审查）'
    assert all(len(line) * 14 <= 120 + 14 for line in lines)
