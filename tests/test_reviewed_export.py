"""What a reviewer decided is what every export says, end to end.

A real corpus database, real reviewer actions through :mod:`aligner.review` (accept a
low-confidence bead, shift a sentence and accept the result, reject a bead), then the
README's export commands through the command line in every format, read back with
translate-toolkit, pandas, pyarrow and Hugging Face ``datasets``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from aligner import review
from aligner.cli import main
from aligner.export import EXTENSIONS, FORMATS, ExportPolicy, StatusFilter, export_corpus
from aligner.export.policy import STATUS_CHOICES, vouched
from aligner.export.tmx import DTD_PATH
from aligner.model import Bead
from aligner.store import SCHEMA_VERSION, Store, unit_id
from tests.old_schema import back_to_schema_6
from tests.review_data import DAYCARE_EN, DAYCARE_KO, RAIL_KO, build_corpus

DAYCARE, RAIL = 1, 2
REVIEWER = "alice"
LOW = (DAYCARE_EN[3], DAYCARE_KO[3])  # bead 4: confidence 0.42, accepted by the reviewer
SHIFTED = (DAYCARE_EN[5], DAYCARE_KO[5])  # bead 6 was 1-2 (0.35): its second Korean sentence shifted down
REJECTED_TEXTS = (DAYCARE_EN[6], DAYCARE_KO[6], DAYCARE_KO[7])  # bead 7 after the shift, rejected
EMPTY_KO = RAIL_KO[3]  # the rail pair's 0-1 bead
TMX_DATE = re.compile(r"^\d{8}T\d{6}Z$")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> tuple[Path, datetime, datetime]:
    """The corpus after the reviewer's three actions, and the time window they happened in."""
    db = build_corpus(tmp_path_factory.mktemp("reviewed") / "corpus.db")
    before = datetime.now(UTC).replace(microsecond=0)
    with Store(db) as store:
        review.accept(store, DAYCARE, 3, reviewer=REVIEWER)
        review.shift(store, DAYCARE, 5, "tgt", "down", reviewer=REVIEWER)
        review.accept(store, DAYCARE, 5, reviewer=REVIEWER)
        review.reject(store, DAYCARE, 6, reviewer=REVIEWER)
        beads = store.beads(DAYCARE)
    after = datetime.now(UTC)
    assert (beads[5].src_ids, beads[5].tgt_ids, beads[5].status, beads[5].confidence) == ((5,), (5,), "accepted", 0.0)
    assert (beads[6].tgt_ids, beads[6].status) == ((6, 7), "rejected")
    return db, before, after


def run_export(capsys, db: Path, fmt: str, out: Path, *flags: str) -> dict:
    """``aligner export DB --format FMT -o OUT [flags] --json``, through the real command line."""
    code = main(["export", str(db), "--format", fmt, "-o", str(out), "--json", *flags])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    return {"paths": [Path(p) for p in report["paths"]], "count": report["count"], "policy": report["policy"]}


