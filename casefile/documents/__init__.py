"""Official documents under one seal (一枚印章).

Every document the bureau issues for a case (notices, decisions,
certificates, the delivery record) is a record in the case folder
(``casefile.case.document``).  This package turns each record, when it is
issued, into the document the applicant receives:

- ``templates.py``: the bureau's wording, one YAML file per kind in
  ``templates/documents/``, checked with ``file:line`` problems;
- ``render.py``: the A4 PDF (embedded Chinese font, number, date, the seal,
  a QR code to the verification page), stored as a blob on the record;
- ``seal.py``: the round red seal, drawn;
- ``sign.py``: the bureau's digital signature (pyHanko) and the demo key;
- ``verify.py`` and ``views.py``: the download and the public verification
  page (``/verify``).

See ``docs/documents.md``.
"""
import logging

log = logging.getLogger(__name__)


def includeme(config):
    from ..case.document import DocumentIssued
    from .render import on_document_issued, templates_dir
    from .sign import ensure_signing_identity
    from .templates import load_templates
    settings = config.registry.settings
    # A folder with problems stops the start, like a broken catalogue: the
    # message names every problem with file and line.
    config.registry.casefile_document_templates = load_templates(
        templates_dir(settings))
    key, cert, created = ensure_signing_identity(settings)
    if created:
        log.warning('made a DEMO signing key %s and self-signed '
                    'certificate %s: replace them with the bureau\'s own '
                    'for production', key, cert)
    config.add_subscriber(on_document_issued, DocumentIssued)
    config.include('.views')
