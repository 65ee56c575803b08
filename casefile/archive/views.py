"""The archivists' pages and the borrowers' page.

All routes are on the root (``/archives/...``), not traversed into the
case: an archived case's own ACL gives nobody but the archivist anything,
and a borrower's access is a period, decided at every request by
:func:`service.may_read` against the clock.  Every reading is journaled
in the case (see ``access.py``).
"""
import datetime
from urllib.parse import quote

from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.response import FileIter, Response
from pyramid.view import view_config
from substanced.util import find_catalog

from ..catalogue import vocabulary
from ..catalogue.store import current_catalogue
from ..i18n import _
from ..workflow.engine import TransitionError, get_engine
from . import access, clock, service
from .closure import closure_blockers
from .index import GROUP_TITLES, file_index, find_entry, open_stored
from .package import export_package, generate
from .pdf import file_index_pdf, temporary_file

MANAGE = 'archive.manage'
#: journal actions of the access record, as the archivist reads them
ACTIONS = {
    'archive.archived': _('archived'),
    'archive.view': _('read'),
    'archive.export': _('package exported'),
    'archive.refused': _('change refused'),
    'archive.request': _('request'),
    'archive.described': _('metadata changed'),
    'archive.borrow_requested': _('loan requested'),
    'archive.borrow_approved': _('loan granted'),
    'archive.borrow_refused': _('loan refused'),
    'archive.borrow_returned': _('returned early'),
    'archive.disposal_proposed': _('destruction proposed'),
    'archive.disposal_rejected': _('destruction rejected'),
}
DISPOSAL = 'archive.disposal'
APPROVE = 'archive.approve-disposal'
PAGE_SIZE = 50


def _case(request):
    case = request.root['cases'].get(request.matchdict['archive'])
    if case is None or case.state != 'archived':
        raise HTTPNotFound()
    return case


def _readable(request):
    case = _case(request)
    if not service.may_read(request, case):
        raise HTTPForbidden()
    return case


def _login(request):
    return request.user_info.login


def _flash(request, message, queue='success'):
    request.session.flash(request.localizer.translate(message), queue)


def _when(value):
    if not value:
        return ''
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.astimezone(clock.TZ).strftime('%Y-%m-%d %H:%M')


def _base(request, **values):
    values.update({
        'csrf_token': request.session.get_csrf_token(),
        'when': _when,
        'retentions': vocabulary.RETENTIONS,
        'retention_label': service.retention_label,
        'can_manage': request.has_permission(MANAGE, request.root),
        'can_dispose': request.has_permission(DISPOSAL, request.root),
    })
    return values


# -- search ---------------------------------------------------------------------

def search_archives(request, params):
    """Archived cases matching the search form, newest first.

    Structured filters (matter, item, year, retention) are queries of the
    ``archive`` catalog.  Free text matches a part of the archive number,
    the applicant's name or credit code (the distinct values of those
    indexes, never the cases themselves) and, through the search
    subsystem's full-text index (``casefile.search.search_cases`` with
    ``archived=True``), anything said in the case.
    """
    catalog = find_catalog(request.root, 'archive')
    query = catalog['retention'].any(list(vocabulary.RETENTIONS))
    for key, index in (('matter', 'application_code'),
                       ('retention', 'retention')):
        value = (params.get(key) or '').strip()
        if value:
            query = query & catalog[index].eq(value)
    item = (params.get('item') or '').strip()
    if item:
        query = query & catalog['items'].any([item])
    year = (params.get('year') or '').strip()
    if year:
        try:
            query = query & catalog['year'].eq(int(year))
        except ValueError:
            query = query & catalog['year'].eq(-1)
    results = query.execute()
    text = (params.get('q') or '').strip()
    if text:
        results = results.intersect(text_matches(request, catalog, text))
    return results.sort(catalog['archived_on'], reverse=True)


def text_matches(request, catalog, text):
    docids = set()
    needle = text.upper()
    for name in ('archive_number', 'applicant_name', 'applicant_identifier'):
        for value, ids in catalog[name]._fwd_index.items():
            if isinstance(value, str) and needle in value.upper():
                docids.update(ids)
    try:
        from ..search import search_cases
        from ..search.query import QueryError
    except ImportError:       # installed without the search subsystem
        return docids
    try:
        found = search_cases(request, text, {'archived': True},
                             page_size=1000)
    except QueryError:
        return docids
    numbers = [hit['case_number'] for hit in found.hits]
    if numbers:
        cases = find_catalog(request.root, 'casefile')
        docids.update(cases['case_number'].any(numbers).execute().ids)
    return docids


@view_config(route_name='archives', renderer='archives.page',
             permission='staff.view')
