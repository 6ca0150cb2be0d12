"""One contract, every engine: the same requests through the real Falcon app over the
shipped sample, on Whoosh and on a real OpenSearch cluster (tests/engines.py).

What is checked is what a user of either engine relies on: the query language, the
result-set rules, facets and filters, sorting, paging, snippets, suggestions, similar
publications, PUT and DELETE. tests/test_engine_parity.py compares the engines'
answers with each other.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from search.models import Publication, SearchRequest
from tests.engines import ENGINES

pytestmark = pytest.mark.parametrize("engine", ENGINES, indirect=True)


def _search(engine, **params) -> dict:
    response = engine.client.simulate_get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json


def _ids(result: dict) -> list[str]:
    return [hit["id"] for hit in result["hits"]]


def test_every_inflection_finds_the_same_publications(engine):
    forms = ["библиотека", "библиотеки", "библиотекой", "библиотеками", "БИБЛИОТЕКАХ"]
    totals = {f: _search(engine, q=f)["total"] for f in forms}
    assert len(set(totals.values())) == 1 and totals["библиотека"] > 10, totals


def test_yo_is_e(engine):
    assert _search(engine, q="ёлка")["total"] == _search(engine, q="елка")["total"] > 0


def test_short_queries_need_every_word(engine):
    both = _search(engine, q="выставка книг", per_page=100)
    one = {h for h in _ids(_search(engine, q="выставка", per_page=100))}
    other = {h for h in _ids(_search(engine, q="книга", per_page=100))}
    assert 0 < both["total"] <= min(len(one), len(other))
    assert set(_ids(both)) <= one & other
    assert not both["relaxed"]


def test_no_full_match_is_relaxed_and_labelled(engine):
    result = _search(engine, q="выставка книг кракозябры бегемотов")
    assert result["relaxed"] is True and result["total"] > 0
    assert any("частичные" in w for w in result["warnings"])


def test_a_corrected_typo_says_whether_the_words_as_typed_matched_partly(engine):
    """The notice over a corrected result tells "some words not found" from "nothing
    found": the typed query's partial matches are counted only (a page of none)."""
    partly = _search(engine, q="конкурз чтецов")
    assert partly["corrected"] and partly["did_you_mean"] == "конкурс чтецов"
    assert partly["warnings"][-1].startswith("не все слова запроса «конкурз чтецов»")
    nothing = _search(engine, q="конкурз")
    assert nothing["corrected"] and nothing["warnings"][-1].startswith("ничего не найдено")


def test_a_word_searched_by_its_beginning_is_never_taken_for_a_typo(engine):
    """`выстав*` had been offered «выставка*», and on the real corpus `библиот*` was
    "corrected" to «библио*» and `краснопол*` to «красно пол*»."""
    for q in ("библиот*", "выстав*", "выст?вка"):
        result = _search(engine, q=q)
        assert result["total"] > 0 and not result["corrected"], (q, result["warnings"])
        assert result["did_you_mean"] is None, (q, result["did_you_mean"])
    typo = _search(engine, q="библиот* выстовка")  # the other word is still corrected
    assert typo["corrected"] and typo["did_you_mean"] == "библиот* выставка"


def test_a_library_s_acronym_or_other_wording_is_read_as_its_one_value(engine):
    """The one library an acronym or other words mean is filtered on, and said so;
    words that fit several libraries find nothing and name them."""
    libraries = [v["value"] for v in _search(engine, q="")["facets"]["library"]]
    for typed, meant in (("ЦГБ", "Центральная городская библиотека"),
                         ("ЦДБ", "Детская центральная библиотека"),  # its words in any order
                         ("Библиотека имени Пушкина", "Библиотека им. А. С. Пушкина")):
        assert meant in libraries
        found = _search(engine, q="", library=typed)
        assert found["total"] == _search(engine, q="", library=meant)["total"] > 0
        assert found["warnings"] == [f"в фильтре «библиотека» «{typed}» прочитано как "
                                     f"«{meant}»"]
    several = [v for v in libraries if "библиотека" in v.lower().split()]
    assert len(several) > 2
    found = _search(engine, q="", library="библиотека")
    assert found["total"] == 0 and "; есть «" in found["warnings"][-1]
    # the same letters spaced otherwise: read as the value, and said so
    found = _search(engine, q="", library="библиотека-филиал №3")
    meant = "Библиотека-филиал № 3"
    assert found["total"] == _search(engine, q="", library=meant)["total"] > 0
    assert found["warnings"] == [f"в фильтре «библиотека» «библиотека-филиал №3» прочитано "
                                 f"как «{meant}»"]


