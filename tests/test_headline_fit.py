"""The headline map's cell numbers fit their cells, read back from the drawn figure.

On the 8 x 8 map of claim1_boundary the numbers ran into each other: "+0.00589-0.00389"
and "+0.00939-0.000506" read as one string. Each number now lies inside its own cell with
a little room, in one style for the whole figure: three significant digits where they
fit, else two (-0.000506 as -0.00051, never -0.0005), at a smaller size down to 5 pt
(never under 7 pt at a page's width), else no numbers and the caption says so. A 3 x 3
map (the flagship's) keeps its numbers as they were.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.plots.figure import at_page_width, render
from sim.plots.headline import Headline, headline_figure
from sim.plots.sweeps import cell_text

NB, MEM = "parameters.trust.negativity_bias", "parameters.trust.memory"
METRIC = "final_trust.Russia.all"
# claim1_boundary's means (historical minus abstained), rows memory 0.9 to 0.995,
# columns negativity bias 1 to 4.5.
BIAS = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
MEMORY = [0.9, 0.93, 0.95, 0.97, 0.98, 0.985, 0.99, 0.995]
CLAIM1 = np.array(
    [
        [0.034765, 0.029077, 0.023795, 0.018868, 0.014256, 0.009879, 0.005794, 0.001967],
        [0.043447, 0.033381, 0.024692, 0.016718, 0.00936, 0.002561, -0.003724, -0.009593],
        [0.053441, 0.040206, 0.027793, 0.016862, 0.007078, -0.001857, -0.010044, -0.017492],
        [0.072227, 0.054341, 0.038712, 0.024478, 0.011978, 0.000856, -0.008701, -0.01757],
        [0.086843, 0.067095, 0.049808, 0.034611, 0.020966, 0.00939, -0.000506, -0.010076],
        [0.094487, 0.073522, 0.056647, 0.040794, 0.028922, 0.016446, 0.005885, -0.003891],
        [0.104159, 0.082905, 0.064197, 0.048738, 0.036521, 0.023952, 0.012638, 0.004754],
        [0.114561, 0.093924, 0.07563, 0.059629, 0.045368, 0.033399, 0.02326, 0.014871],
    ]
)
# The flagship's 3 x 3 (syria_withdrawal): its numbers fit as they were.
SYRIA = np.array([[0.0535, 0.0279, 0.00706], [0.0862, 0.0496, 0.0211], [0.104, 0.0648, 0.0352]])


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


def _headline(means: np.ndarray, xs: list[float], ys: list[float], **more: Any) -> Headline:
    """A headline over ``xs`` (negativity bias) and ``ys`` (memory) with ``means`` (rows
    ys, columns xs), intervals 0.001 either side (a dot in the cells within 0.001 of
    zero), the box at the third column, fifth row (claim1's 2, 0.98) or the middle cell
    of a 3 x 3."""
    rows = [
        {NB: x, MEM: y, "mean": m, "lo": m - 0.001, "hi": m + 0.001, "n": 3}
        for (j, y), (i, x) in itertools.product(enumerate(ys), enumerate(xs))
        for m in [float(means[j, i])]
    ]
    boxed = (xs[2], ys[4]) if len(xs) > 3 else (xs[1], ys[1])
    fields: dict[str, Any] = dict(
        text="", a="historical", b="abstained", metric=METRIC, date=None, axes=[NB, MEM],
        fixed={}, reference={NB: boxed[0], MEM: boxed[1]}, binned=False, phrases={},
        at_reference=(0.0498, 0.048, 0.051, 3), cells=pd.DataFrame(rows),
    )  # fmt: skip
    return Headline(**{**fields, **more})


def _drawn(headline: Headline, width: float | None = None) -> Figure:
    """The figure as saved (at a page's width: fitted to it), then drawn once more."""
    with at_page_width(width):
        fig = headline_figure(headline)
        FigureCanvasAgg(fig)
        render(fig)
    fig.canvas.draw()
    return fig


def _labels(fig: Figure) -> list[Text]:
    return [t for ax in fig.axes for t in ax.texts if t.get_gid() == "cell-mean"]


def _cell(label: Text) -> Bbox:
    """The display extent of the cell a number is written in (the number sits 0.18 of
    a cell above the cell's centre)."""
    x, y = label.get_position()
    cx, cy = round(x), round(y - 0.18)
    assert label.axes is not None
    corners = label.axes.transData.transform([(cx - 0.5, cy - 0.5), (cx + 0.5, cy + 0.5)])
    return Bbox(corners)


def _assert_each_in_its_cell(fig: Figure, cells: int) -> list[Text]:
    """Every cell's number drawn, inside its own cell (a pixel's room at least), no two
    touching, in one size and one count of significant digits."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = _labels(fig)
    assert len(labels) == cells and all(t.get_visible() for t in labels)
    boxes = [t.get_window_extent(renderer) for t in labels]
    dots = {
        (line.axes, round(line.get_xdata()[0]), round(line.get_ydata()[0] + 0.15)): line
        for ax in fig.axes
        for line in ax.lines
        if line.get_gid() == "includes-zero"
    }
    for label, box in zip(labels, boxes, strict=True):
        cell = _cell(label)
        assert cell.x0 + 1 <= box.x0 and box.x1 <= cell.x1 - 1, label.get_text()
        assert cell.y0 + 1 <= box.y0 and box.y1 <= cell.y1 - 1, label.get_text()
        dot = dots.get((label.axes, *_cell_key(label)))
        if dot is not None:  # above the cell's dot (an interval containing zero)
            assert box.y0 >= dot.get_window_extent(renderer).y1, label.get_text()
    for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    assert len({float(t.get_fontsize()) for t in labels}) == 1
    assert len({_digits(t.get_text()) for t in labels}) == 1
    return labels


def _digits(text: str) -> int:
    """Significant digits written (trailing zeros count: -0.0100 has three)."""
    return len(re.sub(r"^[+-]?[0.]*", "", text).replace(".", ""))


def test_the_8x8_map_writes_every_number_inside_its_own_cell() -> None:
    fig = _drawn(_headline(CLAIM1, BIAS, MEMORY))
    labels = _assert_each_in_its_cell(fig, 64)
    # Three digits do not fit in cells 0.4 in wide: two, each keeping its sign and its
    # trailing zero, none made to read as a rounder number.
    texts = {t.get_text() for t in labels}
    assert {"-0.00051", "+0.0059", "-0.0039", "+0.0094", "-0.010", "+0.11"} <= texts
    assert "-0.0005" not in texts and "-0.000506" not in texts
    for label in labels:
        cx, cy = _cell_key(label)
        mean = CLAIM1[cy, cx]
        assert label.get_text() == cell_text(mean, signed=True, digits=2)
        assert float(label.get_text()) == pytest.approx(mean, rel=0.05)
    # Legible: not under 5 pt as drawn.
    assert float(labels[0].get_fontsize()) >= 5.0


def _cell_key(label: Text) -> tuple[int, int]:
    x, y = label.get_position()
    return round(x), round(y - 0.18)


def test_at_a_page_width_the_8x8_map_writes_its_numbers_inside_their_cells() -> None:
    """At 6.5 in the map left its numbers out without a word; a row of them fits there
    (cells 0.66 in wide), at no size under 7 pt."""
    fig = _drawn(_headline(CLAIM1, BIAS, MEMORY), 6.5)
    labels = _assert_each_in_its_cell(fig, 64)
    assert float(labels[0].get_fontsize()) >= 7.0


def test_the_reference_box_and_the_rim_stay_with_the_fitted_numbers() -> None:
    from matplotlib import patheffects

    from sim.plots.headline import CellGlyphs

    fig = _drawn(_headline(CLAIM1, BIAS, MEMORY))
    ax = fig.axes[0]
    (box,) = [p for p in ax.patches if p.get_gid() == "reference"]
    assert box.get_xy() == (1.5, 3.5)
    boxed = [t for t in _labels(fig) if _cell_key(t) == (2, 4)]
    assert [t.get_text() for t in boxed] == ["+0.050"]
    for label in _labels(fig):
        assert any(isinstance(e, patheffects.withStroke) for e in label.get_path_effects())
    (glyphs,) = [a for a in ax.artists if isinstance(a, CellGlyphs)]
    assert glyphs.labels == _labels(fig)


def test_the_flagship_3x3_map_keeps_three_digits_at_its_size() -> None:
    fig = _drawn(_headline(SYRIA, [1.0, 2.0, 3.0], [0.95, 0.98, 0.99]))
    labels = _assert_each_in_its_cell(fig, 9)
    assert {t.get_text() for t in labels} == {cell_text(m, signed=True) for m in SYRIA.flat}
    assert {float(t.get_fontsize()) for t in labels} == {6.5}
    from sim.plots.headline import numbers_note

    assert numbers_note(fig) == ""


def test_where_no_style_fits_no_number_is_drawn_and_the_caption_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 5 in a row of eight numbers has no room at 7 pt: the map carries none, and
    neither the numbers nor their plain copies above the rims are drawn."""
    from sim.plots.headline import numbers_note

    drawn: list[str] = []
    draw = Text.draw

    def spy(self: Text, renderer: Any) -> None:
        if self.get_visible():
            drawn.append(self.get_text())
        draw(self, renderer)

    headline = _headline(CLAIM1, BIAS, MEMORY)
    monkeypatch.setattr(Text, "draw", spy)
    fig = _drawn(headline, 5.0)
    assert not any(t.get_visible() for t in _labels(fig))
    shown = {cell_text(m, signed=True, digits=d) for m in CLAIM1.flat for d in (2, 3)}
    assert not shown & set(drawn)
    note = numbers_note(fig)
    assert "not written" in note and "colour" in note

    # Where they fit in fewer digits, the caption says how many.
    assert "2 significant digits" in numbers_note(_drawn(headline))


def test_a_map_of_numbers_too_wide_for_its_cells_draws_none() -> None:
    """The same rule when even two digits at 5 pt overflow: means of six digits before
    their first significant one, in cells 0.4 in wide."""
    from sim.plots.headline import numbers_note

    tiny = CLAIM1 * 1e-6
    fig = _drawn(_headline(tiny, BIAS, MEMORY))
    assert _labels(fig) and not any(t.get_visible() for t in _labels(fig))
    assert "do not fit in their cells" in numbers_note(fig)


def test_cell_text_in_two_digits_keeps_the_sign_and_the_trailing_zero() -> None:
    assert cell_text(-0.000506, signed=True, digits=2) == "-0.00051"
    assert cell_text(-0.0100, signed=True, digits=2) == "-0.010"
    assert cell_text(0.0999, signed=True, digits=2) == "+0.10"
    assert cell_text(4.05e-06, signed=True, digits=2) == "+0.0000041"
    assert cell_text(-0.000506, signed=True) == "-0.000506"  # three, as before


def test_the_report_caption_of_the_headline_says_the_digits(tmp_path: Any) -> None:
    """The gallery's headline entry reads its note off the drawn figure (two of
    claim1's rows, one replicate: a small sweep to write)."""
    from sim.plots.gallery import Selection, figures_for
    from sim.results import open_results
    from tests import results_factory as factory

    question = {"text": "Does it?", "difference": ["base", "counter"], "metric": METRIC}
    folder = factory.write_sweep(
        tmp_path / "s", {"base": 0.0, "counter": 0.0}, {NB: BIAS, MEM: MEMORY[4:6]},
        replicates=1, question=question,
    )  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    counter = runs["scenario"] == "counter"
    at = runs.loc[counter, [NB, MEM]]
    shift = [CLAIM1[MEMORY.index(m), BIAS.index(b)] for b, m in at.itertuples(index=False)]
    runs.loc[counter, METRIC] = runs.loc[counter, METRIC] - np.array(shift)
    runs.to_parquet(folder / "runs.parquet")
    entries = list(figures_for(open_results(folder), Selection()))
    (entry,) = [e for e in entries if e.stem == "headline"]
    render(entry.figure)
    assert "each cell's mean to 2 significant digits" in entry.caption


def test_three_8x8_maps_at_a_page_width_keep_their_row_and_say_the_numbers_are_left_out() -> None:
    """Three maps of a third parameter, a dot in every cell: a map a row would be wide
    enough for its numbers, but three rows on a page leave each cell too low for a
    number above its dot. The maps stay three in a row, as before, without numbers, and
    the caption says so."""
    from sim.plots.headline import numbers_note

    weight = "parameters.influence.weight"
    rows = [
        {NB: x, MEM: y, weight: w, "mean": m, "lo": -1.0, "hi": 1.0, "n": 3}
        for w in (0.1, 0.3, 0.5)
        for (j, y), (i, x) in itertools.product(enumerate(MEMORY), enumerate(BIAS))
        for m in [float(CLAIM1[j, i]) * (1 + w)]
    ]
    headline = _headline(CLAIM1, BIAS, MEMORY, axes=[NB, MEM, weight], cells=pd.DataFrame(rows))
    fig = _drawn(headline, 6.5)
    maps = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len({round(ax.get_position().y0, 3) for ax in maps}) == 1  # one row
    assert not any(t.get_visible() for t in _labels(fig))
    assert "not written" in numbers_note(fig)
    # At the default width they fit, in one style for the three maps, above every dot.
    _assert_each_in_its_cell(_drawn(headline), 192)
