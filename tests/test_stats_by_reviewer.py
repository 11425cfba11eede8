"""``aligner stats DB --by-reviewer``: what each reviewer did, per day, from the edit log.

Edits are made through aligner.review on a real database (as the app makes them), some
on another day (their logged time moved back a day), some undone; the counts are checked
against what was done, in the table, in ``--json`` and through the library call.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from aligner import review
from aligner.stats import reviewer_stats
from aligner.store import Store
from tests.conftest import ROOT, child_env
from tests.review_data import build_corpus

HOSTILE_NAME = "[/x]\x1b]0;evil\x07mallory\u202e"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = build_corpus(tmp_path / "corpus.db")
    with Store(path) as store:
        review.accept(store, 1, [1, 2], reviewer="carol")  # 2 accepted
        review.reject(store, 1, 4, reviewer="carol")  # 1 rejected
        review.accept(store, 1, 3, reviewer="carol")
        review.undo(store, 1, reviewer="carol")  # ... undone: does not count
        review.merge_with_next(store, 1, 5, reviewer="dave")  # 1 bead made of 2: edited 1
        review.edit_sentence_text(store, 1, "src", 2, "A fixed sentence.", reviewer="dave")  # edited 1
        review.accept_all_above(store, 2, 3, reviewer="dave")  # beads 1-3 of the rail pair: 3 accepted
        review.unmark(store, 2, 0, reviewer="dave")  # an edit, but no bead accepted or rejected
        review.detach(store, 2, 4, "tgt", 4, reviewer=HOSTILE_NAME)  # edited: the beads it leaves
        review.accept(store, 2, 0, reviewer="carol")  # carol again, but "yesterday" (below)
    with sqlite3.connect(path) as conn:  # carol's last edit was made a day earlier
        conn.execute("UPDATE edits SET at='2026-01-01T23:59:59+00:00' WHERE id=(SELECT max(id) FROM edits)")
        conn.execute("UPDATE edits SET at='2026-01-02T08:00:00+00:00' WHERE id<(SELECT max(id) FROM edits)")
    return path


def test_counts_per_reviewer_and_day(db):
    days = {(d["reviewer"], d["day"]): d for d in reviewer_stats(db)}
    assert set(days) == {
        ("carol", "2026-01-01"),
        ("carol", "2026-01-02"),
        ("dave", "2026-01-02"),
        (HOSTILE_NAME, "2026-01-02"),
    }
    carol = days["carol", "2026-01-02"]
    assert (carol["accepted"], carol["rejected"], carol["edited"], carol["edits"]) == (2, 1, 0, 2)
    assert days["carol", "2026-01-01"]["accepted"] == 1
    dave = days["dave", "2026-01-02"]
    assert (dave["accepted"], dave["rejected"], dave["edited"], dave["edits"]) == (3, 0, 2, 4)
    detach = days[HOSTILE_NAME, "2026-01-02"]
    assert detach["edits"] == 1 and detach["edited"] >= 2 and detach["accepted"] == 0


def test_the_command_prints_a_table_and_json_without_obeying_names(db, cli):
    code, out, err = cli("stats", db, "--by-reviewer")
    assert code == 0 and err == ""
    assert "\x1b" not in out and "\u202e" not in out
    assert "[/x]␛]0;evil␇mallory<U+202" in out  # the name as written, pictures for its controls
    for line in ("carol", "dave", "2 days"):
        assert line in out
    code, out, _ = cli("stats", db, "--by-reviewer", "--json")
    assert code == 0 and "\x1b" not in out
    data = json.loads(out)
    assert {r["reviewer"] for r in data["reviewers"]} == {"carol", "dave", HOSTILE_NAME}
    carol = next(r for r in data["reviewers"] if r["reviewer"] == "carol")
    assert carol == {"reviewer": "carol", "days": 2, "accepted": 3, "rejected": 1, "edited": 0, "edits": 3}
    assert len(data["days"]) == 4


def test_a_corpus_nobody_reviewed_says_so(tmp_path, cli):
    db = build_corpus(tmp_path / "corpus.db")
    code, out, _ = cli("stats", db, "--by-reviewer")
    assert code == 0 and "no review edits" in out
    code, out, _ = cli("stats", db, "--by-reviewer", "--json")
    assert json.loads(out) == {"days": [], "reviewers": []}


def test_a_missing_database_is_one_line(tmp_path, cli):
    code, out, err = cli("stats", tmp_path / "nope.db", "--by-reviewer")
    assert code == 1 and "no such corpus database" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nope.db").exists()


# -- aligner review --serve: what goes wrong before any browser comes -------------------------------


def test_serve_refuses_a_missing_database_and_a_bad_port_in_one_line(tmp_path):
    def review(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aligner", "review", *args],
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = review(str(tmp_path / "nope.db"), "--serve", "--port", "8123")
    assert done.returncode == 1 and "no such corpus database" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "nope.db").exists()
    db = build_corpus(tmp_path / "corpus.db")
    done = review(str(db), "--serve", "--port", "７０")  # fullwidth digits are not a port
    assert done.returncode == 2 and "not a port number" in done.stderr


def test_serve_on_a_port_already_taken_is_one_line(tmp_path):
    import socket

    db = build_corpus(tmp_path / "corpus.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "aligner", "review", str(db), "--serve", "--port", str(port)],
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, done.stderr
    assert f"127.0.0.1:{port}: cannot serve there" in done.stderr and "Traceback" not in done.stderr
