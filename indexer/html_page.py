"""An HTML page to block lines, title and date, with selectolax (no regexes over HTML).

Menus, headers, footers, sidebars, share buttons, related posts and comment forms are
removed; the main container (article, main, or the content block) becomes lines that
the text-page rules then split into body, author and photographer.
"""

from __future__ import annotations

import datetime as dt
import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from indexer.dates import parse_date_text
from indexer.listing import inside, teaser_count
from indexer.people import person_named
from indexer.text_page import PageParts, parts_from_lines, split_lines
from search.errors import ExtractError
from search.plural import plural

__all__ = ["parse_html_page", "nesting_problem"]

_DROP_TAGS = "script, style, noscript, iframe, nav, header, footer, aside, form, svg, button, template"
_JUNK = re.compile(
    r"share|social|related|comment|sidebar|widget|breadcrumb|menu|navigation|cookie|"
    r"footer|header|banner|subscribe|pagination|post-nav|tags|yarpp|likes", re.IGNORECASE)
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th",
           "dd", "dt", "figcaption", "div", "section", "article", "tr", "br", "hr"}
_PARAGRAPHS = {"p", "div", "blockquote", "section", "article"}
_CONTAINERS = ("article", "main", "[itemprop=articleBody]", ".entry-content", ".post-content",
               ".article-content", ".news-detail", ".content", "#content", "body")
_SITE_SUFFIX = re.compile(r"\s+[-–—|:]\s+[^-–—|]{2,60}$")
_SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML's white space (not the no-break space)
# Elements nested deeper than this are no page a person wrote: parsing `<div>` 200,000
# deep took minutes (the time grows with the square of the depth) and held a crawl.
MAX_DEPTH = 1000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
# what holds no elements, though it may hold `<` (a script's `i<n`, an SVG's `<path/>`
# inside a comment)
_NO_ELEMENTS = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "p", "li", "td", "th", "tr", "option", "dt", "dd"}  # and unclosed ones


def _meta(tree: HTMLParser, *names: str) -> str | None:
    for name in names:
        node = tree.css_first(f'meta[property="{name}"], meta[name="{name}"]')
        if node and node.attributes.get("content"):
            return node.attributes["content"].strip()
    return None


def _title(tree: HTMLParser, container: Node | None) -> str:
    h1 = (container.css_first("h1") if container else None) or tree.css_first("h1")
    og = _meta(tree, "og:title")
    site = _meta(tree, "og:site_name")
    if og:
        if site and og.endswith(site):
            og = _SITE_SUFFIX.sub("", og)
        return og
    if h1 and h1.text(strip=True):
        return " ".join(h1.text(separator=" ").split())
    title = tree.css_first("title")
    text = " ".join(title.text().split()) if title else ""
    return _SITE_SUFFIX.sub("", text)


def _date(tree: HTMLParser, container: Node | None) -> dt.date | None:
    stamp = _meta(tree, "article:published_time", "og:published_time", "datePublished",
                  "pubdate", "date")
    for candidate in (stamp, *(t.attributes.get("datetime") for t in tree.css("time[datetime]"))):
        if candidate:
            try:
                return dt.date.fromisoformat(candidate.strip()[:10])
            except ValueError:
                pass
    scope = container or tree.body
    if scope is not None:
        for node in scope.css("time, .date, .published, .entry-date, .post-date, .news-date"):
            found = parse_date_text(node.text(separator=" "))
            if found:
                return found
    return None


def _signer(tree: HTMLParser) -> tuple[str, str | None] | None:
    """The person `<meta name="author">` names (not a site's or a newspaper's name)."""
    value = _meta(tree, "author", "article:author")
    return person_named(value) if value and not value.startswith("http") else None


def _container(tree: HTMLParser) -> Node | None:
    for selector in _CONTAINERS:
        node = tree.css_first(selector)
        if node is not None and len(node.text(strip=True)) > 80:
            return node
    return tree.body


