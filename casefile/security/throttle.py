"""Login throttling: five failures in 15 minutes lock for 15 minutes.

Counted separately per login name and per client address, so that
guessing one user's password from many addresses, or many users'
passwords from one address, are both stopped.  Both the staff login page
(``/login``) and the API's ``POST /api/tokens`` share one throttle.

The record is **in memory, per process**: a restart forgets it, and with
several server processes each counts on its own (an attacker gets at most
five tries per process per 15 minutes).  Waitress, our server, runs one
process with threads; the lock makes the counters thread-safe.
"""
import threading
import time

from ..i18n import _

MAX_FAILURES = 5
WINDOW = 15 * 60        # seconds in which failures are counted
LOCKOUT = 15 * 60       # seconds a locked login or address stays locked

LOCKED_MESSAGE = _('Too many failed sign-in attempts. Please wait 15 '
                   'minutes and try again.')


class LoginThrottle:
    def __init__(self, max_failures=MAX_FAILURES, window=WINDOW,
                 lockout=LOCKOUT, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.clock = clock
        self._failures = {}     # key -> [timestamps]
        self._locked = {}       # key -> locked until
        self._lock = threading.Lock()

    @staticmethod
    def keys(login, address):
        keys = []
        if login:
            keys.append('login:' + login.strip().lower())
        if address:
            keys.append('addr:' + address)
        return keys

    def is_locked(self, login, address):
        now = self.clock()
        with self._lock:
            for key in self.keys(login, address):
                until = self._locked.get(key)
                if until is not None:
                    if until > now:
                        return True
                    del self._locked[key]
        return False

    def failed(self, login, address):
        now = self.clock()
        with self._lock:
            for key in self.keys(login, address):
                recent = [t for t in self._failures.get(key, ())
                          if t > now - self.window]
                recent.append(now)
                if len(recent) >= self.max_failures:
                    self._locked[key] = now + self.lockout
                    self._failures.pop(key, None)
                else:
                    self._failures[key] = recent

    def succeeded(self, login, address):
        """A correct password clears the login's count (not the address's)."""
        with self._lock:
            for key in self.keys(login, None):
                self._failures.pop(key, None)

    def reset(self):
        with self._lock:
            self._failures.clear()
            self._locked.clear()


def get_throttle(registry):
    throttle = getattr(registry, 'casefile_login_throttle', None)
    if throttle is None:
        throttle = registry.casefile_login_throttle = LoginThrottle()
    return throttle


def client_address(request):
    """The TCP peer (``REMOTE_ADDR``), never ``X-Forwarded-For``.

    A forwarded header is the client's word: trusting it would let an
    attacker dodge the address count or lock out somebody else's address.
    Behind a reverse proxy, set waitress's ``trusted_proxy`` so that
    ``REMOTE_ADDR`` is the real client.
    """
    return request.remote_addr or ''
