"""Loading a catalogue directory into a new version (start-up, CLI, admin).

The directory named by ``casefile.catalogue_dir`` is read at every start:
if its content differs from the current version, a new version is stored
(and the sections become Substance D groups so users can be put in them).
A broken directory never replaces a good version: the problems are raised
with file and line and the previous version stays current.
"""
import logging

from pyramid.threadlocal import get_current_registry
from substanced.util import find_service

from ..security.roles import section_group_name
from .loader import load_catalogue
from .store import catalogue_versions

log = logging.getLogger(__name__)


def ensure_section_groups(root, catalogue, registry):
    principals = find_service(root, 'principals')
    created = []
    for code in catalogue.sections:
        if getattr(catalogue.sections[code], 'organisation', None) == \
                'district':
            continue   # a placeholder: the district's own section is routed to
        name = section_group_name(code)
        if name not in principals['groups']:
            group = principals.add_group(name, registry=registry)
            group.description = catalogue.sections[code].name
            created.append(name)
    return created


def load_into(root, path, actor=None, registry=None):
    """Load ``path``; return ``(version, created)``.  Raises CatalogueError."""
    from ..organisation import get_organisations
    from .loader import BESIDE
    registry = registry or get_current_registry()
    # the organisations in use (organisations.yaml named in the ini)
    catalogue = load_catalogue(path, get_organisations() or BESIDE)
    version, created = catalogue_versions(root).add_version(
        catalogue, source=str(path), actor=actor, registry=registry)
    ensure_section_groups(root, catalogue, registry)
    if created:
        log.info('catalogue %s loaded as version %s', path, version.number)
    return version, created


def load_configured_catalogue(root, registry):
    path = registry.settings.get('casefile.catalogue_dir')
    if not path:
        return None
    version, created = load_into(root, path, actor='system',
                                 registry=registry)
    return {'number': version.number, 'created': created}
