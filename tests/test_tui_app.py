"""The review app driven headless with Pilot: every key, checked in the database after it.

Each test builds a real corpus file (tests/review_data.py), presses keys as a reviewer
would and reads the result back through a second connection, the way a crash or another
process would see it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.widgets import Select, TextArea

from aligner import review
from aligner.errors import StoreError
from aligner.export.policy import STATUS_CHOICES, ExportPolicy
from aligner.store import Store
from tests.review_data import DAYCARE_EN, build_corpus
from tui.app import ReviewApp
from tui.screens.corpus import CorpusScreen
from tui.screens.dialogs import EditSentenceDialog, SplitSentenceDialog
from tui.screens.export import ExportDialog
from tui.screens.help import HelpScreen
from tui.screens.pair import PairScreen
from tui.widgets import BeadTable
from tui.widgets.pair_list import PairList

SIZE = (160, 45)
DAYCARE = 1


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus.db")


def beads(db: Path, pair: int = DAYCARE) -> list[tuple[int, int, int, int, str, str]]:
    """The pair's beads as another process sees them (a fresh connection)."""
    with Store(db) as s:
        return [(b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.status, b.origin) for b in s.beads(pair)]


def statuses(db: Path, pair: int = DAYCARE) -> list[str]:
    return [b[4] for b in beads(db, pair)]


def ok(db: Path) -> None:
    with Store(db) as s:
        assert s.integrity_problems() == []


def edits(db: Path) -> list[tuple[str, str]]:
    with Store(db) as s:
        return [(r[0], r[1]) for r in s.conn.execute("SELECT reviewer, action FROM edits ORDER BY id")]


Scenario = Callable[[ReviewApp, object], Awaitable[None]]


def drive(db: Path, scenario: Scenario, *, resume: bool = False, open_pair: bool = True) -> None:
    """Run the app headless, open the first pair, then run ``scenario(app, pilot)``."""

    async def main() -> None:
        app = ReviewApp(db, "tester", resume=resume)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if open_pair:
                await pilot.press("enter")
                await pilot.pause()
                assert isinstance(app.screen, PairScreen)
            await scenario(app, pilot)

    asyncio.run(main())


def table(app: ReviewApp) -> BeadTable:
    return app.screen.query_one(BeadTable)


def status(app: ReviewApp) -> str:
    return str(app.screen.query_one("#status").render())


# -- corpus screen -------------------------------------------------------------------------


def test_corpus_screen_lists_sorts_filters_and_searches(db):
    async def scenario(app, pilot):
        assert isinstance(app.screen, CorpusScreen)
        rows = app.screen.query_one(PairList)
        assert rows.row_count == 3
        first = [rows.pair_at(i).pair_id for i in range(3)]
        assert first == [1, 2, 3]
        await pilot.press("o")  # unreviewed first: rail (0 % done) before daycare, festival last
        assert [rows.pair_at(i).pair_id for i in range(3)] == [2, 1, 3]
        await pilot.press("o")  # lowest confidence first
        assert rows.pair_at(0).pair_id == 1
        await pilot.press("v")  # only pairs still to do
        assert rows.row_count == 2
        await pilot.press("v", "v")  # back to all
        await pilot.press("slash", *"강릉")
        assert rows.row_count == 1 and rows.pair_at(0).pair_id == 2
        await pilot.press("escape")
        assert rows.row_count == 3
        await pilot.press("slash", *"film")
        assert rows.row_count == 1
        await pilot.press("enter")  # one Enter in the search box opens the (first) match
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and app.screen.pair_id == 3

    drive(db, scenario, open_pair=False)


def test_opening_a_pair_starts_at_its_first_unreviewed_bead(db):
    async def scenario(app, pilot):
        assert app.screen.pair_id == DAYCARE
        assert table(app).cursor == 1  # bead 1 is already accepted
        text = app.screen.query_one("#pair-title").render()
        assert "서울시" in str(text)

    drive(db, scenario)


# -- review marks --------------------------------------------------------------------------


