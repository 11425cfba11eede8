"""Cheap, language-aware signals of two articles telling the same story.

Numbers (normalised across languages: "3만5천명" = "35,000", "1조2천억원" = "1.2 trillion
won"), Latin-script names and acronyms inside Korean text (BBC, MWPs, Samsung) looked up
in the English text, and publication dates. Pure functions over text, no I/O.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

# -- numbers --------------------------------------------------------------------------

_KO_SMALL = {"십": 10.0, "백": 100.0, "천": 1e3}
_KO_BIG = {"만": 1e4, "억": 1e8, "조": 1e12}
_KO_NUM = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?(십|백|천)?\s?(만|억|조)?")
_EN_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "tr": 1e12,
}
_EN_NUM = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s?(thousand|million|billion|trillion|mn|bn|tn|tr|k|m|b)\b)?",
    re.IGNORECASE,
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ]
    )
    for m in names.split()
}
_EN_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_KO_MONTH = re.compile(r"(\d{1,2})월")


def _canon(value: float) -> str:
    """One spelling per value, to six significant digits (12.3 * 1e12 carries float noise):
    35000.0 -> "35000", 3.50 -> "3.5"."""
    value = float(f"{value:.6g}")
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return f"{value:.6g}"


def _to_float(digits: str) -> float | None:
    try:
        return float(digits.replace(",", ""))
    except ValueError:
        return None


def numbers_ko(text: str) -> set[str]:
    """Numbers in Korean text with their units folded in: "3만5천" -> 35000,
    "1조2천억" -> 1200000000000, "1억 2000만" -> 120000000."""
    groups: list[tuple[float, float, int, int]] = []  # (value, unit, start, end)
    for m in _KO_NUM.finditer(text):
        value = _to_float(m.group(1))
        if value is None:
            continue
        unit = _KO_SMALL.get(m.group(2) or "", 1.0) * _KO_BIG.get(m.group(3) or "", 1.0)
        groups.append((value * unit, unit, m.start(), m.end()))
    out: set[str] = set()
    i = 0
    while i < len(groups):
        total, unit, _start, end = groups[i]
        j = i + 1
        # Chain parts while each unit is smaller than the one before ("1억 2000만 500").
        while unit >= 1e4 and j < len(groups) and groups[j][2] - end <= 1 and groups[j][1] < unit:
            total += groups[j][0]
            unit, end = groups[j][1], groups[j][3]
            j += 1
        out.add(_canon(total))
        i = j
    for m in _KO_MONTH.finditer(text):
        out.add(str(int(m.group(1))))
    return {n for n in out if _informative(n)}


def numbers_en(text: str) -> set[str]:
    """Numbers in English text, with million/billion/bn scales folded in, months as numbers."""
    out: set[str] = set()
    for m in _EN_NUM.finditer(text):
        value = _to_float(m.group(1))
        if value is None:
            continue
        out.add(_canon(value))
        if m.group(2):
            out.add(_canon(value * _EN_SCALES[m.group(2).lower()]))
    for m in _EN_MONTH.finditer(text):
        word = m.group(1).lower()
        if word == "may" and not text[m.end() : m.end() + 3].strip()[:1].isdigit():
            continue  # "may" the verb
        out.add(str(_MONTHS[word]))
    return {n for n in out if _informative(n)}


def _informative(n: str) -> bool:
    """Single digits say little (and English spells them out); keep 10 and up, and decimals."""
    return "." in n or len(n) >= 2


# -- Latin-script names ---------------------------------------------------------------

_URLISH = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[&'\-.][A-Za-z0-9]+)*")
_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:[&'\-.][A-Za-z0-9]+)*")
_NAME_STOP = frozenset({"com", "co", "kr", "net", "org", "www", "http", "https", "html", "the", "and", "of"})


def _name_key(token: str) -> str:
    """Compare names loosely: case, possessive 's and a plural acronym's s do not matter."""
    t = token.lower().rstrip(".")
    if t.endswith("'s"):
        t = t[:-2]
    if len(token) > 2 and token[:-1].isupper() and token.endswith("s"):
        t = t[:-1]  # MWPs -> mwp
    return t


def latin_names(text: str) -> set[str]:
    """Latin-script words in a Korean text: names, acronyms, brands (as loose keys)."""
    text = _URLISH.sub(" ", text)
    keys = {_name_key(t) for t in _LATIN.findall(text)}
    return {k for k in keys if len(k) >= 2 and k not in _NAME_STOP}


def english_keys(text: str) -> set[str]:
    """Every English word and its parts as loose keys, for looking names up."""
    out: set[str] = set()
    for tok in _EN_WORD.findall(text):
        out.add(_name_key(tok))
        for part in re.split(r"[&'\-.]", tok):
            if part:
                out.add(_name_key(part))
    return out


# -- dates ----------------------------------------------------------------------------


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 date (a missing zone read as UTC), None when absent or unreadable."""
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d


def day_number(value: str | None) -> float:
    """Days since 1970 (fractional) of an ISO 8601 date, NaN when there is none."""
    d = parse_date(value)
    return float("nan") if d is None else d.timestamp() / 86400.0
