"""The corpus screen: every article pair with its review progress; Enter opens one.

The title columns get what the other columns leave of the terminal's width, so every
column shows at 80 columns and titles widen on a wide terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from aligner import review
from aligner.display import plain, visible
from aligner.model import PairProgress
from aligner.store import PairSummary
from aligner.text.langcheck import language_name
from tui.screens.export import ExportDialog, ExportRequest
from tui.screens.help import HelpScreen, HelpSections
from tui.screens.pair import PairScreen
from tui.screens.pairing import ORIGIN_COLUMN, ORIGIN_HELP, origin_cell, shows_origin
from tui.widgets import StatusLine

if TYPE_CHECKING:
    from tui.app import ReviewApp

SORTS: list[tuple[str, Callable[[PairSummary], Any]]] = [
    ("corpus order", lambda s: s.pair_id),
    ("unreviewed first", lambda s: (s.status == PairProgress.DONE, -s.unreviewed / max(s.beads, 1), s.pair_id)),
    ("lowest confidence first", lambda s: (s.mean_confidence is None, s.mean_confidence or 0.0, s.pair_id)),
    ("newest first", lambda s: (s.published is None, "" if s.published is None else _neg(s.published), s.pair_id)),
]
FILTERS = ["all", "to do", "done"]
STATUS_STYLE = {PairProgress.NEW: "bold", PairProgress.IN_PROGRESS: "yellow", PairProgress.DONE: "green",
                PairProgress.EMPTY: "dim"}
# (key, header, cells) of the columns; None: the titles' share ("{}": the side's language)
COLUMNS: list[tuple[str, str, int | None]] = [
    ("src", "{} title", None), ("tgt", "{} title", None), ("date", "Date", 10), ("beads", "Beads", 5),
    ("reviewed", "Reviewed", 8), ("conf", "Conf.", 5), ("status", "Status", 11),
]
CELL_PADDING = 2  # DataTable pads every cell by one on each side
SCROLLBAR = 2

HELP_SECTIONS: HelpSections = [
    ("Pairs", [
        Binding("enter", "open", "Open", tooltip="open the pair under the cursor"),
        Binding("slash", "search", "Search", tooltip="search titles (English or Korean); Esc clears"),
        Binding("o", "sort", "Sort", tooltip="sort: corpus order, unreviewed first, lowest confidence first, newest"),
        Binding("v", "filter", "Filter", tooltip="show all pairs, only those to do, or only done ones"),
        Binding("r", "refresh", "Refresh", show=False, tooltip="re-read the corpus (after a batch run)"),
    ]),
    ("Other", [
        Binding("E", "export", "Export", tooltip="export the corpus (TMX, TSV, Moses, JSON Lines)"),
        Binding("question_mark,f1", "help", "Help", tooltip="all keys"),
        Binding("q", "quit", "Quit", tooltip="quit (everything is already saved)"),
    ]),
]


def _neg(iso: str) -> str:
    """Sort ISO dates newest first by inverting each digit."""
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in iso)


def title_widths(width: int, id_cells: int, columns: list[tuple[str, str, int | None]] = COLUMNS) -> tuple[int, int]:
    """Cells for the source and target titles on a screen ``width`` wide: what the other
    columns leave, three parts to two (at least 10 and 8, so a title is never just '…')."""
    fixed = id_cells + sum(cells for _, _, cells in columns if cells) + CELL_PADDING * (len(columns) + 1)
    free = width - fixed - SCROLLBAR
    en = max(10, free * 3 // 5)
    return en, max(8, free - en)


def clip(text: str, cells: int) -> str:
    """Cut ``text`` to ``cells`` terminal cells (Hangul is two), with an ellipsis."""
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, cells - 1).rstrip() + "…"


class TitleSearch(Input):
    """Filter pairs by title as you type; Enter or Esc returns to the list (Esc clears)."""

    BINDINGS = [Binding("escape", "clear", "Clear search", show=False)]

    def action_clear(self) -> None:
        self.value = ""
        self.screen.query_one(DataTable).focus()


class PairList(DataTable):
    """The pairs table, with the same j/k/g/G moves as the pair screen."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First", show=False),
        Binding("G", "scroll_bottom", "Last", show=False),
    ]


