"""The durable queue: index work written in the same ZODB transaction as
the change, applied to the index only after commit.

Each transaction that changes cases appends ONE entry to the search log
(``root.search_log``, an ``LOBTree``): the case numbers it touched.  The
entry commits or rolls back with the change, so a rolled-back transaction
leaves no trace.  After commit a background thread of the process applies
every entry its index directory has not applied (``state.json`` of the
directory, see ``index``): its own entry and any other process's.  A
crash between commit and indexing leaves the entry in the log; the next
start (or the next search, or ``casefile reindex``) applies it.
Processes that share an index directory take turns under its lock;
processes with their own directories each catch up on their own.

Keys are the wall-clock time (ns) of the commit plus a random few
nanoseconds, so concurrent writers add *different* keys and BTrees
resolve the insertions without a conflict (a shared sequence number made
every two concurrent intakes conflict and retry).  Time keys are not
commit order: a transaction may commit a little after one with a later
key.  So a directory remembers a watermark (the highest key applied) and
the keys it applied within ``GRACE`` below it; a catch-up applies every
entry above ``watermark - GRACE`` that it has not applied yet.  A commit
slower than ``GRACE`` (ten minutes) is the only thing that could be
missed, and ``casefile reindex`` repairs even that.
"""
import logging
import random
import threading
import time
import uuid

import transaction
from BTrees.LOBTree import LOBTree
from persistent import Persistent
from pyramid.threadlocal import get_current_registry

log = logging.getLogger(__name__)

#: how long entries are kept; an index directory further behind is rebuilt
KEEP_NS = 30 * 24 * 3600 * 10**9
#: how much later than its key an entry may commit and still be applied
GRACE = 600 * 10**9
LOG_ATTR = 'search_log'


class SearchLog(Persistent):
    """The time-keyed log of index work."""

    def __init__(self):
        self.entries = LOBTree()
        self.log_id = uuid.uuid4().hex
        self.pruned = 0     # every key <= pruned is gone

    def last(self):
        return self.entries.maxKey() if len(self.entries) else self.pruned

    def append(self, numbers):
        key = time.time_ns() + random.randrange(1000)
        while key in self.entries:
            key += 1
        self.entries[key] = (tuple(sorted(numbers)), uuid.uuid4().hex)
        return key

    def prune(self, now_ns=None):
        """Drop entries older than ``KEEP_NS`` (at start, by one process:
        pruning on every append would make the writers conflict)."""
        cut = (now_ns or time.time_ns()) - KEEP_NS
        if not len(self.entries) or self.entries.minKey() > cut:
            return 0
        old = list(self.entries.keys(max=cut))
        for key in old:
            del self.entries[key]
        self.pruned = max(self.pruned, cut)
        return len(old)

    def unapplied(self, state):
        """``(keys, case numbers)`` of the entries a directory whose state
        is ``state`` has not applied."""
        applied = state.get('applied', 0)
        recent = set(state.get('recent', ()))
        keys, numbers = [], set()
        for key, (found, _token) in self.entries.items(
                min=max(applied - GRACE, self.pruned) + 1):
            if key in recent:
                continue
            keys.append(key)
            numbers.update(found)
        return keys, numbers

    def since(self, state):
        """The state after applying ``unapplied(state)``, and the numbers."""
        keys, numbers = self.unapplied(state)
        applied = max([state.get('applied', 0)] + keys)
        recent = {k for k in set(state.get('recent', ())) | set(keys)
                  if k > applied - GRACE}
        return applied, sorted(recent), numbers

    def state_at_end(self):
        """The state of a directory that applied every entry of this
        snapshot (a full rebuild)."""
        last = self.last()
        return last, list(self.entries.keys(min=max(last - GRACE, 0) + 1))


def get_log(app_root, create=False):
    search_log = getattr(app_root, LOG_ATTR, None)
    if search_log is None and create:
        search_log = SearchLog()
        setattr(app_root, LOG_ATTR, search_log)
    return search_log


# -- collecting the cases a transaction changes ------------------------------

class Pending:
    def __init__(self, registry):
        self.registry = registry
        self.numbers = set()
        self.app_root = None
        self.db = None


_KEY = object()


