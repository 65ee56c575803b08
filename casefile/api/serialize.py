"""Cases, tasks, materials, documents, site inspections and expert reviews
as the JSON the API answers with.

What a user sees is what the case page shows them: the same permission
checks (``request.has_permission`` on each material, document and task,
whose ACLs come from the workflow tables), never a rule of our own.  The
field names are the API's contract (see ``docs/api.md``): add fields
freely, never rename one.
"""
from collections.abc import Mapping, Sequence

from pyramid.traversal import find_root

from ..case.lifecycle import missing_materials, outcome_text
from ..case.permissions import CASE_DOWNLOAD, TASK_VIEW
from ..catalogue.store import catalogue_for
from ..inspection.experts import RECUSAL_REASONS
from ..inspection.service import RESULTS, job_of, reviews_of
from ..workflow.engine import get_engine

DOCUMENT_CONTAINERS = ('documents', 'decisions', 'certificates')

#: the permissions on the inspection job and on each expert review
INSPECTION_VIEW = 'inspection.view'
INSPECTION_REPORT = 'inspection.report'
REVIEW_VIEW = 'review.view'
REVIEW_OPINE = 'review.opine'

#: steps of the job that only follow from an on-site report
REPORT_STEPS = ('record_pass', 'record_fail')

#: an expert's conclusion (as on the expert opinion document)
CONCLUSIONS = {'agree': '同意', 'disagree': '不同意',
               'conditional': '有条件同意'}


def _tree(value):
    """Persistent mappings and lists as plain JSON data."""
    if isinstance(value, Mapping):
        return {k: _tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, Sequence)) and not isinstance(
            value, str):
        return [_tree(v) for v in value]
    return value


def _iso(value):
    return value.isoformat(timespec='seconds') if value is not None else None


def case_url(request, case):
    return request.route_url('api_case', number=case.case_number)


def case_summary(request, case):
    """The few facts a list shows: number, what, who, state, where."""
    engine = get_engine(request.registry)
    return {
        'case_number': case.case_number,
        'url': case_url(request, case),
        'page_url': request.route_url('case', number=case.case_number),
        'application': {'code': case.application_code,
                        'name': case.application_name,
                        'kind': case.application_kind},
        'applicant': case.applicant.get('name'),
        'state': case.state,
        'state_title': engine.state_title(case),
        'created': _iso(case.created),
        'modified': _iso(case.modified),
    }


def transition_data(request, obj, transition, url):
    """A transition the user may fire now, with the inputs it asks for.

    ``blockers`` are the guards' reasons why firing now would be refused
    (e.g. missing materials); the list is empty when it would go through.
    """
    engine = get_engine(request.registry)
    translate = request.localizer.translate
    return {
        'name': transition.name,
        'title': transition.title,
        'url': url,
        'inputs': [{'name': i.name, 'title': i.title, 'type': i.type,
                    'required': i.required,
                    'options': dict(i.options) if i.options else None}
                   for i in transition.inputs],
        'blockers': [translate(m) for m in engine.blockers(obj, transition)],
    }


def material_data(request, case, name, material):
    current = material.current
    return {
        'name': name,
        'material_code': material.material_code,
        'title': material.title,
        'items': list(material.items),
        'filename': current.filename,
        'size': current.size,
        'mimetype': current.mimetype,
        'sha256': current.sha256,
        'version': current.number,
        'uploaded_by': current.uploaded_by,
        'uploaded_at': _iso(current.uploaded_at),
        'versions': [{'version': v.number, 'filename': v.filename,
                      'size': v.size, 'sha256': v.sha256,
                      'uploaded_by': v.uploaded_by,
                      'uploaded_at': _iso(v.uploaded_at),
                      'reason': v.reason} for v in material.versions],
        'download_url': request.route_url(
            'case_material', number=case.case_number, name=name),
    }


def document_data(request, case, container, name, document):
    return {
        'container': container,
        'name': name,
        'kind': document.kind,
        'title': document.title,
        'number': document.number,
        'items': list(document.items),
        'created': _iso(document.created),
        'lines': list(document.lines),
        'page_url': request.route_url(
            'case_document', number=case.case_number, container=container,
            name=name),
    }


def task_data(request, case, task):
    engine = get_engine(request.registry)
    return {
        'item_code': task.item_code,
        'item_name': task.item_name,
        'section': task.section,
        'organisation': getattr(task, 'organisation', None),
        'prerequisites': list(task.prerequisites),
        'state': task.state,
        'state_title': engine.state_title(task),
        'promised_days': task.promised_days,
        'statutory_days': task.statutory_days,
        'opinions': _tree(task.opinions),
        'decision': task.decision,
        'transitions': [
            transition_data(request, task, t, request.route_url(
                'api_task_transition', number=case.case_number,
                item=task.item_code, name=t.name))
            for t in engine.available(task, request)],
    }


