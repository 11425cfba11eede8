"""Moses-style parallel text: two UTF-8 files, line N of one translating line N of the other.

``write_moses(rows, "out/corpus", ...)`` writes ``out/corpus.en`` and ``out/corpus.ko``
(the path's suffix, if any, is replaced by the language code, as ``Path.with_suffix``
does). One bead per line, LF line ends; every line break inside a sentence (anything
``str.splitlines`` would split on) becomes a space, so the two files always have the same
number of lines. An empty bead side gives an empty line. Optional tokenization uses
:func:`aligner.text.tokenize.tokenize`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aligner.export.atomic import StrPath, atomic_write_many
from aligner.export.rows import check_langs
from aligner.export.sanitize import one_line, xml_safe
from aligner.model import ExportRow


def moses_paths(path: StrPath, src_lang: str, tgt_lang: str) -> tuple[Path, Path]:
    """The two files written for ``path``: its stem plus ``.{src_lang}`` and ``.{tgt_lang}``."""
    base = Path(path)
    if src_lang == tgt_lang:
        raise ValueError(f"{base}: source and target language are both {src_lang!r}")
    return base.with_suffix(f".{src_lang}"), base.with_suffix(f".{tgt_lang}")


def moses_line(text: str, lang: str, tokenize: bool = False) -> str:
    """One sentence (or bead side) as it appears on its line, without the line end."""
    text = xml_safe(text or "")
    if tokenize:
        from aligner.text.tokenize import tokenize as tokenize_text

        text = tokenize_text(text, lang)
    return one_line(text)


def write_moses(
    rows: Iterable[ExportRow],
    path: StrPath,
    *,
    src_lang: str = "en",
    tgt_lang: str = "ko",
    tokenize: bool = False,
) -> tuple[int, tuple[Path, Path]]:
    """Write the line-aligned pair for ``path``; return the number of lines and the two paths.

    Both files are renamed into place only when both are complete. A row in other
    languages than ``src_lang``/``tgt_lang`` raises :class:`AlignerError`.
    """
    src_path, tgt_path = moses_paths(path, src_lang, tgt_lang)
    count = 0
    with atomic_write_many([src_path, tgt_path], "w", encoding="utf-8", newline="\n") as (src, tgt):
        for row in check_langs(rows, src_lang, tgt_lang, path):
            src.write(moses_line(row.src_text, src_lang, tokenize) + "\n")
            tgt.write(moses_line(row.tgt_text, tgt_lang, tokenize) + "\n")
            count += 1
    return count, (src_path, tgt_path)
