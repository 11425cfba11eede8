"""Pairing by content: the cheap signals, each mechanism of the decision, and real news.

The articles come from the committed NTREX-128 documents (corpora/eval, CC BY-SA 4.0:
``ntrex-clean`` as published, ``ntrex-hard`` with sentences dropped and joined) and the
sample page cache (corpora/sample, Hankyoreh layouts); the real sentence encoder and
the real sentence aligner do the cross-lingual part.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from aligner.align import Aligner
from aligner.align.embed import get_encoder
from aligner.align.engine import build_engine
from aligner.cli import main
from aligner.errors import AlignerError, InputError
from aligner.model import Article
from aligner.pairing import (
    DateWindow,
    PairingOptions,
    candidate_pairs,
    english_keys,
    find_originals,
    latin_names,
    numbers_en,
    numbers_ko,
    pair_articles,
    pair_command,
    score_candidates,
)
from aligner.pairing.decide import choose, pick_for_verification, verified_logit
from aligner.pairing.options import logit
from aligner.pairing.verify import VERIFY_CALIBRATION, Verifier
from aligner.sources.fetch import read_manifest
from tests.conftest import ROOT, SAMPLE

NTREX = ROOT / "corpora" / "eval" / "ntrex-clean"
HARD = ROOT / "corpora" / "eval" / "ntrex-hard"


def ntrex_doc(doc: str, drop_every: int = 0) -> tuple[Article, Article]:
    """A document as an English and a Korean article (first line the title)."""
    en = (NTREX / "src" / doc).read_text(encoding="utf-8").splitlines()
    ko = (NTREX / "tgt" / doc).read_text(encoding="utf-8").splitlines()
    body_en = [s for k, s in enumerate(en[1:]) if not drop_every or k % drop_every]
    return (
        Article("en", en[0], [" ".join(body_en[i : i + 2]) for i in range(0, len(body_en), 2)], url=f"en:{doc}"),
        Article("ko", ko[0], [" ".join(ko[1:][i : i + 2]) for i in range(0, len(ko) - 1, 2)], url=f"ko:{doc}"),
    )


def loose_bare(doc: str) -> tuple[Article, Article]:
    """A loosely translated pair as plain text: no titles, the hard set's drops and joins,
    and every fourth remaining English sentence dropped as well."""
    en = (HARD / "src" / doc).read_text(encoding="utf-8").splitlines()
    ko = (HARD / "tgt" / doc).read_text(encoding="utf-8").splitlines()
    en = [s for k, s in enumerate(en) if k % 4 != 3]
    return (
        Article("en", "", [" ".join(en[i : i + 2]) for i in range(0, len(en), 2)], url=f"en:{doc}"),
        Article("ko", "", [" ".join(ko[i : i + 3]) for i in range(0, len(ko), 3)], url=f"ko:{doc}"),
    )


DOCS = sorted(p.name for p in (NTREX / "src").iterdir())
LONG_DOCS = [d for d in DOCS if len((HARD / "src" / d).read_text(encoding="utf-8").splitlines()) >= 12]


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


def test_cheap_evidence_ranks_the_translation_first():
    pairs = [ntrex_doc(d) for d in DOCS[:4]]
    field = score_candidates([e for e, _ in pairs], [k for _, k in pairs], PairingOptions())
    for i in range(4):
        rows = np.flatnonzero(field.pairs[:, 0] == i)
        best = rows[np.argmax(field.cheap_logit[rows])]
        assert field.pairs[best, 1] == i
    assert field.cheap.evidence(0, field.en, field.ko).reasons()[0].startswith("body ")


# -- narrowing the field: nearest neighbours and date blocks --------------------------------


def _unit(rng: np.random.Generator, n: int, d: int = 32) -> np.ndarray:
    m = rng.standard_normal((n, d)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_nearest_neighbours_in_blocks_match_a_full_comparison():
    rng = np.random.default_rng(3)
    en, ko = _unit(rng, 300) + _unit(rng, 1), _unit(rng, 250) + _unit(rng, 1)  # each language off-centre
    no_dates = np.full(300, np.nan), np.full(250, np.nan)
    found = {tuple(p) for p in candidate_pairs(en, ko, *no_dates, k=5, window=None, block_rows=64)}
    centred = [m - m.mean(axis=0) for m in (en, ko)]  # each side's mean taken off, as documented
    sims = (centred[0] / np.linalg.norm(centred[0], axis=1, keepdims=True)) @ (
        centred[1] / np.linalg.norm(centred[1], axis=1, keepdims=True)
    ).T
    rows = {(i, int(j)) for i in range(300) for j in np.argsort(-sims[i])[:5]}
    cols = {(int(i), j) for j in range(250) for i in np.argsort(-sims[:, j])[:5]}
    assert found == rows | cols
    assert len(found) < 300 * 250 // 20  # a small share of all pairs


def test_date_blocks_compare_only_inside_the_window():
    rng = np.random.default_rng(5)
    n = 200
    vecs = _unit(rng, n)
    en_days = 18000 + np.arange(n, dtype=float) * 2.0  # one English article every two days
    ko_days = en_days - rng.uniform(0, 40, n)  # Korean 0-40 days earlier
    ko_days[::10] = np.nan  # some undated: they can go with anything
    window = DateWindow(before=14.0, after=2.0)
    found = {tuple(p) for p in candidate_pairs(vecs, vecs, en_days, ko_days, k=n, window=window)}
    gap = en_days[:, None] - ko_days[None, :]
    allowed = np.isnan(gap) | ((gap <= 14.0) & (gap >= -2.0))
    assert found == {(int(i), int(j)) for i, j in zip(*np.nonzero(allowed))}
    assert len(found) < n * n // 4
    far = [j for j in range(n) if not np.isnan(ko_days[j]) and en_days[j] - ko_days[j] > 14.0]
    assert far and not any((j, j) in found for j in far)  # same text, dated too far apart: never compared
    undated_en = candidate_pairs(vecs, vecs, np.full(n, np.nan), ko_days, k=3, window=window)
    assert {(j, j) for j in far} <= {tuple(p) for p in undated_en}  # no date, no block: neighbours decide


class RecordingEncoder:
    """The real encoder, keeping every text it was asked to encode."""

    def __init__(self) -> None:
        from aligner.align.embed import get_encoder

        self.inner = get_encoder("use")
        self.name = self.inner.name
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += list(texts)
        return self.inner.encode(texts)


def test_articles_with_no_partner_inside_the_window_are_never_encoded():
    en, ko = ntrex_doc(DOCS[70])
    en.published, ko.published = "2019-03-12T10:00:00+09:00", "2019-03-11T18:00:00+09:00"
    far = [ntrex_doc(d)[1] for d in DOCS[71:74]]
    for k, a in enumerate(far):
        a.published = f"2019-0{6 + k}-01T09:00:00+09:00"  # months after the English article
    encoder = RecordingEncoder()
    result = pair_articles([en], [far[0], ko, far[1], far[2]], encoder=encoder)
    assert [(p.en.url, p.ko.url) for p in result.pairs] == [(en.url, ko.url)]
    assert {u.article.url for u in result.unpaired_ko} == {a.url for a in far}
    assert all(u.reason == "no English article dated inside its window" for u in result.unpaired_ko)
    seen = " ".join(encoder.seen)
    assert ko.title[:20] in seen and not any(a.title[:20] in seen for a in far)


# -- deciding: verification, margins, sure -------------------------------------------------------


def test_verification_tells_a_loose_translation_from_a_story_on_the_same_topic():
    verifier = Verifier()
    options = PairingOptions()
    en, ko = loose_bare(LONG_DOCS[0])
    other_en, other_ko = loose_bare(LONG_DOCS[1])
    ko_lines = (HARD / "tgt" / LONG_DOCS[0]).read_text(encoding="utf-8").splitlines()
    related = Article("ko", "", [" ".join(ko_lines[::3][:4])] + other_ko.paragraphs[:3], url="ko:related")
    field = score_candidates([en], [ko, related, other_ko], options)

    def verified(j: int):
        return verifier.verify(
            field.en.sentences[0], field.en.vectors_of(0), field.ko.sentences[j], field.ko.vectors_of(j)
        )

    true, near, unrelated = verified(0), verified(1), verified(2)
    assert true.en_share >= 0.7 and true.order >= 0.8, true
    assert near.en_share <= 0.5 < true.en_share - 0.2, near
    assert unrelated.en_share <= 0.2 and unrelated.order <= 0.2, unrelated
    assert "English" in true.reason() and "order" in true.reason()
    # what decides: the fitted weights read the true pair as sure, the other two as no pair
    cheap = {int(ko): field.cheap_logit[row] for row, (_, ko) in enumerate(field.pairs)}
    final = verified_logit(np.array([cheap[j] for j in range(3)]), [true, near, unrelated], options.verify_weights)
    assert final[0] >= logit(options.sure_score) and max(final[1:]) < logit(options.min_score), final


def test_verification_reads_beads_through_the_calibration_pairing_was_fitted_on():
    """A refit of the engine's confidence (for the review) must not move what verification counts
    as confident: its beads go through ``VERIFY_CALIBRATION``, whatever the engine's is."""
    verifier = Verifier()
    assert verifier.aligner.config.calibration == VERIFY_CALIBRATION
    assert VERIFY_CALIBRATION != build_engine().config.calibration
    en = ["The city opened a new library on Monday.", "It holds 200,000 books."]
    ko = ["시는 월요일에 새 도서관을 열었다.", "이 도서관은 책 20만 권을 소장하고 있다."]
    vecs = get_encoder().encode(en), get_encoder().encode(ko)
    found = verifier.verify(en, vecs[0], ko, vecs[1])
    uncalibrated = Aligner(replace(verifier.aligner.config, calibration=None), verifier.aligner.signals)
    raw = uncalibrated.align(en, ko)
    features = uncalibrated.features_of(en, ko, raw)
    assert [(len(b.src), len(b.tgt)) for b in raw] == [(1, 1), (1, 1)]
    assert np.allclose([c for _, _, c in found.beads], VERIFY_CALIBRATION(features), atol=1e-3)


