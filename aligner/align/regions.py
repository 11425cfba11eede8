"""Alignments of one pair, compared region by region, the best kept in each.

On a faithful translation the engine's search and the anchor-and-window search
(:mod:`aligner.align.window`) each get about as many beads right, but not the same ones:
on the Text+Berg dev document, keeping whichever is right in each stretch where they
disagree would score 0.908 against 0.866 and 0.861. Neither can be the judge of the
other, since each search finds the best path by its own scores. The judge here is a
plainer measure the searches only approximate: how well each bead's two sides match
when each side's sentences are encoded as one text, averaged over the region's
sentences (a sentence left in an empty bead matches nothing). A region is a stretch
between two points where every alignment puts a bead boundary, so all cover the same
sentences of both sides there, and the measure compares like with like. The engine
offers it three alignments: its own, and the window search's with Bertalign's margin
and without it. A document too long for the window search in one piece is cut into
pieces at the engine's sure 1-1 beads (:func:`pieces`), and the window search aligns
each piece.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Span = tuple[int, int, int, int]  # half-open (src_start, src_end, tgt_start, tgt_end)

#: each bead's match by its text (0 for an empty bead), one value per span given
BeadMatch = Callable[[Sequence[Span]], Sequence[float]]


def shared_cuts(*alignments: Sequence[Span]) -> set[tuple[int, int]]:
    """The points (source, target) where every alignment ends a bead."""
    return set.intersection(*({(i1, j1) for _, i1, _, j1 in spans} for spans in alignments))


def regions(spans: Sequence[Span], cuts: set[tuple[int, int]]) -> list[list[int]]:
    """The indices of ``spans`` grouped into runs that end at one of ``cuts`` (the last run ends
    at the last bead, which every alignment of the pair ends at)."""
    out: list[list[int]] = [[]]
    for k, (_, i1, _, j1) in enumerate(spans):
        out[-1].append(k)
        if (i1, j1) in cuts and k + 1 < len(spans):
            out.append([])
    return out


def coverage_match(spans: Sequence[Span], match: Sequence[float]) -> float:
    """The mean over the sentences of both sides of the match of the bead each is in."""
    sizes = np.array([i1 - i0 + j1 - j0 for i0, i1, j0, j1 in spans], dtype=float)
    return float(sizes @ np.asarray(match, dtype=float) / max(sizes.sum(), 1.0))


def choose(alignments: Sequence[Sequence[Span]], bead_match: BeadMatch) -> list[tuple[int, int]]:
    """Region by region, the beads of the alignment that match best by ``bead_match``
    (:func:`coverage_match`; a tie keeps the earlier alignment), and where all agree, the
    first's.

    Returned as (which, index) pairs in order: bead ``index`` of alignment ``which``, so the
    caller keeps what each search knows of its own beads. One call of ``bead_match`` scores
    every bead of every region where they disagree, each distinct bead once.
    """
    cuts = shared_cuts(*alignments)
    grouped = list(zip(*(regions(spans, cuts) for spans in alignments)))
    beads = {
        alignments[which][k]
        for group in grouped
        if len({tuple(alignments[w][k] for k in region) for w, region in enumerate(group)}) > 1
        for which, region in enumerate(group)
        for k in region
    }
    ordered = sorted(beads)
    match = dict(zip(ordered, bead_match(ordered))) if ordered else {}
    out: list[tuple[int, int]] = []
    for group in grouped:
        spans = [[alignments[w][k] for k in region] for w, region in enumerate(group)]
        best = 0
        if len({tuple(region) for region in spans}) > 1:
            scores = [coverage_match(region, [match[span] for span in region]) for region in spans]
            best = max(range(len(scores)), key=lambda w: (scores[w], -w))
        out += [(best, k) for k in group[best]]
    return out


def pieces(spans: Sequence[Span], posteriors: Sequence[float], cells: int, sure: float = 0.9) -> list[Span]:
    """The stretch ``spans`` cover, cut at bead ends into pieces of at most ``cells`` (source x
    target sentences) where it has more: the window search's anchor step compares every
    sentence of a piece with every other, so its cost grows with the piece's area.

    A piece ends after a 1-1 bead with a posterior of ``sure`` or more once it holds a quarter
    of ``cells`` (about half the side of the largest piece), where an error of the cut would
    cost least; failing one before the piece would outgrow ``cells``, it ends at the last bead
    that keeps it within (a single bead larger than ``cells`` is a piece of its own).
    """
    if not spans:
        return []
    out: list[Span] = []
    i, j = spans[0][0], spans[0][2]
    last_fit: tuple[int, int] | None = None  # the end of the last bead that kept the piece within
    for (i0, i1, j0, j1), q in zip(spans, posteriors):
        if (i1 - i) * (j1 - j) > cells and last_fit is not None:
            out.append((i, last_fit[0], j, last_fit[1]))
            i, j = last_fit
        last_fit = (i1, j1)
        if i1 - i0 == 1 and j1 - j0 == 1 and q >= sure and 4 * (i1 - i) * (j1 - j) >= cells:
            out.append((i, i1, j, j1))
            i, j, last_fit = i1, j1, None
    end = (spans[-1][1], spans[-1][3])
    if (i, j) != end:
        out.append((i, end[0], j, end[1]))
    return out
