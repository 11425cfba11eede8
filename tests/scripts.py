"""The project's scripts (benchmarks/, corpora/) as tests import them: both folders are
packages run from the repository's root (``python -m benchmarks.run``), and pytest puts
that root first on the path. pysbd installs a top-level ``benchmarks`` package of its own;
:func:`load_script` makes sure the project's is the one imported."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str, folder: str = "benchmarks") -> ModuleType:
    """``folder.name`` (``benchmarks.run``...), imported from this repository."""
    package = importlib.import_module(folder)
    where = Path(getattr(package, "__file__", "") or "").resolve().parent
    assert where == ROOT / folder, f"{folder} is imported from {where}, not from {ROOT / folder}"
    return importlib.import_module(f"{folder}.{name}")
