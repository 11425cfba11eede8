"""The evaluation sets: deterministic builder, gold that covers both sides once and in
order, gold that matches the text, and edit rates close to the ones specified."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from aligner.evaluate import read_beads
from tests.conftest import ROOT
from tests.scripts import load_script

EVAL = ROOT / "corpora" / "eval"
DATA = ROOT / "corpora" / "source"  # the line-aligned news the sets are built from, shipped
SETS = [f"{source}-{edit}" for source in ("ntrex", "kep") for edit in ("clean", "edited", "hard")]


build_sets = load_script("build_sets")
peers = load_script("peers")
runner = load_script("run")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def _docs(name: str) -> list[str]:
    return sorted(p.name for p in (EVAL / name / "gold").iterdir())


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((EVAL / "manifest.json").read_text(encoding="utf-8"))


def test_every_set_is_there(manifest: dict) -> None:
    assert sorted(manifest["sets"]) == sorted(SETS)
    for name in SETS:
        docs = _docs(name)
        assert docs == sorted(p.name for p in (EVAL / name / "src").iterdir())
        assert docs == sorted(p.name for p in (EVAL / name / "tgt").iterdir())
        assert len(docs) == manifest["sets"][name]["all"]["documents"]
    for f in ("README.md", "LICENSE-NTREX.md", "ATTRIBUTION-KEP.md"):
        assert (EVAL / f).is_file()


@pytest.mark.parametrize("name", SETS)
def test_gold_covers_both_sides_once_in_order(name: str) -> None:
    for doc in _docs(name):
        src = _lines(EVAL / name / "src" / doc)
        tgt = _lines(EVAL / name / "tgt" / doc)
        gold = read_beads(EVAL / name / "gold" / doc)
        assert all(line and line == line.strip() for line in src + tgt), doc
        assert [i for s, _ in gold for i in s] == list(range(len(src))), doc
        assert [j for _, t in gold for j in t] == list(range(len(tgt))), doc
        assert all(len(s) + len(t) >= 1 for s, t in gold)
        assert {f"{len(s)}-{len(t)}" for s, t in gold} <= {"1-1", "1-0", "0-1", "2-1", "1-2"}
        if name.endswith("clean"):
            assert len(src) == len(tgt) == len(gold)


@pytest.mark.parametrize("source", ["ntrex", "kep"])
@pytest.mark.parametrize("edit", ["edited", "hard"])
def test_gold_matches_the_text(source: str, edit: str) -> None:
    """Walking the gold of an edited document replays the clean document line by line."""
    for doc in _docs(f"{source}-{edit}"):
        o_src = _lines(EVAL / f"{source}-clean" / "src" / doc)
        o_tgt = _lines(EVAL / f"{source}-clean" / "tgt" / doc)
        src = _lines(EVAL / f"{source}-{edit}" / "src" / doc)
        tgt = _lines(EVAL / f"{source}-{edit}" / "tgt" / doc)
        k = 0
        for s, t in read_beads(EVAL / f"{source}-{edit}" / "gold" / doc):
            width = max(len(s), len(t))
            if len(s) == 2 or len(t) == 2:  # a join: the joined side is one line of two
                assert [src[i] for i in s] in (o_src[k : k + 2], [" ".join(o_src[k : k + 2])])
                assert [tgt[j] for j in t] in (o_tgt[k : k + 2], [" ".join(o_tgt[k : k + 2])])
            else:
                assert [src[i] for i in s] in ([o_src[k]], [])
                assert [tgt[j] for j in t] in ([o_tgt[k]], [])
            k += width
        assert k == len(o_src) == len(o_tgt), doc


@pytest.mark.parametrize(
    ("name", "rates"),
    [
        ("ntrex-edited", {"1-0": 0.10, "0-1": 0.06, "2-1": 0.08, "1-2": 0.06}),
        ("ntrex-hard", {"1-0": 0.20, "0-1": 0.12, "2-1": 0.08, "1-2": 0.06}),
        ("kep-edited", {"1-0": 0.10, "0-1": 0.06, "2-1": 0.08, "1-2": 0.06}),
        ("kep-hard", {"1-0": 0.20, "0-1": 0.12, "2-1": 0.08, "1-2": 0.06}),
    ],
)
def test_edit_rates_as_specified(name: str, rates: dict[str, float]) -> None:
    source = name.split("-")[0]
    original = sum(len(_lines(EVAL / f"{source}-clean" / "src" / d)) for d in _docs(f"{source}-clean"))
    kinds = Counter(f"{len(s)}-{len(t)}" for d in _docs(name) for s, t in read_beads(EVAL / name / "gold" / d))
    for kind, rate in rates.items():
        assert kinds[kind] / original == pytest.approx(rate, abs=0.005), kind


def test_dev_test_split_by_document(manifest: dict) -> None:
    for source, split in manifest["splits"].items():
        assert set(split.values()) == {"dev", "test"}
        dev = sum(v == "dev" for v in split.values())
        assert abs(dev - (len(split) - dev)) <= 1
        for edit in ("clean", "edited", "hard"):
            assert sorted(split) == _docs(f"{source}-{edit}")


def test_edits_are_deterministic_and_seeded() -> None:
    rng = random.Random(7)
    docs = [
        build_sets.Document(f"d{k}", [f"s{k}.{i}" for i in range(n)], [f"t{k}.{i}" for i in range(n)])
        for k, n in enumerate(rng.randint(4, 30) for _ in range(40))
    ]
    a = build_sets.edit_documents(docs, build_sets.HARD, "seed-a")
    b = build_sets.edit_documents(docs, build_sets.HARD, "seed-a")
    c = build_sets.edit_documents(docs, build_sets.HARD, "seed-b")
    assert [(d.src, d.tgt, d.gold) for d in a] == [(d.src, d.tgt, d.gold) for d in b]
    assert [d.gold for d in a] != [d.gold for d in c]
    ids = [d.doc_id for d in docs]
    assert build_sets.split_documents(ids, "x") == build_sets.split_documents(list(reversed(ids)), "x")
    for d in a:  # no side of a document left with fewer than two lines
        assert len(d.src) >= build_sets.MIN_SIDE_LINES and len(d.tgt) >= build_sets.MIN_SIDE_LINES


def test_committed_sets_match_a_rebuild(tmp_path: Path) -> None:
    build_sets.build(DATA, tmp_path)
    assert build_sets._same_tree(tmp_path, EVAL) == []


# ---------------------------------------------------------------- the benchmark runner's adapters


def test_ladder_to_beads() -> None:
    ladder = [[0, 0, 0.3], [1, 1, 0.1], [3, 2, 0.2], [3, 3, 0.0], [5, 3, 0.1], [6, 4, 0.3]]
    assert peers.ladder_to_beads(ladder, 6, 4) == [
        ((0,), (0,)),
        ((1, 2), (1,)),
        ((), (2,)),
        ((3,), ()),  # a 2-0 step is two deletions
        ((4,), ()),
        ((5,), (3,)),
    ]
    # Missing end rungs are added so every sentence lands in a bead.
    assert peers.ladder_to_beads([[1, 1, 0.0]], 2, 2) == [((0,), (0,)), ((1,), (1,))]
    with pytest.raises(ValueError, match="backwards"):
        peers.ladder_to_beads([[0, 0, 0], [2, 1, 0], [1, 2, 0]], 2, 2)


def test_ascii_bytes_keeps_lengths_and_tokens() -> None:
    line = "연방 검찰은 “30세” Saipov를"
    out = peers.ascii_bytes(line)
    assert out.isascii()
    assert len(out) == len(line.encode("utf-8"))
    assert [len(w) for w in out.split(" ")] == [len(w.encode("utf-8")) for w in line.split(" ")]
    assert peers.ascii_bytes("검찰 검찰").split() == [peers.ascii_bytes("검찰")] * 2
    assert peers.ascii_bytes("plain ASCII.") == "plain ASCII."


def test_runner_reads_a_split_and_checks_beads() -> None:
    test = runner.load_set("kep-edited", "test")
    dev = runner.load_set("kep-edited", "dev")
    assert not set(test.doc_ids) & set(dev.doc_ids)
    assert len(test.doc_ids) + len(dev.doc_ids) == 40
    for gold, src, tgt in zip(test.gold, test.src, test.tgt):
        assert runner.well_formed(gold, len(src), len(tgt))
    assert not runner.well_formed([((0,), (0,)), ((0,), (1,))], 2, 2)


def test_galechurch_peer_on_a_clean_set() -> None:
    pytest.importorskip("galechurch")
    peer = peers.make_peer("galechurch")
    assert peer.unavailable() is None
    peer.prepare()
    data = runner.load_set("ntrex-clean", "dev")
    run = runner.run_peer(peer, data, repeats=1, budget=0.0)
    assert run.malformed == 0
    assert run.scores.strict_f1 > 0.95


@pytest.mark.skipif(
    not (ROOT / "benchmarks" / "node_modules" / "@bitextual" / "hunalign").is_dir(),
    reason="npm ci --prefix benchmarks not run",
)
def test_hunalign_peer_runs_many_documents_in_one_process() -> None:
    peer = peers.make_peer("hunalign-ascii")
    assert peer.unavailable() is None
    data = runner.load_set("ntrex-edited", "dev")
    docs = list(zip(data.src, data.tgt))[:5]
    together, _ = peer.align_set(docs)
    alone, _ = peer.align_set(docs[3:4])
    assert together[3] == alone[0]  # no state carried from one document to the next
    assert all(runner.well_formed(b, len(s), len(t)) for b, (s, t) in zip(together, docs))


def test_unknown_peer_is_named() -> None:
    with pytest.raises(ValueError, match="known: ours"):
        peers.make_peer("nope")


def test_sample_gold_groups_sentences_that_share_a_line():
    """The sample corpus's gold: a joined English sentence spans two lines, a Korean line cut
    in two by the splitter stays one bead, a dropped line leaves its Korean alone, and text
    not from the lines (a rewritten headline) is a bead of its own."""
    sample_eval = load_script("sample_eval")
    en_lines = ["Rain fell.", "Roads  closed.", "Schools shut.", "Shops opened."]
    ko_lines = ["비가 왔다.", "도로가 막혔다.", "학교가 닫았다. 모두 집에 갔다.", "가게가 열었다."]
    en = ["A new headline", "Rain fell. Roads closed.", "Shops opened."]  # lines 0+1 joined, line 2 dropped
    ko = ["비가 왔다.", "도로가 막혔다.", "학교가 닫았다.", "모두 집에 갔다.", "가게가 열었다."]
    src, tgt = sample_eval.line_owners(en, en_lines), sample_eval.line_owners(ko, ko_lines)
    assert src == [set(), {0, 1}, {3}]
    assert tgt == [{0}, {1}, {2}, {2}, {3}]
    assert sample_eval.gold_beads(src, tgt) == [((), (2, 3)), ((0,), ()), ((1,), (0, 1)), ((2,), (4,))]


kep_noise = load_script("kep_noise")


@pytest.mark.parametrize(
    "line",
    [
        "군 지휘관들, 국방개혁안 우려 2005.10",  # a related-article link
        "Wolfowitz 'to stay' at World Bank월포위츠 세계은행총재 사임하지 않기로2007.06",
        "despondent 실망한, 낙담한",  # a glossary entry
        "bank-holding company 은행지주회사",
        "영한사전 약어표 / 한영사전 약어표",  # a dictionary menu item
        "일어사전",
    ],
)
def test_kep_page_furniture_is_marked(line: str) -> None:
    assert kep_noise.is_debris(line)


@pytest.mark.parametrize(
    "line",
    [
        "NHK 방송은 북부지역에서 20여명이 다쳤다고 보도했으나 생명이 위험할 정도의 부상자는 없었다고 보도했다.",
        "3. 아르기닌",  # a subheading of the article
        "스트레스 해소 허브",
        "2007년 말 기준으로 한국의 국영 국민연금의 자산은 220조원이었다.",
        "USGS는 이번 지진을 강진으로 구분했다",
    ],
)
def test_kep_article_text_is_not_marked(line: str) -> None:
    assert not kep_noise.is_debris(line)


def test_kep_noise_leaves_out_debris_and_what_the_gold_pairs_with_it() -> None:
    tgt = ["첫 문장이다.", "관련 기사 제목 2006.09", "세 번째 문장이다.", "despondent 실망한"]
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((), (3,))]
    src_out, tgt_out, paired = kep_noise._left_out_lines(gold, tgt)
    # the link and the glossary entry are marked; only the link is paired with English, so the
    # two source lines of its bead go too, and no other line
    assert (src_out, tgt_out, paired) == ({1, 2}, {1, 3}, 1)
