"""The ``casefile`` catalog: structured indexes over cases.

Worklists and filters query these indexes (hypatia, kept by Substance D)
instead of walking the ``cases`` container, so a list costs the same with
ten thousand or a million cases.  ``allowed`` filters by the case's ACL
(per-state permissions) through Substance D's objectmap.
"""
from substanced.catalog import (
    Allowed, Field, Keyword, catalog_factory, indexview, indexview_defaults)

from .model import Case


@catalog_factory('casefile')
class CasefileIndexes:
    case_number = Field()
    state = Field()
    application_code = Field()
    application_kind = Field()
    sections = Keyword()
    items = Keyword()
    applicant_name = Field()
    applicant_identifier = Field()
    created = Field()
    modified = Field()
    creator = Field()
    allowed = Allowed()


@indexview_defaults(catalog_name='casefile')
class CaseIndexViews:
    """Index views return ``default`` for anything that is not a case."""

    def __init__(self, resource):
        self.resource = resource

    def _case(self):
        return self.resource if isinstance(self.resource, Case) else None

    def _attr(self, name, default):
        case = self._case()
        if case is None:
            return default
        return getattr(case, name, default)

    @indexview()
    def case_number(self, default):
        return self._attr('case_number', default)

    @indexview()
    def state(self, default):
        return self._attr('state', default)

    @indexview()
    def application_code(self, default):
        return self._attr('application_code', default)

    @indexview()
    def application_kind(self, default):
        return self._attr('application_kind', default)

    @indexview()
    def sections(self, default):
        value = self._attr('sections', None)
        return list(value) if value else default

    @indexview()
    def items(self, default):
        value = self._attr('item_codes', None)
        return list(value) if value else default

    @indexview()
    def applicant_name(self, default):
        case = self._case()
        return case.applicant.get('name', default) if case else default

    @indexview()
    def applicant_identifier(self, default):
        case = self._case()
        if case is None:
            return default
        return case.applicant.get('identifier') or default

    @indexview()
    def created(self, default):
        return self._attr('created', default)

    @indexview()
    def modified(self, default):
        return self._attr('modified', default)

    @indexview()
    def creator(self, default):
        return self._attr('creator', default)
