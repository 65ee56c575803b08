"""The ``archive`` catalog: what archivists search archives by.

Kept apart from the ``casefile`` catalog (worklists) so that the archive
adds its indexes without touching the case's; it indexes only archived
cases (everything else gets the index's default and is left out).
Free text (a part of an applicant's name, archive number or credit code)
is matched against each index's distinct values, never by loading cases.
"""
from substanced.catalog import (
    Field, Keyword, catalog_factory, indexview, indexview_defaults)

from ..case.model import Case


@catalog_factory('archive')
class ArchiveIndexes:
    archive_number = Field()
    retention = Field()
    year = Field()
    applicant_name = Field()
    applicant_identifier = Field()
    application_code = Field()
    items = Keyword()
    archived_on = Field()


@indexview_defaults(catalog_name='archive')
class ArchiveIndexViews:
    def __init__(self, resource):
        self.case = resource if isinstance(resource, Case) and getattr(
            resource, 'archive_number', None) else None

    def _get(self, default, func):
        return default if self.case is None else func(self.case)

    @indexview()
    def archive_number(self, default):
        return self._get(default, lambda c: c.archive_number)

    @indexview()
    def retention(self, default):
        return self._get(default, lambda c: c.retention)

    @indexview()
    def year(self, default):
        return self._get(default, lambda c: c.archive_year)

    @indexview()
    def applicant_name(self, default):
        return self._get(default, lambda c: c.applicant.get('name') or '')

    @indexview()
    def applicant_identifier(self, default):
        return self._get(default,
                         lambda c: c.applicant.get('identifier') or '')

    @indexview()
    def application_code(self, default):
        return self._get(default, lambda c: c.application_code)

    @indexview()
    def items(self, default):
        return self._get(default, lambda c: list(c.item_codes))

    @indexview()
    def archived_on(self, default):
        return self._get(default, lambda c: c.archived_on.isoformat())


def ensure_archive_catalog(root):
    """Add the catalog to a database made before the archive existed."""
    from substanced.util import find_service
    catalogs = find_service(root, 'catalogs')
    if 'archive' not in catalogs:
        catalogs.add_catalog('archive', update_indexes=True)
        return True
    return False
