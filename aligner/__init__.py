"""aligner: English–Korean news article alignment, from pages to a reviewed parallel corpus.

The library's main calls can be imported from here (``from aligner import run_corpus,
align_articles, align_sentences, Store``); they live in :mod:`aligner.api` and load on
first use, so ``import aligner`` and ``aligner --help`` stay quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from aligner.api import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if name.startswith("__") or name == "api":
        raise AttributeError(f"module 'aligner' has no attribute {name!r}")
    api = import_module("aligner.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'aligner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(import_module("aligner.api").__all__))
