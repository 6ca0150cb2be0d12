"""The corrected query: typos, the wrong keyboard layout, Russian typed in Latin
letters, words typed apart (search/spelling.py finds the words)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from search.analysis import STOP_WORDS, WORD_RE
from search.models import SearchResult
from search.morph import fold_yo, index_lemmas, is_cyrillic
from search.query_syntax import OPERATOR_WORDS
from search.spelling import (
    LAYOUT_PUNCTUATION,
    SpellingLexicon,
    cased_like,
    from_latin_layout,
    is_dictionary_word,
    is_proper_name,
    on_latin_layout,
    unknown_word,
)
from search.transliteration import readings as latin_readings
from search.typo_fix import best_typo_fix
from search.word_spacing import documents, joined_words, split_word

__all__ = ["Correction", "suggest_correction", "has_latin_words", "labelled", "CORRECTION_KINDS"]

# What a correction mends: a typo, the Latin keyboard layout (`dscnfdrf`), Russian in
# Latin letters (`vystavka`), a word half typed (`выст`: «выст*»).
CORRECTION_KINDS = ("typo", "layout", "latin", "beginning")


@dataclass(frozen=True)
class Correction:
    text: str
    confident: bool
    layout: bool = False
    latin: bool = False  # Russian words typed in Latin letters (transliterated)
    beginning: bool = False  # a word half typed, searched as the words it begins (`выст*`)

    @property
    def kind(self) -> str:
        """One of CORRECTION_KINDS: what the API's `correction` says."""
        return ("layout" if self.layout else "latin" if self.latin
                else "beginning" if self.beginning else "typo")

    @property
    def retyped(self) -> bool:
        """Words typed on the Latin layout or in Latin letters: never meant as typed, so
        the correction is shown even when the typed query found something."""
        return self.layout or self.latin


def has_latin_words(words: list[str]) -> bool:
    """Whether a query's words hold a Latin one of three letters or more: it may be
    Russian typed in Latin letters even when the index holds it as it is."""
    return any(len(m.group()) >= 3 for w in words for m in _LATIN_WORD.finditer(w))


def suggest_correction(lexicon: SpellingLexicon, query: str) -> Correction | None:
    """A corrected query when some words are unknown, else None; each word on its own.
    A misspelled name is only suggested (never `confident`): it may be a real name the
    index does not hold."""
    # A word searched by its beginning (`библиот*`, `выст?вка`) is no typo: never corrected.
    words = [m.group() for m in WORD_RE.finditer(query)
             if query[m.end():m.end() + 1] not in ("*", "?")
             and query[max(0, m.start() - 1):m.start()] != "?"]
    if not words and any(c in query for c in LAYOUT_PUNCTUATION):
        words = [query.strip()]
    parted = {word: _unknown_compound_parts(lexicon, word) for word in words}
    words = [part for word in words for part in parted[word] or [word]]
    in_parts = {part for parts in parted.values() for part in parts}
    whole = query.strip()
    if whole and not is_cyrillic(whole) and on_latin_layout(re.sub(r"[\s-]", "", whole)):
        mapped = from_latin_layout(whole)
        mapped_words = [fold_yo(w.lower()) for w in WORD_RE.findall(mapped)]
        content = [w for w in mapped_words if w not in STOP_WORDS]  # stop words are not indexed
        # `x` is no Russian word typed on the wrong layout, though `ч` is indexed (initials)
        if sum(map(len, content)) >= 3 and all(lexicon.knows(w) for w in content):
            return Correction(mapped, True, layout=True)
    confident = True
    out, layout_words = _latin_layout_words(lexicon, query)
    out, latin_words, latin_sure = _transliterated(lexicon, out)  # the Latin words left
    confident = latin_sure or not latin_words
    typos = 0
    for word in words:
        kind = unknown_word(lexicon, word)
        if kind is None and word in in_parts and not is_dictionary_word(fold_yo(word.lower())):
            kind = "word"  # known to the index only through a lemma guessed for a typo
        if kind is None:
            continue
        sure = kind == "word"
        low = fold_yo(word.lower())
        fix = best_typo_fix(lexicon, low, capitalized=word[:1].isupper())
        # A letter dropped at an edge may be a one-letter word run in: `вбиблиотеке` is
        # «в библиотеке» rather than «библиотеке».
        if kind == "word" and (fix is None or fix[1] > 1 or fix[0] in (low[1:], low[:-1])):
            fix = split_word(lexicon, low) or fix
        if fix is None:
            continue
        term, dist = fix
        written = cased_like(word, term)
        if word[:1].isupper() and is_proper_name(written):
            sure = False  # a capitalized word taken for another name: offered, not applied
        if fold_yo(term[:1].lower()) != low[:1]:
            sure = False  # a typo in the first letter is rare: `Чехав` is no «Уехав»
        if word[:1].isupper() and word is not words[0] and not query.isupper():
            sure = False  # capitalized inside a query: a name (`писателем Пушкеным`)
        out = out.replace(word, written, 1)
        typos += 1
        confident = confident and sure and (dist == 1 or len(low) >= 8)
    if not typos and not layout_words and not latin_words:
        joined = joined_words(lexicon, query, words)
        return Correction(joined, True) if joined else None
    return Correction(out, confident, layout=not typos and bool(layout_words),
                      latin=not typos and not layout_words and bool(latin_words))


