"""Annotations: add, reply, resolve, tell the applicant; each journaled."""
from pyramid.threadlocal import get_current_registry
from substanced.util import set_acl

from ..i18n import _
from ..workflow.engine import get_engine

#: containers of a case whose objects can be viewed and annotated
VIEWABLE = ('materials', 'documents', 'decisions', 'certificates')

MAX_TEXT = 4000


class AnnotationError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _fraction(value):
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise AnnotationError(_('The marked region is not valid.'))
    if not 0.0 <= f <= 1.0:
        raise AnnotationError(_('The marked region is not valid.'))
    return round(f, 4)


def parse_region(x, y, w, h):
    """``(x, y, w, h)`` as fractions of the page, or ``None`` if empty."""
    if all(v in (None, '') for v in (x, y, w, h)):
        return None
    region = tuple(_fraction(v) for v in (x, y, w, h))
    if region[0] + region[2] > 1.0001 or region[1] + region[3] > 1.0001:
        raise AnnotationError(_('The marked region is not valid.'))
    return region


def target_of(annotation):
    """The annotated object (material or document), or ``None``."""
    case = annotation.__parent__.__parent__
    container = case.get(annotation.container)
    return container.get(annotation.material) if container is not None \
        else None


def _next_name(folder):
    n = len(folder) + 1
    while 'a%04d' % n in folder:
        n += 1
    return 'a%04d' % n


def add_annotation(case, container, name, version, page, text, actor,
                   region=None, quote='', tell_applicant=False,
                   registry=None):
    registry = registry or get_current_registry()
    text = (text or '').strip()
    quote = (quote or '').strip()[:1000]
    if not text:
        raise AnnotationError(_('Please write the note.'))
    if len(text) > MAX_TEXT:
        raise AnnotationError(_('The note is too long.'))
    annotation = registry.content.create(
        'Annotation', container, name, version, page, text, actor,
        region=region, quote=quote, tell_applicant=tell_applicant)
    folder = case['annotations']
    key = _next_name(folder)
    folder.add(key, annotation, registry=registry)
    engine = get_engine(registry)
    set_acl(annotation, engine.acl_for(annotation, engine.definition_for(case),
                                       case.state), registry=registry)
    case.touch()
    case.journal.record('annotation.added', actor, target=key, comment=text,
                        data={'container': container, 'material': name,
                              'version': version, 'page': page,
                              'region': list(region) if region else None,
                              'quote': quote,
                              'tell_applicant': bool(tell_applicant)})
    return annotation


def reply(annotation, text, actor):
    text = (text or '').strip()
    if not text:
        raise AnnotationError(_('Please write the reply.'))
    if len(text) > MAX_TEXT:
        raise AnnotationError(_('The note is too long.'))
    annotation.add_reply(actor, text)
    case = annotation.__parent__.__parent__
    case.touch()
    case.journal.record('annotation.replied', actor,
                        target=annotation.__name__, comment=text)


def resolve(annotation, actor):
    if annotation.resolved:
        return
    annotation.resolve(actor)
    case = annotation.__parent__.__parent__
    case.touch()
    case.journal.record('annotation.resolved', actor,
                        target=annotation.__name__)


def take_notes_for_applicant(case, actor=None):
    """The texts of flagged, unresolved, not yet told notes; marks them told.

    Called when the one-time correction notice is issued, so each note
    reaches the applicant once.
    """
    folder = case.get('annotations')
    if folder is None:
        return []
    notes = []
    for name, annotation in sorted(folder.items()):
        if getattr(annotation, 'tell_applicant', False) and not \
                annotation.resolved and not annotation.told:
            annotation.told = True
            notes.append(annotation.text)
            case.journal.record('annotation.told', actor, target=name)
    return notes
