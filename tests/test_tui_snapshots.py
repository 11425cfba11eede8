"""Snapshots (pytest-textual-snapshot) of both screens with Korean text.

They pin what a reviewer sees: columns lining up with wide Hangul, wrapped sentences,
status colours, the low-confidence and non-1:1 marks, the status line and the footer.
Regenerate after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.review_data import build_corpus
from tui.app import ReviewApp
from tui.screens.pair import PairScreen

SIZE = (150, 34)


def app_for(tmp_path) -> ReviewApp:
    return ReviewApp(build_corpus(tmp_path / "corpus.db"), "tester", resume=False)


def test_corpus_screen(snap_compare, tmp_path):
    assert snap_compare(app_for(tmp_path), terminal_size=SIZE)


def test_pair_screen_with_marks_and_korean(snap_compare, tmp_path):
    # accept bead 2, reject bead 3, go to the 1-2 bead, focus its second Korean sentence
    keys = ["enter", "a", "x", "t", "right", "tab"]
    assert snap_compare(app_for(tmp_path), press=keys, terminal_size=SIZE)


def test_pair_screen_search_highlight(snap_compare, tmp_path):
    keys = ["enter", "right", "slash", *"어린이집", "enter"]
    assert snap_compare(app_for(tmp_path), press=keys, terminal_size=SIZE)


def test_help_screen(snap_compare, tmp_path):
    assert snap_compare(app_for(tmp_path), press=["enter", "question_mark"], terminal_size=(150, 50))


def test_corpus_screen_80x24(snap_compare, tmp_path):
    """Every column (Who last) shows at 80 columns: the titles take what is left."""
    assert snap_compare(app_for(tmp_path), terminal_size=(80, 24))


def test_corpus_screen_120x35(snap_compare, tmp_path):
    assert snap_compare(app_for(tmp_path), terminal_size=(120, 35))


def test_pair_screen_80x24(snap_compare, tmp_path):
    """The footer keeps Help (?) and Back (q) at 80 columns."""
    assert snap_compare(app_for(tmp_path), press=["enter", "a"], terminal_size=(80, 24))


def test_split_sentence_dialog_80x24(snap_compare, tmp_path):
    """The dialog's keys (Enter split, Esc cancel) show at 80x24, even for a long sentence."""
    keys = ["enter", "t", "j", "S"]  # bead 7: the longest English sentence
    assert snap_compare(app_for(tmp_path), press=keys, terminal_size=(80, 24))


def test_export_dialog_with_a_checked_box(snap_compare, tmp_path):
    """A checked box shows a ✓, not only another colour."""

    async def check_one(pilot) -> None:
        await pilot.press("enter", "E")
        pilot.app.screen.query_one("#path").value = "export/corpus.tmx"  # not the test's temporary folder
        pilot.app.screen.query_one("#keep-empty").value = True
        await pilot.pause()

    assert snap_compare(app_for(tmp_path), run_before=check_one, terminal_size=(100, 30))


# -- the second round: the map, search results, notes and help at 80x24 and 120x35 -------------------

SIZES = [(80, 24), (120, 35)]


def big_corpus(tmp_path) -> tuple[ReviewApp, int]:
    """The three small pairs and a 300-bead pair with a reviewed start, two rejected beads,
    a long merge and a weak stretch, for the map."""
    from aligner import review
    from aligner.store import Store
    from tests.review_data import add_big_pair

    path = build_corpus(tmp_path / "corpus.db")
    with Store(path) as store:
        pair = add_big_pair(store, 300)
        review.accept(store, pair, range(0, 60), reviewer="kim")
        review.reject(store, pair, [75, 76], reviewer="kim")
        for _ in range(6):
            review.merge_with_next(store, pair, 150, reviewer="kim")
    return ReviewApp(path, "tester", resume=False), pair


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_alignment_map(snap_compare, tmp_path, size):
    app, pair = big_corpus(tmp_path)

    async def open_map(pilot) -> None:
        pilot.app.push_screen(PairScreen(pair, 150))
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app, run_before=open_map, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_search_results(snap_compare, tmp_path, size):
    async def search_corpus(pilot) -> None:
        await pilot.press("enter", "slash", *r"\bthe\b", "tab", "tab", "right", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "down")

    assert snap_compare(app_for(tmp_path), run_before=search_corpus, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_notes_on_a_bead_and_the_pair(snap_compare, tmp_path, size):
    from aligner import review
    from aligner.store import Store

    db = build_corpus(tmp_path / "corpus.db")
    with Store(db) as store:  # written before the app opens: no change for it to notice mid-snapshot
        review.set_note(store, 1, 3, "the district list is in the print edition only", reviewer="kim")
        review.set_pair_note(store, 1, "English drops KO 6 (the budget split)", reviewer="kim")
    assert snap_compare(ReviewApp(db, "tester", resume=False), press=["enter", "j", "j"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_help_screen_sizes(snap_compare, tmp_path, size):
    assert snap_compare(app_for(tmp_path), press=["enter", "question_mark"], terminal_size=size)
