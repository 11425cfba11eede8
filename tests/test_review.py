"""aligner.review: every operation against a real SQLite corpus, checked in the database.

After each edit the beads must still cover both sides' sentences once, in order
(``integrity_problems`` is empty), the edit must be in the log with the reviewer's name,
and undo must give back exactly the state before.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner import review
from aligner.align import Aligner
from aligner.align.scoring import LengthSignal
from aligner.align.similarity import SimilaritySignal
from aligner.review import ReviewError
from aligner.store import Store
from tests.review_data import add_big_pair, build_corpus

DAYCARE, RAIL, FESTIVAL = 1, 2, 3
ME = "tester"


@pytest.fixture
def store(tmp_path):
    build_corpus(tmp_path / "corpus.db")
    with Store(tmp_path / "corpus.db") as s:
        yield s


def shapes(store: Store, pair: int = DAYCARE) -> list[tuple[str, str, str]]:
    return [(b.kind, b.status, b.origin) for b in store.beads(pair)]


def spans(store: Store, pair: int = DAYCARE) -> list[tuple[int, int, int, int]]:
    return [(b.src_start, b.src_end, b.tgt_start, b.tgt_end) for b in store.beads(pair)]


def texts(store: Store, side: str, pair: int = DAYCARE) -> list[str]:
    p = store.pair(pair)
    return [s.text for s in store.sentences(p.src_doc if side == "src" else p.tgt_doc)]


def last_edit(store: Store) -> tuple[str, str]:
    row = store.conn.execute("SELECT reviewer, action FROM edits ORDER BY id DESC LIMIT 1").fetchone()
    return row[0], row[1]


def check(store: Store) -> None:
    assert store.integrity_problems() == []


def test_accept_reject_unmark_are_logged_with_the_reviewer(store):
    e = review.accept(store, DAYCARE, 1, reviewer=ME)
    assert e.changed and e.position == 1
    assert store.beads(DAYCARE)[1].status == "accepted"
    assert last_edit(store) == (ME, "accept 2")
    review.reject(store, DAYCARE, [2, 3], reviewer="other")
    assert [b.status for b in store.beads(DAYCARE)][2:4] == ["rejected", "rejected"]
    assert last_edit(store) == ("other", "reject 3,4")
    review.unmark(store, DAYCARE, 2, reviewer=ME)
    assert store.beads(DAYCARE)[2].status == "unreviewed"
    check(store)


def test_accepting_an_accepted_bead_logs_nothing(store):
    e = review.accept(store, DAYCARE, 0, reviewer=ME)  # already accepted in the fixture
    assert not e.changed
    assert store.conn.execute("SELECT COUNT(*) FROM edits").fetchone()[0] == 0


def test_accept_all_above_leaves_rejected_beads_alone(store):
    review.reject(store, DAYCARE, 2, reviewer=ME)
    review.accept_all_above(store, DAYCARE, 5, reviewer=ME)
    assert [b.status for b in store.beads(DAYCARE)] == [
        "accepted",
        "accepted",
        "rejected",
        "accepted",
        "accepted",
        "unreviewed",
        "unreviewed",
        "unreviewed",
    ]


def test_merge_with_next_makes_a_manual_accepted_bead(store):
    review.merge_with_next(store, DAYCARE, 4, reviewer=ME)
    assert spans(store)[4] == (4, 6, 4, 7)
    assert shapes(store)[4] == ("2-3", "accepted", "manual")
    assert len(store.beads(DAYCARE)) == 7
    assert [b.position for b in store.beads(DAYCARE)] == list(range(7))
    check(store)
    with pytest.raises(ReviewError, match="last bead"):
        review.merge_with_next(store, DAYCARE, 6, reviewer=ME)


def test_split_bead_on_either_side(store):
    review.split_bead(store, DAYCARE, 5, "tgt", 6, reviewer=ME)  # 1-2 -> 1-1 + 0-1
    assert spans(store)[5:7] == [(5, 6, 5, 6), (6, 6, 6, 7)]
    # which half the lone English sentence joins is the app's guess: both are left to check
    assert shapes(store)[5:7] == [("1-1", "unreviewed", "auto"), ("0-1", "unreviewed", "auto")]
    check(store)
    review.merge_with_next(store, DAYCARE, 1, reviewer=ME)  # 2-2
    review.split_bead(store, DAYCARE, 1, "src", 2, reviewer=ME)  # default: cut KO at the same place
    assert spans(store)[1:3] == [(1, 2, 1, 2), (2, 3, 2, 3)]
    review.merge_with_next(store, DAYCARE, 1, reviewer=ME)
    review.split_bead(store, DAYCARE, 1, "src", 2, other_at=3, reviewer=ME)  # explicit other side
    assert spans(store)[1:3] == [(1, 2, 1, 3), (2, 3, 3, 3)]
    check(store)
    with pytest.raises(ReviewError, match="between its sentences"):
        review.split_bead(store, DAYCARE, 0, "src", 0, reviewer=ME)


def confidences(store: Store, pair: int = DAYCARE) -> list[float]:
    return [b.confidence for b in store.beads(pair)]


def test_split_leaves_guessed_halves_unreviewed_and_a_lone_sentence_goes_first(store):
    review.shift(store, DAYCARE, 6, "tgt", "up", reviewer=ME)  # bead 6 is now 1-3: EN 5 / KO 5, 6, 7
    assert spans(store)[5] == (5, 6, 5, 8)
    review.split_bead(store, DAYCARE, 5, "tgt", 6, reviewer=ME)  # after the first Korean sentence
    assert spans(store)[5:7] == [(5, 6, 5, 6), (6, 6, 6, 8)]  # 1-1 + 0-2, as a 1-2 bead gives 1-1 + 0-1
    assert shapes(store)[5:7] == [("1-1", "unreviewed", "auto"), ("0-2", "unreviewed", "auto")]
    beads = store.beads(DAYCARE)
    assert review.find_bead(beads, 4, "unreviewed") == 5 and review.find_bead(beads, 5, "unreviewed") == 6
    assert review.is_low_confidence(beads[5]) and review.is_low_confidence(beads[6])  # `w` finds them too
    exported = {(r.src_ids, r.tgt_ids) for r in store.export_rows(status="accepted", pair_ids=[DAYCARE])}
    assert ((5,), (5,)) not in exported and ((), (6, 7)) not in exported
    check(store)


def test_split_with_both_cuts_given_or_an_empty_side_is_made_by_hand(store):
    review.merge_with_next(store, DAYCARE, 1, reviewer=ME)  # a 2-2 bead
    review.split_bead(store, DAYCARE, 1, "src", 2, other_at=2, reviewer=ME)  # the reviewer gave both cuts
    assert shapes(store)[1:3] == [("1-1", "accepted", "manual"), ("1-1", "accepted", "manual")]
    review.detach(store, RAIL, 4, "tgt", 4, reviewer=ME)  # 1-1 -> 0-1 (KO 4) + 1-0 (EN 3)
    review.shift(store, RAIL, 3, "tgt", "down", reviewer=ME)  # KO 3 joins KO 4: a 0-2 bead
    assert [b.kind for b in store.beads(RAIL)][3:5] == ["0-2", "1-0"]
    review.split_bead(store, RAIL, 3, "tgt", 4, reviewer=ME)  # nothing on the English side to guess
    assert shapes(store, RAIL)[3:5] == [("0-1", "accepted", "manual"), ("0-1", "accepted", "manual")]
    check(store)


def test_detach_a_first_sentence_leaves_the_rest_to_check_unless_the_other_side_is_empty(store):
    review.detach(store, DAYCARE, 5, "tgt", 5, reviewer=ME)  # 1-2 -> 0-1 (KO 5) + 1-1
    assert shapes(store)[5:7] == [("0-1", "accepted", "manual"), ("1-1", "unreviewed", "auto")]
    review.merge_with_next(store, RAIL, 3, reviewer=ME)  # 0-1 + 1-1 -> 1-2
    review.detach(store, RAIL, 3, "src", 3, reviewer=ME)  # -> 1-0 + 0-2
    review.detach(store, RAIL, 4, "tgt", 3, reviewer=ME)  # 0-2 -> 0-1 + 0-1: nothing guessed
    assert shapes(store, RAIL)[3:6] == [
        ("1-0", "accepted", "manual"),
        ("0-1", "accepted", "manual"),
        ("0-1", "accepted", "manual"),
    ]
    check(store)


def test_shift_keeps_accepted_beads_accepted_and_leaves_the_others_to_check(store):
    review.shift(store, DAYCARE, 5, "tgt", "down", reviewer=ME)  # two unreviewed beads
    assert shapes(store)[5:7] == [("1-1", "unreviewed", "auto"), ("1-2", "unreviewed", "auto")]
    assert confidences(store)[5:7] == [0.0, 0.0]
    review.accept(store, DAYCARE, [0, 1], reviewer=ME)
    review.shift(store, DAYCARE, 1, "src", "up", reviewer=ME)  # both were accepted: still the reviewer's
    assert shapes(store)[0:2] == [("2-1", "accepted", "manual"), ("0-1", "accepted", "manual")]
    check(store)


def test_fixing_text_keeps_the_beads_confidence_and_low_mark(store):
    low = store.beads(DAYCARE)[3]
    assert review.is_low_confidence(low)
    review.edit_sentence_text(
        store, DAYCARE, "src", 3, "Officials said the centres would go to busy districts.", reviewer=ME
    )
    review.split_sentence(store, DAYCARE, "tgt", 3, 7, reviewer=ME)
    bead = store.beads(DAYCARE)[3]
    assert (bead.confidence, bead.origin, bead.status, bead.kind) == (low.confidence, "auto", "unreviewed", "1-2")
    assert review.is_low_confidence(bead)
    assert review.find_bead(store.beads(DAYCARE), 0, "low") == 3
    review.accept(store, DAYCARE, 4, reviewer=ME)
    review.edit_sentence_text(store, DAYCARE, "src", 4, "Parents say private centres cost too much.", reviewer=ME)
    assert shapes(store)[4] == ("1-1", "accepted", "auto")


def test_shift_moves_a_sentence_to_the_neighbour_and_drops_an_emptied_bead(store):
    review.shift(store, DAYCARE, 5, "tgt", "down", reviewer=ME)  # KO 6 joins the next bead
    assert spans(store)[5:7] == [(5, 6, 5, 6), (6, 7, 6, 8)]
    review.shift(store, DAYCARE, 6, "tgt", "up", reviewer=ME)  # and back up
    assert spans(store)[5:7] == [(5, 6, 5, 7), (6, 7, 7, 8)]
    with pytest.raises(ReviewError, match="no EN sentence"):
        review.shift(store, RAIL, 3, "src", "down", reviewer=ME)  # a 0-1 bead
    n = len(store.beads(RAIL))
    review.shift(store, RAIL, 3, "tgt", "up", reviewer=ME)  # the 0-1 bead gives its only sentence away
    assert len(store.beads(RAIL)) == n - 1
    assert spans(store, RAIL)[2] == (2, 3, 2, 4)
    check(store)
    with pytest.raises(ReviewError, match="no bead above"):
        review.shift(store, DAYCARE, 0, "src", "up", reviewer=ME)


def test_detach_gives_a_sentence_its_own_bead(store):
    review.detach(store, DAYCARE, 5, "tgt", 6, reviewer=ME)  # last KO sentence of a 1-2
    assert spans(store)[5:7] == [(5, 6, 5, 6), (6, 6, 6, 7)]
    assert shapes(store)[6][0] == "0-1"
    review.detach(store, DAYCARE, 1, "src", 1, reviewer=ME)  # 1-1 -> 1-0 + 0-1
    assert [b.kind for b in store.beads(DAYCARE)][1:3] == ["1-0", "0-1"]
    check(store)
    review.merge_with_next(store, DAYCARE, 3, reviewer=ME)
    review.merge_with_next(store, DAYCARE, 3, reviewer=ME)  # a 3-3 bead
    review.detach(store, DAYCARE, 3, "src", 3, reviewer=ME)  # the middle English sentence
    assert [b.kind for b in store.beads(DAYCARE)][3:6] == ["1-3", "1-0", "1-0"]
    # only the detached sentence is the reviewer's; what it leaves behind is to check
    assert shapes(store)[3:6] == [
        ("1-3", "unreviewed", "auto"),
        ("1-0", "accepted", "manual"),
        ("1-0", "unreviewed", "auto"),
    ]
    check(store)
    with pytest.raises(ReviewError, match="already has a bead of its own"):
        review.detach(store, DAYCARE, 4, "src", 3, reviewer=ME)


def test_edit_sentence_text_changes_only_that_sentence(store):
    before = texts(store, "tgt")
    review.edit_sentence_text(store, DAYCARE, "tgt", 4, "  부모들은 민간 어린이집이 비싸다고  호소했다. ", reviewer=ME)
    after = texts(store, "tgt")
    assert after[4] == "부모들은 민간 어린이집이 비싸다고 호소했다."
    assert after[:4] == before[:4] and after[5:] == before[5:]
    assert shapes(store)[4] == ("1-1", "unreviewed", "auto")  # a typo fix changes no mark
    with pytest.raises(ReviewError, match="cannot be empty"):
        review.edit_sentence_text(store, DAYCARE, "tgt", 4, "   ", reviewer=ME)


def test_split_sentence_renumbers_and_shifts_later_beads(store):
    text = texts(store, "src")[6]
    cut = text.index("arguing")
    old = spans(store)
    review.split_sentence(store, DAYCARE, "src", 6, cut, reviewer=ME)
    en = texts(store, "src")
    assert len(en) == 9
    assert en[6].endswith("young couples,") and en[7].startswith("arguing that")
    new = spans(store)
    assert new[6] == (6, 8, 7, 8)
    assert new[7] == (8, 9, 8, 9)  # the bead after moved along
    assert new[:6] == old[:6]
    check(store)
    with pytest.raises(ReviewError, match="split inside"):
        review.split_sentence(store, DAYCARE, "src", 0, 0, reviewer=ME)


def test_realign_from_keeps_accepted_and_manual_beads_and_everything_above(store):
    review.merge_with_next(store, DAYCARE, 6, reviewer=ME)  # manual 2-2 at the end
    review.reject(store, DAYCARE, 3, reviewer=ME)
    before = store.beads(DAYCARE)
    e = review.realign_from(store, DAYCARE, 2, reviewer=ME)
    after = store.beads(DAYCARE)
    check(store)
    assert e.changed or [(b.src_start, b.tgt_start) for b in before] == [(b.src_start, b.tgt_start) for b in after]
    assert [(b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.status) for b in after[:2]] == [
        (b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.status) for b in before[:2]
    ]
    last = after[-1]
    assert (last.src_start, last.src_end, last.tgt_start, last.tgt_end, last.origin) == (6, 8, 7, 9, "manual")
    assert "realign from 3" in last_edit(store)[1]


class SlowEncoder:
    """Stands in for the sentence encoder: counts the texts it is asked to encode."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts):
        self.calls.append(len(texts))
        rng = np.random.default_rng(0)
        for t in texts:
            self.cache.setdefault(t, rng.normal(size=8).astype(np.float32))
        vecs = np.array([self.cache[t] for t in texts]).reshape(len(texts), 8)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True).clip(1e-9)


