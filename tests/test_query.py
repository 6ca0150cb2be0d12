"""The query language: operators, exact forms, synonyms, relaxing, and never failing."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.cli import main
from search import nodes
from search.engine.whoosh.compile import to_whoosh
from search.engine.whoosh.store import IndexLocation
from search.models import SearchRequest
from search.query import MAX_TERMS, ParsedQuery, QueryParser
from search.query_parser import parse_tokens
from search.query_syntax import lex
from search.searcher import SearchService
from search.synonyms import SynonymDictionary
from tests.conftest import service_over

DOCS = [
    {"id": "q1", "title": "Выставка книг о войне",
     "text": "В библиотеке открылась выставка книг о Великой Отечественной войне."},
    {"id": "q2", "title": "Концерт в доме культуры",
     "text": "Районный дом культуры провёл большой весенний концерт для жителей."},
    {"id": "q3", "title": "Сталь и железо",
     "text": "Рабочие старого завода рассказали школьникам, как варили сталь."},
    {"id": "q4", "title": "Ребята стали читателями",
     "text": "Первоклассники стали настоящими читателями библиотеки."},
    {"id": "q5", "title": "Клуб любителей поэзии",
     "text": "Встреча клуба любителей поэзии прошла в читальном зале."},
    {"id": "q6", "title": "Поэзия Серебряного века",
     "text": "Вечер поэзии Серебряного века провели в библиотеке для старшеклассников."},
]


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(SynonymDictionary.load())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> SearchService:
    yield from service_over(DOCS, tmp_path_factory.mktemp("query"))


@pytest.fixture(scope="module")
def sample_searcher(sample_index_dir):
    ix = IndexLocation(sample_index_dir).open_current()
    searcher = ix.searcher()
    yield searcher
    searcher.close()
    ix.close()


def _ids(service: SearchService, q: str, full_only: bool = False) -> list[str]:
    """Ids of the hits; with `full_only`, none when they are only partial matches."""
    result = service.search(SearchRequest(q=q, per_page=50))
    if full_only and result.relaxed:
        return []
    return sorted(hit.id for hit in result.hits)


# -- operators on a tiny index -------------------------------------------------------
@pytest.mark.parametrize(("q", "expected"), [
    ("выставка", ["q1"]),
    ("ВЫСТАВКА", ["q1"]),
    ('"любителей поэзии"', ["q5"]),
    ('«любителей поэзии»', ["q5"]),
    ('“любителей поэзии”', ["q5"]),  # Word's and smart punctuation's quotes
    ('„любителей поэзии“', ["q5"]),
    ('＂любителей поэзии＂', ["q5"]),
    ('“поэзии любителей”', []),
    ('"поэзии любителей"', []),
    ("выставка OR концерт", ["q1", "q2"]),
    ("выставка | концерт", ["q1", "q2"]),
    ("выставка ИЛИ концерт", ["q1", "q2"]),
    ("поэзия -клуб", ["q6"]),
    ("поэзия NOT клуб", ["q6"]),
    ("поэзия AND клуб", ["q5"]),
    ("-клуб поэзия", ["q6"]),
    ("(выставка OR концерт) библиотека", ["q1"]),
    ("(поэзия OR концерт) -(клуб OR культура)", ["q6"]),
    ("библиот*", ["q1", "q4", "q6"]),
    ("стали", ["q3", "q4"]),
    ("=стали", ["q4"]),
    ("=Стали", ["q4"]),
    ("=сталь", ["q3"]),
])
def test_operators(tiny, q, expected):
    assert _ids(tiny, q) == expected


def test_only_negation_excludes_from_everything(tiny):
    assert _ids(tiny, "-поэзия") == ["q1", "q2", "q3", "q4"]


def test_lenient_syntax_warns_instead_of_failing(tiny, parser):
    assert _ids(tiny, '"любителей поэзии', full_only=True) == ["q5"]
    assert parser.parse('"любителей поэзии').warnings == ["непарная кавычка пропущена"]
    assert _ids(tiny, "(поэзия") == ["q5", "q6"]
    assert _ids(tiny, "поэзия)") == ["q5", "q6"]


@pytest.mark.parametrize("q", ["OR", "NOT", "-", "|", "()", '"', "*", "=", "и в на"])
def test_nothing_to_search(tiny, parser, q):
    assert parser.parse(q).empty
    assert _ids(tiny, q) == []
    assert parser.parse(q).warnings  # an empty answer always says why


@pytest.mark.parametrize(("text", "said"), [
    ("-", "в запросе нет слов для поиска"),  # a dash between words is punctuation
    ("NOT", "«НЕ» (NOT) ставится перед словом"),
    ("поэзия NOT", "«НЕ» (NOT) ставится перед словом"),
    ("OR", "у «ИЛИ» (OR) должны быть слова с обеих сторон"),
    ("выставка ИЛИ", "у «ИЛИ» (OR) должны быть слова с обеих сторон"),
    ("поэзия |", "у «ИЛИ» (OR) должны быть слова с обеих сторон"),
    ("(((", "непарные скобки пропущены: 3"),
    ("(поэзия", "непарная скобка пропущена"),
    ("поэзия )", "непарная скобка пропущена"),
    ("!!!", "в запросе нет слов для поиска"),
    ('"любителей поэзии"~abc', "расстояние во фразе пишется числом (~3), а не «~abc»"),
    ('"любителей поэзии"~', "расстояние во фразе пишется числом"),
])
def test_what_the_syntax_skipped_is_said(parser, text, said):
    warnings = parser.parse(text).warnings
    assert any(w.startswith(said) for w in warnings), warnings
    assert len(warnings) == 1, warnings


@pytest.mark.parametrize("text", ["поэзия OR чтение", "(поэзия OR чтение) -проза",
                                  "NOT проза", '"любителей поэзии"~3', "во-первых",
                                  "Hello, world!", "поэзия - 2024"])
def test_well_formed_syntax_warns_of_nothing(parser, text):
    assert parser.parse(text).warnings == []


def test_a_phrase_with_a_distance_that_is_not_a_number_is_the_exact_phrase(tiny):
    assert _ids(tiny, '"любителей поэзии"~abc') == _ids(tiny, '"любителей поэзии"') == ["q5"]


def test_only_stop_words_warns(parser):
    parsed = parser.parse("и в на")
    assert parsed.empty
    assert parsed.warnings == ["в запросе только служебные слова"]


def test_parsed_query_parts(parser):
    parsed = parser.parse('Выставки "книг о войне" =стали библиот*')
    assert isinstance(parsed, ParsedQuery)
    assert parsed.words == ("Выставки", "книг", "о", "войне", "библиот*")
    assert parser.parse("библиот*").words == ("библиот*",)
    assert {"выставка", "книга", "война"} <= parsed.lemmas
    assert {"выставки", "стали"} <= parsed.forms
    assert parsed.content_lemmas == ("выставка",)
    assert parsed.warnings == []


def test_prefix_needs_two_letters(parser):
    assert parser.parse("б*").empty


def test_long_queries_are_cut(parser):
    parsed = parser.parse(" ".join(f"слово{n}" for n in range(MAX_TERMS + 10)))
    assert parsed.warnings == [f"запрос сокращён до {MAX_TERMS} слов"]
    assert len(parsed.words) == MAX_TERMS


# -- relaxed fallback ---------------------------------------------------------------
def test_relaxed_when_not_all_words_match(tiny):
    result = tiny.search(SearchRequest(q="выставка концерт"))
    assert result.relaxed is True
    assert sorted(hit.id for hit in result.hits) == ["q1", "q2"]
    assert result.to_dict()["relaxed"] is True
    assert result.warnings == (
        "не найдено публикаций со всеми словами запроса; показаны частичные совпадения",)


def test_only_full_matches_when_some_publication_has_every_word(tiny):
    """Partial matches are never mixed into a result that has full ones, nor counted."""
    result = tiny.search(SearchRequest(q="клуб поэзия"))
    assert result.relaxed is False
    assert [hit.id for hit in result.hits] == ["q5"]
    assert result.total == 1
    assert not result.warnings
    # the publication with one of the two words comes apart, labelled, and is not counted
    assert [hit.id for hit in result.partial] == ["q6"] and result.partial_total == 1
    assert result.to_dict()["partial"][0]["id"] == "q6"
    assert [hit.id for hit in tiny.export(SearchRequest(q="клуб поэзия"))] == ["q5"]


def test_long_question_needs_most_of_its_words(parser, tiny):
    """Up to six content words: every one; seven or more: all but about one in seven,
    enforced, not 'any word'."""
    parsed = parser.parse("книжная выставка к юбилею писателя")
    assert type(parsed.query).__name__ == "And" and len(parsed.query.children) == 4
    assert parser.parse("выставка детских книг").query.__class__.__name__ == "And"
    seven = parser.parse("почему спортсмены выступали на олимпиаде в Пхёнчхане под "
                         "нейтральным флагом страны")
    assert (seven.query.minmatch, len(seven.query.children)) == (6, 7)
    assert tiny.search(SearchRequest(q="выставка клуб поэзия концерт")).relaxed is True


@pytest.mark.parametrize("q", ['"клуб поэзии"~3', '"поэзии клуб"~3', '"любителей клуб"~2'])
def test_phrase_slop_in_either_order(tiny, q):
    """Like Lucene's sloppy phrase: two words swapped are two moves apart."""
    assert [hit.id for hit in tiny.search(SearchRequest(q=q)).hits] == ["q5"]


