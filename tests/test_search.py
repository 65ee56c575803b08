"""Search through the application: queue, permissions, page, API, export.

Cases are made through the intake page, so the index is fed by the same
events and transaction hooks as in production.
"""
import io


from casehelpers import create_case, csrf_from

PHARMACY_NAME = '鞍山市铁东区开办药店申请人康宁大药房有限公司'


def new_case(browser, name=PHARMACY_NAME, contact='张三'):
    response = create_case(browser, applicant={'name': name,
                                               'contact': contact})
    assert response.status_int == 302, response.text[:2000]
    return response.location.rstrip('/').rsplit('/', 1)[1]


def api_hits(browser, q, **params):
    params['q'] = q
    response = browser.app.get('/api/search', params=params)
    return response.json


def numbers(result):
    return [h['case_number'] for h in result['hits']]


def test_a_new_case_is_found_by_words_inside_compounds(testapp, login):
    clerk = login('clerk')
    number = new_case(clerk)
    # 药店 inside 开办药店申请人; the full name; the case number
    assert number in numbers(api_hits(clerk, '药店'))
    assert number in numbers(api_hits(clerk, '康宁大药房'))
    assert number in numbers(api_hits(clerk, number))
    assert number not in numbers(api_hits(clerk, '康宁小药房'))
    hit = [h for h in api_hits(clerk, '药店')['hits']
           if h['case_number'] == number][0]
    assert '<mark>药店</mark>' in hit['snippet']
    assert hit['url'].endswith('/cases/' + number)


def test_the_page_shows_help_hits_and_exports(testapp, login):
    clerk = login('clerk')
    number = new_case(clerk)
    page = clerk.get('/search', params={'q': '药店'})
    assert number in page.text
    assert '<mark>药店</mark>' in page.text
    assert '"精确短语"' in page.text or '精确' in page.text
    export = clerk.get('/search/export.xlsx', params={'q': '药店'})
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(export.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == number
    assert '药店' in rows[1][4]


def test_saved_searches_belong_to_their_user(testapp, login):
    clerk = login('clerk')
    page = clerk.get('/search', params={'q': '药店', 'sort': 'date'})
    clerk.app.post('/search/saved', {
        'csrf_token': csrf_from(page.text), 'name': '我的药店',
        'query': 'q=药店&sort=date'})
    assert '我的药店' in clerk.get('/search').text
    other = login('reviewer.market')
    assert '我的药店' not in other.get('/search').text


def test_a_bad_query_is_told_not_crashed(testapp, login):
    clerk = login('clerk')
    page = clerk.get('/search', params={'q': '"药店'}, status=400)
    assert '无法' in page.text or 'class="error"' in page.text
    response = clerk.app.get('/api/search', params={'q': 'date:2024-13-45'},
                             status=400)
    assert response.json['error']['code'] == 'invalid-query'
