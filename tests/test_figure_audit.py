"""A figure audit's findings, each read back from the figure's axes or its caption.

Identical lines that hide each other, one-state groups, the figures across a
parameter, the sensitivity bars' colours and metric titles about one state.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer

from sim.plots.palette import NONE_COLOR, OKABE_ITO, TOL_MUTED_EXTRA
from sim.plots.sensitivity import sensitivity_figures


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_sensitivity_bars_take_no_powers_colour_and_keep_their_marks():
    """S1 and ST were blue and orange, the colours of the first two powers (USA and Russia):
    a reader could take the bars for powers. They are greys that no power or the
    non-aligned takes; the x of an estimate outside [0, 1] still shows, on a bar too."""
    table = pd.DataFrame({
        "metric": ["m", "m"], "parameter": ["p", "q"],
        "S1": [-0.05, 0.5], "S1_conf": [0.1, 0.1],
        "ST": [1.1, 0.6], "ST_conf": [0.2, 0.1],
    })  # fmt: skip
    for method, frame in (
        ("sobol", table),
        (
            "morris",
            table.rename(columns={"S1": "mu_star", "S1_conf": "mu_star_conf", "ST": "sigma"}),
        ),
    ):
        (fig,) = sensitivity_figures(frame, method)
        (ax,) = [a for a in fig.axes if a.axison]
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        colours = {to_hex(patch.get_facecolor()) for c in bars for patch in c}
        powers = {c.lower() for c in (*OKABE_ITO, *TOL_MUTED_EXTRA, NONE_COLOR)}
        assert len(colours) == 2 and not colours & powers, (method, colours)
        marks = [line for line in ax.get_lines() if line.get_marker() == "x"]
        assert marks and all(m.get_path_effects() for m in marks)
        assert all(m.get_zorder() > bars[0].patches[0].get_zorder() for m in marks)
