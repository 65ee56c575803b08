"""``casefile init``, ``casefile demo`` and ``casefile shell``."""
import code

import click

from ..site.demo import DEMO_PASSWORD, DEMO_USERS


def _print_logins(env):
    settings = env.settings
    click.echo('Administrator (SDI at /manage): %s / %s' % (
        settings['substanced.initial_login'],
        settings['substanced.initial_password']))
    click.echo('Demo logins (password %s):' % DEMO_PASSWORD)
    for login, title, roles, sections in DEMO_USERS:
        click.echo('  %-18s %s  %s %s' % (login, title, '/'.join(roles),
                                          ' '.join(sections)))


def _url(env):
    port = env.options.get('http_port')
    if port is None:
        import configparser
        parser = configparser.ConfigParser()
        parser.read(env.config)
        port = parser.get('DEFAULT', 'http_port', fallback='6543')
    return 'http://127.0.0.1:%s/' % port


@click.command()
@click.option('--demo', 'with_demo', is_flag=True,
              help='Also load the demo users.')
@click.pass_obj
def init(env, with_demo):
    """Create the database, containers and catalogue (idempotent)."""
    from ..site.startup import prepare_database
    try:
        summary = prepare_database(env.registry)
        if with_demo:
            env.registry.settings['casefile.demo'] = 'true'
            summary = prepare_database(env.registry)
        catalogue = summary.get('catalogue') or {}
        click.echo('Database ready in %s' % env.settings['casefile.var_dir'])
        if catalogue:
            click.echo('Catalogue: version %s (%s)' % (
                catalogue.get('number'),
                'new' if catalogue.get('created') else 'unchanged'))
        if with_demo:
            _print_logins(env)
        click.echo('URL: %s' % _url(env))
    finally:
        env.close()


@click.command()
@click.pass_obj
def demo(env):
    """Load the demo users (idempotent)."""
    from ..site.startup import prepare_database
    try:
        env.registry.settings['casefile.demo'] = 'true'
        prepare_database(env.registry)
        _print_logins(env)
    finally:
        env.close()


@click.command()
@click.pass_obj
def shell(env):
    """An interactive Python shell with ``root``, ``registry``, ``request``."""
    try:
        names = {'root': env.root, 'registry': env.registry,
                 'request': env.env['request'],
                 'transaction': __import__('transaction')}
        code.interact(banner='casefile shell: root, registry, request, '
                      'transaction (commit yourself).', local=names)
    finally:
        env.close()
