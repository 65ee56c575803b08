"""docs/api.md is run, so it cannot go stale.

The worked example's shell blocks are executed against the real app
(WebTest) by a small interpreter of exactly the shell the page uses:
``NAME=value``, ``NAME=$(curl ... | jq -r .field)``, ``cat > file <<'JSON'``,
``printf ... > file``, ``for x in ...; do ... done`` and ``curl`` with
``-X -H -d -F -o -w``.  Every command must succeed.  The expert review
routes, which a pharmacy never needs, are run on an industrial project by
:func:`review_calls` with the documented request bodies.  Then every
request example of the reference must be one that was sent, every response
example must have the shape (keys and value types) of a real answer of its
route, every route has its heading and every error code the API can answer
is in the table.
"""
import json
import pathlib
import re
import shlex

import pytest

DOC = pathlib.Path(__file__).resolve().parent.parent / 'docs' / 'api.md'
BASE = 'http://localhost:6543'


@pytest.fixture(scope='module')
def doc():
    return DOC.read_text('utf-8')


def worked_example(text):
    section = text.split('## Worked example', 1)[1]
    return re.findall(r'```sh\n(.*?)```', section, re.S)


def logical_lines(script):
    """Lines with backslash continuations joined (heredocs kept apart)."""
    out, current = [], ''
    for line in script.splitlines():
        if line.endswith('\\'):
            current += line[:-1] + ' '
            continue
        out.append(current + line)
        current = ''
    return out


def printf(fmt):
    return re.sub(r'%%|\\n|\\\\', lambda m: {'%%': '%', '\\n': '\n',
                                              '\\\\': '\\'}[m.group()], fmt)


def jq_path(value, path):
    for key in path.strip('.').split('.'):
        value = value[key]
    return value


class Shell:
    """Just enough shell to run the worked example through WebTest."""

    def __init__(self, testapp):
        self.app = testapp
        self.vars = {}
        self.files = {}
        self.calls = []     # (method, path, request body, response)

    def expand(self, text):
        def value(match):
            name = match.group(1) or match.group(2)
            assert name in self.vars, 'docs/api.md uses $%s before ' \
                'setting it' % name
            return self.vars[name]
        return re.sub(r'\$\{(\w+)\}|\$(\w+)', value, text)

    def run(self, script):
        lines = logical_lines(script)
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            i += 1
            heredoc = re.match(r"cat > (\S+) <<'(\w+)'$", line)
            loop = re.match(r'for (\w+) in (.*); do$', line)
            if heredoc:
                end = lines.index(heredoc.group(2), i)
                self.files[heredoc.group(1)] = '\n'.join(
                    lines[i:end]).encode('utf-8')
                i = end + 1
            elif loop:
                end = lines.index('done', i)
                body = '\n'.join(lines[i:end])
                for word in self.expand(loop.group(2)).split():
                    self.vars[loop.group(1)] = word
                    self.run(body)
                i = end + 1
            elif not line or line.startswith(('#', 'echo ')):
                continue
            else:
                self.statement(line)

    def statement(self, line):
        assigned = re.match(r'(\w+)=\$\((.*)\)$', line)
        if assigned:
            output = self.pipeline(assigned.group(2))
            assert output and output != 'null', line
            self.vars[assigned.group(1)] = output
            return
        plain = re.match(r'(\w+)=(\S+)$', line)
        if plain:
            self.vars[plain.group(1)] = self.expand(plain.group(2))
            return
        words = shlex.split(self.expand(line))
        if words[0] == 'printf':
            assert words[2] == '>', line
            self.files[words[3]] = printf(words[1]).encode('utf-8')
            return
        assert words[0] == 'curl', 'docs/api.md: unsupported line: ' + line
        self.pipeline(line)

    def pipeline(self, text):
        lexer = shlex.shlex(self.expand(text), posix=True,
                            punctuation_chars='|')
        lexer.whitespace_split = True
        stages, current = [], []
        for token in lexer:
            if token == '|':
                stages.append(current)
                current = []
            else:
                current.append(token)
        stages.append(current)
        output, response = self.curl(stages[0])
        for stage in stages[1:]:
            assert stage[0] == 'jq', text
            if stage[1] == '-r':
                output = str(jq_path(response.json, stage[2]))
        return output

    def curl(self, words):
        assert words[0] == 'curl'
        method, headers, data, form, files, url, out = (
            None, {}, None, {}, [], None, None)
        args = iter(words[1:])
        for word in args:
            if word in ('-s', '-S', '-f', '--silent', '--fail'):
                continue
            if word in ('-X', '--request'):
                method = next(args)
            elif word in ('-H', '--header'):
                name, value = next(args).split(':', 1)
                headers[name.strip()] = value.strip()
            elif word in ('-d', '--data', '--data-binary'):
                data = next(args)
                if data.startswith('@'):
                    data = self.files[data[1:]]
                    if word != '--data-binary':   # curl -d drops newlines
                        data = data.replace(b'\n', b'').replace(b'\r', b'')
                else:
                    data = data.encode('utf-8')
            elif word in ('-F', '--form'):
                name, value = next(args).split('=', 1)
                if value.startswith('@'):
                    files.append((name, value[1:], self.files[value[1:]]))
                else:
                    form[name] = value
            elif word == '-o':
                next(args)
            elif word == '-w':
                out = next(args)
            elif word.startswith('http'):
                url = word
            else:
                raise AssertionError('docs/api.md: unsupported curl '
                                     'option %s' % word)
        assert url and url.startswith(BASE), url
        path = url[len(BASE):]
        method = method or ('POST' if data is not None or form or files
                            else 'GET')
        if form or files:
            response = self.app.post(path, form, upload_files=files,
                                     headers=headers, expect_errors=True)
        else:
            if data is not None:
                headers.setdefault('Content-Type',
                                   'application/x-www-form-urlencoded')
            response = self.app.request(path, method=method, body=data or b'',
                                        headers=headers, expect_errors=True)
        assert response.status_int < 400, '%s %s: %s' % (
            method, path, response.text)
        body = json.loads(data) if data and headers.get(
            'Content-Type') == 'application/json' else None
        self.calls.append((method, path.split('?')[0], body, response))
        if out is not None:
            return out.replace('%{http_code}', str(
                response.status_int)).replace('\\n', ''), response
        return response.text, response


