"""What every writer shares: checks on the rows it receives, and a unit's metadata as values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from aligner.errors import AlignerError
from aligner.export.atomic import StrPath
from aligner.export.sanitize import xml_safe
from aligner.model import ExportRow


def plain(value: object) -> str:
    """A field as text: an enum (``Status.ACCEPTED``) by its value ("accepted"), not its name."""
    return str(value.value) if isinstance(value, Enum) else str(value)


def same_lang(a: str, b: str) -> bool:
    """Language codes compare without regard to case or ``_``/``-`` ("ko_KR" is "ko-kr")."""
    return a.strip().lower().replace("_", "-") == b.strip().lower().replace("_", "-")


def check_langs(rows: Iterable[ExportRow], src_lang: str, tgt_lang: str, path: StrPath) -> Iterator[ExportRow]:
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


def _moment(stamp: str | None) -> datetime | None:
    """A stored ISO 8601 time as an aware UTC datetime (naive ones are taken as UTC);
    None for no time or one that cannot be read."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(str(stamp).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(stamp: str | None) -> str | None:
    """A stored time as ``YYYY-MM-DDThh:mm:ssZ`` (TSV, JSON Lines, Parquet); None if unknown."""
    moment = _moment(stamp)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def tmx_stamp(stamp: str | None) -> str | None:
    """A stored time as TMX 1.4b's ``YYYYMMDDThhmmssZ``; None if unknown."""
    moment = _moment(stamp)
    return None if moment is None else moment.strftime("%Y%m%dT%H%M%SZ")


#: The metadata of a unit, in this order, in every tabular format (TSV, JSON Lines,
#: Parquet); TMX carries the same facts as attributes, props and a note.
UNIT_COLUMNS: tuple[str, ...] = (
    "tuid",  # stable name of the unit: documents' keys and sentence spans, hashed
    "pair_id",  # article pair id in the corpus database
    "bead_id",  # bead row id in the corpus database (changes when a pair is re-aligned)
    "position",  # bead's position within its pair, 0-based
    "src_ids",  # source sentence indexes
    "tgt_ids",  # target sentence indexes
    "bead_type",  # "1-1", "2-1", "0-1", ...
    "confidence",  # 1.0 for a bead a person accepted or made, else the aligner's estimate
    "aligner_confidence",  # the aligner's own estimate (none for a bead a person made)
    "score",  # the aligner's raw similarity score
    "status",  # unreviewed / accepted / rejected
    "origin",  # auto (the aligner's) / manual (made by a reviewer)
    "created_at",  # when the run aligned the pair (UTC)
    "created_by",  # which aligner made it, e.g. aligner/engine-use
    "changed_at",  # the last reviewer action on the bead (UTC), if any
    "changed_by",  # who took it
    "note",  # the reviewer's note on the bead
    "pair_note",  # the reviewer's note on the article pair
    "src_doc",  # source document URL or path
    "tgt_doc",  # target document URL or path
    "src_lang",
    "tgt_lang",
)


def _number(value: float | None) -> float | None:
    """Floats as floats; NaN, infinities and None as None (no format spells them alike)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _text(value: object) -> str | None:
    return None if value is None else xml_safe(plain(value))


def unit_record(row: ExportRow) -> dict[str, Any]:
    """The row's metadata by :data:`UNIT_COLUMNS`, as plain Python values: ids as lists of
    ints, numbers as floats or None, times as ISO 8601 UTC, text cleaned of characters XML
    forbids (as in every format)."""
    return {
        "tuid": xml_safe(row.tuid or f"{row.pair_id}-{row.bead_id}"),
        "pair_id": int(row.pair_id),
        "bead_id": int(row.bead_id),
        "position": int(row.position),
        "src_ids": [int(i) for i in row.src_ids],
        "tgt_ids": [int(i) for i in row.tgt_ids],
        "bead_type": row.kind,
        "confidence": _number(row.confidence),
        "aligner_confidence": _number(row.aligner_confidence),
        "score": _number(row.score),
        "status": _text(row.status),
        "origin": _text(row.origin),
        "created_at": iso_utc(row.created_at),
        "created_by": _text(row.created_by),
        "changed_at": iso_utc(row.changed_at),
        "changed_by": _text(row.changed_by),
        "note": _text(row.note),
        "pair_note": _text(row.pair_note),
        "src_doc": _text(row.src_doc or ""),
        "tgt_doc": _text(row.tgt_doc or ""),
        "src_lang": _text(row.src_lang or ""),
        "tgt_lang": _text(row.tgt_lang or ""),
    }
