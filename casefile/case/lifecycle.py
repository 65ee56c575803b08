"""The case life cycle: what happens when a case or task changes state.

The workflow files say which moves exist and who may make them; this
module holds the bureau's rules that go with them:

- guards (``required_materials_present``, ``all_tasks_decided``, ...);
- on acceptance: the clock starts, a query code and an acceptance notice
  are issued, and the case is routed (按责分转): one task per item, those
  without an undecided prerequisite start at once (并联审批);
- on a correction request or a refusal: the written notice;
- on a decision: the decision document (and certificate), the results
  passed to waiting tasks (内部流转), and, when the last item is decided,
  the case concluded with its outcome stated plainly;
- on issuance: the delivery record (统一发证).
"""
import datetime

from pyramid.events import subscriber
from pyramid.threadlocal import get_current_registry

from ..events import notify_modified
from ..catalogue.store import catalogue_for
from ..i18n import _
from ..workflow.engine import Transitioned, get_engine
from ..workflow.guards import guard
from .document import DocumentIssued
from .numbering import next_value
from .service import new_query_code, zodb_database

QUERY_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

#: document kind -> the character of its number (鞍审X〔2026〕000001号)
NUMBER_MARKS = {
    'acceptance_notice': '受', 'correction_notice': '补',
    'refusal_notice': '不受', 'decision_grant': '许', 'decision_deny': '不许',
    'certificate': '证', 'delivery_record': '送',
    'clock_stop_notice': '停', 'extension_notice': '延',
    'inspection_notice': '勘', 'inspection_report': '勘报',
    'expert_opinion': '评',
}

RIGHTS = ('如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，'
          '或者在六个月内依法向人民法院提起行政诉讼。')


def _today():
    return datetime.date.today()


# -- guards -------------------------------------------------------------------

def missing_materials(case):
    """Required materials the applicant must submit that are not there."""
    catalogue = catalogue_for(case)
    submitted = {m.material_code for m in case['materials'].values()}
    return [need for need in catalogue.merged_materials(
        case.application_code)
        if need.required and need.submitted_by_applicant
        and need.material.code not in submitted]


@guard('required_materials_present')
def required_materials_present(case, engine):
    missing = missing_materials(case)
    if missing:
        return _('These required materials are missing: ${names}. Attach '
                 'them, accept with gaps, or ask for correction.',
                 mapping={'names': '、'.join(n.material.name
                                             for n in missing)})
    return None


@guard('only_gap_materials_missing')
def only_gap_materials_missing(case, engine):
    missing = missing_materials(case)
    blocking = [n for n in missing if not n.gaps_allowed]
    if blocking:
        return _('These missing materials may not follow later: ${names}. '
                 'Ask for correction instead.', mapping={
                     'names': '、'.join(n.material.name for n in blocking)})
    if not missing:
        return _('Nothing is missing: accept the case normally.')
    return None


@guard('all_tasks_decided')
def all_tasks_decided(case, engine):
    open_tasks = [t for t in case.tasks() if not t.decided]
    if open_tasks:
        return _('Not all items are decided yet: ${names}.', mapping={
            'names': '、'.join(t.item_name for t in open_tasks)})
    return None


@guard('all_results_ready')
def all_results_ready(case, engine):
    if not case.tasks() or any(not t.decided for t in case.tasks()):
        return _('Not all items are decided yet.')
    return None


def _prerequisite_tasks(task):
    tasks = task.__parent__
    return [tasks[code] for code in task.prerequisites if code in tasks]


@guard('prerequisites_granted')
def prerequisites_granted(task, engine):
    pending = [t for t in _prerequisite_tasks(task) if t.state != 'granted']
    if pending:
        return _('The prerequisite item is not granted yet: ${names}.',
                 mapping={'names': '、'.join(t.item_name for t in pending)})
    return None


@guard('prerequisites_decided')
def prerequisites_decided(task, engine):
    pending = [t for t in _prerequisite_tasks(task) if not t.decided]
    if pending:
        return _('Waiting for the prerequisite item: ${names}.',
                 mapping={'names': '、'.join(t.item_name for t in pending)})
    return None


@guard('previous_stage_done')
def previous_stage_done(stage, engine):
    previous = stage.previous()
    if previous is not None and previous.state != 'done':
        return _('The previous stage "${name}" is not done yet.',
                 mapping={'name': previous.name})
    return None


# -- documents ------------------------------------------------------------------

