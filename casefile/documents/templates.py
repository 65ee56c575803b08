"""Document templates: the bureau's wording of each official document.

One YAML file per document kind in ``templates/documents/`` (the setting
``casefile.document_templates`` names another folder).  The bureau edits
the wording without touching code; ``docs/documents.md`` describes the
format.  A template is checked before it is used: every problem (YAML
syntax, an unknown key, an unknown ``{placeholder}``) is reported as
``file:line: message``, and a folder with problems is never used.

Check a folder from the shell::

    python -m casefile.documents.templates templates/documents
"""
import os
import string
from dataclasses import dataclass, field

from ..problems import Problem
from ..yamlsource import LineDict, LineList, line_of, read_yaml

#: placeholder -> what it stands for (docs/documents.md lists the same)
PLACEHOLDERS = {
    'bureau': 'the bureau (鞍山市行政审批局)',
    'title': 'the title of the document record (for a certificate: its name)',
    'number': 'the document number, e.g. 鞍审受〔2026〕000001号',
    'date': 'the date of issue, e.g. 2026年11月25日',
    'case_number': 'the case number',
    'query_code': 'the query code of the case (after acceptance)',
    'application': 'the matter or project stage applied for',
    'applicant': 'the applicant (company or person)',
    'applicant_identifier': 'credit code or id number of the applicant',
    'applicant_contact': 'contact person',
    'applicant_phone': 'contact phone',
    'submitted_date': 'the date the application was received',
    'accepted_date': 'the date the application was accepted',
    'items': 'the items this document concerns (list)',
    'legal_basis': 'the legal basis of those items (list)',
    'lines': 'the text lines of the document record (list)',
    'reasons': 'the reasons (refusal, denial, extension, clock stop)',
    'rights': 'the right to administrative review (60 days) or a lawsuit '
              '(6 months)',
    'comment': 'the decision-maker\'s remark on a grant',
    'corrections': 'what must be corrected, one per entry (list)',
    'gaps': 'materials that may follow after acceptance (list)',
    'gaps_due': 'the date by which they must follow',
    'days': 'working days of an extension or an expected clock stop',
    'stop_kind': 'why the clock stops (现场勘验, 专家评审, ...)',
    'stop_start': 'the date the clock stops',
    'holder': 'the holder of a certificate',
    'inspection_date': 'the date of a site inspection',
    'inspection_address': 'the place of a site inspection',
    'inspectors': 'the inspectors',
    'inspection_points': 'the inspection points of the items (list)',
    'delivery_method': 'how results were delivered',
    'recipient': 'who received them',
    'delivered': 'the documents delivered (list)',
    'verify_code': 'the verification code printed beside the QR code',
    'verify_url': 'the public verification address of this document',
}

#: placeholders whose value is a list: alone in a paragraph they give one
#: paragraph per entry, inside a sentence their entries are joined by 、
LIST_PLACEHOLDERS = frozenset({
    'items', 'legal_basis', 'lines', 'corrections', 'gaps', 'delivered',
    'inspection_points'})

#: ``{form.KEY}``: a value of the one form (any field key of the catalogue)
FORM_PREFIX = 'form.'

LAYOUTS = ('letter', 'certificate')
KEYS = {
    'title': 'the heading',
    'layout': 'letter (default) or certificate',
    'addressee': 'the line before the body, e.g. "{applicant}："',
    'body': 'paragraphs',
    'table': 'rows of [label, value]',
    'closing': 'paragraphs after the body and table',
}
PARAGRAPH_KEYS = ('text', 'if', 'numbered')
DEFAULT = 'default'
CERTIFICATE = 'certificate'
SUFFIX = '.yaml'


class DocumentTemplateError(Exception):
    """The templates folder has problems; ``problems`` holds all of them."""

    def __init__(self, problems, directory=None):
        self.problems = sorted(problems)
        self.directory = directory
        super().__init__(self.problems)

    def __str__(self):
        count = len(self.problems)
        where = f' in {self.directory}' if self.directory else ''
        head = (f'the document templates{where} have {count} '
                f'problem{"s" if count != 1 else ""}:')
        return '\n'.join([head] + [f'  {p}' for p in self.problems])


@dataclass(frozen=True)
class Paragraph:
    text: str
    condition: str = None
    line: int = 1
    numbered: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    line: int = 1


