"""Review operations on one article pair: the library side of the review app.

Every function here is a plain call over a :class:`~aligner.store.Store` and a pair id, so
the Textual app is a thin shell and a script can do the same edits. Each edit is ONE
transaction: read the pair, apply the change in memory, write back only what changed,
log it in ``edits`` (with the reviewer's name) and remember the reviewer's place in
``review_state``. A killed terminal therefore loses nothing that was committed.

Why a pair is edited as a list of bead *sizes* (``Cell``: how many source and target
sentences a bead holds) rather than absolute spans: with sizes, every edit is local (merging two
beads or splitting a sentence does not touch the numbers of later beads), the invariant
"beads cover each side's sentences exactly once, in order" only needs the sizes to sum
to the sentence counts, and the undo log can store just the slice that changed instead
of a whole snapshot of a 1,000-bead pair on every keystroke.

Which beads an edit marks as the reviewer's own: only a bead whose both sides the
reviewer determined (a merge, a detached sentence, both halves of a split whose other
side was empty or given) becomes origin ``manual`` and status ``accepted`` (the reviewer
built that link, and a re-run of the aligner keeps it). A bead whose content the app
guessed (the other side of a split cut in proportion) or that an edit changed without the
reviewer judging all of it (what a detach or a shift leaves behind) stays *to check*:
unreviewed, so ``n`` stops on it and "accepted" exports leave it out (see
:func:`to_check`). A text fix or a sentence split changes only text: the bead keeps its
confidence, origin and status.

Every bead an edit changes records who made that change and when (``changed_by``,
``changed_at``: exports carry them as the unit's change id and date). Undo and redo
restore a bead with the facts it had, so an undone accept leaves no trace on the bead
(the edit log keeps the whole story). A re-align changes no bead's facts: the beads it
proposes are the aligner's, the ones it keeps stay as the reviewer left them.

A reviewer can also reject the pairing itself (:func:`reject_pairing`: the two articles
do not translate each other): a logged, undoable edit like the others, which leaves the
beads as they are but keeps all of them out of exports and the lexicon and stops runs
from pairing the two again.

The two sides are ``"src"`` and ``"tgt"`` (the English edition and the Korean original in
a corpus run); what a person reads (the edit log's actions, the messages) names a side by
its language (``detach en 3``, "there is no KO sentence 9").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from aligner.errors import AlignerError
from aligner.model import Origin, Status
from aligner.store import BeadRecord, BeadRow, PairingRejection, Store, now

if TYPE_CHECKING:
    from aligner.align import Aligner

Side = Literal["src", "tgt"]
SIDES: tuple[Side, Side] = ("src", "tgt")
LOW_CONFIDENCE = 0.5
#: How an edit is logged: the changed slice of each list, keyed "src", "tgt" and "beads".
DELTA_FORMAT = "slices-v2"
#: The same, logged before schema 7 with the sides keyed "en" and "ko"; still read.
DELTA_FORMAT_V1 = "slices-v1"

ACCEPTED = Status.ACCEPTED.value
REJECTED = Status.REJECTED.value
UNREVIEWED = Status.UNREVIEWED.value
MANUAL = Origin.MANUAL.value
AUTO = Origin.AUTO.value


class ReviewError(AlignerError):
    """An edit that cannot be made (e.g. merging the last bead); nothing was changed."""

    def __init__(self, problem: str, pair_id: int | None = None) -> None:
        super().__init__(f"pair {pair_id}" if pair_id is not None else None, problem)


# -- the in-memory pair ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A bead without its position: sentence counts per side plus the bead's marks."""

    n_src: int
    n_tgt: int
    score: float = 0.0
    confidence: float = 0.0
    origin: str = AUTO
    status: str = UNREVIEWED
    changed_by: str | None = None  # the reviewer of the last edit that changed this bead
    changed_at: str | None = None  # when (UTC, ISO 8601)
    note: str | None = None

    def size(self, side: Side) -> int:
        return self.n_src if side == "src" else self.n_tgt

    def resized(self, side: Side, n: int) -> Cell:
        return replace(self, n_src=n) if side == "src" else replace(self, n_tgt=n)

    def row(self) -> list[Any]:
        return [
            self.n_src,
            self.n_tgt,
            self.score,
            self.confidence,
            self.origin,
            self.status,
            self.changed_by,
            self.changed_at,
            self.note,
        ]

    def touched(self, reviewer: str, at: str) -> Cell:
        """This bead as changed by ``reviewer`` at ``at``."""
        return replace(self, changed_by=reviewer, changed_at=at)

    @property
    def is_void(self) -> bool:
        return self.n_src == 0 and self.n_tgt == 0


def made_by_hand(n_src: int, n_tgt: int) -> Cell:
    """A bead whose both sides the reviewer determined: their judgement, so accepted and fully confident."""
    return Cell(n_src, n_tgt, 0.0, 1.0, MANUAL, ACCEPTED)


def to_check(n_src: int, n_tgt: int) -> Cell:
    """A bead an edit changed but the reviewer did not judge as a whole (a guessed cut, a leftover).

    Unreviewed, so ``n`` stops on it and "accepted" exports leave it out; confidence 0,
    because nothing measured it, so it is marked low and ``w`` finds it; origin auto, so a
    re-align may redo it.
    """
    return Cell(n_src, n_tgt, 0.0, 0.0, AUTO, UNREVIEWED)


def reshaped(cell: Cell, n_src: int, n_tgt: int) -> Cell:
    """``cell`` after an edit moved one of its sentences: still the reviewer's if it was already
    accepted (they changed a bead they had vouched for), else left to check. Its note stays."""
    new = made_by_hand(n_src, n_tgt) if cell.status == ACCEPTED else to_check(n_src, n_tgt)
    return replace(new, note=cell.note)


def joined_note(*cells: Cell) -> str | None:
    """The notes of beads that become one, in order (None when none has one)."""
    notes = [c.note for c in cells if c.note]
    return "; ".join(notes) if notes else None


@dataclass
class PairState:
    """A pair's sentences (paragraph, text) per side, its beads as ``Cell`` sizes and the
    reviewer's note on the pair.

    ``langs`` (the sides' languages) only name the sides in messages; two states with the
    same sentences, beads and note are equal whatever they say.
    """

    src: list[tuple[int, str]]
    tgt: list[tuple[int, str]]
    cells: list[Cell]
    langs: tuple[str, str] = field(default=("src", "tgt"), compare=False)
    note: str | None = None  # the reviewer's note on the pair

    def sentences(self, side: Side) -> list[tuple[int, str]]:
        return self.src if side == "src" else self.tgt

    def with_sentences(self, side: Side, sentences: list[tuple[int, str]], cells: list[Cell]) -> PairState:
        """This pair with one side's sentences and the beads replaced."""
        if side == "src":
            return replace(self, src=sentences, cells=cells)
        return replace(self, tgt=sentences, cells=cells)

    def with_cells(self, cells: list[Cell]) -> PairState:
        return replace(self, cells=cells)

    def label(self, side: Side) -> str:
        """How a message names a side: its language code, in capitals ("EN")."""
        return self.langs[0 if side == "src" else 1].upper()

    def starts(self) -> list[tuple[int, int]]:
        """(src_start, tgt_start) of every bead."""
        out, e, k = [], 0, 0
        for cell in self.cells:
            out.append((e, k))
            e += cell.n_src
            k += cell.n_tgt
        return out

    def span(self, position: int) -> tuple[int, int, int, int]:
        """Half-open (src_start, src_end, tgt_start, tgt_end) of the bead at ``position``."""
        e = sum(c.n_src for c in self.cells[:position])
        k = sum(c.n_tgt for c in self.cells[:position])
        cell = self.cells[position]
        return e, e + cell.n_src, k, k + cell.n_tgt

    def side_span(self, position: int, side: Side) -> tuple[int, int]:
        e0, e1, k0, k1 = self.span(position)
        return (e0, e1) if side == "src" else (k0, k1)

    def bead_of(self, side: Side, index: int) -> int:
        """Position of the bead holding sentence ``index`` of ``side``."""
        total = 0
        for pos, cell in enumerate(self.cells):
            total += cell.size(side)
            if index < total:
                return pos
        raise ReviewError(f"there is no {self.label(side)} sentence {index}")

    def problems(self) -> list[str]:
        out = []
        if sum(c.n_src for c in self.cells) != len(self.src):
            out.append(f"beads do not cover the {self.label('src')} sentences exactly once")
        if sum(c.n_tgt for c in self.cells) != len(self.tgt):
            out.append(f"beads do not cover the {self.label('tgt')} sentences exactly once")
        if any(c.is_void for c in self.cells):
            out.append("a bead has no sentence on either side")
        if any(c.n_src < 0 or c.n_tgt < 0 for c in self.cells):
            out.append("a bead has a negative size")
        return out


