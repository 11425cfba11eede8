"""Hostile text on the pair screen and every screen it opens (issue: nothing reaches the
terminal raw): titles, sentences, notes and search patterns holding escape sequences (OSC
window titles and clipboard writes, CSI screen clears, one-byte C1 CSI, BEL), bidi
overrides and markup brackets. Each screen must open without a markup error and draw
none of those bytes: the app's screenshot (every segment it would send) is checked.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.screen import Screen

import tui.app
from aligner.store import Store
from tests.review_data import DAYCARE_EN, build_corpus
from tui.app import ReviewApp
from tui.screens.dialogs import EditSentenceDialog, GotoDialog, NoteDialog, SplitSentenceDialog
from tui.screens.help import HelpScreen
from tui.screens.pair import PairScreen
from tui.screens.search import ReplacePreviewScreen, SearchResultsScreen
from tui.widgets import AlignmentMap, NoteBar

DAYCARE = 1
ATTACK = "\x1b]0;renamed\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[H\x9b31m\x9d8;;x\x9c\u202eevil\u202c\u2066[/x][bold]b[/]"
ATTACKS = [
    "\x1b]0;renamed\x07",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b[2J\x1b[H",
    "\x1b[31m",
    "\x9b2J",
    "\x9d0;t\x9c",
    "\x07",
    "\u202eevil\u202c",
    "\u2067x\u2069",
    "[/x]",
    "[bold red]loud[/]",
    "[link=file:///etc/passwd]x[/link]",
    "[",
]
HOSTILE = st.lists(st.sampled_from(ATTACKS) | st.text(max_size=6), min_size=1, max_size=4).map("".join)
BAD = (
    ["\x1b", "\x07"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def poison(db: Path, text: str) -> None:
    """Every title, every other sentence, a bead's note and the pairs' notes hold ``text``."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET title = title || ?", (text,))
        conn.execute("UPDATE sentences SET text = ? || ' evil ' || text WHERE idx % 2 = 0", (text,))
        conn.execute("UPDATE beads SET note = ? || ' note' WHERE position IN (1, 3)", (text,))
        conn.execute("UPDATE pairs SET note = 'pair ' || ?", (text,))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = build_corpus(tmp_path / "corpus.db")
    poison(path, ATTACK)
    return path


def assert_clean(app: ReviewApp, where: str) -> None:
    shot = app.export_screenshot()
    found = sorted({f"U+{ord(c):04X}" for c in shot if c in BAD})
    assert not found, f"{where}: {found}"


def run(db: Path, scenario, size=(120, 35), position: int | None = 0) -> None:
    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.push_screen(PairScreen(DAYCARE, position))
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


def test_the_pair_screen_its_map_and_its_notes_draw_hostile_text_as_text(db):
    async def scenario(app, pilot):
        screen = app.screen
        title = str(screen.query_one("#pair-title").render())
        assert "[/x][bold]b[/]" in title and "␛]0;renamed␇" in title  # drawn as written, not obeyed
        assert_clean(app, "pair screen")
        await pilot.press("j")  # bead 2: a hostile note
        bar = str(screen.query_one(NoteBar).render())
        assert "✎ bead 2: ␛]0;renamed␇" in bar and "[/x]" in bar
        assert_clean(app, "note bar")
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one(AlignmentMap).display
        for key in ("G", "g", "w", "t"):
            await pilot.press(key)
            assert_clean(app, f"pair screen after {key}")
        screen.tell(f"a notification naming {DAYCARE_EN[0]}{ATTACK}", timeout=30)
        screen.say(f"a message naming {ATTACK}")
        await pilot.pause()
        assert_clean(app, "notification and status line")

    run(db, scenario)


def test_the_dialogs_show_hostile_text_and_give_the_stored_text_back(db):
    async def scenario(app, pilot):
        stored = app.screen.table.src[0]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditSentenceDialog)
        assert app.screen.query_one("#sentence-text").text.startswith("␛]0;renamed␇")
        assert_clean(app, "edit dialog")
        await pilot.press("enter")  # left as shown: nothing changes (the control characters are not typed in)
        await pilot.pause()
        assert app.screen.table.src[0] == stored and "nothing changed" in app.screen.message
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, SplitSentenceDialog)
        assert_clean(app, "split dialog")
        cut = app.screen.shown.index(" evil ") + 1
        app.screen.query_one("#sentence-text").move_cursor((0, cut))
        await pilot.press("enter")
        await pilot.pause()
        with Store(app.db_path) as s:
            src = [x.text for x in s.sentences(s.pair(DAYCARE).src_doc)]
        assert src[0] == ATTACK and src[1] == "evil " + DAYCARE_EN[0]  # cut where it was shown, in the stored text
        for key, dialog in (("i", NoteDialog), ("I", NoteDialog), ("colon", GotoDialog), ("question_mark", HelpScreen)):
            await pilot.press("j", key)
            await pilot.pause()
            assert isinstance(app.screen, dialog)
            assert_clean(app, f"{dialog.__name__} ({key})")
            await pilot.press("escape")
            await pilot.pause()

    run(db, scenario)


def test_search_results_and_a_replacement_preview_draw_hostile_text_as_text(db):
    async def scenario(app, pilot):
        # a pattern with markup brackets (a character class) across the corpus
        await pilot.press("slash", *"[/x]|evil", "tab", "right", "right", "tab", "right", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SearchResultsScreen) and app.screen.found.total > 3
        assert_clean(app, "search results")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and "[/x]|evil" in app.screen.message
        assert_clean(app, "pair screen after a hit")
        # the dialog keeps the last choices (both sides, the whole corpus)
        await pilot.press("r", *"evil", "tab", *"[/good]", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReplacePreviewScreen)
        assert_clean(app, "replace preview")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PairScreen) and "[/good]" in app.screen.table.src[0]
        assert_clean(app, "pair screen after a corpus replacement")

    run(db, scenario)


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("hostile") / "corpus.db")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_any_text_in_the_database_reaches_the_pair_screen_as_text(clean_db, tmp_path, text):
    db = tmp_path / f"c{abs(hash(text))}.db"
    shutil.copy(clean_db, db)
    poison(db, text)

    async def scenario(app, pilot):
        assert_clean(app, "pair screen")
        await pilot.press("j", "v", "i")
        await pilot.pause()
        assert_clean(app, "note dialog over the map")

    run(db, scenario, size=(80, 24))


class PairOnly(ReviewApp):
    """The review app without its list of pairs (another screen's own rules): the pair screen alone."""

    CSS_PATH = str(Path(tui.app.__file__).parent / "app.tcss")

    def get_default_screen(self) -> Screen:
        return Screen()


def test_hostile_language_codes_reach_the_headers_and_the_map_as_text(db):
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET lang = lang || ?", ("\x1b]0;x\x07[/x]",))

    async def main() -> None:
        app = PairOnly(db, "tester", resume=False)
        async with app.run_test(size=(120, 35)) as pilot:
            app.push_screen(PairScreen(DAYCARE, 0))
            await pilot.pause()
            await pilot.press("v", "j", "question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert_clean(app, "help over the pair screen")
            await pilot.press("escape")
            await pilot.pause()
            assert "EN␛]0;X␇[/X] ↓ 8" in str(app.screen.query_one(AlignmentMap).render_line(0).text)
            assert_clean(app, "pair screen with its map")

    asyncio.run(main())
