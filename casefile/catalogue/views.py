"""Catalogue pages: the public index of service guides, the versions admin.

Service guides are public (no login): Art. 30 of the Administrative
Licensing Law requires items, conditions, materials and time limits to be
published.
"""
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from .store import catalogue_versions


def _matches(application, catalogue, words):
    if not words:
        return True
    text = [application.title, application.name]
    for code in application.items:
        item = catalogue.items[code]
        text.append(item.name)
        text.extend(item.keywords)
    matter = catalogue.matters.get(application.code)
    if matter is not None:
        text.extend(matter.keywords)
        text.extend(matter.themes)
        text.append(matter.description or '')
    blob = ' '.join(text)
    return all(word in blob for word in words)


@view_config(route_name='guides', renderer='guides.page',
             permission=NO_PERMISSION_REQUIRED)
def guides(request):
    catalogue = catalogue_versions(request.root).current.catalogue
    q = request.params.get('q', '').strip()
    words = q.split()
    found = [a for a in catalogue.applications()
             if _matches(a, catalogue, words)]
    return {'q': q, 'catalogue': catalogue,
            'matters': [a for a in found if a.kind == 'matter'],
            'stages': [a for a in found if a.kind == 'stage']}


@view_config(route_name='catalogue_versions', renderer='catalogue_versions.page',
             permission='catalogue.manage')
def versions(request):
    container = catalogue_versions(request.root)
    return {'versions': [container.version(n)
                         for n in reversed(container.numbers())],
            'current': container.current_number}


def includeme(config):
    config.add_route('guides', '/guides')
    config.add_route('catalogue_versions', '/admin/catalogue')
    config.scan(__name__)
