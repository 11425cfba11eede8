"""One very long document pair: time, peak memory and strict F1 of the engine.

The issue's bar is a 10,000 x 10,000-sentence pair in under 2 minutes and 2 GB. The pair
is built from the line-aligned news in ../shared/data (NTREX-128 documents and KEP
lines, each used several times in shuffled document order, since together they hold
about 3,000 lines), edited like the "edited" evaluation set (drops and joins), so the
true path wanders off the diagonal. Encoding is included in the time.

``--faithful`` builds a long faithful translation instead: every NTREX article of the
shipped sets made into one faithful-news document (``benchmarks/faithful_news.py``;
1,389 x 1,651 sentences), which the engine reads as faithful and so also aligns with the
anchor-and-window search, piece by piece past ``--window-cells``.

    python -m benchmarks.long_document --sentences 10000
    python -m benchmarks.long_document --faithful [--window-cells N | --no-second-opinion]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from aligner.align.engine import EngineParams, build_engine
from aligner.evaluate import score_beads
from benchmarks.build_sets import DEFAULT_DATA, EDITED, apply_edits, load_kep, load_ntrex, plan_edits

HERE = Path(__file__).resolve().parent


def build(sentences: int, seed: int = 7):
    docs = load_ntrex(DEFAULT_DATA) + load_kep(DEFAULT_DATA)
    rng = random.Random(seed)
    chosen = []
    total = 0
    while total < sentences:
        order = docs[:]
        rng.shuffle(order)
        for doc in order:
            chosen.append(doc)
            total += len(doc.src)
            if total >= sentences:
                break
    edits = plan_edits(chosen, EDITED, rng)
    src, tgt, gold = [], [], []
    for doc, ops in zip(chosen, edits):
        edited = apply_edits(doc, ops)
        for s_ids, t_ids in edited.gold:
            gold.append((tuple(i + len(src) for i in s_ids), tuple(j + len(tgt) for j in t_ids)))
        src += edited.src
        tgt += edited.tgt
    return src, tgt, gold


def build_faithful() -> tuple[list[str], list[str], list]:
    """Every NTREX article of the shipped sets, in the manifest's order, as one faithful document."""
    from benchmarks.faithful_news import faithful_news, ntrex_articles

    return faithful_news(ntrex_articles())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=10_000)
    parser.add_argument("--faithful", action="store_true", help="a long faithful translation (see above)")
    parser.add_argument("--window-cells", type=int, help="the largest piece the window search takes in one")
    parser.add_argument("--no-second-opinion", action="store_true", help="never ask the window search")
    args = parser.parse_args(argv)
    src, tgt, gold = build_faithful() if args.faithful else build(args.sentences)
    params = EngineParams(window_from=None) if args.no_second_opinion else EngineParams()
    aligner = build_engine(params=params)
    if args.window_cells:
        aligner.config.window_cells = args.window_cells
    aligner.align(["Warm up."], ["준비."])  # load the encoder outside the timing
    started = time.perf_counter()
    beads = aligner.align(src, tgt)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    f1 = score_beads(gold, [(b.src, b.tgt) for b in beads]).strict_f1
    print(
        f"| {len(src)} x {len(tgt)} | {seconds:.1f} s | {(len(src) + len(tgt)) / seconds:.0f} | "
        f"{peak:.0f} MB | {f1:.4f} |"
    )
    print(
        f"faithfulness {aligner.last_faithfulness:.2f}; beads of the window search kept: "
        f"{sum(aligner.last_windowed)} of {len(beads)}; window cells {aligner.config.window_cells:,} "
        f"({len(src) * len(tgt):,} in the pair)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
