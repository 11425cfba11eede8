"""A pair's origin (link or content, how sure) where the reviewer sees it, and the dialog that
rejects or restores a pairing.

Kept in one module so the corpus list and the pair screen each need one line to show the
origin and one key to act on it: :data:`ORIGIN_HELP` (what the list's "Paired" column,
drawn by :mod:`tui.widgets.pair_list`, says), :func:`origin_phrase` (the end of the pair
screen's title line) and :class:`PairingDialog` (X on the pair screen). Titles, URLs and names come
from outside, so everything is built with :mod:`aligner.display`, never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from aligner.display import line, plain
from aligner.store import PairingRejection, PairOrigin, Store

#: Explains the column's cells (the corpus screen's help).
ORIGIN_HELP = (
    "Paired: link (the page's original-article link), c 0.97 (found by content, with its probability; "
    "? when pairing was not sure), given (pairs.jsonl); ✗ a reviewer rejected the pairing."
)


def origin_phrase(origin: PairOrigin, rejection: PairingRejection | None) -> Text:
    """ "paired by content (p 0.97, sure)", and the rejection when there is one."""
    style = "yellow" if origin.sure is False else "dim"
    if rejection is None:
        return plain(origin.describe(), style)
    return line(
        Text("PAIRING REJECTED", style="bold red"),
        " by ",
        rejection.rejected_by,
        f" ({origin.describe()}; X restores it)",
    )


class PairingDialog(ModalScreen[bool]):
    """Confirm rejecting (or restoring) a pair's pairing: Enter or y confirms, Esc or n cancels."""

    BINDINGS = [
        Binding("enter,y", "confirm", "Confirm", priority=True),
        Binding("escape,n", "cancel", "Cancel"),
    ]

    def __init__(self, store: Store, pair_id: int) -> None:
        super().__init__()
        pair = store.pair(pair_id)
        self.src, self.tgt = store.document(pair.src_doc), store.document(pair.tgt_doc)
        self.origin = pair.origin
        self.rejection = store.pairing_rejection(pair_id)

    @property
    def restoring(self) -> bool:
        return self.rejection is not None

    def compose(self) -> ComposeResult:
        verb = "Restore" if self.restoring else "Reject"
        with Vertical(classes="dialog pairing-dialog"):
            yield Label(f"{verb} this pairing?", classes="dialog-title keyed")
            yield Label(f"[b]Enter[/] {verb.lower()}   [b]Esc[/] cancel", classes="dialog-keys")
            yield Static(
                line(
                    "English: ",
                    self.src.title or "(no title)",
                    "\n         ",
                    self.src.key,
                    "\nKorean:  ",
                    self.tgt.title or "(no title)",
                    "\n         ",
                    self.tgt.key,
                )
            )
            why = self.origin.why
            yield Static(line(self.origin.describe(), (": " + why) if why else ""), classes="dialog-context")
            if self.restoring:
                assert self.rejection is not None
                note = line(
                    "Rejected by ",
                    self.rejection.rejected_by,
                    " at ",
                    self.rejection.rejected_at,
                    ". Restoring brings its beads back into exports and the lexicon.",
                )
            else:
                note = Text(
                    "The two articles are not a translation of each other: none of this pair's beads "
                    "will be exported or learnt from, and the next `aligner run` will look for the "
                    "English article's original by content among the other pages (or leave it "
                    "unpaired) and never pair these two again. The beads stay; u undoes."
                )
            yield Static(note, classes="dialog-help")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
