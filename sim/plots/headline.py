"""The headline: the answer to an experiment's ``question:``, drawn first in the report.

The answer is the paired difference (:mod:`sim.analysis.paired`) of the
question's metric: ``difference: [a, b]`` reads "a minus b", each run of
``a`` minus the run of ``b`` at the same design point and replicate. Over two varied parameters
it is a map of the mean difference per design point on a diverging scale
centred at zero (blue below, red above, the same scale in every panel), the
zero contour drawn where the differences change sign, a dot in every
cell whose 95% interval contains zero and a cell with no pair hatched grey;
a third varied parameter gives small multiples, any further one is held at
the scenario's value. Over one parameter it is a line with the interval as
a band; with none, one point with its interval. A sampled design's values
are binned as the sweep figures bin them (:func:`~sim.plots.sweeps.drawn_levels`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import IdentityTransform

from sim.analysis.paired import (
    DesignValue,
    metric_values,
    paired_differences,
    point_intervals,
    reference_values,
    runs_at,
    value_order,
    value_text,
)
from sim.catalogue import parse_metric
from sim.errors import alike, count_text
from sim.plots.figure import (
    DIVERGING_CMAP,
    NO_RUN_WORDS,
    PAGE_HEIGHT_IN,
    group_phrases,
    metric_in_sentence,
    metric_label,
    own_values_differ,
    page_columns,
    page_room,
    page_width,
    parameter_label,
    set_theme,
    text_pt,
    text_size_in,
    value_mesh,
    where_shown,
    wrap_to,
)
from sim.plots.sweeps import (
    MAP_BINS,
    MAP_LEAST_HIGH_IN,
    MAP_LEAST_IN,
    MAX_LEVELS,
    axis_positions,
    binning_note,
    cell_text,
    drawn_levels,
    map_levels,
    value_ticks,
)
from sim.results import GRID, POSTERIOR, RUN, Results

CMAP = DIVERGING_CMAP
MAX_PANELS = 6
ANNOTATE_CELLS = 64
# A cell's number is drawn above the zero contour (and the cell's dot and the reference
# box) with a thin rim in the cell's own colour, and the contour stops short of it: a box in
# the cell's colour, CELL_TEXT_GAP_PT round the number's text, is drawn above the contour
# and below the dot, the reference box and the number (CellBackdrops), as a contour's own
# labels break it. The rim alone stopped the line at each digit's edge, and it went on
# between the digits ("-0.00259" read "-0:00259" with the line through it; an outside
# check, decision 1036); before the rim "-0.000180" read "-0.00180" with a 0 under the line.
# Where nothing crosses, neither shows. The digits are drawn again above every rim
# (CellGlyphs), so a rim never covers a neighbour's digit where two numbers touch.
CONTOUR_ZORDER = 2.0
CELL_BACKDROP_ZORDER = 2.5
CELL_MARK_ZORDER = 3.0
CELL_TEXT_ZORDER = 5.0
CELL_TEXT_RIM_PT = 2.0
CELL_TEXT_GAP_PT = 1.0
# The cells' numbers take the first of these styles that fits every cell of the figure's
# maps, one style for all (CellNumbers): CELL_DIGITS[0] significant digits at
# CELL_TEXT_PT, then CELL_DIGITS[1] at CELL_TEXT_PT down to CELL_TEXT_LEAST_PT by
# CELL_TEXT_STEP_PT (at a page's width no size is under MIN_TEXT_PT, text_pt); where
# none fits, no numbers, and the caption says so (numbers_note). On an 8 x 8 map the
# numbers ran into each other ("+0.00589-0.00389" read as one string).
CELL_TEXT_PT = 6.5
CELL_TEXT_LEAST_PT = 5.0
CELL_TEXT_STEP_PT = 0.25
CELL_DIGITS = (3, 2)
# Room a number keeps from its cell's edges, points: its rim (half CELL_TEXT_RIM_PT)
# and as much again, so that two neighbours' rims never meet; its backdrop
# (CELL_TEXT_GAP_PT) stays inside its cell too.
CELL_TEXT_PAD_PT = 1.5
# Where a cell's number and its dot (an interval containing zero) sit, in cells above its
# centre, and the dot's size in points: the number keeps clear of the dot too.
CELL_TEXT_RAISE = 0.18
DOT_DROP = 0.15
DOT_PT = 2.5


class _CellLayer(Artist):
    """A layer drawn over a map's cell numbers at ``zorder``: :meth:`draw_cell` for each
    number shown (one left out for want of room in its cell, :class:`CellNumbers`, is
    skipped)."""

    def __init__(self, labels: list[Text], zorder: float) -> None:
        super().__init__()
        self.labels = labels
        self.set_zorder(zorder)
        self.set_in_layout(False)

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        figure = self.get_figure()
        if figure is None:
            return
        self.prepare(renderer)
        for index, label in enumerate(self.labels):
            if label.get_visible():
                self.draw_cell(renderer, figure, index, label)
        self.stale = False

    def prepare(self, renderer: Any) -> None:
        """Before the cells are drawn (nothing by default)."""

    def draw_cell(self, renderer: Any, figure: Any, index: int, label: Text) -> None:
        raise NotImplementedError


class CellGlyphs(_CellLayer):
    """The cell numbers' digits drawn again, plainly, just above the numbers: each number
    draws its rim then its digits, so a number drawn later would cover the last digit of
    a neighbour it touches with its rim; this layer puts every digit above every rim."""

    def __init__(self, labels: list[Text]) -> None:
        super().__init__(labels, CELL_TEXT_ZORDER + 0.1)

    def draw_cell(self, renderer: Any, figure: Any, index: int, label: Text) -> None:
        plain = Text(
            *label.get_position(),
            label.get_text(),
            transform=label.get_transform(),
            color=label.get_color(),
            fontproperties=label.get_fontproperties(),
            ha=label.get_horizontalalignment(),
            va=label.get_verticalalignment(),
            # Drawn as paths, as the rimmed number is (Agg's own text differs by a
            # pixel and would double the digits).
            path_effects=[patheffects.Normal()],
        )
        plain.set_figure(figure)
        plain.draw(renderer)


class CellBackdrops(_CellLayer):
    """A box in its cell's colour behind each of a map's cell numbers, CELL_TEXT_GAP_PT
    round its text: drawn above the zero contour and below the cell's dot, the reference
    box and the number, it breaks the contour where the line would run through the
    number. Sized as the numbers are drawn (it fits them first, :class:`CellNumbers`)."""

    def __init__(self, numbers: CellNumbers, labels: list[Text], faces: list[Any]) -> None:
        super().__init__(labels, CELL_BACKDROP_ZORDER)
        self.numbers = numbers
        self.faces = faces

    def prepare(self, renderer: Any) -> None:
        self.numbers.fit(renderer)

    def draw_cell(self, renderer: Any, figure: Any, index: int, label: Text) -> None:
        box = label.get_window_extent(renderer).padded(renderer.points_to_pixels(CELL_TEXT_GAP_PT))
        patch = Rectangle(
            (box.x0, box.y0),
            box.width,
            box.height,
            transform=IdentityTransform(),
            facecolor=self.faces[index],
            edgecolor="none",
            lw=0.0,
        )
        patch.set_figure(figure)
        patch.draw(renderer)


def number_styles() -> list[tuple[int, float]]:
    """The styles (significant digits, points) the cells' numbers may take, in order of
    preference: fewer digits before a smaller size (at a page's width, never a size
    under MIN_TEXT_PT)."""
    top, least = text_pt(CELL_TEXT_PT), text_pt(CELL_TEXT_LEAST_PT)
    steps = max(0, round((top - least) / CELL_TEXT_STEP_PT))
    sizes = [top - i * CELL_TEXT_STEP_PT for i in range(steps + 1)]
    return [(CELL_DIGITS[0], top)] + [(CELL_DIGITS[1], size) for size in sizes]


@dataclass
class CellNumber:
    """A cell's number as drawn: its text, the cell's column and row, its mean and
    whether the cell has a dot under the number."""

    label: Text
    cx: int
    cy: int
    mean: float
    dotted: bool = False


@dataclass
class CellNumbers:
    """The cells' numbers of a figure's maps, fitted to their cells when the figure is
    drawn (:class:`FitNumbers`): the first of ``styles`` in which every number lies
    inside its own cell, CELL_TEXT_PAD_PT from its edges, for every cell of every map;
    none, every number hidden. Measured as drawn, since the maps' size is known only
    once the layout has placed them (and a page's width narrows them further).

    Attributes:
        styles: :func:`number_styles` of the figure (fixed when it is made).
        numbers: the cells' numbers.
        left_out: why the maps carry no numbers at all, "" where they do.
        style: after a draw, the style drawn; ``None`` when none fits.
        drawn: whether the figure has been drawn (``style`` is known).
    """

    styles: list[tuple[int, float]]
    numbers: list[CellNumber]
    left_out: str = ""
    style: tuple[int, float] | None = None
    drawn: bool = False
    _key: tuple[Any, ...] | None = None

    def fit(self, renderer: Any) -> None:
        """Choose the style for the maps as they are placed now (once per placement)."""
        if not self.numbers:
            self.drawn = True
            return
        figure = self.numbers[0].label.get_figure(root=True)
        assert figure is not None
        # Placed as before (a figure is drawn twice to be saved): the style stands.
        maps = {id(n.label.axes): n.label.axes for n in self.numbers if n.label.axes}
        key = (
            float(figure.dpi),
            tuple((ax.bbox.bounds, ax.viewLim.bounds) for ax in maps.values()),
        )
        if key == self._key:
            return
        self._key = key
        pad = renderer.points_to_pixels(CELL_TEXT_PAD_PT)
        self.style = None
        for digits, points in self.styles:
            for number in self.numbers:
                number.label.set_text(cell_text(number.mean, signed=True, digits=digits))
                number.label.set_fontsize(points)
            if all(_inside(number, renderer, pad) for number in self.numbers):
                self.style = (digits, points)
                break
        for number in self.numbers:
            number.label.set_visible(self.style is not None)
        self.drawn = True


def _inside(number: CellNumber, renderer: Any, pad: float) -> bool:
    """Whether ``number``'s text lies inside its cell, ``pad`` pixels from its edges and
    above its dot, if it has one."""
    ax = number.label.axes
    assert ax is not None
    corners = ax.transData.transform(
        [(number.cx - 0.5, number.cy - 0.5), (number.cx + 0.5, number.cy + 0.5)]
    )
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    if number.dotted:
        dot = ax.transData.transform((number.cx, number.cy - DOT_DROP))[1]
        y0 = max(y0, dot + renderer.points_to_pixels(DOT_PT / 2))
    box = number.label.get_window_extent(renderer)
    return bool(
        box.x0 >= x0 + pad and box.x1 <= x1 - pad and box.y0 >= y0 + pad and box.y1 <= y1 - pad
    )


class FitNumbers(Artist):
    """Draws nothing: fits a figure's cell numbers (:class:`CellNumbers`) when the map it
    is in is drawn, below the numbers, so that they are drawn as fitted."""

    def __init__(self, numbers: CellNumbers) -> None:
        super().__init__()
        self.numbers = numbers
        self.set_zorder(CELL_TEXT_ZORDER - 0.5)
        self.set_in_layout(False)

    def draw(self, renderer: Any) -> None:
        self.numbers.fit(renderer)
        self.stale = False


def cell_numbers(figure: Figure) -> CellNumbers | None:
    """The figure's cell numbers, ``None`` for a headline that draws no map."""
    for ax in figure.axes:
        for artist in ax.artists:
            if isinstance(artist, FitNumbers):
                return artist.numbers
    return None


def numbers_note(figure: Figure) -> str:
    """The caption's sentence on the cells' numbers, read off the drawn figure: none
    where they did not fit (the colour, and the answer at the boxed cell, say the
    means), the digits where fewer than CELL_DIGITS[0]; "" where written in full."""
    numbers = cell_numbers(figure)
    if numbers is None:
        return ""
    if not numbers.drawn:
        figure.draw_without_rendering()
    if numbers.left_out or numbers.style is None:
        why = numbers.left_out or "at this size they do not fit in their cells"
        return (
            f"The cells' means are not written in them: {why}; each cell's colour gives its "
            "mean against the scale, and the answer gives the mean at the scenario's values."
        )
    digits = numbers.style[0]
    if digits < CELL_DIGITS[0]:
        return (
            f"Numbers: each cell's mean to {digits} significant digits ({CELL_DIGITS[0]} do "
            "not fit in the cells)."
        )
    return ""


@dataclass
class Headline:
    """The answer to a question, ready to draw and to write.

    Attributes:
        text: the question in words (may be empty).
        a, b: the scenarios; the difference is ``a - b``.
        metric, date: what is differenced (``date`` for series metrics).
        axes: the varied parameters drawn (x, then y, then panels).
        fixed: parameters held at one value (path -> value).
        cells: per drawn cell, the axes' columns, ``mean``, ``lo``, ``hi``, ``n``.
        reference: the scenario's own design values, or the design point nearest them
            (:func:`~sim.analysis.paired.reference_values`).
        where: ``reference`` in words and why each value
            (:func:`~sim.plots.figure.where_shown`): the scenario's own, or the nearest.
        held_where: ``fixed`` in words and why, likewise.
        whose: ``a`` where ``b`` sets other values of its own of the varied parameters
            (the answer is at ``a``'s), else "the scenario".
        at_reference: ``(mean, lo, hi, n)`` at ``reference``.
        binned: whether sampled values were binned (then cells pool their points).
    """

    text: str
    a: str
    b: str
    metric: str
    date: str | None
    axes: list[str]
    fixed: dict[str, DesignValue]
    cells: pd.DataFrame
    reference: dict[str, DesignValue]
    at_reference: tuple[float, float, float, int]
    binned: bool
    phrases: dict[str, str]
    where: str = ""
    held_where: str = ""
    posterior: Posterior | None = None
    whose: str = "the scenario"

    @property
    def label(self) -> str:
        """``a - b`` in words with the metric."""
        when = f" in {self.date}" if self.date else ""
        return f"{metric_label(self.metric, self.phrases)[0]}{when}, {self.a} minus {self.b}"

    def sentence(self) -> str:
        """The answer in one or two sentences, for the top of the report."""
        if self.posterior is not None:
            return f"{self.label}: {self.posterior.sentence()}"
        mean, lo, hi, n = self.at_reference
        at = f" at {self.where}" if self.reference else ""
        shown = alike(mean, lo, hi)
        # One precision and sign for the three, and the method named: "+0.0496 [95%
        # interval 0.048 to 0.0511]" read as three kinds of number (an audit, decision 648).
        interval = f" [95% t interval {shown[1]} to {shown[2]}]" if np.isfinite(lo) else ""
        text = f"{self.label}{at}: {shown[0]}{interval}, {count_text(n, 'paired replicate')}."
        if interval:
            # A yes-or-no question was answered by a sign to read (an outside check of the
            # README's commands, decision 934): the sign in words.
            metric = metric_in_sentence(self.metric, self.phrases)
            text += (
                f" So {metric} is higher under {self.a} than under {self.b} here."
                if lo > 0
                else f" So {metric} is lower under {self.a} than under {self.b} here."
                if hi < 0
                else f" The interval includes zero: no clear difference between {self.a} "
                f"and {self.b} here."
            )
            # What the interval is of: a new case's researcher read it as the answer's
            # whole uncertainty (a first afternoon, decision 902).
            text += (
                " The interval is the replicates' spread (the model's chance) at these"
                " values, not the uncertainty of the values themselves; a calibration's"
                " posterior gives that (credsim calibrate)."
            )
        if len(self.cells) > 1:
            means = self.cells["mean"]
            # A sampled design's cells pool the points of a bin: "8 cells drawn" of a
            # 20-point design read as 12 points lost (an audit, decision 741).
            pooled = (
                f" ({int(self.cells['n'].sum())} pairs of runs, binned by "
                f"{' and '.join(parameter_label(p) for p in self.axes)})"
                if self.binned and self.axes
                else ""
            )
            text += (
                f" Over the {len(self.cells)} cells drawn{pooled}: from {means.min():+.3g} to "
                f"{means.max():+.3g}; {_signs(self.cells)}."
            )
        return text


def lone_cells(cells: pd.DataFrame) -> pd.Series:
    """The cells of one pair of runs, which have no interval: a posterior design's set
    drawn k times is one pair, not k (its ``runs`` column; decision 941)."""
    return (cells["runs"] if "runs" in cells else cells["n"]) < 2


def _signs(cells: pd.DataFrame) -> str:
    """Where the cells' means lie against zero, for :meth:`Headline.sentence`: by their
    intervals, and by the mean alone in a cell of one pair of runs, which has none.

    With one replicate every interval is NaN, and the answer said "below zero (interval
    excludes zero) in 0, above zero in 0" of nine cells all above zero (a reviewer's
    finding, decision 926).
    """
    lone = lone_cells(cells)
    sure = cells[~lone]
    below, above = int((sure["hi"] < 0).sum()), int((sure["lo"] > 0).sum())
    said = f"below zero (interval excludes zero) in {below}, above zero in {above}"
    if not lone.any():
        return said
    means = cells.loc[lone, "mean"]
    signs = f"mean below zero in {int((means < 0).sum())}, above zero in {int((means > 0).sum())}"
    if lone.all():
        return f"{signs} (one pair of runs a cell: no cell has an interval)"
    have = "has" if len(means) == 1 else "have"
    return (
        f"{said} of the {count_text(len(sure), 'cell')} with an interval; {signs} of the "
        f"{count_text(len(means), 'cell')} of one pair of runs, which {have} no interval"
    )


@dataclass(frozen=True)
class Posterior:
    """A question's answer under a posterior design (validation.md, "Claims under the
    posterior"): over the pairs of runs, each weighted by the draws of its design point's
    parameter set (a set drawn k times is run once and counts k times, decision 70).

    Attributes:
        below, above: the weighted shares of pairs whose difference is below, above zero.
        q05, median, q95: weighted quantiles of the difference.
        draws: the draws (design points) behind the pairs; distinct: their parameter sets.
        pairs: the pairs of runs.
    """

    below: float
    above: float
    q05: float
    median: float
    q95: float
    draws: int
    distinct: int
    pairs: int

    def sentence(self) -> str:
        per = "" if self.pairs == self.distinct else f", {self.pairs} pairs of runs"
        # With replicates the shares are of the pairs, a set's draws shared among its
        # replicates: "of the draws" misnamed them (an outside check; decision 805).
        unit = (
            "the draws"
            if self.pairs == self.distinct
            else "the pairs (each set's draws shared among its replicates)"
        )
        from sim.calibrate.posterior import FEW_EFFECTIVE

        # Draws of a handful of sets (a thin calibration) gave the same sentence as draws
        # of many (an outside check, decision 826).
        few = (
            f" Only {self.distinct} distinct parameter sets: the shares and the interval "
            "are theirs, not the posterior's."
            if self.distinct < FEW_EFFECTIVE
            else ""
        )
        return (
            f"under the posterior ({self.draws} draws of {self.distinct} distinct parameter "
            f"sets{per}): below zero in {self.below:.0%} of {unit}, above zero in "
            f"{self.above:.0%}; median {self.median:+.3g}, 90% interval {self.q05:+.3g} to "
            f"{self.q95:+.3g}.{few}"
        )


def posterior_answer(results: Results, pairs: pd.DataFrame) -> Posterior | None:
    """:class:`Posterior` of a posterior design's paired differences (``point`` and
    ``difference`` columns); None without a pair."""
    from sim.calibrate.posterior import weighted_quantile
    from sim.findings.posterior import design_copies

    pairs = pairs.dropna(subset=["difference"])
    if pairs.empty:
        return None
    copies = design_copies(results.path)
    weights = pairs["point"].map(copies).fillna(1).to_numpy(np.float64)
    # Each pair stands for its set's draws, shared among the set's replicates.
    per_point = pairs.groupby("point")["difference"].transform("size").to_numpy(np.float64)
    weights = weights / per_point
    diff = pairs["difference"].to_numpy(np.float64)
    q05, median, q95 = weighted_quantile(diff, weights, [0.05, 0.5, 0.95])
    points = pairs["point"].unique()
    return Posterior(
        below=float(weights[diff < 0].sum() / weights.sum()),
        above=float(weights[diff > 0].sum() / weights.sum()),
        q05=float(q05),
        median=float(median),
        q95=float(q95),
        draws=int(sum(copies.get(int(pt), 1) for pt in points)),
        distinct=len(points),
        pairs=len(pairs),
    )


# Where a question's two scenarios set different values of their own, what is at ``a``'s.
_BOTH = "the answer takes both scenarios"


def headline_of(results: Results) -> Headline | None:
    """The headline of a sweep whose experiment asks a ``question:`` (else ``None``, and
    ``None`` too while no finished run of one scenario has its pair in the other)."""
    question: dict[str, Any] | None = (results.manifest.get("experiment") or {}).get("question")
    if results.kind == RUN or not question or results.ok_runs.empty:
        return None
    a, b = question["difference"]
    metric, date = question["metric"], question.get("date")
    values = metric_values(results, metric, date)
    runs = results.ok_runs
    # A parameter that takes one value (a posterior variant's fixed values) is no axis: a
    # posterior design of v1 drew a 1 x 1 map over its two fixed parameters (an audit,
    # decision 649).
    varied = [p for p in results.varied if runs[p].nunique(dropna=False) > 1]
    reference = reference_values(results, a)
    binned = results.design_method != GRID
    axes = list(varied[:3]) if not binned else list(varied[:2])
    third = varied[2] if len(varied) > 2 and not binned else None
    if third is not None and runs[third].nunique() > MAX_PANELS:
        axes = axes[:2]
    fixed = {} if binned else {p: reference[p] for p in varied if p not in axes}
    # paired_differences gives second minus first: b first, a second.
    pairs = paired_differences(runs_at(runs, fixed), values, b, a)
    if pairs.empty:
        # No finished run has its pair yet (an incomplete sweep): nothing to answer with.
        return None
    posterior = results.design_method == POSTERIOR
    if posterior:
        # A parameter set drawn k times is run once and counts k times (decision 70), in
        # the map's cells as in the answer: the map showed the distinct sets' plain mean.
        from sim.findings.posterior import by_draws

        # Each row keeps the name of the run it copies: the copies count in the mean,
        # not as replicates in the interval (decision 941).
        pairs = by_draws(pairs.assign(copy_of=np.arange(len(pairs))), results.path)
    if binned:
        # The draws binned as the sweep figures bin them, a map as their heatmaps: the
        # distinct sets binned gave other bins than theirs (decision 926).
        level = map_levels if len(axes) >= 2 else drawn_levels
        pairs = pairs.assign(**{p: level(pairs, p) for p in axes})
    cells = point_intervals(pairs, axes or ["point"], "copy_of" if posterior else None)
    at_reference = _at(paired_differences(runs_at(runs, reference), values, b, a))
    return Headline(
        text=str(question.get("text") or ""),
        a=a,
        b=b,
        metric=metric,
        date=date,
        axes=axes,
        fixed=fixed,
        cells=cells,
        reference=reference,
        # At a's values; where b sets its own, the words say whose they are and b's.
        where=where_shown(results, reference, {}, a, [b], _BOTH),
        held_where=where_shown(results, fixed, {}, a, [b], _BOTH) if fixed else "",
        whose=a if own_values_differ(results, reference, a, [b]) else "the scenario",
        at_reference=at_reference,
        binned=binned,
        phrases=group_phrases(results.scenarios),
        posterior=(
            posterior_answer(results, paired_differences(runs, values, b, a)) if posterior else None
        ),
    )


def no_answer_text(a: str, b: str) -> str:
    """What the report and the sweep's terminal say of a question not answered yet."""
    return (
        f"No answer yet: no finished run of {a} has its pair in {b} (the same design point "
        "and replicate)."
    )


def answer_lines(results: Results) -> list[str]:
    """The question and its answer as the report's headline gives them, for a terminal.

    The same :func:`headline_of` and :meth:`Headline.sentence` as the report: the sweep
    printed where the report was, and the answer only the report had (a first
    afternoon's audit, decision 702). No lines for a folder that asks no question.
    """
    question = (results.manifest.get("experiment") or {}).get("question") or {}
    if results.kind == RUN or not question:
        return []
    headline = headline_of(results)
    text = str(question.get("text") or "").strip()
    lines = [f"question: {text}"] if text else []
    if headline is None:
        return [*lines, "answer: " + no_answer_text(*question["difference"])]
    return [*lines, f"answer: {headline.sentence()}"]


def _span(low: int, high: int) -> str:
    """``6``, or ``2 to 6``."""
    return str(low) if low == high else f"{low} to {high}"


def _at(pairs: pd.DataFrame) -> tuple[float, float, float, int]:
    cell = point_intervals(pairs.assign(one=0), ["one"])
    if cell.empty:
        return float("nan"), float("nan"), float("nan"), 0
    row = cell.iloc[0]
    return float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"])


def _mean_grid(cells: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """The cells' means as a (y, x) table over the values run, in
    :func:`~sim.analysis.paired.value_order`."""
    grid = cells.pivot_table(index=y, columns=x, values="mean", aggfunc="mean")
    return grid.reindex(index=value_order(cells[y]), columns=value_order(cells[x]))


def _draws_contour(z: np.ndarray) -> bool:
    """Whether a map of means ``z`` has a zero contour to draw: a contour is a line
    between cells, drawn through a square of four neighbouring cells that all have a
    mean (a sampled design's map has holes) and means on both sides of zero."""
    if min(z.shape) < 2:
        return False
    quads = np.stack([z[:-1, :-1], z[1:, :-1], z[:-1, 1:], z[1:, 1:]])
    # A hole (NaN) in a square makes both comparisons false: no line through it.
    return bool(((quads.min(axis=0) < 0.0) & (quads.max(axis=0) > 0.0)).any())


def map_panel(
    cells: pd.DataFrame,
    x: str,
    y: str,
    *,
    ax: Axes,
    norm: Normalize,
    reference: dict[str, DesignValue] | None = None,
    numbers: bool = True,
    fitted: CellNumbers | None = None,
) -> None:
    """One map of mean differences over ``x`` and ``y`` (cells at the values run, ticks
    at those values), the zero contour where the means change sign, a dot where the
    interval contains zero and a box round the reference cell; ``numbers``: each cell's
    mean written in it when the map has at most ANNOTATE_CELLS cells, in the style that
    fits every cell of the figure's maps (``fitted``, shared by a figure's maps; by
    default the map's own: :class:`CellNumbers`)."""
    grid = _mean_grid(cells, x, y)
    xs, ys = grid.columns.to_numpy(), grid.index.to_numpy()
    z = grid.to_numpy(np.float64)
    value_mesh(ax, grid, CMAP, norm)
    if _draws_contour(z):
        ax.contour(
            np.arange(len(xs)),
            np.arange(len(ys)),
            z,
            levels=[0.0],
            colors="black",
            linewidths=1.6,
            zorder=CONTOUR_ZORDER,
        )
    position = {v: i for i, v in enumerate(xs)}, {v: i for i, v in enumerate(ys)}
    annotate = numbers and z.size <= ANNOTATE_CELLS
    fitted = fitted if fitted is not None else CellNumbers(number_styles(), [])
    if z.size > ANNOTATE_CELLS:
        fitted.left_out = f"the map has more than {ANNOTATE_CELLS} cells"
    digits, points = fitted.styles[0]
    labels: list[Text] = []
    faces: list[Any] = []
    for _, row in cells.iterrows():
        cx, cy = position[0][row[x]], position[1][row[y]]
        dotted = not (row["lo"] > 0 or row["hi"] < 0)
        if annotate:
            shade = abs(norm(row["mean"]) - 0.5) > 0.3
            # White on a dark cell, near-black on a light one; the rim is the cell's own
            # colour (as the mesh draws it), so it contrasts with the text as the cell does.
            ink = "white" if shade else "0.1"
            fill = z[cy, cx]
            rim = plt.get_cmap(CMAP)(norm(fill)) if np.isfinite(fill) else "white"
            label = ax.text(
                cx,
                cy + CELL_TEXT_RAISE,
                cell_text(row["mean"], signed=True, digits=digits),
                ha="center",
                va="center",
                fontsize=points,
                color=ink,
                zorder=CELL_TEXT_ZORDER,
                path_effects=[patheffects.withStroke(linewidth=CELL_TEXT_RIM_PT, foreground=rim)],
                gid="cell-mean",
            )
            # Inside its cell once fitted: no part of the layout's margins.
            label.set_in_layout(False)
            labels.append(label)
            faces.append(rim)
            fitted.numbers.append(CellNumber(label, cx, cy, float(row["mean"]), dotted))
        if dotted:
            # A white ring keeps the dot seen on the darkest cells (decision 1009).
            ax.plot([cx], [cy - DOT_DROP], marker="o", ms=DOT_PT, color="0.2", mec="white",
                    mew=0.8, gid="includes-zero", zorder=CELL_MARK_ZORDER)  # fmt: skip
    ax.add_artist(FitNumbers(fitted))
    if labels:
        ax.add_artist(CellBackdrops(fitted, labels, faces))
        ax.add_artist(CellGlyphs(labels))
    if reference is not None and x in reference and y in reference:
        rx, ry = position[0].get(reference[x]), position[1].get(reference[y])
        if rx is not None and ry is not None:
            ax.add_patch(
                plt.Rectangle(
                    (rx - 0.5, ry - 0.5),
                    1,
                    1,
                    fill=False,
                    lw=1.8,
                    ec="black",
                    gid="reference",
                    zorder=CELL_MARK_ZORDER,
                    # Whole at the map's edge, where the axes cut half its line (decision 1009).
                    clip_on=False,
                )
            )
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))


