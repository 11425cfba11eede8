"""Snapshots (pytest-textual-snapshot) of both screens with Korean text.

They pin what a reviewer sees: columns lining up with wide Hangul, wrapped sentences,
status colours, the low-confidence and non-1:1 marks, the status line and the footer.
Regenerate after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from tests.review_data import build_corpus
from tui.app import ReviewApp

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
