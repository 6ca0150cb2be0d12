"""The CLI speaks Russian: argparse's own words and our argument types' errors, a typical
session's output with no English sentence in it, the core's typed errors worded in
Russian where they are raised, the number words of the summary's lines, and numbers
written the Russian way («0,5 с», «12 345»)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.cli import main
from search.russian_numbers import decimal, percent, whole
from search.settings import SAMPLE_DIR

JSONL = SAMPLE_DIR / "publications.jsonl"
RECORDS = [json.loads(line) for line in JSONL.read_text(encoding="utf-8").splitlines()
           if line.strip()]


@pytest.mark.parametrize(("argv", "said"), [
    ([], "не хватает обязательных аргументов: COMMAND (см. `kartoteka --help`)"),
    (["bogus"], "аргумент COMMAND: нет такого варианта: 'bogus' (можно: 'reindex', "
                "'search', 'stats', 'serve')"),
    (["search", "x", "--sort", "score"], "аргумент --sort: нет такого варианта: 'score'"),
    (["search", "x", "--page"], "аргумент --page: нужно значение (см. `kartoteka search "
                                "--help`)"),
    (["search", "x", "--per-page", "ten"], "аргумент --per-page: 'ten' — не целое число"),
    (["reindex", "--delay", "nan"], "аргумент --delay: 'nan' — не число"),
    (["serve", "--port", "70000"], "аргумент --port: '70000': нужно от 1 до 65535"),
    (["reindex", "--procs", "0"], "аргумент --procs: '0': нужно от 1 до 64"),
    # the command's --help lists what it takes (it had pointed to `kartoteka --help`)
    (["stats", "--bogus"], "неизвестные аргументы: --bogus (см. `kartoteka stats --help`)"),
    (["search", "x", "--frobnicate"], "неизвестные аргументы: --frobnicate (см. `kartoteka "
                                      "search --help`)"),
    (["search", "x", "--from", "2024-13-01"], "аргумент --from: даты '2024-13-01' нет в "
                                              "календаре"),
])
def test_bad_usage_is_told_in_russian(tmp_path, capsys, argv, said):
    """argparse's own messages (indexer/argparse_ru.py) and our argument types' are Russian
    after the `error: ` prefix that scripts look for."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--index-dir", str(tmp_path / "ix"), *argv])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith(f"error: {said}")


def test_argparse_speaks_russian_only_for_our_parser(capsys):
    """The override holds within our parser's calls: another parser in the same process
    (pytest's own) keeps argparse's English."""
    import argparse

    from indexer.argparse_ru import WORDS, russian

    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other")
    with russian(), russian():  # nested: the outer one still restores English
        assert argparse._("usage: ") == WORDS["usage: "]
        assert argparse.ngettext("expected %s argument", "expected %s arguments", 3) == \
            "нужно %s значения"
        assert argparse._("a message of a newer Python") == "a message of a newer Python"
    assert argparse._("usage: ") == "usage: "


# -- language ------------------------------------------------------------------------
# What stays Latin in the CLI's Russian lines: the `error:` and `warning` prefixes scripts
# look for, commands in backquotes, options, variables, addresses, paths, quoted values
# (a bad option's value, the choices), publication ids.
_NOT_WORDS = re.compile(
    r"`[^`\n]*`"                                  # `kartoteka reindex`
    r"|--[\w-]+"                                  # --index-dir
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"         # KARTOTEKA_INDEX_DIR
    r"|https?://\S+"                              # an address
    r"|(?<![\w.])\.{0,2}/\S*"                     # a path
    r"|'[^'\n]*'"                                 # a value as repr() quotes it
    r"|\[[^\]\s]+\]"                              # [zlat-2022-005]
    r"|^(?:error|warning)\b:?", re.MULTILINE)
_LATIN_RUN = re.compile(r"[A-Za-z]+(?:[ ,;:()\"!?-]+[A-Za-z]+)+")


def english_in(text: str) -> list[str]:
    """Runs of Latin words holding a lower-case one (`no index in`, `Expecting value`),
    outside what may stay Latin; names such as `JSON Lines` or `PDF, DOCX` are not."""
    return [run for run in _LATIN_RUN.findall(_NOT_WORDS.sub("\0", text))
            if any(word.islower() and len(word) > 1 for word in re.findall(r"[A-Za-z]+", run))]


def test_english_in_finds_english_and_passes_what_may_stay_latin():
    assert english_in("error: no index in /srv/ix: build one with `kartoteka reindex`") == [
        "no index in", "build one with"]
    assert english_in("  skipped 1: malformed JSON: Expecting value (column 1)") == [
        "malformed JSON: Expecting value (column"]  # (a lone `skipped` is no run)
    assert english_in("kept as the last index had them: 3") == [
        "kept as the last index had them"]
    assert english_in("error: индекс не найден в /srv/ix: постройте его командой "
                      "`kartoteka reindex` (каталог индекса выбран по --index-dir)") == []
    assert english_in("warning: /x/a.jsonl:3: файл JSON — не JSON Lines, не PDF, DOCX или ODT; "
                      "аргумент --sort: нет такого варианта: 'score' (можно: 'relevance', "
                      "'date')  [zlat-2022-005]  KARTOTEKA_INDEX_DIR=x") == []


