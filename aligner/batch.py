"""Corpus runs that scale: worker processes (or a Dask cluster), one database writer.

Why this shape:

* The expensive part of a pair is encoding its sentences, which is pure computation
  over plain data. Workers therefore do parse -> check -> split -> align and return
  plain data (articles, sentences, beads, timings); they never open the database.
* SQLite has one writer at a time. The parent process is that writer: it stores each
  pair in ONE short transaction, so a reviewer working on the same file (WAL) waits
  milliseconds at most and a killed run leaves whole pairs only.
* Results are written in the order of the English pages (a bounded window of work runs
  ahead), so pair ids, exports and a restarted run are the same as a serial run's.
* A worker decides from a snapshot of the pair taken when the task was sent. The parent
  checks, inside the writing transaction, that nobody (a reviewer) changed the pair
  since; if someone did, the pair is worked out again from the new state, so an edit
  made during a run is never overwritten.
* Each worker loads the sentence encoder once (pool initializer, or a Dask worker
  plugin), with its BLAS threads limited so workers do not fight over the cores.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import pickle
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aligner.align import Aligner
from aligner.align.lexicon import Lexicon
from aligner.errors import AlignerError, InputError, PairingError
from aligner.model import Article, Bead, Sentence
from aligner.sources import MAX_PAGE_BYTES, PageCache, parse_page
from aligner.sources.urls import page_key
from aligner.store import Store, content_hash, document_key

#: Stage names, in pipeline order (``--json`` reports seconds for each).
STAGES = ("parse", "check", "split", "encode", "align", "store", "export")
#: A pair a reviewer keeps changing under the run is left alone after this many tries.
MAX_REPLANS = 5
#: A pair in flight during this many worker crashes is reported failed, not retried again.
MAX_CRASHES = 2


# -- what travels between the parent and the workers ---------------------------------------


@dataclass(frozen=True)
class AlignerSpec:
    """How to build the aligner in a worker (an Aligner object itself is too big to send)."""

    src_lang: str = "en"
    tgt_lang: str = "ko"
    method: str = "engine"  # engine or length
    encoder: str = "use"
    lexicon: Lexicon | None = field(default=None, compare=False, hash=False)
    lexicon_digest: str = ""

    @classmethod
    def for_store(cls, store: Store, src_lang: str = "en", tgt_lang: str = "ko", method: str = "engine",
                  encoder: str = "use") -> AlignerSpec:
        """The corpus's aligner: the engine plus the lexicon ``aligner lexicon train`` stored, if any."""
        lexicon = store.load_lexicon() if method == "engine" else None
        digest = ""
        if lexicon is not None:
            digest = hashlib.blake2b(pickle.dumps(sorted(lexicon.entries())), digest_size=12).hexdigest()
        return cls(src_lang, tgt_lang, method, encoder, lexicon, digest)


_ALIGNERS: dict[AlignerSpec, Aligner] = {}


def build_aligner(spec: AlignerSpec) -> Aligner:
    """The aligner a spec describes, built once per process (the encoder loads here)."""
    if spec not in _ALIGNERS:
        from aligner.align import default_aligner

        if spec.lexicon is not None and len(spec.lexicon):
            from aligner.align.engine import build_engine

            _ALIGNERS[spec] = build_engine(spec.src_lang, spec.tgt_lang, encoder=spec.encoder, lexicon=spec.lexicon)
        else:
            _ALIGNERS[spec] = default_aligner(spec.src_lang, spec.tgt_lang, spec.method, spec.encoder)
    return _ALIGNERS[spec]


@dataclass
class PairState:
    """What the database knows about one English page's pair when a task is sent.

    ``token`` summarises everything a reviewer or another run could change (beads,
    their status and origin, the edit log, the documents' hashes); the parent compares
    it again when it writes, to notice a change made while the worker was busy.
    """

    pair_id: int | None = None
    ko_key: str | None = None
    aligned_hash: str | None = None
    current_hash: str | None = None
    has_reviewed: bool = False
    fixed: list[tuple[int, int, int, int]] = field(default_factory=list)  # accepted/manual: anchors
    # stored sentences (with the reviewer's text fixes), sent only when beads were reviewed
    src: list[Sentence] | None = None
    tgt: list[Sentence] | None = None
    token: str = "new"


