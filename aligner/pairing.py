"""Which English article translates which Korean one, when no link says so.

The English edition is edited, not a literal translation, and appears within days of the
original. No single signal is enough, so several cheap, independent ones are combined
into one score per candidate pair (a log-odds, reported as a probability):

* cross-lingual similarity (multilingual sentence encoder) of the titles, the leads and
  the whole bodies;
* numbers shared by both texts, normalised across languages ("3만5천명" = "35,000",
  "1조2천억원" = "1.2 trillion won"), rare numbers counting more than common ones;
* Latin-script names and acronyms inside the Korean text (BBC, MWPs, Samsung) that the
  English text also contains;
* publication dates: the English version appears the same day or a few days later;
  a missing date is neutral, never a penalty.

A one-to-one assignment (Hungarian method) then picks the pairs that maximise the total
evidence; an article whose best candidate is not convincing stays unpaired, and a pair
whose runner-up is nearly as good is flagged as too close to call, so a person decides.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from aligner.model import Article

# -- the score's weights --------------------------------------------------------------
# Log-odds weights of a logistic model over the signals. A logistic fit on one half of
# the NTREX documents (benchmarks/pairing_bench.py --fit: edited copies, decoys,
# synthetic dates) was the starting point; the weights were then moved from the title
# toward the lead and body, because the English edition rewrites headlines, and checked
# on that half only. The other half is the held-out measure in benchmarks/RESULTS.md.


@dataclass(frozen=True)
class PairingWeights:
    """How much each signal moves the log-odds that two articles are a translation pair."""

    bias: float = -11.0
    title: float = 6.0  # cosine similarities of title, lead and body vectors, in [-1, 1]
    lead: float = 5.0
    body: float = 7.0
    numbers: float = 3.5  # weighted overlap of the two number sets, in [0, 1]
    names: float = 2.0  # share of the Korean text's Latin-script names found in English
    names_prior: float = 0.3  # share expected by chance; below it counts against
    date_near: float = 1.3  # English published 0-4 days after the Korean original
    date_far: float = -4.0  # more than ``far_days`` apart, or English well before Korean
    far_days: float = 14.0


DEFAULT_WEIGHTS = PairingWeights()


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The signals for one candidate pair, kept so a reviewer can see why it scored so."""

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


@dataclass(frozen=True)
class Candidate:
    """One scored (English, Korean) candidate; ``score`` is a probability in [0, 1]."""

    en_index: int
    ko_index: int
    score: float
    logit: float
    evidence: Evidence


@dataclass
class ProposedPair:
    """A pair the assignment chose, with the runner-up that competed for it."""

    en: Article
    ko: Article
    candidate: Candidate
    runner_up: Candidate | None = None
    too_close: bool = False
    runner_up_item: str | None = None  # URL, file or title of the runner-up article

    @property
    def score(self) -> float:
        return self.candidate.score

    @property
    def reasons(self) -> list[str]:
        out = self.candidate.evidence.reasons()
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
    scores: np.ndarray | None = None  # full probability matrix (en x ko), for diagnostics
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, reason): pair_command only

    @property
    def too_close(self) -> list[ProposedPair]:
        return [p for p in self.pairs if p.too_close]

    def as_dict(self) -> dict:
        """JSON-ready summary for ``--json``."""
        ident = _ident
        return {
            "pairs": [
                {
                    "en": ident(p.en),
                    "ko": ident(p.ko),
                    "score": round(p.score, 4),
                    "too_close": p.too_close,
                    "reasons": p.reasons,
                }
                for p in self.pairs
            ],
            "unpaired": [
                {"side": u.side, "item": ident(u.article), "reason": u.reason}
                for u in self.unpaired_en + self.unpaired_ko
            ],
            "rejected": [{"side": u.side, "item": ident(u.article), "reason": u.reason} for u in self.rejected],
            "unreadable": [{"item": path, "reason": reason} for path, reason in self.unreadable],
        }


def _ident(a: Article) -> str:
    """How an article is named in messages: its URL, else its file, else its title."""
    return a.url or a.source_path or a.title


# -- numbers --------------------------------------------------------------------------

