"""Concurrency soak: a batch run rewriting the corpus database while a reviewer edits it.

A thread runs ``aligner run CORPUS --workers 2 --force --json`` again and again (every
round re-aligns every pair, around the beads the reviewer fixed), while this process
plays the reviewer through its own connection: every operation of ``aligner.review``
(accept, reject, unmark, accept-above, merge, split, shift, detach, edit text, split
sentence, re-align from here, undo, redo) on random pairs and beads, as fast as a
scripted reviewer can go. At the end it checks what the brief of issue 7 asks:

* no ``database is locked`` (or any other database error) reached either side: the
  batch's exit status, its JSON summary and its stderr, and every exception out of a
  review call other than :class:`~aligner.review.ReviewError`;
* no lost edit: the edit log holds exactly the reviewer's edits, each undone or not as
  the reviewer last left it (a new edit legitimately drops the redo history), and every
  pair's accepted and manual beads and sentence texts are as the reviewer last saw them,
  so no batch round overwrote them;
* ``PRAGMA integrity_check`` is ok and every pair's beads cover each side exactly once.

The reviewer times how long each of its transactions waited for the write lock (the
busy timeout does the waiting inside SQLite), which is the lock contention a person
would feel. Usage::

    python -m benchmarks.soak                  # 3 minutes, writes docs/reliability.md ## Concurrency
    python -m benchmarks.soak --minutes 0.5 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aligner import review
from aligner.align import Aligner, default_aligner
from aligner.pipeline import RunOptions, run_corpus
from aligner.review import ReviewError
from aligner.store import Store
from benchmarks.sections import write_section

ROOT = Path(__file__).resolve().parent.parent


SAMPLE = ROOT / "corpora" / "sample"
DOC = ROOT / "docs" / "reliability.md"
REVIEWER = "soak"
#: What a batch round must never print: the database errors the store is meant to absorb.
BAD_OUTPUT = re.compile(r"locked|busy|OperationalError|DatabaseError|Traceback", re.IGNORECASE)
#: ReviewErrors that mean "the batch moved this pair under you, try again": legitimate, counted apart.
MOVED_UNDERNEATH = ("changed since that edit", "changed while it was being re-aligned")
#: Review operations and how often the scripted reviewer picks each (accepting dominates, as in real review).
OPERATIONS = {
    "accept": 4,
    "reject": 1,
    "unmark": 1,
    "accept_above": 1,
    "merge": 2,
    "split": 2,
    "shift": 2,
    "detach": 1,
    "edit": 2,
    "split_sentence": 1,
    "realign": 1,
    "undo": 2,
    "redo": 1,
}


@dataclass
class Round:
    """One ``aligner run --force`` round, as its caller sees it."""

    seconds: float
    returncode: int
    aligned: int = 0
    failed: int = 0
    replanned: int = 0
    store_seconds: float = 0.0  # the run's store stage: its commits, write-lock waits included
    problems: list[str] = field(default_factory=list)


@dataclass
class SoakResult:
    seconds: float
    rounds: list[Round]
    attempts: int
    changed: Counter[str]  # review edits that changed the pair, by operation
    refused: int  # operations the review code refused (bad position, nothing to undo, ...)
    moved_underneath: int  # refused because a batch round re-aligned the pair meanwhile
    lock_waits: list[float]  # seconds each reviewer transaction waited to begin
    user_errors: list[str]
    lost: list[str]
    integrity: str
    coverage: list[str]

    @property
    def edits(self) -> int:
        return sum(self.changed.values())

    @property
    def ok(self) -> bool:
        return (
            not self.user_errors
            and not self.lost
            and self.integrity == "ok"
            and not self.coverage
            and bool(self.rounds)
        )

    def waited(self, over: float) -> int:
        return sum(w > over for w in self.lock_waits)

    def table(self) -> str:
        """The figures as a Markdown table."""
        waits = sorted(self.lock_waits) or [0.0]
        p99 = waits[min(len(waits) - 1, int(0.99 * len(waits)))]
        rows = [
            ("Duration (batch and reviewer at once)", f"{self.seconds:.0f} s"),
            ("Batch rounds (`aligner run --workers 2 --force`)", str(len(self.rounds))),
            ("Pairs re-aligned by the batch", str(sum(r.aligned for r in self.rounds))),
            (
                "Pairs re-planned because the reviewer changed them mid-round",
                str(sum(r.replanned for r in self.rounds)),
            ),
            (
                "Batch store stage, total (commits incl. lock waits)",
                f"{sum(r.store_seconds for r in self.rounds):.2f} s",
            ),
            ("Review operations tried", str(self.attempts)),
            (
                "Review edits committed",
                f"{self.edits} ({', '.join(f'{k} {v}' for k, v in self.changed.most_common())})",
            ),
            ("Refused by the review code (nothing to undo, bad position...)", str(self.refused)),
            ("Refused because a batch round had re-aligned the pair", str(self.moved_underneath)),
            (
                "Reviewer transactions that waited for the write lock (> 10 ms)",
                f"{self.waited(0.01)} of {len(self.lock_waits)}",
            ),
            (
                "Reviewer lock wait: median / p99 / max",
                f"{statistics.median(waits) * 1000:.1f} / {p99 * 1000:.1f} / {waits[-1] * 1000:.1f} ms",
            ),
            ("Busy-timeout retries (waits over 30 s)", str(self.waited(30.0))),
            ("Errors reaching the user (reviewer or batch)", str(len(self.user_errors))),
            ("Lost edits or overwritten reviewed beads", str(len(self.lost))),
            ("`PRAGMA integrity_check`", self.integrity),
            ("Pairs whose beads do not cover each side once", str(len(self.coverage))),
        ]
        return "\n".join(["| Figure | Value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


# -- the batch side ----------------------------------------------------------------------


def batch_round(corpus: Path) -> Round:
    """One forced run with two workers in its own process, judged by what it tells its user."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "aligner", "run", str(corpus), "--workers", "2", "--force", "--json", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    done = Round(time.perf_counter() - start, proc.returncode)
    if proc.returncode != 0:
        done.problems.append(f"exit status {proc.returncode}: {proc.stderr.strip()[-300:]}")
    if BAD_OUTPUT.search(proc.stderr):
        done.problems.append(f"stderr: {proc.stderr.strip()[-300:]}")
    try:
        summary = json.loads(proc.stdout)
    except json.JSONDecodeError:
        done.problems.append(f"no JSON summary: {proc.stdout.strip()[-300:]}")
        return done
    done.aligned, done.failed, done.replanned = summary["aligned"], summary["failed"], summary["replanned"]
    done.store_seconds = summary["seconds"].get("store", 0.0)
    for problem in summary["problems"]:
        if problem["outcome"] != "unpaired":  # the sample's one page without its Korean original
            done.problems.append(f"{problem['outcome']}: {problem['item']}: {problem['reason']}")
    return done