@dataclass
class PairTask:
    """One English page to work on, with its pages' bytes (workers need no file system)."""

    item: str
    en_page: bytes | None
    ko_url: str | None
    ko_page: bytes | None
    state: PairState
    force: bool = False
    src_lang: str = "en"
    tgt_lang: str = "ko"
    attempt: int = 0
    problem: str | None = None  # a page that could not be read: this pair fails with it


@dataclass
class PairWork:
    """What a worker sends back: plain data for the parent to store."""

    item: str
    outcome: str  # aligned, unchanged, kept, failed, unpaired
    reason: str = ""
    en: Article | None = None
    ko: Article | None = None
    src: list[Sentence] = field(default_factory=list)
    tgt: list[Sentence] = field(default_factory=list)
    beads: list[Bead] = field(default_factory=list)
    method: str = ""
    token: str = "new"
    seconds: dict[str, float] = field(default_factory=dict)  # wall clock per stage
    cpu: dict[str, float] = field(default_factory=dict)  # CPU time per stage (steadier on a busy machine)
    encoded: int = 0  # sentences sent to the encoder (the rest came from its cache)
    startup: float | None = None  # this worker's model loading, reported with its first result
    worker: int = 0  # process id, to count the workers that took part


# -- the worker side ------------------------------------------------------------------------


class EncodeTimer:
    """Seconds spent in the sentence encoder, so ``align`` can be split into encode + search."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0
        self.encoded = 0

    def wrap(self, encode: Callable[[Any], Any]) -> Callable[[Any], Any]:
        owner = getattr(encode, "__self__", None)

        def timed(texts: Any) -> Any:
            before = getattr(owner, "encoded", 0)
            t, c = time.perf_counter(), time.process_time()
            try:
                return encode(texts)
            finally:
                self.seconds += time.perf_counter() - t
                self.cpu += time.process_time() - c
                self.encoded += getattr(owner, "encoded", 0) - before

        return timed


def timed_aligner(aligner: Aligner) -> tuple[Aligner, EncodeTimer]:
    """A shallow copy of ``aligner`` whose encoder calls are timed (the original is untouched)."""
    timer = EncodeTimer()
    clone = copy.copy(aligner)
    signals = []
    for signal in aligner.signals:
        encode = getattr(signal, "encode", None)
        if callable(encode) and dataclasses.is_dataclass(signal):
            signal = dataclasses.replace(signal, encode=timer.wrap(encode))
        signals.append(signal)
    clone.signals = signals
    return clone, timer


class StageClock:
    """Wall-clock and CPU seconds of consecutive stages of one pair."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.restart()

    def restart(self) -> None:
        self._t, self._c = time.perf_counter(), time.process_time()

    def stop(self, stage: str) -> None:
        self.wall[stage] = time.perf_counter() - self._t
        self.cpu[stage] = time.process_time() - self._c
        self.restart()

    def split(self, stage: str, part: str, wall: float, cpu: float) -> None:
        """Move ``part`` of a stage's time into its own entry (encoding out of aligning)."""
        self.wall[stage] -= wall
        self.cpu[stage] -= cpu
        self.wall[part], self.cpu[part] = wall, cpu


