"""``casefile catalogue``: check, list and load the item catalogue."""
import json
import os
import sys

import click


@click.group()
def catalogue():
    """The item catalogue (事项清单): check, list, load."""


def resolve_dir(directory):
    """Accept the catalogue directory itself or the ``schemas/`` folder
    that holds it (``casefile catalogue check schemas/``)."""
    nested = os.path.join(directory, 'catalogue')
    if (not os.path.exists(os.path.join(directory, 'catalogue.yaml'))
            and os.path.exists(os.path.join(nested, 'catalogue.yaml'))):
        return nested
    return directory


@catalogue.command()
@click.argument('directory', required=False,
                type=click.Path(exists=True, file_okay=False))
@click.pass_obj
def check(env, directory):
    """Validate a catalogue directory; every problem as FILE:LINE: message.

    DIRECTORY is the catalogue folder or the schemas/ folder holding it;
    without it, checks the one named in the ini file.  Exits 1 if there is
    any problem.
    """
    from ..catalogue.loader import check_catalogue
    if directory is None:
        directory = _configured_dir(env)
    directory = resolve_dir(directory)
    problems = check_catalogue(directory)
    for problem in problems:
        # problems name files relative to the directory; print paths an
        # editor can open from here
        path = problem.file
        if path != directory and not os.path.isabs(path):
            path = os.path.join(directory, path)
        click.echo('%s:%d: %s' % (path, problem.line, problem.message),
                   err=True)
    if problems:
        click.echo('%d problem(s) in %s' % (len(problems), directory),
                   err=True)
        sys.exit(1)
    click.echo('catalogue %s: OK' % directory)


def _configured_dir(env):
    import configparser
    parser = configparser.ConfigParser(
        defaults={'here': os.path.dirname(os.path.abspath(env.config))})
    parser.read(env.config)
    return parser.get('app:main', 'casefile.catalogue_dir',
                      vars=env.options)


def summary(cat):
    """The JSON shape of ``catalogue list --json`` (a documented contract)."""
    return {
        'title': cat.title,
        'effective': cat.effective.isoformat(),
        'digest': cat.digest,
        'sections': [{'code': s.code, 'name': s.name, 'kind': s.kind,
                      'phone': s.phone, 'location': s.location}
                     for s in cat.sections.values()],
        'items': [{'code': i.code, 'name': i.name, 'kind': i.kind,
                   'section': i.section,
                   'limits': {'statutory': i.limits.statutory,
                              'promised': i.limits.promised},
                   'prerequisites': list(i.prerequisites)}
                  for i in cat.items.values()],
        'matters': [{'code': m.code, 'name': m.name, 'items': list(m.items),
                     'lead_section': m.lead_section}
                    for m in cat.matters.values()],
        'projects': [{'code': p.code, 'name': p.name, 'kind': p.kind,
                      'stages': [{'code': s.code, 'name': s.name,
                                  'items': list(s.items),
                                  'lead_section': s.lead_section}
                                 for s in p.stages]}
                     for p in cat.projects.values()],
    }


@catalogue.command('list')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@click.pass_obj
def list_(env, as_json):
    """Print the current catalogue version of the installation."""
    from ..catalogue.store import catalogue_versions
    try:
        versions = catalogue_versions(env.root)
        version = versions.current
        cat = version.catalogue
        if as_json:
            data = summary(cat)
            data['version'] = version.number
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        click.echo('%s (version %d, %d items)' % (cat.title, version.number,
                                                   len(cat.items)))
        for app in cat.applications():
            click.echo('  %-14s %s (%d items)' % (app.code, app.title,
                                                   len(app.items)))
    finally:
        env.close()


@catalogue.command()
@click.argument('directory', type=click.Path(exists=True, file_okay=False))
@click.pass_obj
def load(env, directory):
    """Load DIRECTORY as a new catalogue version (if it changed)."""
    from ..catalogue.diff import diff
    from ..catalogue.loader import CatalogueError
    from ..catalogue.loading import load_into
    from ..catalogue.store import catalogue_versions
    directory = resolve_dir(directory)
    try:
        versions = catalogue_versions(env.root)
        previous = versions.current
        try:
            version, created = load_into(env.root, directory,
                                         actor='cli', registry=env.registry)
        except CatalogueError as e:
            for problem in e.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException('catalogue not loaded; the current '
                                       'version stays in force')
        if not created:
            click.echo('unchanged: version %d stays current' % version.number)
            return
        env.commit('casefile: catalogue load %s' % directory)
        click.echo('loaded as version %d' % version.number)
        if previous is not None:
            for line in diff(previous.catalogue, version.catalogue).summary:
                click.echo('  ' + line)
    finally:
        env.close()
