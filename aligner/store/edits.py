"""The review's side of the corpus database: the edit log, undo and redo, where each reviewer
is, and the in-place writes a review edit makes.

:class:`ReviewTables` is part of :class:`~aligner.store.Store`; :mod:`aligner.review`
decides what an edit does (in memory, no SQL) and asks for these reads and writes. The
writing methods run inside the caller's transaction: one review edit is one
``with store.transaction():`` around everything it writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from aligner.model import Status
from aligner.store.rows import BeadRecord, EditLine, EditRecord, LoggedEdit, Presence, StepLine, now

#: A stored sentence as a review edit sees it: (paragraph, text).
SentenceRow = tuple[int, str]
#: A stored bead as a review edit reads it: (position, src_start, src_end, tgt_start, tgt_end,
#: score, confidence, origin, status, changed_by, changed_at, note).
BeadTuple = tuple[int, int, int, int, int, float, float, str, str, "str | None", "str | None", "str | None"]


class ReviewTables:
    """Reads and writes of the review (mixed into :class:`~aligner.store.Store`)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:  # the Store's own, which write every bead and every sentence

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def insert_beads(self, pair_id: int, records: Iterable[BeadRecord], stamp: str) -> None: ...

        def insert_sentences(self, doc_id: int, rows: Iterable[tuple[int, int, str]]) -> None: ...

    # -- a pair as a review edit sees it ----------------------------------------------

    def _tuples(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        """Rows as plain tuples: a 1,000-bead pair is read on every edit, so skip sqlite3.Row."""
        cur = self.conn.cursor()
        cur.row_factory = None
        return cur.execute(sql, args).fetchall()

    def review_rows(self, pair_id: int) -> tuple[list[SentenceRow], list[SentenceRow], list[BeadTuple]]:
        """A pair's sentences of each side and its beads in order, as plain tuples."""
        docs = self._tuples("SELECT src_doc, tgt_doc FROM pairs WHERE id=?", (pair_id,))
        if not docs:
            return [], [], []
        src_doc, tgt_doc = docs[0]
        sql = "SELECT paragraph, text FROM sentences WHERE doc_id=? ORDER BY idx"
        beads = self._tuples(
            "SELECT position, src_start, src_end, tgt_start, tgt_end, score, confidence, origin, status,"
            " changed_by, changed_at, note FROM beads WHERE pair_id=? ORDER BY position",
            (pair_id,),
        )
        return self._tuples(sql, (src_doc,)), self._tuples(sql, (tgt_doc,)), beads

    def bead_marks(self, pair_id: int) -> list[tuple[int, int, int, int, str]]:
        """Each bead's spans and status, in order: what the review app compares with what it
        shows before an edit, to notice another program's change (plain tuples: this runs on
        every key that edits, on pairs of a thousand beads)."""
        return self._tuples(
            "SELECT src_start, src_end, tgt_start, tgt_end, status FROM beads WHERE pair_id=? ORDER BY position",
            (pair_id,),
        )

    def update_sentences(self, doc_id: int, rows: Sequence[tuple[int, int, str]]) -> None:
        """Give sentences (index, paragraph, text) of a document new text or paragraphs."""
        self.conn.executemany(
            "UPDATE sentences SET paragraph=?, text=? WHERE doc_id=? AND idx=?",
            [(paragraph, text, doc_id, idx) for idx, paragraph, text in rows],
        )

    def replace_sentences_from(self, doc_id: int, start: int, rows: Sequence[SentenceRow]) -> None:
        """The document's sentences from index ``start`` on become ``rows`` (paragraph, text)."""
        self.conn.execute("DELETE FROM sentences WHERE doc_id=? AND idx>=?", (doc_id, start))
        self.insert_sentences(doc_id, [(i, p, t) for i, (p, t) in enumerate(rows, start=start)])

    def replace_beads(
        self, pair_id: int, start: int, end: int, records: Sequence[BeadRecord], moved: tuple[int, int] = (0, 0)
    ) -> None:
        """The beads at positions ``start`` to ``end`` (exclusive) become ``records``, whose
        positions run on from ``start``; the beads after them keep their rows and move
        along, in position and, when sentences were added on a side, by ``moved`` (source,
        target) sentences."""
        self.conn.execute("DELETE FROM beads WHERE pair_id=? AND position>=? AND position<?", (pair_id, start, end))
        new_end = start + len(records)
        if new_end != end:
            self.conn.execute(
                "UPDATE beads SET position=position+? WHERE pair_id=? AND position>=?", (new_end - end, pair_id, end)
            )
        d_src, d_tgt = moved
        if d_src or d_tgt:
            self.conn.execute(
                "UPDATE beads SET src_start=src_start+?, src_end=src_end+?, tgt_start=tgt_start+?, tgt_end=tgt_end+?"
                " WHERE pair_id=? AND position>=?",
                (d_src, d_src, d_tgt, d_tgt, pair_id, new_end),
            )
        self.insert_beads(pair_id, records, now())

    # -- the edit log -------------------------------------------------------------------

    def record_edit(
        self, pair_id: int, reviewer: str, action: str, before: dict[str, Any], after: dict[str, Any]
    ) -> int:
        """Log an edit (inside the caller's transaction).

        A new edit ends the redo history: the pair's undone edits are marked dropped by it
        (kept in the log, never redone), not deleted, so the history stays complete.
        """
        cur = self.conn.execute(
            "INSERT INTO edits (pair_id, at, reviewer, action, before, after) VALUES (?,?,?,?,?,?)",
            (
                pair_id,
                now(),
                reviewer,
                action,
                json.dumps(before, ensure_ascii=False),
                json.dumps(after, ensure_ascii=False),
            ),
        )
        edit_id = int(cur.lastrowid or 0)
        self.conn.execute(
            "UPDATE edits SET dropped_by=? WHERE pair_id=? AND undone=1 AND dropped_by IS NULL", (edit_id, pair_id)
        )
        return edit_id

    def record_step(self, edit_id: int, pair_id: int, reviewer: str, kind: str) -> None:
        """Log an undo or redo of ``edit_id`` with the reviewer (inside the caller's transaction)."""
        self.conn.execute(
            "INSERT INTO edit_events (edit_id, pair_id, after_edit, at, reviewer, kind)"
            " VALUES (?, ?, (SELECT coalesce(max(id), 0) FROM edits), ?, ?, ?)",
            (edit_id, pair_id, now(), reviewer, kind),
        )

    def edit_to_undo(self, pair_id: int) -> EditRecord | None:
        """The pair's latest edit in force."""
        return self._edit(
            "SELECT id, pair_id, action, before, after FROM edits WHERE pair_id=? AND undone=0"
            " ORDER BY id DESC LIMIT 1",
            pair_id,
        )

    def edit_to_redo(self, pair_id: int) -> EditRecord | None:
        """The pair's earliest undone edit that a newer edit did not drop."""
        return self._edit(
            "SELECT id, pair_id, action, before, after FROM edits WHERE pair_id=? AND undone=1"
            " AND dropped_by IS NULL ORDER BY id ASC LIMIT 1",
            pair_id,
        )

    def _edit(self, sql: str, pair_id: int) -> EditRecord | None:
        row = self.conn.execute(sql, (pair_id,)).fetchone()
        if row is None:
            return None
        return EditRecord(int(row[0]), int(row[1]), str(row[2]), json.loads(row[3]), json.loads(row[4]))

    def mark_undone(self, edit_id: int, undone: bool) -> None:
        self.conn.execute("UPDATE edits SET undone=? WHERE id=?", (1 if undone else 0, edit_id))

    def edit_history(self, pair_id: int, limit: int) -> tuple[list[EditLine], list[StepLine]]:
        """The pair's latest ``limit`` edits and latest ``limit`` undos and redos, newest first."""
        edits = self.conn.execute(
            "SELECT id, at, reviewer, action, undone, dropped_by FROM edits WHERE pair_id=? ORDER BY id DESC LIMIT ?",
            (pair_id, limit),
        ).fetchall()
        steps = self.conn.execute(
            "SELECT s.id, s.edit_id, s.at, s.reviewer, s.kind, e.action, s.after_edit FROM edit_events s"
            " JOIN edits e ON e.id=s.edit_id WHERE s.pair_id=? ORDER BY s.id DESC LIMIT ?",
            (pair_id, limit),
        ).fetchall()
        return (
            [EditLine(r[0], r[1], r[2], r[3], bool(r[4]), r[5] is not None) for r in edits],
            [StepLine(*r) for r in steps],
        )

    def edit_log_mark(self, pair_id: int) -> tuple[int, int, int]:
        """Something that changes whenever the pair's edit log does: its number of edits, the
        newest edit's id and how many are undone."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(undone), 0) FROM edits WHERE pair_id=?", (pair_id,)
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def has_text_fixes(self, pair_id: int) -> bool:
        """True when an edit in force changed the pair's text (a typo fix, a replacement, a
        sentence split): the stored sentences are then the reviewer's, not the splitter's."""
        return bool(
            self.conn.execute(
                "SELECT count(*) FROM edits WHERE pair_id=? AND undone=0"
                " AND (action LIKE 'edit %' OR action LIKE 'replace %' OR action LIKE 'split-sentence %')",
                (pair_id,),
            ).fetchone()[0]
        )

    # -- where each reviewer is --------------------------------------------------------------

    def save_place(self, reviewer: str, pair_id: int, position: int) -> None:
        """The reviewer is in ``pair_id`` at bead ``position`` (inside the caller's transaction);
        they are there now (``seen_at``)."""
        self.conn.execute(
            "INSERT INTO review_state (reviewer, pair_id, position, screen, seen_at) VALUES (?,?,?,'pair',?)"
            " ON CONFLICT(reviewer) DO UPDATE SET pair_id=excluded.pair_id, position=excluded.position,"
            " screen='pair', seen_at=excluded.seen_at",
            (reviewer, pair_id, max(0, position), now()),
        )

    def save_on_list(self, reviewer: str) -> None:
        """The reviewer left the pairs for the list; their last pair and bead are kept."""
        self.conn.execute(
            "INSERT INTO review_state (reviewer, pair_id, position, screen, seen_at) VALUES (?, NULL, 0, 'list', ?)"
            " ON CONFLICT(reviewer) DO UPDATE SET screen='list', seen_at=excluded.seen_at",
            (reviewer, now()),
        )

    # -- who is here now ------------------------------------------------------------------------

    def mark_present(self, reviewer: str) -> None:
        """The reviewer's app is still open (a heartbeat): their ``seen_at`` is now. A reviewer
        with no place yet is put on the list."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO review_state (reviewer, pair_id, position, screen, seen_at) VALUES (?, NULL, 0, 'list', ?)"
                " ON CONFLICT(reviewer) DO UPDATE SET seen_at=excluded.seen_at",
                (reviewer, now()),
            )

    def mark_gone(self, reviewer: str) -> None:
        """The reviewer quit: no longer shown on a pair (their place is kept for next time)."""
        with self.transaction():
            self.conn.execute("UPDATE review_state SET seen_at=NULL WHERE reviewer=?", (reviewer,))

    def presence(self, since: str) -> list[Presence]:
        """Reviewers on a pair whose app said so at ``since`` (UTC, ISO 8601) or later, by name."""
        rows = self.conn.execute(
            "SELECT r.reviewer, r.pair_id, r.position, r.seen_at FROM review_state r JOIN pairs p ON p.id=r.pair_id"
            " WHERE r.screen='pair' AND r.seen_at>=? ORDER BY r.reviewer",
            (since,),
        ).fetchall()
        return [Presence(str(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in rows]

    def logged_edits(self) -> Iterator[LoggedEdit]:
        """Every edit of the log in the order it was made (streamed: the log can be long)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        for reviewer, at, action, before, after, undone in cur.execute(
            "SELECT reviewer, at, action, before, after, undone FROM edits ORDER BY id"
        ):
            yield LoggedEdit(str(reviewer), str(at), str(action), str(before), str(after), bool(undone))

    def was_on_list(self, reviewer: str) -> bool:
        row = self.conn.execute("SELECT screen FROM review_state WHERE reviewer=?", (reviewer,)).fetchone()
        return row is not None and row[0] == "list"

    def last_place(self, reviewer: str) -> tuple[int, int] | None:
        """(pair id, bead position) where ``reviewer`` was last, if that pair still exists."""
        row = self.conn.execute(
            "SELECT r.pair_id, r.position FROM review_state r JOIN pairs p ON p.id=r.pair_id WHERE r.reviewer=?",
            (reviewer,),
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    # -- progress ------------------------------------------------------------------------------

    def status_counts(self) -> dict[str, int]:
        """Beads of each review status in the whole corpus.

        Counted as all beads less the reviewed ones: the reviewed are a range of the status
        index and the total a scan of the smallest index, where grouping every bead by its
        status walks the whole status index (2 ms against 21 ms on 251,000 beads; the pair
        screen asks on every open)."""
        unreviewed = Status.UNREVIEWED.value
        reviewed = [s.value for s in Status if s != Status.UNREVIEWED]
        marks = ",".join("?" * len(reviewed))  # IN (...) seeks the index; != would scan it
        counts = dict(
            self.conn.execute(f"SELECT status, COUNT(*) FROM beads WHERE status IN ({marks}) GROUP BY status", reviewed)
        )
        left = self.conn.execute("SELECT COUNT(*) FROM beads").fetchone()[0] - sum(counts.values())
        return {**counts, unreviewed: left} if left else counts
