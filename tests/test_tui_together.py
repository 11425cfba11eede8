"""Reviewing together: the app notices other writers and shows who is on which pair.

"Another reviewer" is a second connection to the same real database file writing through
the same library calls another app would make (aligner.review), so every test sees what
a second app or a batch run would do; the app under test polls ``data_version`` and
must show the change without a key being pressed, with the reviewer's place kept.
Waits are bounded by a few seconds (the app takes a quarter of a second to look, a worker
thread re-reads the list); how fast it is is measured in benchmarks/review_keys.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aligner import review
from aligner.store import Store
from tests.review_data import build_corpus
from tui.app import ReviewApp
from tui.screens.corpus import CorpusScreen
from tui.screens.help import HelpScreen
from tui.screens.pair import PairScreen
from tui.widgets import BeadTable
from tui.widgets.pair_list import PairList

SIZE = (120, 35)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus.db")


def run(db: Path, scenario: Callable[[ReviewApp, object], Awaitable[None]], reviewer: str = "alice") -> None:
    async def main() -> None:
        app = ReviewApp(db, reviewer, resume=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


async def until(pilot, what: str, check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until ``check()`` holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not show {what} within {timeout} s")
        await pilot.pause(0.05)


def pairs(app: ReviewApp) -> PairList:
    return app.screen.query_one(PairList)


def row_of(app: ReviewApp, pair_id: int) -> str:
    rows = pairs(app)
    return next(rows.row_text(i) for i in range(rows.row_count) if rows.pair_at(i).pair_id == pair_id)


# -- the store's side ----------------------------------------------------------------------------


def test_data_version_changes_with_other_connections_commits_only(db):
    with Store(db) as mine, Store(db) as other:
        start = mine.data_version()
        review.accept(mine, 1, 2, reviewer="me")  # my own commit: nothing to re-read
        assert mine.data_version() == start
        review.accept(other, 1, 3, reviewer="other")
        assert mine.data_version() != start


def test_presence_is_who_is_on_a_pair_now(db):
    with Store(db) as store:
        review.save_position(store, "bob", 2, 3)
        review.save_position(store, "carol", 1, 0)
        review.save_on_list(store, "carol")  # on the list: not on a pair
        review.save_position(store, "dave", 3, 1)
        with store.transaction() as c:  # dave's app last said so ten minutes ago
            old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat(timespec="seconds")
            c.execute("UPDATE review_state SET seen_at=? WHERE reviewer='dave'", (old,))
        review.save_position(store, "erin", 1, 5)
        store.mark_gone("erin")  # quit
        since = (datetime.now(UTC) - timedelta(seconds=90)).isoformat(timespec="seconds")
        assert [(p.reviewer, p.pair_id, p.position) for p in store.presence(since)] == [("bob", 2, 3)]
        store.mark_present("dave")  # the heartbeat of an app still open
        assert [p.reviewer for p in store.presence(since)] == ["bob", "dave"]
        assert review.last_position(store, "erin") == (1, 5)  # leaving keeps the place for next time


# -- the list --------------------------------------------------------------------------------------


def test_the_list_shows_who_is_on_which_pair_and_drops_who_left(db):
    async def scenario(app, pilot):
        assert isinstance(app.screen, CorpusScreen)
        assert row_of(app, 2).rstrip().endswith("new")  # nobody there
        with Store(db) as bob:
            review.save_position(bob, "bob", 2, 0)  # bob opens pair 2
        await until(pilot, "bob on pair 2", lambda: row_of(app, 2).rstrip().endswith("bob"))
        assert "1 other on pairs" in str(app.screen.query_one("#corpus-title").render())
        with Store(db) as carol:
            review.save_position(carol, "carol", 2, 4)
        await until(pilot, "two reviewers on pair 2", lambda: row_of(app, 2).rstrip().endswith("bob +1"))
        with Store(db) as bob:
            bob.mark_gone("bob")  # bob quits
        await until(pilot, "only carol left", lambda: row_of(app, 2).rstrip().endswith("carol"))

    run(db, scenario)


def test_the_list_follows_other_writers_and_keeps_its_cursor(db):
    async def scenario(app, pilot):
        await pilot.press("o")  # unreviewed first: rail, daycare, festival; the cursor stays on daycare
        assert [pairs(app).pair_at(i).pair_id for i in range(3)] == [2, 1, 3]
        assert pairs(app).current().pair_id == 1 and pairs(app).cursor == 1
        with Store(db) as other:  # another reviewer finishes the rail pair
            review.accept(other, 2, range(5), reviewer="bob")
        await until(pilot, "the rail pair done", lambda: "100%" in row_of(app, 2))
        assert pairs(app).current().pair_id == 1  # the cursor stayed on its pair, which moved up
        assert [pairs(app).pair_at(i).pair_id for i in range(3)] == [1, 2, 3]
        assert "Corpus ✓ 9 accepted" in str(app.screen.query_one("#status").render())

    run(db, scenario)


def test_the_app_says_it_is_there_and_leaves_when_it_quits(db):
    async def scenario(app, pilot):
        with Store(db) as other:
            assert (
                other.conn.execute("SELECT seen_at IS NOT NULL FROM review_state WHERE reviewer='alice'").fetchone()[0]
                == 1
            )
        await pilot.press("enter")
        await pilot.pause()
        with Store(db) as other:
            since = (datetime.now(UTC) - timedelta(seconds=90)).isoformat(timespec="seconds")
            assert [(p.reviewer, p.pair_id) for p in other.presence(since)] == [("alice", 1)]
        await pilot.press("ctrl+q")

    run(db, scenario)
    with Store(db) as other:
        assert other.conn.execute("SELECT seen_at FROM review_state WHERE reviewer='alice'").fetchone()[0] is None
        assert review.last_position(other, "alice") == (1, 1)


# -- the open pair -----------------------------------------------------------------------------------


def test_the_open_pair_follows_other_writers_and_keeps_the_place(db):
    async def scenario(app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one(BeadTable)
        await pilot.press("j", "j", "right")  # bead 4 (position 3), the Korean side: KO 3
        assert (table.cursor, table.side, table.focus_index) == (3, "tgt", 3)
        with Store(db) as other:  # bob merges beads 1 and 2 above the cursor
            review.merge_with_next(other, 1, 0, reviewer="bob")
        await until(pilot, "the merged pair", lambda: len(table.beads) == 7)
        # the same sentence, now in bead 3: the place is the sentence, not the row number
        assert (table.cursor, table.side, table.focus_index) == (2, "tgt", 3)
        assert "another reviewer" in str(app.screen.query_one("#status").render())
        await pilot.press("a")  # and the keys act on what is shown
        with Store(db) as other:
            assert other.beads(1)[2].status == "accepted" and other.beads(1)[2].tgt_start == 3

    run(db, scenario)


def test_nothing_moves_under_an_open_dialog(db):
    async def scenario(app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one(BeadTable)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        with Store(db) as other:
            review.reject(other, 1, 5, reviewer="bob")
        await pilot.pause(0.8)  # three looks at the database
        assert table.beads[5].status == "unreviewed"  # the pair under the help waits ...
        await pilot.press("escape")
        assert isinstance(app.screen, PairScreen)
        await until(pilot, "bob's reject", lambda: table.beads[5].status == "rejected")  # ... until it closes

    run(db, scenario)


def test_a_change_that_comes_while_a_pair_opens_waits_until_it_is_built(db):
    """The app looks at the database on a timer; a look that lands between a pair screen's
    push and its first drawing found no table to re-read into, and the app crashed."""

    async def scenario(app, pilot):
        with Store(db) as other:
            review.reject(other, 1, 5, reviewer="bob")
        app.push_screen(PairScreen(1))
        app.pending_refresh = True
        app.refresh_screens()  # the screen is on top but not built: nothing to read into yet
        assert app.pending_refresh
        await pilot.pause()
        table = app.screen.query_one(BeadTable)
        await until(pilot, "the pair, read after it was built", lambda: not app.pending_refresh)
        assert table.beads[5].status == "rejected"

    run(db, scenario)


def test_a_list_under_a_pair_is_read_again_when_the_pair_closes(db):
    async def scenario(app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        with Store(db) as other:
            review.accept(other, 3, 0, reviewer="bob")  # no-op (already accepted), then a real change:
            review.reject(other, 2, 0, reviewer="bob")
        await pilot.pause(0.6)
        await pilot.press("q")
        await until(
            pilot, "the rail pair's reject", lambda: isinstance(app.screen, CorpusScreen) and "20%" in row_of(app, 2)
        )

    run(db, scenario)


def test_change_marks_say_what_kind_of_change_came(db):
    with Store(db) as mine, Store(db) as other:
        before = mine.change_marks()
        review.save_position(other, "bob", 2, 0)  # a place only
        assert mine.change_marks() == before
        review.accept(other, 2, 1, reviewer="bob")
        review.undo(other, 1, reviewer="bob")  # nothing to undo in pair 1: no change
        review.reject(other, 3, 0, reviewer="bob")
        review.undo(other, 3, reviewer="bob")
        marks = mine.change_marks()
        assert mine.pairs_edited_since(before) == [2, 3]
        assert (marks.pairs, marks.last_aligned, marks.last_document) == (
            before.pairs,
            before.last_aligned,
            before.last_document,
        )


def test_a_run_aligning_a_pair_again_shows_in_the_list(db):
    from aligner.model import Bead

    async def scenario(app, pilot):
        assert row_of(app, 3).split()[-4] == "3"  # festival: 3 beads
        with Store(db) as run:  # what `aligner run --force` does to a pair: new beads, no edit logged
            src, tgt = run.sentences(run.pair(3).src_doc), run.sentences(run.pair(3).tgt_doc)
            run.save_alignment(3, src, tgt, [Bead((0, 1), (0, 1), 0.5, 0.9), Bead((2,), (2,), 0.5, 0.9)], "test")
        await until(pilot, "the festival pair's 2 beads", lambda: row_of(app, 3).split()[-4] == "2")

    run(db, scenario)
