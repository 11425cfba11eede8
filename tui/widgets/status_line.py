"""Two lines of review progress under the table: counts for the pair and the corpus, then
the cursor's place and what just happened.

A plain widget with a fixed height rather than a ``Static``: it changes on every cursor
move, and a ``Static.update`` asks for a layout pass of the whole screen each time. The
counts are spelled out when the terminal is wide enough and shortened when it is not.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from aligner.review import Counts


def counts_text(label: str, counts: Counts, short: bool = False) -> Text:
    """'Pair ✓ 3 accepted  ✗ 1 rejected  · 4 unreviewed (50% done)' with status colours."""
    text = Text(f"{label} ", style="bold")
    words = ("", "", "") if short else (" accepted", " rejected", " unreviewed")
    text.append(f"✓ {counts.accepted}{words[0]}", style="green")
    text.append("  ")
    text.append(f"✗ {counts.rejected}{words[1]}", style="red")
    text.append("  ")
    text.append(f"· {counts.unreviewed}{words[2]}")
    text.append(f" ({counts.reviewed_share:.0%}{'' if short else ' done'})", style="dim")
    return text


class StatusLine(Widget):
    """Counts for the pair and the corpus, the cursor's place and the last action."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.corpus = Counts()
        self.pair: Counts | None = None
        self.where = ""
        self.message = ""

    def counts_line(self, short: bool) -> Text:
        line = Text()
        if self.pair is not None:
            line += counts_text("Pair", self.pair, short)
            line.append("   │   ", style="dim")
        line += counts_text("Corpus", self.corpus, short)
        return line

    def render(self) -> Text:
        line = self.counts_line(short=False)
        if cell_len(line.plain) > self.size.width:
            line = self.counts_line(short=True)
        line.truncate(max(self.size.width, 1), overflow="ellipsis")
        if self.where or self.message:
            second = Text(self.where)
            if self.message:
                second.append("   │   " if self.where else "", style="dim")
                second.append(self.message, style="italic")
            second.truncate(max(self.size.width, 1), overflow="ellipsis")
            line.append("\n")
            line += second
        return line

    def show(self, *, corpus: Counts, pair: Counts | None = None, where: str = "", message: str = "") -> None:
        """Line 1: the counts (pair, corpus). Line 2, when given: the cursor's place and the last action."""
        self.corpus, self.pair, self.where, self.message = corpus, pair, where, message
        self.refresh()
