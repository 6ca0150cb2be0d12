"""Spelling-correction latency and accuracy over distinct misspelled words.

    python -m bench.spelling                  # the real corpus, 200 misspelled words

Words of 5+ letters are drawn (seeded) from the corpus's titles and texts; each gets one
typing slip of a kind people make: a neighbouring key, a missing or doubled letter, two
letters swapped. Each distinct misspelling is then corrected once, cold for that word,
with `suggest_correction` against the index (the lexicon is loaded first, as a worker
does on its first typo), and once through the whole `SearchService.search` (the path a
search box takes: search, correct, search again). Reports p50/p95/p99/max of both, and
how often the correction gives back the word that was misspelled. Each misspelling is
also corrected capitalized, as a phone types a first word (`Празник`): such a word may
be a name, so it is only offered, never applied; reported the same way. The words
misspelled are then typed in Latin letters (`in_latin`: the passport's way or a
habitual one, soft signs left out) and read back, reported the same way. Writes
bench/out/spelling.json.
"""

from __future__ import annotations

import random
import re
import time

from bench.corpus import load_records, prepare
from bench.indexes import ensure_indexes
from bench.report import common_parser, conditions, percentiles, print_conditions, write_result

__all__ = ["main", "misspellings"]

_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_NEIGHBOUR = {a: [b for row in _ROWS for i, c in enumerate(row) if c == a
                  for b in row[max(0, i - 1):i] + row[i + 1:i + 2]] for row in _ROWS for a in row}
_WORD = re.compile(r"[а-яё]{5,}")


def misspellings(records: list[dict], count: int, seed: int) -> list[tuple[str, str]]:
    """(misspelled, original) pairs, all misspellings distinct and none a corpus word."""
    rng = random.Random(seed)
    vocabulary: set[str] = set()
    for record in records:
        vocabulary.update(_WORD.findall(f"{record.get('title', '')} {record.get('text', '')}"
                                        .lower()))
    words = sorted(vocabulary)
    rng.shuffle(words)
    out: dict[str, str] = {}
    for word in words:
        typo = _slip(word, rng)
        if typo and typo not in vocabulary and typo not in out:
            out[typo] = word
        if len(out) == count:
            break
    return list(out.items())


def _slip(word: str, rng: random.Random) -> str | None:
    i = rng.randrange(1, len(word) - 1)  # the first letter is rarely wrong
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour" and _NEIGHBOUR.get(word[i]):
        return word[:i] + rng.choice(_NEIGHBOUR[word[i]]) + word[i + 1:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return None


# Two ways people write Russian in Latin letters: the passport's (ICAO) and a habitual one.
_PASSPORT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", (
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y - e iu ia").split(), strict=True))
_HABIT = {**_PASSPORT, "й": "y", "ю": "yu", "я": "ya", "х": "h", "ъ": "-", "ё": "yo"}


def in_latin(word: str, rng: random.Random) -> str:
    """`word` as someone types it in Latin letters, the soft and hard signs left out."""
    table = rng.choice((_PASSPORT, _HABIT))
    return "".join(table.get(c, c) for c in word).replace("-", "")


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("spelling", __doc__)
    parser.add_argument("--words", type=int, default=200, help="misspelled words (default 200)")
    args = parser.parse_args(argv)
    from search.correction import suggest_correction
    from search.models import SearchRequest
    from search.searcher import SearchService
    from search.settings import Settings

    corpus = prepare(args.corpus, args.docs, args.seed, args.out)
    cond = conditions(corpus.describe())
    print_conditions("spelling", cond)
    ours, _ = ensure_indexes(corpus, args.out, baseline=False)
    pairs = misspellings(load_records(args.corpus), 20 if args.quick else args.words, args.seed)
    service = SearchService(Settings.from_env({}, index_dir=ours))
    lexicon = service.view().spelling  # loaded once per generation, as a worker does
    correct_ms, search_ms, fixed, changed = [], [], 0, 0
    capital_ms, offered, offered_back = [], 0, 0
    for typo, word in pairs:
        t0 = time.perf_counter()
        correction = suggest_correction(lexicon, typo.capitalize())
        capital_ms.append((time.perf_counter() - t0) * 1000)
        offered += correction is not None
        offered_back += correction is not None and correction.text.lower() == word
        t0 = time.perf_counter()
        correction = suggest_correction(lexicon, typo)
        correct_ms.append((time.perf_counter() - t0) * 1000)
        changed += correction is not None
        fixed += correction is not None and correction.text == word
        t0 = time.perf_counter()
        service.search(SearchRequest(q=typo))
        search_ms.append((time.perf_counter() - t0) * 1000)
    rng = random.Random(args.seed)
    latin_ms, latin_changed, latin_back = [], 0, 0
    for _, word in pairs:  # the same words typed in Latin letters
        t0 = time.perf_counter()
        correction = suggest_correction(lexicon, in_latin(word, rng))
        latin_ms.append((time.perf_counter() - t0) * 1000)
        latin_changed += correction is not None
        latin_back += correction is not None and correction.text == word
    result = {"conditions": cond, "words": len(pairs),
              "latin_ms": percentiles(latin_ms), "latin_corrected": latin_changed,
              "latin_back_to_the_word": latin_back,
              "correction_ms": percentiles(correct_ms), "search_ms": percentiles(search_ms),
              "corrected": changed, "back_to_the_word": fixed,
              "capitalized_ms": percentiles(capital_ms), "capitalized_offered": offered,
              "capitalized_back_to_the_word": offered_back}
    for name in ("correction_ms", "search_ms", "capitalized_ms", "latin_ms"):
        p = result[name]
        print(f"{name:14} p50 {p['p50']:.1f}  p95 {p['p95']:.1f}  p99 {p['p99']:.1f}  "
              f"max {p['max']:.1f} ms")
    print(f"{len(pairs)} misspelled words: {changed} corrected, {fixed} back to the word typed "
          f"({fixed / max(1, len(pairs)):.0%})")
    print(f"capitalized: {offered} offered or corrected, {offered_back} back to the word typed "
          f"({offered_back / max(1, len(pairs)):.0%})")
    print(f"in Latin letters: {latin_changed} read in Cyrillic, {latin_back} back to the word "
          f"({latin_back / max(1, len(pairs)):.0%})")
    write_result(args.out, "spelling", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
