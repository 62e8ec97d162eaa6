"""A sweep from start to finish: plan, skip what is committed, execute, commit, consolidate.

:func:`run_sweep` is the library entry point (tests call it with a fake run
function); :func:`cli_sweep` is ``credsim sweep``, a thin shell around it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import integrity, provenance
from sim.compiling import compiled_text
from sim.errors import InputError, count_text, mark_drawing, mark_kept, named_when_full
from sim.fileio import interrupts_held, require_writable
from sim.forkserver import default_workers, sweep_executor
from sim.runner import run_scenario
from sim.sweep.executors import (
    RunFunction,
    RunResult,
    check_address,
    check_workers,
    make_executor,
)
from sim.sweep.experiment import (
    Experiment,
    experiment_from_scenario,
    load_experiment,
    plan_runs,
    scenario_trees,
)
from sim.sweep.progress import Progress
from sim.sweep.store import Store

# A chunk is committed when it holds this share of the sweep's runs (bounded below and
# above), when it holds this many tidy-table rows, or when this much time has passed:
# a kill loses little, and the parent never holds many results.
_CHUNKS_PER_SWEEP = 6
_CHUNK_RUNS = (16, 500)
_CHUNK_TABLE_ROWS = 1_000_000
_CHUNK_SECONDS = 10.0


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep did.

    Attributes:
        folder: the results folder.
        planned: runs the experiment plans.
        ran: runs done by this call (0 when the sweep was already complete).
        failed: failed runs among all planned ones (earlier calls included).
        reshown: the runs were all done but the file's ``question:`` or ``plots:``
            changed, so the manifest took the new ones and the report is stale.
    """

    folder: Path
    planned: int
    ran: int
    failed: int
    reshown: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every run succeeded, 1 when any failed."""
        return 1 if self.failed else 0


def default_folder(experiment: Experiment) -> Path:
    """``results/<experiment name>/<short hash of the resolved experiment>``."""
    return Path("results") / experiment.name / experiment.short_hash()


@dataclass(frozen=True)
class _Origin:
    """Where the sweep's results come from: read once per sweep, written in both manifests."""

    versions: dict[str, str]
    git: dict[str, Any]
    # The sim package's SHA-256 (provenance.code_digest): uncommitted changes, and code
    # outside git, have no commit of their own (decision 1002).
    code: str | None = None

    @classmethod
    def read(cls) -> _Origin:
        return cls(provenance.versions(), provenance.git_info(), provenance.code_digest())


