"""ABC-SMC with pyabc: the sampler, the generation loop, resume and progress.

:func:`run_calibration` is the library entry point (tests call it with the toy
problem); ``credsim calibrate`` is a thin shell around it. pyabc keeps its
SQLite history (``history.db``) in the results folder and commits each
generation when it ends, so a killed calibration, started again, continues
from its last finished generation.

Randomness (docs/decisions.md, items 61 and 357): every simulation is seeded
by a digest of the calibration seed and its parameter values
(:func:`~sim.calibrate.problem.simulation_seed`); pyabc's own draws
(proposals, perturbations) use numpy's global generator, which is seeded
for every evaluation from its index in the generation
(:mod:`sim.calibrate.samplers`), and in this process before every
generation from ``SeedSequence(seed, spawn_key=(t,))``. The same seed then
gives the same calibration on one worker, several, or Dask.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibrate.problem import Distance, Problem, calibration_ids, simulation_seed
from sim.calibrate.spec import Calibration
from sim.errors import InputError
from sim.forkserver import CALIBRATION_PRELOAD, forkserver_context
from sim.sweep.executors import WorkerWatch, quiet_client_log
from sim.sweep.progress import _duration

EXECUTORS = ("process", "dask")
HISTORY = "history.db"
WORKERS_DIE_AT_START = (
    "the calibration's worker processes die as they start, before simulating anything "
    "(their own error, if any, is printed above), so the calibration was not started and "
    "nothing was written. From a Python script, put the call under `if __name__ == "
    '"__main__":` (each worker imports the script again) or use workers=1'
)


class Simulator:
    """One variant's model for pyabc: a parameter set in, the statistics out (picklable).

    Args:
        problem: the problem that simulates.
        fixed: the variant's fixed values, added to every parameter set.
        seed: the calibration seed.
    """

    def __init__(self, problem: Problem, fixed: Mapping[str, float], seed: int) -> None:
        self.problem = problem
        self.fixed = dict(fixed)
        self.seed = seed

    def __call__(self, params: Mapping[str, float]) -> dict[str, float]:
        values = {**self.fixed, **{k: float(v) for k, v in params.items()}}
        try:
            return self.problem.simulate(values, simulation_seed(self.seed, values), holdout=False)
        except Exception:  # a failed simulation is rejected: infinite distance
            return {}


@dataclass(frozen=True)
class Generation:
    """What the progress line shows for one finished generation."""

    t: int
    epsilon: float
    acceptance: float
    simulations: int
    total: int


def finished_populations(history: Any) -> Any:
    """The finished generations of a pyabc ``history`` (its populations from t = 0, the
    calibration's own t = -1 left out), in order of t."""
    populations = history.get_all_populations()
    return populations[populations["t"] >= 0].sort_values("t")


# The generations over which the time left extrapolates epsilon's decline and the growth
# of a generation's simulations.
DECLINE_SPAN = 3


class Progress:
    """Generation lines on the terminal (stderr), and an estimate of the time left."""

    def __init__(self, min_epsilon: float, budget: int, done: int, *, quiet: bool) -> None:
        self.min_epsilon = min_epsilon
        self.budget = budget
        self.done_before = done
        self.quiet = quiet
        self.start = time.perf_counter()
        # The finished generations' epsilons and simulations, oldest first (a resumed
        # run's included).
        self.epsilons: list[float] = []
        self.simulations: list[int] = []
        # The last generation whose line was shown (or found shown, on resuming).
        self.shown = -1

    def rate(self, total: int) -> float:
        elapsed = time.perf_counter() - self.start
        return (total - self.done_before) / elapsed if elapsed > 0 else 0.0

    def eta(self, g: Generation) -> float | None:
        """Seconds left: the sooner of the budget spent and epsilon reaching its floor.

        The epsilon estimate extrapolates epsilon's decline (geometric) over the
        last :data:`DECLINE_SPAN` generations; the decline of one generation alone
        made the estimate jump from line to line (the median distance falls by
        uneven steps; an outside check, decision 922). With a floor of 0, which a
        geometric decline never reaches, the budget alone bounds it. A
        generation's simulations grow as its acceptance falls, by their mean
        factor over the same generations (:meth:`growth`), and the budget is
        checked after each generation, which runs whole: a last generation of
        6,600 simulations past a budget of 6,000 was announced as "ETA 4s" and
        took 30 (decision 925).
        """
        rate = self.rate(g.total)
        if g.epsilon <= self.min_epsilon:
            return 0.0
        if rate <= 0:
            return None
        gens = None
        decline = self.decline(g.epsilon)
        if decline is not None and self.min_epsilon > 0:
            gens = math.ceil(math.log(g.epsilon / self.min_epsilon) / math.log(decline))
        r, size, room = self.growth(g.simulations), float(g.simulations), self.budget - g.total
        if room <= 0 or size <= 0:
            return 0.0 if room <= 0 else max(room / rate, 0.0)
        # The generations until the budget is spent, the last whole: the first n with
        # size * (r + ... + r^n) >= room.
        if r == 1.0:
            spent = math.ceil(room / size)
        else:
            spent = math.ceil(math.log1p(room * (r - 1) / (size * r)) / math.log(r))
        n = max(1, spent if gens is None else min(spent, gens))
        ahead = size * n if r == 1.0 else size * r * (r**n - 1) / (r - 1)
        return max(ahead / rate, 0.0)

    def growth(self, simulations: int) -> float:
        """The mean factor (geometric, at least 1) by which a generation's simulations
        grew over up to :data:`DECLINE_SPAN` generations before ``simulations``."""
        earlier = [n for n in self.simulations[-DECLINE_SPAN:] if n > 0]
        if not earlier or simulations <= 0:
            return 1.0
        return max(1.0, float((simulations / earlier[0]) ** (1 / len(earlier))))

    def decline(self, epsilon: float) -> float | None:
        """Epsilon's mean factor of decline a generation, from the generation up to
        :data:`DECLINE_SPAN` before to ``epsilon``'s (a geometric mean), or None
        when it did not decline."""
        span = 0
        for earlier in reversed(self.epsilons[-DECLINE_SPAN:]):
            if not (math.isfinite(earlier) and earlier > 0):
                break
            span += 1
        if span == 0:
            return None
        first = self.epsilons[-span]
        if not 0 < epsilon < first:
            return None
        return float((first / epsilon) ** (1 / span))

    def line(self, g: Generation) -> str:
        eta = self.eta(g)
        return (
            f"generation {g.t}: epsilon {g.epsilon:.4g}, acceptance {100 * g.acceptance:.1f}%, "
            f"{g.total}/{self.budget} simulations ({self.rate(g.total):.1f}/s), "
            f"ETA {'?' if eta is None else _duration(eta)}"
        )

    def update(self, g: Generation) -> None:
        if not self.quiet:
            print(self.line(g), file=sys.stderr, flush=True)
        self.epsilons.append(g.epsilon)
        self.simulations.append(g.simulations)
        self.shown = g.t

    def resume(self, history: Any) -> None:
        """Take the generations ``history`` holds as shown, so that a resumed run's time
        left extrapolates from them as it would have (decision 922)."""
        found = finished_populations(history)
        self.epsilons = [float(e) for e in found["epsilon"]]
        self.simulations = [int(n) for n in found["samples"]]
        self.shown = int(found["t"].max()) if len(found) else -1

    def catch_up(self, history: Any) -> None:
        """Show the generations ``history`` holds whose lines were not shown: a signal
        between a generation's being stored and its line left it unsaid, yet counted among
        the generations kept (the command's last line said 9 kept after "generation 7";
        an outside check, decision 924). Their acceptance is pyabc's, particles over
        simulations."""
        populations = finished_populations(history)
        totals = populations["samples"].cumsum() + (
            int(history.total_nr_simulations) - int(populations["samples"].sum())
        )
        for (_, row), total in zip(populations.iterrows(), totals, strict=True):
            if int(row["t"]) > self.shown:
                samples = int(row["samples"])
                self.update(
                    Generation(
                        int(row["t"]),
                        float(row["epsilon"]),
                        float(row["particles"]) / samples if samples else math.nan,
                        samples,
                        int(total),
                    )
                )


def _reseed(seed: int, *key: int) -> None:
    """Seed numpy's global generator, which pyabc draws from, for one step of the run."""
    state = np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0]
    np.random.seed(int(state))  # noqa: NPY002 - pyabc reads the global generator


