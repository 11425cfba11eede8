"""Align every evaluation set with this project's engine and its peers, side by side.

Quality is strict and lax precision/recall/F1 against the gold beads of
``corpora/eval`` (``aligner.evaluate``); speed is sentences (source + target) aligned
per second, the median of repeated runs where a run is cheap. The tables go to
``benchmarks/RESULTS.md`` with the date, the machine and the command line. Example::

    python -m benchmarks.run --sets ntrex-clean,ntrex-edited --aligners ours,galechurch,hunalign

An aligner that cannot run here (not installed, not written yet) is reported and skipped.
Sets built elsewhere (``--eval-root``, e.g. the German–French proxy of ``build_defr.py``)
take their languages from their manifest and go to their own ``--section`` of the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.align.embed import encoder_threads
from aligner.evaluate import Scores, format_bead, read_beads, score_many
from benchmarks.host import machine
from benchmarks.peers import PEERS, BeadPair, Peer, make_peer
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


EVAL = ROOT / "corpora" / "eval"
DEFAULT_ALIGNERS = ["ours", "galechurch", "hunalign", "hunalign-ascii", "vecalign", "bertalign-use"]
NON_LATIN = {"ko", "ja", "zh"}  # hunalign-ascii only makes sense when one side is in one of these scripts


@dataclass
class EvalSet:
    """One evaluation set, limited to the documents of the chosen split."""

    name: str
    doc_ids: list[str]
    src: list[list[str]]
    tgt: list[list[str]]
    gold: list[list[BeadPair]]

    @property
    def sentences(self) -> int:
        return sum(len(s) + len(t) for s, t in zip(self.src, self.tgt))


@dataclass
class Run:
    """One aligner on one set: its scores, its timings, and whether its beads are well formed."""

    aligner: str
    set_name: str
    scores: Scores
    seconds: list[float]
    sentences: int
    malformed: int = 0  # documents whose beads do not cover both sides once, in order
    predictions: list[list[BeadPair]] = field(default_factory=list, repr=False)

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def per_second(self) -> float:
        return self.sentences / self.median_seconds if self.median_seconds > 0 else float("inf")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def load_set(name: str, split: str = "test", root: Path = EVAL) -> EvalSet:
    """Read ``root/name`` keeping the documents of ``split`` (dev, test or all)."""
    folder = root / name
    if not (folder / "gold").is_dir():
        known = sorted(p.name for p in root.iterdir() if (p / "gold").is_dir()) if root.is_dir() else []
        raise SystemExit(f"{folder}: no such evaluation set (known: {', '.join(known) or 'none'})")
    docs = sorted(p.name for p in (folder / "gold").iterdir())
    if split != "all":
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        halves = manifest["splits"][name.split("-")[0]]
        docs = [d for d in docs if halves[d] == split]
    return EvalSet(
        name,
        docs,
        [_lines(folder / "src" / d) for d in docs],
        [_lines(folder / "tgt" / d) for d in docs],
        [read_beads(folder / "gold" / d) for d in docs],
    )


def strict_f1_timed(aligner: object, sets: Sequence[EvalSet]) -> tuple[dict[str, float], float, int]:
    """An ``Aligner``'s strict F1 per set, the seconds its ``align`` calls took, and the
    sentences (both sides) it aligned: what the ablation and encoder comparisons report."""
    f1, seconds, sentences = {}, 0.0, 0
    for data in sets:
        start = time.perf_counter()
        pairs = [
            (gold, [(b.src, b.tgt) for b in aligner.align(src, tgt)])  # type: ignore[attr-defined]
            for src, tgt, gold in zip(data.src, data.tgt, data.gold)
        ]
        seconds += time.perf_counter() - start
        sentences += data.sentences
        f1[data.name] = score_many(pairs).strict_f1
    return f1, seconds, sentences


def well_formed(beads: Sequence[BeadPair], n_src: int, n_tgt: int) -> bool:
    """Every sentence of both sides in exactly one bead, in order."""
    return [i for s, _ in beads for i in s] == list(range(n_src)) and [j for _, t in beads for j in t] == list(
        range(n_tgt)
    )


def run_peer(peer: Peer, data: EvalSet, repeats: int, budget: float) -> Run:
    """Align a set ``repeats`` times (fewer when one run eats the time ``budget``).

    Quality comes from the first run (all aligners here are deterministic); speed is the
    median of the runs.
    """
    docs = list(zip(data.src, data.tgt))
    preds, first = peer.align_set(docs)
    seconds = [first]
    while len(seconds) < repeats and sum(seconds) + seconds[-1] <= budget:
        seconds.append(peer.align_set(docs)[1])
    scores = score_many(zip(data.gold, preds))
    bad = sum(not well_formed(p, len(s), len(t)) for p, s, t in zip(preds, data.src, data.tgt))
    return Run(peer.name, data.name, scores, seconds, data.sentences, bad, preds)


def save_predictions(run: Run, data: EvalSet, out: Path) -> None:
    """Bead files named like the gold ones, for ``aligner.evaluate.evaluate_paths``."""
    folder = out / run.aligner / run.set_name
    folder.mkdir(parents=True, exist_ok=True)
    for doc, beads in zip(data.doc_ids, run.predictions):
        (folder / doc).write_text("".join(format_bead(s, t) + "\n" for s, t in beads), encoding="utf-8")


# ---------------------------------------------------------------- report


def load_average() -> str:
    """The 1-minute load average: other work on the machine slows every aligner alike."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def render(
    runs: list[Run],
    sets: list[EvalSet],
    skipped: dict[str, str],
    versions: dict[str, str],
    command: str,
    split: str,
    loads: tuple[str, str] = ("unknown", "unknown"),
    threads: int | None = None,
    about: str = "",
    shapes_of: Sequence[str] = ("ours",),
) -> str:
    """RESULTS.md: strict F1 table, lax F1 table, per-set details, bead shapes (of ``shapes_of``), what was skipped."""
    aligners = list(dict.fromkeys(r.aligner for r in runs))
    by = {(r.aligner, r.set_name): r for r in runs}
    names = [s.name for s in sets]
    today = dt.date.today().isoformat()
    out = [
        "# Benchmark results",
        "",
        f"- Date: {today}",
        f"- Machine: {machine()}",
        f"- Command: `{command}`",
        f"- Load average (1 min) at start / end: {loads[0]} / {loads[1]} (other jobs on the same 2 cores slow"
        " everything; compare speeds within one run)",
        f"- Our encoder's BLAS threads: {threads or 'unknown'}"
        + (
            " (set by `ALIGNER_ENCODER_THREADS`)"
            if os.environ.get("ALIGNER_ENCODER_THREADS")
            else " (all cores when the machine is idle at start, else 1)"
        ),
        *([f"- Sets: {about}"] if about else []),
        f"- Documents: the `{split}` half of each set"
        + (" (held out from tuning)" if split == "test" else "")
        + "; "
        + ", ".join(f"{s.name} {len(s.doc_ids)} docs / {s.sentences} sentences" for s in sets),
        "- Scores: `aligner.evaluate` (Sennrich & Volk 2010 with vecalign's conventions: 0-1/1-0 beads"
        " count toward precision only; micro-averaged over documents).",
        "- Speed: source + target sentences per second of aligning (median of repeated runs where a run is"
        " cheap; model loading and process start-up not counted), over all sets run.",
        "",
    ]
    for title, key in (("Strict F1", "strict_f1"), ("Lax F1", "lax_f1")):
        out += [f"## {title}", "", "| aligner | " + " | ".join(names) + " | sentences/s |"]
        out.append("|---" * (len(names) + 2) + "|")
        for a in aligners:
            cells = []
            for n in names:
                r = by.get((a, n))
                cells.append(f"{getattr(r.scores, key):.3f}" if r else "–")
            mine = [r for r in runs if r.aligner == a]
            total = sum(r.sentences for r in mine) / max(sum(r.median_seconds for r in mine), 1e-9)
            out.append(f"| {a} | " + " | ".join(cells) + f" | {total:,.0f} |")
        out.append("")
    out += [
        "## Details",
        "",
        "| set | aligner | strict P | strict R | strict F1 | lax P | lax R | lax F1 | runs | median s | sentences/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        for a in aligners:
            r = by.get((a, n))
            if not r:
                continue
            s = r.scores
            flag = f" ({r.malformed} docs malformed)" if r.malformed else ""
            out.append(
                f"| {n} | {a}{flag} | {s.strict_precision:.3f} | {s.strict_recall:.3f} | {s.strict_f1:.3f} "
                f"| {s.lax_precision:.3f} | {s.lax_recall:.3f} | {s.lax_f1:.3f} | {len(r.seconds)} "
                f"| {r.median_seconds:.3f} | {r.per_second:,.0f} |"
            )
    shaped = [r for r in runs if r.aligner in shapes_of]
    if shaped:
        who = "our prediction" if list(shapes_of) == ["ours"] else "each aligner's prediction"
        out += [
            "",
            "## Bead shapes",
            "",
            f"Beads of each shape in the gold and in {who}, per set (all documents"
            " of the half; a k-0 or 0-k step of a peer counts as k empty beads):",
            "",
        ]
        out += shape_table(shaped, sets)
    out += ["", "## Aligners", ""]
    out += [f"- {a}: {v}" for a, v in versions.items()]
    out += [f"- {a}: not run: {why}" for a, why in skipped.items()]
    notes = [note for name, note in NOTES.items() if name in versions]
    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


def shape_table(runs: Sequence[Run], sets: Sequence[EvalSet]) -> list[str]:
    """Beads of each shape, gold against predicted, one row pair per set, as Markdown."""

    def count(docs: Sequence[Sequence[BeadPair]]) -> Counter:
        return Counter((len(s), len(t)) for doc in docs for s, t in doc)

    rows: list[tuple[str, str, Counter]] = []
    for data in sets:
        rows.append((data.name, "gold", count(data.gold)))
        rows += [(data.name, r.aligner, count(r.predictions)) for r in runs if r.set_name == data.name]
    shapes = sorted(set().union(*(c for _, _, c in rows)), key=lambda s: (max(s) > 1, s[0] + s[1], s))
    out = ["| set | beads | " + " | ".join(f"{a}-{b}" for a, b in shapes) + " |", "|---" * (len(shapes) + 2) + "|"]
    out += [f"| {name} | {who} | " + " | ".join(str(c.get(s, 0)) for s in shapes) + " |" for name, who, c in rows]
    return out


NOTES = {
    "hunalign": (
        "hunalign is the npm WebAssembly build with its wrapper's fixed command line: empty dictionary,"
        " lengths in bytes, no -realign. On raw UTF-8 Korean it aligns far worse than on the same text in ASCII:"
        " `hunalign-ascii` feeds it the same text with every non-ASCII byte written as an ASCII letter (same"
        " byte lengths, same tokens), which is the number to compare with a native hunalign."
    ),
    "vecalign": (
        "vecalign: no `vecalign` distribution installs from PyPI and its code is not vendored; `sentalign`"
        " (PyPI, Apache-2.0) packages Vecalign's DP for in-memory use. It encodes every run of 1-4 consecutive"
        " sentences on both sides (Vecalign's overlaps), hence several times the encoder work of one pass."
    ),
    "bertalign-use": (
        "bertalign-use: Bertalign's published two-step search (Liu & Zhu 2022: top-3 1-1 anchors by cosine,"
        " then beads of up to 5 sentences in all inside a window of 5 around them, scored by the cosine of"
        " their encoded texts minus the mean cosine with the single sentences around each span, times a"
        " length penalty on UTF-8 bytes, skips -0.1), rebuilt from the paper in `aligner/align/window.py`"
        " with the scoring of its reference implementation, and fed the engine's USE encoder instead of"
        " LaBSE (Bertalign's PyPI fork needs Python 3.12 or later, torch, and LaBSE fetched from the"
        " Hugging Face hub at run time). Like vecalign it encodes every run of 1-4 consecutive sentences."
    ),
    "ours": (
        "ours runs whatever `aligner.align.align_sentences` is in the working tree at the time (see its"
        " git line above); its vector cache is emptied before every timed run. What its numbers were tuned"
        " on: the signal weights and shape priors on the dev halves of the English–Korean sets"
        " (`benchmarks/tune.py`); the second look's size and the per-document priors"
        " (`aligner/align/adapt.py`) on the dev data of three characters, the English–Korean dev halves,"
        " the German–French man-page proxy's dev halves and faithful translation (the Text+Berg dev"
        " document and faithful news's dev half), and on the same the faithfulness from which the"
        " anchor-and-window search gives its second opinion (`aligner/align/regions.py`); the confidence on"
        " the same (`benchmarks/calibrate.py`)."
        " Test halves were never used for tuning."
    ),
}


START, END = "<!-- alignment benchmark: start -->", "<!-- alignment benchmark: end -->"


def _write_atomic(path: Path, text: str) -> None:
    """Replace this runner's part of the report; sections other benchmarks wrote stay."""
    block = f"{START}\n{text.rstrip()}\n{END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + block
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)


