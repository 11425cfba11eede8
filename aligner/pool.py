"""Worker processes that start fresh, set themselves up once, and leave with their parent.

Shared by a corpus run's process pool (:class:`aligner.executors.PoolExecutor`) and
``aligner align`` over folders (:func:`aligner.direct.align_folders`). Kept apart from
both, with nothing heavy imported, because every worker process imports it first.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def free_cores(look: float = 0.1) -> int:
    """The usable cores other processes leave free now (at least 1), from how busy the CPUs
    are over a short ``look`` (seconds) at ``/proc/stat``; where there is none, from the
    1-minute load average.

    Not the load average alone: it still counts a job that ended a minute ago, such as the
    previous ``aligner align`` of a script that aligns folder after folder.
    """
    cores = usable_cores()
    try:
        before = _cpu_times()
        time.sleep(look)
        after = _cpu_times()
    except (OSError, ValueError, IndexError):
        busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    else:
        total = after[0] - before[0]
        idle = after[1] - before[1]
        busy = (1 - idle / total) * (os.cpu_count() or cores) if total > 0 else 0.0
    return max(1, min(cores, round(cores - busy)))  # a core at least half free counts


def _cpu_times() -> tuple[int, int]:
    """All CPUs' time so far and the idle part of it (clock ticks), from ``/proc/stat``."""
    with open("/proc/stat", encoding="ascii") as fh:
        ticks = [int(n) for n in fh.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    return sum(ticks), ticks[3] + ticks[4]


def spawn_pool(workers: int, setup: Callable[..., None], *args: Any) -> ProcessPoolExecutor:
    """``workers`` processes, spawned (nothing half-initialised is inherited), each running
    ``setup(*args)`` once before its first task; ``setup`` must be a module-level function."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), setup, args),
    )


def _start_worker(parent: int, setup: Callable[..., None], args: tuple[Any, ...]) -> None:
    """The pool initializer: leave when the parent is gone, then the caller's set-up.

    A parent killed with SIGKILL gets no chance to stop its pool, and its workers would
    otherwise wait for work for ever, each holding a loaded encoder.
    """

    def exit_with_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=exit_with_parent, name="exit-with-parent", daemon=True).start()
    setup(*args)


@contextmanager
def children_ignore_ctrl_c() -> Iterator[None]:
    """Processes started in this block ignore SIGINT from birth (an ignored signal stays
    ignored across exec, and Python leaves it so).

    Ctrl-C at a terminal interrupts the whole process group; a worker that took it would
    print a traceback (or, idle, die) while the parent stops the pool with
    :func:`stop_now`. ``ProcessPoolExecutor`` starts its processes in ``submit``, so
    submits go in this block. Only the main thread may change signal handlers: elsewhere
    this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers at once (Ctrl-C, an error).

    ``shutdown`` alone lets the running tasks finish, and the interpreter waits for them at
    exit. Python 3.14 has ``terminate_workers()``; until then the pool's own table of its
    processes is the only list of them.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
