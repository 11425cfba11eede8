"""Invariants that must hold for any input, checked with hypothesis on the real code.

* the aligner's beads cover each side exactly once, in order, within the configured
  bead size, around any fixed anchors (length method and engine, several sizes, exact
  and banded search);
* the splitters lose and duplicate nothing on the inputs tests/test_text_split.py does
  not generate (controls, lone surrogates, bidi marks, tabs and line breaks, 100 kB
  lines, mixed scripts);
* text stored in a real corpus database exports to TMX that validates against the
  project's DTD and reads back with translate-toolkit, and to TSV, Moses and JSONL that
  parse back to the same rows;
* any sequence of every review operation, undo and redo keeps the pair consistent, and
  undo/redo move between exactly the states the edits went through.

Each property runs a default number of examples and, marked ``slow``, ten times more.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from translate.storage.tmx import tmxfile

from aligner import review
from aligner.align import AlignConfig, Aligner, default_aligner
from aligner.align.engine import EngineParams, build_engine
from aligner.export import export_rows
from aligner.export.moses import moses_paths
from aligner.export.tmx import DTD_PATH
from aligner.export.tsv import read_tsv
from aligner.model import Article, Bead, Sentence
from aligner.review import ReviewError
from aligner.store import Store
from aligner.text.normalize import clean_text
from aligner.text.split import sentence_spans, sentence_spans_many
from tests.review_data import build_corpus

SLOW_FACTOR = 10
_SETTINGS: dict[str, Any] = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def profiles(default: int, **strategies: st.SearchStrategy) -> Callable[[Callable], tuple[Callable, Callable]]:
    """Turn a property into (default-run test, ``slow`` test with SLOW_FACTOR times the examples)."""

    def wrap(body: Callable) -> tuple[Callable, Callable]:
        fast = settings(max_examples=default, **_SETTINGS)(given(**strategies)(body))
        heavy = settings(max_examples=default * SLOW_FACTOR, **_SETTINGS)(given(**strategies)(body))
        return fast, pytest.mark.slow(heavy)

    return wrap


# ---------------------------------------------------------------- alignment covers everything once

EN_POOL = [
    "Seoul to open 100 new public daycare centres next year.",
    "The city will spend about 150 billion won on the project.",
    "He said no.",
    "2024",
    "1",
    "3.5%",
    "…",
    "Yonhap",
    "(Yonhap)",
    "Kim Jong-un",
    "Critics say the money would be better spent on housing for young couples, arguing that the cost "
    "of a home, not the cost of childcare, is what keeps people from starting a family in the first place.",
    "Word " * 120,
]
KO_POOL = [
    "서울시, 내년 국공립 어린이집 100곳 새로 연다",
    "시는 이 사업에 약 1500억원을 쓸 계획이다.",
    "그는 아니라고 말했다.",
    "2024",
    "1",
    "3.5%",
    "…",
    "연합뉴스",
    "김정은",
    "한국어 " * 150,
]
EDGE_SENTENCES = ["", " ", "\u200b", "\x00", "\ufeff", "!!!", "😀", "\u202eشكرا", "12 345 678"]


def sentences(pool: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(pool),
        st.sampled_from(EDGE_SENTENCES),
        st.integers(-(10**12), 10**12).map(str),
        st.text(max_size=40),
    )


def sentence_lists(pool: list[str], max_size: int) -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.lists(sentences(pool), max_size=max_size),
        st.builds(lambda s, n: [s] * n, sentences(pool), st.integers(0, max_size)),  # all identical
    )


@st.composite
def pair_with_anchors(draw: st.DrawFn, max_size: int) -> tuple[list[str], list[str], list[tuple[int, int, int, int]]]:
    """Two sentence lists (sometimes the same list, sometimes very unequal) and fixed beads
    taken from a random path through them, as a reviewer's accepted beads would be."""
    src = draw(sentence_lists(EN_POOL, max_size))
    tgt = draw(
        st.one_of(sentence_lists(KO_POOL, max_size), st.just(list(src)), st.lists(sentences(KO_POOL), max_size=3))
    )
    if draw(st.booleans()):
        src, tgt = tgt, src
    path, e, k = [], 0, 0
    while e < len(src) or k < len(tgt):
        a = draw(st.integers(0, min(4, len(src) - e)))
        b = draw(st.integers(0, min(4, len(tgt) - k)))
        if a == b == 0:  # a bead holds at least one sentence
            a, b = (1, 0) if e < len(src) else (0, 1)
        path.append((e, e + a, k, k + b))
        e, k = e + a, k + b
    fixed = [span for span in path if draw(st.integers(0, 3)) == 0]
    return src, tgt, fixed


