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
    parser.add_argument(
        "--serve",
        action="store_true",
        help="serve the app to web browsers instead (textual-serve): each tab is one app on the "
        "database, with the --reviewer name; no login, so keep the default host",
    )
    parser.add_argument("--host", default="127.0.0.1", help="with --serve: address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="with --serve: port to listen on (default 8000)")


def _port(text: str) -> int:
    """A TCP port number, 1-65535 (ASCII digits only)."""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {text!r}")
    return int(text)


def add_review_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``aligner.commands`` entry point: ``aligner review DB [--reviewer NAME] [--serve ...]``."""
    parser = commands.add_parser("review", help="open the review app on a corpus database")
    add_arguments(parser)
    parser.set_defaults(func=review)


def review(args: argparse.Namespace) -> int:
    """Open the app on an existing corpus database (a missing or foreign file is one line, not a new
    corpus), or serve it to web browsers (``--serve``)."""
    if getattr(args, "serve", False):
        from tui.serve import serve

        return serve(args.db, args.reviewer, args.host, args.port)
    from tui.app import run_app

    return run_app(str(args.db), args.reviewer)
