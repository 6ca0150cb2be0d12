"""Numpy BM25F (search/engine/whoosh/scoring.py) against Whoosh's own scores, and the rerank shortcuts."""

from __future__ import annotations

import re
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage
from whoosh.matching import binary

from search import nodes as n
from search.engine.whoosh.compile import to_whoosh
from search.engine.whoosh.ranking import weighting
from search.engine.whoosh.schema import build_schema
from search.engine.whoosh.scoring import Scorer
from search.highlight import make_snippet
from search.highlight_patterns import matched_spans
from search.highlight_patterns import query_patterns as _patterns
from search.models import SearchRequest

QUERIES = [
    "библиотека", "выставка книг", "история города москва", '"детская литература"',
    "библиот*", "=книги", "=стали", "война -мир", "книга OR журнал",
    "новый год праздник ёлка подарки", "(музей | театр) -кино", "NOT книга", "-книга -журнал",
    "читатели конкурс чтецов", "ЦБС", "централизованная библиотечная система", "е-книга",
    "Пушкин", "Санкт-Петербург", "ВОВ", "=Книги библиотеки", "xyzzy", "и в на", "",
    "2021 новости",  # a kind of publication beside a year: an Every of weight 0
]


@pytest.fixture(autouse=True)
def _private_tempdir(tmp_path, monkeypatch):
    """Whoosh writes a RAM index's temporary files into <tempdir>/MAIN.tmp and removes that
    directory when its writer is done: tests running in parallel would share it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _find_first(self):
    # Whoosh 2.7 only looks for an excluded document when both matchers start at the same
    # one, so `a -b` kept a's first document whenever b also held an earlier one.
    self._find_next()


def _find_next(self):
    # ... and reads a finished matcher here (IndexError: `2022 ( -2022 =2020` crashed).
    pos, neg = self.a, self.b
    if not (pos.is_active() and neg.is_active()):
        return False
    if neg.id() < pos.id():
        neg.skip_to(pos.id())
    r = False
    while pos.is_active() and neg.is_active() and pos.id() == neg.id():
        r = pos.next() or r
        if pos.is_active():
            neg.skip_to(pos.id())
    return r


def whoosh_scores(searcher, size: int, query) -> np.ndarray:
    """Whoosh's scores of every document (-inf: no match), its AndNot bugs fixed.

    The numpy evaluation does not have them: it is compared with the fixed Whoosh.
    """
    out = np.full(size, -np.inf)
    query = to_whoosh(query)
    if query is not wq.NullQuery:
        saved = binary.AndNotMatcher._find_first, binary.AndNotMatcher._find_next
        binary.AndNotMatcher._find_first, binary.AndNotMatcher._find_next = _find_first, _find_next
        try:
            for score, docnum in searcher.search(query, limit=None).top_n:
                out[docnum] = score
        finally:
            binary.AndNotMatcher._find_first, binary.AndNotMatcher._find_next = saved
    return out


def numpy_scores(scorer: Scorer, live: np.ndarray, query) -> np.ndarray:
    out = scorer.match(query)
    out[~live] = -np.inf
    return out


def assert_same(expected: np.ndarray, got: np.ndarray, label) -> None:
    matched = np.isfinite(expected)
    assert np.array_equal(matched, np.isfinite(got)), (label, np.flatnonzero(matched ^ np.isfinite(got)))
    np.testing.assert_allclose(got[matched], expected[matched], rtol=1e-12, err_msg=str(label))


@pytest.fixture(scope="module")
def sample(service):
    view = service.view()
    return view, Scorer(view.searcher, view.facets.size, honor_minmatch=False)


def _check(service, sample, text: str) -> None:
    view, scorer = sample
    parsed = service.parser.parse(text)
    for query in (parsed.query, parsed.relaxed):
        if query is not None:
            assert_same(whoosh_scores(view.searcher, view.facets.size, query),
                        numpy_scores(scorer, view.facets.live, query), (text, query))


@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whoosh_for_parsed_queries(service, sample, text):
    _check(service, sample, text)


def _sample_words(service) -> list[str]:
    searcher = service.view().searcher
    words = set()
    for docnum in range(min(40, searcher.doc_count_all())):
        title = searcher.stored_fields(docnum).get("title", "")
        words.update(w for w in re.findall(r"\w+", title.lower()) if len(w) > 2)
    return sorted(words)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_scores_equal_whoosh_for_generated_queries(service, sample, data):
    words = _sample_words(service)
    word = st.sampled_from(words)
    token = st.one_of(
        word, word, word,
        word.map(lambda w: "-" + w), word.map(lambda w: "=" + w), word.map(lambda w: w[:4] + "*"),
        st.lists(word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
        st.sampled_from(["OR", "|", "NOT", "(", ")", "и", "ИЛИ"]))
    text = " ".join(data.draw(st.lists(token, min_size=1, max_size=7)))
    _check(service, sample, text)


def test_exclusion_removes_every_excluded_document(service, sample):
    """Whoosh's AndNotMatcher kept a document here although it holds the excluded word."""
    view, scorer = sample
    parsed = service.parser.parse("2020 -библиотек")
    excluded = np.isfinite(numpy_scores(scorer, view.facets.live, parsed.query.negative))
    assert np.isfinite(numpy_scores(scorer, view.facets.live, parsed.query.positive)).any()
    matched = np.isfinite(numpy_scores(scorer, view.facets.live, parsed.query))
    assert not (matched & excluded).any()
    ids = {view.doc_id(int(d)) for d in np.flatnonzero(excluded)}
    result = service.search(SearchRequest(q="2020 -библиотек", facets=False))
    assert result.total == matched.sum() and not ids & {hit.id for hit in result.hits}


