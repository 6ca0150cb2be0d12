"""Files a reindex run as root leaves in an index directory another user owns."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["give_to_index_owner"]


def give_to_index_owner(index_dir: Path) -> int:
    """Run as root (`sudo kartoteka reindex`) on an index directory the service's user
    owns, a reindex left root's files in it: the server could read them, but its PUTs
    answered 503 (the new generation, the lock files not writable). What root wrote goes
    to the directory's owner; the number of paths given."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return 0
    try:
        owner = index_dir.stat()
    except OSError:
        return 0
    if owner.st_uid == 0:
        return 0
    given = 0
    for path in [index_dir, *index_dir.rglob("*")]:
        try:
            if path.lstat().st_uid == 0:
                os.lchown(path, owner.st_uid, owner.st_gid)
                given += 1
        except OSError:  # a file a concurrent run removed
            continue
    return given
