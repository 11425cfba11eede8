"""A translation lexicon learned from the corpus itself (IBM Model 1), and its signal.

Why: the encoder knows general vocabulary, but a news corpus repeats its own names,
titles and jargon (국방부 / Defense Ministry); a lexicon trained on the corpus's confident
and reviewer-accepted beads learns them, so the aligner improves as the corpus grows.

Tokens are stems by truncation, which needs no analyser and runs at text speed: English
words lower-cased and cut to 5 letters, Korean words cut to their first 2 syllables (the
stem part of most eojeol, before particles and endings), numbers and Latin words whole.
Model 1 is trained in both directions; a bead's lexical score is the average, over the
known words of each side, of the best translation probability found in the other side.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.align.anchors import LATIN_LETTERS

_WORD = re.compile(rf"[{LATIN_LETTERS}]+|\d+(?:[.,]\d+)*|[\uac00-\ud7a3]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
NULL = "<null>"


def lexicon_tokens(text: str) -> list[str]:
    """Truncation stems of the words of a sentence (any language)."""
    out = []
    for word in _WORD.findall(text):
        if _HANGUL.match(word):
            out.append(word[:2])
        elif word[0].isdigit():
            out.append(word.replace(",", ""))
        else:
            out.append(word.lower()[:5])
    return out


Table = dict[str, dict[str, float]]


@dataclass
class Lexicon:
    """Translation probabilities both ways: ``forward[src][tgt]`` = t(tgt | src)."""

    forward: Table = field(default_factory=dict)
    backward: Table = field(default_factory=dict)
    pairs: int = 0

    def __len__(self) -> int:
        return sum(len(v) for v in self.forward.values())

    def entries(self) -> Iterable[tuple[str, str, str, float]]:
        """(direction, word, translation, probability) rows, for storing."""
        for direction, table in (("f", self.forward), ("b", self.backward)):
            for s, row in table.items():
                for t, p in row.items():
                    yield direction, s, t, p

    @classmethod
    def from_entries(cls, rows: Iterable[tuple[str, str, str, float]], pairs: int = 0) -> Lexicon:
        lex = cls(pairs=pairs)
        for direction, s, t, p in rows:
            (lex.forward if direction == "f" else lex.backward).setdefault(s, {})[t] = p
        return lex


def _model1(pairs: Sequence[tuple[list[str], list[str]]], iterations: int, min_prob: float) -> Table:
    """t(f | e) by EM over sentence pairs (e gets a NULL word), pruned below ``min_prob``."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for e_sent, f_sent in pairs:
        for e in [NULL, *e_sent]:
            row = t[e]
            for f in f_sent:
                row[f] = 1.0
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for e_sent, f_sent in pairs:
            es = [NULL, *e_sent]
            for f in f_sent:
                probs = [t[e].get(f, 0.0) for e in es]
                z = sum(probs)
                if z <= 0:
                    continue
                for e, p in zip(es, probs):
                    if p:
                        counts[e][f] += p / z
        t = defaultdict(dict)
        for e, row in counts.items():
            total = sum(row.values())
            t[e] = {f: c / total for f, c in row.items()}
    return {e: {f: p for f, p in row.items() if p >= min_prob} for e, row in t.items() if e != NULL}


def train_lexicon(
    pairs: Iterable[tuple[str, str]], iterations: int = 5, min_prob: float = 0.02, min_count: int = 2
) -> Lexicon:
    """Train on (source text, target text) pairs; words seen fewer than ``min_count`` times are left out."""
    tokenised = [(lexicon_tokens(s), lexicon_tokens(t)) for s, t in pairs]
    freq: dict[str, int] = defaultdict(int)
    for s, t in tokenised:
        for w in set(s) | set(t):
            freq[w] += 1
    kept = [([w for w in s if freq[w] >= min_count], [w for w in t if freq[w] >= min_count]) for s, t in tokenised]
    kept = [(s, t) for s, t in kept if s and t]
    return Lexicon(
        forward=_model1(kept, iterations, min_prob),
        backward=_model1([(t, s) for s, t in kept], iterations, min_prob),
        pairs=len(kept),
    )


