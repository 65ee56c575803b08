"""The portal's pages (网上办事): accounts, applying, the applicant's cases.

Every page is reachable without a staff login (their Pyramid permission is
``NO_PERMISSION_REQUIRED``: applicants are not staff principals); the
pages for an applicant call :func:`~casefile.portal.auth.require_account`
and open a case, a file or a draft only through the signed-in account.
Anything else -- another applicant's case number, a made-up file name, a
draft id of somebody else -- is "not found", exactly like a number that
does not exist, so guessing tells nothing.
"""
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..case.material import UploadError, store_upload
from ..case.service import (
    add_material, material_items, material_limits, replace_material)
from ..case.views import file_response
from ..catalogue.store import catalogue_for
from ..documents.render import PdfFile, chinese_date
from ..i18n import _
from ..security.throttle import client_address
from ..security.views import safe_came_from
from ..workflow.engine import TransitionError, get_engine
from . import apply as applying
from .auth import (
    RegistrationError, authenticate, register, require_account, sign_in,
    sign_out)
from .model import find_portal
from .progress import (
    PLAIN_STATES, applicant_documents, applicant_may_open, code_matches,
    get_query_throttle, latest_correction, promised_date, summary, timeline)
from .ratings import LEVELS, RatingError, rate

PUBLIC = dict(permission=NO_PERMISSION_REQUIRED)
#: what a form posted with a stale CSRF token answers
SESSION_EXPIRED = _('Your session has expired. Please reload the page and '
                    'submit again.')


def _t(request, message):
    return request.localizer.translate(message)


def _flash(request, message, queue='success'):
    request.session.flash(_t(request, message), queue)


def _csrf_ok(request):
    token = request.POST.get('csrf_token') or request.headers.get(
        'X-CSRF-Token')
    return token == request.session.get_csrf_token()


def _case_page_refusal(request, account, case, error):
    """The applicant's case page again, with ``error`` on it (400)."""
    response = render_to_response('portal_case.page', case_values(
        request, account, case, error=error, status=400), request=request)
    response.status_int = 400
    return response


def _wants_json(request):
    return request.headers.get('X-Requested-With') == 'XMLHttpRequest'


def _base(request, **values):
    values.setdefault('csrf_token', request.session.get_csrf_token())
    values.setdefault('account', request.applicant)
    values.setdefault('error', None)
    values.setdefault('errors', {})
    values['t'] = lambda m: _t(request, m) if m else ''
    return values


# -- landing, accounts ------------------------------------------------------------

@view_config(route_name='portal', renderer='portal.page', **PUBLIC)
def portal_home(request):
    return _base(request)


@view_config(route_name='portal_register', renderer='portal_register.page',
             **PUBLIC)
def portal_register(request):
    form = {k: request.POST.get(k, '') for k in (
        'kind', 'identifier', 'name', 'contact', 'mobile')}
    form['kind'] = form['kind'] or 'company'
    if request.method != 'POST':
        return _base(request, form=form)
    if not _csrf_ok(request):
        request.response.status_int = 400
        return _base(request, form=form, error=SESSION_EXPIRED)
    try:
        account = register(find_portal(request.root), form['kind'],
                           form['identifier'], form['name'], form['mobile'],
                           request.POST.get('password', ''),
                           request.POST.get('confirm', ''),
                           contact=form['contact'])
    except RegistrationError as e:
        request.response.status_int = 400
        return _base(request, form=form, errors=e.errors, error=_(
            'Some fields need attention. They are marked below.'))
    sign_in(request, account)
    _flash(request, _('Welcome. Your account is ready.'))
    return HTTPFound(request.route_url('portal_cases'))


@view_config(route_name='portal_login', renderer='portal_login.page',
             **PUBLIC)
