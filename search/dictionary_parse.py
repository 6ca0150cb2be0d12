"""pymorphy3's parse of a word its dictionary knows, without its objects.

MorphAnalyzer.parse runs every analyzer unit, builds a tuple, a method stack and a Parse
object per reading, and then the probability estimator: about 20 µs a word, a quarter
of a first rebuild's analysis. For a known word of two letters or more, only the
dictionary unit answers (the abbreviation units take single letters, and the next unit
ends the search). Here the same dictionary lookup, normal forms, tags and P(tag|word)
scores are taken directly, in pymorphy3's order: ~11 µs. Any other word returns None and
goes through the full parse. tests/test_morph.py compares both on every word of the
sample and on generated words.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["dictionary_parser"]

# (tag, normal form, score) of each reading, in pymorphy3's order
Parses = list[tuple[object, str, float]]


def dictionary_parser(analyzer) -> Callable[[str], Parses | None]:
    """A function giving a lowercase word's dictionary readings, or None when the word
    is unknown or a single letter (or this pymorphy3 is not laid out as expected)."""
    try:
        dictionary = analyzer.dictionary
        similar_items = dictionary.words.similar_items
        build_tag, build_normal_form = dictionary.build_tag_info, dictionary.build_normal_form
        substitutes = analyzer.char_substitutes
        estimator = analyzer.prob_estimator
        probabilities = estimator.p_t_given_w if estimator is not None else None
        get, multiplier = probabilities.get, probabilities.MULTIPLIER
    except AttributeError:
        return lambda word: None

    def parse(word: str) -> Parses | None:
        if len(word) < 2:
            return None
        items = similar_items(word, substitutes)
        if not items:
            return None
        found = [(build_tag(para_id, idx), build_normal_form(para_id, idx, fixed))
                 for fixed, parses in items for para_id, idx in parses]
        probs = [get(f"{word}:{tag}", 0) / multiplier for tag, _ in found]
        if sum(probs) == 0:  # ProbabilityEstimator.apply_to_parses: normalized estimates
            k = 1.0 / len(found)
            return [(tag, normal, 1.0 * k) for tag, normal in found]
        scored = [(tag, normal, p) for (tag, normal), p in zip(found, probs, strict=True)]
        scored.sort(key=lambda item: item[2], reverse=True)
        return scored

    return parse
