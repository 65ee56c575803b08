"""The index on disk: one Whoosh index per year of case creation.

``search_dir/2026/``, ``search_dir/2025/``, ... — a date filter opens only
the years it covers (the boundary years get a range filter), sorting by
date reads the newest year first, and a closed year, written once, is
optimised to one segment.  ``search_dir/state.json`` records how far
the durable queue (``queue``) has been applied to this directory (a
watermark and the keys applied just below it); ``search_dir/apply.lock``
(``flock``) lets one process at a time write, so processes sharing a
directory take turns and those with their own directories each catch up
on their own.
"""
import contextlib
import datetime
import fcntl
import json
import os
import re
import threading
import time

from whoosh import index as windex

from .bulk import BulkWriter, Codec
from .engine import Clause, Leaf, confirm, evaluate, needles_of
from .schema import make_schema, to_fields

YEAR = re.compile(r'^\d{4}$')
NUMBER_YEAR = re.compile(r'-(\d{4})\d{4}-')
STATE = 'state.json'


def writer(ix, **kwargs):
    """A writer of ``ix`` with casefile's codec (``bulk.Codec``), for a
    few documents at a time (the queue's changes)."""
    return ix.writer(codec=Codec(), **kwargs)


def bulk_writer(ix, **kwargs):
    """A writer of ``ix`` for many documents or merging segments: the
    ``text`` postings are written in whole lists (``bulk``)."""
    return BulkWriter(ix, **kwargs)


def open_year(path, year, create=False):
    """The Whoosh index of ``year`` under ``path`` (created if ``create``;
    else ``None`` when there is none)."""
    folder = os.path.join(path, str(year))
    if windex.exists_in(folder):
        return windex.open_dir(folder)
    if not create:
        return None
    os.makedirs(folder, exist_ok=True)
    return windex.create_in(folder, make_schema())


def year_of_number(case_number):
    match = NUMBER_YEAR.search(case_number or '')
    return int(match.group(1)) if match else None