def test_accept_reject_clear_and_accept_above(db):
    async def scenario(app, pilot):
        await pilot.press("a")
        assert statuses(db)[1] == "accepted" and table(app).cursor == 2  # advanced
        await pilot.press("x")
        assert statuses(db)[2] == "rejected" and table(app).cursor == 3
        await pilot.press("space")
        assert statuses(db)[3] == "accepted"
        await pilot.press("k", "c")
        assert statuses(db)[3] == "unreviewed"
        await pilot.press("j", "j", "j", "A")  # cursor on bead 7: everything above it
        assert statuses(db) == [
            "accepted",
            "accepted",
            "rejected",
            "accepted",
            "accepted",
            "accepted",
            "unreviewed",
            "unreviewed",
        ]
        assert ("tester", "accept 2") in edits(db)

    drive(db, scenario)


def test_navigation_keys(db):
    async def scenario(app, pilot):
        t = table(app)
        await pilot.press("w")
        assert t.cursor == 3  # first low-confidence bead (0.42)
        await pilot.press("w")
        assert t.cursor == 5  # 0.35
        await pilot.press("W")
        assert t.cursor == 3
        await pilot.press("t")
        assert t.cursor == 5  # the 1-2 bead
        await pilot.press("g", "n")
        assert t.cursor == 1
        await pilot.press("G")
        assert t.cursor == 7
        await pilot.press("N")
        assert t.cursor == 6
        await pilot.press("home", "pagedown")
        assert t.cursor > 1
        await pilot.press("end", "pageup")
        assert t.cursor < 7

    drive(db, scenario)


# -- fixing links ----------------------------------------------------------------------------


def test_merge_split_and_undo_redo_from_the_keyboard(db):
    async def scenario(app, pilot):
        original = beads(db)
        await pilot.press("t")  # the 1-2 bead (position 5)
        await pilot.press("s")  # English has one sentence: splits the Korean side after its first
        # where the English sentence goes is a guess: both halves stay unreviewed
        assert beads(db)[5:7] == [(5, 6, 5, 6, "unreviewed", "auto"), (6, 6, 6, 7, "unreviewed", "auto")]
        await pilot.press("u")
        assert beads(db) == original
        await pilot.press("ctrl+r")
        assert beads(db)[6][:4] == (6, 6, 6, 7)
        await pilot.press("U")  # nothing left to redo: no change, no crash
        await pilot.press("k", "m")  # merge beads 5 and 6 back...
        assert beads(db)[4][:4] == (4, 6, 4, 6)
        await pilot.press("m")  # ... and with the 0-1 after them
        assert beads(db)[4][:4] == (4, 6, 4, 7)
        ok(db)
        await pilot.press("u", "u", "u")
        assert beads(db) == original

    drive(db, scenario)


def test_shift_up_and_down_on_the_focused_side(db):
    async def scenario(app, pilot):
        await pilot.press("t", "right")  # the 1-2 bead, Korean side
        assert table(app).side == "tgt"
        await pilot.press("greater_than_sign")  # its last Korean sentence moves down
        assert [b[:4] for b in beads(db)[5:7]] == [(5, 6, 5, 6), (6, 7, 6, 8)]
        await pilot.press("j", "shift+up")  # and back up from the next bead
        assert [b[:4] for b in beads(db)[5:7]] == [(5, 6, 5, 7), (6, 7, 7, 8)]
        await pilot.press("left", "less_than_sign")  # English first sentence up to bead 6
        assert [b[:4] for b in beads(db)[5:7]] == [(5, 7, 5, 7), (7, 7, 7, 8)]
        ok(db)

    drive(db, scenario)


def test_detach_the_focused_sentence(db):
    async def scenario(app, pilot):
        await pilot.press("t", "tab", "tab")  # focus: EN 5 -> KO 5 -> KO 6
        t = table(app)
        assert (t.side, t.focus_index) == ("tgt", 6)
        await pilot.press("d")
        assert beads(db)[5:7] == [(5, 6, 5, 6, "unreviewed", "auto"), (6, 6, 6, 7, "accepted", "manual")]
        assert t.cursor == 6  # on the new 0-1 bead
        ok(db)

    drive(db, scenario)