def issue_document(case, container, kind, title, lines, items=(),
                   sections=None, actor=None, data=None, registry=None):
    """Create a numbered document record in ``case[container]``."""
    registry = registry or get_current_registry()
    year = _today().year
    mark = NUMBER_MARKS[kind]
    value = next_value(zodb_database(case), 'doc:%s:%d' % (mark, year))
    number = '鞍审%s〔%d〕%06d号' % (mark, year, value)
    document = registry.content.create(
        'Case Document', kind, title, number, lines, items, sections, actor,
        data)
    folder = case[container]
    name = '%s-%03d' % (kind, len(folder) + 1)
    while name in folder:
        name += 'x'
    folder.add(name, document, registry=registry)
    registry.notify(DocumentIssued(case, document, registry))
    engine = get_engine(registry)
    engine.apply_acl(case, registry)
    case.journal.record('document.issued', actor, target=name,
                        comment=title, data={
                            'number': number, 'kind': kind, 'title': title,
                            # the rendered PDF's fingerprint enters the
                            # hash-chained journal
                            'sha256': getattr(document, 'sha256', None)})
    return document


# -- routing --------------------------------------------------------------------

def route(case, actor, registry):
    """按责分转: one task per item; start those that need not wait."""
    from ..organisation.routing import section_organisation
    engine = get_engine(registry)
    catalogue = catalogue_for(case)
    in_case = set(case.item_codes)
    routed = case.item_sections or {}
    for code in case.item_codes:
        item = catalogue.items[code]
        section = routed.get(code, item.section)
        task = registry.content.create(
            'Item Task', code, item.name, section,
            [p for p in item.prerequisites if p in in_case],
            item.limits.promised, item.limits.statutory)
        task.organisation = section_organisation(catalogue, section)
        case['tasks'].add(code, task, registry=registry)
        engine.initialize(task, registry)
    case.journal.record('case.routed', actor, data={
        'tasks': {t.item_code: t.section for t in case.tasks()}})
    start_ready_tasks(case, registry)


def start_ready_tasks(case, registry):
    """Start every waiting task whose prerequisites are all decided.

    A task whose prerequisite was denied starts too: its section must then
    deny it, since granting needs the prerequisite granted.
    """
    engine = get_engine(registry)
    for task in case.tasks():
        if task.state != 'waiting':
            continue
        prerequisites = _prerequisite_tasks(task)
        if all(p.decided for p in prerequisites):
            for p in prerequisites:
                if p.state == 'granted' and p.decision:
                    task.receive(p.decision)
            engine.fire(task, 'start', system=True, journal=case.journal)


# -- reactions to transitions -------------------------------------------------------

@subscriber(Transitioned)
def after_transition(event):
    name = '%s.%s' % (event.definition.name, event.transition.name)
    reaction = REACTIONS.get(name)
    if reaction is not None:
        registry = (event.request.registry if event.request is not None
                    else get_current_registry())
        reaction(event, registry)


def accepted(event, registry):
    case = event.object
    case.accepted_at = datetime.datetime.now(datetime.timezone.utc)
    if not getattr(case, 'query_code', None):
        # cases created before every case got its code at creation
        case.query_code = new_query_code()
    lines = ['申请人：%s' % case.applicant.get('name'),
             '申请事项：%s' % case.application_name,
             '办件编号：%s' % case.case_number,
             '查询码：%s' % case.query_code,
             '受理日期：%s' % _today().isoformat()]
    if event.transition.name == 'accept_with_gaps':
        gaps = [n.material.name for n in missing_materials(case)]
        case.gaps = {'materials': gaps,
                     'due': event.inputs['due'].isoformat()}
        lines.append('容缺受理：请于 %s 前补交：%s' % (
            event.inputs['due'].isoformat(), '、'.join(gaps)))
    issue_document(case, 'documents', 'acceptance_notice', '受理通知书',
                   lines, actor=event.actor, registry=registry)
    route(case, event.actor, registry)
    notify_modified(case, registry)


def correction_requested(event, registry):
    case = event.object
    from ..annotation.service import take_notes_for_applicant
    notice = list(event.inputs['notice']) + take_notes_for_applicant(
        case, event.actor)
    case.correction_notices = getattr(case, 'correction_notices', ()) + (
        {'lines': notice, 'when': _today().isoformat()},)
    issue_document(case, 'documents', 'correction_notice',
                   '补正材料通知书（一次性告知）',
                   ['申请人：%s' % case.applicant.get('name'),
                    '申请事项：%s' % case.application_name,
                    '请一次性补正以下材料：'] +
                   ['%d. %s' % (i + 1, line) for i, line in
                    enumerate(notice)], actor=event.actor,
                   registry=registry)


