"""Crash trials: kill -9 `aligner run`, the review app and `aligner export` at seeded random
moments, and check after every kill that nothing was lost, doubled or half-written.

Why random moments: a kill at a moment someone picked only proves the moments they
thought of. Every unit of work is meant to be one SQLite transaction and every export
file is meant to appear whole or not at all; a few dozen kills spread over the whole
life of each process is how we see that hold.

The three kinds of trial:

* ``run``: ``aligner run`` (a real process, 1 or 2 workers) killed while it starts,
  aligns, stores or exports; either the first run of a corpus or a ``--force`` re-run of
  a corpus whose beads a reviewer accepted, merged, rejected and re-typed. After the
  kill the database must pass ``PRAGMA integrity_check``, every pair's beads must cover
  each side once, every accepted or hand-made bead and the whole edit log must be as
  the reviewer left them, the export files must be the old ones or complete new ones,
  and a re-run must finish with the same beads and exports as an uninterrupted run.
* ``review``: the review app on a pty, keys typed at random (accept, reject, merge,
  split, shift, detach, undo, redo, text fixes...), killed mid-stream. Every edit a
  separate connection saw committed before the kill must still be there, replaying the
  edit log from the starting state must give exactly the stored pairs, and the app must
  reopen on the reviewer's pair and undo.
* ``export``: ``aligner export`` of a big corpus killed while it writes. The file under
  the final name must be byte-equal to the old one (or the complete new one if the
  rename had happened), a Moses pair must never mix old and new, and the next export
  must leave no temporary file behind.

Each trial has its own seed, derived from ``--seed``, its kind and its number; its kill
moment and everything else random about it come from that seed, and both are printed
with any failure, so ``--replay KIND:SEED`` runs that one trial again.

    python -m benchmarks.crash_trials                  # 20 trials of each kind; writes docs/reliability.md
    python -m benchmarks.crash_trials --trials 3 --kinds export --no-write
    python -m benchmarks.crash_trials --replay review:1234567
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aligner import review
from aligner.model import Article, Bead, Sentence
from aligner.store import Store
from benchmarks.sections import write_section

ROOT = Path(__file__).resolve().parent.parent


SAMPLE = ROOT / "corpora" / "sample"
DOC = ROOT / "docs" / "reliability.md"
KINDS = ("run", "review", "export")
RUN_FORMATS = ("tmx", "tsv")
EXPORT_FORMATS = ("tsv", "tmx", "jsonl", "moses")
TMX_DATE = re.compile(rb'creationdate="[0-9TZ]+"')
REVIEWER = "crash-trial"

#: Weaknesses these trials found, and how each was fixed (written into docs/reliability.md).
FIXES: list[str] = [
    "**Half-written temporary files stayed for ever.** An export killed while writing cannot delete its "
    "hidden `.corpus.tsv.RANDOM.tmp`, so every such kill left up to a whole export's size behind (the first "
    "export trials: every kill that landed while writing). `aligner/export/atomic.py` now holds an exclusive "
    "`flock` on the temporary file until after the rename, and each export first deletes the same target's "
    "temporary files nobody holds (the kernel drops a dead process's lock; a live concurrent export keeps "
    "its file). Test: `test_a_killed_exports_temporary_file_is_removed_by_the_next_one_but_a_live_ones_is_not`.",
    "**Worker processes outlived a killed run.** `kill -9` of `aligner run --workers 2` left both workers "
    "(each holding a loaded encoder, about 0.7 GB) and multiprocessing's resource tracker waiting for ever "
    "for work from a parent that was gone (the first 2-worker run trial; its orphans also kept the trial's "
    "stderr pipe open). Pool workers now watch their parent and exit within half a second of its death "
    "(`aligner/executors.py`). Test: `test_pool_workers_exit_when_the_run_that_started_them_is_killed`.",
]

#: What the trials check but a kill cannot be made safe against here.
LIMITS: list[str] = [
    "A Moses export renames its two files one after the other, so a kill in the instant between the two "
    'renames would leave a new `.en` beside the old `.ko`; the trials check for it ("moses files from the '
    'same export") and no kill has landed there.',
]


# -- one trial's record ---------------------------------------------------------------------


@dataclass
class Trial:
    """What one kill did and what was checked afterwards; ``problems`` empty = passed."""

    kind: str
    seed: int
    setup: str = ""
    moment: float = 0.0  # seconds after the process started (review: after the pair opened)
    stage: str = ""  # where the kill landed, as far as the files tell
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append(name)
        if not ok:
            self.problems.append(f"{name}: {detail}" if detail else name)

    def line(self) -> str:
        verdict = "ok" if not self.problems else "FAILED: " + "; ".join(self.problems)
        return (
            f"{self.kind}:{self.seed} [{self.setup}] killed at {self.moment:.2f}s ({self.stage}), "
            f"{len(self.checks)} checks, {verdict}"
        )


def trial_seed(seed: int, kind: str, number: int) -> int:
    """A stable per-trial seed, so one trial can be replayed without the others."""
    return random.Random(f"{seed}:{kind}:{number}").randrange(10**9)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def guarded(trial: Trial, name: str, step: Callable[[], None]) -> None:
    """Run a checking step; an exception (a locked database, say) is a problem, not a crash of the trials."""
    try:
        step()
    except Exception as exc:  # noqa: BLE001 - whatever reaches the user is a finding
        trial.check(name, False, f"{type(exc).__name__}: {exc}")


# -- database checks shared by the kinds ------------------------------------------------------


def check_database(trial: Trial, db: Path) -> None:
    """SQLite's own check, then our invariant: beads cover each side's sentences once, in order."""
    conn = sqlite3.connect(db, timeout=5)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    trial.check("integrity_check", result == [("ok",)], str(result[:3]))
    with Store(db, timeout=5) as store:
        problems = store.integrity_problems()
    trial.check("each sentence in exactly one bead", not problems, "; ".join(problems[:3]))


def bead_table(db: Path) -> dict[str, list[tuple]]:
    """Every pair's beads by English page, with their text: what a re-run must reproduce."""
    with Store(db) as store:
        out = {}
        for pair_id in store.pair_ids():
            pair = store.pair(pair_id)
            en = [s.text for s in store.sentences(pair.src_doc)]
            ko = [s.text for s in store.sentences(pair.tgt_doc)]
            out[store.document(pair.src_doc).key] = [
                (
                    b.src_start,
                    b.src_end,
                    b.tgt_start,
                    b.tgt_end,
                    round(b.confidence, 3),
                    b.origin,
                    b.status,
                    " ".join(en[b.src_start : b.src_end]),
                    " ".join(ko[b.tgt_start : b.tgt_end]),
                )
                for b in store.beads(pair_id)
            ]
        return out


