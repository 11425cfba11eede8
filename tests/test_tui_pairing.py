"""The review app shows how each pair was made and lets a reviewer reject a wrong pairing.

Headless with Pilot on a real corpus file (tests/review_data.py); every check reads the
database back through a second connection.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Static

from aligner.store import PairOrigin, Store
from tests.review_data import build_corpus
from tui.app import ReviewApp
from tui.screens.corpus import CorpusScreen
from tui.screens.pair import PairScreen
from tui.screens.pairing import PairingDialog
from tui.widgets.pair_list import PairList, PairListHeader

SIZE = (160, 45)
DAYCARE = 1  # the first pair; made "by content, unsure" below
WHY = "too close to call (also https://www.hani.co.kr/arti/x.html): score (p 0.62; margins English +0.4, Korean +5.0)"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = build_corpus(tmp_path / "corpus.db")
    with Store(path) as store:
        store.set_pair_origin(DAYCARE, PairOrigin("content", 0.62, False, {"why": WHY, "decided_by": "score"}))
    return path


def rejected(db: Path, pair_id: int = DAYCARE) -> str | None:
    with Store(db) as store:
        rejection = store.pairing_rejection(pair_id)
        return None if rejection is None else rejection.rejected_by


def heading(app: ReviewApp) -> str:
    return str(app.screen.query_one("#pair-title", Static).render())


def paired_column(app: ReviewApp) -> list[str]:
    pairs = app.screen.query_one(PairList)
    return [pairs.row_cells(row)["paired"] for row in range(pairs.row_count)]


def header(app: ReviewApp) -> str:
    return "".join(segment.text for segment in app.screen.query_one(PairListHeader).render_line(0))


def test_the_list_and_the_pair_screen_say_how_each_pair_was_made(db):
    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, CorpusScreen)
            assert header(app).split()[-2:] == ["Paired", "Who"]
            assert paired_column(app) == ["c 0.62?", "link", "link"]
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PairScreen)
            assert heading(app).endswith("paired by content (p 0.62, not sure: check it)")
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("down", "enter")
            await pilot.pause()
            assert heading(app).endswith("paired by its link")

    asyncio.run(main())


def test_a_corpus_paired_by_links_only_keeps_its_columns(tmp_path):
    async def main() -> None:
        app = ReviewApp(build_corpus(tmp_path / "corpus.db"), "tester", resume=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "Paired" not in header(app) and header(app).split()[-2:] == ["Status", "Who"]
            assert "paired" not in app.screen.query_one(PairList).row_cells(0)

    asyncio.run(main())


def test_x_rejects_the_pairing_after_asking_and_u_or_x_brings_it_back(db):
    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("X")
            await pilot.pause()
            assert isinstance(app.screen, PairingDialog)
            shown = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "Reject this pairing?" in shown and "p 0.62" in shown and "never pair these two again" in shown
            await pilot.press("escape")  # cancelled: nothing changed
            await pilot.pause()
            assert isinstance(app.screen, PairScreen) and rejected(db) is None
            await pilot.press("X")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert rejected(db) == "tester"
            assert "PAIRING REJECTED by tester" in heading(app)
            assert "reject pairing" in str(app.screen.query_one("#status").render())
            await pilot.press("u")
            await pilot.pause()
            assert rejected(db) is None and "REJECTED" not in heading(app)
            await pilot.press("X", "y")  # y confirms too
            await pilot.pause()
            assert rejected(db) == "tester"
            await pilot.press("X")
            await pilot.pause()
            assert "Restore this pairing?" in " ".join(str(w.render()) for w in app.screen.query(Static))
            await pilot.press("enter")
            await pilot.pause()
            assert rejected(db) is None
            await pilot.press("X", "enter", "q")
            await pilot.pause()
            assert isinstance(app.screen, CorpusScreen)
            assert paired_column(app)[0] == "✗c 0.62?"
        with Store(db) as store:
            actions = [
                r[0] for r in store.conn.execute("SELECT action FROM edits WHERE pair_id=? ORDER BY id", (DAYCARE,))
            ]
        assert actions == ["reject pairing", "reject pairing", "restore pairing", "reject pairing"]

    asyncio.run(main())


def test_titles_in_the_heading_and_the_dialog_are_text_not_markup(db):
    with Store(db) as store:
        store.conn.execute(
            "UPDATE documents SET title=? WHERE id=(SELECT src_doc FROM pairs WHERE id=?)",
            ("[/x] [b]bold[/b] \x1b]0;owned\x07", DAYCARE),
        )

    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert "[/x] [b]bold[/b] ␛]0;owned␇" in heading(app)
            await pilot.press("X")
            await pilot.pause()
            assert "[/x] [b]bold[/b] ␛]0;owned␇" in " ".join(str(w.render()) for w in app.screen.query(Static))

    asyncio.run(main())