def refused(event, registry):
    case = event.object
    issue_document(case, 'documents', 'refusal_notice', '不予受理通知书',
                   ['申请人：%s' % case.applicant.get('name'),
                    '申请事项：%s' % case.application_name,
                    '不予受理的理由：%s' % event.inputs['reasons'], RIGHTS],
                   actor=event.actor, registry=registry)


def task_started(event, registry):
    """The task's own clock starts the day its review starts."""
    event.object.started_on = _today().isoformat()


def opinion_submitted(event, registry):
    task = event.object
    task.add_opinion(event.actor, event.inputs['opinion'],
                     event.inputs['proposal'])
    task.case.journal.record('opinion.submitted', event.actor,
                             target=task.item_code,
                             comment=event.inputs['opinion'],
                             data={'proposal': event.inputs['proposal']})


def decided(event, registry):
    task = event.object
    case = task.case
    task.decided_on = _today().isoformat()
    grant = event.transition.name == 'grant'
    catalogue = catalogue_for(case)
    item = catalogue.items[task.item_code]
    lines = ['申请人：%s' % case.applicant.get('name'),
             '事项：%s' % item.name,
             '依据：%s' % '；'.join(item.legal_basis)]
    if task.organisation != 'bureau':   # worked by a partner organisation
        from ..organisation import organisation_name
        lines.insert(1, '承办单位：%s' % organisation_name(task.organisation))
    if grant:
        lines.append('经审查，决定准予许可。')
        if event.inputs.get('comment'):
            lines.append(event.inputs['comment'])
    else:
        lines.append('经审查，决定不予许可。理由：%s' % event.inputs['reasons'])
        lines.append(RIGHTS)
    document = issue_document(
        case, 'decisions', 'decision_grant' if grant else 'decision_deny',
        '准予行政许可决定书' if grant else '不予行政许可决定书', lines,
        items=[task.item_code], sections=[task.section], actor=event.actor,
        registry=registry)
    task.decision = document.__name__
    if grant and item.certificate:
        issue_document(case, 'certificates', 'certificate', item.certificate,
                       ['持证人：%s' % case.applicant.get('name'),
                        '许可事项：%s' % item.name],
                       items=[task.item_code], sections=[task.section],
                       actor=event.actor, registry=registry)
    start_ready_tasks(case, registry)
    engine = get_engine(registry)
    if all(t.decided for t in case.tasks()) and case.state == 'in_review':
        engine.fire(case, 'conclude', system=True, journal=case.journal)


def concluded(event, registry):
    case = event.object
    granted = sum(1 for t in case.tasks() if t.state == 'granted')
    denied = sum(1 for t in case.tasks() if t.state == 'denied')
    case.outcome = {'granted': granted, 'denied': denied}
    case.journal.record('case.outcome', 'system', comment=outcome_text(case))


def outcome_text(case):
    if not case.outcome:
        return ''
    return '%d 项准予许可，%d 项不予许可' % (case.outcome['granted'],
                                          case.outcome['denied'])


def issued(event, registry):
    case = event.object
    delivery = event.definition.transitions['issue'].inputs
    methods = dict(next(i for i in delivery if i.name == 'delivery').options)
    case.delivery = {'method': event.inputs['delivery'],
                     'recipient': event.inputs['recipient'],
                     'when': datetime.datetime.now(
                         datetime.timezone.utc).isoformat(timespec='seconds')}
    results = [d.title for d in list(case['decisions'].values())
               + list(case['certificates'].values())]
    issue_document(case, 'documents', 'delivery_record', '送达回证',
                   ['申请人：%s' % case.applicant.get('name'),
                    '送达方式：%s' % methods[event.inputs['delivery']],
                    '领取人/收件人：%s' % event.inputs['recipient'],
                    '送达文书：%s' % '、'.join(results)],
                   actor=event.actor, registry=registry)


def withdrawn(event, registry):
    """A withdrawn case leaves no open task in any worklist."""
    engine = get_engine(registry)
    for task in event.object.tasks():
        if task.state in ('waiting', 'in_review', 'awaiting_approval'):
            engine.fire(task, 'cancel', system=True,
                        journal=event.object.journal)


REACTIONS = {
    'case.withdraw': withdrawn,
    'case.accept': accepted,
    'case.accept_with_gaps': accepted,
    'case.request_correction': correction_requested,
    'case.refuse': refused,
    'case.conclude': concluded,
    'case.issue': issued,
    'task.start': task_started,
    'task.submit_opinion': opinion_submitted,
    'task.grant': decided,
    'task.deny': decided,
}
