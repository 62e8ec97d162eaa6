"""Trust in each power over time: one panel per group, a line per power and scenario.

The scenario's events are drawn as vertical markers through every panel and
labelled in a strip above them. Labels are written upright (rotated 90
degrees) with their date, and spread apart along the time axis just enough
not to overlap (:func:`spread_labels`), each joined to its true date by a
leader line; the figure widens when a scenario has many events.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.optimize import isotonic_regression

from sim.plots.figure import (
    date_axis,
    draw_band,
    group_order,
    nice,
    outside_legend,
    series_label,
    set_theme,
    step_times,
    time_band,
    to_datetime,
    with_scenarios,
)
from sim.plots.palette import power_palette, scenario_linestyles
from sim.results import EVENT_COLUMNS

EVENT_FONT_PT = 7.5
_LABEL_CHARS = 42
_PANEL_HEIGHT_IN = 2.6
_BASE_WIDTH_IN = 10.0
_MAX_WIDTH_IN = 22.0
_AXES_FRACTION = 0.78


def spread_labels(
    x: npt.NDArray[np.float64], gap: float, lo: float, hi: float
) -> npt.NDArray[np.float64]:
    """Positions for labels at sorted ``x`` that keep ``gap`` apart and stay in ``[lo, hi]``,
    moving the labels as little as possible (least squares).

    With ``q_i = p_i - i * gap`` the spacing constraint ``p_{i+1} - p_i >= gap``
    becomes ``q`` non-decreasing, so the optimum is the isotonic regression
    of ``x_i - i * gap``, clipped to the bounds (clipping keeps an isotonic
    fit optimal under common box bounds).

    Args:
        x: label anchors, sorted ascending, shape (n,).
        gap: least distance between neighbours, same units as ``x``.
        lo, hi: the range labels must stay in; when ``(n - 1) * gap`` exceeds it
            the gap is shrunk to fit.

    Returns:
        Positions, shape (n,), in the order of ``x``.
    """
    n = len(x)
    if n == 0:
        return np.asarray(x, dtype=np.float64)
    if n > 1:
        gap = min(gap, (hi - lo) / (n - 1))
    offsets = gap * np.arange(n)
    fitted = isotonic_regression(np.asarray(x, dtype=np.float64) - offsets).x
    return np.clip(fitted, lo, hi - offsets[-1]) + offsets


def unique_events(events: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """One row per distinct (date, label, kind, actor), sorted by date; events that only
    some scenarios have are labelled with those scenarios' names."""
    if events.empty:
        return events.assign(text=pd.Series(dtype=str))
    keys = ["date", "label", "kind", "actor"]
    merged = (
        events.fillna({"actor": ""})
        .groupby(keys, sort=False)["scenario"]
        .agg(lambda s: sorted(set(s)))
        .reset_index()
    )

    def text(row: pd.Series) -> str:
        label = str(row["label"])
        if len(label) > _LABEL_CHARS:
            label = label[: _LABEL_CHARS - 1] + "\u2026"
        only = "" if len(row["scenario"]) == len(scenarios) else f" [{', '.join(row['scenario'])}]"
        return f"{label}{only}  {row['date']}"

    merged["text"] = merged.apply(text, axis=1)
    merged["when"] = to_datetime(merged["date"]).to_numpy()
    return merged.sort_values(["when", "label"], kind="stable").reset_index(drop=True)


def draw_events(
    strip: Axes,
    panels: Sequence[Axes],
    events: pd.DataFrame,
    palette: dict[str, str],
    width_in: float,
) -> None:
    """Event markers: a dotted line through each panel (gid ``event``), a triangle in the
    strip coloured by the acting power (``palette``), and the label on a leader line.

    Args:
        strip: the axes above the panels that holds the labels.
        panels: the group panels.
        events: :func:`unique_events` rows.
        palette: colour per power.
        width_in: the strip's width in inches (sets how far apart labels must be).
    """
    if events.empty:
        strip.set_axis_off()
        return
    when = mdates.date2num(events["when"].to_numpy())
    lo, hi = strip.get_xlim()
    gap = (hi - lo) / width_in * EVENT_FONT_PT * 1.35 / 72.0
    placed = spread_labels(when, gap, lo + gap / 2, hi - gap / 2)
    for x, p, (_, event) in zip(when, placed, events.iterrows(), strict=True):
        for ax in panels:
            ax.axvline(x, color="0.45", lw=0.8, ls=":", zorder=1, gid="event")
        color = palette.get(event["actor"], "0.3")
        strip.plot([x], [0.0], marker="v", ms=6, color=color, clip_on=False, gid="event")
        strip.plot([x, x, p], [0.0, 0.04, 0.08], color="0.55", lw=0.6)
        strip.text(
            p,
            0.09,
            event["text"],
            rotation=90,
            ha="center",
            va="bottom",
            fontsize=EVENT_FONT_PT,
            color="0.15",
        )
    strip.set_ylim(0.0, 1.0)
    strip.set_axis_off()


