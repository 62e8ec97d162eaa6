"""What a sweep found: each summary metric against each varied parameter, and heatmaps.

A metric against one parameter is drawn as the mean across runs at each
parameter value (every replicate and every value of the other parameters)
with the 95% band of those runs, one colour per scenario. Designs that draw
continuous values (lhs, sobol, morris) are binned into equal-count bins
first, each drawn at the mean value of its bin. A metric against two
parameters is a heatmap of the mean, one panel per scenario, all panels of
a metric on one colour scale.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots.figure import (
    band,
    draw_band,
    metric_label,
    outside_legend,
    panel_grid,
    parameter_label,
    set_theme,
    with_scenarios,
)
from sim.plots.palette import sample_colors, scenario_linestyles

MAX_LEVELS = 10
_TITLE_CHARS = 48


def levels(values: pd.Series, max_levels: int = MAX_LEVELS) -> pd.Series:
    """Each value's level for plotting: itself when there are few distinct values, else
    the mean of its equal-count bin (``max_levels`` bins)."""
    if values.nunique() <= max_levels:
        return values
    bins = pd.qcut(values, max_levels, labels=False, duplicates="drop")
    return values.groupby(bins).transform("mean")


def metric_panel(
    runs: pd.DataFrame,
    metric: str,
    parameter: str,
    *,
    ax: Axes | None = None,
    scenarios: Sequence[str] | None = None,
) -> Axes:
    """``metric`` against ``parameter``: mean across runs per level, 95% band, a line
    per scenario (colour and line style), a marker at each level.

    Args:
        runs: one row per run, with ``scenario``, the parameter and the metric columns.
        metric: a summary metric column.
        parameter: a varied parameter column.
        ax: axes to draw on (a new figure when omitted).
        scenarios: scenario order (default: order of appearance).
    """
    ax = plt.subplots(figsize=(5, 3.5))[1] if ax is None else ax
    frame, order = with_scenarios(runs, scenarios)
    colors, styles = sample_colors(order), scenario_linestyles(order)
    frame = frame.assign(level=levels(frame[parameter]))
    for scenario, cell in band(frame, ["scenario", "level"], metric).groupby(
        "scenario", sort=False
    ):
        name = str(scenario)
        draw_band(
            ax,
            cell["level"].to_numpy(),
            cell,
            colors[name],
            ls=styles[name],
            marker="o",
            ms=3.5,
            label=name,
        )
    ax.set_xlabel(parameter_label(parameter))
    ax.set_ylabel(metric_label(metric)[1])
    if metric.startswith("final_share."):
        # Shares have a natural scale; a flat share then reads as flat, not as noise.
        ax.set_ylim(-0.02, 1.02)
    return ax


def heatmap_panel(
    runs: pd.DataFrame,
    metric: str,
    x: str,
    y: str,
    *,
    ax: Axes | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """The mean of ``metric`` over the runs at each (``x``, ``y``) level as a heatmap
    (``y`` increasing upwards), values written in the cells when there are few."""
    ax = plt.subplots(figsize=(5, 4))[1] if ax is None else ax
    frame = runs.assign(x_level=levels(runs[x]), y_level=levels(runs[y]))
    table = frame.pivot_table(index="y_level", columns="x_level", values=metric, aggfunc="mean")
    table = table.sort_index(ascending=False)
    sns.heatmap(
        table,
        ax=ax,
        cmap="viridis",
        vmin=vmin,
        vmax=vmax,
        annot=table.size <= 36,
        fmt=".3g",
        annot_kws={"fontsize": 7},
        xticklabels=[f"{v:.3g}" for v in table.columns],
        yticklabels=[f"{v:.3g}" for v in table.index],
        cbar_kws={"label": metric_label(metric)[1]},
    )
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    ax.tick_params(axis="both", labelrotation=0)
    return ax


def metrics_figure(runs: pd.DataFrame, metrics: Sequence[str], parameter: str) -> Figure:
    """Several metrics against one parameter, a panel per metric (up to 3 a row)."""
    set_theme()
    scenarios = list(dict.fromkeys(runs["scenario"]))
    fig, axes = panel_grid(len(metrics), (4.3, 3.3), (1.2, 0.0), hspace=0.7, wspace=0.35)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        metric_panel(runs, metric, parameter, ax=ax, scenarios=scenarios)
        ax.set_title(textwrap.fill(metric_label(metric)[0], _TITLE_CHARS), loc="left", fontsize=9)
    if len(scenarios) > 1:
        outside_legend(axes[0, -1], "Scenario")
    return fig


def heatmap_figure(runs: pd.DataFrame, metrics: Sequence[str], x: str, y: str) -> Figure:
    """Heatmaps of ``metrics`` (columns) over ``x`` and ``y``, a row per scenario; each
    metric keeps one colour scale across scenarios."""
    set_theme()
    scenarios = list(dict.fromkeys(runs["scenario"]))
    fig, axes = plt.subplots(
        len(scenarios),
        len(metrics),
        figsize=(4.6 * len(metrics), 3.8 * len(scenarios)),
        squeeze=False,
        gridspec_kw={"hspace": 0.5, "wspace": 0.45},
    )
    for col, metric in enumerate(metrics):
        means = (
            runs.assign(x_level=levels(runs[x]), y_level=levels(runs[y]))
            .groupby(["scenario", "x_level", "y_level"])[metric]
            .mean()
        )
        for row, scenario in enumerate(scenarios):
            ax = axes[row, col]
            heatmap_panel(
                runs[runs["scenario"] == scenario],
                metric,
                x,
                y,
                ax=ax,
                vmin=float(means.min()),
                vmax=float(means.max()),
            )
            ax.set_title(
                f"{metric_label(metric)[0]}\n(scenario {scenario})", loc="left", fontsize=9
            )
    return fig
