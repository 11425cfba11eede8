"""The pair screen's navigation, driven headless with Pilot on a real corpus file: the next
pair to do, a bead by number, runs of non-1:1 beads, the scroll-off that keeps the cursor's
bead away from the edges, bead boundaries that show (also in 16 colours), a status line
that fits 80 columns, and the alignment map.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.style import Style

from aligner import review
from aligner.store import BeadRow, Store
from tests.review_data import add_big_pair, build_corpus
from tui.app import ReviewApp
from tui.screens.dialogs import GotoDialog
from tui.screens.pair import PairScreen
from tui.widgets import AlignmentMap, BeadTable, StatusLine
from tui.widgets.alignment_map import HEAD, LEGEND, map_grid, rank
from tui.widgets.bead_table import SCROLL_OFF, palette_16_for

DAYCARE, RAIL, FESTIVAL = 1, 2, 3


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus.db")


@pytest.fixture
def big(tmp_path: Path) -> tuple[Path, int]:
    """The three small pairs and a 300-bead pair (id 4), a few of its beads reviewed."""
    path = build_corpus(tmp_path / "corpus.db")
    with Store(path) as store:
        pair = add_big_pair(store, 300)
        review.accept(store, pair, range(0, 40), reviewer="kim")
        review.reject(store, pair, [45, 46], reviewer="kim")
    return path, pair


def run(db: Path, scenario, *, size=(160, 45), pair: int | None = DAYCARE, position: int | None = None) -> None:
    """Open ``pair`` (at ``position``) in the app, headless, and run ``scenario(app, pilot)``."""

    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            if pair is not None:
                app.push_screen(PairScreen(pair, position))
                await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


def table(app: ReviewApp) -> BeadTable:
    return app.screen.query_one(BeadTable)


def status_lines(app: ReviewApp) -> list[str]:
    return str(app.screen.query_one(StatusLine).render()).split("\n")


# -- between pairs, to a bead ------------------------------------------------------------------------


def test_next_and_previous_pair_to_do_from_the_pair_screen(db):
    async def scenario(app, pilot):
        screen = app.screen
        await pilot.press("right_square_bracket")
        assert screen.pair_id == RAIL and app.screen is screen  # the same screen, another pair
        assert table(app).cursor == 0 and len(table(app).beads) == 5  # at its first unreviewed bead
        assert "pair 2: 5 beads to do" in status_lines(app)[1]
        await pilot.press("right_square_bracket")
        assert screen.pair_id == DAYCARE  # the festival pair is done: wrapped round to the first
        await pilot.press("left_square_bracket")
        assert screen.pair_id == RAIL
        with Store(app.db_path) as other:
            assert other.last_place("tester") == (RAIL, 0)  # reopening the app returns here
        await pilot.press(*["a"] * 5)
        await pilot.press("right_square_bracket")
        assert screen.pair_id == DAYCARE
        await pilot.press("right_square_bracket")
        assert screen.pair_id == DAYCARE and "no other pair has beads to do" in status_lines(app)[1]

    run(db, scenario)


def test_jump_to_a_bead_by_number(db):
    async def scenario(app, pilot):
        await pilot.press("colon")
        assert isinstance(app.screen, GotoDialog)
        await pilot.press("9", "enter")  # the pair has 8 beads: refused, the dialog stays
        assert isinstance(app.screen, GotoDialog)
        assert "from 1 to 8" in str(app.screen.query_one("#goto-error").render())
        await pilot.press("backspace", "6", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and table(app).cursor == 5
        await pilot.press("colon", "2", "escape")
        await pilot.pause()
        assert table(app).cursor == 5

    run(db, scenario)


def test_braces_jump_from_run_to_run_of_non_1_1_beads(big):
    path, pair = big

    async def scenario(app, pilot):
        t = table(app)
        kinds = [b.kind for b in t.beads]
        await pilot.press("right_curly_bracket")
        assert t.cursor == kinds.index("0-1") == 3
        await pilot.press("right_curly_bracket")
        assert t.cursor == 7 and kinds[7] == "2-1"
        await pilot.press("left_curly_bracket")
        assert t.cursor == 3

    run(path, scenario, pair=pair, position=0)


# -- the cursor's bead stays away from the edges -----------------------------------------------------


def assert_room_around_cursor(t: BeadTable) -> None:
    top = t._starts[t.cursor] - int(t.scroll_offset.y)
    bottom = top + t._heights[t.cursor]
    view = t.size.height
    room = min(SCROLL_OFF, max(view - t._heights[t.cursor], 0) // 2)
    assert top >= room and view - bottom >= min(
        room, t._starts[-1] - t._starts[t.cursor + 1] if t.cursor + 1 < len(t._starts) - 1 else 0
    ), (top, bottom, view)


def test_w_n_and_moves_keep_rows_of_context_around_the_cursor_at_80x24(big):
    path, pair = big

    async def scenario(app, pilot):
        t = table(app)
        for key in ["w"] * 6 + ["n"] * 3 + ["j"] * 8 + ["k"] * 12 + ["pagedown"] * 3 + ["W"] * 3:
            await pilot.press(key)
            assert_room_around_cursor(t)
        await pilot.press("end")
        assert t.cursor == 299 and t.scroll_offset.y == t.max_scroll_y  # no room to leave below the last

    run(path, scenario, size=(80, 24), pair=pair, position=0)


def test_the_small_pair_at_80x24_shows_the_bead_after_a_weak_one(db):
    """The issue's case: at 80x24, w left the focused bead on the last line."""

    async def scenario(app, pilot):
        t = table(app)
        for _ in range(4):
            await pilot.press("w")
            assert_room_around_cursor(t)

    run(db, scenario, size=(80, 24), position=0)