def load_state(store: Store, pair_id: int) -> PairState:
    """Read a pair; refuses one whose stored beads do not run through both sides in order."""
    langs = store.pair_languages(pair_id)  # a pair that is not there is a StoreError
    src, tgt, rows = store.review_rows(pair_id)
    cells = []
    e = k = 0
    for position, e0, e1, k0, k1, score, confidence, origin, status, by, at, note in rows:
        if e0 != e or k0 != k or e1 < e or k1 < k:
            raise ReviewError(f"stored beads break the order at position {position}; re-run alignment", pair_id)
        cells.append(Cell(e1 - e0, k1 - k0, score, confidence, origin, status, by, at, note))
        e, k = e1, k1
    state = PairState(src, tgt, cells, langs, store.pair_note(pair_id))
    if cells and state.problems():
        raise ReviewError("stored beads do not cover the sentences; re-run alignment", pair_id)
    return state


# -- writing only what changed ---------------------------------------------------------------


def _common_ends(old: Sequence[Any], new: Sequence[Any]) -> tuple[int, int]:
    """Lengths of the common prefix and (non-overlapping) common suffix of two lists."""
    limit = min(len(old), len(new))
    lo = 0
    while lo < limit and old[lo] == new[lo]:
        lo += 1
    suf = 0
    while suf < limit - lo and old[len(old) - 1 - suf] == new[len(new) - 1 - suf]:
        suf += 1
    return lo, suf


