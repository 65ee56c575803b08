"""The archive package: one ZIP file per archived case, and its check.

Layout::

    records/0001-01-application-application.pdf   every record, in the
    records/0002-02-intake-acceptance_notice-001.pdf  order of the file
    ...                                            index (卷内目录)
    file-index.pdf          卷内目录 with each record's SHA-256
    reading.pdf             one PDF to read the whole file (see pdf.py)
    metadata.xml            the case, applicant, items, decisions, archive
                            number, retention; per record title, type,
                            date, creator, size and checksums
    manifest-sha256.txt     "<hex>  <path>" for every file above
    manifest-sm3.txt        the same with SM3 (GB/T 32905)
    manifest.sig            the two manifests' SHA-256, signed with the
                            bureau's key (RSA, PKCS#1 v1.5, SHA-256)

The manifests have the layout of ``sha256sum``, so an unpacked package can
also be checked with ``sha256sum -c manifest-sha256.txt``.

Export streams: every record is copied from its blob into the ZIP in
chunks of 1 MB while its checksums are computed, so memory does not grow
with the size of the case (``bench/archive.py`` shows it).
:func:`verify_package` reads the same way and names every file that was
changed, removed or added.
"""
import base64
import datetime
import hashlib
import io
import json
import zipfile
import xml.etree.ElementTree as ET

from . import clock, pdf
from .hashing import CHUNK, Digests, digest_file, sm3_implementation
from .index import file_index, open_stored

MANIFESTS = ('manifest-sha256.txt', 'manifest-sm3.txt')
SIGNATURE = 'manifest.sig'
TAG_FILES = MANIFESTS + (SIGNATURE,)
FORMAT = 'casefile-archive-package/1'
ZIP64_FROM = 1 << 31


def generate(case, entry, settings):
    """The bytes of a generated record."""
    key = entry.source[1]
    if key == 'application':
        return pdf.application_pdf(case, settings)
    if key == 'opinions':
        return pdf.opinions_pdf(case, settings)
    if key == 'annotations':
        return pdf.annotations_pdf(case, settings)
    if key == 'journal':
        return pdf.journal_pdf(case, settings)
    if key == 'journal_data':
        return b''.join(json.dumps(e, ensure_ascii=False, sort_keys=True,
                                   default=str).encode('utf-8') + b'\n'
                        for e in case.journal)
    raise KeyError(key)


class _Writer:
    def __init__(self, zf):
        self.zf = zf
        self.digests = {}     # path -> {'sha256', 'sm3', 'size'}

    def stream(self, path, fileobj, size=None, compress=False):
        info = zipfile.ZipInfo(path, date_time=_zip_time())
        info.compress_type = (zipfile.ZIP_DEFLATED if compress
                              else zipfile.ZIP_STORED)
        info.external_attr = 0o644 << 16
        digests = Digests()
        with self.zf.open(info, 'w', force_zip64=bool(
                size and size >= ZIP64_FROM)) as dest:
            while True:
                chunk = fileobj.read(CHUNK)
                if not chunk:
                    break
                digests.update(chunk)
                dest.write(chunk)
        self.digests[path] = digests.result()
        return self.digests[path]

    def write(self, path, data, compress=True):
        return self.stream(path, io.BytesIO(data), len(data), compress)


def _zip_time():
    now = clock.now().astimezone(clock.TZ)
    return (max(now.year, 1980), now.month, now.day, now.hour, now.minute,
            now.second)


def export_package(case, out, settings, exported_by=None, progress=None):
    """Write the package of archived ``case`` to ``out`` (a path or a
    binary file); return a summary (files, bytes)."""
    if case.state != 'archived':
        raise ValueError('case %s is not archived' % case.case_number)
    entries = file_index(case)
    with zipfile.ZipFile(out, 'w', allowZip64=True) as zf:
        zf.comment = ('%s %s' % (FORMAT, case.archive_number)).encode()
        w = _Writer(zf)
        generated = {}
        for entry in entries:
            if entry.stored:
                with open_stored(case, entry) as f:
                    w.stream(entry.path, f, entry.size)
            else:
                data = generate(case, entry, settings)
                if entry.path.endswith('.pdf'):
                    generated[entry.path] = data
                w.write(entry.path, data,
                        compress=not entry.path.endswith('.pdf'))
            if progress is not None:
                progress(entry)
        index_pdf = pdf.file_index_pdf(case, entries, settings, w.digests)
        w.write('file-index.pdf', index_pdf, compress=False)
        generated['__index__'] = index_pdf
        with pdf.temporary_file(settings) as tmp:
            pdf.reading_pdf(case, entries, generated, w.digests, settings,
                            tmp)
            generated.clear()
            size = tmp.tell()
            tmp.seek(0)
            w.stream('reading.pdf', tmp, size)
        w.write('metadata.xml', metadata_xml(case, entries, w.digests,
                                             exported_by))
        files = sorted(w.digests)
        sha = ''.join('%s  %s\n' % (w.digests[p]['sha256'], p)
                      for p in files).encode('utf-8')
        sm3 = ''.join('%s  %s\n' % (w.digests[p]['sm3'], p)
                      for p in files).encode('utf-8')
        zf.writestr(_info(MANIFESTS[0]), sha)
        zf.writestr(_info(MANIFESTS[1]), sm3)
        zf.writestr(_info(SIGNATURE), sign_manifests(
            {MANIFESTS[0]: sha, MANIFESTS[1]: sm3}, settings))
    return {'files': len(files) + len(TAG_FILES),
            'bytes': sum(d['size'] for d in w.digests.values()),
            'records': len(entries)}


