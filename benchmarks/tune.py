"""Tune the engine's weights on the dev halves of the evaluation sets.

A coordinate search: each parameter in turn is moved over a few values while the others
stay fixed, keeping a change only if the mean strict F1 over the dev sets improves.
Sentence vectors are cached, so each trial costs only the search. The result is
printed as an ``EngineParams(...)`` to paste into ``aligner/align/engine.py``; the
test halves are never looked at here.

The objective is the mean, over the three characters of dev data in ``suites.py``
(English–Korean news, the German–French man-page proxy, Text+Berg), of each one's mean
strict F1, so a change that wins on one kind of translation by losing on another is
not taken. ``--only-enko`` tunes on the English–Korean halves alone, as before.

    python -m benchmarks.tune
    python -m benchmarks.tune --only-enko --sets ntrex-edited,ntrex-hard,kep-edited,kep-hard
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from aligner.align.engine import EngineParams, build_engine
from aligner.evaluate import score_many
from benchmarks.suites import ENKO_SETS, LangSet, suite

HERE = Path(__file__).resolve().parent


GRID: dict[str, list[float]] = {
    "skip": [1.6, 1.8, 2.0, 2.2, 2.5],
    "merge": [1.5, 1.8, 2.0, 2.3, 2.6],
    "merge22": [4.0, 5.0, 6.0],
    "similarity": [4.0, 4.5, 5.0, 5.5, 6.0],
    "margin": [0.5, 0.75, 1.0, 1.25],
    "length": [0.15, 0.3, 0.45, 0.6],
    "length_sigma": [0.2, 0.25, 0.3],
    "anchor_reward": [0.0, 0.15, 0.3, 0.5],
    "anchor_penalty": [0.0, 0.1, 0.2, 0.4],
    "adapt_join": [0.0, 0.3, 0.6],
    "adapt_merge": [0.0, 0.3, 0.4, 0.5],
    "adapt_regular": [0.0, 1.0, 2.5, 4.0],
}


def mean_f1(params: EngineParams, sets: list[LangSet]) -> tuple[float, dict[str, float]]:
    """The mean over groups of each group's mean strict F1, and every set's F1."""
    per_set: dict[str, float] = {}
    groups: dict[str, list[float]] = {}
    for item in sets:
        aligner = build_engine(item.src_lang, item.tgt_lang, params=params)
        pairs = []
        for src, tgt, gold in zip(item.data.src, item.data.tgt, item.data.gold):
            beads = aligner.align(src, tgt)
            pairs.append((gold, [(b.src, b.tgt) for b in beads]))
        per_set[item.data.name] = score_many(pairs).strict_f1
        groups.setdefault(item.group, []).append(per_set[item.data.name])
    return sum(sum(v) / len(v) for v in groups.values()) / len(groups), per_set


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(ENKO_SETS), help="English–Korean sets")
    parser.add_argument("--only-enko", action="store_true", help="leave out the German–French dev data")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    enko = tuple(args.sets.split(","))
    sets = suite("dev", enko, None, None, faithful=False) if args.only_enko else suite("dev", enko)
    best = EngineParams()
    best_f1, per_set = mean_f1(best, sets)
    print(f"start {best_f1:.4f} {per_set}", flush=True)
    for _ in range(args.rounds):
        improved = False
        for name, values in GRID.items():
            for value in values:
                trial = dataclasses.replace(best, **{name: value})
                if trial == best:
                    continue
                f1, per = mean_f1(trial, sets)
                if f1 > best_f1 + 1e-4:
                    best, best_f1, per_set, improved = trial, f1, per, True
                    print(f"{name}={value}: {f1:.4f} {per}", flush=True)
        if not improved:
            break
    print(f"best {best_f1:.4f} {per_set}")
    print(best)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
