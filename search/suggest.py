"""Completions for the search box, in the words' written forms.

Built once per index generation from the stored titles. Every title becomes a sequence
of word forms (lowercase, ё folded, each with an id in the sorted list of forms, so a
typed prefix is a range of ids) with breaks where punctuation stands. Typed words are
matched in order: the earlier ones by lemma (`Война и` finds `Войну и`), the last by
the prefix of its form; the completion keeps what was typed, ends the last word as
written and adds the words that follow it up to a break (`выставка дет` ->
`выставка детских рисунков`). Names and abbreviations keep their written case (`цгб` ->
`ЦГБ`); text typed on the Latin layout is read as Russian (`,b,k` -> `библ`). Words
found in no title come from the body's lemmas, offered only when the lemma is itself
a written form somewhere (never `деть` for `дети`).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from search.analysis import STOP_WORDS, WORD_RE
from search.forms import FormLookup, form_hash
from search.morph import NAME_MARK, fold_yo, get_analyzer, index_lemmas, is_cyrillic
from search.spelling import edit_distance, from_latin_layout

__all__ = ["Vocabulary", "suggest"]

MAX_LEMMAS = 1000  # index lemmas looked at per completion
MAX_TITLE_WORDS = 255  # positions are packed in 8 bits
MAX_SCAN = 50_000  # title places looked at per query
MAX_FOLLOWING = 2  # words added after the completed one
MAX_TITLES = 3
BREAK = 0  # the id of a punctuation break (form ids start at 1)
_PROPER_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Trad"})
_GAP_BREAK = re.compile(r"[^\s]")  # anything but spaces between two words breaks a phrase
_STARTS = re.compile(r"[.!?…:;«„“\"(]\s*$")  # after these a capital letter says nothing


def _fold(word: str) -> str:
    return fold_yo(word.lower())


@dataclass
class Vocabulary:
    """The written word forms of one generation's titles, and its body lemmas."""

    forms: list[str]  # sorted folded forms; form id = index + 1
    display: list[str]  # per form: as written (names, abbreviations) or lowercase
    known_case: list[bool]  # display was seen inside a sentence (else decided by pymorphy)
    places: list[array]  # per form: title number << 8 | position
    sequences: list[array]  # per title: form ids with BREAK between phrases
    titles: list[tuple[str, str]]  # (title, id)
    searcher: object = None
    _freqs: dict[str, int] = field(default_factory=dict)
    _written: dict[str, Counter] = field(default_factory=dict)
    _lookup: FormLookup | None = None

    @classmethod
    def build(cls, searcher) -> Vocabulary:
        titles = [(f.get("title", ""), f["id"]) for f in searcher.all_stored_fields()
                  if f.get("parent_id") is None]
        variants: dict[str, Counter] = {}
        tokenized = []
        for title, _ in titles:
            words = _title_words(title)
            tokenized.append(words)
            for written, start in words:
                for n, piece in enumerate(_pieces(written)):
                    variants.setdefault(_fold(piece), Counter())[(piece, start and n < 2)] += 1
        forms = sorted(variants)
        ids = {form: n for n, form in enumerate(forms, 1)}
        places = [array("I") for _ in range(len(forms) + 1)]
        sequences = []
        for number, words in enumerate(tokenized):
            seq = array("I", (ids[_fold(w)] if w is not None else BREAK for w, _ in words))
            for pos, (written, _) in enumerate(words[:MAX_TITLE_WORDS]):
                for piece in set(map(_fold, _pieces(written))):  # a compound and its parts
                    places[ids[piece]].append(number << 8 | pos)
            sequences.append(seq)
        display, known = [""], [True]
        for form in forms:
            shown, seen = _display(variants[form])
            display.append(shown)
            known.append(seen)
        return cls(forms, display, known, places, sequences, titles, searcher=searcher)

    # -- lookups -----------------------------------------------------------------------
    def prefix_range(self, prefix: str) -> range:
        """The ids of the forms starting with `prefix` (folded)."""
        lo = bisect.bisect_left(self.forms, prefix)
        hi = bisect.bisect_left(self.forms, prefix + "\uffff")
        return range(lo + 1, hi + 1)

    def same_word(self, word: str) -> set[int]:
        """The ids of the forms of `word` (folded): the form itself and its inflections."""
        return {i for form in _inflections(word) for i in self.prefix_range(form)
                if self.forms[i - 1] == form}

    def same_form(self, form: str) -> int | None:
        """The id of a folded form, if some title has it."""
        i = bisect.bisect_left(self.forms, form)
        return i + 1 if i < len(self.forms) and self.forms[i] == form else None

    def shown(self, form_id: int) -> str:
        """How a form is written in a suggestion."""
        text = self.display[form_id]
        if not self.known_case[form_id] and not _proper(text):
            return text.lower()
        return text

    def count(self, ids) -> int:
        return sum(len(self.places[i]) for i in ids)

    def lemmas_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """The most frequent index lemmas starting with `prefix` (the body's words)."""
        if self.searcher is None:
            return []
        reader = self.searcher.reader()
        found: set[str] = set()
        for fieldname in ("body", "title"):
            for term in islice(reader.expand_prefix(fieldname, prefix), MAX_LEMMAS):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                if not word.startswith(NAME_MARK) and not word.isdigit():
                    found.add(word)
        return sorted(found, key=lambda w: (-self._frequency(w), w))[:limit]

    def _frequency(self, lemma: str) -> int:
        if lemma not in self._freqs:
            reader = self.searcher.reader()
            self._freqs[lemma] = sum(reader.doc_frequency(f, lemma) for f in ("body", "title"))
        return self._freqs[lemma]

    def written_forms(self, lemma: str) -> Counter:
        """The forms of `lemma` written in the documents that have it (a sample of them)."""
        if lemma not in self._written:
            if self._lookup is None and self.searcher is not None:
                self._lookup = FormLookup(self.searcher.reader())
            self._written[lemma] = _written_forms(self.searcher, self._lookup, lemma)
        return self._written[lemma]

    def near_prefix(self, prefix: str, limit: int) -> list[int]:
        """Forms whose beginning is one edit away from `prefix` (a typo after 4 letters)."""
        found = [i for i in self.prefix_range(prefix[:2])
                 if edit_distance(prefix, self.forms[i - 1][:len(prefix)]) <= 1]
        found.sort(key=lambda i: -len(self.places[i]))
        return found[:limit]


