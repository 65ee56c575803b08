"""The shape of each catalogue entry: keys, types, allowed values, defaults.

Each ``read_*`` function turns one parsed YAML mapping into the plain,
normalised dict that ``Catalogue.from_dict`` accepts (defaults filled in,
lists as lists), and records a ``Problem`` for every key that is missing,
unknown (usually a typo), of the wrong type or outside its vocabulary.
It never stops at the first problem: the editor gets them all at once.

Rules that need more than one entry (unknown references, duplicates,
cycles, stages) are in ``validate.py``.
"""
import datetime
import difflib
import re

from . import vocabulary as v
from .problems import Problem
from .yamlsource import LineDict, line_of

#: codes end up in URLs and case numbers: keep them plain
CODE_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')
#: field keys become form input names and attribute names
KEY_PATTERN = re.compile(r'^[a-z][a-z0-9_]*$')

_MISSING = object()


def _kind_of(value):
    if isinstance(value, bool):
        return 'a yes/no value'
    if isinstance(value, (int, float)):
        return f'the number {value}'
    if isinstance(value, datetime.date):
        return f'the date {value.isoformat()}'
    if isinstance(value, dict):
        return 'a mapping'
    if isinstance(value, list):
        return 'a list'
    return repr(value)


def _one_of(allowed):
    return ', '.join(allowed)


