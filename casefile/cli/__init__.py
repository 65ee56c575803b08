"""The ``casefile`` command: operate an installation from the shell.

Every subcommand works on the installation named by ``-c/--config`` (an
ini file, default ``development.ini``); ``-o KEY=VALUE`` overrides a
``[DEFAULT]`` variable exactly as ``pserve INI KEY=VALUE`` does, so the
same command serves several independent instances.  Subsystems add their
own command groups here (``catalogue``; later ``journal``, ``archive``...).
"""
import click

from .app import Environment
from .backup import backup, restore
from .archive import archive
from .catalogue import catalogue
from .documents import documents
from .journal import journal
from .organisations import organisations
from .search import reindex, search
from .site import demo, init, shell
from .supervise import supervise


@click.group(context_settings={'help_option_names': ['-h', '--help']})
@click.option('-c', '--config', default='development.ini', show_default=True,
              type=click.Path(dir_okay=False),
              help='The ini file of the installation.')
@click.option('-o', '--option', 'options', multiple=True, metavar='KEY=VALUE',
              help='Override a [DEFAULT] variable, e.g. -o var_dir=/srv/x.')
@click.pass_context
def main(ctx, config, options):
    """casefile: case management of the Anshan Administrative Approval
    Bureau (鞍山市行政审批局)."""
    pairs = {}
    for option in options:
        key, sep, value = option.partition('=')
        if not sep:
            raise click.BadParameter('expected KEY=VALUE', param_hint='-o')
        pairs[key.strip()] = value.strip()
    ctx.obj = Environment(config, pairs)


main.add_command(init)
main.add_command(demo)
main.add_command(shell)
main.add_command(catalogue)
main.add_command(documents)
main.add_command(supervise)
main.add_command(journal)
main.add_command(organisations)
main.add_command(reindex)
main.add_command(search)
main.add_command(backup)
main.add_command(restore)
main.add_command(archive)
