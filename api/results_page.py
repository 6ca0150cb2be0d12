"""GET /search: search results rendered on the server, for a browser without JavaScript.

The search page (`/`) is a script; with JavaScript off (an old phone, a data saver, some
assistive setups) its form reloaded the empty page. Its form now sends to this page,
which the script intercepts when it runs: the same search, its count, notices, hits with
their snippets and pages, in plain HTML under the same CSP.
"""

from __future__ import annotations

from urllib.parse import urlencode

import falcon

from api.pages import date_ru, escaped, href_of, page_html
from api.params import search_request
from search.plural import and_copies, plural
from search.searcher import SearchService
from search.settings import Settings

__all__ = ["ResultsPage"]


def _plural(count: int) -> str:
    return plural(count, "публикация", "публикации", "публикаций")


def _hits(hits: list[dict]) -> str:
    items = []
    for hit in hits:
        meta = " · ".join(escaped(v) for v in (date_ru(hit.get("published")), hit.get("author")) if v)
        items.append(f'<li class="hit"><h3 class="hit-title"><a href="{escaped(href_of(hit))}">'
                     f'{escaped(hit.get("title") or "Без названия")}</a></h3>'
                     + (f'<p class="hit-meta">{meta}</p>' if meta else "")
                     # the snippet is escaped HTML whose only tags are <mark> (search/highlight.py)
                     + (f'<p class="hit-snippet">{hit["snippet"]}</p>' if hit.get("snippet")
                        else "") + "</li>")
    return '<ol class="hits">' + "".join(items) + "</ol>"


def _link(params: list[tuple[str, str]], **changed) -> str:
    kept = [(k, v) for k, v in params if k not in changed]
    return "/search?" + urlencode(kept + [(k, str(v)) for k, v in changed.items()])


def results_html(q: str, params: list[tuple[str, str]], data: dict | None, error: str) -> str:
    """The page: a search form, then the answer (`data`, the API's), or `error`."""
    out = ['<section class="results-page"><h1>Поиск по публикациям</h1>',
           '<form class="search-form" role="search" action="/search" method="get">'
           '<label for="q-plain" class="visually-hidden">Поисковый запрос</label>'
           f'<input id="q-plain" type="search" name="q" value="{escaped(q)}">'
           '<button type="submit" class="btn btn-primary">Найти</button></form>',
           f'<p class="status"><a href="/?{escaped(urlencode(params))}">Поиск с фильтрами и '
           "подсказками</a> (нужен JavaScript)</p>"]
    if error:
        out.append(f'<p class="error" role="alert">{escaped(error)}</p>')
    elif data is not None:
        total, fix = data["total"], data.get("did_you_mean")
        pages = max(1, -(-total // data["per_page"]))
        out.append(f'<p class="status" role="status">Найдено: {total} {_plural(total)}'
                   + and_copies(data.get("copies_total", 0))
                   + (f", страница {data['page']} из {pages}" if 1 < pages and data['page'] <= pages
                      else "") + ".</p>"
                   if total else '<p class="status" role="status">'
                   + (f"По запросу «{escaped(q)}» ничего" if q.strip() else "С выбранными "
                      "фильтрами ничего") + " не найдено.</p>")
        # every notice the API gives (a correction, a layout, a year read, a page past
        # the last, a bracket skipped): the page had said only some of them
        out.extend(f'<p class="notice">{escaped(w[:1].upper() + w[1:])}.</p>'
                   for w in data.get("warnings", ()))
        if fix and not data.get("corrected"):
            out.append(f'<p class="notice">Возможно, вы имели в виду: <a href="'
                       f'{escaped(_link(params, q=fix, page=1))}">{escaped(fix)}</a></p>')
        if data["hits"]:  # the results' h3 titles under a heading of their level
            out.append('<h2 class="visually-hidden">Результаты</h2>')
        out.append(_hits(data["hits"]))
        if data.get("partial"):
            out.append(f'<h2 class="partial-title">Не все слова запроса: ещё '
                       f'{data["partial_total"]} {_plural(data["partial_total"])}</h2>'
                       + _hits(data["partial"]))
        page = data["page"]
        nav = ([f'<a rel="prev" href="{escaped(_link(params, page=page - 1))}">← Назад</a>']
               if page > 1 else []) + ([f'<a rel="next" href="{escaped(_link(params, page=page + 1))}"'
                                        ">Вперёд →</a>"] if page < pages else [])
        if nav:
            out.append('<nav class="pager" aria-label="Страницы">' + " ".join(nav) + "</nav>")
    out.append("</section>")
    # one search box, the page's own (to /search): the header's went to the page with script
    return page_html(f"«{q}»" if q else "Поиск", "\n".join(out),
                     skip="Перейти к результатам", header_form=False)


class ResultsPage:
    def __init__(self, service: SearchService, settings: Settings):
        self.service, self.settings = service, settings

    def on_get(self, req, resp):
        params = [(k, v) for k, vs in req.params.items()
                  for v in (vs if isinstance(vs, list) else [vs])][:40]
        data, error = None, ""
        try:
            request = search_request(req, self.settings)
            if request.q.strip() or request.topics or request.authors or request.years \
                    or request.date_from or request.date_to or request.libraries:
                data = self.service.search(request).to_dict()
        except falcon.HTTPBadRequest as exc:  # what /api/search would say in JSON
            error = f"Не удалось выполнить поиск: {exc.description}."
            resp.status = falcon.HTTP_400  # the page says why; a crawler or a check, by status
        resp.content_type = falcon.MEDIA_HTML
        resp.text = results_html(req.get_param("q") or "", params, data, error)
