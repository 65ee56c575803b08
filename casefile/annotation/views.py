"""The viewer page: a material or generated document shown page by page,
its versions and their comparison, and its annotations (批注).

The same permission as the download (``case.download`` on the object)
opens the viewer; annotations need ``annotation.view``/``annotation.add``,
which follow the case's permission table like materials do.
"""
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from ..case.model import Case
from ..case.permissions import CASE_DOWNLOAD, CASE_VIEW
from ..config import var_dir
from ..i18n import _
from . import render
from .service import (
    VIEWABLE, AnnotationError, add_annotation, parse_region, reply, resolve)

ANNOTATION_VIEW = 'annotation.view'
ANNOTATION_ADD = 'annotation.add'

COMPARED = (
    ('filename', _('File name')), ('size', _('Size')),
    ('mimetype', _('Type')), ('sha256', _('SHA-256')),
    ('uploaded_by', _('Uploaded by')), ('uploaded_at', _('Uploaded at')),
    ('reason', _('Reason')))


class DocumentVersion:
    """A generated document's PDF in the shape of a material version."""

    number = 1
    mimetype = render.PDF
    reason = ''

    def __init__(self, document):
        from ..documents.render import PdfFile
        self._file = PdfFile(document)
        self.filename = self._file.filename
        self.size = self._file.size
        self.sha256 = document.sha256
        self.uploaded_by = document.creator
        self.uploaded_at = document.created

    def open(self):
        return self._file.open()


def versions_of(container, obj):
    if container == 'materials':
        return list(obj.versions)
    if getattr(obj, 'pdf', None) is None:
        return []
    return [DocumentVersion(obj)]


def _target(context, request, container=None, name=None):
    container = container or request.matchdict.get('container', 'materials')
    name = name or request.matchdict['name']
    if container not in VIEWABLE or container not in context:
        raise HTTPNotFound()
    obj = context[container].get(name)
    if obj is None:
        raise HTTPNotFound()
    if not request.has_permission(CASE_DOWNLOAD, obj):
        raise HTTPForbidden()
    versions = versions_of(container, obj)
    if not versions:
        raise HTTPNotFound()
    return container, name, obj, versions


def _version(request, versions, key='version'):
    number = request.params.get(key)
    if not number:
        return versions[-1]
    try:
        n = int(number)
    except ValueError:
        raise HTTPNotFound()
    if not 1 <= n <= len(versions):
        raise HTTPNotFound()
    return versions[n - 1]


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def viewer_url(request, case, container, name, **query):
    query = {k: v for k, v in query.items() if v is not None}
    if container == 'materials':
        return request.route_url('material_view', number=case.case_number,
                                 name=name, _query=query)
    return request.route_url('document_view', number=case.case_number,
                             container=container, name=name, _query=query)


def page_url(request, case, container, name, **query):
    if container == 'materials':
        return request.route_url('material_page', number=case.case_number,
                                 name=name, _query=query)
    return request.route_url('document_page', number=case.case_number,
                             container=container, name=name, _query=query)


def annotations_of(request, case, container, name):
    folder = case.get('annotations')
    if folder is None:
        return []
    return [a for _n, a in sorted(folder.items())
            if getattr(a, 'container', None) == container
            and a.material == name
            and request.has_permission(ANNOTATION_VIEW, a)]


def compare(left, right):
    rows = []
    for attr, title in COMPARED:
        a, b = getattr(left, attr, None), getattr(right, attr, None)
        rows.append({'field': title, 'left': a, 'right': b,
                     'changed': a != b})
    return rows


def viewer_values(context, request, error=None):
    container, name, obj, versions = _target(context, request)
    version = _version(request, versions)
    kind = render.kind_of(version.mimetype)
    pages = 1
    page = max(1, _int(request.params.get('page'), 1))
    docx_text = None
    if kind == 'pdf':
        pages = render.page_count(version)
        if pages == 0:
            kind = 'download'
        page = min(page, max(pages, 1))
    elif kind == 'docx':
        docx_text = render.docx_paragraphs(version)
    else:
        page = 1
    everything = annotations_of(request, context, container, name)
    shown = [a for a in everything
             if a.version == version.number and a.page == page]
    comparison = None
    if request.params.get('compare') and request.params.get('with'):
        left = _version(request, versions, 'compare')
        right = _version(request, versions, 'with')
        comparison = (left, right, compare(left, right))
    if container == 'materials':
        download = request.route_url(
            'case_material', number=context.case_number, name=name,
            _query={'version': version.number})
        image = request.route_url(
            'case_material', number=context.case_number, name=name,
            _query={'version': version.number, 'inline': '1'})
        title = obj.title
    else:
        download = request.route_url(
            'case_document', number=context.case_number,
            container=container, name=name + '.pdf')
        image = None
        title = obj.title
    width = _int(request.params.get('width'), render.DEFAULT_WIDTH)
    if width not in render.WIDTHS:
        width = render.DEFAULT_WIDTH

    def url(**query):
        base = {'version': version.number, 'page': page}
        base.update(query)
        return viewer_url(request, context, container, name, **base)

    return {
        'case': context, 'container': container, 'name': name,
        'obj': obj, 'title': title, 'versions': versions,
        'version': version, 'kind': kind, 'page': page, 'pages': pages,
        'width': width, 'widths': render.WIDTHS,
        'page_image': page_url(request, context, container, name,
                               version=version.number, page=page,
                               width=width) if kind == 'pdf' else None,
        'image': image, 'download': download, 'docx_text': docx_text,
        'annotations': shown, 'all_annotations': everything,
        'can_annotate': request.has_permission(ANNOTATION_ADD, obj),
        'can_reply': {a.__name__: request.has_permission(ANNOTATION_ADD, a)
                      for a in everything},
        'comparison': comparison, 'url': url,
        'version_url': lambda n: viewer_url(request, context, container,
                                            name, version=n),
        'error': error,
        'csrf_token': request.session.get_csrf_token(),
    }


