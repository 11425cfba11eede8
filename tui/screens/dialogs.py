"""Small modal dialogs of the pair screen: fix a sentence's text, split a sentence, write a
note, go to a bead by its number.

Their keys are shown right under the title, where a long sentence cannot push them out
of a small terminal. Sentences and notes come from outside: they are shown as
:func:`aligner.display.visible` makes them (an ESC as ␛) and never parsed as markup; a
text the reviewer leaves as it was shown is given back exactly as it was stored.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from aligner.display import plain, visible
from aligner.review import MAX_NOTE_CHARS

#: The longest text the edit dialog takes. Real sentences stay far below it (the longest in
#: our news sets has about 600 characters); the cap keeps each key's cost bounded, since the
#: text area re-renders a whole line per key: a 20,000-character paste typed as keystrokes
#: (a terminal without bracketed paste) grew quadratically, keeping the app busy ~99 s.
MAX_SENTENCE_CHARS = 5000


class SentenceArea(TextArea):
    """A text area that holds at most ``max_length`` characters: typing past it rings the
    bell, and a paste is cut to what fits."""

    def __init__(self, text: str, *, max_length: int = MAX_SENTENCE_CHARS, **kwargs: object) -> None:
        super().__init__(text, **kwargs)  # type: ignore[arg-type]
        self.max_length = max(max_length, len(text))

    def room(self) -> int:
        """Characters that can still be added, counting the selection a key would replace."""
        return self.max_length - len(self.text) + len(self.selected_text)

    # Textual calls the handler of every class in the MRO unless one prevents the default,
    # so these only step in when the text is full; otherwise TextArea's own handler runs.
    async def _on_key(self, event: events.Key) -> None:
        if not self.read_only and event.is_printable and self.room() < 1:
            event.stop()
            event.prevent_default()
            self.app.bell()

    async def _on_paste(self, event: events.Paste) -> None:
        room = self.room()
        if self.read_only or len(event.text) <= room:
            return
        event.prevent_default()
        self.app.bell()
        if room > 0 and (result := self._replace_via_keyboard(event.text[:room], *self.selection)):
            self.move_cursor(result.end_location)


class EditSentenceDialog(ModalScreen[str | None]):
    """Edit one sentence; Enter saves, Escape cancels. Returns the new text or None.

    ``context`` (the bead's other side) is shown under the text: a typo fix is easier to
    judge next to the translation.
    """

    BINDINGS = [
        Binding("enter", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    KEYS = "[b]Enter[/] save   [b]Esc[/] cancel"
    MAX_CHARS = MAX_SENTENCE_CHARS

    def __init__(self, title: str, text: str, context: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.shown = visible(text)  # what the text area holds: control characters drawn, not obeyed
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title keyed")
            yield Label(self.KEYS, classes="dialog-keys")
            area = SentenceArea(
                self.shown, max_length=self.MAX_CHARS, soft_wrap=True, show_line_numbers=False, id="sentence-text"
            )
            yield area
            if self.context:
                yield Static(plain(self.context, keep_lines=True), classes="dialog-context")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        typed = " ".join(self.query_one(TextArea).text.split())
        self.dismiss(self.text if typed == " ".join(self.shown.split()) else typed)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SplitSentenceDialog(ModalScreen[int | None]):
    """Pick where a sentence splits: move the cursor to the first character of the new
    sentence and press Enter. Returns the character offset or None."""

    BINDINGS = [
        Binding("enter", "split", "Split here", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.shown, self.raw_offsets = shown_with_offsets(text)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog split-dialog"):
            yield Label(plain(self.title_text), classes="dialog-title keyed")
            yield Label("[b]Enter[/] split   [b]Esc[/] cancel   [b]← → Home End[/] move the cut", classes="dialog-keys")
            yield Static("Put the cursor where the new sentence starts:", classes="split-hint")
            yield TextArea(self.shown, soft_wrap=True, read_only=True, show_line_numbers=False, id="sentence-text")
            yield Static("", classes="split-preview")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor((0, guess_split(self.shown)))
        self.show_cut()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        self.show_cut()

    def show_cut(self) -> None:
        """Show the two sentences the cut would make, so the cursor's place is never a guess."""
        row, col = self.query_one(TextArea).cursor_location
        left, right = self.shown[:col].strip(), self.shown[col:].strip()
        preview = Text()
        preview.append("1 ", style="bold")
        preview.append(left or "(empty: move right)")
        preview.append("\n2 ", style="bold")
        preview.append(right or "(empty: move left)")
        self.query_one(".split-preview", Static).update(preview)

    def action_split(self) -> None:
        row, col = self.query_one(TextArea).cursor_location
        self.dismiss(self.raw_offsets[min(col, len(self.shown))] if row == 0 else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def shown_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` as :func:`~aligner.display.visible` shows it, and for every offset into the
    shown text (its end included) the offset into ``text`` it stands for: a cut placed
    inside a control character's picture (``<U+202E>``) falls before that character."""
    shown = visible(text)
    if shown == text:
        return text, list(range(len(text) + 1))
    offsets: list[int] = []
    for i, ch in enumerate(text):
        offsets.extend([i] * len(visible(ch)))
    offsets.append(len(text))
    return "".join(visible(ch) for ch in text), offsets


class NoteDialog(EditSentenceDialog):
    """Write (or change, or clear) a reviewer's note on a bead or a pair; Enter saves, Escape
    cancels. Returns the note ("" to take the note away) or None. ``context`` is what the
    note is about (the bead's sentences)."""

    KEYS = "[b]Enter[/] save   [b]Esc[/] cancel   an empty note is removed"
    MAX_CHARS = MAX_NOTE_CHARS


class GotoDialog(ModalScreen[int | None]):
    """Ask for a bead number (1 to ``count``); returns its position (from 0) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog goto"):
            yield Label(f"Go to bead (1–{self.count})", classes="dialog-title keyed")
            yield Label("[b]Enter[/] go   [b]Esc[/] cancel", classes="dialog-keys")
            yield Input(placeholder="bead number", id="bead-number", restrict=r"[0-9]*", max_length=9)
            yield Label("", classes="error", id="goto-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        number = int(text) if text.isascii() and text.isdigit() else 0
        if not 1 <= number <= self.count:
            self.query_one("#goto-error", Label).update(f"a bead number from 1 to {self.count}")
            return
        self.dismiss(number - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)


def guess_split(text: str) -> int:
    """A likely cut: after the first sentence-ending mark followed by a space, else at the
    word boundary nearest the middle (never inside a word)."""
    for i, ch in enumerate(text[:-2]):
        if ch in ".!?…。" and text[i + 1] == " " and i > 0:
            return i + 2
    spaces = [i + 1 for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return len(text) // 2
    return min(spaces, key=lambda i: abs(i - len(text) / 2))
