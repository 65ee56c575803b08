"""The Whoosh schema of a case document (see ``extract.case_document``).

``text`` carries the character pairs and identifiers, weighted by their
BM25 impact and without positions (phrases are confirmed on the stored
``body``, see ``engine``); the
structured fields are exact terms used as filters that are intersected
with the text query before scoring (``query.build``); ``allowed`` holds
the principals that may view the case in its current state.
"""
from whoosh.fields import (
    BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema)

from whoosh.formats import Frequency
from whoosh.system import pack_uint

from .analysis import PairTokenizer, impacts

#: list-valued fields, written as space-separated keywords
LISTS = ('items', 'sections', 'organisations', 'allowed')
#: exact-value filter fields (query syntax ``field:value``)
FILTERS = ('state', 'matter', 'items', 'sections', 'light', 'retention',
           'archive_number', 'organisations', 'district', 'identifier',
           'case_number')


#: the value of every ``text`` posting (a frequency of one; the weight
#: is the impact)
IMPACT_VALUE = pack_uint(1)


class ImpactFormat(Frequency):
    """Postings of ``text``: each distinct term once, its weight the BM25
    impact (``analysis.impacts``), straight from the text without token
    objects (the analyzer is kept for Whoosh's own query tools)."""

    def word_values(self, value, analyzer, **kwargs):
        return ((term, 1, impact, IMPACT_VALUE)
                for term, impact in impacts(value).items())


def _text():
    # no positions (phrases are confirmed on the stored text) and no
    # length column: the impact in each posting's weight already holds
    # the length normalisation; both halve the writing time per posting
    field = TEXT(analyzer=PairTokenizer(), phrase=False)
    field.format = ImpactFormat()
    field.scorable = False
    return field


def make_schema():
    return Schema(
        case_number=ID(stored=True, unique=True),
        title=STORED,
        body=STORED,
        text=_text(),
        identifier=ID,
        matter=ID,
        items=KEYWORD(lowercase=False),
        sections=KEYWORD(lowercase=False),
        state=ID(stored=True),
        date=DATETIME(stored=True, sortable=True),
        light=ID,
        archived=BOOLEAN,
        archive_number=ID(stored=True),
        retention=ID,
        organisations=KEYWORD(lowercase=False),
        district=ID,
        allowed=KEYWORD(lowercase=False),
    )


NAMES = frozenset(make_schema().names())


def to_fields(doc):
    """A document from ``extract.case_document`` as Whoosh field values."""
    fields = {k: v for k, v in doc.items() if k not in LISTS and v != ''
              and k in NAMES}
    for key in LISTS:
        values = [v for v in doc.get(key) or () if v]
        if values:
            fields[key] = ' '.join(values)
    fields['body'] = doc['text']
    return fields
