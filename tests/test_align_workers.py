"""``aligner align`` over folders with worker processes: the same files as one process,
a bad pair skipped, a killed worker survived, and ``--workers`` checked in one line.

Real files (shipped evaluation documents), the real encoder, real worker processes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from aligner.direct import align_folders, folder_workers
from aligner.errors import OptionError
from aligner.pool import usable_cores
from tests.conftest import ROOT, child_env

EVAL = ROOT / "corpora" / "eval"
#: Documents of two sets, of different lengths, so the workers finish them out of order.
DOCUMENTS = [
    ("ntrex-edited", "bbc.381646"),
    ("ntrex-edited", "scotsman.133744"),
    ("kep-edited", "kep-017"),
    ("kep-edited", "kep-029"),
]
EN = "The minister arrived in Seoul on Monday.\nShe met the president.\nThey talked for an hour.\n"
KO = "장관이 월요일 서울에 도착했다.\n그는 대통령을 만났다.\n두 사람은 한 시간 동안 이야기했다.\n"


def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A source and a target folder holding the documents, one file per document."""
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    for corpus, name in DOCUMENTS:
        shutil.copy(EVAL / corpus / "src" / name, src / name)
        shutil.copy(EVAL / corpus / "tgt" / name, tgt / name)
    return src, tgt


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_two_workers_write_the_same_files_as_one_process(cli, tmp_path):
    src, tgt = folders(tmp_path)
    for workers in ("1", "2"):
        code, out, err = cli("align", "--presplit", src, tgt, "-o", tmp_path / workers, "--workers", workers)
        assert (code, out) == (0, ""), err
        assert err == f"aligned {len(DOCUMENTS)} pairs into {tmp_path / workers}\n"
    one, two = contents(tmp_path / "1"), contents(tmp_path / "2")
    assert sorted(one) == sorted(name for _, name in DOCUMENTS)
    assert all(text.count(b"\n") > 10 for text in one.values())  # real alignments, not empty files
    assert two == one  # the same beads and confidences, byte for byte
    assert not [p for p in (tmp_path / "2").iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_bad_pair_among_good_ones_is_reported_and_the_others_written(cli, tmp_path):
    src, tgt = folders(tmp_path)
    (src / "a-lonely").write_text(EN, encoding="utf-8")  # no target file
    (src / "b-bytes").write_bytes(EN.encode() + b"\xff\xfe broken\n")  # not UTF-8
    (tgt / "b-bytes").write_text(KO, encoding="utf-8")
    (src / "c-swapped").write_text(KO, encoding="utf-8")  # the sides' languages swapped
    (tgt / "c-swapped").write_text(EN, encoding="utf-8")
    code, out, err = cli("align", "--presplit", src, tgt, "-o", tmp_path / "out", "--workers", "2")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 4 and "Traceback" not in err, err
    assert lines[0] == f"aligner: error: {tgt / 'a-lonely'}: missing on the target side"
    assert lines[1].startswith("aligner: error: b-bytes: ") and "invalid UTF-8" in lines[1]
    assert lines[2].startswith("aligner: error: c-swapped: ") and "swapped" in lines[2]
    assert lines[3] == f"aligned {len(DOCUMENTS)} pairs into {tmp_path / 'out'}"
    written = contents(tmp_path / "out")
    assert sorted(written) == sorted(name for _, name in DOCUMENTS)
    # the good pairs are exactly what one process writes for them alone
    good = tmp_path / "good"
    good.mkdir()
    for _, name in DOCUMENTS:
        shutil.copy(src / name, good / name)
    assert align_folders(good, tgt, tmp_path / "alone", presplit=True, workers=1).aligned == len(DOCUMENTS)
    assert contents(tmp_path / "alone") == written


def test_a_killed_worker_costs_nothing_but_time(tmp_path):
    """A worker killed mid-run (as the out-of-memory killer would): its pairs go again in new
    workers, and the files are those of an undisturbed run.

    It once hung in four loaded runs: a worker killed while it held the pool's work-queue
    lock left its sibling, whose SIGTERM-raised exit the pool's loop had caught, waiting on
    that lock for ever, and the parent joining it (aligner.direct._worker_pair now ends the
    worker once the pair is unwound)."""
    src, tgt = folders(tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "aligner", "align", "--presplit", str(src), str(tgt), "-o", str(out), "-w", "2"]
    run = subprocess.Popen(command, cwd=ROOT, env=child_env(), stderr=subprocess.PIPE, text=True)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and run.poll() is None and time.monotonic() < deadline:
        workers = [p for p in psutil.Process(run.pid).children() if "spawn_main" in " ".join(p.cmdline())]
        if len(workers) == 2 and out.is_dir() and any(out.iterdir()):  # mid-run: a pair written, others to do
            if len(list(out.iterdir())) < len(DOCUMENTS):
                victim = workers[0]
                victim.kill()
        time.sleep(0.01)
    _, err = run.communicate(timeout=180)
    assert victim is not None, f"the run ended before a worker could be killed: {err}"
    assert run.returncode == 0 and err == f"aligned {len(DOCUMENTS)} pairs into {out}\n", err
    assert align_folders(src, tgt, tmp_path / "calm", presplit=True, workers=1).aligned == len(DOCUMENTS)
    assert contents(out) == contents(tmp_path / "calm")


WORKER_THAT_SWALLOWS_ITS_EXIT = """
import signal, sys, time
from aligner.direct import _unwind
signal.signal(signal.SIGTERM, _unwind)
print("ready", flush=True)
try:
    time.sleep(60)
except SystemExit:
    pass  # what the pool's worker loop does with a task's exception
time.sleep(60)  # then waits on a queue a killed sibling may have left locked
"""


def test_a_worker_that_cannot_unwind_ends_within_seconds_of_being_told():
    """The backstop behind the folder workers' SIGTERM: whatever swallows or blocks the
    unwinding, the process exits on its own a few seconds later."""
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_THAT_SWALLOWS_ITS_EXIT],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline() == "ready\n"
    told = time.monotonic()
    worker.terminate()
    assert worker.wait(timeout=30) == 128 + 15
    assert 4.0 < time.monotonic() - told < 20.0  # the backstop's 5 s, not the 60 s sleep


@pytest.mark.parametrize(
    "value, problem",
    [("0", "must be at least 1"), ("-2", "must be at least 1"), ("two", "must be a whole number, not 'two'")],
)
def test_a_bad_workers_value_is_one_line_before_anything_is_done(cli, tmp_path, value, problem):
    src, tgt = folders(tmp_path)
    for inputs in ([src, tgt, "-o", tmp_path / "out"], [src / "kep-017", tgt / "kep-017"]):
        code, out, err = cli("align", "--presplit", *inputs, "--workers", value)
        assert (code, out, err) == (1, "", f"aligner: error: --workers: {problem}\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "2"])
def test_the_api_refuses_the_same_values(tmp_path, value):
    src, tgt = folders(tmp_path)
    with pytest.raises(OptionError, match="^workers must be") as info:
        align_folders(src, tgt, tmp_path / "out", presplit=True, workers=value)
    assert info.value.item == "workers"
    assert not (tmp_path / "out").exists()


def test_the_default_is_one_process_for_one_pair_and_never_more_than_the_cores_or_pairs():
    assert folder_workers(None, 1) == 1
    assert folder_workers(None, 0) == 1
    assert 1 <= folder_workers(None, 50) <= usable_cores()
    assert folder_workers(None, 2) <= 2
    assert folder_workers(3, 1) == 3  # what the caller asks for is what it gets