def archives(request):
    root = request.root
    login = _login(request)
    office = service.get_office(root)
    mine = sorted((b for b in office.borrowings.values()
                   if b.requester == login),
                  key=lambda b: b.requested_at, reverse=True)
    values = _base(request, mine=mine, found=None, total=0, params={},
                   waiting=[], matters=[], items=[], now=clock.now(),
                   error=None)
    if values['can_manage']:
        params = {k: request.params.get(k, '') for k in
                  ('q', 'matter', 'item', 'year', 'retention')}
        results = search_archives(request, params)
        values['total'] = len(results)
        values['found'] = list(results.all())[:PAGE_SIZE]
        values['params'] = params
        values['waiting'] = sorted(
            (b for b in office.borrowings.values()
             if b.status == 'requested'), key=lambda b: b.requested_at)
        catalogue = current_catalogue(root)
        values['matters'] = [(a.code, a.name) for a in
                             catalogue.applications()] \
            if hasattr(catalogue, 'applications') else []
        values['items'] = sorted((code, item.name) for code, item in
                                 catalogue.items.items())
    return values


# -- archiving --------------------------------------------------------------------

@view_config(route_name='archive_pending', renderer='archive_pending.page',
             permission=MANAGE)
def archive_pending(request):
    """Cases the archive should take in, each with what still blocks it."""
    catalog = find_catalog(request.root, 'casefile')
    engine = get_engine(request.registry)
    query = (catalog['kind'].eq('case')
             & catalog['state'].any(['completed', 'refused', 'withdrawn']))
    results = query.execute().sort(catalog['modified'])
    rows = []
    for case in list(results.all())[:200]:
        rows.append((case, closure_blockers(case, engine)))
    return _base(request, rows=rows, total=len(results),
                 states=request.registry.casefile_state_titles)


@view_config(route_name='archive_do', permission=MANAGE,
             request_method='POST', require_csrf=True)
def archive_do(request):
    case = request.root['cases'].get(request.matchdict['archive'])
    if case is None:
        raise HTTPNotFound()
    engine = get_engine(request.registry)
    try:
        engine.fire(case, 'archive', request=request, actor=_login(request),
                    journal=case.journal)
    except TransitionError as error:
        _flash(request, _('Not archived: ${reason}', mapping={
            'reason': request.localizer.translate(error.message)}), 'error')
        return HTTPFound(request.route_url('archive_pending'))
    _flash(request, _('Archived as ${number}.', mapping={
        'number': case.archive_number}))
    return HTTPFound(request.route_url('archive',
                                       archive=case.case_number))


# -- one archive ------------------------------------------------------------------

@view_config(route_name='archive', renderer='archive.page',
             permission='staff.view')
def archive_view(request):
    case = _readable(request)
    access.note(request, case.case_number, request.path)
    entries = file_index(case)
    values = _base(request, case=case, entries=entries,
                   group_titles=GROUP_TITLES, actions=ACTIONS,
                   expires=service.expires_on(case),
                   metadata=case.archive_metadata,
                   fields=service.METADATA_FIELDS, borrowings=[], log=[],
                   grant=service.active_grant(request.root, case,
                                              _login(request)))
    if values['can_manage']:
        office = service.get_office(request.root)
        values['borrowings'] = sorted(
            (b for b in office.borrowings.values()
             if b.case_number == case.case_number),
            key=lambda b: b.requested_at, reverse=True)
        values['log'] = [e for e in reversed(list(case.journal))
                         if e['action'].startswith('archive.')][:100]
    return values


@view_config(route_name='archive_record', permission='staff.view')
def archive_record(request):
    case = _readable(request)
    try:
        entry = find_entry(case, int(request.matchdict['seq']))
    except ValueError:
        entry = None
    if entry is None:
        raise HTTPNotFound()
    access.note(request, case.case_number, '%d %s' % (entry.seq,
                                                      entry.title))
    filename = entry.path.rsplit('/', 1)[-1]
    if entry.stored:
        response = Response(content_type=entry.mimetype)
        response.app_iter = FileIter(open_stored(case, entry))
        response.content_length = entry.size
    else:
        data = generate(case, entry, request.registry.settings)
        response = Response(body=data, content_type=entry.mimetype)
    safe = entry.mimetype in ('application/pdf', 'image/png', 'image/jpeg')
    response.headers['Content-Disposition'] = "%s; filename*=UTF-8''%s" % (
        'inline' if safe else 'attachment', quote(filename))
    response.headers['X-Content-Type-Options'] = 'nosniff'
    response.headers['Content-Security-Policy'] = "default-src 'none'"
    return response


@view_config(route_name='archive_index_pdf', permission='staff.view')
def archive_index_pdf(request):
    case = _readable(request)
    access.note(request, case.case_number, 'file-index.pdf')
    data = file_index_pdf(case, file_index(case), request.registry.settings)
    response = Response(body=data, content_type='application/pdf')
    response.headers['Content-Disposition'] = \
        "inline; filename*=UTF-8''%s" % quote(case.archive_number +
                                              '-file-index.pdf')
    return response


@view_config(route_name='archive_package', permission=MANAGE)
def archive_package(request):
    """The package as a download; built in a temporary file (memory stays
    flat), sent from there."""
    case = _case(request)
    access.note(request, case.case_number, 'package.zip', how='export')
    settings = request.registry.settings
    tmp = temporary_file(settings)
    try:
        export_package(case, tmp, settings, exported_by=_login(request))
    except Exception:
        tmp.close()
        raise
    size = tmp.tell()
    tmp.seek(0)
    response = Response(content_type='application/zip')
    response.app_iter = FileIter(tmp)
    response.content_length = size
    response.headers['Content-Disposition'] = \
        "attachment; filename*=UTF-8''%s" % quote(case.archive_number +
                                                  '.zip')
    return response