def test_a_topic_s_name_that_finds_less_than_the_topic_points_to_it(engine):
    """A few found, more in the topic its words name: the topic is offered too (a
    librarian searches the topic list's own names; a librarian's trial)."""
    reports = next(v for v in _search(engine, q="")["facets"]["topic"]
                   if v["value"] == "Отчёты и итоги")
    few = _search(engine, q="отчёты и итоги")
    assert 0 < few["total"] < reports["count"]
    assert few["topic_hints"] == [{"value": "Отчёты и итоги", "count": reports["count"],
                                   "selected": False}]
    assert few["warnings"] == [f"есть тема «Отчёты и итоги» ({reports['count']} публикаций): "
                               "её можно выбрать в фильтре «тема»"]
    assert not _search(engine, q="выставки")["topic_hints"]  # as many found as it holds
    # `краеведение` finds its derivations («краеведческие»), as many as its topic holds
    assert _search(engine, q="краеведение")["total"] >= next(
        v["count"] for v in _search(engine, q="")["facets"]["topic"]
        if v["value"] == "Краеведение")
    # With a filter, the filter may be why few were found: no hint.
    filtered = _search(engine, q="отчёты и итоги", topic="Правовая информация")
    assert filtered["total"] < reports["count"] and not filtered["topic_hints"]
    assert not any("есть тема" in w for w in filtered["warnings"])


def test_russian_typed_in_latin_letters_is_read_in_cyrillic(engine):
    found = _search(engine, q="Vershinina")
    assert found["corrected"] and found["did_you_mean"] == "Вершинина"
    assert {h["author"] for h in found["hits"]} == {"Анна Вершинина"}
    assert found["warnings"][-1].startswith("запрос «Vershinina» набран латиницей")


def test_a_misspelled_signature_is_offered_never_forced(engine):
    """`Вершинена` may be a real name: nothing found, and the surname of a signature one
    letter away is offered, written as typed. Lowercase, it is an unknown word: corrected
    to that surname, whose publications are shown."""
    name = _search(engine, q="Вершинена")
    assert name["total"] == 0 and not name["corrected"]
    assert name["did_you_mean"] == "Вершинина"
    word = _search(engine, q="вершинена")
    assert word["corrected"] and word["did_you_mean"] == "вершинина" and word["total"] > 0
    assert {h["author"] for h in word["hits"]} == {"Анна Вершинина"}


def test_a_capitalized_typo_is_offered_not_applied(engine):
    """A phone capitalizes the first word: `Празник` parses as a possible surname, so it is
    not corrected, but «Праздник» is offered."""
    typed = _search(engine, q="Празник")
    assert typed["did_you_mean"] == "Праздник" and not typed["corrected"]
    assert typed["total"] == 0


def test_a_one_word_query_finds_its_derivations(engine):
    """`краеведение` alone is the subject of «краеведческие чтения» too (its derivational
    family, search/derivation.py), marked in the snippets; beside another word the
    family does not widen what that word must match."""
    noun = _search(engine, q="краеведение")
    adjective = _search(engine, q="краеведческий")
    assert noun["total"] == adjective["total"] >= 5
    assert set(_ids(noun)) == set(_ids(adjective))
    marked = {part.split("</mark>")[0].lower() for hit in noun["hits"]
              for part in hit["snippet"].split("<mark>")[1:]}
    assert {"краеведческие", "краеведческий"} <= marked, marked
    assert _search(engine, q="для краеведения")["total"] == noun["total"]
    pair = _search(engine, q="краеведение выставка")
    assert pair["relaxed"], pair["total"]  # no publication holds both words


def test_an_unknown_word_found_through_stems_is_still_corrected(engine):
    """`выставкя` matches through its stem; the word is still no word anyone knows, so
    it is corrected to «выставка», and said so."""
    typed = _search(engine, q="выставкя")
    assert typed["corrected"] and typed["did_you_mean"] == "выставка"
    assert typed["total"] == _search(engine, q="выставка")["total"] >= 3
    assert typed["warnings"][-1] == ("в запросе «выставкя», похоже, опечатка; показаны "
                                     "результаты по запросу «выставка»")
    assert _search(engine, q="выставка")["did_you_mean"] is None


def test_a_capitalized_typo_of_a_name_is_offered_of_a_word_applied(engine):
    """`Лермантов` does not parse as a name, but its correction is one: a name guessed
    from a capitalized word is offered, not applied. `Библеотека` is a common word:
    corrected, as lowercase `лермантов` is."""
    name = _search(engine, q="Лермантов")
    assert name["did_you_mean"] == "Лермонтов" and not name["corrected"]
    assert _search(engine, q="лермантов")["corrected"]
    word = _search(engine, q="Библеотека")
    assert word["corrected"] and word["did_you_mean"] == "Библиотека"


def test_snippets_mark_words_as_written(engine):
    result = _search(engine, q="библиотеками")
    marked = [h for h in result["hits"][:5] if "<mark>" in h["snippet"]]
    assert len(marked) >= 4, [(h["id"], h["snippet"][:80]) for h in result["hits"][:5]]
    marked = marked[0]["snippet"].split("<mark>")[1].split("</mark>")[0]
    assert marked.lower().startswith("библиотек")


