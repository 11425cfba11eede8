"""Two alignments of one pair, compared region by region, the better kept in each.

On a faithful translation the engine's search and the anchor-and-window search
(:mod:`aligner.align.window`) each get about as many beads right, but not the same ones:
on the Text+Berg dev document, keeping whichever is right in each stretch where they
disagree would score 0.908 against 0.866 and 0.861. Neither can be the judge of the
other, since each search finds the best path by its own scores. The judge here is a
third, plainer measure that both searches only approximate: how well each bead's two
sides match when each side's sentences are encoded as one text, averaged over the
region's sentences (a sentence left in an empty bead matches nothing). A region is a
stretch between two points where both alignments put a bead boundary, so both cover the
same sentences of both sides there, and the measure compares like with like.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Span = tuple[int, int, int, int]  # half-open (src_start, src_end, tgt_start, tgt_end)

#: each bead's match by its text (0 for an empty bead), one value per span given
BeadMatch = Callable[[Sequence[Span]], Sequence[float]]


def shared_cuts(first: Sequence[Span], second: Sequence[Span]) -> set[tuple[int, int]]:
    """The points (source, target) where both alignments end a bead."""
    return {(i1, j1) for _, i1, _, j1 in first} & {(i1, j1) for _, i1, _, j1 in second}


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


def choose(first: Sequence[Span], second: Sequence[Span], bead_match: BeadMatch) -> list[tuple[int, int]]:
    """Where the two alignments disagree, the one whose beads match better by ``bead_match``
    (:func:`coverage_match`; a tie keeps ``first``), and where they agree, ``first``'s beads.

    Returned as (which, index) pairs in order: ``which`` 0 for a bead of ``first``, 1 for
    one of ``second``, so the caller keeps what each search knows of its own beads. One call
    of ``bead_match`` scores every bead of every region where they disagree.
    """
    cuts = shared_cuts(first, second)
    pairs = list(zip(regions(first, cuts), regions(second, cuts)))
    differ = [p for p, (a, b) in enumerate(pairs) if [first[k] for k in a] != [second[k] for k in b]]
    mine = [[first[k] for k in pairs[p][0]] for p in differ]
    theirs = [[second[k] for k in pairs[p][1]] for p in differ]
    beads = [span for region in mine + theirs for span in region]
    match = list(bead_match(beads)) if beads else []
    scores, at = [], 0
    for region in mine + theirs:
        scores.append(coverage_match(region, match[at : at + len(region)]))
        at += len(region)
    take_second = {p for n, p in enumerate(differ) if scores[len(differ) + n] > scores[n]}
    out: list[tuple[int, int]] = []
    for p, (a, b) in enumerate(pairs):
        out += [(1, k) for k in b] if p in take_second else [(0, k) for k in a]
    return out
