"""Reading and checking ``schemas/organisations.yaml``, with file and line.

The file is edited by hand when powers move between the bureau, the
districts and the city departments, so every mistake is reported as
``file:line: message`` (all of them, not only the first) and a file with
any mistake is not used at all -- the same contract as the catalogue.

Checked: YAML syntax, a list of mappings, unknown or missing keys (with
"did you mean"), codes (lowercase, they name groups and section codes),
kinds, exactly one bureau and no sections listed for it (its sections are
the catalogue's), every Anshan district present once with its GB/T 2260
code, a zone's ``within`` a district code, sections: at least one for a
partner, local codes unique, and the working-calendar overrides in the
format of ``calendar.yaml``.
"""
import os

import yaml

from ..catalogue import entries as e
from ..catalogue.vocabulary import DISTRICTS
from ..clock import OverrideError, Overrides, parse_override_node
from ..problems import Problem
from ..yamlsource import parse_yaml
from .model import (
    BUREAU, DISTRICT, KINDS, OrgSection, Organisation, Organisations,
    section_code)

ORG_KEYS = ('code', 'name', 'kind', 'admin_code', 'within', 'phone',
            'location', 'powers', 'sections', 'calendar')
SECTION_KEYS = ('code', 'name', 'phone', 'location')


class OrganisationError(Exception):
    """``organisations.yaml`` has problems; ``problems`` lists them all."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self):
        return '\n'.join(['organisations.yaml has %d problem(s):'
                          % len(self.problems)]
                         + ['  %s' % p for p in self.problems])


def read_organisations(path, name=None):
    """``(Organisations or None, problems)``; never raises for bad data."""
    name = name or os.path.basename(path)
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except OSError as error:
        return None, [Problem(name, 1, 'cannot read the file: %s'
                              % error.strerror)]
    return parse_organisations(text, name)


def load_organisations(path):
    organisations, problems = read_organisations(path)
    if problems:
        raise OrganisationError(problems)
    return organisations


def check_organisations(path):
    return read_organisations(path)[1]


def _calendar_nodes(text):
    """Entry index -> the composed YAML node of its ``calendar`` key."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.SequenceNode):
        return {}
    nodes = {}
    for index, entry in enumerate(root.value):
        if isinstance(entry, yaml.MappingNode):
            for key, value in entry.value:
                if isinstance(key, yaml.ScalarNode) and key.value == 'calendar':
                    nodes[index] = value
    return nodes


def parse_organisations(text, name='organisations.yaml'):
    try:
        data, problems = parse_yaml(text, name)
    except ValueError as error:   # a date YAML reads but the calendar can't
        return None, _calendar_value_problems(text, name, error)
    if problems or data is None:
        if data is None and not problems:
            problems = [Problem(name, 1, 'the file is empty: it must list the '
                                         'bureau and the Anshan districts')]
        return None, sorted(problems)
    calendars = _calendar_nodes(text)
    found, seen = [], {}
    for index, raw, line in e.list_entries(name, data, 'organisation',
                                           problems):
        what = e.entry_name('organisation', raw, index)
        reader = e.Reader(name, raw, what, problems, ORG_KEYS, line)
        if not reader.ok:
            continue
        org = _read_org(reader, name, calendars.get(index), problems)
        if org is None:
            continue
        if org.code in seen:
            reader.problem('duplicate organisation code %r: already defined '
                           'at %s:%d' % (org.code, name, seen[org.code].line),
                           'code')
            continue
        seen[org.code] = org
        found.append((reader, org))
    _check_whole(name, data, found, problems)
    if problems:
        return None, sorted(set(problems))
    return Organisations({org.code: org for _r, org in found}, name), []


def _calendar_value_problems(text, name, error):
    """Where a value the YAML loader could not build (2026-02-30) sits."""
    problems = []
    for node in _calendar_nodes(text).values():
        try:
            parse_override_node(node, name)
        except OverrideError as found:
            problems.append(Problem(name, found.line or 1,
                                    'calendar: %s' % found.problem))
    return problems or [Problem(name, 1, 'a value cannot be read: %s'
                                % error)]