_KO_SMALL = {"십": 10.0, "백": 100.0, "천": 1e3}
_KO_BIG = {"만": 1e4, "억": 1e8, "조": 1e12}
_KO_NUM = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?(십|백|천)?\s?(만|억|조)?")
_EN_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
    "b": 1e9, "trillion": 1e12, "tn": 1e12, "tr": 1e12,
}
_EN_NUM = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s?(thousand|million|billion|trillion|mn|bn|tn|tr|k|m|b)\b)?",
    re.IGNORECASE,
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
         "aug august", "sep sept september", "oct october", "nov november", "dec december"]
    )
    for m in names.split()
}
_EN_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_KO_MONTH = re.compile(r"(\d{1,2})월")


def _canon(value: float) -> str:
    """One spelling per value, to six significant digits (12.3 * 1e12 carries float noise):
    35000.0 -> "35000", 3.50 -> "3.5"."""
    value = float(f"{value:.6g}")
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return f"{value:.6g}"


def _to_float(digits: str) -> float | None:
    try:
        return float(digits.replace(",", ""))
    except ValueError:
        return None


def numbers_ko(text: str) -> set[str]:
    """Numbers in Korean text with their units folded in: "3만5천" -> 35000,
    "1조2천억" -> 1200000000000, "1억 2000만" -> 120000000."""
    groups: list[tuple[float, float, int, int]] = []  # (value, unit, start, end)
    for m in _KO_NUM.finditer(text):
        value = _to_float(m.group(1))
        if value is None:
            continue
        unit = _KO_SMALL.get(m.group(2) or "", 1.0) * _KO_BIG.get(m.group(3) or "", 1.0)
        groups.append((value * unit, unit, m.start(), m.end()))
    out: set[str] = set()
    i = 0
    while i < len(groups):
        total, unit, _start, end = groups[i]
        j = i + 1
        # Chain parts while each unit is smaller than the one before ("1억 2000만 500").
        while unit >= 1e4 and j < len(groups) and groups[j][2] - end <= 1 and groups[j][1] < unit:
            total += groups[j][0]
            unit, end = groups[j][1], groups[j][3]
            j += 1
        out.add(_canon(total))
        i = j
    for m in _KO_MONTH.finditer(text):
        out.add(str(int(m.group(1))))
    return {n for n in out if _informative(n)}


def numbers_en(text: str) -> set[str]:
    """Numbers in English text, with million/billion/bn scales folded in, months as numbers."""
    out: set[str] = set()
    for m in _EN_NUM.finditer(text):
        value = _to_float(m.group(1))
        if value is None:
            continue
        out.add(_canon(value))
        if m.group(2):
            out.add(_canon(value * _EN_SCALES[m.group(2).lower()]))
    for m in _EN_MONTH.finditer(text):
        word = m.group(1).lower()
        if word == "may" and not text[m.end():m.end() + 3].strip()[:1].isdigit():
            continue  # "may" the verb
        out.add(str(_MONTHS[word]))
    return {n for n in out if _informative(n)}


def _informative(n: str) -> bool:
    """Single digits say little (and English spells them out); keep 10 and up, and decimals."""
    return "." in n or len(n) >= 2


# -- Latin-script names ---------------------------------------------------------------

