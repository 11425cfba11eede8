"""The pair screen: one article pair's beads, every review operation on a key.

Each key calls one function of :mod:`aligner.review` (one committed transaction), then
the screen re-reads the pair and redraws. The cursor's place is saved with every edit,
half a second after a plain move stops, and when the screen closes (back or quit).
The screen moves between pairs itself (``]``/``[``: the next or previous pair still to
do; a corpus search's hit), so a reviewer can work through a corpus without the list.

Re-aligning (R) can take seconds on a long pair, so it runs as a background job: the
status line shows its progress, editing keys wait for it (moving and searching do not),
and Esc cancels it. A corpus-wide search or replacement runs in a worker thread too,
on its own connection.

Titles, sentences, notes, search patterns and error messages naming them come from
outside: they reach the screen through :mod:`aligner.display` as literal text (never
markup, control characters drawn), in the title, the table, the map, the note bar, the
status line and every notification.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from aligner import review
from aligner.display import visible
from aligner.errors import AlignerError
from aligner.model import Status
from aligner.review import Counts, Edit, Hit, Side, Target
from aligner.store import BeadRow, Store
from aligner.text.langcheck import language_name
from tui.screens.dialogs import EditSentenceDialog, GotoDialog, NoteDialog, SplitSentenceDialog
from tui.screens.export import ExportDialog, ExportRequest
from tui.screens.help import HelpScreen, HelpSections
from tui.screens.pairing import PairingDialog, origin_phrase
from tui.screens.realign import RealignJob
from tui.screens.search import (
    ReplacePreviewScreen,
    SearchDialog,
    SearchRequest,
    SearchResultsScreen,
    plan_items,
)
from tui.widgets import AlignmentMap, BeadHeader, BeadTable, NoteBar, StatusLine
from tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import ReviewApp


HELP_SECTIONS: HelpSections = [
    (
        "Review",
        [
            Binding("a,space", "accept", "Accept", tooltip="accept the bead and go to the next one"),
            Binding("x", "reject", "Reject", tooltip="reject the bead (mark it bad) and go to the next one"),
            Binding("c", "unmark", "Clear", show=False, tooltip="clear the mark: unreviewed again"),
            Binding(
                "A", "accept_above", "Accept above", show=False, tooltip="accept every unreviewed bead above the cursor"
            ),
            Binding(
                "X",
                "toggle_pairing",
                "Reject pairing",
                show=False,
                tooltip="reject the pairing: the two articles do not translate each other (asks first; its beads "
                "are never exported and a run does not pair them again); X again restores it",
            ),
        ],
    ),
    (
        "Move",
        [
            Binding("n", "find('unreviewed', 1)", "Next to do", tooltip="next unreviewed bead (N: previous)"),
            Binding("N", "find('unreviewed', -1)", "Prev unreviewed", show=False, tooltip="previous unreviewed bead"),
            Binding("w", "find('low', 1)", "Next weak", show=False, tooltip="next low-confidence bead (W: previous)"),
            Binding("W", "find('low', -1)", "Prev weak", show=False, tooltip="previous low-confidence bead"),
            Binding(
                "t", "find('unusual', 1)", "Next non-1:1", show=False, tooltip="next bead that is not 1-1 (T: previous)"
            ),
            Binding("T", "find('unusual', -1)", "Prev non-1:1", show=False, tooltip="previous bead that is not 1-1"),
            Binding(
                "right_curly_bracket",
                "run(1)",
                "Next run",
                show=False,
                tooltip="first bead of the next run of non-1:1 beads (a block of skips, a long merge: where the "
                "map leaves the diagonal)",
            ),
            Binding(
                "left_curly_bracket",
                "run(-1)",
                "Prev run",
                show=False,
                tooltip="first bead of the previous run of non-1:1 beads",
            ),
            Binding("colon", "goto", "Go to bead", show=False, tooltip="go to bead number N"),
            Binding(
                "right_square_bracket",
                "next_pair(1)",
                "Next pair",
                tooltip="the next pair with beads to do, in corpus order (wraps around)",
            ),
            Binding(
                "left_square_bracket",
                "next_pair(-1)",
                "Prev pair",
                show=False,
                tooltip="the previous pair with beads to do",
            ),
            Binding("up,k,down,j", "noop", "Bead", show=False, tooltip="previous / next bead"),
            Binding("pageup,pagedown", "noop", "Page", show=False, tooltip="a screen up / down"),
            Binding("home,g,end,G", "noop", "Ends", show=False, tooltip="first / last bead"),
            Binding("left,h,right,l", "noop", "Side", show=False, tooltip="work on the English / Korean side"),
            Binding(
                "tab,shift+tab",
                "noop",
                "Sentence",
                show=False,
                tooltip="focus the next / previous sentence of the bead",
            ),
        ],
    ),
    (
        "Fix links",
        [
            Binding("m", "merge", "Merge", tooltip="merge the bead with the next one (yours: accepted)"),
            Binding(
                "s",
                "split_bead",
                "Split",
                tooltip="split the bead after the focused sentence; on a side with one sentence, the other "
                "side is split after its first. The other side is cut in proportion (a lone sentence "
                "stays with the first half): a guess, so both halves stay unreviewed",
            ),
            Binding(
                "less_than_sign,shift+up",
                "shift('up')",
                "Shift up",
                show=False,
                tooltip="move the first sentence of the focused side to the bead above",
            ),
            Binding(
                "greater_than_sign,shift+down",
                "shift('down')",
                "Shift down",
                show=False,
                tooltip="move the last sentence of the focused side to the bead below (both beads stay "
                "unreviewed unless they were accepted)",
            ),
            Binding(
                "d",
                "detach",
                "Detach",
                show=False,
                tooltip="give the focused sentence a bead of its own (1-0 / 0-1, accepted); the rest of the "
                "bead stays unreviewed",
            ),
            Binding(
                "R",
                "realign",
                "Re-align",
                show=False,
                tooltip="re-align from the cursor to the end, keeping accepted and edited beads; runs in the "
                "background (Esc cancels)",
            ),
        ],
    ),
    (
        "Fix text",
        [
            Binding(
                "e",
                "edit_text",
                "Edit text",
                show=False,
                tooltip="fix the focused sentence's text (the bead keeps its mark and confidence)",
            ),
            Binding(
                "S",
                "split_sentence",
                "Split sentence",
                show=False,
                tooltip="split the focused sentence in two (the splitter missed a boundary)",
            ),
            Binding(
                "r",
                "search(True)",
                "Replace",
                show=False,
                tooltip="replace a regular expression in this pair or the whole corpus, after a preview "
                "(one edit per pair, u undoes it)",
            ),
        ],
    ),
    (
        "Search, notes, map",
        [
            Binding(
                "slash",
                "search(False)",
                "Search",
                tooltip="search with a regular expression: one side, both or the notes; this pair or the "
                "whole corpus (a list of hits; Enter opens one)",
            ),
            Binding("f", "search_again(1)", "Find next", show=False, tooltip="next match (F: previous)"),
            Binding("F", "search_again(-1)", "Find prev", show=False, tooltip="previous match"),
            Binding(
                "i",
                "note",
                "Note",
                tooltip="write, change or remove the focused bead's note (✎ marks it; the note bar shows it)",
            ),
            Binding("I", "pair_note", "Pair note", show=False, tooltip="write, change or remove the pair's note"),
            Binding(
                "v",
                "toggle_map",
                "Map",
                tooltip="show or hide the alignment map (the pair as a path through the sentence grid; a "
                "click jumps there)",
            ),
        ],
    ),
    (
        "Undo, other",
        [
            Binding("u", "undo", "Undo", tooltip="undo the last edit of this pair"),
            Binding("ctrl+r,U", "redo", "Redo", show=False, tooltip="redo what was undone"),
            Binding("E", "export", "Export", show=False, tooltip="export the corpus or this pair"),
            Binding("question_mark,f1", "help", "Help", tooltip="all keys"),
            Binding("q", "back", "Back", tooltip="back to the list of pairs"),
            Binding(
                "escape",
                "cancel_or_back",
                "Cancel / back",
                show=False,
                tooltip="cancel a running re-align or corpus search, else back to the list of pairs",
            ),
        ],
    ),
]
# The footer shows the screen's keys in this order and cuts what does not fit at the right
# edge, so the two a newcomer needs most come first: they show at any width. Then the
# review keys (all of which fit 80 columns), then the newer keys, seen on a wider terminal.
FOOTER_FIRST = ("help", "back")
FOOTER_LAST = ("next_pair(1)", "search(False)", "toggle_map", "note")
NOTHING_CHANGED = {
    "accept": "it was already accepted",
    "reject": "it was already rejected",
    "unmark": "it was already unreviewed",
    "accept-above": "no unreviewed bead above it",
    "edit": "the text is the same",
    "realign": "the aligner found the same beads",
    "note": "the note is the same",
    "unnote": "there was no note",
    "replace": "no sentence changed",
}


def footer_order(bindings: list[Binding]) -> list[BindingType]:
    """``bindings`` with Help and Back first (see FOOTER_FIRST), the newer keys last
    (FOOTER_LAST), the rest in help order."""
    ordered: list[Binding] = sorted(
        bindings, key=lambda b: (b.action not in FOOTER_FIRST, b.show and b.action in FOOTER_LAST)
    )
    return list(ordered)


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
        self.pair_note: str | None = None
        self._title = ""
        self.origin_text = Text()  # how the pair was made (link, content, rejected), for the title line
        self.search: SearchRequest | None = None  # the last search, for f/F and the next / or r
        self.searching: tuple[Worker[Any], threading.Event] | None = None  # a corpus search or replace
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

    @property
    def map(self) -> AlignmentMap:
        return self.query_one(AlignmentMap)

    def compose(self) -> ComposeResult:
        table = BeadTable(id="beads")
        yield Static("", id="pair-title")
        with Horizontal(id="pair-body"):
            with Vertical(id="table-box"):
                yield BeadHeader(table, id="bead-header")
                yield table
            yield AlignmentMap(id="map")
        yield NoteBar(id="note-bar")
        yield StatusLine(id="status")
        # the keys as one line of text (Textual's Footer builds a widget per key each time the
        # focus moves: half the time of opening a pair); compact and without the command
        # palette's key (^p still works): room at 80 columns for the review keys and ] (the
        # next pair to do)
        yield KeyFooter(compact=True, palette=False)

    def on_mount(self) -> None:
        self.map.display = False
        self.query_one(NoteBar).display = False
        self.load_pair(self.start_position)
        self.table.focus()

    def load_pair(self, position: int | None) -> None:
        """Show ``self.pair_id`` from the top: its title, its beads, the cursor at ``position``
        (None: its first unreviewed bead)."""
        pair = self.store.pair(self.pair_id)
        src_doc, tgt_doc = self.store.document(pair.src_doc), self.store.document(pair.tgt_doc)
        self.langs = (src_doc.lang, tgt_doc.lang)
        self.titles = (src_doc.title or src_doc.key, tgt_doc.title or tgt_doc.key)
        self.date = (src_doc.published or tgt_doc.published or "")[:10]
        beads = self.store.beads(self.pair_id)
        self.corpus_others = review.corpus_counts(self.store) - review.count_beads(beads)
        if position is None:
            found = review.find_bead(beads, -1, "unreviewed", wrap=False)
            position = found if found is not None else 0
        self.reload(position, beads)
        self._saved = None
        self.save_position()  # reopening the app returns to this pair even if nothing else happens

    def show_title(self) -> None:
        """'Pair N  date  source title  ·  target title  ·  how it was paired' (a ✎ when the pair
        has a note): the titles are the pages', so literal text with their control characters drawn."""
        title = Text()
        title.append(f"Pair {self.pair_id}", style="bold")
        if self.pair_note:
            title.append(" ✎", style="bold")
        title.append(f"  {self.date}  ")
        title.append(visible(self.titles[0]), style="bold")
        title.append("  ·  ")
        title.append(visible(self.titles[1]))
        title.append("  ·  ")
        title.append_text(self.origin_text)
        if title.plain != self._title:  # an update lays the screen out again: only when it changed
            self._title = title.plain
            self.query_one("#pair-title", Static).update(title)

    # -- data and status ---------------------------------------------------------------

    def reload(self, position: int | None = None, beads: list[BeadRow] | None = None) -> None:
        """Re-read the pair from the database (after every edit) and redraw (``beads``: the
        pair's beads, when the caller has just read them)."""
        pair = self.store.pair(self.pair_id)
        src = [s.text for s in self.store.sentences(pair.src_doc)]
        tgt = [s.text for s in self.store.sentences(pair.tgt_doc)]
        beads = self.store.beads(self.pair_id) if beads is None else beads
        self.table.set_pair(src, tgt, beads, position, langs=self.langs)
        self.pair_note = self.store.pair_note(self.pair_id)
        self.origin_text = origin_phrase(pair.origin, self.store.pairing_rejection(self.pair_id))
        self.show_title()
        self.update_map(data=True)
        self._place = (self.pair_id, self.table.cursor)
        self.update_status()

    def update_map(self, *, data: bool = False) -> None:
        """Bring the map up to date with the table, when it is shown (``data``: the beads changed)."""
        alignment = self.map
        if not alignment.display:
            return
        table = self.table
        if data:
            alignment.threshold = table.threshold
            alignment.set_pair(table.beads, len(table.src), len(table.tgt), self.langs, table.cursor)
        else:
            alignment.set_cursor(table.cursor)

    def update_status(self) -> None:
        table = self.table
        counts = review.count_beads(table.beads)
        where = short = ""
        bead = table.bead()
        if bead is not None:
            focus = (
                f"{self.label(table.side)} {table.focus_index}"
                if table.focus_index is not None
                else f"{self.label(table.side)} —"
            )
            where = f"bead {table.cursor + 1}/{len(table.beads)} {bead.kind} · {focus} · {self.rapp.reviewer}"
            short = f"bead {table.cursor + 1}/{len(table.beads)} {focus}"
        self.query_one(StatusLine).show(
            pair=counts,
            corpus=self.corpus_others + counts,
            where=where,
            short_where=short,
            message=self.job.text() if self.job else self.message,
        )
        self.query_one(NoteBar).show(table.cursor + 1 if bead else None, bead.note if bead else None, self.pair_note)

    def label(self, side: Side) -> str:
        """A side as the reviewer reads it: its language code in capitals ("EN", "KO")."""
        return self.langs[0 if side == "src" else 1].upper()

    def language(self, side: Side) -> str:
        """A side's language by name ("English")."""
        return language_name(self.langs[0 if side == "src" else 1])

    def say(self, message: str) -> None:
        """Put ``message`` on the status line (drawn as text: it may name a sentence or a pattern)."""
        self.message = message
        self.update_status()

    def tell(self, message: str, **kwargs: Any) -> None:
        """A notification; ``message`` may hold outside text, so it is made visible and not
        parsed as markup."""
        self.notify(visible(message), markup=False, **kwargs)

    def on_bead_table_cursor_moved(self, event: BeadTable.CursorMoved) -> None:
        self._place = (self.pair_id, event.position)
        self.update_status()
        self.update_map()
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

    def refresh_from_store(self) -> None:
        """Another program wrote to the database (the app polls it and calls this): show the
        pair as stored now, the cursor on the same sentence of the same side. A running
        re-align's own write comes with its result instead."""
        if self.job is not None:
            return
        pair = self.store.pair(self.pair_id)
        src = [s.text for s in self.store.sentences(pair.src_doc)]
        tgt = [s.text for s in self.store.sentences(pair.tgt_doc)]
        beads = self.store.beads(self.pair_id)
        table = self.table
        if (src, tgt, beads) == (table.src, table.tgt, table.beads):
            return
        side, sentence = table.side, table.focus_index
        self.reload()
        if sentence is not None:
            at = next(
                (
                    i
                    for i, b in enumerate(table.beads)
                    if table.side_span_of(b, side)[0] <= sentence < table.side_span_of(b, side)[1]
                ),
                None,
            )
            if at is not None:
                table.move_to(at, side=side, sentence=sentence)
        self.say("updated: another reviewer or a run changed this pair")

    # -- running operations ------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """True (and the new version shown) when someone else changed the pair since we drew it,
        e.g. a batch run re-aligned it: the key the reviewer pressed was meant for the old beads."""
        shown = [(b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.status) for b in self.table.beads]
        if shown == self.store.bead_marks(self.pair_id):
            return False
        self.reload()
        self.tell(
            "this pair was changed by another program; here is the new version (press the key again)",
            severity="warning",
            timeout=6,
        )
        return True

    def refuse_while_busy(self) -> bool:
        """True (and the reviewer told why) while a re-align may still change this pair:
        an edit now would be lost or would make the re-align fail."""
        if self.job is None:
            return False
        self.tell(
            f"re-aligning this pair from bead {self.job.start + 1}: edits wait until it is done (Esc cancels it)",
            severity="warning",
            timeout=3,
        )
        return True

    def run_edit(self, op: Callable[..., Edit], *args: object, advance: bool = False, **kwargs: object) -> Edit | None:
        """Call a review operation; show its error, or re-read and move the cursor."""
        if self.refuse_while_busy() or self.changed_on_disk():
            return None
        try:
            edit = op(self.store, self.pair_id, *args, reviewer=self.rapp.reviewer, **kwargs)
        except AlignerError as exc:
            self.tell(exc.problem, severity="error", timeout=4)
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
                message += " · unreviewed: check it, a accepts"
            message += "  (u: undo)"
        if not review.count_beads(self.table.beads).unreviewed:
            message += " · pair done: ] next pair"
        self.say(message)

    def _sentence(self) -> tuple[Side, int] | None:
        table = self.table
        if table.focus_index is None:
            other = self.language("tgt" if table.side == "src" else "src")
            self.tell(
                f"this bead has no {self.label(table.side)} sentence; press ←/→ for the {other} side",
                severity="warning",
            )
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
                self.tell("a bead needs two sentences on one side to be split", severity="warning")
                return
            side, at = other, o0 + 1
        else:
            focus = table.focus_index if table.focus_index is not None else s0
            if focus + 1 >= s1:
                self.tell(
                    f"s splits after the focused sentence, and {self.label(side)} {focus} is the bead's "
                    "last: Shift+Tab to the sentence the first half should end with",
                    severity="warning",
                )
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
            if text == texts[index]:  # left as it was shown: nothing to write (not even a clean-up)
                self.say(f"edit {self.label(side)} {index}: nothing changed (the text is the same)")
            elif text is not None:
                self.run_edit(review.edit_sentence_text, side, index, text)

        self.app.push_screen(
            EditSentenceDialog(f"Edit {self.label(side)} sentence {index}", texts[index], self._other_side(side)), done
        )

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
            self.tell("the cancelled re-align is still stopping; press R again in a moment", severity="warning")
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
            return review.realign_from(
                store,
                self.pair_id,
                job.start,
                reviewer=self.rapp.reviewer,
                progress=job.report,
                cancelled=lambda: job.cancelled or worker.is_cancelled,
            )

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
        """The re-align ended: show the new beads, or why there are none (a corpus search:
        see :meth:`search_done`)."""
        if event.worker.group == "search" and event.worker.is_finished:
            self.search_done(event)
            return
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
                self.tell("the re-align had already finished before it was cancelled (u undoes it)", timeout=6)
            return
        error = event.worker.error
        if not current or event.state != WorkerState.ERROR or isinstance(error, review.Cancelled):
            return
        problem = error.problem if isinstance(error, AlignerError) else f"{type(error).__name__}: {error}"
        self.say(f"re-align failed: {problem}")
        self.tell(problem, title="Re-align failed", severity="error", timeout=8)

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
            self.tell(exc.problem, severity="error", timeout=4)
            return
        if edit is None:
            self.say(f"nothing to {name} in this pair")
        else:
            self.after_edit(edit)

    def action_search(self, replace: bool) -> None:
        """Open the search (or replace) dialog, filled in with the last search; a search of
        one side follows the focused side."""
        last = self.search
        where = self.table.side if last is None or last.where in ("src", "tgt") else last.where
        if replace and where == "notes":
            where = self.table.side
        dialog = SearchDialog(
            self.langs,
            where=where,
            pattern=last.query.text if last else "",
            corpus=last.corpus if last else False,
            match_case=last.match_case if last else False,
            replace=replace,
            replacement=last.replacement or "" if last else "",
        )
        self.app.push_screen(dialog, self.run_search)

    def run_search(self, request: SearchRequest | None) -> None:
        """Do what the dialog asked: find in this pair, list the corpus's hits, or preview a replacement."""
        if request is None:
            return
        self.search = request
        if request.corpus:
            if self.searching is not None:
                self.tell("a corpus search is still running (Esc cancels it)", severity="warning")
                return
            self.say(f"searching the corpus for {request.describe(self.langs)}… (Esc cancels)")
            stop = threading.Event()
            self.searching = (self.corpus_search(request, stop), stop)
            return
        if request.replacement is not None:
            self.preview_replacement(request)
            return
        self.table.set_query(request.query)
        self.find_match(1, from_focus=True)

    def hits(self) -> list[Hit]:
        """The last search's hits in this pair, in reading order (found anew: the text may
        have changed since)."""
        if self.search is None:
            return []
        table = self.table
        return review.pair_hits(self.pair_id, table.src, table.tgt, table.beads, self.search.query, self.pair_note)

    def action_search_again(self, direction: int) -> None:
        if self.search is None:
            self.say("no search yet: press / to search")
            return
        if self.search.corpus or self.search.replacement is not None:  # f and F walk this pair
            self.search = SearchRequest(self.search.query, match_case=self.search.match_case)
            self.table.set_query(self.search.query)
        self.find_match(direction, from_focus=False)

    def _here(self) -> tuple[int, int, int]:
        """The cursor's place in reading order, comparable with :meth:`_key` of a hit."""
        table = self.table
        if self.search is not None and self.search.where == "notes":
            return table.cursor, 0, 0
        focus = table.focus_index if table.focus_index is not None else -1
        return table.cursor, 0 if table.side == "src" else 1, focus

    @staticmethod
    def _key(hit: Hit) -> tuple[int, int, int]:
        if hit.kind == "pair-note":
            return -1, 0, 0
        if hit.kind == "note":
            return hit.position, 0, 0
        return hit.position, 0 if hit.kind == "src" else 1, hit.index

    def find_match(self, direction: int, *, from_focus: bool) -> None:
        """Go to the next (1) or previous (-1) hit of the search in this pair, wrapping with a
        message. A new search starts at the focused sentence itself (it may be the first
        hit); f and F start from the one after or before it."""
        request = self.search
        if request is None:
            return
        hits = self.hits()
        what = request.describe(self.langs)
        if not hits:
            self.say(f"{what}: no match in this pair (/ again: whole corpus)")
            return
        here = self._here()
        keys = [self._key(h) for h in hits]
        if direction > 0:
            after = [n for n, k in enumerate(keys) if (k >= here if from_focus else k > here)]
            n, wrapped = (after[0], False) if after else (0, True)
        else:
            before = [n for n, k in enumerate(keys) if k < here]
            n, wrapped = (before[-1], False) if before else (len(hits) - 1, True)
        hit = hits[n]
        table = self.table
        if hit.kind in ("src", "tgt"):
            table.move_to(hit.position, side=hit.kind, sentence=hit.index)
        else:
            table.move_to(hit.position)
        note = ""
        if len(hits) == 1 and not from_focus:
            note = " (the only match)"
        elif wrapped:
            note = " (wrapped to the top)" if direction > 0 else " (wrapped to the bottom)"
        kind = hit.kind
        if kind == "pair-note":
            place = "pair note"
        elif kind == "note":
            place = f"note of bead {hit.position + 1}"
        else:
            place = f"{self.label(kind)} {hit.index}"
        self.say(f"{what}: {n + 1} of {len(hits)}, {place}{note} (f/F)")

    # -- replace -----------------------------------------------------------------------------

    def preview_replacement(self, request: SearchRequest) -> None:
        table = self.table
        assert request.replacement is not None
        try:
            plan = review.plan_replacements(table.src, table.tgt, request.query, request.replacement)
        except AlignerError as exc:
            self.tell(exc.problem, severity="error", timeout=6)
            return
        if not plan:
            self.say(f"{request.describe(self.langs)}: nothing to replace in this pair")
            return
        expect = {(r.side, r.index): r.old for r in plan}

        def done(chosen: list[tuple[int, Side, int]] | None) -> None:
            if chosen is None:
                self.say("replace cancelled; nothing changed")
                return
            if not chosen:
                self.say("no sentence ticked; nothing changed")
                return
            only = [(side, index) for _, side, index in chosen]
            self.run_edit(
                review.replace_text,
                request.query,
                request.replacement,
                only=only,
                expect={k: v for k, v in expect.items() if k in set(only)},
            )

        self.app.push_screen(ReplacePreviewScreen([(self.pair_id, r) for r in plan], request, self.langs), done)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def corpus_search(self, request: SearchRequest, stop: threading.Event) -> review.CorpusHits | review.CorpusPlan:
        """Search (or plan a replacement over) the whole corpus, on a connection of its own:
        a large corpus takes a moment, and the screen stays live."""
        with Store(self.rapp.db_path, create=False) as store:
            if request.replacement is not None:
                return review.plan_corpus_replacements(store, request.query, request.replacement, cancelled=stop.is_set)
            return review.search_corpus(store, request.query, cancelled=stop.is_set)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def corpus_replace(
        self, plan: review.CorpusPlan, chosen: list[tuple[int, Side, int]], stop: threading.Event
    ) -> review.CorpusReplaced:
        with Store(self.rapp.db_path, create=False) as store:
            return review.replace_in_corpus(
                store, plan, reviewer=self.rapp.reviewer, only=chosen, cancelled=stop.is_set
            )

    def cancel_search(self) -> bool:
        if self.searching is None:
            return False
        self.searching[1].set()
        self.searching = None
        self.say("corpus search cancelled")
        return True

    def search_done(self, event: Worker.StateChanged) -> None:
        """A corpus search, plan or replacement ended: show its hits, its preview or what it did."""
        if self.searching is None or event.worker is not self.searching[0]:
            return  # cancelled: its result is not wanted
        self.searching = None
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, review.Cancelled):
                return
            problem = error.problem if isinstance(error, AlignerError) else f"{type(error).__name__}: {error}"
            self.say(f"corpus search failed: {problem}")
            return
        result = event.worker.result
        request = self.search
        if isinstance(result, review.CorpusHits) and request is not None:
            self.say(f"{request.describe(self.langs)}: {result.total} matches in {result.pairs} pairs")
            self.app.push_screen(SearchResultsScreen(result, request, self.langs), self.open_hit)
        elif isinstance(result, review.CorpusPlan) and request is not None:
            self.preview_corpus_replacement(result, request)
        elif isinstance(result, review.CorpusReplaced):
            self.reload()
            message = f"replaced in {result.count} pair{'s' if result.count != 1 else ''}: one edit each (u undoes)"
            if result.failed:
                pair_id, problem = next(iter(result.failed.items()))
                message += f"; {len(result.failed)} refused (pair {pair_id}: {problem})"
                self.tell(message, severity="warning", timeout=10)
            self.say(message)

    def preview_corpus_replacement(self, plan: review.CorpusPlan, request: SearchRequest) -> None:
        items = plan_items(plan)
        if not items:
            self.say(f"{request.describe(self.langs)}: nothing to replace in the corpus")
            return

        def done(chosen: list[tuple[int, Side, int]] | None) -> None:
            if not chosen:
                self.say("replace cancelled; nothing changed" if chosen is None else "no sentence ticked")
                return
            if self.refuse_while_busy():
                return
            stop = threading.Event()
            self.say(f"replacing in {len({p for p, _, _ in chosen})} pairs…")
            self.searching = (self.corpus_replace(plan, chosen, stop), stop)

        self.say(f"{request.describe(self.langs)}: {plan.count} matches in {len(plan.pairs)} pairs")
        self.app.push_screen(ReplacePreviewScreen(items, request, self.langs, plan.titles, corpus=True), done)

    def open_hit(self, hit: Hit | None) -> None:
        """Open the pair of a corpus search's hit at its bead (and sentence), the search highlighted."""
        if hit is None or self.search is None:
            return
        if hit.pair_id != self.pair_id and not self.switch_pair(hit.pair_id, hit.position):
            return
        self.table.set_query(self.search.query)
        if hit.kind in ("src", "tgt"):
            self.table.move_to(hit.position, side=hit.kind, sentence=hit.index)
        else:
            self.table.move_to(hit.position)
        self.say(f"{self.search.describe(self.langs)}: pair {hit.pair_id}, bead {hit.position + 1} (f/F: this pair)")

    # -- other pairs, other places -------------------------------------------------------------------

    def switch_pair(self, pair_id: int, position: int | None = None) -> bool:
        """Show another pair in this screen (False, and the reviewer told why, when it cannot be now)."""
        if self.job is not None:
            self.tell("re-aligning this pair: wait for it, or press Esc to cancel it", severity="warning")
            return False
        self.save_position()
        previous = self.pair_id
        self.pair_id = pair_id
        try:
            self.load_pair(position)
        except AlignerError as exc:
            self.pair_id = previous
            self.load_pair(self.table.cursor)
            self.tell(exc.problem, severity="error", timeout=6)
            return False
        return True

    def action_next_pair(self, direction: int) -> None:
        found = review.next_pair_to_do(self.store, self.pair_id, direction)
        if found is None:
            done = not review.count_beads(self.table.beads).unreviewed
            self.say("no other pair has beads to do" + ("; the corpus is done" if done else ""))
            return
        if self.switch_pair(found):
            left = review.count_beads(self.table.beads).unreviewed
            self.say(
                f"pair {found}: {left} bead{'s' if left != 1 else ''} to do "
                f"({']' if direction > 0 else '['} again: the {'next' if direction > 0 else 'previous'} one)"
            )

    def action_goto(self) -> None:
        if not self.table.beads:
            return

        def done(position: int | None) -> None:
            if position is not None:
                self.table.move_to(position)
                self.say(f"bead {position + 1}")

        self.app.push_screen(GotoDialog(len(self.table.beads)), done)

    def action_run(self, direction: int) -> None:
        table = self.table
        found = review.find_run(table.beads, table.cursor, direction)
        if found is None:
            self.say(f"no {'later' if direction > 0 else 'earlier'} run of non-1:1 beads")
            return
        end = found
        while end + 1 < len(table.beads) and table.beads[end + 1].kind != "1-1":
            end += 1
        table.move_to(found)
        self.say(f"non-1:1 run: beads {found + 1}–{end + 1}" if end > found else f"non-1:1 bead {found + 1}")

    def action_toggle_map(self) -> None:
        alignment = self.map
        alignment.display = not alignment.display
        self.update_map(data=True)
        self.call_after_refresh(self.table.scroll_to_cursor)  # the table is narrower or wider now

    def on_alignment_map_jump(self, event: AlignmentMap.Jump) -> None:
        self.table.move_to(event.position)
        self.table.focus()

    # -- notes ---------------------------------------------------------------------------------

    def action_note(self) -> None:
        table = self.table
        bead = table.bead()
        if bead is None or self.refuse_while_busy():
            return
        position = table.cursor
        context = "\n".join(
            f"{self.label(side)}: " + (visible(" ".join(table.texts(side)[lo:hi])) or "—")
            for side in ("src", "tgt")
            for lo, hi in [table.side_span(position, side)]
        )

        def done(note: str | None) -> None:
            if note == (bead.note or ""):
                self.say(f"note {position + 1}: nothing changed")
            elif note is not None:
                self.run_edit(review.set_note, position, note)

        self.app.push_screen(NoteDialog(f"Note on bead {position + 1}", bead.note or "", context), done)

    def action_pair_note(self) -> None:
        if not self.table.beads or self.refuse_while_busy():
            return

        def done(note: str | None) -> None:
            if note == (self.pair_note or ""):
                self.say("pair note: nothing changed")
            elif note is not None:
                self.run_edit(review.set_pair_note, note, position=self.table.cursor)

        context = f"{visible(self.titles[0])}\n{visible(self.titles[1])}"
        self.app.push_screen(NoteDialog(f"Note on pair {self.pair_id}", self.pair_note or "", context), done)

    def action_export(self) -> None:
        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self.rapp.start_export(request)

        self.app.push_screen(ExportDialog(self.rapp.db_path, self.pair_id, f"pair {self.pair_id}"), done)

    def action_help(self) -> None:
        # the note is markup; the languages' names come from the database: escaped, made visible
        src, tgt = (escape(visible(self.language(side))) for side in ("src", "tgt"))
        note = (
            "Rows: [green]✓ accepted[/], [red]✗ rejected[/], · unreviewed; beads alternate between two "
            f"backgrounds. A red confidence is low (< {review.LOW_CONFIDENCE}); a yellow type is not 1-1; 'man' "
            "marks beads a person made; ✎ a bead with a note (the note shows above the status line).\n"
            f"The map (v): {src} sentences down, {tgt} across; █ accepted, ▒ to do, ! low confidence, "
            "✗ rejected, the cursor reversed, · the diagonal; a click jumps there.\n"
            "Made by hand (accepted) is only what you decided on both sides: a merge, a detached "
            "sentence, a split of a bead with one side empty. What the app had to guess (the other "
            "side of a split) or you did not judge (the rest of a bead after d or a shift) stays "
            "unreviewed with confidence 0, so n and w stop there. Fixing text changes no mark.\n"
            "Every key is saved at once; u undoes."
        )
        self.app.push_screen(HelpScreen("Keys of the pair screen", self.HELP_SECTIONS, note))

    def action_back(self) -> None:
        if self.job is not None:
            self.tell("re-aligning this pair: wait for it, or press Esc to cancel it", severity="warning")
            return
        self.save_position()
        review.save_on_list(self.store, self.rapp.reviewer)
        self.dismiss()

    def action_cancel_or_back(self) -> None:
        if not self.cancel_job() and not self.cancel_search():
            self.action_back()

    def on_unmount(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        if self.job is not None:  # the app is closing: a running re-align must not write any more
            self.job.cancel.set()
        if self.searching is not None:  # nor a corpus-wide replacement
            self.searching[1].set()
        if self.store.closed:  # the app closed its database first: the place was saved with the last move
            return
        try:
            self.save_position()
        except AlignerError:  # the app is closing anyway
            pass
