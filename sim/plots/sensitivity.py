"""Sensitivity indices as bars: Sobol S1 and ST, or Morris mu* and sigma, per metric.

Reads the tables ``credsim analyze`` writes
(``analysis/sensitivity_<method>.parquet``): sobol has ``metric, parameter,
S1, S1_conf, ST, ST_conf``; morris has ``metric, parameter, mu_star,
mu_star_conf, sigma``. Bars are horizontal so long parameter names stay
readable; the whiskers are the 95% confidence intervals SALib reports
(``+- conf``), bars and whiskers clipped to the indices' bounds (Sobol
indices in [0, 1], Morris mu* and sigma at least 0), since an estimate
outside them is sampling error; such an estimate is marked with an x at the
bound, so that a negative S1 drawn as 0 is not read as no effect, and a
whisker cut at a bound (an estimate inside, its interval running past) ends
in an arrowhead pointing past it, so that a whisker ending at 0 is not read
as an interval ending there. The legend names both marks; the caption
(:func:`indices_caption`) counts them. Morris sigma has no interval and is
drawn without one. Metrics whose indices are all zero or missing get no
panel.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import CARETLEFTBASE, CARETRIGHTBASE
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.analysis.sensitivity import CONF_LEVEL, RESAMPLES
from sim.columns import distinct
from sim.plots.figure import (
    PAGE_HEIGHT_IN,
    balanced_wrap,
    fill_pages,
    legend_below,
    legend_below_in,
    lines_in,
    metric_label,
    outside_legend,
    page_columns,
    page_room,
    page_width,
    panel_grid,
    parameter_label,
    set_theme,
    text_size_in,
    wrap_to,
)

# The two bars of a method in a dark and a light grey: not colours of the palette, where
# blue and orange are the first two powers (USA and Russia), so that a bar is not read
# as a power's. Neither is the non-aligned grey (#999999).
INDEX_GREYS = ("#5a5a5a", "#c4c4c4")
# (column, interval column or None, legend label, colour) per bar of a method.
BARS: dict[str, list[tuple[str, str | None, str, str]]] = {
    "sobol": [
        ("S1", "S1_conf", "first order S1", INDEX_GREYS[0]),
        ("ST", "ST_conf", "total order ST", INDEX_GREYS[1]),
    ],
    "morris": [
        ("mu_star", "mu_star_conf", "mu* (mean |elementary effect|)", INDEX_GREYS[0]),
        ("sigma", None, "sigma (SD of elementary effects)", INDEX_GREYS[1]),
    ],
}
AXIS_LABEL = {
    "sobol": "Share of output variance (0 to 1)",
    # SALib's effect is the change per step in the unit hypercube: per full range of the
    # parameter, not per unit of it (an audit of the figures, decision 652).
    # Two lines: on one, it ran wider than its panel, into the next panel's (an outside
    # check of the figures; decision 804).
    "morris": "Elementary effect (the metric's\nchange over the parameter's range)",
}
# At a page's width, the Morris label shorter (the caption says an effect is the change in
# the metric over the parameter's range): wrapped to a 1.5 in panel, the whole label took
# four lines (an outside check, decision 962).
PAGE_AXIS_LABEL = {**AXIS_LABEL, "morris": "Elementary effect over the parameter's range"}
PER_FIGURE = 9
# A panel title wraps at this many characters (panels are 4.8 inches wide).
TITLE_CHARS = 52
BOUNDS = {"sobol": (0.0, 1.0), "morris": (0.0, np.inf)}
OUTSIDE_LABEL = {
    "sobol": "estimate outside [0, 1], drawn at the bound",
    "morris": "estimate below 0, drawn at 0",
}
CUT_LABEL = {
    "sobol": "interval runs past 0 or 1, cut there",
    "morris": "interval runs below 0, cut there",
}
# The arrowhead of a cut whisker: its base at the bound, its tip pointing past it.
CUT_MARKERS = (CARETLEFTBASE, CARETRIGHTBASE)
# A whisker is marked cut when its interval runs past the bound by more than this share
# of the panel's axis: SALib's interval of an index estimated at 0.000 runs past 0 by a
# hair, which no one would see in a whisker left whole.
CUT_SHARE = 0.01


def clipped(
    values: np.ndarray, conf: np.ndarray | None, bounds: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Bars and asymmetric whiskers (2, n) kept within ``bounds``."""
    low, high = bounds
    bar = np.clip(values, low, high)
    if conf is None:
        return bar, None
    lo = np.clip(values - conf, low, high)
    hi = np.clip(values + conf, low, high)
    return bar, np.vstack([bar - np.minimum(lo, bar), np.maximum(hi, bar) - bar])


