"""The nearest known word to a typo: candidates from the index's lemmas, the signatures'
surnames and the dictionary's words one edit away, inflected like the word typed and
ranked by edits, key slips, part of speech and frequency (search/spelling.py holds the
lexicon they come from)."""

from __future__ import annotations

import math

from search.morph import fold_yo, get_analyzer, is_cyrillic, readings
from search.spelling import SpellingLexicon, edit_distance, is_dictionary_word

__all__ = ["best_typo_fix", "MIN_CORRECTION_DOCS", "weighted_distance"]

# (or a rare name) as the fix: `ковид` is not corrected to `коид`.
MIN_CORRECTION_DOCS = 2
INFLECT_AT_MOST = 6
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_NEIGHBOURS = {(a, b) for row in _ROWS for a, b in zip(row, row[1:], strict=False)}
_NEIGHBOURS |= {(b, a) for a, b in _NEIGHBOURS}


def _inflected_like(lemma: str, word: str) -> str:
    """The form of `lemma` closest to `word`: `библиотека` for `библеотеками` -> `библиотеками`."""
    if not is_cyrillic(lemma):
        return lemma
    forms = {lemma}
    for parse in get_analyzer().parse(lemma):
        if fold_yo(parse.normal_form) == lemma:
            forms.update(fold_yo(p.word) for p in parse.lexeme)
            break
    ending = word[len(lemma):]
    if (len(forms) == 1 and lemma.endswith(_SURNAME_ENDS) and ending in _SURNAME_CASE_ENDS
            and edit_distance(word[:len(lemma)], lemma) <= 1):
        # a surname pymorphy3 cannot inflect (`перескоков`, which it reads as a plural of
        # «перескок»): the ending typed, put on it (`Перескакова`: «Перескокова», which
        # the index holds, not «Перескоков», which found nothing)
        forms.add(lemma + ending)
    return min(sorted(forms), key=lambda form: edit_distance(word, form))


_SURNAME_ENDS = ("ов", "ев", "ёв", "ин", "ын")
# What such a surname's cases add (Перескоков: -а, -у, -ым, -е; Перескокова: -ой, -у)
_SURNAME_CASE_ENDS = frozenset({"а", "у", "ым", "е", "ой", "ы", "ых", "ыми"})


FIRST_LETTER_COST = 0.5  # added to a candidate's edits when its first letter differs


# Letters written for each other because they sound alike: unstressed vowels and voiced
# and voiceless consonants, the commonest Russian misspellings (`вечиринка`, `расказ`).
_SOUND_ALIKE = {frozenset(pair) for pair in ("ао", "ая", "ую", "еи", "ея", "ия", "иы", "еэ",
                                              "бп", "вф", "гк", "дт", "жш", "зс")}
# What a neighbouring key, a sound-alike letter, a doubled one or two letters swapped cost
LIKELY_SLIP = 0.75


def _cost(word: str, form: str) -> float:
    """Edits from the word typed, a slip to a neighbouring key, a letter that sounds alike,
    a letter doubled or not and two swapped counting a little less, a changed first
    letter half an edit more: it is rarely mistyped (`Чехав` is «Чехов», not the commoner
    «уехав», one edit from it too; `вечирина` is «вечеринка», not «величина»)."""
    first = FIRST_LETTER_COST if word[:1] != form[:1] else 0.0
    return weighted_distance(word, form) + first


def weighted_distance(a: str, b: str) -> float:
    """Optimal string alignment distance with LIKELY_SLIP for a likely substitution, a
    letter doubled or undoubled and two swapped; a few dozen candidates of short words
    a query."""
    rows = [[float(j) for j in range(len(b) + 1)]]
    for i in range(1, len(a) + 1):
        row = [float(i)] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            x, y = a[i - 1], b[j - 1]
            sub = 0.0 if x == y else LIKELY_SLIP if (
                (x, y) in _NEIGHBOURS or frozenset((x, y)) in _SOUND_ALIKE) else 1.0
            drop = LIKELY_SLIP if i > 1 and a[i - 2] == x else 1.0  # `классс`
            add = LIKELY_SLIP if j > 1 and b[j - 2] == y else 1.0  # `клас`
            row[j] = min(rows[-1][j] + drop, row[j - 1] + add, rows[-1][j - 1] + sub)
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + LIKELY_SLIP)  # swapped: `горзе`
        rows.append(row)
    return rows[-1][-1]


