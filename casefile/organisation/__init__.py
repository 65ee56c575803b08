"""Organisations (跨层级、跨部门联动): districts, zones and city departments
in the bureau's chains.

``schemas/organisations.yaml`` lists the bureau, Anshan's seven districts
and counties, its development zones and the city departments that keep
powers of their own, each with sections, working-calendar overrides and
(as Substance D groups ``org.<code>``) users.  Catalogue items may belong
to one of them (``organisation:`` in ``items/*.yaml``); at acceptance their
tasks are routed to that organisation's section -- for an item a district
handles for its own area, to the district of the applicant's address.
See ``docs/organisations.md``.

Module-level state like the clock's: the organisations in use are read at
start-up (``casefile.organisations_file``, default
``<schemas_dir>/organisations.yaml``) and a broken file stops start-up
with its file and line.
"""
import os

from .loader import (  # noqa: F401  (public API)
    OrganisationError, check_organisations, load_organisations,
    parse_organisations, read_organisations)
from .model import (  # noqa: F401
    BUREAU, DISTRICT, KINDS, Organisation, Organisations, OrgSection,
    section_code)

SETTING = 'casefile.organisations_file'

_current = None


def get_organisations():
    """The organisations in use (``None`` before start-up configured them)."""
    return _current


def configure(path=None):
    """Load ``path`` (``None``: no organisations file, the bureau alone)."""
    global _current
    from ..clock import configure_organisations
    _current = load_organisations(path) if path else None
    configure_organisations({} if _current is None else {
        org.code: org.calendar for org in _current if org.calendar.years})
    return _current


def organisations_path(settings):
    path = (settings or {}).get(SETTING)
    if path is not None:
        return path.strip() or None
    schemas = (settings or {}).get('casefile.schemas_dir')
    if schemas:
        candidate = os.path.join(schemas, 'organisations.yaml')
        if os.path.isfile(candidate):
            return candidate
    return None


def organisation_name(code):
    orgs = get_organisations()
    org = orgs.get(code) if orgs is not None and code else None
    if org is not None:
        return org.name
    return '鞍山市行政审批局' if code in (None, '', BUREAU) else code


def includeme(config):
    configure(organisations_path(config.registry.settings))
    config.scan('.handover')
    config.scan('.joint')
    config.include('.views')