def test_pick_for_verification_keeps_each_articles_best_few():
    pairs = np.array([[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]])
    cheap = np.array([5.0, 4.0, -10.0, -20.0, -21.0, -30.0])
    picked = pick_for_verification(pairs, cheap, PairingOptions(verify_top=2, verify_gap=4.0, verify_floor=-25.0))
    # (0, 2) is 15 behind article en 0's best and 10 behind ko 2's best (-10 is ko 2's best: kept);
    # (2, 2) is below the floor.
    assert picked.tolist() == [True, True, True, True, True, False]


def test_a_clear_mutual_best_is_taken_below_the_score_a_pair_needs_on_its_own():
    options = PairingOptions(min_score=0.5, accept_margin=4.0, margin_floor=0.05)
    pairs = np.array([[0, 0], [0, 1], [1, 1]])
    verified = np.ones(3, dtype=bool)
    clear = np.array([logit(0.2), logit(0.2) - 5.0, 3.0])  # en 0's runner-up 5 behind; ko 0 has no rival
    taken = {c.n: c for c in choose(pairs, clear, verified, options)}
    assert taken[0].decided_by == "margin" and taken[2].decided_by == "score"
    assert taken[0].en_margin == pytest.approx(5.0) and taken[0].ko_margin is None
    close = clear.copy()
    close[1] = logit(0.2) - 2.0  # the runner-up only 2 behind: not clear enough
    assert [c.n for c in choose(pairs, close, verified, options)] == [2]
    faint = clear - np.array([2.0, 2.0, 0.0])  # clear, but below the floor (p 0.03 < 0.05)
    assert [c.n for c in choose(pairs, faint, verified, options)] == [2]
    strict = PairingOptions(min_score=0.5, accept_margin=6.0, margin_floor=0.05)
    assert [c.n for c in choose(pairs, clear, verified, strict)] == [2]


