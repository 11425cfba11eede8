"""``python -m tui DB [--reviewer NAME]``: open the review app."""

from __future__ import annotations

import argparse
import sys

from aligner.errors import AlignerError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui", description="Review an aligned corpus database.")
    parser.add_argument("db", help="corpus database (made by `aligner run`)")
    parser.add_argument("--reviewer", help="name in the edit log (default: $ALIGNER_REVIEWER or $USER)")
    args = parser.parse_args(argv)
    from tui.app import run_app

    try:
        return run_app(args.db, args.reviewer)
    except AlignerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
