"""Inspection jobs, expert pool and expert reviews: the inspection section's records.

One :class:`InspectionJob` per case covers every item that needs a site
inspection, with the items' inspection points merged into one checklist
(no point asked twice; each point keeps the items it serves).  Its reports
(first inspection, re-inspections after rectification) all stay on it.

The :class:`ExpertPool` holds the experts; an :class:`ExpertReview` records
the draw (seed, candidates, exclusions) so anyone can re-run it, the panel,
each expert's opinion and the consolidated one.
"""
import datetime

from persistent import Persistent
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from substanced.content import content
from substanced.folder import Folder
from zope.interface import implementer

from ..case.interfaces import ICaseRecord
from ..workflow.state import WorkflowState


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


@implementer(ICaseRecord)
@content('Inspection Job', icon='glyphicon glyphicon-map-marker',
         catalog=True)
class InspectionJob(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, points):
        # points: [{'text': ..., 'items': (codes)}]
        self.points = tuple(dict(p) for p in points)
        self.items = tuple(sorted({c for p in points for c in p['items']}))
        self.schedules = PersistentList()
        self.reports = PersistentList()
        self.created = _now()
        self.stop_id = None

    state = WorkflowState('inspection')

    @property
    def case(self):
        return self.__parent__.__parent__

    @property
    def round(self):
        """1 for the first inspection, 2 for the first re-inspection..."""
        return len(self.schedules)

    def latest_report(self):
        for report in reversed(self.reports):
            if report['round'] == self.round:
                return report
        return None


@content('Expert Pool', icon='glyphicon glyphicon-user')
class ExpertPool(Folder):
    """Experts keyed by a short id (E001...)."""


@content('Expert', icon='glyphicon glyphicon-user')
class Expert(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, name, speciality, organisation, phone='',
                 login=None, org_credit_code='', conflicts=(), active=True):
        self.name = name
        self.speciality = speciality
        self.organisation = organisation
        self.org_credit_code = org_credit_code
        self.phone = phone
        self.login = login
        self.conflicts = tuple(conflicts)   # credit codes or names
        self.active = active
        self.drawn_on = PersistentList()    # ISO dates


@implementer(ICaseRecord)
@content('Expert Review', icon='glyphicon glyphicon-education',
         catalog=True)
class ExpertReview(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, items, speciality, size):
        self.items = tuple(items)
        self.speciality = speciality
        self.size = size
        self.draw = None            # the recorded draw (see experts.draw)
        self.panel = ()             # expert ids
        self.panel_logins = ()
        self.opinions = PersistentMapping()  # login -> opinion
        self.consolidated = None
        self.created = _now()
        self.stop_id = None

    state = WorkflowState('expert_review')

    @property
    def case(self):
        return self.__parent__.__parent__
