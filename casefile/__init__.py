"""casefile: case management for the Anshan Administrative Approval Bureau.

``main()`` reads like a table of contents: Substance D first (its
directives must exist before anything uses them), then each subsystem's
``includeme``, then one scan.  Each subsystem lives in its own package,
named after the glossary term it implements.
"""
from pyramid.config import Configurator

from . import compat


def main(global_config, **settings):
    """The WSGI application factory named in ``development.ini``."""
    compat.install()
    from .config import prepare_settings
    settings = prepare_settings(global_config, settings)
    config = Configurator(settings=settings,
                          root_factory='substanced.db.root_factory')
    config.include('pyramid_retry')
    config.include('.retry')
    config.include('pyramid_tm')
    config.include('.writelock')
    config.include('substanced')
    config.include('.i18n')
    config.include('.security')
    from .security import set_policies
    set_policies(config)
    config.include('.site')
    config.include('.catalogue')
    config.include('.clock')
    config.include('.case')
    config.include('.organisation')
    config.include('.documents')
    config.include('.inspection')
    config.include('.annotation')
    config.include('.archive')
    config.include('.workflow')
    config.include('.supervision')
    config.include('.portal')
    config.include('.api')
    config.include('.search')
    return config.make_wsgi_app()
