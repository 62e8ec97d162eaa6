"""``credsim compare``: one metric across results folders or the scenarios of one sweep.

Each *sample* is the finished runs of one scenario in one folder. The metric
is a flattened summary metric (``final_trust.Russia.all``, one value per
run), or a series metric written ``metric.power.group`` (``trust_mean.Russia.all``;
``effective_poles.all`` for model-level rows), whose per-run value is its
value at the last step. For every pair of samples the difference of means
(second minus first) is given with a bootstrap 95% interval
(:func:`scipy.stats.bootstrap`, percentile method, resampling runs within
each sample) and a two-sided Mann-Whitney U test
(:func:`scipy.stats.mannwhitneyu`; ``mann_whitney_u`` is the U of the first
sample). The figure draws the metric's series of
every sample on one calendar, next to the per-run values.

Folders can be compared only when every sample has the metric and all
scenarios share one calendar (same start, end and step); anything else is
refused with an :class:`~sim.errors.InputError`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy import stats

from sim.catalogue import SERIES, parse_metric
from sim.errors import InputError
from sim.fileio import atomic_write_bytes, atomic_write_text
from sim.plots.figure import (
    add_caption,
    date_axis,
    draw_band,
    metric_label,
    nice,
    render,
    series_label,
    set_theme,
    time_band,
)
from sim.plots.palette import sample_colors, scenario_linestyles
from sim.results import Results, open_results
from sim.scenario.schema import suggest

CONFIDENCE = 0.95
N_RESAMPLES = 9999
BOOTSTRAP_SEED = 20241208
TABLE_COLUMNS = [
    "metric",
    "a",
    "b",
    "n_a",
    "n_b",
    "mean_a",
    "mean_b",
    "difference",
    "ci_low",
    "ci_high",
    "mann_whitney_u",
    "p_value",
]


@dataclass(frozen=True)
class SeriesKey:
    """Which rows of the tidy series a metric reads: ``metric``, ``power``, ``group``."""

    metric: str
    power: str
    group: str


@dataclass
class Sample:
    """The finished runs of one scenario in one folder."""

    label: str
    results: Results
    scenario: str


def series_key(metric: str) -> SeriesKey | None:
    """The series rows behind ``metric`` (summary or ``metric.power.group``), if any."""
    parsed = parse_metric(metric)
    if parsed is None:
        return None
    series = parsed.metric.name if parsed.metric.kind == SERIES else parsed.metric.series
    return None if series is None else SeriesKey(series, parsed.power, parsed.group)


def _labels(folders: list[Results]) -> list[Sample]:
    names = [r.path.name for r in folders]
    if len(set(names)) < len(names):
        names = ["/".join(r.path.resolve().parts[-2:]) for r in folders]
    samples = []
    for name, results in zip(names, folders, strict=True):
        finished = set(results.ok_runs["scenario"])
        scenarios = [s for s in results.scenarios if s in finished]
        for scenario in scenarios:
            if len(folders) == 1:
                label = scenario
            elif len(scenarios) > 1:
                label = f"{name}:{scenario}"
            else:
                label = name
            samples.append(Sample(label, results, scenario))
    return samples


def _check_calendars(samples: list[Sample]) -> None:
    def describe(s: Sample) -> str:
        c = s.results.calendar(s.scenario)
        return f"{c.start} to {c.end} by {c.step}"

    first = samples[0]
    for other in samples[1:]:
        if other.results.calendar(other.scenario) != first.results.calendar(first.scenario):
            raise InputError(
                f"cannot compare '{first.label}' ({describe(first)}) with '{other.label}' "
                f"({describe(other)}): calendars differ; compare needs the same start, end and step"
            )


def run_values(sample: Sample, metric: str) -> npt.NDArray[np.float64]:
    """The metric's value in each finished run of the sample.

    Raises:
        InputError: the folder has neither this summary metric nor its series.
    """
    runs = sample.results.ok_runs
    runs = runs[runs["scenario"] == sample.scenario]
    if metric in runs.columns:
        return runs[metric].to_numpy(dtype=np.float64)
    key = series_key(metric)
    rows = _series_rows(sample, key) if key is not None else None
    if rows is None or rows.empty:
        known = sample.results.metrics
        raise InputError(
            f"metric '{metric}' is not in '{sample.results.path}'; it has summary metrics "
            f"such as {', '.join(known[:4])} ({len(known)} in all), or series metrics written "
            f"metric.power.group (e.g. trust_mean.<power>.all){suggest(metric, known)}"
        )
    last = rows[rows["step"] == rows["step"].max()]
    return last.groupby("run_id")["value"].first().to_numpy(dtype=np.float64)


def _series_rows(sample: Sample, key: SeriesKey) -> pd.DataFrame | None:
    series = sample.results.series(metrics=[key.metric], groups=[key.group])
    if series is None:
        return None
    return series[(series["power"] == key.power) & (series["scenario"] == sample.scenario)]


def difference(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], seed: int = BOOTSTRAP_SEED
) -> dict[str, float]:
    """``mean(b) - mean(a)`` with its bootstrap 95% interval and a Mann-Whitney U test.

    With fewer than two runs in a sample there is nothing to resample: the
    interval and the test are NaN.
    """
    diff = float(np.mean(b) - np.mean(a))
    out = {
        "difference": diff,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "mann_whitney_u": np.nan,
        "p_value": np.nan,
    }
    if len(a) < 2 or len(b) < 2:
        return out
    result = stats.bootstrap(
        (a, b),
        lambda x, y, axis: np.mean(y, axis=axis) - np.mean(x, axis=axis),
        vectorized=True,
        paired=False,
        confidence_level=CONFIDENCE,
        n_resamples=N_RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    test = stats.mannwhitneyu(a, b, alternative="two-sided")
    out.update(
        ci_low=float(result.confidence_interval.low),
        ci_high=float(result.confidence_interval.high),
        mann_whitney_u=float(test.statistic),
        p_value=float(test.pvalue),
    )
    return out


def compare_table(samples: list[Sample], metric: str) -> pd.DataFrame:
    """One row per pair of samples (in the order given): ``TABLE_COLUMNS``."""
    values = {s.label: run_values(s, metric) for s in samples}
    rows = []
    for first, second in itertools.combinations(samples, 2):
        a, b = values[first.label], values[second.label]
        rows.append(
            {
                "metric": metric,
                "a": first.label,
                "b": second.label,
                "n_a": len(a),
                "n_b": len(b),
                "mean_a": float(np.mean(a)),
                "mean_b": float(np.mean(b)),
                **difference(a, b),
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def markdown(table: pd.DataFrame) -> str:
    """The table as GitHub Markdown, numbers to 4 significant digits."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.4g}"
        return str(value)

    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join([head, rule, *body]) + "\n"