def test_phrase_without_slop_keeps_its_order(tiny):
    assert tiny.search(SearchRequest(q='"поэзии любителей"')).total == 0
    assert tiny.search(SearchRequest(q='"поэзии любителей"~1')).total == 0


def test_explicit_and_is_strict(tiny):
    result = tiny.search(SearchRequest(q="клуб AND поэзия"))
    assert [hit.id for hit in result.hits] == ["q5"]
    assert not result.warnings


def test_relaxed_takes_any_word_and_ranks_the_rarer_first(parser, tiny):
    """Nothing has every word: any word, by BM25F, so the one rare word a publication
    holds outranks a common one (question words must not outvote what is asked)."""
    assert parser.parse("выставка клуб поэзия концерт").relaxed.minmatch == 1
    result = tiny.search(SearchRequest(q="где найти концерт библиотеки", per_page=10))
    assert result.relaxed is True
    assert result.hits[0].id == "q2"  # концерт: one publication; библиотека: three
    assert {"q1", "q4", "q6"} <= {hit.id for hit in result.hits}
    assert result.total == len(result.hits) == 4


def test_the_supplement_under_a_few_full_matches_needs_a_third_of_the_words(parser, tiny):
    assert parser.parse("клуб поэзии вечер").supplement.minmatch == 1  # any one of three
    assert parser.parse("клуб поэзии вечер встреча").supplement.minmatch == 2
    result = tiny.search(SearchRequest(q="встреча клуба любителей поэзии"))
    assert [hit.id for hit in result.hits] == ["q5"]
    assert result.partial == ()  # q6 holds one word of four: not enough for the block
    result = tiny.search(SearchRequest(q="клуб поэзия"))
    assert [hit.id for hit in result.partial] == ["q6"]


