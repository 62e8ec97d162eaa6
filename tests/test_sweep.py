"""Sweeps end to end on tiny scenarios: experiments, run identity, executors, failures, CLI."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import InputError
from sim.results import open_results
from sim.runner import RunOutput, run_scenario
from sim.scenario import Scenario
from sim.sweep import (
    SweepOutcome,
    experiment_from_scenario,
    load_experiment,
    plan_runs,
    run_sweep,
)
from sim.sweep.store import Store

DATA = Path(__file__).parent / "data" / "sweep"
GRID = DATA / "grid.yaml"
TINY = DATA / "tiny.yaml"


def _fail_at_bias_2_5_replicate_1(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """The real run, except that it raises for one bias value in replicate 1."""
    if scenario.parameters.trust.negativity_bias == 2.5 and seed.spawn_key == (1,):
        raise ValueError(f"boom at {scenario.parameters.trust.negativity_bias}")
    return run_scenario(scenario, seed, record)


def _kill_worker_at_abstained_replicate_2(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """The real run, except that one run kills its worker process, every time."""
    if scenario.name == "tiny_abstained" and seed.spawn_key == (2,):
        trust = scenario.parameters.trust
        if trust.negativity_bias == 1.0 and trust.memory == 0.9:
            os.kill(os.getpid(), signal.SIGKILL)
    return run_scenario(scenario, seed, record)


def _die_mid_result_at_abstained_replicate_2(
    scenario: Scenario, seed: Any, record: str
) -> RunOutput:
    """The real run, except that one run's worker dies half-way through sending its batch's
    results, every time: the header and half of the message are in the pipe, the rest never
    comes (a worker killed by a signal to the whole process group, or by the kernel for
    memory, as it writes)."""
    output = run_scenario(scenario, seed, record)
    if scenario.name == "tiny_abstained" and seed.spawn_key == (2,):
        trust = scenario.parameters.trust
        if trust.negativity_bias == 1.0 and trust.memory == 0.9:
            import multiprocessing.connection
            import struct

            def half_then_die(self: Any, buf: Any) -> None:
                data = bytes(buf)
                self._send(struct.pack("!i", len(data)) + data[: len(data) // 2])
                os.kill(os.getpid(), signal.SIGKILL)

            multiprocessing.connection.Connection._send_bytes = half_then_die  # type: ignore[method-assign]
    return output


def _table(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "runs.parquet").drop(columns="elapsed_s")


def _process_sweep(folder: Path, run_fn: Any) -> tuple[SweepOutcome, pd.DataFrame, pd.DataFrame]:
    """The grid experiment on 2 process workers with ``run_fn``: outcome, table, failed rows."""
    outcome = run_sweep(
        load_experiment(GRID), folder, executor="process", workers=2, run_fn=run_fn, quiet=True
    )
    table = _table(outcome.folder)
    return outcome, table, table[table["status"] == "failed"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- plan and identity


def test_plan_crosses_scenarios_points_and_replicates_with_stable_ids() -> None:
    experiment = load_experiment(GRID)
    tasks = plan_runs(experiment)
    # 2 scenarios x (2 biases x 3 memories) x 3 replicates.
    assert len(tasks) == 2 * 6 * 3
    assert len({t.run_id for t in tasks}) == len(tasks)
    assert [(t.scenario, t.point, t.replicate) for t in tasks[:4]] == [
        ("withdrew", 0, 0),
        ("withdrew", 0, 1),
        ("withdrew", 0, 2),
        ("withdrew", 1, 0),
    ]
    assert dict(tasks[3].values) == {
        "parameters.trust.negativity_bias": 1.0,
        "parameters.trust.memory": 0.95,
    }
    # The same experiment loaded again plans the same ids; another seed plans new ones.
    assert [t.run_id for t in plan_runs(load_experiment(GRID))] == [t.run_id for t in tasks]
    reseeded = plan_runs(load_experiment(GRID, seed=8))
    assert not {t.run_id for t in reseeded} & {t.run_id for t in tasks}


def test_run_id_depends_on_the_resolved_scenario_not_on_how_it_was_named(tmp_path: Path) -> None:
    """A value set by the design or by an experiment override is the same run."""
    varied = experiment_from_scenario(TINY, ["parameters.trust.memory=0.9"])
    fixed = experiment_from_scenario(TINY, [], overrides={"parameters.trust.memory": 0.9})
    assert [t.run_id for t in plan_runs(varied)] == [t.run_id for t in plan_runs(fixed)]


def test_numbers_written_with_an_exponent_are_numbers_with_the_same_run_ids(
    tmp_path: Path,
) -> None:
    """``1e-3`` (a string to YAML 1.1) is the number 0.001 in grids, bounds and ``--vary``."""

    def grid(values: str) -> Path:
        return _write(
            tmp_path / f"grid{len(values)}.yaml",
            f"name: g\nscenarios: {{a: {TINY}}}\ndesign:\n  parameters:\n"
            f"    parameters.diffusion.susceptibility: {values}\n",
        )

    written = load_experiment(grid("[1e-3, 0.1, 2E-1]"))
    assert [p["parameters.diffusion.susceptibility"] for p in written.points] == [0.001, 0.1, 0.2]
    decimal = load_experiment(grid("[0.001, 0.1, 0.2]"))
    assert [t.run_id for t in plan_runs(written)] == [t.run_id for t in plan_runs(decimal)]
    varied = experiment_from_scenario(TINY, ["parameters.diffusion.susceptibility=1e-3,1.5e-1"])
    assert [p["parameters.diffusion.susceptibility"] for p in varied.points] == [0.001, 0.15]
    bounds = _write(
        tmp_path / "lhs.yaml",
        f"name: l\nscenarios: {{a: {TINY}}}\ndesign:\n  method: lhs\n  samples: 4\n"
        "  parameters:\n    parameters.diffusion.susceptibility: {low: 1e-3, high: 5e-1}\n",
    )
    assert load_experiment(bounds).spec.design.parameters[
        "parameters.diffusion.susceptibility"
    ] == {"low": 0.001, "high": 0.5}


def test_identical_scenarios_in_one_experiment_are_refused(tmp_path: Path) -> None:
    exp = _write(
        tmp_path / "twice.yaml",
        f"name: twice\nscenarios: {{a: {TINY}, b: {TINY}}}\n",
    )
    with pytest.raises(InputError, match="resolve to the same scenario"):
        plan_runs(load_experiment(exp))


# --------------------------------------------------------------------------- executing


def test_serial_and_process_executors_give_identical_tables(tmp_path: Path) -> None:
    experiment = load_experiment(GRID)
    serial = run_sweep(experiment, tmp_path / "serial", executor="serial", quiet=True)
    process = run_sweep(experiment, tmp_path / "process", executor="process", workers=2, quiet=True)
    assert serial.exit_code == process.exit_code == 0
    a, b = _table(serial.folder), _table(process.folder)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 36
    assert a["run_id"].is_unique
    assert (a["status"] == "ok").all()
    # Sorted by scenario (experiment order), point, replicate.
    assert list(a["scenario"].unique()) == ["withdrew", "abstained"]
    assert (
        a.groupby("scenario", sort=False)["point"].apply(lambda s: s.is_monotonic_increasing).all()
    )
    # Common random numbers: replicate r has the same seed entropy at every point.
    assert (a["seed"] == 7).all()
    # The varied parameters and metrics are columns; the withdrawal hurts Patron's standing.
    assert {"parameters.trust.negativity_bias", "parameters.trust.memory"} <= set(a.columns)
    change = a.groupby("scenario")["trust_change.withdrawal.Patron.all"].mean()
    assert change["withdrew"] < change["abstained"]


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    outcome, table, failed = _process_sweep(tmp_path / "fail", _fail_at_bias_2_5_replicate_1)
    # 2 scenarios x 3 memories have bias 2.5, each with one replicate 1.
    assert len(failed) == 6
    assert (failed["parameters.trust.negativity_bias"] == 2.5).all()
    assert (failed["replicate"] == 1).all()
    assert (failed["error"] == "ValueError: boom at 2.5").all()
    assert failed["final_trust.Patron.all"].isna().all()
    ok = table[table["status"] == "ok"]
    assert len(ok) == 30 and ok["error"].isna().all()
    assert ok["final_trust.Patron.all"].notna().all()
    assert outcome.failed == 6 and outcome.exit_code == 1
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["counts"] == {"planned": 36, "done": 36, "failed": 6}


@pytest.mark.parametrize(
    "run_fn",
    [_kill_worker_at_abstained_replicate_2, _die_mid_result_at_abstained_replicate_2],
    ids=["in_the_run", "sending_its_results"],
)
def test_a_run_that_kills_its_process_worker_fails_alone(tmp_path: Path, run_fn: Any) -> None:
    """A run whose worker dies is recorded as failed, the others as done. A worker that
    died with half of its results in the pipe left the pool's reader waiting for the rest
    for ever, and the sweep with it: an outside check's sweep under `timeout -s TERM`
    (which signals the whole process group) hung in 2 of 6 tries (decision 827). The
    reader is now unstuck once a worker is dead and nothing comes: the batch's runs are
    redone one at a time, as when the worker dies in the run."""
    outcome, table, failed = _process_sweep(tmp_path / "kill", run_fn)
    assert len(table) == 36 and table["run_id"].is_unique
    assert len(failed) == 1 and outcome.exit_code == 1
    assert failed.iloc[0]["scenario"] == "abstained" and failed.iloc[0]["replicate"] == 2
    assert "worker process died" in failed.iloc[0]["error"]
    ok = table[table["status"] == "ok"]
    assert len(ok) == 35 and ok["final_trust.Patron.all"].notna().all()


@pytest.mark.parametrize(
    "experiment",
    [GRID, Path(__file__).parents[1] / "experiments" / "syria_withdrawal.yaml"],
    ids=["small", "flagship"],
)
def test_a_script_without_a_main_guard_stops_at_once_with_the_remedy(
    tmp_path: Path, experiment: Path
) -> None:
    """A Python script that calls run_sweep on processes without `if __name__ ==
    "__main__":` has each worker import it again and die as it starts. Every run was then
    redone alone on a new pool and recorded as failed (1,000 runs took 4 min 24 s, all
    "failed"); the sweep now stops at the first worker that cannot start, says why, and
    records no run as failed (decision 610). The flagship's scenarios, which each worker
    is sent as it starts, fill more than a pipe holds (79 KB): the start of the dead
    worker then failed with BrokenPipeError, not a broken pool, and the script ended in
    three tracebacks of it without the remedy (decision 731)."""
    import subprocess
    import sys

    script = tmp_path / "noguard.py"
    script.write_text(
        "from sim.sweep import load_experiment, run_sweep\n"
        f"run_sweep(load_experiment({str(experiment)!r}), {str(tmp_path / 'out')!r}, "
        "executor='process', workers=2, quiet=True)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode != 0
    assert "WorkersFailed: the sweep's worker processes die as they start" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert "Exception in thread" not in done.stderr
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert (runs["status"] != "failed").all()


def test_the_command_line_says_in_one_line_that_the_workers_cannot_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`credsim sweep` turns WorkersFailed into one line and exit 1, not a traceback."""
    import sim.sweep.sweep
    from sim.errors import WorkersFailed

    def broken(*args: Any, **kwargs: Any) -> SweepOutcome:
        raise WorkersFailed("the workers die as they start")

    monkeypatch.setattr(sim.sweep.sweep, "run_sweep", broken)
    code = main(["sweep", str(GRID), "--out", str(tmp_path / "s"), "--workers", "2"])
    assert code == 1
    assert capsys.readouterr().err == "credsim: failed: the workers die as they start\n"


