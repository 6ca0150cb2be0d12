"""Relevance benchmark: ours vs no morphology vs Snowball stemming, on graded judgments.

    .venv/bin/python bench/relevance.py                 # sample + ../shared/corpus (if present)
    .venv/bin/python bench/relevance.py --sample-only   # the shipped sample only (fast)
    .venv/bin/python bench/relevance.py --pool 20       # also write the judging pool

Queries: bench/relevance/queries.tsv, `qid<TAB>user_type<TAB>split<TAB>query<TAB>collection`
(collection is `sample` or `corpus`; corpus queries run only when ../shared/corpus exists).
Judgments: bench/relevance/qrels.tsv, TREC format `qid 0 docid grade` (0-3).

Three rankers index the same publications (as the indexer reads them):
  ours      search.writer.rebuild + SearchService (the production path)
  nomorph   Whoosh StandardAnalyzer without stemming (lowercase words, Russian stop words)
  snowball  Whoosh LanguageAnalyzer('ru') (Snowball Russian stemmer; Whoosh-Reloaded's
            StemmingAnalyzer has no `lang` argument, LanguageAnalyzer is its Snowball chain)
Baselines are BM25F with the same title weight, OR over the query's terms.
Indexes are cached under bench/out/indexes, keyed by the sources and the analysis code.
Writes bench/out/relevance.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ itself would come first on sys.path, and its modules
# (bench/http.py) would shadow the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from whoosh import fields, index, scoring  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer  # noqa: E402
from whoosh.lang import stopwords_for_language  # noqa: E402

from indexer.sources import Skip, iter_publications  # noqa: E402
from search.models import SearchRequest  # noqa: E402
from search.searcher import SearchService  # noqa: E402
from search.settings import SAMPLE_DIR, Settings  # noqa: E402
from search.store import IndexLocation  # noqa: E402
from search.topics import TopicDictionary  # noqa: E402
from search.writer import rebuild  # noqa: E402

DATA = Path(__file__).resolve().parent / "relevance"
OUT = Path(__file__).resolve().parent / "out"
CORPUS = ROOT.parent / "shared" / "corpus"
RANKERS = ("nomorph", "snowball", "ours")
USER_TYPES = ("visitor", "librarian", "reviews")
SPLITS = ("tune", "test")
DEPTH = 100
TITLE_BOOST = 3.0
# Code whose change alters what "ours" puts into the index.
_INDEX_CODE = ("search/analysis.py", "search/morph.py", "search/schema.py", "search/writer.py",
               "search/models.py", "search/topics.py", "indexer/sources.py", "indexer/extract.py")


# -- data ----------------------------------------------------------------------------
def load_queries(path: Path = DATA / "queries.tsv") -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, user, split, text, collection = line.split("\t")
        out.append({"qid": qid, "user": user, "split": split, "query": text,
                    "collection": collection})
    return out


def load_qrels(path: Path = DATA / "qrels.tsv") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, _, docid, grade = line.split()
            qrels[qid][docid] = int(grade)
    return qrels


def collection_sources(name: str) -> list[Path]:
    if name == "sample":
        return [SAMPLE_DIR]
    return sorted(CORPUS.glob("*.jsonl"))


def publications(name: str) -> list:
    topics = TopicDictionary.load(None)
    return [p for p in iter_publications(collection_sources(name), topics)
            if not isinstance(p, Skip)]


def _fingerprint(name: str, ranker: str) -> str:
    h = hashlib.sha1(ranker.encode())
    for src in collection_sources(name):
        for p in sorted([src] if src.is_file() else src.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
    if ranker == "ours":
        for rel in _INDEX_CODE:
            h.update((ROOT / rel).read_bytes())
    else:
        h.update(b"baseline-v1")  # bump when the baseline schema or analyzers change
    return h.hexdigest()[:12]


# -- rankers -------------------------------------------------------------------------
class Ours:
    def __init__(self, index_dir: Path, pubs):
        if not (index_dir / "CURRENT").exists():
            rebuild(IndexLocation(index_dir), pubs)
        self.service = SearchService(Settings.from_env({}, index_dir=index_dir))

    def search(self, text: str, depth: int = DEPTH) -> list[str]:
        result = self.service.search(SearchRequest(q=text, per_page=depth, snippets=False,
                                                   facets=False))
        return [h.id for h in result.hits + result.partial]  # as the page shows them

    def close(self):
        self.service.close()


class Baseline:
    def __init__(self, index_dir: Path, pubs, analyzer):
        self.analyzer = analyzer
        if (index_dir / "_done").exists():
            self.ix = index.open_dir(str(index_dir))
        else:
            shutil.rmtree(index_dir, ignore_errors=True)
            index_dir.mkdir(parents=True)
            schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                                   title=fields.TEXT(analyzer=analyzer),
                                   body=fields.TEXT(analyzer=analyzer))
            self.ix = index.create_in(str(index_dir), schema)
            with self.ix.writer(limitmb=256) as w:
                for p in pubs:
                    w.add_document(id=p.id, title=p.title, body=p.body)
            (index_dir / "_done").touch()
        self.searcher = self.ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))

    def search(self, text: str, depth: int = DEPTH) -> list[str]:
        terms = sorted({t.text for t in self.analyzer(text)})
        if not terms:
            return []
        q = wq.Or([wq.Term("title", t, boost=TITLE_BOOST) for t in terms]
                  + [wq.Term("body", t) for t in terms])
        return [hit["id"] for hit in self.searcher.search(q, limit=depth)]

    def close(self):
        self.searcher.close()


def nomorph_analyzer():
    return StandardAnalyzer(stoplist=frozenset(stopwords_for_language("ru")), minsize=1)


def snowball_analyzer():
    return LanguageAnalyzer("ru")


def open_rankers(name: str, rebuild_all: bool = False, which=RANKERS) -> dict:
    pubs = None
    out = {}
    for ranker in which:
        path = OUT / "indexes" / f"{name}-{ranker}-{_fingerprint(name, ranker)}"
        if rebuild_all:
            shutil.rmtree(path, ignore_errors=True)
        for stale in (OUT / "indexes").glob(f"{name}-{ranker}-*"):
            if stale != path:
                shutil.rmtree(stale, ignore_errors=True)
        ready = (path / "CURRENT").exists() or (path / "_done").exists()
        if not ready and pubs is None:
            pubs = publications(name)
        if ranker == "ours":
            out[ranker] = Ours(path, pubs)
        else:
            analyzer = nomorph_analyzer() if ranker == "nomorph" else snowball_analyzer()
            out[ranker] = Baseline(path, pubs, analyzer)
    return out


# -- metrics -------------------------------------------------------------------------
def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def metrics(ranked: list[str], judged: dict[str, int]) -> dict[str, float]:
    grades = [judged.get(d, 0) for d in ranked]
    ideal = dcg(sorted(judged.values(), reverse=True)[:10])
    relevant = {d for d, g in judged.items() if g > 0}
    rr = next((1 / (i + 1) for i, g in enumerate(grades[:10]) if g > 0), 0.0)
    n_rel = len(relevant) or 1
    return {"ndcg@10": dcg(grades[:10]) / ideal if ideal else 0.0, "mrr@10": rr,
            "recall@10": len(relevant & set(ranked[:10])) / n_rel,
            "recall@100": len(relevant & set(ranked[:100])) / n_rel}


METRICS = ("ndcg@10", "mrr@10", "recall@10", "recall@100")


def mean(rows: list[dict]) -> dict[str, float]:
    return {m: sum(r[m] for r in rows) / len(rows) if rows else 0.0 for m in METRICS}


# -- run -----------------------------------------------------------------------------
def run(sample_only: bool = False, pool: int = 0, rebuild_all: bool = False,
        verbose: bool = True, which=RANKERS) -> dict:
    """Score every query with the rankers in `which` (the tests run "ours" alone)."""
    queries = load_queries()
    qrels = load_qrels()
    collections = ["sample"]
    if not sample_only:
        if CORPUS.is_dir():
            collections.append("corpus")
        elif verbose:
            print("../shared/corpus is absent: running the sample queries only")
    per_query: dict[str, dict] = {}
    pools: dict[str, dict[str, list[str]]] = {}
    timings = {}
    for name in collections:
        started = time.perf_counter()
        rankers = open_rankers(name, rebuild_all, which)
        timings[f"{name}_open_s"] = round(time.perf_counter() - started, 2)
        for q in (q for q in queries if q["collection"] == name):
            entry = {**q, "scores": {}, "top": {}}
            for rname, ranker in rankers.items():
                ranked = ranker.search(q["query"])
                entry["scores"][rname] = metrics(ranked, qrels.get(q["qid"], {}))
                entry["top"][rname] = ranked[:10]
                if pool:
                    pools.setdefault(q["qid"], {})[rname] = ranked[:pool]
            per_query[q["qid"]] = entry
        for r in rankers.values():
            r.close()
    report = summarize(per_query)
    report["timings"] = timings
    report["collections"] = collections
    report["queries"] = per_query
    if pool:
        report["pool"] = pools
    return report


def summarize(per_query: dict) -> dict:
    groups: dict[str, list] = defaultdict(list)
    for e in per_query.values():
        for key in ("all", f"split={e['split']}", f"user={e['user']}",
                    f"split={e['split']}/user={e['user']}", f"collection={e['collection']}",
                    f"collection={e['collection']}/split={e['split']}"):
            groups[key].append(e)
    table = {}
    for key, entries in sorted(groups.items()):
        table[key] = {"n": len(entries),
                      **{r: mean([e["scores"][r] for e in entries])
                         for r in RANKERS if r in entries[0]["scores"]}}
    worst = sorted(per_query.values(),
                   key=lambda e: (e["scores"]["ours"]["ndcg@10"], e["scores"]["ours"]["mrr@10"]))
    return {"table": table,
            "worst": [{"qid": e["qid"], "query": e["query"], "split": e["split"],
                       "user": e["user"], **e["scores"]["ours"]} for e in worst[:5]]}


def print_report(report: dict) -> None:
    head = f"{'group':38} {'n':>3}  {'ranker':8} " + " ".join(f"{m:>10}" for m in METRICS)
    print(head)
    print("-" * len(head))
    order = ["all", "split=tune", "split=test"]
    order += [f"user={u}" for u in USER_TYPES]
    order += [f"split={s}/user={u}" for s in SPLITS for u in USER_TYPES]
    order += [k for k in report["table"] if k.startswith("collection=")]
    for key in order:
        row = report["table"].get(key)
        if not row:
            continue
        for r in RANKERS:
            label = key if r == RANKERS[0] else ""
            n = str(row["n"]) if r == RANKERS[0] else ""
            print(f"{label:38} {n:>3}  {r:8} "
                  + " ".join(f"{row[r][m]:10.3f}" for m in METRICS))
    print("\nfive worst queries (ours):")
    for w in report["worst"]:
        print(f"  {w['qid']:5} [{w['split']}/{w['user']}] nDCG@10={w['ndcg@10']:.3f} "
              f"MRR@10={w['mrr@10']:.3f} R@10={w['recall@10']:.2f}  {w['query']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample-only", action="store_true", help="only the shipped sample")
    ap.add_argument("--pool", type=int, default=0, help="also record each ranker's top N")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached indexes")
    ap.add_argument("--out", type=Path, default=OUT / "relevance.json")
    args = ap.parse_args(argv)
    report = run(args.sample_only, args.pool, args.rebuild)
    print_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
