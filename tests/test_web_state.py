"""The incremental state of the web source (web-state.json), apart from any crawl."""

from __future__ import annotations

from indexer.fetching import conditional_headers
from indexer.web_state import OTHER_SITE, READ_ALREADY, WebState, load_state, save_state

SITE = "https://library.example.ru"
OLD = {"version": 1, "pages": {
    f"{SITE}/news/1": {"id": "url-1", "etag": '"e1"', "last_modified": None,
                       "lastmod": "2024-05-01", "site": SITE},
    f"{SITE}/files/plan.pdf": {"id": "url-2", "etag": None,
                               "last_modified": "Wed, 01 May 2024 10:00:00 GMT",
                               "parent": f"{SITE}/news/1"},
    "https://other.example.ru/news/9": {"id": "url-9", "lastmod": None,
                                        "site": "https://other.example.ru"},
}}


def test_a_full_run_starts_from_nothing():
    assert WebState(OLD, incremental=False).old == {}


def test_conditional_requests_and_unchanged_pages():
    state = WebState(OLD, incremental=True)
    assert state.conditional_headers(f"{SITE}/news/1") == {"If-None-Match": '"e1"'}
    assert conditional_headers(OLD["pages"][f"{SITE}/files/plan.pdf"]) == {
        "If-Modified-Since": "Wed, 01 May 2024 10:00:00 GMT"}
    assert state.conditional_headers(f"{SITE}/new") == {}
    assert state.unchanged(f"{SITE}/news/1", "2024-05-01")
    assert not state.unchanged(f"{SITE}/news/1", "2024-06-01")
    assert not state.unchanged(f"{SITE}/news/1", None)
    assert not state.unchanged(f"{SITE}/files/plan.pdf", None)  # attachments are always asked
    assert state.pages_of(SITE) == [f"{SITE}/news/1"]


def test_kept_pages_keep_their_attachments():
    state = WebState(OLD, incremental=True)
    assert state.keep(f"{SITE}/news/1") == [f"{SITE}/files/plan.pdf"]
    assert state.new[f"{SITE}/news/1"]["lastmod"] == "2024-05-01"
    saved = state.to_dict({"library.example.ru"})
    assert saved == {"version": 1, "pages": {**OLD["pages"]}}


def test_gone_pages_take_their_attachments():
    state = WebState(OLD, incremental=True)
    assert state.dropped_attachments(f"{SITE}/news/1", []) == ["url-2"]
    assert state.dropped_attachments(f"{SITE}/news/1", [f"{SITE}/files/plan.pdf"]) == []
    assert state.forget(f"{SITE}/news/1") == ["url-1", "url-2"]
    # a site crawled this run keeps only what the run saw; another site keeps its entries
    assert state.to_dict({"library.example.ru"})["pages"] == {
        "https://other.example.ru/news/9": OLD["pages"]["https://other.example.ru/news/9"]}


def test_state_file_round_trip(tmp_path):
    path = tmp_path / "index" / "web-state.json"
    assert load_state(path) == {}
    save_state(path, OLD)
    assert load_state(path) == OLD
    path.write_text('{"version": 2}', encoding="utf-8")
    assert load_state(path) == {}


def test_the_links_of_a_page_outlive_its_304():
    state = WebState(OLD, incremental=True)
    state.new[f"{SITE}/news/1"] = dict(OLD["pages"][f"{SITE}/news/1"])
    state.remember_links(f"{SITE}/news/1", [f"{SITE}/news/2"], set())
    state.remember_links(f"{SITE}/news/3", [f"{SITE}/news/4"], set())  # no publication: not kept
    later = WebState(state.to_dict({"library.example.ru"}), incremental=True)
    assert later.links_of(f"{SITE}/news/1") == ([f"{SITE}/news/2"], set())
    assert later.keep(f"{SITE}/news/1") == [] and later.links_of(f"{SITE}/news/3") == ([], set())
    assert later.new[f"{SITE}/news/1"]["links"] == [f"{SITE}/news/2"]


def test_a_reason_the_english_version_reported_is_this_version_s():
    """A state file saved before the reasons were Russian: its permanent redirects are
    not new to this version."""
    target = "http://127.0.0.1:8001/news/a.html"
    state = WebState({"reported": {
        "http://127.0.0.1:8001/old": f"redirects to {target}, a page already read",
        "http://127.0.0.1:8001/away": "redirects to another site (http://localhost/a)",
        "http://127.0.0.1:8001/gone": "HTTP 404"}}, incremental=True)
    assert not state.first_report("http://127.0.0.1:8001/old", READ_ALREADY.format(target))
    assert not state.first_report("http://127.0.0.1:8001/away",
                                  OTHER_SITE.format("http://localhost/a"))
    assert not state.first_report("http://127.0.0.1:8001/gone", "HTTP 404")
    assert state.first_report("http://127.0.0.1:8001/gone", "HTTP 410")
