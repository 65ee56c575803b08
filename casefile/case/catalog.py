"""The ``casefile`` catalog: structured indexes over cases and item tasks.

Worklists and filters query these indexes (hypatia, kept by Substance D)
instead of walking the ``cases`` container, so a list costs the same with
ten thousand or a million cases.  ``allowed`` filters by each object's ACL
(its workflow state's permission table) through Substance D's objectmap.
``kind`` tells cases from tasks; the other indexes mean the same for both
(a task's ``sections`` is its own section, its ``state`` the task state).
"""
import datetime

from substanced.catalog import (
    Allowed, Field, Keyword, catalog_factory, indexview, indexview_defaults)

from .model import Case
from .task import ItemTask


@catalog_factory('casefile')
class CasefileIndexes:
    kind = Field()
    case_number = Field()
    state = Field()
    application_code = Field()
    application_kind = Field()
    sections = Keyword()
    lead_section = Field()
    items = Keyword()
    applicant_name = Field()
    applicant_identifier = Field()
    created = Field()
    modified = Field()
    creator = Field()
    deadline = Field()
    allowed = Allowed()
    # e-supervision (casefile.supervision): what a decision looked like
    decided_on = Field()
    on_time = Field()
    clock_marks = Keyword()
    # organisations (casefile.organisation): a task's own, a case's all
    organisations = Keyword()


@indexview_defaults(catalog_name='casefile')
class CaseIndexViews:
    """Index views return ``default`` for anything but cases and tasks."""

    def __init__(self, resource):
        self.resource = resource
        if isinstance(resource, Case):
            self.case, self.task = resource, None
        elif isinstance(resource, ItemTask):
            self.case, self.task = resource.case, resource
        else:
            self.case = self.task = None

    @indexview()
    def kind(self, default):
        if self.task is not None:
            return 'task'
        return 'case' if self.case is not None else default

    @indexview()
    def case_number(self, default):
        return self.case.case_number if self.case is not None else default

    @indexview()
    def state(self, default):
        obj = self.task or self.case
        return (obj.state or default) if obj is not None else default

    @indexview()
    def application_code(self, default):
        return self.case.application_code if self.case else default

    @indexview()
    def application_kind(self, default):
        if self.task is not None or self.case is None:
            return default
        return self.case.application_kind

    @indexview()
    def sections(self, default):
        if self.task is not None:
            return [self.task.section]
        if self.case is not None and self.case.sections:
            return list(self.case.sections)
        return default

    @indexview()
    def organisations(self, default):
        if self.task is not None:
            return [getattr(self.task, 'organisation', 'bureau')]
        if self.case is not None:
            return list(getattr(self.case, 'organisations', ('bureau',)))
        return default

    @indexview()
    def lead_section(self, default):
        if self.case is None or self.task is not None:
            return default
        return self.case.lead_section or default

    @indexview()
    def items(self, default):
        if self.task is not None:
            return [self.task.item_code]
        if self.case is not None and self.case.item_codes:
            return list(self.case.item_codes)
        return default

    @indexview()
    def applicant_name(self, default):
        if self.case is None:
            return default
        return self.case.applicant.get('name', default)

    @indexview()
    def applicant_identifier(self, default):
        if self.case is None:
            return default
        return self.case.applicant.get('identifier') or default

    @indexview()
    def created(self, default):
        obj = self.task or self.case
        return obj.created if obj is not None else default

    @indexview()
    def modified(self, default):
        return self.case.modified if self.case is not None else default

    @indexview()
    def creator(self, default):
        return self.case.creator if self.case is not None else default

    @indexview()
    def deadline(self, default):
        """The promised deadline of an open task or of the case's current
        phase; ``date.max`` while none runs (paused, not started), so that
        worklists sort by it and "red"/"yellow" are range queries."""
        from ..clock.timing import case_timing, task_timing
        if self.task is not None:
            if self.task.decided:
                return default
            timing = task_timing(self.task)
        elif self.case is not None:
            timing = case_timing(self.case)
        else:
            return default
        if timing.light == 'done':
            return default
        return timing.deadline if timing.light in (
            'green', 'yellow', 'red') else datetime.date.max

    # -- e-supervision (see casefile.supervision.aggregates) ----------------
    # A decided task (a concluded case) keeps the snapshot taken when it was
    # decided; these views read it, so drill-down lists count exactly what
    # the maintained aggregates counted.

    def _decision(self):
        from ..supervision.aggregates import case_record, task_record
        if self.task is not None:
            return task_record(self.task) if self.task.decided else None
        if self.case is not None and self.case.outcome is not None:
            return case_record(self.case)
        return None

    @indexview()
    def decided_on(self, default):
        record = self._decision()
        if record is None:
            return default
        return datetime.date.fromisoformat(record['decided_on'])

    @indexview()
    def on_time(self, default):
        record = self._decision()
        return default if record is None else bool(record['on_time'])

    @indexview()
    def clock_marks(self, default):
        """'extended' and/or 'stopped' for a decision that used them."""
        record = self._decision()
        if record is None:
            return default
        marks = [m for m, used in (('extended', record['extended']),
                                   ('stopped', record['stops'])) if used]
        return marks or default


def no_filter_box_text(resource, default):
    """Keep case records out of the system catalog's text index.

    Substance D indexes every object's name, split on punctuation, for the
    management interface's filter box.  For case records that adds new
    words at every intake (case numbers, dates), and a new word gets the
    next word id in the lexicon: every simultaneous intake appended to the
    same lexicon bucket, and its splits made them conflict.  Staff find
    cases through the worklists and the full-text search (Whoosh), which
    index far more than names.
    """
    return default


def includeme(config):
    from .interfaces import ICaseRecord
    config.add_indexview(no_filter_box_text, catalog_name='system',
                         index_name='text', context=ICaseRecord)
