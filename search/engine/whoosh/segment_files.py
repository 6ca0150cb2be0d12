"""Files of our own inside a new segment (its titles, its words): written by the
rebuild's segment writer, packed by Whoosh into the segment's compound file."""

from __future__ import annotations

import pickle

__all__ = ["save_pickled", "read_pickled"]


def save_pickled(storage, segment, ext: str, value) -> None:
    """`value` pickled as the segment's file with extension `ext`."""
    with segment.create_file(storage, ext) as fh:
        fh.write(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def read_pickled(storage, segment, ext: str):
    """The segment's file with extension `ext`, unpickled; None if it has none."""
    try:
        if segment.is_compound():
            compound = segment.open_compound_file(storage)
            try:
                with compound.open_file(segment.make_filename(ext)) as fh:
                    return pickle.loads(fh.read())
            finally:
                compound.close()
        with segment.open_file(storage, ext) as fh:
            return pickle.loads(fh.read())
    except (OSError, KeyError, NameError, EOFError, pickle.UnpicklingError):
        return None
