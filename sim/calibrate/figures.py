"""A calibration's figures and report page (figures take tables, never run a model).

- ``marginals``: each free parameter's weighted posterior histogram per variant,
  the prior range as the x-axis;
- ``pairs``: weighted scatter of every pair of free parameters (final generation) on
  the priors' box, a narrow one's pairs with an inset over the particles' range;
- ``predictive``: per pattern, the posterior predictive 90% band and median
  against the observed value with its tolerance, calibration patterns and
  held-out patterns in separate panels.

At a single column's width (``--width 3.3``) the marginals are two a row, the pairs a
corner (:func:`_corner`) and the predictive panels stacked (:func:`_stacked`); a
``--truth`` at a prior's end has its axis run past that end (:func:`_limits`; decision
1037). At any page's width the pairs are a corner where their grid would be taller than
a page, and the marginals are two a row down to ``--width 3`` (decision 1044).
"""

from __future__ import annotations

import contextlib
import functools
import html
import itertools
import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from sim.analysis.paired import distinct_texts
from sim.calibrate import posterior
from sim.calibrate.spec import Calibration
from sim.columns import distinct
from sim.errors import count_text, in_words
from sim.fileio import atomic_write_bytes, atomic_write_text
from sim.plots.figure import (
    DPI,
    PAGE_HEIGHT_IN,
    PAGE_LEFT_IN,
    add_caption,
    at_dpi,
    at_page_width,
    balanced_wrap,
    crowded,
    legend_below,
    lines_in,
    page_columns,
    page_room,
    page_width,
    parameter_label,
    set_theme,
    spread_ticks,
    text_size_in,
    tight_height_in,
    wrap_to,
)
from sim.plots.gallery import Entry
from sim.plots.report import PAGE_STYLE, data_uri, past_the_page
from sim.plots.report import drawn as drawn_figures

FIGURES = "figures"
# Variants told apart by hue (they are not scenarios or powers; tab10's first colours).
VARIANT_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def variant_colours(variants: list[str]) -> dict[str, str]:
    """A distinct colour per variant, in the order given."""
    return {v: VARIANT_COLOURS[i % len(VARIANT_COLOURS)] for i, v in enumerate(variants)}


# At a page's width (--width), the room between two panels of a grid for the right one's
# y tick labels and axis label, and between two rows for the x ones, in inches; and the
# narrowest panel a row is given before it takes fewer columns.
GRID_GAP_IN, GRID_ROW_GAP_IN, GRID_LEAST_IN = 0.7, 0.6, 1.2
# Where the panels' y label is said once a row, on its first panel, and a row of a page
# would otherwise hold one panel (a single column's 3.3 in): the gap between two panels
# for the right one's y tick labels alone, the rows' gap (for an x label of two lines),
# and the narrowest panel (decision 1037): 0.85 in, so that two a row fit the narrowest
# page, --width 3 (MIN_WIDTH_IN: 2.8 in of room less 0.62 and 0.45, halved, is 0.865;
# at 1.0 in the six marginals fell back to one a row there, 15.9 in tall; decision 1044).
SHARED_GAP_IN, SHARED_ROW_GAP_IN, SHARED_LEAST_IN = 0.45, 0.75, 0.85
# At a page's width, the least room between two of a marginal's x tick labels: about a
# digit's width at the ticks' size (8.8 pt); closer, some are left unlabelled (their
# ticks kept; :func:`~sim.plots.figure.spread_ticks`).
TICKS_APART_IN = 0.06


