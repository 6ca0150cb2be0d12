"""Topics: source categories onto one controlled list; automatic topics on real evidence."""

from __future__ import annotations

import json
import re

import pytest
from conftest import require_corpus

from search.errors import ConfigError
from search.settings import SAMPLE_DIR
from search.topics import TopicDictionary, without_quoted

SAMPLE = {r["id"]: r for r in map(json.loads, (SAMPLE_DIR / "publications.jsonl").read_text(
    encoding="utf-8").splitlines())}
LATIN_SLUG = re.compile(r"^[^а-яё]*$", re.IGNORECASE)


@pytest.fixture(scope="module")
def topics() -> TopicDictionary:
    return TopicDictionary.load()


def _assign(topics, pid: str) -> tuple[str, ...]:
    record = SAMPLE[pid]
    return topics.assign(record["title"], record["text"])


# -- automatic topics ------------------------------------------------------------------
def test_a_quoted_title_of_a_book_is_no_evidence(topics):
    # «Война и мир» reading marathon: the title and the body name the novel, not a war.
    assert "День Победы" not in _assign(topics, "zlat-2023-004")
    assert "Чтение и книги" in _assign(topics, "zlat-2023-004")


@pytest.mark.parametrize("title", ["Американо-китайская торговая война ударит по металлургам",
                                   "Кому снова нужна холодная война",
                                   "Армия США готовится к кибервойне"])
def test_any_war_in_a_title_is_not_victory_day(topics, title):
    """«День Победы» is the Great Patriotic War's: a trade or cold war in a news title is
    no evidence of it (`война` alone only supports a key word)."""
    assert "День Победы" not in topics.assign(title, "Эксперты обсуждают последствия.")


def test_the_great_patriotic_war_is_victory_day(topics):
    assert "День Победы" in topics.assign("Книги о Великой Отечественной войне", None)
    text = ("Ребята встретились с ветераном. Ветеран рассказал о войне и о солдатах, "
            "о том, как фронтовики шли к Победе. Война в судьбе ветерана.")
    assert "День Победы" in topics.assign("Дети войны", text)


def test_a_valentines_day_exhibition_is_not_local_history(topics):
    assert _assign(topics, "zlat-2025-002")[0] == "Выставки"
    assert "Краеведение" not in _assign(topics, "zlat-2025-002")


@pytest.mark.parametrize("pid, expected", [
    ("zlat-2023-007", "День Победы"),        # война, фронтовики, память: several words
    ("zlat-2023-001", "Отчёты и итоги"),     # a key word in the title
    ("zlat-2025-007", "Краеведение"),
    ("zlat-2024-009", "Правовая информация"),
    ("zlat-2023-010", "Пушкинская карта"),
])
def test_real_evidence_gives_the_topic(topics, pid, expected):
    assert _assign(topics, pid)[0] == expected


def test_one_word_however_repeated_is_not_enough(topics):
    body = ("Футбольный клуб одержал победу в матче. Это третья победа подряд, "
            "и болельщики клуба празднуют победу. Клуб готовится к следующей игре.")
    assert topics.assign("Новости спорта", body) == ("Спорт",)  # the title says so


def test_a_key_word_in_the_title_is_enough(topics):
    assert topics.assign("Ветераны в гостях у читателей", "Прошла встреча.") == (
        "День Победы",)


def test_a_phrase_must_stand_as_written(topics):
    assert "Пушкинская карта" not in topics.assign("Пушкинский день", "Карта города и "
                                                   "пушкинский праздник. " * 3)
    assert topics.assign("Билеты по Пушкинской карте", "")[0] == "Пушкинская карта"


def test_quoted_names_are_removed():
    assert without_quoted("Клуб «Зелёный уголок» и „Войну и мир“ и \"Вести\"") == \
        "Клуб \n и \n и \n"


# -- source categories -------------------------------------------------------------------
@pytest.mark.parametrize("category, expected", [
    ("world", ("В мире",)),
    ("WORLD", ("В мире",)),
    ("nvo/notes", ("Армия и оборона",)),     # a path falls back to its first part
    ("nvo/history", ("История",)),           # unless the whole path is listed
    ("sochi2014", ("Спорт",)),
    ("НГ-Ex libris", ("Чтение и книги",)),
    ("выставки", ("Выставки",)),             # a topic name itself, any case
    ("Новости", ()),                         # says nothing about the subject
    ("unknown_slug", ()),                    # an unknown slug is never a topic
    ("Юбилеи писателей", ("Юбилеи писателей",)),  # a library's own rubric is kept
])
def test_categories_map_onto_the_list(topics, category, expected):
    assert topics.from_categories([category]) == expected


def test_categories_that_say_nothing_leave_it_to_the_words(topics):
    record = SAMPLE["zlat-2023-001"]
    assert topics.topics_for(["Новости", "some-slug"], record["title"], record["text"]) == \
        topics.assign(record["title"], record["text"])
    assert topics.topics_for(["politics", "world", "Политика"], "x", "") == ("Политика",
                                                                             "В мире")


def test_the_title_adds_topics_to_the_categories(topics):
    """A post the site files under one rubric gets the topics its title's key words
    show as well; its text alone does not add any."""
    title = "Книжная выставка «Они сражались за Родину» открылась в библиотеке"
    body = "В читальном зале открылась книжная выставка к Дню Победы. Выставка продлится месяц."
    got = topics.topics_for(["День Победы"], title, body)
    assert got[0] == topics.from_categories(["День Победы"])[0]
    assert "Выставки" in got and len(got) == len(set(got))
    untitled = "Они сражались за Родину"
    assert "Выставки" in topics.assign(untitled, body)
    assert "Выставки" not in topics.topics_for(["День Победы"], untitled, body)


