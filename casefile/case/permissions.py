"""Who may do what with a case, until the case workflow says it per state.

The case workflow (``workflows/case.yaml``) will supply one table per
state; before a case enters a workflow it uses :data:`DRAFT_PERMISSIONS`.
Either way the table is turned into the case's ACL by
:func:`apply_case_acl`, never by a view.
"""
from substanced.util import set_acl

from ..security.acl import build_acl
from ..security.roles import SECTION_ROLES, section_principal

CASE_VIEW = 'case.view'
CASE_EDIT = 'case.edit'
CASE_ADD_MATERIAL = 'case.add-material'
CASE_DOWNLOAD = 'case.download'

DRAFT_PERMISSIONS = {
    CASE_VIEW: ['window_clerk', 'section_reviewer', 'section_head',
                'supervisor', 'administrator'],
    CASE_DOWNLOAD: ['window_clerk', 'section_reviewer', 'section_head',
                    'supervisor', 'administrator'],
    CASE_EDIT: ['window_clerk'],
    CASE_ADD_MATERIAL: ['window_clerk'],
}


def case_role_principals(case):
    """Local roles of a case: section roles point at the case's sections."""
    roles = {}
    for role in SECTION_ROLES:
        roles[role] = [section_principal(code, role)
                       for code in case.sections]
    if case.lead_section:
        roles['lead_section'] = [
            section_principal(case.lead_section, role)
            for role in SECTION_ROLES]
    for role, principals in case.local_roles.items():
        roles[role] = list(principals)
    return roles


def apply_case_acl(case, permission_map=None, registry=None):
    acl = build_acl(permission_map or DRAFT_PERMISSIONS,
                    case_role_principals(case))
    set_acl(case, acl, registry=registry)
    return acl
