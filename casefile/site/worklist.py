"""Worklists (待办): catalog queries per role, never a walk over all cases.

Each worklist is a named query over the ``casefile`` catalog, filtered by
the ``allowed`` index so that a list only ever shows cases the user may
view in their current state.  The life-cycle workflow adds its states to
these queries; the clock adds deadline sorting.
"""
import datetime

from hypatia.query import And
from substanced.util import find_catalog

from ..i18n import _

PAGE = 50
#: the "recently changed" list looks this far back: without a bound it
#: would check the permission of every case the city ever had
RECENT_DAYS = 30


def permitted(catalog, request, permission, *filters):
    """``filters`` ANDed, then the permission check last.

    The ``allowed`` index checks each candidate's ACL one by one, so it
    must see the few documents the other indexes leave, never all cases:
    hypatia intersects in the order given.
    """
    return And(*(filters + (catalog['allowed'].allows(request,
                                                      permission),)))


class Worklist:
    def __init__(self, name, title, query, sort_index='created',
                 reverse=True):
        self.name = name
        self.title = title
        self.query = query
        self.sort_index = sort_index
        self.reverse = reverse

    def results(self, catalog, limit=PAGE, light=None, yellow_days=3):
        query = self.query
        if light in ('red', 'yellow'):
            query = query & light_query(catalog, light, yellow_days)
        resultset = query.execute()
        count = len(resultset)
        if count:
            resultset = resultset.sort(catalog[self.sort_index],
                                       reverse=self.reverse, limit=limit)
        return count, resultset


def light_query(catalog, light, yellow_days):
    """Red: the deadline has passed; yellow: it is at most ``yellow_days``
    working days away.  Range queries on the ``deadline`` index."""
    from ..clock import add_working_days
    from ..clock.timing import today
    now = today()
    if light == 'red':
        return catalog['deadline'].lt(now)
    return catalog['deadline'].inrange(now, add_working_days(now,
                                                             yellow_days))


def recent_since():
    return (datetime.datetime.now(datetime.timezone.utc)
            - datetime.timedelta(days=RECENT_DAYS))


def yellow_days(request):
    return int(request.registry.settings.get('casefile.yellow_days', 3))


def case_catalog(request):
    return find_catalog(request.root, 'casefile')


def worklists_for(request, light=None):
    """The worklists of the signed-in user, in the order the home page shows.

    Returns ``[(worklist, count, objects)]``; objects are cases or tasks,
    sorted by deadline where a clock runs; ``light`` keeps only the red or
    yellow ones.
    """
    info = request.user_info
    catalog = case_catalog(request)
    is_case = catalog['kind'].eq('case')
    is_task = catalog['kind'].eq('task')

    def cases(*filters):
        return permitted(catalog, request, 'case.view', is_case, *filters)

    def tasks(*filters):
        return permitted(catalog, request, 'task.view', is_task, *filters)
    roles = set(info.roles)
    lists = []
    if 'window_clerk' in roles:
        lists.append(Worklist(
            'intake', _('Cases at intake'),
            cases(catalog['state'].any(['submitted', 'correction'])),
            sort_index='deadline', reverse=False))
    if 'section_reviewer' in roles and info.sections:
        lists.append(Worklist(
            'review', _('Items to review'),
            tasks(catalog['state'].eq('in_review'),
                  catalog['sections'].any(info.sections)),
            sort_index='deadline', reverse=False))
    if 'section_head' in roles and info.sections:
        lists.append(Worklist(
            'approve', _('Items awaiting my approval'),
            tasks(catalog['state'].eq('awaiting_approval'),
                  catalog['sections'].any(info.sections)),
            sort_index='deadline', reverse=False))
    if info.sections and roles & {'section_reviewer', 'section_head'}:
        lists.append(Worklist(
            'lead', _('Cases my section leads'),
            cases(catalog['state'].eq('in_review'),
                  catalog['lead_section'].any(info.sections)),
            sort_index='deadline', reverse=False))
    if 'issuance_clerk' in roles:
        lists.append(Worklist(
            'issue', _('Results ready for issuance'),
            cases(catalog['state'].eq('decided')),
            sort_index='deadline', reverse=False))
    lists.append(Worklist(
        'recent', _('Recently changed cases I may see'),
        cases(catalog['modified'].ge(recent_since())),
        sort_index='modified'))
    if light in ('red', 'yellow'):
        lists = [w for w in lists if w.sort_index == 'deadline']
    out = []
    days = yellow_days(request)
    for worklist in lists:
        count, resultset = worklist.results(catalog, light=light,
                                            yellow_days=days)
        out.append((worklist, count, list(resultset) if count else []))
    return out


def search_cases(request, text=None, limit=PAGE):
    """Find cases by case number, applicant name or credit code/ID number."""
    catalog = case_catalog(request)
    filters = (catalog['kind'].eq('case'),)
    text = (text or '').strip()
    if text:
        filters += (catalog['case_number'].eq(text.upper())
                    | catalog['applicant_name'].eq(text)
                    | catalog['applicant_identifier'].eq(text.upper()),)
    query = permitted(catalog, request, 'case.view', *filters)
    resultset = query.execute()
    count = len(resultset)
    if not count:
        return 0, []
    return count, list(resultset.sort(catalog['created'], reverse=True,
                                      limit=limit))
