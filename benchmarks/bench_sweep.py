"""Sweep throughput, memory and per-run profile on the Syria scenario (summary only).

Measures, and writes as JSON to the path given:

- runs per second of a summary-only sweep with 1 and 2 process workers and
  with Dask on 2 workers (a LocalCluster; its start-up is reported apart);
- peak resident memory (the sweep process plus its workers) while a long
  sweep runs, sampled over time, to show whether it stays flat as runs grow;
- a cProfile of single runs in one process: where the per-run time goes, and
  how much of it is the sweep's own overhead (resolving the design point,
  flattening the summary) rather than the model.

Usage::

    python benchmarks/bench_sweep.py OUT.json [--runs 400] [--memory-runs 10000]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

from sim.scenario import load_scenario
from sim.sweep import experiment_from_scenario, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "syria.yaml"


def _experiment(runs: int, seed: int = 1) -> Any:
    # Four design points, the rest replicates: the per-point scenario cache is exercised as
    # in a real sweep, and the run count is exact.
    reps = max(1, runs // 4)
    return experiment_from_scenario(
        SCENARIO,
        ["parameters.trust.negativity_bias=1,2,3,4"],
        replicates=reps,
        seed=seed,
        record="summary",
    )


class _MemorySampler(threading.Thread):
    """Samples the memory of this process and all its children (the sweep's workers).

    Two sums: resident set size (RSS), which counts pages the workers share
    with their fork server once per process, and proportional set size (PSS),
    which splits each shared page among its sharers: the sweep's actual
    resident memory.
    """

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, float, float]] = []
        self._halt = threading.Event()
        self.start_time = time.perf_counter()

    def sample(self) -> tuple[float, float]:
        me = psutil.Process()
        rss = pss = 0
        for process in [me, *me.children(recursive=True)]:
            try:
                info = process.memory_full_info()
            except psutil.NoSuchProcess:
                continue
            rss += info.rss
            pss += info.pss
        return rss / 2**20, pss / 2**20

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.perf_counter() - self.start_time, *self.sample()))
            self._halt.wait(self.interval)

    def stop(self) -> list[tuple[float, float, float]]:
        self._halt.set()
        self.join()
        return self.samples


def _timed_sweep(runs: int, executor: str, workers: int, folder: Path) -> dict[str, Any]:
    experiment = _experiment(runs)
    start = time.perf_counter()
    outcome = run_sweep(experiment, folder, executor=executor, workers=workers, quiet=True)
    elapsed = time.perf_counter() - start
    runs_table = pd.read_parquet(folder / "runs.parquet")
    model_s = float(runs_table["elapsed_s"].sum())
    return {
        "executor": executor,
        "workers": workers,
        "runs": outcome.planned,
        "failed": outcome.failed,
        "wall_s": round(elapsed, 3),
        "runs_per_s": round(outcome.planned / elapsed, 2),
        "mean_run_s": round(model_s / outcome.planned, 5),
    }


def throughput(runs: int, tmp: Path) -> list[dict[str, Any]]:
    """Runs per second of the same sweep with each executor.

    A small sweep first starts the process executor's fork server, which lives as
    long as this process: otherwise the first executor timed (one worker) pays its
    start-up, importing the model, and the two-worker sweep does not, which made
    "2 workers over 1" read 4.7.
    """
    _timed_sweep(8, "process", 2, tmp / "warm-up")
    out = []
    for executor, workers in (("process", 1), ("process", 2), ("dask", 2)):
        result = _timed_sweep(runs, executor, workers, tmp / f"{executor}-{workers}")
        print(json.dumps(result), file=sys.stderr)
        out.append(result)
    return out


def dask_startup() -> float:
    """Seconds to start and stop a 2-worker LocalCluster (paid once per dask sweep)."""
    import logging

    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster),
    ):
        pass
    return round(time.perf_counter() - start, 3)


def memory(runs: int, tmp: Path) -> dict[str, Any]:
    """Peak memory (process tree) of a long 2-worker sweep, and how it evolves."""
    sampler = _MemorySampler()
    sampler.start()
    result = _timed_sweep(runs, "process", 2, tmp / "memory")
    samples = sampler.stop()
    tenth = max(1, len(samples) // 10)

    def by_tenth(column: int) -> list[float]:
        # Peak in each tenth of the sweep's duration: flat means no growth with runs.
        return [
            round(max(s[column] for s in samples[i : i + tenth]), 1)
            for i in range(0, len(samples), tenth)
        ]

    return {
        **result,
        "peak_pss_mb": round(max(s[2] for s in samples), 1),
        "peak_rss_sum_mb": round(max(s[1] for s in samples), 1),
        "pss_by_tenth_mb": by_tenth(2),
        "rss_sum_by_tenth_mb": by_tenth(1),
    }


def profile(runs: int = 60) -> dict[str, Any]:
    """Where one process spends a run's time (cProfile, by cumulative and internal time)."""
    from sim.sweep.executors import install_scenarios, run_task
    from sim.sweep.experiment import plan_runs

    experiment = _experiment(runs)
    install_scenarios(experiment.scenarios_by_hash)
    tasks = plan_runs(experiment)
    run_task(tasks[0])  # imports and first-call costs are not per run
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for task in tasks:
        run_task(task)
    profiler.disable()
    per_run = (time.perf_counter() - start) / len(tasks)

    def top(key: str, n: int = 25) -> list[str]:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(n)
        return [line for line in buffer.getvalue().splitlines() if line.strip()][-n - 1 :]

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def cumulative(fragment: str) -> float:
        total = sum(v[3] for k, v in stats.items() if fragment in f"{k[0]}:{k[2]}")
        return round(total / len(tasks), 6)

    scenario = load_scenario(SCENARIO)
    start = time.perf_counter()
    for i in range(20):
        load_scenario(scenario, {"parameters.trust.negativity_bias": 1.0 + i / 100})
    override_s = (time.perf_counter() - start) / 20
    return {
        "runs": len(tasks),
        "per_run_s_profiled": round(per_run, 5),
        "per_run_s": {
            "run_scenario": cumulative("runner.py:run_scenario"),
            "model_init": cumulative("model.py:__init__"),
            "model_step": cumulative("model.py:step"),
            "datacollector_collect": cumulative("datacollection.py:collect"),
            "summary": cumulative("model.py:summary"),
            "flatten_summary": cumulative("metrics.py:flatten_summary"),
            "resolve_point (cached per point)": cumulative("executors.py:_resolved"),
        },
        "override_validation_s_per_point": round(override_s, 5),
        "top_cumulative": top("cumulative"),
        "top_internal": top("tottime"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file to write")
    parser.add_argument("--runs", type=int, default=400, help="runs per throughput sweep")
    parser.add_argument("--memory-runs", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        report = {
            "scenario": str(SCENARIO.relative_to(ROOT)),
            "cpus": psutil.cpu_count(),
            "profile": profile(),
            "throughput": throughput(args.runs, Path(tmp)),
            "dask_startup_s": dask_startup(),
            "memory": memory(args.memory_runs, Path(tmp)),
        }
    one = next(r for r in report["throughput"] if r["executor"] == "process" and r["workers"] == 1)
    two = next(r for r in report["throughput"] if r["executor"] == "process" and r["workers"] == 2)
    for row in report["throughput"]:
        if row["executor"] == "dask":
            row["runs_per_s_excl_cluster_startup"] = round(
                row["runs"] / max(row["wall_s"] - report["dask_startup_s"], 1e-9), 2
            )
    report["speedup_2_over_1"] = round(two["runs_per_s"] / one["runs_per_s"], 2)
    report["targets"] = {
        "runs_per_s_2_workers >= 100": two["runs_per_s"] >= 100,
        # The long sweep amortises the pool's start-up: the steady-state rate.
        "runs_per_s_2_workers_long_sweep >= 100": report["memory"]["runs_per_s"] >= 100,
        "speedup >= 1.7": report["speedup_2_over_1"] >= 1.7,
        "peak_pss_mb < 500": report["memory"]["peak_pss_mb"] < 500,
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("speedup_2_over_1", "targets")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