def _grid(
    n: int, cols: int, width: float, height: float, shared_y: bool = False
) -> tuple[Figure, list[Axes]]:
    """``n`` axes in rows of at most ``cols``, spaced for their labels; the rest hidden.

    At a page's width, as many columns as fit it and the gaps in inches: narrowed to the
    page by :func:`~sim.plots.figure.fit_page`, the axes narrowed and the gaps with them
    (a fraction of the axes), and each y label ran into the panel on its left (decision
    1029). ``shared_y``: the caller labels the y axis of a row's first panel alone, so
    that where a row of a page holds one panel, two are laid out with the gaps of
    :data:`SHARED_GAP_IN` (the marginals at 3.3 in were a column of six panels 16.7 in
    tall; decision 1037)."""
    cols = max(1, min(n, cols))
    if page_width() is None:
        rows = -(-n // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
        fig.subplots_adjust(wspace=0.35, hspace=0.55)
    else:
        most = cols
        cols = page_columns(n, most, GRID_LEAST_IN, PAGE_LEFT_IN, GRID_GAP_IN)
        gap, row_gap = GRID_GAP_IN, GRID_ROW_GAP_IN
        if shared_y and cols == 1 < n:
            cols = page_columns(n, most, SHARED_LEAST_IN, PAGE_LEFT_IN, SHARED_GAP_IN)
            if cols > 1:
                gap, row_gap = SHARED_GAP_IN, SHARED_ROW_GAP_IN
        rows = -(-n // cols)
        room = page_room()
        wide = (room - PAGE_LEFT_IN - (cols - 1) * gap) / cols
        tall = wide * height / width
        top, bottom = 0.15, row_gap  # a row's x labels under the lowest
        fig_h = top + rows * tall + (rows - 1) * row_gap + bottom
        fig, axes = plt.subplots(rows, cols, figsize=(room, fig_h), squeeze=False)
        _margins_in(fig, PAGE_LEFT_IN, 0.05, top, bottom, wspace=gap / wide, hspace=row_gap / tall)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_axis_off()
    return fig, flat[:n]


def _margins_in(
    fig: Figure, left: float, right: float, top: float, bottom: float, **spaces: float
) -> None:
    """``fig``'s panels ``left``, ``right``, ``top`` and ``bottom`` inches in from its
    edges; ``spaces``: ``wspace`` and ``hspace``, as :meth:`Figure.subplots_adjust` takes
    them (shares of a panel)."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width,
        right=1.0 - right / width,
        top=1.0 - top / height,
        bottom=bottom / height,
        **spaces,
    )


# Characters of a predictive tick's line, so that neighbouring ticks do not overlap.
TICK_CHARS = 13
TICK_PT = 7.0


def _tick(pattern: str, chars: int = TICK_CHARS) -> str:
    """``file/pattern_id`` on lines of up to ``chars`` characters: the file
    whole, or broken after its underscores when longer, then the id in words, broken at
    its spaces. Nothing is broken inside a word: ``horn_patterns`` (13 characters) was
    broken "horn_ / patterns", counting a space put after each underscore to break at,
    and a long word was cut (an outside check; decision 836)."""
    stem, _, name = pattern.rpartition("/")
    from sim.plots.figure import id_words

    words = textwrap.wrap(id_words(name), chars, break_long_words=False)
    return "\n".join([*_after_underscores(stem, chars), *words])


def _after_underscores(stem: str, width: int) -> list[str]:
    """``stem`` on lines of up to ``width`` characters, each line but the last ending at
    one of its underscores; a part between underscores longer than ``width`` has a line
    of its own, whole."""
    lines: list[str] = []
    for part in filter(None, re.split(r"(?<=_)", stem)):
        if lines and len(lines[-1]) + len(part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return lines


def _tick_size(labels: Sequence[str], chars: int = TICK_CHARS) -> float:
    """The predictive ticks' font size: :data:`TICK_PT`, smaller where a word longer than
    ``chars`` makes a line wider, so that it takes no more room than a full line."""
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    return TICK_PT * chars / max(longest, chars)


def marginals_figure(particles: pd.DataFrame, calibration: Calibration) -> Figure:
    """Weighted posterior histograms of each calibrated parameter, one colour per variant.

    The dashed line is the uniform prior's density; a ``--truth`` value is a
    vertical line.
    """
    paths = list(calibration.spec.parameters)
    variants = list(calibration.variants())
    colors = variant_colours(variants)
    last = int(particles["generation"].max()) if len(particles) else 0
    fig, axes = _grid(len(paths), 3, 3.4, 2.6, shared_y=True)
    fixed_any = False
    died = False  # the caption speaks of a variant that died out only when one has
    zoomed = False  # the caption explains an inset only when a panel has one
    padded = False  # the caption says the axis runs past the prior only when one does
    for ax, path in zip(axes, paths, strict=True):
        prior = calibration.spec.parameters[path]
        limits = _limits(prior, calibration.truth.get(path))
        drawn: dict[str, pd.DataFrame] = {}  # each free variant's particles, for a zoom
        # The variants' names of fixed values at the top, for the truth's to go below.
        fixed_here = sum(path in calibration.variants()[v] for v in variants)
        for variant in variants:
            fixed = calibration.variants()[variant]
            if path in fixed:
                # A variant that fixes the parameter: its value, not an empty panel.
                value = float(fixed[path])
                ax.axvline(
                    value,
                    color=colors[variant],
                    ls=":",
                    lw=2.2,
                    label=f"{variant}: fixed",
                    clip_on=False,  # a value at the prior's end sits on the axes' edge
                )
                # Over the bars' edges, as the truth's name (decision 1010), and marked
                # by a triangle at the top where its line lies on the axes' frame.
                _name_at_top(
                    ax, f" {variant}: {value:g} ", value, prior, colors[variant], bbox=_NAME_BOX
                )
                ax.plot([value], [1.0], marker="v", ms=6, color=colors[variant], clip_on=False,
                        transform=ax.get_xaxis_transform(), label="_fixed_mark")  # fmt: skip
                fixed_any = True
                continue
            final = posterior.final_particles(particles, variant)
            if final.empty:
                continue
            generation = int(final["generation"].iloc[0])
            died = died or generation != last
            drawn[variant] = final
            # A light fill and a full outline: where two variants overlap, both
            # outlines stay readable (translucent fills alone mixed into a third colour).
            shape: dict[str, Any] = {
                "weights": final["weight"],
                "bins": 20,
                "range": (prior.low, prior.high),
                "density": True,
                "color": colors[variant],
            }
            ax.hist(final[path], **shape, histtype="stepfilled", alpha=0.15, label="_fill")
            ax.hist(
                final[path],
                **shape,
                histtype="step",
                lw=1.6,
                # A variant that died out is drawn from its last generation: say which.
                label=variant + _thin(final)
                if generation == last
                # "v2 (generation 6)" beside a tall spike read as a sharp posterior (an
                # audit, decision 649).
                else f"{variant} (died out: its last particles, generation {generation})",
            )
        prior_line: dict[str, Any] = {"color": "0.3", "ls": "--", "lw": 1, "label": "prior"}
        if limits == (prior.low, prior.high):
            ax.axhline(1 / (prior.high - prior.low), **prior_line)
        else:
            # The axis runs past the prior for a truth at its end: the density over the
            # prior's range alone.
            ax.plot([prior.low, prior.high], [1 / (prior.high - prior.low)] * 2, **prior_line)
            padded = True
        if path in calibration.truth:
            # A truth at the prior's end sits on the axes' edge, where a clipped line
            # vanished (an audit of the figures, decision 652); there it reads as the
            # axis itself, so it is named at the top, as a fixed value is (decision 918).
            truth = calibration.truth[path]
            ax.axvline(truth, color="black", lw=1.5, label="truth", clip_on=False)
            _name_at_top(
                ax,
                f" truth: {truth:g} ",
                truth,
                prior,
                "black",
                below=fixed_here,
                # Over a tall bar the name stays readable.
                bbox=_NAME_BOX,
            )
        ax.set_xlim(*limits)
        _ticks_apart(ax)
        ax.set_xlabel(parameter_label(path))
        _wrap_x_label(fig, ax)
        zoomed = _zoom(ax, path, drawn, prior, colors) or zoomed
    for ax in axes:
        spec = ax.get_subplotspec()
        # A row's first panel, however many a row holds (at 3.3 in, two; decision 1037).
        if spec is not None and spec.is_first_col():
            ax.set_ylabel("posterior density")
    # One legend for the figure: each variant's outline, its fixed values, the prior.
    entries: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)

    def rank(label: str) -> tuple[int, int]:
        # Each variant's outline in the variants' order, then their fixed values, then
        # the prior and the truth (collected panel by panel, a fixed value came first).
        for i, variant in enumerate(variants):
            if label == f"{variant}: fixed":
                return (1, i)
            if label == variant or label.startswith(f"{variant} ("):
                return (0, i)
        return (2, 0)

    ordered = sorted(entries, key=rank)
    if page_width() is not None:
        # A page has no room beside the panels (the legend lay over the third; decision
        # 1029): under them, as the sweeps' figures put it.
        legend_below(fig, [entries[label] for label in ordered], "")
    else:
        fig.legend(
            [entries[label] for label in ordered],
            ordered,
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(0.91, 0.88),
            frameon=False,
        )
    add_caption(
        fig,
        f"Final generation{' (a variant that died out: its last)' if died else ''}, "
        "weighted; the x-axis spans the uniform prior"
        + (
            " (a little past an end where a truth lies at it, for its line to show)"
            if padded
            else ""
        )
        + ", whose density is the dashed line. "
        "A parameter the patterns do not narrow has a histogram that stays near that line "
        "across the prior, but for its bins' noise (its narrowing in summary.csv, the 90% "
        "interval's width over the prior's, says it in one number); on few effective "
        "particles (the legend says when), any histogram is tall."
        + (
            " A dotted line, marked by a triangle at the top, is a variant's fixed value."
            if fixed_any
            else ""
        )
        + (
            " Where every particle lies within a tenth of the prior's range, an inset draws "
            "them over their own range (its x-axis says it)."
            if zoomed
            else ""
        ),
    )
    return fig


# A truth within this share of its prior's range of an end (or past it) has its axis run
# this far past that end: at the end, its line lay on the axes' spine and read as the
# axis itself (stance: enemy reliability at 0 in the recovery check; an outside check,
# decision 1037).
TRUTH_PAD_SHARE = 0.04


def _limits(prior: Any, truth: float | None) -> tuple[float, float]:
    """An axis' limits for ``prior``'s range: the range, run past an end by
    :data:`TRUTH_PAD_SHARE` of it where ``truth`` lies within that share of the end."""
    if truth is None:
        return prior.low, prior.high
    pad = TRUTH_PAD_SHARE * (prior.high - prior.low)
    low = prior.low if truth - pad >= prior.low else truth - pad
    high = prior.high if truth + pad <= prior.high else truth + pad
    return low, high


def _ticks_apart(ax: Axes) -> None:
    """At a page's width, ``ax``'s x tick labels in view kept :data:`TICKS_APART_IN`
    apart, some left unlabelled where they are closer (at ``--width 3``, panels of 0.87
    in, "0.85 0.90 0.95" ran together; decision 1044). Its locator's ticks past the
    limits are dropped first: given as ticks, they would widen the axis to them."""
    if page_width() is None:
        return
    low, high = sorted(ax.get_xlim())
    slack = 1e-9 * (high - low)
    pad = TICKS_APART_IN * DPI
    shown = [label for label in ax.get_xticklabels()
             if low - slack <= label.get_position()[0] <= high + slack]  # fmt: skip
    if crowded(shown, pad):
        ax.set_xticks([label.get_position()[0] for label in shown])
        spread_ticks(ax, pad_px=pad)


def _wrap_x_label(fig: Figure, ax: Axes) -> None:
    """At a page's width, ``ax``'s x label on two lines, broken at the space that makes
    the wider of them narrowest, where it is wider than its panel and most of the gap to
    the next: at 3.3 in two panels' labels ("trust: negativity bias", "support events:
    weight") met (decision 1037)."""
    if page_width() is None:
        return
    wide = ax.get_position().width * fig.get_figwidth()
    # Two neighbours, each past its panel by half its excess, keep 0.3 in apart.
    room = wide + fig.subplotpars.wspace * wide - 0.3
    label, size = ax.get_xlabel(), float(ax.xaxis.label.get_fontsize())
    words = label.split(" ")
    if text_size_in(label, size)[0] <= room or len(words) < 2:
        return
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    lines = min(splits, key=lambda pair: max(text_size_in(line, size)[0] for line in pair))
    ax.set_xlabel("\n".join(lines))


# A posterior narrower than this share of its prior's range gets an inset over its own
# range: on the prior's 20 bins it is one bar (link.beta from 0.005 to 0.028 on a prior
# of 0 to 2 was a single bar at 0; an outside check, decision 977).
ZOOM_SHARE = 0.1


def _zoom_range(values: Sequence[pd.Series], prior: Any) -> tuple[float, float] | None:
    """The range, low and high, of every value of ``values`` where it lies within
    :data:`ZOOM_SHARE` of ``prior``'s range and is not one value: the range that a zoom
    draws (the marginals' inset, the pairs' inset's axis); None where none is drawn."""
    if not values:
        return None
    low = min(float(v.astype(float).min()) for v in values)
    high = max(float(v.astype(float).max()) for v in values)
    if not high > low or high - low > ZOOM_SHARE * (prior.high - prior.low):
        return None
    return low, high


def _zoom(
    ax: Axes,
    path: str,
    drawn: Mapping[str, pd.DataFrame],
    prior: Any,
    colors: Mapping[str, str],
) -> bool:
    """An inset of ``drawn``'s weighted histograms of ``path`` over the particles' own
    range, on the side of ``ax`` away from them, where they all lie within
    :data:`ZOOM_SHARE` of the prior's range (and do not all sit at one value); whether
    it drew one."""
    zoom = _zoom_range([frame[path] for frame in drawn.values()], prior)
    if zoom is None:
        return False
    low, high = zoom
    left = (low + high) / 2 > (prior.low + prior.high) / 2  # the particles at the right
    inset = ax.inset_axes((0.1 if left else 0.5, 0.42, 0.42, 0.42))
    for variant, frame in drawn.items():
        shape: dict[str, Any] = {
            "weights": frame["weight"],
            "bins": 12,
            "range": (low, high),
            "density": True,
            "color": colors[variant],
        }
        inset.hist(frame[path], **shape, histtype="stepfilled", alpha=0.15)
        inset.hist(frame[path], **shape, histtype="step", lw=1.2)
    inset.set_xlim(low, high)
    inset.set_xticks([low, high])
    inset.set_xticklabels([f"{low:.3g}", f"{high:.3g}"])
    inset.tick_params(labelsize=6, length=2, pad=1)
    inset.set_yticks([])
    inset.set_title("zoom", fontsize=6, pad=2)
    return True


# A name at a panel's top keeps readable over the histograms' bars.
_NAME_BOX = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}


def _name_at_top(
    ax: Axes, text: str, value: float, prior: Any, color: str, below: int = 0, **style: Any
) -> None:
    """``text`` at the top of ``ax`` beside the vertical line at ``value``, inside the
    axes on the side away from the prior's nearer edge; ``below`` names above it."""
    ax.annotate(
        text,
        (value, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, -4 - 10 * below),
        textcoords="offset points",
        ha="left" if value <= (prior.low + prior.high) / 2 else "right",
        va="top",
        fontsize=7,
        color=color,
        **style,
    )


def _thin(final: pd.DataFrame) -> str:
    """A legend's warning for a variant whose histogram rests on few particles or little
    model probability (each variant's histogram is a density of its own, drawn at full
    height whatever its probability: an audit's v2 of probability 4e-05 and 2 effective
    particles hid v1 behind a spike; decision 591)."""
    ess = posterior.effective_particles(final["weight"])
    probability = float(final["model_probability"].iloc[0]) if "model_probability" in final else 1.0
    said = []
    if probability < 0.05:
        said.append(f"model probability {probability:.2g}")
    if ess < posterior.FEW_EFFECTIVE:
        said.append(f"{ess:.1f} effective particles")
    return f" ({', '.join(said)}: read with care)" if said else ""


def _point_area(share: Any, corner: bool = False) -> Any:
    """A pairs figure's point area (points squared) for a weight's share of the largest;
    smaller in a corner's panels (:data:`CORNER_POINT_MOST`)."""
    return 2 + CORNER_POINT_MOST * share if corner else 4 + 60 * share


# At a page's width where a row of the pairs' grid would hold fewer than three panels (a
# single column's 3.3 in: fifteen panels one a row, 1.1 in wide and 44 in tall), the
# pairs are a corner, the lower triangle of a matrix: a column's parameter on x, a row's on
# y, each named once, under the bottom row and left of the first column. Its text at
# CORNER_PT, the panels CORNER_GAP_IN apart, a tick at least CORNER_TICK_GAP_IN from the
# next and CORNER_END_IN from the panel's ends (an x tick's label turned, so that it
# takes a line's height across); the largest point's area (the grid's 64 points squared,
# 9 points across, covered a fifth of a half-inch panel). Decision 1037.
CORNER_PT, CORNER_GAP_IN, CORNER_TICK_GAP_IN, CORNER_END_IN = 7.0, 0.06, 0.13, 0.05
CORNER_POINT_MOST = 16.0


def _corner_pairs(free: Mapping[str, Any]) -> bool:
    """Whether the pairs of ``free`` are drawn as a corner (:func:`_corner`)."""
    n = len(free) * (len(free) - 1) // 2
    if page_width() is None or len(free) < 3:
        return False
    return page_columns(n, 4, GRID_LEAST_IN, PAGE_LEFT_IN, GRID_GAP_IN) < min(3, n)


def _corner_ticks(low: float, high: float, panel_in: float) -> list[float]:
    """Round ticks between ``low`` and ``high`` on a corner's panel ``panel_in`` wide:
    none nearer an end than :data:`CORNER_END_IN` (two neighbouring panels' end ticks
    ran into each other) or nearer the tick before than :data:`CORNER_TICK_GAP_IN`; of
    the round steps :class:`~matplotlib.ticker.MaxNLocator` offers, the widest that keeps
    two (the one that kept most ticked 0.87, 0.9, 0.93, 0.96), else the one that keeps
    most."""
    from matplotlib.ticker import MaxNLocator

    end = CORNER_END_IN / panel_in * (high - low)
    apart = CORNER_TICK_GAP_IN / panel_in * (high - low)
    best: list[float] = []
    for bins in range(2, 7):
        kept: list[float] = []
        for tick in MaxNLocator(nbins=bins, steps=[1, 2, 5, 10]).tick_values(low, high):
            if low + end <= tick <= high - end and (not kept or tick - kept[-1] >= apart):
                kept.append(float(tick))
        if len(kept) >= 2:
            return kept
        best = kept if len(kept) > len(best) else best
    return best


def _corner(
    free: Mapping[str, Any], truth: Mapping[str, float], shorter_in: float = 0.0
) -> tuple[Figure, dict[tuple[str, str], Axes]]:
    """The corner of ``free``'s pairs at a page's width: the axes by (x, y) pair, the
    upper triangle hidden; axes shared by column and by row, their limits
    (:func:`_limits`), ticks and names set on the outer panels. ``shorter_in``: its
    panels made smaller, square still, for the figure to be that much less tall (and
    narrower than the page)."""
    paths = list(free)
    m = len(paths) - 1
    room = page_room()
    limits = {path: _limits(free[path], truth.get(path)) for path in paths}
    # Tick labels across (a y tick's width, an x tick's turned height), at their widest.
    tick_in = max(
        text_size_in(f"{tick:g}", CORNER_PT)[0]
        for low, high in limits.values()
        for tick in _corner_ticks(low, high, 100.0)
    )
    panel = (room - 1.0) / m
    for _ in range(2):  # the names wrapped to a panel, then the panels sized for them
        names = {path: balanced_wrap(parameter_label(path), panel, CORNER_PT) for path in paths}
        across = max(text_size_in(names[path], CORNER_PT)[1] for path in paths)
        left = tick_in + across + 0.15
        panel = (room - left - 0.05 - (m - 1) * CORNER_GAP_IN) / m
    bottom, top = tick_in + across + 0.15, 0.1
    panel -= shorter_in / m
    fig_h = top + m * panel + (m - 1) * CORNER_GAP_IN + bottom
    fig_w = left + m * panel + (m - 1) * CORNER_GAP_IN + 0.05
    fig, grid = plt.subplots(m, m, figsize=(fig_w, fig_h), sharex="col", sharey="row",
                             squeeze=False)  # fmt: skip
    spaces = CORNER_GAP_IN / panel
    _margins_in(fig, left, 0.05, top, bottom, wspace=spaces, hspace=spaces)
    by_pair: dict[tuple[str, str], Axes] = {}
    for row in range(m):
        for column in range(m):
            ax = grid[row][column]
            if column > row:
                ax.set_axis_off()
            else:
                by_pair[(paths[column], paths[row + 1])] = ax
    for column, path in enumerate(paths[:-1]):
        ax = grid[m - 1][column]
        ax.set_xlim(*limits[path])
        ticks = _corner_ticks(*limits[path], panel)
        ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks], rotation=90, fontsize=CORNER_PT)
        ax.set_xlabel(names[path], fontsize=CORNER_PT)
    for row, path in enumerate(paths[1:]):
        ax = grid[row][0]
        ax.set_ylim(*limits[path])
        ticks = _corner_ticks(*limits[path], panel)
        ax.set_yticks(ticks, [f"{tick:g}" for tick in ticks], fontsize=CORNER_PT)
        ax.set_ylabel(names[path], fontsize=CORNER_PT)
    return fig, by_pair


