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


def test_a_metric_about_one_state_names_the_state_as_a_reader_would():
    """ "Change in trust in Russia of Syria over 'withdrawal'" and "Final trust in USA of
    Syria" read badly; a one-state group's metric takes the state's possessive. Other
    groups read as before, except that "over the run" goes last as a window does."""
    from sim.plots.figure import metric_label

    phrases = {"syria": "of Syria", "levant": "among Levant states"}
    said = {
        "trust_change.withdrawal.Russia.syria": (
            "Change in Syria's trust in Russia over 'withdrawal'"
        ),
        "final_trust.USA.syria": "Syria's final trust in USA",
        "min_trust.USA.syria": "Syria's lowest trust in USA",
        "mean_trust.USA.syria": "Syria's mean trust in USA over the run",
        "sd_trust.USA.syria": "Swing (SD over time) of Syria's trust in USA",
        "final_share.Russia.syria": "Syria aligned with Russia at the end",
        "final_share.none.syria": "Syria non-aligned at the end",
        "final_trust.Russia.all": "Final trust in Russia among all states",
        "trust_change.withdrawal.USA.levant": (
            "Change in trust in USA among Levant states over 'withdrawal'"
        ),
        "mean_trust.USA.levant": "Mean trust in USA among Levant states over the run",
        "final_share.Russia.levant": (
            "Final share of states aligned with Russia among Levant states"
        ),
    }
    assert {m: metric_label(m, phrases)[0] for m in said} == said
    # As a figure's panel title (the sensitivity bars title their panels so).
    table = pd.DataFrame({
        "metric": ["trust_change.withdrawal.Russia.syria"], "parameter": ["p"],
        "S1": [0.4], "S1_conf": [0.1], "ST": [0.5], "ST_conf": [0.1],
    })  # fmt: skip
    (fig,) = sensitivity_figures(table, "sobol", phrases=phrases)
    (ax,) = [a for a in fig.axes if a.axison]
    assert " ".join(ax.get_title(loc="left").split()) == said[table["metric"][0]]