def test_a_phrases_stop_word_is_marked_only_beside_its_phrase(engine):
    """«Война и мир»: its `и` is marked there, not every `и` of the text."""
    hits = _search(engine, q='"война и мир"')["hits"]
    assert hits and any("<mark>и</mark>" in h["snippet"] for h in hits)
    for hit in hits:
        parts = re.split(r"<mark>(.*?)</mark>", hit["snippet"])  # text, mark, text, ...
        for i in range(1, len(parts), 2):
            if parts[i].lower() != "и":
                continue
            beside = [j for j, gap in ((i - 2, parts[i - 1]), (i + 2, parts[i + 1]))
                      if 0 < j < len(parts) and not re.search(r"\w", gap)
                      and parts[j].lower() != "и"]
            assert beside, hit["snippet"]


def test_phrase_slop_in_either_order(engine):
    tight = _search(engine, q='"новогодний праздник"')["total"]
    assert _search(engine, q='"праздник новогодний"~2')["total"] >= 1
    assert _search(engine, q='"новогодний праздник"~3')["total"] >= tight


def test_phrase_slop_as_written(engine):
    """`~0` and `~1` are the exact phrase; a wider window never finds fewer; a slop of
    any length is read whole (not two digits and a stray word), over 100 taken as 100,
    a negative one as the exact phrase, each said in a warning."""
    def found(suffix):
        result = _search(engine, q=f'"новогодний праздник"{suffix}', per_page=100)
        assert not result["relaxed"], suffix
        return set(_ids(result)), result["warnings"]

    exact, _ = found("")
    assert exact and found("~0")[0] == found("~1")[0] == exact
    widths = [found(f"~{n}")[0] for n in (2, 3, 10, 99, 100)]
    assert all(a <= b for a, b in zip([exact, *widths], widths, strict=False))
    clamped, said = found("~1000")
    assert clamped == widths[-1] and any("до 100" in w for w in said)
    negative, said = found("~-1")
    assert negative == exact and any("отрицательным" in w for w in said)
    assert found("~+3")[0] == widths[1]


def test_a_query_of_exclusions_only_is_newest_first(engine):
    """`-война` scores nothing: like a browse, newest first, in the same order on every
    engine (the browse's order without the excluded publications)."""
    excluded = set(_ids(_search(engine, q="война", per_page=100)))
    browse = [i for i in _ids(_search(engine, q="", per_page=100)) if i not in excluded]
    result = _search(engine, q="-война", per_page=20)
    assert _ids(result) == browse[:20]
    assert all(hit["score"] is None for hit in result["hits"])  # ordered as a browse is


def test_operators(engine):
    plain = _search(engine, q="выставка", per_page=100)
    without = _search(engine, q="выставка -книга", per_page=100)
    books = set(_ids(_search(engine, q="книга", per_page=100)))
    assert without["total"] < plain["total"] and not set(_ids(without)) & books
    either = _search(engine, q="выставка OR концерт")["total"]
    assert either >= plain["total"]
    assert _search(engine, q="библиот*")["total"] >= _search(engine, q="библиотека")["total"]


def test_facet_filter_counts_agree(engine):
    result = _search(engine, q="библиотека")
    for name, param in (("topic", "topic"), ("library", "library"), ("year", "year")):
        value = result["facets"][name][0]
        filtered = _search(engine, q="библиотека", **{param: value["value"]})
        assert filtered["total"] == value["count"], (name, value)


def test_filters_fold_case_and_unknown_values_are_reported(engine):
    result = _search(engine, q="")
    author = result["facets"]["author"][0]
    shouted = _search(engine, q="", author=author["value"].upper().replace("Е", "Ё"))
    assert shouted["total"] == author["count"]
    named = next(v for v in result["facets"]["author"] if " " in v["value"])
    spaced = _search(engine, q="", author=named["value"].replace(" ", " \t  "))
    assert spaced["total"] == named["count"] and not spaced["warnings"]
    unknown = _search(engine, q="", author="Нет Такого Автора")
    assert unknown["total"] == 0 and any("Нет Такого Автора" in w for w in unknown["warnings"])
    assert not any("; есть" in w for w in unknown["warnings"])
    # a value as it is remembered, near one value only: read as that value, and said so
    signed = next(v["count"] for v in result["facets"]["author"]
                  if v["value"] == "Анна Вершинина")
    for typed in ("Вершинина", "вершинина  анна", "Анна-Вершинина", "Вершининой",
                  "А. Вершинина"):
        near = _search(engine, q="", author=typed)
        assert near["total"] == signed, typed
        assert near["warnings"][0] == (f"в фильтре «автор» «{' '.join(typed.split())}» "
                                       "прочитано как «Анна Вершинина»"), near["warnings"]
    # a topic as a word of it in another form: the one topic it names (it had found none)
    shows = next(v["count"] for v in result["facets"]["topic"] if v["value"] == "Выставки")
    topic = _search(engine, q="", topic="выставка")
    assert topic["total"] == shows and topic["warnings"] == [
        "в фильтре «тема» «выставка» прочитано как «Выставки»"]
    # a letter or two off, as a methodologist typed her own topic: read as it (it had
    # found none, with no hint); further off, or another number, hinted at or not at all
    for typed in ("Выставкы", "Выставкиии"):
        typo = _search(engine, q="", topic=typed)
        assert typo["total"] == shows and typo["warnings"] == [
            f"в фильтре «тема» «{typed}» прочитано как «Выставки»"], typed
    far = _search(engine, q="", topic="Выставкиииии")
    assert far["total"] == 0 and "«Выставкиииии»" in far["warnings"][0]
    # a person or a branch a letter off is another one: never read as it
    for name, typed in (("library", "Библиотека-филиал № 4"),
                        ("library", "Библиотека-филиол № 3"), ("author", "Анна Вершинино")):
        found = _search(engine, q="", **{name: typed})
        assert found["total"] == 0 and "прочитано" not in " ".join(found["warnings"]), typed
    no_year = _search(engine, q="", year="1901")
    assert no_year["total"] == 0
    assert "нет публикаций со значением «1901» в фильтре «год»" in no_year["warnings"]
    year = result["facets"]["year"][0]["value"]
    assert not _search(engine, q="", year=year)["warnings"]


