"""Decision 1036: four defects an outside check of the figures at a page's width found
(decision 1032), read back from the drawn figures.

1. The headline map's zero contour ran through cell numbers between their digits
   ("-0.00259" read "-0:00259"): the rim round each digit stopped the line at the digit's
   edge only. The contour now stops short of every number's box.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.text import Text

from tests.test_headline_fit import BIAS, CLAIM1, MEMORY, _drawn, _headline, _labels


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


def _pixels(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()  # type: ignore[attr-defined]


def _box_pixels(pixels: np.ndarray, label: Text, fig: Figure) -> np.ndarray:
    """The pixels of ``label``'s text box (rows from the top of the image)."""
    box = label.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    high = pixels.shape[0]
    rows = slice(max(0, int(np.floor(high - box.y1))), int(np.ceil(high - box.y0)))
    cols = slice(max(0, int(np.floor(box.x0))), int(np.ceil(box.x1)))
    return pixels[rows, cols]


def _along(vertices: np.ndarray, steps: int = 200) -> np.ndarray:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return np.concatenate([a + t * (b - a) for a, b in itertools.pairwise(vertices)])


@pytest.mark.parametrize("width", [None, 6.5])
def test_the_zero_contour_leaves_every_cell_numbers_box_untouched(width: float | None) -> None:
    """claim1_boundary's 8 x 8 map: the contour's path runs through several numbers'
    boxes, and drawing it changes no pixel inside any number's box (drawn with the
    contour and without it)."""
    fig = _drawn(_headline(CLAIM1, BIAS, MEMORY), width)
    ax = fig.axes[0]
    (contour,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    labels = [t for t in _labels(fig) if t.get_visible()]
    assert len(labels) == 64
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    line = np.concatenate([ax.transData.transform(_along(p.vertices)) for p in contour.get_paths()])
    crossed = [
        t for t in labels
        if any(t.get_window_extent(renderer).contains(px, py) for px, py in line)
    ]  # fmt: skip
    assert len(crossed) >= 3, [t.get_text() for t in crossed]

    with_line = _pixels(fig)
    contour.set_visible(False)
    without = _pixels(fig)
    changed = [
        t.get_text()
        for t in labels
        if not np.array_equal(_box_pixels(with_line, t, fig), _box_pixels(without, t, fig))
    ]
    assert changed == []
