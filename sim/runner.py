"""One run, start to finish: scenario + seed -> summary, series, actors, files.

:func:`run_scenario` is what sweeps call in their workers (no files);
:func:`write_run` writes a run folder (model.md section 7); :func:`cli_run`
is ``credsim run``.
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from sim import integrity, manifests, provenance
from sim.errors import InputError, count_text
from sim.fileio import (
    atomic_write_text,
    json_text,
    remove_leftovers,
    require_writable,
    write_parquet,
)
from sim.metrics import FlatSummary, flatten_summary
from sim.model import CredibilityModel, RunResults, StepCallback
from sim.options import ENGINES, Record, check_record
from sim.scenario import Scenario, load_scenario, runnable_tree, scenario_hash
from sim.seeds import check_seed, seed_sequence

if TYPE_CHECKING:
    from sim.fast import FastModel
    from sim.sweep.progress import StepProgress

# The data files of a run folder (besides manifest.json and integrity.json).
_RUN_FILES = ("summary.json", "series.parquet", "actors.parquet")


class RunOutput:
    """What one run produces (tables are None when not recorded).

    The summary comes nested (:attr:`summary`, ``summary.json``) and flat
    (:attr:`flat`, the metrics of a runs row). Given a finished model as
    ``results``, each is computed from its statistics when first asked for,
    so a sweep that wants the flat form never builds the nested one.

    Args:
        summary: the nested summary; leave out when ``results`` is given.
        series: the tidy series, or None.
        actors: the per-actor table, or None.
        results: the finished run whose statistics give the summary.
    """

    def __init__(
        self,
        summary: dict[str, Any] | None = None,
        series: pd.DataFrame | None = None,
        actors: pd.DataFrame | None = None,
        *,
        results: RunResults | None = None,
    ) -> None:
        if (summary is None) == (results is None):
            raise ValueError("give a RunOutput either its summary or the finished run")
        self._summary = summary
        self._results = results
        self.series = series
        self.actors = actors

    @property
    def summary(self) -> dict[str, Any]:
        """The nested summary of model.md section 7 (``summary.json``)."""
        if self._summary is None:
            self._summary = cast("RunResults", self._results).summary()
        return self._summary

    @property
    def flat(self) -> FlatSummary:
        """The summary flattened: ``flatten_summary(summary)``, NaN for None."""
        if self._results is not None:
            return self._results.flat_summary()
        return FlatSummary.of(flatten_summary(self.summary))


def model_class(engine: str) -> type[CredibilityModel] | type[FastModel]:
    """The model class of ``engine``: ``mesa`` or ``fast`` (same constructor, same outputs).

    Raises:
        InputError: an unknown engine.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}'; allowed: {', '.join(ENGINES)}")
    if engine == "fast":
        from sim.fast import FastModel

        return FastModel
    return CredibilityModel


def run_scenario(
    scenario: Scenario,
    seed: int | np.random.SeedSequence,
    record: Record = "summary",
    engine: str = "mesa",
    on_step: StepCallback | None = None,
) -> RunOutput:
    """Run ``scenario`` to its calendar's end.

    Args:
        scenario: a validated scenario (overrides already applied).
        seed: an int (taken as replicate 0 of that seed) or a ``SeedSequence``.
        record: ``summary``, ``series`` or ``actors`` (each includes the previous).
        engine: ``mesa`` (:class:`CredibilityModel`, the reference) or ``fast``
            (:class:`sim.fast.FastModel`); both give the same outputs.
        on_step: called with the steps done and the steps in all as the run goes
            (after each step, or each chunk of the fast engine's).

    Returns:
        The summary, and the tidy series / per-actor table when recorded.

    Raises:
        NonFiniteState: the model's state became infinite or NaN at some step.
    """
    check_record(record)
    cls = model_class(engine)
    if not isinstance(seed, np.random.SeedSequence):
        check_seed(seed, "seed")  # 1.5 ran as 1, -1 met numpy's words (decision 959)
    sequence = seed if isinstance(seed, np.random.SeedSequence) else seed_sequence(int(seed), 0)
    # Overflows and 0/0 surface as NonFiniteState naming the step and actor (sim.finite);
    # numpy's own warnings would only add lines without saying where.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        model = cls(scenario, rng=sequence, record=record).run(on_step)
    return RunOutput(
        series=model.series() if record != "summary" else None,
        actors=model.actors() if record == "actors" else None,
        results=model,
    )


def default_run_dir(scenario: Scenario, seed: int, identity: str | None = None) -> Path:
    """``results/runs/<scenario>-<hash of the resolved scenario and seed>`` (``identity``:
    that hash, when the caller has it)."""
    digest = identity or scenario_hash(scenario, seed)
    return Path("results") / "runs" / f"{scenario.name}-{digest[:10]}"


