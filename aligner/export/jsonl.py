"""JSON Lines writer: one JSON object per bead, for scripts and data-loading libraries.

Each object has the unit metadata every tabular format shares, under the same names and in
the same order (:data:`aligner.export.rows.UNIT_COLUMNS`: ``tuid``, ids, ``bead_type``,
``confidence`` and ``aligner_confidence``, status, origin, who made and changed the bead
and when, notes, documents, languages), then ``src_text``, ``tgt_text`` and ``props`` (an
object). Sentence ids are lists; a missing value (no reviewer, a NaN score) is ``null``.
UTF-8, non-ASCII written as is (``ensure_ascii=False``), one object per LF-terminated
line. The text is kept exactly (JSON escapes tabs and line breaks); the three characters
that some line splitters (``str.splitlines``, JavaScript) treat as line ends, U+0085,
U+2028 and U+2029, are written as ``\\u`` escapes so a line is always a bead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from aligner.export.atomic import StrPath, atomic_write
from aligner.export.rows import plain, unit_record
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


def jsonl_record(row: ExportRow, text: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """The row as a JSON-ready dict; ``text(sentence, lang)`` may rewrite the two texts."""
    record = unit_record(row)
    src_text, tgt_text = xml_safe(row.src_text or ""), xml_safe(row.tgt_text or "")
    if text is not None:
        src_text, tgt_text = text(src_text, record["src_lang"]), text(tgt_text, record["tgt_lang"])
    record["src_text"], record["tgt_text"] = src_text, tgt_text
    record["props"] = _clean(dict(row.props))
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
