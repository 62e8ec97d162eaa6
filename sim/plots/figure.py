"""Figure furniture shared by every plot: theme, dates, bands, captions, saving.

Every figure module draws with these helpers so that all figures of credsim
look alike: the same theme, dates on real datetime axes, the same band
(2.5 to 97.5 percentiles across runs), a caption naming the scenario and the
results folder, and files saved with ``bbox_inches="tight"`` so legends
placed outside the axes are never clipped.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import textwrap
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from sim.analysis.paired import (
    DesignValue,
    distinct_texts,
    is_text,
    months_of,
    runs_at,
    scenario_value,
    value_text,
)
from sim.catalogue import SERIES_METRICS, parse_metric
from sim.columns import NONE, distinct
from sim.errors import in_words
from sim.plots.glyphs import font_family, gather_missing, quiet_missing_glyphs
from sim.results import GRID, Results
from sim.scenario.calendar import parse_month

DPI = 150
BAND_ALPHA = 0.18
BAND_LEVEL = 95.0
GROUP_ALL = "all"
_CAPTION_GAP_IN = 0.62


_THEME = ("seaborn-v0_8-whitegrid", "seaborn-v0_8-paper")
# seaborn's "paper" context font sizes (axes labels 8.8, titles 9.6, legends and ticks 8 pt)
# times its font scale 1.1.
_FONT_SCALE = 1.1


# A page's text width (``credsim plot --width``), in inches: the figures drawn while it is
# set are laid out to fit it in the saved file (its tight bounding box), their text at the
# sizes it has without it and never under MIN_TEXT_PT. ``None``: each figure as wide as its
# panels need (the default).
_PAGE_WIDTH: list[float | None] = [None]
MIN_WIDTH_IN = 3.0
MAX_WIDTH_IN = 30.0
MIN_TEXT_PT = 7.0
# A saved file may be this much wider than the page and still fit it: the tight bounding
# box is rounded out to whole pixels at the saved resolution (one pixel at DPI).
WIDTH_SLACK_IN = 1.0 / DPI
# The narrowest a panel's axes may be made to fit a page; narrower, the figure is said
# not to fit (:func:`fit_page`).
MIN_AXES_IN = 0.9
# Room at a page-width figure's left for the y tick labels and the axis label, and the gap
# between two panels of a row (their tick labels and a margin), in inches.
PAGE_LEFT_IN = 0.62
PAGE_GAP_IN = 0.5
# The tallest a page-width figure is saved, inches: a US letter page's 11 in less 1-in
# margins (A4's text is about 9.7 in high). A set of panels that would be taller is drawn
# smaller (the maps) or split into more figures (the sensitivity bars, the heatmaps whose
# maps at their lowest pass it; :func:`fill_pages`); a figure whose single panel is taller
# on its own is said (:func:`too_wide_notes`).
PAGE_HEIGHT_IN = 9.0
# Line spacing of matplotlib's text, as a multiple of its size.
LINE_SPACING = 1.2


# The resolution PNG files are saved at (``--dpi``): DPI unless a command was given
# another. The figures are laid out at DPI whatever it is (sizes in inches and points), so
# a higher one saves the same figure with more pixels; the report page embeds its figures
# at DPI (decision 1024: two outside checks found 150 dpi too coarse for a journal, which
# asks 300 or more of raster figures).
_SAVE_DPI: list[float] = [DPI]
MIN_DPI, MAX_DPI = 72.0, 1200.0


def save_dpi() -> float:
    """The resolution PNG files are saved at (:func:`at_dpi`)."""
    return _SAVE_DPI[0]


@contextlib.contextmanager
def _held(cell: list[Any], value: Any) -> Iterator[None]:
    """``cell[0]`` set to ``value`` within, and back to what it was after."""
    before = cell[0]
    cell[0] = value
    try:
        yield
    finally:
        cell[0] = before


def at_dpi(dpi: float | None) -> contextlib.AbstractContextManager[None]:
    """PNG files saved within are saved at ``dpi`` (``None``: :data:`DPI`)."""
    return _held(_SAVE_DPI, DPI if dpi is None else dpi)


def dpi_arg(text: str) -> float:
    """``--dpi N``: a resolution from MIN_DPI to MAX_DPI.

    Raises:
        argparse.ArgumentTypeError: not a number in that range.
    """
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a number; give dots per inch, e.g. 300"
        ) from None
    if not MIN_DPI <= value <= MAX_DPI:
        raise argparse.ArgumentTypeError(
            f"{text} is outside {MIN_DPI:g} to {MAX_DPI:g} dots per inch; journals ask 300 "
            "to 600 of raster figures (or give --format pdf for a vector file)"
        )
    return value


def page_width() -> float | None:
    """The page width the figures are drawn to (:func:`at_page_width`), else ``None``."""
    return _PAGE_WIDTH[0]


def page_room() -> float:
    """The room a page-width figure's content has: the page's width less the padding the
    saved file puts round its tight bounding box (savefig.pad_inches each side)."""
    width = page_width()
    assert width is not None
    return width - 2 * float(plt.rcParams["savefig.pad_inches"])


def at_page_width(inches: float | None) -> contextlib.AbstractContextManager[None]:
    """Figures drawn within are drawn to fit ``inches`` (``None``: as wide as they need)."""
    return _held(_PAGE_WIDTH, inches)


def page_width_arg(text: str) -> float:
    """``--width INCHES``: a number of inches from MIN_WIDTH_IN to MAX_WIDTH_IN.

    Raises:
        argparse.ArgumentTypeError: (said as a usage error) anything else.
    """
    import argparse

    try:
        inches = float(text)
    except ValueError:
        inches = float("nan")
    if not MIN_WIDTH_IN <= inches <= MAX_WIDTH_IN:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a page's width: give the width in inches the figures are to "
            f"fit, from {MIN_WIDTH_IN:g} to {MAX_WIDTH_IN:g} (a journal's text width is "
            "about 6.5)"
        )
    return inches


def text_pt(points: float) -> float:
    """A font size as drawn: ``points``, raised to MIN_TEXT_PT at a page's width."""
    return max(points, MIN_TEXT_PT) if page_width() is not None else points


def page_columns(
    n: int, most: int, least_in: float, fixed_in: float = PAGE_LEFT_IN, gap_in: float = PAGE_GAP_IN
) -> int:
    """How many of ``n`` panels (at most ``most``) a row of a page-width figure holds, each
    at least ``least_in`` wide, ``gap_in`` apart, with ``fixed_in`` beside them (the row's
    labels, a colour bar); at least 1."""
    width = page_room()
    fits = int((width - fixed_in + gap_in) // (least_in + gap_in))
    return max(1, min(n, most, fits))


def fill_pages[T](items: Sequence[T], fits: Callable[[list[T]], bool]) -> list[list[T]]:
    """``items`` in order, in parts a page each: a part takes the next item while ``fits``
    holds of it with that item, else the item begins a part (one that does not fit alone
    is a part alone, and said when saved as too tall). The sensitivity charts' rows of
    panels (decision 960) and the heatmaps' rows of maps are split so."""
    parts: list[list[T]] = []
    for item in items:
        if parts and fits([*parts[-1], item]):
            parts[-1].append(item)
        else:
            parts.append([item])
    return parts


def wrap_to(text: str, inches: float, points: float) -> str:
    """``text`` wrapped to lines about ``inches`` wide at ``points`` (a character taken
    as 0.55 of the size wide), its own line breaks kept. Broken at spaces only: a word
    longer than a line stays whole on a line of its own ("Alignmen / t" read as two
    words; decision 956)."""
    chars = max(8, int(inches * 72.0 / (0.55 * points)))
    return "\n".join(
        textwrap.fill(line, chars, break_on_hyphens=False, break_long_words=False)
        for line in text.split("\n")
    )


def balanced_wrap(text: str, inches: float, points: float) -> str:
    """``text`` in as few lines as :func:`wrap_to` gives at ``inches``, of about the same
    length: wrapped narrower while the lines do not grow in number ("Elementary effect
    (the metric's change over the / parameter's range)" became "Elementary effect (the
    metric's / change over the parameter's range)"; decision 962)."""
    best = wrap_to(text, inches, points)
    lines = best.count("\n")
    if not lines:
        return best
    chars = max(8, int(inches * 72.0 / (0.55 * points)))
    for narrower in range(chars - 1, 7, -1):
        wrapped = "\n".join(
            textwrap.fill(line, narrower, break_on_hyphens=False, break_long_words=False)
            for line in text.split("\n")
        )
        if wrapped.count("\n") > lines:
            break
        best = wrapped
    return best


def lines_in(lines: int, points: float) -> float:
    """The height in inches of ``lines`` lines of text at ``points`` (matplotlib's line
    spacing)."""
    return lines * points * LINE_SPACING / 72.0


# A figure no one sees, where text is measured before a figure is laid out (a page-width
# figure's label room, its caption's height).
_SCRATCH: list[Figure] = []


def _scratch() -> Figure:
    """The figure no one sees (:data:`_SCRATCH`), made on first use."""
    if not _SCRATCH:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        scratch = Figure(dpi=DPI)
        FigureCanvasAgg(scratch)
        _SCRATCH.append(scratch)
    return _SCRATCH[0]


def text_size_in(text: str, points: float) -> tuple[float, float]:
    """The width and height in inches of ``text`` (lines and all) at ``points`` in the
    theme's font, as drawn at the saved resolution."""
    scratch = _scratch()
    drawn = scratch.text(0.0, 0.0, text, fontsize=points)
    try:
        box = drawn.get_window_extent(scratch.canvas.get_renderer())  # type: ignore[attr-defined]
        return float(box.width) / DPI, float(box.height) / DPI
    finally:
        drawn.remove()


def saved_size_in(data: bytes, fmt: str, dpi: float | None = None) -> tuple[float, float]:
    """The width and height in inches of a saved figure's file: a PNG's pixels at ``dpi``
    (default :func:`save_dpi`), an SVG's or a PDF's page size in points (NaN where not
    found)."""
    if fmt == "png":
        pixels = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        at = save_dpi() if dpi is None else dpi
        return pixels[0] / at, pixels[1] / at
    values: list[bytes | None]
    if fmt == "svg":
        found = [re.search(rb'<svg[^>]*\s' + side + rb'="([0-9.]+)pt"', data)
                 for side in (b"width", b"height")]  # fmt: skip
        values = [f.group(1) if f else None for f in found]
    else:
        box = re.search(rb"/MediaBox\s*\[\s*[0-9.]+\s+[0-9.]+\s+([0-9.]+)\s+([0-9.]+)", data)
        values = [box.group(1), box.group(2)] if box else [None, None]
    width, height = (float(v) / 72.0 if v else float("nan") for v in values)
    return width, height


def saved_width_in(data: bytes, fmt: str) -> float:
    """The width in inches of a saved figure's file (:func:`saved_size_in`)."""
    return saved_size_in(data, fmt)[0]


def saved_height_in(data: bytes, fmt: str) -> float:
    """The height in inches of a saved figure's file (:func:`saved_size_in`)."""
    return saved_size_in(data, fmt)[1]


def tight_height_in(fig: Figure) -> float:
    """The figure's height as saved at its resolution: its tight bounding box and the
    padding round it, inches (as :func:`_tight_width` measures its width)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return float(fig.get_tightbbox(renderer).height) + 2 * float(plt.rcParams["savefig.pad_inches"])


def _tight_width(fig: Figure, dpi: float = DPI) -> float:
    """The figure's width as saved at ``dpi`` (its tight bounding box and the padding
    round it, inches); measured there, the figure is left at DPI, laid out again."""
    try:
        fig.set_dpi(dpi)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        _lay_out(fig)
        pad = float(plt.rcParams["savefig.pad_inches"])
        return float(fig.get_tightbbox(renderer).width) + 2 * pad
    finally:
        if dpi != DPI:
            _saved_renderer(fig)
            _lay_out(fig)


def _lay_out(fig: Figure) -> None:
    """The figure's layout engine (constrained) run at its resolution now, if it has one."""
    if fig.get_layout_engine() is not None:
        with _no_collapse_warning():
            fig.get_layout_engine().execute(fig)  # type: ignore[union-attr]


