"""Which word a typo is corrected to, among those equally near."""

from __future__ import annotations

import pytest
from conftest import service_over

from search.models import SearchRequest

# `мапа` is one edit from «мама» and one from «папа», the word of more publications.
DADS = [{"id": f"dad-{i}", "title": f"Встреча {i}", "date": "2024-03-01",
         "text": f"Папа читал сыну сказки, и папа с сыном пришли в библиотеку ({i})."}
        for i in range(4)]
MUMS = [{"id": f"mum-{i}", "title": f"Праздник {i}", "date": "2024-03-02",
         "text": f"Мама читала дочке стихи, и мама с дочкой пришли в библиотеку ({i})."}
        for i in range(2)]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    yield from service_over([*DADS, *MUMS], tmp_path_factory.mktemp("typos"))


def test_a_candidate_keeping_the_first_letter_wins_among_the_equally_near(service):
    """A typo in the first letter is rare (`Чехав` is «Чехов», not the commoner «уехав»):
    of the equally near, the word that keeps it comes first, whatever the frequencies."""
    result = service.search(SearchRequest(q="мапа"))
    assert result.did_you_mean == "мама" and result.corrected
    assert {h.id for h in result.hits} == {"mum-0", "mum-1"}


# «дети» is a form of «ребёнок», whose lemma no word near `детй` spells; «деть» is the
# lemma of every «день» and «дела» it may be read in, and of more publications.
DAYS = [{"id": f"day-{i}", "title": f"Заметка {i}", "date": "2024-04-01",
         "text": f"В этот день у нас были дела в городе, и день прошёл быстро ({i})."}
        for i in range(5)]
CHILDREN = [{"id": f"kids-{i}", "title": f"Занятие {i}", "date": "2024-04-02",
             "text": f"Дети читали книги, и книги понравились детям ({i})."}
            for i in range(2)]


@pytest.fixture(scope="module")
def kids(tmp_path_factory):
    yield from service_over([*DAYS, *CHILDREN], tmp_path_factory.mktemp("kids"))


@pytest.mark.parametrize(("typed", "meant"), [
    ("детй", {"дети", "детей"}), ("детм", {"дети"}), ("детьм", {"детьми"}), ("кнги", {"книг"})])
def test_a_dictionary_word_one_edit_away_is_a_candidate_and_a_noun_comes_first(
        kids, typed, meant):
    """A typo is corrected to a word of the dictionary one edit away whose lemma the
    index holds, even when no lemma is that near (`кнги`: «книга» is two edits away);
    among the equally near, a noun comes before a verb's or a participle's form
    (`детй` is not «деть», `детм` not «дет»)."""
    result = kids.search(SearchRequest(q=typed))
    assert result.corrected and result.did_you_mean in meant
    assert {h.id for h in result.hits} == {"kids-0", "kids-1"}


# `вечирина` is «веч» (an informal form of «вече») and the name «Ирина» run together, and
# `перескакова` the surname «Перес» and «какова»: neither is two words a missed space
# ran together (a methodologist's trial: the results were texts about other Ирины).
RUN_TOGETHER = [
    {"id": "party", "title": "Шляпная вечеринка", "date": "2024-05-01",
     "text": "В библиотеке прошла шляпная вечеринка для читателей."},
    {"id": "irina", "title": "Встреча с Ириной", "date": "2024-05-02",
     "text": "Ирина рассказала о новгородском вече и о том, как веч собирали."},
    {"id": "peres", "title": "Новая книга", "date": "2024-05-03",
     "text": "Писатель Артуро Перес спросил: какова цена успеха?"},
    {"id": "master", "title": "Мастер-класс", "date": "2024-05-04",
     "text": "Мастер провёл урок для всего класса, и мастер-класс понравился детям."},
    {"id": "typo", "title": "Заметка", "date": "2024-05-05",  # a typo the index now holds
     "text": "Ученики класа пришли в библиотеку."},
    {"id": "cinema", "title": "Кинотеатр", "date": "2024-05-06",
     "text": "В кинотеатре показали фильм."}]


@pytest.fixture(scope="module")
def run_together(tmp_path_factory):
    yield from service_over(RUN_TOGETHER, tmp_path_factory.mktemp("run-together"))


@pytest.mark.parametrize(("typed", "not_meant"), [("вечирина", "веч ирина"),
                                                  ("перескакова", "перес какова")])
def test_a_name_or_an_informal_word_is_no_part_of_words_run_together(run_together, typed,
                                                                     not_meant):
    result = run_together.search(SearchRequest(q=typed))
    assert result.did_you_mean != not_meant
    assert "irina" not in {h.id for h in result.hits}


def test_common_words_run_together_are_still_parted(run_together):
    assert run_together.search(SearchRequest(q="мастеркласс")).did_you_mean == "мастер-класс"


@pytest.mark.parametrize(("typed", "meant"), [("мастер-класы", "мастер-классы"),
                                              ("мастер-клас", "мастер-класс"),
                                              ("Мастер-класы", "Мастер-классы")])
def test_a_misspelt_part_of_a_compound_is_corrected(run_together, typed, meant):
    """`мастер-класы` found nothing and offered nothing (a methodologist's trial): its
    «класы» is known to the index only through the lemma guessed for another typo."""
    result = run_together.search(SearchRequest(q=typed))
    assert result.did_you_mean == meant and result.corrected
    assert [h.id for h in result.hits] == ["master"]


# «величина» is two edits from `вечирина` and in more publications; «вечеринка» is two
# edits too, one of them a letter that sounds alike (an unstressed и for е).
SOUNDS = [*({"id": f"size-{i}", "title": f"Задача {i}", "date": "2024-06-01",
             "text": f"Величина угла и величина стороны ({i})."} for i in range(4)),
          {"id": "party", "title": "Шляпная вечеринка", "date": "2024-06-02",
           "text": "В библиотеке прошла шляпная вечеринка."},
          {"id": "club", "title": "Клуб", "date": "2024-06-03",
           "text": "Занятие провела Мария Перескокова."}]


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    yield from service_over(SOUNDS, tmp_path_factory.mktemp("sounds"))


def test_a_letter_that_sounds_alike_is_a_likelier_slip(sounds):
    result = sounds.search(SearchRequest(q="вечирина"))
    assert result.did_you_mean == "вечеринка" and [h.id for h in result.hits] == ["party"]


def test_a_surname_is_offered_in_the_form_typed(sounds):
    """`Перескакова` was offered «Перескоков», which pymorphy3 reads as a plural of
    «перескок» and which found nothing (a methodologist's trial)."""
    offered = sounds.search(SearchRequest(q="Перескакова")).did_you_mean
    assert offered == "Перескокова"
    assert [h.id for h in sounds.search(SearchRequest(q=offered)).hits] == ["club"]


def test_a_compound_of_dictionary_words_is_corrected_whole(run_together):
    """`кино-театр`: both parts are words; the whole is «кинотеатр» (a reviewer's find)."""
    result = run_together.search(SearchRequest(q="кино-театр"))
    assert result.did_you_mean == "кинотеатр" and [h.id for h in result.hits] == ["cinema"]
