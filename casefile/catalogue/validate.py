"""Rules that span entries: references, duplicates, cycles, project stages.

``entries.py`` checks each entry on its own; this module checks that the
entries fit together, because that is where hand-edited catalogues break:
an item moved to another file keeps a stale section code, a renamed
material is still referenced under its old code, two people give a new
item the same code, or a prerequisite loop makes a matter impossible.

``validate(sources)`` returns ``(data, problems)``.  ``data`` is the
normalised, JSON-compatible catalogue for ``Catalogue.from_dict`` and is
``None`` whenever there is any problem: a catalogue is used whole or not
at all.  All problems are reported, sorted by file and line.
"""
import difflib
from dataclasses import dataclass
from typing import Any

from . import entries as e
from .problems import Problem
from .vocabulary import STAGE_NAMES
from .yamlsource import FILES, LineDict, LineList, line_of


@dataclass
class Entry:
    """One normalised entry with the raw mapping it came from (for lines)."""

    file: str
    raw: Any
    data: dict
    what: str

    @property
    def code(self):
        return self.data.get('code') or self.data.get('key')

    def line(self, key=None, index=None):
        if key is None or not isinstance(self.raw, LineDict):
            return line_of(self.raw)
        value = self.raw.get(key)
        if index is not None and isinstance(value, LineList):
            return value.line_of(index)
        return self.raw.line_of(key)


class _Report:
    """Collects problems; one place decides how a message is worded."""

    def __init__(self, problems):
        self.problems = problems

    def __call__(self, entry, message, key=None, index=None):
        self.problems.append(Problem(entry.file, entry.line(key, index),
                                     f'{entry.what}: {message}'))

    def unknown(self, entry, noun, value, known, where, key, index=None):
        place = '' if key == noun else f' in {key!r}'
        message = f'unknown {noun} {value!r}{place}: {where}'
        close = difflib.get_close_matches(value, list(known), n=1)
        if close:
            message += f' (did you mean {close[0]!r}?)'
        self(entry, message, key, index)


def _collect(file, data, noun, keys, read, problems, key='code'):
    found = []
    for index, raw, line in e.list_entries(file, data, noun, problems):
        what = e.entry_name(noun, raw, index, key)
        reader = e.Reader(file, raw, what, problems, keys, line)
        if reader.ok:
            found.append(Entry(file, raw, read(reader), what))
    return found


def _stage_entries(project):
    """Entries for a project's stages, so they are checked like the rest."""
    raw_stages = project.raw.get('stages') if isinstance(project.raw, dict) else None
    found = []
    for index, stage in enumerate(project.data['stages']):
        if stage is not None:
            found.append(Entry(project.file, raw_stages[index], stage,
                               f'{project.what} stage {stage["code"] or index + 1}'))
    return found


def _unique(entries, noun, report, seen=None):
    """``code -> first entry``; every later entry with the same code is reported."""
    seen = {} if seen is None else seen
    for entry in entries:
        code = entry.code
        if code is None:
            continue
        if code in seen:
            first = seen[code]
            key = 'code' if 'code' in entry.data else 'key'
            report(entry, f'duplicate {noun} {code!r}: already defined at '
                          f'{first.file}:{first.line()}', key)
        else:
            seen[code] = entry
    return seen


def _once_each(entry, key, values, noun, report):
    seen = set()
    for index, value in enumerate(values):
        if value is not None and value in seen:
            report(entry, f'{noun} {value!r} is listed twice in {key!r}', key, index)
        seen.add(value)