def test_date_sorts_and_range(engine):
    newest = [h["published"] for h in _search(engine, q="", sort="date_desc", per_page=50)["hits"]
              if h["published"]]
    oldest = [h["published"] for h in _search(engine, q="", sort="date_asc", per_page=50)["hits"]
              if h["published"]]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    ranged = _search(engine, q="", **{"from": "2022-01-01", "to": "2022-12-31"}, per_page=100)
    assert ranged["total"] > 0
    assert all(h["published"].startswith("2022") for h in ranged["hits"])


def test_undated_publications_come_last_in_either_date_order(engine):
    author = "Проверочный Воздухоплаватель"
    dates = {"a": dt.date(2019, 5, 1), "b": None, "c": dt.date(2023, 2, 2), "d": None}
    ids = {key: f"undated-{engine.name}-{key}" for key in dates}
    engine.service.engine.upsert(  # one write, as PUT does for each
        Publication(ids[key], f"Дирижабль над библиотекой номер {n}",
                    f"Дирижабль пролетел над библиотекой номер {n}.", published=date,
                    author=author, source="api")
        for n, (key, date) in enumerate(dates.items(), 1))
    try:
        for params, dated in (({"q": "дирижабль", "sort": "date_asc"}, "ac"),
                              ({"q": "дирижабль", "sort": "date_desc"}, "ca"),
                              ({"q": "", "author": author}, "ca"),  # browsing: newest first
                              ({"q": "", "author": author, "sort": "date_asc"}, "ac")):
            whole = _ids(_search(engine, per_page=10, **params))
            assert whole[:2] == [ids[k] for k in dated], (params, whole)
            assert set(whole[2:]) == {ids["b"], ids["d"]}, (params, whole)
            paged = [i for page in range(1, 5)
                     for i in _ids(_search(engine, per_page=1, page=page, **params))]
            assert paged == whole, params
    finally:
        engine.service.engine.delete(ids.values())


def test_a_publication_naming_the_library_ranks_first_among_equals(engine):
    """The library prior (search/weights.py): two texts alike but for one word, the one
    naming the library first, in search and export (its id sorts last: without the prior
    the tie goes to the other)."""
    ids = {key: f"library-prior-{engine.name}-{key}" for key in ("a", "b")}
    places = {"a": "музее", "b": "библиотеке"}
    engine.service.engine.upsert(
        Publication(ids[key], "Акварели Пелагеи Дирижаблевой",
                    f"Акварели Пелагеи Дирижаблевой выставлены в {place} до весны.",
                    published=dt.date(2024, 3, 1), source="api")
        for key, place in places.items())
    try:
        assert _ids(_search(engine, q="акварели дирижаблевой")) == [ids["b"], ids["a"]]
        exported = [h.id for h in engine.service.export_hits(
            SearchRequest(q="акварели дирижаблевой"), batch=1)]
        assert exported == [ids["b"], ids["a"]]
    finally:
        engine.service.engine.delete(ids.values())


def test_a_year_among_the_words_also_means_published_that_year(engine):
    """`акварели 2019`: the publication holding «2019» first, then the one published in
    2019 that does not name it; one of another year naming neither is not found."""
    ids = {key: f"year-word-{engine.name}-{key}" for key in ("named", "dated", "other")}
    texts = {"named": ("Акварели Дирижаблевой 2019 года", dt.date(2021, 2, 2)),
             "dated": ("Акварели Дирижаблевой", dt.date(2019, 6, 1)),
             "other": ("Акварели Дирижаблевой", dt.date(2020, 6, 1))}
    engine.service.engine.upsert(
        Publication(ids[key], title, f"{title} выставлены до весны.", published=date,
                    source="api")
        for key, (title, date) in texts.items())
    try:
        found = _search(engine, q="акварели дирижаблевой 2019")
        assert _ids(found) == [ids["named"], ids["dated"]] and not found["relaxed"]
        assert _ids(_search(engine, q="дирижаблевой 2020")) == [ids["other"]]
        assert _ids(_search(engine, q="дирижаблевой -2019")) == [ids["other"]]
        assert _search(engine, q='"дирижаблевой 2019"')["total"] == 1  # a phrase: the text
    finally:
        engine.service.engine.delete(ids.values())