def case_data(request, case):
    """Everything about ``case`` that this user may see, and may do now."""
    engine = get_engine(request.registry)
    data = case_summary(request, case)
    data.update({
        'applicant': _tree(case.applicant),
        'project_number': getattr(case, 'project_number', None),
        'organisations': list(getattr(case, 'organisations', ()) or ()),
        'district': getattr(case, 'district', None),
        'channel': getattr(case, 'channel', None) or 'window',
        'archive_number': getattr(case, 'archive_number', None),
        'items': list(case.item_codes),
        'form': _tree(case.form_data),
        'accepted_at': _iso(case.accepted_at),
        'outcome': (dict(case.outcome, text=outcome_text(case))
                    if case.outcome else None),
        'delivery': _tree(getattr(case, 'delivery', None)),
        'missing_materials': [
            {'code': need.material.code, 'name': need.material.name,
             'gaps_allowed': need.gaps_allowed}
            for need in missing_materials(case)],
        'materials': [
            material_data(request, case, name, m)
            for name, m in case['materials'].items()
            if request.has_permission(CASE_DOWNLOAD, m)],
        'tasks': [task_data(request, case, t) for t in case.tasks()
                  if request.has_permission(TASK_VIEW, t)],
        'documents': [
            document_data(request, case, container, name, d)
            for container in DOCUMENT_CONTAINERS
            for name, d in case[container].items()
            if request.has_permission(CASE_DOWNLOAD, d)],
        'transitions': [
            transition_data(request, case, t, request.route_url(
                'api_case_transition', number=case.case_number,
                name=t.name))
            for t in engine.available(case, request)],
        'inspection': inspection_summary(request, case),
        'reviews': [review_summary(request, case, r)
                    for r in reviews_of(case)
                    if request.has_permission(REVIEW_VIEW, r)],
        'journal': [{k: entry[k] for k in ('seq', 'when', 'actor', 'action',
                                           'target', 'comment', 'data')}
                    for entry in map(_tree, case.journal)],
    })
    return data


# -- site inspection ----------------------------------------------------------

def inspection_summary(request, case):
    """State and round of the case's inspection job, if the user may see it.

    ``None`` when the case has no job (no item needs a site inspection) or
    the user may not see it.
    """
    job = job_of(case)
    if job is None or not request.has_permission(INSPECTION_VIEW, job):
        return None
    engine = get_engine(request.registry)
    reports = list(job.reports)
    return {
        'state': job.state,
        'state_title': engine.state_title(job),
        'round': job.round,
        'items': list(job.items),
        'outcome': reports[-1]['outcome'] if reports else None,
        'url': request.route_url('api_inspection', number=case.case_number),
    }


def inspection_data(request, case, job):
    """The job as the inspection page shows it: checklist, rounds, steps.

    ``transitions`` leaves out ``record_pass`` and ``record_fail``: they
    follow from a report (``report_url``), never on their own.
    """
    engine = get_engine(request.registry)
    data = inspection_summary(request, case)
    data.update({
        'points': [{'index': i, 'text': point['text'],
                    'items': list(point['items'])}
                   for i, point in enumerate(job.points)],
        'results': dict(RESULTS),
        'schedules': [_tree(s) for s in job.schedules],
        'reports': [_tree(r) for r in job.reports],
        'can_report': bool(request.has_permission(INSPECTION_REPORT, job)),
        'report_url': request.route_url('api_inspection_report',
                                        number=case.case_number),
        'transitions': [
            transition_data(request, job, t, request.route_url(
                'api_inspection_transition', number=case.case_number,
                name=t.name))
            for t in engine.available(job, request)
            if t.name not in REPORT_STEPS],
    })
    return data


# -- expert review ------------------------------------------------------------

def review_url(request, case, review):
    return request.route_url('api_review', number=case.case_number,
                             review=review.__name__)


def review_items(case):
    """The items of ``case`` that need an expert review, with the
    speciality their experts are drawn from."""
    catalogue = catalogue_for(case)
    return [{'code': code, 'name': catalogue.items[code].name,
             'speciality': catalogue.items[code].expert_review.speciality}
            for code in case.item_codes
            if code in catalogue.items
            and catalogue.items[code].expert_review.required]


def review_summary(request, case, review):
    engine = get_engine(request.registry)
    return {
        'name': review.__name__,
        'url': review_url(request, case, review),
        'items': list(review.items),
        'speciality': review.speciality,
        'size': review.size,
        'state': review.state,
        'state_title': engine.state_title(review),
        'created': _iso(review.created),
    }


def draw_data(record):
    """The recorded draw, enough to re-run it (``experts.rerun``).

    ``seed`` is a decimal string: a 64-bit integer does not survive the
    numbers of JavaScript.
    """
    if not record:
        return None
    return {
        'seed': str(record['seed']),
        'date': record['date'],
        'speciality': record['speciality'],
        'size': record['size'],
        'recent_days': record['recent_days'],
        'candidates': list(record['candidates']),
        'excluded': [{'expert': key, 'reason': reason,
                      'reason_title': RECUSAL_REASONS.get(reason, reason)}
                     for key, reason in sorted(record['excluded'].items())],
        'eligible': list(record['eligible']),
        'panel': list(record['panel']),
    }


def review_data(request, case, review):
    """A review: the draw, the panel, the opinions, what the user may do."""
    engine = get_engine(request.registry)
    pool = find_root(case)['experts']
    login = request.user_info.login
    data = review_summary(request, case, review)
    panel = []
    for key in review.panel:
        expert = pool.get(key)
        panel.append({'expert': key,
                      'name': expert.name if expert is not None else None,
                      'organisation': (expert.organisation
                                       if expert is not None else None),
                      'login': expert.login if expert is not None else None})
    data.update({
        'draw': draw_data(review.draw),
        'panel': panel,
        'opinions': [dict(_tree(review.opinions[who]), login=who,
                          conclusion_title=CONCLUSIONS.get(
                              review.opinions[who].get('conclusion')))
                     for who in review.panel_logins
                     if who in review.opinions],
        'consolidated': review.consolidated,
        'can_opine': bool(request.has_permission(REVIEW_OPINE, review)
                          and login in review.panel_logins),
        'opinion_url': request.route_url(
            'api_review_opinion', number=case.case_number,
            review=review.__name__),
        'transitions': [
            transition_data(request, review, t, request.route_url(
                'api_review_transition', number=case.case_number,
                review=review.__name__, name=t.name))
            for t in engine.available(review, request)],
    })
    return data
