"""What the inspection section does, and how it feeds the case.

- At acceptance, a case whose items need a site inspection gets one job
  with the merged checklist.
- Scheduling tells the applicant in writing (现场勘验通知书) and stops the
  clock for the inspected items, with the expected length (Art. 45).
- The on-site report marks each point pass / fail / not applicable, names
  the inspectors (at least two) and their confirmation; a pass ends the
  clock stop and lets the items be granted; a failure sets a rectification
  period, after which the job is re-scheduled (re-inspection) or closed as
  failed.  Every report stays on the job and becomes a case document.
- Expert reviews draw a panel with recusal (``experts.draw``), stop the
  clock, collect each expert's opinion in their own login and close with a
  consolidated opinion.
"""
import datetime

from persistent.mapping import PersistentMapping
from pyramid.events import subscriber
from pyramid.threadlocal import get_current_registry
from pyramid.traversal import find_root
from substanced.util import get_oid

from ..events import notify_modified
from ..case.clockops import end_stop, start_stop
from ..case.lifecycle import issue_document
from ..catalogue.store import catalogue_for
from ..workflow.engine import Transitioned, get_engine
from ..workflow.guards import guard
from .experts import DrawError, draw

RESULTS = {'pass': '合格', 'fail': '不合格', 'na': '不适用'}


class InspectionError(ValueError):
    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def job_of(case):
    container = case.get('inspections') if hasattr(case, 'get') else None
    if container is None:
        return None
    for obj in container.values():
        if getattr(obj, 'points', None) is not None:
            return obj
    return None


def reviews_of(case):
    container = case.get('expert_opinions')
    return list(container.values()) if container is not None else []


# -- guards ---------------------------------------------------------------------

@guard('inspection_passed')
def inspection_passed(task, engine):
    """An item that needs a site inspection is granted only after it passed."""
    job = job_of(task.case)
    if job is None or task.item_code not in job.items:
        return None
    if job.state != 'passed':
        from ..i18n import _
        return _('The site inspection of this item has not passed yet.')
    return None


@guard('latest_report_passed')
def latest_report_passed(job, engine):
    report = job.latest_report()
    if report is None or report['outcome'] != 'pass':
        from ..i18n import _
        return _('Write the on-site report first.')
    return None


@guard('latest_report_failed')
def latest_report_failed(job, engine):
    report = job.latest_report()
    if report is None or report['outcome'] != 'fail':
        from ..i18n import _
        return _('Write the on-site report first.')
    return None


@guard('panel_drawn')
def panel_drawn(review, engine):
    if not review.panel:
        from ..i18n import _
        return _('Draw the experts first.')
    return None


@guard('all_experts_opined')
def all_experts_opined(review, engine):
    missing = [login for login in review.panel_logins
               if login not in review.opinions]
    if missing:
        from ..i18n import _
        return _('Not every expert has given an opinion yet: ${names}.',
                 mapping={'names': '、'.join(missing)})
    return None


# -- the inspection job -------------------------------------------------------------

@subscriber(Transitioned)
def on_transition(event):
    registry = (event.request.registry if event.request is not None
                else get_current_registry())
    key = '%s.%s' % (event.definition.name, event.transition.name)
    reaction = REACTIONS.get(key)
    if reaction is not None:
        reaction(event, registry)


def create_job(event, registry):
    """At acceptance: one job for all items that need a site inspection."""
    case = event.object
    catalogue = catalogue_for(case)
    if not catalogue.needs_inspection(case.application_code):
        return
    points = [{'text': p.text, 'items': tuple(p.items)}
              for p in catalogue.inspection_points(case.application_code)]
    job = registry.content.create('Inspection Job', points)
    case['inspections'].add('inspection', job, registry=registry)
    get_engine(registry).initialize(job, registry)
    get_engine(registry).apply_acl(case, registry)
    case.journal.record('inspection.created', event.actor,
                        data={'items': list(job.items),
                              'points': len(job.points)})


