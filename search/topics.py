"""Topics: one controlled list of Russian topic names (search/data/topics_ru.txt).

Source categories (rubrics, ng.ru section slugs, WordPress categories) are mapped onto
the list by search/data/topic_categories_ru.txt; a publication whose categories say
nothing the list knows gets topics from its own words, on real evidence only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from search.analysis import index_terms
from search.bulk_analysis import BulkAnalyzer
from search.bulk_tables import run_starts
from search.dictionary_files import read_dictionary_lines
from search.errors import ConfigError
from search.facet_hints import near_values
from search.lemma_filter import lemma_filter
from search.morph import fold_yo, is_cyrillic

__all__ = ["TopicDictionary", "TopicRule", "DEFAULT_TOPICS_FILE", "DEFAULT_CATEGORIES_FILE",
           "without_quoted"]

DEFAULT_TOPICS_FILE = Path(__file__).parent / "data" / "topics_ru.txt"
DEFAULT_CATEGORIES_FILE = Path(__file__).parent / "data" / "topic_categories_ru.txt"
NO_TOPIC = "-"
BODY_CHARS = 20_000  # long texts: the beginning says what they are about
TITLE_WEIGHT = 3
MIN_OCCURRENCES = 3
WORDS_PER_OCCURRENCE = 200  # a long text needs one occurrence per this many words

# Names of books, exhibitions and clubs are quoted: «Война и мир» is no evidence of war.
_QUOTED = re.compile(r"«[^«»\n]{0,200}»|„[^„“”\n]{0,200}[“”]|“[^“”\n]{0,200}”|\"[^\"\n]{0,200}\"")
_ENTRY = re.compile(r'"([^"]+)"|(\S+)')

Phrase = tuple[frozenset[str], ...]  # the lemmas of each word, in order


def without_quoted(text: str) -> str:
    """Text with quoted names removed.

    >>> without_quoted('Читаем «Войну и мир» вместе')
    'Читаем \\n вместе'
    """
    return _QUOTED.sub("\n", text)


def _phrase(entry: str) -> Phrase:
    words = [index_terms(w) for w in entry.split()]
    return tuple(frozenset(terms) for terms in words if terms)


@dataclass(frozen=True)
class TopicRule:
    """The words that signal one topic: key words, and context words that only support them."""

    keys: tuple[Phrase, ...] = ()
    context: tuple[Phrase, ...] = ()

    @classmethod
    def parse(cls, words: str) -> TopicRule:
        key_part, _, context_part = words.partition("|")
        return cls(_phrases(key_part), _phrases(context_part))

    @cached_property
    def _key_heads(self) -> frozenset[str]:
        """The lemmas a key phrase can start with."""
        return frozenset(lemma for phrase in self.keys for lemma in phrase[0])

    def evidence(self, title: dict[str, set[int]], text: dict[str, set[int]],
                 size: int = 0) -> int:
        """A score when the words show the topic, else 0.

        Evidence is a key word in the title, or in the text (of `size` words) a key word
        and another of the topic's words, with MIN_OCCURRENCES occurrences in all, more
        in long texts. One word, however often repeated, is never enough: it may be a
        homonym (`победа` of a football team, `клуб` of a football club).
        """
        if self._key_heads.isdisjoint(text) and self._key_heads.isdisjoint(title):
            return 0  # no key phrase can start anywhere (most rules, for most texts)
        in_title = sum(len(_starts(p, title)) for p in self.keys)
        covered: set[int] = set()  # a context word inside a key phrase is not counted twice
        keys = []
        for phrase in self.keys:
            starts = _starts(phrase, text)
            keys.append(len(starts))
            covered |= {s + i for s in starts for i in range(len(phrase))}
        context = [len(_starts(p, text) - covered) for p in self.context]
        found, support = sum(keys), sum(context)
        kinds = sum(1 for n in keys + context if n)
        needed = max(MIN_OCCURRENCES, size // WORDS_PER_OCCURRENCE)
        if in_title or (found and kinds >= 2 and found + support >= needed):
            return TITLE_WEIGHT * in_title + 2 * found + support
        return 0


def _phrases(words: str) -> tuple[Phrase, ...]:
    found = (_phrase(a or b) for a, b in _ENTRY.findall(words))
    return tuple(p for p in found if p)


def _starts(phrase: Phrase, terms: dict[str, set[int]]) -> set[int]:
    """Where the phrase's words stand one after another."""
    starts = _positions(phrase[0], terms)
    for offset, lemmas in enumerate(phrase[1:], 1):
        starts &= {p - offset for p in _positions(lemmas, terms)}
    return starts


