"""The corpus database: schema, migrations guard, transactions, anchors kept on re-align."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from aligner.errors import AlignerError, StoreError
from aligner.model import Article, Bead, Sentence
from aligner.store import APPLICATION_ID, SCHEMA_VERSION, Store, bead_spans
from tests.old_schema import back_to_schema_6


def article(lang: str, key: str, paragraphs: list[str]) -> Article:
    return Article(lang=lang, title=f"title {key}", paragraphs=paragraphs, url=key)


def sents(texts: list[str]) -> list[Sentence]:
    return [Sentence(i, 0, t) for i, t in enumerate(texts)]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "corpus.db") as s:
        yield s


def make_pair(store: Store) -> int:
    en = store.upsert_document(article("en", "http://e/1", ["A. B. C."]))
    ko = store.upsert_document(article("ko", "http://k/1", ["가. 나. 다."]))
    return store.upsert_pair(en, ko, "link")


def test_new_database_has_schema_version_wal_and_our_id(tmp_path):
    path = tmp_path / "c.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_refuses_files_that_are_not_ours(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello")
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not a corpus database"):
        Store(other)
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "c.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this aligner"):
        Store(path)


def test_documents_are_keyed_and_unchanged_content_is_a_no_op(store):
    a = article("en", "http://e/1", ["One."])
    first = store.upsert_document(a)
    assert store.upsert_document(a) == first
    before = store.document(first).content_hash
    a.paragraphs = ["One changed."]
    assert store.upsert_document(a) == first
    assert store.document(first).content_hash != before


def test_save_alignment_replaces_auto_beads_and_keeps_reviewed_ones(store):
    pair = make_pair(store)
    beads = [Bead((0,), (0,), 1.0, 0.9), Bead((1,), (1,), 1.0, 0.8), Bead((2,), (2,), 1.0, 0.7)]
    store.save_alignment(pair, sents(["A.", "B.", "C."]), sents(["가.", "나.", "다."]), beads, "length")
    rows = store.beads(pair)
    assert [r.kind for r in rows] == ["1-1"] * 3
    with store.transaction() as c:
        c.execute("UPDATE beads SET status='accepted' WHERE id=?", (rows[1].id,))
    keep = [b for b in store.beads(pair) if b.is_fixed]
    new = [Bead((0, 1), (0,), 0.5, 0.4), Bead((), (1,), 0.0, 0.3), Bead((2,), (2,), 0.0, 0.6)]
    # the accepted bead (1,1) is not in the new list: only spans that match are written back
    store.save_alignment(pair, sents(["A.", "B.", "C."]), sents(["가.", "나.", "다."]), new, "length", keep=keep)
    assert [r.kind for r in store.beads(pair)] == ["2-1", "0-1", "1-1"]
    again = [Bead((0,), (0,)), Bead((1,), (1,)), Bead((2,), (2,))]
    store.save_alignment(pair, sents(["A.", "B.", "C."]), sents(["가.", "나.", "다."]), again, "x", keep=keep)
    statuses = [r.status for r in store.beads(pair)]
    assert statuses == ["unreviewed", "accepted", "unreviewed"]
    assert store.integrity_problems() == []


def test_a_failed_transaction_leaves_nothing_behind(store):
    pair = make_pair(store)
    store.save_alignment(pair, sents(["A."]), sents(["가."]), [Bead((0,), (0,), 1, 1)], "x")
    with pytest.raises(RuntimeError):
        with store.transaction() as c:
            c.execute("DELETE FROM beads WHERE pair_id=?", (pair,))
            raise RuntimeError("killed mid-edit")
    assert len(store.beads(pair)) == 1


def test_bead_spans_give_empty_sides_a_position():
    spans = bead_spans([Bead((0,), ()), Bead((), (0,)), Bead((1, 2), (1,))])
    assert spans == [(0, 1, 0, 0), (1, 1, 0, 1), (1, 3, 1, 2)]
    with pytest.raises(ValueError):
        bead_spans([Bead((1,), (0,))])


def test_integrity_check_finds_gaps(store):
    pair = make_pair(store)
    store.save_alignment(pair, sents(["A.", "B."]), sents(["가."]), [Bead((0, 1), (0,))], "x")
    assert store.integrity_problems() == []
    with store.transaction() as c:
        c.execute("UPDATE beads SET src_end=1 WHERE pair_id=?", (pair,))
    assert store.integrity_problems() == [f"pair {pair}: beads cover 1/2 source and 1/1 target sentences"]


def test_export_rows_filter_by_status_confidence_and_empty(store):
    pair = make_pair(store)
    beads = [Bead((0,), (0,), 1, 0.95), Bead((1,), (), 0, 0.2), Bead((2,), (1, 2), 1, 0.4)]
    store.save_alignment(pair, sents(["A.", "B.", "C."]), sents(["가.", "나.", "다."]), beads, "x")
    rows = list(store.export_rows(keep_empty=True))
    assert [(r.src_text, r.tgt_text, r.kind) for r in rows] == [
        ("A.", "가.", "1-1"),
        ("B.", "", "1-0"),
        ("C.", "나. 다.", "1-2"),
    ]
    assert [r.kind for r in store.export_rows()] == ["1-1", "1-2"]  # empty beads left out by default
    assert [r.kind for r in store.export_rows(min_confidence=0.5)] == ["1-1"]
    assert list(store.export_rows(status="accepted")) == []
    with pytest.raises(AlignerError, match="unknown status filter 'bogus'"):
        list(store.export_rows(status="bogus"))
    with store.transaction() as c:
        c.execute("UPDATE beads SET status='rejected' WHERE pair_id=? AND position=0", (pair,))
    assert [r.kind for r in store.export_rows()] == ["1-2"]  # rejected beads left out by default
    assert [r.kind for r in store.export_rows(status="any")] == ["1-1", "1-2"]
    assert [r.kind for r in store.export_rows(status="rejected")] == ["1-1"]


def test_failures_are_recorded_and_cleared(store):
    store.record_failure("http://e/2", "unpaired", "no link")
    store.record_failure("https://e/2", "failed", "bad page")  # the same page: keyed as documents are
    assert store.failures() == [("https://e/2", "failed", "bad page")]
    store.clear_failure("http://e/2")
    assert store.failures() == []


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    from aligner.store.schema import SCHEMA_V1, split_sql

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for stmt in split_sql(SCHEMA_V1):
        conn.execute(stmt)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("PRAGMA user_version=1")
    conn.execute(
        "INSERT INTO documents (lang, key, text, content_hash, created_at) VALUES"
        " ('en', 'http://e/1', 'A.', 'h', 'now')"
    )
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.document_id("http://e/1") is not None
        assert store.load_lexicon() is None


def test_lexicon_round_trip_and_training_pairs(store):
    from aligner.align.lexicon import Lexicon

    pair = make_pair(store)
    beads = [Bead((0,), (0,), 1, 0.95), Bead((1,), (1,), 1, 0.2), Bead((2,), (2,), 1, 0.3)]
    store.save_alignment(pair, sents(["A.", "B.", "C."]), sents(["가.", "나.", "다."]), beads, "x")
    with store.transaction() as c:
        c.execute("UPDATE beads SET status='accepted' WHERE pair_id=? AND position=2", (pair,))
    assert list(store.training_pairs(0.9)) == [("A.", "가."), ("C.", "다.")]
    lex = Lexicon(forward={"minis": {"장관": 0.8}}, backward={"장관": {"minis": 0.7}}, pairs=2)
    store.save_lexicon(lex)
    again = store.load_lexicon()
    assert again.forward == lex.forward and again.backward == lex.backward and again.pairs == 2
    # forgotten: gone with its record of when it was trained, the beads untouched
    assert store.forget_lexicon() == len(lex) == 1
    assert store.load_lexicon() is None
    assert store.conn.execute("SELECT COUNT(*) FROM lexicon_info").fetchone()[0] == 0
    assert list(store.training_pairs(0.9)) == [("A.", "가."), ("C.", "다.")]
    assert store.forget_lexicon() == 0


# -- opening only what is a corpus database -------------------------------------------------


def _empty_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("DROP TABLE t")
    conn.commit()
    conn.close()
    return path


def _foreign_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_bytes(b""), "empty file, not a corpus database"),
        (lambda p: p.write_text("some notes\n"), "not an SQLite database"),
        (_empty_sqlite, "an empty SQLite database, not a corpus database"),
        (_foreign_sqlite, "is an SQLite file but not a corpus database"),
    ],
    ids=["zero-bytes", "text", "empty-sqlite", "foreign-sqlite"],
)
def test_opening_an_existing_database_only_leaves_other_files_as_they_were(tmp_path, make, problem):
    path = tmp_path / "x.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=problem):
        Store(path, create=False)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]  # no -wal or -shm either


def test_opening_an_existing_database_only_never_creates_one(tmp_path):
    with pytest.raises(StoreError, match="no such corpus database"):
        Store(tmp_path / "sub" / "none.db", create=False)
    assert list(tmp_path.iterdir()) == []
    Store(tmp_path / "c.db").close()  # what `aligner run` does: create it
    with Store(tmp_path / "c.db", create=False) as store:
        assert store.pair_ids() == []


def test_a_foreign_sqlite_file_is_not_switched_to_wal_even_when_creating_is_allowed(tmp_path):
    path = _foreign_sqlite(tmp_path / "other.db")
    with pytest.raises(StoreError, match="not a corpus database"):
        Store(path)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


# -- documents keyed by canonical URL ----------------------------------------------------------


def test_http_and_https_urls_of_one_page_are_one_document(store):
    first = store.upsert_document(article("ko", "http://www.hani.co.kr/arti/politics/1.html", ["가."]))
    again = store.upsert_document(article("ko", "https://WWW.hani.co.kr/arti/politics/1.html", ["가."]))
    assert first == again
    assert store.document_id("http://www.hani.co.kr/arti/politics/%31.html") == first
    assert store.document(first).key == "https://www.hani.co.kr/arti/politics/1.html"
    local = store.upsert_document(Article(lang="en", title="t", paragraphs=["A."], source_path="/data/a.txt"))
    assert store.document(local).key == "/data/a.txt"  # a path stays as it is


def _version_2_database(path):
    """A corpus database as aligner wrote it before keys were canonical (schema version 2)."""
    from aligner.store.schema import MIGRATIONS, SCHEMA_V1, split_sql

    conn = sqlite3.connect(path)
    for stmt in split_sql(SCHEMA_V1) + split_sql(MIGRATIONS[0]):
        conn.execute(stmt)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    docs = [  # id, lang, key, hash
        (1, "en", "https://english.hani.co.kr/arti/english_edition/e_national/1.html", "e1"),
        (2, "ko", "http://www.hani.co.kr/arti/society/10.html", "k10"),
        (3, "en", "https://english.hani.co.kr/arti/english_edition/e_national/2.html", "e2"),
        (4, "ko", "https://www.hani.co.kr/arti/society/10.html", "k10"),  # same article, same text
        (5, "en", "https://english.hani.co.kr/arti/english_edition/e_national/3.html", "e3"),
        (6, "ko", "http://www.hani.co.kr/arti/society/20.html", "k20"),
        (7, "en", "https://english.hani.co.kr/arti/english_edition/e_national/4.html", "e4"),
        (8, "ko", "https://www.hani.co.kr/arti/society/20.html", "k20"),  # same article, a reviewer's fix
    ]
    conn.executemany(
        "INSERT INTO documents (id, lang, key, url, text, content_hash, created_at) VALUES (?,?,?,?,'text',?,'now')",
        [(i, lang, key, key, h) for i, lang, key, h in docs],
    )
    sentences = {
        1: ["A."],
        2: ["가."],
        3: ["A."],
        4: ["가."],
        5: ["B. C."],
        6: ["나.", "다."],
        7: ["B. C."],
        8: ["나. 다."],
    }
    conn.executemany(
        "INSERT INTO sentences (doc_id, idx, paragraph, text) VALUES (?,?,0,?)",
        [(d, i, t) for d, texts in sentences.items() for i, t in enumerate(texts)],
    )
    conn.executemany(
        "INSERT INTO pairs (id, en_doc, ko_doc, how) VALUES (?,?,?,'link')",
        [(1, 1, 2), (2, 3, 4), (3, 5, 6), (4, 7, 8)],
    )
    beads = [
        (1, 0, 1, 0, 1, "accepted"),
        (2, 0, 1, 0, 1, "unreviewed"),
        (3, 0, 1, 0, 2, "accepted"),
        (4, 0, 1, 0, 1, "accepted"),
    ]
    conn.executemany(
        "INSERT INTO beads (pair_id, position, en_start, en_end, ko_start, ko_end, status, updated_at)"
        " VALUES (?,0,?,?,?,?,?,'now')",
        beads,
    )
    conn.execute(
        "INSERT INTO failures VALUES ('http://english.hani.co.kr/arti/english_edition/e_national/9.html',"
        " 'failed', 'empty page', '2024-01-01T00:00:00+00:00')"
    )
    conn.execute("PRAGMA user_version=2")
    conn.commit()
    conn.close()
    return path


def test_version_2_keys_become_canonical_and_duplicates_merge_only_when_nothing_is_lost(tmp_path):
    path = _version_2_database(tmp_path / "old.db")
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        keys = dict(store.conn.execute("SELECT id, key FROM documents").fetchall())
        # the same text and sentences under http and https: one document, both pairs on it
        assert 2 not in keys and keys[4] == "https://www.hani.co.kr/arti/society/10.html"
        assert store.pair(1).tgt_doc == store.pair(2).tgt_doc == 4
        # different sentences (a reviewer's fix on one): both kept, the https one has the key
        assert keys[8] == "https://www.hani.co.kr/arti/society/20.html"
        assert keys[6] == "http://www.hani.co.kr/arti/society/20.html"
        assert [s.text for s in store.sentences(6)] == ["나.", "다."]
        assert [s.text for s in store.sentences(8)] == ["나. 다."]
        assert [b.status for p in (1, 2, 3, 4) for b in store.beads(p)] == [
            "accepted",
            "unreviewed",
            "accepted",
            "accepted",
        ]
        assert store.integrity_problems() == []
        assert store.failures() == [
            ("https://english.hani.co.kr/arti/english_edition/e_national/9.html", "failed", "empty page")
        ]
        assert store.document_id("http://www.hani.co.kr/arti/society/10.html") == 4


def test_opening_a_second_store_keeps_the_first_ones_writes_safe(tmp_path):
    """A second Store in the same process (the review app opens one per background job)
    must not drop the first connection's POSIX locks: without them, another program that
    opens and closes the database thinks it is the last user and deletes the WAL, and
    the first connection's later commits vanish."""
    import subprocess
    import sys

    from tests.review_data import build_corpus

    db = build_corpus(tmp_path / "corpus.db")
    reader = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute('SELECT status FROM beads ORDER BY id LIMIT 1').fetchone()[0]); c.close()"
    )
    with Store(db) as app:
        app.conn.execute("SELECT count(*) FROM beads").fetchone()
        Store(db).close()  # what a background re-align or export does
        subprocess.run([sys.executable, "-c", reader, str(db)], check=True, capture_output=True)
        with app.transaction() as conn:
            conn.execute("UPDATE beads SET status = 'rejected' WHERE id = (SELECT min(id) FROM beads)")
        seen = subprocess.run([sys.executable, "-c", reader, str(db)], check=True, capture_output=True, text=True)
        assert seen.stdout.strip() == "rejected"


