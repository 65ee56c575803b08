"""Routing across organisations (按责分转): which section gets each item.

An item of the bureau goes to its own section, an item of a city
department to that department's section (its full code is already in the
catalogue), and an item a district handles for its own area to the
section of the district named by the applicant's address: the one form's
``address`` field that the item asks (``{'district': '210302', ...}``).

The result is decided once, at intake, and kept on the case
(``case.item_sections``, ``case.organisations``, ``case.district``): the
sections of a case decide who may see it from its first state on, and a
later change of the organisations file must not move a case in flight.
"""
from ..catalogue.forms import group_name
from ..catalogue.vocabulary import DISTRICTS
from ..i18n import _
from . import get_organisations
from .model import BUREAU, DISTRICT, section_code


class RoutingError(ValueError):
    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def section_organisation(catalogue, code):
    """The organisation code a (full) section code belongs to."""
    section = catalogue.sections.get(code)
    owner = getattr(section, 'organisation', None)
    if owner:
        return owner
    head, dot, _rest = (code or '').partition('.')
    organisations = get_organisations()
    if dot and organisations is not None and head in organisations:
        return head
    return BUREAU


def _address_district(item, form_data):
    """The district code of the first address field ``item`` asks."""
    shared = form_data.get('shared') or {}
    own = form_data.get(group_name(item.code)) or {}
    for field in item.fields:
        if field.type != 'address':
            continue
        value = shared.get(field.key, own.get(field.key))
        if isinstance(value, dict) and value.get('district'):
            return value['district'], field
        return None, field
    return None, None


def form_district(catalogue, code, form_data):
    """The applicant's district: the first address on the form, if any."""
    for item in catalogue.items_of(code):
        district, _field = _address_district(item, form_data or {})
        if district:
            return district
    return None


def resolve(catalogue, code, form_data=None, organisations=None):
    """``{'item_sections', 'sections', 'organisations', 'district'}``.

    Raises :class:`RoutingError` when an item a district handles cannot
    be routed (no district in the address, or no such district).
    """
    form_data = form_data or {}
    organisations = organisations or get_organisations()
    item_sections, district = {}, None
    for item in catalogue.items_of(code):
        if item.organisation != DISTRICT:
            item_sections[item.code] = item.section
            continue
        chosen, field = _address_district(item, form_data)
        label = field.label if field is not None else _('Address')
        if not chosen:
            raise RoutingError('district-required', _(
                '"${item}" is handled by the district of the address '
                '"${field}": choose the district.',
                mapping={'item': item.name, 'field': label}))
        org = organisations.district(chosen) if organisations else None
        local = item.section.split('.', 1)[1]
        if org is None or org.section(local) is None:
            raise RoutingError('district-unknown', _(
                'No district organisation handles "${item}" for ${district}.',
                mapping={'item': item.name,
                         'district': DISTRICTS.get(chosen, chosen)}))
        item_sections[item.code] = section_code(org.code, local)
        district = district or chosen
    sections, owners = [], [BUREAU]
    for item_code in catalogue.application(code).items:
        section = item_sections[item_code]
        if section not in sections:
            sections.append(section)
        owner = section_organisation(catalogue, section)
        if owner not in owners:
            owners.append(owner)
    return {'item_sections': item_sections, 'sections': tuple(sections),
            'organisations': tuple(owners),
            'district': district or form_district(catalogue, code,
                                                  form_data)}
