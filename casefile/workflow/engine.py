"""The workflow engine: Substance D workflows built from the bureau's files.

For each definition the engine registers a Substance D ``Workflow`` (so
state lives where Substance D keeps it, the SDI shows it, and
``AfterTransition`` events fire) whose every state, when entered, applies
that state's permission table to the object as its ACL.  Local roles are
resolved per object: the reviewers "of the case" are those of all its
sections, the reviewers "of a material" only those of the items it serves.

:meth:`WorkflowEngine.fire` is the one way to change a state: it checks the
transition exists from the current state, the user's permission (a real
request, STACK.md trap 7, or ``system=True`` for the engine's own moves),
the required inputs and the guards — all before anything changes — then
transitions, journals, reindexes and notifies :class:`Transitioned`.

Substance D keys transitions by name only, so a transition allowed from
several states is registered once per state as ``name@state``.
"""
import datetime
import functools

from pyramid.threadlocal import get_current_registry
from substanced.util import get_content_type, set_acl
from substanced.workflow import Workflow

from ..events import notify_modified
from ..i18n import _
from ..security.acl import build_acl

#: content type -> function(obj) -> {role: [principals]}
LOCAL_ROLES = {}


def local_roles(content_type):
    def decorate(func):
        LOCAL_ROLES[content_type] = func
        return func
    return decorate