def _delta(old: PairState, new: PairState) -> tuple[dict, dict]:
    """The changed slice of each list, before and after (empty dicts: nothing changed)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, a, b in (("src", old.src, new.src), ("tgt", old.tgt, new.tgt), ("beads", old.cells, new.cells)):
        if a == b:
            continue
        lo, suf = _common_ends(a, b)
        before[key] = {"at": lo, "rows": [_row(x) for x in a[lo : len(a) - suf]]}
        after[key] = {"at": lo, "rows": [_row(x) for x in b[lo : len(b) - suf]]}
    if old.note != new.note:
        before["pair_note"], after["pair_note"] = {"value": old.note}, {"value": new.note}
    if before:
        before["format"] = after["format"] = DELTA_FORMAT
    return before, after


def _row(item: Cell | tuple[int, str]) -> list[Any]:
    return item.row() if isinstance(item, Cell) else [item[0], item[1]]


def _write(store: Store, pair_id: int, old: PairState, new: PairState) -> None:
    """Bring the stored pair from ``old`` to ``new`` touching as few rows as possible
    (inside the caller's transaction)."""
    pair = store.pair(pair_id)
    if old.note != new.note:
        store.set_pair_note(pair_id, new.note)
    sides: tuple[tuple[Side, int], ...] = (("src", pair.src_doc), ("tgt", pair.tgt_doc))
    for side, doc in sides:
        a, b = old.sentences(side), new.sentences(side)
        if a == b:
            continue
        if len(a) == len(b):
            store.update_sentences(doc, [(i, p, t) for i, ((p, t), was) in enumerate(zip(b, a)) if (p, t) != was])
        else:
            lo, _ = _common_ends(a, b)
            store.replace_sentences_from(doc, lo, b[lo:])
    if old.cells == new.cells and len(old.src) == len(new.src) and len(old.tgt) == len(new.tgt):
        return
    lo, suf = _common_ends(old.cells, new.cells)
    old_end, new_end = len(old.cells) - suf, len(new.cells) - suf
    starts = new.starts()
    records = [
        BeadRecord(
            pos,
            starts[pos][0],
            starts[pos][0] + cell.n_src,
            starts[pos][1],
            starts[pos][1] + cell.n_tgt,
            cell.score,
            cell.confidence,
            cell.origin,
            cell.status,
            cell.changed_by,
            cell.changed_at,
            cell.note,
        )
        for pos, cell in enumerate(new.cells[lo:new_end], start=lo)
    ]
    # a sentence was split: the untouched beads after the window move along
    moved = (len(new.src) - len(old.src), len(new.tgt) - len(old.tgt))
    store.replace_beads(pair_id, lo, old_end, records, moved=moved)


# -- one edit = one transaction ------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """What an operation did: the logged edit (None when nothing changed) and where to look."""

    edit_id: int | None
    action: str
    position: int

    @property
    def changed(self) -> bool:
        return self.edit_id is not None


Change = Callable[[PairState], tuple[PairState, int]]


def apply_edit(store: Store, pair_id: int, reviewer: str, action: str, change: Change) -> Edit:
    """Run ``change`` on the pair inside one transaction, log it and save the reviewer's place.

    ``change`` gets the current pair and returns the new one and the bead position the
    reviewer should look at next; it raises :class:`ReviewError` to refuse.
    """
    with store.transaction():
        old = load_state(store, pair_id)
        if not old.cells:
            raise ReviewError("has no beads yet; align it first", pair_id)
        new, position = change(old)
        problems = new.problems()
        if problems:  # a bug, not a user mistake: refuse rather than store a broken pair
            raise ReviewError(f"{action} would break the alignment ({problems[0]})", pair_id)
        position = min(max(position, 0), len(new.cells) - 1)
        before, after = _delta(old, new)
        edit_id = None
        if before:
            _write(store, pair_id, old, new)
            edit_id = store.record_edit(pair_id, reviewer, action, before, after)
        store.save_place(reviewer, pair_id, position)
    return Edit(edit_id, action, position)


def _positions(positions: int | Iterable[int]) -> list[int]:
    return [positions] if isinstance(positions, int) else sorted(set(positions))


def _check_position(state: PairState, position: int) -> None:
    if not 0 <= position < len(state.cells):
        raise ReviewError(f"there is no bead {position + 1} (the pair has {len(state.cells)})")


def _named(store: Store, pair_id: int, side: Side) -> str:
    """A side as the edit log names it in an action: by its language ("detach en 3")."""
    src, tgt = store.pair_languages(pair_id)
    return src if side == "src" else tgt


def _check_side(side: str) -> Side:
    if side not in SIDES:
        raise ReviewError(f"side must be 'src' or 'tgt', not {side!r}")
    return side


def _set_status(
    store: Store, pair_id: int, positions: int | Iterable[int], status: str, reviewer: str, action: str
) -> Edit:
    wanted = _positions(positions)
    if not wanted:
        raise ReviewError("no bead given")

    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        cells = list(state.cells)
        for p in wanted:
            _check_position(state, p)
            if cells[p].status != status:  # marking a bead as it already is changes nothing
                cells[p] = replace(cells[p], status=status).touched(reviewer, at)
        return state.with_cells(cells), wanted[-1]

    label = ",".join(str(p + 1) for p in wanted[:20]) + ("..." if len(wanted) > 20 else "")
    return apply_edit(store, pair_id, reviewer, f"{action} {label}", change)


def accept(store: Store, pair_id: int, positions: int | Iterable[int], *, reviewer: str) -> Edit:
    """Mark bead(s) as right."""
    return _set_status(store, pair_id, positions, ACCEPTED, reviewer, "accept")


def reject(store: Store, pair_id: int, positions: int | Iterable[int], *, reviewer: str) -> Edit:
    """Mark bead(s) as wrong (kept in the database, left out of 'accepted' exports)."""
    return _set_status(store, pair_id, positions, REJECTED, reviewer, "reject")


def unmark(store: Store, pair_id: int, positions: int | Iterable[int], *, reviewer: str) -> Edit:
    """Take back an accept or reject: the bead is unreviewed again."""
    return _set_status(store, pair_id, positions, UNREVIEWED, reviewer, "unmark")


def accept_all_above(store: Store, pair_id: int, position: int, *, reviewer: str) -> Edit:
    """Accept every unreviewed bead above ``position`` (rejected ones stay rejected)."""

    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        if not 0 <= position <= len(state.cells):
            _check_position(state, position)
        cells = [
            replace(c, status=ACCEPTED).touched(reviewer, at) if p < position and c.status == UNREVIEWED else c
            for p, c in enumerate(state.cells)
        ]
        return state.with_cells(cells), position

    return apply_edit(store, pair_id, reviewer, f"accept-above {position + 1}", change)


def merge_with_next(store: Store, pair_id: int, position: int, *, reviewer: str) -> Edit:
    """Join a bead with the one below it (e.g. a 1-1 and a 1-0 into a 2-1)."""

    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        _check_position(state, position)
        if position + 1 >= len(state.cells):
            raise ReviewError("the last bead has no bead below to merge with")
        a, b = state.cells[position], state.cells[position + 1]
        merged = made_by_hand(a.n_src + b.n_src, a.n_tgt + b.n_tgt)
        merged = replace(merged, note=joined_note(a, b)).touched(reviewer, at)
        cells = state.cells[:position] + [merged] + state.cells[position + 2 :]
        return state.with_cells(cells), position

    return apply_edit(store, pair_id, reviewer, f"merge {position + 1}+{position + 2}", change)


def split_bead(
    store: Store,
    pair_id: int,
    position: int,
    side: Side,
    at_sentence: int,
    other_at: int | None = None,
    *,
    reviewer: str,
) -> Edit:
    """Split a bead in two so that sentence ``at_sentence`` of ``side`` starts the second bead.

    ``other_at`` is the sentence of the other side that starts the second bead (it may be
    the end of the other side's span, leaving the second bead empty there). Without it the
    other side is cut in the same proportion (:func:`other_side_cut`), which is a guess: both
    halves are then left to check. When the cut is given, or the other side is empty, the
    reviewer determined both halves and they become made by hand. Fix the rest with :func:`shift`.
    """
    side = _check_side(side)
    other: Side = "tgt" if side == "src" else "src"
    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        _check_position(state, position)
        s0, s1 = state.side_span(position, side)
        o0, o1 = state.side_span(position, other)
        if not s0 < at_sentence < s1:
            raise ReviewError(
                f"a bead can only be split between its sentences: {state.label(side)} {at_sentence} "
                f"is not inside {s0}..{s1 - 1} after the first"
            )
        cut = other_at if other_at is not None else other_side_cut(at_sentence - s0, s1 - s0, o0, o1)
        if not o0 <= cut <= o1:
            raise ReviewError(f"{state.label(other)} {cut} is not inside the bead ({o0}..{o1})")
        make = made_by_hand if other_at is not None or o0 == o1 else to_check
        first, second = {side: at_sentence - s0, other: cut - o0}, {side: s1 - at_sentence, other: o1 - cut}
        note = state.cells[position].note
        new = [
            replace(make(first["src"], first["tgt"]), note=note).touched(reviewer, at),
            make(second["src"], second["tgt"]).touched(reviewer, at),
        ]
        cells = state.cells[:position] + new + state.cells[position + 1 :]
        return state.with_cells(cells), position

    action = f"split {position + 1} at {_named(store, pair_id, side)} {at_sentence}"
    return apply_edit(store, pair_id, reviewer, action, change)


def other_side_cut(first: int, total: int, o0: int, o1: int) -> int:
    """Where to cut the other side when a bead's ``total`` sentences are split after ``first``.

    In proportion, rounded half up (a 2-2 bead becomes 1-1 + 1-1), except that the first
    half keeps at least one sentence of the other side when there is one: a lone sentence
    goes with the first half whatever the proportion (1-2 and 1-3 both give 1-1 + 0-n).
    """
    if o1 == o0:
        return o0
    return o0 + max(1, int(first * (o1 - o0) / total + 0.5))


def shift(
    store: Store, pair_id: int, position: int, side: Side, direction: Literal["up", "down"], *, reviewer: str
) -> Edit:
    """Move a sentence of one side to the neighbouring bead (InterText's shift).

    ``up`` moves the bead's first ``side`` sentence to the end of the bead above; ``down``
    moves its last one to the start of the bead below. A bead left with no sentence at
    all disappears. The reviewer decided where one sentence goes, not whether the rest of
    either bead is right: both beads stay accepted if they were, else they are left to check.
    """
    side = _check_side(side)
    if direction not in ("up", "down"):
        raise ReviewError(f"direction must be 'up' or 'down', not {direction!r}")
    step = -1 if direction == "up" else 1
    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        _check_position(state, position)
        cell = state.cells[position]
        if cell.size(side) == 0:
            raise ReviewError(f"bead {position + 1} has no {state.label(side)} sentence to move")
        neighbour = position + step
        if not 0 <= neighbour < len(state.cells):
            where = "above" if step < 0 else "below"
            raise ReviewError(f"bead {position + 1} has no bead {where} to move a sentence to")
        cells = list(state.cells)
        giver = reshaped(cell, cell.n_src, cell.n_tgt).resized(side, cell.size(side) - 1).touched(reviewer, at)
        taker = state.cells[neighbour]
        cells[neighbour] = (
            reshaped(taker, taker.n_src, taker.n_tgt).resized(side, taker.size(side) + 1).touched(reviewer, at)
        )
        cells[position] = giver
        cursor = position
        if giver.is_void:
            del cells[position]
            cursor = min(position, neighbour)
        return state.with_cells(cells), cursor

    action = f"shift {_named(store, pair_id, side)} {direction} from {position + 1}"
    return apply_edit(store, pair_id, reviewer, action, change)


def detach(store: Store, pair_id: int, position: int, side: Side, index: int, *, reviewer: str) -> Edit:
    """Give sentence ``index`` of ``side`` a bead of its own (1-0 or 0-1): it has no translation.

    The detached sentence's bead is made by hand. The rest of the bead stays linked but is
    left to check (the reviewer judged one sentence, not the rest); detaching a middle
    sentence leaves the sentences after it in a bead of their own side only, also to check.
    When the other side is empty nothing is guessed, so every part is made by hand.
    """
    side = _check_side(side)
    other: Side = "tgt" if side == "src" else "src"
    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        _check_position(state, position)
        s0, s1 = state.side_span(position, side)
        n_other = state.cells[position].size(other)
        if not s0 <= index < s1:
            raise ReviewError(f"{state.label(side)} sentence {index} is not in bead {position + 1}")
        if s1 - s0 == 1 and n_other == 0:
            raise ReviewError(f"{state.label(side)} sentence {index} already has a bead of its own")
        rest = made_by_hand if n_other == 0 else to_check

        def cell(make: Callable[[int, int], Cell], n_side: int, n_oth: int) -> Cell:
            return make(n_side, n_oth) if side == "src" else make(n_oth, n_side)

        alone = cell(made_by_hand, 1, 0)
        if index == s0:
            parts, cursor = [alone, cell(rest, s1 - s0 - 1, n_other)], position
        elif index == s1 - 1:
            parts, cursor = [cell(rest, s1 - s0 - 1, n_other), alone], position + 1
        else:
            parts = [cell(rest, index - s0, n_other), alone, cell(rest, s1 - index - 1, 0)]
            cursor = position + 1
        parts = [p.touched(reviewer, at) for p in parts if not p.is_void]
        parts[0] = replace(parts[0], note=state.cells[position].note)
        cells = state.cells[:position] + parts + state.cells[position + 1 :]
        return state.with_cells(cells), cursor

    return apply_edit(store, pair_id, reviewer, f"detach {_named(store, pair_id, side)} {index}", change)


def edit_sentence_text(store: Store, pair_id: int, side: Side, index: int, text: str, *, reviewer: str) -> Edit:
    """Fix a sentence's text (typos, stray characters).

    The text is cleaned as page text is before it is stored (invisible characters and
    lone surrogates from a bad paste go) and kept on one line. The bead is left as it was
    (confidence, origin, status): a typo fix says nothing about whether the link is right.
    """
    from aligner.text.normalize import clean_text

    side = _check_side(side)
    text = " ".join(clean_text(text).split())
    if not text:
        raise ReviewError("a sentence cannot be empty (detach or merge it instead)")
    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        sents = list(state.sentences(side))
        if not 0 <= index < len(sents):
            raise ReviewError(f"there is no {state.label(side)} sentence {index}")
        if sents[index][1] == text:
            return state, state.bead_of(side, index)
        sents[index] = (sents[index][0], text)
        pos = state.bead_of(side, index)
        cells = list(state.cells)
        cells[pos] = cells[pos].touched(reviewer, at)  # its text changed: the unit was modified
        new = state.with_sentences(side, sents, cells)
        return new, state.bead_of(side, index)

    return apply_edit(store, pair_id, reviewer, f"edit {_named(store, pair_id, side)} {index}", change)


def split_sentence(store: Store, pair_id: int, side: Side, index: int, char_offset: int, *, reviewer: str) -> Edit:
    """Split a sentence the splitter missed at ``char_offset``; later sentences are renumbered.

    Both halves stay in the same bead, which keeps its confidence, origin and status (the
    text is the same, only cut); split the bead afterwards if the halves belong to
    different translations.
    """
    side = _check_side(side)
    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        sents = list(state.sentences(side))
        if not 0 <= index < len(sents):
            raise ReviewError(f"there is no {state.label(side)} sentence {index}")
        paragraph, text = sents[index]
        left, right = text[:char_offset].strip(), text[char_offset:].strip()
        if not 0 < char_offset < len(text) or not left or not right:
            raise ReviewError("split inside the sentence, with text on both sides of the cut")
        sents[index : index + 1] = [(paragraph, left), (paragraph, right)]
        pos = state.bead_of(side, index)
        cells = list(state.cells)
        cells[pos] = cells[pos].resized(side, cells[pos].size(side) + 1).touched(reviewer, at)
        new = state.with_sentences(side, sents, cells)
        return new, pos

    action = f"split-sentence {_named(store, pair_id, side)} {index} at {char_offset}"
    return apply_edit(store, pair_id, reviewer, action, change)


def _normalizer() -> Callable[[str, str], str]:
    try:
        from aligner.text.normalize import normalize_for_alignment
    except ImportError:  # the text package is optional for review; align the stored text as is
        return lambda text, lang: text
    return normalize_for_alignment


class Cancelled(ReviewError):
    """The reviewer stopped a re-align; nothing was changed."""


Progress = Callable[[str, int, int], None]  # (what, done, total)
ENCODE_CHUNK = 64  # sentences encoded between two looks at the cancel flag (~0.2 s on one core)


def realign_from(
    store: Store,
    pair_id: int,
    position: int,
    *,
    reviewer: str,
    aligner: Aligner | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Edit:
    """Re-align from ``position`` to the end of the pair with the default aligner.

    Beads above ``position`` and accepted or manual beads below it are kept as fixed
    anchors; only the gaps between them are aligned again. A new bead identical to one
    the reviewer rejected stays rejected.

    The slow part is encoding the gaps' sentences the first time (the encoder keeps every
    vector it made, so a second re-align of the pair is quick). They are encoded ahead, a
    chunk at a time, so ``progress`` can report it and ``cancelled`` can stop it between
    chunks and once more before anything is written (raising :class:`Cancelled`).
    """
    from aligner.align import default_aligner

    report = progress or (lambda what, done, total: None)
    stop = cancelled or (lambda: False)
    pair = store.pair(pair_id)
    src_lang, tgt_lang = store.document(pair.src_doc).lang, store.document(pair.tgt_doc).lang
    seen = load_state(store, pair_id)
    if not seen.cells:
        raise ReviewError("has no beads yet; align it first", pair_id)
    _check_position(seen, position)
    report("loading the aligner", 0, 0)
    aligner = aligner or default_aligner(src_lang, tgt_lang)
    spans = [(e, e + c.n_src, k, k + c.n_tgt) for (e, k), c in zip(seen.starts(), seen.cells)]
    keep = {
        span: cell
        for p, (span, cell) in enumerate(zip(spans, seen.cells))
        if p < position or cell.status == ACCEPTED or cell.origin == MANUAL
    }
    rejected = {span: cell for span, cell in zip(spans, seen.cells) if cell.status == REJECTED}
    src, tgt = _gap_texts(seen, keep, src_lang, tgt_lang)
    _encode_ahead(
        aligner,
        [src[i] for i in _gap_indices(keep, len(src), 0)] + [tgt[i] for i in _gap_indices(keep, len(tgt), 2)],
        report,
        stop,
    )
    report("aligning", 0, 0)
    beads = aligner.align(src, tgt, fixed=sorted(keep))

    def change(state: PairState) -> tuple[PairState, int]:
        if stop():
            raise Cancelled("re-align cancelled; nothing changed", pair_id)
        if state != seen:
            raise ReviewError("changed while it was being re-aligned; try again", pair_id)
        cells, e, k = [], 0, 0
        for bead in beads:
            span = (e, e + len(bead.src), k, k + len(bead.tgt))
            e, k = span[1], span[3]
            if span in keep:
                cells.append(keep[span])
            elif span in rejected:  # still rejected, with who rejected it, when, and the note
                cells.append(replace(rejected[span], score=bead.score, confidence=bead.confidence, origin=AUTO))
            else:
                cells.append(Cell(len(bead.src), len(bead.tgt), bead.score, bead.confidence, AUTO, UNREVIEWED))
        return state.with_cells(cells), position

    return apply_edit(store, pair_id, reviewer, f"realign from {position + 1} ({aligner.name})", change)


def _gap_indices(keep: dict[tuple[int, int, int, int], Cell], n: int, at: int) -> list[int]:
    """Sentence indices of one side (``at`` 0: source, 2: target) outside the kept beads."""
    inside = [False] * n
    for span in keep:
        for i in range(span[at], span[at + 1]):
            inside[i] = True
    return [i for i in range(n) if not inside[i]]


def _gap_texts(
    state: PairState, keep: dict[tuple[int, int, int, int], Cell], src_lang: str, tgt_lang: str
) -> tuple[list[str], list[str]]:
    """Both sides' texts as the aligner wants them; only the sentences it will look at (the gaps)
    are normalised, since sentences inside kept beads are never read."""
    norm = _normalizer()
    src = [t for _, t in state.src]
    tgt = [t for _, t in state.tgt]
    for i in _gap_indices(keep, len(src), 0):
        src[i] = norm(src[i], src_lang)
    for i in _gap_indices(keep, len(tgt), 2):
        tgt[i] = norm(tgt[i], tgt_lang)
    return src, tgt


def _encode_ahead(aligner: Aligner, texts: list[str], report: Progress, stop: Callable[[], bool]) -> None:
    """Encode ``texts`` with the aligner's sentence encoder(s) a chunk at a time.

    The encoder caches vectors by text, so the alignment that follows finds them all
    ready; doing it here is what makes the slow part visible and stoppable.
    """
    encoders = [enc for enc in (getattr(signal, "encode", None) for signal in aligner.signals) if callable(enc)]
    if not encoders or not texts:
        return
    report("loading the encoder", 0, 0)
    for encode in encoders:  # the first call loads the model: seconds, once per process
        encode(texts[:1])
    for start in range(0, len(texts), ENCODE_CHUNK):
        if stop():
            raise Cancelled("re-align cancelled; nothing changed")
        report("encoding sentences", start, len(texts))
        for encode in encoders:
            encode(texts[start : start + ENCODE_CHUNK])
    if stop():
        raise Cancelled("re-align cancelled; nothing changed")
    report("encoding sentences", len(texts), len(texts))


# -- undo and redo ------------------------------------------------------------------------


def replay(state: PairState, target: dict[str, Any], current: dict[str, Any]) -> PairState:
    """The pair ``state`` turned from the ``current`` side of a logged edit into its ``target``
    side (undo: target is the edit's ``before``; redo and replaying the log: its ``after``).

    Pure: the crash trials replay a whole edit log with it, in memory. Reads both delta
    formats (sides keyed "src"/"tgt", or "en"/"ko" before schema 7). Refuses (a
    :class:`ReviewError`) when the pair no longer looks like ``current`` (e.g. a batch run
    re-aligned it since) or would come out broken.
    """
    target, current = _v2(target), _v2(current)
    lists: dict[str, list[Any]] = {"src": list(state.src), "tgt": list(state.tgt), "beads": list(state.cells)}
    for key in ("src", "tgt", "beads"):
        if key not in target:
            continue
        at = target[key]["at"]
        now_rows = current[key]["rows"]
        if not _same_rows(key, lists[key][at : at + len(now_rows)], now_rows):
            raise ReviewError("changed since that edit (re-aligned?), so it cannot be undone or redone")
        lists[key][at : at + len(now_rows)] = [_item(key, r) for r in target[key]["rows"]]
    note = state.note
    if "pair_note" in target:
        if current["pair_note"]["value"] != state.note:
            raise ReviewError("the pair's note changed since that edit, so it cannot be undone or redone")
        note = target["pair_note"]["value"]
    new = PairState(lists["src"], lists["tgt"], lists["beads"], state.langs, note)
    if new.problems():
        raise ReviewError("the edit log does not fit the pair any more; nothing changed")
    return new


def is_delta(logged: dict[str, Any]) -> bool:
    """True for an edit logged as changed slices (either format), False for a whole snapshot."""
    return logged.get("format") in (DELTA_FORMAT, DELTA_FORMAT_V1)


def _v2(delta: dict[str, Any]) -> dict[str, Any]:
    """A logged delta with its sides keyed "src" and "tgt" (a v1 delta said "en" and "ko")."""
    if delta.get("format") != DELTA_FORMAT_V1:
        return delta
    names = {"en": "src", "ko": "tgt"}
    return {names.get(key, key): value for key, value in delta.items()} | {"format": DELTA_FORMAT}


def _replay(store: Store, pair_id: int, target: dict[str, Any], current: dict[str, Any]) -> int | None:
    """Turn the stored pair from the ``current`` side of an edit back into the ``target`` side
    (inside the caller's transaction). Returns the bead position where the change happened
    (None for a change of the pair's own note or of the pairing, which are at no bead)."""
    if target.get("format") == PAIRING_FORMAT:
        _replay_pairing(store, pair_id, target["pairing"], current["pairing"])
        return None
    if not is_delta(target):  # a whole snapshot, written by another tool
        store.restore(pair_id, target)
        return 0
    state = load_state(store, pair_id)
    try:
        new = replay(state, target, current)
    except ReviewError as exc:
        raise ReviewError(exc.problem, pair_id) from None
    _write(store, pair_id, state, new)
    target = _v2(target)
    if "beads" in target:
        return min(target["beads"]["at"], max(len(new.cells) - 1, 0))
    if "src" not in target and "tgt" not in target:
        return None
    side: Side = "src" if "src" in target else "tgt"
    return new.bead_of(side, min(target[side]["at"], len(new.sentences(side)) - 1))


def _same_rows(key: str, items: list[Any], rows: list[list[Any]]) -> bool:
    """True when the pair's ``items`` are what the log's ``rows`` say. A bead row logged before
    the review facts (six fields) is compared on those six only."""
    if len(items) != len(rows):
        return False
    for item, row in zip(items, rows):
        if key == "beads" and len(row) <= 6:
            item = replace(item, changed_by=None, changed_at=None, note=None)
        if item != _item(key, row):
            return False
    return True


def _item(key: str, row: list[Any]) -> Cell | tuple[int, str]:
    """A logged row back as a bead or a sentence (bead rows logged before the review facts
    have six fields)."""
    if key == "beads":
        by, at, note = (list(row[6:9]) + [None] * 3)[:3]
        return Cell(int(row[0]), int(row[1]), float(row[2]), float(row[3]), str(row[4]), str(row[5]), by, at, note)
    return (int(row[0]), str(row[1]))


def _step(store: Store, pair_id: int, reviewer: str, undo_it: bool) -> Edit | None:
    """Undo the latest edit in force, or redo the earliest undone one that was not dropped
    (a newer edit drops the redo history), and log the step with the reviewer."""
    with store.transaction():
        edit = store.edit_to_undo(pair_id) if undo_it else store.edit_to_redo(pair_id)
        if edit is None:
            return None
        if undo_it:
            position = _replay(store, pair_id, edit.before, edit.after)
        else:
            position = _replay(store, pair_id, edit.after, edit.before)
        if position is None:  # a pair note or the pairing: the reviewer stays on their bead
            position = _reviewer_position(store, reviewer, pair_id)
        store.mark_undone(edit.id, undo_it)
        store.record_step(edit.id, pair_id, reviewer, "undo" if undo_it else "redo")
        store.save_place(reviewer, pair_id, position)
    return Edit(edit.id, ("undo " if undo_it else "redo ") + edit.action, position)


def undo(store: Store, pair_id: int, *, reviewer: str = "") -> Edit | None:
    """Undo the pair's latest edit (whoever made it); None when there is nothing to undo."""
    return _step(store, pair_id, reviewer, undo_it=True)


def redo(store: Store, pair_id: int, *, reviewer: str = "") -> Edit | None:
    """Redo the edit undone last; None when there is nothing to redo (a new edit clears redo)."""
    return _step(store, pair_id, reviewer, undo_it=False)


# -- the pairing itself ---------------------------------------------------------------------

#: How a rejection or restoration of a pairing is logged: the pair's original (its target
#: document) and whether the pairing was rejected, by whom and when, before and after.
PAIRING_FORMAT = "pairing-v1"


def pairing_rejection(store: Store, pair_id: int) -> PairingRejection | None:
    """Who rejected the pair's pairing and when; None while the pairing stands."""
    return store.pairing_rejection(pair_id)


def reject_pairing(store: Store, pair_id: int, *, reviewer: str, position: int | None = None) -> Edit:
    """Say that the pair's two articles are not a translation of each other.

    Its beads are then never exported (on any export path, whatever the policy) nor learnt
    from by the lexicon, and no run pairs the two again: the next ``aligner run`` looks for
    the English article's original by content among the other candidates, or leaves it
    unpaired, and says which. The beads stay as they are, so :func:`restore_pairing` (or
    :func:`undo`) gives the pair back whole. One logged edit, one transaction; ``position``
    (the bead the reviewer is on, default their last saved place) is saved with it.
    """
    return _set_pairing(store, pair_id, reviewer, position, rejected=True)


def restore_pairing(store: Store, pair_id: int, *, reviewer: str, position: int | None = None) -> Edit:
    """Lift a reviewer's rejection of the pair's pairing (a logged edit, like the rejection)."""
    return _set_pairing(store, pair_id, reviewer, position, rejected=False)


def _set_pairing(store: Store, pair_id: int, reviewer: str, position: int | None, *, rejected: bool) -> Edit:
    action = "reject pairing" if rejected else "restore pairing"
    with store.transaction():
        pair = store.pair(pair_id)
        if position is None:
            position = _reviewer_position(store, reviewer, pair_id)
        was = store.pairing_rejection(pair_id)
        if (was is not None) == rejected:
            return Edit(None, action, position)
        at = now()
        if rejected:
            store.add_pairing_rejection(pair_id, reviewer, at)
        else:
            store.remove_pairing_rejection(pair_id)
        before = {"format": PAIRING_FORMAT, "pairing": _pairing_row(pair.tgt_doc, was)}
        after = {
            "format": PAIRING_FORMAT,
            "pairing": _pairing_row(pair.tgt_doc, PairingRejection(reviewer, at) if rejected else None),
        }
        edit_id = store.record_edit(pair_id, reviewer, action, before, after)
        store.save_place(reviewer, pair_id, position)
    return Edit(edit_id, action, position)


def _pairing_row(tgt_doc: int, rejection: PairingRejection | None) -> dict[str, Any]:
    if rejection is None:
        return {"tgt_doc": tgt_doc, "rejected": False}
    return {"tgt_doc": tgt_doc, "rejected": True, "by": rejection.rejected_by, "at": rejection.rejected_at}


def _replay_pairing(store: Store, pair_id: int, target: dict[str, Any], current: dict[str, Any]) -> None:
    """Bring the pairing from ``current`` to ``target`` (undo or redo of a rejection)."""
    pair = store.pair(pair_id)
    if pair.tgt_doc != target["tgt_doc"]:
        raise ReviewError(
            "a run has paired this article with another original since, so that pairing "
            "cannot be brought back or rejected again from here",
            pair_id,
        )
    if (store.pairing_rejection(pair_id) is not None) != bool(current["rejected"]):
        raise ReviewError(
            "the pairing was rejected or restored again since, so that edit cannot be undone or redone", pair_id
        )
    if target["rejected"]:
        store.add_pairing_rejection(pair_id, str(target.get("by") or ""), target.get("at"))
    else:
        store.remove_pairing_rejection(pair_id)


def _reviewer_position(store: Store, reviewer: str, pair_id: int) -> int:
    """The bead the reviewer was on in this pair (0 when they were elsewhere)."""
    last = store.last_place(reviewer)
    return last[1] if last is not None and last[0] == pair_id else 0


@dataclass(frozen=True)
class LogEntry:
    """One line of a pair's history: an edit, or an undo or redo of one.

    ``state`` (edits only) is "in force", "undone" or "dropped" (undone, then made
    impossible to redo by a newer edit); undo and redo lines have it empty.
    """

    at: str
    reviewer: str
    kind: Literal["edit", "undo", "redo"]
    edit_id: int
    action: str
    state: str = ""


def history(store: Store, pair_id: int, limit: int = 50) -> list[LogEntry]:
    """The latest ``limit`` lines of a pair's history, newest first: nothing is ever deleted
    from it, so it tells who did, undid and redid what, and when."""
    edits, steps = store.edit_history(pair_id, limit)
    # an edit sorts by its id; an undo or redo right after the newest edit of its time
    lines = [
        (
            (e.id, 0, 0),
            LogEntry(
                e.at,
                e.reviewer,
                "edit",
                e.id,
                e.action,
                "dropped" if e.dropped else "undone" if e.undone else "in force",
            ),
        )
        for e in edits
    ]
    lines += [
        ((s.after_edit, 1, s.id), LogEntry(s.at, s.reviewer, _step_kind(s.kind), s.edit_id, s.action)) for s in steps
    ]
    lines.sort(key=lambda line: line[0], reverse=True)
    return [entry for _, entry in lines[:limit]]


def _step_kind(kind: str) -> Literal["undo", "redo"]:
    return "undo" if kind == "undo" else "redo"


# -- where the reviewer is ------------------------------------------------------------------


def save_position(store: Store, reviewer: str, pair_id: int, position: int) -> None:
    """Remember the reviewer's pair and bead, so reopening the app returns there."""
    with store.transaction():
        store.save_place(reviewer, pair_id, position)


def save_on_list(store: Store, reviewer: str) -> None:
    """Remember that the reviewer left the pairs for the list (their last pair and bead are kept,
    for the list's cursor and for opening that pair again)."""
    with store.transaction():
        store.save_on_list(reviewer)


def was_on_list(store: Store, reviewer: str) -> bool:
    """True when the reviewer was last on the list of pairs rather than in a pair."""
    return store.was_on_list(reviewer)


def last_position(store: Store, reviewer: str) -> tuple[int, int] | None:
    """(pair id, bead position) where ``reviewer`` was last, if that pair still exists."""
    return store.last_place(reviewer)


# -- navigation and counts (pure) -----------------------------------------------------------

Target = Literal["unreviewed", "low", "unusual"]


def is_low_confidence(bead: BeadRow | Cell, threshold: float = LOW_CONFIDENCE) -> bool:
    """An aligner's bead the aligner itself doubts (a person's bead is never 'low')."""
    return bead.origin == AUTO and bead.confidence < threshold


def is_unusual(bead: BeadRow | Cell) -> bool:
    """Anything but 1-1: merges, splits, dropped or added sentences deserve a look."""
    if isinstance(bead, Cell):
        return (bead.n_src, bead.n_tgt) != (1, 1)
    return bead.kind != "1-1"


def matches(bead: BeadRow | Cell, target: Target, threshold: float = LOW_CONFIDENCE) -> bool:
    if target == "unreviewed":
        return bead.status == UNREVIEWED
    if target == "low":
        return is_low_confidence(bead, threshold)
    if target == "unusual":
        return is_unusual(bead)
    raise ReviewError(f"unknown target {target!r} (unreviewed, low or unusual)")


def find_bead(
    beads: Sequence[BeadRow | Cell],
    start: int,
    target: Target,
    direction: int = 1,
    *,
    threshold: float = LOW_CONFIDENCE,
    wrap: bool = True,
) -> int | None:
    """Position of the next (``direction`` 1) or previous (-1) bead matching ``target``,
    strictly after/before ``start``; wraps around the pair when ``wrap``."""
    n = len(beads)
    if not n:
        return None
    order = range(start + direction, n if direction > 0 else -1, direction)
    for p in order:
        if matches(beads[p], target, threshold):
            return p
    if wrap:
        rest = range(0, min(start + 1, n)) if direction > 0 else range(n - 1, max(start - 1, -1), -1)
        for p in rest:
            if matches(beads[p], target, threshold):
                return p
    return None


def find_text(sentences: Sequence[str], query: str, start: int, direction: int = 1) -> int | None:
    """Index of the next/previous sentence containing ``query`` (case-insensitive), wrapping."""
    q = query.casefold().strip()
    n = len(sentences)
    if not q or not n:
        return None
    for step in range(1, n + 1):
        i = (start + direction * step) % n
        if q in sentences[i].casefold():
            return i
    return None


@dataclass
class Counts:
    """Review progress: how many beads are accepted, rejected, unreviewed."""

    accepted: int = 0
    rejected: int = 0
    unreviewed: int = 0

    @property
    def total(self) -> int:
        return self.accepted + self.rejected + self.unreviewed

    @property
    def reviewed_share(self) -> float:
        return (self.accepted + self.rejected) / self.total if self.total else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.accepted + other.accepted, self.rejected + other.rejected, self.unreviewed + other.unreviewed
        )

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.accepted - other.accepted, self.rejected - other.rejected, self.unreviewed - other.unreviewed
        )


