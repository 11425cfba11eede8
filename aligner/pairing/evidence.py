"""The cheap evidence for candidate pairs, combined into one log-odds per pair.

Signals (each independent of the others, all cheap once the documents are prepared):
cross-lingual similarity of title, lead and body vectors; numbers shared by both texts
(rare numbers count more); Latin-script names of the Korean text found in the English;
publication dates (same day to four days later: for; far apart: against; missing:
neutral). ``PairingWeights`` turns them into log-odds. This narrows the field and ranks
candidates; the aligner's verification (``verify.py``) then decides.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from aligner.pairing.documents import Side


@dataclass(frozen=True)
class PairingWeights:
    """How much each cheap signal moves the log-odds that two articles are a translation pair.

    A logistic fit on candidate pairs of the dev halves (``benchmarks/pairing_bench.py
    --fit``), titled and bare, clean, edited and loose scenarios. ``date_far`` is not
    fitted: inside the date window no candidate is that far apart; it keeps the earlier
    fit's value for ``date_window=False``.
    """

    bias: float = -14.5
    title: float = 1.65  # cosine similarities of title, lead and body vectors, in [-1, 1]
    lead: float = 6.33
    body: float = 13.46
    numbers: float = 3.73  # weighted overlap of the two number sets, in [0, 1]
    names: float = 2.46  # share of the Korean text's Latin-script names found in English
    names_prior: float = 0.372  # share expected by chance; below it counts against
    date_near: float = 1.26  # English published 0-4 days after the Korean original
    date_far: float = -4.0  # more than ``far_days`` apart, or English well before Korean
    far_days: float = 14.0


@dataclass(frozen=True)
class Evidence:
    """The cheap signals of one candidate pair, kept so a person can see why it scored so."""

    title_sim: float
    lead_sim: float
    body_sim: float
    numbers: float | None  # None: one side has no numbers
    shared_numbers: tuple[str, ...]
    names: float | None  # None: no Latin-script names in the Korean text
    shared_names: tuple[str, ...]
    days: float | None  # English date minus Korean date, in days; None when either is missing

    def reasons(self) -> list[str]:
        """Short human-readable phrases, strongest signals first."""
        out = [f"body {self.body_sim:.2f}", f"lead {self.lead_sim:.2f}", f"title {self.title_sim:.2f}"]
        if self.numbers is not None:
            shown = ", ".join(self.shared_numbers[:5])
            out.append(f"numbers {self.numbers:.2f}" + (f" ({shown})" if shown else ""))
        if self.names is not None:
            shown = ", ".join(self.shared_names[:5])
            out.append(f"names {self.names:.2f}" + (f" ({shown})" if shown else ""))
        out.append("no date" if self.days is None else f"dates {self.days:+.1f} d")
        return out


def _idf(sets: Sequence[set[str]]) -> dict[str, float]:
    df = Counter(x for s in sets for x in s)
    n = max(1, len(sets))
    return {x: math.log((n + 1) / (c + 0.5)) for x, c in df.items()}


def _weighted(sets: Sequence[set[str]], vocab: dict[str, int], idf: dict[str, float] | None) -> sparse.csr_matrix:
    """One sparse row per set: each item's idf weight (1 without idf) in its vocabulary column."""
    rows, cols, vals = [], [], []
    for r, items in enumerate(sets):
        for item in items:
            c = vocab.get(item)
            if c is not None:
                rows.append(r)
                cols.append(c)
                vals.append(1.0 if idf is None else idf.get(item, 1.0))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(sets), max(1, len(vocab))), dtype=np.float64)