def validate(sources, organisations=None):
    """Check the parsed ``Sources``; ``(data or None, sorted problems)``.

    ``organisations`` (``casefile.organisation.Organisations``) is what an
    item's ``organisation`` may name; ``None`` means only the bureau's own
    items are allowed.
    """
    problems = []
    report = _Report(problems)
    meta = _read_meta(sources, problems)
    found = _read_entries(sources, problems)
    sections, materials, fields, items, matters, projects = (
        found[name] for name in ('sections', 'materials', 'fields', 'items',
                                 'matters', 'projects'))
    stages = [stage for project in projects for stage in _stage_entries(project)]

    item_of = _unique(items, 'item code', report)
    known = _Known(_unique(sections, 'section code', report),
                   _unique(materials, 'material code', report),
                   _unique(fields, 'field key', report),
                   item_of, report, _unchecked(sources))
    # matters and stages are what an applicant applies for, looked up by code
    _unique(matters + projects + stages, 'matter, project or stage code', report)

    for material in materials:
        known.item_ref(material, 'issued_by', material.data['issued_by'])
    for item in items:
        _check_item(item, known, report, organisations)
    _check_inline_fields(items, known.defined['field key'], report)
    _check_cycles(items, item_of, report)
    for chain in matters + stages:
        _check_chain(chain, known, report)
    for project in projects:
        _check_stage_order(project, report)

    if problems or meta is None:
        return None, sorted(set(problems))
    data = dict(meta, effective=meta['effective'].isoformat(),
                **{name: [entry.data for entry in entries]
                   for name, entries in found.items()})
    data['sections'] += _external_sections(items, organisations)
    return data, []


def _read_meta(sources, problems):
    if 'catalogue.yaml' in sources.failed:
        return None
    if 'catalogue.yaml' not in sources.files:
        problems.append(Problem('catalogue.yaml', 1,
                                'required file catalogue.yaml is missing'))
        return None
    return e.read_meta('catalogue.yaml', sources.get('catalogue.yaml'), problems)


def _read_entries(sources, problems):
    """Every entry of every list file, read on its own (see ``entries.py``)."""
    def collect(name, noun, keys, read, key='code'):
        if name in sources.failed:
            return []
        return _collect(name, sources.get(name), noun, keys, read, problems, key)

    items = []
    for name, data in sources.items:
        if name not in sources.failed:
            items += _collect(name, data, 'item', e.ITEM_KEYS, e.read_item,
                              problems)
    return {
        'sections': collect('sections.yaml', 'section', e.SECTION_KEYS,
                            e.read_section),
        'materials': collect('materials.yaml', 'material', e.MATERIAL_KEYS,
                             e.read_material),
        'fields': collect('fields.yaml', 'field', e.FIELD_KEYS, e.read_field,
                          'key'),
        'items': items,
        'matters': collect('matters.yaml', 'matter', e.MATTER_KEYS,
                           e.read_matter),
        'projects': collect('projects.yaml', 'project', e.PROJECT_KEYS,
                            e.read_project),
    }


def _unchecked(sources):
    """Which kinds of reference not to check, because their file is unusable.

    A file that is missing or could not be read as a list defines nothing we
    can trust: reporting every reference into it as unknown as well would
    bury the one real problem.
    """
    unreadable = {name for name, data in [*sources.files.items(), *sources.items]
                  if name in sources.failed
                  or not isinstance(data, (list, type(None)))}
    unreadable |= {name for name, required in FILES.items()
                   if required and name not in sources.files}
    return {'section': 'sections.yaml' in unreadable,
            'material': 'materials.yaml' in unreadable,
            'field key': 'fields.yaml' in unreadable,
            'item': not sources.items or any(name.startswith('items/')
                                             for name in unreadable)}


class _Known:
    """Reference checks against the entries defined in the catalogue."""

    WHERE = {
        'section': 'no section in sections.yaml has this code',
        'material': 'no material in materials.yaml has this code',
        'field key': 'not in fields.yaml; define it there or inline here '
                     'with its type',
        'item': 'no item in items/*.yaml has this code',
    }

    def __init__(self, sections, materials, fields, items, report, unchecked):
        self.defined = {'section': sections, 'material': materials,
                        'field key': fields, 'item': items}
        self.items = items
        self.report, self.unchecked = report, unchecked

    def ref(self, noun, entry, key, code, index=None):
        known = self.defined[noun]
        if code is not None and code not in known and not self.unchecked[noun]:
            self.report.unknown(entry, noun, code, known, self.WHERE[noun],
                                key, index)

    def section_ref(self, entry, key, code):
        self.ref('section', entry, key, code)

    def item_ref(self, entry, key, code, index=None):
        self.ref('item', entry, key, code, index)