def test_a_finished_sweep_run_again_does_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = load_experiment(GRID)
    first = run_sweep(experiment, tmp_path / "s", quiet=True)
    stamp = (first.folder / "runs.parquet").stat().st_mtime_ns
    capsys.readouterr()
    again = run_sweep(load_experiment(GRID), tmp_path / "s", quiet=True)
    assert again.ran == 0 and again.planned == 36
    assert "already complete" in capsys.readouterr().out
    assert (first.folder / "runs.parquet").stat().st_mtime_ns == stamp


def test_the_refusal_of_another_sweeps_folder_says_what_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same experiment with a value changed was refused as "holds a different
    experiment ('tiny', sweep)", naming the experiment just given: it now says what
    differs (decision 698), as a run's refusal does ("seed 0, this run's 5")."""
    out = tmp_path / "s"
    base = ["sweep", str(TINY), "--out", str(out), "--no-plots", "--quiet", "--workers", "1"]
    vary = ["--vary", "parameters.trust.memory=0.9,0.95"]
    assert main([*base, *vary, "--reps", "2"]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in out.rglob("*"))
    cases = {
        ("--reps", "3", "--seed", "5"): "replicates 2, this sweep's 3; seed 0, this sweep's 5",
        ("--reps", "2", "--record", "series"): "record summary, this sweep's series",
        # The path that differs, from the trees the manifest keeps (decision 828); tiny.yaml
        # leaves prior_strength at model.md's default, 10.
        ("--reps", "2", "--set", "parameters.trust.prior_strength=5"): (
            "scenario 'tiny' has other values: parameters.trust.prior_strength 10.0, this "
            "sweep's 5.0"
        ),
    }
    for extra, differs in cases.items():
        assert main([*base, *vary, *extra]) == 2
        assert capsys.readouterr().err == (
            f"credsim: error: results folder '{out}' holds a different experiment "
            f"('tiny', sweep; {differs}); choose another --out or remove it\n"
        )
    assert main([*base, "--vary", "parameters.trust.memory=0.9,0.97", "--reps", "2"]) == 2
    assert "parameters.trust.memory [0.9, 0.95], this sweep's [0.9, 0.97]" in (
        capsys.readouterr().err
    )
    assert sorted(p.name for p in out.rglob("*")) == before


