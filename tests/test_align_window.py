"""The anchor-and-window search (aligner.align.window): alone, as the engine's second opinion
on documents it reads as faithful (``EngineParams.window_from``), and as the Bertalign-style
peer of the benchmarks."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import numpy as np
import pytest

from aligner.align.engine import EngineParams, build_engine
from aligner.align.window import AnchorWindow, WindowCosts, window_bounds
from aligner.evaluate import read_beads, score_many
from tests.conftest import ROOT
from tests.scripts import load_script

EVAL = ROOT / "corpora" / "eval"


def _ntrex_dev() -> list[str]:
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    return sorted(d for d, half in halves.items() if half == "dev")


@pytest.fixture(scope="module")
def faithful() -> tuple[list[str], list[str], list]:
    """Faithful news built from three shipped NTREX dev articles (benchmarks/faithful_news.py):
    the engine reads it as faithful."""
    return load_script("faithful_news").faithful_news(_ntrex_dev()[6:9], EVAL)


def _pairs(spans):
    return [(tuple(range(i0, i1)), tuple(range(j0, j1))) for i0, i1, j0, j1 in spans]


def test_the_window_search_finds_the_large_beads_of_a_faithful_translation(faithful):
    src, tgt, gold = faithful
    encode = build_engine().signals[1].encode
    spans, probs = AnchorWindow(encode).search(src, tgt, 0.2)
    found = _pairs(spans)
    assert sum(i1 - i0 for i0, i1, _, _ in spans) == len(src) and sum(j1 - j0 for _, _, j0, j1 in spans) == len(tgt)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # in order, each sentence once
    big = Counter((len(s), len(t)) for s, t in set(found) & set(gold) if len(s) + len(t) >= 3)
    # every 1-3, 1-4 and 3-1 bead of the gold found whole, and one of its two 2-2 crossings
    gold_big = Counter((len(s), len(t)) for s, t in gold if len(s) + len(t) >= 4)
    assert set(gold_big) == {(1, 3), (1, 4), (3, 1), (2, 2)}
    assert all(big[shape] == k for shape, k in gold_big.items() if shape != (2, 2)) and big[(2, 2)] >= 1
    assert score_many([(gold, found)]).strict_f1 > 0.75
    assert len(probs) == len(spans) and all(0.0 <= q <= 1.0 for q in probs)
    # the posteriors weigh every path through the window by exp(score / T): as T falls the best
    # path takes all the mass, as it rises the mass spreads over the many near-equal paths
    by_temperature = [np.mean(AnchorWindow(encode).search(src, tgt, t)[1]) for t in (0.005, 0.2, 1.0)]
    assert by_temperature[0] > 0.99 and by_temperature[0] > by_temperature[1] > by_temperature[2]
    assert np.isclose(np.mean(probs), by_temperature[1])
    assert AnchorWindow(encode).align(src, tgt) == spans  # the same beads without posteriors
    assert AnchorWindow(encode).search(src, [], 0.2) == ([(i, i + 1, 0, 0) for i in range(len(src))], [1.0] * len(src))


def test_the_window_keeps_every_row_reachable_and_both_corners_inside():
    lo, hi = window_bounds([(0, 0), (5, 9), (6, 10)], 8, 12, 2)
    assert lo[0] == 0 and hi[-1] == 13 and all(lo[i] < hi[i - 1] for i in range(1, 9))
    assert all(lo[i] <= lo[i + 1] for i in range(8))  # a path never has to move left


def test_beads_score_as_bertalign_defines_them_single_neighbours_and_bytes():
    """Bertalign's reference implementation, which the peer stands for: the margin compares each
    side's text with the single sentences just before and after the other side's span (not
    spans of its size; a neighbour beyond the document is left out), and the length penalty
    counts UTF-8 bytes of the joined text, where a Korean letter is three."""
    src = [
        "The city opened a new library on Monday.",
        "It holds 40,000 books.",
        "Children can borrow up to ten at a time.",
        "The mayor called it a gift to the next generation.",
    ]
    tgt = [
        "시는 월요일에 새 도서관을 열었다.",
        "4만 권의 책을 소장하고 있으며 어린이는 한 번에 열 권까지 빌릴 수 있다.",
        "시장은 이를 다음 세대에 주는 선물이라고 했다.",
    ]
    encode = build_engine().signals[1].encode

    def unit(*texts: str) -> np.ndarray:
        v = encode([" ".join(texts)])[0]
        return v / np.linalg.norm(v)

    ratio = sum(len(x.encode("utf-8")) for x in tgt) / sum(len(x.encode("utf-8")) for x in src)

    def penalty(src_text: str, tgt_text: str) -> float:
        l1, l2 = len(src_text.encode("utf-8")) * ratio, len(tgt_text.encode("utf-8"))
        return float(np.log2(1 + min(l1, l2) / max(l1, l2)))

    costs = WindowCosts.of(src, tgt, AnchorWindow(encode))
    # the 2-1 bead of source sentences 1-2 and target sentence 1 (ends at row 3, column 2)
    s, t = unit(*src[1:3]), unit(tgt[1])
    margin = ((unit(tgt[0]) @ s + unit(tgt[2]) @ s) / 2 + (unit(src[0]) @ t + unit(src[3]) @ t) / 2) / 2
    expected = (s @ t - margin) * penalty(" ".join(src[1:3]), tgt[1])
    assert np.isclose(-costs(3, 2, 1, 2, 3)[0], expected, atol=1e-4)
    # the first sentences: nothing before either span, so each side counts its next sentence alone
    s, t = unit(src[0]), unit(tgt[0])
    margin = (unit(tgt[1]) @ s + unit(src[1]) @ t) / 2
    assert np.isclose(-costs(1, 1, 1, 1, 2)[0], (s @ t - margin) * penalty(src[0], tgt[0]), atol=1e-4)
    assert costs(1, 1, 0, 0, 3).tolist() == [0.1] * 3  # a skip scores -0.1


def _strict(gold, beads) -> float:
    return score_many([(gold, beads)]).strict_f1


def test_on_faithful_documents_the_engine_keeps_the_better_search_region_by_region(faithful):
    """A document read as faithful is aligned by the engine and by the window search (with
    Bertalign's margin and without), and where they disagree the beads that match better by
    their text are kept: here the window search's in two regions, which makes the pair right
    throughout where the engine and Bertalign's search alone are not (0.82 and 0.88; the
    search without the margin gets it right too). On the ``faithful`` pair the
    window search splits a bead the engine gets right, and the engine's stays. An edited
    document reads below the threshold and never asks."""
    assert EngineParams().window_from is not None
    off = dataclasses.replace(EngineParams(), window_from=None)
    src, tgt, gold = load_script("faithful_news").faithful_news(_ntrex_dev()[15:18], EVAL)
    aligner, alone = build_engine(), build_engine(params=off)
    beads, own = aligner.align(src, tgt), [(b.src, b.tgt) for b in alone.align(src, tgt)]
    encode = aligner.signals[1].encode
    window, plain = (_pairs(AnchorWindow(encode, margin=margin).align(src, tgt)) for margin in (True, False))
    assert aligner.last_faithfulness >= EngineParams().window_from and any(aligner.last_windowed)
    for bead, windowed in zip(beads, aligner.last_windowed):
        assert (bead.src, bead.tgt) in (window + plain if windowed else own)
    assert (
        _strict(gold, beads) >= max(_strict(gold, plain), 0.95) and max(_strict(gold, own), _strict(gold, window)) < 0.9
    )
    assert len(aligner.align(src[:2], [])) == 2 and aligner.last_windowed == [False, False]  # not the last pair's
    src, tgt, gold = faithful
    beads = aligner.align(src, tgt)
    assert not any(aligner.last_windowed) and [(b.src, b.tgt) for b in beads] == [
        (b.src, b.tgt) for b in alone.align(src, tgt)
    ]
    assert (
        _strict(gold, beads) == 1.0
        and _strict(gold, _pairs(AnchorWindow(aligner.signals[1].encode).align(src, tgt))) < 1
    )
    doc = _ntrex_dev()[0]
    edited = [(EVAL / "ntrex-hard" / side / doc).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt")]
    assert [(b.src, b.tgt, b.confidence) for b in aligner.align(*edited)] == [
        (b.src, b.tgt, b.confidence) for b in alone.align(*edited)
    ]
    assert not any(aligner.last_windowed)


def test_a_document_too_long_for_the_window_search_gets_its_opinion_piece_by_piece():
    """Past ``window_cells`` the window search aligns the document in pieces cut at the engine's
    sure 1-1 beads (its anchor step compares every sentence of a piece with every other), and
    the pieces' second opinion is as good as the whole's: here the faithful pair of the test
    above, cut into several pieces, gets the beads the whole pair gets."""
    src, tgt, gold = load_script("faithful_news").faithful_news(_ntrex_dev()[15:18], EVAL)
    whole, cut = build_engine(), build_engine()
    cut.config.window_cells = len(src) * len(tgt) // 4  # pieces of 1/16 to 1/4 of the pair
    beads = cut.align(src, tgt)
    assert cut.last_faithfulness >= EngineParams().window_from and any(cut.last_windowed)
    assert _strict(gold, beads) >= 0.95
    # the same beads as the whole pair's second opinion
    assert [(b.src, b.tgt) for b in beads] == [(b.src, b.tgt) for b in whole.align(src, tgt)]


def test_window_beads_report_their_own_calibration_of_what_calibrate_py_rebuilds():
    """benchmarks/calibrate.py fits the window search's calibration on features rebuilt from
    the beads it reports uncalibrated; mapped through that calibration they give what the
    calibrated engine reports for the window search's beads, and the engine's own
    calibration gives what it reports for the rest."""
    src, tgt, _ = load_script("faithful_news").faithful_news(_ntrex_dev()[15:18], EVAL)
    aligner = build_engine()
    beads = aligner.align(src, tgt)
    raw_aligner = build_engine(params=dataclasses.replace(EngineParams(), calibration=None, window_calibration=None))
    raw = raw_aligner.align(src, tgt)
    assert [(b.src, b.tgt) for b in raw] == [(b.src, b.tgt) for b in beads]
    assert raw_aligner.last_windowed == aligner.last_windowed and any(aligner.last_windowed)
    features = raw_aligner.features_of(src, tgt, raw)
    reported = np.array([b.confidence for b in beads])
    marked = np.array(aligner.last_windowed)
    window, engine = aligner.config.window_calibration, aligner.config.calibration
    assert window is not None and engine is not None
    assert np.allclose(window.probability(features[marked]), window.estimate(reported[marked]), atol=0.005)
    assert np.allclose(engine.probability(features[~marked]), engine.estimate(reported[~marked]), atol=0.005)
    assert not np.allclose(engine.probability(features[marked]), engine.estimate(reported[marked]), atol=0.01)


def test_the_bertalign_style_peer_aligns_a_news_document():
    """``bertalign-use`` (benchmarks/peers.py) runs the window search alone on the engine's encoder."""
    peers = load_script("peers")
    peer = peers.make_peer("bertalign-use", "en", "ko")
    assert peer.unavailable() is None
    peer.prepare()
    doc = _ntrex_dev()[1]
    src, tgt = ((EVAL / "ntrex-clean" / side / doc).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt"))
    (found,), seconds = peer.align_set([(src, tgt)])
    assert seconds > 0
    assert [i for s, _ in found for i in s] == list(range(len(src)))
    assert [j for _, t in found for j in t] == list(range(len(tgt)))
    scores = score_many([(read_beads(EVAL / "ntrex-clean" / "gold" / doc), found)])
    assert scores.lax_f1 == 1.0 and scores.strict_f1 > 0.85  # it joins two 1-1 pairs into a 2-2 here
    assert "aligner.align.window" in peer.version()
