"""Local roles: who plays ``section_reviewer``, ``lead_section``... where.

The same permission table means different people on different objects:
on a case the reviewers of every section owning one of its items; on a
material only those of the sections whose items need it; on an item task
only those of the task's own section.  That is how "a reviewer sees only
the tasks of their section and the documents those tasks need" follows
from one table per workflow.
"""
from ..security.roles import SECTION_ROLES, section_principal
from ..workflow.engine import local_roles


def _section_roles(sections):
    return {role: [section_principal(code, role) for code in sections]
            for role in SECTION_ROLES}


def _lead(case):
    if not case.lead_section:
        return []
    return [section_principal(case.lead_section, role)
            for role in SECTION_ROLES]


def _inspection_roles(case):
    """The inspection section works on cases that have an inspection job or
    an expert review; the drawn experts only while their review is open."""
    from ..catalogue.store import catalogue_for
    from ..inspection.service import reviews_of
    catalogue = catalogue_for(case)
    code = case.application_code
    reviews = reviews_of(case)
    from ..organisation.joint import inspection_invited
    inspector = ['role:inspector'] if (
        catalogue.needs_inspection(code)
        or catalogue.needs_expert_review(code)
        or inspection_invited(case)) else []
    experts = [p for r in reviews if r.state == 'open'
               for p in getattr(r, 'panel_principals', ())]
    return {'inspector': inspector, 'expert': experts}


@local_roles('Case')
def case_roles(case):
    roles = _section_roles(case.sections)
    roles['lead_section'] = _lead(case)
    roles.update(_inspection_roles(case))
    for role, principals in case.local_roles.items():
        roles[role] = list(principals)
    return roles


def _case_of(obj):
    # material/document -> container -> case
    return obj.__parent__.__parent__


def _follower_roles(case, sections):
    """Roles on an object that follows the case's table: the sections that
    need it (``None``, tied to no item: every section of the case), the
    lead section, and the inspection section and experts of the case."""
    if sections is None:
        sections = case.sections
    roles = _section_roles(sections)
    roles['lead_section'] = _lead(case)
    roles.update(_inspection_roles(case))
    return roles


@local_roles('Case Document')
@local_roles('Material')
def material_roles(material):
    return _follower_roles(_case_of(material),
                           getattr(material, 'sections', None))


@local_roles('Annotation')
def annotation_roles(annotation):
    """Those who may open the annotated material (or document)."""
    case = _case_of(annotation)
    container = case.get(getattr(annotation, 'container', 'materials'))
    target = container.get(annotation.material) if container is not None \
        else None
    return _follower_roles(case, getattr(target, 'sections', None))


@local_roles('Inspection Job')
@local_roles('Expert Review')
def inspection_roles(obj):
    """Sections of the inspected or reviewed items; experts on the panel."""
    case = obj.case
    sections = []
    for task in case.tasks():
        if task.item_code in obj.items and task.section not in sections:
            sections.append(task.section)
    roles = _section_roles(sections)
    roles['lead_section'] = _lead(case)
    roles['expert'] = list(getattr(obj, 'panel_principals', ()))
    return roles


@local_roles('Item Task')
def task_roles(task):
    roles = _section_roles([task.section])
    roles['lead_section'] = _lead(task.case)
    return roles