def scheduled(event, registry):
    job = event.object
    case = job.case
    inputs = event.inputs
    inspectors = list(inputs['inspectors'])
    job.schedules.append(PersistentMapping({
        'round': len(job.schedules) + 1, 'date': inputs['date'].isoformat(),
        'address': inputs['address'], 'inspectors': inspectors,
        'expected_days': inputs['expected_days'],
        'notice': inputs.get('notice', '')}))
    names = _item_names(case, job.items)
    issue_document(case, 'documents', 'inspection_notice', '现场勘验通知书',
                   ['申请人：%s' % case.applicant.get('name'),
                    '办件编号：%s' % case.case_number,
                    '勘验事项：%s' % names,
                    '勘验时间：%s' % inputs['date'].isoformat(),
                    '勘验地点：%s' % inputs['address'],
                    '勘验人员：%s' % '、'.join(inspectors),
                    inputs.get('notice') or '请申请人或其委托人到场配合。'],
                   items=job.items, actor=event.actor, registry=registry)
    stop = start_stop(case, 'inspection', '现场勘验（第 %d 次）' % job.round,
                      inputs['expected_days'], items=job.items,
                      actor=event.actor, registry=registry)
    job.stop_id = stop['id']


def _end_job_stop(job, actor, registry):
    if job.stop_id:
        case = job.case
        stop = next((s for s in case.clock_stops if s['id'] == job.stop_id),
                    None)
        if stop is not None and not stop.get('end'):
            end_stop(case, job.stop_id, actor=actor, registry=registry)
        job.stop_id = None


def _feed_tasks(job, result, registry):
    for task in job.case.tasks():
        if task.item_code in job.items:
            task.inspection_result = result
            notify_modified(task, registry)


def passed(event, registry):
    job = event.object
    _end_job_stop(job, event.actor, registry)
    _feed_tasks(job, 'passed', registry)


def failed_round(event, registry):
    job = event.object
    job.reports[-1]['rectification_due'] = event.inputs['due'].isoformat()
    _end_job_stop(job, event.actor, registry)
    _feed_tasks(job, 'rectification', registry)


def closed_failed(event, registry):
    job = event.object
    _feed_tasks(job, 'failed', registry)


def record_report(job, results, inspectors, confirmed, photos=(),
                  actor=None, registry=None):
    """Store the on-site report of the current round; return its outcome.

    ``results`` maps point index -> (result, remark); every point needs a
    result, a failure needs a remark, at least two inspectors confirm.
    """
    from ..i18n import _
    registry = registry or get_current_registry()
    if job.state != 'scheduled':
        raise InspectionError('wrong-state', _(
            'Schedule the inspection before writing the report.'))
    missing = [i for i in range(len(job.points)) if i not in results
               or results[i][0] not in RESULTS]
    if missing:
        raise InspectionError('incomplete', _(
            'Every point needs a result: ${points}.', mapping={
                'points': '、'.join(job.points[i]['text']
                                   for i in missing)}))
    unexplained = [i for i, (result, remark) in results.items()
                   if result == 'fail' and not (remark or '').strip()]
    if unexplained:
        raise InspectionError('remark-needed', _(
            'Say what is wrong for each failed point: ${points}.', mapping={
                'points': '、'.join(job.points[i]['text']
                                   for i in unexplained)}))
    inspectors = [i.strip() for i in inspectors if i.strip()]
    if len(set(inspectors)) < 2:
        raise InspectionError('inspectors', _(
            'At least two inspectors must take part.'))
    if not confirmed:
        raise InspectionError('unconfirmed', _(
            'The inspectors must confirm the report.'))
    outcome = 'fail' if any(r == 'fail' for r, _m in results.values()) \
        else 'pass'
    report = PersistentMapping({
        'round': job.round, 'date': datetime.date.today().isoformat(),
        'inspectors': inspectors, 'confirmed_by': actor,
        'results': {str(i): {'result': r, 'remark': (m or '').strip()}
                    for i, (r, m) in results.items()},
        'photos': list(photos), 'outcome': outcome})
    job.reports.append(report)
    case = job.case
    lines = ['申请人：%s' % case.applicant.get('name'),
             '勘验轮次：第 %d 次' % job.round,
             '勘验人员：%s' % '、'.join(inspectors)]
    for i, point in enumerate(job.points):
        r = report['results'][str(i)]
        lines.append('%d. %s：%s%s' % (i + 1, point['text'],
                                       RESULTS[r['result']],
                                       '（%s）' % r['remark']
                                       if r['remark'] else ''))
    lines.append('勘验结论：%s' % ('合格' if outcome == 'pass'
                                 else '不合格，需整改'))
    issue_document(case, 'documents', 'inspection_report', '现场勘验报告',
                   lines, items=job.items, actor=actor, registry=registry)
    return outcome


# -- expert review -------------------------------------------------------------------

def expert_pool(root):
    return root['experts']


