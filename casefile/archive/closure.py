"""The closure check: what still stops a case from being archived.

A case is archived only when it is really over: every item decided and
the results delivered (or the case refused or withdrawn), no item task
pending, no site inspection or expert review open and no annotation
thread unresolved.  Each rule is a named guard of the ``archive``
transition (``workflows/case.yaml``), so the case page, the archive page
and the engine all see the same list, and each message names the things
that block.
"""
from ..i18n import _
from ..workflow.guards import guard

OPEN_TASK_STATES = ('waiting', 'in_review', 'awaiting_approval')
OPEN_INSPECTION_STATES = ('to_schedule', 'scheduled', 'rectification')
OPEN_REVIEW_STATES = ('drawing', 'open')


@guard('results_delivered')
def results_delivered(case, engine):
    if case.state != 'completed':
        return None       # refused or withdrawn: nothing to deliver
    undecided = [t.item_name for t in case.tasks() if not t.closed]
    if undecided:
        return _('Not every item is decided: ${names}.',
                 mapping={'names': '、'.join(undecided)})
    delivered = any(d.kind == 'delivery_record'
                    for d in case['documents'].values())
    if not getattr(case, 'delivery', None) or not delivered:
        return _('The results have not been delivered (no delivery '
                 'record).')
    return None


@guard('no_pending_task')
def no_pending_task(case, engine):
    pending = [t.item_name for t in case.tasks()
               if t.state in OPEN_TASK_STATES]
    if pending:
        return _('Item tasks are still pending: ${names}.',
                 mapping={'names': '、'.join(pending)})
    return None


@guard('no_open_inspection')
def no_open_inspection(case, engine):
    open_ = []
    for job in case.get('inspections', {}).values():
        if getattr(job, 'state', None) in OPEN_INSPECTION_STATES:
            open_.append(engine.state_title(job) or job.state)
    for review in case.get('expert_opinions', {}).values():
        if getattr(review, 'state', None) in OPEN_REVIEW_STATES:
            open_.append(engine.state_title(review) or review.state)
    if open_:
        return _('A site inspection or expert review is still open: '
                 '${states}.', mapping={'states': '、'.join(open_)})
    return None


@guard('no_open_annotation')
def no_open_annotation(case, engine):
    annotations = case.get('annotations')
    open_ = [a for a in (annotations.values() if annotations is not None
                         else ()) if not a.resolved]
    if open_:
        quotes = '、'.join('“%s”' % (a.text[:20]) for a in open_[:5])
        return _('${count} annotation threads are not resolved: ${quotes}.',
                 mapping={'count': len(open_), 'quotes': quotes})
    return None


def closure_blockers(case, engine):
    """Every message that stops archiving now (empty: it may be archived)."""
    definition = engine.definition_for(case)
    transition = definition.transitions['archive']
    if case.state not in transition.from_states:
        return [_('Only completed, refused or withdrawn cases can be '
                  'archived; this case is "${state}".',
                  mapping={'state': engine.state_title(case)})]
    return engine.blockers(case, transition)
