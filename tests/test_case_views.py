"""Intake at the window, the case page, materials: through the real app."""
import hashlib

import pytest

from casehelpers import (
    PDF_BYTES, PNG_BYTES, PHARMACY, create_case, current_catalogue,
    deform_csrf, intake_controls, open_db_case, upload)
from conftest import csrf_from


@pytest.fixture
def clerk(login):
    return login('clerk')


@pytest.fixture
def case_url(clerk):
    response = create_case(clerk)
    assert response.status_int == 302, response.text[:3000]
    return response.location


def test_clerk_chooses_an_application_then_sees_the_one_form(clerk):
    page = clerk.get('/cases/new')
    assert '开办药店' in page.text
    form = clerk.get('/cases/new?application=%s' % PHARMACY)
    assert 'name="identifier"' in form.text
    assert 'name="_csrf_token_"' in form.text


def test_creating_a_case_gives_a_case_number_and_journal(clerk, case_url,
                                                        testapp):
    number = case_url.rstrip('/').split('/')[-1]
    assert number.startswith('AS-')
    page = clerk.get(case_url)
    assert number in page.text
    assert '鞍山市康宁大药房有限公司' in page.text
    conn, case = open_db_case(testapp, number)
    try:
        assert case.application_code == PHARMACY
        assert case.catalogue_version == 1
        assert set(case.sections) >= {'market_entry', 'food_drug'}
        assert [e['action'] for e in case.journal] == ['case.created']
        case.journal.verify()
    finally:
        conn.close()


def test_invalid_credit_code_is_refused_and_nothing_is_created(clerk,
                                                               testapp):
    response = create_case(clerk, applicant={'identifier':
                                             '91210302MA12345670'},
                           ) if False else None
    catalogue = current_catalogue(clerk.app)
    controls = intake_controls(catalogue, PHARMACY, csrf=deform_csrf(clerk),
                               applicant={'identifier': '91210302MA1234567X'})
    response = clerk.post('/cases/new?application=%s' % PHARMACY, controls,
                          status=400)
    assert '统一社会信用代码' in response.text
    conn, _ = open_db_case(testapp, 'none')
    try:
        assert len(conn.root()['app_root']['cases']) == 0
    finally:
        conn.close()


def test_missing_required_field_is_refused_with_message(clerk, testapp):
    catalogue = current_catalogue(clerk.app)
    controls = intake_controls(catalogue, PHARMACY, csrf=deform_csrf(clerk),
                               skip=('contact',))
    response = clerk.post('/cases/new?application=%s' % PHARMACY, controls,
                          status=400)
    assert '必填' in response.text
    conn, _ = open_db_case(testapp, 'none')
    try:
        assert len(conn.root()['app_root']['cases']) == 0
    finally:
        conn.close()


def test_intake_without_csrf_token_is_refused(clerk, testapp):
    catalogue = current_catalogue(clerk.app)
    controls = intake_controls(catalogue, PHARMACY, csrf='forged')
    clerk.post('/cases/new?application=%s' % PHARMACY, controls, status=400)
    conn, _ = open_db_case(testapp, 'none')
    try:
        assert len(conn.root()['app_root']['cases']) == 0
    finally:
        conn.close()


def first_material_code(testapp):
    catalogue = current_catalogue(testapp)
    return catalogue.merged_materials(PHARMACY)[0].material.code


def test_upload_and_download_a_material(clerk, case_url, testapp):
    code = first_material_code(testapp)
    response = upload(clerk, case_url, '申请书.pdf', PDF_BYTES, code)
    assert response.status_int == 302
    page = clerk.get(case_url)
    assert '申请书.pdf' in page.text
    number = case_url.split('/')[-1]
    download = clerk.get('/cases/%s/materials/m001' % number)
    assert download.body == PDF_BYTES
    assert download.content_type == 'application/pdf'
    assert 'attachment' in download.headers['Content-Disposition']
    assert download.headers['X-Content-Type-Options'] == 'nosniff'
    conn, case = open_db_case(testapp, number)
    try:
        material = case['materials']['m001']
        assert material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
        assert material.mimetype == 'application/pdf'
        assert [e['action'] for e in case.journal][-1] == 'material.added'
    finally:
        conn.close()


@pytest.mark.parametrize('filename,data,message', [
    ('empty.pdf', b'', '文件是空的'),
    ('fake.pdf', PNG_BYTES, '不是'),
    ('script.html', b'<script>alert(1)</script>', '不接受'),
])
def test_bad_uploads_are_refused_and_leave_nothing(clerk, case_url, testapp,
                                                   filename, data, message):
    code = first_material_code(testapp)
    response = upload(clerk, case_url, filename, data, code)
    assert response.status_int == 400
    assert message in response.text
    number = case_url.split('/')[-1]
    conn, case = open_db_case(testapp, number)
    try:
        assert len(case['materials']) == 0
        assert [e['action'] for e in case.journal] == ['case.created']
    finally:
        conn.close()


def test_oversize_upload_is_refused(clerk, case_url, testapp):
    code = first_material_code(testapp)
    catalogue = current_catalogue(testapp)
    limit = catalogue.materials[code].max_size_mb
    big = PDF_BYTES + b'0' * (limit * 1024 * 1024)
    response = upload(clerk, case_url, 'big.pdf', big, code)
    assert response.status_int == 400
    assert 'MB' in response.text
    number = case_url.split('/')[-1]
    conn, case = open_db_case(testapp, number)
    try:
        assert len(case['materials']) == 0
    finally:
        conn.close()


def test_reviewers_do_not_see_a_case_before_acceptance(login, case_url):
    """At intake the case belongs to the window; sections see it once it
    is accepted and routed (the permission table of ``submitted``)."""
    login('reviewer.food').get(case_url, status=403)


def test_case_list_finds_by_case_number(clerk, case_url):
    number = case_url.split('/')[-1]
    page = clerk.get('/cases?q=%s' % number)
    assert number in page.text


def test_cases_keep_the_catalogue_version_they_were_created_under(
        clerk, case_url, testapp, tmp_path):
    """Changing an item's limit makes a new version; the existing case
    still shows the old limit, a new case the new one."""
    import re
    import shutil

    import transaction

    from casefile.catalogue.loading import load_into
    from conftest import REPO
    changed = tmp_path / 'catalogue'
    shutil.copytree(REPO + '/schemas/catalogue', changed)
    path = changed / 'items' / 'food_drug.yaml'
    text = path.read_text(encoding='utf-8')
    start = text.index('- code: SY-001')
    old = re.search(r'promised: (\d+)', text[start:]).group(0)
    new_days = int(old.split()[1]) - 1
    text = text[:start] + text[start:].replace(
        old, 'promised: %d' % new_days, 1)
    path.write_text(text, encoding='utf-8')

    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    from pyramid.threadlocal import manager
    manager.push({'registry': testapp.app.registry, 'request': None})
    try:
        version, created = load_into(conn.root()['app_root'], str(changed),
                                     actor='test')
        transaction.commit()
    finally:
        manager.pop()
        conn.close()
    assert created and version.number == 2

    def sy001_promised(page):
        row = re.search(r'SY-001</span></td>.*?limit-promised">(\d+)',
                        page.text, re.S)
        return int(row.group(1))

    old_page = clerk.get(case_url)
    assert sy001_promised(old_page) == int(old.split()[1])
    new_case = create_case(clerk)
    new_page = clerk.get(new_case.location)
    assert sy001_promised(new_page) == new_days
