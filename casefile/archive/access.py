"""Who read or tried to change an archived case: the access record.

Every request whose context is an archived case (its page, a material, a
document, the API) and every reading through the archive pages is written
to the case's journal: who, when, what (the address) and how it ended.
Reads are journaled as ``archive.view``; a request that tried to change
something and was refused (403, 409, ...) as ``archive.refused``.

The entry is written after the response, in a transaction of its own: a
refused request's transaction is aborted, and the record of the refusal
must survive it.  ``note_context`` runs while the request's transaction
is still open and notes which archived case the request is about.
"""
import logging

from pyramid.events import ContextFound, subscriber

log = logging.getLogger(__name__)
SAFE = ('GET', 'HEAD')


@subscriber(ContextFound)
def note_context(event):
    request = event.request
    context = request.context
    from ..case.model import Case
    if isinstance(context, Case) and context.state == 'archived':
        note(request, context.case_number, request.path)


def note(request, case_number, what, how=None):
    """Have the access to ``case_number`` journaled after the response."""
    user = getattr(request, 'user_info', None)
    request.environ['casefile.archive_access'] = (
        case_number, what, how,
        getattr(user, 'login', None) if user else None)


def access_tween_factory(handler, registry):
    def access_tween(request):
        response = handler(request)
        noted = request.environ.get('casefile.archive_access')
        if noted is not None:
            try:
                _record(request, registry, response, *noted)
            except Exception:   # the response must not fail for the record
                log.exception('could not journal the access to %s',
                              noted[0])
        return response
    return access_tween


def _record(request, registry, response, case_number, what, how, login):
    from .service import write_access
    status = response.status_int
    if request.method in SAFE:
        if status >= 300:
            return          # not shown: a redirect to login, a 403, a 404
        action = how or 'view'
    else:
        action = 'refused' if status >= 400 else (how or 'request')
    db = registry._zodb_databases['']
    write_access(db, case_number, login or 'anonymous', action, what,
                 {'method': request.method, 'status': status})