def _lines(node: Node) -> tuple[list[str], list[int | None]]:
    """Block elements become lines; inline text joins within its block. Line breaks in
    the HTML source are spaces, as a browser shows them (outside <pre>): an editor that
    wraps its lines at 80 characters does not cut the text into short lines. A block
    whose every word is a link's (a list of news, «read also») is no line of the text.
    Beside each line, the element holding its paragraph (None for a list item, a cell, a
    heading): short paragraphs beside the text in the same element belong to it."""
    out: list[tuple[str, int | None]] = []
    current: list[str] = []
    group: int | None = None
    linked = True  # every word of the current block so far is inside a link
    has_pre = node.css_first("pre") is not None
    for child in node.traverse(include_text=True):
        if child.tag == "-text":
            text = child.text_content or ""
            if not (has_pre and inside(child, node, "pre")):
                text = _SPACES.sub(" ", text)
            if linked and text.strip() and not inside(child, node, "a"):
                linked = False
                group = _paragraph_group(child)
            current.append(text)
        elif child.tag in _BLOCKS and current:
            if not linked:
                out.append(("".join(current), group))
            current, linked = [], True
    if current and not linked:
        out.append(("".join(current), group))
    pairs = [(line, key) for text, key in out for line in split_lines(text) if line]
    return [line for line, _ in pairs], [key for _, key in pairs]


def _paragraph_group(text: Node) -> int | None:
    """The element around the paragraph (`<p>`, `<div>`, `<blockquote>`) of a text."""
    block = text.parent
    while block is not None and block.tag not in _BLOCKS:
        block = block.parent
    if block is None or block.tag not in _PARAGRAPHS or block.parent is None:
        return None
    return block.parent.mem_id


def _base(tree: HTMLParser, url: str | None) -> str | None:
    """The page's own address: where it was fetched, else its canonical one."""
    node = tree.css_first('link[rel=canonical][href]')
    canonical = node.attributes.get("href") if node is not None else None
    for candidate in (url, canonical, _meta(tree, "og:url")):
        if candidate and candidate.startswith(("http://", "https://")):
            return candidate
    return None


def _list_scope(tree: HTMLParser, container: Node) -> Node:
    """Where a list's teasers stand: the container, unless it is the first of several
    articles (each teaser its own `<article>`)."""
    if container.tag == "article" and len(tree.css("article")) > 1:
        return tree.css_first("main") or tree.body or container
    return container


def parse_html_page(html: str, url: str | None = None) -> PageParts:
    """A page's parts; ExtractError for a list of publications (teasers with links).
    `url` is where the page was fetched (its own site's links are told by it)."""
    if problem := nesting_problem(html):
        raise ExtractError(problem)
    tree = HTMLParser(html)
    base = _base(tree, url)
    date = _date(tree, None)
    signer = _signer(tree)
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    for node in tree.css("[class], [id]"):
        marker = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _JUNK.search(marker) and node.tag not in ("body", "html", "article", "main"):
            node.decompose()
    container = _container(tree)
    title = _title(tree, container)
    if date is None:
        date = _date(tree, container)
    if container is None:
        return PageParts(title=title, date=date)
    teasers = teaser_count(_list_scope(tree, container), base)
    if teasers:
        raise ExtractError(f"список публикаций (анонсов со ссылками: {teasers}), а не одна "
                           "публикация")
    for h1 in container.css("h1"):
        h1.decompose()
    lines, groups = _lines(container)
    kept = [i for i, line in enumerate(lines) if line != title]
    parts = parts_from_lines([lines[i] for i in kept], date=date,
                             groups=[groups[i] for i in kept])
    parts.title = title
    if parts.author is None and signer:  # the page signs nowhere in its text
        parts.author, parts.author_position = signer
    return parts


def nesting_problem(html: str) -> str | None:
    """Why a page is no publication when its elements nest over MAX_DEPTH deep (the
    crawl asks before it parses the page for its links), else None."""
    depth = _depth(html)
    if depth <= MAX_DEPTH:
        return None
    return (f"разметка вложена слишком глубоко ({depth} "
            f"{plural(depth, 'уровень', 'уровня', 'уровней')}, больше {MAX_DEPTH}): это не "
            "страница публикации")


def _depth(html: str) -> int:
    """How deep the page's elements nest at most, as its tags say (elements that need no
    end tag, those often left unclosed and those closed by `/>` aside; comments, scripts
    and styles skipped), in one pass before parsing."""
    if html.count("<") <= MAX_DEPTH:  # too few tags to nest that deep
        return 0
    depth = deepest = 0
    for closing, tag, self_closed in _TAG.findall(_NO_ELEMENTS.sub(" ", html)):
        if self_closed or tag.lower() in _VOID:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
