"""Did-you-mean from the index's own vocabulary: typos and wrong keyboard layout."""

from __future__ import annotations

from dataclasses import dataclass

from search.analysis import STOP_WORDS, WORD_RE
from search.morph import NAME_MARK, fold_yo, get_analyzer, index_lemmas, is_cyrillic, readings

__all__ = ["Correction", "suggest_correction", "from_latin_layout", "edit_distance"]

_LAT = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYR = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LAYOUT = str.maketrans(
    _LAT + "".join(c.upper() for c in _LAT if c.isalpha()),
    _CYR + "".join(r.upper() for c, r in zip(_LAT, _CYR, strict=True) if c.isalpha()))
_FIELD = "body"  # the lemma vocabulary; corrections are inflected back like the word typed


def from_latin_layout(text: str) -> str:
    """Text typed on a Latin layout meaning Russian: `,b,kbjntrf` -> `библиотека`."""
    return text.translate(_LAYOUT)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(frozen=True)
class Correction:
    text: str
    confident: bool
    layout: bool = False


def _known(reader, word: str) -> bool:
    """Known through any of its lemmas (a rarer inflection is not a typo)."""
    return any(reader.doc_frequency(field, lemma) > 0
               for lemma in index_lemmas(word) for field in ("body", "title"))


def _inflected_like(lemma: str, word: str) -> str:
    """The form of `lemma` closest to `word`: `библиотека` for `библеотеками` -> `библиотеками`."""
    if not is_cyrillic(lemma):
        return lemma
    forms = {lemma}
    for parse in get_analyzer().parse(lemma):
        if fold_yo(parse.normal_form) == lemma:
            forms.update(fold_yo(p.word) for p in parse.lexeme)
            break
    return min(sorted(forms), key=lambda form: edit_distance(word, form))


def _best_typo_fix(reader, word: str) -> tuple[str, int] | None:
    """The nearest word the index knows: lemmas near the word or near its guessed lemmas."""
    maxdist = 1 if len(word) <= 5 else 2
    probes = [word] + [r.lemma for r in readings(word) if r.lemma != word][:2]
    candidates = []
    seen: set[str] = set()
    for probe in probes:
        for term in reader.terms_within(_FIELD, probe, maxdist, prefix=1):
            if isinstance(term, bytes):
                term = term.decode("utf-8")
            if term in seen or term.startswith(NAME_MARK):
                continue
            seen.add(term)
            form = _inflected_like(term, word)
            dist = edit_distance(word, form)
            if 0 < dist <= maxdist:
                candidates.append((dist, -reader.doc_frequency(_FIELD, term), form))
    if not candidates:
        return None
    dist, _, form = min(candidates)
    return form, dist


def suggest_correction(reader, query: str) -> Correction | None:
    """A corrected query when some words are unknown to the index, else None."""
    words = [m.group() for m in WORD_RE.finditer(query)]
    if not words and any(c in query for c in ",.;'[]`"):
        words = [query.strip()]
    whole = query.strip()
    latin_letters = sum(c.isascii() and (c.isalpha() or c in ",.;'[]`") for c in whole)
    if whole and not is_cyrillic(whole) and latin_letters == len(whole.replace(" ", "")):
        mapped = from_latin_layout(whole)
        mapped_words = [fold_yo(w.lower()) for w in WORD_RE.findall(mapped)]
        content = [w for w in mapped_words if w not in STOP_WORDS]  # stop words are not indexed
        if content and all(_known(reader, w) for w in content):
            return Correction(mapped, True, layout=True)
    changed, confident, out = False, True, query
    for word in words:
        low = fold_yo(word.lower())
        if len(low) < 4 or low in STOP_WORDS or not is_cyrillic(low) or _known(reader, low):
            continue  # stop words are never indexed, so they are not typos
        fix = _best_typo_fix(reader, low)
        if fix is None:
            continue
        term, dist = fix
        out = out.replace(word, term, 1)
        changed = True
        confident = confident and (dist == 1 or len(low) >= 8)
    if not changed:
        return _joined_words(reader, query, words)
    return Correction(out, confident)


def _joined_words(reader, query: str, words: list[str]) -> Correction | None:
    """Two words the index knows as one: `медиа грамотность` -> `медиаграмотность`."""
    for first, second in zip(words, words[1:], strict=False):
        for glue in ("", "-"):
            joined = fold_yo(f"{first}{glue}{second}".lower())
            if len(joined) >= 6 and is_cyrillic(joined) and _known(reader, joined):
                fixed = query.replace(f"{first} {second}", f"{first}{glue}{second}", 1)
                if fixed != query:
                    return Correction(fixed, True)
    return None
