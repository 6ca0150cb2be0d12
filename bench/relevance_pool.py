"""Judging pools for the blind set: what the judge sees, with no ranker names.

One JSON line per query: `{qid, query, intent, docs: [{docid, title, date, author, topic,
excerpt}]}`; docs are the union of every ranker's top `depth` and the query writer's
known relevant documents, deduplicated and shuffled with a fixed seed per query.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.rankers import plain_lemma_analyzer
from search.analysis import WORD_RE
from search.morph import fold_yo, is_cyrillic, readings

__all__ = ["excerpt", "pool_entries", "write_pool", "POOL_SEED"]

POOL_SEED = 20261202
HEAD = 400
PASSAGE = 200
PASSAGES = 2


def _cut(text: str, start: int, end: int, floor: int = 0) -> tuple[str, int]:
    """text[start:end] widened to whole words (by at most 40 characters, not before
    `floor`), … where cut; and where it ends."""
    lo, hi = max(floor, start - 40), min(len(text), end + 40)
    while start > lo and not text[start - 1].isspace():
        start -= 1
    while end < hi and not text[end].isspace():
        end += 1
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else ""), end


def _word_lemmas(word: str) -> set[str]:
    word = word.lower()
    if not is_cyrillic(word):
        return {word}
    return {r.lemma for r in readings(word)}


def query_lemmas(query: str) -> set[str]:
    """The query's words as plain lemmas (stop words dropped), ё folded."""
    return {fold_yo(t.text) for t in plain_lemma_analyzer()(query)}


def excerpt(text: str, lemmas: set[str]) -> str:
    """The first ~400 characters, then up to two ~200-character passages around words
    of the query (any of their forms) met after them."""
    text = text or ""
    head, taken_until = _cut(text, 0, min(HEAD, len(text)))
    parts = [head] if text else []
    found = 0
    seen: dict[str, bool] = {}
    for m in WORD_RE.finditer(text, taken_until):
        if found == PASSAGES:
            break
        if m.start() < taken_until:
            continue
        word = m.group()
        hit = seen.get(word)
        if hit is None:
            hit = seen[word] = bool(_word_lemmas(word) & lemmas)
        if hit:
            start = max(taken_until, m.start() - PASSAGE // 3)
            end = min(len(text), start + PASSAGE)
            piece, taken_until = _cut(text, start, end, floor=taken_until)
            parts.append(piece)
            found += 1
    return " [...] ".join(parts)


def pool_entries(queries: list[dict], runs: dict[str, dict[str, list[str]]],
                 seeds: dict[str, list[str]], pubs: dict, judged: dict[str, dict[str, int]],
                 depth: int, only_unjudged: bool = False) -> tuple[list[dict], list[str]]:
    """(pool lines, warnings). `runs` is ranker -> qid -> ranked docids."""
    entries, warnings = [], []
    for q in queries:
        ids = {d for run in runs.values() for d in run.get(q["qid"], [])[:depth]}
        for d in seeds.get(q["qid"], []):
            if d in pubs:
                ids.add(d)
            else:
                warnings.append(f"{q['qid']}: known relevant {d!r} is not in the collection")
        if only_unjudged:
            ids -= set(judged.get(q["qid"], {}))
        if not ids:
            continue
        order = sorted(ids)
        random.Random(f"{POOL_SEED}:{q['qid']}").shuffle(order)
        lemmas = query_lemmas(q["query"])
        docs = [_doc(pubs[d], lemmas) for d in order]
        entries.append({"qid": q["qid"], "query": q["query"], "intent": q["intent"],
                        "docs": docs})
    return entries, warnings


def _doc(p, lemmas: set[str]) -> dict:
    return {"docid": p.id, "title": p.title,
            "date": p.published.isoformat() if p.published else None,
            "author": p.author, "topic": ", ".join(p.topics) or None,
            "excerpt": excerpt(p.text, lemmas)}


def write_pool(entries: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
