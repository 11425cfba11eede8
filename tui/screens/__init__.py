"""Screens of the review app: corpus list, pair review, help, export and text dialogs."""

from tui.screens.corpus import CorpusScreen
from tui.screens.dialogs import EditSentenceDialog, SplitSentenceDialog
from tui.screens.export import ExportDialog, ExportRequest
from tui.screens.help import HelpScreen
from tui.screens.pair import PairScreen

__all__ = [
    "CorpusScreen",
    "EditSentenceDialog",
    "ExportDialog",
    "ExportRequest",
    "HelpScreen",
    "PairScreen",
    "SplitSentenceDialog",
]
