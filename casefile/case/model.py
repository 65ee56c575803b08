"""The case folder: one application, everything about it, in one place.

A :class:`Case` is a Substance D folder (a BTree: no ordering list that
every addition rewrites) whose children are the sub-containers of the
"one archive per case" record.  The journal is an attribute, not a child,
so that no folder operation can remove it.

The ``cases`` container holds millions of cases keyed by case number;
it is a plain BTree folder too, never ordered.
"""
import datetime

from persistent.mapping import PersistentMapping
from substanced.content import content
from substanced.folder import Folder

from ..i18n import _
from ..workflow.state import WorkflowState
from .journal import Journal

#: child containers of every case, in the order of the archive file index
SUBCONTAINERS = (
    ('materials', _('Materials')),
    ('tasks', _('Item tasks')),
    ('inspections', _('Inspection reports')),
    ('expert_opinions', _('Expert opinions')),
    ('decisions', _('Decisions')),
    ('certificates', _('Certificates')),
    ('annotations', _('Annotations')),
    ('documents', _('Documents')),
)


@content('Cases', icon='glyphicon glyphicon-briefcase')
class Cases(Folder):
    """The container of all cases, keyed by case number."""


@content('Case Container', icon='glyphicon glyphicon-folder-open')
class CaseContainer(Folder):
    """A sub-container of a case (materials, decisions, ...)."""


#: sub-containers whose objects follow the case's permission table
FOLLOWING = ('materials', 'documents', 'decisions', 'certificates',
             'annotations')


@content('Case', icon='glyphicon glyphicon-briefcase', catalog=True)
class Case(Folder):
    """One application (办件): the persistent case folder."""

    catalogue_version = None
    accepted_at = None
    outcome = None
    clock_stops = ()
    project_number = None
    #: organisations involved (casefile.organisation); older cases: the bureau
    organisations = ('bureau',)
    district = None            # GB/T 2260 code of the applicant's district
    item_sections = None       # item code -> section routed to, if not its own

    def __init__(self, case_number, application, applicant, form_data=None,
                 catalogue_version=None, creator=None):
        super().__init__()
        self.case_number = case_number
        self.application_code = application['code']
        self.application_kind = application['kind']
        self.application_name = application['name']
        self.item_codes = tuple(application.get('items', ()))
        self.sections = tuple(application.get('sections', ()))
        self.lead_section = application.get('lead_section')
        self.organisations = tuple(application.get('organisations')
                                   or ('bureau',))
        self.district = application.get('district')
        if application.get('item_sections'):
            self.item_sections = PersistentMapping(
                application['item_sections'])
        self.applicant = PersistentMapping(applicant)
        self.form_data = PersistentMapping(form_data or {})
        self.catalogue_version = catalogue_version
        self.creator = creator
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.modified = self.created
        self.local_roles = PersistentMapping()
        self.journal = Journal()

    @property
    def title(self):
        return '%s · %s' % (self.application_name,
                            self.applicant.get('name', ''))

    state = WorkflowState('case')

    def followers(self):
        """Objects without a workflow of their own that follow the case's
        state: materials and generated documents."""
        for name in FOLLOWING:
            container = self.get(name)
            if container is not None:
                yield from container.values()

    def tasks(self):
        return list(self['tasks'].values()) if 'tasks' in self else []

    def touch(self):
        self.modified = datetime.datetime.now(datetime.timezone.utc)
