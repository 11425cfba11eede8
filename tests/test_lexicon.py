"""The corpus lexicon: Model 1 learns real translations, and its span scores are exact."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from aligner.align.lexicon import Lexicon, LexiconSignal, lexicon_tokens, train_lexicon
from aligner.cli import main
from tests.conftest import ROOT


def test_tokens_are_truncation_stems():
    assert lexicon_tokens("Ministers met 1,200 officials") == ["minis", "met", "1200", "offic"]
    assert lexicon_tokens("국방부는 북한의 CSIS 발표를") == ["국방", "북한", "csis", "발표"]


def test_model1_learns_word_translations_from_sentence_pairs():
    pairs = [
        ("the minister visited", "장관이 방문했다"),
        ("the minister spoke", "장관이 말했다"),
        ("the president visited", "대통령이 방문했다"),
        ("the president spoke", "대통령이 말했다"),
    ] * 3
    lex = train_lexicon(pairs, iterations=10, min_count=1)
    best = {w: max(row, key=row.get) for w, row in lex.forward.items()}
    assert best["minis"] == "장관" and best["presi"] == "대통" and best["visit"] == "방문"
    back = {w: max(row, key=row.get) for w, row in lex.backward.items()}
    assert back["장관"] == "minis"


def brute_score(lex: Lexicon, src: list[str], tgt: list[str]) -> float:
    """Average over known words of both sides of the best probability in the other side."""
    s_tok = [w for x in src for w in lexicon_tokens(x)]
    t_tok = [w for x in tgt for w in lexicon_tokens(x)]
    vals = [max((lex.forward[w].get(v, 0.0) for v in t_tok), default=0.0) for w in s_tok if w in lex.forward]
    vals += [max((lex.backward[w].get(v, 0.0) for v in s_tok), default=0.0) for w in t_tok if w in lex.backward]
    return sum(vals) / len(vals)


def test_span_scores_match_a_direct_computation():
    lex = Lexicon(
        forward={"minis": {"장관": 0.9}, "visit": {"방문": 0.8}, "seoul": {"서울": 0.7}},
        backward={"장관": {"minis": 0.6}, "방문": {"visit": 0.5}, "서울": {"seoul": 0.9}},
    )
    src = ["The minister visited Seoul.", "Nothing here.", "Seoul again."]
    tgt = ["장관이 서울을", "방문했다.", "서울."]
    costs = LexiconSignal(lex, weight=1.0, base=0.0).prepare(src, tgt)
    for a in (1, 2):
        for b in (1, 2):
            matrix = costs.matrix(a, b)
            for i in range(a, len(src) + 1):
                for j in range(b, len(tgt) + 1):
                    expected = brute_score(lex, src[i - a : i], tgt[j - b : j])
                    assert -matrix[i, j] == pytest.approx(expected), (a, b, i, j)
    assert np.all(costs.matrix(1, 0) == 0)


def test_lexicon_train_and_show_from_the_command_line(tmp_path, capsys):
    shutil.copytree(ROOT / "corpora" / "sample" / "pages", tmp_path / "pages")
    assert main(["run", str(tmp_path), "--quiet"]) == 0
    db = str(tmp_path / "corpus.db")
    assert main(["lexicon", "train", db, "--min-confidence", "0.5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pairs"] > 50 and result["entries"] > 100
    assert main(["lexicon", "show", db, "China"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown and all(line.startswith("china\t") for line in shown)
    assert "중국" in {line.split("\t")[1] for line in shown}
    # the next run uses it
    summary = main(["run", str(tmp_path), "--force", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert summary == 0 and out["aligned"] == 10
    from aligner.store import Store

    with Store(db) as store:
        assert {store.pair(p).method for p in store.pair_ids()} == {"engine-use+lexicon"}
    # forgotten, the next run aligns without it, and forgetting again is no error
    assert main(["lexicon", "forget", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == result["entries"]
    assert main(["lexicon", "forget", db]) == 0
    assert "no lexicon to forget" in capsys.readouterr().out
    assert main(["lexicon", "show", db, "China"]) == 1
    assert "no lexicon yet" in capsys.readouterr().err
    assert main(["run", str(tmp_path), "--force", "--quiet"]) == 0
    with Store(db) as store:
        assert store.load_lexicon() is None
        assert {store.pair(p).method for p in store.pair_ids()} == {"engine-use"}


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "x.db", "--iterations", "0"],
        ["show", "x.db", "word", "--top", "-3"],
        ["show", "x.db", "word", "--top", "two"],
    ],
)
def test_lexicon_counts_below_one_are_one_line_errors(argv, tmp_path, capsys, monkeypatch):
    """0 iterations would learn nothing and a negative --top would list from the wrong end."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["lexicon", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "must be" in err and ("--iterations" in err or "--top" in err)
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened
