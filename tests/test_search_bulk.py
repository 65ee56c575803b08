"""The bulk writer (``casefile.search.bulk``) and the parallel rebuild's
routing (``reindex.Writers``): an index written in bulk must be the index
Whoosh writes document by document, posting by posting, and answer every
query the same."""
import pytest

from casefile.search import analysis
from casefile.search.index import SearchIndex, bulk_writer, writer
from casefile.search.query import parse
from casefile.search.reindex import Writers, interleave
from casefile.search.schema import to_fields
from casefile.search.synthetic import corpus

QUERIES = ['药店', '食品经营许可', '营业执照 -注销', '药店 OR 宾馆', '开',
           '"公共场所卫生许可"']


def documents(n=400, seed=7):
    docs = corpus(n, seed=seed)
    for doc in docs:
        doc['allowed'] = ['role:supervisor',
                          'section:%s:reviewer' % doc['section']]
    return docs


def build(path, docs, make, chunks=1, optimize=False, deleted=()):
    """Write ``docs`` in ``chunks`` commits per year with ``make``."""
    search_index = SearchIndex(str(path))
    size = -(-len(docs) // chunks)
    for start in range(0, len(docs), size):
        writers = {}
        for doc in docs[start:start + size]:
            year = doc['date'].year
            if year not in writers:
                writers[year] = make(search_index.index(year, create=True))
            writers[year].add_document(**to_fields(doc))
        for w in writers.values():
            w.commit(merge=False)
    for number in deleted:
        for year in search_index.years():
            w = writer(search_index.index(year))
            w.delete_by_term('case_number', number)
            w.commit(merge=False)
    if optimize:
        for year in search_index.years():
            make(search_index.index(year)).commit(optimize=True)
    search_index.touch()
    return search_index


def postings(search_index):
    """Every posting (field, term, year → documents, weights, values) and
    every stored document, in each year's single segment."""
    out = {}
    for year in search_index.years():
        reader = search_index.index(year).reader()
        try:
            for fieldname, btext in reader.all_terms():
                matcher = reader.postings(fieldname, btext)
                found = []
                while matcher.is_active():
                    found.append((matcher.id(), matcher.weight(),
                                  matcher.value()))
                    matcher.next()
                info = reader.term_info(fieldname, btext)
                out[year, fieldname, btext] = (
                    found, info.doc_frequency(), info.weight(),
                    info.max_weight(), info.min_id(), info.max_id())
            out[year, 'stored'] = list(reader.all_stored_fields())
        finally:
            reader.close()
    return out


def answers(search_index, limit=20, ordered=True):
    """Each query's total and hits; ``ordered=False``: every hit, as a
    set (cases of equal score come in document order, which differs when
    the documents were numbered in another order)."""
    out = []
    for q in QUERIES:
        for filters in ({}, {'section': 'market'}, {'year': '2024'}):
            total, exact, hits = search_index.search(
                parse(q, filters), ['role:supervisor'], limit=limit)
            hits = [(round(k, 6), f['case_number']) for k, f in hits]
            out.append((q, total, exact, hits if ordered else sorted(hits)))
    return out


def assert_same(bulk, plain):
    left, right = postings(bulk), postings(plain)
    assert left.keys() == right.keys()
    assert [k for k in left if left[k] != right[k]] == []
    assert answers(bulk) == answers(plain)


def test_a_bulk_index_is_the_index_written_document_by_document(tmp_path):
    docs = documents()
    bulk = build(tmp_path / 'bulk', docs, bulk_writer)
    plain = build(tmp_path / 'plain', docs, writer)
    assert_same(bulk, plain)
    assert answers(bulk)[0][1] > 0


def test_merging_in_bulk_is_whoosh_merging_with_deletions(tmp_path):
    # several segments per year, deletions, then one segment each: the
    # bulk merge reads the text postings a block at a time and must drop
    # the deleted cases as Whoosh's merge does
    docs = documents(500, seed=11)
    gone = [d['case_number'] for d in docs[::7]]
    bulk = build(tmp_path / 'bulk', docs, bulk_writer, chunks=3,
                 optimize=True, deleted=gone)
    plain = build(tmp_path / 'plain', docs, writer, chunks=3,
                  optimize=True, deleted=gone)
    assert_same(bulk, plain)
    assert not bulk.numbers() & set(gone)


def test_long_posting_lists_are_cut_in_blocks_as_whoosh_cuts_them(tmp_path):
    # 128 postings a block: lists of 127, 128, 129 and 300 documents
    docs = documents(300, seed=3)
    for i, doc in enumerate(docs):
        doc['date'] = doc['date'].replace(year=2024)
        marks = [w for n, w in ((127, '甲乙'), (128, '丙丁'), (129, '戊己'),
                                (300, '庚辛')) if i < n]
        doc['text'] += '\n' + ' '.join(marks)
    assert_same(build(tmp_path / 'bulk', docs, bulk_writer),
                build(tmp_path / 'plain', docs, writer))


@pytest.mark.parametrize('procs', [1, 2])
def test_the_writers_build_the_same_index_however_years_are_shared(
        tmp_path, procs):
    docs = documents(600, seed=5)
    search_index = SearchIndex(str(tmp_path / 'built'))
    writers = Writers(search_index, procs)
    # 2024 dominates: every process writes part of it (merged at the end)
    for doc in docs[:300]:
        doc['date'] = doc['date'].replace(year=2024)
    counts = {}
    for doc in docs:
        counts[doc['date'].year] = counts.get(doc['date'].year, 0) + 1
    writers.plan(counts)
    if procs == 2:
        assert writers.owners[2024] == [0, 1]
        assert all(len(o) == 1 for y, o in writers.owners.items()
                   if y != 2024)
    try:
        for start in range(0, len(docs), 50):
            batch = {}
            for doc in docs[start:start + 50]:
                batch.setdefault(doc['date'].year, []).append(
                    to_fields(doc))
            for year, fields in batch.items():
                writers.send(year, fields)
            if start == 300:        # a checkpoint: more segments to merge
                last = writers.commit()
                assert last[2024] == max(
                    d['case_number'] for d in docs[:350]
                    if d['date'].year == 2024)
        writers.commit(final=True)
    finally:
        writers.close()
    for year in search_index.years():
        assert len(search_index.index(year)._segments()) == 1
    plain = build(tmp_path / 'plain', sorted(
        docs, key=lambda d: d['case_number']), writer)
    # document numbers differ (parts are merged in their own order), so
    # compare what a reader sees: the same cases behind every term
    assert answers(search_index, 1000, False) == answers(plain, 1000, False)
    assert search_index.numbers() == plain.numbers()


def test_years_are_read_side_by_side_each_in_order():
    numbers = (['AS-2023%04d-%06d' % (101, i) for i in range(3)]
               + ['AS-2024%04d-%06d' % (101, i) for i in range(6)])
    order, counts = interleave(numbers)
    assert counts == {2023: 3, 2024: 6}
    # not all of 2023 first: both processes get work from the start
    assert order[:2] == [numbers[0], numbers[3]]
    for year in ('2023', '2024'):
        mine = [n for n in order if n.startswith('AS-' + year)]
        assert mine == sorted(mine)


def test_years_are_shared_out_evenly():
    writers = Writers.__new__(Writers)
    writers.procs, writers.owners, writers.load, writers.turns = (
        2, {}, [0, 0], {})
    writers.plan({2021: 10, 2022: 15, 2023: 20, 2024: 55})
    assert writers.owners[2024] == [0, 1]       # over half a fair share
    owned = {}
    for year in (2021, 2022, 2023):
        owned.setdefault(writers.owners[year][0], []).append(year)
    assert sorted(map(sorted, owned.values())) == [[2021, 2022], [2023]]
    # a year nobody planned for goes to the least loaded process
    assert writers.route(2020, 5) in (0, 1)


def _reference_impacts(text):
    """The former ``impacts``: the generator ``terms`` counted by hand."""
    counts, n = {}, 0
    for _pos, term in analysis.terms(text):
        counts[term] = counts.get(term, 0) + 1
        n += 1
    norm = analysis.K1 * (1 - analysis.B + analysis.B * n
                          / analysis.AVERAGE_TERMS)
    return {t: round(c * (analysis.K1 + 1) / (c + norm), 3)
            for t, c in counts.items()}


@pytest.mark.parametrize('text', [
    'ＡＢ１２-34 开 x 开办药店申请 a-b-c AS-20261125-000123 a..b 药',
    '药店药店药店 药店', '', '...', None, '张伟到 营业执照 ab/cd_ef.gh',
    '㈱ ① ﬁ 豈 a', 'x' * 3 + '-' + '药' * 500])
def test_impacts_count_as_the_positional_terms_do(text):
    assert analysis.impacts(text) == _reference_impacts(text)


def test_an_interrupted_build_resumes_from_its_committed_parts(tmp_path):
    docs = documents(300, seed=9)
    search_index = SearchIndex(str(tmp_path / 'built'))

    def send(writers, chunk):
        for doc in chunk:
            writers.send(doc['date'].year, [to_fields(doc)])

    writers = Writers(search_index, 2)
    try:
        send(writers, docs[:200])
        done = writers.commit()              # the checkpoint
        send(writers, docs[200:250])         # lost: never committed
    finally:
        writers.close()                      # interrupted before the end
    assert search_index.years() == []        # nothing in place yet
    assert done
    writers = Writers(search_index, 2)       # the resumed run
    try:
        send(writers, docs[200:])
        writers.commit(final=True)
    finally:
        writers.close()
    assert sorted(search_index.numbers()) == sorted(
        d['case_number'] for d in docs)
    assert search_index.doc_count() == len(docs)
    assert not (tmp_path / 'built' / 'parts').exists()
