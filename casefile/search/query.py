"""The query language of the search box, in one line of help:

``"食品经营许可" 铁东区 -注销 药店 OR 药房 state:closed section:market``

- words separated by spaces must all occur (AND); ``OR`` between two
  words accepts either; ``-word`` excludes; ``"..."`` is an exact phrase
  (a word without spaces is already exact: 食品经营许可 finds that
  substring, never 食品 … 经营 … 许可 scattered);
- ``field:value`` filters: 状态/state, 科室/section, 事项/item,
  事项类别/matter, 年份/year, 日期/date (``2024-01-01..2024-06-30``),
  灯/light, 归档/archived (是/否), 档号/archive, 保管期限/retention,
  区域/district, 单位/organisation.

Parsing returns the text clauses and the filters separately: filters are
exact terms intersected with the text before scoring (``build``).
"""
import datetime
import re

from whoosh import query as Q

from .analysis import query_runs

FIELD_ALIASES = {
    'state': 'state', '状态': 'state',
    'section': 'section', '科室': 'section',
    'item': 'item', '事项': 'item',
    'matter': 'matter', '事项类别': 'matter',
    'year': 'year', '年份': 'year',
    'date': 'date', '日期': 'date',
    'light': 'light', '灯': 'light',
    'archived': 'archived', '归档': 'archived',
    'archive': 'archive_number', '档号': 'archive_number',
    'retention': 'retention', '保管期限': 'retention',
    'district': 'district', '区域': 'district',
    'organisation': 'organisation', '单位': 'organisation',
}
TRUE = ('1', 'true', 'yes', '是', 'y')
FALSE = ('0', 'false', 'no', '否', 'n')


class QueryError(ValueError):
    """A query the parser cannot understand (a message for the user)."""


class Parsed:
    def __init__(self):
        self.clauses = []     # list of alternatives: [[str, ...], ...]
        self.excluded = []    # strings
        self.filters = {}

    @property
    def phrases(self):
        """Every positive text string (for highlighting snippets)."""
        return [s for clause in self.clauses for s in clause]

    @property
    def empty(self):
        return not self.clauses and not self.excluded


TOKENS = re.compile(r'(\S*?)"([^"]*)"|(\S+)')


def _split(text):
    """Tokens: ``"quoted phrase"`` (its prefix kept: ``-"…"``, ``f:"…"``)
    or runs without spaces.  Chinese quotes and colons count as ASCII."""
    text = (text or '').replace('“', '"').replace('”', '"').replace(
        '：', ':').replace('\u3000', ' ')
    if text.count('"') % 2:
        raise QueryError('unbalanced quotes')
    return [m.group(3) if m.group(3) is not None
            else m.group(1) + m.group(2) for m in TOKENS.finditer(text)]


def parse(text, filters=None):
    """Parse the box's text; ``filters`` (a dict) are merged in."""
    parsed = Parsed()
    pending_or = False
    for token in _split(text):
        if token == 'OR' or token == '或':
            pending_or = bool(parsed.clauses)
            continue
        field, sep, value = token.partition(':')
        if sep and field in FIELD_ALIASES and value:
            parsed.filters[FIELD_ALIASES[field]] = value
            continue
        if token.startswith('-') and len(token) > 1:
            parsed.excluded.append(token[1:])
            continue
        if not any(True for _ in query_runs(token)):
            continue
        if pending_or:
            parsed.clauses[-1].append(token)
        else:
            parsed.clauses.append([token])
        pending_or = False
    for key, value in (filters or {}).items():
        if value not in (None, '', [], ()):
            parsed.filters[key] = value
    return parsed


def text_query(string):
    """One string → the phrase of its pairs (several runs: all of them)."""
    parts = []
    for run in query_runs(string):
        if len(run) == 1:
            term = run[0]
            if len(term) == 1 and not term.isascii():
                parts.append(Q.Prefix('text', term))
            else:
                parts.append(Q.Term('text', term))
        else:
            parts.append(Q.Phrase('text', run))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _date(value, end=False):
    value = str(value).strip()
    if not value:
        return None
    try:
        if re.fullmatch(r'\d{4}', value):
            day = datetime.date(int(value), 12 if end else 1, 31 if end else 1)
        elif re.fullmatch(r'\d{4}-\d{1,2}', value):
            y, m = map(int, value.split('-'))
            day = datetime.date(y, m, 1)
            if end:
                day = (day + datetime.timedelta(days=32)).replace(
                    day=1) - datetime.timedelta(days=1)
        else:
            day = datetime.date.fromisoformat(value)
    except ValueError:
        raise QueryError('bad date: %s' % value)
    if end:
        return datetime.datetime.combine(day, datetime.time.max)
    return datetime.datetime.combine(day, datetime.time.min)


def date_range(filters):
    """``(start, end)`` datetimes (either may be None) from the filters."""
    start = end = None
    if filters.get('year'):
        year = str(filters['year']).strip()
        start, end = _date(year), _date(year, end=True)
    if filters.get('date'):
        lo, _sep, hi = str(filters['date']).partition('..')
        start = _date(lo) or start
        end = _date(hi or lo, end=True) or end
    if filters.get('date_from'):
        start = _date(filters['date_from'])
    if filters.get('date_to'):
        end = _date(filters['date_to'], end=True)
    return start, end


def filter_terms(filters):
    """Exact-term filters (boost 0: they select, never score)."""
    out = []
    mapping = {'state': 'state', 'section': 'sections', 'item': 'items',
               'matter': 'matter', 'light': 'light',
               'retention': 'retention', 'archive_number': 'archive_number',
               'district': 'district', 'organisation': 'organisations'}
    for key, field in mapping.items():
        value = filters.get(key)
        if value in (None, ''):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        terms = [Q.Term(field, str(v), boost=0.0) for v in values if v]
        if terms:
            out.append(terms[0] if len(terms) == 1 else Q.Or(terms))
    archived = archived_filter(filters)
    if archived is not None:
        out.append(Q.Term('archived', archived, boost=0.0))
    return out


def archived_filter(filters):
    """The ``archived`` filter as True, False or None (not filtered)."""
    archived = filters.get('archived')
    if archived in (None, ''):
        return None
    if isinstance(archived, str):
        if archived.lower() in TRUE:
            return True
        if archived.lower() in FALSE:
            return False
        raise QueryError('bad archived value')
    return bool(archived)


def build(parsed):
    """The Whoosh query of the text part plus the exact filters (no
    dates: date ranges choose partitions, see ``index``)."""
    musts = []
    for clause in parsed.clauses:
        alternatives = [q for q in map(text_query, clause) if q is not None]
        if alternatives:
            musts.append(alternatives[0] if len(alternatives) == 1
                         else Q.Or(alternatives))
    musts.extend(filter_terms(parsed.filters))
    if not musts:
        musts.append(Q.Every())
    positive = musts[0] if len(musts) == 1 else Q.And(musts)
    negatives = [q for q in map(text_query, parsed.excluded) if q is not None]
    if negatives:
        positive = Q.AndNot(positive, negatives[0] if len(negatives) == 1
                            else Q.Or(negatives))
    return positive
