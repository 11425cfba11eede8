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
