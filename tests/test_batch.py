"""Scripted runs: worker processes, a Dask cluster on 127.0.0.1, restarts after a kill,
retrying failures, and a reviewer editing the same database while a batch writes.

All with real processes and a real SQLite file; the sample corpus keeps it quick.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aligner.cli import main
from aligner.export.tsv import read_tsv
from aligner.pipeline import RunOptions, run_corpus
from aligner.sources import PageCache
from aligner.store import Store
from tests.conftest import ROOT, SEED_URL, child_env, copy_sample
from tests.scripts import load_script

EN_URL = "https://english.hani.co.kr/arti/english_edition/e_international/863803.html"
KO_URL = "https://www.hani.co.kr/arti/international/america/863703.html"
STAGES = ("parse", "check", "split", "encode", "align", "store", "export")


def bead_table(db: Path) -> dict[str, list[tuple]]:
    """Every pair's beads by English page: spans, confidence, origin, status (ids aside)."""
    with Store(db) as store:
        out = {}
        for pair_id in store.pair_ids():
            pair = store.pair(pair_id)
            key = store.document(pair.src_doc).key
            out[key] = [
                (b.src_start, b.src_end, b.tgt_start, b.tgt_end, round(b.confidence, 3), b.origin, b.status)
                for b in store.beads(pair_id)
            ]
        return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The one-process run every other run is compared with."""
    corpus = copy_sample(tmp_path_factory.mktemp("serial"))
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    return corpus, summary, bead_table(corpus / "corpus.db")


def test_two_worker_processes_store_the_same_beads_in_the_same_order(reference, tmp_path):
    ref_corpus, ref_summary, ref_beads = reference
    corpus = copy_sample(tmp_path)
    summary = run_corpus(corpus, RunOptions(formats=("tsv",), workers=2))
    assert summary.count("aligned") == 10 and summary.count("unpaired") == 1
    assert summary.workers == 2  # both processes did some of the work
    assert bead_table(corpus / "corpus.db") == ref_beads
    # written in page order, so pair ids and the export are the same as the serial run's (but
    # for the time each run aligned the pairs, which every unit carries as its creation date)
    ours, theirs = (read_tsv(c / "export" / "corpus.tsv").drop(columns="created_at") for c in (corpus, ref_corpus))
    assert ours.equals(theirs) and len(ours) > 100
    assert [r.item for r in summary.items] == [r.item for r in ref_summary.items]
    for stage in STAGES:
        assert stage in summary.seconds, stage
    assert summary.seconds["encode"] > 0 and summary.encoded > 0
    with Store(corpus / "corpus.db") as store:
        assert store.integrity_problems() == []
        assert [f[0] for f in store.failures()] == [SEED_URL]


def test_a_dask_cluster_on_localhost_stores_the_same_beads(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, _, ref_beads = reference
    corpus = copy_sample(tmp_path)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        summary = run_corpus(corpus, RunOptions(formats=("tsv",), dask=cluster.scheduler_address))
        with distributed.Client(cluster.scheduler_address) as client:
            pids = client.run(os.getpid)
    assert summary.count("aligned") == 10 and summary.count("unpaired") == 1
    assert bead_table(corpus / "corpus.db") == ref_beads
    # the work ran in the cluster's worker processes, not here
    assert summary.workers >= 1 and os.getpid() not in pids.values()
    assert summary.seconds["encode"] > 0


def test_dask_scheduler_that_is_not_there_is_one_clear_error(tmp_path, capsys):
    pytest.importorskip("distributed")
    corpus = copy_sample(tmp_path)
    code = main(["run", str(corpus), "--dask", "tcp://127.0.0.1:9", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("aligner: error: tcp://127.0.0.1:9: cannot reach the Dask scheduler")
    assert len(err.strip().splitlines()) == 1


def grow(corpus: Path, copies: int) -> int:
    """Add copies of the sample pairs under new ids (a bigger corpus for the kill test)."""
    cache = PageCache(corpus)
    added = 0
    for url, _ in list(cache.iter_pages("english.hani.co.kr")):
        page = cache.get(url)
        old_id = url.rsplit("/", 1)[1][:-5]
        if old_id == "684758":
            continue
        ko_url = [u for u, _ in cache.iter_pages("www.hani.co.kr") if u.endswith(f"/{int(old_id) - 100}.html")][0]
        ko_id = ko_url.rsplit("/", 1)[1][:-5]
        for k in range(1, copies + 1):
            new_en, new_ko = str(int(old_id) + 1000 * k), str(int(ko_id) + 1000 * k)
            cache.put(url.replace(old_id, new_en), page.replace(ko_id.encode(), new_ko.encode()))
            cache.put(ko_url.replace(ko_id, new_ko), cache.get(ko_url))
            added += 1
    return added


@pytest.mark.kill
def test_a_killed_run_restarted_finishes_the_rest_without_redoing_work(tmp_path):
    corpus = copy_sample(tmp_path)
    total = 10 + grow(corpus, 3)
    db = corpus / "corpus.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aligner", "run", str(corpus), "--workers", "2", "--quiet", "--format", "tsv"],
        cwd=ROOT,
        env=child_env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    done_at_kill = 0
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=5) as conn:
                        done_at_kill = conn.execute(
                            "SELECT count(*) FROM pairs WHERE aligned_hash IS NOT NULL"
                        ).fetchone()[0]
                except sqlite3.OperationalError:  # schema not created yet
                    done_at_kill = 0
                if done_at_kill >= 2:
                    break
            time.sleep(0.01)
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read().decode()}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, mid-flight
        proc.wait()
    with Store(db) as store:
        done = len([p for p in store.pair_ids() if store.pair_alignment_hash(p)])
        assert store.integrity_problems() == []  # whole pairs only: the killed transaction left nothing
    assert 2 <= done < total
    summary = run_corpus(corpus, RunOptions(formats=("tsv",)))
    assert summary.count("unchanged") == done  # finished pairs were not redone
    assert summary.count("aligned") == total - done
    again = run_corpus(corpus, RunOptions(formats=("tsv",)))
    assert again.count("unchanged") == total and again.count("aligned") == 0
    with Store(db) as store:
        assert store.integrity_problems() == []
        assert len(store.pair_ids()) == total


def test_earlier_failures_are_reported_not_redone_until_their_pages_change_or_asked(tmp_path, capsys):
    corpus = copy_sample(tmp_path)
    cache = PageCache(corpus)
    # a Korean page saved under an English-edition URL: a failure, not just unpaired
    wrong = "https://english.hani.co.kr/arti/english_edition/e_national/900004.html"
    cache.put(wrong, cache.get(KO_URL))
    first = run_corpus(corpus, RunOptions(formats=("tsv",)))
    outcomes = {r.item: r for r in first.items}
    assert outcomes[wrong].outcome == "failed" and "expected English" in outcomes[wrong].reason
    assert outcomes[SEED_URL].outcome == "unpaired" and not outcomes[SEED_URL].previous

    second = run_corpus(corpus, RunOptions(formats=("tsv",)))
    outcomes = {r.item: r for r in second.items}
    assert outcomes[wrong].previous and outcomes[wrong].outcome == "failed"
    assert outcomes[wrong].reason == first_reason(first, wrong)
    assert outcomes[SEED_URL].previous and outcomes[SEED_URL].outcome == "unpaired"
    assert second.as_dict()["skipped_failures"] == 2
    assert not outcomes[wrong].seconds  # not parsed again

    # asked to: tried again (and still failing, now as a fresh failure)
    code = main(["run", str(corpus), "--retry-failed", "--json", "--format", "tsv"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # a failed item makes the exit status non-zero
    problems = {p["item"]: p for p in report["problems"]}
    assert problems[wrong]["previous_run"] is False and report["skipped_failures"] == 0

    # the missing Korean original arrives: the unpaired page is tried again without asking
    seed_ko = "http://www.hani.co.kr/arti/international/america/684736.html"
    path = cache.put(seed_ko, cache.get(KO_URL))
    later = time.time() + 5
    os.utime(path, (later, later))
    third = run_corpus(corpus, RunOptions(formats=("tsv",)))
    outcomes = {r.item: r for r in third.items}
    assert not outcomes[SEED_URL].previous  # worked on again
    assert outcomes[wrong].previous  # still skipped: its page did not change


def first_reason(summary, item: str) -> str:
    return next(r.reason for r in summary.items if r.item == item)


REVIEWER = r"""
import json, random, sys, time
from aligner.store import Store
from aligner.review import accept, merge_with_next, ReviewError

