"""Executors: how a sweep's runs are carried out (serially, in processes, on Dask).

What runs is decided by the plan (:func:`sim.sweep.experiment.plan_runs`);
this module only carries it out. Every executor is a context manager whose
:meth:`~Executor.results` takes an iterable of :class:`RunTask` and yields a
:class:`RunResult` per task in order of completion. All three share the
worker side (:func:`run_task`), so a run's result depends only on its task:

- each worker process holds the base scenarios, validated once, keyed by
  their hash (:data:`_SCENARIOS`), and caches the scenario of a design point
  (base + overrides) for the replicates that follow (:func:`_resolved`);
- the run function is a parameter (default :func:`sim.runner.run_scenario`),
  so tests can inject one that fails or kills its worker;
- a run that raises becomes a ``failed`` result with the error, never an
  exception in the parent.

Submission is bounded: at most a few batches per worker are in flight, so a
100,000-run sweep neither floods the scheduler nor holds its results in memory.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import itertools
import logging
import numbers
import os
import re
import socket
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sim.compiling import CompileTimer
from sim.errors import InputError, WorkersFailed, number_text
from sim.fileio import interrupts_dropped, interrupts_held
from sim.forkserver import (
    ctrl_c_left_to_this_process,
    default_workers,
    die_with_parent,
    forked_by,
    forkserver_context,
)
from sim.metrics import FlatSummary
from sim.options import EXECUTORS
from sim.scenario import Scenario, load_scenario
from sim.seeds import seed_sequence
from sim.sweep.experiment import RunTask

if TYPE_CHECKING:
    import pandas as pd

    from sim.runner import RunOutput

RunFunction = Callable[[Scenario, Any, str], "RunOutput"]
# Scenarios of design points kept per worker: replicates of a point arrive close together.
_RESOLVED_CACHE = 64
# Runs per task shipped to a process worker: amortises pickling and queue round trips.
_MAX_BATCH = 32
# Batches in flight per worker: enough that no worker waits for the next.
_IN_FLIGHT = 4
# Seconds a wait on process workers lasts at most before it takes a Ctrl-C (SIGTERM,
# SIGHUP) that came during it (see first_done).
_TAKE_S = 0.1
# Seconds a process pool may hold a dead worker while its reader still waits before the
# reader is taken to be stuck in a message the worker died writing (see ReaderWatch).
_STUCK_S = 2.0
# Dask keys of batches: this prefix, then the batch's run ids.
_DASK_KEY = "credsim-runs"
# Seconds to wait for a Dask scheduler to answer before giving up.
_DASK_CONNECT_TIMEOUT = 5.0
_DASK_ADDRESS = re.compile(r"^(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def check_address(address: str, timeout: float = _DASK_CONNECT_TIMEOUT) -> None:
    """Check a Dask scheduler address before anything is written: its form, then a connection.

    Args:
        address: ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``HOST:PORT``.
        timeout: seconds to wait for the scheduler to accept a connection.

    Raises:
        InputError: a malformed address, or no scheduler answering there.
    """
    match = _DASK_ADDRESS.match(address.strip())
    port = int(match.group(3)) if match else 0
    if match is None or not 0 < port < 65536:
        raise InputError(
            f"--address '{address}' is not a Dask scheduler address; "
            "expected tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786)"
        )
    host = match.group(2).strip("[]")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise InputError(
            f"no Dask scheduler answers at --address {address} ({reason}); start one "
            "('dask scheduler') or leave out --address to use local workers"
        ) from None


@dataclass(slots=True)
class RunResult:
    """What one run gives back: its row of ``runs.parquet`` and its tables, if recorded.

    ``row`` holds the keys, the varied values, status, error and elapsed time;
    ``metrics`` the summary metrics (None for a failed run), as names and a
    float array: the store stacks a chunk's arrays instead of reading hundreds
    of values per run from dicts. The tables are the runner's, without
    ``run_id``: the store adds it for a whole chunk at once, which is much
    cheaper than a column per run. ``compiling`` is the seconds its worker spent
    compiling numba's kernels in the run's batch (carried by the batch's first
    result; 0 once they are compiled or came from the cache). ``code``, on a Dask
    worker's batch, is the code that ran it (:meth:`WorkerWatch.same_code`).
    """

    row: dict[str, Any]
    series: pd.DataFrame | None = None
    actors: pd.DataFrame | None = None
    metrics: FlatSummary | None = None
    compiling: float = 0.0
    # The SHA-256 of the sim package that ran the batch, on a batch's first result from a
    # Dask worker (:data:`_TELL_CODE`; None elsewhere).
    code: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.row["status"] != "ok")


# --------------------------------------------------------------------------- worker side

_SCENARIOS: dict[str, Scenario] = {}
_RESOLVED: OrderedDict[tuple[str, str], Scenario] = OrderedDict()


def install_scenarios(scenarios: dict[str, Scenario]) -> None:
    """Give this process the base scenarios, keyed by hash."""
    _SCENARIOS.update(scenarios)


# A LocalCluster's scheduler without its dashboard still serves HTTP on port 8787, and
# when another cluster holds that port, warns in four lines that it took another
# (decision 639): a free port of this machine's own, and no warning.
NO_DASHBOARD = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}


def init_worker(scenarios: dict[str, Scenario]) -> None:
    """Set up a worker process: its base scenarios, and a frozen heap.

    Every run leaves reference cycles (the mesa model and its agents) that only
    the cyclic collector frees. With the imported modules and scenarios in the
    heap, a full collection is rare and costs tens of milliseconds, so the
    garbage of hundreds of runs piles up between collections. Freezing the
    heap as it is now takes it out of the collector's view: the collections
    after each batch (``gc.collect()``) then cost microseconds and memory stays flat.
    """
    install_scenarios(scenarios)
    gc.freeze()


def _init_process_worker(scenarios: dict[str, Scenario]) -> None:
    """A process pool's worker: :func:`init_worker`, and it dies with the sweep."""
    die_with_parent()
    init_worker(scenarios)


