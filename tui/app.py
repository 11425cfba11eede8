"""The review app: ``ReviewApp(db_path, reviewer)`` and ``run_app`` for the CLI.

The app holds one :class:`~aligner.store.Store` (used on the UI thread only); slow work
(re-aligning, exporting) runs in worker threads with their own connections. Reopening
the app returns the reviewer to where they were: the pair and bead, or the list of pairs.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from textual import work
from textual.app import App

from aligner import review
from aligner.display import visible
from aligner.errors import AlignerError, StoreError
from aligner.store import Store
from tui.screens.corpus import CorpusScreen
from tui.screens.export import ExportRequest, run_export
from tui.screens.pair import PairScreen


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
        self.sub_title = self.db_path.name

    def get_default_screen(self) -> CorpusScreen:
        return CorpusScreen()

    def on_mount(self) -> None:
        if self.resume and not review.was_on_list(self.store, self.reviewer):
            last = review.last_position(self.store, self.reviewer)
            if last is not None:
                self.push_screen(PairScreen(*last))

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
        self.exit()

    def on_unmount(self) -> None:
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
            self.call_from_thread(self.notify, visible(exc), title="Export failed", severity="error", timeout=8,
                                  markup=False)
            return
        paths = ", ".join(str(p) for p in done.paths)
        self.call_from_thread(self.notify, visible(f"wrote {done.count} beads to {paths}"), title="Exported",
                              timeout=8, markup=False)


def run_app(db_path: str, reviewer: str | None) -> int:
    """Open the review app on ``db_path`` (the CLI's ``aligner review DB``); its exit status."""
    return exit_status(ReviewApp(db_path, reviewer))


def exit_status(app: App[None], *, headless: bool = False) -> int:
    """Run ``app`` and return its exit status: 0 when the reviewer quit, non-zero when it
    crashed (Textual has then printed the traceback), so a script that opens it can tell."""
    app.run(headless=headless)
    return app.return_code or 0
