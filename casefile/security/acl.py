"""Permission tables to ACLs: the one place where a rule becomes an ACE.

A permission table maps a permission to the roles that hold it (the
DCWorkflow idea, without its XML).  Roles are either global (any holder of
the role) or local to a case (the reviewers of the sections that own its
items, the lead section, ...); the case says which principals play each
local role.  The ACL ends with ``DENY_ALL`` so that nothing inherited from
the root (e.g. the SDI administrators' ``ALL_PERMISSIONS``) reaches into a
case: what the table does not grant, nobody has.
"""
from pyramid.security import DENY_ALL, Allow

from .roles import role_principal


def build_acl(permission_map, role_principals):
    """``permission_map``: {permission: [role, ...]};
    ``role_principals``: {role: [principal, ...]} for local roles.

    A role not in ``role_principals`` is global: ``role:<name>``.
    """
    acl = []
    for permission in sorted(permission_map):
        for role in permission_map[permission]:
            principals = role_principals.get(role)
            if principals is None:
                principals = [role_principal(role)]
            for principal in principals:
                ace = (Allow, principal, permission)
                if ace not in acl:
                    acl.append(ace)
    acl.append(DENY_ALL)
    return acl
