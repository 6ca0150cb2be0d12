"""The `kartoteka` command's arguments: the argparse parser of reindex, search, stats and
serve, and the argument types that check their values.

Bad usage is one `error: ...` line and exit 2. The global options (--index-dir, --quiet)
may stand before or after the command. Help and errors are in Russian, argparse's own
words too (indexer/argparse_ru.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from indexer.argparse_ru import russian
from indexer.cli_support import EXIT_USAGE
from search.errors import InvalidRecord
from search.record_fields import parse_iso_date
from search.settings import Settings
from search.version import version

__all__ = ["build_parser"]


def _date(value: str) -> dt.date:
    """YYYY-MM-DD or ДД.ММ.ГГГГ, as the API's `from` and `to`."""
    try:
        date = parse_iso_date(value)
    except InvalidRecord as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if date is None:
        raise argparse.ArgumentTypeError("пустая дата")
    return date


def _number(kind, low, high=None):
    """An argparse type: `kind` (int or float) within low..high, both inclusive."""
    def convert(value: str):
        try:
            number = kind(value)
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            what = "целое число" if kind is int else "число"
            raise argparse.ArgumentTypeError(f"{value!r} — не {what}")
        if number < low or (high is not None and number > high):
            limits = f"не меньше {low}" if high is None else f"от {low} до {high}"
            raise argparse.ArgumentTypeError(f"{value!r}: нужно {limits}")
        return number
    convert.__name__ = kind.__name__
    return convert


def _name(value: str) -> str:
    """An argparse type: a name with its runs of spaces made one; a blank one is refused
    (`--library="$LIB"` with the variable unset would unname every record it reads)."""
    name = " ".join(value.split())
    if not name:
        raise argparse.ArgumentTypeError("пустое имя")
    return name


