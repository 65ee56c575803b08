"""Projects (一个项目): a construction project approved stage by stage.

A project record lives in the root's ``projects`` container and holds its
four stages in order, each with the ``stage`` workflow: locked → open →
in progress → done.  A case for a stage may be started only while that
stage is open; accepting it puts the stage in progress; completing it
finishes the stage and opens the next one.
"""
import datetime

from persistent import Persistent
from persistent.mapping import PersistentMapping
from pyramid.events import subscriber
from pyramid.threadlocal import get_current_registry
from substanced.content import content
from substanced.folder import Folder

from ..workflow.engine import Transitioned, get_engine, local_roles
from ..workflow.state import WorkflowState
from ..security.roles import SECTION_ROLES, section_principal
from .numbering import next_value


@content('Projects', icon='glyphicon glyphicon-road')
class Projects(Folder):
    """All projects, keyed by project number (PJ-2026-000001)."""


@content('Project', icon='glyphicon glyphicon-road')
class Project(Folder):
    def __init__(self, number, code, name, kind, applicant, title):
        super().__init__()
        self.number = number
        self.code = code              # the catalogue's project code
        self.kind = kind              # industrial | real_estate
        self.name = name              # the project's own name
        self.title = title            # e.g. 工业项目
        self.applicant = PersistentMapping(applicant)
        self.created = datetime.datetime.now(datetime.timezone.utc)

    def stages(self):
        return sorted(self.values(), key=lambda s: s.order)


@content('Project Stage', icon='glyphicon glyphicon-flag', catalog=True)
class ProjectStage(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, code, name, order, lead_section, sections):
        self.code = code
        self.name = name
        self.order = order
        self.lead_section = lead_section
        self.sections = tuple(sections)
        self.case_number = None

    state = WorkflowState('stage')

    def previous(self):
        stages = self.__parent__.stages()
        index = stages.index(self)
        return stages[index - 1] if index else None

    def next(self):
        stages = self.__parent__.stages()
        index = stages.index(self)
        return stages[index + 1] if index + 1 < len(stages) else None


@local_roles('Project Stage')
def stage_roles(stage):
    return {
        'section_reviewer': [section_principal(c, 'section_reviewer')
                             for c in stage.sections],
        'section_head': [section_principal(c, 'section_head')
                         for c in stage.sections],
        'lead_section': [section_principal(stage.lead_section, r)
                         for r in SECTION_ROLES],
    }


def create_project(root, catalogue, project_code, name, applicant,
                   registry=None):
    """A new project record with its stages; the first stage open."""
    registry = registry or get_current_registry()
    engine = get_engine(registry)
    definition = catalogue.projects[project_code]
    year = datetime.date.today().year
    value = next_value(root._p_jar.db(), 'project:%d' % year)
    number = 'PJ-%d-%06d' % (year, value)
    project = registry.content.create(
        'Project', number, project_code, name, definition.kind,
        applicant, definition.name)
    root['projects'].add(number, project, registry=registry)
    for order, stage in enumerate(definition.stages):
        sections = []
        for code in stage.items:
            section = catalogue.items[code].section
            if section not in sections:
                sections.append(section)
        record = registry.content.create(
            'Project Stage', stage.code, stage.name, order,
            stage.lead_section, sections)
        project.add(stage.code, record, registry=registry)
        engine.initialize(record, registry)
    first = project.stages()[0]
    engine.fire(first, 'open', system=True)
    return project


def stage_of(root, case):
    project_number = getattr(case, 'project_number', None)
    if not project_number:
        return None
    project = root['projects'].get(project_number)
    if project is None:
        return None
    return project.get(case.application_code)


@subscriber(Transitioned)
def follow_stage_case(event):
    """A stage follows its case: accepted → in progress, completed → done."""
    if event.definition.name != 'case':
        return
    case = event.object
    from pyramid.traversal import find_root
    stage = stage_of(find_root(case), case)
    if stage is None:
        return
    registry = (event.request.registry if event.request is not None
                else get_current_registry())
    engine = get_engine(registry)
    name = event.transition.name
    if name in ('accept', 'accept_with_gaps') and stage.state == 'open':
        stage.case_number = case.case_number
        engine.fire(stage, 'begin', system=True, journal=case.journal)
    elif name == 'issue' and stage.state == 'in_progress':
        engine.fire(stage, 'finish', system=True, journal=case.journal)
        following = stage.next()
        if following is not None and following.state == 'locked':
            engine.fire(following, 'open', system=True, journal=case.journal)
