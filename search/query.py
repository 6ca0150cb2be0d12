"""The query language compiled to a neutral tree (search/nodes.py) over the lemma fields, with the rule of
what a plain query matches (below) and what the search needs to rank, relax and
highlight. The syntax itself is search/query_syntax.py; the terms of one word or phrase
are search/query_words.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from search import nodes as n
from search.analysis import STOP_WORDS
from search.date_words import read_dates, recent_year
from search.match_rule import relaxed_words, required_words, supplement_words
from search.morph import fold_yo
from search.query_parser import parse_tokens
from search.query_syntax import NATURAL_OR, Group, Not, Phrase, Word, lex
from search.query_words import WordCompiler
from search.synonyms import SynonymDictionary
from search.word_rules import (
    COUNTED_LEMMAS,
    PEOPLE_BOOST,
    given_name_places,
    signer_alternatives,
)

__all__ = ["ParsedQuery", "QueryParser", "Word", "Phrase", "Group", "Not", "MAX_TERMS",
           "required_words", "relaxed_words", "supplement_words"]

MAX_TERMS = 64

@dataclass
class ParsedQuery:
    """The compiled query plus what the search needs to rank, relax and highlight."""

    query: n.Node
    relaxed: n.Node | None  # when nothing meets `query`: any word
    lemmas: frozenset[str]
    forms: frozenset[str]
    words: tuple[str, ...]
    warnings: list[str]
    content_lemmas: tuple[str, ...] = ()
    plain: bool = False  # only words, no operators: partial matches may follow full ones
    supplement: n.Node | None = None  # the partial block under a few full matches
    stems: tuple[str, ...] = ()  # matched too: snippets mark their words if nothing else
    years: tuple[int, ...] = ()  # typed or named in words (`в прошлом году`)

    @property
    def empty(self) -> bool:
        return isinstance(self.query, n.Nothing)

    def relaxing(self, warnings: list[str]) -> ParsedQuery:
        """The same query under its relaxed rule (what partial matches are ranked by)."""
        return ParsedQuery(self.relaxed, None, self.lemmas, self.forms, self.words, warnings,
                           self.content_lemmas, stems=self.stems, years=self.years)


def _at_most_words(tokens: list, warnings: list[str]) -> list:
    """The tokens up to the MAX_TERMS-th word or phrase, with the groups they open closed:
    brackets and operators do not count as words."""
    words = [i for i, (kind, _) in enumerate(tokens) if kind in ("word", "phrase")]
    if len(words) <= MAX_TERMS:
        return tokens
    warnings.append(f"запрос сокращён до {MAX_TERMS} слов")
    kept = tokens[:words[MAX_TERMS - 1] + 1]
    depth = 0
    for kind, _ in kept:
        depth = depth + 1 if kind == "(" else max(0, depth - 1) if kind == ")" else depth
    return kept + [(")", None)] * depth


def _one_word(tree) -> bool:
    """Whether the query is one plain word, perhaps beside stop words and exclusions
    (`для библиотекарей`, `краеведение -выставка`). Its derivations are its subject
    (`краеведение`: «краеведческие чтения»). Beside other words, each word's family
    widened what the words had to match together and let in what no word meant: with
    families for every word, the dev half fell from 0.901 to 0.889 (the third set rose
    from 0.798 to 0.817); for one word only, dev 0.901 and third 0.810."""
    children = tree.children if isinstance(tree, Group) and tree.op == "and" else [tree]
    content = [c for c in children if not isinstance(c, Not)
               and not (isinstance(c, Word) and fold_yo(c.text.lower()) in STOP_WORDS)]
    return len(content) == 1 and isinstance(content[0], Word) \
        and not content[0].exact and not content[0].prefix


# -- compiler ------------------------------------------------------------------------
class QueryParser(WordCompiler):
    """Turns user text into a neutral query tree over the lemma fields (and forms for `=`)."""

    def __init__(self, synonyms: SynonymDictionary, title_boost: float = 3.0):
        self.synonyms = synonyms
        self.title_boost = title_boost

    def parse(self, text: str) -> ParsedQuery:
        warnings: list[str] = []
        tokens = _at_most_words(lex(text, warnings), warnings)
        years: list[int] = []
        tree = read_dates(parse_tokens(tokens, warnings), dt.date.today(), warnings, years)
        state = _CompileState(family=_one_word(tree))
        compiled = self._compile(tree, state) if tree is not None else None
        relaxed = supplement = None
        if isinstance(tree, Group) and tree.op == "and":
            counted = _partial_words(tree, self._only_counted)
            compiled_children = [self._compile(c, _CompileState()) for c in counted]
            positives = list(dict.fromkeys(  # a word typed twice counts once
                q for q in compiled_children if q is not None and not isinstance(q, _Negated)))
            if len(positives) > 1 or (positives and len(counted) < len(tree.children)):
                relaxed = n.Or(tuple(positives), minmatch=relaxed_words(len(positives)))
                supplement = n.Or(tuple(positives),
                                  minmatch=supplement_words(len(positives)))
                excluded = [q.query for q in compiled_children if isinstance(q, _Negated)]
                if excluded:  # relaxing drops required words, never the exclusions
                    relaxed = n.AndNot(relaxed, _any(excluded))
                    supplement = n.AndNot(supplement, _any(excluded))
        warnings += [f"«{p}*»: для поиска по началу слова нужно хотя бы 2 буквы"
                     for p in state.short_prefixes]
        if isinstance(compiled, _Negated):
            compiled = n.AndNot(n.EVERY, compiled.query)
        if compiled is None:
            if state.skipped_stop_words:
                warnings.append("в запросе только служебные слова")
            elif not warnings and text.strip():
                warnings.append("в запросе нет слов для поиска")
            compiled = n.NOTHING
        plain = all(node == NATURAL_OR if kind in ("(", "or", ")") else
                    kind == "word" and isinstance(node, Word) and not node.exact
                    and not node.prefix for kind, node in tokens)
        return ParsedQuery(compiled, relaxed, frozenset(state.lemmas), frozenset(state.forms),
                           tuple(state.words), warnings, tuple(state.top_lemmas), plain,
                           supplement, tuple(state.stems), tuple(dict.fromkeys(years)))

    def _compile(self, node, state: _CompileState):
        if isinstance(node, Word):
            return self._word(node, state)
        if isinstance(node, Phrase):
            return self._phrase(node, state)
        if isinstance(node, Not):
            inner = self._compile(node.child, _CompileState())
            if isinstance(inner, _Negated):  # NOT NOT a is a
                return inner.query
            return None if inner is None else _Negated(inner)
        if isinstance(node, Group):
            if node.op == "and":
                return self._and(node.children, state)
            parts = [q for q in (self._compile(c, state) for c in node.children) if q is not None]
            positives = [q for q in parts if not isinstance(q, _Negated)]
            if not positives and len(parts) > 1:  # `-a OR -b`: whatever lacks a or b
                positives = [n.AndNot(n.EVERY, q.query) for q in parts]
            parts = positives or parts
            return None if not parts else parts[0] if len(parts) == 1 else n.Or(tuple(parts))
        return None

    def _and(self, children, state, merge_synonyms: bool = True):
        if merge_synonyms:
            children = self._merge_synonym_runs(children, state)
        positives, negatives, kinds = [], [], []
        signers = signer_alternatives(children)
        given = given_name_places(children) if merge_synonyms else set()
        for k, child in enumerate(children):
            q = child if isinstance(child, _COMPILED) else self._compile(child, state)
            if q is None:
                continue
            if k in signers and not isinstance(q, _Negated):  # `Анна` of `Анна Вершинина`
                q = n.Or((q, *(n.Term("people", lemma, boost=PEOPLE_BOOST)
                               for lemma in signers[k])))
            if (merge_synonyms and not isinstance(q, _Negated) and isinstance(child, Word)
                    and (self._only_counted(child) or _initial(child) or k in given)):
                kinds.append(q)
                continue
            (negatives if isinstance(q, _Negated) else positives).append(q)
        # Beside other words, a word naming a kind of publication or a question's
        # auxiliary only counts (a match of nothing scores 0; search/word_rules.py
        # COUNTED_LEMMAS), and so does an initial
        # (`Фалалеева Е. Е.`: «Фалалеева Елена Евгеньевна» is her too), and a first name
        # and patronymic beside a surname, when they are all that is typed (`Ирина
        # Морощук`: «И. Н. Морощук» is her too).
        counted = [n.Or((n.Every(boost=0.0), q)) for q in kinds] if positives else []
        positives = positives or kinds
        if not positives:
            return n.AndNot(n.EVERY, _any([x.query for x in negatives])) if negatives else None
        needed = required_words(len(positives)) if merge_synonyms else len(positives)
        if needed < len(positives):
            # A long question: most of its words, not all (search/engine/whoosh/scoring.py enforces it).
            positive = n.Or(tuple(positives), minmatch=needed)
        else:
            positive = positives[0] if len(positives) == 1 else n.And(tuple(positives))
        if counted:
            positive = n.And((positive, *counted))
        if negatives:
            return n.AndNot(positive, _any([x.query for x in negatives]))
        return positive

    def _only_counted(self, word: Word) -> bool:
        if word.exact or word.prefix:
            return False
        whole, _ = self._analyze(word.text)
        return bool(whole) and whole[0][0] in COUNTED_LEMMAS

    def _merge_synonym_runs(self, children, state):
        """Replace a run of plain words that spells out an abbreviation by (run OR abbreviation)."""
        longest = self.synonyms.max_length()
        if longest < 2:
            return children
        out, i = [], 0
        while i < len(children):
            matched = False
            for size in range(min(longest, len(children) - i), 1, -1):
                run = children[i:i + size]
                if not all(isinstance(c, Word) and not c.exact and not c.prefix for c in run):
                    continue
                key = tuple(w[0][0] for w in (self._analyze(c.text)[0] for c in run) if w)
                alternatives = self.synonyms.alternatives(key) if len(key) == size else []
                if alternatives:
                    run_query = self._and(run, state, merge_synonyms=False)
                    out.append(self._with_alternatives(run_query, alternatives, state))
                    i += size
                    matched = True
                    break
            if not matched:
                out.append(children[i])
                i += 1
        return out



def _initial(word: Word) -> bool:
    """A single letter typed as a word (`Е.` of `Фалалеева Е. Е.`; the dot is no part of
    the word)."""
    return len(word.text) == 1 and word.text.isalpha() and not word.exact and not word.prefix


def _partial_words(tree: Group, only_counted: Callable[[Word], bool]) -> list:
    """The words a partial match is counted over: initials (`Фалалеева Е. Е.`), a first
    name beside a surname, recent years (`масленица 2021`, not `война 1812`) and the
    words only counted beside others (`будет`, `новости`) only when nothing else is
    typed; else every publication holding
    two letters «е» was a partial match of a surname, every one holding «2021» of a
    year's event, and every one holding «будет» of a question."""
    given = given_name_places(tree.children)  # `Ирина` of `Ирина Морощук`: other Ирины
    longer = [c for k, c in enumerate(tree.children)
              if not (isinstance(c, Word) and (len(c.text) == 1 or recent_year(c.text)
                                               or only_counted(c) or k in given))]
    return longer if any(isinstance(c, Word | Phrase) for c in longer) else list(tree.children)

@dataclass(frozen=True)
class _Negated:
    """An exclusion while compiling: it becomes the `negative` of an AndNot."""

    query: n.Node


_COMPILED = (n.Term, n.Prefix, n.Phrase, n.Sequence, n.Or, n.And, n.AndNot, n.Every,
             n.Nothing, n.ExactForm, n.Dated, _Negated)


def _any(queries: list[n.Node]) -> n.Node:
    return n.Or(tuple(queries))


@dataclass
class _CompileState:
    lemmas: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    words: list[str] = field(default_factory=list)
    skipped_stop_words: bool = False
    short_prefixes: list[str] = field(default_factory=list)
    top_lemmas: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    # the query's one word (stop words aside): its derivational family matches too
    family: bool = False
