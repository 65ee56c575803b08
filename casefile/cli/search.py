"""``casefile reindex`` and ``casefile search QUERY [--json]``.

``reindex`` rebuilds the full-text index from the database with a
progress bar on stderr: writer processes segment and write in parallel
(``--procs``), batches are committed as they go, and an interrupted run
resumes where it stopped (``--fresh`` starts over).  ``search`` prints the
hits of a query as an operator sees them (no permission filter), as lines
or as JSON.
"""
import json
import sys
import time

import click


def _db(env):
    return env.registry._zodb_databases['']


@click.command()
@click.option('--procs', default=2, show_default=True, type=int,
              help='Writer processes (segmentation runs in them).')
@click.option('--fresh', is_flag=True,
              help='Start over instead of resuming an interrupted run.')
@click.pass_obj
def reindex(env, procs, fresh):
    """Rebuild the full-text search index of every case."""
    from tqdm import tqdm
    from ..search import get_index
    from ..search.reindex import rebuild
    try:
        env.root  # open the installation (start-up repairs run here)
        search_index = get_index(env.registry)
        started = time.perf_counter()
        with tqdm(total=0, unit='case', file=sys.stderr,
                  desc='reindex') as bar:
            count = rebuild(_db(env), search_index, env.registry,
                            procs=procs, progress=bar, resume=not fresh)
        seconds = time.perf_counter() - started
        click.echo('indexed %d case(s) in %.1f s (%.0f/s) into %s' % (
            count, seconds, count / seconds if seconds else 0,
            search_index.path))
    finally:
        env.close()


@click.command()
@click.argument('query')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@click.option('--limit', default=20, show_default=True, type=int)
@click.option('--sort', type=click.Choice(['relevance', 'date']),
              default='relevance', show_default=True)
@click.pass_obj
def search(env, query, as_json, limit, sort):
    """Print the cases matching QUERY (the search page's syntax)."""
    from ..search import get_index, snippet
    from ..search.query import QueryError, parse
    from ..search.queue import catch_up
    try:
        env.root
        search_index = get_index(env.registry)
        catch_up(_db(env), search_index, env.registry)
        try:
            parsed = parse(query)
            total, exact, hits = search_index.search(
                parsed, None, sort=sort, limit=limit)
        except QueryError as error:
            raise click.ClickException('cannot read the query: %s' % error)
        rows = []
        for key, fields in hits:
            date = fields.get('date')
            rows.append({
                'case_number': fields['case_number'],
                'title': fields.get('title', ''),
                'state': fields.get('state', ''),
                'date': date.date().isoformat() if date else None,
                'snippet': snippet(fields.get('body', ''), parsed.phrases),
                'url': '/cases/%s' % fields['case_number'],
            })
        if as_json:
            click.echo(json.dumps({'total': total, 'exact': exact,
                                   'hits': rows}, ensure_ascii=False,
                                  indent=1))
            return
        click.echo('%s%d case(s)' % ('' if exact else '~', total))
        for row in rows:
            import re
            text = re.sub(r'</?mark>', '*', row['snippet'])
            click.echo('%s  %s  %s  %s' % (row['case_number'], row['date'],
                                           row['state'], row['title']))
            click.echo('    ' + text)
    finally:
        env.close()