def _positions(lemmas: frozenset[str], terms: dict[str, set[int]]) -> set[int]:
    out: set[int] = set()
    for lemma in lemmas:
        out |= terms.get(lemma, set())
    return out


# Topics are assigned to every publication read (reindex, PUT): its words are analysed
# in bulk (search/bulk_analysis.py), whose tables grow with the words seen; past this
# many distinct tokens they start afresh. Only words that may have a lemma the rules ask
# about are parsed (search.lemma_filter): the rest of a text only takes positions.
MAX_ANALYSER_TOKENS = 500_000
_analysers: dict[frozenset[str], BulkAnalyzer] = {}
# Its tables are not safe to grow from two threads at once (the web crawler assigns
# topics from its fetching threads): one analysis at a time.
_analyser_lock = threading.Lock()


def _bulk(lemmas: frozenset[str]) -> BulkAnalyzer:
    found = _analysers.get(lemmas)
    if found is None or found.size > MAX_ANALYSER_TOKENS:
        if len(_analysers) > 4:  # dictionaries loaded one after another: keep the last
            _analysers.clear()
        found = _analysers[lemmas] = BulkAnalyzer(lemma_filter(lemmas))
    return found


def _terms(text: str, lemmas: frozenset[str]) -> tuple[dict[str, set[int]], int]:
    """The positions of `lemmas` in `text` (quoted names left out), and how many
    positions the text has."""
    with _analyser_lock:
        bulk = _bulk(lemmas)
        analysed = bulk.analyze(without_quoted(text), stems=False, forms=False)
    terms, positions = analysed.terms, analysed.positions
    if not len(terms):
        return {}, analysed.words
    names = bulk.terms.names
    starts = run_starts(terms)  # sorted by term
    wanted = [t for t in terms[starts].tolist() if names[t] in lemmas]
    out: dict[str, set[int]] = {}
    if wanted:
        keep = np.isin(terms, wanted)
        for term, position in zip(terms[keep].tolist(), positions[keep].tolist(), strict=True):
            out.setdefault(names[term], set()).add(position)
    return out, analysed.words


def fold_category(name: str) -> str:
    """Categories compare without case, ё and extra spaces."""
    return " ".join(fold_yo(name).lower().split())