_URLISH = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[&'\-.][A-Za-z0-9]+)*")
_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:[&'\-.][A-Za-z0-9]+)*")
_NAME_STOP = frozenset({"com", "co", "kr", "net", "org", "www", "http", "https", "html", "the", "and", "of"})


def _name_key(token: str) -> str:
    """Compare names loosely: case, possessive 's and a plural acronym's s do not matter."""
    t = token.lower().rstrip(".")
    if t.endswith("'s"):
        t = t[:-2]
    if len(token) > 2 and token[:-1].isupper() and token.endswith("s"):
        t = t[:-1]  # MWPs -> mwp
    return t


def latin_names(text: str) -> set[str]:
    """Latin-script words in a Korean text: names, acronyms, brands (as loose keys)."""
    text = _URLISH.sub(" ", text)
    keys = {_name_key(t) for t in _LATIN.findall(text)}
    return {k for k in keys if len(k) >= 2 and k not in _NAME_STOP}


def english_keys(text: str) -> set[str]:
    """Every English word and its parts as loose keys, for looking names up."""
    out: set[str] = set()
    for tok in _EN_WORD.findall(text):
        out.add(_name_key(tok))
        for part in re.split(r"[&'\-.]", tok):
            if part:
                out.add(_name_key(part))
    return out


# -- dates ----------------------------------------------------------------------------


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d


# -- language check -------------------------------------------------------------------


def _language_problem(article: Article, expected: str) -> str | None:
    """Why an article cannot take part (wrong language, no text), or None when it can."""
    from aligner.errors import LanguageError
    from aligner.text.langcheck import check_language

    text = "\n".join(article.blocks()).strip()
    if not text:
        return "no text"
    try:
        check_language(text, expected, article.url or article.source_path or article.title)
    except LanguageError as exc:
        return exc.problem
    return None


# -- features -------------------------------------------------------------------------


def _lead_count(paragraphs: Sequence[str], min_chars: int) -> int:
    """How many first paragraphs make the lead: enough to carry the story's who/what/where."""
    size = 0
    for k, p in enumerate(paragraphs):
        size += len(p)
        if size >= min_chars:
            return k + 1
    return len(paragraphs)


def _encode_side(
    articles: Sequence[Article], encoder, lead_chars: int, max_paragraphs: int, max_chars: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Title, lead and body vectors; each paragraph is encoded once and the lead and body
    are (normalised) means of paragraph vectors, so long articles cost no more than needed."""
    titles: list[str] = []
    paragraphs: list[str] = []
    owners: list[int] = []
    in_lead: list[bool] = []
    for k, a in enumerate(articles):
        paras = [p[:max_chars] for p in a.paragraphs if p.strip()][:max_paragraphs]
        if not paras:
            paras = [a.title]
        titles.append(a.title or paras[0][:200])
        n_lead = _lead_count(paras, lead_chars)
        paragraphs += paras
        owners += [k] * len(paras)
        in_lead += [i < n_lead for i in range(len(paras))]
    vec_t = encoder.encode(titles)
    vec_p = encoder.encode(paragraphs)
    dim = vec_p.shape[1] if len(vec_p) else vec_t.shape[1]
    idx = np.asarray(owners, dtype=int)
    bodies = np.zeros((len(articles), dim), dtype=np.float32)
    leads = np.zeros((len(articles), dim), dtype=np.float32)
    np.add.at(bodies, idx, vec_p)
    lead_mask = np.asarray(in_lead, dtype=bool)
    np.add.at(leads, idx[lead_mask], vec_p[lead_mask])
    for m in (bodies, leads):
        m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return vec_t, leads, bodies


def _idf(sets: Sequence[set[str]]) -> dict[str, float]:
    df = Counter(x for s in sets for x in s)
    n = max(1, len(sets))
    return {x: math.log((n + 1) / (c + 0.5)) for x, c in df.items()}


def _weights(sets: Sequence[set[str]], vocab: dict[str, int], idf: dict[str, float]) -> np.ndarray:
    """One row per set: each item's idf weight (1 when it has none) in its vocabulary column;
    items outside the vocabulary are left out."""
    out = np.zeros((len(sets), len(vocab)), dtype=np.float32)
    for row, items in enumerate(sets):
        for item in items:
            col = vocab.get(item)
            if col is not None:
                out[row, col] = idf.get(item, 1.0)
    return out


def _set_overlap(
    a_sets: Sequence[set[str]], b_sets: Sequence[set[str]], idf: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted cosine overlap of sets (en x ko) and a mask of pairs where both are non-empty."""
    vocab = {x: i for i, x in enumerate(sorted({x for s in list(a_sets) + list(b_sets) for x in s}))}
    if not vocab:
        z = np.zeros((len(a_sets), len(b_sets)))
        return z, z.astype(bool)
    A, B = _weights(a_sets, vocab, idf), _weights(b_sets, vocab, idf)
    shared = A @ B.T  # sum over shared items of w_a * w_b
    na = np.sqrt((A**2).sum(1))
    nb = np.sqrt((B**2).sum(1))
    denom = np.outer(na, nb)
    mask = denom > 0
    return np.where(mask, shared / np.maximum(denom, 1e-9), 0.0), mask


def _name_share(
    ko_names: Sequence[set[str]], en_keys: Sequence[set[str]], idf: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted share of each Korean text's Latin names present in each English text (en x ko)."""
    vocab = {x: i for i, x in enumerate(sorted({x for s in ko_names for x in s}))}
    shape = (len(en_keys), len(ko_names))
    if not vocab:
        return np.zeros(shape), np.zeros(shape, dtype=bool)
    K = _weights(ko_names, vocab, idf)
    E = _weights(en_keys, vocab, {})  # 1 for each of the Korean text's names it holds
    total = K.sum(axis=1)
    mask = np.broadcast_to(total > 0, shape).copy()
    return (E @ K.T) / np.maximum(total, 1e-9)[None, :], mask


def _day_gaps(en: Sequence[Article], ko: Sequence[Article]) -> np.ndarray:
    """English date minus Korean date in days (en x ko); NaN where either is missing."""

    def stamps(articles: Sequence[Article]) -> np.ndarray:
        out = np.full(len(articles), np.nan)
        for k, a in enumerate(articles):
            d = _parse_date(a.published)
            if d is not None:
                out[k] = d.timestamp() / 86400.0
        return out

    return stamps(en)[:, None] - stamps(ko)[None, :]


# -- the pairing ----------------------------------------------------------------------


@dataclass
class PairingOptions:
    """Thresholds of ``pair_articles``."""

    # Probability below which a candidate is not convincing. The model's probabilities are
    # per candidate, before the one-to-one assignment removes competitors, so they run
    # low; 0.3 kept precision and gained recall on the fit half.
    min_score: float = 0.3
    close_margin: float = 1.5  # log-odds gap under which the runner-up is too close to call
    runner_up_floor: float = 0.2  # a runner-up below this probability is no competition
    check_language: bool = True
    date_window: bool = True  # skip Korean articles dated far outside the English ones' span
    en_lang: str = "en"
    ko_lang: str = "ko"
    lead_chars: int = 300  # English; Korean carries as much in about half the characters
    max_paragraphs: int = 20  # the body vector is the mean of at most this many paragraphs
    max_chars: int = 800  # per paragraph
    encoder: str = "use"
    weights: PairingWeights = DEFAULT_WEIGHTS


@dataclass
class Features:
    """The raw signals as (en x ko) matrices, before weighting (the benchmark fits on these)."""

    title: np.ndarray
    lead: np.ndarray
    body: np.ndarray
    numbers: np.ndarray
    numbers_mask: np.ndarray
    names: np.ndarray
    names_mask: np.ndarray
    days: np.ndarray  # NaN where a date is missing
    en_numbers: list[set[str]]
    ko_numbers: list[set[str]]
    ko_names: list[set[str]]
    en_keys: list[set[str]]

    def combine(self, w: PairingWeights) -> np.ndarray:
        """Log-odds that each English article translates each Korean one."""
        logit = w.bias + w.title * self.title + w.lead * self.lead + w.body * self.body
        logit = logit + np.where(self.numbers_mask, w.numbers * self.numbers, 0.0)
        logit = logit + np.where(self.names_mask, w.names * (self.names - w.names_prior), 0.0)
        near, far = self.date_flags(w.far_days)
        return logit + np.where(near, w.date_near, 0.0) + np.where(far, w.date_far, 0.0)

    def date_flags(self, far_days: float) -> tuple[np.ndarray, np.ndarray]:
        """Pairs dated the way a translation is (same day to 4 days later), and pairs too far apart."""
        dated = ~np.isnan(self.days)
        d = np.nan_to_num(self.days, nan=0.0)
        near = dated & (d >= -1.0) & (d <= 4.0)
        far = dated & ((d > far_days) | (d < -2.0))
        return near, far

    def evidence(self, i: int, j: int) -> Evidence:
        day = self.days[i, j]
        return Evidence(
            title_sim=float(self.title[i, j]),
            lead_sim=float(self.lead[i, j]),
            body_sim=float(self.body[i, j]),
            numbers=float(self.numbers[i, j]) if self.numbers_mask[i, j] else None,
            shared_numbers=tuple(sorted(self.en_numbers[i] & self.ko_numbers[j], key=lambda x: (-len(x), x))),
            names=float(self.names[i, j]) if self.names_mask[i, j] else None,
            shared_names=tuple(sorted(self.ko_names[j] & self.en_keys[i])),
            days=None if math.isnan(day) else float(day),
        )


def compute_features(
    en: Sequence[Article], ko: Sequence[Article], options: PairingOptions | None = None, encoder=None
) -> Features:
    """Every signal for every (English, Korean) candidate; each text is encoded once."""
    options = options or PairingOptions()
    if encoder is None:
        from aligner.align.embed import get_encoder

        encoder = get_encoder(options.encoder)
    et, el, eb = _encode_side(en, encoder, options.lead_chars, options.max_paragraphs, options.max_chars)
    kt, kl, kb = _encode_side(ko, encoder, options.lead_chars // 2, options.max_paragraphs, options.max_chars)

    en_text = ["\n".join(a.blocks()) for a in en]
    ko_text = ["\n".join(a.blocks()) for a in ko]
    en_nums = [numbers_en(t) for t in en_text]
    ko_nums = [numbers_ko(t) for t in ko_text]
    nums, nums_mask = _set_overlap(en_nums, ko_nums, _idf(en_nums + ko_nums))
    ko_names = [latin_names(t) for t in ko_text]
    en_keys = [english_keys(t) for t in en_text]
    names, names_mask = _name_share(ko_names, en_keys, _idf(ko_names))

    days = _day_gaps(en, ko)
    return Features(et @ kt.T, el @ kl.T, eb @ kb.T, nums, nums_mask, names, names_mask, days,
                    en_nums, ko_nums, ko_names, en_keys)


def check_options(options: PairingOptions) -> None:
    """Refuse thresholds the scoring cannot use: ``min_score`` becomes a log-odds cut,
    which 0, 1 and anything outside have none of."""
    from aligner.errors import AlignerError

    if not 0.0 < options.min_score < 1.0:
        raise AlignerError(f"min score {options.min_score:g}", "must be more than 0 and less than 1")
    if not options.close_margin >= 0.0:
        raise AlignerError(f"close margin {options.close_margin:g}", "must be 0 or more (a log-odds gap)")


def _sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


def pair_articles(
    en: list[Article],
    ko: list[Article],
    options: PairingOptions | None = None,
    *,
    encoder=None,
) -> PairingResult:
    """Propose one-to-one (English, Korean) translation pairs with scores and reasons.

    Articles whose text is not in the expected language are refused (``rejected``) before
    any scoring; the rest are scored, assigned one-to-one, and either paired, left
    unpaired (nothing convincing) or paired but flagged ``too_close`` (a runner-up within
    ``close_margin`` log-odds).
    """
    from scipy.optimize import linear_sum_assignment

    options = options or PairingOptions()
    check_options(options)
    rejected: list[Unpaired] = []
    en_ok: list[int] = list(range(len(en)))
    ko_ok: list[int] = list(range(len(ko)))
    for side, arts, keep, lang in (("en", en, en_ok, options.en_lang), ("ko", ko, ko_ok, options.ko_lang)):
        for k in list(keep):
            if options.check_language:
                problem = _language_problem(arts[k], lang)
            else:
                problem = None if "\n".join(arts[k].blocks()).strip() else "no text"
            if problem:
                rejected.append(Unpaired(arts[k], k, side, problem))
                keep.remove(k)

    # The Korean site publishes far more than the English edition translates: when every
    # English article is dated, Korean ones dated well outside their span are not even
    # encoded (they could only score with the far-date penalty).
    out_of_window: list[Unpaired] = []
    en_days = [_parse_date(en[i].published) for i in en_ok]
    if options.date_window and en_days and all(d is not None for d in en_days):
        first = min(en_days).timestamp() / 86400.0 - options.weights.far_days
        last = max(en_days).timestamp() / 86400.0 + 2.0
        for j in list(ko_ok):
            d = _parse_date(ko[j].published)
            if d is not None and not first <= d.timestamp() / 86400.0 <= last:
                out_of_window.append(Unpaired(ko[j], j, "ko", "dated outside the English articles' dates"))
                ko_ok.remove(j)

    full = np.full((len(en), len(ko)), np.nan)
    if not en_ok or not ko_ok:
        unpaired_en = [Unpaired(en[i], i, "en", "no Korean articles to pair with") for i in en_ok]
        unpaired_ko = [Unpaired(ko[j], j, "ko", "no English articles to pair with") for j in ko_ok]
        return PairingResult([], unpaired_en, unpaired_ko + out_of_window, rejected, full)

    sub_en = [en[i] for i in en_ok]
    sub_ko = [ko[j] for j in ko_ok]
    features = compute_features(sub_en, sub_ko, options, encoder)
    logit = features.combine(options.weights)
    prob = _sigmoid(logit)
    full[np.ix_(en_ok, ko_ok)] = prob

    def cand(a: int, b: int) -> Candidate:
        return Candidate(en_ok[a], ko_ok[b], float(prob[a, b]), float(logit[a, b]), features.evidence(a, b))

    threshold = math.log(options.min_score / (1.0 - options.min_score))
    benefit = np.maximum(logit - threshold, 0.0)
    rows, cols = linear_sum_assignment(-benefit)
    chosen = {(int(a), int(b)) for a, b in zip(rows, cols) if logit[a, b] >= threshold}
    taken_en = {a for a, _ in chosen}
    taken_ko = {b for _, b in chosen}

    pairs: list[ProposedPair] = []
    for a, b in sorted(chosen, key=lambda ab: -logit[ab]):
        best = cand(a, b)
        runner: Candidate | None = None
        row = logit[a].copy()
        row[b] = -np.inf
        col = logit[:, b].copy()
        col[a] = -np.inf
        ra, rb = int(np.argmax(row)) if len(ko_ok) > 1 else -1, int(np.argmax(col)) if len(en_ok) > 1 else -1
        options_ = []
        if ra >= 0:
            options_.append(cand(a, ra))
        if rb >= 0:
            options_.append(cand(rb, b))
        if options_:
            runner = max(options_, key=lambda c: c.logit)
        close = bool(
            runner is not None
            and runner.score >= options.runner_up_floor
            and best.logit - runner.logit < options.close_margin
        )
        label = None
        if runner is not None:
            other = en[runner.en_index] if runner.ko_index == best.ko_index else ko[runner.ko_index]
            label = _ident(other)
        pairs.append(ProposedPair(en[en_ok[a]], ko[ko_ok[b]], best, runner, close, label))

    def leftover(side: str, k: int) -> Unpaired:
        if side == "en":
            line = logit[k]
            best_b = int(np.argmax(line))
            c = cand(k, best_b)
            holder = best_b in taken_ko
            art, idx = en[en_ok[k]], en_ok[k]
            other = _ident(ko[c.ko_index])
        else:
            line = logit[:, k]
            best_a = int(np.argmax(line))
            c = cand(best_a, k)
            holder = best_a in taken_en
            art, idx = ko[ko_ok[k]], ko_ok[k]
            other = _ident(en[c.en_index])
        if c.score >= options.min_score and holder:
            reason = f"best candidate {other} ({c.score:.2f}) went to a stronger pair"
        else:
            reason = f"nothing convincing (best {other} at {c.score:.2f})"
        return Unpaired(art, idx, side, reason, c)

    unpaired_en = [leftover("en", a) for a in range(len(en_ok)) if a not in taken_en]
    unpaired_ko = [leftover("ko", b) for b in range(len(ko_ok)) if b not in taken_ko] + out_of_window
    return PairingResult(pairs, unpaired_en, unpaired_ko, rejected, full)


# -- the command ----------------------------------------------------------------------


def read_folder(folder: str | Path, lang: str) -> tuple[list[Article], list[tuple[str, str]]]:
    """Every page or text file under ``folder`` (recursively, hidden files skipped) as an
    Article, and the files that could not be read with the reason."""
    from aligner.errors import AlignerError, InputError
    from aligner.sources import read_article

    root = Path(folder)
    if not root.is_dir():
        raise InputError(str(root), "no such folder")
    articles: list[Article] = []
    bad: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if not path.is_file() or any(part.startswith(".") for part in rel):
            continue
        try:
            article = read_article(path, lang=lang)
        except AlignerError as exc:
            bad.append((str(path), exc.problem))
            continue
        if not article.url:
            article.source_path = str(path)
        articles.append(article)
    return articles, bad


def pair_command(
    en_dir: str | Path,
    ko_dir: str | Path,
    *,
    min_score: float | None = None,
    close_margin: float | None = None,
    check_language: bool = True,
    encoder: str = "use",
    record_in: str | Path | None = None,
) -> PairingResult:
    """``aligner pair EN_DIR KO_DIR``: read both folders (pages or plain texts), propose pairs.

    With ``record_in`` (a corpus folder), confident pairs (not too close to call) whose
    sides have URLs are appended to its ``pairs.jsonl`` with ``how="content"``. Raises an
    AlignerError (one line) for unusable thresholds and when every article of a side was
    refused (wrong language, no text), saying when the folders look swapped.
    """
    from aligner.errors import InputError

    options = PairingOptions(check_language=check_language, encoder=encoder)
    if min_score is not None:
        options.min_score = min_score
    if close_margin is not None:
        options.close_margin = close_margin
    check_options(options)  # before reading any folder
    en, bad_en = read_folder(en_dir, "en")
    ko, bad_ko = read_folder(ko_dir, "ko")
    if not en:
        raise InputError(str(en_dir), "no readable English articles")
    if not ko:
        raise InputError(str(ko_dir), "no readable Korean articles")
    result = pair_articles(en, ko, options)
    result.unreadable = bad_en + bad_ko
    _refuse_lost_side(result, (en_dir, len(en), options.en_lang), (ko_dir, len(ko), options.ko_lang))
    if record_in is not None:
        from aligner.sources.fetch import ManifestEntry, record_pair

        for p in result.pairs:
            if p.too_close or not (p.en.url and p.ko.url):
                continue
            record_pair(record_in, ManifestEntry(en_url=p.en.url, ko_url=p.ko.url, how="content",
                                                 en_title=p.en.title or None, ko_title=p.ko.title or None,
                                                 score=round(p.score, 4)))
    return result


def _refuse_lost_side(result: PairingResult, en: tuple[Path | str, int, str], ko: tuple[Path | str, int, str]) -> None:
    """Raise when every article of a side was refused: nothing can pair, and the usual
    cause, an English folder of Korean pages and a Korean one of English pages, deserves
    one line rather than a refusal per article and a zero exit."""
    from aligner.errors import AlignerError
    from aligner.text.langcheck import language_name

    refused = {side: [u for u in result.rejected if u.side == side] for side in ("en", "ko")}
    lost = [(side, folder, lang) for side, (folder, count, lang) in (("en", en), ("ko", ko))
            if count and len(refused[side]) == count]
    if not lost:
        return
    (en_dir, _, en_lang), (ko_dir, _, ko_lang) = en, ko
    if len(lost) == 2 and _all_read_as(refused["en"], ko_lang) and _all_read_as(refused["ko"], en_lang):
        first, second = language_name(en_lang), language_name(ko_lang)
        raise AlignerError(f"{en_dir}, {ko_dir}", f"the {first} folder reads as {second} and the {second} folder "
                           f"as {first}: the folders look swapped ({first} first, then {second})")
    side, folder, lang = lost[0]
    first_refused = refused[side][0]
    raise AlignerError(str(folder), f"no article can be paired as {language_name(lang)}: all {len(refused[side])} "
                       f"were refused (first {_ident(first_refused.article)}: {first_refused.reason})")


def _all_read_as(refused: list[Unpaired], lang: str) -> bool:
    """Every one of these articles is written in ``lang``."""
    from aligner.errors import LanguageError
    from aligner.text.langcheck import detect_language, iso_code

    try:
        return all(detect_language("\n".join(u.article.blocks())) == iso_code(lang) for u in refused)
    except LanguageError:  # no letters: not written in any language
        return False