def test_version_5_keys_lose_tracking_parameters_and_their_duplicates_merge(tmp_path):
    """A database written before tracking parameters were dropped from URLs: the same article
    stored as 1.html and 1.html?_fr=mt1 becomes one document at the next open (schema 6)."""
    path = tmp_path / "v5.db"
    with Store(path) as store:
        plain = store.upsert_document(article("ko", "https://www.hani.co.kr/arti/society/1.html", ["가."]))
        en1 = store.upsert_document(
            article("en", "https://english.hani.co.kr/arti/english_edition/e_national/1.html", ["A."])
        )
        en2 = store.upsert_document(
            article("en", "https://english.hani.co.kr/arti/english_edition/e_national/2.html", ["A."])
        )
        store.upsert_pair(en1, plain, "link")
        tracked = store.upsert_document(article("ko", "https://www.hani.co.kr/arti/society/9.html", ["가."]))
        store.upsert_pair(en2, tracked, "link")
        # as schema 5 stored them: with the tracking parameter in the key
        store.conn.execute(
            "UPDATE documents SET key=? WHERE id=?", ("https://www.hani.co.kr/arti/society/1.html?_fr=mt1", tracked)
        )
        store.conn.execute(
            "UPDATE documents SET content_hash=(SELECT content_hash FROM documents WHERE id=?) WHERE id=?",
            (plain, tracked),
        )
        store.record_failure("https://english.hani.co.kr/arti/english_edition/e_national/7.html", "failed", "x")
        store.conn.execute("UPDATE failures SET item=item || '#comments'")
        back_to_schema_6(store.conn)
        store.conn.execute("PRAGMA user_version=5")
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        keys = [r[0] for r in store.conn.execute("SELECT key FROM documents WHERE lang='ko'")]
        assert keys == ["https://www.hani.co.kr/arti/society/1.html"]
        assert store.pair(1).tgt_doc == store.pair(2).tgt_doc == plain
        assert store.document_id("http://www.hani.co.kr/arti/society/1.html?_fr=mt2#x") == plain
        assert [item for item, _, _ in store.failures()] == [
            "https://english.hani.co.kr/arti/english_edition/e_national/7.html"
        ]
        assert store.integrity_problems() == []