def _limit(cells: pd.DataFrame) -> float:
    largest = float(np.nanmax(np.abs(cells["mean"].to_numpy(np.float64)))) if len(cells) else 0.0
    return largest if largest > 0 else 1e-12


def headline_figure(headline: Headline) -> Figure:
    """The headline drawn: a map (two or three varied parameters), a line with a band
    (one), or one point with its interval (none)."""
    set_theme()
    cells, axes = headline.cells, headline.axes
    parsed = parse_metric(headline.metric)
    what = parsed.metric.axis if parsed is not None else metric_label(headline.metric)[1]
    diff_label = f"{headline.a} minus {headline.b}\n(difference in {what.lower()})"
    title = textwrap.fill(headline.label, 90, break_long_words=False)
    if len(axes) >= 2:
        panels = [None] if len(axes) == 2 else value_order(cells[axes[2]])
        n = len(panels)
        n_rows, n_cols, map_in, numbers = 1, n, 3.6, True
        size = (3.6 * n + 1.4, 3.9)
        if page_width() is not None:
            n_rows, n_cols, map_in, numbers = _page_maps(cells, axes[0], axes[1], n)
            high = _page_map_high(map_in, n_rows)
            size = (page_room(), n_rows * (max(high, MAP_LEAST_HIGH_IN) + 0.95) + 1.3)
        fig, grid = plt.subplots(
            n_rows, n_cols, figsize=size, squeeze=False, sharey=True, layout="constrained"
        )
        for ax in grid.flat[n:]:
            ax.set_axis_off()
        limit = _limit(cells)
        norm = Normalize(-limit, limit)
        # One style of number for every map (CellNumbers); none where a page's width
        # leaves a row of them no room (_page_maps).
        fitted = CellNumbers(number_styles(), [])
        if not numbers:
            fitted.left_out = "at this page's width a row of them has no room"
        for i, (ax, value) in enumerate(zip(grid.flat, panels, strict=False)):
            part = cells if value is None else cells[cells[axes[2]] == value]
            # The box goes round one cell: in the panel of the reference's third value only.
            boxed = value is None or value == headline.reference.get(axes[2])
            reference = headline.reference if boxed else None
            map_panel(
                part,
                axes[0],
                axes[1],
                ax=ax,
                norm=norm,
                reference=reference,
                numbers=numbers,
                fitted=fitted,
            )
            if value is not None:
                panel = f"{parameter_label(axes[2])} = {value_text(value, 3)}"
                if page_width() is not None:  # titles ran into each other (decision 961)
                    panel = wrap_to(panel, map_in - 0.1, 9)
                ax.set_title(panel, loc="left", fontsize=9)
            if i % n_cols:
                ax.set_ylabel("")
            if page_width() is not None:
                ax.set_xlabel(wrap_to(ax.get_xlabel(), map_in - 0.1, 9.7))
        mappable = plt.cm.ScalarMappable(norm=norm, cmap=CMAP)
        if page_width() is None:
            bar = fig.colorbar(mappable, ax=list(grid.flat[:n]), shrink=0.9, pad=0.02)
            bar.ax.axhline(0.0, color="black", lw=1.2)
        else:  # under the maps, leaving the page's width to them (decision 961)
            bar = fig.colorbar(
                mappable,
                ax=list(grid.flat),
                location="bottom",
                shrink=min(1.0, 4.0 / size[0]),
                aspect=30,
                pad=0.02,
            )
            bar.ax.axvline(0.0, color="black", lw=1.2)
            # At most five numbers along the bar: nine at 6.5 in read "-0.100-0.075-0.050"
            # (an outside check of the figures, decision 1008).
            low, high = float(norm.vmin or 0.0), float(norm.vmax or 0.0)
            ticks = MaxNLocator(nbins=4).tick_values(low, high)
            bar.set_ticks([t for t in ticks if low - 1e-12 <= t <= high + 1e-12])
        bar.set_label(
            diff_label
            if page_width() is None
            else wrap_to(diff_label.replace("\n", " "), page_room() - 0.2, 8),
            fontsize=8,
        )
        fig.suptitle(title, x=0.0, ha="left", fontsize=10)
        return fig
    wide = 6.4 if page_width() is None else min(6.4, page_room())
    fig, ax = plt.subplots(figsize=(wide, 3.8), layout="constrained")
    if len(axes) == 1:
        x = axes[0]
        ordered = cells.set_index(x).loc[value_order(cells[x])].reset_index()
        xs = axis_positions(ordered[x]).to_numpy(np.float64)
        ax.fill_between(xs, ordered["lo"], ordered["hi"], color="#0072B2", alpha=0.2, lw=0)
        ax.plot(xs, ordered["mean"], color="#0072B2", marker="o", ms=4, lw=1.8)
        value_ticks(ax, ordered[x])
        if _marks_reference(headline):  # a binned design's reference need not be drawn
            where = xs[list(ordered[x]).index(headline.reference[x])]
            ax.axvline(where, color="0.4", lw=0.9, ls="--", gid="reference")
        ax.set_xlabel(parameter_label(x))
    else:
        mean, lo, hi, _ = headline.at_reference
        err = None if not np.isfinite(lo) else [[mean - lo], [hi - mean]]
        ax.errorbar([0], [mean], yerr=err, fmt="o", color="#0072B2", capsize=4)
        ax.set_xticks([0], [f"{headline.a} - {headline.b}"])
        ax.set_xlim(-1, 1)
    ax.axhline(0.0, color="black", lw=1.0, gid="zero")
    ax.set_ylabel(diff_label)
    ax.set_title(title, loc="left", fontsize=10)
    return fig


