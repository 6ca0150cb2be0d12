"""The `kartoteka` command line: reindex, search --json, stats, bad sources, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from indexer.cli import main
from search.settings import SAMPLE_DIR
from search.topics import TopicDictionary

JSONL = SAMPLE_DIR / "publications.jsonl"
RECORDS = [json.loads(line) for line in JSONL.read_text(encoding="utf-8").splitlines()
           if line.strip()]
BY_ID = {r["id"]: r for r in RECORDS}
HIT_KEYS = {"id", "title", "url", "published", "author", "topics", "library", "snippet",
            "score", "parent_id", "copies"}
RESULT_KEYS = {"query", "total", "page", "per_page", "hits", "facets", "did_you_mean",
               "corrected", "correction", "relaxed", "warnings", "partial", "partial_total", "copies_total",
               "topic_hints"}


@pytest.fixture(scope="module")
def jsonl_index(tmp_path_factory) -> Path:
    """The sample's JSON Lines file alone, indexed through the CLI."""
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    return index_dir


def _search(capsys, index_dir: Path, *args: str) -> dict:
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "search", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _browse_all(capsys, index_dir: Path, *args: str) -> dict:
    return _search(capsys, index_dir, "", "--per-page", "100", *args)


def _facets(data: dict) -> dict[str, dict[str, int]]:
    return {name: {v["value"]: v["count"] for v in values}
            for name, values in data["facets"].items()}


def _expected_facets(records: list[dict]) -> dict[str, dict[str, int]]:
    topics = TopicDictionary.load()
    topic_counts: Counter = Counter()
    for r in records:
        own = [r["topic"]] if r.get("topic") else []
        words = topics.assign(r["title"], None if own else r["text"])
        assigned = own + [t for t in words if t not in own]
        topic_counts.update(assigned)
    return {
        "author": dict(Counter(r["author"] for r in records if r.get("author"))),
        "library": dict(Counter(r["library"] for r in records if r.get("library"))),
        "year": dict(Counter(r["date"][:4] for r in records if r.get("date"))),
        "topic": dict(topic_counts),
    }


# -- reindex -----------------------------------------------------------------------
def test_reindex_names_the_library_of_publications_that_name_none(tmp_path, capsys):
    """`--library`: a library indexing its own export names itself; a record naming its
    own library keeps it; the name is filterable and stays through incremental runs."""
    source = tmp_path / "news.jsonl"
    records = [{"id": "own-1", "title": "Выставка акварели", "text": "Выставка акварели."},
               {"id": "own-2", "title": "Громкие чтения", "text": "Читали вслух.",
                "library": "Детская библиотека"}]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    index_dir = tmp_path / "ix"
    for extra in ([], ["--incremental"]):
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     *extra, "--library", " Краснопольская  библиотека ", str(source)]) == 0
        data = _browse_all(capsys, index_dir)
        assert {h["id"]: h["library"] for h in data["hits"]} == {
            "own-1": "Краснопольская библиотека", "own-2": "Детская библиотека"}
        only = _browse_all(capsys, index_dir, "--library", "краснопольская библиотека")
        assert [h["id"] for h in only["hits"]] == ["own-1"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:  # `--library="$LIB"` with LIB unset
        main(["--index-dir", str(index_dir), "reindex", "--library", " ", str(source)])
    assert exit_.value.code == 2 and "аргумент --library: пустое имя" in capsys.readouterr().err


def test_a_binary_file_named_jsonl_is_one_skip_line(tmp_path, capsys):
    """5 KB of binary named `.jsonl` gave 29 «не текст в UTF-8» skip lines, one per line."""
    import random

    noise = random.Random(5)
    binary = tmp_path / "photo.jsonl"
    binary.write_bytes(bytes(noise.randrange(128, 256) if n % 170 else 10 for n in range(5000)))
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(binary), str(JSONL)]) == 0
    out = capsys.readouterr().out
    # one skip, not the first two lines' and then the file's (a cron mail of three lines)
    assert "пропущено: 1  " in out.splitlines()[0] + "  "
    assert ("  пропущено 1: первые строки (3) — не текст в UTF-8 (другая кодировка или вовсе "
            "не текст): остальное не прочитано") in out.splitlines()


def test_a_line_not_in_utf8_among_text_lines_is_one_skip(tmp_path, capsys):
    mixed = tmp_path / "mixed.jsonl"
    lines = JSONL.read_bytes().splitlines(keepends=True)
    mixed.write_bytes(b"\xff\xfe\n" + lines[0] + b"\xfa\n" + b"".join(lines[1:3]))
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(mixed)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("добавлено: 3 ")
    assert "  пропущено 2: не текст в UTF-8" in out.splitlines()


def test_an_export_record_signed_in_its_text_gets_its_signer_as_author(tmp_path, capsys):
    """A page's signature became its author; the same post in an export, with the
    signature as the text's last lines and no author field, was not found by the
    signer's name. A sentence naming someone at the end is not a signature."""
    src = tmp_path / "export.jsonl"
    _write_jsonl(src, [
        {"id": "signed", "title": "Вечер поэзии", "date": "2024-03-01",
         "text": "В читальном зале прошёл вечер поэзии.\nГости читали стихи о весне.\n"
                 "Морощук Ирина Николаевна, гл. библиотекарь"},
        {"id": "capitals", "title": "Встреча с краеведом", "date": "2024-03-02",
         "text": "Краевед рассказал об истории улиц города.\nА.А. КРАСИЛОВ,\n"
                 "почётный гражданин города"},
        {"id": "sentence", "title": "Совещание", "date": "2024-03-03",
         "text": "Прошло совещание.\nОднако Владимир Владимирович не стал рисковать."}])
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(src)]) == 0
    hits = {h["id"]: h for h in _browse_all(capsys, index_dir)["hits"]}
    assert hits["signed"]["author"] == "Ирина Морощук"
    assert hits["capitals"]["author"] == "А. А. Красилов"
    assert hits["sentence"]["author"] is None
    assert [h["id"] for h in _search(capsys, index_dir, "Морощук")["hits"]] == ["signed"]
    assert _search(capsys, index_dir, "", "--author", "Ирина Морощук")["total"] == 1


def test_reindex_summary(tmp_path, capsys):
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"добавлено: {len(RECORDS)}  обновлено: 0  удалено: 0  пропущено: 0"
    assert re.fullmatch(r"время: \d+,\d с  \(\d+ публ\./с; добавление \d+,\d с, "
                        r"запись \d+,\d с\)", lines[1]), lines[1]
    assert re.fullmatch(r"кэш лемм: \d+,\d\xa0% попаданий из (\d{1,4}|\d{2,3}(\xa0\d{3})+) обращени[яй] \(все процессы "
                        r"индексации\); слов, известных с прошлой перестройки: 0", lines[2])
    assert re.fullmatch(rf"индекс: {re.escape(str(tmp_path / 'ix' / 'gen-000001'))}  "
                        r"\(\d+,\d МБ\)", lines[3]), lines[3]
    assert (tmp_path / "ix" / "CURRENT").read_text().strip() == "gen-000001"
    # an incremental run has no such phases: it said `add 0.0 s, commit 0.0 s` (now Russian)
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 "--incremental", str(JSONL)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"время: \d+,\d с  \(\d+ публ\./с\)", lines[1]), lines[1]