@view_config(route_name='material_view', context=Case, permission=CASE_VIEW,
             renderer='viewer.page')
@view_config(route_name='document_view', context=Case, permission=CASE_VIEW,
             renderer='viewer.page')
def viewer(context, request):
    return viewer_values(context, request)


@view_config(route_name='material_page', context=Case, permission=CASE_VIEW)
@view_config(route_name='document_page', context=Case, permission=CASE_VIEW)
def page_png(context, request):
    _c, _n, _obj, versions = _target(context, request)
    version = _version(request, versions)
    if render.kind_of(version.mimetype) != 'pdf':
        raise HTTPNotFound()
    page = _int(request.params.get('page'), 1)
    width = _int(request.params.get('width'), render.DEFAULT_WIDTH)
    png = render.render_page(version, page, width,
                             var_dir(request.registry.settings))
    if png is None:
        raise HTTPNotFound()
    response = Response(body=png, content_type='image/png')
    response.headers['X-Content-Type-Options'] = 'nosniff'
    response.headers['Cache-Control'] = 'private, max-age=86400'
    return response


def _back(request, case, annotation=None, container=None, name=None,
          version=None, page=None):
    if annotation is not None:
        container, name = annotation.container, annotation.material
        version, page = annotation.version, annotation.page
    return HTTPFound(viewer_url(request, case, container, name,
                                version=version, page=page) + '#annotations')


def _error(context, request, error):
    from pyramid.renderers import render_to_response
    response = render_to_response('viewer.page',
                                  viewer_values(context, request, error),
                                  request=request)
    response.status_int = 400
    return response


@view_config(route_name='annotation_add', context=Case, permission=CASE_VIEW,
             request_method='POST', require_csrf=True)
def annotation_add(context, request):
    post = request.POST
    container = post.get('container', 'materials')
    name = post.get('name', '')
    request.matchdict['container'] = container
    request.matchdict['name'] = name
    container, name, obj, versions = _target(context, request, container,
                                             name)
    if not request.has_permission(ANNOTATION_ADD, obj):
        raise HTTPForbidden()
    version = _version(request, versions)
    page = max(1, _int(post.get('page'), 1))
    try:
        region = parse_region(post.get('x'), post.get('y'), post.get('w'),
                              post.get('h'))
        add_annotation(context, container, name, version.number, page,
                       post.get('text'), request.user_info.login,
                       region=region, quote=post.get('quote', ''),
                       tell_applicant=post.get('tell_applicant') in (
                           'on', '1', 'true'))
    except AnnotationError as e:
        return _error(context, request, e.message)
    request.session.flash(request.localizer.translate(
        _('Annotation saved.')), 'success')
    return _back(request, context, container=container, name=name,
                 version=version.number, page=page)


def _annotation(context, request):
    folder = context.get('annotations')
    annotation = folder.get(request.matchdict['annotation']) \
        if folder is not None else None
    if annotation is None:
        raise HTTPNotFound()
    if not request.has_permission(ANNOTATION_ADD, annotation):
        raise HTTPForbidden()
    return annotation


@view_config(route_name='annotation_reply', context=Case,
             permission=CASE_VIEW, request_method='POST', require_csrf=True)
def annotation_reply(context, request):
    annotation = _annotation(context, request)
    try:
        reply(annotation, request.POST.get('text'), request.user_info.login)
    except AnnotationError as e:
        request.session.flash(request.localizer.translate(e.message),
                              'error')
    return _back(request, context, annotation)


@view_config(route_name='annotation_resolve', context=Case,
             permission=CASE_VIEW, request_method='POST', require_csrf=True)
def annotation_resolve(context, request):
    annotation = _annotation(context, request)
    resolve(annotation, request.user_info.login)
    return _back(request, context, annotation)


def includeme(config):
    add = config.add_case_route
    add('material_view', '/materials/{name}/view')
    add('material_page', '/materials/{name}/page.png')
    add('document_view', '/documents/{container}/{name}/view')
    add('document_page', '/documents/{container}/{name}/page.png')
    add('annotation_add', '/annotations/add')
    add('annotation_reply', '/annotations/{annotation}/reply')
    add('annotation_resolve', '/annotations/{annotation}/resolve')
    config.scan(__name__)