def test_a_folder_holding_another_experiment_is_refused(tmp_path: Path) -> None:
    run_sweep(load_experiment(GRID), tmp_path / "s", quiet=True)
    before = sorted(p.name for p in (tmp_path / "s").rglob("*"))
    with pytest.raises(InputError, match="holds a different experiment"):
        run_sweep(load_experiment(GRID, seed=99), tmp_path / "s", quiet=True)
    code = main(
        ["sweep", str(GRID), "--seed", "99", "--out", str(tmp_path / "s"), "--workers", "1"]
    )
    assert code == 2
    assert sorted(p.name for p in (tmp_path / "s").rglob("*")) == before


def test_record_series_writes_parts_with_run_ids(tmp_path: Path) -> None:
    experiment = experiment_from_scenario(
        TINY, ["parameters.trust.memory=0.9,1"], replicates=2, record="series"
    )
    outcome = run_sweep(experiment, tmp_path / "s", quiet=True)
    results = open_results(outcome.folder)
    series = results.series()
    assert series is not None
    assert set(series["run_id"]) == set(results.runs["run_id"])
    # Each run's series once: every run has the same number of rows.
    assert series.groupby("run_id").size().nunique() == 1
    assert {"parameters.trust.memory", "scenario", "replicate"} <= set(series.columns)


