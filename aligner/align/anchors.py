"""Cheap anchors the encoder misses: numbers, Latin-script names and acronyms, quotes.

Sentence encoders blur numbers ("3.5%" and "4.5%" embed alike) and rarely see romanised
names inside Korean text, yet a translator copies them. Each sentence gets a bag of
anchor tokens; a bead is rewarded for anchors both spans share and lightly charged for
anchors that only one side has, when the other side has anchors of that kind too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# a number: digit groups joined by . , ' or a thin/normal space before a group of three
# ("7,500", "7.500", "7 500", "1'000", "3.5", "3,5")
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3}(?!\d))+|\d+(?:[.,'’]\d+)*")
LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # ASCII, Latin-1 and Latin Extended-A/B letters
_LATIN_WORD = re.compile(rf"[{LATIN_LETTERS}][{LATIN_LETTERS}0-9&.\-]*[{LATIN_LETTERS}0-9]|[{LATIN_LETTERS}]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_QUOTE = re.compile(r"[\"“”„«»‹›「」『』]")


def number_tokens(text: str) -> list[str]:
    """Numbers by their digits alone, so the conventions of the two languages meet.

    "7,500" (English), "7.500" (German) and "7 500" (French) are all ``#7500``; "3.5"
    and "3,5" are both ``#35``. Dropping the separators makes 3.5 and 35 look alike,
    which two sentences that translate each other almost never need told apart.
    """
    return ["#" + re.sub(r"\D", "", raw) for raw in _NUMBER.findall(text)]


def latin_tokens(text: str, in_korean: bool) -> list[str]:
    """Latin-script words worth matching across scripts.

    Inside Korean text every Latin word is a borrowed name or acronym. In English only
    acronyms and capitalised words count (lower-cased for comparison), and the Korean
    side decides which of them are matched, so ordinary capitalised words cost nothing.
    """
    words = _LATIN_WORD.findall(text)
    if in_korean:
        return ["@" + w.lower().strip(".") for w in words]
    return ["@" + w.lower().strip(".") for w in words if w[0].isupper() and len(w) > 1]


def anchor_bag(text: str, lang: str) -> Counter:
    korean = lang in ("ko", "ja", "zh") or bool(_HANGUL.search(text))
    bag = Counter(number_tokens(text))
    bag.update(latin_tokens(text, korean))
    if _QUOTE.search(text):
        bag['"quote'] += 1
    return bag


@dataclass
class AnchorSignal:
    """Bonus ``reward`` per shared anchor, ``penalty`` per unmatched number."""

    reward: float = 0.6
    penalty: float = 0.3
    src_lang: str = "en"
    tgt_lang: str = "ko"

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> AnchorCosts:
        bags_s = [anchor_bag(s, self.src_lang) for s in src]
        bags_t = [anchor_bag(t, self.tgt_lang) for t in tgt]
        tgt_latin = {k for b in bags_t for k in b if k.startswith("@")}
        vocab = sorted({k for b in bags_s + bags_t for k in b})
        index = {k: n for n, k in enumerate(vocab)}
        S = np.zeros((len(src) + 1, len(vocab)), np.float32)
        T = np.zeros((len(tgt) + 1, len(vocab)), np.float32)
        for row, bag in enumerate(bags_s, 1):
            for k, c in bag.items():
                if not k.startswith("@") or k in tgt_latin:  # English capitals matter only if Korean has them
                    S[row, index[k]] = c
        for row, bag in enumerate(bags_t, 1):
            for k, c in bag.items():
                T[row, index[k]] = c
        is_number = np.array([k.startswith("#") for k in vocab], dtype=bool)
        return AnchorCosts(np.cumsum(S, axis=0), np.cumsum(T, axis=0), is_number, self.reward, self.penalty)


@dataclass
class AnchorCosts:
    src_prefix: np.ndarray  # (n+1, vocabulary) prefix sums of anchor counts
    tgt_prefix: np.ndarray
    is_number: np.ndarray
    reward: float
    penalty: float

    def __post_init__(self) -> None:
        self._src_numbers = self.src_prefix[:, self.is_number].sum(axis=1)
        self._tgt_numbers = self.tgt_prefix[:, self.is_number].sum(axis=1)

    def matrix(self, a: int, b: int) -> np.ndarray:
        """All beads of one shape at once (news-size pairs: n x m x anchors stays small)."""
        n, m = len(self.src_prefix) - 1, len(self.tgt_prefix) - 1
        out = np.zeros((n + 1, m + 1))
        if a == 0 or b == 0 or self.src_prefix.shape[1] == 0 or a > n or b > m:
            return out
        s = self.src_prefix[a:] - self.src_prefix[:-a]  # spans ending at a..n
        t = self.tgt_prefix[b:] - self.tgt_prefix[:-b]
        common = np.minimum(s[:, None, :], t[None, :, :])
        shared = common.sum(axis=2)
        shared_nums = common[:, :, self.is_number].sum(axis=2)
        nums_s = (self._src_numbers[a:] - self._src_numbers[:-a])[:, None]
        nums_t = (self._tgt_numbers[b:] - self._tgt_numbers[:-b])[None, :]
        unmatched = (nums_s - shared_nums) * (nums_t > 0) + (nums_t - shared_nums) * (nums_s > 0)
        cost = -self.reward * np.minimum(shared, 4) + self.penalty * np.minimum(unmatched, 4)
        no_anchor = ~s.any(axis=1)  # source span without anchors: only target numbers count
        cost[no_anchor] = self.penalty * np.minimum(np.broadcast_to(nums_t, (int(no_anchor.sum()), m + 1 - b)), 2)
        out[a:, b:] = cost
        return out

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        out = np.zeros(hi - lo)
        if a == 0 or b == 0 or i - a < 0 or self.src_prefix.shape[1] == 0:
            return out
        js = np.arange(lo, hi)
        ok = js - b >= 0
        end, start = js[ok], js[ok] - b
        nums_t = self._tgt_numbers[end] - self._tgt_numbers[start]
        s = self.src_prefix[i] - self.src_prefix[i - a]
        present = np.flatnonzero(s)  # a span holds few anchors: compare only those columns
        if not len(present):
            # numbers only on the target side: a weak sign of a wrong link
            out[ok] = self.penalty * np.minimum(nums_t, 2)
            return out
        cols = present[None, :]
        t = self.tgt_prefix[end[:, None], cols] - self.tgt_prefix[start[:, None], cols]
        common = np.minimum(t, s[present][None, :])
        shared = common.sum(axis=1)
        shared_nums = common[:, self.is_number[present]].sum(axis=1)
        nums_s = self._src_numbers[i] - self._src_numbers[i - a]
        unmatched = (nums_s - shared_nums) * (nums_t > 0) + (nums_t - shared_nums) * (nums_s > 0)
        out[ok] = -self.reward * np.minimum(shared, 4) + self.penalty * np.minimum(unmatched, 4)
        return out
