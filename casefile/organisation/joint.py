"""Joint work (变独立审批为联合审批): one meeting or one visit, one record.

Instead of each section and organisation reviewing on its own and the
applicant explaining the same project several times, the lead section
convenes a **joint review meeting** (联合审查会议) or a **joint inspection**
(联合踏勘) with the sections concerned -- the bureau's and other
organisations' alike.  The case keeps one record of it (``joint_work``
container): who took part, the one set of minutes written by the lead
section, and each participant's own conclusion (agree / agree with
conditions / disagree, with reasons).  Closing it issues the minutes with
every conclusion as one numbered document in the case folder; every step
is journaled.

Rules (each tested): only the lead section convenes, writes the minutes
and closes; at least two participants; a participant records only its own
section's conclusion, once; closing needs the minutes and every
conclusion; a closed record does not change.
"""
import datetime

from persistent import Persistent
from persistent.mapping import PersistentMapping
from pyramid.threadlocal import get_current_registry
from substanced.content import content
from zope.interface import implementer

from ..case import lifecycle
from ..case.interfaces import ICaseRecord
from ..events import notify_modified
from ..i18n import _

KINDS = {'meeting': _('Joint review meeting'),
         'inspection': _('Joint inspection')}
KIND_TITLES = {'meeting': '联合审查会议纪要', 'inspection': '联合踏勘记录'}
CONCLUSIONS = {'agree': _('Agree'),
               'conditions': _('Agree with conditions'),
               'disagree': _('Disagree')}
CONCLUSION_TEXT = {'agree': '同意', 'conditions': '有条件同意',
                   'disagree': '不同意'}
CONTAINER = 'joint_work'
INSPECTION_SECTION = 'site_inspection'


class JointError(ValueError):
    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec='seconds')


@implementer(ICaseRecord)
@content('Joint Work', icon='glyphicon glyphicon-user')
class JointWork(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, kind, topic, date, place, participants, items,
                 convened_by):
        self.kind = kind
        self.topic = topic
        self.date = date
        self.place = place
        self.participants = tuple(participants)
        self.items = tuple(items)
        self.convened_by = convened_by
        self.convened_at = _now()
        self.minutes = ''
        self.minutes_by = None
        self.conclusions = PersistentMapping()
        self.state = 'open'
        self.document = None

    @property
    def closed(self):
        return self.state == 'closed'

    def missing(self):
        return [s for s in self.participants if s not in self.conclusions]


def sessions_of(case):
    container = case.get(CONTAINER)
    if container is None:
        return []
    return sorted(container.values(), key=lambda s: s.__name__)


def inspection_invited(case):
    """Whether the inspection section takes part in a joint work of the
    case: then inspectors may open the case (``casefile.case.roles``)."""
    return any(INSPECTION_SECTION in s.participants for s in sessions_of(case))


def possible_participants(case):
    """The case's sections (all organisations) and the inspection section."""
    out = list(case.sections)
    if case.lead_section and case.lead_section not in out:
        out.insert(0, case.lead_section)
    if INSPECTION_SECTION not in out:
        out.append(INSPECTION_SECTION)
    return out


