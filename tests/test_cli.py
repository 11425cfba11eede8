"""The command line, in process (models load once per test session), plus one real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from aligner.cli import main
from aligner.evaluate import parse_bead_line
from aligner.export.tmx import DTD_PATH
from tests.conftest import EN_PAGE, KO_PAGE, ROOT, SAMPLE

EVAL = ROOT / "corpora" / "eval" / "ntrex-edited"


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("cli")
    shutil.copytree(SAMPLE / "pages", corpus / "pages")
    assert main(["run", str(corpus), "--quiet"]) == 0
    return corpus / "corpus.db"


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "align", "export", "stats", "review", "eval"):
        assert command in out


def test_python_dash_m_aligner_runs_as_a_real_process(tmp_path):
    missing = tmp_path / "nope.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "aligner", "align", str(missing), str(missing)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"aligner: error: {missing}: no such file"
    assert "Traceback" not in proc.stderr


def test_run_json_summary(cli, tmp_path):
    shutil.copytree(SAMPLE / "pages", tmp_path / "pages")
    code, out, _ = cli("run", str(tmp_path), "--json", "--format", "jsonl")
    summary = json.loads(out)
    assert code == 0
    assert summary["pairs"] == 10 and summary["unpaired"] == 1 and summary["failed"] == 0
    assert summary["files"] == [str(tmp_path / "export" / "corpus.jsonl")]
    assert summary["problems"][0]["outcome"] == "unpaired"


def test_run_prints_a_readable_summary(cli, tmp_path):
    shutil.copytree(SAMPLE / "pages", tmp_path / "pages")
    code, out, err = cli("run", str(tmp_path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"corpus database: {tmp_path / 'corpus.db'}"
    assert (
        "pairs in corpus: 10 (this run: 10 aligned, 0 unchanged, 0 kept as reviewed, 0 failed); "
        "1 English page unpaired" in out
    )
    assert "beads by type: 1-1:" in out and "mean confidence:" in out
    # the first run names the unpaired page and why, as no error
    at = lines.index("unpaired (no Korean original to align with yet; not an error):")
    assert "684758" in lines[at + 1] and "not in the page cache" in lines[at + 1]
    assert "exported (accepted and unreviewed beads, rejected ones left out; 0-1 and 1-0 beads left out):" in out
    assert any(
        line.startswith(f"  {tmp_path / 'export' / 'corpus.tmx'}  (") and line.endswith(" beads)") for line in lines
    )
    assert lines[-1] == f"next: review the links with  aligner review {tmp_path / 'corpus.db'}"
    assert "failed:" not in out and "Scores(" not in out and "{" not in out

    # a re-run counts the known unpaired page without listing it again; -v lists it
    code, out, _ = cli("run", str(tmp_path))
    assert code == 0
    assert "1 English page unpaired (as in earlier runs; -v lists them)" in out
    assert "684758" not in out
    code, out, _ = cli("run", str(tmp_path), "-v")
    assert "684758" in out and "not in the page cache" in out


def test_run_exports_follow_the_review(cli, tmp_path):
    """`aligner run` exports with the same policy as `aligner export`: after a reviewer rejects
    a bead, the next run's TMX and TSV leave it out; `--status any` brings it back."""
    from aligner import review
    from aligner.store import Store

    shutil.copytree(SAMPLE / "pages", tmp_path / "pages")
    assert cli("run", str(tmp_path), "--quiet")[0] == 0
    with Store(tmp_path / "corpus.db") as store:
        pair = store.pair_ids()[0]
        target = next(b for b in store.beads(pair) if b.kind == "1-1")
        english = " ".join(s.text for s in store.sentences(store.pair(pair).src_doc)[target.src_start : target.src_end])
        review.reject(store, pair, target.position, reviewer="alice")
    code, out, _ = cli("run", str(tmp_path), "--json")
    assert code == 0 and json.loads(out)["export_policy"]["status"] == "not-rejected"
    for name in ("corpus.tmx", "corpus.tsv"):
        assert english not in (tmp_path / "export" / name).read_text(encoding="utf-8")
    assert cli("run", str(tmp_path), "--status", "any", "--quiet")[0] == 0
    assert english in (tmp_path / "export" / "corpus.tsv").read_text(encoding="utf-8")


