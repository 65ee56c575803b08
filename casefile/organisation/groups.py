"""Substance D groups for organisations: ``org.<code>`` (principal
``org:<code>``).  Section groups of other organisations come with the
catalogue (their sections are catalogue sections, see
``casefile.catalogue.loading``)."""
from substanced.util import find_service

from ..security.roles import org_group_name
from . import get_organisations


def ensure_organisation_groups(root, registry):
    organisations = get_organisations()
    if organisations is None:
        return []
    principals = find_service(root, 'principals')
    created = []
    for org in organisations:
        name = org_group_name(org.code)
        if name not in principals['groups']:
            group = principals.add_group(name, registry=registry)
            group.description = org.name
            created.append('groups/' + name)
    return created
