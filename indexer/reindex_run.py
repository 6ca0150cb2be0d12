"""`kartoteka reindex`: sources and sites into the index, guarded, with its summary."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from indexer import web
from indexer.cli_support import EXIT_ERROR, EXIT_USAGE, SKIPPED, said_of_index
from indexer.kept import KeptVersions
from indexer.libraries import SourceLibraries
from indexer.progress import PeriodicCount, ReindexProgress
from indexer.source_checks import address_problem, is_url, unreadable_sources
from indexer.sources import Skip, count_items, iter_publications, passed_over
from indexer.summary import (
    fewer_by_library,
    print_mended,
    print_summary,
    print_web_summary,
    removal_guard,
    smaller_index_guard,
    warn_of_a_large_removal,
    warn_of_a_smaller_index,
    warn_of_an_older_analysis,
    warn_of_unnamed_libraries,
)
from search.engine import open_engine
from search.errors import LEFT_AS_IT_WAS, IndexMissing, SearchError
from search.interrupts import interrupt_flag
from search.models import Publication
from search.record_fields import far_future
from search.settings import SAMPLE_DIR
from search.source_paths import file_of
from search.synonyms import SynonymDictionary
from search.topics import TopicDictionary

log = logging.getLogger("kartoteka")


def reindex(settings, args) -> int:
    engine = open_engine(settings)
    state_dir = Path(settings.index_dir)  # the web crawl's state, beside Whoosh's generations
    if args.if_missing:
        if engine.ready():
            log.info("индекс уже есть (%s): делать нечего", engine.describe())
            return 0
        log.info("индекса этой версии нет (%s): строим его", engine.describe())
        args.building = True  # a run of its own, told to /api/health (cli.py)
    if not args.sources and not args.sample:
        print("error: укажите источники для индексации (файлы, каталоги, адреса сайтов) "
              "или --sample для образца из поставки (см. `kartoteka reindex --help`)",
              file=sys.stderr)
        return EXIT_USAGE
    if any(not s.strip() for s in args.sources):  # Path("") would be the working directory
        print("error: пустое имя источника: укажите файл, каталог или адрес сайта",
              file=sys.stderr)
        return EXIT_USAGE
    for source in args.sources:
        problem = address_problem(source)
        if problem:
            print(f"error: {source}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    urls = [s for s in args.sources if is_url(s)]
    sources = [Path(s) for s in args.sources if not is_url(s)]
    if args.sample:
        sources.append(SAMPLE_DIR)
    left = said_of_index(LEFT_AS_IT_WAS, args.had_index)  # should the run stop here (cli.py)
    if _unreadable(sources, left):
        return EXIT_ERROR
    removed = engine.tidy()
    if removed:
        log.info("удалено недописанных каталогов индекса, оставленных прерванным запуском: "
                 "%d", len(removed))
    skipped: list[Skip] = []
    warned: list[Skip] = []
    topics = TopicDictionary.load(settings.topics_file, settings.categories_file)
    SynonymDictionary.load(settings.synonyms_file)  # searches need it: a bad line now, not
    # at the next restart of the service (a methodologist's nightly run went through)
    crawled = _crawl(urls, settings, args, state_dir, _generation(engine), topics) if urls else None
    if crawled is not None and crawled.failed_sites and not args.incremental \
            and not crawled.publications and not sources:
        for start, reason in crawled.failed_sites:
            print(f"error: {start}: {reason}", file=sys.stderr)
        print(f"error: сайт не прочитан; {left}", file=sys.stderr)
        return EXIT_ERROR
    if crawled is not None and not crawled.publications and not sources \
            and not args.incremental:
        print(f"error: с сайта не прочитано ни одной публикации; {left}",
              file=sys.stderr)
        return EXIT_ERROR

    def warn(where: str, message: str) -> None:
        warned.append(Skip(where, message))
        # --quiet (a nightly cron): the summary counts mended records by kind instead
        log.log(logging.INFO if args.quiet else logging.WARNING, "warning: %s: %s", where,
                message)

    unread_files: set[str] = set()  # skipped: an incremental run keeps what they gave
    kept = KeptVersions(engine)  # what a full run keeps of sources it could not read
    libraries = SourceLibraries(state_dir, args.library, sources, urls)

    def publications():
        seen: set[str] = set()
        gave: set[str] = set()  # the files that gave a publication
        for item in iter_publications(sources, topics, settings.max_source_bytes, warn):
            if isinstance(item, Skip):
                skipped.append(item)
                unread_files.add(item.file or item.where)  # a bad line: its whole file
                log.warning(f"{SKIPPED}%s: %s", item.where, item.reason)
                progress.update(1)
            else:
                seen.add(item.id)
                gave.add(file_of(item.source))
                _warn_of_the_future(item, warn)
                yield libraries.name(item)
        # (an incremental run keeps them by itself; when nothing at all was read, the
        # run stops as a rebuild of nothing does, leaving the index as it was)
        if not args.incremental and (seen or (crawled is not None and crawled.publications)):
            yield from kept.of_files(unread_files - gave, seen)
        if crawled is not None:
            skipped.extend(Skip(where, reason) for where, reason in crawled.skipped)
            for item in crawled.publications:
                _warn_of_the_future(item, warn)
                yield libraries.name(item)
            if not args.incremental:
                yield from kept.of_pages(crawled.unanswered)
                yield from kept.of_sites(crawled.failed_site_ids, seen)
                yield from kept.unreached(crawled.unreached_ids, seen)

    before = None if args.incremental else _documents(engine)
    started = time.perf_counter()
    total = count_items(sources) + (len(crawled.publications) if crawled else 0)
    show_bar = not (args.no_progress or args.quiet) and sys.stderr.isatty()
    with ReindexProgress(total, show_bar) as progress:
        if args.incremental:
            scopes = [str(s) for s in sources]
            stats = engine.sync(publications(), scopes, progress=progress.update,
                                accept_removals=removal_guard(args.allow_smaller),
                                phase=progress.phase, kept=unread_files)
            if crawled is not None and crawled.gone:
                stats.removed += engine.delete(crawled.gone, pushed=False)
        else:
            by_library: Counter = Counter()  # this run's, for a refusal to name them
            held = _ids(engine) if before else None
            libraries_before = _library_counts(engine) if before else {}
            stats = engine.rebuild(_counted(publications(), by_library),
                                   progress=progress.update,
                                   phase=progress.phase, procs=args.procs,
                                   accept=smaller_index_guard(
                                       before, args.allow_smaller,
                                       lambda: _of_sample(engine, args),
                                       lambda: _fewer(engine, by_library)))
            now = _ids(engine) if held else None
            if held and now is not None:  # both read (a cluster may not answer after)
                _against_the_last(stats, held, now)
            warn_of_unnamed_libraries(libraries_before, by_library)
    elapsed = time.perf_counter() - started
    libraries.save()  # the run went through: its --library names its sources from now on
    if crawled is not None:
        web.save_state(state_dir / web.STATE_FILE,
                       {**crawled.state, "generation": _generation(engine)})
    elif not args.incremental and (state_dir / web.STATE_FILE).exists():
        (state_dir / web.STATE_FILE).unlink()  # the new generation has no web pages
    print_summary(stats, skipped, elapsed + (crawled.seconds if crawled else 0), engine)
    kept.report()
    print_mended(warned, passed_over(sources))
    if crawled is not None:
        print_web_summary(crawled)
    if args.incremental:
        warn_of_a_large_removal(stats)
        warn_of_an_older_analysis(engine)
    else:
        warn_of_a_smaller_index(before, _documents(engine) or 0)
    if stats.indexed + stats.updated == 0 and not args.incremental:
        return EXIT_ERROR
    if crawled is not None and crawled.failed_sites:  # the others were indexed
        for start, reason in crawled.failed_sites:
            print(f"error: {start}: {reason}", file=sys.stderr)
        print("error: сайт не прочитан; его страницы оставлены как были", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _unreadable(sources: list[Path], left: str) -> bool:
    """Report the named paths that are missing or cannot be read; the run then stops.

    As with a site that cannot be read: nothing is indexed or removed, since an export that
    is not mounted would otherwise empty the index (or its part from that path).
    """
    bad = unreadable_sources(sources)
    for item in bad:
        print(f"error: {item.where}: {item.reason}", file=sys.stderr)
    if bad:
        print(f"error: источник не прочитан; {left}", file=sys.stderr)
    return bool(bad)


def _generation(engine) -> str | None:
    """The live generation's name (None before the first reindex)."""
    try:
        return engine.health()["generation"]
    except IndexMissing:
        return None


