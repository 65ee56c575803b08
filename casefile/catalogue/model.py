"""The item catalogue (事项清单) as immutable values.

A catalogue *version* is what a case is accepted under: its limits,
materials and form must not change under a case in flight.  So every class
here is frozen, and a ``Catalogue`` round-trips through ``to_dict()`` /
``from_dict()`` as plain JSON data -- that is how a version is stored in
ZODB, so no class path is ever pickled and the classes can evolve freely.
``digest`` (sha256 of the canonical JSON) identifies a version's content:
two loads of the same files compare equal, and a reload that changed
nothing does not create a new version.

The model trusts its input: ``loader.load_catalogue`` validates files
with line numbers before anything is built, and ``from_dict`` is fed data
that was validated when it was first stored.

The questions a case and a service guide ask of the catalogue -- the one
form, the merged list of materials, the schedule, the merged inspection
checklist -- are methods of ``Catalogue`` that delegate to
``assembly.py`` and ``schedule.py``.
"""
import datetime
import hashlib
import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional

from . import assembly, schedule
from . import vocabulary as v

FORMAT = 1   # bump when to_dict() changes shape; from_dict() must read old ones


@dataclass(frozen=True)
class Section:
    """An internal section (科室) or a window of the service centre."""

    code: str
    name: str
    kind: str = v.DEFAULT_SECTION_KIND
    phone: Optional[str] = None
    location: Optional[str] = None
    #: None for the bureau's own; else the organisation (casefile.organisation)
    #: whose section this is, copied in from organisations.yaml at load
    organisation: Optional[str] = None

    def to_dict(self):
        d = {'code': self.code, 'name': self.name, 'kind': self.kind,
             'phone': self.phone, 'location': self.location}
        if self.organisation:   # only then: older versions keep their digest
            d['organisation'] = self.organisation
        return d

    @classmethod
    def from_dict(cls, d):
        return cls(d['code'], d['name'], d['kind'], d.get('phone'),
                   d.get('location'), d.get('organisation'))


@dataclass(frozen=True)
class Material:
    """A document an applicant may have to submit, defined once, shared.

    ``reusable``: the bureau may already hold it (材料复用), e.g. a licence
    it issued; ``issued_by``: the item whose result *is* this material, so
    within one case it travels inside the bureau instead of being asked for.
    """

    code: str
    name: str
    form: str
    count: int = 1
    allowed_types: tuple = v.DEFAULT_FILE_TYPES
    max_size_mb: int = v.DEFAULT_MAX_SIZE_MB
    reusable: bool = False
    issued_by: Optional[str] = None
    description: Optional[str] = None

    def to_dict(self):
        return {'code': self.code, 'name': self.name, 'form': self.form,
                'count': self.count, 'allowed_types': list(self.allowed_types),
                'max_size_mb': self.max_size_mb, 'reusable': self.reusable,
                'issued_by': self.issued_by, 'description': self.description}

    @classmethod
    def from_dict(cls, d):
        return cls(d['code'], d['name'], d['form'], d['count'],
                   tuple(d['allowed_types']), d['max_size_mb'], d['reusable'],
                   d.get('issued_by'), d.get('description'))


@dataclass(frozen=True)
class Field:
    """One question of an application form, by a stable ``key``."""

    key: str
    label: str
    type: str
    required: bool = True
    help: Optional[str] = None
    max_length: Optional[int] = None
    options: tuple = ()

    def to_dict(self):
        return {'key': self.key, 'label': self.label, 'type': self.type,
                'required': self.required, 'help': self.help,
                'max_length': self.max_length, 'options': list(self.options)}

    @classmethod
    def from_dict(cls, d):
        return cls(d['key'], d['label'], d['type'], d['required'], d.get('help'),
                   d.get('max_length'), tuple(d.get('options') or ()))


@dataclass(frozen=True)
class ItemMaterial:
    """A material as one item needs it: required or not, gaps allowed (容缺)."""

    material: Material
    required: bool = True
    gaps_allowed: bool = False

    def to_dict(self):
        return {'code': self.material.code, 'required': self.required,
                'gaps_allowed': self.gaps_allowed}