def test_a_full_run_counts_what_came_and_went_since_the_index_it_replaces(tmp_path, capsys):
    """A nightly full run said «добавлено: 3376» every night: the new ones and those gone
    are now told against the index it replaces (the rest «обновлено»: written again)."""
    index_dir = tmp_path / "ix"
    argv = ["--index-dir", str(index_dir), "reindex", "--no-progress"]
    assert main([*argv, str(JSONL)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(
        f"добавлено: {len(RECORDS)}  обновлено: 0  удалено: 0")
    changed = tmp_path / "changed.jsonl"
    _write_jsonl(changed, [*RECORDS[2:], dict(RECORDS[0], id="new-1")])
    assert main([*argv, str(changed)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"добавлено: 1  обновлено: {len(RECORDS) - 2}  удалено: 2  пропущено: 0")


def _on_a_terminal(argv: list[str]) -> tuple[str, str]:
    """Run the CLI with stderr on a pseudo-terminal (so the progress bar shows): (out, err)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    proc = subprocess.Popen([sys.executable, "-m", "indexer", *argv], stdout=subprocess.PIPE,
                            stderr=terminal, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = proc.stdout.read().decode()
    assert proc.wait(timeout=60) == 0
    os.close(controller)
    return out, b"".join(chunks).decode()


def test_reindex_progress_has_a_total_an_eta_and_a_commit_phase(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    out, err = _on_a_terminal(["reindex", "--index-dir", str(tmp_path / "ix"), str(JSONL),
                               str(tmp_path / "empty.txt")])
    total = len(RECORDS) + 1  # the empty file is counted as one skipped item
    # the total is known from the start; elapsed<remaining is the ETA
    assert re.search(rf"индексация:   0%\|[ ]+\| 0/{total} \[00:00<\?", err), err
    assert re.search(rf"индексация: 100%\|█+\| {total}/{total} \[\d\d:\d\d<00:00", err), err
    assert re.search(r"\rзапись индекса: \d\d:\d\d", err), err
    assert err.index(f"{total}/{total}") < err.index("запись индекса")
    assert out.splitlines()[0] == (f"добавлено: {len(RECORDS)}  обновлено: 0  удалено: 0  "
                                   "пропущено: 1")


def test_reindex_progress_without_a_terminal_is_log_lines(tmp_path, capsys, caplog):
    caplog.set_level("INFO", logger="kartoteka")
    assert main(["reindex", "--index-dir", str(tmp_path / "ix"), str(JSONL)]) == 0
    messages = [r.getMessage() for r in caplog.records]
    assert messages.index(f"к индексации: {len(RECORDS)}") < messages.index("запись индекса...")
    assert main(["reindex", "--quiet", "--index-dir", str(tmp_path / "ix"), str(JSONL)]) == 0
    assert capsys.readouterr().err == ""


def test_reindex_with_nothing_indexable_keeps_old_index(tmp_path, capsys):
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(empty)]) == 1
    assert capsys.readouterr().err == ("error: из источников не прочитано ни одной публикации; "
                                       "индекс оставлен как был\n")
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    assert _browse_all(capsys, index_dir)["total"] == len(RECORDS)


# -- search --json -----------------------------------------------------------------
def test_search_json_shape(jsonl_index, capsys):
    data = _search(capsys, jsonl_index, "библиотека")
    assert set(data) == RESULT_KEYS
    assert data["query"] == "библиотека"
    assert (data["page"], data["per_page"]) == (1, 10)
    assert data["total"] > 10
    assert len(data["hits"]) == 10
    assert set(data["facets"]) == {"topic", "author", "library", "year"}
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert isinstance(hit["topics"], list)
        assert isinstance(hit["score"], float)
    for values in data["facets"].values():
        for value in values:
            assert set(value) == {"value", "count", "selected"}
    assert data["did_you_mean"] is None
    assert data["relaxed"] is False


def test_hits_carry_their_record(jsonl_index, capsys):
    data = _browse_all(capsys, jsonl_index)
    assert data["total"] == len(RECORDS)
    assert sorted(hit["id"] for hit in data["hits"]) == sorted(BY_ID)
    for hit in data["hits"]:
        record = BY_ID[hit["id"]]
        assert hit["title"] == record["title"]
        assert hit["url"] == record["url"]
        assert hit["published"] == record["date"]
        assert hit["author"] == record.get("author")
        assert hit["library"] == record["library"]
        if record.get("topic"):  # the record's own first, then any its words show
            assert hit["topics"][0] == record["topic"]


def test_search_by_title_returns_record_id(jsonl_index, capsys):
    record = BY_ID["zlat-2021-001"]
    data = _search(capsys, jsonl_index, f'"{record["title"]}"')
    assert data["hits"][0]["id"] == "zlat-2021-001"


def test_facet_counts_match_brute_force(jsonl_index, capsys):
    assert _facets(_browse_all(capsys, jsonl_index)) == _expected_facets(RECORDS)


def test_facet_counts_under_a_filter(jsonl_index, capsys):
    library = "Детская центральная библиотека"
    data = _browse_all(capsys, jsonl_index, "--library", library)
    chosen = [r for r in RECORDS if r["library"] == library]
    assert data["total"] == len(chosen)
    got, want_all, want = _facets(data), _expected_facets(RECORDS), _expected_facets(chosen)
    assert got["library"] == want_all["library"]  # a facet ignores its own filter
    assert got["author"] == want["author"]
    assert got["year"] == want["year"]
    assert got["topic"] == want["topic"]
    assert [v for v in data["facets"]["library"] if v["selected"]] == [
        {"value": library, "count": len(chosen), "selected": True}]


def test_year_facet_newest_first(jsonl_index, capsys):
    years = [v["value"] for v in _browse_all(capsys, jsonl_index)["facets"]["year"]]
    assert years == sorted({r["date"][:4] for r in RECORDS}, reverse=True)


@pytest.mark.parametrize("record_id", ["zlat-2021-001", "zlat-2023-004", "zlat-2025-011"])
def test_date_filters_are_inclusive(jsonl_index, capsys, record_id):
    day = BY_ID[record_id]["date"]
    same_day = sorted(r["id"] for r in RECORDS if r["date"] == day)
    data = _browse_all(capsys, jsonl_index, "--from", day, "--to", day)
    assert sorted(hit["id"] for hit in data["hits"]) == same_day
    assert record_id in same_day
    after = _browse_all(capsys, jsonl_index, "--from", day)
    assert after["total"] == sum(r["date"] >= day for r in RECORDS)
    before = _browse_all(capsys, jsonl_index, "--to", day)
    assert before["total"] == sum(r["date"] <= day for r in RECORDS)


def test_a_browse_says_its_count_without_an_empty_query(jsonl_index, capsys):
    assert main(["--index-dir", str(jsonl_index), "search", ""]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"Найдено: {len(RECORDS)} публикаций"


def test_inverted_date_range_is_an_error_of_usage(jsonl_index, capsys):
    """Exit 2, as `--from 2024-13-01` (argparse's) is: it had been 1, a failure."""
    assert main(["--index-dir", str(jsonl_index), "search", "", "--from", "2024-01-02",
                 "--to", "2024-01-01"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.parametrize(("sort", "descending"), [("date", True), ("date_desc", True),
                                                    ("date_asc", False)])
def test_sort_by_date(jsonl_index, capsys, sort, descending):
    data = _search(capsys, jsonl_index, "библиотека", "--sort", sort, "--per-page", "100")
    dates = [hit["published"] for hit in data["hits"]]
    assert len(dates) == data["total"] > 10
    assert dates == sorted(dates, reverse=descending)
    assert all(hit["score"] is None for hit in data["hits"])


@pytest.mark.parametrize("query", ["", "библиотека"])
def test_pagination(jsonl_index, capsys, query):
    full = _search(capsys, jsonl_index, query, "--per-page", "100")
    ids = [hit["id"] for hit in full["hits"]]
    paged = []
    for page in range(1, len(ids) // 7 + 2):
        data = _search(capsys, jsonl_index, query, "--per-page", "7", "--page", str(page))
        assert (data["page"], data["per_page"], data["total"]) == (page, 7, full["total"])
        paged += [hit["id"] for hit in data["hits"]]
    assert paged == ids
    beyond = _search(capsys, jsonl_index, query, "--per-page", "7", "--page", "100")
    assert beyond["hits"] == []
    assert beyond["total"] == full["total"]


def test_plain_text_search(jsonl_index, capsys):
    capsys.readouterr()
    assert main(["--index-dir", str(jsonl_index), "search", "ёлка"]) == 0
    out = capsys.readouterr().out
    assert re.match(r"Найдено: \d+ публикаци(я|и|й) по запросу «ёлка»\n", out), out
    assert "[zlat-" in out
    # dates as the page and the exports write them, not ISO (a librarian's trial)
    first = re.search(r"\[(zlat-[^\]]+)\]", out)[1]
    day = dt.date.fromisoformat(BY_ID[first]["date"])
    assert f"\n   {day:%d.%m.%Y} · " in out, out
    assert not re.search(r"\n   \d{4}-\d{2}-\d{2}", out), out


# -- stats -------------------------------------------------------------------------
def test_stats(jsonl_index, capsys):
    capsys.readouterr()
    assert main(["--index-dir", str(jsonl_index), "stats"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"публикаций: {len(RECORDS)}"
    assert lines[1].startswith("поколение: gen-000001  (построено 20")
    assert lines[2].startswith("движок: whoosh  индекс: ") and lines[2].endswith(" МБ)")
    assert lines[3] == f"каталог индекса: {jsonl_index}  (выбран по --index-dir)"
    values = {1: "значение", 2: "значения", 6: "значений", 12: "значений"}  # as counted
    authors = Counter(r["author"] for r in RECORDS if r.get("author"))
    assert f"Автор ({len(authors)} {values[len(authors)]}):" in lines, lines
    libraries = Counter(r["library"] for r in RECORDS)
    assert f"Библиотека ({len(libraries)} {values[len(libraries)]}):" in lines, lines
    assert "Тема (15 значений):" in lines and "Год" in "".join(lines)
    for library, count in libraries.items():
        assert f"  {count:6}  {library}" in lines


def test_index_dir_from_the_environment_wins_and_is_named(jsonl_index, tmp_path, monkeypatch,
                                                        capsys):
    """$KARTOTEKA_INDEX_DIR beats the source checkout's index_data/index; --index-dir beats both."""
    monkeypatch.setenv("KARTOTEKA_INDEX_DIR", str(jsonl_index))
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["stats"]) == 0
    assert f"каталог индекса: {jsonl_index}  (выбран по KARTOTEKA_INDEX_DIR)" in \
        capsys.readouterr().out.splitlines()
    assert main(["stats", "--index-dir", str(tmp_path / "none")]) == 3
    assert capsys.readouterr().err.endswith("(каталог индекса выбран по --index-dir)\n")


def test_bare_pytest_collects_from_the_checkout():
    """`pytest` (the script, not `python -m pytest`) imports tests.* from the checkout."""
    pytest_script = Path(sys.executable).with_name("pytest")
    if not pytest_script.exists():
        pytest.skip("no pytest script beside this interpreter")
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([str(pytest_script), "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/test_models.py"], cwd=root, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ModuleNotFoundError" not in run.stdout + run.stderr


# -- bad sources ---------------------------------------------------------------------
_CP1251_PAGE = (
    "Новогодний утренник в библиотеке\n\n"
    "В детской библиотеке прошёл весёлый новогодний утренник для маленьких читателей.\n"
    "Ребята водили хоровод вокруг нарядной ёлки, читали стихи и отгадывали загадки.\n"
    "Каждый участник праздника получил в подарок интересную книгу о зимних приключениях.\n"
)


def _good_record(pid: str, title: str) -> str:
    return json.dumps({"id": pid, "title": title, "date": "2024-02-03",
                       "text": "Читатели обсудили новые книги о путешествиях."},
                      ensure_ascii=False)


def test_bad_sources_are_skipped(tmp_path, capsys, caplog, monkeypatch):
    monkeypatch.setenv("KARTOTEKA_MAX_SOURCE_BYTES", "4000")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a_good.jsonl").write_text(
        _good_record("good-1", "Путешествия") + "\n" + _good_record("good-2", "Поход") + "\n",
        encoding="utf-8")
    (src / "b_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (src / "c_empty.txt").write_bytes(b"")
    (src / "d_truncated.jsonl").write_text(
        _good_record("good-3", "Экскурсия") + "\n" + '{"id": "cut", "title": "Обры', encoding="utf-8")
    (src / "e_cp1251.txt").write_bytes(_CP1251_PAGE.encode("cp1251"))
    huge = json.dumps({"id": "huge", "title": "Огромная", "text": "книга " * 1000},
                      ensure_ascii=False)
    (src / "f_big.jsonl").write_text(_good_record("good-4", "Поездка") + "\n" + huge + "\n",
                                     encoding="utf-8")
    (src / "g_big.txt").write_text(_CP1251_PAGE * 20, encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 0
    captured = capsys.readouterr()
    summary = captured.out.splitlines()
    assert summary[0] == "добавлено: 5  обновлено: 0  удалено: 0  пропущено: 5"
    for kind in ("двоичный файл, а не текст или HTML", "пустой файл"):
        assert f"  пропущено 1: {kind}" in summary
    for kind in (r"слишком большой файл \([\d\xa0]+ байт > 4000\)",
                 r"слишком большая запись \([\d\xa0]+ байт > 4000\)"):
        assert any(re.fullmatch(f"  пропущено 1: {kind}", line) for line in summary), summary
    # said as what it is, not `column 1` past the line's end
    assert "  пропущено 1: неверный JSON: незакрытая строка (столбец 24)" in summary
    assert "кончается раньше записи" not in captured.out
    cut = tmp_path / "cut.jsonl"  # the closing brace lost: no `column 1` past the end
    cut.write_text('{"id": "x", "title": "Обрыв", "text": "т"\n', encoding="utf-8")
    assert main(["--index-dir", str(tmp_path / "ix2"), "reindex", "--no-progress", str(cut),
                 str(src / "a_good.jsonl")]) == 0
    assert ("пропущено 1: неверный JSON: ожидалась запятая (строка кончается раньше записи: "
            "обрезана?)") in capsys.readouterr().out
    messages = captured.err + caplog.text
    assert f"пропущено: {src / 'b_binary.txt'}: " in messages
    assert f"пропущено: {src / 'c_empty.txt'}: " in messages
    assert f"пропущено: {src / 'd_truncated.jsonl'}:2: неверный JSON" in messages
    assert f"пропущено: {src / 'f_big.jsonl'}:2: слишком большая запись (" in messages
    assert f"пропущено: {src / 'g_big.txt'}: слишком большой файл (" in messages

    data = _browse_all(capsys, index_dir)
    assert sorted(hit["id"] for hit in data["hits"]) == [
        "good-1", "good-2", "good-3", "good-4", "page-e_cp1251.txt"]
    # the undeclared cp1251 page is detected and decoded, not skipped
    found = _search(capsys, index_dir, "утренник хоровод")
    assert [(h["id"], h["title"]) for h in found["hits"]] == [
        ("page-e_cp1251.txt", "Новогодний утренник в библиотеке")]


def test_files_of_kinds_not_read_are_named_in_the_summary(tmp_path, capsys):
    """A notes file or a table in the export directory is not indexed: the summary says
    so (a README, which describes the directory, is not counted)."""
    src = tmp_path / "export"
    src.mkdir()
    (src / "a.jsonl").write_text(_good_record("good-1", "Путешествия") + "\n", encoding="utf-8")
    (src / "note.md").write_text("# заметка", encoding="utf-8")
    (src / "table.csv").write_text("a;b\n", encoding="utf-8")
    (src / "README.txt.md").write_text("о папке", encoding="utf-8")
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress", str(src)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  не прочитано файлов неиндексируемых видов: 2 — .csv (1), .md (1)" in lines
    assert main(["--index-dir", str(tmp_path / "ix2"), "reindex", "--no-progress",
                 "--sample"]) == 0
    assert not any("неиндексируемых" in line for line in capsys.readouterr().out.splitlines())


def test_jsonl_with_a_byte_order_mark_keeps_its_first_record(tmp_path, capsys):
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(("\ufeff" + _good_record("bom-1", "Путешествия") + "\r\n"
                     + _good_record("bom-2", "Поход") + "\r\n").encode("utf-8"))
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(bom)]) == 0
    assert capsys.readouterr().out.startswith("добавлено: 2  обновлено: 0  удалено: 0  "
                                               "пропущено: 0")
    assert sorted(h["id"] for h in _browse_all(capsys, index_dir)["hits"]) == ["bom-1", "bom-2"]


@pytest.mark.parametrize("name, content, said", [
    ("export.csv", "Заголовок;Дата;Автор\nВыставка;01.02.2024;Анна\n",
     "таблица .csv не индексируется"),
    ("settings.json", json.dumps({"theme": "dark", "items": [1, 2]}),
     "не JSON Lines с публикациями и не выгрузка WordPress")])
def test_a_file_of_no_kind_read_named_directly_is_reported_not_read_as_a_page(
        tmp_path, capsys, name, content, said):
    """An export of search results fed back (its header row was indexed as a title), or
    JSON that holds no records."""
    other = tmp_path / name
    other.write_text(content, encoding="utf-8")
    source = tmp_path / "good.jsonl"
    _write_jsonl(source, RECORDS[:1])
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(other),
                 str(source)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("добавлено: 1  обновлено: 0  удалено: 0  пропущено: 1")
    assert said in out


@pytest.mark.parametrize("name, layout", [("export.json", "lines"), ("export.txt", "lines"),
                                          ("export.json", "array"), ("export.json", "pretty"),
                                          ("folder/export.json", "array")])
def test_records_in_a_json_file_of_another_name_are_read_as_records(tmp_path, capsys, name,
                                                                     layout):
    """JSON Lines saved as `.json` or `.txt`, or a JSON array of records, were read as one
    web page titled with the raw JSON (exit 0: on a first install the live index)."""
    records = RECORDS[:3]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    content = {"lines": lines, "array": json.dumps(records, ensure_ascii=False),
               "pretty": json.dumps(records, ensure_ascii=False, indent=2)}[layout]
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    index_dir = tmp_path / "ix"
    source = tmp_path / "folder" if name.startswith("folder/") else path
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    assert capsys.readouterr().out.startswith("добавлено: 3  обновлено: 0  удалено: 0  "
                                               "пропущено: 0")
    found = _browse_all(capsys, index_dir)["hits"]
    assert sorted(h["id"] for h in found) == sorted(r["id"] for r in records)
    assert sorted(h["title"] for h in found) == sorted(r["title"] for r in records)



def test_page_code_a_scraper_left_in_a_text_is_left_out(tmp_path, capsys, caplog):
    prose = "Сборная по биатлону выиграла эстафету; тренер поблагодарил болельщиков."
    code = ['jwplayer("js-player-1").setup({ width: "100%", aspectratio: "16:9" });',
            "body{min-height:500px}.playbuzz{display:block;margin:0 auto}",
            "}"]
    records = [{"id": "coded", "title": "Эстафета", "text": "\n".join([prose, *code, prose])},
               {"id": "plain", "title": "Формула", "text": "Площадь круга {S = πr²}; знаем с "
                                                          "детства, сказала учительница."}]
    source = tmp_path / "scraped.jsonl"
    _write_jsonl(source, records)
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    captured = capsys.readouterr()
    assert ("из текста убраны строки кода страницы (скрипты, стили): 3"
            in captured.err + caplog.text)
    assert "  исправлено 1: убран из текста код страницы (скрипты, стили)" in captured.out
    assert _search(capsys, index_dir, "jwplayer")["total"] == 0
    assert _search(capsys, index_dir, "playbuzz")["total"] == 0
    assert _search(capsys, index_dir, "эстафета")["total"] == 1
    assert _search(capsys, index_dir, "учительница")["total"] == 1  # prose with a brace stays


def test_jsonl_dates_in_russian_forms_and_unreadable_ones(tmp_path, capsys, caplog):
    text = "Читатели обсудили новые книги о путешествиях."
    records = [{"id": "d-dots", "title": "Точки", "text": text, "date": "31.12.2024"},
               {"id": "d-words", "title": "Слова", "text": text, "published": "3 марта 2023 г."},
               {"id": "d-iso", "title": "ISO", "text": text, "date": "2022-05-06T10:00:00"},
               {"id": "d-bad", "title": "Плохая", "text": text, "date": "вчера"},
               {"id": "d-none", "title": "Без даты", "text": text}]
    source = tmp_path / "dates.jsonl"
    _write_jsonl(source, records)
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "добавлено: 5  обновлено: 0  удалено: 0  пропущено: 0"
    assert ("  исправлено 1: проиндексированы без даты, которую не удалось прочитать "
            f"(например {source}:4)") in lines
    assert (f"warning: {source}:4: дата 'вчера' не распознана (или год не от 1000 до 2999); "
            "проиндексировано без даты" in captured.err + caplog.text)
    published = {h["id"]: h["published"] for h in _browse_all(capsys, index_dir)["hits"]}
    assert published == {"d-dots": "2024-12-31", "d-words": "2023-03-03",
                         "d-iso": "2022-05-06", "d-bad": None, "d-none": None}
    # --quiet (the nightly cron): counted in the summary, no line per record
    caplog.clear()
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(source)]) == 0
    captured = capsys.readouterr()
    # ... with the first such record's place: the cron's log has no line to look it up in
    assert ("  исправлено 1: проиндексированы без даты, которую не удалось прочитать "
            f"(например {source}:4)") in captured.out
    assert "вчера" not in captured.err + "".join(
        r.getMessage() for r in caplog.records if r.levelno >= 30)


def test_a_date_more_than_a_year_ahead_is_indexed_and_said(tmp_path, capsys, caplog):
    """`2099-01-01` (a year mistyped) had put a post first among the newest for ever,
    without a word; an event announced for next month is no mistake."""
    import datetime as dt

    text = "Читатели обсудили новые книги о путешествиях."
    soon = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    records = [{"id": "f-typo", "title": "Опечатка", "text": text, "date": "2099-01-01"},
               {"id": "f-soon", "title": "Анонс", "text": text, "date": soon},
               {"id": "f-past", "title": "Было", "text": text, "date": "2024-05-06"}]
    source = tmp_path / "future.jsonl"
    _write_jsonl(source, records)
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    captured = capsys.readouterr()
    assert (f"warning: {source}:1: публикация датирована 01.01.2099 — более чем на год "
            "вперёд: проверьте год (она будет первой среди новых)" in captured.err + caplog.text)
    assert f"{source}:2:" not in captured.err + caplog.text and "исправлено" not in captured.out
    assert f"  с датой более чем на год вперёд: 1 (проверьте год; например {source}:1)" in \
        captured.out.splitlines()
    published = {h["id"]: h["published"] for h in _browse_all(capsys, index_dir)["hits"]}
    assert published["f-typo"] == "2099-01-01" and published["f-soon"] == soon


def test_an_address_with_its_site_written_twice_is_mended(tmp_path, capsys, caplog):
    """`https://russian.rt.comhttps://russian.rt.com/…` (a scraper joined the site to an
    address already whole: 171 records of the real corpus) is indexed as the address it
    holds, and said; a news site's page is not called the library's."""
    from falcon import testing

    from api.app import create_app
    from search.settings import Settings

    url = "https://news.example.ru/world/1-vystavka"
    source = tmp_path / "news.jsonl"
    source.write_text(json.dumps({"id": "n1", "title": "Выставка", "text": "Открылась выставка.",
                                  "url": "https://news.example.ru" + url},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    captured = capsys.readouterr()
    assert "  исправлено 1: исправлены адреса с дважды записанным сайтом" in captured.out
    # the beginnings of both, the site twice and once (not both shortened alike)
    said = ("news.jsonl:1: в адресе 'https://news.example.ruhttps://news.example.ru/world/1-vys'… "
            "сайт записан дважды; проиндексирован как 'https://news.example.ru/world/1-vys'…")
    assert said in captured.err + caplog.text, caplog.text
    client = testing.TestClient(create_app(Settings.from_env({}, index_dir=index_dir)))
    assert client.simulate_get("/api/publications/n1").json["url"] == url
    page = client.simulate_get("/p/n1", headers={"Accept": "text/html"}).text
    assert f'href="{url}"' in page and "Открыть на исходном сайте" in page
    assert "сайте библиотеки" not in page


def test_jsonl_values_nothing_could_serve_are_mended_or_skipped(tmp_path, capsys, caplog):
    """A line the API could not answer with (a lone surrogate breaks JSON and CSV output),
    a link no page may follow, a year the `year` filter refuses: mended and named. A line
    of wrong types (`topics: 5`, `id: true`) is skipped, not a crash of the whole run."""
    from falcon import testing

    from api.app import create_app
    from search.settings import Settings

    lines = ['{"id": "e2", "title": "Суррогат \\ud800 выставка", "text": "краеведение", '
             '"url": "javascript:alert(1)", "date": "0001-01-01"}',
             '{"id": "t5", "title": "t", "topics": 5}',
             '{"id": "td", "title": "t", "topics": {"a": 1}}',
             '{"id": true, "title": "t"}',
             '{"id": 1.5, "title": "t"}',
             '{"id": "far", "title": "Дальняя", "text": "краеведение", "date": "9999-12-31"}',
             _good_record("good-1", "Краеведение")]
    source = tmp_path / "bad.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "добавлено: 3  обновлено: 0  удалено: 0  пропущено: 4"
    at = re.escape(str(source)) + r":\d+"
    assert any(re.fullmatch(
        r"  исправлено 2: проиндексированы без даты, которую не удалось прочитать "
        rf"\(2, например {at}\); проиндексированы без ссылки, которая не адрес "
        rf"http\(s\) \(1, например {at}\); заменены испорченные символы \(1, например {at}\)",
        line) for line in captured.out.splitlines())
    said = {2: "пропущено: {}:2: topics должно быть строкой или списком строк",
            3: "пропущено: {}:3: topics должно быть строкой или списком строк",
            4: "пропущено: {}:4: id должен быть строкой или целым числом",
            5: "пропущено: {}:5: id должен быть строкой или целым числом",
            1: "warning: {}:1: испорченные символы (одиночные суррогаты) заменены на \ufffd",
            6: "warning: {}:6: дата '9999-12-31' не распознана"}
    for line, message in said.items():
        assert message.format(source) in captured.err + caplog.text, line
    assert ("url 'javascript:alert(1)' — не адрес http(s) и не путь на сайте; "
            "проиндексировано без него") in captured.err + caplog.text

    client = testing.TestClient(create_app(Settings.from_env({}, index_dir=index_dir)))
    found = client.simulate_get("/api/search", params={"q": "краеведение"})
    assert found.status_code == 200, found.text
    by_id = {h["id"]: h for h in found.json["hits"]}
    assert by_id["e2"]["title"] == "Суррогат \ufffd выставка" and by_id["e2"]["url"] is None
    assert by_id["e2"]["published"] is None and by_id["far"]["published"] is None
    assert client.simulate_get("/api/publications/e2").status_code == 200
    csv = client.simulate_get("/api/export", params={"q": "краеведение", "format": "csv"})
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == 4, csv.text
    xlsx = client.simulate_get("/api/export", params={"q": "краеведение", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_failed_first_reindex_says_no_index_was_made(tmp_path, capsys):
    """With no index before it, a run that stops does not claim to have kept one."""
    index_dir = tmp_path / "ix"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(empty)]) == 1
    assert capsys.readouterr().err == ("error: из источников не прочитано ни одной публикации; "
                                       "индекс не создан: прежнего не было\n")
    missing = tmp_path / "exprot"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(missing)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {missing}: нет такого файла или каталога",
        "error: источник не прочитан; индекс не создан: прежнего не было"]
    assert not list(index_dir.glob("gen-*"))


def test_rebuild_with_a_missing_source_keeps_the_index(tmp_path, capsys):
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    capsys.readouterr()
    missing = tmp_path / "exprot"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(JSONL),
                 str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"error: {missing}: нет такого файла или каталога",
        "error: источник не прочитан; индекс оставлен как был"]
    assert captured.out == ""
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    assert _browse_all(capsys, index_dir)["total"] == len(RECORDS)


def test_cron_rebuild_of_the_sample_and_a_missing_path_fails(tmp_path, capsys):
    """The real command as cron runs it (stdin from /dev/null, no terminal)."""
    import os

    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    missing = tmp_path / "srv" / "library" / "exprot"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    proc = subprocess.run([sys.executable, "-m", "indexer", "--quiet", "--index-dir",
                           str(index_dir), "reindex", "--sample", str(missing)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"error: {missing}: нет такого файла или каталога\n" in proc.stderr
    assert proc.stdout == ""
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    assert _browse_all(capsys, index_dir)["total"] == len(RECORDS)


@pytest.mark.parametrize(("name", "head"), [("found.csv", b"\xef\xbb\xbf"),
                                            ("found.XLSX", b"PK\x03\x04")])
def test_search_output_takes_the_format_from_its_extension(jsonl_index, tmp_path, capsysbinary,
                                                           name, head):
    out = tmp_path / name
    assert main(["--index-dir", str(jsonl_index), "search", "библиотека", "--output",
                 str(out)]) == 0
    assert capsysbinary.readouterr().out == b""
    assert out.read_bytes().startswith(head)


def test_search_output_of_another_extension_needs_a_format(jsonl_index, tmp_path, capsys):
    out = tmp_path / "found.txt"
    with pytest.raises(SystemExit) as exit_info:
        main(["--index-dir", str(jsonl_index), "search", "библиотека", "--output", str(out)])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: для --output нужен --format csv|xlsx или имя файла "
                                   "на .csv или .xlsx")
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert not out.exists()


# -- incremental ---------------------------------------------------------------------
def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def _indexed_export(tmp_path: Path, **files: list[dict]) -> tuple[Path, Path]:
    """An export directory of JSON Lines files (name -> records), fully indexed: (the
    directory, the index directory)."""
    src = tmp_path / "export"
    src.mkdir()
    for name, records in files.items():
        _write_jsonl(src / f"{name}.jsonl", records)
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(src)]) == 0
    return src, index_dir


def test_incremental_adds_updates_and_removes(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    first, second, third, fourth = (dict(RECORDS[i]) for i in range(4))
    _write_jsonl(src / "a.jsonl", [first, second])
    _write_jsonl(src / "b.jsonl", [third])
    shutil.copy(SAMPLE_DIR / "pages" / "003_bez_foto.txt", src / "page.txt")
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 0
    assert capsys.readouterr().out.startswith("добавлено: 4  обновлено: 0  удалено: 0  "
                                               "пропущено: 0")

    changed = dict(first, title="Совершенно новый заголовок публикации")
    _write_jsonl(src / "a.jsonl", [changed, fourth])  # second dropped, fourth added
    (src / "b.jsonl").unlink()  # third's source file is gone
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 0
    # the page is the same as before: left as it is
    assert capsys.readouterr().out.startswith(
        "добавлено: 1  обновлено: 1  удалено: 2  пропущено: 0  без изменений: 1\n")

    data = _browse_all(capsys, index_dir)
    assert sorted(hit["id"] for hit in data["hits"]) == sorted(
        [first["id"], fourth["id"], "page-page.txt"])
    titles = {hit["id"]: hit["title"] for hit in data["hits"]}
    assert titles[first["id"]] == "Совершенно новый заголовок публикации"
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"


def test_incremental_removing_a_large_share_is_refused(tmp_path, capsys):
    """A nightly export cut short (or a file deleted from a directory given): the run
    removed what was missing, 1,987 of 3,376, with exit 0 and a warning. Now nothing is
    removed, exit 1, as a full run refuses; --allow-smaller removes them."""
    src = tmp_path / "export.jsonl"
    records = [dict(RECORDS[i % len(RECORDS)], id=f"cut-{i}") for i in range(20)]
    _write_jsonl(src, records)
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(src)]) == 0
    _write_jsonl(src, records[:18])  # two gone: as a nightly run meets it, no warning
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 0
    assert "warning: этот запуск удалил" not in capsys.readouterr().err
    _write_jsonl(src, records[:6])
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 1
    err = capsys.readouterr().err
    assert ("error: этот запуск удалил бы 12 из 18 публикаций своих источников; ничего не "
            "удалено: если источник оборвался") in err, err
    assert len(_browse_all(capsys, index_dir)["hits"]) == 18
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 "--allow-smaller", str(src)]) == 0
    assert ("warning: этот запуск удалил 12 из 18 публикаций своих источников"
            in capsys.readouterr().err)
    assert len(_browse_all(capsys, index_dir)["hits"]) == 6


def test_a_full_run_whose_index_is_a_fifth_smaller_is_refused(tmp_path, capsys):
    """The nightly cron's full run over an export cut short replaced the index quietly
    (233 -> 63 publications, `removed: 0`, exit 0): now the old index stays, exit 1,
    unless --allow-smaller."""
    src = tmp_path / "export.jsonl"
    records = [dict(RECORDS[i % len(RECORDS)], id=f"cut-{i}") for i in range(20)]
    _write_jsonl(src, records)
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 0
    assert "warning: в новом индексе" not in capsys.readouterr().err  # the first: none before
    _write_jsonl(src, records[:18])
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 0
    assert "warning: в новом индексе" not in capsys.readouterr().err
    _write_jsonl(src, records[:6])
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 1
    err = capsys.readouterr().err
    assert ("error: в новом индексе было бы 6 публикаций, в действующем 18 (меньше у "
            in err), err
    assert "; индекс оставлен как был: если источник оборвался" in err
    assert _browse_all(capsys, index_dir)["total"] == 18
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000002"
    assert not list(index_dir.glob("gen-000003*"))  # the refused one is gone
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", "--allow-smaller",
                 str(src)]) == 0
    assert ("warning: в новом индексе 6 публикаций, в заменённом было 18"
            in capsys.readouterr().err)
    assert _browse_all(capsys, index_dir)["total"] == 6


