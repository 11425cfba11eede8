"""Kill the review app mid-session (SIGKILL, like a closed terminal) and lose nothing.

The app runs for real: ``python -m tui DB`` in a pseudo-terminal, keys typed into it.
After each key the test waits until a *separate* connection sees the change committed,
then kills the process without warning and checks the database: every committed edit
is there, the beads still cover both sides exactly once, the edit log has the
reviewer's name, and a new session reopens at the same pair and can undo.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from aligner import review
from aligner.store import Store
from tests.pty_terminal import Terminal, wait_until
from tests.review_data import build_corpus
from tui.app import ReviewApp
from tui.screens.pair import PairScreen
from tui.widgets import BeadTable


def statuses(db: Path) -> list[str]:
    with Store(db) as s:
        return [b.status for b in s.beads(1)]


def kinds(db: Path) -> list[str]:
    with Store(db) as s:
        return [b.kind for b in s.beads(1)]


@pytest.mark.kill
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_sigkill_mid_session_loses_nothing_committed(tmp_path):
    db = build_corpus(tmp_path / "corpus.db")
    term = Terminal(["-m", "tui", str(db), "--reviewer", "killed"])
    try:
        term.wait_for_text("Search titles")
        term.type("\r")  # open pair 1; the cursor starts on bead 2, the first unreviewed
        term.wait_for_text("Pair 1")
        term.type("a")  # accept bead 2
        wait_until(lambda: statuses(db)[1] == "accepted")
        term.type("x")  # reject bead 3
        wait_until(lambda: statuses(db)[2] == "rejected")
        term.type("t")  # to the 1-2 bead
        term.type("m")  # merge it with the next: 2-3
        wait_until(lambda: "2-3" in kinds(db))
        term.type("a")  # one more edit, killed while it may still be in flight
    finally:
        status = term.kill()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    with Store(db) as s:
        assert s.integrity_problems() == []
        beads = s.beads(1)
        assert [b.status for b in beads][:3] == ["accepted", "accepted", "rejected"]
        assert beads[5].kind == "2-3" and beads[5].origin == "manual"
        log = s.conn.execute("SELECT reviewer, action FROM edits ORDER BY id").fetchall()
        assert [tuple(r) for r in log][:3] == [("killed", "accept 2"), ("killed", "reject 3"), ("killed", "merge 6+7")]
        assert review.last_position(s, "killed")[0] == 1

    async def reopen() -> None:
        app = ReviewApp(db, "killed")
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, PairScreen) and app.screen.pair_id == 1
            assert app.screen.query_one(BeadTable).cursor in (5, 6)
            undo_to = 2 if len(log) == 4 else 1  # the in-flight accept may or may not have landed
            for _ in range(undo_to):
                await pilot.press("u")
            assert "2-3" not in kinds(db)

    asyncio.run(reopen())
