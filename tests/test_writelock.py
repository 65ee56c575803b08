"""One writing request at a time per process (casefile.writelock)."""
import threading
import time

import pytest
from pyramid.registry import Registry

from casefile.writelock import write_lock_tween_factory


def overlap(method, settings=None, requests=3):
    """Run ``requests`` requests of ``method`` at once through the tween;
    return how many were inside the handler at the same time, at most."""
    registry = Registry()
    registry.settings = settings or {}
    inside = [0]
    most = [0]
    guard = threading.Lock()

    def handler(request):
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        with guard:
            inside[0] -= 1
        return 'ok'
    tween = write_lock_tween_factory(handler, registry)

    class Request:
        pass
    request = Request()
    request.method = method
    threads = [threading.Thread(target=tween, args=(request,))
               for _ in range(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return most[0]


@pytest.mark.parametrize('method', ['POST', 'PUT', 'PATCH', 'DELETE'])
def test_writing_requests_take_turns(method):
    assert overlap(method) == 1


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'OPTIONS'])
def test_reading_requests_never_wait(method):
    assert overlap(method) == 3


def test_the_lock_can_be_turned_off():
    assert overlap('POST', {'casefile.serialize_writes': 'false'}) == 3


def test_a_failing_write_releases_the_lock():
    registry = Registry()
    registry.settings = {}

    def handler(request):
        raise RuntimeError('boom')
    tween = write_lock_tween_factory(handler, registry)

    class Request:
        method = 'POST'
    for _ in range(2):      # a lock left held would block the second call
        with pytest.raises(RuntimeError):
            tween(Request())


def test_a_subrequest_of_a_write_does_not_wait_for_its_caller():
    registry = Registry()
    registry.settings = {}
    calls = []

    class Request:
        method = 'POST'

    def handler(request):
        calls.append(request)
        if len(calls) == 1:     # the subrequest goes through the tween too
            return tween(Request())
        return 'inner'
    tween = write_lock_tween_factory(handler, registry)
    done = []
    thread = threading.Thread(target=lambda: done.append(tween(Request())))
    thread.start()
    thread.join(5)
    assert done == ['inner']