def test_replacing_the_shipped_sample_is_refused_saying_it_is_the_sample(tmp_path, capsys):
    """After `make run` (the sample), the first index of one's own publications was
    refused as «a fifth smaller», with no word that what it would replace is the demo."""
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 "--sample"]) == 0
    own = tmp_path / "our-news.jsonl"
    _write_jsonl(own, [dict(r, id=f"own-{i}") for i, r in enumerate(RECORDS[:5])])
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(own)]) == 1
    err = capsys.readouterr().err
    assert "— из образца поставки" in err and "--allow-smaller (один раз)" in err, err
    # all of it: its records, pages and HTML files (the records alone had said 58 of 70)
    held = re.search(r"в действующем (\d+), из них (\d+) — из образца поставки", err)
    assert held and held[1] == held[2], err
    assert "другие" not in err  # nothing but the sample to lose
    # one's own records added beside the sample, then a full run of another source only:
    # the advice says those records would go too (following it had dropped them unsaid)
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 "--incremental", str(own)]) == 0
    other = tmp_path / "site-news.jsonl"
    _write_jsonl(other, [dict(r, id=f"site-{i}") for i, r in enumerate(RECORDS[5:8])])
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(other)]) == 1
    err = capsys.readouterr().err
    assert "другие 5 из действующего индекса полный запуск тоже уберёт" in err, err
    assert "--incremental" in err
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 "--allow-smaller", str(own)]) == 0
    assert _browse_all(capsys, index_dir)["total"] == 5