def test_exclusion_inside_a_group_does_not_crash(service):
    """Whoosh's AndNotMatcher raised IndexError on this one (a 500 from the API)."""
    result = service.search(SearchRequest(q="2022 ( -2022 =2020", facets=False))
    assert result.relaxed or not result.total


def test_minmatch_needs_that_many_children(service):
    view = service.view()
    scorer = Scorer(view.searcher, view.facets.size, honor_minmatch=True)
    lemmas = ["библиотека", "книга", "выставка", "читатель"]
    terms = [n.Term("body", lemma) for lemma in lemmas]
    got = numpy_scores(scorer, view.facets.live, n.Or(terms, minmatch=3))
    each = [np.isfinite(numpy_scores(scorer, view.facets.live, t)) for t in terms]
    assert np.array_equal(np.isfinite(got), np.sum(each, axis=0) >= 3)
    # where it matches, the score is Whoosh's: the sum over the words present
    anyword = whoosh_scores(view.searcher, view.facets.size, n.Or(terms))
    assert 0 < np.isfinite(got).sum() < np.isfinite(anyword).sum()
    np.testing.assert_allclose(got[np.isfinite(got)], anyword[np.isfinite(got)], rtol=1e-12)


def test_exact_form_keeps_only_documents_with_the_form(service, sample):
    view, scorer = sample
    child = n.Or([n.Term("title", "сталь"), n.Term("body", "сталь"),
                   n.Term("title", "стать"), n.Term("body", "стать")])
    query = n.ExactForm(child, "стали")
    assert_same(whoosh_scores(view.searcher, view.facets.size, query),
                numpy_scores(scorer, view.facets.live, query), query)


@pytest.mark.parametrize("gap, span, batch", [(1 << 16, 8 << 20, 8192), (0, 64, 7), (40, 4096, 3)])
def test_forms_read_in_bulk_equal_those_read_one_by_one(service, monkeypatch, gap, span, batch):
    """FormLookup.holding reads many documents' forms columns together (neighbours in
    one read, reads bounded, in batches); which documents hold a form is what the
    document-by-document lookup says, for every form of the sample's titles."""
    import search.engine.whoosh.direct as direct
    import search.engine.whoosh.forms as forms

    monkeypatch.setattr(direct, "_GAP", gap)
    monkeypatch.setattr(direct, "_SPAN", span)
    monkeypatch.setattr(forms, "BULK_FROM", 0)
    monkeypatch.setattr(forms, "BULK_BATCH", batch)
    view = service.view()
    lookup = forms.FormLookup(view.searcher.reader())
    size = view.searcher.doc_count_all()
    everyone = np.arange(size)
    some = np.arange(0, size, 3)
    words = sorted({w.lower() for d in range(size)
                    for w in re.findall(r"\w+", view.stored_fields(d).get("title", ""))})
    held = 0
    for word in [*words, "несуществующее"]:
        h = forms.form_hash(word)
        for docnums in (everyone, some):
            want = lookup.counts_many(docnums.tolist(), (h,))[:, 0] > 0
            assert lookup.holding(docnums, h).tolist() == want.tolist(), word
            held += int(want.sum())
    assert held > 100


@pytest.mark.parametrize("bulk_from", [500, 0])
def test_scores_equal_whoosh_over_segments_with_deletions(monkeypatch, bulk_from):
    """Several segments, deleted documents: postings, lengths and forms (one by one, and
    in bulk) are read per segment."""
    import search.engine.whoosh.forms as forms

    monkeypatch.setattr(forms, "BULK_FROM", bulk_from)
    ix = RamStorage().create_index(build_schema())
    texts = ["Выставка книг в библиотеке", "Книги и журналы для детей", "Библиотека открыла выставку",
             "Концерт в доме культуры", "Детская библиотека и её читатели"]
    for batch in range(3):
        writer = ix.writer()
        for i, text in enumerate(texts):
            writer.add_document(id=f"d{batch}-{i}", title=text.split()[0],
                                body=" ".join([text] * (batch + i + 1)))
        writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_by_term("id", "d1-0")
    writer.commit(merge=False)
    with ix.searcher(weighting=weighting()) as searcher:
        assert len(searcher.leaf_searchers()) > 1
        size = searcher.doc_count_all()
        live = np.array([not searcher.reader().is_deleted(d) for d in range(size)])
        scorer = Scorer(searcher, size, honor_minmatch=False)
        from search.engine.whoosh.similar import key_terms

        for text in [*texts, "Ксилофон и выставка книг"]:  # words in no segment are left out
            assert key_terms(searcher, text, 5) == searcher.key_terms_from_text("body", text, 5)
        for query in (n.Term("body", "книга"), n.Term("title", "библиотека", boost=3.0),
                      n.And([n.Term("body", "книга"), n.Term("body", "выставка")]),
                      n.Or([n.Term("body", "детский"), n.Term("title", "концерт", boost=2)]),
                      n.AndNot(n.Term("body", "библиотека"), n.Term("body", "выставка")),
                      n.Or([n.Phrase("body", ["выставка", "книга"]), n.Term("body", "журнал")]),
                      n.AndNot(n.Every(), n.Term("body", "книга")),
                      n.Prefix("body", "библ"), n.Prefix("title", "выстав", boost=3.0),
                      n.Prefix("body", "концерт"), n.Prefix("body", "щщ"),
                      n.ExactForm(n.Or([n.Term("body", "книга")]), "книги"),
                      n.ExactForm(n.Or([n.Term("body", "библиотека"),
                                        n.Term("title", "библиотека")]), "библиотеке")):
            assert_same(whoosh_scores(searcher, size, query), numpy_scores(scorer, live, query),
                        query)