def _crawl(urls, settings, args, state_dir: Path, generation: str | None, topics):
    state_path = state_dir / web.STATE_FILE
    state = web.load_state(state_path)  # a full run keeps the pages of a site that fails
    if state and state.get("generation") != generation:
        if args.incremental:
            log.info("состояние сайтов — от другого поколения индекса: загружаем все страницы")
        state = {}
    options = web.CrawlOptions(delay=max(0.0, args.delay), concurrency=max(1, args.concurrency),
                               timeout=args.timeout, retries=max(0, args.retries),
                               max_pages=args.max_pages, depth=args.depth,
                               max_bytes=settings.max_source_bytes,
                               incremental=args.incremental and bool(state))
    log.info("загрузка: %s", ", ".join(urls))
    # SIGTERM (a cron line's `timeout`) stops the crawl as Ctrl-C does, and is said
    with interrupt_flag(), tqdm_bar(args, "загрузка") as bar:
        counted = PeriodicCount("загружено страниц", enabled=bar.disable)

        def fetched() -> None:
            bar.update(1)
            counted.tick()

        return web.crawl(urls, options, state, topics, on_item=fetched)


def tqdm_bar(args, desc):
    from tqdm import tqdm

    return tqdm(unit=" стр.", desc=desc, file=sys.stderr,
                disable=args.no_progress or args.quiet or not sys.stderr.isatty())


