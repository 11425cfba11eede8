"""``aligner review DB``: the review app's command, added to the ``aligner`` command line.

``aligner`` (the library) never imports ``tui``. The command line loads the commands that
other packages offer through the ``aligner.commands`` entry point group (see
pyproject.toml), and this package offers ``review`` there; ``python -m tui DB`` takes the
same arguments. Only argparse is imported here: the app itself loads when the command runs.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The review command's arguments (``aligner review`` and ``python -m tui``)."""
    parser.add_argument("db", help="corpus database (made by `aligner run`)")
    parser.add_argument("--reviewer", help="name in the edit log (default: $ALIGNER_REVIEWER or $USER)")


def add_review_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``aligner.commands`` entry point: ``aligner review DB [--reviewer NAME]``."""
    parser = commands.add_parser("review", help="open the review app on a corpus database")
    add_arguments(parser)
    parser.set_defaults(func=review)


def review(args: argparse.Namespace) -> int:
    """Open the app on an existing corpus database (a missing or foreign file is one line, not a new corpus)."""
    from tui.app import run_app

    return run_app(str(args.db), args.reviewer)