def test_a_library_named_once_names_its_source_in_later_runs(tmp_path, capsys):
    """A portal names three libraries' exports with one `--incremental --library` run
    each; the nightly full run over all three then had no name to give, and the
    «Библиотека» filter emptied every night."""
    index_dir = tmp_path / "ix"
    exports = {}
    for n, name in enumerate(["ЦБС Краснополье", "ЦБС Брест", "ЦБС Газетная"]):
        folder = tmp_path / f"exp{n}"
        folder.mkdir()
        _write_jsonl(folder / "news.jsonl", [dict(r, id=f"{n}-{i}", library=None)
                                              for i, r in enumerate(RECORDS[n * 5:n * 5 + 5])])
        exports[name] = folder
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     "--incremental", "--library", name, str(folder)]) == 0

    def libraries() -> dict[str, int]:
        return _facets(_browse_all(capsys, index_dir))["library"]

    assert libraries() == dict.fromkeys(exports, 5)
    full = ["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress"]
    assert main([*full, *map(str, exports.values())]) == 0  # the nightly cron's line
    assert libraries() == dict.fromkeys(exports, 5)
    renamed = exports.pop("ЦБС Брест")  # a new name, given again, is the one kept
    assert main([*full, "--incremental", "--library", "ЦБС Бреста", str(renamed)]) == 0
    assert main([*full, *map(str, exports.values()), str(renamed)]) == 0
    assert libraries() == {**dict.fromkeys(exports, 5), "ЦБС Бреста": 5}


def test_incremental_over_unchanged_sources_writes_nothing(tmp_path, capsys):
    """A nightly `--incremental` over an export that did not change checks every
    publication against the stored one and leaves the index's files as they were."""
    src = tmp_path / "export.jsonl"
    _write_jsonl(src, RECORDS)
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 0
    generation = index_dir / "gen-000001"
    files = {p.name: p.stat().st_mtime_ns for p in generation.iterdir() if p.suffix != ".json"}
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 0
    assert capsys.readouterr().out.startswith(
        f"добавлено: 0  обновлено: 0  удалено: 0  пропущено: 0  без изменений: {len(RECORDS)}\n")
    assert {p.name: p.stat().st_mtime_ns for p in generation.iterdir()
            if p.suffix != ".json"} == files
    # one record edited (its date), one gone: only those are written
    edited = dict(RECORDS[0], date="2001-02-03")
    _write_jsonl(src, [edited, *RECORDS[2:]])
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 0
    assert capsys.readouterr().out.startswith(
        f"добавлено: 0  обновлено: 1  удалено: 1  пропущено: 0  без изменений: "
        f"{len(RECORDS) - 2}\n")
    hits = {hit["id"]: hit for hit in _browse_all(capsys, index_dir)["hits"]}
    assert hits[RECORDS[0]["id"]]["published"] == "2001-02-03"
    assert RECORDS[1]["id"] not in hits and len(hits) == len(RECORDS) - 1