@dataclass
class LexiconSignal:
    """Cost = weight * (base - lexical score) for beads with text on both sides."""

    lexicon: Lexicon
    weight: float = 2.0
    base: float = 0.3
    max_cells: int = 250_000  # word-by-sentence tables grow with n x m: long pairs go without

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> LexiconCosts:
        if (len(src) + 1) * (len(tgt) + 1) > self.max_cells:
            empty = _Coverage(np.zeros((0, len(tgt))), np.zeros(0, dtype=np.int64), len(src))
            back = _Coverage(np.zeros((0, len(src))), np.zeros(0, dtype=np.int64), len(tgt))
            return LexiconCosts(empty, back, 0.0, self.base)
        s_tok = [lexicon_tokens(x) for x in src]
        t_tok = [lexicon_tokens(x) for x in tgt]
        cov_s = _coverage(s_tok, t_tok, self.lexicon.forward)
        cov_t = _coverage(t_tok, s_tok, self.lexicon.backward)
        return LexiconCosts(cov_s, cov_t, self.weight, self.base)


@dataclass
class _Coverage:
    """Per word occurrence of one side: best probability in each sentence of the other side."""

    best: np.ndarray  # (occurrences, sentences of the other side)
    sentence_of: np.ndarray  # (occurrences,) which sentence of this side the word is in
    n: int


def _coverage(side: list[list[str]], other: list[list[str]], table: Table) -> _Coverage:
    occurrences, sentence_of = [], []
    for i, words in enumerate(side):
        for w in words:
            if w in table:
                occurrences.append(table[w])
                sentence_of.append(i)
    best = np.zeros((len(occurrences), len(other)))
    for j, words in enumerate(other):
        for k, row in enumerate(occurrences):
            best[k, j] = max((row.get(w, 0.0) for w in words), default=0.0)
    return _Coverage(best, np.array(sentence_of, dtype=np.int64), len(side))


@dataclass
class LexiconCosts:
    src: _Coverage
    tgt: _Coverage
    weight: float
    base: float

    def _side(self, cov: _Coverage, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Sum of best probabilities and word counts for spans of ``a`` own and ``b`` other sentences.

        Returns arrays indexed [own span end, other span end] with shape (n+1, m+1).
        """
        m = cov.best.shape[1]
        window = np.zeros((len(cov.best), m + 1))
        if len(cov.best) and m:
            # best over the other side's span of b sentences ending at each column
            padded = np.concatenate([np.zeros((len(cov.best), 1)), cov.best], axis=1)
            window = padded.copy()
            for shift in range(1, b):
                window[:, shift:] = np.maximum(window[:, shift:], padded[:, : m + 1 - shift])
            window[:, :b] = 0.0
        per_sentence = np.zeros((cov.n + 1, m + 1))
        counts = np.zeros(cov.n + 1)
        np.add.at(per_sentence, cov.sentence_of + 1, window)
        np.add.at(counts, cov.sentence_of + 1, 1)
        prefix = np.cumsum(per_sentence, axis=0)
        count_prefix = np.cumsum(counts)
        sums = np.zeros_like(prefix)
        sums[a:] = prefix[a:] - prefix[:-a]
        words = np.zeros_like(count_prefix)
        words[a:] = count_prefix[a:] - count_prefix[:-a]
        return sums, words

    def matrix(self, a: int, b: int) -> np.ndarray:
        n, m = self.src.n, self.tgt.n
        if a == 0 or b == 0:
            return np.zeros((n + 1, m + 1))
        s_sum, s_words = self._side(self.src, a, b)  # (n+1, m+1)
        t_sum, t_words = self._side(self.tgt, b, a)  # (m+1, n+1)
        total = s_sum + t_sum.T
        words = s_words[:, None] + t_words[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(words > 0, total / words, self.base)
        return self.weight * (self.base - score)

    def __call__(self, i: int, a: int, b: int, lo: int, hi: int) -> np.ndarray:
        if a == 0 or b == 0 or self.weight == 0.0:
            return np.zeros(hi - lo)
        return self.matrix(a, b)[i, lo:hi]
