"""Search at city scale: casefile's index against SQLite FTS5.

    .venv/bin/python bench/search.py [--sizes 100000] [--procs 2]
                                     [--runs 40] [--keep DIR]
    .venv/bin/python bench/search.py --sizes 100000,500000   # city scale

The default runs 100 k records only, so that ``make bench`` stays within
its time budget on a 2-core machine (500 k records took 23 minutes on a
loaded machine and 5.6 GB of memory, most of it the corpus held here).

For each size: a seeded synthetic corpus of case records
(``casefile.search.synthetic``: applicant, credit code, Anshan address,
matter and item names, review opinions, material excerpts; ~290
characters each), indexed by casefile's own rebuild path
(``casefile.search.reindex.Writers``: ``--procs`` writer processes, one
Whoosh index per year), then queried top-10 through
``SearchIndex.search`` — the code the search page and the API run, total
included — per query class, with and without a date-range or section
filter.  The same corpus, segmented with rjieba (precise mode), goes into
an SQLite FTS5 table built here (not part of the product) and is queried
with phrase queries (``"食品 经营 许可"``) ``ORDER BY rank LIMIT 10``; a
raw Whoosh query (``searcher.search`` of the AND of the pairs, which
cannot check adjacency) on casefile's index is shown for comparison.

Prints per size: indexing rate, index size, p50/p95 per query class for
casefile, FTS5 and raw Whoosh, the ratio casefile/FTS5 of the p95s,
recall/precision@10 against exact substrings on a sample, and peak memory
(this process and the writer processes).
"""
import argparse
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from casefile.search.analysis import normalise  # noqa: E402
from casefile.search.index import SearchIndex  # noqa: E402
from casefile.search.query import parse  # noqa: E402
from casefile.search.reindex import Writers  # noqa: E402
from casefile.search.schema import to_fields  # noqa: E402
from casefile.search.synthetic import MATTERS, corpus  # noqa: E402

COMMON = ['药店', '执照', '餐饮', '超市', '宾馆', '诊所', '许可', '面馆',
          '药房', '备案']
ITEMS = sorted({i for _m, items, _s in MATTERS for i in items
                if len(i) >= 4} | {'开办药店申请书', '食品经营许可'})
SECTIONS = ['market', 'food', 'social', 'urban', 'build', 'invest']
PRINCIPALS = ['role:supervisor']


def docs_for(n, seed):
    docs = corpus(n, seed=seed)
    for doc in docs:
        doc['allowed'] = ['role:supervisor',
                          'section:%s:reviewer' % doc['section']]
    return docs


def size_of(path):
    total = 0
    for base, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(base, f)) for f in files)
    return total


# -- casefile -------------------------------------------------------------

def build_casefile(docs, path, procs):
    search_index = SearchIndex(path)
    started = time.perf_counter()
    writers = Writers(search_index, procs)
    writers.plan(Counter(doc['date'].year for doc in docs))
    batch = {}
    try:
        for i, doc in enumerate(docs, 1):
            fields = to_fields(doc)
            batch.setdefault(fields['date'].year, []).append(fields)
            if i % 500 == 0:
                for year, chunk in batch.items():
                    writers.send(year, chunk)
                batch = {}
            if i % 200000 == 0:      # resumable batches, as the rebuild
                writers.commit()
        for year, chunk in batch.items():
            writers.send(year, chunk)
        writers.commit(final=True)
    finally:
        writers.close()
    search_index.optimize()     # a no-op unless procs == 1
    search_index.touch()
    seconds = time.perf_counter() - started
    return search_index, seconds


# -- FTS5 -----------------------------------------------------------------

def _segment(text):
    import rjieba
    return ' '.join(w for w in rjieba.cut(normalise(text)) if w.strip())


def build_fts(docs, path, procs):
    db = sqlite3.connect(path)
    db.execute('PRAGMA journal_mode=OFF')
    db.execute('PRAGMA synchronous=OFF')
    db.execute('CREATE VIRTUAL TABLE cases USING fts5(number UNINDEXED, '
               'year UNINDEXED, section UNINDEXED, text)')
    started = time.perf_counter()
    with multiprocessing.get_context('fork').Pool(procs) as pool:
        texts = pool.imap(_segment, (d['text'] for d in docs), 2000)
        db.executemany('INSERT INTO cases VALUES (?, ?, ?, ?)', (
            (d['case_number'], d['date'].year, d['section'], t)
            for d, t in zip(docs, texts)))
    db.commit()
    seconds = time.perf_counter() - started
    return db, seconds


