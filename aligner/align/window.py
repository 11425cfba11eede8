"""Anchor-and-window search (Bertalign's two steps, Liu & Zhu 2022, written here from its
paper and checked against the behaviour of its reference implementation).

The engine's own search prices beads by sums of sentence vectors with priors tuned on
edited news; on a faithful translation full of 1-3, 2-2 and 1-4 beads it splits them.
Bertalign's design encodes every run of consecutive sentences and searches many-to-many
beads only near confident 1-1 anchors: worse on edited news, far better on faithful
text. The engine asks it for a second opinion on a document its own faithfulness
estimate (:mod:`aligner.align.adapt`) reads as faithful, and keeps its beads where they
match better (:mod:`aligner.align.regions`); ``benchmarks/peers.py`` runs it alone as a
peer (``bertalign-use``). The steps:

1. **Anchors.** Each source sentence's ``top_k`` nearest target sentences by cosine; a
   search over 1-1, 1-0 and 0-1 steps, where a 1-1 step may only land on one of those
   neighbours and scores its cosine and a skip scores nothing, keeps the chain whose
   anchors add up to the most.
2. **Window.** The second search looks only at target columns within ``window``
   sentences of that chain in each source row.
3. **Many-to-many.** Every run of up to ``max_align - 1`` consecutive sentences of each
   side is encoded as one text (the "overlaps"); inside the window, beads of any shape
   with at most ``max_align`` sentences in all score the cosine of their two encoded
   texts, minus (the margin) the mean of two neighbour similarities: one side's text
   against the single sentences just before and after the other side's span, averaged
   for each side; times a length penalty ``log2(1 + r)``, ``r`` the ratio of the shorter
   to the longer side in UTF-8 bytes of the joined text, after scaling by the document's
   own ratio; empty beads score ``skip``. The best-scoring path is the alignment.

Every run of sentences is encoded, which read whole costs about four times the encoder work
of the engine's first search; with the engine's encoder a run is made from its sentences'
kept parts and costs only its seams (:mod:`aligner.align.usepass`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.align.embed import JoinedEncode, joined_vectors
from aligner.align.search import Band, posteriors, viterbi

Encode = Callable[[Sequence[str]], np.ndarray]
Span = tuple[int, int, int, int]
INF = np.inf


@dataclass
class AnchorWindow:
    """Settings of the two-step search (Bertalign's defaults: 5 in all, top 3, window 5, skip -0.1)."""

    encode: Encode
    max_align: int = 5
    top_k: int = 3
    window: int = 5
    skip: float = -0.1
    margin: bool = True
    length_penalty: bool = True
    encode_joined: JoinedEncode | None = None  # the runs' vectors at less work (CachedEncoder.encode_joined)

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """0-1, 1-0 and every shape with sentences on both sides and at most ``max_align`` in all."""
        return [(0, 1), (1, 0)] + [
            (a, b) for a in range(1, self.max_align) for b in range(1, self.max_align) if a + b <= self.max_align
        ]

    def align(self, src: Sequence[str], tgt: Sequence[str]) -> list[Span]:
        """Beads as half-open spans covering both sides once, in order."""
        return self.search(src, tgt)[0]

    def search(
        self, src: Sequence[str], tgt: Sequence[str], temperature: float | None = None
    ) -> tuple[list[Span], list[float]]:
        """The beads and, with a ``temperature``, each one's posterior when every path through the
        window is weighted by exp(score / temperature) (else no posteriors: an empty list)."""
        n, m = len(src), len(tgt)
        if n == 0 or m == 0:
            spans = [(i, i + 1, 0, 0) for i in range(n)] + [(0, 0, j, j + 1) for j in range(m)]
            return spans, [1.0] * len(spans) if temperature else []
        costs = WindowCosts.of(src, tgt, self)
        anchors = self._anchor_path(costs.src[1][1:], costs.tgt[1][1:])
        band = Band(*window_bounds(anchors, n, m, self.window))
        spans = viterbi(n, m, self.shapes, costs, band)
        probs = posteriors(n, m, self.shapes, costs, band, spans, temperature) if temperature else []
        return spans, probs

    def _anchor_path(self, s: np.ndarray, t: np.ndarray) -> list[tuple[int, int]]:
        """The first search's 1-1 beads as (source, target) sentence pairs: a 1-1 step only onto
        one of the source sentence's ``top_k`` nearest targets, scoring its cosine; skips are free, as
        in Bertalign's first pass, so the chain is the one whose anchors add up to the most."""
        n, m = len(s), len(t)
        sims = s @ t.T
        k = min(self.top_k, m)
        allowed = np.full((n + 1, m + 1), INF)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        rows = np.arange(n)[:, None]
        allowed[rows + 1, top + 1] = -sims[rows, top]

        def cost(i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
            if a == 1 and b == 1:
                return allowed[i, lo:hi]
            return np.zeros(hi - lo)

        spans = viterbi(n, m, [(0, 1), (1, 0), (1, 1)], cost, Band.full(n, m))
        return [(i0, j0) for i0, i1, j0, j1 in spans if i1 - i0 == 1 and j1 - j0 == 1]


@dataclass
class WindowCosts:
    """Minus the score of each bead (a cost for :mod:`aligner.align.search`), row by row.

    A bead with sentences on both sides scores the cosine of its two encoded texts, minus
    (``margin``) the mean of two neighbour similarities (the source text against the single
    target sentences just before and after the target span, averaged, and the other way
    round; a missing neighbour is left out, a side without either counts 0), times
    (``length_penalty``) ``log2(1 + r)``, ``r`` the ratio of its shorter side to its longer
    in UTF-8 bytes of the joined text, the source scaled by the document's own ratio; an
    empty bead scores ``skip``. These are Bertalign's definitions: its reference
    implementation compares with single sentences, not spans, and counts bytes.
    """

    src: dict[int, np.ndarray]  # size -> row e: vector of the ``size`` sentences ending at e
    tgt: dict[int, np.ndarray]
    src_bytes: np.ndarray  # prefix sums of sentence lengths in UTF-8 bytes
    tgt_bytes: np.ndarray
    settings: AnchorWindow
    _rows: dict[tuple[int, int, int, int, int], np.ndarray] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def of(cls, src: Sequence[str], tgt: Sequence[str], settings: AnchorWindow) -> WindowCosts:
        width = settings.max_align - 1
        ls = np.array([len(x.encode("utf-8")) for x in src], dtype=float)
        lt = np.array([len(x.encode("utf-8")) for x in tgt], dtype=float)
        return cls(
            overlap_vectors(src, width, settings.encode, settings.encode_joined),
            overlap_vectors(tgt, width, settings.encode, settings.encode_joined),
            np.concatenate([[0.0], np.cumsum(ls)]),
            np.concatenate([[0.0], np.cumsum(lt)]),
            settings,
        )

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        key = (i, a, b, lo, hi)
        if key not in self._rows:  # Viterbi, forward and backward ask for the same rows
            self._rows[key] = self._row(i, a, b, lo, hi)
        return self._rows[key]

    def _row(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        n, m = len(self.src_bytes) - 1, len(self.tgt_bytes) - 1
        out = np.full(hi - lo, INF)
        cols = np.arange(lo, hi)
        ok = (cols >= b) & (cols <= m)
        if i - a < 0 or i > n or not ok.any():
            return out
        if a == 0 or b == 0:
            out[ok] = -self.settings.skip
            return out
        j = cols[ok]
        s = self.src[a][i]
        t = self.tgt[b][j]
        sim = t @ s
        if self.settings.margin:
            # the single sentences just before and after each span (row e of size 1: sentence e-1)
            near_t = _mean_present([(self.tgt[1][np.clip(k, 0, m)] @ s, (k >= 1) & (k <= m)) for k in (j - b, j + 1)])
            near_s = _mean_present(
                [(t @ self.src[1][min(max(k, 0), n)], np.full(len(j), 1 <= k <= n)) for k in (i - a, i + 1)]
            )
            sim = sim - (near_t + near_s) / 2
        if self.settings.length_penalty:
            ratio = self.tgt_bytes[-1] / max(self.src_bytes[-1], 1.0)
            l1 = (self.src_bytes[i] - self.src_bytes[i - a] + a - 1) * ratio  # joined by spaces
            l2 = self.tgt_bytes[j] - self.tgt_bytes[j - b] + b - 1
            r = np.minimum(l1, l2) / np.maximum(np.maximum(l1, l2), 1.0)
            sim = sim * np.log2(1.0 + r)
        out[ok] = -sim
        return out


def _mean_present(sims: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Column by column, the mean of the similarities whose neighbour exists (0 where none does)."""
    total = sum(np.where(here, sim, 0.0) for sim, here in sims)
    count = sum(here.astype(float) for _, here in sims)
    return np.asarray(total / np.maximum(count, 1.0), dtype=float)


def overlap_vectors(
    sentences: Sequence[str], width: int, encode: Encode, encode_joined: JoinedEncode | None = None
) -> dict[int, np.ndarray]:
    """For each size 1..width, the vector of the encoded text of the ``size`` sentences ending at
    each position (row e: sentences e-size..e-1; rows before ``size`` are zero)."""
    n = len(sentences)
    runs: list[Sequence[str]] = []
    where: list[tuple[int, int]] = []
    for size in range(1, width + 1):
        for end in range(size, n + 1):
            runs.append(sentences[end - size : end])
            where.append((size, end))
    vecs = joined_vectors(runs, encode, encode_joined)
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    out = {size: np.zeros((n + 1, vecs.shape[1]), dtype=np.float32) for size in range(1, width + 1)}
    for (size, end), v in zip(where, vecs):
        out[size][end] = v
    return out


def window_bounds(anchors: Sequence[tuple[int, int]], n: int, m: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Per source row (cell corners 0..n), the target columns [lo, hi) within ``window`` of the anchor chain.

    Between two anchors the chain is interpolated; the bounds are widened so that every
    row overlaps the next (a path can always move on) and the corners (0, 0) and (n, m)
    are inside.
    """
    points = [(0, 0)] + [(i + 1, j + 1) for i, j in anchors] + [(n, m)]
    centre = np.zeros(n + 1)
    for (i0, j0), (i1, j1) in zip(points, points[1:]):
        if i1 == i0:
            continue
        rows = np.arange(i0, i1 + 1)
        centre[rows] = j0 + (rows - i0) * (j1 - j0) / (i1 - i0)
    lo = np.clip(np.floor(centre).astype(int) - window, 0, m)
    hi = np.clip(np.ceil(centre).astype(int) + window + 1, 1, m + 1)
    for (i0, j0), (i1, j1) in zip(points, points[1:]):  # a run of skips between anchors stays reachable
        if i1 == i0:
            continue
        lo[i0 : i1 + 1] = np.minimum(lo[i0 : i1 + 1], max(0, j0 - window))
        hi[i0 : i1 + 1] = np.maximum(hi[i0 : i1 + 1], min(m + 1, j1 + window + 1))
    for i in range(1, n + 1):
        lo[i] = min(lo[i], hi[i - 1] - 1)
    for i in range(n - 1, -1, -1):
        hi[i] = max(hi[i], lo[i + 1] + 1)
    lo[0], hi[n] = 0, m + 1
    return lo, hi
