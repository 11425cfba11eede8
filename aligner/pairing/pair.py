"""Pairing articles end to end: screen, prepare, narrow, verify, decide, explain."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np

from aligner.align.embed import Encoder
from aligner.errors import LanguageError
from aligner.model import Article
from aligner.pairing.candidates import candidate_pairs, within_windows
from aligner.pairing.decide import Choice, choose, pick_for_verification, sigmoid, verified_logit
from aligner.pairing.documents import Side, prepare_side
from aligner.pairing.evidence import CheapScores, score_pairs
from aligner.pairing.options import PairingOptions, check_options
from aligner.pairing.results import Candidate, OriginalMatch, PairingResult, ProposedPair, Unpaired, ident
from aligner.pairing.signals import day_number
from aligner.pairing.verify import Verification, Verifier
from aligner.text.langcheck import check_language

# -- screening ---------------------------------------------------------------------------------


def language_problem(article: Article, expected: str, check: bool = True) -> str | None:
    """Why an article cannot take part (no text, wrong language), or None when it can."""
    text = "\n".join(article.blocks()).strip()
    if not text:
        return "no text"
    if not check:
        return None
    try:
        check_language(text, expected, ident(article))
    except LanguageError as exc:
        return exc.problem
    return None


def screen(articles: Sequence[Article], side: str, lang: str, check: bool) -> tuple[list[int], list[Unpaired]]:
    """Indices of the articles that can take part, and the refused ones with the reason."""
    kept: list[int] = []
    refused: list[Unpaired] = []
    for k, a in enumerate(articles):
        problem = language_problem(a, lang, check)
        if problem:
            refused.append(Unpaired(a, k, side, problem))
        else:
            kept.append(k)
    return kept, refused


# -- scoring -----------------------------------------------------------------------------------


@dataclass
class Field:
    """Every candidate pair with its cheap signals, verification and final log-odds."""

    en: Side
    ko: Side
    cheap: CheapScores
    cheap_logit: np.ndarray
    verifications: list[Verification | None]
    logit: np.ndarray  # verified log-odds where verified, else the cheap log-odds
    seconds: dict[str, float] = dataclass_field(default_factory=dict)  # wall time of each stage
    verified: np.ndarray = dataclass_field(init=False)  # rows that were aligned

    def __post_init__(self) -> None:
        self.verified = np.asarray([v is not None for v in self.verifications], dtype=bool)

    @property
    def pairs(self) -> np.ndarray:
        return self.cheap.pairs

    def rows_by_article(self, side: int) -> dict[int, np.ndarray]:
        """The candidate rows of each article of a side (0 English, 1 Korean)."""
        keys = self.pairs[:, side]
        order = np.argsort(keys, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(keys[order])) + 1] if len(order) else np.zeros(0, dtype=int)
        return {int(keys[order[s]]): part for s, part in zip(starts, np.split(order, starts[1:]))}

    def candidate(self, n: int, en_index: list[int], ko_index: list[int]) -> Candidate:
        """Row ``n`` as a Candidate, with indices into the caller's lists."""
        i, j = (int(x) for x in self.pairs[n])
        return Candidate(
            en_index[i],
            ko_index[j],
            float(sigmoid(self.logit[n])),
            float(self.logit[n]),
            self.cheap.evidence(n, self.en, self.ko),
            float(self.cheap_logit[n]),
            self.verifications[n],
        )


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def score_candidates(
    en: Sequence[Article],
    ko: Sequence[Article],
    options: PairingOptions,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
) -> Field:
    """Prepare both sides, find the candidates, score them cheaply and verify the best few."""
    clock = _Stopwatch()
    if encoder is None:
        from aligner.align.embed import get_encoder

        encoder = get_encoder(options.encoder)

    def stage(name: str) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(name, done, total))

    en_side = prepare_side(
        en,
        options.en_lang,
        "en",
        encoder,
        text_chars=options.text_chars,
        lead_chars=options.lead_chars,
        progress=stage("encoding English"),
    )
    ko_side = prepare_side(
        ko,
        options.ko_lang,
        "ko",
        encoder,
        text_chars=options.ko_text_chars,
        lead_chars=options.ko_lead_chars,
        progress=stage("encoding Korean"),
    )
    clock.lap("prepare")
    pairs = candidate_pairs(
        en_side.body,
        ko_side.body,
        en_side.days,
        ko_side.days,
        options.candidates,
        options.window if options.date_window else None,
    )
    clock.lap("candidates")
    cheap = score_pairs(en_side, ko_side, pairs)
    cheap_logit = cheap.logit(options.weights)
    to_verify = pick_for_verification(pairs, cheap_logit, options)
    clock.lap("cheap scores")
    verifications: list[Verification | None] = [None] * len(pairs)
    rows = np.flatnonzero(to_verify)
    if len(rows):
        verifier = Verifier(options.en_lang, options.ko_lang, options.encoder, options.confident)
        for done, n in enumerate(rows, 1):
            i, j = int(pairs[n, 0]), int(pairs[n, 1])
            verifications[n] = verifier.verify(
                en_side.sentences[i], en_side.vectors_of(i), ko_side.sentences[j], ko_side.vectors_of(j)
            )
            if progress is not None and (done % 100 == 0 or done == len(rows)):
                progress("verifying", done, len(rows))
    final = verified_logit(cheap_logit, verifications, options.verify_weights)
    clock.lap("verify")
    return Field(en_side, ko_side, cheap, cheap_logit, verifications, final, clock.laps)


