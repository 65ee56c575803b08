"""One archive per case (一套档案): archiving, retrieval, export, disposal.

- ``scheme.py``: the archive number scheme (``schemas/archive.yaml``)
- ``closure.py``: the closure check, as guards of the ``archive`` step
- ``index.py``: the file index (卷内目录) in the bureau's fixed order
- ``service.py``: archiving, archival metadata, borrowing, disposal
- ``package.py``, ``pdf.py``, ``hashing.py``: the archive package (ZIP,
  metadata.xml, PDFs, SHA-256 and SM3 manifests) and its verification
- ``access.py``: every reading of, and refused change to, an archived case
  is journaled
- ``catalog.py``: the ``archive`` catalog (search by archive number,
  applicant, credit code, matter, item, year, retention)
- ``views.py``: the archivists' and borrowers' pages

Included before ``casefile.workflow``: the workflow files name the
closure guards registered here.
"""
from .scheme import SchemeError, load_scheme, scheme_path  # noqa: F401


def includeme(config):
    from . import closure  # noqa: F401  (registers the guards)
    settings = config.registry.settings
    config.registry.casefile_archive_scheme = load_scheme(
        scheme_path(settings))
    config.scan('.model')
    config.scan('.catalog')
    config.scan('.service')
    config.scan('.access')
    config.add_tween('casefile.archive.access.access_tween_factory',
                     over='pyramid_tm.tm_tween_factory')
    config.include('.views')
