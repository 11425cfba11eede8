"""The parent side of a corpus run: plan each pair, send it to a worker, write results in order.

Why this shape:

* Workers (:mod:`aligner.worker`, reached through :mod:`aligner.executors`) parse, check,
  split and align; they never open the database.
* SQLite has one writer at a time. This process is that writer: it stores each pair in
  ONE short transaction, so a reviewer working on the same file (WAL) waits milliseconds
  at most and a killed run leaves whole pairs only.
* Results are written in the order of the English pages (a bounded window of work runs
  ahead), so pair ids, exports and a restarted run are the same as a serial run's.
* A worker decides from a snapshot of the pair taken when the task was sent. The parent
  checks, inside the writing transaction, that nobody (a reviewer) changed the pair
  since; if someone did, the pair is worked out again from the new state, so an edit
  made during a run is never overwritten.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime

from aligner.errors import AlignerError
from aligner.executors import Done, Executor, ResultHandle
from aligner.model import Outcome, Status
from aligner.originals import Original, OriginalsPlan
from aligner.run import ItemResult
from aligner.sources import MAX_PAGE_BYTES, PageCache
from aligner.store import PairOrigin, Store, content_hash, document_key
from aligner.worker import PairSnapshot, PairTask, PairWork

#: A pair a reviewer keeps changing under the run is left alone after this many tries.
MAX_REPLANS = 5
#: A pair in flight during this many worker crashes is reported failed, not retried again.
MAX_CRASHES = 2


@dataclass
class BatchStats:
    """Run-level numbers the summary reports beside the per-item results."""

    startup: float = 0.0
    encoded: int = 0
    replanned: int = 0
    crashes: int = 0
    worker_pids: set[int] = field(default_factory=set)


def snapshot(store: Store, src_key: str, *, with_sentences: bool = True) -> PairSnapshot:
    """The stored pair of an English page and its change token (see :class:`PairSnapshot`)."""
    src_key = document_key(src_key)
    stored = store.stored_pair(src_key)
    if stored is None:
        doc = store.document_id(src_key)
        return PairSnapshot(token="new" if doc is None else f"doc:{doc}")
    pair_id = stored.pair_id
    beads = store.beads(pair_id)
    h = hashlib.blake2b(digest_size=16)
    h.update(
        repr(
            (
                pair_id,
                stored.aligned_hash,
                stored.src_hash,
                stored.tgt_hash,
                stored.tgt_key,
                store.edit_log_mark(pair_id),
            )
        ).encode()
    )
    for b in beads:
        h.update(repr((b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.origin, b.status)).encode())
    fixed = [(b.src_start, b.src_end, b.tgt_start, b.tgt_end) for b in beads if b.is_fixed]
    rejected = store.pairing_rejection(pair_id) is not None
    h.update(repr(rejected).encode())
    # a reviewer's text fix leaves its bead unreviewed, but the fixed text must survive a re-run
    text_fixed = store.has_text_fixes(pair_id)
    reviewed = text_fixed or any(b.is_fixed or b.status == Status.REJECTED for b in beads)
    state = PairSnapshot(
        pair_id=pair_id,
        tgt_key=stored.tgt_key,
        aligned_hash=stored.aligned_hash,
        current_hash=content_hash(stored.src_hash, stored.tgt_hash),
        has_reviewed=text_fixed or any(b.is_fixed or b.status != Status.UNREVIEWED for b in beads),
        fixed=fixed,
        pairing_rejected=rejected,
        token=h.hexdigest(),
    )
    if reviewed and with_sentences:
        pair = store.pair(pair_id)
        state.src, state.tgt = store.sentences(pair.src_doc), store.sentences(pair.tgt_doc)
    return state


@dataclass(frozen=True)
class EarlierFailure:
    """An item an earlier run reported, and when (seconds since the epoch)."""

    outcome: Outcome
    reason: str
    at: float


def earlier_failures(store: Store) -> dict[str, EarlierFailure]:
    """The failures and unpaired items the corpus remembers, by document key."""
    out = {}
    for row in store.failure_rows():
        try:
            stamp = datetime.fromisoformat(row.at).timestamp()
        except ValueError:
            stamp = 0.0
        outcome = Outcome.UNPAIRED if row.stage == Outcome.UNPAIRED else Outcome.FAILED
        out[row.item] = EarlierFailure(outcome, row.reason, stamp)
    return out


def _mtime(cache: PageCache, url: str | None) -> float:
    if not url:
        return 0.0
    try:
        return cache.path(url).stat().st_mtime
    except (OSError, AlignerError):
        return 0.0


@dataclass
class _Slot:
    """One English page in the run's window: sent to a worker (``handle``) or already ``finished``."""

    task: PairTask
    handle: ResultHandle | None = None
    finished: ItemResult | None = None


