"""pymorphy3's parse of a word its dictionary knows, without its objects.

MorphAnalyzer.parse runs every analyzer unit, builds a tuple, a method stack and a Parse
object per reading, and then the probability estimator: about 20 µs a word, a quarter
of a first rebuild's analysis. For a known word of two letters or more, only the
dictionary unit answers (the abbreviation units take single letters, and the next unit
ends the search). Here the same dictionary lookup, normal forms, tags and P(tag|word)
scores are taken directly, in pymorphy3's order: ~6 µs. Any other word returns None and
goes through the full parse. tests/test_morph.py compares both on every word of the
sample and on generated words.

`dictionary_lexemes` does the same for the forms of a lemma's paradigms, which snippets
mark (search/highlight.py): the forms are the paradigm's prefixes and suffixes around the
stem, as pymorphy3's DictionaryAnalyzer.get_lexeme builds them, without its tags.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["dictionary_parser", "dictionary_lexemes"]

# (paradigm, its size, the form's index in it, stem, normal form) of each reading
Readings = list[tuple[object, int, int, str, str]]


class _Dictionary:
    """pymorphy3's dictionary tables, and a word's readings in them, in pymorphy3's order.
    Raises AttributeError when this pymorphy3 is not laid out as expected."""

    def __init__(self, analyzer):
        dictionary = analyzer.dictionary
        self._similar_items = dictionary.words.similar_items
        self._substitutes = analyzer.char_substitutes
        self.paradigms, self.suffixes = dictionary.paradigms, dictionary.suffixes
        self.prefixes = dictionary.paradigm_prefixes
        self.tags = dictionary.gramtab

    def readings(self, word: str) -> Readings | None:
        """None when the word is unknown or a single letter. The stem and the normal form
        are DictionaryAnalyzer's build_stem and build_normal_form, inlined."""
        if len(word) < 2:
            return None
        items = self._similar_items(word, self._substitutes)
        if not items:
            return None
        paradigms, prefixes, suffixes = self.paradigms, self.prefixes, self.suffixes
        out = []
        for fixed, parses in items:
            for para_id, idx in parses:
                paradigm = paradigms[para_id]
                size = len(paradigm) // 3
                prefix, suffix = prefixes[paradigm[2 * size + idx]], suffixes[paradigm[idx]]
                stem = fixed[len(prefix):len(fixed) - len(suffix)]
                normal = fixed if idx == 0 else (
                    prefixes[paradigm[2 * size]] + stem + suffixes[paradigm[0]])
                out.append((paradigm, size, idx, stem, normal))
        return out


# (normal form, score, whether the tag is a name's) of each reading, in pymorphy3's order
Parses = list[tuple[str, float, bool]]


def dictionary_parser(analyzer, name_grammemes: frozenset[str]) -> Callable[[str], Parses | None]:
    """A function giving a lowercase word's dictionary readings, or None when the word
    is unknown or a single letter (or this pymorphy3 is not laid out as expected).

    A reading's tag is looked at only by its number in the tag table: its text (for the
    probability) and whether it holds one of `name_grammemes` are computed once per tag,
    not hashed and formatted per word (a pymorphy3 tag hashes and prints in Python)."""
    try:
        tables = _Dictionary(analyzer)
        estimator = analyzer.prob_estimator
        probabilities = estimator.p_t_given_w if estimator is not None else None
        get, multiplier = probabilities.get, probabilities.MULTIPLIER
        tag_texts = [f":{tag}" for tag in tables.tags]
        tag_is_name = [bool(name_grammemes & tag.grammemes) for tag in tables.tags]
    except AttributeError:
        return lambda word: None
    readings = tables.readings

    def parse(word: str) -> Parses | None:
        found = readings(word)
        if found is None:
            return None
        tags = [paradigm[size + idx] for paradigm, size, idx, _stem, _normal in found]
        probs = [get(word + tag_texts[tag], 0) / multiplier for tag in tags]
        if sum(probs) == 0:  # ProbabilityEstimator.apply_to_parses: normalized estimates
            k = 1.0 / len(found)
            return [(r[4], 1.0 * k, tag_is_name[tag]) for r, tag in zip(found, tags, strict=True)]
        scored = [(r[4], p, tag_is_name[tag])
                  for r, tag, p in zip(found, tags, probs, strict=True)]
        scored.sort(key=_score, reverse=True)
        return scored

    return parse


def _score(parse: tuple[str, float, bool]) -> float:
    return parse[1]


# (normal form, every written form of its paradigm) of each dictionary reading
Lexemes = list[tuple[str, list[str]]]


def dictionary_lexemes(analyzer) -> Callable[[str], Lexemes | None]:
    """A function giving, for each dictionary reading of a lowercase word, its normal form
    and every form of its paradigm: what `parse.lexeme` gives for each of
    `analyzer.parse(word)`, without building a tag and a Parse per form (~0.1 ms a word
    there). None when the word is unknown or a single letter, as `dictionary_parser`."""
    try:
        tables = _Dictionary(analyzer)
    except AttributeError:
        return lambda word: None
    prefixes, suffixes, readings = tables.prefixes, tables.suffixes, tables.readings

    def lexemes(word: str) -> Lexemes | None:
        found = readings(word)
        if found is None:
            return None
        return [(normal, [prefixes[paradigm[2 * size + i]] + stem + suffixes[paradigm[i]]
                          for i in range(size)])
                for paradigm, size, _idx, stem, normal in found]

    return lexemes
