"""Whether an HTML page is a list of publications: each of its text blocks a teaser that
leads to one page of the same site (a title link and a teaser, a teaser and «Читать
далее»). Such a page's links are its use; its teasers repeat the posts (and outlive them).

A post that links to a few others («Читать также», a link inside a sentence) is no list:
its own text, which leads nowhere, is most of its words.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborNode as Node

__all__ = ["inside", "teaser_count"]

# The words of a link that leads on from a teaser
_MORE = re.compile(r"^[\W_]*(?:читать\s+(?:далее|дальше|полностью|подробнее)|подробнее|далее|"
                   r"читать|read\s+more|more)[\W_]*$", re.IGNORECASE)
_PAGE_SUFFIXES = {"", ".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "td",
           "dd", "dt", "blockquote"}
TEASER_WORDS = 8     # a teaser's words outside its links, at least
MIN_TEASERS = 2     # the last page of a list may hold two
LISTED_SHARE = 0.6   # of the page's words outside links, in teasers


def _target(href: str | None, base: str | None) -> str | None:
    """The page of the same site an href leads to, or None (another site, a file, an
    anchor of this page, mail)."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    address = urljoin(base or "", href).split("#", 1)[0]
    parts = urlsplit(address)
    if parts.scheme not in ("", "http", "https"):
        return None
    if parts.netloc and (not base or parts.netloc.lower() != urlsplit(base).netloc.lower()):
        return None
    if PurePosixPath(parts.path).suffix.lower() not in _PAGE_SUFFIXES:
        return None
    return address


def _block_of(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.tag not in _BLOCKS:
        parent = parent.parent
    return parent


def _leads(anchor: Node) -> bool:
    """A title link (its block begins with it) or a «read more» link."""
    text = " ".join(anchor.text(separator=" ").split())
    if _MORE.match(text):
        return True
    block = _block_of(anchor)
    return bool(text) and block is not None and " ".join(
        block.text(separator=" ").split()).startswith(text)


def _words(node: Node) -> int:
    """Words of `node` outside links."""
    count = 0
    for child in node.traverse(include_text=True):
        if child.tag == "-text" and not (node.tag == "a" or inside(child, node, "a")):
            count += len((child.text_content or "").split())
    return count


def inside(node: Node, top: Node, tag: str) -> bool:
    """Whether `node` is within a `tag` element below `top` (html_page.py's too)."""
    parent, top_id = node.parent, top.mem_id  # `!=` on nodes compares their serialized HTML
    while parent is not None and parent.mem_id != top_id:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def teaser_count(scope: Node, base: str | None) -> int:
    """How many teasers lead to pages of the site, when they hold most of the words of
    `scope` (else 0: a publication)."""
    targets = {a.mem_id: t for a in scope.css("a[href]")
               if (t := _target(a.attributes.get("href"), base))}

    def leads_to(node: Node) -> set[str]:
        return {targets[a.mem_id] for a in node.css("a[href]") if a.mem_id in targets}

    items: dict[int, Node] = {}
    for anchor in scope.css("a[href]"):
        target = targets.get(anchor.mem_id)
        if target is None or not _leads(anchor):
            continue
        item = anchor  # the largest block around the link that leads nowhere else
        while (item.parent is not None and item.parent.mem_id != scope.mem_id
               and leads_to(item.parent) == {target}):
            item = item.parent
        items[item.mem_id] = item
    teasers = [words for item in items.values() if (words := _words(item)) >= TEASER_WORDS]
    if len(teasers) < MIN_TEASERS or sum(teasers) < LISTED_SHARE * _words(scope):
        return 0
    return len(teasers)
