"""Decision 960: at a page's width no figure is taller than a page (PAGE_HEIGHT_IN).

At --width 6.5 the Sobol bars of a two-scenario sweep fell to one column of nine panels,
47 in tall with 2 in of white between panels; twelve heatmaps of an 8 x 8 grid made a
column 43 in tall. The charts are now split into more files at the page's height, the
maps drawn four a row; without --width every figure is as before. Fails on the code
before.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.cli import main
from sim.plots.figure import PAGE_HEIGHT_IN, at_page_width, render, saved_height_in
from sim.plots.sensitivity import PER_FIGURE, figure_metrics, sensitivity_figures
from sim.plots.sweeps import heatmap_figure
from sim.runner import RunOutput
from sim.scenario import Scenario

# The saved file is rounded out to whole pixels at 150 dpi.
PIXEL_IN = 1.0 / 150.0
PARAMETERS = [
    "parameters.trust.negativity_bias",
    "parameters.trust.memory",
    "parameters.trust.prior_strength",
    "parameters.salience.same_bloc",
    "parameters.salience.same_region",
    "parameters.salience.global",
    "parameters.diffusion.susceptibility",
    "parameters.event_kinds.support.weight",
]
METRICS = [f"final_trust.{p}.{g}" for p in ("Russia", "USA", "Turkey") for g in ("all", "east")]
METRICS += [f"final_share.{p}.{g}" for p in ("Russia", "USA", "Turkey") for g in ("all", "east")]


def _sobol_table() -> pd.DataFrame:
    """Twelve metrics of two scenarios over eight parameters (claim 1's Sobol sweep)."""
    rng = np.random.default_rng(3)
    rows = [
        {"scenario": s, "metric": m, "parameter": p, "S1": rng.uniform(0, 0.5),
         "S1_conf": 0.1, "ST": rng.uniform(0, 0.6), "ST_conf": 0.1}
        for s, m, p in itertools.product(("historical", "abstained"), METRICS, PARAMETERS)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _heights(figures: list[Any]) -> list[float]:
    return [saved_height_in(render(fig), "png") for fig in figures]


def test_sobol_charts_at_a_page_width_are_split_at_the_page_height() -> None:
    table = _sobol_table()
    with at_page_width(6.5):
        chunks = figure_metrics(table, "sobol")
        figures = sensitivity_figures(table, "sobol")
        heights = _heights(figures)
    plt.close("all")
    assert len(figures) == len(chunks) > 2  # more files than the default's two
    assert max(heights) <= PAGE_HEIGHT_IN + PIXEL_IN, heights
    # Every metric once, in the table's order.
    assert [m for chunk in chunks for m in chunk] == METRICS
    # Two panels a row at 6.5 in: the parameters' names leave each 1.5 in of bars.
    assert all(len(chunk) % 2 == 0 for chunk in chunks[:-1])
    # Without --width: PER_FIGURE panels a figure, as before, of the size they were.
    chunks = figure_metrics(table, "sobol")
    assert chunks == [METRICS[:PER_FIGURE], METRICS[PER_FIGURE:]]
    figures = sensitivity_figures(table, "sobol")
    sizes = [float(v) for fig in figures for v in fig.get_size_inches()]
    assert sizes == pytest.approx([15.9, 0.4 + 3 * 6.3, 15.9, 0.4 + 6.3])


def test_page_width_gaps_between_panels_are_inches_not_shares_of_a_panel() -> None:
    """The gap under a panel is its labels and the next title, under an inch; it was 0.6
    of the panel's height (some 2 in under a panel of 18 rows of bars)."""
    table = _sobol_table()
    table = table[table["parameter"].isin(PARAMETERS[:4])]  # two blocks of four: ten rows
    with at_page_width(3.5):
        figures = sensitivity_figures(table, "sobol", METRICS[:2])
        (fig,) = figures
        fig.canvas.draw()
        top, bottom = (ax for ax in fig.axes if ax.axison)
        gap = (top.get_position().y0 - bottom.get_position().y1) * fig.get_figheight()
        assert 0.5 < gap < 1.3, gap  # labels, a title of two lines
    plt.close("all")


def _morris_run(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """Six metrics of the tiny scenario, each a different mix of three parameters."""
    trust = scenario.parameters.trust
    spread = scenario.parameters.diffusion.susceptibility
    noise = float(np.random.default_rng(seed).normal()) * 0.01

    def y(a: float, b: float, c: float) -> float:
        return a * trust.negativity_bias / 4 + b * trust.memory + c * spread + noise

    return RunOutput(
        summary={
            "final_trust": {
                "Patron": {"all": y(0.1, 0.3, 0.05), "east": y(0.2, 0.1, 0.3)},
                "Rival": {"all": y(0.05, 0.2, 0.1), "east": y(0.3, 0.05, 0.02)},
            },
            "effective_poles": {"all": 1 + y(0.4, 0.2, 0.1), "east": 1 + y(0.1, 0.4, 0.3)},
        },
        series=None,
        actors=None,
    )


def _png_heights(folder: Path) -> dict[str, float]:
    heights = {}
    for path in sorted(folder.glob("*.png")):
        with Image.open(path) as image:
            heights[path.name] = image.height / float(image.info["dpi"][1])
    return heights


def test_analyze_splits_morris_charts_at_a_narrow_page_and_says_what_they_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.sweep import load_experiment, run_sweep
    from tests.test_analyze import _experiment

    folder = tmp_path / "out"
    exp = _experiment(tmp_path, "morris", 10, extra="  levels: 4\n")
    run_sweep(load_experiment(exp), folder, run_fn=_morris_run, quiet=True)
    assert main(["analyze", str(folder), "--method", "morris"]) == 0
    assert list(_png_heights(folder / "analysis")) == ["sensitivity_morris.png"]
    capsys.readouterr()
    assert main(["analyze", str(folder), "--method", "morris", "--width", "3.5"]) == 0
    said = capsys.readouterr()
    heights = _png_heights(folder / "analysis")
    names = [f"sensitivity_morris_{i}.png" for i in range(1, len(heights) + 1)]
    assert len(heights) > 1 and sorted(heights) == sorted(names), heights
    assert max(heights.values()) <= PAGE_HEIGHT_IN + PIXEL_IN, heights
    assert f"bar charts {', '.join(names)}" in said.out
    assert "tall" not in said.err


def test_twelve_maps_of_an_eight_by_eight_grid_fit_a_page() -> None:
    x, y = PARAMETERS[:2]
    metrics = METRICS[:4]
    grid = itertools.product(
        ("historical", "sustained", "abstained"), np.linspace(1, 4.5, 8), np.linspace(0.9, 1, 8)
    )
    rows = []
    for s, a, b in grid:
        values = {m: 0.4 + 0.1 * i + 0.01 * a * b for i, m in enumerate(metrics)}
        rows.append({"scenario": s, x: a, y: b, **values})
    runs = pd.DataFrame(rows)
    with at_page_width(6.5):
        (height,) = _heights([heatmap_figure(runs, metrics, x, y)])
    plt.close("all")
    assert height <= PAGE_HEIGHT_IN + PIXEL_IN


def test_a_figure_taller_than_a_page_is_said_by_name() -> None:
    from sim.plots.figure import TOO_TALL, rendered, too_wide_notes

    TOO_TALL.clear()
    fig, ax = plt.subplots(figsize=(3, 12))
    ax.plot([0, 1])
    with at_page_width(3.5):
        rendered(fig, name="analysis/tall.png")
        notes = too_wide_notes()
    assert len(notes) == 1 and notes[0].startswith("the figure analysis/tall.png is ")
    assert f"taller than a page's {PAGE_HEIGHT_IN:g} in" in notes[0]
    # Without --width nothing is said.
    fig, ax = plt.subplots(figsize=(3, 12))
    rendered(fig)
    assert too_wide_notes() == []


def test_analyze_again_leaves_no_chart_of_an_earlier_analyze(tmp_path: Path) -> None:
    """The page-width parts of an earlier analyze are removed when a default one draws one
    chart, and the other way round; the tables and another method's charts stay."""
    from sim.sweep import load_experiment, run_sweep
    from tests.test_analyze import _experiment

    folder = tmp_path / "out"
    exp = _experiment(tmp_path, "morris", 10, extra="  levels: 4\n")
    run_sweep(load_experiment(exp), folder, run_fn=_morris_run, quiet=True)
    analysis = folder / "analysis"
    analysis.mkdir()
    mine = analysis / "sensitivity_morris_notes.png"  # not a name analyze writes
    other = analysis / "sensitivity_sobol_1.png"
    mine.write_bytes(b"kept")
    other.write_bytes(b"kept")
    assert main(["analyze", str(folder), "--method", "morris", "--width", "3.5"]) == 0
    parts = sorted(p.name for p in analysis.glob("sensitivity_morris_[0-9]*.png"))
    assert len(parts) > 1
    assert main(["analyze", str(folder), "--method", "morris"]) == 0
    charts = sorted(p.name for p in analysis.glob("*.png"))
    assert charts == [
        "sensitivity_morris.png",
        "sensitivity_morris_notes.png",
        "sensitivity_sobol_1.png",
    ]
    assert main(["analyze", str(folder), "--method", "morris", "--width", "3.5"]) == 0
    assert sorted(p.name for p in analysis.glob("sensitivity_morris_[0-9]*.png")) == parts
    assert not (analysis / "sensitivity_morris.png").exists()
    assert mine.read_bytes() == other.read_bytes() == b"kept"
