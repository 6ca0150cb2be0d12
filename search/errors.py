"""The core's typed errors. No HTTP or CLI knowledge here; api/ and indexer/cli map them.

SearchError
 ├── ConfigError      a setting or dictionary file is unusable
 ├── IndexMissing     no index has been built yet
 ├── SchemaMismatch   the index on disk was built by an incompatible version
 ├── QueryError       the request cannot be searched (bad date, bad sort, ...)
 ├── NotFound         no publication with that id
 ├── InvalidRecord    a publication record is malformed
 ├── ExtractError     a source page cannot be turned into a publication
 ├── IndexBusy        the index could not be written in time (lock held too long)
 ├── EmptyRebuild     a full rebuild found nothing to index; the old index stays
 ├── EngineUnavailable the search cluster did not answer or refused a request
 └── RebuildFailed    a rebuild stopped before its switch; the old index stays
"""

__all__ = [
    "SearchError", "ConfigError", "IndexMissing", "SchemaMismatch", "QueryError",
    "NotFound", "InvalidRecord", "ExtractError", "IndexBusy", "EmptyRebuild", "EMPTY_SOURCES", "NONE_MADE",
    "EngineUnavailable", "RebuildFailed", "LEFT_AS_IT_WAS", "PREVIOUS_KEPT",
]


class SearchError(Exception):
    """Base of every error the core raises on purpose."""


class ConfigError(SearchError):
    """A setting or a dictionary file is unusable."""


class IndexMissing(SearchError):
    """No index has been built at the configured location."""


class SchemaMismatch(SearchError):
    """The index on disk was written with an incompatible schema version."""


class IndexDamaged(SearchError):
    """The live index's files cannot be read (a disk fault, a file cut short, a copy
    interrupted): a reindex builds a new generation beside it."""


class QueryError(SearchError):
    """A search request cannot be carried out as given; `parameter` names the field of
    the request at fault, where one is."""

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


class NotFound(SearchError):
    """No publication has the requested id."""

    @classmethod
    def publication(cls, pid: str) -> "NotFound":
        """The one wording of every engine and the service (shown by the API)."""
        return cls(f"публикации с id {pid!r} нет")


class InvalidRecord(SearchError):
    """A publication record is missing required fields or has malformed ones."""


class ExtractError(SearchError):
    """A source page could not be turned into a publication."""


class IndexBusy(SearchError):
    """The index lock could not be taken in time."""


class IndexNotWritable(SearchError):
    """A change could not be written: the index directory is not the server's to write
    (owned by another user, read-only) or its disk is full. Searches still work."""


class EmptyRebuild(SearchError):
    """A reindex read no publication at all, so the previous index is kept: a full one,
    or an incremental one that would have removed every publication of its sources (an
    export directory not mounted, emptied by mistake)."""


# What a run that stopped says of the index (a full one: the generation before it serves).
LEFT_AS_IT_WAS = "индекс оставлен как был"
PREVIOUS_KEPT = "прежний индекс на месте"
# ... and what it says instead when there was no index before it (a first reindex).
NONE_MADE = "индекс не создан: прежнего не было"
EMPTY_SOURCES = f"из источников не прочитано ни одной публикации; {LEFT_AS_IT_WAS}"


class EngineUnavailable(SearchError):
    """The search cluster did not answer, or refused a request it should have taken."""


class WritesUnavailable(EngineUnavailable):
    """The engine answers searches but cannot take a change now (a cluster that has lost
    its manager node): said at once, not after the write has waited out its timeouts."""


class RebuildFailed(SearchError):
    """A rebuild stopped before its switch; the previous generation stays live."""
