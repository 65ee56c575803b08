"""``casefile backup DEST`` and ``casefile restore SRC``.

A backup holds everything needed to bring an installation back:

- ``zodb/`` and ``audit/``: ZODB's own ``repozo`` backups of ``Data.fs``
  and ``audit.fs`` (a full backup first, then incremental ones, each a
  small file of the transactions since the last; ``--full`` starts a new
  full one).  repozo reads a live FileStorage safely: a running server
  need not stop.
- ``blobs/``: the material files.  Blob files never change once written,
  so each backup copies only the files the last one does not have.
- ``index/``: the search index, from ``casefile.search_dir`` (a copy;
  ``casefile reindex`` rebuilds it too), ``signing/`` (the bureau's
  document-signing key) and ``secrets.json`` (cookie secret): keep the
  backup as safe as the server.

``casefile restore SRC`` recovers ``Data.fs`` and ``audit.fs`` with
repozo (``--date`` for an earlier state), the blobs, index, key and
secrets, into the installation's ``var_dir`` (or ``--data-fs``/
``--blob-dir``), refusing to overwrite an existing database without
``--force``.  Then run ``casefile journal verify``.

The database files are found from the ini's ``zodbconn.uri`` when it is a
``file://`` URI (the embedded default).  On a ZEO server's machine give
``--data-fs`` and ``--blob-dir`` of the server's storage; RelStorage is
backed up with PostgreSQL's own tools (docs/deploy.md).  The app is never
opened, so the command does not need the database lock.
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import click

#: what is copied besides the databases, by its name in the backup
EXTRAS = ('index', 'signing', 'secrets.json')


def extra_paths(settings):
    """Where each of :data:`EXTRAS` lives in this installation: the
    search index where ``casefile.search_dir`` puts it, the rest in
    var_dir."""
    from ..search import search_dir
    var = settings['casefile.var_dir']
    return {'index': search_dir(settings),
            'signing': os.path.join(var, 'signing'),
            'secrets.json': os.path.join(var, 'secrets.json')}


def storage_paths(env, data_fs=None, blob_dir=None):
    """``(extras, Data.fs, audit.fs, blob dir)`` of the installation;
    ``extras`` maps each of :data:`EXTRAS` to its path."""
    from pyramid.paster import get_appsettings
    from ..config import prepare_settings
    if not os.path.exists(env.config):
        raise click.ClickException('configuration file %s not found'
                                   % env.config)
    settings = get_appsettings(env.config, options=env.options)
    global_config = dict(env.options,
                         here=os.path.dirname(os.path.abspath(env.config)))
    settings = prepare_settings(global_config, settings)
    audit = None
    if data_fs is None:
        uri = settings['zodbconn.uri']
        if not uri.startswith('file://'):
            raise click.ClickException(
                'zodbconn.uri is not a file:// storage; give --data-fs and '
                '--blob-dir (on the ZEO server), or back up RelStorage with '
                'pg_dump (docs/deploy.md)')
        parts = urlsplit(uri)
        data_fs = parts.path
        blob_dir = blob_dir or parse_qs(parts.query).get(
            'blobstorage_dir', [None])[0]
        audit_uri = settings.get('zodbconn.uri.audit', '')
        if audit_uri.startswith('file://'):
            audit = urlsplit(audit_uri).path
    else:
        candidate = os.path.join(os.path.dirname(data_fs), 'audit.fs')
        audit = candidate if os.path.exists(candidate) else None
    return extra_paths(settings), data_fs, audit, blob_dir


def repozo(*args):
    result = subprocess.run([sys.executable, '-m', 'ZODB.scripts.repozo']
                            + list(args), capture_output=True, text=True)
    if result.returncode:
        raise click.ClickException('repozo %s failed: %s' % (
            ' '.join(args), (result.stderr or result.stdout).strip()))
    return result


def mirror_blobs(source, dest):
    """Copy blob files that ``dest`` lacks; return how many were copied."""
    copied = 0
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d != 'tmp']    # uploads in progress
        target = os.path.join(dest, os.path.relpath(folder, source))
        os.makedirs(target, exist_ok=True)
        for name in files:
            src, dst = os.path.join(folder, name), os.path.join(target, name)
            if name.endswith('.lock') or name.startswith('tmp'):
                continue
            if (not os.path.exists(dst)
                    or os.path.getsize(dst) != os.path.getsize(src)):
                shutil.copy2(src, dst)
                copied += 1
    return copied


def copy_extra(source, dest):
    if os.path.isdir(source):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(
            '*.lock', 'tmp*'))
    elif os.path.exists(source):
        shutil.copy2(source, dest)


@click.command()
@click.argument('dest', type=click.Path(file_okay=False))
@click.option('--full', is_flag=True,
              help='Start a new full backup instead of an incremental one.')
@click.option('--data-fs', type=click.Path(dir_okay=False, exists=True),
              help="The Data.fs to back up (default: the ini's storage).")
@click.option('--blob-dir', type=click.Path(file_okay=False, exists=True),
              help='The blob directory belonging to --data-fs.')
@click.pass_obj
def backup(env, dest, full, data_fs, blob_dir):
    """Back up the database, blobs, index and keys into DEST."""
    extras, data_fs, audit, blob_dir = storage_paths(env, data_fs, blob_dir)
    os.makedirs(dest, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    report = {'started': started.isoformat(), 'data_fs': data_fs}
    for name, path in (('zodb', data_fs), ('audit', audit)):
        if not path:
            continue
        repo = os.path.join(dest, name)
        first = not os.path.isdir(repo) or not os.listdir(repo)
        os.makedirs(repo, exist_ok=True)
        args = ['-B', '-r', repo, '-f', path]
        if full or first:
            args.append('-F')
        repozo(*args)
        report[name] = 'full' if (full or first) else 'incremental'
    if blob_dir:
        report['blobs_copied'] = mirror_blobs(blob_dir,
                                              os.path.join(dest, 'blobs'))
    for name in EXTRAS:
        source = extras[name]
        if name == 'index' and os.path.isdir(source):
            # a running server's indexing thread writes here: copy under
            # the directory's writer lock, never between a merge's files
            from ..search.index import SearchIndex
            with SearchIndex(source).locked():
                copy_extra(source, os.path.join(dest, name))
        else:
            copy_extra(source, os.path.join(dest, name))
    report['finished'] = datetime.datetime.now(
        datetime.timezone.utc).isoformat()
    with open(os.path.join(dest, 'backups.log'), 'a', encoding='utf-8') as f:
        f.write(json.dumps(report) + '\n')
    click.echo('backup in %s: database %s, %s blob file(s) copied' % (
        dest, report.get('zodb'), report.get('blobs_copied', 0)))


@click.command()
@click.argument('src', type=click.Path(file_okay=False, exists=True))
@click.option('--date', 'when', metavar='YYYY-MM-DD-HH-MM-SS',
              help='Recover the state at this UTC time (default: latest).')
@click.option('--force', is_flag=True,
              help='Overwrite an existing database.')
@click.option('--data-fs', type=click.Path(dir_okay=False),
              help="Where to recover Data.fs (default: the ini's storage).")
@click.option('--blob-dir', type=click.Path(file_okay=False),
              help='Where to recover the blobs.')
@click.pass_obj
def restore(env, src, when, force, data_fs, blob_dir):
    """Restore a backup made by `casefile backup` from SRC."""
    extras, data_fs, audit, blob_dir = storage_paths(env, data_fs, blob_dir)
    if data_fs and data_fs.startswith('/') and not audit:
        audit = os.path.join(os.path.dirname(data_fs), 'audit.fs')
    if os.path.exists(data_fs) and not force:
        raise click.ClickException(
            '%s exists: stop the server and use --force to replace it'
            % data_fs)
    if not os.path.isdir(os.path.join(src, 'zodb')):
        raise click.ClickException('%s holds no casefile backup' % src)
    for name, path in (('zodb', data_fs), ('audit', audit)):
        repo = os.path.join(src, name)
        if not path or not os.path.isdir(repo):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        for suffix in ('', '.index', '.tmp', '.lock'):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        args = ['-R', '-r', repo, '-o', path]
        if when:
            args += ['-D', when]
        repozo(*args)
    if blob_dir and os.path.isdir(os.path.join(src, 'blobs')):
        if force and os.path.isdir(blob_dir):
            shutil.rmtree(blob_dir)
        mirror_blobs(os.path.join(src, 'blobs'), blob_dir)
    for name in EXTRAS:
        copy_extra(os.path.join(src, name), extras[name])
    click.echo('restored %s from %s; now run: casefile journal verify'
               % (data_fs, src))
