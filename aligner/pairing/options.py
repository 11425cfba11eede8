"""Every setting of pairing by content in one place, with what each number was tuned on.

"Dev" below means the dev halves of NTREX-128 and KEP as ``corpora/eval/manifest.json``
splits them, in the scenarios of ``benchmarks/pairing_sets.py`` (titled and bare text,
clean, edited and loose translations, with decoys); the test halves are only measured
(``benchmarks/RESULTS.md`` ## Pairing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from aligner.errors import AlignerError
from aligner.pairing.candidates import DateWindow
from aligner.pairing.evidence import PairingWeights


@dataclass(frozen=True)
class VerifyWeights:
    """Log-odds that a verified candidate is a translation pair, from the cheap log-odds and
    what the aligner found (``verify.Verification``). A logistic fit on dev candidates."""

    bias: float = -9.136
    cheap: float = 0.771  # times the cheap log-odds (``PairingWeights``)
    en_share: float = 12.214
    ko_share: float = -3.49  # given the English share: a Korean side covered no better than that is usual
    order: float = 8.063


@dataclass
class PairingOptions:
    """Settings of ``pair_articles`` and ``find_originals``."""

    # Deciding. A verified candidate whose probability reaches ``min_score`` is proposed
    # on its own; one that does not is still proposed when it is both articles' best by
    # ``accept_margin`` log-odds over each one's runner-up and reaches ``margin_floor``
    # (relative evidence: a loose translation scores low but beats every alternative).
    min_score: float = 0.5
    accept_margin: float = 4.0
    margin_floor: float = 0.05
    # Sure enough to use unattended: probability at least ``sure_score`` and no rival on
    # either side within ``close_margin`` log-odds.
    sure_score: float = 0.9
    close_margin: float = 1.0
    runner_up_floor: float = 0.05  # a rival below this probability is no competition
    # Narrowing the field (cheap, before any alignment).
    candidates: int = 10  # nearest neighbours kept per article, each way
    date_window: bool = True  # compare dated articles only inside ``window``
    window: DateWindow = field(default_factory=DateWindow)
    verify_gap: float = 4.0  # align candidates within this cheap log-odds of an article's best
    verify_floor: float = -12.0  # ... and above this
    verify_top: int = 2  # ... at most this many per article
    # The text looked at.
    text_chars: int = 2400  # English beginning split, encoded and aligned
    ko_text_chars: int = 1600  # Korean carries as much in about two thirds of the characters
    lead_chars: int = 300
    ko_lead_chars: int = 150
    check_language: bool = True
    en_lang: str = "en"
    ko_lang: str = "ko"
    encoder: str = "use"
    weights: PairingWeights = field(default_factory=PairingWeights)
    verify_weights: VerifyWeights = field(default_factory=VerifyWeights)


def check_options(options: PairingOptions) -> None:
    """Refuse settings the decision cannot use, before any work (one-line AlignerError)."""
    for name in ("min_score", "margin_floor", "sure_score"):
        value = getattr(options, name)
        if not 0.0 < value < 1.0:
            raise AlignerError(f"{name.replace('_', ' ')} {value:g}", "must be more than 0 and less than 1")
    for name in ("close_margin", "accept_margin", "verify_gap"):
        value = getattr(options, name)
        if not value >= 0.0:
            raise AlignerError(f"{name.replace('_', ' ')} {value:g}", "must be 0 or more (a log-odds gap)")
    for name in ("candidates", "verify_top", "text_chars", "ko_text_chars"):
        if getattr(options, name) < 1:
            raise AlignerError(f"{name.replace('_', ' ')} {getattr(options, name)}", "must be 1 or more")


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))
