"""TSV writer: one bead a row with its metadata, for pandas, spreadsheets and scripts.

Columns (header row first), see :data:`COLUMNS`::

    pair_id bead_id position src_ids tgt_ids bead_type confidence score status origin
    src_doc tgt_doc src_lang tgt_lang src_text tgt_text

``src_ids``/``tgt_ids`` are sentence indexes joined by commas ("" for an empty side);
the text columns are named ``src_text``/``tgt_text`` rather than after a language, so the
schema is the same for every language pair (``src_lang``/``tgt_lang`` say which it is).

Quoting: CSV rules with a tab delimiter, every non-numeric field in double quotes
(``csv.QUOTE_NONNUMERIC``), quotes doubled, LF line ends, UTF-8 without BOM. Quoting only
when needed (``QUOTE_MINIMAL``) is not enough here: with LF line ends Python's csv writer
leaves a field holding a lone CR unquoted, and every CSV reader then splits the row there.
Read the file back with :func:`read_tsv` (or ``pandas.read_csv(path, sep="\\t",
keep_default_na=False)``); any sentence with tabs, newlines or quotes comes back intact.
Rows are written in chunks, so memory stays flat for large corpora.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import pandas as pd

from aligner.export.atomic import StrPath, atomic_write
from aligner.export.rows import plain
from aligner.export.sanitize import xml_safe
from aligner.model import ExportRow

COLUMNS: tuple[str, ...] = (
    "pair_id",
    "bead_id",
    "position",
    "src_ids",
    "tgt_ids",
    "bead_type",
    "confidence",
    "score",
    "status",
    "origin",
    "src_doc",
    "tgt_doc",
    "src_lang",
    "tgt_lang",
    "src_text",
    "tgt_text",
)

_INT_COLUMNS = ("pair_id", "bead_id", "position")
_FLOAT_COLUMNS = ("confidence", "score")

#: Rows per pandas DataFrame: large enough to be fast, small enough to keep memory flat.
CHUNK_ROWS = 10_000

_CSV_OPTIONS: dict[str, Any] = {
    "sep": "\t",
    "index": False,
    "quoting": csv.QUOTE_NONNUMERIC,
    "quotechar": '"',
    "doublequote": True,
    "lineterminator": "\n",
    "na_rep": "",
}


def _ids(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def tsv_record(row: ExportRow, text: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """The row's values by column; ``text(sentence, lang)`` may rewrite the two texts."""
    src_text = xml_safe(row.src_text or "")
    tgt_text = xml_safe(row.tgt_text or "")
    if text is not None:
        src_text, tgt_text = text(src_text, row.src_lang), text(tgt_text, row.tgt_lang)
    return {
        "pair_id": int(row.pair_id),
        "bead_id": int(row.bead_id),
        "position": int(row.position),
        "src_ids": _ids(row.src_ids),
        "tgt_ids": _ids(row.tgt_ids),
        "bead_type": row.kind,
        "confidence": float(row.confidence),
        "score": float(row.score),
        "status": xml_safe(plain(row.status)),
        "origin": xml_safe(plain(row.origin)),
        "src_doc": xml_safe(row.src_doc or ""),
        "tgt_doc": xml_safe(row.tgt_doc or ""),
        "src_lang": xml_safe(row.src_lang or ""),
        "tgt_lang": xml_safe(row.tgt_lang or ""),
        "src_text": src_text,
        "tgt_text": tgt_text,
    }


def _chunks(rows: Iterable[ExportRow], size: int) -> Iterator[list[ExportRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    # Fix the dtypes so an empty chunk, or one with only NaN scores, writes like any other.
    return frame.astype({c: "int64" for c in _INT_COLUMNS} | {c: "float64" for c in _FLOAT_COLUMNS})


def write_tsv(
    rows: Iterable[ExportRow],
    path: StrPath,
    *,
    text: Callable[[str, str], str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Write ``rows`` as TSV with a header row at ``path`` (atomically); return the row count.

    ``text``, if given, is applied to each sentence with its language (e.g. a tokenizer).
    """
    count = 0
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        header = True
        for chunk in _chunks(rows, chunk_rows):
            _frame([tsv_record(r, text) for r in chunk]).to_csv(handle, header=header, **_CSV_OPTIONS)
            header = False
            count += len(chunk)
        if header:  # no rows at all: still a valid file with its header
            _frame([]).to_csv(handle, header=True, **_CSV_OPTIONS)
    return count


def read_tsv(path: StrPath) -> pd.DataFrame:
    """Read a file written by :func:`write_tsv`, with every text exactly as written."""
    dtypes: dict[str, Any] = {c: str for c in COLUMNS}
    dtypes |= {c: "int64" for c in _INT_COLUMNS} | {c: "float64" for c in _FLOAT_COLUMNS}
    return pd.read_csv(
        path,
        sep="\t",
        quotechar='"',
        doublequote=True,
        dtype=dtypes,
        keep_default_na=False,
        na_values={c: [""] for c in _FLOAT_COLUMNS},
        encoding="utf-8",
    )