def worker_context() -> Any:
    """The fork server's context for the calibration's process workers, its server started
    now (with :data:`sim.forkserver.CALIBRATION_PRELOAD`, unless a sweep of this process
    started it first), saying no compile of its own: the calibration's preflight says it
    (decision 982)."""
    return forkserver_context(CALIBRATION_PRELOAD, compile_said_here=True)


@contextmanager
def started_workers(executor: str, workers: int, problem: Any = None) -> Iterator[Any]:
    """The calibration's process workers, started now, and stopped on exit (None for
    another executor or one worker); refused, before the calibration starts, if they
    die as they start.

    A script without ``if __name__ == "__main__":`` has each worker import it again
    and run its calibration, which cannot start processes of its own, and die: the SMC
    stage would end in a traceback, or (the predictive draws) only after the whole SMC
    stage (decisions 670, 760). The workers are started and one is asked for its pid,
    as a sweep does (decision 610). They are the calibration's own, given ``problem``
    as they start (:meth:`~sim.calibrate.samplers.Workers.hold`): each imports the
    user's script once, and the others start while the calibration sets up; a worker
    started only to be asked made a script that imports credsim's calibration (and so
    pyabc) pay that import twice (decision 770). The fork server they come from
    imports its modules (about 4 s) while this process imports pyabc (as long, needed
    for the SMC stage anyway).

    Raises:
        WorkersFailed: the workers died before one could answer.
    """
    if executor != "process" or workers < 2:
        yield None
        return
    worker_context()
    import pyabc  # noqa: F401 - side by side with the server's imports

    from sim.calibrate.samplers import Workers

    started = Workers(workers)
    if problem is not None:
        started.hold(problem)
    try:
        started.begin(WORKERS_DIE_AT_START)
        yield started
    finally:
        started.close()


