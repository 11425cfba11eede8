"""Small modal dialogs of the pair screen: fix a sentence's text, split a sentence."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class EditSentenceDialog(ModalScreen[str | None]):
    """Edit one sentence; Enter saves, Escape cancels. Returns the new text or None."""

    BINDINGS = [
        Binding("enter", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            area = TextArea(self.text, soft_wrap=True, show_line_numbers=False, id="sentence-text")
            yield area
            yield Label("[b]Enter[/] save   [b]Esc[/] cancel", classes="dialog-help")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(" ".join(self.query_one(TextArea).text.split()))

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

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, soft_wrap=True, read_only=True, show_line_numbers=False, id="sentence-text")
            yield Label("Move the cursor to where the new sentence starts.   [b]Enter[/] split   [b]Esc[/] cancel",
                        classes="dialog-help")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor((0, guess_split(self.text)))

    def action_split(self) -> None:
        row, col = self.query_one(TextArea).cursor_location
        self.dismiss(col if row == 0 else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def guess_split(text: str) -> int:
    """A likely cut: after the first sentence-ending mark followed by a space, else the middle."""
    for i, ch in enumerate(text[:-2]):
        if ch in ".!?…。" and text[i + 1] == " " and i > 0:
            return i + 2
    return len(text) // 2
