"""A sweep's figures as two outside checks read them (decision 1008): the eight drawn
values of a posterior's parameter ran together under a map at the default width
("0.9010.9040.9210.927..."), the values sat at equal steps whatever their spacing with
no word, each file's colour bar fitted its own cells under a label "(0 to 1)", a page-
width headline's bar read "-0.100-0.075-0.050", and a cross-case folder drew the USSR
black where every other figure draws it vermillion. Each test fails on the code before.
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd

from sim.plots.sweeps import fitted_colour_note, heatmap_figure, uneven_axes

X, Y = "parameters.trust.memory", "parameters.trust.negativity_bias"
METRIC = "final_trust.Russia.all"
DRAWN = (0.901, 0.904, 0.921, 0.927, 0.928, 0.945, 0.95, 0.977)  # a posterior's draws


def _runs(xs: tuple[float, ...], low: float = 0.38, high: float = 0.79) -> pd.DataFrame:
    cells = list(itertools.product(xs, (1.0, 2.0, 3.0)))
    step = (high - low) / (len(cells) - 1)
    return pd.DataFrame(
        [
            {"scenario": "historical", X: x, Y: y, METRIC: low + i * step}
            for i, (x, y) in enumerate(cells)
        ]
    )


def test_a_maps_x_values_do_not_run_together_at_the_default_width() -> None:
    """Two powers' maps side by side, as the posterior sweep's were."""
    runs = _runs(DRAWN).assign(**{"final_trust.USA.all": lambda r: r[METRIC]})
    fig = heatmap_figure(runs, [METRIC, "final_trust.USA.all"], X, Y)
    fig.canvas.draw()
    ax = next(a for a in fig.axes if a.get_label() != "<colorbar>")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert len(boxes) >= 2  # values are still said
    gap = renderer.points_to_pixels(3.6)  # 0.05 in: a space between two numbers
    for left, right in itertools.pairwise(sorted(boxes, key=lambda b: b.x0)):
        assert right.x0 - left.x1 >= gap, "two x values of the map run together"
    plt.close(fig)


def test_the_caption_says_the_colour_scale_fits_the_cells() -> None:
    fig = heatmap_figure(_runs(DRAWN), [METRIC], X, Y)
    # One run a cell: the cells' values run from 0.38 to 0.79, as the runs were made.
    assert fitted_colour_note(fig) == (
        "The colour scale fits this figure's cells (0.38 to 0.79), not the metric's whole "
        "range: a colour is a value in this figure only."
    )
    plt.close(fig)


def test_unevenly_spaced_values_are_named() -> None:
    assert uneven_axes(_runs(DRAWN), X, Y) == [X]  # 0.003 apart, then 0.017
    assert uneven_axes(_runs((0.25, 0.5, 0.75, 1.0)), X, Y) == []  # a grid


def test_a_page_width_headlines_colour_bar_keeps_its_numbers_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At 6.5 in the bar under the maps read "-0.100-0.075-0.050-0.025"."""
    import sys
    from pathlib import Path

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    sys.path.insert(0, str(Path(__file__).parent))
    import results_factory as factory

    from sim.plots.figure import at_page_width
    from sim.plots.headline import headline_figure, headline_of
    from sim.results import open_results

    nb, mem = "parameters.trust.negativity_bias", "parameters.trust.memory"
    question = {"text": "Does it?", "difference": ["base", "counter"],
                "metric": "final_trust.USA.all"}  # fmt: skip
    grid = {nb: [1.0, 2.0, 3.0, 4.0], mem: [0.95, 0.98, 0.99]}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "counter": -0.0104},
                                 grid, replicates=2, question=question)  # fmt: skip
    headline = headline_of(open_results(folder))
    assert headline is not None
    with at_page_width(6.5):
        fig = headline_figure(headline)
        FigureCanvasAgg(fig)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    boxes = [t.get_window_extent(renderer) for t in bar.get_xticklabels() if t.get_text()]
    assert len(boxes) >= 2
    gap = renderer.points_to_pixels(7.2)  # 0.1 in between two numbers
    for left, right in itertools.pairwise(sorted(boxes, key=lambda b: b.x0)):
        assert right.x0 - left.x1 >= gap, "two numbers of the colour bar run together"
    plt.close(fig)


def test_a_predecessor_and_its_successor_keep_one_colour_across_a_folders_cases() -> None:
    """A cross-case folder holds the USSR (Sino-Soviet) and Russia (Syria): the palette
    promises them one colour, but among the folder's powers Russia held vermillion and
    the USSR was drawn black (an outside check of the figures)."""
    from sim.plots.palette import OKABE_ITO, power_palette

    folder = ["USSR", "USA", "PRC", "India", "Russia", "China", "Turkey", "France"]
    vermillion, green = OKABE_ITO[1], OKABE_ITO[2]
    sino = power_palette(["USSR", "USA", "PRC", "India"], folder)
    syria = power_palette(["Russia", "USA", "China", "Turkey", "France"], folder)
    assert sino["USSR"] == syria["Russia"] == vermillion
    assert sino["PRC"] == syria["China"] == green
    assert sino["USA"] == syria["USA"]
    # Drawn together they are told apart.
    both = power_palette(["USSR", "Russia"], folder)
    assert both["Russia"] == vermillion and both["USSR"] != vermillion


def test_the_headlines_dot_and_reference_box_are_seen_on_any_cell(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The claim-3 headline's "no interval" dot (grey 0.2) vanished on its darkest red
    cells, and the reference cell's box at the map's edge lost half its line (decision
    1009): the dot has a ring that contrasts with the darkest colours of the scale (a
    luminance gap of at least 0.5 against both ends), and the box is not clipped."""
    import sys
    from pathlib import Path

    from matplotlib.colors import to_rgb

    sys.path.insert(0, str(Path(__file__).parent))
    import results_factory as factory

    from sim.plots.figure import DIVERGING_CMAP
    from sim.plots.headline import headline_figure, headline_of
    from sim.results import open_results

    def luminance(colour: object) -> float:
        red, green, blue = to_rgb(colour)  # type: ignore[arg-type]
        return 0.299 * red + 0.587 * green + 0.114 * blue

    nb, mem = "parameters.trust.negativity_bias", "parameters.trust.memory"
    question = {"text": "Does it?", "difference": ["base", "counter"],
                "metric": "final_trust.USA.all"}  # fmt: skip
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "counter": -0.0123456},
                                 {nb: [1.0, 2.0, 3.0], mem: [0.9, 0.99]}, replicates=1,
                                 question=question)  # fmt: skip
    headline = headline_of(open_results(folder))
    assert headline is not None
    ax = headline_figure(headline).axes[0]
    dots = [line for line in ax.get_lines() if line.get_gid() == "includes-zero"]
    assert dots  # one replicate: no interval anywhere
    cmap = plt.get_cmap(DIVERGING_CMAP)
    darkest = min(luminance(cmap(0.0)), luminance(cmap(1.0)))
    for dot in dots:
        assert luminance(dot.get_markeredgecolor()) - darkest >= 0.5
    boxes = [p for p in ax.patches if p.get_gid() == "reference"]
    assert boxes and not any(box.get_clip_on() for box in boxes)
