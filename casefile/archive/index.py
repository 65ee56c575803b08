"""The file index (卷内目录): every record of a case, in a fixed order.

The order is the bureau's filing order of a case file:

1. the application and its one form (申请书及申请表),
2. acceptance, correction or refusal notices,
3. the materials, every version of each,
4. site inspection records, 5. expert review records,
6. review opinions and annotations (and other notices of the procedure),
7. decisions, 8. certificates, 9. delivery records, 10. the journal.

Within a group, records follow in the order they came into being.  Stored
records (material versions, issued PDFs) are opened from their blobs;
the others (the form, the opinions, the annotations, the journal) are
generated from the case when they are read or exported: an archived case
no longer changes, so they always say the same.  A document kind the
bureau adds later is never dropped: it joins group 6.
"""
import datetime
import os
from dataclasses import dataclass, field

from ..i18n import _

GROUPS = (
    ('application', _('Application and form')),
    ('intake', _('Acceptance and correction notices')),
    ('materials', _('Materials')),
    ('inspection', _('Site inspection')),
    ('expert', _('Expert review')),
    ('review', _('Review opinions and annotations')),
    ('decisions', _('Decisions')),
    ('certificates', _('Certificates')),
    ('delivery', _('Delivery records')),
    ('journal', _('Journal')),
)
GROUP_NUMBER = {name: i + 1 for i, (name, _title) in enumerate(GROUPS)}
GROUP_TITLES = dict(GROUPS)

#: document kind -> group; kinds not named here go to ``review``
KIND_GROUP = {
    'acceptance_notice': 'intake', 'correction_notice': 'intake',
    'refusal_notice': 'intake',
    'inspection_notice': 'inspection', 'inspection_report': 'inspection',
    'clock_stop_notice': 'inspection',
    'expert_opinion': 'expert',
    'extension_notice': 'review',
    'decision_grant': 'decisions', 'decision_deny': 'decisions',
    'certificate': 'certificates',
    'delivery_record': 'delivery',
}
DOCUMENT_CONTAINERS = ('documents', 'decisions', 'certificates')
EXTENSIONS = {'application/pdf': 'pdf', 'image/jpeg': 'jpg',
              'image/png': 'png', 'text/plain': 'txt'}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


@dataclass
class Entry:
    """One line of the file index."""
    group: str
    title: str
    kind: str
    date: datetime.datetime
    creator: str
    source: tuple          # ('material', name, version) | ('document',
    #                        container, name) | ('generated', key)
    mimetype: str = 'application/pdf'
    size: int = None       # known for stored records
    sha256: str = None
    number: str = ''       # the document number, if any
    seq: int = 0           # 件号, from 1
    path: str = ''         # the file's path inside the archive package
    extra: dict = field(default_factory=dict)

    @property
    def group_number(self):
        return GROUP_NUMBER[self.group]

    @property
    def group_title(self):
        return GROUP_TITLES[self.group]

    @property
    def stored(self):
        return self.source[0] != 'generated'


def _aware(value):
    if value is None:
        return EPOCH
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return EPOCH
    if isinstance(value, datetime.date) and not isinstance(
            value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _ext(mimetype, filename=''):
    ext = os.path.splitext(filename or '')[1].lower().lstrip('.')
    if ext and ext.isalnum() and len(ext) <= 5:
        return ext
    return EXTENSIONS.get(mimetype, 'bin')


def document_entries(case):
    out = []
    for container in DOCUMENT_CONTAINERS:
        folder = case.get(container)
        if folder is None:
            continue
        for name, document in folder.items():
            if getattr(document, 'pdf', None) is None:
                continue
            out.append(Entry(
                group=KIND_GROUP.get(document.kind, 'review'),
                title=document.title, kind=document.kind,
                date=_aware(document.created),
                creator=document.creator or 'system',
                source=('document', container, name),
                size=getattr(document, 'size', None),
                sha256=getattr(document, 'sha256', None),
                number=document.number or ''))
    return out


def material_entries(case):
    out = []
    for name, material in case['materials'].items():
        for version in material.versions:
            title = material.title
            if len(material.versions) > 1:
                title = '%s（第%d版）' % (title, version.number)
            out.append(Entry(
                group='materials', title=title, kind='material',
                date=_aware(version.uploaded_at),
                creator=version.uploaded_by or '',
                source=('material', name, version.number),
                mimetype=version.mimetype, size=version.size,
                sha256=version.sha256,
                extra={'filename': version.filename,
                       'reason': version.reason,
                       'material_code': material.material_code}))
    return out


def has_opinions(case):
    return any(t.opinions for t in case.tasks())


def has_annotations(case):
    return 'annotations' in case and len(case['annotations']) > 0


def file_index(case):
    """The entries of the file index of ``case``, numbered, in order."""
    entries = [Entry(group='application', title='行政审批申请表（一张表格）',
                     kind='application_form', date=_aware(case.created),
                     creator=case.creator or '',
                     source=('generated', 'application'))]
    entries += document_entries(case)
    entries += material_entries(case)
    if has_opinions(case):
        last = max(_aware(o.get('when')) for t in case.tasks()
                   for o in t.opinions)
        entries.append(Entry(group='review', title='审查意见',
                             kind='review_opinions', date=last,
                             creator='', source=('generated', 'opinions')))
    if has_annotations(case):
        last = max(_aware(a.created) for a in case['annotations'].values())
        entries.append(Entry(group='review', title='文书批注及回复',
                             kind='annotations', date=last, creator='',
                             source=('generated', 'annotations')))
    last = case.journal.last()
    when = _aware(last['when']) if last else _aware(case.created)
    entries.append(Entry(group='journal', title='办件日志（可读版）',
                         kind='journal', date=when, creator='system',
                         source=('generated', 'journal')))
    entries.append(Entry(group='journal',
                         title='办件日志（机读版，哈希链）',
                         kind='journal_data', date=when, creator='system',
                         source=('generated', 'journal_data'),
                         mimetype='application/jsonl'))
    entries.sort(key=lambda e: (e.group_number, e.date, e.source))
    for seq, entry in enumerate(entries, 1):
        entry.seq = seq
        if entry.source[0] == 'material':
            ext = _ext(entry.mimetype, entry.extra.get('filename'))
            stem = '%s-v%d' % (entry.source[1], entry.source[2])
        elif entry.source[0] == 'document':
            ext, stem = 'pdf', entry.source[2]
        elif entry.source[1] == 'journal_data':
            ext, stem = 'jsonl', 'journal'
        else:
            ext, stem = 'pdf', entry.source[1]
        entry.path = 'records/%04d-%02d-%s-%s.%s' % (
            seq, entry.group_number, entry.group, _safe(stem), ext)
    return entries


def _safe(stem):
    return ''.join(ch if ch.isascii() and (ch.isalnum() or ch in '-_')
                   else '_' for ch in stem)[:60]


def find_entry(case, seq):
    for entry in file_index(case):
        if entry.seq == seq:
            return entry
    return None


def open_stored(case, entry):
    """A readable binary file of a stored record."""
    kind = entry.source[0]
    if kind == 'material':
        material = case['materials'][entry.source[1]]
        return material.versions[entry.source[2] - 1].open()
    if kind == 'document':
        return case[entry.source[1]][entry.source[2]].pdf.open('r')
    raise ValueError('not a stored record: %r' % (entry.source,))