def work_pair(task: PairTask, models: Models) -> PairWork:
    """Parse, check, split and align one pair; never raises for a bad item."""
    from aligner.pipeline import align_sentence_lists, sentences_of
    from aligner.text.langcheck import check_language

    clock = StageClock()
    seconds = clock.wall
    url = task.item
    state = task.state
    try:
        if task.problem:
            return PairWork(url, "failed", task.problem, token=state.token, seconds=seconds, cpu=clock.cpu)
        if task.en_page is None:
            raise InputError(url, "not in the page cache")
        en = parse_page(task.en_page, url)
        if en.lang != task.src_lang:
            raise InputError(url, f"expected an English-edition page, found a {en.layout} page")
        missing = None
        ko_url = task.ko_url  # the manifest's pairing, else the page's original-article link
        if not ko_url:
            missing = "no link to the Korean original on the page"
        elif task.ko_page is None:
            missing = f"Korean original {ko_url} is not in the page cache"
        if missing:
            check_language(en.text, task.src_lang, url)  # a page in the wrong language is a failure first
            raise PairingError(url, missing)
        ko = parse_page(task.ko_page, ko_url)
        clock.stop("parse")
        ko_key = document_key(ko.url or ko_url)  # as stored: http and https are one page
        new_hash = content_hash(content_hash(en.title, en.text), content_hash(ko.title, ko.text))
        if state.pair_id is not None:
            same_pair = state.ko_key == ko_key
            if not task.force and same_pair and state.aligned_hash == new_hash:
                return PairWork(url, "unchanged", token=state.token, seconds=seconds, cpu=clock.cpu)
            if state.has_reviewed and (not same_pair or new_hash != state.current_hash):
                return PairWork(url, "kept", "page text changed but the pair has reviewed beads; kept them",
                                token=state.token, seconds=seconds, cpu=clock.cpu)
        models.load()  # first: langdetect's profiles and Kiwi's model loading are not checking or splitting
        clock.restart()
        check_language(en.text, task.src_lang, url)  # e.g. a Korean page saved under the English URL
        check_language(ko.text, task.tgt_lang, ko.url or "Korean side")
        clock.stop("check")
        if state.src is not None and state.tgt is not None:
            # Text unchanged (checked above): align the stored sentences, which carry the
            # reviewer's fixes, around the beads they accepted.
            src, tgt = list(state.src), list(state.tgt)
        else:
            src, tgt = sentences_of(en), sentences_of(ko)
        clock.stop("split")
        if not src or not tgt:
            return PairWork(url, "failed", "no sentences after cleaning", token=state.token, seconds=seconds, cpu=clock.cpu)
        aligner, timer = models.get()
        clock.restart()
        enc0, cpu0, n0 = timer.seconds, timer.cpu, timer.encoded
        beads = align_sentence_lists(src, tgt, aligner, task.src_lang, task.tgt_lang, state.fixed)
        clock.stop("align")
        clock.split("align", "encode", timer.seconds - enc0, timer.cpu - cpu0)
        return PairWork(url, "aligned", en=en, ko=ko, src=src, tgt=tgt, beads=beads, method=aligner.name,
                        token=state.token, seconds=seconds, cpu=clock.cpu, encoded=timer.encoded - n0)
    except ModelLoadError:
        raise  # not this pair's fault: the run stops with the reason
    except PairingError as exc:
        return PairWork(url, "unpaired", exc.problem, token=state.token, seconds=seconds, cpu=clock.cpu)
    except AlignerError as exc:
        return PairWork(url, "failed", str(exc), token=state.token, seconds=seconds, cpu=clock.cpu)
    except Exception as exc:  # a bug must not stop the other thousand pairs: report it as this item's failure
        return PairWork(url, "failed", f"internal error: {type(exc).__name__}: {exc}".replace("\n", " "),
                        token=state.token, seconds=seconds, cpu=clock.cpu)


def limit_threads(threads: int) -> None:
    """Cap BLAS threads in this worker process before the encoder loads.

    Two workers with two BLAS threads each on two cores spin against each other and run
    many times slower than two workers with one; the encoder reads its thread count
    from ``ALIGNER_ENCODER_THREADS`` when it loads, the rest of numpy obeys threadpoolctl.
    """
    from threadpoolctl import threadpool_limits

    os.environ["ALIGNER_ENCODER_THREADS"] = str(threads)
    threadpool_limits(threads)


def warm_up(aligner: Aligner, spec: AlignerSpec) -> None:
    """Load what the first pair would otherwise pay for (Kiwi, pysbd, the encoder's first batch)."""
    from aligner.pipeline import sentences_of
    from aligner.text.langcheck import detect_language

    detect_language("Language profiles load on the first call, which takes a second or two.")
    sentences_of(Article(spec.src_lang, "A title.", ["One sentence here. And another one."]))
    # a mark after a noun, so Kiwi itself loads (a verb ending is split without it)
    sentences_of(Article(spec.tgt_lang, "제목.", ["첫 문장. 두 번째 문장이다."]))
    aligner.align(["A short warm-up line."], ["짧은 준비 문장."])


class ModelLoadError(AlignerError):
    """The models could not be loaded: the run stops with this one line instead of failing every pair."""

    def __reduce__(self) -> tuple:  # rebuilt from both fields when it comes back from a worker process
        return (type(self), (self.item, self.problem))


