"""Copies of one publication (search/duplicates.py) as the `group` of each document.

Groups are decided when documents are written: a rebuild and a sync count them over the
whole index (union of shared text and address keys, as the Whoosh engine does when it
opens a generation), a PUT joins the copies the index already holds. A DELETE never
splits a group: the copies left keep their label, which is only a name.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from opensearchpy import OpenSearch, helpers

from search.duplicates import copy_keys, group_ids
from search.engine.opensearch.bulk import bulk
from search.engine.opensearch.documents import from_source, to_source
from search.models import Publication

__all__ = ["labels_of", "existing", "regroup_all", "relabel", "group_for", "StreamedGroups"]

CHUNK = 500


def labels_of(keys: dict[str, tuple[str | None, str | None]]) -> dict[str, str]:
    """A group label per id: the id of the first member of its group of copies."""
    ids = list(keys)
    groups = group_ids([keys[i] for i in ids])
    return {pid: ids[int(g)] for pid, g in zip(ids, groups, strict=True)}


class StreamedGroups:
    """Labels given while a rebuild streams its publications: a copy takes the label of
    the earlier copy it shares a key with, so only publications that join two groups
    already labelled (rare) need writing again once `labels_of` has the whole picture."""

    def __init__(self, known: dict[str, tuple] | None = None):
        """`known`: id -> (source, text key, url key, group) of documents already indexed
        (`existing`), whose copies then keep their group."""
        self.given: dict[str, str] = {}
        self._by_key: dict[tuple[int, str], str] = {}
        for _source, *keys, group in (known or {}).values():
            for key in enumerate(keys):
                if key[1] is not None:
                    self._by_key.setdefault(key, group)

    def label(self, pid: str, keys: tuple[str | None, ...]) -> str:
        known = [(n, k) for n, k in enumerate(keys) if k is not None]
        found = [self._by_key[key] for key in known if key in self._by_key]
        label = found[0] if found else pid
        for key in known:
            self._by_key.setdefault(key, label)
        self.given[pid] = label
        return label


def existing(client: OpenSearch, index: str) -> dict[str, tuple]:
    """id -> (source, text_key, url_key, group) of every document."""
    out = {}
    for hit in helpers.scan(client, index=index, size=2_000,
                            _source=["id", "source", "text_key", "url_key", "group"]):
        s = hit["_source"]
        out[s["id"]] = (s.get("source") or "", s.get("text_key"), s.get("url_key"),
                        s.get("group"))
    return out


def regroup_all(client: OpenSearch, index: str) -> int:
    """Recount the groups of copies over the whole index. A group whose members share one
    label that no other group has is left as it is; the others get a new label each."""
    known = existing(client, index)
    members: dict[str, list[str]] = {}
    for pid, label in labels_of({pid: (e[1], e[2]) for pid, e in known.items()}).items():
        members.setdefault(label, []).append(pid)
    owner: dict[str, str] = {}  # a current label -> the group that keeps it
    changes: dict[str, str] = {}
    for group, pids in members.items():
        current = {known[p][3] for p in pids}
        if len(current) == 1 and owner.setdefault(next(iter(current)), group) == group:
            continue
        fresh = uuid.uuid4().hex
        changes.update((p, fresh) for p in pids)
    return relabel(client, index, changes)


def relabel(client: OpenSearch, index: str, labels: dict[str, str]) -> int:
    """Give documents another group. Whole documents are written again: a partial update
    would re-index from _source, which leaves out the analysis fields (mapping.py)."""
    if not labels:
        return 0
    ids = list(labels)

    def actions() -> Iterator[dict]:
        for start in range(0, len(ids), CHUNK):
            found = client.mget(index=index, body={"ids": ids[start:start + CHUNK]},
                                _source=["pub"])
            for doc in found["docs"]:
                if doc.get("found"):
                    pub = from_source(doc["_source"])
                    yield {"_index": index, "_id": pub.id,
                           "_source": to_source(pub, labels[pub.id])}

    return bulk(client, actions())


def group_for(client: OpenSearch, index: str, pub: Publication) -> str:
    """The group of `pub` among what the index holds: that of its copies (merging their
    groups if it joins several), else a new one."""
    tk, uk = copy_keys(pub)
    should = ([{"term": {"text_key": tk}}] if tk else []) + (
        [{"term": {"url_key": uk}}] if uk else [])
    if not should:
        return uuid.uuid4().hex
    resp = client.search(index=index, body={
        "size": 1000, "_source": ["group"], "query": {"bool": {
            "should": should, "minimum_should_match": 1,
            "must_not": [{"ids": {"values": [pub.id]}}]}}})
    groups = sorted({h["_source"]["group"] for h in resp["hits"]["hits"]})
    if not groups:
        return uuid.uuid4().hex
    if len(groups) > 1:  # this publication joins groups: the others take the first's label
        members = client.search(index=index, body={
            "size": 10_000, "_source": False, "query": {"terms": {"group": groups[1:]}}})
        relabel(client, index, {h["_id"]: groups[0] for h in members["hits"]["hits"]})
    return groups[0]
