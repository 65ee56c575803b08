"""Security headers on every response (a tween).

Every response of the bureau's own pages, downloads and the API carries:

- ``X-Content-Type-Options: nosniff`` - a browser never guesses a type;
- ``Content-Security-Policy`` - only our own scripts, styles, images and
  fonts; ``style-src`` allows ``'unsafe-inline'`` because some pages
  (guide, guides, manual, supervision, verify, catalogue diff) carry
  ``<style>`` blocks and ``style=`` attributes; no inline script at all;
  ``frame-ancestors 'none'``;
- ``X-Frame-Options: DENY`` - the same for older browsers;
- ``Referrer-Policy: same-origin`` - case numbers in our URLs never leak
  to another site.

Substance D's SDI (``/manage``) is built on inline scripts and styles:
there the CSP is relaxed to ``'self' 'unsafe-inline' 'unsafe-eval'`` for
scripts and styles (the other headers stay).  A header a view already set
(``file_response`` sets its own stricter CSP on downloads) is kept.
"""

CSP = ("default-src 'self'; img-src 'self' data:; "
       "style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")

SDI_CSP = ("default-src 'self'; img-src 'self' data:; "
           "style-src 'self' 'unsafe-inline'; "
           "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
           "object-src 'none'; frame-ancestors 'self'")

HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
}

SDI_PREFIX = '/manage'


def is_sdi(path):
    return path == SDI_PREFIX or path.startswith(SDI_PREFIX + '/')


def add_security_headers(request, response):
    headers = response.headers
    sdi = is_sdi(request.path_info or '')
    for name, value in HEADERS.items():
        if name not in headers:
            headers[name] = value
    if sdi:
        # the SDI frames nothing of ours but uses frames of its own origin
        headers['X-Frame-Options'] = 'SAMEORIGIN'
    if 'Content-Security-Policy' not in headers:
        headers['Content-Security-Policy'] = SDI_CSP if sdi else CSP
    return response


def security_headers_tween_factory(handler, registry):
    def security_headers_tween(request):
        response = handler(request)
        return add_security_headers(request, response)
    return security_headers_tween


def includeme(config):
    config.add_tween(
        'casefile.security.headers.security_headers_tween_factory')