def test_pair_proximity_rewards_neighbouring_query_words(service):
    """Each pair of neighbouring query words: side by side in order counts most, within
    eight words either way less, farther apart nothing (search/engine/whoosh/proximity.py)."""
    from search.engine.whoosh.proximity import _windows, pair_proximity

    assert _windows([3], [4]) == (1, 1)  # side by side, in order
    assert _windows([4], [3]) == (0, 1)  # side by side, the other way
    assert _windows([0], [9]) == (0, 0)  # nine apart: too far
    searcher = service.view().searcher
    scorer = Scorer(searcher, searcher.doc_count_all())
    parsed = service.parser.parse("пушкинская карта")
    everything = np.arange(searcher.doc_count_all(), dtype=np.int64)
    bonus = pair_proximity(scorer.postings, "body", parsed.content_lemmas, everything)
    assert bonus and all(b > 0 for b in bonus.values())
    phrase = n.Phrase("body", list(parsed.content_lemmas))
    assert set(to_whoosh(phrase).matcher(searcher, searcher.context()).all_ids()) <= set(bonus)
    half = everything[::2]
    assert pair_proximity(scorer.postings, "body", parsed.content_lemmas, half) == {
        d: b for d, b in bonus.items() if d % 2 == 0}
    # the counts for all documents at once equal _windows' document by document
    from search.engine.whoosh.proximity import ORDERED_WEIGHT, WINDOW_WEIGHT
    decode = searcher.schema["body"].format.decoder("positions")
    for q in ("библиотека книга выставка", "новый год праздник библиотека", "день читатель"):
        lemmas = service.parser.parse(q).content_lemmas
        want: dict[int, float] = {}
        for a, b in zip(lemmas, lemmas[1:], strict=False):
            pa, pb = (scorer.postings.term("body", w.encode(), True) for w in (a, b))
            weight = (scorer.postings.idf("body", a.encode())
                      + scorer.postings.idf("body", b.encode())) / 2
            for docnum in np.intersect1d(pa.ids, pb.ids).tolist():
                ordered, near = _windows(
                    decode(pa.values[int(np.searchsorted(pa.ids, docnum))]),
                    decode(pb.values[int(np.searchsorted(pb.ids, docnum))]))
                value = weight * (ORDERED_WEIGHT * ordered / (ordered + 1)
                                  + WINDOW_WEIGHT * near / (near + 1))
                if value:
                    want[docnum] = want.get(docnum, 0.0) + value
        assert want and pair_proximity(scorer.postings, "body", lemmas, everything) == want


def test_snippet_trie_matches_like_a_flat_alternation(service):
    searcher = service.view().searcher
    lemmas = frozenset({"библиотека", "книга", "выставка", "читатель", "нью-йорк"})
    patterns = _patterns(lemmas, frozenset({"книжки"}), ("библио",))
    from search.highlight_patterns import surface_forms
    from search.word_finders import MARKS as _MARKS
    _WORD = r"[^\W_]"
    words = {w for lemma in lemmas for w in surface_forms(lemma)} | {"книжки"}
    flat = "|".join([re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))]
                    + [re.escape("библио") + rf"{_WORD}*"])
    flat_re = re.compile(rf"(?<![\w{_MARKS}])(?:{flat})(?![\w{_MARKS}])")
    for docnum in range(searcher.doc_count_all()):
        body = searcher.stored_fields(docnum).get("body", "").lower() + (
            " нью-йорк нью-йоркский \u0301выставка вы\u0301ставка выставка\u0301 _выставка"
            " выставка_ \u00adкниги библиотеками2 книгами-выставками «выставке»")
        assert [m[:2] for m in matched_spans(body, patterns, limit=10**6)] == \
            [m.span() for m in flat_re.finditer(body)]