def _title_words(title: str) -> list[tuple[str | None, bool]]:
    """(word as written, whether it starts a sentence or a quote), None for a break."""
    out: list[tuple[str | None, bool]] = []
    last = 0
    for match in WORD_RE.finditer(title):
        gap = title[last:match.start()]
        if out and _GAP_BREAK.search(gap):
            out.append((None, False))
        start = last == 0 or bool(_STARTS.search(title[:match.start()]))
        out.append((match.group(), start))
        last = match.end()
    return out


def _pieces(written: str | None) -> list[str]:
    """A word and, for a compound (`Онлайн-викторина`), its parts."""
    if written is None:
        return []
    parts = [p for p in re.split(r"[-\u2010\u2011]", written) if p]
    return [written] + parts if len(parts) > 1 else [written]


def _display(variants: Counter) -> tuple[str, bool]:
    """The written form to show, and whether it was seen inside a sentence."""
    inside = Counter()
    for (written, start), n in variants.items():
        if len(written) > 4 and written.isupper():  # shouted, not an abbreviation
            written, start = written.capitalize(), True
        if not start:
            inside[written if written[:1].isupper() else written.lower()] += n
    if inside:
        return inside.most_common(1)[0][0], True
    written = variants.most_common(1)[0][0][0]
    return (written.capitalize() if len(written) > 4 and written.isupper() else written), False


@lru_cache(maxsize=10_000)
def _inflections(word: str) -> frozenset[str]:
    """`word` and every form of its lexemes (`день` -> `дню`, `дня`, ...), folded."""
    forms = {word}
    if word in STOP_WORDS or not is_cyrillic(word) or len(word) < 3:
        return frozenset(forms)
    lemmas = set(index_lemmas(word))
    for parse in get_analyzer().parse(word):
        if fold_yo(parse.normal_form) in lemmas:
            forms.update(fold_yo(p.word) for p in parse.lexeme)
    return frozenset(forms)


@lru_cache(maxsize=20_000)
def _proper(word: str) -> bool:
    """A name or an abbreviation, by its letters or pymorphy's best reading."""
    if len(word) > 1 and word.isupper():
        return True
    if not word[:1].isupper() or not is_cyrillic(word):
        return word[:1].isupper() and not is_cyrillic(word)
    parses = get_analyzer().parse(word.lower())
    return bool(parses) and bool(_PROPER_TAGS & parses[0].tag.grammemes)