def test_a_repeated_id_keeps_its_last_record_on_incremental_runs_too(tmp_path, capsys):
    """An export listing one id twice: every run, full or incremental, keeps the last
    record, once, and names the id; a repeated incremental run changes nothing (it had
    swapped the two records each night, and one writer held both)."""
    src = tmp_path / "export.jsonl"
    first = dict(RECORDS[0], title="Первая запись")
    last = dict(RECORDS[0], title="Последняя запись")
    _write_jsonl(src, [first, *RECORDS[1:3], last])
    index_dir = tmp_path / "ix"
    run = ["--index-dir", str(index_dir), "reindex", "--no-progress"]
    pid = RECORDS[0]["id"]
    assert main([*run, str(src)]) == 0
    generation = index_dir / "gen-000001"
    files = {p.name: p.stat().st_mtime_ns for p in generation.iterdir() if p.suffix != ".json"}
    for _ in range(3):
        out = capsys.readouterr().out
        assert f"пропущено 1: повторный id: оставлена последняя запись (например id '{pid}')" \
            in out
        hits = [hit for hit in _browse_all(capsys, index_dir)["hits"] if hit["id"] == pid]
        assert [hit["title"] for hit in hits] == ["Последняя запись"]
        assert main([*run, "--incremental", str(src)]) == 0
        out = capsys.readouterr().out
        assert out.startswith("добавлено: 0  обновлено: 0  удалено: 0  пропущено: 1  "
                              "без изменений: 3\n"), out
        assert main([*run, "--incremental", str(src)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in generation.iterdir()
            if p.suffix != ".json"} == files  # nothing was written
    # an edited export whose repeated id now ends with a new record: updated once
    _write_jsonl(src, [first, *RECORDS[1:3], dict(last, title="Новая запись")])
    capsys.readouterr()
    assert main([*run, "--incremental", str(src)]) == 0
    assert capsys.readouterr().out.startswith(
        "добавлено: 0  обновлено: 1  удалено: 0  пропущено: 1  без изменений: 2\n")
    hits = [hit for hit in _browse_all(capsys, index_dir)["hits"] if hit["id"] == pid]
    assert [hit["title"] for hit in hits] == ["Новая запись"]


def test_a_repeated_id_farther_apart_than_the_hold_still_keeps_its_last(tmp_path, capsys,
                                                                         monkeypatch):
    """Past the changed records an incremental run holds back, a repeated id's first
    record is written before its last comes: the last is written over it, once, after
    the others are committed (a Whoosh writer replaces committed documents only)."""
    import search.engine.run_writes as run_writes

    monkeypatch.setattr(run_writes, "HOLD", 1)
    src = tmp_path / "export.jsonl"
    _write_jsonl(src, RECORDS[:4])
    index_dir = tmp_path / "ix"
    run = ["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress"]
    assert main([*run, str(src)]) == 0
    edited = [dict(r, title=f"Правка {n}") for n, r in enumerate(RECORDS[:3])]
    _write_jsonl(src, [*edited, RECORDS[3], dict(RECORDS[0], title="Последняя правка")])
    capsys.readouterr()
    assert main([*run, "--incremental", str(src)]) == 0
    assert capsys.readouterr().out.startswith(
        "добавлено: 0  обновлено: 3  удалено: 0  пропущено: 1  без изменений: 1\n")
    titles = sorted(hit["title"] for hit in _browse_all(capsys, index_dir)["hits"])
    assert titles == sorted(["Последняя правка", "Правка 1", "Правка 2", RECORDS[3]["title"]])


def test_incremental_leaves_other_sources_alone(tmp_path, capsys):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    _write_jsonl(one, [RECORDS[0]])
    _write_jsonl(two, [RECORDS[1]])
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(one), str(two)]) == 0
    _write_jsonl(one, [RECORDS[2]])
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(one)]) == 0
    assert "добавлено: 1  обновлено: 0  удалено: 1" in capsys.readouterr().out
    data = _browse_all(capsys, index_dir)
    assert sorted(hit["id"] for hit in data["hits"]) == sorted(
        [RECORDS[1]["id"], RECORDS[2]["id"]])


def test_a_site_written_without_http_is_hinted(tmp_path, capsys):
    """`kartoteka reindex 127.0.0.1:8331/` said only «no such file or directory»."""
    for source in ("127.0.0.1:8331/", "library.example.ru/news"):
        assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                     source]) == 1
        assert f"(это сайт? пишите http://{source.rstrip('/')})" in capsys.readouterr().err
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 "export.jsonl"]) == 1
    assert "это сайт?" not in capsys.readouterr().err


def test_incremental_with_a_missing_directory_removes_nothing(tmp_path, capsys):
    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3])
    src.rename(tmp_path / "unmounted")
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {src}: нет такого файла или каталога\n")
    assert "удалено" not in captured.out and captured.out == ""
    data = _browse_all(capsys, index_dir)
    assert sorted(hit["id"] for hit in data["hits"]) == sorted(r["id"] for r in RECORDS[:3])


def test_incremental_over_an_emptied_directory_removes_nothing(tmp_path, capsys):
    """The export directory is there but empty (a mount point with nothing mounted): as
    a full rebuild, the incremental run refuses instead of removing every publication."""
    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3], b=RECORDS[3:5])
    (src / "b.jsonl").unlink()  # one file gone: its publications go
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--incremental",
                 "--no-progress", str(src)]) == 0
    (src / "a.jsonl").unlink()  # nothing left: refused
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 1
    assert "из источников не прочитано ни одной публикации" in capsys.readouterr().err
    data = _browse_all(capsys, index_dir)
    assert sorted(hit["id"] for hit in data["hits"]) == sorted(r["id"] for r in RECORDS[:3])


def test_an_emptied_export_file_is_reported_and_keeps_its_publications(tmp_path, capsys):
    """A nightly export cut to nothing is a bad source: reported, and what it gave stays
    (the other files' changes still apply)."""
    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3], b=RECORDS[3:5])
    (src / "a.jsonl").write_text("", encoding="utf-8")
    out = _incremental_run(capsys, src, index_dir, b=RECORDS[3:4])
    assert "удалено: 1" in out and "  пропущено 1: пустой файл" in out.splitlines()
    assert _ids_served(capsys, index_dir) == sorted(r["id"] for r in RECORDS[:4])


@pytest.mark.parametrize("emptied", ["", "\x00\x01\x02\n" * 5])
def test_a_full_run_keeps_what_a_file_it_could_not_read_gave(tmp_path, capsys, emptied):
    """A nightly full reindex with one export file emptied (or garbled) went live without
    that file's publications, exit 0: under the one-fifth guard, they were just lost.
    Now they are kept as the last index had them, and the summary says so; the other
    files' changes still apply."""
    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3], b=RECORDS[3:8])
    (src / "a.jsonl").write_text(emptied, encoding="utf-8")
    _write_jsonl(src / "b.jsonl", RECORDS[3:7])
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 0
    out = capsys.readouterr().out
    assert ("  оставлено как в прошлом индексе: 3 (их файлы в этот раз не прочитались)"
            in out.splitlines())
    assert _ids_served(capsys, index_dir) == sorted(r["id"] for r in RECORDS[:7])
    _write_jsonl(src / "a.jsonl", RECORDS[1:3])  # readable again: what it says now counts
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(src)]) == 0
    assert _ids_served(capsys, index_dir) == sorted(r["id"] for r in RECORDS[1:7])


def test_a_full_run_that_read_nothing_leaves_the_index_as_it_was(tmp_path, capsys):
    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3])
    (src / "a.jsonl").write_text("", encoding="utf-8")
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(src)]) == 1
    assert _ids_served(capsys, index_dir) == sorted(r["id"] for r in RECORDS[:3])


def _incremental_run(capsys, src: Path, index_dir: Path, b: list[dict]) -> str:
    """b.jsonl written anew (one record removed from it), an incremental run; its output."""
    _write_jsonl(src / "b.jsonl", b)
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(src)]) == 0
    return capsys.readouterr().out


def _ids_served(capsys, index_dir: Path) -> list[str]:
    return sorted(hit["id"] for hit in _browse_all(capsys, index_dir)["hits"])


def test_a_line_that_cannot_be_read_keeps_what_its_file_gave(tmp_path, capsys):
    """A nightly export with one line cut in half: its record may be any of the file's,
    so nothing is removed from that file this run (it removed the cut record); the
    file's other changes and the other files' still apply."""
    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3], b=RECORDS[3:5])
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS[:3]]
    changed = dict(RECORDS[0], title="Совершенно новый заголовок публикации")
    lines[0] = json.dumps(changed, ensure_ascii=False)
    lines[1] = lines[1][:len(lines[1]) // 2]  # the second record cut in half
    del lines[2]  # the third gone, but the file cannot say so this run
    (src / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _incremental_run(capsys, src, index_dir, b=RECORDS[3:4])
    assert "обновлено: 1  удалено: 1" in out and "неверный JSON" in out
    assert _ids_served(capsys, index_dir) == sorted(r["id"] for r in RECORDS[:4])


def test_pages_of_one_name_in_two_folders_are_two_publications(tmp_path, capsys):
    src = tmp_path / "site"
    for month, word in (("01", "январские"), ("02", "февральские")):
        folder = src / "2024" / month
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(
            f"<html><head><title>Новости: {word} встречи</title></head><body><article>"
            f"<h1>Новости: {word} встречи</h1><p>В библиотеке прошли {word} встречи с "
            f"читателями, поэтами и краеведами района.</p></article></body></html>",
            encoding="utf-8")
    (src / "index.html").write_text((src / "2024" / "01" / "index.html").read_text(
        encoding="utf-8").replace("январские", "главные"), encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(src)]) == 0
    data = _browse_all(capsys, index_dir)
    assert sorted(hit["id"] for hit in data["hits"]) == [
        "page-2024~01~index.html", "page-2024~02~index.html", "page-index.html"]


def _page(path: Path, word: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><head><title>Новости: {word}</title></head><body><article>"
                    f"<h1>Новости: {word}</h1><p>В библиотеке прошли {word} встречи с "
                    "читателями, поэтами и краеведами района.</p></article></body></html>",
                    encoding="utf-8")


def test_an_incremental_run_of_a_subfolder_keeps_its_files_ids(tmp_path, capsys):
    """`b/index.html` was indexed from the site's folder as `page-b~index.html`; a run
    over `b/` alone must update it, not overwrite the site's own `page-index.html`."""
    site = tmp_path / "site"
    _page(site / "index.html", "главные")
    _page(site / "b" / "index.html", "январские")
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(site)]) == 0
    _page(site / "b" / "index.html", "февральские")
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(site / "b")]) == 0
    assert capsys.readouterr().out.startswith("добавлено: 0  обновлено: 1  удалено: 0")
    titles = {h["id"]: h["title"] for h in _browse_all(capsys, index_dir)["hits"]}
    assert titles == {"page-index.html": "Новости: главные",
                      "page-b~index.html": "Новости: февральские"}
    other = tmp_path / "other"  # another site's index.html: its id is taken
    _page(other / "index.html", "чужие")
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(other)]) == 0
    out = capsys.readouterr().out
    assert "пропущено: 1" in out and "уже у публикации из" in out
    titles = {h["id"]: h["title"] for h in _browse_all(capsys, index_dir)["hits"]}
    assert titles["page-index.html"] == "Новости: главные"