def test_sure_needs_a_high_score_and_no_close_rival():
    options = PairingOptions(sure_score=0.9, close_margin=1.0, runner_up_floor=0.05)
    pairs = np.array([[0, 0], [1, 0], [2, 2]])
    verified = np.ones(3, dtype=bool)
    scores = np.array([4.0, 3.5, 4.0])  # en 1 wants ko 0 too, half a log-odds behind
    (first, third) = choose(pairs, scores, verified, options)
    assert first.n == 0 and first.too_close and not first.sure and first.rival == 1
    assert third.n == 2 and third.sure and not third.too_close
    scores[1] = 1.0  # now 3 behind: no longer close
    first = choose(pairs, scores, verified, options)[0]
    assert first.sure and not first.too_close
    assert 0 not in [c.n for c in choose(pairs, scores, np.array([False, True, True]), options)]  # unverified


# -- real news -----------------------------------------------------------------------------------


def test_loose_bare_text_pairs_are_found_by_verification_and_decoys_left_alone():
    rng = random.Random(14)
    docs = rng.sample(LONG_DOCS, 14)
    paired, en_only, ko_only = docs[:11], docs[11:12], docs[12:]
    en, ko, gold = [], [], set()
    for d in paired:
        e, k = loose_bare(d)
        en.append(e)
        ko.append(k)
        gold.add((e.url, k.url))
    en += [loose_bare(d)[0] for d in en_only]
    ko += [loose_bare(d)[1] for d in ko_only]
    rng.shuffle(en)
    rng.shuffle(ko)
    result = pair_articles(en, ko)
    found = {(p.en.url, p.ko.url) for p in result.pairs}
    assert found == gold, result.as_dict()
    assert all(p.verification is not None and p.verification.en_share >= 0.5 for p in result.pairs)
    # The cheap signals alone would not have been sure of every one of them; the aligner is.
    assert min(p.candidate.cheap_logit for p in result.pairs) < logit(0.5)
    assert sum(p.sure for p in result.pairs) >= len(gold) - 2
    assert all(p.why().startswith("sure:" if p.sure else "check:") for p in result.pairs)
    unpaired = {u.article.url for u in result.unpaired_en + result.unpaired_ko}
    assert unpaired == {f"en:{d}" for d in en_only} | {f"ko:{d}" for d in ko_only}
    assert result.verified < len(en) * len(ko)


