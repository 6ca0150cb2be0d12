"""Seeded search-box requests of which none repeats, each labelled with its kind.

Kinds and shares (of the measured set and, separately, of the warm-up set):

    plain       60 %  1-6 words of a title or body sentence, in their written forms, as
                      people type them: mostly lowercase, some names capitalized
    misspelled  10 %  a plain query of 1-4 words with one or two typing slips (a
                      neighbouring key, a dropped, doubled or swapped letter)
    phrase      10 %  2-3 consecutive words in quotes, a quarter with ~N slop
    filtered    10 %  a plain query of 1-4 words and a topic, author, year or date-range
                      filter taken from the corpus's own values
    browse      10 %  no words: a filter or a sort, some on a deep page (5-20)

No two requests share a key (words lowercased and spaced alike, filters, sort, page), so
the per-generation response cache of the search service never answers one of them;
the warm-up set shares no key with the measured set either.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.corpus import load_records
from search.analysis import STOP_WORDS, WORD_RE

__all__ = ["KINDS", "SHARES", "DistinctQuery", "make_distinct", "quotas", "save_distinct"]

KINDS = ("plain", "misspelled", "phrase", "filtered", "browse")
SHARES = {"plain": 0.6, "misspelled": 0.1, "phrase": 0.1, "filtered": 0.1, "browse": 0.1}
_LENGTHS = (1, 2, 3, 4, 5, 6)
_LENGTH_WEIGHTS = (24, 30, 20, 12, 8, 6)  # search boxes get short queries mostly
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")  # ЙЦУКЕН, unshifted


@dataclass(frozen=True)
class DistinctQuery:
    """One request of the distinct set; `origin` is the text before typing slips."""

    kind: str
    q: str = ""
    topics: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    sort: str | None = None  # None: the API's default (relevance, or newest first without q)
    page: int = 1
    origin: str = ""

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "date_desc")

    def key(self) -> tuple:
        """What makes two requests the same search (and the same response-cache entry)."""
        return (" ".join(self.q.lower().split()), self.topics, self.authors, self.years,
                self.date_from, self.date_to, self.effective_sort, self.page)

    def request(self):
        """The SearchRequest the API builds from params() (top 10, facets, snippets)."""
        from search.models import SearchRequest

        day = dt.date.fromisoformat
        return SearchRequest(q=self.q, topics=self.topics, authors=self.authors,
                             years=self.years, sort=self.effective_sort, page=self.page,
                             date_from=day(self.date_from) if self.date_from else None,
                             date_to=day(self.date_to) if self.date_to else None)

    def params(self) -> list[tuple[str, str]]:
        """The /api/search query-string parameters."""
        out = [("q", self.q)] + [("topic", t) for t in self.topics]
        out += [("author", a) for a in self.authors] + [("year", str(y)) for y in self.years]
        out += [(k, v) for k, v in (("from", self.date_from), ("to", self.date_to),
                                    ("sort", self.sort)) if v]
        return out + ([("page", str(self.page))] if self.page > 1 else [])


def quotas(n: int) -> dict[str, int]:
    """How many of n requests each kind gets: the shares, remainders to plain."""
    out = {k: int(n * s) for k, s in SHARES.items() if k != "plain"}
    return {"plain": n - sum(out.values()), **out}


class _Source:
    """The corpus's word sequences (titles and sentences) and its facet values."""

    def __init__(self, records: list[dict], sample: list[dict]):
        self.records, self.titles, self.bodies = records, [], []
        self.by_topic, self.by_author, self.dates = {}, {}, []
        for r in sample:  # words from a sample, facet values from every record
            if r.get("title"):
                self.titles.append(_tokens(r["title"], r))
            for line in (r.get("text") or "").splitlines()[:40]:
                for sentence in line.split(". "):
                    tokens = _tokens(sentence, r)
                    if len(tokens) >= 3:
                        self.bodies.append(tokens)
        for r in records:
            topics = r.get("topics") or ([r["topic"]] if r.get("topic") else [])
            for t in topics:
                self.by_topic.setdefault(t, []).append(r)
            if r.get("author"):
                self.by_author.setdefault(r["author"], []).append(r)
            if r.get("date"):
                self.dates.append(r["date"][:10])
        self.dates.sort()
        self.topic_names = sorted(self.by_topic)
        self.author_names = sorted(self.by_author)

    def count_dates(self, first: str, last: str) -> int:
        """How many publications are dated first..last (ISO dates, inclusive)."""
        return bisect.bisect_right(self.dates, last) - bisect.bisect_left(self.dates, first)


