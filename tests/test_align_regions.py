"""Alignments compared region by region (aligner.align.regions): where the regions fall, how a
region is judged, and which beads are kept."""

from __future__ import annotations

from aligner.align.regions import choose, coverage_match, pieces, regions, shared_cuts

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


def _diagonal(n: int) -> list[tuple[int, int, int, int]]:
    return [(k, k + 1, k, k + 1) for k in range(n)]


def test_a_long_stretch_is_cut_into_pieces_at_sure_one_to_one_beads():
    spans = _diagonal(100)
    sure = [0.5] * 100
    sure[29] = sure[61] = 0.99  # beads ending at (30, 30) and (62, 62)
    cut = pieces(spans, sure, cells=2_500)  # pieces of at most 50 x 50, cut from 25 x 25 on
    assert cut == [(0, 30, 0, 30), (30, 62, 30, 62), (62, 100, 62, 100)]
    # pieces cover the stretch once, in order
    assert all(a[1] == b[0] and a[3] == b[2] for a, b in zip(cut, cut[1:]))
    # a sure bead too early to cut at (a piece under a quarter of the cells) is passed by
    early = [0.5] * 100
    early[9] = 0.99
    assert pieces(spans, early, cells=2_500)[0] == (0, 50, 0, 50)


def test_without_a_sure_bead_a_piece_ends_where_it_would_outgrow_the_cells():
    spans = [(0, 0, 0, 1)] + _diagonal(60)[1:] + [(60, 62, 60, 60)]  # a 0-1 first, a 2-0 last
    spans[1] = (0, 2, 1, 2)  # a 2-1 after it
    cut = pieces(spans, [0.2] * len(spans), cells=400)
    assert all((i1 - i0) * (j1 - j0) <= 400 for i0, i1, j0, j1 in cut)
    assert cut[0][:3:2] == (0, 0) and cut[-1][1::2] == (62, 60)
    assert all(a[1] == b[0] and a[3] == b[2] for a, b in zip(cut, cut[1:]))
    # every cut is at a bead's end
    ends = {(i1, j1) for _, i1, _, j1 in spans}
    assert all((i1, j1) in ends for _, i1, _, j1 in cut)
    # a stretch within the cells is one piece, and nothing is cut from nothing
    assert pieces(spans, [0.2] * len(spans), cells=10_000) == [(0, 62, 0, 60)]
    assert pieces([], [], cells=10) == []
