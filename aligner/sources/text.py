"""Plain-text inputs: an article as text, or a file of pre-split sentences (one a line).

Paragraphs are separated by blank lines. A file with no blank line at all but several
lines is read as one paragraph a line, since that is how most exported news text (and
line-aligned corpora) looks; otherwise single newlines inside a paragraph are soft wraps.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from aligner.errors import InputError, LanguageError
from aligner.model import Article
from aligner.sources.clean import clean_article, clean_line
from aligner.sources.decode import sniff_binary
from aligner.text.langcheck import detect_language

log = logging.getLogger(__name__)

LAYOUT = "text"
_BLANK_SPLIT = re.compile(r"\n[ \t\u3000\xa0]*\n")


class LineList(list[str]):
    """The lines of a pre-split file.

    ``numbers`` are the 0-based line numbers of the kept lines in the file (the sentence
    ids vecalign-style gold uses), ``blank_lines`` the 1-based numbers of lines skipped.
    """

    blank_lines: list[int]
    numbers: list[int]

    def __init__(self, lines: list[str], blank_lines: list[int], numbers: list[int] | None = None) -> None:
        super().__init__(lines)
        self.blank_lines = blank_lines
        self.numbers = list(range(len(lines))) if numbers is None else numbers


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, with one clear InputError for each way that can fail."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(p), "is a folder, not a file") from None
    except PermissionError:
        raise InputError(str(p), "cannot read the file: permission denied") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot read the file: {exc.strerror or exc}") from None


def decode_text(data: bytes, item: str) -> str:
    """UTF-8 text (a BOM is allowed); InputError for binary data or invalid UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(item, f"invalid UTF-16: {exc.reason}") from None
    what = sniff_binary(data)
    if what:
        raise InputError(item, f"not a text file ({what})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(item, f"invalid UTF-8 at byte {exc.start} (line {line})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def guess_lang(text: str) -> str:
    """ISO 639-1 code of the text's language (:func:`~aligner.text.langcheck.detect_language`),
    "" when it cannot tell."""
    try:
        code = detect_language(text)
    except LanguageError:
        return ""
    return "" if code == "und" else code


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text (see the module notes for the one-line-a-paragraph rule)."""
    text = text.strip("\n")
    lines = [ln for ln in text.split("\n")]
    if len(lines) > 1 and not any(not ln.strip() for ln in lines):
        return [" ".join(ln.split()) for ln in lines]
    blocks = _BLANK_SPLIT.split(text)
    return [p for p in (" ".join(b.split()) for b in blocks) if p]


def read_text(path: str | Path, lang: str | None = None, title_first: bool = False) -> Article:
    """An article from a plain-text file; the first paragraph is the title only when asked."""
    item = str(path)
    text = decode_text(read_bytes(path), item)
    paras = split_paragraphs(text)
    if not paras:
        raise InputError(item, "empty file")
    title = ""
    if title_first:
        title, paras = paras[0], paras[1:]
        if not paras:
            raise InputError(item, "no text after the title line")
    article = clean_article(Article(lang="", title=title, paragraphs=paras, source_path=item, layout=LAYOUT))
    if not article.paragraphs:
        raise InputError(item, "no text left once control characters are removed")
    article.lang = lang or guess_lang(text)
    return article


def read_lines(path: str | Path) -> LineList:
    """Sentences of a pre-split file, one a line, whitespace-trimmed.

    Control characters are removed as from page text (:mod:`aligner.sources.clean`).
    Blank lines are left out (a sentence list has no use for them) but not silently: their
    line numbers are on the result's ``blank_lines`` and logged. Each kept line keeps its
    line number (``numbers``), so sentence ids stay the file's line numbers and a blank
    line belongs to no bead instead of shifting every id after it.
    """
    item = str(path)
    text = decode_text(read_bytes(path), item)
    lines: list[str] = []
    numbers: list[int] = []
    blank: list[int] = []
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()  # the final newline ends the last line; it is not a blank line
    for number, line in enumerate(raw):
        clean = clean_line(line)
        if clean:
            lines.append(clean)
            numbers.append(number)
        else:
            blank.append(number + 1)
    if not lines:
        raise InputError(item, "empty file")
    if blank:
        log.warning(
            "%s: skipped %d blank line(s) (first at line %d); sentence ids stay line numbers, "
            "so blank lines belong to no bead",
            item,
            len(blank),
            blank[0],
        )
    return LineList(lines, blank, numbers)
