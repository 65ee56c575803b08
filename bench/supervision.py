"""Benchmark: the supervision dashboard and the overdue worklist at scale.

    .venv/bin/python bench/supervision.py [--sizes 10000,100000]
                                          [--requests 20] [--keep DIR]

Generates realistic cases straight into a throw-away FileStorage (through
the content registry, the workflow engine's states and the supervision
counters, as decisions would: several sections and items, 200 a working
day going back from today, some late, some extended, some with a clock
stop, the recent ones still open and some of those yellow or red), then
times

- the dashboard page (``GET /supervision``, this month, and the last 12
  months) through the real WSGI app with WebTest, signed in as
  ``supervisor``;
- the overdue worklist query (every red task of the city, the 50 most
  overdue loaded) and its page;

and prints p50/p95 per size and the ratio between the largest and the
smallest size.  The database grows from one size to the next (the 100 k
database is the 10 k one plus 90 k cases).  Not part of ``make test``.
"""
import argparse
import datetime
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

TZ = datetime.timezone(datetime.timedelta(hours=8))
DEMO_PASSWORD = 'demo-2026'


def settings_for(var_dir):
    return {
        'pyramid.default_locale_name': 'zh_CN',
        'pyramid.reload_templates': 'false',
        'retry.attempts': '3',
        'tm.annotate_user': 'false',
        'substanced.initial_login': 'admin',
        'substanced.initial_password': 'bench-admin-password',
        'substanced.secret': 'bench-secret',
        'substanced.catalogs.autosync': 'true',
        'casefile.var_dir': var_dir,
        'casefile.schemas_dir': os.path.join(REPO, 'schemas'),
        'casefile.catalogue_dir': os.path.join(REPO, 'schemas', 'catalogue'),
        'casefile.calendar_file': os.path.join(REPO, 'schemas',
                                               'calendar.yaml'),
        'casefile.workflows_dir': os.path.join(REPO, 'workflows'),
        'casefile.templates_dir': os.path.join(REPO, 'templates'),
        'casefile.demo': 'true',
        'zodbconn.cache_size': '50000',
    }


def make_app(var_dir):
    from casefile import main
    return main({'here': REPO}, **settings_for(var_dir))


def close_app(app):
    for db in app.registry._zodb_databases.values():
        db.close()


# -- generation -------------------------------------------------------------------

def routed(application_data, catalogue, code):
    """What a case records of application ``code``; items a district
    handles are routed by an address in 铁东区 (210302), as an intake with
    that address would be.  ``None`` if it cannot be routed."""
    from casefile.catalogue.forms import group_name
    try:
        return application_data(catalogue, code)
    except Exception:   # noqa: BLE001 (RoutingError: needs a district)
        pass
    address = {'district': '210302', 'detail': '二一九路18号'}
    form = {'shared': {}}
    for item in catalogue.items_of(code):
        for field in item.fields:
            if field.type == 'address':
                form['shared'][field.key] = address
                form.setdefault(group_name(item.code), {})[field.key] = \
                    address
    try:
        return application_data(catalogue, code, form)
    except Exception:   # noqa: BLE001
        return None


#: cases a working day, as a city's service centre takes them in
PER_DAY = 200