class CorpusScreen(Screen):
    """All pairs with title, date, bead count, share reviewed, mean confidence, status."""

    HELP_SECTIONS = HELP_SECTIONS
    BINDINGS = [b for _, group in HELP_SECTIONS for b in group]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[PairSummary] = []
        self.sort_index = 0
        self.filter_index = 0
        self.widths: tuple[int, int, int] = (0, 0, 0)  # id, source title, target title
        self.langs: tuple[str, str] = ("en", "ko")  # the corpus's languages, for the title columns
        self.columns = COLUMNS  # with the "Paired" column once a pair was not made by a link

    @property
    def rapp(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="corpus-title")
        yield TitleSearch(placeholder="Search titles (press /)", id="title-search")
        yield PairList(id="pairs", cursor_type="row", zebra_stripes=True)
        yield Static("", id="empty-note")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_pairs()
        self.query_one(DataTable).focus()

    def on_resize(self, event: Resize) -> None:
        """New title widths for the new terminal width (the rows are redrawn with them)."""
        if self.fit_columns(event.size.width):
            self.fill_rows()

    def on_screen_resume(self) -> None:
        """Back from a pair: its counts changed."""
        self.refresh_pairs()

    # -- rows ---------------------------------------------------------------------------

    def fit_columns(self, width: int) -> bool:
        """(Re)make the columns for a screen ``width`` wide; False when they already fit it."""
        id_cells = max([1] + [len(str(s.pair_id)) for s in self.summaries])
        columns = COLUMNS + [ORIGIN_COLUMN] if shows_origin(self.summaries) else COLUMNS
        widths = (id_cells, *title_widths(width, id_cells, columns))
        if widths == self.widths and columns == self.columns:
            return False
        self.widths, self.columns = widths, columns
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("#", key="id", width=id_cells)
        for key, header, cells in columns:
            cells = cells or widths[1 if key == "src" else 2]
            header = header.format(language_name(self.langs[0 if key == "src" else 1]))
            table.add_column(header if len(header) <= cells else header.split()[0], key=key, width=cells)
        return True

    def refresh_pairs(self, keep: int | None = None, *, first: bool = False) -> None:
        """Re-read the corpus and redraw; the cursor stays on its pair (``first``: the top row)."""
        self.summaries = self.rapp.store.summaries()
        langs = self.rapp.store.languages()
        if langs != self.langs:
            self.langs, self.widths = langs, (0, 0, 0)  # new titles: make the columns again
        self.fit_columns(self.size.width or self.app.size.width)
        self.fill_rows(keep, first=first)

    def current_pair(self) -> int | None:
        """The pair id under the list's cursor."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)
        except Exception:  # noqa: BLE001 - an empty or rebuilt table has no cursor row
            return None

    def fill_rows(self, keep: int | None = None, *, first: bool = False) -> None:
        table = self.query_one(DataTable)
        if keep is None and not first:
            keep = self.current_pair()
        if keep is None and not first:
            last = review.last_position(self.rapp.store, self.rapp.reviewer)
            keep = last[0] if last else None
        rows = self.shown_pairs()
        _, src_cells, tgt_cells = self.widths
        table.clear()
        for s in rows:
            reviewed = Text(f"{s.reviewed_share:>4.0%}", style="green" if s.reviewed_share == 1 else "")
            conf = "" if s.mean_confidence is None else f"{s.mean_confidence:.2f}"
            conf_text = Text(conf, style="red" if s.mean_confidence is not None and
                             s.mean_confidence < review.LOW_CONFIDENCE else "")
            table.add_row(
                str(s.pair_id),
                plain(clip(visible(s.src_title or s.src_key), src_cells)),  # the pages' words: never markup
                plain(clip(visible(s.tgt_title or s.tgt_key), tgt_cells)),
                (s.published or "")[:10],
                Text(str(s.beads), justify="right"),
                reviewed,
                conf_text,
                Text(s.status, style=STATUS_STYLE.get(s.status, "")),
                *([origin_cell(s)] if len(self.columns) > len(COLUMNS) else []),
                key=str(s.pair_id),
            )
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(str(keep)))
            except Exception:  # noqa: BLE001 - the pair is filtered out
                pass
        elif rows:
            table.move_cursor(row=0)
        self.update_header(len(rows))

    def shown_pairs(self) -> list[PairSummary]:
        query = self.query_one(TitleSearch).value.strip().casefold()
        rows = self.summaries
        if query:
            rows = [s for s in rows if query in s.src_title.casefold() or query in s.tgt_title.casefold()]
        wanted = FILTERS[self.filter_index]
        if wanted == "to do":
            rows = [s for s in rows if s.status != PairProgress.DONE]
        elif wanted == "done":
            rows = [s for s in rows if s.status == PairProgress.DONE]
        return sorted(rows, key=SORTS[self.sort_index][1])

    def update_header(self, shown: int) -> None:
        title = self.query_one("#corpus-title", Static)
        title.update(
            f"[b]{self.rapp.db_path.name}[/] · {len(self.summaries)} pairs"
            f" · showing {shown} ({FILTERS[self.filter_index]}) · sorted by {SORTS[self.sort_index][0]}"
            f" · reviewer [b]{self.rapp.reviewer}[/]"
        )
        note = self.query_one("#empty-note", Static)
        if not self.summaries:
            note.update("This corpus has no article pairs yet. Build one with [b]aligner run DIR[/] first.")
            note.display = True
        elif not shown:
            note.update("No pair matches the search or filter. [b]Esc[/] in the search box clears it; "
                        "[b]v[/] changes the filter.")
            note.display = True
        else:
            note.display = False
        self.query_one(StatusLine).show(corpus=review.corpus_counts(self.rapp.store))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "title-search":
            self.fill_rows(first=bool(event.value.strip()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box opens the first matching pair (with nothing typed, it
        goes to the list)."""
        table = self.query_one(DataTable)
        if not event.value.strip():
            table.focus()
        elif table.row_count:
            table.focus()
            self.action_open()
        else:
            self.notify(f"no pair title contains “{event.value.strip()}”", severity="warning", timeout=3)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_pair(int(event.row_key.value or 0))

    # -- actions -----------------------------------------------------------------------

    def open_pair(self, pair_id: int) -> None:
        last = review.last_position(self.rapp.store, self.rapp.reviewer)
        position = last[1] if last and last[0] == pair_id else None
        self.app.push_screen(PairScreen(pair_id, position))

    def action_open(self) -> None:
        pair_id = self.current_pair()
        if pair_id is not None:
            self.open_pair(pair_id)

    def action_search(self) -> None:
        self.query_one(TitleSearch).focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.refresh_pairs()
        self.notify(f"sorted by {SORTS[self.sort_index][0]}", timeout=2)

    def action_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.refresh_pairs()
        self.notify(f"showing {FILTERS[self.filter_index]} pairs", timeout=2)

    def action_refresh(self) -> None:
        self.refresh_pairs()

    def action_export(self) -> None:
        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self.rapp.start_export(request)

        self.app.push_screen(ExportDialog(self.rapp.db_path), done)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Keys of the corpus screen", self.HELP_SECTIONS,
                                        "Enter opens a pair; inside it, ? lists the review keys.\n" + ORIGIN_HELP))

    async def action_quit(self) -> None:
        await self.app.action_quit()