# -- bead boundaries ---------------------------------------------------------------------------------


def row_background(t: BeadTable, position: int, system: ColorSystem) -> int | tuple[int, int, int]:
    """The background of a bead's rows as a terminal of ``system`` colours shows it."""
    style: Style = next(iter(t._render_bead(position)[0])).style or Style()
    color = style.bgcolor
    assert color is not None
    if system == ColorSystem.TRUECOLOR:
        return tuple(color.get_truecolor())
    down = color.downgrade(system)
    return down.number if down.number is not None else tuple(down.get_truecolor())


def check_boundaries(t: BeadTable, system: ColorSystem) -> None:
    """Every bead's rows differ in background from the bead before it; the cursor's from both neighbours."""
    backgrounds = [row_background(t, i, system) for i in range(len(t.beads))]
    for i in range(1, len(backgrounds)):
        assert backgrounds[i] != backgrounds[i - 1], (system, i, [b.status for b in t.beads[i - 1 : i + 1]])


def test_beads_alternate_backgrounds_in_every_status(db):
    async def scenario(app, pilot):
        await pilot.press("a", "x", "a", "a", "x", "x")  # accepted and rejected beads side by side
        t = table(app)
        for cursor in (0, 3, 7):
            t.move_to(cursor)
            for system in (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT):
                check_boundaries(t, system)

    run(db, scenario, position=0)


def test_the_16_colour_palette_is_for_terminals_of_16_colours_or_none():
    assert palette_16_for("standard") and palette_16_for(None) and palette_16_for("windows")
    assert not palette_16_for("256") and not palette_16_for("truecolor")
    assert not palette_16_for("standard", headless=True)  # tests and snapshots: the theme's colours


def test_in_16_colours_stripes_cursor_and_text_stay_apart(db):
    async def scenario(app, pilot):
        t = table(app)
        assert not t.palette_16  # headless
        t.use_palette_16(True)
        await pilot.press("a", "x", "a", "x", "x")
        for cursor in (0, 4, 7):
            t.move_to(cursor)
            check_boundaries(t, ColorSystem.STANDARD)
            for i in range(len(t.beads)):  # readable: no text in the colour of its background
                for strip in t._render_bead(i):
                    for segment in strip:
                        style = segment.style or Style()
                        if segment.text.strip() and style.color is not None and style.bgcolor is not None:
                            fg = style.color.downgrade(ColorSystem.STANDARD).number
                            bg = style.bgcolor.downgrade(ColorSystem.STANDARD).number
                            assert fg != bg, (i, segment.text, fg, bg)
        marks = [{segment.text for segment in t._render_bead(i)[0]} for i in (0, 1)]
        assert "✓" in marks[0] and "✗" in marks[1]  # the status shows in the mark, not the background

    run(db, scenario, position=0)


# -- the status line at 80 columns ---------------------------------------------------------------------


def test_progress_is_labelled_and_hints_are_not_cut_at_80_columns(db):
    async def scenario(app, pilot):
        first, _ = status_lines(app)
        assert first == "Pair ✓ 1 ✗ 0 · 7 to do, 12% done  │  Corpus ✓ 4 ✗ 0 · 12 to do, 25% done"
        await pilot.press("t", "s")  # split the 1-2 bead: the longest hint there is
        message = app.screen.message
        assert message == "split 6 at ko 6 · unreviewed: check it, a accepts  (u: undo)"
        second = status_lines(app)[1]
        assert second == f"bead 6/9 KO 5  │  {message}"  # the place shortened, the hint whole
        await pilot.press("j")
        assert status_lines(app)[1] == f"bead 7/9 KO 6  │  {message}"
        app.screen.say("a message too long for any place: " + "x" * 60)
        assert status_lines(app)[1] == "a message too long for any place: " + "x" * 60  # the place gives way


def test_a_wide_terminal_spells_the_counts_out(db):
    async def scenario(app, pilot):
        assert status_lines(app)[0].startswith("Pair ✓ 1 accepted  ✗ 0 rejected  · 7 unreviewed (12% done)")

    run(db, scenario, size=(160, 30))


# -- the alignment map -----------------------------------------------------------------------------------


