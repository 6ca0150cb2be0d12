"""The lemma cache a rebuild leaves for the next one: used, versioned, and never harmful."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

from indexer.cli import main
from search import lemma_cache
from search.lemma_cache import FILE_NAME, SHARDS_DIR
from search.models import SearchRequest
from search.searcher import SearchService
from search.settings import SAMPLE_DIR, Settings


def _reindex(index_dir: Path, capsys) -> str:
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(SAMPLE_DIR)]) == 0
    return capsys.readouterr().out


def _known(out: str) -> int:
    return int(re.search(r"слов, известных с прошлой перестройки: ([\d\xa0]+)", out).group(1)
               .replace("\xa0", ""))


def _results(index_dir: Path) -> list[tuple[str, int]]:
    service = SearchService(Settings.from_env({}, index_dir=index_dir))
    try:
        out = []
        for q in ("библиотеками", "выставки книг", "Надежда", "мастер-классы"):
            result = service.search(SearchRequest(q=q, per_page=20))
            out.append((q, result.total, [h.id for h in result.hits]))
        return out
    finally:
        service.close()


def _cache_files(index_dir: Path) -> list[Path]:
    """The cache's one file and the shards its indexing processes wrote."""
    single = index_dir / FILE_NAME
    return [single] * single.is_file() + sorted((index_dir / SHARDS_DIR).glob("*.pickle"))


def test_second_rebuild_starts_warm_and_indexes_the_same(tmp_path, capsys):
    index_dir = tmp_path / "index"
    first = _reindex(index_dir, capsys)
    assert _known(first) == 0
    assert _cache_files(index_dir)
    cold = _results(index_dir)
    second = _reindex(index_dir, capsys)
    assert _known(second) > 1000  # the sample's word forms, parsed by the first rebuild
    assert _results(index_dir) == cold


def _copies(tmp_path: Path, times: int) -> Path:
    """The sample's publications `times` over under other ids: enough batches of
    documents for every indexing process."""
    lines = (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    path = tmp_path / "copies.jsonl"
    path.write_text("".join(json.dumps({**r, "id": f"{r['id']}-{n}"}, ensure_ascii=False) + "\n"
                            for n in range(times) for r in records), encoding="utf-8")
    return path


def test_each_indexing_process_leaves_its_words_as_a_shard(tmp_path, capsys):
    index_dir, source = tmp_path / "index", _copies(tmp_path, 6)
    args = ["--index-dir", str(index_dir), "reindex", "--no-progress", "--procs", "2", str(source)]
    assert main(args) == 0
    assert _known(capsys.readouterr().out) == 0
    assert len(_cache_files(index_dir)) >= 2  # one from each process that parsed words
    generation = next(index_dir.glob("gen-*"))
    assert not list(generation.glob(".lemmas-*"))  # moved out before it was published
    assert main(args) == 0
    assert _known(capsys.readouterr().out) > 1000


def test_shards_are_merged_into_one_file_past_their_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(lemma_cache, "MAX_SHARDS", 1)
    index_dir = tmp_path / "index"
    known = _known(_reindex(index_dir, capsys)) or _known(_reindex(index_dir, capsys))
    assert known > 1000
    assert _cache_files(index_dir) == [index_dir / FILE_NAME]  # merged, shards removed
    assert _known(_reindex(index_dir, capsys)) == known  # nothing lost in the merge


def test_damaged_or_foreign_cache_is_ignored_and_replaced(tmp_path, capsys):
    index_dir = tmp_path / "index"
    _reindex(index_dir, capsys)
    reference = _results(index_dir)
    for cache in _cache_files(index_dir):
        cache.write_bytes(b"not a pickle")
    assert _known(_reindex(index_dir, capsys)) == 0
    assert _results(index_dir) == reference
    files = _cache_files(index_dir)
    assert files and all(f.read_bytes() != b"not a pickle" for f in files)  # replaced
    for cache in files:
        data = pickle.loads(cache.read_bytes())
        data["versions"] = ("another pymorphy3",)
        data["words"]["библиотеками"] = (("неправда", 1.0, False, 0.0),)
        cache.write_bytes(pickle.dumps(data))
    assert _known(_reindex(index_dir, capsys)) == 0  # other versions: not trusted
    assert _results(index_dir) == reference
    assert _known(_reindex(index_dir, capsys)) > 1000  # rewritten for these versions
