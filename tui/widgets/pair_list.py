"""The corpus screen's list of pairs: one line per pair, drawn only where it is on screen.

Why not a DataTable: a DataTable builds every row's cells when they are added, which took
3-5 s for a 10,000-pair corpus at start and again after every sort, filter or search key.
This list keeps the pairs as they are (:class:`~aligner.store.PairSummary`) and draws a
line the first time it scrolls into view, caching it until the data, the width or the
cursor changes; sorting or filtering 10,000 pairs is then a Python sort and a repaint.

Every string from the database (titles, document keys, reviewer names) is drawn through
:func:`aligner.display.visible` as a plain segment: never parsed as markup, no control
character reaching the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from aligner.display import visible
from aligner.model import PairedBy, PairProgress
from aligner.review import LOW_CONFIDENCE
from aligner.store import PairSummary
from aligner.text.langcheck import language_name

#: Fixed columns after the titles: (key, header, cells).
FIXED = (
    ("date", "Date", 10),
    ("beads", "Beads", 5),
    ("reviewed", "Done", 4),
    ("conf", "Conf.", 5),
    ("status", "Status", 11),
    ("who", "Who", 8),
)
#: How the pair was made, shown after the status once some pair was not made by a link.
ORIGIN = ("paired", "Paired", 8)
HEADERS = {key: header for key, header, _ in (*FIXED, ORIGIN)}
GAP = 1  # cells between two columns (two would cost the titles 8 cells at 80 columns)
ROW_STYLES = {"odd", "cursor"}
STATUS_CLASS = {
    PairProgress.NEW: "new",
    PairProgress.IN_PROGRESS: "in-progress",
    PairProgress.DONE: "done",
    PairProgress.EMPTY: "empty",
}


def clip(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells (Hangul is two), with an ellipsis; padded to them."""
    if cells <= 0:
        return ""
    if cell_len(text) > cells:
        text = set_cell_size(text, cells - 1).rstrip() + "…"
    return set_cell_size(text, cells)


def shows_origin(summaries: Sequence[PairSummary]) -> bool:
    """The list needs the "Paired" column once some pair was not made by a link, or a pairing was rejected."""
    return any(s.how != PairedBy.LINK or s.pairing_rejected for s in summaries)


def origin_label(summary: PairSummary) -> tuple[str, str]:
    """The "Paired" cell and its style: "link", "c 0.97", "c 0.62?" (unsure), "✗c 0.97" (rejected)."""
    label = summary.origin.label(short=True)
    if summary.pairing_rejected:
        return "✗" + label, "rejected"
    return label, "unsure" if summary.sure is False else ""


def who_text(names: Sequence[str], cells: int) -> str:
    """Reviewers on a pair, as many as fit: "bob", "bob +2"."""
    if not names:
        return ""
    first = visible(names[0])
    more = f" +{len(names) - 1}" if len(names) > 1 else ""
    return clip(first, max(cells - len(more), 1)).rstrip() + more


@dataclass(frozen=True)
class ListColumns:
    """Column geometry for one width: the titles share what the other columns leave."""

    width: int
    ident: int
    src: int
    tgt: int
    origin: bool = False  # with the "Paired" column

    @classmethod
    def fit(cls, width: int, max_id: int, origin: bool = False) -> ListColumns:
        ident = max(1, len(str(max_id)))
        fixed_columns = cls.fixed(origin)
        fixed = ident + sum(cells for _, _, cells in fixed_columns) + GAP * (len(fixed_columns) + 2) + 1
        free = max(width - fixed, 12)  # below that the row is cut at the right edge
        src = free * 3 // 5
        return cls(width, ident, src, free - src, origin)

    @staticmethod
    def fixed(origin: bool) -> tuple[tuple[str, str, int], ...]:
        """The columns after the titles: the "Paired" one goes between the status and who."""
        return (*FIXED[:-1], ORIGIN, FIXED[-1]) if origin else FIXED

    def cells(self) -> list[tuple[str, int]]:
        """(key, cells) of every column in order."""
        return [
            ("id", self.ident),
            ("src", self.src),
            ("tgt", self.tgt),
            *((k, c) for k, _, c in self.fixed(self.origin)),
        ]


