"""Sentence alignment: scoring and search, no I/O.

``Aligner`` holds the configuration and the signals (length, and in the full engine the
sentence encoder and anchors); ``Aligner.align`` turns two sentence lists into beads with
a score and a confidence. ``align_sentences`` is the one-call form for scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.align.adapt import Adaptation
from aligner.align.regions import choose, pieces
from aligner.align.scoring import GALE_CHURCH_PRIORS, Combined, LengthSignal, Signal
from aligner.align.search import Band, coarse_path, dense_search, posteriors, viterbi
from aligner.model import Bead, Method

Span = tuple[int, int, int, int]  # half-open (src_start, src_end, tgt_start, tgt_end)


@dataclass
class AlignConfig:
    """Search settings. ``max_src``/``max_tgt``: most sentences on a side of one bead."""

    max_src: int = 2
    max_tgt: int = 2
    temperature: float = 1.0  # posterior sharpness; calibrates confidence
    full_search_cells: int = 250_000  # exact DP below this many cells, banded above
    band_width: int = 40
    priors: dict[tuple[int, int], float] = field(default_factory=lambda: dict(GALE_CHURCH_PRIORS))
    calibration: Calibration | None = None  # None: confidence is the bead's posterior
    window_calibration: Calibration | None = None  # for beads of the anchor-and-window search (None: calibration)
    adaptation: Adaptation | None = None  # None: the same priors for every document
    second_looks: int = 1  # rounds of re-pricing beads near the path and searching again
    # the largest piece (source x target sentences) the anchor-and-window search aligns in one;
    # a longer document is cut into pieces at the engine's sure 1-1 beads (regions.pieces).
    # Pieces of a faithful 1,389 x 1,651 pair: the same beads as whole, 582 MB peak against
    # 882 MB, the same time (benchmarks/long_document.py --faithful)
    window_cells: int = 1_000_000

    @property
    def bead_types(self) -> list[tuple[int, int]]:
        """All shapes up to the maximum, plus 0-1 and 1-0 (never 0-2 or 2-0)."""
        shapes = [(0, 1), (1, 0)]
        shapes += [(a, b) for a in range(1, self.max_src + 1) for b in range(1, self.max_tgt + 1)]
        return shapes


class Aligner:
    """An alignment method: signals plus search settings. Build once, align many pairs."""

    name = "length"

    def __init__(self, config: AlignConfig | None = None, signals: Sequence[Signal] | None = None) -> None:
        self.config = config or AlignConfig()
        self.signals: list[Signal] = list(signals) if signals is not None else [LengthSignal()]
        # for each bead of the last stretch aligned, whether the anchor-and-window search made it
        # (what benchmarks/calibrate.py needs to fit each search's confidence; not for concurrent use)
        self.last_windowed: list[bool] = []
        # the faithfulness f the second look read in the last stretch (0 without an adaptation):
        # a confidence feature, which benchmarks/calibrate.py needs to rebuild the features
        self.last_faithfulness = 0.0

    def costs(self, src: Sequence[str], tgt: Sequence[str]) -> Combined:
        parts = [signal.prepare(src, tgt) for signal in self.signals]
        return Combined(parts, self.config.priors, len(src), len(tgt))

    def align(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        fixed: Sequence[Span] = (),
    ) -> list[Bead]:
        """Beads covering every sentence of both sides once, in order.

        ``fixed`` beads (a reviewer's accepted links) are kept as they are and only the
        gaps between them are aligned, each on its own.
        """
        beads: list[Bead] = []
        e = k = 0
        for span in sorted(fixed) + [(len(src), len(src), len(tgt), len(tgt))]:
            s0, s1, t0, t1 = span
            if s0 < e or t0 < k:
                raise ValueError(f"fixed bead {span} overlaps another or is out of order")
            beads += self._align_gap(src, tgt, e, s0, k, t0)
            if (s0, s1, t0, t1) != (len(src), len(src), len(tgt), len(tgt)):
                beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)), 0.0, 1.0))
            e, k = s1, t1
        return beads

    def _align_gap(self, src: Sequence[str], tgt: Sequence[str], s0: int, s1: int, t0: int, t1: int) -> list[Bead]:
        n, m = s1 - s0, t1 - t0
        if n == 0 or m == 0:
            self.last_windowed, self.last_faithfulness = [False] * (n + m), 0.0
            return [Bead((s0 + i,), (), 0.0, 1.0) for i in range(n)] + [Bead((), (t0 + j,), 0.0, 1.0) for j in range(m)]
        costs = self.costs(src[s0:s1], tgt[t0:t1])
        band = self.band(n, m, costs)
        dense = (n + 1) * (m + 1) <= self.config.full_search_cells
        if dense:
            costs.precompute(self.config.bead_types)
        spans, probs = self._search(n, m, costs, band, dense)
        spans, probs, windowed, f = self._second_looks(n, m, costs, band, dense, spans, probs)
        self.last_windowed, self.last_faithfulness = windowed, f
        shapes = [(i1 - i0, j1 - j0) for i0, i1, j0, j1 in spans]
        bead_costs = [costs.bead_cost(i1, a, b, j1) for (_, i1, _, j1), (a, b) in zip(spans, shapes)]
        conf = self.confidences(
            probs,
            shapes,
            bead_costs,
            _gains(costs, spans, "join_gains"),
            _gains(costs, spans, "merge_gains"),
            windowed,
            f,
        )
        return [
            Bead(tuple(range(s0 + i0, s0 + i1)), tuple(range(t0 + j0, t0 + j1)), round(-c, 4), round(float(q), 4))
            for (i0, i1, j0, j1), c, q in zip(spans, bead_costs, conf)
        ]

    def _second_looks(
        self, n: int, m: int, costs: Combined, band: Band, dense: bool, spans: list[Span], probs: list[float]
    ) -> tuple[list[Span], list[float], list[bool], float]:
        """Search again while a closer look at the path changes some costs.

        Signals with a ``rejoin`` (similarity) re-price beads near the path's empty beads,
        and after the first search the path's own joins by their joined text
        (``reprice_joins``); with an ``adaptation`` the document's own priors, estimated from that look's
        evidence after the first search, price every later search. Each round looks at
        the new path (``second_looks`` rounds at most); a bead already re-priced is not
        re-priced again. A document read as faithful enough (``adaptation.window_from``) is
        also aligned by the anchor-and-window search, and where the two disagree the better
        by their text is kept (:func:`aligner.align.regions.choose`; the third value returned
        says which beads are the window search's, the fourth is the document's faithfulness).
        """
        types = list(self.config.bead_types)
        adapt, f = self.config.adaptation, 0.0
        seen: set[tuple[int, int, int, int]] = set()
        shifted: set[tuple[int, int]] = set()
        second_opinion: Adaptation | None = None  # the adaptation, where the document asks for one
        for round_ in range(self.config.second_looks):
            first = adapt is not None and round_ == 0
            corrections = self._rejoin(costs, spans, wide=not first)
            if first:  # the narrow look's evidence decides whether a wider look is worth encoding
                f = self._faithfulness(costs)
                if f:  # looks faithful: look wider, and judge by the wider look's evidence
                    corrections = self._rejoin(costs, spans, wide=True)
                    f = self._faithfulness(costs)
                if adapt is not None and adapt.window_from is not None and f >= adapt.window_from:
                    second_opinion = adapt
            corrections = [c for c in corrections if c[:4] not in seen]
            if f:
                new_shapes = (set(types) | {(a, b) for _, a, b, _, _ in corrections}) - shifted
                costs.shift_priors(adapt.prior_shifts(f, sorted(new_shapes)))  # type: ignore[union-attr]
                shifted |= new_shapes
                corrections = [(i, a, b, j, d - adapt.join * f) for i, a, b, j, d in corrections]  # type: ignore[union-attr]
            if round_ == 0:
                corrections += self._reprice(costs, spans)
            if not corrections and not (f and round_ == 0):
                break
            seen |= {c[:4] for c in corrections}
            costs.adjust(corrections, priced=types)
            spans, probs = self._search(n, m, costs, band, dense, types + costs.sparse_shapes)
        if adapt is not None and adapt.regular and not f:
            r = adapt.regularity([(i1 - i0, j1 - j0) for i0, i1, j0, j1 in spans])
            if r:
                costs.shift_priors({t: adapt.regular * r for t in types + costs.sparse_shapes if t != (1, 1)})
                spans, probs = self._search(n, m, costs, band, dense, types + costs.sparse_shapes)
        if second_opinion is not None:
            windows = self._windows(costs, second_opinion.window_temperature, spans, probs)
            if windows and second_opinion.window_whole:
                return windows[0][0], windows[0][1], [True] * len(windows[0][0]), f
            if windows:
                return *_merge_choice([(spans, probs), *windows], _bead_match(costs)), f
        return spans, probs, [False] * len(spans), f

    def _windows(
        self, costs: Combined, temperature: float, spans: list[Span], probs: list[float]
    ) -> list[tuple[list[Span], list[float]]]:
        """The anchor-and-window search's beads and their posteriors under its own scores at
        ``temperature`` (:mod:`aligner.align.window`) for a document read as faithful: with
        Bertalign's margin, and without it, which weighs the same runs otherwise and is right
        in other places (the second costs little: the runs' vectors are cached). A document
        of more than ``window_cells`` is aligned piece by piece, cut at the engine's sure 1-1
        beads (``spans`` and their ``probs``; :func:`aligner.align.regions.pieces`), since
        the anchor step compares every sentence of a piece with every other. An empty list
        without a similarity signal. Its posteriors come from another model than the
        engine's, hence their own calibration (``AlignConfig.window_calibration``)."""
        search = next((found for part in costs.parts if (found := getattr(part, "window_search", None))), None)
        if search is None:
            return []
        cells = self.config.window_cells
        cut: list[Span | None] = [*pieces(spans, probs, cells)] if costs.n * costs.m > cells else [None]
        out = []
        for margin in (True, False):
            found = [search(temperature, margin, piece) for piece in cut]
            if all(alignment is not None for alignment in found):
                out.append(([s for f in found for s in f[0]], [q for f in found for q in f[1]]))
        return out

    def _faithfulness(self, costs: Combined) -> float:
        """:meth:`Faithfulness.shift` of the join gains the last second look saw (0 without any)."""
        evidence = [g for part in costs.parts for g in getattr(part, "join_evidence", [])]
        return self.config.adaptation.faithfulness.shift(evidence) if evidence else 0.0  # type: ignore[union-attr]

    @staticmethod
    def _reprice(costs: Combined, spans: list[Span]) -> list[tuple[int, int, int, int, float]]:
        """Every signal's re-pricing of the path's joins (see ``SimilarityCosts.reprice_joins``)."""
        return [c for part in costs.parts for c in getattr(part, "reprice_joins", lambda _: [])(spans)]

    @staticmethod
    def _rejoin(costs: Combined, spans: list[Span], wide: bool) -> list[tuple[int, int, int, int, float]]:
        """Every signal's second-look corrections for a path (see ``SimilarityCosts.rejoin``)."""
        return [c for part in costs.parts for c in getattr(part, "rejoin", lambda *_, **__: [])(spans, wide=wide)]

    def _search(
        self, n: int, m: int, costs: Combined, band: Band, dense: bool, types: list[tuple[int, int]] | None = None
    ) -> tuple[list[Span], list[float]]:
        """The best path's beads and their posteriors: over the whole grid, or in the band."""
        types = types or self.config.bead_types
        if dense:
            return dense_search(n, m, types, costs.matrices(), self.config.temperature)
        spans = viterbi(n, m, types, costs, band)
        return spans, posteriors(n, m, types, costs, band, spans, self.config.temperature)

    def confidences(
        self,
        posteriors: Sequence[float],
        shapes: Sequence[tuple[int, int]],
        costs: Sequence[float],
        join_gains: Sequence[float] | np.ndarray | None = None,
        merge_gains: Sequence[float] | np.ndarray | None = None,
        windowed: Sequence[bool] = (),
        faithfulness: float = 0.0,
    ) -> np.ndarray:
        """The beads' posteriors, mapped through the fitted calibration when there is one (for the
        beads of the anchor-and-window search, marked in ``windowed``, its own: their posteriors
        come from another model)."""
        calibration = self.config.calibration
        if calibration is None or not len(posteriors):
            return np.asarray(posteriors, dtype=float)
        features = confidence_features(posteriors, shapes, costs, join_gains, merge_gains, faithfulness)
        out = calibration(features)
        marked = np.asarray(windowed, dtype=bool) if len(windowed) else np.zeros(len(out), dtype=bool)
        if self.config.window_calibration is not None and marked.any():
            out[marked] = self.config.window_calibration(features[marked])
        return out

    def join_gains(self, src: Sequence[str], tgt: Sequence[str], beads: Sequence[Bead]) -> np.ndarray:
        """:meth:`SimilarityCosts.join_gains` for beads this aligner made of ``src`` and ``tgt``
        (NaN throughout without a similarity signal)."""
        return _gains(self.costs(src, tgt), _spans_of(beads), "join_gains")

    def features_of(
        self, src: Sequence[str], tgt: Sequence[str], beads: Sequence[Bead], faithfulness: float | None = None
    ) -> np.ndarray:
        """The confidence features of beads this aligner made of ``src`` and ``tgt``, from what
        they report (their posteriors, when the aligner has no calibration) and the document's
        faithfulness (the last stretch aligned, unless given): what ``benchmarks/calibrate.py``
        fits the calibration on."""
        costs, spans = self.costs(src, tgt), _spans_of(beads)
        return confidence_features(
            [b.confidence for b in beads],
            [(len(b.src), len(b.tgt)) for b in beads],
            [-b.score for b in beads],
            _gains(costs, spans, "join_gains"),
            _gains(costs, spans, "merge_gains"),
            self.last_faithfulness if faithfulness is None else faithfulness,
        )

    def band(self, n: int, m: int, costs: Combined | None = None) -> Band:
        """Exact search for news-size pairs; for long ones, a band around a coarse path.

        The coarse path comes from the similarity signal's sentence vectors (mutual
        nearest neighbours kept in order), so edits that shift the alignment far from
        the diagonal stay inside the band; without vectors, the diagonal is used.
        """
        if (n + 1) * (m + 1) <= self.config.full_search_cells:
            return Band.full(n, m)
        path = [(0, 0), (n, m)]
        for part in costs.parts if costs is not None else []:
            vectors = getattr(part, "vectors", None)
            if vectors is not None:
                path = coarse_path(*vectors())
                break
        width = self.config.band_width if len(path) > 2 else max(self.config.band_width, abs(n - m) // 4)
        return Band.around(path, n, m, width)


def _bead_match(costs: Combined) -> Callable[[Sequence[Span]], Sequence[float]]:
    """The similarity signal's :meth:`~aligner.align.similarity.SimilarityCosts.text_match`."""
    return next(part.text_match for part in costs.parts if hasattr(part, "text_match"))


def _merge_choice(
    candidates: Sequence[tuple[list[Span], list[float]]], bead_match: Callable[[Sequence[Span]], Sequence[float]]
) -> tuple[list[Span], list[float], list[bool]]:
    """The engine's beads (the first candidate) and the window search's, region by region the best
    (:func:`aligner.align.regions.choose`), each with its own search's posterior, and whether it
    is the window search's."""
    picked = choose([spans for spans, _ in candidates], bead_match)
    return (
        [candidates[which][0][k] for which, k in picked],
        [candidates[which][1][k] for which, k in picked],
        [which > 0 for which, _ in picked],
    )


def _spans_of(beads: Sequence[Bead]) -> list[Span]:
    spans, i, j = [], 0, 0
    for b in beads:
        spans.append((i, i + len(b.src), j, j + len(b.tgt)))
        i, j = i + len(b.src), j + len(b.tgt)
    return spans


def _gains(costs: Combined, spans: Sequence[Span], what: str) -> np.ndarray:
    """``what`` (a per-bead measure) of the first signal that computes it (similarity), else NaN per bead."""
    for part in costs.parts:
        gains = getattr(part, what, None)
        if gains is not None:
            return gains(spans)
    return np.full(len(spans), np.nan)


CONFIDENCE_FEATURES = (
    "bias",
    "posterior",
    "empty",
    "multi",
    "cost",
    "neighbours",
    "document cost",
    "join gain",
    "merge gain",
    "faithfulness",
    "faithfulness x posterior",
)
JOIN_GAIN_OFFSET = 0.05  # the join-gain feature is max(0, gain + this): chosen on the dev halves


def confidence_features(
    posteriors: Sequence[float],
    shapes: Sequence[tuple[int, int]],
    costs: Sequence[float],
    join_gains: Sequence[float] | np.ndarray | None = None,
    merge_gains: Sequence[float] | np.ndarray | None = None,
    faithfulness: float = 0.0,
) -> np.ndarray:
    """What the calibration looks at, one row per bead of an aligned stretch (in order).

    Columns (``CONFIDENCE_FEATURES``): a bias; the bead's posterior as a logit; whether it
    is empty (0-1, 1-0) or joins sentences; its cost; the lowest posterior logit among the
    bead and its two neighbours (wrong beads come in runs around a drop or a join, and a
    shaky neighbour means a shaky boundary); the mean bead cost of the whole stretch (a
    loosely translated document is wrong more often at the same posterior); how much
    better a 1-1 bead and its empty neighbour match as one joined bead
    (:meth:`~aligner.align.similarity.SimilarityCosts.join_gains`), from
    ``-JOIN_GAIN_OFFSET`` up: a split join looks sure by every other measure; and how much
    better a bead matches merged with a neighbouring bead than the weaker of the two alone
    (:meth:`~aligner.align.similarity.SimilarityCosts.merge_gains`, 0 without one): a
    faithful translation's 2-2 read as two sure 1-1 beads; and the document's faithfulness
    ``f`` (:meth:`~aligner.align.adapt.Faithfulness.shift`, 0 for a document like the
    edited news), alone and times the posterior logit: where the second look read a
    faithful translation, more of the beads are large and their shapes are priced by an
    estimate, so a bead is wrong more often at the same posterior, and the posterior
    separates right from wrong less sharply. Posteriors
    are clipped to [1e-4, 1 - 1e-4] because beads report them to four decimals, and the
    calibration is fitted on what beads report.
    """
    p = np.clip(np.asarray(posteriors, dtype=float), 1e-4, 1 - 1e-4)
    logit = np.log(p / (1 - p))
    a, b = np.asarray(shapes, dtype=int).reshape(-1, 2).T
    cost = np.asarray(costs, dtype=float)
    padded = np.pad(logit, 1, constant_values=np.inf)
    neighbours = np.minimum(np.minimum(padded[:-2], padded[2:]), logit)
    gains = np.full(len(logit), np.nan) if join_gains is None else np.asarray(join_gains, dtype=float)
    join = np.maximum(np.nan_to_num(gains, nan=-np.inf) + JOIN_GAIN_OFFSET, 0.0)
    merged = np.full(len(logit), np.nan) if merge_gains is None else np.asarray(merge_gains, dtype=float)
    return np.column_stack(
        [
            np.ones_like(logit),
            logit,
            ((a == 0) | (b == 0)).astype(float),
            (a + b > 2).astype(float),
            cost,
            neighbours,
            np.full_like(logit, cost.mean() if len(cost) else 0.0),
            join,
            np.nan_to_num(merged, nan=0.0),
            np.full_like(logit, faithfulness),
            faithfulness * logit,
        ]
    )


@dataclass(frozen=True)
class Calibration:
    """From confidence features to the confidence a bead reports (fitted by benchmarks/calibrate.py).

    ``weights`` make a logistic estimate of the chance that the bead is right. When
    ``review_point`` is set, the scale is bent so that 0.5 marks where a reviewer should
    start looking: estimates below ``review_point`` read below 0.5, those between it and
    0.9 are spread over 0.5-0.9, and from 0.9 up the estimate is shown unchanged. So a
    confidence of 0.9 or more is the chance of being right, while one below 0.9
    understates it (it ranks beads for review; it is not a probability).
    """

    weights: tuple[float, ...]
    review_point: float | None = None

    def __post_init__(self) -> None:
        if len(self.weights) != len(CONFIDENCE_FEATURES):
            raise ValueError(f"calibration needs {len(CONFIDENCE_FEATURES)} weights, got {len(self.weights)}")
        if self.review_point is not None and not 0 < self.review_point < 0.9:
            raise ValueError(f"review point {self.review_point} is outside (0, 0.9)")

    def probability(self, features: np.ndarray) -> np.ndarray:
        """The logistic estimate that each bead is right."""
        return 1.0 / (1.0 + np.exp(-(features @ np.asarray(self.weights))))

    def __call__(self, features: np.ndarray) -> np.ndarray:
        p = self.probability(features)
        if self.review_point is None:
            return p
        return np.interp(p, [0.0, self.review_point, 0.9, 1.0], [0.0, 0.5, 0.9, 1.0])

    def estimate(self, confidence: Sequence[float] | np.ndarray) -> np.ndarray:
        """The logistic estimate that reported confidences stand for (the bend undone).

        Between the review point and 0.9 the bend is steep when the point is near 0.9, so
        a rounding of the features moves the reported number there far more than the
        estimate; compare estimates, not reported numbers, to check a rebuild."""
        c = np.asarray(confidence, dtype=float)
        if self.review_point is None:
            return c
        return np.interp(c, [0.0, 0.5, 0.9, 1.0], [0.0, self.review_point, 0.9, 1.0])


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    src_lang: str = "en",
    tgt_lang: str = "ko",
    method: Method | str = Method.ENGINE,
) -> list[Bead]:
    """Align two sentence lists with the default method."""
    return default_aligner(src_lang, tgt_lang, method).align(src, tgt)


_CACHE: dict[tuple[str, str, Method, str, int | None], Aligner] = {}


def default_aligner(
    src_lang: str = "en",
    tgt_lang: str = "ko",
    method: Method | str = Method.ENGINE,
    encoder: str = "use",
    threads: int | None = None,
) -> Aligner:
    """The aligner for a language pair and method, built once per process.

    ``Method.ENGINE``: sentence embeddings + length + anchors (the default);
    ``Method.LENGTH``: the Gale–Church length-only baseline, kept for comparison and for
    machines where the encoder cannot run. ``threads``: the encoder's BLAS threads
    (None: decided when it loads, see :func:`aligner.align.embed.encoder_threads`).
    """
    try:
        method = Method(method)
    except ValueError:
        from aligner.errors import AlignerError

        raise AlignerError(
            str(method), f"unknown alignment method (choose from {', '.join(m.value for m in Method)})"
        ) from None
    key = (src_lang, tgt_lang, method, encoder, threads)
    if key not in _CACHE:
        if method == Method.ENGINE:
            from aligner.align.engine import build_engine

            _CACHE[key] = build_engine(src_lang, tgt_lang, encoder=encoder, threads=threads)
        else:
            _CACHE[key] = Aligner()
    return _CACHE[key]
