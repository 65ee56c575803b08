"""Turning Chinese text into index terms: overlapping character pairs.

Every run of Chinese characters becomes its overlapping two-character
pairs (``开办药店申请`` → 开办 办药 药店 店申 申请), at positions that are
their real index in the run, so a query of *n* characters is the phrase
of its *n − 1* pairs and finds exactly the documents that contain that
substring: a word inside a compound (药店 in 开办药店申请书) is found, and
a multi-word term (食品经营许可) is never matched by its words scattered.
Segmentation with jieba/rjieba was measured against this (docs/search.md):
it misses names that its HMM glues to the next character (``张伟到``) and
words its dictionary keeps inside longer words, which pairs cannot miss.

Runs of letters and digits (credit codes, ID numbers, case numbers) are
one lower-case term each, plus the parts of a hyphenated identifier at
the same position, so ``AS-20261125-000123`` and ``000123`` both find the
case.  Text is NFKC-normalised first: full-width digits and letters typed
by an applicant match their ASCII form.
"""
import re
import unicodedata
from collections import Counter
from operator import add

from whoosh.analysis import Token, Tokenizer

#: a run of CJK ideographs, or of ASCII letters/digits (with inner - _ / .)
RUNS = re.compile(
    r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+'
    r'|[a-z0-9](?:[a-z0-9\-_/.]*[a-z0-9])?')
CJK_FIRST = '\u3400'
#: the separators inside an identifier (its parts are terms too)
PARTS = re.compile(r'[\-_/.]')


def normalise(text):
    return unicodedata.normalize('NFKC', text or '').lower()


def terms(text, parts=True):
    """``(position, term)`` pairs of ``text``; ``parts`` adds identifier
    parts (index time), never at query time."""
    pos = 0
    for match in RUNS.finditer(normalise(text)):
        run = match.group()
        if run[0] >= CJK_FIRST and not run[0].isascii():
            if len(run) == 1:
                yield pos, run
                pos += 1
                continue
            for i in range(len(run) - 1):
                yield pos, run[i:i + 2]
                pos += 1
        else:
            yield pos, run
            if parts and len(run) > 1:
                for part in re.split(r'[\-_/.]', run):
                    if part and part != run:
                        yield pos, part
            pos += 1
        # a gap between runs: a phrase never spans punctuation or spaces
        pos += 1


def query_runs(text):
    """The runs of a query string, each a list of terms (one phrase)."""
    for match in RUNS.finditer(normalise(text)):
        run = match.group()
        if run[0] >= CJK_FIRST and not run[0].isascii():
            if len(run) == 1:
                yield [run]
            else:
                yield [run[i:i + 2] for i in range(len(run) - 1)]
        else:
            yield [run]


#: BM25 constants of the impact stored as each posting's weight
K1 = 1.2
B = 0.75
#: a typical case's number of terms (the length normalisation's pivot)
AVERAGE_TERMS = 400.0


def term_list(text):
    """Every index term of ``text`` (``terms`` without positions), built
    with C-level slicing and ``map``: this runs once per case in a rebuild
    and the generator of ``terms`` cost half of a case's analysis."""
    out = []
    for run in RUNS.findall(normalise(text)):
        if run[0] >= CJK_FIRST and not run[0].isascii():
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(map(add, run[:-1], run[1:]))
        else:
            out.append(run)
            if len(run) > 1:
                out.extend(p for p in PARTS.split(run) if p and p != run)
    return out


def impacts(text):
    """``{term: impact}``: the BM25 term-frequency part of every distinct
    term, with the document's length normalisation folded in, so that a
    query scores a document by ``idf × impact`` without reading lengths.
    The impact depends on the count only (within a document), so it is
    computed once per distinct count: ``round`` per term was the slowest
    step of the analysis."""
    found = term_list(text)
    norm = K1 * (1 - B + B * len(found) / AVERAGE_TERMS)
    by_count = {}
    out = {}
    for term, count in Counter(found).items():
        impact = by_count.get(count)
        if impact is None:
            impact = by_count[count] = round(
                count * (K1 + 1) / (count + norm), 3)
        out[term] = impact
    return out


class PairTokenizer(Tokenizer):
    """Whoosh tokenizer: each distinct term once, boosted by its impact
    (the field stores frequencies without positions; see ``engine``)."""

    def __call__(self, value, positions=False, chars=False,
                 keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode='', **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode,
                  **kwargs)
        if mode == 'query':
            for pos, text in terms(value, parts=False):
                t.text = t.original = text
                t.boost = 1.0
                t.stopped = False
                if positions:
                    t.pos = start_pos + pos
                yield t
            return
        for i, (text, impact) in enumerate(impacts(value).items()):
            t.text = t.original = text
            t.boost = impact
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            yield t


def analyzer():
    return PairTokenizer()
