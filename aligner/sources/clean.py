"""Page text without control characters: cleaned once, when a page is parsed.

A page is written by others. Kept as published, an ``ESC ]0;...BEL`` in a title renames
the reviewer's terminal window wherever the title is shown, ``ESC ]52;...`` writes their
clipboard, a bidi override reverses what a sentence appears to say, and a NUL or a C1
control ends up in every export. No newspaper sentence needs any of them, so every field
an :class:`~aligner.model.Article` takes from a page (title, subtitle, byline,
paragraphs, section, dates, language, and the URL fields) is cleaned here, once, by the
parsers' one exit (:func:`aligner.sources.parse_page`, :func:`aligner.sources.text.read_text`):

* whole terminal escape sequences (CSI, OSC, DCS/APC/PM/SOS, their C1 forms, two-byte
  ESC sequences) are removed, so ``ESC ]0;pwned BEL`` leaves nothing behind rather than
  the readable debris ``]0;pwned``;
* then every remaining control (C0 but newline and tab, DEL, C1) and format character
  (Unicode Cf: bidi embeddings, overrides and isolates, zero-width characters, the
  BOM, soft hyphens) is removed (a control that is whitespace, such as CR or NEL,
  becomes a space);
* in URL fields such characters are percent-encoded instead (as a browser does), so a
  link still names what it named, and the cache and fetcher refuse it by their rules;
* a paragraph left empty is dropped; a language that is no language tag becomes "".

What reaches a terminal is still shown through :mod:`aligner.display` (text from a
database written before this cleaning, file names, server answers).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import quote

import regex

from aligner.model import Article

#: Terminal escape sequences, bounded so an unterminated one costs linear time.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]{0,64}[ -/]{0,16}[@-~]"  # CSI ... final byte
    r"|\x9b[0-?]{0,64}[ -/]{0,16}[@-~]"  # C1 CSI
    r"|[\x1b][\]PX^_][^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)"  # OSC, DCS, SOS, PM, APC ... BEL or ST
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)"  # their C1 forms
    r"|\x1b[ -/]{0,4}[0-~]"  # two-byte (and nF) sequences: ESC c, ESC 7, ESC ( B
)
#: Control (Cc, newline and tab spared) and format (Cf) characters.
_INVISIBLE = regex.compile(r"(?![\n\t])[\p{Cc}\p{Cf}]")
_INVISIBLE_IN_URL = regex.compile(r"[\p{Cc}\p{Cf}]")
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", re.ASCII)


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences, controls and format characters."""
    if not text:
        return text
    if "\x1b" in text or "\x9b" in text or any(c in text for c in "\x90\x98\x9d\x9e\x9f"):
        text = _ESCAPE_SEQUENCE.sub("", text)
    return _INVISIBLE.sub(_gone, text)


def _gone(match: regex.Match[str]) -> str:
    """A control that separates (CR, VT, FF, NEL, the file/record separators) becomes a
    space, as whitespace splitting read it before; any other control is removed."""
    return " " if match.group().isspace() else ""


_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?", re.ASCII)


def strip_page_controls(html: str) -> str:
    """A page's source without control characters, raw or written as character references.

    ``&#27;&#91;2J`` reaches the text as ``ESC [2J`` once parsed (and a control makes
    trafilatura drop the whole page), so numeric references are read first, and the
    sequence goes as a whole. Left as written are the references a parser must see as
    such (``<``, ``>``, ``&``, quotes) and those HTML reads otherwise than by number
    (``&#128;``-``&#159;`` are Windows-1252 characters, ``&#0;`` and surrogates U+FFFD).
    """
    if "&#" in html:
        html = _CHAR_REF.sub(_reference, html)
    return strip_controls(html)


def _reference(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if code == 0 or 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group()
    char = chr(code)
    return match.group() if char in "<>&\"'" else char


def clean_line(text: str) -> str:
    """:func:`strip_controls`, then whitespace runs (newlines too) as one space."""
    return " ".join(strip_controls(text).split())


def clean_url(url: str) -> str:
    """Control and format characters in a URL percent-encoded (UTF-8), the rest as written."""
    return _INVISIBLE_IN_URL.sub(lambda m: quote(m.group(), safe=""), url)


def clean_article(article: Article) -> Article:
    """A copy of ``article`` whose page-given fields hold no control characters (module notes)."""
    paragraphs = [p for p in (clean_line(p) for p in article.paragraphs) if p]
    subtitle = article.subtitle
    if subtitle is not None:
        subtitle = "\n".join(line for line in (clean_line(x) for x in strip_controls(subtitle).split("\n")) if line)
    lang = clean_line(article.lang)
    return replace(
        article,
        lang=lang if _LANG_TAG.fullmatch(lang) else "",
        title=clean_line(article.title),
        paragraphs=paragraphs,
        subtitle=subtitle or None,
        byline=_optional(article.byline),
        section=_optional(article.section),
        published=_optional(article.published),
        modified=_optional(article.modified),
        url=None if article.url is None else clean_url(article.url),
        original_url=None if article.original_url is None else clean_url(article.original_url),
    )


def _optional(text: str | None) -> str | None:
    return (clean_line(text) or None) if text is not None else None
