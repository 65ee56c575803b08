"""The item catalogue (事项清单): sections, items, matters, projects.

The catalogue is bureau data under ``schemas/catalogue/`` (see
``docs/catalogue.md``), validated with file and line (``validate.py``),
modelled as immutable objects (``model.py``) and stored in ZODB as
numbered versions (``store.py``) so that cases keep the version they were
accepted under.  Public service guides and staff references are views.
"""


def includeme(config):
    config.scan('.store')
    config.include('.views')
