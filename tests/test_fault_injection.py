"""Kill a sweep anywhere in its life, run the same command again: the uninterrupted result.

The sweep (tests/data/sweep/grid.yaml recording series: 36 runs, then the
figures and the report page) is timed once uninterrupted; then it is killed
with SIGKILL (the whole process group: sweep, fork server, workers) at
moments spread over that time, so that kills land before the manifest, among
the runs, in the consolidation and in the report. Each folder is killed twice
and then finished by the same command, and must equal the uninterrupted one:
every run once, the same rows, the same series, an intact folder and a report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import integrity

ROOT = Path(__file__).resolve().parent.parent
GRID = Path(__file__).parent / "data" / "sweep" / "grid.yaml"
TRIALS = 3
KILLS_PER_TRIAL = 2


def _command(out: Path) -> list[str]:
    return [
        sys.executable, "-m", "sim", "sweep", str(GRID), "--out", str(out),
        "--record", "series", "--workers", "2", "--quiet",
    ]  # fmt: skip


def _killed_after(out: Path, delay: float) -> None:
    proc = subprocess.Popen(
        _command(out), cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = pd.read_parquet(out / "runs.parquet").drop(columns="elapsed_s")
    parts = [pd.read_parquet(p) for p in (out / "series").glob("part-*.parquet")]
    keys = ["run_id", "step", "group", "power", "metric"]
    series = pd.concat(parts).sort_values(keys).reset_index(drop=True)
    return runs, series


@pytest.mark.slow
def test_a_sweep_killed_anywhere_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    start = time.monotonic()
    done = subprocess.run(_command(reference), cwd=ROOT, capture_output=True, text=True)
    lifetime = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    want_runs, want_series = _tables(reference)

    # Kill moments stratified over the lifetime: one in each of TRIALS * KILLS equal slices.
    rng = np.random.default_rng(16)
    n = TRIALS * KILLS_PER_TRIAL
    delays = lifetime * (np.arange(n) + rng.uniform(size=n)) / n
    rng.shuffle(delays)
    for trial in range(TRIALS):
        out = tmp_path / f"trial{trial}"
        for delay in delays[trial * KILLS_PER_TRIAL : (trial + 1) * KILLS_PER_TRIAL]:
            _killed_after(out, float(delay))
        again = subprocess.run(_command(out), cwd=ROOT, capture_output=True, text=True)
        assert again.returncode == 0, (delays, again.stderr)
        assert integrity.verify(out) == []
        got_runs, got_series = _tables(out)
        assert got_runs["run_id"].is_unique
        pd.testing.assert_frame_equal(got_runs, want_runs)
        pd.testing.assert_frame_equal(got_series, want_series)
        assert (out / "report.html").is_file()
        assert not [p for p in out.rglob("*.tmp")]