def test_incremental_beside_a_full_rebuild_is_refused(tmp_path, capsys, caplog):
    """The full rebuild's new generation would not hold the incremental run's changes.
    The wait before the refusal is said (a second reindex waited seconds, silently)."""
    from search.engine.whoosh.store import IndexLocation

    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3])
    _write_jsonl(src / "a.jsonl", RECORDS[:4])
    capsys.readouterr()
    with IndexLocation(index_dir).rebuild_lock():  # as a full reindex holds it
        assert main(["--index-dir", str(index_dir), "reindex", "--incremental",
                     "--no-progress", str(src)]) == 1
    err = capsys.readouterr().err
    assert "error: уже идёт другая переиндексация" in err
    said = err + caplog.text
    assert said.count("уже идёт другая переиндексация") == 2, said  # the wait, the refusal
    assert said.count(": ждём (не дольше 10 с)") == 1, said
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--incremental",
                 "--no-progress", str(src)]) == 0


def test_a_run_started_beside_one_going_on_says_so(tmp_path, capsys):
    """Two cron lines overlapping: the second says that another run is going on (each
    had run unsaid, the site crawled twice, and the last to finish went live)."""
    import datetime as dt
    import os
    import socket

    from search.last_run import RUN_STARTED_FILE, read_last_run

    src, index_dir = _indexed_export(tmp_path, a=RECORDS[:3])
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")  # after the run above
    going = {"started_at": now, "pid": os.getppid(),
             "host": socket.gethostname(), "incremental": False}
    (index_dir / RUN_STARTED_FILE).write_text(json.dumps(going), encoding="utf-8")
    assert read_last_run(index_dir)["running_since"] == going["started_at"]
    capsys.readouterr()
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--incremental",
                 "--no-progress", str(src)]) == 0
    assert (f"warning: в {index_dir} уже идёт переиндексация (начата {going['started_at']})"
            in capsys.readouterr().err)


def test_incremental_without_index_builds_one(tmp_path, capsys):
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--incremental",
                 "--no-progress", str(JSONL)]) == 0
    assert capsys.readouterr().out.startswith(f"добавлено: {len(RECORDS)}  обновлено: 0")


# -- help and exit codes -------------------------------------------------------------
GLOBAL = ["--index-dir", "--quiet"]


@pytest.mark.parametrize(("argv", "options"), [
    ([], [*GLOBAL, "reindex", "search", "stats", "serve",
          "KARTOTEKA_INDEX_DIR", "KARTOTEKA_MAX_SOURCE_BYTES"]),
    (["reindex"], [*GLOBAL, "sources", "--sample", "--incremental", "--if-missing",
                   "--no-progress"]),
    (["search"], [*GLOBAL, "query", "--topic", "--author", "--library", "--year", "--from",
                  "--to", "--sort", "--page", "--per-page", "--json"]),
    (["stats"], [*GLOBAL, "--help"]),
    (["serve"], [*GLOBAL, "--host", "--port", "--workers"]),
])
def test_help_mentions_every_option(capsys, argv, options):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("использование: kartoteka")
    assert "параметры:\n  -h, --help            показать эту справку и выйти\n" in out
    for option in options:
        assert option in out


