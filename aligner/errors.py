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


class OptionError(AlignerError):
    """A setting with a value it cannot have: "workers must be at least 1".

    ``item`` is the setting's name and ``problem`` reads after it, so the command line and
    a run config can each name it their way ("--workers: must be at least 1",
    "run.toml: workers must be at least 1").
    """

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(name, problem)
        self.args = (f"{name} {problem}",)

    def __str__(self) -> str:
        return f"{self.item} {self.problem}"
