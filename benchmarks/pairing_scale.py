"""Pairing a big archive: time and peak memory for 1,000 x 1,000 and 10,000 x 10,000 articles.

The archives come from ``pairing_sets.build_archive``: synthetic bare-text stories of
12-18 NTREX and KEP lines (no two sharing more than three), 80 % of them translated
(loosely), the rest decoys on each side, dated over a year or undated. Each run is a fresh process (``--child``), so its
peak resident memory (``ru_maxrss``) is its own; building the archive and loading the
encoder and aligner are timed apart from pairing.

With about 3,000 distinct lines behind 20,000 articles, the same sentence comes back
many times, and the encoder's cache encodes it once: this set under-counts encoding. The
report therefore also gives the sentences pairing asked for, how many were really
encoded, the measured rate, and what encoding them all would have added. Run from the
project root (one size at a time keeps the shared machine usable)::

    .venv/bin/python -m benchmarks.pairing_scale --sizes 1000 --repeats 3
    .venv/bin/python -m benchmarks.pairing_scale --sizes 1000,10000 --results benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SECTION = "## Pairing at scale"


class TimedEncoder:
    """The real (cached) encoder, counting the sentences asked for and the time spent."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.requested = 0
        self.seconds = 0.0

    def encode(self, texts):
        started = time.perf_counter()
        out = self.inner.encode(texts)
        self.seconds += time.perf_counter() - started
        self.requested += len(texts)
        return out


def child(size: int, dated: bool, seed: int) -> dict:
    """One run in this process: build, warm up, pair, count. Printed as JSON."""
    from aligner.align import default_aligner
    from aligner.align.embed import encoder_threads, get_encoder
    from aligner.pairing import PairingOptions, pair_articles
    from benchmarks.pairing_sets import build_archive

    t0 = time.perf_counter()
    archive = build_archive(size, size, int(size * 0.8), dated, seed)
    t1 = time.perf_counter()
    threads = encoder_threads()  # what the encoder is built with: 1 on a busy machine
    encoder = get_encoder("use")
    encoder.encode(["warm up", "준비"])
    default_aligner("en", "ko", "engine", "use")
    t2 = time.perf_counter()
    encoded_before = encoder.encoded
    load0 = os.getloadavg()[0]
    timed = TimedEncoder(encoder)
    result = pair_articles(archive.en, archive.ko, PairingOptions(), encoder=timed)
    t3 = time.perf_counter()
    found = {(p.candidate.en_index, p.candidate.ko_index): p.sure for p in result.pairs}
    right = {k for k in found if k in archive.gold}
    sure = [k for k, s in found.items() if s]
    sentences, encoded, encode_seconds = timed.requested, encoder.encoded - encoded_before, timed.seconds
    return {
        "size": size,
        "dated": dated,
        "seed": seed,
        "build_seconds": round(t1 - t0, 1),
        "load_seconds": round(t2 - t1, 1),
        "pair_seconds": round(t3 - t2, 1),
        "stages": {k: round(v, 1) for k, v in result.seconds.items()},
        "candidates": result.candidates,
        "verified": result.verified,
        "sentences": sentences,
        "encoded": encoded,
        "encode_seconds": round(encode_seconds, 1),
        "encoder_threads": threads,
        "pairs": len(archive.gold),
        "proposed": len(found),
        "correct": len(right),
        "sure": len(sure),
        "sure_correct": sum(1 for k in sure if k in archive.gold),
        "load_start": round(load0, 2),
        "load_end": round(os.getloadavg()[0], 2),
    }


def run_child(size: int, dated: bool, seed: int) -> dict:
    """A fresh process for one run; its peak resident memory from ``wait4``."""
    cmd = [sys.executable, "-m", "benchmarks.pairing_scale", "--child", str(size), "--seed", str(seed)] + (
        ["--dated"] if dated else []
    )
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"run {size} dated={dated} failed with exit status {proc.returncode}")
    row = json.loads(out.decode().strip().splitlines()[-1])
    row["peak_mb"] = round(usage.ru_maxrss / 1024)  # Linux: kilobytes
    return row


def summarise(rows: list[dict]) -> dict:
    """Medians of the timings and memory over repeats (counts are the same every time)."""
    first = dict(rows[0])
    for key in ("pair_seconds", "peak_mb", "encode_seconds", "load_start", "load_end"):
        first[key] = statistics.median(r[key] for r in rows)
    first["stages"] = {k: round(statistics.median(r["stages"][k] for r in rows), 1) for k in rows[0]["stages"]}
    first["repeats"] = len(rows)
    return first


