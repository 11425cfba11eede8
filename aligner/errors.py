"""The project's error types.

Every user mistake or bad input raises an ``AlignerError`` whose message is one line that
names the file or URL and the problem; the CLI prints it without a traceback.
"""

from __future__ import annotations


class AlignerError(Exception):
    """Base class: a problem with input or usage, reported as one line."""

    def __init__(self, item: str | None, problem: str) -> None:
        self.item = item
        self.problem = problem
        super().__init__(f"{item}: {problem}" if item else problem)


class InputError(AlignerError):
    """A file or page that cannot be read or has nothing usable in it."""


class LanguageError(AlignerError):
    """A side whose text is not in the language it should be."""


class PairingError(AlignerError):
    """An English article whose Korean original cannot be found."""


class FetchError(AlignerError):
    """A URL that could not be fetched."""


class StoreError(AlignerError):
    """A corpus database that cannot be opened or is not ours."""
