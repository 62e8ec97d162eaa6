"""Model benchmark: time per step and per (observer x power) cell, at scale.

Measures, side by side in one run:

- synthetic scenarios of 100, 1,000, 10,000 and 100,000 states, 5 powers,
  120 monthly steps: load time, construction, run, per step, per cell;
- a scenario the size of the historical ones (40 actors, 4 powers, 156
  monthly steps): run time without file output (summary and series);
- the fast model against the plain reference (tests/reference.py) at 500
  states, on the same scenario, in alternation.

Usage: ``python benchmarks/bench_model.py [--out report.json] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sim.model import CredibilityModel  # noqa: E402
from sim.runner import run_scenario  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.scenario.synthetic import synthetic_tree  # noqa: E402


def synthetic(states: int, powers: int, steps: int, **kw: Any) -> Any:
    t0 = time.perf_counter()
    scenario = load_scenario(synthetic_tree(states, powers, steps, seed=1, **kw))
    return scenario, time.perf_counter() - t0


def scale(sizes: list[int], powers: int, steps: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        scenario, load_s = synthetic(n, powers, steps)
        builds, runs = [], []
        for _ in range(repeats if n < 100_000 else 1):
            t0 = time.perf_counter()
            model = CredibilityModel(scenario, rng=1, record="summary")
            t1 = time.perf_counter()
            model.run()
            model.summary()
            t2 = time.perf_counter()
            builds.append(t1 - t0)
            runs.append(t2 - t1)
        run_s = min(runs)
        cells = (n + powers) * powers
        row = {
            "states": n,
            "powers": powers,
            "steps": steps,
            "load_s": round(load_s, 4),
            "build_s": round(min(builds), 4),
            "run_s": round(run_s, 4),
            "total_s": round(load_s + min(builds) + run_s, 4),
            "per_step_ms": round(1e3 * run_s / steps, 4),
            "per_cell_step_ns": round(1e9 * run_s / steps / cells, 2),
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def historical_size(repeats: int) -> dict[str, Any]:
    scenario, _ = synthetic(36, 4, 156, regions=6, blocs=4, events=40)
    out: dict[str, Any] = {"actors": 40, "powers": 4, "steps": 156}
    for record in ("summary", "series"):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run_scenario(scenario, 1, record)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
        out[f"{record}_run_ms_min"] = round(1e3 * min(times), 3)
        out[f"{record}_run_ms_median"] = round(1e3 * statistics.median(times), 3)
    print(json.dumps(out), flush=True)
    return out


def against_reference(states: int, powers: int, steps: int, repeats: int) -> dict[str, Any]:
    from reference import ReferenceModel

    scenario, _ = synthetic(states, powers, steps)
    fast_t, ref_t = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        CredibilityModel(scenario, rng=1, record="summary").run()
        t1 = time.perf_counter()
        ref = ReferenceModel(scenario, rng=1)
        for _ in range(scenario.calendar.n_steps):
            ref.step()
        t2 = time.perf_counter()
        fast_t.append(t1 - t0)
        ref_t.append(t2 - t1)
    out = {
        "states": states,
        "powers": powers,
        "steps": steps,
        "fast_s": round(min(fast_t), 4),
        "reference_s": round(min(ref_t), 4),
        "speedup": round(min(ref_t) / min(fast_t), 1),
    }
    print(json.dumps(out), flush=True)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=None)
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    args = parser.parse_args(argv)
    sizes = [100, 1_000] if args.quick else [100, 1_000, 10_000, 100_000]
    report: dict[str, Any] = {"scale": scale(sizes, 5, 120, repeats=3)}
    report["historical_size"] = historical_size(repeats=5 if args.quick else 20)
    report["reference"] = against_reference(
        100 if args.quick else 500, 5, 24 if args.quick else 60, repeats=1 if args.quick else 2
    )
    by_size = {r["states"]: r for r in report["scale"]}
    targets: dict[str, Any] = {
        "fast_vs_reference_at_500_ge_50x": report["reference"]["speedup"] >= 50,
        "historical_size_summary_run_lt_50ms": report["historical_size"]["summary_run_ms_min"] < 50,
    }
    if 100_000 in by_size and 10_000 in by_size:
        ratio = by_size[100_000]["per_cell_step_ns"] / by_size[10_000]["per_cell_step_ns"]
        targets["per_cell_100k_over_10k"] = round(ratio, 3)
        targets["per_cell_100k_within_2x_of_10k"] = ratio <= 2.0
        targets["run_100k_lt_10s"] = by_size[100_000]["build_s"] + by_size[100_000]["run_s"] < 10
    report["targets"] = targets
    print(json.dumps(targets), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
