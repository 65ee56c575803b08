"""The case folder: one application, everything about it, in one place.

A :class:`Case` is a Substance D folder (a BTree: no ordering list that
every addition rewrites) whose children are the sub-containers of the
"one archive per case" record, each created by its first record
(:meth:`Case.container`).  The journal is an attribute, not a child, so
that no folder operation can remove it.

The ``cases`` container holds millions of cases keyed by case number;
it is a plain BTree folder too, never ordered.
"""
import datetime
from types import MappingProxyType

from persistent.mapping import PersistentMapping
from pyramid.threadlocal import get_current_registry
from substanced.content import content
from substanced.folder import Folder
from zope.interface import implementer

from ..i18n import _
from ..workflow.state import WorkflowState
from .interfaces import ICaseRecord
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


@implementer(ICaseRecord)
@content('Case Container', icon='glyphicon glyphicon-folder-open')
class CaseContainer(Folder):
    """A sub-container of a case (materials, decisions, ...)."""


#: the names of the sub-containers, created on first use
SUBCONTAINER_NAMES = frozenset(name for name, _title in SUBCONTAINERS)


class EmptyContainer:
    """Stands in for a sub-container a case does not have yet.

    A new case used to receive all eight sub-containers at intake: nine
    objectmap paths, nine catalog entries, and, because case numbers are
    consecutive, nine keys appended to the same last bucket of the
    objectmap's path BTree that every simultaneous intake appends to.  A
    bucket split there cannot be resolved, so simultaneous intakes
    conflicted nearly every time.  Now a sub-container is created when its
    first record is added; until then this read-only, empty stand-in
    answers reads, and its :meth:`add` creates the real container first.
    """

    def __init__(self, case, name):
        self.__parent__ = case
        self.__name__ = name

    def __len__(self):
        return 0

    def __bool__(self):
        # an empty folder is falsy too; callers test ``if container:``
        return False

    def __iter__(self):
        return iter(())

    def __contains__(self, name):
        return False

    def __getitem__(self, name):
        raise KeyError(name)

    def get(self, name, default=None):
        return default

    def keys(self):
        return []

    def values(self):
        return []

    def items(self):
        return []

    def add(self, name, other, **kw):
        container = self.__parent__.container(
            self.__name__, registry=kw.get('registry'))
        return container.add(name, other, **kw)


#: sub-containers whose objects follow the case's permission table
FOLLOWING = ('materials', 'documents', 'decisions', 'certificates',
             'annotations')


@implementer(ICaseRecord)
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
    #: roles given on this one case by name (role -> principals), beyond
    #: those its sections and assignments give; none yet, so no record
    local_roles = MappingProxyType({})

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
            self.item_sections = dict(application['item_sections'])
        # small and read with the case (its title is in every listing):
        # kept in the case's own record, replaced whole if ever amended
        self.applicant = dict(applicant)
        # the whole form: a record of its own, loaded only where it is read
        self.form_data = PersistentMapping(form_data or {})
        self.catalogue_version = catalogue_version
        self.creator = creator
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.modified = self.created
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

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except KeyError:
            if name in SUBCONTAINER_NAMES:
                return EmptyContainer(self, name)
            raise

    def container(self, name, registry=None):
        """The sub-container ``name``, created if the case has none yet."""
        existing = self.get(name)
        if existing is not None:
            return existing
        registry = registry or get_current_registry()
        self.add(name, registry.content.create('Case Container'),
                 registry=registry)
        return self.get(name)

    def touch(self):
        self.modified = datetime.datetime.now(datetime.timezone.utc)