def _pending(txn, registry=None):
    try:
        pending = txn.data(_KEY)
        if pending.registry is None and registry is not None:
            pending.registry = registry
        return pending
    except KeyError:
        pending = Pending(registry)
        txn.set_data(_KEY, pending)
        txn.addBeforeCommitHook(_before_commit, (txn, pending))
        txn.addAfterCommitHook(_after_commit, (pending,))
        return pending


def watch(txn=None, registry=None):
    """Make sure this transaction's changed cases are collected (the
    request's transaction is watched from the start, see ``includeme``)."""
    _pending(txn or transaction.get(), registry)


def find_case(obj, depth=8):
    from ..case.model import Case
    for _i in range(depth):
        if obj is None:
            return None
        if isinstance(obj, Case):
            return obj
        obj = getattr(obj, '__parent__', None)
    return None


def enqueue(case, registry=None):
    """Queue ``case`` for reindexing when this transaction commits."""
    pending = _pending(transaction.get(), registry)
    pending.numbers.add(case.case_number)
    _remember(pending, case)


def _remember(pending, obj):
    """Find the app root (and its database) through the case's parents:
    a case added in this transaction has no ``_p_jar`` yet."""
    if pending.app_root is not None:
        return
    from pyramid.traversal import find_root
    try:
        root = find_root(obj)
    except Exception:
        return
    if getattr(root, '_p_jar', None) is not None:
        pending.app_root = root
        pending.db = root._p_jar.db()


def _registered_cases(txn):
    """Cases whose objects this transaction modified, found through the
    connections' registered objects (changes made without an event)."""
    for resource in list(getattr(txn, '_resources', ())):
        for obj in list(getattr(resource, '_registered_objects', ()) or ()):
            case = find_case(obj)
            if case is not None:
                yield case


class Synch:
    """Watches every transaction of a thread's transaction manager (the
    thread that started the application, the command line): a script's
    change is collected like a request's."""

    def newTransaction(self, txn):
        watch(txn)

    def beforeCompletion(self, txn):
        pass

    def afterCompletion(self, txn):
        pass


_SYNCH = Synch()     # the manager keeps synchs in a WeakSet


def watch_this_thread():
    transaction.manager.registerSynch(_SYNCH)


def _before_commit(txn, pending):
    if pending.registry is None:
        pending.registry = get_current_registry()
    for case in _registered_cases(txn):
        pending.numbers.add(case.case_number)
        _remember(pending, case)
    if not pending.numbers or pending.app_root is None:
        return
    search_log = get_log(pending.app_root, create=True)
    search_log.append(pending.numbers)


def _after_commit(success, pending):
    if not success or not pending.numbers or pending.db is None:
        return
    if 'casefile.index_dir' not in (pending.registry.settings or {}):
        return       # not casefile's registry: the next catch-up applies it
    try:
        from . import get_index
        Applier.for_index(pending.db, get_index(pending.registry),
                          pending.registry).wake()
    except Exception:
        # committed is committed: the log keeps the work for next time
        log.exception('search: cannot wake the indexing thread; the queue '
                      'keeps the work for the next catch-up')


class Applier:
    """One background thread per index directory and database that applies
    the log after commits, so that a request does not wait for Whoosh
    (a search catches up first itself, see ``_ensure_fresh``).  Several
    commits in a row are applied in one catch-up."""

    _all = {}
    _lock = threading.Lock()

    def __init__(self, db, search_index, registry):
        self.db = db
        self.search_index = search_index
        self.registry = registry
        self.event = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.thread = threading.Thread(target=self.run, daemon=True,
                                       name='casefile-search-applier')
        self.thread.start()

    @classmethod
    def for_index(cls, db, search_index, registry):
        key = (id(db), search_index.path)
        with cls._lock:
            applier = cls._all.get(key)
            if applier is None or not applier.thread.is_alive() \
                    or applier.db is not db:
                applier = cls._all[key] = cls(db, search_index, registry)
            return applier

    def wake(self):
        self.idle.clear()
        self.event.set()

    @classmethod
    def wait_idle(cls, timeout=60):
        """Block until every applier has applied what it was woken for
        (before closing a database whose index directory is copied)."""
        with cls._lock:
            appliers = list(cls._all.values())
        return all(a.idle.wait(timeout) for a in appliers
                   if a.thread.is_alive())

    def run(self):
        while True:
            woken = self.event.wait(30)
            if _closed(self.db):
                return          # the application was shut down
            if not woken:
                continue
            self.event.clear()
            try:
                catch_up(self.db, self.search_index, self.registry)
            except Exception:
                if _closed(self.db):
                    return
                log.exception('search: indexing after commit failed; the '
                              'queue keeps it for the next catch-up')
            finally:
                if not self.event.is_set():
                    self.idle.set()