def encoder_aligner(encoder: SlowEncoder) -> Aligner:
    return Aligner(signals=[LengthSignal(), SimilaritySignal(encoder.encode)])


def test_realign_encodes_ahead_in_chunks_and_reports_progress(tmp_path):
    with Store(tmp_path / "big.db") as s:
        pair = add_big_pair(s, 150)
        encoder = SlowEncoder()
        seen: list[tuple[str, int, int]] = []
        review.accept(s, pair, 10, reviewer=ME)
        e = review.realign_from(
            s,
            pair,
            5,
            reviewer=ME,
            aligner=encoder_aligner(encoder),
            progress=lambda what, done, total: seen.append((what, done, total)),
        )
        assert e.action.startswith("realign from 6")
        encoding = [x for x in seen if x[0] == "encoding sentences"]
        gap = s.beads(pair)[5:]
        total = sum(b.src_end - b.src_start + b.tgt_end - b.tgt_start for b in gap) - 2  # less the accepted 1-1
        assert encoding[-1] == ("encoding sentences", total, total)
        assert encoder.calls[: len(encoding)] == [1] + [
            min(review.ENCODE_CHUNK, total - i)  # 1: loads the model
            for i in range(0, total, review.ENCODE_CHUNK)
        ]
        assert seen[-1][0] == "aligning"
        assert s.integrity_problems() == []