def test_dates_settle_a_repost_and_undated_copies_are_too_close_to_call():
    en, ko = ntrex_doc(DOCS[20])
    en.published = "2019-03-12T10:00:00+09:00"
    original = Article("ko", ko.title, list(ko.paragraphs), url="ko:original", published="2019-03-11T18:00:00+09:00")
    repost = Article("ko", ko.title, list(ko.paragraphs), url="ko:repost", published="2019-05-30T09:00:00+09:00")
    result = pair_articles([en], [repost, original])
    assert [p.ko.url for p in result.pairs] == ["ko:original"]
    assert result.pairs[0].sure and not result.pairs[0].too_close
    assert "dates +0.7 d" in result.pairs[0].reasons
    assert [u.reason for u in result.unpaired_ko] == ["no English article dated inside its window"]
    original.published = repost.published = en.published = None
    undecided = pair_articles([en], [repost, original])
    assert len(undecided.pairs) == 1 and undecided.pairs[0].too_close and not undecided.pairs[0].sure
    assert undecided.too_close == undecided.pairs
    assert undecided.pairs[0].why().startswith("too close to call")
    assert any(r.startswith("runner-up") for r in undecided.pairs[0].reasons)


def test_find_originals_answers_for_every_english_article_in_order():
    pairs = [ntrex_doc(d, drop_every=4) for d in DOCS[50:54]]
    decoy_en, _ = ntrex_doc(DOCS[60])
    korean_in_english = ntrex_doc(DOCS[61])[1]
    korean_in_english.lang = "en"
    english = [pairs[2][0], decoy_en, pairs[0][0], korean_in_english, pairs[1][0]]
    cache = [k for _, k in pairs] + [ntrex_doc(DOCS[62])[1]]
    found = find_originals(english, cache)
    assert [m.en.url for m in found] == [a.url for a in english]
    assert [m.ko.url if m.ko else None for m in found] == [
        f"ko:{DOCS[52]}",
        None,
        f"ko:{DOCS[50]}",
        None,
        f"ko:{DOCS[51]}",
    ]
    for m in (found[0], found[2], found[4]):
        assert m.sure and m.score >= 0.9 and m.decided_by == "score" and m.verification is not None
        assert m.how.startswith("sure:") and "aligned" in m.how
    assert found[1].how.startswith("nothing convincing") and not found[1].sure
    assert "expected English text but found Korean" in found[3].how


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


