"""The index's words with their document frequencies, saved beside each generation.

Reading them through Whoosh's term iterators takes 12 s on the real corpus (its
multi-segment reader looks every term up in every segment); reading each segment's
term table directly takes 0.5 s, so that is done once, when a rebuild finishes,
and every worker then loads the result in milliseconds. Spelling correction uses it.
A rebuild's indexing processes count the words of their segments as they write them
(`SegmentWords`, a file of the segment), and the rebuild adds those up instead
(`from_segments`): the 0.5 s ran alone, after the indexing.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.structfile import StructFile

from search import derived
from search.engine.whoosh.segment_files import read_pickled, save_pickled
from search.morph import NAME_MARK
from search.spelling import is_lexicon_word

__all__ = ["load_or_build", "save", "saved", "build", "from_segments", "SegmentWords",
           "FILENAME", "Counted", "counted", "recounted"]

# The name carries the format of what is pickled (search/derived.py): another version
# reads and writes its own file beside this one. 2: (commit stamp, words); versions
# before it kept the words alone in `lexicon.pickle`, and one of them still serving a
# generation this version had rewritten answered 500 to every search (an admin's upgrade).
FILENAME = "lexicon-2.pickle"
FIELDS = ("body", "title")
NAMES_FIELD = "people"  # the signatures' surnames, kept marked NAME_MARK (search/spelling.py)
_DOC_FREQ = struct.Struct("!I")  # W3TermInfo: flags (B), weight (f), then doc frequency
_DOC_FREQ_AT = 5
_EXT = ".words"  # a segment's file of SegmentWords


def build(searcher) -> dict[str, int]:
    """Word -> documents holding it, over the lemma fields, names read in the texts and
    numbers left out; and NAME_MARK + surname -> documents signed with it."""
    return counted(searcher, 0).freqs


# A segment of at most this many documents keeps its own counts in Counted: a PUT's
# segments, which later commits merge into others (a rebuild's own are far larger).
SMALL_SEGMENT = 10_000


@dataclass(frozen=True)
class Counted:
    """The words of one commit (`stamp`), and each small segment's own counts: what the
    next commit's are counted from (`recounted`)."""

    stamp: int
    freqs: dict[str, int]
    segments: dict[str, dict[str, int] | None]  # segment id -> its counts, None: large


def counted(searcher, stamp: int) -> Counted:
    """`build`'s words, every segment read."""
    freqs: dict[str, int] = {}
    segments: dict[str, dict[str, int] | None] = {}
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        part = _segment_words(reader)
        small = reader.doc_count_all() <= SMALL_SEGMENT
        if not freqs and not small:
            freqs = part  # the first large one is not kept apart: no copy of it
        else:
            _add(freqs, part, 1)
        segments[reader.segment().segment_id()] = part if small else None
    return Counted(stamp, freqs, segments)


def recounted(searcher, stamp: int, earlier: Counted) -> Counted | None:
    """The words of a later commit from the `earlier` one's: the counts of the segments it
    no longer has taken off, those of its new ones added. A PUT's commit reads its own
    small segment instead of every segment (0.6 s of CPU on the real corpus, in every
    worker, after every PUT). Whoosh keeps a segment's term table as it was written (a
    deletion changes none), so the result is `build`'s. None when a large segment is
    gone (merged): `counted` then."""
    now = {leaf.reader().segment().segment_id(): leaf.reader()
           for leaf, _ in searcher.leaf_searchers()}
    gone = [segment for segment in earlier.segments if segment not in now]
    if any(earlier.segments[segment] is None for segment in gone):
        return None
    freqs = dict(earlier.freqs)
    for segment in gone:
        _add(freqs, earlier.segments[segment], -1)
    segments = {segment: part for segment, part in earlier.segments.items() if segment in now}
    for segment, reader in now.items():
        if segment not in segments:
            part = _segment_words(reader)
            _add(freqs, part, 1)
            segments[segment] = part if reader.doc_count_all() <= SMALL_SEGMENT else None
    return Counted(stamp, freqs, segments)


def _add(freqs: dict[str, int], part: dict[str, int], sign: int) -> None:
    for word, count in part.items():
        total = freqs.get(word, 0) + sign * count
        if total > 0:
            freqs[word] = total
        else:
            freqs.pop(word, None)