def test_a_cancelled_realign_changes_nothing(tmp_path):
    with Store(tmp_path / "big.db") as s:
        pair = add_big_pair(s, 150)
        before = s.snapshot(pair)
        encoder = SlowEncoder()
        for stop_after in (1, 3):  # before any chunk is encoded; between two chunks
            with pytest.raises(review.Cancelled):
                review.realign_from(
                    s,
                    pair,
                    0,
                    reviewer=ME,
                    aligner=encoder_aligner(encoder),
                    cancelled=lambda n=stop_after: len(encoder.calls) >= n,
                )
        assert s.snapshot(pair) == before
        assert s.conn.execute("SELECT COUNT(*) FROM edits").fetchone()[0] == 0


def test_undo_redo_round_trip_restores_exact_state(store):
    def full():
        return store.snapshot(DAYCARE)

    states = [full()]
    review.accept(store, DAYCARE, 2, reviewer=ME)
    states.append(full())
    review.merge_with_next(store, DAYCARE, 3, reviewer=ME)
    states.append(full())
    review.split_sentence(store, DAYCARE, "tgt", 7, 10, reviewer=ME)
    states.append(full())
    review.edit_sentence_text(store, DAYCARE, "src", 0, "Seoul will open 100 public daycare centres", reviewer=ME)
    states.append(full())

    for i in range(len(states) - 1, 0, -1):
        e = review.undo(store, DAYCARE, reviewer=ME)
        assert e is not None and e.action.startswith("undo")
        assert full() == states[i - 1]
        check(store)
    assert review.undo(store, DAYCARE, reviewer=ME) is None
    for i in range(1, len(states)):
        assert review.redo(store, DAYCARE, reviewer=ME) is not None
        assert full() == states[i]
    assert review.redo(store, DAYCARE, reviewer=ME) is None