def test_an_unrelated_lone_candidate_is_not_a_pair_even_without_a_rival():
    other_en, _ = ntrex_doc(DOCS[42])
    _, ko = ntrex_doc(DOCS[41])
    result = pair_articles([other_en], [ko])
    assert not result.pairs
    assert result.unpaired_en[0].reason.startswith("nothing convincing")


def test_settings_the_decision_cannot_use_are_refused_before_any_work():
    en, ko = ntrex_doc(DOCS[43])
    for options, message in [
        (PairingOptions(min_score=1.0), "min score 1: must be more than 0 and less than 1"),
        (PairingOptions(min_score=0.0), "min score 0: must be"),
        (PairingOptions(close_margin=-1.0), "close margin -1: must be 0 or more"),
        (PairingOptions(candidates=0), "candidates 0: must be 1 or more"),
    ]:
        with pytest.raises(AlignerError, match=message):
            pair_articles([en], [ko], options)
    with pytest.raises(AlignerError, match="close margin nan"):
        pair_command(NTREX / "src", NTREX / "tgt", close_margin=float("nan"))


# -- the command ---------------------------------------------------------------------------------


def test_pair_command_on_sample_pages_matches_the_links(tmp_path):
    en_dir, ko_dir = tmp_path / "en" / "pages", tmp_path / "ko" / "pages"
    shutil.copytree(SAMPLE / "pages" / "english.hani.co.kr", en_dir / "english.hani.co.kr")
    shutil.copytree(SAMPLE / "pages" / "www.hani.co.kr", ko_dir / "www.hani.co.kr")
    (ko_dir / "www.hani.co.kr" / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n....")
    result = pair_command(tmp_path / "en", tmp_path / "ko", record_in=tmp_path / "corpus")
    rows = [line.split("\t") for line in (SAMPLE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    linked = {
        r[0].replace("http://", "https://"): r[1].replace("http://", "https://")
        for r in rows
        if not r[2].startswith("(")
    }
    found = {p.en.url: p.ko.url for p in result.pairs}
    assert found == linked, result.as_dict()
    assert [u.article.url.rsplit("/", 1)[1] for u in result.unpaired_en] == ["684758.html"]  # original not cached
    assert [path.rsplit("/", 1)[1] for path, _ in result.unreadable] == ["broken.html"]
    recorded = read_manifest(tmp_path / "corpus")
    assert {e.en_url: e.ko_url for e in recorded} == {p.en.url: p.ko.url for p in result.pairs if p.sure}
    assert recorded and all(e.how == "content" and e.score for e in recorded)
    with pytest.raises(InputError, match="no such folder"):
        pair_command(tmp_path / "nowhere", tmp_path / "ko")


def test_aligner_pair_on_plain_text_says_how_sure_and_why(tmp_path, capsys):
    en_dir, ko_dir = tmp_path / "en", tmp_path / "ko"
    en_dir.mkdir()
    ko_dir.mkdir()
    for d in LONG_DOCS[3::9][:4]:
        e, k = loose_bare(d)
        (en_dir / f"{d}.txt").write_text("\n\n".join(e.paragraphs), encoding="utf-8")
        (ko_dir / f"{d}.txt").write_text("\n\n".join(k.paragraphs), encoding="utf-8")
    (ko_dir / "decoy.txt").write_text("\n\n".join(loose_bare(LONG_DOCS[5])[1].paragraphs), encoding="utf-8")
    assert main(["pair", str(en_dir), str(ko_dir)]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln[:2] in ("0.", "1.")]
    assert len(lines) == 4
    whys = []
    for ln in lines:
        score, en_file, ko_file, why = ln.split("  ", 3)
        assert Path(en_file).name == Path(ko_file).name and "aligned" in why and "margins" in why
        whys.append(why)
    assert sum(w.startswith("sure:") for w in whys) >= 2 and all(w.startswith(("sure:", "check:")) for w in whys)
    assert "unpaired ko:" in out and "decoy.txt" in out
    assert main(["pair", str(en_dir), str(ko_dir), "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)["pairs"]
    assert len(pairs) == 4 and all(p["verification"]["en_share"] > 0 and p["why"] in whys for p in pairs)
    assert [p["sure"] for p in pairs] == [w.startswith("sure:") for w in whys]
