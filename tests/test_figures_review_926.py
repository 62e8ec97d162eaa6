"""What an outside review of the figures found, mended (decision 926): the answer of one
run a cell, a posterior design's empty cells and bins, and the heatmaps' digits.

The numbers are read back from the sentences and from the matplotlib axes (texts, tick
labels, patches, line data), as the report draws them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import results_factory as factory
from matplotlib.colors import to_rgb

from sim.plots.gallery import figures_for
from sim.plots.headline import Headline, headline_caption, headline_figure, headline_of
from sim.plots.sweeps import heatmap_panel
from sim.results import open_results

NB, MEM = "parameters.trust.negativity_bias", "parameters.trust.memory"
METRIC = "final_trust.USA.all"
# The heatmaps' words for a cell with no run (sim.plots.figure.NO_RUN_WORDS).
NO_RUN = "a hatched grey cell has no run"
QUESTION = {"text": "Does it?", "difference": ["base", "counter"], "metric": METRIC}


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


def _headline(cells: pd.DataFrame, **fields: Any) -> Headline:
    """A headline of ``cells`` (x, y, mean, lo, hi, n) over axes x and y."""
    defaults: dict[str, Any] = dict(
        text="", a="a", b="b", metric=METRIC, date=None, axes=["x", "y"], fixed={},
        reference={}, at_reference=(0.0, 0.0, 0.0, 0), binned=False, phrases={},
    )  # fmt: skip
    return Headline(cells=cells, **{**defaults, **fields})


# --------------------------------------------------------------------- A: one run a cell


def test_an_answer_of_one_run_a_cell_says_where_the_means_lie_and_that_none_has_an_interval(
    tmp_path: Path,
) -> None:
    """With one replicate the flagship's answer said "below zero (interval excludes zero)
    in 0, above zero in 0" of nine cells all above zero: a cell of one pair of runs has
    no interval. The factory's sweep has base - counter = 0.05 * (bias - 2) + 0.003 at
    every memory: -0.047 at bias 1, +0.003 at 2, +0.053 at 3, so of the 6 cells 2 lie
    below zero and 4 above."""
    folder = factory.write_sweep(
        tmp_path / "s", grid={NB: [1.0, 2.0, 3.0], MEM: [0.9, 0.99]}, replicates=1,
        scenarios={"base": 0.0, "counter": 0.0}, question=QUESTION,
    )  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    counter = runs["scenario"] == "counter"
    runs.loc[counter, METRIC] -= 0.05 * (runs.loc[counter, NB] - 2.0) + 0.003
    runs.to_parquet(folder / "runs.parquet")
    headline = headline_of(open_results(folder))
    assert headline is not None and (headline.cells["n"] == 1).all()
    sentence = headline.sentence()
    assert sentence.endswith(
        "Over the 6 cells drawn: from -0.047 to +0.053; mean below zero in 2, above zero "
        "in 4 (one pair of runs a cell: no cell has an interval)."
    )
    assert "interval excludes zero" not in sentence


def test_an_answer_of_cells_with_and_without_an_interval_counts_each_apart() -> None:
    """Some cells of one pair (a binned design's sparse bins), some of more: the cells
    with an interval are counted by it as before, the others by their mean; cells that
    all have an interval keep the old words."""
    cells = pd.DataFrame(
        {"x": [1, 1, 2, 2, 3], "y": [1, 2, 1, 2, 1], "mean": [0.1, -0.2, 0.05, -0.01, 0.3],
         "lo": [0.05, -0.3, np.nan, np.nan, -0.1], "hi": [0.15, -0.1, np.nan, np.nan, 0.7],
         "n": [3, 3, 1, 1, 3]}
    )  # fmt: skip
    mixed = _headline(cells).sentence()
    assert mixed.endswith(
        "below zero (interval excludes zero) in 1, above zero in 1 of the 3 cells with an "
        "interval; mean below zero in 1, above zero in 1 of the 2 cells of one pair of runs, "
        "which have no interval."
    )
    single = cells.assign(
        n=[3, 3, 1, 3, 3], lo=cells["lo"].fillna(-1.0), hi=cells["hi"].fillna(1.0)
    )
    one = _headline(single).sentence()
    assert "above zero in 1 of the 4 cells with an interval; mean below zero in 0, above " in one
    assert one.endswith("zero in 1 of the 1 cell of one pair of runs, which has no interval.")
    full = cells.assign(n=3, lo=[0.05, -0.3, 0.01, -0.02, -0.1], hi=[0.15, -0.1, 0.09, 0.0, 0.7])
    assert (
        _headline(full)
        .sentence()
        .endswith("below zero (interval excludes zero) in 1, above zero in 2.")
    )


# ------------------------------------------------- B: a posterior design's cells and bins


def _diagonal_posterior(folder: Path) -> Path:
    """A posterior design of 21 draws of 20 sets, one run a set and scenario: set i has
    negativity bias 1 + 0.1 i and memory 0.9 + 0.004 i (both rise together, so a map of
    the two fills its diagonal only), and set 3 is drawn twice (points 3 and 20, run once
    as point 3). base - counter is 0.01 (i + 1)."""
    sets = np.arange(20)
    folder = factory.write_sweep(
        folder, grid={NB: list(1.0 + 0.1 * sets), MEM: [0.9]}, replicates=1,
        scenarios={"base": 0.0, "counter": 0.0}, question=QUESTION,
    )  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    runs[MEM] = 0.9 + 0.004 * runs["point"]
    counter = runs["scenario"] == "counter"
    runs.loc[counter, METRIC] -= 0.01 * (runs.loc[counter, "point"] + 1)
    runs.to_parquet(folder / "runs.parquet")
    draws = np.append(sets, 3)
    pd.DataFrame(
        {"point": np.arange(21), NB: 1.0 + 0.1 * draws, MEM: 0.9 + 0.004 * draws}
    ).to_parquet(folder / "design.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["design"]["method"] = "posterior"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def _hatched(ax: Any) -> list[tuple[float, float]]:
    """The centres of the cells a map marks as having no run, each checked grey."""
    marks = [p for p in ax.patches if p.get_gid() == "no-run"]
    for mark in marks:
        red, green, blue = to_rgb(mark.get_facecolor())
        assert red == green == blue and 0.75 < red < 0.95 and mark.get_hatch()
    return sorted((m.get_x() + 0.5, m.get_y() + 0.5) for m in marks)


def test_a_posterior_maps_empty_cells_are_hatched_grey_and_its_caption_says_so(
    tmp_path: Path,
) -> None:
    """The headline map drew a cell with no run white, the zero of its diverging scale,
    and its caption said neither that nor what its tick labels are; the sweep heatmaps'
    captions said both. Here each parameter's 21 draws make 4 bins (20 distinct values,
    at least 5 a bin) and the draws lie on the diagonal, so 12 of the 16 cells are empty:
    hatched light grey (in neither colour scale) in the headline and in the heatmaps, and
    both captions say it in the same words."""
    results = open_results(_diagonal_posterior(tmp_path / "s"))
    headline = headline_of(results)
    assert headline is not None and len(headline.cells) == 4
    off_diagonal = sorted((float(x), float(y)) for x in range(4) for y in range(4) if x != y)
    assert _hatched(headline_figure(headline).axes[0]) == off_diagonal
    caption = headline_caption(headline)
    assert NO_RUN in caption
    assert "its labels are the bins' mean values" in caption
    entries = {e.stem: e for e in figures_for(results)}
    heatmap = entries["heatmap_trust-negativity_bias_trust-memory"]
    assert NO_RUN in heatmap.caption
    for ax in heatmap.figure.axes:
        if ax.get_title(loc="left"):  # a panel, not the colour bar
            assert _hatched(ax) == off_diagonal


def test_the_headline_and_the_sweep_figures_bin_a_parameter_alike(tmp_path: Path) -> None:
    """The headline binned a posterior design's distinct sets, the sweep figures the rows
    of their runs (the draws of every scenario): one parameter was ticked 2.01/3.3/3.73 in
    one and 1.93/3.18/3.72 in the other. Both now bin the draws. By hand, the 21 draws of
    negativity bias, 1.0 to 2.9 by 0.1 with 1.3 twice, cut at their quartiles (1.4, 1.9,
    2.4) give bins of mean (1.0 + 1.1 + 1.2 + 1.3 + 1.3 + 1.4) / 6 = 1.2167, 1.7, 2.2 and
    2.7; binning the 20 sets gave 1.2 for the first."""
    results = open_results(_diagonal_posterior(tmp_path / "s"))
    means = [1.21667, 1.7, 2.2, 2.7]
    headline = headline_of(results)
    assert headline is not None
    np.testing.assert_allclose(sorted(headline.cells[NB].unique()), means, atol=1e-4)
    entries = {e.stem: e for e in figures_for(results)}
    maps = [headline_figure(headline).axes[0]]
    maps += [ax for ax in entries["heatmap_trust-negativity_bias_trust-memory"].figure.axes
             if ax.get_title(loc="left")]  # fmt: skip
    ticks = {tuple(t.get_text() for t in ax.get_xticklabels()) for ax in maps}
    assert len(ticks) == 1  # the headline and every heatmap panel alike
    np.testing.assert_allclose([float(t) for t in ticks.pop()], means, atol=0.005)
    line = entries["sweep_trust-negativity_bias_final_trust"].figure.axes[0]
    markers = [np.asarray(ln.get_xdata(), np.float64) for ln in line.get_lines()]
    markers = [xs for xs in markers if len(xs) == 4]
    assert markers
    for xs in markers:
        np.testing.assert_allclose(xs, means, atol=1e-4)


# ----------------------------------------------------------------- C: a heatmap's digits


def test_every_cell_of_a_heatmap_writes_three_significant_digits() -> None:
    """The flagship's heatmap of change in Syria's trust in France wrote -0.000754 as
    -0.0008 and -0.000932 as -0.0009 beside -0.00182: four decimals below 0.001. Every
    cell now has three significant digits; only rounding (4.1e-12) reads 0.0000. The
    headline's map, which wrote every cell with the decimals of its largest, likewise."""
    runs = pd.DataFrame({"scenario": "a", "x": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0],
                         "y": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
                         "trust_change.w.France.all": [-0.000932, -0.000842, -0.000754,
                                                       -0.00182, 0.0131, 4.1e-12]})  # fmt: skip
    ax = heatmap_panel(runs, "trust_change.w.France.all", "x", "y")
    assert [t.get_text() for t in ax.texts] == [
        "-0.000932", "-0.000842", "-0.000754", "-0.00182", "0.0131", "0.0000",
    ]  # fmt: skip
    cells = pd.DataFrame(
        {"x": [1, 2, 1, 2], "y": [1, 1, 2, 2], "mean": [0.0979, 0.0004, -0.00075, 0.0131],
         "lo": [0.09, -0.1, -0.1, 0.01], "hi": [0.1, 0.1, 0.1, 0.02], "n": [3] * 4}
    )  # fmt: skip
    map_ax = headline_figure(_headline(cells)).axes[0]
    assert [t.get_text() for t in map_ax.texts] == ["+0.0979", "+0.000400", "-0.000750", "+0.0131"]