def _unknown_compound_parts(lexicon: SpellingLexicon, word: str) -> list[str]:
    """The parts of a compound the index does not know, each to be checked (`мастер-класы`
    found nothing and offered nothing: its «класы» is «класс»); [] for any other word."""
    parts = [p for p in _HYPHENS.split(word) if p]
    if len(parts) < 2 or unknown_word(lexicon, word) is None:
        return []
    checked = [p for p in parts if len(p) >= 4 and is_cyrillic(p)]
    if all(is_dictionary_word(fold_yo(p.lower())) for p in checked):
        return []  # words the dictionary knows: the whole is corrected (`кино-театр`)
    return checked


_HYPHENS = re.compile(r"[-\u2010\u2011]")
FORM_READINGS = 8  # readings of a Latin word checked as forms of the index's lemmas

def _latin_layout_words(lexicon: SpellingLexicon, query: str) -> tuple[str, int]:
    """The query with each word typed on the Latin layout among Russian words put back
    (`выставка rjyrehc` -> `выставка конкурс`) when the index knows the Russian word and
    not the Latin one; and how many were."""
    if not any(is_cyrillic(c) for c in query if c.isalpha()):
        return query, 0  # all Latin: suggest_correction maps the whole query or nothing
    out, count = query, 0
    for token in query.split():
        if not on_latin_layout(token):
            continue
        mapped = from_latin_layout(token)
        low = fold_yo(mapped.lower())
        if (len(low) >= 3 and low not in STOP_WORDS and is_cyrillic(low)
                and lexicon.knows(low) and not lexicon.knows(token.lower())):
            out, count = out.replace(token, mapped, 1), count + 1
    return out, count


# A Latin word inside a query token: `-onlayn`, `(vystavka`, `master-klass`,
# `biblionoch-2024`, `sem'ya`.
_LATIN_WORD = re.compile(r"(?<![\w'])[A-Za-z][A-Za-z']*(?:-[A-Za-z0-9'][A-Za-z0-9']*)*(?![\w])")


# Latin words this short that spell a Russian word the index holds are as often English
# (`star`, `zone`, `pot`): when no longer one is read with them, they are only offered.
SHORT_LATIN = 4


def _transliterated(lexicon: SpellingLexicon, query: str) -> tuple[str, int, bool]:
    """The query with its Latin words that spell a Russian word the index knows put in
    Cyrillic (`pushkin -onlayn` -> `пушкин -онлайн`), how many such words of three or more
    letters there were, and whether that is sure. Every part of a compound must be read
    (`master-klass`: «мастер-класс»; numbers stay), and so must every Latin word of two
    or more letters the index does not know: one that spells nothing is English, and so
    are the others (`star wars` stays). Short words are put back only when they spell a
    stop word (`knigi o voyne`: «о»); a Latin word the index knows stays (`Excel`), and
    with it the others (`a star is born`), unless its reading is far more common."""
    out, count, longest, at, kept = [], 0, 0, 0, False
    for match in _LATIN_WORD.finditer(query):
        if match.group().upper() in OPERATOR_WORDS:
            continue
        parts = match.group().split("-")
        read = [p if p.isdigit() else _best_reading(lexicon, p) for p in parts]
        if any(r is None for r in read):
            unread = [p for p, r in zip(parts, read, strict=True)
                      if r is None and len(p) >= 2 and not p.isdigit()]
            if any(not lexicon.knows(p.lower()) for p in unread):
                return query, 0, True  # a word that spells nothing: the query is English
            kept = kept or bool(unread)
            continue
        if all(p.isdigit() for p in parts):
            continue
        out += [query[at:match.start()],
                "-".join(cased_like(p, r) for p, r in zip(parts, read, strict=True))]
        at = match.end()
        content = [p for p, r in zip(parts, read, strict=True)
                   if r not in STOP_WORDS and not r.isdigit()]
        count += bool(content)
        longest = max([longest, *map(len, content)])
    if kept and out:  # English words the index holds among those read: English too
        return query, 0, True
    return "".join(out) + query[at:], count, longest > SHORT_LATIN