def write_run(
    out: Path,
    scenario: Scenario,
    output: RunOutput,
    *,
    seed: int,
    record: str,
    engine: str,
    source: str,
    overrides: list[str],
    started: str,
    elapsed: float,
    identity: str | None = None,
) -> None:
    """Write a run folder: manifest.json first, then the data files and their integrity record.

    The manifest says from the start what the folder holds (kind run, the
    identity of scenario and seed) with status ``running``; the data files
    (summary.json, series.parquet, actors.parquet) follow, are recorded in
    integrity.json, and the manifest is rewritten with status ``complete``.
    Data files of an earlier write of the same run are removed first. ``identity`` is
    ``scenario_hash(scenario, seed)`` when the caller has it already (a third of a
    second at 50,000 states).
    """
    identity = identity or scenario_hash(scenario, seed)
    out.mkdir(parents=True, exist_ok=True)
    versions = provenance.versions()
    manifest = {
        "kind": "run",
        "identity": identity,
        "integrity": integrity.INTEGRITY,
        "status": "running",
        "credsim": versions.get("credsim"),
        "scenario_name": scenario.name,
        "scenario": runnable_tree(scenario),
        "source": source,
        "overrides": overrides,
        "seed": seed,
        "seed_sequence": {"entropy": seed, "spawn_key": [0]},
        "record": record,
        "engine": engine,
        "versions": versions,
        "git": provenance.git_info(),
        "command": ["credsim", *sys.argv[1:]],
        "cwd": provenance.cwd(),
        "host": provenance.host(),
        "started": started,
        "finished": None,
        "elapsed_s": round(elapsed, 4),
    }
    # Written compact while running, indented once complete: the resolved scenario makes
    # it long (15 MB at 50,000 states), and json indents in Python, 5x slower than compact.
    atomic_write_text(out / "manifest.json", json.dumps(manifest) + "\n")
    records = integrity.Records(out)
    records.start("run", identity)
    stale = [out / name for name in _RUN_FILES]
    records.forget(stale)
    for path in stale:
        path.unlink(missing_ok=True)
    written: dict[Path, int | None] = {}
    for name, frame in (("series.parquet", output.series), ("actors.parquet", output.actors)):
        if frame is not None:
            write_parquet(frame, out / name, tidy=True)
            written[out / name] = len(frame)
    atomic_write_text(out / "summary.json", json.dumps(output.summary, indent=2) + "\n")
    written[out / "summary.json"] = None
    records.add(written)
    manifest.update(status="complete", finished=provenance.now())
    atomic_write_text(out / "manifest.json", json_text(manifest) + "\n")
    manifests.written(out / "manifest.json")  # made from the checked scenario


def _differs(out: Path, name: str, seed: int, overrides: list[str]) -> str:
    """What sets the run already in ``out`` apart from this one (its scenario, seed or
    --set values, else its scenario's values), for the refusal to write over it; ""
    when ``out`` holds no run."""
    held = integrity.read_json(out / "manifest.json")
    if not isinstance(held, dict) or held.get("kind") != "run":
        return ""
    if held.get("scenario_name") != name:
        return f"this run's is '{name}'"
    if held.get("seed") != seed:
        return f"seed {held.get('seed')}, this run's {seed}"
    if list(held.get("overrides") or []) != overrides:
        return f"--set {' '.join(held.get('overrides') or []) or 'nothing'}, this run's " + (
            " ".join(overrides) or "nothing"
        )
    return "other scenario values"


def note_old_report(out: Path) -> None:
    """Says that the folder's report page was drawn before these results were written
    (``--no-plots``, or a summary record): it is left as it was, and describes the
    results before them (an audit; decision 638)."""
    if (out / "report.html").exists():
        print(
            f"credsim: note: {out / 'report.html'} was drawn before these results and is "
            f"left as it was; credsim plot {out} redraws it",
            file=sys.stderr,
        )


