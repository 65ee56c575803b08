"""Catalogue pages: public service guides, staff manuals, the versions admin.

Service guides are public (no login): Art. 30 of the Administrative
Licensing Law requires items, conditions, materials and time limits to be
published.  Each guide is also a PDF one-time notice (一次性告知书).  The
standard work manual (标准化工作手册) with the formal review points and the
merged inspection points is for staff.  Administrators see the catalogue
versions, what changed between two of them, and (re)load the configured
catalogue directory as a new version -- a broken directory is reported
with every problem and never replaces the version in force.
"""
import logging

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..i18n import _
from . import guide as guide_module
from .diagram import flow_diagram
from .diff import COLLECTIONS, LABELS, diff
from .guide import CONTACT_ROLES, compose_guide, supervision_from_settings
from .loading import load_into
from .notice import DEFAULT_FONT_FILE, FontMissing, build_notice
from .problems import CatalogueError
from .store import catalogue_versions

log = logging.getLogger(__name__)


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
            'stages': [a for a in found if a.kind == 'stage'],
            'is_staff': bool(request.has_permission('staff.view',
                                                    request.root))}


# -- one guide --------------------------------------------------------------

def _guide(request):
    """``(guide, version, catalogue)`` of the matchdict's code, or 404."""
    version = catalogue_versions(request.root).current
    catalogue = version.catalogue
    code = request.matchdict['code']
    try:
        guide = compose_guide(catalogue, code, supervision_from_settings(
            request.registry.settings))
    except KeyError:
        raise HTTPNotFound()
    return guide, version, catalogue


@view_config(route_name='guide', renderer='guide.page',
             permission=NO_PERMISSION_REQUIRED)
def guide_page(request):
    guide, version, catalogue = _guide(request)
    return {'guide': guide, 'version': version,
            'diagram': flow_diagram(catalogue, guide.code,
                                    translate=request.localizer.translate),
            'roles': CONTACT_ROLES, 'guide_module': guide_module,
            'is_staff': bool(request.has_permission('staff.view',
                                                    request.root))}


@view_config(route_name='guide_notice', permission=NO_PERMISSION_REQUIRED)
def guide_notice(request):
    """The one-time notice as a PDF with an embedded Chinese font."""
    guide, version, _catalogue = _guide(request)
    font_file = request.registry.settings.get('casefile.font_file',
                                              DEFAULT_FONT_FILE)
    try:
        pdf = build_notice(guide, request.localizer.translate, font_file,
                           version.number)
    except FontMissing as e:
        log.error('%s', e)
        response = Response(request.localizer.translate(_(
            'The PDF notice cannot be made on this server at the moment. '
            'Please print the service guide page instead.')),
            content_type='text/plain', charset='utf-8')
        response.status_int = 503
        return response
    response = Response(pdf, content_type='application/pdf')
    # the ASCII name for old clients, the Chinese one (RFC 5987) for others
    from urllib.parse import quote
    chinese = quote(f'{guide.name}一次性告知书.pdf')
    response.headers['Content-Disposition'] = (
        f"inline; filename=\"notice-{guide.code}.pdf\"; "
        f"filename*=UTF-8''{chinese}")
    return response


@view_config(route_name='manual', renderer='manual.page',
             permission='staff.view')
def manual(request):
    guide, version, _catalogue = _guide(request)
    return {'guide': guide, 'version': version}


# -- catalogue versions (administrators) --------------------------------------

def _versions_values(request, problems=None, error=None):
    container = catalogue_versions(request.root)
    return {'versions': [container.version(n)
                         for n in reversed(container.numbers())],
            'current': container.current_number,
            'catalogue_dir': request.registry.settings.get(
                'casefile.catalogue_dir'),
            'problems': problems or [],
            'error': error,
            'csrf_token': request.session.get_csrf_token()}


@view_config(route_name='catalogue_versions',
             renderer='catalogue_versions.page',
             permission='catalogue.manage')
def versions(request):
    return _versions_values(request)


@view_config(route_name='catalogue_reload', request_method='POST',
             permission='catalogue.manage', require_csrf=True)