def pairs_figure(particles: pd.DataFrame, calibration: Calibration, variant: str) -> Figure:
    """Every pair of ``variant``'s free parameters, point size by weight, on the prior's
    box; a pair with a parameter the particles narrow to a tenth of its prior has an inset
    over their range on that axis (:func:`_pair_zoom`). At a page's width where a row
    holds fewer than three panels (a single column's 3.3 in), or where the grid would be
    taller than a page (:data:`~sim.plots.figure.PAGE_HEIGHT_IN`: six parameters' fifteen
    panels at 6 to 7 in were 9.7 to 11.3 in tall; decision 1044), a corner of the pairs
    without insets (:func:`_corner`)."""
    corner = _corner_pairs(calibration.free(variant))
    fig = _pairs(particles, calibration, variant, corner)
    if page_width() is None or len(calibration.free(variant)) < 3:
        return fig
    if not corner:
        if tight_height_in(fig) <= PAGE_HEIGHT_IN:
            return fig
        plt.close(fig)
        fig = _pairs(particles, calibration, variant, corner=True)
    # A corner about as tall as the page is wide, with its key and caption: past about
    # 7.8 in, its panels made smaller for it to stay within a page.
    over = tight_height_in(fig) - PAGE_HEIGHT_IN
    if over <= 0:
        return fig
    plt.close(fig)
    return _pairs(particles, calibration, variant, corner=True, shorter_in=over + 1.0 / DPI)


