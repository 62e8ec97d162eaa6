"""Decision 1035: ``compare``'s figures at a page's width, read back from the figure the
command draws. Decision 1032's outside check found, at ``--width 3.3``, a legend entry
over the per-run panel's title; ``compare --by`` at 6.5 in one column of every panel,
25.8 in tall; and the figures 9.3 to 9.5 in tall, much of it a header wrapped to three
quarters of the page and a blank band under it. Each test fails on the code before."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import results_factory as factory
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from small_cases import compare_renders

from sim.cli import main

BY = "parameters.trust.negativity_bias"
METRIC = "final_trust.USA.all"
# The flagship's three scenarios, as the outside check compared them.
SCENARIOS = {"historical": 0.0, "sustained": 0.1, "abstained": -0.05}
# A saved file's width may pass the page's by a pixel at 150 dpi (its rounding).
PIXEL_IN = 1.0 / 150.0


def _sweep(tmp_path: Path, scenarios: dict[str, float]) -> Path:
    """A sweep of ``scenarios`` over three values of the bias, two replicates each, with
    their series (a time panel)."""
    grid = {BY: [1.0, 2.0, 3.0]}
    return factory.write_sweep(tmp_path / "sweep", scenarios, grid, replicates=2)


def _drawn(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    width: str,
    *extra: str,
    scenarios: dict[str, float] = SCENARIOS,
) -> tuple[Figure, Any, tuple[float, float]]:
    """The figure ``compare`` drew at ``--width``, a renderer at its resolution, and the
    saved file's size in inches (its pixels at 150 dpi)."""
    drawn = compare_renders(monkeypatch)
    out = tmp_path / f"out_{width}"
    argv = ["compare", str(_sweep(tmp_path, scenarios)), "--metric", METRIC, *extra]
    assert main([*argv, "--width", width, "--out", str(out)]) == 0
    (saved,) = out.glob("*.png")
    data = saved.read_bytes()
    # The one saved, drawn last: a figure taller than a page is drawn again to fit, and
    # tried as drawn (decision 1043).
    fig = [fig for drawn_data, fig in drawn if drawn_data == data][-1]
    canvas = FigureCanvasAgg(fig)  # the command closed the figure
    canvas.draw()
    size = int.from_bytes(data[16:20], "big") / 150, int.from_bytes(data[20:24], "big") / 150
    return fig, canvas.get_renderer(), size


def _titles(fig: Figure, renderer: Any) -> list[tuple[str, Bbox]]:
    """Every panel's titles as drawn, with their extents."""
    return [
        (text.get_text(), text.get_window_extent(renderer))
        for ax in fig.axes
        for text in (ax.title, ax._left_title, ax._right_title)
        if ax.axison and text.get_text()
    ]


def _panels(fig: Figure) -> list[Any]:
    return [ax for ax in fig.axes if ax.axison]


def _per_run_panels(fig: Figure) -> list[Any]:
    return [ax for ax in _panels(fig) if "per run" in ax.get_title(loc="left").lower()]


def test_no_legend_entry_lies_over_a_title_at_a_single_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 3.3 in the legend of the samples' lines ran past the page (3.45 in) and its
    second row over the per-run panel's title ("sustained" over "Per run"). Now no text of
    the legend (its entries, its title) shares a pixel with a title or a panel, and the
    figure is within the page."""
    fig, renderer, (wide, _) = _drawn(tmp_path, monkeypatch, "3.3")
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert legends  # the test can fail: there is a legend to place
    texts = [t for legend in legends for t in [legend.get_title(), *legend.get_texts()]]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    assert len(boxes) == len(SCENARIOS) + 1
    titles = _titles(fig, renderer)
    assert len(titles) == 2  # the time panel's and the per-run panel's
    for name, box in boxes:
        for title, other in titles:
            assert not box.overlaps(other), (name, title)
        for ax in _panels(fig):
            assert not box.overlaps(ax.get_window_extent(renderer)), name
    assert wide <= 3.3 + PIXEL_IN


def test_by_at_a_pages_width_puts_its_values_side_by_side_within_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compare --by` at 6.5 in drew every value's panels in one column, 25.8 in tall. Now
    the values' panels stand side by side, as many as fit the page (three values here),
    the figure within the page's width and a page's 9 in (two scenarios: a header of three
    differences); the caption says a column per value, not a row; no title, name or label
    of one column runs into the next."""
    two = {"historical": 0.0, "abstained": -0.05}
    fig, renderer, (wide, high) = _drawn(tmp_path, monkeypatch, "6.5", "--by", BY, scenarios=two)
    per_run = _per_run_panels(fig)
    assert len(per_run) == 3
    lefts = sorted({round(ax.get_window_extent(renderer).x0) for ax in per_run})
    assert len(lefts) == 3  # three columns
    bottoms = {round(ax.get_window_extent(renderer).y0) for ax in per_run}
    assert len(bottoms) == 1  # in one row
    assert wide <= 6.5 + PIXEL_IN
    assert high <= 9.0
    caption = fig.texts[-1].get_text().replace("\n", " ")
    assert "A column of panels per value of" in caption and "A row per value" not in caption
    # No text of a column (titles, tick labels and axis labels) runs into another's.
    columns: dict[int, list[Bbox]] = {}
    for ax in _panels(fig):
        left = round(ax.get_window_extent(renderer).x0)
        parts = [ax.xaxis.get_tightbbox(renderer), ax.yaxis.get_tightbbox(renderer)]
        parts += [t.get_window_extent(renderer) for t in (ax.title, ax._left_title) if t.get_text()]
        columns.setdefault(left, []).extend(b for b in parts if b is not None)
    for one, other in itertools.combinations(sorted(columns), 2):
        for box in columns[one]:
            assert not any(box.overlaps(b) for b in columns[other]), (one, other)


def test_the_header_takes_the_lines_it_needs_and_no_band_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header was wrapped at 11 characters an inch, three quarters of the page at 10
    points, and 0.36 in of blank lay between it and the first titles. Now each of its
    lines but a difference's last would overrun the page with the next word (measured in
    a figure of its own), the blank under it is at most 0.15 in, and the figure of the
    three scenarios is within a page's 9 in."""
    fig, renderer, (_, high) = _drawn(tmp_path, monkeypatch, "6.5")
    header = fig._suptitle
    assert header is not None
    lines = header.get_text().split("\n")
    room = 6.5 - 2 * 0.1 - 0.1  # the page less the file's padding and a title's spare
    scratch = Figure(dpi=150)
    measure = FigureCanvasAgg(scratch).get_renderer()

    def width(text: str) -> float:
        drawn = scratch.text(0.0, 0.0, text, fontsize=header.get_fontsize())
        return float(drawn.get_window_extent(measure).width) / 150

    wrapped = 0
    for line, after in itertools.pairwise(lines):
        if after.startswith("    "):  # the line wraps onto the next
            wrapped += 1
            assert width(line) <= room, line
            assert width(f"{line} {after.split()[0]}") > room, line
    assert wrapped  # the test can fail: some line is wrapped
    below = header.get_window_extent(renderer).y0
    top = max(box.y1 for _, box in _titles(fig, renderer))
    assert 0 <= (below - top) / fig.dpi <= 0.15
    assert high <= 9.0
