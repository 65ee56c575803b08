"""The archive number scheme (档号), read from ``schemas/archive.yaml``.

The bureau's archives authority decides how archive numbers look, so the
scheme is data, not code: a fonds code (全宗号), a pattern with the
placeholders ``{fonds}``, ``{year}``, ``{retention}`` and ``{sequence}``
and one code per retention period.  Like the catalogue and the workflows,
the file is validated before use and every problem names file and line.
"""
import os
import string
from dataclasses import dataclass

from ..catalogue import vocabulary
from ..problems import Problem
from ..yamlsource import line_of, parse_yaml

KEYS = ('fonds', 'pattern', 'retention_codes')
PLACEHOLDERS = ('fonds', 'year', 'retention', 'sequence')
SETTING = 'casefile.archive_scheme'


class SchemeError(Exception):
    def __init__(self, problems):
        super().__init__('\n'.join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Scheme:
    fonds: str
    pattern: str
    retention_codes: dict

    def number(self, year, retention, sequence):
        return self.pattern.format(fonds=self.fonds, year=year,
                                   retention=self.retention_codes[retention],
                                   sequence=sequence)

    def counter_key(self, year, retention):
        """The sequence is counted per fonds, year and retention code."""
        return 'archive:%s:%s:%s' % (self.fonds, year,
                                     self.retention_codes[retention])


def parse_scheme(text, name='archive.yaml'):
    """``(scheme or None, problems)`` for the text of a scheme file."""
    data, problems = parse_yaml(text, name)
    if problems or data is None:
        if data is None and not problems:
            problems = [Problem(name, 1, 'the file is empty; it needs '
                                         'fonds, pattern and retention_codes')]
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem(name, line_of(data), 'expected a mapping with '
                                                   'fonds, pattern and '
                                                   'retention_codes')]
    for key in data:
        if key not in KEYS:
            problems.append(Problem(name, data.line_of(key),
                                    'unknown key %r; expected one of %s'
                                    % (key, ', '.join(KEYS))))
    for key in KEYS:
        if key not in data:
            problems.append(Problem(name, data.line, 'missing key %r' % key))
    fonds = data.get('fonds')
    if 'fonds' in data and (not isinstance(fonds, str) or not fonds.strip()
                            or not fonds.isprintable() or '/' in fonds):
        problems.append(Problem(name, data.line_of('fonds'),
                                "'fonds' must be a non-empty code such as "
                                '"A037" (no slashes)'))
    pattern = data.get('pattern')
    if 'pattern' in data:
        problems += _check_pattern(pattern, name, data.line_of('pattern'))
    codes = data.get('retention_codes')
    if 'retention_codes' in data:
        line = data.line_of('retention_codes')
        if not isinstance(codes, dict):
            problems.append(Problem(name, line, "'retention_codes' must map "
                                                'each retention period to a '
                                                'code'))
        else:
            for key in codes:
                if key not in vocabulary.RETENTIONS:
                    problems.append(Problem(
                        name, codes.line_of(key),
                        'unknown retention period %r; expected one of %s'
                        % (key, ', '.join(vocabulary.RETENTIONS))))
                elif not isinstance(codes[key], str) or \
                        not codes[key].strip() or '/' in codes[key]:
                    problems.append(Problem(
                        name, codes.line_of(key),
                        'the code of %r must be a non-empty text such as '
                        '"D30" (no slashes)' % key))
            for key in vocabulary.RETENTIONS:
                if key not in codes:
                    problems.append(Problem(
                        name, line, 'retention period %r has no code' % key))
            seen = {}
            for key, value in codes.items():
                if isinstance(value, str) and value in seen:
                    problems.append(Problem(
                        name, codes.line_of(key),
                        'the code %r is used for both %r and %r: archive '
                        'numbers would not tell them apart'
                        % (value, seen[value], key)))
                seen.setdefault(value, key)
    if problems:
        return None, sorted(problems)
    return Scheme(fonds.strip(), pattern,
                  {k: str(v).strip() for k, v in codes.items()}), []


def _check_pattern(pattern, name, line):
    if not isinstance(pattern, str) or not pattern.strip():
        return [Problem(name, line, "'pattern' must be a text such as "
                                    '"{fonds}-{year}-{retention}-'
                                    '{sequence:04d}"')]
    problems = []
    try:
        fields = [f for _text, f, _spec, _conv in
                  string.Formatter().parse(pattern) if f is not None]
    except ValueError as error:
        return [Problem(name, line, 'the pattern is not valid: %s' % error)]
    for field in fields:
        if field not in PLACEHOLDERS:
            problems.append(Problem(name, line, 'unknown placeholder {%s}; '
                                                'expected %s' % (field, ', '.join(
                                                    '{%s}' % p for p in
                                                    PLACEHOLDERS))))
    if 'sequence' not in fields:
        problems.append(Problem(name, line, 'the pattern needs {sequence}, '
                                            'or two cases would get the '
                                            'same archive number'))
    if not problems:
        try:
            pattern.format(fonds='A', year=2026, retention='Y', sequence=1)
        except (ValueError, KeyError, IndexError) as error:
            problems.append(Problem(name, line, 'the pattern cannot be '
                                                'filled in: %s' % error))
    if '/' in pattern:
        problems.append(Problem(name, line, 'the pattern may not contain '
                                            '"/" (archive numbers appear in '
                                            'addresses and file names)'))
    return problems


def scheme_path(settings):
    path = settings.get(SETTING)
    if path:
        return path
    return os.path.join(settings.get('casefile.schemas_dir') or 'schemas',
                        'archive.yaml')


def load_scheme(path):
    """The scheme in ``path``; raises :class:`SchemeError`."""
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except OSError as error:
        raise SchemeError([Problem(path, 1, 'cannot read the archive '
                                            'scheme: %s' % error)])
    scheme, problems = parse_scheme(text, path)
    if problems:
        raise SchemeError(problems)
    return scheme
