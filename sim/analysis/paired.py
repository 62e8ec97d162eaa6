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

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import stdtrit

from sim.catalogue import SERIES, MetricName, parse_metric
from sim.errors import InputError, beyond_float, shortened
from sim.results import Results
from sim.scenario.loader import parse_overrides
from sim.scenario.schema import relation_value, suggest

# A varied parameter's value: a number, or text (a name such as an alignment, a date).
DesignValue = float | str
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
    # A summary metric's own column; not another column of the runs table (``status``,
    # ``run_id``, ``seed``, a varied parameter), which `--metric status` took for one: a
    # traceback converting 'ok' to a number, or a "difference" of seeds (an audit).
    if metric in results.metrics and metric in runs.columns and date is None:
        return pd.Series(runs[metric].to_numpy(np.float64), index=runs["run_id"], name=metric)
    parsed = parse_metric(metric)
    rows = None
    if parsed is not None and parsed.metric.kind != SERIES and not parsed.metric.last_of_series:
        # Only its own column holds such a summary: its series at the last step is
        # another number (a misspelled window gave final trust as "change over" it;
        # decision 614).
        raise _not_in_folder(results, metric, parsed)
    if parsed is not None:
        series = parsed.metric.name if parsed.metric.kind == SERIES else parsed.metric.series
        found = results.series(metrics=[str(series)], groups=[parsed.group])
        if found is not None:
            rows = found[found["power"] == parsed.power]
    if rows is None or rows.empty:
        raise _not_in_folder(results, metric, parsed)
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


def _not_in_folder(results: Results, metric: str, parsed: MetricName | None) -> InputError:
    """The error for a metric the folder does not hold: a window it has no column for,
    named with the windows it has, else the folder's metrics."""
    if parsed is not None and parsed.window is not None:
        windows = sorted(
            {
                found.window
                for column in results.ok_runs.columns
                if (found := parse_metric(str(column))) is not None
                and found.metric is parsed.metric
                and found.window is not None
            }
        )
        if parsed.window not in windows:
            have = (
                f"its {parsed.metric.name} windows are {', '.join(windows)}"
                if windows
                else f"it has no {parsed.metric.name} (its scenarios define no windows)"
            )
            return InputError(
                f"window '{parsed.window}' of metric '{metric}' is not in '{results.path}'; "
                f"{have}{suggest(parsed.window, windows)}"
            )
    known = results.metrics
    if metric in results.runs.columns and metric not in known:
        return InputError(
            f"'{metric}' is a column of the runs table of '{results.path}' that says which "
            f"run a row is or how it went, not a metric; give a summary metric such as "
            f"{', '.join(usual_metrics(results)[:2])} ({len(known)} in all)"
        )
    # A folder of summaries only has no series metric to offer (it offered them).
    series_note = (
        "; it recorded summaries only (record: summary), so no series metric: run it "
        "with --record series (record: series in an experiment file) to compare one"
        if results.manifest.get("record") == "summary"
        else ", or series metrics written metric.power.group (e.g. trust_mean.<power>.all)"
    )
    return InputError(
        f"metric '{metric}' is not in '{results.path}'; it has summary metrics such as "
        f"{', '.join(usual_metrics(results))} ({len(known)} in all){series_note}"
        f"{suggest(metric, known)}"
    )


def usual_metrics(results: Results, limit: int = 4) -> list[str]:
    """The folder's summary metrics a reader most likely means, to name as examples.

    The experiment's ``question:`` metric, the final trust in each power (the
    scenarios' order) among all states, the other final trusts, then the rest. The
    first four by name were ``affinity_change.blank_cheque.UK.all`` and its like (a
    first afternoon's audit, decision 702).
    """
    known = results.metrics
    question = (results.manifest.get("experiment") or {}).get("question") or {}
    first = [str(question.get("metric"))] + [f"final_trust.{p}.all" for p in results.powers]
    usual = [m for m in dict.fromkeys(first) if m in known]
    usual += [m for m in known if m.startswith("final_trust.") and m not in usual]
    usual += [m for m in known if m not in usual]
    return usual[:limit]


