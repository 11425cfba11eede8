"""Widgets of the review app: the bead table (virtual rendering), the alignment map, the
note bar and the status line."""

from tui.widgets.alignment_map import AlignmentMap
from tui.widgets.bead_table import BeadHeader, BeadTable, wrap_cells
from tui.widgets.note_bar import NoteBar
from tui.widgets.status_line import StatusLine

__all__ = ["AlignmentMap", "BeadHeader", "BeadTable", "NoteBar", "StatusLine", "wrap_cells"]