def count_beads(beads: Iterable[BeadRow | Cell]) -> Counts:
    counts = Counts()
    for b in beads:
        if b.status == ACCEPTED:
            counts.accepted += 1
        elif b.status == REJECTED:
            counts.rejected += 1
        else:
            counts.unreviewed += 1
    return counts


def corpus_counts(store: Store) -> Counts:
    """Bead counts by status over the whole corpus (one aggregate query)."""
    counts = Counts()
    for status, n in store.status_counts().items():
        if status == ACCEPTED:
            counts.accepted = n
        elif status == REJECTED:
            counts.rejected = n
        else:
            counts.unreviewed += n
    return counts


# -- notes ------------------------------------------------------------------------------------

#: The longest note a reviewer can leave (a note is a word to the next reviewer, not an essay).
MAX_NOTE_CHARS = 2000


def clean_note(note: str | None) -> str | None:
    """A note as it is stored: cleaned like page text, on one line; None when nothing is left."""
    if note is None:
        return None
    from aligner.text.normalize import clean_text

    text = " ".join(clean_text(note).split())
    if len(text) > MAX_NOTE_CHARS:
        raise ReviewError(f"a note holds at most {MAX_NOTE_CHARS} characters, not {len(text)}")
    return text or None


def set_note(store: Store, pair_id: int, position: int, note: str | None, *, reviewer: str) -> Edit:
    """Give bead ``position`` a note (None or blank: take its note away). One logged edit,
    undone by :func:`undo`; the bead's mark and confidence stay as they were."""
    text = clean_note(note)
    at = now()

    def change(state: PairState) -> tuple[PairState, int]:
        _check_position(state, position)
        cells = list(state.cells)
        if cells[position].note != text:
            cells[position] = replace(cells[position], note=text).touched(reviewer, at)
        return state.with_cells(cells), position

    return apply_edit(store, pair_id, reviewer, f"note {position + 1}" if text else f"unnote {position + 1}", change)


