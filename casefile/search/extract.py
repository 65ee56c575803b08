"""What the index reads from a case: one document per case.

The indexed unit is the case, because a case is what every user looks
for (a hit is a case to open, permissions are the case's, and updating a
case rewrites one document).  Its text gathers everything written in or
about it: number, applicant and identifiers, matter and items, the one
form, material titles and their extracted text (PDF with pypdf, DOCX
with python-docx, plain text), review opinions, annotations and replies,
inspection reports, expert opinions, issued documents and the journal's
comments.  Extracted material text is cached by SHA-256 under the index
directory, so a rebuild never parses a file twice.
"""
import datetime
import io
import logging
import os

log = logging.getLogger(__name__)

#: bytes of text kept per material (the index is for finding, not storing)
MAX_MATERIAL_CHARS = 20000


def _flatten(value):
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if value.strip():
            yield value.strip()
    elif isinstance(value, (int, float, datetime.date)):
        yield str(value)
    elif hasattr(value, 'items'):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, (list, tuple, set, frozenset)) or hasattr(
            value, '__iter__'):
        for v in value:
            yield from _flatten(v)


def extract_bytes(data, mimetype, filename=''):
    """Plain text of a PDF, DOCX or text file ('' for images/unknown)."""
    name = (filename or '').lower()
    try:
        if mimetype == 'application/pdf' or name.endswith('.pdf'):
            from pypdf import PdfReader
            reader = PdfReader(io.BytesIO(data))
            out = []
            for page in reader.pages:
                out.append(page.extract_text() or '')
                if sum(map(len, out)) > MAX_MATERIAL_CHARS:
                    break
            return '\n'.join(out)[:MAX_MATERIAL_CHARS]
        if name.endswith('.docx') or 'wordprocessingml' in (mimetype or ''):
            import docx
            document = docx.Document(io.BytesIO(data))
            lines = [p.text for p in document.paragraphs]
            for table in document.tables:
                for row in table.rows:
                    lines.extend(cell.text for cell in row.cells)
            return '\n'.join(lines)[:MAX_MATERIAL_CHARS]
        if (mimetype or '').startswith('text/') or name.endswith(
                ('.txt', '.csv', '.md')):
            for encoding in ('utf-8', 'gb18030'):
                try:
                    return data.decode(encoding)[:MAX_MATERIAL_CHARS]
                except UnicodeDecodeError:
                    continue
    except Exception as error:  # a damaged file must never stop indexing
        # one line, not a traceback: applicants upload damaged PDFs daily
        log.warning('cannot extract text from %s: %s: %s', filename,
                    type(error).__name__, error)
    return ''


def material_text(version, cache_dir=None):
    """Text of one material version, cached by its SHA-256."""
    path = None
    sha = getattr(version, 'sha256', None)
    if cache_dir and sha:
        path = os.path.join(cache_dir, sha[:2], sha + '.txt')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                return f.read()
    try:
        with version.open() as f:
            data = f.read()
    except Exception:
        log.warning('cannot open material %s', getattr(
            version, 'filename', '?'), exc_info=True)
        return ''
    text = extract_bytes(data, getattr(version, 'mimetype', ''),
                         getattr(version, 'filename', ''))
    if path:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + '.%d.tmp' % os.getpid()
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, path)
    return text


def _children(case, name):
    try:
        container = case.get(name) if hasattr(case, 'get') else None
    except Exception:
        container = None
    return list(container.values()) if container is not None else []


def case_text(case, cache_dir=None):
    """All searchable text of a case, one paragraph per source."""
    parts = [case.case_number, getattr(case, 'project_number', None),
             getattr(case, 'application_name', ''),
             getattr(case, 'archive_number', None)]
    parts.extend(_flatten(dict(getattr(case, 'applicant', {}) or {})))
    parts.extend(_flatten(dict(getattr(case, 'form_data', {}) or {})))
    for task in _children(case, 'tasks'):
        parts.append(getattr(task, 'item_name', ''))
        for opinion in getattr(task, 'opinions', ()):
            parts.append(opinion.get('text', ''))
    for material in _children(case, 'materials'):
        parts.append(getattr(material, 'title', ''))
        current = getattr(material, 'current', None)
        if current is not None:
            parts.append(current.filename)
            parts.append(material_text(current, cache_dir))
    for note in _children(case, 'annotations'):
        parts.extend([getattr(note, 'quote', ''), getattr(note, 'text', '')])
        for reply in getattr(note, 'replies', ()):
            parts.extend(_flatten(reply.get('text') if hasattr(
                reply, 'get') else reply))
    for job in _children(case, 'inspections'):
        for point in getattr(job, 'points', ()):
            parts.append(point.get('text', ''))
        for report in getattr(job, 'reports', ()):
            parts.extend(_flatten(dict(report)))
    for review in _children(case, 'expert_opinions'):
        parts.extend(_flatten(dict(getattr(review, 'opinions', {}) or {})))
        parts.extend(_flatten(getattr(review, 'consolidated', None)))
    for name in ('decisions', 'certificates', 'documents'):
        for doc in _children(case, name):
            parts.extend([getattr(doc, 'title', ''), getattr(
                doc, 'number', '')])
            parts.extend(_flatten(getattr(doc, 'lines', ())))
    for entry in getattr(case, 'journal', ()) or ():
        parts.append(entry.get('comment', ''))
    seen, out = set(), []
    for part in parts:
        if part and isinstance(part, str) and part not in seen:
            seen.add(part)
            out.append(part)
    return '\n'.join(out)


def _light(case):
    try:
        from ..clock.timing import case_timing
        return case_timing(case).light
    except Exception:
        return None


def _date(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(
                tzinfo=None)
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    return None


def case_document(case, allowed, cache_dir=None):
    """The index document of ``case``; ``allowed``: principals that may
    view it in its current state (from its ACL)."""
    applicant = dict(getattr(case, 'applicant', {}) or {})
    created = _date(getattr(case, 'created', None)) or datetime.datetime(
        1970, 1, 1)
    archived_on = _date(getattr(case, 'archived_on', None))
    state = getattr(case, 'state', None) or ''
    return {
        'case_number': case.case_number,
        'title': case.title,
        'applicant': applicant.get('name', '') or '',
        'identifier': (applicant.get('identifier') or '').lower(),
        'matter': getattr(case, 'application_code', '') or '',
        'matter_name': getattr(case, 'application_name', '') or '',
        'items': list(getattr(case, 'item_codes', ()) or ()),
        'sections': list(getattr(case, 'sections', ()) or ()),
        'state': state,
        'date': created,
        'light': _light(case) or '',
        'archived': bool(archived_on) or state == 'archived',
        'archive_number': getattr(case, 'archive_number', None) or '',
        'retention': getattr(case, 'retention', None) or '',
        'organisations': list(getattr(case, 'organisations', ()) or ()),
        'district': getattr(case, 'district', None) or '',
        'allowed': sorted(allowed),
        'text': case_text(case, cache_dir),
    }
