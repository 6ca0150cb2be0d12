"""Kartoteka core: Russian analysis, the Whoosh index, and search."""