def portal_login(request):
    came_from = safe_came_from(request, request.params.get('came_from'))
    if came_from == request.resource_url(request.root):
        came_from = request.route_url('portal_cases')
    login = request.POST.get('login', '').strip()
    values = dict(came_from=came_from, login=login)
    if request.method != 'POST':
        return _base(request, **values)
    if not _csrf_ok(request):
        request.response.status_int = 400
        return _base(request, error=_('Your session expired. Please sign '
                                      'in again.'), **values)
    account, error = authenticate(request, login,
                                  request.POST.get('password', ''))
    if account is None:
        from ..security.throttle import LOCKED_MESSAGE
        request.response.status_int = 429 if error is LOCKED_MESSAGE \
            else 400
        return _base(request, error=error, **values)
    sign_in(request, account)
    return HTTPFound(came_from)


@view_config(route_name='portal_logout', request_method='POST', **PUBLIC)
def portal_logout(request):
    if _csrf_ok(request):
        sign_out(request)
    return HTTPFound(request.route_url('portal'))


# -- progress query without signing in -------------------------------------------

@view_config(route_name='portal_query', renderer='portal_query.page',
             **PUBLIC)
def portal_query(request):
    number = request.params.get('number', '').strip().upper()
    values = dict(number=number, found=None)
    if request.method != 'POST':
        return _base(request, **values)
    if not _csrf_ok(request):
        request.response.status_int = 400
        return _base(request, error=SESSION_EXPIRED, **values)
    throttle = get_query_throttle(request.registry)
    address = client_address(request)
    if throttle.is_locked(None, address):
        request.response.status_int = 429
        return _base(request, error=_(
            'Too many wrong queries from your address. Please wait 15 '
            'minutes and try again.'), **values)
    case = request.root['cases'].get(number) if number else None
    if not code_matches(case, request.POST.get('code')):
        throttle.failed(None, address)
        request.response.status_int = 404
        # the same words whether the number exists or not
        return _base(request, error=_(
            'No case matches this case number and query code. Please '
            'check both against the acceptance notice.'), **values)
    values['found'] = summary(case, catalogue_for(case), request)
    return _base(request, **values)


# -- finding what to apply for ----------------------------------------------------

@view_config(route_name='portal_apply', renderer='portal_apply.page',
             **PUBLIC)
def portal_apply(request):
    require_account(request)
    catalogue = applying.current_catalogue(request.root)
    q = request.params.get('q', '').strip()
    theme = request.params.get('theme', '').strip()
    found = applying.find_applications(catalogue, q, theme)
    return _base(request, q=q, theme=theme,
                 themes=applying.themes(catalogue),
                 matters=[a for a in found if a.kind == 'matter'],
                 stages=[a for a in found if a.kind == 'stage'],
                 catalogue=catalogue)


@view_config(route_name='portal_apply_one', renderer='portal_apply_one.page',
             **PUBLIC)
def portal_apply_one(request):
    account = require_account(request)
    catalogue = applying.current_catalogue(request.root)
    try:
        application = catalogue.application(request.matchdict['code'])
    except KeyError:
        raise HTTPNotFound()
    if request.method == 'POST':
        if not _csrf_ok(request):
            raise HTTPFound(request.path)
        draft = applying.start_draft(account, catalogue, application.code)
        return HTTPFound(request.route_url('portal_draft', draft=draft.id))
    drafts = [d for d in account.drafts.values()
              if d.application_code == application.code]
    return _base(request, application=application, catalogue=catalogue,
                 needs=catalogue.merged_materials(application.code),
                 drafts=drafts, matter=catalogue.matters.get(
                     application.code))


# -- the draft: one form and the materials ----------------------------------------

def _draft(request):
    account = require_account(request)
    draft = account.drafts.get(request.matchdict['draft'])
    if draft is None:
        raise HTTPNotFound()
    catalogue = applying.current_catalogue(request.root)
    try:
        catalogue.application(draft.application_code)
    except KeyError:
        # the catalogue changed since the draft was started
        _flash(request, _('"${name}" is no longer offered in this form. '
                          'Please look for it again and start a new '
                          'application.', mapping={
                              'name': draft.application_name}), 'error')
        raise HTTPFound(request.route_url('portal_apply'))
    return account, draft


