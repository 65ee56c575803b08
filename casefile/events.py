"""Telling Substance D that an object changed.

Substance D's subscribers for ``ObjectModified`` (catalog reindexing among
them) are registered for the pair (event, object), so the event must be
dispatched with ``registry.subscribers((event, obj), None)``;
``registry.notify(event)`` reaches none of them and the catalog silently
keeps the values of the object's first transaction.
"""
from pyramid.threadlocal import get_current_registry
from substanced.event import ObjectModified


def notify_modified(obj, registry=None):
    registry = registry or get_current_registry()
    registry.subscribers((ObjectModified(obj), obj), None)