class _Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


# -- the result --------------------------------------------------------------------------------


@dataclass
class _Report:
    """Turns the field's rows into the caller's articles, with reasons.

    ``en_ok``/``ko_ok`` map the field's article numbers back to the caller's lists (the
    refused articles were left out of the field).
    """

    field: Field
    en: list[Article]
    ko: list[Article]
    en_ok: list[int]
    ko_ok: list[int]
    options: PairingOptions

    def candidate(self, n: int) -> Candidate:
        return self.field.candidate(n, self.en_ok, self.ko_ok)

    def proposed(self, c: Choice) -> ProposedPair:
        cand = self.candidate(c.n)
        runner = self.candidate(c.rival) if c.rival >= 0 else None
        label = None
        if runner is not None:
            label = ident(self.en[runner.en_index] if runner.ko_index == cand.ko_index else self.ko[runner.ko_index])
        return ProposedPair(
            self.en[cand.en_index],
            self.ko[cand.ko_index],
            cand,
            runner,
            c.too_close,
            label,
            c.en_margin,
            c.ko_margin,
            c.decided_by,
            c.sure,
        )

    def unpaired(self, choices: list[Choice]) -> tuple[list[Unpaired], list[Unpaired]]:
        """The English and the Korean articles no choice took, each with why."""
        pairs = self.field.pairs
        taken = [{int(pairs[c.n, side]) for c in choices} for side in (0, 1)]
        out: tuple[list[Unpaired], list[Unpaired]] = ([], [])
        for side, ok in ((0, self.en_ok), (1, self.ko_ok)):
            rows = self.field.rows_by_article(side)  # once per side: a big archive has many leftovers
            none = np.zeros(0, dtype=np.int64)
            out[side].extend(
                self.leftover(side, k, rows.get(k, none), taken[1 - side])
                for k in range(len(ok))
                if k not in taken[side]
            )
        return out

    def leftover(self, side: int, k: int, rows: np.ndarray, taken_other: set[int]) -> Unpaired:
        """Why article ``k`` of a side (0 English, 1 Korean), with candidate ``rows``, stayed unpaired."""
        name, index = ("en", self.en_ok[k]) if side == 0 else ("ko", self.ko_ok[k])
        article = self.en[index] if side == 0 else self.ko[index]
        if not len(rows):
            return Unpaired(article, index, name, OUTSIDE[name])
        verified = self.field.verified[rows]
        pool = rows[verified] if verified.any() else rows
        n = int(pool[np.argmax(self.field.logit[pool])])
        cand = self.candidate(n)
        partner = ident(self.ko[cand.ko_index] if side == 0 else self.en[cand.en_index])
        if cand.verification is None:
            reason = f"nothing convincing (best {partner} at {cand.score:.2f}, not worth aligning)"
        elif int(self.field.pairs[n, 1 - side]) in taken_other and cand.score >= self.options.min_score:
            reason = f"best candidate {partner} ({cand.score:.2f}) went to a stronger pair"
        else:
            reason = f"nothing convincing (best {partner} at {cand.score:.2f}; {cand.verification.reason()})"
        return Unpaired(article, index, name, reason, cand)


