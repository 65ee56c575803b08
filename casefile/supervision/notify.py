"""E-supervision warnings (电子监察预警): journal, in-app messages, e-mail.

:func:`run_supervision` is what ``casefile supervise`` (cron) does: for
every open task and case whose light is yellow or red (the catalog's
``deadline`` index, as in the worklists), it

- records ``supervision.warning`` in the case's journal;
- leaves a message for the people responsible: the reviewers and heads of
  the task's section; for a case, those of its lead section while it is
  in review, the window clerks while it is at intake, the issuance clerks
  once it is decided;
- sends each of them one e-mail listing their new warnings (through
  pyramid_mailer: ``mail.host``, ``mail.port``, ``mail.default_sender``).

Not spamming: a target (a case, or one item of a case) is warned once per
light change (green → yellow, yellow → red) and never twice on one day;
when it leaves yellow/red (decided, extended, clock stopped) the memory is
cleared, so a later change is told again.  Running twice is harmless.

Messages are kept per user in the ZODB root (``casefile_messages``), the
newest last; ``request.unread_messages`` counts the unread ones.
"""
import datetime
import logging

import transaction
from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories
from substanced.util import find_catalog, find_service
from ZODB.POSException import ConflictError

from ..clock import working_days_between
from ..clock.timing import today
from ..i18n import _
from ..security.roles import user_roles, user_sections
from .aggregates import get_store
from .dashboard import light_ids

log = logging.getLogger(__name__)

MESSAGES_KEY = 'casefile_messages'

#: the journal action this module records, and its title for journal pages
WARNING_ACTION = 'supervision.warning'
WARNING_TITLE = _('E-supervision warning')
KEEP_MESSAGES = 500     # per user; older ones are dropped


# -- messages -----------------------------------------------------------------

class MessageBox(Persistent):
    """One user's messages: ``{seq: dict}``, read up to ``read_upto``."""

    def __init__(self):
        self.messages = IOBTree()
        self.read_upto = 0

    def add(self, message):
        seq = (self.messages.maxKey() + 1) if len(self.messages) else 1
        message = dict(message, seq=seq)
        self.messages[seq] = message
        while len(self.messages) > KEEP_MESSAGES:
            del self.messages[self.messages.minKey()]
        return message

    def unread(self):
        return len(self.messages.keys(min=self.read_upto + 1))

    def latest(self, limit=100):
        keys = list(self.messages.keys())[-limit:]
        return [self.messages[k] for k in reversed(keys)]

    def mark_read(self):
        if len(self.messages) and self.read_upto != self.messages.maxKey():
            self.read_upto = self.messages.maxKey()


def message_boxes(zodb_root, create=False):
    boxes = zodb_root.get(MESSAGES_KEY)
    if boxes is None and create:
        boxes = zodb_root[MESSAGES_KEY] = OOBTree()
    return boxes


def message_box(zodb_root, login, create=False):
    boxes = message_boxes(zodb_root, create)
    if boxes is None:
        return None
    box = boxes.get(login)
    if box is None and create:
        box = boxes[login] = MessageBox()
    return box


def unread_messages(request):
    """``request.unread_messages``: the signed-in user's unread count."""
    login = request.authenticated_userid and getattr(
        request.user_info, 'login', None)
    if not login:
        return 0
    try:
        zodb_root = request.root._p_jar.root()
    except AttributeError:
        return 0
    box = message_box(zodb_root, login)
    return box.unread() if box is not None else 0


def message_text(message):
    """The message as a translatable string (for pages and e-mail)."""
    mapping = {'case': message.get('case'), 'item': message.get('item_name'),
               'application': message.get('application'),
               'deadline': message.get('deadline'),
               'days': abs(message.get('remaining') or 0)}
    if message.get('item'):
        if message.get('light') == 'red':
            return _('Overdue: item "${item}" of case ${case} has passed '
                     'its promised deadline ${deadline} by ${days} working '
                     'days.', mapping=mapping)
        return _('Due soon: item "${item}" of case ${case} must be decided '
                 'by ${deadline} (${days} working days left).',
                 mapping=mapping)
    if message.get('light') == 'red':
        return _('Overdue: case ${case} (${application}) has passed its '
                 'deadline ${deadline} by ${days} working days.',
                 mapping=mapping)
    return _('Due soon: case ${case} (${application}) is due by '
             '${deadline} (${days} working days left).', mapping=mapping)


# -- who is responsible ---------------------------------------------------------

SECTION_ROLES = ('section_reviewer', 'section_head')


class Staff:
    """The users by role and section, read once per run."""

    def __init__(self, root):
        users = find_service(root, 'principals')['users']
        self.people = []
        for user in users.values():
            self.people.append((user.__name__, set(user_roles(user)),
                                set(user_sections(user)),
                                getattr(user, 'email', None)))
        self.emails = {login: email for login, _r, _s, email in self.people}

    def with_role(self, roles, section=None):
        return sorted(login for login, r, s, _e in self.people
                      if r & set(roles) and (section is None
                                             or section in s))


def responsible(staff, obj, case):
    """Logins to warn about ``obj`` (a task, or the case itself)."""
    if obj is not case:
        return staff.with_role(SECTION_ROLES, obj.section)
    if case.state in ('submitted', 'correction'):
        return staff.with_role(('window_clerk',))
    if case.state == 'decided':
        return staff.with_role(('issuance_clerk',))
    return staff.with_role(SECTION_ROLES, case.lead_section)


# -- the run ----------------------------------------------------------------------

