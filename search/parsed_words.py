"""The words a rebuild's analysis processes parse, handed to each other
(search/engine/whoosh/word_exchange.py moves them between processes; search/morph.py
serves them and notes what it parses).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["RawReadings", "shared", "share_parsed", "sharing", "note_parsed",
           "fresh_readings", "take_readings", "stop_sharing", "forget"]

# A word's readings as plain tuples (lemma, score, is_name, name_score): how they are
# saved between rebuilds (search/lemma_cache.py) and handed between processes.
RawReadings = tuple[tuple[str, float, bool, float], ...]

shared: dict[str, RawReadings] = {}  # what other processes of this rebuild parsed
_fresh: list[tuple[str, RawReadings]] | None = None  # parsed here, not handed out yet


def share_parsed() -> None:
    """Note the words parsed from now on, for fresh_readings()."""
    global _fresh
    _fresh = []


def sharing() -> bool:
    return _fresh is not None


def note_parsed(word: str, raw: RawReadings) -> None:
    if _fresh is not None:
        _fresh.append((word, raw))


def fresh_readings() -> list[tuple[str, RawReadings]]:
    """The words parsed here since the last call (after share_parsed())."""
    global _fresh
    if not _fresh:
        return []
    found, _fresh = _fresh, []
    return found


def take_readings(words: Iterable[tuple[str, RawReadings]]) -> None:
    """Words another process parsed: served from now on, not parsed here."""
    shared.update(words)


def stop_sharing() -> None:
    global _fresh
    _fresh = None


def forget() -> None:
    """No shared word, nothing noted (search/morph.py's clear_caches)."""
    shared.clear()
    stop_sharing()