@contextmanager
def sampler(
    executor: str, workers: int, address: str | None, seed: int, started: Any = None
) -> Iterator[Any]:
    """The pyabc sampler for the executor, its cluster closed on exit.

    Both evaluate particles seeded by their index (:mod:`sim.calibrate.samplers`),
    so the calibration ``seed`` fixes the result whatever the executor and
    the worker count. ``process`` evaluates in ``workers`` processes (one:
    in this process), from the fork server (``started``, if they are started
    already: :func:`started_workers`), stopped on exit; ``dask`` on the
    scheduler at ``address``, or on a ``LocalCluster`` of ``workers``
    processes. Both redo the work of a worker that dies, with the same seeds,
    so a lost worker costs time only (decision 763 for processes).
    """
    from sim.calibrate.samplers import SeededDaskSampler, SeededMulticoreSampler

    _quiet_pyabc()  # before a sampler is made: it logs "Parallelize sampling on ..."
    if executor == "process":
        multicore = SeededMulticoreSampler(seed, n_procs=workers, workers=started)
        try:
            yield multicore
        finally:
            multicore.close()
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "--executor dask needs dask.distributed: pip install 'credsim[dask]'"
        ) from None
    cluster = None
    if address:
        try:
            client = Client(address, timeout=10)
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    else:
        from sim.forkserver import ctrl_c_left_to_this_process
        from sim.sweep.executors import NO_DASHBOARD

        with ctrl_c_left_to_this_process():  # no worker's traceback on Ctrl-C (decision 639)
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs=NO_DASHBOARD,
                # Its scheduler and nannies log in this process, as the sweep's do: on
                # Ctrl-C, a cancelled task and workers killed after 4 s.
                silence_logs=logging.CRITICAL,
            )
        client = Client(cluster)
    # Ctrl-C while the sampler waits on Dask: distributed's `sync` logs a NameError of its
    # own through tornado before this process's one line (distributed 2026.8).
    tornado = logging.getLogger("tornado.application")
    level = tornado.level
    if cluster is not None:
        tornado.setLevel(logging.CRITICAL)
    # The client logs its attempts to reach a scheduler gone mid-way, with tracebacks, at
    # ERROR: the calibration says it in one line (decision 764).
    quieted = quiet_client_log() if address else None
    try:
        watch = (
            WorkerWatch(client, address, waits="the calibration", kept="the finished generations")
            if address
            else None  # a LocalCluster's nannies restart its own workers
        )
        yield SeededDaskSampler(seed, dask_client=client, batch_size=1, watch=watch)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        tornado.setLevel(level)
        if quieted is not None:
            quieted()