def fixed_beads(db: Path) -> set[tuple]:
    """Beads a person vouched for (accepted or made by hand), with their text, by English page."""
    return {
        (key, *row)
        for key, rows in bead_table(db).items()
        for row in rows
        if row[6] == "accepted" or row[5] == "manual"
    }


def edit_log(db: Path) -> list[tuple]:
    with Store(db) as store:
        return [
            tuple(r)
            for r in store.conn.execute(
                "SELECT id, pair_id, reviewer, action, before, after, undone FROM edits ORDER BY id"
            )
        ]


def same_bytes(a: Path, b: Path, masked: bool = False) -> bool:
    """Byte-equal files; ``masked`` ignores a TMX header's creation date (it is the time of writing)."""
    x, y = a.read_bytes(), b.read_bytes()
    if masked:
        x, y = TMX_DATE.sub(b"", x), TMX_DATE.sub(b"", y)
    return x == y


def same_export(a: Path, b: Path) -> bool:
    """The same run export apart from the time of writing and the beads' row ids.

    Every re-alignment of a pair writes its beads as new rows, so a pair stored by the
    killed run and again by the re-run has other bead ids than in an uninterrupted run;
    the beads themselves (spans, text, scores, marks, order) must be identical.
    """

    def strip(data: bytes) -> bytes:
        if a.suffix == ".tmx":  # creation dates: the time each run aligned the pair
            data = TMX_DATE.sub(b"", data)
            return re.sub(rb'<prop type="x-bead-id">\d+</prop>', b"", data)
        if a.suffix == ".tsv":  # blank the bead_id and created_at columns, found by the header
            lines = [line.split(b"\t") for line in data.split(b"\n")]
            varying = [i for i, name in enumerate(lines[0]) if name in (b"bead_id", b"created_at")]
            return b"\n".join(b"\t".join(b"" if i in varying else f for i, f in enumerate(fields)) for fields in lines)
        return data

    return strip(a.read_bytes()) == strip(b.read_bytes())


def temp_files(folder: Path) -> list[Path]:
    """Hidden temporary files of atomic writes (``.NAME.RANDOM.tmp``)."""
    return sorted(p for p in folder.glob(".*.tmp")) if folder.is_dir() else []


# -- the corpus: the sample's pages, repeated under new ids, with a reviewer's work on it ------------


def build_pages(dest: Path, copies: int) -> Path:
    """The sample's pages plus ``copies`` renumbered copies (ids + 10000*k, links rewritten)."""
    shutil.copytree(SAMPLE / "pages", dest / "pages")
    number = re.compile(rb"/(86\d{4})\.html")
    for k in range(1, copies + 1):

        def shift(match: re.Match, k: int = k) -> bytes:
            return b"/%d.html" % (int(match.group(1)) + 10000 * k)

        for page in (SAMPLE / "pages").rglob("*.html"):
            new_name = number.sub(shift, b"/" + page.name.encode()).decode().lstrip("/")
            target = dest / "pages" / page.relative_to(SAMPLE / "pages").parent / new_name
            target.write_bytes(number.sub(shift, page.read_bytes()))
    return dest


