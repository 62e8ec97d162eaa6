"""A calibration's figures at a single column's 3.3 in (decision 1037), read back from the
drawn figures: within the column and a page's height, their text apart and at 7 pt or
more, no panel a sliver; and a ``--truth`` value at a prior's end drawn inside the axes.

Before: the marginals were one column of six panels (16.7 in tall), the pairs fifteen
panels one a row (3.9 x 44 in), the predictive figure's turned names printed over each
other in a figure 3.8 in wide, and the recovery check's truth of 0 for the enemy
reliability lay on the left spine."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from small_cases import joint_checks, spread_particles

from sim.calibrate.figures import marginals_figure, pairs_figure, predictive_figure
from sim.calibrate.spec import Calibration, load_calibration
from sim.plots.figure import (
    DPI,
    MIN_TEXT_PT,
    at_page_width,
    render,
    saved_size_in,
    set_theme,
    too_wide_notes,
)

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
COLUMN_IN = 3.3
# The recovery check's truth (docs/validation.md): the enemy reliability at its prior's 0.
TRUTH = [
    "parameters.trust.memory=0.98", "parameters.event_kinds.support.weight=0.1",
    "link.beta=0.5", "parameters.trust.negativity_bias=2", "parameters.affinity.scale=1",
    "parameters.stance.enemy_reliability=0",
]  # fmt: skip


@pytest.fixture(scope="module")
def joint() -> tuple[Calibration, pd.DataFrame]:
    """calibrations/joint.yaml: v1 with four free parameters, v2 with six."""
    calibration = load_calibration(ROOT / "calibrations" / "joint.yaml")
    return calibration, spread_particles(calibration)


@pytest.fixture(scope="module")
def recovery() -> tuple[Calibration, pd.DataFrame]:
    """calibrations/recovery.yaml with the recovery check's --truth."""
    calibration = load_calibration(ROOT / "calibrations" / "recovery.yaml", TRUTH)
    return calibration, spread_particles(calibration)


def _drawn(make, width: float | None = COLUMN_IN) -> tuple[Figure, tuple[float, float]]:
    """The figure ``make`` draws at ``width``, saved as the command saves it; its saved
    size in inches, and the figure laid out as saved, for its text to be measured."""
    set_theme()
    with at_page_width(width):
        fig = make()
        size = saved_size_in(render(fig, "png", DPI), "png", DPI)
        too_wide_notes()  # emptied: a note kept would be printed by a later test's command
    fig.set_dpi(DPI)
    fig.canvas.draw()
    return fig, size


def _texts(fig: Figure) -> list[Text]:
    """Every text of ``fig`` drawn with words in it: each panel's and inset's tick labels
    (those in view), axis labels, title and names over it; the legends'; the caption."""
    texts: list[Text] = [*fig.texts]
    for legend in fig.legends:
        texts += [legend.get_title(), *legend.get_texts()]
    for ax in fig.findobj(Axes):  # the panels and the insets in them
        if ax.axison:
            texts += [*_in_view(ax), ax.xaxis.label, ax.yaxis.label, ax.title, *ax.texts]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _in_view(ax: Axes) -> list[Text]:
    """``ax``'s tick labels that are drawn: those of ticks within its limits (its locator
    gives ticks past them, whose labels are kept but not drawn)."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    slack_x, slack_y = 1e-9 * (x1 - x0), 1e-9 * (y1 - y0)
    return [
        *(t for t in ax.get_xticklabels() if x0 - slack_x <= t.get_position()[0] <= x1 + slack_x),
        *(t for t in ax.get_yticklabels() if y0 - slack_y <= t.get_position()[1] <= y1 + slack_y),
    ]


def _overlaps(fig: Figure) -> list[tuple[str, str]]:
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if Bbox.intersection(box_a.shrunk(0.98, 0.98), box_b.shrunk(0.98, 0.98)) is not None
    ]


def _panels(fig: Figure) -> list[Axes]:
    """The figure's panels: axes drawn, not the insets inside them."""
    return [ax for ax in fig.axes if ax.axison and ax in fig.get_children()]


def _fits_a_column(fig: Figure, size: tuple[float, float]) -> None:
    wide, tall = size
    assert wide <= COLUMN_IN + 1.0 / DPI
    assert tall <= 9.0
    assert _overlaps(fig) == []
    assert min(t.get_fontsize() for t in _texts(fig)) >= MIN_TEXT_PT


