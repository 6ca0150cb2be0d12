"""What a plain query matches: how many of its content words a publication must hold,
in the full matches, the relaxed ones and the partial block (search/query.py builds the
nodes; search/engine/whoosh/scoring.py enforces a minimum Whoosh ignores).
"""

from __future__ import annotations

import math

__all__ = ["required_words", "relaxed_words", "supplement_words", "SHORT_QUERY_WORDS",
           "MIN_SHOULD_MATCH", "SUPPLEMENT_SHOULD_MATCH"]

# What a plain query matches (the README's query table says the same):
#   up to SHORT_QUERY_WORDS content words: every word (in any inflection or synonym);
#   longer questions: at least required_words(n) of them, enforced by search/engine/whoosh/scoring.py;
#   when that matches nothing, the relaxed rule: any of them (relaxed_words(n) = 1),
#   ranked by BM25F, so the rarer words a publication holds count most, as in a plain
#   engine; under a few full matches, a supplement of those holding at least
#   supplement_words(n) of them.
# Up to six words, every one (three quarters from four words on, before session 38):
# a publication missing one of a question's words is shown in the labelled partial
# block under fewer than 10 full matches, or relaxed when there are none, ranked there
# by the rarer words it holds; admitted as a full match, a long text naming four of five
# words anywhere (`как работала библиотека во время пандемии коронавируса`: an article
# about cadres of culture) ranked above them. On the 180 tuning queries (blind dev,
# fresh, third) nDCG@10 0.844 -> 0.848, every set up (dev 0.893 -> 0.895, fresh 0.842 ->
# 0.845, third 0.794 -> 0.802), the old set 0.943 -> 0.945; 16 queries up, 11 down.
SHORT_QUERY_WORDS = 6
MIN_SHOULD_MATCH = 0.85  # of a long question's words: 7 -> 6, 8 -> 7, 10 -> 9
# Of the words a supplement under a few full matches needs. The relaxed rule, when
# nothing matches, takes any word: on the blind dev half, half the words (the old rule)
# let question words ("посоветуете почитать") outvote the one word that mattered;
# any word raised dev nDCG@10 0.864 -> 0.875 and MRR 0.958 -> 0.992 (bench/RESULTS.md).
# The supplement takes a third of the words (half before session 39): one of three, two
# of four to six. Under a few full matches of a three-word query, one word of three,
# ranked by BM25F, brought in what half did not (`фантастика для подростков новинки`:
# the reading lists without «новинки», 0.09 -> 0.48); on the 180 tuning queries 0.848 ->
# 0.850 (dev 0.895 -> 0.897, fresh 0.845 -> 0.849, third 0.802 -> 0.800), old set 0.945 ->
# 0.948; 14 queries up, 9 down. Any word (as relaxed) gave the same there.
SUPPLEMENT_SHOULD_MATCH = 1 / 3


def required_words(n: int) -> int:
    """How many of a plain query's n content words a publication must contain."""
    return n if n <= SHORT_QUERY_WORDS else math.ceil(n * MIN_SHOULD_MATCH)


def relaxed_words(n: int) -> int:
    """How many of them a partial match needs, shown only when nothing meets the rule."""
    return 1


def supplement_words(n: int) -> int:
    """How many of them a partial match shown under a few full matches needs."""
    return max(1, math.ceil(n * SUPPLEMENT_SHOULD_MATCH))