def test_postings_cache_sizes_itself_from_the_index(service):
    from search.engine.whoosh.postings import BYTES_PER_POSTING, MIN_CACHE_BYTES, cache_size

    assert cache_size(10, 2**30) == MIN_CACHE_BYTES  # a tiny index: the floor
    assert cache_size(10**6, 2**30) == 10**6 * BYTES_PER_POSTING  # all of its postings
    assert cache_size(10**9, 2**28) == 2**28  # a huge one: the budget
    view = service.view()
    budget = service.settings.postings_cache_mb * 2**20
    assert view.scorer.postings.cache_bytes == cache_size(sum(view.words.values()), budget)


def _whoosh_ordered(positions: list[list[int]], slop: int) -> bool:
    """Whoosh's own SpanNear2(ordered=True, mindist=1) span joining, as the reference."""
    from whoosh.query.spans import Span, bisect_spans

    spans = [Span(p) for p in positions[0]]
    for following in positions[1:]:
        bspans = [Span(p) for p in following]
        joined = set()
        for a in spans:
            for j in range(bisect_spans(bspans, a.start), len(bspans)):
                b = bspans[j]
                if b.start > a.end + slop:
                    break
                if 1 <= a.distance_to(b) <= slop:
                    joined.add(a.to(b))
        spans = sorted(joined)
        if not spans:
            return False
    return bool(spans)


@settings(max_examples=300, deadline=None)
@given(positions=st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=8, unique=True)
                          .map(sorted), min_size=2, max_size=4),
       slop=st.integers(1, 5))
def test_ordered_phrase_test_equals_whoosh_span_joining(positions, slop):
    from search.engine.whoosh.phrases import _ordered

    assert _ordered(positions, slop) == _whoosh_ordered(positions, slop)


@pytest.mark.parametrize("on_disk", [False, True], ids=["ram", "files"])
def test_blocks_of_the_codec_read_alike_by_whoosh_and_by_our_reader(on_disk, tmp_path):
    """Posting blocks of arrays (search/engine/whoosh/codec.py): Whoosh's own matcher and
    our block reader see the same ids, weights and positions, over several blocks of one
    term and across segments, for a positions field and a frequencies-only one; on disk
    our reads go straight to the segment file (search/engine/whoosh/direct.py), and the
    forms columns and stored fields read there equal Whoosh's reads."""
    import pickle

    from whoosh.filedb.filestore import FileStorage
    from whoosh.formats import Positions

    from search.engine.whoosh.codec import PROTOCOL, build_codec
    from search.engine.whoosh.direct import direct_stored
    from search.engine.whoosh.forms import FORM_FIELDS, FormLookup
    from search.engine.whoosh.postings import Postings

    assert PROTOCOL >= 5
    storage = FileStorage(str(tmp_path), supports_mmap=False) if on_disk else RamStorage()
    ix = storage.create_index(build_schema())
    for batch in range(2):
        writer = ix.writer(codec=build_codec(512))
        for i in range(1200):  # 512 postings a block: three blocks per segment
            words = " ".join(["книга"] * (1 + i % 5) + ["выставка"] * (i % 3)
                             + ["редкий"] * (i % 100 == 0)  # 12: a block of tuples
                             + ["смешанный"] * (1 + (i < 520))  # 512 in arrays, 8 in tuples
                             + ["единственный"] * (batch == 0 and i == 7))  # one segment
            writer.add_document(id=f"d{batch}-{i}", title=f"Заголовок {i % 7}", body=words,
                                stems=words)
        writer.commit(merge=False)
    ix = FileStorage(str(tmp_path), supports_mmap=False).open_index() if on_disk else ix
    with ix.searcher(weighting=weighting()) as searcher:
        assert len(searcher.leaf_searchers()) == 2
        for field, term, positions, count in (("body", "книга", True, 2400),
                                              ("stems", "книг", False, 2400),
                                              ("body", "редкий", True, 24),
                                              ("body", "смешанный", True, 2400),
                                              ("body", "единственный", True, 1),
                                              ("stems", "единствен", False, 1)):
            expected = {"ids": [], "weights": [], "positions": []}
            for leaf, offset in searcher.leaf_searchers():
                if (field, term.encode()) not in leaf.reader():  # in one segment only
                    continue
                m = leaf.reader().postings(field, term.encode())
                assert type(leaf.reader().codec()).__name__ == "KartotekaCodec"
                while m.is_active():
                    expected["ids"].append(m.id() + offset)
                    expected["weights"].append(m.weight())
                    if positions:
                        expected["positions"].append(Positions().decode_positions(m.value()))
                    m.next()
            postings = Postings(searcher, searcher.doc_count_all())
            ids, weights, values = postings._read(field, term.encode(), positions)
            assert ids.tolist() == expected["ids"] and len(ids) == count
            assert weights.tolist() == expected["weights"]
            if positions:
                assert [Positions().decode_positions(values[i]) for i in range(len(ids))] \
                    == expected["positions"]
        for field in ("body", "title", "people"):  # read as one column, not per document
            per_doc = [leaf.reader().doc_field_length(d, field, 0) or 0
                       for leaf, _ in searcher.leaf_searchers()
                       for d in range(leaf.reader().doc_count_all())]
            assert postings.field_lengths(field).tolist() == per_doc
        reader = searcher.reader()
        lookup, columns = FormLookup(reader), [reader.column_reader(f) for f in FORM_FIELDS]
        stored = direct_stored(searcher)
        for docnum in (0, 1, 1199, 1200, 2399):
            assert [bytes(v) for v in lookup._values(docnum)] == [c[docnum] for c in columns]
            assert stored(docnum) == searcher.stored_fields(docnum) and stored(docnum)["id"]
    # at protocol 2 each value would be a call of _codecs.encode, named in every block
    data = b"".join(bytes(d) for n, d in ix.storage.files.items() if n.endswith(".seg")) \
        if not on_disk else b"".join(p.read_bytes() for p in tmp_path.glob("*.seg"))
    assert data and b"_codecs" not in data and b"PackedValues" in data
    assert b"_codecs" in pickle.dumps((b"\x01",), 2)