def _tokens(text: str, record: dict) -> list[tuple[str, bool, dict]]:
    """(word, is a name as written, record) per word; a capital not after a full stop is a name."""
    out = []
    for m in WORD_RE.finditer(text):
        word = m.group()
        before = text[:m.start()].rstrip()
        name = word[:1].isupper() and bool(before) and before[-1] not in ".!?…:«\"" \
            and not word.isupper()
        out.append((word, name, record))
    return out


def _content(word: str) -> bool:
    return len(word) >= 3 and word.lower().replace("ё", "е") not in STOP_WORDS


def _typed(rng: random.Random, tokens) -> str:
    """Words as typed: lowercase, except most names keep their capital."""
    return " ".join(w if name and rng.random() < 0.6 else w.lower() for w, name, _ in tokens)


def _words(rng: random.Random, src: _Source, most: int = 6):
    """1-`most` words of a title or sentence: consecutive, or content words in order."""
    k = rng.choices(_LENGTHS[:most], _LENGTH_WEIGHTS[:most])[0]
    tokens = rng.choice(src.titles if rng.random() < 0.4 or not src.bodies else src.bodies)
    content = [t for t in tokens if _content(t[0])]
    if not content:
        return None
    if k == 1:
        return [rng.choice(content)]
    if rng.random() < 0.6:
        start = rng.randrange(max(1, len(tokens) - k + 1))
        window = tokens[start:start + k]
        while window and not _content(window[-1][0]):  # nobody ends a query on "в"
            window = window[:-1]
        while window and not _content(window[0][0]):
            window = window[1:]
        return window or None
    picked = sorted(rng.sample(range(len(content)), min(k, len(content))))
    return [content[i] for i in picked]


def _slip(rng: random.Random, word: str) -> str:
    """One typing slip: a neighbouring key, a dropped, doubled or swapped letter."""
    i = rng.randrange(1, len(word) - 1)  # the first and last letters are usually right
    how = rng.choice(("neighbour", "drop", "double", "swap"))
    if how == "neighbour":
        low = word[i].lower()
        for r, row in enumerate(_ROWS):
            if low in row:
                c = row.index(low)
                near = [row[j] for j in (c - 1, c + 1) if 0 <= j < len(row)]
                near += [_ROWS[o][c] for o in (r - 1, r + 1) if 0 <= o < 3 and c < len(_ROWS[o])]
                return word[:i] + rng.choice(near) + word[i + 1:]
        how = "swap"  # not a Russian letter: swap instead
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _misspelled(rng: random.Random, src: _Source) -> DistinctQuery | None:
    tokens = _words(rng, src, most=4)
    if not tokens:
        return None
    words = _typed(rng, tokens).split()
    origin = " ".join(words)
    slippable = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not slippable:
        return None
    for _ in range(1 if rng.random() < 0.7 else 2):
        i = rng.choice(slippable)
        words[i] = _slip(rng, words[i])
    q = " ".join(words)
    return DistinctQuery("misspelled", q, origin=origin) if q != origin else None


def _phrase(rng: random.Random, src: _Source) -> DistinctQuery | None:
    tokens = rng.choice(src.bodies or src.titles)
    size = rng.choice((2, 3))
    start = rng.randrange(max(1, len(tokens) - size + 1))
    window = tokens[start:start + size]
    if len(window) < 2 or not any(_content(w) for w, _, _ in window):
        return None
    slop = f"~{rng.randint(1, 3)}" if rng.random() < 0.25 else ""
    return DistinctQuery("phrase", '"' + " ".join(w.lower() for w, _, _ in window) + '"' + slop)


