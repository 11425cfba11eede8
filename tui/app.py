"""The review app: ``ReviewApp(db_path, reviewer)`` and ``run_app`` for the CLI.

The app holds one :class:`~aligner.store.Store` (used on the UI thread only); slow work
(re-aligning, exporting, re-reading a large corpus) runs in worker threads with their own
connections. Reopening the app returns the reviewer to where they were: the pair and
bead, or the list of pairs.

Reviewing together: several reviewers (and batch runs) write to one database. The app
polls SQLite's ``data_version`` four times a second (microseconds each) and, when
another connection committed, has the open pair and the list re-read, the cursor
staying where it was. Each app says it is there (``seen_at``) when the reviewer moves
and every :data:`HEARTBEAT` seconds, so the list shows who is on which pair; a reviewer
whose app stopped saying so for :data:`PRESENCE_WINDOW` (or quit) is not shown.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual import work
from textual.app import App

# not `from aligner import review`: that runs aligner.__getattr__, which loads all of aligner.api (1.3 s)
import aligner.review as review
from aligner.display import visible
from aligner.errors import AlignerError, StoreError
from aligner.store import Store
from tui.screens.corpus import CorpusScreen
from tui.screens.export import ExportRequest, run_export
from tui.screens.pair import PairScreen

#: How often the app asks SQLite whether another connection committed (seconds).
POLL = 0.25
#: How often an open app says its reviewer is still there (seconds) ...
HEARTBEAT = 30.0
#: ... and how long after the last time it said so the reviewer still counts as there.
PRESENCE_WINDOW = timedelta(seconds=90)


def default_reviewer() -> str:
    """``$ALIGNER_REVIEWER``, else the login name: what goes into the edit log."""
    name = os.environ.get("ALIGNER_REVIEWER") or os.environ.get("USER")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no passwd entry in some containers
            name = ""
    return name or "reviewer"


def open_corpus(db_path: str | Path) -> Store:
    """Open an existing corpus database; a missing, empty or foreign file is an error, not a new empty corpus."""
    path = Path(db_path)
    if not path.exists():
        raise StoreError(str(path), "no such corpus database (build one with `aligner run`)")
    return Store(path, create=False)


class ReviewApp(App[None]):
    """Review a corpus database from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "aligner review"

    def __init__(self, db_path: str | Path, reviewer: str | None = None, *, resume: bool = True) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.store = open_corpus(self.db_path)
        self.reviewer = reviewer or default_reviewer()
        self.resume = resume
        self.sub_title = visible(self.db_path.name)  # a file name: shown, never obeyed
        self.data_version = self.store.data_version()
        self.pending_refresh = False  # others wrote while a dialog was open: refresh when it closes

    def get_default_screen(self) -> CorpusScreen:
        return CorpusScreen()

    def on_mount(self) -> None:
        self.store.mark_present(self.reviewer)
        if self.resume and not review.was_on_list(self.store, self.reviewer):
            last = review.last_position(self.store, self.reviewer)
            if last is not None:
                self.push_screen(PairScreen(*last))
        self.set_interval(POLL, self.check_for_changes)
        self.set_interval(HEARTBEAT, self.heartbeat)

    # -- reviewing together -------------------------------------------------------------------

    def presence_since(self) -> str:
        """The oldest ``seen_at`` that still counts as there now (UTC, as the store writes it)."""
        return (datetime.now(UTC) - PRESENCE_WINDOW).isoformat(timespec="seconds")

    def check_for_changes(self) -> None:
        """Did another connection commit since the last look? Then refresh what is shown."""
        if self.store.closed:
            return
        try:
            version = self.store.data_version()
        except sqlite3.Error:  # e.g. the file went away: the next edit will say so
            return
        if version != self.data_version:
            self.data_version = version
            self.pending_refresh = True
        if self.pending_refresh:
            self.refresh_screens()

    def refresh_screens(self) -> None:
        """Have the screen on top re-read what others changed; a list under a pair re-reads
        when the pair closes. With a dialog on top nothing moves under it until it closes."""
        top = self.screen
        if not isinstance(top, CorpusScreen | PairScreen):
            return
        if not top.is_mounted or not top.children:
            # just pushed and not built yet (or being taken down): its widgets are not there
            # to re-read into, so the change waits for the next look, as under a dialog
            return
        self.pending_refresh = False
        for screen in self.screen_stack:
            if isinstance(screen, CorpusScreen) and screen is not top:
                screen.stale = True
        try:
            top.refresh_from_store()
        except AlignerError as exc:  # e.g. the pair was deleted by a batch run
            self.notify(visible(exc), severity="warning", timeout=6, markup=False)

    def heartbeat(self) -> None:
        """Say the reviewer is still here; the list drops those who are not any more (and is
        read whole again, in case a change came by a way the edit log does not show)."""
        self._mark_present()
        if isinstance(self.screen, CorpusScreen):
            self.screen.reload_in_background()

    @work(thread=True, exclusive=True, group="presence", exit_on_error=False)
    def _mark_present(self) -> None:
        """On a connection of its own: a write may wait for another writer's lock, the keys must not."""
        with Store(self.db_path, create=False) as store:
            store.mark_present(self.reviewer)

    def save_place(self) -> None:
        """Flush the cursor position of an open pair (moves are saved lazily) and stop its
        re-align, if one runs: quitting must not leave a job that writes afterwards."""
        for screen in self.screen_stack:
            if isinstance(screen, PairScreen) and screen.is_mounted:
                screen.cancel_job()
                try:
                    screen.save_position()
                except AlignerError:
                    pass

    async def action_quit(self) -> None:
        self.save_place()
        self.leave()
        self.exit()

    def leave(self) -> None:
        """The reviewer is not on any pair any more (their place is kept for next time)."""
        if self.store.closed:
            return
        try:
            self.store.mark_gone(self.reviewer)
        except (AlignerError, sqlite3.Error):  # quitting anyway; the mark expires by itself
            pass

    def on_unmount(self) -> None:
        self.leave()
        self.store.close()

    def start_export(self, request: ExportRequest) -> None:
        # a path the reviewer typed: shown as written (visible), never parsed as markup
        self.notify(visible(f"exporting {request.format.upper()} to {request.path}…"), timeout=2, markup=False)
        self._export(request)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, request: ExportRequest) -> None:
        try:
            done = run_export(self.db_path, request)
        except AlignerError as exc:
            self.call_from_thread(
                self.notify, visible(exc), title="Export failed", severity="error", timeout=8, markup=False
            )
            return
        paths = ", ".join(str(p) for p in done.paths)
        self.call_from_thread(
            self.notify, visible(f"wrote {done.count} beads to {paths}"), title="Exported", timeout=8, markup=False
        )


def run_app(db_path: str, reviewer: str | None) -> int:
    """Open the review app on ``db_path`` (the CLI's ``aligner review DB``); its exit status."""
    return exit_status(ReviewApp(db_path, reviewer))


def exit_status(app: App[None], *, headless: bool = False) -> int:
    """Run ``app`` and return its exit status: 0 when the reviewer quit, non-zero when it
    crashed (Textual has then printed the traceback), so a script that opens it can tell."""
    app.run(headless=headless)
    return app.return_code or 0
