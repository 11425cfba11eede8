"""How much of the KEP sets' measured error sits where KEP's Korean side is web-page debris.

KEP's Korean lines were taken from web pages, and some of the pages' furniture came with
them: links to related articles stamped with a year and month ("필리핀 정부군, 이슬람 반군과
교전 2006.09"), glossary entries ("despondent 실망한, 낙담한") and dictionary menu items
("영한사전 약어표 / 한영사전 약어표"). The corpus's line alignment pairs each with an English
sentence, sometimes its headline's translation and often an unrelated one, and every
``kep-*`` gold inherits those pairs. The test half holds most of them (six of its documents
between 031 and 038), and they account for a third to a half of the gap between KEP's dev
and test figures (RESULTS.md).

This module marks such lines by their form alone (:func:`is_debris`, rules below; nothing
is read from the gold or the engine to choose them) and scores the engine's beads, and the
peers', twice: as the targets are scored, and with every bead that touches a marked line, or
a line the gold pairs with one, left out of both the gold and the prediction. The second figure is not
a target figure; it says how far the gap to the targets lies in these stretches.

    python -m benchmarks.kep_noise              # writes ## KEP's web-page debris
    python -m benchmarks.kep_noise --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aligner.align import default_aligner
from aligner.evaluate import BeadPair, score_many
from benchmarks.host import machine
from benchmarks.peers import Peer, make_peer
from benchmarks.run import EvalSet, load_set
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent
KEP_SETS = ("kep-clean", "kep-edited", "kep-hard")

# a related-article link: a headline ending in the year and month it ran ("... 2005.10")
_DATED = re.compile(r"(?:19|20)\d\d\.\s?\d{1,2}\.?\s*$")
# a glossary entry: an English term, then its Korean gloss ("embattled 곤경에 처한, 고전중인")
_GLOSSARY = re.compile(r"^[A-Za-z][A-Za-z .'\-]*\s+[가-힣]")
# a sentence of running text ends so; the page's furniture does not
_SENTENCE_END = re.compile(r"[.?!\"”’'다요]\s*$")
_SHORT = 40  # a glossary entry or menu item is a few words, not a sentence


def is_debris(line: str) -> bool:
    """Whether a Korean line of KEP reads as page furniture rather than article text: a dated
    related-article link, or a short unpunctuated glossary entry or dictionary menu item."""
    text = line.strip()
    if _DATED.search(text):
        return True
    if len(text) > _SHORT or _SENTENCE_END.search(text):
        return False
    return bool(_GLOSSARY.match(text)) or "사전" in text


@dataclass
class Noise:
    """One set's half: its debris lines, the gold beads that pair one with English and the gold
    beads left out, and each aligner's strict F1 as scored and with the debris stretches left
    out (``scores``: name -> the two), and the engine's share of right beads at 0.9 or more
    both ways."""

    name: str
    debris: int
    paired: int
    gold_left_out: float
    scores: dict[str, tuple[float, float]]
    sure: float
    sure_left_out: float


def _left_out_lines(gold: Sequence[BeadPair], tgt: Sequence[str]) -> tuple[set[int], set[int], int]:
    """The source and target lines to leave out (debris lines, and the lines the gold pairs with
    them), and how many gold beads pair a debris line with a source line."""
    marked = {j for j, line in enumerate(tgt) if is_debris(line)}
    src_out: set[int] = set()
    paired = 0
    for s, t in gold:
        if marked & set(t) and s:
            src_out |= set(s)
            paired += 1
    tgt_out = set(marked)
    for s, t in gold:
        if src_out & set(s):
            tgt_out |= set(t)
    return src_out, tgt_out, paired


def _clear(bead: BeadPair, out: tuple[set[int], set[int], int]) -> bool:
    return not (out[0] & set(bead[0]) or out[1] & set(bead[1]))


def measure(data: EvalSet, peers: Sequence[Peer]) -> Noise:
    """Align the set with the default engine and each peer, and score them both ways."""
    engine = default_aligner("en", "ko")
    outs = [_left_out_lines(gold, tgt) for gold, tgt in zip(data.gold, data.tgt)]
    beads = [engine.align(src, tgt) for src, tgt in zip(data.src, data.tgt)]
    predictions = {"ours": [[(b.src, b.tgt) for b in doc] for doc in beads]}
    for peer in peers:
        predictions[peer.name] = peer.align_set(list(zip(data.src, data.tgt)))[0]
    scores = {}
    for name, pred in predictions.items():
        scored = score_many(zip(data.gold, pred)).strict_f1
        kept = score_many(
            ([g for g in gold if _clear(g, out)], [p for p in doc if _clear(p, out)])
            for gold, doc, out in zip(data.gold, pred, outs)
        ).strict_f1
        scores[name] = (scored, kept)
    sure: list[bool] = []
    sure_kept: list[bool] = []
    for gold, doc, out in zip(data.gold, beads, outs):
        gold_set = {(tuple(s), tuple(t)) for s, t in gold}
        for b in doc:
            if b.confidence >= 0.9:
                sure.append((b.src, b.tgt) in gold_set)
                if _clear((b.src, b.tgt), out):
                    sure_kept.append(sure[-1])
    gold_beads = sum(len(gold) for gold in data.gold)
    kept_beads = sum(_clear(g, out) for gold, out in zip(data.gold, outs) for g in gold)
    return Noise(
        data.name,
        sum(is_debris(line) for tgt in data.tgt for line in tgt),
        sum(out[2] for out in outs),
        1 - kept_beads / max(gold_beads, 1),
        scores,
        sum(sure) / max(len(sure), 1),
        sum(sure_kept) / max(len(sure_kept), 1),
    )


def report(rows: dict[str, list[Noise]], versions: dict[str, str]) -> str:
    names = list(next(iter(rows.values()))[0].scores)
    lines = [
        "## KEP's web-page debris",
        "",
        f"`python -m benchmarks.kep_noise` ({dt.date.today().isoformat()}, {machine()}): the KEP sets' "
        "Korean lines that read as web-page furniture by their form alone (`benchmarks/kep_noise.py: "
        "is_debris`: a line ending in a year.month stamp, a related-article link; or a line of at most "
        f"{_SHORT} characters without a sentence's closing mark that is an English term followed by "
        "Korean, a glossary entry, or names a dictionary (사전), a menu item), and the strict F1 of the "
        "default engine and of peers, and the share of the engine's beads at confidence 0.9 or more "
        "that are right: as scored (the figures the issue-13 targets are on) and, after the slash, with "
        "every bead that touches a marked line, or a line the gold pairs with one, left out of both "
        "the gold and the prediction. The second is not a target figure: nothing is corrected, those "
        "stretches are only not counted, for every aligner alike.",
        "",
        "| set | half | debris lines | gold beads pairing one with English | gold beads left out | "
        + " | ".join(f"{name} strict F1" for name in names)
        + " | ours right at ≥ 0.9 |",
        "|---|---|---|---|---|" + "---|" * len(names) + "---|",
    ]
    for split, noises in rows.items():
        for n in noises:
            cells = [f"{n.scores[name][0]:.3f} / {n.scores[name][1]:.3f}" for name in names]
            lines.append(
                f"| {n.name} | {split} | {n.debris} | {n.paired} | {n.gold_left_out:.1%} | "
                + " | ".join(cells)
                + f" | {n.sure:.3f} / {n.sure_left_out:.3f} |"
            )
    lines += ["", *(f"- {name}: {version}" for name, version in versions.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default="vecalign,bertalign-use", help="peers scored alike (default: %(default)s)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args(argv)
    peers = [make_peer(name) for name in args.peers.split(",") if name and name != "ours"]  # ours: always
    for peer in peers:
        if (why := peer.unavailable()) is not None:
            raise SystemExit(f"{peer.name}: {why}")
        peer.prepare()
    rows = {split: [measure(load_set(name, split), peers) for name in KEP_SETS] for split in ("dev", "test")}
    publish(args.results, report(rows, {peer.name: peer.version() for peer in peers}), dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
