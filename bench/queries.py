"""A fixed, seeded set of search-box queries drawn from the corpus's own words.

Kinds, in fixed proportions: one word (popular words more often, as in a search box),
2-3 words from one sentence, a quoted 2-3 word phrase; about a third carry a facet
filter (a topic or a year that occurs in the corpus).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.corpus import load_records
from search.analysis import STOP_WORDS, WORD_RE

__all__ = ["BenchQuery", "make_queries", "save_queries"]

_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_CYR = re.compile(r"^[а-яё-]+$")


@dataclass(frozen=True)
class BenchQuery:
    q: str
    kind: str
    topics: tuple[str, ...] = ()
    years: tuple[int, ...] = field(default_factory=tuple)

    @property
    def filters(self) -> dict:
        return {"topic": self.topics, "year": tuple(str(y) for y in self.years)}


def _content_words(text: str) -> list[str]:
    return [w for w in (m.group().lower() for m in WORD_RE.finditer(text))
            if len(w) >= 4 and _CYR.match(w) and w.replace("ё", "е") not in STOP_WORDS]


def make_queries(corpus_files: list[Path], n: int = 600, seed: int = 5) -> list[BenchQuery]:
    """`n` queries, the same for the same corpus and seed."""
    rng = random.Random(seed)
    records = [r for f in corpus_files for r in load_records(f)]
    sample = rng.sample(records, min(len(records), 3000))
    freq = Counter(w for r in sample for w in _content_words(r.get("text") or ""))
    popular = [w for w, _ in freq.most_common(4000)]
    weights = [freq[w] ** 0.75 for w in popular]
    sentences = [s for r in sample for s in _SENTENCE.split((r.get("text") or "").replace("\n", " "))
                 if len(_content_words(s)) >= 3]
    topics = [r["topic"] for r in records if r.get("topic")]
    years = [int(r["date"][:4]) for r in records if r.get("date")]
    out = []
    for i in range(n):
        kind = ("word", "words", "words", "phrase", "word")[i % 5]
        if kind == "word" or not sentences:
            q, kind = rng.choices(popular, weights)[0], "word"
        elif kind == "words":
            words = _content_words(rng.choice(sentences))
            q = " ".join(rng.sample(words, min(len(words), rng.choice((2, 3)))))
        else:
            tokens = [m.group() for m in WORD_RE.finditer(rng.choice(sentences))]
            size = rng.choice((2, 3))
            start = rng.randrange(max(1, len(tokens) - size + 1))
            q = '"' + " ".join(tokens[start:start + size]).lower() + '"'
        roll = rng.random()
        if roll < 0.2 and topics:
            out.append(BenchQuery(q, kind + "+topic", topics=(rng.choice(topics),)))
        elif roll < 0.33 and years:
            out.append(BenchQuery(q, kind + "+year", years=(rng.choice(years),)))
        else:
            out.append(BenchQuery(q, kind))
    return out


def save_queries(queries: list[BenchQuery], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(q) for q in queries], ensure_ascii=False, indent=1),
                    encoding="utf-8")
