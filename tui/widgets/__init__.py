"""Widgets of the review app: the bead table (virtual rendering) and the status line."""

from tui.widgets.bead_table import BeadHeader, BeadTable, wrap_cells
from tui.widgets.status_line import StatusLine

__all__ = ["BeadHeader", "BeadTable", "StatusLine", "wrap_cells"]
