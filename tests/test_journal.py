"""One record shape: a Publication's JSON is what the journal keeps and the API answers."""

from __future__ import annotations

import datetime as dt
import json
import re

from falcon import testing

from api.app import create_app
from indexer.cli import main
from search.api_journal import Journal
from search.models import Publication
from search.settings import SAMPLE_DIR

PUB = Publication(id="api-7", title="Акварели", text="Выставка акварелей юных художников.",
                  url="https://library.example.ru/news/7", published=dt.date(2025, 6, 1),
                  author="Анна Вершинина", topics=("Выставки",), library="ЦГБ", source="api")
# A line as journals wrote it while the Publication field was called `body`.
OLD_LINE = {"op": "put", "id": "api-8", "pub": {
    "id": "api-8", "title": "Старая запись", "body": "Текст из старого журнала о гравюрах.",
    "url": None, "published": "2024-01-02", "author": None, "author_position": None,
    "photographer": None, "topics": [], "library": None, "source": "api", "parent_id": None}}


def test_publication_json_round_trip():
    data = PUB.to_dict()
    assert list(data) == ["id", "title", "text", "url", "published", "author", "author_position",
                          "photographer", "topics", "library", "source", "parent_id"]
    assert data["published"] == "2025-06-01" and data["topics"] == ["Выставки"]
    assert Publication.from_dict(data, source=PUB.source) == PUB


def test_journal_keeps_to_dict_as_is(tmp_path):
    journal = Journal(tmp_path)
    journal.record_put([PUB])
    journal.record_delete(["gone"])
    lines = [json.loads(line) for line in journal.path.read_text("utf-8").splitlines()]
    assert lines == [{"op": "put", "id": "api-7", "pub": PUB.to_dict()},
                     {"op": "delete", "id": "gone"}]
    assert journal.latest() == {"api-7": PUB, "gone": None}


def test_old_journal_lines_still_read(tmp_path):
    journal = Journal(tmp_path)
    journal.path.write_text("\n".join([
        json.dumps(OLD_LINE, ensure_ascii=False),
        json.dumps({"op": "put", "id": "bad", "pub": None}),
        '{"op": "put", "id": "torn", "pub": {"id": "torn", "ti',  # cut by a crash
    ]) + "\n", encoding="utf-8")
    assert journal.latest() == {"api-8": Publication(
        id="api-8", title="Старая запись", text="Текст из старого журнала о гравюрах.",
        published=dt.date(2024, 1, 2), source="api")}


def test_api_record_is_a_publication_without_its_source(fresh_index):
    """What a full rebuild replays from the journal comes back as the journal has it."""
    Journal(fresh_index.index_dir).record_put([PUB])
    with open(Journal(fresh_index.index_dir).path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(OLD_LINE, ensure_ascii=False) + "\n")
    assert main(["--quiet", "--index-dir", str(fresh_index.index_dir), "reindex",
                 "--no-progress", str(SAMPLE_DIR)]) == 0
    client = testing.TestClient(create_app(fresh_index))
    record = client.simulate_get("/api/publications/api-7").json
    assert record == {key: value for key, value in PUB.to_dict().items() if key != "source"}
    old = client.simulate_get("/api/publications/api-8").json
    assert old["text"] == "Текст из старого журнала о гравюрах." and "body" not in old
    sample = client.simulate_get("/api/publications/zlat-2023-003").json
    assert set(sample) == set(PUB.to_dict()) - {"source"}


def test_full_and_incremental_reindex_agree_on_what_the_cms_pushed(fresh_index, capsys):
    """A source record edited and another deleted through the API stay so through full
    and incremental reindexes of that source, in any order: the CMS's last word wins."""
    client = testing.TestClient(create_app(fresh_index))
    auth = {"Authorization": "Bearer test-token"}
    edited = {**client.simulate_get("/api/publications/zlat-2022-005").json,
              "title": "Изменено через PUT"}
    assert client.simulate_put("/api/publications/zlat-2022-005", json=edited,
                               headers=auth).status_code == 200
    assert client.simulate_delete("/api/publications/zlat-2021-009",
                                  headers=auth).status_code == 200
    index = str(fresh_index.index_dir)
    for incremental in ([], ["--incremental"], [], ["--incremental"]):
        assert main(["--index-dir", index, "reindex", "--no-progress", "--sample",
                     *incremental]) == 0
        summary = capsys.readouterr().out.splitlines()[0]
        reader = testing.TestClient(create_app(fresh_index))
        got = reader.simulate_get("/api/publications/zlat-2022-005")
        assert got.json["title"] == "Изменено через PUT", (incremental, summary)
        assert reader.simulate_get("/api/publications/zlat-2021-009").status_code == 404
        documents = reader.simulate_get("/api/health").json["documents"]
        if incremental:
            assert summary.startswith("добавлено: 0  обновлено: 0  удалено: 0"), summary
        else:  # against the index it replaces: nothing new, the deleted one still gone
            added, updated, removed = (int(n) for n in re.findall(
                r"(?:добавлено|обновлено|удалено): (\d+)", summary))
            assert (added, removed) == (0, 0) and added + updated == documents, summary


