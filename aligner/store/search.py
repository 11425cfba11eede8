"""The corpus as the review's search, replace and notes read it: every sentence and note
of every pair in one pass, the pairs still to do, and a pair's own note.

:class:`CorpusReads` is part of :class:`~aligner.store.Store`. The matching itself
(regular expressions) and what a replacement or a note does to a pair live in
:mod:`aligner.review`; these methods only read rows, or write the one column a note
edit changes (inside the caller's transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Literal

#: A sentence as the corpus search reads it: (pair id, side, sentence index, text).
SentenceHit = tuple[int, Literal["src", "tgt"], int, str]
#: A note as the corpus search reads it: (pair id, bead position or None for the pair's own note, text).
NoteRow = tuple[int, "int | None", str]


class CorpusReads:
    """Reads for searching the corpus, and the pair note (mixed into :class:`~aligner.store.Store`)."""

    conn: sqlite3.Connection

    def corpus_sentences(
        self, sides: Iterable[Literal["src", "tgt"]] = ("src", "tgt"), pair_ids: Iterable[int] | None = None
    ) -> Iterator[SentenceHit]:
        """Every sentence of every pair (or of ``pair_ids``) on ``sides``, pair by pair in id
        order, source before target, in sentence order. Streams: memory stays flat on a
        large corpus."""
        wanted = None if pair_ids is None else json.dumps(sorted(set(pair_ids)))
        column = {"src": "src_doc", "tgt": "tgt_doc"}
        chosen = [side for side in ("src", "tgt") if side in set(sides)]
        if not chosen:
            return
        parts = [
            f"SELECT p.id, {i}, s.idx, s.text FROM pairs p JOIN sentences s ON s.doc_id = p.{column[side]}"
            + ("" if wanted is None else " WHERE p.id IN (SELECT value FROM json_each(?))")
            for i, side in enumerate(chosen)
        ]
        sql = " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3"
        args = () if wanted is None else tuple(wanted for _ in chosen)
        cur = self.conn.cursor()
        cur.row_factory = None
        for pair_id, side_no, idx, text in cur.execute(sql, args):
            yield int(pair_id), chosen[side_no], int(idx), str(text)

    def corpus_notes(self, pair_ids: Iterable[int] | None = None) -> Iterator[NoteRow]:
        """Every note in the corpus (or in ``pair_ids``): each pair's own note first (position
        None), then its beads' notes in bead order."""
        wanted = None if pair_ids is None else set(pair_ids)
        cur = self.conn.cursor()
        cur.row_factory = None
        rows = cur.execute(
            "SELECT id, NULL, note FROM pairs WHERE note IS NOT NULL AND note != ''"
            " UNION ALL SELECT pair_id, position, note FROM beads WHERE note IS NOT NULL AND note != ''"
            " ORDER BY 1, 2 NULLS FIRST"
        )
        for pair_id, position, note in rows:
            if wanted is None or pair_id in wanted:
                yield int(pair_id), None if position is None else int(position), str(note)

    def pair_titles(self, pair_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """The (source, target) titles of some pairs (a document without a title: its key)."""
        ids = sorted(set(pair_ids))
        out: dict[int, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for pair_id, src, tgt in self.conn.execute(
                "SELECT p.id, CASE WHEN s.title != '' THEN s.title ELSE s.key END,"
                " CASE WHEN t.title != '' THEN t.title ELSE t.key END FROM pairs p"
                f" JOIN documents s ON s.id = p.src_doc JOIN documents t ON t.id = p.tgt_doc WHERE p.id IN ({marks})",
                chunk,
            ):
                out[int(pair_id)] = (str(src), str(tgt))
        return out

    def pair_note(self, pair_id: int) -> str | None:
        """The reviewer's note on a pair (None when it has none, or there is no such pair)."""
        row = self.conn.execute("SELECT note FROM pairs WHERE id=?", (pair_id,)).fetchone()
        return None if row is None or not row[0] else str(row[0])

    def set_pair_note(self, pair_id: int, note: str | None) -> None:
        """Give a pair a note, or take it away with None (inside the caller's transaction)."""
        self.conn.execute("UPDATE pairs SET note=? WHERE id=?", (note or None, pair_id))

    def pair_with_unreviewed(self, after: int, direction: int = 1) -> int | None:
        """The first pair after (``direction`` 1) or before (-1) pair id ``after`` that has an
        unreviewed bead: one indexed look per pair, stopping at the first, so a key press
        costs the same on a corpus of any size."""
        op, order = (">", "ASC") if direction > 0 else ("<", "DESC")
        row = self.conn.execute(
            f"SELECT p.id FROM pairs p WHERE p.id {op} ? AND EXISTS"
            " (SELECT 1 FROM beads b WHERE b.pair_id = p.id AND b.status = 'unreviewed')"
            f" ORDER BY p.id {order} LIMIT 1",
            (after,),
        ).fetchone()
        return None if row is None else int(row[0])
