"""The supervisors' page of ratings and follow-ups (好差评 回访整改).

Staff pages (the supervision permission on the root): every rating with
its level and comment, and the follow-ups that bad ratings opened, with
their deadlines; a supervisor closes a follow-up by saying what was done.
"""
from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..clock.timing import today
from ..i18n import _
from .model import find_portal
from .ratings import LEVELS, RatingError, rating_summary, resolve


def _values(request, error=None):
    portal = find_portal(request.root)
    ratings = sorted(portal.ratings.values(), key=lambda r: r.created,
                     reverse=True)
    followups = sorted(portal.followups.values(),
                       key=lambda f: (not f.open, f.due))
    return {'summary': rating_summary(request.root), 'ratings': ratings,
            'followups': followups, 'levels': LEVELS, 'today': today(),
            'error': error, 'csrf_token': request.session.get_csrf_token()}


@view_config(route_name='ratings', renderer='portal_ratings.page',
             permission='supervision.view')
def ratings_page(request):
    return _values(request)


@view_config(route_name='ratings_resolve', permission='supervision.view',
             request_method='POST', require_csrf=True)
def ratings_resolve(request):
    try:
        resolve(request.root, request.matchdict['followup'],
                request.POST.get('resolution'), request.user_info.login)
    except RatingError as e:
        response = render_to_response('portal_ratings.page',
                                      _values(request, e.message),
                                      request=request)
        response.status_int = 400
        return response
    request.session.flash(request.localizer.translate(_(
        'Follow-up closed.')), 'success')
    return HTTPFound(request.route_url('ratings'))


def includeme(config):
    config.add_route('ratings', '/supervision/ratings')
    config.add_route('ratings_resolve',
                     '/supervision/ratings/{followup}/resolve')
    config.scan(__name__)