def fts_match(q):
    import rjieba
    parts = []
    for word in q.split():
        words = [w for w in rjieba.cut(normalise(word)) if w.strip()]
        parts.append('"%s"' % ' '.join(w.replace('"', '') for w in words))
    return ' AND '.join(parts)


def fts_search(db, q, year=None, section=None):
    sql = 'SELECT number FROM cases WHERE cases MATCH ?'
    args = [fts_match(q)]
    if year:
        sql += ' AND year = ?'
        args.append(year)
    if section:
        sql += ' AND section = ?'
        args.append(section)
    sql += ' ORDER BY rank LIMIT 10'
    return [r[0] for r in db.execute(sql, args)]


# -- queries --------------------------------------------------------------

def query_classes(docs, runs, rng):
    sample = rng.sample(docs, runs * 3)
    people = []
    for doc in sample:
        for line in doc['text'].split('\n'):
            if line.startswith('本人'):
                people.append(line[2:line.index('承诺')])
                break
    classes = {
        'common word': [COMMON[i % len(COMMON)] for i in range(runs)],
        'multi-word item name': [ITEMS[i % len(ITEMS)] for i in range(runs)],
        'person name': (people * 3)[:runs],
        'credit code': [d['identifier'] for d in sample[:runs]],
        'case number': [d['case_number'] for d in sample[runs:2 * runs]],
    }
    out = []
    for name, qs in classes.items():
        out.append((name, [(q, None, None) for q in qs]))
        filtered = []
        for i, q in enumerate(qs):
            if i % 2:
                filtered.append((q, str(rng.randint(2021, 2026)), None))
            else:
                filtered.append((q, None, rng.choice(SECTIONS)))
        out.append((name + ' + year/section', filtered))
    return out


def casefile_query(search_index, q, year, section):
    filters = {}
    if year:
        filters['year'] = year
    if section:
        filters['section'] = section
    parsed = parse(q, filters)
    total, exact, hits = search_index.search(parsed, PRINCIPALS, limit=10)
    return [f['case_number'] for _k, f in hits]


def whoosh_query(search_index, q, year, section):
    from whoosh import query as Q
    from casefile.search.analysis import query_runs
    terms = [Q.Term('text', t) for run in query_runs(q) for t in run]
    musts = terms[:]
    if section:
        musts.append(Q.Term('sections', section))
    query = Q.And(musts) if len(musts) > 1 else musts[0]
    out = []
    for y in search_index.years():
        if year and int(year) != y:
            continue
        hits = search_index.searcher(y).search(query, limit=10)
        out.extend((h.score, h['case_number']) for h in hits)
    return [n for _s, n in sorted(out, reverse=True)[:10]]


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return (time.perf_counter() - started) * 1000, result


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def truth_for(docs_text, q, year, section, docs):
    needles = [normalise(w) for w in q.split()]
    return {d['case_number'] for d, t in zip(docs, docs_text)
            if all(n in t for n in needles)
            and (not year or d['date'].year == int(year))
            and (not section or d['section'] == section)}


