"""What `kartoteka reindex` prints when it is done: counts, skips, mended records."""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable

from search import morph
from search.analysis import ANALYSIS_VERSION
from search.errors import LEFT_AS_IT_WAS, RebuildFailed, SearchError
from search.plural import plural
from search.record_fields import FUTURE_MARK
from search.russian_numbers import decimal, percent, whole

__all__ = ["print_summary", "print_mended", "print_web_summary", "warn_of_a_large_removal",
           "warn_of_a_smaller_index", "smaller_index_guard", "warn_of_an_older_analysis"]


def print_web_summary(crawled) -> None:
    print(f"сайты: загружено {crawled.fetched}, без изменений {crawled.unchanged}, "
          f"исчезло {len(crawled.gone)}, запросов {crawled.requests} за "
          f"{decimal(crawled.seconds)} с ({decimal(crawled.pages_per_second)} стр./с)")
    for start, reason in crawled.failed_sites:
        print(f"  сайт пропущен: {start}: {reason}")
    for limit, count in crawled.not_visited.items():
        print(f"  не посещено страниц: {count} (достигнут предел {limit})")


# How indexer/mending.py words what it mended in a record, and the summary's words for it.
_WARNED = (("дата ", "проиндексированы без даты, которую не удалось прочитать"),
           ("url ", "проиндексированы без ссылки, которая не адрес http(s)"),
           ("записан дважды", "исправлены адреса с дважды записанным сайтом"),
           ("испорченные символы", "заменены испорченные символы"),
           ("кода страницы", "убран из текста код страницы (скрипты, стили)"))


def print_summary(stats, skipped: list, elapsed: float, engine) -> None:
    """The run's counts, times and index, then each kind of skip once with an example."""
    cache = morph.cache_stats()
    hits = cache["hits"] + stats.worker_lemma_hits
    lookups = hits + cache["misses"] + stats.worker_lemma_misses
    docs = stats.indexed + stats.updated + stats.unchanged
    print(f"добавлено: {stats.indexed}  обновлено: {stats.updated}  удалено: {stats.removed}  "
          f"пропущено: {len(skipped) + len(stats.skipped)}"
          + (f"  без изменений: {stats.unchanged}" if stats.unchanged else "")
          + (f"  перенесено из API: {stats.carried}" if stats.carried else ""))
    phases = (f"; добавление {decimal(stats.add_seconds)} с, запись {decimal(stats.commit_seconds)} с"
              if stats.add_seconds or stats.commit_seconds else "")  # a full rebuild's
    print(f"время: {decimal(elapsed)} с  ({whole(round(docs / elapsed)) if elapsed else 0} публ./с"
          f"{phases})")
    # (a full rebuild's: an incremental run starts from no such cache, and its 0 alarmed)
    known = (f"; слов, известных с прошлой перестройки: {whole(stats.cached_words)}"
             if stats.add_seconds or stats.commit_seconds else "")
    # (an incremental run that analysed nothing has nothing to say of it; the cache
    # that a rebuild leaves for the next is the Whoosh engine's)
    if lookups and engine.name == "whoosh":
        print(f"кэш лемм: {percent(hits / lookups)} попаданий из {whole(lookups)} "
              f"{plural(lookups, 'обращения', 'обращений', 'обращений')} "
              f"(все процессы индексации){known}")
    print(f"индекс: {engine.describe()}")
    for warning in stats.warnings:
        print(f"warning: {warning}")
    # reasons alike but for their numbers -> [count, the first, whether all are the same]
    kinds: dict[str, list] = {}
    for pid, reason in [("", item.reason) for item in skipped] + stats.skipped:
        kind = kinds.setdefault(re.sub(r"\d[\d,\xa0]*", "N", reason), [0, reason, True, pid])
        kind[0] += 1
        kind[2] = kind[2] and reason == kind[1]
    for count, first, same, pid in sorted(kinds.values(), key=lambda kind: -kind[0]):
        # the record's place, already printed above (a file's path, `file:2`), not the
        # field a reason names (`title: ожидалась строка`)
        example = re.sub(r"^(?:\S*[/\\#]\S*|\S+:\d+): ", "", first)
        # an engine's skip (a repeated id) has no place printed: its first id instead
        print(f"  пропущено {count}: {example}" + ("" if same else " (и подобное)")
              + (f" (например id {pid!r})" if pid else ""))


