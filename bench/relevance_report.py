"""Metrics and tables of the relevance benchmark.

Graded gains (2^grade - 1), unjudged documents count as not relevant. J@10 (the share of
the returned top 10 that was judged; 1 for an empty answer) tells how far a ranker's
figures rest on unjudged documents.
"""

from __future__ import annotations

import math
from collections import defaultdict

__all__ = ["METRICS", "LABELS", "metrics", "mean", "summarize_old", "set_table",
           "print_table", "print_per_query"]

METRICS = ("ndcg@10", "mrr@10", "recall@10", "recall@100", "judged@10")
LABELS = {"ndcg@10": "nDCG@10", "mrr@10": "MRR@10", "recall@10": "R@10",
          "recall@100": "R@100", "judged@10": "J@10"}


def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def metrics(ranked: list[str], judged: dict[str, int]) -> dict[str, float]:
    """nDCG@10, MRR@10, R@10, R@100 and J@10 of one ranking against graded judgments."""
    grades = [judged.get(d, 0) for d in ranked]
    ideal = dcg(sorted(judged.values(), reverse=True)[:10])
    relevant = {d for d, g in judged.items() if g > 0}
    rr = next((1 / (i + 1) for i, g in enumerate(grades[:10]) if g > 0), 0.0)
    n_rel = len(relevant) or 1
    top = ranked[:10]
    return {"ndcg@10": dcg(grades[:10]) / ideal if ideal else 0.0, "mrr@10": rr,
            "recall@10": len(relevant & set(top)) / n_rel,
            "recall@100": len(relevant & set(ranked[:100])) / n_rel,
            "judged@10": sum(d in judged for d in top) / len(top) if top else 1.0}


def mean(rows: list[dict]) -> dict[str, float]:
    return {m: sum(r[m] for r in rows) / len(rows) if rows else 0.0 for m in METRICS}


def set_table(entries: list[dict], rankers) -> dict:
    """{"n": queries, ranker: mean metrics} over `entries` (each has "scores")."""
    return {"n": len(entries),
            **{r: mean([e["scores"][r] for e in entries]) for r in rankers
               if entries and r in entries[0]["scores"]}}


def summarize_old(per_query: dict, rankers) -> dict:
    """The old set's table by split, user type and collection, and its five worst queries."""
    groups: dict[str, list] = defaultdict(list)
    for e in per_query.values():
        for key in ("all", f"split={e['split']}", f"user={e['user']}",
                    f"split={e['split']}/user={e['user']}", f"collection={e['collection']}",
                    f"collection={e['collection']}/split={e['split']}"):
            groups[key].append(e)
    table = {key: set_table(entries, rankers) for key, entries in sorted(groups.items())}
    worst = []
    if per_query and "ours" in next(iter(per_query.values()))["scores"]:
        ranked = sorted(per_query.values(), key=lambda e: (e["scores"]["ours"]["ndcg@10"],
                                                           e["scores"]["ours"]["mrr@10"]))
        worst = [{"qid": e["qid"], "query": e["query"], "split": e["split"],
                  "user": e["user"], **e["scores"]["ours"]} for e in ranked[:5]]
    return {"table": table, "worst": worst}


def print_table(title: str, row: dict, rankers, skipped: dict | None = None,
                total: int | None = None) -> None:
    """One set: a line per ranker, a column per metric (`total`: queries, judged or not)."""
    n = row.get("n", 0)
    print(f"\n{title} ({n} queries)" if total is None else
          f"\n{title} ({n} of {total} queries judged)")
    head = f"  {'ranker':9}" + "".join(f"{LABELS[m]:>9}" for m in METRICS)
    print(head)
    print("  " + "-" * (len(head) - 2))
    if not row.get("n"):
        print("  no judged queries yet")
        return
    for r in rankers:
        if r in row:
            print(f"  {r:9}" + "".join(f"{row[r][m]:9.3f}" for m in METRICS))
        elif skipped and r in skipped:
            print(f"  {r:9}  skipped: {skipped[r]}")


def print_per_query(title: str, entries: list[dict], rankers) -> None:
    """nDCG@10 of each query and ranker (dev and old only: never the test half)."""
    print(f"\n{title}: nDCG@10 per query")
    print(f"  {'qid':8}" + "".join(f"{r:>9}" for r in rankers) + "  query")
    for e in entries:
        cells = "".join(f"{e['scores'][r]['ndcg@10']:9.3f}" if r in e["scores"] else
                        f"{'-':>9}" for r in rankers)
        print(f"  {e['qid']:8}{cells}  {e['query']}")
