"""Archiving a completed 开办药店 case: closure check, archive number,
retention, file index, read-only afterwards, every reading journaled."""
import re

from archivehelpers import archive, complete, with_case
from casehelpers import PDF_BYTES, csrf_from, open_db_case
from test_lifecycle import accepted, step  # noqa: F401  (fixture)

from casefile.archive.index import GROUPS, file_index


def test_a_completed_pharmacy_case_is_archived_with_number_and_index(
        login, testapp, accepted, tmp_path, app_settings):
    url, number = accepted
    # not complete yet: the closure check says what blocks, nothing changes
    archivist, response = archive(login, number)
    assert response.status_int == 302
    assert with_case(testapp, number, lambda c: c.state) == 'in_review'

    complete(login, url)
    pending = login('archivist').get('/archives/pending')
    assert 'id="pending-%s"' % number in pending.text
    archivist, response = archive(login, number)
    assert response.status_int == 302, response.text[:2000]
    assert response.location.endswith('/archives/%s' % number)

    def facts(case):
        return (case.state, case.archive_number, case.retention,
                case.archived_by, [e['action'] for e in case.journal][-1])
    state, archive_number, retention, by, last = with_case(
        testapp, number, facts)
    assert state == 'archived'
    # schemas/archive.yaml: A037-<year>-<retention code>-<sequence>;
    # SC-001 and SY-001/002 keep 30 years, SY-003 10: the longest wins
    assert re.fullmatch(r'A037-20\d\d-D30-0001', archive_number)
    assert retention == '30y' and by == 'archivist'
    assert last == 'archive.archived'

    page = archivist.get('/archives/%s' % number)
    assert archive_number in page.text and '30年' in page.text

    # the download button: the package verifies, its download is journaled
    assert 'id="download-package"' in page.text
    response = archivist.get('/archives/%s/package.zip' % number)
    assert response.content_type == 'application/zip'
    path = tmp_path / 'download.zip'
    path.write_bytes(response.body)
    from casefile.archive.package import load_public_key, verify_package
    assert verify_package(path, load_public_key(app_settings)) == []
    assert ('archive.export', 'archivist') in with_case(
        testapp, number, lambda c: [(e['action'], e['actor'])
                                    for e in c.journal])
    assert 'id="file-index"' in page.text and '/records/1"' in page.text


def test_the_file_index_lists_every_document_in_the_fixed_order(
        login, testapp, accepted):
    url, number = accepted
    # a replaced material: both versions are records of the case
    conn, case = open_db_case(testapp, number)
    name, code = next((n, m.material_code)
                      for n, m in case['materials'].items())
    conn.close()
    clerk = login('clerk')
    response = clerk.post(url + '/upload', {
        'csrf_token': clerk.csrf(), 'material_code': code, 'replace': name,
        'reason': '原件扫描不清晰，重新上传'},
        upload_files=[('file', 'rescan.pdf', PDF_BYTES + b'%rescan\n')])
    assert response.status_int == 302, response.text[:2000]
    complete(login, url)
    archive(login, number)

    def check(case):
        entries = file_index(case)
        order = [g for g, _t in GROUPS]
        groups = [e.group for e in entries]
        assert groups == sorted(groups, key=order.index)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        # every version of every material, every issued document
        versions = {(n, v.number) for n, m in case['materials'].items()
                    for v in m.versions}
        assert {e.source[1:] for e in entries
                if e.source[0] == 'material'} == versions
        documents = {(c, n) for c in ('documents', 'decisions',
                                      'certificates')
                     for n in case[c].keys()}
        assert {e.source[1:] for e in entries
                if e.source[0] == 'document'} == documents
        first = {}
        for e in entries:
            first.setdefault(e.kind, e.seq)
        # application → acceptance → materials → inspection → ... → journal
        assert entries[0].kind == 'application_form'
        assert first['acceptance_notice'] < first['material'] < \
            first['inspection_notice'] < first['review_opinions'] < \
            first['decision_grant'] < first['certificate'] < \
            first['delivery_record'] < first['journal']
        assert entries[-1].group == 'journal'
        replaced = [e for e in entries if e.source[:2] == ('material',
                                                           name)]
        assert [e.source[2] for e in replaced] == [1, 2]
        assert replaced[1].title.endswith('（第2版）')
        # each group's kinds
        by_kind = {e.kind: e.group for e in entries}
        assert by_kind['decision_deny' if 'decision_deny' in by_kind
                       else 'decision_grant'] == 'decisions'
        assert by_kind['inspection_report'] == 'inspection'
        return len(entries)
    count = with_case(testapp, number, check)
    page = login('archivist').get('/archives/%s' % number)
    assert page.text.count('/records/') >= count


def test_an_archived_case_refuses_every_change_and_journals_it(
        login, testapp, accepted):
    url, number = accepted
    complete(login, url)
    archive(login, number)
    # nobody but the archivist sees the case any more
    for user in ('clerk', 'reviewer.market', 'issuer', 'supervisor'):
        login(user).get(url, status=403)
    # the window may not add a material; the refusal is journaled
    clerk = login('clerk')
    token = clerk.csrf()
    response = clerk.post(url + '/upload', {'csrf_token': token,
                                            'material_code': 'x'},
                          upload_files=[('file', 'late.pdf', PDF_BYTES)],
                          expect_errors=True)
    assert response.status_int == 403
    # the archivist may read it but not take a step of the case workflow
    archivist = login('archivist')
    page = archivist.get(url)
    assert 'name="file"' not in page.text
    response = step(archivist, url, '/do/issue', delivery='in_person',
                    recipient='x')
    assert response.status_int in (403, 409)

    def journal(case):
        case.journal.verify()
        return [(e['action'], e['actor'], e['target']) for e in case.journal]
    entries = with_case(testapp, number, journal)
    refused = [e for e in entries if e[0] == 'archive.refused']
    assert ('archive.refused', 'clerk', '/cases/%s/upload' % number) \
        in refused
    assert any(e[1] == 'archivist' and e[2].endswith('/do/issue')
               for e in refused)
    # the archivist's readings are journaled: who, when, what
    assert ('archive.view', 'archivist', '/cases/%s' % number) in entries
    assert entries[-1][0] == 'archive.refused'

    # only the archivist's metadata changes
    page = archivist.get('/archives/%s' % number)
    response = archivist.post('/archives/%s/describe' % number, {
        'csrf_token': csrf_from(page.text), 'location': '3号库房 12架',
        'remarks': '纸质原件已装盒'})
    assert response.status_int == 302

    def meta(case):
        return dict(case.archive_metadata), case.state
    metadata, state = with_case(testapp, number, meta)
    assert metadata['location'] == '3号库房 12架' and state == 'archived'
    # too long: refused, nothing changes
    response = archivist.post('/archives/%s/describe' % number, {
        'csrf_token': csrf_from(page.text), 'location': 'x' * 101})
    assert with_case(testapp, number, meta)[0]['location'] == '3号库房 12架'
