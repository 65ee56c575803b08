"""The staff search page (全文检索), its Excel export, saved searches and
``GET /api/search``.

All of them answer through :func:`casefile.search.search_cases`, so the
page, the export, the API and the command line see the same hits under
the same permissions.  Saved searches are kept per user in the database
(``root.search_saved``: user id → list of {name, query string}).
"""
import datetime
import io
from urllib.parse import parse_qsl, urlencode

from BTrees.OOBTree import OOBTree
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config

from ..i18n import _
from .query import QueryError

PERMISSION = 'case.search'
PAGE_SIZE = 20
#: the facets the page offers and the filter key each sets
FACETS = ('state', 'section', 'matter', 'year', 'light', 'archived')
EXPORT_LIMIT = 5000
MAX_SAVED = 50

HELP = _('Words separated by spaces must all occur; "exact phrase"; '
         'A OR B; -word excludes; filters such as state:closed, '
         'section:market, year:2024, date:2024-01-01..2024-06-30.')


def includeme(config):
    config.add_route('search', '/search')
    config.add_route('search_export', '/search/export.xlsx')
    config.add_route('search_saved', '/search/saved')
    config.add_route('search_saved_delete', '/search/saved/{index}/delete')
    config.add_route('api_search', '/api/search')
    config.scan('.views')


def request_filters(request):
    filters = {}
    for key in FACETS + ('item', 'date_from', 'date_to', 'organisation',
                         'district', 'retention', 'archive_number'):
        value = request.params.get(key, '').strip()
        if value:
            filters[key] = value
    return filters


def saved_for(request, create=False):
    root = request.root
    store = getattr(root, 'search_saved', None)
    if store is None:
        if not create:
            return []
        store = root.search_saved = OOBTree()
    key = str(request.authenticated_userid)
    found = store.get(key)
    if found is None and create:
        found = store[key] = PersistentList()
    return found if found is not None else []


def _run(request, page_size=PAGE_SIZE, page=None):
    from . import search_cases
    q = request.params.get('q', '').strip()
    filters = request_filters(request)
    sort = 'date' if request.params.get('sort') == 'date' else 'relevance'
    try:
        page = page or max(1, int(request.params.get('page', '1') or 1))
    except ValueError:
        page = 1
    if not q and not filters:
        return q, filters, sort, None, None
    try:
        results = search_cases(request, q, filters, sort=sort, page=page,
                               page_size=page_size)
    except QueryError:
        return q, filters, sort, None, _(
            'The query cannot be read: check the quotes, dates '
            '(YYYY-MM-DD) and filters.')
    return q, filters, sort, results, None


def _facet_choices(request):
    from ..catalogue.store import current_catalogue
    states = getattr(request.registry, 'casefile_state_titles', {})
    try:
        catalogue = current_catalogue(request.root)
        sections = [(s.code, s.name) for s in catalogue.sections.values()]
        matters = [(m.code, m.name) for m in catalogue.matters.values()] \
            if hasattr(catalogue, 'matters') else []
    except Exception:
        sections, matters = [], []
    this_year = datetime.date.today().year
    return {
        'state': sorted(states.items()),
        'section': sections,
        'matter': matters,
        'year': [(str(y), str(y)) for y in range(this_year,
                                                  this_year - 10, -1)],
        'light': [('green', _('Light green')), ('yellow', _('Light yellow')),
                  ('red', _('Light red'))],
        'archived': [('yes', _('Archived cases only')), ('no', _('Cases not archived'))],
    }


@view_config(route_name='search', renderer='search.page',
             permission=PERMISSION, request_method='GET')
def search_page(request):
    q, filters, sort, results, error = _run(request)
    if error:
        request.response.status_int = 400
    base = {k: v for k, v in request.params.items() if k != 'page'}

    def page_url(n):
        return request.route_url('search', _query=dict(base, page=n))
    return {
        'q': q, 'filters': filters, 'sort': sort, 'results': results,
        'error': error, 'help': HELP, 'choices': _facet_choices(request),
        'facets': FACETS, 'page_url': page_url,
        'export_url': request.route_url('search_export', _query=base),
        'query_string': urlencode(base),
        'saved': list(saved_for(request)),
        'csrf_token': request.session.get_csrf_token(),
    }


@view_config(route_name='search_export', permission=PERMISSION,
             request_method='GET')
def export(request):
    """The hits (up to EXPORT_LIMIT) as an Excel workbook."""
    import html
    import re
    from openpyxl import Workbook
    q, filters, sort, results, error = _run(request,
                                            page_size=EXPORT_LIMIT, page=1)
    localizer = request.localizer
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = localizer.translate(_('Search results'))
    sheet.append([localizer.translate(t) for t in (
        _('Case number'), _('Title'), _('State'), _('Date'),
        _('Text around the hit'), _('Link to the case'))])
    states = getattr(request.registry, 'casefile_state_titles', {})
    for hit in (results.hits if results else ()):
        text = html.unescape(re.sub(r'<[^>]+>', '', hit['snippet']))
        sheet.append([hit['case_number'], hit['title'],
                      localizer.translate(states.get(hit['state'],
                                                     hit['state'])),
                      hit['date'] or '', text, hit['url']])
    for column, width in zip('ABCDEF', (22, 40, 12, 12, 60, 50)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    name = 'search-%s.xlsx' % datetime.date.today().isoformat()
    return Response(
        body=out.getvalue(),
        content_type='application/vnd.openxmlformats-officedocument.'
                     'spreadsheetml.sheet',
        content_disposition='attachment; filename="%s"' % name)


@view_config(route_name='search_saved', permission=PERMISSION,
             request_method='POST', require_csrf=True)
def save_search(request):
    name = request.POST.get('name', '').strip()[:80]
    # only the search's own parameters, re-encoded (never a raw string)
    query = urlencode([(k, v) for k, v in parse_qsl(
        request.POST.get('query', '')[:2000])
        if k in ('q', 'sort') + FACETS + ('item', 'date_from', 'date_to')])
    if not name or not query:
        request.session.flash(_('Give the search a name.'), 'error')
        return HTTPFound(request.route_url('search') + '?' + query)
    saved = saved_for(request, create=True)
    for entry in list(saved):
        if entry['name'] == name:
            saved.remove(entry)
    saved.insert(0, PersistentMapping(name=name, query=query))
    del saved[MAX_SAVED:]
    request.session.flash(_('Search saved.'), 'success')
    return HTTPFound(request.route_url('search') + '?' + query)


@view_config(route_name='search_saved_delete', permission=PERMISSION,
             request_method='POST', require_csrf=True)
def delete_saved(request):
    saved = saved_for(request)
    try:
        index = int(request.matchdict['index'])
        del saved[index]
    except (ValueError, IndexError, TypeError):
        pass
    return HTTPFound(request.route_url('search'))


@view_config(route_name='api_search', permission=PERMISSION,
             request_method='GET')
def api_search(request):
    """``GET /api/search?q=...[&state=..&section=..&sort=date&page=2]``"""
    from ..api.errors import ApiError, json_response
    q, filters, sort, results, error = _run(request)
    if error:
        raise ApiError(400, 'invalid-query', error)
    if results is None:
        return json_response(request, {'total': 0, 'hits': []})
    return json_response(request, {
        'total': results.total,
        'exact': results.exact,
        'page': results.page,
        'hits': [{'case_number': h['case_number'], 'title': h['title'],
                  'snippet': str(h['snippet']), 'url': h['url'],
                  'state': h['state'], 'date': h['date'],
                  'score': h['score']} for h in results.hits]})

