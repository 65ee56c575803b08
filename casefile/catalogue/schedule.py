"""How long an application takes when sections review in parallel (并联审批).

Items of one application run at the same time unless one needs another's
result (前置事项): an item starts when every prerequisite *inside the same
application* has finished.  A prerequisite outside the application (the
施工许可 a 竣工验收备案 needs) is something the applicant already holds; it
does not delay the case and is listed in ``external`` for the guide.

Days are working days from acceptance, planned with the promised or the
statutory limits; the clock subsystem turns them into dates.  Time that
does not count (inspection, expert review, Art. 45) is not planned here.

开办药店 (M-01) with promised limits: the three licences wait for the
business licence, then run side by side; the longest decides the total.

    SC-001 (1) ──┬──> SY-001 (10) ──> finishes day 11   <- critical path
                 ├──> SY-002 (5)  ──> finishes day 6
                 └──> SY-003 (1)  ──> finishes day 2
    levels ((SC-001,), (SY-001, SY-002, SY-003)); one after another: 17
"""
from dataclasses import dataclass

from .vocabulary import LIMIT_KINDS


@dataclass(frozen=True)
class Slot:
    """One item in the plan: when it can start and finish, in working days."""

    item: str
    days: int
    start: int
    finish: int
    level: int
    waits_for: tuple     # prerequisites inside the application


@dataclass(frozen=True)
class Schedule:
    application: str
    which: str           # 'promised' or 'statutory'
    slots: tuple         # in the application's item order
    external: tuple      # (item code, prerequisite outside the application)

    @property
    def total(self):
        """The critical path: when the last item finishes."""
        return max((slot.finish for slot in self.slots), default=0)

    @property
    def sequential(self):
        """The days if every item waited for the one before."""
        return sum(slot.days for slot in self.slots)

    @property
    def levels(self):
        """Item codes by level (0 = no prerequisite inside the application)."""
        depth = max((slot.level for slot in self.slots), default=-1) + 1
        return tuple(tuple(s.item for s in self.slots if s.level == level)
                     for level in range(depth))

    def slot(self, code):
        for slot in self.slots:
            if slot.item == code:
                return slot
        raise KeyError(code)

    @property
    def critical_items(self):
        """The chain of items that decides ``total``, first to last."""
        by_code = {slot.item: slot for slot in self.slots}
        if not by_code:
            return ()
        current = max(self.slots, key=lambda slot: slot.finish)
        chain = [current.item]
        while current.waits_for:
            current = max((by_code[c] for c in current.waits_for),
                          key=lambda slot: slot.finish)
            chain.append(current.item)
        return tuple(reversed(chain))


def plan(items, which, application=''):
    """Plan ``items`` (``model.Item``, prerequisites acyclic: validated)."""
    if which not in LIMIT_KINDS:
        raise ValueError(f'which must be one of {", ".join(LIMIT_KINDS)}, '
                         f'not {which!r}')
    by_code = {item.code: item for item in items}
    done = {}

    def place(code):
        if code in done:
            return done[code]
        item = by_code[code]
        waits_for = tuple(p for p in item.prerequisites if p in by_code)
        before = [place(p) for p in waits_for]
        start = max((slot.finish for slot in before), default=0)
        level = max((slot.level + 1 for slot in before), default=0)
        days = item.limits.days(which)
        done[code] = Slot(code, days, start, start + days, level, waits_for)
        return done[code]

    slots = tuple(place(item.code) for item in items)
    external = tuple((item.code, p) for item in items
                     for p in item.prerequisites if p not in by_code)
    return Schedule(application, which, slots, external)