def check_beads(
    beads: list[Bead], n: int, m: int, max_src: int, max_tgt: int, fixed: list[tuple[int, int, int, int]]
) -> None:
    """Every sentence once, in order; fixed beads as given; the others within the size limits."""
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))
    spans = []
    for b in beads:
        assert b.src or b.tgt, "a bead with no sentence"
        assert 0.0 <= b.confidence <= 1.0 and b.score == b.score
        start_e = spans[-1][1] if spans else 0
        start_k = spans[-1][3] if spans else 0
        spans.append((start_e, start_e + len(b.src), start_k, start_k + len(b.tgt)))
    for span in fixed:
        assert span in spans, f"fixed bead {span} was not kept"
    for span in set(spans) - set(fixed):
        assert span[1] - span[0] <= max_src and span[3] - span[2] <= max_tgt, span


LENGTH_CONFIGS = [(1, 1), (2, 2), (3, 1), (1, 3), (4, 4)]


def _length_alignment(data: st.DataObject, case: tuple) -> None:
    src, tgt, fixed = case
    max_src, max_tgt = data.draw(st.sampled_from(LENGTH_CONFIGS), label="max sizes")
    # a tiny exact-search limit sends longer pairs through the banded search
    cells = data.draw(st.sampled_from([250_000, 30]), label="full search cells")
    aligner = Aligner(AlignConfig(max_src=max_src, max_tgt=max_tgt, full_search_cells=cells, band_width=3))
    check_beads(aligner.align(src, tgt, fixed=fixed), len(src), len(tgt), max_src, max_tgt, fixed)


test_length_aligner_covers_each_side_once, test_length_aligner_covers_each_side_once_slow = profiles(
    150, data=st.data(), case=pair_with_anchors(max_size=60)
)(_length_alignment)


@cache
def engine(max_size: int) -> Aligner:
    return build_engine("en", "ko", params=EngineParams(max_size=max_size))


def _engine_alignment(data: st.DataObject, case: tuple) -> None:
    src, tgt, fixed = case
    size = data.draw(st.sampled_from([1, 2, 3, 4]), label="max size")
    # the first search's limit, or the second look's where that is larger (EngineParams.rejoin_side)
    limit = max(size, EngineParams().rejoin_side)
    check_beads(engine(size).align(src, tgt, fixed=fixed), len(src), len(tgt), limit, limit, fixed)


test_engine_covers_each_side_once, test_engine_covers_each_side_once_slow = profiles(
    40, data=st.data(), case=pair_with_anchors(max_size=14)
)(_engine_alignment)


def test_engine_long_unequal_lists_cover_each_side_once() -> None:
    """Past the exact-search limit (here 200 x 1,300 cells) the band must still reach the end."""
    src = [f"Sentence {i} about the budget." for i in range(200)]
    tgt = [f"{i}번째 문장이다." for i in range(1300)]
    config = engine(3).config
    assert (len(src) + 1) * (len(tgt) + 1) > config.full_search_cells
    check_beads(engine(3).align(src, tgt), len(src), len(tgt), 3, 3, [])


# ---------------------------------------------------------------- splitting loses nothing

