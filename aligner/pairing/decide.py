"""The decision: which candidates to align, their final log-odds, margins, and the one-to-one choice.

Pure functions over arrays indexed by candidate (row n is the pair ``pairs[n]``), so each
step can be tested on its own:

1. ``pick_for_verification``: per article, its best few candidates by the cheap log-odds
   (within ``verify_gap`` of its best, above ``verify_floor``). Nothing else can be chosen.
2. ``verified_logit``: cheap log-odds and the aligner's findings combined (``VerifyWeights``).
3. ``rivals``: for each verified candidate, the margin over the English article's next-best
   verified candidate and over the Korean article's (relative evidence).
4. ``choose``: greedy one-to-one, strongest first; a candidate is taken when its
   probability reaches ``min_score``, or when it is both sides' best by ``accept_margin``
   and reaches ``margin_floor``. Each choice says whether it is sure or too close to call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner.pairing.options import PairingOptions, VerifyWeights, logit
from aligner.pairing.verify import Verification


def sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


def _ranks(groups: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order of the candidates by group then score (best first), each one's rank in its
    group, and the group's best score, all in that order."""
    order = np.lexsort((-scores, groups))
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1] if len(g) else np.zeros(0, dtype=int)
    sizes = np.diff(np.r_[starts, len(g)])
    rank = np.arange(len(g)) - np.repeat(starts, sizes)
    best = np.repeat(scores[order][starts], sizes)
    return order, rank, best


def pick_for_verification(pairs: np.ndarray, cheap_logit: np.ndarray, options: PairingOptions) -> np.ndarray:
    """Mask of the candidates to align: each article's top ``verify_top`` by cheap log-odds,
    within ``verify_gap`` of its best and above ``verify_floor``, on either side."""
    mask = np.zeros(len(pairs), dtype=bool)
    for side in (0, 1):
        order, rank, best = _ranks(pairs[:, side], cheap_logit)
        s = cheap_logit[order]
        ok = (rank < options.verify_top) & (s >= best - options.verify_gap) & (s >= options.verify_floor)
        mask[order[ok]] = True
    return mask


def verified_logit(
    cheap_logit: np.ndarray, verifications: Sequence[Verification | None], w: VerifyWeights
) -> np.ndarray:
    """Final log-odds of verified candidates (cheap log-odds where there is no verification)."""
    out = np.asarray(cheap_logit, dtype=float).copy()
    for n, v in enumerate(verifications):
        if v is not None:
            out[n] = (
                w.bias
                + w.cheap * cheap_logit[n]
                + w.en_share * v.en_share
                + w.ko_share * v.ko_share
                + w.order * v.order
            )
    return out


@dataclass
class Rivals:
    """Per candidate: the strongest other verified candidate of the same English article
    (``en_rival``, -1 when none) and of the same Korean article, and the margins over them
    (NaN when there is no rival)."""

    en_rival: np.ndarray
    ko_rival: np.ndarray
    en_margin: np.ndarray
    ko_margin: np.ndarray


def _runner_up(groups: np.ndarray, scores: np.ndarray, among: np.ndarray) -> np.ndarray:
    """For each candidate, the best other candidate of its group among ``among`` (-1: none)."""
    out = np.full(len(groups), -1, dtype=np.int64)
    idx = np.flatnonzero(among)
    if not len(idx):
        return out
    order, rank, _ = _ranks(groups[idx], scores[idx])
    g = groups[idx][order]
    ranked = idx[order]
    first = rank == 0
    has_second = np.r_[(~first[1:]) & first[:-1], False]  # a group's first whose next is its second
    top = dict(zip(g[first], ranked[first]))
    second = dict(zip(g[has_second], ranked[np.flatnonzero(has_second) + 1]))
    for n in range(len(groups)):
        best = top.get(groups[n], -1)
        out[n] = second.get(groups[n], -1) if best == n else best
    return out


def rivals(pairs: np.ndarray, scores: np.ndarray, verified: np.ndarray) -> Rivals:
    """Each candidate's strongest verified rival on each side, and its margin over it."""
    en_rival = _runner_up(pairs[:, 0], scores, verified)
    ko_rival = _runner_up(pairs[:, 1], scores, verified)

    def margin(r: np.ndarray) -> np.ndarray:
        return np.where(r >= 0, scores - scores[np.maximum(r, 0)], np.nan)

    return Rivals(en_rival, ko_rival, margin(en_rival), margin(ko_rival))


@dataclass
class Choice:
    """A candidate chosen for a pair (``n``: its row), and how."""

    n: int
    decided_by: str  # "score" or "margin"
    sure: bool
    too_close: bool
    rival: int  # the strongest rival's row on either side, -1 when none
    en_margin: float | None  # over the English article's next-best verified candidate (None: no rival)
    ko_margin: float | None


def _clear(margin: float, needed: float) -> bool:
    """A margin of at least ``needed``, or no rival at all (NaN)."""
    return bool(np.isnan(margin) or margin >= needed)


def choose(pairs: np.ndarray, scores: np.ndarray, verified: np.ndarray, options: PairingOptions) -> list[Choice]:
    """Greedy one-to-one over the verified candidates, strongest first (see the module notes)."""
    r = rivals(pairs, scores, verified)
    min_logit, floor_logit = logit(options.min_score), logit(options.margin_floor)
    sure_logit, rival_floor = logit(options.sure_score), logit(options.runner_up_floor)
    taken_en: set[int] = set()
    taken_ko: set[int] = set()
    out: list[Choice] = []
    for n in np.flatnonzero(verified)[np.argsort(-scores[verified], kind="stable")]:
        i, j = int(pairs[n, 0]), int(pairs[n, 1])
        if i in taken_en or j in taken_ko:
            continue
        en_m, ko_m = r.en_margin[n], r.ko_margin[n]
        if scores[n] >= min_logit:
            how = "score"
        elif scores[n] >= floor_logit and _clear(en_m, options.accept_margin) and _clear(ko_m, options.accept_margin):
            how = "margin"
        else:
            continue
        close = [
            rv
            for rv, m in ((r.en_rival[n], en_m), (r.ko_rival[n], ko_m))
            if rv >= 0 and m < options.close_margin and scores[rv] >= rival_floor
        ]
        strongest = [rv for rv in (r.en_rival[n], r.ko_rival[n]) if rv >= 0]
        rival = max(strongest, key=lambda rv: scores[rv]) if strongest else -1
        out.append(
            Choice(
                int(n),
                how,
                bool(scores[n] >= sure_logit and not close),
                bool(close),
                int(rival),
                None if np.isnan(en_m) else float(en_m),
                None if np.isnan(ko_m) else float(ko_m),
            )
        )
        taken_en.add(i)
        taken_ko.add(j)
    return out
