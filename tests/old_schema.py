"""Turn a database this version wrote back into what schema 6 or 7 had, to test older upgrades.

A test of an upgrade from schema 4 or 5 builds a database with today's code and then
takes it back: schema 9's pairing facts and schema 8's presence go (``back_to_schema_7``), the sides' columns get
their schema-6 names (``en_doc``, ``en_start``...) and the edit log its first delta format
(sides keyed "en" and "ko"). The upgrade from 6 itself is tested on a database the
schema-6 code wrote (fixtures/db/schema6.db).
"""

from __future__ import annotations

import json
import sqlite3

COLUMNS = {
    "pairs": [("src_doc", "en_doc"), ("tgt_doc", "ko_doc")],
    "beads": [("src_start", "en_start"), ("src_end", "en_end"), ("tgt_start", "ko_start"), ("tgt_end", "ko_end")],
}


def back_to_schema_8(conn: sqlite3.Connection) -> None:
    """Drop what schema 9 added: how sure a content pair was, rejected pairings, a run's
    content decisions (the caller sets user_version)."""
    conn.execute("ALTER TABLE pairs DROP COLUMN sure")
    conn.execute("ALTER TABLE pairs DROP COLUMN pairing")
    conn.execute("DROP TABLE pairing_rejections")
    conn.execute("DROP TABLE pairing_decisions")


def back_to_schema_7(conn: sqlite3.Connection) -> None:
    """Drop what schemas 8 and 9 added (the caller sets user_version)."""
    back_to_schema_8(conn)
    conn.execute("DROP INDEX IF EXISTS beads_by_status")
    if "seen_at" in [r[1] for r in conn.execute("PRAGMA table_info(review_state)")]:
        conn.execute("ALTER TABLE review_state DROP COLUMN seen_at")


def back_to_schema_6(conn: sqlite3.Connection) -> None:
    """Rename the columns and rewrite the edit log as schema 6 had them (the caller sets user_version)."""
    back_to_schema_7(conn)
    for table, renames in COLUMNS.items():
        for new, old in renames:
            conn.execute(f"ALTER TABLE {table} RENAME COLUMN {new} TO {old}")
    for row_id, before, after in conn.execute("SELECT id, before, after FROM edits").fetchall():
        conn.execute(
            "UPDATE edits SET before=?, after=? WHERE id=?",
            (
                json.dumps(_v1(json.loads(before)), ensure_ascii=False),
                json.dumps(_v1(json.loads(after)), ensure_ascii=False),
                row_id,
            ),
        )


def _v1(delta: dict) -> dict:
    if delta.get("format") != "slices-v2":
        return delta
    names = {"src": "en", "tgt": "ko"}
    return {names.get(key, key): value for key, value in delta.items()} | {"format": "slices-v1"}
