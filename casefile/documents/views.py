"""Download of a document's signed PDF, and the public verification page.

- ``GET /cases/{number}/documents/{container}/{name}.pdf``: the signed PDF,
  for whoever may open the document (its ACL's ``case.download``);
- ``/verify``: anyone, without signing in, types the document number and
  the verification code printed beside the QR code;
- ``/verify/{token}`` (the QR code's address): what the document is --
  kind, number, date, case number, holder -- and a form to check whether a
  copy is exactly the issued file (SHA-256).  An unknown token or a wrong
  number/code pair gets "not found" and nothing else.
"""
from pyramid.httpexceptions import HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..case.document import KINDS
from ..case.model import Case
from ..case.permissions import CASE_DOWNLOAD, CASE_VIEW
from ..case.views import file_response
from ..i18n import _
from .render import PdfFile, chinese_date
from .verify import case_of, find_by_number, find_by_token, matches

CONTAINERS = ('documents', 'decisions', 'certificates')


def pdf_url(request, case, document):
    """Where the signed PDF of ``document`` is downloaded."""
    return request.route_url(
        'case_document', number=case.case_number,
        container=document.__parent__.__name__,
        name=document.__name__ + '.pdf')


@view_config(route_name='case_document', context=Case, permission=CASE_VIEW,
             path_info=r'.*\.pdf$', request_method=('GET', 'HEAD'))
def case_document_pdf(context, request):
    container = request.matchdict['container']
    name = request.matchdict['name'][:-len('.pdf')]
    if container not in CONTAINERS:
        raise HTTPNotFound()
    document = context[container].get(name)
    if document is None or getattr(document, 'pdf', None) is None:
        raise HTTPNotFound()
    if not request.has_permission(CASE_DOWNLOAD, document):
        raise HTTPForbidden()
    return file_response(request, PdfFile(document),
                         inline=request.params.get('inline') == '1')


def _details(request, document):
    case = case_of(document)
    kind = KINDS.get(document.kind)
    return {
        'title': document.title,
        'kind': request.localizer.translate(kind) if kind else
        document.title,
        'number': document.number,
        'date': chinese_date(document.created),
        'case_number': case.case_number if case is not None else '',
        'holder': case.applicant.get('name', '') if case is not None else '',
        'sha256': document.sha256,
        'token': document.verify_token,
    }


def _page(request, document=None, result=None, error=None, status=200,
          number='', code=''):
    request.response.status_int = status
    if error is not None:
        error = request.localizer.translate(error)
    return {'found': _details(request, document) if document else None,
            'result': result, 'error': error, 'number': number,
            'code': code}


@view_config(route_name='verify', renderer='verify.page',
             permission=NO_PERMISSION_REQUIRED)
def verify_form(request):
    number = request.params.get('number', '').strip()
    code = request.params.get('code', '').strip()
    if not number and not code:
        return _page(request)
    document = find_by_number(request.root, number, code)
    if document is None:
        return _page(request, error=_('Not found.'), status=404,
                     number=number, code=code)
    return HTTPFound(request.route_url('verify_token',
                                       token=document.verify_token))


@view_config(route_name='verify_token', renderer='verify.page',
             permission=NO_PERMISSION_REQUIRED)
def verify_token(request):
    document = find_by_token(request.root, request.matchdict['token'])
    if document is None:
        return _page(request, error=_('Not found.'), status=404)
    if request.method != 'POST':
        return _page(request, document)
    upload = request.POST.get('file')
    if not hasattr(upload, 'file'):
        return _page(request, document, error=_('Please choose a file.'),
                     status=400)
    result = 'match' if matches(document, upload.file) else 'mismatch'
    return _page(request, document, result=result)


def includeme(config):
    config.add_route('verify', '/verify')
    config.add_route('verify_token', '/verify/{token}')
    config.scan(__name__)