def _read_org(reader, name, calendar_node, problems):
    code = reader.code(pattern=e.KEY_PATTERN, noun='organisation code')
    if code == DISTRICT:
        reader.problem("'district' is reserved: catalogue items use it for "
                       "\"the district of the applicant's address\"", 'code')
    kind = reader.choice('kind', KINDS, required=True)
    admin_code = _admin_code(reader, 'admin_code')
    within = _admin_code(reader, 'within')
    org_name = reader.text('name')
    sections = []
    locals_seen = {}
    for index, raw, line in reader.elements('sections'):
        sub = e.Reader(name, raw, '%s section #%d' % (reader.what, index + 1),
                       problems, SECTION_KEYS, line)
        if not sub.ok:
            continue
        local = sub.code(pattern=e.KEY_PATTERN, noun='section code')
        section_name = sub.text('name')
        if local in locals_seen:
            sub.problem('section code %r is listed twice (first on line %d)'
                        % (local, locals_seen[local]), 'code')
            continue
        if local and code:
            locals_seen[local] = line
            sections.append(OrgSection(
                section_code(code, local), local, section_name or local, code,
                sub.text('phone', required=False),
                sub.text('location', required=False)))
    calendar = Overrides({}, name)
    if calendar_node is not None:
        try:
            calendar = parse_override_node(calendar_node, name)
        except OverrideError as error:
            problems.append(Problem(name, error.line or reader.line('calendar'),
                                    '%s calendar: %s' % (reader.what,
                                                         error.problem)))
    if kind == 'bureau' and reader.value('sections') is not e._MISSING:
        reader.problem("the bureau's sections are kept in the catalogue's "
                       "sections.yaml; do not list them here", 'sections')
    elif kind and kind != 'bureau' and not sections and \
            reader.value('sections') is e._MISSING:
        reader.problem('an organisation other than the bureau needs at least '
                       'one section (who works its items?)', 'sections')
    if kind == 'district' and admin_code is None \
            and reader.value('admin_code') is e._MISSING:
        reader.problem("a district needs 'admin_code', its GB/T 2260 code "
                       "(e.g. 210302 铁东区)", 'admin_code')
    if kind == 'zone' and within is None and \
            reader.value('within') is e._MISSING:
        reader.problem("a development zone needs 'within', the admin code of "
                       "the district it lies in", 'within')
    if kind in ('zone', 'department', 'bureau') and admin_code is not None \
            and admin_code != '210300':
        reader.problem("'admin_code' %s is a district's; only districts (and "
                       "the city, 210300) have one" % admin_code, 'admin_code')
    if None in (code, kind, org_name):
        return None
    return Organisation(
        code, org_name, kind, admin_code, within,
        reader.text('phone', required=False),
        reader.text('location', required=False),
        tuple(reader.texts('powers')), tuple(sections), calendar,
        reader.line())


def _admin_code(reader, key):
    value = reader.value(key)
    if value is e._MISSING:
        return None
    value = str(value).strip()
    if value != '210300' and value not in DISTRICTS:
        known = ', '.join('%s %s' % item for item in DISTRICTS.items())
        reader.problem('%r is not an Anshan district code (GB/T 2260): %s'
                       % (value, known), key)
        return None
    if key == 'within' and value == '210300':
        reader.problem("'within' must be a district's code, not the city's",
                       key)
        return None
    return value


def _check_whole(name, data, found, problems):
    """Rules across entries: one bureau, every district once."""
    line = getattr(data, 'line', 1)
    bureaus = [(r, o) for r, o in found if o.kind == 'bureau']
    if not bureaus:
        problems.append(Problem(name, line, "no organisation has kind "
                                "'bureau': the bureau itself must be listed"))
    for reader, org in bureaus[1:]:
        reader.problem('a second bureau: only one organisation has kind '
                       "'bureau'", 'kind')
    if bureaus and bureaus[0][1].code != BUREAU:
        bureaus[0][0].problem("the bureau's code must be %r (cases and tasks "
                              "name it)" % BUREAU, 'code')
    by_admin = {}
    for reader, org in found:
        if org.kind != 'district' or org.admin_code is None:
            continue
        if org.admin_code in by_admin:
            reader.problem('district code %s is already used by %s'
                           % (org.admin_code, by_admin[org.admin_code].code),
                           'admin_code')
        else:
            by_admin[org.admin_code] = org
    missing = [c for c in DISTRICTS if c not in by_admin]
    if missing:
        problems.append(Problem(name, line, 'these Anshan districts have no '
                                'organisation (kind: district): %s; items a '
                                'district handles for its own area could not '
                                'be routed there' % ', '.join(
                                    '%s %s' % (c, DISTRICTS[c])
                                    for c in missing)))