def test_a_new_edit_clears_redo(store):
    review.accept(store, DAYCARE, 2, reviewer=ME)
    review.undo(store, DAYCARE)
    review.reject(store, DAYCARE, 3, reviewer=ME)
    assert review.redo(store, DAYCARE) is None
    assert store.beads(DAYCARE)[2].status == "unreviewed"


def test_the_edit_log_keeps_undone_edits_and_logs_undo_and_redo_with_the_reviewer(store):
    first = review.accept(store, DAYCARE, 2, reviewer="ann")
    second = review.reject(store, DAYCARE, 3, reviewer="ann")
    review.undo(store, DAYCARE, reviewer="bob")
    review.undo(store, DAYCARE, reviewer="bob")
    review.redo(store, DAYCARE, reviewer="cy")  # the accept again
    third = review.merge_with_next(store, DAYCARE, 5, reviewer="ann")  # ends the redo history
    assert review.redo(store, DAYCARE, reviewer="cy") is None  # the reject cannot be redone...
    rows = store.conn.execute("SELECT id, undone, dropped_by FROM edits ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [
        (first.edit_id, 0, None),
        (second.edit_id, 1, third.edit_id),
        (third.edit_id, 0, None),
    ]  # ... but it is still in the log
    log = [(e.kind, e.reviewer, e.action, e.state) for e in review.history(store, DAYCARE)]
    assert log == [
        ("edit", "ann", "merge 6+7", "in force"),
        ("redo", "cy", "accept 3", ""),
        ("undo", "bob", "accept 3", ""),
        ("undo", "bob", "reject 4", ""),
        ("edit", "ann", "reject 4", "dropped"),
        ("edit", "ann", "accept 3", "in force"),
    ]
    assert review.undo(store, DAYCARE) is not None and review.undo(store, DAYCARE) is not None
    assert review.undo(store, DAYCARE) is None  # the dropped reject is not undone a second time
    assert [b.status for b in store.beads(DAYCARE)][2:4] == ["unreviewed", "unreviewed"]
    check(store)