def test_version_is_the_project_s(capsys):
    """`kartoteka --version` (what a cron job's log or a bug report names) and the API's
    OpenAPI description give the version pyproject.toml sets."""
    import tomllib

    from api.openapi import openapi_spec

    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"kartoteka {pyproject['project']['version']}"
    assert openapi_spec()["info"]["version"] == pyproject["project"]["version"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_before_or_after_the_command(tmp_path, capsys, where):
    index_dir = tmp_path / "ix"
    options = ["--index-dir", str(index_dir), "--quiet"]
    reindex = ["reindex", "--no-progress", str(JSONL)]
    assert main(options + reindex if where == "before" else reindex + options) == 0
    assert "добавлено: " in capsys.readouterr().out
    stats = ["stats", "--index-dir", str(index_dir)] if where == "after" else [
        "--index-dir", str(index_dir), "stats"]
    assert main(stats) == 0
    assert capsys.readouterr().out.startswith(f"публикаций: {len(RECORDS)}\n")


def test_option_after_the_command_does_not_undo_one_before(tmp_path, capsys):
    assert main(["--index-dir", str(tmp_path / "ix"), "--quiet", "reindex", "--no-progress",
                 str(JSONL)]) == 0
    assert (tmp_path / "ix" / "CURRENT").is_file()


@pytest.mark.parametrize("argv", [["search", "библиотека"], ["search", "x", "--json"],
                                  ["stats"], ["serve"]])
def test_no_index_exits_3(tmp_path, capsys, argv):
    assert main(["--index-dir", str(tmp_path / "missing"), *argv]) == 3
    err = capsys.readouterr().err
    assert err == (f"error: индекс не найден в {tmp_path / 'missing'}: постройте его командой "
                   "`kartoteka reindex` (каталог индекса выбран по --index-dir)\n")


@pytest.mark.parametrize("argv", [
    ["search", "x", "--from", "2024-13-01"], ["bogus"], ["search", "x", "--sort", "score"],
    [], ["reindex"], ["reindex", "--procs", "0"], ["reindex", "--delay", "nan"],
    ["reindex", "--timeout", "-1"], ["search", "x", "--page", "0"],
    ["search", "x", "--per-page", "ten"], ["search", "--year", "99999"],
    ["serve", "--port", "70000"], ["serve", "--workers", "0"], ["stats", "--bogus"],
    ["--index-dir"], ["stats", "--index-dir"], ["reindex", ""], ["reindex", " ", "x.jsonl"],
    ["reindex", "ftp://x/"], ["reindex", "http://"], ["reindex", "https:///news"],
])
def test_bad_usage_is_one_error_line_and_exit_2(tmp_path, capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        code = main(["--index-dir", str(tmp_path / "ix"), *argv] if argv[:1] != ["--index-dir"]
                    else argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err


def _serve(index_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`kartoteka serve` in a subprocess: should it start gunicorn, the test is not replaced."""
    return subprocess.run([sys.executable, "-m", "indexer", "--index-dir", str(index_dir),
                           "serve", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("host", "message"), [
    ("no.such.host.invalid", "error: не удаётся слушать на адресе 'no.such.host.invalid': "),
    ("192.0.2.1", "error: не удаётся слушать 192.0.2.1:8765: такого адреса у этой машины нет"),
    # (TEST-NET: not this machine's)
])
def test_serve_on_a_bad_host_is_a_usage_error(jsonl_index, host, message):
    done = _serve(jsonl_index, "--host", host, "--port", "8765")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr


def test_serve_on_a_taken_port_fails_with_one_line(jsonl_index):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = _serve(jsonl_index, "--port", str(port))
    assert done.returncode == 1, done.stderr
    assert done.stderr.endswith(f"error: не удаётся слушать 127.0.0.1:{port}: "
                                "адрес уже занят\n"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("KARTOTEKA_PAGE_SIZE", "ten", "error: KARTOTEKA_PAGE_SIZE='ten' — не целое число"),
    ("KARTOTEKA_PAGE_SIZE", "0", "error: KARTOTEKA_PAGE_SIZE=0: нужно не меньше 1"),
    ("KARTOTEKA_PAGE_SIZE", "500", "error: KARTOTEKA_PAGE_SIZE (500) больше, чем "
                                   "KARTOTEKA_MAX_PAGE_SIZE (100)"),
    ("KARTOTEKA_RECENCY_WEIGHT", "inf", "error: KARTOTEKA_RECENCY_WEIGHT=inf — не конечное "
                                        "число"),
    ("KARTOTEKA_PORT", "99999", "error: KARTOTEKA_PORT=99999: нужно от 1 до 65535"),
    ("KARTOTEKA_TOPICS_FILE", "/nonexistent/topics.txt",
     "error: не удаётся прочитать словарь тем /nonexistent/topics.txt: нет такого файла или "
     "каталога"),
    ("KARTOTEKA_SYNONYMS_FILE", "/nonexistent/synonyms.txt",
     "error: не удаётся прочитать словарь синонимов /nonexistent/synonyms.txt: нет такого "
     "файла или каталога"),
    ("KARTOTEKA_CATEGORIES_FILE", "/nonexistent/categories.txt",
     "error: не удаётся прочитать словарь тем /nonexistent/categories.txt: нет такого файла "
     "или каталога"),
])
def test_bad_setting_is_one_error_line_and_exit_2(jsonl_index, tmp_path, capsys, monkeypatch,
                                                   name, value, message):
    monkeypatch.setenv(name, value)
    reindex = ["reindex", "--no-progress", "--index-dir", str(tmp_path / "ix"), str(JSONL)]
    # what reads a dictionary file: a reindex the topics, a search the synonyms, and
    # `serve` both before its workers start (a worker's traceback otherwise)
    commands = {"KARTOTEKA_TOPICS_FILE": [reindex, ["serve"]],
                "KARTOTEKA_CATEGORIES_FILE": [reindex, ["serve"]],
                # a reindex too: a bad line had passed the nightly run and stopped the
                # service at its next restart (a methodologist's trial)
                "KARTOTEKA_SYNONYMS_FILE": [reindex, ["search", "книга"], ["serve"]]}.get(
        name, [reindex, ["stats"], ["search", "книга"], ["serve"]])
    for argv in commands:
        capsys.readouterr()
        assert main(["--index-dir", str(jsonl_index), *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith(message) and err.count("\n") == 1, err
    assert not (tmp_path / "ix").exists()


@pytest.mark.parametrize(("url", "prefix", "message"), [
    ("http://127.0.0.1:9200;http://127.0.0.1:9201", "kartoteka",
     "error: KARTOTEKA_OPENSEARCH_URL: в 'http://127.0.0.1:9200;http://127.0.0.1:9201' "
     "неверный порт (узлы разделяются запятыми)"),
    ("http://kartoteka:S3cret@127.0.0.1:92OO", "kartoteka",
     "error: KARTOTEKA_OPENSEARCH_URL: в 'http://kartoteka:***@127.0.0.1:92OO' неверный порт"),
    ("ftp://127.0.0.1:9200", "kartoteka", "— не адрес узла http:// или https://"),
    ("http://127.0.0.1:9200/kartoteka", "kartoteka", "есть путь: укажите только адрес узла"),
    ("http://127.0.0.1:9200", "Kartoteka", "error: KARTOTEKA_OPENSEARCH_PREFIX='Kartoteka': "
                                           "можно строчные латинские буквы"),
    ("http://127.0.0.1:9200", "kart oteka", "KARTOTEKA_OPENSEARCH_PREFIX='kart oteka'"),
    ("http://127.0.0.1:9200", "kartoteka-meta", "и не -meta в конце"),
    ("https://127.0.0.1:9200", "kartoteka", "KARTOTEKA_OPENSEARCH_CA_CERTS: нет файла /nope.pem"),
])
def test_an_opensearch_setting_opensearch_would_refuse_is_an_error_before_any_work(
        tmp_path, capsys, monkeypatch, url, prefix, message):
    """A `;` between nodes or an index name OpenSearch refuses was a traceback, or an
    error after a whole rebuild's analysis."""
    monkeypatch.setenv("KARTOTEKA_ENGINE", "opensearch")
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_URL", url)
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_PREFIX", prefix)
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_CA_CERTS", "/nope.pem" if "CA_CERTS" in message
                       else "")
    for argv in (["reindex", "--no-progress", "--sample"], ["stats"], ["serve"]):
        capsys.readouterr()
        assert main(["--index-dir", str(tmp_path / "ix"), *argv]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "S3cret" not in err, err


def test_output_piped_into_head_ends_quietly(jsonl_index):
    """`kartoteka search ... | head -1`: exit 0, and no `error: Broken pipe` on stderr."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader has gone: every write fails with EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "indexer", "--index-dir", str(jsonl_index),
                               "search", "выставка"], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=60)
    finally:
        os.close(write)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr.lower() and "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [["stats"], ["search", "выставка"], ["reindex", "--sample"]])
def test_an_unreachable_opensearch_cluster_is_one_error_line(tmp_path, argv):
    """For cron: no tracebacks from the client library, however many tries it made."""
    import os

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    env.update(KARTOTEKA_ENGINE="opensearch", KARTOTEKA_INDEX_DIR=str(tmp_path / "ix"),
               KARTOTEKA_OPENSEARCH_URL=f"http://127.0.0.1:{port},http://127.0.0.1:{port}")
    proc = subprocess.run([sys.executable, "-m", "indexer", "--quiet", *argv],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    # the cause once, not the client's nested reprs of it
    assert ("ни один узел кластера OpenSearch не ответил (в соединении отказано)"
            in proc.stderr), proc.stderr
    assert "KARTOTEKA_OPENSEARCH_URL" in proc.stderr and "HTTPConnection" not in proc.stderr


def test_an_argument_with_a_newline_is_still_one_error_line(capsys):
    with pytest.raises(SystemExit) as done:
        main(["search", "", "\n"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: неизвестные аргументы") and err.count("\n") == 1, err


def test_an_index_an_older_version_built_is_exit_3_and_the_cron_line_is_told_what_to_do(
        tmp_path, capsys):
    """After an upgrade: `stats` and `search` exited 1 (a failure) where no index is 3,
    and the nightly `reindex --incremental` said to run `kartoteka reindex`, which is
    what it was running."""
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    meta = index_dir / (index_dir / "CURRENT").read_text().strip() / "kartoteka.json"
    meta.write_text(json.dumps(dict(json.loads(meta.read_text()), schema_version=1)))
    capsys.readouterr()
    for command in (["stats"], ["search", "книга"]):
        assert main(["--index-dir", str(index_dir), *command]) == 3, command
    assert main(["--index-dir", str(index_dir), "reindex", "--incremental", "--no-progress",
                 str(JSONL)]) == 3
    assert ("; запуск с --incremental только обновляет индекс, который эта версия может "
            "прочитать: запустите его один раз без --incremental, со всеми источниками"
            in capsys.readouterr().err)
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    assert main(["--index-dir", str(index_dir), "stats"]) == 0


def test_an_index_an_older_analysis_built_is_served_and_a_full_reindex_advised(
        tmp_path, capsys):
    """After an upgrade that changed the analysis (compound heads), the old index was
    served with fewer results, and an incremental run brought only what changed up to
    date, with nothing said (an admin's trial). Health now says `stale` with the advice,
    the incremental run warns, and a full run clears both."""
    from falcon import testing

    from api.app import create_app
    from search.analysis import ANALYSIS_VERSION
    from search.settings import Settings

    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0

    def health() -> dict:
        app = create_app(Settings.from_env(index_dir=index_dir))
        return testing.TestClient(app).simulate_get("/api/health").json

    assert health()["analysis_version"] == ANALYSIS_VERSION
    assert health()["status"] == "ok" and "reindex_advised" not in health()
    meta = index_dir / (index_dir / "CURRENT").read_text().strip() / "kartoteka.json"
    meta.write_text(json.dumps({k: v for k, v in json.loads(meta.read_text()).items()
                                if k != "analysis_version"}))
    older = health()
    assert older["status"] == "stale" and "полную переиндексацию" in older["reindex_advised"]
    assert older["documents"] > 0 and older["stale"] is True  # a monitor reading the flag
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "stats"]) == 0  # said there too
    assert "warning: индекс построен прежней версией" in capsys.readouterr().out
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--incremental",
                 "--no-progress", str(JSONL)]) == 0
    assert "warning: индекс построен прежней версией анализа текста" \
        in capsys.readouterr().err
    assert health()["status"] == "stale"  # an incremental run analyses only what changed
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    assert health()["status"] == "ok"


def test_a_full_run_that_leaves_a_library_unnamed_says_so(tmp_path, capsys):
    """An admin upgraded from a version that did not remember `--library` (no
    `libraries.json`): the nightly run without it left every publication without its
    library, and the summary said nothing."""
    export = tmp_path / "export.jsonl"  # records that name no library of their own
    with open(JSONL, encoding="utf-8") as fh:
        export.write_text("".join(json.dumps({k: v for k, v in json.loads(line).items()
                                              if k != "library"}, ensure_ascii=False) + "\n"
                                  for line in fh if line.strip()), encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 "--library", "ЦГБ тест", str(export)]) == 0
    (index_dir / "libraries.json").unlink()  # as the version before left it
    capsys.readouterr()
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(export)]) == 0
    err = capsys.readouterr().err
    assert "warning: у " in err and "«ЦГБ тест»" in err and "--library" in err, err
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(export)]) == 0  # nothing had a library to lose this time
    assert "«ЦГБ тест»" not in capsys.readouterr().err


def test_another_version_s_derived_files_beside_a_generation_are_left_as_they_are(tmp_path):
    """An admin upgraded with the old server still running: the new version rewrote the
    generation's `lexicon.pickle` in its own format, and the old server (and the old
    version reinstalled to go back) answered 500 to every search. Each version now keeps
    its own file (search/derived.py)."""
    import pickle

    from falcon import testing

    from api.app import create_app
    from search.settings import Settings

    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    generation = index_dir / (index_dir / "CURRENT").read_text().strip()
    older = generation / "lexicon.pickle"  # what versions before kept: the words alone
    older.write_bytes(pickle.dumps({"книга": 3}))
    before = older.read_bytes()
    client = testing.TestClient(create_app(Settings.from_env(index_dir=index_dir)))
    result = client.simulate_get("/api/search", params={"q": "библеотека"}).json
    assert result["corrected"] and result["did_you_mean"] == "библиотека"
    assert older.read_bytes() == before
    assert (generation / "lexicon-2.pickle").exists()


@pytest.mark.parametrize("before", ["missing", "outdated"])
def test_serve_waiting_for_its_index_answers_503_then_serves_it(tmp_path, before):
    """Under a service manager the server may start before the first reindex (cron):
    with --wait-for-index it answers 503 `missing` in Russian, then serves the index
    the reindex builds, without a restart. So after an upgrade, when the index was built
    by the version before (`serve` exited 1, and the unit restarted it again and again)."""
    import urllib.error
    import urllib.request

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    index_dir = tmp_path / "ix"
    if before == "outdated":
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     str(JSONL)]) == 0
        meta = index_dir / (index_dir / "CURRENT").read_text().strip() / "kartoteka.json"
        meta.write_text(json.dumps(dict(json.loads(meta.read_text()), schema_version=1)))
    server = subprocess.Popen([sys.executable, "-m", "indexer", "--index-dir", str(index_dir),
                               "serve", "--wait-for-index", "--port", str(port),
                               "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def health() -> tuple[int, dict] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())
        except OSError:
            return None

    def wait_for(status: int) -> dict:
        deadline = time.monotonic() + 60
        while (got := health()) is None or got[0] != status:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, got
            time.sleep(0.2)
        return got[1]

    try:
        missing = wait_for(503)
        assert missing["status"] == before and "kartoteka reindex" in missing["description"]
        assert "индекс" in missing["description"]
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                     str(JSONL)]) == 0
        assert wait_for(200)["documents"] == len(RECORDS)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_misspelt_setting_is_an_error_naming_the_one_meant(jsonl_index, capsys,
                                                             monkeypatch, tmp_path):
    """`KARTOTEKA_ADMIN_TOKN=…` was ignored without a word (every PUT then answered 403);
    then only warned of, `KARTOTEKA_INDEX_DI` in a cron line built another index
    elsewhere with exit 0. A variable near no setting is only warned of."""
    monkeypatch.setenv("KARTOTEKA_WHATEVER", "1")
    capsys.readouterr()
    assert main(["--index-dir", str(jsonl_index), "search", "книга"]) == 0
    assert "warning: KARTOTEKA_WHATEVER — не настройка; переменная не учитывается" in \
        capsys.readouterr().err
    monkeypatch.setenv("KARTOTEKA_INDEX_DI", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("KARTOTEKA_ADMIN_TOKN", "secret")
    assert main(["--quiet", "reindex", "--sample"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: KARTOTEKA_ADMIN_TOKN — не настройка (может быть, "
                          "KARTOTEKA_ADMIN_TOKEN?); KARTOTEKA_INDEX_DI — не настройка (может "
                          "быть, KARTOTEKA_INDEX_DIR?): исправьте имя или уберите "
                          "переменную"), err
    assert err.count("\n") == 1 and not (tmp_path / "elsewhere").exists()


def test_a_flag_over_a_setting_says_which_is_used(jsonl_index):
    """The unit's `--port` had silently won over KARTOTEKA_PORT from an EnvironmentFile."""
    import os

    with socket.socket() as taken:  # so that serve stops at the bind check, after the line
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "indexer", "--index-dir", str(jsonl_index),
                               "serve", "--port", str(port)], capture_output=True, text=True,
                              timeout=60, env=dict(os.environ, KARTOTEKA_PORT="8858"))
    assert f"действует --port {port}, а не KARTOTEKA_PORT=8858" in done.stderr, done.stderr


def test_a_failed_run_on_opensearch_is_recorded_even_in_a_new_directory(tmp_path, monkeypatch):
    """On OpenSearch nothing made the state directory, so a failed nightly run was never
    recorded and /api/health said `ok` with `last_run: null`."""
    from search.last_run import read_last_run

    monkeypatch.setenv("KARTOTEKA_ENGINE", "opensearch")
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_URL", "http://127.0.0.1:9")
    state = tmp_path / "state" / "kartoteka"
    assert main(["--quiet", "--index-dir", str(state), "reindex", "--no-progress",
                 str(tmp_path / "export-not-mounted")]) == 1
    run = read_last_run(state)
    assert run is not None and run["ok"] is False and "export-not-mounted" in run["error"]


def test_serve_waiting_for_its_index_starts_before_its_cluster(jsonl_index):
    """`serve --wait-for-index` (the systemd unit) on a web server booting before the
    OpenSearch cluster had exited 1 (a restart loop); it goes on to answer 503 instead.
    A port already taken stops it at the bind check, after the line that says so."""
    import os

    with socket.socket() as taken, socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = dict(os.environ, KARTOTEKA_ENGINE="opensearch",
                   KARTOTEKA_OPENSEARCH_URL=f"http://127.0.0.1:{closed.getsockname()[1]}")
        done = subprocess.run([sys.executable, "-m", "indexer", "serve", "--wait-for-index",
                               "--port", str(taken.getsockname()[1])], capture_output=True,
                              text=True, timeout=120, env=env)
    assert "пока кластер не ответит, сервер отвечает 503" in done.stderr, done.stderr
    assert "не удаётся слушать" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("raw", "value"), [("no", 0), ("false", 0), ("0", 0), ("Yes", 1),
                                            ("true", 1), ("on", 1)])
def test_a_switch_setting_takes_yes_and_no(raw, value):
    """KARTOTEKA_OPENSEARCH_VERIFY_CERTS=yes was "not a whole number"."""
    from search.settings import Settings

    settings = Settings.from_env({"KARTOTEKA_OPENSEARCH_VERIFY_CERTS": raw})
    assert settings.opensearch_verify_certs == value


def test_a_refused_smaller_index_names_the_libraries_that_shrank(tmp_path, capsys):
    """A portal's weekly full run over three libraries' exports was refused as «a fifth
    smaller» without a word of which library's export was cut short."""
    index_dir = tmp_path / "ix"
    exports = {}
    for n, library in enumerate(("ЦГБ им. Пушкина", "Детская библиотека", "Филиал № 3")):
        exports[library] = tmp_path / f"export-{n}.jsonl"
        _write_jsonl(exports[library], [dict(RECORDS[i % len(RECORDS)], id=f"l{n}-{i}",
                                             library=library) for i in range(8)])
    sources = [str(p) for p in exports.values()]
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", *sources]) == 0
    first = exports["ЦГБ им. Пушкина"]
    _write_jsonl(first, [json.loads(line) for line in first.read_text().splitlines()[:2]])
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", *sources]) == 1
    err = capsys.readouterr().err
    assert "в действующем 24 (меньше у «ЦГБ им. Пушкина»: 8 -> 2);" in err, err


def test_out_of_memory_is_an_error_not_an_interrupt(tmp_path, capsys, monkeypatch):
    """A memory limit hit during a run was reported as a Ctrl-C (exit 130), which tells
    cron someone stopped it (an admin's trial under `ulimit -v`)."""
    from indexer import commands

    def no_memory(*_args):
        raise MemoryError

    monkeypatch.setattr(commands, "reindex", no_memory)
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", str(JSONL)]) == 1
    assert capsys.readouterr().err.endswith(  # a first run: there was no index to keep
        "error: не хватило памяти: индекс не создан: прежнего не было\n")
    monkeypatch.undo()
    assert main(["--quiet", "--index-dir", str(tmp_path / "ix"), "reindex", "--sample"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(commands, "reindex", no_memory)
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", str(JSONL)]) == 1
    assert capsys.readouterr().err.endswith(
        "error: не хватило памяти: прежний индекс на месте\n")


def test_an_incremental_run_s_new_words_are_corrections_at_once(tmp_path, capsys):
    """A portal indexed one file per `--incremental` run (to name each library): the
    words of every file after the first were never offered as corrections (`просвящение`
    found nothing and offered nothing), the lexicon staying the first run's."""
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps({"id": "a", "title": "Выставка", "text": "Книжная выставка.",
                                 "date": "2024-05-01"}, ensure_ascii=False) + "\n")
    second.write_text("".join(json.dumps(
        {"id": f"b{n}", "title": "Правовое просвещение", "text": "Дирижаблестроение и право.",
         "date": "2024-05-02"}, ensure_ascii=False) + "\n" for n in range(3)))
    index_dir = tmp_path / "ix"
    for source in (first, second):
        assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--incremental",
                     "--no-progress", str(source)]) == 0
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "search", "просвящение", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["corrected"] and found["did_you_mean"] == "просвещение", found
    assert found["total"] == 3


