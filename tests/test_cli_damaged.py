"""A damaged corpus database: every command that reads it says so in one line, exits 1,
and writes nothing (no traceback, no export file, the file left as it was)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> Path:
    """The sample corpus, run, then with the second half of its database pages overwritten:
    the schema still reads, the data does not (as after a failing disk or a bad copy)."""
    corpus = tmp_path_factory.mktemp("damaged") / "corpus"
    shutil.copytree(SAMPLE / "pages", corpus / "pages")
    done = subprocess.run(
        [sys.executable, "-m", "aligner", "run", str(corpus), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    db = corpus / "corpus.db"
    with sqlite3.connect(db) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with db.open("r+b") as fh:
        for n in range(pages // 2, pages):
            fh.seek(n * page + 8)
            fh.write(bytes(range(256)) * 2)
    return corpus


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "{db}"],
        ["stats", "{db}", "--json"],
        ["export", "{db}", "--format", "tsv", "-o", "{out}"],
        ["export", "{db}", "--format", "tmx", "-o", "{out}", "--status", "any"],
        ["run", "{corpus}", "--force", "-q"],
        ["lexicon", "train", "{db}"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_damaged_database_is_one_line_and_changes_nothing(damaged, tmp_path, args):
    db = damaged / "corpus.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = tmp_path / "out.file"
    argv = [a.format(db=db, corpus=damaged, out=out) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "aligner", *argv], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"aligner: error: {db}: ") and "malformed" in lines[0], lines[0]
    assert "sqlite3 DB .recover" in lines[0]
    assert not out.exists()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not [p for p in os.listdir(damaged) if p.startswith("corpus.db-")]
