"""Rebuilding the index from the database: ``casefile reindex``.

Cases are read in case-number (date) order within each year, the years
side by side (``interleave``), and the years are shared out among
``procs`` writer processes by size (``Writers.plan``); each process does
the segmentation and writing of its batches (``bulk.BulkWriter``) into
its own part of its years and commits every ``BATCH`` cases.  At the end
each year's segments become one, the years shared out among the
processes.
``reindex.json`` in the index directory records, per year, the last case
number committed: an interrupted run resumes after it.
The log's state read at the start is written as "applied" at the
end, then the log is applied from there, so cases changed during the
rebuild are indexed again with their newest state.  The new partitions
are built in ``search_dir/rebuild/`` and renamed into place at the end,
so searches keep answering from the old index meanwhile.
"""
import json
import logging
import multiprocessing
import os

from .index import SearchIndex, bulk_writer, open_year, year_of_number

log = logging.getLogger(__name__)

CHECKPOINT = 'reindex.json'
#: cases between commits (the checkpoint): an interruption loses at most
#: a few minutes of work.  Not fewer: each commit adds a segment per year,
#: and merging them into one at the end rewrites every posting (measured:
#: 120 k cases with two checkpoints took 70 s to write and 46 s to merge)
BATCH = 200000


def _read_checkpoint(search_index):
    try:
        with open(os.path.join(search_index.path, CHECKPOINT),
                  encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write_checkpoint(search_index, data):
    path = os.path.join(search_index.path, CHECKPOINT)
    with open(path + '.tmp', 'w', encoding='utf-8') as f:
        json.dump(data, f)
    os.replace(path + '.tmp', path)


PARTS = 'parts'


class Part:
    """What one writer process writes: ``path/parts/<n>/<year>/``, one
    Whoosh index per year, written with ``bulk.BulkWriter``.  Each writer
    process has its own directories, so the processes never wait for each
    other's locks, and every process gets every year's cases."""

    def __init__(self, path, number):
        self.path = path
        self.root = os.path.join(path, PARTS, str(number))
        self.writers = {}
        self.last = {}

    def add(self, fields_list):
        for fields in fields_list:
            year = fields['date'].year
            writer = self.writers.get(year)
            if writer is None:
                writer = self.writers[year] = bulk_writer(
                    open_year(self.root, year, create=True))
            writer.add_document(**fields)
            number = fields['case_number']
            self.last[year] = max(number, self.last.get(year, number))

    def commit(self):
        """Commit every open year (one new segment each); returns
        ``{year: last case number}`` of everything this part received."""
        for writer in self.writers.values():
            writer.commit(merge=False)
        self.writers.clear()
        return dict(self.last)

    def cancel(self):
        for writer in self.writers.values():
            writer.cancel()
        self.writers.clear()


def part_years(path):
    """The years written by any part under ``path``."""
    from .index import YEAR
    years = set()
    root = os.path.join(path, PARTS)
    for number in (os.listdir(root) if os.path.isdir(root) else ()):
        years.update(int(name) for name in os.listdir(
            os.path.join(root, number)) if YEAR.match(name))
    return sorted(years)


def merge_year(path, year):
    """Make ``path/<year>`` one segment from the parts' segments of that
    year: a single segment is moved into place, several are merged by a
    ``BulkWriter`` (whole posting blocks, not posting by posting)."""
    import shutil
    from whoosh.reading import SegmentReader
    root = os.path.join(path, PARTS)
    parts = [ix for ix in (open_year(os.path.join(root, n), year)
                           for n in sorted(os.listdir(root))) if ix]
    segments = [(ix, seg) for ix in parts for seg in ix._segments()]
    target = os.path.join(path, str(year))
    shutil.rmtree(target, ignore_errors=True)
    if len(segments) == 1:
        os.rename(segments[0][0].storage.folder, target)
        return
    writer = bulk_writer(open_year(path, year, create=True))
    try:
        for ix, segment in segments:
            reader = SegmentReader(ix.storage, ix.schema, segment)
            writer.add_reader(reader)
            reader.close()
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=False)
    for ix in parts:
        shutil.rmtree(ix.storage.folder, ignore_errors=True)


