"""Generations in the cluster: index names, the alias, and the meta index.

A generation is the index `<prefix>-<generation>`, the generation a UTC timestamp and a
counter, so names sort by age. The alias `<prefix>` names the live one and moves in one
`_aliases` request. The meta index `<prefix>-meta` keeps, per generation (document id:
its index name), when it was built, a token that changes with every write (the cache
key of `Engine.generation()`), and the lexicon and vocabulary (derived.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import uuid

from opensearchpy import OpenSearch

from search.engine.opensearch.derived import Derived, decode, encode
from search.engine.opensearch.mapping import META_BODY
from search.errors import EngineUnavailable, IndexMissing

__all__ = ["Generations", "MAPPING_VERSION", "ABANDONED_AFTER_HOURS"]

# Bump when mapping.py or the token strings of documents.py change incompatibly: an
# index built before is then not `ready` and `reindex --if-missing` rebuilds it.
MAPPING_VERSION = 2  # 2: form counts in the derived data; the blob a stored field
# A generation the alias never named is abandoned once it is older than the live one, or
# this old: a rebuild still running elsewhere has a newer name and is younger than this.
ABANDONED_AFTER_HOURS = 6.0
_COUNTER = itertools.count()
_GENERATION = re.compile(r"^\d{8}t\d{12}-\d+-\d+$")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Generations:
    """The alias, the generations behind it and their meta documents."""

    def __init__(self, client: OpenSearch, prefix: str):
        self.client = client
        self.alias = prefix
        self.meta_index = f"{prefix}-meta"

    def new_name(self) -> str:
        """A fresh index name, later than every earlier one of this process."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dt%H%M%S%f")
        return f"{self.alias}-{stamp}-{os.getpid()}-{next(_COUNTER)}"

    def is_generation(self, index: str) -> bool:
        return index.startswith(f"{self.alias}-") and bool(
            _GENERATION.match(index[len(self.alias) + 1:]))

    def live(self) -> str | None:
        """The index the alias names, None when there is none yet."""
        # local: from this node's cluster state, so a search still finds its index while
        # the cluster has no manager node (reads are allowed then; this would wait 30 s)
        found = self.client.indices.get_alias(name=self.alias, ignore=404, local=True)
        if not found or found.get("status") == 404:
            return None
        return sorted(found)[-1]

    def require_live(self) -> str:
        index = self.live()
        if index is None:
            raise self.missing()
        return index

    def missing(self) -> IndexMissing:
        """The error for an alias with no index behind it, naming the aliases there are."""
        others = self.other_aliases()
        which = "им" if len(others) == 1 else "одним из них"
        hint = (f" (в этом кластере есть {', '.join(map(repr, others))}: может быть, "
                f"KARTOTEKA_OPENSEARCH_PREFIX должен быть {which}?)" if others else "")
        return IndexMissing(f"за псевдонимом {self.alias!r} нет индекса OpenSearch{hint}: "
                            f"сначала постройте его командой `kartoteka reindex`")

    def other_aliases(self, at_most: int = 10) -> list[str]:
        """Aliases of the cluster that name one of our generations (a misspelt prefix
        finds nothing; these are what it may have meant). Best effort: [] on failure."""
        try:
            found = self.client.indices.get_alias(local=True)
        except Exception:  # noqa: BLE001 - only a hint for an error already being raised
            return []
        names = {alias for index, entry in found.items()
                 for alias in (entry.get("aliases") or {})
                 if Generations(self.client, alias).is_generation(index)}
        return sorted(names - {self.alias})[:at_most]

    def switch(self, index: str) -> list[str]:
        """Point the alias at `index` in one atomic request; the indices it left."""
        found = self.client.indices.get_alias(name=self.alias, ignore=404)
        old = [] if found.get("status") == 404 else sorted(found)
        actions = [{"remove": {"index": o, "alias": self.alias}} for o in old if o != index]
        actions.append({"add": {"index": index, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        return [o for o in old if o != index]

    def drop(self, index: str) -> None:
        """Delete a generation and its meta document (both may already be gone)."""
        self.client.indices.delete(index=index, ignore_unavailable=True)
        self.client.delete(index=self.meta_index, id=index, refresh=True, ignore=404)
        self.client.delete(index=self.meta_index, id=_state_id(index), refresh=True,
                           ignore=404)

    def abandoned(self) -> list[str]:
        """Generations that no alias names and no rebuild will finish (see
        ABANDONED_AFTER_HOURS)."""
        live = self.live()
        found = self.client.indices.get_settings(index=f"{self.alias}-*",
                                                 name="index.creation_date",
                                                 ignore_unavailable=True)
        cutoff = (dt.datetime.now(dt.UTC).timestamp() - ABANDONED_AFTER_HOURS * 3600) * 1000
        out = []
        for name, data in found.items():
            created = int(data["settings"]["index"]["creation_date"])
            if self.is_generation(name) and name != live and (
                    (live is not None and name < live) or created < cutoff):
                out.append(name)
        return sorted(out)

    def older_unused(self, index: str) -> list[str]:
        """Generations older than `index` that the alias does not name: left by a rebuild
        that was killed before it could clean up."""
        found = self.client.indices.get(index=f"{self.alias}-*", ignore_unavailable=True)
        live = self.live()
        return [name for name in found if self.is_generation(name) and name < index
                and name != live]

    # -- meta --------------------------------------------------------------------
    def ensure_meta(self) -> None:
        if not self.client.indices.exists(index=self.meta_index):
            self.client.indices.create(index=self.meta_index, body=META_BODY,
                                       params={"wait_for_active_shards": "1"}, ignore=400)

    def write_meta(self, index: str, derived: Derived, documents: int,
                   built_at: str | None = None, analysis: int | None = None) -> None:
        """`analysis`: the ANALYSIS_VERSION every document of `index` was analysed by."""
        self.ensure_meta()
        # a meta index made before the field: strict mappings take a new field this way
        self.client.indices.put_mapping(index=self.meta_index, body={
            "properties": {"analysis": META_BODY["mappings"]["properties"]["analysis"]}})
        changed = uuid.uuid4().hex
        self.client.index(index=self.meta_index, id=index, refresh=True, body={
            "index": index, "version": MAPPING_VERSION, "analysis": analysis,
            "built_at": built_at or _now(),
            "changed": changed, "stale": False, "documents": documents,
            "blob": encode(derived)})
        self._write_state(index, changed, stale=False)

    def mark_changed(self, index: str, stale: bool = True) -> None:
        """A write went to `index`: a new cache key; its lexicon is now only close.

        Written to a small document of its own beside the meta document: a partial update
        of that one re-indexes it from _source, which leaves out the blob (the lexicon
        and suggestions were lost), and writing it whole sent megabytes per PUT."""
        self.ensure_meta()
        self._write_state(index, uuid.uuid4().hex, stale)

    def _write_state(self, index: str, changed: str, stale: bool) -> None:
        self.client.index(index=self.meta_index, id=_state_id(index), refresh=True,
                          body={"changed": changed, "stale": stale})

    def meta(self, index: str, with_blob: bool = False) -> dict:
        """The meta document of `index` with its latest change mark ({} when missing)."""
        docs = [{"_id": index, **({"stored_fields": ["blob"]} if with_blob else {})},
                {"_id": _state_id(index)}]
        found = self.client.mget(index=self.meta_index, body={"docs": docs}, _source="true",
                                 ignore=404).get("docs", [])  # 404: no meta index yet
        if found and "error" in found[0]:
            # the meta index's shard not yet started (a cluster coming back): health had
            # said `outdated`, "rebuild it", for the 2-20 s of a recovery
            raise EngineUnavailable(f"служебный индекс {self.meta_index} пока недоступен: "
                                    f"{str(found[0]['error'])[:200]}")
        if not found or not found[0].get("found"):
            return {}
        meta = dict(found[0].get("_source") or {})
        # the mark of the meta document itself: it changes with the blob (a rebuild or an
        # incremental run), not with a PUT's change mark (below)
        meta["blob_mark"] = meta.get("changed")
        blob = (found[0].get("fields") or {}).get("blob")
        if blob:
            meta["blob"] = blob[0] if isinstance(blob, list) else blob
        if len(found) > 1 and found[1].get("found"):
            meta.update(found[1].get("_source") or {})
        return meta

    def derived(self, index: str) -> Derived | None:
        blob = self.meta(index, with_blob=True).get("blob")
        return decode(blob) if blob else None


def _state_id(index: str) -> str:
    """The id of `index`'s change mark in the meta index (no index name has a `#`)."""
    return f"{index}#state"