def texts_of(fmt: str, paths: list[Path]) -> list[str]:
    """Every sentence text an export holds, read the way its users read it."""
    if fmt == "tmx":
        units = tmxfile(paths[0].read_bytes(), "en", "ko").units
        return [u.source for u in units] + [u.target for u in units]
    if fmt == "tsv":
        frame = pd.read_csv(paths[0], sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype=str)
        return frame["src_text"].tolist() + frame["tgt_text"].tolist()
    if fmt == "jsonl":
        records = [json.loads(line) for line in paths[0].read_text(encoding="utf-8").splitlines()]
        return [r["src_text"] for r in records] + [r["tgt_text"] for r in records]
    if fmt == "parquet":
        rows = pq.read_table(paths[0]).column("translation").to_pylist()
        return [r["en"] for r in rows] + [r["ko"] for r in rows]
    return [line for p in paths for line in p.read_text(encoding="utf-8").split("\n")[:-1]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_export_leaves_out_what_the_reviewer_rejected(capsys, reviewed, tmp_path, fmt):
    db, _, _ = reviewed
    result = run_export(capsys, db, fmt, tmp_path / f"corpus{EXTENSIONS[fmt]}")
    assert result["policy"] == {"status": "not-rejected", "min_confidence": 0.0, "keep_empty": False}
    texts = texts_of(fmt, result["paths"])
    joined = "\n".join(texts)
    for text in REJECTED_TEXTS:
        assert text not in joined, f"{fmt}: rejected text exported"
    assert "" not in texts, f"{fmt}: an empty side (0-1/1-0 bead) exported by default"
    assert EMPTY_KO not in joined
    for text in (*LOW, *SHIFTED):  # what the reviewer accepted is there
        assert text in texts
    # 3 pairs: 8 + 5 + 3 beads; the shift left 8 daycare beads; minus 1 rejected and 1 empty
    assert result["count"] == 8 + 5 + 3 - 1 - 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejected_beads_leave_only_when_asked_for_by_name(capsys, reviewed, tmp_path, fmt):
    db, _, _ = reviewed
    rejected = texts_of(
        fmt, run_export(capsys, db, fmt, tmp_path / f"r{EXTENSIONS[fmt]}", "--status", "rejected")["paths"]
    )
    assert (
        " ".join(rejected).split() == " ".join([REJECTED_TEXTS[0], REJECTED_TEXTS[1] + " " + REJECTED_TEXTS[2]]).split()
    )
    everything = texts_of(
        fmt, run_export(capsys, db, fmt, tmp_path / f"a{EXTENSIONS[fmt]}", "--status", "any", "--keep-empty")["paths"]
    )
    assert REJECTED_TEXTS[0] in everything and EMPTY_KO in everything


def test_training_filter_keeps_the_beads_the_reviewer_checked_with_who_and_when(capsys, reviewed, tmp_path):
    """--min-confidence 0.9: the accepted 0.42 bead and the shifted-and-accepted bead (whose
    stored confidence is 0) are in, with confidence 1.0, the aligner's estimate beside it,
    the reviewer as changeid and the time of their action as changedate."""
    db, before, after = reviewed
    result = run_export(capsys, db, "tmx", tmp_path / "train.tmx", "--min-confidence", "0.9")
    path = result["paths"][0]
    assert etree.DTD(str(DTD_PATH)).validate(etree.parse(str(path)))
    units = {(u.source, u.target): u for u in tmxfile(path.read_bytes(), "en", "ko").units}
    for (en, ko), aligner_confidence in ((LOW, "0.42"), (SHIFTED, "0.0")):
        tu = units[(en, ko)].xmlelement
        props = {p.get("type"): p.text for p in tu.findall("prop")}
        assert (props["x-status"], props["x-confidence"], props["x-aligner-confidence"]) == (
            "accepted",
            "1.0",
            aligner_confidence,
        )
        assert tu.get("changeid") == REVIEWER
        assert TMX_DATE.match(tu.get("changedate"))
        changed = datetime.strptime(tu.get("changedate"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert before <= changed <= after
        assert tu.get("creationid") == "aligner/test" and TMX_DATE.match(tu.get("creationdate"))
    # unreviewed beads below 0.9 are out; no rejected text, no empty segment
    assert (DAYCARE_EN[2], DAYCARE_KO[2]) not in units  # 0.88, unreviewed
    assert not any(text in src + tgt for src, tgt in units for text in REJECTED_TEXTS)
    segs = etree.parse(str(path)).getroot().iter("seg")
    assert all(seg.text for seg in segs)
    header = {p.get("type"): p.text for p in etree.parse(str(path)).getroot().find("header").findall("prop")}
    assert header == {"x-export-status": "not-rejected", "x-export-min-confidence": "0.9", "x-export-keep-empty": "no"}


def test_empty_segments_only_with_keep_empty(capsys, reviewed, tmp_path):
    db, _, _ = reviewed
    plain = run_export(capsys, db, "tmx", tmp_path / "plain.tmx")["paths"][0]
    kept = run_export(capsys, db, "tmx", tmp_path / "kept.tmx", "--keep-empty")["paths"][0]
    assert b"<seg/>" not in plain.read_bytes() and b"<seg></seg>" not in plain.read_bytes()
    empty = [tu for tu in etree.parse(str(kept)).getroot().iter("tu") if any(not seg.text for seg in tu.iter("seg"))]
    assert [[seg.text for seg in tu.iter("seg")] for tu in empty] == [[None, EMPTY_KO]]
    moses = run_export(capsys, db, "moses", tmp_path / "train")["paths"]
    assert all("" not in p.read_text(encoding="utf-8").split("\n")[:-1] for p in moses)


def test_every_format_carries_the_same_review_facts(capsys, reviewed, tmp_path):
    db, _, _ = reviewed
    tsv = pd.read_csv(
        run_export(capsys, db, "tsv", tmp_path / "c.tsv")["paths"][0],
        sep="\t",
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        dtype=str,
    )
    jsonl = [
        json.loads(line)
        for line in run_export(capsys, db, "jsonl", tmp_path / "c.jsonl")["paths"][0]
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    parquet = pq.read_table(run_export(capsys, db, "parquet", tmp_path / "c.parquet")["paths"][0]).to_pylist()
    tmx_path = run_export(capsys, db, "tmx", tmp_path / "c.tmx")["paths"][0]
    tmx = [u.xmlelement for u in tmxfile(tmx_path.read_bytes(), "en", "ko").units]
    assert (
        [r["tuid"] for r in jsonl]
        == tsv["tuid"].tolist()
        == [r["tuid"] for r in parquet]
        == [tu.get("tuid") for tu in tmx]
    )
    low = next(r for r in jsonl if r["src_text"] == LOW[0])
    assert (low["confidence"], low["aligner_confidence"], low["status"], low["changed_by"]) == (
        1.0,
        0.42,
        "accepted",
        REVIEWER,
    )
    row = tsv[tsv["src_text"] == LOW[0]].iloc[0]
    assert (row["confidence"], row["aligner_confidence"], row["changed_by"], row["changed_at"]) == (
        "1.0",
        "0.42",
        REVIEWER,
        low["changed_at"],
    )
    assert next(r for r in parquet if r["tuid"] == low["tuid"])["changed_at"] == low["changed_at"]
    tu = next(t for t in tmx if t.get("tuid") == low["tuid"])
    assert tu.get("changedate") == low["changed_at"].replace("-", "").replace(":", "")
    untouched = next(r for r in jsonl if r["src_text"] == DAYCARE_EN[1])
    assert (untouched["confidence"], untouched["changed_by"], untouched["changed_at"]) == (0.93, None, None)


def test_tuid_is_stable_across_re_alignment_and_row_ids(reviewed, tmp_path):
    """The unit id comes from the documents and spans, so a pair saved again (new row ids)
    keeps every unchanged bead's id; the reviewed beads keep their review facts too."""
    db, _, _ = reviewed
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with Store(copy) as store:
        first = {r.tuid: r for r in store.export_rows(status="any", keep_empty=True)}
        beads = store.beads(DAYCARE)
        pair = store.pair(DAYCARE)
        keep = [b for b in beads if b.is_fixed or b.status == "rejected"]
        store.save_alignment(
            DAYCARE,
            store.sentences(pair.src_doc),
            store.sentences(pair.tgt_doc),
            [Bead(b.src_ids, b.tgt_ids, b.score, b.confidence) for b in beads],
            "test",
            keep=keep,
        )
        second = {r.tuid: r for r in store.export_rows(status="any", keep_empty=True)}
        assert {r.bead_id for r in first.values()} != {r.bead_id for r in second.values()}
    assert first.keys() == second.keys()
    for tuid, old in first.items():
        new = second[tuid]
        assert (new.src_text, new.tgt_text, new.status, new.changed_by, new.changed_at) == (
            old.src_text,
            old.tgt_text,
            old.status,
            old.changed_by,
            old.changed_at,
        )
    en_key = "https://english.hani.co.kr/arti/english_edition/society/1001.html"
    ko_key = "https://www.hani.co.kr/arti/society/1001.html"
    low = next(r for r in first.values() if r.src_text == LOW[0])
    assert low.tuid == unit_id(en_key, ko_key, (3, 4), (3, 4))


def test_undo_takes_the_review_facts_back(reviewed, tmp_path):
    db, _, _ = reviewed
    copy = tmp_path / "undo.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with Store(copy) as store:
        assert review.undo(store, DAYCARE, reviewer="bob") is not None  # the reject
        bead = store.beads(DAYCARE)[6]
        assert (bead.status, bead.changed_by) == ("unreviewed", REVIEWER)  # as the shift left it
        review.redo(store, DAYCARE, reviewer="bob")
        assert (store.beads(DAYCARE)[6].status, store.beads(DAYCARE)[6].changed_by) == ("rejected", REVIEWER)
        review.unmark(store, DAYCARE, 6, reviewer="bob")
        assert (store.beads(DAYCARE)[6].status, store.beads(DAYCARE)[6].changed_by) == ("unreviewed", "bob")
        before = store.beads(DAYCARE)[1]
        review.accept(store, DAYCARE, 0, reviewer="bob")  # already accepted: nothing changes
        assert store.beads(DAYCARE)[0].changed_by is None and store.beads(DAYCARE)[1] == before


# ---------------------------------------------------------------- the policy itself


def test_policy_defaults_and_checks():
    policy = ExportPolicy()
    assert (policy.status, policy.min_confidence, policy.keep_empty) == (StatusFilter.NOT_REJECTED, 0.0, False)
    assert STATUS_CHOICES[0] == "not-rejected" and set(STATUS_CHOICES) == {s.value for s in StatusFilter}
    assert ExportPolicy(status="any").status is StatusFilter.ANY
    for bad in (
        {"status": "all"},
        {"min_confidence": 1.5},
        {"min_confidence": float("nan")},
        {"min_confidence": "0.5"},
        {"keep_empty": "yes"},
    ):
        with pytest.raises(Exception, match="status filter|from 0 to 1|true or false"):
            ExportPolicy(**bad)
    assert vouched("accepted", "auto") and vouched("unreviewed", "manual")
    assert not vouched("rejected", "manual") and not vouched("unreviewed", "auto")


def test_the_store_the_api_and_the_writer_agree(reviewed, tmp_path):
    db, _, _ = reviewed
    with Store(db, create=False) as store:
        default = [r.tuid for r in store.export_rows()]
        assert default == [r.tuid for r in store.export_rows(ExportPolicy())]
        result = export_corpus(store, "jsonl", tmp_path / "api.jsonl")
        assert result.count == len(default)
        with pytest.raises(TypeError):
            list(store.export_rows(ExportPolicy(), status="any"))
        assert all(r.status != "rejected" and r.src_ids and r.tgt_ids for r in store.export_rows())
        assert [r.tuid for r in store.export_rows(skip_empty=True)] == default  # the old name still works
        assert len(list(store.export_rows(skip_empty=False))) == len(default) + 1  # the rail pair's 0-1


# ---------------------------------------------------------------- Parquet through datasets


def test_datasets_loads_the_parquet_export_as_a_translation_table(capsys, reviewed, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")  # in the test extras: installed by the README's test command
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    db, _, _ = reviewed
    path = run_export(capsys, db, "parquet", tmp_path / "corpus.parquet")["paths"][0]
    ds = datasets.load_dataset("parquet", data_files=str(path), cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert isinstance(ds.features["translation"], datasets.Translation)
    assert ds.features["translation"].languages == ["en", "ko"]
    assert len(ds) == 14
    low = next(r for r in ds if r["translation"]["en"] == LOW[0])
    assert low["translation"] == {"en": LOW[0], "ko": LOW[1]}
    assert (low["confidence"], low["aligner_confidence"], low["status"], low["changed_by"]) == (
        1.0,
        0.42,
        "accepted",
        REVIEWER,
    )
    assert low["src_ids"] == [3] and low["bead_type"] == "1-1"
    assert not any(text in r["translation"]["en"] + r["translation"]["ko"] for r in ds for text in REJECTED_TEXTS)
    frame = pd.read_parquet(path)  # and plain pandas reads the same table
    assert frame["tuid"].tolist() == ds["tuid"]


# ---------------------------------------------------------------- the schema change


def test_a_version_4_database_gains_the_review_facts(tmp_path):
    """Migration 4 -> 5 adds the columns and fills who/when for beads already decided, from
    their pair's latest edit; the edits logged before it can still be undone."""
    db = build_corpus(tmp_path / "old.db")
    with Store(db) as store:
        review.accept(store, DAYCARE, 3, reviewer="carol")
        at = store.conn.execute("SELECT at FROM edits ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn = sqlite3.connect(db)
    back_to_schema_6(conn)
    for row_id, before, after in conn.execute("SELECT id, before, after FROM edits").fetchall():
        shrink = [json.loads(before), json.loads(after)]
        for delta in shrink:  # bead rows as version 4 logged them: six fields
            delta["beads"]["rows"] = [r[:6] for r in delta["beads"]["rows"]]
        conn.execute(
            "UPDATE edits SET before=?, after=? WHERE id=?", (json.dumps(shrink[0]), json.dumps(shrink[1]), row_id)
        )
    for table, column in (("beads", "changed_by"), ("beads", "changed_at"), ("beads", "note"), ("pairs", "note")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # the tables as version 4 had them
    conn.execute("PRAGMA user_version=4")
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(beads)")}
        assert {"changed_by", "changed_at", "note"} <= columns
        assert "note" in {r[1] for r in store.conn.execute("PRAGMA table_info(pairs)")}
        beads = store.beads(DAYCARE)
        assert (beads[3].changed_by, beads[3].changed_at) == ("carol", at)  # accepted: from the log
        assert (beads[0].changed_by, beads[0].changed_at) == ("carol", at)  # accepted before: the pair's latest edit
        assert beads[1].changed_by is None  # unreviewed
        assert review.undo(store, DAYCARE, reviewer="carol") is not None  # a v4 log entry still undoes
        assert store.beads(DAYCARE)[3].status == "unreviewed"


def test_notes_are_carried_by_every_format(capsys, reviewed, tmp_path):
    db, _, _ = reviewed
    copy = tmp_path / "notes.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with Store(copy) as store, store.transaction() as c:
        c.execute("UPDATE beads SET note=? WHERE pair_id=? AND position=3", ("치환 확인 <ok> & done", DAYCARE))
        c.execute("UPDATE pairs SET note=? WHERE id=?", ("English edition\tdrops a line", DAYCARE))
    tmx = run_export(capsys, copy, "tmx", tmp_path / "n.tmx")["paths"][0]
    unit = next(u for u in tmxfile(tmx.read_bytes(), "en", "ko").units if u.source == LOW[0])
    assert unit.getnotes() == "치환 확인 <ok> & done"
    props = {p.get("type"): p.text for p in unit.xmlelement.findall("prop")}
    assert props["x-pair-note"] == "English edition\tdrops a line"
    tsv = pd.read_csv(
        run_export(capsys, copy, "tsv", tmp_path / "n.tsv")["paths"][0],
        sep="\t",
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        dtype=str,
    )
    row = tsv[tsv["src_text"] == LOW[0]].iloc[0]
    assert (row["note"], row["pair_note"]) == ("치환 확인 <ok> & done", "English edition drops a line")
    assert os.path.getsize(tmx) > 0


# ---------------------------------------------------------------- the run config's [export] table


@pytest.mark.parametrize(
    "table, policy",
    [
        ("", ExportPolicy()),
        ('status = "any"\nmin_confidence = 0.9\nkeep_empty = true\n', ExportPolicy("any", 0.9, True)),
        ("min_confidence = 1\n", ExportPolicy(min_confidence=1.0)),
    ],
)
def test_run_config_export_table_is_the_policy(tmp_path, table, policy):
    from aligner.config import load_config

    config = tmp_path / "run.toml"
    config.write_text(f'corpus = "c"\n\n[export]\nformats = ["parquet"]\n{table}', encoding="utf-8")
    options = load_config(config).options
    assert options.policy == policy and options.formats == ("parquet",)


@pytest.mark.parametrize(
    "line, problem",
    [
        ('status = "all"', "export.status must be one of not-rejected, accepted, unreviewed, rejected, any"),
        ("min_confidence = 2", "export: minimum confidence must be a number from 0 to 1, not 2.0"),
        ('keep_empty = "no"', "export.keep_empty must be true or false"),
    ],
)
def test_a_bad_export_table_is_one_line(tmp_path, capsys, line, problem):
    config = tmp_path / "run.toml"
    config.write_text(f'corpus = "c"\n\n[export]\n{line}\n', encoding="utf-8")
    assert main(["run", str(config)]) == 1
    err = capsys.readouterr().err
    assert err == f"aligner: error: {config}: {problem}\n"
