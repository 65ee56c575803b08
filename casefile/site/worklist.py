"""Worklists (待办): catalog queries per role, never a walk over all cases.

Each worklist is a named query over the ``casefile`` catalog, filtered by
the ``allowed`` index so that a list only ever shows cases the user may
view in their current state.  The life-cycle workflow adds its states to
these queries; the clock adds deadline sorting.
"""
from substanced.util import find_catalog

from ..i18n import _

PAGE = 50


class Worklist:
    def __init__(self, name, title, query, sort_index='created',
                 reverse=True):
        self.name = name
        self.title = title
        self.query = query
        self.sort_index = sort_index
        self.reverse = reverse

    def results(self, catalog, limit=PAGE):
        resultset = self.query.execute()
        count = len(resultset)
        if count:
            resultset = resultset.sort(catalog[self.sort_index],
                                       reverse=self.reverse, limit=limit)
        return count, resultset


def case_catalog(request):
    return find_catalog(request.root, 'casefile')


def worklists_for(request):
    """The worklists of the signed-in user, in the order the home page shows.

    Returns ``[(worklist, count, cases)]``.
    """
    info = request.user_info
    catalog = case_catalog(request)
    allowed = catalog['allowed'].allows(request, 'case.view')
    lists = []
    if 'window_clerk' in info.roles:
        lists.append(Worklist(
            'intake', _('Cases at intake'),
            catalog['state'].eq('draft') & allowed))
    if info.sections:
        lists.append(Worklist(
            'section', _('Cases of my section'),
            catalog['sections'].any(info.sections) & allowed))
    lists.append(Worklist(
        'recent', _('Recently changed cases I may see'),
        catalog['application_kind'].any(['matter', 'stage']) & allowed,
        sort_index='modified'))
    out = []
    for worklist in lists:
        count, resultset = worklist.results(catalog)
        out.append((worklist, count, list(resultset) if count else []))
    return out


def search_cases(request, text=None, limit=PAGE):
    """Find cases by case number, applicant name or credit code/ID number."""
    catalog = case_catalog(request)
    query = (catalog['application_kind'].any(['matter', 'stage'])
             & catalog['allowed'].allows(request, 'case.view'))
    text = (text or '').strip()
    if text:
        query = query & (catalog['case_number'].eq(text.upper())
                         | catalog['applicant_name'].eq(text)
                         | catalog['applicant_identifier'].eq(text.upper()))
    resultset = query.execute()
    count = len(resultset)
    if not count:
        return 0, []
    return count, list(resultset.sort(catalog['created'], reverse=True,
                                      limit=limit))