def is_text(values: pd.Series) -> bool:
    """Whether a varied parameter's values are text (a name, a date), not numbers."""
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def value_text(value: DesignValue, digits: int = 6) -> str:
    """A design value as written in labels: a number to ``digits`` significant digits,
    text as it is."""
    return str(value) if isinstance(value, str) else f"{value:.{digits}g}"


def distinct_texts(values: Sequence[DesignValue], digits: int = 3) -> list[str]:
    """:func:`value_text` of each of ``values`` (distinct values), with as many more
    significant digits as make the texts distinct: a posterior design's memory draws
    0.910577 and 0.911200 were both ticked "0.911", two columns under one label (an
    outside check, decision 918). Up to 12 digits; text is as it is."""
    for shown in range(digits, 13):
        texts = [value_text(v, shown) for v in values]
        if len(set(texts)) == len(texts):
            return texts
    return [value_text(v, 12) for v in values]


def value_order(values: pd.Series | Sequence[DesignValue]) -> list[DesignValue]:
    """The distinct values run, in axis order: numbers ascending, text sorted (which
    puts ``YYYY-MM`` and ``YYYY-MM-DD`` dates in time order)."""
    unique = pd.unique(pd.Series(values, dtype=object))
    return sorted(unique, key=lambda v: (isinstance(v, str), v))