def _written_forms(searcher, lookup: FormLookup | None, lemma: str,
                   probes: int = 20) -> Counter:
    found: Counter = Counter()
    if searcher is None or lookup is None:
        return found
    forms = sorted(_inflections(lemma) | {lemma})
    hashes = tuple(form_hash(f) for f in forms)
    for fieldname in ("title", "body"):
        try:
            matcher = searcher.postings(fieldname, lemma)
        except Exception:  # noqa: BLE001 - whoosh raises TermNotFound for unknown terms
            continue
        for _ in range(probes):
            if not matcher.is_active():
                break
            for form, n in zip(forms, lookup.counts(matcher.id(), hashes), strict=True):
                found[form] += n
            matcher.next()
    return found


# -- suggestions -----------------------------------------------------------------------
def suggest(vocab: Vocabulary, text: str, limit: int = 10) -> list[dict]:
    """Up to `limit` completions of `text`, then titles with its words.

    Text typed on the Latin layout is also read as Russian.
    """
    out = _suggest(vocab, text, limit)
    if _latin_layout(text):
        seen = {s["text"] for s in out}
        out += [s for s in _suggest(vocab, from_latin_layout(text), limit)
                if s["text"] not in seen]
    return out[:limit]


def _latin_layout(text: str) -> bool:
    text = text.strip()
    return bool(text) and not is_cyrillic(text) and any(c.isalpha() for c in text)


