"""Two lines of review progress under the table: counts for the pair and the corpus, then
the cursor's place and what just happened.

A plain widget with a fixed height rather than a ``Static``: it changes on every cursor
move, and a ``Static.update`` asks for a layout pass of the whole screen each time.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from aligner.review import Counts


def counts_text(label: str, counts: Counts) -> Text:
    """'Pair ✓ 3 accepted  ✗ 1 rejected  · 4 unreviewed (50% done)' with status colours."""
    text = Text(f"{label} ", style="bold")
    text.append(f"✓ {counts.accepted} accepted", style="green")
    text.append("  ")
    text.append(f"✗ {counts.rejected} rejected", style="red")
    text.append("  ")
    text.append(f"· {counts.unreviewed} unreviewed")
    text.append(f" ({counts.reviewed_share:.0%} done)", style="dim")
    return text


class StatusLine(Widget):
    """Counts for the pair and the corpus, the cursor's place and the last action."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()

    def render(self) -> Text:
        return self.text

    def show(self, *, corpus: Counts, pair: Counts | None = None, where: str = "", message: str = "") -> None:
        """Line 1: the counts (pair, corpus). Line 2, when given: the cursor's place and the last action."""
        line = Text(no_wrap=True, overflow="ellipsis")
        if pair is not None:
            line += counts_text("Pair", pair)
            line.append("   │   ", style="dim")
        line += counts_text("Corpus", corpus)
        if where or message:
            line.append("\n")
            line.append(where)
            if message:
                line.append("   │   " if where else "", style="dim")
                line.append(message, style="italic")
        self.text = line
        self.refresh()
