"""A calibration from start to finish: folder, manifest, ABC-SMC, predictive checks, outputs.

Results folder (docs/results_layout.md, "Calibration")::

    manifest.json      the file as given and resolved, truth, engine, seed, provenance, status
    history.db         pyabc's SQLite history (what a resumed calibration continues)
    posterior.parquet  every generation's particles: weight, distance, parameters
    summary.csv        posterior median and 90% interval per variant and parameter
    predictive.parquet posterior predictive draws: parameters and every statistic
    checks.csv         per variant and pattern: observed, predictive band, pass
    variants.csv       per variant: model probability, pass counts, distance
    figures/           marginals, pairs, predictive bands; report.html

The manifest is written first (atomically) and last; a folder that holds
something else is refused, and one calibration at a time writes a folder.
"""

from __future__ import annotations

import fcntl
import functools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import provenance
from sim.calibrate import posterior
from sim.calibrate.problem import Problem, Statistic, discrepancy, rms_distance, simulation_seed
from sim.calibrate.smc import (
    HISTORY,
    Run,
    Simulator,
    history_generations,
    observed_values,
    preflight,
    sampler,
    smc,
    started_workers,
)
from sim.calibrate.spec import Calibration
from sim.compiling import CompileTimer, compiled_text
from sim.errors import (
    InputError,
    WorkersDied,
    count_text,
    mark_kept,
    named_when_full,
    number_text,
)
from sim.fileio import atomic_write_text, require_writable, table_rows, write_parquet
from sim.integrity import (
    INTEGRITY,
    Records,
    drawn_only,
    folder_name,
    require_intact,
    verify,
)
from sim.sweep import progress
from sim.sweep.executors import (
    Coded,
    OtherCode,
    WorkerWatch,
    check_address,
    check_workers,
    check_workers_code,
    dask_wait,
    uncoded,
)
from sim.sweep.progress import _duration, _short

MANIFEST = "manifest.json"
KIND = "calibration"
SHORT_HASH = 10


@dataclass(frozen=True)
class Outcome:
    """What a calibration call did.

    Attributes:
        folder: the results folder.
        run: the ABC-SMC loop's account (None when the folder was already complete).
    """

    folder: Path
    run: Run | None


def default_folder(calibration: Calibration, identity: str) -> Path:
    """``results/calibrate/<name>/<short hash>``."""
    return Path("results") / "calibrate" / calibration.name / identity[:SHORT_HASH]


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def check_folder(
    folder: Path,
    identity: str,
    truth: dict[str, float] | None = None,
    name: str | None = None,
    *,
    inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The folder's manifest if it holds this calibration; None if new or empty.

    ``truth``: this calibration's ``--truth`` values, and ``name`` its name, to say what
    changed when the folder holds the same calibration run on other inputs; ``inputs``
    the rest of what its identity is made of, as the manifest records it
    (:func:`_inputs`: the file's settings, the engine, the pattern files' digest), so
    that the refusal names what differs.

    Raises:
        InputError: the folder is a file, holds something else, or holds files but no manifest.
    """
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise InputError(f"results folder '{folder}' exists and is not a folder")
    data = _read_manifest(folder)
    if data is None:
        if any(p for p in folder.iterdir() if not p.name.startswith(".")):
            raise InputError(
                f"results folder '{folder}' is not empty and holds no calibration manifest; "
                "choose another --out"
            )
        return None
    if data.get("kind") == KIND and data.get("identity") == identity:
        return data
    held = data.get("truth") or {}
    other_truth = (
        f"its data {_truth_text(held)}, this calibration's {_truth_text(truth or {})}"
        if data.get("kind") == KIND and truth is not None and held != truth
        else ""
    )
    if data.get("kind") == KIND and name is not None and data.get("name") == name:
        # The same calibration by name, on other inputs: say what differs, not "different".
        changed = _changes(data, inputs or {}, other_truth)
        raise InputError(
            f"results folder '{folder}' holds calibration '{data['name']}' run on other "
            f"inputs ({changed}); choose another --out, or remove the folder to calibrate "
            "afresh"
        )
    what = folder_name(data) or "something else"
    differs = f"; {other_truth}" if other_truth else ""
    raise InputError(
        f"results folder '{folder}' holds a different calibration or experiment "
        f"('{what}', {data.get('kind', 'unknown')}{differs}); choose another --out or "
        "remove it"
    )


def earlier_generations_code(
    folder: Path, previous: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The code of the earlier calls whose finished generations ``folder`` holds, where it
    differs from this process's (:func:`sim.sweep.sweep.earlier_code`), said in one
    warning. A calibration resumed after an edit of the model's code, or a `git pull`,
    went on from generations fitted by the other model, under a manifest naming this
    call's code only, and nothing said so (decision 1002). Not refused, as a sweep's
    resume is not: a change of code may change no number."""
    from sim.calibrate.smc import history_generations
    from sim.sweep.sweep import code_text, earlier_code

    db = folder / HISTORY
    finished = (history_generations(f"sqlite:///{db}") or 0) if db.is_file() else 0
    git = provenance.git_info()
    earlier = earlier_code(previous, git, finished, provenance.code_digest())
    if earlier:
        then = ", ".join(code_text(g, git) for g in earlier)
        print(
            f"credsim: warning: {folder} holds {count_text(finished, 'finished generation')} "
            f"made by other code ({then}); this call's is {code_text(git)}: the "
            "posterior will mix the two versions' simulations (the manifest records both "
            "under 'git_earlier'); another --out calibrates afresh on this one",
            file=sys.stderr,
            flush=True,
        )
    return earlier


def refuse_other_observations(
    folder: Path,
    previous: Mapping[str, Any],
    problem: Problem,
    observed: Mapping[str, float],
    *,
    simulated: bool = False,
) -> None:
    """Refuse to go on with a calibration whose observed statistics are not those its
    folder's generations were fitted to: the identity holds the pattern files, their
    scenarios and the engine, not the vote data, and a calibration resumed on other
    votes (`--votes` or `$CREDSIM_VOTES` elsewhere, an updated copy) kept its finished
    generations, fitted to the old ones, under a manifest listing the new ones (an outside
    check; decision 997). A folder that records no statistics is let be."""
    held = {
        str(row.get("id")): (row.get("observed"), row.get("tolerance"))
        for row in previous.get("statistics") or []
        if isinstance(row, dict)
    }
    if not held:
        return

    def same(a: Any, b: Any) -> bool:
        return bool(a == b) or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)

    differ = [
        (s.id, held[s.id], (observed[s.id], s.tolerance))
        for s in problem.statistics
        if s.id in held
        and not (
            same(held[s.id][0], float(observed[s.id])) and same(held[s.id][1], float(s.tolerance))
        )
    ]
    if not differ:
        return
    first, (was, was_tol), (now, now_tol) = differ[0]

    def shown(value: Any, tolerance: Any) -> str:
        return f"{number_text(float(value))} (tolerance {number_text(float(tolerance))})"

    raise InputError(
        f"results folder '{folder}' holds calibration '{previous.get('name')}' fitted to "
        f"other observed statistics ({len(differ)} of {len(problem.statistics)} differ: "
        f"'{first}' was {shown(was, was_tol)}, now {shown(now, now_tol)}): "
        + (
            # --truth's data is simulated: the code that simulates it is what changed.
            "the data simulated at --truth is not the one its generations were fitted to "
            "(the model's code changed since?); choose another --out"
            if simulated
            else "the vote data is not the one its generations were fitted to; give the "
            "votes it was run on (--votes or CREDSIM_VOTES), or choose another --out"
        )
    )


