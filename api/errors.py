"""The one place where core errors become HTTP responses."""

from __future__ import annotations

import functools
import logging
import re

import falcon

from api.pages import error_page, not_found_page, wants_html
from search.errors import (
    ConfigError,
    EngineUnavailable,
    ExtractError,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    IndexNotWritable,
    InvalidRecord,
    NotFound,
    QueryError,
    RebuildFailed,
    SchemaMismatch,
    SearchError,
    WritesUnavailable,
)
from search.morph import is_cyrillic

__all__ = ["install_error_handlers", "public_message", "russian", "NO_INDEX_YET", "CLUSTER_SILENT",
           "OUTDATED"]

log = logging.getLogger("kartoteka.api")

NO_INDEX_YET = "индекса ещё нет: его строит команда kartoteka reindex"
CLUSTER_SILENT = "поисковый кластер не отвечает; подробности в журнале сервера"
OUTDATED = "индекс построен другой версией Kartoteka: перестройте его командой kartoteka reindex"
DAMAGED = ("файлы индекса не читаются (сбой диска или оборванное копирование): перестройте "
           "индекс командой kartoteka reindex; подробности в журнале сервера")
# (kind, status, title, description): a description None is the error's own message (a
# user's mistake, said in Russian where it is raised); the server's states get a fixed
# Russian one for the visitor, their own message (Russian too, for the admin: paths, a
# cluster's answer, what to run) goes to the log.
_STATUS = [
    (QueryError, falcon.HTTP_400, "Неверный запрос", None),
    (InvalidRecord, falcon.HTTP_400, "Неверная публикация", None),
    (ExtractError, falcon.HTTP_400, "Неверная публикация", None),
    (NotFound, falcon.HTTP_404, "Не найдено", None),
    (IndexMissing, falcon.HTTP_503, "Индекс недоступен", NO_INDEX_YET),
    (SchemaMismatch, falcon.HTTP_503, "Индекс недоступен", OUTDATED),
    (IndexDamaged, falcon.HTTP_503, "Индекс недоступен", DAMAGED),
    (IndexNotWritable, falcon.HTTP_503, "Индекс недоступен для записи",
     "сервер не может записать индекс (нет прав на его каталог или места на диске); поиск "
     "работает; подробности в журнале сервера"),
    (IndexBusy, falcon.HTTP_503, "Индекс занят",
     "индекс сейчас записывается (идёт переиндексация или другое изменение): повторите "
     "запрос через несколько секунд"),
    (WritesUnavailable, falcon.HTTP_503, "Изменения недоступны",
     "у поискового кластера сейчас нет управляющего узла: поиск работает, а изменения "
     "(PUT, DELETE, переиндексация) станут возможны, когда узел вернётся; повторите позже"),
    (EngineUnavailable, falcon.HTTP_503, "Индекс недоступен", CLUSTER_SILENT),
    (RebuildFailed, falcon.HTTP_503, "Индекс занят",
     "перестроить индекс не удалось; подробности в журнале сервера"),
    (ConfigError, falcon.HTTP_500, "Ошибка настройки",
     "сервер настроен неверно; подробности в журнале сервера"),
]
# Falcon's and the server's own refusals (a method a route does not take, a missing
# header), in Russian by status.
_BY_STATUS = {
    400: ("Неверный запрос", "запрос не удалось разобрать"),
    404: ("Не найдено", "такого адреса нет"),
    405: ("Метод не поддерживается", "этот адрес не принимает такой метод"),
    411: ("Нужна длина тела", "укажите Content-Length"),
    413: ("Слишком большое тело запроса", "тело запроса слишком велико"),
    414: ("Слишком длинный адрес", "адрес запроса слишком длинный: сократите запрос"),
    415: ("Неподдерживаемый тип", "пришлите тело в формате application/json"),
    431: ("Слишком большие заголовки", "заголовки запроса слишком велики"),
}


# A server file path: a slash not inside a URL or a word, then at least one more part.
_PATH = re.compile(r"(?<![\w:/.~-])(?:/[\w.@+~-]+){2,}/?")


def public_message(message: str, keep_names: bool = False) -> str:
    """An error message without the server's file paths (they stay in the log); with
    `keep_names`, a path's last part stays (which export file a run could not read).

    >>> public_message("индекс не найден в /srv/kartoteka/index: постройте его")
    'индекс не найден в …: постройте его'
    >>> public_message("error: /mnt/export/news.jsonl: нет такого файла", keep_names=True)
    'error: …/news.jsonl: нет такого файла'
    """
    if keep_names:
        return _PATH.sub(lambda m: "…/" + m.group().rstrip("/").rsplit("/", 1)[-1], message)
    return _PATH.sub("…", message)


def _search_error(req, resp, exc: SearchError, params):
    for kind, status, title, description in _STATUS:
        if isinstance(exc, kind):
            # a cluster that does not answer, or has no manager, is back in seconds or
            # minutes: a client (a CMS's push, a monitor) is told when to try again
            headers = {"Retry-After": "5"} if isinstance(exc, IndexBusy) else \
                {"Retry-After": "30"} if isinstance(exc, EngineUnavailable) else None
            if status != falcon.HTTP_400 and status != falcon.HTTP_404:
                log.warning("%s на %s: %s", kind.__name__, req.relative_uri, exc)
            error = falcon.HTTPError(status, title=title, headers=headers,
                                     description=description or public_message(str(exc)))
            error.parameter = getattr(exc, "parameter", None)
            raise error
    log.warning("ошибка на %s: %s", req.relative_uri, exc)
    raise falcon.HTTPInternalServerError(title="Внутренняя ошибка",
                                         description=_SERVER_FAILED)


_SERVER_FAILED = "сбой на сервере; ошибка записана в журнал"


def _unexpected(req, resp, exc: Exception, params):
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("необработанная ошибка: %s %s", req.method, req.relative_uri)
    raise falcon.HTTPInternalServerError(title="Внутренняя ошибка", description=_SERVER_FAILED)


def russian(status: int, title: str | None, description: str | None) -> tuple[str, str]:
    """(title, description) of an error in Russian: ours are already, Falcon's and the
    server's own (English, no Cyrillic) are replaced by their status's."""
    default = _BY_STATUS.get(status, ("Ошибка", "запрос не выполнен"))
    if not title or not is_cyrillic(title):
        title = default[0]
    if not description or not is_cyrillic(description):
        description = default[1]
    return title, description


def _serialize(base_path: str, req, resp, exc: falcon.HTTPError) -> None:
    title, description = russian(exc.status_code, exc.title, exc.description)
    if wants_html(req):  # a browser gets a page, the API JSON
        resp.content_type = falcon.MEDIA_HTML
        # the address as the visitor's browser shows it: under the base path, whether the
        # site's proxy passed it on or stripped it (api/mount.py)
        resp.text = (not_found_page(base_path + req.path) if exc.status_code == 404
                     else error_page(title, description, unavailable=exc.status_code == 503))
        return
    resp.content_type = falcon.MEDIA_JSON
    resp.media = {"title": title, "description": description}
    if getattr(exc, "parameter", None):  # which query parameter is at fault (api/params.py)
        resp.media["parameter"] = exc.parameter


def install_error_handlers(app: falcon.App, base_path: str = "") -> None:
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(SearchError, _search_error)
    app.set_error_serializer(functools.partial(_serialize, base_path))