# A Latin word the index holds too (in a link or a script left in a text: `vystavka`)
# is read in Cyrillic when its reading is in this many times as many documents.
LATIN_OUTNUMBERED = 5


def _best_reading(lexicon: SpellingLexicon, word: str) -> str | None:
    """The Cyrillic reading of a Latin word that the index holds, a dictionary word
    before any other, then the one in most documents; or a stop word (`o`: «о», even
    when some English text of the index holds `o`). A Latin word the index holds stays,
    unless its reading is in LATIN_OUTNUMBERED times as many documents."""
    low = word.lower()
    spellings = latin_readings(low)
    if spellings and spellings[0] in STOP_WORDS:
        return spellings[0]
    if len(low) < 3 or not spellings:  # `00a`: no reading at all
        return None
    held = max(1, lexicon.frequency(low)) if lexicon.knows(low) else 0  # documents
    known = []
    for n, spelling in enumerate(spellings):
        dictionary = is_dictionary_word(spelling)
        found = _reading_frequency(lexicon, spelling, dictionary)
        if found:  # of two forms of one word, its normal form (`novy`: «новый», not «новы»)
            normal = dictionary and spelling in index_lemmas(spelling)
            known.append((dictionary, found, normal, -n, spelling))
    if held:
        best = max(known, default=None)
        return best[4] if best and best[1] >= LATIN_OUTNUMBERED * held else None
    if known:
        return max(known)[4]
    # A form whose lemma the index holds, though the form is no dictionary word
    # (`biblionik`: «библионик» of «Библионика», `pereskokova`: «Перескокова»); each
    # check is a parse, so only the likeliest readings are asked.
    for spelling in spellings[:FORM_READINGS]:
        if lexicon.knows(spelling) or lexicon.knows_name(spelling):
            return spelling
    parted = split_word(lexicon, spellings[0], latin=True)  # `masterklass`, `vbiblioteke`
    return parted[0] if parted else None


def _reading_frequency(lexicon: SpellingLexicon, spelling: str, dictionary: bool) -> int:
    """How many documents hold a Cyrillic reading of a Latin word (0: none). Only a
    dictionary word is parsed (most readings are no words at all, and a parse costs
    ~0.1 ms); another must be a lemma or surname of the index as it is."""
    if not dictionary:
        return lexicon.frequency(spelling)
    if not (lexicon.knows(spelling) or lexicon.knows_name(spelling)):
        return 0
    return documents(lexicon, spelling) or 1


_LAST_WORD = re.compile(r"(?<![\w*?\-])[^\W\d_]{4,}$")  # `сво` begins too much


def as_beginning(query: str, lexicon: Callable[[], SpellingLexicon]) -> str | None:
    """A query whose last word, typed no further, may be the beginning of words (`выста`
    when Enter was pressed before the suggestions): searched with a star, or None (a
    phrase, operators, a word searched by its beginning already, a word the index or
    the dictionary knows)."""
    typed = query.strip()
    if not typed or '"' in typed or OPERATOR_WORDS.intersection(typed.split()):
        return None
    found = _LAST_WORD.search(typed)
    if not found or not is_cyrillic(found.group()) or found.group().isupper():
        return None  # (`СВО`: an abbreviation, not the beginning of «своего»)
    word = fold_yo(found.group().lower())
    if is_dictionary_word(word) or lexicon().knows(word) or not lexicon().has_prefix(word):
        return None  # a word, or the beginning of none the index holds: no search
    return typed + "*"


def labelled(typed: str, fixed: SearchResult, correction: Correction, typed_total: int,
             found_with_typo: bool = False) -> SearchResult:
    """The corrected query's result, saying why it is shown instead of the typed one:
    `typed_total` is what the typed query found, fully or (none so) partly;
    `found_with_typo`: found through the stem of a word no one knows."""
    reason = (f"запрос «{typed}» набран в английской раскладке" if correction.layout
              else f"запрос «{typed}» набран латиницей" if correction.latin
              else f"в запросе «{typed}», похоже, опечатка" if found_with_typo
              else f"ничего не найдено по запросу «{typed}»" if not typed_total
              else f"не все слова запроса «{typed}» найдены")
    warning = f"{reason}; показаны результаты по запросу «{correction.text}»"
    return replace(fixed, query=typed, did_you_mean=correction.text, corrected=True,
                   correction=correction.kind,
                   warnings=(*fixed.warnings, warning))
