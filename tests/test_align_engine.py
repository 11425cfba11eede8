"""The engine: signals agree between whole-matrix and per-row forms, banded search matches
exact search, and quality on held-in data stays where the benchmark put it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from aligner.align import AlignConfig, Aligner, align_sentences
from aligner.align.anchors import AnchorSignal
from aligner.align.embed import get_encoder, piece_counter
from aligner.align.engine import EngineParams, build_engine
from aligner.align.lexicon import train_lexicon, LexiconSignal
from aligner.align.scoring import LengthRatioSignal
from aligner.align.search import _longest_increasing, coarse_path
from aligner.align.similarity import SimilaritySignal
from aligner.evaluate import read_beads, score_many

EVAL = Path(__file__).resolve().parent.parent / "corpora" / "eval"


def load(set_name: str, limit: int) -> list[tuple[list[str], list[str], list]]:
    folder = EVAL / set_name
    names = sorted(p.name for p in (folder / "gold").iterdir())[:limit]
    return [((folder / "src" / n).read_text(encoding="utf-8").splitlines(),
             (folder / "tgt" / n).read_text(encoding="utf-8").splitlines(),
             read_beads(folder / "gold" / n)) for n in names]


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


def test_confidence_is_calibrated_towards_right_beads():
    docs = load("ntrex-edited", 15)
    conf, right = [], []
    for src, tgt, gold in docs:
        gold_set = set(gold)
        for b in align_sentences(src, tgt):
            conf.append(b.confidence)
            right.append((b.src, b.tgt) in gold_set)
    conf, right = np.array(conf), np.array(right)
    assert right[conf >= 0.9].mean() >= 0.9
    assert conf[~right].mean() < conf[right].mean() - 0.2


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