def _manifest(
    experiment: Experiment,
    origin: _Origin,
    started: str,
    command: list[str],
    status: str,
    counts: dict[str, int],
    finished: str | None,
    earlier: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec = experiment.spec
    versions = origin.versions
    return {
        "kind": "sweep",
        "credsim": versions.get("credsim"),
        "experiment_name": experiment.name,
        **_shown(experiment),
        "scenarios": scenario_trees(experiment),
        "design": experiment.design_manifest(),
        "varied": experiment.varied,
        "replicates": spec.replicates,
        "seed": spec.seed,
        "seed_sequence": "numpy.random.SeedSequence(seed, spawn_key=(replicate,))",
        "record": spec.record,
        "engine": spec.engine,
        "command": command,
        "cwd": provenance.cwd(),
        "versions": versions,
        "git": origin.git,
        "code_sha256": origin.code,
        # The code of earlier calls whose runs the folder holds, where it was other
        # (:func:`earlier_code`): a resume after a `git pull` mixed two versions' runs
        # under a manifest naming the last only (an outside check; decision 997).
        **({"git_earlier": earlier} if earlier else {}),
        "host": provenance.host(),
        "started": started,
        "finished": finished,
        "status": status,
        "counts": counts,
    }


def earlier_code(
    previous: Mapping[str, Any] | None,
    git: Mapping[str, Any],
    done: int,
    code: str | None = None,
) -> list[dict[str, Any]]:
    """The code (commit, dirty, sim package SHA-256, credsim version) of the earlier calls
    whose ``done`` committed runs a resumed folder holds, where it differs from this
    call's (``git`` and ``code``): the previous manifest's own and those it recorded,
    oldest first. Empty for a new folder or one with no run kept.

    Two calls whose sim packages have the same SHA-256 ran the same code, whatever their
    commits (a commit may change no file of the package); where either has no digest (a
    folder of an older credsim), their commits decide. With the digests, uncommitted
    changes between the calls, and code outside git, are told apart as well: a resume
    after an edit of the model's code mixed two models' runs without a word, as a
    `git pull` had (decisions 997 and 1002).
    """
    if not previous or not done:
        return []
    seen = [g for g in previous.get("git_earlier") or [] if isinstance(g, dict)]
    last = previous.get("git")
    if isinstance(last, dict):
        then = previous.get("code_sha256")
        seen.append(
            {**last, **({"code_sha256": then} if then else {}), "credsim": previous.get("credsim")}
        )
    out: list[dict[str, Any]] = []
    for state in seen:
        if _other_code(state, git, code) and state not in out:
            out.append(state)
    return out


def _other_code(state: Mapping[str, Any], git: Mapping[str, Any], code: str | None) -> bool:
    """Whether an earlier call's code ``state`` differs from this call's."""
    then = state.get("code_sha256")
    if then and code:
        return bool(then != code)
    commit = git.get("commit")
    return bool(state.get("commit") and commit and state.get("commit") != commit)


def code_text(state: Mapping[str, Any], now: Mapping[str, Any] | None = None) -> str:
    """A call's code as the resume's warning names it: its commit, and whether that
    commit had changes of its own (said where it is this call's commit too)."""
    commit = state.get("commit")
    if not commit:
        return "a copy outside git"
    if now is not None and commit == now.get("commit"):
        return f"commit {str(commit)[:12]} with other uncommitted changes"
    changed = " with uncommitted changes" if state.get("dirty") else ""
    return f"commit {str(commit)[:12]}{changed}"


def say_earlier_code(
    folder: Path, earlier: list[dict[str, Any]], git: Mapping[str, Any], done: int
) -> None:
    """Warn that a resumed sweep's runs will be of more than one version of the code."""
    if not earlier:
        return
    then = ", ".join(code_text(g, git) for g in earlier)
    print(
        f"credsim: warning: the {count_text(done, 'run')} {folder} holds were made by other "
        f"code ({then}); this call's is {code_text(git)}: the sweep's results will mix the two "
        "versions (the manifest records both under 'git_earlier'); another --out runs the "
        "whole sweep on this one",
        file=sys.stderr,
        flush=True,
    )


def _counts(planned: int, committed: dict[str, str]) -> dict[str, int]:
    """The manifest's ``counts`` from the ``{run_id: status}`` of the committed runs."""
    failed = sum(1 for status in committed.values() if status != "ok")
    return {"planned": planned, "done": len(committed), "failed": failed}


def run_sweep(
    experiment: Experiment | str | Path,
    folder: Path | None = None,
    *,
    executor: str = "serial",
    workers: int = 1,
    address: str | None = None,
    run_fn: RunFunction | None = None,
    quiet: bool = False,
    command: list[str] | None = None,
    announce: Callable[[], None] | None = None,
    redraw: bool = False,
) -> SweepOutcome:
    """Run every planned run not yet committed in ``folder``, then consolidate ``runs.parquet``.

    Args:
        experiment: the loaded experiment (:func:`load_experiment`), or its file's path.
        folder: the results folder (default :func:`default_folder`).
        executor: ``serial``, ``process`` or ``dask``.
        workers: worker processes (process, and dask's LocalCluster).
        address: a Dask scheduler to use instead of a LocalCluster.
        run_fn: the run function (default :func:`sim.runner.run_scenario` on the
            experiment's engine).
        quiet: no live progress line (the closing summary is printed anyway).
        command: the command line for the manifest.
        announce: called once the folder is claimed and runs are to be done, before
            the first (``credsim sweep`` says the scenario files' notes there).
        redraw: the caller draws a finished sweep's figures again (``--width`` or
            ``--dpi``), which its "already complete" line says instead of "nothing to do".

    Raises:
        InputError: the folder holds another experiment, or a design point is invalid.
    """
    if isinstance(experiment, (str, Path)):
        # A path, as `credsim sweep FILE` takes, met "'str' object has no attribute
        # 'spec'" (an outside check of the Python API, decision 959).
        experiment = load_experiment(experiment)
    if not isinstance(experiment, Experiment):
        raise TypeError(
            "run_sweep takes an experiment loaded by sim.sweep.load_experiment(path) (or "
            f"its path), got {type(experiment).__name__}"
        )
    # Workers as `--workers` takes them: 0 ran as 1 without a word (decision 959).
    if executor != "serial":
        check_workers(workers, address if executor == "dask" else None)
    folder = Path(folder) if folder is not None else default_folder(experiment)
    # A read-only place is a --out to change, not a disk that failed (decision 824).
    require_writable(folder, new=True)
    if executor == "dask" and address:
        check_address(address)  # before anything is written
    if run_fn is None:
        run_fn = functools.partial(run_scenario, engine=experiment.spec.engine)
    store = Store(
        folder,
        experiment.identity(),
        experiment.varied,
        list(experiment.scenarios),
        differs=functools.partial(differs_text, folder, experiment),
    )
    # The executor first, so that its workers start while the sweep plans and writes the
    # folder; package versions and the git state (a subprocess) are read by a thread meanwhile.
    with (
        _frozen_heap(),
        ThreadPoolExecutor(1) as background,
        make_executor(
            executor,
            experiment.scenarios_by_hash,
            workers=workers,
            address=address,
            run_fn=run_fn,
        ) as ex,
    ):
        origin = background.submit(_Origin.read)
        tasks = plan_runs(experiment)
        _same_engine(experiment, integrity.read_json(folder / integrity.MANIFEST), folder)
        with store:
            problems = store.repair()
            for problem in problems:
                print(f"repairing {folder / problem.file}: it {problem.what}", flush=True)
            done = store.committed()
            counts = _counts(len(tasks), done)
            failed_before = counts["failed"]
            pending = [t for t in tasks if t.run_id not in done]
            previous = store.read_manifest()
            if (
                not pending
                and previous is not None
                # A damaged manifest (decision 488) is written again, as at the end of a sweep.
                and all(p.file != integrity.MANIFEST for p in problems)
                and previous.get("status") == "complete"
                and store.consolidated()
                and store.has_design()
            ):
                reshown = _reshow(experiment, store, previous)
                # Not "nothing to do" before "writing figures ..." (decision 1029).
                idle = "its figures and report.html are drawn again" if redraw else "nothing to do"
                what = _updated_text(previous, experiment) if reshown else idle
                runs = count_text(len(tasks), "run")
                print(
                    f"sweep '{experiment.name}' is already complete ({runs}, "
                    f"{failed_before} failed) in {folder}; {what}"
                    + _other_engine_text(experiment, previous)
                    + _failed_kept_text(failed_before),
                    flush=True,
                )
                return SweepOutcome(folder, len(tasks), 0, failed_before, reshown)
            if announce is not None:
                announce()
            try:
                # The first runs go to the workers now; their results are taken (and
                # committed) only after the manifest and the design are written.
                results = ex.results(pending)
                start = _Start(
                    origin.result(), previous, len(tasks), counts, command, quiet, ex.compiling
                )
                with named_when_full(folder):
                    return _execute(experiment, store, results, start)
            except KeyboardInterrupt as exc:
                # A resumed sweep stopped as its workers started was told "interrupted
                # before the sweep's runs began", not that the runs it held are kept (an
                # outside check, decision 923). _execute's own mark, made later, stands.
                if counts["done"]:
                    mark_kept(exc, counts["done"], folder)
                raise


def _failed_kept_text(failed: int) -> str:
    """The clause that a finished folder's failed runs are not run again (``""`` when none
    failed): a researcher who mended the cause and ran the command again read "nothing to
    do" and exit 1 with no way on (an outside check, decision 940)."""
    if not failed:
        return ""
    them = "it" if failed == 1 else "them"
    return (
        f"; a failed run is a result of the sweep (its error is in runs.parquet) and is not "
        f"run again here: to run {them} again, give another --out"
    )


def _other_engine_text(experiment: Experiment, previous: dict[str, Any]) -> str:
    """The clause that a finished folder's runs are another engine's than the one asked
    for (``""`` when they are not): `--engine fast` on a folder the Mesa engine finished
    said "nothing to do" only (an outside check, decision 940)."""
    ran, asked = previous.get("engine"), experiment.spec.engine
    if not ran or ran == asked:
        return ""
    return (
        f"; its runs are the {ran} engine's, not {asked}'s as this command asks: another "
        f"--out runs them on {asked}"
    )


def _same_engine(experiment: Experiment, previous: dict[str, Any] | None, folder: Path) -> None:
    """Refuse to go on with a folder's unfinished runs on another engine than its own.

    The engine is not part of the folder's identity (the engines agree within
    1e-12, not to the bit), so a sweep stopped on one engine and resumed on the
    other would hold runs of both, under a manifest naming one. A finished
    folder runs nothing more, and keeps its engine (:func:`_reshow`).

    Raises:
        InputError: before anything in the folder is touched.
    """
    if previous is None or previous.get("status") == "complete":
        return
    if previous.get("identity") != experiment.identity():
        return  # another experiment's folder: the store refuses it, saying so
    ran = previous.get("engine")
    asked = experiment.spec.engine
    if ran and ran != asked:
        raise InputError(
            f"the runs in '{folder}' so far ran on the {ran} engine, and this sweep asks "
            f"for {asked}; finish them on {ran} (--engine {ran}) so that the folder holds "
            "one engine's runs, or give another --out"
        )


def _shown(experiment: Experiment) -> dict[str, Any]:
    """The manifest's record of the file as given, its source and its resolved form."""
    return {
        "experiment": experiment.given,
        "source": experiment.source,
        "resolved": experiment.resolved(),
    }


def _same_file(previous: dict[str, Any], source: str | None) -> bool:
    """Whether ``source`` (as given now, from this folder) names the file the manifest's
    ``source`` named from its ``cwd``."""
    before, cwd = previous.get("source"), previous.get("cwd")
    if not isinstance(before, str) or not isinstance(cwd, str) or source is None:
        return False
    try:
        return (Path(cwd) / before).resolve() == Path(source).resolve()
    except OSError:
        return False


def _updated_text(previous: dict[str, Any], experiment: Experiment) -> str:
    """What a finished folder's rerun changed in its record, in words: the file's
    ``question:``, ``plots:`` or description, else its record of the file."""
    held = previous.get("experiment")
    before: dict[str, Any] = held if isinstance(held, dict) else {}
    given = json.loads(json.dumps(experiment.given, default=str))
    changed = [
        key for key in ("question", "plots", "description") if before.get(key) != given.get(key)
    ]
    if not changed:
        return "its record of the experiment file updated"
    words = " and ".join(changed) if len(changed) < 3 else "question, plots and description"
    return f"the {words} updated"


def _reshow(experiment: Experiment, store: Store, previous: dict[str, Any]) -> bool:
    """Give a finished folder the file's ``question:`` and ``plots:`` (decision 90: they
    change what is shown, not what is run, so the folder is kept).

    Only the file as given, its source and its resolved form are replaced; what
    describes the runs (versions, git, command, times, counts) stays.

    Returns:
        Whether the manifest changed.
    """
    shown: dict[str, Any] = _shown(experiment)
    # As JSON, the way the manifest holds them (a YAML date becomes its text).
    shown = json.loads(json.dumps(shown, default=str))
    if _same_file(previous, shown["source"]):
        # The same file named from another folder: the record keeps its path, which is
        # relative to the manifest's cwd (a new path beside the old cwd would name
        # nothing), and the rerun is no change ("nothing to do").
        shown["source"] = previous.get("source")
    # So do its scenario files, named from that other folder (an audit: a scenario named
    # relative to the file became absolute, and the sweep said "the question and plots
    # updated" of a file with neither; decision 644).
    for key, now in (shown["resolved"].get("scenarios") or {}).items():
        held = ((previous.get("resolved") or {}).get("scenarios") or {}).get(key)
        if (
            isinstance(held, dict)
            and isinstance(now, dict)
            and _same_file(
                {"source": held.get("file"), "cwd": previous.get("cwd")}, now.get("file")
            )
        ):
            now["file"] = held.get("file")
    # The engine describes the runs, which ran on the folder's (an --engine given now
    # runs nothing): the record keeps it.
    for key in ("experiment", "resolved"):
        before = previous.get(key)
        if isinstance(before, dict) and isinstance(shown.get(key), dict):
            if "engine" in before:
                shown[key]["engine"] = before["engine"]
            else:
                shown[key].pop("engine", None)
    if all(previous.get(key) == value for key, value in shown.items()):
        return False
    store.write_manifest({**previous, **shown})
    return True


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """The heap as it is now out of the cyclic collector's view while the sweep runs.

    The parent's heap holds the imported modules, the experiment and its
    scenarios: a full collection walks all of it (about 60 ms, with the GIL
    held, so results wait too) and frees nothing. Frozen, the collections
    during the sweep walk only what the sweep made (its results, its tables);
    the heap is unfrozen after, as :class:`~sim.sweep.executors.SerialExecutor` does.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class _Start:
    """What a sweep knows when its runs start: for the manifest and the progress line.

    Attributes:
        origin: package versions and git state.
        previous: the folder's manifest from an earlier call, if any.
        planned: runs the experiment plans.
        counts: the manifest's counts of the runs committed before this call.
        command: the command line for the manifest (None: this process's).
        quiet: no live progress line.
        compiling: the executor's seconds of compiling (:meth:`Executor.compiling`).
    """

    origin: _Origin
    previous: dict[str, Any] | None
    planned: int
    counts: dict[str, int]
    command: list[str] | None
    quiet: bool
    compiling: Callable[[], tuple[float, float]]


def differs_text(folder: Path, experiment: Experiment) -> str:
    """What sets the sweep already in ``folder`` apart from ``experiment``, for the refusal
    to mix them ("replicates 2, this sweep's 3"); "" when ``folder`` holds no sweep, and
    "other values" when none of the fields compared here differs (the store uses the
    text only when the identities differ).

    The same experiment with one value changed (``--reps``, ``--record``, a grid value)
    was refused as "holds a different experiment ('NAME', sweep)", naming the experiment
    the user had just given (decision 698).
    """
    held = integrity.read_json(folder / integrity.MANIFEST)
    if not isinstance(held, dict) or held.get("kind") != "sweep":
        return ""
    old = held.get("resolved")
    if not isinstance(old, dict):
        return ""
    new = experiment.resolved()
    if old.get("name") != new["name"]:
        return f"this sweep's is '{new['name']}'"
    said: list[str] = []

    def differ(what: str, a: Any, b: Any) -> None:
        if a != b:
            said.append(f"{what} {_brief(a)}, this sweep's {_brief(b)}")

    old_scenarios = _mapping(old.get("scenarios"))
    if list(old_scenarios) != list(new["scenarios"]):
        differ("scenarios", ", ".join(old_scenarios), ", ".join(new["scenarios"]))
    else:
        trees = _mapping(held.get("scenarios"))
        given = json.loads(json.dumps(scenario_trees(experiment)))
        for key, entry in new["scenarios"].items():
            held_entry = old_scenarios.get(key)
            if isinstance(held_entry, dict) and held_entry.get("hash") != entry["hash"]:
                # The paths that differ, from the resolved trees the manifest keeps: "other
                # values" left the user to find which of a scenario's (an outside check
                # changed one with --set; decision 828).
                found = tree_differences(_mapping(trees.get(key)), given.get(key))
                more = f"; {len(found) - 3} more" if len(found) > 3 else ""
                where = (
                    ": " + "; ".join(found[:3]) + more if found else " (its file or the overrides)"
                )
                said.append(f"scenario '{key}' has other values{where}")
    old_design = _mapping(old.get("design"))
    design = new["design"]
    differ("design method", old_design.get("method"), design["method"])
    if old_design.get("method") == design["method"]:
        differ("design samples", old_design.get("samples"), design["samples"])
        if design["method"] == "morris":
            differ("design levels", old_design.get("levels"), design["levels"])
        old_parameters = old_design.get("parameters")
        if isinstance(old_parameters, dict) and list(old_parameters) != list(design["parameters"]):
            differ("varied", ", ".join(old_parameters), ", ".join(design["parameters"]))
        elif isinstance(old_parameters, dict):
            for path, spec in design["parameters"].items():
                differ(path, old_parameters.get(path), spec)
    for field in ("replicates", "seed", "record"):
        differ(field, old.get(field), new[field])
    return "; ".join(said) or "other values"


def tree_differences(held: Any, given: Any, path: str = "") -> list[str]:
    """Where two resolved scenario trees differ, in their order: ``path held, this
    sweep's given`` for each value (a list is compared whole, ``events`` item by item)."""
    if isinstance(held, dict) and isinstance(given, dict):
        found: list[str] = []
        for key in [*held, *(k for k in given if k not in held)]:
            found += tree_differences(held.get(key), given.get(key), f"{path}.{key}".lstrip("."))
        return found
    if path == "events" and isinstance(held, list) and isinstance(given, list):
        if len(held) != len(given):
            return [f"events: {len(held)}, this sweep's {len(given)}"]
        return [
            item
            for i, (a, b) in enumerate(zip(held, given, strict=True))
            for item in tree_differences(a, b, f"events[{i}]")
        ]
    if held != given:
        return [f"{path} {_brief(held)}, this sweep's {_brief(given)}"]
    return []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _brief(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _execute(
    experiment: Experiment, store: Store, results: Iterator[RunResult], start: _Start
) -> SweepOutcome:
    """Write the manifest and design, take the results, commit them in chunks, consolidate."""
    folder, origin, previous, planned = store.folder, start.origin, start.previous, start.planned
    counts, failed_before = start.counts, start.counts["failed"]
    started = str(previous.get("started") or provenance.now()) if previous else provenance.now()
    command = start.command or ["credsim", *sys.argv[1:]]
    earlier = earlier_code(previous, origin.git, counts["done"], origin.code)
    say_earlier_code(folder, earlier, origin.git, counts["done"])
    manifest = functools.partial(_manifest, earlier=earlier)
    # The manifest first: from its first file on, the folder says what it is.
    store.write_manifest(manifest(experiment, origin, started, command, "running", counts, None))
    if not store.has_design():
        store.write_design(experiment.points)
    progress = Progress(
        planned,
        counts["done"],
        failed_before,
        live=False if start.quiet else None,
        compiling=start.compiling,
        # The fast engine; on the Mesa engine, numba's kernels of the recorder, and in a
        # process sweep the fork server's preload of the fast engine (decision 723).
        compiled=compiled_text(experiment.spec.engine, "sweeps"),
    )
    chunk_runs = min(max(planned // _CHUNKS_PER_SWEEP, _CHUNK_RUNS[0]), _CHUNK_RUNS[1])
    buffer: list[RunResult] = []
    table_rows = 0
    last_commit = time.perf_counter()
    status = "incomplete"
    interrupt: KeyboardInterrupt | None = None
    try:
        for result in results:
            buffer.append(result)
            progress.update(result.failed)
            table_rows += sum(len(t) for t in (result.series, result.actors) if t is not None)
            if (
                len(buffer) >= chunk_runs
                or table_rows >= _CHUNK_TABLE_ROWS
                or time.perf_counter() - last_commit >= _CHUNK_SECONDS
            ):
                # One step for a signal: a Ctrl-C between the commit and letting go of
                # its runs would have the clean-up commit them again (decision 774).
                with interrupts_held():
                    store.commit(buffer)
                    buffer, table_rows, last_commit = [], 0, time.perf_counter()
        status = "complete"
    except KeyboardInterrupt as exc:
        interrupt = exc
        raise
    finally:
        # Interrupted (Ctrl-C) or not, what finished is kept and the table reflects it. A
        # signal while it does so waits for it: one during the last chunk's commit or
        # runs.parquet's consolidation left the manifest "running" and was told
        # "interrupted before the sweep's runs began" of 532 runs kept (an outside check;
        # decision 997), a second Ctrl-C after a first likewise.
        kept: int | None = None
        try:
            with interrupts_held():
                store.finish(buffer)
                counts = _counts(planned, store.committed())
                kept = counts["done"]
                store.write_manifest(
                    manifest(experiment, origin, started, command, status, counts, provenance.now())
                )
                if interrupt is not None:
                    mark_kept(interrupt, kept, folder)
        except KeyboardInterrupt as late:
            mark_kept(late, kept, folder)
            raise
    progress.close(progress.summary(experiment.name, str(folder)))
    return SweepOutcome(folder, planned, progress.done, counts["failed"])


def _experiment(args: argparse.Namespace) -> Experiment:
    from sim.scenario.loader import parse_overrides

    overrides = {o.path: o.value for o in parse_overrides(list(args.overrides or []))}
    common: dict[str, Any] = {
        "replicates": args.reps,
        "seed": args.seed,
        "record": args.record,
        "engine": args.engine,
        "overrides": overrides,
        "max_runs": args.max_runs,
    }
    if _is_experiment_file(Path(args.file)):
        if args.vary:
            raise InputError(
                f"--vary is for a scenario file; {args.file} is an experiment file: "
                "put the parameters under its design.parameters"
            )
        return load_experiment(args.file, **common)
    return experiment_from_scenario(args.file, list(args.vary), **common)


def _is_experiment_file(path: Path) -> bool:
    """Whether ``path`` holds an experiment (a ``scenarios`` field, or fields that are an
    experiment's: :func:`sim.inputs.file_kind`) rather than a scenario.

    Raises:
        InputError: the file is empty or not a mapping, which fits neither kind.
    """
    from sim.inputs import file_kind
    from sim.scenario.loader import read_document, read_text

    kinds = "an experiment file (name, scenarios, design, ...) or a scenario file with --vary"
    try:
        text = read_text(path, str(path))
    except InputError:
        return False  # the scenario loader reports it
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise InputError(f"the file is empty; credsim sweep takes {kinds}", file=str(path))
    try:
        tree = read_document(text, str(path)).tree
    except InputError:
        return False  # the scenario loader reports it with file and line
    if not isinstance(tree, dict):
        raise InputError(
            f"expected a mapping of fields, got a {type(tree).__name__}; credsim sweep takes "
            f"{kinds}",
            file=str(path),
        )
    # A file without its `scenarios` (or with `scenario:`) whose fields are otherwise an
    # experiment's is one: the scenario loader told it "unknown field 'replicates'" or to
    # run it with `credsim sweep` (an outside check, decision 812).
    kind = file_kind(tree)
    if "scenarios" in tree or kind == "experiment":
        return True
    # Of another kind (a pattern file): the scenario loader names the command that takes it.
    return kind is None and file_kind(tree, ("scenario", "experiment")) == "experiment"


def cli_sweep(args: argparse.Namespace) -> int:
    """``credsim sweep EXPERIMENT.yaml`` or ``credsim sweep SCENARIO --vary PATH=SPEC ...``.

    Returns:
        0 when every run succeeded, 1 when any failed (bad input raises InputError: exit 2).
    """
    from sim.validate import override_texts, print_file_notes

    workers = args.workers if args.workers is not None else default_workers()
    check_workers(workers, args.address)  # before the experiment is read
    outcome: SweepOutcome | None = None
    drawing = False
    try:
        experiment = _experiment(args)
        if args.executor == "serial" and workers > 1 and args.workers is not None:
            raise InputError(
                f"--executor serial runs one run at a time; drop --workers {workers}, or use "
                "--executor process to run in parallel"
            )
        if args.address and args.executor not in (None, "dask"):
            raise InputError("--address names a Dask scheduler; use it with --executor dask")
        executor = sweep_executor(args.executor, args.address, workers)
        # --width or --dpi given draws a finished sweep's figures again at them. They are
        # this call's, not the folder's: a later call that draws (a resumed sweep) without
        # them draws at the defaults (decision 1026).
        asked = not args.no_plots and (args.width is not None or args.dpi is not None)
        outcome = run_sweep(
            experiment,
            Path(args.out) if args.out else None,
            executor=executor,
            workers=workers,
            address=args.address,
            quiet=args.quiet,
            announce=functools.partial(
                print_file_notes,
                experiment.scenario_files.values(),
                override_texts(experiment.spec.overrides),
            ),
            redraw=asked,
        )
        if not args.no_plots:
            from sim.plots import say_left_out, write_report
            from sim.plots.figure import at_dpi
            from sim.plots.report import FigureProgress

            report = outcome.folder / "report.html"
            if outcome.ran or outcome.reshown or not report.exists() or asked:
                print("writing figures and the report page ...", flush=True)
                drawing = True
                left_out: list[str] = []
                progress = FigureProgress()
                with at_dpi(args.dpi):
                    report = write_report(
                        outcome.folder, progress=progress, left_out=left_out, width=args.width
                    )
                drawing = False
                say_left_out(outcome.folder, None, left_out, progress.total)
            print(f"report: {report}")
        elif outcome.ran:
            from sim.runner import note_old_report

            note_old_report(outcome.folder)
        _print_answer(outcome.folder)
    except KeyboardInterrupt as exc:
        # Once the runs began, the sweep marked what it kept (:func:`_execute`); before,
        # no run of it had begun (it was told that the finished runs are kept in a folder
        # that did not exist; an audit); after, while it drew, every run is kept.
        if outcome is None:
            mark_kept(exc, None)
        else:
            mark_kept(exc, outcome.planned, outcome.folder)
            if drawing:
                # "run the same command again to go on from them" of runs all finished
                # (an outside check, decision 923): what is missing is the figures.
                mark_drawing(exc)
        raise
    return outcome.exit_code


def _print_answer(folder: Path) -> None:
    """The experiment's question and the report's answer to it, last on the terminal."""
    from sim.plots.headline import answer_lines
    from sim.results import open_results

    try:
        lines = answer_lines(open_results(folder))
    except InputError as exc:  # the runs are kept; only the answer cannot be given
        print(f"credsim: note: no answer to the question: {exc}", file=sys.stderr)
        return
    for line in lines:
        print(line)
