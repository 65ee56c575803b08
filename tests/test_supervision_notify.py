"""``casefile supervise``: warnings once, messages, e-mail to an SMTP sink."""
import datetime
import os
import re
import socketserver
import threading

import pytest
import transaction
from click.testing import CliRunner

from casefile.clock.timing import today
from conftest import REPO, make_settings
from test_supervision import history, history_db, var_dir  # noqa: F401


# -- a tiny SMTP sink -----------------------------------------------------------

class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode('ascii') + b'\r\n')

    def handle(self):
        self.reply('220 sink ESMTP')
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode('utf-8', 'replace').strip()
            upper = command.upper()
            if upper.startswith('EHLO'):
                self.reply('250-sink')
                self.reply('250 8BITMIME')
            elif upper.startswith('HELO'):
                self.reply('250 sink')
            elif upper.startswith('MAIL FROM:'):
                sender = command[10:].strip().strip('<>').split()[0]
                recipients = []
                self.reply('250 OK')
            elif upper.startswith('RCPT TO:'):
                recipients.append(command[8:].strip().strip('<>'))
                self.reply('250 OK')
            elif upper == 'DATA':
                self.reply('354 end with .')
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b'.\r\n', b'.\n', b''):
                        break
                    data.append(chunk)
                self.server.received.append(
                    (sender, list(recipients), b''.join(data)))
                self.reply('250 OK queued')
            elif upper in ('RSET', 'NOOP'):
                self.reply('250 OK')
            elif upper == 'QUIT':
                self.reply('221 bye')
                return
            else:
                self.reply('502 not implemented')


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _SMTPHandler)
        self.received = []

    @property
    def port(self):
        return self.server_address[1]

    def recipients(self):
        return sorted(r for _s, rs, _d in self.received for r in rs)


@pytest.fixture
def smtp():
    sink = SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()


@pytest.fixture
def app_settings(var_dir, smtp):  # noqa: F811
    return make_settings(var_dir, **{'mail.host': '127.0.0.1',
                                     'mail.port': str(smtp.port),
                                     'mail.default_sender':
                                     'supervision@example.invalid'})


def warnings_of(root):
    out = []
    for case in root['cases'].values():
        out += [(case.case_number, e['target'], e['data']['light'])
                for e in case.journal if e['action'] == 'supervision.warning']
    return sorted(out)


def open_targets(root, now=None):
    """Brute force: (case number, target, light) of every yellow/red one."""
    from casefile.clock.timing import case_timing, task_timing
    now = now or today()
    out = []
    for case in root['cases'].values():
        # intake, review and issuance each have their clock
        light = case_timing(case, now=now).light
        if light in ('red', 'yellow'):
            out.append((case.case_number, case.case_number, light))
        if case.state != 'in_review':
            continue
        for task in case.tasks():
            if task.decided:
                continue
            light = task_timing(task, now=now).light
            if light in ('red', 'yellow'):
                out.append((case.case_number, task.item_code, light))
    return sorted(out)


def test_supervise_warns_once_messages_and_mails(history, app, smtp):
    from casefile.supervision.notify import message_box, run_supervision
    root, numbers = history
    expected = open_targets(root)
    assert any(t[2] == 'red' for t in expected)
    assert any(t[2] == 'yellow' for t in expected)
    summary = run_supervision(root, app.registry)
    assert summary['warnings'] == len(expected)
    assert summary['red'] + summary['yellow'] == len(expected)
    assert warnings_of(root) == expected
    # the reviewers and heads of 市场准入科 hear about SC-001
    box = message_box(root._p_jar.root(), 'reviewer.market')
    assert box is not None and box.unread() >= 2
    assert {m['case'] for m in box.latest()} >= {numbers[4], numbers[5]}
    assert message_box(root._p_jar.root(), 'reviewer.build') is None
    # results not issued in time: the issuance window hears about it
    issuer = message_box(root._p_jar.root(), 'issuer')
    assert {m['case'] for m in issuer.latest()} == set(numbers[:3])
    # one e-mail per person, through the SMTP sink
    assert summary['mails'] > 0 and summary['mail_failures'] == 0
    assert 'reviewer.market@demo.invalid' in smtp.recipients()
    assert 'head.food@demo.invalid' in smtp.recipients()
    assert len(smtp.recipients()) == len(set(smtp.recipients()))
    mail = [d for _s, r, d in smtp.received
            if r == ['reviewer.market@demo.invalid']][0]
    assert numbers[4].encode() in mail or b'=?utf-8?' in mail.lower() \
        or b'base64' in mail.lower()
    # running again changes nothing and mails nobody
    sent = len(smtp.received)
    again = run_supervision(root, app.registry)
    assert again['warnings'] == 0 and again['messages'] == 0
    assert warnings_of(root) == expected
    assert len(smtp.received) == sent
    for case in root['cases'].values():
        case.journal.verify()


