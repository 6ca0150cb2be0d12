"""The query language's syntax: the tree of words, phrases, groups and exclusions, and the
lexer of user text into tokens (search/query_parser.py builds the tree of them).

    words           all required by default; the caller may relax to any of them
    "a phrase"~2    matched on lemmas, with optional slop
    a OR b, a | b   either
    -word, NOT word exclude
    ( ... )         grouping
    библиот*        prefix
    =стали          this exact word form only

It never fails on ordinary text: unbalanced quotes and parentheses, lone operators
and stray punctuation are ignored, and the result says what was ignored. The tree
knows nothing of lemmas or engines: search/query.py compiles it. The text is first
cleaned by search/query_clean.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.analysis import WORD_RE
from search.morph import is_cyrillic

__all__ = ["Word", "Phrase", "Not", "Group", "lex", "OPERATOR_WORDS"]

_TOKEN_RE = re.compile(
    rf'"(?P<phrase>[^"]*)"(?:~(?P<slop>[+-]?\d+)(?![\w.])|~(?P<badslop>[^\s()|"]*))?'
    rf'|(?P<neglpar>(?<![^\s(])-\()|(?P<lpar>\()|(?P<rpar>\))|(?P<pipe>\|+)'
    rf'|(?P<field>(?<![\w-])(?i:title|author|text|body|topic|library|заголовок|автор|текст|тема)'
    rf':(?=[^\s:]))'
    rf'|(?P<qhead>(?<![\w-])[^\W\d_]{{2,}})\?[^\W_]+'
    rf'|(?P<neg>(?<![^\s(])-)?(?P<exact>=)?(?P<word>{WORD_RE.pattern})(?P<star>\*)?'
    rf'(?P<modifier>[~^]\d*(?:\.\d+)?(?![\w.]))?'
    rf'|(?P<quote>")|(?P<lonestar>(?<!\w)\*)'
)
_OPERATORS = {"OR": "or", "ИЛИ": "or", "AND": "and", "NOT": "not", "НЕ": "not"}
OPERATOR_WORDS = frozenset(_OPERATORS)
# Among Russian words, English operators typed in lowercase mean the operators too, and
# so does «или» between two words (`выставка или викторина`); «не» in lowercase is the
# particle of every other question, never NOT; nor is «НЕ» in a query typed all in
# capitals (Caps Lock): `ЧТО НЕ ТАК` is three words.
_LOWERCASE_OPERATORS = {"or": "or", "and": "and", "not": "not"}
_NOT_IN_CAPS_LOCK = "НЕ"
_BETWEEN_WORDS = "или"
# Every double quote a keyboard, a word processor or smart punctuation types: «…», „…“,
# “…” (Word, macOS, iOS), ‟…”, the full-width one
_QUOTES = str.maketrans(dict.fromkeys("«»„“”‟〝〞＂", '"'))
MAX_SLOP = 100  # `"a b"~N`: farther apart than this, the words are not a phrase


# -- syntax tree -------------------------------------------------------------------
@dataclass
class Word:
    text: str
    exact: bool = False
    prefix: bool = False


@dataclass
class Phrase:
    words: list[str]
    slop: int = 1
    # (first day, last day) of a month or season beside a year (`мае 2025`,
    # search/date_words.py): also matches what was published then, and the month
    # named in what was published in the weeks after
    dated: tuple | None = None


@dataclass
class Not:
    child: object


@dataclass
class Group:
    op: str  # "and" | "or"
    children: list = field(default_factory=list)


# -- lexer and parser ----------------------------------------------------------------
def _slop(written: str | None, warnings: list[str]) -> int:
    """The phrase's slop from `~N`: none or `~0` is the exact phrase (slop 1, the words
    side by side), a negative one too, with a warning; over MAX_SLOP, MAX_SLOP."""
    if written is None:
        return 1
    value = int(written)
    if value < 0:
        warnings.append(f"расстояние во фразе «~{written}» не может быть отрицательным: "
                        "искалась точная фраза")
        return 1
    if value > MAX_SLOP:
        warnings.append(f"расстояние во фразе «~{written}» уменьшено до {MAX_SLOP}")
        return MAX_SLOP
    return max(value, 1)


def lex(text: str, warnings: list[str]) -> list[tuple[str, object]]:
    """Tokens of the text: (kind, value) with kind word, phrase, or, and, not, ( and )."""
    tokens: list[tuple[str, object]] = []
    russian = is_cyrillic(text)  # `выставка not конкурс`: NOT
    caps_lock = text.upper() == text
    text = text.translate(_QUOTES)
    for m in _TOKEN_RE.finditer(text):
        if m.group("phrase") is not None:
            words = [w.group() for w in WORD_RE.finditer(m.group("phrase"))]
            if m.group("badslop") is not None:
                warnings.append(f"расстояние во фразе пишется числом (~3), а не "
                                f"«~{m.group('badslop')}»: искалась точная фраза")
            if words:
                tokens.append(("phrase", Phrase(words, _slop(m.group("slop"), warnings))))
        elif m.group("neglpar"):  # -( ... ) excludes the group, like NOT ( ... )
            tokens += [("not", None), ("(", None)]
        elif m.group("lpar"):
            tokens.append(("(", None))
        elif m.group("rpar"):
            tokens.append((")", None))
        elif m.group("pipe"):
            tokens.append(("or", None))
        elif m.group("field"):  # Lucene's `title:выставка`
            warnings.append(f"поиск по полю «{m.group('field')}» не поддерживается: слова "
                            "ищутся во всей публикации")
        elif m.group("qhead"):  # Lucene's one-letter wildcard `выст?вка`
            warnings.append(f"«?» внутри слова не поддерживается: искались слова, "
                            f"начинающиеся на «{m.group('qhead')}»")
            tokens.append(("word", Word(m.group("qhead"), prefix=True)))
        elif m.group("quote"):
            warnings.append("непарная кавычка пропущена")
        elif m.group("lonestar"):
            warnings.append("звёздочка ставится после начала слова (библиот*): "
                            "одна она пропущена")
        else:
            word = m.group("word")
            if m.group("modifier"):  # Lucene's fuzzy `слово~2` and boost `слово^5`
                warnings.append(f"«{m.group('modifier')}» после слова пропущено: опечатки "
                                "исправляются сами, а веса слов не задаются")
            operator = _OPERATORS.get(word) or (russian and _LOWERCASE_OPERATORS.get(word))
            if word == _NOT_IN_CAPS_LOCK and caps_lock:
                operator = None
            if operator and not m.group("neg") and not m.group("exact"):
                tokens.append((operator, None))
                continue
            if word == _BETWEEN_WORDS and not m.group("neg") and not m.group("exact"):
                tokens.append(("or?", None))  # OR only between two words: see below
                continue
            node = Word(word, exact=bool(m.group("exact")), prefix=bool(m.group("star")))
            tokens.append(("word", Not(node) if m.group("neg") else node))
    return _between_words(tokens)


def _between_words(tokens: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """A lowercase «или» between two words (or phrases) joins just those two, as a
    sentence means it (`консультацию нотариуса или адвоката`: the lawyer OR the notary,
    the consultation in any case), not everything before it OR everything after as the
    capital operator does; a chain (`а или б или в`) is one group. Anywhere else
    (`или так`, `вы или`) it is the stop word it is. The tokens it adds carry the value
    `NATURAL_OR`: a query with them is still plain words (search/query.py)."""
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind != "or?":
            out.append((kind, value))
            i += 1
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        chained = bool(out) and out[-1] == (")", NATURAL_OR)
        if out and (out[-1][0] in _OPERANDS or chained) and after is not None \
                and after[0] in _OPERANDS:
            if chained:  # `а или б или в`: the group grows
                out[-1:] = [("or", NATURAL_OR), after, (")", NATURAL_OR)]
            else:
                out[-1:] = [("(", NATURAL_OR), out[-1], ("or", NATURAL_OR), after,
                            (")", NATURAL_OR)]
            i += 2
            continue
        i += 1
    return out


NATURAL_OR = "или"
_OPERANDS = ("word", "phrase")