def _writer_main(path, number, inbox, outbox):
    """A writer process: add documents to its part, commit on demand,
    merge the years it is given at the end."""
    part = Part(path, number)
    while True:
        message = inbox.get()
        if message is None:
            break
        kind, payload = message
        if kind == 'docs':
            part.add(payload)
        elif kind == 'commit':
            outbox.put(part.commit())
        elif kind == 'merge':
            for year in payload:
                merge_year(path, year)
            outbox.put(None)
    part.cancel()


class Writers:
    """``procs`` writer processes (or the caller itself when procs <= 1).

    Each year is written by one process when the years can be shared out
    evenly (``plan``): its segments then need no merging.  A year larger
    than half a process's fair share is written by every process in turn,
    each into its own part, and merged at the end.  The caller feeds the
    years side by side (``interleave``) so that every process has work:
    routing date-ordered cases by year kept one process busy at a time."""

    def __init__(self, search_index, procs):
        self.search_index = search_index
        self.path = search_index.path
        self.procs = max(1, procs)
        self.owners = {}
        self.load = [0] * self.procs
        self.turns = {}
        self.local = None
        self.workers = []
        if self.procs == 1:
            self.local = Part(self.path, 0)
            return
        ctx = multiprocessing.get_context('fork')
        for number in range(self.procs):
            inbox, outbox = ctx.Queue(8), ctx.Queue()
            proc = ctx.Process(target=_writer_main, daemon=True,
                               args=(self.path, number, inbox, outbox))
            proc.start()
            self.workers.append((proc, inbox, outbox))

    def plan(self, counts):
        """Share out the years ``{year: cases}``: the largest first, each
        to the least loaded process; a year over half a fair share goes
        to all."""
        fair = sum(counts.values()) / self.procs
        for year, count in sorted(counts.items(), key=lambda i: -i[1]):
            if self.procs > 1 and count > fair / 2:
                self.owners[year] = list(range(self.procs))
                self.load = [n + count / self.procs for n in self.load]
            else:
                self._assign(year, count)

    def _assign(self, year, count):
        least = self.load.index(min(self.load))
        self.owners[year] = [least]
        self.load[least] += count

    def route(self, year, count):
        """The process for a batch of ``count`` cases of ``year``."""
        if year not in self.owners:     # not planned: on first sight
            self._assign(year, count)
        owners = self.owners[year]
        turn = self.turns.get(year, 0)
        self.turns[year] = turn + 1
        return owners[turn % len(owners)]

    def send(self, year, fields_list):
        if self.local is not None:
            self.local.add(fields_list)
            return
        number = self.route(year, len(fields_list))
        self.workers[number][1].put(('docs', fields_list))

    def commit(self, final=False):
        """Commit everything sent so far; returns ``{year: last case
        number}`` (for the checkpoint).  ``final`` then merges each
        year's segments into ``search_index.path/<year>``."""
        if self.local is not None:
            merged = self.local.commit()
        else:
            for _proc, inbox, _outbox in self.workers:
                inbox.put(('commit', None))
            merged = {}
            for _proc, _inbox, outbox in self.workers:
                for year, number in outbox.get().items():
                    merged[year] = max(number, merged.get(year, number))
        if final:
            self.merge()
        return merged

    def merge(self):
        """One segment per year; the years shared out among the processes
        (a year written by one process in one segment is only moved)."""
        import shutil
        years = part_years(self.path)
        if self.local is not None:
            for year in years:
                merge_year(self.path, year)
        else:
            for number, (_proc, inbox, _outbox) in enumerate(self.workers):
                inbox.put(('merge', years[number::self.procs]))
            for _proc, _inbox, outbox in self.workers:
                outbox.get()
        shutil.rmtree(os.path.join(self.path, PARTS), ignore_errors=True)
        self.search_index.touch()

    def close(self):
        for proc, inbox, _outbox in self.workers:
            inbox.put(None)
        for proc, _inbox, _outbox in self.workers:
            proc.join(60)
        if self.local is not None:
            self.local.cancel()


def interleave(numbers):
    """Case numbers with the years side by side, each year still in
    number order: position *i* of a year of *n* cases comes at *i / n*."""
    years = {}
    for number in numbers:
        years.setdefault(year_of_number(number), []).append(number)
    rank = {}
    for group in years.values():
        for i, number in enumerate(group):
            rank[number] = i / len(group)
    return sorted(numbers, key=rank.__getitem__), {
        year: len(group) for year, group in years.items()
        if year is not None}


