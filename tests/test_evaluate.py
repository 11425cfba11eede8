"""Strict/lax precision, recall and F1 on small cases worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.errors import InputError
from aligner.evaluate import (
    Scores,
    count_beads,
    evaluate_paths,
    format_bead,
    read_beads,
    score_beads,
    score_many,
)
from aligner.model import Bead

GOLD = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3, 4), (2,))]
PRED = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,)), ((4,), ())]


def test_mixed_document_by_hand() -> None:
    # Precision over all 5 predicted beads: 3 exact (the 1-0 included); [3]:[2] shares
    # sentence 3 and 2 with gold [3,4]:[2] -> lax; [4]:[] is a wrong deletion -> neither.
    # Recall over the 3 gold beads with both sides: [0]:[0], [1]:[1] exact; [3,4]:[2]
    # only lax (through predicted [3]:[2]); gold [2]:[] is left out of recall.
    s = score_beads(GOLD, PRED)
    assert s.strict_precision == pytest.approx(3 / 5)
    assert s.lax_precision == pytest.approx(4 / 5)
    assert s.strict_recall == pytest.approx(2 / 3)
    assert s.lax_recall == pytest.approx(1.0)
    assert s.strict_f1 == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))  # 0.6316
    assert s.strict_f1 == pytest.approx(0.631579, abs=1e-6)
    assert s.lax_f1 == pytest.approx(2 * 0.8 / 1.8)  # 0.8889
    c = s.counts
    assert (c.p_strict_hit, c.p_strict_miss, c.p_lax_hit, c.p_lax_miss) == (3, 2, 4, 1)
    assert (c.r_strict_hit, c.r_strict_miss, c.r_lax_hit, c.r_lax_miss) == (2, 1, 3, 0)
    assert c.predicted == 5 and c.gold == 3


def test_perfect_and_empty_predictions() -> None:
    perfect = score_beads(GOLD, GOLD)
    assert (perfect.strict_f1, perfect.lax_f1) == (1.0, 1.0)
    nothing = score_beads(GOLD, [])
    assert nothing.strict_precision == 0.0 and nothing.strict_recall == 0.0 and nothing.strict_f1 == 0.0
    assert nothing.counts.gold == 3


def test_lax_needs_overlap_on_both_sides() -> None:
    gold = [((0,), (0,)), ((1,), (1,))]
    # [0]:[1] touches gold on each side, but through two different gold beads whose
    # links do not include 0-1: not a lax hit. [0,1]:[1] is (shares 1 and 1 with [1]:[1]).
    assert score_beads(gold, [((0,), (1,))]).lax_precision == 0.0
    assert score_beads(gold, [((0, 1), (1,))]).lax_precision == 1.0
    # A predicted 0-1 over a sentence that gold links is wrong, strict and lax.
    s = score_beads(gold, [((), (0,)), ((0,), ()), ((1,), (1,))])
    assert s.strict_precision == pytest.approx(1 / 3)
    assert s.lax_precision == pytest.approx(1 / 3)
    # Recall ignores the predicted 0-1/1-0: gold [0]:[0] has no linked partner -> miss.
    assert s.strict_recall == pytest.approx(1 / 2)
    assert s.lax_recall == pytest.approx(1 / 2)


def test_insertions_and_deletions_count_toward_precision_only() -> None:
    gold = [((0,), (0,)), ((), (1,)), ((1,), ())]
    # Predicting the 1-1 right but merging the 0-1/1-0 into a wrong [1]:[1]:
    s = score_beads(gold, [((0,), (0,)), ((1,), (1,))])
    assert s.strict_precision == pytest.approx(1 / 2)
    assert s.strict_recall == 1.0  # recall sees only gold [0]:[0]
    # Getting the insertion and deletion right raises precision only.
    s2 = score_beads(gold, gold)
    assert s2.strict_precision == 1.0 and s2.counts.predicted == 3 and s2.counts.gold == 1


def test_duplicates_and_empty_beads_are_ignored() -> None:
    gold = [((0,), (0,)), ((), ())]
    s = score_beads(gold, [((0,), (0,)), ((0,), (0,)), ((), ())])
    assert s.counts.predicted == 1 and s.counts.gold == 1
    assert s.strict_f1 == 1.0


def test_model_beads_are_accepted() -> None:
    pred = [Bead((0,), (0,), 0.5, 0.9), Bead((1,), (1,))]
    assert score_beads([((0,), (0,)), ((1,), (1,))], pred).strict_f1 == 1.0


def test_micro_average_over_documents() -> None:
    doc_a = ([((0,), (0,)), ((1,), (1,))], [((0,), (0,)), ((1,), (1,))])
    # Doc B: one predicted 2-2 against two gold 1-1: precision strict 0/1, lax 1/1;
    # recall strict 0/2, lax 2/2.
    doc_b = ([((0,), (0,)), ((1,), (1,))], [((0, 1), (0, 1))])
    s = score_many([doc_a, doc_b])
    assert s.documents == 2
    assert s.strict_precision == pytest.approx(2 / 3)
    assert s.strict_recall == pytest.approx(2 / 4)
    assert s.strict_f1 == pytest.approx(4 / 7)  # macro-averaging would give 0.5
    assert (s.lax_precision, s.lax_recall, s.lax_f1) == (1.0, 1.0, 1.0)
    assert s.counts == count_beads(*doc_a) + count_beads(*doc_b)


def test_read_beads_formats(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("[0, 1]:[0]\n[2]:[1, 2]:0.53\n\n[]:[3]\n[3]:[]:-1.5e-2\n  [4]:[4]  \n", encoding="utf-8")
    assert read_beads(f) == [((0, 1), (0,)), ((2,), (1, 2)), ((), (3,)), ((3,), ()), ((4,), (4,))]
    assert format_bead((0, 1), (0,)) == "[0, 1]:[0]"
    assert format_bead((), (3,), 0.5) == "[]:[3]:0.500"


@pytest.mark.parametrize(
    "bad",
    [
        "[0]-[0]",
        "[0]:[x]",
        "[0]:[0]:high",
        "0:[0]",
        "[0.5]:[1]",
        "[-1]:[0]",
        "[0]:[1]:2:3",
        "[" * 100_000 + "0" + "]" * 100_000 + ":[0]",  # nesting: was a RecursionError
        "[" + "9" * 100_000 + "]:[0]",  # one absurd number
        "[" + ",".join(["1" * 9] * 20_000) + "," + "1" * 12 + "]:[0]",  # 200,000 characters of range
        "[١٢]:[0]",
        "[²]:[0]",
        "[True]:[0]",
        "[0x1]:[0]",  # not ASCII decimal numbers
    ],
)
def test_read_beads_malformed_line_names_file_and_line(tmp_path: Path, bad: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_text(f"[0]:[0]\n{bad}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_beads(f)
    assert str(f) in str(err.value)
    assert "line 2:" in str(err.value)
    assert len(str(err.value)) < 300  # one line, however long the bad one was


def test_read_beads_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_beads(tmp_path / "nope.txt")


def _write(path: Path, beads: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(format_bead(s, t) + "\n" for s, t in beads), encoding="utf-8")


def test_evaluate_paths_files_and_folders(tmp_path: Path) -> None:
    _write(tmp_path / "g.txt", GOLD)
    _write(tmp_path / "p.txt", PRED)
    one = evaluate_paths(tmp_path / "g.txt", tmp_path / "p.txt")
    assert one.strict_precision == pytest.approx(0.6)

    _write(tmp_path / "gold" / "a", [((0,), (0,)), ((1,), (1,))])
    _write(tmp_path / "gold" / "b", [((0,), (0,)), ((1,), (1,))])
    _write(tmp_path / "pred" / "a", [((0,), (0,)), ((1,), (1,))])
    _write(tmp_path / "pred" / "b", [((0, 1), (0, 1))])
    _write(tmp_path / "pred" / "extra", [((0,), (0,))])  # ignored: no gold for it
    many = evaluate_paths(tmp_path / "gold", tmp_path / "pred")
    assert isinstance(many, Scores) and many.documents == 2
    assert many.strict_f1 == pytest.approx(4 / 7)


def test_evaluate_paths_missing_prediction(tmp_path: Path) -> None:
    _write(tmp_path / "gold" / "a", [((0,), (0,))])
    _write(tmp_path / "gold" / "b", [((0,), (0,))])
    _write(tmp_path / "pred" / "a", [((0,), (0,))])
    with pytest.raises(InputError) as err:
        evaluate_paths(tmp_path / "gold", tmp_path / "pred")
    assert str(tmp_path / "pred" / "b") in str(err.value)
    with pytest.raises(InputError, match="both be files or both be folders"):
        evaluate_paths(tmp_path / "gold", tmp_path / "pred" / "a")
    with pytest.raises(InputError, match="no such file"):
        evaluate_paths(tmp_path / "gold", tmp_path / "nowhere")
