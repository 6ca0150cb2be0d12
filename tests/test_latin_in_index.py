"""Russian typed in Latin letters, when the index itself holds some of those Latin words:
in a link left in a text, a script, an English quotation."""

from __future__ import annotations

import pytest
from conftest import service_over

from search.models import SearchRequest

EXHIBITIONS = [{"id": f"ex-{i}", "title": f"Книжная выставка {i}", "date": "2024-03-01",
                "text": f"В библиотеке открылась выставка книг о войне и о мире ({i})."}
               for i in range(6)]
LINKED = {"id": "link", "title": "Видео", "date": "2024-03-02",
          "text": "Смотрите запись: https://video.example.ru/vystavka-2024 и o novinkah."}
ENGLISH = {"id": "english", "title": "Кино", "date": "2024-03-03",
           "text": "Фильм A Star Is Born идёт в клубе; в зале star wars марафон."}
CHOIR = {"id": "choir", "title": "Хор", "date": "2024-03-04",
         "text": "Хор ветеранов спел на празднике, а мяч ушёл в аут."}
# a club's name that no dictionary holds, written only in its oblique forms
CLUB = [{"id": f"club-{i}", "title": f"Занятие кружка {i}", "date": "2024-03-05",
         "text": f"Дети пришли на занятие кружка «Библионика» ({i}). В «Библионике» рисуют."}
        for i in range(2)]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over([*EXHIBITIONS, LINKED, ENGLISH, CHOIR, *CLUB],
                            tmp_path_factory.mktemp("latin-in-index"))


def _search(service, q: str):
    return service.search(SearchRequest(q=q))


def test_a_latin_word_from_a_link_does_not_stop_its_reading(service):
    """`vystavka` stands in one link; «выставка» in six publications."""
    result = _search(service, "vystavka")
    assert result.corrected and result.did_you_mean == "выставка"
    assert result.total == 6


def test_a_one_letter_preposition_is_read_though_some_text_holds_it(service):
    result = _search(service, "knigi o voyne")
    assert result.corrected and result.did_you_mean == "книги о войне"
    assert result.total == 6 and not result.relaxed


@pytest.mark.parametrize("q", ["a star is born", "star wars"])
def test_english_words_the_index_holds_keep_the_query_english(service, q):
    result = _search(service, q)
    assert not result.corrected and result.did_you_mean is None
    assert [hit.id for hit in result.hits] == ["english"]


def test_an_english_word_is_not_parted_into_two_russian_ones(service):
    """`author` read letter by letter is «аутхор», which «аут» and «хор» could make."""
    result = _search(service, "author")
    assert not result.corrected and result.did_you_mean is None and result.total == 0


def test_a_form_no_dictionary_holds_is_read_through_its_lemma_in_the_index(service):
    """`biblionik` reads «библионик»: no text writes that form, nor is it a dictionary
    word, but its lemma «библионика» is in the index (it had found nothing, unsaid)."""
    result = _search(service, "kruzhok biblionik")
    assert result.corrected and result.did_you_mean == "кружок библионик"
    assert {h.id for h in result.hits} == {"club-0", "club-1"}
