"""Strict and lax precision, recall and F1 of predicted beads against gold beads.

The measure is the one of Sennrich & Volk (2010), counted the way vecalign's scorer
counts it, so that our numbers can sit next to published ones:

* Beads are compared as sets per document (a bead listed twice counts once); beads
  empty on both sides are ignored.
* Precision is over every predicted bead, 0-1 and 1-0 included. A predicted bead is a
  strict hit when the same bead is in the gold, and a lax hit when it is a strict hit or
  some gold bead shares at least one sentence with it on *both* sides (so a wrong 0-1 or
  1-0 bead can never be a lax hit).
* Recall is over the gold beads that carry a translation (both sides non-empty) only,
  matched against the predicted beads that carry one: insertions and deletions count
  toward precision only.
* Over several documents the hit and miss counts are summed first (micro-average), then
  turned into ratios; F1 is the harmonic mean of those ratios. A ratio with nothing to
  count is 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError

BeadPair = tuple[tuple[int, ...], tuple[int, ...]]

# "[0, 1]:[0]" or "[0, 1]:[0]:0.53"; each side a bracketed, comma-separated list.
_LINE = re.compile(r"^\s*(\[[^\]]*\])\s*:\s*(\[[^\]]*\])\s*(?::\s*(\S+)\s*)?$")
# One side: ASCII sentence numbers of at most 9 digits (a document of a billion sentences
# is no document), read without eval: a gold file is input like any other, and a line of
# 100,000 nested brackets or digits must be one error, not a RecursionError or MemoryError.
_SIDE = re.compile(r"\[\s*(?:[0-9]{1,9}\s*(?:,\s*[0-9]{1,9}\s*)*,?\s*)?\]", re.ASCII)
_NUMBER = re.compile(r"[0-9]+", re.ASCII)
#: How much of a bad line an error message quotes.
_QUOTED = 60


@dataclass(frozen=True)
class Counts:
    """Hit/miss counts behind the ratios, kept so documents can be summed."""

    p_strict_hit: int = 0
    p_strict_miss: int = 0
    p_lax_hit: int = 0
    p_lax_miss: int = 0
    r_strict_hit: int = 0
    r_strict_miss: int = 0
    r_lax_hit: int = 0
    r_lax_miss: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple())))

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.p_strict_hit,
            self.p_strict_miss,
            self.p_lax_hit,
            self.p_lax_miss,
            self.r_strict_hit,
            self.r_strict_miss,
            self.r_lax_hit,
            self.r_lax_miss,
        )

    @property
    def predicted(self) -> int:
        """Predicted beads scored for precision (after dropping duplicates)."""
        return self.p_strict_hit + self.p_strict_miss

    @property
    def gold(self) -> int:
        """Gold beads scored for recall (1-0 and 0-1 left out)."""
        return self.r_strict_hit + self.r_strict_miss


@dataclass(frozen=True)
class Scores:
    """Strict and lax precision, recall and F1, with the counts they come from."""

    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float
    counts: Counts
    documents: int = 1

    @classmethod
    def from_counts(cls, counts: Counts, documents: int = 1) -> Scores:
        c = counts
        sp = _ratio(c.p_strict_hit, c.p_strict_hit + c.p_strict_miss)
        lp = _ratio(c.p_lax_hit, c.p_lax_hit + c.p_lax_miss)
        sr = _ratio(c.r_strict_hit, c.r_strict_hit + c.r_strict_miss)
        lr = _ratio(c.r_lax_hit, c.r_lax_hit + c.r_lax_miss)
        return cls(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr), counts, documents)

    def as_dict(self) -> dict[str, float | int]:
        """Flat form for JSON output and tables."""
        out: dict[str, float | int] = {
            "strict_precision": self.strict_precision,
            "strict_recall": self.strict_recall,
            "strict_f1": self.strict_f1,
            "lax_precision": self.lax_precision,
            "lax_recall": self.lax_recall,
            "lax_f1": self.lax_f1,
            "documents": self.documents,
            "predicted": self.counts.predicted,
            "gold": self.counts.gold,
        }
        return out


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _as_set(beads: Iterable[Sequence[Sequence[int]]]) -> set[BeadPair]:
    return {(tuple(s), tuple(t)) for s, t in beads if len(s) or len(t)}


def _hits(reference: set[BeadPair], scored: set[BeadPair]) -> tuple[int, int, int, int]:
    """(strict hit, strict miss, lax hit, lax miss) of each ``scored`` bead against ``reference``.

    Lax: some reference bead shares a sentence with the scored bead on each side. A map
    from every source sentence to the target sentences it is linked with in the
    reference makes that a lookup instead of a scan over all reference beads.
    """
    linked: dict[int, set[int]] = {}
    for src, tgt in reference:
        for i in src:
            linked.setdefault(i, set()).update(tgt)
    strict_hit = lax_hit = 0
    for bead in scored:
        if bead in reference:
            strict_hit += 1
            lax_hit += 1
            continue
        src, tgt = bead
        reachable: set[int] = set()
        for i in src:
            reachable |= linked.get(i, set())
        if reachable.intersection(tgt):
            lax_hit += 1
    n = len(scored)
    return strict_hit, n - strict_hit, lax_hit, n - lax_hit


def count_beads(gold: Iterable[Sequence[Sequence[int]]], pred: Iterable[Sequence[Sequence[int]]]) -> Counts:
    """Counts of one document: precision over all predicted beads, recall over 1+-1+ gold beads."""
    gold_set, pred_set = _as_set(gold), _as_set(pred)
    p = _hits(gold_set, pred_set)
    linked_gold = {b for b in gold_set if b[0] and b[1]}
    linked_pred = {b for b in pred_set if b[0] and b[1]}
    r = _hits(linked_pred, linked_gold)
    return Counts(*p, *r)


def score_beads(gold: Iterable[Sequence[Sequence[int]]], pred: Iterable[Sequence[Sequence[int]]]) -> Scores:
    """Scores of one document's predicted beads against its gold beads.

    Beads are ``(src_ids, tgt_ids)`` pairs; ``aligner.model.Bead`` objects are accepted too.
    """
    return Scores.from_counts(count_beads(_pairs(gold), _pairs(pred)))


def score_many(pairs: Iterable[tuple[Iterable, Iterable]]) -> Scores:
    """Micro-averaged scores over documents: ``pairs`` yields ``(gold, pred)`` per document."""
    total = Counts()
    n = 0
    for gold, pred in pairs:
        total = total + count_beads(_pairs(gold), _pairs(pred))
        n += 1
    return Scores.from_counts(total, n)


def _pairs(beads: Iterable) -> list[BeadPair]:
    """Accept ``(src, tgt)`` pairs or objects with ``.src``/``.tgt`` (``model.Bead``)."""
    out: list[BeadPair] = []
    for b in beads:
        if hasattr(b, "src") and hasattr(b, "tgt"):
            out.append((tuple(b.src), tuple(b.tgt)))
        else:
            s, t = b
            out.append((tuple(s), tuple(t)))
    return out


def _quote(text: str) -> str:
    """A bad piece of input, cut short for a one-line message."""
    text = text.strip()
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED] + "…")


def _parse_side(text: str, path: Path, lineno: int) -> tuple[int, ...]:
    if not _SIDE.fullmatch(text):
        if re.search(r"-\s*[0-9]", text):
            raise InputError(str(path), f"line {lineno}: negative sentence number in {_quote(text)}")
        raise InputError(str(path), f"line {lineno}: {_quote(text)} is not a list of sentence numbers")
    return tuple(int(n) for n in _NUMBER.findall(text))


def parse_bead_line(line: str, path: str | Path = "<text>", lineno: int = 1) -> BeadPair:
    """One ``[0, 1]:[0]`` or ``[0, 1]:[0]:0.53`` line as ``((0, 1), (0,))``."""
    m = _LINE.match(line)
    if not m:
        raise InputError(
            str(path), f"line {lineno}: expected '[src ids]:[tgt ids]' with an optional ':score', got {_quote(line)}"
        )
    src = _parse_side(m.group(1), Path(path), lineno)
    tgt = _parse_side(m.group(2), Path(path), lineno)
    if m.group(3) is not None:
        try:
            float(m.group(3))
        except ValueError:
            raise InputError(str(path), f"line {lineno}: score {_quote(m.group(3))} is not a number") from None
    return src, tgt


def read_beads(path: str | Path) -> list[BeadPair]:
    """Beads of one alignment file, one bead a line; blank lines are skipped."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except UnicodeDecodeError:
        raise InputError(str(p), "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot read ({exc.strerror or exc})") from None
    beads: list[BeadPair] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            beads.append(parse_bead_line(line, p, lineno))
    return beads