def test_last_year_and_a_month_in_words_mean_when_it_was_published(engine):
    """`отчёт … прошлого года` finds what was published last year (or names it);
    `… в мае прошлого года` what was published in that May first, then a text naming
    that May; each says how it was read."""
    last = dt.date.today().year - 1
    ids = {key: f"date-words-{engine.name}-{key}" for key in ("march", "may", "older", "named")}
    dates = {"march": dt.date(last, 3, 10), "may": dt.date(last, 5, 12),
             "older": dt.date(last - 1, 5, 12), "named": dt.date(last - 1, 9, 1)}
    engine.service.engine.upsert(
        Publication(ids[key], "Отчёт Дирижаблевой",
                    "Отчёт Дирижаблевой о работе клуба" + (
                        f" в мае {last} года, и планы." if key == "named" else "."),
                    published=date, source="api")
        for key, date in dates.items())
    try:
        found = _search(engine, q="отчёт дирижаблевой прошлого года")
        assert set(_ids(found)) == {ids["march"], ids["may"], ids["named"]}
        assert not found["relaxed"] and any(str(last) in w for w in found["warnings"])
        found = _search(engine, q="отчёт дирижаблевой в мае прошлого года")
        assert _ids(found) == [ids["may"], ids["named"]]
        assert f"опубликовано в мае {last} года" in found["warnings"][-1]
        # a text naming another year's May, published that year, is not of that May
        assert _ids(_search(engine, q=f"дирижаблевой май {last - 1}")) == [ids["older"]]
    finally:
        engine.service.engine.delete(ids.values())


def test_a_month_and_a_year_are_one_date_not_two_words(engine):
    """`в мае 2021` had found a text of 2016 naming May in one place and 2021 in another,
    and one of March 2021 recalling «в мае 1993-го», counted and exported with what was
    published that May (a methodologist's trial). Now: published that May, or naming
    «мае 2021», or published in the month after and naming May (a report)."""
    ids = {key: f"one-date-{engine.name}-{key}" for key in
           ("published", "named", "report", "apart", "recalled", "late")}
    records = {"published": ("Выдрина акция", "Прошла выдрина акция.", dt.date(2021, 5, 14)),
               "named": ("Выдрины планы", "Выдрина акция пройдёт в мае 2021 года.",
                         dt.date(2021, 2, 1)),
               "report": ("Выдрин отчёт", "В мае прошла выдрина акция.", dt.date(2021, 6, 3)),
               "apart": ("Выдрин обзор", "В мае выдры спят. Планы на 2021 год.",
                         dt.date(2016, 12, 12)),
               "recalled": ("Выдрина память", "Выдрин клуб открыли в мае 1993-го.",
                            dt.date(2021, 3, 1)),
               "late": ("Выдрин итог", "В мае прошла выдрина акция.", dt.date(2021, 9, 1))}
    engine.service.engine.upsert(
        Publication(ids[key], title, text, published=date, source="api")
        for key, (title, text, date) in records.items())
    try:
        found = _search(engine, q="выдрин в мае 2021")
        assert _ids(found)[0] == ids["published"] and not found["relaxed"]
        assert set(_ids(found)) == {ids["published"], ids["named"], ids["report"]}
        assert found["total"] == 3
    finally:
        engine.service.engine.delete(ids.values())


def test_a_season_a_recent_year_and_a_year_with_nothing_published(engine):
    """`выставки весной 2021` also finds an exhibition published in April 2021 whose text
    names no season; a partial match needs more than the year (`2021` in any text was
    one); a year nothing was published in is said so (a librarian's trial)."""
    ids = {key: f"season-{engine.name}-{key}" for key in ("april", "july", "year")}
    records = {"april": ("Выставка бурундуковых поделок", "Открыта выставка бурундуковых поделок.",
                         dt.date(2021, 4, 20)),
               "july": ("Выставка бурундуковых поделок", "Открыта выставка бурундуковых поделок.",
                        dt.date(2021, 7, 20)),
               "year": ("Планы", "Бурундучьи планы на 2021 год и 2091 год.",
                        dt.date(2020, 12, 1))}
    engine.service.engine.upsert(
        Publication(ids[key], title, text, published=date, source="api")
        for key, (title, text, date) in records.items())
    try:
        found = _search(engine, q="бурундуковых выставки весной 2021")
        assert _ids(found) == [ids["april"]] and not found["relaxed"]
        assert "весной 2021 года (март — май)" in found["warnings"][-1]
        found = _search(engine, q="выставка бурундуковых поделок 2021", per_page=100)
        assert set(_ids(found)) == {ids["april"], ids["july"]} and found["partial_total"]
        assert ids["year"] not in {h["id"] for h in found["partial"]}
        found = _search(engine, q="бурундучьи 2091")
        assert _ids(found) == [ids["year"]]
        assert found["warnings"][-1] == ("публикаций 2091 года в картотеке нет: ищутся "
                                         "только упоминания 2091 года")
        assert not any("2021 года в картотеке нет" in w
                       for w in _search(engine, q="бурундучьи 2021")["warnings"])
    finally:
        engine.service.engine.delete(ids.values())


