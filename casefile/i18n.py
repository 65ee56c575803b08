"""Translations: English message ids, a Simplified Chinese catalogue.

The UI is Chinese for the bureau's staff and applicants, but every string
goes through ``_()`` with an English message id so that an English UI stays
possible.  The ``.po`` file is the source of truth; the ``.mo`` beside it is
compiled at start-up when missing or stale, so that a plain ``pip install``
of a checkout works without a separate build step.
"""
import os

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory('casefile')

LOCALE_DIR = os.path.join(os.path.dirname(__file__), 'locale')
DEFAULT_LOCALE = 'zh_CN'


def compile_catalogues(locale_dir=LOCALE_DIR):
    """Compile every ``.po`` under ``locale_dir`` whose ``.mo`` is stale."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    compiled = []
    for dirpath, _dirs, files in os.walk(locale_dir):
        for name in files:
            if not name.endswith('.po'):
                continue
            po = os.path.join(dirpath, name)
            mo = po[:-3] + '.mo'
            if (os.path.exists(mo)
                    and os.path.getmtime(mo) >= os.path.getmtime(po)):
                continue
            with open(po, 'rb') as f:
                catalog = read_po(f)
            tmp = mo + '.tmp'
            with open(tmp, 'wb') as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)
            compiled.append(mo)
    return compiled


def locale_negotiator(request):
    """``?_LOCALE_=en`` or the ``_LOCALE_`` cookie, else the configured default.

    Substance D sets ``request._LOCALE_`` from the SDI user's preference
    (``en`` unless changed); the bureau's pages ignore that so that every
    user sees Chinese unless they ask otherwise.
    """
    locale = request.params.get('_LOCALE_') or request.cookies.get('_LOCALE_')
    if locale in ('en', 'zh_CN'):
        return locale
    return request.registry.settings.get(
        'pyramid.default_locale_name', DEFAULT_LOCALE)


def translate(request, message):
    return request.localizer.translate(message)


def includeme(config):
    compile_catalogues()
    config.add_translation_dirs('casefile:locale/')
    config.set_locale_negotiator(locale_negotiator)
