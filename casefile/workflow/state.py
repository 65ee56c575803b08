"""``state = WorkflowState('case')``: an object's state in one workflow.

Substance D keeps workflow states in a mapping on the object
(``__workflow_state__``, keyed by workflow); every workflowed content type
reads its own state through this one descriptor.
"""
from substanced.workflow import STATE_ATTR


class WorkflowState:
    def __init__(self, workflow):
        self.workflow = workflow

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        return (getattr(obj, STATE_ATTR, None) or {}).get(self.workflow)
