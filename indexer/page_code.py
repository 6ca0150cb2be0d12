"""Lines of a page's code left in a record's text by a scraper: a video player's script,
a style sheet (`body{min-height:500px}`, `jwplayer("…").setup({`). They were indexed and
shown in snippets. A line is taken for code when it has a brace or ends a statement,
code punctuation is dense in it, and it holds little Russian: news prose with a quoted
English name or a formula keeps its lines.
"""

from __future__ import annotations

import re

__all__ = ["without_code"]

_CODE_CHARS = re.compile(r"[{}()\[\];=<>\"'\\|&+*/]")
_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
MIN_DENSITY = 0.04  # code punctuation per character of the line
MAX_RUSSIAN = 0.3  # share of a code line's letters that are Cyrillic


def without_code(text: str) -> tuple[str, int]:
    """`text` without the lines that are page code, and how many there were."""
    if "{" not in text and ";" not in text and "}" not in text:
        return text, 0
    kept, dropped = [], 0
    for line in text.split("\n"):
        if _is_code(line):
            dropped += 1
        else:
            kept.append(line)
    return ("\n".join(kept), dropped) if dropped else (text, 0)


def _is_code(line: str) -> bool:
    stripped = line.strip()
    if not stripped or not ("{" in stripped or "}" in stripped or stripped.endswith(";")
                            or stripped.startswith("//")):
        return False
    if len(_CODE_CHARS.findall(stripped)) < MIN_DENSITY * len(stripped):
        return False
    letters = len(_LETTER.findall(stripped))
    return letters == 0 or len(_CYRILLIC.findall(stripped)) < MAX_RUSSIAN * letters