# ---------------------------------------------------------------- schema 7: src and tgt


SCHEMA_6_DB = Path(__file__).parent / "fixtures" / "db" / "schema6.db"


def test_a_schema_6_database_upgrades_with_its_review_intact_and_its_old_edits_undo(tmp_path):
    """fixtures/db/schema6.db was written by the schema-6 code (the sides' columns named en_*
    and ko_*, the edit log's deltas keyed "en" and "ko"): tests/review_data.build_corpus, then
    reviewer carol on pair 1: accept 2,3; reject 5; merge 6+7; a text fix (EN 2 + " (checked)");
    a sentence split (KO 3); and dave on pair 2: a shift of KO up from bead 4, undone. Opening
    it renames the columns and leaves every bead, sentence and logged edit as it was; the
    edits logged before the rename still undo and redo."""
    from aligner import review
    from tests.review_data import DAYCARE_EN, DAYCARE_KO

    db = tmp_path / "old.db"
    shutil.copy(SCHEMA_6_DB, db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
    old_beads = conn.execute(
        "SELECT pair_id, position, en_start, en_end, ko_start, ko_end, score, confidence,"
        " origin, status, changed_by, changed_at, note FROM beads ORDER BY pair_id, position"
    ).fetchall()
    logs = {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("edits", "edit_events", "review_state", "sentences", "documents")
    }
    conn.close()
    assert any(status == "accepted" for *_, status, _, _, _ in old_beads) and len(logs["edits"]) == 6

    with Store(db) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 7
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.integrity_problems() == []
        beads = [
            (
                b.pair_id,
                b.position,
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
            )
            for pair_id in store.pair_ids()
            for b in store.beads(pair_id)
        ]
        assert beads == old_beads  # every bead with its review facts
        for table, rows in logs.items():  # the edit log, byte for byte, and the rest (later columns aside)
            stored = [tuple(r)[: len(rows[0])] for r in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
            assert stored == rows, table
        assert review.last_position(store, "carol") == (1, 4)

        def texts(side: str) -> list[str]:
            pair = store.pair(1)
            return [s.text for s in store.sentences(pair.src_doc if side == "src" else pair.tgt_doc)]

        split = texts("tgt")
        assert len(split) == len(DAYCARE_KO) + 1
        undone = review.undo(store, 1, reviewer="carol")  # the sentence split, logged with "ko"
        assert undone is not None and undone.action == "undo split-sentence ko 3 at 25"
        assert texts("tgt") == DAYCARE_KO
        assert review.redo(store, 1, reviewer="carol") is not None and texts("tgt") == split
        review.undo(store, 1, reviewer="carol")
        assert texts("src")[2] == DAYCARE_EN[2] + " (checked)"
        assert review.undo(store, 1, reviewer="carol").action == "undo edit en 2"  # the text fix
        assert texts("src") == DAYCARE_EN
        redone = review.redo(store, 2, reviewer="dave")  # dave's shift, undone before the upgrade
        assert redone is not None and redone.action == "redo shift ko up from 4"
        assert store.integrity_problems() == []

        # a new edit is logged with the sides' new names and undoes too
        edit = review.split_sentence(store, 1, "tgt", 3, 25, reviewer="carol")
        assert edit.action == "split-sentence ko 3 at 25" and texts("tgt") == split
        logged = store.edit_to_undo(1)
        assert logged is not None and logged.after["format"] == "slices-v2" and "tgt" in logged.after
        assert review.undo(store, 1, reviewer="carol") is not None and texts("tgt") == DAYCARE_KO


def test_a_snapshot_from_before_schema_7_is_restored(store):
    pair = make_pair(store)
    store.save_alignment(pair, sents(["A.", "B."]), sents(["가.", "나."]), [Bead((0,), (0,)), Bead((1,), (1,))], "x")
    snap = store.snapshot(pair)
    assert set(snap) == {"src", "tgt", "beads"}
    old = {
        "en": [[0, 0, "A2."]],
        "ko": [[0, 0, "가2."]],
        "beads": [row[:8] for row in snap["beads"][:1]],
    }  # rows of 8: before the review facts
    old["beads"][0][1], old["beads"][0][3] = 1, 1  # one 1-1 bead over the one sentence a side
    store.restore(pair, old)
    restored = store.snapshot(pair)
    assert [s[2] for s in restored["src"]] == ["A2."] and [s[2] for s in restored["tgt"]] == ["가2."]
    assert store.integrity_problems() == []