def test_relaxed_fallback_via_cli(sample_index_dir, capsys):
    capsys.readouterr()
    assert main(["--index-dir", str(sample_index_dir), "search", "ёлка пушкинская",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["relaxed"] is True
    assert data["total"] > 0


def test_relaxing_keeps_exclusions(tiny):
    result = tiny.search(SearchRequest(q="выставка концерт -война"))
    assert result.relaxed is True
    assert [hit.id for hit in result.hits] == ["q2"]


def test_prefix_is_highlighted(tiny):
    result = tiny.search(SearchRequest(q="библиот*"))
    assert sorted(hit.id for hit in result.hits) == ["q1", "q4", "q6"]
    for hit in result.hits:
        assert hit.snippet.count("<mark>") == 1
        assert "<mark>библиотек" in hit.snippet


# -- synonyms on the sample ------------------------------------------------------------
def _sample_ids(service: SearchService, q: str) -> set[str]:
    return {hit.id for hit in service.search(SearchRequest(q=q, per_page=100)).hits}


_SPELLED = re.compile(r"центральн\w+\s+городск\w+\s+библиотек", re.IGNORECASE)
_ABBREVIATED = re.compile(r"\bЦГБ\b")


def _brute_force(service: SearchService, pattern: re.Pattern) -> set[str]:
    """Ids of sample publications whose title or text matches, read record by record."""
    everything = service.search(SearchRequest(per_page=1000, facets=False, snippets=False))
    out = set()
    for hit in everything.hits:
        record = service.get(hit.id)
        if pattern.search(f"{record['title']}\n{record['text']}"):
            out.add(hit.id)
    return out


def test_abbreviation_and_spelled_out_form_find_each_other(service):
    only_spelled = _brute_force(service, _SPELLED) - _brute_force(service, _ABBREVIATED)
    only_abbreviated = _brute_force(service, _ABBREVIATED) - _brute_force(service, _SPELLED)
    assert only_spelled and only_abbreviated
    for q in ("ЦГБ", "цгб", "центральная городская библиотека",
              "центральной городской библиотеке", '"центральная городская библиотека"'):
        found = _sample_ids(service, q)
        assert only_spelled <= found, q
        assert only_abbreviated <= found, q


def test_an_abbreviation_finds_its_words_in_either_order(service):
    """`ЦДБ` found nothing on the sample, whose texts say «Детская центральная библиотека»
    (`ДЦБ`): the two orders name one library (a librarian's trial)."""
    spelled = re.compile(r"(детск\w+\s+центральн|центральн\w+\s+детск)\w+\s+библиотек",
                         re.IGNORECASE)
    expected = _brute_force(service, spelled)
    assert expected
    for q in ("ЦДБ", "дцб", "центральная детская библиотека"):
        assert expected <= _sample_ids(service, q), q


def test_exact_abbreviation_has_no_synonyms(service):
    assert _sample_ids(service, "=цгб") == _brute_force(service, _ABBREVIATED)


def test_synonym_dictionary_both_ways():
    synonyms = SynonymDictionary.load()
    assert synonyms.alternatives(("цгб",)) == [("центральный", "городской", "библиотека")]
    assert synonyms.alternatives(("центральный", "городской", "библиотека")) == [("цгб",)]
    assert synonyms.alternatives(("библиотека",)) == []


def test_a_jubilee_finds_the_years_it_is_written_as(service):
    """Libraries write a jubilee as its years: «выставка к 80-летию Победы»."""
    assert "юбилей" not in service.get("zlat-2025-005")["text"].lower()
    assert "zlat-2025-005" in _sample_ids(service, "выставка к юбилею")
    assert "zlat-2025-005" in _sample_ids(service, "юбилеи")
    assert "zlat-2025-005" in _sample_ids(service, "годовщина")


# -- it never fails ------------------------------------------------------------------
_ALPHABET = st.sampled_from(list('абвгдеёжзийклмнопрстуфхцчшщъыьэюяЁЦГБ'
                                 'abcXYZ0123456789 \t\n"«»()|-=*~!?.,:;\\/\x00\x07\u0301\u00ad'))
_TOKENS = st.sampled_from(["OR", "ИЛИ", "NOT", "AND", "(", ")", '"', "-", "=", "*", "|", "~2",
                           "ЦГБ", "библиотека", "мастер-класс", "ёлка", "и", "в", "стали",
                           "а" * 300, "-(", '"~', "=*", "библиот*"])
_QUERIES = st.one_of(
    st.text(),
    st.text(alphabet=_ALPHABET, max_size=200),
    st.lists(_TOKENS, max_size=40).map(" ".join),
    st.lists(st.one_of(_TOKENS, st.text(alphabet=_ALPHABET, max_size=10)),
             max_size=60).map("".join),
)


def _run(searcher, parsed: ParsedQuery) -> None:
    assert isinstance(parsed, ParsedQuery)
    assert isinstance(parsed.query, nodes.Node)
    assert all(isinstance(w, str) for w in parsed.warnings)
    searcher.search(to_whoosh(parsed.query), limit=5)
    if parsed.relaxed is not None:
        searcher.search(to_whoosh(parsed.relaxed), limit=5)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_QUERIES)
def test_any_text_parses_and_runs(parser, sample_searcher, text):
    _run(sample_searcher, parser.parse(text))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_QUERIES)
