"""Wall-clock time of ``aligner align`` from a fresh process: start-up and end to end.

Two measures, each the median of fresh processes (the first run of each also fills the
encoder's weight cache, so it is run once before timing):

- a two-sentence English–Korean pair (the time a user waits for the smallest job: imports,
  loading the encoder, language checks), ``--runs`` runs;
- ``aligner align --presplit SRC_DIR TGT_DIR -o OUT`` over a folder of pre-split
  documents (default: every document of ``corpora/eval/ntrex-edited``, about 3,400
  sentences), as sentences per second including start-up, ``--folder-runs`` runs each
  with the default ``--workers`` and with ``--workers 1``, taken in turn so that both
  see the same load. The default is decided in the child from the cores free at that
  moment; the workers it would choose are sampled here just before each run (a close
  proxy, not the child's own choice).

The machine is shared: the load average before and after each measure is reported, and
CPU seconds (user + system) beside the wall clock, which other jobs disturb less.

    python -m benchmarks.startup                 # writes ## Start-up of RESULTS.md
    python -m benchmarks.startup --no-write --runs 3 --folder-runs 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.host import machine
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


PAIR = (
    "The minister resigned on Monday.\nHe denied the charges.\n",
    "장관이 월요일에 사임했다.\n그는 혐의를 부인했다.\n",
)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children) of one run of ``command``; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(command: list[str], runs: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds over ``runs`` (after one warm-up run), and the loads seen."""
    timed(command)
    loads = [f"{os.getloadavg()[0]:.1f}"]
    results = [timed(command) for _ in range(runs)]
    loads.append(f"{os.getloadavg()[0]:.1f}")
    return statistics.median(w for w, _ in results), statistics.median(c for _, c in results), " / ".join(loads)


@dataclass
class Folders:
    """One way of running the folder job: its median wall and CPU seconds, the loads seen."""

    label: str
    wall: float
    cpu: float
    loads: str


def measure_folders(command: list[str], pairs: int, runs: int) -> tuple[Folders, Folders]:
    """The folder job with the default workers and with ``--workers 1``, run in turn (after
    one warm-up run of each), so that a change in the machine's load falls on both."""
    from aligner.direct import folder_workers

    one = [*command, "--workers", "1"]
    timed(command)
    timed(one)
    loads = [f"{os.getloadavg()[0]:.1f}"]
    default, single, chosen = [], [], []
    for _ in range(runs):
        chosen.append(folder_workers(None, pairs))
        default.append(timed(command))
        single.append(timed(one))
    loads.append(f"{os.getloadavg()[0]:.1f}")

    def median(label: str, results: list[tuple[float, float]]) -> Folders:
        wall = statistics.median(w for w, _ in results)
        return Folders(label, wall, statistics.median(c for _, c in results), " / ".join(loads))

    picked = ", ".join(str(n) for n in chosen)
    return median(f"default workers ({picked})", default), median("`--workers 1`", single)


def count_lines(folder: Path) -> int:
    return sum(
        sum(1 for line in p.read_text(encoding="utf-8").splitlines() if line.strip())
        for p in folder.iterdir()
        if p.is_file()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set",
        type=Path,
        default=ROOT / "corpora" / "eval" / "ntrex-edited",
        help="a set folder with src/ and tgt/ (default: %(default)s)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of the two-sentence pair")
    parser.add_argument("--folder-runs", type=int, default=3, help="runs of the folder job, each way")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    aligner = [sys.executable, "-m", "aligner", "align"]
    src, tgt = args.set / "src", args.set / "tgt"
    with tempfile.TemporaryDirectory() as tmp:
        en, ko = Path(tmp) / "en.txt", Path(tmp) / "ko.txt"
        en.write_text(PAIR[0], encoding="utf-8")
        ko.write_text(PAIR[1], encoding="utf-8")
        pair = measure(aligner + ["--presplit", str(en), str(ko)], args.runs)
        print(f"two-sentence pair: {pair[0]:.2f} s wall, {pair[1]:.2f} s CPU (load {pair[2]})", file=sys.stderr)
        sentences = count_lines(src) + count_lines(tgt)
        pairs = sum(1 for p in src.iterdir() if p.is_file() and not p.name.startswith("."))
        command = aligner + ["--presplit", str(src), str(tgt), "-o", str(Path(tmp) / "out")]
        ways = measure_folders(command, pairs, args.folder_runs)
        for way in ways:
            print(
                f"folders, {way.label}: {way.wall:.2f} s wall, {way.cpu:.2f} s CPU for {sentences} sentences "
                f"= {sentences / way.wall:.0f}/s (load {way.loads})",
                file=sys.stderr,
            )
    default, single = ways
    section = "\n".join(
        [
            "## Start-up",
            "",
            f"`python -m benchmarks.startup` ({dt.date.today().isoformat()}, {machine()}, shared with other jobs; load"
            " average before / after each measure in brackets): `aligner align` in a fresh process, median of"
            f" {args.runs} runs (folders: {args.folder_runs} each way, the default and `--workers 1` in turn)"
            " after one warm-up run that also fills the encoder's weight cache. CPU is user + system seconds of"
            " the process and its workers, which other jobs on the machine disturb less than the wall clock. The"
            " default `--workers` is decided in the child from the cores free at that moment; in brackets, what"
            " it chose when sampled here just before each run.",
            "",
            "| job | wall s | CPU s | sentences/s (wall) | load |",
            "|---|---|---|---|---|",
            f"| two-sentence pair (`--presplit`) | {pair[0]:.2f} | {pair[1]:.2f} | – | {pair[2]} |",
            *(
                f"| `--presplit` folders, {way.label}: {args.set.name}, {pairs} pairs, {sentences:,} sentences"
                f" | {way.wall:.2f} | {way.cpu:.2f} | {sentences / way.wall:,.0f} | {way.loads} |"
                for way in ways
            ),
            "",
            f"Default over `--workers 1`: {single.wall / default.wall:.2f}x the speed (wall clock),"
            f" {default.cpu / single.cpu:.2f}x the CPU.",
        ]
    )
    publish(args.results, section, dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
