"""Built indexes of a benchmark corpus (ours and the baseline), reused between runs.

An index is rebuilt when the corpus files or the code that shapes the index changed.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

from bench.baseline import build_baseline
from bench.corpus import Corpus
from bench.report import ROOT
from indexer.sources import Skip, iter_publications
from search.engine.whoosh.store import IndexLocation
from search.engine.whoosh.writer import rebuild
from search.models import Publication
from search.topics import TopicDictionary

__all__ = ["parse_publications", "stream_publications", "ensure_indexes"]

_SHAPING = ["search/analysis.py", "search/morph.py", "search/engine/whoosh/schema.py", "search/engine/whoosh/writer.py",
            "search/engine/whoosh/documents.py",
            "search/engine/whoosh/codec.py", "search/stems.py",
            "search/topics.py", "search/lemma_filter.py", "search/models.py", "search/engine/whoosh/forms.py", "bench/baseline.py",
            "indexer/sources.py"]


def parse_publications(corpus: Corpus, morphology: bool = True) -> tuple[list[Publication], int]:
    """The corpus as Publications, as the CLI reads it (topics assigned when morphology)."""
    topics = TopicDictionary.load() if morphology else None
    pubs, skipped = [], 0
    for item in iter_publications(corpus.files, topics, max_bytes=10**12):
        if isinstance(item, Skip):
            skipped += 1
        else:
            pubs.append(item)
    return pubs, skipped


def stream_publications(corpus: Corpus, kept: list[Publication], skipped: list[int]):
    """The corpus as Publications one by one, as `kartoteka reindex` reads it while it
    indexes (topics assigned); each is also appended to `kept`, skips counted in
    `skipped[0]`."""
    topics = TopicDictionary.load()
    for item in iter_publications(corpus.files, topics, max_bytes=10**12):
        if isinstance(item, Skip):
            skipped[0] += 1
        else:
            kept.append(item)
            yield item


def _key(corpus: Corpus) -> str:
    h = hashlib.sha1()
    for f in corpus.files:
        st = f.stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    for rel in _SHAPING:
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()[:12]


def ensure_indexes(corpus: Corpus, out: Path, force: bool = False,
                   baseline: bool = True) -> tuple[Path, Path]:
    """(our index dir, baseline index dir) for `corpus`, built unless already current."""
    root = out / "indexes" / f"search-{_key(corpus)}"
    ours, base = root / "ours", root / "baseline"
    if baseline and (root / "done").exists() and not (root / "baseline-done").exists():
        force = True  # built by a --no-baseline run
    if force or not (root / "done").exists():
        shutil.rmtree(root, ignore_errors=True)
        for old in (out / "indexes").glob("search-*"):
            shutil.rmtree(old, ignore_errors=True)  # keep one cached corpus only
        t0 = time.perf_counter()
        pubs, _ = parse_publications(corpus)
        rebuild(IndexLocation(ours), pubs)
        if baseline:
            build_baseline(base, parse_publications(corpus, morphology=False)[0])
            (root / "baseline-done").write_text("ok\n")
        (root / "done").write_text("ok\n")
        print(f"built both indexes in {time.perf_counter() - t0:.1f} s ({root})")
    return ours, base