class Generator:
    """Cases going back from today, :data:`PER_DAY` a working day.

    The n-th case generated is dated ``n // PER_DAY`` working days before
    today, so a larger database is the same city with a longer history
    (10 k cases: ten weeks; 100 k: two years), not a busier city: the
    open backlog (the recent weeks) is the same at every size and only
    the past grows.  (Dates drawn at random over two years made the
    backlog, and with it every worklist, ten times larger at 100 k.)
    """

    def __init__(self, app, seed=2026):
        from casefile.case.intake import application_data
        from casefile.catalogue.store import catalogue_versions
        from casefile.clock import get_calendar
        from casefile.clock.timing import today
        from casefile.workflow.engine import get_engine
        self.app = app
        self.registry = app.registry
        self.engine = get_engine(self.registry)
        self.calendar = get_calendar()
        self.random = random.Random(seed)
        self.today = today()
        db = self.registry._zodb_databases['']
        # the generating connection keeps the index buckets it keeps
        # rewriting in memory (12 % faster than 50,000 objects at 15 k);
        # the app that is measured is opened again with the ini's cache
        db.setCacheSize(400000)
        self.conn = db.open()
        self.root = self.conn.root()['app_root']
        version = catalogue_versions(self.root).current
        self.version = version.number
        self.catalogue = version.catalogue
        self.applications = [
            data for data in (routed(application_data, self.catalogue,
                                     a.code)
                              for a in self.catalogue.applications()
                              if len(a.items) <= 6) if data is not None]
        self.days = []          # working days, today first, going back
        self.per_day = {}
        self.acls = {}
        self.created = len(self.root['cases'])

    def day_of(self, n):
        """The working day of the n-th case (see the class)."""
        back = n // PER_DAY
        day = self.days[-1] if self.days else self.today
        while len(self.days) <= back:
            if self.days:
                day -= datetime.timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= datetime.timedelta(days=1)
            self.days.append(day)
        return self.days[back]

    def add_wd(self, day, n):
        return self.calendar.add_working_days(day, n).value

    def one(self):
        from persistent.list import PersistentList
        from substanced.interfaces import MODE_IMMEDIATE
        from casefile.supervision.aggregates import count_case, count_task
        registry, rnd = self.registry, self.random
        day = self.day_of(self.created)
        self.per_day[day] = self.per_day.get(day, 0) + 1
        number = 'BX-%s-%06d' % (day.strftime('%Y%m%d'), self.per_day[day])
        while number in self.root['cases']:
            self.per_day[day] += 1
            number = 'BX-%s-%06d' % (day.strftime('%Y%m%d'),
                                     self.per_day[day])
        application = rnd.choice(self.applications)
        case = registry.content.create(
            'Case', number, application,
            {'kind': 'company', 'name': '鞍山市样例%04d有限公司'
             % rnd.randrange(10000), 'identifier': ''},
            catalogue_version=self.version, creator='clerk')
        case.created = case.modified = datetime.datetime(
            day.year, day.month, day.day, 9, 30, tzinfo=TZ)
        case.accepted_at = case.created
        # Folder events off: objectmap ids and paths are still assigned;
        # states, ACLs and the catalogs are done below, once, with every
        # attribute already set (as a committed decision would leave them)
        self.root['cases'].add(number, case, send_events=False,
                               registry=registry)
        # the one sub-container every routed case has (the others are
        # created by their first record, as in the product)
        case.add('tasks', registry.content.create('Case Container'),
                 send_events=False, registry=registry)
        stops = []
        if rnd.random() < 0.08:
            length = rnd.randint(2, 8)
            begin = self.add_wd(day, rnd.randint(1, 3))
            stops.append({'id': 's1', 'kind': 'inspection', 'reason': '现场勘验',
                          'items': (), 'start': begin.isoformat(),
                          'end': self.add_wd(begin, length).isoformat(),
                          'expected_days': length, 'actor': 'inspector'})
            case.clock_stops = PersistentList(stops)
        stop_days = sum(self.calendar.working_days_between(
            datetime.date.fromisoformat(s['start']),
            datetime.date.fromisoformat(s['end'])).value for s in stops)
        decided_all = True
        # a few cases of the last months were forgotten: still open, red
        stuck = day > self.today - datetime.timedelta(days=120) and \
            rnd.random() < 0.02
        for code in application['items']:
            item = self.catalogue.items[code]
            task = registry.content.create(
                'Item Task', code, item.name, item.section, (),
                item.limits.promised, item.limits.statutory)
            case['tasks'].add(code, task, send_events=False,
                              registry=registry)
            task.started_on = day.isoformat()
            limit = item.limits.promised
            extension = 0
            if rnd.random() < 0.05:
                extension = rnd.randint(3, 10)
                task.extensions = PersistentList([{
                    'days': extension, 'reason': '需进一步核实',
                    'approved_by': 'head', 'on': day.isoformat()}])
            if rnd.random() < 0.12:
                used = limit + extension + rnd.randint(1, 10)   # late
            else:
                used = rnd.randint(0, limit + extension)
            decided = self.add_wd(day, used + stop_days)
            if decided > self.today or stuck:
                decided_all = False
                self.set_state(task, 'task', 'in_review')
                continue
            grant = rnd.random() < 0.93
            self.set_state(task, 'task', 'granted' if grant else 'denied')
            task.decided_on = decided.isoformat()
            count_task(task, self.store)
        if decided_all:
            granted = sum(1 for t in case.tasks() if t.state == 'granted')
            case.outcome = {'granted': granted,
                            'denied': len(case.tasks()) - granted}
            record = count_case(case, self.store)
            issue_by = self.add_wd(datetime.date.fromisoformat(
                record['decided_on']), 10)
            state = 'completed' if issue_by < self.today else 'decided'
        else:
            state = 'in_review'
        self.set_state(case, 'case', state)
        for obj in [case] + case.tasks():
            for catalog in self.catalogs:
                catalog.index_resource(obj, action_mode=MODE_IMMEDIATE)

    def set_state(self, obj, workflow, state):
        from persistent.mapping import PersistentMapping
        obj.__workflow_state__ = PersistentMapping({workflow: state})
        # the ACL follows from the state, the application and the item
        # (no local roles are given to single cases here): computed once
        case = obj if workflow == 'case' else obj.case
        key = (workflow, state, case.application_code,
               getattr(obj, 'item_code', None))
        acl = self.acls.get(key)
        if acl is None:
            acl = self.acls[key] = self.engine.acl_for(obj, state=state)
        obj.__acl__ = list(acl)

    def grow(self, target, batch=5000):
        import transaction
        from pyramid.threadlocal import manager
        from casefile.supervision.aggregates import get_store
        from substanced.util import find_catalog
        manager.push({'registry': self.registry, 'request': None})
        started = time.time()
        # indexed at once (MODE_IMMEDIATE) rather than at commit: deferred
        # actions find each object again by path, which costs more than
        # the indexing itself.  Only the ``casefile`` catalog: the system
        # catalog (paths, SDI text) plays no part in what is measured and
        # would double the generation time.
        self.catalogs = [find_catalog(self.root, 'casefile')]
        # Nor the full-text index: the generator's batches of 5,000 cases
        # would be indexed by the background thread while it generates,
        # halving the rate; search is measured by bench/search.py.
        from casefile.search import queue
        try:
            transaction.manager.unregisterSynch(queue._SYNCH)
        except KeyError:        # an earlier grow() did
            pass
        transaction.abort()
        # A bulk load keeps what it allocates (in the 400,000-object
        # cache), so the collector's older generations only walk the same
        # live objects again and again (10 % of the time at 10 k cases).
        # The young generation still collects.
        thresholds = gc.get_threshold()
        gc.set_threshold(100000, 50, 1000)
        try:
            self.store = get_store(self.root, create=True)
            while self.created < target:
                for _n in range(min(batch, target - self.created)):
                    self.one()
                    self.created += 1
                transaction.get().note('bench: cases')
                transaction.commit()
                self.conn.cacheGC()
                if self.created % 5000 == 0 or self.created == target:
                    rate = self.created / max(0.001, time.time() - started)
                    print('  %7d cases  (%.0f s)' % (
                        self.created, time.time() - started), flush=True)
        finally:
            gc.set_threshold(*thresholds)
            transaction.abort()
            manager.pop()

    def close(self):
        self.conn.close()


