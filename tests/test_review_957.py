"""Decision 957: a page-width heatmap's colour bar is at most 4 in long, beside its first
maps: at 3.5 in, twelve maps in a column made a 30-in figure whose bar ran 20 in down its
side. Fails on the code before."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd

from sim.plots.figure import at_page_width
from sim.plots.sweeps import heatmap_figure

X, Y = "parameters.trust.negativity_bias", "parameters.trust.memory"
METRICS = [f"final_trust.{p}.all" for p in ("Russia", "USA", "Turkey", "France")]


def _runs() -> pd.DataFrame:
    """Three scenarios over a 2 x 2 grid, four final trusts: twelve maps."""
    rows = [
        {"scenario": s, X: x, Y: y, **{m: 0.4 + 0.1 * i + 0.01 * x for i, m in enumerate(METRICS)}}
        for s, x, y in itertools.product(("historical", "sustained", "abstained"), (1, 3),
                                         (0.95, 0.99))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _bar_in(fig) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The colour bar's length and the figure's height, inches, as drawn."""
    fig.canvas.draw()
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    return bar.get_position().height * fig.get_figheight(), fig.get_figheight()


def test_a_tall_page_width_heatmap_keeps_its_colour_bar_short_and_at_the_top() -> None:
    with at_page_width(3.5):
        fig = heatmap_figure(_runs(), METRICS, X, Y)
        length, height = _bar_in(fig)
        (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
        top_map = max(ax.get_position().y1 for ax in fig.axes if ax is not bar)
        assert height > 15  # twelve maps in one column: the case of the check
        assert length <= 4.0 + 0.05
        # Beside the first maps: the bar's top at the top map's.
        assert abs(bar.get_position().y1 - top_map) * height < 0.3
    plt.close(fig)
    # The default width keeps its bar at 0.8 of the maps' height, as before.
    fig = heatmap_figure(_runs(), METRICS, X, Y)
    length, height = _bar_in(fig)
    assert length > 0.5 * height
    plt.close(fig)