def _pair_dots(a: sparse.csr_matrix, b: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Row ``rows[n]`` of ``a`` dotted with row ``cols[n]`` of ``b``, for every n."""
    if not len(rows):
        return np.zeros(0)
    return np.asarray(a[rows].multiply(b[cols]).sum(axis=1)).ravel()


@dataclass
class CheapScores:
    """The cheap signals and their log-odds for candidate pairs (row n: ``pairs[n]``)."""

    pairs: np.ndarray  # (m, 2): English index, Korean index
    title: np.ndarray
    lead: np.ndarray
    body: np.ndarray
    numbers: np.ndarray
    numbers_mask: np.ndarray
    names: np.ndarray
    names_mask: np.ndarray
    days: np.ndarray  # NaN where a date is missing

    def date_flags(self, far_days: float) -> tuple[np.ndarray, np.ndarray]:
        """Pairs dated the way a translation is (same day to 4 days later), and pairs too far apart."""
        dated = ~np.isnan(self.days)
        d = np.nan_to_num(self.days, nan=0.0)
        near = dated & (d >= -1.0) & (d <= 4.0)
        far = dated & ((d > far_days) | (d < -2.0))
        return near, far

    def logit(self, w: PairingWeights) -> np.ndarray:
        """Log-odds that each candidate is a translation pair, by the cheap signals alone."""
        out = w.bias + w.title * self.title + w.lead * self.lead + w.body * self.body
        out = out + np.where(self.numbers_mask, w.numbers * self.numbers, 0.0)
        out = out + np.where(self.names_mask, w.names * (self.names - w.names_prior), 0.0)
        near, far = self.date_flags(w.far_days)
        return out + np.where(near, w.date_near, 0.0) + np.where(far, w.date_far, 0.0)

    def evidence(self, n: int, en: Side, ko: Side) -> Evidence:
        i, j = (int(x) for x in self.pairs[n])
        day = float(self.days[n])
        return Evidence(
            title_sim=float(self.title[n]),
            lead_sim=float(self.lead[n]),
            body_sim=float(self.body[n]),
            numbers=float(self.numbers[n]) if self.numbers_mask[n] else None,
            shared_numbers=tuple(sorted(en.numbers[i] & ko.numbers[j], key=lambda x: (-len(x), x))),
            names=float(self.names[n]) if self.names_mask[n] else None,
            shared_names=tuple(sorted(ko.names[j] & en.names[i])),
            days=None if math.isnan(day) else day,
        )


def score_pairs(en: Side, ko: Side, pairs: np.ndarray) -> CheapScores:
    """Every cheap signal for the candidate pairs (rows of ``pairs``)."""
    rows, cols = pairs[:, 0], pairs[:, 1]

    def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", a[rows], b[cols]).astype(np.float64) if len(rows) else np.zeros(0)

    idf = _idf(en.numbers + ko.numbers)
    vocab = {x: c for c, x in enumerate(sorted(idf))}
    a, b = _weighted(en.numbers, vocab, idf), _weighted(ko.numbers, vocab, idf)
    norm_a = np.sqrt(np.asarray(a.multiply(a).sum(axis=1)).ravel())
    norm_b = np.sqrt(np.asarray(b.multiply(b).sum(axis=1)).ravel())
    denom = norm_a[rows] * norm_b[cols]
    numbers_mask = denom > 0
    numbers = np.where(numbers_mask, _pair_dots(a, b, rows, cols) / np.maximum(denom, 1e-9), 0.0)

    name_idf = _idf(ko.names)
    name_vocab = {x: c for c, x in enumerate(sorted(name_idf))}
    k_names = _weighted(ko.names, name_vocab, name_idf)
    e_keys = _weighted(en.names, name_vocab, None)  # 1 for each of the Korean names the English text holds
    total = np.asarray(k_names.sum(axis=1)).ravel()
    names_mask = total[cols] > 0
    names = np.where(names_mask, _pair_dots(e_keys, k_names, rows, cols) / np.maximum(total[cols], 1e-9), 0.0)

    days = en.days[rows] - ko.days[cols]
    return CheapScores(
        pairs,
        cosine(en.title, ko.title),
        cosine(en.lead, ko.lead),
        cosine(en.body, ko.body),
        numbers,
        numbers_mask,
        names,
        names_mask,
        days,
    )