def test_each_runs_series_rows_are_that_runs_own_series(tmp_path: Path) -> None:
    # Each row of the series parts carries the id of the run whose series it is: the rows of
    # a run id are the series that run gives again by itself (decision 871 takes the ids by
    # Arrow). Two design points, two replicates, one worker's chunks.
    from sim.scenario import load_scenario
    from sim.seeds import seed_sequence

    experiment = experiment_from_scenario(
        TINY, ["parameters.trust.memory=0.9,1"], replicates=2, record="series"
    )
    outcome = run_sweep(experiment, tmp_path / "s", quiet=True)
    series = open_results(outcome.folder).series()
    assert series is not None
    columns = ["step", "date", "group", "power", "metric", "value"]
    tasks = plan_runs(experiment)
    assert len(tasks) == 4
    for task in tasks:
        scenario = load_scenario(str(TINY), dict(task.values))
        own = run_scenario(
            scenario, seed_sequence(task.seed, task.replicate), "series", engine="fast"
        ).series
        assert own is not None
        kept = series.loc[series["run_id"] == task.run_id, columns]
        key = ["step", "group", "power", "metric"]
        pd.testing.assert_frame_equal(
            kept.sort_values(key).reset_index(drop=True),
            own[columns].sort_values(key).reset_index(drop=True),
            check_exact=True,
        )


# --------------------------------------------------------------------------- command line


def test_cli_vary_builds_a_grid_in_the_default_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [
        "sweep", str(TINY),
        "--vary", "parameters.trust.memory=0.9,1",
        "--vary", "parameters.trust.negativity_bias=range(1,3)",
        "--reps", "2", "--seed", "3", "--workers", "1", "--no-plots", "--quiet",
    ]  # fmt: skip
    assert main(argv) == 0
    (folder,) = (tmp_path / "results" / "tiny").iterdir()
    assert len(folder.name) == 10
    out = capsys.readouterr().out
    assert "8 runs" in out and str(Path("results") / "tiny" / folder.name) in out
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["experiment_name"] == "tiny"
    assert manifest["varied"] == ["parameters.trust.memory", "parameters.trust.negativity_bias"]
    assert manifest["design"]["points"] == 4 and manifest["replicates"] == 2
    table = pd.read_parquet(folder / "runs.parquet")
    assert sorted(set(table["parameters.trust.negativity_bias"])) == [1, 2]
    # range() gives whole numbers; the field takes real ones, so the column is of floats
    # whether the values were written 1, 2 or 1.0, 2.0 (decision 641).
    assert table["parameters.trust.negativity_bias"].dtype == np.float64
    # The same command again finds its folder and does nothing.
    assert main(argv) == 0
    assert "already complete" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("name: x\nscenarios: {a: tiny.yaml}\nreplicate: 3\n", "did you mean 'replicates'", 3),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: sobl\n",
            "did you mean 'sobol'",
            4,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: sobol\n  samples: 8\n"
            "  parameters:\n    parameters.trust.memory: [0.9, 1]\n",
            "takes {low: .., high: ..}",
            7,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  parameters:\n"
            "    parameters.trust.memroy: [0.9, 1]\n",
            "did you mean 'memory'",
            5,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  parameters:\n"
            "    parameters.trust.memory: [0.9, 1.5]\n",
            "1.5",
            5,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  parameters:\n"
            "    parameters.trust.memory: linspace(0.9,1)\n",
            "linspace takes",
            5,
        ),
        ("name: x\nscenarios: {a: missing.yaml}\n", "does not exist", 2),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign: {method: lhs, parameters: "
            "{parameters.trust.memory: {low: 0.9, high: 1}}}\n",
            "needs 'samples'",
            3,
        ),
        # One message gives each method's least number of samples, and levels outside a
        # morris design are refused, not ignored (an audit; decision 624).
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: sobol\n  samples: 0\n"
            "  parameters:\n    parameters.trust.memory: {low: 0.9, high: 1}\n",
            "design.samples: a sobol design needs at least 2 samples, got 0",
            5,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: morris\n  samples: 1\n"
            "  parameters:\n    parameters.trust.memory: {low: 0.9, high: 1}\n",
            "design.samples: a morris design needs at least 2 samples, got 1",
            5,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: lhs\n  samples: 0\n"
            "  parameters:\n    parameters.trust.memory: {low: 0.9, high: 1}\n",
            "design.samples: a lhs design needs at least 1 sample, got 0",
            5,
        ),
        (
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: sobol\n  samples: 8\n"
            "  levels: 3\n  parameters:\n    parameters.trust.memory: {low: 0.9, high: 1}\n",
            "design.levels: 'levels' is the number of grid levels of a morris design; a sobol",
            6,
        ),
        (  # the bound as written, not the sample nearest it
            "name: x\nscenarios: {a: tiny.yaml}\ndesign:\n  method: lhs\n  samples: 8\n"
            "  parameters:\n    parameters.trust.memory: {low: 0.9, high: 1.5}\n",
            "got 1.5 (scenario 'a', its high bound parameters.trust.memory=1.5)",
            7,
        ),
    ],
)
def test_bad_experiment_files_say_where_and_what(
    tmp_path: Path, text: str, fragment: str, line: int
) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY.read_text())
    exp = _write(tmp_path / "exp.yaml", text)
    with pytest.raises(InputError) as info:
        load_experiment(exp)
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{exp}:{line}: ")


