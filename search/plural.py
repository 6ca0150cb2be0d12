"""The form a Russian noun takes after a number: 1, 21 публикация; 2-4 публикации; 5-20
публикаций (11-14 too)."""

from __future__ import annotations

from search.russian_numbers import whole

__all__ = ["plural", "and_copies"]


def plural(count: int, one: str, few: str, many: str) -> str:
    """`one`, `few` or `many`, as `count` asks."""
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


def and_copies(copies: int) -> str:
    """What follows «Найдено: N публикаций» when copies were folded into the hits:
    « и 398 копий тех же текстов», or "" when there were none."""
    if copies <= 0:
        return ""
    return f" и {whole(copies)} {plural(copies, 'копия', 'копии', 'копий')} тех же текстов"
