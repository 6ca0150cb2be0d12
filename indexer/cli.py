"""The `kartoteka` command: reindex, search, stats and serve.

Library errors become one `error: <message>` line on stderr and a non-zero exit code:
1 for a failed command, 2 for bad usage or a bad setting, 3 when the index is missing.
The global options (--index-dir, --quiet) may stand before or after the command; the
parser is indexer/cli_parser.py.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from indexer import commands
from indexer.cli_parser import build_parser
from indexer.cli_support import (
    EXIT_ERROR,
    EXIT_NO_INDEX,
    EXIT_USAGE,
    ErrorLines,
    had_index,
    said_of_index,
)
from indexer.ownership import give_to_index_owner
from search.engine import open_engine
from search.errors import (
    PREVIOUS_KEPT,
    ConfigError,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    QueryError,
    SchemaMismatch,
    SearchError,
)
from search.index_dir import locate_index_dir
from search.interrupts import Terminated
from search.last_run import (
    LAST_RUN_FILE,
    dictionary_marks,
    read_last_run,
    record_run,
    record_start,
)
from search.os_errors import os_problem
from search.settings import Settings

__all__ = ["main"]

log = logging.getLogger("kartoteka")


def _export_format(args) -> None:
    """`search --output FILE` without --format: the format is FILE's extension."""
    if getattr(args, "output", None) is None or args.format is not None:
        return
    args.format = {".csv": "csv", ".xlsx": "xlsx"}.get(args.output.suffix.lower())
    if args.format is None:
        print("error: для --output нужен --format csv|xlsx или имя файла на .csv или .xlsx "
              "(см. `kartoteka search --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _export_format(args)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    ran: list[Settings] = []  # the settings a command ran with
    if args.command != "reindex":
        return _run(args, ran)[0]
    with ErrorLines() as said:  # for /api/health: how the run ended, in its own words
        code, error = _run(args, ran)
    # refused while another run holds the index (or the directory is another engine's):
    # that run's record is the one to keep
    refused = isinstance(error, IndexBusy)
    # --if-missing with an index there ran nothing: the last real run stays told
    if ran and not refused and (not args.if_missing or getattr(args, "building", False)):
        record_run(ran[0].index_dir, code, said.first or error, bool(args.incremental),
                   create=ran[0].engine != "whoosh", skipped=said.skips,
                   first_skip=said.first_skip, engine=ran[0].engine,
                   dictionaries=dictionary_marks(ran[0]))
    if ran and give_to_index_owner(Path(ran[0].index_dir)):
        log.info("запуск от root: записанное в %s передано владельцу каталога, чей сервер "
                 "тоже пишет туда", ran[0].index_dir)
    return code


def _other_engine(settings: Settings) -> str | None:
    """The engine the last run in this index directory used, when it is another: a
    cron line without the service's KARTOTEKA_ENGINE built a Whoosh index beside an
    OpenSearch deployment's bookkeeping and told health `ok` (a portal admin's trial)."""
    last = read_last_run(settings.index_dir)
    used = last.get("engine") if last else None
    return used if isinstance(used, str) and used != settings.engine else None


def _run(args, ran: list[Settings]) -> tuple[int, str | IndexBusy | None]:
    """The command's exit code and its error, if one ended it (a refusal by a run
    holding the index: the IndexBusy itself)."""
    had = True  # whether a reindex found an index to keep, should it stop
    try:
        for line in Settings.check_environment():
            print(f"warning: {line}", file=sys.stderr)
        settings = Settings.from_env(index_dir=args.index_dir)
        ran.append(settings)
        if args.command == "reindex" and (other := _other_engine(settings)):
            refusal = IndexBusy(
                f"в {settings.index_dir} ведёт индекс движок {other}, а этот запуск взял бы "
                f"{settings.engine}: задайте KARTOTEKA_ENGINE={other} (и его настройки), "
                f"как у службы, или удалите там {LAST_RUN_FILE}, чтобы сменить движок")
            print(f"error: {refusal}", file=sys.stderr)
            return EXIT_USAGE, refusal  # not recorded: the other engine's runs stay told
        if args.command == "reindex":  # asked once: the run's own messages say it too
            engine = open_engine(settings)
            try:
                had = args.had_index = had_index(engine)
            finally:
                engine.close()
        if args.command == "reindex" and not args.if_missing:  # for /api/health
            going = (read_last_run(settings.index_dir) or {}).get("running_since")
            if going:  # overlapping cron lines: each had run unsaid (an admin's trial)
                print(f"warning: в {settings.index_dir} уже идёт переиндексация (начата "
                      f"{going})", file=sys.stderr)
            record_start(settings.index_dir, bool(args.incremental),
                         create=settings.engine != "whoosh")
        code = getattr(commands, args.command)(settings, args)
        return code, None if code == 0 else f"код выхода {code}"
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE, str(exc)
    except IndexMissing as exc:
        origin = "--index-dir" if args.index_dir is not None else locate_index_dir()[1]
        # (a cluster's alias has nothing to do with the directory)
        whoosh = not ran or ran[-1].engine == "whoosh"
        where = f" (каталог индекса выбран по {origin})" if whoosh else ""
        print(f"error: {exc}{where}", file=sys.stderr)
        return EXIT_NO_INDEX, str(exc)
    except (SchemaMismatch, IndexDamaged) as exc:  # no index this version can use
        if getattr(args, "incremental", False):  # the nightly cron's line, as written
            exc = type(exc)(f"{exc}; запуск с --incremental только обновляет индекс, "
                                 "который эта версия может прочитать: запустите его один "
                                 "раз без --incremental, со всеми источниками")
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_INDEX, str(exc)
    except IndexBusy as exc:  # the error itself: main() records nothing for it
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR, exc
    except QueryError as exc:  # a search asked wrong (`--from` after `--to`): as argparse's
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE, str(exc)
    except SearchError as exc:
        message = said_of_index(str(exc), had)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_ERROR, message
    except Terminated:
        print(f"остановлено (SIGTERM): {said_of_index(PREVIOUS_KEPT, had)}", file=sys.stderr)
        return 128 + signal.SIGTERM, "остановлено (SIGTERM)"
    except KeyboardInterrupt:
        print(f"прервано: {said_of_index(PREVIOUS_KEPT, had)}", file=sys.stderr)
        return 130, "прервано"
    except BrokenPipeError:
        # `kartoteka search ... | head`: the reader has what it wanted; Python must not
        # complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0, None
    except OSError as exc:  # a full disk, a read-only file system
        message = os_problem(exc)
        if args.command == "reindex":
            message += f": {said_of_index(PREVIOUS_KEPT, had)}"
        print(f"error: {message}", file=sys.stderr)
        return EXIT_ERROR, message
    except MemoryError:  # a memory limit (ulimit -v, a container's): not an interrupt
        message = "не хватило памяти"
        if args.command == "reindex":
            message += f": {said_of_index(PREVIOUS_KEPT, had)}"
        print(f"error: {message}", file=sys.stderr)
        return EXIT_ERROR, message


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:] if len(sys.argv) > 1 else None))