def rebuild_locked(app_root, search_log, search_index, procs=1,
                   progress=None, resume=False):
    """Rebuild the index of every case; call with the directory locked."""
    from .extract import case_document
    from .queue import allowed_principals
    from .schema import to_fields
    start_seq, start_recent = (search_log.state_at_end()
                               if search_log is not None else (0, []))
    log_id = search_log.log_id if search_log is not None else None
    # built aside and swapped in at the end: searches keep the old index
    # meanwhile, and an interrupted run leaves it untouched
    live, search_index = search_index, SearchIndex(
        os.path.join(search_index.path, 'rebuild'))
    checkpoint = _read_checkpoint(search_index) if resume else None
    if checkpoint is None or checkpoint.get('log') != log_id:
        search_index.clear()
        checkpoint = {'log': log_id, 'start': start_seq,
                      'recent': start_recent, 'done': {}}
        _write_checkpoint(search_index, checkpoint)
    else:
        start_seq = checkpoint['start']
        start_recent = checkpoint.get('recent', [])
    done = checkpoint['done']
    cases = app_root['cases']
    numbers, counts = interleave(list(cases.keys()))
    if progress is not None:
        progress.reset(total=len(numbers))
    writers = Writers(search_index, procs)
    writers.plan(counts)
    count = 0
    pending = {}
    try:
        for number in numbers:
            year_hint = year_of_number(number)
            mark = done.get(str(year_hint)) if year_hint else None
            if mark is not None and number <= mark:
                if progress is not None:
                    progress.update(1)
                continue
            case = cases.get(number)
            if case is None:
                continue
            try:
                doc = case_document(case, allowed_principals(case),
                                    live.texts_dir)
            except Exception:
                log.exception('search: cannot index case %s; skipped',
                              number)
                continue
            fields = to_fields(doc)
            pending.setdefault(fields['date'].year, []).append(fields)
            count += 1
            if count % 200 == 0:
                for year, batch in pending.items():
                    writers.send(year, batch)
                pending = {}
                if hasattr(case, '_p_jar') and case._p_jar is not None:
                    case._p_jar.cacheGC()
            if count % BATCH == 0:
                done.update({str(y): n for y, n in writers.commit().items()})
                _write_checkpoint(search_index, checkpoint)
            if progress is not None:
                progress.update(1)
        for year, batch in pending.items():
            writers.send(year, batch)
        writers.commit(final=True)
    finally:
        writers.close()
    search_index.optimize()
    _swap(search_index, live)
    live.write_state(start_seq, log_id, start_recent)
    import shutil
    shutil.rmtree(search_index.path, ignore_errors=True)
    return count


def _swap(built, live):
    """Replace the live partitions by the rebuilt ones (renames)."""
    import shutil
    from .index import YEAR
    old = os.path.join(live.path, 'replaced')
    shutil.rmtree(old, ignore_errors=True)
    os.makedirs(old)
    for name in os.listdir(live.path):
        if YEAR.match(name):
            os.rename(os.path.join(live.path, name), os.path.join(old, name))
    for name in os.listdir(built.path):
        if YEAR.match(name):
            os.rename(os.path.join(built.path, name),
                      os.path.join(live.path, name))
    live._indexes.clear()
    live._years = None
    shutil.rmtree(old, ignore_errors=True)


def rebuild(db, search_index, registry, procs=2, progress=None,
            resume=True):
    """Rebuild from a database, then apply what changed meanwhile."""
    import transaction
    from pyramid.threadlocal import manager
    from .queue import catch_up, get_log
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    manager.push({'registry': registry, 'request': None})
    try:
        tm.begin()
        app_root = conn.root()['app_root']
        search_log = get_log(app_root)
        if search_log is None:
            search_log = get_log(app_root, create=True)
            tm.get().note('casefile: search log')
            tm.commit()
            tm.begin()
        with search_index.locked():
            count = rebuild_locked(app_root, search_log, search_index,
                                   procs=procs, progress=progress,
                                   resume=resume)
    finally:
        tm.abort()
        conn.close()
        manager.pop()
    catch_up(db, search_index, registry)
    return count