def best_typo_fix(lexicon: SpellingLexicon, word: str,
                   capitalized: bool = False) -> tuple[str, int] | None:
    """The nearest word the index knows, then the most frequent: lemmas near the word or
    near its guessed lemmas, inflected back like the word typed, and the dictionary's
    words one edit away whose lemma the index holds (`детм`: «дети», whose lemma
    «ребёнок» no lemma near `детм` spells). The surnames of the signatures are
    candidates too, and for a `capitalized` word they come first among the equally near
    (`Марихна`: the library's «Марихина» before «Марина»)."""
    maxdist = 1 if len(word) <= 5 else 2
    probes = [word] + [r.lemma for r in readings(word) if r.lemma != word][:1]
    forms = _dictionary_neighbours(lexicon, word)
    found = _typo_candidates(lexicon, word, probes, maxdist, maxdist, capitalized, forms)
    if found is None:  # a lemma one edit farther may still inflect to a form this near:
        # `кнги` is 2 from «книга» and 1 from «книги»
        found = _typo_candidates(lexicon, word, probes, maxdist + 1, maxdist, capitalized)
    return found


_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
MAX_NEIGHBOUR_WORD = 12  # longer words: the index's lemmas alone (about 800 probes each)


def _dictionary_neighbours(lexicon: SpellingLexicon, word: str) -> dict[str, str]:
    """Dictionary words one edit from `word` (a letter dropped, added, changed, or two
    swapped) whose likeliest lemma the index holds: form -> lemma."""
    if len(word) > MAX_NEIGHBOUR_WORD or not is_cyrillic(word):
        return {}
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    edits.discard(word)
    out = {}
    for form in edits:
        if len(form) > 2 and is_dictionary_word(form):
            lemma = readings(form)[0].lemma
            if lexicon.frequency(lemma) >= MIN_CORRECTION_DOCS:
                out[form] = lemma
    return out


# What a search box is meant to hold, among equally near candidates: a noun or an
# adjective first, then a verb, then a participle, a gerund or a short adjective (`дет`,
# `детом` of «деть»; `книжн`). `детй` is «дети», not «деть»: the verb's lemma counts
# every «день» and «дела» it may be read in, and outnumbers «ребёнок».
_VERB_FORMS = frozenset({"INFN", "VERB"})
_RARE_FORMS = frozenset({"PRTF", "PRTS", "GRND", "ADJS", "COMP"})
VERB_FORM_COST = 0.1
RARE_FORM_COST = 0.25


def _form_cost(word: str, form: str) -> float:
    parts = {parse.tag.POS for parse in get_analyzer().parse(form)}
    extra = (RARE_FORM_COST if parts and parts <= _RARE_FORMS
             else VERB_FORM_COST if parts and parts <= _RARE_FORMS | _VERB_FORMS else 0.0)
    return _cost(word, form) + extra


def _typo_candidates(lexicon: SpellingLexicon, word: str, probes: list[str], lemma_dist: int,
                     maxdist: int, capitalized: bool,
                     forms: dict[str, str] | None = None) -> tuple[str, int] | None:
    """best_typo_fix over the lemmas within `lemma_dist` of the probes, inflected like
    `word`, kept within `maxdist` of it, and the dictionary `forms` (form -> lemma)."""
    near: dict[str, int] = {}
    for names in (False, True):
        table = lexicon.names if names else lexicon.freqs
        for probe in probes:
            for term, dist in lexicon.near(probe, lemma_dist, names=names):
                if table[term] >= MIN_CORRECTION_DOCS or is_dictionary_word(term):
                    near[term] = min(dist, near.get(term, dist))
    # Inflecting a lemma like the word typed costs ~1 ms: only for the likeliest few.
    frequency = lexicon.frequency
    likeliest = sorted(near, key=lambda t: (near[t], -frequency(t), t))[:INFLECT_AT_MOST]
    inflected = {_inflected_like(term, word): term for term in likeliest}
    candidates = []
    for form, term in {**inflected, **(forms or {})}.items():
        dist = edit_distance(word, form)
        if 0 < dist <= maxdist:
            signed = capitalized and term in lexicon.names
            candidates.append((_form_cost(word, form), not signed, -math.log1p(frequency(term)),
                               form, dist))
    if not candidates:
        return None
    *_, form, dist = min(candidates)
    return form, dist
