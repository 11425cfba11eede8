"""Kill -9 at random moments and lose nothing: the crash trials of benchmarks/crash_trials.py.

``pytest -m kill`` does two trials of each kind (the length aligner, a small export) with
the same code the script runs (their kill moments are random, so they stay out of the
default run); ``pytest -m slow`` runs the full twenty of each kind with the real engine.
Two more tests, in the default run, pin the weaknesses the trials found: temporary files
a killed export left behind, and pool workers that outlived a killed run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aligner.export.atomic import atomic_write
from tests.conftest import ROOT, child_env
from tests.scripts import load_script

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL, flock and a pty")

ct = load_script("crash_trials")


# -- a few trials of each kind ---------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_trials(tmp_path_factory):
    """Two trials of each kind, one shared setup (the reviewed corpus, the export database)."""
    settings = ct.Settings(
        trials=2, seed=7, method="length", copies=1, export_pairs=60, export_beads=100, run_window=(4.0, 9.0)
    )
    return ct.run_trials(settings, tmp_path_factory.mktemp("crash"))


@pytest.mark.kill
@pytest.mark.parametrize("kind, min_checks", [("run", 14), ("review", 5), ("export", 3)])
def test_a_few_kills_of_each_kind_lose_nothing(quick_trials, kind, min_checks):
    trials = quick_trials[kind]
    assert len(trials) == 2
    for trial in trials:
        assert not trial.problems, trial.line()
        assert len(trial.checks) >= min_checks, trial.line()
        assert trial.moment > 0 and trial.stage, trial.line()


@pytest.mark.kill
def test_trial_seeds_replay_and_the_summary_goes_into_our_section_only(quick_trials, tmp_path):
    assert ct.trial_seed(7, "run", 0) == ct.trial_seed(7, "run", 0) != ct.trial_seed(7, "run", 1)
    assert [t.seed for t in quick_trials["export"]] == [ct.trial_seed(7, "export", i) for i in range(2)]
    doc = tmp_path / "reliability.md"
    doc.write_text(
        "# Reliability\n\nintro\n\n## Properties\n\ntheirs\n\n## Crashes\n\n(old)\n\n## Concurrency\n\nalso theirs\n",
        encoding="utf-8",
    )
    body = ct.summarize(quick_trials, ct.Settings(trials=2, seed=7, method="length"), 12.0)
    ct.write_section(doc, "## Crashes\n" + body)
    text = doc.read_text(encoding="utf-8")
    assert "(old)" not in text and "| run | 2 |" in text and "| export | 2 |" in text
    assert text.startswith("# Reliability\n\nintro\n\n## Properties\n\ntheirs\n\n## Crashes\n\n")
    assert text.endswith("\n\n## Concurrency\n\nalso theirs\n")


# -- the weaknesses the trials found -----------------------------------------------------------

WRITER = r"""
import sys, time
from aligner.export.atomic import atomic_write
with atomic_write(sys.argv[1]) as fh:
    fh.write("half of a new file\n")
    fh.flush()
    print("writing", flush=True)
    sys.stdin.readline()  # killed here, or told to finish
    fh.write("the rest\n")
"""


def start_writer(target: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)],
        cwd=ROOT,
        env=child_env(),
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    return proc


def test_a_killed_exports_temporary_file_is_removed_by_the_next_one_but_a_live_ones_is_not(tmp_path):
    target = tmp_path / "corpus.tsv"
    target.write_text("old\n", encoding="utf-8")
    killed = start_writer(target)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert len(ct.temp_files(tmp_path)) == 1  # the dead writer's half file

    live = start_writer(target)
    with atomic_write(target) as fh:
        fh.write("new\n")
    left = ct.temp_files(tmp_path)
    assert len(left) == 1 and left[0].read_text(encoding="utf-8") == "half of a new file\n"  # only the live one

    live.communicate("go\n", timeout=30)
    assert live.returncode == 0
    assert target.read_text(encoding="utf-8") == "half of a new file\nthe rest\n"
    assert ct.temp_files(tmp_path) == []


POOL = r"""
import os
from aligner.executors import PoolExecutor
from aligner.worker import AlignerSpec
pool = PoolExecutor(AlignerSpec(method="length"), workers=1)
print(pool._pool.submit(os.getpid).result(timeout=120), flush=True)
import time; time.sleep(300)
"""


def running(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_pool_workers_exit_when_the_run_that_started_them_is_killed():
    run = subprocess.Popen(
        [sys.executable, "-c", POOL],
        cwd=ROOT,
        env=child_env(),
        text=True,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert run.stdout is not None
        worker = int(run.stdout.readline())
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 10
        while running(worker):
            assert time.monotonic() < deadline, "the worker outlived the killed run"
            time.sleep(0.1)
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# -- the full trials -------------------------------------------------------------------------------


@pytest.mark.slow
def test_twenty_kills_of_each_kind_lose_nothing(tmp_path):
    results = ct.run_trials(ct.Settings(), tmp_path)
    for kind in ct.KINDS:
        assert len(results[kind]) == 20
        assert [t.line() for t in results[kind] if t.problems] == []
