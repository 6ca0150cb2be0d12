"""Snippets cut at word edges, wherever the best match stands."""

from __future__ import annotations

import html

from hypothesis import example, given
from hypothesis import strategies as st

from search.highlight import make_snippet

_WORD = st.tuples(st.text(alphabet="абвгдежзиклмнопрстуф", min_size=1, max_size=14),
                  st.sampled_from([" ", " ", " ", "\n", ": ", ", "]))


@given(st.lists(_WORD, min_size=1, max_size=160), st.data())
@example([("Второго", " "), ("апреля", " "), ("в", " "), ("библиотеке", " ")], None)
def test_a_snippet_begins_and_ends_with_whole_words(pieces, data):
    """`… рого апреля в библиотеке` had cut the first word of a text (no space before
    it), and a word after a line break."""
    words = [f"{w}{n}" for n, (w, _) in enumerate(pieces)]  # each distinct: a cut one is no word
    text = "".join(w + sep for w, (_, sep) in zip(words, pieces, strict=True))
    target = len(words) - 1 if data is None else data.draw(
        st.integers(0, len(words) - 1), label="target")
    snippet = make_snippet(text, frozenset(), frozenset({words[target].lower()}))
    plain = html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))
    shown = plain.removeprefix("… ").removesuffix(" …")
    tokens = [t.strip(":,") for t in shown.split()]
    assert tokens and all(t in words for t in tokens), (snippet, words[target])


def test_a_very_long_word_beside_a_known_one_is_marked_without_failing(service):
    """A word of 2,000 letters (a paste gone wrong) beside `библиотека`: nothing has both,
    so the relaxed result's snippets are made with both in the pattern; the pattern's
    letter trie once recursed a level per letter, past Python's limit (a 500)."""
    from search.models import SearchRequest

    result = service.search(SearchRequest(q="библиотека " + "я" * 2000))
    assert result.relaxed and result.hits
    assert "<mark>" in result.hits[0].snippet