def bead(position, s0, s1, t0, t1, status="unreviewed", confidence=0.9) -> BeadRow:
    return BeadRow(position, 1, position, s0, s1, t0, t1, 0.0, confidence, "auto", status)


def test_map_grid_draws_the_path_blocks_skips_and_the_most_urgent_bead():
    beads = [
        bead(0, 0, 1, 0, 1, "accepted"),
        bead(1, 1, 2, 1, 1),
        bead(2, 2, 2, 1, 2),
        bead(3, 2, 5, 2, 4),
        bead(4, 5, 6, 4, 5, confidence=0.2),
        bead(5, 6, 7, 5, 6, "rejected"),
    ]
    grid = map_grid(beads, 7, 6, max_rows=20, max_cols=20)
    assert (grid.rows, grid.cols, grid.per_row, grid.per_col) == (7, 6, 1, 1)
    drawn = {(r, c): p for r, line in enumerate(grid.cells) for c, p in enumerate(line) if p >= 0}
    assert drawn[(0, 0)] == 0 and drawn[(1, 1)] == 1  # a 1-0 bead: a step down, where the next target sits
    assert drawn[(2, 1)] == 2  # a 0-1 bead: a step across
    assert {cell for cell, p in drawn.items() if p == 3} == {(r, c) for r in (2, 3, 4) for c in (2, 3)}  # a block
    assert [rank(b) for b in beads] == [1, 2, 2, 2, 3, 4]
    scaled = map_grid(beads, 7, 6, max_rows=3, max_cols=2)
    assert (scaled.rows, scaled.cols, scaled.per_row, scaled.per_col) == (3, 2, 3, 3)
    assert scaled.cells[2][1] == 5 and scaled.cells[1][1] == 4  # the rejected and the weak bead win their cells
    assert (0, 0) in scaled.diagonal and (2, 1) in scaled.diagonal


def test_the_map_of_a_300_sentence_pair_fits_80x24_and_a_click_jumps(big):
    path, pair = big

    async def scenario(app, pilot):
        screen = app.screen
        await pilot.press("v")
        await pilot.pause()
        alignment = screen.query_one(AlignmentMap)
        assert alignment.display and alignment.size.width >= 20
        grid = alignment.grid
        assert grid.rows + HEAD + len(LEGEND) <= alignment.size.height and grid.cols <= alignment.size.width
        assert grid.per_row > 1 and grid.per_col > 1  # scaled: several sentences a cell
        assert grid.rows >= 12 and grid.cols >= 18  # and still a picture, not a dot
        lines = [str(alignment.render_line(y).text) for y in range(alignment.size.height)]
        assert lines[0].startswith("EN ↓ 300  KO → 300") and "sentences/cell" in lines[1]
        assert "✗" in "".join(lines) and "█" in "".join(lines) and "!" in "".join(lines)
        # the cursor's cells are drawn reversed
        r0, r1, c0, c1 = grid.span(table(app).beads[table(app).cursor])
        segment = list(alignment.render_line(HEAD + r0))[c0]
        assert segment.style is not None and segment.style.reverse
        # a click on a cell far down the path jumps there
        r = grid.rows - 2
        c = next(c for c, p in enumerate(grid.cells[r]) if p >= 0)
        await pilot.click(AlignmentMap, offset=(c, HEAD + r))
        target = grid.cells[r][c]
        assert table(app).cursor == target and target > 200
        r0, _, _, _ = grid.span(table(app).beads[target])
        assert r0 == r
        await pilot.press("v")
        assert not alignment.display

    run(path, scenario, size=(80, 24), pair=pair, position=0)


def test_the_map_follows_edits_and_the_cursor(db):
    async def scenario(app, pilot):
        await pilot.press("v")
        await pilot.pause()
        alignment = app.screen.query_one(AlignmentMap)
        assert alignment.grid.per_row == alignment.grid.per_col == 1
        assert alignment.grid.cells[3][3] == 3 and rank(table(app).beads[3]) == 3  # a weak bead
        await pilot.press("x")  # reject bead 2 (position 1)
        await pilot.pause()
        assert rank(alignment.beads[1]) == 4 and alignment.cursor == table(app).cursor == 2
        await pilot.press("j")
        assert alignment.cursor == 3

    run(db, scenario, size=(120, 35))


NEW_KEYS = {
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "colon": ":",
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "slash": "/",
    "r": "r",
    "f": "f",
    "F": "F",
    "i": "i",
    "I": "I",
    "v": "v",
}


def test_every_new_key_is_in_the_help_and_the_readme_keys_table():
    from tui.screens.pair import HELP_SECTIONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    reviewing = readme[readme.index("## Reviewing") :]
    table = "\n".join(line for line in reviewing.splitlines() if line.startswith("| `"))
    in_help = {key.strip() for _, group in HELP_SECTIONS for b in group for key in b.key.split(",")}
    for key, shown in NEW_KEYS.items():
        assert key in in_help, key
        assert f"`{shown}`" in table, shown
