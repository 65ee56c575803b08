"""Building blocks for tests that need a case: valid form data, files."""
import re

from casefile.identifiers import credit_code_check_char


def csrf_from(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else None

PHARMACY = 'M-01'


def credit_code(body='91210302MA0XXXX0'):
    body = (body + '00000000000000000')[:17].replace('X', '1')
    return body + credit_code_check_char(body)


VALID_CODE = credit_code('91210302MA1234567')

PDF_BYTES = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
             b'2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer'
             b'<</Root 1 0 R>>\n%%EOF\n')
PNG_BYTES = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00'
             b'\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89' + b'\x00' * 64)


VALUES = {
    'text': '鞍山市铁东区二一九路18号',
    'textarea': '药品零售；预包装食品销售；第二类医疗器械零售。',
    'credit_code': VALID_CODE,
    'id_number': '11010519491231002X',
    'phone': '13904121234',
    'area': '120.5',
    'money': '500000',
    'integer': '12',
    'boolean': 'true',
}


def field_controls(field, value=None):
    """Deform's POST controls for one catalogue field, with a valid value."""
    if field.type == 'date':
        return [('__start__', field.key + ':mapping'),
                ('date', value or '2026-12-01'),
                ('__end__', field.key + ':mapping')]
    if field.type == 'address':
        return [('__start__', field.key + ':mapping'),
                ('district', '210302'), ('detail', '二一九路18号'),
                ('__end__', field.key + ':mapping')]
    if field.type == 'choice':
        return [(field.key, value or field.options[0])]
    return [(field.key, value if value is not None else VALUES[field.type])]


def intake_controls(catalogue, code, applicant=None, overrides=None,
                    csrf='', skip=(), project=None):
    """The whole intake POST for application ``code`` (valid by default)."""
    from casefile.case.intake import APPLICANT_KEYS
    from casefile.catalogue.forms import group_name
    applicant = dict({'applicant_kind': 'company',
                      'name': '鞍山市康宁大药房有限公司',
                      'identifier': VALID_CODE, 'contact': '张三',
                      'phone': '13904121234'}, **(applicant or {}))
    overrides = overrides or {}
    controls = [('_charset_', 'UTF-8'), ('__formid__', 'intake'),
                ('_csrf_token_', csrf),
                ('__start__', 'applicant:mapping')]
    controls += [(k, v) for k, v in applicant.items() if k not in skip]
    controls.append(('__end__', 'applicant:mapping'))
    if catalogue.application(code).kind == 'stage':
        project = project if project is not None else {
            'name': '鞍山市某某装备制造厂房建设项目'}
        controls += [('__start__', 'project:mapping'),
                     ('number', project.get('number', '')),
                     ('name', project.get('name', '')),
                     ('__end__', 'project:mapping')]
    form = catalogue.merged_fields(code)
    shared = [f.field for f in form.shared if f.field.key not in APPLICANT_KEYS]
    if shared:
        controls.append(('__start__', 'shared:mapping'))
        for field in shared:
            if field.key not in skip:
                controls += field_controls(field, overrides.get(field.key))
        controls.append(('__end__', 'shared:mapping'))
    for group in form.per_item:
        name = group_name(group.item)
        controls.append(('__start__', name + ':mapping'))
        for field in group.fields:
            if field.key not in skip:
                controls += field_controls(field, overrides.get(field.key))
        controls.append(('__end__', name + ':mapping'))
    controls.append(('submit', 'submit'))
    return controls




def current_catalogue(testapp):
    from casefile.catalogue.store import current_catalogue
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    try:
        return current_catalogue(conn.root()['app_root'])
    finally:
        conn.close()


def deform_csrf(browser, code=PHARMACY):
    page = browser.get('/cases/new?application=%s' % code)
    return re.search(r'name="_csrf_token_" value="([^"]+)"',
                     page.text).group(1)


def create_case(browser, code=PHARMACY, **kw):
    catalogue = current_catalogue(browser.app)
    controls = intake_controls(catalogue, code, csrf=deform_csrf(browser,
                                                                 code), **kw)
    return browser.post('/cases/new?application=%s' % code, controls,
                        expect_errors=True)


def open_db_case(testapp, number):
    db = testapp.app.registry._zodb_databases['']
    conn = db.open()
    return conn, conn.root()['app_root']['cases'].get(number)


def upload(browser, case_url, filename, data, code):
    """Upload one file for material ``code`` through the case page."""
    page = browser.get(case_url)
    return browser.post(case_url + '/upload', {
        'csrf_token': csrf_from(page.text), 'material_code': code},
        upload_files=[('file', filename, data)], expect_errors=True)




def upload_required(browser, case_url, testapp, code=PHARMACY, skip=()):
    """Upload a small PDF for every required material the applicant gives."""
    catalogue = current_catalogue(testapp)
    for need in catalogue.merged_materials(code):
        if not (need.required and need.submitted_by_applicant):
            continue
        if need.material.code in skip:
            continue
        response = upload(browser, case_url, need.material.code + '.pdf',
                          PDF_BYTES, need.material.code)
        assert response.status_int == 302, response.text[:2000]


def make_case(root, registry, code=PHARMACY):
    """A case of application ``code`` created straight in the model (no
    request) by the clerk, committed."""
    import transaction

    from casefile.case.intake import application_data
    from casefile.case.service import create_case
    from casefile.catalogue.store import catalogue_versions
    version = catalogue_versions(root).current
    case = create_case(
        root, application_data(version.catalogue, code),
        {'kind': 'company', 'name': '鞍山市测试有限公司',
         'identifier': '91210302MA1234567X'},
        catalogue_version=version.number, actor='clerk', registry=registry)
    transaction.commit()
    return case
