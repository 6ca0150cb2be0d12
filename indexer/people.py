"""Names in `Автор:`, `Фото:` and signature lines: the person apart from the position."""

from __future__ import annotations

import re

from search.morph import get_analyzer

__all__ = ["split_person", "parse_signature", "person_named"]

_CAP = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
_INITIALS = re.compile(r"([А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+|[А-ЯЁ][а-яё]+\s[А-ЯЁ]\.\s?[А-ЯЁ]\.)$")
# a short position, its abbreviations too (`гл. библиотекарь`), not a sentence after it
_POSITION = r"(?=.{0,80}$)(?:[^.!?]|\.(?=\s*[а-яё]))*"
_SIGNATURE = re.compile(
    r"^(?P<surname>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s+(?P<name>[А-ЯЁ][а-яё]+)\s+"
    r"(?P<patronymic>[А-ЯЁ][а-яё]+(?:вна|чна|вич|ич|кызы|оглы))"
    rf"(?:\s*,\s*(?P<position>{_POSITION}))?\.?$")  # a sentence about them is no signature


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
    signed = parse_signature(text)  # the name first: `Петрова Анна Сергеевна, библиотекарь`
    if signed:
        return signed
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
    """A line that signs a text: the person and their position, or None.

    `Морозова Елена Викторовна, главный библиотекарь` -> ('Елена Морозова', 'главный
    библиотекарь'); also `А.А. МАТЫКОВ, почетный гражданин` and `М. П. Иванова` (initials
    and a surname, in capitals too), `Алексей МИШИН` (a first name and a surname in
    capitals, as newspapers sign). A sentence is not a signature: only a short position
    may follow the name, after a comma.
    """
    line = " ".join(line.replace("\u00a0", " ").split())
    m = _SIGNATURE.match(line)
    if m:
        return f"{m.group('name')} {m.group('surname')}", (m.group("position") or "").strip(" ,.") or None
    m = _SHORT_SIGNATURE.match(line)
    if not m:
        return None
    position = (m.group("position") or "").strip(" ,.") or None
    if m.group("initials"):
        return f"{_spaced(m.group('initials'))} {_cased(m.group('surname'))}", position
    if m.group("after"):
        return f"{_spaced(m.group('after'))} {_cased(m.group('surname2'))}", position
    if "Name" in _tags(m.group("first")):
        return f"{m.group('first')} {_cased(m.group('capitals'))}", position
    return None


def person_named(text: str) -> tuple[str, str | None] | None:
    """(name, position) when `text` names a person (a signature's shapes, or a first name
    beside a surname), else None: `Газета Звезда Алтая` names no one."""
    signed = parse_signature(text)
    if signed:
        return signed
    name, position = split_person(text)
    if not name:
        return None
    tags = [_tags(word) for word in name.split()]
    if any("Name" in t for t in tags) and any("Surn" in t for t in tags):
        return name, position
    return None


_SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?|[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?"
_SHORT_SIGNATURE = re.compile(
    rf"^(?:(?P<initials>(?:[А-ЯЁ]\.\s?){{1,2}})\s*(?P<surname>{_SURNAME})"
    rf"|(?P<surname2>{_SURNAME})\s(?P<after>(?:[А-ЯЁ]\.\s?){{1,2}})"
    r"|(?P<first>[А-ЯЁ][а-яё]+)\s(?P<capitals>[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?))"
    rf"\s*(?:,\s*(?P<position>{_POSITION}))?\.?$")


def _cased(surname: str) -> str:
    """`МАТЫКОВ` -> `Матыков` (a surname in capitals, as signed)."""
    return "-".join(part.capitalize() for part in surname.split("-")) if surname.isupper() else surname


def _spaced(initials: str) -> str:
    """`А.А.` -> `А. А.`"""
    return " ".join(f"{c}." for c in re.findall(r"[А-ЯЁ]", initials))
