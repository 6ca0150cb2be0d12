"""The OpenAPI 3.1 description of the API, served at /openapi.json."""

from __future__ import annotations

from search.correction import CORRECTION_KINDS
from search.record_input import FIELD_LIMITS, MAX_TOPIC_LENGTH, MAX_TOPICS
from search.version import version

__all__ = ["openapi_spec"]

_ERROR = {"type": "object", "required": ["title", "description"],
          "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                         "parameter": {"type": "string", "description":
                                       "the query parameter at fault, on a 400 for one"}}}


def _err(text: str) -> dict:
    return {"description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(schema_ref: str, text: str = "OK") -> dict:
    return {"description": text, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _q(name, schema, text, repeat=False):
    param = {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    if repeat:
        param.update(schema={"type": "array", "items": schema}, style="form", explode=True)
    return param


def _search_params(max_page_size: int, max_q: int) -> list[dict]:
    return [
        _q("q", {"type": "string", "maxLength": max_q}, "query text (empty: browse newest)"),
        _q("topic", {"type": "string"}, "topic filter, repeat for OR", True),
        _q("author", {"type": "string"}, "author filter, repeat for OR", True),
        _q("library", {"type": "string"}, "library branch filter, repeat for OR", True),
        _q("year", {"type": "integer", "minimum": 1000, "maximum": 9999}, "year filter", True),
        _q("from", {"type": "string", "format": "date"},
           "first date, inclusive (also ДД.ММ.ГГГГ)"),
        _q("to", {"type": "string", "format": "date"}, "last date, inclusive (also ДД.ММ.ГГГГ)"),
        _q("sort", {"type": "string", "enum": ["relevance", "date_desc", "date_asc", "date"]},
           "order (date = date_desc)"),
        _q("page", {"type": "integer", "minimum": 1, "maximum": 10000}, "page number"),
        _q("per_page", {"type": "integer", "minimum": 1, "maximum": max_page_size}, "hits/page"),
    ]


_PID = {"name": "pid", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": r"^[\w.:~@+=-]{1,200}$"}}
_FACET_VALUE = {"type": "object", "required": ["value", "count", "selected"], "properties": {
    "value": {"type": "string"}, "count": {"type": "integer"}, "selected": {"type": "boolean"}}}
_NULLSTR = {"type": ["string", "null"]}
_HIT = {"type": "object", "required": [
    "id", "title", "url", "published", "author", "topics", "library", "snippet", "score",
    "parent_id", "copies"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "url": _NULLSTR,
    "published": {**_NULLSTR, "format": "date", "description":
                  "null when the publication has no date; both date orders put those last"},
    "author": _NULLSTR,
    "topics": {"type": "array", "items": {"type": "string"}}, "library": _NULLSTR,
    "snippet": {"type": "string", "description":
                "HTML, escaped: the only tags are <mark>…</mark> around the words found "
                "(as written in the text); safe to insert as HTML"},
    "score": {"type": ["number", "null"], "description":
              "relevance; null when browsing without words or in a date order"},
    "parent_id": _NULLSTR,
    "copies": {"type": "array", "items": {"type": "string"},
               "description": "ids of the other copies of this text or address"}}}
# What PUT takes (search/record_input.py): a record as GET gives it, or with `date`.
_PUBLICATION_IN = {"type": "object", "anyOf": [{"required": ["title"]}, {"required": ["text"]}],
                   "additionalProperties": False, "properties": {
    "id": {"type": ["string", "integer"]},
    "title": {"type": ["string", "null"], "maxLength": FIELD_LIMITS["title"]},
    "text": {"type": ["string", "null"]},
    "date": {"type": ["string", "null"], "format": "date"},
    "published": {"type": ["string", "null"], "format": "date"},
    **{name: {**_NULLSTR, "maxLength": limit} for name, limit in FIELD_LIMITS.items()
       if name != "title"},
    "topics": {"type": ["array", "string", "null"], "maxItems": MAX_TOPICS,
               "maxLength": MAX_TOPIC_LENGTH,
               "items": {"type": "string", "maxLength": MAX_TOPIC_LENGTH}}}}


# operationId of each operation: a generated client's method names (`searchPublications`
# rather than `apiSearchGet`)
_OPERATIONS = {("/api/search", "get"): "searchPublications", ("/api/suggest", "get"): "suggest",
               ("/api/export", "get"): "exportPublications",
               ("/api/publications/{pid}", "get"): "getPublication",
               ("/api/publications/{pid}", "put"): "putPublication",
               ("/api/publications/{pid}", "delete"): "deletePublication",
               ("/api/publications/{pid}/similar", "get"): "similarPublications",
               ("/api/facets", "get"): "listFacets", ("/api/health", "get"): "health"}


def openapi_spec(max_page_size: int = 100, max_q: int = 500) -> dict:
    spec = _spec(max_page_size, max_q)
    for (path, method), name in _OPERATIONS.items():
        operation = spec["paths"][path][method]
        operation["operationId"] = name
    return spec


def _spec(max_page_size: int, max_q: int) -> dict:
    search_params = _search_params(max_page_size, max_q)
    bad = _err("invalid parameter")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kartoteka", "version": version(),
                 "description": "Full-text search over Russian library publications."},
        "paths": {
            "/api/search": {"get": {"summary": "Ranked, faceted search", "parameters": search_params,
                                    "responses": {"200": _ok("SearchResult"), "400": bad,
                                                  "503": _err("no index")}}},
            "/api/suggest": {"get": {"summary": "Completions for the search box", "parameters": [
                _q("q", {"type": "string", "maxLength": max_q}, "text typed so far"),
                _q("limit", {"type": "integer", "minimum": 1, "maximum": 10}, "how many")],
                "responses": {"200": _ok("Suggestions"), "400": bad, "503": _err("no index")}}},
            "/api/export": {"get": {"summary": "Every match, streamed: CSV (; BOM, Russian headers, dd.mm.yyyy) or XLSX", "parameters": [
                *[p for p in search_params if p["name"] not in ("page", "per_page")],
                _q("format", {"type": "string", "enum": ["csv", "xlsx"]}, "file format")],
                "responses": {"200": {"description": "CSV or XLSX file", "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}},
                              "400": bad, "503": _err("no index, or as many exports as KARTOTEKA_EXPORTS_AT_ONCE already running (Retry-After)")}}},
            "/api/publications/{pid}": {
                "parameters": [_PID],
                "get": {"summary": "One publication", "responses": {
                    "200": _ok("Publication"), "404": _err("unknown id"),
                    "503": _err("no index")}},
                "put": {"summary": "Create or replace (admin token)",
                        "security": [{"bearer": []}],
                        "requestBody": {"required": True, "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/PublicationIn"}}}},
                        "responses": {"200": _ok("WriteResult"), "201": _ok("WriteResult"),
                                      "400": bad, "401": _err("no token"),
                                      "403": _err("wrong token or writes disabled"),
                                      "404": _err("no such path (an id with a slash)"),
                                      "413": _err("body too large"),
                                      "503": _err("index busy or missing")}},
                "delete": {"summary": "Remove (admin token)", "security": [{"bearer": []}],
                           "responses": {"200": _ok("WriteResult"), "401": _err("no token"),
                                         "403": _err("wrong token or writes disabled"),
                                         "404": _err("unknown id"),
                                         "503": _err("index busy or missing")}}},
            "/api/publications/{pid}/similar": {"get": {
                "summary": "Related publications",
                "parameters": [_PID, _q("limit", {"type": "integer", "minimum": 1, "maximum": 20},
                                        "how many")],
                "responses": {"200": _ok("Similar"), "400": bad, "404": _err("unknown id"),
                              "503": _err("no index")}}},
            "/api/facets": {"get": {"summary": "Every facet value with its count",
                                    "responses": {"200": _ok("AllFacets"),
                                                  "503": _err("no index")}}},
            "/api/health": {"get": {"summary": "Status of the index",
                                    "responses": {"200": _ok("Health"),
                                                  "503": _ok("Health", "no index, the "
                                                             "cluster does not answer, or it "
                                                             "is red")}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _ERROR,
                "Hit": _HIT,
                "FacetValue": _FACET_VALUE,
                "SearchResult": {"type": "object", "required": [
                    "query", "total", "page", "per_page", "hits", "facets", "did_you_mean",
                    "corrected", "correction", "relaxed", "warnings", "partial", "partial_total",
                    "copies_total", "topic_hints"],
                                 "properties": {
                    "query": {"type": "string", "description":
                              "the query as read: composed, without invisible characters "
                              "(see the README's HTTP API)"},
                    "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                    "facets": {"type": "object", "additionalProperties": {
                        "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                    "did_you_mean": _NULLSTR, "corrected": {"type": "boolean"},
                    "correction": {"type": ["string", "null"], "enum": [*CORRECTION_KINDS, None],
                                   "description": "what did_you_mean mends: a typo, the Latin "
                                   "keyboard layout, Russian in Latin letters, or a word half "
                                   "typed (searched as the words it begins)"},
                    "relaxed": {"type": "boolean", "description":
                                "no publication meets the query's rule; hits and total are "
                                "partial matches"},
                    "warnings": {"type": "array", "items": {"type": "string"}},
                    "partial": {"type": "array", "description":
                                "publications with only some of the words, when fewer than "
                                "10 meet the rule: on the page where the full matches end, "
                                "below them; not counted in total",
                                "items": {"$ref": "#/components/schemas/Hit"}},
                    "partial_total": {"type": "integer"},
                    "copies_total": {"type": "integer", "description":
                                     "publications that match too but are copies of a text "
                                     "among the hits (listed on its hit as copies); not "
                                     "counted in total"},
                    "topic_hints": {"type": "array", "description":
                                    "a query that found nothing or little with no filter: "
                                    "the topics whose names hold its words and that hold "
                                    "more publications, to browse",
                                    "items": {"$ref": "#/components/schemas/FacetValue"}}}},
                "Suggestions": {"type": "object", "required": ["query", "suggestions"],
                                "properties": {
                    "query": {"type": "string"},
                    "suggestions": {"type": "array", "items": {
                        "type": "object", "required": ["text", "kind", "id"], "properties": {
                        "text": {"type": "string"},
                        "kind": {"type": "string", "enum": ["word", "person", "title"], "description":
                                 "word: a word or a phrase of the titles; person: "
                                 "someone who signed publications; title: a publication "
                                 "(its id)"},
                        "id": _NULLSTR}}}}},
                "Publication": {"type": "object", "required": [
                    "id", "title", "text", "url", "published", "author", "author_position",
                    "photographer", "topics", "library", "parent_id"],
                                "properties": {
                                    "id": {"type": "string"}, "title": {"type": "string"},
                                    "text": {"type": "string"}, "url": _NULLSTR,
                                    "published": {"type": ["string", "null"], "format": "date"},
                                    "author": _NULLSTR, "author_position": _NULLSTR,
                                    "photographer": _NULLSTR,
                                    "topics": {"type": "array", "items": {"type": "string"}},
                                    "library": _NULLSTR, "parent_id": _NULLSTR}},
                "PublicationIn": _PUBLICATION_IN,
                "WriteResult": {"type": "object", "required": ["id", "status"], "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ["created", "updated", "deleted"]},
                    "topics": {"type": "array", "items": {"type": "string"},
                               "description": "PUT: the topics the publication got"},
                    "warnings": {"type": "array", "items": {"type": "string"},
                                 "description": "PUT: topics sent that are not on the list"}}},
                "Similar": {"type": "object", "required": ["id", "similar"], "properties": {
                    "id": {"type": "string"},
                    "similar": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}},
                "AllFacets": {"type": "object", "required": ["facets", "warnings"], "properties": {
                    "facets": {"type": "object", "additionalProperties": {
                        "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                    "warnings": {"type": "array", "items": {"type": "string"}}}},
                "Health": {"type": "object", "required": [
                    "status", "engine", "documents", "generation", "last_reindex", "age_hours",
                    "stale", "last_run"], "properties": {
                    "status": {"type": "string", "enum": [
                        "ok", "stale", "degraded", "failed", "empty", "missing", "outdated",
                        "damaged", "unavailable"]},
                    "last_run": {"type": ["object", "null"], "description":
                                 "how the last `kartoteka reindex` ended (`failed`: after "
                                 "the one that built the index serving)", "properties": {
                                     "finished_at": {"type": "string"},
                                     "ok": {"type": "boolean"},
                                     "exit_code": {"type": ["integer", "null"],
                                                   "description": "null: interrupted"},
                                     "incremental": {"type": "boolean"},
                                     "error": _NULLSTR,
                                     "skipped": {"type": "integer", "description":
                                                 "sources and records the run skipped "
                                                 "(a file empty or unreadable, a bad line)"},
                                     "first_skip": _NULLSTR,
                                     "running_since": {"type": "string", "description":
                                                       "a reindex is running since then"},
                                     "failed_full": {"type": "object", "description":
                                                     "the last full run, which failed "
                                                     "(`finished_at`, `exit_code`, "
                                                     "`error`), until one goes well"},
                                     "interrupted": {"type": "boolean", "description":
                                                     "the run's process ended without "
                                                     "finishing (killed, out of memory)"},
                                     "engine": {"type": "string", "description":
                                                "the engine the run used"}}},
                    "engine": {"type": "string"},
                    "documents": {"type": ["integer", "null"], "description":
                                  "null when the index cannot be read (`outdated`, "
                                  "`damaged`, `unavailable`)"},
                    "generation": _NULLSTR,
                    "last_reindex": _NULLSTR, "age_hours": {"type": ["number", "null"]},
                    "stale": {"type": "boolean"}, "description": _NULLSTR,
                    "stale_lexicon": {"type": "boolean", "description":
                                      "OpenSearch: spelling and suggestions not yet "
                                      "recomputed after a PUT or DELETE"},
                    "cluster": {"type": "object", "description": "OpenSearch: the live "
                                "index on the cluster", "properties": {
                                    "name": {"type": "string"}, "status": {"type": "string"},
                                    "nodes": {"type": "integer"},
                                    "unassigned_shards": {"type": "integer"},
                                    "manager": {"type": "boolean", "description":
                                                "whether the cluster has a manager node "
                                                "(without one: searches whole, no writes)"}}},
                    "degraded": {"type": "string", "description":
                                 "why: OpenSearch, the live index is not green or the "
                                 "cluster has no manager; Whoosh, with an admin token set, "
                                 "the server cannot write the index (PUT, DELETE refused)"},
                    "unwritable": {"type": "string", "description":
                                   "Whoosh: which file of the index the server cannot write"},
                    "incomplete": {"type": "boolean", "description":
                                   "OpenSearch: part of the index is unavailable (red): "
                                   "searches miss publications (HTTP 503)"},
                    "analysis_version": {"type": ["integer", "null"], "description":
                                         "the text analysis the index was built by (null: "
                                         "before it was recorded)"},
                    "reindex_advised": {"type": "string", "description":
                                        "built by an older text analysis (an upgrade): "
                                        "served, but a full reindex finds more; status "
                                        "`stale`"}}},
            },
        },
    }