def test_any_text_searches_through_the_service(service, text):
    result = service.search(SearchRequest(q=text, per_page=3))
    assert result.total >= len(result.hits)


@pytest.mark.parametrize("text", [
    "", " ", "\x00", "\x00библиотека\x00", '"""', "((((((", "))))", "(" * 500 + "книга",
    ")" * 500, "-" * 100, "OR OR OR", "NOT NOT", "AND", '"" "" ""', "=", "==стали", "*" * 50,
    "библиотека " * 10_000, "я" * 100_000, "a" * 10_000 + "*", "\u0301\u0301", "\ufeff",
    "-(-(-(книга)))", '"библиотека~5', '"библиотека книга"~99', "библиотека\r\nкнига",
    "😀 ЦГБ 😀", "<script>alert(1)</script>", "NOT (OR)", "| | |", "=" + "б" * 200 + "*",
])
def test_hostile_text_parses_and_runs(parser, sample_searcher, text):
    _run(sample_searcher, parser.parse(text))


def test_ten_thousand_words(parser, sample_searcher):
    words = " ".join(["библиотека", "OR", "-книга", '"война', "(мир"] * 2000)
    parsed = parser.parse(words)
    assert f"запрос сокращён до {MAX_TERMS} слов" in parsed.warnings
    _run(sample_searcher, parsed)