def _widest_in(fig: Figure, artist: Artist) -> float:
    """Inches ``artist`` spans across, drawn at DPI and at the resolution the figure's file
    is saved at (:func:`save_dpi`), the wider: text is hinted to each resolution's pixels,
    and a legend fitted to a 6.5 in page at 150 dpi was 3% wider saved at 300 (6.56 in;
    an outside check, decision 1036)."""
    widths = []
    try:
        for dpi in dict.fromkeys((DPI, save_dpi())):
            fig.set_dpi(dpi)
            box = artist.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
            widths.append(float(box.width) / dpi)
    finally:
        _saved_renderer(fig)
    return max(widths)


@contextlib.contextmanager
def _no_collapse_warning() -> Iterator[None]:
    """Matplotlib's warning that a constrained layout found no room for the axes, left
    out: a figure too wide for the page is said once, by name (``plot``'s note)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
        yield


def _wrap_wide_titles(fig: Figure, width: float) -> None:
    """Titles wider than the page, rewrapped to it (a title is not made smaller). A
    panel's left title has the page less its y axis' labels left of it: over the whole
    page, "Gulf No Warming (calibration pattern)" ran past it by the labels' width, which
    no narrowing of the panel takes back (3.60 in at 3.5; an outside check, decision 962).
    """
    renderer = _saved_renderer(fig)
    texts: list[tuple[Text, float]] = []
    for ax in fig.axes:
        texts.append((ax.title, width))
        left = getattr(ax, "_left_title", None)
        if isinstance(left, Text):
            # The 0.1 the page's titles keep spare is kept in the labels' room.
            texts.append((left, width + 0.1 - _y_labels_in(ax, renderer)))
    suptitle = getattr(fig, "_suptitle", None)
    texts += [(suptitle, width)] if isinstance(suptitle, Text) else []
    for text, room in texts:
        words = text.get_text()
        if not words or not text.get_visible():
            continue
        if _widest_in(fig, text) > room - 0.1:
            text.set_text(wrap_to(" ".join(words.split()), room - 0.2, float(text.get_fontsize())))


def _y_labels_in(ax: Axes, renderer: Any) -> float:
    """Inches the y axis' tick labels and label take left of the panel (0 for a panel
    without axes)."""
    if not ax.axison:
        return 0.0
    box = ax.yaxis.get_tightbbox(renderer)
    if box is None:
        return 0.0
    return max(0.0, float(ax.get_window_extent(renderer).x0 - box.x0) / DPI)


def fit_page(fig: Figure, dpi: float | None = None) -> None:
    """At a page's width (:func:`page_width`): the figure made narrower, its text kept at
    its size, until its width saved at ``dpi`` (default :func:`save_dpi`) fits the page:
    the axes narrow, their labels, titles and legends do not. Titles wider than the page
    are wrapped first. A figure whose axes would come under MIN_AXES_IN is left at that
    and said not to fit when it is saved (:func:`render` leaves it wider; ``plot`` says
    so). Nothing at the default width."""
    if page_width() is None:
        return
    width = page_width() or 0.0
    _wrap_wide_titles(fig, page_room())
    at = save_dpi() if dpi is None else dpi
    for _ in range(6):
        _under_labels(fig)
        # Measured as saved: text is hinted to the file's pixels (_widest_in).
        wide = _tight_width(fig, at)
        if wide <= width + WIDTH_SLACK_IN / 2:
            return
        now = fig.get_figwidth()
        narrowest = min((ax.get_position().width * now for ax in fig.axes if ax.axison),
                        default=now)  # fmt: skip
        # The axes narrow in proportion; the overhang (labels, legends) stays.
        shrink = min(wide - width + WIDTH_SLACK_IN / 4, now - 1.0)
        share = shrink / now
        if narrowest * (1.0 - share) < MIN_AXES_IN or shrink <= 0:
            if narrowest > MIN_AXES_IN:
                fig.set_figwidth(now * MIN_AXES_IN / narrowest)
            break
        fig.set_figwidth(now - shrink)
    _under_labels(fig)


# On a page-width figure's legend under its panels (legend_below), the height its top is
# anchored at (figure fraction); on its caption (add_caption), True: each is moved left
# with the panels' labels (_under_labels).
_BELOW_ATTR = "_credsim_below"
# The left of a legend or caption under a page-width figure's panels, figure fraction.
BELOW_LEFT = 0.01


def _under_labels(fig: Figure) -> None:
    """A page-width figure's legend and caption under its panels (placed by figure
    fraction, not by a layout engine) start where the panels' y labels do, where these
    start left of BELOW_LEFT: a narrow figure's y label runs left of the figure's edge,
    and a legend at the edge then widened the file by as much, the more the figure was
    narrowed ("India 1962" 3.33 in at --width 3.3; an outside check, decision 1036)."""
    below = [a for a in [*fig.legends, *fig.texts] if hasattr(a, _BELOW_ATTR)]
    shown = [ax for ax in fig.axes if ax.axison]
    if not below or not shown:
        return
    renderer = _saved_renderer(fig)
    boxes = [box for ax in shown if (box := ax.get_tightbbox(renderer)) is not None]
    starts = min((float(box.x0) for box in boxes), default=0.0) / float(fig.bbox.width)
    left = min(BELOW_LEFT, starts)
    for artist in below:
        if isinstance(artist, Text):
            artist.set_x(left)
        elif isinstance(artist, Legend):
            artist.set_bbox_to_anchor(
                (left, getattr(artist, _BELOW_ATTR)), transform=fig.transFigure
            )


def legend_below(
    fig: Figure, handles: Sequence[Artist], title: str, *, below_in: float | None = None
) -> Any:
    """At a page's width, a figure's legend under its panels (the page has no room beside
    them): as many columns as fit the page, its left at the figure's, ``below_in`` inches
    under the lowest panels (default: under their tick and axis labels)."""
    shown = [ax for ax in fig.axes if ax.axison]
    lowest = min((ax.get_position().y0 for ax in shown), default=0.0)
    # At the figure's left edge, where the y labels start (or left of it, with them:
    # _under_labels): a legend that fits the page from there stays in it however the
    # figure is narrowed (fit_page).
    left = BELOW_LEFT
    drop = below_in if below_in is not None else max(0.45, _tick_labels_in(shown, lowest))
    kept = [h for h in handles if h.get_label()]  # no blank spacer rows across columns
    # A constrained layout places the panels when drawn, and makes room for a legend
    # "outside" the panels; else the legend is put under where the panels are.
    constrained = isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    top = lowest - drop / fig.get_figheight()
    place: dict[str, Any] = (
        {"loc": "outside lower left"}
        if constrained
        else {"loc": "upper left", "bbox_to_anchor": (left, top)}
    )
    legend = _page_legend(fig, kept, title, place)
    if legend is not None and not constrained:
        setattr(legend, _BELOW_ATTR, top)
    return legend


def _page_legend(fig: Figure, kept: Sequence[Artist], title: str, place: dict[str, Any]) -> Any:
    """:func:`legend_below`'s legend of ``kept`` at ``place``: as many columns as fit the
    page, its entries wrapped when one column is still wider."""
    width = page_room()
    legend = None
    for columns in range(len(kept), 0, -1):
        if legend is not None:
            legend.remove()
        legend = fig.legend(
            handles=kept,
            title=title or None,
            ncol=columns,
            frameon=False,
            columnspacing=1.2,
            handletextpad=0.5,
            **place,
        )
        if _widest_in(fig, legend) <= width - 0.15:
            break
    if legend is not None and _widest_in(fig, legend) > width - 0.15:
        # One column still wider than the page: its long entries wrapped at spaces ("x
        # estimate outside [0, 1], drawn at the bound" made a 3 in chart 3.45 in wide).
        for text in legend.get_texts():
            text.set_text(wrap_to(text.get_text(), width - 0.7, float(text.get_fontsize())))
    return legend


def legend_below_in(handles: Sequence[Artist], title: str) -> float:
    """The height in inches of the legend :func:`legend_below` draws of ``handles`` at a
    page's width (measured on a figure no one sees; the handles may be stand-ins, such as
    patches and lines of the same labels, not yet in a figure)."""
    scratch = _scratch()
    legend = _page_legend(
        scratch, [h for h in handles if h.get_label()], title, {"loc": "upper left"}
    )
    try:
        if legend is None:
            return 0.0
        return float(legend.get_window_extent(_saved_renderer(scratch)).height) / DPI
    finally:
        if legend is not None:
            legend.remove()


# Differences and changes, red above 0 and blue below (the headline, the heatmaps of a
# change, the findings' boundary map).
DIVERGING_CMAP = "RdBu_r"


def set_theme() -> None:
    """seaborn's white-grid theme at paper scale, font scale 1.1, from matplotlib's copy
    of seaborn's styles (importing seaborn itself costs a second per report)."""
    plt.style.use(_THEME)
    plt.rcParams.update(
        {
            "axes.labelsize": 8.8 * _FONT_SCALE,
            "axes.titlesize": 9.6 * _FONT_SCALE,
            "legend.fontsize": 8.0 * _FONT_SCALE,
            "xtick.labelsize": 8.0 * _FONT_SCALE,
            "ytick.labelsize": 8.0 * _FONT_SCALE,
            # Every text drawn as written: the figures hold users' names and labels, and
            # matplotlib read two $ as maths ("Aid of $5bn to $10bn" drew "Aid of 5*bnto*10bn",
            # the middle in italics); credsim's own words use no mathtext.
            "text.parse_math": False,
            # Users' names in any script: the fonts of wide coverage installed, glyph by
            # glyph after the theme's (sim.plots.glyphs); a letter none has is said once.
            "font.family": font_family(),
        }
    )
    quiet_missing_glyphs()


