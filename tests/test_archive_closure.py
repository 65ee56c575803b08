"""The closure check: the archivist sees exactly what blocks archiving."""
import transaction

from archivehelpers import archive, complete, with_case
from casehelpers import create_case
from test_lifecycle import accepted, step  # noqa: F401  (fixture)


def test_an_open_annotation_blocks_archiving_and_is_named(
        login, testapp, accepted, app):
    url, number = accepted
    complete(login, url)
    from pyramid.threadlocal import manager
    from casefile.annotation.service import add_annotation, resolve
    db = app.registry._zodb_databases['']
    manager.push({'registry': app.registry, 'request': None})
    try:
        conn = db.open()
        case = conn.root()['app_root']['cases'][number]
        add_annotation(case, 'decisions', next(iter(case['decisions'])), 1,
                       1, '依据条款引用有误', 'reviewer.market')
        transaction.commit()
        conn.close()
    finally:
        manager.pop()
    page = login('archivist').get('/archives/pending')
    row = page.text.split('id="pending-%s"' % number)[1].split('</tr>')[0]
    assert '1 条批注尚未解决' in row and '依据条款引用有误' in row
    assert '/archive"' not in row            # no archive button
    archivist, response = archive(login, number)
    assert with_case(testapp, number, lambda c: c.state) == 'completed'
    page = archivist.get(response.location)
    assert '未归档' in page.text and '批注尚未解决' in page.text
    # resolved: nothing blocks any more
    manager.push({'registry': app.registry, 'request': None})
    try:
        conn = db.open()
        case = conn.root()['app_root']['cases'][number]
        for annotation in case['annotations'].values():
            resolve(annotation, 'reviewer.market')
        transaction.commit()
        conn.close()
    finally:
        manager.pop()
    row = login('archivist').get('/archives/pending').text.split(
        'id="pending-%s"' % number)[1].split('</tr>')[0]
    assert '/archive"' in row
    assert archive(login, number)[1].status_int == 302
    assert with_case(testapp, number, lambda c: c.state) == 'archived'


def test_a_refused_application_is_archived_with_its_notice(login, testapp):
    clerk = login('clerk')
    url = create_case(clerk).location
    number = url.rsplit('/', 1)[-1]
    response = step(clerk, url, '/do/refuse', reasons='不属于本机关职权范围')
    assert response.status_int == 302
    archive(login, number)

    def facts(case):
        from casefile.archive.index import file_index
        return case.state, case.retention, [e.kind for e in
                                            file_index(case)]
    state, retention, kinds = with_case(testapp, number, facts)
    assert state == 'archived' and retention == '30y'
    assert kinds[:2] == ['application_form', 'refusal_notice']
    assert kinds[-2:] == ['journal', 'journal_data']