def batch_loop(corpus: Path, deadline: float, rounds: list[Round]) -> None:
    """Start rounds until the deadline; the last one runs to its end."""
    while time.monotonic() < deadline:
        rounds.append(batch_round(corpus))


# -- the reviewer side ---------------------------------------------------------------------


PairView = tuple[frozenset, tuple[str, ...], tuple[str, ...]]


def view(store: Store, pair_id: int) -> PairView:
    """What a batch round must leave alone: accepted and manual beads, and the sentence texts."""
    pair = store.pair(pair_id)
    fixed = frozenset(
        (b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.origin, b.status) for b in store.beads(pair_id) if b.is_fixed
    )
    return (
        fixed,
        tuple(s.text for s in store.sentences(pair.src_doc)),
        tuple(s.text for s in store.sentences(pair.tgt_doc)),
    )


class Reviewer:
    """A scripted reviewer with a model of what the database must hold after its edits."""

    def __init__(self, store: Store, aligner: Aligner, rng: random.Random) -> None:
        self.store, self.aligner, self.rng = store, aligner, rng
        self.pairs = [p for p in store.pair_ids() if store.beads(p)]
        self.log: dict[int, tuple[int, int]] = {}  # edit id -> (pair, undone) as the reviewer left it
        self.seen: dict[int, PairView] = {}
        self.attempts = self.refused = self.moved = 0
        self.changed: Counter[str] = Counter()
        self.waits: list[float] = []
        self.errors: list[str] = []

    def step(self) -> None:
        """One operation on a random pair; the pair is looked at in the operation's transaction."""
        pair = self.rng.choice(self.pairs)
        name = self.rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        self.attempts += 1
        try:
            if name == "realign":  # aligns outside any transaction, as the app does
                result = self._operation(name, pair)
                with self._transaction():
                    seen = view(self.store, pair)
            else:
                with self._transaction():
                    result = self._operation(name, pair)
                    seen = view(self.store, pair)
        except ReviewError as exc:
            if any(m in str(exc) for m in MOVED_UNDERNEATH):
                self.moved += 1
            else:
                self.refused += 1
            return
        except Exception as exc:  # anything else is an error the person at the screen would see
            self.errors.append(f"{name} on pair {pair}: {type(exc).__name__}: {exc}")
            return
        self._record(name, pair, result, seen)  # committed: now the database must keep it

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """The store's transaction, timing how long BEGIN IMMEDIATE waited for the write lock."""
        start = time.perf_counter()
        with self.store.transaction():
            self.waits.append(time.perf_counter() - start)
            yield

    def _operation(self, name: str, pair: int) -> review.Edit | None:
        s, rng = self.store, self.rng
        beads = s.beads(pair)
        pos = rng.randrange(len(beads))
        bead = beads[pos]
        side = rng.choice(["src", "tgt"])
        lo, hi = (bead.src_start, bead.src_end) if side == "src" else (bead.tgt_start, bead.tgt_end)
        p = s.pair(pair)
        n_side = len(s.sentences(p.src_doc if side == "src" else p.tgt_doc))
        if name in ("accept", "reject", "unmark"):
            return getattr(review, name)(s, pair, pos, reviewer=REVIEWER)
        if name == "accept_above":
            return review.accept_all_above(s, pair, pos, reviewer=REVIEWER)
        if name == "merge":
            return review.merge_with_next(s, pair, pos, reviewer=REVIEWER)
        if name == "split":
            return review.split_bead(s, pair, pos, side, rng.randint(lo, hi), reviewer=REVIEWER)
        if name == "shift":
            return review.shift(s, pair, pos, side, rng.choice(["up", "down"]), reviewer=REVIEWER)
        if name == "detach":
            return review.detach(s, pair, pos, side, rng.randint(lo, max(lo, hi - 1)), reviewer=REVIEWER)
        if name == "edit":
            index = rng.randrange(n_side)
            text = s.sentences(p.src_doc if side == "src" else p.tgt_doc)[index].text
            return review.edit_sentence_text(
                s, pair, side, index, f"{text} [{rng.randrange(10**6)}]", reviewer=REVIEWER
            )
        if name == "split_sentence":
            index = rng.randrange(n_side)
            return review.split_sentence(s, pair, side, index, rng.randint(1, 40), reviewer=REVIEWER)
        if name == "realign":
            return review.realign_from(s, pair, pos, reviewer=REVIEWER, aligner=self.aligner)
        return (review.undo if name == "undo" else review.redo)(s, pair, reviewer=REVIEWER)

    def _record(self, name: str, pair: int, result: review.Edit | None, seen: PairView) -> None:
        """Update the model of the edit log the way the review code documents it."""
        if name in ("undo", "redo"):
            if result is None:
                self.refused += 1
            else:
                self.log[result.edit_id] = (pair, 1 if name == "undo" else 0)
                self.changed[name] += 1
        elif result is not None and result.changed:
            # a new edit ends the pair's redo history, but its undone edits stay in the log
            # (undone, marked dropped), so the model keeps them as they are
            self.log[result.edit_id] = (pair, 0)
            self.changed[name] += 1
        self.seen[pair] = seen

    def lost(self) -> list[str]:
        """Edits or reviewed beads the database no longer holds as the reviewer left them."""
        out = []
        rows = {
            r[0]: (r[1], r[2])
            for r in self.store.conn.execute("SELECT id, pair_id, undone FROM edits WHERE reviewer=?", (REVIEWER,))
        }
        for edit_id, want in self.log.items():
            if rows.get(edit_id) != want:
                out.append(f"edit {edit_id} on pair {want[0]}: expected undone={want[1]}, found {rows.get(edit_id)}")
        out += [f"edit {i} in the log but never made by the reviewer" for i in rows.keys() - self.log.keys()]
        for pair, seen in self.seen.items():
            now = view(self.store, pair)
            if now[0] != seen[0]:
                out.append(
                    f"pair {pair}: accepted/manual beads changed: lost {sorted(seen[0] - now[0])[:3]},"
                    f" new {sorted(now[0] - seen[0])[:3]}"
                )
            if now[1:] != seen[1:]:
                out.append(f"pair {pair}: sentence texts changed after the reviewer last saw them")
        return out


