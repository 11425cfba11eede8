"""Bead costs: what the search minimises.

A scorer is built once per document pair (``prepare``) and then answers, for a row i
and a bead shape (a, b), the cost of every bead ending at (i, j) for a range of columns
j. Costs add up over signals (length, similarity, anchors) and a prior per bead shape;
lower is better. Keeping scoring apart from the search lets the engine swap signals
without touching the dynamic programme.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

INF = np.inf


class PairCosts(Protocol):
    """Costs for one document pair; see ``aligner.align.search.CostFn``."""

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray: ...


class Signal(Protocol):
    """One ingredient of the cost, prepared for a document pair."""

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> PairCosts: ...


def span_values(prefix: np.ndarray, end: int | np.ndarray, size: int) -> np.ndarray:
    """Sums over spans [end-size, end) from a prefix-sum array (NaN where the span starts before 0)."""
    end = np.asarray(end)
    start = end - size
    out = np.full(end.shape + prefix.shape[1:], np.nan)
    ok = start >= 0
    out[ok] = prefix[end[ok]] - prefix[start[ok]]
    return out


@dataclass
class LengthSignal:
    """Gale–Church length cost with the length ratio estimated from the pair itself.

    Why per pair: Korean runs at about 40 % of English in characters, but the ratio
    drifts with the text (numbers, names, quotes), and the pair's own totals are the
    best estimate we have. ``unit`` picks what counts as length (characters by default;
    the engine passes SentencePiece piece counts for a language-neutral measure).
    """

    variance: float = 6.8
    weight: float = 1.0
    unit: Callable[[str], int] | None = None  # None = non-space characters

    def lengths(self, sentences: Sequence[str]) -> np.ndarray:
        if self.unit is not None:
            return np.array([self.unit(s) for s in sentences], dtype=float)
        return np.array([len(s) - s.count(" ") for s in sentences], dtype=float)

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> PairCosts:
        ls, lt = self.lengths(src), self.lengths(tgt)
        return LengthCosts(ls, lt, self.variance, self.weight)


@dataclass
class LengthCosts:
    src_len: np.ndarray
    tgt_len: np.ndarray
    variance: float
    weight: float
    ratio: float = field(init=False)

    def __post_init__(self) -> None:
        s, t = float(self.src_len.sum()), float(self.tgt_len.sum())
        self.ratio = t / s if s > 0 and t > 0 else 1.0
        self._ps = np.concatenate([[0.0], np.cumsum(self.src_len)])
        self._pt = np.concatenate([[0.0], np.cumsum(self.tgt_len)])

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        from scipy.special import log_ndtr  # only the length-only baseline needs scipy: import it late

        js = np.arange(lo, hi)
        l1 = float(self._ps[i] - self._ps[i - a]) if i - a >= 0 else np.nan
        l2 = span_values(self._pt, js, b)
        mean = (l1 * self.ratio + l2) / 2.0
        var = self.variance * self.ratio * np.maximum(mean, 1.0)
        delta = (l2 - l1 * self.ratio) / np.sqrt(var)
        cost = -(np.log(2.0) + log_ndtr(-np.abs(delta)))
        return np.where(np.isnan(cost), INF, cost * self.weight)


# Gale & Church's bead priors (1-1 .89, 1-0/0-1 .0099 together, 2-1/1-2 .089, 2-2 .011),
# as costs. Larger shapes get a steep extra cost; the engine tunes its own.
GALE_CHURCH_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): -np.log(0.89),
    (1, 0): -np.log(0.0099 / 2),
    (0, 1): -np.log(0.0099 / 2),
    (2, 1): -np.log(0.089 / 2),
    (1, 2): -np.log(0.089 / 2),
    (2, 2): -np.log(0.011),
}


def shape_prior(a: int, b: int, priors: dict[tuple[int, int], float]) -> float:
    """Prior cost of a bead shape; shapes not listed cost 3 nats per extra sentence."""
    if (a, b) in priors:
        return priors[(a, b)]
    return priors.get((2, 2), 4.5) + 3.0 * (a + b - 4)


@dataclass
class Combined:
    """Sum of prepared signal costs plus the shape prior.

    For news-size pairs the search asks for every cell several times (Viterbi, forward,
    backward), so ``precompute`` builds each bead shape's whole (n+1) x (m+1) matrix
    once, with one matrix product per shape where a signal offers ``matrix``; calls
    then slice. Long documents skip this and compute rows on demand inside the band.
    """

    parts: list[PairCosts]
    priors: dict[tuple[int, int], float]
    n: int
    m: int
    _full: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _rows: dict[tuple[int, int, int, int, int], np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _adjusted: dict[tuple[int, int, int], dict[int, float]] = field(default_factory=dict, init=False, repr=False)
    _sparse: set[tuple[int, int]] = field(default_factory=set, init=False, repr=False)

    def adjust(
        self, corrections: Iterable[tuple[int, int, int, int, float]], priced: Iterable[tuple[int, int]] | None = None
    ) -> None:
        """Add ``delta`` to the cost of each bead ``(i, a, b, j, delta)`` (shape (a, b) ending
        at (i, j)), for a second search after a signal has looked closer at a few beads.

        A shape the first search did not price everywhere (not in ``priced`` nor
        precomputed) becomes a sparse shape: its beads exist only where a correction names
        them, each costing what the signals and prior say plus ``delta``. That is how the
        second look offers a 1-4 or a 3-2 bead without the search paying for that shape
        in every cell. Without ``priced``, every shape counts as priced.
        """
        priced = None if priced is None else set(priced) | set(self._full)
        touched = set()
        for i, a, b, j, delta in corrections:
            if priced is not None and (a, b) not in priced:
                self._sparse.add((a, b))
            if (a, b) in self._full and (a, b) not in self._sparse:
                self._full[(a, b)][i, j] += delta
            else:
                row = self._adjusted.setdefault((i, a, b), {})
                row[j] = row.get(j, 0.0) + delta
                touched.add((i, a, b))
        for a, b in self._sparse if self._full else ():  # dense search: a matrix per sparse shape
            matrix = np.full((self.n + 1, self.m + 1), INF)
            for (i, a2, b2), row in self._adjusted.items():
                if (a2, b2) == (a, b):
                    for j in row:
                        matrix[i, j] = self._row(i, a, b, j, j + 1)[0]
            self._full[(a, b)] = matrix
        if touched:  # band rows cached for the first search: one pass drops the changed ones
            self._rows = {k: v for k, v in self._rows.items() if k[:3] not in touched}

    def shift_priors(self, shifts: dict[tuple[int, int], float]) -> None:
        """Add ``shifts[shape]`` to the prior of each listed shape (a document's own priors,
        see :mod:`aligner.align.adapt`), before :meth:`adjust` and the second search."""
        self.priors = dict(self.priors)
        for shape, delta in shifts.items():
            if not delta:
                continue
            self.priors[shape] = shape_prior(*shape, self.priors) + delta
            if shape in self._full:
                self._full[shape] = self._full[shape] + delta  # INF stays INF
        self._rows.clear()

    @property
    def sparse_shapes(self) -> list[tuple[int, int]]:
        """Shapes that exist only where :meth:`adjust` put a bead (the second search adds them)."""
        return sorted(self._sparse)

    def precompute(self, shapes: Sequence[tuple[int, int]]) -> None:
        for a, b in shapes:
            total = np.full((self.n + 1, self.m + 1), shape_prior(a, b, self.priors))
            for part in self.parts:
                matrix = getattr(part, "matrix", None)
                if matrix is not None:
                    total = total + matrix(a, b)
                else:
                    total = total + np.vstack([part(i, a, b, 0, self.m + 1) for i in range(self.n + 1)])
            total[:a, :] = INF
            total[:, :b] = INF
            total[np.isnan(total)] = INF
            self._full[(a, b)] = total

    def matrices(self) -> dict[tuple[int, int], np.ndarray]:
        """The whole cost matrix of each shape :meth:`precompute` built."""
        return self._full

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        full = self._full.get((a, b))
        if full is not None:
            if 0 <= i <= self.n and hi <= self.m + 1:
                return full[i, lo:hi]  # a view: callers never write to a cost row
            out = np.full(hi - lo, INF)
            if 0 <= i <= self.n:
                top = min(hi, self.m + 1)
                if top > lo:
                    out[: top - lo] = full[i, lo:top]
            return out
        if (a, b) in self._sparse and (i, a, b) not in self._adjusted:
            return np.full(hi - lo, INF)  # a sparse shape's row without beads: not worth a cache entry
        key = (i, a, b, lo, hi)
        cached = self._rows.get(key)
        if cached is None:
            cached = self._rows[key] = self._row(i, a, b, lo, hi)
        return cached

    def bead_cost(self, i: int, a: int, b: int, j: int) -> float:
        """What the search paid for the bead of shape (a, b) ending at (i, j); for a bead it could
        not make (a shape priced only where the second look proposed it, in a bead another
        search found), what the signals and the prior say of it."""
        cost = float(self(i, a, b, j, j + 1)[0])
        return cost if np.isfinite(cost) else self._cell(i, a, b, j)

    def _row(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        """One band row's costs, kept because Viterbi, forward and backward all ask for it."""
        if (a, b) in self._sparse:  # only the corrected beads exist
            total = np.full(hi - lo, INF)
            for j, delta in self._adjusted.get((i, a, b), {}).items():
                if lo <= j < hi and j - b >= 0 and j <= self.m and 0 <= i - a and i <= self.n:
                    total[j - lo] = self._cell(i, a, b, j) + delta
            return total
        total = np.full(hi - lo, shape_prior(a, b, self.priors))
        for part in self.parts:
            total = total + part(i, a, b, lo, hi)
        for j, delta in self._adjusted.get((i, a, b), {}).items():
            if lo <= j < hi:
                total[j - lo] += delta
        js = np.arange(lo, hi)
        total[(js - b < 0) | (js > self.m)] = INF
        if i - a < 0 or i > self.n:
            total[:] = INF
        return total

    def _cell(self, i: int, a: int, b: int, j: int) -> float:
        """The signals' and the prior's cost of one bead, without corrections."""
        total = shape_prior(a, b, self.priors) + sum(float(part(i, a, b, j, j + 1)[0]) for part in self.parts)
        return total if np.isfinite(total) else INF


