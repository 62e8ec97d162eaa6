"""A posterior much narrower than its prior gets an inset over its own range (decision
977). On the prior's 20 bins link.beta's posterior, 0.005 to 0.028 on a prior of 0 to 2,
was one bar at 0, its shape invisible (an outside check of the calibration workflow)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.calibrate.figures import marginals_figure
from sim.calibrate.toy import PARAMETER
from tests.test_calibration_review_918 import _toy


def _particles(values: list[float]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {"generation": [2] * n, "variant": ["default"] * n, "weight": [1.0 / n] * n,
         PARAMETER: values}
    )  # fmt: skip


def test_a_posterior_within_a_tenth_of_its_prior_gets_an_inset_over_its_range(tmp_path):
    """Particles from 0.01 to 0.05 on a prior of 0 to 1 (a share of 0.04): on the prior's
    bins all in the first bar; the inset spans 0.01 to 0.05 and its bars hold every
    particle's weight (a density over that range integrates to 1), on the side away
    from them; the caption says what the inset is."""
    values = list(np.linspace(0.01, 0.05, 9))
    fig = marginals_figure(_particles(values), _toy(tmp_path))
    panel = fig.axes[0]
    (inset,) = panel.child_axes
    assert inset.get_xlim() == (0.01, 0.05)
    # The filled step outline's area (shoelace): a density over the inset's range.
    x, y = inset.patches[0].get_xy().T
    area = abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
    assert abs(area - 1) < 1e-9
    assert (x.min(), x.max()) == (0.01, 0.05)
    assert inset.get_position().x0 > panel.get_position().x0 + 0.3 * panel.get_position().width
    caption = " ".join(t.get_text() for t in fig.texts)
    assert "an inset draws them over their own range" in caption
    plt.close("all")


def test_a_posterior_across_its_prior_gets_no_inset(tmp_path):
    """Particles from 0.2 to 0.9: the prior's bins show its shape; no inset, and the
    caption says nothing of one. Nor does a posterior at one value, which has no range."""
    wide = marginals_figure(_particles(list(np.linspace(0.2, 0.9, 9))), _toy(tmp_path))
    assert wide.axes[0].child_axes == []
    assert "inset" not in " ".join(t.get_text() for t in wide.texts)
    point = marginals_figure(_particles([0.3] * 5), _toy(tmp_path))
    assert point.axes[0].child_axes == []
    plt.close("all")