def localizer_for(registry):
    locale = registry.settings.get('pyramid.default_locale_name', 'zh_CN')
    dirs = registry.queryUtility(ITranslationDirectories, default=[])
    return make_localizer(locale, dirs)


def _targets(root, yellow_days, now):
    """``[(docid, light)]`` of every yellow or red case and task."""
    catalog = find_catalog(root, 'casefile')
    kinds = catalog['kind']._rev_index
    seen = {}
    for light in ('red', 'yellow'):
        for docid in light_ids(catalog, light, yellow_days, now):
            if kinds.get(docid) in ('task', 'case') and docid not in seen:
                seen[docid] = light
    return sorted(seen.items())


def _warn(root, docid, light, now, store, staff, localizer, summary, out):
    """Warn about one target unless already warned; return its key."""
    obj = root.__objectmap__.object_for(docid)
    if obj is None:
        return None
    is_task = getattr(obj, 'item_code', None) is not None
    case = obj.case if is_task else obj
    if is_task and (obj.decided or case.state != 'in_review'):
        return None
    deadline = find_catalog(root, 'casefile')['deadline']._rev_index.get(
        docid)
    if deadline is None:
        return None
    key = (case.case_number, obj.item_code if is_task else '')
    summary[light] += 1
    previous = store.warned.get(key)
    if previous is not None and (previous['light'] == light
                                 or previous['on'] == now.isoformat()):
        return key
    remaining = (-working_days_between(deadline, now) if light == 'red'
                 else working_days_between(now, deadline))
    message = {
        'kind': WARNING_ACTION, 'light': light,
        'when': datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        'case': case.case_number, 'application': case.application_name,
        'item': obj.item_code if is_task else '',
        'item_name': obj.item_name if is_task else '',
        'section': obj.section if is_task else case.lead_section,
        'deadline': deadline.isoformat(), 'remaining': remaining,
    }
    text = localizer.translate(message_text(message))
    recipients = responsible(staff, obj, case)
    case.journal.record(WARNING_ACTION, 'system',
                        target=key[1] or case.case_number, comment=text,
                        data={'light': light, 'deadline': deadline.isoformat(),
                              'remaining': remaining,
                              'notified': recipients})
    zodb_root = root._p_jar.root()
    for login in recipients:
        message_box(zodb_root, login, create=True).add(message)
        out.setdefault(login, []).append(text)
    store.warned[key] = {'light': light, 'on': now.isoformat()}
    summary['warnings'] += 1
    summary['messages'] += len(recipients)
    return key


def run_supervision(root, registry, now=None, yellow_days=None,
                    send_mail=True, batch=200, attempts=5, echo=None):
    """One e-supervision round; commits in batches; returns a summary."""
    now = now or today()
    if yellow_days is None:
        yellow_days = int(registry.settings.get('casefile.yellow_days', 3))
    localizer = localizer_for(registry)
    tm = transaction.manager
    store = get_store(root, create=True)
    zodb_root = root._p_jar.root()
    message_boxes(zodb_root, create=True)
    tm.get().note('casefile: supervise (setup)')
    tm.commit()
    staff = Staff(root)
    targets = _targets(root, yellow_days, now)
    summary = {'red': 0, 'yellow': 0, 'warnings': 0, 'messages': 0,
               'mails': 0, 'mail_failures': 0, 'conflicts': 0}
    current, mails = set(), {}
    for start in range(0, len(targets), batch):
        chunk = targets[start:start + batch]
        for attempt in range(attempts):
            counts = dict.fromkeys(summary, 0)
            out, keys = {}, set()
            try:
                for docid, light in chunk:
                    key = _warn(root, docid, light, now, store, staff,
                                localizer, counts, out)
                    if key is not None:
                        keys.add(key)
                tm.get().note('casefile: supervise %s' % now.isoformat())
                tm.commit()
            except ConflictError:
                tm.abort()
                summary['conflicts'] += 1
                if attempt == attempts - 1:
                    raise
                continue
            for name in ('red', 'yellow', 'warnings', 'messages'):
                summary[name] += counts[name]
            current |= keys
            for login, texts in out.items():
                mails.setdefault(login, []).extend(texts)
            break
    for attempt in range(attempts):
        try:
            for key in [k for k in store.warned.keys() if k not in current]:
                del store.warned[key]
            tm.get().note('casefile: supervise (forget cleared lights)')
            tm.commit()
            break
        except ConflictError:
            tm.abort()
    if send_mail and mails:
        send_mails(registry, staff, mails, localizer, summary, now, echo)
    return summary


def send_mails(registry, staff, mails, localizer, summary, now, echo=None):
    """One e-mail per person with all their new warnings; after commit, so
    a mail never announces a warning that was not recorded."""
    from pyramid_mailer import get_mailer
    from pyramid_mailer.message import Message
    mailer = get_mailer(registry)
    for login, texts in sorted(mails.items()):
        email = staff.emails.get(login)
        if not email:
            continue
        subject = localizer.translate(_(
            'E-supervision: ${count} new warnings (${date})',
            mapping={'count': len(texts), 'date': now.isoformat()}))
        intro = localizer.translate(_(
            'The following cases and items need your attention:'))
        body = '\n'.join([intro, ''] + ['- ' + t for t in texts])
        try:
            mailer.send_immediately(Message(subject=subject,
                                            recipients=[email], body=body))
            summary['mails'] += 1
        except Exception as exc:   # SMTP down: the warnings stand
            summary['mail_failures'] += 1
            log.warning('e-supervision mail to %s failed: %s', email, exc)
            if echo is not None:
                echo('mail to %s failed: %s' % (email, exc))