def review_some(db: Path) -> None:
    """A reviewer's work a later run must never undo: accepts, a reject, a merge, a text fix,
    a sentence split and an 'accept everything above', spread over the first pairs."""
    with Store(db) as store:
        ids = store.pair_ids()
        who = {"reviewer": "setup"}
        review.accept(store, ids[0], [0, 1, 2], **who)
        review.reject(store, ids[0], 3, **who)
        review.merge_with_next(store, ids[1], 1, **who)
        review.accept(store, ids[1], 4, **who)
        pair = store.pair(ids[2])
        text = store.sentences(pair.src_doc)[1].text
        review.edit_sentence_text(store, ids[2], "src", 1, text + " (checked)", **who)
        pair = store.pair(ids[3])
        ko = store.sentences(pair.tgt_doc)
        index = max(range(len(ko)), key=lambda i: len(ko[i].text))
        cut = ko[index].text.find(" ", len(ko[index].text) // 2) + 1
        review.split_sentence(store, ids[3], "tgt", index, cut, **who)
        review.accept_all_above(store, ids[4], len(store.beads(ids[4])) // 2, **who)


@dataclass
class Snapshot:
    """A finished corpus folder and what it holds, to compare trials with."""

    folder: Path
    table: dict[str, list[tuple]]
    exports: dict[str, Path]


class Corpus:
    """The shared starting points: the pages, a reviewed database, and uninterrupted references.

    References and re-runs run in this process with one aligner loaded once (the killed
    runs are separate processes that load their own), so a trial costs one model load.
    """

    def __init__(self, work: Path, method: str, copies: int) -> None:
        self.work = work
        self.method = method
        self.pages = build_pages(work / "pages-only", copies)
        self._aligner: Any = None
        self.first = self.finished_run(self.pages, work / "ref-first", force=False)
        self.reviewed = work / "reviewed"
        shutil.copytree(self.first.folder, self.reviewed)
        review_some(self.reviewed / "corpus.db")
        self.forced = self.finished_run(self.reviewed, work / "ref-forced", force=True)

    @property
    def aligner(self) -> Any:
        if self._aligner is None:
            from aligner.align import default_aligner

            self._aligner = default_aligner("en", "ko", self.method)
        return self._aligner

    def options(self, force: bool) -> Any:
        from aligner.run import RunOptions

        return RunOptions(formats=RUN_FORMATS, force=force, method=self.method)

    def rerun(self, folder: Path, force: bool) -> Any:
        from aligner.pipeline import run_corpus

        return run_corpus(folder, self.options(force), aligner=self.aligner)

    def finished_run(self, start: Path, dest: Path, force: bool) -> Snapshot:
        shutil.copytree(start, dest)
        self.rerun(dest, force)
        exports = {f: dest / "export" / f"corpus.{f}" for f in RUN_FORMATS}
        return Snapshot(dest, bead_table(dest / "corpus.db"), exports)


# -- kind 1: aligner run ----------------------------------------------------------------------


def run_config(folder: Path, workers: int, force: bool, method: str) -> Path:
    config = folder / "run.toml"
    config.write_text(
        f'corpus = "corpus"\nworkers = {workers}\nforce = {str(force).lower()}\n\n'
        f'[align]\nmethod = "{method}"\n\n[export]\nformats = {json.dumps(list(RUN_FORMATS))}\n',
        encoding="utf-8",
    )
    return config


def timed_cli_run(corpus: Corpus, force: bool, workers: int) -> tuple[float, float]:
    """When an uninterrupted `aligner run` stores its first pair and when it ends, in seconds:
    the kill moments are drawn from around that window. Its beads must match the reference."""
    from aligner.store import now

    folder = Path(tempfile.mkdtemp(dir=corpus.work, prefix="timing-"))
    shutil.copytree(corpus.reviewed if force else corpus.pages, folder / "corpus")
    db = folder / "corpus" / "corpus.db"
    config = run_config(folder, workers, force, corpus.method)
    started, t = now(), time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aligner", "run", str(config), "--quiet"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = None
    while proc.poll() is None:
        if first is None and db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                    if conn.execute("SELECT count(*) FROM pairs WHERE aligned_at >= ?", (started,)).fetchone()[0]:
                        first = time.perf_counter() - t
            except sqlite3.Error:  # the schema is not there yet
                pass
        time.sleep(0.05)
    end = time.perf_counter() - t
    reference = corpus.forced if force else corpus.first
    if bead_table(db) != reference.table:
        raise SystemExit("an uninterrupted `aligner run` stored other beads than the in-process reference")
    shutil.rmtree(folder)
    return 0.85 * (first or end), 1.05 * end


def live_group_members(pgid: int) -> list[int]:
    """Processes of a process group that still run (zombies waiting to be reaped don't count)."""
    import psutil

    out = []
    for proc in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                out.append(proc.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return out


def run_stage(
    db: Path,
    start_stamps: dict[str, str | None],
    exports: dict[str, Path],
    old: dict[str, bytes | None],
    temps: list[Path],
    total: int,
    exited: bool,
) -> str:
    """Where the kill landed, read from what the killed run left behind."""
    if exited:
        return "after the run had ended"
    stored = 0
    if db.exists():
        with Store(db) as store:
            for key, stamp in store.conn.execute(
                "SELECT d.key, p.aligned_at FROM pairs p JOIN documents d ON d.id=p.src_doc"
            ):
                if stamp is not None and stamp != start_stamps.get(key):
                    stored += 1
    if stored == 0:
        return "starting (no pair stored yet)"
    if stored < total:
        return f"aligning and storing ({stored}/{total} pairs stored)"
    replaced = sum(1 for f, p in exports.items() if p.exists() and p.read_bytes() != old[f])
    if temps or replaced < len(exports):
        return "exporting"
    return "after the exports, before exiting"


def run_trial(corpus: Corpus, seed: int, windows: dict[tuple[bool, int], tuple[float, float]]) -> Trial:
    """Kill one `aligner run` at a random moment, check the pieces, re-run, compare.

    ``windows``: where to draw the kill moment from, by (forced re-run?, workers).
    """
    rng = random.Random(seed)
    force = rng.random() < 0.6
    workers = rng.choice((1, 2))
    moment = rng.uniform(*windows[force, workers])
    trial = Trial(
        "run",
        seed,
        f"{'--force re-run of a reviewed corpus' if force else 'first run'}, "
        f"{workers} worker{'s' if workers > 1 else ''}",
        moment,
    )
    folder = Path(tempfile.mkdtemp(dir=corpus.work, prefix="run-"))
    start = corpus.reviewed if force else corpus.pages
    shutil.copytree(start, folder / "corpus")
    db = folder / "corpus" / "corpus.db"
    reference = corpus.forced if force else corpus.first
    exports = {f: folder / "corpus" / "export" / f"corpus.{f}" for f in RUN_FORMATS}
    old = {f: (p.read_bytes() if p.exists() else None) for f, p in exports.items()}
    before_fixed = fixed_beads(db) if db.exists() else set()
    before_log = edit_log(db) if db.exists() else []
    stamps: dict[str, str | None] = {}
    if db.exists():
        with Store(db) as store:
            stamps = dict(
                store.conn.execute(
                    "SELECT d.key, p.aligned_at FROM pairs p JOIN documents d ON d.id=p.src_doc"
                ).fetchall()
            )
    config = run_config(folder, workers, force, corpus.method)

    t0 = time.perf_counter()
    stderr = folder / "stderr.txt"  # a file, not a pipe: orphaned workers would hold a pipe open
    with open(stderr, "wb") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aligner", "run", str(config), "--quiet"],
            cwd=ROOT,
            env=env(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=err_file,
        )
    time.sleep(max(0.0, moment - (time.perf_counter() - t0)))
    exited = proc.poll() is not None
    temps = temp_files(exports["tmx"].parent)
    proc.send_signal(signal.SIGKILL)  # the run's own process, as `kill -9 PID` or the OOM killer would
    proc.wait()
    err = stderr.read_text(encoding="utf-8", errors="replace")
    # worker processes lose their parent: they must notice and exit by themselves
    deadline = time.monotonic() + 15
    while live_group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphans = live_group_members(proc.pid)
    trial.check("worker processes exit when the run is killed", not orphans, f"{len(orphans)} still running")
    if orphans:
        os.killpg(proc.pid, signal.SIGKILL)
    trial.check("no error before the kill", exited or not err.strip(), err.strip()[-300:])
    trial.stage = run_stage(db, stamps, exports, old, temps, len(reference.table), exited)

    def after_kill() -> None:
        if db.exists():
            check_database(trial, db)
            lost = before_fixed - fixed_beads(db)
            trial.check("accepted and hand-made beads kept", not lost, f"{len(lost)} lost, e.g. {sorted(lost)[:1]}")
            trial.check("edit log untouched", edit_log(db) == before_log)
        for f, path in exports.items():
            if not path.exists():
                trial.check(f"{f} export old or whole", old[f] is None, "the old file is gone")
            else:
                whole = (old[f] is not None and path.read_bytes() == old[f]) or same_export(path, reference.exports[f])
                trial.check(f"{f} export old or whole", whole, "neither the old file nor a complete new one")

    def rerun() -> None:
        summary = corpus.rerun(folder / "corpus", force)
        trial.check(
            "re-run has no failed pairs",
            summary.count("failed") == 0,
            "; ".join(f"{r.item}: {r.reason}" for r in summary.items if r.outcome == "failed")[:300],
        )
        check_database(trial, db)
        table = bead_table(db)
        trial.check(
            "re-run stores the reference beads",
            table == reference.table,
            f"{sum(table.get(k) != v for k, v in reference.table.items())} pairs differ",
        )
        trial.check("edit log untouched after the re-run", edit_log(db) == before_log)
        for f, path in exports.items():
            trial.check(f"{f} export after the re-run = reference", same_export(path, reference.exports[f]))
        left = temp_files(path.parent)
        trial.check("no temporary files left after the re-run", not left, ", ".join(p.name for p in left))

    guarded(trial, "checks after the kill", after_kill)
    guarded(trial, "re-run", rerun)
    trial.seconds = time.perf_counter() - t0
    if not trial.problems:
        shutil.rmtree(folder)
    return trial


# -- kind 2: the review app ---------------------------------------------------------------------

#: Keys typed into the pair screen, with weights. Multi-key entries are one gesture: a text
#: fix typed into the edit dialog, a sentence split accepted at the suggested point.
REVIEW_KEYS: list[tuple[str, float]] = [
    ("a", 6),
    (" ", 1),
    ("x", 2),
    ("c", 1),
    ("A", 1),
    ("m", 2),
    ("s", 2),
    ("<", 1),
    (">", 1),
    ("\t", 1),
    ("d", 1),
    ("u", 3),
    ("\x12", 1),
    ("U", 0.5),
    ("n", 2),
    ("t", 1),
    ("w", 1),
    ("j", 2),
    ("k", 1),
    ("\x1b[C", 1),
    ("\x1b[D", 0.5),
    ("e fixed\r", 1),
    ("S\r", 1),
    ("R", 0.3),
]


def check_log_replays(trial: Trial, start: Path, db: Path) -> None:
    """The starting pairs, with the edit log replayed on them, must be exactly what is stored.

    Edits of the starting database that are now undone (or were undone and then dropped
    as redo history by a newer edit) are taken back, newest first; then every edit made
    since and still in force is applied, oldest first.
    """
    with Store(start) as s:
        base = {pid: review.load_state(s, pid) for pid in s.pair_ids()}
        old_log = [(r[0], r[1], r[4], r[5]) for r in edit_log(start)]
    now = {r[0]: r for r in edit_log(db)}
    first_new = max((r[0] for r in old_log), default=0)
    mismatched = []
    with Store(db) as store:
        for pid, state in base.items():
            for edit_id, _, before, after in reversed([r for r in old_log if r[1] == pid]):
                if edit_id not in now or now[edit_id][6] == 1:
                    state = review.replay(state, target=json.loads(before), current=json.loads(after))
            for r in sorted(now.values()):
                if r[1] == pid and r[0] > first_new and r[6] == 0:
                    state = review.replay(state, target=json.loads(r[5]), current=json.loads(r[4]))
            if state != review.load_state(store, pid):
                mismatched.append(pid)
    trial.check("edit log replays to the stored pairs", not mismatched, f"pairs {mismatched}")


def review_trial(corpus: Corpus, seed: int) -> Trial:
    """Type random review keys into the app on a pty, kill it mid-stream, check, reopen and undo."""
    from tests.pty_terminal import Terminal

    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(dir=corpus.work, prefix="review-"))
    start = corpus.reviewed / "corpus.db"
    db = folder / "corpus.db"
    shutil.copy(start, db)
    with Store(db) as store:
        n_pairs = len(store.pair_ids())
    row = rng.randrange(min(n_pairs, 8))
    keys = rng.choices([k for k, _ in REVIEW_KEYS], [w for _, w in REVIEW_KEYS], k=rng.randint(4, 30))
    gaps = [rng.uniform(0.0, 0.25) for _ in keys]
    moment = rng.uniform(0.0, sum(gaps) + 0.3)
    trial = Trial("review", seed, f"pair row {row + 1}, {len(keys)} keys planned", moment)
    t0 = time.perf_counter()
    term = Terminal(["-m", "tui", str(db), "--reviewer", REVIEWER])
    seen: list[tuple] = []
    typed, last_key_at, killed_at = 0, -1.0, -1.0
    try:
        term.wait_for_text("Search titles")
        term.type("j" * row + "\r")
        term.wait_for_text("Pair ")
        opened = time.perf_counter()
        due = 0.0
        for key, gap in zip(keys, gaps):
            due += gap
            if due > moment:
                break
            time.sleep(max(0.0, due - (time.perf_counter() - opened)))
            term.type(key)
            typed += 1
            last_key_at = time.perf_counter() - opened
        time.sleep(max(0.0, moment - (time.perf_counter() - opened)))
        seen = edit_log(db)  # what a separate connection sees committed just before the kill
        killed_at = time.perf_counter() - opened
    finally:
        term.kill()
    trial.moment = killed_at
    acknowledged = [r for r in seen if r[6] == 0]
    landed = edit_log(db) != seen  # an edit committed between the last look and the kill
    mine = sum(1 for r in edit_log(db) if r[2] == REVIEWER)
    if landed:
        where = "an edit committing as the kill came"
    elif 0 <= killed_at - last_key_at < 0.15:
        where = "within 0.15 s of a key"
    else:
        where = "idle between keys"
    trial.stage = f"{typed} keys typed, {mine} edits committed; {where}"

    def after_kill() -> None:
        check_database(trial, db)
        now = {r[0]: r for r in edit_log(db)}
        lost = [r[0] for r in acknowledged if r[0] not in now or now[r[0]][:6] != r[:6]]
        trial.check("every committed edit kept", not lost, f"edits {lost} lost or changed")
        check_log_replays(trial, start, db)

    def reopen() -> None:
        with Store(db) as store:
            place = review.last_position(store, REVIEWER)
        term2 = Terminal(["-m", "tui", str(db), "--reviewer", REVIEWER])
        try:
            if place is None:  # killed before the first edit or move was saved
                term2.wait_for_text("Search titles")
                trial.check("the app reopens", True)
                return
            term2.wait_for_text(f"Pair {place[0]}")
            trial.check("the app reopens on the reviewer's pair", True)
            latest = [r[0] for r in edit_log(db) if r[1] == place[0] and r[6] == 0]
            if latest:
                time.sleep(0.3)
                term2.type("u")
                deadline = time.monotonic() + 15
                undone = False
                while time.monotonic() < deadline and not undone:
                    undone = any(r[0] == latest[-1] and r[6] == 1 for r in edit_log(db))
                    time.sleep(0.05)
                trial.check("undo works after reopening", undone, f"edit {latest[-1]} not undone")
        finally:
            term2.kill()

    guarded(trial, "checks after the kill", after_kill)
    guarded(trial, "reopen", reopen)
    trial.seconds = time.perf_counter() - t0
    if not trial.problems:
        shutil.rmtree(folder)
    return trial


# -- kind 3: aligner export -------------------------------------------------------------------

EN_WORDS = (
    "the minister said on monday that government would open new public centres in seoul next year "
    "after talks with officials parents complained about costs of housing and childcare"
).split()
KO_WORDS = (
    "정부는 월요일 서울에 새 공공 시설을 내년까지 열겠다고 밝혔다 관계자들은 부모들이 비용과 주거 "
    "보육 문제를 호소해 왔다고 말했다"
).split()


def build_big_db(path: Path, pairs: int, beads: int, seed: int = 7) -> Path:
    """A corpus database big enough that writing its export takes seconds (synthetic text)."""
    rng = random.Random(seed)

    def sentence(words: tuple[str, ...] | list[str], n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)) + "."

    with Store(path) as store:
        for p in range(pairs):
            en = [Sentence(i, i // 5, sentence(EN_WORDS, rng.randint(8, 30))) for i in range(beads)]
            ko = [Sentence(i, i // 5, sentence(KO_WORDS, rng.randint(6, 24))) for i in range(beads)]
            url = f"https://english.hani.co.kr/arti/english_edition/e_national/{900000 + p}.html"
            en_id = store.upsert_document(Article("en", en[0].text, [" ".join(s.text for s in en[1:])], url=url))
            ko_id = store.upsert_document(
                Article(
                    "ko",
                    ko[0].text,
                    [" ".join(s.text for s in ko[1:])],
                    url=f"https://www.hani.co.kr/arti/society/{800000 + p}.html",
                )
            )
            pair_id = store.upsert_pair(en_id, ko_id, "link")
            confidences = [round(rng.random(), 3) for _ in range(beads)]
            store.save_alignment(pair_id, en, ko, [Bead((i,), (i,), c, c) for i, c in enumerate(confidences)], "test")
    return path


class BigExport:
    """A big database, the old export files a killed export must leave alone, and the new ones.

    Each format, when a trial first needs it, is exported once in a process of its own and
    watched, to learn when it starts writing and when it is done: kill moments are drawn
    from that window.
    """

    def __init__(self, work: Path, pairs: int, beads: int) -> None:
        self.work = work / "export"
        self.work.mkdir()
        self.db = build_big_db(self.work / "big.db", pairs, beads)
        self.old: dict[str, list[Path]] = {}
        self.new: dict[str, list[Path]] = {}
        self.window: dict[str, tuple[float, float]] = {}

    def prepare(self, fmt: str) -> None:
        if fmt not in self.window:
            self.old[fmt] = self.export(fmt, self.work / "old" / "corpus", "--min-confidence", "0.5")
            self.new[fmt], self.window[fmt] = self.watched_export(fmt, self.work / "new" / "corpus")

    def command(self, fmt: str, stem: Path, *flags: str) -> list[str]:
        target = stem.with_name(f"{stem.name}.{fmt}") if fmt != "moses" else stem
        return ["export", str(self.db), "--format", fmt, "-o", str(target), "--quiet", *flags]

    def export(self, fmt: str, stem: Path, *flags: str) -> list[Path]:
        """One uninterrupted export, in this process (the CLI's own code path)."""
        from aligner.cli import main

        stem.parent.mkdir(exist_ok=True)
        if main(self.command(fmt, stem, *flags)) != 0:
            raise SystemExit(f"export {fmt} failed")
        return self.targets(fmt, stem)

    def watched_export(self, fmt: str, stem: Path) -> tuple[list[Path], tuple[float, float]]:
        """An uninterrupted `aligner export` process: its files, and (first write, end) in seconds."""
        stem.parent.mkdir(exist_ok=True)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "aligner", *self.command(fmt, stem)], cwd=ROOT, env=env())
        opened = None
        while proc.poll() is None:
            if opened is None and temp_files(stem.parent):
                opened = time.perf_counter() - t
            time.sleep(0.01)
        end = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(f"export {fmt} failed")
        return self.targets(fmt, stem), (0.8 * (opened or end), 1.05 * end)

    @staticmethod
    def targets(fmt: str, stem: Path) -> list[Path]:
        if fmt == "moses":
            return [stem.with_suffix(".en"), stem.with_suffix(".ko")]
        return [stem.with_name(f"{stem.name}.{fmt}")]


def export_trial(big: BigExport, seed: int) -> Trial:
    """Kill one `aligner export` while it writes over an old file; check old-or-whole, then export again."""
    rng = random.Random(seed)
    fmt = rng.choice(EXPORT_FORMATS)
    big.prepare(fmt)
    moment = rng.uniform(*big.window[fmt])
    trial = Trial("export", seed, fmt, moment)
    folder = Path(tempfile.mkdtemp(dir=big.work, prefix="trial-"))
    stem = folder / "corpus"
    targets = big.targets(fmt, stem)
    for old, target in zip(big.old[fmt], targets):
        shutil.copy(old, target)
    out = targets[0] if fmt != "moses" else stem
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aligner", "export", str(big.db), "--format", fmt, "-o", str(out), "--quiet"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(max(0.0, moment - (time.perf_counter() - t0)))
    exited = proc.poll() is not None
    temps = temp_files(folder)
    written = sum(p.stat().st_size for p in temps if p.exists())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    whole = sum(p.stat().st_size for p in big.new[fmt])
    generations = []
    for target, old, new in zip(targets, big.old[fmt], big.new[fmt]):
        if target.exists() and target.read_bytes() == old.read_bytes():
            generations.append("old")
        elif target.exists() and same_bytes(target, new, masked=fmt == "tmx"):
            generations.append("new")
        else:
            generations.append("broken")
    if exited:
        trial.stage = "after the export had ended"
    elif temps:
        trial.stage = f"writing ({min(1.0, written / whole):.0%} written)"
    elif "new" in generations:
        trial.stage = "after the rename"
    else:
        trial.stage = "starting (no file open yet)"
    trial.check(
        "final name holds the old file or the whole new one",
        "broken" not in generations,
        f"{[t.name for t, g in zip(targets, generations) if g == 'broken']}",
    )
    if fmt == "moses":
        trial.check("moses files from the same export", len(set(generations)) == 1, str(generations))
    stale = temp_files(folder)

    def again() -> None:
        big.export(fmt, stem)
        for target, new in zip(targets, big.new[fmt]):
            trial.check("the next export is whole", same_bytes(target, new, masked=fmt == "tmx"))
        left = temp_files(folder)
        trial.check(
            "no temporary file left after the next export", not left, f"{len(left)} left ({len(stale)} after the kill)"
        )

    guarded(trial, "export again", again)
    trial.seconds = time.perf_counter() - t0
    if not trial.problems:
        shutil.rmtree(folder)
    return trial


# -- running trials, the summary, the doc --------------------------------------------------------


@dataclass
class Settings:
    """What to run: trials per kind, the master seed, the aligner, corpus and database sizes."""

    trials: int = 20
    seed: int = 2024
    kinds: tuple[str, ...] = KINDS
    method: str = "engine"
    copies: int = 4  # renumbered copies of the sample's 10 pairs (50 pairs in all)
    export_pairs: int = 400
    export_beads: int = 250
    run_window: tuple[float, float] | None = None  # kill moments of `aligner run` (default: timed)


def run_trials(
    settings: Settings,
    work: Path,
    only: list[tuple[str, int]] | None = None,
    report: Callable[[Trial], None] = lambda t: None,
) -> dict[str, list[Trial]]:
    """Set up once, then run the trials (``only``: these (kind, seed) trials, for a replay)."""
    plan = only or [
        (kind, trial_seed(settings.seed, kind, i)) for kind in settings.kinds for i in range(settings.trials)
    ]
    kinds = {kind for kind, _ in plan}
    corpus = Corpus(work, settings.method, settings.copies) if kinds & {"run", "review"} else None
    windows: dict[tuple[bool, int], tuple[float, float]] = {}
    if "run" in kinds and corpus is not None:
        for force in (False, True):
            for workers in (1, 2):
                windows[force, workers] = settings.run_window or timed_cli_run(corpus, force, workers)
    big = BigExport(work, settings.export_pairs, settings.export_beads) if "export" in kinds else None
    results: dict[str, list[Trial]] = {kind: [] for kind in settings.kinds if kind in kinds}
    for kind, seed in plan:
        if kind == "run":
            assert corpus is not None
            trial = run_trial(corpus, seed, windows)
        elif kind == "review":
            assert corpus is not None
            trial = review_trial(corpus, seed)
        else:
            assert big is not None
            trial = export_trial(big, seed)
        results[kind].append(trial)
        report(trial)
    return results


def summarize(results: dict[str, list[Trial]], settings: Settings, seconds: float) -> str:
    """The figures as Markdown: what was run, where the kills landed, what was checked, what failed."""
    lines = [
        f"`python -m benchmarks.crash_trials --trials {settings.trials} --seed {settings.seed}` "
        f"({settings.method} aligner; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{seconds / 60:.1f} minutes). Every kill is SIGKILL; each trial's seed is printed, "
        "and `--replay KIND:SEED` runs one again.",
        "",
        "| kind | trials | kill moments | where the kills landed | checks per trial | failures |",
        "|---|---|---|---|---|---|",
    ]
    for kind, trials in results.items():
        if not trials:
            continue
        moments = [t.moment for t in trials]
        stages = Counter(stage_group(t.stage) for t in trials)
        checks = sorted({len(t.checks) for t in trials})
        failed = [t for t in trials if t.problems]
        lines.append(
            f"| {kind} | {len(trials)} | {min(moments):.2f}–{max(moments):.2f} s {MOMENT_FROM[kind]} | "
            + ", ".join(f"{stage} {n}" for stage, n in stages.most_common())
            + f" | {checks[0]}–{checks[-1]} | {len(failed)} |"
        )
    lines += [
        "",
        "Kill moments are drawn uniformly: for `run`, from 0.85 × the moment an uninterrupted run of the "
        "same setup (first run or re-run, 1 or 2 workers) stored its first pair to 1.05 × its end; for "
        "`review`, over the planned keystrokes (4–30 keys, 0–0.25 s apart) plus 0.3 s; for `export`, from "
        "0.8 × the moment an uninterrupted export of the same format opened its temporary file to 1.05 × "
        "its end. Where a kill landed is read afterwards from what the process left behind.",
    ]
    total = sum(len(t.checks) for trials in results.values() for t in trials)
    lines += ["", f"{total} checks ran in all. What each trial checks:", ""]
    for kind, trials in results.items():
        names = sorted({name for t in trials for name in t.checks}, key=lambda n: (n[0].isdigit(), n))
        lines.append(f"- **{kind}**: {CHECKED[kind]} ({len(names)} distinct checks: {'; '.join(names)}).")
    failed = [t for trials in results.values() for t in trials if t.problems]
    lines += ["", "Failures in this run:" if failed else "Failures in this run: none.", ""]
    lines += [f"- {t.line()}" for t in failed]
    lines += [
        "",
        "Weaknesses the trials found, each fixed with a test (tests/test_crash_trials.py) that fails without the fix:",
        "",
    ]
    lines += [f"- {fix}" for fix in FIXES]
    lines += ["", "Known limit:", ""]
    lines += [f"- {limit}" for limit in LIMITS]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


MOMENT_FROM = {"run": "after the start", "review": "after the pair opened", "export": "after the start"}
CHECKED = {
    "run": "after the kill: integrity_check, each sentence in one bead, accepted and hand-made beads and the "
    "edit log as the reviewer left them, each export the old file or a whole new one, worker processes "
    "gone; then a re-run: no failures, the same beads as an uninterrupted run and the same exports apart from "
    "bead row ids (storing a pair again gives its beads new rows), no temporary files",
    "review": "after the kill: integrity_check, each sentence in one bead, every edit seen committed before the "
    "kill still there, the edit log replayed from the start = the stored pairs; then the app reopens "
    "on the reviewer's pair and undoes",
    "export": "the final name holds the old file byte for byte or the whole new one, a Moses pair never mixes "
    "the two, and the next export is whole and leaves no temporary file",
}


def stage_group(stage: str) -> str:
    """A stage without its counts, for the summary table."""
    return re.sub(r"\s*\(.*\)$", "", stage.split(";")[-1]).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="trials of each kind (default 20)")
    parser.add_argument("--seed", type=int, default=2024, help="master seed (default 2024)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: run, review, export")
    parser.add_argument("--method", choices=("engine", "length"), default="engine", help="the aligner runs use")
    parser.add_argument("--replay", action="append", metavar="KIND:SEED", help="run just this trial (repeatable)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (failed trials' folders are always kept)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the summary, leave docs/reliability.md alone")
    args = parser.parse_args(argv)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds {sorted(unknown)}")
    only = None
    if args.replay:
        only = [(r.split(":")[0], int(r.split(":")[1])) for r in args.replay]
        kinds = tuple(dict.fromkeys(k for k, _ in only))
    settings = Settings(trials=args.trials, seed=args.seed, kinds=kinds, method=args.method)
    work = Path(tempfile.mkdtemp(prefix="crash-trials-"))
    started = time.perf_counter()
    results = run_trials(settings, work, only, report=lambda t: print(t.line(), flush=True))
    seconds = time.perf_counter() - started
    summary = summarize(results, settings, seconds)
    print("\n" + summary)
    failed = any(t.problems for trials in results.values() for t in trials)
    if failed or args.keep:
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if not args.no_write and not only:
        write_section(DOC, "## Crashes\n" + summary)
        print(f"wrote the figures into {DOC.relative_to(ROOT)} (## Crashes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
