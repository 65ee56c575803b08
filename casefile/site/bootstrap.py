"""What a new database gets on first start: containers, catalogs, roles.

Substance D creates the root (with ``principals`` and the ``system``
catalog) on the first request; on its ``RootAdded`` event we add the
bureau's containers, the ``casefile`` catalog and one group per role, and
open the root to the roles that need it.  ``ensure_site`` is idempotent and
also runs at start-up, so an existing database gains what a newer version
adds (the evolve step of a small system).
"""
from pyramid.security import Allow, Authenticated
from pyramid.threadlocal import get_current_registry
from substanced.event import subscribe_root_added
from substanced.util import find_service, get_oid, set_acl

from ..security.roles import ROLES, role_group_name, role_principal
from .auditlog import ensure_auditlog
from .extents import ensure_extents

#: root-level permissions per role; case permissions come from the tables
ROOT_PERMISSIONS = {
    'staff.view': list(ROLES),
    'case.create': ['window_clerk'],
    'case.search': ['window_clerk', 'section_reviewer', 'section_head',
                    'supervisor', 'archivist', 'administrator'],
    'catalogue.manage': ['administrator'],
    'workflow.view': ['administrator', 'supervisor'],
    'users.manage': ['administrator'],
    'supervision.view': ['supervisor', 'administrator'],
    'archive.manage': ['archivist'],
    'archive.disposal': ['archivist', 'supervisor'],
    'archive.approve-disposal': ['supervisor'],
}


def root_acl(root):
    principals = find_service(root, 'principals')
    acl = []
    admins = principals['groups'].get('admins')
    if admins is not None:
        from pyramid.security import ALL_PERMISSIONS
        acl.append((Allow, get_oid(admins), ALL_PERMISSIONS))
    for permission, roles in sorted(ROOT_PERMISSIONS.items()):
        for role in roles:
            acl.append((Allow, role_principal(role), permission))
    acl.append((Allow, Authenticated, 'authenticated'))
    return acl


#: the root's containers: name -> Substance D content type
CONTAINERS = (
    ('cases', 'Cases'),
    ('catalogue', 'Catalogue Versions'),
    ('projects', 'Projects'),
    ('experts', 'Expert Pool'),
    ('portal', 'Applicant Portal'),   # applicants, apart from staff
    ('archives', 'Archive Office'),
)


def ensure_site(root, registry):
    """Create whatever is missing; return the names of what was created."""
    created = []
    for name, content_type in CONTAINERS:
        if name not in root:
            container = registry.content.create(content_type)
            container.__sdi_deletable__ = False
            root.add(name, container, registry=registry)
            created.append(name)
    catalogs = find_service(root, 'catalogs')
    if 'casefile' not in catalogs:
        catalogs.add_catalog('casefile', update_indexes=True)
        created.append('catalogs/casefile')
    principals = find_service(root, 'principals')
    for role in ROLES:
        name = role_group_name(role)
        if name not in principals['groups']:
            principals.add_group(name, registry=registry)
            created.append('groups/' + name)
    from ..archive.catalog import ensure_archive_catalog
    if ensure_archive_catalog(root):
        created.append('catalogs/archive')
    from ..organisation.groups import ensure_organisation_groups
    created += ensure_organisation_groups(root, registry)
    from ..documents.verify import ensure_document_index
    ensure_document_index(root)
    ensure_extents(root, registry)
    ensure_auditlog(root)
    acl = root_acl(root)
    if getattr(root, '__acl__', None) != acl:
        set_acl(root, acl, registry=registry)
    return created


@subscribe_root_added()
def root_added(event):
    ensure_site(event.object, get_current_registry())
