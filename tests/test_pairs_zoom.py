"""A pair with a posterior much narrower than its prior gets an inset over the particles'
own range on that axis, as the marginals do (decision 977's ``_zoom_range``): on the
prior's box link.beta, 0.001 to 0.039 on a prior of 0 to 2, was a row of points along
the bottom edge, its shape against every other parameter invisible."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.calibrate.figures import pairs_figure
from sim.calibrate.spec import load_calibration

RECOVERY = Path(__file__).resolve().parents[1] / "calibrations" / "recovery.yaml"
BETA = "link.beta"
MEMORY = "parameters.trust.memory"


def _figure(truth: tuple[str, ...] = (), narrow: dict[str, tuple[float, float]] | None = None):  # type: ignore[no-untyped-def]
    """The recovery file's pairs figure over 40 particles spread on each prior, but on
    ``narrow``'s ranges; its calibration and the particles."""
    calibration = load_calibration(RECOVERY, truth, check_paths=False)
    free = calibration.free("default")
    rng = np.random.default_rng(5)
    ranges = {p: (q.low, q.high) for p, q in free.items()} | (narrow or {})
    n = 40
    # Each range's ends drawn, so that the particles' range is the one asked for.
    columns = {
        p: np.r_[low, high, rng.uniform(low, high, n - 2)] for p, (low, high) in ranges.items()
    }
    weights = rng.uniform(0.2, 1.0, n)
    particles = pd.DataFrame(
        {"generation": 3, "variant": "default", "weight": weights / weights.sum()} | columns
    )
    return pairs_figure(particles, calibration, "default"), calibration, particles


def _panels(fig, calibration):  # type: ignore[no-untyped-def]
    """Each pair's panel, by its pair."""
    pairs = itertools.combinations(calibration.free("default"), 2)
    return dict(zip(pairs, fig.axes, strict=False))


def _caption(fig) -> str:  # type: ignore[no-untyped-def]
    return " ".join(t.get_text() for t in fig.texts)


def test_a_narrow_parameter_s_pairs_get_an_inset_over_the_particles_range():
    """link.beta's particles from 0.005 to 0.028 (a share of 0.0115 of its prior): each of
    its five pairs keeps the prior's box and gets one inset whose beta axis spans the
    particles, not the prior, the other axis its prior, holding every particle, above
    them (they sit at the box's bottom); the pairs without beta get none; the caption
    says what the insets are."""
    fig, calibration, particles = _figure(narrow={BETA: (0.005, 0.028)})
    free = calibration.free("default")
    try:
        for (x, y), panel in _panels(fig, calibration).items():
            assert panel.get_xlim() == (free[x].low, free[x].high)
            assert panel.get_ylim() == (free[y].low, free[y].high)
            if BETA not in (x, y):
                assert panel.child_axes == []
                continue
            (inset,) = panel.child_axes
            assert y == BETA  # beta is the last free parameter: always the y-axis
            assert inset.get_ylim() == pytest.approx((0.005, 0.028))
            assert inset.get_xlim() == (free[x].low, free[x].high)
            (points,) = inset.collections
            drawn = np.asarray(points.get_offsets())
            assert drawn == pytest.approx(particles[[x, y]].to_numpy())
            box = inset.get_position()
            whole = panel.get_position()
            assert box.y0 > whole.y0 + 0.5 * whole.height  # above the particles
            assert [t.get_text() for t in inset.get_yticklabels()] == ["0.005", "0.028"]
        assert "an inset draws the pair over their own range on that axis" in _caption(fig)
    finally:
        plt.close(fig)


def test_two_narrow_parameters_are_both_zoomed_away_from_the_particles():
    """Memory from 0.99 to 0.999 (at its prior's top end) and beta near 0: their pair's
    inset spans both ranges, at the panel's left, above the particles."""
    fig, calibration, _ = _figure(narrow={BETA: (0.005, 0.028), MEMORY: (0.99, 0.999)})
    try:
        panel = _panels(fig, calibration)[(MEMORY, BETA)]
        (inset,) = panel.child_axes
        assert inset.get_xlim() == pytest.approx((0.99, 0.999))
        assert inset.get_ylim() == pytest.approx((0.005, 0.028))
        box, whole = inset.get_position(), panel.get_position()
        assert box.x1 < whole.x0 + 0.6 * whole.width  # left, away from memory near 1
        assert box.y0 > whole.y0 + 0.5 * whole.height  # above, away from beta near 0
    finally:
        plt.close(fig)


def test_truth_lines_are_drawn_in_the_inset_where_they_fall_in_it():
    """A truth inside the zoomed range (beta 0.01) and one on the inset's prior-wide axis
    (memory 0.9) are lines in the inset as in the panel; a truth outside it (beta 0.5 in
    the second figure) is a line in the panel only; the caption says so."""
    fig, calibration, _ = _figure((f"{BETA}=0.01", f"{MEMORY}=0.9"), narrow={BETA: (0.005, 0.028)})
    try:
        (inset,) = _panels(fig, calibration)[(MEMORY, BETA)].child_axes
        vertical = [
            line.get_xdata()[0]
            for line in inset.lines
            if line.get_xdata()[0] == line.get_xdata()[1]
        ]
        horizontal = [
            line.get_ydata()[0]
            for line in inset.lines
            if line.get_ydata()[0] == line.get_ydata()[1]
        ]
        assert vertical == [0.9]
        assert horizontal == [0.01]
        assert "a truth is drawn in an inset where it falls in its range" in _caption(fig)
    finally:
        plt.close(fig)
    fig, calibration, _ = _figure((f"{BETA}=0.5",), narrow={BETA: (0.005, 0.028)})
    try:
        panel = _panels(fig, calibration)[(MEMORY, BETA)]
        (inset,) = panel.child_axes
        assert list(inset.lines) == []
        assert [line.get_ydata()[0] for line in panel.lines] == [0.5]
    finally:
        plt.close(fig)


def test_pairs_across_their_priors_get_no_inset():
    """Every parameter spread across its prior: no panel has an inset and the caption says
    nothing of one; nor does a parameter at one value, which has no range to zoom to."""
    for narrow in ({}, {BETA: (0.3, 0.3)}):
        fig, calibration, _ = _figure(narrow=narrow)
        try:
            assert all(panel.child_axes == [] for panel in _panels(fig, calibration).values())
            assert "inset" not in _caption(fig)
        finally:
            plt.close(fig)
