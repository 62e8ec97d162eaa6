"""Small results folders written exactly as docs/results_layout.md says.

Used by the plot, report and compare tests so that they do not depend on
the model: every number in these folders is a known function of the step,
the power, the replicate and the varied parameters.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

POWERS = ["USA", "Russia"]
GROUPS = ["all", "levant"]


def scenario_tree(
    name: str = "toy",
    start: str = "2014-01",
    end: str = "2015-12",
    step: str = "month",
    shift: int = 0,
) -> dict[str, Any]:
    """A resolved scenario tree with two events (one per power) and one group."""
    return {
        "name": name,
        "calendar": {"start": start, "end": end, "step": step},
        "powers": {p: {"capability": 0.5, "region": "r"} for p in POWERS},
        "states": {"Syria": {"region": "levant"}},
        "events": [
            {
                "id": "intervention",
                "date": "2014-09",
                "kind": "intervene",
                "actor": "Russia",
                "target": "Syria",
                "label": "Russian intervention",
            },
            {
                "id": "pullout",
                "step": 16 + shift,
                "kind": "withdraw",
                "actor": "USA",
                "target": "Syria",
            },
        ],
        "outputs": {"groups": {"levant": {"region": "levant"}}},
    }


def trust_value(step: int, power: str, group: str, replicate: int, offset: float) -> float:
    """The known trust_mean of the fake model."""
    base = 0.3 if power == "USA" else 0.6
    return base + 0.004 * step + (0.05 if group == "levant" else 0.0) + 0.01 * replicate + offset


def series_frame(tree: dict[str, Any], replicate: int = 0, offset: float = 0.0) -> pd.DataFrame:
    """The tidy series of one fake run (every metric of the layout)."""
    from sim.scenario.calendar import Calendar

    calendar = Calendar(**tree["calendar"])
    rows = []
    for k in range(calendar.n_steps + 1):
        date = calendar.label(k)
        for group in GROUPS:
            share_usa = min(0.9, 0.2 + 0.01 * k + offset)
            shares = {"USA": share_usa, "Russia": 0.3, "none": 1.0 - share_usa - 0.3}
            for power in POWERS:
                t = trust_value(k, power, group, replicate, offset)
                for metric, value in [
                    ("trust_mean", t),
                    ("trust_p10", t - 0.1),
                    ("trust_p90", t + 0.1),
                    ("own_mean", t),
                    ("share_aligned", shares[power]),
                ]:
                    rows.append((k, date, group, power, metric, value))
            rows.append((k, date, group, "none", "share_aligned", shares["none"]))
            poles = 1.0 / (share_usa**2 + 0.3**2) if k else 0.0
            rows.append((k, date, group, "", "effective_poles", poles))
            rows.append((k, date, group, "", "realignments", float(k % 3)))
    frame = pd.DataFrame(rows, columns=["step", "date", "group", "power", "metric", "value"])
    return frame.astype({"step": "int64", "value": "float64"})


def summary_of(series: pd.DataFrame) -> dict[str, Any]:
    """The nested summary of a fake run's series."""
    trust = series[series["metric"] == "trust_mean"]
    last = trust[trust["step"] == trust["step"].max()]
    shares = series[
        (series["metric"] == "share_aligned") & (series["step"] == series["step"].max())
    ]
    poles = series[
        (series["metric"] == "effective_poles") & (series["step"] == series["step"].max())
    ]

    def nest(frame: pd.DataFrame, how: str) -> dict[str, dict[str, float]]:
        agg = frame.groupby(["power", "group"])["value"].agg(how)
        return {p: {g: float(agg[p, g]) for g in GROUPS} for p in dict.fromkeys(frame["power"])}

    return {
        "final_trust": nest(last, "mean"),
        "min_trust": nest(trust, "min"),
        "mean_trust": nest(trust, "mean"),
        "sd_trust": nest(trust, "std"),
        "final_share": nest(shares, "mean"),
        "trust_change": {"withdrawal": nest(last, "mean")},
        "final_effective_poles": float(poles[poles["group"] == "all"]["value"].iloc[0]),
        "effective_poles": {g: float(poles[poles["group"] == g]["value"].iloc[0]) for g in GROUPS},
    }