def format_bead(src: Sequence[int], tgt: Sequence[int], score: float | None = None) -> str:
    """The line form ``read_beads`` reads (vecalign's), e.g. ``[0, 1]:[0]:0.530``."""
    line = f"{list(src)}:{list(tgt)}"
    return line if score is None else f"{line}:{score:.3f}"


def evaluate_paths(gold: str | Path, pred: str | Path) -> Scores:
    """Score two bead files, or two folders of same-named bead files (micro-averaged).

    With folders, every gold file must have a predicted file of the same name; extra
    predicted files are ignored, so one prediction folder can serve a subset of gold.
    """
    g, p = Path(gold), Path(pred)
    if g.is_dir() != p.is_dir() or not g.exists() or not p.exists():
        for item in (g, p):
            if not item.exists():
                raise InputError(str(item), "no such file or folder")
        raise InputError(str(p), f"gold {g} and predictions must both be files or both be folders")
    if not g.is_dir():
        return Scores.from_counts(count_beads(read_beads(g), read_beads(p)))
    names = sorted(f.name for f in g.iterdir() if f.is_file() and not f.name.startswith("."))
    if not names:
        raise InputError(str(g), "no gold files in folder")
    missing = [n for n in names if not (p / n).is_file()]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise InputError(str(p / missing[0]), f"predicted file missing for gold {g / missing[0]}{more}")
    return score_many((read_beads(g / n), read_beads(p / n)) for n in names)
