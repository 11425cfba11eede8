"""Two alignments compared region by region (aligner.align.regions): where the regions fall,
how a region is judged, and which beads are kept."""

from __future__ import annotations

from aligner.align.regions import choose, coverage_match, regions, shared_cuts

# sentences 0-4 of the source and 0-3 of the target; the two agree but for sentences 1-2 of
# each side, which the first reads as two 1-1 beads and the second as one 2-2
FIRST = [(0, 1, 0, 1), (1, 2, 1, 2), (2, 3, 2, 3), (3, 4, 3, 3), (4, 5, 3, 4)]
SECOND = [(0, 1, 0, 1), (1, 3, 1, 3), (3, 4, 3, 3), (4, 5, 3, 4)]


def test_regions_end_where_both_alignments_end_a_bead():
    assert shared_cuts(FIRST, SECOND) == {(1, 1), (3, 3), (4, 3), (5, 4)}
    assert regions(FIRST, shared_cuts(FIRST, SECOND)) == [[0], [1, 2], [3], [4]]
    assert regions(SECOND, shared_cuts(FIRST, SECOND)) == [[0], [1], [2], [3]]
    # with no cut inside, one region holds every bead
    assert regions(FIRST, {(5, 4)}) == [[0, 1, 2, 3, 4]]


def test_a_region_is_judged_by_the_mean_match_over_its_sentences():
    # a 1-1 bead (two sentences) at 0.8 and a 1-0 bead (one sentence, matching nothing)
    assert coverage_match([(0, 1, 0, 1), (1, 2, 1, 1)], [0.8, 0.0]) == (2 * 0.8) / 3
    # a 2-2 bead at 0.6 weighs its four sentences
    assert coverage_match([(0, 2, 0, 2), (2, 3, 2, 3)], [0.6, 0.9]) == (4 * 0.6 + 2 * 0.9) / 6


def test_choose_keeps_the_better_region_and_says_whose_beads_they_are():
    asked: list = []

    def match(better: tuple[int, int, int, int]):
        def judge(spans):
            asked.append(list(spans))
            return [0.9 if span == better else 0.5 for span in spans]

        return judge

    # the second's 2-2 matches better than the first's two 1-1 beads: the second's bead is kept
    picked = choose(FIRST, SECOND, match((1, 3, 1, 3)))
    assert picked == [(0, 0), (1, 1), (0, 3), (0, 4)]
    # only the beads of the region where they differ were judged, in one call
    assert asked == [[(1, 2, 1, 2), (2, 3, 2, 3), (1, 3, 1, 3)]]
    # the first's beads match better: all of the first's kept
    assert choose(FIRST, SECOND, match((1, 2, 1, 2))) == [(0, k) for k in range(5)]
    # a tie keeps the first's
    assert choose(FIRST, SECOND, lambda spans: [0.5] * len(spans)) == [(0, k) for k in range(5)]
    # alignments that agree throughout: nothing to judge
    assert choose(FIRST, FIRST, lambda spans: asked.append(spans) or []) == [(0, k) for k in range(5)]
    assert len(asked) == 2