def _draft_values(request, account, draft, form_html=None, error=None,
                  status=200):
    catalogue = applying.current_catalogue(request.root)
    if form_html is None:
        form_html = applying.render_form(
            request, applying.make_form(request, catalogue, draft), account,
            draft)
    held = applying.held_for(request.root, account, catalogue)
    request.response.status_int = status
    needs = applying.needs(catalogue, draft)
    limits = {n.material.code: material_limits(catalogue, n.material.code)
              for n in needs}
    return _base(request, draft=draft, form_html=form_html, error=error,
                 needs=needs, held=held, limits=limits,
                 missing={n.material.code for n in applying.missing(
                     catalogue, draft)},
                 deferrable={n.material.code for n in applying.missing(
                     catalogue, draft, gaps=True)},
                 catalogue=catalogue)


@view_config(route_name='portal_draft', renderer='portal_draft.page',
             **PUBLIC)
def portal_draft(request):
    account, draft = _draft(request)
    if request.method != 'POST':
        return _draft_values(request, account, draft)
    catalogue = applying.current_catalogue(request.root)
    form = applying.make_form(request, catalogue, draft)
    controls = list(request.POST.items())
    appstruct, failure = applying.validate(form, controls)
    csrf_failed = failure is not None and '_csrf_token_' in (
        failure.error.asdict() if hasattr(failure, 'error') else {})
    if csrf_failed:
        return _draft_values(request, account, draft, status=400,
                             error=SESSION_EXPIRED)
    applying.save_controls(draft, controls)
    if 'submit' not in request.POST:
        _flash(request, _('Draft saved. You can come back to it at any '
                          'time under "My applications".'))
        return HTTPFound(request.route_url('portal_draft', draft=draft.id))
    if failure is not None:
        return _draft_values(request, account, draft,
                             form_html=failure.render(), status=400,
                             error=_('Some fields need attention. They are '
                                     'marked below; your answers are saved '
                                     'as a draft.'))
    try:
        case = applying.submit(request, account, draft, appstruct)
    except applying.ApplyError as e:
        return _draft_values(request, account, draft,
                             form_html=form.render(appstruct), status=400,
                             error=e.message)
    _flash(request, _('Application ${number} submitted. The window will '
                      'check it within 5 working days.',
                      mapping={'number': case.case_number}))
    return HTTPFound(request.route_url('portal_case',
                                       number=case.case_number))


def _upload_answer(request, url, error=None, message=None, status=400,
                   page=None):
    """JSON for the page's script, else a redirect or the page again."""
    if _wants_json(request):
        body = {'ok': error is None, 'redirect': url}
        if error is not None:
            body['error'] = _t(request, error)
        if message is not None:
            body['message'] = _t(request, message)
        response = Response(json_body=body)
        response.status_int = 200 if error is None else status
        return response
    if error is None:
        _flash(request, message)
        return HTTPFound(url)
    response = render_to_response(page[0], page[1], request=request)
    response.status_int = status
    return response


@view_config(route_name='portal_draft_upload', request_method='POST',
             **PUBLIC)
def portal_draft_upload(request):
    account, draft = _draft(request)
    url = request.route_url('portal_draft', draft=draft.id) + '#materials'
    catalogue = applying.current_catalogue(request.root)
    error = None
    if not _csrf_ok(request):
        error = SESSION_EXPIRED
    else:
        try:
            upload = applying.add_draft_file(
                catalogue, draft, request.POST.get('material_code', ''),
                request.POST.get('file'))
        except applying.ApplyError as e:
            error = e.message
    if error is not None:
        return _upload_answer(request, url, error=error, page=(
            'portal_draft.page', _draft_values(request, account, draft,
                                               error=error, status=400)))
    return _upload_answer(request, url, message=_(
        'File "${name}" uploaded.', mapping={'name': upload.filename}))


@view_config(route_name='portal_draft_remove', request_method='POST',
             **PUBLIC)
