"""A service guide (办事指南) and a staff manual as plain data.

Art. 30 of the Administrative Licensing Law: the items, their basis,
conditions, procedure, time limits, materials and fees must be public.
``compose_guide(catalogue, code)`` gathers, for one matter or project
stage, everything the applicant must know *once and completely*: the
conditions of all items (each once), the one deduplicated list of
materials (with what the bureau passes on internally or may already hold),
the parallel schedule, fees, limits, the one site visit, contacts and the
legal bases.  The page (``guide.pt``), the PDF one-time notice
(``notice.py``) and the staff manual (``manual.pt``) all render this value,
so they cannot disagree; it needs no request and is tested directly.

Everything here is catalogue data (Chinese) or numbers; the words around
it are message ids in the templates and in ``notice.py``.
"""
from dataclasses import dataclass
from typing import Optional

from ..i18n import _
from . import vocabulary as v

#: the Administrative Licensing Law, as guides cite it (a proper name, so
#: it stays Chinese like the catalogue's own legal bases)
LAW = '《中华人民共和国行政许可法》'
ART_32 = LAW + '第三十二条'
ART_45 = LAW + '第四十五条'
ART_58 = LAW + '第五十八条'
#: the articles every guide rests on: publicity, notice, limits, clock
#: stops, fees
LAW_ARTICLES = LAW + '第三十条、第三十二条、第四十二条、第四十五条、第五十八条'


@dataclass(frozen=True)
class Contact:
    """Where to ask or complain.  ``role``: window, lead, section,
    inspection, supervision, hotline; ``items``: names of the items a
    section handles in this application."""

    role: str
    name: str
    phone: Optional[str] = None
    location: Optional[str] = None
    items: tuple = ()


#: how pages and the notice name a contact's role
CONTACT_ROLES = {
    'window': _('Window'),
    'lead': _('Lead section'),
    'section': _('Reviewing section'),
    'inspection': _('Site inspection'),
    'supervision': _('Supervision'),
    'hotline': _('Hotline'),
}


#: DEMO DATA.  The catalogue has no place for the supervision contact
#: (sections.yaml has no supervision kind), so it is this clearly marked
#: constant; an installation overrides it with the settings
#: ``casefile.supervision_name``, ``casefile.supervision_phone`` and
#: ``casefile.supervision_location`` (see ``supervision_from_settings``).
SUPERVISION = Contact(
    role='supervision',
    name='鞍山市行政审批局电子监察室（演示）',
    phone='0412-5550100',
    location='鞍山市政务服务中心四楼（演示）')

#: the city's public service hotline (12345 is the national number)
HOTLINE = Contact(role='hotline', name='鞍山市 12345 政务服务便民热线',
                  phone='12345')


def supervision_from_settings(settings):
    """The supervision contacts: the settings' if given, else the demo's."""
    settings = settings or {}
    supervision = Contact(
        role='supervision',
        name=settings.get('casefile.supervision_name', SUPERVISION.name),
        phone=settings.get('casefile.supervision_phone', SUPERVISION.phone),
        location=settings.get('casefile.supervision_location',
                              SUPERVISION.location))
    return (supervision, HOTLINE)


@dataclass(frozen=True)
class Condition:
    """An acceptance condition, once, with the items that set it."""

    text: str
    items: tuple          # item names
    all_items: bool       # every item of the application sets it


@dataclass(frozen=True)
class MaterialRow:
    code: str
    name: str
    form: str             # 原件 / 复印件 / 原件及复印件
    count: int
    required: bool
    gaps_allowed: bool    # 容缺: may follow after acceptance
    reusable: bool        # 材料复用: the bureau may already hold it
    produced_by: Optional[str]        # item code inside this application
    produced_by_name: Optional[str]
    items: tuple          # item names needing it
    all_items: bool
    description: Optional[str]
    allowed_types: tuple
    max_size_mb: int


@dataclass(frozen=True)
class FeeRow:
    item: str             # item name
    free: bool
    amount: Optional[float]
    unit: Optional[str]
    basis: str            # the item's basis, or Art. 58 when it is free

    @property
    def amount_text(self):
        if self.amount is None:
            return ''
        amount = ('%d' % self.amount if float(self.amount).is_integer()
                  else '%g' % self.amount)
        return amount + (self.unit or '')


