"""Nothing from outside reaches the terminal raw, through any command that shows it.

The corpus database is outside text too (issue: even our own database is hostile): its
titles, document keys, sentences and failure reasons are filled with escape sequences
(OSC window titles and clipboard writes, CSI screen clears, one-byte C1 CSI, BEL), bidi
overrides and rich markup, then every command that prints them runs. The output must hold
no ESC, C1 or bidi byte and every command must finish without a markup error or traceback.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.cli import main
from tests.conftest import ROOT, SAMPLE
from tests.review_data import build_corpus

ATTACKS = [
    "\x1b]0;renamed\x07",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b[2J\x1b[H",
    "\x9b2J",
    "\u202eevil\u202c",
    "[/x]",
    "[bold red]loud[/]",
    "[link=file:///etc/passwd]x[/link]",
    ":warning:",
]
HOSTILE = st.lists(st.sampled_from(ATTACKS) | st.text(max_size=8), min_size=1, max_size=5).map("".join)
BAD = ("\x1b", "\x9b", "\x9d", "\x07", "\u202e")


def assert_clean(out: str) -> None:
    assert not any(b in out for b in BAD), repr(out[:400])
    assert "Traceback" not in out and "MarkupError" not in out


def poison(db: Path, text: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET title = title || ?, key = key || ?", (text, text))
        conn.execute("UPDATE sentences SET text = ? || text WHERE idx % 2 = 0", (text,))
        conn.execute(
            "INSERT OR REPLACE INTO failures VALUES (?, 'parse', ?, '2026-01-01T00:00:00+00:00')",
            ("https://english.hani.co.kr/x" + text, "bad " + text),
        )


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("terminal") / "corpus.db")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_stats_and_export_show_hostile_database_text_as_text(clean_db, tmp_path, capsys, text):
    db = tmp_path / f"c{abs(hash(text))}.db"
    shutil.copy(clean_db, db)
    poison(db, text)
    for argv in (
        ["stats", str(db)],
        ["stats", str(db), "--json"],
        ["export", str(db), "--format", "tsv", "-o", str(tmp_path / "o.tsv")],
        ["export", str(db), "--format", "jsonl", "-o", str(tmp_path / "o.jsonl"), "--json"],
        ["lexicon", "show", str(db), "--", text or "x"],  # -- : a word may start with "-"
    ):
        code = main(argv)
        captured = capsys.readouterr()
        assert code in (0, 1), argv
        assert_clean(captured.out + captured.err)


def test_wide_stats_tables_show_titles_as_text(clean_db, tmp_path):
    """At 200 columns the table has the title columns: run as a user would, in a process."""
    db = tmp_path / "corpus.db"
    shutil.copy(clean_db, db)
    poison(db, "".join(ATTACKS))
    done = subprocess.run(
        [sys.executable, "-m", "aligner", "stats", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TERM": "xterm-256color"},
    )
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout + done.stderr)
    assert "[/x]" in done.stdout  # shown, not read as markup


def test_run_summary_shows_hostile_page_names_and_reasons_as_text(tmp_path):
    """A cached page whose file name (so its URL) holds escape sequences and markup fails,
    and the run's failure line shows the name, whatever -q or -v says."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE / "pages", corpus / "pages")
    folder = corpus / "pages" / "english.hani.co.kr" / "arti" / "english_edition" / "e_national"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "9\x1b]0;pwn\x07[/x]\u202e.html"  # the "/" makes a folder "9…[": a URL path holds it too
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes(b"<html><body>\x1b[2J nothing</body></html>")
    for flags in (["-v"], ["-q"], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "aligner", "run", str(corpus), "--method", "length", *flags],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 1, done.stderr  # the hostile page failed
        assert_clean(done.stdout + done.stderr)
        assert "9␛]0;pwn␇[/x]<U+202E>.html" in done.stdout + done.stderr


def test_align_over_folders_shows_hostile_file_names_as_text(tmp_path, capsys):
    """A folder's file names come from outside: a pair that fails is named through visible()."""
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    hostile = "a\x1b]0;renamed\x07\x1b[2J\u202e[bold]x"  # no "/": it would be a folder
    (src / hostile).write_text("The minister arrived in Seoul on Monday.\n", encoding="utf-8")  # no target file
    code = main(["align", "--presplit", str(src), str(tgt), "-o", str(tmp_path / "out"), "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert_clean(captured.out + captured.err)
    assert "missing on the target side" in captured.err and "␛]0;renamed" in captured.err
