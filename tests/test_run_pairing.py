"""Pairing by content inside `aligner run`, and a reviewer's rejection of a wrong pairing.

A real corpus folder built from the sample's pages (Hankyoreh layouts, NTREX text) with
what the English edition's archive really holds: a page whose "original Korean article"
button is missing, one whose link points to a page the cache does not have, one whose
original is not in the cache at all, a Korean story reposted under a second address, and
Korean pages whose English versions are absent (decoys). Runs use the real encoder and
aligner, a real SQLite file, real processes for --workers, and read the exports back.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from aligner import review
from aligner.export import FORMATS, export_corpus
from aligner.export.policy import ExportPolicy
from aligner.export.tsv import read_tsv
from aligner.pipeline import RunOptions, run_corpus
from aligner.sources import PageCache
from aligner.stats import corpus_stats
from aligner.store import Store
from tests.conftest import SAMPLE, SEED_URL

EN = "https://english.hani.co.kr/arti/english_edition/"
KO = "https://www.hani.co.kr/arti/"
NO_BUTTON = EN + "e_international/863803.html"  # its original 863703 is also reposted as 863713
ORIGINAL = KO + "international/america/863703.html"
REPOST = KO + "international/america/863713.html"
BROKEN = EN + "e_business/863807.html"  # links to 999707, not in the cache; its original is 863707
BROKEN_ORIGINAL = KO + "economy/it/863707.html"
ABSENT = EN + "e_entertainment/863809.html"  # no button, and its original 863709 is not in the cache
ABSENT_ORIGINAL = KO + "culture/music/863709.html"
LINKED = EN + "e_northkorea/863801.html"  # an ordinary link pair
LINKED_ORIGINAL = KO + "politics/defense/863701.html"
DECOYS = [
    KO + p
    for p in (
        "international/asiapacific/863704.html",
        "international/china/863705.html",
        "international/china/863706.html",
        "economy/economy_general/863708.html",
        "sports/golf/863710.html",
    )
]


def without_button(page: bytes) -> bytes:
    return re.sub(rb'<div class="original-article">.*?</div>', b"", page, flags=re.S)


def build_archive(dest: Path) -> Path:
    """The sample's pages with the archive's troubles (see the module notes)."""
    shutil.copytree(SAMPLE / "pages", dest / "pages")
    cache = PageCache(dest)
    for gone in (
        "e_international/863804",
        "e_international/863805",
        "e_international/863806",
        "e_business/863808",
        "e_sports/863810",
    ):  # their Korean pages stay: decoys no link claims
        cache.path(EN + gone + ".html").unlink()
    cache.put(NO_BUTTON, without_button(cache.get(NO_BUTTON) or b""))
    cache.put(REPOST, cache.get(ORIGINAL) or b"")
    cache.put(BROKEN, (cache.get(BROKEN) or b"").replace(b"863707.html", b"999707.html"))
    cache.put(ABSENT, without_button(cache.get(ABSENT) or b""))
    cache.path(ABSENT_ORIGINAL).unlink()
    return dest


def copy_corpus(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def items(summary) -> dict:
    return {r.item: r for r in summary.items}


def pairs_by_english(db: Path) -> dict[str, tuple]:
    """English page -> (original, how, score, sure, rejected, beads) as another process sees them."""
    with Store(db) as store:
        return {
            s.src_key: (s.tgt_key, s.how, s.pair_score, s.sure, s.pairing_rejected, s.beads) for s in store.summaries()
        }


def decisions(db: Path) -> dict:
    with Store(db) as store:
        return store.pairing_decisions()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """One run over the troubled archive: (corpus folder, summary)."""
    corpus = build_archive(tmp_path_factory.mktemp("archive") / "corpus")
    return corpus, run_corpus(corpus, RunOptions(formats=("tsv",)))


# -- finding originals by content --------------------------------------------------------------


def test_pages_without_a_usable_link_get_their_original_by_content_only_when_sure(archive):
    corpus, summary = archive
    got = items(summary)
    assert summary.count("failed") == 0
    # the broken link: its original found among the candidates, sure, aligned and stored as content
    assert got[BROKEN].outcome == "aligned"
    found = got[BROKEN].pairing
    assert found is not None and found.original == BROKEN_ORIGINAL and found.sure and found.used
    assert found.decided_now and found.why.startswith("sure: ")
    stored = pairs_by_english(corpus / "corpus.db")
    assert stored[BROKEN][:2] == (BROKEN_ORIGINAL, "content") and stored[BROKEN][2] >= 0.9 and stored[BROKEN][3]
    # the page without a button: two identical candidates (the repost), so not sure: reported, left unpaired
    assert got[NO_BUTTON].outcome == "unpaired" and NO_BUTTON not in stored
    reason = got[NO_BUTTON].reason
    assert reason.startswith("no link to the Korean original on the page; by content: ")
    assert (
        "too close to call" in reason
        and REPOST.rsplit("/", 1)[1] in reason
        and reason.endswith("--pair-unsure takes it")
    )
    assert got[NO_BUTTON].pairing.original in (ORIGINAL, REPOST) and not got[NO_BUTTON].pairing.used
    # no original in the cache: the decoys convince nobody
    assert got[ABSENT].outcome == "unpaired" and "by content: nothing convincing (best " in got[ABSENT].reason
    # the seed's original is missing too, and no candidate is dated anywhere near it
    assert got[SEED_URL].reason.endswith(
        "is not in the page cache; by content: no Korean article dated inside its window"
    )
    # link pairs stay link pairs; the pages links claim were never candidates
    assert stored[LINKED][:2] == (LINKED_ORIGINAL, "link") and stored[LINKED][3] is None
    d = summary.as_dict()
    assert d["by_content"] == {
        "candidates": 2 + len(DECOYS) + 1,
        "paired": 1,
        "sure": 1,
        "unsure_used": 0,
        "unsure_left_unpaired": 1,
    }
    assert {e["item"] for e in d["content_pairing"]} == {BROKEN, NO_BUTTON, ABSENT, SEED_URL}
    assert d["seconds"]["pair"] > 0


def test_how_a_content_pair_was_decided_is_stored_with_it(archive):
    corpus, _ = archive
    with Store(corpus / "corpus.db") as store:
        pair_id = next(s.pair_id for s in store.summaries() if s.src_key == BROKEN)
        origin = store.pair(pair_id).origin
    assert origin.how == "content" and origin.sure is True and origin.label() == f"content {origin.score:.2f}"
    detail = origin.detail or {}
    assert detail["decided_by"] in ("score", "margin") and detail["en_margin"] is not None
    assert 0.5 <= detail["verification"]["en_share"] <= 1.0 and detail["verification"]["order"] > 0.5
    assert detail["why"].startswith("sure: ")


def test_a_rerun_decides_nothing_again_until_a_page_changes(archive, tmp_path):
    corpus = copy_corpus(archive[0], tmp_path / "corpus")
    before = decisions(corpus / "corpus.db")
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    got = items(summary)
    assert summary.count("aligned") == 0 and got[BROKEN].outcome == "unchanged"
    assert all(not r.pairing.decided_now for r in summary.items if r.pairing is not None)
    assert summary.content_candidates == 0  # nothing was parsed or encoded for pairing
    assert decisions(corpus / "corpus.db") == before
    assert summary.as_dict()["by_content"]["paired"] == 1  # still said, from the stored pair

    # the missing original arrives: the unpaired pages are decided again, the content pair keeps its original
    PageCache(corpus).put(
        ABSENT_ORIGINAL, (SAMPLE / "pages/www.hani.co.kr/arti/culture/music/863709.html").read_bytes()
    )
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    got = items(summary)
    assert got[ABSENT].outcome == "aligned" and got[ABSENT].pairing.original == ABSENT_ORIGINAL
    assert got[ABSENT].pairing.sure and got[ABSENT].pairing.decided_now
    assert got[BROKEN].outcome == "unchanged" and not got[BROKEN].pairing.decided_now
    assert pairs_by_english(corpus / "corpus.db")[ABSENT][:2] == (ABSENT_ORIGINAL, "content")

    # --force decides every page again (and finds the same)
    summary = run_corpus(corpus, RunOptions(formats=("tsv",), force=True))
    got = items(summary)
    assert got[BROKEN].pairing.decided_now and got[BROKEN].pairing.original == BROKEN_ORIGINAL
    assert got[BROKEN].outcome == "aligned"


def test_the_command_line_says_which_pairs_came_from_content_and_pair_unsure_takes_the_rest(archive, tmp_path, cli):
    corpus = copy_corpus(archive[0], tmp_path / "corpus")
    code, out, _ = cli("run", corpus, "--format", "tsv", "-v")
    assert code == 0
    assert (
        "found by content: 1 pair (1 sure, 0 taken unsure); 1 page left unpaired, not sure enough "
        "(--pair-unsure takes them)" in out
    )
    assert f"  {BROKEN} -> {BROKEN_ORIGINAL}  p " in out
    code, out, _ = cli("run", corpus, "--format", "tsv", "--pair-unsure", "--json")
    d = json.loads(out)
    assert code == 0 and d["aligned"] == 1
    assert d["by_content"] | {"candidates": 0} == {
        "candidates": 0,
        "paired": 2,
        "sure": 1,
        "unsure_used": 1,
        "unsure_left_unpaired": 0,
    }
    taken = next(e for e in d["content_pairing"] if e["item"] == NO_BUTTON)
    assert taken["used"] and not taken["sure"] and taken["outcome"] == "aligned"
    stored = pairs_by_english(corpus / "corpus.db")
    assert stored[NO_BUTTON][1] == "content" and stored[NO_BUTTON][3] is False
    # aligner stats: how each pair was made
    code, out, _ = cli("stats", corpus / "corpus.db", "--json")
    frame = {row["pair"]: row for row in json.loads(out)["pairs"]}
    paired = sorted(row["paired"] for row in frame.values())
    assert paired == sorted(
        ["link", "link", f"content {stored[BROKEN][2]:.2f}", f"content {stored[NO_BUTTON][2]:.2f}?"]
    )
    totals = json.loads(out)["totals"]
    assert totals["paired_by"] == {"link": 2, "content": 2} and totals["content_unsure"] == 1
    code, out, _ = cli("stats", corpus / "corpus.db")
    assert "pairs made by: link 2, content 2 (1 by content taken unsure)" in out


def test_worker_processes_find_and_store_the_same_content_pairs(archive, tmp_path):
    corpus = build_archive(tmp_path / "corpus")
    summary = run_corpus(corpus, RunOptions(formats=("tsv",), workers=2))
    assert summary.workers == 2
    assert [(r.item, r.outcome, r.reason.split(" (")[0]) for r in summary.items] == [
        (r.item, r.outcome, r.reason.split(" (")[0]) for r in archive[1].items
    ]
    ours, theirs = (pairs_by_english(c / "corpus.db") for c in (corpus, archive[0]))
    assert {k: (v[0], v[1], round(v[2] or 0, 2), *v[3:]) for k, v in ours.items()} == {
        k: (v[0], v[1], round(v[2] or 0, 2), *v[3:]) for k, v in theirs.items()
    }
    a, b = (read_tsv(c / "export" / "corpus.tsv").drop(columns="created_at") for c in (corpus, archive[0]))
    assert a.equals(b)


def test_a_dask_cluster_gets_the_pages_content_pairing_chose(archive, tmp_path):
    distributed = pytest.importorskip("distributed")
    corpus = build_archive(tmp_path / "corpus")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        summary = run_corpus(corpus, RunOptions(formats=("tsv",), dask=cluster.scheduler_address))
    assert items(summary)[BROKEN].outcome == "aligned" and summary.count("aligned") == archive[1].count("aligned")
    assert {k: v[:2] for k, v in pairs_by_english(corpus / "corpus.db").items()} == {
        k: v[:2] for k, v in pairs_by_english(archive[0] / "corpus.db").items()
    }


# -- a reviewer rejects a wrong pairing --------------------------------------------------------


def exported_pairs(store: Store, tmp_path: Path) -> dict[str, set[int]]:
    """The pair ids each format's file holds, read back from the files, with the most
    permissive policy there is (Moses files carry no ids: their line count must match)."""
    import pandas as pd
    from lxml import etree

    policy = ExportPolicy(status="any", keep_empty=True)
    out: dict[str, set[int]] = {}
    for fmt in FORMATS:
        result = export_corpus(store, fmt, tmp_path / f"all.{fmt}", policy)
        path = result.paths[0]
        if fmt == "tsv":
            out[fmt] = set(read_tsv(path)["pair_id"])
        elif fmt == "jsonl":
            out[fmt] = {json.loads(x)["pair_id"] for x in path.read_text(encoding="utf-8").splitlines()}
        elif fmt == "parquet":
            out[fmt] = set(pd.read_parquet(path)["pair_id"])
        elif fmt == "tmx":
            out[fmt] = {int(p.text) for p in etree.parse(str(path)).iter("prop") if p.get("type") == "x-pair-id"}
        else:
            lines = len(path.read_text(encoding="utf-8").splitlines())
            rows = list(store.export_rows(policy))
            assert lines == len(rows), fmt
            out[fmt] = {r.pair_id for r in rows}
    return out


def test_a_rejected_pairing_is_never_exported_nor_learnt_and_a_run_does_not_make_it_again(archive, tmp_path, cli):
    corpus = copy_corpus(archive[0], tmp_path / "corpus")
    db = corpus / "corpus.db"
    with Store(db) as store:
        by_src = {s.src_key: s.pair_id for s in store.summaries()}
        wrong, linked = by_src[BROKEN], by_src[LINKED]
        learnt = set(store.training_pairs(0.0))
        edit = review.reject_pairing(store, wrong, reviewer="alice", position=2)
        assert edit.changed and edit.action == "reject pairing" and edit.position == 2
        assert store.pairing_rejection(wrong).rejected_by == "alice"
        assert not review.reject_pairing(store, wrong, reviewer="alice").changed  # already rejected
        assert all(wrong not in ids and linked in ids for ids in exported_pairs(store, tmp_path).values())
        assert wrong not in {r.pair_id for r in store.export_rows(ExportPolicy(status="rejected"))}
        assert set(store.training_pairs(0.0)) < learnt
        review.undo(store, wrong, reviewer="alice")  # the rejection is one logged, undoable edit
        assert store.pairing_rejection(wrong) is None and wrong in {r.pair_id for r in store.export_rows()}
        review.redo(store, wrong, reviewer="alice")
        review.reject_pairing(store, linked, reviewer="bob")  # a link can be wrong too
        assert [h.action for h in review.history(store, wrong)] == ["reject pairing"] * 3
    code, out, _ = cli("export", db, "--format", "tsv", "-o", tmp_path / "cli.tsv", "--status", "any")
    assert code == 0 and set(read_tsv(tmp_path / "cli.tsv")["pair_id"]) == {by_src[p] for p in by_src} - {wrong, linked}

    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    got = items(summary)
    assert got[BROKEN].outcome == "unpaired" and got[LINKED].outcome == "unpaired"
    assert got[BROKEN].reason.startswith(f"a reviewer rejected its pairing with {BROKEN_ORIGINAL}; by content: ")
    assert got[LINKED].reason.startswith(f"a reviewer rejected its pairing with {LINKED_ORIGINAL}")
    stored = pairs_by_english(db)
    assert stored[BROKEN][0] == BROKEN_ORIGINAL and stored[BROKEN][4]  # kept as it was, still rejected
    assert stored[LINKED][0] == LINKED_ORIGINAL and stored[LINKED][4]
    exported = set(read_tsv(corpus / "export" / "corpus.tsv")["pair_id"])
    assert not exported & {wrong, linked} and exported
    frame, totals = corpus_stats(db)
    assert totals["rejected_pairings"] == 2
    assert set(frame.loc[frame["pairing_rejected"], "status"]) == {"pairing rejected"}


def test_after_a_rejection_a_run_pairs_the_article_with_another_candidate_and_says_so(archive, tmp_path, cli):
    corpus = copy_corpus(archive[0], tmp_path / "corpus")
    db = corpus / "corpus.db"
    run_corpus(corpus, RunOptions(formats=("tsv",), pair_unsure=True))  # takes one of the two copies, unsure
    first, pair_id = pairs_by_english(db)[NO_BUTTON][0], None
    with Store(db) as store:
        pair_id = next(s.pair_id for s in store.summaries() if s.src_key == NO_BUTTON)
        review.accept(store, pair_id, 0, reviewer="alice")  # a reviewed bead of the wrong pairing does not hold it
        review.reject_pairing(store, pair_id, reviewer="alice")
    code, out, _ = cli("run", corpus, "--format", "tsv", "--pair-unsure")
    other = REPOST if first == ORIGINAL else ORIGINAL
    assert code == 0 and f"  {NO_BUTTON} -> {other} instead of {first} (a reviewer rejected that pairing)  p " in out
    stored = pairs_by_english(db)[NO_BUTTON]
    assert stored[:2] == (other, "content") and stored[3] is True and not stored[4]  # the only candidate left: sure
    with Store(db) as store:
        assert all(b.status == "unreviewed" for b in store.beads(pair_id))  # aligned afresh, no old anchors
        assert store.rejected_originals()[NO_BUTTON] == {first}
        with pytest.raises(review.ReviewError, match="a run has paired this article with another original since"):
            review.undo(store, pair_id, reviewer="alice")


def test_a_database_from_before_schema_9_upgrades_to_link_pairs_nobody_rejected(tmp_path):
    """fixtures/db/schema6.db (written by the schema-6 code) passes through every migration:
    its pairs read as made by their links, no pairing is rejected, and a rejection works."""
    db = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "db" / "schema6.db", db)
    with Store(db) as store:
        assert {(s.how, s.sure, s.pairing_rejected) for s in store.summaries()} == {("link", None, False)}
        assert store.pairing_decisions() == {} and store.rejected_originals() == {}
        pair_id = store.pair_ids()[0]
        before = len(list(store.export_rows()))
        review.reject_pairing(store, pair_id, reviewer="carol")
        assert len(list(store.export_rows())) < before
        assert store.integrity_problems() == []
