"""JSON Lines writer: one JSON object per bead, for scripts and data-loading libraries.

Each object has every :class:`~aligner.model.ExportRow` field under its own name (id
tuples as lists, ``props`` as an object) plus ``bead_type`` ("1-1", "0-1", ...); a NaN
score or confidence is ``null``. UTF-8, non-ASCII written as is (``ensure_ascii=False``),
one object per LF-terminated line. The three characters that some line splitters
(``str.splitlines``, JavaScript) treat as line ends, U+0085, U+2028 and U+2029, are
written as ``\\u`` escapes so a line is always a bead.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from aligner.export.atomic import StrPath, atomic_write
from aligner.export.rows import plain
from aligner.export.sanitize import xml_safe
from aligner.model import ExportRow

_LINE_SEPARATORS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _clean(value: Any) -> Any:
    """Strings lose XML-forbidden characters (as in every format); NaN and infinities, which
    strict JSON has no spelling for, become null; containers are walked."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Enum):
        value = plain(value)
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


_FIELDS = tuple(f.name for f in dataclasses.fields(ExportRow))


def jsonl_record(row: ExportRow, text: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """The row as a JSON-ready dict; ``text(sentence, lang)`` may rewrite the two texts.

    Built field by field rather than with ``dataclasses.asdict``, whose deep copy made
    this writer the slowest of the four.
    """
    record: dict[str, Any] = {name: _clean(getattr(row, name)) for name in _FIELDS}
    record["bead_type"] = row.kind
    if text is not None:
        record["src_text"] = text(record["src_text"], record["src_lang"])
        record["tgt_text"] = text(record["tgt_text"], record["tgt_lang"])
    return record


def jsonl_line(record: dict[str, Any]) -> str:
    """One record as one line of JSON (without the line end)."""
    line = json.dumps(record, ensure_ascii=False)
    for char, escape in _LINE_SEPARATORS:  # str.replace is C-fast; str.translate is not
        line = line.replace(char, escape)
    return line


def write_jsonl(
    rows: Iterable[ExportRow],
    path: StrPath,
    *,
    text: Callable[[str, str], str] | None = None,
) -> int:
    """Write ``rows`` as JSON Lines at ``path`` (atomically); return the number of lines."""
    count = 0
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(jsonl_line(jsonl_record(row, text)) + "\n")
            count += 1
    return count
