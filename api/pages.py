"""Server-rendered HTML for browsers: a publication page (/p/{id}) and the 404 page.

Every value is escaped here; the pages need no script and keep to the same CSP as the rest.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import falcon

from search.errors import ConfigError, InvalidRecord
from search.record_fields import validate_id
from search.searcher import SearchService
from search.setting_values import normal_origin

__all__ = ["PublicationPage", "not_found_page", "wants_html", "SIMILAR_ON_PAGE", "page_html",
           "date_ru", "href_of", "escaped", "back_href"]

SIMILAR_ON_PAGE = 5
_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря")
_LAYOUT = """<!DOCTYPE html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} — Картотека</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/style.css">
</head>
<body>
  <a class="skip-link" href="#main">{skip}</a>
  <header class="site-header">
    <div class="container">
      <p class="site-title"><a href="/">Картотека</a></p>
      <p class="site-subtitle">Поиск по публикациям библиотек</p>
{header_form}    </div>
  </header>
  <main class="container page" id="main">
{body}
  </main>
  <footer class="site-footer">
    <div class="container"><p><a href="/">Поиск</a> · <a href="/docs">Описание API</a></p></div>
  </footer>
</body>
</html>
"""


def escaped(value) -> str:
    return html.escape(str(value or ""), quote=True)


_HEADER_FORM = """      <form class="search-form" role="search" action="/" method="get">
        <label for="q" class="visually-hidden">Поисковый запрос</label>
        <div class="search-box"><input id="q" type="search" name="q"
          placeholder="Например: выставка, краеведение, Пушкин"></div>
        <button type="submit" class="btn btn-primary">Найти</button>
      </form>
"""


def page_html(title: str, body: str, skip: str = "Перейти к публикации",
              header_form: bool = True) -> str:
    """A page in the site's layout; `skip`: the skip link's words (to the main part).
    `header_form`: the header's search box (to the page with script), left out where the
    body has a search form of its own."""
    return _LAYOUT.format(title=escaped(title), body=body, skip=escaped(skip),
                          header_form=_HEADER_FORM if header_form else "")


def date_ru(iso: str | None) -> str:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{day} {_MONTHS[month - 1]} {year}" if 1 <= month <= 12 else ""


def href_of(record: dict) -> str:
    """The library's own address when it is a web address, else our publication page."""
    url = record.get("url") or ""
    return url if re.match(r"https?://", url, re.I) else "/p/" + quote(record["id"], safe="")


def _meta(record: dict) -> str:
    parts = []
    if date := date_ru(record.get("published")):
        parts.append(f'<time datetime="{escaped(record["published"])}">{escaped(date)}</time>')
    if record.get("author"):
        position = record.get("author_position")
        parts.append(escaped(record["author"]) + (f", {escaped(position)}" if position else ""))
    if record.get("library"):
        parts.append(escaped(record["library"]))
    return "".join(f"<span>{p}</span>" for p in parts)


def _text(text: str) -> str:
    """Paragraphs from the stored text: one per line, empty lines dropped."""
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(f"<p>{escaped(line)}</p>" for line in lines if line) or "<p>Текста нет.</p>"


def _onward(href: str, site: str | None) -> str:
    """A link to another publication page here, carrying the way back to the library's
    site (`return`) on: one click further it had been lost."""
    return href + "?" + urlencode({"return": site}) if site and href.startswith("/p/") else href


def _links(records: list[dict], css: str, site: str | None = None) -> str:
    items = []
    for r in records:
        date = date_ru(r.get("published"))
        extra = f'<span class="related-meta">{escaped(date)}</span>' if date else ""
        href = _onward(href_of(r), site)
        items.append(f'<li><a href="{escaped(href)}">{escaped(r.get("title") or "Без названия")}'
                     f"</a>{extra}</li>")
    return f'<ul class="{css}">' + "".join(items) + "</ul>"


# What the way back to the search keeps of the search a hit was opened from (`back`).
_SEARCH_PARAMS = ("q", "topic", "author", "library", "year", "from", "to", "sort", "page",
                  "per_page")


def back_href(back: str | None) -> str:
    """The search page as it was (`/?q=выставка&page=2`): «← К поиску» led to an empty
    search. Only the search's own parameters are kept, re-encoded."""
    pairs = [(k, v[:500]) for k, v in parse_qsl(back or "")[:40] if k in _SEARCH_PARAMS]
    return "/?" + urlencode(pairs) if pairs else "/"


def site_return(url: str | None, origins: tuple[str, ...]) -> str | None:
    """The library site's page a widget's visitor came from (`return`), to go back to:
    only an http(s) address on a site KARTOTEKA_CORS_ORIGINS lists, so that a link here
    never leads to another site. «← К поиску» had led a visitor of the library's site
    to this service's empty search (a web editor's trial)."""
    if not url or len(url) > 2000:
        return None
    parts = urlsplit(url)
    # a browser writes a page's host in ASCII (punycode): another host is no listed site's
    # (Python's idna reads `straße` as «strasse», a browser as another domain)
    if parts.scheme not in ("http", "https") or not parts.netloc or "\\" in url \
            or not parts.netloc.isascii():
        return None
    try:
        origin = normal_origin(f"{parts.scheme}://{parts.netloc}")
    except (ConfigError, ValueError):
        return None
    return url if origin in origins else None


