"""Putting the items of one application together for the applicant.

一张表格 (one form): a fact several items ask for is asked once.
材料复用 / 内部流转: a material several items need is handed over once, and
one that the bureau itself produces within the same case (the 营业执照 the
drug licence needs) is not asked for at all.
One visit: the inspection section checks every point of every item on one
site visit, each point once.

These functions take catalogue objects and return small frozen values;
they are reached through ``Catalogue.merged_fields`` and friends.
"""
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class FormField:
    """A field of the one form, and the items whose forms it replaces."""

    field: object     # model.Field
    items: tuple      # item codes


@dataclass(frozen=True)
class ItemFields:
    """The part of the one form only one item asks for."""

    item: str
    name: str
    fields: tuple     # of model.Field


@dataclass(frozen=True)
class OneForm:
    """The one form of an application.

    ``shared`` fields are asked once, in the order they are first used;
    ``per_item`` groups hold what only one item asks.  ``separate_count`` is
    how many fields the items' own forms would ask, added up, so that
    ``saved`` shows what the one form spares the applicant.
    """

    application: str
    shared: tuple        # of FormField
    per_item: tuple      # of ItemFields
    separate_count: int

    @property
    def field_count(self):
        return len(self.shared) + sum(len(group.fields) for group in self.per_item)

    @property
    def saved(self):
        return self.separate_count - self.field_count

    def all_fields(self):
        """Every field of the form, once, in display order."""
        return tuple(f.field for f in self.shared) + tuple(
            f for group in self.per_item for f in group.fields)


def one_form(catalogue, application):
    """A key is shared when fields.yaml defines it or ≥ 2 items use it."""
    items = [catalogue.items[code] for code in application.items]
    users = {}
    for item in items:
        for f in item.fields:
            users.setdefault(f.key, []).append(item.code)
    shared_keys = {key for key, codes in users.items()
                   if key in catalogue.fields or len(codes) > 1}
    shared, per_item, seen = [], [], set()
    for item in items:
        own = []
        for f in item.fields:
            if f.key not in shared_keys:
                own.append(f)
            elif f.key not in seen:
                seen.add(f.key)
                shared.append(FormField(f, tuple(users[f.key])))
        if own:
            per_item.append(ItemFields(item.code, item.name, tuple(own)))
    return OneForm(application.code, tuple(shared), tuple(per_item),
                   sum(len(item.fields) for item in items))


@dataclass(frozen=True)
class MaterialNeed:
    """One material of the merged list.

    ``required`` if any item requires it; ``gaps_allowed`` (容缺) only if
    every item requiring it allows the gap (an optional material has no
    gap to allow).  ``produced_by`` names the item of the same application
    whose result this material is: the applicant does not submit it, the
    bureau passes it on internally once that item is decided.
    """

    material: object     # model.Material
    items: tuple         # item codes needing it
    required: bool
    gaps_allowed: bool
    reusable: bool
    produced_by: Optional[str] = None

    @property
    def submitted_by_applicant(self):
        return self.produced_by is None


def merged_materials(catalogue, application):
    in_application = set(application.items)
    uses = {}
    for code in application.items:
        for need in catalogue.items[code].materials:
            uses.setdefault(need.material.code, []).append((code, need))
    result = []
    for material_code, pairs in uses.items():
        material = pairs[0][1].material
        requiring = [need for _, need in pairs if need.required]
        issued_by = material.issued_by
        result.append(MaterialNeed(
            material=material,
            items=tuple(code for code, _ in pairs),
            required=bool(requiring),
            gaps_allowed=bool(requiring) and all(n.gaps_allowed for n in requiring),
            reusable=material.reusable,
            produced_by=issued_by if issued_by in in_application else None))
    return tuple(result)


@dataclass(frozen=True)
class InspectionPoint:
    """One line of the merged site-inspection checklist."""

    text: str
    items: tuple     # item codes this point serves


def inspection_points(items):
    """Points of items that need an inspection; equal wording counts once."""
    served = {}
    for item in items:
        if not item.inspection.required:
            continue
        for point in item.inspection.points:
            codes = served.setdefault(point.strip(), [])
            if item.code not in codes:
                codes.append(item.code)
    return tuple(InspectionPoint(text, tuple(codes))
                 for text, codes in served.items())
