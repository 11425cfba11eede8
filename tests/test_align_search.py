"""The search against brute force: Viterbi finds the cheapest path, posteriors are exact."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from aligner.align import AlignConfig, Aligner
from aligner.align.search import Band, dense_search, posteriors, viterbi

TYPES = AlignConfig(max_src=2, max_tgt=2).bead_types


def random_costs(n: int, m: int, seed: int):
    rng = np.random.default_rng(seed)
    table = {(i, a, b, j): rng.uniform(0, 3) for i in range(n + 1) for j in range(m + 1) for a, b in TYPES}

    def cost(i, a, b, lo, hi):
        return np.array([table[(i, a, b, j)] if i - a >= 0 and j - b >= 0 else np.inf for j in range(lo, hi)])

    return cost


def all_paths(n: int, m: int):
    """Every bead path from (0, 0) to (n, m), as lists of spans."""
    if n == 0 and m == 0:
        yield []
        return
    for a, b in TYPES:
        if a <= n and b <= m:
            for rest in all_paths(n - a, m - b):
                yield rest + [(n - a, n, m - b, m)]


def path_cost(cost, path):
    return sum(cost(i1, i1 - i0, j1 - j0, j1, j1 + 1)[0] for i0, i1, j0, j1 in path)


@pytest.mark.parametrize("n,m,seed", [(1, 1, 0), (3, 2, 1), (4, 4, 2), (2, 5, 3), (5, 3, 4)])
def test_viterbi_and_posteriors_match_brute_force(n, m, seed):
    cost = random_costs(n, m, seed)
    paths = list(all_paths(n, m))
    costs = [path_cost(cost, p) for p in paths]
    best = paths[int(np.argmin(costs))]
    band = Band.full(n, m)
    assert viterbi(n, m, TYPES, cost, band) == best

    temperature = 0.7
    weights = np.exp(-np.array(costs) / temperature)
    z = weights.sum()
    expected = [sum(w for p, w in zip(paths, weights) if span in p) / z for span in best]
    got = posteriors(n, m, TYPES, cost, band, best, temperature)
    assert got == pytest.approx(expected, rel=1e-6)


def matrices(cost, n: int, m: int, types) -> dict:
    return {(a, b): np.vstack([cost(i, a, b, 0, m + 1) for i in range(n + 1)]) for a, b in types}


@pytest.mark.parametrize("n,m,seed", [(1, 1, 0), (3, 2, 1), (4, 4, 2), (2, 5, 3), (5, 3, 4)])
def test_dense_search_matches_brute_force(n, m, seed):
    cost = random_costs(n, m, seed)
    paths = list(all_paths(n, m))
    costs = [path_cost(cost, p) for p in paths]
    best = paths[int(np.argmin(costs))]
    spans, got = dense_search(n, m, TYPES, matrices(cost, n, m, TYPES), 0.7)
    assert spans == best
    weights = np.exp(-np.array(costs) / 0.7)
    expected = [sum(w for p, w in zip(paths, weights) if span in p) / weights.sum() for span in best]
    assert got == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_dense_search_gives_the_band_search_answers_exactly(seed):
    """Same beads and the same posteriors to the last bit, ties and impossible beads included."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    types = AlignConfig(max_src=3, max_tgt=3).bead_types
    mats = {}
    for a, b in types:
        mat = rng.choice([0.5, 1.0, 2.0], size=(n + 1, m + 1)) if seed % 2 else rng.uniform(0, 4, (n + 1, m + 1))
        mat[rng.random((n + 1, m + 1)) < 0.1] = np.inf
        mat[:a, :] = np.inf
        mat[:, :b] = np.inf
        mats[(a, b)] = mat
    for a, b in ((1, 0), (0, 1)):  # some path always exists: skips everywhere possible
        mats[(a, b)][a:, b:] = np.minimum(mats[(a, b)][a:, b:], 3.0)

    def cost(i, a, b, lo, hi):
        return mats[(a, b)][i, lo:hi]

    band = Band.full(n, m)
    spans = viterbi(n, m, types, cost, band)
    probs = posteriors(n, m, types, cost, band, spans, 0.3)
    assert dense_search(n, m, types, mats, 0.3) == (spans, probs)


def test_band_restricts_search_but_keeps_a_path():
    n, m = 60, 55
    band = Band.around([(0, 0), (n, m)], n, m, width=3)
    assert band.area < (n + 1) * (m + 1) / 3
    cost = random_costs(n, m, 7)
    spans = viterbi(n, m, TYPES, cost, band)
    assert spans[0][0] == 0 and spans[-1][1] == n and spans[-1][3] == m
    for (_, i1, _, j1), (i0, _, j0, _) in zip(spans, spans[1:]):
        assert (i1, j1) == (i0, j0)


def test_fixed_beads_are_kept_and_gaps_aligned():
    src = ["One sentence here.", "Two is longer than one by far.", "Three.", "Four and more words."]
    tgt = ["하나.", "둘은 하나보다 훨씬 길다.", "셋.", "넷 그리고 더."]
    beads = Aligner().align(src, tgt, fixed=[(1, 2, 1, 2)])
    assert any(b.src == (1,) and b.tgt == (1,) and b.confidence == 1.0 for b in beads)
    covered_src = list(itertools.chain.from_iterable(b.src for b in beads))
    covered_tgt = list(itertools.chain.from_iterable(b.tgt for b in beads))
    assert covered_src == list(range(4)) and covered_tgt == list(range(4))


def test_confidences_are_probabilities():
    src = [f"Sentence number {i} with some words in it." for i in range(20)]
    tgt = [f"{i}번 문장입니다." for i in range(20)]
    beads = Aligner().align(src, tgt)
    assert all(0.0 <= b.confidence <= 1.0 for b in beads)
    assert not math.isnan(sum(b.score for b in beads))
