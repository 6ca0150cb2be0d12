"""The live generation of an OpenSearchEngine (search/engine/opensearch/engine.py mixes
this in): its token, looked up at most every `reload_interval` seconds, and what is
derived from it (the lexicon, the suggestion vocabulary), read from its meta document and
kept until the token changes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext

from search.engine.opensearch.derived import Derived, TermReader, decode, vocabulary_of
from search.engine.opensearch.failures import cluster_errors
from search.engine.opensearch.generations import MAPPING_VERSION
from search.errors import SchemaMismatch
from search.spelling import SpellingLexicon

__all__ = ["LiveGeneration"]


class LiveGeneration:
    """The live generation of OpenSearchEngine, over the state its __init__ sets
    (`settings`, `gens`, `_token`, `_checked`, `_derived`, `_lexicon`)."""

    # -- the live generation -----------------------------------------------------
    def _live(self) -> tuple[str, str]:
        now = time.monotonic()
        if self._token is None or now - self._checked >= self.settings.reload_interval:
            index = self.gens.require_live()
            self._token = (index, self.gens.meta(index).get("changed", ""))
            self._checked = now
        return self._token

    @cluster_errors
    def generation(self) -> str:
        index, changed = self._live()
        return f"{index}:{changed}" if changed else index

    def invalidate(self) -> None:
        """Look at the cluster on the next call (this process has just written)."""
        self._checked = float("-inf")

    def pinned(self) -> AbstractContextManager:
        """Nothing to pin: the cluster is asked at most every `reload_interval`."""
        return nullcontext()

    def _meta(self) -> tuple[Derived | None, dict]:
        token = self._live()
        if self._derived is None or self._derived[0] != token:
            meta = self.gens.meta(token[0])
            if meta.get("version") != MAPPING_VERSION:
                raise SchemaMismatch(
                    f"индекс OpenSearch {token[0]} построен другой версией Kartoteka "
                    f"(формат {meta.get('version')}, эта читает {MAPPING_VERSION}): "
                    f"перестройте его командой `kartoteka reindex`")
            if self._derived is not None and self._blob_key(self._derived) == (
                    token[0], meta.get("blob_mark")):
                derived = self._derived[1]  # a PUT's change: the blob is as it was
            else:  # megabytes at 100,000 publications: not read again after every PUT
                blob = self.gens.meta(token[0], with_blob=True).get("blob")
                derived = decode(blob) if blob else None
            self._derived = (token, derived, meta)
        return self._derived[1], self._derived[2]

    @staticmethod
    def _blob_key(derived: tuple) -> tuple[str, str | None]:
        """(index, the mark of its blob) of a `_derived` entry."""
        return derived[0][0], derived[2].get("blob_mark")

    def _doc_freq(self):
        derived, _ = self._meta()
        table = derived.body_df if derived else {}
        return table.get, (derived.documents if derived else 0)

    @cluster_errors
    def words(self) -> Mapping[str, int]:
        derived, _ = self._meta()
        return derived.words() if derived else {}

    @cluster_errors
    def spelling(self) -> SpellingLexicon:
        """The generation's lexicon, made once per change of it: built anew for every
        search, its length buckets alone took 70 ms on the real corpus (and the words it
        had learned it knew were forgotten)."""
        derived, _ = self._meta()
        token = self._blob_key(self._derived)  # a PUT leaves the lexicon's words as they were
        if self._lexicon is None or self._lexicon[0] != token:
            derived = derived or Derived({}, {}, {}, ([], [""], [True], [], [], []), 0)
            self._lexicon = (token, SpellingLexicon(TermReader(derived), derived.words()))
        return self._lexicon[1]

    @cluster_errors
    def vocabulary(self):
        derived, _ = self._meta()
        derived = derived or Derived({}, {}, {}, ([], [""], [True], [], [], []), 0)
        return vocabulary_of(derived)
