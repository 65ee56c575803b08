"""Supervision across organisations: the dashboard's rows by organisation.

The city wants to see where time is spent, not only inside the bureau:
each organisation's row adds up the rows of its sections (the maintained
aggregates are kept per section, and every section belongs to exactly one
organisation), so the numbers are the same sums the section table shows.
"""
from . import get_organisations, organisation_name
from .model import BUREAU


def section_owner(catalogue, code):
    section = catalogue.sections.get(code) if catalogue is not None else None
    owner = getattr(section, 'organisation', None)
    if owner:
        return owner
    head, dot, _rest = (code or '').partition('.')
    orgs = get_organisations()
    if dot and orgs is not None and head in orgs:
        return head
    return BUREAU


def organisation_rows(section_rows, catalogue, make_row, add_counts):
    """Rows keyed ``(organisation,)``, the bureau first, then in the order
    of organisations.yaml; only organisations with sections in the table."""
    rows = {}
    for row in section_rows:
        owner = section_owner(catalogue, row.key[0])
        if owner == 'district':
            continue   # a placeholder section: nothing is ever routed to it
        target = rows.get(owner)
        if target is None:
            target = rows[owner] = make_row((owner,),
                                            organisation_name(owner))
        add_counts(target.counts, row.counts)
        target.red += row.red
        target.yellow += row.yellow
    orgs = get_organisations()
    order = {BUREAU: -1}
    if orgs is not None:
        order.update({o.code: n for n, o in enumerate(orgs)})
    return sorted(rows.values(), key=lambda r: (order.get(r.key[0], 999),
                                                r.key[0]))
