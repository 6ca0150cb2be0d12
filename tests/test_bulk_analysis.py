"""The rebuild's bulk analysis (search/bulk_analysis.py) and postings encoding
(search/engine/whoosh/bulk_postings.py) against the per-word and per-posting code they
replace. The segment as a whole is compared with Whoosh's in tests/test_scoring.py
(test_compact_pool_writes_the_segment_whoosh_pool_writes)."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.system import pack_uint

from search.analysis import index_terms
from search.bulk_analysis import BulkAnalyzer
from search.engine.whoosh.bulk_postings import (
    encode_values,
    frequency_postings,
    position_postings,
)
from search.engine.whoosh.pool import CompactPool
from search.engine.whoosh.schema import _encode_positions
from search.lemma_filter import lemma_filter
from search.settings import SAMPLE_DIR
from search.stems import stem_terms
from tests.test_analysis import _ALPHABET

_WORDS = st.lists(st.sampled_from([
    "Надежда", "надежда", "Вера", "ЦГБ", "мастер-класс", "Мастер-класс", "Ёлки", "ёлки",
    "и", "в", "И", ".", "!", "\n", "…", "COVID-19", "сто́ит", "стали", "из-за", "Кое-как",
    "по-моему", "а-в-б", "и-в", "х" * 70, "Х" * 61 + "-а", "Библиотека", "библиотеки",
    "Петров", "Пушкин", "пушкин"]), max_size=30).map(" ".join)
_TEXTS = st.text(alphabet=_ALPHABET, max_size=120) | _WORDS
# One analyzer for every example: its tables only grow, as in a rebuild's process.
_SHARED = BulkAnalyzer()


def _as_index_terms(bulk: BulkAnalyzer, text: str):
    analysed = bulk.analyze(text)
    terms: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    for term, position, weight in zip(analysed.terms.tolist(), analysed.positions.tolist(),
                                      analysed.weights.tolist(), strict=True):
        name = bulk.terms.names[term]
        terms.setdefault(name, []).append(position)
        weights[name] = round(weights.get(name, 0.0) + weight, 6)
    assert analysed.words == len(set(analysed.positions.tolist()))
    forms = {bulk.forms.names[f] for f in analysed.forms.tolist()}
    stems = Counter(bulk.stems.names[s] for s in analysed.stems.tolist())
    return terms, weights, forms, stems


def _expected(text: str):
    forms: set[str] = set()
    weights: dict[str, float] = {}
    terms = index_terms(text, forms, weights)
    return ({t: sorted(p) for t, p in terms.items()},
            {t: round(w, 6) for t, w in weights.items()}, forms, Counter(stem_terms(text)))


# Every kind of whitespace str.split knows, and a NUL.
_SPACED = st.text(alphabet=_ALPHABET + " \t\r\x0b\x0c\x1c\x1f\x85\xa0\u2000\u2028\u3000\x00",
                  max_size=120)


@settings(max_examples=400, deadline=None)
@given(_TEXTS | _SPACED)
def test_bulk_analysis_equals_index_terms_and_stem_terms(text):
    """Terms with positions (sentence starts, names, compounds, stop words, accents,
    overlong words), forms and stems: as index_terms and stem_terms give them."""
    assert _as_index_terms(_SHARED, text) == _expected(text)


def test_bulk_analysis_equals_index_terms_on_the_sample():
    bulk = BulkAnalyzer()
    rows = [json.loads(line) for line in
            (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r.get(k) or "" for r in rows for k in ("title", "text")]
    assert len(texts) > 100
    for text in texts:  # first sight of every token, without stems (as topics.py asks)
        assert bulk.analyze(text, stems=False).stems.tolist() == []
    for _ in range(2):  # every token known, stemmed the first time asked, then as kept
        for text in texts:
            assert _as_index_terms(bulk, text) == _expected(text)


# Lemmas a caller may want (search/topics.py asks for its rules' lemmas): names, homonyms,
# suppletive forms (ребенок / дети, человек / люди), a participle's verb, a compound part,
# lemmas pymorphy3 only predicts (вебинар, unknown to it; роден: родный; наи-...-ейший).
_WANTED = frozenset({"надежда", "@надежда", "библиотека", "пушкин", "ребенок", "человек",
                     "хороший", "прочитать", "класс", "стать", "сталь", "елка", "вера",
                     "вебинар", "родный", "библиотечный"})
_WANTED_WORDS = st.lists(st.sampled_from([
    "Надежда", "надежда", "Надежды", "Детей", "дети", "люди", "Людьми", "лучший", "лучше",
    "прочитанная", "прочитав", "мастер-класс", "стали", "Ёлки", "ёлочка", "библиотечный",
    "Библиотекой", "Пушкиным", "пушкинский", "Вере", "в", "и", ".", "кошка", "бегемотище",
    "книжечками", "Зюзюкина", "COVID-19", "х" * 70, "Вебинарами", "роден", "бутявкать",
    "наибиблиотечнейший", "квазибиблиотеки"]), max_size=30).map(" ".join)


def _wanted_only(bulk: BulkAnalyzer, text: str):
    analysed = bulk.analyze(text, stems=False, forms=False)
    terms: dict[str, list[int]] = {}
    for term, position in zip(analysed.terms.tolist(), analysed.positions.tolist(),
                              strict=True):
        if bulk.terms.names[term] in _WANTED:
            terms.setdefault(bulk.terms.names[term], []).append(position)
    return terms, analysed.words


_FILTERED = BulkAnalyzer(lemma_filter(_WANTED))


@settings(max_examples=300, deadline=None)
@given(_TEXTS | _WANTED_WORDS)
def test_a_lemma_filter_keeps_every_wanted_term(text):
    """Words the filter rejects are not parsed; every wanted lemma keeps its positions,
    and the text its count of positions."""
    assert _wanted_only(_FILTERED, text) == _wanted_only(_SHARED, text)


def test_a_lemma_filter_passes_only_the_unknown_words_near_a_wanted_lemma():
    """pymorphy3 parses a word it does not know by prediction, which keeps the word's
    beginning: only those that begin as a wanted lemma are worth parsing."""
    wanted = lemma_filter({"вебинар", "родный", "библиотечный"})
    assert all(map(wanted, ["вебинар", "вебинарами", "роден", "наибиблиотечнейший"]))
    assert not any(map(wanted, ["бутявкать", "зюзюкина", "квазибиблиотеки", "суперкнига"]))


def test_a_lemma_filter_keeps_every_wanted_term_on_the_sample():
    from search.topics import TopicDictionary

    rows = [json.loads(line) for line in
            (SAMPLE_DIR / "publications.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r.get(k) or "" for r in rows for k in ("title", "text")]
    wanted = TopicDictionary.load()._lemmas | _WANTED
    filtered, full = BulkAnalyzer(lemma_filter(wanted)), BulkAnalyzer()

    def kept(bulk: BulkAnalyzer, text: str) -> tuple[set, int]:
        analysed = bulk.analyze(text, stems=False, forms=False)
        names = bulk.terms.names
        pairs = zip(analysed.terms.tolist(), analysed.positions.tolist(), strict=True)
        return {(names[t], p) for t, p in pairs if names[t] in wanted}, analysed.words

    for text in texts:
        assert kept(filtered, text) == kept(full, text)
    assert len(filtered.terms) < len(full.terms) / 3  # most words were never parsed
    with pytest.raises(ValueError):  # the words it rejects share one entry: no forms
        filtered.analyze(texts[0])


_POSITIONS = st.lists(st.lists(st.integers(0, 2**31 - 1) | st.integers(0, 300),
                               min_size=1, max_size=40).map(sorted),
                      min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(_POSITIONS)
def test_positions_encoded_in_bulk_as_whoosh_encodes_each(groups):
    terms = np.array([t for t, g in enumerate(groups) for _ in g], np.int64)
    positions = np.array([p for g in groups for p in g], np.int64)
    postings = position_postings(terms, positions)
    blob, lengths = encode_values(postings.freqs, postings.positions)
    expected = [_encode_positions(g) for g in groups]
    assert blob == b"".join(expected)
    assert lengths.tolist() == [len(v) for v in expected]
    assert postings.freqs.tolist() == [len(g) for g in groups]
    assert postings.length == sum(len(g) for g in groups)


def test_long_position_lists_fall_back_to_pickle():
    """Pickle writes lists past 1,000 items in batches: those go through pickle itself,
    the postings around them through numpy."""
    for count in (999, 1000, 1001, 2500):
        groups = [[4], [1, 9], list(range(0, 3 * count, 3)), [7], list(range(count + 5)), [2]]
        terms = np.array([t for t, g in enumerate(groups) for _ in g], np.int64)
        postings = position_postings(terms, np.array([p for g in groups for p in g], np.int64))
        blob, lengths = encode_values(postings.freqs, postings.positions)
        expected = [_encode_positions(g) for g in groups]
        assert blob == b"".join(expected), count
        assert lengths.tolist() == [len(v) for v in expected]


def test_frequencies_encoded_as_whoosh_frequency_format():
    postings = frequency_postings(np.array([5, 2, 5, 5, 9], np.int64))
    assert postings.terms.tolist() == [2, 5, 9]
    blob, lengths = encode_values(postings.freqs, postings.positions)
    assert blob == pack_uint(1) + pack_uint(3) + pack_uint(1)
    assert lengths.tolist() == [4, 4, 4]
    assert postings.length == 5


def test_pool_joins_bulk_and_single_postings_of_one_term():
    """A field that gets both kinds of adds (a merge into a rebuild's writer): per term,
    every posting, by document."""
    names = ["книга", "автор"]
    pool = CompactPool()
    pool.add_postings("body", names, 3, position_postings(
        np.array([0, 1], np.int64), np.array([0, 4], np.int64)), (1.0, 1.0))
    pool.add(("body", "книга".encode(), 1, 2.0, _encode_positions([1, 2])))
    pool.add(("body", "чтение".encode(), 2, 1.0, _encode_positions([5])))
    pool.add_postings("body", names, 5, position_postings(
        np.array([0], np.int64), np.array([9], np.int64)), (1.0, 1.0))
    got = {}
    for field, tbytes, buf in pool.iter_terms():
        assert field == "body"
        order = np.argsort(np.frombuffer(buf.docnums, np.uint32), kind="stable").tolist()
        got[tbytes.decode()] = [buf.docnums[i] for i in order]
    assert got == {"автор": [3], "книга": [1, 3, 5], "чтение": [2]}
    assert list(got) == sorted(got, key=lambda t: t.encode())


@settings(max_examples=300, deadline=None)
@given(_TEXTS, _TEXTS)
def test_a_line_break_splits_the_stems(head, tail):
    """What the rebuild's writer relies on to stem "title\\nbody" from the title's and the
    body's analyses (search/engine/whoosh/segment_writer.py)."""
    assert stem_terms(f"{head}\n{tail}") == stem_terms(head) + stem_terms(tail)


def test_pool_encodes_a_field_in_batches_as_at_once(monkeypatch):
    """The pool encodes a field's values a batch of postings at a time (bounded memory):
    the same bytes as all at once."""
    from search.engine.whoosh import bulk_field as pool

    rng = np.random.default_rng(1)
    freqs = rng.integers(1, 5, size=5000).astype(np.int32)
    positions = np.sort(rng.integers(0, 70000, size=int(freqs.sum()))).astype(np.int32)
    monkeypatch.setattr(pool, "_ENCODE_BATCH", 777)
    for values in (positions, None):
        blob, lengths = pool._encoded(freqs, values)
        want_blob, want_lengths = encode_values(freqs, values)
        assert blob == want_blob and lengths.tolist() == want_lengths.tolist()


@pytest.mark.parametrize("procs", [1, 2])
def test_titles_saved_by_segment_equal_the_stored_ones(tmp_path, procs):
    """The rebuild's processes save each segment's titles (search/engine/whoosh/titles.py):
    joined in the segments' order they are what reading every stored document gives;
    after an upsert deletes a document, they are not used."""
    import dataclasses

    from indexer.sources import iter_publications
    from search.engine.whoosh.push import upsert
    from search.engine.whoosh.store import IndexLocation
    from search.engine.whoosh.titles import segment_titles, stored_titles
    from search.engine.whoosh.writer import rebuild

    pubs = [p for p in iter_publications([SAMPLE_DIR / "publications.jsonl"])
            if hasattr(p, "title")]
    pubs[3] = dataclasses.replace(pubs[3], parent_id=pubs[2].id)  # an attachment
    # four copies: past the parallel writer's batches of 100, so that both processes write
    pubs = [dataclasses.replace(p, id=f"{p.id}-{k}") for k in range(4) for p in pubs]
    location = IndexLocation(tmp_path)
    rebuild(location, pubs, procs=procs)
    ix = location.open_current()
    try:
        with ix.searcher() as searcher:
            titles = segment_titles(ix)
            assert titles == stored_titles(searcher)
            assert len(titles) == len(pubs) - 4 and len(ix._segments()) == procs
    finally:
        ix.close()
    upsert(location, [dataclasses.replace(pubs[0], title="Новое название")], journal=False)
    ix = location.open_current()
    try:
        assert segment_titles(ix) is None
    finally:
        ix.close()


def test_a_spilled_field_in_pieces_holds_the_same_terms():
    """A spilled field is pickled in pieces of whole terms (a merge holds one piece of each
    run): piece after piece, the same records as the whole."""
    from search.engine.whoosh.bulk_field import BulkField

    rng = np.random.default_rng(3)
    field = BulkField([f"t{i:04d}" for i in range(300)])
    for doc in range(200):
        terms = np.sort(rng.integers(0, 300, size=int(rng.integers(1, 60))))
        field.add(doc, position_postings(terms, np.arange(len(terms))), (1.0, 1.0))
    arrays = field.sorted("body")

    def plain(records):
        return [(key, tuple(x if isinstance(x, bool) else bytes(x) for x in record))
                for key, record in records]

    whole = plain(arrays.records())
    assert len(whole) == 300
    for limit in (1, 7, 50, 10**6):
        pieces = list(arrays.pieces(limit))
        assert len(pieces) > 1 or limit == 10**6
        assert plain(r for piece in pieces for r in piece.records()) == whole, limit


def test_lexicon_read_from_the_term_tables_equals_whoosh_iterators(tmp_path):
    """The lexicon (search/engine/whoosh/lexicon.py) read from each segment's term table
    whole into memory, the index opened without mmap, and as the rebuild's processes
    counted it while writing their segments: the same words and document frequencies
    as Whoosh's public term iterators give."""
    import dataclasses

    from indexer.sources import iter_publications
    from search.engine.whoosh import lexicon
    from search.engine.whoosh.store import IndexLocation
    from search.engine.whoosh.writer import rebuild

    pubs = [p for p in iter_publications([SAMPLE_DIR / "publications.jsonl"])
            if hasattr(p, "title")]
    pubs = [dataclasses.replace(p, id=f"{p.id}-{k}") for k in range(4) for p in pubs]
    location = IndexLocation(tmp_path)
    rebuild(location, pubs, procs=2)
    ix = location.open_current()
    try:
        with ix.searcher() as searcher:
            assert len(ix._segments()) == 2
            public: dict[str, int] = {}
            for leaf, _ in searcher.leaf_searchers():
                lexicon._add_public(leaf.reader(), public)
            built = lexicon.build(searcher)
        counted = lexicon.from_segments(ix)  # as the processes counted them, writing
    finally:
        ix.close()
    assert len(built) > 1000 and built == public
    assert counted == built
    saved = lexicon.saved(location.current().path)  # as saved, for the commit it is of
    assert saved is not None and saved[1] == built


def test_a_parallel_rebuild_indexes_the_stems_of_the_title_and_body(tmp_path):
    """The main process sends the stems field as a mark when it is the title and body
    joined (search/engine/whoosh/parallel.py); the analysis processes join them again:
    every document's stems equal those of a rebuild in one process."""
    import dataclasses

    from indexer.sources import iter_publications
    from search.engine.whoosh.store import IndexLocation
    from search.engine.whoosh.writer import rebuild

    pubs = [p for p in iter_publications([SAMPLE_DIR / "publications.jsonl"])
            if hasattr(p, "title")]
    pubs = [dataclasses.replace(p, id=f"{p.id}-{k}", title=p.title if k else "")
            for k in range(3) for p in pubs]

    def stems_by_id(procs: int) -> dict[str, list[tuple[str, int]]]:
        location = IndexLocation(tmp_path / str(procs))
        rebuild(location, pubs, procs=procs)
        ix = location.open_current()
        try:
            with ix.searcher() as searcher:
                reader = searcher.reader()
                ids = {n: fields["id"] for n, fields in reader.iter_docs()}
                out: dict[str, list[tuple[str, int]]] = {i: [] for i in ids.values()}
                for term in reader.lexicon("stems"):
                    for docnum, weight in reader.postings("stems", term).items_as("frequency"):
                        out[ids[docnum]].append((term.decode("utf-8"), weight))
                return out
        finally:
            ix.close()

    parallel, single = stems_by_id(2), stems_by_id(1)
    assert len(parallel) == len(pubs)
    assert all(parallel.values())
    assert parallel == single