def _pairs(
    particles: pd.DataFrame,
    calibration: Calibration,
    variant: str,
    corner: bool,
    shorter_in: float = 0.0,
) -> Figure:
    """:func:`pairs_figure` on a grid of panels or, ``corner``, a corner (``shorter_in``:
    made that much less tall, :func:`_corner`)."""
    free = calibration.free(variant)
    pairs = list(itertools.combinations(free, 2))
    final = posterior.final_particles(particles, variant)
    if corner:
        fig, by_pair = _corner(free, calibration.truth, shorter_in)
        axes = [by_pair[pair] for pair in pairs]
    else:
        fig, axes = _grid(len(pairs), 4, 3.2, 2.9)
    size = _point_area(final["weight"] / max(final["weight"].max(), 1e-300), corner)
    zoomed = False  # the caption explains an inset only when a panel has one
    padded = False  # and an axis past its prior only when one runs past it
    for ax, (x, y) in zip(axes, pairs, strict=True):
        # Unclipped: a particle at a prior's bound was drawn half (an outside check, 816).
        ax.scatter(final[x], final[y], s=size, alpha=0.4, color="0.2", lw=0, clip_on=False)
        for path, limits, line in ((x, ax.set_xlim, ax.axvline), (y, ax.set_ylim, ax.axhline)):
            ends = _limits(free[path], calibration.truth.get(path))
            padded = padded or ends != (free[path].low, free[path].high)
            limits(*ends)
            if path in calibration.truth:
                line(calibration.truth[path], color="black", lw=1.2, clip_on=False)
        if corner:
            continue  # named once a row and a column (_corner); no room for an inset
        ax.set_xlabel(parameter_label(x), fontsize=8)
        ax.set_ylabel(parameter_label(y), fontsize=8)
        zoomed = _pair_zoom(ax, final, (x, y), free, size, calibration.truth) or zoomed
    # A key of point sizes: "point size: weight" gave no scale (an outside check,
    # decision 943). The largest weight, half and a tenth of it.
    top = float(final["weight"].max())
    handles = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            ms=_point_area(share, corner) ** 0.5,
            alpha=0.4,
            color="0.2",
            mew=0,
        )
        for share in (1.0, 0.5, 0.1)
    ]
    title = "point area: weight (final generation's particles, weights sum to 1)"
    if page_width() is not None and text_size_in(title, 7)[0] > page_room() - 0.2:
        title = balanced_wrap(title, page_room() - 0.4, 7)  # 3.31 in at 3.3 in's 3.1
    # At a page's width a key wider than it (3.4 in at 3.3) is drawn closer, else one an
    # entry a line.
    for closer in ({}, {"columnspacing": 1.0, "handletextpad": 0.3}, {"ncol": 1}):
        key = fig.legend(
            handles, [f"weight {top * share:.2g}" for share in (1.0, 0.5, 0.1)], fontsize=7,
            # Just above the top row (the saved figure is cut to what is drawn).
            loc="lower center", title_fontsize=7,
            bbox_to_anchor=(0.5, fig.subplotpars.top + 0.25 / fig.get_figheight()),
            title=title, **{"ncol": 3, **closer},
        )  # fmt: skip
        if page_width() is None or _width_in(fig, key) <= page_room() - 0.1:
            break
        key.remove()
    narrow = any(_zoom_range([final[path]], free[path]) for path in free)
    add_caption(
        fig,
        f"Variant '{variant}', final generation; point area: weight (key above); axes span "
        "the priors"
        + (" (a little past an end where a truth lies at it)" if padded else "")
        + (
            "; a column's parameter on x, a row's on y, named under and left of the panels"
            if corner
            else ""
        )
        + ("; lines: the truth." if calibration.truth else ".")
        + (
            " At this width no inset draws a parameter its particles narrow to a tenth of its "
            "prior: the marginals figure's do."
            if corner and narrow
            else ""
        )
        + (
            " Where a parameter's particles all lie within a tenth of its prior's range, an "
            "inset draws the pair over their own range on that axis (its ticks give the "
            "range's ends), the other axis still spanning its prior"
            + (
                "; a truth is drawn in an inset where it falls in its range."
                if calibration.truth
                else "."
            )
            if zoomed
            else ""
        ),
    )
    return fig