def as_section(title: str, report: str) -> str:
    """The report as one ``## title`` section of RESULTS.md (its own headings one level down),
    for sets other than corpora/eval: the alignment-benchmark block stays as it is."""
    lines = report.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    body = "\n".join("#" + line if line.startswith("## ") else line for line in lines)
    return f"## {title}\n\n{body.strip()}\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="", help="comma-separated set names (default: every set in --eval-root)")
    parser.add_argument(
        "--eval-root", type=Path, default=EVAL, help="folder of sets with a manifest.json (default: %(default)s)"
    )
    parser.add_argument("--src-lang", help="source language for ours (default: the manifest's languages, else en)")
    parser.add_argument("--tgt-lang", help="target language for ours (default: the manifest's languages, else ko)")
    parser.add_argument(
        "--section",
        help="write the report as this '## ' section of --results instead of the"
        " alignment-benchmark block (for sets other than corpora/eval)",
    )
    parser.add_argument(
        "--aligners", default=",".join(DEFAULT_ALIGNERS), help=f"comma-separated, from {', '.join(PEERS)}"
    )
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test", help="which half of the documents")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per aligner and set (median)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds after which an aligner stops repeating a set"
    )
    parser.add_argument(
        "--results", type=Path, default=HERE / "RESULTS.md", help="Markdown report (default: %(default)s)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the report, do not write it")
    parser.add_argument("--save-predictions", type=Path, help="write predicted bead files under this folder")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON instead of the report")
    args = parser.parse_args(argv)

    manifest_path = args.eval_root / "manifest.json"
    if not manifest_path.is_file():
        print(f"{args.eval_root}: no manifest.json (build the sets first)", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if args.sets:
        set_names = [s.strip() for s in args.sets.split(",") if s.strip()]
    else:
        set_names = list(manifest["sets"])
    src_lang, tgt_lang = manifest.get("languages", ["en", "ko"])
    src_lang, tgt_lang = args.src_lang or src_lang, args.tgt_lang or tgt_lang
    names = [a.strip() for a in args.aligners.split(",") if a.strip()]
    skipped: dict[str, str] = {}
    if "hunalign-ascii" in names and not {src_lang, tgt_lang} & NON_LATIN:
        names.remove("hunalign-ascii")
        skipped["hunalign-ascii"] = f"pointless for {src_lang}-{tgt_lang}: both sides are already Latin script"
    try:
        peers = [make_peer(a, src_lang, tgt_lang) for a in names]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    sets = [load_set(n, args.split, args.eval_root) for n in set_names]

    load_at_start = load_average()
    threads = encoder_threads()  # what the encoder will choose when it loads now
    runs: list[Run] = []
    versions: dict[str, str] = {}
    for peer in peers:
        why = peer.unavailable()
        if why:
            skipped[peer.name] = why
            print(f"{peer.name}: skipped: {why}", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        peer.prepare()
        versions[peer.name] = peer.version() + (f", {src_lang}-{tgt_lang}" if peer.name == "ours" else "")
        print(f"{peer.name}: ready in {time.perf_counter() - t0:.1f}s ({versions[peer.name]})", file=sys.stderr)
        for data in sets:
            run = run_peer(peer, data, args.repeats, args.budget)
            runs.append(run)
            if args.save_predictions:
                save_predictions(run, data, args.save_predictions)
            print(
                f"{peer.name:>10} {data.name:<14} strict F1 {run.scores.strict_f1:.3f} lax F1 {run.scores.lax_f1:.3f}"
                f" {run.per_second:>9,.0f} sent/s ({len(run.seconds)} runs)"
                + (f" {run.malformed} malformed docs" if run.malformed else ""),
                file=sys.stderr,
            )

    given = argv if argv is not None else sys.argv[1:]
    command = "python -m benchmarks.run " + " ".join(shlex.quote(a) for a in given)
    if args.json:
        print(
            json.dumps(
                {
                    "split": args.split,
                    "skipped": skipped,
                    "versions": versions,
                    "runs": [
                        {
                            "aligner": r.aligner,
                            "set": r.set_name,
                            **r.scores.as_dict(),
                            "seconds": r.seconds,
                            "sentences": r.sentences,
                            "sentences_per_second": r.per_second,
                            "malformed": r.malformed,
                        }
                        for r in runs
                    ],
                },
                indent=1,
            )
        )
    report = render(
        runs,
        sets,
        skipped,
        versions,
        command.strip(),
        args.split,
        (load_at_start, load_average()),
        threads,
        manifest.get("note", ""),
    )
    if args.section:
        if runs and not args.json:
            publish(args.results, as_section(args.section, report), dry_run=args.no_write)
        return 0
    if not args.json:
        print(report)
    if not args.no_write and runs:
        _write_atomic(args.results, report)
        print(f"wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
