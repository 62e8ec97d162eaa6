"""A page-width heatmap whose maps pass a page's height is split into files (stem_1, stem_2
...) of whole rows of maps, each within PAGE_HEIGHT_IN, as decision 960 split the
sensitivity charts: claim 4's three scenarios by four powers were one figure 10.5 in tall
at 6.5 in, and twelve maps at 3.5 in one 20 in tall, both only named on stderr. Without
--width the heatmap is one file as before. Fails on the code before.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import results_factory as factory

from sim.cli import main
from sim.plots.figure import PAGE_HEIGHT_IN, at_page_width, render, saved_size_in
from tests.test_page_height import PIXEL_IN, _png_heights

X, Y = "parameters.trust.negativity_bias", "parameters.trust.memory"
SCENARIOS = ("historical", "russia_first", "west_later")
METRICS = [f"final_trust.{p}.all" for p in ("Russia", "USA", "Turkey", "France")]


def _claim4_runs() -> pd.DataFrame:
    """Claim 4's heatmap: three scenarios over a 4 x 3 grid, four final trusts."""
    rows = [
        {"scenario": s, X: x, Y: y,
         **{m: 0.4 + 0.05 * i + 0.01 * x + 0.1 * y + 0.01 * k for i, m in enumerate(METRICS)}}
        for (k, s), x, y in itertools.product(enumerate(SCENARIOS), (0.25, 0.5, 0.75, 1.0),
                                              (0.95, 0.98, 0.99))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _titles(fig: plt.Figure) -> list[str]:
    maps = [ax for ax in fig.axes if ax.has_data() and ax.get_label() != "<colorbar>"]
    return [" ".join(ax.get_title(loc="left").split()) for ax in maps]


def _bar_limits(fig: plt.Figure) -> tuple[float, float]:
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    low, high = bar.get_ylim()
    return round(low, 9), round(high, 9)


@pytest.mark.parametrize(("width", "parts"), [(6.5, 2), (3.5, 3)])
def test_claim4_s_heatmap_at_a_page_width_is_split_into_parts_within_a_page(
    width: float, parts: int
) -> None:
    """At 6.5 in two scenarios' maps a part and the third's (two maps a row); at 3.5 in a
    scenario's four maps a part (one a row): each part at most a page tall, every map in
    one part, in order, and every part on the colour scale of all."""
    from sim.plots.sweeps import heatmap_figure, heatmap_parts

    runs = _claim4_runs()
    with at_page_width(width):
        whole = heatmap_figure(runs, METRICS, X, Y)
        assert saved_size_in(render(whole), "png")[1] > PAGE_HEIGHT_IN  # the case mended
        assert heatmap_parts(runs, METRICS, X, Y) == parts
        figures = [heatmap_figure(runs, METRICS, X, Y, part=k) for k in range(1, parts + 1)]
        sizes = [saved_size_in(render(fig), "png") for fig in figures]
    assert all(wide <= width + PIXEL_IN for wide, _ in sizes), sizes
    assert all(high <= PAGE_HEIGHT_IN + PIXEL_IN for _, high in sizes), sizes
    # Maps kept whole by scenario, every one once and in the whole figure's order.
    assert [t for fig in figures for t in _titles(fig)] == _titles(whole)
    for fig in figures:
        assert len({t.rsplit("(", 1)[1] for t in _titles(fig)}) * len(METRICS) == len(_titles(fig))
    assert {_bar_limits(fig) for fig in figures} == {_bar_limits(whole)}
    plt.close("all")


def test_a_heatmap_that_fits_a_page_or_the_default_width_is_one_figure_as_before() -> None:
    """One part where the maps fit (two scenarios at 6.5 in) and at the default width, the
    figure of ``part=1`` byte for byte the figure of all maps."""
    from sim.plots.sweeps import heatmap_figure, heatmap_parts

    runs = _claim4_runs()
    two = runs[runs["scenario"] != "west_later"]
    assert heatmap_parts(runs, METRICS, X, Y) == 1
    assert render(heatmap_figure(runs, METRICS, X, Y)) == render(
        heatmap_figure(runs, METRICS, X, Y, part=1)
    )
    with at_page_width(6.5):
        assert heatmap_parts(two, METRICS, X, Y) == 1
        assert render(heatmap_figure(two, METRICS, X, Y)) == render(
            heatmap_figure(two, METRICS, X, Y, part=1)
        )
    plt.close("all")


def _pngs(folder: Path) -> dict[str, float]:
    """The heatmaps' files in ``folder`` by stem, each file's height (inches)."""
    heights = _png_heights(folder)
    return {name.removesuffix(".png"): h for name, h in heights.items() if "heatmap_" in name}


def _embedded(report: Path) -> list[str]:
    return re.findall(r'<figure id="(heatmap_[^"]*)"><img src="data:image/png', report.read_text())


def test_plot_writes_the_parts_embeds_them_and_a_redraw_leaves_only_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plot --width 3.5`` of three scenarios by two powers (six maps a column, 10 in):
    the heatmap's parts, each within a page, each in report.html and captions.md with its
    "Part k of n"; a redraw at 6.5 in (one figure) and at the default width leaves exactly
    that drawing's files."""
    scenarios = {"base": 0.0, "counter": -0.1, "third": 0.05}
    grid = {X: [1.0, 2.0, 3.0], Y: [0.95, 0.99]}
    folder = factory.write_sweep(tmp_path / "sweep", scenarios, grid, replicates=2)
    plots = folder / "plots"
    stem = "heatmap_trust-negativity_bias_trust-memory"

    assert main(["plot", str(folder), "--width", "3.5"]) == 0
    said = capsys.readouterr()
    heights = _pngs(plots)
    assert list(heights) == [f"{stem}_1", f"{stem}_2"], heights
    assert max(heights.values()) <= PAGE_HEIGHT_IN + PIXEL_IN, heights
    assert "heatmap" not in said.err  # no part is named as too tall
    assert _embedded(folder / "report.html") == list(heights)
    captions = (plots / "captions.md").read_text()
    for k in (1, 2):
        (line,) = [ln for ln in captions.splitlines() if ln.startswith(f"- `{stem}_{k}.png`")]
        assert f"Part {k} of 2; the parts share that scale." in line

    assert main(["plot", str(folder), "--width", "6.5"]) == 0
    assert list(_pngs(plots)) == [stem]
    assert _embedded(folder / "report.html") == [stem]

    assert main(["plot", str(folder), "--width", "3.5"]) == 0
    assert main(["plot", str(folder)]) == 0
    assert list(_pngs(plots)) == [stem]
    assert _embedded(folder / "report.html") == [stem]
    assert "Part " not in (plots / "captions.md").read_text()
