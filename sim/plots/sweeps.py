"""What a sweep found: summary metrics against a varied parameter, and heatmaps.

The caller holds the other varied parameters at one design point (so
nothing is pooled over design points): a metric against one parameter is
the mean of the replicates at each value run, with the band of those
replicates (2.5 to 97.5 percentiles), a line per scenario, ticks at the
values run (text values, such as names or dates, at even steps in
:func:`~sim.analysis.paired.value_order`). Designs that draw continuous
values (lhs, sobol, morris, posterior) are binned into equal-count bins of the
design's draws first (:func:`drawn_levels`, which the headline uses too), each
drawn at the mean value of its bin. Only metrics that vary are drawn
(:func:`varying`), and a flat-looking metric is never stretched: the y axis
spans at least ``MIN_SPAN`` of the metric's natural range. Heatmaps show
the mean over two parameters, every panel of a figure on one colour scale.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis.paired import distinct_texts, is_text, value_order
from sim.catalogue import Metric, parse_metric
from sim.columns import distinct
from sim.plots.figure import (
    DIVERGING_CMAP,
    PAGE_HEIGHT_IN,
    band,
    coincide_note,
    coincide_texts,
    coinciding,
    draw_band,
    fill_pages,
    group_heading,
    group_order,
    group_phrase,
    metric_label,
    outside_legend,
    page_columns,
    page_room,
    page_width,
    panel_grid,
    parameter_label,
    power_name,
    set_theme,
    spread_ticks,
    text_size_in,
    value_mesh,
    with_scenarios,
    wrap_to,
)
from sim.plots.palette import (
    power_markers,
    power_palette,
    sample_colors,
    scenario_linestyles,
    scenario_markers,
)

MAX_LEVELS = 10
MAP_BINS = 5
# Sampled values are binned for the figures: at least this many distinct values a bin,
# in at least MIN_BINS bins (:func:`levels`).
MIN_PER_BIN = 5
MIN_BINS = 3
# How few values a bin may hold (:func:`levels`), for the captions.
BIN_RULE = f"at least {MIN_PER_BIN} values run a bin where that leaves {MIN_BINS} bins or more"
MAX_PANELS = 12
ANNOTATE_CELLS = 36
MAX_TICKS = 12
MAX_TICK_LABELS = 6
FLAT = 1e-3
# What "does not vary with it" means, for the captions and notes that say it: the threshold
# went unsaid while a Sobol chart gave a flat metric's tiny variance to one parameter (an
# audit, decision 742).
FLAT_WORDS = (
    f"the means at the parameter's values differ by at most {FLAT:.1%} of the metric's "
    f"range, or by {FLAT:g} where it has no upper bound"
)
# The same threshold over a whole design (sensitivity figures, varying_over_design).
FLAT_OVER_DESIGN = (
    f"the means at its design points differ by at most {FLAT:.1%} of the metric's range, "
    f"or by {FLAT:g} where it has no upper bound"
)
MIN_SPAN = 0.05
_TITLE_CHARS = 48


def _entry(metric: str) -> Metric | None:
    parsed = parse_metric(metric)
    return parsed.metric if parsed is not None else None


def _scale(metric: str) -> float:
    entry = _entry(metric)
    if entry is not None and entry.low is not None and entry.high is not None:
        return entry.high - entry.low
    return 1.0


def is_signed(metric: str) -> bool:
    """Whether ``metric`` is a change: its natural range (the catalogue's ``low``)
    reaches below 0 (``trust_change``, ``affinity_change``)."""
    entry = _entry(metric)
    return entry is not None and entry.low is not None and entry.low < 0


def varying(runs: pd.DataFrame, metrics: Sequence[str], parameter: str) -> list[str]:
    """The ``metrics`` whose mean per value of ``parameter`` moves, within some
    scenario, by more than ``FLAT`` of the metric's natural range (1 for unbounded
    metrics). Differences between scenarios at one value are not movement with the
    parameter (a heatmap's caption said a power varied that was flat in each scenario)."""
    if runs.empty:
        return []
    return _moving(runs.assign(level=drawn_levels(runs, parameter)), metrics, ["level"])


def varying_over_design(
    runs: pd.DataFrame, metrics: Sequence[str], parameters: Sequence[str]
) -> list[str]:
    """The ``metrics`` whose mean per design point (the values of ``parameters``) moves,
    within some scenario, by more than ``FLAT`` of the metric's natural range, as
    :func:`varying` asks of one parameter's values: a sensitivity index of a metric that
    does not splits a variance of rounding among the parameters (decision 814)."""
    if runs.empty or not metrics:
        return []
    return _moving(runs, metrics, list(parameters))


def _moving(runs: pd.DataFrame, metrics: Sequence[str], keys: list[str]) -> list[str]:
    """The ``metrics`` whose mean per value of ``keys`` moves, within some scenario, by
    more than ``FLAT`` of the metric's natural range (:func:`varying`,
    :func:`varying_over_design`)."""
    spread = _spread(runs, metrics, keys)
    return [m for m in metrics if spread[m] > FLAT]


def _spread(runs: pd.DataFrame, metrics: Sequence[str], keys: list[str]) -> dict[str, float]:
    """How far each metric's mean per value of ``keys`` moves within a scenario (the
    largest over the scenarios), as a share of the metric's natural range."""
    means = runs.groupby(["scenario", *keys], dropna=False)[list(metrics)].mean()
    by_scenario = means.groupby(level="scenario")
    spread = (by_scenario.max() - by_scenario.min()).max().fillna(0.0)
    return {m: float(spread[m]) / _scale(m) for m in metrics}


def spread_words(metric: str, share: float) -> str:
    """How far ``metric`` moves, a :func:`spread_over_design` share, in words: "0.31% of
    its range", or the amount where the metric has no upper bound."""
    entry = _entry(metric)
    bounded = entry is not None and entry.low is not None and entry.high is not None
    if not bounded:
        return f"{share:.2g}"
    return f"{share:.2%} of its range" if share < 0.01 else f"{share:.1%} of its range"


def spread_over_design(
    runs: pd.DataFrame, metrics: Sequence[str], parameters: Sequence[str]
) -> dict[str, float]:
    """How far each of ``metrics`` moves over the design (its means per design point,
    within a scenario), as a share of its natural range: a sensitivity chart draws the
    shares of a variance, at full length however small it is (decision 954)."""
    if runs.empty or not metrics:
        return {m: 0.0 for m in metrics}
    return _spread(runs, metrics, list(parameters))


def keep_span(ax: Axes, metric: str, axis: str = "y") -> None:
    """Widen the value axis (``axis``: ``"y"``, or ``"x"`` for compare's per-run panel)
    to at least ``MIN_SPAN`` of the metric's natural range, around the data, so that
    noise in the fifth decimal does not look like a trend."""
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    need = MIN_SPAN * _scale(metric)
    if high - low < need:
        middle = (low + high) / 2
        limits = (middle - need / 2, middle + need / 2)
        if axis == "y":
            ax.set_ylim(*limits)
        else:
            ax.set_xlim(*limits)


def axis_positions(values: pd.Series) -> pd.Series:
    """Where each value sits on an axis: a number at itself, text (a name, a date) at its
    place in :func:`~sim.analysis.paired.value_order` (0, 1, 2 ...)."""
    if not is_text(values):
        return values
    place = {v: float(i) for i, v in enumerate(value_order(values))}
    return values.map(place).astype(np.float64)


def value_ticks(ax: Axes, values: pd.Series, axis: str = "x") -> None:
    """Ticks at the values run (when there are at most ``MAX_TICKS`` of them; text values
    always, at :func:`axis_positions`); on the x axis at most ``MAX_TICK_LABELS`` numbers
    labelled (every second, third ...), so that the labels of a long grid do not run into
    each other."""
    unique = value_order(values)
    text = is_text(values)
    if len(unique) > MAX_TICKS and not text:
        return
    stride = -(-len(unique) // MAX_TICK_LABELS) if axis == "x" and not text else 1
    labels = [t if i % stride == 0 else "" for i, t in enumerate(distinct_texts(unique))]
    where = np.arange(len(unique), dtype=np.float64) if text else np.array(unique, np.float64)
    if axis == "x":
        ax.set_xticks(where, labels)
    else:
        ax.set_yticks(where, labels)


def levels(values: pd.Series, max_levels: int = MAX_LEVELS) -> pd.Series:
    """Each value's level for plotting: itself when there are few distinct values, else
    the mean of its equal-count bin. Text is never binned.

    There are ``max_levels`` bins at most, and each holds at least ``MIN_PER_BIN``
    distinct values where there are enough for ``MIN_BINS`` bins: the 16 points of a
    small lhs design cut into 10 bins drew a line zigzagging from bin to bin (a point
    or two each, the other parameters pooled), which read as an effect (an audit of the
    figures).
    """
    distinct = values.nunique()
    if distinct <= max_levels or is_text(values):
        return values
    count = min(max_levels, max(MIN_BINS, distinct // MIN_PER_BIN))
    bins = pd.qcut(values, count, labels=False, duplicates="drop")
    return values.groupby(bins).transform("mean")


def drawn_levels(frame: pd.DataFrame, parameter: str, max_levels: int = MAX_LEVELS) -> pd.Series:
    """Each row's level of ``parameter`` (:func:`levels`), the bins cut over the design's
    draws, one value a design point counted as often as it was drawn, not over the rows.

    A row is a run of a scenario and replicate (or a pair of runs), and a posterior
    design's figures repeat a run once per draw of its set
    (:func:`~sim.findings.posterior.by_draws`): cut over the rows, the bins moved with
    the number of scenarios and which table was drawn. One parameter of a 20-draw
    posterior design was binned at 2.01/3.3/3.73 in the headline (its 19 distinct sets),
    1.93/3.18/3.72 in the figure against it (the draws of both scenarios) and
    1.93/3.12/3.71 in a heatmap's panel (one scenario's), a reviewer's finding (decision
    926). A frame without a ``point`` column is binned row by row.

    Args:
        frame: rows with ``parameter`` and, to bin the draws, ``point`` (and any of
            ``scenario`` and ``replicate``: a point's draws are how often each of its
            runs is repeated).
        parameter: the column to bin.
        max_levels: as :func:`levels`.
    """
    values = frame[parameter]
    if "point" not in frame.columns or values.nunique() <= max_levels or is_text(values):
        return levels(values, max_levels)
    runs = [c for c in ("scenario", "replicate") if c in frame.columns]
    copies = frame.groupby(["point", *runs]).size().groupby(level="point").max()
    at_point = frame.groupby("point")[parameter].first()
    draws = at_point.index.repeat(copies.reindex(at_point.index).to_numpy())
    binned = levels(at_point.reindex(draws).reset_index(drop=True), max_levels)
    level = pd.Series(binned.to_numpy(), index=draws).groupby(level=0).first()
    return frame["point"].map(level)


def map_levels(frame: pd.DataFrame, parameter: str) -> pd.Series:
    """Levels for a heatmap axis (:func:`drawn_levels`): the values of a grid (up to
    ``MAX_LEVELS``), else ``MAP_BINS`` equal-count bins, so that sampled designs fill
    their cells. The headline's map bins its axes so too (decision 926)."""
    many = frame[parameter].nunique() > MAX_LEVELS
    return drawn_levels(frame, parameter, MAP_BINS if many else MAX_LEVELS)


def _on_map_levels(runs: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """``runs`` with ``x`` and ``y`` replaced by their :func:`map_levels`."""
    return runs.assign(**{x: map_levels(runs, x), y: map_levels(runs, y)})


def binning_note(bins: int) -> str:
    """How a binned axis is cut and labelled, for a caption (``bins``: at most)."""
    return (
        f"a parameter drawn at more than {MAX_LEVELS} values is cut into up to {bins} "
        f"equal-count bins, {BIN_RULE}; its labels are the bins' mean values"
    )


def metric_panel(
    runs: pd.DataFrame,
    metric: str,
    parameter: str,
    *,
    ax: Axes | None = None,
    scenarios: Sequence[str] | None = None,
    color: str | None = None,
    marker: str | None = None,
    span: bool = True,
) -> Axes:
    """``metric`` against ``parameter``: mean across runs per level, 95% band, a line
    per scenario (colour and line style), a hollow marker at each level.

    Args:
        runs: one row per run, with ``scenario``, the parameter and the metric columns.
        metric: a summary metric column.
        parameter: a varied parameter column.
        ax: axes to draw on (a new figure when omitted).
        scenarios: scenario order (default: order of appearance).
        color: one colour for every scenario (a power's), else one grey each.
        marker: one marker for every scenario (a power's), else one each.
        span: widen a flat axis (:func:`keep_span`); off when more lines follow on
            ``ax``, since fixing the limits stops matplotlib from fitting them.
    """
    ax = plt.subplots(figsize=(5, 3.5))[1] if ax is None else ax
    frame, order = with_scenarios(runs, scenarios)
    colors = sample_colors(order) if color is None else dict.fromkeys(order, color)
    styles = scenario_linestyles(order)
    markers = scenario_markers(order) if marker is None else dict.fromkeys(order, marker)
    frame = frame.assign(level=axis_positions(drawn_levels(frame, parameter)))
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
            # Hollow: where two lines of distinct markers coincide, both markers show.
            marker=markers[name],
            ms=4.5,
            mfc="none",
            mew=1.1,
            label=name,
        )
    ax.set_xlabel(parameter_label(parameter))
    ax.set_ylabel(metric_label(metric)[1])
    if frame[parameter].nunique() <= MAX_LEVELS or is_text(frame[parameter]):
        value_ticks(ax, frame[parameter])  # the values run; bins' means get matplotlib's ticks
        spread_ticks(ax, rotate=is_text(frame[parameter]))
    if span:
        keep_span(ax, metric)
    return ax


# The narrowest a map is drawn at a page's width, inches (its cells hold 7 pt numbers).
MAP_LEAST_IN = 1.1
# A map's cell at a page's width (its 7 pt number and a margin), its room beside the maps
# (the y values and label, the colour bar) and the gap between two maps, inches.
MAP_CELL_IN = 0.4
MAP_FIXED_IN = 1.3
MAP_GAP_IN = 0.12
# The lowest a map is drawn to keep a page-width figure within a page's height, inches.
MAP_LEAST_HIGH_IN = 0.9


# Levels on viridis; a signed metric (a change) on the headline's diverging scale.
LEVEL_CMAP = "viridis"


def colour_scale(metric: str, vmin: float, vmax: float) -> tuple[str, Normalize]:
    """The colour map and its normalisation for ``metric``'s values in [vmin, vmax].

    A change (:func:`is_signed`) is drawn so that a gain and a loss of the same
    size get opposite colours of the same depth, white at 0 (the headline's
    ``DIVERGING_CMAP``, red above 0). Other metrics are levels on viridis over
    their values (decision 492).
    """
    if is_signed(metric):
        limit = max(abs(vmin), abs(vmax)) or 1.0
        return DIVERGING_CMAP, Normalize(-limit, limit)
    return LEVEL_CMAP, Normalize(vmin, vmax)


# Below this in size a cell's mean is rounding in runs that did not move (a change of
# 4.10e-12), not a value to write in three digits.
ROUNDING = 1e-9


def cell_text(value: float, signed: bool = False, digits: int = 3) -> str:
    """A cell's value: three significant digits in every cell, trailing zeros kept (0.660
    beside 0.703, not 0.66), ``signed`` with a + above 0 (the headline's differences).

    Four decimals below 0.001 in size wrote a change of -0.000754 as -0.0008 beside
    -0.00182, one digit beside three, and the headline's map as many decimals as its
    largest mean needed (a reviewer's finding, decision 926); only rounding (below
    ``ROUNDING``, a run that did not move) reads 0.0000. ``digits``: as many significant
    digits instead (the headline's narrow cells take 2: -0.00051, never -0.0005).
    """
    if abs(value) < ROUNDING:
        return "0.0000"
    text = f"{value:+#.{digits}g}" if signed else f"{value:#.{digits}g}"
    if "e" in text:
        # Decimals, as every other cell: "4.05e-06" beside "-0.105" in one heatmap read
        # as another kind of number (an outside review of the figures, decision 947).
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
        text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    return text


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
    (``y`` increasing upwards, ticks at the values run), values written in the cells
    when there are few. A signed metric (a change: its natural range reaches below 0)
    is drawn on the headline's diverging scale centred at 0, as :func:`colour_scale`."""
    ax = plt.subplots(figsize=(5, 4))[1] if ax is None else ax
    frame = runs.assign(x_level=map_levels(runs, x), y_level=map_levels(runs, y))
    table = frame.pivot_table(index="y_level", columns="x_level", values=metric, aggfunc="mean")
    table = table.sort_index().sort_index(axis=1)
    values = table.to_numpy(np.float64)
    cmap, norm = colour_scale(
        metric,
        float(np.nanmin(values)) if vmin is None else vmin,
        float(np.nanmax(values)) if vmax is None else vmax,
    )
    value_mesh(ax, table, cmap, norm)
    if table.size <= ANNOTATE_CELLS:
        colours = plt.get_cmap(cmap)
        for (row, col), value in np.ndenumerate(values):
            if not np.isfinite(value):
                continue  # a cell no run reached is hatched (value_mesh)
            red, green, blue, _ = colours(norm(value))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(col, row, cell_text(value), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")  # fmt: skip
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    return ax


# A page-width row of maps: a map's title and x values beside its height, inches; what
# the layout adds to the rows (the axis labels, the padding), and the room a figure of
# them has; the most rows a page holds, each map at least MAP_LEAST_HIGH_IN high.
MAP_ROW_IN = 0.75
# A map's width in a figure at the default size (3.3 in a column, its y values beside it).
MAP_DEFAULT_IN = 2.3
MAP_LAYOUT_IN = 0.8
MAP_ROWS_ROOM_IN = PAGE_HEIGHT_IN - MAP_LAYOUT_IN
MAP_PAGE_ROWS = int(MAP_ROWS_ROOM_IN // (MAP_LEAST_HIGH_IN + MAP_ROW_IN))


@dataclass(frozen=True)
class _MapGrid:
    """Where :func:`heatmap_figure` puts its maps: a grid of ``n_rows`` by ``n_cols``,
    ``place`` taking a map's (scenario, metric) indices to its (row, column); ``blocks``,
    the rows in order, grouped as a file keeps them together (a scenario's, or one row);
    ``panel_in``, a map's width at a page's width."""

    n_rows: int
    n_cols: int
    place: Callable[[int, int], tuple[int, int]]
    blocks: list[range]
    panel_in: float = 3.3

    def parts(self) -> list[range]:
        """The rows of each file: all in one, but at a page's width where they pass a
        page's height at their lowest (MAP_PAGE_ROWS rows), there as many files of
        whole blocks as :func:`~sim.plots.figure.fill_pages` gives (a block of more
        rows than a page's, in pieces of a page's rows)."""
        if page_width() is None or self.n_rows <= MAP_PAGE_ROWS:
            return [range(self.n_rows)]
        pieces = [
            block[start : start + MAP_PAGE_ROWS]
            for block in self.blocks
            for start in range(0, len(block), MAP_PAGE_ROWS)
        ]
        parts = fill_pages(pieces, lambda part: sum(map(len, part)) <= MAP_PAGE_ROWS)
        return [range(part[0].start, part[-1].stop) for part in parts]


def _map_grid(binned: pd.DataFrame, n_scenarios: int, n_metrics: int, x: str, y: str) -> _MapGrid:
    """How :func:`heatmap_figure` lays out the maps of ``n_scenarios`` by ``n_metrics``
    over ``binned``'s levels of ``x`` and ``y``: a row per scenario, a column per metric,
    but at a page's width (decision 960)."""
    one_each = [range(row, row + 1) for row in range(n_scenarios)]
    if page_width() is None:
        return _MapGrid(n_scenarios, n_metrics, lambda row, col: (row, col), one_each)
    # At a page's width: a map at least wide enough for its cells' 7 pt numbers; the
    # scenarios as columns and the metrics as rows when only they fit, else a scenario's
    # maps over as many rows as they need.
    # A map whose cells hold no numbers (more than ANNOTATE_CELLS) needs no room for them:
    # eight values a side asked 3.3 in a map, and made twelve maps at 6.5 in a column 43
    # in tall (decision 960).
    cells = binned[x].nunique() * binned[y].nunique()
    numbered = MAP_CELL_IN * binned[x].nunique() + 0.1 if cells <= ANNOTATE_CELLS else 0.0
    least = max(MAP_LEAST_IN, numbered)
    fits = page_columns(99, 99, least, MAP_FIXED_IN, MAP_GAP_IN)

    def panel_in(n_cols: int) -> float:
        return min(3.3, (page_room() - MAP_FIXED_IN - MAP_GAP_IN * (n_cols - 1)) / n_cols)

    if n_metrics <= fits:
        return _MapGrid(
            n_scenarios, n_metrics, lambda row, col: (row, col), one_each, panel_in(n_metrics)
        )
    if n_scenarios <= fits:
        by_metric = [range(row, row + 1) for row in range(n_metrics)]
        return _MapGrid(
            n_metrics, n_scenarios, lambda row, col: (col, row), by_metric, panel_in(n_scenarios)
        )
    lines = math.ceil(n_metrics / fits)
    return _MapGrid(
        n_scenarios * lines,
        fits,
        lambda row, col: (row * lines + col // fits, col % fits),
        [range(row * lines, (row + 1) * lines) for row in range(n_scenarios)],
        panel_in(fits),
    )


def heatmap_parts(runs: pd.DataFrame, metrics: Sequence[str], x: str, y: str) -> int:
    """How many files :func:`heatmap_figure` draws ``runs``' maps of ``metrics`` over
    ``x`` and ``y`` in: 1, but at a page's width where its rows of maps at their lowest
    pass a page's height (``part`` draws each)."""
    binned = _on_map_levels(runs, x, y)
    return len(_map_grid(binned, len(distinct(runs["scenario"])), len(metrics), x, y).parts())


def heatmap_figure(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    x: str,
    y: str,
    *,
    phrases: Mapping[str, str] | None = None,
    part: int | None = None,
) -> Figure:
    """Heatmaps of ``metrics`` (columns) over ``x`` and ``y``, a row per scenario, every
    panel on one colour scale (so panels compare), one colour bar for the figure.

    ``part``: the maps of the ``part``-th file of :func:`heatmap_parts` (from 1), on the
    colour scale of all, its maps as high as the fullest part's; ``None``, all in one.
    Twelve maps at 3.5 in were one figure 20 in tall, three scenarios by four powers at
    6.5 in one 10.5 in tall (decision 961's leftovers)."""
    set_theme()
    scenarios = distinct(runs["scenario"])
    # Binned once for every panel: a panel binned its own scenario's runs (decision 926).
    binned = _on_map_levels(runs, x, y)
    grid = _map_grid(binned, len(scenarios), len(metrics), x, y)
    parts = grid.parts()
    rows = parts[part - 1] if part is not None else range(grid.n_rows)
    # Every part's maps as high as those of the fullest part.
    n_rows = max(map(len, parts)) if part is not None else grid.n_rows
    size = (3.3 * len(metrics) + 1.2, 3.0 * len(scenarios) + 0.4)
    page = page_width() is not None
    panel_in = grid.panel_in
    if page:
        # The maps lower, down to MAP_LEAST_HIGH_IN, where their rows would pass a page's
        # height (decision 960).
        high = MAP_ROWS_ROOM_IN / n_rows - MAP_ROW_IN
        size = (
            page_room(),
            (max(MAP_LEAST_HIGH_IN, min(panel_in * 0.85, high)) + MAP_ROW_IN) * len(rows) + 0.5,
        )
    fig, axes = plt.subplots(
        len(rows), grid.n_cols, figsize=size, squeeze=False, layout="constrained"
    )
    means = binned.groupby(["scenario", x, y])[list(metrics)].mean()
    vmin, vmax = float(np.nanmin(means.to_numpy())), float(np.nanmax(means.to_numpy()))
    for col, metric in enumerate(metrics):
        for row, scenario in enumerate(scenarios):
            where, column = grid.place(row, col)
            if where not in rows:
                continue  # another part's
            ax = axes[where - rows.start, column]
            heatmap_panel(
                binned[binned["scenario"] == scenario], metric, x, y, ax=ax, vmin=vmin, vmax=vmax
            )
            title = metric_label(metric, phrases)[0]
            if len(scenarios) > 1:
                title += f" ({scenario})"
            if page:
                ax.set_title(wrap_to(title, panel_in + 0.1, 8.5), loc="left", fontsize=8.5)
                continue
            ax.set_title(textwrap.fill(title, 36, break_long_words=False), loc="left", fontsize=8.5)
            if col:
                ax.set_ylabel("")
            if row < len(scenarios) - 1:
                ax.set_xlabel("")
    if page:
        _page_map_labels(fig, axes, parameter_label(x), parameter_label(y))
    # A map's x values, every second (third ...) labelled where they would run together:
    # at a page's width (decision 960), and at the default width too, where the eight
    # drawn values of a posterior's parameter read "0.9010.9040.9210.927..." (an outside
    # check, decision 1008). The default map is about MAP_DEFAULT_IN wide.
    for ax in axes.flat:
        _thin_map_ticks(ax, panel_in if page else MAP_DEFAULT_IN)
    cmap, norm = colour_scale(metrics[0], vmin, vmax)
    # A page's figure may be tall (twelve maps in a column at 3.5 in are 30 in): its bar
    # is at most 4 in long, at the top beside the first maps, where it ran 20 in down the
    # figure's side (an outside check, decision 957); about 0.2 in wide.
    long_in = min(0.8 * size[1], 4.0)
    shape: dict[str, Any] = (
        {"shrink": long_in / size[1], "aspect": long_in / 0.2, "anchor": (0.0, 1.0)}
        if page
        else {"shrink": 0.8, "aspect": 20.0}
    )
    bar = fig.colorbar(
        plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes.ravel().tolist(), **shape
    )
    bar.set_label(metric_label(metrics[0])[1])
    return fig


def fitted_colour_note(fig: Figure) -> str:
    """A caption sentence read off a drawn :func:`heatmap_figure`: its colour scale fits
    the cells' values, not the metric's range. The bars of one folder's maps ran from
    0.38 to 0.79 in one file and 0.50 to 0.66 in another, each labelled "Trust (0 to 1)",
    so one colour meant another value in each file, and no caption said so (an outside
    check of the figures, decision 1008)."""
    bar = next((ax for ax in fig.axes if ax.get_label() == "<colorbar>"), None)
    if bar is None:
        return ""
    low, high = sorted(bar.get_ylim())
    return (
        f"The colour scale fits this figure's cells ({_number(low)} to {_number(high)}), "
        "not the metric's whole range: a colour is a value in this figure only."
    )


def uneven_axes(runs: pd.DataFrame, x: str, y: str) -> list[str]:
    """The parameters of a map's axes (``x``, ``y``) whose drawn values are not evenly
    spaced: a map gives each value one cell, so 0.901, 0.904 and 0.977 sit at equal
    steps (an outside check of a posterior sweep's maps, decision 1008)."""
    uneven = []
    for name in (x, y):
        values = map_levels(runs, name)
        if is_text(values):
            continue
        steps = np.diff(np.sort(values.dropna().unique().astype(np.float64)))
        if len(steps) > 1 and steps.max() - steps.min() > 0.01 * abs(steps.max()):
            uneven.append(name)
    return uneven


def _thin_map_ticks(ax: Axes, wide_in: float) -> None:
    """A page-width map's x values, every second (third ...) labelled where all of them
    would run together ("11.522.533.544.5" under a 1.2 in map of eight values; decision
    960). The ticks stay."""
    ticks = list(ax.get_xticks())
    texts = [t.get_text() for t in ax.get_xticklabels()]
    if len(ticks) < 2 or not any(texts):
        return
    size = float(ax.get_xticklabels()[0].get_fontsize())
    widest = max(text_size_in(t, size)[0] for t in texts) + 0.06
    stride = math.ceil(widest * len(ticks) / max(wide_in, 0.1))
    if stride > 1:
        ax.set_xticks(ticks, [t if i % stride == 0 else "" for i, t in enumerate(texts)])


def _page_map_labels(fig: Figure, axes: np.ndarray, x_label: str, y_label: str) -> None:
    """A page-width figure of maps: the axes named once for the figure, and a map's y
    values left unsaid where the map before it in the row says the same (the rows share
    their values, and the room is the maps')."""
    for row in axes:
        first = None
        for ax in row:
            ax.set_xlabel("")
            ax.set_ylabel("")
            if not ax.axison:
                continue
            said = [t.get_text() for t in ax.get_yticklabels()]
            if first is not None and said == first:
                ax.tick_params(labelleft=False)
            first = said
    for ax in axes.flat:
        if not ax.has_data():
            ax.set_axis_off()  # the spare places of a scenario's last row
    fig.supxlabel(x_label, fontsize=plt.rcParams["axes.labelsize"])
    fig.supylabel(y_label, fontsize=plt.rcParams["axes.labelsize"])


def empty_cells(runs: pd.DataFrame, x: str, y: str) -> int:
    """How many cells of :func:`heatmap_figure`'s panels of ``runs`` no run reached (a
    sampled design's gaps, an unfinished grid's), which the figure hatches and its
    caption then names."""
    binned = _on_map_levels(runs, x, y)
    per_scenario = binned.groupby("scenario")
    shape = per_scenario[x].nunique() * per_scenario[y].nunique()
    filled = binned.drop_duplicates(["scenario", x, y]).groupby("scenario").size()
    return int((shape - filled).sum())


def family_figure(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    parameter: str,
    *,
    phrases: Mapping[str, str] | None = None,
    all_powers: Sequence[str] = (),
) -> Figure:
    """One summary family against one parameter: a panel per group, a line per power
    (its colour) and scenario (its line style), mean of the replicates at each value
    with their 2.5-97.5 percentile band; every panel on one y scale.

    Args:
        runs: the runs at the design values shown (one row per run).
        metrics: flattened names of one family (``final_trust.<power>.<group>`` ...).
        parameter: the varied parameter on the x axis.
        phrases: groups in words.
        all_powers: every power of the folder's scenarios, which the colours are
            assigned among (:func:`~sim.plots.palette.power_palette`), so that a power
            keeps its colour in figures that draw different powers.
    """
    set_theme()
    scenarios = distinct(runs["scenario"])
    styles, markers = scenario_linestyles(scenarios), scenario_markers(scenarios)
    parsed = {m: parse_metric(m) for m in metrics}
    groups = group_order({p.group for p in parsed.values() if p is not None}, phrases or ())
    powers = list(dict.fromkeys(p.power for p in parsed.values() if p is not None))
    # The legend lists the powers in the scenarios' order, as the trajectories' does (the
    # metrics come in the runs table's alphabetical order).
    order = {power: i for i, power in enumerate(all_powers)}
    powers.sort(key=lambda power: order.get(power, len(order)))
    named = [p for p in powers if p]  # "" is a metric of no power (the poles)
    colors = power_palette(named, all_powers)
    # Several powers: each its marker as well as its colour (greyscale print loses the
    # colour), the scenarios told apart by line style alone; else a marker per scenario.
    by_power = len(named) > 1
    power_marks = power_markers(colors) if by_power else {}
    fig, axes = panel_grid(len(groups), (4.2, 3.0), (1.6, 0.0), hspace=0.55, wspace=0.25)
    for ax, group in zip(axes.flat, groups, strict=False):
        for metric, name in parsed.items():
            if name is not None and name.group == group:
                color = colors[name.power] if name.power else None
                metric_panel(
                    runs,
                    metric,
                    parameter,
                    ax=ax,
                    scenarios=scenarios,
                    color=color,
                    marker=power_marks.get(name.power),
                    span=False,
                )
        where = (phrases or {}).get(group) or group_phrase(group)
        ax.set_title(group_heading(where), loc="left", fontsize=9)
        ax.set_ylabel("")
    shown = [ax for ax in axes.flat[: len(groups)]]
    low = min(ax.get_ylim()[0] for ax in shown)
    high = max(ax.get_ylim()[1] for ax in shown)
    for ax in shown:
        ax.set_ylim(low, high)
        keep_span(ax, metrics[0])
    axes[0, 0].set_ylabel(metric_label(metrics[0])[1])
    handles = [
        Line2D(
            [], [], color=colors[p], lw=2, label=power_name(p),
            marker=power_marks.get(p, ""), mfc="none", mew=1.1,
        )
        for p in named
    ]  # fmt: skip
    greys = sample_colors(scenarios) if not handles else dict.fromkeys(scenarios, "0.3")
    if len(scenarios) > 1:
        handles += [
            Line2D(
                [],
                [],
                color=greys[s],
                ls=styles[s],
                marker="" if by_power else markers[s],
                mfc="none",
                mew=1.1,
                label=s,
            )
            for s in scenarios
        ]
    if handles:
        title = "Power" if powers[0] else "Scenario"
        if powers[0] and len(scenarios) > 1:
            title += " / scenario"
        outside_legend(axes[0, -1], title, handles)
    return fig


def fitted_axis_note(metric: str) -> Callable[[Figure], str]:
    """A caption sentence read off a drawn :func:`family_figure`: its value axis fits the
    lines, where it leaves out part of the metric's range.

    A sweep's trust from 0.42 to 0.54 filled the panel, so a fall of 0.07 looked like a
    collapse, and effective poles started at 1.15 where the measure's floor is 1, without
    a word (compare's caption says "not from 0"; an outside review, decision 947).
    """
    entry = _entry(metric)

    def note(fig: Figure) -> str:
        low, high = fig.axes[0].get_ylim()
        floor = entry.low if entry is not None else None
        top = entry.high if entry is not None else None
        if (floor is None or low <= floor + 1e-12) and (top is None or high >= top - 1e-12):
            return ""
        if floor is not None and top is not None:
            whole = f"the metric's whole range ({_number(floor)} to {_number(top)})"
        elif floor is not None:
            whole = f"starting at {_number(floor)}"
        else:
            whole = "the metric's whole range"
        return (
            f"The value axis fits the lines ({_number(low)} to {_number(high)}), not "
            f"{whole}: read differences against its ticks."
        )

    return note


def _number(value: float) -> str:
    return f"{value:.3g}"


def overlap_note(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    parameter: str,
    phrases: Mapping[str, str] | None = None,
) -> str:
    """The caption sentence of :func:`family_figure` on lines that coincide (their means
    within :data:`~sim.plots.figure.COINCIDE` at every value), ``""`` when none do.
    The hollow markers of each scenario show both lines; the caption says so in words."""
    frame, order = with_scenarios(runs)
    frame = frame.assign(level=axis_positions(drawn_levels(frame, parameter)))
    panels: dict[tuple[str, str], dict[tuple[str, str], np.ndarray]] = {}
    for metric in metrics:
        parsed = parse_metric(metric)
        if parsed is None:
            continue
        family = parsed.metric.name + (f".{parsed.window}" if parsed.window else "")
        means = band(frame, ["scenario", "level"], metric)
        lines = panels.setdefault((family, parsed.group), {})
        for scenario in order:  # in the legend's order (band sorts by name)
            cell = means[means["scenario"] == scenario]
            lines[(str(scenario), parsed.power)] = cell["mean"].to_numpy(np.float64)
    found = [
        (family, group, found_lines)
        for (family, group), lines in panels.items()
        for found_lines in coinciding(lines)
    ]
    return coincide_note(coincide_texts(found, phrases))