class Batch:
    """One run over a list of English pages: plans tasks, sends them, writes results in order."""

    def __init__(
        self,
        cache: PageCache,
        store: Store,
        executor: Executor,
        *,
        force: bool,
        retry_failed: bool,
        src_lang: str,
        tgt_lang: str,
        originals: OriginalsPlan,
    ) -> None:
        self.cache = cache
        self.store = store
        # each English page's original: pairs.jsonl, else its link, else found by content
        self.originals = originals
        self.executor = executor
        self.force = force
        self.retry_failed = retry_failed
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.failures = earlier_failures(store)
        self.stats = BatchStats()

    # planning ------------------------------------------------------------------------------

    def original(self, url: str) -> Original:
        return self.originals.get(url) or Original(None)

    def task_for(self, url: str, attempt: int = 0) -> PairTask:
        """Read the pages and the pair's stored state; the worker does the real parsing."""
        src_page, problem = self._read(url)
        original = self.original(url)
        tgt_url = original.url
        tgt_page = None
        if tgt_url and problem is None:
            tgt_page, problem = self._read(tgt_url)
            if problem and original.note:
                problem += f"; {original.note}"
        return PairTask(
            url,
            src_page,
            tgt_url,
            tgt_page,
            snapshot(self.store, url),
            self.force,
            self.src_lang,
            self.tgt_lang,
            attempt,
            problem,
            original.unpaired,
            original.note,
        )

    def _read(self, url: str) -> tuple[bytes | None, str | None]:
        """A cached page, or why it cannot be used: an original link that is no safe cache
        key (``%2e%2e``), an unreadable or oversized file fails that pair, not the run."""
        try:
            path = self.cache.path(url)
            size = path.stat().st_size if path.is_file() else 0
            if size > MAX_PAGE_BYTES:
                return None, f"{path}: cached page is {size} bytes, more than the {MAX_PAGE_BYTES} a page may have"
            return self.cache.get(url), None
        except AlignerError as exc:
            return None, str(exc)
        except OSError as exc:
            return None, f"{url}: cannot read the cached page: {exc.strerror or exc}"

    def skipped_failure(self, url: str, task: PairTask) -> ItemResult | None:
        """An earlier failure whose pages have not changed since: report it again, don't redo it."""
        earlier = self.failures.get(document_key(url))
        original = self.original(url)
        if earlier is None or self.retry_failed or self.force or original.fresh:
            return None  # (an original decided by content in this run is a change)
        if earlier.outcome == Outcome.UNPAIRED and original.content is not None and original.content.used:
            return None  # unpaired before, paired by content now (e.g. --pair-unsure)
        changed = max(_mtime(self.cache, url), _mtime(self.cache, task.tgt_url))
        if int(changed) > int(earlier.at):
            return None
        return ItemResult(url, earlier.outcome, earlier.reason, previous=True, pairing=original.content)

    # writing -------------------------------------------------------------------------------

    def commit(self, task: PairTask, work: PairWork) -> ItemResult | None:
        """Store one worker result in one transaction; None when the pair changed meanwhile."""
        seconds, cpu = dict(work.seconds), dict(work.cpu)
        if work.startup is not None:
            self.stats.startup = max(self.stats.startup, work.startup)
        if work.worker:
            self.stats.worker_pids.add(work.worker)
        self.stats.encoded += work.encoded
        original = self.original(task.item)
        if work.outcome in (Outcome.FAILED, Outcome.UNPAIRED):
            t, c = time.perf_counter(), time.process_time()
            self.store.record_failure(work.item, work.outcome, work.reason)
            seconds["store"], cpu["store"] = time.perf_counter() - t, time.process_time() - c
            return ItemResult(work.item, work.outcome, work.reason, seconds=seconds, cpu=cpu, pairing=original.content)
        if work.outcome != Outcome.ALIGNED:
            pair_id = task.state.pair_id
            if work.outcome == Outcome.UNCHANGED and pair_id is not None:
                self._note_origin(pair_id, original.origin)
            return ItemResult(
                work.item,
                work.outcome,
                work.reason,
                pair_id=pair_id,
                seconds=seconds,
                cpu=cpu,
                pairing=original.content,
            )
        src, tgt = work.src_article, work.tgt_article
        if src is None or tgt is None:
            raise AlignerError(work.item, "internal error: an aligned pair came back without its articles")
        t, c = time.perf_counter(), time.process_time()
        with self.store.transaction():
            if snapshot(self.store, task.item, with_sentences=False).token != work.token:
                return None  # a reviewer (or another run) changed the pair: plan it again
            src_id = self.store.upsert_document(src, src.url or task.item)
            tgt_id = self.store.upsert_document(tgt, tgt.url or task.tgt_url)
            pair_id = self.store.upsert_pair(src_id, tgt_id, original.origin)
            # accepted and manual beads were the anchors; a rejected bead made again stays rejected
            keep = [b for b in self.store.beads(pair_id) if b.is_fixed or b.status == Status.REJECTED]
            self.store.save_alignment(pair_id, work.src, work.tgt, work.beads, work.method, keep=keep)
        seconds["store"], cpu["store"] = time.perf_counter() - t, time.process_time() - c
        return ItemResult(
            work.item,
            Outcome.ALIGNED,
            pair_id=pair_id,
            src_sentences=len(work.src),
            tgt_sentences=len(work.tgt),
            bead_types=Counter(b.kind for b in work.beads),
            seconds=seconds,
            cpu=cpu,
            pairing=original.content,
        )

    def _note_origin(self, pair_id: int, origin: PairOrigin) -> None:
        """An unchanged pair whose original is now known another way (its link broke and
        content found the same page, or pairs.jsonl names it) says so."""
        stored = self.store.pair_origin(pair_id)
        if stored is not None and (stored.how, stored.score, stored.sure) != (origin.how, origin.score, origin.sure):
            self.store.set_pair_origin(pair_id, origin)

    # the loop -------------------------------------------------------------------------------

    def run(self, urls: list[str], emit: Callable[[ItemResult], None]) -> None:
        """Send up to ``window`` tasks ahead, write results in page order, re-plan stale ones."""
        todo = iter(urls)
        pending: deque[_Slot] = deque()
        crashes: Counter[str] = Counter()
        got_result = False
        while True:
            while len(pending) < self.executor.window:
                url = next(todo, None)
                if url is None:
                    break
                task = self.task_for(url)
                skipped = self.skipped_failure(url, task)
                if skipped is not None:
                    pending.append(_Slot(task, finished=skipped))
                else:
                    pending.append(_Slot(task, self.executor.submit(task)))
            if not pending:
                return
            slot = pending.popleft()
            task = slot.task
            if slot.finished is not None:
                emit(slot.finished)
                continue
            assert slot.handle is not None  # a slot is either finished or sent
            try:
                work = slot.handle.result()
            except AlignerError:
                raise
            except BrokenProcessPool:
                if not got_result and self.stats.crashes:
                    raise AlignerError(
                        "worker processes",
                        "could not start or died before returning any result "
                        "(a script that runs with workers > 1 needs the "
                        '`if __name__ == "__main__":` guard: workers start by importing it)',
                    ) from None
                self._restart_after_crash(slot, pending, crashes)
                continue
            except Exception as exc:  # e.g. a Dask scheduler or worker without aligner installed
                first = (str(exc).strip().splitlines() or [""])[0]
                raise AlignerError(task.item, f"{self.executor.where} failed: {type(exc).__name__}: {first}") from exc
            got_result = True
            result = self.commit(task, work)
            if result is None:
                self.stats.replanned += 1
                if task.attempt + 1 >= MAX_REPLANS:
                    result = ItemResult(
                        task.item,
                        Outcome.KEPT,
                        "a reviewer kept editing this pair during the run; left as they made it",
                    )
                else:
                    fresh = self.task_for(task.item, task.attempt + 1)
                    pending.appendleft(_Slot(fresh, self.executor.submit(fresh)))
                    continue
            emit(result)

    def _restart_after_crash(self, slot: _Slot, pending: deque[_Slot], crashes: Counter[str]) -> None:
        """A worker died (out of memory, a crash in native code): start new workers and send
        everything that was in flight again. An item caught in repeated crashes is the
        likely cause and is reported instead of retried for ever."""
        self.stats.crashes += 1
        for s in [slot, *pending]:
            if s.finished is None:
                crashes[s.task.item] += 1
        self.executor.restart()
        slots = [slot, *pending]
        pending.clear()
        for s in slots:
            if s.finished is not None:
                pending.append(s)
            elif crashes[s.task.item] >= MAX_CRASHES:
                reason = "a worker process died while aligning this pair (twice)"
                pending.append(
                    _Slot(s.task, Done(PairWork(s.task.item, Outcome.FAILED, reason, token=s.task.state.token)))
                )
            else:
                pending.append(_Slot(s.task, self.executor.submit(s.task)))