def set_pair_note(store: Store, pair_id: int, note: str | None, *, reviewer: str, position: int = 0) -> Edit:
    """Give the pair itself a note (None or blank: take it away): one logged, undoable edit.
    ``position`` is where the reviewer is, so the edit leaves them there."""
    text = clean_note(note)

    def change(state: PairState) -> tuple[PairState, int]:
        return replace(state, note=text), position

    return apply_edit(store, pair_id, reviewer, "note pair" if text else "unnote pair", change)


# -- search and replace ---------------------------------------------------------------------------

#: Where a search looks: one side's sentences, both sides', or the notes (the beads' and the pair's).
Where = Literal["src", "tgt", "both", "notes"]
WHERE: tuple[Where, ...] = ("src", "tgt", "both", "notes")
#: What a hit is in: a sentence of a side, a bead's note, or the pair's own note.
HitKind = Literal["src", "tgt", "note", "pair-note"]


@dataclass(frozen=True)
class Query:
    """A compiled search: a Python regular expression and where it looks.

    Only non-empty matches count: a pattern that can only match empty text (``x*`` on a
    sentence without x) finds nothing, and a replacement never inserts text at an empty match.
    """

    pattern: re.Pattern[str]
    where: Where = "both"

    @property
    def text(self) -> str:
        return self.pattern.pattern

    @property
    def sides(self) -> tuple[Side, ...]:
        """The sentence sides it searches (none for a search of notes)."""
        chosen: dict[str, tuple[Side, ...]] = {"src": ("src",), "tgt": ("tgt",), "both": SIDES, "notes": ()}
        return chosen[self.where]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every non-empty match in ``text``."""
        return [m.span() for m in self.pattern.finditer(text) if m.end() > m.start()]

    def found_in(self, text: str) -> bool:
        return any(m.end() > m.start() for m in self.pattern.finditer(text))


def compile_query(text: str, where: str = "both", *, match_case: bool = False) -> Query:
    """A search for the regular expression ``text`` (Python ``re``), case-insensitive unless
    ``match_case``. A pattern that does not compile is a :class:`ReviewError` in one line
    that says what is wrong and where (``missing ), unterminated subpattern at position 3``)."""
    if where not in WHERE:
        raise ReviewError(f"a search looks in src, tgt, both or notes, not {where!r}")
    if not text:
        raise ReviewError("nothing to search for")
    try:
        pattern = re.compile(text, 0 if match_case else re.IGNORECASE)
    except re.error as exc:
        where_at = f" at position {exc.pos}" if exc.pos is not None else ""
        raise ReviewError(f"not a regular expression: {exc.msg}{where_at}") from None
    except (OverflowError, RecursionError, MemoryError) as exc:  # absurd repeats or nesting
        raise ReviewError(f"not a usable regular expression ({type(exc).__name__})") from None
    return Query(pattern, where)


@dataclass(frozen=True)
class Hit:
    """One sentence or note a search found: which pair and bead, what it is, its text and
    where the matches are in it."""

    pair_id: int
    position: int  # the bead (the pair's first bead for the pair's own note)
    kind: HitKind
    index: int  # sentence index (src, tgt); bead position (note); -1 (pair-note)
    text: str
    spans: tuple[tuple[int, int], ...]

    @property
    def count(self) -> int:
        return len(self.spans)


def _bead_of(beads: Sequence[BeadRow], side: Side, index: int) -> int:
    """Position of the bead whose ``side`` span holds sentence ``index`` (by bisection)."""
    from bisect import bisect_right

    ends = [b.src_end if side == "src" else b.tgt_end for b in beads]
    return min(bisect_right(ends, index), max(len(beads) - 1, 0))


def pair_hits(
    pair_id: int,
    src: Sequence[str],
    tgt: Sequence[str],
    beads: Sequence[BeadRow],
    query: Query,
    pair_note: str | None = None,
) -> list[Hit]:
    """Every hit of ``query`` in one pair, in reading order: by bead, source before target,
    sentence by sentence (for notes: the pair's note first, then the beads' notes)."""
    hits: list[Hit] = []
    if query.where == "notes":
        if pair_note and (found := query.spans(pair_note)):
            hits.append(Hit(pair_id, 0, "pair-note", -1, pair_note, tuple(found)))
        for b in beads:
            if b.note and (found := query.spans(b.note)):
                hits.append(Hit(pair_id, b.position, "note", b.position, b.note, tuple(found)))
        return hits
    texts = {"src": src, "tgt": tgt}
    for b in beads:
        for side in query.sides:
            lo, hi = (b.src_start, b.src_end) if side == "src" else (b.tgt_start, b.tgt_end)
            for i in range(lo, min(hi, len(texts[side]))):
                if spans := query.spans(texts[side][i]):
                    hits.append(Hit(pair_id, b.position, side, i, texts[side][i], tuple(spans)))
    return hits


@dataclass
class CorpusHits:
    """What a corpus-wide search found: the hits (at most ``limit``), how many there were in all
    and in how many pairs, and the pairs' titles."""

    query: Query
    hits: list[Hit]
    total: int
    pairs: int
    titles: dict[int, tuple[str, str]]

    @property
    def cut(self) -> bool:
        """True when there were more hits than are listed."""
        return self.total > len(self.hits)


