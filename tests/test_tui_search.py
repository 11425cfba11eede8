"""Search, replace and notes on the pair screen, driven headless with Pilot on a real corpus
file and checked in the database through a second connection.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from textual.widgets import OptionList

from aligner import review
from aligner.store import Store
from tests.review_data import DAYCARE_EN, DAYCARE_KO, RAIL_EN, build_corpus
from tui.app import ReviewApp
from tui.screens.dialogs import NoteDialog
from tui.screens.pair import PairScreen
from tui.screens.search import ReplacePreviewScreen, SearchDialog, SearchResultsScreen
from tui.widgets import BeadTable, NoteBar

DAYCARE, RAIL, FESTIVAL = 1, 2, 3


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus.db")


def run(db: Path, scenario, *, size=(160, 45), pair: int = DAYCARE, position: int | None = 0) -> None:
    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.push_screen(PairScreen(pair, position))
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


def table(app: ReviewApp) -> BeadTable:
    return app.screen.query_one(BeadTable)


def message(app: ReviewApp) -> str:
    return app.screen.message


def texts(db: Path, side: str, pair: int = DAYCARE) -> list[str]:
    with Store(db) as s:
        p = s.pair(pair)
        return [x.text for x in s.sentences(p.src_doc if side == "src" else p.tgt_doc)]


def edits(db: Path) -> list[tuple[int, str, str, int]]:
    with Store(db) as s:
        return [tuple(r) for r in s.conn.execute("SELECT pair_id, reviewer, action, undone FROM edits ORDER BY id")]


async def settle(app: ReviewApp, pilot) -> None:
    """Wait for a corpus search's worker and the screen it opens."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def search(
    pilot,
    pattern: str,
    *,
    where_steps: int = 0,
    corpus: bool = False,
    replacement: str | None = None,
    key: str = "slash",
) -> None:
    """Fill in the search dialog: the pattern, (the replacement), → ``where_steps`` times in
    "In" (from the focused side: EN, KO, both, notes), → in "Where" for the whole corpus."""
    await pilot.press(key)
    await pilot.pause()
    await pilot.press(*pattern)
    if replacement is not None:
        await pilot.press("tab", *replacement)
    await pilot.press("tab", *["right"] * where_steps, "tab")
    if corpus:
        await pilot.press("right")
    await pilot.press("enter")
    await pilot.pause()


# -- finding ------------------------------------------------------------------------------------


def test_a_regular_expression_in_both_sides_walks_the_hits_in_reading_order(db):
    async def scenario(app, pilot):
        t = table(app)
        await search(pilot, r"daycare|어린이집", where_steps=2)  # EN -> KO -> both
        assert (t.cursor, t.side, t.focus_index) == (0, "src", 0)  # the focused sentence itself matches
        assert message(app).startswith("/daycare|어린이집/ in both sides: 1 of 7, EN 0")
        walked = []
        for _ in range(7):
            await pilot.press("f")
            walked.append((t.cursor, t.side, t.focus_index))
        assert walked == [
            (0, "tgt", 0),
            (1, "src", 1),
            (1, "tgt", 1),
            (3, "tgt", 3),
            (4, "tgt", 4),
            (7, "tgt", 8),
            (0, "src", 0),
        ]
        assert "wrapped to the top" in message(app)
        await pilot.press("F")
        assert (t.cursor, t.side, t.focus_index) == (7, "tgt", 8) and "wrapped to the bottom" in message(app)
        # the table highlights every match, on both sides
        assert t.highlight is not None and t.highlight.sides == ("src", "tgt")

    run(db, scenario)