def _width_in(fig: Figure, artist: Any) -> float:
    """``artist``'s width in ``fig``, inches, as drawn."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return float(artist.get_window_extent(renderer).width) / fig.dpi


def _pair_zoom(
    ax: Axes,
    final: pd.DataFrame,
    pair: tuple[str, str],
    free: Mapping[str, Any],
    size: Any,
    truth: Mapping[str, float],
) -> bool:
    """An inset of a pairs panel's scatter where either parameter's particles lie within
    :data:`ZOOM_SHARE` of its prior's range (:func:`_zoom_range`, as the marginals' inset
    decides): that axis over the particles' own range, its ends ticked, the other over
    its prior; on the side of ``ax`` away from the particles (which sit within a tenth
    of the zoomed axis); the truth's lines where they fall in it. Whether it drew one."""
    zooms = [_zoom_range([final[path]], free[path]) for path in pair]
    if zooms == [None, None]:
        return False
    limits: list[tuple[float, float]] = []
    box: list[tuple[float, float]] = []  # the inset's start and length, in axes fraction
    for path, zoom in zip(pair, zooms, strict=True):
        prior = free[path]
        if zoom is None:
            limits.append((prior.low, prior.high))
            box.append((0.18, 0.76))
        else:
            limits.append(zoom)
            # The particles in the prior's lower half: the inset in the axis' upper part.
            upper = sum(zoom) / 2 <= (prior.low + prior.high) / 2
            box.append((0.58 if upper else 0.18, 0.36))
    (x0, width), (y0, height) = box
    inset = ax.inset_axes((x0, y0, width, height))
    x, y = pair
    inset.scatter(final[x], final[y], s=size, alpha=0.4, color="0.2", lw=0, clip_on=False)
    for path, (low, high), line, set_limits, ticks, labels in (
        (x, limits[0], inset.axvline, inset.set_xlim, inset.set_xticks, inset.set_xticklabels),
        (y, limits[1], inset.axhline, inset.set_ylim, inset.set_yticks, inset.set_yticklabels),
    ):
        set_limits(low, high)
        ticks([low, high])
        # Ends close enough to round alike get the digits that tell them apart.
        labels(distinct_texts([low, high]))
        if path in truth and low <= truth[path] <= high:
            line(truth[path], color="black", lw=1.0, clip_on=False)
    inset.tick_params(labelsize=6, length=2, pad=1)
    inset.grid(False)
    # A darker frame than the theme's light grey: where the inset ends, over the panel.
    for spine in inset.spines.values():
        spine.set_edgecolor("0.45")
    inset.set_title("zoom", fontsize=6, pad=2)
    return True