def _inputs(calibration: Calibration, problem: Problem) -> dict[str, Any]:
    """What the manifest records of a calibration's inputs besides its truth, for
    :func:`check_folder` to compare: the file's settings as resolved, the engine and a
    digest of the pattern files and their scenarios (both None for a problem without)."""
    return {
        "resolved": calibration.spec.model_dump(mode="json"),
        "engine": getattr(problem, "engine", None),
        "pattern_inputs": getattr(problem, "inputs", None),
        "pattern_file_inputs": getattr(problem, "file_inputs", None),
    }


def _changes(held: Mapping[str, Any], mine: Mapping[str, Any], other_truth: str) -> str:
    """What differs between a folder's calibration (its manifest ``held``) and this one
    (``mine``, from :func:`_inputs`), in words; a manifest written before the engine and
    the pattern digest were recorded cannot tell those apart, and says what may differ."""
    changes = []
    ran, asked = held.get("engine"), mine.get("engine")
    if ran and asked and ran != asked:
        changes.append(f"--engine {ran}, this calibration's {asked}")
    if other_truth:
        changes.append(other_truth)
    before, now = held.get("resolved"), mine.get("resolved")
    if isinstance(before, dict) and isinstance(now, dict):
        fields = [
            key
            for key in {**before, **now}
            if key != "description" and before.get(key) != now.get(key)
        ]
        if fields:
            changes.append(f"the calibration file's {', '.join(fields)} changed since")
    digest = held.get("pattern_inputs")
    named = _changed_files(held.get("pattern_file_inputs"), mine.get("pattern_file_inputs"))
    if named:
        changes.append(f"{', '.join(named)} (the patterns or their scenario) changed since")
    elif digest and mine.get("pattern_inputs") and digest != mine["pattern_inputs"]:
        changes.append("a pattern file or its scenario changed since")
    if changes:
        return "; ".join(changes)
    if ran and digest:
        return "a pattern file or its scenario changed since"
    return "the calibration file, a pattern file, its scenario, --truth or --engine changed since"


def _changed_files(held: Any, mine: Any) -> list[str]:
    """The pattern files whose digest differs between a folder's manifest (``held``) and
    this calibration (``mine``), each ``{path: digest}``; none when either is missing.

    Which file (an outside check: "a pattern file or its scenario" sent the user through
    every file; decision 918). A file is its name, not its path as typed: the same file
    given from another folder is the same file (names are unique in a calibration), and a
    changed one is named as this command gives it (decision 1028)."""
    if not isinstance(held, dict) or not isinstance(mine, dict):
        return []
    before = {Path(path).name: (path, digest) for path, digest in held.items()}
    now = {Path(path).name: (path, digest) for path, digest in mine.items()}
    return [
        (now.get(name) or before[name])[0]
        for name in {**before, **now}
        if before.get(name, (None, None))[1] != now.get(name, (None, None))[1]
    ]


def _truth_text(truth: dict[str, float]) -> str:
    """Where a calibration's data come from, in words: ``--truth`` values as given, or the
    votes ("this calibration's nothing" said it before; an outside check, decision 888)."""
    given = " ".join(f"{path}={value:g}" for path, value in truth.items())
    return f"simulated at --truth {given}" if given else "from the votes (no --truth)"