def portal_draft_remove(request):
    account, draft = _draft(request)
    url = request.route_url('portal_draft', draft=draft.id) + '#materials'
    if _csrf_ok(request):
        code = request.POST.get('material_code', '')
        try:
            if request.POST.get('reused'):
                draft.reused.pop(code, None)
            else:
                applying.remove_draft_file(
                    draft, code, int(request.POST.get('index', -1)))
        except (ValueError, applying.ApplyError):
            _flash(request, _('The file to remove no longer exists.'),
                   'error')
    return HTTPFound(url)


@view_config(route_name='portal_draft_reuse', request_method='POST',
             **PUBLIC)
def portal_draft_reuse(request):
    account, draft = _draft(request)
    url = request.route_url('portal_draft', draft=draft.id) + '#materials'
    if not _csrf_ok(request):
        return HTTPFound(url)
    catalogue = applying.current_catalogue(request.root)
    try:
        ref = applying.choose_reuse(request.root, account, catalogue, draft,
                                    request.POST.get('material_code', ''),
                                    request.POST.get('ref', ''))
    except applying.ApplyError as e:
        return _upload_answer(request, url, error=e.message, page=(
            'portal_draft.page', _draft_values(request, account, draft,
                                               error=e.message, status=400)))
    _flash(request, _('"${title}" from case ${case} will be used; no need '
                      'to upload it again.', mapping={
                          'title': ref['title'], 'case': ref['case']}))
    return HTTPFound(url)


@view_config(route_name='portal_draft_delete', request_method='POST',
             **PUBLIC)
def portal_draft_delete(request):
    account, draft = _draft(request)
    if _csrf_ok(request):
        del account.drafts[draft.id]
        _flash(request, _('Draft deleted.'))
    return HTTPFound(request.route_url('portal_cases'))


# -- the applicant's cases ---------------------------------------------------------

@view_config(route_name='portal_cases', renderer='portal_cases.page',
             **PUBLIC)
def portal_cases(request):
    account = require_account(request)
    cases = request.root['cases']
    rows = []
    for number in reversed(list(account.cases)):
        case = cases.get(number)
        if account.owns(case):
            rows.append(case)
    drafts = sorted(account.drafts.values(), key=lambda d: d.modified,
                    reverse=True)
    return _base(request, cases=rows, drafts=drafts, plain=PLAIN_STATES)


@view_config(route_name='portal_claim', request_method='POST', **PUBLIC)
def portal_claim(request):
    """Add a case made at the window to the account (关联窗口办件).

    Needs the case number, the query code of its acceptance notice and the
    account's own credit code or ID number on the case; any mismatch gets
    one answer and counts against the address like a wrong query.
    """
    account = require_account(request)
    url = request.route_url('portal_cases')
    if not _csrf_ok(request):
        return HTTPFound(url)
    throttle = get_query_throttle(request.registry)
    address = client_address(request)
    if throttle.is_locked(None, address):
        _flash(request, _('Too many wrong queries from your address. Please '
                          'wait 15 minutes and try again.'), 'error')
        return HTTPFound(url)
    number = request.POST.get('number', '').strip().upper()
    case = request.root['cases'].get(number) if number else None
    if not code_matches(case, request.POST.get('code')) or \
            case.applicant.get('identifier') != account.identifier or \
            getattr(case, 'applicant_account', None) not in (None,
                                                             account.id):
        throttle.failed(None, address)
        _flash(request, _('No case of yours matches this case number and '
                          'query code.'), 'error')
        return HTTPFound(url)
    if case.applicant_account is None:
        case.applicant_account = account.id
        account.cases.append(case.case_number)
        case.journal.record('portal.claimed', applying.actor_name(account),
                            data={'account': account.id})
    _flash(request, _('Case ${number} is now under "My applications".',
                      mapping={'number': case.case_number}))
    return HTTPFound(request.route_url('portal_case',
                                       number=case.case_number))


def _own_case(request):
    account = require_account(request)
    case = request.root['cases'].get(request.matchdict['number'])
    if not account.owns(case):
        raise HTTPNotFound()
    return account, case


