"""The notes where the cursor is: the focused bead's note and the pair's own, one line each,
above the status line. Hidden when neither has a note, so it costs no row otherwise.

A note is the reviewers' own text but still text from the database: it is drawn as
:func:`aligner.display.visible` makes it, never as markup, and cut to one line (``i``
shows the whole note in its dialog).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from aligner.display import visible


class NoteBar(Widget):
    """The bead's and the pair's notes, or nothing."""

    DEFAULT_CSS = """
    NoteBar { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[tuple[str, str]] = []  # (label, note)

    def show(self, bead: int | None, bead_note: str | None, pair_note: str | None) -> None:
        """The note of bead ``bead`` (numbered from 1) and the pair's; hide when both are empty."""
        lines = []
        if bead_note and bead is not None:
            lines.append((f"✎ bead {bead}: ", bead_note))
        if pair_note:
            lines.append(("✎ pair: ", pair_note))
        if lines == self.lines:
            return
        if len(lines) != len(self.lines):
            self.styles.height = max(len(lines), 1)
        self.lines = lines
        self.display = bool(lines)
        self.refresh()

    def render(self) -> Text:
        width = max(self.size.width, 1)
        out = Text()
        for n, (label, note) in enumerate(self.lines):
            line = Text(label, style="bold")
            line.append(visible(note))
            if cell_len(line.plain) > width:
                line.truncate(width, overflow="ellipsis")
            out += line
            if n < len(self.lines) - 1:
                out.append("\n")
        return out