class Reader:
    """Typed access to one mapping, recording problems instead of raising.

    ``what`` names the entry in messages ("item SC-001", "material x"), so
    every message says which entry is wrong; lines come from the mapping.
    """

    def __init__(self, file, data, what, problems, keys, line=1):
        self.file, self.data, self.what = file, data, what
        self.problems = problems
        self._line = line   # for a scalar, which cannot carry its line
        self.ok = isinstance(data, dict)
        if not self.ok:
            self.problem(f'expected a mapping with keys {_one_of(keys)}; '
                         f'found {_kind_of(data)}')
            return
        self.misspelt = {}   # known key -> the unknown key that looks like it
        for key in data:
            if key in keys:
                continue
            close = difflib.get_close_matches(str(key), keys, n=1)
            if close and close[0] not in data:
                self.misspelt[close[0]] = key
                self.problem(f'unknown key {key!r}; did you mean {close[0]!r}?',
                             key)
            else:
                self.problem(f'unknown key {key!r}; expected one of '
                             f'{_one_of(keys)}', key)

    def line(self, key=None):
        if key is not None and isinstance(self.data, LineDict):
            return self.data.line_of(key)
        return line_of(self.data, self._line)

    def problem(self, message, key=None, line=None):
        where = line if line is not None else self.line(key)
        self.problems.append(Problem(self.file, where, f'{self.what}: {message}'))

    def value(self, key, required=False):
        """The raw value of ``key``, or ``_MISSING`` (reported if required)."""
        if not self.ok:
            return _MISSING
        if key not in self.data:
            if required and key not in self.misspelt:   # already said
                self.problem(f'missing required key {key!r}')
            return _MISSING
        if self.data[key] is None:
            if required:
                self.problem(f'{key!r} has no value', key)
            return _MISSING
        return self.data[key]

    def text(self, key, required=True, default=None):
        value = self.value(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem(f'{key!r} must be non-empty text; found '
                         f'{_kind_of(value)} (quote it if it looks like a '
                         f'number or date)', key)
            return default
        return value.strip()

    def code(self, key='code', pattern=CODE_PATTERN, noun='code'):
        value = self.text(key)
        if value is not None and not pattern.match(value):
            expected = ('lowercase letters, digits and _, starting with a letter'
                        if pattern is KEY_PATTERN else
                        'letters, digits, "-", "_" or "."')
            self.problem(f'{noun} {value!r} must use only {expected}', key)
        return value

    def integer(self, key, required=False, default=None, minimum=1):
        value = self.value(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f'{key!r} must be a whole number; found '
                         f'{_kind_of(value)}', key)
            return default
        if value < minimum:
            self.problem(f'{key!r} must be at least {minimum}; found {value}', key)
            return default
        return value

    def number(self, key, required=False):
        value = self.value(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(f'{key!r} must be a number; found {_kind_of(value)}', key)
            return None
        if value <= 0:
            self.problem(f'{key!r} must be more than 0; found {value}', key)
            return None
        return value

    def boolean(self, key, default=False, required=False):
        value = self.value(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(f'{key!r} must be true or false; found '
                         f'{_kind_of(value)}', key)
            return default
        return value

    def choice(self, key, allowed, default=None, required=False):
        value = self.value(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or value not in allowed:
            self.problem(f'{key!r} is {_kind_of(value)}; expected one of '
                         f'{_one_of(allowed)}', key)
            return default
        return value

    def date(self, key):
        value = self.value(key, required=True)
        if value is _MISSING:
            return None
        if type(value) is datetime.date:   # not a datetime: a day has no time
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(f'{key!r} must be a date written YYYY-MM-DD; found '
                     f'{_kind_of(value)}', key)
        return None

    def elements(self, key, required=False, nonempty=False):
        """``(index, element, line)`` for a list value; problems otherwise."""
        value = self.value(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problem(f'{key!r} must be a list (entries starting with "- "); '
                         f'found {_kind_of(value)}', key)
            return []
        if nonempty and not value:
            self.problem(f'{key!r} must list at least one entry', key)
        lines = getattr(value, 'line_of', lambda index: self.line(key))
        return [(index, element, lines(index)) for index, element in enumerate(value)]

    def texts(self, key, required=False, nonempty=False):
        result = []
        for index, element, line in self.elements(key, required, nonempty):
            if isinstance(element, str) and element.strip():
                result.append(element.strip())
            else:
                self.problem(f'entry {index + 1} of {key!r} must be non-empty '
                             f'text; found {_kind_of(element)}', line=line)
        return result

    def sub(self, key, keys, required=False):
        """A ``Reader`` for a nested mapping, or ``None`` if absent."""
        value = self.value(key, required)
        if value is _MISSING:
            return None
        return Reader(self.file, value, f'{self.what} {key}', self.problems, keys,
                      self.line(key))


def entry_name(noun, data, index, key='code'):
    """How messages name an entry: by its code if it has one, else by position."""
    code = data.get(key) if isinstance(data, dict) else None
    if isinstance(code, str) and code.strip():
        return f'{noun} {code.strip()}'
    return f'{noun} #{index + 1}'


def list_entries(file, data, noun, problems):
    """The entries of a file that holds a list: ``[(index, entry, line)]``."""
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(file, line_of(data), f'expected a list of '
                                f'{noun}s (entries starting with "- code:"); '
                                f'found {_kind_of(data)}'))
        return []
    return [(index, entry, data.line_of(index)) for index, entry in enumerate(data)]


# -- one function per kind of entry ----------------------------------------

META_KEYS = ('title', 'effective', 'notes')


def read_meta(file, data, problems):
    reader = Reader(file, data if data is not None else LineDict(),
                    'catalogue', problems, META_KEYS)
    return {'title': reader.text('title'),
            'effective': reader.date('effective'),
            'notes': reader.text('notes', required=False)}


SECTION_KEYS = ('code', 'name', 'kind', 'phone', 'location')


def read_section(reader):
    return {'code': reader.code(),
            'name': reader.text('name'),
            'kind': reader.choice('kind', v.SECTION_KINDS, v.DEFAULT_SECTION_KIND),
            'phone': reader.text('phone', required=False),
            'location': reader.text('location', required=False)}


MATERIAL_KEYS = ('code', 'name', 'form', 'count', 'allowed_types',
                 'max_size_mb', 'reusable', 'issued_by', 'description')


def read_material(reader):
    types = []
    for index, element, line in reader.elements('allowed_types'):
        if element in v.FILE_TYPES:
            types.append(element)
        else:
            reader.problem(f'allowed type {_kind_of(element)} is not one of '
                           f'{_one_of(v.FILE_TYPES)}', line=line)
    return {'code': reader.code(),
            'name': reader.text('name'),
            'form': reader.choice('form', v.MATERIAL_FORMS, required=True),
            'count': reader.integer('count', default=1),
            'allowed_types': types or list(v.DEFAULT_FILE_TYPES),
            'max_size_mb': reader.integer('max_size_mb',
                                          default=v.DEFAULT_MAX_SIZE_MB),
            'reusable': reader.boolean('reusable'),
            'issued_by': reader.text('issued_by', required=False),
            'description': reader.text('description', required=False)}


FIELD_KEYS = ('key', 'label', 'type', 'required', 'help', 'max_length', 'options')


def read_field(reader):
    kind = reader.choice('type', v.FIELD_TYPES, required=True)
    options = reader.texts('options')
    if kind == 'choice' and not options:
        reader.problem("a 'choice' field needs 'options' (the list of choices)",
                       'type')
    elif options and kind is not None and kind != 'choice':
        reader.problem(f"'options' only apply to 'choice' fields, "
                       f"not {kind!r}", 'options')
    if len(set(options)) != len(options):
        reader.problem('an option is listed twice', 'options')
    max_length = reader.integer('max_length')
    if max_length is not None and kind not in (None, *v.TEXT_FIELD_TYPES):
        reader.problem(f"'max_length' only applies to "
                       f"{_one_of(v.TEXT_FIELD_TYPES)} fields, not {kind!r}",
                       'max_length')
    return {'key': reader.code('key', KEY_PATTERN, 'field key'),
            'label': reader.text('label'),
            'type': kind,
            'required': reader.boolean('required', default=True),
            'help': reader.text('help', required=False),
            'max_length': max_length,
            'options': options}


ITEM_KEYS = ('code', 'name', 'kind', 'legal_basis', 'section', 'limits', 'fee',
             'conditions', 'materials', 'fields', 'inspection', 'expert_review',
             'review_points', 'prerequisites', 'retention', 'certificate',
             'keywords', 'organisation')
ITEM_MATERIAL_KEYS = ('code', 'required', 'gaps_allowed')


def read_item(reader):
    item = {'code': reader.code(),
            'name': reader.text('name'),
            'kind': reader.choice('kind', v.ITEM_KINDS, required=True),
            'legal_basis': reader.texts('legal_basis', required=True,
                                        nonempty=True),
            'section': reader.text('section'),
            'limits': _read_limits(reader),
            'fee': _read_fee(reader),
            'conditions': reader.texts('conditions'),
            'materials': _read_item_materials(reader),
            'fields': _read_item_fields(reader),
            'inspection': _read_inspection(reader),
            'expert_review': _read_expert_review(reader),
            'review_points': reader.texts('review_points'),
            'prerequisites': reader.texts('prerequisites'),
            'retention': reader.choice('retention', v.RETENTIONS,
                                       v.DEFAULT_RETENTION),
            'certificate': reader.text('certificate', required=False),
            'keywords': reader.texts('keywords'),
            'organisation': reader.text('organisation', required=False)}
    if item['kind'] == 'licence' and item['certificate'] is None \
            and reader.value('certificate') is _MISSING:
        reader.problem("a licence needs 'certificate' (the name of the "
                       "document a grant produces, e.g. 药品经营许可证)")
    return item


def _read_limits(reader):
    limits = reader.sub('limits', ('statutory', 'promised'), required=True)
    if limits is None:
        return {'statutory': None, 'promised': None}
    statutory = limits.integer('statutory', required=True)
    promised = limits.integer('promised', required=True)
    if statutory is not None and promised is not None and promised > statutory:
        limits.problem(f'promised limit {promised} is longer than the '
                       f'statutory limit {statutory}; the bureau may only '
                       f'promise the same or fewer working days', 'promised')
    return {'statutory': statutory, 'promised': promised}


def _read_fee(reader):
    fee = reader.sub('fee', ('free', 'amount', 'unit', 'basis'))
    if fee is None:
        return {'free': True, 'amount': None, 'unit': None, 'basis': None}
    free = fee.boolean('free', default=fee.value('amount') is _MISSING)
    amount = fee.number('amount')
    basis = fee.text('basis', required=not free)
    if free and amount is not None:
        fee.problem("a free item has no 'amount'; remove it or set free: false",
                    'amount')
    if not free and fee.value('amount') is _MISSING:
        fee.problem("a charged item needs 'amount' (yuan)")
    return {'free': free, 'amount': amount,
            'unit': fee.text('unit', required=False), 'basis': basis}


def _read_item_materials(reader):
    result = []
    for index, element, line in reader.elements('materials'):
        if isinstance(element, str):
            result.append({'code': element.strip(), 'required': True,
                           'gaps_allowed': False})
            continue
        what = f'{reader.what} material #{index + 1}'
        ref = Reader(reader.file, element, what, reader.problems,
                     ITEM_MATERIAL_KEYS, line)
        if not ref.ok:
            continue
        entry = {'code': ref.text('code'),
                 'required': ref.boolean('required', default=True),
                 'gaps_allowed': ref.boolean('gaps_allowed')}
        if entry['gaps_allowed'] and not entry['required']:
            ref.problem('gaps_allowed (容缺) only applies to a required '
                        'material; this one is optional', 'gaps_allowed')
        result.append(entry)
    return result


def _read_item_fields(reader):
    result = []
    for index, element, line in reader.elements('fields'):
        if isinstance(element, str):
            result.append(element.strip())
            continue
        what = f'{reader.what} {entry_name("field", element, index, "key")}'
        inline = Reader(reader.file, element, what, reader.problems, FIELD_KEYS,
                        line)
        if inline.ok:
            result.append(read_field(inline))
    return result


def _read_inspection(reader):
    inspection = reader.sub('inspection', ('required', 'points'))
    if inspection is None:
        return {'required': False, 'points': []}
    required = inspection.boolean('required', required=True)
    points = inspection.texts('points')
    if required and not points:
        inspection.problem("a required inspection needs 'points' "
                           "(勘验要点: what the inspector checks on site)")
    return {'required': required, 'points': points}


def _read_expert_review(reader):
    review = reader.sub('expert_review', ('required', 'speciality'))
    if review is None:
        return {'required': False, 'speciality': None}
    required = review.boolean('required', required=True)
    speciality = review.text('speciality', required=required)
    return {'required': required, 'speciality': speciality}


MATTER_KEYS = ('code', 'name', 'description', 'items', 'lead_section',
               'themes', 'keywords')


def read_matter(reader):
    return {'code': reader.code(),
            'name': reader.text('name'),
            'description': reader.text('description', required=False),
            'items': reader.texts('items', required=True, nonempty=True),
            'lead_section': reader.text('lead_section', required=False),
            'themes': reader.texts('themes'),
            'keywords': reader.texts('keywords')}


PROJECT_KEYS = ('code', 'name', 'kind', 'description', 'stages', 'keywords')
STAGE_KEYS = ('code', 'name', 'items', 'lead_section')


def read_project(reader):
    stages = []
    for index, element, line in reader.elements('stages', required=True):
        what = f'{reader.what} {entry_name("stage", element, index)}'
        stage = Reader(reader.file, element, what, reader.problems, STAGE_KEYS,
                       line)
        if stage.ok:
            stages.append({'code': stage.code(),
                           'name': stage.text('name'),
                           'items': stage.texts('items', required=True,
                                                nonempty=True),
                           'lead_section': stage.text('lead_section',
                                                      required=False)})
        else:
            stages.append(None)
    return {'code': reader.code(),
            'name': reader.text('name'),
            'kind': reader.choice('kind', v.PROJECT_KINDS, required=True),
            'description': reader.text('description', required=False),
            'stages': stages,
            'keywords': reader.texts('keywords')}
