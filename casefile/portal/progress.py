"""Progress in plain words: the applicant's timeline, notices, query code.

The timeline is read from the case's hash-chained journal, so it shows
what really happened and when, in the applicant's words (受理, 补正, 等待
现场勘验, 已作出决定, 可领取) -- never the staff's internal steps (review
opinions, annotations, who drew which expert).

Notices the applicant receives (``APPLICANT_KINDS``) are listed with their
signed PDFs as soon as they are issued; decisions and certificates once
the case is decided (the results are then ready, see ``RESULT_STATES``).
Site inspection reports and expert opinions are internal records.

Progress without signing in (进度查询): the case number and the query
code printed on the acceptance notice.  A wrong code and an unknown
number get the same answer, the code is compared in constant time, and
every address has a limited number of failed tries (``QueryThrottle``).
"""
import datetime
import hmac

from ..clock.timing import case_timing
from ..i18n import _
from ..security.throttle import LoginThrottle

#: notices the applicant receives, in the documents container
APPLICANT_KINDS = ('acceptance_notice', 'correction_notice', 'refusal_notice',
                   'clock_stop_notice', 'extension_notice',
                   'inspection_notice', 'delivery_record')

#: states in which decisions and certificates are the applicant's
RESULT_STATES = ('decided', 'completed')

#: failed progress queries per address before a 15-minute pause
QUERY_FAILURES = 10

PLAIN_STATES = {
    'submitted': _('Waiting for the window to check the application'),
    'correction': _('Correction needed: see the one-time notice'),
    'refused': _('Not accepted'),
    'withdrawn': _('Withdrawn'),
    'in_review': _('Accepted: the sections are reviewing it'),
    'decided': _('Decided: results ready for collection'),
    'completed': _('Completed: results delivered'),
}


def code_matches(case, code):
    """Constant-time comparison; a missing case still costs a comparison."""
    expected = getattr(case, 'query_code', None) if case is not None \
        else None
    given = (code or '').strip().upper().encode('utf-8')
    if expected is None:
        hmac.compare_digest(given, b'--------')
        return False
    return hmac.compare_digest(given, expected.encode('utf-8'))


def get_query_throttle(registry):
    throttle = getattr(registry, 'casefile_query_throttle', None)
    if throttle is None:
        throttle = registry.casefile_query_throttle = LoginThrottle(
            max_failures=QUERY_FAILURES)
    return throttle


def _section_names(catalogue, codes):
    names = []
    for code in codes:
        section = catalogue.sections.get(code)
        names.append(section.name if section is not None else code)
    return '、'.join(names)


def _local(iso):
    """Journal times are UTC; pages show the server's time zone."""
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso[:16]
    return moment.astimezone().strftime('%Y-%m-%d %H:%M')


def timeline(case, catalogue):
    """``[(when, text)]`` oldest first, in the applicant's words."""
    rows = []
    tasks = {t.item_code: t.item_name for t in case.tasks()}
    for entry in case.journal:
        action = entry['action']
        data = entry.get('data') or {}
        when = _local(entry['when'])
        text = None
        if action == 'case.created':
            text = _('Application submitted online.') if getattr(
                case, 'channel', None) == 'online' else _(
                'Application received at the window.')
        elif action == 'transition' and data.get('workflow') == 'case':
            text = _case_step(data, case, catalogue)
        elif action == 'transition' and data.get('workflow') == 'task':
            name = tasks.get(entry.get('target'), entry.get('target'))
            if data.get('transition') == 'grant':
                text = _('${item}: decided to grant.', mapping={
                    'item': name})
            elif data.get('transition') == 'deny':
                text = _('${item}: decided not to grant.', mapping={
                    'item': name})
        elif action == 'clock.stopped':
            text = _('Clock stopped for ${reason}; this time does not count.',
                     mapping={'reason': entry.get('comment') or ''})
        elif action == 'clock.resumed':
            text = _('Clock running again.')
        elif action == 'task.extended':
            name = tasks.get(entry.get('target'), entry.get('target'))
            text = _('${item}: limit extended by ${days} working days '
                     '(${reason}).', mapping={
                         'item': name, 'days': data.get('days'),
                         'reason': entry.get('comment') or ''})
        elif action == 'inspection.created':
            text = _('A site inspection is needed; the inspection section '
                     'will make an appointment.')
        elif action == 'material.added' and str(
                entry.get('actor', '')).startswith('applicant:'):
            text = _('You submitted "${title}".', mapping={
                'title': data.get('title', '')})
        elif action == 'material.replaced' and str(
                entry.get('actor', '')).startswith('applicant:'):
            text = _('You replaced "${title}".', mapping={
                'title': data.get('title', '')})
        if text is not None:
            rows.append((when, text, action))
    return _merge_uploads(rows)


def _merge_uploads(rows):
    """Files the applicant sent one after another make one line."""
    out = []
    run = []

    def flush():
        if len(run) == 1:
            out.append(run[0][:2])
        elif run:
            out.append((run[0][0], _('You submitted ${count} materials.',
                                     mapping={'count': len(run)})))
        del run[:]
    for row in rows:
        if row[2] == 'material.added':
            run.append(row)
            continue
        flush()
        out.append(row[:2])
    flush()
    return out


def _case_step(data, case, catalogue):
    name = data.get('transition')
    if name in ('accept', 'accept_with_gaps'):
        return _('Accepted; handed to ${sections} for review.', mapping={
            'sections': _section_names(catalogue, case.sections)})
    if name == 'request_correction':
        return _('The window asks for corrections (one-time notice).')
    if name == 'resubmit':
        return _('Corrections submitted; back at the window for checking.')
    if name == 'refuse':
        return _('Not accepted; see the notice for the reasons.')
    if name == 'withdraw':
        return _('Application withdrawn.')
    if name == 'conclude':
        return _('All items decided; results ready for collection.')
    if name == 'issue':
        return _('Results delivered.')
    return None


def promised_date(case):
    """The date the current phase must finish by, or None."""
    if case.state in ('refused', 'withdrawn', 'completed'):
        return None
    timing = case_timing(case)
    return timing.deadline, timing.paused


def applicant_documents(case):
    """``[(container, name, document)]`` the applicant may download."""
    out = []
    for name, document in case['documents'].items():
        if document.kind in APPLICANT_KINDS:
            out.append(('documents', name, document))
    if case.state in RESULT_STATES:
        for container in ('decisions', 'certificates'):
            out.extend((container, name, d)
                       for name, d in case[container].items())
    out.sort(key=lambda row: row[2].created)
    return out


def applicant_may_open(case, container, document):
    return any(c == container and d is document
               for c, _n, d in applicant_documents(case))


def latest_correction(case):
    notices = getattr(case, 'correction_notices', ())
    return notices[-1] if notices else None


def summary(case, catalogue, request):
    """What the anonymous progress query shows: no names, no files."""
    due = promised_date(case)
    return {
        'case_number': case.case_number,
        'application': case.application_name,
        'state': PLAIN_STATES.get(case.state, case.state),
        'due': due[0] if due else None,
        'paused': due[1] if due else False,
        'timeline': timeline(case, catalogue),
    }
