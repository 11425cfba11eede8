"""One line of review progress under the table: this pair, the corpus, and what just happened."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from aligner.review import Counts


def counts_text(label: str, counts: Counts) -> Text:
    """'Pair ✓ 3 accepted ✗ 1 rejected · 4 to do (50%)' with status colours."""
    text = Text(f"{label} ", style="bold")
    text.append(f"✓ {counts.accepted} accepted", style="green")
    text.append("  ")
    text.append(f"✗ {counts.rejected} rejected", style="red")
    text.append("  ")
    text.append(f"· {counts.unreviewed} unreviewed")
    text.append(f" ({counts.reviewed_share:.0%} done)", style="dim")
    return text


class StatusLine(Static):
    """Counts for the pair and the corpus, the cursor's place and the last action."""

    def show(self, *, corpus: Counts, pair: Counts | None = None, where: str = "", message: str = "") -> None:
        line = Text()
        if pair is not None:
            line += counts_text("Pair", pair)
            line.append("  │  ", style="dim")
        line += counts_text("Corpus", corpus)
        if where:
            line.append("  │  ", style="dim")
            line.append(where)
        if message:
            line.append("  │  ", style="dim")
            line.append(message, style="italic")
        self.update(line)
