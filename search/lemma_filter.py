"""Which words may have a wanted lemma, decided without parsing them: a rebuild's topic
analysis parses only those (search/topics.py, search/bulk_analysis.py `wanted`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from search.morph import NAME_MARK, fold_yo, get_analyzer

__all__ = ["lemma_filter"]


def lemma_filter(lemmas: Iterable[str]) -> Callable[[str], bool]:
    """A test, without parsing, of whether a lowercase Cyrillic word (ё folded) may have
    one of `lemmas` (name marks allowed) among its readings.

    It passes every form of the dictionary lexemes whose normal form is one of them,
    one-letter words (abbreviated names), and the words pymorphy3's dictionary does not
    know whose beginning one of them shares. A known word it rejects has dictionary
    parses only, each of a lexeme whose normal form is its lemma, and none of those
    lexemes is listed: so none of its readings is wanted. An unknown word is parsed by
    prediction, which changes at most its last `max_suffix_length` letters (after a
    paradigm's prefix, `наи-`), or puts a prefix before a known word: its lemma keeps the
    word's beginning. (Of the real corpus's 21,000 unknown Cyrillic words, 1 in 20
    passes, and so does each of the 3 whose readings hold a topic's lemma: `вебинар`,
    `детско`, `роден`.)
    """
    analyzer = get_analyzer()
    forms: set[str] = set()
    plain = {lemma.removeprefix(NAME_MARK) for lemma in lemmas}
    for lemma in plain:
        forms.add(lemma)
        for parse in analyzer.parse(lemma):
            if fold_yo(parse.normal_form) == lemma:
                forms.update(fold_yo(form.word) for form in parse.lexeme)
    known = analyzer.word_is_known
    beginnings = {lemma[:i] for lemma in plain for i in range(len(lemma) + 1)}
    changed = _max_predicted_suffix(analyzer)
    # what a paradigm may put before a form of its lemma (`наибольший`: `большой`)
    prefixes = tuple(getattr(analyzer.dictionary, "paradigm_prefixes", ("", "по", "наи")))

    def may_be_predicted(word: str) -> bool:
        for prefix in prefixes:
            if word.startswith(prefix):
                rest = word[len(prefix):]
                if rest[:max(2, len(rest) - changed)] in beginnings:
                    return True
        return False

    from search.compounds import COMBINING  # a compound's head is indexed too

    def may_have(word: str) -> bool:
        if word in forms or len(word) < 2 or (not known(word) and may_be_predicted(word)):
            return True
        return word.startswith(COMBINING) and any(
            may_have(word[len(part):]) for part in COMBINING
            if word.startswith(part) and len(word) > len(part) + 1)

    return may_have


def _max_predicted_suffix(analyzer) -> int:
    """How many of a word's last letters pymorphy3's prediction may change."""
    meta = analyzer.dictionary.meta
    for key in ("compile_options", "prediction_options"):
        try:
            return int(meta[key]["max_suffix_length"])
        except (KeyError, TypeError, ValueError):
            continue
    return 5