def test_words_run_together_with_capitals_are_found_by_each_word(engine):
    """A hashtag title (`#КошкаКнижкаЯ_ЛучшиеДрузья`, «ВкусноЧтения») is found by its
    words typed apart, and by itself; it had only been a partial match."""
    pid = f"camel-{engine.name}"
    engine.service.engine.upsert([Publication(
        pid, "#ДирижаблиКнижкиЯ_ЛучшиеДрузья!", "Фотоконкурс в библиотеке.",
        published=dt.date(2024, 2, 20), source="api")])
    try:
        for q in ("дирижабли книжки лучшие друзья", "ДирижаблиКнижкиЯ", "дирижабль"):
            found = _search(engine, q=q)
            assert _ids(found)[:1] == [pid] and not found["relaxed"], q
    finally:
        engine.service.engine.delete([pid])


def _selected(result: dict, facet: str) -> list[tuple[str, int]]:
    return [(v["value"], v["count"]) for v in result["facets"][facet] if v["selected"]]


def test_facets_mark_the_value_a_filter_matches_in_any_case(engine):
    every = engine.client.simulate_get("/api/facets").json["facets"]
    top, rare, topic = every["author"][0], every["author"][-1], every["topic"][0]
    for facet, value, typed in (("author", top, top["value"].lower()),
                                ("author", rare, rare["value"].upper().replace("Е", "Ё")),
                                ("topic", topic, topic["value"].lower().replace("е", "ё"))):
        assert typed != value["value"]
        result = _search(engine, q="", **{facet: typed})
        assert _selected(result, facet) == [(value["value"], value["count"])], typed
        assert typed not in [v["value"] for v in result["facets"][facet]]
        assert not result["warnings"]
    # Other filters leaving none of its publications: listed all the same, with 0.
    years = {v["value"] for v in _search(engine, q="", author=rare["value"])["facets"]["year"]
             if v["count"]}
    other = next(v["value"] for v in every["year"] if v["value"] not in years)
    none = _search(engine, q="", author=rare["value"].lower(), year=other)
    assert none["total"] == 0 and _selected(none, "author") == [(rare["value"], 0)]
    # A value that no publication has: reported, and not listed.
    unknown = _search(engine, q="", author="нет такого автора")
    assert not _selected(unknown, "author")
    assert "нет такого автора" not in [v["value"] for v in unknown["facets"]["author"]]
    assert any("нет такого автора" in w for w in unknown["warnings"])