def _info(path):
    info = zipfile.ZipInfo(path, date_time=_zip_time())
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


# -- metadata.xml ---------------------------------------------------------------

def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in
                                          attrs.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def _iso(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec='seconds')
    return str(value or '')


def metadata_xml(case, entries, digests, exported_by=None):
    from ..catalogue.store import catalogue_for
    from .service import expires_on, retention_label
    catalogue = catalogue_for(case)
    root = ET.Element('archive', {'format': FORMAT})
    a = _sub(root, 'archivalDescription')
    _sub(a, 'archiveNumber', case.archive_number)
    _sub(a, 'retention', retention_label(case.retention), code=case.retention)
    _sub(a, 'archivedOn', _iso(case.archived_on))
    _sub(a, 'archivedBy', getattr(case, 'archived_by', ''))
    ends = expires_on(case)
    _sub(a, 'retentionEnds', ends.isoformat() if ends else '')
    for key, value in sorted((getattr(case, 'archive_metadata', None)
                              or {}).items()):
        _sub(a, 'note', value, key=key)
    _sub(a, 'exportedOn', _iso(clock.now()))
    if exported_by:
        _sub(a, 'exportedBy', exported_by)
    c = _sub(root, 'case')
    _sub(c, 'caseNumber', case.case_number)
    _sub(c, 'matter', case.application_name, code=case.application_code,
         kind=case.application_kind)
    _sub(c, 'created', _iso(case.created))
    _sub(c, 'accepted', _iso(getattr(case, 'accepted_at', None)))
    _sub(c, 'state', 'archived')
    applicant = _sub(root, 'applicant')
    for key in ('name', 'kind', 'identifier', 'contact', 'phone'):
        if case.applicant.get(key):
            _sub(applicant, key, case.applicant.get(key))
    items = _sub(root, 'items')
    tasks = {t.item_code: t for t in case.tasks()}
    for code in case.item_codes:
        item = catalogue.items.get(code)
        task = tasks.get(code)
        _sub(items, 'item', item.name if item else code, code=code,
             section=item.section if item else None,
             retention=item.retention if item else None,
             outcome=task.state if task else None)
    decisions = _sub(root, 'decisions')
    for container in ('decisions', 'certificates'):
        for document in case[container].values():
            _sub(decisions, 'document', document.title, kind=document.kind,
                 number=document.number, items=','.join(document.items),
                 date=_iso(document.created))
    delivery = getattr(case, 'delivery', None)
    if delivery:
        _sub(root, 'delivery', delivery.get('recipient'),
             method=delivery.get('method'), when=delivery.get('when'))
    records = _sub(root, 'records')
    for e in entries:
        d = digests.get(e.path, {})
        r = _sub(records, 'record', seq=e.seq, group=e.group)
        _sub(r, 'title', e.title)
        _sub(r, 'type', e.kind, mimetype=e.mimetype)
        if e.number:
            _sub(r, 'number', e.number)
        _sub(r, 'date', _iso(e.date))
        _sub(r, 'creator', e.creator)
        _sub(r, 'file', e.path)
        _sub(r, 'size', d.get('size', e.size))
        _sub(r, 'checksum', d.get('sha256', e.sha256), algorithm='SHA-256')
        if d.get('sm3'):
            _sub(r, 'checksum', d['sm3'], algorithm='SM3')
    ET.indent(root)
    return ET.tostring(root, encoding='utf-8', xml_declaration=True)


# -- signing and verifying ------------------------------------------------------

def _signed_text(manifests):
    return ''.join('%s  %s\n' % (hashlib.sha256(manifests[name]).hexdigest(),
                                 name) for name in MANIFESTS).encode()


