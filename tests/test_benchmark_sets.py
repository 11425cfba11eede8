"""The evaluation sets: deterministic builder, gold that covers both sides once and in
order, gold that matches the text, and edit rates close to the ones specified."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from aligner.evaluate import read_beads

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "corpora" / "eval"
DATA = Path(os.environ.get("ALIGNER_SHARED_DATA", ROOT.parent / "shared" / "data"))
SETS = [f"{source}-{edit}" for source in ("ntrex", "kep") for edit in ("clean", "edited", "hard")]


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_sets", ROOT / "benchmarks" / "build_sets.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_sets", module)  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


build_sets = _load_builder()
needs_data = pytest.mark.skipif(not (DATA / "ntrex").is_dir(), reason=f"shared data not at {DATA}")


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


@needs_data
def test_committed_sets_match_a_rebuild(tmp_path: Path) -> None:
    build_sets.build(DATA, tmp_path)
    assert build_sets._same_tree(tmp_path, EVAL) == []