class SearchIndex:
    """All partitions under one directory, for one process."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        os.makedirs(self.path, exist_ok=True)
        self._local = threading.local()
        self._indexes = {}
        self._lock = threading.Lock()
        self._seen = None
        self._generation = 0
        self._years = None

    # -- the generation stamp: one stat() per query instead of listing
    # every partition's directory to see whether a writer committed ------
    def touch(self):
        path = os.path.join(self.path, 'generation')
        with open(path, 'w') as f:
            f.write(str(time.time_ns()))

    def _check(self):
        try:
            stat = os.stat(os.path.join(self.path, 'generation'))
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        if stamp != self._seen or stamp is None:
            self._seen = stamp
            self._generation += 1
            self._years = None

    # -- state of this directory -------------------------------------------
    def read_state(self):
        try:
            with open(os.path.join(self.path, STATE), encoding='utf-8') as f:
                return json.load(f)
        except (OSError, ValueError):
            return {'applied': 0, 'log': None}

    def write_state(self, applied, log_id, recent=()):
        """``applied``: the highest log key applied; ``recent``: the keys
        applied within the log's grace period below it (see ``queue``)."""
        tmp = os.path.join(self.path, STATE + '.%d.tmp' % os.getpid())
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump({'applied': applied, 'log': log_id,
                       'recent': list(recent)}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.path, STATE))
        self.touch()

    @contextlib.contextmanager
    def locked(self):
        """The directory's writer lock (across processes and threads)."""
        with self._lock:
            fd = os.open(os.path.join(self.path, 'apply.lock'),
                         os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    @property
    def texts_dir(self):
        return os.path.join(self.path, 'texts')

    # -- partitions ----------------------------------------------------------
    def years(self):
        self._check()
        if self._years is not None:
            return self._years
        out = []
        for name in os.listdir(self.path):
            if YEAR.match(name) and windex.exists_in(
                    os.path.join(self.path, name)):
                out.append(int(name))
        self._years = sorted(out, reverse=True)
        return self._years

    def index(self, year, create=False):
        ix = self._indexes.get(year)
        if ix is None:
            ix = open_year(self.path, year, create)
            if ix is not None:
                self._indexes[year] = ix
        return ix

    def clear(self):
        """Remove every partition and the state (a full rebuild follows)."""
        import shutil
        self._indexes.clear()
        self._local = threading.local()
        self._years = None
        for name in os.listdir(self.path):
            if YEAR.match(name) or name == 'parts':    # see reindex.Part
                shutil.rmtree(os.path.join(self.path, name))
        with contextlib.suppress(OSError):
            os.remove(os.path.join(self.path, STATE))

    # -- writing ------------------------------------------------------------
    def apply(self, documents, deleted=()):
        """Replace ``documents`` (dicts) and delete case numbers; call
        inside ``locked()``."""
        by_year = {}
        for doc in documents:
            by_year.setdefault(doc['date'].year, []).append(doc)
        gone = {}
        for number in deleted:
            year = year_of_number(number)
            for y in ([year] if year else self.years()):
                gone.setdefault(y, []).append(number)
        for year in sorted(set(by_year) | set(gone)):
            docs = by_year.get(year, [])
            ix = self.index(year, create=bool(docs))
            if ix is None:
                continue
            w = writer(ix, timeout=30)
            try:
                for number in gone.get(year, ()):
                    w.delete_by_term('case_number', number)
                for doc in docs:
                    w.update_document(**to_fields(doc))
            except BaseException:
                w.cancel()
                raise
            w.commit()
        self.touch()

    def optimize(self, years=None):
        for year in years or self.years():
            ix = self.index(year)
            if ix is not None and len(ix._segments()) > 1:
                bulk_writer(ix).commit(optimize=True)

    # -- reading ------------------------------------------------------------
    def searcher(self, year):
        cache = getattr(self._local, 'searchers', None)
        if cache is None:
            cache = self._local.searchers = {}
        found = cache.get(year)
        if found is not None:
            generation, searcher = found
            if generation == self._generation or searcher.up_to_date():
                cache[year] = (self._generation, searcher)
                return searcher
            fresh = searcher.refresh()
            if fresh is not searcher:
                searcher.close()
            cache[year] = (self._generation, fresh)
            return fresh
        ix = self.index(year)
        if ix is None:
            return None
        searcher = ix.searcher()
        cache[year] = (self._generation, searcher)
        return searcher

    def leaves(self, year):
        """``[(Leaf, offset)]`` of a partition's current segments; a
        segment's caches live as long as it does (deletions renew them)."""
        searcher = self.searcher(year)
        if searcher is None:
            return []
        cache = self.__dict__.setdefault('_leaves', {})
        out = []
        for reader, offset in searcher.reader().leaf_readers():
            segment = reader.segment()
            key = (year, segment.segment_id(), segment.deleted_count())
            leaf = cache.get(key)
            if leaf is None or leaf.reader is not reader:
                if leaf is None or leaf.reader.is_closed:
                    leaf = Leaf(reader)
                    cache[key] = leaf
                else:
                    leaf.reader = reader
            out.append((leaf, offset))
        live = {(year, r.segment().segment_id())
                for r, _o in searcher.reader().leaf_readers()}
        for key in [k for k in cache if k[0] == year and k[:2] not in live]:
            del cache[key]
        return out

    def doc_count(self):
        total = 0
        for year in self.years():
            total += self.searcher(year).doc_count()
        return total

    def numbers(self):
        """Every indexed case number (for checks and repair)."""
        out = set()
        for year in self.years():
            for fields in self.searcher(year).all_stored_fields():
                out.add(fields['case_number'])
        return out

    def search(self, parsed, principals, sort='relevance', limit=10):
        """``(total, exact, hits)`` for a parsed query (``query.parse``):
        hits are ``(score or date, stored fields)``, best first;
        ``principals`` None means no permission filter (command line)."""
        from .query import date_range
        start, end = date_range(parsed.filters)
        clauses = [c for c in (Clause(alts) for alts in parsed.clauses)
                   if c.alternatives]
        excluded = [c for c in (Clause([s]) for s in parsed.excluded)
                    if c.alternatives]
        if parsed.clauses and not clauses:
            return 0, True, []
        needles = needles_of(clauses)
        want = limit if not needles else limit * 2
        while True:
            total, exact, hits, short = self._collect(
                clauses, excluded, parsed.filters, principals, start, end,
                sort, want)
            hits.sort(key=lambda h: h[0], reverse=True)
            out, cache = [], {}
            for key, leaf, doc in hits:
                if needles and not confirm(leaf, doc, needles, cache):
                    continue
                out.append((key, leaf.reader.stored_fields(doc)))
                if len(out) == limit:
                    break
            if len(out) >= limit or not short or want > 50000:
                return total, exact, out
            want *= 4

    def _collect(self, clauses, excluded, filters_, principals, start, end,
                 sort, want):
        total, exact, hits, short = 0, True, [], False
        for year in self.years():
            if start is not None and year < start.year:
                continue
            if end is not None and year > end.year:
                continue
            whole_year = (start is None or start <= datetime.datetime(
                year, 1, 1)) and (end is None or end >= datetime.datetime(
                    year, 12, 31, 23, 59, 59))
            for leaf, _offset in self.leaves(year):
                filters = leaf_filters(leaf, filters_, principals)
                if filters is None:
                    continue
                if not whole_year:
                    filters.append(leaf.date_set(start, end))
                n, ex, top = evaluate(leaf, clauses, excluded, filters,
                                      sort, want)
                total += n
                exact = exact and ex
                short = short or (len(top) == want and n > want)
                hits.extend((key, leaf, doc) for key, doc in top)
        return total, exact, hits, short


FILTER_FIELDS = {'state': 'state', 'section': 'sections', 'item': 'items',
                 'matter': 'matter', 'light': 'light',
                 'retention': 'retention', 'archive_number': 'archive_number',
                 'district': 'district', 'organisation': 'organisations'}


def leaf_filters(leaf, filters, principals):
    """The document sets a hit must belong to, or ``None`` when one is
    empty (nothing in this segment can match)."""
    from .query import archived_filter
    out = []
    if principals is not None:
        allowed = leaf.any_of('allowed', sorted({str(p) for p in principals}))
        if not allowed:
            return None
        if len(allowed) < leaf.doc_count:
            out.append(allowed)
    for key, field in FILTER_FIELDS.items():
        value = filters.get(key)
        if value in (None, ''):
            continue
        values = [str(v) for v in (value if isinstance(value, (list, tuple))
                                   else [value]) if v not in (None, '')]
        docs = leaf.any_of(field, values)
        if not docs:
            return None
        out.append(docs)
    archived = archived_filter(filters)
    if archived is not None:
        docs = leaf.term_set('archived', 't')
        if archived:
            if not docs:
                return None
            out.append(docs)
        else:
            out.append(set(range(leaf.doc_count)) - docs)
    return out