def test_cli_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(TINY), "--vary", "parameters.trust.memory", "--workers", "1"]) == 2
    assert "must be PATH=SPEC" in capsys.readouterr().err
    assert main(["sweep", str(TINY), "--vary", "parameters.trust.memory=2", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "parameters.trust.memory" in err
    assert main(["sweep", str(GRID), "--vary", "parameters.trust.memory=1"]) == 2
    capsys.readouterr()
    twice = ["--vary", "parameters.trust.memory=0.9,1", "--vary", "parameters.trust.memory=0.5"]
    assert main(["sweep", str(TINY), *twice, "--workers", "1"]) == 2
    assert capsys.readouterr().err == (
        "credsim: error: --vary: 'parameters.trust.memory' is varied twice; give all its "
        "values in one --vary, e.g. parameters.trust.memory=1,2,3,4\n"
    )
    # Varied and fixed at once: said in the command line's words (decision 622).
    both = ["--vary", "parameters.trust.memory=0.9,1", "--set", "parameters.trust.memory=0.8"]
    assert main(["sweep", str(TINY), *both, "--workers", "1"]) == 2
    assert capsys.readouterr().err == (
        "credsim: error: 'parameters.trust.memory' is both varied (--vary) and fixed (--set): "
        "the fixed value would be ignored; drop one of them\n"
    )
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("text", "what"),
    [("", "the file is empty"), ("# only a comment\n", "the file is empty"),
     ("- a\n- b\n", "expected a mapping of fields, got a list")],
)  # fmt: skip
def test_a_file_that_is_neither_kind_names_both(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    what: str,
) -> None:
    """An empty (or list) file given to sweep was answered as a scenario ("a scenario
    needs at least name, calendar and powers"); sweep takes either kind."""
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path / "x.yaml", text)
    assert main(["sweep", str(path), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and what in err
    assert "an experiment file (name, scenarios, design, ...) or a scenario file" in err
    assert not (tmp_path / "results").exists()


def test_booleans_in_a_sweep_are_not_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[true, false]`` would run 1 and 0; it is refused in a grid and in ``--vary``."""
    monkeypatch.chdir(tmp_path)
    exp = _write(
        tmp_path / "bools.yaml",
        f"name: b\nscenarios: {{a: {TINY}}}\ndesign:\n  parameters:\n"
        "    parameters.trust.negativity_bias: [true, false]\n",
    )
    assert main(["sweep", str(exp), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{exp}:5: " in err
    assert "['parameters.trust.negativity_bias']: expected a number, got true" in err
    vary = "parameters.trust.negativity_bias=true,false"
    assert main(["sweep", str(TINY), "--vary", vary, "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected a number, got true" in err
    assert not (tmp_path / "results").exists()


def test_progress_line_and_summary() -> None:
    from io import StringIO

    from sim.sweep.progress import Progress

    stream = StringIO()
    progress = Progress(10, already=4, failed_before=1, stream=stream, live=True)
    progress.update(failed=True)
    line = progress.line()
    assert line.startswith("5/10 runs (50%), 2 failed, ") and "runs/s, ETA " in line
    assert "\r" in stream.getvalue()  # drawn in place on a terminal
    summary = progress.summary("exp", "results/exp/abc")
    assert "1 run in" in summary and "4 done earlier" in summary
    assert "2 of 10 failed" in summary and summary.endswith("results in results/exp/abc")
    quiet = StringIO()
    Progress(3, stream=quiet, live=False).update(failed=False)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(("n_tasks", "workers"), [(1000, 2), (1000, 1), (36, 2), (5, 3)])
def test_batches_cover_every_task_once_in_order_and_shrink_at_the_end(
    n_tasks: int, workers: int
) -> None:
    from sim.sweep.executors import _IN_FLIGHT, _batch_size, _batches

    tasks = plan_runs(load_experiment(GRID))
    tasks = (tasks * (n_tasks // len(tasks) + 1))[:n_tasks]
    size = _batch_size(n_tasks, workers)
    batches = list(_batches(tasks, size, workers))
    assert [t for b in batches for t in b] == tasks
    sizes = [len(b) for b in batches]
    assert max(sizes) <= size and sizes == sorted(sizes, reverse=True)
    assert sizes[-1] == 1  # the last batch is one run: no worker waits on a long tail
    handed = 0
    for b in batches:  # never more than an equal share of what is left per batch in flight
        left = n_tasks - handed
        assert len(b) <= max(1, -(-left // (workers * _IN_FLIGHT)))
        handed += len(b)


def test_committed_kept_in_memory_equals_the_parts_read_back(tmp_path: Path) -> None:
    """The statuses a store keeps as it commits (the manifest's counts) match its files."""
    exp = load_experiment(GRID)
    outcome = run_sweep(exp, tmp_path / "out", run_fn=_fail_at_bias_2_5_replicate_1)
    part = outcome.folder / "runs" / "part-000001.arrow"
    part.write_bytes(part.read_bytes()[:100])  # damaged: its chunk is redone on the next call
    again = run_sweep(exp, outcome.folder, run_fn=_fail_at_bias_2_5_replicate_1, quiet=True)
    assert again.ran == 16
    table = _table(outcome.folder)
    with Store(outcome.folder, exp.identity(), exp.varied, list(exp.scenarios)) as store:
        from_parts = store.committed()
    assert from_parts == dict(zip(table["run_id"], table["status"], strict=True))
    counts = json.loads((outcome.folder / "manifest.json").read_text())["counts"]
    assert counts == {"planned": 36, "done": 36, "failed": 6} == _status_counts(from_parts)


def _status_counts(statuses: dict[str, str]) -> dict[str, int]:
    failed = sum(s == "failed" for s in statuses.values())
    return {"planned": 36, "done": len(statuses), "failed": failed}


def test_a_range_typed_with_a_colon_is_not_a_base_60_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML 1.1 reads ``1:3`` as 63 (base 60): ``--vary P=1:3`` ran one point at
    negativity bias 63 and ``--set P=1:3`` a run at 63. Now ``1:3`` is text, refused;
    ``--vary`` says how a range is written (decision 702)."""
    monkeypatch.chdir(tmp_path)
    path = "parameters.trust.negativity_bias"
    assert main(["sweep", str(TINY), "--vary", f"{path}=1:3", "--workers", "1", "--quiet"]) == 2
    assert "'1:3' is not a range here; write 'range(1,3,STEP)'" in capsys.readouterr().err
    assert main(["run", str(TINY), "--set", f"{path}=1:3", "--out", "r"]) == 2
    assert "expected a number, got '1:3'" in capsys.readouterr().err
    assert not (tmp_path / "results").exists() and not (tmp_path / "r").exists()


def test_a_number_with_a_leading_zero_is_read_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--set P=09`` crashed with "invalid literal for int() with base 8" once the
    base-60 forms were dropped (the new integer pattern sent ``09`` to YAML's octal
    reader). ``09`` is text again, as in YAML 1.1, which a number field reads as 9,
    as it reads ``"9"``."""
    monkeypatch.chdir(tmp_path)
    path = "parameters.trust.negativity_bias"
    assert main(["run", str(TINY), "--set", f"{path}=09", "--out", "r"]) == 0
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["scenario"]["parameters"]["trust"]["negativity_bias"] == 9


def test_a_run_with_overrides_writes_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`credsim run --set` crashed in its report ("'list' object has no attribute
    'items'"): a run's manifest keeps the overrides as PATH=VALUE strings, and the
    report's "What was run" table read them as a mapping."""
    monkeypatch.chdir(tmp_path)
    path = "parameters.trust.negativity_bias"
    assert main(["run", str(TINY), "--set", f"{path}=2", "--out", "r"]) == 0
    assert "trust: negativity bias 2" in (tmp_path / "r" / "report.html").read_text()


def test_an_unfinished_folder_reads_every_committed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C consolidates runs.parquet; a resumed attempt killed before its own
    consolidation left that file stale, and check, plot and compare read only the runs
    of before the first interruption (an audit: "204 of 900" with 510 committed;
    decision 634). An unfinished folder is read from its recorded parts."""
    from sim.integrity import done_text
    from sim.results import open_results
    from sim.sweep.store import Store

    calls = {"n": 0}

    def stop_after(limit: int) -> Any:
        def run(scenario: Scenario, seed: Any, record: str) -> RunOutput:
            calls["n"] += 1
            if calls["n"] > limit:
                raise KeyboardInterrupt
            return run_scenario(scenario, seed, record)

        return run

    folder = tmp_path / "s"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(GRID), folder, run_fn=stop_after(5), quiet=True)
    before = len(pd.read_parquet(folder / "runs.parquet"))
    assert before == 5
    # A second attempt stopped as a kill stops it: its runs committed, no consolidation.
    monkeypatch.setattr(Store, "finish", lambda self, results: self.commit(results))
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(GRID), folder, run_fn=stop_after(12), quiet=True)
    monkeypatch.undo()
    # The resume dropped the table of the 5 runs before it (decision 1021): no stale table.
    assert not (folder / "runs.parquet").exists()
    results = open_results(folder)
    assert len(results.runs) == 17 and results.runs["run_id"].is_unique
    assert done_text(folder, results.manifest) == "17 of 36 runs"
    # Finished, the folder holds every run once.
    run_sweep(load_experiment(GRID), folder, quiet=True)
    assert len(open_results(folder).runs) == 36


def test_a_resumed_sweep_without_plots_says_its_report_is_from_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep stopped, its report drawn, then finished with --no-plots: the page still
    showed the runs of before without a word (an audit, decision 638). Finishing says
    so; a rerun of a finished sweep runs nothing and says nothing."""
    from sim.plots import write_report

    calls = {"n": 0}

    def stop_after_4(scenario: Scenario, seed: Any, record: str) -> RunOutput:
        calls["n"] += 1
        if calls["n"] > 4:
            raise KeyboardInterrupt
        return run_scenario(scenario, seed, record)

    folder = tmp_path / "s"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(GRID), folder, run_fn=stop_after_4, quiet=True)
    write_report(folder)
    capsys.readouterr()
    argv = ["sweep", str(GRID), "--out", str(folder), "--quiet", "--no-plots"]
    assert main([*argv, "--executor", "serial"]) == 0
    note = (
        f"credsim: note: {folder / 'report.html'} was drawn before these results and is "
        f"left as it was; credsim plot {folder} redraws it"
    )
    assert note in capsys.readouterr().err.splitlines()
    assert main([*argv, "--executor", "serial"]) == 0
    assert "note:" not in capsys.readouterr().err


def test_failed_runs_are_said_in_every_caption_and_in_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs that failed at one bias value left that value out of every figure and of
    `compare` without a word; only the report page's table of errors showed them (an
    audit, decision 642). The captions and compare now say how many failed and at which
    design values no run finished."""
    from sim.plots import write_report

    def fail_at_2_5(scenario: Scenario, seed: Any, record: str) -> RunOutput:
        if scenario.parameters.trust.negativity_bias == 2.5:
            raise ValueError("boom")
        return run_scenario(scenario, seed, record)

    folder = tmp_path / "s"
    outcome = run_sweep(load_experiment(GRID), folder, run_fn=fail_at_2_5, quiet=True)
    assert outcome.exit_code == 1
    said = (
        "18 of 36 runs failed and are left out; no run finished at "
        "parameters.trust.negativity_bias=2.5 (the report page lists their errors)."
    )
    write_report(folder)
    captions = (folder / "plots" / "captions.md").read_text().splitlines()
    assert captions and all(said in line for line in captions)
    capsys.readouterr()
    assert main(["compare", str(folder), "--out", str(tmp_path / "cmp")]) == 0
    assert f"- s: {said}" in capsys.readouterr().out.splitlines()


def test_a_sweep_without_failures_says_nothing_of_them(tmp_path: Path) -> None:
    from sim.plots import write_report

    folder = tmp_path / "s"
    run_sweep(load_experiment(GRID), folder, quiet=True)
    write_report(folder)
    assert "failed" not in (folder / "plots" / "captions.md").read_text()


def test_a_dumb_terminal_gets_no_redraw_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """TERM=dumb on a terminal still got the progress line's escape codes (an audit,
    decision 659): such a terminal gets no redrawn line."""
    import io

    from sim.sweep.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "xterm")
    assert Progress(10, stream=Terminal()).live
    monkeypatch.setenv("TERM", "dumb")
    assert not Progress(10, stream=Terminal()).live


@pytest.mark.parametrize("where", ["between the part and its record", "after the commit"])
def test_ctrl_c_inside_a_commit_keeps_each_run_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Ctrl-C that landed between a chunk's part and its record left the part on disk
    unrecorded, and the clean-up committed the same runs again: runs.parquet held them
    twice (a CI run: 666 rows, the manifest 333; decision 773). Landing after the commit,
    before the sweep let go of the runs it had handed over, did the same with both copies
    recorded. A chunk's commit is now one step for a signal (decision 774)."""
    from sim.sweep import store as store_module

    sent = {"n": 0}

    def ctrl_c_once() -> None:
        if not sent["n"]:
            sent["n"] += 1
            os.kill(os.getpid(), signal.SIGINT)  # as a terminal's Ctrl-C: a real signal

    if where == "after the commit":
        commit = Store.commit

        def commit_then_ctrl_c(self: Store, results: Any) -> int:
            n = commit(self, results)
            ctrl_c_once()
            return n

        monkeypatch.setattr(Store, "commit", commit_then_ctrl_c)
    else:
        write = store_module._Chunk.write

        def write_then_ctrl_c(self: Any) -> dict[Path, int | None]:
            written = write(self)
            ctrl_c_once()
            return written

        monkeypatch.setattr(store_module._Chunk, "write", write_then_ctrl_c)
    folder = tmp_path / "s"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(GRID), folder, quiet=True)
    assert sent["n"] == 1  # the first of the sweep's chunks (16 of 36 runs)
    runs = pd.read_parquet(folder / "runs.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert runs["run_id"].is_unique
    assert len(runs) == manifest["counts"]["done"] == 16
    assert main(["check", str(folder)]) == 0
    monkeypatch.undo()
    run_sweep(load_experiment(GRID), folder, quiet=True)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 36 and runs["run_id"].is_unique


def test_a_commit_that_fails_after_its_runs_part_leaves_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk's commit that failed once its runs part was on disk (a full disk in the
    record's write) left the part unrecorded, and the clean-up's runs.parquet read it
    with the same runs committed again: each twice (decision 774). The failed commit
    takes its parts away, and only recorded parts make runs.parquet."""
    from sim.sweep import store as store_module

    write_part = store_module._write_part
    failed = {"n": 0}

    def write_then_fail(table: Any, path: Path) -> None:
        write_part(table, path)
        if not failed["n"]:
            failed["n"] += 1
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "_write_part", write_then_fail)
    folder = tmp_path / "s"
    with pytest.raises(OSError, match="No space left"):
        run_sweep(load_experiment(GRID), folder, quiet=True)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert failed["n"] == 1
    assert runs["run_id"].is_unique and len(runs) == 16
    assert sorted(p.name for p in (folder / "runs").iterdir()) == ["part-000001.arrow"]


def test_a_sweep_of_a_power_named_with_dots_draws_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A power named U.S. (decision 333) ran its sweep, then stopped with a traceback
    (ZeroDivisionError in the figure grid: its metric names, final_trust.U.S..all, were
    split at every dot, so no figure found a group; an outside check). Its figures are
    now drawn as the same sweep's under another name, each power in its legend."""
    from sim.results import open_results

    text = TINY.read_text().replace("Patron", "U.S.")
    (tmp_path / "dotted.yaml").write_text(text.replace("name: tiny", "name: dotted"))
    argv = ["--vary", "parameters.trust.negativity_bias=1,3", "--reps", "2", "--quiet"]
    argv += ["--workers", "1"]
    assert main(["sweep", str(tmp_path / "dotted.yaml"), *argv, "--out", str(tmp_path / "d")]) == 0
    capsys.readouterr()
    assert main(["sweep", str(TINY), *argv, "--out", str(tmp_path / "t")]) == 0
    drawn = {
        name: sorted(p.name for p in (tmp_path / name / "plots").glob("*.png"))
        for name in ("d", "t")
    }
    assert drawn["d"] == drawn["t"] and "sweep_trust-negativity_bias_final_trust.png" in drawn["d"]
    captions = (tmp_path / "d" / "plots" / "captions.md").read_text()
    assert captions == (tmp_path / "t" / "plots" / "captions.md").read_text().replace(
        "Patron", "U.S."
    ).replace("tiny", "dotted").replace(str(tmp_path / "t"), str(tmp_path / "d"))
    assert open_results(tmp_path / "d").powers == ["U.S.", "Rival"]


def test_a_folder_written_before_the_dot_rule_still_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group or window named with a dot is refused in a scenario file (decision 804),
    by the loader: a results folder whose manifest holds such a scenario, written before
    the rule, still reads. As a check of the schema it was called damaged, with the advice
    to run a command that the rule then refuses."""
    argv = ["--vary", "parameters.trust.negativity_bias=1,3", "--quiet", "--no-plots"]
    folder = tmp_path / "old"
    assert main(["sweep", str(TINY), *argv, "--workers", "1", "--out", str(folder)]) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    tree = manifest["scenarios"]["tiny"]
    tree["outputs"]["groups"] = {"e.ast": tree["outputs"]["groups"]["east"]}
    tree["windows"] = {"w.x": tree["windows"]["withdrawal"]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {folder}: sweep 'tiny', complete")
    dotted = tmp_path / "dotted.yaml"
    dotted.write_text(TINY.read_text().replace("    east:", "    e.ast:"))
    assert main(["validate", str(dotted)]) == 2
    assert "a group name cannot hold a dot ('e.ast')" in capsys.readouterr().err


def test_tree_differences_name_each_path_that_differs() -> None:
    """Nested mappings by their dotted paths, in the held tree's order and then the new
    keys; the events item by item, or their count when it differs (decision 828)."""
    from sim.sweep.sweep import tree_differences

    held = {
        "parameters": {"trust": {"memory": 0.98, "negativity_bias": 2.0}},
        "events": [{"id": "a", "magnitude": 1.0}, {"id": "b", "magnitude": 2.0}],
    }
    given = {
        "parameters": {"trust": {"memory": 0.95, "negativity_bias": 2.0}, "extra": 1},
        "events": [{"id": "a", "magnitude": 1.0}, {"id": "b", "magnitude": 3.0}],
    }
    assert tree_differences(held, given) == [
        "parameters.trust.memory 0.98, this sweep's 0.95",
        "parameters.extra None, this sweep's 1",
        "events[1].magnitude 2.0, this sweep's 3.0",
    ]
    assert tree_differences(held, {**held, "events": held["events"][:1]}) == [
        "events: 2, this sweep's 1"
    ]
    assert tree_differences(held, held) == []