@dataclass(frozen=True)
class TopicDictionary:
    """The controlled topics with their words, and the source categories mapped onto them."""

    rules: dict[str, TopicRule]
    categories: dict[str, tuple[str, ...]]  # folded category -> topics (empty: no topic)

    @classmethod
    def load(cls, path: Path | None = None,
             categories_path: Path | None = None) -> TopicDictionary:
        """The topics file (the shipped one by default) and the category mapping.

        A custom topics file may carry its own `category = Topic` lines; shipped mappings
        onto topics it does not list are left out.
        """
        path = Path(path) if path else DEFAULT_TOPICS_FILE
        rules, own = _read_topics(path)
        shipped = _read_categories(Path(categories_path or DEFAULT_CATEGORIES_FILE))
        named = {fold_category(name): name for name in rules}  # `Отчеты` is «Отчёты»
        categories = {}
        for key, (targets, where) in {**shipped, **own}.items():
            found = tuple(named.get(fold_category(t)) for t in targets)
            unknown = [t for t, name in zip(targets, found, strict=True) if name is None]
            if unknown and (key in own or path == DEFAULT_TOPICS_FILE or categories_path):
                near = near_values(unknown[0], rules, 1, typos=True)
                raise ConfigError(f"{where}: темы «{unknown[0]}» нет в {path.name}"
                                  + (f"; может быть, «{near[0]}»?" if near else ""))
            if not unknown:
                categories[key] = found
        return cls(rules, categories)

    @cached_property
    def _by_folded_name(self) -> dict[str, str]:
        return {fold_category(name): name for name in self.rules}

    @cached_property
    def _lemmas(self) -> frozenset[str]:
        """Every lemma the rules ask about."""
        return frozenset(lemma for rule in self.rules.values()
                         for phrase in (*rule.keys, *rule.context)
                         for word in phrase for lemma in word)

    @property
    def names(self) -> tuple[str, ...]:
        """The controlled list, in its file's order."""
        return tuple(self.rules)

    def says_nothing(self, category: str) -> bool:
        """Whether the category is listed as naming no subject (`Новости = -`)."""
        return self.categories.get(fold_category(category)) == ()

    def from_categories(self, categories: Iterable[str]) -> tuple[str, ...]:
        """The topics the source categories name; unknown Latin slugs are dropped."""
        out: list[str] = []
        for category in categories:
            for topic in self._category(category):
                if topic not in out:
                    out.append(topic)
        return tuple(out)

    def _category(self, category: str) -> tuple[str, ...]:
        key = fold_category(category)
        if key in self._by_folded_name:
            return (self._by_folded_name[key],)
        parts = key.split("/")
        for n in range(len(parts), 0, -1):  # "nvo/wars" falls back to "nvo"
            mapped = self.categories.get("/".join(parts[:n]))
            if mapped is not None:
                return mapped
        return (" ".join(category.split()),) if is_cyrillic(category) else ()

    def assign(self, title: str, body: str | None, limit: int = 3) -> tuple[str, ...]:
        """Up to `limit` topics the words show (see TopicRule.evidence), strongest first;
        with `body` None, those a key word of the title shows."""
        title_terms, _ = _terms(title, self._lemmas)
        if body is None:
            text_terms, size = {}, 0
        else:
            text_terms, size = _terms(f"{title}\n{body[:BODY_CHARS]}", self._lemmas)
        scored = [(score, n, topic) for n, (topic, rule) in enumerate(self.rules.items())
                  if (score := rule.evidence(title_terms, text_terms, size))]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return tuple(topic for _, _, topic in scored[:limit])

    def topics_for(self, categories: Iterable[str], title: str, body: str) -> tuple[str, ...]:
        """Topics from the source categories and those a key word of the title shows;
        with no category the list knows, those the words show.

        A site files a post under one rubric («День Победы») while its title says it is
        an exhibition: a librarian choosing «Выставки» expects it there too. (The text
        of every categorized publication is not read: that tripled a rebuild's serial
        part on the real corpus, 2.3 -> 9.0 s.)
        """
        named = self.from_categories(categories)
        if not named:
            return self.assign(title, body)
        return named + tuple(t for t in self.assign(title, None) if t not in named)


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    for number, line in enumerate(read_dictionary_lines(path, "словарь тем"), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def _read_topics(path: Path):
    rules: dict[str, TopicRule] = {}
    own: dict[str, tuple[tuple[str, ...], str]] = {}
    lines: dict[str, int] = {}  # a topic's folded name -> its line
    for number, line in _lines(path):
        if "=" in line and (":" not in line or line.index("=") < line.index(":")):
            _add_mapping(own, _mapping(line, f"{path}:{number}"))
            continue
        name, sep, words = line.partition(":")
        if not sep or not name.strip():
            raise ConfigError(f"{path}:{number}: ожидалась строка вида «Тема: ключевые "
                              "слова | слова контекста»")
        name = " ".join(name.split())
        if (earlier := lines.setdefault(fold_category(name), number)) != number:
            # the later line had replaced the earlier one, its words lost unsaid
            raise ConfigError(f"{path}:{number}: тема «{name}» уже задана в строке "
                              f"{earlier}: соберите её слова в одну строку")
        rules[name] = TopicRule.parse(words)
    if not rules:
        raise ConfigError(f"{path}: нет ни одной темы")
    return rules, own


def _read_categories(path: Path) -> dict[str, tuple[tuple[str, ...], str]]:
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for number, line in _lines(path):
        _add_mapping(out, _mapping(line, f"{path}:{number}"))
    return out


def _add_mapping(out: dict, mapping: dict[str, tuple[tuple[str, ...], str]]) -> None:
    """One line's mapping added; a rubric mapped twice, otherwise, is an error (the last
    line had won, unsaid)."""
    for key, (targets, where) in mapping.items():
        earlier = out.get(key)
        if earlier is not None and [fold_category(t) for t in earlier[0]] != [
                fold_category(t) for t in targets]:
            line = earlier[1].rpartition(":")[2]
            raise ConfigError(f"{where}: рубрика уже сопоставлена в строке {line} "
                              "по-другому: оставьте одну из строк")
        out[key] = (targets, where)


def _mapping(line: str, where: str) -> dict[str, tuple[tuple[str, ...], str]]:
    category, sep, topics = line.rpartition("=")
    if not sep or not category.strip() or not topics.strip():
        raise ConfigError(f"{where}: ожидалась строка вида «рубрика = Тема; Тема» или "
                          "«рубрика = -»")
    targets = tuple(t.strip() for t in topics.split(";") if t.strip() and t.strip() != NO_TOPIC)
    return {fold_category(category): (targets, where)}
