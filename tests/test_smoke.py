"""End to end through the CLI: the sample indexes and answers a Russian query."""

import json

from indexer.cli import main


def test_sample_search_finds_all_forms(sample_index_dir, capsys):
    assert main(["--index-dir", str(sample_index_dir), "search", "библиотеками", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] > 10
    assert any("<mark>" in hit["snippet"] for hit in data["hits"])
    assert set(data["facets"]) == {"topic", "author", "library", "year"}