_HOSTILE_PIECES = st.sampled_from(
    [
        "He went.",
        " She came! ",
        "그는 갔다.",
        " 비가 왔다? ",
        "\t",
        "\n",
        "\r\n",
        "\x0b",
        "\x0c",
        "\x00",
        "\x1b",
        "\x7f",
        "\x85",
        "\u2028",
        "\u2029",
        "\u200b",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\ufeff",
        "\ud800",
        "\udbff",
        "\udc00",
        "\udfff",
        "\ud83d",
        "😀",
        "שלום.",
        " עולם. ",
        "مرحبا.",
        "日本語。",
        "Привет.",
        "Ελλάδα.",
        "ก.",
        "  ",
        "\u3000",
        "\u00a0",
        '"',
        "”",
        "'",
        "…",
        ".",
        "3.5",
        "Dr.",
        "U.S.",
    ]
)
HOSTILE_TEXT = st.one_of(
    st.lists(_HOSTILE_PIECES, max_size=40).map("".join),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=80),  # surrogates and controls too
)


def assert_partition(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans are non-empty, trimmed, in order, and only whitespace lies outside them."""
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text), (text, spans)
        assert text[position:start].strip() == "", (text, spans)
        assert text[start:end] == text[start:end].strip()
        position = end
    assert text[position:].strip() == ""
    assert (text[spans[0][0] : spans[-1][1]] if spans else "") == text.strip()


def _splitting(text: str, lang: str) -> None:
    spans = sentence_spans(text, lang)
    assert_partition(text, spans)


test_splitting_hostile_text_loses_nothing, test_splitting_hostile_text_loses_nothing_slow = profiles(
    120, text=HOSTILE_TEXT, lang=st.sampled_from(["en", "ko", "de"])
)(_splitting)


def _splitting_batches(texts: list[str]) -> None:
    """Kiwi gets Korean paragraphs as one batch: hostile neighbours must not shift the cuts."""
    many = sentence_spans_many(texts, "ko")
    for text, spans in zip(texts, many, strict=True):
        assert_partition(text, spans)
    assert many == [sentence_spans(t, "ko") for t in texts]


test_korean_batches_of_hostile_text, test_korean_batches_of_hostile_text_slow = profiles(
    25, texts=st.lists(HOSTILE_TEXT, max_size=5)
)(_splitting_batches)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_100_kb_line_splits_without_loss(lang: str) -> None:
    """A page whose body is one 100 kB line (no <p>): mixed scripts, bidi marks, tabs."""
    unit = "Kim said\tno. 김 씨는 \u200f아니라고\u200e 말했다. שלום עולם. مرحبا. 😀 \u202eU.S.\u202c troops left! "
    text = unit * (100_000 // len(unit) + 1)
    assert len(text) >= 100_000
    spans = sentence_spans(text, lang)
    assert_partition(text, spans)
    assert len(spans) > 1000


# ---------------------------------------------------------------- stored text exports intact

XML = "{http://www.w3.org/XML/1998/namespace}lang"
DTD = etree.DTD(str(DTD_PATH))
_STORABLE = st.characters(codec="utf-8")  # what SQLite can hold: every code point but surrogates
STORED_TEXT = st.one_of(
    st.text(_STORABLE, min_size=1, max_size=30),
    st.lists(
        st.sampled_from(
            [
                "\x00",
                "\x0b",
                "\r",
                "\r\n",
                "\t",
                "\x85",
                "\u2028",
                "\ufffe",
                "\uffff",
                "]]>",
                "&",
                "<",
                '"',
                "\u202e",
                "\U0010ffff",
                "😀",
                "한국어",
                " ",
            ]
        ),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.builds(
        lambda piece, n: piece * n, st.sampled_from(["가나다 ", "word\t", "\u200f<&>\r\n"]), st.integers(50, 500)
    ),
)


def xml_text(text: str) -> str:
    """What XML 1.0 can carry of ``text`` (written from the Char production, not from our code)."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF or 0xE000 <= ord(ch) <= 0xFFFD or ord(ch) >= 0x10000
    )


def one_line(text: str) -> str:
    """A Moses line: XML-safe, CRLF and every other ``str.splitlines`` break made one space."""
    return "".join(
        " " if ch in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029" else ch for ch in xml_text(text).replace("\r\n", " ")
    )