PREDICTIVE_CAPTION = (
    "Posterior predictive draws against the observed statistics, in tolerances: a "
    "pattern passes when its median lies in the grey band."
)


# A --truth calibration fits simulated statistics, not the votes: its figure said
# "observed" of them (an audit, decision 651).
TRUTH_CAPTION = (
    "Posterior predictive draws against the statistics simulated at the --truth values "
    "(which stand in for the observed ones), in tolerances: a pattern passes when its "
    "median lies in the grey band."
)


# Fewer draws than this make a 90% band whose ends are about the extreme draws.
ROUGH_BAND = 20


def draws_note(draws: int, reps: int = 1) -> str:
    """The predictive caption's sentence on how many draws make each band (an outside
    check found a band of 10 draws drawn as any other: decision 816)."""
    each = count_text(draws, "posterior draw") + (
        f", each simulated {count_text(reps, 'time')}" if reps > 1 else ""
    )
    rough = (
        f"; with fewer than {ROUGH_BAND} draws its ends lie about at the extreme ones"
        if draws < ROUGH_BAND
        else ""
    )
    return f" Each band: {each}{rough}."


# Inches of the predictive figure per pattern, and at least per panel (its title's width).
PATTERN_IN = 1.1
MIN_PANEL_IN = 1.9
# Stacked (:func:`_stacked`), a pattern's name is on lines of up to this many characters
# beside its row (at TICK_PT, about 1.3 in).
STACKED_CHARS = 24


def _stacked(counts: Sequence[int], labels: Sequence[str]) -> bool:
    """At a page's width, whether the predictive panels are stacked, the patterns rows
    (:func:`_stacked_panels`): where side by side their turned names (``labels``, each its
    lines' height across) or their titles need more than the page. At 3.3 in the joint
    calibration's nine names, narrowed to 0.2 in each, printed over each other and the
    figure stayed 3.8 in wide (an outside check, decision 1037)."""
    if page_width() is None or not counts:
        return False
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    across = lines_in(lines, TICK_PT) + 0.1
    title = text_size_in("calibration patterns", float(plt.rcParams["axes.titlesize"]))[0]
    need = 1.0 + sum(max(count * across, title + 0.2) for count in counts)
    return need > page_room()


def _stacked_panels(labels: Sequence[Sequence[str]]) -> tuple[Figure, list[Axes]]:
    """A page-width predictive figure's panels one under the other, one a role, a row a
    pattern (``labels``: each panel's names) as tall as its name's lines, the names left
    of the panels; one x scale for all, so that their pass bands line up."""
    room = page_room()
    every = [label for own in labels for label in own]
    size = _tick_size(every, STACKED_CHARS)
    names_in = max(text_size_in(label, size)[0] for label in every)
    lines = max(label.count("\n") + 1 for label in every)
    row = lines_in(lines, size) + 0.1
    heights = [max(len(own), 1) * row for own in labels]
    # A title over each panel; under the lowest its tick labels and an x label of two lines.
    top, gap, bottom = 0.35, 0.45, 0.75
    left = names_in + 0.15
    fig_h = top + sum(heights) + gap * (len(heights) - 1) + bottom
    fig, axes = plt.subplots(
        len(heights), 1, figsize=(room, fig_h), sharex=True, squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )  # fmt: skip
    _margins_in(fig, left, 0.1, top, bottom, hspace=gap / (sum(heights) / len(heights)))
    return fig, [ax for (ax,) in axes]