# At a page's width: the room beside a row of maps (the y label and values; the colour
# bar goes under the maps) and between two maps, inches.
PAGE_MAPS_FIXED_IN = 1.0
PAGE_MAPS_GAP_IN = 0.3


def _page_maps(cells: pd.DataFrame, x: str, y: str, n: int) -> tuple[int, int, float, bool]:
    """How a page-width headline lays out its ``n`` maps: rows, columns, a map's width
    (inches) and whether its cells carry their numbers. A map is at least wide enough
    for a row of its cells' numbers, side by side, in their first style
    (:func:`number_styles`), else in their last (fewer digits; drawn, the figure takes
    the first style that fits, :class:`CellNumbers`), and its cells high enough for a
    number above the dot; where even one map a row cannot be, the numbers are left out
    (the colour says the value, the caption that they are left out) and a map is at
    least ``MAP_LEAST_IN``. Three maps in one row at 6.5 in
    overprinted their numbers, titles and axis labels (an outside check, decision 961)."""
    room = page_room()
    means = [float(m) for m in cells["mean"] if np.isfinite(m)]
    each = cells[x].nunique() * cells[y].nunique()
    dots = bool((~((cells["lo"] > 0) | (cells["hi"] < 0))).any())
    styles = number_styles()
    for digits, points in (styles[0], styles[-1]) if each <= ANNOTATE_CELLS else ():
        shown = [cell_text(m, signed=True, digits=digits) for m in means]
        widest = max((text_size_in(t, points)[0] for t in shown), default=0.3) + 0.08
        numbered = max(MAP_LEAST_IN, widest * cells[x].nunique())
        if numbered > room - PAGE_MAPS_FIXED_IN:
            continue
        n_rows, n_cols, map_in = _page_grid(n, numbered)
        # High enough too: the number above the middle of its cell, clear of the dot.
        half = text_size_in("0", points)[1] * 72.0 / 2 + CELL_TEXT_PAD_PT
        need = max(
            half / (0.5 - CELL_TEXT_RAISE),
            (half + DOT_PT / 2) / (CELL_TEXT_RAISE + DOT_DROP) if dots else 0.0,
        )
        if _page_map_high(map_in, n_rows) * 72.0 / cells[y].nunique() >= need:
            return n_rows, n_cols, map_in, True
    return (*_page_grid(n, MAP_LEAST_IN), False)


