"""The corpus database: schema, migrations guard, transactions, anchors kept on re-align."""

from __future__ import annotations

import sqlite3

import pytest

from aligner.errors import StoreError
from aligner.model import Article, Bead, Sentence
from aligner.store import APPLICATION_ID, SCHEMA_VERSION, Store, bead_spans


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
        c.execute("UPDATE beads SET en_end=1 WHERE pair_id=?", (pair,))
    assert store.integrity_problems() == [f"pair {pair}: beads cover 1/2 EN and 1/1 KO sentences"]


def test_export_rows_filter_by_status_confidence_and_empty(store):
    pair = make_pair(store)
    beads = [Bead((0,), (0,), 1, 0.95), Bead((1,), (), 0, 0.2), Bead((2,), (1, 2), 1, 0.4)]
    store.save_alignment(pair, sents(["A.", "B.", "C."]), sents(["가.", "나.", "다."]), beads, "x")
    rows = list(store.export_rows())
    assert [(r.src_text, r.tgt_text, r.kind) for r in rows] == [
        ("A.", "가.", "1-1"), ("B.", "", "1-0"), ("C.", "나. 다.", "1-2")]
    assert [r.kind for r in store.export_rows(skip_empty=True)] == ["1-1", "1-2"]
    assert [r.kind for r in store.export_rows(min_confidence=0.5)] == ["1-1"]
    assert list(store.export_rows(status="accepted")) == []
    with pytest.raises(StoreError):
        list(store.export_rows(status="bogus"))


def test_failures_are_recorded_and_cleared(store):
    store.record_failure("http://e/2", "unpaired", "no link")
    store.record_failure("http://e/2", "failed", "bad page")
    assert store.failures() == [("http://e/2", "failed", "bad page")]
    store.clear_failure("http://e/2")
    assert store.failures() == []


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    from aligner.store import _SCHEMA_V1, _split_sql

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for stmt in _split_sql(_SCHEMA_V1):
        conn.execute(stmt)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("PRAGMA user_version=1")
    conn.execute("INSERT INTO documents (lang, key, text, content_hash, created_at) VALUES"
                 " ('en', 'http://e/1', 'A.', 'h', 'now')")
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
