"""The segment writer of a rebuild's analysis processes.

Two things differ from Whoosh's SegmentWriter, and neither changes a byte of the
segment (tests/test_scoring.py and tests/test_bulk_analysis.py compare with Whoosh's):
- the text fields (lemmas with positions, Snowball stems) are analysed a document at a
  time in numpy (search/bulk_analysis.py, bulk_postings.py) instead of a Python call and a
  tuple per posting;
- postings are kept per term in arrays (CompactPool, pool.py) and written term by term
  (terms_writer.py) instead of through Whoosh's sorting pool.
"""

from __future__ import annotations

import zlib

import numpy as np
from whoosh.writing import SegmentWriter

from search.bulk_analysis import AnalyzedText, BulkAnalyzer
from search.bulk_tables import distinct
from search.engine.whoosh.bulk_postings import frequency_postings, position_postings
from search.engine.whoosh.lexicon import SegmentWords
from search.engine.whoosh.pool import CompactPool
from search.engine.whoosh.schema import RuTextField, StemsField
from search.engine.whoosh.terms_writer import can_write_terms, write_terms
from search.engine.whoosh.titles import save_titles
from search.quoted import quoted_keys

__all__ = ["CompactSegmentWriter", "STEMS_OF_TITLE_AND_BODY", "QUOTED_OF_TITLE_AND_BODY",
           "stems_text", "is_stems_text", "quoted_text"]

# The stems field's value when it is stems_text(title, body): the rebuild's main process
# sends this mark instead of a second copy of the text to the analysis processes
# (parallel.py), which join it again.
STEMS_OF_TITLE_AND_BODY = "\x00title\nbody\x00"


# The quoted field's value when it is quoted_text(title, body), left for the writer to
# compute: in a rebuild that is the analysis processes, whose own parses of the text's
# words then serve the quoted names' words too (the main process parsed each of them
# once more: 2 % of a rebuild's CPU on the real corpus, 0.2 ms a publication).
QUOTED_OF_TITLE_AND_BODY = "\x00quoted\x00"


def quoted_text(title: str, body: str) -> str:
    """The quoted field's value: the keys of the names in quotes (search/quoted.py)."""
    return ",".join(quoted_keys(f"{title}\n{body}"))


def stems_text(title: str, body: str) -> str:
    """The stems field's text: the title and the body, a line break between them (which
    ends every word, so the stems are the title's, then the body's)."""
    return f"{title}\n{body}"


def is_stems_text(value: object, title: str, body: str) -> bool:
    """Whether `value` is stems_text(title, body), without joining them."""
    return (isinstance(value, str) and len(value) == len(title) + 1 + len(body)
            and value[len(title)] == "\n" and value.startswith(title)
            and value.endswith(body))


