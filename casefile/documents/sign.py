"""The bureau's digital signature on every issued PDF (pyHanko).

The key and certificate are files named by the settings
``casefile.signing_key`` and ``casefile.signing_cert`` (PEM); by default
``<var_dir>/signing/bureau-key.pem`` and ``bureau-cert.pem``.  When neither
exists, a demo identity is made on the first start: an RSA key (mode 0600)
and a self-signed certificate in the bureau's name, valid ten years.  A
production installation puts the key and certificate its CA issued at those
paths (an encrypted key's passphrase comes from the environment variable
``CASEFILE_SIGNING_PASSPHRASE``; ``casefile.signing_chain`` names optional
intermediate certificates).

Every PDF is signed once, when its document is issued: any PDF reader shows
it as signed by the bureau and unaltered since; one changed byte breaks
the signature.
"""
import datetime
import io
import os
import tempfile
import threading

PASSPHRASE_ENV = 'CASEFILE_SIGNING_PASSPHRASE'
KEY_SETTING = 'casefile.signing_key'
CERT_SETTING = 'casefile.signing_cert'
CHAIN_SETTING = 'casefile.signing_chain'
FIELD_NAME = 'BureauSeal'
DEFAULT_BUREAU = '鞍山市行政审批局'

_lock = threading.Lock()
_signers = {}     # (key, cert, mtimes) -> SimpleSigner


def signing_paths(settings):
    """``(key_path, cert_path)`` from the settings (defaults in var_dir)."""
    from ..config import var_dir
    base = os.path.join(var_dir(settings), 'signing')
    key = settings.get(KEY_SETTING) or os.path.join(base, 'bureau-key.pem')
    cert = settings.get(CERT_SETTING) or os.path.join(base,
                                                      'bureau-cert.pem')
    return os.path.abspath(key), os.path.abspath(cert)


def _write_new(path, data, mode):
    """Write ``data`` to ``path`` unless it exists (atomic, race-free)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.new-')
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.link(tmp, path)       # fails if another process was first
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def make_certificate(key, bureau=DEFAULT_BUREAU, years=10, demo=True):
    """A self-signed certificate for ``key`` in the bureau's name."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID
    common = bureau + ('（演示证书）' if demo else '')
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'CN'),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, '辽宁省'),
        x509.NameAttribute(NameOID.LOCALITY_NAME, '鞍山市'),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, bureau),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    public = key.public_key()
    return (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                           critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public),
                           critical=False)
            .sign(key, hashes.SHA256()))


def ensure_signing_identity(settings, bureau=None):
    """Make the demo key and certificate where none exist.

    Returns ``(key_path, cert_path, created)``.  Safe when several
    processes start at once: the first one's files win.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    bureau = bureau or settings.get('casefile.bureau_name') or DEFAULT_BUREAU
    key_path, cert_path = signing_paths(settings)
    created = False
    if not os.path.exists(key_path):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        created = _write_new(key_path, pem, 0o600)
    if not os.path.exists(cert_path):
        with open(key_path, 'rb') as f:
            key = serialization.load_pem_private_key(
                f.read(), password=_passphrase())
        cert = make_certificate(key, bureau)
        created = _write_new(cert_path, cert.public_bytes(
            serialization.Encoding.PEM), 0o644) or created
    return key_path, cert_path, created


def _passphrase():
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode('utf-8') if value else None


def load_signer(settings):
    """The pyHanko signer for the configured key (cached per process)."""
    from pyhanko.sign import signers
    key_path, cert_path = signing_paths(settings)
    chain = [p for p in (settings.get(CHAIN_SETTING) or '').split() if p]
    stamp = (key_path, cert_path, tuple(chain),
             os.path.getmtime(key_path), os.path.getmtime(cert_path))
    with _lock:
        signer = _signers.get(stamp)
        if signer is None:
            signer = signers.SimpleSigner.load(
                key_path, cert_path, ca_chain_files=chain or None,
                key_passphrase=_passphrase())
            if signer is None:
                raise RuntimeError('cannot load the signing key %s and '
                                   'certificate %s' % (key_path, cert_path))
            _signers.clear()
            _signers[stamp] = signer
        return signer


def load_certificate(settings):
    """The signing certificate (asn1crypto), e.g. as a trust root."""
    from pyhanko.keys import load_cert_from_pemder
    return load_cert_from_pemder(signing_paths(settings)[1])


def sign_pdf(data, settings, reason='', location='鞍山市', name=None):
    """``data`` (a PDF) signed with the bureau's key: the signed bytes."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    signer = load_signer(settings)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=reason or None, location=location,
        name=name or settings.get('casefile.bureau_name') or DEFAULT_BUREAU,
        md_algorithm='sha256')
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def validate(data, trust_roots):
    """The pyHanko status of the (first) signature of ``data``."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    reader = PdfFileReader(io.BytesIO(data))
    signature = reader.embedded_signatures[0]
    context = ValidationContext(trust_roots=list(trust_roots))
    return validate_pdf_signature(signature, context)
