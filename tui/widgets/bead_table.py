"""The pair screen's table of beads: the source side left, the target right, one row per bead.

Why a Line API widget and not a DataTable: rows have different heights (long sentences
wrap, a 2-1 bead has two source sentences), Korean needs cell-width-aware wrapping, and
a 1,000-bead pair must scroll without lag. So the table keeps only each bead's height
(a prefix sum maps a screen line to a bead by bisection) and renders a bead's lines the
first time they scroll into view, caching them until the data, the width or the cursor
changes. Wrapping is a small word-wrap over Rich's cell widths (Hangul counts 2 cells),
memoised per (text, width), so laying out 1,000 beads takes milliseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from aligner.model import Origin, Status
from aligner.review import LOW_CONFIDENCE, Side, is_low_confidence
from aligner.store import BeadRow
from aligner.text.langcheck import language_name

SIDE_KEYS = Binding.Group("Side")
ROW_STYLES = {"accepted", "rejected", "cursor"}
OWN_BACKGROUND = {"match"}
MARKS = {"accepted": "✓", "rejected": "✗", "unreviewed": "·"}


@lru_cache(maxsize=65536)
def wrap_cells(text: str, width: int) -> tuple[str, ...]:
    """Word-wrap ``text`` to ``width`` terminal cells; words longer than a line are cut."""
    width = max(width, 2)
    lines: list[str] = []
    words: list[str] = []
    used = 0
    for word in text.split():
        w = cell_len(word)
        if w > width:
            if words:
                lines.append(" ".join(words))
            piece, pw = "", 0
            for ch in word:
                cw = get_character_cell_size(ch)
                if pw + cw > width:
                    lines.append(piece)
                    piece, pw = "", 0
                piece += ch
                pw += cw
            words, used = [piece], pw
        elif not words:
            words, used = [word], w
        elif used + 1 + w <= width:
            words.append(word)
            used += 1 + w
        else:
            lines.append(" ".join(words))
            words, used = [word], w
    if words:
        lines.append(" ".join(words))
    return tuple(lines) or ("",)


@dataclass(frozen=True)
class Columns:
    """Column geometry for one table width (shared with the header)."""

    width: int
    number: int  # cells for the bead number
    kind: int  # cells for "1-1", "10-2"
    ident: int  # cells for a sentence id
    side: int  # cells for each text column

    GAP = 1
    MARK = 1
    CONF = 4

    @property
    def gutter(self) -> int:
        """Cells before the English column: number, mark, type, confidence, rule."""
        return self.number + 1 + self.MARK + 1 + self.kind + 1 + self.CONF + 1 + 2

    @property
    def text(self) -> int:
        """Cells for a sentence's text after its id."""
        return max(self.side - self.ident - 1, 4)

    @classmethod
    def fit(cls, width: int, n_beads: int, n_sentences: int, kind: int) -> Columns:
        number = max(3, len(str(n_beads)))
        ident = max(2, len(str(max(n_sentences - 1, 0))))
        probe = cls(width, number, kind, ident, 0)
        side = max((width - probe.gutter - 3) // 2, ident + 6)
        return cls(width, number, kind, ident, side)


class BeadTable(ScrollView, can_focus=True):
    """Scrollable, virtually rendered table of a pair's beads with a bead and sentence cursor."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First bead", show=False),
        Binding("end,G", "last", "Last bead", show=False),
        # not in the footer (the status line shows the side and sentence, ? lists the keys):
        # at 80 columns the footer has room for the review keys only
        Binding("left,h", "side('src')", "Source side", show=False, key_display="←", group=SIDE_KEYS),
        Binding("right,l", "side('tgt')", "Target side", show=False, key_display="→", group=SIDE_KEYS),
        Binding("tab", "next_sentence", "Sentence", show=False, priority=True),
        Binding("shift+tab", "prev_sentence", "Previous sentence in bead", show=False, priority=True),
    ]

    COMPONENT_CLASSES = {
        "bead-table--accepted",
        "bead-table--rejected",
        "bead-table--cursor",
        "bead-table--focus",
        "bead-table--id",
        "bead-table--low",
        "bead-table--unusual",
        "bead-table--manual",
        "bead-table--mark-accepted",
        "bead-table--mark-rejected",
        "bead-table--rule",
        "bead-table--match",
        "bead-table--empty",
    }

    cursor: reactive[int] = reactive(0, init=False, always_update=True)

    class CursorMoved(Message):
        """The bead or sentence under the cursor changed."""

        def __init__(self, table: BeadTable, position: int) -> None:
            super().__init__()
            self.table = table
            self.position = position

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.src: list[str] = []
        self.tgt: list[str] = []
        self.langs: tuple[str, str] = ("en", "ko")  # the sides' languages, for the column titles
        self.beads: list[BeadRow] = []
        self.side: Side = "src"  # side of the focused sentence
        self.working_side: Side = "src"  # the side chosen with ←/→ (kept while moving)
        self.focus_index: int | None = None  # absolute sentence index on ``side``
        self.query_text: str = ""
        self.query_side: Side = "src"
        self.threshold: float = LOW_CONFIDENCE
        self.columns = Columns.fit(80, 0, 0, 3)
        self._starts: list[int] = [0]
        self._heights: list[int] = []
        self._cache: dict[int, list[Strip]] = {}
        self._styles: dict[str, Style] = {}
        self.header: Widget | None = None  # a BeadHeader registers itself here

    # -- data ---------------------------------------------------------------------------

    def set_pair(self, src: Sequence[str], tgt: Sequence[str], beads: Sequence[BeadRow], cursor: int | None = None,
                 langs: tuple[str, str] | None = None) -> None:
        """Show (new) data; keeps the cursor where it was unless ``cursor`` is given."""
        self.src, self.tgt, self.beads = list(src), list(tgt), list(beads)
        if langs is not None and langs != self.langs:
            self.langs = langs
            if self.header is not None:
                self.header.refresh()
        self._relayout()
        target = self.cursor if cursor is None else cursor
        self._move(max(0, min(target, len(self.beads) - 1)), keep_focus=cursor is None, force=True)

    def bead(self) -> BeadRow | None:
        return self.beads[self.cursor] if 0 <= self.cursor < len(self.beads) else None

    def side_span(self, position: int, side: Side) -> tuple[int, int]:
        return self.side_span_of(self.beads[position], side)

    @staticmethod
    def side_span_of(b: BeadRow, side: Side) -> tuple[int, int]:
        return (b.src_start, b.src_end) if side == "src" else (b.tgt_start, b.tgt_end)

    def texts(self, side: Side) -> list[str]:
        """The sentences of one side."""
        return self.src if side == "src" else self.tgt

    def set_query(self, text: str, side: Side) -> None:
        self.query_text, self.query_side = text, side
        self._cache.clear()
        self.refresh()

    # -- layout -----------------------------------------------------------------------

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def _relayout(self) -> None:
        kind = max([3] + [len(b.kind) for b in self.beads])
        cols = Columns.fit(self._content_width(), len(self.beads), max(len(self.src), len(self.tgt)), kind)
        self.columns = cols
        heights = []
        for b in self.beads:
            h_src = sum(len(wrap_cells(self.src[i], cols.text)) for i in range(b.src_start, b.src_end))
            h_tgt = sum(len(wrap_cells(self.tgt[i], cols.text)) for i in range(b.tgt_start, b.tgt_end))
            heights.append(max(h_src, h_tgt, 1))
        starts = [0]
        for h in heights:
            starts.append(starts[-1] + h)
        self._heights, self._starts = heights, starts
        self._cache.clear()
        self.virtual_size = Size(cols.width, starts[-1])
        if self.header is not None:
            self.header.refresh()
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        if self._content_width() != self.columns.width:
            self._relayout()
            self.call_after_refresh(self.scroll_to_cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            elif name in ROW_STYLES:  # whole-row backgrounds, blended over the table's own
                style = self.get_component_rich_style(f"bead-table--{name}")
            else:  # overlays (colour, bold, ...) added on top of whatever row they are in
                full = self.get_component_rich_style(f"bead-table--{name}")
                style = Style(color=full.color, bold=full.bold, italic=full.italic,
                              underline=full.underline, dim=full.dim,
                              bgcolor=full.bgcolor if name in OWN_BACKGROUND else None)
            self._styles[name] = style
        return style

    def bead_at_line(self, line: int) -> int:
        return max(0, min(bisect_right(self._starts, line) - 1, len(self.beads) - 1))

    # -- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line = y + int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if not self.beads or line >= self._starts[-1]:
            return Strip.blank(width, self._style("base"))
        i = self.bead_at_line(line)
        strips = self._cache.get(i)
        if strips is None:
            strips = self._cache[i] = self._render_bead(i)
        return strips[line - self._starts[i]]

    def _render_bead(self, i: int) -> list[Strip]:
        b = self.beads[i]
        cols = self.columns
        row = self._style("base")
        if b.status == Status.ACCEPTED:
            row = self._style("accepted")
        elif b.status == Status.REJECTED:
            row = self._style("rejected")
        is_cursor = i == self.cursor
        if is_cursor:
            row = self._style("cursor")
        height = self._heights[i]
        src_lines = self._side_lines(b, "src", row, is_cursor)
        tgt_lines = self._side_lines(b, "tgt", row, is_cursor)
        blank = [Segment(" " * cols.side, row)]
        rule = Segment("│", row + self._style("rule"))
        gutter_first = self._gutter(b, row)
        gutter_rest = [Segment(" " * (cols.gutter - 2), row)]
        strips = []
        for n in range(height):
            segments = list(gutter_first if n == 0 else gutter_rest)
            segments += [rule, Segment(" ", row)]
            segments += src_lines[n] if n < len(src_lines) else blank
            segments += [Segment(" ", row), rule, Segment(" ", row)]
            segments += tgt_lines[n] if n < len(tgt_lines) else blank
            strip = Strip(segments)
            strips.append(strip.adjust_cell_length(cols.width, row).simplify())
        return strips

    def _gutter(self, b: BeadRow, row: Style) -> list[Segment]:
        cols = self.columns
        mark_style = row
        if b.status == Status.ACCEPTED:
            mark_style = row + self._style("mark-accepted")
        elif b.status == Status.REJECTED:
            mark_style = row + self._style("mark-rejected")
        kind_style = row + self._style("unusual") if b.kind != "1-1" else row
        if b.origin == Origin.MANUAL:
            conf, conf_style = " man", row + self._style("manual")
        else:
            conf = f"{b.confidence:.2f}"[-4:] if b.confidence < 1 else "1.00"
            conf_style = row
            if is_low_confidence(b, self.threshold):  # marked, not only coloured
                conf, conf_style = conf[-3:] + "!", row + self._style("low")
        return [
            Segment(f"{b.position + 1:>{cols.number}} ", row),
            Segment(MARKS.get(b.status, "?"), mark_style),
            Segment(" ", row),
            Segment(f"{b.kind:<{cols.kind}}", kind_style),
            Segment(" ", row),
            Segment(f"{conf:>{Columns.CONF}}", conf_style),
            Segment(" ", row),
        ]

    def _side_lines(self, b: BeadRow, side: Side, row: Style, is_cursor: bool) -> list[list[Segment]]:
        cols = self.columns
        start, end = self.side_span_of(b, side)
        texts = self.texts(side)
        if start == end:
            return [[Segment("—".ljust(cols.side), row + self._style("empty"))]]
        out: list[list[Segment]] = []
        id_style = row + self._style("id")
        pattern = None
        if self.query_text and self.query_side == side:
            pattern = re.compile(re.escape(self.query_text.strip()), re.IGNORECASE)
        for idx in range(start, end):
            focused = is_cursor and side == self.side and idx == self.focus_index
            text_style = row + self._style("focus") if focused else row
            for n, piece in enumerate(wrap_cells(texts[idx], cols.text)):
                ident = f"{idx:>{cols.ident}}" if n == 0 else " " * cols.ident
                line = [Segment(ident, id_style), Segment(" ", row)]
                line += self._highlight(piece, text_style, pattern)
                pad = cols.side - cols.ident - 1 - cell_len(piece)
                if pad > 0:
                    line.append(Segment(" " * pad, text_style if focused else row))
                out.append(line)
        return out

    def _highlight(self, text: str, style: Style, pattern: re.Pattern[str] | None) -> list[Segment]:
        if pattern is None or not pattern.pattern:
            return [Segment(text, style)]
        out, pos = [], 0
        for m in pattern.finditer(text):
            if m.start() > pos:
                out.append(Segment(text[pos:m.start()], style))
            out.append(Segment(m.group(), style + self._style("match")))
            pos = m.end()
        if pos < len(text):
            out.append(Segment(text[pos:], style))
        return out or [Segment(text, style)]

    # -- cursor -----------------------------------------------------------------------------

    def _move(self, position: int, *, keep_focus: bool = False, force: bool = False) -> None:
        if not self.beads:
            return
        position = max(0, min(position, len(self.beads) - 1))
        old = self.cursor
        if position == old and not force:
            return
        s0, s1 = self.side_span(position, self.side)
        if not (keep_focus and self.focus_index is not None and s0 <= self.focus_index < s1):
            # focus the working side; on a 0-1 / 1-0 bead, the only side there is
            side = self.working_side
            s0, s1 = self.side_span(position, side)
            if s0 == s1:
                side = "tgt" if side == "src" else "src"
                s0, s1 = self.side_span(position, side)
            self.side = side
            self.focus_index = s0 if s1 > s0 else None
        self._cache.pop(old, None)
        self._cache.pop(position, None)
        self.cursor = position
        self.refresh_bead(old)
        self.refresh_bead(position)
        self.scroll_to_cursor()  # a scroll repaints everything anyway
        self.post_message(self.CursorMoved(self, position))

    def refresh_bead(self, position: int) -> None:
        """Repaint only the screen lines of one bead (a cursor move touches two beads)."""
        self._cache.pop(position, None)
        if not 0 <= position < len(self._heights):
            return
        top = self._starts[position] - int(self.scroll_offset.y)
        self.refresh(Region(0, top, self.size.width, self._heights[position]))

    def move_to(self, position: int, *, side: Side | None = None, sentence: int | None = None) -> None:
        """Put the cursor on a bead (and optionally on one of its sentences)."""
        if side is not None:
            self.side = self.working_side = side
        self._move(position, force=True)
        if sentence is not None:
            s0, s1 = self.side_span(self.cursor, self.side)
            if s0 <= sentence < s1:
                self.focus_index = sentence
                self.refresh_bead(self.cursor)

    def scroll_to_cursor(self) -> None:
        if not self.beads or not self._heights:
            return
        i = self.cursor
        region = Region(0, self._starts[i], self.columns.width, min(self._heights[i], max(self.size.height - 2, 1)))
        self.scroll_to_region(region, animate=False, force=True, spacing=Spacing(1, 0, 1, 0))

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_page_down(self) -> None:
        if not self.beads:
            return
        line = self._starts[self.cursor] + max(self.size.height - 1, 1)
        target = self.bead_at_line(min(line, self._starts[-1] - 1))
        self._move(max(target, self.cursor + 1))

    def action_page_up(self) -> None:
        if not self.beads:
            return
        line = self._starts[self.cursor] - max(self.size.height - 1, 1)
        target = self.bead_at_line(max(line, 0))
        self._move(min(target, self.cursor - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.beads) - 1)

    def action_side(self, side: Side) -> None:
        self.working_side = side
        if side == self.side or not self.beads:
            return
        self.side = side
        s0, s1 = self.side_span(self.cursor, side)
        self.focus_index = s0 if s1 > s0 else None
        self.refresh_bead(self.cursor)
        self.post_message(self.CursorMoved(self, self.cursor))

    def _cycle(self, step: int) -> None:
        """Walk the focus through every sentence of the bead: source ones, then target ones."""
        if not self.beads:
            return
        slots: list[tuple[Side, int]] = [("src", i) for i in range(*self.side_span(self.cursor, "src"))]
        slots += [("tgt", i) for i in range(*self.side_span(self.cursor, "tgt"))]
        if not slots:
            return
        current = (self.side, self.focus_index)
        n = slots.index(current) if current in slots else -1
        self.side, self.focus_index = slots[(n + step) % len(slots)]
        self.refresh_bead(self.cursor)
        self.post_message(self.CursorMoved(self, self.cursor))

    def action_next_sentence(self) -> None:
        self._cycle(1)

    def action_prev_sentence(self) -> None:
        self._cycle(-1)

    def on_click(self, event: Click) -> None:
        """Click a bead to put the cursor there; click a sentence to focus it."""
        if not self.beads:
            return
        line = event.y + int(self.scroll_offset.y)
        if line >= self._starts[-1]:
            return
        i = self.bead_at_line(line)
        cols = self.columns
        side: Side = "src" if event.x < cols.gutter + cols.side + 1 else "tgt"
        self.side = self.working_side = side
        self._move(i, force=True)
        offset = line - self._starts[i]
        texts = self.texts(side)
        s0, s1 = self.side_span(i, side)
        seen = 0
        for idx in range(s0, s1):
            seen += len(wrap_cells(texts[idx], cols.text))
            if offset < seen:
                self.move_to(i, sentence=idx)
                break


class BeadHeader(Widget):
    """Column titles that line up with a :class:`BeadTable` (which sits below it)."""

    DEFAULT_CSS = """
    BeadHeader { height: 1; }
    """

    def __init__(self, table: BeadTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.table = table
        table.header = self

    def render_line(self, y: int) -> Strip:
        cols = self.table.columns
        style = self.rich_style
        head = f"{'#':>{cols.number}} {'✓'} {'type':<{cols.kind}} {'conf':>{Columns.CONF}} "
        src = f"{'id':>{cols.ident}} {language_name(self.table.langs[0])}"
        tgt = f"{'id':>{cols.ident}} {language_name(self.table.langs[1])}"
        text = f"{head}│ {src:<{cols.side}} │ {tgt}"
        return Strip([Segment(text, style)]).adjust_cell_length(self.size.width, style)
