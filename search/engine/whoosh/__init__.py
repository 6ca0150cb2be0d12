"""The embedded engine: Whoosh segments on local disk, scored with numpy."""

from search.engine.whoosh.engine import WhooshEngine

__all__ = ["WhooshEngine"]
