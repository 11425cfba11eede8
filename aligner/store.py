"""The corpus database: one SQLite file per corpus.

Why SQLite: nothing to install, one file to copy, and with WAL a batch run can write
while a reviewer reads and edits. Every unit of work (one article pair aligned, one
reviewer action) is one transaction, so a killed process never leaves half a pair.

Beads are stored as half-open sentence-index spans per side (``en_start``/``en_end``),
ordered by ``position`` within their pair; a 0-1 bead has ``en_start == en_end``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aligner.align.lexicon import Lexicon
from aligner.errors import StoreError
from aligner.export.policy import ExportPolicy, vouched
from aligner.model import Article, Bead, ExportRow, Origin, Sentence, Status
from aligner.sources.urls import page_key

SCHEMA_VERSION = 6
APPLICATION_ID = 0x416C6E72  # "Alnr": marks the file as ours

_SCHEMA_V1 = """
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

def document_key(key: str) -> str:
    """The key a document (or a failed item) is stored under: its URL in the one spelling
    of :func:`~aligner.sources.urls.page_key`, so ``http://`` and ``https://`` links, or
    links with tracking parameters, to one article make one document; a path as is.
    """
    return page_key(key)


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
        return conn.execute("SELECT idx, paragraph, text FROM sentences WHERE doc_id=? ORDER BY idx",
                            (doc_id,)).fetchall()

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


def unit_id(en_key: str, ko_key: str, en_span: tuple[int, int], ko_span: tuple[int, int]) -> str:
    """A bead's stable name (the TMX ``tuid``): a hash of both documents' keys and its spans.

    Not the row id, which changes whenever a pair is re-aligned or edited: the same bead
    of the same two documents gets the same name in every run and every export.
    """
    text = f"{en_key}\n{ko_key}\n{en_span[0]}-{en_span[1]}\n{ko_span[0]}-{ko_span[1]}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


# Each entry upgrades the schema from version i+1 to i+2: SQL, or a function for what SQL
# cannot say; append, never edit.
_MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
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
]


def now() -> str:
    """UTC timestamp with seconds, the format used in every ``*_at`` column."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(*parts: str) -> str:
    """Stable hash of a document's text, to notice when a re-run sees changed content."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


@dataclass
class DocumentRow:
    id: int
    lang: str
    key: str
    url: str | None
    title: str
    published: str | None
    layout: str
    text: str
    content_hash: str


@dataclass
class PairRow:
    id: int
    en_doc: int
    ko_doc: int
    how: str
    score: float | None
    method: str
    aligned_at: str | None


@dataclass
class BeadRow:
    """A stored bead: spans are half-open sentence-index ranges."""

    id: int
    pair_id: int
    position: int
    en_start: int
    en_end: int
    ko_start: int
    ko_end: int
    score: float
    confidence: float
    origin: str
    status: str
    changed_by: str | None = None  # the reviewer of the last action on this bead
    changed_at: str | None = None  # when (UTC, ISO 8601)
    note: str | None = None  # a reviewer's note

    @property
    def en_ids(self) -> tuple[int, ...]:
        return tuple(range(self.en_start, self.en_end))

    @property
    def ko_ids(self) -> tuple[int, ...]:
        return tuple(range(self.ko_start, self.ko_end))

    @property
    def kind(self) -> str:
        return f"{self.en_end - self.en_start}-{self.ko_end - self.ko_start}"

    @property
    def is_fixed(self) -> bool:
        """A bead a person has vouched for: re-alignment keeps it as an anchor."""
        return self.status == Status.ACCEPTED.value or self.origin == Origin.MANUAL.value

    def to_bead(self) -> Bead:
        return Bead(self.en_ids, self.ko_ids, self.score, self.confidence)


@dataclass(frozen=True)
class StoredPair:
    """What a corpus run needs to know about an English page's stored pair."""

    pair_id: int
    aligned_hash: str | None  # the documents' hash the beads were computed from
    src_hash: str  # the documents' content hashes now
    tgt_hash: str
    tgt_key: str  # the Korean document's key


