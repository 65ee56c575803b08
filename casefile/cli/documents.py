"""``casefile documents``: check the bureau's document templates."""
import os
import sys

import click


@click.group()
def documents():
    """Official documents: check the templates in templates/documents."""


@documents.command()
@click.argument('directory', required=False,
                type=click.Path(exists=True, file_okay=False))
@click.pass_obj
def check(env, directory):
    """Validate document templates; every problem as FILE:LINE: message.

    Without DIRECTORY, checks templates/documents beside the ini file.
    Exits 1 if there is any problem.
    """
    from ..documents.templates import check_directory
    if directory is None:
        directory = os.path.join(
            os.path.dirname(os.path.abspath(env.config)), 'templates',
            'documents')
    _templates, problems = check_directory(directory)
    for problem in sorted(problems):
        click.echo('%s:%d: %s' % (os.path.join(directory, problem.file),
                                  problem.line, problem.message), err=True)
    if problems:
        sys.exit(1)
    click.echo('%s: all document templates are fine' % directory)
