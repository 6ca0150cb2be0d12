"""Dates written in words among a query's words: `итоги прошлого года`, `выставка май 2025`,
`отчёт в мае прошлого года`.

A librarian hunting last year's report types the year as words, and the report rarely
says «прошлого года»: it says «2025 года», or it was published then. So a relative year
(«прошлый», «позапрошлый», «этот», «текущий», «нынешний», «минувший» with «год», or
«прошлогодний») is read as the year it names today, and then searched as a typed year
is (search/query_words.py: the number in the text, or published that year). A month next to a
year («май 2025», «мае прошлого года») is one date, not two words: the text naming the month
and the year together, or published in that month, or published in the month after and
naming the month (a report of May's events in early June); a season so («весной 2021»:
March to May; «зимой 2021»: December 2020 to February 2021). As two words, `в мае 2021`
found a text of 2016 naming May in one place and 2021 in another, and one of March 2021
recalling «в мае 1993-го» (a methodologist's trial).
«год» after a year («2025 года», «в 2025 году») is part of the year, not a word the text
must hold.

The rewrite works on the parsed words of an AND group only; a phrase keeps its words.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import replace

from search.query_syntax import Group, Phrase, Word
from search.weights import YEARS

__all__ = ["read_dates", "typed_year", "recent_year", "RECENT_YEARS_FROM"]

# A year from this one on, typed beside other words, names when something happened (the
# text may not say it); an older one (`война 1812`, `1945`) is what the text is about.
RECENT_YEARS_FROM = 2000

# Each month's forms in any case (ё folded): январь января январе январю январем ...
_SOFT = ("январ", "феврал", "апрел", "июн", "июл", "сентябр", "октябр", "ноябр", "декабр")
_MONTH_NUMBERS = {"январ": 1, "феврал": 2, "март": 3, "апрел": 4, "июн": 6, "июл": 7,
                  "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12}
MONTHS: dict[str, int] = {
    **{stem + end: _MONTH_NUMBERS[stem] for stem in _SOFT for end in ("ь", "я", "е", "ю", "ем")},
    **{stem + end: _MONTH_NUMBERS[stem] for stem in ("март", "август")
       for end in ("", "а", "е", "у", "ом")},
    **{form: 5 for form in ("май", "мая", "мае", "маю", "маем")},
}
# A season's forms by the months it spans (winter from the December before the year).
SEASONS: dict[str, tuple[int, int]] = {
    **{form: (3, 5) for form in ("весна", "весны", "весне", "весну", "весной", "весною")},
    **{form: (6, 8) for form in ("лето", "лета", "лету", "летом", "лете")},
    **{form: (9, 11) for form in ("осень", "осени", "осенью")},
    **{form: (0, 2) for form in ("зима", "зимы", "зиме", "зиму", "зимой", "зимою")},
}
_IN_SEASON = {3: "весной", 6: "летом", 9: "осенью", 0: "зимой"}
_IN_MONTH = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе",
             "сентябре", "октябре", "ноябре", "декабре")
_MONTH_NAMES = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                "сентябрь", "октябрь", "ноябрь", "декабрь")
# Words before «год» that name a year relative to today, by how many years back.
_RELATIVE = {"прошл": 1, "прошедш": 1, "минувш": 1, "предыдущ": 1, "позапрошл": 2,
             "эт": 0, "текущ": 0, "нынешн": 0, "следующ": -1, "будущ": -1, "наступающ": -1}
_ADJECTIVE_ENDS = ("ый", "ий", "ого", "его", "ом", "ем", "ому", "ему", "ым", "им")
_YEAR_WORDS = frozenset({"год", "года", "году", "годом", "г", "гг"})
# «прошлогодний» and its forms: last year by itself.
_LAST_YEAR_ADJECTIVE = "прошлогодн"


def _folded(word) -> str | None:
    """A plain word's text, lowercase, ё folded; None for anything else."""
    if not isinstance(word, Word) or word.exact or word.prefix:
        return None
    return word.text.lower().replace("ё", "е").rstrip(".")


def _relative_years(text: str | None) -> int | None:
    """Years back from today a word before «год» names (`прошлого` 1, `этом` 0)."""
    if text is None:
        return None
    for stem, back in _RELATIVE.items():
        if text.startswith(stem) and text[len(stem):] in _ADJECTIVE_ENDS + ("от", "ой", "а"):
            return back
    return None


def typed_year(text: str) -> int | None:
    """The year a typed word is (`2024`: four digits within YEARS), else None."""
    return int(text) if text.isdigit() and len(text) == 4 and YEARS[0] <= int(text) <= YEARS[1] \
        else None


def recent_year(text: str) -> bool:
    """Whether a typed word is a year of RECENT_YEARS_FROM on (`2021`)."""
    year = typed_year(text)
    return year is not None and year >= RECENT_YEARS_FROM