# -- the soak ---------------------------------------------------------------------------------


def prepare(workdir: Path) -> Path:
    """A copy of the sample corpus's pages, aligned once so the reviewer has beads from the
    start (with the length method, which needs no encoder: every batch round re-aligns
    with the engine anyway)."""
    corpus = workdir / "corpus"
    shutil.copytree(SAMPLE / "pages", corpus / "pages")
    run_corpus(corpus, RunOptions(formats=("tsv",), method="length"))
    return corpus


def run_soak(seconds: float, workdir: Path, seed: int = 7) -> SoakResult:
    """Batch rounds for ``seconds`` (the last round finishes) while the reviewer edits throughout."""
    corpus = prepare(workdir)
    aligner = default_aligner("en", "ko")  # the reviewer's re-align uses the real engine, loaded first
    rounds: list[Round] = []
    with Store(corpus / "corpus.db") as store:
        reviewer = Reviewer(store, aligner, random.Random(seed))
        start = time.monotonic()
        batch = threading.Thread(target=batch_loop, args=(corpus, start + seconds, rounds), daemon=True)
        batch.start()
        checks: list[str] = []
        while batch.is_alive():
            reviewer.step()
            if reviewer.attempts % 200 == 0:  # the invariant must hold mid-soak too, not only at the end
                with store.transaction():  # one consistent view of beads and sentences
                    checks += store.integrity_problems()
            time.sleep(reviewer.rng.uniform(0.0, 0.02))
        elapsed = time.monotonic() - start
        errors = reviewer.errors + [f"batch round {i + 1}: {p}" for i, r in enumerate(rounds) for p in r.problems]
        integrity = store.conn.execute("PRAGMA integrity_check").fetchone()[0]
        return SoakResult(
            seconds=elapsed,
            rounds=rounds,
            attempts=reviewer.attempts,
            changed=reviewer.changed,
            refused=reviewer.refused,
            moved_underneath=reviewer.moved,
            lock_waits=reviewer.waits,
            user_errors=errors,
            lost=reviewer.lost(),
            integrity=integrity,
            coverage=sorted(set(checks + store.integrity_problems())),
        )