def test_compact_pool_writes_the_segment_whoosh_pool_writes():
    """The rebuild's pool (search/engine/whoosh/pool.py), its postings written term by
    term (search/engine/whoosh/terms_writer.py), and stems field (StemsField) against
    Whoosh's own pool, which at a 1 MB limit sorts in runs on disk and merges them, its
    field writer's posting-by-posting path, and the stems analyzer's Token chain: the
    same segment, byte for byte, but for its random name."""
    import dataclasses

    from whoosh.writing import SegmentWriter

    from indexer.sources import iter_publications
    from search.engine.whoosh.codec import build_codec
    from search.engine.whoosh.documents import to_document
    from search.engine.whoosh.segment_writer import CompactSegmentWriter
    from search.settings import SAMPLE_DIR

    pubs = [p for p in iter_publications([SAMPLE_DIR / "publications.jsonl"])
            if hasattr(p, "title")]
    assert len(pubs) > 50
    # twelve copies under new ids: common terms run past a block of 512 postings
    pubs = [dataclasses.replace(p, id=f"{p.id}-{k}") for k in range(12) for p in pubs]
    from whoosh import fields

    from search.engine.whoosh.analyzers import stem_analyzer

    def chain_stems_schema():  # the stems field through its analyzer's Token chain
        schema = build_schema()
        schema.remove("stems")
        schema.add("stems", fields.TEXT(analyzer=stem_analyzer(), phrase=False))
        return schema

    written = []
    for writer_class, schema, limitmb in ((SegmentWriter, chain_stems_schema(), 1),
                                          (CompactSegmentWriter, build_schema(), 1),
                                          (CompactSegmentWriter, build_schema(), 256)):
        ix = RamStorage().create_index(schema)
        writer = writer_class(ix, limitmb=limitmb, codec=build_codec(512))
        for pub in pubs:
            writer.add_document(**to_document(pub))
        # at 1 MB both pools spill runs, and their merges are what is compared
        assert bool(writer.pool.runs) == (limitmb == 1)
        writer.commit()
        if writer_class is CompactSegmentWriter:
            with ix.searcher() as searcher:  # several blocks, arrays and tuples
                assert searcher.doc_frequency("body", "библиотека") > 512
        (segment,) = ix._segments()
        name = segment.segment_id()
        compound = segment.open_compound_file(ix.storage)
        files = {}
        for member in compound.list():  # the rebuild's writer adds its titles (titles.py)
            if not member.endswith((".titles", ".words")):  # and words (lexicon.py)
                with compound.open_file(member) as fh:
                    files[member.replace(name, "SEGMENT")] = fh.read().replace(
                        name.encode(), b"SEGMENT")
        compound.close()
        written.append(files)
        packed = ix.storage.open_file(f"{name}.seg").read().decode("latin-1")
        assert (writer_class is CompactSegmentWriter) == (f"{name}.titles" in packed)
        assert (writer_class is CompactSegmentWriter) == (f"{name}.words" in packed)
    assert len(written[0]) >= 5
    assert written[0] == written[1] == written[2]


