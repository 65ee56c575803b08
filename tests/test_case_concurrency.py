"""Many clerks at the same moment, against a real multi-threaded server."""
import re
import threading

from casehelpers import PHARMACY, intake_controls, make_case
from live import Client, live_app  # noqa: F401 (fixture)


def test_simultaneous_intakes_create_distinct_cases(live_app, app):
    """Eight clerks press "submit" at once: eight cases, and no request of
    this process had to be retried (writes take turns: casefile.writelock)."""
    from pyramid_retry import IBeforeRetry

    from casefile.catalogue.store import current_catalogue
    retried = []
    app.registry.registerHandler(retried.append, (IBeforeRetry,))
    db = app.registry._zodb_databases['']
    conn = db.open()
    catalogue = current_catalogue(conn.root()['app_root'])
    conn.close()

    clients = [Client(live_app.url).login('clerk') for _ in range(8)]
    tokens = []
    for client in clients:
        page = client.get('/cases/new?application=' + PHARMACY)
        tokens.append(re.search(r'name="_csrf_token_" value="([^"]+)"',
                                page.text).group(1))
    results = [None] * len(clients)
    barrier = threading.Barrier(len(clients))

    def intake(i):
        controls = intake_controls(catalogue, PHARMACY, csrf=tokens[i],
                                   applicant={'name': '并发测试公司%d' % i})
        barrier.wait()
        results[i] = clients[i].post_form(
            '/cases/new?application=' + PHARMACY, controls)

    threads = [threading.Thread(target=intake, args=(i,))
               for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [r.status for r in results]
    assert statuses == [302] * len(clients), [r.text[:300] for r in results
                                              if r.status != 302]
    numbers = [r.headers['Location'].rsplit('/', 1)[-1] for r in results]
    assert len(set(numbers)) == len(clients)
    assert retried == []

    conn = db.open()
    try:
        cases = conn.root()['app_root']['cases']
        assert len(cases) == len(clients)
        names = sorted(cases[n].applicant['name'] for n in numbers)
        assert names == sorted('并发测试公司%d' % i
                               for i in range(len(clients)))
        for n in numbers:
            cases[n].journal.verify()
            assert len(cases[n]['materials']) == 0
    finally:
        conn.close()


def test_cases_created_after_a_first_start_are_indexed(empty_var_dir):
    """Regression: start-up work done on a private transaction manager left
    Substance D's per-index action queues joined to a transaction that never
    ended, so no case created later in a server thread was ever indexed."""
    from substanced.util import find_catalog

    from casefile import main
    from casefile.catalogue.store import current_catalogue
    from conftest import REPO, make_settings
    from live import LiveServer
    application = main({'here': REPO}, **make_settings(empty_var_dir))
    server = LiveServer(application)
    db = application.registry._zodb_databases['']
    try:
        conn = db.open()
        catalogue = current_catalogue(conn.root()['app_root'])
        conn.close()
        client = Client(server.url).login('clerk')
        page = client.get('/cases/new?application=' + PHARMACY)
        token = re.search(r'name="_csrf_token_" value="([^"]+)"',
                          page.text).group(1)
        response = client.post_form('/cases/new?application=' + PHARMACY,
                                    intake_controls(catalogue, PHARMACY,
                                                    csrf=token))
        assert response.status == 302
        conn = db.open()
        catalog = find_catalog(conn.root()['app_root'], 'casefile')
        assert len(catalog['state'].eq('submitted').execute()) == 1
        conn.close()
        home = client.get('/')
        assert home.status == 200
    finally:
        server.close()
        db.close()


# -- what keeps simultaneous intakes from conflicting ---------------------------

def test_an_intake_adds_one_objectmap_path(root, app):
    """Consecutive case numbers append to one bucket of the path BTree;
    every path an intake adds there makes a split (an unresolvable
    conflict) likelier, so a new case adds its own path and nothing else."""
    objectmap = root.__objectmap__
    before = set(objectmap.path_to_objectid.keys())
    case = make_case(root, app.registry)
    added = set(objectmap.path_to_objectid.keys()) - before
    assert added == {('', 'cases', case.case_number)}


def test_a_sub_container_is_created_by_its_first_record(root, app):
    import transaction

    from casefile.case.lifecycle import issue_document
    case = make_case(root, app.registry)
    assert 'documents' not in case
    empty = case['documents']
    assert len(empty) == 0 and list(empty.values()) == []
    assert empty.get('x') is None and 'x' not in empty
    issue_document(case, 'documents', 'acceptance_notice', '受理通知书',
                   ['测试'], registry=app.registry)
    transaction.commit()
    assert 'documents' in case
    assert [d.kind for d in case['documents'].values()] == [
        'acceptance_notice']
    assert ('', 'cases', case.case_number, 'documents') in \
        root.__objectmap__.path_to_objectid


def test_unknown_names_are_still_missing_from_a_case(root, app):
    import pytest
    case = make_case(root, app.registry)
    with pytest.raises(KeyError):
        case['nonsense']


def test_case_records_stay_out_of_the_system_text_index(root, app):
    """New words in the system catalog's lexicon take consecutive ids: one
    more shared bucket that every intake appended to."""
    from substanced.util import find_catalog, get_oid
    case = make_case(root, app.registry)
    text = find_catalog(root, 'system')['text']
    assert get_oid(case) not in set(text.indexed())
    assert len(text.eq(case.case_number).execute()) == 0
    # the rest of the site is still indexed for the management filter box
    users = root['principals']['users']
    assert get_oid(users['clerk']) in set(text.indexed())


def test_every_content_type_has_its_extent_from_the_start(root, app):
    """Otherwise the first intakes of a new database all add the key
    ``Case`` to the same small BTree at once."""
    extents = root.__objectmap__.extentmap.extent_to_oids
    for factory_type in app.registry.content.factory_types:
        assert factory_type in extents