def test_undo_refuses_when_the_pair_changed_underneath(store):
    review.accept(store, DAYCARE, 2, reviewer=ME)
    with store.transaction() as c:  # e.g. a batch re-run replaced the beads
        c.execute("UPDATE beads SET status='rejected' WHERE pair_id=? AND position=2", (DAYCARE,))
    with pytest.raises(ReviewError, match="changed since"):
        review.undo(store, DAYCARE)
    assert store.beads(DAYCARE)[2].status == "rejected"  # nothing half-done


def test_edit_log_stores_only_the_changed_slice(tmp_path):
    with Store(tmp_path / "big.db") as s:
        pair = add_big_pair(s, 1000)
        review.accept(s, pair, 500, reviewer=ME)
        before, after = s.conn.execute("SELECT before, after FROM edits").fetchone()
        assert len(before) < 300 and len(after) < 300
        assert json.loads(after)["beads"]["at"] == 500
        review.split_sentence(s, pair, "src", 3, 9, reviewer=ME)
        assert s.integrity_problems() == []
        review.undo(s, pair)
        review.undo(s, pair)
        assert s.integrity_problems() == []


def test_positions_are_remembered_per_reviewer(store):
    assert review.last_position(store, ME) is None
    review.save_position(store, ME, RAIL, 3)
    review.accept(store, DAYCARE, 5, reviewer="other")
    assert review.last_position(store, ME) == (RAIL, 3)
    assert review.last_position(store, "other") == (DAYCARE, 5)
    assert not review.was_on_list(store, ME)
    review.save_on_list(store, ME)  # back on the list: the pair and bead are kept for the list's cursor
    assert review.was_on_list(store, ME) and review.last_position(store, ME) == (RAIL, 3)
    review.save_position(store, ME, RAIL, 4)
    assert not review.was_on_list(store, ME)
    review.save_on_list(store, "new")  # someone who never opened a pair
    assert review.was_on_list(store, "new") and review.last_position(store, "new") is None


