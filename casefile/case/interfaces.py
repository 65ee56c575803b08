"""Marker interface for everything kept in a case folder."""
from zope.interface import Interface


class ICaseRecord(Interface):
    """A case, one of its sub-containers, or a record inside one.

    Registered against by index views that treat case records apart from
    the rest of the site (see ``casefile.case.catalog``).
    """