def section(result: SoakResult) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    verdict = "Everything held." if result.ok else "**Problems found** (listed below)."
    lines = [
        "`benchmarks/soak.py` (and `tests/test_soak.py`: 15 s in the default run, 3 minutes with "
        "`-m slow`) runs `aligner run corpora/sample --workers 2 --force --json` in a loop while a "
        "scripted reviewer, in another process with its own connection, makes every kind of edit "
        "in `aligner/review.py` (accept, reject, unmark, accept-above, merge, split, shift, detach, "
        "edit text, split sentence, re-align from here with the real engine, undo, redo) on random "
        "pairs with no pause longer than 20 ms. It checks that no database error reaches either side "
        "(batch exit status, JSON summary and stderr; any exception but a review refusal), that the "
        "edit log holds exactly the reviewer's edits with their undo state, that every pair's "
        "accepted and manual beads and sentence texts are as the reviewer last saw them, "
        "`PRAGMA integrity_check`, and that beads cover each side once (also every 200 operations "
        "during the run).",
        "",
        f"Last full run ({stamp}, `python -m benchmarks.soak --minutes {result.seconds / 60:.0f}`, "
        f"2-core shared machine): {verdict}",
        "",
        result.table(),
        "",
        "Lock waits are measured on the reviewer's side (time for `BEGIN IMMEDIATE` to get the write "
        "lock; SQLite's busy timeout does the waiting, and the store would retry only after 30 s). "
        "The batch's own waits are inside its store-stage time. \"Refused because a batch round had "
        're-aligned the pair" are undo/redo or re-align requests the review code turned down with '
        "its message (the pair changed underneath), not errors: the reviewer's data is intact and "
        "the request can be repeated.",
    ]
    for title, items in (("Errors", result.user_errors), ("Lost", result.lost), ("Coverage", result.coverage)):
        if items:
            lines += ["", f"{title}:", *(f"- {item}" for item in items[:20])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/reliability.md alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        result = run_soak(args.minutes * 60, Path(tmp), args.seed)
    print(result.table())
    for item in result.user_errors + result.lost + result.coverage:
        print("PROBLEM:", item)
    if not args.no_write:
        write_section(DOC, "## Concurrency\n" + section(result))
        print(f"wrote the figures to {DOC.relative_to(ROOT)} ## Concurrency")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