def _ids(engine) -> frozenset[str] | None:
    """The live index's ids, None when they cannot be read."""
    try:
        return engine.ids()
    except SearchError:
        return None


def _against_the_last(stats, held: frozenset[str], now: frozenset[str]) -> None:
    """A full run's counts against the index it replaced: added, those it did not hold;
    updated, those it held too (written again, changed or not); removed, those gone. A
    nightly cron's mail had said «добавлено: 3376» every night, and nothing of what
    came or went."""
    stats.indexed, stats.updated, stats.removed = (len(now - held), len(now & held),
                                                   len(held - now))


def _counted(publications, by_library: Counter):
    for pub in publications:
        by_library[pub.library or ""] += 1
        yield pub


def _library_counts(engine) -> dict[str, int]:
    """Publications per library in the index in use ({} when it cannot be read)."""
    try:
        return {v.value: v.count for v in engine.facet_values().get("library", ())}
    except SearchError:
        return {}


def _fewer(engine, by_library: Counter) -> str:
    """Which libraries the new index would hold fewer publications of than the one in use."""
    return fewer_by_library(_library_counts(engine), by_library)


def _warn_of_the_future(pub: Publication, warn: Callable[[str, str], None]) -> None:
    """A date more than a year ahead is indexed, and said (a year mistyped)."""
    if said := far_future(pub.published):
        warn(pub.source.replace("#", ":", 1) if pub.source else pub.id, said)


def _of_sample(engine, args) -> int:
    """How many publications of the index in use came from the shipped sample's records,
    when this run does not index the sample (asked before a smaller index is refused)."""
    if args.sample or args.allow_smaller:
        return 0
    try:
        # its records, pages and HTML files (counting the records alone said 58 of 70)
        return len(engine.of_files({str(path) for path in SAMPLE_DIR.rglob("*")
                                    if path.is_file()}))
    except SearchError:
        return 0


def _documents(engine) -> int | None:
    """How many publications the live index holds, None when there is none."""
    try:
        return engine.count()
    except SearchError:
        return None
