"""The objectmap's extent map keeps each object's extents in its bucket."""
import transaction
from BTrees.OOBTree import OOTreeSet
from substanced.objectmap import ExtentMap as SubstanceDExtentMap
from substanced.util import find_objectmap, get_factory_type, get_oid

from casehelpers import make_case
from casefile.site.extents import ExtentMap, ensure_extents

CASE = 'casefile.case.model.Case'


def test_a_new_case_is_filed_under_its_type_without_a_record_of_its_own(
        root, app):
    case = make_case(root, app.registry)
    extentmap = find_objectmap(root).extentmap
    assert type(extentmap) is ExtentMap
    assert get_factory_type(case) == CASE
    oid = get_oid(case)
    assert extentmap.oid_to_extents[oid] == (CASE,)
    assert oid in find_objectmap(root).get_extent(CASE)
    # a tuple is stored inside the BTree's bucket: no persistent set
    assert not hasattr(extentmap.oid_to_extents[oid], '_p_oid')


def test_adding_an_object_again_does_not_repeat_its_type(root, app):
    case = make_case(root, app.registry)
    extentmap = find_objectmap(root).extentmap
    extentmap.add(case, get_oid(case))
    assert extentmap.oid_to_extents[get_oid(case)] == (CASE,)


def test_a_removed_case_leaves_its_extent(root, app):
    case = make_case(root, app.registry)
    oid = get_oid(case)
    root['cases'].remove(case.__name__)
    transaction.commit()
    objectmap = find_objectmap(root)
    assert oid not in objectmap.get_extent(CASE)
    assert oid not in objectmap.extentmap.oid_to_extents


def test_an_older_database_keeps_its_extents_and_gets_tuples_from_now(
        root, app):
    """A database made before this version has Substance D's map, with a
    persistent set per object: start-up swaps the map, not its BTrees."""
    objectmap = find_objectmap(root)
    old = SubstanceDExtentMap()
    old.extent_to_oids = objectmap.extentmap.extent_to_oids
    old.oid_to_extents = objectmap.extentmap.oid_to_extents
    objectmap.extentmap = old
    earlier = make_case(root, app.registry)
    assert isinstance(old.oid_to_extents[get_oid(earlier)], OOTreeSet)

    ensure_extents(root, app.registry)
    transaction.commit()
    extentmap = objectmap.extentmap
    assert type(extentmap) is ExtentMap
    assert extentmap.extent_to_oids is old.extent_to_oids
    assert get_oid(earlier) in objectmap.get_extent(CASE)
    later = make_case(root, app.registry)
    assert extentmap.oid_to_extents[get_oid(later)] == (CASE,)
    # the older per-object set still serves removal
    root['cases'].remove(earlier.__name__)
    transaction.commit()
    assert get_oid(earlier) not in objectmap.get_extent(CASE)
    assert get_oid(later) in objectmap.get_extent(CASE)