@dataclass(frozen=True)
class DocumentTemplate:
    name: str                 # file name without .yaml
    path: str
    title: str
    layout: str = 'letter'
    addressee: str = ''
    body: tuple = ()          # of Paragraph
    table: tuple = ()         # of Row
    closing: tuple = ()       # of Paragraph


@dataclass
class Templates:
    """The checked templates of one folder, by name."""

    directory: str
    by_name: dict = field(default_factory=dict)

    def for_document(self, document):
        """``<kind>.yaml``; a certificate ``certificate.<item>.yaml`` first;
        anything without a template of its own ``default.yaml``."""
        names = []
        if document.kind == CERTIFICATE:
            names += ['%s.%s' % (CERTIFICATE, code)
                      for code in document.items]
        names += [document.kind, DEFAULT]
        for name in names:
            if name in self.by_name:
                return self.by_name[name]
        raise KeyError(document.kind)


# -- placeholders -------------------------------------------------------------

def placeholders_in(text):
    """The placeholder names in ``text``; raises ValueError on bad braces."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError('write {%s} without ":" or "!"' % name)
        names.append(name)
    return names


def _known(name):
    if name in PLACEHOLDERS:
        return True
    if name.startswith(FORM_PREFIX):
        key = name[len(FORM_PREFIX):]
        return bool(key) and key.replace('_', 'a').isalnum()
    return False


def check_text(text, file, line, problems):
    try:
        names = placeholders_in(text)
    except ValueError as error:
        problems.append(Problem(file, line, f'bad placeholder: {error} '
                                            f'(write {{{{ and }}}} for a '
                                            f'literal brace)'))
        return
    for name in names:
        if not name:
            problems.append(Problem(file, line, 'empty placeholder {}'))
        elif not _known(name):
            problems.append(Problem(file, line, f'unknown placeholder '
                                                f'{{{name}}}'))


def _joined(value, joiner='、'):
    if isinstance(value, (list, tuple)):
        return joiner.join(str(v) for v in value if v not in (None, ''))
    return '' if value is None else str(value)


def fill(text, values, joiner='、', missing='—'):
    """``text`` with each placeholder replaced (lists joined by
    ``joiner``; a form value the case does not have is ``missing``)."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        if name.startswith(FORM_PREFIX) and name not in values:
            out.append(missing)
        else:
            out.append(_joined(values.get(name, ''), joiner))
    return ''.join(out)


def expand(paragraph, values):
    """The paragraphs one template paragraph becomes (none, one or many)."""
    if paragraph.condition and not values.get(paragraph.condition):
        return []
    text = paragraph.text.strip()
    names = placeholders_in(text)
    if (len(names) == 1 and names[0] in LIST_PLACEHOLDERS
            and text == '{%s}' % names[0]):
        value = values.get(names[0]) or ()
        if isinstance(value, str):
            value = [value] if value else []
        entries = [str(v) for v in value if v not in (None, '')]
        if paragraph.numbered:
            entries = ['%d. %s' % (n, v) for n, v in enumerate(entries, 1)]
        return entries
    result = fill(text, values)
    return [result] if result.strip() else []


# -- reading ------------------------------------------------------------------

def _string(value, file, line, what, problems, required=False):
    if value is None:
        if required:
            problems.append(Problem(file, line, f'{what} is missing'))
        return ''
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(Problem(file, line, f'{what} must be text'))
        return ''
    check_text(value, file, line, problems)
    return value


def _paragraphs(data, key, file, problems):
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(Problem(file, data.line_of(key),
                                f'"{key}" must be a list of paragraphs'))
        return ()
    result = []
    for index, entry in enumerate(value):
        line = (value.line_of(index) if isinstance(value, LineList)
                else data.line_of(key))
        condition, numbered = None, False
        if isinstance(entry, dict):
            for unknown in sorted(set(entry) - set(PARAGRAPH_KEYS),
                                  key=str):
                problems.append(Problem(
                    file, entry.line_of(unknown) if isinstance(
                        entry, LineDict) else line,
                    f'unknown key "{unknown}" in a paragraph (allowed: '
                    f'{", ".join(PARAGRAPH_KEYS)})'))
            numbered = entry.get('numbered', False)
            if not isinstance(numbered, bool):
                problems.append(Problem(
                    file, entry.line_of('numbered') if isinstance(
                        entry, LineDict) else line,
                    '"numbered" must be true or false'))
                numbered = False
            condition = entry.get('if')
            if condition is not None and (not isinstance(condition, str)
                                          or condition not in PLACEHOLDERS):
                problems.append(Problem(
                    file, entry.line_of('if') if isinstance(
                        entry, LineDict) else line,
                    f'"if" must name a placeholder, not {condition!r}'))
                condition = None
            text = _string(entry.get('text'), file, line,
                           f'the text of paragraph {index + 1} of "{key}"',
                           problems, required=True)
        else:
            text = _string(entry, file, line,
                           f'paragraph {index + 1} of "{key}"', problems,
                           required=True)
        result.append(Paragraph(text, condition, line, numbered))
    return tuple(result)