def _outside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values < bounds[0]) | (values > bounds[1])


def _span(rows: pd.DataFrame, method: str) -> float:
    """The length of a panel's axis: 1 for Sobol indices, else its longest bar or
    whisker (Morris effects come in the metric's units)."""
    if method == "sobol":
        return 1.0
    ends = [
        rows[c].to_numpy(np.float64) + (0.0 if e is None else rows[e]) for c, e, *_ in BARS[method]
    ]
    return float(np.nanmax(np.concatenate(ends), initial=0.0))


def cut_ends(
    rows: pd.DataFrame, columns: tuple[str, str], method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Which whiskers of one metric's index (``columns``: the index and its interval)
    are cut at the lower and at the upper bound: the estimate inside the bounds (one
    outside is marked x), its interval running past one by more than ``CUT_SHARE`` of
    the panel's axis (less would not show uncut either)."""
    values, conf = (rows[c].to_numpy(np.float64) for c in columns)
    low, high = BOUNDS[method]
    past = CUT_SHARE * _span(rows, method)
    inside = ~_outside(values, BOUNDS[method])
    return inside & (values - conf < low - past), inside & (values + conf > high + past)


def cut_counts(indices: pd.DataFrame, method: str) -> tuple[int, int]:
    """How many whiskers of a sensitivity table are cut at the lower and at the upper
    bound (:func:`cut_ends`), over every metric and index with an interval."""
    low = high = 0
    for _, rows in indices.groupby("metric", sort=False):
        for column, conf, *_ in BARS[method]:
            if conf is not None:
                below, above = cut_ends(rows, (column, conf), method)
                low, high = low + int(below.sum()), high + int(above.sum())
    return low, high


def outside_count(indices: pd.DataFrame, method: str) -> int:
    """How many estimates of a sensitivity table lie outside their index's bounds
    (drawn at the bound and marked with an x)."""
    return sum(
        int(_outside(indices[column].to_numpy(np.float64), BOUNDS[method]).sum())
        for column, *_ in BARS[method]
    )


# Characters a parameter's label may take on one line beside its bars before it wraps
# ("events russia intervention: magnitude" ran into the panel to its left).
LABEL_CHARS = 26
# At a page's width: the widest a panel's bars are kept beside their labels, inches; the
# labels wrap narrower (never under LEAST_LABEL_CHARS) to leave it. At 3 in the labels
# took 2 in and the bars 0.6 (an outside review; decision 956).
PAGE_BARS_IN = 1.4
LEAST_LABEL_CHARS = 12


def label_chars() -> int:
    """Characters a parameter's label takes on a line: LABEL_CHARS, fewer on a narrow page."""
    if page_width() is None:
        return LABEL_CHARS
    # A character about half its size wide (measured 0.44 to 0.51 in the theme's font):
    # taken as 0.6, "diffusion: susceptibility" broke over two lines at 3.5 in, and made
    # each row of bars twice as high (decision 960).
    room = int((page_room() - PAGE_BARS_IN - 0.35) * 72.0 / (0.5 * 8.8))
    return max(LEAST_LABEL_CHARS, min(LABEL_CHARS, room))


def scenario_blocks(indices: pd.DataFrame) -> list[str]:
    """The scenarios a sensitivity table holds, in its order, when there are several
    (each gets its block of bars); ``[]`` for one."""
    if "scenario" not in indices.columns:
        return []
    names = distinct(indices["scenario"])
    return names if len(names) > 1 else []


def _row_places(
    rows: pd.DataFrame,
) -> tuple[pd.DataFrame, np.ndarray, list[float], list[str], list[float]]:
    """Where each parameter's bars go: the rows (a scenario's together), their places,
    every tick's place and label (a scenario's name heading its block when there are
    several) and the headers' places."""
    wrap = partial(textwrap.fill, width=label_chars(), break_long_words=False)
    blocks = scenario_blocks(rows)
    if not blocks:
        y = np.arange(len(rows), dtype=float)
        return rows, y, list(y), [wrap(parameter_label(p)) for p in rows["parameter"]], []
    order = {name: i for i, name in enumerate(blocks)}
    rows = rows.iloc[np.argsort(rows["scenario"].map(order).to_numpy(), kind="stable")]
    places: list[float] = []
    ticks: list[float] = []
    labels: list[str] = []
    headers: list[float] = []
    at = 0.0
    for name, block in rows.groupby("scenario", sort=False):
        headers.append(at)
        ticks.append(at)
        labels.append(str(name))
        at += 1.0
        for parameter in block["parameter"]:
            places.append(at)
            ticks.append(at)
            labels.append(wrap(parameter_label(parameter)))
            at += 1.0
    return rows, np.array(places), ticks, labels, headers


def _mark_cut(
    ax: Axes, rows: pd.DataFrame, columns: tuple[str, str], y: np.ndarray, method: str
) -> None:
    """An arrowhead past each whisker cut at a bound (:func:`cut_ends`): a whisker
    ending at 0 is otherwise read as an interval that ends there (an audit of the
    figures)."""
    for cut, bound, marker in zip(
        cut_ends(rows, columns, method), BOUNDS[method], CUT_MARKERS, strict=True
    ):
        if cut.any():
            ax.plot(
                np.full(int(cut.sum()), bound),
                y[cut],
                linestyle="none",
                marker=marker,
                color="0.2",
                markersize=6,
                label=CUT_LABEL[method],
                zorder=3,
                clip_on=False,
            )


def indices_panel(rows: pd.DataFrame, method: str, *, ax: Axes | None = None) -> Axes:
    """Bars of one metric's indices, a pair of bars per parameter, with intervals.

    Args:
        rows: the rows of one metric from the sensitivity table.
        method: ``sobol`` or ``morris``.
        ax: axes to draw on (a new figure when omitted).
    """
    ax = plt.subplots(figsize=(5, 3))[1] if ax is None else ax
    bars = BARS[method]
    rows, y, ticks, labels, headers = _row_places(rows)
    height = 0.8 / len(bars)
    for i, (column, conf, label, color) in enumerate(bars):
        bar, err = clipped(
            rows[column].to_numpy(np.float64),
            None if conf is None else rows[conf].to_numpy(np.float64),
            BOUNDS[method],
        )
        ax.barh(
            y + (i - (len(bars) - 1) / 2) * height,
            bar,
            height=height,
            xerr=err,
            color=color,
            label=label,
            error_kw={"elinewidth": 0.9, "capsize": 2, "ecolor": "0.2"},
        )
        # An estimate outside the bounds is drawn at the bound: marked, so that a
        # negative S1 cut to 0 is not read as a parameter without effect.
        outside = _outside(rows[column].to_numpy(np.float64), BOUNDS[method])
        if outside.any():
            ax.plot(
                bar[outside],
                (y + (i - (len(bars) - 1) / 2) * height)[outside],
                linestyle="none",
                marker="x",
                color="0.1",
                markersize=7,
                markeredgewidth=1.6,
                # A white rim keeps the black x visible on the dark grey bar as on white.
                path_effects=[patheffects.withStroke(linewidth=3.2, foreground="white")],
                label=OUTSIDE_LABEL[method],
                zorder=3,
                clip_on=False,  # a mark at 0 sits on the axes' edge
            )
        if conf is not None:
            _mark_cut(ax, rows, (column, conf), y + (i - (len(bars) - 1) / 2) * height, method)
    ax.set_yticks(ticks, labels)
    # A sweep of several scenarios has a block of bars per scenario, headed by its name
    # (the blocks were unlabelled, each parameter listed twice; decision 615).
    for tick in ax.get_yticklabels():
        if tick.get_position()[1] in headers:
            tick.set_fontweight("bold")
    for header in headers[1:]:
        ax.axhline(header - 0.5, color="0.75", lw=0.8)
    ax.set_ylim(max(ticks) + 0.6, min(ticks) - 0.6)  # top to bottom, as the table reads
    ax.axvline(0.0, color="0.3", lw=0.8)
    if method == "sobol":
        ax.set_xlim(0.0, 1.05)
    else:
        ax.set_xlim(left=0.0)
        # Elementary effects come in any unit: few ticks, so that labels such as
        # 0.0025 do not run into each other in a narrow panel.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_xlabel(AXIS_LABEL[method])
    return ax


def _mark_order(label: str) -> int:
    """The legend's order: the bars, the x of an estimate outside, the cut whisker."""
    return 2 if label in CUT_LABEL.values() else int(label in OUTSIDE_LABEL.values())


def _drawn_metrics(
    indices: pd.DataFrame, method: str, metrics: Sequence[str] | None = None
) -> list[str]:
    """``metrics`` (default: all, in table order) but those whose indices are all zero or
    missing."""
    names = list(metrics) if metrics is not None else distinct(indices["metric"])
    columns = [bar[0] for bar in BARS[method]]
    values = indices.set_index("metric")[columns].abs().fillna(0.0)
    return [m for m in names if float(values.loc[[m]].to_numpy().max()) > 0.0]


def figure_metrics(
    indices: pd.DataFrame,
    method: str,
    metrics: Sequence[str] | None = None,
    *,
    phrases: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    caption_in: float = 0.0,
) -> list[list[str]]:
    """The metrics of each figure :func:`sensitivity_figures` draws, in order: ``metrics``
    (default: all, in table order) but those whose indices are all zero or missing,
    ``PER_FIGURE`` a figure. At a page's width, as many rows of panels a figure as keep
    it within PAGE_HEIGHT_IN with its legend and a caption ``caption_in`` high, at
    least one (:func:`page_layout`; ``phrases`` and ``titles`` as the figures take them,
    whose titles' lines count)."""
    names = _drawn_metrics(indices, method, metrics)
    if page_width() is None:
        return [names[start : start + PER_FIGURE] for start in range(0, len(names), PER_FIGURE)]
    layout = page_layout(indices, method, names, phrases, titles, caption_in)
    rows = [names[start : start + layout.n_cols] for start in range(0, len(names), layout.n_cols)]
    chunks = fill_pages(
        rows, lambda chunk: layout.height_in(chunk) <= PAGE_HEIGHT_IN - PAGE_MARGIN_IN
    )
    return [[m for row in chunk for m in row] for chunk in chunks]


# At a page's width (decision 960): a panel's bars at least this wide, inches; two panels
# a row at 6.5 in where the parameters' names leave each that much.
PAGE_BARS_LEAST_IN = 1.5
# A row of bars at a page's width: its name's lines and a margin, at least this high.
PAGE_ROW_IN = 0.19
# A panel's title, points.
TITLE_PT = 9.0
# A page-width chart is made this much under PAGE_HEIGHT_IN: its parts are measured
# apart, their sum rounded.
PAGE_MARGIN_IN = 0.1


@dataclass(frozen=True)
class PageLayout:
    """How :func:`sensitivity_figures` lays its panels out at a page's width, inches: the
    gaps between panels sized to what sits in them, not shares of the panels' size (a
    gap 0.6 of a 3.4 in panel was 2 in of white; decision 960)."""

    n_cols: int
    # The parameters' names at the first panel's left; between two panels of a row (the
    # names of the right one's and a margin); a panel's width and height.
    left_in: float
    gap_in: float
    wide_in: float
    axes_in: float
    # Under a row of panels: its tick labels and axis label.
    under_in: float
    # Under the last row's labels: the legend and the caption.
    below_in: float
    title_lines: Mapping[str, int]
    # The least a panel's height may be made to fit a page: its rows of bars as high as
    # their names' lines.
    least_axes_in: float

    def title_in(self, metrics: Sequence[str]) -> float:
        """The room over a row of panels for the longest of their titles."""
        lines = max((self.title_lines[m] for m in metrics), default=1)
        return lines_in(lines, TITLE_PT) + 0.12

    def rows_in(self, rows: Sequence[Sequence[str]]) -> tuple[float, float, float, float]:
        """:func:`~sim.plots.figure.panel_grid`'s ``page_rows`` of a figure of ``rows``:
        the axes' height, the gap between rows (the labels under a row and the next
        row's titles), the room over the first row and under the last."""
        between = self.under_in + self.title_in([m for row in rows[1:] for m in row]) + 0.08
        top = self.title_in(rows[0])
        axes_in = self.axes_in
        if len(rows) == 1:
            # A single row taller than the page: its rows of bars closer, down to their
            # names' lines (least_axes_in), before it is said to be too tall.
            pad = 2 * float(plt.rcParams["savefig.pad_inches"])
            rest = pad + top + self.under_in + LEGEND_DROP_IN + self.below_in
            room = PAGE_HEIGHT_IN - PAGE_MARGIN_IN - rest
            axes_in = max(self.least_axes_in, min(axes_in, room))
        return axes_in, between, top, self.under_in

    def height_in(self, rows: Sequence[Sequence[str]]) -> float:
        """A figure of ``rows`` as saved: its padding, titles, panels and labels, the
        legend and the caption."""
        axes_in, between, top, under = self.rows_in(rows)
        pad = 2 * float(plt.rcParams["savefig.pad_inches"])
        n = len(rows)
        return pad + top + n * axes_in + (n - 1) * between + under + LEGEND_DROP_IN + self.below_in


# The legend under a page-width chart's last labels, inches.
LEGEND_DROP_IN = 0.08


def _label_texts(indices: pd.DataFrame) -> list[str]:
    """The tick labels of a panel's rows: the parameters' names as wrapped, the scenarios'
    names heading their blocks."""
    wrap = partial(textwrap.fill, width=label_chars(), break_long_words=False)
    labels = [wrap(parameter_label(str(p))) for p in indices["parameter"].unique()]
    return labels + scenario_blocks(indices)


def page_layout(
    indices: pd.DataFrame,
    method: str,
    metrics: Sequence[str],
    phrases: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    caption_in: float = 0.0,
) -> PageLayout:
    """The panels of ``metrics``' charts at a page's width, measured before drawing: the
    parameters' names at their size set the room left of each panel; two panels (or
    three) a row where each keeps PAGE_BARS_LEAST_IN of bars; a row of bars as high as
    its name's lines; the titles wrapped to the panel."""
    set_theme()  # the sizes measured are the theme's
    tick_pt = _points("ytick.labelsize")
    pad_in = float(plt.rcParams["ytick.major.pad"]) / 72.0
    labels = _label_texts(indices)
    # The scenarios' names, heading their blocks in bold, are about a tenth wider.
    bold = set(scenario_blocks(indices))
    names_in = max(
        (text_size_in(t, tick_pt)[0] * (1.1 if t in bold else 1.0) for t in labels), default=0.5
    )
    left = names_in + pad_in + 0.08
    gap = left + 0.12
    n_cols = page_columns(max(1, len(metrics)), 3, PAGE_BARS_LEAST_IN, left, gap)
    wide = min(4.8, (page_room() - left - 0.1 - (n_cols - 1) * gap) / n_cols)
    lines = max((t.count("\n") + 1 for t in labels), default=1)
    row = max(PAGE_ROW_IN, lines_in(lines, tick_pt) + 0.04)
    blocks = scenario_blocks(indices)
    n_rows = indices["parameter"].nunique() * max(1, len(blocks)) + len(blocks)
    # The titles wrap to the panel (the last of a row has the least room).
    room = wide - 0.05
    title_lines = {
        m: wrap_to((titles or {}).get(m) or metric_label(m, phrases)[0], room, TITLE_PT).count("\n")
        + 1
        for m in metrics
    }
    label_pt = _points("axes.labelsize")
    axis_lines = page_axis_label(PAGE_AXIS_LABEL[method], wide, label_pt).count("\n") + 1
    under = (
        lines_in(1, _points("xtick.labelsize"))
        + float(plt.rcParams["xtick.major.pad"]) / 72.0
        + lines_in(axis_lines, label_pt)
        + float(plt.rcParams["axes.labelpad"]) / 72.0
        + 0.04
    )
    legend = legend_below_in(_legend_stand_ins(indices, method), legend_title(method))
    return PageLayout(
        n_cols=n_cols,
        left_in=left,
        gap_in=gap,
        wide_in=wide,
        axes_in=(n_rows - 1 + 1.2) * row,
        under_in=under,
        below_in=legend + caption_in,
        title_lines=title_lines,
        least_axes_in=(n_rows - 1 + 1.2) * (lines_in(lines, tick_pt) + 0.01),
    )


def page_axis_label(label: str, wide: float, points: float) -> str:
    """A chart's x label at a page's width: its words wrapped afresh to the panel's
    ``wide`` inches, in lines of about the same length. Its own two lines each wrapped
    broke the Morris label at 3.5 in as "Elementary effect (the / metric's / change over
    the / parameter's range)" (an outside check, decision 962)."""
    return balanced_wrap(" ".join(label.split()), wide, points)


# At a page's width, the room in points kept inside a panel's left edge, left of 0, for
# the marks drawn at 0 (an x, an arrowhead): centred on the axis' edge, they touched the
# parameters' names ("salience: same region✗"; an outside check, decision 962). Inside,
# the panel's layout and the page's columns stay as they were.
ZERO_MARK_ROOM_PT = 7.0


def zero_marks(indices: pd.DataFrame, method: str) -> bool:
    """Whether some estimate or whisker of ``indices`` is marked at the lower bound (an
    estimate below it, a whisker cut there)."""
    low = BOUNDS[method][0]
    below = any(
        bool((indices[column].to_numpy(np.float64) < low).any()) for column, *_ in BARS[method]
    )
    return below or cut_counts(indices, method)[0] > 0


def room_for_zero_marks(ax: Axes) -> None:
    """The panel's x axis begun ZERO_MARK_ROOM_PT left of 0, so that the marks at 0 sit
    inside it, apart from the names (the line at 0 still marks the bound)."""
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    low, high = ax.get_xlim()
    wide_pt = ax.get_position().width * fig.get_figwidth() * 72.0
    share = ZERO_MARK_ROOM_PT / max(wide_pt, 1.0)
    ax.set_xlim(low - share / (1.0 - share) * (high - low), high)


def _points(key: str) -> float:
    """A font size of the theme in points (given as a number or as "medium" ...)."""
    return float(FontProperties(size=plt.rcParams[key]).get_size_in_points())  # type: ignore[index]


def legend_title(method: str) -> str:
    """The charts' legend's title."""
    return f"{method.capitalize()} index (95% interval)"


def _legend_stand_ins(indices: pd.DataFrame, method: str) -> list[Artist]:
    """The legend's entries a chart of ``indices`` may have, as stand-ins to measure: the
    bars, and the marks of an estimate outside and of a cut whisker where the table has
    one."""
    entries: list[Artist] = [Patch(color=color, label=label) for _, _, label, color in BARS[method]]
    if outside_count(indices, method):
        entries.append(Line2D([], [], ls="none", marker="x", label=OUTSIDE_LABEL[method]))
    if sum(cut_counts(indices, method)):
        cut = CUT_MARKERS[0]
        entries.append(Line2D([], [], ls="none", marker=cut, label=CUT_LABEL[method]))  # type: ignore[arg-type]
    return entries


def indices_caption(indices: pd.DataFrame, method: str) -> str:
    """What a figure of ``method``'s bars draws and what its marks mean, counted over
    ``indices`` (the rows of the figure's metrics)."""
    interval = f"SALib's {CONF_LEVEL:.0%} confidence intervals (bootstrap, {RESAMPLES} resamples)"
    if method == "sobol":
        drawn = (
            "Sobol sensitivity indices from SALib, a panel per metric and a pair of bars per "
            "varied parameter: first order S1 (the share of the metric's variance the "
            "parameter explains alone) and total order ST (its share with its interactions). "
            f"Whiskers: {interval}. Bars and whiskers are drawn within [0, 1], the range of a "
            "share"
        )
    else:
        drawn = (
            "Morris elementary effects from SALib, a panel per metric and a pair of bars per "
            "varied parameter: mu* (the mean absolute elementary effect) and sigma (the SD of "
            "the elementary effects; no interval), in the metric's units: the change in the "
            "metric over the parameter's range (SALib steps each parameter through its range "
            f"scaled to [0, 1]). Whiskers: {interval} of mu*. "
            + (
                "Each panel has its own scale (its metric's units and range): compare bars "
                "within a panel, and read the axes before comparing panels. "
                if indices["metric"].nunique() > 1
                else ""
            )
            + "Bars and whiskers are drawn from 0"
        )
    return f"{drawn}{_cut_text(indices, method)}.{_outside_text(indices, method)}"


def _cut_text(indices: pd.DataFrame, method: str) -> str:
    """The caption's count of whiskers cut at a bound (``""`` when none is)."""
    low, high = cut_counts(indices, method)
    cut = low + high
    if not cut:
        return ""
    at = [f"{n} at {b:g}" for n, b in zip((low, high), BOUNDS[method], strict=True) if n]
    # A hair past the bound is not marked (CUT_SHARE); the count says so (an audit counted
    # a whisker running to -0.0011 on an axis of 1.3 as cut, decision 811).
    by = f" by more than {CUT_SHARE:.0%} of its panel's axis"
    where = (
        f" ({', '.join(at)}) whose interval runs past the bound{by}"
        if method == "sobol"
        else f" whose interval runs below 0{by}"
    )
    return (
        f"; {cut} whisker{'s' if cut != 1 else ''}{where} "
        f"{'are' if cut != 1 else 'is'} cut there and end{'' if cut != 1 else 's'} in an "
        "arrowhead pointing past it"
    )


def _outside_text(indices: pd.DataFrame, method: str) -> str:
    """The caption's count of estimates outside the bounds (``""`` when none is)."""
    outside = outside_count(indices, method)
    if not outside:
        return ""
    where = "outside [0, 1]" if method == "sobol" else "below 0"
    return (
        f" {outside} estimate{'s' if outside != 1 else ''} fell {where} "
        "(sampling error: too few samples) and "
        f"{'are' if outside != 1 else 'is'} drawn at the bound, marked x."
    )


def sensitivity_figures(
    indices: pd.DataFrame,
    method: str,
    metrics: Sequence[str] | None = None,
    phrases: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    caption_in: float = 0.0,
) -> list[Figure]:
    """One figure per ``PER_FIGURE`` metrics, a panel per metric (3 a row); at a page's
    width, as many a figure as fit PAGE_HEIGHT_IN (:func:`figure_metrics`).

    Args:
        indices: the sensitivity table of ``method``.
        method: ``sobol`` or ``morris``.
        metrics: metrics to draw (default: all, in table order).
        phrases: groups in words (:func:`~sim.plots.figure.group_phrases`), as the
            other figures name them.
        titles: a panel's title by metric, where the metric's words are not it (the
            question's paired difference).
        caption_in: at a page's width, the height in inches of the caption the chart is
            to have under its legend (:func:`~sim.plots.figure.caption_in`), which the
            page's height keeps room for.
    """
    set_theme()
    blocks = scenario_blocks(indices)
    # Rows of bars a panel holds: a parameter's in each scenario, and a scenario's header.
    n_rows = indices["parameter"].nunique() * max(1, len(blocks)) + len(blocks)
    figures = []
    chunks = figure_metrics(
        indices, method, metrics, phrases=phrases, titles=titles, caption_in=caption_in
    )
    layout = (
        page_layout(indices, method, [m for c in chunks for m in c], phrases, titles, caption_in)
        if page_width() is not None
        else None
    )
    # At a page's width: room at each panel's left for its parameters' names (about 0.6
    # of 8.8 pt a character), which sit between the panels of a row.
    names = max(
        (
            len(line)
            for p in indices["parameter"].unique()
            for line in textwrap.wrap(
                parameter_label(str(p)), label_chars(), break_long_words=False
            )
        ),
        default=8,
    )
    label_in = names * 0.6 * 8.8 / 72.0 + 0.25
    for chunk in chunks:
        page_in, page_rows = (2.2, label_in, label_in + 0.15), None
        if layout is not None:
            # Measured (page_layout): the gaps in inches, the rows as the chunk has them.
            n_cols = page_columns(len(chunk), 3, PAGE_BARS_LEAST_IN, layout.left_in, layout.gap_in)
            rows = [chunk[start : start + n_cols] for start in range(0, len(chunk), n_cols)]
            page_in = (PAGE_BARS_LEAST_IN, layout.left_in, layout.gap_in)
            page_rows = layout.rows_in(rows)
        fig, axes = panel_grid(
            len(chunk),
            (4.8, 0.9 + (0.3 if blocks else 0.45) * n_rows),
            (1.5, 0.4),
            hspace=0.6,
            wspace=0.75,
            page_in=page_in,
            page_rows=page_rows,
        )
        room = _title_room(fig, list(axes.flat)) if page_width() is not None else 0.0
        for ax, metric in zip(axes.flat, chunk, strict=False):
            indices_panel(indices[indices["metric"] == metric], method, ax=ax)
            # Wrapped: a long title ran into its neighbour's in the row.
            words = (titles or {}).get(metric) or metric_label(metric, phrases)[0]
            title = "\n".join(textwrap.wrap(words, TITLE_CHARS, break_long_words=False))
            if page_width() is not None:  # wrapped to the panel
                title = wrap_to(words, room, 9)
                # The axis label under a narrow panel wrapped to it: running past the
                # figure's right it made a 3 in page's chart 3.45 in wide. To the panel's
                # own width, in balanced lines (decision 962).
                wide = ax.get_position().width * fig.get_figwidth()
                ax.set_xlabel(page_axis_label(PAGE_AXIS_LABEL[method], wide, 9.7))
                if zero_marks(indices, method):
                    room_for_zero_marks(ax)
            ax.set_title(title, loc="left", fontsize=9)
        # The bars' entries, and the mark of an estimate outside the bounds when a panel
        # of this figure has one (a legend of the last panel alone would miss it).
        entries: dict[str, Artist] = {}
        for ax in axes.flat:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                entries.setdefault(label, handle)
        handles = sorted(entries.values(), key=lambda h: _mark_order(str(h.get_label())))
        if layout is not None:
            # Under the last row's labels as page_layout measured them (the Morris axis
            # label of several lines ran into a legend put under its first).
            below = layout.under_in + LEGEND_DROP_IN
            legend_below(fig, handles, legend_title(method), below_in=below)
        else:
            outside_legend(axes[0, -1], legend_title(method), handles=handles)
        figures.append(fig)
    return figures


def _title_room(fig: Figure, axes: Sequence[Axes]) -> float:
    """The inches every panel title of a page-width chart wraps to: the least of the
    panels' rooms, from a panel's left to the next panel's (or the figure's right, for
    the last of a row). Each panel's own room wrapped a row's right title to 4-5 lines
    against the left's 2, leaving an inch of white over the left panel (an outside check,
    decision 962); a title over a 0.6 in panel broke after every word."""
    width = fig.get_figwidth()
    rooms = []
    for ax in axes:
        x0 = ax.get_position().x0
        ends = [a.get_position().x0 for a in axes if a.get_position().x0 > x0 + 1e-6]
        rooms.append((min(ends, default=1.0) - x0) * width - 0.15)
    return min(rooms, default=width)