def compare_figure(samples: list[Sample], metric: str, table: pd.DataFrame) -> Figure:
    """The metric's series of every sample on one calendar (when recorded) and the per-run
    values of every sample (points, with the mean as a bar), with each sample's
    difference from the first (from ``table``, :func:`compare_table`) written on it."""
    set_theme()
    labels = [s.label for s in samples]
    colors, styles = sample_colors(labels), scenario_linestyles(labels)
    key = series_key(metric)
    rows: dict[str, pd.DataFrame] = {}
    if key is not None:
        for sample in samples:
            frame = _series_rows(sample, key)
            if frame is not None and not frame.empty:
                rows[sample.label] = frame
    timed = len(rows) == len(samples)
    fig, axes = plt.subplots(
        1,
        2 if timed else 1,
        figsize=(13 if timed else 5.5, 4.2),
        squeeze=False,
        gridspec_kw={"width_ratios": [2.3, 1] if timed else [1], "wspace": 0.3},
    )
    title, unit = metric_label(metric)
    if timed and key is not None:
        ax = axes[0, 0]
        for label, frame in rows.items():
            cell = time_band(frame, [])
            draw_band(
                ax, cell["when"].to_numpy(), cell, colors[label], ls=styles[label], label=label
            )
        date_axis(ax)
        ax.set_xlabel("Date (month)")
        who = f"{key.power}, " if key.power else ""
        ax.set_ylabel(series_label(key.metric))
        ax.set_title(f"Over time ({who}{nice(key.group)})", loc="left")
        ax.legend(title="Sample", loc="best", frameon=True, framealpha=0.9)
    ax = axes[0, -1]
    values = pd.concat(
        [pd.DataFrame({"sample": s.label, "value": run_values(s, metric)}) for s in samples]
    )
    sns.barplot(
        values,
        x="sample",
        y="value",
        hue="sample",
        palette=colors,
        ax=ax,
        errorbar=None,
        alpha=0.35,
        legend=False,
    )
    sns.stripplot(
        values, x="sample", y="value", hue="sample", palette=colors, ax=ax, size=4, legend=False
    )
    ax.set_xlabel("")
    ax.set_ylabel(unit)
    ax.set_title("Per run (bar: mean)", loc="left")
    first = table[table["a"] == samples[0].label]
    lines = [title, *(_difference_text(row) for _, row in first.iterrows())]
    fig.suptitle("\n".join(lines), x=0.01, y=1.0, ha="left", va="bottom", fontsize=10)
    return fig


