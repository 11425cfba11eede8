"""Two lines of review progress under the table: counts for the pair and the corpus, then
the cursor's place and what just happened.

A plain widget with a fixed height rather than a ``Static``: it changes on every cursor
move, and a ``Static.update`` asks for a layout pass of the whole screen each time. The
counts are spelled out when the terminal is wide enough and shortened when it is not,
always with words that say what each number is ("to do", "done"). On the second line
the message wins over the cursor's place: the place is shortened, then left out, before
a hint is cut. Both lines may hold text from outside (a search, an error naming a
sentence), so they are drawn as :func:`aligner.display.visible` makes them, never as markup.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from aligner.display import visible
from aligner.review import Counts

#: How much the counts say, from the most to the least.
DETAIL = ("long", "short", "least")


def counts_text(label: str, counts: Counts, detail: str = "long") -> Text:
    """The counts with status colours, e.g. (long) 'Pair ✓ 3 accepted  ✗ 1 rejected  · 4 unreviewed
    (50% done)', (short) 'Pair ✓ 3 ✗ 1 · 4 to do, 50% done', (least) 'Pair 4 to do, 50% done'."""
    text = Text(f"{label} ", style="bold")
    done = f"{counts.reviewed_share:.0%} done"
    if detail == "least":
        text.append(f"{counts.unreviewed} to do, ")
        text.append(done, style="dim")
        return text
    long = detail == "long"
    text.append(f"✓ {counts.accepted}{' accepted' if long else ''}", style="green")
    text.append("  " if long else " ")
    text.append(f"✗ {counts.rejected}{' rejected' if long else ''}", style="red")
    text.append("  " if long else " ")
    text.append(f"· {counts.unreviewed}{' unreviewed' if long else ' to do'}")
    text.append(f" ({done})" if long else f", {done}", style="dim")
    return text


class StatusLine(Widget):
    """Counts for the pair and the corpus, the cursor's place and the last action."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.corpus = Counts()
        self.pair: Counts | None = None
        self.where = ""
        self.short_where = ""
        self.message = ""

    def counts_line(self, detail: str) -> Text:
        line = Text()
        if self.pair is not None:
            line += counts_text("Pair", self.pair, detail)
            line.append("   │   " if detail == "long" else "  │  ", style="dim")
        line += counts_text("Corpus", self.corpus, detail)
        return line

    def place_line(self, width: int) -> Text:
        """The cursor's place and the message, fitted to ``width`` cells: the place is
        shortened, then dropped, before the message is cut."""
        message = visible(self.message)
        places = [visible(self.where), visible(self.short_where)] + ([""] if message else [])
        line = Text()
        for where in places:
            line = Text(where)
            if message:
                line.append("  │  " if where else "", style="dim")
                line.append(message, style="italic")
            if cell_len(line.plain) <= width:
                break
        return line

    def render(self) -> Text:
        width = max(self.size.width, 1)
        for detail in DETAIL:
            line = self.counts_line(detail)
            if cell_len(line.plain) <= width:
                break
        line.truncate(width, overflow="ellipsis")
        if self.where or self.message:
            second = self.place_line(width)
            second.truncate(width, overflow="ellipsis")
            line.append("\n")
            line += second
        return line

    def show(
        self, *, corpus: Counts, pair: Counts | None = None, where: str = "", message: str = "", short_where: str = ""
    ) -> None:
        """Line 1: the counts (pair, corpus). Line 2, when given: the cursor's place (and a
        shorter form of it for a narrow terminal) and the last action."""
        self.corpus, self.pair, self.where, self.message = corpus, pair, where, message
        self.short_where = short_where or where
        self.refresh()
