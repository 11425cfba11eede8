"""``python -m tui DB [--reviewer NAME]``: open the review app (the same as ``aligner review``)."""

from __future__ import annotations

import argparse
import sys

from aligner.display import visible
from aligner.errors import AlignerError
from tui.command import add_arguments, review


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui", description="Review an aligned corpus database.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return review(args)
    except AlignerError as exc:
        print(f"error: {visible(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