def reload_catalogue(request):
    """Load the configured directory; a new version only if it changed."""
    container = catalogue_versions(request.root)
    path = request.registry.settings.get('casefile.catalogue_dir')
    before = container.current_number
    if not path:
        return _versions_failed(request, None, _(
            'No catalogue directory is configured (setting '
            'casefile.catalogue_dir); nothing was loaded.'))
    try:
        version, created = load_into(request.root, path,
                                     actor=request.user_info.login,
                                     registry=request.registry)
    except CatalogueError as e:
        log.warning('catalogue reload from %s refused:\n%s', path, e)
        return _versions_failed(request, e.problems, _(
            'The catalogue in ${path} has ${count} problem(s). Nothing was '
            'loaded; version ${number} stays in force.',
            mapping={'path': path, 'count': len(e.problems),
                     'number': before}))
    if not created:
        request.session.flash(request.localizer.translate(_(
            'The catalogue in ${path} has not changed; version ${number} '
            'stays in force.',
            mapping={'path': path, 'number': version.number})), 'success')
        return HTTPFound(request.route_url('catalogue_versions'))
    request.session.flash(request.localizer.translate(_(
        'Catalogue loaded from ${path} as version ${number}; it is now in '
        'force.', mapping={'path': path, 'number': version.number})),
        'success')
    if before:
        return HTTPFound(request.route_url(
            'catalogue_diff', _query={'old': before, 'new': version.number}))
    return HTTPFound(request.route_url('catalogue_versions'))


def _versions_failed(request, problems, error):
    response = render_to_response(
        'catalogue_versions.page',
        _versions_values(request, problems, error), request=request)
    response.status_int = 400
    return response


def _number(request, name, default):
    value = request.params.get(name, '')
    try:
        return int(value.lstrip('v')) if value else default
    except ValueError:
        return None


def _label(path):
    if path.startswith('stages['):
        stage, _sep, rest = path.partition('].')
        return f'{stage[7:]} {LABELS.get(rest, rest)}'
    return LABELS.get(path, path)


def _show(value):
    if value is None or value == [] or value == '':
        return '—'
    if isinstance(value, bool):
        return '是' if value else '否'
    if isinstance(value, list):
        return '、'.join(_show(v) if not isinstance(v, dict)
                        else str(v.get('code') or v.get('key') or v)
                        for v in value)
    if isinstance(value, dict):
        return str(value.get('code') or value.get('key') or value)
    return str(value)


@view_config(route_name='catalogue_diff', renderer='catalogue_diff.page',
             permission='catalogue.manage')
def catalogue_diff(request):
    """What changed from version ``old`` to ``new`` (default: the last)."""
    container = catalogue_versions(request.root)
    new = _number(request, 'new', container.current_number)
    old = _number(request, 'old', (new or 1) - 1)
    older = container.version(old) if old else None
    newer = container.version(new) if new else None
    if older is None or newer is None:
        raise HTTPNotFound()
    changes = diff(older.catalogue, newer.catalogue)
    parts = []
    for collection, (_key, noun) in COLLECTIONS.items():
        part = getattr(changes, collection)
        if not part:
            continue
        rows = [(change.code, change.name, _label(a.attribute),
                 _show(a.old), _show(a.new))
                for change in part.changed for a in change.changes]
        parts.append({'noun': noun, 'added': part.added,
                      'removed': part.removed, 'rows': rows})
    return {'old': older, 'new': newer, 'changes': changes, 'parts': parts,
            'numbers': container.numbers()}


def includeme(config):
    config.add_route('guides', '/guides')
    config.add_route('guide', '/guides/{code}')
    config.add_route('guide_notice', '/guides/{code}/notice.pdf')
    config.add_route('manual', '/manual/{code}')
    config.add_route('catalogue_versions', '/admin/catalogue')
    config.add_route('catalogue_reload', '/admin/catalogue/reload')
    config.add_route('catalogue_diff', '/admin/catalogue/diff')
    config.scan(__name__)
