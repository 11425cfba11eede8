"""Pairing by content: the cheap signals, and a small shuffled test on real parallel news.

The articles come from the committed NTREX-128 documents (corpora/eval/ntrex-clean,
CC BY-SA 4.0) and the sample page cache (corpora/sample, Hankyoreh layouts); the real
sentence encoder does the cross-lingual part.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from aligner.errors import AlignerError, InputError
from aligner.model import Article
from aligner.pairing import (
    PairingOptions,
    compute_features,
    english_keys,
    latin_names,
    numbers_en,
    numbers_ko,
    pair_articles,
    pair_command,
)
from aligner.sources.fetch import read_manifest

ROOT = Path(__file__).resolve().parents[1]
NTREX = ROOT / "corpora" / "eval" / "ntrex-clean"
SAMPLE = ROOT / "corpora" / "sample"


def ntrex_doc(doc: str, drop_every: int = 0) -> tuple[Article, Article]:
    """A document as an English and a Korean article (first line the title)."""
    en = (NTREX / "src" / doc).read_text(encoding="utf-8").splitlines()
    ko = (NTREX / "tgt" / doc).read_text(encoding="utf-8").splitlines()
    body_en = [s for k, s in enumerate(en[1:]) if not drop_every or k % drop_every]
    return (
        Article("en", en[0], [" ".join(body_en[i:i + 2]) for i in range(0, len(body_en), 2)], url=f"en:{doc}"),
        Article("ko", ko[0], [" ".join(ko[1:][i:i + 2]) for i in range(0, len(ko) - 1, 2)], url=f"ko:{doc}"),
    )


DOCS = sorted(p.name for p in (NTREX / "src").iterdir())


# -- the cheap signals ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("관객 3만5천명이 모였다", {"35000"}),
        ("예산 1억 2000만원", {"120000000"}),
        ("1조2천억원 규모", {"1200000000000"}),
        ("2,500억 달러", {"250000000000"}),
        ("12.5%가 늘었고 2019년 10월", {"12.5", "2019", "10"}),
        ("3명", set()),  # single digits say little
    ],
)
def test_korean_numbers_fold_units(text, expected):
    assert expected <= numbers_ko(text)


def test_english_numbers_fold_scales_and_months():
    found = numbers_en("35,000 people; $1.2 trillion; 3bn pounds; 12.5% in October 2019; they may go")
    assert {"35000", "1200000000000", "3000000000", "12.5", "2019", "10"} <= found
    assert numbers_ko("1조2천억원") & numbers_en("1.2 trillion won")
    assert "12300000000000" in numbers_ko("초당 12조3천억 번") & numbers_en("12.3 trillion calculations")
    assert "110000000" in numbers_ko("1억1천만 달러") & numbers_en("the $110 million wonder")
    assert "5" not in numbers_en("They may 5")  # single digits dropped either way


def test_latin_names_in_korean_are_looked_up_loosely_in_english():
    ko = "BBC와 MWPs(웨일스 국회 구성원)는 Samsung's 발표를 봤다. 문의 english@hani.co.kr www.hani.co.kr"
    names = latin_names(ko)
    assert names == {"bbc", "mwp", "samsung"}
    assert names <= english_keys("The BBC said Members of the Welsh Parliament (MWPs) saw Samsung's plan.")


def test_features_prefer_the_translation():
    pairs = [ntrex_doc(d) for d in DOCS[:4]]
    en = [e for e, _ in pairs]
    ko = [k for _, k in pairs]
    f = compute_features(en, ko)
    for i in range(4):
        assert f.body[i].argmax() == i and f.lead[i].argmax() == i
    assert f.evidence(0, 0).reasons()[0].startswith("body ")


# -- the assignment ----------------------------------------------------------------------


def test_shuffled_pairs_with_decoys_are_found_and_decoys_left_alone():
    rng = random.Random(7)
    docs = rng.sample(DOCS, 14)
    paired, en_only, ko_only = docs[:10], docs[10:12], docs[12:]
    en, ko, gold = [], [], set()
    for d in paired:
        e, k = ntrex_doc(d, drop_every=5)  # the English side loses every fifth sentence
        en.append(e)
        ko.append(k)
        gold.add((e.url, k.url))
    en += [ntrex_doc(d)[0] for d in en_only]
    ko += [ntrex_doc(d)[1] for d in ko_only]
    rng.shuffle(en)
    rng.shuffle(ko)
    result = pair_articles(en, ko)
    found = {(p.en.url, p.ko.url) for p in result.pairs}
    correct = found & gold
    assert len(correct) / len(found) >= 0.95  # precision
    assert len(correct) / len(gold) >= 0.9  # recall
    unpaired = {u.article.url for u in result.unpaired_en + result.unpaired_ko}
    assert {f"en:{d}" for d in en_only} | {f"ko:{d}" for d in ko_only} <= unpaired
    assert all(u.reason.startswith(("nothing convincing", "best candidate")) for u in result.unpaired_en)
    assert all(0.0 <= p.score <= 1.0 and p.reasons for p in result.pairs)
    assert result.as_dict()["pairs"][0]["score"] >= result.as_dict()["pairs"][-1]["score"]


def test_dates_settle_a_repost_and_undated_copies_are_too_close_to_call():
    en, ko = ntrex_doc(DOCS[20])
    en.published = "2019-03-12T10:00:00+09:00"
    original = Article("ko", ko.title, list(ko.paragraphs), url="ko:original", published="2019-03-11T18:00:00+09:00")
    repost = Article("ko", ko.title, list(ko.paragraphs), url="ko:repost", published="2019-05-30T09:00:00+09:00")
    result = pair_articles([en], [repost, original])
    assert [p.ko.url for p in result.pairs] == ["ko:original"]
    assert not result.pairs[0].too_close
    assert "dates +0.7 d" in result.pairs[0].reasons
    assert [u.reason for u in result.unpaired_ko] == ["dated outside the English articles' dates"]
    original.published = repost.published = en.published = None
    undecided = pair_articles([en], [repost, original])
    assert len(undecided.pairs) == 1 and undecided.pairs[0].too_close
    assert undecided.too_close == undecided.pairs
    assert any(r.startswith("runner-up") for r in undecided.pairs[0].reasons)


def test_language_is_checked_before_pairing():
    en, ko = ntrex_doc(DOCS[30])
    stray = ntrex_doc(DOCS[31])[0]  # an English article among the Korean ones
    stray.lang = "ko"
    empty = Article("en", "", [], url="en:empty")
    result = pair_articles([en, empty], [ko, stray])
    rejected = {u.article.url: u.reason for u in result.rejected}
    assert "expected Korean text but found English" in rejected[stray.url]
    assert rejected["en:empty"] == "no text"
    assert [(p.en.url, p.ko.url) for p in result.pairs] == [(en.url, ko.url)]


def test_nothing_to_pair_with():
    en, _ = ntrex_doc(DOCS[40])
    result = pair_articles([en], [])
    assert not result.pairs and result.unpaired_en[0].reason == "no Korean articles to pair with"


def test_a_high_bar_leaves_everything_unpaired():
    en, ko = ntrex_doc(DOCS[41])
    other_en, _ = ntrex_doc(DOCS[42])
    result = pair_articles([other_en], [ko], PairingOptions(min_score=0.5))
    assert not result.pairs
    assert result.unpaired_en[0].reason.startswith("nothing convincing")


def test_thresholds_the_score_cannot_use_are_refused_before_any_work():
    en, ko = ntrex_doc(DOCS[43])
    for options, message in [(PairingOptions(min_score=1.0), "min score 1: must be more than 0 and less than 1"),
                             (PairingOptions(min_score=0.0), "min score 0: must be"),
                             (PairingOptions(close_margin=-1.0), "close margin -1: must be 0 or more")]:
        with pytest.raises(AlignerError, match=message):
            pair_articles([en], [ko], options)
    with pytest.raises(AlignerError, match="close margin nan"):
        pair_command(NTREX / "src", NTREX / "tgt", close_margin=float("nan"))


# -- the command on real page folders -----------------------------------------------------------


def test_pair_command_on_sample_pages_matches_the_links(tmp_path):
    en_dir, ko_dir = tmp_path / "en" / "pages", tmp_path / "ko" / "pages"
    shutil.copytree(SAMPLE / "pages" / "english.hani.co.kr", en_dir / "english.hani.co.kr")
    shutil.copytree(SAMPLE / "pages" / "www.hani.co.kr", ko_dir / "www.hani.co.kr")
    (ko_dir / "www.hani.co.kr" / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n....")
    result = pair_command(tmp_path / "en", tmp_path / "ko", record_in=tmp_path / "corpus")
    rows = [line.split("\t") for line in (SAMPLE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    linked = {r[0].replace("http://", "https://"): r[1].replace("http://", "https://") for r in rows
              if not r[2].startswith("(")}
    found = {p.en.url: p.ko.url for p in result.pairs}
    assert found == linked, result.as_dict()
    assert [u.article.url.rsplit("/", 1)[1] for u in result.unpaired_en] == ["684758.html"]  # original not cached
    assert [path.rsplit("/", 1)[1] for path, _ in result.unreadable] == ["broken.html"]
    recorded = read_manifest(tmp_path / "corpus")
    assert {e.en_url: e.ko_url for e in recorded} == {p.en.url: p.ko.url for p in result.pairs if not p.too_close}
    assert all(e.how == "content" and e.score for e in recorded)
    with pytest.raises(InputError, match="no such folder"):
        pair_command(tmp_path / "nowhere", tmp_path / "ko")
