"""What many test modules share: the repository's paths, the sample corpus, the local
web site, the command line in process, and the markers that keep the default run
deterministic.

Markers (pyproject.toml): ``slow`` (long trials and soaks), ``timing`` (asserts on
wall-clock time, which a busy machine stretches) and ``kill`` (kills real processes at
moments the machine's load decides). The default run leaves all three out; run them
with ``pytest -m slow``, ``-m timing`` or ``-m kill`` (.ci/run runs ``kill`` too).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.local_site import serve_site

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
#: An English-edition page of the sample corpus, and the Korean original it links to.
EN_PAGE = SAMPLE / "pages/english.hani.co.kr/arti/english_edition/e_international/863803.html"
KO_PAGE = SAMPLE / "pages/www.hani.co.kr/arti/international/america/863703.html"
#: The sample's English page whose Korean original is not in the cache (unpaired, no error).
SEED_URL = "https://english.hani.co.kr/arti/english_edition/e_international/684758.html"

CLI = Callable[..., tuple[int, str, str]]


def copy_sample(dest: Path) -> Path:
    """A corpus folder at ``dest`` holding the sample's page cache (and nothing run yet)."""
    shutil.copytree(SAMPLE / "pages", dest / "pages")
    return dest


def child_env() -> dict[str, str]:
    """The environment for a child process that must import this checkout's aligner."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def sample_corpus(tmp_path: Path) -> Path:
    """A fresh copy of the sample corpus's pages, to run on."""
    return copy_sample(tmp_path / "corpus")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CLI:
    """``aligner ARGS`` in this process (models load once per session): (exit status, stdout, stderr)."""
    from aligner.cli import main

    def run(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="module")
def site() -> Iterator[LocalServer]:
    """The local Hankyoreh sites on 127.0.0.1 (tests/local_site.py), one server per test module."""
    with LocalServer() as server:
        yield serve_site(server)
