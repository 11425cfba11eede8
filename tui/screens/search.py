"""Search and replace: the dialog that asks what and where, the list of a corpus-wide
search's hits, and the preview of a replacement.

The matching and the replacing themselves are :mod:`aligner.review`'s (``compile_query``,
``pair_hits``, ``search_corpus``, ``plan_replacements``, ``replace_text``): these screens
only ask and show. Everything they show from the corpus (sentences, notes, titles) and
the reviewer's own pattern go through :func:`aligner.display.visible` into literal
``Text``, never markup.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Footer, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from aligner.display import plain, visible
from aligner.errors import AlignerError
from aligner.review import (
    CorpusHits,
    CorpusPlan,
    Hit,
    Query,
    Replacement,
    Side,
    Where,
    check_template,
    compile_query,
)
from aligner.text.langcheck import language_name


@dataclass(frozen=True)
class SearchRequest:
    """What the reviewer asked for: a checked pattern, where to look, and the replacement
    (None: only find)."""

    query: Query
    corpus: bool = False
    match_case: bool = False
    replacement: str | None = None

    @property
    def where(self) -> Where:
        return self.query.where

    def describe(self, langs: tuple[str, str]) -> str:
        """'/PATTERN/ in EN' (and the replacement), as messages and titles say it."""
        where = {"src": langs[0].upper(), "tgt": langs[1].upper(), "both": "both sides", "notes": "notes"}[self.where]
        text = f"/{self.query.text}/ in {where}" + (" (whole corpus)" if self.corpus else "")
        if self.replacement is not None:
            text += f" → “{self.replacement}”"
        return text


WHERE_ORDER: tuple[Where, ...] = ("src", "tgt", "both", "notes")


class Choices(RadioSet):
    """A row of radio buttons in which ← and → (or ↑ and ↓) choose at once: Enter belongs
    to the dialog (it searches), so choosing must not need it."""

    BINDINGS = [
        Binding("right,down", "choose(1)", "Next choice", show=False),
        Binding("left,up", "choose(-1)", "Previous choice", show=False),
    ]

    def action_choose(self, step: int) -> None:
        if self.pressed_index >= 0:  # move from the button that is pressed, not from the last one looked at
            self._selected = self.pressed_index
        if step > 0:
            self.action_next_button()
        else:
            self.action_previous_button()
        self.action_toggle_button()


class SearchDialog(ModalScreen[SearchRequest | None]):
    """Ask for a regular expression, where to look (a side, both, the notes; this pair or the
    whole corpus) and, for a replacement, what to put instead. A bad pattern or replacement
    is said in one line in the dialog, which stays open to fix it."""

    BINDINGS = [
        Binding("enter", "submit", "Search", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        langs: tuple[str, str],
        *,
        where: Where = "src",
        pattern: str = "",
        corpus: bool = False,
        match_case: bool = False,
        replace: bool = False,
        replacement: str = "",
    ) -> None:
        super().__init__()
        self.langs = langs
        self.where = where
        self.pattern = pattern
        self.corpus = corpus
        self.match_case = match_case
        self.replace = replace
        self.replacement = replacement

    def compose(self) -> ComposeResult:
        title = "Replace" if self.replace else "Search"
        names = [language_name(self.langs[0]), language_name(self.langs[1]), "both sides", "notes"]
        with Vertical(classes="dialog search-dialog"):
            yield Label(f"{title} (a Python regular expression)", classes="dialog-title keyed")
            keys = "[b]Enter[/] preview" if self.replace else "[b]Enter[/] search"
            yield Label(
                f"{keys}   [b]Esc[/] cancel   [b]Tab[/] next field   [b]← →[/] choose   [b]space[/] tick",
                classes="dialog-keys",
            )
            with Horizontal(classes="field"):
                yield Label("Find", classes="field-label input-label")
                yield Input(self.pattern, placeholder="e.g. colou?r or \\d+ won", id="pattern")
            if self.replace:
                with Horizontal(classes="field"):
                    yield Label("Replace with", classes="field-label input-label")
                    yield Input(self.replacement, placeholder=r"text; \1 is the first group", id="replacement")
            with Horizontal(classes="field"):
                yield Label("In", classes="field-label")
                with Choices(id="where", classes="choices"):
                    for key, name in zip(WHERE_ORDER, names):
                        if self.replace and key == "notes":
                            continue
                        yield RadioButton(name, value=key == self.where, id=f"in-{key}")
            with Horizontal(classes="field"):
                yield Label("Where", classes="field-label")
                with Choices(id="scope", classes="choices"):
                    yield RadioButton("this pair", value=not self.corpus, id="scope-pair")
                    yield RadioButton("whole corpus", value=self.corpus, id="scope-corpus")
            with Horizontal(classes="field"):
                yield Label("", classes="field-label")
                yield Checkbox("match case", self.match_case, id="match-case")
            yield Label("", classes="error", id="search-error")

    def on_mount(self) -> None:
        self.query_one("#pattern", Input).focus()

    def chosen_where(self) -> Where:
        pressed = self.query_one("#where", RadioSet).pressed_button
        key = (pressed.id or "in-src").removeprefix("in-") if pressed is not None else "src"
        return next(w for w in WHERE_ORDER if w == key)

    def action_submit(self) -> None:
        pattern = self.query_one("#pattern", Input).value
        corpus = self.query_one("#scope-corpus", RadioButton).value
        match_case = self.query_one("#match-case", Checkbox).value
        replacement = self.query_one("#replacement", Input).value if self.replace else None
        try:
            query = compile_query(pattern, self.chosen_where(), match_case=match_case)
            if replacement is not None:
                check_template(query, replacement)
        except AlignerError as exc:
            self.query_one("#search-error", Label).update(plain(exc.problem))
            return
        self.dismiss(SearchRequest(query, corpus, match_case, replacement))

    def action_cancel(self) -> None:
        self.dismiss(None)


def snippet(text: str, spans: tuple[tuple[int, int], ...], width: int, style: str = "reverse") -> Text:
    """``text`` cut to ``width`` cells around its first match, the matches highlighted;
    control characters drawn visible (matches are found in the stored text, so each
    character is made visible on its own and the spans move with it)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    first = spans[0][0] if spans else 0
    start = 0
    if cell_len(text[:first]) > width // 3:  # show some text before the first match
        start = first
        while start > 0 and cell_len(text[start - 1 : first]) <= width // 3:
            start -= 1
        out.append("…")
    pos = start
    for a, b in spans:
        if b <= start:
            continue
        a = max(a, start)
        out.append(visible(text[pos:a]))
        out.append(visible(text[a:b]), style=style)
        pos = b
    out.append(visible(text[pos:]))
    if cell_len(out.plain) > width:
        out.truncate(width, overflow="ellipsis")
    return out