def _filter(rng: random.Random, src: _Source, record: dict | None) -> tuple[dict, int]:
    """A topic, author, year or date-range filter (from `record` half of the time) and
    about how many publications it keeps."""
    record = record if record and rng.random() < 0.5 else rng.choice(src.records)
    kinds = ["topic", "year", "range"] + (["author"] if src.author_names else [])
    kind = rng.choices(kinds, (40, 25, 20, 15)[:len(kinds)])[0]
    date = (record.get("date") or "")[:10] or (rng.choice(src.dates) if src.dates else "")
    if kind == "topic" and src.topic_names:
        topic = record.get("topic") or rng.choice(src.topic_names)
        return {"topics": (topic,)}, len(src.by_topic.get(topic, ()))
    if kind == "author":
        author = record.get("author") or rng.choice(src.author_names)
        return {"authors": (author,)}, len(src.by_author.get(author, ()))
    if not date:
        return {}, len(src.records)
    if kind == "year":
        return {"years": (int(date[:4]),)}, src.count_dates(date[:4] + "-01-01", date[:4] + "-12-31")
    span = rng.choice((7, 30, 31, 90, 182, 365))
    start = dt.date.fromisoformat(date) - dt.timedelta(days=rng.randrange(span))
    end = start + dt.timedelta(days=span)
    return ({"date_from": start.isoformat(), "date_to": end.isoformat()},
            src.count_dates(start.isoformat(), end.isoformat()))


def _filtered(rng: random.Random, src: _Source) -> DistinctQuery | None:
    tokens = _words(rng, src, most=4)
    if not tokens:
        return None
    filters, _ = _filter(rng, src, tokens[0][2])
    return DistinctQuery("filtered", _typed(rng, tokens), **filters) if filters else None


def _browse(rng: random.Random, src: _Source) -> DistinctQuery:
    if rng.random() < 0.6:
        filters, count = _filter(rng, src, None)
        sort = rng.choice((None, None, "date_asc"))
    else:
        filters, count, sort = {}, len(src.records), rng.choice(("date_desc", "date_asc"))
    pages = max(1, -(-count // 10))
    deep = rng.random() < 0.3 and pages >= 5
    page = rng.randint(5, min(20, pages)) if deep else rng.randint(1, min(4, pages))
    return DistinctQuery("browse", "", sort=sort, page=page, **filters)


_MAKERS = {"plain": lambda rng, src: (lambda t: t and DistinctQuery("plain", _typed(rng, t)))(
    _words(rng, src)), "misspelled": _misspelled, "phrase": _phrase, "filtered": _filtered,
    "browse": _browse}


def _draw(rng: random.Random, src: _Source, quota: dict[str, int], seen: set) -> list:
    slots = [kind for kind in KINDS for _ in range(quota.get(kind, 0))]
    rng.shuffle(slots)
    out = []
    for kind in slots:
        for _ in range(500):
            query = _MAKERS[kind](rng, src)
            if query and query.key() not in seen:
                seen.add(query.key())
                out.append(query)
                break
        else:
            raise RuntimeError(f"no new {kind} request in 500 tries: the corpus is too small "
                               f"for {len(slots)} distinct requests")
    return out


def make_distinct(corpus_files: list[Path], n: int = 2000, warmup: int = 300,
                  seed: int = 5) -> tuple[list[DistinctQuery], list[DistinctQuery]]:
    """(n measured requests, `warmup` others), the same for the same corpus and seed."""
    rng = random.Random(f"distinct-{seed}")
    records = [r for f in corpus_files for r in load_records(f)]
    src = _Source(records, rng.sample(records, min(len(records), 3000)))
    seen: set = set()
    measured = _draw(rng, src, quotas(n), seen)
    return measured, _draw(rng, src, quotas(warmup), seen)


def save_distinct(measured, warmup, path: Path) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"measured": [asdict(q) for q in measured],
                                "warmup": [asdict(q) for q in warmup]},
                               ensure_ascii=False, indent=1), encoding="utf-8")