# The folder locks this process holds. pyabc's sampler and the predictive pool forked
# the calibration, and a forked child shares its parent's flock: after a SIGKILL of
# the calibration, its workers (dying with it, but a moment later) still held the
# folder, and running the same command at once was refused as "another calibration
# is writing" (decision 719). Their workers now come from the fork server, which holds
# none of this process's files (decision 760); a child forked by other code (a
# researcher's own) still closes its copies at once.
_HELD_LOCKS: set[int] = set()


def _close_held_locks_in_child() -> None:
    for handle in _HELD_LOCKS:
        with suppress(OSError):
            os.close(handle)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_held_locks_in_child)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another calibration is writing to '{folder}'; wait for it or choose another --out"
            ) from None
        _HELD_LOCKS.add(handle)
        yield
    finally:
        _HELD_LOCKS.discard(handle)
        os.close(handle)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


# --------------------------------------------------------------------------- predictive


def _simulate_draw(job: tuple[Simulator, dict[str, float], int]) -> dict[str, float]:
    simulator, values, seed = job
    try:
        return simulator.problem.simulate(values, seed)
    except Exception:  # a failed draw is a row of NaN, shown as such
        return {}


def months_per_step(problem: Problem) -> int | None:
    """The step length, in months, shared by the problem's scenarios (None if they
    differ; 1 for a problem without scenarios): what a memory's half-life is counted in."""
    files = getattr(problem, "files", {})
    lengths = {pf.base_scenario.calendar.months_per_step for pf in files.values()}
    if not lengths:
        return 1
    return lengths.pop() if len(lengths) == 1 else None


def predictive_table(
    calibration: Calibration,
    problem: Problem,
    particles: pd.DataFrame,
    chosen: Any,
    workers: int,
) -> pd.DataFrame:
    """Posterior predictive simulations: ``predictive`` draws per variant, every statistic.

    Draws are taken with the final generation's weights; each is simulated on
    its own seed stream (``predictive-K``), never the one that got its particle
    accepted. Columns: ``variant, draw``, the calibrated paths, one per statistic.
    """
    spec = calibration.spec
    paths = list(spec.parameters)
    jobs = []
    keys = []
    for v, (variant, fixed) in enumerate(calibration.variants().items()):
        if posterior.final_particles(particles, variant).empty:
            continue
        points = posterior.draw_points(particles, variant, paths, spec.predictive, spec.seed + v)
        simulator = Simulator(problem, fixed, spec.seed)
        for k, point in enumerate(points):
            values = {**fixed, **point}
            seed = simulation_seed(spec.seed, values, f"predictive-{k}")
            jobs.append((simulator, values, seed))
            keys.append({"variant": variant, "draw": k, **point})
    results = list(_map(_simulate_draw, jobs, chosen, workers))
    ids = [s.id for s in problem.statistics]
    rows = [
        {**key, **{i: float(r.get(i, math.nan)) for i in ids}}
        for key, r in zip(keys, results, strict=True)
    ]
    return pd.DataFrame(rows, columns=["variant", "draw", *paths, *ids])


def _map(fn: Any, jobs: Sequence[Any], chosen: Any, workers: int) -> Iterator[Any]:
    """``fn`` over ``jobs`` in order: on the sampler's Dask client, its worker processes
    (a process pool when it has none), or here.

    On Dask, each distinct first item of the jobs (a :class:`Simulator`, which holds the
    vote data) is scattered to the workers once; it went with every job, tens of MB each
    (an audit of the calibration: "Sending large graph").
    """
    client = getattr(chosen, "client", None)
    if client is not None:
        yield from _dask_map(client, fn, jobs, getattr(chosen, "watch", None))
        return
    if workers == 1 or len(jobs) < 2:
        yield from map(fn, jobs)
        return
    from sim.calibrate.samplers import SeededMulticoreSampler, Workers

    if isinstance(chosen, SeededMulticoreSampler) and chosen.n_procs > 1:
        # The generations' workers (decision 760).
        yield from chosen.workers().map(fn, jobs)
        return
    # From the fork server, as the sampler's (decision 760); they die with the calibration
    # (a pool's workers outlived a SIGKILL, decision 361), and a worker that dies has its
    # draws done again on new workers (decision 763).
    own = Workers(workers)
    try:
        yield from own.map(fn, jobs)
    finally:
        own.close()


def _dask_map(
    client: Any, fn: Any, jobs: Sequence[tuple[Any, ...]], watch: WorkerWatch | None = None
) -> list[Any]:
    """:func:`_dask_map_on` with a scheduler that stops answering said in one line, and
    (given a :class:`~sim.sweep.executors.WorkerWatch`) one without workers waited for
    and said (decision 1050).

    Raises:
        WorkersDied: the scheduler stopped answering (decision 764), or the workers kept
            dying.
    """
    from sim.calibrate.samplers import on_dask  # imports pyabc

    return on_dask(client, functools.partial(_dask_map_on, client, fn, jobs, watch))


