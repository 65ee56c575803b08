"""First start and every start: make the database match the configuration.

On ``ApplicationCreated`` (once per process, before serving) we open the
database, create the Substance D root if this is a new database, make sure
the bureau's containers exist, load the catalogue directory named in the
ini (a new catalogue version only if it changed) and, where the ini asks
for it (``casefile.demo = true``), the demo users.  Several processes may
start at once against one ZEO server (STACK.md trap 10): conflicts are
retried.
"""
import logging

import transaction
from pyramid.events import ApplicationCreated, subscriber
from pyramid.settings import asbool
from pyramid.threadlocal import manager
from ZODB.POSException import ConflictError

log = logging.getLogger(__name__)


def open_root(registry, tm):
    """Return (connection, app root), creating the root on a new database."""
    from substanced.event import RootAdded
    db = registry._zodb_databases['']
    conn = db.open(transaction_manager=tm)
    zodb_root = conn.root()
    if 'app_root' not in zodb_root:
        app_root = registry.content.create('Root')
        zodb_root['app_root'] = app_root
        tm.savepoint()
        registry.notify(RootAdded(app_root))
    return conn, zodb_root['app_root']


def prepare_database(registry, attempts=10):
    """Idempotent start-up work; returns a summary for logs and the CLI."""
    from ..catalogue.loading import load_configured_catalogue
    from .bootstrap import ensure_site
    from .demo import ensure_demo_users
    settings = registry.settings
    manager.push({'registry': registry, 'request': None})
    try:
        for attempt in range(attempts):
            # The thread's default transaction manager, not a private one:
            # Substance D's catalog queues index actions on
            # ``transaction.get()`` and caches the queue on each index; a
            # queue joined to a transaction that never ends would swallow
            # every later index action of the process.
            tm = transaction.manager
            tm.begin()
            conn, root = open_root(registry, tm)
            try:
                summary = {'created': ensure_site(root, registry)}
                summary['catalogue'] = load_configured_catalogue(
                    root, registry)
                if asbool(settings.get('casefile.demo', False)):
                    summary['demo_users'] = ensure_demo_users(root, registry)
                tm.get().note('casefile: prepare database')
                tm.commit()
                return summary
            except ConflictError:
                tm.abort()
                log.info('start-up conflicted with another process; retrying')
            finally:
                conn.close()
        raise RuntimeError('could not prepare the database')
    finally:
        manager.pop()


@subscriber(ApplicationCreated)
def on_application_created(event):
    registry = event.app.registry
    if asbool(registry.settings.get('casefile.prepare_on_start', True)):
        summary = prepare_database(registry)
        log.info('database ready: %s', summary)
