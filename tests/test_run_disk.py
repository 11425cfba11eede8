"""A full disk during ``aligner run``: one line, a non-zero exit, and every pair committed
before it is still there; once there is room again, the next run finishes the job.

The error is the kernel's own ENOSPC, from a small tmpfs the test mounts (root only; the
fixture skips, saying so, elsewhere).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aligner.store import Store
from tests.conftest import ROOT, SAMPLE
from tests.test_fetch_disk import fill, tmpfs


def run_cli(corpus: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aligner", "run", str(corpus), "-q", *flags],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def beads_of(db: Path) -> list[tuple]:
    with Store(db, create=False) as store:
        assert store.integrity_problems() == []
        return [(p, b.kind, b.status) for p in store.pair_ids() for b in store.beads(p)]


@pytest.fixture
def disk(tmp_path):
    with tmpfs(tmp_path, "64m") as mount:  # room for the pages, the database and its WAL
        yield mount


@pytest.mark.parametrize("room", [0, 12, 40], ids=["no-room-to-open", "room-to-open", "room-for-some-pairs"])
def test_a_full_disk_stops_the_run_in_one_line_and_loses_no_committed_pair(disk, room):
    corpus = disk / "corpus"
    shutil.copytree(SAMPLE / "pages", corpus / "pages")
    first = run_cli(corpus, "--format", "tsv")
    assert first.returncode == 0, first.stderr
    db = corpus / "corpus.db"
    before = beads_of(db)
    assert before

    filler = fill(disk, room)  # blocks of 4 KiB left: the -shm alone takes 8
    again = run_cli(corpus, "--force", "--format", "tsv", "--format", "tmx")
    assert again.returncode == 1
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aligner: error: "), again.stderr
    assert "full" in lines[0] or "No space left on device" in lines[0], lines[0]
    assert "Traceback" not in again.stderr
    filler.unlink()
    assert beads_of(db) == before  # every committed pair is whole, nothing half-written

    done = run_cli(corpus, "--format", "tsv", "--format", "tmx")
    assert done.returncode == 0, done.stderr
    assert beads_of(db) == before
    assert (corpus / "export" / "corpus.tmx").is_file()