def _dask_map_on(
    client: Any, fn: Any, jobs: Sequence[tuple[Any, ...]], watch: WorkerWatch | None = None
) -> list[Any]:
    """``fn`` over ``jobs`` on a Dask client, in order, each first item scattered once.

    When every worker holding a scattered item dies at once, the tasks that need it
    come back cancelled: the item is sent again and they are submitted again, as the
    calibration's sampler does (decision 560; here decision 562). Each job carries its
    own seed, so a task run again gives the same result.

    Raises:
        WorkersDied: the workers lost an item more than ``_RESCATTERS`` times, or
            more than ``_CANCELLED`` tasks came back cancelled.
    """
    from sim.calibrate.samplers import Resent, check_cancelled  # imports pyabc

    if watch is not None:
        watch.wait_for_a_worker()  # a scatter with none fails (decision 1050)
    shared: dict[int, Resent] = {}
    for job in jobs:
        if id(job[0]) not in shared:
            shared[id(job[0])] = Resent(client, job[0], "the predictive draws' data")

    def submit(i: int) -> Any:
        job = jobs[i]
        return client.submit(_apply, fn, shared[id(job[0])].future, *job[1:], pure=False)

    pending = {i: submit(i) for i in range(len(jobs))}
    results: list[Any] = [None] * len(jobs)
    cancelled = 0
    while pending:
        with suppress(CancelledError):  # distributed's wait raises when some were cancelled
            dask_wait(list(pending.values()), waiting=watch)
        lost: list[int] = []
        for i, future in list(pending.items()):
            if not future.done():
                continue
            try:
                returned = future.result()
            except CancelledError:  # cancelled, or finished and then lost with its worker
                lost.append(i)
                continue
            # Refused if of other code (decision 1053); a worker ran (decision 1050).
            results[i] = uncoded(returned, future, watch)
            del pending[i]
        if not lost:
            continue
        cancelled += len(lost)
        check_cancelled(cancelled, "of the predictive draws")
        for key in {id(jobs[i][0]) for i in lost}:
            shared[key].renew()
        for i in lost:
            pending[i] = submit(i)
    for data in shared.values():
        data.future.release()
    return results


def _apply(fn: Any, *job: Any) -> Coded:
    """``fn`` of the job ``job`` (a Dask task of :func:`_map`, its first item resolved),
    with the worker's code."""
    return Coded.here(fn(job))


