"""The corpus database's schema: the first version's tables and every migration since.

A new database is created at version 1 and brought up to :data:`SCHEMA_VERSION` by the
same migrations an old one goes through, so there is one way to reach the current
schema. Each migration runs in one transaction with the version bump.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from aligner.store.rows import document_key

SCHEMA_VERSION = 9
APPLICATION_ID = 0x416C6E72  # "Alnr": marks the file as ours

SCHEMA_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,          -- canonical URL (see document_key), or path for local files
    url TEXT,
    title TEXT NOT NULL DEFAULT '',
    subtitle TEXT,
    published TEXT,
    modified TEXT,
    byline TEXT,
    section TEXT,
    original_url TEXT,
    layout TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,                -- cleaned body, paragraphs joined by blank lines
    raw_path TEXT,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE pairs (
    id INTEGER PRIMARY KEY,
    en_doc INTEGER NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    ko_doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    how TEXT NOT NULL,                 -- link, content, given
    score REAL,
    method TEXT NOT NULL DEFAULT '',   -- aligner that made the auto beads
    aligned_hash TEXT,                 -- content hashes the beads were computed from
    aligned_at TEXT
);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);
CREATE TABLE beads (
    id INTEGER PRIMARY KEY,
    pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    en_start INTEGER NOT NULL,
    en_end INTEGER NOT NULL,
    ko_start INTEGER NOT NULL,
    ko_end INTEGER NOT NULL,
    score REAL NOT NULL DEFAULT 0,
    confidence REAL NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'auto' CHECK (origin IN ('auto', 'manual')),
    status TEXT NOT NULL DEFAULT 'unreviewed'
        CHECK (status IN ('unreviewed', 'accepted', 'rejected')),
    updated_at TEXT NOT NULL
);
CREATE INDEX beads_by_pair ON beads (pair_id, position);
CREATE TABLE edits (
    id INTEGER PRIMARY KEY,
    pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT NOT NULL,              -- JSON snapshot of the pair, enough to undo
    after TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX edits_by_pair ON edits (pair_id, id);
CREATE TABLE failures (
    item TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE review_state (
    reviewer TEXT PRIMARY KEY,
    pair_id INTEGER,
    position INTEGER NOT NULL DEFAULT 0
);
"""


def _canonical_keys(conn: sqlite3.Connection) -> None:
    """Migrations 2 -> 3 and 5 -> 6: re-key documents and failures by :func:`document_key`
    (again whenever the rule of one URL spelling grows).

    Documents whose keys now coincide (an article stored once under http:// and once under
    https://) are merged when nothing is lost by it: the same sentences, and not two
    English documents that each have a pair. Otherwise the later one keeps its old key,
    so every stored sentence, bead and edit survives.
    """
    keys = dict(conn.execute("SELECT id, key FROM documents ORDER BY id").fetchall())
    groups: dict[str, list[int]] = {}
    for doc_id, key in keys.items():
        groups.setdefault(document_key(key), []).append(doc_id)
    for key, ids in groups.items():
        # the one already under the canonical key keeps it (no clash with the UNIQUE key)
        keeper = next((i for i in ids if keys[i] == key), ids[0])
        for other in ids:
            if other != keeper:
                _merge_document(conn, keeper, other)
        conn.execute("UPDATE documents SET key=? WHERE id=?", (key, keeper))
    failures = conn.execute("SELECT item, stage, reason, at FROM failures ORDER BY at").fetchall()
    conn.execute("DELETE FROM failures")
    conn.executemany(  # the latest failure of an item wins, as record_failure would have it
        "INSERT OR REPLACE INTO failures (item, stage, reason, at) VALUES (?,?,?,?)",
        [(document_key(item), stage, reason, at) for item, stage, reason, at in failures],
    )


def _merge_document(conn: sqlite3.Connection, keeper: int, other: int) -> bool:
    """Point ``other``'s pairs at ``keeper`` and drop ``other``, if that loses nothing."""

    def sentences(doc_id: int) -> list[tuple]:
        return conn.execute(
            "SELECT idx, paragraph, text FROM sentences WHERE doc_id=? ORDER BY idx", (doc_id,)
        ).fetchall()

    hashes = conn.execute("SELECT content_hash FROM documents WHERE id IN (?, ?)", (keeper, other)).fetchall()
    if len({h[0] for h in hashes}) > 1:
        return False  # two versions of the page's text: keep both
    if sentences(keeper) and sentences(other) and sentences(keeper) != sentences(other):
        return False  # e.g. a reviewer's sentence fix on one of them: keep both
    as_english = conn.execute("SELECT count(*) FROM pairs WHERE en_doc IN (?, ?)", (keeper, other)).fetchone()[0]
    if as_english > 1:
        return False  # pairs.en_doc is unique: two English pairs cannot share one document
    if not sentences(keeper):
        conn.execute("UPDATE sentences SET doc_id=? WHERE doc_id=?", (keeper, other))
    conn.execute("UPDATE pairs SET en_doc=? WHERE en_doc=?", (keeper, other))
    conn.execute("UPDATE pairs SET ko_doc=? WHERE ko_doc=?", (keeper, other))
    conn.execute("DELETE FROM documents WHERE id=?", (other,))
    return True