class PairList(ScrollView, can_focus=True):
    """Scrollable list of pairs with a row cursor; Enter (or a click on the cursor's row) opens one."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES = {
        "pair-list--odd",
        "pair-list--cursor",
        "pair-list--new",
        "pair-list--in-progress",
        "pair-list--done",
        "pair-list--empty",
        "pair-list--low",
        "pair-list--who",
        "pair-list--dim",
        "pair-list--unsure",
        "pair-list--rejected",
    }

    class Selected(Message):
        """Enter on a pair (or a click on the cursor's row): open it."""

        def __init__(self, pair_id: int) -> None:
            super().__init__()
            self.pair_id = pair_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[PairSummary] = []
        self.presence: dict[int, list[str]] = {}
        self.cursor = 0
        self.columns = ListColumns.fit(80, 1)
        self.max_id = 1
        self.origin = False  # the "Paired" column is shown
        self._cache: dict[int, Strip] = {}
        self._styles: dict[str, Style] = {}
        self.header: Widget | None = None  # a PairListHeader registers itself here

    # -- data ---------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def pair_at(self, row: int) -> PairSummary:
        return self.rows[row]

    def current(self) -> PairSummary | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def set_rows(
        self,
        rows: list[PairSummary],
        presence: dict[int, list[str]],
        *,
        max_id: int,
        keep: int | None = None,
        origin: bool = False,
    ) -> None:
        """Show ``rows`` (``origin``: with the "Paired" column); the cursor goes to pair ``keep``
        if it is shown, else stays on its row."""
        self.rows, self.presence = rows, presence
        if (max_id, origin) != (self.max_id, self.origin):
            self.max_id, self.origin = max_id, origin
            self._fit()
        target = self.cursor
        if keep is not None:
            target = next((i for i, s in enumerate(rows) if s.pair_id == keep), target)
        self.cursor = max(0, min(target, len(rows) - 1))
        self._cache.clear()
        self.virtual_size = Size(self.columns.width, len(rows))
        self.refresh()
        self.scroll_to_cursor()

    def set_presence(self, presence: dict[int, list[str]]) -> None:
        """New reviewers' places: repaint (the rows are the same)."""
        if presence != self.presence:
            self.presence = presence
            self._cache.clear()
            self.refresh()

    def row_text(self, row: int) -> str:
        """A row as plain text, as drawn (for tests and screen readers alike)."""
        return "".join(segment.text for segment in self._render_row(row))

    def row_cells(self, row: int) -> dict[str, str]:
        """A row's cells by column key ("id", "src", ..., "paired", "who"), as drawn, unpadded."""
        keys = [key for key, _ in self.columns.cells()]
        return {key: text.strip() for key, (text, _) in zip(keys, self._cells(row), strict=True)}

    # -- layout and drawing ----------------------------------------------------------------

    def _fit(self) -> None:
        self.columns = ListColumns.fit(max(self.scrollable_content_region.width, 40), self.max_id, self.origin)
        self._cache.clear()
        if self.header is not None:
            self.header.refresh()

    def on_resize(self, event: Resize) -> None:
        if max(self.scrollable_content_region.width, 40) != self.columns.width:
            self._fit()
            self.virtual_size = Size(self.columns.width, len(self.rows))
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            elif name in ROW_STYLES:  # whole-row backgrounds
                style = self.get_component_rich_style(f"pair-list--{name}")
            else:  # overlays (colour, bold): the row's background shows through
                full = self.get_component_rich_style(f"pair-list--{name}")
                style = Style(color=full.color, bold=full.bold, italic=full.italic, dim=full.dim, strike=full.strike)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        row = y + int(self.scroll_offset.y)
        if row >= len(self.rows):
            return Strip.blank(self.scrollable_content_region.width, self._style("base"))
        strip = self._cache.get(row)
        if strip is None:
            strip = self._cache[row] = (
                Strip(self._render_row(row)).adjust_cell_length(self.columns.width, self._row_style(row)).simplify()
            )
        return strip

    def _row_style(self, row: int) -> Style:
        style = self._style("base")
        if row % 2:
            style += self._style("odd")
        if row == self.cursor:
            style += self._style("cursor")
        return style

    def _render_row(self, row: int) -> list[Segment]:
        base = self._row_style(row)
        segments = [Segment(" ", base)]
        for n, (text, style) in enumerate(self._cells(row)):
            if n:
                segments.append(Segment(" " * GAP, base))
            segments.append(Segment(text, style))
        return segments

    def _cells(self, row: int) -> list[tuple[str, Style]]:
        """The row's cells in column order, each padded to its width, with its style."""
        s = self.rows[row]
        base = self._row_style(row)
        cols = self.columns
        low = s.mean_confidence is not None and s.mean_confidence < LOW_CONFIDENCE
        names = self.presence.get(s.pair_id, [])
        cells: list[tuple[str, Style]] = [
            (f"{s.pair_id:>{cols.ident}}", base + self._style("dim")),
            (clip(visible(s.src_title or s.src_key), cols.src), base),
            (clip(visible(s.tgt_title or s.tgt_key), cols.tgt), base),
            (clip(visible((s.published or "")[:10]), 10), base),
            (f"{s.beads:>5}", base),
            (f"{s.reviewed_share:>4.0%}", base + self._style("done") if s.reviewed_share == 1 else base),
            (
                "     " if s.mean_confidence is None else f"{s.mean_confidence:>5.2f}",
                base + self._style("low") if low else base,
            ),
            (clip(str(s.status), 11), base + self._style(STATUS_CLASS.get(s.status, "new"))),
        ]
        if cols.origin:
            label, style = origin_label(s)
            cells.append((clip(visible(label), ORIGIN[2]), base + self._style(style) if style else base))
        cells.append((clip(who_text(names, 8), 8), base + self._style("who")))
        return cells

    # -- cursor ---------------------------------------------------------------------------------

    def move_to(self, row: int) -> None:
        if not self.rows:
            return
        row = max(0, min(row, len(self.rows) - 1))
        old, self.cursor = self.cursor, row
        for r in (old, row):
            self._cache.pop(r, None)
            self.refresh(Region(0, r - int(self.scroll_offset.y), self.size.width, 1))
        self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        if self.rows:
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def action_select(self) -> None:
        pair = self.current()
        if pair is not None:
            self.post_message(self.Selected(pair.pair_id))

    def on_click(self, event: Click) -> None:
        row = event.y + int(self.scroll_offset.y)
        if not 0 <= row < len(self.rows):
            return
        if row == self.cursor:
            self.action_select()
        else:
            self.move_to(row)


class PairListHeader(Widget):
    """Column titles that line up with a :class:`PairList` below them."""

    DEFAULT_CSS = """
    PairListHeader { height: 1; }
    """

    def __init__(self, pairs: PairList, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pairs = pairs
        self.langs: tuple[str, str] = ("en", "ko")
        pairs.header = self

    def set_languages(self, langs: tuple[str, str]) -> None:
        if langs != self.langs:
            self.langs = langs
            self.refresh()

    def render_line(self, y: int) -> Strip:
        cols = self.pairs.columns
        headers = {
            "id": "#",
            "src": visible(f"{language_name(self.langs[0])} title"),  # a code from the pages
            "tgt": visible(f"{language_name(self.langs[1])} title"),
            **HEADERS,
        }
        parts = []
        for key, cells in cols.cells():
            header = headers[key]
            if cell_len(header) > cells:
                header = header.split()[0]
            parts.append(clip(header, cells) if key != "id" else f"{header:>{cells}}")
        style = self.rich_style
        return Strip([Segment(" " + (" " * GAP).join(parts), style)]).adjust_cell_length(self.size.width, style)
