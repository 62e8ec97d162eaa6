"""Decision 1021, from an outside check of experiments.md: a resume killed (SIGKILL) after it
committed runs left the runs.parquet an earlier interrupted session had consolidated,
recorded and verified, holding only the runs before the resume (102 of 170 committed runs
read with pandas); analyze said nothing of failed runs; compare left a row's test blank
without a word when every paired difference was zero."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.results import read_runs
from sim.sweep import load_experiment, run_sweep

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "sweep" / "tiny.yaml"
RUNS = 60  # 3 values x 20 replicates; a serial sweep commits a chunk of 16

EXPERIMENT = """\
name: resumed
scenarios: {{tiny: {tiny}}}
design:
  method: grid
  parameters:
    parameters.trust.memory: [0.9, 0.95, 0.99]
replicates: 20
seed: 11
record: summary
"""

# The run function of each session: the first stops as Ctrl-C does after 20 runs (the sweep
# commits and consolidates what it holds); the second is killed outright after 25 more.
STOPPING = textwrap.dedent(
    """\
    import os, signal
    from sim.runner import run_scenario
    done = [0]
    def after(limit, how):
        def run(scenario, seed, record):
            done[0] += 1
            if done[0] > limit:
                if how == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                raise KeyboardInterrupt
            return run_scenario(scenario, seed, record, engine="mesa")
        return run
    """
)


def _session(folder: Path, experiment: Path, limit: int, how: str, home: Path) -> int:
    code = (
        "import sys; from stopping import after; from sim.sweep import load_experiment, "
        "run_sweep\ntry:\n"
        f"    run_sweep(load_experiment({str(experiment)!r}), __import__('pathlib').Path("
        f"{str(folder)!r}), run_fn=after({limit}, {how!r}), quiet=True)\n"
        "except KeyboardInterrupt:\n    sys.exit(130)\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{home}{os.pathsep}{REPO}")
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=home).returncode


def test_a_killed_resume_leaves_no_runs_table_of_fewer_runs_than_committed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stopping.py").write_text(STOPPING)
    experiment = tmp_path / "resumed.yaml"
    experiment.write_text(EXPERIMENT.format(tiny=TINY))
    folder = tmp_path / "out"
    assert _session(folder, experiment, 20, "interrupt", tmp_path) == 130
    first = pq.read_table(folder / "runs.parquet").num_rows
    assert 0 < first < RUNS  # consolidated on the stop, as before
    assert _session(folder, experiment, 25, "kill", tmp_path) == -9
    committed = len(read_runs(folder))  # the readers take the committed parts
    assert first < committed < RUNS
    runs = folder / "runs.parquet"
    # Either no table (the readers take the parts) or one of every committed run.
    assert not runs.exists() or pq.read_table(runs).num_rows == committed
    assert main(["check", str(folder)]) == 0
    assert f"{committed} of {RUNS} runs" in capsys.readouterr().out
    # Run again: the sweep finishes, and equals one run straight through.
    run_sweep(load_experiment(experiment), folder, quiet=True)
    straight = tmp_path / "straight"
    run_sweep(load_experiment(experiment), straight, quiet=True)
    columns = [c for c in pq.read_schema(runs).names if c != "elapsed_s"]
    assert pq.read_table(runs, columns=columns).equals(
        pq.read_table(straight / "runs.parquet", columns=columns)
    )


def test_analyze_says_runs_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """check and compare said "N of M runs failed and are left out"; analyze, whose point
    means then average fewer replicates, said nothing."""
    from tests.test_analyze import _failing_at_largest_bias, _question_experiment, _two_scenarios

    exp = _question_experiment(tmp_path, "sobol", 16, reps=2)
    _failing_at_largest_bias(monkeypatch, exp, replicate=1)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_two_scenarios, quiet=True)
    failed = int((read_runs(folder)["status"] != "ok").sum())
    total = len(read_runs(folder))
    assert 0 < failed < total
    capsys.readouterr()
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "runs failed" in ln]
    assert notes == [
        f"credsim: note: {failed} of {total} runs failed and are left out (the report page "
        "lists their errors); each design point's indices take the mean of its replicates "
        "that finished"
    ]


def test_compare_says_why_a_row_has_no_test() -> None:
    """Every paired difference 0: the statistic and p stay blank, and p_method says why
    (it was blank too, with no line on the terminal explaining it)."""
    from sim.analysis.comparison import compare_cell

    runs = pd.DataFrame({"point": [0, 0, 0], "replicate": [0, 1, 2], "value": [0.1, 0.2, 0.3]})
    row = compare_cell(runs, runs, ["point", "replicate"])
    assert np.isnan(row["p_value"]) and np.isnan(row["statistic"])
    assert row["p_method"] == "none: every difference is 0"
    shifted = runs.assign(value=runs["value"] + [0.01, 0.02, 0.04])
    assert compare_cell(runs, shifted, ["point", "replicate"])["p_method"] == "exact"
