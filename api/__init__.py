"""Kartoteka HTTP API: a thin Falcon layer over search/."""
