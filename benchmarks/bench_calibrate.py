"""Calibration throughput: simulations per second inside ABC-SMC on 2 workers.

The simulation stands for a Syria run: the Beta-Bernoulli toy problem with
busy work of the same length as one run of the Syria scenario in a 2-worker
sweep measured in the same benchmark (``2 / sweep runs per second``). The
calibration's overhead per simulation is then ``2 / calibration rate - run
time``; the target is under a third of the run time. Importing pyabc (about
2.5 s, once per process: it imports scikit-learn and its plotting) is timed
apart and is not counted in the overhead per simulation (decision 362).

The overhead counts what a calibration pays once, too: its workers' start
(here from the fork server the sweep started, without pyabc, so each worker
imports it). The time from the calibration's call to its workers' first
simulation is reported beside it, and the overhead of the simulations after
it (decision 820); the target stays on the whole.

Usage::

    python benchmarks/bench_calibrate.py OUT.json [--runs 200] [--simulations 1500]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.calibrate.run import run_calibration
from sim.calibrate.spec import load_calibration
from sim.calibrate.toy import PARAMETER, BinomialProblem
from sim.sweep import experiment_from_scenario, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "syria.yaml"
WORKERS = 2


@dataclass(frozen=True)
class _MarkedProblem(BinomialProblem):
    """The toy problem, each process marking when it starts its first simulation.

    A file per process in ``marks``, named by its pid, holding ``time.perf_counter()``
    (the monotonic clock every process on the machine shares).
    """

    marks: str = ""

    def simulate(self, params: Any, seed: int, *, holdout: bool = True) -> dict[str, float]:
        mark = Path(self.marks) / str(os.getpid())
        if not mark.exists():
            mark.write_text(repr(time.perf_counter()))
        return super().simulate(params, seed, holdout=holdout)


def _first_worker_simulation(marks: Path, start: float) -> float:
    """Seconds from ``start`` to the first simulation of a process other than this one."""
    times = [float(m.read_text()) for m in marks.iterdir() if m.name != str(os.getpid())]
    return min(times) - start


def sweep_rate(runs: int, tmp: Path) -> float:
    """Runs per second of a summary-only Syria sweep on 2 process workers."""
    experiment = experiment_from_scenario(SCENARIO, [], replicates=runs, seed=1)
    start = time.perf_counter()
    run_sweep(experiment, tmp / "sweep", executor="process", workers=WORKERS, quiet=True)
    return runs / (time.perf_counter() - start)


def pyabc_import_s() -> float:
    """Seconds to import pyabc in this process (0 when it is imported already)."""
    start = time.perf_counter()
    import pyabc  # noqa: F401

    return time.perf_counter() - start


def calibration_rate(run_s: float, simulations: int, tmp: Path) -> tuple[float, int, float, float]:
    """Simulations per second of a toy calibration whose simulation takes ``run_s``; the
    simulations, the seconds to the workers' first simulation, and the whole seconds."""
    (tmp / "toy.yaml").write_text("{}\n")
    spec = {
        "name": "bench",
        "patterns": ["toy.yaml"],
        "parameters": {PARAMETER: {"low": 0, "high": 1}},
        "population": 100,
        "max_simulations": simulations,
        "min_epsilon": 0,
        "seed": 1,
        "predictive": 1,
    }
    (tmp / "cal.yaml").write_text(json.dumps(spec))
    calibration = load_calibration(tmp / "cal.yaml", check_paths=False)
    marks = tmp / "marks"
    marks.mkdir()
    start = time.perf_counter()
    out = run_calibration(
        calibration,
        _MarkedProblem(work_s=run_s, marks=str(marks)),
        tmp / "cal",
        workers=WORKERS,
        quiet=True,
        figures=False,
    )
    elapsed = time.perf_counter() - start
    assert out.run is not None
    first = _first_worker_simulation(marks, start)
    return out.run.simulations / elapsed, out.run.simulations, first, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file to write")
    parser.add_argument("--runs", type=int, default=200, help="runs of the reference sweep")
    parser.add_argument("--simulations", type=int, default=1500, help="calibration budget")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        sweep = sweep_rate(args.runs, tmp)
        run_s = WORKERS / sweep
        imported = pyabc_import_s()
        rate, simulations, first, elapsed = calibration_rate(run_s, args.simulations, tmp)
    overhead = WORKERS / rate - run_s
    # The same after the workers' first simulation: what each further simulation costs.
    after_start = WORKERS * (elapsed - first) / simulations - run_s
    # The same, as if the import had been paid inside the calibration (as before decision 362).
    with_import = WORKERS * (simulations / rate + imported) / simulations - run_s
    report = {
        "workers": WORKERS,
        "sweep_runs_per_s": sweep,
        "run_s": run_s,
        "pyabc_import_s": imported,
        "overhead_share_with_import": with_import / run_s,
        "calibration_simulations_per_s": rate,
        "calibration_simulations": simulations,
        "overhead_per_simulation_s": overhead,
        "overhead_share_of_run": overhead / run_s,
        "workers_first_simulation_s": first,
        "overhead_share_after_workers_start": after_start / run_s,
        "targets": {"overhead under a third of a run": overhead / run_s < 1 / 3},
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
