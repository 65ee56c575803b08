"""Evaluating a query on the Whoosh segments with set operations.

Whoosh stores the postings (``text`` terms are character pairs and
identifiers, without positions; a posting's weight is its BM25 term
impact, computed when the document is analysed).  Whoosh's own matchers
walk postings one document at a time in Python, which measured 20–200 µs
per matching document for scored and phrase queries (docs/search.md), so
common words took seconds at 100 k cases.  Here a query is evaluated per
segment with whole posting blocks:

1. each text clause (a word or quoted phrase) is the intersection of the
   document sets of its pairs (C-speed ``set`` operations);
2. filters (permissions, facets, dates) are sets cached per segment and
   intersected *before* any scoring;
3. candidates are ranked by the sum over clauses of ``idf × impact`` of the
   clause's rarest pair (or by date), taking only the top *k* with
   ``heapq``;
4. a clause of three or more characters is confirmed against the stored
   text of the case (a substring test), in the global rank order over all
   segments, until *k* hits are confirmed (``index.search``): pairs present
   but apart never show up as a hit.  The total counts candidates unless
   a segment has few enough to confirm them all (then it is exact).
"""
import bisect
import datetime
import heapq
import math
from itertools import accumulate

from .analysis import normalise, query_runs

_EPOCH = datetime.datetime(1970, 1, 1)

#: candidates (per segment) up to which every one is confirmed, giving an
#: exact total; above it the total counts unconfirmed candidates ("~")
EXACT_LIMIT = 30


def _postings(reader, field, term):
    """``(ids tuple, weights sequence)`` of one term in one segment."""
    try:
        btext = reader._text_to_bytes(field, term)
        matcher = reader._terms.matcher(field, btext,
                                        reader.schema[field].format)
    except Exception:   # TermNotFound
        return (), ()
    return read_blocks(matcher)


def read_blocks(matcher):
    """``(ids, weights)`` of a W3 posting list, a whole block at a time
    (also used by ``bulk`` to merge segments)."""
    ids, weights = [], []
    while not matcher._atend and matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        raw = matcher._data[0]
        ids.extend(raw if matcher._byteids else accumulate(raw))
        matcher._read_weights()
        weights.extend(matcher._weights)
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids, weights


class Leaf:
    """Per-segment caches: term sets, filter sets, dates."""

    def __init__(self, reader):
        self.reader = reader
        self.deleted = set(reader.deleted_docs_set) if \
            reader.has_deletions() else set()
        self.doc_count = reader.doc_count_all()
        self._terms = {}
        self._filters = {}
        self._dates = None

    def term(self, field, term):
        key = (field, term)
        found = self._terms.get(key)
        if found is None:
            if field == 'text' and len(term) == 1 and not term.isascii():
                # one Chinese character: every pair it starts
                merged = {}
                for pair in self.reader.expand_prefix(field, term):
                    pair = pair.decode('utf-8') if isinstance(
                        pair, bytes) else pair
                    for d, w in zip(*_postings(self.reader, field, pair)):
                        merged[d] = max(w, merged.get(d, 0.0))
                ids = sorted(merged)
                found = (ids, [merged[d] for d in ids])
            else:
                found = _postings(self.reader, field, term)
            if len(self._terms) > 512:
                self._terms.pop(next(iter(self._terms)))
            self._terms[key] = found
        return found

    def term_set(self, field, term):
        key = ('set', field, term)
        found = self._filters.get(key)
        if found is None:
            found = set(self.term(field, term)[0])
            if self.deleted:
                found -= self.deleted
            if len(self._filters) > 256:
                self._filters.pop(next(iter(self._filters)))
            self._filters[key] = found
        return found

    def any_of(self, field, values):
        if len(values) == 1:
            return self.term_set(field, values[0])
        key = ('any', field, tuple(sorted(values)))
        found = self._filters.get(key)
        if found is None:
            found = set()
            for value in values:
                found |= self.term_set(field, value)
            self._filters[key] = found
        return found

    def dates(self):
        """``(dates by docnum, docnums sorted by date, sorted dates)``."""
        if self._dates is None:
            column = self.reader.column_reader('date')
            by_doc = [column[i] or _EPOCH for i in range(self.doc_count)]
            order = sorted(range(self.doc_count), key=by_doc.__getitem__)
            self._dates = (by_doc, order, [by_doc[i] for i in order])
        return self._dates

    def date_set(self, lo, hi):
        key = ('dates', lo, hi)
        found = self._filters.get(key)
        if found is None:
            by_doc, order, values = self.dates()
            a = 0 if lo is None else bisect.bisect_left(values, lo)
            b = len(values) if hi is None else bisect.bisect_right(values, hi)
            found = set(order[a:b])
            self._filters[key] = found
        return found

    def idf(self, field, term):
        df = len(self.term(field, term)[0])
        n = self.doc_count
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


class Clause:
    """One text clause: alternatives (OR) of strings."""

    def __init__(self, strings):
        self.alternatives = []
        for string in strings:
            runs = [run for run in query_runs(string)]
            if runs:
                needles = [normalise(m) for m in _needles(string)]
                self.alternatives.append((runs, needles))

    def needs_check(self):
        return any(len(run) > 1 for runs, _n in self.alternatives
                   for run in runs)


