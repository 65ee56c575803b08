"""The Chinese UI: every message id of the package and the pages is translated."""
import os
import subprocess
import sys

from babel.messages.pofile import read_po

from casefile.i18n import LOCALE_DIR, compile_catalogues
from conftest import REPO

PO = os.path.join(LOCALE_DIR, 'zh_CN', 'LC_MESSAGES', 'casefile.po')


def extract(tmp_path):
    pot = tmp_path / 'casefile.pot'
    exe = os.path.join(os.path.dirname(sys.executable), 'pot-create')
    subprocess.run([exe, '-c', 'lingua.cfg', '-d', 'casefile', '-o',
                    str(pot), 'casefile', 'templates'], cwd=REPO,
                   check=True, capture_output=True)
    with open(pot, 'rb') as f:
        return read_po(f)


def test_every_message_id_has_a_chinese_translation(tmp_path):
    pot = extract(tmp_path)
    with open(PO, 'rb') as f:
        po = read_po(f, locale='zh_CN')
    missing = [m.id for m in pot if m.id and not (po.get(m.id) and
                                                  po.get(m.id).string)]
    assert not missing, 'untranslated (run make i18n): %r' % missing


def test_catalogues_compile_and_are_not_recompiled_when_fresh(tmp_path):
    import shutil
    locale = tmp_path / 'locale'
    shutil.copytree(LOCALE_DIR, locale,
                    ignore=shutil.ignore_patterns('*.mo'))
    first = compile_catalogues(str(locale))
    assert any(p.endswith('casefile.mo') for p in first)
    assert compile_catalogues(str(locale)) == []


def test_english_stays_possible(testapp):
    page = testapp.get('/login?_LOCALE_=en')
    assert 'Staff sign in' in page.text
    chinese = testapp.get('/login')
    assert '工作人员登录' in chinese.text
