"""Pages: the organisations, one organisation with its worklist, and the
joint work of a case.

``/organisations`` and ``/organisations/{code}`` are for all staff
(``staff.view``): who the partners are, their sections, users and
calendars is no secret.  An organisation's worklist is a catalog query
over its sections' open tasks filtered by the ``allowed`` index, so a
district's user sees their own tasks there and nobody else's; the lead
section and supervisors see what their ACLs grant.

Joint work pages hang under the case (its ACL decides ``case.view``);
convening, minutes and closing need ``case.chase`` (the lead section); a
conclusion is given by a member of the participating section.
"""
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from substanced.util import find_catalog, find_service

from ..case.model import Case
from ..case.permissions import CASE_VIEW
from ..catalogue.store import catalogue_for, current_catalogue
from ..catalogue.vocabulary import DISTRICTS
from ..security.roles import (
    org_group_name, section_group_name, section_principal,
    user_organisations)
from . import get_organisations
from .joint import (
    CONCLUSIONS, KINDS, JointError, close, convene, possible_participants,
    record_conclusion, record_minutes, sessions_of)
from .model import KINDS as ORG_KINDS

WORKLIST_LIMIT = 100


def _members(root, group_name):
    principals = find_service(root, 'principals')
    group = principals['groups'].get(group_name)
    if group is None:
        return []
    return sorted((u for u in group.members if u is not None),
                  key=lambda u: u.__name__)


def _bureau_sections(catalogue):
    if catalogue is None:
        return []
    return [s for s in catalogue.sections.values()
            if not getattr(s, 'organisation', None)]


def organisation_sections(org, catalogue):
    """``[(code, name)]`` of an organisation's sections."""
    if org.is_bureau:
        return [(s.code, s.name) for s in _bureau_sections(catalogue)]
    return [(s.code, s.name) for s in org.sections]


def organisation_items(org, catalogue):
    if catalogue is None:
        return []
    if org.is_bureau:
        return [i for i in catalogue.items.values() if not i.organisation]
    owned = [i for i in catalogue.items.values() if i.organisation == org.code]
    if org.kind == 'district':
        owned += [i for i in catalogue.items.values()
                  if i.organisation == 'district']
    return owned


def organisation_worklist(request, codes, limit=WORKLIST_LIMIT):
    """Open tasks of the sections ``codes`` that the user may see."""
    catalog = find_catalog(request.root, 'casefile')
    query = (catalog['kind'].eq('task')
             & catalog['state'].any(['waiting', 'in_review',
                                     'awaiting_approval'])
             & catalog['sections'].any(list(codes))
             & catalog['allowed'].allows(request, 'task.view'))
    resultset = query.execute()
    count = len(resultset)
    if not count:
        return 0, []
    return count, list(resultset.sort(catalog['deadline'], limit=limit))


@view_config(route_name='organisations', renderer='organisations.page',
             permission='staff.view')
def organisations_view(request):
    orgs = get_organisations()
    catalogue = current_catalogue(request.root)
    mine = user_organisations(request.user_info.user)
    rows = []
    for org in (orgs or ()):
        sections = organisation_sections(org, catalogue)
        users = {u.__name__ for u in _members(request.root,
                                               org_group_name(org.code))}
        rows.append({'org': org, 'sections': sections,
                     'users': len(users),
                     'items': len(organisation_items(org, catalogue)),
                     'closures': sum(len(y.days) for y in
                                     org.calendar.years.values()),
                     'mine': org.code in mine})
    return {'rows': rows, 'kinds': ORG_KINDS, 'districts': DISTRICTS,
            'configured': orgs is not None}


@view_config(route_name='organisation', renderer='organisation.page',
             permission='staff.view')
def organisation_view(request):
    orgs = get_organisations()
    org = orgs.get(request.matchdict['code']) if orgs is not None else None
    if org is None:
        raise HTTPNotFound()
    catalogue = current_catalogue(request.root)
    sections = organisation_sections(org, catalogue)
    people = []
    for code, name in sections:
        people.append((code, name, _members(request.root,
                                            section_group_name(code))))
    count, tasks = organisation_worklist(request, [c for c, _n in sections])
    calendar = sorted(((d, k) for y in org.calendar.years.values()
                       for d, k in y.days.items()), key=lambda x: x[0])
    from ..site.views import timing_of
    return {'org': org, 'kinds': ORG_KINDS, 'districts': DISTRICTS,
            'sections': people,
            'org_users': _members(request.root, org_group_name(org.code)),
            'items': organisation_items(org, catalogue),
            'calendar': calendar, 'count': count, 'tasks': tasks,
            'timing': timing_of(request),
            'section_names': {c: s.name for c, s in
                              (catalogue.sections.items() if catalogue
                               else ())}}


