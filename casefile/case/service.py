"""Creating cases and adding materials: the operations views and the API share.

Each operation checks everything first and only then changes the case, so
a rejected request leaves nothing half-done; each change is journaled.
"""
from pyramid.threadlocal import get_current_registry
from substanced.event import ObjectModified
from substanced.util import find_service

from .material import store_upload, UploadError  # noqa: F401 (re-export)
from .model import SUBCONTAINERS
from .numbering import next_case_number
from .permissions import apply_case_acl


def zodb_database(root):
    """The database of a persistent object (for drawing case numbers)."""
    return root._p_jar.db()


def create_case(root, application, applicant, form_data=None,
                catalogue_version=None, actor=None, registry=None,
                case_number=None):
    """Create, seat, secure and journal a new case; return it.

    ``application`` is a mapping with ``code``, ``kind``, ``name``,
    ``items``, ``sections`` and ``lead_section``.
    """
    registry = registry or get_current_registry()
    cases = find_service(root, 'cases') or root['cases']
    if case_number is None:
        case_number = next_case_number(zodb_database(root))
    case = registry.content.create(
        'Case', case_number, application, applicant, form_data=form_data,
        catalogue_version=catalogue_version, creator=actor)
    cases.add(case_number, case, registry=registry)
    for name, _title in SUBCONTAINERS:
        case.add(name, registry.content.create('Case Container'),
                 registry=registry)
    apply_case_acl(case, registry=registry)
    case.journal.record('case.created', actor, target=case_number,
                        data={'application': application['code'],
                              'catalogue_version': catalogue_version})
    return case


def add_material(case, upload, title, material_code='', items=(),
                 actor=None, registry=None):
    """Add a checked upload (see :func:`store_upload`) as a new material."""
    registry = registry or get_current_registry()
    materials = case['materials']
    material = registry.content.create('Material', title, material_code,
                                       items)
    version = material.add_version(upload, actor)
    name = _next_name(materials)
    materials.add(name, material, registry=registry)
    case.touch()
    case.journal.record('material.added', actor, target=name, data={
        'title': title, 'filename': version.filename, 'size': version.size,
        'sha256': version.sha256, 'version': version.number})
    registry.notify(ObjectModified(case))
    return material


def replace_material(case, material, upload, reason, actor=None,
                     registry=None):
    registry = registry or get_current_registry()
    version = material.add_version(upload, actor, reason)
    case.touch()
    case.journal.record('material.replaced', actor,
                        target=material.__name__, comment=reason, data={
                            'filename': version.filename,
                            'sha256': version.sha256,
                            'version': version.number})
    registry.notify(ObjectModified(case))
    return version


def _next_name(folder):
    """Materials are named m001, m002, ... in order of arrival."""
    n = len(folder) + 1
    while 'm%03d' % n in folder:
        n += 1
    return 'm%03d' % n
