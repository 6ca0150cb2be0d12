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

# (normal form, score, whether the tag is a name's) of each reading, in pymorphy3's order
Parses = list[tuple[str, float, bool]]


def dictionary_parser(analyzer, name_grammemes: frozenset[str]) -> Callable[[str], Parses | None]:
    """A function giving a lowercase word's dictionary readings, or None when the word
    is unknown or a single letter (or this pymorphy3 is not laid out as expected).

    A reading's tag is looked at only by its number in the tag table: its text (for the
    probability) and whether it holds one of `name_grammemes` are computed once per tag,
    not hashed and formatted per word (a pymorphy3 tag hashes and prints in Python).
    The normal form is DictionaryAnalyzer's build_normal_form, inlined."""
    try:
        dictionary = analyzer.dictionary
        similar_items = dictionary.words.similar_items
        paradigms, suffixes = dictionary.paradigms, dictionary.suffixes
        prefixes = dictionary.paradigm_prefixes
        tags = dictionary.gramtab
        substitutes = analyzer.char_substitutes
        estimator = analyzer.prob_estimator
        probabilities = estimator.p_t_given_w if estimator is not None else None
        get, multiplier = probabilities.get, probabilities.MULTIPLIER
        tag_texts = [f":{tag}" for tag in tags]
        tag_is_name = [bool(name_grammemes & tag.grammemes) for tag in tags]
    except AttributeError:
        return lambda word: None

    def parse(word: str) -> Parses | None:
        if len(word) < 2:
            return None
        items = similar_items(word, substitutes)
        if not items:
            return None
        found = []
        for fixed, parses in items:
            for para_id, idx in parses:
                paradigm = paradigms[para_id]
                size = len(paradigm) // 3
                if idx == 0:
                    normal = fixed
                else:
                    prefix, suffix = prefixes[paradigm[2 * size + idx]], suffixes[paradigm[idx]]
                    normal = (prefixes[paradigm[2 * size]]
                              + fixed[len(prefix):len(fixed) - len(suffix)]
                              + suffixes[paradigm[0]])
                found.append((paradigm[size + idx], normal))
        probs = [get(word + tag_texts[tag], 0) / multiplier for tag, _ in found]
        if sum(probs) == 0:  # ProbabilityEstimator.apply_to_parses: normalized estimates
            k = 1.0 / len(found)
            return [(normal, 1.0 * k, tag_is_name[tag]) for tag, normal in found]
        scored = [(normal, p, tag_is_name[tag])
                  for (tag, normal), p in zip(found, probs, strict=True)]
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
        dictionary = analyzer.dictionary
        similar_items = dictionary.words.similar_items
        build_normal_form = dictionary.build_normal_form
        paradigms, suffixes = dictionary.paradigms, dictionary.suffixes
        prefixes = dictionary.paradigm_prefixes
        substitutes = analyzer.char_substitutes
    except AttributeError:
        return lambda word: None

    def lexemes(word: str) -> Lexemes | None:
        if len(word) < 2:
            return None
        items = similar_items(word, substitutes)
        if not items:
            return None
        out = []
        for fixed, parses in items:
            for para_id, idx in parses:
                paradigm = paradigms[para_id]
                size = len(paradigm) // 3
                prefix, suffix = prefixes[paradigm[2 * size + idx]], suffixes[paradigm[idx]]
                stem = fixed[len(prefix):len(fixed) - len(suffix)]  # DictionaryAnalyzer's
                out.append((build_normal_form(para_id, idx, fixed),
                            [prefixes[paradigm[2 * size + i]] + stem + suffixes[paradigm[i]]
                             for i in range(size)]))
        return out

    return lexemes