def pair_articles(
    en: list[Article],
    ko: list[Article],
    options: PairingOptions | None = None,
    *,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
) -> PairingResult:
    """Propose one-to-one (English, Korean) translation pairs, each with how sure and why.

    Articles with no text or in the wrong language are refused first (``rejected``), and
    dated articles with no possible partner inside the date window are left out before
    any encoding. Then: candidates by date window and nearest document vectors; cheap
    log-odds; the best few candidates of each article aligned to verify; a greedy
    one-to-one choice by the verified log-odds, taking a pair on its probability
    (``min_score``) or as a clear mutual best (``accept_margin``); each pair flagged
    ``sure`` or ``too_close``. ``encoder``: the sentence encoder (default:
    ``options.encoder``, loaded once); ``progress(stage, done, total)`` is called as the
    long stages advance.
    """
    options = options or PairingOptions()
    check_options(options)
    started = time.perf_counter()
    en_ok, en_refused = screen(en, "en", options.en_lang, options.check_language)
    ko_ok, ko_refused = screen(ko, "ko", options.ko_lang, options.check_language)
    rejected = en_refused + ko_refused
    if not en_ok or not ko_ok:
        return PairingResult(
            [],
            [Unpaired(en[i], i, "en", "no Korean articles to pair with") for i in en_ok],
            [Unpaired(ko[j], j, "ko", "no English articles to pair with") for j in ko_ok],
            rejected,
        )
    en_ok, ko_ok, en_alone, ko_alone = _inside_windows(en, ko, en_ok, ko_ok, options)
    screened = time.perf_counter()
    if not en_ok or not ko_ok:
        en_alone += [Unpaired(en[i], i, "en", OUTSIDE["en"]) for i in en_ok]
        ko_alone += [Unpaired(ko[j], j, "ko", OUTSIDE["ko"]) for j in ko_ok]
        return PairingResult([], en_alone, ko_alone, rejected)
    field = score_candidates([en[i] for i in en_ok], [ko[j] for j in ko_ok], options, encoder, progress)
    scored = time.perf_counter()
    choices = choose(field.pairs, field.logit, field.verified, options)
    report = _Report(field, en, ko, en_ok, ko_ok, options)
    unpaired_en, unpaired_ko = report.unpaired(choices)
    seconds = {"screen": screened - started, **field.seconds, "decide": time.perf_counter() - scored}
    return PairingResult(
        [report.proposed(c) for c in choices],
        unpaired_en + en_alone,
        unpaired_ko + ko_alone,
        rejected,
        candidates=len(field.pairs),
        verified=int(field.verified.sum()),
        seconds=seconds,
    )


OUTSIDE = {"en": "no Korean article dated inside its window", "ko": "no English article dated inside its window"}


def _inside_windows(
    en: list[Article], ko: list[Article], en_ok: list[int], ko_ok: list[int], options: PairingOptions
) -> tuple[list[int], list[int], list[Unpaired], list[Unpaired]]:
    """The articles with a possible partner inside the date window, and the others, unpaired."""
    if not options.date_window:
        return en_ok, ko_ok, [], []
    en_days = np.asarray([day_number(en[i].published) for i in en_ok], dtype=float)
    ko_days = np.asarray([day_number(ko[j].published) for j in ko_ok], dtype=float)
    en_in, ko_in = within_windows(en_days, ko_days, options.window)
    return (
        [i for i, ok in zip(en_ok, en_in) if ok],
        [j for j, ok in zip(ko_ok, ko_in) if ok],
        [Unpaired(en[i], i, "en", OUTSIDE["en"]) for i, ok in zip(en_ok, en_in) if not ok],
        [Unpaired(ko[j], j, "ko", OUTSIDE["ko"]) for j, ok in zip(ko_ok, ko_in) if not ok],
    )


def find_originals(
    en: Sequence[Article],
    candidates: Sequence[Article],
    options: PairingOptions | None = None,
    *,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
) -> list[OriginalMatch]:
    """The Korean original of each English article, chosen among ``candidates`` by content.

    For ``aligner run`` when an English page has no link to its original (or a broken
    one): give the English articles and the Korean articles that could be their originals
    (for instance every Korean page in the cache; dated or not, dates narrow the field).
    Returns one ``OriginalMatch`` per English article, in the same order: the chosen
    Korean article (None when nothing convinces), the probability that the two are a
    translation pair, ``sure`` (good enough to use unattended: probability at least
    ``options.sure_score`` and no rival within ``options.close_margin`` log-odds on either
    side), ``decided_by`` ("score" or "margin"), the margins over each side's runner-up,
    what aligning the pair found (``verification``) and ``how``: one line saying all that.
    Pairing is one-to-one: two English articles never get the same original. Articles in
    the wrong language or with no text get ``ko=None`` and the reason in ``how``.
    """
    en, candidates = list(en), list(candidates)
    result = pair_articles(en, candidates, options, encoder=encoder, progress=progress)
    by_en: dict[int, OriginalMatch] = {}
    for p in result.pairs:
        k = p.candidate.en_index
        runner = None
        if p.runner_up is not None and p.runner_up.en_index == k:
            runner = candidates[p.runner_up.ko_index]
        by_en[k] = OriginalMatch(
            p.en, p.ko, p.score, p.sure, p.why(), p.decided_by, p.en_margin, p.ko_margin, p.verification, runner
        )
    for u in result.unpaired_en + [r for r in result.rejected if r.side == "en"]:
        best = u.best
        by_en[u.index] = OriginalMatch(
            u.article, None, 0.0, False, u.reason, verification=best.verification if best is not None else None
        )
    return [by_en[k] for k in range(len(en))]