def _flat(nested: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = float(value)
    return out


def write_run(folder: Path, tree: dict[str, Any] | None = None, offset: float = 0.0) -> Path:
    """A single-run folder: manifest.json, summary.json, series.parquet."""
    tree = tree or scenario_tree()
    folder.mkdir(parents=True, exist_ok=True)
    series = series_frame(tree, 0, offset)
    manifest = {
        "kind": "run",
        "credsim": "0.1.0",
        "scenario_name": tree["name"],
        "scenario": tree,
        "source": "scenarios/toy.yaml",
        "overrides": {},
        "seed": 0,
        "record": "series",
        "versions": {"numpy": np.__version__},
        "git": {"commit": "abc", "dirty": False},
        "command": ["credsim", "run", "scenarios/toy.yaml"],
        "host": "test",
        "started": "2025-01-01T00:00:00",
        "finished": "2025-01-01T00:00:01",
        "elapsed_s": 1.0,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "summary.json").write_text(json.dumps(summary_of(series)))
    series.to_parquet(folder / "series.parquet", index=False)
    return folder


def _design_value(value: Any) -> Any:
    """A design value as the runs table holds it: text stays text, numbers are floats."""
    return value if isinstance(value, str) else float(value)


def write_sweep(
    folder: Path,
    scenarios: dict[str, float] | None = None,
    grid: dict[str, list[Any]] | None = None,
    replicates: int = 3,
    trees: dict[str, dict[str, Any]] | None = None,
    parts: int = 2,
    question: dict[str, Any] | None = None,
) -> Path:
    """A sweep folder: every scenario (name -> trust offset) x grid point x replicate.

    The varied parameters add ``0.1 * value`` (first) and ``0.01 * value``
    (second) to the trust offset, so their effect on every metric is known; a
    text value (a name, a date) counts as its position in its list.
    ``question`` goes into the manifest's experiment as the file's ``question:``.
    """
    scenarios = scenarios if scenarios is not None else {"base": 0.0, "counter": -0.1}
    grid = grid if grid is not None else {"parameters.trust.negativity_bias": [1.0, 2.0, 3.0]}
    trees = trees or {name: scenario_tree(name) for name in scenarios}
    names = list(grid)
    codes = list(itertools.product(*(range(len(v)) for v in grid.values())))
    points = [[_design_value(grid[n][i]) for n, i in zip(names, c, strict=True)] for c in codes]
    runs, series = [], []
    for scenario, offset in scenarios.items():
        for point, values in enumerate(points):
            numbers = [
                i if isinstance(v, str) else v for v, i in zip(values, codes[point], strict=True)
            ]
            shift = sum(w * v for w, v in zip([0.1, 0.01], numbers, strict=False))
            for rep in range(replicates):
                run_id = f"{scenario}-{point}-{rep}"
                frame = series_frame(trees[scenario], rep, offset + shift)
                series.append(frame.assign(run_id=run_id))
                runs.append(
                    {
                        "run_id": run_id,
                        "scenario": scenario,
                        "point": point,
                        "replicate": rep,
                        "seed": 7,
                        **dict(zip(names, values, strict=True)),
                        **_flat(summary_of(frame)),
                        "status": "ok",
                        "error": None,
                        "elapsed_s": 0.1,
                    }
                )
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "kind": "sweep",
        "credsim": "0.1.0",
        "experiment_name": "toy_sweep",
        "experiment": {"name": "toy_sweep", **({"question": question} if question else {})},
        "resolved": {"name": "toy_sweep"},
        "scenarios": trees,
        "design": {
            "method": "grid",
            "parameters": {n: grid[n] for n in names},
            "samples": None,
            "points": len(points),
        },
        "varied": names,
        "replicates": replicates,
        "seed": 7,
        "record": "series",
        "command": ["credsim", "sweep", "toy.yaml"],
        "versions": {},
        "git": {"commit": None, "dirty": None},
        "host": "test",
        "started": "2025-01-01T00:00:00",
        "finished": "2025-01-01T00:01:00",
        "status": "complete",
        "counts": {"planned": len(runs), "done": len(runs), "failed": 0},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    pd.DataFrame(runs).to_parquet(folder / "runs.parquet", index=False)
    (folder / "series").mkdir(exist_ok=True)
    all_series = pd.concat(series, ignore_index=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(all_series)), parts)):
        all_series.iloc[chunk].to_parquet(folder / "series" / f"part-{i:05d}.parquet", index=False)
    return folder
