"""The corpus screen: every article pair with its review progress and who is on it; Enter opens one.

The list (:class:`~tui.widgets.pair_list.PairList`) draws only the lines on screen, so a
10,000-pair corpus sorts, filters and searches as you type. Other reviewers and batch
runs write to the same database: the app notices (:meth:`ReviewApp.check_for_changes`)
and the screen re-reads the corpus in a worker thread, keeping the cursor on its pair.

Titles, keys, reviewer names and the search text come from outside: they are drawn
through :mod:`aligner.display` and never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

import aligner.review as review
from aligner.display import visible
from aligner.model import PairProgress
from aligner.review import Counts
from aligner.store import ChangeMarks, PairSummary, Presence, Store
from tui.screens.export import ExportDialog, ExportRequest
from tui.screens.help import HelpScreen, HelpSections
from tui.screens.pair import PairScreen
from tui.screens.pairing import ORIGIN_HELP
from tui.widgets import StatusLine
from tui.widgets.key_footer import KeyFooter
from tui.widgets.pair_list import PairList, PairListHeader, shows_origin

if TYPE_CHECKING:
    from tui.app import ReviewApp

SORTS: list[tuple[str, Callable[[PairSummary], Any]]] = [
    ("corpus order", lambda s: s.pair_id),
    ("unreviewed first", lambda s: (s.status == PairProgress.DONE, -s.unreviewed / max(s.beads, 1), s.pair_id)),
    ("lowest confidence first", lambda s: (s.mean_confidence is None, s.mean_confidence or 0.0, s.pair_id)),
    ("newest first", lambda s: (s.published is None, "" if s.published is None else _neg(s.published), s.pair_id)),
]
FILTERS = ["all", "to do", "done"]
#: More pairs edited than this since the last look (a script's batch of edits): re-read all, in the background.
TARGETED_MAX = 200

HELP_SECTIONS: HelpSections = [
    (
        "Pairs",
        [
            Binding("enter", "open", "Open", tooltip="open the pair under the cursor"),
            Binding("slash", "search", "Search", tooltip="search titles (English or Korean); Esc clears"),
            Binding(
                "o", "sort", "Sort", tooltip="sort: corpus order, unreviewed first, lowest confidence first, newest"
            ),
            Binding("v", "filter", "Filter", tooltip="show all pairs, only those to do, or only done ones"),
            Binding(
                "r",
                "refresh",
                "Refresh",
                show=False,
                tooltip="re-read the corpus now (other reviewers' and batch runs' changes show within a second "
                "anyway; Who names the reviewers on each pair)",
            ),
        ],
    ),
    (
        "Other",
        [
            Binding("E", "export", "Export", tooltip="export the corpus (TMX, TSV, Moses, JSON Lines)"),
            Binding("question_mark,f1", "help", "Help", tooltip="all keys"),
            Binding("q", "quit", "Quit", tooltip="quit (everything is already saved)"),
        ],
    ),
]


def _neg(iso: str) -> str:
    """Sort ISO dates newest first by inverting each digit."""
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in iso)


def corpus_totals(summaries: list[PairSummary]) -> Counts:
    """The corpus's beads by status, from the list already read (no second query)."""
    return Counts(
        sum(s.accepted for s in summaries), sum(s.rejected for s in summaries), sum(s.unreviewed for s in summaries)
    )


def presence_map(presence: list[Presence]) -> dict[int, list[str]]:
    """Pair id -> the reviewers on it, by name."""
    out: dict[int, list[str]] = {}
    for p in presence:
        out.setdefault(p.pair_id, []).append(p.reviewer)
    return out


class ListTitle(Widget):
    """The line above the list (corpus, counts, sort, reviewer): redrawn on every search key,
    so a plain widget whose update repaints one line, where a Static's asks for a layout
    pass of the whole screen."""

    DEFAULT_CSS = "ListTitle { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()

    def render(self) -> Text:
        return self.text

    def show(self, text: Text) -> None:
        if text != self.text:
            self.text = text
            self.refresh()


class TitleSearch(Input):
    """Filter pairs by title as you type; Enter or Esc returns to the list (Esc clears)."""

    BINDINGS = [Binding("escape", "clear", "Clear search", show=False)]

    def validate_value(self, value: str) -> str:
        """Typed or pasted text loses its control and bidi characters: no title search needs
        them, and the box would draw them to the terminal as they are."""
        return "".join(c for c in value if visible(c) == c)

    def action_clear(self) -> None:
        self.value = ""
        self.screen.query_one(PairList).focus()


