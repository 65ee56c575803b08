"""The applicant portal (网上办理 · 进度查询 · 好差评).

- ``model.py``: the ``portal`` container -- accounts, drafts, ratings,
  follow-ups -- kept apart from the staff principals
- ``auth.py``: registration (credit code / ID number checked), sign-in
  with its own throttle, the applicant's session
- ``apply.py``: finding a matter or stage, the one form as a draft,
  uploads, material reuse, submission through the window's intake
- ``progress.py``: the plain-Chinese timeline, the notices an applicant
  receives, the progress query by case number and query code
- ``ratings.py``: 好差评 and the supervisors' follow-ups of bad ratings
  (``rating_summary`` feeds the supervision dashboard)
- ``views.py``: the applicant's pages under ``/portal``;
  ``followups.py``: the supervisors' ratings page

See ``docs/portal.md``.
"""

#: journal actions this package records, with their titles for staff pages
ACTION_TITLES = {}


def includeme(config):
    from ..i18n import _
    from ..site.globals import ACTION_TITLES as SITE_TITLES
    from .auth import current_account
    ACTION_TITLES.update({
        'rating.given': _('Rated by the applicant'),
        'rating.followed_up': _('Rating followed up'),
        'portal.claimed': _('Linked to the applicant\'s online account'),
    })
    # the journal pages' titles: join whatever other subsystems added
    registry = config.registry
    titles = dict(getattr(registry, 'casefile_action_titles', None)
                  or SITE_TITLES)
    titles.update(ACTION_TITLES)
    registry.casefile_action_titles = titles
    config.add_request_method(current_account, 'applicant', reify=True)
    config.scan('.model')
    config.include('.views')
    config.include('.followups')
