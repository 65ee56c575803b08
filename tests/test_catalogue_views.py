"""Catalogue pages through the real app: guides, manual, versions admin."""
import os
import re
import shutil

import pytest

from casefile.catalogue.loader import check_catalogue

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUE = os.path.join(REPO, 'schemas', 'catalogue')


def number(page, element_id):
    match = re.search(r'id="%s">(\d+)<' % element_id, page.text)
    return int(match.group(1)) if match else None


def test_guide_index_links_every_entry_and_keeps_search(testapp):
    page = testapp.get('/guides')
    assert 'href="http://localhost/guides/M-01"' in page.text
    assert 'href="http://localhost/guides/P-RE-3"' in page.text
    assert '/manual/' not in page.text           # anonymous: no staff links
    found = testapp.get('/guides', {'q': '药店'})
    assert '/guides/M-01' in found.text
    assert '/guides/M-02' not in found.text
    guide = page.click(href='/guides/M-01$')
    assert guide.status_int == 200


def test_pharmacy_guide_is_public_and_complete(testapp):
    page = testapp.get('/guides/M-01')
    text = page.text
    assert '开办药店' in text
    # 受理条件: all items' conditions
    assert '已依法取得营业执照' in text
    assert '有依法经过资格认定的执业药师，负责处方审核和药学服务' in text
    # 申请材料: the merged list, forms, the licence passed on internally
    for name in ('公司章程', '经营场所使用证明（房屋产权证明或租赁合同）',
                 '执业药师注册证及身份证明', '主要设施、设备目录',
                 '从业人员健康证明', '授权委托书及受托人身份证件'):
        assert name in text
    assert text.count('class="material-name">经营场所使用证明') == 1
    assert '原件' in text and '复印件' in text
    internal = re.search(r'<li class="internal">(.*?)</li>', text, re.S)
    assert '营业执照' in internal.group(1)
    assert '企业设立登记（营业执照核发）' in internal.group(1)
    # 办理流程: the inline SVG with boxes per item and prerequisite arrows
    assert '<svg' in text and 'data-item="SY-001"' in text
    assert 'data-from="SC-001" data-to="SY-002"' in text
    assert '<script' not in text
    # 办结时限: parallel beside sequential, statutory too
    assert number(page, 'critical-path') == 11
    assert number(page, 'sequential-days') == 17
    assert number(page, 'critical-path-statutory') == 23
    # 现场勘验: merged points once, time not counted (Art. 45)
    assert text.count('经营场所面积、布局与平面图一致') == 1
    assert '温湿度监测和调控设备运行正常' in text
    assert '第四十五条' in text
    # 收费标准 with the basis, 咨询 and 监督, 设定依据
    assert '《中华人民共和国市场主体登记管理条例》不收取登记费' in text
    assert '第五十八条' in text
    assert '0412-5550101' in text and '0412-5550107' in text
    assert '电子监察' in text and '12345' in text
    assert '《中华人民共和国药品管理法》第五十一条、第五十二条' in text
    # prints cleanly, links the PDF notice
    assert '<style media="print">' in text
    assert '/guides/M-01/notice.pdf' in text
    assert '/manual/M-01' not in text


def test_stage_guide_and_unknown_code(testapp):
    page = testapp.get('/guides/P-IND-3')
    assert '工业项目 · 施工许可' in page.text
    assert '/guides/P-IND-4' in page.text             # the other stages
    testapp.get('/guides/NO-SUCH', status=404)


def test_manual_needs_login_and_shows_review_and_inspection_points(
        testapp, login):
    response = testapp.get('/manual/M-01', status=302)
    assert '/login?came_from=' in response.location
    clerk = login('clerk')
    page = clerk.get('/manual/M-01')
    text = page.text
    assert '执业药师注册证在有效期内，注册单位与申请企业一致' in text   # review point
    assert '告知承诺书由法定代表人签字并加盖公章' in text
    assert text.count('class="inspection-point">经营场所与申请材料一致') == 1
    assert '《中华人民共和国公司法》第二十九条' in text
    assert '30年' in text and '10年' in text                  # retention
    assert text.index('id="item-SC-001"') < text.index('id="item-SY-003"')
    # staff see the manual link on guides
    assert '/manual/M-01' in clerk.get('/guides/M-01').text
    clerk.get('/manual/NO-SUCH', status=404)