def _fix_uploads_since_notice(case):
    """Materials the applicant added or replaced since the last notice."""
    count = 0
    for entry in case.journal:
        data = entry.get('data') or {}
        if entry['action'] == 'transition' and data.get(
                'transition') == 'request_correction':
            count = 0
        elif entry['action'] in ('material.added', 'material.replaced') \
                and str(entry.get('actor', '')).startswith('applicant:'):
            count += 1
    return count


def outstanding_gaps(case, catalogue):
    """Materials accepted with gaps (容缺) that are still missing."""
    gaps = getattr(case, 'gaps', None) or {}
    names = set(gaps.get('materials', ()))
    if not names or case.state != 'in_review':
        return []
    present = {m.material_code for m in case['materials'].values()}
    return [n for n in catalogue.merged_materials(case.application_code)
            if n.material.name in names and n.material.code not in present]


def case_values(request, account, case, error=None, status=200):
    catalogue = catalogue_for(case)
    portal = find_portal(request.root)
    request.response.status_int = status
    due = promised_date(case)
    needs = [n for n in catalogue.merged_materials(case.application_code)
             if n.submitted_by_applicant]
    return _base(
        request, case=case, error=error, catalogue=catalogue,
        plain=PLAIN_STATES.get(case.state, case.state),
        due=due[0] if due else None, paused=due[1] if due else False,
        timeline=timeline(case, catalogue),
        documents=applicant_documents(case), chinese_date=chinese_date,
        materials=list(case['materials'].items()),
        correction=latest_correction(case) if case.state == 'correction'
        else None, needs=needs,
        fixes=_fix_uploads_since_notice(case),
        gaps=outstanding_gaps(case, catalogue),
        gaps_due=(getattr(case, 'gaps', None) or {}).get('due'),
        rating=portal.ratings.get(case.case_number),
        levels=sorted(LEVELS.items(), reverse=True),
        query_code=getattr(case, 'query_code', None))


@view_config(route_name='portal_case', renderer='portal_case.page',
             **PUBLIC)
def portal_case(request):
    account, case = _own_case(request)
    return case_values(request, account, case)


@view_config(route_name='portal_case_document', **PUBLIC)
def portal_case_document(request):
    account, case = _own_case(request)
    container = request.matchdict['container']
    name = request.matchdict['name']
    if not name.endswith('.pdf') or container not in (
            'documents', 'decisions', 'certificates'):
        raise HTTPNotFound()
    document = case[container].get(name[:-len('.pdf')])
    if document is None or getattr(document, 'pdf', None) is None or \
            not applicant_may_open(case, container, document):
        raise HTTPNotFound()
    return file_response(request, PdfFile(document),
                         inline=request.params.get('inline') == '1')


@view_config(route_name='portal_case_material', **PUBLIC)
def portal_case_material(request):
    account, case = _own_case(request)
    material = case['materials'].get(request.matchdict['name'])
    if material is None:
        raise HTTPNotFound()
    return file_response(request, material.current)


@view_config(route_name='portal_correction_upload', request_method='POST',
             **PUBLIC)
def portal_correction_upload(request):
    """A fix for the one-time notice (a new file or a new version), or a
    material accepted with gaps (容缺) that the applicant supplies later."""
    account, case = _own_case(request)
    url = request.route_url('portal_case', number=case.case_number) + (
        '#correction' if case.state == 'correction' else '#gaps')
    catalogue = catalogue_for(case)
    code = request.POST.get('material_code', '')
    material_def, types, max_mb = material_limits(catalogue, code)
    field = request.POST.get('file')
    error = None
    if not _csrf_ok(request):
        error = SESSION_EXPIRED
    elif case.state != 'correction' and code not in {
            n.material.code for n in outstanding_gaps(case, catalogue)}:
        error = _('Corrections can only be uploaded while the window asks '
                  'for them.')
    elif code and material_def is None:
        error = _('Unknown material. Please reload the page and try again.')
    elif not hasattr(field, 'file'):
        error = _('Please choose a file to upload.')
    upload = None
    if error is None:
        try:
            upload = store_upload(field.file, field.filename, types,
                                  int(max_mb) * 1024 * 1024)
        except UploadError as e:
            error = _(e.message, mapping=e.mapping)
    if error is not None:
        return _upload_answer(request, url, error=error, page=(
            'portal_case.page', case_values(request, account, case,
                                            error=error, status=400)))
    actor = applying.actor_name(account)
    existing = [m for m in case['materials'].values()
                if code and m.material_code == code]
    if existing:
        replace_material(case, existing[-1], upload,
                         '按一次性告知书补正', actor=actor,
                         registry=request.registry)
    else:
        title = material_def.name if material_def else upload.filename
        items = material_items(catalogue, case.application_code, code) \
            if material_def is not None else ()
        add_material(case, upload, title, code, items, actor=actor,
                     registry=request.registry)
    return _upload_answer(request, url, message=_(
        'File "${name}" uploaded.', mapping={'name': upload.filename}))


