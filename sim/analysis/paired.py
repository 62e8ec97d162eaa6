"""Design points and paired differences: what the headline, the trajectories and
``compare`` share.

Runs of a sweep are paired when they share a design point and a replicate:
every scenario of an experiment is crossed with the same design points and
the replicate's random stream depends only on the experiment seed and the
replicate number (experiments.md, "Runs, seeds, identity"), so the pair
differs only in the scenario (common random numbers). A paired difference
is ``b - a`` run by run; its interval at a design point is the Student t
95% interval of the mean over the replicates (``mean +- t * sd / sqrt(n)``:
none for one replicate, zero width when every replicate gives the same
difference, as in a deterministic model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import stdtrit

from sim.catalogue import SERIES, parse_metric
from sim.errors import InputError
from sim.results import Results
from sim.scenario.loader import parse_overrides
from sim.scenario.schema import suggest

CONFIDENCE = 0.95
PAIR_KEYS = ["point", "replicate"]


def t_interval(values: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    """Mean and Student t 95% interval of the mean of ``values`` (NaN bounds for n < 2)."""
    n = len(values)
    mean = float(np.mean(values)) if n else float("nan")
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2) * np.std(values, ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def metric_values(results: Results, metric: str, date: str | None = None) -> pd.Series:
    """The metric's value in every finished run, indexed by ``run_id``.

    Args:
        results: the folder.
        metric: a summary column, or a series metric written ``metric.power.group``
            (``metric.group`` for group-level ones) read at ``date``.
        date: ``YYYY-MM`` label of the step to read a series metric at (default: the last).

    Raises:
        InputError: the folder has neither the summary metric nor its series, or
            the date is not one of the series' steps.
    """
    runs = results.ok_runs
    if metric in runs.columns and date is None:
        return pd.Series(runs[metric].to_numpy(np.float64), index=runs["run_id"], name=metric)
    parsed = parse_metric(metric)
    rows = None
    if parsed is not None:
        series = parsed.metric.name if parsed.metric.kind == SERIES else parsed.metric.series
        found = results.series(metrics=[str(series)], groups=[parsed.group])
        if found is not None:
            rows = found[found["power"] == parsed.power]
    if rows is None or rows.empty:
        known = results.metrics
        raise InputError(
            f"metric '{metric}' is not in '{results.path}'; it has summary metrics such as "
            f"{', '.join(known[:4])} ({len(known)} in all), or series metrics written "
            f"metric.power.group (e.g. trust_mean.<power>.all){suggest(metric, known)}"
        )
    if date is None:
        at = rows[rows["step"] == rows["step"].max()]
    else:
        at = rows[rows["date"] == date]
        if at.empty:
            dates = rows["date"]
            raise InputError(
                f"date '{date}' is not a step of '{results.path}'; its series run from "
                f"{dates.min()} to {dates.max()}"
            )
        at = at[at["step"] == at["step"].max()]
    return at.groupby("run_id")["value"].first().rename(metric)


def scenario_value(tree: Mapping[str, Any], path: str) -> float | None:
    """The value at a dotted override path of a resolved scenario tree (``None`` if absent
    or not a number)."""
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def parse_at(
    items: Sequence[str], varied: Sequence[str], runs: pd.DataFrame | None = None
) -> dict[str, float]:
    """``--at PATH=VALUE`` options as ``{path: value}``.

    Args:
        items: the options.
        varied: the sweep's varied paths.
        runs: the sweep's runs, to check that each value was run.

    Raises:
        InputError: not ``PATH=VALUE``, a path the sweep does not vary, a value
            that is not a number or one the sweep did not run.
    """
    fixed: dict[str, float] = {}
    for override in parse_overrides(list(items)):
        if override.path not in varied:
            raise InputError(
                f"--at {override.text}: '{override.path}' is not varied by this sweep; "
                f"varied: {', '.join(varied) or 'nothing'}{suggest(override.path, list(varied))}"
            )
        value = override.value
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InputError(f"--at {override.text}: the value must be a number")
        if runs is not None and runs_at(runs, {override.path: float(value)}).empty:
            ran = ", ".join(f"{v:g}" for v in np.unique(runs[override.path]))
            raise InputError(f"--at {override.text}: the sweep ran {override.path} at {ran}")
        fixed[override.path] = float(value)
    return fixed


def design_points(results: Results) -> pd.DataFrame:
    """One row per design point of the finished runs: ``point`` and the varied values."""
    runs = results.ok_runs
    return runs[["point", *results.varied]].drop_duplicates("point").reset_index(drop=True)


def nearest_value(values: pd.Series, target: float) -> float:
    """The value run that is closest to ``target``."""
    unique = np.unique(values.to_numpy(np.float64))
    return float(unique[np.argmin(np.abs(unique - target))])


def reference_values(
    results: Results, scenario: str, fixed: Mapping[str, float] | None = None
) -> dict[str, float]:
    """The design values to look at: ``fixed`` where given, else the scenario's own
    value of each varied parameter, each taken to the nearest value run (the middle
    value run when the scenario has none).

    A design that draws its values (lhs, sobol, morris) need not hold that
    combination of values: then the design point nearest the targets, each
    parameter scaled by the range run, among the points that hold ``fixed``.
    A grid always holds it, so a grid's values are the nearest values run.
    """
    tree = results.scenarios[scenario]
    points = design_points(results)
    chosen, targets = {}, {}
    for path in results.varied:
        column = points[path]
        own = (fixed or {}).get(path, scenario_value(tree, path))
        targets[path] = float(np.median(column)) if own is None else own
        chosen[path] = nearest_value(column, targets[path])
    if points.empty or not runs_at(points, chosen).empty:
        return chosen
    candidates = runs_at(points, {p: chosen[p] for p in (fixed or {}) if p in chosen})
    if candidates.empty:
        return chosen
    values = candidates[results.varied].to_numpy(np.float64)
    span = np.ptp(points[results.varied].to_numpy(np.float64), axis=0)
    scaled = (values - np.array([targets[p] for p in results.varied])) / np.where(span, span, 1)
    nearest = values[int(np.argmin((scaled**2).sum(axis=1)))]
    return {path: float(v) for path, v in zip(results.varied, nearest, strict=True)}


def runs_at(runs: pd.DataFrame, values: Mapping[str, float]) -> pd.DataFrame:
    """The runs whose varied parameters equal ``values`` (to 1e-9 relative)."""
    keep = np.ones(len(runs), dtype=bool)
    for path, value in values.items():
        keep &= np.isclose(runs[path].to_numpy(np.float64), value, rtol=1e-9, atol=0.0)
    return runs[keep]


def paired_differences(
    runs: pd.DataFrame, values: pd.Series, a: str, b: str, keys: Sequence[str] = PAIR_KEYS
) -> pd.DataFrame:
    """``b - a`` run by run, the runs matched on ``keys``.

    Args:
        runs: runs with ``run_id``, ``scenario`` and the ``keys`` columns (and any others,
            which are kept from ``b``'s runs).
        values: the metric by ``run_id`` (:func:`metric_values`).
        a, b: the scenarios.
        keys: what makes two runs a pair.

    Returns:
        One row per pair: ``b``'s run columns, ``value_a``, ``value_b`` and ``difference``.
    """
    frame = runs.assign(value=runs["run_id"].map(values).to_numpy(np.float64))
    first = frame[frame["scenario"] == a][[*keys, "value"]].rename(columns={"value": "value_a"})
    second = frame[frame["scenario"] == b].rename(columns={"value": "value_b"})
    pairs = second.merge(first, on=list(keys), how="inner", validate="one_to_one")
    return pairs.assign(difference=pairs["value_b"] - pairs["value_a"])


def point_intervals(pairs: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Mean paired difference and its t interval (:func:`t_interval`) per ``by`` cell.

    Returns:
        ``by`` columns, ``mean``, ``lo``, ``hi``, ``n`` (pairs in the cell).
    """
    rows = []
    for cell, group in pairs.groupby(list(by), sort=True):
        mean, lo, hi = t_interval(group["difference"].to_numpy(np.float64))
        key = cell if isinstance(cell, tuple) else (cell,)
        rows.append((*key, mean, lo, hi, len(group)))
    return pd.DataFrame(rows, columns=[*by, "mean", "lo", "hi", "n"])