def _year(words: list, i: int, today: dt.date) -> tuple[int, int, str] | None:
    """A year starting at words[i]: (year, words it takes, as typed), «год» included."""
    text = _folded(words[i])
    if text is None:
        return None
    if text.startswith(_LAST_YEAR_ADJECTIVE):
        return today.year - 1, 1, words[i].text
    if (typed := typed_year(text)) is not None:
        year, size = typed, 1
    elif (back := _relative_years(text)) is not None and i + 1 < len(words) \
            and _folded(words[i + 1]) in _YEAR_WORDS:
        year, size = today.year - back, 2
    else:
        return None
    if size == 1 and i + 1 < len(words) and _folded(words[i + 1]) in _YEAR_WORDS:
        size = 2
    return year, size, " ".join(w.text for w in words[i:i + size])


def _month_span(year: int, month: int, last: int | None = None) -> tuple[dt.date, dt.date]:
    """From the first day of `month` to the last of `last` (month 0: December before)."""
    last = month if last is None else last
    first = dt.date(year - 1, 12, 1) if month == 0 else dt.date(year, month, 1)
    return first, dt.date(year, last, calendar.monthrange(year, last)[1])


def _period_before(word, year: int) -> tuple[tuple[dt.date, dt.date], str] | None:
    """The month or season a word before a year names (`мае`, `весной`) with the note
    saying so, else None."""
    text = _folded(word) or ""
    if (month := MONTHS.get(text)) is not None:
        return _month_span(year, month), f"в {_IN_MONTH[month - 1]} {year} года"
    if (season := SEASONS.get(text)) is not None:
        first, last = season
        months = f"декабрь {year - 1} — февраль {year}" if first == 0 else \
            f"{_MONTH_NAMES[first - 1]} — {_MONTH_NAMES[last - 1]}"
        return _month_span(year, first, last), f"{_IN_SEASON[first]} {year} года ({months})"
    return None


_SEASON_ADJECTIVE_ENDS = ("ой", "ей", "ым", "им", "ая", "яя", "ую", "юю", "ое", "ее", "ий", "ый")


def _relative_season(words: list, i: int, today: dt.date) -> int | None:
    """The year of a season named relative to today (`прошлой зимой`, `этой весной`,
    `прошлым летом`) starting at words[i], else None: «прошлой» is the last one that
    has ended, «позапрошлой» the one before, «этой» the one of this year (in December,
    the winter beginning)."""
    text, season = _folded(words[i]), None
    if i + 1 < len(words):
        season = SEASONS.get(_folded(words[i + 1]) or "")
    if text is None or season is None:
        return None
    back = next((n for stem, n in _RELATIVE.items() if text.startswith(stem)
                 and text[len(stem):] in _SEASON_ADJECTIVE_ENDS), None)
    if back is None or back < 0:
        return None
    first, last = season
    year = today.year + (1 if first == 0 and today.month == 12 else 0)
    if back == 0:
        return year
    while _month_span(year, first, last)[1] >= today:  # not over yet
        year -= 1
    return year - (back - 1)


def read_dates(tree, today: dt.date, notes: list[str], years: list[int] | None = None):
    """The tree with its AND groups' dates in words read (see the module's docstring);
    `notes` gets a line for each relative year («прошлого года» — это 2025 год) and each
    month («мае 2020»: также то, что опубликовано в мае 2020 года); `years` each year."""
    if not isinstance(tree, Group):
        return tree
    children = [read_dates(c, today, notes, years) for c in tree.children]
    if tree.op != "and":
        return replace(tree, children=children)
    out: list = []
    i = 0
    while i < len(children):
        if (season_year := _relative_season(children, i, today)) is not None:
            # as if `зимой 2026` were typed: the season, and the year it is of
            span, said = _period_before(children[i + 1], season_year)
            notes.append(f"«{children[i].text} {children[i + 1].text}»: {said}")
            out.append(Phrase([children[i + 1].text, str(season_year)], dated=span))
            if years is not None:
                years.append(season_year)
            i += 2
            continue
        found = _year(children, i, today)
        if found is None:
            out.append(children[i])
            i += 1
            continue
        year, size, typed = found
        if years is not None:
            years.append(year)
        if not _folded(children[i]).isdigit():
            notes.append(f"«{typed}» — это {year} год")
        # `Пражская весна 1968`: an older year names what the text is about, not a date
        period = _period_before(out[-1], year) if out and year >= RECENT_YEARS_FROM else None
        if period is not None:  # the month and the year are one date, never two words
            span, said = period
            notes.append(f"«{out[-1].text} {typed}»: также то, что опубликовано {said}")
            out[-1] = Phrase([out[-1].text, str(year)], dated=span)
        else:
            out.append(Word(str(year)))
        i += size
    return replace(tree, children=out)
