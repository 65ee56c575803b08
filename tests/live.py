"""A real HTTP server around the test app, and a small cookie-keeping client.

For tests that need true concurrency (WebTest calls the app in the test's
own thread): waitress serves the app on a free loopback port from a
background thread; each :class:`Client` keeps its own session cookies.
"""
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from waitress.server import create_server


class LiveServer:
    def __init__(self, app, threads=8):
        self.server = create_server(app, host='127.0.0.1', port=0,
                                    threads=threads)
        self.url = 'http://127.0.0.1:%s' % self.server.effective_port
        self.closing = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.server.run()
        except (OSError, ValueError):
            # closing the socket under the serving loop's select()
            if not self.closing:
                raise

    def close(self):
        """Stop the worker threads, then the loop (as WebTest's
        StopableWSGIServer does), and wait for it."""
        self.closing = True
        self.server.task_dispatcher.shutdown()
        self.server.close()
        self.thread.join(10)


@pytest.fixture
def live_app(app):
    server = LiveServer(app)
    yield server
    server.close()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode('utf-8', 'replace')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, method, path, data=None, headers=None, timeout=30):
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def get(self, path):
        return self.request('GET', path)

    def post_form(self, path, pairs):
        data = urllib.parse.urlencode(pairs).encode('utf-8')
        return self.request('POST', path, data, {
            'Content-Type': 'application/x-www-form-urlencoded'})

    def post_multipart(self, path, fields, files):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(('--%s\r\nContent-Disposition: form-data; '
                          'name="%s"\r\n\r\n%s\r\n' % (boundary, name, value)
                          ).encode('utf-8'))
        for name, filename, content in files:
            parts.append(('--%s\r\nContent-Disposition: form-data; '
                          'name="%s"; filename="%s"\r\nContent-Type: '
                          'application/octet-stream\r\n\r\n'
                          % (boundary, name, filename)).encode('utf-8')
                         + content + b'\r\n')
        parts.append(('--%s--\r\n' % boundary).encode('utf-8'))
        return self.request('POST', path, b''.join(parts), {
            'Content-Type': 'multipart/form-data; boundary=' + boundary})

    def login(self, login, password='demo-2026'):
        page = self.get('/login')
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          page.text).group(1)
        response = self.post_form('/login', [
            ('csrf_token', token), ('login', login),
            ('password', password), ('came_from', '/')])
        assert response.status == 302, response.text[:500]
        return self