#: The most hits a corpus search lists (all are counted).
MAX_HITS = 5000


def search_corpus(
    store: Store, query: Query, *, limit: int = MAX_HITS, cancelled: Callable[[], bool] | None = None
) -> CorpusHits:
    """Every hit of ``query`` in the corpus, pair by pair in corpus order (see
    :func:`pair_hits`); the first ``limit`` are kept with their bead, all are counted.
    ``cancelled`` is asked every thousand sentences and stops the search with :class:`Cancelled`."""
    stop = cancelled or (lambda: False)
    found: dict[int, list[tuple[HitKind, int, str, tuple[tuple[int, int], ...]]]] = {}
    total = 0
    rows: Iterable[tuple[int, HitKind, int, str]]
    if query.where == "notes":
        rows = (
            (p, "pair-note" if pos is None else "note", -1 if pos is None else pos, text)
            for p, pos, text in store.corpus_notes()
        )
    else:
        rows = store.corpus_sentences(query.sides)
    for n, (pair_id, kind, index, text) in enumerate(rows):
        if n % 1000 == 0 and stop():
            raise Cancelled("search cancelled")
        spans = query.spans(text)
        if not spans:
            continue
        total += 1
        items = found.setdefault(pair_id, [])
        if total <= limit:
            items.append((kind, index, text, tuple(spans)))
    hits: list[Hit] = []
    for pair_id, items in found.items():
        if not items:
            continue
        beads = store.beads(pair_id) if query.where != "notes" else []
        for kind, index, text, where in items:
            position = _bead_of(beads, kind, index) if kind == "src" or kind == "tgt" else max(index, 0)
            hits.append(Hit(pair_id, position, kind, index, text, where))
    if query.where == "both":  # reading order within a pair: by bead, then source before target
        hits.sort(key=lambda h: (h.pair_id, h.position, h.kind != "src", h.index))
    return CorpusHits(query, hits, total, len(found), store.pair_titles(found))