class Models:
    """One process's aligner, loaded on first use: a run that finds nothing to redo loads nothing.

    Loading means limiting BLAS threads (in workers), building the aligner (the encoder
    loads here, once per process) and warming up the splitters, so that the stage
    timings of the first pair are not model loading; that time is ``startup``.
    """

    def __init__(self, spec: AlignerSpec, threads: int | None = None, aligner: Aligner | None = None) -> None:
        self.spec = spec
        self.threads = threads
        self._given = aligner
        self._loaded: tuple[Aligner, EncodeTimer] | None = None
        self.startup: float | None = None  # seconds, until a result has reported it

    def load(self) -> None:
        """Load now; a failure (encoder not installed, say) stops the run instead of failing each pair."""
        try:
            self.get()
        except Exception as exc:
            raise ModelLoadError("aligner", f"cannot load the models ({type(exc).__name__}: {exc})") from exc

    def get(self) -> tuple[Aligner, EncodeTimer]:
        if self._loaded is None:
            t = time.perf_counter()
            if self.threads:
                limit_threads(self.threads)
            aligner = self._given or build_aligner(self.spec)
            warm_up(aligner, self.spec)
            self._loaded = timed_aligner(aligner)
            self.startup = time.perf_counter() - t
        return self._loaded

    def run(self, task: PairTask) -> PairWork:
        work = work_pair(task, self)
        work.startup, self.startup = self.startup, None
        work.worker = os.getpid()
        return work


_MODELS: dict[str, Models] = {}
_MODELS_LOCK = threading.Lock()  # several threads of one Dask worker share its models: take turns


def _setup_worker(spec: AlignerSpec, threads: int | None, eager: bool = False) -> None:
    """Remember what to load in this worker process (the pool initializer, the Dask plugin)."""
    with _MODELS_LOCK:
        models = _MODELS.get("this")
        if models is None or models.spec != spec:
            models = _MODELS["this"] = Models(spec, threads)
        if eager:
            models.load()


def _start_pool_worker(spec: AlignerSpec, threads: int | None, parent: int) -> None:
    """The pool initializer: set up the models, and leave when the run's process is gone.

    A run killed with SIGKILL gets no chance to stop its pool, and its workers would
    otherwise wait for work for ever, each holding a loaded encoder.
    """

    def exit_with_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=exit_with_parent, name="exit-with-parent", daemon=True).start()
    _setup_worker(spec, threads)


def _run_in_worker(task: PairTask) -> PairWork:
    with _MODELS_LOCK:
        return _MODELS["this"].run(task)


def _dask_run(task: PairTask, spec: AlignerSpec, threads: int | None) -> PairWork:
    _setup_worker(spec, threads)  # no-op after the plugin (or an earlier task) set this worker up
    return _run_in_worker(task)


# -- executors: how tasks reach the workers -------------------------------------------------


class _Result(Protocol):
    def result(self) -> PairWork: ...


class _Done:
    """An already-finished result (inline runs and skipped items)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class _Raise:
    """A result that is an error raised when it is asked for, like a failed future's."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def result(self) -> Any:
        raise self.error


class InlineExecutor:
    """Workers = 1: the work runs in this process, with the caller's aligner."""

    window = 1
    workers = 1

    def __init__(self, spec: AlignerSpec, aligner: Aligner | None = None) -> None:
        self.models = Models(spec, aligner=aligner)

    def submit(self, task: PairTask) -> _Result:
        return _Done(self.models.run(task))

    def restart(self) -> None:
        pass

    def close(self) -> None:
        pass