@pytest.mark.parametrize(("lemma", "feminine"), [
    ("писатель", ("писательница",)), ("поэт", ("поэтесса",)), ("школьник", ("школьница",)),
    ("студент", ("студентка",)), ("горожанин", ("горожанка",)), ("герой", ("героиня",)),
    ("библиотекарь", ()), ("кот", ()), ("мост", ()), ("книга", ()), ("писательница", ()),
])
def test_feminine_nouns_of_a_person(lemma, feminine):
    from search.feminine import feminine_nouns

    assert feminine_nouns(lemma) == feminine


@pytest.mark.parametrize(("text", "said"), [
    ("б*", "«б*»: для поиска по началу слова нужно хотя бы 2 буквы"),
    ("выставка б*", "«б*»: для поиска по началу слова нужно хотя бы 2 буквы"),
    ("*", "звёздочка ставится после начала слова"),
    ("книга *", "звёздочка ставится после начала слова"),
])
def test_a_prefix_too_short_or_a_lone_star_is_said(parser, text, said):
    """`б*` would match every word of б: it is left out, and the answer says so."""
    assert any(w.startswith(said) for w in parser.parse(text).warnings)
    assert not parser.parse("библиот*").warnings


def test_brackets_are_not_counted_as_words(parser):
    assert parser.parse("(выставка) " * 40).warnings == []
    cut = parser.parse("(выставка книга " * 40)  # 80 words, every group left open
    assert cut.warnings == [f"запрос сокращён до {MAX_TERMS} слов"]


@pytest.mark.parametrize("depth", [5, 31, 64, 200])
def test_deeply_nested_groups_keep_their_words(tiny, parser, depth):
    text = "(" * depth + "поэзия" + ")" * depth
    assert parser.parse(text).warnings == []
    assert _ids(tiny, text) == _ids(tiny, "поэзия") != []


@pytest.mark.parametrize(("typed", "modifier"), [("выставка~2", "~2"), ("выставка^5", "^5"),
                                                 ("выставка~", "~"), ("выставка^1.5", "^1.5")])
def test_lucene_modifiers_after_a_word_are_dropped_with_a_warning(typed, modifier):
    """`слово~2` (fuzzy) and `слово^5` (boost) from other engines: the number is no word
    to search for."""
    warnings: list[str] = []
    tokens = lex(typed, warnings)
    assert [kind for kind, _ in tokens] == ["word"] and tokens[0][1].text == "выставка"
    assert warnings == [f"«{modifier}» после слова пропущено: опечатки исправляются сами, "
                        "а веса слов не задаются"]


def test_lowercase_operators_among_russian_words_are_operators(service):
    def total(q):
        return service.search(SearchRequest(q=q)).total
    assert total("книга not выставка") == total("книга NOT выставка") < total("книга")
    assert total("книга or выставка") == total("книга OR выставка") > total("книга")
    warnings: list[str] = []
    assert [kind for kind, _ in lex("to be or not", warnings)] == ["word"] * 4


