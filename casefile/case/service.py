"""Creating cases and adding materials: the operations views and the API share.

Each operation checks everything first and only then changes the case, so
a rejected request leaves nothing half-done; each change is journaled.
"""
from pyramid.threadlocal import get_current_registry
from substanced.util import find_service, set_acl

from ..events import notify_modified
from ..workflow.engine import get_engine
from .numbering import next_case_number


class IntakeError(ValueError):
    """An intake that cannot be created: ``code`` and a message."""

    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def zodb_database(obj):
    """The database of a persistent object (for drawing numbers)."""
    return obj._p_jar.db()


def create_case(root, application, applicant, form_data=None,
                catalogue_version=None, actor=None, registry=None,
                case_number=None, project_number=None):
    """Create, seat, secure and journal a new case; return it.

    ``application`` is a mapping with ``code``, ``kind``, ``name``,
    ``items``, ``sections`` and ``lead_section``.  The case enters the
    case workflow's initial state, whose table becomes its ACL.
    """
    registry = registry or get_current_registry()
    cases = find_service(root, 'cases') or root['cases']
    if case_number is None:
        case_number = next_case_number(zodb_database(root))
    case = registry.content.create(
        'Case', case_number, application, applicant, form_data=form_data,
        catalogue_version=catalogue_version, creator=actor)
    case.project_number = project_number
    # every case, at the window or online, has its query code (查询码) from
    # the start: the acceptance notice prints it, progress queries need it
    case.query_code = new_query_code()
    case.applicant_account = None   # the portal sets its account id
    # the sub-containers are created on first use (Case.container)
    cases.add(case_number, case, registry=registry)
    get_engine(registry).initialize(case, registry)
    case.journal.record('case.created', actor, target=case_number,
                        data={'application': application['code'],
                              'catalogue_version': catalogue_version,
                              'project': project_number})
    return case


def new_query_code():
    """Eight random characters without look-alikes (0/O, 1/I/L)."""
    import secrets
    from .lifecycle import QUERY_CODE_ALPHABET
    return ''.join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8))


def material_sections(case, items):
    """The sections whose items need a material: who may open it."""
    from ..catalogue.store import catalogue_for
    catalogue = catalogue_for(case)
    routed = case.item_sections or {}
    sections = []
    for code in items:
        item = catalogue.items.get(code)
        if item is None:
            continue
        section = routed.get(code, item.section)
        if section not in sections:
            sections.append(section)
    return sections


#: the limits of an upload the catalogue names no material for
DEFAULT_UPLOAD_TYPES = ('pdf', 'jpg', 'jpeg', 'png')
DEFAULT_UPLOAD_MB = 20


def material_limits(catalogue, code):
    """``(material, allowed types, max size in MB)`` for material ``code``.

    ``material`` is ``None`` when ``code`` is empty or unknown; the limits
    are then the defaults.  ``jpeg`` is allowed wherever ``jpg`` is.
    """
    material = catalogue.materials.get(code) if code else None
    if material is None:
        return None, DEFAULT_UPLOAD_TYPES, DEFAULT_UPLOAD_MB
    types = tuple(material.allowed_types)
    if 'jpg' in types and 'jpeg' not in types:
        types += ('jpeg',)
    return material, types, material.max_size_mb


def material_items(catalogue, application_code, material_code):
    """The items of the application that need ``material_code`` (a tuple)."""
    for entry in catalogue.merged_materials(application_code):
        if entry.material.code == material_code:
            return tuple(entry.items)
    return ()


def add_material(case, upload, title, material_code='', items=(),
                 actor=None, registry=None):
    """Add a checked upload (see ``store_upload``) as a new material."""
    registry = registry or get_current_registry()
    materials = case['materials']
    material = registry.content.create('Material', title, material_code,
                                       items)
    material.sections = material_sections(case, items) if items else None
    version = material.add_version(upload, actor)
    name = _next_name(materials)
    materials.add(name, material, registry=registry)
    engine = get_engine(registry)
    set_acl(material, engine.acl_for(material, engine.definition_for(case),
                                     case.state), registry=registry)
    case.touch()
    case.journal.record('material.added', actor, target=name, data={
        'title': title, 'filename': version.filename, 'size': version.size,
        'sha256': version.sha256, 'version': version.number})
    notify_modified(case, registry)
    return material


def replace_material(case, material, upload, reason, actor=None,
                     registry=None):
    registry = registry or get_current_registry()
    version = material.add_version(upload, actor, reason)
    case.touch()
    case.journal.record('material.replaced', actor,
                        target=material.__name__, comment=reason, data={
                            'title': material.title,
                            'filename': version.filename,
                            'sha256': version.sha256,
                            'version': version.number})
    notify_modified(case, registry)
    return version


def _next_name(folder):
    """Materials are named m001, m002, ... in order of arrival."""
    n = len(folder) + 1
    while 'm%03d' % n in folder:
        n += 1
    return 'm%03d' % n
