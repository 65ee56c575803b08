"""Names every page template may use, added before rendering.

``states`` and ``actions`` translate the machine names kept in cases and
journals into words; the workflow subsystem adds its states' titles to
``registry.casefile_state_titles`` when it loads.
"""
from pyramid.events import BeforeRender, subscriber

from ..catalogue.vocabulary import MATERIAL_FORMS
from ..i18n import _

ACTION_TITLES = {
    'case.created': _('Case created'),
    'material.added': _('Material added'),
    'material.replaced': _('Material replaced'),
    'transition': _('Step taken'),
    'case.routed': _('Routed to the sections'),
    'case.outcome': _('Outcome stated'),
    'document.issued': _('Document issued'),
    'opinion.submitted': _('Review opinion'),
    'clock.stopped': _('Clock stopped'),
    'clock.resumed': _('Clock resumed'),
    'task.extended': _('Limit extended'),
    'inspection.created': _('Inspection job created'),
    'expert.drawn': _('Experts drawn'),
    'expert.opinion': _('Expert opinion'),
    'annotation.added': _('Annotation added'),
    'annotation.replied': _('Annotation replied'),
    'annotation.resolved': _('Annotation resolved'),
    'annotation.told': _('Annotation told to the applicant'),
    'supervision.warning': _('E-supervision warning'),
}



def people_namer(request):
    """``people(login)`` -> the person's name, for journals and lists.

    Journals keep the login (stable, unique); pages show who that is.
    """
    cache = {}

    def people(login):
        if not login:
            return ''
        if login not in cache:
            cache[login] = _name_of(request, login)
        return cache[login]
    return people


def _name_of(request, login):
    """A staff login's title, or the name of an applicant acting online
    (journals name them ``applicant:<account id>``, see casefile.portal)."""
    root = request.root
    if login.startswith('applicant:'):
        portal = root.get('portal')
        accounts = getattr(portal, 'accounts', None)
        account = accounts.get(login.split(':', 1)[1]) if accounts else None
        if account is None:
            return login
        return request.localizer.translate(_(
            '${name} (applicant online)', mapping={'name': account.name}))
    user = root['principals']['users'].get(login)
    return getattr(user, 'title', None) or login


@subscriber(BeforeRender)
def add_globals(event):
    request = event.get('request')
    registry = request.registry if request is not None else None
    event.setdefault('states', getattr(registry, 'casefile_state_titles',
                                       {}))
    event.setdefault('actions', getattr(registry, 'casefile_action_titles',
                                        ACTION_TITLES))
    event.setdefault('forms', MATERIAL_FORMS)
    if registry is not None and hasattr(registry, 'casefile_workflows'):
        event.setdefault('engine', registry.casefile_workflows)
    if request is not None and getattr(request, 'root', None) is not None:
        event.setdefault('people', people_namer(request))
