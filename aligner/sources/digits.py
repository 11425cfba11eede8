"""Numbers written by servers (headers, robots.txt, list pages), read as ASCII digits only.

``str.isdigit()`` is true for ``²`` and ``٣``; ``int()`` and ``float()`` accept other
Unicode digits, underscores, signs, ``nan`` and ``inf``, and a 400-digit number makes
``float()`` overflow (or ``int()`` refuse it past 4,300 digits). A server's number is
none of those: it is ASCII digits (with a decimal part where seconds may have one), and
anything else is "not a number" for the caller to ignore or report, never an exception.
"""

from __future__ import annotations

import math
import re

#: More digits than this is no real count, size or page number: read as "too large".
MAX_DIGITS = 15
_INTEGER = re.compile(r"[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"([0-9]+)(?:\.([0-9]+))?", re.ASCII)


def ascii_int(text: str | None) -> int | None:
    """A non-negative whole number in ASCII digits (spaces around allowed), else None.

    None also for more than :data:`MAX_DIGITS` digits: no count a server sends is that
    large, and the caller falls back as for any other unreadable value.
    """
    if text is None:
        return None
    value = text.strip(" \t")
    if not _INTEGER.fullmatch(value) or len(value.lstrip("0")) > MAX_DIGITS:
        return None
    return int(value)


def ascii_seconds(text: str | None) -> float | None:
    """A non-negative number of seconds ("5", "0.5") in ASCII digits, else None.

    A value with more than :data:`MAX_DIGITS` whole digits is ``math.inf``: it is a
    number, only absurdly large, and the caller caps it (and says so).
    """
    if text is None:
        return None
    m = _DECIMAL.fullmatch(text.strip(" \t"))
    if not m:
        return None
    whole, fraction = m.group(1).lstrip("0"), m.group(2) or ""
    if len(whole) > MAX_DIGITS:
        return math.inf
    return float(f"{whole or '0'}.{fraction[:9] or '0'}")
