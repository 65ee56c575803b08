"""Document templates: the bureau's wording, checked with file:line; the
demo signing identity; placeholders filled as documented."""
import os
import shutil
import stat

import pytest

from casefile.documents.templates import (
    DocumentTemplateError, Paragraph, check_directory, expand, fill,
    load_templates, placeholders_in)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(REPO, 'templates', 'documents')


@pytest.fixture
def copy(tmp_path):
    path = tmp_path / 'documents'
    shutil.copytree(TEMPLATES, path)
    return path


def test_the_shipped_templates_are_fine():
    templates = load_templates(TEMPLATES)
    for kind in ('acceptance_notice', 'correction_notice', 'refusal_notice',
                 'decision_grant', 'decision_deny', 'extension_notice',
                 'clock_stop_notice', 'inspection_notice', 'delivery_record',
                 'certificate', 'default'):
        assert kind in templates.by_name, kind
    assert templates.by_name['certificate.SY-001'].layout == 'certificate'


def test_an_unknown_placeholder_is_reported_with_file_and_line(copy):
    path = copy / 'decision_deny.yaml'
    lines = path.read_text(encoding='utf-8').splitlines()
    at = next(i for i, line in enumerate(lines) if '理由如下' in line)
    lines[at] = lines[at].replace('{reasons}', '{reason}')
    lines.append('closing2: x')
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    with pytest.raises(DocumentTemplateError) as error:
        load_templates(str(copy))
    message = str(error.value)
    assert 'decision_deny.yaml:%d: unknown placeholder {reason}' % (
        at + 1) in message
    assert 'decision_deny.yaml:%d: unknown key "closing2"' % (
        len(lines)) in message
    assert str(copy) in message.splitlines()[0]


def test_syntax_braces_conditions_and_names_are_checked(copy):
    (copy / 'refusal_notice.yaml').write_text(
        'title: 不予受理通知书\nbody:\n  - "理由：{reasons"\n'
        '  - {text: "x", if: nothing}\n  - {text: "{items}", numbered: 2}\n'
        '  - "{form.business_scope}{form.}"\n',
        encoding='utf-8')
    (copy / 'extension_notice.yaml').write_text(
        'title: 延期通知书\nbody:\n  - "a\n  - b\n', encoding='utf-8')
    (copy / 'permit.yaml').write_text('title: x\nbody: [y]\n',
                                      encoding='utf-8')
    (copy / 'decision_grant.SC-001.yaml').write_text(
        'title: x\nbody: [y]\n', encoding='utf-8')
    (copy / 'certificate.SC-002.yaml').write_text(
        'title: x\nlayout: poster\n', encoding='utf-8')
    os.remove(copy / 'default.yaml')
    _templates, problems = check_directory(str(copy))
    found = {(p.file, p.line) for p in problems}
    text = '\n'.join(str(p) for p in problems)
    assert ('refusal_notice.yaml', 3) in found      # unbalanced brace
    assert 'refusal_notice.yaml:4: "if" must name a placeholder' in text
    assert 'refusal_notice.yaml:5: "numbered" must be true or false' in text
    assert 'refusal_notice.yaml:6: unknown placeholder {form.}' in text
    assert 'form.business_scope' not in text
    assert ('extension_notice.yaml', 5) in found or \
        ('extension_notice.yaml', 3) in found        # YAML syntax error
    assert 'permit.yaml:1: "permit" is not a document kind' in text
    assert 'decision_grant.SC-001.yaml:1: only certificates' in text
    assert 'certificate.SC-002.yaml:2: "layout" must be one of' in text
    assert 'certificate.SC-002.yaml:1: a template needs a "body"' in text
    assert 'default.yaml:1: default.yaml is missing' in text


def test_a_broken_folder_stops_the_start(copy, var_dir):
    from casefile import main
    from conftest import make_settings
    (copy / 'acceptance_notice.yaml').write_text(
        'title: 受理通知书\nbody:\n  - "{applicant}{nobody}"\n',
        encoding='utf-8')
    with pytest.raises(DocumentTemplateError) as error:
        main({'here': REPO}, **make_settings(
            var_dir, **{'casefile.document_templates': str(copy)}))
    assert 'acceptance_notice.yaml:3: unknown placeholder {nobody}' in str(
        error.value)


def test_placeholders_fill_and_expand():
    values = {'applicant': '某公司', 'items': ['甲', '乙'], 'gaps': [],
              'lines': ['一', '', '二']}
    assert placeholders_in('{applicant}：{{literal}}') == ['applicant']
    assert fill('{applicant}申请{items}', values) == '某公司申请甲、乙'
    assert fill('{items}', values, joiner='\n') == '甲\n乙'
    assert fill('{form.shop}', values) == '—'
    assert fill('{{x}}', values) == '{x}'
    assert expand(Paragraph('{lines}'), values) == ['一', '二']
    assert expand(Paragraph('{items}', numbered=True), values) == [
        '1. 甲', '2. 乙']
    assert expand(Paragraph('缺：{gaps}', condition='gaps'), values) == []
    assert expand(Paragraph('{gaps}'), values) == []


def test_the_demo_signing_identity_is_made_once(tmp_path):
    from cryptography import x509
    from casefile.documents.sign import ensure_signing_identity
    settings = {'casefile.var_dir': str(tmp_path)}
    key, cert, created = ensure_signing_identity(settings)
    assert created
    assert key == str(tmp_path / 'signing' / 'bureau-key.pem')
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    before = open(cert, 'rb').read()
    assert ensure_signing_identity(settings)[2] is False
    assert open(cert, 'rb').read() == before
    subject = x509.load_pem_x509_certificate(before).subject.rfc4514_string()
    assert '鞍山市行政审批局' in subject
    # configured paths win
    other = {'casefile.var_dir': str(tmp_path),
             'casefile.signing_key': str(tmp_path / 'k.pem'),
             'casefile.signing_cert': str(tmp_path / 'c.pem')}
    assert ensure_signing_identity(other)[:2] == (str(tmp_path / 'k.pem'),
                                                  str(tmp_path / 'c.pem'))
