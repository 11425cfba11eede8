"""Cross-lingual similarity of sentence spans, from sentence embeddings.

Each sentence is encoded once; a span of several sentences is represented by the
normalised sum of its sentences' vectors (prefix sums make every span O(1) to form), so
multi-sentence beads cost no extra encoding. Raw cosines are "hubby": some sentences are
close to everything. Following margin-based scoring, each cosine is compared with the
mean similarity of both spans to their k nearest neighbours on the other side, so a
pair scores well only if it stands out from the alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.align.scoring import span_values

INF = np.inf


@dataclass
class SimilaritySignal:
    """Cost = weight * (1 - margin-adjusted cosine) for beads with text on both sides."""

    encode: Callable[[Sequence[str]], np.ndarray]
    weight: float = 4.0
    knn: int = 4
    margin: float = 1.0  # 0 = raw cosine, 1 = full neighbourhood correction

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> SimilarityCosts:
        vecs = self.encode(list(src) + list(tgt))
        return SimilarityCosts(vecs[: len(src)], vecs[len(src):], self.weight, self.knn, self.margin)


@dataclass
class SimilarityCosts:
    src_vecs: np.ndarray
    tgt_vecs: np.ndarray
    weight: float
    knn: int
    margin: float
    _src_spans: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _tgt_spans: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        d = self.src_vecs.shape[1] if self.src_vecs.size else 512
        self._ps = np.vstack([np.zeros((1, d), np.float32), np.cumsum(self.src_vecs, axis=0, dtype=np.float32)])
        self._pt = np.vstack([np.zeros((1, d), np.float32), np.cumsum(self.tgt_vecs, axis=0, dtype=np.float32)])
        self._src_hub = self._hubness(self.src_vecs, self.tgt_vecs)
        self._tgt_hub = self._hubness(self.tgt_vecs, self.src_vecs)
        self._hs = np.concatenate([[0.0], np.cumsum(self._src_hub)])
        self._ht = np.concatenate([[0.0], np.cumsum(self._tgt_hub)])

    def _hubness(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Mean cosine of each row of ``a`` to its k nearest rows of ``b``."""
        if len(a) == 0 or len(b) == 0:
            return np.zeros(len(a))
        k = min(self.knn, len(b))
        if len(b) > 2000:  # long documents: neighbours among a sample keep this linear
            idx = np.linspace(0, len(b) - 1, 2000).astype(int)
            b = b[idx]
        sims = a @ b.T
        top = np.partition(sims, len(b) - k, axis=1)[:, len(b) - k:]
        return top.mean(axis=1)

    def _spans(self, side: str, size: int) -> np.ndarray:
        cache, prefix = (self._src_spans, self._ps) if side == "src" else (self._tgt_spans, self._pt)
        if size not in cache:
            out = np.zeros_like(prefix)
            out[size:] = prefix[size:] - prefix[:-size]
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            cache[size] = out / np.maximum(norms, 1e-9)
        return cache[size]

    def cosine(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        """Margin-adjusted cosine of the span ending at i (size a) with spans ending at lo..hi-1."""
        if a == 0 or b == 0 or i - a < 0:
            return np.full(hi - lo, np.nan)
        s = self._spans("src", a)[i]
        t = self._spans("tgt", b)[lo:hi]
        cos = t @ s
        if self.margin:
            hub_s = (self._hs[i] - self._hs[i - a]) / a
            js = np.arange(lo, hi)
            ok = js - b >= 0
            hub_t = np.zeros(hi - lo)
            hub_t[ok] = (self._ht[js[ok]] - self._ht[js[ok] - b]) / b
            cos = cos - self.margin * (hub_s + hub_t) / 2.0 + self.margin * 0.5
        return cos

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Sentence vectors of both sides (the search uses them to find a coarse path)."""
        return self.src_vecs, self.tgt_vecs

    def matrix(self, a: int, b: int) -> np.ndarray:
        """Costs of all beads of shape (a, b) at once: one matrix product."""
        n, m = len(self.src_vecs), len(self.tgt_vecs)
        if a == 0 or b == 0:
            return np.zeros((n + 1, m + 1))
        cos = self._spans("src", a) @ self._spans("tgt", b).T
        if self.margin:
            hub_s = span_values(self._hs, np.arange(n + 1), a) / a
            hub_t = span_values(self._ht, np.arange(m + 1), b) / b
            cos = cos - self.margin * (hub_s[:, None] + hub_t[None, :]) / 2.0 + self.margin * 0.5
        out = self.weight * (1.0 - cos)
        out[:a, :] = INF
        out[:, :b] = INF
        return out

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(hi - lo)
        return self.weight * (1.0 - self.cosine(i, a, b, lo, hi))
