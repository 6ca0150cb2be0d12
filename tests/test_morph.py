"""search.morph's readings against pymorphy3's own parse (search/dictionary_parse.py
takes a shortcut for dictionary words)."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import WORD_RE
from search.dictionary_parse import dictionary_lexemes, dictionary_parser
from search.highlight_patterns import surface_forms
from search.morph import (
    NAME_TAGS,
    Reading,
    _parse,
    _surname_of_a_name,
    fold_yo,
    get_analyzer,
    is_cyrillic,
    readings,
)
from search.settings import SAMPLE_DIR
from search.spelling import is_dictionary_word


def _through_pymorphy(word: str) -> tuple[Reading, ...]:
    """The readings from MorphAnalyzer.parse itself, summed per lemma."""
    scores: dict[str, list] = {}
    for parse in get_analyzer().parse(word):
        entry = scores.setdefault(fold_yo(parse.normal_form), [0.0, 0.0])
        entry[1 if NAME_TAGS & parse.tag.grammemes else 0] += parse.score
    out = [Reading(lemma, common + name, name > common, name)
           for lemma, (common, name) in scores.items()]
    out += _surname_of_a_name(fold_yo(word), out)  # our one addition (test_people_search)
    out.sort(key=lambda r: (-r.score, r.lemma))
    return tuple(out) or (Reading(fold_yo(word), 1.0, False),)


def _sample_words() -> list[str]:
    words: set[str] = set()
    for line in (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for key in ("title", "text", "author"):
            words.update(m.group().lower() for m in WORD_RE.finditer(row.get(key) or ""))
    return sorted(w for w in words if is_cyrillic(w))


def test_readings_equal_pymorphy_on_every_word_of_the_sample():
    words = _sample_words()
    shortcut = dictionary_parser(get_analyzer(), NAME_TAGS)
    assert len(words) > 2000
    assert sum(shortcut(w) is not None for w in words) > len(words) * 0.7  # it is taken
    for word in words:
        assert _parse(word) == _through_pymorphy(word), word


_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя-"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_LETTERS, min_size=1, max_size=12)
       | st.sampled_from(["ёлка", "елка", "надежда", "вере", "стали", "пушкина", "детей",
                          "людьми", "лучше", "прочитанная", "по-моему", "я", "ё", "мы",
                          "кое-где", "ивановой", "москвы", "ковид", "коронавирусом",
                          "ачов", "пересветов"]))
def test_readings_equal_pymorphy_on_any_word(word):
    assert _parse(word) == _through_pymorphy(word)


def test_letters_without_a_unicode_name_are_words_like_others():
    """pymorphy3 asks each letter's Unicode name; U+17000 has none (a fuzzed PUT failed)."""
    from search.people import surnames

    odd = chr(0x17000)
    assert not unicodedata.name(odd, "") and odd.isalpha()
    assert readings(f"{odd}ва")[0].lemma == f"{odd}ва"
    assert surnames(f"{odd}{odd}{odd} Иванова") == f"{odd}{odd}{odd} Иванова"
    assert get_analyzer().parse(odd)


def _forms_through_pymorphy(lemma: str) -> frozenset[str]:
    """Every written form of a lemma from pymorphy3's Parse.lexeme (what
    search/highlight.py's surface_forms gave before it read the paradigms directly)."""
    forms = {lemma}
    if not is_cyrillic(lemma):
        return frozenset(forms)
    for parse in get_analyzer().parse(lemma):
        if fold_yo(parse.normal_form) != lemma:
            continue
        try:
            forms.update(fold_yo(form.word) for form in parse.lexeme)
        except (ValueError, IndexError, KeyError):
            continue
    return frozenset(forms)


def test_surface_forms_equal_pymorphy_lexemes_on_every_lemma_of_the_sample():
    lemmas = sorted({r.lemma for word in _sample_words() for r in readings(word)})
    read_directly = dictionary_lexemes(get_analyzer())
    assert sum(read_directly(lemma) is not None for lemma in lemmas) > len(lemmas) * 0.7
    for lemma in lemmas:
        assert surface_forms.__wrapped__(lemma) == _forms_through_pymorphy(lemma), lemma


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_LETTERS, min_size=1, max_size=12)
       | st.sampled_from(["ёлка", "елка", "человек", "хороший", "идти", "быть", "я", "ё",
                          "кое-где", "нью-йорк", "пушкин", "надежда", "ковид"]))
def test_surface_forms_equal_pymorphy_lexemes_on_any_word(word):
    lemma = fold_yo(word)
    assert surface_forms.__wrapped__(lemma) == _forms_through_pymorphy(lemma)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_LETTERS + "ЕЁА", min_size=0, max_size=12)
       | st.sampled_from(["ёлка", "елка", "Елка", "ЗЕЛЕНЫЙ", "зелёный", "ещё", "еще", "е"]))
def test_dictionary_words_are_those_pymorphy_knows(word):
    """search/spelling.py asks pymorphy3's word list itself (a typo's neighbours ask ~500
    times a query): the same answer as MorphAnalyzer.word_is_known, ё read in е too."""
    assert is_dictionary_word(word) == get_analyzer().word_is_known(word)


def test_dictionary_words_of_the_sample_and_their_slips_are_those_pymorphy_knows():
    words = _sample_words()
    slips = [w[:i] + c + w[i + 1:] for w in words[::7] for i in range(len(w)) for c in "еёоа"]
    assert all(is_dictionary_word(w) == get_analyzer().word_is_known(w)
               for w in words + slips)