@view_config(route_name='portal_resubmit', request_method='POST', **PUBLIC)
def portal_resubmit(request):
    """补正后重新提交: the case goes back to the window's intake queue.

    The workflow's ``resubmit`` step is fired for the applicant as a
    system move: applicants hold no role in the permission tables; this
    view has already checked that the case is theirs.
    """
    account, case = _own_case(request)
    url = request.route_url('portal_case', number=case.case_number)
    error = None
    if not _csrf_ok(request):
        error = SESSION_EXPIRED
    elif case.state != 'correction':
        error = _('This case is not waiting for corrections.')
    elif not _fix_uploads_since_notice(case):
        error = _('Please upload the corrected materials first.')
    if error is None:
        comment = request.POST.get('comment', '').strip()[:1000] or \
            '申请人已按一次性告知书网上补正'
        try:
            get_engine(request.registry).fire(
                case, 'resubmit', request=request, system=True,
                inputs={'comment': comment},
                actor=applying.actor_name(account), journal=case.journal)
        except TransitionError as e:
            error = e.message
    if error is not None:
        return _case_page_refusal(request, account, case, error)
    _flash(request, _('Corrections submitted. The window will check them '
                      'again.'))
    return HTTPFound(url)


@view_config(route_name='portal_rate', request_method='POST', **PUBLIC)
def portal_rate(request):
    account, case = _own_case(request)
    error = None
    if not _csrf_ok(request):
        error = SESSION_EXPIRED
    else:
        try:
            rate(request.root, case, account, request.POST.get('level'),
                 request.POST.get('comment'),
                 actor=applying.actor_name(account))
        except RatingError as e:
            error = e.message
    if error is not None:
        return _case_page_refusal(request, account, case, error)
    _flash(request, _('Thank you for your rating.'))
    return HTTPFound(request.route_url('portal_case',
                                       number=case.case_number) + '#rating')


def includeme(config):
    add = config.add_route
    add('portal', '/portal')
    add('portal_register', '/portal/register')
    add('portal_login', '/portal/login')
    add('portal_logout', '/portal/logout')
    add('portal_query', '/portal/query')
    add('portal_apply', '/portal/apply')
    add('portal_apply_one', '/portal/apply/{code}')
    add('portal_draft', '/portal/drafts/{draft}')
    add('portal_draft_upload', '/portal/drafts/{draft}/upload')
    add('portal_draft_remove', '/portal/drafts/{draft}/remove')
    add('portal_draft_reuse', '/portal/drafts/{draft}/reuse')
    add('portal_draft_delete', '/portal/drafts/{draft}/delete')
    add('portal_cases', '/portal/cases')
    add('portal_case', '/portal/cases/{number}')
    add('portal_case_document',
        '/portal/cases/{number}/documents/{container}/{name}')
    add('portal_case_material', '/portal/cases/{number}/materials/{name}')
    add('portal_correction_upload', '/portal/cases/{number}/correction')
    add('portal_resubmit', '/portal/cases/{number}/resubmit')
    add('portal_rate', '/portal/cases/{number}/rate')
    add('portal_claim', '/portal/claim')
    config.scan(__name__)