def report(summaries: list[dict]) -> list[str]:
    sizes = ",".join(str(s) for s in dict.fromkeys(x["size"] for x in summaries))
    lines = [
        SECTION,
        "",
        "Pairing a year of an archive by content (`aligner.pairing.pair_articles`, defaults): "
        f"`python -m benchmarks.pairing_scale --sizes {sizes} --results benchmarks/RESULTS.md` (median of the "
        "repeats given per row, each run a fresh process; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores shared with other work, load average at "
        "the start and end of each run given). Synthetic bare-text stories from NTREX and KEP lines "
        "of 12-18 lines, no two sharing more than three (`pairing_sets.build_archive`): 80 % loosely "
        "translated pairs, 20 % decoys on each side. "
        "Nothing was tuned on these sets.",
        "",
        "| EN x KO | dates | runs | pairing time | peak memory | candidates scored | aligned to verify "
        "| precision | recall | sure: precision | sure: recall | load (start/end) | stages (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        stages = ", ".join(f"{k} {v}" for k, v in s["stages"].items())
        p = s["correct"] / s["proposed"] if s["proposed"] else 1.0
        sp = s["sure_correct"] / s["sure"] if s["sure"] else 1.0
        lines.append(
            f"| {s['size']:,} x {s['size']:,} | {'dated' if s['dated'] else 'undated'} | {s['repeats']} | "
            f"{s['pair_seconds'] / 60:.1f} min | {s['peak_mb'] / 1024:.2f} GB | {s['candidates']:,} | "
            f"{s['verified']:,} | {p:.3f} | {s['correct'] / s['pairs']:.3f} | {sp:.3f} | "
            f"{s['sure_correct'] / s['pairs']:.3f} | {s['load_start']}/{s['load_end']} | {stages} |"
        )
    lines += [
        "",
        "Encoding: this set reuses its ~3,000 lines, so the encoder's cache spares most of the work "
        "a real archive needs. Per run: sentences pairing encoded (the beginnings of all articles), of "
        "them really sent to the encoder, at what rate, and what sending them all would have added:",
        "",
    ]
    for s in summaries:
        rate = s["encoded"] / s["encode_seconds"] if s["encode_seconds"] else 0.0
        extra = (s["sentences"] - s["encoded"]) / rate if rate else 0.0
        lines.append(
            f"- {s['size']:,} x {s['size']:,} {'dated' if s['dated'] else 'undated'}: "
            f"{s['sentences']:,} sentences, {s['encoded']:,} encoded in {s['encode_seconds']:.0f} s "
            f"({rate:.0f}/s, {s['encoder_threads']} encoder thread{'s' if s['encoder_threads'] > 1 else ''}): "
            f"all of them unique would add about {extra / 60:.1f} min, "
            f"{(s['pair_seconds'] + extra) / 60:.1f} min in all."
        )
    lines += [
        "",
        "So with unique text, a real archive of 10,000 x 10,000 articles would take the *in all* "
        "figures on a machine as busy as this one (one encoder thread): over the 10-minute target. The "
        "encoder is the bottleneck; on idle cores it runs with two threads at about 900 sentences/s "
        "(`shared/DESIGN.md`, not measured here), which would make the extra encoding about 4.5 minutes "
        "and the whole about 9. Memory grows with unique text too: the encoder's cache keeps at most "
        "200,000 vectors (about 0.4 GB) where these runs kept about 14,000; the per-article sentence "
        "vectors (float16) are already in the peaks above.",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--dated", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sizes", default="1000", help="comma-separated articles per side (default 1000)")
    ap.add_argument("--dates", default="dated,undated", help="dated, undated or both (default both)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--large-repeats", type=int, default=1, help="repeats for sizes of 5,000 and more (default 1)")
    ap.add_argument("--results", type=Path, help="write the '## Pairing at scale' section of this file")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.dated, args.seed)))
        return 0
    summaries = []
    for size in (int(x) for x in args.sizes.split(",")):
        for dates in args.dates.split(","):
            repeats = args.large_repeats if size >= 5000 else args.repeats
            rows = [run_child(size, dates == "dated", args.seed) for _ in range(repeats)]
            summaries.append(summarise(rows))
            print(json.dumps(summaries[-1]), flush=True)
    lines = report(summaries)
    print("\n".join(lines))
    if args.results:
        from benchmarks.sections import write_section

        write_section(args.results, "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
