"""The pair screen's table of beads: the source side left, the target right, one row per bead.

Why a Line API widget and not a DataTable: rows have different heights (long sentences
wrap, a 2-1 bead has two source sentences), Korean needs cell-width-aware wrapping, and
a 1,000-bead pair must scroll without lag. So the table keeps only each bead's height
(a prefix sum maps a screen line to a bead by bisection) and renders a bead's lines the
first time they scroll into view, caching them until the data, the width or the cursor
changes. Wrapping is a small word-wrap over Rich's cell widths (Hangul counts 2 cells),
memoised per (text, width), so laying out 1,000 beads takes milliseconds.

Sentences come from pages and the database, so they are drawn as :func:`aligner.display.visible`
makes them (an ESC is drawn as ␛, never sent) and only as segments, never as markup.
Beads alternate between two backgrounds so that one bead's end is seen where the next
begins; on a 16-colour terminal (where the theme's close shades all become black) the
table uses a palette of its own whose stripes, cursor and marks stay apart.
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
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from aligner.display import visible
from aligner.model import Origin, Status
from aligner.review import LOW_CONFIDENCE, Query, Side, is_low_confidence
from aligner.store import BeadRow
from aligner.text.langcheck import language_name

SIDE_KEYS = Binding.Group("Side")
#: Whole-row backgrounds (a bead's status, on even and odd beads, and the cursor's).
ROW_STYLES = {"accepted", "rejected", "cursor", "stripe", "accepted-stripe", "rejected-stripe"}
OWN_BACKGROUND = {"match"}
MARKS = {"accepted": "✓", "rejected": "✗", "unreviewed": "·"}
NOTE_MARK = "✎"
#: Rows kept between the cursor's bead and the top or bottom edge when the table scrolls.
SCROLL_OFF = 3
#: The table's styles on a terminal of 16 colours (or none): the theme's shades of grey and
#: its blends all come out black there, so stripes, status rows and the cursor would look
#: alike. Colours are given as RGB values that map to one ANSI colour each (grey stripes,
#: a blue cursor); a bead's status shows in its mark (✓ ✗) instead of its background.
PALETTE_16: dict[str, Style] = {
    "accepted": Style(),
    "rejected": Style(),
    "stripe": Style(bgcolor="#404040"),
    "accepted-stripe": Style(bgcolor="#404040"),
    "rejected-stripe": Style(bgcolor="#404040"),
    "cursor": Style(bgcolor="#000080", color="#ffffff"),
    "focus": Style(bold=True, underline=True),
    "id": Style(),
    "low": Style(color="#ff0000", bold=True),
    "unusual": Style(color="#ffff00", bold=True),
    "manual": Style(color="#00ffff", italic=True),
    "mark-accepted": Style(color="#00ff00", bold=True),
    "mark-rejected": Style(color="#ff0000", bold=True),
    "note": Style(color="#00ffff", bold=True),
    "rule": Style(),
    "match": Style(color="#000000", bgcolor="#ffff00"),
    "empty": Style(),
}
_WORD = re.compile(r"\S+")


def palette_16_for(color_system: str | None, *, headless: bool = False) -> bool:
    """Whether a terminal of ``color_system`` (rich's name for it) needs :data:`PALETTE_16`:
    16 colours or none. A headless app (tests, snapshots) draws with the theme's colours
    whatever terminal runs the tests, so that what is pinned does not depend on it."""
    return not headless and color_system in (None, "standard", "windows")


@lru_cache(maxsize=65536)
def wrap_spans(text: str, width: int) -> tuple[tuple[int, int], ...]:
    """Word-wrap ``text`` to ``width`` terminal cells: each line as (start, end) offsets into
    ``text``, so a search match can be found in the whole sentence and then shown on the
    lines it falls on. Words longer than a line are cut."""
    width = max(width, 2)
    lines: list[tuple[int, int]] = []
    start: int | None = None
    end = used = 0
    for m in _WORD.finditer(text):
        s, e = m.span()
        w = cell_len(m.group())
        if w > width:
            if start is not None:
                lines.append((start, end))
            piece, pw = s, 0
            for k in range(s, e):
                cw = get_character_cell_size(text[k])
                if pw + cw > width and k > piece:
                    lines.append((piece, k))
                    piece, pw = k, 0
                pw += cw
            start, end, used = piece, e, pw
            continue
        gap = cell_len(text[end:s]) if start is not None else 0
        if start is None:
            start, end, used = s, e, w
        elif used + gap + w <= width:
            end, used = e, used + gap + w
        else:
            lines.append((start, end))
            start, end, used = s, e, w
    if start is not None:
        lines.append((start, end))
    return tuple(lines) or ((0, 0),)


def wrap_cells(text: str, width: int) -> tuple[str, ...]:
    """Word-wrap ``text`` to ``width`` terminal cells; words longer than a line are cut."""
    return tuple(text[s:e] for s, e in wrap_spans(text, width))


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
        "bead-table--stripe",
        "bead-table--accepted-stripe",
        "bead-table--rejected-stripe",
        "bead-table--note",
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
        self.highlight: Query | None = None  # the search whose matches are highlighted
        self.threshold: float = LOW_CONFIDENCE
        self.palette_16 = False  # True on a terminal of 16 colours or none (see PALETTE_16)
        self.columns = Columns.fit(80, 0, 0, 3)
        self._starts: list[int] = [0]
        self._heights: list[int] = []
        self._cache: dict[int, list[Strip]] = {}
        self._styles: dict[str, Style] = {}
        self.header: Widget | None = None  # a BeadHeader registers itself here

    # -- data ---------------------------------------------------------------------------

    def set_pair(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        beads: Sequence[BeadRow],
        cursor: int | None = None,
        langs: tuple[str, str] | None = None,
    ) -> None:
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

    def set_query(self, query: Query | None) -> None:
        """Highlight the matches of ``query`` (None: no highlight)."""
        self.highlight = query
        self._cache.clear()
        self.refresh()

    def on_mount(self) -> None:
        self.use_palette_16(palette_16_for(self.app.console.color_system, headless=self.app.is_headless))

    def use_palette_16(self, on: bool) -> None:
        """Draw with :data:`PALETTE_16` (``on``) or the theme's colours."""
        if on != self.palette_16:
            self.palette_16 = on
            self._styles.clear()
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
        src, tgt, width = self.src, self.tgt, cols.text
        for b in self.beads:
            h_src = sum(len(wrap_spans(visible(src[i]), width)) for i in range(b.src_start, b.src_end))
            h_tgt = sum(len(wrap_spans(visible(tgt[i]), width)) for i in range(b.tgt_start, b.tgt_end))
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
            elif self.palette_16:
                style = self.rich_style + PALETTE_16[name] if name in ROW_STYLES else PALETTE_16[name]
            elif name in ROW_STYLES:  # whole-row backgrounds, blended over the table's own
                style = self.get_component_rich_style(f"bead-table--{name}")
            else:  # overlays (colour, bold, ...) added on top of whatever row they are in
                full = self.get_component_rich_style(f"bead-table--{name}")
                style = Style(
                    color=full.color,
                    bold=full.bold,
                    italic=full.italic,
                    underline=full.underline,
                    dim=full.dim,
                    bgcolor=full.bgcolor if name in OWN_BACKGROUND else None,
                )
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

    def row_style_name(self, i: int) -> str:
        """The background a bead's rows get: its status's, alternating between even and odd
        beads (so each bead's end shows), or the cursor's."""
        if i == self.cursor:
            return "cursor"
        status = self.beads[i].status
        name = "accepted" if status == Status.ACCEPTED else "rejected" if status == Status.REJECTED else ""
        if i % 2:
            return f"{name}-stripe" if name else "stripe"
        return name or "base"

    def _render_bead(self, i: int) -> list[Strip]:
        b = self.beads[i]
        cols = self.columns
        row = self._style(self.row_style_name(i))
        is_cursor = i == self.cursor
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
            Segment(f"{b.position + 1:>{cols.number}}", row),
            Segment(NOTE_MARK, row + self._style("note")) if b.note else Segment(" ", row),
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
        query = self.highlight if self.highlight is not None and side in self.highlight.sides else None
        for idx in range(start, end):
            focused = is_cursor and side == self.side and idx == self.focus_index
            text_style = row + self._style("focus") if focused else row
            shown = visible(texts[idx])
            matches = query.spans(shown) if query is not None else []
            for n, (s, e) in enumerate(wrap_spans(shown, cols.text)):
                piece = shown[s:e]
                ident = f"{idx:>{cols.ident}}" if n == 0 else " " * cols.ident
                line = [Segment(ident, id_style), Segment(" ", row)]
                line += self._highlight(shown, s, e, text_style, matches)
                pad = cols.side - cols.ident - 1 - cell_len(piece)
                if pad > 0:
                    line.append(Segment(" " * pad, text_style if focused else row))
                out.append(line)
        return out

    def _highlight(
        self, text: str, start: int, end: int, style: Style, matches: Sequence[tuple[int, int]]
    ) -> list[Segment]:
        """The line ``text[start:end]`` as segments, the parts inside ``matches`` highlighted
        (a match may run over several lines)."""
        out, pos = [], start
        for m0, m1 in matches:
            a, b = max(m0, start), min(m1, end)
            if a >= b:
                continue
            if a > pos:
                out.append(Segment(text[pos:a], style))
            out.append(Segment(text[a:b], style + self._style("match")))
            pos = b
        if pos < end:
            out.append(Segment(text[pos:end], style))
        return out or [Segment("", style)]

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
        """Bring the cursor's bead into view with :data:`SCROLL_OFF` rows of context above and
        below it (fewer when the bead and its context do not fit). A bead that was out of
        sight (a jump: n, w, a search, a bead number) comes to the middle of the table."""
        if not self.beads or not self._heights:
            return
        i = self.cursor
        top, height, view = self._starts[i], self._heights[i], max(self.size.height, 1)
        y = int(self.scroll_offset.y)
        off = max(0, min(SCROLL_OFF, (view - height) // 2))
        if top + height <= y or top >= y + view:  # out of sight: centre it
            target = top - max((view - height) // 2, 0)
        elif top - off < y:
            target = top - off
        elif top + height + off > y + view:  # the bead's top stays in sight, even when it is taller
            target = min(top + height + off - view, top - off)
        else:
            return
        target = max(0, min(target, self._starts[-1] - view))
        if target != y:
            self.scroll_to(y=target, animate=False, force=True, immediate=True)

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
            seen += len(wrap_spans(visible(texts[idx]), cols.text))
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
        src = f"{'id':>{cols.ident}} {visible(language_name(self.table.langs[0]))}"
        tgt = f"{'id':>{cols.ident}} {visible(language_name(self.table.langs[1]))}"
        text = f"{head}│ {src:<{cols.side}} │ {tgt}"
        return Strip([Segment(text, style)]).adjust_cell_length(self.size.width, style)
