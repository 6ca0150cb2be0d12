"""argparse's own words in Russian: «использование:», its group titles, the help of -h,
and its error messages («не хватает обязательных аргументов: …»).

argparse says them through gettext's `_()` and `ngettext()`, names of its module. Within
`russian()` those names are ours: a message with no Russian here (a newer Python's) stays
as argparse words it. Only for the time of a call, so that another parser in the same
process (pytest's) keeps its English.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from search.plural import plural

__all__ = ["russian", "WORDS"]

WORDS = {
    "usage: ": "использование: ",
    "positional arguments": "позиционные аргументы",
    "options": "параметры",
    "optional arguments": "параметры",  # Python before 3.10
    "show this help message and exit": "показать эту справку и выйти",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "the following arguments are required: %s": "не хватает обязательных аргументов: %s",
    "one of the arguments %s is required": "нужен один из аргументов %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "нет такого варианта: %(value)r (можно: %(choices)s)",
    "invalid %(type)s value: %(value)r": "неверное значение %(value)r (нужен тип %(type)s)",
    "expected one argument": "нужно значение",
    "expected at most one argument": "нужно не больше одного значения",
    "expected at least one argument": "нужно хотя бы одно значение",
    "ambiguous option: %(option)s could match %(matches)s":
        "неоднозначный параметр %(option)s: подходят %(matches)s",
    "unexpected option string: %s": "неожиданный параметр: %s",
    "not allowed with argument %s": "нельзя вместе с аргументом %s",
    "ignored explicit argument %r": "лишнее значение %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "нет такой команды: %(parser_name)r (можно: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "не удаётся открыть «%(filename)s»: %(error)s",
}
# ngettext's (singular, plural) -> the Russian one, few and many forms
_COUNTED = {
    ("expected %s argument", "expected %s arguments"):
        ("нужно %s значение", "нужно %s значения", "нужно %s значений"),
}


def _gettext(message: str) -> str:
    return WORDS.get(message, message)


def _ngettext(singular: str, plural_: str, count: int) -> str:
    forms = _COUNTED.get((singular, plural_))
    if forms is None:
        return singular if count == 1 else plural_
    return plural(count, *forms)


@contextlib.contextmanager
def russian() -> Iterator[None]:
    """argparse speaking Russian within the `with` (nested ones are fine)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
