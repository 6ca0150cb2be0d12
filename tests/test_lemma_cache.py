"""The lemma cache a rebuild leaves for the next one: used, versioned, and never harmful."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

from indexer.cli import main
from search.lemma_cache import FILE_NAME
from search.models import SearchRequest
from search.searcher import SearchService
from search.settings import SAMPLE_DIR, Settings


def _reindex(index_dir: Path, capsys) -> str:
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(SAMPLE_DIR)]) == 0
    return capsys.readouterr().out


def _known(out: str) -> int:
    return int(re.search(r"([\d,]+) words known from the last rebuild", out).group(1)
               .replace(",", ""))


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


def test_second_rebuild_starts_warm_and_indexes_the_same(tmp_path, capsys):
    index_dir = tmp_path / "index"
    first = _reindex(index_dir, capsys)
    assert _known(first) == 0
    cache = index_dir / FILE_NAME
    assert cache.is_file()
    cold = _results(index_dir)
    second = _reindex(index_dir, capsys)
    assert _known(second) > 1000  # the sample's word forms, parsed by the first rebuild
    assert _results(index_dir) == cold


def test_damaged_or_foreign_cache_is_ignored_and_replaced(tmp_path, capsys):
    index_dir = tmp_path / "index"
    _reindex(index_dir, capsys)
    reference = _results(index_dir)
    cache = index_dir / FILE_NAME
    cache.write_bytes(b"not a pickle")
    assert _known(_reindex(index_dir, capsys)) == 0
    assert _results(index_dir) == reference
    data = pickle.loads(cache.read_bytes())  # rewritten whole
    data["versions"] = ("another pymorphy3",)
    data["words"]["библиотеками"] = (("неправда", 1.0, False, 0.0),)
    cache.write_bytes(pickle.dumps(data))
    assert _known(_reindex(index_dir, capsys)) == 0  # other versions: not trusted
    assert _results(index_dir) == reference
