"""Hand-over and return (内部流转): a task sent to another organisation.

When a task of another organisation starts, the case *hands it over*: the
receiving section gets a hand-over letter (移交函) in the case folder
naming every material the item needs and every result of a prerequisite
it builds on, with their SHA-256, and may open exactly those (the
materials' local roles follow the routed sections).  The applicant never
carries papers between offices.

When that organisation decides, its decision is issued into the case
folder like every decision, and the *return* is recorded: which document
came back, when, and the working days it took in the organisation's own
calendar.  Both are entries of the case's hash-chained journal with their
times, so the lead section sees each hand-over and return.
"""
import datetime

from pyramid.events import subscriber
from pyramid.threadlocal import get_current_registry

from ..case import lifecycle
from ..case.document import DocumentIssued
from ..i18n import _
from ..site.globals import ACTION_TITLES
from ..workflow.engine import Transitioned
from . import organisation_name
from .model import BUREAU

lifecycle.NUMBER_MARKS.setdefault('handover_letter', '移')
lifecycle.NUMBER_MARKS.setdefault('joint_minutes', '纪')

ACTION_TITLES.setdefault('organisation.handed_over',
                         _('Handed over to another organisation'))
ACTION_TITLES.setdefault('organisation.returned',
                         _('Result returned by another organisation'))
ACTION_TITLES.setdefault('joint.convened', _('Joint work convened'))
ACTION_TITLES.setdefault('joint.conclusion', _('Joint work conclusion'))
ACTION_TITLES.setdefault('joint.minutes', _('Joint work minutes written'))
ACTION_TITLES.setdefault('joint.closed', _('Joint work minutes issued'))


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def carried_materials(task):
    """The materials a task's item needs (or that serve every item)."""
    case = task.case
    out = []
    for name, material in case['materials'].items():
        items = getattr(material, 'items', ()) or ()
        if items and task.item_code not in items:
            continue
        version = material.current
        out.append({'name': name, 'title': material.title,
                    'version': version.number if version else None,
                    'sha256': version.sha256 if version else None})
    return out


def carried_results(task):
    """Decisions of prerequisites the task received (内部流转)."""
    decisions = task.case['decisions']
    out = []
    for name in getattr(task, 'received', ()) or ():
        document = decisions.get(name)
        if document is not None:
            out.append({'name': name, 'title': document.title,
                        'number': document.number})
    return out


def hand_over(task, actor, registry):
    """Record and issue the hand-over of ``task`` to its organisation."""
    case = task.case
    catalogue_name = case.application_name
    materials = carried_materials(task)
    results = carried_results(task)
    org = organisation_name(task.organisation)
    lines = ['申请人：%s' % case.applicant.get('name'),
             '办件编号：%s' % case.case_number,
             '申请事项：%s' % catalogue_name,
             '移交事项：%s' % task.item_name,
             '承办单位：%s' % org,
             '随件移交材料（内部流转，申请人无需另行提交）：']
    lines += ['%d. %s（第%s版，SHA-256 %s）' % (
        i + 1, m['title'], m['version'], (m['sha256'] or '')[:16])
        for i, m in enumerate(materials)] or ['（无）']
    if results:
        lines.append('前置事项办理结果：')
        lines += ['%s %s' % (r['title'], r['number']) for r in results]
    document = lifecycle.issue_document(
        case, 'documents', 'handover_letter', '事项移交函', lines,
        items=[task.item_code], sections=[task.section], actor=actor,
        registry=registry)
    task.handover = {
        'at': _now().isoformat(timespec='seconds'), 'by': actor,
        'organisation': task.organisation, 'section': task.section,
        'document': document.__name__, 'materials': materials,
        'results': results}
    case.journal.record(
        'organisation.handed_over', actor or 'system', target=task.item_code,
        comment='%s → %s' % (task.item_name, org), data={
            'organisation': task.organisation, 'section': task.section,
            'document': document.number,
            'materials': [m['name'] for m in materials],
            'sha256': [m['sha256'] for m in materials],
            'results': [r['number'] for r in results]})
    return document


@subscriber(Transitioned)
def task_started(event):
    if event.definition.name != 'task' or event.transition.name != 'start':
        return
    task = event.object
    if getattr(task, 'organisation', BUREAU) == BUREAU:
        return
    registry = (event.request.registry if event.request is not None
                else get_current_registry())
    hand_over(task, event.actor, registry)


@subscriber(DocumentIssued)
def result_returned(event):
    """A partner's decision is back in the case folder: the return."""
    document = event.document
    if document.kind not in ('decision_grant', 'decision_deny'):
        return
    case = event.case
    for code in document.items:
        task = case['tasks'].get(code)
        if task is None or getattr(task, 'organisation', BUREAU) == BUREAU:
            continue
        from ..clock.timing import task_timing
        timing = task_timing(task)
        handover = getattr(task, 'handover', None) or {}
        task.returned = {
            'at': _now().isoformat(timespec='seconds'),
            'document': document.__name__, 'number': document.number,
            'granted': document.kind == 'decision_grant',
            'used_days': timing.used}
        case.journal.record(
            'organisation.returned', document.creator or 'system',
            target=code, comment='%s ← %s：%s' % (
                task.item_name, organisation_name(task.organisation),
                document.title), data={
                'organisation': task.organisation, 'section': task.section,
                'document': document.number,
                'handed_over_at': handover.get('at'),
                'working_days': timing.used})
