"""Anchor-and-window search (Bertalign's two steps, Liu & Zhu 2022, written here from its paper).

The engine's own search prices beads by sums of sentence vectors with priors tuned on
edited news; on a faithful translation full of 1-3, 2-2 and 1-4 beads it splits them.
Bertalign's design encodes every run of consecutive sentences and searches many-to-many
beads only near confident 1-1 anchors: worse on edited news, far better on faithful
text. The engine uses it as its second search for a document its own faithfulness
estimate (:mod:`aligner.align.adapt`) reads as faithful; ``benchmarks/peers.py`` runs it
alone as a peer (``bertalign-use``). The steps:

1. **Anchors.** Each source sentence's ``top_k`` nearest target sentences by cosine; a
   search over 1-1, 1-0 and 0-1 steps, where a 1-1 step may only land on one of those
   neighbours and scores its cosine and a skip scores ``skip``, keeps the best chain.
2. **Window.** The second search looks only at target columns within ``window``
   sentences of that chain in each source row.
3. **Many-to-many.** Every run of up to ``max_align - 1`` consecutive sentences of each
   side is encoded as one text (the "overlaps"); inside the window, beads of any shape
   with at most ``max_align`` sentences in all score the cosine of their two encoded
   texts, minus the mean cosine of each side with the spans of the other side just
   before and after it (the margin), times a length penalty ``log2(1 + r)``, ``r`` the
   ratio of the shorter to the longer side after scaling by the document's own ratio;
   empty beads score ``skip``. The best-scoring path is the alignment.

Every run of sentences is encoded, so it costs about four times the encoder work of
the engine's first search: the engine pays it only for documents it reads as faithful.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Encode = Callable[[Sequence[str]], np.ndarray]
Span = tuple[int, int, int, int]


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

    def align(self, src: Sequence[str], tgt: Sequence[str]) -> list[Span]:
        """Beads as half-open spans covering both sides once, in order."""
        n, m = len(src), len(tgt)
        if n == 0 or m == 0:
            return [(i, i + 1, 0, 0) for i in range(n)] + [(0, 0, j, j + 1) for j in range(m)]
        width = self.max_align - 1
        src_vecs = overlap_vectors(src, width, self.encode)
        tgt_vecs = overlap_vectors(tgt, width, self.encode)
        anchors = self._anchor_path(src_vecs[1][1:], tgt_vecs[1][1:])
        lo, hi = window_bounds(anchors, n, m, self.window)
        return self._second_search(src, tgt, src_vecs, tgt_vecs, lo, hi)

    def _anchor_path(self, s: np.ndarray, t: np.ndarray) -> list[tuple[int, int]]:
        """The first search's 1-1 beads as (source, target) sentence pairs."""
        n, m = len(s), len(t)
        sims = s @ t.T
        k = min(self.top_k, m)
        allowed = np.full((n, m), -np.inf)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        rows = np.arange(n)[:, None]
        allowed[rows, top] = sims[rows, top]
        score = np.full((n + 1, m + 1), -np.inf)
        back = np.zeros((n + 1, m + 1), dtype=np.int8)  # 1: 1-1, 2: 1-0, 3: 0-1
        score[0, :] = self.skip * np.arange(m + 1)
        back[0, 1:] = 3
        for i in range(1, n + 1):
            diag = score[i - 1, :-1] + allowed[i - 1]
            up = score[i - 1] + self.skip
            row = np.full(m + 1, -np.inf)
            arg = np.zeros(m + 1, dtype=np.int8)
            row[0], arg[0] = up[0], 2
            better = diag > up[1:]
            row[1:] = np.where(better, diag, up[1:])
            arg[1:] = np.where(better, 1, 2)
            for j in range(1, m + 1):  # a 0-1 step depends on the cell to its left
                left = row[j - 1] + self.skip
                if left > row[j]:
                    row[j], arg[j] = left, 3
            score[i], back[i] = row, arg
        out = []
        i, j = n, m
        while i > 0 or j > 0:
            step = back[i, j]
            if step == 1:
                out.append((i - 1, j - 1))
                i, j = i - 1, j - 1
            elif step == 2:
                i -= 1
            else:
                j -= 1
        return out[::-1]

    def _second_search(self, src: Sequence[str], tgt: Sequence[str], sv: dict[int, np.ndarray],
                       tv: dict[int, np.ndarray], lo: np.ndarray, hi: np.ndarray) -> list[Span]:
        n, m = len(src), len(tgt)
        shapes = [(a, b) for a in range(0, self.max_align) for b in range(0, self.max_align)
                  if 0 < a + b <= self.max_align and (a + b == 1 or (a and b))]
        ls = np.array([len(x) for x in src], dtype=float)
        lt = np.array([len(x) for x in tgt], dtype=float)
        ratio = lt.sum() / max(ls.sum(), 1.0)
        ps, pt = np.concatenate([[0.0], np.cumsum(ls)]), np.concatenate([[0.0], np.cumsum(lt)])
        score: list[np.ndarray] = []
        back: list[np.ndarray] = []
        for i in range(n + 1):
            cols = np.arange(lo[i], hi[i])
            best = np.full(len(cols), -np.inf)
            arg = np.full(len(cols), -1)
            if i == 0 and lo[0] == 0:
                best[0] = 0.0
            for k, (a, b) in enumerate(shapes):
                if a > i or (a, b) == (0, 1):
                    continue
                prev = score[i - a]
                pcols = cols - b
                ok = (pcols >= lo[i - a]) & (pcols < hi[i - a])
                cand = np.full(len(cols), -np.inf)
                cand[ok] = prev[pcols[ok] - lo[i - a]]
                if b == 0:
                    cand += self.skip
                else:
                    cand += self._bead_scores(sv, tv, i, a, b, cols, n, m, ps, pt, ratio)
                better = cand > best
                best[better], arg[better] = cand[better], k
            k01 = shapes.index((0, 1))
            for c in range(1, len(cols)):
                left = best[c - 1] + self.skip
                if left > best[c]:
                    best[c], arg[c] = left, k01
            score.append(best)
            back.append(arg)
        spans: list[Span] = []
        i, j = n, m
        while i > 0 or j > 0:
            k = back[i][j - lo[i]]
            if k < 0:
                raise ValueError("no path through the window")
            a, b = shapes[k]
            spans.append((i - a, i, j - b, j))
            i, j = i - a, j - b
        spans.reverse()
        out: list[Span] = []
        for i0, i1, j0, j1 in spans:  # a k-0 or 0-k bead is k empty beads, as gold counts them
            if i1 > i0 and j1 > j0:
                out.append((i0, i1, j0, j1))
            else:
                out += [(x, x + 1, j0, j0) for x in range(i0, i1)] + [(i0, i0, y, y + 1) for y in range(j0, j1)]
        return out

    def _bead_scores(self, sv: dict[int, np.ndarray], tv: dict[int, np.ndarray], i: int, a: int, b: int,
                     cols: np.ndarray, n: int, m: int, ps: np.ndarray, pt: np.ndarray, ratio: float) -> np.ndarray:
        """Scores of the beads of shape (a, b) ending at row i and each column of ``cols``."""
        out = np.full(len(cols), -np.inf)
        ok = cols >= b
        j = cols[ok]
        s = sv[a][i]
        t = tv[b][j]
        sim = t @ s
        if self.margin:
            nb = []
            for jj in (j - b, j + b):  # the target spans of the same size just before and after
                inside = (jj >= b) & (jj <= m)
                nb.append(np.where(inside, tv[b][np.clip(jj, 0, m)] @ s, np.nan))
            for ii in (i - a, i + a):  # the source spans just before and after
                if a <= ii <= n:
                    nb.append(t @ sv[a][ii])
            stacked = np.vstack(nb)
            seen = np.isfinite(stacked)
            neighbours = np.where(seen, stacked, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
            sim = sim - neighbours
        if self.length_penalty:
            l1 = (ps[i] - ps[i - a]) * ratio
            l2 = pt[j] - pt[j - b]
            r = np.minimum(l1, l2) / np.maximum(np.maximum(l1, l2), 1.0)
            sim = sim * np.log2(1.0 + r)
        out[ok] = sim
        return out


def overlap_vectors(sentences: Sequence[str], width: int, encode: Encode) -> dict[int, np.ndarray]:
    """For each size 1..width, the vector of the encoded text of the ``size`` sentences ending at
    each position (row e: sentences e-size..e-1; rows before ``size`` are zero)."""
    n = len(sentences)
    texts: list[str] = []
    where: list[tuple[int, int]] = []
    for size in range(1, width + 1):
        for end in range(size, n + 1):
            texts.append(" ".join(sentences[end - size:end]))
            where.append((size, end))
    vecs = encode(texts)
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
        lo[i0:i1 + 1] = np.minimum(lo[i0:i1 + 1], max(0, j0 - window))
        hi[i0:i1 + 1] = np.maximum(hi[i0:i1 + 1], min(m + 1, j1 + window + 1))
    for i in range(1, n + 1):
        lo[i] = min(lo[i], hi[i - 1] - 1)
    for i in range(n - 1, -1, -1):
        hi[i] = max(hi[i], lo[i + 1] + 1)
    lo[0], hi[n] = 0, m + 1
    return lo, hi