class PoolExecutor:
    """N worker processes (spawned, so nothing half-initialised is inherited), models loaded once each."""

    def __init__(self, spec: AlignerSpec, workers: int, threads: int | None = None) -> None:
        self.spec = spec
        self.workers = workers
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.threads = threads or max(1, cores // workers)
        self.window = max(8, 6 * workers)
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_pool_worker, initargs=(self.spec, self.threads, os.getpid()))

    def submit(self, task: PairTask) -> _Result:
        try:
            return self._pool.submit(_run_in_worker, task)
        except BrokenProcessPool as exc:
            # A worker died since the last submit: hand back the breakage in the task's own
            # place in the window, where the loop restarts the pool and sends it again.
            return _Raise(exc)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """The same tasks on a Dask cluster; results come back here, the one database writer."""

    def __init__(self, address: str, spec: AlignerSpec, threads: int | None = None) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise InputError("--dask", "needs Dask: pip install 'aligner[dask]'") from exc
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(address, f"cannot reach the Dask scheduler ({exc})") from None
        self.spec = spec
        self.threads = threads or 1
        self.client.register_plugin(_AlignerPlugin(spec, self.threads), name=f"aligner-{hash(spec) & 0xFFFFFF:x}")
        # the spec (with the corpus lexicon) travels to each worker once, not with every task
        self._spec = self.client.scatter(spec, broadcast=True)
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.window = max(8, 6 * self.workers)

    def submit(self, task: PairTask) -> _Result:
        return self.client.submit(_dask_run, task, self._spec, self.threads, pure=False)

    def restart(self) -> None:
        pass  # the scheduler reschedules the tasks of a lost worker itself

    def close(self) -> None:
        self.client.close()


def _plugin_base() -> type:
    try:
        from distributed.diagnostics.plugin import WorkerPlugin
    except ImportError:  # without Dask the class is never used
        return object
    return WorkerPlugin


class _AlignerPlugin(_plugin_base()):  # type: ignore[misc]
    """Loads the models when a Dask worker starts (or joins later), before any task arrives."""

    def __init__(self, spec: AlignerSpec, threads: int | None) -> None:
        self.spec = spec
        self.threads = threads

    def setup(self, worker: Any) -> None:
        _setup_worker(self.spec, self.threads, eager=True)


# -- the parent side: plan, send, write in order ------------------------------------------------


@dataclass
class BatchStats:
    """Run-level numbers the summary reports beside the per-item results."""

    workers: int = 1
    startup: float = 0.0
    encoded: int = 0
    replanned: int = 0
    crashes: int = 0
    skipped_failures: int = 0
    worker_pids: set[int] = field(default_factory=set)


def read_state(store: Store, en_key: str, *, with_sentences: bool = True) -> PairState:
    """The stored pair of an English page and its change token (see :class:`PairState`)."""
    en_key = document_key(en_key)
    row = store.conn.execute(
        "SELECT p.id, p.aligned_hash, e.content_hash, k.content_hash, k.key FROM documents e"
        " JOIN pairs p ON p.en_doc=e.id JOIN documents k ON k.id=p.ko_doc WHERE e.key=?",
        (en_key,),
    ).fetchone()
    if row is None:
        doc = store.document_id(en_key)
        return PairState(token="new" if doc is None else f"doc:{doc}")
    pair_id, aligned_hash, en_hash, ko_hash, ko_key = row
    beads = store.beads(pair_id)
    edits = store.conn.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(undone), 0) FROM edits WHERE pair_id=?", (pair_id,)
    ).fetchone()
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((pair_id, aligned_hash, en_hash, ko_hash, ko_key, tuple(edits))).encode())
    for b in beads:
        h.update(repr((b.en_start, b.en_end, b.ko_start, b.ko_end, b.origin, b.status)).encode())
    fixed = [(b.en_start, b.en_end, b.ko_start, b.ko_end) for b in beads if b.is_fixed]
    # a reviewer's text fix leaves its bead unreviewed, but the fixed text must survive a re-run
    text_fixed = store.conn.execute(
        "SELECT count(*) FROM edits WHERE pair_id=? AND undone=0"
        " AND (action LIKE 'edit %' OR action LIKE 'split-sentence %')", (pair_id,)
    ).fetchone()[0] > 0
    reviewed = text_fixed or any(b.is_fixed or b.status == "rejected" for b in beads)
    state = PairState(
        pair_id=pair_id, ko_key=ko_key, aligned_hash=aligned_hash, current_hash=content_hash(en_hash, ko_hash),
        has_reviewed=text_fixed or any(b.is_fixed or b.status != "unreviewed" for b in beads), fixed=fixed,
        token=h.hexdigest(),
    )
    if reviewed and with_sentences:
        pair = store.pair(pair_id)
        state.src, state.tgt = store.sentences(pair.en_doc), store.sentences(pair.ko_doc)
    return state


