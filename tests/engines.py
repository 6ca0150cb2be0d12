"""The engines the contract suite runs on, each over the shipped sample.

`engine` fixture (indirect parametrization): a Falcon test client and the SearchService
behind it, over the sample indexed by the real CLI into that engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from search.settings import Settings

ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.cluster)]


@dataclass
class EngineUnderTest:
    name: str
    settings: Settings
    service: object
    client: object


@pytest.fixture(scope="session")
def whoosh_sample(sample_index_dir, tmp_path_factory) -> Settings:
    """A copy of the session's sample index (tests/conftest.py), which the suite writes to."""
    from tests.conftest import copy_sample_index

    index_dir = copy_sample_index(sample_index_dir, tmp_path_factory.mktemp("contract") / "w")
    return Settings.from_env({}, index_dir=index_dir, admin_token="test-token")


@pytest.fixture(scope="session")
def opensearch_sample(cluster, tmp_path_factory) -> Settings:
    """The sample indexed into the session's two-node cluster by `kartoteka reindex`
    with KARTOTEKA_ENGINE=opensearch, under an alias of its own."""
    from indexer.cli import main
    from search.settings import SAMPLE_DIR

    env = {"KARTOTEKA_ENGINE": "opensearch", "KARTOTEKA_OPENSEARCH_URL": ",".join(cluster.urls),
           "KARTOTEKA_OPENSEARCH_PREFIX": "kt-contract", "KARTOTEKA_RELOAD_INTERVAL": "0"}
    state_dir = tmp_path_factory.mktemp("contract-opensearch")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert main(["--quiet", "--index-dir", str(state_dir), "reindex", "--no-progress",
                     str(SAMPLE_DIR)]) == 0
    return Settings.from_env(env, index_dir=state_dir, admin_token="test-token")


@pytest.fixture(scope="session")
def engine(request):
    from falcon import testing

    from api.app import create_app
    from search.searcher import SearchService

    settings = request.getfixturevalue(f"{request.param}_sample")
    service = SearchService(settings)
    yield EngineUnderTest(request.param, settings, service,
                          testing.TestClient(create_app(settings, service)))
    service.close()
