"""Rebuilding the index from the database: ``casefile reindex``.

Cases are read in case-number order (the ``cases`` BTree's order, which
is date order), so each year's partition is a contiguous range.  The
reading process extracts the documents; ``procs`` writer processes each
own some years and do the segmentation and writing in parallel, committing
in batches.  ``reindex.json`` in the index directory records, per year,
the last case number committed: an interrupted run resumes after it.
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

from .index import SearchIndex, writer as new_writer, year_of_number

log = logging.getLogger(__name__)

CHECKPOINT = 'reindex.json'
BATCH = 20000


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


def _writer_main(path, inbox, outbox):
    """A writer process: add documents to its years, commit on demand."""
    search_index = SearchIndex(path)
    writers = {}
    last = {}
    while True:
        message = inbox.get()
        if message is None:
            break
        kind, payload = message
        if kind == 'docs':
            for fields in payload:
                year = fields['date'].year
                writer = writers.get(year)
                if writer is None:
                    ix = search_index.index(year, create=True)
                    writer = writers[year] = new_writer(ix, limitmb=128)
                writer.add_document(**fields)
                last[year] = fields['case_number']
        elif kind == 'commit':
            final = payload
            for year in (set(last) if final else set(writers)):
                writer = writers.get(year)
                if writer is None:
                    writer = new_writer(search_index.index(year))
                # the last commit optimises this process's years to one
                # segment each, in parallel with the other writers
                if final:
                    writer.commit(optimize=True)
                else:
                    writer.commit(merge=False)
            writers.clear()
            outbox.put(dict(last))
    for writer in writers.values():
        writer.cancel()


class Writers:
    """``procs`` writer processes (or the caller itself when procs <= 1)."""

    def __init__(self, search_index, procs):
        self.search_index = search_index
        self.procs = max(1, procs)
        self.years = []
        self.local = {}
        self.workers = []
        if self.procs > 1:
            ctx = multiprocessing.get_context('fork')
            for _i in range(self.procs):
                inbox, outbox = ctx.Queue(8), ctx.Queue()
                proc = ctx.Process(target=_writer_main, daemon=True,
                                   args=(search_index.path, inbox, outbox))
                proc.start()
                self.workers.append((proc, inbox, outbox))

    def route(self, year):
        if year not in self.years:
            self.years.append(year)
        return self.years.index(year) % self.procs

    def send(self, year, fields_list):
        if not self.workers:
            writer = self.local.get(year)
            if writer is None:
                ix = self.search_index.index(year, create=True)
                writer = self.local[year] = new_writer(ix, limitmb=128)
            for fields in fields_list:
                writer.add_document(**fields)
            return
        self.workers[self.route(year)][1].put(('docs', fields_list))

    def commit(self, final=False):
        """Commit everything sent so far; returns {year: last number}
        (for the local writer: {}), used for the checkpoint.  ``final``
        optimises each year (in the writer processes)."""
        if not self.workers:
            for writer in self.local.values():
                writer.commit(merge=False)
            self.local.clear()
            return {}
        for _proc, inbox, _outbox in self.workers:
            inbox.put(('commit', final))
        merged = {}
        for _proc, _inbox, outbox in self.workers:
            merged.update(outbox.get())
        return merged

    def close(self):
        for proc, inbox, _outbox in self.workers:
            inbox.put(None)
        for proc, _inbox, _outbox in self.workers:
            proc.join(60)
        for writer in self.local.values():
            writer.cancel()


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
    numbers = list(cases.keys())
    if progress is not None:
        progress.reset(total=len(numbers))
    writers = Writers(search_index, procs)
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
