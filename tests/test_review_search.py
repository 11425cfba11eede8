"""aligner.review's search, replace, notes and moves between pairs, against a real corpus file.

Every replacement and every note is one edit in the log with the reviewer, undone whole
by ``undo``; a corpus-wide replacement is one edit per pair it changed, each undone in its
own pair. What the store hands out for the search (every sentence, every note) is read
through its own methods: the store stays the only module that speaks SQL.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from translate.storage.tmx import tmxfile

from aligner import review
from aligner.export import export_corpus
from aligner.review import ReviewError
from aligner.store import Store
from tests.review_data import DAYCARE_EN, DAYCARE_KO, FESTIVAL_EN, RAIL_EN, build_corpus

DAYCARE, RAIL, FESTIVAL = 1, 2, 3
ME = "tester"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path):
    build_corpus(tmp_path / "corpus.db")
    with Store(tmp_path / "corpus.db") as s:
        yield s


def texts(store: Store, side: str, pair: int = DAYCARE) -> list[str]:
    p = store.pair(pair)
    return [s.text for s in store.sentences(p.src_doc if side == "src" else p.tgt_doc)]


def log(store: Store) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in store.conn.execute("SELECT pair_id, reviewer, action FROM edits ORDER BY id")]


def hits_in(store: Store, pair: int, query: review.Query) -> list[review.Hit]:
    return review.pair_hits(
        pair, texts(store, "src", pair), texts(store, "tgt", pair), store.beads(pair), query, store.pair_note(pair)
    )


# -- patterns -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("a(b", "not a regular expression: missing ), unterminated subpattern at position 1"),
        ("[x", "not a regular expression: unterminated character set at position 0"),
        ("*x", "not a regular expression: nothing to repeat at position 0"),
        ("", "nothing to search for"),
    ],
)
def test_a_bad_pattern_is_one_line_that_says_what_and_where(pattern, problem):
    with pytest.raises(ReviewError) as caught:
        review.compile_query(pattern)
    assert caught.value.problem == problem and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "template, problem",
    [
        (r"\2", "invalid group reference 2 at position 1"),
        (r"\g<year>", "unknown group name 'year'"),
        ("\\", "bad escape (end of pattern) at position 0"),
        (r"\q", "bad escape \\q at position 0"),
    ],
)
def test_a_bad_replacement_is_refused_before_anything_is_written(store, template, problem):
    query = review.compile_query(r"(\d+) new", "src")
    with pytest.raises(ReviewError, match=re.escape(problem)):
        review.replace_text(store, DAYCARE, query, template, reviewer=ME)
    assert log(store) == [] and texts(store, "src") == DAYCARE_EN


def test_searching_is_case_insensitive_unless_asked_and_only_non_empty_matches_count():
    assert review.compile_query("SEOUL").spans("Seoul and seoul") == [(0, 5), (10, 15)]
    assert review.compile_query("SEOUL", match_case=True).spans("Seoul and seoul") == []
    assert review.compile_query("x*").spans("abc") == []  # an empty match is no hit
    assert review.compile_query(r"\bcentres?\b").found_in("daycare centres")


# -- hits in a pair -------------------------------------------------------------------------------------


def test_pair_hits_run_in_reading_order_over_one_side_or_both(store):
    both = hits_in(store, DAYCARE, review.compile_query(r"어린이집|daycare", "both"))
    assert [(h.kind, h.index, h.position) for h in both] == [
        ("src", 0, 0),
        ("tgt", 0, 0),
        ("src", 1, 1),
        ("tgt", 1, 1),
        ("tgt", 3, 3),
        ("tgt", 4, 4),
        ("tgt", 8, 7),
    ]
    korean = hits_in(store, DAYCARE, review.compile_query("어린이집", "tgt"))
    assert [h.index for h in korean] == [0, 1, 3, 4, 8] and all(h.kind == "tgt" for h in korean)
    assert korean[0].spans == ((12, 16),) and DAYCARE_KO[0][12:16] == "어린이집"
    # the 1-2 bead (position 5) holds KO 5 and 6: both map to it
    numbers = hits_in(store, DAYCARE, review.compile_query(r"\d{3,}억|국비", "tgt"))
    assert [(h.index, h.position) for h in numbers] == [(5, 5), (6, 5)]


def test_notes_are_searched_the_pairs_first(store):
    review.set_note(store, DAYCARE, 4, "check the cost figure", reviewer=ME)
    review.set_note(store, DAYCARE, 1, "date: Monday?", reviewer=ME)
    review.set_pair_note(store, DAYCARE, "the cost paragraph differs", reviewer=ME)
    found = hits_in(store, DAYCARE, review.compile_query("cost|monday", "notes"))
    assert [(h.kind, h.position) for h in found] == [("pair-note", 0), ("note", 1), ("note", 4)]
    assert hits_in(store, DAYCARE, review.compile_query("cost", "src")) == [
        h for h in hits_in(store, DAYCARE, review.compile_query("cost", "src"))
    ]
    assert all(h.kind in ("src", "tgt") for h in hits_in(store, DAYCARE, review.compile_query("cost", "both")))


# -- across the corpus -----------------------------------------------------------------------------------


def test_a_corpus_search_lists_every_hit_with_its_bead_and_title(store):
    found = review.search_corpus(store, review.compile_query(r"\bthe\b", "src"))
    expected = [
        (pair, i)
        for pair, sentences in ((DAYCARE, DAYCARE_EN), (RAIL, RAIL_EN), (FESTIVAL, FESTIVAL_EN))
        for i, text in enumerate(sentences)
        if re.search(r"\bthe\b", text, re.IGNORECASE)
    ]
    assert [(h.pair_id, h.index) for h in found.hits] == expected
    assert found.total == len(expected) and found.pairs == 3 and not found.cut
    rail_bead = {h.index: h.position for h in found.hits if h.pair_id == RAIL}
    assert rail_bead == {2: 2, 3: 4}  # RAIL's bead 3 is a 0-1: EN 3 sits in bead 4 (position 4)
    assert found.titles[RAIL][0] == RAIL_EN[0]
    cut = review.search_corpus(store, review.compile_query(r"\bthe\b", "src"), limit=2)
    assert len(cut.hits) == 2 and cut.total == len(expected) and cut.cut


def test_a_corpus_search_of_notes_and_a_cancelled_one(store):
    review.set_note(store, RAIL, 3, "KORAIL line: no English", reviewer=ME)
    review.set_pair_note(store, FESTIVAL, "all fine, korail not involved", reviewer=ME)
    found = review.search_corpus(store, review.compile_query("korail", "notes"))
    assert [(h.pair_id, h.kind, h.position) for h in found.hits] == [(RAIL, "note", 3), (FESTIVAL, "pair-note", 0)]
    with pytest.raises(review.Cancelled):
        review.search_corpus(store, review.compile_query("e"), cancelled=lambda: True)


# -- replacing ------------------------------------------------------------------------------------------


def test_a_replacement_is_one_logged_edit_that_undo_takes_back_whole(store):
    query = review.compile_query(r"(\d+) new", "src")
    plan = review.plan_replacements(DAYCARE_EN, DAYCARE_KO, query, r"\1 more")
    assert [(r.side, r.index, r.count) for r in plan] == [("src", 0, 1), ("src", 1, 1)]
    assert plan[0].new == "Seoul to open 100 more public daycare centres next year"
    statuses = [b.status for b in store.beads(DAYCARE)]
    edit = review.replace_text(store, DAYCARE, query, r"\1 more", reviewer="kim")
    assert edit.changed and edit.position == 0 and edit.action.endswith("(2 in 2 sentences)")
    assert texts(store, "src")[:2] == [plan[0].new, plan[1].new] and texts(store, "src")[2:] == DAYCARE_EN[2:]
    assert log(store) == [(DAYCARE, "kim", r"replace /(\d+) new/ -> \1 more")]
    beads = store.beads(DAYCARE)
    assert [b.status for b in beads] == statuses  # a text fix changes no mark
    assert (beads[1].changed_by, beads[2].changed_by) == ("kim", None)
    assert store.has_text_fixes(DAYCARE)  # a re-run keeps the reviewer's text
    assert review.undo(store, DAYCARE, reviewer="kim") is not None
    assert texts(store, "src") == DAYCARE_EN and store.beads(DAYCARE)[1].changed_by is None
    assert not store.has_text_fixes(DAYCARE)
    assert store.integrity_problems() == []


def test_a_replacement_in_both_sides_only_the_ticked_and_checked_against_the_preview(store):
    query = review.compile_query("어린이집|daycare", "both")
    plan = review.plan_replacements(DAYCARE_EN, DAYCARE_KO, query, "보육시설")
    assert {(r.side, r.index) for r in plan} == {
        ("src", 0),
        ("src", 1),
        ("tgt", 0),
        ("tgt", 1),
        ("tgt", 3),
        ("tgt", 4),
        ("tgt", 8),
    }
    chosen = [("tgt", 3), ("tgt", 8)]
    expect = {(r.side, r.index): r.old for r in plan if (r.side, r.index) in chosen}
    stale = dict(expect) | {("tgt", 3): "what the preview showed before someone else's fix"}
    with pytest.raises(ReviewError, match="KO sentence 3 changed since the preview"):
        review.replace_text(store, DAYCARE, query, "보육시설", reviewer=ME, only=chosen, expect=stale)
    assert log(store) == []
    review.replace_text(store, DAYCARE, query, "보육시설", reviewer=ME, only=chosen, expect=expect)
    ko = texts(store, "tgt")
    assert "보육시설" in ko[3] and "보육시설" in ko[8] and "어린이집" in ko[1] and texts(store, "src") == DAYCARE_EN
    assert len(log(store)) == 1


def test_a_replacement_never_empties_a_sentence(store):
    query = review.compile_query(r"^.*$", "src")
    plan = review.plan_replacements(DAYCARE_EN[:2], [], query, "  ")
    assert [r.refused for r in plan] == ["it would leave the sentence empty (detach or merge it instead)"] * 2
    edit = review.replace_text(store, DAYCARE, query, "", reviewer=ME)
    assert not edit.changed and texts(store, "src") == DAYCARE_EN and log(store) == []


def test_a_replacement_is_cleaned_like_a_typed_fix(store):
    query = review.compile_query(r"Monday", "src", match_case=True)
    review.replace_text(store, DAYCARE, query, "\tMonday\u200b\n (4 March) ", reviewer=ME)
    assert texts(store, "src")[1].startswith("The Seoul Metropolitan Government said on Monday (4 March) that")


def test_a_corpus_replacement_is_one_edit_per_pair_each_undone_in_its_own_pair(store):
    query = review.compile_query(r"\bthe\b", "src", match_case=True)
    plan = review.plan_corpus_replacements(store, query, "THE")
    assert set(plan.pairs) == {DAYCARE, RAIL}  # the festival pair has only "The"
    done = review.replace_in_corpus(store, plan, reviewer="lee")
    assert set(done.edits) == {DAYCARE, RAIL} and done.failed == {}
    assert [(p, who) for p, who, _ in log(store)] == [(DAYCARE, "lee"), (RAIL, "lee")]
    assert all(" the " not in t for t in texts(store, "src", DAYCARE) + texts(store, "src", RAIL))
    review.undo(store, RAIL, reviewer="lee")
    assert texts(store, "src", RAIL) == RAIL_EN and " THE " in texts(store, "src", DAYCARE)[1]
    review.undo(store, DAYCARE, reviewer="lee")
    assert texts(store, "src", DAYCARE) == DAYCARE_EN


def test_a_pair_changed_since_the_corpus_preview_is_reported_and_the_rest_go_on(store):
    query = review.compile_query(r"\bthe\b", "src", match_case=True)
    plan = review.plan_corpus_replacements(store, query, "THE")
    fixed = "Local merchants hope the new line brings tourists to the east coast."
    review.edit_sentence_text(store, RAIL, "src", 3, fixed, reviewer="someone else")
    done = review.replace_in_corpus(store, plan, reviewer=ME)
    assert set(done.edits) == {DAYCARE}
    assert done.failed == {RAIL: "EN sentence 3 changed since the preview; search again"}
    assert texts(store, "src", RAIL)[3] == fixed
    again = review.plan_corpus_replacements(store, query, "THE")
    assert set(again.pairs) == {RAIL}  # the daycare pair is done
    only = review.replace_in_corpus(store, again, reviewer=ME, only=[(DAYCARE, "src", 1)])
    assert only.edits == {} and texts(store, "src", RAIL)[3] == fixed
    review.replace_in_corpus(store, again, reviewer=ME, only=[(RAIL, "src", 3)])
    assert texts(store, "src", RAIL)[3] == fixed.replace(" the ", " THE ")


# -- notes ----------------------------------------------------------------------------------------------


def test_a_bead_note_is_one_logged_edit_undone_and_redone(store):
    edit = review.set_note(store, DAYCARE, 3, "  check\tthe district\u200b list \n", reviewer="park")
    assert edit.changed and edit.position == 3
    bead = store.beads(DAYCARE)[3]
    assert (bead.note, bead.status, bead.changed_by) == ("check the district list", "unreviewed", "park")
    assert not review.set_note(store, DAYCARE, 3, "check the district list", reviewer="park").changed
    review.set_note(store, DAYCARE, 3, "", reviewer="park")  # empty: the note goes
    assert store.beads(DAYCARE)[3].note is None
    assert [a for _, _, a in log(store)] == ["note 4", "unnote 4"]
    review.undo(store, DAYCARE, reviewer="park")
    assert store.beads(DAYCARE)[3].note == "check the district list"
    review.undo(store, DAYCARE, reviewer="park")
    assert store.beads(DAYCARE)[3].note is None and store.beads(DAYCARE)[3].changed_by is None
    review.redo(store, DAYCARE, reviewer="park")
    assert store.beads(DAYCARE)[3].note == "check the district list"
    with pytest.raises(ReviewError, match="at most 2000 characters"):
        review.set_note(store, DAYCARE, 3, "x" * 2001, reviewer="park")


def test_a_pair_note_is_one_logged_edit_that_leaves_the_reviewer_where_they_are(store):
    review.save_position(store, "park", DAYCARE, 5)
    edit = review.set_pair_note(store, DAYCARE, "English drops the cost split", reviewer="park", position=5)
    assert edit.position == 5 and store.pair_note(DAYCARE) == "English drops the cost split"
    assert store.pair_note(RAIL) is None
    step = review.undo(store, DAYCARE, reviewer="park")
    assert step is not None and step.position == 5 and store.pair_note(DAYCARE) is None
    assert review.redo(store, DAYCARE, reviewer="park") is not None
    assert store.pair_note(DAYCARE) == "English drops the cost split"
    assert log(store) == [(DAYCARE, "park", "note pair")]
    # a note kept through a merge: both beads' notes join
    review.set_note(store, DAYCARE, 3, "first", reviewer="park")
    review.set_note(store, DAYCARE, 4, "second", reviewer="park")
    review.merge_with_next(store, DAYCARE, 3, reviewer="park")
    assert store.beads(DAYCARE)[3].note == "first; second"


def test_notes_written_in_review_reach_every_export_format(store, tmp_path):
    review.set_note(store, DAYCARE, 1, "the date is <Monday> & fine", reviewer=ME)
    review.set_pair_note(store, DAYCARE, "checked against print", reviewer=ME)
    text = DAYCARE_EN[1]
    tmx = tmxfile((export_corpus(store, "tmx", tmp_path / "c.tmx").paths[0]).read_bytes(), "en", "ko")
    unit = next(u for u in tmx.units if u.source == text)
    assert unit.getnotes() == "the date is <Monday> & fine"
    assert {p.get("type"): p.text for p in unit.xmlelement.findall("prop")}["x-pair-note"] == "checked against print"
    tsv = pd.read_csv(
        export_corpus(store, "tsv", tmp_path / "c.tsv").paths[0],
        sep="\t",
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        dtype=str,
    )
    row = tsv[tsv["src_text"] == text].iloc[0]
    assert (row["note"], row["pair_note"]) == ("the date is <Monday> & fine", "checked against print")
    lines = [
        json.loads(line)
        for line in export_corpus(store, "jsonl", tmp_path / "c.jsonl").paths[0].read_text("utf-8").splitlines()
    ]
    record = next(r for r in lines if r["src_text"] == text)
    assert (record["note"], record["pair_note"]) == ("the date is <Monday> & fine", "checked against print")
    other = next(r for r in lines if r["src_text"] == RAIL_EN[1])
    assert (other["note"], other["pair_note"]) == (None, None)
    table = pd.read_parquet(export_corpus(store, "parquet", tmp_path / "c.parquet").paths[0])
    row = table[[t["en"] == text for t in table["translation"]]].iloc[0]
    assert (row["note"], row["pair_note"]) == ("the date is <Monday> & fine", "checked against print")


# -- moving -----------------------------------------------------------------------------------------------


def test_the_next_pair_to_do_skips_done_pairs_and_wraps(store):
    assert review.next_pair_to_do(store, DAYCARE) == RAIL
    assert review.next_pair_to_do(store, RAIL) == DAYCARE  # the festival pair is done: wrap
    assert review.next_pair_to_do(store, FESTIVAL, -1) == RAIL
    assert review.next_pair_to_do(store, DAYCARE, -1) == RAIL
    review.accept(store, RAIL, range(5), reviewer=ME)
    assert review.next_pair_to_do(store, DAYCARE) is None and review.next_pair_to_do(store, RAIL) == DAYCARE


def test_find_run_goes_from_block_to_block_of_non_1_1_beads():
    def bead(kind: str) -> review.Cell:
        a, b = (int(x) for x in kind.split("-"))
        return review.Cell(a, b)

    beads = [bead(k) for k in ["1-1", "0-1", "0-1", "1-0", "1-1", "1-1", "3-2", "1-1", "1-0"]]
    assert review.find_run(beads, 0) == 1
    assert review.find_run(beads, 2) == 6  # from inside a run: the next one
    assert review.find_run(beads, 6) == 8
    assert review.find_run(beads, 8) is None
    assert review.find_run(beads, 8, -1) == 6
    assert review.find_run(beads, 6, -1) == 1
    assert review.find_run(beads, 2, -1) is None
    assert review.find_run([], 0) is None


def test_only_the_store_speaks_sql():
    """SQL statements appear in aligner/store/ only (and the CLI names sqlite3 only for its errors)."""
    statement = re.compile(r"""["'](?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN)\b""")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("aligner", "tui")
        for path in (ROOT / folder).rglob("*.py")
        if "store" not in path.relative_to(ROOT).parts and statement.search(path.read_text("utf-8"))
    ]
    assert offenders == []
    assert statement.search((ROOT / "aligner" / "store" / "search.py").read_text("utf-8"))  # the guard sees SQL
