"""Kartoteka indexer: sources (JSON Lines, raw pages, HTML) to Publication records to the index."""
