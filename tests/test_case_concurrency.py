"""Many clerks at the same moment, against a real multi-threaded server."""
import re
import threading

from casehelpers import PHARMACY, intake_controls
from live import Client, live_app  # noqa: F401 (fixture)


def test_simultaneous_intakes_create_distinct_cases(live_app, app):
    from casefile.catalogue.store import current_catalogue
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