def _design_value(value: Any) -> DesignValue | None:
    """A scenario or option value as a design value: a number, text (a date as
    ``YYYY-MM-DD``), else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if beyond_float(value):  # no sweep ran it
        return math.inf if value > 0 else -math.inf
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value if isinstance(value, str) else None


def scenario_value(tree: Mapping[str, Any], path: str) -> DesignValue | None:
    """The value at a dotted override path of a resolved scenario tree (``None`` if absent
    or neither a number nor text); a list of entries with ids (the events) is entered
    by id, as an override path names them. An event kind's setting the scenario leaves
    unset is the package default the model runs with (decision 740); a relation
    (``relations.FROM.TO``) is the value of the entry the model takes (decision 891)."""
    if path.startswith("relations."):
        return _design_value(relation_value(tree, path))
    node: Any = tree
    for part in path.split("."):
        if isinstance(node, list):
            node = next((e for e in node if isinstance(e, Mapping) and e.get("id") == part), None)
        elif isinstance(node, Mapping):
            node = node.get(part)
        if node is None:
            return _kind_default(path)
    return _design_value(node)


def _kind_default(path: str) -> float | None:
    """``parameters.event_kinds.K.F``'s package default (``EventKindTable.weight``,
    ``affinity``, ``first_mover_decay``), or ``None`` for any other path."""
    from sim.scenario.kinds import DEFAULT_AFFINITY, DEFAULT_FIRST_MOVER_DECAY, DEFAULT_WEIGHTS

    parts = path.split(".")
    if len(parts) != 4 or parts[:2] != ["parameters", "event_kinds"]:
        return None
    kind, field = parts[2], parts[3]
    if field == "weight":
        return DEFAULT_WEIGHTS.get(kind)
    if field == "affinity":
        return DEFAULT_AFFINITY.get(kind)
    if field == "first_mover_decay" and kind == "recognize":
        return DEFAULT_FIRST_MOVER_DECAY
    return None


# What --at and --across are told of a folder that varies nothing (a run folder).
NOTHING_VARIED = (
    "this folder varies no parameter (a single run, or a sweep of one design point), so "
    "there is none to hold or draw across"
)


def parse_at(
    items: Sequence[str], varied: Sequence[str], runs: pd.DataFrame | None = None
) -> dict[str, DesignValue]:
    """``--at PATH=VALUE`` options as ``{path: value}``.

    Args:
        items: the options.
        varied: the sweep's varied paths.
        runs: the sweep's runs, to check that each value was run.

    Raises:
        InputError: not ``PATH=VALUE``, a path the sweep does not vary, a value
            that is neither a number nor text, or one the sweep did not run.
    """
    fixed: dict[str, DesignValue] = {}
    for item in items:
        if "=" not in item:
            example = item.strip() if item.strip() in varied else (varied or ["PATH"])[0]
            raise InputError(
                f"--at '{shortened(item)}' must look like PATH=VALUE, e.g. {example}=VALUE "
                "(a value the sweep ran)"
            )
    for override in parse_overrides(list(items)):
        if not varied:
            raise InputError(f"--at {shortened(override.text)}: {NOTHING_VARIED}")
        if override.path not in varied:
            raise InputError(
                f"--at {shortened(override.text)}: '{override.path}' is not varied by this sweep; "
                f"varied: {', '.join(varied)}{suggest(override.path, list(varied))}"
            )
        value = _design_value(override.value)
        if value is None:
            raise InputError(
                f"--at {shortened(override.text)}: the value must be a number or a name"
            )
        if runs is not None and runs_at(runs, {override.path: value}).empty:
            value = _as_listed(value, value_order(runs[override.path]))
        if runs is not None and runs_at(runs, {override.path: value}).empty:
            ran = ", ".join(value_text(v) for v in value_order(runs[override.path]))
            kind = (
                f"'{value}' is not a number; "
                if isinstance(value, str) and not isinstance(runs[override.path].iloc[0], str)
                else ""
            )
            raise InputError(
                f"--at {shortened(override.text)}: {kind}the sweep ran {override.path} at {ran}"
            )
        fixed[override.path] = value
    return fixed


def _as_listed(value: DesignValue, ran: Sequence[DesignValue]) -> DesignValue:
    """The value run that ``value`` names as the messages list it (to 6 significant
    digits): a sampled design's 0.9508525048894807 is listed as 0.950853, and that
    copied into ``--at`` matched nothing (an audit; decision 623). ``value`` itself when
    no value run, or more than one, reads so."""
    if isinstance(value, str):
        return value
    shown = value_text(value)
    same = [v for v in ran if not isinstance(v, str) and value_text(v) == shown]
    return same[0] if len(same) == 1 else value


def design_points(results: Results) -> pd.DataFrame:
    """One row per design point of the finished runs: ``point`` and the varied values."""
    runs = results.ok_runs
    return runs[["point", *results.varied]].drop_duplicates("point").reset_index(drop=True)


def months_of(value: str) -> float | None:
    """A ``YYYY-MM`` or ``YYYY-MM-DD`` date in months since year 0 (``None`` if not one)."""
    try:
        when = datetime.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        return None
    return when.year * 12 + when.month - 1 + (when.day - 1) / 31


def nearest_value(values: pd.Series, target: DesignValue) -> DesignValue:
    """The value run that is closest to ``target``: the nearest number, the nearest date,
    or text as it is (the middle value run, in :func:`value_order`, when it was not run)."""
    ran = value_order(values)
    if not is_text(values):
        unique = np.array(ran, dtype=np.float64)
        return float(unique[np.argmin(np.abs(unique - float(target)))])
    if target in ran:
        return target
    months = [m for m in (months_of(str(v)) for v in ran) if m is not None]
    aim = months_of(str(target))
    if aim is not None and len(months) == len(ran):
        return ran[int(np.argmin([abs(m - aim) for m in months]))]
    return middle_value(values)


def middle_value(values: pd.Series) -> DesignValue:
    """The median of numbers (a value not necessarily run), the middle of text values
    run (the lower of the two middle ones)."""
    if not is_text(values):
        return float(np.median(values.to_numpy(np.float64)))
    ran = value_order(values)
    return ran[(len(ran) - 1) // 2]


def _codes(frame: pd.DataFrame, orders: Mapping[str, list[DesignValue]]) -> npt.NDArray[np.float64]:
    """``frame``'s design values as numbers for a distance: a text parameter's value as
    its position in ``orders`` (its :func:`value_order`); one row per row of ``frame``."""
    return np.column_stack(
        [
            frame[p].map({v: i for i, v in enumerate(orders[p])}).to_numpy(np.float64)
            if p in orders
            else frame[p].to_numpy(np.float64)
            for p in frame.columns
        ]
    )


def reference_values(
    results: Results, scenario: str, fixed: Mapping[str, DesignValue] | None = None
) -> dict[str, DesignValue]:
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
        if own is not None and isinstance(own, str) != is_text(column):
            own = None  # a number where the sweep ran text, or text where it ran numbers
        targets[path] = middle_value(column) if own is None else own
        chosen[path] = nearest_value(column, targets[path])
    if points.empty or not runs_at(points, chosen).empty:
        return chosen
    candidates = runs_at(points, {p: chosen[p] for p in (fixed or {}) if p in chosen})
    if candidates.empty:
        return chosen
    # Text has no distance: a text parameter aims at the value chosen for it.
    orders = {p: value_order(points[p]) for p in results.varied if is_text(points[p])}
    aims = pd.DataFrame([{p: chosen[p] if p in orders else targets[p] for p in results.varied}])
    codes = _codes(points[results.varied], orders)
    span = np.ptp(codes, axis=0)
    offsets = _codes(candidates[results.varied], orders) - _codes(aims, orders)
    nearest = candidates.iloc[int(np.argmin(((offsets / np.where(span, span, 1)) ** 2).sum(1)))]
    return {p: nearest[p] if p in orders else float(nearest[p]) for p in results.varied}


def runs_at(runs: pd.DataFrame, values: Mapping[str, DesignValue]) -> pd.DataFrame:
    """The runs whose varied parameters equal ``values`` (numbers to 1e-9 relative, text
    exactly)."""
    keep = np.ones(len(runs), dtype=bool)
    for path, value in values.items():
        column = runs[path]
        if is_text(column) or isinstance(value, str):
            keep &= (column == value).to_numpy(bool)
        else:
            keep &= np.isclose(column.to_numpy(np.float64), value, rtol=1e-9, atol=0.0)
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


def weighted_t_interval(
    values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]
) -> tuple[float, float, float]:
    """Weighted mean and a 95% t interval of it on Kish's effective sample size
    ``(sum w)**2 / sum w**2`` (NaN bounds when it is under 2): a posterior design's run
    counted k times (``weights``) is one run, not k replicates, so its copies add no
    spread and no certainty (decision 941). Equal weights give :func:`t_interval`."""
    total = float(np.sum(weights))
    mean = float(np.sum(weights * values) / total) if len(values) else float("nan")
    n_eff = total**2 / float(np.sum(weights**2)) if len(values) else 0.0
    if n_eff < 2 - 1e-9:
        return mean, float("nan"), float("nan")
    variance = float(np.sum(weights * (values - mean) ** 2)) / total * n_eff / (n_eff - 1)
    half = float(stdtrit(n_eff - 1, 0.5 + CONFIDENCE / 2) * math.sqrt(variance / n_eff))
    return mean, mean - half, mean + half


def point_intervals(
    pairs: pd.DataFrame, by: Sequence[str], copies_of: str | None = None
) -> pd.DataFrame:
    """Mean paired difference and its t interval (:func:`t_interval`) per ``by`` cell.

    Args:
        pairs: a ``difference`` per row, and the ``by`` columns.
        by: the cells.
        copies_of: a column naming the run each row copies, when rows repeat a run (a
            posterior design's set drawn k times, run once, counts k times): the mean
            counts every row, and the interval is :func:`weighted_t_interval`'s, on the
            distinct runs, which a ``runs`` column counts.

    Returns:
        ``by`` columns, ``mean``, ``lo``, ``hi``, ``n`` (pairs in the cell, copies
        counted), and ``runs`` (distinct pairs) with ``copies_of``.
    """
    rows = []
    for cell, group in pairs.groupby(list(by), sort=True):
        if copies_of is None:
            mean, lo, hi = t_interval(group["difference"].to_numpy(np.float64))
            distinct: tuple[int, ...] = ()
        else:
            runs = group.groupby(copies_of, sort=True)["difference"].agg(["first", "size"])
            mean, lo, hi = weighted_t_interval(
                runs["first"].to_numpy(np.float64), runs["size"].to_numpy(np.float64)
            )
            distinct = (len(runs),)
        key = cell if isinstance(cell, tuple) else (cell,)
        rows.append((*key, mean, lo, hi, len(group), *distinct))
    extra = ["runs"] if copies_of is not None else []
    return pd.DataFrame(rows, columns=[*by, "mean", "lo", "hi", "n", *extra])
