"""Load the project's scripts (benchmarks/, corpora/) in tests: those folders are not
packages, and an installed 'benchmarks' package elsewhere would shadow them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str, folder: str = "benchmarks") -> ModuleType:
    """``ROOT/folder/name.py`` as module ``name``, loaded once per test session."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / folder / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here while the file runs
    spec.loader.exec_module(module)
    return module
