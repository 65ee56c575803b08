"""Documents the bureau produces for a case: notices, decisions, certificates.

Each is a record in the case folder (number, kind, date, the items it
concerns, its text) so that it is journaled, searchable and archived with
the case.  The documents subsystem renders them as signed PDFs under the
one seal; the record is what they are rendered from.
"""
import datetime

from persistent import Persistent
from persistent.mapping import PersistentMapping
from substanced.content import content
from zope.interface import implementer

from ..i18n import _
from .interfaces import ICaseRecord

KINDS = {
    'acceptance_notice': _('Acceptance notice'),
    'correction_notice': _('One-time correction notice'),
    'refusal_notice': _('Notice of refusal to accept'),
    'decision_grant': _('Decision to grant'),
    'decision_deny': _('Decision to deny'),
    'certificate': _('Certificate'),
    'delivery_record': _('Delivery record'),
    'clock_stop_notice': _('Notice of clock stop'),
    'extension_notice': _('Notice of extension'),
    'inspection_notice': _('Notice of site inspection'),
}


@implementer(ICaseRecord)
@content('Case Document', icon='glyphicon glyphicon-file', catalog=True)
class CaseDocument(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, kind, title, number, lines=(), items=(), sections=None,
                 creator=None, data=None):
        self.kind = kind
        self.title = title
        self.number = number
        self.lines = tuple(lines)
        self.items = tuple(items)
        self.sections = tuple(sections) if sections is not None else None
        self.creator = creator
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.data = PersistentMapping(data or {})

    @property
    def text(self):
        return '\n'.join(self.lines)


class DocumentIssued:
    """Sent when a document record has been added to a case; the documents
    subsystem renders it (PDF, seal, QR code, signature) on this event."""

    def __init__(self, case, document, registry):
        self.case = case
        self.document = document
        self.registry = registry
