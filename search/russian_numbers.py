"""Numbers as Russian text writes them, for what the command line and messages print.

Digits are grouped by a no-break space and the decimal mark is a comma: «14 283
обращений», «0,5 с», «95,3 %». Python's own format (`4,283`, `0.5`) reads as an English
text in the middle of a Russian one, and `4,283` as four and a bit to a Russian reader.
JSON and the API's numbers are numbers and stay as they are.
"""

from __future__ import annotations

__all__ = ["GROUP", "whole", "decimal", "percent"]

GROUP = "\u00a0"  # a no-break space: a number never splits over two lines


def whole(number: int) -> str:
    """Digits grouped by threes from five digits on: Russian typography leaves a number
    of four digits whole (Мильчин, «Справочник издателя и автора»).

    >>> whole(4283), whole(999), whole(12345), whole(-1234567)
    ('4283', '999', '12\\xa0345', '-1\\xa0234\\xa0567')
    """
    if -10_000 < number < 10_000:
        return str(number)
    return f"{number:,}".replace(",", GROUP)


def decimal(number: float, places: int = 1) -> str:
    """Rounded to `places` after the comma, its whole part grouped as whole() does.

    >>> decimal(0.5), decimal(1234.5), decimal(12345.678, 2), decimal(3, 0)
    ('0,5', '1234,5', '12\\xa0345,68', '3')
    """
    grouping = "," if abs(number) >= 10_000 else ""
    return f"{number:{grouping}.{places}f}".replace(",", GROUP).replace(".", ",")


def percent(share: float, places: int = 1) -> str:
    """A share of one as a percent.

    >>> percent(0.953)
    '95,3\\xa0%'
    """
    return f"{decimal(share * 100, places)}{GROUP}%"
