"""Hints from the facet values: the values near a filter value that no publication has,
and the topics a query that found nothing names.

A librarian types a library or an author as she remembers it: `им. А.С. Пушкина` for
«им. А. С. Пушкина», `ЦГБ` for «Центральная городская библиотека», `Вершинина` or
`Вершинина Анна` for «Анна Вершинина». Filters compare whole values
(search.engine.facet_key), so these find nothing; the warning then names the values that
were probably meant. And she searches the topic list's own names (`краеведение`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping

from rapidfuzz.distance import Levenshtein

from search.analysis import STOP_WORDS
from search.engine import facet_key
from search.models import FacetValue, SearchRequest
from search.morph import fold_yo, get_analyzer, index_lemmas
from search.plural import plural

__all__ = ["near_values", "unknown_value_warnings", "topic_hints", "MAX_HINTS",
           "FACET_LABELS", "years_outside_the_period",
           "years_without_publications", "topic_hint_warning", "resolved_values", "respaced_values"]

MAX_HINTS = 3
FACET_LABELS = {"topic": "тема", "author": "автор", "library": "библиотека", "year": "год"}
_WORD = re.compile(r"\w+")
_NUMBERS = re.compile(r"\d+\w?")


def near_values(typed: str, values: Iterable[str], limit: int = MAX_HINTS,
                typos: bool = False) -> list[str]:
    """Up to `limit` of `values` that are probably what `typed` means, nearest first:
    - the same letters with other spacing, punctuation or quotes (`№3`, `"Лира"`);
    - every word of it among the value's words in any order and form (`Вершининой`,
      `Вершинина Анна`, `Выставка` for «Выставки»), an initial or an abbreviation for a
      word (`А. Вершинина`, `им.` or `имени`);
    - an acronym of the value's words (`ЦГБ`: «Центральная городская библиотека»);
    - with `typos` (the topics: a controlled list, where a near name is the same topic,
      not another person or branch), a letter or two off (`Краеведенее`), when nothing
      nearer is found."""
    words = _WORD.findall(facet_key(typed))
    if not words:
        return []
    joined = "".join(words)
    # two capitals beside a word of the name (`Белохолуницкая ЦБ`); alone, `ЦБ` is the
    # initials of a whole name (below)
    capitals = {w.lower() for w in _WORD.findall(typed) if len(w) >= 2 and w.isupper()} \
        if len(words) > 1 else set()
    found = []
    for value in values:
        theirs = _WORD.findall(facet_key(value))
        if "".join(theirs) == joined:
            found.append((0, len(value), value))
        elif all(any(_same_word(w, t) for t in theirs) or _acronym(w, theirs, w in capitals)
                 for w in words) and any(
                _same_word(w, t, whole=True) and len(w) >= 3 or _acronym(w, theirs, w in capitals)
                for w in words for t in theirs):
            # and at least one word that is a word of it, or an acronym: initials and
            # short beginnings alone (`а`, `ж`, `Андреева` for the «А.» of «А. А. Матыков»)
            # had been read as some person (a security tester's trial)
            # a word taken for an initial or a short abbreviation (`в` of «В мире» for
            # `Выставка`) is a weaker reading than a word or a form of it
            whole = all(any(_same_word(w, t, whole=True) for t in theirs) for w in words)
            found.append((1 if whole else 1.5, len(value), value))
        elif len(words) == 1 and len(joined) >= 2 and joined == "".join(t[0] for t in theirs):
            found.append((2, len(value), value))
        elif typos and _misspelt(joined, "".join(theirs)):
            found.append((3, len(value), value))
    if any(tier < 3 for tier, *_ in found):  # a typo's reading only when there is no other
        found = [entry for entry in found if entry[0] != 3]
    if any(tier < 1.5 for tier, *_ in found):
        found = [entry for entry in found if entry[0] != 1.5]
    return [value for *_, value in sorted(found)[:limit]]


def _misspelt(typed: str, value: str) -> bool:
    """A letter or two off (`Литературная гостиная` for a topic a methodologist had
    written «Литературная гостинная»): one for up to 8 letters, two beyond."""
    if len(typed) < 5 or _NUMBERS.findall(typed) != _NUMBERS.findall(value):
        return False  # `Лира` is no «Лига»; `№ 3а` no «№ 3б»
    limit = 1 if len(typed) <= 8 else 2
    return Levenshtein.distance(typed, value, score_cutoff=limit) <= limit


def _acronym(typed: str, words: list[str], capitals: bool = False) -> bool:
    """Whether `typed` is the initials of some words in a row (`цгб` in «Центральная
    городская библиотека им. А. С. Пушкина», `ЦГБ им. Пушкина` for it), in any order of
    them (`ЦДБ` and `ДЦБ` both name «Детская центральная библиотека»); of two letters
    only when typed in `capitals` (`Белохолуницкая ЦБ`; `им` is no acronym)."""
    n = len(typed)
    letters = sorted(typed)
    return n >= (2 if capitals else 3) and typed.isalpha() and any(
        sorted(w[:1] for w in words[i:i + n]) == letters for i in range(len(words) - n + 1))


def _same_word(typed: str, word: str, whole: bool = False) -> bool:
    """One word for another in a name: equal, the same lemma, or (unless `whole`) an
    initial or short abbreviation of it (`а` for «анна», `им` for «имени»)."""
    if typed == word:
        return True
    if not whole and (len(typed) <= 3 and word.startswith(typed)
                      or len(word) <= 3 and typed.startswith(word)):
        return True
    if typed[:3] != word[:3]:  # inflection keeps a word's start: no parse (~0.1 ms)
        return False
    return bool(_lemmas_as_named(typed) & set(index_lemmas(word)))


def _lemmas_as_named(word: str) -> set[str]:
    """The lemmas of a word in a name: a surname's own when pymorphy3 reads it first as a
    surname (`Алексеев` is no plural of «Алексей», `Дмитриев` none of «Дмитрий»)."""
    best = get_analyzer().parse(word)[0]
    if "Surn" in best.tag:
        return {fold_yo(best.normal_form)}
    return set(index_lemmas(word))


def resolved_values(name: str, typed: tuple[str, ...],
                    existing: Iterable[str]) -> tuple[tuple[str, ...], list[str]]:
    """Filter values with each one no publication has replaced by the one value it
    surely means (`Вершинина` for «Анна Вершинина»: its only near value; `Выставка` for
    «Выставки» among «Выставки книг» and others: the one of its words, word for word),
    and a note for each replaced; a value near none or several stays, and is hinted at
    after the search (unknown_value_warnings)."""
    existing = list(existing)

    def candidates(value: str) -> list[str]:
        near = near_values(value, existing, len(existing), typos=name == "topic")
        every = [v for v in near if _the_same_words(value, v)]
        return every if len(every) == 1 else near[:2]

    return _replaced(name, typed, existing, candidates)


def _the_same_words(typed: str, value: str) -> bool:
    """Each word of the one a form of a word of the other, and no word more: `Выставка`
    is «Выставки», not «Выставки книг» too."""
    ours, theirs = _WORD.findall(facet_key(typed)), _WORD.findall(facet_key(value))
    return len(ours) == len(theirs) and all(
        any(_same_word(w, t, whole=True) for t in theirs) for w in ours) and all(
        any(_same_word(w, t, whole=True) for w in ours) for t in theirs)


def respaced_values(name: str, typed: tuple[str, ...],
                    existing: Iterable[str]) -> tuple[tuple[str, ...], list[str]]:
    """Filter values no publication has replaced by the one value with the same letters,
    spaced or punctuated otherwise (`Библиотека-филиал №3`: «Библиотека-филиал № 3»), or
    else by the one value near it (an acronym, `ЦГБ`; other words, `Библиотека имени
    Пушкина`), with a note for each; a value near several stays, and is hinted at. A
    librarian's trial: `library=Краснопольская` found nothing, though one library
    is called so."""
    existing = list(existing)

    def letters(value: str) -> str:
        return "".join(_WORD.findall(facet_key(value)))

    def candidates(value: str) -> list[str]:
        same = [v for v in existing if letters(value) and letters(v) == letters(value)]
        return same or near_values(value, existing, 2)

    return _replaced(name, typed, existing, candidates)


def _replaced(name: str, typed: tuple[str, ...], existing: list[str],
              candidates: Callable[[str], list[str]]) -> tuple[tuple[str, ...], list[str]]:
    """Each typed value no publication has replaced by its only candidate, with a note."""
    known = {facet_key(v) for v in existing}
    out, notes = [], []
    for value in typed:
        found = [] if facet_key(value) in known else candidates(value)
        if len(found) == 1:
            out.append(found[0])
            notes.append(f"в фильтре «{FACET_LABELS.get(name, name)}» «{value}» прочитано "
                         f"как «{found[0]}»")
        else:
            out.append(value)
    return tuple(out), notes


def unknown_value_warnings(unknown: Mapping[str, tuple[str, ...]],
                           every_value: Callable[[], Mapping[str, Iterable]]) -> list[str]:
    """A warning per filter value no publication has, naming the values it is near
    (`every_value`: the engine's facet values, asked only when a value is unknown)."""
    out = []
    every = every_value() if unknown else {}
    for name, values in unknown.items():
        existing = [v.value for v in every.get(name, ())]
        for value in values:
            warning = (f"нет публикаций со значением «{value}» в фильтре "
                       f"«{FACET_LABELS.get(name, name)}»")
            near = near_values(value, existing, typos=name == "topic") if name != "year" else []
            if near:
                warning += "; есть " + ", ".join(f"«{v}»" for v in near)
            out.append(warning)
    return out


def topic_hints(words: Iterable[str],
                every_value: Callable[[], Mapping[str, Iterable]]) -> list[FacetValue]:
    """For a query that found nothing or little (search/searcher.py TOPIC_HINT_BELOW),
    the topics whose names hold each of its words in some form and more publications
    (`отчёты и итоги`: the topic «Отчёты и итоги»): a librarian searches the topic
    list's own names. The page and the widget offer each as a link to its publications
    (`topic_hints` of the answer)."""
    wanted = [set(index_lemmas(w)) for w in (fold_yo(w.lower()) for w in words)
              if w not in STOP_WORDS]
    if not wanted or not all(wanted):
        return []
    out = []
    for topic in every_value().get("topic", ()):
        named = {lemma for w in _WORD.findall(fold_yo(topic.value.lower()))
                 for lemma in index_lemmas(w)}
        if all(lemmas & named for lemmas in wanted):
            out.append(FacetValue(topic.value, topic.count))
    return out[:MAX_HINTS]


def topic_hint_warning(topic: FacetValue) -> str:
    """What a topic hint says in `warnings` (for clients that show only those)."""
    return (f"есть тема «{topic.value}» ({_publications(topic.count)}): её можно выбрать "
            "в фильтре «тема»")


def _publications(count: int) -> str:
    """`count` публикация in the form a Russian number takes."""
    return f"{count} {plural(count, 'публикация', 'публикации', 'публикаций')}"


def years_without_publications(years: Iterable[int], facet_values: Callable[[], dict]
                               ) -> list[str]:
    """A year the query names (`в прошлом году`, `2025`) that no publication was
    published in: only texts that mention it can be found, which a librarian hunting
    that year's report should be told."""
    published = {v.value for v in facet_values().get("year", ())}
    return [f"публикаций {year} года в картотеке нет: ищутся только упоминания {year} года"
            for year in years if str(year) not in published]


def years_outside_the_period(request: SearchRequest, unknown: tuple[str, ...]) -> list[str]:
    """A year filter that the date period leaves no day of: the answer is empty by the
    filters alone, which a librarian combining both would not see otherwise. (A year no
    publication has is said so already: `unknown`.)"""
    low = request.date_from or dt.date.min
    high = request.date_to or dt.date.max
    outside = [y for y in request.years
               if dt.date(y, 12, 31) < low or dt.date(y, 1, 1) > high]
    if not outside or len(outside) < len(request.years):
        return []
    outside = [y for y in outside if str(y) not in unknown]
    if not outside:
        return []
    period = " ".join(part for part in (
        f"с {low:%d.%m.%Y}" if request.date_from else "",
        f"по {high:%d.%m.%Y}" if request.date_to else "") if part)
    years = ", ".join(map(str, outside))
    return [f"{'год' if len(outside) == 1 else 'годы'} {years} вне периода {period}"]