def request_review(case, item_code, size, exclude=(), recent_days=30,
                   actor=None, registry=None, seed=None):
    """Create a review for ``item_code``, draw its panel, open it."""
    from ..i18n import _
    registry = registry or get_current_registry()
    catalogue = catalogue_for(case)
    item = catalogue.items.get(item_code)
    if item is None or item_code not in case.item_codes:
        raise InspectionError('unknown-item', _('This item is not part of '
                                                'the case.'))
    if not item.expert_review.required:
        raise InspectionError('not-needed', _('This item needs no expert '
                                              'review.'))
    pool = expert_pool(find_root(case))
    try:
        record = draw(pool, item.expert_review.speciality, int(size),
                      dict(case.applicant), exclude=tuple(exclude),
                      recent_days=int(recent_days), seed=seed)
    except DrawError as e:
        raise InspectionError(e.code, e.message)
    review = registry.content.create('Expert Review', (item_code,),
                                     item.expert_review.speciality,
                                     int(size))
    review.draw = record
    review.panel = tuple(record['panel'])
    review.panel_logins = tuple(pool[k].login for k in record['panel'])
    users = find_root(case)['principals']['users']
    review.panel_principals = tuple(
        get_oid(users[login]) for login in review.panel_logins
        if login in users)
    for key in record['panel']:
        pool[key].drawn_on.append(record['date'])
    name = 'review-%03d' % (len(case['expert_opinions']) + 1)
    case['expert_opinions'].add(name, review, registry=registry)
    engine = get_engine(registry)
    engine.initialize(review, registry)
    case.journal.record('expert.drawn', actor, target=name, data={
        'seed': record['seed'], 'panel': list(record['panel']),
        'excluded': dict(record['excluded']),
        'speciality': record['speciality']})
    return review


def review_opened(event, registry):
    review = event.object
    case = review.case
    stop = start_stop(case, 'expert_review', '专家评审（%s）'
                      % review.speciality, 10, items=review.items,
                      actor=event.actor, registry=registry)
    review.stop_id = stop['id']
    get_engine(registry).apply_acl(case, registry)


def give_opinion(review, login, text, conclusion, registry=None):
    from ..i18n import _
    if login not in review.panel_logins:
        raise InspectionError('not-on-panel', _('You are not on this '
                                                'review\'s panel.'))
    if review.state != 'open':
        raise InspectionError('closed', _('This review is closed.'))
    text = (text or '').strip()
    if not text or conclusion not in ('agree', 'disagree', 'conditional'):
        raise InspectionError('incomplete', _('Give your opinion and a '
                                              'conclusion.'))
    review.opinions[login] = {'text': text, 'conclusion': conclusion,
                              'when': datetime.datetime.now(
                                  datetime.timezone.utc).isoformat(
                                  timespec='seconds')}
    review.case.journal.record('expert.opinion', login,
                               target=review.__name__, comment=text,
                               data={'conclusion': conclusion})


def review_closed(event, registry):
    review = event.object
    case = review.case
    review.consolidated = event.inputs['consolidated']
    if review.stop_id:
        stop = next((s for s in case.clock_stops
                     if s['id'] == review.stop_id), None)
        if stop is not None and not stop.get('end'):
            end_stop(case, review.stop_id, actor=event.actor,
                     registry=registry)
    conclusions = {'agree': '同意', 'disagree': '不同意',
                   'conditional': '有条件同意'}
    lines = ['申请人：%s' % case.applicant.get('name'),
             '评审事项：%s' % _item_names(case, review.items),
             '评审专业：%s' % review.speciality]
    for login in review.panel_logins:
        opinion = review.opinions.get(login, {})
        lines.append('专家意见：%s（%s）' % (
            opinion.get('text', ''),
            conclusions.get(opinion.get('conclusion'), '')))
    lines.append('综合评审意见：%s' % review.consolidated)
    issue_document(case, 'documents', 'expert_opinion', '专家评审意见',
                   lines, items=review.items, actor=event.actor,
                   registry=registry)
    get_engine(registry).apply_acl(case, registry)


def _item_names(case, items):
    tasks = case['tasks']
    return '、'.join(tasks[c].item_name if c in tasks else c for c in items)


REACTIONS = {
    'case.accept': create_job,
    'case.accept_with_gaps': create_job,
    'inspection.schedule': scheduled,
    'inspection.reschedule': scheduled,
    'inspection.record_pass': passed,
    'inspection.record_fail': failed_round,
    'inspection.close_failed': closed_failed,
    'expert_review.draw': review_opened,
    'expert_review.close': review_closed,
}
