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

    Returns ``[(worklist, count, objects)]``; objects are cases or tasks.
    """
    info = request.user_info
    catalog = case_catalog(request)
    cases = catalog['kind'].eq('case') & catalog['allowed'].allows(
        request, 'case.view')
    tasks = catalog['kind'].eq('task') & catalog['allowed'].allows(
        request, 'task.view')
    roles = set(info.roles)
    lists = []
    if 'window_clerk' in roles:
        lists.append(Worklist(
            'intake', _('Cases at intake'),
            cases & catalog['state'].any(['submitted', 'correction'])))
    if 'section_reviewer' in roles and info.sections:
        lists.append(Worklist(
            'review', _('Items to review'),
            tasks & catalog['state'].eq('in_review')
            & catalog['sections'].any(info.sections),
            sort_index='created', reverse=False))
    if 'section_head' in roles and info.sections:
        lists.append(Worklist(
            'approve', _('Items awaiting my approval'),
            tasks & catalog['state'].eq('awaiting_approval')
            & catalog['sections'].any(info.sections),
            sort_index='created', reverse=False))
    if info.sections and roles & {'section_reviewer', 'section_head'}:
        lists.append(Worklist(
            'lead', _('Cases my section leads'),
            cases & catalog['state'].eq('in_review')
            & catalog['lead_section'].any(info.sections)))
    if 'issuance_clerk' in roles:
        lists.append(Worklist(
            'issue', _('Results ready for issuance'),
            cases & catalog['state'].eq('decided'),
            sort_index='modified', reverse=False))
    lists.append(Worklist(
        'recent', _('Recently changed cases I may see'), cases,
        sort_index='modified'))
    out = []
    for worklist in lists:
        count, resultset = worklist.results(catalog)
        out.append((worklist, count, list(resultset) if count else []))
    return out


def search_cases(request, text=None, limit=PAGE):
    """Find cases by case number, applicant name or credit code/ID number."""
    catalog = case_catalog(request)
    query = (catalog['kind'].eq('case')
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