def test_a_typical_session_speaks_russian(tmp_path, capsys, caplog):
    """Everything a session prints for a person (stdout, stderr, the log's lines): a
    reindex of the sample and of a directory with bad files, searches, stats, bad usage,
    a missing index, a missing source. No English sentence among them."""
    caplog.set_level("INFO", logger="kartoteka")
    index_dir = tmp_path / "ix"
    bad = tmp_path / "export"
    bad.mkdir()
    good = json.dumps(dict(RECORDS[0], id="own-1"), ensure_ascii=False)
    (bad / "news.jsonl").write_bytes(
        (good + "\n" + '{"id": "cut", "title": "Обры' + "\n").encode()
        + b"\xff\xfe not utf-8\n" + b'{"id": "x", "date": "\xd0\xb2\xd1\x87\xd0\xb5\xd1\x80\xd0'
        b'\xb0", "title": "\xd0\x94\xd0\xb0\xd1\x82\xd0\xb0"}\n')
    (bad / "empty.txt").write_bytes(b"")
    (bad / "notes.md").write_text("# заметки", encoding="utf-8")
    session = [
        (0, ["reindex", "--sample", "--no-progress"]),
        (0, ["reindex", "--incremental", "--no-progress", str(bad)]),
        (0, ["search", "выставки", "--per-page", "2"]),
        (0, ["search", "выствки", "--per-page", "1"]),
        (0, ["stats"]),
        (2, ["search", "--bogus"]),
        (2, ["search", "x", "--sort", "score"]),
        (2, ["serve", "--port", "0"]),
        (1, ["reindex", "--no-progress", str(tmp_path / "exprot")]),
        (3, ["--index-dir", str(tmp_path / "none"), "stats"]),
    ]
    said = []
    for code, argv in session:
        argv = argv if argv[0] == "--index-dir" else ["--index-dir", str(index_dir), *argv]
        try:
            got = main(argv)
        except SystemExit as exit_:
            got = exit_.code
        captured = capsys.readouterr()
        assert got == code, (argv, captured.err)
        said += [captured.out, captured.err, *caplog.messages]
        caplog.clear()
    text = "\n".join(said)
    for expected in ("добавлено: 70", "пропущено 1: неверный JSON", "не текст в UTF-8",
                     "пустой файл", "исправлено 1:", "Найдено: 18 публикаций",
                     "возможно, вы имели в виду", "публикаций: 72", "Тема (",
                     "неизвестные аргументы", "нет такого варианта", "нужно от 1 до 65535",
                     "нет такого файла или каталога", "индекс не найден в",
                     "не прочитано файлов неиндексируемых видов: 1"):
        assert expected in text, f"{expected}\n{text}"
    assert english_in(text) == [], text


def _raised_messages(root: Path, names: set[str]):
    """(file:line, the literal text) of each `Name("…")` or `Name(f"…")` call in `root`."""
    import ast

    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in names):
                continue
            first = node.args[0]
            parts = [first] if isinstance(first, ast.Constant) else \
                list(first.values) if isinstance(first, ast.JoinedStr) else []
            text = "".join(p.value for p in parts
                           if isinstance(p, ast.Constant) and isinstance(p.value, str))
            if text.strip():
                yield f"{path.relative_to(root.parent)}:{node.lineno}", text


def test_the_core_s_typed_errors_are_worded_in_russian():
    """The messages of search/errors.py's errors (and the crawl's FetchError, the argument
    types' errors) reach a person as they are: the CLI's `error:` line, the API's
    description where it shows an error's own words. Each literal one is Russian."""
    import search.errors
    from search.morph import is_cyrillic

    names = {name for name, value in vars(search.errors).items()
             if isinstance(value, type) and issubclass(value, Exception)}
    names |= {"FetchError", "ArgumentTypeError"}
    root = Path(__file__).resolve().parent.parent
    found = [(where, text) for package in ("search", "indexer")
             for where, text in _raised_messages(root / package, names)]
    assert len(found) > 80, found  # (the walk finds them)
    assert [(where, text) for where, text in found if not is_cyrillic(text)] == []


@pytest.mark.parametrize(("held", "words"), [(18, "из 18 публикаций"), (21, "из 21 публикации"),
                                              (25, "из 25 публикаций")])
def test_a_refused_removal_counts_the_publications_after_iz(held, words):
    """«удалил бы 6 из 21 публикация»: the number word after «из» is the genitive."""
    from indexer.summary import removal_guard
    from search.errors import RebuildFailed

    with pytest.raises(RebuildFailed) as refused:
        removal_guard(False)(6, held)
    assert str(refused.value).startswith(f"этот запуск удалил бы 6 {words} своих "), refused


@pytest.mark.parametrize(("after", "words"), [(1, "была бы 1 публикация"),
                                               (3, "было бы 3 публикации"),
                                               (6, "было бы 6 публикаций"),
                                               (21, "была бы 21 публикация")])
def test_a_refused_smaller_index_agrees_with_its_count(after, words):
    from indexer.summary import smaller_index_guard
    from search.errors import RebuildFailed

    with pytest.raises(RebuildFailed) as refused:
        smaller_index_guard(100, False)(after)
    assert str(refused.value).startswith(f"в новом индексе {words}, в действующем 100;"), \
        refused


@pytest.mark.parametrize(("number", "written"), [
    (999, "999"), (4283, "4283"), (12345, "12\xa0345"), (-1234567, "-1\xa0234\xa0567")])
def test_whole_numbers_are_written_the_russian_way(number, written):
    """Five digits and more grouped by a no-break space; four digits stay whole."""
    assert whole(number) == written


def test_fractions_and_shares_take_a_decimal_comma():
    assert (decimal(0.5), decimal(1234.5), decimal(12345.678, 2), percent(0.953)) == (
        "0,5", "1234,5", "12\xa0345,68", "95,3\xa0%")