def test_navigation_helpers(store):
    beads = store.beads(DAYCARE)
    assert review.find_bead(beads, 0, "unreviewed") == 1
    assert review.find_bead(beads, 1, "low") == 3
    assert review.find_bead(beads, 3, "low") == 5
    assert review.find_bead(beads, 5, "low") == 3  # wrapped
    assert review.find_bead(beads, 5, "low", wrap=False) is None
    assert review.find_bead(beads, 7, "unusual", -1) == 5
    assert review.find_bead(beads, 0, "low", threshold=0.9) == 2
    assert review.find_bead(store.beads(FESTIVAL), 0, "unreviewed") is None
    assert review.find_text(["Seoul", "rail", "SEOUL again"], "seoul", 0) == 2
    assert review.find_text(["Seoul", "rail", "SEOUL again"], "seoul", 2) == 0
    assert review.find_text(["서울시는", "강릉"], "강릉", 0, -1) == 1


def test_counts(store):
    assert review.count_beads(store.beads(DAYCARE)) == review.Counts(1, 0, 7)
    assert review.corpus_counts(store) == review.Counts(4, 0, 12)


def test_corpus_counts_agree_with_every_bead_grouped_by_status(store):
    """The store counts the reviewed beads by the status index and the rest as all beads less
    those: the same as grouping every bead, with each status present or absent."""

    def grouped() -> dict[str, int]:
        return dict(store.conn.execute("SELECT status, COUNT(*) FROM beads GROUP BY status").fetchall())

    assert store.status_counts() == grouped()
    review.reject(store, DAYCARE, 1, reviewer="tester")
    assert store.status_counts() == grouped() and review.corpus_counts(store) == review.Counts(4, 1, 11)
    for bead in store.beads(DAYCARE) + store.beads(RAIL):
        if bead.status == "unreviewed":
            review.accept(store, bead.pair_id, bead.position, reviewer="tester")
    assert store.status_counts() == grouped() and "unreviewed" not in store.status_counts()
    assert review.corpus_counts(store) == review.Counts(15, 1, 0)


