"""Findings' numbers: paired differences, bootstrap intervals, design points, Sobol indices.

Every function here is deterministic (fixed bootstrap and SALib seeds), so the
same results folders give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from sim.analysis.sensitivity import Difference, difference_means, indices, problem_of
from sim.calibrate.posterior import half_life
from sim.results import Results
from sim.scenario.schema import DEFAULT_FIRST_MOVER_DECAY, DEFAULT_WEIGHTS

REPO = Path(__file__).resolve().parents[2]
EXPERIMENTS = (
    "syria_withdrawal",
    "claim1_boundary",
    "claim1_observers",
    "claim1_sobol",
    "claim2_sino_soviet",
    "claim3_statement",
    "claim4_recognition",
    "claim5_steadiness",
)
BOOTSTRAP_SEED = 20241208
BOOTSTRAP_RESAMPLES = 9999
SOBOL_SEED = 103
SOBOL_RESAMPLES = 1000
# The package's figures' resolution (sim.plots.figure.DPI): 90 gave 6-8 pixel legends.
DPI = 150
NB = "parameters.trust.negativity_bias"
MEMORY = "parameters.trust.memory"
SUSCEPTIBILITY = "parameters.diffusion.susceptibility"
SAME_BLOC = "parameters.salience.same_bloc"
SAME_REGION = "parameters.salience.same_region"
GLOBAL = "parameters.salience.global"
RHETORIC = "parameters.event_kinds.rhetoric.weight"
DECAY = "parameters.event_kinds.recognize.first_mover_decay"
# Claim 1's key metric: Russia's mean trust among the Arab League states in December 2026.
KEY_METRIC = "final_trust.Russia.arab_league"
SCENARIO_COLOURS = {
    "historical": "#c0392b",
    "sustained": "#2471a3",
    "abstained": "#7f8c8d",
    "neutral_1962": "#2471a3",
    "coexistence_neutral": "#7f8c8d",
    "no_statement": "#7f8c8d",
    "russia_first": "#2471a3",
    "west_later": "#27ae60",
    "china_bystander": "#8e44ad",
}
POWER_COLOURS = {
    "Russia": "#c0392b",
    "USA": "#2471a3",
    "China": "#d4ac0d",
    "Turkey": "#16a085",
    "France": "#7d3c98",
}
LABELS = {
    NB: "negativity bias",
    MEMORY: "memory (monthly)",
    SUSCEPTIBILITY: "susceptibility",
    SAME_BLOC: "salience same bloc",
    SAME_REGION: "salience same region",
    GLOBAL: "salience global",
    RHETORIC: "rhetoric weight",
    DECAY: "first-mover decay",
    "parameters.trust.prior_strength": "prior strength",
    "parameters.event_kinds.support.weight": "support weight",
}


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap 95% interval over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int

    def text(self, digits: int = 3) -> str:
        """``+0.012 [+0.010, +0.014]``."""
        f = f"{{:+.{digits}f}}"
        return f"{f.format(self.mean)} [{f.format(self.low)}, {f.format(self.high)}]"


def interval(values: npt.ArrayLike) -> Interval:
    """The mean of ``values`` with a bootstrap 95% percentile interval.

    ``scipy.stats.bootstrap`` with a fixed generator, so the interval is
    reproducible; values that do not vary (or a single value) give a
    zero-width interval rather than a degenerate bootstrap.
    """
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2 or np.ptp(data) == 0:
        return Interval(mean, mean, mean, len(data))
    res = stats.bootstrap(
        (data,),
        np.mean,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=0.95,
        method="percentile",
        random_state=np.random.default_rng(BOOTSTRAP_SEED),
    )
    ci = res.confidence_interval
    return Interval(mean, float(ci.low), float(ci.high), len(data))


def paired(runs: pd.DataFrame, values: str, a: str, b: str, keys: Sequence[str]) -> pd.DataFrame:
    """Scenario ``a`` minus scenario ``b`` of column ``values``, run by run.

    Runs are paired by design point and replicate: both scenarios share the
    design and the seeds (common random numbers). ``keys`` are the columns
    kept alongside (the varied parameters).

    Returns:
        One row per pair: ``point, replicate``, ``keys``, ``a``, ``b``, ``diff``.
    """
    index = ["point", "replicate", *keys]
    table = runs[runs["scenario"].isin([a, b])].pivot_table(
        index=index, columns="scenario", values=values, aggfunc="first"
    )
    table = table.dropna(subset=[a, b]).reset_index()
    out = table[[*index, a, b]].copy()
    out["diff"] = out[a] - out[b]
    return out.sort_values(["point", "replicate"]).reset_index(drop=True)


def tree_value(tree: dict[str, Any], path: str) -> float:
    """A parameter's value in a resolved scenario tree (event-kind defaults filled in)."""
    node: Any = tree
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    if node is not None:
        return float(node)
    parts = path.split(".")
    if parts[-1] == "first_mover_decay":
        return DEFAULT_FIRST_MOVER_DECAY
    return DEFAULT_WEIGHTS[parts[-2]]


