"""The case folder (办件/案卷): model, journal, materials, intake, pages.

- ``model.py``: ``Case``, the ``cases`` container, sub-containers
- ``journal.py``: the case's own hash-chained journal
- ``material.py``: uploads as blobs, sniffed, hashed, versioned
- ``numbering.py``: conflict-free case numbers
- ``permissions.py``: the names of the permissions case pages check
- ``task.py``, ``document.py``, ``project.py``: item tasks, issued
  documents, projects and their stages
- ``lifecycle.py``: guards and what follows each transition
- ``roles.py``: who plays each local role on each kind of object
- ``service.py``: the operations pages and the API share
- ``intake.py``, ``schemas.py``: the window's intake form
- ``views.py``: the staff pages
"""


def includeme(config):
    config.include('.routes')    # config.add_case_route, for every subsystem
    config.scan('.model')
    config.scan('.material')
    config.scan('.task')
    config.scan('.document')
    config.scan('.project')
    config.scan('.catalog')
    config.include('.catalog')
    config.scan('.lifecycle')   # registers the guards the workflows name
    from . import roles  # noqa: F401  (registers local roles)
    config.include('.views')
