"""Snapshots of the corpus list with reviewers on pairs (the Who column and the header's
count), at 80x24 and 120x35, and of the list sorted with its cursor on a pair further down.

Regenerate after an intended change with ``pytest tests/test_tui_list_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from aligner import review
from aligner.store import Store
from tests.review_data import build_corpus
from tui.app import ReviewApp


def app_with_reviewers(tmp_path) -> ReviewApp:
    """bob on the rail pair; carol and a reviewer with a long name on the daycare pair."""
    db = build_corpus(tmp_path / "corpus.db")
    with Store(db) as store:
        review.save_position(store, "bob", 2, 1)
        review.save_position(store, "carol", 1, 3)
        review.save_position(store, "maximilian", 1, 0)
    return ReviewApp(db, "tester", resume=False)


def test_list_with_reviewers_80x24(snap_compare, tmp_path):
    assert snap_compare(app_with_reviewers(tmp_path), terminal_size=(80, 24))


def test_list_with_reviewers_120x35(snap_compare, tmp_path):
    assert snap_compare(app_with_reviewers(tmp_path), terminal_size=(120, 35))


def test_list_sorted_with_the_cursor_moved_120x35(snap_compare, tmp_path):
    assert snap_compare(app_with_reviewers(tmp_path), press=["o", "j", "j"], terminal_size=(120, 35))
