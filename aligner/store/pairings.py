"""How each pair was made, a reviewer's rejection of a wrong pairing, and the decisions a
corpus run made by content: the pairing side of the corpus database.

:class:`PairingTables` is part of :class:`~aligner.store.Store`. Three facts live here:

* ``pairs.how``/``score``/``sure``/``pairing``: link, content (with its probability, whether
  it was sure enough to use unattended, and how it was decided) or given.
* ``pairing_rejections``: a reviewer said the two documents are not a translation pair.
  Keyed by the two documents, not the pair row, so the rejection outlives a run that gives
  the English document another original; the export policy leaves a rejected pairing's
  beads out (:meth:`~aligner.export.policy.ExportPolicy.admits_pair`) and a run never pairs
  the two again.
* ``pairing_decisions``: what a run decided by content for an English page and from which
  pages (:mod:`aligner.originals`), so a re-run over the same pages decides nothing again.

The writing methods run inside the caller's transaction, or in one of their own.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from aligner.store.rows import PairingDecision, PairingRejection, PairOrigin, StoredOrigin, document_key, now

#: pairs whose two documents a reviewer said are no translation pair
_REJECTED = "EXISTS (SELECT 1 FROM pairing_rejections r WHERE r.src_doc = p.src_doc AND r.tgt_doc = p.tgt_doc)"


class PairingTables:
    """Reads and writes of pair origins, rejections and decisions (mixed into the Store)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:  # the Store's own

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    # -- how a pair was made -------------------------------------------------------------------

    def set_pair_origin(self, pair_id: int, origin: PairOrigin) -> None:
        """Record how a pair was made (when a run finds the same original another way)."""
        with self.transaction() as c:
            c.execute(
                "UPDATE pairs SET how=?, score=?, sure=?, pairing=? WHERE id=?",
                (origin.how, origin.score, _flag(origin.sure), _json(origin.detail), pair_id),
            )

    def pair_origin(self, pair_id: int) -> PairOrigin | None:
        row = self.conn.execute("SELECT how, score, sure, pairing FROM pairs WHERE id=?", (pair_id,)).fetchone()
        if row is None:
            return None
        return PairOrigin(
            row[0], row[1], None if row[2] is None else bool(row[2]), json.loads(row[3]) if row[3] else None
        )

    def stored_origins(self) -> dict[str, StoredOrigin]:
        """Every stored pair by its English document's key: its original, how it was made,
        whether a reviewer rejected it or vouched for some of its beads."""
        rows = self.conn.execute(
            f"SELECT s.key, p.id, t.key, p.how, {_REJECTED},"
            " EXISTS (SELECT 1 FROM beads b WHERE b.pair_id = p.id AND (b.status = 'accepted' OR b.origin = 'manual'))"
            " FROM pairs p JOIN documents s ON s.id = p.src_doc JOIN documents t ON t.id = p.tgt_doc"
        ).fetchall()
        return {r[0]: StoredOrigin(int(r[1]), r[2], r[3], bool(r[4]), bool(r[5])) for r in rows}

    # -- a reviewer's rejection of a pairing ------------------------------------------------------

    def pairing_rejection(self, pair_id: int) -> PairingRejection | None:
        """Who rejected the pairing of this pair's two documents, and when (None: not rejected)."""
        row = self.conn.execute(
            "SELECT r.rejected_by, r.rejected_at FROM pairs p JOIN pairing_rejections r"
            " ON r.src_doc = p.src_doc AND r.tgt_doc = p.tgt_doc WHERE p.id=?",
            (pair_id,),
        ).fetchone()
        return None if row is None else PairingRejection(row[0], row[1])

    def add_pairing_rejection(self, pair_id: int, reviewer: str, at: str | None = None) -> None:
        """Mark the pair's two documents as no translation pair (inside the caller's transaction)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO pairing_rejections (src_doc, tgt_doc, rejected_by, rejected_at)"
            " SELECT src_doc, tgt_doc, ?, ? FROM pairs WHERE id=?",
            (reviewer, at or now(), pair_id),
        )

    def remove_pairing_rejection(self, pair_id: int) -> None:
        """Lift the rejection of the pair's two documents (inside the caller's transaction)."""
        self.conn.execute(
            "DELETE FROM pairing_rejections WHERE (src_doc, tgt_doc) = (SELECT src_doc, tgt_doc FROM pairs WHERE id=?)",
            (pair_id,),
        )

    def rejected_pair_ids(self) -> set[int]:
        """The pairs whose pairing a reviewer rejected."""
        return {r[0] for r in self.conn.execute(f"SELECT p.id FROM pairs p WHERE {_REJECTED}")}

    def rejected_originals(self) -> dict[str, set[str]]:
        """For each English document's key, the keys of the originals rejected for it."""
        out: dict[str, set[str]] = {}
        for src, tgt in self.conn.execute(
            "SELECT s.key, t.key FROM pairing_rejections r JOIN documents s ON s.id = r.src_doc"
            " JOIN documents t ON t.id = r.tgt_doc"
        ):
            out.setdefault(src, set()).add(tgt)
        return out

    # -- what a run decided by content --------------------------------------------------------

    def pairing_decisions(self) -> dict[str, PairingDecision]:
        """Every remembered content decision, by the English page's key."""
        rows = self.conn.execute(
            "SELECT src_key, page_print, pool_print, tgt_key, score, sure, detail, decided_at FROM pairing_decisions"
        )
        return {
            r[0]: PairingDecision(r[0], r[1], r[2], r[3], float(r[4]), bool(r[5]), json.loads(r[6]), r[7]) for r in rows
        }

    def save_pairing_decisions(self, decisions: list[PairingDecision]) -> None:
        """Remember content decisions (one transaction; a later one for a page replaces it)."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO pairing_decisions (src_key, page_print, pool_print, tgt_key, score, sure,"
                " detail, decided_at) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        document_key(d.src_key),
                        d.page_print,
                        d.pool_print,
                        d.tgt_key,
                        d.score,
                        int(d.sure),
                        json.dumps(d.detail, ensure_ascii=False),
                        d.decided_at or now(),
                    )
                    for d in decisions
                ],
            )


def rejected_sql() -> str:
    """The SQL condition "this pair's pairing was rejected" over a pairs row aliased ``p``."""
    return _REJECTED


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