class CorpusScreen(Screen):
    """All pairs with title, date, bead count, share reviewed, mean confidence, status, who is on it."""

    HELP_SECTIONS = HELP_SECTIONS
    BINDINGS = [b for _, group in HELP_SECTIONS for b in group]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[PairSummary] = []
        self.folded: dict[int, str] = {}  # pair id -> both titles casefolded, for the search
        self.presence: list[Presence] = []
        self.sort_index = 0
        self.filter_index = 0
        self.langs: tuple[str, str] = ("en", "ko")  # the corpus's languages, for the title columns
        self.stale = False  # changed by others while a pair was open: re-read on return
        self.totals = Counts()  # the corpus's beads by status
        self.marks: ChangeMarks | None = None  # what the corpus looked like when last read
        self.note = ""  # what the note under the list says ("" when hidden)

    @property
    def rapp(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    @property
    def pairs(self) -> PairList:
        return self.query_one(PairList)

    def compose(self) -> ComposeResult:
        pairs = PairList(id="pairs")
        yield ListTitle(id="corpus-title")
        yield TitleSearch(placeholder="Search titles (press /)", id="title-search")
        yield PairListHeader(pairs, id="pairs-header")
        yield pairs
        note = Static("", id="empty-note")
        note.display = False
        yield note
        yield StatusLine(id="status")
        yield KeyFooter()  # not Textual's Footer: it rebuilds itself on every focus move (/, Esc)

    def on_mount(self) -> None:
        self.refresh_pairs()
        self.pairs.focus()

    def on_screen_resume(self) -> None:
        """Back from a pair: re-read it (its counts changed), and the rest if others wrote meanwhile."""
        pair = self.pairs.current()
        if self.stale:
            self.stale = False
            self.reload_in_background()
        if pair is not None and self.summaries:
            self.update_pairs([pair.pair_id])

    # -- reading the corpus --------------------------------------------------------------------

    def refresh_pairs(self, keep: int | None = None, *, first: bool = False) -> None:
        """Re-read the corpus now and redraw; the cursor stays on its pair (``first``: the top row)."""
        store = self.rapp.store
        self.marks = store.change_marks()
        self.set_corpus(
            store.summaries(), store.presence(self.rapp.presence_since()), store.languages(), keep=keep, first=first
        )

    def refresh_from_store(self) -> None:
        """Another program wrote to the database (called by the app). Review edits, undos and
        redos name their pairs in the edit log: only those are re-read, at once. Pairs added,
        or beads written with no edit logged (a run aligned a pair again): the whole corpus,
        in the background. Neither: only who is where changed."""
        store = self.rapp.store
        marks, old = store.change_marks(), self.marks
        if old is None:
            self.reload_in_background()
            return
        logged = (marks.last_edit, marks.last_step) != (old.last_edit, old.last_step)
        structural = (marks.pairs, marks.last_aligned, marks.last_document) != (
            old.pairs,
            old.last_aligned,
            old.last_document,
        )
        if structural or (marks.last_bead != old.last_bead and not logged):
            self.reload_in_background()
        elif logged:
            edited = store.pairs_edited_since(old)
            if len(edited) > TARGETED_MAX:
                self.reload_in_background()
            else:
                self.marks = marks
                self.update_pairs(edited)
        else:
            self.refresh_presence()

    def refresh_presence(self) -> None:
        """Who is where, again (a reviewer whose app stopped saying so drops off)."""
        self.presence = self.rapp.store.presence(self.rapp.presence_since())
        self.pairs.set_presence(presence_map(self.presence))
        self.update_header(self.pairs.row_count)

    @work(thread=True, exclusive=True, group="corpus-reload", exit_on_error=False)
    def reload_in_background(self) -> tuple[ChangeMarks, list[PairSummary], list[Presence], tuple[str, str]]:
        """The whole corpus read on a connection of its own (0.2-0.5 s for 10,000 pairs): the
        list keeps taking keys meanwhile. The marks are taken first, so what changes while
        it reads is found again afterwards."""
        with Store(self.rapp.db_path, create=False) as store:
            marks = store.change_marks()
            return marks, store.summaries(), store.presence(self.rapp.presence_since()), store.languages()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "corpus-reload":
            return
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, tuple):
            self.marks, summaries, presence, langs = event.worker.result
            self.set_corpus(summaries, presence, langs)
            self.refresh_from_store()  # edits made while it read
        elif event.state == WorkerState.ERROR:  # e.g. the database is locked for long: try on the next change
            self.notify(
                visible(f"could not re-read the corpus: {event.worker.error}"),
                severity="warning",
                timeout=4,
                markup=False,
            )

    def update_pairs(self, pair_ids: list[int]) -> None:
        """Re-read only these pairs (the one the reviewer just left) and who is where."""
        fresh = {s.pair_id: s for s in self.rapp.store.summaries(pair_ids)}
        self.summaries = [fresh.get(s.pair_id, s) for s in self.summaries]
        self.totals = corpus_totals(self.summaries)
        self.presence = self.rapp.store.presence(self.rapp.presence_since())
        self.fill_rows()

    def set_corpus(
        self,
        summaries: list[PairSummary],
        presence: list[Presence],
        langs: tuple[str, str],
        *,
        keep: int | None = None,
        first: bool = False,
    ) -> None:
        self.summaries, self.presence = summaries, presence
        self.totals = corpus_totals(summaries)
        self.folded = {s.pair_id: f"{s.src_title}\n{s.tgt_title}".casefold() for s in summaries}
        self.langs = langs
        self.query_one(PairListHeader).set_languages(langs)
        self.fill_rows(keep, first=first)

    # -- rows ---------------------------------------------------------------------------------------

    def current_pair(self) -> int | None:
        """The pair id under the list's cursor."""
        pair = self.pairs.current()
        return None if pair is None else pair.pair_id

    def fill_rows(self, keep: int | None = None, *, first: bool = False) -> None:
        pairs = self.pairs
        if keep is None and not first:
            keep = self.current_pair()
        if keep is None and not first:
            last = review.last_position(self.rapp.store, self.rapp.reviewer)
            keep = last[0] if last else None
        rows = self.shown_pairs()
        if first:
            pairs.cursor = 0
        max_id = max((s.pair_id for s in self.summaries), default=1)
        pairs.set_rows(rows, presence_map(self.presence), max_id=max_id, keep=keep, origin=shows_origin(self.summaries))
        self.update_header(len(rows))

    def shown_pairs(self) -> list[PairSummary]:
        query = self.query_one(TitleSearch).value.strip().casefold()
        rows = self.summaries
        if query:
            rows = [s for s in rows if query in self.folded.get(s.pair_id, "")]
        wanted = FILTERS[self.filter_index]
        if wanted == "to do":
            rows = [s for s in rows if s.status != PairProgress.DONE]
        elif wanted == "done":
            rows = [s for s in rows if s.status == PairProgress.DONE]
        return sorted(rows, key=SORTS[self.sort_index][1])

    def update_header(self, shown: int) -> None:
        title = Text()
        title.append(visible(self.rapp.db_path.name), style="bold")
        title.append(
            f" · showing {shown} of {len(self.summaries)} pairs ({FILTERS[self.filter_index]})"
            f" · {SORTS[self.sort_index][0]} · reviewer "
        )
        title.append(visible(self.rapp.reviewer), style="bold")
        others = sorted({p.reviewer for p in self.presence if p.reviewer != self.rapp.reviewer})
        if others:
            title.append(f" · {len(others)} other{'s' if len(others) > 1 else ''} on pairs")
        self.query_one(ListTitle).show(title)
        if not self.summaries:
            note = "This corpus has no article pairs yet. Build one with [b]aligner run DIR[/] first."
        elif not shown:
            note = (
                "No pair matches the search or filter. [b]Esc[/] in the search box clears it; "
                "[b]v[/] changes the filter."
            )
        else:
            note = ""
        if note != self.note:  # shown or hidden changes the layout: only when it must
            self.note = note
            widget = self.query_one("#empty-note", Static)
            widget.update(note)
            widget.display = bool(note)
        self.query_one(StatusLine).show(corpus=self.totals)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "title-search":
            self.fill_rows(first=bool(event.value.strip()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box opens the first matching pair (with nothing typed, it
        goes to the list)."""
        pairs = self.pairs
        if not event.value.strip():
            pairs.focus()
        elif pairs.row_count:
            pairs.focus()
            self.action_open()
        else:
            self.notify(
                visible(f"no pair title contains “{event.value.strip()}”"), severity="warning", timeout=3, markup=False
            )

    def on_pair_list_selected(self, event: PairList.Selected) -> None:
        self.open_pair(event.pair_id)

    # -- actions -----------------------------------------------------------------------------------

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
        self.fill_rows()
        self.notify(f"sorted by {SORTS[self.sort_index][0]}", timeout=2, markup=False)

    def action_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.fill_rows()
        self.notify(f"showing {FILTERS[self.filter_index]} pairs", timeout=2, markup=False)

    def action_refresh(self) -> None:
        self.reload_in_background()

    def action_export(self) -> None:
        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self.rapp.start_export(request)

        self.app.push_screen(ExportDialog(self.rapp.db_path), done)

    def action_help(self) -> None:
        self.app.push_screen(
            HelpScreen(
                "Keys of the corpus screen",
                self.HELP_SECTIONS,
                "Enter opens a pair; inside it, ? lists the review keys. Who: the "
                "reviewers whose app is open on the pair now (another reviewer's "
                "changes show within a second).\n" + ORIGIN_HELP,
            )
        )

    async def action_quit(self) -> None:
        await self.app.action_quit()