class _Parser(argparse.ArgumentParser):
    """argparse in Russian, with one `error: ...` line (and exit 2) for bad usage instead
    of the usage text."""

    def __init__(self, *args, **kwargs):
        with russian():  # the group titles and -h's help are worded here
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        """argparse's, with arguments it does not know told by the command's parser: its
        `--help` is the one that lists what `kartoteka search` takes."""
        with russian():
            parsed, extras = super().parse_known_args(args, namespace)
            if extras:
                command = self._commands().get(getattr(parsed, "command", None), self)
                command.error(argparse._("unrecognized arguments: %s") % " ".join(extras))
            return parsed

    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        return {name: sub for action in self._actions
                if isinstance(action, argparse._SubParsersAction)
                for name, sub in action.choices.items()}

    def parse_known_args(self, *args, **kwargs):
        with russian():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self):
        with russian():
            return super().format_usage()

    def format_help(self):
        with russian():
            return super().format_help()

    def error(self, message):
        message = " ".join(message.split())  # an argument holding a newline: still one line
        print(f"error: {message} (см. `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _global_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """--index-dir and --quiet, accepted before the command (top) and after it.

    After the command their defaults are SUPPRESS, so a value given before it stays.
    """
    unset = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--index-dir", type=Path, **unset,
                        help="каталог индекса (по умолчанию $KARTOTEKA_INDEX_DIR, иначе "
                        "index_data/index в рабочей копии исходников, иначе каталог данных "
                        "пользователя)")
    parser.add_argument("-q", "--quiet", action="store_true", **unset,
                        help="выводить только ошибки, пропущенные источники и записи и итог "
                        "(записи, исправленные по ходу, подсчитаны в нём по видам, с местом "
                        "первой из них; без индикатора хода)")


def build_parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(f"  {env:34} {h}" for env, _, h in Settings.documented())
    parser = _Parser(
        prog="kartoteka",
        description="Полнотекстовый поиск по публикациям библиотек.",
        # (the settings' help is the README's table too, which stays in English)
        epilog=f"Переменные окружения (пояснения — из README, на английском):\n{settings_help}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _global_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}",
                        help="показать версию и выйти")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _reindex_parser(sub)
    _search_parser(sub)
    _global_options(sub.add_parser(
        "stats", help="число публикаций, размер индекса, поколение и значения фильтров",
        description="Число публикаций, размер, поколение индекса и значения его фильтров "
        "(темы, авторы, библиотеки, годы), а также какой каталог индекса используется и "
        "почему."), top=False)
    p = sub.add_parser("serve", help="запустить API и страницу поиска под gunicorn",
                       description="Запускает API и страницу поиска под gunicorn "
                       "(настройки — из переменных KARTOTEKA_*; эти параметры их "
                       "переопределяют).")
    p.add_argument("--host", help="адрес, на котором слушать (по умолчанию 127.0.0.1)")
    p.add_argument("--port", type=_number(int, 1, 65535), help="порт (по умолчанию 8000)")
    p.add_argument("--workers", type=_number(int, 1, 64),
                   help="рабочих процессов (по умолчанию 3)")
    p.add_argument("--wait-for-index", action="store_true",
                   help="запуститься и до первой переиндексации, отвечая 503 (health: "
                        "missing), пока индекс не построен (для менеджера служб; без этого "
                        "отсутствие индекса — ошибка, код 3)")
    _global_options(p, top=False)
    return parser


def _reindex_parser(sub) -> None:
    p = sub.add_parser("reindex", help="построить или обновить индекс из источников",
                       description="Индексирует файлы JSON Lines, текстовые и HTML-страницы, "
                       "выгрузки WordPress (WXR, REST JSON), файлы PDF/DOCX/ODT, каталоги с "
                       "ними и сайты (корень сайта, sitemap или ленту RSS/Atom). Полная "
                       "перестройка пишет новый индекс и атомарно переключается на него; "
                       "прерванный запуск оставляет работать прежний индекс. О негодных "
                       "файлах сообщается, и они пропускаются.")
    p.add_argument("sources", nargs="*",
                   help="файлы, каталоги или адреса http(s) сайта, sitemap или ленты")
    p.add_argument("--sample", action="store_true",
                   help="проиндексировать образец публикаций из поставки Kartoteka "
                   "(отдельно или вместе с источниками)")
    p.add_argument("--incremental", action="store_true",
                   help="добавить и обновить публикации по id, удалить те, чей источник "
                   "исчез; у сайтов запрашивать только изменившееся и удалять страницы, "
                   "отвечающие 404/410")
    p.add_argument("--delay", type=_number(float, 0.0, 3600.0), default=0.5,
                   help="секунд между запросами к одному сайту (по умолчанию 0.5)")
    p.add_argument("--concurrency", type=_number(int, 1, 64), default=2,
                   help="страниц, загружаемых одновременно (по умолчанию 2)")
    p.add_argument("--timeout", type=_number(float, 0.1, 3600.0), default=15.0,
                   help="секунд ожидания ответа на запрос (по умолчанию 15)")
    p.add_argument("--retries", type=_number(int, 0, 20), default=2,
                   help="повторов после истечения ожидания или ответа 5xx (по умолчанию 2)")
    p.add_argument("--max-pages", type=_number(int, 1), default=5000,
                   help="не больше страниц с одного сайта (по умолчанию 5000)")
    p.add_argument("--depth", type=_number(int, 1, 100), default=5,
                   help="для сайта без sitemap и ленты: сколько уровней ссылок пройти от "
                   "стартовой страницы через списки новостей к самим публикациям (по "
                   "умолчанию 5)")
    p.add_argument("--library", metavar="NAME", type=_name,
                   help="библиотека каждой прочитанной публикации, в которой она не "
                   "указана (библиотека индексирует свой сайт или выгрузку); запоминается "
                   "для этих источников, так что следующие запуски без параметра назовут "
                   "их так же")
    p.add_argument("--allow-smaller", action="store_true",
                   help="разрешить полной перестройке вступить в силу, хотя в новом "
                   "индексе на пятую часть меньше публикаций, чем в заменяемом, а запуску "
                   "--incremental — удалить пятую часть публикаций своих источников (без "
                   "параметра — отказ, код 1: выгрузка могла оборваться)")
    p.add_argument("--if-missing", action="store_true",
                   help="ничего не делать, если индекс уже есть (так запускает `make run`)")
    p.add_argument("--no-progress", action="store_true", help="без индикатора хода")
    p.add_argument("--procs", type=_number(int, 1, 64),
                   help="процессов, анализирующих публикации при полной перестройке (по "
                   "умолчанию по числу ядер, не больше 4)")
    _global_options(p, top=False)


def _search_parser(sub) -> None:
    p = sub.add_parser("search", help="искать в индексе из командной строки",
                       description="Поиск по индексу; язык запросов тот же, что на "
                       "странице поиска.")
    p.add_argument("query", nargs="?", default="",
                   help="текст запроса (пустой — сначала новые публикации)")
    p.add_argument("--topic", action="append", default=[],
                   help="только эта тема (можно повторять)")
    p.add_argument("--author", action="append", default=[], help="только этот автор")
    p.add_argument("--library", action="append", default=[],
                   help="только эта библиотека (филиал)")
    p.add_argument("--year", action="append", default=[], type=_number(int, 1000, 9999),
                   help="только этот год")
    p.add_argument("--from", dest="date_from", type=_date,
                   help="с даты: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")
    p.add_argument("--to", dest="date_to", type=_date,
                   help="по дату включительно: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")
    p.add_argument("--sort", default="relevance",
                   choices=["relevance", "date", "date_desc", "date_asc"],
                   help="порядок результатов: по релевантности, по дате (сначала новые: "
                   "date, date_desc; сначала старые: date_asc)")
    p.add_argument("--page", type=_number(int, 1, 10_000), default=1,
                   help="номер страницы (по умолчанию 1)")
    p.add_argument("--per-page", type=_number(int, 1, 10_000), default=10,
                   help="результатов на странице (по умолчанию 10)")
    p.add_argument("--json", action="store_true", help="вывести JSON, как его отдаёт API")
    p.add_argument("--format", choices=["csv", "xlsx"],
                   help="выгрузить все найденные публикации (а не одну страницу) в CSV или "
                   "XLSX")
    p.add_argument("--output", type=Path,
                   help="файл для выгрузки (без него CSV выводится в stdout); без --format "
                   "формат задаёт окончание имени: .csv или .xlsx")
    _global_options(p, top=False)
