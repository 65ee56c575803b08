"""Organisations (单位) as immutable values: the bureau and its partners.

The bureau does not hold every power.  Districts and counties (县(市)区)
handle items for their own area, development zones (开发区) run their own
approval offices, and city departments keep powers of their own (fire and
rescue, natural resources, housing and construction).  They join the
bureau's chains (跨层级、跨部门联动): their items sit in the bureau's
matters and project stages, and their users work them in this system.

An organisation has sections; a section's full code is ``<org>.<local>``
(``tiedong.approval``) so that it is unique next to the bureau's own
sections (``market_entry``) and names its user group (``section.<code>``).
The bureau's own sections stay in the catalogue's ``sections.yaml``.
"""
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional

from ..clock import Overrides

BUREAU = 'bureau'
#: the pseudo organisation of an item a district handles for its own area
DISTRICT = 'district'

KINDS = {
    'bureau': '行政审批局',
    'district': '县（市）区',
    'zone': '开发区',
    'department': '市直部门',
}


def section_code(organisation, local):
    """The full code of an organisation's section: ``tiedong.approval``."""
    return '%s.%s' % (organisation, local)


@dataclass(frozen=True)
class OrgSection:
    code: str           # full code, e.g. fire.review
    local: str          # as written in organisations.yaml, e.g. review
    name: str           # 防火监督处
    organisation: str   # fire
    phone: Optional[str] = None
    location: Optional[str] = None


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    kind: str
    admin_code: Optional[str] = None     # GB/T 2260, districts
    within: Optional[str] = None         # a zone's district (admin code)
    phone: Optional[str] = None
    location: Optional[str] = None
    powers: tuple = ()
    sections: tuple = ()                 # of OrgSection
    calendar: Overrides = field(default_factory=Overrides)
    line: int = 1

    @property
    def kind_label(self):
        return KINDS[self.kind]

    @property
    def is_bureau(self):
        return self.kind == 'bureau'

    def section(self, local):
        for section in self.sections:
            if section.local == local:
                return section
        return None


@dataclass(frozen=True, eq=False)
class Organisations:
    """Every organisation of the city, by code, in file order."""

    by_code: Mapping[str, Organisation]
    source: str = 'organisations.yaml'

    def __post_init__(self):
        object.__setattr__(self, 'by_code', MappingProxyType(dict(self.by_code)))

    def __iter__(self):
        return iter(self.by_code.values())

    def __contains__(self, code):
        return code in self.by_code

    def __len__(self):
        return len(self.by_code)

    def get(self, code):
        return self.by_code.get(code)

    def __getitem__(self, code):
        return self.by_code[code]

    @property
    def bureau(self):
        return next(o for o in self if o.is_bureau)

    def districts(self):
        return [o for o in self if o.kind == 'district']

    def district(self, admin_code):
        """The district organisation for a GB/T 2260 code, or ``None``."""
        for org in self.districts():
            if org.admin_code == admin_code:
                return org
        return None

    def of_section(self, code):
        """The organisation a full section code belongs to (bureau if none)."""
        head, dot, _local = (code or '').partition('.')
        if dot and head in self.by_code:
            return self.by_code[head]
        return self.bureau

    def external_sections(self):
        return [s for org in self for s in org.sections]