def checks_table(
    predictive: pd.DataFrame,
    statistics: Sequence[Statistic],
    observed: Mapping[str, float],
    observed_is: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Posterior predictive checks per variant and pattern.

    A pattern passes when the discrepancy of the predictive median is within
    1 (the pattern rule of validation.md applied to the posterior's typical
    prediction); ``share_pass`` is the share of draws that pass on their own.
    ``observed_is``: what each statistic's ``observed`` value is
    (:func:`observed_kinds`; default ``observed``), the last column.
    """
    rows = []
    for variant, draws in predictive.groupby("variant", sort=False):
        for s in statistics:
            stat = Statistic(s.id, s.role, observed[s.id], s.tolerance)
            values = draws[s.id].to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            if len(finite):
                q05, med, q95 = np.quantile(finite, [0.05, 0.5, 0.95])
                d = discrepancy(float(med), stat)
                share = float(np.mean(np.abs((finite - stat.observed) / stat.tolerance) <= 1))
            else:
                q05 = med = q95 = d = share = math.nan
            rows.append(
                (
                    variant,
                    s.id,
                    s.role,
                    stat.observed,
                    s.tolerance,
                    med,
                    q05,
                    q95,
                    d,
                    abs(d) <= 1 + 1e-9,
                    share,
                    (observed_is or {}).get(s.id, "observed"),
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "variant",
            "pattern",
            "role",
            "observed",
            "tolerance",
            "median",
            "q05",
            "q95",
            "discrepancy",
            "pass",
            "share_pass",
            "observed_is",
        ],
    )


def observed_kinds(problem: Problem, truth: Mapping[str, float] | None) -> dict[str, str]:
    """What each statistic's ``observed`` value in ``checks.csv`` is: ``truth`` under
    ``--truth`` (simulated at its values), else the pattern API's
    (:func:`sim.patterns.observed_is`: ``target`` for a correlation's 1, which read as a
    measured correlation; decision 924); ``observed`` for a problem without pattern
    files."""
    if truth:
        return {s.id: "truth" for s in problem.statistics}
    from sim.patterns import OBSERVED, observed_is

    files = getattr(problem, "files", None) or {}
    kinds = {stem: observed_is(pf) for stem, pf in files.items()}
    said = {}
    for s in problem.statistics:
        # A statistic's id is its file's stem and its pattern's id (PatternProblem).
        stem, _, pid = s.id.partition("/")
        said[s.id] = kinds.get(stem, {}).get(pid, OBSERVED)
    return said


def variants_table(
    particles: pd.DataFrame,
    predictive: pd.DataFrame,
    checks: pd.DataFrame,
    statistics: Sequence[Statistic],
    observed: Mapping[str, float],
    variants: Sequence[str],
) -> pd.DataFrame:
    """Per variant: final model probability, particles and effective sample size
    (``(sum w)^2 / sum w^2``: how many particles the weights really rest on),
    predictive pass counts, predictive distance, and the generation the draws behind
    them come from: the last one where the variant had particles, so that the row of a
    variant that died out (0 particles, yet passes counted) says whose passes they are
    (an outside check, decision 823; empty for a variant that never had a particle)."""
    tolerances = {s.id: s.tolerance for s in statistics if s.role == "calibrate"}
    last = particles[particles["generation"] == particles["generation"].max()]
    rows = []
    for variant in variants:
        mine = last[last["variant"] == variant]
        probability = float(mine["model_probability"].iloc[0]) if len(mine) else 0.0
        ess = posterior.effective_particles(mine["weight"])
        own = checks[checks["variant"] == variant]
        draws = predictive[predictive["variant"] == variant]
        distances = [
            rms_distance(
                {str(k): float(v) for k, v in row.items() if k in tolerances}, observed, tolerances
            )
            for row in draws.to_dict("records")
        ]
        counts = {}
        for role in ("calibrate", "holdout"):
            mine_role = own[own["role"] == role]
            counts[role] = f"{int(mine_role['pass'].sum())}/{len(mine_role)}"
        drawn = posterior.final_particles(particles, variant)["generation"]
        rows.append(
            (
                variant,
                probability,
                len(mine),
                ess,
                counts["calibrate"],
                counts["holdout"],
                float(np.median(distances)) if distances else math.nan,
                int(drawn.max()) if len(drawn) else None,
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "variant",
            "model_probability",
            "particles",
            "effective_particles",
            "calibrate_pass",
            "holdout_pass",
            "median_distance",
            "generation",
        ],
    )
    # A whole number, empty where a variant never had a particle: with such a variant the
    # column was float and variants.csv wrote "7.0" (an outside check, decision 888).
    table["generation"] = table["generation"].astype("Int64")
    return table


# A calibration pattern whose posterior predictive 90% band spans less than this many
# tolerances hardly moves with the parameters the posterior holds.
STUCK_SPAN = 0.05


def stuck_notes(checks: pd.DataFrame, min_epsilon: float, final_epsilon: float) -> list[str]:
    """A note naming the calibration patterns that fail in every variant while their
    predictive band hardly moves (under :data:`STUCK_SPAN` tolerances): no parameter the
    posterior holds brings them nearer, so the distance keeps at least their share. When
    those shares alone keep the distance above ``min_epsilon`` and the run did not reach
    it, the note says so: the calibration can only end on its budget (an audit: the
    Syria file's ``initial_conditions`` at -1.76 tolerances in every particle held the
    distance over 1.01 against a floor of 0.5, and nothing said why the floor was never
    reached).
    """
    own = checks[checks["role"] == "calibrate"]
    stuck: dict[str, float] = {}
    for pattern, rows in own.groupby("pattern", sort=False):
        span = ((rows["q95"] - rows["q05"]) / rows["tolerance"]).abs()
        if (span < STUCK_SPAN).all() and not rows["pass"].astype(bool).any():
            stuck[str(pattern)] = float(rows["discrepancy"].iloc[0])
    if not stuck:
        return []
    # The calibration's distance with the stuck patterns at their discrepancies and every
    # other calibration pattern met exactly.
    units = dict.fromkeys(own["pattern"].astype(str), 1.0)
    floor = rms_distance({**dict.fromkeys(units, 0.0), **stuck}, dict.fromkeys(units, 0.0), units)
    one = len(stuck) == 1
    unreachable = (
        f"; with {'it' if one else 'them'} alone the distance stays at least "
        f"{floor:.3g}, above min_epsilon {min_epsilon:g}, so the calibration ends on its "
        "budget"
        if floor > min_epsilon and final_epsilon > min_epsilon
        else ""
    )
    said = ", ".join(f"'{p}' ({d:+.2f} tolerances)" for p, d in stuck.items())
    return [
        f"{count_text(len(stuck), 'calibration pattern')} "
        f"{'hardly moves' if one else 'hardly move'} under the posterior (a 90% predictive "
        f"band under {STUCK_SPAN:g} tolerances wide) and {'misses its' if one else 'miss their'} "
        f"observed value: {said}; no parameter set the posterior holds brings "
        f"{'it' if one else 'them'} nearer{unreachable}. This is a finding about the model "
        "and the pattern, not a tolerance to widen"
    ]


# A link's beta whose posterior's 95th percentile lies within this share of its prior's
# width above the prior's low end of 0 has switched the link off (link_off_notes).
LINK_OFF_SHARE = 0.05


def link_off_notes(summary: pd.DataFrame) -> list[str]:
    """A note when the posterior puts the link's ``beta`` at 0, where its prior starts.

    With ``beta`` near 0 every simulated vote statistic but the correlations is
    flat, whatever the model's parameters: their posteriors, narrowed or not, and
    the variants' model probabilities then say little about the mechanisms
    (validation.md, "beta goes to zero in both variants"). The joint calibration's
    report said nothing of it, and a researcher read its narrowed intervals and
    variant odds as evidence (an outside check, decision 925).
    """
    rows = summary[
        (summary["parameter"] == "link.beta")
        & (summary["prior_low"] == 0)
        & (summary["q95"] <= LINK_OFF_SHARE * (summary["prior_high"] - summary["prior_low"]))
    ]
    if rows.empty or rows["truth"].notna().any():
        return []
    each = "; ".join(
        f"{r.variant}: median {r.median:.3f}, 90% interval {r.q05:.3f} to {r.q95:.3f}"
        for r in rows.itertuples(index=False)
    )
    high = float(rows["prior_high"].iloc[0])
    return [
        f"the link's beta goes to 0, the low end of its prior 0 to {high:g} ({each}): the "
        "calibration switches the link off, predicting no change in the groups' agreement, "
        "so the change patterns no longer depend on the model's other parameters; their "
        "intervals and the variants' model probabilities then say little about the "
        "mechanisms (docs/validation.md, 'beta goes to zero')"
    ]


def few_particles_notes(table: pd.DataFrame) -> list[str]:
    """A note per variant of ``table`` (:func:`variants_table`) whose final generation's
    weights rest on fewer than :data:`~sim.calibrate.posterior.FEW_EFFECTIVE` effective
    particles (none dead)."""
    notes = []
    probabilities = (
        table["model_probability"] if "model_probability" in table else [math.nan] * len(table)
    )
    generations = table["generation"] if "generation" in table else [0] * len(table)
    for variant, ess, particles, p_model, generation in zip(
        table["variant"],
        table["effective_particles"].astype(float),
        table["particles"],
        probabilities,
        generations,
        strict=True,
    ):
        if not particles and pd.isna(generation):
            # No generation ever kept one of its particles: it has nothing to show in the
            # tables, which the note for a variant that died out said it had (an outside
            # check, decision 888).
            notes.append(
                f"variant '{variant}' never had a particle (model probability 0 in every "
                "generation): it has no rows in summary.csv and no predictive draws in "
                "variants.csv; a larger population or max_simulations gives it more chances "
                "to be accepted"
            )
        elif not particles:
            # A dead variant's rows are its last particles', often one: a "90% interval"
            # of one value and a narrowing of 0 read as sharply identified (an audit,
            # decision 649).
            notes.append(
                f"variant '{variant}' died out: no particle in the final generation (model "
                "probability 0); its rows in summary.csv and its passes in variants.csv are "
                "its last particles' (their generation is in each table), not a posterior, "
                "and their narrowing is left empty"
            )
        elif 0 < ess < posterior.FEW_EFFECTIVE:
            # With variants, its model probability rests on them too: an outside check's
            # variant of 1.1 effective particles had 0.97, two generations after 0.10
            # (decision 826).
            probability = (
                f", and its model probability in variants.csv ({float(p_model):.2f}),"
                if len(table) > 1
                else ""
            )
            notes.append(
                f"variant '{variant}' ends with {ess:.1f} effective particles (of "
                f"{particles}): its medians, 90% intervals and narrowing in summary.csv"
                f"{probability} rest on about that many parameter sets, and a narrow interval "
                "says little; give a larger max_simulations (or population) for a posterior "
                "to read"
            )
    return notes


# --------------------------------------------------------------------------- the run


def _manifest(
    calibration: Calibration,
    problem: Problem,
    identity: str,
    observed: Mapping[str, float],
    started: str,
    command: list[str],
    status: str,
    extra: Mapping[str, Any],
    *,
    earlier: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "kind": KIND,
        "name": calibration.name,
        "identity": identity,
        "calibration": calibration.given,
        "source": calibration.source,
        "pattern_files": [str(p) for p in calibration.pattern_files],
        "truth": calibration.truth,
        **_inputs(calibration, problem),
        "variants": calibration.variants(),
        "statistics": [
            {"id": s.id, "role": s.role, "observed": observed[s.id], "tolerance": s.tolerance}
            for s in problem.statistics
        ],
        "seed": calibration.spec.seed,
        "seeding": "simulation seed = sha256(seed, stream, parameter values); evaluation i of "
        "generation t proposes from numpy's global generator seeded from SeedSequence(seed, "
        "spawn_key=(1, t + 1, i)), and a generation keeps its first evaluations in index order "
        "up to the population's accepted particles, whatever the workers (decision 357)",
        "command": command,
        "cwd": provenance.cwd(),
        "versions": provenance.versions(),
        "git": provenance.git_info(),
        "code_sha256": provenance.code_digest(),
        # The code of earlier calls whose generations the folder holds, where it was
        # other (decision 1002), as a sweep's manifest keeps it.
        **({"git_earlier": earlier} if earlier else {}),
        "host": provenance.host(),
        "started": started,
        "finished": None if status == "running" else provenance.now(),
        "status": status,
        **extra,
    }


def run_calibration(
    calibration: Calibration,
    problem: Problem,
    folder: Path | None = None,
    *,
    executor: str = "process",
    workers: int = 2,
    address: str | None = None,
    quiet: bool = False,
    figures: bool = True,
    command: list[str] | None = None,
    width: float | None = None,
    dpi: float | None = None,
) -> Outcome:
    """Calibrate (or continue, or report an already complete calibration).

    ``width`` and ``dpi`` (``--width``, ``--dpi``) are how the figures are drawn
    (:func:`sim.calibrate.figures.write_figures`); either given draws a complete
    calibration's figures again (decision 1026).

    Raises:
        InputError: the folder holds something else, a ``--truth`` value is invalid, or
            no Dask scheduler answers at ``address`` (all before anything is written).
        WorkersFailed: two or more ``process`` workers that die as they start: a
            script without ``if __name__ == "__main__":`` (before anything is written).
    """
    if executor != "serial":
        # As `--workers` takes them: 0 ran as 1 without a word (decision 959).
        check_workers(workers, address if executor == "dask" else None)
    if executor == "dask" and address:
        check_address(address)  # before anything is written, as a sweep does
        # Workers of another checkout simulated another model, as a sweep's did
        # (decision 997), and the calibration did not look (decision 1003).
        check_workers_code(address)
    identity = calibration.identity(problem.identity())
    # A folder written before decision 918 holds the identity of the pattern files' bytes:
    # the same files make the same calibration, which goes on under that identity.
    legacy = getattr(problem, "legacy_identity", None)
    legacy = calibration.identity(legacy) if legacy is not None else None
    if folder is None and legacy is not None and default_folder(calibration, legacy).is_dir():
        folder = default_folder(calibration, legacy)
    folder = Path(folder) if folder is not None else default_folder(calibration, identity)
    if legacy is not None and (_read_manifest(folder) or {}).get("identity") == legacy:
        identity = legacy
    previous = check_folder(
        folder,
        identity,
        calibration.truth,
        calibration.name,
        inputs=_inputs(calibration, problem),
    )
    if previous is not None and previous.get("status") == "complete":
        # A damaged finished calibration is not "complete"; but a figure or the report
        # page missing or edited is drawn again from the tables, which is what the
        # refusal's repair (remove the folder, calibrate again) would have done, in
        # hours (an outside check, decision 918).
        damaged = verify(folder)
        if not drawn_only(damaged):
            require_intact(folder)
        # One run with --no-plots could never have its figures: `plot` reads sweeps only,
        # and this said "nothing to do" (an outside check; decision 805). They are drawn
        # from the finished tables, as a finished sweep's report is (decision 32).
        # --width or --dpi asks for the figures drawn at them: drawn again from the tables
        # (decision 1026). They are this call's, not the folder's.
        asked = width is not None or dpi is not None
        drawn = figures and (bool(damaged) or asked or not (folder / "report.html").is_file())
        if drawn:
            _draw_finished(folder, calibration, previous, identity, width, dpi)
        done = (
            f"{damaged[0].file} {damaged[0].what}: its figures and report.html are drawn again"
            if damaged and drawn
            # --no-plots: the tables are whole, and the figures wait for a run with them.
            else f"{damaged[0].file} {damaged[0].what}: run it without --no-plots to draw its "
            "figures again"
            if damaged
            else "its figures and report.html are drawn again"
            if asked
            else "its figures and report.html are drawn now"
            if drawn
            else "nothing to do"
        )
        print(
            f"calibration '{calibration.name}' is already complete "
            f"({count_text(int(previous.get('generations') or 0), 'generation')}, "
            f"{count_text(int(previous.get('simulations') or 0), 'simulation')}) in {folder}; "
            f"{done}",
            flush=True,
        )
        return Outcome(folder, None)
    # Before any simulation (--truth, the preflight, the generations): an --out that cannot
    # be written was found only when the results were.
    require_writable(folder)
    if figures:
        from sim.calibrate.figures import FIGURES

        require_writable(folder / FIGURES)
    start = time.perf_counter()
    # When the command started, before a cold cache's compile (which took a minute and
    # more, and the manifest's `started` was taken after it: decision 982).
    started = previous["started"] if previous else provenance.now()
    # A cold numba cache compiles in this process's first simulation (--truth's or the
    # preflight's, before any worker starts): said as it starts, and apart in the
    # closing line, as a sweep's (decision 728).
    with CompileTimer(announce=True) as compiling:
        observed = observed_values(calibration, problem, calibration.truth)
        if previous is not None:
            refuse_other_observations(
                folder, previous, problem, observed, simulated=bool(calibration.truth)
            )
        preflight(calibration, problem)
    earlier = earlier_generations_code(folder, previous)
    # What `credsim validate` notes of each pattern file's scenario, as `run` and `sweep`
    # say them before their runs (decisions 947 and 950): after the refusals that the
    # preflight finds, which stay one line, and before the generations.
    from sim.patterns.check import say_scenario_notes

    say_scenario_notes(list(getattr(problem, "files", {}).values()))
    command = command or ["credsim", *sys.argv[1:]]
    paths = list(calibration.spec.parameters)
    variants = calibration.variants()
    manifest = functools.partial(
        _manifest, calibration, problem, identity, observed, started, command, earlier=earlier
    )
    # Process workers that die as they start (a script without a main guard) are refused
    # as they start, before anything is written (decisions 760, 770). After the
    # preflight: a cold numba cache has compiled in this process, and the fork server
    # loads the engine from it.
    with (
        started_workers(executor, workers, problem) as ready,
        _locked(folder),
        named_when_full(folder, sqlite=True),
        _incomplete_when_stopped(folder, manifest),
    ):
        _write_json(folder / MANIFEST, manifest("running", {}))

        particle_table = posterior.ParticleTable(variants, paths)

        def save(history: Any) -> None:
            write_parquet(particle_table.read(history), folder / "posterior.parquet")

        try:
            with sampler(executor, workers, address, calibration.spec.seed, ready) as chosen:
                run = smc(
                    calibration, problem, observed, folder, chosen, quiet=quiet, on_generation=save
                )
                import pyabc

                history = pyabc.History(f"sqlite:///{folder / HISTORY}", _id=1)
                particles = particle_table.read(history)
                write_parquet(particles, folder / "posterior.parquet")
                predictive = predictive_table(calibration, problem, particles, chosen, workers)
        except (WorkersDied, OtherCode) as exc:
            # A worker of other code that joined later (decision 1053) keeps what they keep.
            raise type(exc)(f"{exc}; {_kept_text(folder)}") from None
        priors = {p: (pr.low, pr.high) for p, pr in calibration.spec.parameters.items()}
        summary = posterior.summary_table(
            particles, priors, months_per_step(problem), calibration.truth, variants
        )
        atomic_write_text(folder / "summary.csv", summary.to_csv(index=False))
        write_parquet(predictive, folder / "predictive.parquet")
        checks = checks_table(
            predictive,
            problem.statistics,
            observed,
            observed_kinds(problem, calibration.truth),
        )
        atomic_write_text(folder / "checks.csv", checks.to_csv(index=False))
        table = variants_table(
            particles, predictive, checks, problem.statistics, observed, list(variants)
        )
        atomic_write_text(folder / "variants.csv", table.to_csv(index=False))
        said = [
            *link_off_notes(summary),
            *few_particles_notes(table),
            *stuck_notes(checks, calibration.spec.min_epsilon, run.epsilon),
        ]
        for note in said:
            print(f"credsim: note: {note}", file=sys.stderr)
        notes: list[str] = [*getattr(problem, "notes", []), *said]
        extra = {
            # The caveats the terminal printed, for the report page and the manifest,
            # which travel without it (an outside check, decision 919): what the vote
            # data leaves out of the patterns, then what the run found.
            "notes": notes,
            "generations": run.generations,
            "simulations": run.simulations,
            "final_epsilon": run.epsilon,
            "stopped": run.stopped,
            "model_probabilities": dict(
                zip(table["variant"], table["model_probability"], strict=True)
            ),
        }
        if figures:
            from sim.calibrate.figures import run_facts, write_figures

            facts = run_facts(calibration, extra, command)
            write_figures(
                folder, calibration, particles, checks, facts, notes=notes, width=width, dpi=dpi
            )
        _record(folder, identity)
        extra["integrity"] = INTEGRITY
        _write_json(folder / MANIFEST, manifest("complete", extra))
    elapsed = time.perf_counter() - start
    engine = getattr(problem, "engine", None) or "fast"
    print(summary_line(calibration, run, folder, elapsed, compiling.seconds, engine), flush=True)
    return Outcome(folder, run)


def _draw_finished(
    folder: Path,
    calibration: Calibration,
    manifest: Mapping[str, Any],
    identity: str,
    width: float | None,
    dpi: float | None,
) -> None:
    """The figures and ``report.html`` of a finished calibration that ran without them,
    from its tables and manifest (what the run would have drawn), then its integrity
    record again with them."""
    from sim.calibrate.figures import FIGURES, run_facts, write_figures

    require_writable(folder / FIGURES)
    particles = pd.read_parquet(folder / "posterior.parquet")
    checks = pd.read_csv(folder / "checks.csv")
    # The finished manifest holds the run's account (its `extra`) at its top level.
    facts = run_facts(calibration, manifest, manifest.get("command") or [])
    notes = manifest.get("notes") or []
    write_figures(folder, calibration, particles, checks, facts, notes=notes, width=width, dpi=dpi)
    _record(folder, identity)


@contextmanager
def _incomplete_when_stopped(
    folder: Path, manifest: Callable[[str, Mapping[str, Any]], dict[str, Any]]
) -> Iterator[None]:
    """A calibration that stops before its end (Ctrl-C, a signal, its workers dying, an
    error) says so in its manifest (``manifest(status, extra)``): status ``incomplete``,
    as a sweep's, with the generations it keeps. It said ``running`` for good (decision
    595 had ``check`` read that as stopped). An interrupt is marked with those
    generations and the folder, for the line the command says (:func:`sim.errors.mark_kept`)."""
    try:
        yield
    except BaseException as exc:
        kept = _generations_kept(folder)
        # Best effort: a full disk that stopped the calibration fails this write too, and
        # the error that stopped it is the one to say.
        with suppress(Exception):
            extra = {"generations": kept} if kept is not None else {}
            _write_json(folder / MANIFEST, manifest("incomplete", extra))
        if isinstance(exc, KeyboardInterrupt):
            mark_kept(exc, kept, folder)
        raise


def _generations_kept(folder: Path) -> int | None:
    """The finished generations in ``folder``'s history (0 without one), or None when it
    cannot be read now."""
    db = folder / HISTORY
    return history_generations(f"sqlite:///{db}") if db.is_file() else 0


def _kept_text(folder: Path) -> str:
    """What a calibration ended by its workers dying keeps, and how to go on."""
    finished = _generations_kept(folder) or 0
    if not finished:
        return f"no generation had finished in {folder}; the same command starts it again"
    kept = "is" if finished == 1 else "are"
    return (
        f"the {count_text(finished, 'finished generation')} {kept} kept in {folder}, "
        "and the same command goes on from there"
    )


def _record(folder: Path, identity: str) -> None:
    """Record every file of the finished calibration in ``integrity.json`` (its
    SHA-256, size and, for Parquet, rows), so ``credsim check`` and the commands that
    read the posterior notice a file lost or damaged later (docs/results_layout.md)."""
    records = Records(folder)
    records.start(KIND, identity)
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name not in (MANIFEST, INTEGRITY) and not p.name.startswith(".")
    )
    records.add({p: table_rows(p) if p.suffix == ".parquet" else None for p in files})


def summary_line(
    calibration: Calibration,
    run: Run,
    folder: Path,
    elapsed: float,
    compiling: float = 0.0,
    engine: str = "fast",
) -> str:
    """The closing line: generations, simulations, time, final epsilon, why it stopped, where.

    ``compiling``: the seconds of ``elapsed`` that numba spent compiling (a cold cache),
    said as a part of it when there were any.
    """
    earlier = f" ({run.generations - run.ran} done earlier)" if run.generations > run.ran else ""
    session = f"{_duration(elapsed)} in this session"
    if compiling >= progress.COMPILING_SAID_S:
        session += f" ({_short(compiling)} of it compiling {compiled_text(engine, 'calibrations')})"
    return (
        f"calibration '{calibration.name}': {count_text(run.generations, 'generation')}{earlier}, "
        f"{run.simulations} simulations, {session}, final epsilon "
        f"{run.epsilon:.4g} ({run.stopped}); results in {folder}"
    )