def _way_back(back: str, site: str | None) -> str:
    """«← К поиску» (or «← Вернуться на сайт»). Opened from the search page (a `back`
    search), the search page's script makes it the browser's Back there: the search as it
    was, its focus too (a new search page had begun, the focus on its body); the link
    works without it."""
    if site:
        return f'<p class="back-link"><a href="{escaped(site)}">← Вернуться на сайт</a></p>'
    link = f'<p class="back-link"><a href="{escaped(back)}">← К поиску</a></p>'
    return link + ('<script src="/static/app.js" defer></script>' if back != "/" else "")


def publication_html(record: dict, parent: dict | None, attachments: list[dict],
                     similar: list[dict], back: str = "/", site: str | None = None) -> str:
    """The whole page of one publication; `back` the search it was opened from, or `site`
    the library site's page with the widget it was chosen in."""
    out = [_way_back(back, site),
           '<article class="publication">',
           f'<h1 class="publication-title">{escaped(record.get("title") or "Без названия")}</h1>']
    if meta := _meta(record):
        out.append(f'<p class="publication-meta">{meta}</p>')
    if parent:
        out.append(f'<p class="publication-parent">Вложение к публикации '
                   f'<a href="{escaped(_onward("/p/" + quote(parent["id"], safe=""), site))}">'
                   f'«{escaped(parent.get("title"))}»</a></p>')
    if record.get("topics"):
        tags = "".join(f'<li><a href="/?{escaped(urlencode({"topic": t}))}">{escaped(t)}</a></li>'
                       for t in record["topics"])
        out.append(f'<ul class="publication-topics" aria-label="Темы">{tags}</ul>')
    url = record.get("url") or ""
    if re.match(r"https?://", url, re.I):
        # a library's post links to its site; a newspaper's article is no library's
        where = "на сайте библиотеки" if record.get("library") else "на исходном сайте"
        out.append(f'<p class="publication-source"><a href="{escaped(url)}" rel="noopener">'
                   f"Открыть {where}</a></p>")
    out.append(f'<div class="publication-text">{_text(record.get("text") or "")}</div>')
    if record.get("photographer"):
        out.append(f'<p class="publication-credit">Фото: {escaped(record["photographer"])}</p>')
    out.append("</article>")
    if attachments:
        out.append('<section class="related attachments"><h2>Вложения</h2>'
                   f'{_links(attachments, "related-list", site)}</section>')
    if similar:
        out.append('<section class="related similar"><h2>Похожие публикации</h2>'
                   f'{_links(similar, "related-list", site)}</section>')
    return page_html(record.get("title") or "Публикация", "\n".join(out))


def not_found_page(path: str) -> str:
    """The 404 page for browsers: what was asked for and the way back to search."""
    body = ('<section class="not-found"><h1>Страница не найдена</h1>'
            f'<p>По адресу <code>{escaped(path[:200])}</code> ничего нет: возможно, публикацию удалили '
            "или в ссылке опечатка.</p>"
            '<p><a class="btn btn-primary" href="/">Перейти к поиску</a></p></section>')
    return page_html("Страница не найдена", body, skip="Перейти к содержанию")


def error_page(title: str, description: str, unavailable: bool = False) -> str:
    """Any other refusal for browsers (the index not ready, the cluster silent), in the
    page's words: a reader following a link got the API's raw JSON. When the service is
    unavailable (503), the reader is told to come back; what the admin must do stays in
    the API's answer and the log."""
    if unavailable:
        description = "поиск сейчас недоступен: попробуйте зайти через несколько минут"
    body = (f'<section class="not-found"><h1>{escaped(title)}</h1>'
            f"<p>{escaped(description)}</p>"
            '<p><a class="btn btn-primary" href="/">Перейти к поиску</a></p></section>')
    return page_html(title, body, skip="Перейти к содержанию")


def wants_html(req: falcon.Request) -> bool:
    """A browser asking for a page (not the API or the spec): prefers text/html over JSON."""
    if (req.path + "/").startswith("/api/") or req.path == "/openapi.json":
        return False
    return req.client_prefers([falcon.MEDIA_JSON, falcon.MEDIA_HTML]) == falcon.MEDIA_HTML


class PublicationPage:
    """GET /p/{pid}: the full text of one publication, its attachments and similar ones."""

    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req, resp, pid):
        try:
            validate_id(pid)
        except InvalidRecord:
            raise falcon.HTTPNotFound(title="Не найдено", description="такой публикации нет") \
                from None
        record = self.service.get(pid)  # NotFound -> 404
        parent = None
        if record.get("parent_id"):
            try:
                parent = self.service.get(record["parent_id"])
            except Exception:  # noqa: BLE001 - a parent removed since: show the page without it
                parent = None
        attachments = self.service.attachments(pid)
        shown = {a["id"] for a in attachments} | {record.get("parent_id")}
        similar = [h.__dict__ for h in self.service.similar(pid, SIMILAR_ON_PAGE + len(shown))
                   if h.id not in shown][:SIMILAR_ON_PAGE]
        resp.content_type = falcon.MEDIA_HTML
        resp.text = publication_html(record, parent, attachments, similar,
                                     back_href(req.get_param("back")),
                                     site_return(req.get_param("return"),
                                                 self.service.settings.cors_origins))