@dataclass(frozen=True)
class Limits:
    """Working days from acceptance to decision: the law's and the bureau's."""

    statutory: int
    promised: int

    def days(self, which):
        if which not in v.LIMIT_KINDS:
            raise ValueError(f'which must be one of {", ".join(v.LIMIT_KINDS)}, '
                             f'not {which!r}')
        return getattr(self, which)


@dataclass(frozen=True)
class Fee:
    """Free unless a law or regulation says otherwise (Art. 58)."""

    free: bool = True
    amount: Optional[float] = None
    unit: Optional[str] = None
    basis: Optional[str] = None

    def to_dict(self):
        return {'free': self.free, 'amount': self.amount, 'unit': self.unit,
                'basis': self.basis}


@dataclass(frozen=True)
class Inspection:
    required: bool = False
    points: tuple = ()


@dataclass(frozen=True)
class ExpertReview:
    required: bool = False
    speciality: Optional[str] = None


@dataclass(frozen=True)
class Item:
    """One licensing or filing procedure (审批事项) of one section."""

    code: str
    name: str
    kind: str
    legal_basis: tuple
    section: str
    limits: Limits
    fee: Fee = Fee()
    conditions: tuple = ()
    materials: tuple = ()       # of ItemMaterial
    fields: tuple = ()          # of Field
    inspection: Inspection = Inspection()
    expert_review: ExpertReview = ExpertReview()
    review_points: tuple = ()
    prerequisites: tuple = ()   # item codes
    retention: str = v.DEFAULT_RETENTION
    certificate: Optional[str] = None
    keywords: tuple = ()
    #: None: the bureau's; else the organisation that handles it, or
    #: 'district' (the district of the applicant's address)
    organisation: Optional[str] = None

    @property
    def kind_label(self):
        return v.ITEM_KINDS[self.kind]

    @property
    def retention_label(self):
        return v.RETENTIONS[self.retention]

    def to_dict(self, shared_fields=None):
        """Shared fields are written as their key, item-specific ones inline."""
        shared_fields = shared_fields or {}
        return {
            'code': self.code, 'name': self.name, 'kind': self.kind,
            'legal_basis': list(self.legal_basis), 'section': self.section,
            'limits': {'statutory': self.limits.statutory,
                       'promised': self.limits.promised},
            'fee': self.fee.to_dict(),
            'conditions': list(self.conditions),
            'materials': [m.to_dict() for m in self.materials],
            'fields': [f.key if shared_fields.get(f.key) == f else f.to_dict()
                       for f in self.fields],
            'inspection': {'required': self.inspection.required,
                           'points': list(self.inspection.points)},
            'expert_review': {'required': self.expert_review.required,
                              'speciality': self.expert_review.speciality},
            'review_points': list(self.review_points),
            'prerequisites': list(self.prerequisites),
            'retention': self.retention, 'certificate': self.certificate,
            'keywords': list(self.keywords),
            # only when set: versions stored before keep their digest
            **({'organisation': self.organisation} if self.organisation
               else {})}

    @classmethod
    def from_dict(cls, d, materials, fields):
        return cls(
            code=d['code'], name=d['name'], kind=d['kind'],
            legal_basis=tuple(d['legal_basis']), section=d['section'],
            limits=Limits(d['limits']['statutory'], d['limits']['promised']),
            fee=Fee(**d['fee']),
            conditions=tuple(d['conditions']),
            materials=tuple(ItemMaterial(materials[m['code']], m['required'],
                                         m['gaps_allowed'])
                            for m in d['materials']),
            fields=tuple(fields[f] if isinstance(f, str) else Field.from_dict(f)
                         for f in d['fields']),
            inspection=Inspection(d['inspection']['required'],
                                  tuple(d['inspection']['points'])),
            expert_review=ExpertReview(d['expert_review']['required'],
                                       d['expert_review']['speciality']),
            review_points=tuple(d['review_points']),
            prerequisites=tuple(d['prerequisites']),
            retention=d['retention'], certificate=d.get('certificate'),
            keywords=tuple(d['keywords']), organisation=d.get('organisation'))


