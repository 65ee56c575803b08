"""One intake per form: a double-submitted form must not make two cases.

A clerk who presses "create case" twice (or whose browser re-posts after
a slow answer) sends the same intake twice.  The session's CSRF token
cannot tell the two apart, so every intake form carries its own random
*intake token*, and the API accepts an ``Idempotency-Key`` header for the
same purpose.  :func:`claim` records ``token -> case number`` in a BTree
**in the same transaction that creates the case**:

- one after the other, the second request finds the token taken and gets
  the case the first one created;
- at the same instant, both transactions insert the same key into the
  same BTree bucket, which ZODB's conflict resolution refuses; the loser
  is retried by pyramid_retry and then finds the token taken.

Either way exactly one case exists.  Tokens begin with the day they were
issued (``YYYYMMDD.``), so the store keeps its keys in date order and each
claim drops a few tokens older than :data:`KEEP_DAYS`.
"""
import datetime
import re
import secrets

from BTrees.OOBTree import OOBTree

#: attribute of the ``cases`` folder that holds the claimed tokens
ATTRIBUTE = 'intake_tokens'
#: a token is remembered this long after the day it was issued
KEEP_DAYS = 7
#: tokens dropped per claim at most (the store shrinks gently)
PRUNE_PER_CLAIM = 20

TOKEN_RE = re.compile(r'^\d{8}\.[A-Za-z0-9_-]{16,64}$')
API_KEY_RE = re.compile(r'^[A-Za-z0-9_.:-]{8,100}$')


def _today():
    return datetime.date.today()


def new_token(today=None):
    """A fresh token for one rendered intake form."""
    day = today or _today()
    return '%s.%s' % (day.strftime('%Y%m%d'), secrets.token_urlsafe(16))


def valid_token(token):
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


def api_token(login, key, today=None):
    """The store key of an API ``Idempotency-Key`` sent by ``login``.

    Keys are per user (two platforms may choose the same key) and dated by
    the day they first arrive.  ``None`` if the key is malformed.
    """
    if not isinstance(key, str) or not API_KEY_RE.match(key):
        return None
    day = today or _today()
    return '%s.api:%s:%s' % (day.strftime('%Y%m%d'), login, key)


def token_store(cases, create=True):
    store = getattr(cases, ATTRIBUTE, None)
    if store is None and create:
        store = OOBTree()
        setattr(cases, ATTRIBUTE, store)
    return store


def claimed_case(cases, token):
    """The case an earlier request with ``token`` created, or ``None``."""
    store = token_store(cases, create=False)
    if store is None or not token:
        return None
    # API keys are stored under the day they first arrived: look for the
    # key under any day still remembered
    if '.api:' in token:
        suffix = token.split('.', 1)[1]
        for day in range(KEEP_DAYS + 1):
            date = (_today() - datetime.timedelta(days=day)).strftime(
                '%Y%m%d')
            number = store.get('%s.%s' % (date, suffix))
            if number is not None:
                return cases.get(number)
        return None
    number = store.get(token)
    return cases.get(number) if number is not None else None


def claim(cases, token, case_number, today=None):
    """Record that ``token`` created ``case_number`` (same transaction)."""
    store = token_store(cases)
    store[token] = case_number
    cutoff = ((today or _today()) - datetime.timedelta(days=KEEP_DAYS)
              ).strftime('%Y%m%d')
    old = []
    for key in store.keys(max=cutoff, excludemax=True):
        old.append(key)
        if len(old) >= PRUNE_PER_CLAIM:
            break
    for key in old:
        del store[key]