def stored_corpus(path: Path, en: list[str], ko: list[str], cuts: list[tuple[int, int]]) -> None:
    """A one-pair corpus database holding ``en`` and ``ko`` as sentences, beads cut at ``cuts``."""
    with Store(path) as store:
        en_id = store.upsert_document(Article("en", "t", ["p"], url="https://english.hani.co.kr/1"))
        ko_id = store.upsert_document(Article("ko", "t", ["p"], url="https://www.hani.co.kr/2"))
        pair_id = store.upsert_pair(en_id, ko_id, "link")
        beads, e, k = [], 0, 0
        for e1, k1 in [*cuts, (len(en), len(ko))]:
            if (e1, k1) != (e, k):
                beads.append(Bead(tuple(range(e, e1)), tuple(range(k, k1)), 0.5, 0.5))
            e, k = e1, k1
        store.save_alignment(
            pair_id,
            [Sentence(i, 0, t) for i, t in enumerate(en)],
            [Sentence(i, 0, t) for i, t in enumerate(ko)],
            beads,
            "test",
        )


@st.composite
def stored_pairs(draw: st.DrawFn) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    en = draw(st.lists(STORED_TEXT, min_size=1, max_size=5))
    ko = draw(st.lists(STORED_TEXT, min_size=1, max_size=5))
    n_cuts = draw(st.integers(0, 4))
    e_cuts = sorted(draw(st.lists(st.integers(0, len(en)), min_size=n_cuts, max_size=n_cuts)))
    k_cuts = sorted(draw(st.lists(st.integers(0, len(ko)), min_size=n_cuts, max_size=n_cuts)))
    return en, ko, list(zip(e_cuts, k_cuts))


def _export_from_store(case: tuple) -> None:
    en, ko, cuts = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stored_corpus(folder / "c.db", en, ko, cuts)
        with Store(folder / "c.db") as store:
            rows = list(store.export_rows(keep_empty=True))
            for fmt in ("tmx", "tsv", "moses", "jsonl", "parquet"):
                export_rows(
                    store.export_rows(keep_empty=True), fmt, folder / f"out.{fmt}", src_lang="en", tgt_lang="ko"
                )
        assert [i for r in rows for i in r.src_ids] == list(range(len(en)))
        want_src = [" ".join(en[i] for i in r.src_ids) for r in rows]
        want_tgt = [" ".join(ko[i] for i in r.tgt_ids) for r in rows]

        doc = etree.parse(str(folder / "out.tmx"))
        assert DTD.validate(doc), DTD.error_log.filter_from_errors()
        with open(folder / "out.tmx", "rb") as handle:
            units = tmxfile(handle, sourcelanguage="en", targetlanguage="ko").units
        assert [(u.source, u.target) for u in units] == [(xml_text(s), xml_text(t)) for s, t in zip(want_src, want_tgt)]
        assert [[n.get(XML) for n in u.getlanguageNodes()] for u in units] == [["en", "ko"]] * len(rows)

        frame = read_tsv(folder / "out.tsv")  # one line a bead: tabs and line breaks made spaces
        assert frame["src_text"].tolist() == [one_line(s).replace("\t", " ") for s in want_src]
        assert frame["tgt_text"].tolist() == [one_line(t).replace("\t", " ") for t in want_tgt]
        assert frame["src_ids"].tolist() == [",".join(map(str, r.src_ids)) for r in rows]

        en_path, ko_path = moses_paths(folder / "out.moses", "en", "ko")
        assert en_path.read_text(encoding="utf-8").split("\n") == [one_line(s) for s in want_src] + [""]
        assert ko_path.read_text(encoding="utf-8").split("\n") == [one_line(t) for t in want_tgt] + [""]

        lines = (folder / "out.jsonl").read_text(encoding="utf-8").split("\n")
        records = [json.loads(line) for line in lines if line]
        assert len(lines) == len(rows) + 1
        assert [(r["src_text"], r["tgt_text"]) for r in records] == [
            (xml_text(s), xml_text(t)) for s, t in zip(want_src, want_tgt)
        ]
        assert [(r["src_ids"], r["tgt_ids"], r["bead_id"]) for r in records] == [
            (list(r.src_ids), list(r.tgt_ids), r.bead_id) for r in rows
        ]

        table = pq.read_table(folder / "out.parquet").to_pylist()
        assert [(r["translation"]["en"], r["translation"]["ko"]) for r in table] == [
            (xml_text(s), xml_text(t)) for s, t in zip(want_src, want_tgt)
        ]
        assert [r["tuid"] for r in table] == [r["tuid"] for r in records]