def test_refuses_bad_input(store):
    with pytest.raises(ReviewError, match="no bead 99"):
        review.accept(store, DAYCARE, 98, reviewer=ME)
    with pytest.raises(ReviewError, match="side must be"):
        review.detach(store, DAYCARE, 0, "fr", 0, reviewer=ME)  # type: ignore[arg-type]
    with pytest.raises(ReviewError, match="not in bead"):
        review.detach(store, DAYCARE, 0, "src", 5, reviewer=ME)
    assert store.conn.execute("SELECT COUNT(*) FROM edits").fetchone()[0] == 0


OPS = st.lists(
    st.tuples(
        st.sampled_from(["accept", "reject", "merge", "split", "shift", "detach", "ssplit", "undo", "redo"]),
        st.integers(0, 12),
        st.sampled_from(["src", "tgt"]),
        st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_sequence_of_edits_keeps_the_invariant_and_undoes_completely(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("prop") / "c.db"
    build_corpus(path)
    with Store(path) as s:
        start = s.snapshot(DAYCARE)
        for name, pos, side, up in ops:
            n = len(s.beads(DAYCARE))
            pos = pos % n
            b = s.beads(DAYCARE)[pos]
            lo, hi = (b.src_start, b.src_end) if side == "src" else (b.tgt_start, b.tgt_end)
            try:
                if name == "accept":
                    review.accept(s, DAYCARE, pos, reviewer=ME)
                elif name == "reject":
                    review.reject(s, DAYCARE, pos, reviewer=ME)
                elif name == "merge":
                    review.merge_with_next(s, DAYCARE, pos, reviewer=ME)
                elif name == "split":
                    review.split_bead(s, DAYCARE, pos, side, lo + 1, reviewer=ME)
                elif name == "shift":
                    review.shift(s, DAYCARE, pos, side, "up" if up else "down", reviewer=ME)
                elif name == "detach":
                    review.detach(s, DAYCARE, pos, side, lo, reviewer=ME)
                elif name == "ssplit":
                    review.split_sentence(s, DAYCARE, side, max(lo, 0), 3, reviewer=ME)
                elif name == "undo":
                    review.undo(s, DAYCARE)
                else:
                    review.redo(s, DAYCARE)
            except ReviewError:
                pass
            assert s.integrity_problems() == []
        while review.undo(s, DAYCARE) is not None:
            pass
        assert s.snapshot(DAYCARE) == start
