"""Report time: ``credsim plot`` of a 1,000-run and a 10,000-run Syria sweep.

The sweep is issue 13's design: the Syria scenario over four values of the
negativity bias, summary only. One small real sweep (4 values x 2
replicates) is run, and its runs table is then grown to 250 and 2,500
replicates per value by copying rows with new run ids and replicate
numbers (each metric nudged by a small replicate-dependent amount, so the
bands have width): the report reads only ``runs.parquet`` and the
manifest, so this is the report's real input at each size, without paying
for 10,000 model runs. Each size is timed as ``credsim plot FOLDER`` in a
fresh process (imports included, as a user waits for it), best of
``--repeat``.

Usage::

    python benchmarks/bench_report.py OUT.json [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.integrity import Records
from sim.sweep import experiment_from_scenario, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "syria.yaml"
VALUES = 4


def grow(source: Path, target: Path, runs: int) -> None:
    """Copy the sweep folder ``source`` to ``target`` with ``runs`` runs in its table."""
    shutil.copytree(source, target)
    table = pd.read_parquet(source / "runs.parquet")
    reps = runs // VALUES
    copies = []
    for rep in range(reps):
        copy = table[table["replicate"] == rep % int(table["replicate"].max() + 1)].copy()
        copy["replicate"] = rep
        copy["run_id"] = [f"{rid[:10]}{rep:06d}" for rid in copy["run_id"]]
        numeric = copy.select_dtypes("number").columns.difference(
            ["point", "replicate", "seed", "elapsed_s", *copy.filter(like="parameters.").columns]
        )
        copy[numeric] = copy[numeric] + 1e-4 * np.sin(rep + np.arange(len(numeric)))
        copies.append(copy)
    grown = pd.concat(copies, ignore_index=True)
    grown.to_parquet(target / "runs.parquet", index=False)
    # The grown table is this folder's own: record it, or plot refuses the folder as damaged.
    Records(target).add({target / "runs.parquet": len(grown)})
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["replicates"] = reps
    # The resolved experiment says it too, and check refuses a manifest whose two
    # places differ (decision 1012).
    manifest["resolved"]["replicates"] = reps
    manifest["counts"] = {"planned": runs, "done": runs, "failed": 0}
    (target / "manifest.json").write_text(json.dumps(manifest))


def time_plot(folder: Path, repeat: int) -> list[float]:
    """Wall seconds of ``credsim plot folder`` in a fresh process, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sim", "plot", str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    experiment = experiment_from_scenario(
        SCENARIO,
        ["parameters.trust.negativity_bias=1,2,3,4"],
        replicates=2,
        seed=1,
        record="summary",
    )
    results: dict[str, object] = {"design": "syria, negativity bias 1,2,3,4, summary"}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        run_sweep(experiment, base, quiet=True)
        for size in args.sizes:
            folder = Path(tmp) / f"runs{size}"
            grow(base, folder, size)
            times = time_plot(folder, args.repeat)
            page = (folder / "report.html").stat().st_size
            figures = len(list((folder / "plots").glob("*.png")))
            results[str(size)] = {
                "seconds_best": min(times),
                "seconds_all": times,
                "report_bytes": page,
                "figures": figures,
            }
            print(f"{size} runs: plot {min(times):.2f} s (best of {args.repeat}), "
                  f"page {page / 1e6:.2f} MB, {figures} figures", flush=True)  # fmt: skip
    sizes = [str(s) for s in args.sizes]
    if len(sizes) == 2:
        first, second = (results[s] for s in sizes)
        assert isinstance(first, dict) and isinstance(second, dict)
        results["ratio"] = second["seconds_best"] / first["seconds_best"]
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