def trajectory_panel(
    series: pd.DataFrame,
    *,
    ax: Axes | None = None,
    scenarios: Sequence[str] | None = None,
    palette: dict[str, str] | None = None,
) -> Axes:
    """Draw one group's trajectories: a line per power (palette colour) and scenario
    (line style), mean across runs with a 95% band when there are several.

    Args:
        series: tidy rows of one group and one metric: ``date, power, value``,
            plus ``scenario`` when there are several.
        ax: axes to draw on (a new figure when omitted).
        scenarios: scenario order for line styles (default: order of appearance).
        palette: colour per power (default: :func:`power_palette` of the powers drawn).
    """
    ax = plt.subplots(figsize=(8, 3))[1] if ax is None else ax
    frame, order = with_scenarios(series, scenarios)
    styles = scenario_linestyles(order)
    colors = palette if palette is not None else power_palette(frame["power"])
    cells = time_band(frame, ["scenario", "power"])
    for (scenario, power), cell in cells.groupby(["scenario", "power"], sort=False):
        draw_band(
            ax,
            cell["when"].to_numpy(),
            cell,
            colors[str(power)],
            ls=styles[str(scenario)],
            label=f"{power}|{scenario}",
        )
    date_axis(ax)
    return ax


def _legend(
    ax: Axes, palette: dict[str, str], powers: Sequence[str], scenarios: Sequence[str]
) -> None:
    handles = [Line2D([], [], color=palette[p], lw=2, label=p) for p in powers]
    if len(scenarios) > 1:
        styles = scenario_linestyles(scenarios)
        handles.append(Line2D([], [], color="none", label=""))
        handles += [Line2D([], [], color="0.3", ls=styles[s], lw=1.6, label=s) for s in scenarios]
    title = "Power" + (" / scenario" if len(scenarios) > 1 else "")
    outside_legend(ax, title, handles, x=1.01)


def trajectories_figure(
    series: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    metric: str = "trust_mean",
    affinity: bool = False,
) -> Figure:
    """Trust (``metric``) in each power over time: a panel per group, events on top.

    Args:
        series: tidy series (``date, group, power, metric, value``, optionally
            ``scenario`` and ``run_id``); only rows of ``metric`` with a power are drawn.
        events: events as read by :func:`sim.results.scenario_events` (optional).
        metric: the series metric to draw.
        affinity: also draw ``affinity_mean`` (model v2), in a panel under each
            group's trust panel.

    Returns:
        The figure; its first axes is the event strip, the others the group
        panels in order (group ``all`` first; with ``affinity``, each group's
        trust panel followed by its affinity panel).
    """
    set_theme()
    drawn = [metric, "affinity_mean"] if affinity else [metric]
    rows, scenarios = with_scenarios(series[series["metric"].isin(drawn) & (series["power"] != "")])
    groups = group_order(rows["group"])
    panel_keys = [(group, m) for group in groups for m in drawn]
    powers = list(dict.fromkeys(rows["power"]))
    marks = unique_events(
        events if events is not None else pd.DataFrame(columns=EVENT_COLUMNS), scenarios
    )
    palette = power_palette([*powers, *marks["actor"]])
    # Wide enough that every event label fits upright at its font size.
    needed = len(marks) * EVENT_FONT_PT * 1.35 / 72.0 / _AXES_FRACTION
    width = min(max(_BASE_WIDTH_IN, needed), _MAX_WIDTH_IN)
    longest = max((len(t) for t in marks["text"]), default=0)
    strip_in = 0.2 + longest * EVENT_FONT_PT * 0.6 / 72.0 if len(marks) else 0.05
    # Many groups get lower panels so the figure stays a page or two long.
    panels_in = (_PANEL_HEIGHT_IN if len(panel_keys) <= 4 else 2.1) * len(panel_keys)
    fig = plt.figure(figsize=(width, strip_in + panels_in + 0.6))
    # The strip sits just above the first panel's title; panels keep room for theirs.
    outer = fig.add_gridspec(
        2,
        1,
        height_ratios=[strip_in, panels_in],
        hspace=0.45 / ((strip_in + panels_in) / 2),
        left=0.07,
        right=0.07 + _AXES_FRACTION,
        top=0.98,
        bottom=0.06,
    )
    inner = outer[1].subgridspec(len(panel_keys), 1, hspace=0.3)
    strip = fig.add_subplot(outer[0])
    panels = [fig.add_subplot(inner[i], sharex=strip) for i in range(len(panel_keys))]
    for ax, (group, drawn_metric) in zip(panels, panel_keys, strict=True):
        cell = rows[(rows["group"] == group) & (rows["metric"] == drawn_metric)]
        trajectory_panel(cell, ax=ax, scenarios=scenarios, palette=palette)
        what = "Affinity for" if drawn_metric == "affinity_mean" else "Trust in"
        ax.set_title(f"{what} each power among {nice(group)}", loc="left", fontsize=10)
        ax.set_ylabel(series_label(drawn_metric))
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("")
        if ax is not panels[-1]:
            ax.tick_params(labelbottom=False)
    panels[-1].set_xlabel("Date (month)")
    strip.tick_params(labelbottom=False)
    times = step_times(rows)
    strip.set_xlim(mdates.date2num(times.min()), mdates.date2num(times.max()))
    draw_events(strip, panels, marks, palette, strip.get_position().width * width)
    _legend(panels[0], palette, powers, scenarios)
    return fig
