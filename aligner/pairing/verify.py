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

The aligner is the engine ``aligner.align.default_aligner`` builds, with two changes.
For speed, its similarity signal reads the sentence vectors pairing already made and
never encodes joined sentences (the engine's second look at joins; so the join-gain and
faithfulness features read 0). And its beads' confidences come from
``VERIFY_CALIBRATION``, the calibration the weights that read them (``VerifyWeights``,
``PairingOptions.confident``) were fitted on, not from the engine's current one: the
engine's confidence is refitted for the review (issue 13 added the document's
faithfulness), and each refit would otherwise move what counts as a confident bead
here and call for a refit of pairing. Bead costs and posteriors are the engine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np

from aligner.align import Aligner, Calibration, default_aligner
from aligner.align.similarity import SimilarityCosts, SimilaritySignal
from aligner.pairing.options import PairingOptions

# The engine's confidence calibration that pairing's weights were fitted on (benchmarks/
# pairing_bench.py --fit, 2026-12-03; ``aligner.align.CONFIDENCE_FEATURES``, the two
# faithfulness weights 0). Refit pairing with it if this ever changes.
VERIFY_CALIBRATION = Calibration(
    (2.3742, 0.635, 0.0626, -0.2867, -0.2271, 0.2436, 0.0299, -21.9313, -5.6507, 0.0, 0.0), review_point=0.8761
)


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
            replace(base.config, calibration=VERIFY_CALIBRATION),
            [self._similarity[0] if isinstance(s, SimilaritySignal) else s for s in base.signals],
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
