"""The OpenSearch engine's pure parts, without a cluster: the query compiler, the ranking
wrapper, token strings and the client's settings."""

from __future__ import annotations

import datetime as dt

import pytest
from opensearch_helpers import sample_publications

from search import nodes as n
from search.analysis import index_terms
from search.engine import RankHints
from search.engine.opensearch.client import make_client
from search.engine.opensearch.compiler import NAMED_BOOST, compile_node, ranked
from search.engine.opensearch.documents import from_source, to_source, token_string
from search.errors import ConfigError
from search.models import Publication
from search.settings import Settings


def test_stems_are_those_of_the_whoosh_stem_analyzer():
    from search.engine.whoosh.analyzers import stem_analyzer
    from search.stems import stem_terms

    for pub in sample_publications():
        text = f"{pub.title}\n{pub.text}"
        assert stem_terms(text) == [t.text for t in stem_analyzer()(text)]


def test_token_string_keeps_positions_and_fills_gaps():
    assert token_string({"а": [0, 3], "б": [1], "в": [1]}) == "а б|в _ а"
    assert token_string({}) == ""


@pytest.mark.parametrize(("node", "dsl"), [
    (n.Term("body", "книга", 2.0), {"term": {"body": {"value": "книга", "boost": 2.0}}}),
    (n.Prefix("title", "библ"), {"prefix": {"title": {"value": "библ", "boost": 1.0}}}),
    (n.Phrase("body", ("детский", "библиотека")),
     {"match_phrase": {"body": {"query": "детский библиотека", "slop": 0, "boost": 1.0}}}),
    (n.Sequence("body", (("стать", "сталь"), ("мастер",)), slop=3, boost=0.5),
     {"match_phrase": {"body": {"query": "стать|сталь мастер", "slop": 3, "boost": 0.5}}}),
    (n.Phrase("body", ("книга", "книга"), slop=2),
     {"span_near": {"clauses": [{"span_or": {"clauses": [{"span_term": {"body": "книга"}}]}}] * 2,
                    "slop": 1, "in_order": True, "boost": 1.0}}),
    (n.Or((n.Term("body", "а"), n.Term("body", "б")), minmatch=2),
     {"bool": {"should": [{"term": {"body": {"value": "а", "boost": 1.0}}},
                          {"term": {"body": {"value": "б", "boost": 1.0}}}],
               "minimum_should_match": 2, "boost": 1.0}}),
    (n.AndNot(n.Every(), n.Term("body", "а")),
     {"bool": {"must": [{"match_all": {"boost": 1.0}}],
               "must_not": [{"term": {"body": {"value": "а", "boost": 1.0}}}]}}),
    (n.Nothing(), {"match_none": {}}),
    (n.Or(()), {"match_none": {}}),
    (n.ExactForm(n.Term("body", "сталь"), "стали"),
     {"bool": {"must": [{"term": {"body": {"value": "сталь", "boost": 1.0}}}],
               "filter": [{"term": {"forms": "стали"}}]}}),
])
def test_nodes_compile_to_dsl(node, dsl):
    assert compile_node(node) == dsl


def test_ranking_adds_bonuses_and_multiplies_recency():
    hints = RankHints(content_lemmas=("красный", "строка"), forms=frozenset({"красная"}),
                      words=("красная", "строка"), plain=True)
    query = ranked({"match_all": {}}, hints, lambda w: 1, 100, 0.1, 730.0, dt.date(2026, 1, 2))
    title_phrase = {"match_phrase": {"title": {"query": "красный строка", "slop": 0,
                                               "boost": 1.0}}}
    named = {"constant_score": {"filter": {"bool": {"should": [
        {"term": {"quoted": "красный строка"}}, title_phrase]}}, "boost": NAMED_BOOST}}
    assert query["bool"]["should"] == [named]  # added after recency: not multiplied by it
    score = query["bool"]["must"][0]["function_score"]
    assert (score["score_mode"], score["boost_mode"]) == ("sum", "multiply")
    assert score["functions"][0] == {"weight": 1}
    assert score["functions"][1]["exp"]["published"] == {
        "origin": "2026-01-02", "scale": "63072000000ms", "decay": 0.5}
    should = score["query"]["bool"]["should"]
    assert sum("span_near" in c["constant_score"]["filter"] for c in should) == 2
    assert ranked({"match_all": {}}, RankHints(), lambda w: 0, 1, 0.0, 1.0,
                  dt.date.today()) == {"match_all": {}}


def test_a_publication_round_trips_through_its_document():
    pub = Publication(id="x1", title="Сталь и стали", text="Он стал мастером.", url="http://a",
                      published=dt.date(2024, 5, 1), author="Анна Вершинина",
                      topics=("Конкурсы", "Праздники"), source="a.jsonl")
    doc = to_source(pub, "g1")
    assert from_source({"pub": doc["pub"]}) == pub
    assert (doc["year"], doc["group"], doc["people"]) == ("2024", "g1", "вершинин")
    assert doc["title"] == token_string(index_terms(pub.title))
    assert doc["body"] == "стать мастер" and "|" in doc["title"]  # стали: сталь or стать


def test_client_takes_every_node_with_auth_and_retries():
    settings = Settings.from_env({}, opensearch_url=("https://user:p%40ss@h1:9200",
                                                     "https://h2:9201"),
                                 opensearch_verify_certs=0)
    client = make_client(settings)
    hosts = client.transport.hosts
    assert [(h["host"], h["port"]) for h in hosts] == [("h1", 9200), ("h2", 9201)]
    assert hosts[0]["http_auth"] == "user:p@ss"
    assert client.transport.retry_on_timeout and client.transport.max_retries >= 2
    with pytest.raises(ConfigError):
        make_client(Settings.from_env({}, opensearch_url=()))
