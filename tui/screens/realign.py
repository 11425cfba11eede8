"""A re-align (R) running in the background: where it started, how far it got, how to stop it.

The pair screen starts one at a time (:meth:`~tui.screens.pair.PairScreen.action_realign`);
the job's worker thread writes ``progress`` and reads ``cancelled``, the UI's timer reads
``progress`` (through :meth:`RealignJob.text`), so neither ever waits on the other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from textual.timer import Timer
from textual.worker import Worker

from aligner.review import Edit

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


@dataclass
class RealignJob:
    """One re-align from bead ``start`` to the end of the pair."""

    start: int  # position of the first bead it re-aligns
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: tuple[str, int, int] = ("starting", 0, 0)  # (what, done, total), from the worker thread
    worker: Worker[Edit] | None = None
    timer: Timer | None = None  # redraws the status line while the job runs
    spin: int = 0

    def report(self, what: str, done: int, total: int) -> None:
        """The worker thread's progress (``aligner.review.realign_from``'s ``progress``)."""
        self.progress = (what, done, total)

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def text(self) -> str:
        """The status line's words for the job."""
        what, done, total = self.progress
        count = f" {done}/{total}" if total else ""
        return (
            f"{SPINNER[self.spin % len(SPINNER)]} re-aligning from bead {self.start + 1}: {what}{count}…  (Esc cancels)"
        )

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