@dataclass(frozen=True)
class Matter:
    """One thing (一件事情): the items a company needs for one goal."""

    code: str
    name: str
    items: tuple
    lead_section: str
    description: Optional[str] = None
    themes: tuple = ()
    keywords: tuple = ()

    def to_dict(self):
        return {'code': self.code, 'name': self.name,
                'description': self.description, 'items': list(self.items),
                'lead_section': self.lead_section, 'themes': list(self.themes),
                'keywords': list(self.keywords)}

    @classmethod
    def from_dict(cls, d):
        return cls(d['code'], d['name'], tuple(d['items']), d['lead_section'],
                   d.get('description'), tuple(d.get('themes') or ()),
                   tuple(d.get('keywords') or ()))


@dataclass(frozen=True)
class Stage:
    """One of a project's four stages; ``project`` is the project's code."""

    code: str
    name: str
    items: tuple
    lead_section: str
    project: str

    def to_dict(self):
        return {'code': self.code, 'name': self.name, 'items': list(self.items),
                'lead_section': self.lead_section}


@dataclass(frozen=True)
class Project:
    """One project (一个项目): industrial or real estate, in four stages."""

    code: str
    name: str
    kind: str
    stages: tuple
    description: Optional[str] = None
    keywords: tuple = ()

    @property
    def kind_label(self):
        return v.PROJECT_KINDS[self.kind]

    def to_dict(self):
        return {'code': self.code, 'name': self.name, 'kind': self.kind,
                'description': self.description,
                'stages': [s.to_dict() for s in self.stages],
                'keywords': list(self.keywords)}

    @classmethod
    def from_dict(cls, d):
        stages = tuple(Stage(s['code'], s['name'], tuple(s['items']),
                             s['lead_section'], d['code']) for s in d['stages'])
        return cls(d['code'], d['name'], d['kind'], stages, d.get('description'),
                   tuple(d.get('keywords') or ()))


@dataclass(frozen=True)
class Application:
    """What one can apply for: a matter, or one stage of a project.

    A case is opened for exactly one application; its ``items`` become the
    case's tasks and ``lead_section`` follows the whole case.
    """

    code: str
    name: str
    kind: str                  # 'matter' or 'stage'
    items: tuple
    lead_section: str
    project: Optional[str] = None
    title: str = ''            # what a page shows: 房地产项目 · 施工许可

    @property
    def kind_label(self):
        return {'matter': '一件事情', 'stage': '一个项目'}[self.kind]