def clip(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells - 1, 0)).rstrip() + "…"


class SearchResultsScreen(Screen[Hit | None]):
    """A corpus-wide search's hits, pair by pair; Enter opens the pair at the hit's bead."""

    BINDINGS = [
        Binding("enter", "open", "Open the pair there", priority=True),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, found: CorpusHits, request: SearchRequest, langs: tuple[str, str]) -> None:
        super().__init__()
        self.found = found
        self.request = request
        self.langs = langs

    def compose(self) -> ComposeResult:
        found = self.found
        head = (
            f"{found.total} match{'es' if found.total != 1 else ''} in {found.pairs} pair"
            f"{'s' if found.pairs != 1 else ''}"
        )
        if found.cut:
            head += f" (the first {len(found.hits)} listed)"
        yield Static(plain(f"Search {self.request.describe(self.langs)}: {head}"), id="results-title")
        yield OptionList(*self.options(), id="results")
        yield Static("", id="results-empty")
        yield Footer(show_command_palette=False)

    def label(self, hit: Hit) -> str:
        if hit.kind == "pair-note":
            return "pair note"
        if hit.kind == "note":
            return f"bead {hit.position + 1} note"
        lang = self.langs[0 if hit.kind == "src" else 1].upper()
        return f"bead {hit.position + 1} · {lang} {hit.index}"

    def options(self) -> list[Option]:
        width = max((self.app.size.width or 80) - 6, 20)  # the list's border and scrollbar
        titles = self.found.titles
        out = []
        for n, hit in enumerate(self.found.hits):
            src, tgt = titles.get(hit.pair_id, ("", ""))
            place = f"pair {hit.pair_id} · {self.label(hit)}"
            title = visible(src if hit.kind != "tgt" else tgt)
            line = Text(place, style="bold", no_wrap=True, overflow="ellipsis")
            line.append("  " + clip(title, max(width - cell_len(place) - 2, 0)), style="dim")
            line.append("\n  ")
            line += snippet(hit.text, hit.spans, width - 2)
            out.append(Option(line, id=str(n)))
        return out

    def on_mount(self) -> None:
        results = self.query_one(OptionList)
        empty = self.query_one("#results-empty", Static)
        if self.found.hits:
            results.highlighted = 0
            empty.display = False
            results.focus()
        else:
            results.display = False
            empty.update(plain(f"Nothing matches {self.request.describe(self.langs)}. Esc goes back."))

    def action_open(self) -> None:
        results = self.query_one(OptionList)
        if results.highlighted is not None and self.found.hits:
            self.dismiss(self.found.hits[results.highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.found.hits[event.option_index])

    def action_back(self) -> None:
        self.dismiss(None)


#: An item of a replacement preview: (pair id, the replacement).
PlanItem = tuple[int, Replacement]


def changed_parts(old: str, new: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where ``old`` and ``new`` differ: spans of ``old`` that go and of ``new`` that come."""
    gone, came = [], []
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            if a1 > a0:
                gone.append((a0, a1))
            if b1 > b0:
                came.append((b0, b1))
    return gone, came


class ReplacePreviewScreen(Screen[list[tuple[int, Side, int]] | None]):
    """Every sentence a replacement would change, before and after; space leaves one out
    (or takes it back in), Enter makes the ticked ones, Esc makes none. Returns the
    (pair id, side, index) of the sentences to change, or None."""

    BINDINGS = [
        Binding("enter", "apply", "Replace the ticked", priority=True),
        Binding("space", "tick", "Tick / untick"),
        Binding("t", "toggle_all", "Tick all / none"),
        Binding("escape,q", "back", "Cancel"),
    ]

    def __init__(
        self,
        items: list[PlanItem],
        request: SearchRequest,
        langs: tuple[str, str],
        titles: dict[int, tuple[str, str]] | None = None,
        *,
        corpus: bool = False,
    ) -> None:
        super().__init__()
        self.items = items
        self.request = request
        self.langs = langs
        self.titles = titles or {}
        self.corpus = corpus
        self.ticked = [not r.refused for _, r in items]

    def compose(self) -> ComposeResult:
        pairs = len({p for p, _ in self.items})
        count = sum(r.count for _, r in self.items if not r.refused)
        where = f" in {pairs} pair{'s' if pairs != 1 else ''}" if self.corpus else ""
        head = (
            f"Replace {self.request.describe(self.langs)}: {count} match{'es' if count != 1 else ''} in "
            f"{len(self.items)} sentence{'s' if len(self.items) != 1 else ''}{where}"
            + (" (one edit per pair, u in a pair undoes it)" if self.corpus else " (one edit; u undoes it)")
        )
        yield Static(plain(head), id="preview-title")
        yield OptionList(*[Option(self.prompt(n), id=str(n)) for n in range(len(self.items))], id="preview")
        yield Footer(show_command_palette=False)

    def prompt(self, n: int) -> Text:
        pair_id, r = self.items[n]
        width = max((self.app.size.width or 80) - 12, 20)  # the list's border and scrollbar, "    - "
        lang = self.langs[0 if r.side == "src" else 1].upper()
        box = "[–]" if r.refused else "[x]" if self.ticked[n] else "[ ]"
        head = Text(f"{box} ", style="bold")
        head.append(f"pair {pair_id} · " if self.corpus else "", style="bold")
        head.append(f"{lang} {r.index}", style="bold")
        if self.corpus and pair_id in self.titles:
            head.append("  " + clip(visible(self.titles[pair_id][0 if r.side == "src" else 1]), 40), style="dim")
        if r.refused:
            head.append(f"  skipped: {r.refused}", style="italic")
        gone, came = changed_parts(r.old, r.new)
        head.append("\n    - ")
        head += snippet(r.old, tuple(gone), width, style="strike red")
        head.append("\n    + ")
        head += snippet(r.new, tuple(came), width, style="bold green")
        return head

    def on_mount(self) -> None:
        preview = self.query_one(OptionList)
        if self.items:
            preview.highlighted = 0
        preview.focus()

    def action_tick(self) -> None:
        preview = self.query_one(OptionList)
        n = preview.highlighted
        if n is None or self.items[n][1].refused:
            return
        self.ticked[n] = not self.ticked[n]
        preview.replace_option_prompt_at_index(n, self.prompt(n))

    def action_toggle_all(self) -> None:
        preview = self.query_one(OptionList)
        tick = not all(t for t, (_, r) in zip(self.ticked, self.items) if not r.refused)
        for n, (_, r) in enumerate(self.items):
            if not r.refused and self.ticked[n] != tick:
                self.ticked[n] = tick
                preview.replace_option_prompt_at_index(n, self.prompt(n))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # Enter is the screen's (apply); a click only moves the highlight

    def action_apply(self) -> None:
        chosen = [(p, r.side, r.index) for t, (p, r) in zip(self.ticked, self.items) if t and not r.refused]
        self.dismiss(chosen)

    def action_back(self) -> None:
        self.dismiss(None)


def plan_items(plan: CorpusPlan) -> list[PlanItem]:
    """A corpus plan as preview items, pair by pair in corpus order."""
    return [(pair_id, r) for pair_id, rs in plan.pairs.items() for r in rs]
