"""One writing request at a time in each process.

Waitress serves requests from several threads, but Python runs one
thread at a time: threads overlap waiting (network, disk), not computing.
Writing requests that run side by side in one process therefore gain
little, yet they conflict in ZODB whenever they change the same BTree
bucket, and intake does: consecutive case numbers put the paths of every
new case and of its materials in the same buckets of Substance D's
objectmap.  Measured with ``bench/run.py --only intake`` (4 clients, 24
cases of an intake and 8 uploads each): 67 retried requests in 108, and
0.55 cases/s against 1.41 for one client alone.

So a writing request (any method but GET, HEAD and OPTIONS) holds a
process-wide lock from before its transaction begins until after it
commits: this tween sits over ``pyramid_tm`` and inside ``pyramid_retry``,
so a retry queues again.  Reading requests never wait for it.  Processes
that share one database (ZEO, RelStorage) still conflict with each other;
``pyramid_retry`` retries those.  ``casefile.serialize_writes = false``
turns the lock off.
"""
import threading

from pyramid.settings import asbool

#: methods that never change anything (RFC 9110 "safe" methods)
SAFE_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))


def write_lock_tween_factory(handler, registry):
    if not asbool(registry.settings.get('casefile.serialize_writes', True)):
        return handler
    # re-entrant: a subrequest made by a writing request (through the
    # tweens, in the same thread) must not wait for its own caller
    lock = threading.RLock()

    def write_lock_tween(request):
        if request.method in SAFE_METHODS:
            return handler(request)
        with lock:
            return handler(request)
    return write_lock_tween


def includeme(config):
    config.add_tween('casefile.writelock.write_lock_tween_factory',
                     over='pyramid_tm.tm_tween_factory')