# -- joint work -------------------------------------------------------------

def _section_names(case):
    catalogue = catalogue_for(case)
    return {c: s.name for c, s in catalogue.sections.items()}


def _my_sections(request, session):
    """Participating sections the signed-in user acts for."""
    principals = set(request.effective_principals)
    return [code for code in session.participants
            if section_principal(code) in principals]


def joint_values(context, request, session=None, error=None):
    sessions = sessions_of(context)
    return {
        'case': context, 'sessions': sessions, 'session': session,
        'kinds': KINDS, 'conclusions': CONCLUSIONS, 'error': error,
        'names': _section_names(context),
        'participants': possible_participants(context),
        'can_chase': bool(request.has_permission('case.chase', context)),
        'mine': _my_sections(request, session) if session is not None
        else [],
        'csrf_token': request.session.get_csrf_token(),
    }


def _session(context, request):
    container = context.get('joint_work')
    session = container.get(request.matchdict['id']) \
        if container is not None else None
    if session is None:
        raise HTTPNotFound()
    return session


def _fail(context, request, session, error, status=400):
    renderer = 'joint_work.page'
    response = render_to_response(
        renderer, joint_values(context, request, session, error),
        request=request)
    response.status_int = status
    return response


@view_config(route_name='joint_list', context=Case, permission=CASE_VIEW,
             renderer='joint_work.page')
def joint_list(context, request):
    return joint_values(context, request)


@view_config(route_name='joint_list', context=Case, permission='case.chase',
             request_method='POST', require_csrf=True)
def joint_new(context, request):
    try:
        session = convene(
            context, request.POST.get('kind'), request.POST.get('topic'),
            request.POST.get('date'), request.POST.get('place'),
            request.POST.getall('participants'), request.POST.getall('items'),
            request.user_info.login, request.registry)
    except JointError as error:
        return _fail(context, request, None, error.message)
    return HTTPFound(request.route_url('joint_view',
                                       number=context.case_number,
                                       id=session.__name__))


@view_config(route_name='joint_view', context=Case, permission=CASE_VIEW,
             renderer='joint_work.page')
def joint_view(context, request):
    return joint_values(context, request, _session(context, request))


@view_config(route_name='joint_minutes', context=Case,
             permission='case.chase', request_method='POST',
             require_csrf=True)
def joint_minutes(context, request):
    session = _session(context, request)
    try:
        record_minutes(context, session, request.POST.get('minutes'),
                       request.user_info.login, request.registry)
    except JointError as error:
        return _fail(context, request, session, error.message)
    return HTTPFound(request.route_url('joint_view',
                                       number=context.case_number,
                                       id=session.__name__))


@view_config(route_name='joint_conclusion', context=Case,
             permission=CASE_VIEW, request_method='POST', require_csrf=True)
def joint_conclusion(context, request):
    session = _session(context, request)
    section = request.POST.get('section')
    if section not in _my_sections(request, session):
        raise HTTPForbidden()
    try:
        record_conclusion(context, session, section,
                          request.POST.get('conclusion'),
                          request.POST.get('text'), request.user_info.login,
                          request.registry)
    except JointError as error:
        return _fail(context, request, session, error.message)
    return HTTPFound(request.route_url('joint_view',
                                       number=context.case_number,
                                       id=session.__name__))


@view_config(route_name='joint_close', context=Case, permission='case.chase',
             request_method='POST', require_csrf=True)
def joint_close(context, request):
    session = _session(context, request)
    try:
        close(context, session, request.user_info.login,
              _section_names(context), request.registry)
    except JointError as error:
        return _fail(context, request, session, error.message, status=409)
    return HTTPFound(request.route_url('joint_view',
                                       number=context.case_number,
                                       id=session.__name__))


def includeme(config):
    config.add_route('organisations', '/organisations')
    config.add_route('organisation', '/organisations/{code}')
    add = config.add_case_route
    add('joint_list', '/joint')
    add('joint_view', '/joint/{id}')
    add('joint_minutes', '/joint/{id}/minutes')
    add('joint_conclusion', '/joint/{id}/conclusion')
    add('joint_close', '/joint/{id}/close')
    config.scan('.views')
