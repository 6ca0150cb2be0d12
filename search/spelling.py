"""Did-you-mean from the index's own vocabulary: typos and wrong keyboard layout."""

from __future__ import annotations

from dataclasses import dataclass

from search.analysis import STOP_WORDS, WORD_RE
from search.morph import fold_yo, index_lemmas, is_cyrillic

__all__ = ["Correction", "suggest_correction", "from_latin_layout", "edit_distance"]

_LAT = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYR = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LAYOUT = str.maketrans(
    _LAT + "".join(c.upper() for c in _LAT if c.isalpha()),
    _CYR + "".join(r.upper() for c, r in zip(_LAT, _CYR, strict=True) if c.isalpha()))
_FIELD = "body_exact"


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
    """Known as written, or through any of its lemmas (a rarer inflection is not a typo)."""
    if reader.doc_frequency(_FIELD, word) > 0 or reader.doc_frequency("title_exact", word) > 0:
        return True
    return any(reader.doc_frequency(field, lemma) > 0
               for lemma in index_lemmas(word) for field in ("body", "title"))


def _best_typo_fix(reader, word: str) -> tuple[str, int] | None:
    maxdist = 1 if len(word) <= 5 else 2
    candidates = []
    for term in reader.terms_within(_FIELD, word, maxdist, prefix=1):
        if isinstance(term, bytes):
            term = term.decode("utf-8")
        dist = edit_distance(word, term)
        if 0 < dist <= maxdist:
            candidates.append((dist, -reader.doc_frequency(_FIELD, term), term))
    if not candidates:
        return None
    dist, _, term = min(candidates)
    return term, dist


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
