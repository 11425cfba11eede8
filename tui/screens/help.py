"""The `?` screen: every key of the screen underneath, grouped, generated from its bindings.

The keys and what they do are drawn as literal text (``[`` and ``]`` are keys of the pair
screen, not markup); only the screen's own note, written here, carries markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

HelpSections = list[tuple[str, list[Binding]]]


def help_table(app_key_display: Callable[[Binding], str], sections: HelpSections) -> Table:
    """Two columns per section: keys, what they do."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    for title, bindings in sections:
        table.add_row("", Text(title, style="bold underline"))
        for binding in bindings:
            keys = " ".join(app_key_display(binding.with_key(k.strip())) for k in binding.key.split(","))
            table.add_row(Text(keys), Text(binding.tooltip or binding.description))  # literal: "[" is a key
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    """Keys of the screen that opened it; any of Esc, q, ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, title: str, sections: HelpSections, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.sections = sections
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label(self.title_text, classes="dialog-title keyed")
            yield Label("[b]Esc[/] close   [b]↑ ↓ PgUp PgDn[/] scroll", classes="dialog-keys")
            if self.note:
                yield Static(self.note, classes="help-note")
            yield Static(help_table(self.app.get_key_display, self.sections))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # so the arrow keys scroll a list taller than the screen

    def action_close(self) -> None:
        self.dismiss(None)