# A cell of a map that no run reached: light grey, hatched, which neither colour scale
# (viridis, RdBu_r) holds. Left blank it showed white, the diverging scale's 0 (a
# reviewer's finding, decision 926).
NO_RUN_FACE = "0.86"
NO_RUN_WORDS = "a hatched grey cell has no run"


def value_mesh(ax: Axes, table: pd.DataFrame, cmap: str, norm: Normalize) -> QuadMesh:
    """A ``table`` (rows: y values ascending, columns: x values ascending; text in
    :func:`~sim.analysis.paired.value_order`) as cells at integer positions, ticks
    labelled with the values run, a cell with no value (no run reached it) hatched grey
    (``NO_RUN_WORDS`` says so in a caption).

    Returns:
        The mesh (its array is the table's values, row by row, y ascending).
    """
    xs, ys = table.columns.to_numpy(), table.index.to_numpy()
    values = table.to_numpy(np.float64)
    mesh = ax.pcolormesh(
        np.arange(len(xs) + 1) - 0.5,
        np.arange(len(ys) + 1) - 0.5,
        values,
        cmap=cmap,
        norm=norm,
        shading="flat",
    )
    for row, col in np.argwhere(~np.isfinite(values)):
        ax.add_patch(
            Rectangle(
                (col - 0.5, row - 0.5), 1, 1, facecolor=NO_RUN_FACE, edgecolor="0.55",
                hatch="////", lw=0.0, gid="no-run",
            )
        )  # fmt: skip
    ax.set_xticks(np.arange(len(xs)), distinct_texts(list(xs)))
    ax.set_yticks(np.arange(len(ys)), distinct_texts(list(ys)))
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    ax.grid(False)
    return mesh


def to_datetime(dates: pd.Series | Sequence[str]) -> pd.Series:
    """``"YYYY-MM"`` labels as datetimes (the first of the month)."""
    return pd.to_datetime(pd.Series(dates), format="%Y-%m")


def step_times(frame: pd.DataFrame) -> pd.Series:
    """Where each row's step sits on a time axis: the end of its period.

    A step's values are the state at the end of its period (model.md section 3: the
    events of the period, then the network, then the alignment), and its date label is
    the period's first month. Drawn at the label, a line reached an event's effect at the
    event's own line and so seemed to move in the month before it (an outside check,
    decision 1004); drawn at the period's end (the next period's first day), the line
    moves after the event's line, within the event's period. Step 0, the initial state,
    sits at the calendar's start, where the first period begins (its label is step 1's).
    """
    when = to_datetime(frame["date"]).set_axis(frame.index)
    later = frame["step"] > 0
    when[later] = when[later] + pd.DateOffset(months=step_months(frame))
    return when


def step_months(frame: pd.DataFrame) -> int:
    """The calendar's step in months (1, 3 or 12), read from the labels of steps 1 and 2
    (1 when the frame has fewer steps)."""
    steps = frame["step"]
    first = frame.loc[steps == 1, "date"]
    later = frame.loc[steps == 2, "date"]
    if len(later) and len(first):
        return max(parse_month(later.iloc[0]) - parse_month(first.iloc[0]), 1)
    return 1


def initial_note(frame: pd.DataFrame) -> str:
    """The caption's sentence on where a line's points sit (:func:`step_times`): each at
    the end of its period, the first at the calendar's start. A reader took a point drawn
    at its period's start for the state then (decisions 938 and 1004). ``""`` without
    step 0, or when the scenarios' first steps fall in different months."""
    firsts = distinct(frame.loc[frame["step"] == 1, "date"])
    if not (frame["step"] == 0).any() or len(firsts) != 1:
        return ""
    months = step_months(frame)
    unit = {1: "month", 3: "quarter", 12: "year"}.get(months, f"{months}-month period")
    return (
        f"Each point is the state at the end of its {unit}, drawn at the next one's start "
        f"(an event's effect follows its dotted line); a line's first point, at "
        f"{firsts[0]}, is the initial state."
    )


def date_label(frame: pd.DataFrame) -> str:
    """The time axis' label: ``Date (month)``, ``(quarter)`` or ``(year)`` by the step."""
    unit = {1: "month", 3: "quarter", 12: "year"}.get(step_months(frame))
    return f"Date ({unit})" if unit else "Date"


def date_axis(ax: Axes, max_ticks: int = 10) -> None:
    """Readable dates on the x axis: automatic ticks (at most ``max_ticks``), concise
    labels, no margin before the first date or after the last."""
    ax.margins(x=0)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=max_ticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def group_order(groups: Iterable[str], declared: Iterable[str] = ()) -> list[str]:
    """Groups in panel order: ``all`` first, then those of ``declared`` in its order (the
    scenarios' own order of their groups, as :func:`group_phrases` keeps it: Syria's
    Arab League, Levant, Gulf ... rather than the alphabet's Africa first), the others
    by name."""
    place = {g: i for i, g in enumerate(dict.fromkeys(declared))}
    return sorted(distinct(groups), key=lambda g: (g != GROUP_ALL, place.get(g, len(place)), g))


