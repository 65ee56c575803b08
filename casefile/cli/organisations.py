"""``casefile organisations``: check and list ``organisations.yaml``."""
import os
import sys

import click


@click.group()
def organisations():
    """Districts, zones and city departments (organisations.yaml)."""


def _configured_file(env):
    import configparser
    from ..organisation import organisations_path
    parser = configparser.ConfigParser(
        defaults={'here': os.path.dirname(os.path.abspath(env.config))})
    parser.read(env.config)
    settings = dict(parser.items('app:main', vars=env.options)) \
        if parser.has_section('app:main') else {}
    return organisations_path(settings)


@organisations.command()
@click.argument('path', required=False,
                type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def check(env, path):
    """Validate organisations.yaml; every problem as FILE:LINE: message.

    Without PATH, checks the file the ini names (or
    <schemas_dir>/organisations.yaml).  Exits 1 if there is any problem.
    """
    from ..organisation import read_organisations
    path = path or _configured_file(env)
    if not path:
        click.echo('no organisations file is configured', err=True)
        sys.exit(1)
    orgs, problems = read_organisations(path, path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo('%d problem(s) in %s' % (len(problems), path), err=True)
        sys.exit(1)
    click.echo('organisations %s: OK (%d organisations, %d sections)' % (
        path, len(orgs), len(orgs.external_sections())))


@organisations.command(name='list')
@click.argument('path', required=False,
                type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def list_(env, path):
    """One line per organisation: code, kind, admin code, name, sections."""
    from ..organisation import load_organisations
    orgs = load_organisations(path or _configured_file(env))
    for org in orgs:
        click.echo('\t'.join([
            org.code, org.kind, org.admin_code or org.within or '-',
            org.name, ' '.join(s.code for s in org.sections) or '-']))