def _rows(data, file, problems):
    value = data.get('table')
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(Problem(file, data.line_of('table'),
                                '"table" must be a list of [label, value]'))
        return ()
    rows = []
    for index, entry in enumerate(value):
        line = (value.line_of(index) if isinstance(value, LineList)
                else data.line_of('table'))
        if not isinstance(entry, list) or len(entry) != 2:
            problems.append(Problem(file, line, f'row {index + 1} of '
                                                f'"table" must be '
                                                f'[label, value]'))
            continue
        label = _string(entry[0], file, line, 'a table label', problems)
        cell = _string(entry[1], file, line, 'a table value', problems)
        rows.append(Row(label, cell, line))
    return tuple(rows)


def parse_template(path, name=None):
    """``(template or None, problems)`` for one file."""
    file = name or os.path.basename(path)
    data, problems = read_yaml(path, file)
    if problems and data is None:
        return None, problems
    if not isinstance(data, dict):
        problems.append(Problem(file, line_of(data),
                                'a document template is a mapping with '
                                '"title" and "body"'))
        return None, problems
    for key in sorted(set(data) - set(KEYS), key=str):
        problems.append(Problem(file, data.line_of(key),
                                f'unknown key "{key}" (allowed: '
                                f'{", ".join(KEYS)})'))
    title = _string(data.get('title'), file, data.line_of('title'),
                    '"title"', problems, required=True)
    layout = data.get('layout', 'letter')
    if layout not in LAYOUTS:
        problems.append(Problem(file, data.line_of('layout'),
                                f'"layout" must be one of '
                                f'{", ".join(LAYOUTS)}, not {layout!r}'))
        layout = 'letter'
    addressee = _string(data.get('addressee'), file,
                        data.line_of('addressee'), '"addressee"', problems)
    body = _paragraphs(data, 'body', file, problems)
    table = _rows(data, file, problems)
    closing = _paragraphs(data, 'closing', file, problems)
    if not body and not table:
        problems.append(Problem(file, data.line, 'a template needs a '
                                                 '"body" or a "table"'))
    template = DocumentTemplate(
        os.path.basename(path)[:-len(SUFFIX)], path, title, layout,
        addressee, body, table, closing)
    return template, problems


def known_kinds():
    from ..case.document import KINDS
    from ..case.lifecycle import NUMBER_MARKS
    return set(KINDS) | set(NUMBER_MARKS)


def check_directory(directory):
    """``(Templates, problems)`` for every ``*.yaml`` in ``directory``."""
    templates = Templates(directory)
    problems = []
    if not os.path.isdir(directory):
        return templates, [Problem(str(directory), 1,
                                   'the document templates folder does '
                                   'not exist')]
    kinds = known_kinds()
    for filename in sorted(os.listdir(directory)):
        if not filename.endswith(SUFFIX):
            continue
        name = filename[:-len(SUFFIX)]
        base = name.split('.', 1)[0]
        if name != DEFAULT and base not in kinds:
            known = ', '.join(sorted(kinds))
            problems.append(Problem(filename, 1, f'"{base}" is not a '
                                                 f'document kind (known: '
                                                 f'{known})'))
            continue
        if '.' in name and base != CERTIFICATE:
            problems.append(Problem(filename, 1, 'only certificates have '
                                                 'per-item templates '
                                                 '(certificate.<item>.yaml)'))
            continue
        template, found = parse_template(os.path.join(directory, filename),
                                         filename)
        problems += found
        if template is not None:
            templates.by_name[name] = template
    if DEFAULT not in templates.by_name and not any(
            p.file == DEFAULT + SUFFIX for p in problems):
        problems.append(Problem(DEFAULT + SUFFIX, 1,
                                'default.yaml is missing: it serves every '
                                'kind without a template of its own'))
    return templates, problems


def load_templates(directory):
    """The checked templates; raises :class:`DocumentTemplateError`."""
    templates, problems = check_directory(directory)
    if problems:
        raise DocumentTemplateError(problems, directory)
    return templates
