"""Verify a candidate pair by aligning it: what the sentence aligner finds decides.

Document vectors say two articles are about the same thing; a translation also says it
sentence by sentence, in the same order. So, as document aligners for web-crawled
corpora do, the top candidates are aligned with the project's own sentence aligner and
judged by what it finds:

* ``en_share``/``ko_share``: the share of each side's sentences in confident beads (both
  sides non-empty, confidence at least ``PairingOptions.confident``). A loose translation that
  dropped a third of the sentences still has most of its English sentences confidently
  linked; a story on the same topic has few.
* ``order``: of the sentence pairs that are each other's nearest neighbour, the share
  that lie on the alignment's (monotone) path. A translation keeps the order; shared
  boilerplate or a follow-up story that reuses a few sentences scatters them.

The aligner is the engine ``aligner.align.default_aligner`` builds, with one change for
speed: its similarity signal reads the sentence vectors pairing already made and never
encodes joined sentences (the engine's second look at joins). Bead costs are the
engine's; confidences lose only the join-gain feature, and the weights that read them
(``VerifyWeights``) were fitted on what this aligner reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from aligner.align import Aligner, default_aligner
from aligner.align.similarity import SimilarityCosts, SimilaritySignal
from aligner.pairing.options import PairingOptions


@dataclass(frozen=True)
class Verification:
    """What aligning a candidate pair's beginnings found.

    ``beads``: (English sentences, Korean sentences, confidence) of each bead with both
    sides, so the shares can be read at another confidence (``shares_at``: the refit of
    ``benchmarks/pairing_bench.py`` chooses the threshold).
    """

    en_sentences: int
    ko_sentences: int
    en_share: float  # English sentences in confident beads / English sentences aligned
    ko_share: float
    order: float  # mutual nearest sentence pairs on the alignment's path / all of them
    mutual: int  # how many mutual nearest sentence pairs there were
    beads: tuple[tuple[int, int, float], ...] = field(default=(), repr=False)

    def shares_at(self, confidence: float) -> tuple[float, float]:
        """The English and Korean shares of sentences in beads at least this confident."""
        sure = [(n_en, n_ko) for n_en, n_ko, c in self.beads if c >= confidence]
        return (
            sum(n for n, _ in sure) / self.en_sentences if self.en_sentences else 0.0,
            sum(n for _, n in sure) / self.ko_sentences if self.ko_sentences else 0.0,
        )

    def reason(self) -> str:
        return (
            f"aligned {self.en_share:.0%} of {self.en_sentences} English and {self.ko_share:.0%} of "
            f"{self.ko_sentences} Korean sentences with confidence, order {self.order:.2f}"
        )


@dataclass
class _GivenVectors(SimilaritySignal):
    """The engine's similarity signal over vectors given for each pair (``vectors``): no
    encoding, so no second look at joins either."""

    vectors: tuple[np.ndarray, np.ndarray] | None = None

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> SimilarityCosts:
        assert self.vectors is not None and len(self.vectors[0]) == len(src) and len(self.vectors[1]) == len(tgt)
        return SimilarityCosts(self.vectors[0], self.vectors[1], self.weight, self.knn, self.margin)


class Verifier:
    """Aligns candidate pairs and summarises the beads (build once per pairing run)."""

    def __init__(
        self,
        en_lang: str = "en",
        ko_lang: str = "ko",
        encoder_name: str = "use",
        min_confidence: float = PairingOptions.confident,
    ) -> None:
        self.min_confidence = min_confidence  # a bead from this confidence up counts as confident
        base = default_aligner(en_lang, ko_lang, "engine", encoder_name)
        self._similarity = [
            _GivenVectors(**{f.name: getattr(s, f.name) for f in fields(SimilaritySignal)})
            for s in base.signals
            if isinstance(s, SimilaritySignal)
        ]
        self.aligner = Aligner(
            base.config, [self._similarity[0] if isinstance(s, SimilaritySignal) else s for s in base.signals]
        )

    def verify(self, en: Sequence[str], en_vecs: np.ndarray, ko: Sequence[str], ko_vecs: np.ndarray) -> Verification:
        if not len(en) or not len(ko):
            return Verification(len(en), len(ko), 0.0, 0.0, 0.0, 0)
        for signal in self._similarity:
            signal.vectors = (en_vecs, ko_vecs)
        beads = self.aligner.align(list(en), list(ko))
        linked = tuple((len(b.src), len(b.tgt), float(b.confidence)) for b in beads if b.src and b.tgt)
        sure = [(n_en, n_ko) for n_en, n_ko, c in linked if c >= self.min_confidence]
        en_share = sum(n for n, _ in sure) / len(en)
        ko_share = sum(n for _, n in sure) / len(ko)
        mutual = mutual_nearest(en_vecs, ko_vecs)
        cell = {(i, j) for b in beads if b.src and b.tgt for i in b.src for j in b.tgt}
        on_path = sum(1 for pair in mutual if pair in cell)
        return Verification(
            len(en), len(ko), en_share, ko_share, on_path / len(mutual) if mutual else 0.0, len(mutual), linked
        )


def mutual_nearest(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int]]:
    """Pairs (i, j) where row j of ``b`` is the nearest to row i of ``a`` and the other way round."""
    sims = a.astype(np.float32) @ b.astype(np.float32).T
    best_b = sims.argmax(axis=1)
    best_a = sims.argmax(axis=0)
    return [(i, int(j)) for i, j in enumerate(best_b) if best_a[j] == i]
