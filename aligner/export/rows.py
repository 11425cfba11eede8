"""Checks on the rows an exporter receives, shared by the writers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from enum import Enum

from aligner.errors import AlignerError
from aligner.export.atomic import StrPath
from aligner.model import ExportRow


def plain(value: object) -> str:
    """A field as text: an enum (``Status.ACCEPTED``) by its value ("accepted"), not its name."""
    return str(value.value) if isinstance(value, Enum) else str(value)


def same_lang(a: str, b: str) -> bool:
    """Language codes compare without regard to case or ``_``/``-`` ("ko_KR" is "ko-kr")."""
    return a.strip().lower().replace("_", "-") == b.strip().lower().replace("_", "-")


def check_langs(
    rows: Iterable[ExportRow], src_lang: str, tgt_lang: str, path: StrPath
) -> Iterator[ExportRow]:
    """Pass rows through, raising :class:`AlignerError` for one whose languages are not the file's.

    A row that leaves ``src_lang``/``tgt_lang`` empty is taken to be in the file's languages
    and is passed on with them filled in. Without this check a reversed pair would be
    exported with its languages mislabelled.
    """
    for row in rows:
        if not row.src_lang or not row.tgt_lang:
            row = replace(row, src_lang=row.src_lang or src_lang, tgt_lang=row.tgt_lang or tgt_lang)
        for side, got, want in (("source", row.src_lang, src_lang), ("target", row.tgt_lang, tgt_lang)):
            if got and not same_lang(got, want):
                raise AlignerError(
                    str(path),
                    f"bead {row.bead_id} of pair {row.pair_id} has {side} language {got!r}, "
                    f"but the export is {src_lang}-{tgt_lang}",
                )
        yield row