def observed_values(
    calibration: Calibration, problem: Problem, truth: Mapping[str, float]
) -> dict[str, float]:
    """The observed statistics, or with ``truth`` the ones simulated at those values.

    Raises:
        InputError: a ``--truth`` simulation that fails (the values are out of range), or
            that gives a calibration statistic no value.
    """
    if not truth:
        return {s.id: s.observed for s in problem.statistics}
    try:
        values = problem.simulate(
            dict(truth), simulation_seed(calibration.spec.seed, truth, "truth")
        )
    except InputError as exc:
        raise InputError(exc.message, path=exc.path, file="--truth") from None
    # A NaN observed value made every distance NaN, so infinite: every particle was accepted
    # and the prior returned as the posterior (an audit, decision 744).
    for key in calibration_ids(problem.statistics):
        if not math.isfinite(float(values.get(key, math.nan))):
            raise InputError(
                f"--truth: calibration pattern {key} has no value simulated at the truth; its "
                "discrepancy, hence every distance, would not be a number"
            )
    return {s.id: float(values[s.id]) for s in problem.statistics}


def preflight(calibration: Calibration, problem: Problem) -> None:
    """One simulation in this process at the first variant's prior midpoints.

    Inside the calibration a failing simulation is only rejected; an error
    that every simulation would meet (a bad path, a broken problem) shows
    here at once, as itself, before any worker starts.

    Raises:
        InputError: the problem rejects the values (a bad override path), or gives a
            calibration statistic no value (NaN).
        RuntimeError: the simulation leaves out statistics.
    """
    variant, fixed = next(iter(calibration.variants().items()))
    values = {p: (r.low + r.high) / 2 for p, r in calibration.free(variant).items()}
    values.update({p: float(v) for p, v in fixed.items()})
    seed = simulation_seed(calibration.spec.seed, values, "preflight")
    result = problem.simulate(values, seed)
    missing = [s.id for s in problem.statistics if s.id not in result]
    if missing:
        raise RuntimeError(f"the problem's simulation gave no value for {missing}")
    # The generations simulate without the held-out patterns: check that path as well.
    fitted = problem.simulate(values, seed, holdout=False)
    missing = [i for i in calibration_ids(problem.statistics) if i not in fitted]
    if missing:
        raise RuntimeError(f"the problem's simulation for the fit gave no value for {missing}")
    # A statistic without a value (a correlation of states whose gaps are all equal) made
    # every distance infinite: pyabc's epsilon became inf, every particle was accepted and
    # the prior came back as the posterior, exit 0 (an audit, decision 744).
    nan = [i for i in calibration_ids(problem.statistics) if not math.isfinite(float(fitted[i]))]
    if nan:
        at = ", ".join(f"{p}={v:g}" for p, v in values.items())
        which = f"pattern {nan[0]} has" if len(nan) == 1 else f"patterns {', '.join(nan)} have"
        raise InputError(
            f"calibration {which} no simulated value at the priors' "
            f"midpoints ({at}): its discrepancy, hence the distance, is not a number, and a "
            "calibration whose simulations mostly have none accepts them all (epsilon inf) "
            "and returns the prior; a correlation has none when the propensity gaps of its "
            "group's states are all equal over its years"
        )


@dataclass(frozen=True)
class Run:
    """What the generation loop did.

    Attributes:
        generations: generations in the history (all sessions).
        simulations: simulations in the history (all sessions).
        ran: generations run by this call.
        epsilon: the last generation's threshold.
        stopped: why the calibration stopped.
    """

    generations: int
    simulations: int
    ran: int
    epsilon: float
    stopped: str


def _quiet_pyabc() -> None:
    logging.getLogger("ABC").setLevel(logging.WARNING)


