"""Names in `Автор:`, `Фото:` and signature lines: the person apart from the position."""

from __future__ import annotations

import re

from search.morph import get_analyzer

__all__ = ["split_person", "parse_signature"]

_CAP = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
_INITIALS = re.compile(r"([А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+|[А-ЯЁ][а-яё]+\s[А-ЯЁ]\.\s?[А-ЯЁ]\.)$")
_SIGNATURE = re.compile(
    r"^(?P<surname>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s+(?P<name>[А-ЯЁ][а-яё]+)\s+"
    r"(?P<patronymic>[А-ЯЁ][а-яё]+(?:вна|чна|вич|ич|кызы|оглы))\s*,?\s*(?P<position>.*)$")


def _tags(word: str) -> set[str]:
    tags: set[str] = set()
    for p in get_analyzer().parse(word)[:4]:
        tags |= set(p.tag.grammemes) & {"Name", "Surn", "Patr"}
    return tags


def split_person(text: str) -> tuple[str | None, str | None]:
    """`заведующая отделом ЦГБ Ирина Полищук` -> ('Ирина Полищук', 'заведующая отделом ЦГБ')."""
    text = " ".join(text.replace("\u00a0", " ").split()).strip(" .,;")
    if not text:
        return None, None
    initials = _INITIALS.search(text)
    if initials:
        return initials.group(1), text[:initials.start()].strip(" ,") or None
    words = text.split(" ")
    tail: list[str] = []
    for word in reversed(words):
        if _CAP.match(word.strip(",")) and len(tail) < 3:
            tail.insert(0, word.strip(","))
        else:
            break
    if not tail:
        return None, text
    tags = [_tags(w) for w in tail]
    if not any(t & {"Name", "Surn"} for t in tags) and len(tail) < 2:
        return None, text
    name = _natural_order(tail, tags)
    position = " ".join(words[: len(words) - len(tail)]).strip(" ,") or None
    return name, position


def _natural_order(tail: list[str], tags: list[set[str]]) -> str:
    parts = [w for w, t in zip(tail, tags, strict=True) if "Patr" not in t or len(tail) == 1]
    if len(tail) == 3 and "Patr" in tags[2]:
        return f"{tail[1]} {tail[0]}"  # Фамилия Имя Отчество -> Имя Фамилия
    if len(tail) == 3 and "Patr" in tags[1]:
        return f"{tail[0]} {tail[2]}"  # Имя Отчество Фамилия -> Имя Фамилия
    if len(parts) == 2 and "Surn" in tags[0] and "Name" in tags[1] and "Name" not in tags[0]:
        return f"{parts[1]} {parts[0]}"
    return " ".join(parts[-2:]) if len(parts) > 2 else " ".join(parts)


def parse_signature(line: str) -> tuple[str, str | None] | None:
    """`Морозова Елена Викторовна, главный библиотекарь` -> ('Елена Морозова', 'главный библиотекарь')."""
    m = _SIGNATURE.match(" ".join(line.replace("\u00a0", " ").split()))
    if not m:
        return None
    return f"{m.group('name')} {m.group('surname')}", m.group("position").strip(" ,.") or None