def print_mended(warned: list, other_kinds: Counter) -> None:
    """Records indexed with a part mended or dropped, told apart by what (a date, a link,
    broken characters), those dated more than a year ahead, and the files of kinds not
    read, by kind."""
    if other_kinds:
        print(f"  не прочитано файлов неиндексируемых видов: {sum(other_kinds.values())} — "
              + ", ".join(f"{kind} ({n})" for kind, n in sorted(other_kinds.items())))
    # said of a record indexed as it is (search/record_fields.py far_future), not mended
    future = [item for item in warned if FUTURE_MARK in item.reason]
    if future:
        print(f"  с датой {FUTURE_MARK}: {len(future)} (проверьте год; например "
              f"{future[0].where})")
    warned = [item for item in warned if FUTURE_MARK not in item.reason]
    if warned:
        kinds: Counter = Counter()
        first: dict[str, str] = {}  # kind -> where the first record of it is (a cron's
        for item in warned:  # log, under --quiet, has no warning line to look it up in)
            for kind, _ in _WARNED:
                if any(kind in part for part in item.reason.split("; ")):
                    kinds[kind] += 1
                    first.setdefault(kind, item.where)
        said = dict(_WARNED)
        print(f"  исправлено {len(warned)}: " + "; ".join(
            said[kind] + " (" + (f"{count}, " if len(kinds) > 1 else "")
            + f"например {first[kind]})" for kind, count in kinds.most_common()))


# A run losing at least this share of what it had (and a few publications) says so on
# stderr: a nightly export cut short removes quietly otherwise.
LARGE_REMOVAL = 0.2
_PUT_IT_BACK = "если источник оборвался (выгрузка, сайт), восстановите его и запустите снова"


def _publications(count: int) -> str:
    """`18 публикаций`, `21 публикация`."""
    return f"{count} {plural(count, 'публикация', 'публикации', 'публикаций')}"


def _of_publications(count: int) -> str:
    """After «из»: `из 18 публикаций`, `из 21 публикации`."""
    return f"{count} {plural(count, 'публикации', 'публикаций', 'публикаций')}"


def _would_hold(count: int) -> str:
    """`было бы 6 публикаций`, `была бы 1 публикация`."""
    return f"{plural(count, 'была', 'было', 'было')} бы {_publications(count)}"


def _large(lost: int, had: int) -> bool:
    return lost >= 5 and lost >= LARGE_REMOVAL * had


def smaller_index_guard(before: int | None, allowed: bool,
                        sample: Callable[[], int] = lambda: 0,
                        fewer: Callable[[], str] = lambda: "") -> Callable[[int], None] | None:
    """What a full run asks before its new index goes live: one holding a fifth fewer
    publications than the one it replaces (five at least) is refused, the old one kept,
    unless `--allow-smaller` says the sources were cut on purpose. A nightly cron over an
    export cut short, a file emptied or unreadable, the wrong folder: each had gone live
    with exit 0 (390 -> 21 publications) and only a warning. `sample()`: how many of the
    index in use are the shipped sample's, asked only then (a first crawl of a site after
    `make run` was refused without a word of the sample). `fewer()`: which sources
    shrank, asked only then (a portal's weekly run named none of its libraries)."""
    if before is None or allowed:
        return None

    def accept(after: int) -> None:
        if _large(before - after, before) and (of_sample := sample()):
            # the others may be the admin's own, from sources this run does not name:
            # --allow-smaller would drop them with the sample (an admin's trial)
            others = before - of_sample
            raise RebuildFailed(
                f"в новом индексе {_would_hold(after)}, в действующем {before}, из "
                f"них {of_sample} — из образца поставки; {LEFT_AS_IT_WAS}: чтобы заменить образец "
                "своими публикациями, запустите снова с --allow-smaller (один раз)"
                + (f"; другие {others} из действующего индекса полный запуск тоже уберёт, "
                   "если их источников нет среди названных: назовите и их, или добавьте "
                   "новое к индексу с --incremental" if others > 0 else ""))
        if _large(before - after, before):
            raise RebuildFailed(
                f"в новом индексе {_would_hold(after)}, в действующем {before}"
                f"{fewer()}; {LEFT_AS_IT_WAS}: {_PUT_IT_BACK}, а если публикации убраны из "
                "источников намеренно, запустите снова с --allow-smaller")

    return accept