def _resolved(task: RunTask) -> Scenario:
    base = _SCENARIOS[task.base]
    if not task.values:
        return base
    key = (task.base, repr(task.values))
    scenario = _RESOLVED.get(key)
    if scenario is None:
        scenario = load_scenario(base, dict(task.values))
        _RESOLVED[key] = scenario
        if len(_RESOLVED) > _RESOLVED_CACHE:
            _RESOLVED.popitem(last=False)
    else:
        _RESOLVED.move_to_end(key)
    return scenario


def _default_run(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    from sim.runner import run_scenario

    return run_scenario(scenario, seed, record)  # type: ignore[arg-type]


def _row(task: RunTask) -> dict[str, Any]:
    return {
        "run_id": task.run_id,
        "scenario": task.scenario,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **dict(task.values),
    }


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def failed_result(task: RunTask, error: str, elapsed: float = 0.0) -> RunResult:
    """The result of a run that did not finish."""
    return RunResult({**_row(task), "status": "failed", "error": error, "elapsed_s": elapsed})


def run_task(task: RunTask, run_fn: RunFunction | None = None) -> RunResult:
    """Do one run in this process. Never raises for a failing run: it is recorded."""
    start = time.perf_counter()
    try:
        scenario = _resolved(task)
        output = (run_fn or _default_run)(
            scenario, seed_sequence(task.seed, task.replicate), task.record
        )
        metrics = output.flat
    except Exception as exc:  # any failure of one run is that run's result, not the sweep's
        return failed_result(task, _describe(exc), time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    row = {**_row(task), "status": "ok", "error": None, "elapsed_s": elapsed}
    return RunResult(row, output.series, output.actors, metrics)


# Set in a Dask worker by the sweep's worker plugin (:func:`_scenario_plugin`): a batch's
# first result then carries the digest of the code that ran it, which a sweep on a
# scheduler of the user's compares with its own (decision 1053). A process pool's worker
# is left out: the digest reads the package's files, some 20 ms a process.
_TELL_CODE = False


def run_batch(tasks: list[RunTask], run_fn: RunFunction | None = None) -> list[RunResult]:
    """Do several runs in a worker process (one process-pool or Dask task)."""
    with CompileTimer() as timer:
        results = [run_task(t, run_fn) for t in tasks]
    if results:
        results[0].compiling = timer.seconds
        if _TELL_CODE:
            results[0].code = _sim_digest_on_worker()
    gc.collect()
    return results


def _worker_started() -> tuple[int, float]:
    """A new process worker's first task: its fork server's pid, and the seconds that
    server spent compiling the engine as it imported its preload (:mod:`sim.fast.preload`)."""
    preload = sys.modules.get("sim.fast.preload")
    return forked_by() or os.getppid(), float(getattr(preload, "COMPILING", 0.0))


# --------------------------------------------------------------------------- executors


class Executor(Protocol):
    """Carries out runs; a context manager so that workers and clusters are shut down."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def results(self, tasks: Sequence[RunTask]) -> Iterator[RunResult]:
        """Yield one result per task, in order of completion."""
        ...

    def compiling(self) -> tuple[float, float]:
        """Seconds of compiling numba's kernels (a cold cache) that the sweep waited for:
        before its first run could start, and while its runs went on (so far)."""
        ...


class _Executor:
    """What every executor holds: the base scenarios by hash, the run function, the workers."""

    def __init__(
        self, scenarios: dict[str, Scenario], run_fn: RunFunction | None = None, workers: int = 2
    ) -> None:
        self.scenarios = scenarios
        self.run_fn = run_fn
        self.workers = max(1, workers)
        # Seconds by which compiling held the runs up: the workers compile side by side,
        # so the longest one's batch (this process's runs, one after another, add up).
        self._compiling = 0.0

    def compiling(self) -> tuple[float, float]:
        return 0.0, self._compiling

    def _counted(self, result: RunResult) -> RunResult:
        self._compiling = max(self._compiling, result.compiling)
        return result


class SerialExecutor(_Executor):
    """Every run in this process, one after another.

    The heap is frozen for the sweep's duration and unfrozen after (see
    :func:`init_worker` for why), so the caller's process is left as it was.
    """

    def __enter__(self) -> SerialExecutor:
        init_worker(self.scenarios)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()

    def results(self, tasks: Sequence[RunTask]) -> Iterator[RunResult]:
        for i, task in enumerate(tasks, 1):
            with CompileTimer() as timer:
                result = run_task(task, self.run_fn)
            self._compiling += timer.seconds
            yield result
            if i % _MAX_BATCH == 0:
                gc.collect()


def _batches(tasks: Sequence[RunTask], size: int, workers: int) -> Iterator[list[RunTask]]:
    """Batches of at most ``size`` runs, shorter towards the end (guided scheduling).

    A batch holds at most the runs still to hand out divided by the batches
    in flight (``workers * _IN_FLIGHT``), so the last batches are short and
    the workers finish together instead of one waiting on another's last
    full batch.
    """
    start, n = 0, len(tasks)
    while start < n:
        take = max(1, min(size, -(-(n - start) // (workers * _IN_FLIGHT))))
        yield list(tasks[start : start + take])
        start += take


# What submitting to a pool raises when a worker it starts dies at once: the pool's
# BrokenProcessPool, or BrokenPipeError when the worker's start data (the sweep's
# scenarios, the pool's initargs) fill more than a pipe holds and are written to a
# worker already dead (decision 731).
WORKER_LOST = (BrokenProcessPool, BrokenPipeError)


_WORKERS_DIE_AT_START = (
    "the sweep's worker processes die as they start, before running anything (their own "
    "error, if any, is printed above), so no more runs were tried; the finished runs are "
    'kept. From a Python script, put the call under `if __name__ == "__main__":` (each '
    "worker imports the script again) or use executor='serial'"
)


# Fork servers whose compile a sweep of this process has told already.
_TOLD_SERVERS: set[int] = set()


class ProcessExecutor(_Executor):
    """Runs in a :class:`concurrent.futures.ProcessPoolExecutor`, in batches.

    Each worker receives the base scenarios once, through the pool's
    initialiser. A worker that dies breaks the whole pool, and the runs in
    flight cannot tell who killed it; so the pool is restarted and those runs
    are redone one at a time: the run that kills its worker alone is recorded
    as failed, the others finish normally.
    """

    pool: cf.ProcessPoolExecutor | None = None

    def __init__(
        self, scenarios: dict[str, Scenario], run_fn: RunFunction | None = None, workers: int = 2
    ) -> None:
        super().__init__(scenarios, run_fn, workers)
        self._starting: threading.Thread | None = None
        # The first task of each worker (_worker_started), and how long results() waited
        # for the workers to start: on a cold cache, for their fork server to compile.
        self._starts: list[cf.Future[tuple[int, float]]] = []
        self._waited = 0.0
        self._preload: float | None = None
        # Pools told to shut down whose workers may still be exiting (what __exit__ waits
        # for: a pool's shutdown lets go of them).
        self._retired: list[_PoolParts] = []
        self._watch = ReaderWatch()

    def _start(self) -> cf.ProcessPoolExecutor:
        context = forkserver_context()
        self._watch = ReaderWatch()
        self.pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_init_process_worker,
            initargs=(self.scenarios,),
        )
        return self.pool

    def __enter__(self) -> ProcessExecutor:
        pool = self._start()
        # The pool starts a worker per task it cannot hand to an idle one: one empty
        # task per worker starts them all now, while the sweep plans and writes its
        # folder. A thread submits them: each start waits for the fork server's answer.
        self._starting = threading.Thread(target=self._start_workers, args=(pool,))
        self._starting.start()
        return self

    def _start_workers(self, pool: cf.ProcessPoolExecutor) -> None:
        try:
            for _ in range(self.workers):
                self._starts.append(pool.submit(_worker_started))
        except WORKER_LOST:
            return  # a worker died at once: the first batches find the pool broken
        except RuntimeError:
            return  # the sweep ended (Ctrl-C, an error) before every worker was asked for

    def _started(self) -> None:
        """Wait for the thread that starts the workers (see :meth:`__enter__`)."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None

    def __exit__(self, *exc: object) -> None:
        # After Ctrl-C too the workers finish their batch (they ignore it:
        # ctrl_c_left_to_this_process) and the pool shuts down as usual; killing them
        # could cut a result in the middle of the pipe and leave the pool's reader
        # waiting for the rest of it. A signal to the whole process group (SIGTERM from
        # `timeout`, SIGHUP from a closed terminal) kills them, and may do so there:
        # shut_down unsticks the reader then (decision 827).
        self._started()
        # A sweep already stopping on a signal goes on stopping: a second Ctrl-C within
        # ReaderWatch's 2 s left the reader stuck and the exit waiting on it for ever (a
        # helper's stress test, decision 832); otherwise a signal is taken after the wait.
        with interrupts_dropped() if exc and exc[0] is not None else interrupts_held():
            if self.pool is not None:
                shut_down(self.pool)
                self.pool = None
            for parts in self._retired:
                wait_for(parts)
            self._retired = []

    def _check(self) -> None:
        """:class:`ReaderWatch` of the pool in use, between waits for its results."""
        if self.pool is not None:
            self._watch(_PoolParts.of(self.pool))

    def _let_go(self, cancel_futures: bool) -> None:
        """Tell the pool in use to shut down without waiting; :meth:`__exit__` waits."""
        if self.pool is not None:
            self._retired.append(_PoolParts.of(self.pool))
            self.pool.shutdown(wait=False, cancel_futures=cancel_futures)
            self.pool = None

    def _restart(self) -> cf.ProcessPoolExecutor:
        self._let_go(cancel_futures=True)
        return self._start()

    def _alone(self, task: RunTask) -> RunResult:
        """Redo one suspect run by itself after the pool broke.

        Raises:
            WorkersFailed: a new worker dies before it can do anything at all, so
                every run would fail the same way (decision 610).
        """
        pool = self.pool or self._start()
        try:
            outcome(submitted(pool, os.getpid), self._check)
        except WORKER_LOST:
            raise WorkersFailed(_WORKERS_DIE_AT_START) from None
        try:
            return outcome(submitted(pool, run_batch, [task], self.run_fn), self._check)[0]
        except WORKER_LOST:
            self._restart()
            return failed_result(task, "its worker process died (killed, or out of memory)")

    def results(self, tasks: Sequence[RunTask]) -> Iterator[RunResult]:
        """Hand the first batches to the workers now; the iterator yields the results.

        So the workers compute while the caller writes its folder. When the
        last result is taken the pool is told to shut down, and its workers
        exit while the caller consolidates (:meth:`__exit__` waits for them).
        """
        pending: dict[cf.Future[list[RunResult]], list[RunTask]] = {}
        queue = _batches(tasks, _batch_size(len(tasks), self.workers), self.workers)
        limit = self.workers * _IN_FLIGHT
        suspects: list[RunTask] = []

        def fill() -> None:
            pool = self.pool or self._start()
            with interrupts_held():  # submit takes the pool's locks (see first_done)
                while len(pending) < limit:
                    batch = next(queue, None)
                    if batch is None:
                        return
                    try:
                        pending[pool.submit(run_batch, batch, self.run_fn)] = batch
                    except WORKER_LOST:  # the pool broke since the last wait
                        suspects.extend(batch)
                        return

        def collect() -> Iterator[RunResult]:
            nonlocal suspects, limit
            while pending or suspects:
                if not suspects:
                    for future in first_done(pending, self._check):
                        batch = pending.pop(future)
                        try:
                            results = outcome(future)
                        except BrokenProcessPool:
                            suspects += batch
                            continue
                        except Exception as exc:  # e.g. a result that cannot be pickled back
                            results = [failed_result(t, _describe(exc)) for t in batch]
                        limit = min(limit, in_flight(self.workers, results))
                        yield from map(self._counted, results)
                if suspects:
                    suspects += [t for batch in pending.values() for t in batch]
                    pending.clear()
                    self._restart()
                    for task in suspects:
                        yield self._counted(self._alone(task))
                    suspects = []
                fill()
            self._retire()

        waiting = time.perf_counter()
        self._started()
        self._waited = time.perf_counter() - waiting
        fill()
        return collect()

    def compiling(self) -> tuple[float, float]:
        """The fork server's compile, as far as :meth:`results` waited for it (the
        server compiles while this process plans the sweep), and the workers' own.

        A fork server serves every later sweep of this process: its compile is told
        by the first sweep's workers only (decision 723).
        """
        if self._preload is None:
            told = [f.result() for f in self._starts if f.done() and f.exception() is None]
            if not told:
                return 0.0, self._compiling
            server, seconds = told[0]
            self._preload = 0.0 if server in _TOLD_SERVERS else min(seconds, self._waited)
            _TOLD_SERVERS.add(server)
        return self._preload, self._compiling

    def _retire(self) -> None:
        """Let the workers exit now, without waiting; :meth:`__exit__` joins them."""
        self._let_go(cancel_futures=False)


@dataclass
class _PoolParts:
    """What a process pool waits with, taken before its ``shutdown`` lets go of them:
    its manager thread (which reads the results), its workers and its result queue."""

    thread: threading.Thread | None
    processes: list[Any]
    queue: Any

    @classmethod
    def of(cls, pool: cf.ProcessPoolExecutor) -> _PoolParts:
        # concurrent.futures' own attributes (Python 3.12 and 3.13 alike); a pool without
        # them is waited for as shutdown waits, with nothing to unstick.
        processes = getattr(pool, "_processes", None) or {}
        return cls(
            getattr(pool, "_executor_manager_thread", None),
            list(processes.values()),
            getattr(pool, "_result_queue", None),
        )


class ReaderWatch:
    """Unsticks a process pool whose reader waits for the rest of a message that a dead
    worker will never send.

    A worker killed as it writes its batch's results (a signal to the whole process
    group, as ``timeout`` and a closed terminal send; the kernel, out of memory) leaves
    the header and part of the message in the pipe: the pool's manager thread reads on
    for the rest, for ever, instead of seeing the worker's death and breaking the pool,
    and the sweep waits with it (an outside check's sweep under ``timeout -s TERM`` hung
    in 2 of 6 tries; decision 827). That is the case when, at every look for
    :data:`_STUCK_S`, the reader is inside its ``recv``, the pipe holds nothing to read
    and a worker is dead (a worker still writing a long message keeps bytes in the
    pipe; a reader waiting between messages is not in ``recv``). The message is then
    completed with zeros from this process's end of the pipe (which the pool keeps
    open), in a thread of its own, until the reader has it. It cannot be unpickled, so
    the pool breaks as it does when a worker dies between messages: the batches in
    flight raise ``BrokenProcessPool`` and their runs are redone one at a time
    (:class:`ProcessExecutor`).
    """

    def __init__(self) -> None:
        self.stuck_since: float | None = None
        self.fed = False

    def __call__(self, parts: _PoolParts) -> None:
        thread, queue = parts.thread, parts.queue
        if self.fed or thread is None or queue is None or not thread.is_alive():
            return
        if not _stuck(parts):
            self.stuck_since = None
            return
        now = time.monotonic()
        if self.stuck_since is None:
            self.stuck_since = now
        elif now - self.stuck_since >= _STUCK_S:
            self.fed = True
            threading.Thread(
                target=_feed, args=(queue._writer.fileno(), thread), daemon=True
            ).start()


def pool_watch(pool: cf.ProcessPoolExecutor) -> Callable[[], None]:
    """A ``watch`` for :func:`first_done` that unsticks ``pool``'s reader (:class:`ReaderWatch`)."""
    watch = ReaderWatch()
    return lambda: watch(_PoolParts.of(pool))


def queue_watch(
    reader: threading.Thread, queue: Any, pool: cf.ProcessPoolExecutor
) -> Callable[[], None]:
    """A watch that unsticks ``reader``, a thread reading the multiprocessing ``queue`` that
    the workers of ``pool`` send on, as :class:`ReaderWatch` unsticks a pool's own reader.

    The workers are those seen at any look: a pool shut down has let go of its own.
    """
    watch = ReaderWatch()
    seen: dict[int, Any] = {}

    def look() -> None:
        seen.update((id(p), p) for p in _PoolParts.of(pool).processes)
        watch(_PoolParts(reader, list(seen.values()), queue))

    return look


def _stuck(parts: _PoolParts) -> bool:
    """Whether the pool's reader waits inside ``recv`` on an empty pipe while a worker is
    dead (one look; see :class:`ReaderWatch`)."""
    from multiprocessing.connection import wait

    try:
        import fcntl
        import termios
    except ImportError:  # not on POSIX: nothing to look at
        return False

    assert parts.thread is not None
    frame = sys._current_frames().get(parts.thread.ident or -1)
    reading = False
    while frame is not None and not reading:
        code = frame.f_code
        reading = code.co_name in ("_recv", "_recv_bytes") and code.co_filename.endswith(
            os.path.join("multiprocessing", "connection.py")
        )
        frame = frame.f_back
    if not reading:
        return False
    waiting = bytearray(4)
    try:
        fcntl.ioctl(parts.queue._reader.fileno(), termios.FIONREAD, waiting)
    except OSError:
        return False
    if int.from_bytes(waiting, sys.byteorder):
        return False
    return bool(wait([p.sentinel for p in parts.processes], timeout=0))


def _feed(fd: int, reader: threading.Thread) -> None:
    """Zeros into the result pipe at ``fd`` while ``reader`` runs (see ReaderWatch)."""
    zeros = bytes(65536)
    while reader.is_alive():
        try:
            os.write(fd, zeros)
        except OSError:
            return


def shut_down(pool: cf.ProcessPoolExecutor, *, cancel_futures: bool = True) -> None:
    """``pool.shutdown(wait=True, cancel_futures=...)``, waited for in steps of
    ``_TAKE_S`` that unstick a reader a dead worker left waiting (:class:`ReaderWatch`):
    a sweep stopped by a signal to its whole process group waited there for ever."""
    parts = _PoolParts.of(pool)
    pool.shutdown(wait=False, cancel_futures=cancel_futures)
    wait_for(parts)


def wait_for(parts: _PoolParts) -> None:
    """Wait for a pool told to shut down: its manager thread joins its workers as it
    ends; then its result queue is closed, as ``shutdown(wait=True)`` closes it."""
    watch = ReaderWatch()
    while parts.thread is not None and parts.thread.is_alive():
        parts.thread.join(_TAKE_S)
        watch(parts)
    if parts.queue is not None:
        parts.queue.close()


def first_done(
    futures: Collection[cf.Future[Any]], watch: Callable[[], None] | None = None
) -> set[cf.Future[Any]]:
    """The futures of ``futures`` that are done, once one is; ``watch`` is called after
    each wait that ends with none (:class:`ReaderWatch`).

    Ctrl-C, SIGTERM and SIGHUP are held while :mod:`concurrent.futures` waits, and taken
    between its waits, which last at most ``_TAKE_S``. The exception a signal handler
    raises comes "after any bytecode instruction" (the :mod:`signal` module's
    documentation): one that came as the wait took or gave back its futures' locks left
    one of them held (117 of 300 interrupts of a loop of waits, none with the wait held),
    and the pool's own thread takes that lock to hand over a result, so that a sweep's
    clean-up would wait for it for ever (decision 785).
    """
    while True:
        with interrupts_held():
            done, _ = cf.wait(futures, timeout=_TAKE_S, return_when=cf.FIRST_COMPLETED)
        if done:
            return done
        if watch is not None:
            watch()


def dask_done(completed: Any, waiting: Callable[[], None] | None = None) -> list[Any]:
    """The next finished futures of a ``distributed.as_completed``, once there are some.

    Waited for as :func:`first_done` waits, in held waits of at most ``_TAKE_S``:
    ``next_batch(block=True)`` waits on the collection's condition, whose lock the
    client's event loop thread takes to hand over each future, so that an interrupt that
    left it held would stop the sweep's clean-up for ever, as decision 785 found of
    :mod:`concurrent.futures` (decision 795). The check and the wait are under that lock,
    so a future handed over between them is not missed. Whether the collection is empty
    is asked outside it: the loop thread takes the collection's own lock first and the
    condition's inside it, so asking (which takes the collection's lock) while holding
    the condition's could deadlock the two.

    ``waiting``, if given, is called after each wait that brought nothing (a
    :class:`WorkerWatch`).

    Raises:
        StopIteration: the collection tracks no future (as ``next_batch`` raises it).
    """
    condition = completed.thread_condition
    while True:
        with interrupts_held():
            if not completed.has_ready() and completed.is_empty():
                raise StopIteration
            with condition:
                if not completed.has_ready():
                    condition.wait(timeout=_TAKE_S)
            batch: list[Any] = completed.next_batch(block=False)
        if batch:
            return batch
        if waiting is not None:
            waiting()


# Seconds a sweep on a scheduler at an address waits with no worker there before it says
# so (a restarted worker is back within a few), and how often it looks.
_NO_WORKER_S = 5.0
_WATCH_S = 1.0


class OtherCode(WorkersFailed):
    """A Dask worker of other code than this process's sent work back, which is left out
    (:meth:`WorkerWatch.same_code`, decision 1053)."""


class WorkerWatch:
    """Says on stderr when the Dask scheduler a sweep (or a calibration: ``waits`` and
    ``kept`` name what waits and what is kept) was given (``--address``) has had no
    worker for :data:`_NO_WORKER_S` while runs are owed, and when one joins again
    (decision 1050). The sweep waited without a word before (decision 997's "left"): a
    user whose workers had all stopped saw a progress line that no longer moved.

    It reads the worker count the client keeps of the scheduler (``n_workers`` of its
    scheduler identity, which distributed's client refreshes every two seconds), never
    asks the scheduler itself: a question to a scheduler that stopped answering would
    wait for a connection's timeout, with Ctrl-C held. A count the client does not have
    says nothing.
    """

    def __init__(
        self,
        client: Any,
        address: str,
        *,
        waits: str = "the sweep",
        kept: str = "the finished runs",
        stream: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.address = address
        self.waits, self.kept = waits, kept
        self.stream = stream
        self.clock = clock
        self._looked = clock()
        self._none_since: float | None = None
        self._said = False
        # The code this process runs, against which the workers' results are held.
        self.code = _sim_digest_on_worker()

    def workers(self) -> int | None:
        """The scheduler's worker count as the client last heard it, if it has one."""
        known = getattr(self.client, "_scheduler_identity", None) or {}
        count = known.get("n_workers")
        return count if isinstance(count, int) else None

    def __call__(self) -> None:
        now = self.clock()
        if now - self._looked < _WATCH_S:
            return
        self._looked = now
        count = self.workers()
        if count is None:
            return
        if count > 0:
            self.ran()
        elif self._none_since is None:
            self._none_since = now
        elif not self._said and now - self._none_since >= _NO_WORKER_S:
            self._said = True
            self._say(
                f"the Dask scheduler at {self.address} has had no worker for "
                f"{_NO_WORKER_S:g} s: {self.waits} waits for one (start one with "
                f"`dask worker {self.address}` from this checkout); Ctrl-C stops it, and "
                f"{self.kept} are kept"
            )

    def wait_for_a_worker(self) -> None:
        """Return once the scheduler has a worker (or its count is not known), saying so
        as :meth:`__call__` does meanwhile: what a calibration does before it scatters a
        generation's data, which on a scheduler without workers failed after the
        scatter's timeout ("No valid workers found"), six times over a minute.

        It also returns once the scheduler no longer takes connections (asked every
        :data:`_NO_WORKER_S`, :func:`scheduler_listens`): the client's count of a dead
        scheduler stays what it last was, and the scatter that follows then fails as a
        scheduler that stopped answering, said in its one line (decision 764)."""
        asked = self.clock()
        while self.workers() == 0:
            time.sleep(_TAKE_S)
            self()
            if self.clock() - asked >= _NO_WORKER_S:
                if not scheduler_listens(self.client):
                    return
                asked = self.clock()
        self.ran()

    def ran(self) -> None:
        """A worker is there (counted, or its runs came back): if the sweep said it had
        none, it says that it goes on."""
        if self._said:
            self._say(f"a worker joined the Dask scheduler at {self.address}: {self.waits} goes on")
        self._none_since, self._said = None, False

    def same_code(self, code: Any, future: Any) -> None:
        """Refuse the result of ``future``, which a worker ran with the code of digest
        ``code`` (None: a worker of older code, which sends none), unless it is this
        process's.

        The workers there at the start were compared (:func:`refuse_other_code`), not
        one that joined later or was restarted from changed files: its runs were another
        model's, under this process's manifest (decisions 1003 and 1053).

        Raises:
            OtherCode: the worker's code is other; its result is left out (the caller
                says what it keeps).
        """
        if code == self.code:
            return
        try:
            holders = self.client.who_has(future).get(future.key) or ()
        except Exception:  # naming the worker is a courtesy: the refusal is what counts
            holders = ()
        worker = f" ({', '.join(map(str, holders))})" if holders else ""
        raise OtherCode(
            f"--address {self.address}: a worker that joined the Dask scheduler after the "
            f"start{worker} runs other credsim code than this command, and its work is "
            "left out: stop that worker, or start it from this checkout"
        )

    def _say(self, text: str) -> None:
        from sim.sweep.progress import ERASE, redraws

        stream = self.stream or sys.stderr
        # Over the progress line, which the next finished run draws again.
        stream.write(f"{ERASE if redraws(stream) else ''}credsim: note: {text}\n")
        stream.flush()


def dask_wait(
    futures: list[Any],
    return_when: str = "ALL_COMPLETED",
    waiting: Callable[[], None] | None = None,
) -> Any:
    """``distributed.wait(futures, return_when=...)`` in held waits of at most ``_TAKE_S``
    (as :func:`dask_done`): the client waits in Python, on locks its event loop thread
    takes to hand the result over (decision 795). ``waiting``, if given, is called after
    each wait that timed out (a :class:`WorkerWatch`)."""
    from distributed import wait

    while True:
        with interrupts_held():
            try:
                return wait(futures, timeout=_TAKE_S, return_when=return_when)
            except TimeoutError:
                pass
        if waiting is not None:
            waiting()


def submitted(pool: cf.ProcessPoolExecutor, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
    """``pool.submit(fn, *args)`` with Ctrl-C (SIGTERM, SIGHUP) held: it takes the pool's
    locks (see :func:`first_done`)."""
    with interrupts_held():
        return pool.submit(fn, *args)


def outcome(future: cf.Future[Any], watch: Callable[[], None] | None = None) -> Any:
    """``future.result()``, waited for as :func:`first_done` waits."""
    first_done([future], watch)
    with interrupts_held():
        return future.result()


# A run whose tables hold more rows than this (a per-actor table of some 200,000 states
# a step, or 2,000 over 100 steps) is a large result: see in_flight.
LARGE_RESULT_ROWS = 200_000


def in_flight(workers: int, results: Sequence[RunResult]) -> int:
    """How many batches may be handed out ahead, after ``results`` came back.

    Batches beyond one a worker keep the workers busy while the parent commits. The
    parent also holds their results as they arrive (the pool's thread unpickles them), so
    with per-actor tables of millions of rows a run, eight batches in flight held 6 to 7
    GB in the parent of a 20,000-state sweep (an outside check at scale, decision 824).
    Once a run of such size is seen, one batch a worker is handed out at a time.
    """
    rows = max(
        (sum(len(t) for t in (r.series, r.actors) if t is not None) for r in results), default=0
    )
    return workers if rows > LARGE_RESULT_ROWS else workers * _IN_FLIGHT


def _batch_size(n_tasks: int, workers: int) -> int:
    # Small enough that every worker gets several batches (load balance, steady progress),
    # large enough to amortise the round trip.
    return max(1, min(_MAX_BATCH, n_tasks // (workers * 8)))


def _sim_digest_on_worker() -> str:
    """SHA-256 of the sim package's Python files (their paths and bytes) where it runs.
    A Dask worker of another checkout whose sim package lacks this function answers with
    the error of unpickling it, which differs from any digest as well."""
    from sim import provenance

    return provenance.code_digest()


@dataclass(frozen=True, slots=True)
class Coded:
    """A calibration's Dask task's value with the digest of the sim package that made it,
    held against the calibration's own by :func:`uncoded` (decision 1053)."""

    code: str
    value: Any

    @classmethod
    def here(cls, value: Any) -> Coded:
        """``value`` with this process's code."""
        return cls(_sim_digest_on_worker(), value)


def uncoded(returned: Any, future: Any, watch: WorkerWatch | None) -> Any:
    """The value of a Dask task that returned ``returned`` (a :class:`Coded`; a worker of
    older code returns the bare value, whose code is then unknown), refused through
    ``watch`` (:meth:`WorkerWatch.same_code`) when it was made by other code; taken, it
    tells ``watch`` that a worker ran (:meth:`WorkerWatch.ran`).

    Raises:
        OtherCode: ``watch`` is given and the worker's code is other.
    """
    code, value = (
        (returned.code, returned.value) if isinstance(returned, Coded) else (None, returned)
    )
    if watch is not None:
        watch.same_code(code, future)
        watch.ran()
    return value


def refuse_other_code(client: Any, address: str) -> None:
    """Refuse a scheduler whose workers import other credsim code than this process.

    Workers started from another checkout (a `git pull` on some nodes, not others) ran
    their own model: one such worker made every run of a sweep 0.001 apart from this
    code's, a pool of both mixed the two within one sweep, and the manifest named this
    process's commit (an outside check; decision 997). Checked on the workers there when
    the sweep or calibration starts (decision 1003); a worker that joins later, on what
    it sends back (:meth:`WorkerWatch.same_code`, decision 1053).
    """
    digest = _sim_digest_on_worker()
    theirs = client.run(_sim_digest_on_worker, on_error="return")
    other = sorted(str(w) for w, d in theirs.items() if d != digest)
    if other:
        shown = ", ".join(other[:3]) + (f" and {len(other) - 3} more" if len(other) > 3 else "")
        raise InputError(
            f"--address {address}: {len(other)} of {len(theirs)} workers run other "
            f"credsim code than this command ({shown}); their runs would be another "
            "model's: start the workers from the same checkout (its sim package) as "
            "this command"
        )


def check_workers_code(address: str) -> None:
    """:func:`refuse_other_code` of the scheduler at ``address`` (reachable: see
    :func:`check_address`), for a command that connects to it later, after it has
    written its folder (a calibration's sampler)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError(
            "--executor dask needs dask.distributed: pip install 'credsim[dask]'"
        ) from None
    try:
        client = Client(address, timeout=10)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        refuse_other_code(client, address)
    finally:
        client.close()


class DaskExecutor(_Executor):
    """Runs on ``dask.distributed``: an existing scheduler at ``address``, else a LocalCluster.

    Runs go in batches, as with processes: a Dask task per run costs about as
    much scheduling as the run itself on a small machine (36 against 62 runs/s
    on 2 cores, Syria). A batch's key is ``("credsim-runs", run_id, ...)``: its
    run ids, never Dask's content hash, which would merge replicates
    (``pure=False`` as well). The base scenarios reach every worker once
    through a worker plugin, which Dask also gives to workers that join later
    (a restarted one included). Dask redoes the tasks of a worker that dies;
    a batch that still fails (``KilledWorker``) has its runs redone one at a
    time with nothing else in flight, so only a run that kills its worker by
    itself is recorded as failed.
    """

    client: Any = None
    cluster: Any = None
    # Gives distributed's client log back its level, once a scheduler at an address is left.
    _quieted: Callable[[], None] | None = None

    def __init__(
        self,
        scenarios: dict[str, Scenario],
        run_fn: RunFunction | None = None,
        workers: int = 2,
        address: str | None = None,
    ) -> None:
        super().__init__(scenarios, run_fn, workers)
        self.address = address

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                "--executor dask needs dask.distributed: pip install 'credsim[dask]'"
            ) from None

        if self.address:
            self.client = Client(self.address, timeout=_DASK_CONNECT_TIMEOUT * 2)
            # The client logs its attempts to reach a scheduler gone mid-way, with their
            # tracebacks, at ERROR: the sweep says it in one line (decision 764).
            self._quieted = quiet_client_log()
        else:
            # Its worker processes start with Ctrl-C ignored: each printed a traceback of
            # thirty lines before this process's one (decision 639).
            with ctrl_c_left_to_this_process():
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    scheduler_kwargs=NO_DASHBOARD,
                    # The scheduler runs in this process, and logs at ERROR what this
                    # executor handles and records (a lost batch redone, a run that kills
                    # its worker recorded as failed): eight lines of log for one failed
                    # run otherwise.
                    silence_logs=logging.CRITICAL,
                )
            self.client = Client(self.cluster)
        if self.address:
            self._same_code()
        self.client.register_plugin(_scenario_plugin(self.scenarios))
        return self

    def _same_code(self) -> None:
        """Refuse a scheduler whose workers import other credsim code than this process
        (:func:`refuse_other_code`), its client closed first."""
        try:
            refuse_other_code(self.client, str(self.address))
        except InputError:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        if self._quieted is not None:
            self._quieted()
            self._quieted = None

    def results(self, tasks: Sequence[RunTask]) -> Iterator[RunResult]:
        """Submit the first batches now; the iterator yields the results (as processes do)."""
        from distributed import as_completed

        n_workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) or self.workers
        queue = _batches(tasks, _batch_size(len(tasks), n_workers), n_workers)
        limit = n_workers * _IN_FLIGHT
        owner: dict[Any, tuple[Any, list[RunTask]]] = {}  # key -> (future, its runs), while owed
        completed = as_completed()

        def submit(blocks: list[list[RunTask]]) -> None:
            if not blocks:
                return
            keys = [(_DASK_KEY, *(t.run_id for t in block)) for block in blocks]
            # One graph update for many batches: fewer messages than a submit each. Held,
            # as the process pool's submits are: the client and the collection take locks.
            with interrupts_held():
                futures = self.client.map(
                    run_batch, blocks, run_fn=self.run_fn, key=keys, pure=False
                )
                for block, future in zip(blocks, futures, strict=True):
                    owner[future.key] = (future, block)
                completed.update(futures)

        suspects: deque[RunTask] = deque()
        alone: set[Any] = set()

        # A scheduler of the user's may lose every worker; a LocalCluster's nannies restart
        # its own.
        watch = WorkerWatch(self.client, self.address) if self.address else None

        def collect() -> Iterator[RunResult]:
            with scheduler_answers(self.client, self.address, SchedulerLost):
                try:
                    yield from taken()
                except OtherCode as exc:  # a worker that joined later (decision 1053)
                    raise OtherCode(
                        f"{exc}; the finished runs are kept, and the same command goes on "
                        "from there"
                    ) from None

        def taken() -> Iterator[RunResult]:
            while owner or suspects:
                if suspects and not owner:
                    # Nothing else in flight: if this run's worker dies, the run killed it.
                    submit([[suspects.popleft()]])
                    alone.add(next(iter(owner)))
                try:
                    batch = dask_done(completed, watch)
                except StopIteration:
                    # as_completed no longer tracks futures still owed (seen once, in CI,
                    # after a worker died): wait on them again rather than end the sweep.
                    completed.update([future for future, _ in owner.values()])
                    continue
                # A future may come back twice, in one batch or two (told again of futures
                # it still had, as just above; seen once in CI as a KeyError): each owed
                # batch is taken once, and what is no longer owed is passed over.
                batch = [f for f in {f.key: f for f in batch}.values() if f.key in owner]
                # A status is read once: a finished future whose worker then dies turns
                # "lost" (an audit's killed worker), and must not be taken a second time.
                finished = [f for f in batch if f.status == "finished"]
                if watch is not None and finished:
                    watch.ran()
                taken = {f.key for f in finished}
                unfinished = [f for f in batch if f.key not in taken]
                # One gather for a batch of finished tasks instead of a round trip each.
                for future, results in zip(finished, self.client.gather(finished), strict=True):
                    if watch is not None:
                        watch.same_code(getattr(results[0], "code", None), future)
                    owner.pop(future.key)
                    yield from map(self._counted, results)
                for future in unfinished:
                    _, block = owner.pop(future.key)
                    if future.key in alone:
                        yield failed_result(block[0], _describe(future.exception()))
                    else:  # lost with a dying worker, perhaps not its own fault: redo alone
                        suspects.extend(block)
                for future in batch:
                    future.release()
                if not suspects:
                    submit(list(itertools.islice(queue, max(0, limit - len(owner)))))

        submit(list(itertools.islice(queue, limit)))
        return collect()


class SchedulerLost(WorkersFailed):
    """A sweep's Dask scheduler stopped answering: the finished runs are kept."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"{text}; the finished runs are kept, and the same command goes on from there "
            "once a scheduler answers"
        )


# The client's logs, and its batched stream's: when the scheduler dies while the stream
# sends, it logs "Batched Comm Closed" with a traceback at INFO (a CI run, decision 939).
CLIENT_LOGS = ("distributed.client", "distributed.batched")


def quiet_client_log() -> Callable[[], None]:
    """Raise distributed's client logs (:data:`CLIENT_LOGS`) to CRITICAL; returns what
    gives their levels back."""
    logs = [logging.getLogger(name) for name in CLIENT_LOGS]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.CRITICAL)

    def restore() -> None:
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)

    return restore


def scheduler_lost_text(address: str | None) -> str:
    """That a Dask scheduler stopped answering mid-way (stopped, or its machine out of
    reach), for a sweep's or a calibration's one line (decision 764). The client's own
    words name its connection objects, not the scheduler."""
    where = f"at {address} " if address else ""
    return f"the Dask scheduler {where}stopped answering (stopped, or out of reach)"


@contextlib.contextmanager
def scheduler_answers(client: Any, address: str | None, lost: type[Exception]) -> Iterator[None]:
    """Turn the errors of a Dask client whose scheduler is gone into ``lost`` (a
    :class:`WorkersFailed`), with :func:`scheduler_lost_text`: a connection that closes
    or times out (an ``OSError``), or any error once the client has closed itself. A
    connection error while the scheduler still takes connections is a worker's, and
    ``lost`` says so instead (decision 775)."""
    try:
        yield
    except Exception as exc:
        if isinstance(exc, OSError) and scheduler_listens(client):
            raise lost(
                f"a connection within the Dask cluster failed while its scheduler answered "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if isinstance(exc, OSError) or getattr(client, "status", None) in ("closing", "closed"):
            raise lost(scheduler_lost_text(address)) from None
        raise


def scheduler_listens(client: Any) -> bool:
    """Whether a Dask client's scheduler still takes connections at its address: a
    connection error while it does is a worker's (one dying under a scatter), not the
    scheduler's (decision 775). A client that closed itself, or an address that is not
    a host and port (``inproc://``), counts as a scheduler that does not.

    It asks twice, :data:`_SETTLE_S` apart: a scheduler killed a moment before still
    took the first connection while its process was torn down, and a sweep whose
    scheduler was killed said "a connection within the Dask cluster failed while its
    scheduler answered" (a fresh-clone CI run, decision 779)."""
    if getattr(client, "status", None) in ("closing", "closed"):
        return False
    from distributed.comm import get_address_host_port

    try:
        host, port = get_address_host_port(client.scheduler.address)
        for pause in (0.0, _SETTLE_S):
            time.sleep(pause)
            socket.create_connection((host, port), timeout=_LISTENS_S).close()
    except (OSError, ValueError, AttributeError):
        return False
    return True


# How long scheduler_listens waits for the scheduler to take a connection, and between
# its two tries.
_LISTENS_S = 5.0
_SETTLE_S = 0.5


def _scenario_plugin(scenarios: dict[str, Scenario]) -> Any:
    """A Dask worker plugin that installs the base scenarios in each worker process.

    Built on demand so that importing this module does not need ``distributed``.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class ScenarioPlugin(WorkerPlugin):  # type: ignore[misc]
        # One name per set of scenarios: a long-lived cluster can serve several sweeps.
        name = "credsim-scenarios-" + "-".join(sorted(h[:8] for h in scenarios))

        def setup(self, worker: Any) -> None:
            init_worker(scenarios)
            # Its batches carry their code (decision 1053). This class goes to the worker
            # by value: the flag is set in the worker's own module, by name. A worker of
            # older code never reads it, sends no digest, and is refused for it.
            import sim.sweep.executors as here

            here._TELL_CODE = True

    return ScenarioPlugin()


def make_executor(
    kind: str,
    scenarios: dict[str, Scenario],
    *,
    workers: int,
    address: str | None = None,
    run_fn: RunFunction | None = None,
) -> Executor:
    """The executor named ``kind`` (``serial``, ``process`` or ``dask``)."""
    if kind == "serial":
        return SerialExecutor(scenarios, run_fn)
    if kind == "process":
        return ProcessExecutor(scenarios, run_fn, workers)
    if kind == "dask":
        return DaskExecutor(scenarios, run_fn, workers, address)
    raise ValueError(f"unknown executor '{kind}'; allowed: {', '.join(EXECUTORS)}")


# Local workers per core that a command starts at most (and never fewer than MIN_CAP).
WORKERS_PER_CORE = 4
MIN_CAP = 8


def check_workers(workers: int, address: str | None = None) -> None:
    """Refuse a worker count that this machine cannot start usefully.

    Without ``address`` every worker is a process started here: ``--workers
    100000`` started processes until the machine stalled (decision 538). More
    than :data:`WORKERS_PER_CORE` per core only crowd the cores and the
    memory. A Dask scheduler's cluster brings its own workers.

    Raises:
        InputError: fewer than 1, or more than the cap without ``address``.
    """
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
        raise InputError(f"--workers must be a whole number, got {workers!r}")
    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {number_text(workers)}")
    cores = default_workers()
    cap = max(MIN_CAP, WORKERS_PER_CORE * cores)
    if address is None and workers > cap:
        raise InputError(
            f"--workers {number_text(workers)} is more than this machine can use: it has "
            f"{cores} core(s), and at most {cap} local workers are started ({WORKERS_PER_CORE} "
            "a core); a larger cluster's workers come with --executor dask --address"
        )