def cli_run(args: argparse.Namespace) -> int:
    """``credsim run SCENARIO [--out DIR] [--seed N] [--set ...] [--record ...] [--engine ...]``."""
    check_seed(args.seed)  # as sweep's: a seed the results folder can store
    scenario = load_scenario(args.scenario, args.overrides or None)
    identity = scenario_hash(scenario, args.seed)
    out = Path(args.out) if args.out else default_run_dir(scenario, args.seed, identity)
    overrides = list(args.overrides or [])

    def claim() -> None:
        integrity.claim(
            out,
            "run",
            identity,
            functools.partial(_differs, out, scenario.name, args.seed, overrides),
        )

    # A read-only place said "failed: cannot write ...: Read-only file system", exit 1, as
    # a disk failing mid-run is (an outside check at scale, decision 824): it is a --out.
    require_writable(out, "--out" if args.out else None, new=True)
    claim()  # before anything is made
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    lock = os.open(out, os.O_RDONLY)
    try:
        # Two runs into one --out at once both said "results in ..." and one run's
        # results were lost (an audit, decision 654): the folder is locked while a run
        # writes it, as a sweep's is, and claimed again once locked.
        if not integrity.take_lock(lock):
            raise InputError(
                f"another run is writing to '{out}'; wait for it or choose another --out"
            )
        claim()
        # A killed run's temporary files (a 175 MB .actors.parquet.*.tmp) stayed after
        # the run was done again (an audit, decision 656): the lock makes them no one's.
        remove_leftovers(out)
        remove_leftovers(out / "plots")
        from sim.validate import print_file_notes

        # What `credsim validate` notes of the file, said here too (decision 947).
        print_file_notes([args.scenario], overrides)
        return _run_into(args, scenario, out, overrides, identity)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
        if made and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a run that failed, or was refused, leaves no empty folder


def engine_note(engine: str, compiling: float) -> str:
    """``fast engine``, with the seconds of the run spent compiling it when there were any."""
    if compiling < 0.005:  # nothing compiled (the kernels came from numba's cache)
        return f"{engine} engine"
    return (
        f"{engine} engine; {compiling:.2f} s of it compiling the engine, once: later runs "
        "load it from numba's cache"
    )


def _run_into(
    args: argparse.Namespace, scenario: Scenario, out: Path, overrides: list[str], identity: str
) -> int:
    """The run of :func:`cli_run` once its folder is claimed and locked."""
    from sim.sweep.progress import StepProgress

    # A long run (a drawn scenario of many states) shows its steps on a terminal, as a
    # sweep shows its runs (experiments.md: a command that can take over a couple of
    # seconds shows its progress; an outside check, decision 813).
    progress = StepProgress()
    try:
        return _run_shown(args, scenario, out, overrides, identity, progress)
    finally:
        progress.clear()  # interrupted too: what is said next starts on a clear line


def _run_shown(
    args: argparse.Namespace,
    scenario: Scenario,
    out: Path,
    overrides: list[str],
    identity: str,
    progress: StepProgress,
) -> int:
    started = provenance.now()
    t0 = time.perf_counter()
    compiling = 0.0
    try:
        if args.engine == "fast":
            from sim.compiling import CompileTimer

            # The one-off compile (a minute on a cold cache) was reported as the run's
            # time without a word (a first afternoon's audit, decision 702).
            with CompileTimer(announce=True) as timer:
                output = run_scenario(
                    scenario, args.seed, args.record, args.engine, progress.update
                )
            compiling = timer.seconds
        else:
            output = run_scenario(scenario, args.seed, args.record, args.engine, progress.update)
    except Exception as exc:  # a model failure is exit 1, with its reason
        progress.clear()
        print(f"credsim: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - t0
    progress.status(f"writing the results to {out}")
    write_run(
        out,
        scenario,
        output,
        seed=args.seed,
        record=args.record,
        engine=args.engine,
        source=args.scenario,
        overrides=list(args.overrides),
        started=started,
        elapsed=elapsed,
        identity=identity,
    )
    where = f"results in {out}"
    if not args.no_plots and args.record != "summary":
        try:
            from sim.plots import write_report
        except ImportError:
            pass
        else:
            from sim.plots.figure import at_dpi

            progress.status("drawing the figures and the report")
            # --width and --dpi as plot, sweep and calibrate take them (decision 1030).
            left_out: list[str] = []
            with at_dpi(args.dpi):
                report = write_report(out, left_out=left_out, width=args.width)
            progress.clear()
            for note in left_out:  # a figure wider than --width, as plot says it
                print(f"credsim: note: {note}", file=sys.stderr)
            where += f"; report {report}"
    else:
        progress.clear()
        if not args.no_plots:
            # A summary run wrote no figures and no page without a word, where `plot` of
            # the folder says why (an outside check).
            print(
                "credsim: note: no figures and no report page: the run recorded its summary "
                "only (--record summary), and the figures draw its series; run it again with "
                f"--record series to draw them (credsim plot {out} writes a page of the "
                "summary alone)",
                file=sys.stderr,
            )
        note_old_report(out)
    progress.clear()
    cal = scenario.calendar
    engine = engine_note(args.engine, compiling)
    print(
        f"ran '{scenario.name}': {count_text(len(scenario.powers), 'power')}, "
        f"{count_text(len(scenario.states), 'state')}, "
        f"{count_text(cal.n_steps, f'{cal.step} step')} in {elapsed:.2f} s ({engine}); {where}"
    )
    return 0
