"""Text+Berg German–French: the standard sentence-alignment benchmark, every aligner side by side.

Text+Berg (the Swiss Alpine Club yearbook; Sennrich & Volk 2010, as shipped with
Bleualign and Vecalign) is a faithful literary translation: many 1-2, 2-1 and 2-2 beads,
some up to 1-5, and few omissions, the opposite of the edited English–Korean news the
engine was first tuned on. Only the development document is here
(``../shared/data/textberg-dev``: ``dev.de``, ``dev.fr`` and the gold ``dev.defr``); it is
GPL-2.0, so it is read from there and nothing derived from it is written into the
project except scores. Its test documents are measured outside the project.

    python -m benchmarks.textberg                          # every aligner, writes ## Text+Berg German–French (dev)
    python -m benchmarks.textberg --aligners ours --no-write
    python -m benchmarks.textberg --textberg DIR           # another folder with dev.de, dev.fr, dev.defr
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from aligner.align.embed import encoder_threads
from aligner.evaluate import read_beads
from benchmarks.peers import PEERS, make_peer
from benchmarks.run import EvalSet, Run, as_section, load_average, render, run_peer
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


TEXTBERG = ROOT.parent / "shared" / "data" / "textberg-dev"
SECTION = "Text+Berg German–French (dev)"
DEFAULT_ALIGNERS = "ours,galechurch,hunalign,vecalign,bertalign-use"


def _lines(path: Path) -> list[str]:
    # Text+Berg lines end in a space before the newline; the sentence is the line.
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def load_textberg(folder: Path = TEXTBERG, name: str = "textberg-dev") -> EvalSet:
    """The development document as a one-document evaluation set (German source, French target)."""
    files = [folder / f for f in ("dev.de", "dev.fr", "dev.defr")]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"{folder}: Text+Berg dev data not found ({', '.join(missing)} missing)")
    return EvalSet(name, ["dev"], [_lines(files[0])], [_lines(files[1])], [read_beads(files[2])])


VARIANTS: dict[str, dict[str, object]] = {
    "default engine": {},
    "no second opinion from the anchor-and-window search (window_from None)": {"window_from": None},
    "no re-pricing of the path's joins by their text (reprice 0)": {"reprice": 0.0},
    "no per-document priors": {"adapt_join": 0.0, "adapt_merge": 0.0, "adapt_regular": 0.0},
    "second look of the old size (2 a side, 3 in all), no per-document priors": {
        "adapt_join": 0.0,
        "adapt_merge": 0.0,
        "adapt_regular": 0.0,
        "rejoin_side": 2,
        "rejoin_total": 3,
    },
    "no second look (first search only)": {"rejoin_penalty": None},
}


def variant_rows(data: EvalSet) -> list[str]:
    """Strict and lax F1 of the engine with its new parts taken out (what each buys on Text+Berg)."""
    import dataclasses

    from aligner.align.engine import EngineParams, build_engine
    from aligner.evaluate import score_many

    rows = ["| variant | strict F1 | lax F1 | beads of 4+ sentences |", "|---|---|---|---|"]
    for label, changes in VARIANTS.items():
        aligner = build_engine("de", "fr", params=dataclasses.replace(EngineParams(), **changes))
        beads = [[(b.src, b.tgt) for b in aligner.align(s, t)] for s, t in zip(data.src, data.tgt)]
        scores = score_many(zip(data.gold, beads))
        big = sum(len(s) + len(t) >= 4 for doc in beads for s, t in doc)
        rows.append(f"| {label} | {scores.strict_f1:.3f} | {scores.lax_f1:.3f} | {big} |")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--textberg", type=Path, default=TEXTBERG, help="folder with dev.de, dev.fr, dev.defr (default: %(default)s)"
    )
    parser.add_argument("--aligners", default=DEFAULT_ALIGNERS, help=f"comma-separated, from {', '.join(PEERS)}")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    args = parser.parse_args(argv)

    data = load_textberg(args.textberg)
    load_at_start, threads = load_average(), encoder_threads()
    runs: list[Run] = []
    versions: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for name in [a.strip() for a in args.aligners.split(",") if a.strip()]:
        try:
            peer = make_peer(name, "de", "fr")
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        why = peer.unavailable()
        if why:
            skipped[name] = why
            continue
        peer.prepare()
        versions[name] = peer.version() + (", de-fr" if name == "ours" else "")
        run = run_peer(peer, data, args.repeats, args.budget)
        runs.append(run)
        print(f"{name:>14} strict F1 {run.scores.strict_f1:.3f} lax F1 {run.scores.lax_f1:.3f}", file=sys.stderr)
    args_given = argv if argv is not None else sys.argv[1:]
    command = "python -m benchmarks.textberg " + " ".join(shlex.quote(a) for a in args_given)
    report = render(
        runs,
        [data],
        skipped,
        versions,
        command.strip(),
        "dev",
        (load_at_start, load_average()),
        threads,
        "Text+Berg development document (German source, French target; 468 x 554 sentences, 422 gold"
        " beads), read from ../shared/data/textberg-dev (GPL-2.0, not copied into the project). It"
        " is the document the engine's cross-domain settings were tuned on, so it is a dev figure;"
        " Text+Berg's test documents are measured outside the project",
        shapes_of=[r.aligner for r in runs],
    )
    report = report.replace("- Documents: the `dev` half of each set; ", "- Documents: ")
    if "ours" in versions:
        big = sum(len(s) + len(t) >= 4 for s, t in data.gold[0])
        report += (
            "\n## Engine variants\n\nThe engine with one of its newer parts (the anchor-and-window search's"
            " second opinion, per-document priors, the larger second look, the re-pricing of joins)"
            f" taken out (gold: {big} beads of 4+ sentences):\n\n" + "\n".join(variant_rows(data)) + "\n"
        )
    if runs:
        publish(args.results, as_section(SECTION, report), dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
