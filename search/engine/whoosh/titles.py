"""The titles of a rebuilt generation, for its completions vocabulary, without reading
every stored document back.

The vocabulary (search/vocabulary.py) is built from the (title, id) of every
publication that is not an attachment, in document order. Read back from the stored
fields that took ~13 s at 100,000 publications, after the rebuild's processes had
finished. Instead each rebuild process saves its segment's titles beside it
(segment_writer.py) and the rebuild joins them in the segments' order; when documents
were replaced or deleted after that (duplicates, the API's journal) the stored fields
are read as before.
"""

from __future__ import annotations

from search.engine.whoosh.segment_files import read_pickled, save_pickled

__all__ = ["save_titles", "segment_titles", "stored_titles"]

_EXT = ".titles"


def save_titles(storage, segment, titles: list[tuple[str, str, bool]]) -> None:
    """(title, id, is an attachment) of a new segment's documents, in their order."""
    save_pickled(storage, segment, _EXT, titles)


def segment_titles(ix) -> list[tuple[str, str]] | None:
    """The (title, id) the segments' saved titles give, in document order; None when a
    segment has none or has deleted documents (then `stored_titles`)."""
    out: list[tuple[str, str]] = []
    for segment in ix._segments():
        titles = None if segment.has_deletions() else read_pickled(ix.storage, segment, _EXT)
        if titles is None or len(titles) != segment.doc_count_all():
            return None
        out += [(title, pid) for title, pid, attachment in titles if not attachment]
    return out


def stored_titles(searcher) -> list[tuple[str, str]]:
    """The (title, id) of every publication that is not an attachment, read back."""
    return [(f.get("title", ""), f["id"]) for f in searcher.all_stored_fields()
            if f.get("parent_id") is None]