@dataclass
class LengthRatioSignal:
    """Length agreement as a robust log-ratio: weight * |log(l_t / l_s) - mu| / sigma.

    Why not Gale–Church here: its variance model comes from European character counts
    and punishes the ordinary spread of English–Korean pairs; measured on NTREX news, the
    log ratio of SentencePiece lengths around the pair's own mean has a spread of about
    0.2 (0.3 on noisier news), nearly independent of length. ``mu`` is estimated from the
    pair. Empty beads get no length cost (their prior prices them).
    """

    unit: Callable[[str], int] | None = None  # None = non-space characters
    weight: float = 1.0
    sigma: float = 0.25

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> PairCosts:
        count = self.unit or (lambda s: len(s) - s.count(" "))
        ls = np.array([max(1, count(s)) for s in src], dtype=float)
        lt = np.array([max(1, count(s)) for s in tgt], dtype=float)
        return LengthRatioCosts(ls, lt, self.weight, self.sigma)


@dataclass
class LengthRatioCosts:
    src_len: np.ndarray
    tgt_len: np.ndarray
    weight: float
    sigma: float

    def __post_init__(self) -> None:
        both = len(self.src_len) and len(self.tgt_len)
        self.mu = float(np.log(self.tgt_len.sum() / self.src_len.sum())) if both else 0.0
        self._ps = np.concatenate([[0.0], np.cumsum(self.src_len)])
        self._pt = np.concatenate([[0.0], np.cumsum(self.tgt_len)])

    def matrix(self, a: int, b: int) -> np.ndarray:
        n, m = len(self.src_len), len(self.tgt_len)
        if a == 0 or b == 0:
            return np.zeros((n + 1, m + 1))
        l1 = span_values(self._ps, np.arange(n + 1), a)
        l2 = span_values(self._pt, np.arange(m + 1), b)
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.abs(np.log(l2[None, :] / l1[:, None]) - self.mu) / self.sigma
        return np.where(np.isnan(dev), INF, self.weight * dev)

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        if a == 0 or b == 0 or i - a < 0:
            return np.zeros(hi - lo)
        l1 = float(self._ps[i] - self._ps[i - a])
        l2 = span_values(self._pt, np.arange(lo, hi), b)
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.abs(np.log(l2 / l1) - self.mu) / self.sigma
        return np.where(np.isnan(dev), INF, self.weight * dev)
