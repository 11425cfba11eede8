"""The pair screen: one article pair's beads, every review operation on a key.

Each key calls one function of :mod:`aligner.review` (one committed transaction), then
the screen re-reads the pair and redraws. The cursor's place is saved with every edit,
half a second after a plain move stops, and when the screen closes (back or quit).

Re-aligning (R) can take seconds on a long pair, so it runs as a background job: the
status line shows its progress, editing keys wait for it (moving and searching do not),
and Esc cancels it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from aligner import review
from aligner.errors import AlignerError
from aligner.model import Status
from aligner.review import Counts, Edit, Side, Target
from aligner.store import Store
from aligner.text.langcheck import language_name
from tui.screens.dialogs import EditSentenceDialog, SplitSentenceDialog
from tui.screens.export import ExportDialog, ExportRequest
from tui.screens.help import HelpScreen, HelpSections
from tui.screens.pairing import PairingDialog, pair_heading
from tui.screens.realign import RealignJob
from tui.widgets import BeadHeader, BeadTable, StatusLine

if TYPE_CHECKING:
    from tui.app import ReviewApp


HELP_SECTIONS: HelpSections = [
    ("Review", [
        Binding("a,space", "accept", "Accept", tooltip="accept the bead and go to the next one"),
        Binding("x", "reject", "Reject", tooltip="reject the bead (mark it bad) and go to the next one"),
        Binding("c", "unmark", "Clear", show=False, tooltip="clear the mark: unreviewed again"),
        Binding("A", "accept_above", "Accept above", show=False,
                tooltip="accept every unreviewed bead above the cursor"),
        Binding("X", "toggle_pairing", "Reject pairing", show=False,
                tooltip="reject the pairing: the two articles do not translate each other (asks first; its beads "
                        "are never exported and a run does not pair them again); X again restores it"),
    ]),
    ("Move", [
        Binding("n", "find('unreviewed', 1)", "Next to do", tooltip="next unreviewed bead (N: previous)"),
        Binding("N", "find('unreviewed', -1)", "Prev unreviewed", show=False, tooltip="previous unreviewed bead"),
        Binding("w", "find('low', 1)", "Next weak", show=False,
                tooltip="next low-confidence bead (W: previous)"),
        Binding("W", "find('low', -1)", "Prev weak", show=False, tooltip="previous low-confidence bead"),
        Binding("t", "find('unusual', 1)", "Next non-1:1", show=False,
                tooltip="next bead that is not 1-1 (T: previous)"),
        Binding("T", "find('unusual', -1)", "Prev non-1:1", show=False, tooltip="previous bead that is not 1-1"),
        Binding("up,k,down,j", "noop", "Bead", show=False, tooltip="previous / next bead"),
        Binding("pageup,pagedown", "noop", "Page", show=False, tooltip="a screen up / down"),
        Binding("home,g,end,G", "noop", "Ends", show=False, tooltip="first / last bead"),
        Binding("left,h,right,l", "noop", "Side", show=False, tooltip="work on the English / Korean side"),
        Binding("tab,shift+tab", "noop", "Sentence", show=False,
                tooltip="focus the next / previous sentence of the bead"),
    ]),
    ("Fix links", [
        Binding("m", "merge", "Merge", tooltip="merge the bead with the next one (yours: accepted)"),
        Binding("s", "split_bead", "Split",
                tooltip="split the bead after the focused sentence; on a side with one sentence, the other "
                        "side is split after its first. The other side is cut in proportion (a lone sentence "
                        "stays with the first half): a guess, so both halves stay unreviewed"),
        Binding("less_than_sign,shift+up", "shift('up')", "Shift up", show=False,
                tooltip="move the first sentence of the focused side to the bead above"),
        Binding("greater_than_sign,shift+down", "shift('down')", "Shift down", show=False,
                tooltip="move the last sentence of the focused side to the bead below (both beads stay "
                        "unreviewed unless they were accepted)"),
        Binding("d", "detach", "Detach", show=False,
                tooltip="give the focused sentence a bead of its own (1-0 / 0-1, accepted); the rest of the "
                        "bead stays unreviewed"),
        Binding("R", "realign", "Re-align", show=False,
                tooltip="re-align from the cursor to the end, keeping accepted and edited beads; runs in the "
                        "background (Esc cancels)"),
    ]),
    ("Fix text", [
        Binding("e", "edit_text", "Edit text", show=False,
                tooltip="fix the focused sentence's text (the bead keeps its mark and confidence)"),
        Binding("S", "split_sentence", "Split sentence", show=False,
                tooltip="split the focused sentence in two (the splitter missed a boundary)"),
    ]),
    ("Search, undo, other", [
        Binding("slash", "search", "Search", show=False,
                tooltip="search the focused side's sentences, from the focused one on"),
        Binding("f", "search_again(1)", "Find next", show=False, tooltip="next match (F: previous)"),
        Binding("F", "search_again(-1)", "Find prev", show=False, tooltip="previous match"),
        Binding("u", "undo", "Undo", tooltip="undo the last edit of this pair"),
        Binding("ctrl+r,U", "redo", "Redo", show=False, tooltip="redo what was undone"),
        Binding("E", "export", "Export", show=False, tooltip="export the corpus or this pair"),
        Binding("question_mark,f1", "help", "Help", tooltip="all keys"),
        Binding("q", "back", "Back", tooltip="back to the list of pairs"),
        Binding("escape", "cancel_or_back", "Cancel / back", show=False,
                tooltip="cancel a running re-align, else back to the list of pairs"),
    ]),
]
# The footer shows the screen's keys in this order and cuts what does not fit at the right
# edge, so the two a newcomer needs most come first: they show at any width.
FOOTER_FIRST = ("help", "back")
NOTHING_CHANGED = {
    "accept": "it was already accepted",
    "reject": "it was already rejected",
    "unmark": "it was already unreviewed",
    "accept-above": "no unreviewed bead above it",
    "edit": "the text is the same",
    "realign": "the aligner found the same beads",
}


def footer_order(bindings: list[Binding]) -> list[BindingType]:
    """``bindings`` with Help and Back first (see FOOTER_FIRST), the rest in help order."""
    ordered: list[Binding] = sorted(bindings, key=lambda b: b.action not in FOOTER_FIRST)
    return list(ordered)


class SearchInput(Input):
    """The `/` search box; Escape closes it."""

    BINDINGS = [Binding("escape", "close", "Close search", show=False)]

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.screen.query_one(BeadTable).focus()


class PairScreen(Screen):
    """Review one pair."""

    HELP_SECTIONS = HELP_SECTIONS
    BINDINGS = footer_order([b for _, group in HELP_SECTIONS for b in group if b.action != "noop"])

    def __init__(self, pair_id: int, position: int | None = None) -> None:
        super().__init__()
        self.pair_id = pair_id
        self.start_position = position
        self.corpus_others = Counts()
        self.message = ""
        self._save_timer: Timer | None = None
        self._saved: tuple[int, int] | None = None
        self._place: tuple[int, int] | None = None  # (pair, bead) under the cursor, for saving on close
        self.langs: tuple[str, str] = ("en", "ko")  # the pair's languages, to name its sides
        self.job: RealignJob | None = None  # the running re-align, while it may still change the pair
        self.stopping: Worker[Edit] | None = None  # a cancelled re-align whose thread has not ended yet

    @property
    def rapp(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> Store:
        return self.rapp.store

    @property
    def table(self) -> BeadTable:
        return self.query_one(BeadTable)

    def compose(self) -> ComposeResult:
        table = BeadTable(id="beads")
        yield Static("", id="pair-title")
        yield BeadHeader(table, id="bead-header")
        yield table
        yield SearchInput(placeholder="Search", id="search")
        yield StatusLine(id="status")
        yield Footer(show_command_palette=False)  # room for the review keys at 80 columns; ^p still works

    def on_mount(self) -> None:
        search = self.query_one(SearchInput)
        search.display = False
        pair = self.store.pair(self.pair_id)
        src_doc, tgt_doc = self.store.document(pair.src_doc), self.store.document(pair.tgt_doc)
        self.langs = (src_doc.lang, tgt_doc.lang)
        beads = self.store.beads(self.pair_id)
        self.corpus_others = review.corpus_counts(self.store) - review.count_beads(beads)
        position = self.start_position
        if position is None:
            found = review.find_bead(beads, -1, "unreviewed", wrap=False)
            position = found if found is not None else 0
        self.reload(position)
        self.table.focus()
        self.save_position()  # reopening the app returns to this pair even if nothing else happens

    # -- data and status ---------------------------------------------------------------

    def reload(self, position: int | None = None) -> None:
        """Re-read the pair from the database (after every edit) and redraw."""
        pair = self.store.pair(self.pair_id)
        src = [s.text for s in self.store.sentences(pair.src_doc)]
        tgt = [s.text for s in self.store.sentences(pair.tgt_doc)]
        self.table.set_pair(src, tgt, self.store.beads(self.pair_id), position, langs=self.langs)
        self.query_one("#pair-title", Static).update(pair_heading(self.store, self.pair_id))  # how it was paired
        self._place = (self.pair_id, self.table.cursor)
        self.update_status()

    def update_status(self) -> None:
        table = self.table
        counts = review.count_beads(table.beads)
        where = ""
        bead = table.bead()
        if bead is not None:
            focus = f"{self.label(table.side)} {table.focus_index}" if table.focus_index is not None else \
                f"{self.label(table.side)} —"
            where = f"bead {table.cursor + 1}/{len(table.beads)} {bead.kind} · {focus} · {self.rapp.reviewer}"
        self.query_one(StatusLine).show(pair=counts, corpus=self.corpus_others + counts, where=where,
                                        message=self.job.text() if self.job else self.message)

    def label(self, side: Side) -> str:
        """A side as the reviewer reads it: its language code in capitals ("EN", "KO")."""
        return self.langs[0 if side == "src" else 1].upper()

    def language(self, side: Side) -> str:
        """A side's language by name ("English")."""
        return language_name(self.langs[0 if side == "src" else 1])

    def say(self, message: str) -> None:
        self.message = message
        self.update_status()

    def on_bead_table_cursor_moved(self, event: BeadTable.CursorMoved) -> None:
        self._place = (self.pair_id, event.position)
        self.update_status()
        self._schedule_save()

    def _schedule_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(0.5, self.save_position)

    def save_position(self) -> None:
        """Write the cursor's place (only if it moved since the last save)."""
        place = self._place
        if place is not None and place != self._saved:
            review.save_position(self.store, self.rapp.reviewer, *place)
            self._saved = place

    # -- running operations ------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """True (and the new version shown) when someone else changed the pair since we drew it,
        e.g. a batch run re-aligned it: the key the reviewer pressed was meant for the old beads."""
        shown = [(b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.status) for b in self.table.beads]
        stored = [(b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.status) for b in self.store.beads(self.pair_id)]
        if shown == stored:
            return False
        self.reload()
        self.notify("this pair was changed by another program; here is the new version (press the key again)",
                    severity="warning", timeout=6)
        return True

    def refuse_while_busy(self) -> bool:
        """True (and the reviewer told why) while a re-align may still change this pair:
        an edit now would be lost or would make the re-align fail."""
        if self.job is None:
            return False
        self.notify(f"re-aligning this pair from bead {self.job.start + 1}: edits wait until it is done "
                    "(Esc cancels it)", severity="warning", timeout=3)
        return True

    def run_edit(self, op: Callable[..., Edit], *args: object, advance: bool = False, **kwargs: object) -> Edit | None:
        """Call a review operation; show its error, or re-read and move the cursor."""
        if self.refuse_while_busy() or self.changed_on_disk():
            return None
        try:
            edit = op(self.store, self.pair_id, *args, reviewer=self.rapp.reviewer, **kwargs)
        except AlignerError as exc:
            self.notify(exc.problem, severity="error", timeout=4)
            return None
        self.after_edit(edit, advance=advance)
        return edit

    def after_edit(self, edit: Edit, *, advance: bool = False) -> None:
        self.reload(edit.position + 1 if advance else edit.position)
        self._saved = None
        self.save_position()
        message = edit.action
        if not edit.changed:
            reason = NOTHING_CHANGED.get(edit.action.split()[0])
            message += ": nothing changed" + (f" ({reason})" if reason else "")
        elif not edit.action.startswith(("undo", "redo")):
            bead = self.table.bead()
            if edit.action.startswith(("split ", "shift ", "detach ")) and bead and bead.status == Status.UNREVIEWED:
                message += " · left unreviewed: check it, a accepts"
            message += "  (u: undo)"
        if not review.count_beads(self.table.beads).unreviewed:
            message += "  ·  every bead of this pair is reviewed: q goes back to the list"
        self.say(message)

    def _sentence(self) -> tuple[Side, int] | None:
        table = self.table
        if table.focus_index is None:
            other = self.language("tgt" if table.side == "src" else "src")
            self.notify(f"this bead has no {self.label(table.side)} sentence; press ←/→ for the {other} side",
                        severity="warning")
            return None
        return table.side, table.focus_index

    # -- actions -------------------------------------------------------------------------------

    def action_accept(self) -> None:
        self.run_edit(review.accept, self.table.cursor, advance=True)

    def action_reject(self) -> None:
        self.run_edit(review.reject, self.table.cursor, advance=True)

    def action_unmark(self) -> None:
        self.run_edit(review.unmark, self.table.cursor)

    def action_accept_above(self) -> None:
        self.run_edit(review.accept_all_above, self.table.cursor)

    def action_toggle_pairing(self) -> None:
        """Reject the pairing (or restore a rejected one), after the reviewer confirms."""
        if self.refuse_while_busy():
            return
        op = review.restore_pairing if review.pairing_rejection(self.store, self.pair_id) else review.reject_pairing

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.run_edit(op, position=self.table.cursor)

        self.app.push_screen(PairingDialog(self.store, self.pair_id), done)

    def action_find(self, target: Target, direction: int) -> None:
        table = self.table
        found = review.find_bead(table.beads, table.cursor, target, direction)
        names = {"unreviewed": "unreviewed", "low": "low-confidence", "unusual": "non-1:1"}
        if found is None:
            self.say(f"no {names[target]} beads in this pair")
            return
        wrapped = (found <= table.cursor) if direction > 0 else (found >= table.cursor)
        table.move_to(found)
        self.say(f"{names[target]} bead {found + 1}" + (" (wrapped around)" if wrapped else ""))

    def action_merge(self) -> None:
        self.run_edit(review.merge_with_next, self.table.cursor)

    def action_split_bead(self) -> None:
        """Split after the focused sentence; a side with one sentence has no such cut, so then
        the other side is split after its first sentence."""
        table = self.table
        if not table.beads:
            return
        side = table.side
        s0, s1 = table.side_span(table.cursor, side)
        if s1 - s0 < 2:
            other: Side = "tgt" if side == "src" else "src"
            o0, o1 = table.side_span(table.cursor, other)
            if o1 - o0 < 2:
                self.notify("a bead needs two sentences on one side to be split", severity="warning")
                return
            side, at = other, o0 + 1
        else:
            focus = table.focus_index if table.focus_index is not None else s0
            if focus + 1 >= s1:
                self.notify(f"s splits after the focused sentence, and {self.label(side)} {focus} is the bead's "
                            "last: Shift+Tab to the sentence the first half should end with", severity="warning")
                return
            at = focus + 1
        self.run_edit(review.split_bead, table.cursor, side, at)

    def action_shift(self, direction: str) -> None:
        self.run_edit(review.shift, self.table.cursor, self.table.side, direction)

    def action_detach(self) -> None:
        found = self._sentence()
        if found:
            self.run_edit(review.detach, self.table.cursor, found[0], found[1])

    def action_edit_text(self) -> None:
        found = self._sentence()
        if not found or self.refuse_while_busy():
            return
        side, index = found
        texts = self.table.texts(side)

        def done(text: str | None) -> None:
            if text is not None:
                self.run_edit(review.edit_sentence_text, side, index, text)

        self.app.push_screen(
            EditSentenceDialog(f"Edit {self.label(side)} sentence {index}", texts[index], self._other_side(side)), done)

    def _other_side(self, side: Side) -> str:
        """The bead's other side, as context for a text fix."""
        table = self.table
        other: Side = "tgt" if side == "src" else "src"
        lo, hi = table.side_span(table.cursor, other)
        return f"{self.label(other)}: " + (" ".join(table.texts(other)[lo:hi]) or "—")

    def action_split_sentence(self) -> None:
        found = self._sentence()
        if not found or self.refuse_while_busy():
            return
        side, index = found
        texts = self.table.texts(side)

        def done(offset: int | None) -> None:
            if offset is not None:
                self.run_edit(review.split_sentence, side, index, offset)

        self.app.push_screen(SplitSentenceDialog(f"Split {self.label(side)} sentence {index}", texts[index]), done)

    # -- re-align: a background job --------------------------------------------------------------

    def action_realign(self) -> None:
        if self.refuse_while_busy() or self.changed_on_disk() or not self.table.beads:
            return
        if self.stopping is not None:  # two aligners at once would share one encoder
            self.notify("the cancelled re-align is still stopping; press R again in a moment", severity="warning")
            return
        job = RealignJob(self.table.cursor)
        job.worker = self.realign(job)
        job.timer = self.set_interval(0.2, self._job_tick)
        self.job = job
        self.update_status()

    @work(thread=True, exclusive=True, group="realign", exit_on_error=False)
    def realign(self, job: RealignJob) -> Edit:
        """The aligner may be slow (encoders): run it off the UI thread, on its own connection.

        It reports progress to ``job`` (read by a UI timer, so the worker never waits on the
        UI) and stops between steps once the job is cancelled.
        """
        worker = get_current_worker()
        with Store(self.rapp.db_path) as store:
            return review.realign_from(store, self.pair_id, job.start, reviewer=self.rapp.reviewer,
                                       progress=job.report, cancelled=lambda: job.cancelled or worker.is_cancelled)

    def _job_tick(self) -> None:
        if self.job is not None:
            self.job.spin += 1
        self.update_status()

    def cancel_job(self) -> bool:
        """Stop the running re-align (True if there was one). Edits are free again at once:
        the job checks the flag before it writes, and refuses to write over a changed pair.
        Its thread ends at its next step; until then its worker is kept in ``stopping``."""
        job = self.job
        if job is None:
            return False
        job.cancel.set()
        self.stopping = job.worker
        self._end_job()
        self.say(f"re-align from bead {job.start + 1} cancelled; nothing changed")
        return True

    def _end_job(self) -> None:
        if self.job is not None:
            self.job.stop_timer()
        self.job = None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The re-align ended: show the new beads, or why there are none."""
        if event.worker.group != "realign" or not event.worker.is_finished:
            return
        current = self.job is not None and event.worker is self.job.worker
        if current:
            self._end_job()
        if event.worker is self.stopping:
            self.stopping = None
        if event.state == WorkerState.SUCCESS:  # it wrote: show it, even if Esc came too late
            edit = event.worker.result
            if isinstance(edit, Edit):
                self.after_edit(edit)
            if not current:
                self.notify("the re-align had already finished before it was cancelled (u undoes it)", timeout=6)
            return
        error = event.worker.error
        if not current or event.state != WorkerState.ERROR or isinstance(error, review.Cancelled):
            return
        problem = error.problem if isinstance(error, AlignerError) else f"{type(error).__name__}: {error}"
        self.say(f"re-align failed: {problem}")
        self.notify(problem, title="Re-align failed", severity="error", timeout=8)

    # -- undo, search, other ---------------------------------------------------------------------

    def action_undo(self) -> None:
        self._step(review.undo, "undo")

    def action_redo(self) -> None:
        self._step(review.redo, "redo")

    def _step(self, op: Callable[..., Edit | None], name: str) -> None:
        if self.refuse_while_busy() or self.changed_on_disk():
            return
        try:
            edit = op(self.store, self.pair_id, reviewer=self.rapp.reviewer)
        except AlignerError as exc:
            self.notify(exc.problem, severity="error", timeout=4)
            return
        if edit is None:
            self.say(f"nothing to {name} in this pair")
        else:
            self.after_edit(edit)

    def action_search(self) -> None:
        search = self.query_one(SearchInput)
        side = self.table.side
        search.placeholder = f"Search {self.language(side)} sentences (Enter: find, Esc: close)"
        search.display = True
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        query = event.value.strip()
        event.input.display = False
        self.table.focus()
        if query:
            self.table.set_query(query, self.table.side)
            self.find_match(1, from_focus=True)

    def action_search_again(self, direction: int) -> None:
        if not self.table.query_text:
            self.say("no search yet: press / to search")
            return
        self.find_match(direction, from_focus=False)

    def find_match(self, direction: int, *, from_focus: bool) -> None:
        """Go to the next (1) or previous (-1) match of the search, wrapping with a message.

        A new search starts at the focused sentence itself (it may be the first match);
        f and F start from the sentence after or before it.
        """
        table = self.table
        side, query = table.query_side, table.query_text
        texts = table.texts(side)
        focus = table.focus_index if table.side == side else None
        focus_here = focus is not None
        start = focus if focus is not None else table.side_span(table.cursor, side)[0]
        inclusive = from_focus or (not focus_here and direction > 0)
        found = review.find_text(texts, query, start - direction if inclusive else start, direction) \
            if texts else None
        if found is None:
            self.say(f"“{query}” is not in the {self.label(side)} sentences")
            return
        position = next(i for i, b in enumerate(table.beads)
                        if table.side_span_of(b, side)[0] <= found < table.side_span_of(b, side)[1])
        table.move_to(position, side=side, sentence=found)
        note = ""
        if found == start and not inclusive:
            note = " (the only match)"
        elif (found < start) if direction > 0 else (found > start):
            note = " (wrapped to the top)" if direction > 0 else " (wrapped to the bottom)"
        self.say(f"“{query}”: {self.label(side)} {found}{note}  (f: next, F: previous)")

    def action_export(self) -> None:
        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self.rapp.start_export(request)

        self.app.push_screen(ExportDialog(self.rapp.db_path, self.pair_id, f"pair {self.pair_id}"), done)

    def action_help(self) -> None:
        note = ("Rows: [green]✓ accepted[/], [red]✗ rejected[/], · unreviewed. A red confidence is low "
                f"(< {review.LOW_CONFIDENCE}); a yellow type is not 1-1; 'man' marks beads a person made.\n"
                "Made by hand (accepted) is only what you decided on both sides: a merge, a detached "
                "sentence, a split of a bead with one side empty. What the app had to guess (the other "
                "side of a split) or you did not judge (the rest of a bead after d or a shift) stays "
                "unreviewed with confidence 0, so n and w stop there. Fixing text changes no mark.\n"
                "Every key is saved at once; u undoes.")
        self.app.push_screen(HelpScreen("Keys of the pair screen", self.HELP_SECTIONS, note))

    def action_back(self) -> None:
        if self.job is not None:
            self.notify("re-aligning this pair: wait for it, or press Esc to cancel it", severity="warning")
            return
        self.save_position()
        review.save_on_list(self.store, self.rapp.reviewer)
        self.dismiss()

    def action_cancel_or_back(self) -> None:
        if not self.cancel_job():
            self.action_back()

    def on_unmount(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        if self.job is not None:  # the app is closing: a running re-align must not write any more
            self.job.cancel.set()
        if self.store.closed:  # the app closed its database first: the place was saved with the last move
            return
        try:
            self.save_position()
        except AlignerError:  # the app is closing anyway
            pass