def test_a_full_reindex_says_how_many_pushed_publications_it_carried(fresh_index, capsys):
    """The summary's counts add up to what the index holds: the publications the CMS
    pushed are carried into the new generation, and said so."""
    client = testing.TestClient(create_app(fresh_index))
    record = {"title": "Только из CMS", "text": "Публикация, которой нет в источниках."}
    assert client.simulate_put("/api/publications/cms-only", json=record,
                               headers={"Authorization": "Bearer test-token"}).status_code == 201
    assert main(["--index-dir", str(fresh_index.index_dir), "reindex", "--no-progress",
                 "--sample"]) == 0
    summary = capsys.readouterr().out.splitlines()[0]
    added, updated = (int(n) for n in re.findall(r"(?:добавлено|обновлено): (\d+)", summary))
    assert "перенесено из API: 1" in summary, summary
    reader = testing.TestClient(create_app(fresh_index))
    assert reader.simulate_get("/api/health").json["documents"] == added + updated
    assert reader.simulate_get("/api/publications/cms-only").status_code == 200

def test_a_push_after_a_line_torn_by_a_crash_is_kept(tmp_path):
    """A crash mid-append leaves half a line; the next PUT was appended onto it, both
    were one unreadable line, and the next full rebuild lost a PUT answered 201."""
    journal = Journal(tmp_path)
    journal.record_put([PUB])
    with open(journal.path, "a", encoding="utf-8") as fh:
        fh.write('{"op": "put", "id": "torn", "pub": {"title": "Обор')  # the crash
    after = Publication.from_dict(dict(PUB.to_dict(), id="after-torn"), source="api")
    journal.record_put([after])
    assert set(journal.latest()) == {"api-7", "after-torn"}


def test_writes_during_a_rebuild_s_last_steps_are_carried_and_the_lock_is_held_briefly(
        fresh_index, capsys, monkeypatch):
    """A full rebuild carries the API's writes before it takes the write lock, and then,
    under it, only those made since: a PUT waited up to 9 s at the end of a reindex under
    a CMS's writes, while the lock was held to derive the words and titles. A PUT and a
    DELETE made while the titles are read (the lock not held) are in the new generation."""
    import search.engine.whoosh.writer as writer_module

    client = testing.TestClient(create_app(fresh_index))
    auth = {"Authorization": "Bearer test-token"}
    record = {"title": "Первая из CMS", "text": "Публикация, которой нет в источниках."}
    assert client.simulate_put("/api/publications/cms-1", json=record,
                               headers=auth).status_code == 201
    real = writer_module.load_vocabulary
    wrote = []

    def load_vocabulary(*args, **kwargs):
        if not wrote:  # the lock is free here: the API's writes go through at once
            late = {"title": "Поздняя из CMS", "text": "Пришла под конец переиндексации."}
            wrote.append(client.simulate_put("/api/publications/cms-2", json=late,
                                             headers=auth).status_code)
            wrote.append(client.simulate_delete("/api/publications/zlat-2023-003",
                                                headers=auth).status_code)
        return real(*args, **kwargs)

    monkeypatch.setattr(writer_module, "load_vocabulary", load_vocabulary)
    assert main(["--index-dir", str(fresh_index.index_dir), "reindex", "--no-progress",
                 "--sample"]) == 0
    assert wrote == [201, 200]
    summary = capsys.readouterr().out.splitlines()[0]
    assert "перенесено из API: 2" in summary, summary
    reader = testing.TestClient(create_app(fresh_index))
    assert reader.simulate_get("/api/publications/cms-2").status_code == 200
    assert reader.simulate_get("/api/publications/cms-1").status_code == 200
    assert reader.simulate_get("/api/publications/zlat-2023-003").status_code == 404
    found = reader.simulate_get("/api/search", params={"q": "переиндексации"}).json
    assert [h["id"] for h in found["hits"]] == ["cms-2"]
