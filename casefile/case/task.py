"""Item tasks (事项任务): one per item of an accepted case, owned by its section.

Acceptance routes the case (按责分转): each item becomes a task in the
case's ``tasks`` container, named by item code.  A task with a
prerequisite in the same case waits until that one is decided; all others
start at once (并联审批).  The task keeps its review opinions and, once
decided, its decision; its state is the ``task`` workflow's.
"""
import datetime

from persistent import Persistent
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from substanced.content import content
from zope.interface import implementer

from ..workflow.state import WorkflowState
from .interfaces import ICaseRecord

@implementer(ICaseRecord)
@content('Item Task', icon='glyphicon glyphicon-tasks', catalog=True)
class ItemTask(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, item_code, item_name, section, prerequisites=(),
                 promised_days=None, statutory_days=None):
        self.item_code = item_code
        self.item_name = item_name
        self.section = section
        self.prerequisites = tuple(prerequisites)
        self.promised_days = promised_days
        self.statutory_days = statutory_days
        self.opinions = PersistentList()
        self.received = PersistentList()   # results of prerequisites
        self.decision = None               # name in the case's decisions
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.data = PersistentMapping()

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
        self.opinions.append(entry)
        return entry