def _difference_text(row: pd.Series) -> str:
    if np.isnan(row["ci_low"]):
        return f"Difference {row['b']} - {row['a']}: {row['difference']:.3g} (one run: no interval)"
    return (
        f"Difference {row['b']} - {row['a']}: {row['difference']:.3g} "
        f"(95% interval {row['ci_low']:.3g} to {row['ci_high']:.3g}; Mann-Whitney p = "
        f"{row['p_value']:.2g})"
    )


def cli_compare(args: argparse.Namespace) -> int:
    """``credsim compare RESULTS_DIR ... [--metric M] [--out DIR] [--format png|svg|pdf]``."""
    matplotlib.use("Agg")
    folders = [open_results(path) for path in args.results]
    samples = _labels(folders)
    if len(samples) < 2:
        raise InputError(
            "compare needs at least two samples: give two or more results folders, "
            "or one sweep folder with several scenarios"
        )
    _check_calendars(samples)
    metric = args.metric or _default_metric(folders[0])
    table = compare_table(samples, metric)
    out = Path(args.out) if args.out else _default_out(folders)
    stem = f"compare_{metric.replace('.', '-')}"
    atomic_write_text(out / f"{stem}.csv", table.to_csv(index=False))
    text = markdown(table)
    atomic_write_text(out / f"{stem}.md", text)
    fig = compare_figure(samples, metric, table)
    folders_text = ", ".join(str(r.path) for r in folders)
    add_caption(
        fig,
        f"Samples: {', '.join(s.label for s in samples)}. Results: {folders_text}. "
        # One panel means the folders recorded no series: no lines to explain.
        + ("Lines: mean across runs; bands: 95% of runs. " if len(fig.axes) > 1 else "")
        + "Differences: second minus first, bootstrap 95% interval of the difference of "
        "means, Mann-Whitney p.",
    )
    atomic_write_bytes(out / f"{stem}.{args.format}", render(fig, args.format))
    plt.close(fig)
    print(f"{metric}: difference of means (b - a), bootstrap 95% interval, Mann-Whitney U\n")
    print(text)
    print(f"table and figure in {out}")
    return 0


def _default_metric(results: Results) -> str:
    trust = [m for m in results.metrics if m.startswith("final_trust.") and m.endswith(".all")]
    if not trust:
        raise InputError(f"'{results.path}' has no final_trust metrics; give one with --metric")
    return trust[0]


def _default_out(folders: list[Results]) -> Path:
    if len(folders) == 1:
        return folders[0].path / "compare"
    key = "|".join(sorted(str(r.path.resolve()) for r in folders))
    return Path("results") / "compare" / hashlib.sha256(key.encode()).hexdigest()[:10]
