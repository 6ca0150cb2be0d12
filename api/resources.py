"""Falcon resources: each a few lines over SearchService and the writer."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import re
from dataclasses import replace

import falcon

from api.errors import CLUSTER_SILENT, DAMAGED, NO_INDEX_YET, OUTDATED, public_message
from api.params import (
    int_param,
    search_request,
    text_param,
)
from search.errors import (
    EngineUnavailable,
    IndexDamaged,
    IndexMissing,
    InvalidRecord,
    SchemaMismatch,
)
from search.last_run import read_last_run
from search.models import Publication
from search.record_fields import far_future, json_type, validate_id
from search.record_input import check_record_input, without_markup
from search.searcher import SearchService
from search.settings import Settings
from search.topics import TopicDictionary

__all__ = ["Search", "Suggest", "PublicationResource", "Similar", "Facets", "Health"]


class Search:
    def __init__(self, service: SearchService, settings: Settings):
        self.service, self.settings = service, settings

    def on_get(self, req, resp):
        resp.media = self.service.search(search_request(req, self.settings)).to_dict()


class Suggest:
    def __init__(self, service: SearchService, settings: Settings):
        self.service, self.settings = service, settings

    def on_get(self, req, resp):
        q = text_param(req, "q", self.settings)
        limit = int_param(req, "limit", 1, 10, 10)
        resp.media = {"query": q, "suggestions": self.service.suggest(q, limit)}


def _json_body(req) -> dict:
    """The body as a JSON object, whatever Content-Type says (`curl -d` sends a form's):
    a publication is only ever sent as JSON. Each way a body can be wrong is a 400 saying
    which (an empty body, not UTF-8, where the JSON breaks, not an object); a UTF-8 BOM
    is taken, as in JSON Lines files. Text that cannot be stored (a lone UTF-16
    surrogate) or nesting deeper than Python's stack is a 400 like any other bad body."""
    def wrong(why: str) -> falcon.HTTPBadRequest:
        return falcon.HTTPBadRequest(title="Неверная публикация",
                                     description=f"{why}: пришлите объект JSON с полями "
                                                 "title и text (UTF-8)")
    encoding = (req.get_header("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":  # a gzip body was said to be «not UTF-8»
        raise falcon.HTTPUnsupportedMediaType(
            title="Неверная публикация",
            description=f"тело в кодировке {encoding[:40]} не принимается: пришлите JSON "
                        "без сжатия (без заголовка Content-Encoding)")
    raw = req.bounded_stream.read()
    if not raw.strip():
        raise wrong("пустое тело запроса")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise wrong(f"тело не в UTF-8 (байт {raw[exc.start]:#04x} на позиции {exc.start}"
                    f"{_charset_said(req)})") from None
    try:
        body = json.loads(text)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # no lone surrogates inside
    except json.JSONDecodeError as exc:
        raise wrong(f"неверный JSON в строке {exc.lineno}, столбце {exc.colno}") from None
    except UnicodeError:
        raise wrong("в тексте одиночный суррогат UTF-16 (\\ud800…\\udfff)") from None
    except RecursionError:
        raise wrong("слишком глубокая вложенность") from None
    except ValueError:  # an integer of over 4,300 digits (Python's limit on int())
        raise wrong("в JSON число длиннее 4300 цифр") from None
    if not isinstance(body, dict):
        raise wrong(f"ожидался объект JSON, а это {json_type(body)}")
    return body


def _charset_said(req) -> str:
    """`; заголовок говорит charset=windows-1251` when Content-Type names one."""
    found = re.search(r"charset=([\w.:-]+)", req.content_type or "", re.IGNORECASE)
    return f"; заголовок говорит charset={found[1]}" if found else ""


def _valid_id(pid: str) -> str:
    try:
        return validate_id(pid)
    except InvalidRecord as exc:
        raise falcon.HTTPNotFound(title="Не найдено", description=str(exc)) from None


class PublicationResource:
    """GET for everyone; PUT and DELETE with the admin token only."""

    def __init__(self, service: SearchService, settings: Settings):
        self.service, self.settings = service, settings
        self._topic_dictionary: TopicDictionary | None = None

    def on_get(self, req, resp, pid):
        resp.media = self.service.get(_valid_id(pid))

    def on_put(self, req, resp, pid):
        self._authorize(req)
        body = _json_body(req)
        check_record_input(body, pid)
        body = {**without_markup(body), "id": validate_id(pid), "source_file": "api"}  # invalid: a 400
        pub = Publication.from_dict(body, source="api")
        dictionary = self._topics()
        warnings = []  # a topic sent that is not on the list: dropped, or kept as written
        for sent in pub.topics:
            mapped = dictionary.from_categories([sent])
            if not mapped and dictionary.says_nothing(sent):
                warnings.append(f"рубрика «{sent}» не говорит о теме: она пропущена")
            elif not mapped:
                warnings.append(f"темы «{sent}» нет в списке тем: она пропущена")
            elif not set(mapped) & set(dictionary.names):
                warnings.append(f"темы «{sent}» нет в списке тем: она добавлена как есть")
        if body.get("date") and body.get("published") and body["date"] != body["published"]:
            warnings.append("указаны и date, и published: взята date")
        if said := far_future(pub.published):
            warnings.append(said)
        pub = replace(pub, topics=dictionary.topics_for(pub.topics, pub.title, pub.text))
        existed = self._exists(pub.id)
        self.service.engine.upsert([pub])  # read-your-writes within this worker
        resp.status = falcon.HTTP_200 if existed else falcon.HTTP_201
        resp.media = {"id": pub.id, "status": "updated" if existed else "created",
                      "topics": list(pub.topics), "warnings": warnings}

    def on_delete(self, req, resp, pid):
        self._authorize(req)
        removed = self.service.engine.delete([_valid_id(pid)])
        if not removed:
            raise falcon.HTTPNotFound(title="Не найдено", description=f"публикации {pid!r} нет")
        resp.media = {"id": pid, "status": "deleted"}

    def _topics(self) -> TopicDictionary:
        """The controlled topic list, as a reindex applies it (loaded on the first PUT)."""
        if self._topic_dictionary is None:
            self._topic_dictionary = TopicDictionary.load(self.settings.topics_file,
                                                         self.settings.categories_file)
        return self._topic_dictionary

    def _exists(self, pid: str) -> bool:
        try:
            self.service.get(pid)
            return True
        except Exception:  # noqa: BLE001 - NotFound or no index yet
            return False

    def _authorize(self, req) -> None:
        token = self.settings.admin_token
        if not token:
            raise falcon.HTTPForbidden(
                title="Запись отключена",
                description="чтобы разрешить PUT и DELETE, задайте на сервере "
                            "KARTOTEKA_ADMIN_TOKEN")
        header = req.get_header("Authorization") or ""
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise falcon.HTTPUnauthorized(title="Нужен токен",
                                          description="пришлите заголовок "
                                                      "«Authorization: Bearer <токен>»",
                                          challenges=["Bearer"])
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise falcon.HTTPForbidden(title="Неверный токен",
                                       description="токен администратора не подходит")


class Similar:
    def __init__(self, service: SearchService, settings: Settings):
        self.service = service

    def on_get(self, req, resp, pid):
        limit = int_param(req, "limit", 1, 20, 5)
        hits = self.service.similar(_valid_id(pid), limit)
        resp.media = {"id": pid, "similar": [h.__dict__ for h in hits]}


class Facets:
    def __init__(self, service: SearchService, settings: Settings):
        self.service = service

    def on_get(self, req, resp):
        """Every value of every facet over the whole index; parameters (a search's) are
        said to be ignored: the counts for a query come with /api/search."""
        ignored = [name[:30] for name in req.params][:3]
        resp.media = {"facets": self.service.all_facets(),
                      "warnings": [f"параметр «{name}» здесь не действует: /api/facets даёт "
                                   "все значения; счёт по запросу и фильтрам — в "
                                   "/api/search" for name in ignored]}


UNWRITABLE = ("сервер не может записать индекс: PUT и DELETE отвечают 503 (проверьте "
              "владельца и права каталога индекса и свободное место на диске)")


class Health:
    def __init__(self, service: SearchService, settings: Settings):
        self.service, self.settings = service, settings

    def on_get(self, req, resp):
        try:
            info = self.service.health()
        except (IndexMissing, SchemaMismatch, IndexDamaged, EngineUnavailable) as exc:
            # a monitor still gets the health shape, with 503: no index yet, one another
            # version built, one whose files cannot be read, a cluster that does not answer
            status, description = (("missing", NO_INDEX_YET) if isinstance(exc, IndexMissing)
                                   else ("outdated", OUTDATED)
                                   if isinstance(exc, SchemaMismatch)
                                   else ("damaged", DAMAGED) if isinstance(exc, IndexDamaged)
                                   else ("unavailable", CLUSTER_SILENT))
            resp.status = falcon.HTTP_503
            resp.media = {"status": status, "engine": self.settings.engine,
                          "documents": 0 if status == "missing" else None, "generation": None,
                          "last_reindex": None, "age_hours": None, "stale": True,
                          "description": description, "last_run": self._last_run()}
            logging.getLogger("kartoteka").warning("health: %s", exc)
            return
        built = info["last_reindex"]
        age_hours = None
        if built:
            age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(built)
            age_hours = round(age.total_seconds() / 3600, 2)
        stale = age_hours is None or age_hours > self.settings.stale_after_hours
        # an index with nothing in it serves no one: a monitor should see it as well
        # then a cluster short of a node (OpenSearch, not green), then age
        last_run = self._last_run()
        # the last reindex failed (after the one that built what serves): the index is the
        # one before, and the cron needs looking at now, not when it turns stale
        # (at or after: an incremental run that failed on one site still wrote the others,
        # in the same second; it said `ok` and the nightly failure went unseen)
        failed = bool(last_run and (not last_run.get("ok") and (
            not built or str(last_run.get("finished_at", "")) >= built)
            or last_run.get("failed_full")))  # the weekly full run failed since
        if info.get("unwritable") and self.settings.admin_token and not info.get("degraded"):
            # the CMS's PUTs are refused (503): the site's editors need to hear it today
            info = {**info, "degraded": UNWRITABLE}
        # built by an older analysis (an upgrade): served, but it finds less than a rebuild;
        # `stale` says so too, as the status does (a monitor reading the flag had missed it)
        advised = "reindex_advised" in info
        stale = stale or advised
        status = ("empty" if not info.get("documents") else "degraded" if info.get("degraded")
                  else "failed" if failed else "stale" if stale or advised else "ok")
        if info.get("incomplete"):  # red: searches miss publications
            resp.status = falcon.HTTP_503
        resp.media = {"status": status, **info, "age_hours": age_hours, "stale": stale,
                      "last_run": last_run}

    def _last_run(self) -> dict | None:
        """How the last reindex ended; its error without the server's paths (the README
        promises none in an answer: the run's own output has them)."""
        run = read_last_run(self.settings.index_dir)
        for key in ("error", "first_skip"):
            if run and isinstance(run.get(key), str):
                run = {**run, key: public_message(run[key], keep_names=True)}
        full = run.get("failed_full") if run else None
        if isinstance(full, dict) and isinstance(full.get("error"), str):
            run = {**run, "failed_full": {**full, "error": public_message(full["error"],
                                                                          keep_names=True)}}
        return run
