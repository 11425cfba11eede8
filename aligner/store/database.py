"""The corpus database: one SQLite file per corpus (:class:`Store`).

Why SQLite: nothing to install, one file to copy, and with WAL a batch run can write
while a reviewer reads and edits. Every unit of work (one article pair aligned, one
reviewer action) is one transaction, so a killed process never leaves half a pair.

Beads are stored as half-open sentence-index spans per side (``src_start``/``src_end``,
``tgt_start``/``tgt_end``), ordered by ``position`` within their pair; a 0-1 bead has
``src_start == src_end``. The source side is the English edition's page, the target the
Korean original, in a corpus run; any language pair in general.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from aligner.align.lexicon import Lexicon
from aligner.errors import StoreError
from aligner.export.policy import ExportPolicy, vouched
from aligner.model import Article, Bead, ExportRow, Origin, Sentence, Status
from aligner.store.edits import ReviewTables
from aligner.store.pairings import PairingTables, rejected_sql
from aligner.store.rows import (
    BeadRecord,
    BeadRow,
    ChangeMarks,
    DocumentRow,
    FailureRow,
    PairOrigin,
    PairRow,
    PairSummary,
    StoredPair,
    bead_spans,
    content_hash,
    document_key,
    now,
    unit_id,
)
from aligner.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION, split_sql
from aligner.store.search import CorpusReads

#: What SQLite says when a file's header is not an SQLite header.
_NOT_SQLITE = "file is not a database"


def disk_full(path: str | Path) -> bool:
    """Whether the file system holding ``path`` has no block left for us: SQLite reports
    that as a mere "disk I/O error" when it cannot create its -shm or grow its -wal."""
    try:
        info = os.statvfs(Path(path).parent)
    except (OSError, AttributeError):  # no statvfs (Windows) or no such folder
        return False
    return info.f_bavail == 0 or info.f_favail == 0


def _summary(row: tuple[Any, ...]) -> PairSummary:
    """A :meth:`Store.summaries` row: thirteen counts and names, then how the pair was made."""
    how, score, sure, rejected = row[13:]
    return PairSummary(
        **dict(zip(_COUNTED, row[:13], strict=True)),
        how=how,
        pair_score=score,
        sure=None if sure is None else bool(sure),
        pairing_rejected=bool(rejected),
    )


_COUNTED = [f.name for f in fields(PairSummary)][:13]


class Store(ReviewTables, CorpusReads, PairingTables):
    """A corpus database. Use as a context manager, or call ``close()``.

    ``create=False`` opens only an existing corpus database (``stats``, ``export``,
    ``review``): a missing, empty or foreign file is a :class:`StoreError` and is left
    exactly as it was, instead of quietly becoming an empty corpus.

    The review's own tables (the edit log, where each reviewer is) are read and written
    through the methods of :class:`~aligner.store.edits.ReviewTables`; the corpus-wide
    reads of the review's search (and a pair's note) through those of
    :class:`~aligner.store.search.CorpusReads`; how pairs were made, rejected pairings and
    a run's content decisions through those of :class:`~aligner.store.pairings.PairingTables`.
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
            if disk_full(self.path):
                raise StoreError(str(self.path), f"cannot open: the disk holding it is full ({exc})") from exc
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
        self.closed = True

    closed = False  # True once close() ran: nothing can be read or written any more

    def _migrate(self) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            with self.transaction():
                for stmt in split_sql(SCHEMA_V1):
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
                step = MIGRATIONS[version - 1]
                if callable(step):
                    step(self.conn)
                else:
                    for stmt in split_sql(step):
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
            article.lang,
            article.url,
            article.title or "",
            article.subtitle,
            article.published,
            article.modified,
            article.byline,
            article.section,
            article.original_url,
            article.layout,
            article.text,
            raw_path,
            digest,
        )
        with self.transaction() as c:
            if row is None:
                cur = c.execute(
                    "INSERT INTO documents (lang, url, title, subtitle, published, modified, byline,"
                    " section, original_url, layout, text, raw_path, content_hash, key, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, key, now()),
                )
                return _new_id(cur)
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

    def _replace_sentences(self, doc_id: int, sentences: list[Sentence]) -> None:
        self.conn.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))
        self.insert_sentences(doc_id, [(s.index, s.paragraph, s.text) for s in sentences])

    def insert_sentences(self, doc_id: int, rows: Iterable[tuple[int, int, str]]) -> None:
        """Add sentences (index, paragraph, text) to a document (inside the caller's transaction)."""
        self.conn.executemany(
            "INSERT INTO sentences (doc_id, idx, paragraph, text) VALUES (?,?,?,?)",
            [(doc_id, idx, paragraph, text) for idx, paragraph, text in rows],
        )

    # -- pairs ---------------------------------------------------------------------

    def upsert_pair(self, src_doc: int, tgt_doc: int, how: str | PairOrigin, score: float | None = None) -> int:
        """The pair of ``src_doc`` with ``tgt_doc``, made ``how`` (a :class:`PairOrigin`, or
        just its ``how``); its id. A new original drops the old one's beads."""
        origin = how if isinstance(how, PairOrigin) else PairOrigin(str(how), score)
        sure = None if origin.sure is None else int(origin.sure)
        detail = None if origin.detail is None else json.dumps(origin.detail, ensure_ascii=False)
        facts = (origin.how, origin.score, sure, detail)
        row = self.conn.execute("SELECT id, tgt_doc FROM pairs WHERE src_doc=?", (src_doc,)).fetchone()
        with self.transaction() as c:
            if row is None:
                cur = c.execute(
                    "INSERT INTO pairs (src_doc, tgt_doc, how, score, sure, pairing) VALUES (?,?,?,?,?,?)",
                    (src_doc, tgt_doc, *facts),
                )
                return _new_id(cur)
            if row["tgt_doc"] != tgt_doc:
                c.execute("DELETE FROM beads WHERE pair_id=?", (row["id"],))
                c.execute("UPDATE pairs SET tgt_doc=?, aligned_hash=NULL WHERE id=?", (tgt_doc, row["id"]))
            c.execute("UPDATE pairs SET how=?, score=?, sure=?, pairing=? WHERE id=?", (*facts, row["id"]))
            return int(row["id"])

    def pair(self, pair_id: int) -> PairRow:
        row = self.conn.execute(
            "SELECT id, src_doc, tgt_doc, how, score, method, aligned_at, sure, pairing FROM pairs WHERE id=?",
            (pair_id,),
        ).fetchone()
        if row is None:
            raise StoreError(str(self.path), f"no pair {pair_id}")
        values = dict(row)
        values["sure"] = None if values["sure"] is None else bool(values["sure"])
        return PairRow(**values)

    def pair_languages(self, pair_id: int) -> tuple[str, str]:
        """The languages of a pair's source and target documents."""
        row = self.conn.execute(
            "SELECT s.lang, t.lang FROM pairs p JOIN documents s ON s.id=p.src_doc JOIN documents t ON t.id=p.tgt_doc"
            " WHERE p.id=?",
            (pair_id,),
        ).fetchone()
        if row is None:
            raise StoreError(str(self.path), f"no pair {pair_id}")
        return str(row[0]), str(row[1])

    def pair_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM pairs ORDER BY id")]

    def stored_pair(self, src_key: str) -> StoredPair | None:
        """The pair whose source document has key ``src_key``, with its documents' hashes."""
        row = self.conn.execute(
            "SELECT p.id, p.aligned_hash, e.content_hash, k.content_hash, k.key FROM documents e"
            " JOIN pairs p ON p.src_doc=e.id JOIN documents k ON k.id=p.tgt_doc WHERE e.key=?",
            (document_key(src_key),),
        ).fetchone()
        return None if row is None else StoredPair(*row)

    def pair_alignment_hash(self, pair_id: int) -> str | None:
        row = self.conn.execute("SELECT aligned_hash FROM pairs WHERE id=?", (pair_id,)).fetchone()
        return None if row is None else row[0]

    def current_pair_hash(self, pair_id: int) -> str:
        """Hash of both documents' contents: beads computed from it are still valid."""
        row = self.conn.execute(
            "SELECT e.content_hash, k.content_hash FROM pairs p JOIN documents e ON e.id=p.src_doc"
            " JOIN documents k ON k.id=p.tgt_doc WHERE p.id=?",
            (pair_id,),
        ).fetchone()
        return content_hash(row[0], row[1])

    # -- beads ---------------------------------------------------------------------

    def beads(self, pair_id: int) -> list[BeadRow]:
        """The pair's beads in order. The columns are read as plain tuples in BeadRow's field
        order (half the time of named rows for a 1,000-bead pair, which the review app reads
        after every edit)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        rows = cur.execute(
            "SELECT id, pair_id, position, src_start, src_end, tgt_start, tgt_end, score, confidence,"
            " origin, status, changed_by, changed_at, note FROM beads WHERE pair_id=? ORDER BY position",
            (pair_id,),
        ).fetchall()
        return [BeadRow(*r) for r in rows]

    def save_alignment(
        self,
        pair_id: int,
        src_sentences: list[Sentence],
        tgt_sentences: list[Sentence],
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
        kept = {(b.src_start, b.src_end, b.tgt_start, b.tgt_end): b for b in (keep or [])}
        records = []
        for pos, (span, bead) in enumerate(zip(bead_spans(beads), beads)):
            old = kept.get(span)
            if old is not None:
                records.append(
                    BeadRecord(
                        pos,
                        *span,
                        old.score,
                        old.confidence,
                        old.origin,
                        old.status,
                        old.changed_by,
                        old.changed_at,
                        old.note,
                    )
                )
            else:
                records.append(BeadRecord(pos, *span, bead.score, bead.confidence, Origin.AUTO, Status.UNREVIEWED))
        stamp = now()
        with self.transaction() as c:
            self._replace_sentences(pair.src_doc, src_sentences)
            self._replace_sentences(pair.tgt_doc, tgt_sentences)
            c.execute("DELETE FROM beads WHERE pair_id=?", (pair_id,))
            self.insert_beads(pair_id, records, stamp)
            c.execute(
                "UPDATE pairs SET method=?, aligned_hash=?, aligned_at=? WHERE id=?",
                (method, self.current_pair_hash(pair_id), stamp, pair_id),
            )
            c.execute("DELETE FROM failures WHERE item=(SELECT key FROM documents WHERE id=?)", (pair.src_doc,))

    # -- snapshots for review edits and undo ---------------------------------------

    def snapshot(self, pair_id: int) -> dict[str, Any]:
        """Everything a review edit can change in a pair, as plain JSON-able data."""
        pair = self.pair(pair_id)
        return {
            "src": [[s.index, s.paragraph, s.text] for s in self.sentences(pair.src_doc)],
            "tgt": [[s.index, s.paragraph, s.text] for s in self.sentences(pair.tgt_doc)],
            "beads": [
                [
                    b.src_start,
                    b.src_end,
                    b.tgt_start,
                    b.tgt_end,
                    b.score,
                    b.confidence,
                    b.origin,
                    b.status,
                    b.changed_by,
                    b.changed_at,
                    b.note,
                ]
                for b in self.beads(pair_id)
            ],
        }

    def restore(self, pair_id: int, snap: dict[str, Any]) -> None:
        """Write a snapshot back (inside the caller's transaction, or in one of its own).

        Bead rows may stop after ``status`` (snapshots written before the review facts):
        those beads come back without who changed them and when. Snapshots written before
        schema 7 name the sides ``en`` and ``ko``.
        """
        pair = self.pair(pair_id)
        with self.transaction() as c:
            self._replace_sentences(pair.src_doc, [Sentence(*s) for s in snap["src" if "src" in snap else "en"]])
            self._replace_sentences(pair.tgt_doc, [Sentence(*s) for s in snap["tgt" if "tgt" in snap else "ko"]])
            c.execute("DELETE FROM beads WHERE pair_id=?", (pair_id,))
            self.insert_beads(
                pair_id,
                [BeadRecord(pos, *b[:8], *(list(b[8:11]) + [None] * 3)[:3]) for pos, b in enumerate(snap["beads"])],
                now(),
            )

    def insert_beads(self, pair_id: int, records: Iterable[BeadRecord], stamp: str) -> None:
        """Add beads to a pair (inside the caller's transaction): the one place beads are written."""
        self.conn.executemany(
            "INSERT INTO beads (pair_id, position, src_start, src_end, tgt_start, tgt_end, score,"
            " confidence, origin, status, updated_at, changed_by, changed_at, note)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    pair_id,
                    r.position,
                    r.src_start,
                    r.src_end,
                    r.tgt_start,
                    r.tgt_end,
                    r.score,
                    r.confidence,
                    str(r.origin),
                    str(r.status),
                    stamp,
                    r.changed_by,
                    r.changed_at,
                    r.note,
                )
                for r in records
            ],
        )

    # -- lexicon -------------------------------------------------------------------------

    def training_pairs(self, min_confidence: float = 0.9) -> Iterator[tuple[str, str]]:
        """Text of beads fit to learn from: accepted by a reviewer, or confident and not rejected,
        in pairs whose pairing no reviewer rejected."""
        rejected = self.rejected_pair_ids()
        for pair_id in self.pair_ids():
            if pair_id in rejected:
                continue
            pair = self.pair(pair_id)
            en = [s.text for s in self.sentences(pair.src_doc)]
            ko = [s.text for s in self.sentences(pair.tgt_doc)]
            for b in self.beads(pair_id):
                if b.src_start == b.src_end or b.tgt_start == b.tgt_end or b.status == Status.REJECTED:
                    continue
                if b.is_fixed or b.confidence >= min_confidence:
                    yield " ".join(en[b.src_start : b.src_end]), " ".join(ko[b.tgt_start : b.tgt_end])

    def save_lexicon(self, lexicon: Lexicon) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM lexicon")
            c.executemany(
                "INSERT INTO lexicon (direction, word, translation, prob) VALUES (?,?,?,?)", lexicon.entries()
            )
            c.execute("INSERT OR REPLACE INTO lexicon_info (key, value) VALUES ('pairs', ?)", (str(lexicon.pairs),))
            c.execute("INSERT OR REPLACE INTO lexicon_info (key, value) VALUES ('trained_at', ?)", (now(),))

    def forget_lexicon(self) -> int:
        """Remove the corpus's lexicon, so later runs align without it (it helps a closely
        translated corpus and can hurt a loosely translated one); the number of entries it had,
        counted as ``len(Lexicon)`` counts them (source to target)."""
        if self.conn.execute("SELECT 1 FROM lexicon LIMIT 1").fetchone() is None:
            return 0  # nothing to forget: the file is not written
        with self.transaction() as c:
            removed = c.execute("SELECT COUNT(*) FROM lexicon WHERE direction = 'f'").fetchone()[0]
            c.execute("DELETE FROM lexicon")
            c.execute("DELETE FROM lexicon_info")
        return int(removed)

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

    def summaries(self, pair_ids: Iterable[int] | None = None) -> list[PairSummary]:
        """One line per pair (titles, date, beads by status, mean confidence, sentences), in
        corpus order; only the pairs ``pair_ids`` when given (the review app re-reads the
        pair a reviewer just left).

        For the whole corpus, beads and sentences are counted in one grouped pass each and
        joined to the pairs: counting per pair in correlated subqueries took 0.66 s on a
        10,000-pair corpus, this 0.17 s (the review app's list and ``aligner stats`` read it whole).
        """
        counts = (
            "SELECT pair_id, COUNT(*) AS n, SUM(status='accepted') AS acc, SUM(status='rejected') AS rej,"
            " SUM(status='unreviewed') AS todo, AVG(confidence) AS conf FROM beads {} GROUP BY pair_id"
        )
        columns = (
            "p.id, e.title, k.title, e.key, k.key, COALESCE(e.published, k.published), COALESCE(b.n, 0),"
            " COALESCE(b.acc, 0), COALESCE(b.rej, 0), COALESCE(b.todo, 0), b.conf"
        )
        pairing = f"p.how, p.score, p.sure, {rejected_sql()}"
        pairs = "pairs p JOIN documents e ON e.id=p.src_doc JOIN documents k ON k.id=p.tgt_doc"
        args: tuple[int, ...] = ()
        if pair_ids is None:
            sql = (
                f"WITH b AS ({counts.format('')}), s AS (SELECT doc_id, COUNT(*) AS n FROM sentences GROUP BY doc_id)"
                f" SELECT {columns}, COALESCE(se.n, 0), COALESCE(sk.n, 0), {pairing} FROM {pairs}"
                " LEFT JOIN b ON b.pair_id=p.id LEFT JOIN s se ON se.doc_id=p.src_doc"
                " LEFT JOIN s sk ON sk.doc_id=p.tgt_doc"
                " ORDER BY p.id"
            )
        else:
            args = tuple(sorted(set(pair_ids)))
            if not args:
                return []
            marks = ",".join("?" * len(args))
            sql = (
                f"WITH b AS ({counts.format(f'WHERE pair_id IN ({marks})')})"
                f" SELECT {columns}, (SELECT COUNT(*) FROM sentences s WHERE s.doc_id=p.src_doc),"
                f" (SELECT COUNT(*) FROM sentences s WHERE s.doc_id=p.tgt_doc), {pairing} FROM {pairs}"
                f" LEFT JOIN b ON b.pair_id=p.id WHERE p.id IN ({marks}) ORDER BY p.id"
            )
            args = args + args
        cur = self.conn.cursor()
        cur.row_factory = None
        return [_summary(r) for r in cur.execute(sql, args).fetchall()]

    def change_marks(self) -> ChangeMarks:
        """What changed since the last look, roughly (:class:`ChangeMarks`): a handful of
        indexed maxima and counts, well under a millisecond on a 10,000-pair corpus."""
        row = self.conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM edits), (SELECT coalesce(max(id), 0) FROM edit_events),"
            " (SELECT count(*) FROM pairs), (SELECT coalesce(max(aligned_at), '') FROM pairs),"
            " (SELECT coalesce(max(id), 0) FROM documents), (SELECT coalesce(max(id), 0) FROM beads)"
        ).fetchone()
        return ChangeMarks(int(row[0]), int(row[1]), int(row[2]), str(row[3]), int(row[4]), int(row[5]))

    def pairs_edited_since(self, marks: ChangeMarks) -> list[int]:
        """Pairs with a review edit, undo or redo logged after ``marks`` were taken."""
        rows = self.conn.execute(
            "SELECT pair_id FROM edits WHERE id > ? UNION SELECT pair_id FROM edit_events WHERE id > ?",
            (marks.last_edit, marks.last_step),
        ).fetchall()
        return sorted(int(r[0]) for r in rows)

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the database (SQLite's
        ``PRAGMA data_version``; this connection's own commits leave it as it is): the review
        app polls it to notice other reviewers and batch runs. Costs microseconds."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def bead_type_counts(self) -> dict[str, int]:
        """Beads of each type ("1-1", "2-1", "0-1"...) in the whole corpus, commonest first."""
        rows = self.conn.execute(
            "SELECT (src_end-src_start) || '-' || (tgt_end-tgt_start) AS kind, COUNT(*) FROM beads"
            " GROUP BY kind ORDER BY COUNT(*) DESC"
        ).fetchall()
        return {kind: n for kind, n in rows}

    def languages(self) -> tuple[str, str]:
        """The corpus's (source, target) languages, from its first pair; ("en", "ko") when empty."""
        row = self.conn.execute(
            "SELECT e.lang, k.lang FROM pairs p JOIN documents e ON e.id=p.src_doc"
            " JOIN documents k ON k.id=p.tgt_doc ORDER BY p.id LIMIT 1"
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
        rejected = self.rejected_pair_ids()
        for pair_id in self.pair_ids():
            if wanted is not None and pair_id not in wanted:
                continue
            if not policy.admits_pair(pairing_rejected=pair_id in rejected):
                continue
            beads = [b for b in self.beads(pair_id) if policy.admits(b)]
            if not beads:
                continue
            info = self.conn.execute(
                "SELECT src_doc, tgt_doc, method, aligned_at, note FROM pairs WHERE id=?", (pair_id,)
            ).fetchone()
            en, ko = self.document(info["src_doc"]), self.document(info["tgt_doc"])
            en_text = [s.text for s in self.sentences(en.id)]
            ko_text = [s.text for s in self.sentences(ko.id)]
            created_by = f"aligner/{info['method']}" if info["method"] else "aligner"
            for b in beads:
                person = vouched(b.status, b.origin)
                yield ExportRow(
                    pair_id=pair_id,
                    bead_id=b.id,
                    position=b.position,
                    src_lang=en.lang,
                    tgt_lang=ko.lang,
                    src_text=" ".join(en_text[b.src_start : b.src_end]),
                    tgt_text=" ".join(ko_text[b.tgt_start : b.tgt_end]),
                    src_ids=b.src_ids,
                    tgt_ids=b.tgt_ids,
                    confidence=1.0 if person else b.confidence,
                    score=b.score,
                    status=b.status,
                    origin=b.origin,
                    src_doc=en.key,
                    tgt_doc=ko.key,
                    tuid=unit_id(en.key, ko.key, (b.src_start, b.src_end), (b.tgt_start, b.tgt_end)),
                    aligner_confidence=b.confidence if b.origin == Origin.AUTO.value else None,
                    created_at=info["aligned_at"],
                    created_by=created_by,
                    changed_at=b.changed_at,
                    changed_by=b.changed_by,
                    note=b.note,
                    pair_note=info["note"],
                )

    def integrity_problems(self) -> list[str]:
        """Check that every pair's beads cover each side's sentences once, in order."""
        problems = []
        for pair_id in self.pair_ids():
            pair = self.pair(pair_id)
            beads = self.beads(pair_id)
            if not beads:
                continue
            n_src = len(self.sentences(pair.src_doc))
            n_tgt = len(self.sentences(pair.tgt_doc))
            e = k = 0
            for b in beads:
                if b.src_start != e or b.tgt_start != k or b.src_end < b.src_start or b.tgt_end < b.tgt_start:
                    problems.append(f"pair {pair_id}: bead at position {b.position} breaks the order")
                    break
                e, k = b.src_end, b.tgt_end
            else:
                if (e, k) != (n_src, n_tgt):
                    problems.append(f"pair {pair_id}: beads cover {e}/{n_src} source and {k}/{n_tgt} target sentences")
        return problems


def _new_id(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made."""
    if cur.lastrowid is None:
        raise StoreError(None, "an INSERT made no row")  # cannot happen for a plain INSERT
    return cur.lastrowid