def route_regex(template):
    return re.compile('^' + re.sub(r'\\\{\w+\\\}', '[^/]+',
                                   re.escape(template)) + '$')


def fits(doc_value, real):
    """``doc_value`` shows only keys, values and types that ``real`` has."""
    if doc_value is None or real is None:
        return True
    if isinstance(doc_value, dict):
        return isinstance(real, dict) and all(
            k in real and fits(v, real[k]) for k, v in doc_value.items())
    if isinstance(doc_value, list):
        return isinstance(real, list) and all(
            any(fits(v, r) for r in real) for v in doc_value)
    if isinstance(doc_value, bool) or isinstance(real, bool):
        return type(doc_value) is type(real)
    if isinstance(doc_value, (int, float)):
        return isinstance(real, (int, float))
    return type(doc_value) is type(real)


#: the request bodies of the expert review examples in docs/api.md
REVIEW = {'item': 'TZ-004', 'size': 2, 'exclude': ['E003'],
          'recent_days': 30}
OPINION = {'text': '环评结论可信，污染防治措施可行，同意。', 'conclusion': 'agree'}
CLOSE = {'consolidated': '专家组一致同意该项目环境影响评价文件。'}


def review_calls(testapp):
    """An expert review of an industrial project's first stage (TZ-004),
    through the API: draw, each expert's opinion in their own login, close.
    ``(method, path, request body, response)`` like ``Shell.calls``."""
    from test_api import auth, create, fire, upload_required
    clerk = auth(testapp, 'clerk')
    number = create(testapp, clerk, 'P-IND-1', project={
        'name': '鞍山某某机械厂房建设项目'})['case_number']
    upload_required(testapp, clerk, number, 'P-IND-1')
    fire(testapp, clerk, number, 'accept')
    inspector = auth(testapp, 'inspector')
    calls = []

    def call(method, path, headers, body=None):
        if method == 'GET':
            response = testapp.get(path, headers=headers)
        else:
            response = testapp.post_json(path, body, headers=headers)
        assert response.status_int < 300, response.text
        calls.append((method, path, body, response))
        return response.json

    reviews = '/api/cases/%s/reviews' % number
    review = call('POST', reviews, inspector, REVIEW)
    path = '%s/%s' % (reviews, review['name'])
    for expert in review['panel']:
        call('POST', path + '/opinion', auth(testapp, expert['login']),
             OPINION)
    call('GET', reviews, inspector)
    call('GET', path, inspector)
    call('POST', path + '/transitions/close', inspector, CLOSE)
    return calls


