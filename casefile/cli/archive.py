"""``casefile archive``: export and verify archive packages.

- ``export CASE --out FILE.zip``: the package of one archived case;
- ``export --all --since DATE --out DIR``: every case archived since DATE,
  one package each, with a progress bar (transfer to the archives
  authority);
- ``verify FILE.zip``: exit 0 when the package is intact, 1 otherwise,
  naming every changed, missing or added file;
- ``check [FILE]``: validate the archive number scheme (file and line).
"""
import datetime
import os
import sys

import click


@click.group()
def archive():
    """Archive packages (一套档案): export, verify, check the scheme."""


def _export_one(env, case, out):
    import transaction
    from ..archive.package import export_package
    summary = export_package(case, out, env.settings, exported_by='cli')
    case.journal.record('archive.export', 'cli', target=os.path.basename(
        out), data={'files': summary['files']})
    env.commit('casefile: archive export %s' % case.case_number)
    transaction.begin()
    return summary


@archive.command()
@click.argument('case_number', required=False)
@click.option('--out', 'out', required=True, type=click.Path(),
              help='The ZIP file (one case) or directory (--all).')
@click.option('--all', 'all_', is_flag=True,
              help='Every archived case (with --since).')
@click.option('--since', type=click.DateTime(formats=['%Y-%m-%d']),
              help='With --all: archived on or after this day.')
@click.pass_obj
def export(env, case_number, out, all_, since):
    """Write the archive package of CASE_NUMBER (or of --all cases)."""
    try:
        cases = env.root['cases']
        if not all_:
            if not case_number:
                raise click.UsageError('name a case number or use --all')
            case = cases.get(case_number)
            if case is None:
                raise click.ClickException('no case %s' % case_number)
            if case.state != 'archived':
                raise click.ClickException(
                    'case %s is not archived (state %s)'
                    % (case_number, case.state))
            summary = _export_one(env, case, out)
            click.echo('%s: %d files, %d bytes of records -> %s' % (
                case.archive_number, summary['files'], summary['bytes'],
                out))
            return
        from substanced.util import find_catalog
        from tqdm import tqdm
        os.makedirs(out, exist_ok=True)
        catalog = find_catalog(env.root, 'archive')
        query = catalog['retention'].any(['permanent', '30y', '10y'])
        if since:
            query = query & catalog['archived_on'].ge(
                since.date().isoformat())
        numbers = [c.case_number for c in query.execute().all()]
        for number in tqdm(numbers, file=sys.stderr, unit='case',
                           desc='archives'):
            case = env.root['cases'][number]
            path = os.path.join(out, '%s.zip' % case.archive_number)
            _export_one(env, case, path)
            env.root._p_jar.cacheGC()
        click.echo('%d archive packages written to %s' % (len(numbers),
                                                          out))
    finally:
        env.close()


@archive.command()
@click.argument('package', type=click.Path(exists=True, dir_okay=False))
@click.option('--cert', type=click.Path(exists=True, dir_okay=False),
              help="The bureau's certificate (PEM); default: the "
                   "installation's signing certificate.")
@click.option('--no-signature', is_flag=True,
              help='Check the checksums only (no certificate at hand).')
@click.pass_obj
def verify(env, package, cert, no_signature):
    """Check PACKAGE: exit 0 if intact, 1 naming each changed, missing or
    added file."""
    from ..archive.package import load_public_key, verify_package
    key = None
    if cert:
        from cryptography import x509
        with open(cert, 'rb') as f:
            key = x509.load_pem_x509_certificate(f.read()).public_key()
    elif not no_signature:
        try:
            key = load_public_key(env.settings)
        finally:
            env.close()
    problems = verify_package(package, key)
    for problem in problems:
        click.echo(str(problem))
    if [p for p in problems if p.kind != 'unsigned']:
        click.echo('%s: NOT intact (%d problems)' % (package, len(problems)))
        sys.exit(1)
    click.echo('%s: intact' % package)


@archive.command()
@click.argument('path', required=False, type=click.Path(dir_okay=False))
@click.pass_obj
def check(env, path):
    """Validate the archive number scheme (default: the installation's)."""
    from ..archive.scheme import SchemeError, load_scheme, scheme_path
    if path is None:
        path = scheme_path(env.settings)
        env.close()
    try:
        scheme = load_scheme(path)
    except SchemeError as error:
        for problem in error.problems:
            click.echo(str(problem))
        sys.exit(1)
    click.echo('%s: fonds %s, e.g. %s' % (path, scheme.fonds, scheme.number(
        datetime.date.today().year, 'permanent', 1)))
