"""Completions for the search box: frequent words and titles, lemma-aware, typo-tolerant."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from search.analysis import WORD_RE
from search.morph import NAME_MARK, fold_yo, index_lemmas, is_cyrillic
from search.spelling import edit_distance

__all__ = ["Vocabulary", "suggest"]

MIN_DOC_FREQ = 1
MAX_WORDS = 200_000


@dataclass
class Vocabulary:
    """Sorted lemmas with document frequencies, and titles, of one index generation."""

    words: list[str]
    freqs: dict[str, int]
    titles: list[tuple[str, str, str]]  # (folded lowercase title, title, id)

    @classmethod
    def build(cls, searcher) -> Vocabulary:
        reader = searcher.reader()
        freqs: dict[str, int] = {}
        for fieldname in ("body", "title"):
            for term, info in reader.iter_field(fieldname):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                if len(word) > 2 and not word.isdigit() and not word.startswith(NAME_MARK):
                    freqs[word] = freqs.get(word, 0) + info.doc_frequency()
        if len(freqs) > MAX_WORDS:
            keep = sorted(freqs, key=lambda w: -freqs[w])[:MAX_WORDS]
            freqs = {w: freqs[w] for w in keep}
        titles = [(fold_yo(f.get("title", "").lower()), f.get("title", ""), f["id"])
                  for f in searcher.all_stored_fields() if f.get("parent_id") is None]
        return cls(sorted(freqs), freqs, titles)

    def with_prefix(self, prefix: str, limit: int) -> list[str]:
        start = bisect.bisect_left(self.words, prefix)
        found = []
        for word in self.words[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        found.sort(key=lambda w: (-self.freqs[w], w))
        return found[:limit]

    def near_prefix(self, prefix: str, limit: int) -> list[str]:
        """Words whose beginning is one edit away from `prefix` (a typo after 4 letters)."""
        head = prefix[:2]
        start = bisect.bisect_left(self.words, head)
        found = []
        for word in self.words[start:]:
            if not word.startswith(head):
                break
            if edit_distance(prefix, word[:len(prefix)]) <= 1:
                found.append(word)
        found.sort(key=lambda w: (-self.freqs[w], w))
        return found[:limit]


def suggest(vocab: Vocabulary, text: str, limit: int = 10) -> list[dict]:
    """Up to `limit` suggestions: titles containing the words typed, then word completions."""
    words = WORD_RE.findall(text)
    if not words:
        return []
    head = text[: text.lower().rfind(words[-1].lower())]
    last = fold_yo(words[-1].lower())
    completions: list[str] = []
    if is_cyrillic(last) and len(last) >= 4:
        completions += [lemma for lemma in index_lemmas(last) if lemma in vocab.freqs]
    completions += vocab.with_prefix(last, limit)
    if len(completions) < 3 and len(last) >= 4:  # a typo after the first letters
        completions += vocab.near_prefix(last, limit)
    seen, out = set(), []
    for title in _titles(vocab, [fold_yo(w.lower()) for w in words], limit=4):
        out.append({"text": title[1], "kind": "title", "id": title[2]})
    for word in completions:
        phrase = f"{head}{word}"
        if word not in seen and len(out) < limit:
            seen.add(word)
            out.append({"text": phrase, "kind": "word", "id": None})
    return out[:limit]


def _titles(vocab: Vocabulary, words: list[str], limit: int):
    if len(words[-1]) < 3:
        return []
    found = []
    for folded, title, pid in vocab.titles:
        if all(_has_word_prefix(folded, w) for w in words):
            found.append((folded, title, pid))
            if len(found) >= limit:
                break
    return found


def _has_word_prefix(text: str, prefix: str) -> bool:
    start = text.find(prefix)
    while start != -1:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find(prefix, start + 1)
    return False
