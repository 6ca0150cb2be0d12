"""Relevance benchmark: ours vs plain lemmas, Snowball, no morphology and a real Sphinx.

    .venv/bin/python -m bench.relevance                  # tables: dev, test, fresh (third), old
    .venv/bin/python -m bench.relevance --sample-only    # old set, shipped sample only (fast)
    .venv/bin/python -m bench.relevance --per-query      # also nDCG@10 per query: dev, old, fresh, third
    .venv/bin/python -m bench.relevance freeze --from DRAFT.tsv [--set fresh|third|fourth]
    .venv/bin/python -m bench.relevance pool --out POOL.jsonl --depth 10 [--only-unjudged] [--set fresh|third|fourth]

Sets: the blind set (bench/relevance/blind_*.tsv, split dev/test, over ONE index of
search/data/sample/publications.jsonl plus ../shared/corpus/*.jsonl; skipped without the
corpus), the fresh set (fresh_*.tsv: a second blind test set by another writer, over the
same index; third_*.tsv a third, reported once it has third_qrels.tsv) and the old set (queries.tsv + qrels.tsv, 96 queries, over the sample and the
corpus indexed apart). Test and later sets are reported as tables only, never per query.
Rankers: bench/rankers.py. Writes bench/out/relevance.json.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ itself would come first on sys.path, and its modules
# (bench/http.py) would shadow the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.rankers import (  # noqa: E402
    CORPUS,
    OPTIONAL_RANKERS,
    OUT,
    RANKERS,
    close_rankers,
    open_rankers,
    publications,
)
from bench.relevance_data import (  # noqa: E402
    DATA,
    FreezeError,
    freeze,
    load_blind,
    load_qrels,
    load_queries,
    load_seeds,
)
from bench.relevance_pool import pool_entries, write_pool  # noqa: E402
from bench.relevance_report import metrics, print_per_query, print_table, set_table, summarize_old  # noqa: E402
from bench.sphinx_peer import SphinxFailed  # noqa: E402

__all__ = ["run", "run_old", "run_blind", "main", "load_queries", "load_qrels", "USER_TYPES"]

USER_TYPES = ("visitor", "librarian", "reviews")
BLIND_QRELS = DATA / "blind_qrels.tsv"
# set -> its splits; every set is ranked over the same "blind" index.
BLIND_SETS = {"blind": ("dev", "test"), "fresh": ("fresh",), "third": ("third",),
              "fourth": ("fourth",)}
# Test sets made after the blind test half was spent, by new writers; reported once judged.
LATER_SETS = {"fresh": "second blind test set", "third": "third blind test set",
              "fourth": "fourth blind test set"}
# Later sets opened for tuning (session 38: fresh and third, read per query from then
# on); a later set leaves out the queries of those made before it as well.
TUNED_SETS = ("fresh", "third")


def _rank(rankers: dict, queries: list[dict]) -> dict[str, dict[str, list[str]]]:
    """ranker -> qid -> its top 100."""
    return {name: {q["qid"]: r.search(q["query"]) for q in queries}
            for name, r in rankers.items()}


def _open(name: str, rebuild_all: bool, which, skipped: dict, timings: dict) -> dict:
    started = time.perf_counter()
    rankers = open_rankers(name, rebuild_all, which,
                           log=lambda msg: skipped.setdefault("sphinx", msg.split(": ", 1)[1]))
    timings[f"{name}_open_s"] = round(time.perf_counter() - started, 2)
    return rankers


def _score(queries: list[dict], runs: dict, qrels: dict) -> dict[str, dict]:
    return {q["qid"]: {**q, "scores": {r: metrics(run[q["qid"]], qrels.get(q["qid"], {}))
                                       for r, run in runs.items()},
                       "top": {r: run[q["qid"]][:10] for r, run in runs.items()}}
            for q in queries}


def run_old(sample_only: bool = False, rebuild_all: bool = False, verbose: bool = True,
            which=RANKERS) -> dict:
    """The old set (regression): sample queries on the sample, corpus ones on the corpus."""
    queries, qrels = load_queries(), load_qrels()
    collections = ["sample"]
    if not sample_only:
        if CORPUS.is_dir():
            collections.append("corpus")
        elif verbose:
            print("../shared/corpus is absent: the old set's sample queries only")
    per_query: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    timings: dict[str, float] = {}
    for name in collections:
        subset = [q for q in queries if q["collection"] == name]
        rankers = _open(name, rebuild_all, which, skipped, timings)
        try:
            per_query.update(_score(subset, _rank(rankers, subset), qrels))
        finally:
            close_rankers(rankers)
    report = summarize_old(per_query, which)
    report.update(timings=timings, collections=collections, skipped=skipped,
                  queries=per_query)
    return report


run = run_old  # tests/test_relevance.py


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def load_set(name: str) -> list[dict]:
    """The queries of a blind set. The fresh set leaves out what repeats, word for word,
    a query that was tuned on (the blind dev half or the old set): the fresh writer did
    not see them, but a repeat would not measure anything new."""
    queries = load_blind(DATA / f"{name}_queries.tsv")
    if name not in LATER_SETS:
        return queries
    tuned = {_normal(q["query"]) for q in load_blind() if q["split"] == "dev"}
    tuned |= {_normal(q["query"]) for q in load_queries()}
    for earlier in () if name in TUNED_SETS else TUNED_SETS:
        tuned |= {_normal(q["query"]) for q in load_blind(DATA / f"{earlier}_queries.tsv")}
    return [q for q in queries if _normal(q["query"]) not in tuned]


def run_blind(rebuild_all: bool = False, verbose: bool = True, which=RANKERS,
              splits=("dev", "test"), name: str = "blind") -> dict | None:
    """A blind set's tables per split (judged queries only); None without it."""
    queries = load_set(name)
    if not queries or not CORPUS.is_dir():
        if verbose:
            print(f"{name} set skipped: " + ("../shared/corpus is absent" if queries
                                            else f"bench/relevance/{name}_queries.tsv is absent"))
        return None
    qrels = load_qrels(DATA / f"{name}_qrels.tsv")
    skipped: dict[str, str] = {}
    timings: dict[str, float] = {}
    rankers = _open("blind", rebuild_all, which, skipped, timings)
    try:
        per_query = _score(queries, _rank(rankers, queries), qrels)
    finally:
        close_rankers(rankers)
    report: dict = {"skipped": skipped, "timings": timings, "queries": len(queries)}
    for split in splits:
        judged = [e for e in per_query.values() if e["split"] == split and qrels.get(e["qid"])]
        report[split] = set_table(judged, which)
        report[f"{split}_total"] = sum(e["split"] == split for e in per_query.values())
    # Per-query results of the test half are never kept, printed or written.
    report["dev_queries"] = {k: e for k, e in per_query.items()
                             if e["split"] in ("dev", *TUNED_SETS)}
    return report


