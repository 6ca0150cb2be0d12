"""Bytes of a source file to text: UTF-8, a declared charset, or a detected one (cp1251)."""

from __future__ import annotations

import re

from search.errors import ExtractError

__all__ = ["decode_bytes"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def decode_bytes(data: bytes, name: str = "") -> str:
    """Decode a page; refuse binary data with a clear message."""
    if not data.strip():
        raise ExtractError("пустой файл")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError("двоичный файл, а не текст или HTML")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's «Юникод»: UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ExtractError("испорченный текст в UTF-16") from None
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "utf_8", "cp866", "latin_1"]).best()
    if best is None:
        raise ExtractError("не удаётся определить кодировку текста")
    return str(best)