@pytest.mark.parametrize("slop", [1, 2, 3, 5])
def test_phrases_in_numpy_equal_the_test_per_document(service, slop):
    """phrase_scores' numpy path (search/engine/whoosh/phrases.py) against its span test
    per document, over pairs of the sample's common words in both orders, homonyms, and
    phrases of three and four words."""
    from search.engine.whoosh.phrases import _each_document, phrase_scores

    searcher = service.view().searcher
    postings = Scorer(searcher, searcher.doc_count_all()).postings
    words = [w.encode() for w in ("библиотека", "книга", "год", "выставка", "день", "читатель",
                                  "в", "и", "ребёнок", "новый")]
    decode = searcher.schema["body"].format.decoder("positions")
    compared = matched = 0
    for first in words:
        for second in words:
            terms = {b: postings.term("body", b, positions=True) for b in (first, second)}
            if not all(len(t.ids) for t in terms.values()):
                continue
            common = np.intersect1d(terms[first].ids, terms[second].ids)
            at = {b: np.searchsorted(t.ids, common) for b, t in terms.items()}
            any_order = first != second
            want_docs, want_scores = _each_document(
                common, [[first], [second]], terms, at, decode, slop, any_order)
            docs, scores = phrase_scores(postings, "body", [first, second], slop)
            assert docs.tolist() == want_docs.tolist(), (first, second, slop)
            assert scores.tolist() == want_scores.tolist()
            compared += 1
            matched += len(docs)
    assert compared >= 36 and matched > 20
    # a homonym: either of two lemmas may stand at a place of the phrase
    matched = 0
    new, year, exhibition, book, reader = words[9], words[2], words[3], words[1], words[5]
    for slots in ([[new, book], [year]], [[exhibition], [book, reader]],
                  [[new, exhibition], [year, book]]):
        flat = list(dict.fromkeys(b for slot in slots for b in slot))
        terms = {b: postings.term("body", b, positions=True) for b in flat}
        ids = [np.unique(np.concatenate([terms[b].ids for b in slot])) for slot in slots]
        common = np.intersect1d(ids[0], ids[1])
        at = {b: np.searchsorted(t.ids, common) for b, t in terms.items()}
        want_docs, want_scores = _each_document(common, slots, terms, at, decode, slop, True)
        docs, scores = phrase_scores(postings, "body", slots, slop)
        assert docs.tolist() == want_docs.tolist(), (slots, slop)
        assert scores.tolist() == want_scores.tolist()
        matched += len(docs)
    assert matched
    # three and four words, in and out of order, a word repeated, homonyms
    matched = 0
    central, city, library, system, library_adj, centralized = (w.encode() for w in (
        "центральный", "городской", "библиотека", "система", "библиотечный",
        "централизованный"))
    for slots in ([[central], [city], [library]], [[city], [central], [library]],
                  [[centralized], [library_adj], [system]],
                  [[centralized], [library_adj], [system], [library]],
                  [[library], [library_adj], [library]], [[new, central], [city, year], [library]],
                  [[library], [city], [central]], [[system], [centralized, library_adj]]):
        flat = list(dict.fromkeys(b for slot in slots for b in slot))
        terms = {b: postings.term("body", b, positions=True) for b in flat}
        ids = [np.unique(np.concatenate([terms[b].ids for b in slot])) for slot in slots]
        common = ids[0]
        for more in ids[1:]:
            common = np.intersect1d(common, more)
        at = {b: np.searchsorted(t.ids, common) for b, t in terms.items()}
        any_order = len({tuple(slot) for slot in slots}) == len(slots)
        want_docs, want_scores = _each_document(common, slots, terms, at, decode, slop,
                                                any_order)
        docs, scores = phrase_scores(postings, "body", slots, slop)
        assert docs.tolist() == want_docs.tolist(), (slots, slop)
        assert scores.tolist() == want_scores.tolist()
        matched += len(docs)
    assert matched > 10


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 4).flatmap(lambda words: st.lists(
    st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=words, max_size=words),
    min_size=1, max_size=6)), st.sampled_from([1, 2, 3, 5]))
def test_phrase_spans_over_all_documents_equal_the_test_per_document(documents, slop):
    """phrases.py's span tests over every document at once (each side of a pair or a
    chain looked up in the other, whichever is smaller) against `near` per document, on
    documents where one word is much commoner than the others and where it is not."""
    from search.engine.whoosh.phrases import (
        _ordered_documents,
        _pair_documents,
        _sloppy_documents,
        near,
    )

    words = len(documents[0])
    span = np.int64(1 << 32)
    keys = []
    for w in range(words):
        keys.append(np.array(sorted({d * int(span) + p for d, doc in enumerate(documents)
                                     for p in doc[w]}), np.int64))
    want = [d for d, doc in enumerate(documents) if all(doc) and near([sorted(set(p)) for p in doc], slop)]
    if words == 2:
        got = _pair_documents(keys[0], keys[1], slop, True, span)
    else:
        got = _ordered_documents(keys, slop, span)
        if slop >= 2:
            got = np.union1d(got, _sloppy_documents(keys, slop, span))
    holding = {d for d, doc in enumerate(documents) if all(doc)}
    assert [d for d in got.tolist() if d in holding] == want
    in_order = [d for d, doc in enumerate(documents) if all(doc) and near([sorted(set(p)) for p in doc], slop, any_order=False)]
    ordered = (_pair_documents(keys[0], keys[1], slop, False, span) if words == 2
               else _ordered_documents(keys, slop, span))
    assert [d for d in ordered.tolist() if d in holding] == in_order


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.lists(st.integers(0, 300), min_size=1, max_size=60),
                          st.lists(st.integers(0, 3_000_000), min_size=1, max_size=1_300)),
                min_size=1, max_size=8), st.data())
