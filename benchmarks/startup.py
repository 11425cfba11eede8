"""Wall-clock time of ``aligner align`` from a fresh process: start-up and end to end.

Two measures, each the median of ``--runs`` fresh processes (the first run of each also
fills the encoder's weight cache, so it is run once before timing):

- a two-sentence English–Korean pair (the time a user waits for the smallest job: imports,
  loading the encoder, language checks);
- ``aligner align --presplit SRC_DIR TGT_DIR -o OUT`` over a folder of pre-split
  documents (default: every document of ``corpora/eval/ntrex-edited``, about 3,400
  sentences), as sentences per second including start-up.

The machine is shared: the load average before and after each measure is reported, and
CPU seconds (user + system) beside the wall clock, which other jobs disturb less.

    python -m benchmarks.startup                 # writes ## Start-up of RESULTS.md
    python -m benchmarks.startup --no-write --runs 3
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
from pathlib import Path

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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    aligner = [sys.executable, "-m", "aligner", "align"]
    with tempfile.TemporaryDirectory() as tmp:
        en, ko = Path(tmp) / "en.txt", Path(tmp) / "ko.txt"
        en.write_text(PAIR[0], encoding="utf-8")
        ko.write_text(PAIR[1], encoding="utf-8")
        pair = measure(aligner + ["--presplit", str(en), str(ko)], args.runs)
        print(f"two-sentence pair: {pair[0]:.2f} s wall, {pair[1]:.2f} s CPU (load {pair[2]})", file=sys.stderr)
        sentences = count_lines(args.set / "src") + count_lines(args.set / "tgt")
        folder = measure(
            aligner + ["--presplit", str(args.set / "src"), str(args.set / "tgt"), "-o", str(Path(tmp) / "out")],
            max(1, args.runs // 2),
        )
        print(f"folders: {folder[0]:.2f} s wall for {sentences} sentences", file=sys.stderr)
    section = "\n".join(
        [
            "## Start-up",
            "",
            f"`python -m benchmarks.startup` ({dt.date.today().isoformat()}, 2 cores shared with other jobs; load"
            " average before / after each measure in brackets): `aligner align` in a fresh process, median of"
            f" {args.runs} runs (folders: {max(1, args.runs // 2)}) after one warm-up run that also fills the"
            " encoder's weight cache. CPU is user + system seconds, which other jobs on the machine disturb"
            " less than the wall clock.",
            "",
            "| job | wall s | CPU s | sentences/s (wall) | load |",
            "|---|---|---|---|---|",
            f"| two-sentence pair (`--presplit`) | {pair[0]:.2f} | {pair[1]:.2f} | – | {pair[2]} |",
            f"| `--presplit` folders: {args.set.name}, {sentences:,} sentences | {folder[0]:.2f} | {folder[1]:.2f} "
            f"| {sentences / folder[0]:,.0f} | {folder[2]} |",
        ]
    )
    publish(args.results, section, dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
