"""People: what someone signed is found by their surname, or their full name, and ranks
among the texts that name other people of that surname."""

from __future__ import annotations

import pytest
from conftest import hit_ids, service_over

from search.models import SearchRequest

SIGNED = [{"id": f"signed-{i}", "title": f"Книжная выставка {i}", "date": "2024-03-01",
           "author": "Марина Белова",
           "text": f"В читальном зале открылась выставка новых книг о родном крае ({i})."}
          for i in range(3)]
NAMED = [{"id": f"named-{i}", "title": f"Спортивные новости {i}", "date": "2024-03-02",
          "text": f"Лыжник Евгений Белов выиграл гонку. Тренер Белова поздравила команду, "
                  f"а болельщики ждали Белова у финиша ({i})."}
         for i in range(3)]
OTHER = {"id": "other-belova", "title": "Краеведческий час", "date": "2024-03-03",
         "author": "Ирина Белова", "text": "В читальном зале прошёл краеведческий час."}
DOCS = [*SIGNED, *NAMED]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over(DOCS, tmp_path_factory.mktemp("people"))

_ids = hit_ids


def test_a_surname_finds_what_that_person_signed_among_the_first(service):
    """A signature is a short line: its match is not divided by the line's length over
    the average of all publications, most of which have none."""
    ids = _ids(service, "Белова")
    assert set(ids) == {h["id"] for h in DOCS}
    assert {"signed-0", "signed-1", "signed-2"} & set(ids[:3])


@pytest.mark.parametrize("q", ["Марина Белова", "марина белова", "Белова Марина"])
def test_a_full_name_finds_what_that_person_signed(service, q):
    ids = _ids(service, q)
    assert ids[:3] and set(ids[:3]) == {"signed-0", "signed-1", "signed-2"}


def test_a_first_name_alone_finds_no_signature(service):
    assert _ids(service, "Марина") == []


@pytest.fixture(scope="module")
def two_belovas(tmp_path_factory):
    yield from service_over([*SIGNED, OTHER], tmp_path_factory.mktemp("two-belovas"))


def test_the_author_filter_reads_a_surname_as_the_one_name_it_means(service, two_belovas):
    one = service.search(SearchRequest(q="", authors=("Белова",)))
    assert one.total == 3 and one.warnings[0] == (
        "в фильтре «автор» «Белова» прочитано как «Марина Белова»")
    meant = two_belovas.search(SearchRequest(q="", authors=("Ирины Беловой",)))
    assert meant.total == 1 and meant.warnings[0] == (
        "в фильтре «автор» «Ирины Беловой» прочитано как «Ирина Белова»")
    both = two_belovas.search(SearchRequest(q="", authors=("Белова",)))  # two: asked
    assert both.total == 0 and both.warnings[-1].endswith(
        "; есть «Ирина Белова», «Марина Белова»")


def test_the_author_filter_reads_no_initial_or_first_name_as_a_person(tmp_path):
    """Initials and the start of a first name had been read as someone (a security
    tester's trial): `Андреева` as «А. А. Матыков» by its first letter, `а` or `ж` as
    anyone whose name began so, `Алексеев` as «Алексей Мишин» (pymorphy3 also reads it
    as a plural of the name). Each now finds nothing and says so."""
    docs = [{"id": f"a{i}", "title": f"Отчёт {i}", "date": "2024-03-01", "author": author,
             "text": "В читальном зале прошла встреча с читателями."}
            for i, author in enumerate(("А. А. Матыков", "Алексей Мишин", "Журналист"))]
    service = next(service_over(docs, tmp_path))
    for typed in ("Андреева", "а", "ж", "Алексеев", "А. А. А. А.", "а" * 300):
        found = service.search(SearchRequest(q="", authors=(typed,)))
        assert found.total == 0, (typed, found.warnings)
        assert list(found.warnings) == [f"нет публикаций со значением «{typed}» в фильтре «автор»"]
    for typed, meant in (("Матыков", "А. А. Матыков"), ("Мишина", "Алексей Мишин"),
                         ("Алексея Мишина", "Алексей Мишин")):
        found = service.search(SearchRequest(q="", authors=(typed,)))
        assert found.total == 1 and meant in found.warnings[0], (typed, found.warnings)


def test_a_surname_made_of_a_first_name_finds_its_other_forms(tmp_path):
    """`Пересветов` was read only as the genitive plural of the name «Пересвет», its
    other forms as the surname «пересветов»: the nominative found no text that wrote
    «Пересветовым», though every other form did."""
    docs = [{"id": "ablt", "title": "Вечер краеведов", "date": "2024-05-01",
             "text": "Встречу с краеведом Гориславом Пересветовым провели в читальном зале."},
            {"id": "gent", "title": "Книга о городе", "date": "2024-05-02",
             "text": "Новая книга Святослава Пересветова о старых улицах города."}]
    service = next(service_over(docs, tmp_path))
    for q in ("Пересветов", "Пересветовым", "Пересветова", "пересветов"):
        assert set(_ids(service, q)) == {"ablt", "gent"}, q


def test_a_full_name_also_finds_the_texts_that_give_it_as_initials(tmp_path):
    """`Ирина Вишнякова` found only the texts that spell her name out: «И. Н. Вишнякова»
    was a partial match among texts about other Ирины (a methodologist's trial). When a
    query is a person's name and nothing else, the surname is what is needed, the texts
    with the first name rank first, and a first name alone is no partial match."""
    docs = [{"id": "initials", "title": "Час права", "date": "2024-05-01",
             "text": "Занятие провела библиотекарь И. Н. Вишнякова."},
            {"id": "full", "title": "Встреча с читателями", "date": "2024-05-02",
             "text": "Ирина Николаевна Вишнякова рассказала о новых книгах."},
            {"id": "other-irina", "title": "Поэтический вечер", "date": "2024-05-03",
             "text": "Стихи прочитала Ирина Петрова."},
            {"id": "unrelated", "title": "Субботник", "date": "2024-05-04",
             "text": "Читатели вышли на субботник у библиотеки."}]
    service = next(service_over(docs, tmp_path))
    for q in ("Ирина Вишнякова", "ирина вишнякова", "Вишнякова Ирина Николаевна"):
        result = service.search(SearchRequest(q=q))
        assert [h.id for h in result.hits] == ["full", "initials"], q
        assert not result.partial and not result.relaxed, q
    # beside any other word the first name is needed as before
    assert _ids(service, "Ирина стихи") == ["other-irina"]



def test_words_that_are_also_common_words_are_no_name_only_query(tmp_path):
    """`роза ветров` is a wind rose and `Лев Толстой` no «толстая книга»: a first name
    that is a common word too, or a surname the dictionary reads as one, keeps every
    word needed (a reviewer's find)."""
    docs = [{"id": "rose", "title": "Роза ветров", "date": "2024-05-01",
             "text": "На карте нарисована роза ветров."},
            {"id": "wind", "title": "Погода", "date": "2024-05-02",
             "text": "Сила ветров этой весной была большой."},
            {"id": "tolstoy", "title": "Вечер Толстого", "date": "2024-05-03",
             "text": "Читали рассказы, которые написал Лев Толстой."},
            {"id": "fat", "title": "Новинки", "date": "2024-05-04",
             "text": "На полке стоит толстая книга."}]
    service = next(service_over(docs, tmp_path))
    assert _ids(service, "роза ветров") == ["rose"]
    assert _ids(service, "Лев Толстой") == ["tolstoy"]
