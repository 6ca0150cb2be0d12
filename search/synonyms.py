"""The editable abbreviation and synonym dictionary, applied at query time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from search.analysis import WORD_RE, query_terms
from search.dictionary_files import read_dictionary_lines
from search.errors import ConfigError
from search.morph import fold_yo

__all__ = ["SynonymDictionary", "DEFAULT_SYNONYMS_FILE"]

DEFAULT_SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms_ru.txt"


def _lemmas(text: str) -> tuple[str, ...]:
    """Top lemma per word position, as the index would hold it."""
    by_pos: dict[int, str] = {}
    for t in query_terms(text):
        if not t.compound:
            by_pos.setdefault(t.pos, t.text)
    return tuple(by_pos[p] for p in sorted(by_pos))


@dataclass(frozen=True)
class SynonymDictionary:
    """Groups of equivalent expressions, keyed by their lemma sequences."""

    groups: tuple[tuple[str, ...], ...]
    by_lemmas: dict[tuple[str, ...], int]

    @classmethod
    def load(cls, path: Path | None = None) -> SynonymDictionary:
        path = Path(path) if path else DEFAULT_SYNONYMS_FILE
        lines = read_dictionary_lines(path, "словарь синонимов")
        groups, by_lemmas = [], {}
        commented = False
        for number, line in enumerate(lines, 1):
            line = line.strip()
            commented = commented or line.startswith("#")
            if not line or line.startswith("#"):
                continue
            variants = tuple(v.strip() for v in line.split("=") if v.strip())
            if len(variants) < 2:
                raise ConfigError(f"{path}:{number}: ожидалась строка вида «А = Б», а это "
                                  f"{line!r}")
            for v in variants:
                key = _lemmas(v)
                if key:
                    by_lemmas.setdefault(key, len(groups))
            groups.append(variants)
        if not groups and not commented:  # cut short, or written over: the shipped list
            # was switched off with it, unsaid (a methodologist's trial)
            raise ConfigError(f"{path}: словарь синонимов пуст; если синонимы не нужны, "
                              "оставьте в файле строку-комментарий (# без синонимов)")
        return cls(tuple(groups), by_lemmas)

    def alternatives(self, lemmas: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The other variants of the group whose lemma sequence is `lemmas`, as lemma tuples."""
        index = self.by_lemmas.get(lemmas)
        if index is None:
            return []
        keys = {_lemmas(v) for v in self.groups[index]}
        keys.discard(lemmas)
        return sorted(k for k in keys if k)

    def words(self) -> frozenset[str]:
        """Every word of every variant, lowercase with ё folded: known words, never typos."""
        return frozenset(fold_yo(word.lower()) for variant in (v for g in self.groups for v in g)
                         for word in WORD_RE.findall(variant))

    def max_length(self) -> int:
        return max((len(k) for k in self.by_lemmas), default=1)
