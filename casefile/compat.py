"""Shims that let Substance D 1.0 (2018) run on Pyramid 1.10.

Substance D's SDI calls ``Configurator.set_request_property``, which
Pyramid 1.10 removed in favour of ``add_request_method``.  We add the old
name back as a thin alias instead of forking Substance D (see STACK.md).
"""
from pyramid.config import Configurator


def set_request_property(config, callable, name=None, reify=False):
    """The removed Pyramid API, expressed with its replacement."""
    return config.add_request_method(
        callable, name=name, property=not reify, reify=reify)


def install():
    """Idempotent: safe to call from every ``main()`` and test fixture."""
    if not hasattr(Configurator, 'set_request_property'):
        Configurator.set_request_property = set_request_property
