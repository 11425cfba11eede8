"""The search: best path of beads through two sentence lists, and each bead's posterior.

A bead that ends at (i, j) and covers ``a`` source and ``b`` target sentences has a cost
(lower is better) given by a scorer. The best alignment is the minimum-cost path from
(0, 0) to (n, m) (Viterbi); a bead's confidence is its posterior probability when every
path is weighted by exp(-cost / temperature) (forward-backward). Both are computed row
by row with numpy over the columns of a band, so the work is linear in the band's area
and memory is one band.

The 0-1 bead (a target sentence with no source) depends on the cell to its left in
the same row; within a row that is a prefix scan, done with ``minimum.accumulate`` for
Viterbi and ``logaddexp.accumulate`` for the forward sums.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# cost(i, a, b, lo, hi) -> costs of the beads ending at row i and columns lo..hi-1
CostFn = Callable[[int, int, int, int, int], np.ndarray]

INF = np.inf


@dataclass(frozen=True)
class Band:
    """Column range [lo[i], hi[i]) searched in row i (both arrays of length n+1)."""

    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def full(cls, n: int, m: int) -> Band:
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m + 1, dtype=np.int64))

    @classmethod
    def around(cls, path: Sequence[tuple[int, int]], n: int, m: int, width: int) -> Band:
        """A band of ``width`` columns either side of a coarse path of (i, j) points."""
        lo = np.full(n + 1, m + 1, dtype=np.int64)
        hi = np.zeros(n + 1, dtype=np.int64)
        pts = sorted(set(path) | {(0, 0), (n, m)})
        for (i0, j0), (i1, j1) in zip(pts, pts[1:]):
            rows = np.arange(i0, i1 + 1)
            if i1 == i0:
                cols_lo = np.array([min(j0, j1)])
                cols_hi = np.array([max(j0, j1)])
            else:
                t = (rows - i0) / (i1 - i0)
                centre = j0 + t * (j1 - j0)
                cols_lo = np.floor(centre).astype(np.int64)
                cols_hi = np.ceil(centre).astype(np.int64)
            lo[rows] = np.minimum(lo[rows], cols_lo - width)
            hi[rows] = np.maximum(hi[rows], cols_hi + width + 1)
        lo = np.clip(lo, 0, m)
        hi = np.clip(hi, 1, m + 1)
        # a path must be able to move from row to row: make consecutive bands overlap
        for i in range(1, n + 1):
            lo[i] = min(lo[i], hi[i - 1] - 1)
        for i in range(n - 1, -1, -1):
            hi[i] = max(hi[i], lo[i + 1] + 1)
        lo[0], hi[n] = 0, m + 1
        return cls(lo, hi)

    @property
    def area(self) -> int:
        return int(np.sum(self.hi - self.lo))


def _shifted(prev: np.ndarray, prev_lo: int, prev_hi: int, b: int, lo: int, hi: int) -> np.ndarray:
    """Values of an earlier row at columns j-b for j in [lo, hi); +inf outside its band.

    A view of ``prev`` when the band holds every column (callers never write to it).
    """
    src_lo = max(lo - b, prev_lo)
    src_hi = min(hi - b, prev_hi)
    if src_lo == lo - b and src_hi == hi - b:
        return prev[src_lo - prev_lo : src_hi - prev_lo]
    out = np.full(hi - lo, INF)
    if src_hi > src_lo:
        out[src_lo + b - lo : src_hi + b - lo] = prev[src_lo - prev_lo : src_hi - prev_lo]
    return out


def viterbi(
    n: int, m: int, bead_types: Sequence[tuple[int, int]], cost: CostFn, band: Band
) -> list[tuple[int, int, int, int]]:
    """Minimum-cost path; returns beads as (i0, i1, j0, j1) half-open spans."""
    types = [t for t in bead_types if t != (0, 1)]
    skip = (0, 1) in bead_types
    D: list[np.ndarray] = []
    back: list[np.ndarray] = []  # index into bead_types of the best incoming bead
    type_index = {t: k for k, t in enumerate(bead_types)}
    for i in range(n + 1):
        lo, hi = int(band.lo[i]), int(band.hi[i])
        best = np.full(hi - lo, INF)
        arg = np.full(hi - lo, -1, dtype=np.int64)
        if i == 0 and lo == 0:
            best[0] = 0.0
        for a, b in types:
            if a > i:
                continue
            prev = D[i - a]
            cand = _shifted(prev, int(band.lo[i - a]), int(band.hi[i - a]), b, lo, hi) + cost(i, a, b, lo, hi)
            better = cand < best
            best[better] = cand[better]
            arg[better] = type_index[(a, b)]
        if skip and hi - lo > 1:
            best, arg = _scan_min(best, arg, cost(i, 0, 1, lo, hi), type_index[(0, 1)])
        D.append(best)
        back.append(arg)
    if not np.isfinite(D[n][m - int(band.lo[n])]):
        raise ValueError("no path through the band")
    spans = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(back[i][j - int(band.lo[i])])
        a, b = bead_types[k]
        spans.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    spans.reverse()
    return spans


def _scan_min(best: np.ndarray, arg: np.ndarray, step: np.ndarray, skip_k: int) -> tuple[np.ndarray, np.ndarray]:
    """best[j] = min(best[j], best[j-1] + step[j]) along the row, as one prefix scan."""
    step = np.where(np.isfinite(step), step, 1e9)  # keep the cumulative sum finite
    step[0] = 0.0
    s = np.cumsum(step)
    shifted = best - s
    run = np.minimum.accumulate(shifted)
    scanned = run + s
    took_skip = scanned < best - 1e-9 * (1.0 + np.abs(s))
    out_arg = np.where(took_skip, skip_k, arg)
    return np.minimum(scanned, best), out_arg


def _scan_logsumexp(f: np.ndarray, step: np.ndarray) -> np.ndarray:
    """f[j] = logaddexp(f[j], f[j-1] + step[j]) along the row (log space, step = -cost/T)."""
    step = np.where(np.isfinite(step), step, -1e9)
    step[0] = 0.0
    s = np.cumsum(step)
    return np.logaddexp.accumulate(f - s) + s


def posteriors(
    n: int,
    m: int,
    bead_types: Sequence[tuple[int, int]],
    cost: CostFn,
    band: Band,
    spans: Sequence[tuple[int, int, int, int]],
    temperature: float,
) -> list[float]:
    """Posterior probability of each given bead under exp(-cost/T) over all band paths."""
    T = float(temperature)
    types = [t for t in bead_types if t != (0, 1)]
    skip = (0, 1) in bead_types
    F: list[np.ndarray] = []
    for i in range(n + 1):
        lo, hi = int(band.lo[i]), int(band.hi[i])
        acc = np.full(hi - lo, -INF)
        if i == 0 and lo == 0:
            acc[0] = 0.0
        for a, b in types:
            if a > i:
                continue
            prev = F[i - a]
            shifted = _shifted(-prev, int(band.lo[i - a]), int(band.hi[i - a]), b, lo, hi)
            acc = np.logaddexp(acc, -shifted - cost(i, a, b, lo, hi) / T)
        if skip and hi - lo > 1:
            acc = _scan_logsumexp(acc, -cost(i, 0, 1, lo, hi) / T)
        F.append(acc)
    # backward: B[i][j] = log sum over paths from (i, j) to (n, m)
    B: list[np.ndarray | None] = [None] * (n + 1)
    for i in range(n, -1, -1):
        lo, hi = int(band.lo[i]), int(band.hi[i])
        acc = np.full(hi - lo, -INF)
        if i == n and hi == m + 1:
            acc[m - lo] = 0.0
        for a, b in types:
            if i + a > n:
                continue
            nlo, nhi = int(band.lo[i + a]), int(band.hi[i + a])
            # beads ending at (i+a, j+b): cost row i+a at columns j+b
            c = cost(i + a, a, b, nlo, nhi) / T
            nxt = B[i + a] - c  # type: ignore[operator]
            # value at column j is nxt at column j+b
            acc = np.logaddexp(acc, -_shifted(-nxt, nlo, nhi, -b, lo, hi))
        if skip and hi - lo > 1:
            c = cost(i, 0, 1, lo, hi) / T  # bead ending at (i, j+1)
            # B[j] = logaddexp(B[j], B[j+1] - c[j+1]): scan from the right
            rev = acc[::-1].copy()
            step = -c[::-1].copy()
            # rev[k] corresponds to column hi-1-k; moving k-1 -> k is column j+1 -> j using c[j+1]
            step_shift = np.empty_like(step)
            step_shift[0] = 0.0
            step_shift[1:] = step[:-1]
            acc = _scan_logsumexp(rev, step_shift)[::-1]
        B[i] = acc
    total = F[n][m - int(band.lo[n])]
    out = []
    for i0, i1, j0, j1 in spans:
        a, b = i1 - i0, j1 - j0
        f = F[i0][j0 - int(band.lo[i0])]
        bb = B[i1][j1 - int(band.lo[i1])]  # type: ignore[index]
        c = cost(i1, a, b, j1, j1 + 1)[0] / T
        out.append(float(np.exp(min(0.0, f - c + bb - total))))
    return out


def dense_search(
    n: int,
    m: int,
    bead_types: Sequence[tuple[int, int]],
    matrices: dict[tuple[int, int], np.ndarray],
    temperature: float,
) -> tuple[list[tuple[int, int, int, int]], list[float]]:
    """:func:`viterbi` and :func:`posteriors` over the whole grid, for news-size pairs.

    ``matrices[(a, b)][i, j]`` is the cost of the bead of that shape ending at (i, j).
    With every cost at hand, a row's beads of all shapes are gathered in one indexing
    step and reduced in one call, where the band version makes a few numpy calls per
    shape and row: the same beads and posteriors (tested) in a fraction of the time,
    which for a 30-sentence article is mostly Python overhead.
    """
    T = float(temperature)
    types = [t for t in bead_types if t != (0, 1)]
    skip = matrices[(0, 1)] if (0, 1) in bead_types else None
    if not types:
        raise ValueError("no bead type moves down a row")
    rise = np.array([a for a, _ in types])
    run = np.array([b for _, b in types])
    kinds = np.array([bead_types.index(t) for t in types])
    pad = int(run.max())
    cols = np.arange(m + 1)
    cost = np.stack([matrices[t] for t in types])  # (types, n+1, m+1)
    scaled = cost / T
    behind = pad + cols[None, :] - run[:, None]  # column j-b in rows padded on the left
    ahead = cols[None, :] + run[:, None]  # column j+b in rows padded on the right
    every = np.arange(len(types))[:, None]

    # Viterbi: best[i, pad + j] is the cheapest path to (i, j)
    best = np.full((n + 1, pad + m + 1), INF)
    back = np.full((n + 1, m + 1), -1, dtype=np.int64)
    forward = np.full((n + 1, pad + m + 1), -INF)
    for i in range(n + 1):
        row = np.full(m + 1, INF)
        arg = np.full(m + 1, -1, dtype=np.int64)
        acc = np.full(m + 1, -INF)
        if i == 0:
            row[0] = acc[0] = 0.0
        else:
            valid = rise <= i
            rows = np.where(valid, i - rise, 0)[:, None]
            cand = best[rows, behind] + cost[:, i, :]
            cand[~valid] = INF
            k = np.argmin(cand, axis=0)  # the first of equal costs, as the band version
            row = cand[k, cols]
            arg = np.where(np.isfinite(row), kinds[k], -1)
            terms = forward[rows, behind] - scaled[:, i, :]
            acc = np.logaddexp.reduce(np.vstack([acc[None, :], terms[valid]]), axis=0)
        if skip is not None and m > 0:
            row, arg = _scan_min(row, arg, skip[i], bead_types.index((0, 1)))
            acc = _scan_logsumexp(acc, -skip[i] / T)
        best[i, pad:] = row
        back[i] = arg
        forward[i, pad:] = acc
    if not np.isfinite(best[n, pad + m]):
        raise ValueError("no path through the grid")
    spans = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = bead_types[int(back[i, j])]
        spans.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    spans.reverse()

    # backward: rest[i, j] = log sum over paths from (i, j) to (n, m)
    rest = np.full((n + 1, m + 1 + pad), -INF)
    scaled_ahead = np.concatenate([scaled, np.zeros((len(types), n + 1, pad))], axis=2)
    for i in range(n, -1, -1):
        acc = np.full(m + 1, -INF)
        if i == n:
            acc[m] = 0.0
        valid = i + rise <= n
        if valid.any():
            rows = np.where(valid, i + rise, n)[:, None]
            terms = rest[rows, ahead] - scaled_ahead[every, rows, ahead]
            acc = np.logaddexp.reduce(np.vstack([acc[None, :], terms[valid]]), axis=0)
        if skip is not None and m > 0:
            c = skip[i] / T
            step = np.empty(m + 1)
            step[0] = 0.0
            step[1:] = -c[::-1][:-1]
            acc = _scan_logsumexp(acc[::-1].copy(), step)[::-1]
        rest[i, : m + 1] = acc
    total = forward[n, pad + m]
    probs = []
    for i0, i1, j0, j1 in spans:
        c = matrices[(i1 - i0, j1 - j0)][i1, j1] / T
        probs.append(float(np.exp(min(0.0, forward[i0, pad + j0] - c + rest[i1, j1] - total))))
    return spans, probs


def coarse_path(
    src_vecs: np.ndarray, tgt_vecs: np.ndarray, chunk: int = 2048, min_cosine: float = 0.3
) -> list[tuple[int, int]]:
    """Anchor points for a long pair: mutual nearest neighbours that keep their order.

    Each sentence's best match on the other side is found chunk by chunk (memory stays
    at chunk x m), pairs that choose each other are kept, and the longest chain
    increasing on both sides becomes the path the band follows. Returned points are
    (i, j) cell corners, i.e. the path passes just after source i-1 and target j-1.
    """
    n, m = len(src_vecs), len(tgt_vecs)
    if n == 0 or m == 0:
        return [(0, 0), (n, m)]
    best_t = np.empty(n, dtype=np.int64)
    best_t_sim = np.empty(n)
    best_s = np.full(m, -1, dtype=np.int64)
    best_s_sim = np.full(m, -np.inf)
    # Matches are only looked for near the diagonal: a document that repeats itself (the
    # same paragraph twice, boilerplate) must not pull the path to the wrong copy. The
    # window allows for every sentence one side has more, plus 5 % of the length.
    window = abs(n - m) + max(50, max(n, m) // 20)
    cols = np.arange(m)
    for start in range(0, n, chunk):
        rows = np.arange(start, min(start + chunk, n))
        sims = src_vecs[start : start + chunk] @ tgt_vecs.T
        centre = rows * (m / n)
        sims[np.abs(cols[None, :] - centre[:, None]) > window] = -np.inf
        best_t[start : start + chunk] = sims.argmax(axis=1)
        best_t_sim[start : start + chunk] = sims.max(axis=1)
        col = sims.argmax(axis=0)
        col_sim = sims[col, np.arange(m)]
        better = col_sim > best_s_sim
        best_s[better] = col[better] + start
        best_s_sim[better] = col_sim[better]
    anchors = [(i, int(best_t[i])) for i in range(n) if best_s[best_t[i]] == i and best_t_sim[i] >= min_cosine]
    chain = _longest_increasing(anchors)
    return [(0, 0)] + [(i + 1, j + 1) for i, j in chain] + [(n, m)]


def _longest_increasing(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of points (sorted by i) whose j strictly increases (patience sort)."""
    import bisect

    tails: list[int] = []
    tail_idx: list[int] = []
    parent = [-1] * len(points)
    for k, (_, j) in enumerate(points):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        parent[k] = tail_idx[pos - 1] if pos > 0 else -1
    out = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(points[k])
        k = parent[k]
    return out[::-1]
