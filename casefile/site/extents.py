"""The objectmap's extent map: every object id filed under its content type.

Substance D's extent map keeps two BTrees: content type -> object ids, and
object id -> the names of its extents.  It stores the second one's values
as a persistent ``OOTreeSet`` per object: one more database record for
every content object ever added (a case with three tasks: five), each
holding a single string, because Substance D only ever files an object
under its factory type.  :class:`ExtentMap` keeps the same names as a
tuple inside the BTree's bucket instead.  Nothing is read differently:
Substance D only iterates these values (to remove an object from its
extents), and a tuple iterates like the set did.

``ensure_extents`` installs it at start-up.  An existing database keeps
its two BTrees (so nothing is copied, and its older per-object sets stay
valid); objects added from then on get tuples.
"""
from substanced.objectmap import ExtentMap as SubstanceDExtentMap
from substanced.util import find_objectmap, get_factory_type


class ExtentMap(SubstanceDExtentMap):
    """Extents of an object as a tuple, not a persistent set of its own."""

    def add(self, obj, oid):
        factory_type = get_factory_type(obj)
        extent = self.extent_to_oids.get(factory_type)
        if extent is None:
            extent = self.extent_to_oids[factory_type] = \
                self.family.II.TreeSet()
        extent.add(oid)
        names = tuple(self.oid_to_extents.get(oid, ()))
        if factory_type not in names:
            self.oid_to_extents[oid] = names + (factory_type,)


def ensure_extents(root, registry):
    """Install :class:`ExtentMap` and give it a key for every content type.

    The keys: Substance D adds a type's key the first time an object of
    that type is stored.  On a new database the first intakes of the
    morning all add the key ``Case`` at once: the same new key in one
    small BTree, which no conflict resolution can merge, so all but one
    were retried.  With every key present in advance each intake only
    adds its object id to the type's set, which merges.
    """
    objectmap = find_objectmap(root)
    current = getattr(objectmap, 'extentmap', None)
    if current is None:
        return
    if type(current) is not ExtentMap:
        replacement = ExtentMap()
        replacement.extent_to_oids = current.extent_to_oids
        replacement.oid_to_extents = current.oid_to_extents
        objectmap.extentmap = current = replacement
    extents = current.extent_to_oids
    for factory_type in sorted(registry.content.factory_types):
        if factory_type not in extents:
            extents[factory_type] = current.family.II.TreeSet()
