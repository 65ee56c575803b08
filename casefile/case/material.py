"""Materials: uploaded files kept as ZODB blobs, every version retained.

A material is what the applicant submits for one entry of the merged
materials list (e.g. 营业执照副本).  Its bytes live in ZODB blobs; its MIME
type is sniffed from the content, never taken from the browser; its SHA-256
is computed while streaming so that the archive and the journal can prove
later that nothing changed.  Replacing the file adds a version: earlier
versions stay with who, when and why.

Validation happens before anything is added to the case, so a rejected
upload leaves no trace (the tests assert it).
"""
import datetime
import hashlib
import os
import re
import unicodedata

import filetype
from persistent import Persistent
from persistent.list import PersistentList
from ZODB.blob import Blob

from substanced.content import content
from zope.interface import implementer

from ..i18n import _
from .interfaces import ICaseRecord

CHUNK = 1 << 16

#: extension -> MIME types that the sniffed content may have
TYPES = {
    'pdf': ('application/pdf',),
    'jpg': ('image/jpeg',),
    'jpeg': ('image/jpeg',),
    'png': ('image/png',),
    'docx': ('application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document',),
    'xlsx': ('application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet',),
    'doc': ('application/msword', 'application/x-ole-storage',
            'application/CDFV2'),
    'txt': ('text/plain',),
}

DEFAULT_ALLOWED = ('pdf', 'jpg', 'jpeg', 'png')


class UploadError(ValueError):
    """A rejected upload: ``code`` for the API, ``message`` for people."""

    def __init__(self, code, message, mapping=None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.mapping = mapping or {}


def sanitize_filename(name):
    """Keep a readable file name, drop any path and control characters."""
    name = (name or '').replace('\\', '/').split('/')[-1]
    name = unicodedata.normalize('NFC', name)
    name = ''.join(ch for ch in name
                   if unicodedata.category(ch)[0] != 'C')
    name = re.sub(r'[<>:"|?*]', '_', name).strip(' .')
    return name[:200] or 'file'


def sniff(head):
    """The MIME type of the first bytes of a file, from their content."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head.startswith(b'\xd0\xcf\x11\xe0'):
        return 'application/x-ole-storage'
    try:
        head.decode('utf-8')
    except UnicodeDecodeError:
        # a multi-byte character may be cut at the end of the sample
        try:
            head[:-3].decode('utf-8')
        except UnicodeDecodeError:
            return 'application/octet-stream'
    if b'\x00' in head:
        return 'application/octet-stream'
    return 'text/plain'


class StoredUpload:
    """An upload streamed into a new blob and checked; not yet in a case."""

    def __init__(self, blob, filename, size, mimetype, sha256):
        self.blob = blob
        self.filename = filename
        self.size = size
        self.mimetype = mimetype
        self.sha256 = sha256


def store_upload(fileobj, filename, allowed_types=DEFAULT_ALLOWED,
                 max_bytes=20 * 1024 * 1024):
    """Stream ``fileobj`` into a blob, checking size, emptiness and type.

    Raises :class:`UploadError` before the caller adds anything anywhere.
    """
    filename = sanitize_filename(filename)
    ext = os.path.splitext(filename)[1].lower().lstrip('.')
    allowed = [t.lower() for t in allowed_types]
    if ext not in allowed or ext not in TYPES:
        raise UploadError(
            'type-not-allowed',
            _('The file type "${ext}" is not accepted for this material. '
              'Please upload one of: ${allowed}.'),
            {'ext': ext or '?', 'allowed': ', '.join(allowed)})
    # A request retried after a ZODB conflict (pyramid_retry) parses the
    # same upload again: the first attempt read it to the end.  Read it
    # from the start each time, or the retry would store an empty file.
    try:
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError):
        pass
    blob = Blob()
    digest = hashlib.sha256()
    size = 0
    head = b''
    with blob.open('w') as out:
        while True:
            chunk = fileobj.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise UploadError(
                    'too-large',
                    _('The file is larger than ${limit} MB. Please reduce '
                      'it (e.g. scan at a lower resolution) and upload '
                      'again.'),
                    {'limit': max_bytes // (1024 * 1024)})
            if len(head) < 8192:
                head += chunk[:8192 - len(head)]
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise UploadError('empty', _('The file is empty. Please choose the '
                                     'right file and upload again.'))
    mimetype = sniff(head)
    if mimetype not in TYPES[ext]:
        raise UploadError(
            'content-mismatch',
            _('The content of "${name}" is not a ${ext} file. Please check '
              'the file and upload it again in the right format.'),
            {'name': filename, 'ext': ext})
    return StoredUpload(blob, filename, size, mimetype, digest.hexdigest())


class MaterialVersion(Persistent):
    def __init__(self, number, upload, uploaded_by, reason=''):
        self.number = number
        self.blob = upload.blob
        self.filename = upload.filename
        self.size = upload.size
        self.mimetype = upload.mimetype
        self.sha256 = upload.sha256
        self.uploaded_by = uploaded_by
        self.uploaded_at = datetime.datetime.now(datetime.timezone.utc)
        self.reason = reason

    def open(self):
        return self.blob.open('r')


@implementer(ICaseRecord)
@content('Material', icon='glyphicon glyphicon-file', catalog=True)
class Material(Persistent):
    """One submitted material of a case, with all its versions."""

    __name__ = None
    __parent__ = None

    def __init__(self, title, material_code='', items=()):
        self.title = title
        self.material_code = material_code
        self.items = tuple(items)
        self.versions = PersistentList()

    def add_version(self, upload, uploaded_by, reason=''):
        version = MaterialVersion(len(self.versions) + 1, upload,
                                  uploaded_by, reason)
        self.versions.append(version)
        return version

    @property
    def current(self):
        return self.versions[-1] if self.versions else None

    # conveniences used by templates and indexes
    @property
    def filename(self):
        return self.current.filename

    @property
    def size(self):
        return self.current.size

    @property
    def mimetype(self):
        return self.current.mimetype

    @property
    def sha256(self):
        return self.current.sha256