def test_versions_page_is_for_the_administrator(login):
    clerk = login('clerk')
    clerk.get('/admin/catalogue', status=403)
    clerk.post('/admin/catalogue/reload', {'csrf_token': clerk.csrf()},
               status=403)
    manager = login('manager')
    page = manager.get('/admin/catalogue')
    assert 'v1' in page.text
    assert 'name="csrf_token"' in page.text
    assert CATALOGUE in page.text


def _reload(manager, **kw):
    token = manager.csrf()
    return manager.post('/admin/catalogue/reload', {'csrf_token': token},
                        **kw)


def test_reload_changed_directory_makes_version_2_and_shows_the_diff(
        app, login, root, tmp_path):
    changed = tmp_path / 'catalogue'
    shutil.copytree(CATALOGUE, changed)
    food = changed / 'items' / 'food_drug.yaml'
    source = food.read_text(encoding='utf-8')
    assert source.count('limits: {statutory: 20, promised: 10}') == 1
    food.write_text(source.replace('limits: {statutory: 20, promised: 10}',
                                   'limits: {statutory: 20, promised: 7}'),
                    encoding='utf-8')
    manager = login('manager')
    # CSRF is checked
    manager.post('/admin/catalogue/reload', {'csrf_token': 'forged'},
                 status=400)
    # unchanged directory: no new version
    response = _reload(manager, status=302)
    assert response.location.endswith('/admin/catalogue')
    app.registry.settings['casefile.catalogue_dir'] = str(changed)
    response = _reload(manager, status=302)
    assert 'old=1' in response.location and 'new=2' in response.location
    page = response.follow()
    assert '事项 SY-001 药品经营许可证核发（零售）：承诺时限 10→7' in page.text
    assert '<strong>7</strong>' in page.text
    versions = manager.get('/admin/catalogue')
    assert 'v2' in versions.text and str(changed) in versions.text
    # the public guide follows the version in force: 1 + 7 days
    guide = manager.get('/guides/M-01')
    assert number(guide, 'critical-path') == 8
    root._p_jar.sync()
    assert root['catalogue'].current_number == 2
    assert root['catalogue'].current.loaded_by == 'manager'


def test_broken_directory_shows_every_problem_and_keeps_version_1(
        app, login, root, tmp_path):
    broken = tmp_path / 'catalogue'
    shutil.copytree(CATALOGUE, broken)
    food = broken / 'items' / 'food_drug.yaml'
    food.write_text(food.read_text(encoding='utf-8').replace(
        'limits: {statutory: 20, promised: 10}',
        'limits: {statutory: 20, promised: 30}'), encoding='utf-8')
    market = broken / 'items' / 'market_entry.yaml'
    market.write_text(market.read_text(encoding='utf-8').replace(
        'retention: 30y', 'retentoin: 30y', 1), encoding='utf-8')
    problems = check_catalogue(str(broken))
    assert len(problems) >= 2
    app.registry.settings['casefile.catalogue_dir'] = str(broken)
    manager = login('manager')
    page = _reload(manager, status=400)
    shown = re.findall(r'<li class="problem">(.*?)</li>', page.text)
    assert len(shown) == len(problems)
    for problem in problems:
        assert f'{problem.file}:{problem.line}:' in page.text
    assert any(p.startswith('items/food_drug.yaml:') for p in shown)
    assert any(p.startswith('items/market_entry.yaml:') for p in shown)
    root._p_jar.sync()
    assert root['catalogue'].current_number == 1
    assert number(manager.get('/guides/M-01'), 'critical-path') == 11


def test_diff_page_bad_versions_are_not_found(login):
    manager = login('manager')
    manager.get('/admin/catalogue/diff', status=404)      # only v1
    manager.get('/admin/catalogue/diff?old=1&new=9', status=404)
    manager.get('/admin/catalogue/diff?old=x&new=1', status=404)