def test_a_bad_pattern_is_said_in_the_dialog_which_stays_open(db):
    async def scenario(app, pilot):
        await pilot.press("slash", *"cent(re")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchDialog)
        error = str(app.screen.query_one("#search-error").render())
        assert error == "not a regular expression: missing ), unterminated subpattern at position 4"
        await pilot.press("end", "backspace", "backspace", "enter")  # "cent(" is no better
        assert isinstance(app.screen, SearchDialog)
        await pilot.press("backspace", "backspace", "enter")  # "cen" is fine: the focused EN 1 has it
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and (table(app).cursor, table(app).focus_index) == (1, 1)
        await pilot.press("r", *"(x", "tab", *r"\1", "enter")  # a replacement that names a missing group
        await pilot.pause()
        assert isinstance(app.screen, SearchDialog)
        assert "not a regular expression" in str(app.screen.query_one("#search-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and edits(app.db_path) == []

    run(db, scenario, position=1)


def test_nothing_found_leaves_the_cursor_and_says_so(db):
    async def scenario(app, pilot):
        await search(pilot, "no such words")
        assert table(app).cursor == 2 and "no match in this pair" in message(app)

    run(db, scenario, position=2)


def test_notes_are_searched_and_found(db):
    with Store(db) as s:
        review.set_note(s, DAYCARE, 5, "KO 6 belongs to the English paragraph 5", reviewer="kim")
        review.set_pair_note(s, DAYCARE, "paragraph 5 split differs", reviewer="kim")

    async def scenario(app, pilot):
        t = table(app)
        await search(pilot, "paragraph", where_steps=3)  # EN -> KO -> both -> notes
        assert t.cursor == 5 and message(app) == "/paragraph/ in notes: 2 of 2, note of bead 6 (f/F)"
        await pilot.press("f")
        assert message(app) == "/paragraph/ in notes: 1 of 2, pair note (wrapped to the top) (f/F)"

    run(db, scenario, position=2)


def test_a_corpus_search_lists_hits_and_enter_opens_the_pair_at_the_bead(db):
    async def scenario(app, pilot):
        screen = app.screen
        await search(pilot, r"\bthe\b", corpus=True)
        await settle(app, pilot)
        results = app.screen
        assert isinstance(results, SearchResultsScreen)
        hits = results.found.hits
        assert {h.pair_id for h in hits} == {DAYCARE, RAIL, FESTIVAL}
        rail = next(n for n, h in enumerate(hits) if h.pair_id == RAIL and h.index == 3)
        listing = results.query_one(OptionList)
        assert listing.option_count == len(hits)
        prompt = str(listing.get_option_at_index(rail).prompt)
        assert prompt.startswith("pair 2 · bead 5 · EN 3") and RAIL_EN[0][:20] in prompt
        listing.highlighted = rail
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.pair_id == RAIL
        assert (table(app).cursor, table(app).side, table(app).focus_index) == (4, "src", 3)
        await pilot.press("f")  # f walks the hits of this pair now
        assert table(app).focus_index == 2 and "wrapped" in message(app)  # "The trip", the first

    run(db, scenario)


def test_escape_leaves_the_results_where_one_was(db):
    async def scenario(app, pilot):
        await search(pilot, "서울", where_steps=1, corpus=True)
        await settle(app, pilot)
        assert isinstance(app.screen, SearchResultsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and app.screen.pair_id == DAYCARE and table(app).cursor == 3

    run(db, scenario, position=3)


# -- replacing --------------------------------------------------------------------------------------


def test_replace_in_the_pair_previews_then_makes_one_edit_that_u_undoes(db):
    async def scenario(app, pilot):
        await search(pilot, r"(\d+) new", replacement=r"\1 more", key="r")
        preview = app.screen
        assert isinstance(preview, ReplacePreviewScreen)
        assert [(p, r.side, r.index) for p, r in preview.items] == [(DAYCARE, "src", 0), (DAYCARE, "src", 1)]
        first = str(preview.query_one(OptionList).get_option_at_index(0).prompt)
        assert "[x] EN 0" in first and "- Seoul to open 100 new public" in first and "+ Seoul to open 100 more" in first
        await pilot.press("space")  # leave EN 0 out
        assert "[ ] EN 0" in str(preview.query_one(OptionList).get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen)
        en = texts(app.db_path, "src")
        assert en[0] == DAYCARE_EN[0] and en[1] == DAYCARE_EN[1].replace("100 new", "100 more")
        assert edits(app.db_path) == [(DAYCARE, "tester", r"replace /(\d+) new/ -> \1 more", 0)]
        assert table(app).src[1] == en[1]  # the screen shows it
        await pilot.press("u")
        assert texts(app.db_path, "src") == DAYCARE_EN and edits(app.db_path)[0][3] == 1

    run(db, scenario)


def test_escape_in_the_preview_changes_nothing(db):
    async def scenario(app, pilot):
        await search(pilot, "서울", replacement="Seoul", where_steps=1, key="r")
        assert isinstance(app.screen, ReplacePreviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert texts(app.db_path, "tgt") == DAYCARE_KO and edits(app.db_path) == []
        assert message(app) == "replace cancelled; nothing changed"

    run(db, scenario)


def test_replace_across_the_corpus_is_one_edit_per_pair_each_undone_in_its_pair(db):
    async def scenario(app, pilot):
        await search(pilot, r"\bthe\b", replacement="THE", corpus=True, key="r")
        await settle(app, pilot)
        preview = app.screen
        assert isinstance(preview, ReplacePreviewScreen)
        assert {p for p, _ in preview.items} == {DAYCARE, RAIL, FESTIVAL}  # case-insensitive: "The" too
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PairScreen)
        logged = edits(app.db_path)
        assert [(p, who) for p, who, _, _ in logged] == [(DAYCARE, "tester"), (RAIL, "tester"), (FESTIVAL, "tester")]
        rail = texts(app.db_path, "src", RAIL)
        assert rail[2].startswith("THE trip") and "hope THE line" in rail[3]
        assert not any(re.search(r"\b(?!THE\b)[Tt][Hh][Ee]\b", t) for t in rail)
        assert "replaced in 3 pairs" in message(app)
        assert table(app).src[1] == texts(app.db_path, "src")[1] and "THE" in table(app).src[1]
        await pilot.press("u")  # this pair's replacement only
        assert texts(app.db_path, "src") == DAYCARE_EN and "THE" in texts(app.db_path, "src", RAIL)[3]
        await pilot.press("right_square_bracket")
        assert app.screen.pair_id == RAIL
        await pilot.press("u")
        assert texts(app.db_path, "src", RAIL) == RAIL_EN

    run(db, scenario)


# -- notes ----------------------------------------------------------------------------------------


def test_a_note_on_a_bead_is_written_shown_and_undone(db):
    async def scenario(app, pilot):
        t = table(app)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"check the district list", "enter")
        await pilot.pause()
        with Store(app.db_path) as s:
            assert s.beads(DAYCARE)[3].note == "check the district list"
        assert edits(app.db_path) == [(DAYCARE, "tester", "note 4", 0)]
        assert "✎" in {segment.text for segment in t._render_bead(3)[0]}
        bar = app.screen.query_one(NoteBar)
        assert bar.display and str(bar.render()) == "✎ bead 4: check the district list"
        await pilot.press("j")
        await pilot.pause()
        assert not bar.display  # bead 5 has no note and the pair none
        await pilot.press("k", "i")
        await pilot.pause()
        assert app.screen.query_one("#sentence-text").text == "check the district list"
        await pilot.press("ctrl+u", "enter")  # the cursor is at the end: delete it all; an empty note goes
        await pilot.pause()
        with Store(app.db_path) as s:
            assert s.beads(DAYCARE)[3].note is None
        await pilot.press("u")
        with Store(app.db_path) as s:
            assert s.beads(DAYCARE)[3].note == "check the district list"

    run(db, scenario, position=3)


def test_a_note_on_the_pair_shows_in_the_title_and_the_bar(db):
    async def scenario(app, pilot):
        await pilot.press("I")
        await pilot.pause()
        await pilot.press(*"English drops a line", "enter")
        await pilot.pause()
        with Store(app.db_path) as s:
            assert s.pair_note(DAYCARE) == "English drops a line"
        title = str(app.screen.query_one("#pair-title").render())
        assert title.startswith("Pair 1 ✎")
        assert "✎ pair: English drops a line" in str(app.screen.query_one(NoteBar).render())
        assert table(app).cursor == 2  # the reviewer stays where they were
        await pilot.press("u")
        assert not str(app.screen.query_one("#pair-title").render()).startswith("Pair 1 ✎")
        assert table(app).cursor == 2

    run(db, scenario, position=2)
