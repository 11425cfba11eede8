"""The main job end to end on the shipped sample corpus, re-runs, and bad items in a batch."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from aligner.export.tmx import DTD_PATH
from aligner.export.tsv import read_tsv
from aligner.pipeline import RunOptions, run_corpus
from aligner.sources import PageCache, parse_page
from aligner.store import Store
from tests.conftest import SEED_URL, copy_sample


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    corpus = copy_sample(tmp_path_factory.mktemp("sample"))
    summary = run_corpus(corpus, RunOptions(formats=("tmx", "tsv")))
    return corpus, summary


def test_sample_run_pairs_every_linked_article_and_reports_the_seed_unpaired(sample_run):
    corpus, summary = sample_run
    assert summary.pairs == 10
    assert summary.count("aligned") == 10
    unpaired = [r for r in summary.items if r.outcome == "unpaired"]
    assert [r.item for r in unpaired] == [SEED_URL]
    assert "not in the page cache" in unpaired[0].reason
    assert summary.count("failed") == 0
    assert summary.src_sentences > 100 and summary.tgt_sentences > 100
    assert summary.bead_types.get("1-1", 0) > 80
    assert 0.0 < summary.mean_confidence <= 1.0
    with Store(corpus / "corpus.db") as store:
        assert store.integrity_problems() == []
        assert store.failures() == [(SEED_URL, "unpaired", unpaired[0].reason)]


def test_sample_run_writes_a_dtd_valid_tmx_and_a_tsv(sample_run):
    corpus, summary = sample_run
    tmx = corpus / "export" / "corpus.tmx"
    tsv = corpus / "export" / "corpus.tsv"
    assert sorted(summary.files) == sorted([str(tmx), str(tsv)])
    dtd = etree.DTD(str(DTD_PATH))
    assert dtd.validate(etree.parse(str(tmx))), dtd.error_log.filter_from_errors()
    store = tmxfile(tmx.read_bytes(), "en", "ko")
    frame = read_tsv(tsv)
    assert len(store.units) == len(frame) > 80
    first = store.units[0]
    assert first.source == frame.loc[0, "src_text"] and first.target == frame.loc[0, "tgt_text"]
    # 0-1 and 1-0 beads are left out of the run's exports by default
    assert set(frame["bead_type"]) <= {"1-1", "1-2", "2-1", "2-2", "1-3", "3-1", "2-3", "3-2", "3-3"}


def test_sample_alignment_is_right_on_a_known_pair(sample_run):
    """NTREX cnbc.com.6790 (863803): no edits, so every bead should be 1-1 after the title."""
    corpus, _ = sample_run
    with Store(corpus / "corpus.db") as store:
        en_id = store.document_id("https://english.hani.co.kr/arti/english_edition/e_international/863803.html")
        pair_id = store.conn.execute("SELECT id FROM pairs WHERE src_doc=?", (en_id,)).fetchone()[0]
        beads = store.beads(pair_id)
        pair = store.pair(pair_id)
        en = store.sentences(pair.src_doc)
        ko = store.sentences(pair.tgt_doc)
    assert beads and store
    ok = sum(1 for b in beads if b.kind == "1-1")
    assert ok / len(beads) > 0.8
    assert len(en) > 10 and len(ko) > 10


def test_rerun_does_nothing_twice_and_keeps_accepted_beads(tmp_path):
    corpus = copy_sample(tmp_path)
    run_corpus(corpus, RunOptions(formats=("jsonl",)))
    with Store(corpus / "corpus.db") as store:
        pair_id = store.pair_ids()[0]
        first, second = store.beads(pair_id)[1:3]
        with store.transaction() as c:
            c.execute("UPDATE beads SET status='accepted' WHERE id=?", (first.id,))
            c.execute("UPDATE beads SET status='rejected' WHERE id=?", (second.id,))
        beads_before = store.conn.execute("SELECT count(*) FROM beads").fetchone()[0]
    again = run_corpus(corpus, RunOptions(formats=("jsonl",)))
    assert again.count("unchanged") == 10 and again.count("aligned") == 0
    forced = run_corpus(corpus, RunOptions(formats=("jsonl",), force=True))
    assert forced.count("aligned") == 10
    with Store(corpus / "corpus.db") as store:
        kept = [b for b in store.beads(pair_id) if b.status == "accepted"]
        assert [(b.src_start, b.src_end, b.tgt_start, b.tgt_end) for b in kept] == [
            (first.src_start, first.src_end, first.tgt_start, first.tgt_end)
        ]
        rejected = [b for b in store.beads(pair_id) if b.status == "rejected"]
        assert [(b.src_start, b.tgt_start) for b in rejected] == [(second.src_start, second.tgt_start)]
        assert store.conn.execute("SELECT count(*) FROM beads").fetchone()[0] == beads_before
        assert store.integrity_problems() == []


def test_changed_page_under_reviewed_beads_is_kept_not_overwritten(tmp_path):
    corpus = copy_sample(tmp_path)
    run_corpus(corpus, RunOptions(formats=("tsv",)))
    cache = PageCache(corpus)
    url = "https://english.hani.co.kr/arti/english_edition/e_international/863803.html"
    with Store(corpus / "corpus.db") as store:
        pair_id = store.conn.execute(
            "SELECT p.id FROM pairs p JOIN documents d ON d.id=p.src_doc WHERE d.key=?", (url,)
        ).fetchone()[0]
        with store.transaction() as c:
            c.execute("UPDATE beads SET status='accepted' WHERE pair_id=? AND position=0", (pair_id,))
        snapshot = store.snapshot(pair_id)
    page = cache.get(url).decode("utf-8")
    word = parse_page(page, url).paragraphs[-1].split()[-1]
    changed = page.replace(word, "changed " + word)
    assert parse_page(changed, url).text != parse_page(page, url).text
    cache.put(url, changed.encode("utf-8"))
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    kept = [r for r in summary.items if r.outcome == "kept"]
    assert [r.item for r in kept] == [url]
    with Store(corpus / "corpus.db") as store:
        assert store.snapshot(pair_id) == snapshot


def test_a_reviewers_text_fix_survives_a_forced_rerun(tmp_path):
    """A typo fix leaves its bead unreviewed, yet ``--force`` must keep the fixed text (and
    the sentence the reviewer split) rather than re-split the page over it."""
    from aligner.review import edit_sentence_text, split_sentence

    corpus = copy_sample(tmp_path)
    run_corpus(corpus, RunOptions(formats=("tsv",)))
    with Store(corpus / "corpus.db") as store:
        pair_id = store.pair_ids()[0]
        pair = store.pair(pair_id)
        text = store.sentences(pair.src_doc)[2].text
        edit_sentence_text(store, pair_id, "src", 2, text + " (fixed)", reviewer="rev")
        ko = store.sentences(pair.tgt_doc)[0].text
        split_sentence(store, pair_id, "tgt", 0, len(ko) // 2, reviewer="rev")
        assert {b.status for b in store.beads(pair_id)} == {"unreviewed"}
        before = [s.text for s in store.sentences(pair.src_doc)], [s.text for s in store.sentences(pair.tgt_doc)]
    forced = run_corpus(corpus, RunOptions(formats=("tsv",), force=True))
    assert not [r for r in forced.items if r.outcome == "failed"]
    with Store(corpus / "corpus.db") as store:
        pair = store.pair(pair_id)
        after = [s.text for s in store.sentences(pair.src_doc)], [s.text for s in store.sentences(pair.tgt_doc)]
        assert after == before
        assert store.integrity_problems() == []


def _break(corpus: Path, name: str, data: bytes) -> str:
    cache = PageCache(corpus)
    url = f"https://english.hani.co.kr/arti/english_edition/e_national/{name}.html"
    cache.put(url, data)
    return url


def test_bad_items_are_reported_and_skipped_while_the_rest_completes(tmp_path):
    corpus = copy_sample(tmp_path)
    cache = PageCache(corpus)
    good_en = cache.get("https://english.hani.co.kr/arti/english_edition/e_international/863803.html")
    ko_url = "https://www.hani.co.kr/arti/international/america/863703.html"
    ko_page = cache.get(ko_url)
    bad = {
        _break(corpus, "900001", b"\x89PNG\r\n\x1a\n" + bytes(200)): "not an HTML page",
        _break(corpus, "900002", good_en.replace(b"charset=utf-8", b"charset=utf-8") + b"\xff\xfe\xfa"): "",
        _break(corpus, "900003", b"<html><body><div id='bodyapp'></div></body></html>"): "no article body",
        _break(corpus, "900004", ko_page): "expected English",
        _break(corpus, "900005", good_en.replace(b"863703", b"999999")): "not in the page cache",
    }
    # an English page whose "Korean original" is really English
    english_as_korean = "https://www.hani.co.kr/arti/international/america/900006.html"
    cache.put(english_as_korean, good_en)
    bad[_break(corpus, "900006", good_en.replace(b"863703", b"900006"))] = "expected Korean"
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    outcomes = {r.item: r for r in summary.items}
    assert summary.count("aligned") == 10
    for url, reason in bad.items():
        if not reason:  # invalid bytes at the end of a UTF-8 page: refused or read, never a crash
            assert outcomes[url].outcome in ("failed", "aligned")
            continue
        assert outcomes[url].outcome in ("failed", "unpaired"), url
        assert reason in outcomes[url].reason, outcomes[url].reason
        assert "\n" not in outcomes[url].reason
    with Store(corpus / "corpus.db") as store:
        failed = {item for item, _, _ in store.failures()}
    assert set(u for u, r in bad.items() if r) <= failed


def test_a_corpus_folder_without_pages_is_one_clear_error(tmp_path):
    from aligner.errors import InputError

    with pytest.raises(InputError, match="no English-edition pages"):
        run_corpus(tmp_path)
    with pytest.raises(InputError, match="no such corpus folder"):
        run_corpus(tmp_path / "missing")


def test_database_is_a_real_sqlite_file_in_wal_mode(sample_run):
    corpus, _ = sample_run
    conn = sqlite3.connect(corpus / "corpus.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_run_aligns_pairs_listed_in_the_manifest_when_the_page_has_no_link(tmp_path):
    """Pairs found by content (`aligner pair --record-in`) reach `run` through pairs.jsonl."""
    import json

    corpus = copy_sample(tmp_path)
    cache = PageCache(corpus)
    en_url = "https://english.hani.co.kr/arti/english_edition/e_international/863803.html"
    ko_url = "https://www.hani.co.kr/arti/international/america/863703.html"
    page = cache.get(en_url).decode("utf-8")
    assert parse_page(page, en_url).original_url
    unlinked = page.replace("863703.html", "no-such-original.html")
    cache.put(en_url, unlinked.encode("utf-8"))
    record = {"en_url": en_url, "ko_url": ko_url, "how": "content", "score": 0.97}
    (corpus / "pairs.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    assert summary.count("aligned") == 10
    with Store(corpus / "corpus.db") as store:
        en_id = store.document_id(en_url)
        pair_id = store.conn.execute("SELECT id FROM pairs WHERE src_doc=?", (en_id,)).fetchone()[0]
        assert store.pair(pair_id).how == "content"
        assert store.document(store.pair(pair_id).tgt_doc).key == ko_url


# -- the run's options check themselves, for every caller ------------------------------------


@pytest.mark.parametrize(
    "bad, name, problem",
    [
        ({"workers": 0}, "workers", "must be at least 1"),
        ({"workers": True}, "workers", "must be at least 1"),
        ({"threads": 0}, "threads", "must be at least 1"),
        ({"formats": ("tmx", "pdf")}, "formats", "has an unknown format 'pdf'"),
        ({"formats": ()}, "formats", "must name at least one export format"),
        ({"method": "fast"}, "method", "must be one of engine, length"),
        ({"tgt_lang": "EN"}, "tgt_lang", "is the source language too"),
        ({"encoder": ""}, "encoder", "must be a non-empty string"),
    ],
)
def test_run_options_refuse_a_bad_value_whoever_makes_them(bad, name, problem, tmp_path):
    from dataclasses import replace

    from aligner.errors import OptionError

    with pytest.raises(OptionError, match=f"^{name} {problem}") as info:
        RunOptions(**bad)
    assert info.value.item == name
    with pytest.raises(OptionError):  # a changed copy is checked again
        replace(RunOptions(), **bad)
    with pytest.raises(OptionError):  # before anything is read or written
        run_corpus(copy_sample(tmp_path), RunOptions(**bad))
    assert not (tmp_path / "corpus.db").exists()


def test_the_command_line_names_the_flag_and_the_config_its_key(tmp_path, capsys):
    from aligner.cli import main

    corpus = copy_sample(tmp_path / "c")
    assert main(["run", str(corpus), "--workers", "0"]) == 1
    assert capsys.readouterr().err == "aligner: error: --workers: must be at least 1\n"
    config = tmp_path / "run.toml"
    config.write_text('corpus = "c"\nworkers = 0\n[align]\nmethod = "fast"\n', encoding="utf-8")
    assert main(["run", str(config)]) == 1
    assert capsys.readouterr().err == f"aligner: error: {config}: workers must be at least 1\n"
    config.write_text('corpus = "c"\n[align]\nmethod = "fast"\n', encoding="utf-8")
    assert main(["run", str(config)]) == 1
    assert capsys.readouterr().err == f"aligner: error: {config}: align.method must be one of engine, length\n"
    assert not (corpus / "corpus.db").exists()
