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

    bias: float = -8.57
    cheap: float = 0.818  # times the cheap log-odds (``PairingWeights``)
    en_share: float = 12.105
    ko_share: float = -1.778  # given the English share, a Korean side covered as well says little more
    order: float = 5.056


@dataclass
class PairingOptions:
    """Settings of ``pair_articles`` and ``find_originals``."""

    # Deciding (``benchmarks/pairing_bench.py --fit``: at most one wrong pair in a thousand on
    # dev, the best recall give or take 0.001, then the most cautious settings). A verified
    # candidate whose probability reaches ``min_score`` is proposed on its own; below it, it
    # is proposed only as both articles' best by ``accept_margin`` log-odds over each one's
    # runner-up, and from ``margin_floor`` up (relative evidence: a loose translation may
    # score low and still beat every alternative by far). On dev the margin rule found 15
    # pairs the score alone missed, all right (refitted on the engine of issue 13: see
    # ``benchmarks/RESULTS.md``, ## Pairing refit on the refitted engine).
    min_score: float = 0.5
    accept_margin: float = 6.0
    margin_floor: float = 0.1
    # Sure enough to use unattended: probability at least ``sure_score`` and no rival on
    # either side within ``close_margin`` log-odds (one at ``runner_up_floor`` or above).
    sure_score: float = 0.9
    close_margin: float = 1.0
    runner_up_floor: float = 0.05
    # Narrowing the field (cheap, before any alignment).
    candidates: int = 20  # nearest neighbours kept per article, each way (10,000 x 10,000: 98.6 % of true pairs)
    date_window: bool = True  # compare dated articles only inside ``window``
    window: DateWindow = field(default_factory=DateWindow)
    verify_gap: float = 4.0  # align candidates within this cheap log-odds of an article's best
    verify_floor: float = -12.0  # ... and above this
    verify_top: int = 2  # ... at most this many per article
    # A bead counts as confident in verification from this confidence up (the engine's
    # calibrated confidence; ``benchmarks/pairing_bench.py --fit`` chooses it on dev among
    # 0.3-0.6: 0.4 found the most pairs on the refitted engine, which marks fewer beads
    # confident than the one 0.5 was chosen for).
    confident: float = 0.4
    # The text looked at.
    # The beginning of each article that is split, encoded and aligned: 1,600 characters of
    # English (about 13 sentences), 1,100 of Korean (which carries as much in about two
    # thirds of the characters). On dev, 2,400/1,600 found no more pairs and 1,200/800 lost
    # some; the cost of a big archive is mostly encoding, which grows with these.
    text_chars: int = 1600
    ko_text_chars: int = 1100
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
    for name in ("min_score", "margin_floor", "sure_score", "confident"):
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
