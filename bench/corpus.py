"""The benchmark corpus: the real one in ../shared/corpus, or a seeded, scaled-up copy.

    python -m bench.corpus --docs 100000          # writes bench/out/corpus/gen-100000-seed5.jsonl

Without ../shared/corpus the shipped sample (search/data/sample/publications.jsonl) is
used. The generator builds news-like documents from the real corpus: bodies are real
sentences drawn at random (so the word-frequency shape, the morphology and the phrases
are the corpus's own) up to a length drawn from the real length distribution; title,
author, topic and library are those of a randomly drawn real record, the date that
record's date moved by up to half a year. Vocabulary does not grow with N (no new
words are invented), which flatters the lemma cache a little at large N.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.report import OUT_DIR, ROOT, common_parser

__all__ = ["CORPUS_DIR", "SAMPLE_FILE", "Corpus", "corpus_files", "load_records", "generate",
           "prepare"]

CORPUS_DIR = ROOT.parent / "shared" / "corpus"
SAMPLE_FILE = ROOT / "search" / "data" / "sample" / "publications.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Corpus:
    """JSONL files ready to index, and what they hold."""

    files: list[Path]
    source: str
    docs: int
    words: int
    generated: bool = False
    seed: int | None = None

    def describe(self) -> dict:
        return {"source": self.source, "files": [str(f) for f in self.files], "docs": self.docs,
                "words": self.words, "generated": self.generated, "seed": self.seed}


def corpus_files(path: Path | None = None) -> list[Path]:
    """The *.jsonl files of a corpus directory (or the one file given); the default corpus."""
    if path is None:
        path = CORPUS_DIR if any(CORPUS_DIR.glob("*.jsonl")) else SAMPLE_FILE
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise SystemExit(f"no *.jsonl files in {path}")
        return files
    if not path.is_file():
        raise SystemExit(f"corpus {path} does not exist")
    return [path]


def load_records(path: Path | None = None) -> list[dict]:
    """Every record of the corpus, in file order."""
    records = []
    for file in corpus_files(path):
        with file.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    return records


def _words(record: dict) -> int:
    return len((record.get("title") or "").split()) + len((record.get("text") or "").split())


def generate(records: list[dict], n: int, seed: int = 5) -> Iterator[dict]:
    """N news-like records built from the real ones, the same for the same seed."""
    rng = random.Random(seed)
    sentences = [s for r in records for p in (r.get("text") or "").split("\n")
                 for s in _SENTENCE.split(p) if s.strip()]
    lengths = [max(20, len((r.get("text") or "").split())) for r in records]
    if not sentences:
        raise SystemExit("the corpus has no text to generate from")
    for i in range(n):
        meta = rng.choice(records)
        target = rng.choice(lengths)
        paragraphs, paragraph, count = [], [], 0
        while count < target:
            s = rng.choice(sentences)
            paragraph.append(s)
            count += len(s.split())
            if len(paragraph) >= rng.randint(3, 6):
                paragraphs.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(" ".join(paragraph))
        yield {"id": f"gen{seed}-{i:06d}", "url": None,
               "title": rng.choice(records).get("title") or paragraphs[0][:120],
               "date": _shifted(meta.get("date"), rng), "author": meta.get("author"),
               "topic": meta.get("topic"), "library": meta.get("library"),
               "text": "\n".join(paragraphs)}


def _shifted(date: str | None, rng: random.Random) -> str | None:
    if not date:
        return None
    try:
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        return None
    return (day + dt.timedelta(days=rng.randint(-183, 183))).isoformat()


def prepare(corpus: Path | None = None, docs: int | None = None, seed: int = 5,
            out_dir: Path = OUT_DIR) -> Corpus:
    """The corpus as asked: as it is, its first N records, or N generated records."""
    files = corpus_files(corpus)
    source = str(corpus or (CORPUS_DIR if files[0].parent == CORPUS_DIR else files[0]))
    records = load_records(corpus)
    if docs is None:
        return Corpus(files, source, len(records), sum(map(_words, records)))
    generated = docs > len(records)
    name = f"gen-{docs}-seed{seed}" if generated else f"first-{docs}"
    target = out_dir / "corpus" / f"{_slug(source)}-{name}.jsonl"
    chosen = generate(records, docs, seed) if generated else iter(records[:docs])
    words = 0
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for record in chosen:
                words += _words(record)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        tmp.rename(target)
    else:
        words = sum(_words(r) for r in load_records(target))
    return Corpus([target], source, docs, words, generated, seed if generated else None)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", Path(text).name).strip("-") or "corpus"


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("corpus", __doc__)
    args = parser.parse_args(argv)
    c = prepare(args.corpus, args.docs if args.docs is not None else 100_000, args.seed, args.out)
    print(f"{c.files[0]}: {c.docs:,} documents, {c.words:,} words "
          f"(from {c.source}{', generated' if c.generated else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