def test_the_marginals_fit_a_single_column_in_two_columns_of_panels(joint, recovery) -> None:
    for calibration, particles in (joint, recovery):
        fig, size = _drawn(lambda c=calibration, p=particles: marginals_figure(p, c))
        _fits_a_column(fig, size)
        panels = _panels(fig)
        assert len(panels) == 6
        assert len({round(ax.get_position().x0, 3) for ax in panels}) == 2
        # The y label once a row, on its first panel.
        rows = {round(ax.get_position().y0, 3) for ax in panels}
        assert [ax.get_ylabel() for ax in panels].count("posterior density") == len(rows)


def test_the_pairs_fit_a_single_column_and_no_panel_is_a_sliver(joint, recovery) -> None:
    cases = [(*joint, "v1"), (*joint, "v2"), (*recovery, "default")]
    for calibration, particles, variant in cases:
        fig, size = _drawn(lambda c=calibration, p=particles, v=variant: pairs_figure(p, c, v))
        _fits_a_column(fig, size)
        free = len(calibration.free(variant))
        panels = [ax for ax in _panels(fig) if ax.collections]  # a scatter each
        assert len(panels) == free * (free - 1) // 2
        for ax in panels:
            box = ax.get_window_extent(fig.canvas.get_renderer())
            wide, tall = box.width / DPI, box.height / DPI
            assert min(wide, tall) >= 0.4
            assert 0.8 <= wide / tall <= 1.25
        # Each parameter named once on each axis it is on (x: all but the last).
        names = [ax.get_xlabel() for ax in panels if ax.get_xlabel()]
        assert len(names) == free - 1


def test_the_predictive_figure_fits_a_single_column() -> None:
    """The joint calibration's nine patterns (as tests/test_calibration_page_width_1029.py
    draws them), two variants each, one of few effective particles."""
    checks = joint_checks()
    thin = {"v2": " (4.6 effective particles: read with care)"}
    fig, size = _drawn(lambda: predictive_figure(checks, caption="A caption.", thin=thin))
    _fits_a_column(fig, size)
    renderer = fig.canvas.get_renderer()
    labels = [
        t.get_text() for ax in _panels(fig) for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]
        if "\n" in t.get_text()
    ]  # fmt: skip
    assert len(labels) == 9  # every pattern named
    (caption,) = [t for t in fig.texts if t.get_text() == "A caption."]
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in _panels(fig))
    assert caption.get_window_extent(renderer).y1 < lowest


def _inside(ax: Axes, value: float, axis: str) -> float:
    """How far, in pixels at DPI, ``value`` on ``axis`` lies inside ``ax``'s frame (less
    than 0: outside; 0: on a spine)."""
    box = ax.get_window_extent(ax.figure.canvas.get_renderer())
    if axis == "x":
        at = ax.transData.transform((value, 0.0))[0]
        return float(min(at - box.x0, box.x1 - at))
    at = ax.transData.transform((0.0, value))[1]
    return float(min(at - box.y0, box.y1 - at))


@pytest.mark.parametrize("width", [None, 6.5, COLUMN_IN])
def test_a_truth_at_a_priors_end_is_drawn_inside_the_axes(recovery, width) -> None:
    """The enemy reliability's truth of 0, its prior's low end: its line lay on the left
    spine of its marginal and of its pairs' panels, and read as the axis itself."""
    calibration, particles = recovery
    marginals, _ = _drawn(lambda: marginals_figure(particles, calibration), width)
    lines = [
        (ax, line.get_xdata()[0]) for ax in _panels(marginals) for line in ax.get_lines()
        if line.get_label() == "truth"
    ]  # fmt: skip
    assert len(lines) == 6
    assert min(_inside(ax, x, "x") for ax, x in lines) >= 2.0
    pairs, _ = _drawn(lambda: pairs_figure(particles, calibration, "default"), width)
    found = []
    for ax in _panels(pairs):
        for line in ax.get_lines():
            xs, ys = line.get_xdata(), line.get_ydata()
            if xs[0] == xs[-1] and list(ys) == [0, 1]:  # an axvline
                found.append(_inside(ax, xs[0], "x"))
            elif ys[0] == ys[-1] and list(xs) == [0, 1]:  # an axhline
                found.append(_inside(ax, ys[0], "y"))
    assert len(found) == 2 * 15  # each panel's x and y truth
    assert min(found) >= 2.0