@dataclass(frozen=True)
class FailureRow:
    """An item a run could not align, and why (``stage``: failed or unpaired)."""

    item: str
    stage: str
    reason: str
    at: str  # when (UTC, ISO 8601)


@dataclass
class PairSummary:
    """One line of the corpus overview (used by ``stats`` and the review app)."""

    pair_id: int
    en_title: str
    ko_title: str
    en_key: str
    ko_key: str
    published: str | None
    beads: int
    accepted: int
    rejected: int
    unreviewed: int
    mean_confidence: float | None
    en_sentences: int
    ko_sentences: int

    @property
    def reviewed_share(self) -> float:
        return (self.accepted + self.rejected) / self.beads if self.beads else 0.0

    @property
    def status(self) -> str:
        if not self.beads:
            return "empty"
        if self.unreviewed == 0:
            return "done"
        return "in progress" if self.accepted + self.rejected else "new"


#: What SQLite says when a file's header is not an SQLite header.
_NOT_SQLITE = "file is not a database"


class Store:
    """A corpus database. Use as a context manager, or call ``close()``.

    ``create=False`` opens only an existing corpus database (``stats``, ``export``,
    ``review``): a missing, empty or foreign file is a :class:`StoreError` and is left
    exactly as it was, instead of quietly becoming an empty corpus.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, create: bool = True) -> None:
        self.path = Path(path)
        self.create = create
        self._check_file()
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # autocommit mode: transactions are opened explicitly in ``transaction()``
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(str(self.path), f"cannot open database ({exc})") from exc
        self.conn.row_factory = sqlite3.Row
        try:
            self._check_ours()  # before any PRAGMA that writes: a foreign file stays untouched
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            if _NOT_SQLITE in str(exc):
                raise StoreError(str(self.path), "not an SQLite database") from exc
            raise StoreError(str(self.path), f"not a usable corpus database ({exc})") from exc
        except StoreError:
            self.conn.close()
            raise

    def _check_file(self) -> None:
        """Refuse what is plainly no corpus database before SQLite opens (and would create) it."""
        if self.path.is_dir():
            raise StoreError(str(self.path), "is a folder, not a corpus database")
        exists = self.path.exists()
        if not exists and not self.create:
            raise StoreError(str(self.path), "no such corpus database (build one with `aligner run`)")
        if exists and self.path.stat().st_size == 0 and not self.create:
            raise StoreError(str(self.path), "empty file, not a corpus database")
        # The header is left to SQLite (see ``_NOT_SQLITE``): opening and closing the file
        # here would drop the POSIX locks this process's other connections hold on it
        # (close() releases every lock of the process on that file), and another program
        # could then delete the WAL under them.

    def _check_ours(self) -> None:
        """An SQLite file must carry our application id (or be new and empty, when creating)."""
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            if not self.create:
                raise StoreError(str(self.path), "an empty SQLite database, not a corpus database")
            return
        if app_id != APPLICATION_ID:
            raise StoreError(str(self.path), "is an SQLite file but not a corpus database")

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            with self.transaction():
                for stmt in _split_sql(_SCHEMA_V1):
                    self.conn.execute(stmt)
                self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self.conn.execute("PRAGMA user_version=1")
            app_id, version = APPLICATION_ID, 1
        if app_id != APPLICATION_ID:
            raise StoreError(str(self.path), "is an SQLite file but not a corpus database")
        if version > SCHEMA_VERSION:
            raise StoreError(
                str(self.path),
                f"schema version {version} is newer than this aligner ({SCHEMA_VERSION}); upgrade aligner",
            )
        while version < SCHEMA_VERSION:
            with self.transaction():
                step = _MIGRATIONS[version - 1]
                if callable(step):
                    step(self.conn)
                else:
                    for stmt in _split_sql(step):
                        self.conn.execute(stmt)
                version += 1
                self.conn.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: BEGIN IMMEDIATE ... COMMIT, rolled back on any error.

        IMMEDIATE takes the write lock up front, so two writers queue on the busy
        timeout instead of failing half-way with "database is locked".
        """
        if self.conn.in_transaction:  # nested: join the outer unit of work
            yield self.conn
            return
        self._begin()
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _begin(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise StoreError(str(self.path), "database stayed locked for 2 minutes") from exc
                time.sleep(0.05)

    # -- documents ---------------------------------------------------------------

    def upsert_document(self, article: Article, key: str | None = None, raw_path: str | None = None) -> int:
        """Store an article (by URL, else path); returns its id. Unchanged content is a no-op."""
        key = key or article.url or article.source_path
        if not key:
            raise StoreError(str(self.path), "a document needs a URL or a path to be stored")
        key = document_key(key)
        digest = content_hash(article.title, article.text)
        row = self.conn.execute("SELECT id, content_hash FROM documents WHERE key=?", (key,)).fetchone()
        values = (
            article.lang, article.url, article.title or "", article.subtitle, article.published,
            article.modified, article.byline, article.section, article.original_url,
            article.layout, article.text, raw_path, digest,
        )
        with self.transaction() as c:
            if row is None:
                cur = c.execute(
                    "INSERT INTO documents (lang, url, title, subtitle, published, modified, byline,"
                    " section, original_url, layout, text, raw_path, content_hash, key, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, key, now()),
                )
                return int(cur.lastrowid)
            if row["content_hash"] != digest:
                c.execute(
                    "UPDATE documents SET lang=?, url=?, title=?, subtitle=?, published=?, modified=?,"
                    " byline=?, section=?, original_url=?, layout=?, text=?, raw_path=?, content_hash=?"
                    " WHERE id=?",
                    (*values, row["id"]),
                )
            return int(row["id"])

    def document(self, doc_id: int) -> DocumentRow:
        row = self.conn.execute(
            "SELECT id, lang, key, url, title, published, layout, text, content_hash FROM documents WHERE id=?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise StoreError(str(self.path), f"no document {doc_id}")
        return DocumentRow(**dict(row))

    def document_id(self, key: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE key=?", (document_key(key),)).fetchone()
        return None if row is None else int(row[0])

    def sentences(self, doc_id: int) -> list[Sentence]:
        rows = self.conn.execute(
            "SELECT idx, paragraph, text FROM sentences WHERE doc_id=? ORDER BY idx", (doc_id,)
        ).fetchall()
        return [Sentence(r["idx"], r["paragraph"], r["text"]) for r in rows]

    def _replace_sentences(self, c: sqlite3.Connection, doc_id: int, sentences: list[Sentence]) -> None:
        c.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))
        c.executemany(
            "INSERT INTO sentences (doc_id, idx, paragraph, text) VALUES (?,?,?,?)",
            [(doc_id, s.index, s.paragraph, s.text) for s in sentences],
        )

    # -- pairs ---------------------------------------------------------------------

    def upsert_pair(self, en_doc: int, ko_doc: int, how: str, score: float | None = None) -> int:
        row = self.conn.execute("SELECT id, ko_doc FROM pairs WHERE en_doc=?", (en_doc,)).fetchone()
        with self.transaction() as c:
            if row is None:
                cur = c.execute(
                    "INSERT INTO pairs (en_doc, ko_doc, how, score) VALUES (?,?,?,?)",
                    (en_doc, ko_doc, how, score),
                )
                return int(cur.lastrowid)
            if row["ko_doc"] != ko_doc:
                c.execute("DELETE FROM beads WHERE pair_id=?", (row["id"],))
                c.execute(
                    "UPDATE pairs SET ko_doc=?, how=?, score=?, aligned_hash=NULL WHERE id=?",
                    (ko_doc, how, score, row["id"]),
                )
            return int(row["id"])

    def pair(self, pair_id: int) -> PairRow:
        row = self.conn.execute(
            "SELECT id, en_doc, ko_doc, how, score, method, aligned_at FROM pairs WHERE id=?", (pair_id,)
        ).fetchone()
        if row is None:
            raise StoreError(str(self.path), f"no pair {pair_id}")
        return PairRow(**dict(row))

    def pair_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM pairs ORDER BY id")]

    def stored_pair(self, src_key: str) -> StoredPair | None:
        """The pair whose English document has key ``src_key``, with its documents' hashes."""
        row = self.conn.execute(
            "SELECT p.id, p.aligned_hash, e.content_hash, k.content_hash, k.key FROM documents e"
            " JOIN pairs p ON p.en_doc=e.id JOIN documents k ON k.id=p.ko_doc WHERE e.key=?",
            (document_key(src_key),),
        ).fetchone()
        return None if row is None else StoredPair(*row)

    def pair_alignment_hash(self, pair_id: int) -> str | None:
        row = self.conn.execute("SELECT aligned_hash FROM pairs WHERE id=?", (pair_id,)).fetchone()
        return None if row is None else row[0]

    def current_pair_hash(self, pair_id: int) -> str:
        """Hash of both documents' contents: beads computed from it are still valid."""
        row = self.conn.execute(
            "SELECT e.content_hash, k.content_hash FROM pairs p JOIN documents e ON e.id=p.en_doc"
            " JOIN documents k ON k.id=p.ko_doc WHERE p.id=?",
            (pair_id,),
        ).fetchone()
        return content_hash(row[0], row[1])

    # -- beads ---------------------------------------------------------------------

    def beads(self, pair_id: int) -> list[BeadRow]:
        rows = self.conn.execute(
            "SELECT id, pair_id, position, en_start, en_end, ko_start, ko_end, score, confidence,"
            " origin, status, changed_by, changed_at, note FROM beads WHERE pair_id=? ORDER BY position",
            (pair_id,),
        ).fetchall()
        return [BeadRow(**dict(r)) for r in rows]

    def save_alignment(
        self,
        pair_id: int,
        en_sentences: list[Sentence],
        ko_sentences: list[Sentence],
        beads: list[Bead],
        method: str,
        *,
        keep: list[BeadRow] | None = None,
    ) -> None:
        """Replace a pair's automatic beads (and its sentences) in one transaction.

        ``keep``: beads a person accepted or made, written back unchanged with their review
        facts (who changed them last, when, the note); the new ``beads`` must already
        include their spans, since they were the anchors.
        """
        pair = self.pair(pair_id)
        kept = {(b.en_start, b.en_end, b.ko_start, b.ko_end): b for b in (keep or [])}
        stamp = now()
        rows = []
        for pos, span in enumerate(bead_spans(beads)):
            bead = beads[pos]
            old = kept.get(span)
            if old is not None:
                rows.append((pair_id, pos, *span, old.score, old.confidence, old.origin, old.status, stamp,
                             old.changed_by, old.changed_at, old.note))
            else:
                rows.append((pair_id, pos, *span, bead.score, bead.confidence, "auto", "unreviewed", stamp,
                             None, None, None))
        with self.transaction() as c:
            self._replace_sentences(c, pair.en_doc, en_sentences)
            self._replace_sentences(c, pair.ko_doc, ko_sentences)
            c.execute("DELETE FROM beads WHERE pair_id=?", (pair_id,))
            c.executemany(
                "INSERT INTO beads (pair_id, position, en_start, en_end, ko_start, ko_end, score,"
                " confidence, origin, status, updated_at, changed_by, changed_at, note)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            c.execute(
                "UPDATE pairs SET method=?, aligned_hash=?, aligned_at=? WHERE id=?",
                (method, self.current_pair_hash(pair_id), stamp, pair_id),
            )
            c.execute("DELETE FROM failures WHERE item=(SELECT key FROM documents WHERE id=?)", (pair.en_doc,))

    # -- snapshots for review edits and undo ---------------------------------------

    def snapshot(self, pair_id: int) -> dict:
        """Everything a review edit can change in a pair, as plain JSON-able data."""
        pair = self.pair(pair_id)
        return {
            "en": [[s.index, s.paragraph, s.text] for s in self.sentences(pair.en_doc)],
            "ko": [[s.index, s.paragraph, s.text] for s in self.sentences(pair.ko_doc)],
            "beads": [
                [b.en_start, b.en_end, b.ko_start, b.ko_end, b.score, b.confidence, b.origin, b.status,
                 b.changed_by, b.changed_at, b.note]
                for b in self.beads(pair_id)
            ],
        }

    def restore(self, c: sqlite3.Connection, pair_id: int, snap: dict) -> None:
        """Write a snapshot back (inside the caller's transaction).

        Bead rows may stop after ``status`` (snapshots written before the review facts):
        those beads come back without who changed them and when.
        """
        pair = self.pair(pair_id)
        self._replace_sentences(c, pair.en_doc, [Sentence(*s) for s in snap["en"]])
        self._replace_sentences(c, pair.ko_doc, [Sentence(*s) for s in snap["ko"]])
        c.execute("DELETE FROM beads WHERE pair_id=?", (pair_id,))
        stamp = now()
        c.executemany(
            "INSERT INTO beads (pair_id, position, en_start, en_end, ko_start, ko_end, score,"
            " confidence, origin, status, updated_at, changed_by, changed_at, note)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(pair_id, pos, *b[:8], stamp, *(list(b[8:11]) + [None] * (11 - len(b)))[:3])
             for pos, b in enumerate(snap["beads"])],
        )

    def record_edit(self, c: sqlite3.Connection, pair_id: int, reviewer: str, action: str,
                    before: dict, after: dict) -> int:
        """Log an edit (inside the caller's transaction).

        A new edit ends the redo history: the pair's undone edits are marked dropped by it
        (kept in the log, never redone), not deleted, so the history stays complete.
        """
        cur = c.execute(
            "INSERT INTO edits (pair_id, at, reviewer, action, before, after) VALUES (?,?,?,?,?,?)",
            (pair_id, now(), reviewer, action, json.dumps(before, ensure_ascii=False),
             json.dumps(after, ensure_ascii=False)),
        )
        edit_id = int(cur.lastrowid)
        c.execute("UPDATE edits SET dropped_by=? WHERE pair_id=? AND undone=1 AND dropped_by IS NULL",
                  (edit_id, pair_id))
        return edit_id

    def edit_log_mark(self, pair_id: int) -> tuple[int, int, int]:
        """Something that changes whenever the pair's edit log does: its number of edits, the
        newest edit's id and how many are undone."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(undone), 0) FROM edits WHERE pair_id=?", (pair_id,)
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def has_text_fixes(self, pair_id: int) -> bool:
        """True when an edit in force changed the pair's text (a typo fix, a sentence split):
        the stored sentences are then the reviewer's, not the splitter's."""
        return self.conn.execute(
            "SELECT count(*) FROM edits WHERE pair_id=? AND undone=0"
            " AND (action LIKE 'edit %' OR action LIKE 'split-sentence %')", (pair_id,)
        ).fetchone()[0] > 0

    def record_step(self, c: sqlite3.Connection, edit_id: int, pair_id: int, reviewer: str, kind: str) -> None:
        """Log an undo or redo of ``edit_id`` with the reviewer (inside the caller's transaction)."""
        c.execute(
            "INSERT INTO edit_events (edit_id, pair_id, after_edit, at, reviewer, kind)"
            " VALUES (?, ?, (SELECT coalesce(max(id), 0) FROM edits), ?, ?, ?)",
            (edit_id, pair_id, now(), reviewer, kind),
        )

    # -- lexicon -------------------------------------------------------------------------

    def training_pairs(self, min_confidence: float = 0.9) -> Iterator[tuple[str, str]]:
        """Text of beads fit to learn from: accepted by a reviewer, or confident and not rejected."""
        for pair_id in self.pair_ids():
            pair = self.pair(pair_id)
            en = [s.text for s in self.sentences(pair.en_doc)]
            ko = [s.text for s in self.sentences(pair.ko_doc)]
            for b in self.beads(pair_id):
                if b.en_start == b.en_end or b.ko_start == b.ko_end or b.status == "rejected":
                    continue
                if b.status == "accepted" or b.origin == "manual" or b.confidence >= min_confidence:
                    yield " ".join(en[b.en_start:b.en_end]), " ".join(ko[b.ko_start:b.ko_end])

    def save_lexicon(self, lexicon: Lexicon) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM lexicon")
            c.executemany("INSERT INTO lexicon (direction, word, translation, prob) VALUES (?,?,?,?)",
                          lexicon.entries())
            c.execute("INSERT OR REPLACE INTO lexicon_info (key, value) VALUES ('pairs', ?)", (str(lexicon.pairs),))
            c.execute("INSERT OR REPLACE INTO lexicon_info (key, value) VALUES ('trained_at', ?)", (now(),))

    def load_lexicon(self) -> Lexicon | None:
        """The corpus's lexicon, or None when none was trained."""
        if self.conn.execute("SELECT 1 FROM lexicon LIMIT 1").fetchone() is None:
            return None
        info = dict(self.conn.execute("SELECT key, value FROM lexicon_info").fetchall())
        rows = self.conn.execute("SELECT direction, word, translation, prob FROM lexicon")
        return Lexicon.from_entries(rows, pairs=int(info.get("pairs", 0)))

    # -- failures ----------------------------------------------------------------------

    def record_failure(self, item: str, stage: str, reason: str) -> None:
        """Remember a failed item under its document key, so a later success clears it."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO failures (item, stage, reason, at) VALUES (?,?,?,?)"
                " ON CONFLICT(item) DO UPDATE SET stage=excluded.stage, reason=excluded.reason, at=excluded.at",
                (document_key(item), stage, reason, now()),
            )

    def failure_rows(self) -> list[FailureRow]:
        """Every remembered failure, with when it was recorded."""
        return [FailureRow(*r) for r in self.conn.execute("SELECT item, stage, reason, at FROM failures")]

    def clear_failure(self, item: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM failures WHERE item=?", (document_key(item),))

    def failures(self) -> list[tuple[str, str, str]]:
        return [tuple(r) for r in self.conn.execute("SELECT item, stage, reason FROM failures ORDER BY item")]

    # -- reading for stats, review and export -------------------------------------

    def summaries(self) -> list[PairSummary]:
        rows = self.conn.execute(
            """
            SELECT p.id AS pair_id, e.title AS en_title, k.title AS ko_title, e.key AS en_key,
                   k.key AS ko_key, COALESCE(e.published, k.published) AS published,
                   COUNT(b.id) AS beads,
                   COALESCE(SUM(b.status='accepted'), 0) AS accepted,
                   COALESCE(SUM(b.status='rejected'), 0) AS rejected,
                   COALESCE(SUM(b.status='unreviewed'), 0) AS unreviewed,
                   AVG(b.confidence) AS mean_confidence,
                   (SELECT COUNT(*) FROM sentences s WHERE s.doc_id=p.en_doc) AS en_sentences,
                   (SELECT COUNT(*) FROM sentences s WHERE s.doc_id=p.ko_doc) AS ko_sentences
            FROM pairs p JOIN documents e ON e.id=p.en_doc JOIN documents k ON k.id=p.ko_doc
            LEFT JOIN beads b ON b.pair_id=p.id
            GROUP BY p.id ORDER BY p.id
            """
        ).fetchall()
        return [PairSummary(**dict(r)) for r in rows]

    def bead_type_counts(self) -> dict[str, int]:
        """Beads of each type ("1-1", "2-1", "0-1"...) in the whole corpus, commonest first."""
        rows = self.conn.execute(
            "SELECT (en_end-en_start) || '-' || (ko_end-ko_start) AS kind, COUNT(*) FROM beads"
            " GROUP BY kind ORDER BY COUNT(*) DESC"
        ).fetchall()
        return {kind: n for kind, n in rows}

    def languages(self) -> tuple[str, str]:
        """The corpus's (source, target) languages, from its first pair; ("en", "ko") when empty."""
        row = self.conn.execute(
            "SELECT e.lang, k.lang FROM pairs p JOIN documents e ON e.id=p.en_doc"
            " JOIN documents k ON k.id=p.ko_doc ORDER BY p.id LIMIT 1"
        ).fetchone()
        return (row[0], row[1]) if row else ("en", "ko")

    def export_rows(
        self,
        policy: ExportPolicy | None = None,
        *,
        pair_ids: Iterable[int] | None = None,
        **filters: Any,
    ) -> Iterator[ExportRow]:
        """Beads with their text and review facts, in corpus order, as ``policy`` admits them.

        ``policy`` defaults to :class:`~aligner.export.policy.ExportPolicy`'s defaults (no
        rejected bead, no empty bead); keyword filters (``status``, ``min_confidence``,
        ``keep_empty``) build one instead: ``store.export_rows(min_confidence=0.9)``
        (``skip_empty``, the old name, is still understood). Streams pair by pair, so
        memory stays flat.
        """
        if "skip_empty" in filters:  # the name before the policy: skip_empty=False kept them
            filters.setdefault("keep_empty", not filters.pop("skip_empty"))
        if filters:
            if policy is not None:
                raise TypeError("export_rows() takes a policy or filters, not both")
            try:
                policy = ExportPolicy(**filters)
            except TypeError as exc:
                raise TypeError(f"export_rows(): {exc}") from None
        policy = policy or ExportPolicy()
        wanted = None if pair_ids is None else set(pair_ids)
        for pair_id in self.pair_ids():
            if wanted is not None and pair_id not in wanted:
                continue
            beads = [b for b in self.beads(pair_id) if policy.admits(b)]
            if not beads:
                continue
            info = self.conn.execute(
                "SELECT en_doc, ko_doc, method, aligned_at, note FROM pairs WHERE id=?", (pair_id,)
            ).fetchone()
            en, ko = self.document(info["en_doc"]), self.document(info["ko_doc"])
            en_text = [s.text for s in self.sentences(en.id)]
            ko_text = [s.text for s in self.sentences(ko.id)]
            created_by = f"aligner/{info['method']}" if info["method"] else "aligner"
            for b in beads:
                person = vouched(b.status, b.origin)
                yield ExportRow(
                    pair_id=pair_id, bead_id=b.id, position=b.position,
                    src_lang=en.lang, tgt_lang=ko.lang,
                    src_text=" ".join(en_text[b.en_start:b.en_end]),
                    tgt_text=" ".join(ko_text[b.ko_start:b.ko_end]),
                    src_ids=b.en_ids, tgt_ids=b.ko_ids,
                    confidence=1.0 if person else b.confidence,
                    score=b.score, status=b.status, origin=b.origin,
                    src_doc=en.key, tgt_doc=ko.key,
                    tuid=unit_id(en.key, ko.key, (b.en_start, b.en_end), (b.ko_start, b.ko_end)),
                    aligner_confidence=b.confidence if b.origin == Origin.AUTO.value else None,
                    created_at=info["aligned_at"], created_by=created_by,
                    changed_at=b.changed_at, changed_by=b.changed_by,
                    note=b.note, pair_note=info["note"],
                )

    def integrity_problems(self) -> list[str]:
        """Check that every pair's beads cover each side's sentences once, in order."""
        problems = []
        for pair_id in self.pair_ids():
            pair = self.pair(pair_id)
            beads = self.beads(pair_id)
            if not beads:
                continue
            n_en = len(self.sentences(pair.en_doc))
            n_ko = len(self.sentences(pair.ko_doc))
            e = k = 0
            for b in beads:
                if b.en_start != e or b.ko_start != k or b.en_end < b.en_start or b.ko_end < b.ko_start:
                    problems.append(f"pair {pair_id}: bead at position {b.position} breaks the order")
                    break
                e, k = b.en_end, b.ko_end
            else:
                if (e, k) != (n_en, n_ko):
                    problems.append(f"pair {pair_id}: beads cover {e}/{n_en} EN and {k}/{n_ko} KO sentences")
        return problems


def bead_spans(beads: list[Bead]) -> list[tuple[int, int, int, int]]:
    """Half-open (en_start, en_end, ko_start, ko_end) spans of consecutive beads.

    An empty side gets a zero-width span where it sits, which a bare id tuple cannot say.
    Raises ValueError when the beads do not run through both sides in order.
    """
    spans = []
    e = k = 0
    for bead in beads:
        if bead.src != tuple(range(e, e + len(bead.src))) or bead.tgt != tuple(range(k, k + len(bead.tgt))):
            raise ValueError(f"bead {bead.src}:{bead.tgt} is not contiguous after EN {e}, KO {k}")
        spans.append((e, e + len(bead.src), k, k + len(bead.tgt)))
        e += len(bead.src)
        k += len(bead.tgt)
    return spans


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