@dataclass(frozen=True)
class Replacement:
    """One sentence a replacement changes: its text before and after, and how many matches.

    ``new`` is cleaned as a typed fix is (one line, no invisible characters); an empty
    ``new`` would delete the sentence, so it is refused (``refused`` says why).
    """

    side: Side
    index: int
    old: str
    new: str
    count: int

    @property
    def refused(self) -> str:
        return "" if self.new else "it would leave the sentence empty (detach or merge it instead)"


def _expand(query: Query, template: str) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        return m.expand(template) if m.end() > m.start() else m.group()

    return sub


def check_template(query: Query, template: str) -> None:
    """Refuse a replacement that names a group the pattern lacks (``\\3``, ``\\g<name>``) or
    holds a bad escape, in one line, before anything is shown or written: it is expanded
    once against a stand-in match with the pattern's own groups."""
    groups: list[str] = []
    names = {i: name for name, i in query.pattern.groupindex.items()}
    for i in range(1, query.pattern.groups + 1):
        groups.append(f"(?P<{names[i]}>)" if i in names else "()")
    stand_in = re.compile("".join(groups)).fullmatch("")
    assert stand_in is not None  # empty groups always match the empty string
    try:
        stand_in.expand(template)
    except (re.error, IndexError) as exc:
        raise ReviewError(f"not a usable replacement: {exc}") from None