test_stored_text_exports_and_reads_back, test_stored_text_exports_and_reads_back_slow = profiles(
    30, case=stored_pairs()
)(_export_from_store)


def test_100_kb_sentences_export_and_read_back() -> None:
    """One bead of two 100 kB sentences (a page without paragraphs), every format."""
    en = ['Kim said "no" & <left>\u200f\tagain.\r\n' * 4_000, "끝."]
    ko = ["김 씨는 \u202e아니라고\x00 말했다. " * 5_000]
    _export_from_store((en, ko, []))


def _clean_text_is_storable(text: str) -> None:
    """Whatever a page decoded to, its cleaned text goes into SQLite (no lone surrogates)."""
    cleaned = clean_text(text)
    with sqlite3.connect(":memory:") as conn:
        assert conn.execute("SELECT ?", (cleaned,)).fetchone()[0] == cleaned
    assert clean_text(cleaned) == cleaned


test_clean_text_is_storable, test_clean_text_is_storable_slow = profiles(200, text=HOSTILE_TEXT)(
    _clean_text_is_storable
)


# ---------------------------------------------------------------- review edits, undo and redo

PAIRS = (1, 2, 3)  # the three pairs of tests/review_data.py
PAIR_CHOICE = st.sampled_from([1, 1, 1, 2, 3])  # mostly one pair, so undo and redo meet its edits
OPERATIONS = [
    "accept",
    "reject",
    "unmark",
    "accept_above",
    "merge",
    "split",
    "shift",
    "detach",
    "edit",
    "split_sentence",
    "realign",
    "undo",
    "undo",
    "redo",
    "redo",
]
EDIT_TEXT = st.one_of(st.text(st.characters(codec=None, exclude_categories=()), max_size=20), HOSTILE_TEXT)
REVIEW_OPS = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        PAIR_CHOICE,
        st.integers(0, 40),
        st.integers(0, 40),
        st.sampled_from(["src", "tgt"]),
        st.booleans(),
        EDIT_TEXT,
    ),
    min_size=5,
    max_size=40,
)


def run_operation(
    s: Store, name: str, pair: int, a: int, b: int, side: str, flag: bool, text: str
) -> review.Edit | None:
    """One review operation with arguments drawn from hypothesis's numbers (often out of range)."""
    beads = s.beads(pair)
    pos = a % (len(beads) + 1)  # one past the end: the operations must refuse it
    p = s.pair(pair)
    n_side = len(s.sentences(p.src_doc if side == "src" else p.tgt_doc))
    lo, hi, o_lo, o_hi = 0, n_side, 0, 0
    if pos < len(beads):
        bead = beads[pos]
        lo, hi, o_lo, o_hi = (
            (bead.src_start, bead.src_end, bead.tgt_start, bead.tgt_end)
            if side == "src"
            else (bead.tgt_start, bead.tgt_end, bead.src_start, bead.src_end)
        )
    inside = lo + b % (hi - lo + 1)  # a sentence of the bead, or its end (which some must refuse)
    other_inside = o_lo + a % (o_hi - o_lo + 2)  # ... or one past it
    me = "prop"
    if name in ("accept", "reject", "unmark"):
        op = {"accept": review.accept, "reject": review.reject, "unmark": review.unmark}[name]
        return op(s, pair, [pos, b % (len(beads) + 1)] if flag else pos, reviewer=me)
    if name == "accept_above":
        return review.accept_all_above(s, pair, pos, reviewer=me)
    if name == "merge":
        return review.merge_with_next(s, pair, pos, reviewer=me)
    if name == "split":
        return review.split_bead(s, pair, pos, side, inside, other_inside if flag else None, reviewer=me)
    if name == "shift":
        return review.shift(s, pair, pos, side, "up" if flag else "down", reviewer=me)
    if name == "detach":
        return review.detach(s, pair, pos, side, inside, reviewer=me)
    if name == "edit":
        return review.edit_sentence_text(s, pair, side, b % (n_side + 1), text, reviewer=me)
    if name == "split_sentence":
        return review.split_sentence(s, pair, side, b % (n_side + 1), a, reviewer=me)
    if name == "realign":
        return review.realign_from(s, pair, pos, reviewer=me, aligner=default_aligner("en", "ko", "length"))
    return (review.undo if name == "undo" else review.redo)(s, pair, reviewer=me)