def _check_item(item, known, report, organisations=None):
    data = item.data
    if data.get('organisation') in (None, 'bureau'):
        data['organisation'] = None
        known.section_ref(item, 'section', data['section'])
    else:
        _check_owner(item, known, report, organisations)
    for index, ref in enumerate(data['materials']):
        known.ref('material', item, 'materials', ref['code'], index)
    _once_each(item, 'materials', [ref['code'] for ref in data['materials']],
               'material', report)
    for index, ref in enumerate(data['fields']):
        if isinstance(ref, str):
            known.ref('field key', item, 'fields', ref, index)
    _once_each(item, 'fields', [ref if isinstance(ref, str) else ref['key']
                                for ref in data['fields']], 'field', report)
    for index, code in enumerate(data['prerequisites']):
        known.item_ref(item, 'prerequisites', code, index)
    _once_each(item, 'prerequisites', data['prerequisites'], 'prerequisite',
               report)


def _check_owner(item, known, report, organisations):
    """An item of another organisation: its section is one of that
    organisation's (``organisations.yaml``), written by its local code; for
    ``district`` one every district has, and the item must ask the address
    whose district decides where it goes."""
    data = item.data
    org, local = data['organisation'], data['section']
    if organisations is None:
        report(item, f'organisation {org!r}: there is no organisations.yaml '
                     f'beside the catalogue, so only the bureau\'s own items '
                     f'are possible', 'organisation')
        return
    if local is None:
        return
    if org == 'district':
        missing = [d.name for d in organisations.districts()
                   if d.section(local) is None]
        if missing:
            report(item, f'section {local!r} is not a section of every '
                         f'district; missing in: {"、".join(missing)} '
                         f'(organisations.yaml)', 'section')
        if not _asks_required_address(data, known):
            report(item, 'an item a district handles for its own area needs '
                         'a required address field (type address): the '
                         'district of that address decides where it goes',
                   'fields')
        data['section'] = 'district.' + local
        return
    owner = organisations.get(org)
    if owner is None:
        report.unknown(item, 'organisation', org, [o.code for o in organisations]
                       + ['district'], 'not in organisations.yaml',
                       'organisation')
        return
    if owner.is_bureau:
        data['organisation'] = None
        known.section_ref(item, 'section', local)
        return
    section = owner.section(local)
    if section is None:
        report.unknown(item, 'section', local,
                       [s.local for s in owner.sections],
                       f'{owner.name} has no such section in '
                       f'organisations.yaml', 'section')
        return
    data['section'] = section.code


def _asks_required_address(data, known):
    shared = known.defined['field key']
    for ref in data['fields']:
        field = shared[ref].data if isinstance(ref, str) and ref in shared \
            else ref if isinstance(ref, dict) else None
        if field and field.get('type') == 'address' and field.get('required'):
            return True
    return False


def _external_sections(items, organisations):
    """Other organisations' sections, as catalogue sections: pages, groups
    and supervision name them like the bureau's.  ``district.<local>`` is
    the placeholder of an item routed by the applicant's district."""
    if organisations is None:
        return []
    out = []
    for org in organisations:
        for section in org.sections:
            out.append({'code': section.code,
                        'name': f'{org.name}{section.name}',
                        'kind': 'approval', 'phone': section.phone,
                        'location': section.location,
                        'organisation': org.code})
    placeholders = []
    for item in items:
        code = item.data['section']
        if item.data.get('organisation') == 'district' and code and \
                code not in placeholders:
            placeholders.append(code)
    districts = organisations.districts()
    for code in placeholders:
        local = code.split('.', 1)[1]
        first = districts[0].section(local) if districts else None
        name = first.name if first is not None else local
        out.append({'code': code, 'name': f'属地县（市）区行政审批局{name}',
                    'kind': 'approval', 'phone': None, 'location': None,
                    'organisation': 'district'})
    return out


def _field_definition(field):
    return {k: v for k, v in field.items() if k != 'key'}


def _check_inline_fields(items, field_of, report):
    """An inline field may not redefine a shared key, nor another item's.

    The one form shows a key once; two definitions would make it ask two
    different questions under one name.
    """
    inline_of = {}
    for item in items:
        for index, ref in enumerate(item.data['fields']):
            if isinstance(ref, str) or ref['key'] is None:
                continue
            key = ref['key']
            shared = field_of.get(key)
            if shared is not None:
                if _field_definition(shared.data) != _field_definition(ref):
                    report(item, f'inline field {key!r} clashes with the shared '
                                 f'field {key!r} at {shared.file}:{shared.line()}; '
                                 f'write just the key to reuse it, or choose '
                                 f'another key', 'fields', index)
                continue
            first = inline_of.setdefault(key, (item, index, ref))
            if first[0] is not item and _field_definition(first[2]) != \
                    _field_definition(ref):
                other = first[0]
                report(item, f'inline field {key!r} differs from the one of '
                             f'{other.what} at {other.file}:'
                             f'{other.line("fields", first[1])}; move one '
                             f'definition to fields.yaml or choose another key',
                       'fields', index)


