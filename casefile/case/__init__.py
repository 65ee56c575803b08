"""The case folder (办件/案卷): model, journal, materials, intake, pages.

- ``model.py``: ``Case``, the ``cases`` container, sub-containers
- ``journal.py``: the case's own hash-chained journal
- ``material.py``: uploads as blobs, sniffed, hashed, versioned
- ``numbering.py``: conflict-free case numbers
- ``permissions.py``: the permission table a case starts with, as an ACL
- ``service.py``: the operations pages and the API share
- ``intake.py``, ``schemas.py``: the window's intake form
- ``views.py``: the staff pages
"""


def includeme(config):
    config.scan('.model')
    config.scan('.material')
    config.scan('.catalog')
    config.include('.views')
