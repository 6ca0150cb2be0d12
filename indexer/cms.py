"""WordPress exports to Publications: the WXR export file and REST API JSON pages.

WXR (`Tools > Export` in WordPress): published items of post_type `post`; categories
and tags become topics, `dc:creator` (mapped to the author's display name) the author,
and `content:encoded` goes through the same HTML extraction as a crawled page.
REST JSON: arrays saved from `/wp-json/wp/v2/posts` (with `?_embed` for author and term
names). A post with a link gets the same id as the crawled page at that address.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
from collections.abc import Iterator

from indexer.extract import extract_parts
from indexer.json_records import file_problem
from search.errors import ExtractError, InvalidRecord
from search.models import Publication
from search.record_fields import validate_id

__all__ = ["looks_like_wxr", "looks_like_wp_json", "iter_wxr", "iter_wp_json", "url_id"]

_BLOCK_TAG = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|br)\b", re.IGNORECASE)


def url_id(url: str) -> str:
    """The stable id of a web address (the same rule as pages extracted with a URL)."""
    import hashlib

    return "url-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def looks_like_wxr(head: bytes) -> bool:
    text = head[:4000].decode("utf-8", "replace")
    return "<rss" in text and "wordpress.org/export" in text


def looks_like_wp_json(data: bytes) -> bool:
    """A JSON array (or one object) of posts with `title.rendered` and `content.rendered`."""
    if data.lstrip()[:1] not in (b"[", b"{"):
        return False
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    posts = value if isinstance(value, list) else [value]
    return bool(posts) and all(
        isinstance(p, dict) and isinstance(p.get("content"), dict)
        and "rendered" in p["content"] for p in posts)


# -- shared -------------------------------------------------------------------------


def _publication(*, pid: str, title: str, content_html: str, url: str | None,
                 published: dt.date | None, author: str | None, topics: list[str],
                 source: str) -> Publication:
    title = html.unescape(re.sub(r"<[^>]+>", "", title or "")).strip()
    fragment = content_html or ""
    if not _BLOCK_TAG.search(fragment):  # WXR keeps raw post text: paragraphs are blank lines
        fragment = "".join(f"<p>{para}</p>" for para in re.split(r"\n\s*\n", fragment))
    page = (f"<html><head><title>{html.escape(title)}</title></head>"
            f"<body><article>{fragment}</article></body></html>")
    parts = extract_parts(page.encode("utf-8"), source)
    seen: set[str] = set()
    unique = [t for t in (html.unescape(t).strip() for t in topics)
              if t and not (t.lower() in seen or seen.add(t.lower()))]
    return Publication(id=validate_id(pid), title=title or parts.title, text=parts.body,
                       url=url or None, published=published or parts.date,
                       author=author or parts.author,
                       author_position=None if author else parts.author_position,
                       photographer=parts.photographer, topics=tuple(unique), source=source)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


# -- WXR ----------------------------------------------------------------------------


def iter_wxr(data: bytes, source: str) -> Iterator[Publication | tuple[str, str]]:
    """Publications, or (where, reason) for items that are not indexed."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        yield (source, f"неверный WXR: {exc}")
        return
    if root is None:
        yield (source, "неверный WXR: это не XML")
        return
    authors = {}
    for node in root.iter("{*}author"):
        login = _child(node, "author_login")
        if login:
            authors[login] = _child(node, "author_display_name") or login
    for number, item in enumerate(root.iter("item"), 1):
        where = f"{source}#item{number}"
        if (_child(item, "post_type") or "post") != "post":
            continue
        if (_child(item, "status") or "publish") != "publish":
            continue
        topics = [c.text or "" for c in item.findall("category")
                  if c.get("domain") in ("category", "post_tag")]
        creator = _child(item, "creator")
        link = _child(item, "link")
        post_id = _child(item, "post_id")
        pid = url_id(link) if link else f"wp-{post_id or number}"
        try:
            yield _publication(
                pid=pid, title=_child(item, "title") or "",
                content_html=_child(item, "encoded") or "", url=link,
                published=_date(_child(item, "post_date")) or _date(_child(item, "pubDate")),
                author=authors.get(creator, creator) if creator else None,
                topics=topics, source=where)
        except (ExtractError, InvalidRecord) as exc:
            yield (where, str(exc).removeprefix(f"{where}: "))


def _child(node, local: str) -> str | None:
    """Text of the first child with this local name, in any namespace (WXR 1.0-1.2)."""
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag.rsplit("}", 1)[-1] == local:
            # content:encoded and excerpt:encoded share a local name: prefer content
            if local == "encoded" and "content" not in tag:
                continue
            return (child.text or "").strip() or None
    return None


# -- REST JSON ----------------------------------------------------------------------


def iter_wp_json(data: bytes, source: str) -> Iterator[Publication | tuple[str, str]]:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield (source, f"неверный JSON: {file_problem(exc)}")
        return
    posts = value if isinstance(value, list) else [value]
    for number, post in enumerate(posts, 1):
        where = f"{source}#{number}"
        if not isinstance(post, dict):
            yield (where, "не объект записи WordPress")
            continue
        if post.get("status", "publish") != "publish" or post.get("type", "post") != "post":
            continue
        embedded = post.get("_embedded") or {}
        author = None
        for person in embedded.get("author") or ():
            if isinstance(person, dict) and person.get("name"):
                author = person["name"]
                break
        topics = [term.get("name", "") for group in embedded.get("wp:term") or ()
                  for term in (group or ()) if isinstance(term, dict)
                  and term.get("taxonomy") in ("category", "post_tag")]
        link = post.get("link") if isinstance(post.get("link"), str) else None
        pid = url_id(link) if link else f"wp-{post.get('id', number)}"
        try:
            yield _publication(
                pid=pid, title=_rendered(post.get("title")),
                content_html=_rendered(post.get("content")), url=link,
                published=_date(post.get("date") if isinstance(post.get("date"), str) else None),
                author=author, topics=topics, source=where)
        except (ExtractError, InvalidRecord) as exc:
            yield (where, str(exc).removeprefix(f"{where}: "))


def _rendered(value) -> str:
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""
