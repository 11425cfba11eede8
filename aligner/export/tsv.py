"""TSV writer: one bead a row with its metadata, for ``cut``, ``awk``, spreadsheets and pandas.

Columns (header row first), see :data:`COLUMNS`: the unit metadata every tabular format
shares (:data:`aligner.export.rows.UNIT_COLUMNS`) and then ``src_text`` and ``tgt_text``.
The text columns are named for their side rather than a language, so the schema is the
same for every language pair (``src_lang``/``tgt_lang`` say which it is).

No quoting at all: a field is written as it is, between tabs, so ``cut -f 24`` and
``pandas.read_csv(path, sep="\\t", quoting=csv.QUOTE_NONE, keep_default_na=False)`` read
every text back without unquoting (a ``"`` is just a character; nothing is doubled). That
is safe because no field ever holds a tab or a line break: each tab and each line break
(anything ``str.splitlines`` splits on) inside a text becomes one space. UTF-8 without BOM,
LF line ends. Sentence ids are joined by commas (``""`` for an empty side); a missing
value (no reviewer, no note) is an empty field. Rows stream, so memory stays flat.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aligner.export.atomic import StrPath, atomic_write
from aligner.export.rows import UNIT_COLUMNS, unit_record
from aligner.export.sanitize import one_line, xml_safe
from aligner.model import ExportRow

if TYPE_CHECKING:
    import pandas as pd

COLUMNS: tuple[str, ...] = (*UNIT_COLUMNS, "src_text", "tgt_text")

_INT_COLUMNS = ("pair_id", "bead_id", "position")
_FLOAT_COLUMNS = ("confidence", "aligner_confidence", "score")


def tsv_field(value: Any) -> str:
    """One value as a TSV field: text on one line without tabs, lists comma-joined,
    floats in full precision, None as an empty field."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(int(v)) for v in value)
    if isinstance(value, float):
        return repr(value)
    return one_line(xml_safe(str(value))).replace("\t", " ")


def tsv_record(row: ExportRow, text: Callable[[str, str], str] | None = None) -> list[str]:
    """The row's fields in :data:`COLUMNS` order; ``text(sentence, lang)`` may rewrite the two texts."""
    record = unit_record(row)
    src_text = xml_safe(row.src_text or "")
    tgt_text = xml_safe(row.tgt_text or "")
    if text is not None:
        src_text, tgt_text = text(src_text, record["src_lang"]), text(tgt_text, record["tgt_lang"])
    record["src_text"], record["tgt_text"] = src_text, tgt_text
    return [tsv_field(record[name]) for name in COLUMNS]


def write_tsv(
    rows: Iterable[ExportRow],
    path: StrPath,
    *,
    text: Callable[[str, str], str] | None = None,
) -> int:
    """Write ``rows`` as TSV with a header row at ``path`` (atomically); return the row count.

    ``text``, if given, is applied to each sentence with its language (e.g. a tokenizer).
    """
    count = 0
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        # QUOTE_NONE without an escape character: the csv module raises rather than write a
        # field that would need quoting, which tsv_field makes impossible
        writer = csv.writer(
            handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar=None, quotechar=None, lineterminator="\n"
        )
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(tsv_record(row, text))
            count += 1
    return count


def read_tsv(path: StrPath) -> pd.DataFrame:
    """Read a file written by :func:`write_tsv` with pandas, every text as written (numbers
    as numbers, an empty number as NaN)."""
    import pandas as pd

    dtypes: dict[str, Any] = {c: str for c in COLUMNS}
    dtypes |= {c: "int64" for c in _INT_COLUMNS} | {c: "float64" for c in _FLOAT_COLUMNS}
    return pd.read_csv(
        path,
        sep="\t",
        quoting=csv.QUOTE_NONE,
        dtype=dtypes,
        keep_default_na=False,
        na_values={c: [""] for c in _FLOAT_COLUMNS},
        encoding="utf-8",
    )