@pytest.mark.parametrize("slop", ["1e5", "3.5"])
def test_a_phrase_distance_that_is_no_whole_number_is_said_so(slop):
    warnings: list[str] = []
    tokens = lex(f'"книжная выставка"~{slop}', warnings)
    assert [kind for kind, _ in tokens] == ["phrase"]
    assert warnings == [f"расстояние во фразе пишется числом (~3), а не «~{slop}»: "
                        "искалась точная фраза"]


def test_a_double_bar_is_or():
    warnings: list[str] = []
    assert [kind for kind, _ in lex("книга || выставка", warnings)] == ["word", "or", "word"]
    assert not warnings


def test_lucene_field_prefixes_and_one_letter_wildcards_are_said_so():
    warnings: list[str] = []
    tokens = lex("title:выставка Москва:итоги", warnings)
    assert [t[1].text for t in tokens] == ["выставка", "Москва", "итоги"]
    assert warnings == ["поиск по полю «title:» не поддерживается: слова ищутся во всей "
                        "публикации"]
    warnings = []
    tokens = lex("выст?вка выставка?", warnings)
    assert [(t[1].text, t[1].prefix) for t in tokens] == [("выст", True), ("выставка", False)]
    assert warnings == ["«?» внутри слова не поддерживается: искались слова, начинающиеся "
                        "на «выст»"]


def test_a_dictionary_saved_in_notepad_s_russian_encoding_is_read(tmp_path):
    """cp1251 («ANSI» in Notepad) had been a UnicodeDecodeError traceback; bytes that are
    no text in either encoding are one clear ConfigError."""
    from search.errors import ConfigError

    path = tmp_path / "synonyms.txt"
    path.write_bytes("# мои синонимы\nЦДБ = центральная детская библиотека\n".encode("cp1251"))
    assert SynonymDictionary.load(path).alternatives(("цдб",))
    path.write_bytes(b"\x98\x98 = \xff\xfe\x00")
    with pytest.raises(ConfigError, match="не в UTF-8 и не в Windows-1251"):
        SynonymDictionary.load(path)


def test_russian_not_and_a_lowercase_or_between_two_words(service):
    """«НЕ» in capitals is NOT (a librarian's `выставка НЕ Брест` had listed Brest
    first); a lowercase «или» joins only the two words beside it, as a sentence does;
    elsewhere, and «не» in lowercase or in a Caps Lock query, they are stop words."""
    def total(q):
        return service.search(SearchRequest(q=q)).total
    assert total("книга НЕ выставка") == total("книга NOT выставка") < total("книга")
    assert total("книга или выставка") == total("книга OR выставка") > total("книга")
    warnings: list[str] = []
    tree = parse_tokens(lex("бесплатная консультация нотариуса или адвоката", warnings),
                        warnings)
    assert tree.op == "and" and [type(c).__name__ for c in tree.children] == [
        "Word", "Word", "Group"] and tree.children[2].op == "or"
    assert [w.text for w in tree.children[2].children] == ["нотариуса", "адвоката"]
    for text in ("или так", "выставка или", "ЧТО НЕ ТАК", "почему не работает"):
        assert [kind for kind, _ in lex(text, warnings)] == ["word"] * len(
            [w for w in text.split() if w.lower() != "или"]), text
    assert not warnings
    assert service.parser.parse("книга или выставка").plain  # partial matches may follow


def test_an_exact_form_marks_that_form_only(tmp_path):
    """`=стали` finds the form as written; its snippet marked «сталь» and «стала» too (the
    lemmas' every form), a librarian's trial."""
    docs = [{"id": "both", "title": "Заметка",
             "text": "Ножи стали острее. Сталь для них варили здесь, и работа стала легче."}]
    for service in service_over(docs, tmp_path):
        [hit] = service.search(SearchRequest(q="=стали")).hits
        assert hit.snippet.count("<mark>") == 1 and "<mark>стали</mark>" in hit.snippet
        [hit] = service.search(SearchRequest(q="=стали сталь")).hits  # the lemma typed too
        assert "<mark>Сталь</mark>" in hit.snippet and "<mark>стали</mark>" in hit.snippet