def smc(
    calibration: Calibration,
    problem: Problem,
    observed: Mapping[str, float],
    folder: Path,
    chosen: Any,
    *,
    quiet: bool = False,
    on_generation: Any = None,
) -> Run:
    """Run (or continue) ABC-SMC until the file's epsilon floor or budget.

    Args:
        calibration: the loaded file.
        problem: what to fit.
        observed: the statistics to fit (see :func:`observed_values`).
        folder: the results folder (holds ``history.db``).
        chosen: the pyabc sampler (:func:`sampler`).
        quiet: no progress (generation lines, and pyabc's bar of accepted particles).
        on_generation: called with the history after every finished generation.
    """
    import pyabc

    _quiet_pyabc()
    spec = calibration.spec
    variants = calibration.variants()
    models = [Simulator(problem, fixed, spec.seed) for fixed in variants.values()]
    priors = [
        pyabc.Distribution(
            **{
                path: pyabc.RV("uniform", prior.low, prior.high - prior.low)
                for path, prior in calibration.free(name).items()
            }
        )
        for name in variants
    ]
    db_path = folder / HISTORY
    db = f"sqlite:///{db_path}"
    chosen.show_progress = not quiet and sys.stderr.isatty()
    from sim.calibrate.epsilon import FiniteMedianEpsilon

    abc = pyabc.ABCSMC(
        models,
        priors,
        Distance(problem.statistics),
        population_size=spec.population,
        sampler=chosen,
        eps=FiniteMedianEpsilon(),
    )
    for model, name in zip(abc.models, variants, strict=True):
        model.name = name
    readable = history_generations(db) if db_path.is_file() else 0
    if readable is None:
        # It started again without a word, its generations gone (an outside check; decision
        # 998): `check` calls an unfinished calibration's history unchecked.
        print(
            f"credsim: note: {db_path} cannot be read (damaged or cut short): the "
            "calibration starts again from its first generation",
            file=sys.stderr,
            flush=True,
        )
    resumed = bool(readable)
    if resumed:
        abc.load(db, 1)
    else:
        db_path.unlink(missing_ok=True)  # a run killed before its first generation
        abc.new(db, dict(observed))
    history = abc.history
    before = history.max_t + 1
    stop = _stopped(history, spec.min_epsilon, spec.max_simulations) if resumed else None
    ran = 0
    if stop is None:
        progress = Progress(
            spec.min_epsilon, spec.max_simulations, history.total_nr_simulations, quiet=quiet
        )
        progress.resume(history)
        ended = False
        try:
            _reseed(spec.seed, before, 0)
            t = abc.initialize_components_before_run(
                minimum_epsilon=spec.min_epsilon,
                max_nr_populations=np.inf,
                # A generation never takes more than the whole budget.
                min_acceptance_rate=spec.population / spec.max_simulations,
                max_total_nr_simulations=spec.max_simulations,
                max_walltime=None,
                min_eps_diff=0.0,
            )
            while True:
                _reseed(spec.seed, t)
                # A generation stops at the whole budget's simulations (the samplers check
                # pyabc's max_eval, population / min_acceptance_rate): one took 22,536
                # under a budget of 2,000 (decision 939). Generation 0 is not cut: its
                # threshold, the prior sample's median distance, accepts about half by
                # construction, and cut it would leave no posterior at all.
                abc.min_acceptance_rate = 0.0 if t == 0 else spec.population / spec.max_simulations
                ret = abc.run_generation(t=t)
                if not ret["successful"]:
                    stop = "a generation would have needed more than the simulation budget"
                    break
                ran += 1
                populations = history.get_all_populations()
                last = populations[populations["t"] == t].iloc[0]
                progress.update(
                    Generation(
                        t,
                        float(last["epsilon"]),
                        float(ret["acceptance_rate"]),
                        int(last["samples"]),
                        int(history.total_nr_simulations),
                    )
                )
                if on_generation is not None:
                    on_generation(history)
                if abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"]):
                    stop = _stopped(history, spec.min_epsilon, spec.max_simulations) or (
                        "acceptance rate fell below population / max_simulations"
                    )
                    break
                t += 1
            ended = True
        except BaseException:
            # Every generation the stop keeps has its line (best effort: the history's
            # session may be unusable after an error, and that error is the one to say).
            with suppress(Exception):
                progress.catch_up(history)
            raise
        finally:
            # After an error the history's session may be unusable (SQLite's "database or
            # disk is full" leaves it "prepared"): its own error would hide the first.
            with nullcontext() if ended else suppress(Exception):
                history.done(end_time=datetime.now())
            abc.sampler.stop()
    finished = finished_populations(history)
    return Run(
        generations=len(finished),
        simulations=int(history.total_nr_simulations),
        ran=ran,
        epsilon=float(finished["epsilon"].iloc[-1]) if len(finished) else math.inf,
        stopped=stop or "stopped",
    )


def history_generations(db: str) -> int | None:
    """The finished generations of the history at ``db``, or None when it cannot be read."""
    import pyabc

    try:
        return int(pyabc.History(db, _id=1).max_t) + 1
    except Exception:
        return None


def _stopped(history: Any, min_epsilon: float, budget: int) -> str | None:
    """Why a history is finished (epsilon floor or budget), or None when it is not."""
    finished = finished_populations(history)
    if not len(finished):
        return None
    if float(finished["epsilon"].iloc[-1]) <= min_epsilon:
        return "epsilon reached its floor"
    if int(history.total_nr_simulations) >= budget:
        return "simulation budget spent"
    return None
