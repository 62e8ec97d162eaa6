"""A calibration's figures at a page's width (decision 1029): laid out for the page, not
only narrowed to it. Narrowed, each pairs panel's y label ran into the panel on its left
and the marginals' legend lay over the third panel."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

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
    rng = np.random.default_rng(0)
    frames = []
    for variant, fixed in calibration.variants().items():
        frame = {"generation": 3, "variant": variant, "weight": np.full(100, 0.01)}
        for path, prior in calibration.spec.parameters.items():
            frame[path] = np.nan if path in fixed else rng.uniform(prior.low, prior.high, 100)
        frames.append(pd.DataFrame(frame))
    return calibration, pd.concat(frames, ignore_index=True)


def _laid_out(fig: Figure) -> None:
    fit_page(fig)  # as render does before saving
    fig.canvas.draw()


def _panels(fig: Figure) -> list[matplotlib.axes.Axes]:
    return [ax for ax in fig.axes if ax.axison and ax.get_label() != "<colorbar>"]


def test_a_pairs_panels_y_label_stays_clear_of_the_panel_on_its_left(joint) -> None:
    calibration, particles = joint
    set_theme()
    with at_page_width(6.5):
        fig = pairs_figure(particles, calibration, "v2")
        _laid_out(fig)
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in _panels(fig) if ax.get_ylabel()]
    assert len(panels) == 15
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
    # Within the page: 6.5 in less the saved file's padding.
    assert fig.get_tightbbox(renderer).width <= 6.5


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