def _page_grid(n: int, least: float) -> tuple[int, int, float]:
    """Rows, columns and a map's width (inches) of ``n`` maps at least ``least`` wide."""
    n_cols = page_columns(n, n, least, PAGE_MAPS_FIXED_IN, PAGE_MAPS_GAP_IN)
    map_in = (page_room() - PAGE_MAPS_FIXED_IN - PAGE_MAPS_GAP_IN * (n_cols - 1)) / n_cols
    return -(-n // n_cols), n_cols, map_in


def _page_map_high(map_in: float, n_rows: int) -> float:
    """A page-width map's height, inches: lower where its rows would pass a page's height
    (PAGE_HEIGHT_IN)."""
    return min(map_in * 0.85, 2.9, (PAGE_HEIGHT_IN - 1.6) / n_rows - 0.95)


def _marks_reference(headline: Headline) -> bool:
    """Whether the figure marks the reference (the map's box, the line's dashed line):
    its values on the drawn axes are values drawn (a binned design's need not be)."""
    return bool(headline.axes) and all(
        headline.reference.get(p) in set(headline.cells[p]) for p in headline.axes
    )


def _band_words(cells: pd.DataFrame) -> str:
    """The line figure's band as its caption says it: the band is drawn between each
    point's interval, and a point of one pair of runs has none. With one replicate the
    caption said "band: 95% t interval of the mean" of a figure with no band, beside an
    answer that said "no cell has an interval" (an outside check)."""
    banded = np.isfinite(cells["lo"]) & np.isfinite(cells["hi"])
    if bool(banded.all()):
        return "band: 95% t interval of the mean"
    lone = lone_cells(cells)
    if not bool(banded.any()):
        return (
            "no band: one pair of runs a point, so no point has an interval"
            if bool(lone.all())
            else "no band: no point has an interval"
        )
    return "band: 95% t interval of the mean" + (
        " (none at a point of one pair of runs, which has no interval)"
        if bool((banded | lone).all())
        else ", where a point has one"
    )


def headline_caption(headline: Headline, at: Mapping[str, DesignValue] | None = None) -> str:
    """How the headline figure was computed, for its caption.

    Args:
        headline: the headline.
        at: the ``--at`` values of the other figures: the headline answers at the
            scenario's values whatever they are, and says so when they are given.
    """
    n = int(headline.cells["n"].max()) if len(headline.cells) else 0
    drawn = "cells" if len(headline.axes) >= 2 else "points"
    counts = headline.cells["n"] if len(headline.cells) else pd.Series([0])
    # A binned design's cell pools the design points in its bins: "mean of the 6 paired
    # differences per design point" of cells of 2 to 6 from 1 to 3 points (an audit of the
    # figures, decision 652).
    per = (
        f"mean of the paired differences in each {drawn[:-1]} (from every design point in "
        f"its bins: {_span(int(counts.min()), int(counts.max()))} differences)"
        if headline.binned
        else f"mean of the {count_text(n, 'paired difference')} per design point"
    )
    parts = [
        f"{headline.label}: each run of {headline.a} minus the run of {headline.b} with the "
        f"same design point and replicate (same seed); {drawn}: {per}"
        + (
            ", each parameter set counted as often as the posterior drew it"
            if headline.posterior is not None
            else ""
        ),
    ]
    if len(headline.axes) >= 2:
        # Only what the figure draws: one panel, no contour drawn, no interval across zero
        # leave the panels, the contour and the dots out (a reader looked for them).
        cells, axes = headline.cells, headline.axes
        panels = [cells] if len(axes) == 2 else [p for _, p in cells.groupby(axes[2])]
        # The map's own rule (map_panel): a dot unless the interval is clear of zero, so
        # a cell of one pair, whose interval is NaN, has one.
        dotted = ~((cells["lo"] > 0) | (cells["hi"] < 0))
        unsure = bool(dotted.any())
        lone = bool((dotted & lone_cells(cells)).any())  # one pair: no interval, a dot
        # The map hatches a cell with no pair (value_mesh); white was its scale's zero.
        grids = [_mean_grid(p, axes[0], axes[1]).to_numpy(np.float64) for p in panels]
        empty = any(np.isnan(grid).any() for grid in grids)
        # The map's own rule for each panel (a one-row map has no line to draw).
        straddle = any(_draws_contour(grid) for grid in grids)
        marks = [
            "colour: diverging scale centred at zero"
            + (", shared by the panels" if len(headline.axes) >= 3 else ""),
            # A line between cell centres (it crossed a positive cell's label on a 2 x 2
            # map with nothing to say why; an audit, decision 621).
            *(
                [
                    "black line: zero contour, interpolated linearly between the cell "
                    "centres (the values run), so it may cross a cell of one sign"
                ]
                if straddle
                else []
            ),
            "dots: cells whose 95% t interval contains zero"
            + (
                (
                    " or that hold one pair (no interval"
                    + (
                        "; a set drawn often is still one pair: its copies count in the "
                        "mean, not as replicates"
                        if headline.posterior is not None
                        else ""
                    )
                    + ")"
                )
                if lone
                else ""
            )
            if unsure
            else "no cell's 95% t interval contains zero",
            *([f"box: the cell at {headline.where}"] if _marks_reference(headline) else []),
            *([NO_RUN_WORDS] if empty else []),
        ]
        parts.append("; ".join(marks))
    elif len(headline.axes) == 1:
        parts.append(
            _band_words(headline.cells)
            + (f"; dashed line: {headline.where}" if _marks_reference(headline) else "")
        )
    if headline.fixed:
        parts.append(f"held at {headline.held_where}")
    if at and headline.reference:
        parts.append(
            "--at moves the other figures, not the headline (it answers at "
            f"{headline.whose}'s values)"
        )
    if headline.binned:
        # The heatmaps' words for their bins and labels (decision 926).
        bins = MAP_BINS if len(headline.axes) >= 2 else MAX_LEVELS
        parts.append(
            f"sampled values binned ({binning_note(bins)}); {drawn} pool the points of a bin"
        )
    return "; ".join(parts) + "."
