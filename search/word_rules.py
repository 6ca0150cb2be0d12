"""How one query word matches besides its lemmas: through its Snowball stem (a
derivation), and through the people field (a surname, or a first name typed with one).
"""

from __future__ import annotations

import re

from search.full_names import optional_given_names, signer_surnames
from search.morph import fold_yo, index_lemmas, is_cyrillic, readings
from search.query_syntax import Word
from search.spelling import is_dictionary_word, is_proper_name
from search.stems import word_stem

__all__ = ["given_name_places", "PEOPLE_BOOST", "STEM_WEIGHT", "FAMILY_WEIGHT", "MIN_STEM", "KIND_LEMMAS", "LIGHT_LEMMAS",
           "COUNTED_LEMMAS", "RECENT_LEMMAS", "asks_for_the_newest", "may_ask_for_the_newest",
           "derivation_stem",
           "signer_alternatives"]

# A word found in the author or signature line: a surname typed finds that person's
# publications, ranked as if the name stood in the body four times over (the line is
# not length-normalized: search/engine/whoosh/ranking.py). 2 ranked what Марина Белова
# signed below the news naming other Беловы on the real corpus; the dev half and the
# old set are the same at 2 and 4 (0.882 / 0.942).
PEOPLE_BOOST = 4.0
# A word matched through its Snowball stem only (search/stems.py), a derivation: a
# fifth of a lemma match in the body.
STEM_WEIGHT = 0.5
# A word matched through another stem of its derivational family (search/derivation.py:
# `краеведение`, «краеведческие чтения»): less than its own stem. At 0.5 «детективный»
# texts rose above «детективы» ones (dev half `детективы` 0.899 -> 0.871, 0.899 at 0.2).
FAMILY_WEIGHT = 0.2
# A shorter stem is no derivation's (`сво` of `своего`, `час` of `часы`): not matched.
# Dev half: 0.882 either way, three queries +0.003 to +0.008, one -0.001.
MIN_STEM = 4
# Words that name what a search of a library's site returns, not what it is about:
# `новости за апрель 2021`, `мероприятия в марте 2021 года`, `статьи о войне`. Beside
# other words they are not required (a report rarely calls itself «новость»), only
# counted; alone, or only with each other, they are what is searched. A librarian's trial
# (session 39): `новости за апрель 2021` found 1 publication, now the 41 of that April.
# The tuning sets have no such query: no change there.
KIND_LEMMAS = frozenset({"новость", "публикация", "статья", "материал", "запись", "пост",
                         "сообщение", "информация", "мероприятие", "событие"})
# The auxiliary and modal words of a question, counted in the same way: they say how
# it is asked, not what about (`когда будет новогодний утренник`, `хочу записать ребенка
# в кружок`, `где можно сдать книги`). «был» and «быть» are stop words, «будет» was
# required: a librarian's trial got 2,154 partial matches instead of the 3 full ones.
LIGHT_LEMMAS = frozenset({"быть", "хотеть", "мочь", "можно", "нужно", "надо"})
COUNTED_LEMMAS = KIND_LEMMAS | LIGHT_LEMMAS  # only counted beside other words
# Words asking for the newest (`последние новости`, `свежие публикации`, `ближайшие
# мероприятия`): with the kinds of publication (and `библиотека`, the site's own) and
# nothing else, such a query is the newest publications first (a librarian's trial:
# `последние новости` ranked ng.ru's «Экологические новости» of 2017 first).
RECENT_LEMMAS = frozenset({"последний", "свежий", "новый", "недавний", "близкий",
                           "актуальный"})
_SITE_LEMMAS = frozenset({"библиотека"})


# The beginnings of RECENT_LEMMAS' and KIND_LEMMAS' forms: a query without both is no
# such query, and is not parsed a second time to find out (a millisecond of a search).
_RECENT_START = re.compile(r"(?i)(?<!\w)(последн|свеж|нов[аоыуе]|недавн|ближайш|близк|актуальн)")
_KIND_START = re.compile(r"(?i)(?<!\w)(новост|публикац|стат[ьей]|материал|запис|пост|"
                         r"сообщен|информац|мероприят|событ)")
_AT_MOST_WORDS = 5


def may_ask_for_the_newest(text: str) -> bool:
    """Whether a query may only ask for the newest of some kind (a cheap first test)."""
    return (len(text.split()) <= _AT_MOST_WORDS and _RECENT_START.search(text) is not None
            and _KIND_START.search(text) is not None)


def asks_for_the_newest(words: list[str]) -> bool:
    """Whether a query's plain words only ask for the newest publications of some kind."""
    lemma_sets = [set(index_lemmas(fold_yo(w.lower()))) for w in words]
    lemma_sets = [s for s in lemma_sets if s]  # stop words
    allowed = KIND_LEMMAS | RECENT_LEMMAS | _SITE_LEMMAS
    return (bool(lemma_sets) and all(s & allowed for s in lemma_sets)
            and any(s & RECENT_LEMMAS for s in lemma_sets)
            and any(s & KIND_LEMMAS for s in lemma_sets))


def given_name_places(children) -> set[int]:
    """search/full_names.py's optional_given_names over a group's words, by their place
    in `children` (none when anything but plain words is typed)."""
    if not all(isinstance(c, Word) and not c.exact and not c.prefix for c in children):
        return set()
    return optional_given_names([c.text for c in children])


def signer_alternatives(children) -> dict[int, tuple[str, ...]]:
    """search/full_names.py over a group's plain words, by their place in `children`:
    the people-field lemmas a first name is also met by."""
    plain = [k for k, c in enumerate(children)
             if isinstance(c, Word) and not c.exact and not c.prefix]
    found = signer_surnames([children[k].text for k in plain])
    return {plain[i]: lemmas for i, lemmas in found.items()}


def _capitalized_name(word: str, folded: str) -> bool:
    """A capitalized word that may be a name of its own (`Говоров`, `Котов`): its stem is
    no derivation of the person's (`говор`, «говорил»). A name that is also a common
    noun of the same lemma (`Надежда`) keeps it."""
    if not word[:1].isupper():
        return False
    if not is_dictionary_word(folded):  # a name the dictionary lacks (`Вершинена`: no «вершина»)
        # unless no reading of it is a name: the first word of a query a phone capitalized,
        # misspelt (`Юридическя`: nothing, where `юридическя` finds «юридическая»)
        return is_proper_name(word)
    found = readings(folded)
    common = {r.lemma for r in found if r.name_score < r.score}
    return any(r.name_score > 0 and r.lemma not in common for r in found)


def _abbreviation(word: str) -> bool:
    """A word typed in capitals (`СВО`, `ЦБС`): an abbreviation, no word's stem
    (`СВО` is not «своего»)."""
    return len(word) > 1 and word.isupper()


def derivation_stem(word: str, folded: str) -> str | None:
    """The stem a word as typed also matches through (`осенний`: «осен»), or None: a
    stem under MIN_STEM letters, an abbreviation in capitals, a capitalized name of
    its own."""
    stemmed = word_stem(folded)
    if (not is_cyrillic(folded) or len(stemmed) < MIN_STEM or _abbreviation(word)
            or _capitalized_name(word, folded)):
        return None
    return stemmed
