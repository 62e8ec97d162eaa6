"""Resume: a sweep killed with SIGKILL part-way, run again, equals an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.sweep import load_experiment, plan_runs, run_sweep

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "sweep"
# 600 runs with series: long enough (several seconds) to be killed after a few commits.
EXPERIMENT = f"""\
name: resume
scenarios:
  tiny: {DATA / "tiny.yaml"}
design:
  parameters:
    parameters.trust.memory: linspace(0.9,1,20)
replicates: 30
seed: 11
record: series
"""


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    exp = tmp_path / "resume.yaml"
    exp.write_text(EXPERIMENT)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out)]
    command += ["--workers", "2", "--quiet", "--no-plots"]
    proc = subprocess.Popen(
        command, cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not (out / "runs" / "part-000003.arrow").exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the sweep committed nothing in 90 s"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its fork server and its workers
        proc.wait()
    assert not (out / "runs.parquet").exists(), "the sweep finished before it was killed"
    committed = len(list((out / "runs").glob("part-*.arrow")))
    assert 4 <= committed < 20

    # What a kill can leave: a half-written temporary file and a series part whose
    # runs part never landed. Plant both so that their cleaning is always exercised.
    (out / "runs" / ".part-000099.arrow.abc.tmp").write_bytes(b"half")
    orphan = out / "series" / "part-000099.parquet"
    orphan.write_bytes((out / "series" / "part-000000.parquet").read_bytes())

    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "done earlier" in again.stdout

    planned = [t.run_id for t in plan_runs(load_experiment(exp))]
    resumed = pd.read_parquet(out / "runs.parquet")
    assert resumed["run_id"].is_unique
    assert sorted(resumed["run_id"]) == sorted(planned)
    assert not _leftovers(out) and not orphan.exists()

    whole = run_sweep(load_experiment(exp), tmp_path / "whole", executor="serial", quiet=True)
    uninterrupted = pd.read_parquet(whole.folder / "runs.parquet")
    pd.testing.assert_frame_equal(
        resumed.drop(columns="elapsed_s"), uninterrupted.drop(columns="elapsed_s")
    )

    # Every run's series is there exactly once, and equal to the uninterrupted sweep's.
    def series(folder: Path) -> pd.DataFrame:
        parts = [pd.read_parquet(p) for p in sorted((folder / "series").glob("part-*.parquet"))]
        keys = ["run_id", "step", "group", "power", "metric"]
        return pd.concat(parts).sort_values(keys).reset_index(drop=True)

    got, want = series(out), series(whole.folder)
    assert not got.duplicated(["run_id", "step", "group", "power", "metric"]).any()
    pd.testing.assert_frame_equal(got, want)