db, log_path, stop_path = sys.argv[1:4]
rng = random.Random(7)
done = 0
with Store(db) as store, open(log_path, "w") as log:
    pair_ids = store.pair_ids()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and done < 400:
        pair_id = rng.choice(pair_ids)
        with store.transaction():  # the edit and reading back what it made: one unit of work
            n = len(store.beads(pair_id))
            position = rng.randrange(max(1, n - 1))
            action = "merge" if rng.random() < 0.2 else "accept"
            try:
                edit = (merge_with_next if action == "merge" else accept)(store, pair_id, position,
                                                                         reviewer="tester")
            except ReviewError:
                continue
            b = store.beads(pair_id)[edit.position]
            row = [pair_id, action, edit.edit_id, b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.origin, b.status]
        log.write(json.dumps(row) + "\n")
        log.flush()
        done += 1
        if done == 1:
            print("ready", flush=True)
        if done > 20 and __import__("os").path.exists(stop_path):
            break
        time.sleep(0.02)
print("edits", done, flush=True)
"""


def test_a_reviewer_edits_the_database_while_a_batch_rewrites_it(reference, tmp_path):
    ref_corpus, _, _ = reference
    corpus = copy_sample(tmp_path)
    shutil.copy(ref_corpus / "corpus.db", corpus / "corpus.db")
    db = corpus / "corpus.db"
    log, stop = tmp_path / "edits.jsonl", tmp_path / "stop"
    reviewer = subprocess.Popen(
        [sys.executable, "-c", REVIEWER, str(db), str(log), str(stop)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reviewer.stdout.readline().strip() == "ready", reviewer.stderr.read()
        # --force: every pair is aligned again while the reviewer accepts and merges beads in it
        summary = run_corpus(corpus, RunOptions(formats=("tsv",), workers=2, force=True))
    finally:
        stop.touch()
        out, err = reviewer.communicate(timeout=120)
    assert reviewer.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err
    assert summary.count("failed") == 0
    assert summary.count("aligned") + summary.count("kept") == 10
    assert summary.replanned > 0  # pairs the reviewer changed after they were sent out were worked out again
    edits = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(edits) > 20
    with Store(db) as store:
        assert store.integrity_problems() == []
        # every edit the reviewer committed is in the log...
        logged = {r[0] for r in store.conn.execute("SELECT id FROM edits WHERE reviewer='tester'")}
        assert {e[2] for e in edits if e[2] is not None} <= logged
        # ...and every bead they accepted or built is still there, as they left it
        for pair_id, action, _, e0, e1, k0, k1, _origin, _status in edits:
            beads = {(b.src_start, b.src_end, b.tgt_start, b.tgt_end): b for b in store.beads(pair_id)}
            if (e0, e1, k0, k1) in beads:
                assert beads[(e0, e1, k0, k1)].status == "accepted", (pair_id, action, e0, k0)
            else:  # only a later edit by the same reviewer may have reshaped it (a merge takes in its neighbour)
                assert any(
                    b.origin == "manual"
                    and b.src_start <= e0
                    and b.src_end >= e1
                    and b.tgt_start <= k0
                    and b.tgt_end >= k1
                    for b in beads.values()
                ), (pair_id, action, e0, k0)


def test_a_toml_config_runs_and_flags_override_it(tmp_path, capsys):
    corpus = copy_sample(tmp_path / "corpus")
    config = tmp_path / "run.toml"
    config.write_text(
        'corpus = "corpus"\nworkers = 1\n\n[export]\nformats = ["jsonl"]\ndir = "out"\nmin_confidence = 0.5\n',
        encoding="utf-8",
    )
    code = main(["run", str(config), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["files"] == [str(tmp_path / "out" / "corpus.jsonl")]
    assert report["aligned"] == 10 and report["unpaired"] == 1 and report["workers"] == 1
    for stage in STAGES:
        assert stage in report["seconds"], stage
    assert report["throughput"]["pairs_per_minute"] > 0
    assert (corpus / "corpus.db").exists()
    # a flag wins over the file; --quiet prints nothing
    code = main(["run", str(config), "--format", "tsv", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == "" and captured.err == ""
    assert (tmp_path / "out" / "corpus.tsv").exists()


@pytest.mark.parametrize(
    "text, problem",
    [
        ('corpus = "c"\nworkers = "two"\n', "workers must be a whole number"),
        ('corpus = "c"\n[export]\nformat = ["tmx"]\n', "unknown key 'export.format'"),
        ("workers = 2\n", 'needs corpus = "FOLDER"'),
        ('corpus = "c"\n[export]\nformats = ["pdf"]\n', "unknown format 'pdf'"),
        ('corpus = "c"\nforce = 1\n', "force must be true or false"),
        ("corpus = [\n", "not valid TOML"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_file(tmp_path, capsys, text, problem):
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    code = main(["run", str(config)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"aligner: error: {config}: ") and problem in err, err
    assert len(err.strip().splitlines()) == 1


def test_the_python_api_from_the_package(reference):
    import aligner
    from aligner import Article, Store, align_articles, align_sentences

    ref_corpus, _, _ = reference
    beads = align_sentences(
        ["The minister arrived on Monday.", "She met the president."],
        ["장관은 월요일에 도착했다.", "그는 대통령을 만났다."],
    )
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,))]
    result = align_articles(
        Article("en", "Talks resume", ["The two sides met in Seoul on Monday."]),
        Article("ko", "회담 재개", ["양측은 월요일 서울에서 만났다."]),
    )
    assert len(result.beads) == 2
    with Store(ref_corpus / "corpus.db") as store:
        assert len(store.pair_ids()) == 10
    assert "run_corpus" in dir(aligner)
    with pytest.raises(AttributeError):
        aligner.no_such_thing  # noqa: B018


def test_run_config_from_python_with_overrides(reference, tmp_path):
    from aligner import run_config

    ref_corpus, _, _ = reference
    shutil.copytree(ref_corpus, tmp_path / "corpus")
    config = tmp_path / "run.toml"
    config.write_text('corpus = "corpus"\n[export]\nformats = ["tsv"]\n', encoding="utf-8")
    summary = run_config(str(config), formats=("jsonl",))
    assert summary.count("unchanged") == 10 and summary.count("aligned") == 0
    assert summary.files == [str(tmp_path / "corpus" / "export" / "corpus.jsonl")]
    with pytest.raises(TypeError, match="no_such_option"):
        run_config(str(config), no_such_option=1)


def test_the_progress_bar_shows_articles_sentences_and_rate_on_a_terminal(tmp_path):
    import pty

    corpus = copy_sample(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: aligner run with a terminal on stderr
        os.chdir(ROOT)
        os.environ.update(child_env(), COLUMNS="160", TERM="xterm")
        os.execv(sys.executable, [sys.executable, "-m", "aligner", "run", str(corpus), "--format", "tsv"])
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, screen[-2000:]
    assert "aligning" in screen and "articles" in screen and "sentences" in screen
    assert "pairs/min" in screen and "/11" in screen  # done of total, and the rate
    assert "pairs in corpus: 10" in screen  # the summary after the bar


def test_an_encoder_that_cannot_load_stops_the_run_with_one_line(tmp_path, capsys):
    copy_sample(tmp_path / "corpus")
    config = tmp_path / "run.toml"
    config.write_text('corpus = "corpus"\n[align]\nencoder = "no-such-encoder"\n', encoding="utf-8")
    code = main(["run", str(config), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("aligner: error: aligner: cannot load the models") and "no-such-encoder" in err, err
    assert len(err.strip().splitlines()) == 1


def sample_key(key: str) -> str:
    """The sample page a renumbered copy was made from."""
    return re.sub(r"/8\d\d(\d{3})\.html", r"/863\1.html", key)


@pytest.mark.kill
def test_a_worker_process_that_dies_is_replaced_and_its_pairs_redone(reference, tmp_path):
    import psutil

    _, _, ref_beads = reference
    # 40 pairs: more than the 12 a 2-worker pool holds in flight, so the kill at the first
    # result always lands on work still to do (and on submits to the broken pool)
    ct = load_script("crash_trials")

    corpus = ct.build_pages(tmp_path, 3)  # the sample's pages and 3 renumbered copies
    killed = []

    def kill_a_worker(result) -> None:
        if killed:
            return
        workers = [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]
        assert workers, "no worker processes found"
        workers[0].kill()  # SIGKILL, as the kernel's out-of-memory killer would
        killed.append(workers[0].pid)

    summary = run_corpus(corpus, RunOptions(formats=("tsv",), workers=2), progress=kill_a_worker)
    assert killed and summary.worker_crashes == 1
    assert summary.count("aligned") == 40 and summary.count("failed") == 0
    beads = bead_table(corpus / "corpus.db")
    assert len(beads) == 40
    for key, rows in beads.items():
        assert rows == ref_beads[sample_key(key)], key


def test_a_submit_to_a_pool_whose_worker_died_hands_back_the_breakage_in_order():
    """The run loop meets the breakage at the task's own place in the window, where it
    restarts the pool and sends the task again, rather than failing in the middle of submits."""
    from concurrent.futures.process import BrokenProcessPool

    from aligner.executors import PoolExecutor
    from aligner.worker import AlignerSpec

    executor = PoolExecutor(AlignerSpec(method="length"), workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            executor._pool.submit(os._exit, 1).result(timeout=60)  # the worker dies
        handle = executor.submit(None)  # type: ignore[arg-type]  # never runs: the pool is broken
        with pytest.raises(BrokenProcessPool):
            handle.result()
        executor.restart()
        assert executor._pool.submit(len, "abc").result(timeout=60) == 3
    finally:
        executor.close()