def cmd_report(args) -> int:
    which = tuple(args.rankers.split(",")) if args.rankers else RANKERS
    splits = ("dev",) if args.dev_only else ("dev", "test")
    blind = None if args.sample_only else run_blind(args.rebuild, which=which, splits=splits)
    later = {}
    if not args.sample_only:
        names = TUNED_SETS if args.dev_only else tuple(LATER_SETS)
        later = {name: run_blind(which=which, splits=BLIND_SETS[name], name=name)
                 for name in names if (DATA / f"{name}_qrels.tsv").exists()}
    old = run_old(args.sample_only, args.rebuild, which=which)
    if blind:
        for split in splits:
            print_table(f"{split}: blind set", blind[split], which, blind["skipped"],
                        total=blind[f"{split}_total"])
    for name, result in later.items():
        if result:
            print_table(f"{name}: {LATER_SETS[name]}", result[name], which, result["skipped"],
                        total=result[f"{name}_total"])
    print_table(f"old: regression set ({', '.join(old['collections'])})", old["table"]["all"],
                which, old["skipped"])
    if args.per_query:
        if blind:
            judged = load_qrels(BLIND_QRELS)
            print_per_query("dev", [e for e in blind["dev_queries"].values()
                                    if judged.get(e["qid"])], which)
        print_per_query("old", list(old["queries"].values()), which)
        for name in TUNED_SETS:
            if later.get(name):
                judged = load_qrels(DATA / f"{name}_qrels.tsv")
                print_per_query(name, [e for e in later[name]["dev_queries"].values()
                                       if judged.get(e["qid"])], which)
    for result in later.values():
        if result:
            result.pop("dev_queries", None)
    report = {"rankers": list(which), "blind": blind, **later, "old": old}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwrote {args.json}")
    return 0


