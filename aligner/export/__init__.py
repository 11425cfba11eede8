"""Exporters: the reviewed corpus as TMX 1.4b, TSV, Moses parallel text, JSON Lines or Parquet.

:func:`export_corpus` is the one entry point for a corpus database: ``aligner export``,
``aligner run``, the review app's export dialog and scripts all call it, with an
:class:`~aligner.export.policy.ExportPolicy` that decides which beads leave (by default
no rejected bead and no empty bead). :func:`export_rows` writes rows a caller already
has. Every file is written to a temporary name and renamed when complete (see
:mod:`aligner.export.atomic`), and every format drops the characters XML 1.0 forbids, so
all formats of one corpus carry the same text and the same review facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aligner.errors import AlignerError
from aligner.export.atomic import StrPath, writable_target
from aligner.export.jsonl import write_jsonl
from aligner.export.moses import moses_paths, write_moses
from aligner.export.parquet import write_parquet
from aligner.export.policy import STATUS_CHOICES, ExportPolicy, StatusFilter
from aligner.export.rows import check_langs
from aligner.export.tmx import write_tmx
from aligner.export.tsv import write_tsv
from aligner.model import ExportRow

if TYPE_CHECKING:
    from aligner.store import Store

FORMATS: tuple[str, ...] = ("tmx", "tsv", "moses", "jsonl", "parquet")

#: Formats whose text may be tokenized; a TMX is a translation memory and keeps text as written.
TOKENIZABLE: tuple[str, ...] = ("tsv", "moses", "jsonl", "parquet")

#: File name extension of each format (Moses writes ``stem.{lang}`` twice instead).
EXTENSIONS: dict[str, str] = {"tmx": ".tmx", "tsv": ".tsv", "moses": "", "jsonl": ".jsonl", "parquet": ".parquet"}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the format, the files (two for Moses) and the number of beads."""

    format: str
    paths: tuple[Path, ...]
    count: int


def _tokenizer() -> Callable[[str, str], str]:
    from aligner.text.tokenize import tokenize  # imported only when asked: Kiwi is heavy

    return tokenize


def output_paths(fmt: str, path: StrPath, src_lang: str, tgt_lang: str) -> tuple[Path, ...]:
    """The files an export to ``path`` in ``fmt`` will write (Moses writes ``stem.{lang}`` twice)."""
    if fmt == "moses":
        return moses_paths(path, src_lang, tgt_lang)
    return (Path(path),)


def export_rows(
    rows: Iterable[ExportRow],
    fmt: str,
    path: StrPath,
    *,
    src_lang: str,
    tgt_lang: str,
    tokenize: bool = False,
    header_props: Mapping[str, str] | None = None,
    protect: Sequence[StrPath] = (),
) -> ExportResult:
    """Write ``rows`` to ``path`` in format ``fmt`` (one of :data:`FORMATS`), all of them.

    Which beads to write was decided before (see :func:`export_corpus`). Missing parent
    directories are created. ``tokenize`` (not for TMX) runs each sentence through
    :func:`aligner.text.tokenize.tokenize`. ``header_props`` go into a TMX header.
    Bad arguments, rows in other languages and files that cannot be written raise
    :class:`AlignerError` with a one-line message; nothing is left half-written. An output
    that is a database (above all ``protect``, the corpus being exported), a device or a
    FIFO is refused before anything is read or written (see
    :func:`~aligner.export.atomic.writable_target`).
    """
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise AlignerError(None, f"unknown export format {fmt!r} (choose one of {', '.join(FORMATS)})")
    if tokenize and fmt not in TOKENIZABLE:
        raise AlignerError(str(path), f"{fmt} output is not tokenized (tokenizing applies to {', '.join(TOKENIZABLE)})")
    if src_lang == tgt_lang:
        raise AlignerError(str(path), f"source and target language are both {src_lang!r}")
    paths = output_paths(fmt, path, src_lang, tgt_lang)
    for target in paths:
        writable_target(target, protect)
    checked = check_langs(rows, src_lang, tgt_lang, path)
    text = _tokenizer() if tokenize else None
    try:
        for target in paths:
            target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "tmx":
            count = write_tmx(checked, path, src_lang=src_lang, tgt_lang=tgt_lang, header_props=header_props)
        elif fmt == "tsv":
            count = write_tsv(checked, path, text=text)
        elif fmt == "jsonl":
            count = write_jsonl(checked, path, text=text)
        elif fmt == "parquet":
            count = write_parquet(checked, path, src_lang=src_lang, tgt_lang=tgt_lang, text=text)
        else:
            count, _ = write_moses(checked, path, src_lang=src_lang, tgt_lang=tgt_lang, tokenize=tokenize)
    except OSError as error:
        raise AlignerError(str(error.filename or path), f"cannot write: {error.strerror or error}") from error
    return ExportResult(format=fmt, paths=paths, count=count)


def export_corpus(
    store: Store,
    fmt: str,
    path: StrPath,
    policy: ExportPolicy | None = None,
    *,
    tokenize: bool = False,
    pair_ids: Iterable[int] | None = None,
) -> ExportResult:
    """Export a corpus database's beads that ``policy`` admits (default: its defaults).

    The languages are the corpus's own; a TMX header records the policy it was written
    with. ``pair_ids`` limits the export to those article pairs.
    """
    policy = policy or ExportPolicy()
    src_lang, tgt_lang = store.languages()
    rows = store.export_rows(policy, pair_ids=pair_ids)
    return export_rows(
        rows,
        fmt,
        path,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        tokenize=tokenize,
        header_props=policy.header_props(),
        protect=(store.path,),
    )


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "STATUS_CHOICES",
    "TOKENIZABLE",
    "ExportPolicy",
    "ExportResult",
    "StatusFilter",
    "export_corpus",
    "export_rows",
    "output_paths",
    "write_jsonl",
    "write_moses",
    "write_parquet",
    "write_tmx",
    "write_tsv",
]