def _check_cycles(items, item_of, report):
    """Report each prerequisite cycle once, naming it (A → B → A)."""
    order = {code: position for position, code in enumerate(item_of)}
    graph = {code: [p for p in entry.data['prerequisites'] if p in item_of]
             for code, entry in item_of.items()}
    for component in _strongly_connected(graph):
        start = min(component, key=order.get)
        if len(component) == 1 and start not in graph[start]:
            continue
        cycle = _cycle_through(start, graph, set(component))
        if len(cycle) == 2:
            message = (f'{start} lists itself as a prerequisite: it could '
                       f'never start')
        else:
            message = ('prerequisite cycle ' + ' → '.join(cycle) + ' (each '
                       'needs the next): none of these items could ever start')
        report(item_of[start], message, 'prerequisites')


def _strongly_connected(graph):
    """Tarjan's algorithm; the catalogue is small, recursion is fine."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            result.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return result


def _cycle_through(start, graph, members):
    """The shortest cycle from ``start`` back to itself inside ``members``."""
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for nxt in graph[path[-1]]:
            if nxt == start:
                return path + [start]
            if nxt in members and nxt not in seen:
                seen.add(nxt)
                paths.append(path + [nxt])
    return [start, start]   # pragma: no cover - a component always has a cycle


def _check_chain(chain, known, report):
    """A matter or stage: known items, each once, a known lead section.

    Order in the list does not have to follow prerequisites (the schedule
    follows prerequisites); it only decides the default lead section, which
    is the section of the first item.
    """
    data = chain.data
    for index, code in enumerate(data['items']):
        known.item_ref(chain, 'items', code, index)
    _once_each(chain, 'items', data['items'], 'item', report)
    if data['lead_section'] is not None:
        known.section_ref(chain, 'lead_section', data['lead_section'])
    else:
        # the bureau leads: the section of the first of its own items
        own = [known.items[c] for c in data['items'] if c in known.items
               and not known.items[c].data.get('organisation')]
        if own:
            data['lead_section'] = own[0].data['section']
        elif data['items'] and all(c in known.items for c in data['items']):
            report(chain, 'every item belongs to another organisation: name '
                          "the bureau's lead section with 'lead_section'",
                   'items')


def _check_stage_order(project, report):
    """Every project has the four stages, each once, in the legal order."""
    stages = project.data['stages']
    names = [s['name'] for s in stages if s is not None and s['name'] is not None]
    if len(names) != len(stages):
        return   # a stage that is not a mapping or has no name is reported
    raw_stages = project.raw.get('stages')
    if not isinstance(raw_stages, list):
        return   # missing or not a list: already reported
    expected = ' → '.join(STAGE_NAMES)
    problem_found = False
    for index, stage in enumerate(stages):
        entry = Entry(project.file, raw_stages[index], stage,
                      f'{project.what} stage {stage["code"] or index + 1}')
        if stage['name'] not in STAGE_NAMES:
            report(entry, f'{stage["name"]!r} is not a stage name; expected '
                          f'one of {", ".join(STAGE_NAMES)}', 'name')
            problem_found = True
        elif names.index(stage['name']) != index:
            report(entry, f'stage {stage["name"]!r} is given twice', 'name')
            problem_found = True
    missing = [name for name in STAGE_NAMES if name not in names]
    misnamed = [name for name in names if name not in STAGE_NAMES]
    if missing and len(misnamed) < len(missing):   # not just a misspelt name
        report(project, f'missing stage{"s" if len(missing) > 1 else ""} '
                        f'{", ".join(missing)}; a project has the stages '
                        f'{expected}', 'stages')
        return
    if problem_found:
        return
    for index, name in enumerate(names):
        if name != STAGE_NAMES[index]:
            report(project, f'stage {name!r} is out of order at position '
                            f'{index + 1}; the stages must be {expected}',
                   'stages', index)
            return
