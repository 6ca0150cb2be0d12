"""The lexicon and the suggestion vocabulary of a generation, without Whoosh.

The Whoosh engine derives them from its segment files (search/engine/whoosh/lexicon.py,
search/engine/whoosh/terms.py). Here a rebuild counts them in Python from the publications it
writes and stores them, compressed JSON, in the meta index (one document per
generation), so every server reading the alias loads the same data in one request.
"""

from __future__ import annotations

import base64
import json
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from itertools import islice, takewhile

from search.engine.opensearch.documents import Analyzed
from search.models import Publication
from search.morph import NAME_MARK
from search.spelling import is_lexicon_word
from search.vocabulary import Vocabulary, inflections

__all__ = ["Derived", "DerivedBuilder", "TermReader", "encode", "decode",
           "vocabulary_of"]


class DerivedBuilder:
    """Collects, publication by publication, what Derived holds."""

    def __init__(self):
        self.title_df: Counter = Counter()
        self.body_df: Counter = Counter()
        self.form_df: Counter = Counter()
        self.people_df: Counter = Counter()
        self.titles: list[dict] = []
        self.documents = 0

    def add(self, pub: Publication, analyzed: Analyzed) -> None:
        self.documents += 1
        self.title_df.update(analyzed.title_terms)
        self.body_df.update(analyzed.body_terms)
        self.form_df.update(analyzed.forms)
        self.people_df.update(analyzed.people_terms)
        self.titles.append({"id": pub.id, "title": pub.title, "parent_id": pub.parent_id})

    def build(self) -> Derived:
        vocab = Vocabulary.build([(t["title"], t["id"]) for t in self.titles
                                  if t.get("parent_id") is None])
        return Derived(
            title_df=dict(self.title_df), body_df=dict(self.body_df), form_df=dict(self.form_df),
            vocabulary=(vocab.forms, vocab.display, vocab.known_case, vocab.places,
                        vocab.sequences, vocab.titles),
            documents=self.documents, people_df=dict(self.people_df))


class Derived:
    """Document frequencies of the title and body lemmas and of the words as written, and
    the titles' vocabulary data (search/vocabulary.py), for one generation."""

    def __init__(self, title_df: dict[str, int], body_df: dict[str, int],
                 form_df: dict[str, int], vocabulary: tuple, documents: int,
                 people_df: dict[str, int] | None = None):
        self.title_df = title_df
        self.people_df = people_df or {}
        self.body_df = body_df
        self.form_df = form_df
        self.vocabulary_data = vocabulary
        self.documents = documents

    def words(self) -> dict[str, int]:
        """search/engine/whoosh/lexicon.py's words: document frequencies over body and title summed,
        names, numbers and short words left out; the signatures' surnames marked NAME_MARK."""
        out: dict[str, int] = {}
        for table, mark in ((self.body_df, ""), (self.title_df, ""), (self.people_df, NAME_MARK)):
            for word, count in table.items():
                if is_lexicon_word(word):
                    out[mark + word] = out.get(mark + word, 0) + count
        return out

    def to_json(self) -> dict:
        forms, display, known, places, sequences, titles = self.vocabulary_data
        return {"title_df": self.title_df, "body_df": self.body_df, "form_df": self.form_df,
                "people_df": self.people_df, "documents": self.documents,
                "vocabulary": [forms, display, known, [a.tolist() for a in places],
                               [a.tolist() for a in sequences], [list(t) for t in titles]]}

    @classmethod
    def from_json(cls, data: dict) -> Derived:
        forms, display, known, places, sequences, titles = data["vocabulary"]
        vocabulary = (forms, display, known, [array("I", a) for a in places],
                      [array("I", a) for a in sequences], [tuple(t) for t in titles])
        return cls(data["title_df"], data["body_df"], data["form_df"], vocabulary,
                   data["documents"], data.get("people_df"))


def encode(derived: Derived) -> str:
    """Compressed JSON, base64 (the meta index's binary field); no pickle from a server."""
    raw = json.dumps(derived.to_json(), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(zlib.compress(raw.encode("utf-8"), 6)).decode("ascii")


def decode(blob: str) -> Derived:
    return Derived.from_json(json.loads(zlib.decompress(base64.b64decode(blob))))


class TermReader:
    """The index's terms for spelling (a reader's doc_frequency) and completions (the
    TermSource of search/vocabulary.py): written forms from the rebuild's counts."""

    def __init__(self, derived: Derived):
        self.derived = derived
        self._tables = {"title": derived.title_df, "body": derived.body_df}
        self._sorted = {name: sorted(table) for name, table in self._tables.items()}

    def doc_frequency(self, field: str, term: str) -> int:
        return self._tables.get(field, {}).get(term, 0)

    def expand_prefix(self, field: str, prefix: str) -> Iterable[str]:
        words = self._sorted.get(field, [])
        return takewhile(lambda w: w.startswith(prefix),
                         islice(words, bisect_left(words, prefix), None))

    def written_forms(self, lemma: str) -> Counter:
        """The forms of a lemma that documents hold, counted by documents (the Whoosh
        engine counts them in a sample of the documents instead)."""
        if lemma.startswith(NAME_MARK):
            return Counter()
        counts = self.derived.form_df
        return Counter({f: counts[f] for f in sorted(inflections(lemma) | {lemma})
                        if f in counts})

    def reader(self) -> TermReader:
        return self


def vocabulary_of(derived: Derived) -> Vocabulary:
    return Vocabulary(*derived.vocabulary_data, terms=TermReader(derived))