def _suggest(vocab: Vocabulary, text: str, limit: int) -> list[dict]:
    matches = list(WORD_RE.finditer(text))
    if not matches:
        return []
    titles = _titles(vocab, [_fold(m.group()) for m in matches], MAX_TITLES)
    wanted = max(limit - len(titles), limit // 2)
    words = _completions(vocab, text, matches, wanted)
    out = [{"text": t, "kind": "word", "id": None} for t in words[:wanted]]
    out += [{"text": title, "kind": "title", "id": pid} for title, pid in titles]
    return out[:limit]


def _completions(vocab: Vocabulary, text: str, matches: list, limit: int) -> list[str]:
    """Phrases from the titles that go on from what was typed, then single words."""
    last = _fold(matches[-1].group())
    sets = [vocab.same_word(_fold(m.group())) for m in matches[:-1]] + [vocab.prefix_range(last)]
    out: list[str] = []
    if len(matches) == 1:  # one word: phrases only when they recur
        out += _phrases(vocab, text, matches, sets, limit, min_phrase=2)
    else:  # the typed words in order; else the last ones (`ко дню поб` -> `дню поб`)
        for first in range(len(sets) - 1):
            if all(sets[first:]):
                out = _phrases(vocab, text, matches, sets[first:], limit, min_phrase=1)
                if out:
                    break
        if not out and len(last) >= 3:  # the last word alone, after the others
            out = _phrases(vocab, text, matches, sets[-1:], limit, min_phrase=0)
    if len(last) >= 3 and (len(matches) == 1 and len(out) < limit or not out):
        out += _new(out, _body_words(vocab, text, matches[-1], limit))
    head = text[:matches[-1].start()]
    if not out:  # a whole word no title has as typed: its other forms
        forms = sorted(vocab.same_word(last), key=lambda i: -len(vocab.places[i]))
        out = [_join(vocab, matches[:-1], head, vocab.shown(i)) for i in forms[:limit]]
    if not out and len(last) >= 4:  # a typo after the first letters
        out = [_join(vocab, matches[:-1], head, vocab.shown(i))
               for i in vocab.near_prefix(last, limit)]
    return out[:limit]


def _new(have: list[str], more: list[str]) -> list[str]:
    seen = {t.lower() for t in have}
    return [t for t in more if t.lower() not in seen]


def _phrases(vocab, text, matches, sets, limit, min_phrase: int) -> list[str]:
    """Completions of the last typed word where the typed words stand in order in a title.

    The words that follow in the title are added when such a phrase occurs `min_phrase`
    times (0: never); the word alone is left out when one phrase accounts for all of it.
    """
    k = len(sets)
    bare: Counter = Counter()
    longer: Counter = Counter()
    for t, s in _places(vocab, sets):
        seq = vocab.sequences[t]
        done = seq[s + k - 1]
        if k == 1 and vocab.forms[done - 1] in STOP_WORDS:
            continue  # `при` alone finds nothing: stop words are not searched
        bare[done] += 1
        following = []
        for form_id in seq[s + k:s + k + MAX_FOLLOWING]:
            if form_id == BREAK:
                break
            following.append(form_id)
        while following and vocab.forms[following[-1] - 1] in STOP_WORDS:
            following.pop()
        if following and min_phrase:
            longer[(done, *following)] += 1
    ranked = [(n, 1, key) for key, n in longer.items() if n >= min_phrase]
    best = Counter()
    for _, _, key in ranked:
        best[key[0]] = max(best[key[0]], longer[key])
    ranked += [(n, 0, (done,)) for done, n in bare.items() if best[done] < n]
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    head = text[:matches[-1].start()]
    return [_render(vocab, matches, head, key) for _, _, key in ranked[:limit]]


def _places(vocab: Vocabulary, sets: list):
    """(title, start) where each typed word's set holds the word at its place."""
    k = len(sets)
    anchor = min(range(k), key=lambda i: vocab.count(sets[i]))
    scanned = 0
    for form_id in sorted(sets[anchor], key=lambda i: -len(vocab.places[i])):
        for packed in vocab.places[form_id]:
            scanned += 1
            if scanned > MAX_SCAN:
                return
            t, s = packed >> 8, (packed & 255) - anchor
            seq = vocab.sequences[t]
            if s >= 0 and s + k <= len(seq) and all(seq[s + i] in sets[i] for i in range(k)):
                yield t, s


def _render(vocab: Vocabulary, matches: list, head: str, key: tuple) -> str:
    typed = matches[-1].group()
    shown = vocab.shown(key[0])
    word = shown if shown[:1].isupper() else typed + shown[len(typed):]
    rest = " ".join(vocab.shown(i) for i in key[1:])
    return _join(vocab, matches[:-1], head, word + (" " + rest if rest else ""))


def _join(vocab: Vocabulary, earlier: list, head: str, tail: str) -> str:
    """`head` + `tail`, earlier typed names and abbreviations put in their written case."""
    for m in reversed(earlier):
        form = _fold(m.group())
        ids = [i for i in vocab.prefix_range(form) if vocab.forms[i - 1] == form]
        if ids and vocab.shown(ids[0])[:1].isupper() and m.end() <= len(head):
            head = head[:m.start()] + vocab.shown(ids[0]) + head[m.end():]
    return head + tail


def _body_words(vocab: Vocabulary, text: str, match, limit: int) -> list[str]:
    """Words of the bodies starting with the last word, in their most common written form.

    The index keeps lemmas (`деть` for `дети`); a lemma is offered through the forms
    the documents really have (FormLookup), never as the lemma alone.
    """
    typed = match.group()
    prefix = _fold(typed)
    head = text[:match.start()]
    out: list[str] = []
    for lemma in vocab.lemmas_with_prefix(prefix, limit * 3):
        written = [(n, f) for f, n in vocab.written_forms(lemma).items()
                   if n and f.startswith(prefix) and f != prefix]
        if written:
            form = max(written)[1]
            known = vocab.same_form(form)
            shown = vocab.shown(known) if known else form
            word = shown if shown[:1].isupper() else typed + shown[len(typed):]
            if (head + word).lower() not in {o.lower() for o in out}:
                out.append(head + word)
        if len(out) >= limit:
            break
    return out


def _titles(vocab: Vocabulary, words: list[str], limit: int) -> list[tuple[str, str]]:
    """Titles holding a word that starts with each typed word, in index order."""
    if len(words[-1]) < 3 or any(len(w) < 2 for w in words):
        return []
    ranges = [vocab.prefix_range(w) for w in words]
    anchor = min(ranges, key=vocab.count)
    candidates = sorted({packed >> 8 for i in anchor for packed in vocab.places[i]})
    found = []
    for t in candidates[:MAX_SCAN]:
        folded = _fold(vocab.titles[t][0])
        if all(_has_word_prefix(folded, w) for w in words) and \
                vocab.titles[t][0] not in {title for title, _ in found}:
            found.append(vocab.titles[t])
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
