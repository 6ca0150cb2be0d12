"""The relevance benchmark's query sets and judgments (files in bench/relevance/).

Old set (regression): queries.tsv `qid<TAB>user_type<TAB>split<TAB>query<TAB>collection`
(collection `sample` or `corpus`) and qrels.tsv.
Blind set: blind_queries.tsv `qid<TAB>kind<TAB>split<TAB>query<TAB>intent` (split dev|test),
blind_qrels.tsv, and blind_seeds.tsv `qid<TAB>docid` (the query writer's known relevant
documents, added to every judging pool). Qrels are TREC: `qid 0 docid grade` (0-3).
Fresh set: fresh_*.tsv, the same shapes, a second blind test set by another writer
(split `fresh`), made once the blind set's test half had been reported; third_*.tsv a
third (split `third`), frozen 2026-12-03, judged 2026-12-04 (third_qrels.tsv).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

__all__ = ["DATA", "load_queries", "load_qrels", "load_blind", "load_seeds", "read_draft",
           "assign_splits", "freeze", "FreezeError", "BLIND_SPLITS", "SPLIT_SEED"]

DATA = Path(__file__).resolve().parent / "relevance"
BLIND_SPLITS = ("dev", "test")
SPLIT_SEED = 20261202
_IDS = re.compile(r"[\s,;]+")


class FreezeError(Exception):
    """The draft query file is malformed, or the frozen set would change."""


def _rows(path: Path, n: int) -> list[list[str]]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < n - 1 or len(cells) > n:
            raise FreezeError(f"{path.name}:{i}: {len(cells)} fields, expected {n}")
        out.append([c.strip() for c in cells] + [""] * (n - len(cells)))
    return out


def load_queries(path: Path = DATA / "queries.tsv") -> list[dict]:
    """The old set (96 queries)."""
    return [{"qid": qid, "user": user, "split": split, "query": text, "collection": coll}
            for qid, user, split, text, coll in _rows(path, 5)]


def load_qrels(path: Path = DATA / "qrels.tsv") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    if not path.exists():
        return qrels
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, _, docid, grade = line.split()
            qrels[qid][docid] = int(grade)
    return qrels


def load_blind(path: Path = DATA / "blind_queries.tsv") -> list[dict]:
    """The frozen blind set; empty before `freeze`."""
    if not path.exists():
        return []
    return [{"qid": qid, "kind": kind, "split": split, "query": text, "intent": intent}
            for qid, kind, split, text, intent in _rows(path, 5)]


def load_seeds(path: Path = DATA / "blind_seeds.tsv") -> dict[str, list[str]]:
    seeds: dict[str, list[str]] = defaultdict(list)
    if path.exists():
        for qid, docid in _rows(path, 2):
            seeds[qid].append(docid)
    return seeds


def read_draft(path: Path) -> list[dict]:
    """The query writer's file: `qid<TAB>kind<TAB>query<TAB>intent<TAB>known_relevant`."""
    out, seen = [], set()
    for qid, kind, text, intent, known in _rows(path, 5):
        if not qid or not kind or not text:
            raise FreezeError(f"{path.name}: query {qid!r} lacks an id, kind or text")
        if qid in seen:
            raise FreezeError(f"{path.name}: duplicate qid {qid!r}")
        seen.add(qid)
        ids = [d for d in _IDS.split(known) if d and d != "-"]
        out.append({"qid": qid, "kind": kind, "query": text, "intent": intent,
                    "known": list(dict.fromkeys(ids))})
    return out


def assign_splits(queries: list[dict], seed: int = SPLIT_SEED) -> dict[str, str]:
    """qid -> dev|test: half of each kind in each, shuffled with a fixed seed; a kind's
    odd query goes to the split that is smaller so far, so the totals stay 50/50."""
    rng = random.Random(seed)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        by_kind[q["kind"]].append(q["qid"])
    split: dict[str, str] = {}
    sizes = {"dev": 0, "test": 0}
    for kind in sorted(by_kind):
        qids = sorted(by_kind[kind])
        rng.shuffle(qids)
        half = len(qids) // 2
        for i, qid in enumerate(qids):
            if i < half:
                split[qid] = "dev"
            elif i < 2 * half:
                split[qid] = "test"
            else:
                split[qid] = "dev" if sizes["dev"] <= sizes["test"] else "test"
                sizes[split[qid]] += 1
    return split


def _clean(text: str) -> str:
    return " ".join(text.split())


def freeze(draft: Path, force: bool = False, data: Path = DATA,
           name: str = "blind") -> tuple[int, int]:
    """Write {name}_queries.tsv and {name}_seeds.tsv from the draft; (dev, test) sizes.

    The `blind` set is split into dev and test halves; the `fresh` set is a second
    test set, written after the first test half was spent, all of it `fresh`.
    Refuses to change an existing frozen set unless `force`.
    """
    queries = read_draft(draft)
    if name != "blind":
        split = {q["qid"]: name for q in queries}
        how = f"every query in the {name} test split"
    else:
        split = assign_splits(queries)
        how = f"split stratified by kind, seed {SPLIT_SEED}"
    lines = [f"# qid\tkind\tsplit\tquery\tintent ({name} set, frozen from the query "
             f"writer's file; {how})"]
    lines += [f"{q['qid']}\t{q['kind']}\t{split[q['qid']]}\t{_clean(q['query'])}\t"
              f"{_clean(q['intent'])}" for q in queries]
    seeds = ["# qid\tdocid (known relevant documents named by the query writer)"]
    seeds += [f"{q['qid']}\t{d}" for q in queries for d in q["known"]]
    target = data / f"{name}_queries.tsv"
    text = "\n".join(lines) + "\n"
    if target.exists() and target.read_text(encoding="utf-8") != text and not force:
        raise FreezeError(f"{target.name} is frozen and would change (use --force)")
    target.write_text(text, encoding="utf-8")
    (data / f"{name}_seeds.tsv").write_text("\n".join(seeds) + "\n", encoding="utf-8")
    dev = sum(s == "dev" for s in split.values())
    return dev, len(split) - dev
