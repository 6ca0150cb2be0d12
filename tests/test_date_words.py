"""Dates written in words among a query's words (search/date_words.py): what they are read
as. What they find, on both engines, is in tests/test_contract.py."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from search import nodes as n
from search.date_words import MONTHS
from search.query import QueryParser
from search.synonyms import SynonymDictionary

LAST = dt.date.today().year - 1


@pytest.fixture(scope="module")
def parser():
    return QueryParser(SynonymDictionary.load())


def _dated(node) -> set[tuple[dt.date, dt.date]]:
    if isinstance(node, n.Dated):
        return {(node.first, node.last)}
    children = getattr(node, "children", ())
    return set().union(*(_dated(c) for c in children)) if children else set()


@pytest.mark.parametrize("text", ["итоги прошлого года", "итоги за прошлый год",
                                  "итоги в прошлом году", "прошлогодние итоги",
                                  f"итоги {LAST} года", f"итоги {LAST} г."])
def test_last_year_in_words_is_that_year(parser, text):
    parsed = parser.parse(text)
    assert parsed.words == ("итоги", str(LAST)) or parsed.words == (str(LAST), "итоги")
    assert _dated(parsed.query) == {(dt.date(LAST, 1, 1), dt.date(LAST, 12, 31))}
    said = [w for w in parsed.warnings if str(LAST) in w]
    assert said if not any(c.isdigit() for c in text) else not said


def test_this_year_and_the_year_before_last(parser):
    this = dt.date.today().year
    assert parser.parse("в этом году").words == (str(this),)
    assert parser.parse("отчёт за позапрошлый год").words == ("отчёт", str(this - 2))


@pytest.mark.parametrize("text", ["выставка май 2025", "выставка в мае 2025 года",
                                  "выставка мая 2025"])
def test_a_month_beside_a_year_also_means_published_in_that_month(parser, text):
    """One date, not two words: published in that month, or in the month after naming
    the month (a report), never the year alone."""
    spans = _dated(parser.parse(text).query)
    assert spans == {(dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
                     (dt.date(2025, 5, 1), dt.date(2025, 7, 1))}


def test_a_month_read_as_a_date_is_said_so(parser):
    assert parser.parse("выставка в мае 2025 года").warnings == [
        "«мае 2025 года»: также то, что опубликовано в мае 2025 года"]


def test_a_word_naming_a_kind_of_publication_is_not_required_beside_others(parser):
    """`новости за апрель 2021`: «новости» counts, the month and the year are needed."""
    query = parser.parse("новости за апрель 2021").query
    assert isinstance(query, n.And) and any(
        isinstance(c, n.Or) and n.Every(boost=0.0) in c.children for c in query.children)
    assert not isinstance(parser.parse("новости").query, n.And)


def test_a_month_of_last_year_in_words(parser):
    spans = _dated(parser.parse("отчёт в феврале прошлого года").query)
    assert (dt.date(LAST, 2, 1), dt.date(LAST, 2, calendar.monthrange(LAST, 2)[1])) in spans


@pytest.mark.parametrize("text", ["прошлого", "год", "книги про год", "март",
                                  '"итоги прошлого года"', "май", "прошлая неделя"])
def test_words_that_are_no_date_stay_words(parser, text):
    parsed = parser.parse(text)
    assert not _dated(parsed.query) and not parsed.warnings


def test_every_month_in_every_case_is_known():
    assert {MONTHS[f] for f in ("январе", "февраля", "марту", "апрелем", "мае", "июнь",
                                "июля", "августе", "сентябрю", "октября", "ноябре",
                                "декабрь")} == set(range(1, 13))


@pytest.mark.parametrize(("text", "first", "last"), [
    ("выставки весной 2021", dt.date(2021, 3, 1), dt.date(2021, 5, 31)),
    ("весна 2021 выставки", dt.date(2021, 3, 1), dt.date(2021, 5, 31)),
    ("выставки летом 2023 года", dt.date(2023, 6, 1), dt.date(2023, 8, 31)),
    ("конкурс осенью 2019", dt.date(2019, 9, 1), dt.date(2019, 11, 30)),
    ("утренник зимой 2020", dt.date(2019, 12, 1), dt.date(2020, 2, 29)),
])
def test_a_season_beside_a_year_also_means_published_in_that_season(parser, text, first, last):
    parsed = parser.parse(text)
    assert (first, last) in _dated(parsed.query)
    assert any(w.endswith(")") and "также то, что опубликовано" in w for w in parsed.warnings)


@pytest.mark.parametrize("text", ["весна", "летом", "лето в деревне", "осень 1812",
                                  "весной прошлой"])
def test_a_season_without_a_year_stays_a_word(parser, text):
    assert not any(span[0].month != 1 for span in _dated(parser.parse(text).query))


def test_years_named_are_told_to_the_search(parser):
    assert parser.parse(f"масленица в прошлом году {LAST - 3}").years == (LAST, LAST - 3)
    assert parser.parse("война 1812 года").years == ()


@pytest.mark.parametrize(("text", "today", "first", "last"), [
    ("викторина прошлой зимой", dt.date(2026, 12, 6), dt.date(2025, 12, 1), dt.date(2026, 2, 28)),
    ("викторина прошлой зимой", dt.date(2026, 5, 6), dt.date(2025, 12, 1), dt.date(2026, 2, 28)),
    ("викторина этой зимой", dt.date(2026, 12, 6), dt.date(2026, 12, 1), dt.date(2027, 2, 28)),
    ("выставки прошлой весной", dt.date(2026, 5, 6), dt.date(2025, 3, 1), dt.date(2025, 5, 31)),
    ("выставки прошлым летом", dt.date(2026, 12, 6), dt.date(2026, 6, 1), dt.date(2026, 8, 31)),
    ("позапрошлой осенью", dt.date(2026, 12, 6), dt.date(2025, 9, 1), dt.date(2025, 11, 30)),
])
def test_a_season_named_relative_to_today(text, today, first, last):
    from search.date_words import read_dates
    from search.query_parser import parse_tokens
    from search.query_syntax import lex

    notes: list[str] = []
    tree = read_dates(parse_tokens(lex(text, notes), notes), today, notes)
    spans = {c.dated for c in tree.children if getattr(c, "dated", None)}
    assert spans == {(first, last)}, (tree, notes)
    assert notes and f"{last.year} года" in notes[-1]


def test_a_winter_s_december_counts_as_its_year(parser):
    """`викторина зимой 2021` missed the quizzes of December 2020 (a librarian's trial):
    the year's word also matches what was published in that winter."""
    spans = _dated(parser.parse("викторина зимой 2021").query)
    assert (dt.date(2020, 12, 1), dt.date(2021, 2, 28)) in spans
    assert "(декабрь 2020 — февраль 2021)" in parser.parse("викторина зимой 2021").warnings[0]