def test_align_two_pages_prints_beads_in_vecalign_format(cli):
    code, out, err = cli("align", str(EN_PAGE), str(KO_PAGE))
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) > 10
    src, tgt = parse_bead_line(lines[0])
    assert src == (0,) and tgt == (0,)
    assert 0.0 <= float(lines[0].rsplit(":", 1)[1]) <= 1.0


def test_align_tsv_output_has_text(cli, tmp_path):
    out_file = tmp_path / "a.tsv"
    code, _, _ = cli("align", str(EN_PAGE), str(KO_PAGE), "--output-format", "tsv", "-o", str(out_file))
    assert code == 0
    header, first = out_file.read_text(encoding="utf-8").splitlines()[:2]
    assert header.split("\t") == ["src_ids", "tgt_ids", "type", "confidence", "src", "tgt"]
    assert first.split("\t")[2] == "1-1"


def test_align_plain_text_files(cli, tmp_path):
    en = tmp_path / "en.txt"
    ko = tmp_path / "ko.txt"
    en.write_text(
        "The minister arrived in Seoul on Monday. She met the president.\n\nThey talked for 3 hours.\n",
        encoding="utf-8",
    )
    ko.write_text(
        "장관은 월요일 서울에 도착했다. 그는 대통령을 만났다.\n\n두 사람은 3시간 동안 이야기했다.\n", encoding="utf-8"
    )
    code, out, err = cli("align", str(en), str(ko))
    assert code == 0, err
    assert out.splitlines()[0].startswith("[0]:[0]:")
    assert len(out.splitlines()) == 3


def test_align_presplit_folders_writes_one_file_each_and_scores_well(cli, tmp_path):
    names = sorted(p.name for p in (EVAL / "src").iterdir())[:6]
    src_dir, tgt_dir = tmp_path / "src", tmp_path / "tgt"
    src_dir.mkdir()
    tgt_dir.mkdir()
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for name in names:
        shutil.copy(EVAL / "src" / name, src_dir / name)
        shutil.copy(EVAL / "tgt" / name, tgt_dir / name)
        shutil.copy(EVAL / "gold" / name, gold_dir / name)
    out_dir = tmp_path / "out"
    code, _, err = cli("align", "--presplit", str(src_dir), str(tgt_dir), "-o", str(out_dir))
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == names
    code, out, _ = cli("eval", str(gold_dir), str(out_dir), "--json")
    scores = json.loads(out)
    assert scores["strict_f1"] > 0.85
    code, out, _ = cli("eval", str(gold_dir), str(out_dir))  # for a person: a table
    assert code == 0 and "Scores(" not in out and "{" not in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()[:1] in (["strict"], ["lax"])}
    assert rows["strict"] == [f"{scores[k]:.4f}" for k in ("strict_precision", "strict_recall", "strict_f1")]
    assert rows["lax"] == [f"{scores[k]:.4f}" for k in ("lax_precision", "lax_recall", "lax_f1")]
    assert "precision" in out and "recall" in out and "F1" in out
    assert out.splitlines()[-1].startswith(
        f"6 documents; {scores['counts']['p_strict_hit'] + scores['counts']['p_strict_miss']:,}"
    )


