"""The headline map's cell numbers stay readable where the zero contour crosses them.

An outside check read "-0.000180" as "-0.00180": the black zero line crossed the
label and hid a 0. Each cell's number is drawn above every contour with a thin rim
in the cell's own colour: the line stops short of the digits, and the rim contrasts
with the number as the cell does (white on a dark cell, near-black on a light one).
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import patheffects
from matplotlib.colors import to_rgb
from matplotlib.contour import ContourSet

from sim.plots.headline import CellGlyphs, headline_figure, headline_of
from sim.plots.sweeps import cell_text
from tests.test_headline import MEM, NB, _sweep


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _crossed_headline(tmp_path):
    """Means -0.051, -0.001, +0.049 along negativity bias 1, 2, 3 (test_headline's
    sweep): the zero contour runs at x index 1.02, through the -0.00100 labels."""
    headline = headline_of(_sweep(tmp_path, {NB: [1.0, 2.0, 3.0], MEM: [0.9, 0.99]}))
    assert headline is not None and headline.axes == [NB, MEM]
    return headline


def _along(vertices: np.ndarray, steps: int = 200) -> np.ndarray:
    """Points along a polyline's segments (the contour's vertices lie on the cell rows,
    the numbers between them)."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return np.concatenate([a + t * (b - a) for a, b in itertools.pairwise(vertices)])


def _luminance(colour) -> float:
    red, green, blue = to_rgb(colour)
    return 0.299 * red + 0.587 * green + 0.114 * blue


def _rim(text) -> str | tuple | None:
    """The foreground of a text's outline (a withStroke path effect), or None."""
    for effect in text.get_path_effects():
        if isinstance(effect, patheffects.withStroke):
            return effect._gc["foreground"]
    return None


def test_cell_numbers_are_drawn_above_the_zero_contour_with_a_rim(tmp_path):
    headline = _crossed_headline(tmp_path)
    fig = headline_figure(headline)
    ax = fig.axes[0]
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contours) == 1
    shown = {cell_text(m, signed=True) for m in headline.cells["mean"]}
    labels = [t for t in ax.texts if t.get_text() in shown]
    assert len(labels) == len(headline.cells) == 6

    # The case that went wrong: the contour does cross a labelled cell's number.
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    line = np.concatenate(
        [ax.transData.transform(_along(p.vertices)) for p in contours[0].get_paths()]
    )
    crossed = [
        t for t in labels
        if any(t.get_window_extent(renderer).contains(px, py) for px, py in line)
    ]  # fmt: skip
    assert crossed and {t.get_text() for t in crossed} == {"-0.00100"}

    mesh = ax.collections[0]
    fills = mesh.to_rgba(mesh.get_array()).reshape(2, 3, 4)  # rows: memory, cols: bias
    for label in labels:
        # Above the contour (and every other line or patch drawn in the map).
        assert all(label.get_zorder() > c.get_zorder() for c in contours)
        assert all(label.get_zorder() > a.get_zorder() for a in ax.lines + ax.patches)
        # An outline in the cell's own colour, which contrasts with the text: never a
        # white rim round a white number.
        rim = _rim(label)
        assert rim is not None, label.get_text()
        cx, cy = label.get_position()
        fill = fills[round(cy - 0.18), round(cx)]
        np.testing.assert_allclose(to_rgb(rim), fill[:3], atol=1e-6)
        assert abs(_luminance(rim) - _luminance(label.get_color())) > 0.35, label.get_text()
    # Both kinds are drawn here: the +-0.05 cells are dark, the -0.001 cells light.
    assert {label.get_color() for label in labels} == {"white", "0.1"}
    # The digits are drawn again above every rim, so where two numbers touch the one
    # drawn later does not cover its neighbour's last digit with its rim.
    (glyphs,) = [a for a in ax.artists if isinstance(a, CellGlyphs)]
    assert glyphs.labels == labels
    assert all(glyphs.get_zorder() > label.get_zorder() for label in labels)