# -- timing -----------------------------------------------------------------------

def percentiles(samples):
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered)
                                                           - 1))))]
    return p50, p95


def timed(func, n):
    samples = []
    for _i in range(n):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return samples


def measure(var_dir, requests):
    import transaction
    import webtest
    from pyramid.threadlocal import manager
    from casefile.clock.timing import today
    from casefile.supervision.dashboard import overdue
    app = make_app(var_dir)
    try:
        browser = webtest.TestApp(app, extra_environ={
            'REMOTE_ADDR': '127.0.0.1'})
        form = browser.get('/login').forms[0]
        form['login'] = 'supervisor'
        form['password'] = DEMO_PASSWORD
        assert form.submit().status_int == 302
        year = '/supervision?start=%s&end=%s' % (
            (today() - datetime.timedelta(days=365)).isoformat(),
            today().isoformat())
        results = {}
        cold = time.perf_counter()
        page = browser.get('/supervision')
        results['cold first dashboard'] = [time.perf_counter() - cold]
        assert page.status_int == 200
        browser.get(year)
        results['dashboard (this month)'] = timed(
            lambda: browser.get('/supervision'), requests)
        results['dashboard (12 months)'] = timed(
            lambda: browser.get(year), requests)
        results['overdue page'] = timed(
            lambda: browser.get('/supervision/overdue'), requests)
        db = app.registry._zodb_databases['']
        conn = db.open()
        manager.push({'registry': app.registry, 'request': None})
        try:
            root = conn.root()['app_root']
            count, rows = overdue(root, limit=50)
            results['overdue query (50 most overdue)'] = timed(
                lambda: overdue(root, limit=50), requests)
            results['_overdue'] = count
        finally:
            transaction.abort()
            manager.pop()
            conn.close()
        return results
    finally:
        close_app(app)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='10000,100000')
    parser.add_argument('--requests', type=int, default=20)
    parser.add_argument('--keep', help='keep the database in this folder')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    var_dir = args.keep or tempfile.mkdtemp(prefix='casefile-bench-')
    os.makedirs(var_dir, exist_ok=True)
    os.environ.setdefault('CHAMELEON_CACHE', os.path.join(var_dir,
                                                          'chameleon'))
    os.makedirs(os.environ['CHAMELEON_CACHE'], exist_ok=True)
    from casefile import compat
    compat.install()
    print('database in %s' % var_dir)
    report = {}
    try:
        for size in sizes:
            app = make_app(var_dir)
            generator = Generator(app)
            print('generating up to %d cases' % size, flush=True)
            started = time.time()
            generator.grow(size)
            generator.close()
            close_app(app)
            print('  generated in %.0f s; Data.fs %.0f MB' % (
                time.time() - started, os.path.getsize(os.path.join(
                    var_dir, 'Data.fs')) / 1e6), flush=True)
            results = measure(var_dir, args.requests)
            overdue_count = results.pop('_overdue')
            print('%d cases (%d red tasks now):' % (size, overdue_count))
            for name, samples in results.items():
                p50, p95 = percentiles(samples)
                print('  %-34s p50 %7.1f ms   p95 %7.1f ms' % (
                    name, p50 * 1000, p95 * 1000))
            report[size] = results
        if len(sizes) > 1:
            small, large = report[sizes[0]], report[sizes[-1]]
            print('ratio %d / %d (p50):' % (sizes[-1], sizes[0]))
            for name in large:
                print('  %-34s %.2f' % (name, percentiles(large[name])[0]
                                        / percentiles(small[name])[0]))
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
