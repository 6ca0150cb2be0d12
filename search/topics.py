"""Topics for publications without a rubric, from an editable dictionary of lemmas."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from search.analysis import RU_ANALYZER
from search.errors import ConfigError

__all__ = ["TopicDictionary", "DEFAULT_TOPICS_FILE"]

DEFAULT_TOPICS_FILE = Path(__file__).parent / "data" / "topics_ru.txt"


@dataclass(frozen=True)
class TopicDictionary:
    """Topic name -> the lemmas that signal it."""

    rules: dict[str, frozenset[str]]
    min_hits: int = 2

    @classmethod
    def load(cls, path: Path | None = None) -> TopicDictionary:
        path = Path(path) if path else DEFAULT_TOPICS_FILE
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read topic dictionary {path}: {exc}") from exc
        rules = {}
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, words = line.partition(":")
            if not sep or not words.strip():
                raise ConfigError(f"{path}:{number}: expected 'Topic: word word ...'")
            lemmas = {t.text for t in RU_ANALYZER(words, mode="query")}
            rules[name.strip()] = frozenset(lemmas)
        return cls(rules)

    def assign(self, title: str, body: str, limit: int = 3) -> tuple[str, ...]:
        """Topics whose lemmas occur often enough; title words count three times."""
        counts = Counter(t.text for t in RU_ANALYZER(body[:20000]))
        for t in RU_ANALYZER(title):
            counts[t.text] += 3
        scored = []
        for topic, lemmas in self.rules.items():
            hits = sum(counts[lemma] for lemma in lemmas)
            if hits >= self.min_hits:
                scored.append((hits, topic))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return tuple(topic for _, topic in scored[:limit])