@dataclass(frozen=True)
class Prerequisite:
    code: str
    name: str
    inside: bool          # handled in the same application


@dataclass(frozen=True)
class ItemMaterialRow:
    name: str
    form: str
    count: int
    required: bool
    gaps_allowed: bool


@dataclass(frozen=True)
class GuideItem:
    """One item as the guide and the manual show it."""

    code: str
    name: str
    kind: str             # 行政许可 / 备案 / 其他
    section: object       # model.Section
    legal_basis: tuple
    statutory: int
    promised: int
    fee: FeeRow
    conditions: tuple
    materials: tuple      # of ItemMaterialRow
    prerequisites: tuple  # of Prerequisite
    inspection_required: bool
    inspection_points: tuple
    expert_review: bool
    expert_speciality: Optional[str]
    review_points: tuple
    retention: str        # 永久 / 30年 / 10年
    certificate: Optional[str]
    level: int            # column of the flow diagram (0: starts at once)
    start: int            # working day it can start (promised limits)
    finish: int
    critical: bool        # on the chain that decides the total


@dataclass(frozen=True)
class TimeLimits:
    """Working days for the whole application, parallel and one by one."""

    promised: int         # critical path with the promised limits
    statutory: int
    promised_sequential: int
    statutory_sequential: int

    @property
    def saved(self):
        return self.promised_sequential - self.promised


@dataclass(frozen=True)
class InspectionPoint:
    text: str
    items: tuple          # item names


@dataclass(frozen=True)
class LegalBasis:
    text: str
    items: tuple          # item names


@dataclass(frozen=True)
class Guide:
    code: str
    name: str
    title: str
    kind: str             # 'matter' or 'stage'
    kind_label: str       # 一件事情 / 一个项目
    description: Optional[str]
    project: Optional[str]            # the project's name, for a stage
    stages: tuple         # (code, name) of the project's stages
    lead_section: object  # model.Section
    catalogue_title: str
    effective: object     # datetime.date
    items: tuple          # of GuideItem, in the application's order
    levels: tuple         # item codes per column of the flow diagram
    conditions: tuple     # of Condition
    external: tuple       # (item name, prerequisite name) held beforehand
    materials: tuple      # of MaterialRow the applicant submits
    internal_materials: tuple         # of MaterialRow passed on inside
    fees: tuple           # of FeeRow
    time: TimeLimits
    inspection_points: tuple          # of InspectionPoint (one visit)
    expert_reviews: tuple             # (item name, speciality)
    contacts: tuple       # of Contact
    supervision: tuple    # of Contact
    legal_bases: tuple    # of LegalBasis

    @property
    def all_free(self):
        return all(fee.free for fee in self.fees)

    @property
    def needs_inspection(self):
        return any(item.inspection_required for item in self.items)

    @property
    def needs_expert_review(self):
        return bool(self.expert_reviews)

    @property
    def has_gaps_allowed(self):
        return any(m.gaps_allowed for m in self.materials)

    def item(self, code):
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def _once(pairs):
    """``[(text, name), ...]`` -> ``[(text, (names...)), ...]`` in order."""
    found = {}
    for text, name in pairs:
        names = found.setdefault(text.strip(), [])
        if name not in names:
            names.append(name)
    return [(text, tuple(names)) for text, names in found.items()]


def _fee_row(item):
    fee = item.fee
    basis = fee.basis or (ART_58 if fee.free else '')
    return FeeRow(item.name, fee.free, fee.amount, fee.unit, basis)