def run_size(n, procs, runs, workdir, keep=False, seed=20260101):
    rng = random.Random(seed)
    started = time.perf_counter()
    docs = docs_for(n, seed)
    print('\n## %d records (corpus generated in %.0f s, %.0f chars each '
          'on average)' % (n, time.perf_counter() - started,
                           statistics.mean(len(d['text']) for d in
                                           docs[:5000])), flush=True)
    path = os.path.join(workdir, 'casefile-%d' % n)
    # the machine may be shared: the load says what the rate was measured on
    load_before = '%.2f %.2f %.2f' % os.getloadavg()
    search_index, seconds = build_casefile(docs, path, procs)
    print('casefile index: %.0f records/s (%d writer processes), %.0f MB '
          'on disk, %.0f s; load average before %s, after %s' % (
              n / seconds, procs, size_of(path) / 2 ** 20, seconds,
              load_before, '%.2f %.2f %.2f' % os.getloadavg()), flush=True)
    fts_path = os.path.join(workdir, 'fts-%d.sqlite' % n)
    db, fts_seconds = build_fts(docs, fts_path, procs)
    print('FTS5 (rjieba-segmented): %.0f records/s, %.0f MB on disk' % (
        n / fts_seconds, os.path.getsize(fts_path) / 2 ** 20), flush=True)

    classes = query_classes(docs, runs, rng)
    # warm both (first touch of the files and caches), then measure
    for _name, qs in classes:
        for q, year, section in qs[:3]:
            casefile_query(search_index, q, year, section)
            fts_search(db, q, year, section)
    print('%-34s %17s %17s %17s %7s' % (
        'query class (top 10)', 'casefile p50/p95', 'FTS5 p50/p95',
        'raw Whoosh p50/p95', 'ratio'))
    texts = None
    judged = []
    worst = []
    for name, qs in classes:
        ours, theirs, raw = [], [], []
        for q, year, section in qs:
            ms, got = timed(casefile_query, search_index, q, year, section)
            ours.append(ms)
            ms, _f = timed(fts_search, db, q, year, section)
            theirs.append(ms)
            if len(raw) < 10:
                ms, _w = timed(whoosh_query, search_index, q, year, section)
                raw.append(ms)
            if len(judged) < 400 and rng.random() < 0.25:
                judged.append((q, year, section, got))
        ratio = pct(ours, 95) / max(pct(theirs, 95), 1e-6)
        worst.append(ratio)
        print('%-34s %8.1f /%7.1f %8.1f /%7.1f %8.1f /%7.1f %6.2fx' % (
            name, pct(ours, 50), pct(ours, 95), pct(theirs, 50),
            pct(theirs, 95), pct(raw, 50), pct(raw, 95), ratio),
            flush=True)
    texts = [normalise(d['text']) for d in docs]
    recall, precision = [], []
    for q, year, section, got in judged:
        relevant = truth_for(texts, q, year, section, docs)
        if not relevant:
            continue
        hit = len([g for g in got if g in relevant])
        recall.append(hit / min(10, len(relevant)))
        precision.append(hit / len(got) if got else 0.0)
    print('recall@10 %.3f, precision@10 %.3f over %d sampled queries '
          '(exact-substring truth)' % (
              statistics.mean(recall), statistics.mean(precision),
              len(recall)))
    print('worst p95 ratio casefile/FTS5: %.2fx' % max(worst))
    # incremental indexing: one changed case written and committed, as the
    # after-commit hook does (update_document + commit of its year)
    times = []
    for doc in rng.sample(docs, 20):
        doc = dict(doc, text=doc['text'] + '\n补正材料已收到。')
        with search_index.locked():
            ms, _r = timed(search_index.apply, [doc])
        times.append(ms)
    print('incremental indexing of one changed case: p50 %.1f ms, '
          'p95 %.1f ms' % (pct(times, 50), pct(times, 95)))
    db.close()
    del docs, texts
    if not keep:
        shutil.rmtree(path, ignore_errors=True)
        os.remove(fts_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='100000')
    parser.add_argument('--procs', type=int, default=2)
    parser.add_argument('--runs', type=int, default=40)
    parser.add_argument('--keep', default=None,
                        help='work directory to keep (default: temporary)')
    args = parser.parse_args()
    workdir = args.keep or tempfile.mkdtemp(prefix='casefile-search-bench-')
    os.makedirs(workdir, exist_ok=True)
    started = time.perf_counter()
    try:
        print('# bench/search.py: casefile search vs SQLite FTS5 '
              '(%d cores)' % os.cpu_count())
        for n in [int(s) for s in args.sizes.split(',') if s]:
            run_size(n, args.procs, args.runs, workdir, keep=bool(args.keep))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print('\npeak memory: %.0f MB (this process), %.0f MB (largest writer '
          'or segmentation process); total %.0f s' % (
              own, children, time.perf_counter() - started))


if __name__ == '__main__':
    main()