def convene(case, kind, topic, date, place, participants, items, actor,
            registry=None):
    registry = registry or get_current_registry()
    if case.state != 'in_review':
        raise JointError('not-in-review', _(
            'Joint work is possible only while the case is in review.'))
    if kind not in KINDS:
        raise JointError('kind', _('Choose a joint review meeting or a '
                                   'joint inspection.'))
    topic = (topic or '').strip()
    if not topic:
        raise JointError('topic', _('Give the subject of the joint work.'))
    try:
        day = datetime.date.fromisoformat((date or '').strip())
    except ValueError:
        raise JointError('date', _('Give the date as YYYY-MM-DD.'))
    allowed = possible_participants(case)
    chosen = [p for p in allowed if p in set(participants or ())]
    unknown = [p for p in (participants or ()) if p not in allowed]
    if unknown:
        raise JointError('participant', _(
            'Not a section of this case: ${codes}.',
            mapping={'codes': '、'.join(unknown)}))
    if len(chosen) < 2:
        raise JointError('participants', _(
            'Joint work needs at least two participating sections.'))
    items = [c for c in case.item_codes if c in set(items or ())] or \
        list(case.item_codes)
    container = case.container(CONTAINER, registry=registry)
    name = 'j%03d' % (len(container) + 1)
    session = registry.content.create(
        'Joint Work', kind, topic, day.isoformat(), (place or '').strip(),
        chosen, items, actor)
    container.add(name, session, registry=registry)
    case.journal.record('joint.convened', actor, target=name, comment=topic,
                        data={'kind': kind, 'date': day.isoformat(),
                              'place': session.place,
                              'participants': chosen, 'items': items})
    if INSPECTION_SECTION in chosen:   # inspectors now open the case
        from ..workflow.engine import get_engine
        get_engine(registry).apply_acl(case, registry)
    case.touch()
    notify_modified(case, registry)
    return session


def _open(session):
    if session.closed:
        raise JointError('closed', _('This joint work is closed: its '
                                     'record no longer changes.'))


def record_minutes(case, session, text, actor, registry=None):
    _open(session)
    text = (text or '').strip()
    if not text:
        raise JointError('minutes', _('The minutes are empty.'))
    session.minutes = text
    session.minutes_by = actor
    case.journal.record('joint.minutes', actor, target=session.__name__,
                        comment=text[:200])
    case.touch()


def record_conclusion(case, session, section, conclusion, text, actor,
                      registry=None):
    _open(session)
    if section not in session.participants:
        raise JointError('not-participant', _(
            'Your section does not take part in this joint work.'))
    if section in session.conclusions:
        raise JointError('already', _(
            'This section has already given its conclusion.'))
    if conclusion not in CONCLUSIONS:
        raise JointError('conclusion', _('Choose a conclusion.'))
    text = (text or '').strip()
    if conclusion != 'agree' and not text:
        raise JointError('reasons', _(
            'Give the conditions or the reasons for disagreeing.'))
    session.conclusions[section] = {'conclusion': conclusion, 'text': text,
                                    'by': actor, 'at': _now()}
    case.journal.record('joint.conclusion', actor, target=session.__name__,
                        comment=text, data={'section': section,
                                            'conclusion': conclusion})
    case.touch()


def close(case, session, actor, section_names, registry=None):
    registry = registry or get_current_registry()
    _open(session)
    if not session.minutes:
        raise JointError('minutes', _('Write the minutes before closing.'))
    missing = session.missing()
    if missing:
        raise JointError('conclusions', _(
            'Waiting for the conclusion of: ${names}.', mapping={
                'names': '、'.join(section_names.get(s, s)
                                  for s in missing)}))
    lines = ['办件编号：%s' % case.case_number,
             '申请人：%s' % case.applicant.get('name'),
             '事由：%s' % session.topic,
             '时间：%s  地点：%s' % (session.date, session.place or '—'),
             '参加单位：%s' % '、'.join(section_names.get(s, s)
                                   for s in session.participants),
             '纪要：', session.minutes, '各参加单位意见：']
    for code in session.participants:
        c = session.conclusions[code]
        lines.append('%s：%s%s' % (section_names.get(code, code),
                                  CONCLUSION_TEXT[c['conclusion']],
                                  '（%s）' % c['text'] if c['text'] else ''))
    sections = list(session.participants)
    if case.lead_section and case.lead_section not in sections:
        sections.append(case.lead_section)
    document = lifecycle.issue_document(
        case, 'documents', 'joint_minutes', KIND_TITLES[session.kind], lines,
        items=session.items, sections=sections, actor=actor,
        registry=registry)
    session.document = document.__name__
    session.state = 'closed'
    case.journal.record('joint.closed', actor, target=session.__name__,
                        data={'document': document.number})
    case.touch()
    notify_modified(case, registry)
    return document
