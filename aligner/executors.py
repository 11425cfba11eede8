"""How a run's tasks reach its workers: this process, a pool of processes, or a Dask cluster.

Every executor has the same small surface (:class:`Executor`): ``submit`` a
:class:`~aligner.worker.PairTask` and get a handle whose ``result()`` is the
:class:`~aligner.worker.PairWork`; ``window`` says how many tasks may be in flight ahead
of the one being written, ``restart`` replaces dead workers, ``close`` ends them. The
run loop (:class:`aligner.batch.Batch`) sees nothing else, so the three are interchangeable.

Each worker process loads the sentence encoder once (the pool's initializer, or a Dask
worker plugin), with its BLAS threads limited so that workers do not fight over the cores.
"""

from __future__ import annotations

import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from aligner.align import Aligner
from aligner.errors import InputError
from aligner.pool import spawn_pool, usable_cores
from aligner.worker import AlignerSpec, Models, PairTask, PairWork


class ResultHandle(Protocol):
    """A task sent to a worker: ``result()`` waits for its work (or raises what broke it)."""

    def result(self) -> PairWork: ...


class Executor(Protocol):
    """Where the per-pair work runs."""

    workers: int  # processes (or Dask threads) doing the work
    window: int  # tasks sent ahead of the one being written
    where: str  # how a message names it: "a worker process", "the Dask cluster"

    def submit(self, task: PairTask) -> ResultHandle: ...

    def restart(self) -> None: ...

    def close(self) -> None: ...


# -- in a worker process --------------------------------------------------------------------

_MODELS: dict[str, Models] = {}
_MODELS_LOCK = threading.Lock()  # several threads of one Dask worker share its models: take turns


def _setup_worker(spec: AlignerSpec, threads: int | None, eager: bool = False) -> None:
    """Remember what to load in this worker process (the pool's set-up, the Dask plugin)."""
    with _MODELS_LOCK:
        models = _MODELS.get("this")
        if models is None or models.spec != spec:
            models = _MODELS["this"] = Models(spec, threads)
        if eager:
            models.load()


def _run_in_worker(task: PairTask) -> PairWork:
    with _MODELS_LOCK:
        return _MODELS["this"].run(task)


def _dask_run(task: PairTask, spec: AlignerSpec, threads: int | None) -> PairWork:
    _setup_worker(spec, threads)  # no-op after the plugin (or an earlier task) set this worker up
    return _run_in_worker(task)


# -- executors --------------------------------------------------------------------------------


class Done:
    """An already-finished result (inline runs, and an item the run gives up on)."""

    def __init__(self, value: PairWork) -> None:
        self.value = value

    def result(self) -> PairWork:
        return self.value


class _Raise:
    """A result that is an error raised when it is asked for, like a failed future's."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def result(self) -> PairWork:
        raise self.error


class InlineExecutor:
    """Workers = 1: the work runs in this process, with the caller's aligner."""

    window = 1
    workers = 1
    where = "this process"

    def __init__(self, spec: AlignerSpec, aligner: Aligner | None = None) -> None:
        self.models = Models(spec, aligner=aligner)

    def submit(self, task: PairTask) -> ResultHandle:
        return Done(self.models.run(task))

    def restart(self) -> None:
        pass

    def close(self) -> None:
        pass


class PoolExecutor:
    """N worker processes (spawned, so nothing half-initialised is inherited), models loaded once each."""

    where = "a worker process"

    def __init__(self, spec: AlignerSpec, workers: int, threads: int | None = None) -> None:
        self.spec = spec
        self.workers = workers
        self.threads = threads or max(1, usable_cores() // workers)
        self.window = max(8, 6 * workers)
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return spawn_pool(self.workers, _setup_worker, self.spec, self.threads)

    def submit(self, task: PairTask) -> ResultHandle:
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

    where = "the Dask cluster"

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

    def submit(self, task: PairTask) -> ResultHandle:
        future: ResultHandle = self.client.submit(_dask_run, task, self._spec, self.threads, pure=False)
        return future

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


class _AlignerPlugin(_plugin_base()):  # type: ignore[misc]  # a base that exists only with Dask installed
    """Loads the models when a Dask worker starts (or joins later), before any task arrives."""

    def __init__(self, spec: AlignerSpec, threads: int | None) -> None:
        self.spec = spec
        self.threads = threads

    def setup(self, worker: Any) -> None:  # a distributed.Worker: Dask is optional, so not imported for its type
        _setup_worker(self.spec, self.threads, eager=True)


def make_executor(
    spec: AlignerSpec, workers: int, dask: str | None, aligner: Aligner | None, threads: int | None = None
) -> Executor:
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