def test_a_light_change_is_told_again(history, app, smtp):
    from casefile.clock import add_working_days
    from casefile.supervision.notify import run_supervision
    root, numbers = history
    run_supervision(root, app.registry, send_mail=False)
    later = add_working_days(today(), 5)
    summary = run_supervision(root, app.registry, now=later,
                              send_mail=False)
    changed = [t for t in open_targets(root, later)
               if t not in open_targets(root)]
    assert changed and all(t[2] == 'red' for t in changed)
    assert summary['warnings'] == len(changed)
    assert {t[0] for t in changed} == {numbers[5]}
    # the same day again: nothing
    assert run_supervision(root, app.registry, now=later,
                           send_mail=False)['warnings'] == 0


def test_messages_page_and_unread_count(history, app, login, smtp):
    from casefile.supervision.notify import run_supervision
    root, numbers = history
    run_supervision(root, app.registry, send_mail=False)
    transaction.abort()
    reviewer = login('reviewer.market')
    page = reviewer.get('/messages')
    unread = int(re.search(r'id="unread">(\d+)', page.text).group(1))
    assert unread >= 2
    assert numbers[4] in page.text and numbers[5] in page.text
    # (English until the lead adds the new msgids to the catalogue)
    assert 'Overdue' in page.text or '超' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      page.text).group(1)
    reviewer.post('/messages/read', {'csrf_token': token}, status=302)
    page = reviewer.get('/messages')
    assert 'id="unread"' not in page.text
    # someone without messages
    assert 'id="unread"' not in login('clerk').get('/messages').text


def _ini(tmp_path, port):
    with open(os.path.join(REPO, 'development.ini'), encoding='utf-8') as f:
        text = f.read()
    text = text.replace('mail.default_sender = casefile@localhost',
                        'mail.default_sender = casefile@localhost\n'
                        'mail.host = 127.0.0.1\nmail.port = %d' % port)
    text = text.replace('%(here)s', REPO)
    path = tmp_path / 'supervise.ini'
    path.write_text(text, encoding='utf-8')
    return str(path)


def test_the_command_is_idempotent_and_exits_0(var_dir, smtp,  # noqa: F811
                                               tmp_path):
    from casefile.cli import main
    ini = _ini(tmp_path, smtp.port)
    runner = CliRunner()
    args = ['-c', ini, '-o', 'var_dir=%s' % var_dir, 'supervise']
    first = runner.invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    found = re.search(r'(\d+) new warnings, (\d+) messages, (\d+) e-mails '
                      r'sent, (\d+) failed', first.output)
    assert found, first.output
    warnings, messages, mails, failed = map(int, found.groups())
    assert warnings > 0 and messages > 0 and mails > 0 and failed == 0
    assert len(smtp.received) == mails
    second = runner.invoke(main, args, catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert '0 new warnings, 0 messages, 0 e-mails sent' in second.output
    assert len(smtp.received) == mails
    rebuilt = runner.invoke(main, args + ['--rebuild', '--no-mail'],
                            catch_exceptions=False)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert 'Aggregates rebuilt: 11 items, 3 cases' in rebuilt.output


def test_the_command_exits_0_when_mail_fails(var_dir, tmp_path):  # noqa
    from casefile.cli import main
    import socket
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there
    result = CliRunner().invoke(main, ['-c', _ini(tmp_path, port), '-o',
                                       'var_dir=%s' % var_dir, 'supervise'],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert re.search(r'0 e-mails sent, [1-9]\d* failed', result.output)


def test_supervise_date_option(var_dir, tmp_path, smtp):  # noqa: F811
    from casefile.cli import main
    later = (today() + datetime.timedelta(days=30)).isoformat()
    result = CliRunner().invoke(main, ['-c', _ini(tmp_path, smtp.port), '-o',
                                       'var_dir=%s' % var_dir, 'supervise',
                                       '--date', later, '--no-mail'],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert 'E-supervision %s' % later in result.output