def predictive_figure(
    checks: pd.DataFrame,
    caption: str = PREDICTIVE_CAPTION,
    target: str = "observed",
    thin: Mapping[str, str] | None = None,
) -> Figure:
    """Per pattern, in tolerances from the target value (``observed``, or ``truth`` for
    a ``--truth`` calibration): each variant's predictive 90% band and median, against
    the pass band of ±1 tolerance. ``thin``: a variant's warning for its key
    (:func:`_thin`: few effective particles, little model probability)."""
    thin = thin or {}
    roles = [r for r in ("calibrate", "holdout") if (checks["role"] == r).any()]
    variants = distinct(checks["variant"])
    colors = variant_colours(variants)
    counts = [checks[checks["role"] == r]["pattern"].nunique() for r in roles]
    names = {r: distinct(checks.loc[checks["role"] == r, "pattern"]) for r in roles}
    stacked = _stacked(counts, [_tick(p) for r in roles for p in names[r]])
    if stacked:
        fig, panels = _stacked_panels([[_tick(p, STACKED_CHARS) for p in names[r]] for r in roles])
    else:
        # A panel of one pattern is as wide as its title ("calibration patterns" ran into
        # "held-out patterns" at 1.1 inches a pattern: an outside check; decision 805).
        widths = [max(PATTERN_IN * c, MIN_PANEL_IN) for c in counts] or [MIN_PANEL_IN]
        # One y scale for both panels, so that their pass bands line up (an audit: the
        # calibration and held-out panels had their own ranges).
        fig, axes = plt.subplots(
            1,
            max(len(roles), 1),
            figsize=(1.0 + sum(widths), 3.6),
            squeeze=False,
            sharey=True,
            gridspec_kw={"width_ratios": widths},
        )
        panels = list(axes[0])
    keys: dict[str, Any] = {f"{target} ± 1 tolerance (pass)": None}
    for ax, role in zip(panels, roles, strict=False):
        own = checks[checks["role"] == role]
        patterns = names[role]
        # Stacked, the patterns are rows and the discrepancy runs across.
        span, level = (ax.axvspan, ax.axvline) if stacked else (ax.axhspan, ax.axhline)
        keys[f"{target} ± 1 tolerance (pass)"] = span(-1, 1, color="0.9", zorder=0)
        level(0, color="black", lw=1)
        for i, pattern in enumerate(patterns):
            rows = own[own["pattern"] == pattern]
            for j, (_, row) in enumerate(rows.iterrows()):
                x = i + 0.2 * (j - (len(rows) - 1) / 2)
                scale = row["tolerance"]
                low, high = (
                    (row["q05"] - row["observed"]) / scale,
                    (row["q95"] - row["observed"]) / scale,
                )
                color = colors[row["variant"]]
                if stacked:
                    band = ax.hlines(x, low, high, color=color, lw=4, alpha=0.6)
                    (median,) = ax.plot(row["discrepancy"], x, "o", color=color, ms=5)
                else:
                    band = ax.vlines(x, low, high, color=color, lw=4, alpha=0.6)
                    (median,) = ax.plot(x, row["discrepancy"], "o", color=color, ms=5)
                # The key shows the band and its median, as drawn (it showed the dot alone).
                keys.setdefault(
                    f"{row['variant']}: median, 90% band{thin.get(row['variant'], '')}",
                    (band, median),
                )
        ax.set_title("calibration patterns" if role == "calibrate" else "held-out patterns")
        if stacked:
            labels = [_tick(p, STACKED_CHARS) for p in patterns]
            size = _tick_size(labels, STACKED_CHARS)
            ax.set_yticks(range(len(patterns)), labels, fontsize=size)
            ax.set_ylim(len(patterns) - 0.4, -0.6)  # the first pattern at the top
            continue
        labels = [_tick(p) for p in patterns]
        # At a page's width the panels are narrowed to it and their labels are not: upright,
        # they ran into each other (an outside check, decision 1032); turned, each takes only
        # its lines' height across.
        turned: dict[str, Any] = {"rotation": 90} if page_width() is not None else {}
        ax.set_xticks(range(len(patterns)), labels, fontsize=_tick_size(labels), **turned)
        ax.set_xlim(-0.6, len(patterns) - 0.4)
    across = f"(simulated - {target}) / tolerance"
    if stacked:
        lowest = panels[-1]
        wide = lowest.get_position().width * fig.get_figwidth()
        size = float(plt.rcParams["axes.labelsize"])
        lowest.set_xlabel(balanced_wrap(across, wide, size) if text_size_in(across, size)[0]
                          > wide else across)  # fmt: skip
    else:
        panels[0].set_ylabel(across)
    if "observed_is" in checks and (checks["observed_is"] == "target").any():
        # A correlation's "observed" is its target r of 1, which only checks.csv said (an
        # outside check, decision 943).
        named = distinct(checks.loc[checks["observed_is"] == "target", "pattern"])
        one = len(named) == 1
        caption += (
            f" For {in_words(named)}, {'a correlation' if one else 'correlations'}, "
            f"'{target}' is {'its' if one else 'their'} target r of 1, not a value read from "
            "the votes."
        )
    shown = {label: handle for label, handle in keys.items() if handle is not None}
    if stacked:
        # An entry wider than a single column's page (a thin variant's warning) wrapped.
        shown = {wrap_to(label, page_room() - 0.8, 7): handle for label, handle in shown.items()}
    # On one line the key set the figure's width (7.5 in at --width 6.5): one a line there.
    fig.legend(list(shown.values()), list(shown), fontsize=7, loc="lower center",
               ncol=len(shown) if page_width() is None else 1,
               bbox_to_anchor=(0.5, 1.0 if stacked else 0.98),
               handler_map={tuple: HandlerTuple(ndivide=1)})  # fmt: skip
    add_caption(fig, caption)
    return fig


# The report's tables, in order: file stem -> heading.
SECTIONS = {
    "summary": "Posterior of each parameter",
    "variants": "Variants",
    "checks": "Posterior predictive checks",
}
# What a table's less obvious columns mean, under its heading (docs/results_layout.md).
COLUMNS = {
    "summary": (
        "median, q05, q95: the posterior's median and 90% interval (weighted quantiles "
        "of the final generation, docs/results_layout.md); narrowing: that "
        "interval's width over the prior's (prior_high - prior_low), so 1 is a parameter "
        "the patterns left as uncertain as its prior and near 0 one they pin down; "
        "truth, truth_in_90: a --truth value and whether the interval holds it."
    ),
    "variants": (
        "model_probability: the variant's posterior probability among the variants; "
        "effective_particles: (sum of weights)^2 / sum of squared weights, the particles' "
        "worth as independent draws; calibrate_pass, holdout_pass: the calibration and "
        "held-out patterns its predictive median passes, of all; median_distance: the "
        "predictive draws' median distance (root mean square discrepancy over the "
        "calibration patterns)."
    ),
    "checks": (
        "median, q05, q95: the posterior predictive draws' quantiles; discrepancy: "
        "(median - observed) / tolerance, a pass when within 1; share_pass: the share of "
        "draws that pass on their own; observed_is: what observed is, read from the votes "
        "(observed), a correlation's target r of 1 (target) or simulated at the --truth "
        "values (truth)."
    ),
}


