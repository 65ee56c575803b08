"""Workflow definitions: the bureau's YAML files, validated, as plain data.

A workflow file declares states (with Chinese titles), transitions (from,
to, who may fire them, guards, required inputs) and **one permission table:
state → permission → roles** — the DCWorkflow idea without its XML.  The
engine (``engine.py``) turns the table into ACLs; nothing else grants a
permission on a workflowed object.

Every problem is reported with file and line, all at once.
"""
from dataclasses import dataclass, field
import os

from ..problems import Problem
from ..security.permissions import PERMISSIONS
from ..security.roles import ROLES
from ..yamlsource import LineDict, line_of, read_yaml

#: roles a table may name besides the global ones: played per object
LOCAL_ROLES = ('lead_section', 'system')
KNOWN_ROLES = tuple(ROLES) + LOCAL_ROLES
INPUT_TYPES = ('text', 'lines', 'date', 'choice', 'boolean', 'integer')

TOP_KEYS = ('name', 'title', 'content_type', 'initial', 'states',
            'transitions', 'permissions')
STATE_KEYS = ('title', 'final')
TRANSITION_KEYS = ('title', 'from', 'to', 'roles', 'guards', 'inputs')
INPUT_KEYS = ('title', 'type', 'required', 'options')


class WorkflowError(Exception):
    """The workflow files have problems; ``problems`` lists them all."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__('\n'.join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Input:
    name: str
    title: str
    type: str = 'text'
    required: bool = False
    options: tuple = ()          # ((value, title), ...) for choices


@dataclass(frozen=True)
class Transition:
    name: str
    title: str
    from_states: tuple
    to: str
    roles: tuple
    guards: tuple = ()
    inputs: tuple = ()           # of Input

    @property
    def system_only(self):
        return self.roles == ('system',)


@dataclass(frozen=True)
class State:
    name: str
    title: str
    final: bool = False


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    title: str
    content_type: str
    initial: str
    states: dict
    transitions: dict
    permissions: dict            # state -> {permission: (roles)}
    source: str = ''
    lines: dict = field(default_factory=dict, compare=False)

    def transition_permission(self, transition):
        return '%s.%s' % (self.name, transition)

    def permission_map(self, state):
        """The full table of ``state``: declared permissions plus one
        permission per transition that may be fired from it."""
        table = {p: list(roles) for p, roles in
                 self.permissions.get(state, {}).items()}
        for t in self.transitions.values():
            roles = [r for r in t.roles if r != 'system']
            if state in t.from_states and roles:
                table[self.transition_permission(t.name)] = roles
        return table

    def transitions_from(self, state):
        return [t for t in self.transitions.values()
                if state in t.from_states]


def _problem(problems, source, line, message):
    problems.append(Problem(source, line, message))


def _names(value):
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(value)
    return None


def parse_definition(data, source, known_guards):
    """Validate parsed YAML ``data``; return ``(definition, problems)``."""
    problems = []
    if not isinstance(data, dict):
        return None, [Problem(source, line_of(data), 'a workflow file is a '
                              'mapping with keys ' + ', '.join(TOP_KEYS))]
    for key in data:
        if key not in TOP_KEYS:
            _problem(problems, source, _key_line(data, key),
                     'unknown key %r; expected one of %s'
                     % (key, ', '.join(TOP_KEYS)))
    for key in ('name', 'title', 'content_type', 'initial', 'states',
                'transitions', 'permissions'):
        if key not in data:
            _problem(problems, source, line_of(data),
                     'missing required key %r' % key)
    states = {}
    raw_states = data.get('states') or {}
    if not isinstance(raw_states, dict):
        _problem(problems, source, _key_line(data, 'states'),
                 'states must be a mapping of state name to {title: ...}')
        raw_states = {}
    for name, spec in raw_states.items():
        line = _key_line(raw_states, name)
        if not isinstance(spec, dict) or not spec.get('title'):
            _problem(problems, source, line,
                     'state %r needs a title (the Chinese name people see)'
                     % name)
            spec = spec if isinstance(spec, dict) else {}
        for key in spec:
            if key not in STATE_KEYS:
                _problem(problems, source, _key_line(spec, key),
                         'state %r: unknown key %r' % (name, key))
        states[name] = State(name, str(spec.get('title', name)),
                             bool(spec.get('final', False)))
    initial = data.get('initial')
    if initial is not None and initial not in states:
        _problem(problems, source, _key_line(data, 'initial'),
                 'initial state %r is not one of the states' % initial)

    transitions = {}
    raw_transitions = data.get('transitions') or {}
    if not isinstance(raw_transitions, dict):
        _problem(problems, source, _key_line(data, 'transitions'),
                 'transitions must be a mapping of name to definition')
        raw_transitions = {}
    for name, spec in raw_transitions.items():
        line = _key_line(raw_transitions, name)
        if not isinstance(spec, dict):
            _problem(problems, source, line,
                     'transition %r must be a mapping' % name)
            continue
        what = 'transition %r' % name
        for key in spec:
            if key not in TRANSITION_KEYS:
                _problem(problems, source, _key_line(spec, key),
                         '%s: unknown key %r; expected one of %s'
                         % (what, key, ', '.join(TRANSITION_KEYS)))
        for key in ('title', 'from', 'to', 'roles'):
            if key not in spec:
                _problem(problems, source, line,
                         '%s: missing required key %r' % (what, key))
        from_states = _state_names(problems, source, spec, 'from', what)
        for state in from_states:
            if state not in states:
                _problem(problems, source, _key_line(spec, 'from'),
                         '%s: unknown state %r in from' % (what, state))
        to = spec.get('to')
        if to is not None and not isinstance(to, str):
            _problem(problems, source, _key_line(spec, 'to'),
                     "%s: 'to' must be one state name" % what)
            to = None
        elif to is not None and to not in states:
            _problem(problems, source, _key_line(spec, 'to'),
                     '%s: unknown state %r in to' % (what, to))
        roles = _state_names(problems, source, spec, 'roles', what)
        for role in roles:
            if role not in KNOWN_ROLES:
                _problem(problems, source, _key_line(spec, 'roles'),
                         '%s: unknown role %r; known roles: %s'
                         % (what, role, ', '.join(KNOWN_ROLES)))
        guards = _state_names(problems, source, spec, 'guards', what)
        for guard in guards:
            if guard not in known_guards:
                _problem(problems, source, _key_line(spec, 'guards'),
                         '%s: unknown guard %r; known guards: %s'
                         % (what, guard, ', '.join(sorted(known_guards))))
        inputs = []
        raw_inputs = spec.get('inputs') or {}
        if not isinstance(raw_inputs, dict):
            _problem(problems, source, _key_line(spec, 'inputs'),
                     '%s: inputs must be a mapping' % what)
            raw_inputs = {}
        for input_name, ispec in raw_inputs.items():
            iline = _key_line(raw_inputs, input_name)
            if not isinstance(ispec, dict):
                _problem(problems, source, iline, '%s: input %r must be a '
                         'mapping' % (what, input_name))
                continue
            for key in ispec:
                if key not in INPUT_KEYS:
                    _problem(problems, source, _key_line(ispec, key),
                             '%s: input %r: unknown key %r'
                             % (what, input_name, key))
            itype = ispec.get('type', 'text')
            if itype not in INPUT_TYPES:
                _problem(problems, source, _key_line(ispec, 'type'),
                         '%s: input %r: unknown type %r; expected one of %s'
                         % (what, input_name, itype, ', '.join(INPUT_TYPES)))
            options = ispec.get('options') or {}
            if itype == 'choice' and not (isinstance(options, dict)
                                          and options):
                _problem(problems, source, iline, '%s: input %r: a choice '
                         'needs options (value: title)' % (what, input_name))
                options = {}
            inputs.append(Input(input_name, str(ispec.get('title',
                                                          input_name)),
                                itype, bool(ispec.get('required', False)),
                                tuple((str(k), str(v)) for k, v in
                                      (options.items() if isinstance(
                                          options, dict) else ()))))
        transitions[name] = Transition(
            name, str(spec.get('title', name)), from_states, to,
            roles, guards, tuple(inputs))

    permissions = {}
    raw_permissions = data.get('permissions') or {}
    if not isinstance(raw_permissions, dict):
        _problem(problems, source, _key_line(data, 'permissions'),
                 'permissions must be a table: state -> permission -> roles')
        raw_permissions = {}
    for state, table in raw_permissions.items():
        sline = _key_line(raw_permissions, state)
        if state not in states:
            _problem(problems, source, sline, 'permissions: unknown state '
                     '%r' % state)
            continue
        if not isinstance(table, dict):
            _problem(problems, source, sline, 'permissions of %r must map '
                     'permission -> roles' % state)
            continue
        permissions[state] = {}
        for permission, roles in table.items():
            pline = _key_line(table, permission)
            if permission not in PERMISSIONS:
                _problem(problems, source, pline, 'permissions of %r: '
                         'unknown permission %r; known permissions: %s'
                         % (state, permission, ', '.join(PERMISSIONS)))
            names = _names(roles)
            if names is None:
                _problem(problems, source, pline, 'permissions of %r: %r '
                         'must list roles' % (state, permission))
                continue
            for role in names:
                if role not in KNOWN_ROLES or role == 'system':
                    _problem(problems, source, pline, 'permissions of %r: '
                             'unknown role %r for %r' % (state, role,
                                                          permission))
            permissions[state][permission] = names
    for state in states:
        if raw_states and state not in raw_permissions:
            _problem(problems, source, _key_line(data, 'permissions'),
                     'permissions: state %r has no row (write an empty '
                     'mapping {} if nobody may do anything in it)' % state)
    if problems:
        return None, problems
    return WorkflowDefinition(
        name=str(data['name']), title=str(data['title']),
        content_type=str(data['content_type']), initial=initial,
        states=states, transitions=transitions, permissions=permissions,
        source=source), []


def _state_names(problems, source, spec, key, what):
    """A name or a list of names under ``key``; anything else is a problem."""
    value = spec.get(key)
    if value is None:
        return ()
    names = _names(value)
    if names is None or not all(isinstance(n, str) for n in names):
        _problem(problems, source, _key_line(spec, key),
                 '%s: %r must be a name or a list of names' % (what, key))
        return ()
    return names


def _key_line(mapping, key):
    if isinstance(mapping, LineDict):
        return mapping.line_of(key)
    return line_of(mapping)


def load_directory(path, known_guards):
    """Load every ``*.yaml`` in ``path``; raise :class:`WorkflowError`."""
    definitions, problems = {}, []
    if not os.path.isdir(path):
        raise WorkflowError([Problem(str(path), 1, 'workflows directory '
                                     'not found')])
    for entry in sorted(os.listdir(path)):
        if not entry.endswith('.yaml'):
            continue
        full = os.path.join(path, entry)
        data, found = read_yaml(full, full)
        problems.extend(found)
        if data is None:
            if not found:
                problems.append(Problem(full, 1, 'the file is empty: a '
                                        'workflow file defines one workflow'))
            continue
        definition, found = parse_definition(data, full, known_guards)
        problems.extend(found)
        if definition is None:
            continue
        if definition.name in definitions:
            problems.append(Problem(full, _key_line(data, 'name'),
                                    'workflow name %r is used twice'
                                    % definition.name))
        for other in definitions.values():
            if other.content_type == definition.content_type:
                problems.append(Problem(
                    full, _key_line(data, 'content_type'),
                    'content type %r already has the workflow %r (%s): one '
                    'workflow per content type' % (
                        definition.content_type, other.name,
                        os.path.basename(other.source))))
        definitions[definition.name] = definition
    if problems:
        raise WorkflowError(problems)
    return definitions