@view_config(route_name='archive_describe', permission=MANAGE,
             request_method='POST', require_csrf=True)
def archive_describe(request):
    case = _case(request)
    try:
        service.describe(case, {k: request.POST.get(k) for k, _t, _l in
                                service.METADATA_FIELDS
                                if k in request.POST},
                         _login(request), request.registry)
    except service.ArchiveError as error:
        _flash(request, error.message, 'error')
    else:
        _flash(request, _('Saved.'))
    return HTTPFound(request.route_url('archive', archive=case.case_number))


# -- borrowing --------------------------------------------------------------------

@view_config(route_name='archive_borrow', permission='staff.view',
             request_method='POST', require_csrf=True)
def archive_borrow(request):
    number = (request.POST.get('archive') or '').strip()
    case = request.root['cases'].get(number)
    if case is None and number:
        catalog = find_catalog(request.root, 'archive')
        found = list(catalog['archive_number'].eq(number).execute().all())
        case = found[0] if found else None
    try:
        service.request_borrowing(request.root, case, _login(request),
                                  request.POST.get('reason'),
                                  request.POST.get('days'))
    except service.ArchiveError as error:
        _flash(request, error.message, 'error')
    else:
        _flash(request, _('Your request has been sent to the archivist.'))
    return HTTPFound(request.route_url('archives'))


@view_config(route_name='archive_borrow_decide', permission=MANAGE,
             request_method='POST', require_csrf=True)
def archive_borrow_decide(request):
    decision = request.matchdict['decision']
    try:
        borrow = service.decide_borrowing(
            request.root, request.matchdict['id'], _login(request),
            decision, request.POST.get('days'),
            request.POST.get('note', ''))
    except service.ArchiveError as error:
        _flash(request, error.message, 'error')
    else:
        _flash(request, _('Saved.'))
        if request.POST.get('back') == 'archive':
            return HTTPFound(request.route_url(
                'archive', archive=borrow.case_number))
    return HTTPFound(request.route_url('archives'))


# -- disposal ---------------------------------------------------------------------

@view_config(route_name='archive_disposal', renderer='archive_disposal.page',
             permission=DISPOSAL)
def archive_disposal(request):
    office = service.get_office(request.root)
    proposals = office.disposals
    expired = service.expired_archives(request.root)
    return _base(request, expired=expired, proposals=proposals,
                 waiting=[p for p in proposals.values()
                          if p.status == 'proposed'],
                 records=sorted(office.destructions.values(),
                                key=lambda r: r['destroyed_at'],
                                reverse=True),
                 expires_on=service.expires_on, today=clock.today(),
                 can_approve=request.has_permission(APPROVE, request.root))


@view_config(route_name='archive_dispose_propose', permission=MANAGE,
             request_method='POST', require_csrf=True)
def archive_dispose_propose(request):
    case = request.root['cases'].get(request.matchdict['archive'])
    try:
        service.propose_disposal(request.root, case, _login(request),
                                 request.POST.get('reason'))
    except service.ArchiveError as error:
        _flash(request, error.message, 'error')
    else:
        _flash(request, _('Destruction proposed; it waits for approval.'))
    return HTTPFound(request.route_url('archive_disposal'))


@view_config(route_name='archive_dispose_decide', permission=APPROVE,
             request_method='POST', require_csrf=True)
def archive_dispose_decide(request):
    approve = request.POST.get('decision') == 'approve'
    try:
        record = service.decide_disposal(
            request.root, request.matchdict['archive'], _login(request),
            approve, request.POST.get('note'), request.registry)
    except service.ArchiveError as error:
        _flash(request, error.message, 'error')
    else:
        if record is not None:
            _flash(request, _('Archive ${number} destroyed; the destruction '
                              'record is kept.', mapping={
                                  'number': record['archive_number']}))
        else:
            _flash(request, _('Destruction rejected.'))
    return HTTPFound(request.route_url('archive_disposal'))


def includeme(config):
    config.add_route('archives', '/archives')
    config.add_route('archive_pending', '/archives/pending')
    config.add_route('archive_disposal', '/archives/disposal')
    config.add_route('archive_borrow', '/archives/borrowing/request')
    config.add_route('archive_borrow_decide',
                     '/archives/borrowing/{id}/{decision}')
    config.add_route('archive_dispose_propose',
                     '/archives/disposal/{archive}/propose')
    config.add_route('archive_dispose_decide',
                     '/archives/disposal/{archive}/decide')
    config.add_route('archive', '/archives/{archive}')
    config.add_route('archive_do', '/archives/{archive}/archive')
    config.add_route('archive_record', '/archives/{archive}/records/{seq}')
    config.add_route('archive_index_pdf',
                     '/archives/{archive}/file-index.pdf')
    config.add_route('archive_package', '/archives/{archive}/package.zip')
    config.add_route('archive_describe', '/archives/{archive}/describe')
    config.scan(__name__)