def cmd_freeze(args) -> int:
    try:
        dev, test = freeze(args.source, force=args.force, name=args.set)
    except (FreezeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"froze {dev + test} queries ({dev} dev, {test} test) into "
          f"{DATA / f'{args.set}_queries.tsv'} and {args.set}_seeds.tsv")
    return 0


def cmd_pool(args) -> int:
    queries = load_set(args.set)
    if not queries:
        print(f"error: no {args.set} set yet (run `freeze` first)", file=sys.stderr)
        return 1
    if not CORPUS.is_dir():
        print("error: the blind set needs ../shared/corpus", file=sys.stderr)
        return 1
    skipped: dict[str, str] = {}
    rankers = _open("blind", args.rebuild, RANKERS, skipped, {})
    try:
        if skipped:
            print(f"error: a pool needs every ranker; {skipped}", file=sys.stderr)
            return 2
        runs = _rank(rankers, queries)
    finally:
        close_rankers(rankers)
    pubs = {p.id: p for p in publications("blind")}
    entries, warnings = pool_entries(queries, runs, load_seeds(DATA / f"{args.set}_seeds.tsv"),
                                     pubs, load_qrels(DATA / f"{args.set}_qrels.tsv"),
                                     args.depth, args.only_unjudged)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    write_pool(entries, args.out)
    sizes = [len(e["docs"]) for e in entries]
    print(f"wrote {args.out}: {len(entries)} queries, {sum(sizes)} documents to judge "
          f"({min(sizes, default=0)}-{max(sizes, default=0)} per query)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample-only", action="store_true",
                    help="the old set's sample queries only (quick; no blind set)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached indexes")
    ap.add_argument("--per-query", action="store_true",
                    help="also print nDCG@10 per query (dev and old; never test)")
    ap.add_argument("--rankers", help=f"comma-separated subset of {','.join(RANKERS)}")
    ap.add_argument("--dev-only", action="store_true",
                    help="the tuning sets only (dev, fresh, third, old): test and fourth unseen")
    ap.add_argument("--json", type=Path, default=OUT / "relevance.json",
                    help="where the report goes")
    sub = ap.add_subparsers(dest="command")
    fr = sub.add_parser("freeze", help="freeze the query writer's file as the blind set")
    fr.add_argument("--from", dest="source", type=Path, required=True,
                    help="qid<TAB>kind<TAB>query<TAB>intent<TAB>known_relevant")
    fr.add_argument("--force", action="store_true", help="replace a different frozen set")
    fr.add_argument("--set", choices=sorted(BLIND_SETS), default="blind",
                    help="blind (split dev/test), fresh, third or fourth (later test sets)")
    po = sub.add_parser("pool", help="write the judging pool (JSONL) of the blind set")
    po.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    po.add_argument("--depth", type=int, default=10, help="top N of every ranker")
    po.add_argument("--only-unjudged", action="store_true",
                    help="only documents not yet in blind_qrels.tsv")
    po.add_argument("--rebuild", action="store_true", help="rebuild the cached indexes")
    po.add_argument("--set", choices=sorted(BLIND_SETS), default="blind",
                    help="which blind set to pool")
    args = ap.parse_args(argv)
    unknown = set((args.rankers or "").split(",")) - set(RANKERS) - set(OPTIONAL_RANKERS) - {""}
    if unknown:
        ap.error(f"unknown rankers: {', '.join(sorted(unknown))}")
    # A plain kill must still stop searchd: let `finally` blocks run (exit status 143).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    command = {"freeze": cmd_freeze, "pool": cmd_pool}.get(args.command, cmd_report)
    try:
        return command(args)
    except SphinxFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
