"""Item tasks (事项任务): one per item of an accepted case, owned by its section.

Acceptance routes the case (按责分转): each item becomes a task in the
case's ``tasks`` container, named by item code.  A task with a
prerequisite in the same case waits until that one is decided; all others
start at once (并联审批).  The task keeps its review opinions and, once
decided, its decision; its state is the ``task`` workflow's.

Opinions and the decisions received from prerequisites are tuples in the
task's own record, replaced when one is added: a task gets a few of each
at most, and a persistent list apiece would be two more database records
for every task of every case, written at acceptance while still empty.
(Older tasks hold ``PersistentList``s; both read alike.)
"""
import datetime

from persistent import Persistent
from substanced.content import content
from zope.interface import implementer

from ..workflow.state import WorkflowState
from .interfaces import ICaseRecord

@implementer(ICaseRecord)
@content('Item Task', icon='glyphicon glyphicon-tasks', catalog=True)
class ItemTask(Persistent):
    __name__ = None
    __parent__ = None
    opinions = ()       # review opinions, oldest first
    received = ()       # names of the prerequisites' decisions

    def __init__(self, item_code, item_name, section, prerequisites=(),
                 promised_days=None, statutory_days=None):
        self.item_code = item_code
        self.item_name = item_name
        self.section = section
        self.prerequisites = tuple(prerequisites)
        self.promised_days = promised_days
        self.statutory_days = statutory_days
        self.decision = None               # name in the case's decisions
        self.created = datetime.datetime.now(datetime.timezone.utc)

    #: the organisation whose section works it (casefile.organisation)
    organisation = 'bureau'

    state = WorkflowState('task')

    @property
    def case(self):
        return self.__parent__.__parent__

    @property
    def decided(self):
        return self.state in ('granted', 'denied')

    @property
    def closed(self):
        return self.state in ('granted', 'denied', 'cancelled')

    def add_opinion(self, author, text, proposal):
        entry = {'author': author, 'text': text, 'proposal': proposal,
                 'when': datetime.datetime.now(
                     datetime.timezone.utc).isoformat(timespec='seconds')}
        self.opinions = tuple(self.opinions) + (entry,)
        return entry

    def receive(self, decision_name):
        """Record the decision of a granted prerequisite (内部流转)."""
        self.received = tuple(self.received) + (decision_name,)
