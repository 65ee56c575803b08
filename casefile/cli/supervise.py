"""``casefile supervise``: the e-supervision round, run by cron.

Finds every open task and case whose light is yellow or red, records a
warning in the case's journal, leaves a message for the people responsible
and e-mails them (see :mod:`casefile.supervision.notify`).  Idempotent:
a target is warned once per light change and at most once a day, so cron
may run it as often as it likes.  Always exits 0 when the database could
be opened; mail failures are counted in the summary, the warnings stand.

``--rebuild`` first recounts the supervision aggregates from all cases
(after an upgrade from a version without e-supervision).
"""
import datetime

import click


@click.command()
@click.option('--date', 'on', metavar='YYYY-MM-DD',
              help='Supervise as of this day (default: today).')
@click.option('--no-mail', is_flag=True, help='Record and message only.')
@click.option('--rebuild', is_flag=True,
              help='First recount the dashboard aggregates from all cases.')
@click.pass_obj
def supervise(env, on, no_mail, rebuild):
    """E-supervision: warn about yellow and red cases and items."""
    from ..supervision.notify import run_supervision
    now = None
    if on:
        try:
            now = datetime.date.fromisoformat(on)
        except ValueError:
            raise click.BadParameter('expected YYYY-MM-DD', param_hint='--date')
    try:
        root = env.root
        if rebuild:
            from ..supervision.aggregates import rebuild as recount

            def progress(n):
                if n % 1000 == 0:
                    click.echo('  %d cases recounted' % n)
            counted = recount(root, progress=progress)
            env.commit('casefile: supervise --rebuild')
            click.echo('Aggregates rebuilt: %(tasks)d items, %(cases)d '
                       'cases' % counted)
        summary = run_supervision(root, env.registry, now=now,
                                  send_mail=not no_mail, echo=click.echo)
        click.echo(
            'E-supervision %s: %d red, %d yellow open; %d new warnings, '
            '%d messages, %d e-mails sent, %d failed.' % (
                (now or datetime.date.today()).isoformat(), summary['red'],
                summary['yellow'], summary['warnings'], summary['messages'],
                summary['mails'], summary['mail_failures']))
    finally:
        env.close()