def _closed(db):
    """``DB.close()`` replaces the method on the instance."""
    return 'close' in vars(db)


# -- applying -----------------------------------------------------------------

def allowed_principals(case):
    """Principals granted ``case.view`` by the case's ACL (which ends in
    DENY_ALL), in ACL order: a DENY before an ALLOW wins."""
    from pyramid.security import ALL_PERMISSIONS, Allow
    from ..case.permissions import CASE_VIEW
    allowed, denied = set(), set()
    for action, principal, perms in getattr(case, '__acl__', ()) or ():
        if perms is ALL_PERMISSIONS:
            perms = (CASE_VIEW,)
        elif isinstance(perms, str):
            perms = (perms,)
        if CASE_VIEW not in perms or principal in denied \
                or principal in allowed:
            continue
        (allowed if action == Allow else denied).add(principal)
    return allowed


def documents_for(app_root, numbers, search_index):
    """``(documents, deleted numbers)`` for case numbers, read from ZODB."""
    from .extract import case_document
    cases = app_root.get('cases') if hasattr(app_root, 'get') else None
    docs, gone = [], []
    for number in sorted(numbers):
        case = cases.get(number) if cases is not None else None
        if case is None:
            gone.append(number)
            continue
        try:
            docs.append(case_document(case, allowed_principals(case),
                                      search_index.texts_dir))
        except Exception:
            # one unreadable case must not hold back every later change
            log.exception('search: cannot index case %s; skipped', number)
    return docs, gone


def catch_up(db, search_index, registry=None, full_if_needed=True):
    """Apply every log entry this index directory has not applied.

    Reads in a fresh connection (a snapshot that includes the commit that
    called us and every other process's).  Returns the number of cases
    indexed.
    """
    from pyramid.threadlocal import manager
    registry = registry or get_current_registry()
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    manager.push({'registry': registry, 'request': None})
    try:
        tm.begin()
        app_root = conn.root().get('app_root')
        if app_root is None:
            return 0
        search_log = get_log(app_root)
        if search_log is None:
            return 0
        with search_index.locked():
            state = search_index.read_state()
            applied = state.get('applied', 0)
            if state.get('log') != search_log.log_id or \
                    applied < search_log.pruned:
                if not full_if_needed:
                    return 0
                (log.info if state.get('log') is None else log.warning)(
                    'search: index %s does not follow this database log '
                    '(new, another database, or behind its pruning); '
                    'rebuilding', search_index.path)
                from .reindex import rebuild_locked
                return rebuild_locked(app_root, search_log, search_index)
            last, recent, numbers = search_log.since(state)
            if not numbers and last == applied:
                return 0
            started = time.perf_counter()
            docs, gone = documents_for(app_root, numbers, search_index)
            search_index.apply(docs, gone)
            search_index.write_state(last, search_log.log_id, recent)
            log.debug('search: applied up to %s (%d cases) in %.1f ms',
                      last, len(numbers),
                      (time.perf_counter() - started) * 1000)
            return len(numbers)
    finally:
        tm.abort()
        conn.close()
        manager.pop()


def ensure_log(db, registry):
    """Create the log once (at start), not in a busy request."""
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        tm.begin()
        app_root = conn.root().get('app_root')
        if app_root is not None:
            search_log = get_log(app_root)
            if search_log is None:
                get_log(app_root, create=True)
                tm.get().note('casefile: search log')
                tm.commit()
            elif search_log.prune():
                tm.get().note('casefile: search log pruned')
                tm.commit()
    except Exception:   # another process made it at the same moment
        tm.abort()
    finally:
        conn.close()


def behind(app_root, search_index):
    """True when the log has entries this directory has not applied."""
    search_log = get_log(app_root)
    if search_log is None:
        return False
    state = search_index.read_state()
    return (state.get('log') != search_log.log_id
            or bool(search_log.unapplied(state)[0]))
