"""The index's terms as search/vocabulary.py's TermSource, and a vocabulary per state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from search.engine.whoosh.forms import FormLookup, form_hash
from search.engine.whoosh.term_table import doc_frequency
from search.engine.whoosh.titles import stored_titles
from search.vocabulary import Vocabulary, inflections

__all__ = ["WhooshTerms", "load_vocabulary"]

WRITTEN_FORM_PROBES = 20  # documents sampled for the written forms of a lemma


class WhooshTerms:
    """Prefix expansion, document frequencies and written forms over one open searcher."""

    def __init__(self, searcher):
        self.searcher = searcher
        self._lookup: FormLookup | None = None

    def expand_prefix(self, field: str, prefix: str) -> Iterator[str]:
        for term in self.searcher.reader().expand_prefix(field, prefix):
            yield term.decode("utf-8") if isinstance(term, bytes) else term

    def doc_frequency(self, field: str, term: str) -> int:
        """The reader's doc_frequency, summed over segments with search/engine/whoosh/term_table.py."""
        if field not in self.searcher.schema:
            return 0
        return doc_frequency(self.searcher, field, self.searcher.schema[field].to_bytes(term))

    def written_forms(self, lemma: str) -> Counter:
        if self._lookup is None:
            self._lookup = FormLookup(self.searcher.reader())
        found: Counter = Counter()
        forms = sorted(inflections(lemma) | {lemma})
        hashes = tuple(form_hash(f) for f in forms)
        for fieldname in ("title", "body"):
            try:
                matcher = self.searcher.postings(fieldname, lemma)
            except Exception:  # noqa: BLE001 - whoosh raises TermNotFound for unknown terms
                continue
            for _ in range(WRITTEN_FORM_PROBES):
                if not matcher.is_active():
                    break
                for form, n in zip(forms, self._lookup.counts(matcher.id(), hashes),
                                   strict=True):
                    found[form] += n
                matcher.next()
        return found


def load_vocabulary(generation: Path | None, searcher, key: int,
                    titles: list[tuple[str, str]] | None = None) -> Vocabulary:
    """The vocabulary saved beside the generation for this state of it (`key`: Whoosh's
    commit number, so a PUT or an incremental update builds it anew), else built now
    (from `titles` if given, else from the stored documents) and saved. Building from
    the stored documents reads every one: ~13 s at 100,000 publications, too long for a
    worker's first suggestion; a rebuild saves it once instead."""
    return Vocabulary.load_or_build(generation, key,
                                    lambda: stored_titles(searcher) if titles is None else titles,
                                    WhooshTerms(searcher))
