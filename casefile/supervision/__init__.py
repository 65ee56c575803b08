"""E-supervision (电子监察) and supervision & assessment (督查考核).

- ``aggregates.py``: decision records and the maintained counters the
  dashboard sums (updated on every task decision and case conclusion);
- ``dashboard.py``: the dashboard's numbers, drill-down and overdue queries;
- ``charts.py``: server-side SVG charts;  ``export.py``: the Excel export;
- ``notify.py``: the warnings of ``casefile supervise`` (journal, in-app
  messages, e-mail) and the per-user message boxes;
- ``views.py``: ``/supervision``, ``/supervision/list``,
  ``/supervision/overdue``, ``/supervision/export.xlsx``, ``/messages``.

See docs/supervision.md.
"""
from ..workflow.engine import Transitioned


def includeme(config):
    from .aggregates import on_transition
    from .notify import unread_messages
    # after the case life cycle's own subscriber (casefile.case, included
    # earlier), which stamps ``decided_on`` and concludes the case
    config.add_subscriber(on_transition, Transitioned)
    config.add_request_method(unread_messages, 'unread_messages',
                              reify=True)
    config.include('.views')
