"""A calibration's figures at a page's width (decision 1029): laid out for the page, not
only narrowed to it. Narrowed, each pairs panel's y label ran into the panel on its left
and the marginals' legend lay over the third panel."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from small_cases import joint_checks, spread_particles

from sim.calibrate.figures import marginals_figure, pairs_figure
from sim.calibrate.spec import Calibration, load_calibration
from sim.plots.figure import at_page_width, fit_page, set_theme

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def joint() -> tuple[Calibration, pd.DataFrame]:
    """calibrations/joint.yaml (six parameters: fifteen pairs) and made-up particles
    spread over its priors, each variant's fixed parameters NaN."""
    calibration = load_calibration(ROOT / "calibrations" / "joint.yaml")
    return calibration, spread_particles(calibration)


def _laid_out(fig: Figure) -> None:
    fit_page(fig)  # as render does before saving
    fig.canvas.draw()


def _panels(fig: Figure) -> list[matplotlib.axes.Axes]:
    return [ax for ax in fig.axes if ax.axison and ax.get_label() != "<colorbar>"]


@pytest.mark.parametrize(("variant", "width", "pairs"), [("v1", 6.5, 6), ("v2", 8.0, 15)])
def test_a_pairs_panels_y_label_stays_clear_of_the_panel_on_its_left(
    joint, variant, width, pairs
) -> None:
    """A grid of pairs at a page's width: v2's fifteen at 6.5 in are a corner since
    decision 1044 (the grid was taller than a page), each y label left of the first
    column; at 8 in they are a grid, four a row."""
    calibration, particles = joint
    set_theme()
    with at_page_width(width):
        fig = pairs_figure(particles, calibration, variant)
        _laid_out(fig)
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in _panels(fig) if ax.get_ylabel()]
    assert len(panels) == pairs
    overlaps = []
    for ax in panels:
        label = ax.yaxis.label.get_window_extent(renderer)
        ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        for other in panels:
            box = other.get_window_extent(renderer)
            left_of = box.x1 <= ax.get_window_extent(renderer).x0
            if (
                other is not ax
                and left_of
                and any(Bbox.intersection(box, b) is not None for b in [label, *ticks])
            ):
                overlaps.append((ax.get_ylabel(), other.get_ylabel()))
    assert overlaps == []
    # Within the page: its width less the saved file's padding.
    assert fig.get_tightbbox(renderer).width <= width


def test_the_marginals_legend_lies_over_no_panel_at_a_pages_width(joint) -> None:
    """Narrowed, the legend beside the panels stayed clear of them; a grid that fills the
    page leaves it no room there (it lay over the third panel), so it goes under them."""
    calibration, particles = joint
    set_theme()
    with at_page_width(6.5):
        fig = marginals_figure(particles, calibration)
        _laid_out(fig)
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    assert [
        ax for ax in _panels(fig) if Bbox.intersection(ax.get_window_extent(renderer), box)
    ] == []
    assert fig.get_tightbbox(renderer).width <= 6.5


def test_the_predictive_figures_labels_stay_apart_at_a_pages_width() -> None:
    """At --width 6.5 the joint calibration's predictive figure was narrowed to the page
    and its pattern names, upright, printed over each other ("sino_soviet
    nonaligned" into "sino_soviet initial"; an outside check, decision 1032). At a page's
    width they are turned, and neither they nor the caption run into each other."""
    from sim.calibrate.figures import predictive_figure

    checks = joint_checks()  # the joint calibration's nine patterns
    set_theme()
    with at_page_width(6.5):
        fig = predictive_figure(checks, caption="A caption.")
        _laid_out(fig)
    renderer = fig.canvas.get_renderer()
    for ax in _panels(fig):
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert len(boxes) >= 2
        assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes))
    lowest_tick = min(
        t.get_window_extent(renderer).y0 for ax in _panels(fig) for t in ax.get_xticklabels()
        if t.get_text()
    )  # fmt: skip
    (caption,) = [t for t in fig.texts if t.get_text() == "A caption."]
    assert caption.get_window_extent(renderer).y1 < lowest_tick
    assert fig.get_tightbbox(renderer).width <= 6.5