def test_pages_do_not_overlap_and_cover_the_total(engine):
    total = _search(engine, q="библиотека")["total"]
    seen = []
    for page in range(1, total // 5 + 2):
        seen += _ids(_search(engine, q="библиотека", per_page=5, page=page))
    assert len(seen) == len(set(seen)) == total


def test_a_page_past_the_last_however_deep_says_so(engine):
    """Past OpenSearch's result window (100,000), a page had answered 503 «the cluster
    does not answer»: it is the same no-such-page answer as any page past the last."""
    for q in ("", "библиотека"):
        total = _search(engine, q=q)["total"]
        deep = _search(engine, q=q, page=1001, per_page=100)
        assert (deep["total"], deep["hits"]) == (total, [])
        assert f"страницы 1001 нет: всего страниц — {-(-total // 100)}" in deep["warnings"]


def test_publication_similar_and_suggestions(engine):
    first = _search(engine, q="выставка")["hits"][0]
    record = engine.client.simulate_get(f"/api/publications/{first['id']}").json
    assert record["id"] == first["id"] and record["text"] and "source" not in record
    similar = engine.client.simulate_get(f"/api/publications/{first['id']}/similar").json
    assert similar["similar"] and first["id"] not in [h["id"] for h in similar["similar"]]
    suggestions = engine.client.simulate_get("/api/suggest", params={"q": "библ"}).json
    assert suggestions["suggestions"]


def test_put_then_delete(engine):
    pid = f"contract-{engine.name}"
    body = {"title": "Шахматный турнир в читальном зале",
            "text": "Юные шахматисты сыграли блиц-турнир.", "date": "2024-05-05",
            "author": "Проверочный Автор"}
    headers = {"Authorization": "Bearer test-token"}
    put = engine.client.simulate_put(f"/api/publications/{pid}", json=body, headers=headers)
    assert put.status_code in (200, 201), put.text
    found = _search(engine, q="шахматистами")
    assert pid in _ids(found)
    held = engine.service.engine.ids()  # what a full run's summary counts against
    assert pid in held and len(held) == engine.service.engine.count()
    assert _search(engine, q="", author="проверочный автор")["total"] == 1
    gone = engine.client.simulate_delete(f"/api/publications/{pid}", headers=headers)
    assert gone.status_code == 200
    assert pid not in _ids(_search(engine, q="шахматистами"))
    assert engine.client.simulate_get(f"/api/publications/{pid}").status_code == 404
    assert engine.service.engine.ids() == held - {pid}


def test_publications_of_a_source_file_are_found_by_its_name(engine):
    """What a full run keeps of an export file it could not read (indexer/kept.py)."""
    from search.settings import SAMPLE_DIR

    records = str(SAMPLE_DIR / "publications.jsonl")
    kept = engine.service.engine.of_files({records})
    count = sum(1 for line in open(records, encoding="utf-8") if line.strip())
    assert len(kept) == count > 10 and all(p.source.startswith(records + "#") for p in kept)
    # a folder is not a file, nor is a file's name a prefix of another's
    assert engine.service.engine.of_files({str(SAMPLE_DIR / "html"), records[:-1]}) == []
    assert engine.service.engine.of_files(set()) == []


def test_export_has_every_match_once(engine):
    total = _search(engine, q="библиотека")["total"]
    hits = list(engine.service.export_hits(SearchRequest(q="библиотека"), batch=7))
    assert len(hits) == total == len({h.id for h in hits})


def test_health_names_the_engine(engine):
    health = engine.client.simulate_get("/api/health").json
    assert health["engine"] == engine.name and health["documents"] > 10
    schema = engine.client.simulate_get("/openapi.json").json["components"]["schemas"]["Health"]
    assert set(health) <= set(schema["properties"]), set(health) - set(schema["properties"])
    assert health["status"] in schema["properties"]["status"]["enum"]


def test_publications_the_query_names_come_first(engine):
    """Those whose title holds the words side by side in order (or quoting them as a
    name) lead, above a publication with more of the words elsewhere."""
    from search.quoted import quoted_keys

    result = _search(engine, q="книжная выставка", per_page=100)
    records = {h["id"]: h for h in result["hits"]}
    titled = {i for i, h in records.items()
              if re.search(r"книжн\w* выставк", h["title"], re.IGNORECASE)}
    quoting = {i for i in records
               if "книжный выставка" in quoted_keys(engine.service.get(i)["text"])}
    named = titled | quoting
    assert titled and len(records) > len(named) + 2, (titled, quoting)
    assert set(_ids(result)[:len(named)]) == named


def test_a_masculine_noun_of_a_person_finds_the_feminine_one(engine):
    # zlat-2025-004 names only a «писательница», zlat-2023-005 only «участницы»
    assert "zlat-2025-004" in _ids(_search(engine, q="писатели", per_page=100))
    assert "zlat-2023-005" in _ids(_search(engine, q="участник", per_page=100))
    women = _search(engine, q="писательница", per_page=100)
    assert women["total"] >= 1
    for i in _ids(women):  # the other way is left alone: it asks for women
        record = engine.service.get(i)
        assert "писательниц" in f"{record['title']} {record['text']}".lower(), i


@pytest.mark.parametrize("form", ["Пушкин", "Пушкина", "Пушкину", "Пушкиным", "Пушкине",
                                  "пушкиным"])
def test_every_case_of_a_surname_finds_every_text_that_names_it(engine, form):
    """`Пушкин` is also a common word to pymorphy3, so written in a sentence it is indexed
    as the name alone; `Пушкиным` is only the name: it had found half (an integrator's
    trial), as had `Чеховым` and `Гагариным` on the real corpus."""
    import json

    from search.settings import SAMPLE_DIR

    surname = re.compile(r"\bПушкин(?:а|у|ым|е)?\b")
    naming = set()
    with open(SAMPLE_DIR / "publications.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if surname.search(f"{record.get('title') or ''}\n{record.get('text') or ''}"):
                naming.add(record["id"])
    found = set(_ids(_search(engine, q=form, per_page=100)))
    assert len(naming) >= 5 and naming <= found, sorted(naming - found)


def test_a_phrase_stands_on_a_word_indexed_as_a_name(engine):
    """«Тайна Таганайской тропы»: «Таганайский» is a surname too, so written capitalized
    inside a sentence it is indexed as the name alone; a phrase typed in lowercase (as a
    methodologist typed `"краснопольская библиотека"` on the real corpus) found nothing."""
    for q in ('"таганайской тропы"', '"Таганайская тропа"~1', '"тропы таганайской"~2'):
        assert "zlat-2025-004" in _ids(_search(engine, q=q)), q


def test_a_synonym_spells_out_its_phrase_and_is_never_a_typo(engine, tmp_path):
    """A library's own abbreviation in the synonyms file (`КРСБ = Краснопольская
    библиотека`) had been "corrected" to «КРАБ», and its phrase found only the texts that
    began with it."""
    from dataclasses import replace

    from falcon import testing

    from api.app import create_app
    from search.searcher import SearchService
    from search.synonyms import DEFAULT_SYNONYMS_FILE

    own = tmp_path / "synonyms.txt"
    own.write_text(DEFAULT_SYNONYMS_FILE.read_text(encoding="utf-8")
                   + "\nТТРП = таганайская тропа\n", encoding="utf-8")
    settings = replace(engine.settings, synonyms_file=own)
    service = SearchService(settings)
    try:
        client = testing.TestClient(create_app(settings, service))
        for q in ("ттрп", "ТТРП"):
            result = client.simulate_get("/api/search", params={"q": q}).json
            assert not result["corrected"] and result["did_you_mean"] is None, result
            assert _ids(result) == ["zlat-2025-004"], q
    finally:
        service.close()


def test_partial_matches_come_after_the_last_full_match(engine):
    """On the page where the full matches end, never before (with 3 a page, page 1 of 8
    full matches had shown partial ones, and the rest of the full ones came on page 2)."""
    whole = _search(engine, q="книжная выставка", per_page=100)
    total = whole["total"]
    assert 3 < total < 10 and whole["partial"], total
    last = -(-total // 3)
    for page in range(1, last + 2):
        found = _search(engine, q="книжная выставка", per_page=3, page=page)
        assert bool(found["partial"]) == (page == last), (page, last)
        assert found["total"] == total and not found["relaxed"]


def test_a_group_of_copies_is_shown_as_one_id_whatever_the_query(engine):
    """Copies of one text (the same day, three ids) are shown as the copy of the smallest
    id that matches, wherever the group ranks: an integrator's "already seen" marks had
    met one publication as `ng-00326` for one query and `ng-00599` for another."""
    headers = {"Authorization": "Bearer test-token"}
    text = ("Гроссмейстер провёл в читальном зале сеанс одновременной игры для юных "
            "шахматистов района. Каждый участник получил грамоту, а победители турнира "
            "выбрали себе книги о шахматах из фонда библиотеки. Встреча продолжалась три "
            "часа, родители болели за детей и фотографировали доску.")
    titles = {"dup-3": "Шахматный фестиваль с гроссмейстером", "dup-1": "Новости района",
              "dup-2": "Объявление для читателей"}
    try:
        for pid, title in titles.items():  # indexed in an order that is not the ids'
            put = engine.client.simulate_put(f"/api/publications/{pid}", headers=headers,
                                             json={"title": title, "text": text,
                                                   "date": "2024-06-01"})
            assert put.status_code in (200, 201), put.text
        for params in ({"q": "гроссмейстер шахматистов"}, {"q": "сеанс игры"},
                       {"q": "гроссмейстер", "sort": "date_desc"}, {"q": "", "year": "2024",
                                                                    "sort": "date_asc",
                                                                    "per_page": 100}):
            hits = [h for h in _search(engine, **params)["hits"] if h["id"].startswith("dup-")]
            assert [(h["id"], sorted(h["copies"])) for h in hits] == [
                ("dup-1", ["dup-2", "dup-3"])], params
        alone = _search(engine, q="объявление гроссмейстер")["hits"]  # one copy's title
        assert [h["id"] for h in alone if h["id"].startswith("dup-")] == ["dup-2"]
        # an export's rows, and similar publications (after dup-1 is updated: its old
        # version, deleted, had been shown there with its old title)
        export = engine.client.simulate_get("/api/export", params={
            "q": "гроссмейстер шахматистов", "format": "csv"}).text
        rows = [line for line in export.splitlines() if ";dup-" in line]
        assert len(rows) == 1 and ";dup-1;" in rows[0], rows
        updated = engine.client.simulate_put("/api/publications/dup-1", headers=headers, json={
            "title": "Новости района, обновлено", "text": text, "date": "2024-06-01"})
        assert updated.status_code == 200, updated.text
        other = engine.client.simulate_put("/api/publications/dup-other", headers=headers,
                                           json={"title": "Шахматный турнир", "text": text[:120]
                                                 + " Юные шахматисты сыграли блиц.",
                                                 "date": "2024-07-01"})
        assert other.status_code in (200, 201), other.text
        similar = engine.client.simulate_get("/api/publications/dup-other/similar").json
        group = [h for h in similar["similar"] if h["id"].startswith("dup-")]
        assert [(h["id"], h["title"], sorted(h["copies"])) for h in group] == [
            ("dup-1", "Новости района, обновлено", ["dup-2", "dup-3"])], group
    finally:
        for pid in [*titles, "dup-other"]:
            engine.client.simulate_delete(f"/api/publications/{pid}", headers=headers)


def test_a_word_is_not_found_through_another_word_s_written_stem(engine):
    """The stems field (derivations: `осенний` finds «осень») holds each word's lemma's
    stem: `сталь` (`стал`) had found every text with the verb «стал», half the real
    corpus (an integrator's trial), and `быль` every «была»."""
    headers = {"Authorization": "Bearer test-token"}
    records = {"stem-verb": ("Новый чемпион", "Юный шахматист стал победителем, и была "
                             "радость у всей команды."),
               "stem-steel": ("Завод", "Рассказ о том, как варят сталь на заводе."),
               "stem-autumn": ("Листопад", "Осенний листопад в парке у библиотеки.")}
    try:
        for pid, (title, text) in records.items():
            put = engine.client.simulate_put(f"/api/publications/{pid}", headers=headers,
                                             json={"title": title, "text": text,
                                                   "date": "2024-10-01"})
            assert put.status_code in (200, 201), put.text

        def mine(q: str) -> set[str]:
            return {h for h in _ids(_search(engine, q=q, per_page=100)) if h.startswith("stem-")}

        assert mine("сталь") == {"stem-steel"}
        assert mine("быль") == set()
        assert mine("осень") == {"stem-autumn"}  # a derivation still counts
    finally:
        for pid in records:
            engine.client.simulate_delete(f"/api/publications/{pid}", headers=headers)