@pytest.fixture
def shell(testapp, doc):
    shell = Shell(testapp)
    for block in worked_example(doc):
        shell.run(block)
    return shell


def test_the_worked_example_runs_and_issues_the_pharmacy_case(shell,
                                                                testapp):
    number = shell.vars['CASE']
    case = testapp.get('/api/cases/' + number, headers={
        'Authorization': 'Bearer ' + shell.vars['ISSUER']}).json
    assert case['state'] == 'completed'
    assert case['outcome']['granted'] == 4
    assert {d['kind'] for d in case['documents']} >= {
        'acceptance_notice', 'decision_grant', 'certificate',
        'delivery_record'}
    # the last step revoked the clerk's token
    testapp.get('/api/worklist', headers={
        'Authorization': 'Bearer ' + shell.vars['CLERK']}, status=401)

    text = DOC.read_text('utf-8')
    examples = re.findall(
        r'<!-- (request|response): (\w+) (\S+) -->\n```json\n(.*?)```',
        text, re.S)
    assert examples
    every_call = shell.calls + review_calls(testapp)
    for kind, method, template, block in examples:
        example = json.loads(block)
        pattern = route_regex(template)
        calls = [c for c in every_call
                 if c[0] == method and pattern.match(c[1])]
        assert calls, 'no test calls %s %s' % (method, template)
        if kind == 'request':
            assert example in [c[2] for c in calls], (
                'request example of %s %s is not one the worked example '
                '(or review_calls) sends' % (method, template))
        else:
            assert any(fits(example, c[3].json) for c in calls), (
                'response example of %s %s does not fit the real answers'
                % (method, template))


def test_every_route_is_documented(app, doc):
    from pyramid.interfaces import IRoutesMapper
    mapper = app.registry.getUtility(IRoutesMapper)
    headings = [line for line in doc.splitlines()
                if line.startswith('### ')]
    routes = [r.pattern for r in mapper.get_routes()
              if r.name.startswith('api_')]
    assert len(routes) >= 9
    for pattern in routes:
        assert any(re.search(r'`[A-Z]+ %s`' % re.escape(pattern), h)
                   for h in headings), pattern


def test_every_error_code_is_in_the_table(doc):
    from casefile.api.errors import CODES
    table = set(re.findall(r'^\| (\d{3}) \| `([a-z-]+)` \|', doc, re.M))
    documented = {code: int(status) for status, code in table}
    for code, status in CODES.items():
        assert documented.get(code) == status, code
    # the codes of the services the API calls, raised with their own status
    root = pathlib.Path(__file__).resolve().parent.parent / 'casefile'
    raised = set()
    for name in ('case/intake.py', 'case/service.py', 'case/material.py',
                 'workflow/engine.py', 'inspection/service.py',
                 'inspection/experts.py', 'organisation/routing.py'):
        raised |= set(re.findall(
            r"(?:IntakeError|UploadError|TransitionError|InspectionError|"
            r"DrawError|RoutingError)\(\s*'([a-z-]+)'",
            (root / name).read_text('utf-8')))
    raised.discard('no-workflow')    # only for objects the API never fires
    assert raised and raised <= set(documented), raised - set(documented)
    # the inspection routes answer each service code with its own status
    from casefile.api.inspection import STATUS
    for code, status in STATUS.items():
        assert documented.get(code) == status, code
    for block in re.findall(r'<!-- error -->\n```json\n(.*?)```', doc,
                            re.S):
        error = json.loads(block)['error']
        assert error['code'] in documented and error['message']
