"""The ``.page`` renderer: page templates from the bureau's templates folder.

Page templates live in the top-level ``templates/pages/`` folder (named by
``casefile.templates_dir`` in the ini) so a bureau can adjust wording and
layout without touching the package.  Pyramid's asset overrides cannot
point a package spec at an arbitrary folder here, so ``renderer='x.page'``
resolves ``<templates_dir>/pages/x.pt`` at configuration time and hands
the absolute path to pyramid_chameleon, which keeps i18n and macros.
"""
import os

from pyramid.renderers import RendererHelper


class PageRendererFactory:
    def __init__(self, info):
        settings = info.registry.settings
        pages = os.path.join(settings['casefile.templates_dir'], 'pages')
        name = info.name[:-len('.page')] + '.pt'
        path = os.path.join(pages, name)
        if not os.path.exists(path):
            raise ValueError('Missing page template %s' % path)
        self.helper = RendererHelper(name=path, package=None,
                                     registry=info.registry)

    def __call__(self, value, system):
        return self.helper.renderer(value, system)


def includeme(config):
    config.add_renderer('.page', PageRendererFactory)
