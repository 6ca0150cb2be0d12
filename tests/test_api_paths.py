"""No API answer shows a server file path (publication sources, index directories)."""

from __future__ import annotations

import json

from falcon import testing

from api.app import create_app
from search.settings import Settings


def _text(resp) -> str:
    return resp.content.decode("utf-8", "replace")


def test_no_answer_carries_a_server_path(client, sample_index_dir):
    record = client.simulate_get("/api/publications/zlat-2023-003").json
    assert "source" not in record
    root = str(sample_index_dir.parent)
    for path, query in [("/api/publications/zlat-2023-003", ""),
                        ("/api/publications/page-pages~001_metodicheskaya_konsultaciya.txt", ""),
                        ("/api/search", "q=библиотека&per_page=100"),
                        ("/api/search", "per_page=100"),
                        ("/api/publications/zlat-2023-003/similar", ""),
                        ("/api/suggest", "q=библ"), ("/api/facets", ""), ("/api/health", ""),
                        ("/api/export", "format=csv")]:
        resp = client.simulate_get(path, query_string=query)
        assert resp.status_code == 200, (path, resp.status_code)
        body = _text(resp)
        assert root not in body and "index_data/sample" not in body, path


def test_errors_name_no_directory(tmp_path):
    index_dir = tmp_path / "secret-place" / "index"
    client = testing.TestClient(create_app(Settings.from_env({}, index_dir=index_dir)))
    for path in ("/api/search", "/api/health", "/api/publications/x"):
        resp = client.simulate_get(path, query_string="q=книга")
        assert resp.status_code == 503
        assert "secret-place" not in _text(resp)
        assert "kartoteka reindex" in json.loads(_text(resp))["description"]