def _needles(string):
    from .analysis import RUNS
    return [m.group() for m in RUNS.finditer(normalise(string))]


def clause_docs(leaf, clause):
    """``(docs, scorer)``: documents with every pair of some alternative,
    and a ``{doc: score}`` mapping of its rarest pair's idf × impact."""
    docs = set()
    score = {}
    for runs, _needles in clause.alternatives:
        alt_docs = None
        alt_score = None
        for run in runs:
            postings = [leaf.term('text', t) for t in run]
            if any(not ids for ids, _w in postings):
                alt_docs = set()
                break
            postings.sort(key=lambda p: len(p[0]))
            rarest_ids, rarest_weights = postings[0]
            run_docs = set(rarest_ids)
            for ids, _w in postings[1:]:
                run_docs.intersection_update(ids)
                if not run_docs:
                    break
            alt_docs = run_docs if alt_docs is None else (
                alt_docs & run_docs)
            idf = math.log(1 + (leaf.doc_count - len(rarest_ids) + 0.5)
                           / (len(rarest_ids) + 0.5))
            run_score = dict(zip(rarest_ids, rarest_weights))
            if alt_score is None:
                alt_score = (idf, run_score)
            elif idf > alt_score[0]:
                alt_score = (idf, run_score)
            if not alt_docs:
                break
        if alt_docs:
            docs |= alt_docs
            idf, weights = alt_score
            for d in alt_docs:
                s = idf * weights.get(d, 0.0)
                if s > score.get(d, 0.0):
                    score[d] = s
    return docs, score


def single_term_docs(leaf, clause):
    """Fast path: one alternative of one single-term run (a 2-character
    word, an identifier): no set, no dict, only the postings."""
    if len(clause.alternatives) != 1:
        return None
    runs, _n = clause.alternatives[0]
    if len(runs) != 1 or len(runs[0]) != 1:
        return None
    return leaf.term('text', runs[0][0])


def confirm(leaf, doc, needles_per_clause, cache):
    """The stored text holds every clause's phrase (some alternative)."""
    body = cache.get(doc)
    if body is None:
        body = cache[doc] = normalise(
            leaf.reader.stored_fields(doc).get('body', ''))
    for alternatives in needles_per_clause:
        if not any(all(n in body for n in needles)
                   for needles in alternatives):
            return False
    return True


def evaluate(leaf, clauses, excluded, filters, sort, limit):
    """``(total, exact, [(key, doc)...])`` for one segment.

    ``filters`` is a list of document sets (already intersected meaning);
    an empty clause list means "all documents passing the filters".
    """
    allowed = None
    for f in sorted(filters, key=len):
        allowed = set(f) if allowed is None else allowed.intersection(f)
        if not allowed:
            return 0, True, []
    check = [c for c in clauses if c.needs_check()]
    needles = needles_of(clauses)

    # -- the fast path: one single-term clause, nothing to confirm -------
    if len(clauses) == 1 and not excluded and sort != 'date':
        postings = single_term_docs(leaf, clauses[0])
        if postings is not None:
            ids, weights = postings
            deleted = leaf.deleted
            if allowed is None and not deleted:
                total = len(ids)
                top = heapq.nlargest(limit, zip(weights, ids))
            else:
                keep = allowed - deleted if allowed is not None else None
                pairs = [(w, d) for w, d in zip(weights, ids)
                         if (d in keep if keep is not None
                             else d not in deleted)]
                total = len(pairs)
                top = heapq.nlargest(limit, pairs)
            idf = leaf.idf('text', clauses[0].alternatives[0][0][0][0])
            return total, True, [(w * idf, d) for w, d in top]

    candidates = None
    scores = []
    for clause in sorted(clauses, key=lambda c: -len(
            c.alternatives[0][0][0][0]) if c.alternatives else 0):
        docs, score = clause_docs(leaf, clause)
        candidates = docs if candidates is None else (candidates & docs)
        scores.append(score)
        if not candidates:
            return 0, True, []
    if candidates is None:
        candidates = set(range(leaf.doc_count)) if allowed is None \
            else set(allowed)
    elif allowed is not None:
        candidates &= allowed
    if leaf.deleted:
        candidates -= leaf.deleted
    for clause in excluded:
        docs, _s = clause_docs(leaf, clause)
        candidates -= docs
    if not candidates:
        return 0, True, []

    if sort == 'date':
        by_doc = leaf.dates()[0]
        keyfunc = by_doc.__getitem__
    elif len(scores) == 1:
        keyfunc = scores[0].__getitem__
    elif scores:
        def keyfunc(d, scores=scores):
            return sum(s[d] for s in scores)
    else:
        by_doc = leaf.dates()[0]
        keyfunc = by_doc.__getitem__

    total = len(candidates)
    exact = not check
    if check and total <= EXACT_LIMIT:
        cache = {}
        candidates = {d for d in candidates
                      if confirm(leaf, d, needles, cache)}
        total, exact = len(candidates), True
    ranked = heapq.nlargest(limit, candidates, key=keyfunc)
    return total, exact, [(keyfunc(d), d) for d in ranked]


def needles_of(clauses):
    """What ``confirm`` checks: the clauses with a phrase of 3+ chars."""
    return [[n for _r, n in c.alternatives] for c in clauses
            if c.needs_check()]
