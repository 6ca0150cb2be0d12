"""The bodies of the CLI commands; each returns an exit code (reindex: reindex_run.py)."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import sys
from pathlib import Path

from indexer.cli_support import EXIT_USAGE, dump_json, request_from_args
from indexer.reindex_run import reindex
from search.cluster_settings import without_password
from search.errors import (
    ConfigError,
    EngineUnavailable,
    IndexDamaged,
    IndexMissing,
    SchemaMismatch,
    SearchError,
)
from search.index_dir import locate_index_dir
from search.last_run import dictionary_marks, read_last_run
from search.os_errors import os_reason
from search.plural import and_copies, plural
from search.russian_numbers import decimal, whole
from search.searcher import SearchService
from search.synonyms import SynonymDictionary
from search.topics import TopicDictionary

log = logging.getLogger("kartoteka")

__all__ = ["reindex", "search", "stats", "serve"]

# The facets' names as the search page shows them.
FACET_LABELS = {"topic": "Тема", "author": "Автор", "library": "Библиотека", "year": "Год"}


def search(settings, args) -> int:
    service = SearchService(settings)
    if args.format:
        return _export(service, args)
    result = service.search(request_from_args(args))
    if args.json:
        print(dump_json(result.to_dict()))
        return 0
    found = plural(result.total, "публикация", "публикации", "публикаций")
    print(f"Найдено: {whole(result.total)} {found}{and_copies(result.copies_total)}"
          + (f" по запросу «{result.query}»" if result.query.strip() else "")
          + (f" (возможно, вы имели в виду: {result.did_you_mean})"
             if result.did_you_mean else ""))
    for warning in result.warnings:
        print(f"  примечание: {warning}")
    first = (result.page - 1) * result.per_page
    for n, hit in enumerate(result.hits, first + 1):
        # the date as the page and the exports write it (25.06.2024), not ISO
        shown_date = f"{dt.date.fromisoformat(hit.published[:10]):%d.%m.%Y}" if hit.published else ""
        meta = " · ".join(x for x in (shown_date, hit.author, hit.library,
                                      ", ".join(hit.topics)) if x)
        print(f"\n{n}. {hit.title}  [{hit.id}]" + (f"  оценка {decimal(hit.score, 2)}" if hit.score else ""))
        if meta:
            print(f"   {meta}")
        print(f"   {_terminal_snippet(hit.snippet)}")
    for name, values in result.facets.items():
        if values:
            print(f"\n{FACET_LABELS.get(name, name)}: "
                  + "; ".join(f"{v.value} ({v.count})" for v in values[:10]))
    return 0


def _export(service, args) -> int:
    from search import export

    if args.format == "xlsx" and args.output is None:
        print("error: для --format xlsx нужен --output с именем файла", file=sys.stderr)
        return EXIT_USAGE
    count = 0

    def counted():
        nonlocal count
        for hit in service.export_hits(request_from_args(args)):
            count += 1
            yield hit

    chunks = export.stream(counted(), args.format)
    if args.output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    else:
        with open(args.output, "wb") as out:
            out.writelines(chunks)
        log.info("в %s записано публикаций: %d", args.output, count)
    return 0


def _terminal_snippet(snippet: str) -> str:
    bold = sys.stdout.isatty()
    text = snippet.replace("<mark>", "\033[1m" if bold else "[").replace(
        "</mark>", "\033[0m" if bold else "]")
    return html.unescape(text)


def stats(settings, args) -> int:
    service = SearchService(settings)
    health = service.health()
    print(f"публикаций: {health['documents']}")
    print(f"поколение: {health['generation']}  (построено {health['last_reindex']})")
    print(f"движок: {health['engine']}  индекс: {service.engine.describe()}")
    for said in ("degraded", "reindex_advised"):  # as /api/health says them
        if health.get(said):  # a node down, no manager, red; an older version's analysis
            print(f"warning: {health[said]}")
    print(f"каталог индекса: {settings.index_dir}  (выбран по {_index_dir_origin(args)})")
    _print_dictionaries(settings)
    for name, values in service.all_facets().items():
        count = len(values)
        print(f"\n{FACET_LABELS.get(name, name)} ({count} "
              f"{plural(count, 'значение', 'значения', 'значений')}):")
        for v in values[:50]:
            print(f"  {v['count']:6}  {v['value']}")
    return 0


_DICTIONARY_NAMES = {"topics": "темы", "categories": "рубрики", "synonyms": "синонимы"}


def _print_dictionaries(settings) -> None:
    """The dictionaries the last reindex used, and any changed since (a methodologist could
    not tell whether an index had been built with her edited topics)."""
    used = (read_last_run(settings.index_dir) or {}).get("dictionaries")
    if not isinstance(used, dict):
        return
    now = dictionary_marks(settings)
    print("словари последней переиндексации: " + ", ".join(
        f"{_DICTIONARY_NAMES[k]}: {'встроенный' if v == 'shipped' else v}"
        for k, v in used.items() if k in _DICTIONARY_NAMES))
    changed = [_DICTIONARY_NAMES[k] for k, v in now.items() if used.get(k) not in (None, v)]
    if changed:
        print(f"warning: словари изменились после неё ({', '.join(changed)}): темы публикаций "
              "станут новыми после `kartoteka reindex`, синонимы — после перезапуска сервиса")


def serve(settings, args) -> int:
    for flag, name in (("host", "KARTOTEKA_HOST"), ("port", "KARTOTEKA_PORT"),
                       ("workers", "KARTOTEKA_WORKERS")):
        given, set_ = getattr(args, flag), getattr(settings, flag)
        if given is not None and os.environ.get(name) and given != set_:
            log.warning("действует --%s %s, а не %s=%s", flag, given, name, os.environ[name])
    settings = settings.replace(host=args.host, port=args.port, workers=args.workers)
    try:
        advised = SearchService(settings).health().get("reindex_advised")
        if advised:  # said at the start too, not only by /api/health
            log.warning("%s", advised)
    except (IndexMissing, SchemaMismatch, IndexDamaged) as exc:  # run `kartoteka reindex` first
        if not args.wait_for_index:
            raise
        log.warning("%s; пока `kartoteka reindex` не построит индекс, сервер отвечает 503",
                    exc)
    except EngineUnavailable as exc:  # a web server booting before its cluster
        if not args.wait_for_index:
            raise
        log.warning("%s; пока кластер не ответит, сервер отвечает 503", exc)
    # The dictionaries the workers load: one `error:` line now rather than a worker's
    # traceback (and gunicorn restarting it) later.
    SynonymDictionary.load(settings.synonyms_file)
    TopicDictionary.load(settings.topics_file, settings.categories_file)
    _check_bind(settings.host, settings.port)
    env = dict(os.environ, KARTOTEKA_INDEX_DIR=str(Path(settings.index_dir).absolute()))
    for name in ("KARTOTEKA_SYNONYMS_FILE", "KARTOTEKA_TOPICS_FILE",
                 "KARTOTEKA_CATEGORIES_FILE"):  # read from elsewhere
        if env.get(name):
            env[name] = str(Path(env[name]).absolute())
    # Our `api` package, not one in the working directory: gunicorn puts the directory it
    # starts in first on the path, so it starts where this installation's packages are.
    installed = Path(__file__).resolve().parent.parent
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:api.gunicorn_conf",
            "--bind", f"{settings.host}:{settings.port}",
            "--workers", str(settings.workers), "api.app:get_app()"]
    log.info("каталог индекса: %s  (выбран по %s)", settings.index_dir,
             _index_dir_origin(args))
    if settings.engine != "whoosh":  # the index is the cluster's: name it, not the directory
        log.info("движок: %s, узлы: %s, псевдоним: %s", settings.engine,
                 ", ".join(without_password(url) for url in settings.opensearch_url),
                 settings.opensearch_prefix)
    log.info("сервер: http://%s:%d%s/, рабочих процессов: %d", settings.host, settings.port,
             settings.base_path, settings.workers)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(installed)
    os.execve(sys.executable, argv, env)
    return 0  # not reached


def _index_dir_origin(args) -> str:
    """Where the index directory came from, for `stats` and `serve` to say."""
    return "--index-dir" if args.index_dir is not None else locate_index_dir()[1]


def _check_bind(host: str, port: int) -> None:
    """Fail with one error line before gunicorn starts when the address cannot be bound."""
    import errno
    import socket

    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"не удаётся слушать на адресе {host!r}: {_lookup_reason(exc)}"
                          ) from None
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        message = f"не удаётся слушать {host}:{port}: {os_reason(exc)}"
        if exc.errno == errno.EADDRINUSE:  # the address is fine, just taken: a failure, not usage
            raise SearchError(message) from None
        raise ConfigError(message) from None


def _lookup_reason(exc: Exception) -> str:
    """Why a host name could not be looked up: the resolver's usual answers in Russian."""
    import socket

    if isinstance(exc, socket.gaierror) and exc.errno in (socket.EAI_NONAME,
                                                         getattr(socket, "EAI_NODATA", None)):
        return "такого имени нет"
    if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN:
        return "имя сейчас не удаётся разрешить (DNS не отвечает)"
    if isinstance(exc, UnicodeError):
        return "имя записано неверно"
    return str(exc)
