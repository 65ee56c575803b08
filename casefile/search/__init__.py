"""Full-text search over every case (全文检索), permission-aware and never
out of step with the database.

- ``analysis``: Chinese text → character pairs and identifiers
- ``extract``: a case → one index document (materials' text included)
- ``schema``/``index``: Whoosh indexes, one per year, under
  ``casefile.search_dir`` (default: ``casefile.index_dir``, in var_dir)
- ``engine``: query evaluation on the segments (filters before scoring)
- ``query``: the search box's language
- ``queue``: the durable, time-keyed log in ZODB, applied after commit
- ``reindex``: full, parallel, resumable rebuilds (``casefile reindex``)
- ``views``: the search page, its Excel export and saved searches, and
  ``GET /api/search``

See docs/search.md for the design and its measurements.
"""
import datetime
import logging
import os
import threading

from html import escape

log = logging.getLogger(__name__)

_INDEXES = {}
_LOCK = threading.Lock()


def search_dir(settings):
    from ..config import var_dir
    return os.path.abspath(
        settings.get('casefile.search_dir')
        or settings.get('casefile.index_dir')
        or os.path.join(var_dir(settings), 'index'))


def get_index(registry):
    """The process's :class:`~.index.SearchIndex` for this installation."""
    from .index import SearchIndex
    path = search_dir(registry.settings)
    with _LOCK:
        found = _INDEXES.get(path)
        if found is None:
            found = _INDEXES[path] = SearchIndex(path)
        return found


class Results:
    """``search_cases`` answer: ``total``, ``exact`` and ``hits``."""

    def __init__(self, total, hits, exact=True, page=1, page_size=20):
        self.total = total
        self.hits = hits
        self.exact = exact
        self.page = page
        self.page_size = page_size

    @property
    def pages(self):
        return max(1, -(-self.total // self.page_size))


SNIPPET = 60


def snippet(body, phrases, width=SNIPPET):
    """HTML (escaped text, ``<mark>`` around the phrases): the text around
    the first phrase found."""
    from .analysis import normalise
    body = body or ''
    lowered = body.lower()
    needles = []
    for phrase in phrases:
        for part in phrase.split():
            part = normalise(part).strip('"')
            if part and part not in needles:
                needles.append(part)
    first = min((i for i in (lowered.find(n) for n in needles) if i >= 0),
                default=0)
    start = max(0, first - width // 3)
    end = min(len(body), start + width * 2)
    text = body[start:end].replace('\n', ' ')
    low = text.lower()
    out, i = [], 0
    while i < len(text):
        hit = None
        for needle in sorted(needles, key=len, reverse=True):
            if needle and low.startswith(needle, i):
                hit = needle
                break
        if hit:
            out.append('<mark>%s</mark>' % escape(text[i:i + len(hit)]))
            i += len(hit)
        else:
            j = i + 1
            out.append(escape(text[i]))
            i = j
    prefix = '…' if start > 0 else ''
    suffix = '…' if end < len(body) else ''
    return prefix + ''.join(out) + suffix


def _ensure_fresh(request):
    """Apply what other processes committed before answering."""
    from .queue import behind, catch_up
    search_index = get_index(request.registry)
    root = getattr(request, 'root', None)
    try:
        from pyramid.traversal import find_root
        root = find_root(request.context)
    except Exception:
        pass
    if root is not None and getattr(root, '_p_jar', None) is not None \
            and behind(root, search_index):
        catch_up(root._p_jar.db(), search_index, request.registry)
    return search_index


def search_cases(request, text, filters=None, sort='relevance', page=1,
                 page_size=20, principals=None):
    """Cases matching ``text`` that the request's user may view.

    ``filters``: ``state, section, item, matter, date_from, date_to,
    light, archived, archive_number, retention, year, organisation,
    district``.  Raises :class:`~.query.QueryError` for a query it cannot
    read.
    """
    from .query import parse
    parsed = parse(text, filters)
    search_index = _ensure_fresh(request)
    if principals is None:
        principals = list(request.effective_principals)
    page = max(1, int(page or 1))
    limit = page * page_size
    total, exact, found = search_index.search(
        parsed, principals, sort='date' if sort == 'date' else 'relevance',
        limit=limit)
    hits = []
    for score, fields in found[(page - 1) * page_size:limit]:
        date = fields.get('date')
        hits.append({
            'case_number': fields['case_number'],
            'title': fields.get('title', ''),
            'state': fields.get('state', ''),
            'snippet': snippet(fields.get('body', ''), parsed.phrases),
            'url': request.route_url('case', number=fields['case_number'])
            if _has_route(request, 'case') else
            '/cases/%s' % fields['case_number'],
            'score': round(score, 4) if sort != 'date' else None,
            'date': date.date().isoformat() if isinstance(
                date, datetime.datetime) else None,
        })
    return Results(total, hits, exact=exact, page=page, page_size=page_size)


def _has_route(request, name):
    from pyramid.interfaces import IRoutesMapper
    mapper = request.registry.queryUtility(IRoutesMapper)
    return mapper is not None and mapper.get_route(name) is not None


# -- wiring -------------------------------------------------------------------

def _watch_request(event):
    """Every request's transaction collects the cases it changes."""
    from .queue import watch
    watch(event.request.tm.get() if hasattr(event.request, 'tm')
          else None, event.request.registry)


def _on_case_event(event):
    from .queue import enqueue, find_case
    obj = getattr(event, 'object', None) or getattr(event, 'obj', None)
    case = find_case(obj)
    if case is not None:
        enqueue(case, getattr(event, 'registry', None))


def repair_on_start(event):
    """Apply what a crash left in the log (or rebuild a missing index)."""
    from pyramid.settings import asbool
    from .queue import catch_up, ensure_log, watch_this_thread
    registry = event.app.registry
    watch_this_thread()
    if not asbool(registry.settings.get('casefile.search.repair_on_start',
                                        True)):
        return
    db = getattr(registry, '_zodb_databases', {}).get('')
    if db is None:
        return
    try:
        ensure_log(db, registry)
        count = catch_up(db, get_index(registry), registry)
        if count:
            log.info('search: caught up %d case(s) at start', count)
    except Exception:
        log.exception('search: catching up at start failed')


def includeme(config):
    from pyramid.events import ApplicationCreated, ContextFound
    from substanced.event import (
        ACLModified, ObjectAdded, ObjectModified, ObjectWillBeRemoved)
    from ..workflow.engine import Transitioned
    config.add_subscriber(_watch_request, ContextFound)
    for event in (ObjectAdded, ObjectModified, ObjectWillBeRemoved,
                  ACLModified):
        config.add_subscriber(_on_case_event, [event, None])
    config.add_subscriber(_on_case_event, Transitioned)
    config.add_subscriber(repair_on_start, ApplicationCreated)
    config.include('.views')
