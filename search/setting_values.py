"""One setting's value read and checked (search/settings.py): an environment variable's
text converted to the field's type, a number within its range, a base path and CORS
origins in the form browsers send them. Each bad value is a ConfigError naming its
variable.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from search.errors import ConfigError

__all__ = ["normal_base_path", "normal_origin", "convert_setting", "check_range"]

_BASE_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]+)+")


def normal_base_path(value: str) -> str:
    """`/search` from `/search/`, `search` or `/search`; "" for the root."""
    path = "/" + value.strip().strip("/") if value.strip().strip("/") else ""
    if path and (not _BASE_PATH.fullmatch(path) or "/../" in path + "/" or "/./" in path + "/"):
        raise ConfigError(f"KARTOTEKA_BASE_PATH: {value!r} — не путь вида /search (буквы, "
                          "цифры, . _ ~ - между косыми чертами)")
    return path


_ORIGIN = re.compile(r"(https?)://([^/?#\s]+)/?", re.IGNORECASE)


def normal_origin(value: str) -> str:
    """A CORS origin as browsers send it (scheme://host[:port], lower case), or "*".

    A trailing slash, as pasted from the address bar, is dropped; anything else that a
    browser could never send (no scheme, a path) is an error rather than never matching.
    """
    if value == "*":
        return value
    found = _ORIGIN.fullmatch(value.strip())
    if not found:
        raise ConfigError(f"KARTOTEKA_CORS_ORIGINS: {value!r} — не origin: пишите так: "
                          "https://library.example.ru (схема, хост и порт, если он есть)")
    return f"{found[1].lower()}://{_ascii_host(found[2].lower(), value)}"


def _ascii_host(host: str, value: str) -> str:
    """A host as browsers send it in an Origin header: a Cyrillic domain in punycode
    (`библиотека.рф` -> `xn--80abaqnbpf2a4b.xn--p1ai`; unconverted it never matched)."""
    if host.isascii():
        return host
    name, colon, port = host.rpartition(":")
    if not (colon and port.isdigit()):
        name, colon, port = host, "", ""
    try:
        return name.encode("idna").decode("ascii") + colon + port
    except UnicodeError:
        raise ConfigError(f"KARTOTEKA_CORS_ORIGINS: в {value!r} хост, какого браузер не "
                          "пришлёт") from None


_SWITCH = {"true": "1", "yes": "1", "on": "1", "false": "0", "no": "0", "off": "0"}


def convert_setting(f: dataclasses.Field, raw: str):
    kind, env = str(f.type), f.metadata["env"]
    if "tuple" in kind:
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if "Path" in kind:
        return Path(raw)
    if kind == "int" and (f.metadata["low"], f.metadata["high"]) == (0, 1):  # a switch
        raw = _SWITCH.get(raw.strip().lower(), raw)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        what = "целое число" if kind == "int" else "число"
        raise ConfigError(f"{env}={raw!r} — не {what}") from None
    return raw


def check_range(f: dataclasses.Field, value) -> None:
    low, high, env = f.metadata["low"], f.metadata["high"], f.metadata["env"]
    if low is None or value is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{env}={value!r} — не конечное число")
    if value < low or (high is not None and value > high):
        limits = f"не меньше {low}" if high is None else f"от {low} до {high}"
        raise ConfigError(f"{env}={value!r}: нужно {limits}")