class CompactSegmentWriter(SegmentWriter):
    """SegmentWriter with bulk analysis and a CompactPool (within the writer's limitmb)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        folder = getattr(self._tempstorage, "folder", None)
        self.pool.cleanup()  # Whoosh's pool, still empty
        self.pool = CompactPool(limitmb * 2**20, folder)
        self._analysis = BulkAnalyzer()
        self._form_hashes = np.zeros(0, np.uint32)  # form id -> forms.py's form_hash
        self._this_document: dict[str, AnalyzedText] = {}  # its values analysed so far
        self._titles: list[tuple[str, str, bool]] = []  # (title, id, is an attachment)

    def add_document(self, **fields):
        """Whoosh's add_document, with RuTextField and StemsField values analysed in bulk."""
        self._check_state()
        if fields.get("stems") == STEMS_OF_TITLE_AND_BODY:
            fields["stems"] = stems_text(fields.get("title") or "", fields.get("body") or "")
        if fields.get("quoted") == QUOTED_OF_TITLE_AND_BODY:
            fields["quoted"] = quoted_text(fields.get("title") or "", fields.get("body") or "")
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        self._this_document.clear()
        self._titles.append((fields.get("title") or "", fields.get("id"),
                             fields.get("parent_id") is not None))
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                if isinstance(value, str) and self._bulk(field):
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    self._add_bulk(fieldname, field, value, fieldboost,
                                   fields.get(f"_stored_{fieldname}", value))
                else:
                    self._add_field(fields, fieldname, field, value, docboost)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    @staticmethod
    def _bulk(field) -> bool:
        return (type(field) in (RuTextField, StemsField) and field.indexed
                and not field.separate_spelling() and not field.vector)

    def _add_bulk(self, fieldname: str, field, value: str, fieldboost: float,
                  stored) -> None:
        if isinstance(field, RuTextField):
            analysed = self._analysed(value)
            postings = position_postings(analysed.terms, analysed.positions, analysed.weights)
            names = self._analysis.terms.names
        else:
            postings = frequency_postings(self._stems(value))
            names = self._analysis.stems.names
        self.pool.add_postings(fieldname, names, self.docnum, postings,
                               (field.format.field_boost, fieldboost))
        length = postings.length if field.scorable else 0
        self.perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
        column = field.column_type
        if column and stored is not None:
            if isinstance(field, RuTextField) and stored is value:
                cv = self._packed_forms(analysed.forms)
            else:
                cv = field.to_column_value(stored)
            self.perdocwriter.add_column_value(fieldname, column, cv)

    def _save_titles(self) -> None:
        """The segment's (title, id) in document order, for search/engine/whoosh/titles.py."""
        if len(self._titles) == self.docnum - self.docbase and not self.is_closed:
            save_titles(self.storage, self.newsegment, self._titles)

    def _analysed(self, value: str) -> AnalyzedText:
        found = self._this_document.get(value)
        if found is None:
            found = self._this_document[value] = self._analysis.analyze(value)
        return found

    def _stems(self, value: str) -> np.ndarray:
        """The stems of `value`. A line break ends every word, so the stems of
        "title\nbody" are those of the title, then the body's: analysed once per document."""
        head, newline, tail = value.partition("\n")
        if not newline:
            return self._analysed(value).stems
        return np.concatenate([self._analysed(head).stems, self._analysed(tail).stems])

    def _packed_forms(self, form_ids: np.ndarray) -> bytes:
        """forms.py's pack_forms of the forms with these ids."""
        names = self._analysis.forms.names
        known = len(self._form_hashes)
        if known < len(names):
            fresh = [zlib.crc32(name.encode("utf-8")) for name in names[known:]]
            self._form_hashes = np.concatenate([self._form_hashes,
                                                np.array(fresh, np.uint32)])
        return distinct(self._form_hashes[form_ids]).astype("<u4").tobytes()

    def _add_field(self, fields: dict, fieldname: str, field, value, docboost: float) -> None:
        """What Whoosh's add_document does with one field (spelling and vectors aside:
        no field of ours has them)."""
        length = 0
        if field.indexed:
            fieldboost = self._field_boost(fields, fieldname, docboost)
            add_post, docnum = self.pool.add, self.docnum
            scorable = field.scorable
            for tbytes, freq, weight, vbytes in field.index(value):
                if scorable:
                    length += freq
                add_post((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
        if field.separate_spelling() or field.vector:
            raise NotImplementedError(f"field {fieldname!r}: spelling or vectors")
        customval = fields.get(f"_stored_{fieldname}", value)
        self.perdocwriter.add_field(fieldname, field, customval if field.stored else None,
                                    length)
        column = field.column_type
        if column and customval is not None:
            self.perdocwriter.add_column_value(fieldname, column,
                                               field.to_column_value(customval))

    def _flush_segment(self):
        self._save_titles()
        if self.codec.length_stats or not can_write_terms(self.fieldwriter):
            return super()._flush_segment()
        self.perdocwriter.close()
        words = SegmentWords()
        write_terms(self.fieldwriter, self.schema, words.tap(self.pool.iter_terms()))
        self.fieldwriter.close()
        words.save(self.storage, self.newsegment)
        return None