def sign_manifests(manifests, settings):
    """``manifest.sig``: the manifests' SHA-256 and the bureau's signature
    over them."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from ..documents.sign import _passphrase, signing_paths
    text = _signed_text(manifests)
    key_path, _cert = signing_paths(settings)
    with open(key_path, 'rb') as f:
        key = serialization.load_pem_private_key(f.read(),
                                                 password=_passphrase())
    signature = key.sign(text, padding.PKCS1v15(), hashes.SHA256())
    return text + b'signature ' + base64.b64encode(signature) + b'\n'


def load_public_key(settings):
    from cryptography import x509
    from ..documents.sign import signing_paths
    _key, cert_path = signing_paths(settings)
    with open(cert_path, 'rb') as f:
        return x509.load_pem_x509_certificate(f.read()).public_key()


class Problem:
    def __init__(self, kind, path, detail=''):
        self.kind = kind        # changed | missing | added | unsigned
        self.path = path
        self.detail = detail

    def __str__(self):
        return '%s: %s%s' % (self.kind, self.path,
                             ' (%s)' % self.detail if self.detail else '')


def _parse_manifest(data, name):
    entries = {}
    for number, line in enumerate(data.decode('utf-8').splitlines(), 1):
        digest, sep, path = line.partition('  ')
        if not sep or not path or len(digest) != 64 or any(
                ch not in '0123456789abcdef' for ch in digest):
            raise ValueError('line %d is not "<hex>  <path>"' % number)
        entries[path] = digest
    return entries


def verify_package(path, public_key=None):
    """Every problem of the package at ``path`` (empty: intact).

    Without ``public_key`` the signature over the manifests is not checked
    (a problem ``unsigned`` says so).
    """
    problems = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return [Problem('unreadable', str(path), str(error))]
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        present = set(names)
        manifests = {}
        for name in MANIFESTS:
            if name not in present:
                problems.append(Problem('missing', name))
            else:
                manifests[name] = zf.read(name)
        if SIGNATURE not in present:
            problems.append(Problem('missing', SIGNATURE))
        listed = {}
        for name, data in manifests.items():
            try:
                listed[name] = _parse_manifest(data, name)
            except (ValueError, UnicodeDecodeError) as error:
                problems.append(Problem('changed', name, str(error)))
        if len(manifests) == len(MANIFESTS) and SIGNATURE in present:
            problems += _check_signature(zf.read(SIGNATURE), manifests,
                                         public_key)
        expected = {}
        for name, entries in listed.items():
            algorithm = 'sha256' if name == MANIFESTS[0] else 'sm3'
            for file, digest in entries.items():
                expected.setdefault(file, {})[algorithm] = digest
        for file in sorted(expected):
            if file not in present:
                problems.append(Problem('missing', file))
                continue
            with zf.open(file) as f:
                try:
                    got = digest_file(f)
                except (zipfile.BadZipFile, OSError) as error:
                    problems.append(Problem('changed', file, str(error)))
                    continue
            for algorithm, digest in expected[file].items():
                if got[algorithm] != digest:
                    problems.append(Problem('changed', file, '%s differs'
                                            % algorithm.upper()))
                    break
        for file in sorted(present - set(expected) - set(TAG_FILES)):
            problems.append(Problem('added', file))
        if len(names) != len(present):
            problems.append(Problem('added', '(a file name appears twice)'))
    return problems


def _check_signature(sig, manifests, public_key):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    text, sep, rest = sig.partition(b'signature ')
    problems = []
    try:
        signature = base64.b64decode(rest.strip(), validate=True)
        lines = dict((name, digest) for digest, name in (
            line.split('  ', 1) for line in text.decode().splitlines()))
    except (ValueError, UnicodeDecodeError):
        return [Problem('changed', SIGNATURE, 'unreadable')]
    if not sep or set(lines) != set(MANIFESTS):
        return [Problem('changed', SIGNATURE, 'unreadable')]
    if public_key is None:
        problems.append(Problem('unsigned', SIGNATURE,
                                'no certificate given: signature not '
                                'checked'))
    else:
        try:
            public_key.verify(signature, text, padding.PKCS1v15(),
                              hashes.SHA256())
        except InvalidSignature:
            return [Problem('changed', SIGNATURE,
                            'the signature does not match')]
    for name in MANIFESTS:
        if hashlib.sha256(manifests[name]).hexdigest() != lines[name]:
            problems.append(Problem('changed', name,
                                    'does not match the signed digest'))
    return problems


def describe_algorithms():
    return 'SHA-256, SM3 (%s)' % sm3_implementation()