def test_edit_sentence_text_in_a_dialog(db):
    async def scenario(app, pilot):
        await pilot.press("e")
        assert isinstance(app.screen, EditSentenceDialog)
        await pilot.press("end", "backspace", "backspace", "backspace", "backspace", "backspace", *"2025.")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen)
        with Store(db) as s:
            text = s.sentences(s.pair(DAYCARE).src_doc)[1].text
        assert text == DAYCARE_EN[1][:-5] + "2025."
        await pilot.press("e", "escape")  # cancelling changes nothing
        await pilot.pause()
        assert len(edits(db)) == 1

    drive(db, scenario)


def test_split_a_sentence_in_a_dialog(db):
    async def scenario(app, pilot):
        await pilot.press("t", "j")  # bead 7: the long English sentence 6
        await pilot.press("S")
        assert isinstance(app.screen, SplitSentenceDialog)
        area = app.screen.query_one(TextArea)
        area.move_cursor((0, DAYCARE_EN[6].index("arguing")))
        await pilot.press("enter")
        await pilot.pause()
        with Store(db) as s:
            en = [x.text for x in s.sentences(s.pair(DAYCARE).src_doc)]
        assert en[7].startswith("arguing that") and len(en) == len(DAYCARE_EN) + 1
        assert beads(db)[6][:4] == (6, 8, 7, 8)
        assert table(app).beads[6].kind == "2-1"
        ok(db)

    drive(db, scenario)


def test_search_per_side(db):
    async def scenario(app, pilot):
        t = table(app)
        await pilot.press("slash", *"march", "enter")
        assert t.cursor == 7 and t.focus_index == 7
        await pilot.press("right", "slash", *"어린이집", "enter")  # Korean side: KO 8 itself matches
        assert t.side == "tgt" and (t.cursor, t.focus_index) == (7, 8)
        await pilot.press("f")  # past the last match: back to the top, and it says so
        assert (t.cursor, t.focus_index) == (0, 0)
        assert "wrapped to the top" in status(app)
        await pilot.press("f")
        assert (t.cursor, t.focus_index) == (1, 1)
        await pilot.press("F", "F")
        assert (t.cursor, t.focus_index) == (7, 8)
        assert "wrapped to the bottom" in status(app)
        await pilot.press("slash", *"no such words", "enter")
        assert t.focus_index == 8
        await pilot.press("slash", *"3월", "enter", "f")  # one match: the focused sentence
        assert (t.cursor, t.focus_index) == (7, 8) and "the only match" in status(app)

    drive(db, scenario)


def test_realign_from_the_cursor_in_a_worker(db):
    async def scenario(app, pilot):
        await pilot.press("a", "a")  # beads 2, 3 accepted
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(action.startswith("realign from 4") for _, action in edits(db))
        assert statuses(db)[:3] == ["accepted", "accepted", "accepted"]
        ok(db)
        assert len(table(app).beads) == len(beads(db))

    drive(db, scenario)


def test_export_from_the_app(db, tmp_path):
    out = tmp_path / "out" / "corpus.tsv"

    async def scenario(app, pilot):
        await pilot.press("E")
        assert isinstance(app.screen, ExportDialog)
        dialog = app.screen
        dialog.query_one("#format").value = "tsv"
        await pilot.pause()
        dialog.query_one("#path").value = str(out)
        dialog.query_one("#status").value = "accepted"
        dialog.query_one("#only-pair").value = True
        await pilot.click("#export")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert out.exists()
        lines = out.read_text(encoding="utf-8").strip().splitlines()
        assert len(lines) == 2  # header + the one accepted bead of this pair
        assert "서울시" in lines[1]

    drive(db, scenario)


def test_export_dialog_starts_at_the_export_policy_defaults(db, tmp_path):
    """The dialog's fields start where `aligner export` does (one ExportPolicy), says so, and
    its default export leaves out the rejected bead and the 0-1 bead."""
    out = tmp_path / "default.tsv"

    async def scenario(app, pilot):
        await pilot.press("E")
        dialog = app.screen
        default = ExportPolicy()
        assert dialog.query_one("#status").value == default.status.value == "not-rejected"
        assert float(dialog.query_one("#min-confidence").value) == default.min_confidence == 0.0
        assert dialog.query_one("#keep-empty").value is default.keep_empty is False
        assert [value for _, value in dialog.query_one("#status")._options if value != Select.BLANK] == list(
            STATUS_CHOICES
        )
        shown = str(dialog.query_one("#export-policy").render())
        assert default.describe() in shown and "1.0" in shown
        request = dialog.request()
        assert request.policy == default
        dialog.query_one("#format").value = "tsv"
        await pilot.pause()
        dialog.query_one("#path").value = str(out)
        await pilot.click("#export")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = out.read_text(encoding="utf-8")
        assert "Critics say" not in text  # rejected below, before the app opened
        assert "코레일은 하루 52차례" not in text  # the rail pair's 0-1 bead

    with Store(db) as store, store.transaction() as c:
        c.execute("UPDATE beads SET status='rejected' WHERE pair_id=1 AND position=6")
    drive(db, scenario)


