"""The bureau's roles and how they become principals in ACLs.

Roles are Substance D groups named ``role.<name>``; sections are groups
named ``section.<code>``.  A user's effective principals (see
:func:`casefile.security.groupfinder`) are spelled out as readable strings
so that every ACL can be audited by eye:

- ``role:<name>``              every user holding a global role
- ``section:<code>``           every member of a section
- ``section:<code>:<role>``    members of a section holding that role, e.g.
                               the reviewers of 市场准入科; this is what a
                               case's local roles point at, since an ACL
                               cannot say "reviewer AND in section X".
- ``org:<code>``               every member of an organisation (group
                               ``org.<code>``): a district, a zone, a city
                               department, or the bureau
- ``org:<code>:<role>``        members of an organisation holding a role

Sections of other organisations have codes ``<org>.<local>``
(``tiedong.approval``), so their principals read
``section:tiedong.approval:section_reviewer``.
"""
from ..i18n import _

#: role name -> translated title.  Applicants arrive with the portal.
ROLES = {
    'window_clerk': _('Window clerk'),
    'section_reviewer': _('Section reviewer'),
    'section_head': _('Section head'),
    'inspector': _('Inspector'),
    'expert': _('Expert'),
    'issuance_clerk': _('Issuance clerk'),
    'archivist': _('Archivist'),
    'supervisor': _('Supervisor'),
    'administrator': _('Administrator'),
}

#: roles played per object (see casefile.case.roles), with their titles
LOCAL_ROLE_TITLES = {
    'lead_section': _('Lead section'),
    'system': _('System'),
}

#: roles whose members belong to a section and act for it
SECTION_ROLES = ('section_reviewer', 'section_head')

ROLE_GROUP_PREFIX = 'role.'
SECTION_GROUP_PREFIX = 'section.'
ORG_GROUP_PREFIX = 'org.'


def role_group_name(role):
    return ROLE_GROUP_PREFIX + role


def section_group_name(section_code):
    return SECTION_GROUP_PREFIX + section_code


def org_group_name(organisation_code):
    return ORG_GROUP_PREFIX + organisation_code


def org_principal(organisation_code, role=None):
    if role is None:
        return 'org:' + organisation_code
    return 'org:%s:%s' % (organisation_code, role)


def role_principal(role):
    return 'role:' + role


def section_principal(section_code, role=None):
    if role is None:
        return 'section:' + section_code
    return 'section:%s:%s' % (section_code, role)


def principals_for_groups(group_names):
    """Readable principals implied by a user's Substance D group names."""
    roles = sorted(n[len(ROLE_GROUP_PREFIX):] for n in group_names
                   if n.startswith(ROLE_GROUP_PREFIX))
    sections = sorted(n[len(SECTION_GROUP_PREFIX):] for n in group_names
                      if n.startswith(SECTION_GROUP_PREFIX))
    principals = [role_principal(r) for r in roles]
    for code in sections:
        principals.append(section_principal(code))
        principals.extend(section_principal(code, r) for r in roles)
    for code in sorted(n[len(ORG_GROUP_PREFIX):] for n in group_names
                       if n.startswith(ORG_GROUP_PREFIX)):
        principals.append(org_principal(code))
        principals.extend(org_principal(code, r) for r in roles)
    return principals


def user_roles(user):
    return sorted(g.__name__[len(ROLE_GROUP_PREFIX):] for g in user.groups
                  if g.__name__.startswith(ROLE_GROUP_PREFIX))


def user_organisations(user):
    return sorted(g.__name__[len(ORG_GROUP_PREFIX):] for g in user.groups
                  if g.__name__.startswith(ORG_GROUP_PREFIX))


def user_sections(user):
    return sorted(g.__name__[len(SECTION_GROUP_PREFIX):] for g in user.groups
                  if g.__name__.startswith(SECTION_GROUP_PREFIX))
