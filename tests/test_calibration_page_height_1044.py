"""A calibration's figures at a page's width within a page's height (decision 1044), read
back from the figures as saved: the pairs of six parameters at 6 to 7 in (and wider), and
the marginals at the narrowest page, 3.0 in.

Before: the pairs' grid of fifteen panels, three a row, was 9.7 to 11.3 in tall at 6 to 7
in (a page's text is 9 in high); at 3.0 in the marginals fell back to one column of six
panels, 15.9 in tall."""

from __future__ import annotations

import itertools

import matplotlib
import pandas as pd
import pytest
from small_cases import calibration_case
from test_calibration_single_column_1037 import TRUTH, _drawn, _overlaps, _panels, _texts

from sim.calibrate.figures import marginals_figure, pairs_figure
from sim.calibrate.spec import Calibration
from sim.plots.figure import DPI, MIN_TEXT_PT, PAGE_HEIGHT_IN

matplotlib.use("Agg")
PIXEL_IN = 1.0 / DPI


@pytest.fixture(scope="module")
def joint() -> tuple[Calibration, pd.DataFrame]:
    """calibrations/joint.yaml: v2 with six free parameters."""
    return calibration_case("joint")


@pytest.fixture(scope="module")
def recovery() -> tuple[Calibration, pd.DataFrame]:
    """calibrations/recovery.yaml with the recovery check's --truth (six free)."""
    return calibration_case("recovery", TRUTH)


@pytest.mark.parametrize("width", [6.0, 6.5, 7.0, 10.0])
def test_six_parameters_pairs_at_a_pages_width_fit_a_pages_height(joint, recovery, width) -> None:
    """Within the page's width and height as saved, every pair drawn once, its text apart
    and at 7 pt or more, the panels square and no sliver."""
    for (calibration, particles), variant in ((joint, "v2"), (recovery, "default")):
        fig, (wide, tall) = _drawn(
            lambda c=calibration, p=particles, v=variant: pairs_figure(p, c, v), width
        )
        assert tall <= PAGE_HEIGHT_IN
        assert wide <= width + PIXEL_IN
        assert _overlaps(fig) == []
        assert min(t.get_fontsize() for t in _texts(fig)) >= MIN_TEXT_PT
        panels = [ax for ax in _panels(fig) if ax.collections]  # a scatter each
        free = list(calibration.free(variant))
        drawn = {(ax.collections[0].get_offsets()[:, 0][0], ax.collections[0].get_offsets()
                  [:, 1][0]) for ax in panels}  # fmt: skip
        assert len(panels) == len(drawn) == 15
        final = particles[particles["variant"] == variant]
        every = {(final[x].iloc[0], final[y].iloc[0]) for x, y in itertools.combinations(free, 2)}
        assert drawn == every
        renderer = fig.canvas.get_renderer()
        for ax in panels:
            box = ax.get_window_extent(renderer)
            assert min(box.width, box.height) / DPI >= 0.4
            assert 0.8 <= box.width / box.height <= 1.25


@pytest.mark.parametrize("case", ["joint", "recovery"])
def test_the_marginals_at_the_narrowest_page_are_two_a_row_within_a_page(
    joint, recovery, case
) -> None:
    """At --width 3.0 (the narrowest the command takes): two columns of panels, the figure
    within the width and a page's height, its text apart; each x axis still spans its
    prior (or a truth's pad), its tick labels in view a digit's width apart or more."""
    calibration, particles = joint if case == "joint" else recovery
    fig, (wide, tall) = _drawn(lambda: marginals_figure(particles, calibration), 3.0)
    assert tall <= PAGE_HEIGHT_IN
    assert wide <= 3.0 + PIXEL_IN
    assert _overlaps(fig) == []
    assert min(t.get_fontsize() for t in _texts(fig)) >= MIN_TEXT_PT
    panels = _panels(fig)
    assert len(panels) == 6
    assert len({round(ax.get_position().x0, 3) for ax in panels}) == 2
    renderer = fig.canvas.get_renderer()
    for ax, (path, prior) in zip(panels, calibration.spec.parameters.items(), strict=True):
        low, high = ax.get_xlim()
        truth = calibration.truth.get(path)
        pad = 0.04 * (prior.high - prior.low)  # decision 1037's pad for a truth at an end
        assert low == pytest.approx(prior.low - (pad if truth == prior.low else 0.0))
        assert high == pytest.approx(prior.high + (pad if truth == prior.high else 0.0))
        shown = sorted(
            (t.get_window_extent(renderer) for t in ax.get_xticklabels()
             if t.get_text() and low - 1e-9 <= t.get_position()[0] <= high + 1e-9),
            key=lambda box: box.x0,
        )  # fmt: skip
        assert len(shown) >= 2
        # A digit at the ticks' 8.8 pt is 0.065 in wide.
        assert all(b.x0 - a.x1 >= 0.05 * DPI for a, b in itertools.pairwise(shown))
