"""An annotation (批注): a note on one place of one version of a document."""
import datetime

from persistent import Persistent
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from substanced.content import content
from zope.interface import implementer

from ..case.interfaces import ICaseRecord


def now():
    return datetime.datetime.now(datetime.timezone.utc)


@implementer(ICaseRecord)
@content('Annotation', icon='glyphicon glyphicon-comment')
class Annotation(Persistent):
    """A reviewer's note on a page region or a quoted passage.

    ``container``/``material`` name the annotated object in the case
    (``materials``/``m001`` or ``decisions``/``decision_grant-001``);
    ``version`` the version it was made on (generated documents: 1).
    ``region`` is ``(x, y, w, h)`` as fractions of the page, or ``None``.
    """

    __name__ = None
    __parent__ = None
    resolved = False
    resolved_by = None
    resolved_at = None
    told = False

    def __init__(self, container, material, version, page, text, author,
                 region=None, quote='', tell_applicant=False):
        self.container = container
        self.material = material
        self.version = version
        self.page = page
        self.region = tuple(region) if region else None
        self.quote = quote
        self.text = text
        self.author = author
        self.created = now()
        self.tell_applicant = bool(tell_applicant)
        self.replies = PersistentList()

    def add_reply(self, author, text):
        reply = PersistentMapping({'author': author, 'text': text,
                                   'created': now()})
        self.replies.append(reply)
        return reply

    def resolve(self, actor):
        self.resolved = True
        self.resolved_by = actor
        self.resolved_at = now()
