"""pyabc samplers whose particles the calibration seed fixes, whatever the workers.

pyabc's parallel samplers reseed each worker from the operating system and
keep the particles that finish first (or the first by a counter shared by
the workers), so two runs with the same seed differ. Here every evaluation
of a generation has an index ``i`` (0, 1, 2, ...) and is made with numpy's
and Python's global generators seeded from ``SeedSequence(seed,
spawn_key=(STREAM, t + 1, i))``: the proposal it draws, and so its
simulation (itself seeded by its parameter values), depends on ``i`` alone.
The generation's sample is the shortest run of indices from 0 that holds
``n`` accepted particles, in index order; evaluations past it (made by
workers that ran ahead) are dropped and not counted. The sample, its count
of simulations and so the whole calibration are then the same on one
worker, on several processes and on Dask, in any order of completion
(docs/decisions.md, item 357).

This is pyabc's own rule for the Dask and Redis samplers (the first ``n``
accepted by job index, to avoid a bias towards fast simulations) with the
seeds made deterministic; pyabc has no sampler that does it, and its
samplers reseed inside functions that cannot be replaced, so the sampling
loops are written here.

The worker processes come from the sweep's fork server
(:func:`sim.calibrate.smc.worker_context`), not from this process (decision
760): forking the calibration, which runs numba's, Dask's and a
process pool's threads by then, can deadlock the child (Python 3.12 warns of
it). A worker then receives each generation's ``simulate_one`` pickled (with
cloudpickle), and the workers are started once and kept for the whole
calibration, its posterior predictive draws included: a worker started from
the server imports pyabc and the problem's modules as it first unpickles its
work, seconds that a new set of workers each generation paid each generation
(decision 714). Each worker is given the problem once, as it starts; the work
sent after names it (pickle's persistent ids) instead of carrying it, since
with the vote data it is 36 MB, sent to every worker every generation. The
evaluations are the same wherever they are made, so the results are the same
as the forked workers' to the bit.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import io
import itertools
import os
import pickle
import queue
import random
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from ctypes import c_longlong
from dataclasses import dataclass, field
from typing import Any

import cloudpickle
import numpy as np
from jabbar import jabbar
from pyabc.sampler import DaskDistributedSampler, MulticoreEvalParallelSampler

from sim.calibrate.smc import Simulator, worker_context
from sim.errors import WorkersDied, WorkersFailed, count_text
from sim.fileio import interrupts_held
from sim.forkserver import die_with_parent
from sim.sweep.executors import (
    WORKER_LOST,
    Coded,
    WorkerWatch,
    dask_wait,
    first_done,
    outcome,
    pool_watch,
    queue_watch,
    scheduler_answers,
    scheduler_listens,
    shut_down,
    submitted,
    uncoded,
)

# The first spawn-key entry of the evaluations' seeds: the generation reseeds
# (sim.calibrate.smc._reseed) use keys of one or two entries, never three.
STREAM = 1
_DONE = "done"
# Dask tasks in flight per worker core.
_IN_FLIGHT = 4
# The accepted count that stops every worker after its evaluation at hand (a calibration
# that ends in an error or Ctrl-C in the middle of a generation).
_STOP = 2**62
# Seconds the parent waits for a worker's message before it looks whether one died.
_POLL_S = 0.1
# How many times a generation's work, or the predictive draws, start again on new worker
# processes after one died, before the calibration gives up (decision 763).
_RESTARTS = 2


def _generation_text(t: int) -> str:
    """A generation as the progress lines name it (``t`` -1: pyabc's first sample)."""
    return "the sample before generation 0" if t < 0 else f"generation {t}"


def seed_evaluation(seed: int, t: int, i: int) -> None:
    """Seed numpy's and Python's global generators for evaluation ``i`` of generation ``t``.

    ``t`` is -1 for pyabc's calibration sample before the first generation.
    """
    state = int(np.random.SeedSequence(seed, spawn_key=(STREAM, t + 1, i)).generate_state(1)[0])
    np.random.seed(state)  # noqa: NPY002 - pyabc draws its proposals from the global generator
    random.seed(state)


@contextmanager
def _global_generators_kept() -> Iterator[None]:
    """Put numpy's and Python's global generators back as they were.

    Evaluations in this process reseed them; evaluations in worker processes
    leave the parent's alone. Restoring them keeps the two the same.
    """
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002
        random.setstate(python_state)


def _sample(sampler: Any, evaluations: Mapping[int, Any], n: int, limit: float) -> Any:
    """The sample of the first evaluations, in index order, up to the ``n``-th accepted.

    Every index below the ``n``-th accepted one must be in ``evaluations``
    (or every index below ``limit``, when there are fewer than ``n``
    accepted there); None stands for a rejected particle that was not sent
    back, since the sample would not keep it. Sets ``nr_evaluations_`` to
    the evaluations taken.
    """
    sample = sampler._create_empty_sample()
    i = 0
    while i < limit and i in evaluations and sample.n_accepted < n:
        if evaluations[i] is not None:
            sample.append(evaluations[i])
        i += 1
    sampler.nr_evaluations_ = i
    if sample.n_accepted < n:
        sample.ok = False
    return sample


# This worker's share of the calibration: the queue it sends evaluations on, and the
# counters of claimed and accepted evaluations (multiprocessing's Queue and Value can
# reach a process only as it starts, so they come with it, not with each task).
_SHARED: tuple[Any, Any, Any] | None = None
# The objects this worker was given as it started (the problems), by the names the work
# sent to it uses for them (:class:`_Pickler`).
_HELD: dict[str, Any] = {}


class _Pickler(cloudpickle.Pickler):
    """cloudpickle, naming the objects of ``held`` (by id: name and object) instead of
    pickling them again. With ``grow``, the problem of each simulator it meets is added
    to ``held`` first, and so named too: what the workers are given as they start
    (:meth:`Workers.dumps`)."""

    def __init__(self, file: Any, held: dict[int, tuple[str, Any]], grow: bool) -> None:
        super().__init__(file)
        self.held = held
        self.grow = grow

    def persistent_id(self, obj: Any) -> str | None:
        if self.grow and isinstance(obj, Simulator):
            self.held.setdefault(id(obj.problem), (f"held-{len(self.held)}", obj.problem))
        entry = self.held.get(id(obj))
        return entry[0] if entry is not None and entry[1] is obj else None


class _Unpickler(pickle.Unpickler):
    """pickle's, with the names of :class:`_Pickler` taken from :data:`_HELD`."""

    def persistent_load(self, pid: Any) -> Any:
        return _HELD[pid]


def _loads(payload: bytes) -> Any:
    return _Unpickler(io.BytesIO(payload)).load()


def _start_worker(results: Any, n_eval: Any, n_acc: Any, held: bytes) -> None:
    """A worker process as it starts: it dies with the calibration, and keeps what it
    shares and the objects it is given (``held``: pickled names and objects).

    pyabc's workers outlived a calibration killed with SIGKILL, blocked for good on a
    queue that nobody read; its parent is the fork server, which dies with the
    calibration (:mod:`sim.sweep.forkserver_preload`).
    """
    global _SHARED
    die_with_parent()
    _SHARED = (results, n_eval, n_acc)
    _HELD.update(cloudpickle.loads(held))


def _work(payload: bytes, n: int, limit: float, seed: int, t: int, record_rejected: bool) -> None:
    """A worker's task for one generation: claim the next index and evaluate it with
    ``simulate_one`` (pickled in ``payload``), until ``n`` are accepted.

    It sends the accepted particles, and the rejected ones only when the
    sample records them (pyabc's sample factory): one message per accepted
    particle, as in pyabc's multicore sampler, then ``_DONE``.
    """
    assert _SHARED is not None, "a task before its worker started"
    results, n_eval, n_acc = _SHARED
    simulate_one = _loads(payload)
    while n_acc.value < n:
        with n_eval.get_lock():
            i = n_eval.value
            n_eval.value += 1
        if i >= limit:
            break
        seed_evaluation(seed, t, i)
        evaluation = simulate_one()
        if evaluation.accepted:
            with n_acc.get_lock():
                n_acc.value += 1
        if evaluation.accepted or record_rejected:
            results.put((i, evaluation))
    results.put(_DONE)


@dataclass(frozen=True)
class _Generation:
    """What a sampler is asked for one generation (pyabc's arguments), and the bar's step.

    Attributes:
        n: accepted particles wanted.
        simulate_one: pyabc's function: draw one proposal, simulate it, accept or not.
        t: the generation (-1 for the calibration sample before the first).
        max_eval: pyabc's limit on evaluations.
        accepted: to call for each accepted particle received.
    """

    n: int
    simulate_one: Callable[[], Any]
    t: int
    max_eval: float
    accepted: Callable[[], None]


class _Seeded:
    """pyabc's sampling call, for samplers whose evaluations are seeded by their index.

    A subclass's ``_evaluate`` returns the evaluations by index, every index
    below the ``n``-th accepted present (or every one below the limit), and
    the limit it kept to; it calls ``accepted`` for each accepted particle it
    receives, which moves pyabc's bar of accepted particles (shown, on the
    standard error, when pyabc's ``show_progress`` is set).
    """

    seed: int
    show_progress: bool

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        del all_accepted, ana_vars  # simulate_one accepts every particle when all_accepted
        with jabbar(total=n, enable=self.show_progress, keep=False, file=sys.stderr) as bar:
            shown = 0

            def accepted() -> None:
                nonlocal shown
                if shown < n:  # workers that ran ahead may send more
                    bar.inc()
                    shown += 1

            job = _Generation(n, simulate_one, t, max_eval, accepted)
            evaluations, limit = self._evaluate(job)
        return _sample(self, evaluations, n, limit)

    def _evaluate(self, job: _Generation) -> tuple[dict[int, Any], float]:
        raise NotImplementedError


def _apply_chunk(payload: bytes) -> list[Any]:
    """A worker's task of :func:`chunked_map`: ``fn`` over a chunk of jobs, both pickled."""
    fn, jobs = _loads(payload)
    return [fn(job) for job in jobs]


def _dumps(obj: Any, held: dict[int, tuple[str, Any]], grow: bool) -> bytes:
    """``obj`` pickled with :class:`_Pickler`."""
    file = io.BytesIO()
    _Pickler(file, held, grow).dump(obj)
    return file.getvalue()


class _Reader(threading.Thread):
    """Reads the workers' messages off their queue into ``items``, until :meth:`stop`.

    A thread, not the calibration itself, so that a worker killed as it sends a message
    (a signal to the whole process group; the kernel, out of memory) cannot leave the
    calibration waiting for the rest for ever, as it did (decision 834): the thread is
    then the one waiting, and :func:`sim.sweep.executors.queue_watch` completes the
    message with bytes that do not unpickle. The thread then ends with that error in
    ``error``, and the calibration takes the generation as one whose worker died.
    """

    def __init__(self, results: Any) -> None:
        super().__init__(name="credsim-calibration-reader", daemon=True)
        self.results = results
        self.items: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                with suppress(queue.Empty):
                    self.items.put(self.results.get(timeout=_POLL_S))
        except BaseException as exc:  # a message that did not unpickle
            self.error = exc

    def stop(self) -> None:
        """End the thread after the read at hand (at most :data:`_POLL_S`, or a watch's
        completion of a message a dead worker left half-sent)."""
        self._stopping.set()


@dataclass
class Workers:
    """The calibration's worker processes, from the fork server, kept until :meth:`close`.

    They start with the first work sent to them (:meth:`start`, :meth:`map`), each
    given the queue it sends evaluations on, the generation's two counters and the
    objects of ``held`` (:func:`_start_worker`): the problems met in pickling that
    work, which it and all the work after name instead of carrying them
    (:meth:`dumps`). ``running`` holds the tasks of the generation at hand, ``done``
    how many of them have said ``_DONE``.

    Args:
        count: worker processes.
    """

    count: int
    held: dict[int, tuple[str, Any]] = field(init=False, default_factory=dict)
    pool: cf.ProcessPoolExecutor | None = field(init=False, default=None)
    results: Any = field(init=False)
    n_eval: Any = field(init=False)
    n_acc: Any = field(init=False)
    running: list[cf.Future[None]] = field(init=False, default_factory=list)
    done: int = field(init=False, default=0)
    reader: _Reader | None = field(init=False, default=None)
    watches: tuple[Callable[[], None], ...] = field(init=False, default=())

    def _started(self) -> cf.ProcessPoolExecutor:
        """The pool, its workers started now if they are not yet, given ``held``."""
        if self.pool is None:
            given = cloudpickle.dumps(dict(self.held.values()))
            # The queue and counters must come from the workers' own context.
            context = worker_context()
            self.results = context.Queue()
            self.n_eval = context.Value(c_longlong)
            self.n_acc = context.Value(c_longlong)
            self.pool = cf.ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.results, self.n_eval, self.n_acc, given),
            )
            self.reader = _Reader(self.results)
            self.reader.start()
            self.watches = (
                pool_watch(self.pool),
                queue_watch(self.reader, self.results, self.pool),
            )
        return self.pool

    def _watch(self) -> None:
        """Unstick the pool's reader, or the queue's, that a dead worker left waiting."""
        for watch in self.watches:
            watch()

    def hold(self, obj: Any) -> None:
        """Give ``obj`` (a problem) to the workers as they start, as the problems met in
        pickling the first work are: work that holds it names it instead of carrying it."""
        if self.pool is None:
            self.held.setdefault(id(obj), (f"held-{len(self.held)}", obj))

    def begin(self, message: str) -> None:
        """Start the workers now, and wait until one of them has started.

        The calibration's check that its workers can start at all (decision 760) is made
        with the workers it then keeps, so that they import the user's script, and with
        it pyabc, once, and the others start while the calibration sets up (decision 770).

        Raises:
            WorkersFailed: ``message``, when they die as they start (a script without a
                main guard).
        """
        pool = self._started()
        try:
            # A task each, so that every worker starts now (one is started a task, while
            # none is idle); the first to answer shows that they can. A worker that dies
            # at once breaks the pool, or the pipe its start data (the problem) go down.
            started = [submitted(pool, os.getpid) for _ in range(self.count)]
            outcome(next(iter(first_done(started, self._watch))))
        except WORKER_LOST:
            self.close()
            raise WorkersFailed(message) from None

    def dumps(self, obj: Any) -> bytes:
        """``obj`` pickled for the workers, naming the objects they hold; before they
        start, the problems it holds become theirs, found and named in the same pass
        (the first work was pickled whole to find them, then again naming them)."""
        return _dumps(obj, self.held, grow=self.pool is None)

    def start(self, args: tuple[Any, ...]) -> None:
        """Start a generation: one :func:`_work` task per worker, the counters at 0."""
        pool = self._started()
        self.n_eval.value = 0
        self.n_acc.value = 0
        self.done = 0
        self.running = [submitted(pool, _work, *args) for _ in range(self.count)]

    def receive(self) -> Any:
        """The next message of the generation's tasks.

        Raises:
            Exception: a task's own error, or BrokenProcessPool when a worker died.
        """
        assert self.reader is not None, "a message asked for before the workers started"
        while True:
            try:
                # Ctrl-C held while a message is taken (sim.sweep.executors.first_done).
                with interrupts_held():
                    item = self.reader.items.get(timeout=_POLL_S)
            except queue.Empty:
                for task in self.running:
                    if task.done():
                        outcome(task)  # raises what ended it, if anything did
                if self.reader.error is not None:
                    raise BrokenProcessPool(
                        "a worker died as it sent a message (it did not unpickle: "
                        f"{self.reader.error!r})"
                    ) from None
                self._watch()
                continue
            self.done += item == _DONE
            return item

    def finish(self) -> None:
        """End the generation once every task has said ``_DONE`` (so the queue is empty)."""
        for task in self.running:
            outcome(task, self._watch)
        self.running = []

    def map(
        self,
        fn: Callable[[Any], Any],
        jobs: Sequence[Any],
        what: str = "the posterior predictive draws",
    ) -> Iterator[Any]:
        """``fn`` over ``jobs`` in order, in chunks pickled as a generation's work is
        (:func:`chunked_map`), a job's problem named if the workers hold it.

        A worker that dies breaks the pool: the jobs not yet given back are done again on
        new workers (:meth:`restart`), so the results are those of a run where none died.

        Raises:
            WorkersDied: the workers died more than ``_RESTARTS`` times over ``what``.
        """
        done = died = 0
        while True:
            rest = jobs[done:]
            if self.pool is None:
                self.dumps((fn, rest))  # the problems of the jobs become the workers'
            try:
                pool = self._started()
                for result in chunked_map(pool, fn, rest, self.count, self.dumps, self._watch):
                    done += 1
                    yield result
                return
            except BrokenProcessPool:
                died += 1
                self.restart(died, what)

    def restart(self, died: int, what: str) -> None:
        """After a worker died (``died`` times over ``what``): end the broken pool, and say
        so; the next work starts new workers, given the same problems.

        Every evaluation and predictive draw is seeded by its index, so work done again
        gives what it gave the first time: a lost worker costs time only, as on Dask.

        Raises:
            WorkersDied: ``died`` is past ``_RESTARTS`` (a run that kills its worker
                each time, or a machine out of memory).
        """
        self.close()
        if died > _RESTARTS:
            raise WorkersDied(
                f"a calibration worker process died {count_text(died, 'time')} in {what} "
                "(killed, or out of memory), its work started again on new workers each "
                "time but the last"
            )
        print(
            f"credsim: note: a calibration worker process died in {what} (killed, or out of "
            "memory); its work is done again on new workers, with the same seeds, so the "
            "results do not change",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        """Stop the workers: a generation left in the middle (an error, Ctrl-C) ends after
        each worker's evaluation at hand, its messages read so that no worker is left
        waiting on a full pipe; a pool broken by a dead worker has ended its workers."""
        if self.pool is None:
            return
        assert self.reader is not None
        if self.running:
            self._tell_to_stop()
            while not self._stopped():
                with suppress(queue.Empty), interrupts_held():
                    self.done += self.reader.items.get(timeout=_POLL_S) == _DONE
                self._watch()
        self.running = []
        self._watch()  # the queue's watch sees the workers before the pool lets them go
        # As a sweep's pool: a worker killed as it sent a task's result leaves the pool's
        # reader waiting for the rest, which shut_down sees and ends (decision 827).
        shut_down(self.pool)
        # Its workers are gone: nothing more comes on the queue, and a message a dead one
        # left half-sent has been completed by the watch above, or is now.
        self.reader.stop()
        while self.reader.is_alive():
            self.reader.join(_POLL_S)
            self._watch()
        # The parent's end closed, the last (the workers' went with them): a watch's
        # thread still feeding a full pipe gets an error and ends.
        self.results._reader.close()
        self.pool = self.reader = None
        self.watches = ()

    def _tell_to_stop(self) -> None:
        """Set the accepted count to ``_STOP``, which ends each of the generation's tasks
        after its evaluation at hand.

        The count's lock is waited for in steps. A worker killed while it held the lock
        holds it for ever: its thread sending an evaluation, killed half-way, takes the
        whole process down while its main thread is counting one, and the calibration
        waited on that lock for ever (a CI run, decision 1047). That death breaks the
        pool, which ends the other workers itself: once every task has ended, nothing is
        left to tell. Signals are held while the lock is held, so that Ctrl-C cannot
        leave it held by the calibration, with the workers waiting on it.
        """
        lock = self.n_acc.get_lock()
        while True:
            with interrupts_held():
                if lock.acquire(timeout=_POLL_S):
                    try:
                        self.n_acc.get_obj().value = _STOP
                    finally:
                        lock.release()
                    return
            if all(task.done() for task in self.running):
                return
            self._watch()

    def _stopped(self) -> bool:
        """Every task of the generation has ended, and said ``_DONE`` if it returned."""
        if not all(task.done() for task in self.running):
            return False
        errors = [task.exception() for task in self.running]
        if any(isinstance(error, BrokenProcessPool) for error in errors):
            return True
        return self.done >= sum(error is None for error in errors)


def chunked_map(
    pool: cf.ProcessPoolExecutor,
    fn: Callable[[Any], Any],
    jobs: Sequence[Any],
    workers: int,
    dumps: Callable[[Any], bytes] = cloudpickle.dumps,
    watch: Callable[[], None] | None = None,
) -> Iterator[Any]:
    """``fn`` over ``jobs`` in order on ``pool``: a few chunks a worker, at most one more
    in flight than workers; ``watch`` as :func:`sim.sweep.executors.first_done`'s.

    Each chunk goes pickled with ``dumps`` (cloudpickle), as a generation's work does:
    ``fn`` or a job's problem may be defined in a notebook's ``__main__``, which the
    workers of a fork server do not have.
    """
    size = max(1, len(jobs) // (4 * workers))
    pending: deque[cf.Future[list[Any]]] = deque()
    for start in range(0, len(jobs), size):
        payload = dumps((fn, jobs[start : start + size]))
        pending.append(submitted(pool, _apply_chunk, payload))
        if len(pending) > workers:
            yield from outcome(pending.popleft(), watch)
    while pending:
        yield from outcome(pending.popleft(), watch)


class SeededMulticoreSampler(_Seeded, MulticoreEvalParallelSampler):
    """pyabc's multicore sampler with every evaluation seeded by its index (module docstring).

    One worker evaluates in this process, with the same seeds, so it gives
    what any number of worker processes gives. Several are started from the
    fork server when first needed and kept until :meth:`close` (module
    docstring): ``pickle`` is set, so a generation's ``simulate_one`` goes to
    them pickled (pyabc pickles it only on macOS, where it spawns).
    ``max_eval`` stops the sampling only with ``check_max_eval``, as in pyabc; it is
    set, so that a generation takes at most the calibration's whole budget (pyabc's
    ``max_eval`` is the population over ``min_acceptance_rate``; decision 939): a
    generation of 22,536 simulations under a budget of 2,000 went on for minutes.

    Args:
        seed: the calibration seed.
        n_procs: worker processes.
        workers: its worker processes, started already (:meth:`Workers.begin`), if any.
    """

    def __init__(self, seed: int, n_procs: int, workers: Workers | None = None) -> None:
        super().__init__(n_procs=n_procs, pickle=True, check_max_eval=True)
        self.seed = seed
        self._workers = workers

    def workers(self) -> Workers:
        """The worker processes (they start with the first work sent to them)."""
        if self._workers is None:
            self._workers = Workers(self.n_procs)
        return self._workers

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _evaluate(self, job: _Generation) -> tuple[dict[int, Any], float]:
        limit = job.max_eval if self.check_max_eval else np.inf
        evaluations: dict[int, Any] = {}
        if self.n_procs == 1:
            count = 0
            with _global_generators_kept():
                while count < job.n and len(evaluations) < limit:
                    i = len(evaluations)
                    seed_evaluation(self.seed, job.t, i)
                    evaluations[i] = job.simulate_one()
                    if evaluations[i].accepted:
                        count += 1
                        job.accepted()
            return evaluations, limit
        workers = self.workers()
        record_rejected = self._create_empty_sample().record_rejected
        died = 0
        while True:
            payload = workers.dumps(job.simulate_one)
            try:
                workers.start((payload, job.n, limit, self.seed, job.t, record_rejected))
                # Read until every worker has said it is done, so that the queue is empty.
                while workers.done < workers.count:
                    item = workers.receive()
                    if item != _DONE:
                        evaluations[item[0]] = item[1]
                        if item[1].accepted:
                            job.accepted()
                workers.finish()
                break
            except BrokenProcessPool:
                # A worker died: the generation starts again on new workers. Its
                # evaluations are seeded by their index, so it gives what it would have
                # given; those received are dropped with the counters they go with.
                died += 1
                workers.restart(died, _generation_text(job.t))
                evaluations.clear()
        # Every index claimed (below the limit) was evaluated; those not sent were rejected.
        for i in range(int(min(workers.n_eval.value, limit))):
            evaluations.setdefault(i, None)
        return evaluations, limit


# How many times a generation sends its payload again after every worker holding it died.
_RESCATTERS = 5
# How many of a generation's tasks may come back cancelled (and be run again) in all.
_CANCELLED = 1000


class Resent:
    """Data scattered once to every Dask worker, sent again when every worker holding it
    died: the tasks that needed it then come back cancelled (decision 560).

    Args:
        client: the Dask client.
        data: what to scatter.
        what: the data in words, for the error (``the calibration's data``).
        scope: where the count runs, for the error (`` in one generation``).
    """

    def __init__(self, client: Any, data: Any, what: str, scope: str = "") -> None:
        self.client, self.data, self.what, self.scope = client, data, what, scope
        self.future = client.scatter(data, broadcast=True, hash=False)
        self.resent = 0

    def renew(self) -> Any:
        """The data's future, scattered again if every copy was lost.

        Raises:
            WorkersDied: lost more than ``_RESCATTERS`` times.
        """
        if self.future.status != "finished":
            self.resent += 1
            if self.resent > _RESCATTERS:
                raise WorkersDied(
                    f"the Dask workers lost {self.what} {self.resent} times{self.scope} "
                    "(every worker holding it died)"
                )
            self.future = self.client.scatter(self.data, broadcast=True, hash=False)
        return self.future


def scheduler_lost_said(client: Any) -> Any:
    """:func:`~sim.sweep.executors.scheduler_answers` for a calibration's Dask client: a
    scheduler that stops answering is a :class:`WorkersDied` naming its address."""
    return scheduler_answers(client, getattr(client.scheduler, "address", None), WorkersDied)


def on_dask[T](client: Any, work: Callable[[], T]) -> T:
    """``work()`` on a Dask client, done again when a connection fails while the
    scheduler still answers, and a scheduler that stops answering said in one line
    (:func:`scheduler_lost_said`).

    A connection error (an ``OSError``) while the scheduler still takes connections is
    a worker's: one dying under a scatter (a fresh-clone CI run, decision 771). ``work``
    (a generation, the predictive draws) seeds each evaluation by its index, so done
    again it gives what it would have given (decision 775).

    Raises:
        WorkersDied: the scheduler stopped answering, or connections failed
            ``_RESCATTERS`` + 1 times in a row while it answered.
    """
    with scheduler_lost_said(client):
        for attempt in itertools.count(1):
            try:
                return work()
            except OSError as exc:
                if not scheduler_listens(client):
                    raise  # the scheduler's: said in one line by scheduler_lost_said
                if attempt > _RESCATTERS:
                    raise WorkersDied(
                        f"connections to the Dask workers failed {attempt} times in a row "
                        f"while the scheduler answered (the last: {exc})"
                    ) from None
    raise AssertionError("unreachable")  # itertools.count does not end


def check_cancelled(cancelled: int, tasks: str) -> None:
    """Give up once more than ``_CANCELLED`` tasks (``tasks``: ``of one generation``)
    came back cancelled.

    Raises:
        WorkersDied: the workers keep dying or the cluster is shutting down.
    """
    if cancelled > _CANCELLED:
        raise WorkersDied(
            f"{cancelled} Dask tasks {tasks} were cancelled; "
            "the workers keep dying or the cluster is shutting down"
        )


# A Dask worker's unpickled ``simulate_one``, by its payload's key: the one of the
# generation at hand (each generation has its own).
_LOADED: dict[str, Any] = {}


def _dask_job(payload: bytes, key: str, seed: int, t: int, indices: list[int]) -> Coded:
    """A Dask task: the evaluations of ``indices``, each seeded by its index.

    ``payload`` is the generation's pickled ``simulate_one``, scattered to the workers
    once (:meth:`SeededDaskSampler._evaluate`); a worker unpickles it once per generation
    and evaluates every index of its tasks with it, as a process of the multicore
    sampler does with its copy. The ``(index, evaluation)`` pairs come back with the
    worker's code (:class:`~sim.sweep.executors.Coded`).
    """
    simulate_one = _LOADED.get(key)
    if simulate_one is None:
        _LOADED.clear()
        simulate_one = _LOADED[key] = cloudpickle.loads(payload)
    out = []
    for i in indices:
        seed_evaluation(seed, t, i)
        out.append((i, simulate_one()))
    return Coded.here(out)


class SeededDaskSampler(_Seeded, DaskDistributedSampler):
    """pyabc's Dask sampler with every evaluation seeded by its index (module docstring).

    A task holds ``batch_size`` consecutive indices. A task whose worker dies
    is run again by Dask with the same indices, so with the same result. When
    every worker holding the generation's payload dies at once, its tasks come
    back cancelled: the payload is sent again and they are submitted again.
    ``max_eval`` is checked, as on processes (pyabc's Dask sampler does not): no
    index at or past it is sent, and the generation ends when every index below it
    is back (decision 939).

    Args:
        seed: the calibration seed.
        dask_client: the client.
        batch_size: evaluations per task.
    """

    def __init__(
        self, seed: int, dask_client: Any, batch_size: int = 1, watch: WorkerWatch | None = None
    ) -> None:
        super().__init__(dask_client=dask_client, batch_size=batch_size)
        self.seed = seed
        self.check_max_eval = True
        # A scheduler of the user's (--address): says when it has no worker (decision 1050).
        self.watch = watch

    def _evaluate(self, job: _Generation) -> tuple[dict[int, Any], float]:
        """The generation's evaluations on Dask (:meth:`_evaluate_on_dask`).

        Raises:
            WorkersDied: the scheduler stopped answering (decision 764), or the workers
                kept dying (:class:`Resent`, :func:`check_cancelled`).
        """
        return on_dask(self.client, functools.partial(self._evaluate_on_dask, job))

    def _evaluate_on_dask(self, job: _Generation) -> tuple[dict[int, Any], float]:
        payload = cloudpickle.dumps(job.simulate_one)
        key = uuid.uuid4().hex  # this generation's, for the workers' cache
        # Sent once to every worker, not with every task: with the vote data the payload
        # is tens of MB, and each task carried it (a "large graph" warning a task, and
        # 2 evaluations a second against 50 on processes; an audit of the calibration).
        # A worker that joins or is restarted fetches it from another.
        if self.watch is not None:
            self.watch.wait_for_a_worker()
        shared = Resent(self.client, payload, "the calibration's data", " in one generation")
        limit = job.max_eval if self.check_max_eval else np.inf
        evaluations: dict[int, Any] = {}
        running: set[Any] = set()
        tasks: dict[Any, list[int]] = {}  # each running task's indices
        again: list[list[int]] = []  # the indices of tasks cancelled with a lost payload
        cancelled = 0
        next_index = 0
        received = 0  # accepted particles received, gaps or not
        # The evaluations from index 0 without a gap: how many, and how many accepted.
        prefix = prefix_accepted = 0

        def submit(indices: list[int]) -> None:
            future = self.client.submit(
                _dask_job, shared.future, key, self.seed, job.t, indices, pure=False
            )
            running.add(future)
            tasks[future] = indices

        while prefix_accepted < job.n and prefix < limit:
            # A few tasks per core, so that a worker has the next at hand when one ends.
            slots = int(min(self.client_max_jobs, _IN_FLIGHT * self.client_cores())) - len(running)
            while again and slots > 0:
                submit(again.pop())
                slots -= 1
            # New tasks only while the evaluations in hand hold fewer than n accepted;
            # otherwise the tasks still running fill the gaps below the n-th.
            while received < job.n and slots > 0 and next_index < limit:
                submit([i for i in range(next_index, next_index + self.batch_size) if i < limit])
                next_index += self.batch_size
                slots -= 1
            try:
                done = set(
                    dask_wait(list(running), return_when="FIRST_COMPLETED", waiting=self.watch).done
                )
            except CancelledError:  # distributed's wait raises when some were cancelled
                done = {future for future in running if future.done()}
            for future in done:
                running.discard(future)
                indices = tasks.pop(future)
                try:
                    results = future.result()
                except CancelledError:  # cancelled, or finished and then lost with its worker
                    results = None
                if results is None:
                    # Every worker holding the payload died at once (two workers killed
                    # together, a fresh-clone CI run): the tasks that needed it are
                    # cancelled. Send it again and run them again, with the same indices
                    # and so the same results.
                    shared.renew()
                    cancelled += 1
                    check_cancelled(cancelled, "of one generation")
                    again.append(indices)
                    continue
                # Refused if of other code (decision 1053); a worker ran (decision 1050).
                results = uncoded(results, future, self.watch)
                for i, evaluation in results:
                    evaluations[i] = evaluation
                    if evaluation.accepted:
                        received += 1
                        job.accepted()
            while prefix in evaluations and prefix_accepted < job.n:
                prefix_accepted += bool(evaluations[prefix].accepted)
                prefix += 1
        for future in running:
            future.cancel()
        shared.future.release()
        return evaluations, limit
