"""What pairing returns: proposed pairs with their evidence, the articles left alone, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from aligner.model import Article
from aligner.pairing.evidence import Evidence
from aligner.pairing.verify import Verification


def ident(a: Article) -> str:
    """How an article is named in messages: its URL, else its file, else its title."""
    return a.url or a.source_path or a.title


@dataclass(frozen=True)
class Candidate:
    """One scored (English, Korean) candidate.

    ``score`` is the probability that the two are a translation pair: after verification
    when the aligner looked at the pair (``verification`` set), else by the cheap signals
    alone (such a candidate was too far behind to be worth aligning).
    """

    en_index: int
    ko_index: int
    score: float
    logit: float
    evidence: Evidence
    cheap_logit: float
    verification: Verification | None = None


@dataclass
class ProposedPair:
    """A pair the decision chose, with the evidence for it and the rival it beat.

    ``decided_by`` is "score" (probability at least ``min_score`` on its own) or "margin"
    (both articles' best by at least ``accept_margin`` log-odds over their runners-up).
    ``en_margin``/``ko_margin``: log-odds over the English article's next-best Korean
    candidate and over the Korean article's next-best English one; None when no other
    candidate was close enough to be aligned (no rival at all). ``sure``: good enough to
    use unattended; ``too_close``: a rival within ``close_margin``, a person should decide.
    """

    en: Article
    ko: Article
    candidate: Candidate
    runner_up: Candidate | None = None
    too_close: bool = False
    runner_up_item: str | None = None  # URL, file or title of the runner-up article
    en_margin: float | None = None
    ko_margin: float | None = None
    decided_by: str = "score"
    sure: bool = False

    @property
    def score(self) -> float:
        return self.candidate.score

    @property
    def verification(self) -> Verification | None:
        return self.candidate.verification

    def why(self) -> str:
        """One line: how the pair was decided and how sure it is."""
        margins = ", ".join(
            f"{side} {'no rival' if m is None else f'+{m:.1f}'}"
            for side, m in (("English", self.en_margin), ("Korean", self.ko_margin))
        )
        head = "sure" if self.sure else "check"
        if self.too_close:
            head = "too close to call" + (f" (also {self.runner_up_item})" if self.runner_up_item else "")
        how = "score" if self.decided_by == "score" else "clear mutual best"
        text = f"{head}: {how} (p {self.score:.2f}; margins {margins})"
        if self.verification is not None:
            text += f"; {self.verification.reason()}"
        return text

    @property
    def reasons(self) -> list[str]:
        out = [self.why(), *self.candidate.evidence.reasons()]
        if self.runner_up is not None:
            r = self.runner_up
            other = f"en #{r.en_index}" if r.ko_index == self.candidate.ko_index else f"ko #{r.ko_index}"
            out.append(f"runner-up {self.runner_up_item or other} at {r.score:.2f}")
        return out


@dataclass
class Unpaired:
    """An article left without a partner, and why."""

    article: Article
    index: int
    side: str  # "en" or "ko"
    reason: str
    best: Candidate | None = None


@dataclass
class PairingResult:
    """Proposed pairs (best first), the articles left unpaired, and those refused outright."""

    pairs: list[ProposedPair]
    unpaired_en: list[Unpaired]
    unpaired_ko: list[Unpaired]
    rejected: list[Unpaired] = field(default_factory=list)  # wrong language, no text
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, reason): pair_command only
    candidates: int = 0  # candidate pairs scored by the cheap signals
    verified: int = 0  # of them, aligned to verify
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage

    @property
    def too_close(self) -> list[ProposedPair]:
        return [p for p in self.pairs if p.too_close]

    @property
    def sure(self) -> list[ProposedPair]:
        return [p for p in self.pairs if p.sure]

    def as_dict(self) -> dict:
        """JSON-ready summary for ``--json``."""
        return {
            "pairs": [_pair_dict(p) for p in self.pairs],
            "unpaired": [
                {"side": u.side, "item": ident(u.article), "reason": u.reason}
                for u in self.unpaired_en + self.unpaired_ko
            ],
            "rejected": [{"side": u.side, "item": ident(u.article), "reason": u.reason} for u in self.rejected],
            "unreadable": [{"item": path, "reason": reason} for path, reason in self.unreadable],
            "candidates": self.candidates,
            "verified": self.verified,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _pair_dict(p: ProposedPair) -> dict:
    v = p.verification
    return {
        "en": ident(p.en),
        "ko": ident(p.ko),
        "score": round(p.score, 4),
        "sure": p.sure,
        "too_close": p.too_close,
        "decided_by": p.decided_by,
        "en_margin": _round(p.en_margin),
        "ko_margin": _round(p.ko_margin),
        "runner_up": p.runner_up_item,
        "verification": None
        if v is None
        else {
            "en_share": round(v.en_share, 3),
            "ko_share": round(v.ko_share, 3),
            "order": round(v.order, 3),
            "en_sentences": v.en_sentences,
            "ko_sentences": v.ko_sentences,
        },
        "why": p.why(),
        "reasons": p.reasons,
    }


@dataclass(frozen=True)
class OriginalMatch:
    """The Korean original found for one English article (``find_originals``).

    ``ko`` is None when no candidate was convincing; ``how`` says in one line how it was
    decided (or why nothing was), with the margins and the verification numbers.
    ``sure``: good enough to use unattended; otherwise a person should look.
    """

    en: Article
    ko: Article | None
    score: float  # probability the two are a translation pair (0 when nothing was found)
    sure: bool
    how: str
    decided_by: str | None = None  # "score", "margin", or None when unpaired
    en_margin: float | None = None
    ko_margin: float | None = None
    verification: Verification | None = None
    runner_up: Article | None = None
