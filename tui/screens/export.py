"""Export from inside the app, with the same choices and defaults as ``aligner export``.

The dialog only collects the settings (:class:`ExportRequest`, whose filters are an
:class:`~aligner.export.policy.ExportPolicy`, the one the command line and the run use);
its fields start at that policy's defaults: rejected beads left out, empty (0-1, 1-0)
beads left out, no minimum confidence. :func:`run_export` does the work through
:func:`aligner.export.export_corpus` on its own database connection, so the app can run
it in a worker thread while the reviewer keeps going.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from aligner.display import plain
from aligner.errors import AlignerError
from aligner.export import EXTENSIONS, FORMATS, TOKENIZABLE
from aligner.export.policy import STATUS_CHOICES, ExportPolicy, StatusFilter
from aligner.store import Store

#: How the dialog names each format.
FORMAT_NAMES = {"tmx": "TMX", "tsv": "TSV", "moses": "Moses", "jsonl": "JSON Lines", "parquet": "Parquet"}


@dataclass(frozen=True)
class ExportRequest:
    """What to export and where (the ``aligner export`` options, plus 'only this pair')."""

    format: str
    path: Path
    policy: ExportPolicy = field(default_factory=ExportPolicy)
    tokenize: bool = False
    pair_id: int | None = None  # None: the whole corpus


@dataclass(frozen=True)
class ExportDone:
    count: int
    paths: tuple[Path, ...]


def default_path(db_path: Path, fmt: str) -> Path:
    """``<db folder>/export/<db name>.<ext>`` (Moses adds .en/.ko itself)."""
    return db_path.parent / "export" / (db_path.stem + EXTENSIONS[fmt])


def run_export(db_path: Path, request: ExportRequest) -> ExportDone:
    """Write the export (atomically, through aligner.export); raises AlignerError on a bad setting."""
    from aligner.export import export_corpus

    with Store(db_path) as store:
        result = export_corpus(
            store,
            request.format,
            request.path,
            request.policy,
            tokenize=request.tokenize,
            pair_ids=None if request.pair_id is None else [request.pair_id],
        )
    return ExportDone(result.count, tuple(result.paths))


class MarkedCheckbox(Checkbox):
    """A checkbox that shows a ✓ when checked: colour alone is lost on a monochrome terminal
    and to colour-blind eyes."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - a class attribute in Textual; read alike
        return "✓" if self.value else " "


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Format, file, filters; Enter or the Export button starts it, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, db_path: Path, pair_id: int | None = None, pair_label: str = "") -> None:
        super().__init__()
        self.db_path = db_path
        self.pair_id = pair_id
        self.pair_label = pair_label
        self._path_edited = False

    def compose(self) -> ComposeResult:
        default = ExportPolicy()
        with Vertical(classes="dialog export"):
            yield Label("Export the corpus", classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Format", classes="field-label")
                yield Select(
                    [(FORMAT_NAMES[f], f) for f in FORMATS], value="tmx", allow_blank=False, id="format", compact=True
                )
            with Horizontal(classes="field"):
                yield Label("File", classes="field-label")
                yield Input(str(default_path(self.db_path, "tmx")), id="path", compact=True)
            with Horizontal(classes="field"):
                yield Label("Beads", classes="field-label")
                yield Select(
                    [(s, s) for s in STATUS_CHOICES],
                    value=default.status.value,
                    allow_blank=False,
                    id="status",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Min. confidence", classes="field-label")
                yield Input(f"{default.min_confidence:g}", id="min-confidence", restrict=r"[0-9.]*", compact=True)
            yield MarkedCheckbox("Keep 0-1 and 1-0 beads", value=default.keep_empty, id="keep-empty", compact=True)
            yield MarkedCheckbox(
                "Tokenize (TSV, Moses, JSON Lines, Parquet)", id="tokenize", disabled=True, compact=True
            )
            if self.pair_id is not None:
                yield MarkedCheckbox(plain(f"Only this pair ({self.pair_label})"), id="only-pair", compact=True)
            yield Label(
                f"Default: {default.describe()}; reviewed beads always pass the minimum, exported with confidence 1.0.",
                id="export-policy",
                classes="dialog-help",
            )
            yield Label("Tab moves between fields; Enter in a field exports; Esc cancels.", classes="dialog-help")
            yield Label("", id="export-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#format", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "format":
            return
        fmt = str(event.value)
        self.query_one("#tokenize", Checkbox).disabled = fmt not in TOKENIZABLE
        if fmt not in TOKENIZABLE:
            self.query_one("#tokenize", Checkbox).value = False
        if not self._path_edited:
            path_input = self.query_one("#path", Input)
            path_input.value = str(default_path(self.db_path, fmt))
            self._path_edited = False

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "path" and event.value != str(default_path(self.db_path, self._format())):
            self._path_edited = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self._submit()
        else:
            self.dismiss(None)

    def _format(self) -> str:
        return str(self.query_one("#format", Select).value)

    def request(self) -> ExportRequest:
        """The settings as entered; raises AlignerError with a one-line reason."""
        path = self.query_one("#path", Input).value.strip()
        if not path:
            raise AlignerError(None, "give a file name")
        try:
            min_conf = float(self.query_one("#min-confidence", Input).value or 0)
        except ValueError:
            raise AlignerError(None, "minimum confidence must be a number between 0 and 1") from None
        policy = ExportPolicy(
            status=StatusFilter.parse(str(self.query_one("#status", Select).value)),
            min_confidence=min_conf,
            keep_empty=self.query_one("#keep-empty", Checkbox).value,
        )
        only = self.query("#only-pair")
        return ExportRequest(
            format=self._format(),
            path=Path(path).expanduser(),
            policy=policy,
            tokenize=self.query_one("#tokenize", Checkbox).value,
            pair_id=self.pair_id if only and only.first(Checkbox).value else None,
        )

    def _submit(self) -> None:
        try:
            request = self.request()
        except AlignerError as exc:
            self.query_one("#export-error", Label).update(plain(str(exc)))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)
