"""The alignment map: a pair's beads as a path through its source x target sentence grid.

Source sentences run down (as the table does), target sentences across. A 1-1 bead is one
cell on the path, a 1-0 bead a step straight down, a 0-1 bead a step across, a 3-2 merge
a block; a faithful translation is a line along the dotted diagonal, and the places
where the path leaves it, a block of skips or a long merge, are where a reviewer should
look. A long pair is scaled: each cell holds several sentences a side (the header says
how many), so a 300-sentence pair fits 80x24. Each cell shows the most urgent bead in
it: rejected (✗), unreviewed and low-confidence (!), unreviewed (▒), accepted (█). The
glyphs differ as well as the colours, so the map reads on a 16-colour or monochrome
terminal too; the cursor's bead is drawn reversed. A click on a cell puts the table's
cursor on the first bead drawn there.

Drawn with the Line API, from a grid computed once per pair version and size (a cursor
move only repaints), so it costs nothing per key on a 1,000-bead pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.events import Click, Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from aligner.display import visible
from aligner.model import Status
from aligner.review import LOW_CONFIDENCE, is_low_confidence
from aligner.store import BeadRow

#: Rows above the grid (the axes, the scale) and below it (the legend).
HEAD = 2
LEGEND = ("█ accepted  ▒ to do", "! low  ✗ rejected")
#: A cell's look by rank: what is drawn when several beads share a cell is the highest rank.
GLYPHS = {1: "█", 2: "▒", 3: "!", 4: "✗"}
STYLES = {1: "accepted", 2: "todo", 3: "low", 4: "rejected"}


def rank(bead: BeadRow, threshold: float = LOW_CONFIDENCE) -> int:
    """How urgent a bead is on the map: 4 rejected, 3 unreviewed and low-confidence,
    2 unreviewed, 1 accepted."""
    if bead.status == Status.REJECTED:
        return 4
    if bead.status == Status.ACCEPTED:
        return 1
    return 3 if is_low_confidence(bead, threshold) else 2


@dataclass(frozen=True)
class MapGrid:
    """The map of one pair at one size: which bead each cell shows (-1: none) and the
    cells the diagonal crosses. A cell covers ``per_row`` source and ``per_col`` target sentences."""

    rows: int
    cols: int
    per_row: int
    per_col: int
    cells: tuple[tuple[int, ...], ...]
    diagonal: frozenset[tuple[int, int]]

    def span(self, bead: BeadRow) -> tuple[int, int, int, int]:
        """The cells a bead covers: first and last row, first and last column (inclusive).
        A side with no sentence sits where its next sentence would be."""
        r0 = min(bead.src_start // self.per_row, self.rows - 1)
        r1 = min(max(bead.src_end - 1, bead.src_start) // self.per_row, self.rows - 1)
        c0 = min(bead.tgt_start // self.per_col, self.cols - 1)
        c1 = min(max(bead.tgt_end - 1, bead.tgt_start) // self.per_col, self.cols - 1)
        return r0, r1, c0, c1


def _per_cell(n: int, room: int) -> int:
    """Sentences per cell so that ``n`` sentences fit ``room`` cells (at least one)."""
    room = max(room, 1)
    return max(1, -(-n // room))


def map_grid(
    beads: Sequence[BeadRow], n_src: int, n_tgt: int, max_rows: int, max_cols: int, threshold: float = LOW_CONFIDENCE
) -> MapGrid:
    """Lay a pair's beads out on a grid of at most ``max_rows`` x ``max_cols`` cells."""
    per_row, per_col = _per_cell(n_src, max_rows), _per_cell(n_tgt, max_cols)
    rows, cols = max(1, -(-n_src // per_row)), max(1, -(-n_tgt // per_col))
    cells = [[-1] * cols for _ in range(rows)]
    best = [[0] * cols for _ in range(rows)]
    grid = MapGrid(rows, cols, per_row, per_col, (), frozenset())
    for b in beads:
        r0, r1, c0, c1 = grid.span(b)
        level = rank(b, threshold)
        for r in range(r0, r1 + 1):
            line, line_best = cells[r], best[r]
            for c in range(c0, c1 + 1):
                if level > line_best[c]:
                    line[c], line_best[c] = b.position, level
    diagonal = set()
    if n_src and n_tgt:
        for r in range(rows):  # the target sentences the straight line crosses in this row's source sentences
            lo = r * per_row * n_tgt / n_src
            hi = min((r + 1) * per_row, n_src) * n_tgt / n_src
            for c in range(int(lo // per_col), min(int(max(hi - 1e-9, lo) // per_col), cols - 1) + 1):
                diagonal.add((r, c))
    return MapGrid(rows, cols, per_row, per_col, tuple(tuple(line) for line in cells), frozenset(diagonal))


class AlignmentMap(Widget):
    """The pair's alignment as a path through the sentence grid; click to jump (see module doc)."""

    COMPONENT_CLASSES = {
        "alignment-map--accepted",
        "alignment-map--todo",
        "alignment-map--low",
        "alignment-map--rejected",
        "alignment-map--cursor",
        "alignment-map--diagonal",
        "alignment-map--head",
    }

    class Jump(Message):
        """The reviewer clicked a cell: go to the bead at ``position``."""

        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.beads: list[BeadRow] = []
        self.n_src = self.n_tgt = 0
        self.langs: tuple[str, str] = ("en", "ko")
        self.cursor = 0
        self.threshold = LOW_CONFIDENCE
        self._grid: MapGrid | None = None
        self._styles: dict[str, Style] = {}
        self._lines: dict[int, Strip] = {}  # drawn lines, until the grid, the size or the cursor's rows change

    # -- data ---------------------------------------------------------------------------

    def set_pair(self, beads: Sequence[BeadRow], n_src: int, n_tgt: int, langs: tuple[str, str], cursor: int) -> None:
        self.beads, self.n_src, self.n_tgt, self.langs = list(beads), n_src, n_tgt, langs
        self.cursor = cursor
        self._grid = None
        self._lines.clear()
        self.refresh()

    def set_cursor(self, position: int) -> None:
        """Move the cursor's mark: only the rows of the old and the new cursor bead are drawn again."""
        if position == self.cursor:
            return
        old, self.cursor = self.cursor, position
        if self._grid is None:
            self.refresh()
            return
        for bead in (old, position):
            if 0 <= bead < len(self.beads):
                r0, r1, _, _ = self._grid.span(self.beads[bead])
                for y in range(HEAD + r0, HEAD + r1 + 1):
                    self._lines.pop(y, None)
                self.refresh(Region(0, HEAD + r0, self.size.width, r1 - r0 + 1))

    @property
    def grid(self) -> MapGrid:
        if self._grid is None:
            width, height = self.size
            rows = max(height - HEAD - len(LEGEND), 1)
            self._grid = map_grid(self.beads, self.n_src, self.n_tgt, rows, max(width, 1), self.threshold)
        return self._grid

    def on_resize(self, event: Resize) -> None:
        self._grid = None
        self._lines.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style + self.get_component_rich_style(f"alignment-map--{name}")
        return style

    # -- drawing -------------------------------------------------------------------------

    def head(self) -> tuple[str, str]:
        src, tgt = (visible(lang.upper()) for lang in self.langs)  # the database's: drawn, never obeyed
        grid = self.grid
        scale = (
            "1 sentence/cell" if grid.per_row == grid.per_col == 1 else f"{grid.per_row}×{grid.per_col} sentences/cell"
        )
        return f"{src} ↓ {self.n_src}  {tgt} → {self.n_tgt}", scale

    def render_line(self, y: int) -> Strip:
        strip = self._lines.get(y)
        if strip is None:
            strip = self._lines[y] = self._draw_line(y)
        return strip

    def _draw_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if not self.beads:
            text = "no beads" if y == 0 else ""
            return Strip([Segment(text, self._style("head"))]).adjust_cell_length(width, base)
        grid = self.grid
        if y < HEAD:
            return Strip([Segment(self.head()[y], self._style("head"))]).adjust_cell_length(width, base)
        r = y - HEAD
        if r >= grid.rows:
            k = r - grid.rows - (1 if grid.rows + HEAD + len(LEGEND) < self.size.height else 0)
            text = LEGEND[k] if 0 <= k < len(LEGEND) else ""
            return Strip([Segment(text, self._style("head"))]).adjust_cell_length(width, base)
        cursor_cells = None
        if 0 <= self.cursor < len(self.beads):
            cursor_cells = grid.span(self.beads[self.cursor])
        segments = []
        line = grid.cells[r]
        for c, position in enumerate(line):
            if position >= 0:
                level = rank(self.beads[position], self.threshold)
                glyph, style = GLYPHS[level], self._style(STYLES[level])
            elif (r, c) in grid.diagonal:
                glyph, style = "·", self._style("diagonal")
            else:
                glyph, style = " ", base
            if (
                cursor_cells is not None
                and cursor_cells[0] <= r <= cursor_cells[1]
                and cursor_cells[2] <= c <= cursor_cells[3]
            ):
                style = style + self._style("cursor")
            segments.append(Segment(glyph, style))
        return Strip(segments).simplify().adjust_cell_length(width, base)

    # -- mouse ----------------------------------------------------------------------------

    def bead_at(self, row: int, col: int) -> int | None:
        """The bead a click on cell (``row``, ``col``) of the grid goes to: the one drawn there,
        else the first bead whose source sentences reach that row."""
        grid = self.grid
        if not self.beads or not 0 <= row < grid.rows:
            return None
        col = max(0, min(col, grid.cols - 1))
        drawn = grid.cells[row][col]
        if drawn >= 0:
            return drawn
        first = row * grid.per_row
        for b in self.beads:
            if b.src_end > first or (b.src_start == b.src_end and b.src_start >= first):
                return b.position
        return len(self.beads) - 1

    def on_click(self, event: Click) -> None:
        position = self.bead_at(event.y - HEAD, event.x)
        if position is not None:
            self.post_message(self.Jump(position))