def _failure_rows(store: Store) -> dict[str, tuple[str, str, float]]:
    rows = store.conn.execute("SELECT item, stage, reason, at FROM failures").fetchall()
    out = {}
    for item, stage, reason, at in rows:
        try:
            stamp = datetime.fromisoformat(at).timestamp()
        except ValueError:
            stamp = 0.0
        out[item] = (stage, reason, stamp)
    return out


def _mtime(cache: PageCache, url: str | None) -> float:
    if not url:
        return 0.0
    try:
        return cache.path(url).stat().st_mtime
    except (OSError, AlignerError):
        return 0.0


class Batch:
    """One run over a list of English pages: plans tasks, sends them, writes results in order."""

    def __init__(self, cache: PageCache, store: Store, executor: Any, *, force: bool, retry_failed: bool,
                 src_lang: str, tgt_lang: str, pairs: dict[str, tuple[str, str]] | None = None) -> None:
        self.cache = cache
        self.store = store
        # the corpus's pairs.jsonl (from `aligner fetch` or `aligner pair --record-in`):
        # English URL's page_key -> (Korean URL, how it was paired)
        self.pairs = pairs or {}
        self.executor = executor
        self.force = force
        self.retry_failed = retry_failed
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.failures = _failure_rows(store)
        self.stats = BatchStats(workers=getattr(executor, "workers", 1))

    # planning ------------------------------------------------------------------------------

    def task_for(self, url: str, attempt: int = 0) -> PairTask:
        """Read the pages and the pair's stored state; the worker does the real parsing."""
        en_page, problem = self._read(url)
        listed = self.pairs.get(page_key(url))
        ko_url = listed[0] if listed else self._korean_url(url, en_page)
        ko_page = None
        if ko_url and problem is None:
            ko_page, problem = self._read(ko_url)
        return PairTask(url, en_page, ko_url, ko_page, read_state(self.store, url), self.force,
                        self.src_lang, self.tgt_lang, attempt, problem)

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

    def _korean_url(self, url: str, en_page: bytes | None) -> str | None:
        """Where the page's original-article link points (a few ms; errors are the worker's to report)."""
        if en_page is None:
            return None
        try:
            return parse_page(en_page, url).original_url
        except (AlignerError, ValueError):
            return None

    def skipped_failure(self, url: str, task: PairTask) -> Any | None:
        """An earlier failure whose pages have not changed since: report it again, don't redo it."""
        from aligner.pipeline import ItemResult

        row = self.failures.get(document_key(url))
        if row is None or self.retry_failed or self.force:
            return None
        stage, reason, at = row
        changed = max(_mtime(self.cache, url), _mtime(self.cache, task.ko_url))
        if int(changed) > int(at):
            return None
        self.stats.skipped_failures += 1
        outcome = stage if stage in ("failed", "unpaired") else "failed"
        return ItemResult(url, outcome, reason, previous=True)

    # writing -------------------------------------------------------------------------------

    def commit(self, task: PairTask, work: PairWork) -> Any:
        """Store one worker result in one transaction; None when the pair changed meanwhile."""
        from aligner.pipeline import ItemResult

        seconds, cpu = dict(work.seconds), dict(work.cpu)
        if work.startup is not None:
            self.stats.startup = max(self.stats.startup, work.startup)
        if work.worker:
            self.stats.worker_pids.add(work.worker)
        self.stats.encoded += work.encoded
        if work.outcome in ("failed", "unpaired"):
            t, c = time.perf_counter(), time.process_time()
            self.store.record_failure(work.item, work.outcome, work.reason)
            seconds["store"], cpu["store"] = time.perf_counter() - t, time.process_time() - c
            return ItemResult(work.item, work.outcome, work.reason, seconds=seconds, cpu=cpu)
        if work.outcome != "aligned":
            pair_id = task.state.pair_id
            return ItemResult(work.item, work.outcome, work.reason, pair_id=pair_id, seconds=seconds, cpu=cpu)
        assert work.en is not None and work.ko is not None
        t, c = time.perf_counter(), time.process_time()
        with self.store.transaction():
            if read_state(self.store, task.item, with_sentences=False).token != work.token:
                return None  # a reviewer (or another run) changed the pair: plan it again
            en_id = self.store.upsert_document(work.en, work.en.url or task.item)
            ko_id = self.store.upsert_document(work.ko, work.ko.url or task.ko_url)
            listed = self.pairs.get(page_key(task.item))
            pair_id = self.store.upsert_pair(en_id, ko_id, listed[1] if listed else "link")
            # accepted and manual beads were the anchors; a rejected bead made again stays rejected
            keep = [b for b in self.store.beads(pair_id) if b.is_fixed or b.status == "rejected"]
            self.store.save_alignment(pair_id, work.src, work.tgt, work.beads, work.method, keep=keep)
        seconds["store"], cpu["store"] = time.perf_counter() - t, time.process_time() - c
        return ItemResult(
            work.item, "aligned", pair_id=pair_id, en_sentences=len(work.src), ko_sentences=len(work.tgt),
            bead_types=Counter(b.kind for b in work.beads), seconds=seconds, cpu=cpu,
        )

    # the loop -------------------------------------------------------------------------------

    def run(self, urls: list[str], emit: Callable[[Any], None]) -> None:
        """Send up to ``window`` tasks ahead, write results in page order, re-plan stale ones."""
        window = getattr(self.executor, "window", 1)
        todo = iter(urls)
        pending: deque[tuple[PairTask, Any, Any]] = deque()  # (task, result handle, finished item)
        crashes: Counter[str] = Counter()
        got_result = False
        while True:
            while len(pending) < window:
                url = next(todo, None)
                if url is None:
                    break
                task = self.task_for(url)
                skipped = self.skipped_failure(url, task)
                if skipped is not None:
                    pending.append((task, None, skipped))
                else:
                    pending.append((task, self.executor.submit(task), None))
            if not pending:
                return
            task, handle, finished = pending.popleft()
            if finished is not None:
                emit(finished)
                continue
            try:
                work = handle.result()
            except AlignerError:
                raise
            except BrokenProcessPool:
                if not got_result and self.stats.crashes:
                    raise AlignerError("worker processes", "could not start or died before returning any result "
                                       "(a script that runs with workers > 1 needs the "
                                       "`if __name__ == \"__main__\":` guard: workers start by importing it)") from None
                # A worker died (out of memory, a crash in native code). Start new workers and
                # send everything that was in flight again; an item caught in repeated crashes
                # is the likely cause and is reported instead of retried for ever.
                self.stats.crashes += 1
                in_flight = [task] + [p[0] for p in pending if p[2] is None]
                for t in in_flight:
                    crashes[t.item] += 1
                self.executor.restart()
                rest = [(p[0], None, p[2]) for p in pending]
                pending.clear()
                for t, _, done in [(task, None, None)] + rest:
                    if done is not None:
                        pending.append((t, None, done))
                    elif crashes[t.item] >= MAX_CRASHES:
                        reason = "a worker process died while aligning this pair (twice)"
                        work = PairWork(t.item, "failed", reason, token=t.state.token)
                        pending.append((t, _Done(work), None))
                    else:
                        pending.append((t, self.executor.submit(t), None))
                continue
            except Exception as exc:  # e.g. a Dask scheduler or worker without aligner installed
                first = (str(exc).strip().splitlines() or [""])[0]
                where = "the Dask cluster" if isinstance(self.executor, DaskExecutor) else "a worker process"
                raise AlignerError(task.item, f"{where} failed: {type(exc).__name__}: {first}") from exc
            got_result = True
            result = self.commit(task, work)
            if result is None:
                self.stats.replanned += 1
                if task.attempt + 1 >= MAX_REPLANS:
                    from aligner.pipeline import ItemResult

                    result = ItemResult(task.item, "kept", "a reviewer kept editing this pair during the run; "
                                        "left as they made it")
                else:
                    fresh = self.task_for(task.item, task.attempt + 1)
                    pending.appendleft((fresh, self.executor.submit(fresh), None))
                    continue
            emit(result)


def make_executor(spec: AlignerSpec, workers: int, dask: str | None, aligner: Aligner | None,
                  threads: int | None = None) -> Any:
    """Inline for one worker, a process pool for several, or a Dask cluster."""
    if dask:
        if aligner is not None:
            raise ValueError("a ready-made aligner cannot be sent to Dask workers; pass none")
        return DaskExecutor(dask, spec, threads)
    if workers <= 1:
        return InlineExecutor(spec, aligner)
    if aligner is not None:
        raise ValueError("a ready-made aligner cannot be sent to worker processes; pass none or use workers=1")
    return PoolExecutor(spec, workers, threads)
