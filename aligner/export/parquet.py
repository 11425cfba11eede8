"""Parquet writer: the corpus as a Hugging Face ``datasets`` translation table.

The layout is the one the ``datasets`` library's ``Translation`` feature reads: a column
``translation`` holding ``{"en": ..., "ko": ...}`` per bead, keyed by the real language
codes, then the unit metadata every tabular format shares
(:data:`aligner.export.rows.UNIT_COLUMNS`: ``tuid``, ids, ``bead_type``, ``confidence``,
``aligner_confidence``, status, origin, who made and changed the bead and when, notes,
documents, languages). The file's schema carries the ``datasets`` feature description
(its ``huggingface`` metadata key), so::

    datasets.load_dataset("parquet", data_files="corpus.parquet")["train"].features["translation"]

is ``Translation(languages=['en', 'ko'])``, and pandas or any Parquet reader sees a struct
column and plain columns. Text is kept exactly as stored (less the characters XML forbids,
as in every format). Rows are written in row groups of :data:`CHUNK_ROWS`, so memory stays
flat, through :mod:`aligner.export.atomic` like every other format.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from aligner.export.atomic import StrPath, atomic_write
from aligner.export.rows import UNIT_COLUMNS, check_langs, unit_record
from aligner.export.sanitize import xml_safe
from aligner.model import ExportRow

if TYPE_CHECKING:
    import pyarrow as pa

#: Rows per row group: large enough to compress well, small enough to keep memory flat.
CHUNK_ROWS = 10_000

_INT = ("pair_id", "bead_id", "position")
_FLOAT = ("confidence", "aligner_confidence", "score")
_IDS = ("src_ids", "tgt_ids")


def _feature(column: str) -> dict[str, Any]:
    """The ``datasets`` feature of one metadata column, as ``Features.to_dict`` spells it."""
    if column in _IDS:  # "Sequence" is read by old and new versions of datasets alike
        return {"feature": {"dtype": "int64", "_type": "Value"}, "_type": "Sequence"}
    dtype = "int64" if column in _INT else "float64" if column in _FLOAT else "string"
    return {"dtype": dtype, "_type": "Value"}


def parquet_schema(src_lang: str, tgt_lang: str) -> pa.Schema:
    """The Arrow schema of an export in ``src_lang``-``tgt_lang``, with the ``datasets`` features."""
    import pyarrow as pa

    langs = sorted((src_lang, tgt_lang))  # datasets' Translation orders its struct fields by name
    fields = [pa.field("translation", pa.struct([pa.field(lang, pa.string()) for lang in langs]))]
    for column in UNIT_COLUMNS:
        if column in _IDS:
            kind = pa.list_(pa.int64())
        elif column in _INT:
            kind = pa.int64()
        elif column in _FLOAT:
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    features = {"translation": {"languages": langs, "_type": "Translation"}}
    features |= {column: _feature(column) for column in UNIT_COLUMNS}
    metadata = {b"huggingface": json.dumps({"info": {"features": features}}).encode("utf-8")}
    return pa.schema(fields, metadata=metadata)


def parquet_record(
    row: ExportRow, src_lang: str, tgt_lang: str, text: Callable[[str, str], str] | None = None
) -> dict[str, Any]:
    """The row as one table row; ``text(sentence, lang)`` may rewrite the two texts."""
    record = unit_record(row)
    src_text, tgt_text = xml_safe(row.src_text or ""), xml_safe(row.tgt_text or "")
    if text is not None:
        src_text, tgt_text = text(src_text, src_lang), text(tgt_text, tgt_lang)
    return {"translation": {src_lang: src_text, tgt_lang: tgt_text}, **record}


def _chunks(rows: Iterable[ExportRow], size: int) -> Iterator[list[ExportRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write_parquet(
    rows: Iterable[ExportRow],
    path: StrPath,
    *,
    src_lang: str = "en",
    tgt_lang: str = "ko",
    text: Callable[[str, str], str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Write ``rows`` as a Parquet file at ``path`` (atomically); return the row count.

    A row in other languages than ``src_lang``/``tgt_lang`` raises :class:`AlignerError`
    and nothing is written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(src_lang, tgt_lang)
    count = 0
    with atomic_write(path, "wb") as handle:
        with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
            for chunk in _chunks(check_langs(rows, src_lang, tgt_lang, path), chunk_rows):
                records = [parquet_record(r, src_lang, tgt_lang, text) for r in chunk]
                writer.write_table(pa.Table.from_pylist(records, schema=schema))
                count += len(chunk)
            if count == 0:  # still a readable file with its schema
                writer.write_table(schema.empty_table())
    return count
