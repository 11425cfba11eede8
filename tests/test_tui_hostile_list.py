"""The corpus list, the export dialog and the app's notifications show hostile text as text.

Titles, document keys, reviewer names, the database's own file name, export paths and
the search text typed into the list hold escape sequences (OSC window titles and
clipboard writes, CSI screen clears, one-byte C1 CSI), bidi overrides and markup
brackets. The app must not crash on them (a ``[/zz]`` typed into the search box used to
end it with a MarkupError) and nothing it draws may hold an ESC, C1 or bidi character:
they are shown as pictures (␛, <U+202E>) instead.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner import review
from aligner.export.policy import ExportPolicy
from aligner.store import Store
from tests.review_data import build_corpus
from tests.test_terminal_output import ATTACKS, HOSTILE
from tui.app import ReviewApp
from tui.screens.corpus import CorpusScreen, TitleSearch
from tui.screens.export import ExportDialog, ExportRequest
from tui.widgets.pair_list import PairList

#: What must never reach the screen: ESC, the C1 controls (CSI, OSC, ...), BEL, bidi controls.
FORBIDDEN = ["\x1b", "\x07", "\u202e", "\u202c", *map(chr, range(0x80, 0xA0))]
EVERYTHING = "[/x][bold red]loud[/]" + "".join(ATTACKS)  # markup first: it shows before the title is cut


def drawn(app: ReviewApp) -> str:
    """What the app draws now (the SVG screenshot: every screen, modals over their background)."""
    return app.export_screenshot()


def assert_clean(text: str) -> None:
    found = [f"U+{ord(c):04X}" for c in FORBIDDEN if c in text]
    assert not found, f"{found} reached the screen"


def poison(db: Path, text: str, reviewer: str) -> None:
    """Titles and keys of every document end with ``text``; ``reviewer`` is on pair 2."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET title = title || ?, key = key || ?", (text, text))
    with Store(db) as store:
        review.save_position(store, reviewer, 2, 1)


def hostile_db(tmp_path: Path, text: str = EVERYTHING) -> Path:
    db = build_corpus(tmp_path / "c\x1b]0;named\x07[b]x\u202e.db")  # a hostile file name too
    poison(db, text, "[/r]\x1b]52;c;ZXZpbA==\x07bob")
    return db


def run(db: Path, reviewer: str, scenario, size: tuple[int, int] = (220, 40)) -> None:
    async def main() -> None:
        app = ReviewApp(db, reviewer, resume=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(app, pilot)
            assert app.return_code is None  # still running: nothing crashed it

    asyncio.run(main())


def test_the_list_shows_hostile_titles_names_and_file_names_as_text(tmp_path):
    db = hostile_db(tmp_path)

    async def scenario(app, pilot):
        assert isinstance(app.screen, CorpusScreen)
        screen = drawn(app)
        assert_clean(screen)
        rows = app.screen.query_one(PairList)
        assert "␛]0;renamed␇" in rows.row_text(0)  # the title's escape, as pictures
        assert "[/x]" in rows.row_text(0) and "[bold red]loud[/]" in rows.row_text(0)  # markup, as written
        assert rows.row_text(1).rstrip().endswith("[/r]␛]5…")  # the reviewer on pair 2, by a name from outside
        header = str(app.screen.query_one("#corpus-title").render())
        assert "c␛]0;named␇[b]x<U+202E>.db" in header and "[/me]␛[2J" in header
        assert "\x1b" not in app.sub_title

    run(db, "[/me]\x1b[2J", scenario)


def test_typing_markup_and_escapes_into_the_search_box_neither_crashes_nor_leaks(tmp_path):
    db = hostile_db(tmp_path)

    async def scenario(app, pilot):
        await pilot.press("slash", *"[/zz]")  # typed key by key: used to end the app with a MarkupError
        search = app.screen.query_one(TitleSearch)
        assert search.value == "[/zz]"
        assert app.screen.query_one(PairList).row_count == 0
        await pilot.press("enter")  # no match: a notification quotes the search
        await pilot.pause()
        assert any("“[/zz]”" in n.message for n in app._notifications)
        assert_clean(drawn(app))
        search.value = "loud[/]\x1b]0;renamed\x07"  # pasted: the box keeps the text, not the controls
        await pilot.pause()
        assert search.value == "loud[/]]0;renamed" and app.screen.query_one(PairList).row_count == 0
        search.value = "[bold red]loud\u202e[/]"  # markup matches as written
        await pilot.pause()
        assert search.value == "[bold red]loud[/]" and app.screen.query_one(PairList).row_count == 3
        search.value = "\x9b2J\u202e[b]x"  # no match
        await pilot.press("enter")
        await pilot.pause()
        assert any("“2J[b]x”" in n.message for n in app._notifications)
        assert_clean(drawn(app))

    run(db, "tester", scenario)


def test_the_export_dialog_and_its_notifications_show_hostile_paths_as_text(tmp_path):
    db = hostile_db(tmp_path)
    out = tmp_path / "out\x1b[2J[/o]\u202e.tsv"

    async def scenario(app, pilot):
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert_clean(drawn(app))  # the default path holds the database's hostile name
        await pilot.press("escape")
        app.start_export(ExportRequest("tsv", out, ExportPolicy()))
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = " ".join(n.message for n in app._notifications)
        assert "wrote" in messages and "out␛[2J[/o]<U+202E>.tsv" in messages
        assert_clean(drawn(app))
        app.start_export(ExportRequest("tsv", db, ExportPolicy()))  # refused: it is the corpus itself
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert_clean(drawn(app))
        assert not any("\x1b" in n.message or "\x1b" in (n.title or "") for n in app._notifications)

    run(db, "tester", scenario)
    assert out.exists()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=HOSTILE, typed=HOSTILE, reviewer=st.sampled_from(ATTACKS))
def test_any_text_in_titles_names_or_the_search_is_drawn_as_text(tmp_path_factory, title, typed, reviewer):
    """The list's screens only: what a pair screen draws is that screen's business."""
    db = build_corpus(tmp_path_factory.mktemp("hostile") / "corpus.db")
    poison(db, title, reviewer)

    async def scenario(app, pilot):
        assert_clean(drawn(app))
        app.screen.query_one(TitleSearch).value = typed
        await pilot.pause()
        if not app.screen.query_one(PairList).row_count:
            await pilot.press("enter")  # no match: a notification quotes the search
            await pilot.pause()
        assert_clean(drawn(app))
        await pilot.press("escape", "o", "v")  # sorted, filtered: drawn again
        await pilot.pause()
        assert_clean(drawn(app))

    run(db, reviewer, scenario)