def _review_facts(conn: sqlite3.Connection) -> None:
    """Migration 4 -> 5: ``beads.changed_by``/``changed_at`` (the last reviewer action on the
    bead: who, and when in UTC) and nullable ``note`` columns on beads and pairs.

    Beads a person already decided (accepted, rejected or made by hand) get the reviewer
    and time of their pair's latest edit: the log before this version did not say which
    bead an edit touched, so that is the closest fact there is.
    """
    for stmt in (
        "ALTER TABLE beads ADD COLUMN changed_by TEXT",
        "ALTER TABLE beads ADD COLUMN changed_at TEXT",
        "ALTER TABLE beads ADD COLUMN note TEXT",
        "ALTER TABLE pairs ADD COLUMN note TEXT",
    ):
        conn.execute(stmt)
    conn.execute(
        """
        UPDATE beads SET
            changed_by = (SELECT e.reviewer FROM edits e WHERE e.pair_id = beads.pair_id ORDER BY e.id DESC LIMIT 1),
            changed_at = (SELECT e.at FROM edits e WHERE e.pair_id = beads.pair_id ORDER BY e.id DESC LIMIT 1)
        WHERE status != 'unreviewed' OR origin = 'manual'
        """
    )


# Each entry upgrades the schema from version i+1 to i+2: SQL, or a function for what SQL
# cannot say; append, never edit.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1 -> 2: the translation lexicon learned from the corpus (aligner lexicon train)
    """
    CREATE TABLE lexicon (
        direction TEXT NOT NULL CHECK (direction IN ('f', 'b')),
        word TEXT NOT NULL,
        translation TEXT NOT NULL,
        prob REAL NOT NULL,
        PRIMARY KEY (direction, word, translation)
    ) WITHOUT ROWID;
    CREATE TABLE lexicon_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2 -> 3: documents keyed by their canonical URL (http and https name one article)
    _canonical_keys,
    # 3 -> 4: a complete edit history. An undone edit that a newer edit makes impossible to
    # redo is marked with that edit's id (dropped_by) instead of deleted; undo and redo are
    # logged with the reviewer in edit_events; review_state says whether the reviewer was
    # in a pair or on the list of pairs, so reopening the app returns there
    """
    ALTER TABLE edits ADD COLUMN dropped_by INTEGER;
    CREATE TABLE edit_events (
        id INTEGER PRIMARY KEY,
        edit_id INTEGER NOT NULL REFERENCES edits(id) ON DELETE CASCADE,
        pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
        after_edit INTEGER NOT NULL,       -- the newest edit id then: orders it among the edits
        at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('undo', 'redo'))
    );
    CREATE INDEX edit_events_by_pair ON edit_events (pair_id, id);
    ALTER TABLE review_state ADD COLUMN screen TEXT NOT NULL DEFAULT 'pair';
    """,
    # 4 -> 5: the review facts an export carries: who last changed a bead and when, and a
    # reviewer's note on a bead or a pair (see _review_facts)
    _review_facts,
    # 5 -> 6: keys without tracking parameters and fragments (1.html?_fr=mt1 is 1.html),
    # duplicates merged by the same rule as in 2 -> 3
    _canonical_keys,
    # 6 -> 7: one name for each side, source and target (src, tgt), as in the model and the
    # exports: the engine aligns any language pair, not only English and Korean. The edit
    # log is left as it was written: its older entries name the sides en and ko, and
    # aligner.review reads them as src and tgt
    """
    ALTER TABLE pairs RENAME COLUMN en_doc TO src_doc;
    ALTER TABLE pairs RENAME COLUMN ko_doc TO tgt_doc;
    ALTER TABLE beads RENAME COLUMN en_start TO src_start;
    ALTER TABLE beads RENAME COLUMN en_end TO src_end;
    ALTER TABLE beads RENAME COLUMN ko_start TO tgt_start;
    ALTER TABLE beads RENAME COLUMN ko_end TO tgt_end;
    """,
    # 7 -> 8: when each reviewer's app last said it was there (UTC), so the list of pairs
    # shows who is on which pair now and not who was there last week (NULL once they quit);
    # beads indexed by status, so the corpus's counts by status (the review app's status
    # line, on opening every pair) take 15 ms on 250,000 beads instead of 60-200 ms
    """
    ALTER TABLE review_state ADD COLUMN seen_at TEXT;
    CREATE INDEX beads_by_status ON beads (status);
    """,
    # 8 -> 9: pairs found by content in a run (how = content) say how sure they are and
    # how they were decided, a reviewer can reject a wrong pairing (its beads then never
    # leave in an export and a run does not pair the two again), and a run remembers each
    # content decision with the pages it was made from, so a re-run does not decide again
    """
    ALTER TABLE pairs ADD COLUMN sure INTEGER;  -- content pairs: 1 sure enough to use unattended, 0 taken unsure
    ALTER TABLE pairs ADD COLUMN pairing TEXT;  -- content pairs: how it was decided (JSON)
    CREATE TABLE pairing_rejections (
        src_doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        tgt_doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        rejected_by TEXT NOT NULL,
        rejected_at TEXT NOT NULL,
        PRIMARY KEY (src_doc, tgt_doc)
    );
    CREATE TABLE pairing_decisions (
        src_key TEXT PRIMARY KEY,          -- the English page (document_key of its URL)
        page_print TEXT NOT NULL,          -- the English page and the originals rejected for it
        pool_print TEXT NOT NULL,          -- the candidate pages it was chosen among
        tgt_key TEXT,                      -- the chosen original, NULL when nothing convinced
        score REAL NOT NULL,
        sure INTEGER NOT NULL,
        detail TEXT NOT NULL,              -- JSON: decided_by, margins, verification, why
        decided_at TEXT NOT NULL
    );
    """,
]


def split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
