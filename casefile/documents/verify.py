"""Public verification of issued documents: tokens, the index, hashes.

Every issued document gets an unguessable token (16 characters from an
alphabet without look-alikes: about 79 bits).  The QR code on the PDF links
to ``/verify/<token>``; the same token, printed beside the QR code as the
verification code (验证码), can be typed into ``/verify`` together with
the document number.  The sequential document number alone never reveals
anything.

The index (token -> document, document number -> document) is a small
persistent object on the application root, keyed by Substance D object
ids, so that a lookup costs the same with a million documents.
"""
import hashlib
import secrets

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.traversal import find_root
from substanced.objectmap import find_objectmap
from substanced.util import get_oid

TOKEN_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
TOKEN_LENGTH = 16
INDEX_ATTRIBUTE = 'casefile_document_index'
CHUNK = 64 * 1024


def new_token():
    return ''.join(secrets.choice(TOKEN_ALPHABET)
                   for _i in range(TOKEN_LENGTH))


def format_code(token):
    """``ABCD-EFGH-JKMN-PQRS``: the token as people read and type it."""
    return '-'.join(token[i:i + 4] for i in range(0, len(token), 4))


def normalize_code(text):
    """What a person typed (any case, dashes, spaces) as a token."""
    cleaned = ''.join(c for c in (text or '').upper() if c.isalnum())
    return cleaned if len(cleaned) == TOKEN_LENGTH and all(
        c in TOKEN_ALPHABET for c in cleaned) else None


class DocumentIndex(Persistent):
    """token -> oid and document number -> oid."""

    def __init__(self):
        self.tokens = OOBTree()
        self.numbers = OOBTree()

    def add(self, token, number, oid):
        self.tokens[token] = oid
        self.numbers[number] = oid


def normalize_number(text):
    """A document number as people type it: brackets of any kind, spaces,
    with or without the final 号."""
    text = ''.join((text or '').split())
    for old in '[(（［【':
        text = text.replace(old, '〔')
    for old in '])）］】':
        text = text.replace(old, '〕')
    if text and not text.endswith('号'):
        text += '号'
    return text


def ensure_document_index(root):
    """Create the index (at start-up, so that the first issuance does not
    write the root object)."""
    return document_index(root, create=True)


def document_index(root, create=False):
    index = getattr(root, INDEX_ATTRIBUTE, None)
    if index is None and create:
        index = DocumentIndex()
        setattr(root, INDEX_ATTRIBUTE, index)
    return index


def register(case, document):
    """Make ``document`` findable by its token and number."""
    root = find_root(case)
    document_index(root, create=True).add(
        document.verify_token, document.number, get_oid(document))


def _object(root, oid):
    if oid is None:
        return None
    objectmap = find_objectmap(root)
    document = objectmap.object_for(oid) if objectmap is not None else None
    if document is None or getattr(document, 'pdf', None) is None:
        return None
    return document


def find_by_token(root, token):
    index = document_index(root)
    token = normalize_code(token)
    if index is None or token is None:
        return None
    document = _object(root, index.tokens.get(token))
    if document is None or document.verify_token != token:
        return None
    return document


def find_by_number(root, number, code):
    """The document with ``number`` whose verification code is ``code``;
    ``None`` if either is wrong (which one is never told)."""
    index = document_index(root)
    token = normalize_code(code)
    number = normalize_number(number)
    if index is None or token is None or not number:
        return None
    document = _object(root, index.numbers.get(number))
    if document is None or not secrets.compare_digest(
            document.verify_token, token):
        return None
    return document


def case_of(document):
    """The case a document belongs to (document -> container -> case)."""
    container = getattr(document, '__parent__', None)
    return getattr(container, '__parent__', None)


def hash_upload(stream, limit):
    """``(sha256 hex, size)`` of ``stream``, reading at most ``limit + 1``
    bytes: a copy larger than the original cannot be the original."""
    digest = hashlib.sha256()
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def matches(document, stream):
    digest, size = hash_upload(stream, document.size)
    return size == document.size and secrets.compare_digest(
        digest, document.sha256)