def test_positions_decoded_together_equal_whoosh_decoding(documents, data):
    """search/engine/whoosh/positions.py reads many Positions values at once, as Whoosh's
    Positions.decode_positions reads each: one-, two- and four-byte deltas, one delta,
    and lists past a pickle batch of 1,000 (those are unpickled one by one); values of
    one-byte deltas only (read in one gather) among the others, or all of them."""
    from whoosh.formats import Positions

    from search.engine.whoosh.positions import decode_few, decode_many
    from search.engine.whoosh.postings import EncodedValues
    from search.engine.whoosh.schema import _encode_positions

    values = [_encode_positions(sorted(set(doc))) for doc in documents]
    encoded = EncodedValues(values)
    picked = np.array(sorted(data.draw(st.sets(st.integers(0, len(values) - 1), min_size=1))))
    expected = [Positions().decode_positions(values[i]) for i in picked.tolist()]
    ends = encoded._ends[picked]
    starts = np.where(picked > 0, encoded._ends[np.maximum(picked - 1, 0)], 0)
    for counts, positions in (encoded.positions(picked),
                              decode_many(encoded._blob, starts, ends),
                              decode_few(encoded._blob, starts, ends)):
        assert counts.tolist() == [len(e) for e in expected]
        assert positions.tolist() == [p for e in expected for p in e]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.integers(0, 400), max_size=120), min_size=1, max_size=4))
def test_array_set_operations_equal_numpy(sets):
    """search/engine/whoosh/arrays.py: intersect (binary search from the smallest), union
    and unique (by sorting) give what numpy's set operations give, empty arrays included."""
    from functools import reduce

    from search.engine.whoosh.arrays import intersect, union, unique

    arrays = [np.array(sorted(s), np.int64) for s in sets]
    expected = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), arrays)
    assert intersect(*arrays).tolist() == expected.tolist()
    assert union(*arrays).tolist() == sorted(set().union(*sets))
    assert unique(np.concatenate(arrays)).tolist() == np.unique(np.concatenate(arrays)).tolist()


def test_similar_publications_rank_as_whoosh_searching_their_key_terms(service):
    """similar.py's `_best` (the numpy scorer) returns what Whoosh's searcher.search with
    the same limit returned: the same documents in the same order, the same scores."""
    from search.engine.whoosh.similar import SIMILAR_TERMS, _best, key_terms

    view = service.view()
    searcher = view.searcher
    compared = 0
    for docnum in range(0, min(60, searcher.doc_count_all()), 7):
        fields = view.stored_fields(docnum)
        text = f"{fields.get('title', '')}\n{fields.get('body', '')}"
        terms = searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)
        assert key_terms(searcher, text, SIMILAR_TERMS) == terms, docnum  # the same floats
        query = n.Or(tuple(n.Term(field, term, boost=weight * boost) for term, weight in terms
                           for field, boost in (("title", 3.0), ("body", 1.0))))
        for limit in (5, 21):
            want = [(hit.docnum, hit.score)
                    for hit in searcher.search(to_whoosh(query), limit=limit)]
            got = _best(view, query, limit)
            assert [d for d, _ in got] == [d for d, _ in want], docnum
            np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-12)
            compared += len(want)
    assert compared > 50


def test_a_prefix_of_many_words_stands_for_the_commonest(service, monkeypatch):
    """Past MAX_PREFIX_WORDS words starting with the text (in a segment), the prefix
    matches where its commonest words stand, scored as their Or."""
    import search.engine.whoosh.scoring as scoring

    monkeypatch.setattr(scoring, "MAX_PREFIX_WORDS", 2)
    view = service.view()
    searcher = view.searcher
    scorer = Scorer(searcher, view.facets.size, honor_minmatch=False)
    ((leaf, offset),) = searcher.leaf_searchers()
    words = sorted(leaf.reader().iter_prefix("body", "кн"), key=lambda w: -w[1].doc_frequency())
    assert len(words) > 2 and words[1][1].doc_frequency() > words[2][1].doc_frequency()
    commonest = n.Or(tuple(n.Term("body", b.decode(), boost=2.0) for b, _ in words[:2]))
    got = numpy_scores(scorer, view.facets.live, n.Prefix("body", "кн", boost=2.0))
    assert_same(whoosh_scores(searcher, view.facets.size, commonest), got, "кн*")


def test_the_prefixes_of_one_query_share_a_budget_of_words(service, monkeypatch):
    """MAX_PREFIX_WORDS_PER_QUERY words between all the prefixes of a query: two of them
    with a budget of 4 stand for the commonest 2 words each (`по* OR на* OR ...` with
    twelve prefixes took 0.4 s)."""
    import search.engine.whoosh.scoring as scoring

    monkeypatch.setattr(scoring, "MAX_PREFIX_WORDS_PER_QUERY", 4)
    monkeypatch.setattr(scoring, "MIN_PREFIX_WORDS", 1)
    view = service.view()
    searcher = view.searcher
    scorer = Scorer(searcher, view.facets.size, honor_minmatch=False)
    ((leaf, offset),) = searcher.leaf_searchers()
    commonest = []
    for text in ("кн", "вы"):
        words = sorted(leaf.reader().iter_prefix("body", text),
                       key=lambda w: -w[1].doc_frequency())
        assert len(words) > 2 and words[1][1].doc_frequency() > words[2][1].doc_frequency()
        commonest.append(n.Or(tuple(n.Term("body", b.decode(), boost=2.0)
                                    for b, _ in words[:2])))
    query = n.Or((n.Prefix("body", "кн", boost=2.0), n.Prefix("body", "вы", boost=2.0)))
    got = numpy_scores(scorer, view.facets.live, query)
    assert_same(whoosh_scores(searcher, view.facets.size, n.Or(tuple(commonest))), got,
                "кн* OR вы*")


