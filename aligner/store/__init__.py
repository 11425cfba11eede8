"""The corpus database: one SQLite file per corpus, and the only code that speaks SQL.

:class:`Store` opens (or creates) a corpus database and holds every read and write of it:
documents, pairs, sentences and beads (:mod:`aligner.store.database`), the review's edit
log and places (:mod:`aligner.store.edits`), how pairs were made and rejected pairings
(:mod:`aligner.store.pairings`), the schema and its migrations
(:mod:`aligner.store.schema`). What goes in and out are plain rows (:mod:`aligner.store.rows`).
"""

from __future__ import annotations

from aligner.store.database import Store, disk_full
from aligner.store.rows import (
    BeadRecord,
    BeadRow,
    ChangeMarks,
    DocumentRow,
    EditLine,
    EditRecord,
    FailureRow,
    LoggedEdit,
    PairingDecision,
    PairingRejection,
    PairOrigin,
    PairRow,
    PairSummary,
    Presence,
    StepLine,
    StoredOrigin,
    StoredPair,
    bead_spans,
    content_hash,
    document_key,
    now,
    unit_id,
)
from aligner.store.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "BeadRecord",
    "BeadRow",
    "ChangeMarks",
    "DocumentRow",
    "EditLine",
    "EditRecord",
    "FailureRow",
    "LoggedEdit",
    "PairOrigin",
    "PairRow",
    "PairSummary",
    "PairingDecision",
    "PairingRejection",
    "Presence",
    "StepLine",
    "Store",
    "StoredOrigin",
    "StoredPair",
    "bead_spans",
    "content_hash",
    "disk_full",
    "document_key",
    "now",
    "unit_id",
]