def test_align_folder_with_a_missing_partner_reports_it_and_goes_on(cli, tmp_path):
    src_dir, tgt_dir = tmp_path / "s", tmp_path / "t"
    src_dir.mkdir()
    tgt_dir.mkdir()
    (src_dir / "a").write_text("One sentence.\nTwo sentences.\n", encoding="utf-8")
    (tgt_dir / "a").write_text("한 문장.\n두 문장.\n", encoding="utf-8")
    (src_dir / "b").write_text("Lonely.\n", encoding="utf-8")
    code, _, err = cli("align", "--presplit", str(src_dir), str(tgt_dir), "-o", str(tmp_path / "o"))
    assert code == 1
    assert f"{tgt_dir / 'b'}: missing on the target side" in err
    assert (tmp_path / "o" / "a").read_text().count("\n") == 2


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.html", "no such file"),
        (lambda d: _write(d / "empty.txt", b""), "empty file"),
        (lambda d: _write(d / "image.html", b"\x89PNG\r\n\x1a\n" + bytes(64)), "not an HTML page"),
        (lambda d: _write(d / "bad.txt", b"Fine text, then bad bytes: " + b"\xff\xfe\n"), "invalid UTF-8"),
        (
            lambda d: _write(d / "nobody.html", b"<html><head><title>x</title></head><body></body></html>"),
            "no article body",
        ),
        (lambda d: d, "give two files or two folders"),
    ],
)
def test_align_bad_input_gives_one_line_and_exit_1(cli, tmp_path, make, message):
    bad = make(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text("장관은 월요일 서울에 도착했다.\n", encoding="utf-8")
    code, out, err = cli("align", str(bad), str(good))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("aligner: error: ") and message in err
    assert str(bad) in err or bad.name in err


def test_align_swapped_languages_is_an_error(cli):
    code, _, err = cli("align", str(KO_PAGE), str(EN_PAGE), "--src-lang", "en", "--tgt-lang", "ko")
    assert code == 1 and "expected English" in err


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fmt", ["tmx", "tsv", "moses", "jsonl", "parquet"])
def test_export_every_format(cli, corpus_db, tmp_path, fmt):
    out = tmp_path / f"c.{fmt}"
    code, stdout, err = cli("export", str(corpus_db), "--format", fmt, "-o", str(out), "--json")
    assert code == 0, err
    result = json.loads(stdout)
    assert result["count"] > 100
    if fmt == "tmx":
        assert etree.DTD(str(DTD_PATH)).validate(etree.parse(str(out)))
        assert len(tmxfile(out.read_bytes(), "en", "ko").units) == result["count"]
    elif fmt == "moses":
        en, ko = tmp_path / "c.en", tmp_path / "c.ko"
        assert len(en.read_text().splitlines()) == len(ko.read_text().splitlines()) == result["count"]
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(rows) == result["count"] and {"src_text", "tgt_text", "confidence"} <= rows[0].keys()
    elif fmt == "parquet":
        frame = pd.read_parquet(out)
        assert len(frame) == result["count"] and list(frame["translation"][0]) == ["en", "ko"]


def test_export_filters(cli, corpus_db, tmp_path):
    counts = {}
    for name, extra in {
        "default": [],
        "skip_empty": ["--skip-empty"],  # the old flag: what it asked for is the default now
        "keep_empty": ["--keep-empty"],
        "confident": ["--min-confidence", "0.9"],
        "accepted": ["--status", "accepted"],
    }.items():
        code, out, _ = cli(
            "export", str(corpus_db), "--format", "jsonl", "-o", str(tmp_path / f"{name}.jsonl"), "--json", *extra
        )
        assert code == 0
        counts[name] = json.loads(out)["count"]
    assert counts["keep_empty"] > counts["default"] == counts["skip_empty"] > 0
    assert counts["default"] > counts["confident"]
    assert counts["accepted"] == 0
    code, out, _ = cli("export", str(corpus_db), "--format", "tsv", "-o", str(tmp_path / "h.tsv"))
    assert out.splitlines() == [
        f"wrote {counts['default']} beads to {tmp_path / 'h.tsv'}",
        "  (accepted and unreviewed beads, rejected ones left out; 0-1 and 1-0 beads left out)",
    ]


def test_export_of_a_missing_database_is_one_line(cli, tmp_path):
    code, _, err = cli("export", str(tmp_path / "none.db"), "--format", "tsv", "-o", str(tmp_path / "x"))
    assert code == 1 and "no such corpus database" in err


def test_stats_table_and_json(cli, corpus_db):
    code, out, _ = cli("stats", str(corpus_db), "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["pairs"]) == 10 and data["totals"]["pairs"] == 10
    assert data["totals"]["beads"] == sum(p["beads"] for p in data["pairs"])
    assert data["totals"]["failed_items"] == 1
    code, out, _ = cli("stats", str(corpus_db))
    assert code == 0 and "unreviewed" in out
    totals = out.splitlines()[-5:]
    assert totals[0].startswith("corpus: 10 article pairs, ") and "Korean sentences" in totals[0]
    assert totals[1].startswith(f"beads: {data['totals']['beads']:,} (0 accepted, 0 rejected, ")
    assert totals[2].startswith("bead types: 1-1: ")
    assert totals[3] == "pairs made by: link 10" and data["totals"]["paired_by"] == {"link": 10}
    assert totals[4].startswith("pages not aligned (failed or unpaired): 1;")
    assert not any("{" in line or "': " in line for line in totals)  # no Python dict


def test_stats_on_a_file_that_is_not_a_database(cli, tmp_path):
    bogus = tmp_path / "x.db"
    bogus.write_text("not sqlite")
    code, _, err = cli("stats", str(bogus))
    assert code == 1 and "not an SQLite database" in err


def test_pair_by_content_on_the_sample_pages(cli, tmp_path):
    en_dir, ko_dir = tmp_path / "en", tmp_path / "ko"
    shutil.copytree(SAMPLE / "pages" / "english.hani.co.kr", en_dir)
    shutil.copytree(SAMPLE / "pages" / "www.hani.co.kr", ko_dir)
    code, out, _ = cli("pair", str(en_dir), str(ko_dir), "--json")
    assert code == 0
    result = json.loads(out)
    assert len(result["pairs"]) == 10
    code, out, _ = cli("pair", str(en_dir), str(ko_dir))
    assert code == 0
    assert "unpaired en:" in out and "684758" in out  # the seed article's original is not there
    assert sum(1 for line in out.splitlines() if line.startswith("0.") or line.startswith("1.")) == 10


def test_fetch_offline_with_an_empty_cache_reports_each_url(cli, tmp_path):
    url = "https://english.hani.co.kr/arti/english_edition/e_national/1.html"
    code, out, err = cli("fetch", "-d", str(tmp_path), "--offline", url, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["items"][0]["status"] == "failed" and "cache" in report["items"][0]["reason"]


@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.2", "nan"])
def test_pair_min_score_outside_0_1_is_one_line(cli, tmp_path, value):
    code, out, err = cli(
        "pair",
        str(SAMPLE / "pages" / "english.hani.co.kr"),
        str(SAMPLE / "pages" / "www.hani.co.kr"),
        "--min-score",
        value,
    )
    assert code == 1 and not out
    assert err == f"aligner: error: min score {float(value):g}: must be more than 0 and less than 1\n"


def test_pair_with_the_folders_swapped_fails_in_one_line(cli):
    en_dir, ko_dir = SAMPLE / "pages" / "english.hani.co.kr", SAMPLE / "pages" / "www.hani.co.kr"
    code, out, err = cli("pair", str(ko_dir), str(en_dir))
    assert code == 1 and not out and err.count("\n") == 1
    assert err == (
        f"aligner: error: {ko_dir}, {en_dir}: the English folder reads as Korean and the Korean folder "
        "as English: the folders look swapped (English first, then Korean)\n"
    )
    code, out, err = cli("pair", str(en_dir), str(en_dir), "--json")  # English on both sides: not swapped
    assert code == 1 and not out and err.count("\n") == 1
    assert (
        err.startswith(f"aligner: error: {en_dir}: no article can be paired as Korean: all 11 were refused (first ")
        and "expected Korean text but found English" in err
    )


def test_an_error_naming_a_hostile_file_name_is_shown_not_obeyed(tmp_path, capsys):
    """A file name is outside text too: its escape sequences are shown, not sent to the terminal."""
    name = tmp_path / "a\x1b]0;renamed\x07b.db"
    assert main(["stats", str(name)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "a␛]0;renamed␇b.db: no such corpus database" in err


def test_review_is_the_review_apps_command_added_through_the_entry_point(cli, tmp_path):
    """The library never imports the app (lint-imports checks it): the app offers `review`
    in the aligner.commands entry point group, which the command line loads."""
    from importlib.metadata import entry_points

    from tui.command import add_review_command

    (entry,) = [e for e in entry_points(group="aligner.commands") if e.name == "review"]
    assert entry.load() is add_review_command
    code, _, err = cli("review", tmp_path / "none.db")
    assert (
        code == 1
        and err == f"aligner: error: {tmp_path / 'none.db'}: no such corpus database (build one with `aligner run`)\n"
    )
