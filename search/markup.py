"""A CMS's rich text as the plain text a publication holds.

A site's editor sends a post's body as its HTML (`<p>Приглашаем на&nbsp;вечер
<strong>поэзии</strong></p>`) and often its title with entities (`&laquo;Поэзия&raquo;`).
Indexed as they came, `nbsp`, `strong` and a class name were searchable words and the
snippets showed the tags. Here markup becomes what a browser would show: scripts and
styles dropped, paragraphs, list items and line breaks as new lines, entities as
characters. Text without markup is returned as it is (a `<` in prose stays).
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["plain_text", "plain_line", "holds_markup"]

_TAG_NAMES = ("p|div|br|span|strong|em|b|i|u|s|a|ul|ol|li|h[1-6]|table|tbody|thead|tr|td|"
              "th|img|script|style|blockquote|figure|figcaption|section|article|iframe|hr|"
              "sup|sub|font|center|small|big|pre|code|header|footer|nav|noscript|mark|del|"
              "ins|q|cite|abbr|time|video|audio|source|picture|caption|dl|dt|dd|address")
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
# Elements whose end is a line's end on the page.
_BLOCK = re.compile(r"<(?:br|hr)\b[^<>]*>|</?(?:p|div|li|h[1-6]|tr|blockquote|section|article|"
                    r"figure|figcaption|header|footer|pre|ul|ol|table|dl|dt|dd|address|caption)"
                    r"(?:\s[^<>]*)?>", re.IGNORECASE)
_HIDDEN = ("script", "style", "noscript", "template", "iframe", "object", "svg")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


def holds_markup(value: str) -> bool:
    """Whether `value` has an HTML tag or entity (a known element's name: `a < b` is prose)."""
    return _has_tag(value) or ("&" in value and _ENTITY.search(value) is not None)


def _has_tag(value: str) -> bool:
    return "<" in value and (_TAG.search(value) is not None or _has_comment(value))


def _has_comment(value: str) -> bool:
    """`<!--` with a `-->` after it. Not a pattern `<!--.*?-->`: from each `<!--` that no
    `-->` ends it looked to the end of the text, 10 s for 64 KB of `<!--` (a PUT)."""
    start = value.find("<!--")
    return start >= 0 and value.find("-->", start + 4) >= 0


def plain_text(value: str) -> str:
    """`value` as a page shows it: lines and paragraphs kept, at most one empty line in a row."""
    if _has_tag(value):
        tree = LexborHTMLParser(_BLOCK.sub("\n", value))
        tree.strip_tags(list(_HIDDEN))
        body = tree.body
        value = body.text(deep=True, separator="") if body is not None else ""
    elif "&" in value and _ENTITY.search(value):
        value = html.unescape(value)
    else:
        return value
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_line(value: str) -> str:
    """A title's markup as one line of text (a title without markup as it is)."""
    text = plain_text(value)
    return " ".join(text.split()) if text is not value else value  # the same object: no markup