def _review_sequence(ops: list[tuple]) -> None:
    """Model: each pair has a stack of (before, after) states; undo and redo walk it exactly."""
    with tempfile.TemporaryDirectory() as tmp:
        build_corpus(Path(tmp) / "c.db")
        with Store(Path(tmp) / "c.db") as s:
            done: dict[int, list[tuple[dict, dict]]] = {p: [] for p in PAIRS}
            undone: dict[int, list[tuple[dict, dict]]] = {p: [] for p in PAIRS}
            # an undo drawn with flag set is followed at once by a redo, so redo meets real undos
            steps = [step for op in ops for step in ([op, ("redo", *op[1:])] if op[0] == "undo" and op[5] else [op])]
            for name, pair, a, b, side, flag, text in steps:
                before = s.snapshot(pair)
                edits_before = s.conn.execute("SELECT count(*) FROM edits").fetchone()[0]
                try:
                    result = run_operation(s, name, pair, a, b, side, flag, text)
                except ReviewError:
                    event(f"{name}: refused")
                    assert s.snapshot(pair) == before, f"a refused {name} changed the pair"
                    assert s.conn.execute("SELECT count(*) FROM edits").fetchone()[0] == edits_before
                    continue
                after = s.snapshot(pair)
                event(f"{name}: {'changed' if after != before else 'no change'}")
                if name == "undo":
                    assert (result is None) == (not done[pair])
                    if result is not None:
                        step = done[pair].pop()
                        assert after == step[0], "undo did not restore the state before the edit"
                        undone[pair].append(step)
                elif name == "redo":
                    assert (result is None) == (not undone[pair])
                    if result is not None:
                        step = undone[pair].pop()
                        assert after == step[1], "redo did not restore the state after the edit"
                        done[pair].append(step)
                elif result is not None and result.changed:
                    assert after != before
                    done[pair].append((before, after))
                    undone[pair].clear()
                else:
                    assert after == before
                if name == "edit" and result is not None and result.changed:
                    stored = [t for _, _, t in after[side]]
                    assert all(t == " ".join(clean_text(t).split()) and t for t in stored)
                assert s.integrity_problems() == []
            assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for pair in PAIRS:  # undo everything: back to the corpus as built
                while done[pair]:
                    assert review.undo(s, pair) is not None
                    assert s.snapshot(pair) == done[pair].pop()[0]
                assert review.undo(s, pair) is None


def test_edited_text_is_cleaned_before_it_is_stored(tmp_path: Path) -> None:
    """A pasted lone surrogate made SQLite raise UnicodeEncodeError instead of storing the fix."""
    build_corpus(tmp_path / "c.db")
    with Store(tmp_path / "c.db") as s:
        edit = review.edit_sentence_text(s, 1, "src", 2, "Moon\ud800 said\x00 \u200bno.\udc00", reviewer="me")
        assert edit.changed
        assert s.sentences(s.pair(1).src_doc)[2].text == "Moon said no."
        with pytest.raises(ReviewError, match="cannot be empty"):
            review.edit_sentence_text(s, 1, "src", 2, "\ud800\u200b\x00", reviewer="me")


test_review_edits_undo_and_redo_walk_exact_states, test_review_edits_undo_and_redo_walk_exact_states_slow = profiles(
    30, ops=REVIEW_OPS
)(_review_sequence)
