"""好差评: the applicant rates the service once the case is completed.

Five levels (非常满意 5 … 非常不满意 1) and a comment.  The two lowest
levels open a **follow-up** for the supervisors with a deadline of
``FOLLOWUP_DAYS`` working days: a supervisor contacts the applicant, finds
out what went wrong and records what was done; an open follow-up past its
deadline is shown in red.

:func:`rating_summary` is what the supervision dashboard shows (the
interface the supervision subsystem reads): counts per level, the
satisfaction rate, the average, and the follow-ups open and overdue.
"""
import datetime

from persistent import Persistent

from ..clock import add_working_days
from ..clock.timing import today
from ..i18n import _
from .model import find_portal, new_id

LEVELS = {
    5: _('Very satisfied'),
    4: _('Satisfied'),
    3: _('Fairly satisfied'),
    2: _('Dissatisfied'),
    1: _('Very dissatisfied'),
}

#: levels that open a follow-up (差评)
BAD_LEVELS = (1, 2)

#: working days a supervisor has to follow a bad rating up
FOLLOWUP_DAYS = 5

MAX_COMMENT = 500


class RatingError(ValueError):
    def __init__(self, message):
        super().__init__('rating')
        self.message = message


class Rating(Persistent):
    def __init__(self, case_number, account_id, level, comment, sections):
        self.case_number = case_number
        self.account_id = account_id
        self.level = level
        self.comment = comment
        self.sections = tuple(sections)
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.followup = None


class FollowUp(Persistent):
    """A bad rating a supervisor must follow up by ``due``."""

    def __init__(self, followup_id, case_number, level, comment, due):
        self.id = followup_id
        self.case_number = case_number
        self.level = level
        self.comment = comment
        self.created = datetime.datetime.now(datetime.timezone.utc)
        self.due = due
        self.resolution = None
        self.resolved_by = None
        self.resolved_on = None

    @property
    def open(self):
        return self.resolution is None

    def overdue(self, now=None):
        return self.open and (now or today()) > self.due


def rate(root, case, account, level, comment, actor=None):
    """Record the applicant's rating of a completed case; return it."""
    portal = find_portal(root)
    if case.state != 'completed':
        raise RatingError(_('You can rate the service once the case is '
                            'completed.'))
    if case.case_number in portal.ratings:
        raise RatingError(_('This case has already been rated. Thank '
                            'you.'))
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in LEVELS:
        raise RatingError(_('Please choose one of the five levels.'))
    comment = (comment or '').strip()
    if len(comment) > MAX_COMMENT:
        raise RatingError(_('The comment may have at most 500 characters.'))
    if level in BAD_LEVELS and not comment:
        raise RatingError(_('Please tell us what went wrong, so that it '
                            'can be put right.'))
    rating = Rating(case.case_number, account.id, level, comment,
                    case.sections)
    if level in BAD_LEVELS:
        followup = FollowUp(new_id('f-', portal.followups), case.case_number,
                            level, comment,
                            add_working_days(today(), FOLLOWUP_DAYS))
        portal.followups[followup.id] = followup
        rating.followup = followup.id
    portal.ratings[case.case_number] = rating
    case.journal.record('rating.given', actor, comment=comment,
                        data={'level': level, 'followup': rating.followup})
    return rating


def resolve(root, followup_id, resolution, actor):
    portal = find_portal(root)
    followup = portal.followups.get(followup_id)
    if followup is None:
        raise RatingError(_('This follow-up does not exist.'))
    if not followup.open:
        raise RatingError(_('This follow-up is already closed.'))
    resolution = (resolution or '').strip()
    if not resolution:
        raise RatingError(_('Please say how the rating was followed up.'))
    followup.resolution = resolution[:2000]
    followup.resolved_by = actor
    followup.resolved_on = today()
    case = root['cases'].get(followup.case_number)
    if case is not None:
        case.journal.record('rating.followed_up', actor, comment=resolution,
                            data={'followup': followup.id})
    return followup


def rating_summary(root, start=None, end=None, now=None):
    """Ratings given between ``start`` and ``end`` (dates, inclusive).

    ``{'count', 'levels': {level: n}, 'average', 'satisfied_rate',
    'bad', 'open_followups', 'overdue_followups', 'by_section':
    {code: {'count', 'average'}}}``; rates are ``None`` without ratings.
    """
    portal = root.get('portal') if hasattr(root, 'get') else None
    levels = {level: 0 for level in LEVELS}
    by_section = {}
    count = total = 0
    if portal is not None:
        for rating in portal.ratings.values():
            day = rating.created.date()
            if (start and day < start) or (end and day > end):
                continue
            count += 1
            total += rating.level
            levels[rating.level] += 1
            for code in rating.sections:
                row = by_section.setdefault(code, {'count': 0, 'sum': 0})
                row['count'] += 1
                row['sum'] += rating.level
    followups = list(portal.followups.values()) if portal is not None else []
    return {
        'count': count,
        'levels': levels,
        'average': round(total / count, 2) if count else None,
        'satisfied_rate': round((levels[5] + levels[4]) / count, 4)
        if count else None,
        'bad': levels[1] + levels[2],
        'open_followups': sum(1 for f in followups if f.open),
        'overdue_followups': sum(1 for f in followups if f.overdue(now)),
        'by_section': {code: {'count': row['count'],
                              'average': round(row['sum'] / row['count'], 2)}
                       for code, row in by_section.items()},
    }