def baseline_point(results: Results, scenario: str) -> dict[str, float]:
    """The design point nearest the scenario's own parameter values (each range scaled to 1)."""
    varied = results.varied
    own = np.array([tree_value(results.scenarios[scenario], p) for p in varied])
    points = results.ok_runs[varied].drop_duplicates().sort_values(varied)
    grid = points.to_numpy(dtype=float)
    span = np.ptp(grid, axis=0)
    span[span == 0] = 1.0
    best = int(np.argmin((((grid - own) / span) ** 2).sum(axis=1)))
    return dict(zip(varied, (float(v) for v in grid[best]), strict=True))


def at(frame: pd.DataFrame, point: dict[str, float]) -> pd.DataFrame:
    """The rows of ``frame`` at one design point."""
    mask = np.ones(len(frame), dtype=bool)
    for path, value in point.items():
        mask &= np.isclose(frame[path].to_numpy(dtype=float), value)
    return frame[mask]


def describe_point(point: dict[str, float]) -> str:
    """``negativity bias 2, memory 0.98``."""
    return ", ".join(f"{LABELS.get(p, p)} {v:g}" for p, v in point.items())


def recorded_series(results: Results, metric: str) -> pd.DataFrame:
    """The series ``metric`` of every group; stops when the experiment recorded none."""
    series = results.series(metrics=[metric])
    if series is None:
        raise SystemExit(f"{results.path} recorded no series; its experiment needs record: series")
    return series


def series_at(results: Results, date: str, metric: str = "trust_mean") -> pd.DataFrame:
    """Per run, group and power: the series ``metric`` at the last step labelled ``date``."""
    series = recorded_series(results, metric)
    rows = series[series["date"] == date]
    last = rows.groupby("run_id")["step"].transform("max")
    return rows[rows["step"] == last]


def window_mean(results: Results, start: str, end: str, metric: str = "trust_mean") -> pd.DataFrame:
    """Per run, group and power: the mean of ``metric`` over the steps from ``start`` to ``end``."""
    series = recorded_series(results, metric)
    rows = series[(series["date"] >= start) & (series["date"] <= end)]
    keys = ["run_id", "scenario", "point", "replicate", *results.varied, "group", "power"]
    return rows.groupby(keys, as_index=False)[["value"]].mean()


def wide(frame: pd.DataFrame, results: Results, group: str, power: str) -> pd.DataFrame:
    """Rows of a per-run, group and power table as a runs-like table with a ``value`` column."""
    rows = frame[(frame["group"] == group) & (frame["power"] == power)]
    return rows[["scenario", "point", "replicate", *results.varied, "value"]]


def point_means(diff: pd.DataFrame, column: str = "diff") -> pd.Series:
    """The mean of ``column`` at each design point (over its replicates), by point."""
    return diff.groupby("point")[column].mean()


def grid_range(frame: pd.DataFrame, column: str, spec: str = "+.3f") -> str:
    """The "grid range" of the document's head: the smallest and the largest of the
    design points' means of ``column`` (over their replicates), so that it measures the
    spread over the parameters, not the replicates' own noise on top of it."""
    return value_range(point_means(frame, column), spec)


def value_range(values: pd.Series, spec: str = "+.3f") -> str:
    """``-0.012 to +0.034``: the smallest and the largest of ``values``."""
    return f"{values.min():{spec}} to {values.max():{spec}}"


def design_size(results: Results) -> str:
    """``12 points, 5 replicates``: the finished design points and the replicates of each."""
    points = results.ok_runs["point"].nunique()
    return f"{points} points, {results.manifest['replicates']} replicates"


def worse_memories(memories: np.ndarray, values: np.ndarray) -> str:
    """The ``memories`` where ``values`` is negative, with their half-lives, or ``none``.

    ``0.95, 0.97 (half-lives 14 to 23 months)``; the negative cells need not
    be contiguous, so every one is listed.
    """
    negative = memories[values < 0]
    if len(negative) == 0:
        return "none (better at every memory)"
    lives = f"{half_life(negative.min()):.0f} to {half_life(negative.max()):.0f} months"
    if len(negative) == 1:
        lives = f"{half_life(negative[0]):.0f} months"
    return ", ".join(f"{m:g}" for m in negative) + f" (half-life {lives})"


def sobol_of_difference(results: Results, metric: str, a: str, b: str) -> pd.DataFrame:
    """First and total Sobol indices of ``metric`` in ``a`` minus ``b``.

    The two scenarios share the Saltelli sample and the seeds, so the
    difference is taken per (design point, replicate), averaged over
    replicates, and given to ``SALib.analyze.sobol.analyze`` with the
    design's own ``problem`` (``calc_second_order=False``, as sampled):
    :func:`sim.analysis.sensitivity.difference_means`, as ``credsim analyze``
    takes it, here with more bootstrap resamples and the findings' own seed.

    Returns:
        Columns ``parameter, S1, S1_conf, ST, ST_conf``, sorted by ``ST`` (largest first).
    """
    design = results.manifest["design"]
    names = list(design["parameters"])
    points = pd.read_parquet(results.path / "design.parquet")
    per_point = difference_means(results, points, Difference(a, b, metric))
    if np.isnan(per_point).any():
        raise SystemExit(f"{results.path}: the Sobol sample is incomplete; finish the sweep first")
    res = indices(
        "sobol",
        problem_of(design),
        np.empty((0, len(names))),
        per_point,
        seed=SOBOL_SEED,
        resamples=SOBOL_RESAMPLES,
    )
    table = pd.DataFrame(
        {
            "parameter": names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return table.sort_values(["ST", "parameter"], ascending=[False, True]).reset_index(drop=True)
