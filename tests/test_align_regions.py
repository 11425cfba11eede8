"""Alignments compared region by region (aligner.align.regions): where the regions fall, how a
region is judged, and which beads are kept."""

from __future__ import annotations

from aligner.align.regions import choose, coverage_match, regions, shared_cuts

# sentences 0-4 of the source and 0-3 of the target; the alignments agree but for sentences
# 1-2 of each side, which FIRST reads as two 1-1 beads, SECOND as one 2-2 and THIRD as a 1-2
# and a 1-0
FIRST = [(0, 1, 0, 1), (1, 2, 1, 2), (2, 3, 2, 3), (3, 4, 3, 3), (4, 5, 3, 4)]
SECOND = [(0, 1, 0, 1), (1, 3, 1, 3), (3, 4, 3, 3), (4, 5, 3, 4)]
THIRD = [(0, 1, 0, 1), (1, 2, 1, 3), (2, 3, 3, 3), (3, 4, 3, 3), (4, 5, 3, 4)]


def test_regions_end_where_every_alignment_ends_a_bead():
    assert shared_cuts(FIRST, SECOND) == {(1, 1), (3, 3), (4, 3), (5, 4)}
    assert shared_cuts(FIRST, SECOND, THIRD) == {(1, 1), (3, 3), (4, 3), (5, 4)}
    assert shared_cuts(FIRST, THIRD) == {(1, 1), (3, 3), (4, 3), (5, 4)}
    assert regions(FIRST, shared_cuts(FIRST, SECOND)) == [[0], [1, 2], [3], [4]]
    assert regions(SECOND, shared_cuts(FIRST, SECOND)) == [[0], [1], [2], [3]]
    # with no cut inside, one region holds every bead
    assert regions(FIRST, {(5, 4)}) == [[0, 1, 2, 3, 4]]


def test_a_region_is_judged_by_the_mean_match_over_its_sentences():
    # a 1-1 bead (two sentences) at 0.8 and a 1-0 bead (one sentence, matching nothing)
    assert coverage_match([(0, 1, 0, 1), (1, 2, 1, 1)], [0.8, 0.0]) == (2 * 0.8) / 3
    # a 2-2 bead at 0.6 weighs its four sentences
    assert coverage_match([(0, 2, 0, 2), (2, 3, 2, 3)], [0.6, 0.9]) == (4 * 0.6 + 2 * 0.9) / 6


def test_choose_keeps_the_best_region_and_says_whose_beads_they_are():
    asked: list = []

    def match(better: tuple[int, int, int, int]):
        def judge(spans):
            asked.append(list(spans))
            return [0.9 if span == better else 0.5 for span in spans]

        return judge

    # the second's 2-2 matches better than the first's two 1-1 beads: the second's bead is kept
    picked = choose([FIRST, SECOND], match((1, 3, 1, 3)))
    assert picked == [(0, 0), (1, 1), (0, 3), (0, 4)]
    # only the beads of the region where they differ were judged, in one call
    assert sorted(asked[0]) == [(1, 2, 1, 2), (1, 3, 1, 3), (2, 3, 2, 3)] and len(asked) == 1
    # the first's beads match better: all of the first's kept
    assert choose([FIRST, SECOND], match((1, 2, 1, 2))) == [(0, k) for k in range(5)]
    # a tie keeps the earlier alignment's
    assert choose([FIRST, SECOND], lambda spans: [0.5] * len(spans)) == [(0, k) for k in range(5)]
    assert choose([SECOND, FIRST], lambda spans: [0.5] * len(spans)) == [(0, k) for k in range(4)]
    # alignments that agree throughout: nothing to judge
    assert choose([FIRST, FIRST], lambda spans: asked.append(spans) or []) == [(0, k) for k in range(5)]
    assert len(asked) == 2


def test_choose_among_three_alignments():
    # the third's 1-2 is the best bead (this judge gives every other bead 0.5): its region wins
    picked = choose([FIRST, SECOND, THIRD], lambda spans: [1.0 if s == (1, 2, 1, 3) else 0.5 for s in spans])
    assert picked == [(0, 0), (2, 1), (2, 2), (0, 3), (0, 4)]
    # where the third is no better, the others are judged as before
    assert choose([FIRST, SECOND, THIRD], lambda spans: [0.9 if s == (1, 3, 1, 3) else 0.5 for s in spans]) == [
        (0, 0),
        (1, 1),
        (0, 3),
        (0, 4),
    ]
