"""Completions for the search box, in the words' written forms.

Typed words are matched against the titles' word forms (search/vocabulary.py) in order:
the earlier ones in any inflection (`Война и` finds `Войну и`), the last by the prefix
of its form. The completion keeps what was typed, ends the last word as written and adds
the words that follow it up to a break (`выставка дет` -> `выставка детских рисунков`).
Names and abbreviations keep their written case (`цгб` -> `ЦГБ`); text typed on the
Latin layout is read as Russian (`,b,k` -> `библ`, spelling's keyboard table), and so
is Russian typed in Latin letters (`pushk` -> `пушк`). Words no
title has come from the bodies, in the forms written there (never `деть` for `дети`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from search.analysis import STOP_WORDS, WORD_RE
from search.completion_forms import in_cyrillic, one_form_per_word
from search.morph import fold_yo, is_cyrillic
from search.people import surnames
from search.spelling import LAYOUT_PUNCTUATION, from_latin_layout
from search.title_phrases import one_word_counts
from search.vocabulary import BREAK, Vocabulary, fold, proper_case

__all__ = ["Vocabulary", "suggest", "with_people"]

MAX_SCAN = 50_000  # title places looked at per query
MAX_FOLLOWING = 2  # words added after the completed one
MAX_TITLES = 3


# -- suggestions -----------------------------------------------------------------------
def suggest(vocab: Vocabulary, text: str, limit: int = 10) -> list[dict]:
    """Up to `limit` completions of `text`, then titles with its words.

    Text typed on the Latin layout is also read as Russian.
    """
    text = text.lstrip()
    out = _suggest(vocab, text, limit)
    if _latin_layout(text):
        # Of the two readings (the wrong layout's, Russian in Latin letters), what begins
        # as a reading reads comes first: `vyst` is «выст» (выставка) before the layout's
        # «мные», whose nearest completions are «много» and «мной».
        seen = {s["text"] for s in out}
        exact, loose = [], []
        # (Latin text with the keys of б, ю, ж, э, х, ъ, ё, `,b,k`, is the wrong
        # layout; read as transliteration it offered «,б,к»)
        transliterated = (None if set(LAYOUT_PUNCTUATION).intersection(text)
                          else in_cyrillic(vocab, text))
        for reading in (from_latin_layout(text), transliterated):
            if reading and _earlier_words_known(vocab, reading):
                start = fold_yo(reading.lower())
                for s in _suggest(vocab, reading, limit):
                    if s["text"] not in seen:
                        seen.add(s["text"])
                        begins = fold_yo(s["text"].lower()).startswith(start)
                        (exact if begins else loose).append(s)
        out += exact + loose
    return [s for s in out if not _repeats(s["text"], text)][:limit]


def with_people(suggestions: list[dict], authors: Callable[[], Iterable[str]], text: str,
                limit: int = 10) -> list[dict]:
    """The suggestions with the people who signed publications (`authors()`, asked only
    when the typed text may begin a name) whose name has a word beginning with the typed
    text (`вершин` -> «Анна Вершинина»: searching for it finds what she signed), after
    the word completions and before the titles, as kind "person"."""
    typed = " ".join(fold_yo(text.lower()).split())
    if len(typed) < MIN_PERSON_PREFIX:
        return suggestions
    shown = {s["text"].lower() for s in suggestions}
    people = [{"text": name, "kind": "person", "id": None} for name in authors()
              if name.lower() not in shown and surnames(name) and _begins(name, typed)]
    if not people:
        return suggestions
    # a single word that is one of their surnames is the person (`морощ`: «морощук»
    # beside «Ирина Морощук»)
    named = {fold_yo(w.lower()) for p in people for w in p["text"].split()}
    suggestions = [s for s in suggestions if s["kind"] == "title" or " " in s["text"]
                   or fold_yo(s["text"].lower()) not in named]
    # after the words that begin as typed, before the rest (`верш`: not «вера» first)
    begun = [s for s in suggestions if s["kind"] != "title"
             and fold_yo(s["text"].lower()).startswith(typed)]
    rest = [s for s in suggestions if s not in begun]
    return (begun + people + rest)[:limit]


def _begins(name: str, typed: str) -> bool:
    """Whether a word of the name, or the name from one of its words on (either order of
    first name and surname), begins with what was typed: `верш`, `анна в`, `вершинина а`."""
    words = fold_yo(name.lower()).split()
    return any(" ".join(words[i:] + words[:i]).startswith(typed) for i in range(len(words)))


MIN_PERSON_PREFIX = 3


def _repeats(completion: str, typed: str) -> bool:
    """A completion that only gives back what was typed (`анна в` -> «анна в»; `Анна В`
    -> «Анна в»; `knigi o` -> «книги о»): no longer, its last word under three letters.
    `цгб` -> «ЦГБ» gives the written case, and stays."""
    words, given = completion.split(), typed.split()
    if not words:
        return True
    return len(words) <= len(given) and (completion == typed.strip() or len(words[-1]) < 3)


def _earlier_words_known(vocab: Vocabulary, text: str) -> bool:
    """Whether every word of `text` but the last is a form some title has (`вуеылфнф и`,
    the layout reading of `detskaya b`, is nobody's text)."""
    words = WORD_RE.findall(text)
    return all(vocab.same_word(fold(w)) for w in words[:-1])


def _latin_layout(text: str) -> bool:
    text = text.strip()
    return bool(text) and not is_cyrillic(text) and any(c.isalpha() for c in text)


def _suggest(vocab: Vocabulary, text: str, limit: int) -> list[dict]:
    matches = list(WORD_RE.finditer(text))
    if not matches:
        return []
    titles = _titles(vocab, [fold(m.group()) for m in matches], MAX_TITLES)
    wanted = max(limit - len(titles), limit // 2)
    words = one_form_per_word(_completions(vocab, text, matches, 2 * wanted),
                              typed=matches[-1].group())
    out = [{"text": t, "kind": "word", "id": None} for t in words[:wanted]]
    out += [{"text": title, "kind": "title", "id": pid} for title, pid in titles]
    return out[:limit]


def _completions(vocab: Vocabulary, text: str, matches: list, limit: int) -> list[str]:
    """Phrases from the titles that go on from what was typed, then single words."""
    last = fold(matches[-1].group())
    typed = [vocab.same_form(fold(m.group())) for m in matches[:-1]]
    sets = [vocab.same_word(fold(m.group())) for m in matches[:-1]] + [vocab.prefix_range(last)]
    out: list[str] = []
    if len(matches) == 1:  # one word: phrases only when they recur
        out += _phrases(vocab, text, matches, sets, limit, min_phrase=2)
    else:  # the typed words in order; else the last ones (`ко дню поб` -> `дню поб`)
        # The earlier words as typed first: in any inflection, a title's next word may
        # not agree with them (`книжная в`: «книжная выставку», from «книжную выставку»).
        as_typed = [{i} if i else set() for i in typed] + sets[-1:]
        tried = (chosen[first:] for first in range(len(sets) - 1)
                 for chosen in (as_typed, sets) if all(chosen[first:]))
        for chosen in tried:
            out = _phrases(vocab, text, matches, chosen, limit, min_phrase=1)
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
    if k == 1 and isinstance(sets[0], range):
        bare, longer = one_word_counts(vocab.arrays, sets[0], min_phrase)
    else:
        bare, longer = _counts(vocab, sets, min_phrase)
    ranked = [(n, 1, key) for key, n in longer.items() if n >= min_phrase]
    best = Counter()
    for _, _, key in ranked:
        best[key[0]] = max(best[key[0]], longer[key])
    ranked += [(n, 0, (done,)) for done, n in bare.items() if best[done] < n]
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    head = text[:matches[-1].start()]
    return [_render(vocab, matches, head, key) for _, _, key in ranked[:limit]]


def _counts(vocab: Vocabulary, sets: list, min_phrase: int) -> tuple[Counter, Counter]:
    """title_phrases.one_word_counts for several typed words, place by place."""
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
    return bare, longer


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
    word = _completed(typed, shown)
    rest = " ".join(vocab.shown(i) for i in key[1:])
    return _join(vocab, matches[:-1], head, word + (" " + rest if rest else ""))


def _completed(typed: str, shown: str) -> str:
    """The form shown, its beginning as typed (`Выставка`), unless the form is a name,
    the beginning was typed in capitals (`БИБЛ`: «библиотека») or with other letters
    (`учён`: «ученики», never «учёники»)."""
    caps = len(typed) > 1 and typed.isupper()
    if shown[:1].isupper() or caps or typed.lower() != shown[:len(typed)].lower():
        return shown
    return typed + shown[len(typed):]


def _join(vocab: Vocabulary, earlier: list, head: str, tail: str) -> str:
    """`head` + `tail`, earlier typed names and abbreviations put in their written case."""
    for m in reversed(earlier):
        form = fold(m.group())
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
    prefix = fold(typed)
    head = text[:match.start()]
    out: list[str] = []
    for lemma in vocab.lemmas_with_prefix(prefix, limit * 3):
        written = [(n, f) for f, n in vocab.written_forms(lemma).items()
                   if n and f.startswith(prefix) and f != prefix]
        if written:
            form = max(written)[1]
            known = vocab.same_form(form)
            # a body's word no title has: a name in its capital (`морощ`: «Морощук»)
            shown = vocab.shown(known) if known else proper_case(form)
            word = _completed(typed, shown)
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
        folded = fold(vocab.titles[t][0])
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