def test_a_run_of_another_engine_in_an_opensearch_directory_is_refused(tmp_path, capsys):
    """A cron line without the service's KARTOTEKA_ENGINE=opensearch built a Whoosh index
    in the OpenSearch deployment's directory, exit 0, and its `ok` stood in health for a
    night the cluster never saw (a portal admin's trial)."""
    index_dir = tmp_path / "state"
    index_dir.mkdir()
    record = {"finished_at": "2026-12-06T03:15:00+00:00", "ok": True, "exit_code": 0,
              "incremental": False, "error": None, "engine": "opensearch"}
    (index_dir / "last-run.json").write_text(json.dumps(record))
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 2
    assert "KARTOTEKA_ENGINE=opensearch" in capsys.readouterr().err
    assert json.loads((index_dir / "last-run.json").read_text()) == record
    assert not list(index_dir.glob("gen-*"))
    assert main(["--quiet", "--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(JSONL)]) == 0  # a Whoosh directory: its runs say so
    assert json.loads((tmp_path / "ix" / "last-run.json").read_text())["engine"] == "whoosh"


def test_a_build_by_if_missing_is_told_to_health_and_a_skip_by_it_is_not(tmp_path):
    """`make run` builds with `reindex --sample --if-missing`: /api/health said
    `last_run: null` on a fresh install (an integrator's trial). A second such run, which
    finds the index there and does nothing, leaves that record as it is."""
    from search.last_run import read_last_run

    index_dir = tmp_path / "index"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--sample",
                 "--if-missing", "--no-progress"]) == 0
    built = read_last_run(index_dir)
    assert built and built["ok"] is True and built["incremental"] is False
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--sample",
                 "--if-missing", "--no-progress"]) == 0
    assert read_last_run(index_dir)["finished_at"] == built["finished_at"]


def test_a_line_nested_thousands_deep_is_skipped_not_the_end_of_the_run(tmp_path, capsys):
    """`{"x": [[[…]]]}` 5,000 deep made json.loads raise RecursionError: the whole run
    ended with a traceback, the good records of the file unindexed (a hostile tester's
    trial)."""
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"id": "ok-1", "title": "Выставка", "text": "Книжная выставка."}\n'
                    '{"id": "d", "title": "a", "x": ' + "[" * 5000 + "]" * 5000 + "}\n",
                    encoding="utf-8")
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(deep)]) == 0
    out = capsys.readouterr().out
    assert "неверный JSON: вложенность слишком глубока" in out
    assert out.startswith("добавлено: 1  "), out


def test_names_and_topics_beyond_what_a_put_takes_are_cut_and_said(tmp_path, capsys, caplog):
    """An export's author of 100,000 characters and 5,000 topics had been indexed as they
    were, 100 KB on every hit (a hostile tester's trial); a PUT refuses them."""
    from search.record_input import FIELD_LIMITS, MAX_TOPICS
    from search.searcher import SearchService
    from search.settings import Settings

    record = {"id": "long-1", "title": "Выставка", "text": "Книжная выставка краеведения.",
              "author": "Иванов " * 2000, "topics": [f"Рубрика {n}" for n in range(300)]}
    source = tmp_path / "long.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert main(["--index-dir", str(index_dir), "reindex", "--no-progress", str(source)]) == 0
    said = capsys.readouterr().err + caplog.text
    assert f"author длиннее {FIELD_LIMITS['author']} символов: сокращено" in said
    assert f"topics: оставлены первые {MAX_TOPICS} тем из 300" in said
    service = SearchService(Settings.from_env({}, index_dir=index_dir))
    try:
        pub = service.get("long-1")
        assert len(pub["author"]) <= FIELD_LIMITS["author"] and pub["author"].endswith("…")
    finally:
        service.close()


def test_a_page_nested_thousands_deep_is_skipped_at_once(tmp_path, capsys):
    """`<div>` 200,000 deep in 2 MB took minutes to parse (the time grows with the
    square of the depth) and held a run's SIGTERM that long (a hostile tester's trial)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "bomb.html").write_text("<html><body>" + "<div>" * 5000 + "Выставка книг. " * 20
                                     + "</div>" * 5000 + "</body></html>", encoding="utf-8")
    # an icon of 1,500 paths, a script comparing, a comment of tags: no nesting
    (pages / "ok.html").write_text("<html><head><title>Выставка</title><script>"
                                   + "if (i<n) {}" * 700 + "</script></head><body><svg>"
                                   + '<path d="M0 0"/>' * 1500 + "</svg><!--" + "<div>" * 1200
                                   + "--><article><h1>Выставка</h1><p>Книжная выставка в "
                                   "читальном зале открылась для всех читателей библиотеки."
                                   "</p></article></body></html>", encoding="utf-8")
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(pages)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("добавлено: 1  ") and "разметка вложена слишком глубоко (5002 уровня, больше 1000)" \
        in out, out


def test_the_summary_names_the_field_a_skip_is_for(tmp_path, capsys):
    """«пропущено 1: ожидалась строка, а это число» left out which field (a hostile
    tester's trial): the summary took `title: ` for the record's place."""
    source = tmp_path / "types.jsonl"
    source.write_text('{"id": "w1", "title": 5, "text": "Текст"}\n'
                      '{"id": "ok", "title": "Выставка", "text": "Книжная выставка."}\n',
                      encoding="utf-8")
    assert main(["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress",
                 str(source)]) == 0
    assert "  пропущено 1: title: ожидалась строка, а это число" in \
        capsys.readouterr().out.splitlines()


def test_an_empty_synonyms_file_is_an_error_and_one_of_comments_none(tmp_path, capsys,
                                                                      monkeypatch):
    """An empty file had switched the shipped synonyms off unsaid (`ДК` found 1 of 4)."""
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("", encoding="utf-8")
    monkeypatch.setenv("KARTOTEKA_SYNONYMS_FILE", str(synonyms))
    argv = ["--index-dir", str(tmp_path / "ix"), "reindex", "--no-progress", str(JSONL)]
    assert main(argv) == 2
    assert "словарь синонимов пуст" in capsys.readouterr().err
    synonyms.write_text("# без синонимов\n", encoding="utf-8")
    assert main(["--quiet", *argv]) == 0


def test_stats_names_the_dictionaries_a_reindex_used_and_says_when_they_changed(
        tmp_path, capsys, monkeypatch):
    """Nothing had said which topic list an index was built with (a methodologist's
    trial): the last run records each dictionary, and `stats` compares them with now."""
    topics = tmp_path / "topics.txt"
    topics.write_text("Выставки: выставка\n", encoding="utf-8")
    monkeypatch.setenv("KARTOTEKA_TOPICS_FILE", str(topics))
    index_dir = tmp_path / "ix"
    assert main(["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress",
                 str(JSONL)]) == 0
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "stats"]) == 0
    out = capsys.readouterr().out
    assert "словари последней переиндексации: темы: topics.txt (" in out
    assert "синонимы: встроенный" in out and "изменились" not in out
    topics.write_text("Выставки: выставка\nКраеведение: краеведение\n", encoding="utf-8")
    assert main(["--index-dir", str(index_dir), "stats"]) == 0
    assert "warning: словари изменились после неё (темы)" in capsys.readouterr().out


def test_the_dictionaries_told_are_those_of_the_last_full_run_that_went_well(
        tmp_path, capsys, monkeypatch):
    """A failed or an incremental run had recorded the edited file, and `stats` then said
    nothing of a change the index did not have (the review)."""
    topics = tmp_path / "topics.txt"
    topics.write_text("Выставки: выставка\n", encoding="utf-8")
    monkeypatch.setenv("KARTOTEKA_TOPICS_FILE", str(topics))
    index_dir = tmp_path / "ix"
    run = ["--quiet", "--index-dir", str(index_dir), "reindex", "--no-progress"]
    assert main([*run, str(JSONL)]) == 0
    topics.write_text("Выставки: выставка\nКраеведение: краеведение\n", encoding="utf-8")
    assert main([*run, "--incremental", str(JSONL)]) == 0
    assert main([*run, str(tmp_path / "missing.jsonl")]) != 0
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "stats"]) == 0
    assert "warning: словари изменились после неё (темы)" in capsys.readouterr().out
    assert main([*run, str(JSONL)]) == 0
    assert main(["--index-dir", str(index_dir), "stats"]) == 0
    assert "изменились" not in capsys.readouterr().out
