"""A one-line footer of the screen's keys, drawn as text.

Textual's Footer rebuilds a widget per key whenever the focus moves (its keys change when
the search box takes the focus): 30-60 ms of CPU on the corpus screen for `/` and Esc,
most of those keys' cost. This footer draws the same keys, in the same colours, as one
line, and only repaints when they change. A click on a key presses it.
"""

from __future__ import annotations

from rich.text import Text
from textual.events import Click
from textual.screen import Screen
from textual.widget import Widget


class KeyFooter(Widget):
    """The keys of the focused widget and its screen (``show=True`` bindings), one line."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {"key-footer--key"}

    def __init__(self, *, compact: bool = False, palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = compact  # keys told apart by their colour alone, as Textual's compact Footer
        self.palette = palette  # the command palette's key at the right edge
        self.spans: list[tuple[int, int, str]] = []  # (first cell, end cell, key) of each key shown

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        self.spans = []
        seen: set[str] = set()
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            start = text.cell_len
            key = self.app.get_key_display(binding)
            text.append(key if self.compact else f" {key} ", style=key_style if enabled else "dim")
            text.append(
                f" {binding.description}" if self.compact else f"{binding.description} ", style="" if enabled else "dim"
            )
            self.spans.append((start, text.cell_len, binding.key.split(",")[0]))
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if (
            self.palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None
        ):  # at the right edge, as Textual's Footer has it
            label = f" {self.app.get_key_display(palette[1])} "
            room = self.size.width - text.cell_len - len(label) - len(palette[1].description) - 1
            if room >= 1:
                text.append(" " * room)
                start = text.cell_len
                text.append(label, style=key_style)
                text.append(f"{palette[1].description} ")
                self.spans.append((start, text.cell_len, palette[1].key))
        return text

    def on_click(self, event: Click) -> None:
        for start, end, key in self.spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