def with_scenarios(
    frame: pd.DataFrame, scenarios: Sequence[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The frame with a ``scenario`` column (``""`` when it has none) and the scenario
    order: ``scenarios`` when given, else order of appearance."""
    frame = frame if "scenario" in frame else frame.assign(scenario="")
    order = list(scenarios) if scenarios is not None else distinct(frame["scenario"])
    return frame, order


def panel_grid(
    n: int,
    panel_in: tuple[float, float],
    pad_in: tuple[float, float],
    *,
    hspace: float,
    wspace: float,
    page_in: tuple[float, float, float] = (2.2, PAGE_LEFT_IN, PAGE_GAP_IN),
    page_rows: tuple[float, float, float, float] | None = None,
) -> tuple[Figure, np.ndarray]:
    """A figure of ``n`` panels, up to 3 a row, each ``panel_in`` (width, height) inches
    plus ``pad_in`` for the whole figure; the spare axes of the last row are hidden.

    At a page's width (:func:`page_width`) the row holds as many panels as fit it, each
    at least ``page_in[0]`` inches wide (at most ``panel_in``'s), with ``page_in[1]``
    inches at the left for the labels and ``page_in[2]`` between panels; the legend goes
    under them (:func:`outside_legend`), so ``pad_in``'s width is not kept for it.
    ``page_rows`` (axes height, gap between rows, room above the first row and under
    the last, inches), when given, sets the rows there in inches, not as shares of the
    axes' height: a gap a share of tall axes was some 2 in of white (decision 960).

    Returns:
        The figure and its axes as a 2-D array (the panels in ``axes.flat[:n]``).
    """
    if page_width() is not None:
        width = page_room()
        least, left, gap = page_in
        n_cols = page_columns(n, 3, least, left, gap)
        wide = min(panel_in[0], (width - left - 0.1 - (n_cols - 1) * gap) / n_cols)
        fig_in = left + n_cols * wide + (n_cols - 1) * gap + 0.1
        n_rows = int(np.ceil(n / n_cols))
        high = panel_in[1] * n_rows + pad_in[1]
        rows: dict[str, float] = {"hspace": hspace}
        if page_rows is not None:
            axes_in, between, top, bottom = page_rows
            high = top + n_rows * axes_in + (n_rows - 1) * between + bottom
            rows = {"hspace": between / axes_in, "top": 1.0 - top / high, "bottom": bottom / high}
        fig, axes = plt.subplots(
            n_rows,
            n_cols,
            figsize=(fig_in, high),
            squeeze=False,
            gridspec_kw={
                **rows,
                "wspace": gap / wide,
                "left": left / fig_in,
                "right": 1.0 - 0.1 / fig_in,
            },
        )
        for ax in axes.flat[n:]:
            ax.set_axis_off()
        return fig, axes
    n_cols = min(3, n)
    n_rows = int(np.ceil(n / n_cols))
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(panel_in[0] * n_cols + pad_in[0], panel_in[1] * n_rows + pad_in[1]),
        squeeze=False,
        gridspec_kw={"hspace": hspace, "wspace": wspace},
    )
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    return fig, axes


def outside_legend(
    ax: Axes, title: str, handles: Sequence[Artist] | None = None, x: float = 1.02
) -> None:
    """A frameless legend to the right of ``ax``, its top at the axes' top (``x`` in
    axes fractions); the saved file's tight bounding box keeps it in. At a page's width,
    under the figure's panels instead (:func:`legend_below`)."""
    if page_width() is not None:
        figure = ax.get_figure()
        assert isinstance(figure, Figure)
        given = handles if handles is not None else ax.get_legend_handles_labels()[0]
        legend_below(figure, given, title)
        return
    ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(x, 1.0),
        frameon=False,
    )


# A figure's heading (:func:`add_heading`), points, and its gap over the figure, inches.
HEADING_PT = 11.0
_HEADING_GAP_IN = 0.08


def add_heading(fig: Figure, text: str, over: Sequence[Axes] = ()) -> None:
    """``text`` over the whole figure, left-aligned (its ``suptitle``): which of a folder's
    scenarios the figure holds, where it holds some of them (decision 967). Wrapped to a
    page's width. A figure with a layout engine (constrained) makes room for it; any
    other is drawn as it is, and the heading goes over its drawn content, so it is added
    last: over the axes ``over`` (the top row's, measured with their titles, labels and
    legends; measuring the whole figure took a fifth of its drawing), else the whole."""
    if page_width() is not None:
        text = wrap_to(text, page_room() - 0.2, HEADING_PT)
    if fig.get_layout_engine() is not None:
        fig.suptitle(text, x=0.01, ha="left", fontsize=HEADING_PT)
        return
    renderer = _saved_renderer(fig)
    if over:
        box = Bbox.union([b for ax in over if (b := ax.get_tightbbox(renderer)) is not None])
        x0, y1 = float(box.x0) / fig.dpi, float(box.y1) / fig.dpi
    else:
        whole = fig.get_tightbbox(renderer)  # inches
        x0, y1 = float(whole.x0), float(whole.y1)
    fig.suptitle(
        text,
        x=x0 / fig.get_figwidth(),
        y=(y1 + _HEADING_GAP_IN) / fig.get_figheight(),
        ha="left",
        va="bottom",
        fontsize=HEADING_PT,
    )


def heading_in(text: str) -> float:
    """The height in inches :func:`add_heading`'s heading of ``text`` adds over a
    page-width figure (its lines as wrapped there, and its gap)."""
    lines = wrap_to(text, page_room() - 0.2, HEADING_PT).count("\n") + 1
    return lines_in(lines, HEADING_PT) + _HEADING_GAP_IN


def band(frame: pd.DataFrame, by: Sequence[str], value: str = "value") -> pd.DataFrame:
    """Mean and 95% interval of ``value`` across the rows of each ``by`` cell.

    Returns:
        One row per cell: the ``by`` columns, ``mean``, ``lo`` and ``hi``
        (2.5 and 97.5 percentiles, equal to the mean for a single run) and
        ``n`` (rows in the cell).
    """
    tail = (100.0 - BAND_LEVEL) / 200.0
    grouped = frame.groupby(list(by), sort=True, observed=True)[value]
    out = grouped.agg(mean="mean", n="size")
    out["lo"] = grouped.quantile(tail)
    out["hi"] = grouped.quantile(1.0 - tail)
    return out.reset_index()


def time_band(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """:func:`band` per step within each ``by`` cell, with each step's time ``when``
    (:func:`step_times`), sorted by time."""
    timed = frame.assign(when=step_times(frame))
    return band(timed, [*by, "step", "when"])


def draw_band(
    ax: Axes, x: np.ndarray | pd.Series, cell: pd.DataFrame, color: str, **line_kw: object
) -> None:
    """The mean as a line and, when there is more than one run, the 95% band under it."""
    ax.plot(x, cell["mean"].to_numpy(), color=color, lw=1.8, zorder=3, **line_kw)  # type: ignore[arg-type]
    if int(cell["n"].max()) > 1:
        ax.fill_between(
            x,
            cell["lo"].to_numpy(),
            cell["hi"].to_numpy(),
            color=color,
            alpha=BAND_ALPHA,
            lw=0,
            zorder=2,
        )


def nice(name: str) -> str:
    """A group, metric or parameter name as words (``arab_league`` -> ``arab league``)."""
    return "all states" if name == GROUP_ALL else name.replace("_", " ")


_ACRONYMS = {
    *("asean", "au", "brics", "cmea", "csto", "ecowas", "eu", "gcc", "nam", "nato", "oas"),
    *("oic", "opec", "prc", "sadc", "sco", "seato", "uk", "un", "us", "usa", "ussr"),
    # Organisations, states and armed groups of the cases researchers bring (an audit's
    # "Arab League After Isis"); none is an English word that an id would hold.
    *("isis", "isil", "plo", "uae", "dprk", "drc", "gdr", "frg", "cento", "anzus", "saarc"),
    *("imf", "nafta", "osce", "csce", "apec", "iaea", "unsc", "unga", "prg", "dvr", "nlf"),
    *("arvn", "rvn", "sdf", "ypg", "pkk", "fsa", "cpa", "mpla", "unita", "frelimo", "anc"),
}


# Words a title keeps in lower case after its first word (``Allies vs Latin``, ``States
# in Africa``), as headline style does.
_MINOR_WORDS = frozenset(
    ("a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "via")
)


# An id: ASCII lower-case letters and digits, words joined by "_" or "-" (``arab_league``,
# ``sub-saharan_africa``), the form a scenario's names take when they are not written out.
_ID = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")


def proper(name: str) -> str:
    """A bloc, region or group name as a proper name: an id's words titled,
    ``arab_league`` -> ``Arab League``, ``csto`` -> ``CSTO``, ``plo_and_uae`` -> ``PLO and
    UAE`` (short joining words after the first stay in lower case); a name written out
    (with a space, a capital, an apostrophe, a letter beyond ASCII, any other sign) with
    its letters as written: "afrique de l'ouest" was drawn "Afrique De L'ouest" and "cost
    $ group" "Cost $ Group" (an outside check), ``EU_members`` is "EU members"."""
    if not _ID.fullmatch(name):
        # Its letters as written; an underscore between words (``EU_members``) a space.
        return name if " " in name else name.replace("_", " ")
    parts = name.replace("_", " ").split()
    return " ".join(_title_word(w, first=i == 0) for i, w in enumerate(parts))


def _title_word(word: str, first: bool) -> str:
    """One word of :func:`proper`'s title."""
    if word != word.lower():
        return word  # written with capitals: kept
    if is_acronym(word):
        return word.upper()
    if not first and word in _MINOR_WORDS:
        return word
    return word.capitalize()


# Short words without a vowel that are abbreviations read with one capital (``St Lucia``).
_ABBREVIATIONS = frozenset(("st", "mt", "mr", "mrs", "dr", "jr", "sr"))


def is_acronym(word: str) -> bool:
    """Whether a lower-case word of an id is an acronym: a known one (:data:`_ACRONYMS`),
    or two letters or more that no English word is made of, none of a, e, i, o, u, y
    (``nsc``, ``fln``) or nothing but those vowels (``oau``, ``eu``). The Horn case's
    bloc ``oau`` read "Oau states" (an outside check; decision 836)."""
    if word in _ACRONYMS:
        return True
    if len(word) < 2 or not (word.isascii() and word.isalpha()) or word != word.lower():
        return False
    if word in _MINOR_WORDS or word in _ABBREVIATIONS:
        return False
    return not set(word) & set("aeiouy") or set(word) <= set("aeiou")


def id_words(name: str) -> str:
    """An id in words, lower case but for its acronyms: ``arab_league_after_isis`` ->
    ``arab league after ISIS`` (a tick label, where :func:`proper`'s capitals are too much)."""
    return " ".join(w.upper() if is_acronym(w) else w for w in name.replace("_", " ").split())


def group_phrase(group: str, definition: Mapping[str, Any] | None = None) -> str:
    """A group as it follows a trust value in words, from its ``outputs.groups`` entry.

    ``all`` -> ``among all states``; ``{bloc: arab_league}`` -> ``among Arab League
    states``; ``{region: africa}`` -> ``among states in Africa``; ``{members: [Syria]}``
    -> ``of Syria``; several members -> ``among <Name> (n members)``; no definition ->
    ``among <name in words>``.
    """
    if group == GROUP_ALL:
        return "among all states"
    if not definition:
        return f"among {nice(group)}"
    members = definition.get("members") or []
    if len(members) == 1 and len(definition) == 1:
        return f"of {members[0]}"
    if members:
        return f"among {proper(group)} ({len(members)} members)"
    if set(definition) == {"bloc"}:
        return f"among {proper(str(definition['bloc']))} states"
    if set(definition) == {"region"}:
        return f"among states in {proper(str(definition['region']))}"
    if set(definition) == {"bloc", "region"}:
        # The states in both (an outside check read a group of Sahel's ECOWAS states,
        # titled with its name alone, as all of the Sahel; decision 844).
        bloc, region = proper(str(definition["bloc"])), proper(str(definition["region"]))
        return f"among {bloc} states in {region}"
    return f"among {proper(group)} states"


def group_title(phrase: str) -> str:
    """A group phrase as a title or row label, without its preposition, capitalised where
    it starts with credsim's own words (``among Arab League states`` -> ``Arab League
    states``, ``among states in Africa`` -> ``States in Africa``, ``of Syria`` ->
    ``Syria``, ``among levant`` -> ``Levant``); a name written out that starts it is as
    the user wrote it (``of côte d'Ivoire`` -> ``côte d'Ivoire``, ``among cost $ group (2
    members)`` -> ``cost $ group (2 members)``)."""
    bare = phrase.split(" ", 1)[1] if phrase.startswith(("among ", "of ")) else phrase
    name = re.sub(r" \(\d+ members\)$", "", bare).replace(" ", "_")
    own = bare.startswith(("all states", "states ")) or _ID.fullmatch(name)
    return bare[:1].upper() + bare[1:] if own else bare


def is_one_state(phrase: str) -> bool:
    """Whether a group phrase (:func:`group_phrase`) is of a single state (``of Syria``)."""
    return phrase.startswith("of ")


def group_heading(phrase: str) -> str:
    """:func:`group_title` for a panel, ``(1 state)`` after a single state's name: its
    shares are 0 or 1 in each run, and the title says why its line steps."""
    return group_title(phrase) + (" (1 state)" if is_one_state(phrase) else "")


def group_phrases(trees: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """:func:`group_phrase` of every output group of some resolved scenario trees."""
    phrases = {GROUP_ALL: group_phrase(GROUP_ALL)}
    for tree in trees.values():
        for name, definition in ((tree.get("outputs") or {}).get("groups") or {}).items():
            phrases.setdefault(name, group_phrase(name, definition))
    return phrases


# Under this many runs (40 or fewer) the 2.5 and 97.5 percentiles lie between the
# outermost two runs at each end: the band is then close to the runs' whole range.
FEW_RUNS = 41


def band_note(runs_per_cell: int) -> str:
    """How to read the line and band, for captions.

    With fewer than ``FEW_RUNS`` runs the percentiles are interpolated between
    the two lowest and the two highest runs, so the band is close to their
    range (95% of it at two runs) and says little about a 95% spread: the
    caption says so (decision 494).
    """
    if runs_per_cell <= 1:
        return "One run (no band)."
    few = (
        f" (with {runs_per_cell} runs this is close to their whole range, not an estimate "
        "of a 95% spread)"
        if runs_per_cell < FEW_RUNS
        else ""
    )
    return f"Line: mean of {runs_per_cell} runs; band: 95% of runs (2.5-97.5 percentiles){few}."


# Two lines closer than this at every point are said to coincide: drawn one over the
# other, the later covers the earlier and a reader takes a scenario or power as missing.
COINCIDE = 1e-3
# At most this many coinciding sets are named in a caption; the rest are counted.
MAX_COINCIDING = 8


def coinciding(lines: Mapping[Any, np.ndarray], tol: float = COINCIDE) -> list[list[Any]]:
    """Sets of ``lines`` (key -> y values at the same x) that are within ``tol`` of each
    other at every point (a missing value only against a missing value), in the order
    given; each set has two or more keys. A line joins the first set whose first line
    it is within ``tol`` of. A line with no value at all is not drawn and coincides
    with nothing: a sweep over two cases said the powers of one case, absent from the
    other, "coincide" there (an outside check of new cases; decision 996)."""
    sets: list[list[Any]] = []
    for key, values in lines.items():
        if not np.isfinite(np.asarray(values, dtype=np.float64)).any():
            continue
        for found in sets:
            first = lines[found[0]]
            if len(first) == len(values) and bool(
                np.isclose(first, values, rtol=0.0, atol=tol, equal_nan=True).all()
            ):
                found.append(key)
                break
        else:
            sets.append([key])
    return [found for found in sets if len(found) > 1]


def coincide_text(metric: str, group: str, lines: Sequence[tuple[str, str]],
                  phrases: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """One set of coinciding lines ``(scenario, power)`` of ``metric`` (a series or summary
    family name) in ``group`` in words: "'abstained' and 'historical' coincide for mean
    trust in USA among all states", "mean trust in USA and France among all states
    coincide in 'historical'"."""
    scenarios = list(dict.fromkeys(s for s, _ in lines))
    powers = list(dict.fromkeys(p for _, p in lines))
    subject, tail = in_words([f"'{s}'" for s in scenarios]), ""
    if len(powers) == 1:
        who = powers[0]
    elif len(scenarios) == 1:
        who = in_words(powers)
        tail = f" in '{scenarios[0]}'" if scenarios[0] else ""
    else:
        who = in_words([f"{p} ('{s}')" for s, p in lines])
    if parse_metric(f"{metric}.{who}.{group}") is not None:
        what = metric_label(f"{metric}.{who}.{group}", phrases)[0]
    else:  # a group-level metric (effective poles): no power
        what = metric_label(f"{metric}.{group}", phrases)[0]
    # "Mean trust in ..." reads on in lower case; "Syria's mean trust ..." keeps its name.
    what = in_sentence(what, (phrases or {}).get(group) or group_phrase(group))
    if len(powers) > 1:
        return f"{what} coincide{tail}"
    return f"{subject} coincide for {what}"


def coincide_texts(
    found: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
    phrases: Mapping[str, str] | None = None,
) -> list[str]:
    """:func:`coincide_text` of each ``(metric, group, lines)``, the powers whose lines
    coincide across the same scenarios in one panel said together ("'historical' and
    'abstained' coincide for mean trust in each of USA and China among all states")."""
    texts: dict[tuple[str, str, tuple[str, ...]] | int, list[str]] = {}
    for i, (metric, group, lines) in enumerate(found):
        powers = list(dict.fromkeys(p for _, p in lines))
        if len(powers) == 1:
            scenarios = tuple(dict.fromkeys(s for s, _ in lines))
            texts.setdefault((metric, group, scenarios), []).append(powers[0])
        else:
            texts[i] = [coincide_text(metric, group, lines, phrases)]
    out = []
    for key, powers in texts.items():
        if isinstance(key, int):
            out.extend(powers)
            continue
        metric, group, scenarios = key
        who = powers[0] if len(powers) == 1 else f"each of {in_words(powers)}"
        out.append(coincide_text(metric, group, [(s, who) for s in scenarios], phrases))
    return out


def coincide_note(texts: Sequence[str]) -> str:
    """The caption's sentence on coinciding lines (``""`` when there are none)."""
    if not texts:
        return ""
    named = list(texts[:MAX_COINCIDING])
    more = len(texts) - len(named)
    listed = "; ".join(named) + (f"; and {more} more" if more else "")
    return (
        f"Lines that coincide (within {COINCIDE:g} at every point; one line covers the "
        f"other): {listed}."
    )


def add_caption(fig: Figure, text: str) -> None:
    """A caption under the lowest axes' tick and axis labels, wrapped to the figure's
    width and kept in the file by the tight bounding box.

    The labels' height is estimated (about 0.6 inch) rather than measured, since
    measuring means drawing the whole figure once more.
    """
    shown = [ax for ax in fig.axes if ax.axison]
    lowest = min((ax.get_position().y0 for ax in shown), default=0.0)
    y = lowest - max(_CAPTION_GAP_IN, _tick_labels_in(shown, lowest)) / fig.get_figheight()
    if page_width() is not None and fig.legends:
        # At a page's width the legend is under the panels (legend_below): the caption
        # goes under it (wrapped, as always, to the figure's width).
        renderer = _saved_renderer(fig)
        bottom = min(legend.get_window_extent(renderer).y0 for legend in fig.legends)
        y = min(
            y,
            float(fig.transFigure.inverted().transform((0.0, bottom))[1])
            - CAPTION_GAP_IN / fig.get_figheight(),
        )
    if page_width() is None:
        fig.text(0.01, y, text, ha="left", va="top", fontsize=8, color="0.3", wrap=True)
        return
    # At a page's width: wrapped to the page, measured (:func:`page_caption`).
    caption = fig.text(
        BELOW_LEFT, y, page_caption(text), ha="left", va="top", fontsize=CAPTION_PT, color="0.3"
    )
    setattr(caption, _BELOW_ATTR, True)


# A caption's size, points.
CAPTION_PT = 8.0
# The gap between a page-width figure's legend and its caption, inches (add_caption).
CAPTION_GAP_IN = 0.1


def page_caption(text: str) -> str:
    """A caption wrapped to the page, measured: matplotlib's own wrapping ran past the
    figure's edge, and the figure was then narrowed for the caption's sake."""
    wrapped = text
    for chars in range(int(page_room() * 72.0 / (0.5 * CAPTION_PT)), 20, -4):
        wrapped = "\n".join(
            textwrap.fill(line, chars, break_on_hyphens=False, break_long_words=False)
            for line in text.split("\n")
        )
        if text_size_in(wrapped, CAPTION_PT)[0] <= page_room() - 0.3:
            break
    return wrapped


def caption_in(text: str) -> float:
    """The height in inches :func:`add_caption` takes under a page-width figure's legend
    for ``text`` (its gap and its wrapped lines); 0 for no text."""
    if not text:
        return 0.0
    return CAPTION_GAP_IN + text_size_in(page_caption(text), CAPTION_PT)[1]


def _tick_labels_in(axes: Sequence[Axes], lowest: float) -> float:
    """Inches under the lowest axes that tick labels of several lines take (each line at
    its font size, spaced 1.2), with the axis label and a gap: the calibration's predictive
    figure breaks its pattern names over up to six lines, which ran into the caption (an
    outside check, decision 826). Counted from the labels' text, not drawn."""
    need = 0.0
    for ax in axes:
        if ax.get_position().y0 > lowest + 1e-9:
            continue
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        if not labels:
            continue
        lines = max(t.get_text().count("\n") + 1 for t in labels)
        size = float(labels[0].get_fontsize())
        label = float(ax.xaxis.label.get_fontsize()) * 1.6 if ax.get_xlabel() else 0.0
        if page_width() is not None and ax.get_xlabel():
            # An x label of several lines at a page's width (the correlation figure's,
            # wrapped to its panel) came down to the legend's entries (decision 962).
            label += float(ax.xaxis.label.get_fontsize()) * 1.2 * ax.get_xlabel().count("\n")
        if abs(float(labels[0].get_rotation()) - 90.0) < 1.0:
            # Turned upright (the predictive figure's at a page's width, decision 1032):
            # as tall as their longest line is wide, about 0.62 of the size a character.
            longest = max(len(line) for t in labels for line in t.get_text().split("\n"))
            height = longest * size * 0.62 + label
        else:
            height = lines * size * 1.2 + label
        need = max(need, (height + 12.0) / 72.0)
    return need


# Pixels that must lie between two tick labels, as saved.
LABEL_PAD = 4.0


def _saved_renderer(figure: Any) -> Any:
    """The figure's renderer at the saved resolution, where its labels are measured."""
    figure.set_dpi(DPI)
    return figure.canvas.get_renderer()


def crowded(labels: Sequence[Text], pad_px: float = LABEL_PAD) -> bool:
    """Whether some two neighbouring (non-empty) tick labels overlap, or come within
    ``pad_px`` pixels of each other, as drawn at the saved resolution. Labels turned by
    an angle are apart when their ticks are further apart, across the text's slant,
    than a line of the text is high."""
    shown = [t for t in labels if t.get_visible() and t.get_text()]
    if len(shown) < 2:
        return False
    figure = shown[0].get_figure()
    assert figure is not None
    renderer = _saved_renderer(figure)
    angle = np.radians(shown[0].get_rotation())
    if angle:
        high = float(shown[0].get_fontsize()) * figure.dpi / 72.0 * 1.2
        places = sorted(float(t.get_transform().transform(t.get_position())[0]) for t in shown)
        return any((b - a) * np.sin(angle) < high + pad_px for a, b in itertools.pairwise(places))
    boxes = sorted((t.get_window_extent(renderer) for t in shown), key=lambda b: b.x0)
    return any(a.x1 + pad_px > b.x0 for a, b in itertools.pairwise(boxes))


def spread_ticks(ax: Axes, *, rotate: bool = False, pad_px: float = LABEL_PAD) -> None:
    """Keep the x axis' tick labels apart: when drawn they run into each other, rotate
    them (``rotate``: names, dates, which cannot be guessed from their neighbours) and
    then, while they still touch, label only every second, third ... tick (the ticks
    stay). Measured on the figure at its final size, at the saved resolution; ``pad_px``:
    the pixels that must lie between two labels there."""
    ticks = list(ax.get_xticks())
    texts = [t.get_text() for t in ax.get_xticklabels()]

    def apart() -> bool:
        if rotate:
            for label in ax.get_xticklabels():
                label.set(rotation=35, ha="right", rotation_mode="anchor")
        return not crowded(ax.get_xticklabels(), pad_px)

    if not crowded(ax.get_xticklabels(), pad_px) or apart():
        return
    if not rotate:
        _room_for_labels(ax, ticks, texts, pad_px)
        return
    for stride in range(2, len(ticks) + 1):
        ax.set_xticks(ticks, [t if i % stride == 0 else "" for i, t in enumerate(texts)])
        if apart():
            return


def _room_for_labels(
    ax: Axes, ticks: list[float], texts: list[str], pad_px: float = LABEL_PAD
) -> None:
    """Label the ticks whose labels have room, left to right, the first and the last
    kept: every second tick by position dropped 0.95 of a memory grid 0.9, 0.95, 0.98,
    0.99, 1 with room for it, to keep 0.98 and 1 apart (an outside check, decision 942).
    The ticks stay."""
    figure = ax.get_figure()
    assert figure is not None
    renderer = _saved_renderer(figure)
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
    order = sorted((i for i, t in enumerate(texts) if t), key=lambda i: boxes[i].x0)
    if not order:
        return

    def clear(a: int, b: int) -> bool:
        return boxes[a].x1 + pad_px <= boxes[b].x0

    kept = [order[0]]
    for i in order[1:]:
        if clear(kept[-1], i):
            kept.append(i)
    last = order[-1]
    if kept[-1] != last:
        while len(kept) > 1 and not clear(kept[-1], last):
            kept.pop()
        if clear(kept[-1], last):
            kept.append(last)
    chosen = set(kept)
    ax.set_xticks(ticks, [t if i in chosen else "" for i, t in enumerate(texts)])


# The dates matplotlib can show: years 0001 to 9999.
_FIRST_DAY = float(mdates.date2num(np.datetime64("0001-01-01")))
_LAST_DAY = float(mdates.date2num(np.datetime64("9999-12-31")))


def _dates_in_range(fig: Figure) -> None:
    """Keep every date axis within the dates matplotlib can show: the margin it adds
    around a calendar that starts in the year 0001 reached back into the year 0, and
    the figure failed with a traceback ("Matplotlib dates must be between year 0001 and
    9999") after the run (an audit)."""
    for ax in fig.get_axes():
        if type(ax.xaxis.get_converter()).__module__ != mdates.__name__:
            continue  # not a date axis
        low, high = ax.get_xlim()
        if low < _FIRST_DAY or high > _LAST_DAY:
            ax.set_xlim(max(low, _FIRST_DAY), min(high, _LAST_DAY))


def thin_date_ticks(fig: Figure) -> None:
    """Fewer dates on an automatic date axis whose labels run together at the figure's
    final size ("20162020", "1950196019701980"; decision 956): its locator's most ticks
    lowered until the labels stand apart, down to two. Measured at the saved resolution;
    a date axis with ticks of its own choosing, and any other axis, is left as it is."""
    for ax in fig.axes:
        if ax.axison and type(ax.xaxis.get_major_locator()) is MaxNLocator:
            _thin_year_ticks(ax)
        if not ax.axison or not isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator):
            continue
        locator = ax.xaxis.get_major_locator()
        assert isinstance(locator, mdates.AutoDateLocator)
        most = len(ax.get_xticks())
        while crowded(ax.get_xticklabels()) and most > 2:
            most -= 1
            thinner = mdates.AutoDateLocator(minticks=2, maxticks=most)
            ax.xaxis.set_major_locator(thinner)
            formatter = ax.xaxis.get_major_formatter()
            if isinstance(formatter, mdates.ConciseDateFormatter):
                ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(thinner))
            elif isinstance(formatter, mdates.AutoDateFormatter):
                ax.xaxis.set_major_formatter(mdates.AutoDateFormatter(thinner))


def _thin_year_ticks(ax: Axes) -> None:
    """Fewer ticks on an x axis located by a MaxNLocator (a pattern figure's years) whose labels
    run together: the locator's bins lowered until they stand apart, down to two
    (:func:`thin_date_ticks` of such an axis; "20102012201420 16" under a narrow panel,
    an outside check, decision 962)."""
    locator = ax.xaxis.get_major_locator()
    assert isinstance(locator, MaxNLocator)
    bins = len(ax.get_xticks())
    while crowded(ax.get_xticklabels()) and bins > 2:
        bins -= 1
        locator.set_params(nbins=bins)


def render(fig: Figure, fmt: str = "png", dpi: float | None = None) -> bytes:
    """The figure as file bytes in ``fmt`` (png, svg or pdf), at ``dpi`` (default
    :func:`save_dpi`); at a page's width, fitted to it first (:func:`fit_page`). A note of
    a figure too wide for the page names it by the file :func:`rendered` was told it goes
    to, else by its title (:func:`_figure_name`)."""
    _dates_in_range(fig)
    width = page_width()
    name = getattr(fig, _FILE_ATTR, None)
    if width is None:
        name = ""
    elif name is not None:
        name = f"the figure {name}"
    else:
        name = _figure_name(fig)  # before its title is wrapped
    at = save_dpi() if dpi is None else dpi
    fit_page(fig, at)
    if width is not None:
        thin_date_ticks(fig)
    gather_missing(fig)
    buffer = io.BytesIO()
    with _no_collapse_warning() if width is not None else contextlib.nullcontext():
        fig.savefig(buffer, format=fmt, dpi=at, bbox_inches="tight")
    data = buffer.getvalue()
    if width is not None:
        wide, high = saved_size_in(data, fmt, at)  # read once for both notes
        if wide > width + WIDTH_SLACK_IN:
            TOO_WIDE.append((name, wide))
        if high > PAGE_HEIGHT_IN + WIDTH_SLACK_IN:
            TOO_TALL.append((name, high))
    return data


# The figures this process saved wider than the page (name, inches), for the commands
# other than ``plot`` (which reads its files back) to say (decision 953).
TOO_WIDE: list[tuple[str, float]] = []
# The figures this process saved at a page's width taller than PAGE_HEIGHT_IN (name,
# inches): a single panel with its labels, legend and caption taller than a page.
TOO_TALL: list[tuple[str, float]] = []


def _figure_name(fig: Figure) -> str:
    """A figure as a note names it: its title's first line, else its first panel's, else
    "a figure". A figure whose title is wrapped when drawn is named by its file instead
    (:func:`rendered`): analyze's charts were "the figure 'Final'" (decision 956)."""
    suptitle = getattr(fig, "_suptitle", None)
    titles = [suptitle.get_text()] if suptitle is not None else []
    titles += [ax.get_title(loc) for ax in fig.axes for loc in ("center", "left")]
    # The whole title, its wrapped lines joined: its first line alone named compare's
    # figure "Final trust in Russia among Arab League" (an outside check, decision 961).
    first = next((_first_title(t) for t in titles if t.strip()), "")
    if len(first) > NAME_CHARS:
        first = first[: NAME_CHARS - 3].rsplit(" ", 1)[0] + " ..."
    return f"the figure '{first}'" if first else "a figure"


# The most characters of a title a note names a figure by.
NAME_CHARS = 90


def _first_title(text: str) -> str:
    """A title's first line with the lines wrapped from it, joined: where any line is
    indented (``compare``'s header indents the lines each of its lines wraps onto), the
    indented ones after the first; else every line (a title wrapped to its panel)."""
    lines = text.strip("\n").splitlines()
    if any(line[:1].isspace() for line in lines[1:]):
        lines = [lines[0], *itertools.takewhile(lambda ln: ln[:1].isspace(), lines[1:])]
    return " ".join(" ".join(lines).split())


def too_wide_notes() -> list[str]:
    """What :data:`TOO_WIDE` and :data:`TOO_TALL` hold as notes, emptied: "the figure
    'Final trust ...' is 3.65 in wide, wider than --width 3: ...". ``plot`` names its
    files instead."""
    width = page_width()
    tall = dict(TOO_TALL)
    # A figure too wide and too tall is said in one note.
    notes = [
        f"{name} is {inches:.2f} in wide, wider than --width {width:g}: its panels at their "
        "narrowest beside their labels need more room than that"
        + (f"; and {too_tall_words(tall.pop(name))}" if name in tall else "")
        for name, inches in TOO_WIDE
    ]
    notes += [too_tall_note(name, inches) for name, inches in tall.items()]
    TOO_WIDE.clear()
    TOO_TALL.clear()
    return notes


def too_tall_note(name: str, inches: float) -> str:
    """The note of a page-width figure taller than a page: "the figure ... is 9.80 in
    tall, taller than a page's 9 in of text: ..."."""
    return f"{name} is {too_tall_words(inches)}"


def too_tall_words(inches: float) -> str:
    """:func:`too_tall_note` without the figure's name: "9.80 in tall, taller ..."."""
    return (
        f"{inches:.2f} in tall, taller than a page's {PAGE_HEIGHT_IN:g} in of text: its "
        "panels at their least with their labels, legend and caption need more room than "
        "that"
    )


# The attribute of a figure naming the file it is written to (:func:`rendered`).
_FILE_ATTR = "_credsim_file"


def rendered(fig: Figure, fmt: str = "png", name: str | None = None) -> bytes:
    """:func:`render`, then the figure closed, drawn or not: pyplot keeps every figure it
    opened until it is closed (decision 547). ``name``: the file the bytes are written to,
    which names the figure in a note that it is too wide for the page (decision 956)."""
    if name is not None:
        setattr(fig, _FILE_ATTR, name)
    try:
        return render(fig, fmt)
    finally:
        plt.close(fig)


def series_label(metric: str) -> str:
    """The axis label, with unit, of a series metric (``trust_mean`` ...)."""
    entry = SERIES_METRICS.get(metric)
    return entry.axis_label if entry is not None else nice(metric)


def metric_label(metric: str, phrases: Mapping[str, str] | None = None) -> tuple[str, str]:
    """A flattened metric (summary, or series ``metric.power.group``) in words:
    ``(title, axis label with unit)``, from the catalogue (:mod:`sim.catalogue`).

    ``final_trust.Russia.all`` -> ``("Final trust in Russia among all states",
    "Trust (0 to 1)")``; unknown names are returned with underscores as spaces.
    ``phrases`` gives groups in words (:func:`group_phrases`).
    """
    parsed = parse_metric(metric)
    if parsed is None:
        return nice(metric), nice(metric)
    entry = parsed.metric
    where = (phrases or {}).get(parsed.group) or group_phrase(parsed.group)
    # "Mean trust over the run": the period goes last ("Mean trust over the run in Russia"
    # read badly), as a window does.
    label, over, period = entry.label.partition(" over the run")
    state = where.removeprefix("of ") if is_one_state(where) else None
    title = _one_state_title(label, parsed.power, state) if state else None
    if title is None:
        title = label
        if "share_aligned" in (entry.name, entry.series):
            title += " non-aligned" if parsed.power == NONE else f" aligned with {parsed.power}"
        elif parsed.power:
            title = f"{title} {towards(label)} {parsed.power}"
        title = f"{title} {where}"
    title += over + period
    if parsed.window is not None:
        title = f"{title} over '{parsed.window}'"
    return title, entry.axis_label


def in_sentence(title: str, where: str) -> str:
    """A metric's title (:func:`metric_label`) inside a sentence: its first letter in
    lower case where it is credsim's word ("final trust in Russia among all states"), as
    it is where the title starts with the name of the one state of its group ``where``
    (``of Côte d'Ivoire``: "Côte d'Ivoire's final trust ...", which read "côte
    d'Ivoire's", and "ελλάδα's" for "Ελλάδα's"; an outside check) or with an acronym."""
    if is_one_state(where) and title.startswith(where.removeprefix("of ")):
        return title
    return lower_first(title)


def metric_in_sentence(metric: str, phrases: Mapping[str, str] | None = None) -> str:
    """:func:`metric_label`'s title of ``metric`` inside a sentence (:func:`in_sentence`)."""
    parsed = parse_metric(metric)
    where = (phrases or {}).get(parsed.group) or group_phrase(parsed.group) if parsed else ""
    return in_sentence(metric_label(metric, phrases)[0], where)


def lower_first(text: str) -> str:
    """A title's first letter in lower case, unless its first word is an acronym or
    is not one of credsim's words: a possessive ("Syria's ..."), or a word with a letter
    beyond ASCII (a user's name)."""
    first = text.split(" ", 1)[0]
    if first.isupper() or first.endswith(("'s", "'")) or not first.isascii():
        return text
    return text[:1].lower() + text[1:]


# Labels that name what is measured after a prefix: the state's possessive goes after it
# ("Change in Syria's trust in Russia").
_PREFIXES = ("Change in ", "Swing (SD over time) of ")


def power_name(power: str) -> str:
    """A power as a legend names it: the metrics' ``none`` is "non-aligned"."""
    return "non-aligned" if power == NONE else power


def _one_state_title(label: str, power: str, state: str) -> str | None:
    """A metric about one state in words, the state first as the reader says it:
    ``Syria's final trust in Russia``, ``Change in Syria's trust in Russia``, ``Syria
    aligned with Russia at the end``; ``None`` where the catalogue's label does not
    take the state's possessive (a percentile, a group-level count), which then reads
    as for any group ("... of Syria")."""
    possessive = f"{state}'" if state.endswith("s") else f"{state}'s"
    if label.startswith(("Share of states", "Final share of states")):
        aligned = "non-aligned" if power == NONE else f"aligned with {power}"
        return f"{state} {aligned}" + (" at the end" if label.startswith("Final") else "")
    if not power or "," in label or "(" in label.removeprefix(_PREFIXES[1]):
        return None
    word = towards(label)
    for prefix in _PREFIXES:
        if label.startswith(prefix):
            return f"{prefix}{possessive} {label.removeprefix(prefix)} {word} {power}"
    return f"{possessive} {label[:1].lower()}{label[1:]} {word} {power}"


def towards(label: str) -> str:
    """How a metric joins its power: trust is "in" a power, affinity "for" one (decision
    609's titles; captions and answers said "mean affinity in Russia", decision 900)."""
    return "for" if "affinity" in label.lower() else "in"


def parameter_label(path: str) -> str:
    """An override path in words.

    ``parameters.trust.negativity_bias`` -> ``trust: negativity bias``;
    ``parameters.event_kinds.support.weight`` -> ``support events: weight`` (it read
    "event kinds support: weight").
    """
    parts = path.split(".")
    if parts[0] == "relations" and len(parts) > 2:
        # relations.FROM.TO (decision 891): "relation Saudi Arabia to Syria". A name with
        # dots makes the split ambiguous without the scenario: a doubled dot is the
        # separator after a name's final dot (relations.U.A.E..Syria), else the path's own
        # text is kept.
        rest = ".".join(parts[1:])
        if len(parts) == 3:
            ends = " to ".join(parts[1:])
        elif rest.count("..") == 1 and not rest.endswith(".."):
            head, tail = rest.split("..")
            ends = f"{head}. to {tail}"
        else:
            ends = rest
        return f"relation {ends}"
    if parts[0] == "parameters":
        parts = parts[1:]
    if len(parts) == 3 and parts[0] == "event_kinds":
        return f"{nice(parts[1])} events: {nice(parts[2])}"
    if len(parts) == 1:
        return nice(parts[0])
    return f"{' '.join(nice(p) for p in parts[:-1])}: {nice(parts[-1])}"


def held_text(values: Mapping[str, DesignValue], digits: int = 6) -> str:
    """Design values in words: ``trust: negativity bias 2.5, trust: memory 0.97``."""
    return ", ".join(f"{parameter_label(p)} {value_text(v, digits)}" for p, v in values.items())


# A drawn point this share of a parameter's range run or more from the scenario's value
# is said to lie far from it (_far_text).
FAR_SHARE = 0.1


def _far_text(
    results: Results, values: Mapping[str, DesignValue], targets: Mapping[str, DesignValue]
) -> str:
    """ "; none lies near them: ..." when the drawn point nearest the scenario's values is
    :data:`FAR_SHARE` of a parameter's range run or more from its value there, else "".

    A posterior that excludes the scenario's values has no point near them, and "the
    design point nearest the scenario's values trust: memory 0.98, negativity bias 2" of a
    point at 0.8505 and 3.963 read as if it were they (an outside check, decision 929).
    """
    gaps = {}
    for path, target in targets.items():
        shown = values.get(path)
        column = results.ok_runs.get(path)
        if column is None or is_text(column) or isinstance(target, str) or shown is None:
            continue
        span = float(np.ptp(column.to_numpy(np.float64)))
        if span > 0:
            gaps[path] = abs(float(shown) - float(target)) / span  # type: ignore[arg-type]
    if not gaps or max(gaps.values()) < FAR_SHARE:
        return ""
    path = max(gaps, key=lambda p: gaps[p])
    return (
        f"; no point drawn lies near them: this one is {100 * gaps[path]:.0f}% of the range "
        f"drawn away in {parameter_label(path)}"
    )


def _why(
    results: Results,
    path: str,
    shown: DesignValue,
    own: DesignValue | None,
    whose: str = "the scenario",
) -> str:
    """Why a grid's figure shows ``shown`` of ``path``: the scenario's value ``own``,
    the value run nearest it, or the middle one (paired.nearest_value's rule).
    ``whose`` names the scenario ("historical") where the folder's scenarios differ."""
    text = is_text(results.ok_runs[path])
    if own is None or isinstance(own, str) != text:
        middle = "the middle value run" if text else "the value run nearest the median"
        unset = "sets none" if own is None else f"sets {value_text(own)}, not a value of this kind"
        return f"{whose} {unset}: {middle}"
    if (own == shown) if text else np.isclose(own, shown, rtol=1e-9, atol=0.0):
        return f"{whose}'s value"
    if text and months_of(str(own)) is None:
        return f"{whose}'s {own} was not run: the middle value run"
    if not text:
        # Two values as near (1 and 3 about 2): nearest_value takes the lower; say so.
        ran = np.unique(results.ok_runs[path].to_numpy(np.float64))
        gaps = np.abs(ran - float(own))
        tied = ran[np.isclose(gaps, gaps.min(), rtol=1e-9, atol=1e-12)]
        if len(tied) > 1:
            both = " and ".join(value_text(float(v)) for v in tied)
            # It read "the lower of the values run nearest the scenario's 2, 1 and 3", as if
            # the scenario's values were 2, 1 and 3 (an audit; decision 619).
            return f"the lower of {both}, the values run equally near {whose}'s {value_text(own)}"
    return f"the value run nearest {whose}'s {value_text(own)}"


def _same(one: DesignValue | None, other: DesignValue | None) -> bool:
    """Whether two scenarios' own values of a parameter are the same (numbers to 1e-9
    relative, text exactly; two that set none alike)."""
    if one is None or other is None or isinstance(one, str) or isinstance(other, str):
        return one == other
    return bool(np.isclose(float(one), float(other), rtol=1e-9, atol=0.0))


def own_values_differ(
    results: Results,
    paths: Iterable[str],
    scenario: str,
    others: Sequence[str] | None = None,
) -> dict[str, dict[str, DesignValue | None]]:
    """The other scenarios' own values of ``paths`` where they differ from
    ``scenario``'s (path -> {scenario: value}, in the folder's order); ``others`` are
    the folder's other scenarios unless given. Empty when they all share them: then
    "the scenario's value" is every scenario's."""
    names = [s for s in (results.scenarios if others is None else others) if s != scenario]
    tree = results.scenarios[scenario]
    found: dict[str, dict[str, DesignValue | None]] = {}
    for path in paths:
        own = scenario_value(tree, path)
        theirs = {s: scenario_value(results.scenarios[s], path) for s in names}
        differ = {s: v for s, v in theirs.items() if not _same(own, v)}
        if differ:
            found[path] = differ
    return found


def _others_text(
    results: Results,
    path: str,
    shown: DesignValue,
    theirs: Mapping[str, DesignValue | None],
    subject: str,
) -> str:
    """What the other scenarios set of ``path`` where it is not the shown scenario's:
    "no_missiles sets 1.5, not among the values run", and "..., but the figure shows
    every scenario at 2" when a value of theirs was run (and is not what is shown)."""
    grouped: dict[str, tuple[DesignValue | None, list[str]]] = {}
    for name, value in theirs.items():
        key = "" if value is None else repr(value)
        grouped.setdefault(key, (value, []))[1].append(name)
    clauses, any_run = [], False
    for value, names in grouped.values():
        verb = "sets" if len(names) == 1 else "set"
        if value is None:
            clauses.append(f"{in_words(names)} {verb} none")
            continue
        run = not runs_at(results.ok_runs, {path: value}).empty  # the value was run
        any_run |= run
        among = "among" if run else "not among"
        clauses.append(f"{in_words(names)} {verb} {value_text(value)}, {among} the values run")
    text = "; ".join(clauses)
    return text + (f", but {subject} at {value_text(shown)}" if any_run else "")


def where_shown(
    results: Results,
    values: Mapping[str, DesignValue],
    at: Mapping[str, DesignValue],
    scenario: str | None = None,
    others: Sequence[str] | None = None,
    subject: str = "the figure shows every scenario",
) -> str:
    """The design values shown and why: for a grid, each set with --at, the first
    scenario's own value, or the value run nearest it (nearest the median value run
    where the scenario sets none; the middle one of text not run); for a sampled
    design, the design point nearest the scenario's values.

    ``scenario`` is the one whose values these are (the folder's first unless given).
    Where ``others`` (the folder's other scenarios unless given) set a value of their
    own, the text names whose value it is and says theirs: "trust: negativity bias 2
    (historical's value; no_missiles sets 1.5, not among the values run)", and when
    theirs was run, that ``subject`` ("the figure shows every scenario") is at the
    value shown. "(the scenario's value)" read as every scenario's when the
    counterfactual set 1.5 of its own (an outside check)."""
    first = scenario if scenario is not None else next(iter(results.scenarios))
    tree = results.scenarios[first]
    own = {p: scenario_value(tree, p) for p in values}
    differ = own_values_differ(results, [p for p in values if p not in at], first, others)
    whose = {p: first if p in differ else "the scenario" for p in values}
    if results.design_method != GRID:
        given = [parameter_label(p) for p in values if p in at]
        targets = {p: v for p, v in own.items() if p not in at and v is not None}
        named = f"{first}'s" if differ else "the scenario's"
        theirs: dict[str, list[str]] = {}
        for path, by_scenario in differ.items():
            for name, value in by_scenario.items():
                theirs.setdefault(name, []).append(
                    f"no {parameter_label(path)}" if value is None else held_text({path: value})
                )
        # Every scenario is drawn at the point nearest the first's values, whatever its
        # own (an outside check read "the scenario's values" as each scenario's).
        other_text = (
            "; "
            + "; ".join(f"{name} sets {', '.join(v)}" for name, v in theirs.items())
            + f", but {subject} at this point"
            if theirs
            else ""
        )
        # A drawn value to four significant digits; a grid's as written (up to six).
        return (
            f"{held_text(values, 4)} (the design point nearest {named} values"
            + (f" {held_text(targets)}" if targets else "")
            + (f", {' and '.join(given)} set with --at" if given else "")
            # The design drew the point's values, not the scenario's (an outside check
            # read "the posterior design drew them" as the scenario's; decision 918).
            + f"; the {results.design_method} design drew the point's values"
            + _far_text(results, values, targets)
            + other_text
            + ")"
        )
    notes = {
        p: "set with --at" if p in at else _why(results, p, shown, own[p], whose[p])
        for p, shown in values.items()
    }
    for path, by_scenario in differ.items():
        notes[path] += "; " + _others_text(results, path, values[path], by_scenario, subject)
    if set(notes.values()) == {"the scenario's value"}:
        return f"{held_text(values)} (the scenario's value{'s' * (len(values) > 1)})"
    if set(notes.values()) == {"set with --at"}:
        return f"{held_text(values)} (set with --at)"
    return ", ".join(f"{held_text({p: v})} ({notes[p]})" for p, v in values.items())