def test_every_mapped_topic_is_in_the_list(topics):
    assert set().union(*topics.categories.values()) <= set(topics.names)
    assert len(topics.names) == len(set(topics.names))


def test_a_custom_file_carries_its_own_mapping(tmp_path):
    path = tmp_path / "topics.txt"
    path.write_text("Выставки: выставка | книга\nРазное:\nexhibits = Выставки\n",
                    encoding="utf-8")
    custom = TopicDictionary.load(path)
    assert custom.names == ("Выставки", "Разное")
    assert custom.from_categories(["exhibits", "world"]) == ("Выставки",)  # no "В мире" here
    path.write_text("Выставки: выставка\nexhibits = Музеи\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Музеи"):
        TopicDictionary.load(path)
    path.write_text("Выставки выставка\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ожидалась строка вида «Тема: ключевые слова"):
        TopicDictionary.load(path)


# -- the real corpus -------------------------------------------------------------------
@pytest.mark.corpus
def test_no_topic_of_the_corpus_is_a_latin_slug(topics):
    from indexer.sources import Skip, iter_publications

    corpus = require_corpus()
    values: dict[str, int] = {}
    for item in iter_publications(sorted(corpus.glob("*.jsonl")), topics,
                                  max_bytes=10**9):
        assert not isinstance(item, Skip), item
        for topic in item.topics:
            values[topic] = values.get(topic, 0) + 1
    assert values, "no topics at all"
    slugs = [t for t in values if LATIN_SLUG.match(t)]
    assert slugs == []
    # Every rubric and section of the corpus is known: all values come from the list.
    assert set(values) <= set(topics.names), set(values) - set(topics.names)
    assert values["В мире"] > 100 and values["Чтение и книги"] > 100


def test_a_pushed_publication_gets_topics_from_the_list(fresh_index):
    from falcon import testing

    from api.app import create_app

    client = testing.TestClient(create_app(fresh_index))
    auth = {"Authorization": "Bearer test-token"}
    for pid, topics, expected in [("t-1", ["world", "some_slug"], ["В мире", "Выставки"]),
                                  ("t-2", ["some_slug"], ["Выставки"]),
                                  ("t-3", ["Юбилеи писателей"], ["Юбилеи писателей",
                                                                 "Выставки"])]:
        resp = client.simulate_put(f"/api/publications/{pid}", headers=auth, json={
            "title": "Выставка к юбилею", "text": "В зале открылась выставка.",
            "topics": topics})
        assert resp.status_code == 201
        assert client.simulate_get(f"/api/publications/{pid}").json["topics"] == expected


def test_topics_assigned_from_several_threads_as_from_one():
    """The web crawler assigns topics from its fetching threads; the bulk analysis behind
    them (search/bulk_analysis.py) is shared by the process."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from search import topics as topics_module
    from search.settings import SAMPLE_DIR

    rows = [json.loads(line) for line in
            (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [(r.get("title") or "", r.get("text") or "") for r in rows] * 3
    dictionary = TopicDictionary.load()
    topics_module._analysers.clear()  # a new analyser: every token is new to it
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda t: dictionary.assign(*t), texts))
    topics_module._analysers.clear()
    assert parallel == [dictionary.assign(*t) for t in texts]
    assert sum(bool(found) for found in parallel) > 10


@pytest.mark.parametrize("topics, categories, said", [
    ("Выставки: выставка\nКраеведение: краевед\nВыставки: фотовыставка\n", None,
     "topics.txt:3: тема «Выставки» уже задана в строке 1"),
    ("Выставки: выставка\n", "Афиша = Выстовки\n",
     "categories.txt:1: темы «Выстовки» нет в topics.txt; может быть, «Выставки»?"),
    ("Выставки: выставка\nОтчёты: отчёт\n", "Афиша = Выставки\nафиша = Отчёты\n",
     "categories.txt:2: рубрика уже сопоставлена в строке 1 по-другому"),
])
def test_a_methodologist_s_dictionary_mistake_is_an_error_naming_its_line(
        tmp_path, topics, categories, said):
    """Each of these had been taken silently: the later line of a topic replaced the
    earlier (its words lost), a mapping onto a misspelt topic kept the rubric as a topic
    of its own, a rubric mapped twice took the last line."""
    (tmp_path / "topics.txt").write_text(topics, encoding="utf-8")
    mapping = None
    if categories is not None:
        mapping = tmp_path / "categories.txt"
        mapping.write_text(categories, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        TopicDictionary.load(tmp_path / "topics.txt", mapping)
    assert said in str(caught.value)


def test_a_mapping_names_a_topic_with_e_for_yo(tmp_path):
    (tmp_path / "topics.txt").write_text("Отчёты и итоги: отчёт\n", encoding="utf-8")
    (tmp_path / "categories.txt").write_text("Отчеты = Отчеты и итоги\n", encoding="utf-8")
    topics = TopicDictionary.load(tmp_path / "topics.txt", tmp_path / "categories.txt")
    assert topics.from_categories(["Отчеты"]) == ("Отчёты и итоги",)
