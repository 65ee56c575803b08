"""Writing many cases at once: posting lists written whole.

Whoosh's writer handles every posting in Python twice: ``add_document``
puts one tuple per (term, document) into a sorting pool (spilled to disk
and merged when large), and the commit hands them one at a time to the
codec's ``add_posting``.  A case has ~125 distinct character pairs, so
that was nearly all of a rebuild's time (304 cases/s with two writer
processes at 100 k).

``BulkWriter`` collects the postings itself, per field and term, in
arrays appended in document order (they need no sorting: documents are
numbered as they come, and merged segments come after them).  The
``text`` field skips Whoosh's field machinery altogether
(``analysis.impacts`` straight into the arrays); a short field's value
seen before (a state, a section) is not analysed again.  At commit
``write_terms`` cuts each term's list into the codec's blocks and writes
term after term in one function.  Merging segments (``optimize``, the
rebuild's parts) reads the old segments' term tables in order and their
``text`` postings a block at a time.

The files are Whoosh's W3 files with the same blocks, statistics and
term table, so the readers (``engine``, Whoosh's searcher) see no
difference; the tests compare both ways posting by posting and query by
query.  Two things differ, both within the format: blocks and stored
fields are deflated with a small zlib state (``compress``), and blocks
of a few postings are stored without deflating (each block's header says
which).
"""
import zlib
from array import array
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC, W3Codec, W3PerDocWriter, W3TermInfo, _lenfield)
from whoosh.fields import NUMERIC
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import impacts
from .engine import read_blocks
from .schema import IMPACT_VALUE

FIELD = 'text'


def compress(data, level=3):
    """``zlib.compress`` with an 8 KB window and small hash tables.  The
    default state (~256 KB) is allocated and freed on every call; for
    Whoosh's small blocks (at most a few KB) that allocation cost ~60-90 µs
    here, more than everything else about the block; this costs ~6 µs
    and deflates a block to the same size."""
    deflate = zlib.compressobj(level, zlib.DEFLATED, 13, 5)
    return deflate.compress(data) + deflate.flush()


class BulkPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer; the stored fields are deflated by
    ``compress`` (read back by Whoosh's ``zlib.decompress``)."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self._colwriters['_stored']._child._compress = compress


class Codec(W3Codec):
    """Whoosh's codec without per-posting length statistics: no field is
    scored by length here (impacts carry it), and looking lengths up cost
    a ``stat`` system call per posting when segments are written.  Its
    stored fields are deflated cheaply (``compress``)."""
    length_stats = False

    def per_document_writer(self, storage, segment):
        return BulkPerDocWriter(self, storage, segment)


class Lists:
    """Stands in for Whoosh's posting pool: field → term → (document
    numbers, weights, values), appended in document order."""

    def __init__(self):
        self.fields = {}

    def terms(self, fieldname):
        found = self.fields.get(fieldname)
        if found is None:
            found = self.fields[fieldname] = {}
        return found

    def cleanup(self):
        self.fields = {}


class BulkWriter(SegmentWriter):
    """A segment writer for many documents (a rebuild) and for merging
    segments; see the module's docstring."""

    def __init__(self, ix, **kwargs):
        kwargs['codec'] = Codec()
        super().__init__(ix, **kwargs)
        for name in self.schema.names():
            field = self.schema[name]
            if field.vector or field.separate_spelling():
                self.cancel()
                raise ValueError('bulk writing has no term vectors or '
                                 'spelling words (field %r)' % name)
        self.pool.cleanup()
        self.pool = Lists()
        #: the ``text`` terms (str) → (document numbers, impacts)
        self._text = self.pool.terms(FIELD)
        #: (field, value) → its postings, for repeated short values
        self._analysed = {}

    def add_document(self, **fields):
        """Whoosh's ``add_document`` for casefile's schema (no boosts, no
        ``_stored_`` values, no vectors or spelling): the postings go
        straight to the lists, and the terms of a repeated short value
        (a state, a section, the principals) are analysed once."""
        self._check_state()
        schema = self.schema
        names = sorted(fields)
        self._check_fields(schema, names)
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name == FIELD:
                    self._add_text(docnum, impacts(value))
                elif field.indexed:
                    length = self._add_short(docnum, name, field, value)
                perdoc.add_field(name, field,
                                 value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type,
                                            field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_short(self, docnum, name, field, value):
        """Add a short field's postings; returns its length (scorable
        fields only, as Whoosh)."""
        key = (name, value) if isinstance(value, str) else None
        postings = self._analysed.get(key) if key else None
        if postings is None:
            postings = _index(field, value)
            if key and not field.unique:
                if len(self._analysed) > 100000:
                    self._analysed.clear()
                self._analysed[key] = postings
        length = 0
        for btext, freq, weight, vbytes in postings:
            lists = self._lists(name, btext)
            lists[0].append(docnum)
            lists[1].append(weight)
            lists[2].append(vbytes)
            length += freq
        return length if field.scorable else 0

    def _add_text(self, docnum, found):
        """Append ``{term: impact}`` of document ``docnum``."""
        text = self._text
        for term, impact in found.items():
            lists = text.get(term)
            if lists is None:
                lists = text[term] = (array('I'), array('d'))
            lists[0].append(docnum)
            lists[1].append(impact)

    # -- merging old segments (optimize, merge policies) -------------------
    def write_per_doc(self, fieldnames, reader):
        """Whoosh's, without a ``stat`` per document and field: a length
        column that a segment does not have is looked up once."""
        perdoc = getattr(reader, '_perdoc', None)
        if perdoc is not None:
            for name in fieldnames:
                column = _lenfield(name)
                if column not in perdoc._readers and \
                        not perdoc.has_column(column):
                    perdoc._readers[column] = None
        return super().write_per_doc(fieldnames, reader)

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """A merged segment's postings, term by term from its term table
        (no lookup per term), ``text`` a block at a time; deleted
        documents are left out (they are not in ``docmap``)."""
        terms = reader._terms
        schema = self.schema
        for (fieldname, btext), info in terms.items():
            if fieldname not in schema:
                continue
            matcher = terms._codec.postings_reader(
                terms._postfile, info, schema[fieldname].format)
            if fieldname == FIELD:
                self._merge_text(btext.decode('utf-8'), matcher, startdoc,
                                 docmap)
                continue
            lists = self._lists(fieldname, btext)
            while matcher.is_active():
                docnum = matcher.id()
                if docmap is None or docnum in docmap:
                    lists[0].append(startdoc + docnum if docmap is None
                                    else docmap[docnum])
                    lists[1].append(matcher.weight())
                    lists[2].append(matcher.value())
                matcher.next()

    def _lists(self, fieldname, btext):
        terms = self.pool.terms(fieldname)
        lists = terms.get(btext)
        if lists is None:
            lists = terms[btext] = (array('I'), array('d'), [])
        return lists

    def _merge_text(self, term, matcher, startdoc, docmap):
        ids, weights = read_blocks(matcher)
        if docmap is None:
            ids = [startdoc + d for d in ids]
        else:
            kept = [(docmap[d], w) for d, w in zip(ids, weights)
                    if d in docmap]
            ids = [d for d, _w in kept]
            weights = [w for _d, w in kept]
        if ids:
            lists = self._text.get(term)
            if lists is None:
                lists = self._text[term] = (array('I'), array('d'))
            lists[0].extend(ids)
            lists[1].extend(weights)

    # -- commit ---------------------------------------------------------------
    def _flush_segment(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for fieldname in sorted(self.pool.fields):
            terms = self.pool.fields[fieldname]
            if terms:
                self._write_field(fieldwriter, fieldname, terms)
        fieldwriter.close()

    def _write_field(self, fieldwriter, fieldname, terms):
        fieldobj = self.schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        write_terms(fieldwriter, fieldobj.format, terms)
        fieldwriter.finish_field()


def _index(field, value):
    """``field.index(value)`` as a list.  A date is converted once, not
    once per precision level (``NUMERIC.index`` converts it for each of
    its eight terms: a quarter of the short fields' time)."""
    if isinstance(field, NUMERIC) and field.shift_step and \
            not isinstance(value, (list, tuple)):
        first = field.to_bytes(value, 0)
        sortable = field._struct.unpack(first[1:])[0]
        return [(first, 1, 1.0, b'')] + [
            (field.sortable_to_bytes(sortable, shift), 1, 1.0, b'')
            for shift in range(field.shift_step, field.bits,
                               field.shift_step)]
    return list(field.index(value))


def write_terms(fieldwriter, format_, terms):
    """Write a field's posting lists as Whoosh's ``W3FieldWriter`` and
    ``W3PostingsWriter`` write them one posting at a time: per term, the
    postings cut in blocks of ``blocklimit`` (a header before the first;
    each block's length, negative for the last, its info and its pickled,
    deflated data), then a row in the term table (``W3TermInfo``'s
    bytes).  Terms are taken in byte order (a ``str`` term, from ``text``,
    is in UTF-8 byte order and carries ``IMPACT_VALUE``); the lists are
    emptied as they are written; the postings file is written in chunks.
    """
    postwriter = fieldwriter._postwriter
    limit = postwriter._blocklimit
    level = postwriter._compression
    fixed = format_.fixed_value_size()
    postfile = fieldwriter._postfile
    add_row = fieldwriter._tindex.add
    prefix = pack_ushort(fieldwriter._fieldid)
    base = postfile.tell()
    out = bytearray()
    for term in sorted(terms):
        lists = terms.pop(term)
        ids, weights = lists[0], lists[1]
        if not ids:     # all its cases deleted from merged segments
            continue
        if isinstance(term, str):
            term, values = term.encode('utf-8'), None
        else:
            values = lists[2]
        start = base + len(out)
        out += WHOOSH3_HEADER_MAGIC
        total = len(ids)
        weight = 0.0
        most = 0
        for first in range(0, total, limit):
            block_ids = ids[first:first + limit]
            doubles = weights[first:first + limit]
            block_weights = array('f', doubles)
            top = max(doubles)
            weight += sum(block_weights)
            most = max(most, top)
            if values is None:
                block_values = IMPACT_VALUE * len(block_ids)
            else:
                block_values = _mini_values(
                    [v for v in values[first:first + limit] if v], fixed)
            data = dumps((tuple(map(sub, block_ids, chain((0,), block_ids))),
                          _mini_weights(block_weights), block_values), 2)
            # a block of a few postings does not shrink: stored as it is
            # (the block's header says so; most terms are in one or two
            # cases)
            comp = level if len(data) > RAW_BLOCK else 0
            if comp:
                data = compress(data, level)
            header = dumps((len(block_ids), block_ids[-1], top, comp,
                            NO_LENGTH, ZERO_LENGTH), 2)
            length = len(header) + len(data)
            out += pack_int(-length if first + limit >= total else length)
            out += header
            out += data
        add_row(prefix + term, TERM_INFO.pack(
            0, weight, total, 0, ZERO_LENGTH, most, ids[0], ids[-1])
            + pack_long(start) + pack_int(base + len(out) - start))
        if len(out) > CHUNK:
            postfile.write(bytes(out))
            base += len(out)
            out = bytearray()
    postfile.write(bytes(out))


#: pickled blocks up to this size are not deflated (71 bytes for one
#: posting deflate to 68)
RAW_BLOCK = 120

#: ``W3TermInfo.to_bytes``: not inlined, total weight, documents, no
#: lengths, maximum weight, first and last document; then the extent
TERM_INFO = W3TermInfo._struct
#: bytes of postings written at a time
CHUNK = 1 << 20

#: the length bytes of a block without lengths (``length_stats`` off)
NO_LENGTH = length_to_byte(None)
ZERO_LENGTH = length_to_byte(0)


def _mini_weights(weights):
    """As ``W3PostingsWriter._mini_weights``."""
    first = weights[0]
    if all(w == 1.0 for w in weights):
        return None
    if weights.count(first) == len(weights):
        return first
    return tuple(weights)


def _mini_values(values, fixed):
    """As ``W3PostingsWriter._mini_values``."""
    if fixed is None or fixed < 0:
        return tuple(values)
    if fixed == 0:
        return None
    return b''.join(values)