def plan_replacements(src: Sequence[str], tgt: Sequence[str], query: Query, template: str) -> list[Replacement]:
    """What replacing every match of ``query`` with ``template`` (a Python ``re`` replacement:
    ``\\1``, ``\\g<name>``) would do to a pair's sentences, in reading order by side and
    index; pure, so the preview and the edit agree. Sentences it would not change are left out."""
    if query.where == "notes":
        raise ReviewError("replace works on sentences; change a note with its own key")
    check_template(query, template)
    from aligner.text.normalize import clean_text

    sub = _expand(query, template)
    out: list[Replacement] = []
    for side in query.sides:
        texts = src if side == "src" else tgt
        for i, text in enumerate(texts):
            count = len(query.spans(text))
            if not count:
                continue
            try:
                new = " ".join(clean_text(query.pattern.sub(sub, text)).split())
            except (re.error, IndexError) as exc:
                raise ReviewError(f"not a usable replacement: {exc}") from None
            if new != text:
                out.append(Replacement(side, i, text, new, count))
    return out


def replace_text(
    store: Store,
    pair_id: int,
    query: Query,
    template: str,
    *,
    reviewer: str,
    only: Iterable[tuple[Side, int]] | None = None,
    expect: dict[tuple[Side, int], str] | None = None,
) -> Edit:
    """Replace the matches of ``query`` in a pair's sentences: ONE logged edit (undone as one
    by :func:`undo`), with the reviewer. ``only`` limits it to some (side, index) sentences
    (those a reviewer left ticked in a preview); ``expect`` maps them to the text the preview
    showed, and a sentence whose text is no longer that refuses the whole edit. The beads
    keep their marks (fixing text says nothing about a link) and record who changed them."""
    chosen = None if only is None else set(only)
    at = now()
    counted = [0, 0]

    def change(state: PairState) -> tuple[PairState, int]:
        plan = plan_replacements([t for _, t in state.src], [t for _, t in state.tgt], query, template)
        if chosen is not None:
            plan = [r for r in plan if (r.side, r.index) in chosen]
        if expect is not None:
            for r in plan:
                if expect.get((r.side, r.index), r.old) != r.old:
                    raise ReviewError(
                        f"{state.label(r.side)} sentence {r.index} changed since the preview; search again", pair_id
                    )
            missing = set(expect) - {(r.side, r.index) for r in plan}
            if missing:
                side, index = min(missing)
                raise ReviewError(
                    f"{state.label(side)} sentence {index} changed since the preview; search again", pair_id
                )
        plan = [r for r in plan if not r.refused]
        cells = list(state.cells)
        new = state
        for r in plan:
            sents = list(new.sentences(r.side))
            sents[r.index] = (sents[r.index][0], r.new)
            pos = state.bead_of(r.side, r.index)
            cells[pos] = cells[pos].touched(reviewer, at)
            new = new.with_sentences(r.side, sents, cells)
        counted[:] = [sum(r.count for r in plan), len(plan)]
        first = state.bead_of(plan[0].side, plan[0].index) if plan else 0
        return new.with_cells(cells), first

    edit = apply_edit(store, pair_id, reviewer, _replace_action(query, template), change)
    return replace(edit, action=f"{edit.action} ({counted[0]} in {counted[1]} sentences)")


def _replace_action(query: Query, template: str, width: int = 60) -> str:
    """How the edit log names a replacement: ``replace /PATTERN/ -> TEXT``, cut to ``width``."""
    text = f"replace /{query.text}/ -> {template}"
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class CorpusPlan:
    """A corpus-wide replacement before it is made: what each pair's sentences would become."""

    query: Query
    template: str
    pairs: dict[int, list[Replacement]]
    titles: dict[int, tuple[str, str]]

    @property
    def count(self) -> int:
        return sum(r.count for rs in self.pairs.values() for r in rs if not r.refused)


def plan_corpus_replacements(
    store: Store, query: Query, template: str, *, cancelled: Callable[[], bool] | None = None
) -> CorpusPlan:
    """:func:`plan_replacements` for every pair with a match, in corpus order (nothing written)."""
    if query.where == "notes":
        raise ReviewError("replace works on sentences; change a note with its own key")
    check_template(query, template)
    found = search_corpus(store, query, limit=10**9, cancelled=cancelled)
    texts: dict[int, dict[tuple[Side, int], str]] = {}
    for hit in found.hits:
        if hit.kind == "src" or hit.kind == "tgt":
            texts.setdefault(hit.pair_id, {})[(hit.kind, hit.index)] = hit.text
    pairs: dict[int, list[Replacement]] = {}
    for pair_id, sentences in texts.items():
        src = _sparse(sentences, "src")
        tgt = _sparse(sentences, "tgt")
        plan = plan_replacements(src, tgt, query, template)
        if plan:
            pairs[pair_id] = plan
    return CorpusPlan(query, template, pairs, found.titles)


def _sparse(sentences: dict[tuple[Side, int], str], side: Side) -> list[str]:
    """The matched sentences of one side at their indices, empty strings between (which
    match nothing, so a plan over them names the right indices)."""
    indices = [i for s, i in sentences if s == side]
    out = [""] * (max(indices) + 1 if indices else 0)
    for (s, i), text in sentences.items():
        if s == side:
            out[i] = text
    return out


@dataclass
class CorpusReplaced:
    """What a corpus-wide replacement did: one edit per pair it changed, and the pairs it could
    not change with the reason (one bad pair is reported and skipped, the rest go on)."""

    edits: dict[int, Edit]
    failed: dict[int, str]

    @property
    def count(self) -> int:
        return len(self.edits)


def replace_in_corpus(
    store: Store,
    plan: CorpusPlan,
    *,
    reviewer: str,
    only: Iterable[tuple[int, Side, int]] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> CorpusReplaced:
    """Make a previewed corpus-wide replacement: one logged edit per pair changed (each undone
    on its own with :func:`undo` in that pair). ``only`` limits it to some (pair, side, index)
    sentences. A pair changed since the preview is refused and reported; the rest go on.
    ``cancelled`` stops it between pairs (the pairs already done stay done)."""
    chosen = None if only is None else set(only)
    report = progress or (lambda what, done, total: None)
    stop = cancelled or (lambda: False)
    done = CorpusReplaced({}, {})
    todo = [
        (pair_id, [r for r in plan_ if not r.refused and (chosen is None or (pair_id, r.side, r.index) in chosen)])
        for pair_id, plan_ in plan.pairs.items()
    ]
    todo = [(p, rs) for p, rs in todo if rs]
    for n, (pair_id, rs) in enumerate(todo):
        if stop():
            break
        report("replacing", n, len(todo))
        try:
            edit = replace_text(
                store,
                pair_id,
                plan.query,
                plan.template,
                reviewer=reviewer,
                only=[(r.side, r.index) for r in rs],
                expect={(r.side, r.index): r.old for r in rs},
            )
        except AlignerError as exc:
            done.failed[pair_id] = exc.problem
            continue
        if edit.changed:
            done.edits[pair_id] = edit
    report("replacing", len(todo), len(todo))
    return done


# -- moving between pairs and along a pair ---------------------------------------------------------


def next_pair_to_do(store: Store, pair_id: int, direction: int = 1) -> int | None:
    """The next (``direction`` 1) or previous (-1) pair after ``pair_id`` in corpus order that
    still has an unreviewed bead, wrapping around the corpus; None when no other pair has one."""
    found = store.pair_with_unreviewed(pair_id, direction)
    if found is None:  # wrap: from the other end of the corpus up to (not including) this pair
        found = store.pair_with_unreviewed(0 if direction > 0 else 2**62, direction)
    return None if found is None or found == pair_id else found


def _is_run(bead: BeadRow | Cell) -> bool:
    return is_unusual(bead)


def find_run(beads: Sequence[BeadRow | Cell], start: int, direction: int = 1) -> int | None:
    """The first bead of the next (``direction`` 1) or previous (-1) run of consecutive beads
    that are not 1-1 (a block of skipped sentences, a long merge: where the path through the
    sentence grid leaves its diagonal), strictly after/before the run ``start`` is in; no wrap."""
    n = len(beads)
    if not n:
        return None
    p = max(0, min(start, n - 1))
    if direction > 0:
        while p < n and _is_run(beads[p]):  # leave the run the cursor is in
            p += 1
        while p < n and not _is_run(beads[p]):
            p += 1
        return p if p < n else None
    # backwards: to the start of the previous run
    while p >= 0 and _is_run(beads[p]):
        p -= 1
    while p >= 0 and not _is_run(beads[p]):
        p -= 1
    if p < 0:
        return None
    while p > 0 and _is_run(beads[p - 1]):
        p -= 1
    return p
