"""Explorer benchmark: from a slider change to redrawn figures, Syria and its counterfactual.

Renders the explorer's page in-process (``solara.render``, no browser), moves
the negativity-bias slider through ``--changes`` values and times each
change: both runs, the figures' specs and the page's re-render (wall clock,
and this process's CPU time, which a busy machine does not inflate). Also
times one run of each scenario with the engine alone.

Usage: ``python benchmarks/bench_explore.py OUT.json [--changes N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import ipyvuetify as v
import solara

from sim.explore.app import Explorer
from sim.explore.engine import mesa_engine
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "syria.yaml"
COUNTERFACTUAL = ROOT / "scenarios" / "syria_abstained.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()

    engine = []
    for path in (SCENARIO, COUNTERFACTUAL):
        scenario = load_scenario(path)
        started = time.perf_counter()
        mesa_engine(scenario, 0)
        engine.append(time.perf_counter() - started)

    started = time.perf_counter()
    _, rc = solara.render(Explorer(str(SCENARIO), str(COUNTERFACTUAL)), handle_error=False)
    first = time.perf_counter() - started
    slider = rc.find(v.Slider, label="negativity bias").widget
    changes, cpu = [], []
    for i in range(args.changes):
        started, started_cpu = time.perf_counter(), time.process_time()
        slider.v_model = 1.0 + 0.1 * (i % 30)
        changes.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    result = {
        "scenario": "syria.yaml vs syria_abstained.yaml",
        "engine_run_s": dict(zip(["syria", "syria_abstained"], engine, strict=True)),
        "first_render_s": first,
        "change_median_s": statistics.median(changes),
        "change_max_s": max(changes),
        "change_cpu_median_s": statistics.median(cpu),
        "changes": len(changes),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
