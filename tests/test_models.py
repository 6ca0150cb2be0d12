"""Value objects: a SearchResult is built once and shared; its JSON keeps lists."""

from __future__ import annotations

import dataclasses
import json

import pytest

from search.models import FacetValue, Hit, SearchRequest, SearchResult

HIT = Hit(id="a", title="Выставка", url=None, published="2024-03-01", author=None,
          topics=["Выставки"], library=None, snippet="", score=1.0)


def test_result_keeps_no_list_it_was_given():
    hits, warnings = [HIT], ["note"]
    facets = {"topic": [FacetValue("Выставки", 1)]}
    result = SearchResult("q", 1, 1, 10, hits, facets, warnings=warnings, partial=[HIT])
    hits.clear(), warnings.clear(), facets["topic"].clear()
    assert (result.hits, result.warnings, result.partial) == ((HIT,), ("note",), (HIT,))
    assert result.facets["topic"] == (FacetValue("Выставки", 1),)
    with pytest.raises(TypeError):
        result.facets["author"] = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 2


def test_result_json_has_lists():
    result = SearchResult("q", 1, 1, 10, [HIT], {"topic": [FacetValue("Выставки", 1)]},
                          warnings=["note"], partial=[HIT], partial_total=1)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data  # a tuple would come back as a list
    assert data["warnings"] == ["note"] and data["hits"][0]["topics"] == ["Выставки"]
    assert data["facets"] == {"topic": [{"value": "Выставки", "count": 1, "selected": False}]}
    assert data["hits"] == data["partial"] == [dataclasses.asdict(HIT)]
    data["hits"][0]["topics"].append("changed")  # a copy: the cached hit stays as it was
    assert result.to_dict()["hits"][0]["topics"] == ["Выставки"]


def test_corrected_result_is_the_cached_one(service):
    """The answer to a typo is built with its correction, then served as is from the cache."""
    request = SearchRequest(q="библеотека")
    first = service.search(request)
    assert first.corrected and first.did_you_mean == "библиотека" and first.total
    assert first.warnings[-1] == ("ничего не найдено по запросу «библеотека»; показаны "
                                  "результаты по запросу «библиотека»")
    again = service.search(request)
    assert again is first and again.warnings.count(first.warnings[-1]) == 1
