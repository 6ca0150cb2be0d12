"""Shared fixtures: a sample index built by the real indexer, and a Falcon test client."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cluster_fixture import cluster  # noqa: F401 - one OpenSearch cluster for every module

from search.settings import SAMPLE_DIR, Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
pytest_plugins = ["tests.engines"]  # the contract suite's engines

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite tests/data/golden/*.json from the current extractor")


def require_tool(name: str, package: str | None = None) -> str:
    """The path of a system tool; skip without it, but fail in CI where .ci/run installs it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {package or name})"
        if IN_CI:
            pytest.fail(message + " - CI must install it")
        pytest.skip(message)
    return path


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    return CORPUS


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory) -> Path:
    """The shipped sample, indexed once per session through the CLI."""
    from indexer.cli import main

    index_dir = tmp_path_factory.mktemp("sample-index")
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(SAMPLE_DIR)]) == 0
    return index_dir


def service_over(records: list[dict], root: Path):
    """A SearchService over an index the real CLI built from `records` (JSON Lines) in `root`.

    Use as a generator fixture: `yield from service_over(DOCS, tmp_path_factory.mktemp(...))`.
    """
    import json

    from indexer.cli import main
    from search.searcher import SearchService

    source = root / "docs.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    assert main(["--quiet", "--index-dir", str(root / "index"), "reindex", "--no-progress",
                 str(source)]) == 0
    svc = SearchService(Settings.from_env({}, index_dir=root / "index"))
    yield svc
    svc.close()


def hit_ids(service, q: str) -> list[str]:
    """The ids of the first page of a search."""
    from search.models import SearchRequest

    return [hit.id for hit in service.search(SearchRequest(q=q)).hits]


@pytest.fixture(scope="session")
def sample_settings(sample_index_dir) -> Settings:
    return Settings.from_env({}, index_dir=sample_index_dir, admin_token="test-token",
                             cors_origins=("https://library.example.ru",))


@pytest.fixture(scope="session")
def service(sample_settings):
    from search.searcher import SearchService

    svc = SearchService(sample_settings)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def client(sample_settings, service):
    """A read-only client over the session sample index (do not write through it)."""
    from falcon import testing

    from api.app import create_app

    return testing.TestClient(create_app(sample_settings, service))


def copy_sample_index(sample_index_dir: Path, target: Path) -> Path:
    """A private copy of the session's sample index (built once, copied per test)."""
    shutil.copytree(sample_index_dir, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


@pytest.fixture
def fresh_index(tmp_path, sample_index_dir) -> Settings:
    """A private copy of the sample index for tests that write."""
    index_dir = copy_sample_index(sample_index_dir, tmp_path / "index")
    return Settings.from_env({}, index_dir=index_dir, admin_token="test-token")


def count_documents(index_dir: Path) -> int:
    """Publications the live index holds (copies of one text each counted), read through a
    fresh SearchService."""
    from search.searcher import SearchService

    service = SearchService(Settings.from_env({}, index_dir=index_dir))
    try:
        return service.health()["documents"]
    finally:
        service.close()


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`): a module's tests stay
    on one worker (its module fixtures are built once), and every test on the OpenSearch
    cluster on the same worker, so one cluster serves them and a node killed by a fault
    test never meets another module's searches."""
    for item in items:
        on_cluster = "cluster" in item.fixturenames or item.get_closest_marker("cluster")
        group = "cluster" if on_cluster else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))