def _frozen(mapping):
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Catalogue:
    """One version of the item catalogue; equal when ``digest`` is equal."""

    title: str
    effective: datetime.date
    sections: Mapping[str, Section]
    materials: Mapping[str, Material]
    fields: Mapping[str, Field]
    items: Mapping[str, Item]
    matters: Mapping[str, Matter]
    projects: Mapping[str, Project]
    notes: Optional[str] = None
    digest: str = field(init=False)

    def __post_init__(self):
        for name in ('sections', 'materials', 'fields', 'items', 'matters',
                     'projects'):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, 'digest', _digest(self._content()))
        object.__setattr__(self, '_applications', _frozen(
            (a.code, a) for a in self._build_applications()))

    def __eq__(self, other):
        if not isinstance(other, Catalogue):
            return NotImplemented
        return self.digest == other.digest

    def __hash__(self):
        return hash(self.digest)

    def __repr__(self):
        return (f'<Catalogue {self.title!r} effective {self.effective} '
                f'{len(self.items)} items {self.digest[:12]}>')

    # -- storage ------------------------------------------------------------

    def _content(self):
        return {
            'format': FORMAT,
            'title': self.title,
            'effective': self.effective.isoformat(),
            'notes': self.notes,
            'sections': [s.to_dict() for s in self.sections.values()],
            'materials': [m.to_dict() for m in self.materials.values()],
            'fields': [f.to_dict() for f in self.fields.values()],
            'items': [i.to_dict(self.fields) for i in self.items.values()],
            'matters': [m.to_dict() for m in self.matters.values()],
            'projects': [p.to_dict() for p in self.projects.values()]}

    def to_dict(self):
        """JSON-compatible data, including ``digest``, for storing a version."""
        return dict(self._content(), digest=self.digest)

    @classmethod
    def from_dict(cls, data):
        """Rebuild from ``to_dict()`` data; a stored digest must still match."""
        materials = {d['code']: Material.from_dict(d) for d in data['materials']}
        fields = {d['key']: Field.from_dict(d) for d in data['fields']}
        catalogue = cls(
            title=data['title'],
            effective=datetime.date.fromisoformat(data['effective']),
            notes=data.get('notes'),
            sections={d['code']: Section.from_dict(d) for d in data['sections']},
            materials=materials,
            fields=fields,
            items={d['code']: Item.from_dict(d, materials, fields)
                   for d in data['items']},
            matters={d['code']: Matter.from_dict(d) for d in data['matters']},
            projects={d['code']: Project.from_dict(d) for d in data['projects']})
        stored = data.get('digest')
        if stored is not None and stored != catalogue.digest:
            raise ValueError(f'catalogue data does not match its digest '
                             f'{stored[:12]}… (got {catalogue.digest[:12]}…): '
                             f'it was altered after it was stored')
        return catalogue

    # -- what one can apply for ---------------------------------------------

    def _build_applications(self):
        for matter in self.matters.values():
            yield Application(matter.code, matter.name, 'matter', matter.items,
                              matter.lead_section, title=matter.name)
        for project in self.projects.values():
            for stage in project.stages:
                yield Application(stage.code, stage.name, 'stage', stage.items,
                                  stage.lead_section, project.code,
                                  f'{project.name} · {stage.name}')

    def applications(self):
        """Every matter, then every project stage, in catalogue order."""
        return tuple(self._applications.values())

    def application(self, code):
        try:
            return self._applications[code]
        except KeyError:
            raise KeyError(f'no matter or project stage has the code {code!r}') \
                from None

    def items_of(self, code):
        """The ``Item`` objects of an application, in its order."""
        return tuple(self.items[c] for c in self.application(code).items)

    # -- the one form, the one list of materials -----------------------------

    def merged_fields(self, code):
        """The one form (一张表格): shared facts once, then per-item fields."""
        return assembly.one_form(self, self.application(code))

    def merged_materials(self, code):
        """One deduplicated list of materials for the whole application."""
        return assembly.merged_materials(self, self.application(code))

    # -- time -----------------------------------------------------------------

    def schedule(self, code, which='promised'):
        """Earliest start and finish of each item, following prerequisites."""
        return schedule.plan(self.items_of(code), which, code)

    def critical_path(self, code, which='promised'):
        """Working days for the whole application with parallel review."""
        return self.schedule(code, which).total

    def sequential_days(self, code, which='promised'):
        """Working days if the items were handled one after another."""
        return self.schedule(code, which).sequential

    def levels(self, code):
        """Item codes grouped by how many prerequisites precede them."""
        return self.schedule(code).levels

    # -- inspection and expert review -------------------------------------------

    def needs_inspection(self, code):
        return any(i.inspection.required for i in self.items_of(code))

    def inspection_points(self, code):
        """One checklist for one visit: each point once, with its items."""
        return assembly.inspection_points(self.items_of(code))

    def needs_expert_review(self, code):
        return any(i.expert_review.required for i in self.items_of(code))

    def expert_reviews(self, code):
        """``(item code, speciality)`` for each item needing expert review."""
        return tuple((i.code, i.expert_review.speciality)
                     for i in self.items_of(code) if i.expert_review.required)


def _digest(content):
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True,
                           separators=(',', ':'))
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()