def test_snippets_of_texts_folded_before_are_the_same_and_the_memory_is_bounded(monkeypatch):
    from search import highlight

    monkeypatch.setattr(highlight, "FOLDED_CHARS", 200)
    monkeypatch.setattr(highlight, "_folded_texts", highlight.OrderedDict())
    monkeypatch.setattr(highlight, "_folded_size", 0)
    lemmas = frozenset({"выставка"})
    texts = [f"Текст {i}: в библиотеке открылась Выставка, ЁЛКИ и İstanbul." for i in range(40)]
    first = [make_snippet(t, lemmas) for t in texts]
    assert first[0].count("<mark>Выставка</mark>") == 1 and "İstanbul" in first[0]
    assert highlight._folded_size <= 200
    assert sum(map(len, highlight._folded_texts)) == highlight._folded_size
    assert [make_snippet(t, lemmas) for t in texts] == first  # from the kept foldings


@pytest.mark.parametrize("on_disk", [False, True], ids=["ram", "files"])
def test_terms_looked_up_directly_equal_whooshs_lookups(on_disk, tmp_path):
    """search/engine/whoosh/term_table.py probes a segment's terms table itself: every
    term of every field of several segments gives Whoosh's entry, absent ones nothing,
    and the weights, document frequencies and idf built on it are Whoosh's."""
    from whoosh.filedb.filestore import FileStorage

    from search.engine.whoosh.codec import build_codec
    from search.engine.whoosh.postings import Postings
    from search.engine.whoosh.term_table import term_doc_frequency, term_value, term_weight
    from search.engine.whoosh.terms import WhooshTerms

    storage = FileStorage(str(tmp_path), supports_mmap=False) if on_disk else RamStorage()
    ix = storage.create_index(build_schema())
    for batch in range(3):
        writer = ix.writer(codec=build_codec())
        for i in range(400):  # thousands of distinct terms: slots collide within buckets
            words = " ".join(f"слово{(i * 7 + k) % 3000}x{batch % 2}" for k in range(12))
            writer.add_document(id=f"d{batch}-{i}", title=f"Заголовок {i % 9}",
                                body=f"{words} выставка книга", stems=words)
        writer.commit(merge=False)
    ix = FileStorage(str(tmp_path), supports_mmap=False).open_index() if on_disk else ix
    with ix.searcher(weighting=weighting()) as searcher:
        readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
        assert len(readers) == 3
        checked = 0
        for reader in readers:
            table = reader._terms._tindex
            names = {number: name for name, number in reader._terms._fieldmap.items()}
            for key, value in table.items():
                field, btext = names[int.from_bytes(key[:2], "big")], key[2:]
                assert term_value(reader, field, btext) == value
                assert term_value(reader, field, btext + b"-") is None
                assert term_weight(reader, field, btext) == reader.term_info(field, btext).weight()
                assert term_doc_frequency(reader, field, btext) == reader.doc_frequency(field, btext)
                checked += 1
            assert term_value(reader, "no such field", b"x") is None
            assert term_weight(reader, "body", b"-") is None
            assert term_doc_frequency(reader, "body", b"-") == 0
        assert checked > 10_000
        postings, terms = Postings(searcher, searcher.doc_count_all()), WhooshTerms(searcher)
        for word in ("выставка", "слово5x1", "слово5x0", "заголовок", "нет"):
            assert terms.doc_frequency("body", word) == searcher.reader().doc_frequency("body", word)
            assert postings.idf("body", word.encode()) == searcher.idf("body", word.encode())


@pytest.mark.parametrize("scan_bytes", [16, 100, 8192])
def test_terms_listed_by_prefix_equal_whoosh_iter_prefix(service, monkeypatch, scan_bytes):
    """The terms table's own prefix listing (term_presence.py's) lists what Whoosh's
    iter_prefix does, for any prefix, across block boundaries and entries longer than
    a block (`scan_bytes` 16)."""
    import search.engine.whoosh.term_table as term_table

    monkeypatch.setattr(term_table, "_SCAN_BYTES", scan_bytes)
    ((leaf, _),) = service.view().searcher.leaf_searchers()
    reader = leaf.reader()
    assert term_table._table(reader).ordered is not None  # the direct reads are tested
    for field in ("stems", "body", "title"):
        terms = [b.decode() for b in reader.lexicon(field)]
        prefixes = {t[:k] for t in terms[::7] for k in (1, 3, 5)}
        prefixes |= {"", terms[0], terms[-1], terms[-1] + "я", "яяяяя", "zz", "0"}
        for prefix in sorted(prefixes):
            expected = [b for b, _ in reader.iter_prefix(field, prefix)]
            assert term_table.terms_with_prefix(reader, field, prefix) == expected, (field, prefix)
    assert term_table.terms_with_prefix(reader, "no such field", "кн") == []