def _segment_words(reader) -> dict[str, int]:
    """One segment's words and their document frequencies (see `build`)."""
    freqs: dict[str, int] = {}
    terms = getattr(reader, "_terms", None)
    table = getattr(terms, "_tindex", None)
    if table is None:  # not Whoosh's W3 codec: the slow public iterator
        _add_public(reader, freqs)
        return freqs
    prefixes = {terms._fieldmap[f]: "" for f in FIELDS if f in terms._fieldmap}
    if NAMES_FIELD in terms._fieldmap:
        prefixes[terms._fieldmap[NAMES_FIELD]] = NAME_MARK
    for key, value in _in_memory(table).items():
        prefix = prefixes.get(int.from_bytes(key[:2], "big"))
        if prefix is None:
            continue
        word = key[2:].decode("utf-8", "replace")
        if is_lexicon_word(word):
            word = prefix + word
            freqs[word] = freqs.get(word, 0) + _DOC_FREQ.unpack_from(value, _DOC_FREQ_AT)[0]
    return freqs


class SegmentWords:
    """What `build` counts in one new segment, counted from the terms as they are written."""

    def __init__(self):
        self.freqs: dict[str, int] = {}
        self._prefixes = {**{field: "" for field in FIELDS}, NAMES_FIELD: NAME_MARK}

    def tap(self, terms: Iterable[tuple]) -> Iterator[tuple]:
        """The (fieldname, tbytes, postings buffer) terms, unchanged, each counted."""
        prefixes, freqs = self._prefixes, self.freqs
        for item in terms:
            prefix = prefixes.get(item[0])
            if prefix is not None:
                word = item[1].decode("utf-8", "replace")
                if is_lexicon_word(word):
                    word = prefix + word
                    freqs[word] = freqs.get(word, 0) + len(item[2].docnums)
            yield item

    def save(self, storage, segment) -> None:
        """A file of the segment (Whoosh packs it into the segment's compound file)."""
        save_pickled(storage, segment, _EXT, self.freqs)


def from_segments(ix) -> dict[str, int] | None:
    """`build`'s words, added up from the segments' SegmentWords files; None when a
    segment has none or has deleted documents (then `build`)."""
    freqs: dict[str, int] = {}
    for segment in ix._segments():
        part = None if segment.has_deletions() else read_pickled(ix.storage, segment, _EXT)
        if part is None:
            return None
        if not freqs:
            freqs = part
            continue
        for word, count in part.items():
            freqs[word] = freqs.get(word, 0) + count
    return freqs


def _in_memory(table):
    """The term table read whole into memory: the index is opened without mmap
    (store.py), and walking the table entry by entry through the file is a few reads
    for each of its hundreds of thousands of terms."""
    dbfile = table.dbfile
    dbfile.seek(0, os.SEEK_END)
    end = dbfile.tell()
    dbfile.seek(table.startoffset)
    data = dbfile.read(end - table.startoffset)
    return OrderedHashReader(StructFile(BytesIO(data)), len(data))


def _add_public(reader, freqs: dict[str, int]) -> None:
    for fieldname, prefix in [(f, "") for f in FIELDS] + [(NAMES_FIELD, NAME_MARK)]:
        if fieldname not in reader.schema:
            continue
        for term, info in reader.iter_field(fieldname):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            if is_lexicon_word(word):
                word = prefix + word
                freqs[word] = freqs.get(word, 0) + info.doc_frequency()




def save(generation: Path, freqs: dict[str, int], stamp: int) -> None:
    """The words of the generation's commit `stamp` (Whoosh's generation number)."""
    derived.save(generation / FILENAME, (stamp, freqs))


def saved(generation: Path | None) -> tuple[int, dict[str, int]] | None:
    """(commit stamp, words) saved in a generation, or None. An incremental run or a PUT
    makes a new commit whose words are not these until they are built anew (an
    incremental run's new words had never been offered as corrections)."""
    data = derived.load(generation / FILENAME if generation else None)
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[1], dict):
        return data
    return None


def load_or_build(generation: Path | None, searcher, stamp: int) -> dict[str, int]:
    """The words saved for commit `stamp`, or built now (and saved when the directory
    allows)."""
    found = saved(generation)
    if found is not None and found[0] == stamp:
        return found[1]
    words = build(searcher)
    if generation is not None:
        save(generation, words, stamp)
    return words
