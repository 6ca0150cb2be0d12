"""The word finders of a snippet find what the regular expressions they replaced found."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from search.highlight_patterns import matched_spans, query_patterns
from search.word_finders import MARKS, AnyOf, StartFinder, WordFinder, start_finder

_EDGE = rf"[\w{MARKS}]"
# letters, a digit, the underscore, a hyphen, a stress mark, the soft hyphen, spaces
_TEXT = st.text(alphabet="абвгвыстаки1_-\u0301\u00ad «»", max_size=60)
# A start or word is a word's beginning: never one ending in a hyphen, which a query's word
# never is (with both «с» and «с-» among the starts, a regular expression's alternation
# took «с-» of a text «с-» whole, the finders the word «с»: hypothesis found it, once).
_PIECE = st.text(alphabet="абвгвыстаки1-", min_size=1, max_size=4).filter(
    lambda piece: not piece.endswith("-"))


def _start_pattern(starts) -> re.Pattern:
    body = "|".join(re.escape(s) for s in starts)
    return re.compile(rf"(?<!{_EDGE})(?:{body})[^\W_]*(?!{_EDGE})")


def _word_pattern(words) -> re.Pattern:
    body = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<!{_EDGE})(?:{body})(?!{_EDGE})")


def _longest(spans) -> list[tuple[int, int]]:
    """The longest span at each place, none overlapping (what matched_spans keeps)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(_PIECE, min_size=1, max_size=3))
def test_start_finder_finds_the_words_a_pattern_of_their_starts_finds(text, starts):
    expected = [m.span() for m in _start_pattern(starts).finditer(text)]
    assert list(StartFinder(starts).spans(text)) == expected  # in text order, as found


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(_PIECE, min_size=1, max_size=6))
def test_many_starts_make_one_pattern_that_finds_the_same(text, starts):
    expected = [m.span() for m in _start_pattern(starts).finditer(text)]
    assert list(start_finder(starts).spans(text)) == expected


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(_PIECE, min_size=1, max_size=3))
def test_word_finder_finds_the_whole_words_a_pattern_finds(text, words):
    assert list(WordFinder(words).spans(text)) == \
        [m.span() for m in _word_pattern(words).finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(_PIECE, min_size=1, max_size=3), st.lists(_PIECE, min_size=1, max_size=3))
def test_any_of_finds_what_one_alternation_finds(text, words, starts):
    both = AnyOf([WordFinder(words), StartFinder(starts)])
    assert list(both.spans(text)) == _longest(
        [m.span() for m in _word_pattern(words).finditer(text)]
        + [m.span() for m in _start_pattern(starts).finditer(text)])


def test_a_word_beside_a_stress_mark_or_an_underscore_is_not_whole():
    text = "выставка \u0301выставка вы\u0301ставка выставка\u0301 _выставка выставка_ выставки"
    assert [text[a:b] for a, b in StartFinder(["выст"]).spans(text)] == ["выставка", "выставки"]
    assert list(WordFinder(["выставка"]).spans(text)) == [(0, 8)]


def test_the_limit_keeps_each_words_first_matches_in_text_order():
    """A long text of one frequent form: the first form of the lemma in the text is still
    among the matches a snippet places its window by."""
    text = "выставка была открыта. " + "она будет работать. " * 320
    spans = matched_spans(text, query_patterns(frozenset({"быть"}), frozenset(), ()), limit=5)
    assert spans[0] == (9, 13, "была")
    prefixes = query_patterns(frozenset(), frozenset(), ("по", "выст"))
    text = "выставка открыта. " + "поэты пишут. " * 320
    assert matched_spans(text, prefixes, limit=5)[0] == (0, 8, "выставка")
