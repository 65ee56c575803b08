"""Workflows as data: the bureau's YAML files, Substance D underneath.

``includeme`` loads every file of ``casefile.workflows_dir`` (validated:
a broken file stops start-up with file and line), builds one Substance D
workflow per file and keeps the engine at ``registry.casefile_workflows``.
Guards are registered by the subsystems that own the rules, which must be
included first (see ``casefile.main``).
"""
from .definition import WorkflowError, load_directory  # noqa: F401
from .engine import TransitionError, WorkflowEngine, get_engine  # noqa: F401
from .guards import GUARDS


def includeme(config):
    settings = config.registry.settings
    definitions = load_directory(settings['casefile.workflows_dir'], GUARDS)
    engine = WorkflowEngine(definitions)
    engine.register(config)
    config.registry.casefile_workflows = engine
    case = definitions.get('case')
    if case is not None:
        config.registry.casefile_state_titles = {
            name: state.title for name, state in case.states.items()}
    config.include('.views')
