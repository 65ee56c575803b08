"""Catalogue versions in ZODB: the catalogue is adjusted, cases keep theirs.

The seed says the item lists are "dynamically adjusted".  Every load of a
changed catalogue directory becomes a new, numbered, immutable version in
the ``catalogue`` container; a case records the version it was accepted
under and reads its limits, materials and fields from that version, so a
change never alters a case in flight.  Versions are stored as plain JSON
data (``Catalogue.to_dict()``), never as pickled model classes, so that the
model can evolve without breaking stored versions.
"""
import datetime
import json

from persistent import Persistent
from substanced.content import content
from substanced.folder import Folder

from .model import Catalogue


@content('Catalogue Versions', icon='glyphicon glyphicon-list-alt')
class CatalogueVersions(Folder):
    """Versions named ``v1``, ``v2``, ...; the highest is current."""

    current_number = 0
    _cache = None

    def numbers(self):
        return sorted(int(name[1:]) for name in self.keys()
                      if name.startswith('v') and name[1:].isdigit())

    def version(self, number):
        return self.get('v%d' % number)

    @property
    def current(self):
        if not self.current_number:
            return None
        return self.version(self.current_number)

    def add_version(self, catalogue, source='', actor=None, registry=None):
        """Store ``catalogue`` as a new version unless it equals the current."""
        current = self.current
        if current is not None and current.digest == catalogue.digest:
            return current, False
        number = self.current_number + 1
        version = CatalogueVersion(number, catalogue, source, actor)
        self.add('v%d' % number, version, registry=registry)
        self.current_number = number
        return version, True


@content('Catalogue Version', icon='glyphicon glyphicon-list')
class CatalogueVersion(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, number, catalogue, source='', actor=None):
        self.number = number
        self.data = json.dumps(catalogue.to_dict(), ensure_ascii=False,
                               sort_keys=True)
        self.digest = catalogue.digest
        self.title = catalogue.title
        self.source = source
        self.loaded_by = actor
        self.loaded_at = datetime.datetime.now(datetime.timezone.utc)

    @property
    def catalogue(self):
        """The model, rebuilt once per process and version (immutable)."""
        cached = _MODEL_CACHE.get(self.digest)
        if cached is None:
            cached = Catalogue.from_dict(json.loads(self.data))
            _MODEL_CACHE[self.digest] = cached
        return cached


#: digest -> Catalogue; versions are immutable, so caching by digest is safe
_MODEL_CACHE = {}


def catalogue_versions(root):
    return root['catalogue']


def current_catalogue(root):
    version = catalogue_versions(root).current
    return None if version is None else version.catalogue


def catalogue_for(case):
    """The catalogue version a case was created under."""
    from pyramid.traversal import find_root
    versions = catalogue_versions(find_root(case))
    version = versions.version(case.catalogue_version or
                               versions.current_number)
    return version.catalogue