def compose_guide(catalogue, code, supervision=None):
    """The service guide of application ``code`` (KeyError if unknown)."""
    application = catalogue.application(code)
    items = catalogue.items_of(code)
    names = {item.code: item.name for item in items}
    all_names = tuple(names.values())
    plan = catalogue.schedule(code, 'promised')
    critical = set(plan.critical_items)

    guide_items = []
    for item in items:
        slot = plan.slot(item.code)
        guide_items.append(GuideItem(
            code=item.code, name=item.name, kind=item.kind_label,
            section=catalogue.sections[item.section],
            legal_basis=item.legal_basis,
            statutory=item.limits.statutory, promised=item.limits.promised,
            fee=_fee_row(item), conditions=item.conditions,
            materials=tuple(ItemMaterialRow(
                need.material.name,
                v.MATERIAL_FORMS.get(need.material.form, need.material.form),
                need.material.count, need.required, need.gaps_allowed)
                for need in item.materials),
            prerequisites=tuple(Prerequisite(
                p, catalogue.items[p].name if p in catalogue.items else p,
                p in names) for p in item.prerequisites),
            inspection_required=item.inspection.required,
            inspection_points=item.inspection.points,
            expert_review=item.expert_review.required,
            expert_speciality=item.expert_review.speciality,
            review_points=item.review_points,
            retention=item.retention_label, certificate=item.certificate,
            level=slot.level, start=slot.start, finish=slot.finish,
            critical=item.code in critical))

    conditions = tuple(
        Condition(text, item_names, len(item_names) == len(all_names))
        for text, item_names in _once(
            (text, item.name) for item in items for text in item.conditions))

    materials, internal = [], []
    for need in catalogue.merged_materials(code):
        material = need.material
        row = MaterialRow(
            code=material.code, name=material.name,
            form=v.MATERIAL_FORMS.get(material.form, material.form),
            count=material.count, required=need.required,
            gaps_allowed=need.gaps_allowed, reusable=need.reusable,
            produced_by=need.produced_by,
            produced_by_name=names.get(need.produced_by),
            items=tuple(names[c] for c in need.items),
            all_items=len(need.items) == len(items),
            description=material.description,
            allowed_types=tuple(material.allowed_types),
            max_size_mb=material.max_size_mb)
        (materials if need.submitted_by_applicant else internal).append(row)
    # required first, then optional; the catalogue's order within each
    materials.sort(key=lambda row: not row.required)

    statutory_plan = catalogue.schedule(code, 'statutory')
    time = TimeLimits(plan.total, statutory_plan.total, plan.sequential,
                      statutory_plan.sequential)

    points = tuple(InspectionPoint(p.text, tuple(names[c] for c in p.items))
                   for p in catalogue.inspection_points(code))
    experts = tuple((names[c], speciality)
                    for c, speciality in catalogue.expert_reviews(code))

    project, stages, description = None, (), None
    if application.kind == 'stage':
        proj = catalogue.projects[application.project]
        project = proj.name
        stages = tuple((s.code, s.name) for s in proj.stages)
        description = proj.description
    else:
        description = catalogue.matters[code].description

    return Guide(
        code=code, name=application.name, title=application.title,
        kind=application.kind, kind_label=application.kind_label,
        description=description, project=project, stages=stages,
        lead_section=catalogue.sections[application.lead_section],
        catalogue_title=catalogue.title, effective=catalogue.effective,
        items=tuple(guide_items), levels=plan.levels,
        conditions=conditions,
        external=tuple((names[c], catalogue.items[p].name
                        if p in catalogue.items else p)
                       for c, p in plan.external),
        materials=tuple(materials), internal_materials=tuple(internal),
        fees=tuple(item.fee for item in guide_items), time=time,
        inspection_points=points, expert_reviews=experts,
        contacts=_contacts(catalogue, application, items,
                           bool(points or experts)),
        supervision=tuple(supervision or (SUPERVISION, HOTLINE)),
        legal_bases=tuple(LegalBasis(text, item_names) for text, item_names
                          in _once((basis, item.name) for item in items
                                   for basis in item.legal_basis)))


def _contacts(catalogue, application, items, inspection):
    """Intake windows, the lead section, each item's section, the
    inspection section when the case needs a visit, the issuance window."""
    sections = catalogue.sections
    windows = [s for s in sections.values() if s.kind == 'service_centre']
    handled = {}
    for item in items:
        handled.setdefault(item.section, []).append(item.name)
    contacts = [Contact('window', s.name, s.phone, s.location)
                for s in windows[:1]]
    lead = sections[application.lead_section]
    contacts.append(Contact('lead', lead.name, lead.phone, lead.location,
                            tuple(handled.get(lead.code, ()))))
    for code, item_names in handled.items():
        if code != lead.code:
            s = sections[code]
            contacts.append(Contact('section', s.name, s.phone, s.location,
                                    tuple(item_names)))
    if inspection:
        contacts += [Contact('inspection', s.name, s.phone, s.location)
                     for s in sections.values() if s.kind == 'inspection']
    contacts += [Contact('window', s.name, s.phone, s.location)
                 for s in windows[1:]]
    return tuple(contacts)