def run_facts(
    calibration: Calibration, extra: Mapping[str, Any], command: Sequence[str]
) -> list[tuple[str, str]]:
    """What was run, as (field, value) pairs for the report's first table, as a sweep's
    report opens (decision 590: the page said nothing of the priors, the variants'
    fixed values, the budget or why it stopped, which only ``manifest.json`` held)."""
    spec = calibration.spec
    priors = "; ".join(f"{p} {q.low:g} to {q.high:g}" for p, q in spec.parameters.items())
    # A path one variant fixes and no prior covers runs at the scenarios' value in the
    # others, which "all free" hid (an outside check, decision 842).
    every = calibration.variants()
    unfitted = sorted({p for fixed in every.values() for p in fixed} - set(spec.parameters))
    variants = "; ".join(
        f"{name}: "
        + (
            ", ".join(
                [f"{p} = {v:g}" for p, v in fixed.items()]
                + [f"{p} at the scenarios' value" for p in unfitted if p not in fixed]
            )
            or "all free"
        )
        for name, fixed in every.items()
    )
    facts = [
        ("calibration", calibration.name),
        ("pattern files", ", ".join(str(f) for f in calibration.pattern_files)),
        ("priors (uniform)", priors),
        ("variants (fixed values)", variants),
        ("population", f"{spec.population:,}"),
        ("budget", f"{spec.max_simulations:,} simulations, min epsilon {spec.min_epsilon:g}"),
        ("replicates", str(spec.replicates)),
        ("seed", str(spec.seed)),
        (
            "run",
            f"{count_text(int(extra.get('generations') or 0), 'generation')}, "
            f"{extra.get('simulations'):,} "
            f"simulations, final epsilon {extra.get('final_epsilon'):.4g} "
            f"({extra.get('stopped')}; epsilon is the acceptance threshold on the "
            "root-mean-square discrepancy, in tolerances)",
        ),
        ("command", " ".join(command)),
    ]
    if calibration.truth:
        truth = ", ".join(f"{p}={v:g}" for p, v in calibration.truth.items())
        facts.insert(4, ("simulated truth (--truth)", truth))
    return facts


def figure_makers(
    calibration: Calibration, particles: pd.DataFrame, checks: pd.DataFrame
) -> dict[str, Callable[[], Figure]]:
    """How to draw each of the calibration's figures, by file stem: the marginals, the
    pairs of each variant with two or more free parameters, the predictive checks."""
    makers: dict[str, Callable[[], Figure]] = {
        "marginals": functools.partial(marginals_figure, particles, calibration)
    }
    for variant in calibration.variants():
        # Pairs need two free parameters: with one, the figure drew it against itself (a
        # diagonal; an audit); its marginal is in the marginals figure.
        if len(calibration.free(variant)) >= 2 and not (
            posterior.final_particles(particles, variant).empty
        ):
            makers[f"pairs-{variant}"] = functools.partial(
                pairs_figure, particles, calibration, variant
            )
    drawn = draws_note(calibration.spec.predictive)
    # The marginals' legend warned of a variant of few effective particles and the
    # predictive figure, drawn from them, did not (an outside check, decision 943).
    thin = {}
    for variant in calibration.variants():
        final = posterior.final_particles(particles, variant)
        if not final.empty:
            thin[variant] = _thin(final)
    makers["predictive"] = (
        functools.partial(predictive_figure, checks, TRUTH_CAPTION + drawn, "truth", thin)
        if calibration.truth
        else functools.partial(predictive_figure, checks, PREDICTIVE_CAPTION + drawn, thin=thin)
    )
    return makers


def calibration_figures(
    calibration: Calibration, particles: pd.DataFrame, checks: pd.DataFrame
) -> dict[str, Figure]:
    """The calibration's figures by file stem, drawn (:func:`figure_makers`)."""
    return {stem: make() for stem, make in figure_makers(calibration, particles, checks).items()}


def write_figures(
    folder: Path,
    calibration: Calibration,
    particles: pd.DataFrame,
    checks: pd.DataFrame,
    facts: Sequence[tuple[str, str]] = (),
    processes: int | None = None,
    notes: Sequence[str] = (),
    width: float | None = None,
    dpi: float | None = None,
) -> Path:
    """Write the figures (PNG) and ``report.html``; returns the report's path.

    ``processes`` draw the figures (default: one a core, :func:`sim.plots.report.drawn`).
    ``notes``: the caveats the command printed (a stuck pattern, few effective particles,
    years the votes leave out), which the page says under "Notes" (decision 919).
    ``width``: a page's width in inches (``--width``), each figure drawn to fit it, and
    one that cannot said on stderr; ``dpi``: the PNG files' resolution (``--dpi``; the
    page embeds them at 150, as a sweep's report does: decisions 951, 1024, 1026).
    """
    matplotlib.use("Agg")
    set_theme()
    out = folder / FIGURES
    # Drawn on every core, as a sweep's report (decisions 874, 886): each process builds
    # and renders the figures it is handed, and they come back in this order.
    entries = [
        Entry(stem, make, "")
        for stem, make in figure_makers(calibration, particles, checks).items()
    ]
    drawn: dict[str, bytes] = {}
    wider: list[str] = []
    with (
        at_page_width(width),
        at_dpi(dpi),
        contextlib.closing(drawn_figures(entries, "png", processes)) as figures,
    ):
        for entry, (data, shown, _, _) in zip(entries, figures, strict=True):
            drawn[entry.stem] = shown
            atomic_write_bytes(out / f"{entry.stem}.png", data)
            wider += past_the_page(f"{FIGURES}/{entry.stem}.png", data, width)
    for note in wider:
        print(f"credsim: note: {note}", file=sys.stderr)
    tables = []
    for name, heading in SECTIONS.items():
        frame = pd.read_csv(folder / f"{name}.csv")
        table = frame.to_html(index=False, float_format="{:.4g}".format, border=0, na_rep="")
        tables.append(
            f"<h2>{heading}</h2><p><code>{name}.csv</code>: {html.escape(COLUMNS[name])}</p>{table}"
        )
    # Embedded, as in a sweep's report: the page can be sent on its own. The caption
    # names the file beside it in figures/.
    images = "".join(
        f'<figure><img src="{data_uri(data, "png")}" alt="{stem}">'
        f"<figcaption>{stem.replace('-', ': ')} (<code>{FIGURES}/{stem}.png</code>)"
        "</figcaption></figure>"
        for stem, data in drawn.items()
    )
    title = html.escape(f"credsim calibration: {calibration.name}")
    # The sweep report's style, so that the two pages read alike.
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{PAGE_STYLE}</style></head><body><h1>{title}</h1>"
        f"<p>Results folder: <code>{html.escape(str(folder))}</code></p>{_facts_table(facts)}"
        f"{_notes_list(notes)}{''.join(tables)}"
        f"<h2>Figures</h2>{images}</body></html>"
    )
    report = folder / "report.html"
    atomic_write_text(report, page)
    return report


def _notes_list(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(str(note))}</li>" for note in notes)
    return f"<h2>Notes</h2><ul>{items}</ul>"


def _facts_table(facts: Sequence[tuple[str, str]]) -> str:
    if not facts:
        return ""
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts
    )
    return f"<h2>What was run</h2><table><tbody>{rows}</tbody></table>"