class TransitionError(Exception):
    """A refused transition: ``code`` for the API, ``message`` for people.

    Raised before anything changed.
    """

    def __init__(self, code, message, status=400, field=None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.field = field


class Transitioned:
    """Sent after a transition has been applied and journaled."""

    def __init__(self, obj, definition, transition, old_state, new_state,
                 inputs, actor, request):
        self.object = obj
        self.definition = definition
        self.transition = transition
        self.old_state = old_state
        self.new_state = new_state
        self.inputs = inputs
        self.actor = actor
        self.request = request


class WorkflowEngine:
    def __init__(self, definitions):
        self.definitions = definitions
        self.by_content_type = {d.content_type: d
                                for d in definitions.values()}
        self.workflows = {}
        for definition in definitions.values():
            self.workflows[definition.name] = self._build(definition)

    # -- building -----------------------------------------------------------

    def _build(self, definition):
        workflow = Workflow(definition.initial, definition.name,
                            name=definition.title)
        for state in definition.states.values():
            # Substance D calls the callback *before* it records the new
            # state, so each state's callback knows its own name
            workflow.add_state(state.name, title=state.title,
                               callback=functools.partial(self._entered,
                                                          state.name))
        for t in definition.transitions.values():
            for source in t.from_states:
                workflow.add_transition('%s@%s' % (t.name, source), source,
                                        t.to, title=t.title)
        return workflow

    def register(self, config):
        for definition in self.definitions.values():
            config.add_workflow(self.workflows[definition.name],
                                content_types=(definition.content_type,))

    def _entered(self, state, content, request=None, transition=None,
                 workflow=None):
        self.apply_acl(content, state=state)

    # -- state and permissions --------------------------------------------

    def definition_for(self, obj):
        return self.by_content_type.get(get_content_type(obj))

    def state_of(self, obj):
        definition = self.definition_for(obj)
        if definition is None:
            return None
        return self.workflows[definition.name].state_of(obj)

    def state_title(self, obj):
        definition = self.definition_for(obj)
        state = self.state_of(obj)
        if definition is None or state is None:
            return ''
        return definition.states[state].title

    def acl_for(self, obj, definition=None, state=None):
        definition = definition or self.definition_for(obj)
        state = state or self.state_of(obj)
        roles_of = LOCAL_ROLES.get(get_content_type(obj))
        role_principals = roles_of(obj) if roles_of else {}
        return build_acl(definition.permission_map(state), role_principals)

    def apply_acl(self, obj, registry=None, state=None):
        """Apply the state's table to ``obj`` and what follows its state.

        Objects without a workflow of their own inside a workflowed object
        (materials, documents) get their container's table, resolved with
        their own local roles.
        """
        definition = self.definition_for(obj)
        if definition is None:
            return
        state = state or self.state_of(obj)
        if state is None:
            return
        registry = registry or get_current_registry()
        set_acl(obj, self.acl_for(obj, definition, state), registry=registry)
        for child in getattr(obj, 'followers', lambda: ())():
            set_acl(child, self.acl_for(child, definition, state),
                    registry=registry)

    def initialize(self, obj, registry=None):
        definition = self.definition_for(obj)
        workflow = self.workflows[definition.name]
        if not workflow.has_state(obj):
            workflow.initialize(obj)
        else:
            self.apply_acl(obj, registry)

    # -- transitions --------------------------------------------------------

    def available(self, obj, request):
        """Transitions the user may fire now (guards not yet evaluated)."""
        definition = self.definition_for(obj)
        state = self.state_of(obj)
        if definition is None or state is None:
            return []
        return [t for t in definition.transitions_from(state)
                if not t.system_only and request.has_permission(
                    definition.transition_permission(t.name), obj)]

    def blockers(self, obj, transition):
        """Messages of the guards that stop ``transition`` now."""
        from .guards import GUARDS
        out = []
        for name in transition.guards:
            message = GUARDS[name](obj, self)
            if message:
                out.append(message)
        return out

    def check_inputs(self, transition, inputs):
        """Validated inputs: ``{name: value}``; raises TransitionError."""
        inputs = inputs or {}
        clean = {}
        for spec in transition.inputs:
            value = inputs.get(spec.name)
            if isinstance(value, str):
                value = value.strip()
            if spec.type == 'lines' and isinstance(value, str):
                value = [line.strip() for line in value.splitlines()
                         if line.strip()]
            if spec.type == 'boolean':
                value = value in (True, 'true', 'on', '1', 1)
            if value in (None, '', []):
                if spec.required:
                    raise TransitionError(
                        'missing-input', _('Please fill in "${field}".',
                                           mapping={'field': spec.title}),
                        field=spec.name)
                continue
            if spec.type == 'choice' and value not in dict(spec.options):
                raise TransitionError(
                    'invalid-input', _('"${field}" must be one of: '
                                       '${options}.', mapping={
                                           'field': spec.title,
                                           'options': '、'.join(
                                               dict(spec.options).values())}),
                    field=spec.name)
            if spec.type == 'integer':
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise TransitionError(
                        'invalid-input', _('"${field}" must be a whole '
                                           'number.', mapping={
                                               'field': spec.title}),
                        field=spec.name)
                if value < 0 or value > 10000:
                    raise TransitionError(
                        'invalid-input', _('"${field}" is out of range.',
                                           mapping={'field': spec.title}),
                        field=spec.name)
            if spec.type == 'date' and not isinstance(value, datetime.date):
                try:
                    value = datetime.date.fromisoformat(str(value))
                except ValueError:
                    raise TransitionError(
                        'invalid-input', _('"${field}" must be a date such '
                                           'as 2026-12-01.', mapping={
                                               'field': spec.title}),
                        field=spec.name)
            if spec.type in ('text', 'lines'):
                total = len(value) if isinstance(value, str) else \
                    sum(len(v) for v in value)
                if total > 5000:
                    raise TransitionError(
                        'invalid-input', _('"${field}" is too long (at most '
                                           '5000 characters).', mapping={
                                               'field': spec.title}),
                        field=spec.name)
            clean[spec.name] = value
        return clean

    def fire(self, obj, name, request=None, inputs=None, actor=None,
             system=False, journal=None):
        """Fire transition ``name`` on ``obj``; return the new state.

        Everything is checked first; on any failure :class:`TransitionError`
        is raised and nothing has changed.
        """
        definition = self.definition_for(obj)
        if definition is None:
            raise TransitionError('no-workflow', _('This object has no '
                                                   'workflow.'), 404)
        transition = definition.transitions.get(name)
        if transition is None:
            raise TransitionError('unknown-transition', _(
                'There is no step called "${name}".', mapping={'name': name}),
                404)
        state = self.state_of(obj)
        if state not in transition.from_states:
            raise TransitionError('wrong-state', _(
                '"${step}" is not possible in the state "${state}".',
                mapping={'step': transition.title,
                         'state': definition.states[state].title}), 409)
        if system:
            if 'system' not in transition.roles and request is None:
                raise TransitionError('forbidden', _('Not allowed.'), 403)
        elif request is None or not request.has_permission(
                definition.transition_permission(name), obj):
            raise TransitionError('forbidden', _(
                'Your role may not do "${step}" here now.',
                mapping={'step': transition.title}), 403)
        clean = self.check_inputs(transition, inputs)
        blockers = self.blockers(obj, transition)
        if blockers:
            raise TransitionError('guard-failed', blockers[0], 409)
        workflow = self.workflows[definition.name]
        workflow.transition(obj, request, '%s@%s' % (name, state))
        new_state = transition.to
        registry = request.registry if request is not None else \
            get_current_registry()
        if journal is not None:
            journal.record('transition', actor or 'system',
                           target=getattr(obj, '__name__', ''),
                           comment=transition.title, data={
                               'workflow': definition.name,
                               'transition': name, 'from': state,
                               'to': new_state,
                               'inputs': {k: (v.isoformat() if isinstance(
                                   v, datetime.date) else v)
                                   for k, v in clean.items()}})
        notify_modified(obj, registry)
        case = getattr(obj, 'case', None)
        if case is not None:
            # a task's move changes its case's indexed deadline and lists
            notify_modified(case, registry)
        registry.notify(Transitioned(obj, definition, transition, state,
                                     new_state, clean, actor, request))
        return new_state


def get_engine(registry=None):
    registry = registry or get_current_registry()
    return registry.casefile_workflows