def test_export_dialog_refuses_a_bad_confidence(db):
    async def scenario(app, pilot):
        await pilot.press("E")
        app.screen.query_one("#min-confidence").value = "2"
        await pilot.click("#export")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert "must be a number from 0 to 1" in str(app.screen.query_one("#export-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen)

    drive(db, scenario)


def test_help_lists_every_key_and_closes(db):
    async def scenario(app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = {b.action for _, group in app.screen.sections for b in group}
        pair_actions = {b.action for b in PairScreen.BINDINGS}
        assert pair_actions <= described
        await pilot.press("escape")
        assert isinstance(app.screen, PairScreen)

    drive(db, scenario)


# -- counts, leaving and coming back ---------------------------------------------------------------


def test_status_line_counts_pair_and_corpus(db):
    async def scenario(app, pilot):
        await pilot.press("a", "x")
        text = str(app.screen.query_one("#status").render())
        assert "Pair ✓ 2 accepted  ✗ 1 rejected  · 5 unreviewed" in text
        assert "Corpus ✓ 5 accepted  ✗ 1 rejected  · 10 unreviewed" in text
        await pilot.press("q")
        await pilot.pause()
        rows = app.screen.query_one(PairList)
        assert isinstance(app.screen, CorpusScreen)
        assert rows.pair_at(0).reviewed_share == 3 / 8 and " 38% " in rows.row_text(0)

    drive(db, scenario)


def test_reopening_returns_to_the_same_pair_and_bead(db):
    async def first(app, pilot):
        await pilot.press("j", "j", "j")
        await pilot.press("ctrl+q")

    drive(db, first)

    async def second(app, pilot):
        assert isinstance(app.screen, PairScreen)
        assert app.screen.pair_id == DAYCARE and table(app).cursor == 4

    drive(db, second, resume=True, open_pair=False)


def test_an_empty_corpus_says_what_to_do(tmp_path):
    Store(tmp_path / "empty.db").close()

    async def scenario(app, pilot):
        assert "no article pairs" in str(app.screen.query_one("#empty-note").render())
        await pilot.press("enter")  # nothing to open; no crash
        assert isinstance(app.screen, CorpusScreen)

    drive(tmp_path / "empty.db", scenario, open_pair=False)


def test_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    with pytest.raises(StoreError, match="no such corpus database"):
        ReviewApp(tmp_path / "nope.db", "tester")
    assert not (tmp_path / "nope.db").exists()


def test_a_pair_changed_by_another_program_is_reloaded_before_an_edit(db):
    async def scenario(app, pilot):
        with Store(db) as other:  # e.g. another reviewer, or a batch run
            with other.transaction() as c:
                c.execute("UPDATE beads SET status='rejected' WHERE pair_id=1 AND position=1")
        # the key arrives before the app's next look at data_version (four times a second;
        # tests/test_tui_together.py covers that look): the edit itself must notice
        app.data_version = app.store.data_version()
        await pilot.press("a")  # meant for the bead as it was drawn: not applied
        assert statuses(db)[1] == "rejected" and edits(db) == []
        assert table(app).beads[1].status == "rejected"  # the new version is shown
        await pilot.press("a")
        assert statuses(db)[1] == "accepted"

    drive(db, scenario)


# -- what the audit found ------------------------------------------------------------------------


def notices(app: ReviewApp) -> str:
    return " ".join(n.message for n in app._notifications)


def test_split_cuts_after_the_focused_sentence_and_refuses_after_the_last(db):
    async def scenario(app, pilot):
        original = beads(db)
        await pilot.press("t", "right", "tab")  # the 1-2 bead, focus on its last Korean sentence
        assert (table(app).side, table(app).focus_index) == ("tgt", 6)
        await pilot.press("s")
        assert beads(db) == original and edits(db) == []
        assert "after the focused sentence" in notices(app)
        await pilot.press("shift+tab", "s")  # KO 5: the cut falls after it
        assert [b[:4] for b in beads(db)[5:7]] == [(5, 6, 5, 6), (6, 6, 6, 7)]
        ok(db)

    drive(db, scenario)


def test_splitting_a_1_3_bead_keeps_the_lone_sentence_first_and_n_stops_on_both_halves(db):
    async def scenario(app, pilot):
        t = table(app)
        await pilot.press("t", "j", "right", "less_than_sign")  # KO 7 up: bead 6 becomes 1-3
        assert beads(db)[5][:4] == (5, 6, 5, 8)
        await pilot.press("k", "s")  # split after KO 5
        assert beads(db)[5:7] == [(5, 6, 5, 6, "unreviewed", "auto"), (6, 6, 6, 8, "unreviewed", "auto")]
        await pilot.press("k", "n")
        assert t.cursor == 5
        await pilot.press("n")
        assert t.cursor == 6
        ok(db)

    drive(db, scenario)


def test_fixing_a_typo_keeps_the_low_confidence_mark(db):
    async def scenario(app, pilot):
        t = table(app)
        await pilot.press("w")  # bead 4, confidence 0.42
        assert t.cursor == 3
        await pilot.press("e", "end", "backspace", *"!", "enter")
        await pilot.pause()
        with Store(db) as s:
            bead = s.beads(DAYCARE)[3]
        assert (bead.confidence, bead.origin, bead.status) == (0.42, "auto", "unreviewed")
        assert ".42!" in t._render_bead(3)[0].text and " man" not in t._render_bead(3)[0].text
        await pilot.press("g", "w")
        assert t.cursor == 3

    drive(db, scenario)


@pytest.fixture
def gate(monkeypatch) -> threading.Event:
    """Re-aligns wait for the returned event (and use the quick length aligner)."""
    from aligner.align import default_aligner

    opened = threading.Event()
    real = review.realign_from

    def held(store, pair_id, position, *, reviewer, progress=None, cancelled=None, aligner=None):
        progress("encoding sentences", 3, 10)
        while not opened.wait(0.02):
            if cancelled():
                raise review.Cancelled("re-align cancelled; nothing changed", pair_id)
        return real(
            store,
            pair_id,
            position,
            reviewer=reviewer,
            progress=progress,
            cancelled=cancelled,
            aligner=default_aligner("en", "ko", "length"),
        )

    monkeypatch.setattr(review, "realign_from", held)
    return opened


def test_realign_runs_in_the_background_shows_progress_and_holds_edits(db, gate):
    async def scenario(app, pilot):
        await pilot.press("R")
        await pilot.pause(0.3)
        assert "re-aligning from bead 2: encoding sentences 3/10" in status(app)
        await pilot.press("a", "m", "u")  # held back, not lost in a failed re-align
        assert statuses(db)[1] == "unreviewed" and edits(db) == []
        assert "edits wait until it is done" in notices(app)
        await pilot.press("q")  # the pair cannot be left while its re-align runs
        assert isinstance(app.screen, PairScreen)
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [a for _, a in edits(db)] == ["realign from 2 (length)"]
        assert "re-aligning" not in status(app)
        await pilot.press("a")
        assert edits(db)[-1][1].startswith("accept")
        ok(db)

    drive(db, scenario)


def test_escape_cancels_a_realign_and_frees_the_keys_at_once(db, gate):
    async def scenario(app, pilot):
        await pilot.press("R")
        await pilot.pause(0.1)
        await pilot.press("escape")
        assert isinstance(app.screen, PairScreen)  # Esc stopped the job; it did not leave the pair
        assert "cancelled; nothing changed" in status(app)
        await pilot.press("a")
        assert statuses(db)[1] == "accepted"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [a for _, a in edits(db)] == ["accept 2"]  # the re-align wrote nothing
        await pilot.press("escape")  # nothing running: Esc goes back
        assert isinstance(app.screen, CorpusScreen)

    drive(db, scenario)


def test_messages_say_when_nothing_changed_and_which_of_undo_or_redo(db):
    async def scenario(app, pilot):
        await pilot.press("g", "A")
        assert "accept-above 1: nothing changed (no unreviewed bead above it)" in status(app)
        await pilot.press("u")
        assert "nothing to undo in this pair" in status(app)
        await pilot.press("ctrl+r")
        assert "nothing to redo in this pair" in status(app)
        assert edits(db) == []

    drive(db, scenario)


def test_quitting_from_the_list_reopens_on_the_list(db):
    async def first(app, pilot):
        await pilot.press("j", "j", "q")
        await pilot.pause()
        assert isinstance(app.screen, CorpusScreen)
        await pilot.press("ctrl+q")

    drive(db, first)

    async def second(app, pilot):
        assert isinstance(app.screen, CorpusScreen)
        await pilot.press("enter")  # the list's cursor is on that pair, and it opens at the same bead
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and app.screen.pair_id == DAYCARE
        assert table(app).cursor == 3

    drive(db, second, resume=True, open_pair=False)


def test_export_checkboxes_show_a_mark_not_only_a_colour(db):
    async def scenario(app, pilot):
        await pilot.press("E")
        box = app.screen.query_one("#keep-empty")
        assert "✓" not in box.render().plain
        box.value = True
        await pilot.pause()
        assert "✓" in box.render().plain

    drive(db, scenario)


def keys_on_screen(app: ReviewApp) -> set[str]:
    """Actions whose footer key is fully inside the terminal's width."""
    from textual.widgets._footer import FooterKey

    from tui.widgets.key_footer import KeyFooter

    shown = {k.action for k in app.screen.query(FooterKey) if k.region.width and k.region.right <= app.size.width}
    for footer in app.screen.query(KeyFooter):  # the corpus screen's one-line footer
        footer.render()
        keys = {b.key.split(",")[0]: b.action for _, b, _, _ in app.screen.active_bindings.values()}
        shown |= {keys[key] for _, end, key in footer.spans if end <= app.size.width}
    return shown


def test_help_and_back_show_in_the_footer_at_80_columns(db):
    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert {"help", "quit"} <= keys_on_screen(app)
            pairs = app.screen.query_one(PairList)
            assert "in progress" in pairs.row_text(0)  # the last column but Who shows whole
            assert len(pairs.row_text(0)) <= pairs.size.width <= 80
            await pilot.press("enter")
            await pilot.pause()
            assert {"help", "back", "accept"} <= keys_on_screen(app)

    asyncio.run(main())


def test_a_crash_ends_with_a_non_zero_exit_status(tmp_path):
    """Textual prints the traceback of a crash but returns normally: the status must say so."""
    from tui.app import exit_status

    app = ReviewApp(build_corpus(tmp_path / "corpus.db"), "crash")
    app.store.conn.close()  # every query now raises: the corpus list cannot load
    assert exit_status(app, headless=True) == 1


def test_the_sentence_editor_stops_at_its_limit():
    """Typing or pasting past the cap is refused, so a flood of keystrokes costs each key
    the same (the text area re-renders a whole line per key: unbounded, it was quadratic)."""
    from textual import events
    from textual.app import App

    from tui.screens.dialogs import EditSentenceDialog, SentenceArea

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(EditSentenceDialog("fix", "abc"))

    async def scenario() -> None:
        app = Host()
        async with app.run_test() as pilot:
            area = app.screen.query_one(SentenceArea)
            area.max_length = 10
            await pilot.press(*"defghijklmn")  # 11 keys, room for 7
            assert area.text == "abcdefghij"
            area.move_cursor((0, 3))
            area.post_message(events.Paste("XYZ"))  # no room at all: nothing of it lands
            await pilot.pause()
            assert area.text == "abcdefghij"
            area.select_all()  # a selection is replaced, so it makes room
            area.post_message(events.Paste("0123456789ABC"))
            await pilot.pause()
            assert area.text == "0123456789"
            await pilot.press("enter")
            await pilot.pause()
        assert app.return_code in (None, 0)

    asyncio.run(scenario())
