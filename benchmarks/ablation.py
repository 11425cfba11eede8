"""What each ingredient of the engine pays: strict F1 with one part taken out or changed.

Issue 3 lists the ingredients (multilingual sentence similarity with neighbourhood margins,
length in SentencePiece pieces, anchors, a corpus lexicon, beads of up to four sentences;
since added: a second look at joins, re-encoded, exact search for short documents and a band
for long ones) and asks to measure each and keep what pays. Each variant here is the default
engine with one change, aligned over the held-out halves with the vectors cached (so the
speed column is the search and scoring alone, after one encoding pass shared by all
variants).

    python -m benchmarks.ablation                        # test halves, writes ## Ingredients
    python -m benchmarks.ablation --split dev --no-write   # what tuning saw
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from aligner.align import Aligner
from aligner.align.anchors import AnchorSignal
from aligner.align.engine import EngineParams, build_engine
from aligner.align.lexicon import Lexicon, train_lexicon
from aligner.align.scoring import LengthRatioSignal
from benchmarks.host import machine
from benchmarks.run import EvalSet, load_set, strict_f1_timed
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent


SETS = "ntrex-clean,ntrex-edited,ntrex-hard,kep-clean,kep-edited,kep-hard"


def _with(**changes: object) -> Callable[[list[EvalSet], list[EvalSet]], Aligner]:
    return lambda dev, test: build_engine(params=dataclasses.replace(EngineParams(), **changes))


def _without(kind: type) -> Callable[[list[EvalSet], list[EvalSet]], Aligner]:
    def build(dev: list[EvalSet], test: list[EvalSet]) -> Aligner:
        aligner = build_engine()
        aligner.signals = [s for s in aligner.signals if not isinstance(s, kind)]
        return aligner

    return build


def _length_in_characters(dev: list[EvalSet], test: list[EvalSet]) -> Aligner:
    aligner = build_engine()
    for signal in aligner.signals:
        if isinstance(signal, LengthRatioSignal):
            signal.unit = None  # non-space characters instead of SentencePiece pieces
            signal.sigma = 0.3  # characters spread more between the languages
    return aligner


def _lexicon_from_reviewed(dev: list[EvalSet], test: list[EvalSet]) -> Aligner:
    """As if reviewers had accepted every dev bead: learn from the dev gold's linked beads."""
    pairs = [
        (" ".join(src[i] for i in s), " ".join(tgt[j] for j in t))
        for data in dev
        for src, tgt, gold in zip(data.src, data.tgt, data.gold)
        for s, t in gold
        if s and t
    ]
    return build_engine(lexicon=train_lexicon(pairs))


def _lexicon_from_own_beads(dev: list[EvalSet], test: list[EvalSet]) -> dict[str, Aligner]:
    """What ``aligner lexicon train`` does on a fresh corpus: learn from the engine's own
    beads at confidence 0.9 or more over the documents it is about to align again, each set
    its own corpus. (One lexicon over all the sets would learn a set's exact sentence pairs
    from its sister sets: the clean, edited and hard sets of a source share their sentences.)"""
    engine = build_engine()
    out = {}
    for data in test:
        pairs = [
            (" ".join(src[i] for i in b.src), " ".join(tgt[j] for j in b.tgt))
            for src, tgt in zip(data.src, data.tgt)
            for b in engine.align(src, tgt)
            if b.src and b.tgt and b.confidence >= 0.9
        ]
        lexicon: Lexicon = train_lexicon(pairs)
        out[data.name] = build_engine(lexicon=lexicon)
    return out


def _banded(dev: list[EvalSet], test: list[EvalSet]) -> Aligner:
    aligner = build_engine()
    aligner.config.full_search_cells = 0  # the long-document search on every pair
    return aligner


#: a variant's aligner, or one per set (by name) where each set is a corpus of its own
Build = Callable[[list[EvalSet], list[EvalSet]], "Aligner | dict[str, Aligner]"]

VARIANTS: list[tuple[str, Build]] = [
    ("default engine", _with()),
    ("no similarity margin (raw cosine)", _with(margin=0.0)),
    ("no length signal", _without(LengthRatioSignal)),
    ("length in characters, not pieces", _length_in_characters),
    ("no anchors", _without(AnchorSignal)),
    ("no second look at joins", _with(rejoin_penalty=None)),
    ("second look of the old size (2 a side, 3 in all)", _with(rejoin_side=2, rejoin_total=3)),
    ("no re-pricing of the path's joins by their text", _with(reprice=0.0)),
    ("no per-document priors", _with(adapt_join=0.0, adapt_merge=0.0, adapt_regular=0.0)),
    ("beads of at most 2 a side", _with(max_size=2)),
    ("beads of up to 4 a side", _with(max_size=4)),
    ("banded search on every pair", _banded),
    ("+ lexicon from the engine's own beads >= 0.9", _lexicon_from_own_beads),
    ("+ lexicon from reviewed (dev gold) beads", _lexicon_from_reviewed),
]


def _scores(built: Aligner | dict[str, Aligner], sets: list[EvalSet]) -> tuple[dict[str, float], float, int]:
    """Strict F1 per set, seconds and sentences (``strict_f1_timed``), with each set's own
    aligner where the variant made one per set."""
    if not isinstance(built, dict):
        return strict_f1_timed(built, sets)
    f1: dict[str, float] = {}
    seconds, sentences = 0.0, 0
    for data in sets:
        one, s, n = strict_f1_timed(built[data.name], [data])
        f1.update(one)
        seconds, sentences = seconds + s, sentences + n
    return f1, seconds, sentences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=SETS)
    parser.add_argument(
        "--split",
        choices=["dev", "test"],
        default="test",
        help="halves to align (the reviewed-lexicon row, trained on dev, runs on test only)",
    )
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args(argv)
    names = args.sets.split(",")
    dev = [load_set(n, "dev") for n in names]
    test = dev if args.split == "dev" else [load_set(n, "test") for n in names]
    default = build_engine()
    for data in test:  # every vector in the cache before any timing, joined texts of the second look too
        for src, tgt in zip(data.src, data.tgt):
            default.align(src, tgt)
    rows = []
    for label, build in VARIANTS:
        if args.split == "dev" and build is _lexicon_from_reviewed:
            continue
        f1, seconds, sentences = _scores(build(dev, test), test)
        mean = sum(f1.values()) / len(f1)
        print(f"{label}: mean strict F1 {mean:.3f}", file=sys.stderr, flush=True)
        rows.append(
            f"| {label} | "
            + " | ".join(f"{f1[n]:.3f}" for n in names)
            + f" | {mean:.3f} | {sentences / seconds:,.0f} |"
        )
    section = "\n".join(
        [
            "## Ingredients",
            "",
            f"`python -m benchmarks.ablation --split {args.split}` ({dt.date.today().isoformat()}, {machine()}): "
            "the default "
            f"engine with one part taken out or changed, strict F1 on the {args.split} halves; "
            "sentences per second with the vectors already "
            "cached (search and scoring only). The lexicon rows train IBM Model 1 on the engine's own beads at "
            "0.9 or more, each set's own (what `aligner lexicon train` does on a new corpus; the sets of one "
            "source share their sentences, so one lexicon over them all would learn a set's exact pairs from "
            "its sister sets), or on the dev halves' gold beads (a corpus whose reviewers accepted that much; "
            "dev and test share no document). Other encoders: ## Encoders.",
            "",
            "| variant | " + " | ".join(names) + " | mean | sentences/s |",
            "|---|" + "---|" * (len(names) + 2),
            *rows,
        ]
    )
    publish(HERE / "RESULTS.md", section, dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
