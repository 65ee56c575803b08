"""``casefile journal verify``: check the hash chain of case journals.

Every case keeps its own hash-chained journal (:mod:`casefile.case.journal`);
an entry changed behind the application's back (through the ZODB API, or
by editing ``Data.fs``) breaks the chain at that entry.  This command
re-computes the chain of one case, or of all cases with a progress bar on
stderr, and names each broken case with its first broken entry.  Exit
status 0 when every journal checked is intact, 1 otherwise.
"""
import sys

import click


@click.group()
def journal():
    """The case journals (hash-chained records of every case)."""


def verify_case(case):
    """``None`` if the journal of ``case`` is intact, else the error."""
    from ..case.journal import JournalBrokenError
    record = getattr(case, 'journal', None)
    if record is None:
        return JournalBrokenError(0, 'the case has no journal')
    try:
        record.verify()
    except JournalBrokenError as error:
        return error
    return None


@journal.command()
@click.argument('case_number', required=False)
@click.pass_obj
def verify(env, case_number):
    """Verify the journal of CASE_NUMBER, or of every case."""
    try:
        cases = env.root['cases']
        if case_number:
            case = cases.get(case_number)
            if case is None:
                raise click.ClickException('no case %s' % case_number)
            items = [(case_number, case)]
            total = 1
        else:
            items = cases.items()
            total = len(cases)
        broken = 0
        checked = 0
        iterator = items
        if not case_number:
            from tqdm import tqdm
            iterator = tqdm(items, total=total, file=sys.stderr,
                            unit='case', desc='journals')
        for number, case in iterator:
            checked += 1
            error = verify_case(case)
            if error is not None:
                broken += 1
                click.echo('%s: journal broken at entry %s: %s'
                           % (number, error.seq, error.reason))
            # keep memory flat over a large database
            if checked % 500 == 0:
                case._p_jar.cacheGC()
        if broken:
            click.echo('%d of %d journals broken.' % (broken, checked))
            sys.exit(1)
        click.echo('%d journals intact.' % checked)
    finally:
        env.close()