def removal_guard(allowed: bool) -> Callable[[int, int], None] | None:
    """What an incremental run asks before it removes publications: removing a fifth or
    more of its sources' (five at least) is refused, nothing removed, unless
    `--allow-smaller` says so. A source file deleted or emptied by mistake had removed
    1,987 of 3,376 publications with exit 0 and a warning, where a full run refuses."""
    if allowed:
        return None

    def accept(removed: int, held: int) -> None:
        if _large(removed, held):
            raise RebuildFailed(
                f"этот запуск удалил бы {removed} из {_of_publications(held)} своих источников; "
                f"ничего не удалено: {_PUT_IT_BACK}, а если публикации убраны из источников "
                "намеренно, запустите снова с --allow-smaller")

    return accept


def warn_of_a_smaller_index(before: int | None, after: int) -> None:
    """A full run whose new index holds a fifth fewer publications than the one it
    replaced (five at least) says so."""
    if before is not None and _large(before - after, before):
        print(f"warning: в новом индексе {_publications(after)}, в заменённом было "
              f"{before}: {_PUT_IT_BACK}", file=sys.stderr)


def warn_of_a_large_removal(stats) -> None:
    """An incremental run removing a fifth or more of its sources' publications says so;
    not for those new ones stand in for (a site that moved its posts to new addresses)."""
    held = stats.indexed + stats.updated + stats.unchanged + stats.removed
    if _large(stats.removed - stats.indexed, held):
        print(f"warning: этот запуск удалил {stats.removed} из {_of_publications(held)} своих "
              f"источников: {_PUT_IT_BACK}", file=sys.stderr)


def fewer_by_library(before: dict[str, int], after: dict[str, int], shown: int = 3) -> str:
    """` (меньше у «ЦГБ им. Пушкина»: 8 -> 3)`: the libraries that lost most, or ""."""
    lost = sorted(((count - after.get(name, 0), name, count) for name, count in before.items()
                   if count > after.get(name, 0)), reverse=True)[:shown]
    if not lost:
        return ""
    return " (меньше у " + ", ".join(f"«{name}»: {count} -> {count - drop}"
                                     for drop, name, count in lost) + ")"


def warn_of_an_older_analysis(engine) -> None:
    """An incremental run over an index an older analysis built (an upgrade) analyses only
    what changed: the rest finds less until a full run, which it advises."""
    try:
        recorded = engine.health().get("analysis_version")
    except SearchError:
        return
    if recorded != ANALYSIS_VERSION:
        print(f"warning: индекс построен прежней версией анализа текста ({recorded or 1}, "
              f"эта версия делает {ANALYSIS_VERSION}); заново проанализированы только "
              f"публикации, изменённые этим запуском: запустите полный `kartoteka reindex` "
              f"(без --incremental), чтобы все находились одинаково", file=sys.stderr)


def warn_of_unnamed_libraries(before: dict[str, int], after: Counter) -> None:
    """A full run that left without a library most of what the index in use had under
    one: a name given with `--library` to a version that did not remember it (an admin's
    upgrade: «ЦГБ тест» went from 3,376 publications to 0, and the summary said nothing),
    or a run that forgot it. Said, with the way to name it again."""
    unnamed = after.get("", 0)
    lost = [(name, count) for name, count in before.items()
            if count >= 5 and after.get(name, 0) < count / 2]
    if not lost or unnamed < sum(count - after.get(name, 0) for name, count in lost) / 2:
        return
    names = ", ".join(f"«{name}» ({count} -> {after.get(name, 0)})" for name, count in lost[:3])
    print(f"warning: у {unnamed} публикаций этого запуска нет библиотеки, а в прежнем индексе "
          f'её называли: {names}; запустите снова с --library "название" для их источников '
          f"(название запомнится для следующих запусков)", file=sys.stderr)
