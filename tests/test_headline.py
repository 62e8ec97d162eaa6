"""The headline: paired differences per design point, read back from the figure.

The fake sweep (tests/results_factory.py) gives both scenarios the same
values; the test then rewrites scenario ``counter``'s metric so that
``base - counter`` at (negativity bias x, replicate r) is ``0.05 * (x - 2) -
0.001 * r``: per design point the mean over r = 0, 1, 2 is ``0.05 * (x - 2) -
0.001`` (-0.051, -0.001, +0.049 for x = 1, 2, 3), the standard deviation of
the three differences is 0.001, and the t interval's half-width is
``t(0.975, 2) * 0.001 / sqrt(3) = 4.3027 * 0.000577 = 0.002484``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import results_factory as factory
from matplotlib.contour import QuadContourSet

from sim.analysis.paired import t_interval
from sim.plots.headline import headline_figure, headline_of
from sim.results import open_results

NB, MEM = "parameters.trust.negativity_bias", "parameters.trust.memory"
METRIC = "final_trust.USA.all"
QUESTION = {"text": "Does it?", "difference": ["base", "counter"], "metric": METRIC}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sweep(tmp_path, grid):
    folder = factory.write_sweep(
        tmp_path / "sweep", grid=grid, scenarios={"base": 0.0, "counter": 0.0},
        question=QUESTION,
    )  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    counter = runs["scenario"] == "counter"
    shift = 0.05 * (runs[NB] - 2.0) - 0.001 * runs["replicate"]
    runs.loc[counter, METRIC] = runs.loc[counter, METRIC] - shift[counter]
    runs.to_parquet(folder / "runs.parquet")
    return open_results(folder)


def test_t_interval_on_hand_values():
    mean, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
    # sd 1, n 3: half-width t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051 = 2.484138
    assert mean == 2.0
    assert (lo, hi) == pytest.approx((2.0 - 2.484138, 2.0 + 2.484138), abs=1e-6)
    assert np.isnan(t_interval(np.array([5.0]))[1])


def test_headline_map_cells_contour_scale_and_ticks(tmp_path):
    results = _sweep(tmp_path, {NB: [1.0, 2.0, 3.0], MEM: [0.9, 0.99]})
    headline = headline_of(results)
    assert headline is not None and headline.axes == [NB, MEM]
    cells = headline.cells.sort_values([NB, MEM])
    expected = np.repeat([-0.051, -0.001, 0.049], 2)
    np.testing.assert_allclose(cells["mean"], expected, atol=1e-12)
    np.testing.assert_allclose(cells["hi"] - cells["mean"], 0.002484, atol=1e-6)
    assert (cells["n"] == 3).all()
    fig = headline_figure(headline)
    ax = fig.axes[0]
    # Ticks at the values run, in order.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.9", "0.99"]
    # Diverging scale centred at zero: limits +-0.051, the largest |mean|.
    mesh = ax.collections[0]
    assert mesh.norm.vmin == pytest.approx(-0.051) and mesh.norm.vmax == pytest.approx(0.051)
    # Zero contour between x = 2 (index 1, mean -0.001) and x = 3 (index 2, +0.049):
    # linear interpolation puts it at index 1 + 0.001 / 0.05 = 1.02 on every row.
    contours = [c for c in ax.collections if isinstance(c, QuadContourSet)]
    assert len(contours) == 1
    xs = np.concatenate([p.vertices[:, 0] for p in contours[0].get_paths()])
    np.testing.assert_allclose(xs, 1.02, atol=1e-9)
    # The x = 2 cells' interval (-0.001 +- 0.0025) contains zero: a dot each.
    dots = [line for line in ax.get_lines() if line.get_gid() == "includes-zero"]
    assert sorted(float(d.get_xdata()[0]) for d in dots) == [1.0, 1.0]


def test_no_contour_when_the_differences_keep_their_sign(tmp_path):
    results = _sweep(tmp_path, {NB: [3.0, 4.0], MEM: [0.9, 0.99]})
    headline = headline_of(results)
    assert headline is not None
    ax = headline_figure(headline).axes[0]
    assert not [c for c in ax.collections if isinstance(c, QuadContourSet)]


def test_one_parameter_gives_a_line_with_band_and_zero(tmp_path):
    results = _sweep(tmp_path, {NB: [1.0, 2.0, 3.0]})
    headline = headline_of(results)
    assert headline is not None
    ax = headline_figure(headline).axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_marker() == "o")
    np.testing.assert_allclose(line.get_ydata(), [-0.051, -0.001, 0.049], atol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert any(ln.get_gid() == "zero" for ln in ax.get_lines())
    # The reference is the middle value run (the toy scenario has no parameters).
    assert headline.reference == {NB: 2.0}
    mean, lo, hi, n = headline.at_reference
    assert mean - lo == pytest.approx(hi - mean)
    assert (mean, n) == (pytest.approx(-0.001), 3)
    assert hi - mean == pytest.approx(0.002484, abs=1e-6)
    assert "base minus counter" in headline.sentence()


def test_no_question_no_headline(tmp_path):
    folder = factory.write_sweep(tmp_path / "sweep")
    assert headline_of(open_results(folder)) is None


def _headline(cells: pd.DataFrame, **fields: Any) -> Any:
    """A headline of ``cells`` (x, y, mean, lo, hi, n) over axes x and y, nothing else set
    unless ``fields`` says so (axes, reference, binned, ...)."""
    from sim.plots.headline import Headline

    defaults: dict[str, Any] = dict(
        text="", a="a", b="b", metric="final_trust.USA.all", date=None, axes=["x", "y"],
        fixed={}, reference={}, at_reference=(0.0, 0.0, 0.0, 0), binned=False, phrases={},
    )  # fmt: skip
    return Headline(cells=cells, **{**defaults, **fields})


def test_the_caption_names_only_what_the_map_draws():
    """The flagship's caption spoke of a zero contour, dots and panels its one-panel map,
    all of whose cells are above zero with intervals clear of it, does not draw."""
    from matplotlib.contour import ContourSet

    from sim.plots.headline import headline_caption

    def headline(means, los, his, ys):
        xs = [1.0, 2.0] * (len(means) // 2)
        return _headline(pd.DataFrame({"x": xs, "y": ys, "mean": means, "lo": los, "hi": his,
                                       "n": [5] * len(means)}))  # fmt: skip

    def contour_drawn(h):
        return any(isinstance(c, ContourSet) for c in headline_figure(h).axes[0].collections)

    clear = headline_caption(headline([0.04, 0.05], [0.03, 0.04], [0.05, 0.06], [1.0, 1.0]))
    assert "zero contour" not in clear and "shared by the panels" not in clear
    assert "no cell's 95% t interval contains zero" in clear
    # Means of both signs on a 2 x 2 map: the map draws the contour, the caption names it.
    square = headline([-0.01, 0.05, -0.02, 0.04], [-0.02, -0.01, -0.03, 0.01],
                      [0.0, 0.1, -0.01, 0.07], [1.0, 1.0, 2.0, 2.0])  # fmt: skip
    assert contour_drawn(square)
    mixed = headline_caption(square)
    assert "black line: zero contour, interpolated linearly between the cell centres" in mixed
    assert "dots: cells whose 95% t interval contains zero" in mixed
    # Both signs on one row: there is no line between cells to draw, and no caption for it.
    row = headline([-0.01, 0.05], [-0.02, -0.01], [0.0, 0.1], [1.0, 1.0])
    assert not contour_drawn(row)
    assert "zero contour" not in headline_caption(row)
    # One pair per cell: no interval (NaN bounds), and the map draws a dot there.
    single = headline_caption(
        headline([0.04, 0.05], [np.nan, np.nan], [np.nan, np.nan], [1.0, 1.0])
    )
    assert "dots: cells whose 95% t interval contains zero" in single


def test_a_map_with_holes_names_no_contour_it_cannot_draw():
    """A sampled design's map (claim1_posterior: one pair per point) has cells with no
    run; a contour passes only through squares of four cells with means. The caption
    said "black line: zero contour" over a map where none was drawn."""
    from sim.plots.headline import headline_caption

    def headline(xs, ys, means):
        return _headline(pd.DataFrame({"x": xs, "y": ys, "mean": means, "lo": means,
                                       "hi": means, "n": [3] * len(means)}))  # fmt: skip

    def segments(h):
        collections = headline_figure(h).axes[0].collections
        return sum(len(p.vertices) for c in collections if isinstance(c, QuadContourSet)
                   for p in c.get_paths())  # fmt: skip

    # Both signs on the diagonal of a 2 x 2 map, the other two cells empty.
    diagonal = headline([1.0, 2.0], [1.0, 2.0], [-0.02, 0.05])
    assert segments(diagonal) == 0
    assert "zero contour" not in headline_caption(diagonal)
    full = headline([1.0, 2.0, 1.0, 2.0], [1.0, 1.0, 2.0, 2.0], [-0.02, 0.05, -0.01, 0.04])
    assert segments(full) > 0
    assert "black line: zero contour" in headline_caption(full)
    assert "one pair" not in headline_caption(full)
    # One pair per cell: no interval, a dot in every cell, and the caption says why.
    lone = headline([1.0, 2.0], [1.0, 2.0], [-0.02, 0.05])
    lone.cells[["lo", "hi"]] = np.nan
    lone.cells["n"] = 1
    assert (
        "dots: cells whose 95% t interval contains zero or that hold one pair (no "
        "interval)" in headline_caption(lone)
    )


def test_the_value_nearest_a_name_or_a_date():
    """Design values may be text: a name is looked at if it was run (else the middle
    name run, in sorted order); a date is taken to the date run nearest it, as a number
    is; the scenario's value of an event's field is found by the event's id."""
    from sim.analysis.paired import nearest_value, scenario_value

    dates = pd.Series(["2024-09", "2024-03", "2024-09"])
    assert nearest_value(dates, "2024-08") == "2024-09"
    assert nearest_value(dates, "2024-05") == "2024-03"
    assert nearest_value(dates, "2024-06-20") == "2024-09"  # 3.6 months from March
    names = pd.Series(["Rival", "Patron", "none"])
    assert nearest_value(names, "none") == "none"
    assert nearest_value(names, "Client") == "Rival"  # not run: Patron, Rival, none
    assert nearest_value(pd.Series([1.0, 2.5, 4.0]), 2.0) == 2.5
    tree = factory.scenario_tree()
    assert scenario_value(tree, "events.intervention.date") == "2014-09"
    assert scenario_value(tree, "events.pullout.step") == 16.0
    assert scenario_value(tree, "events.missing.date") is None


def test_the_box_and_its_caption_name_the_design_point_nearest_the_scenario(tmp_path):
    """The scenario sets the bias at 2 and memory at 0.98; the grid ran neither, so the
    box is on the nearest values run (2.5, 0.99), which the caption and the answer
    called "the scenario's own values". They now name each value boxed and why. With a
    third parameter the box was drawn in every panel; it is in its value's panel only.
    `--at` moves the other figures, not the headline (it answers at the scenario's
    values), and the caption says so."""
    from sim.plots.gallery import figures_for, selection_of
    from sim.plots.headline import headline_caption

    weight = "parameters.influence.weight"
    trees = {name: factory.scenario_tree(name) for name in ("base", "counter")}
    for tree in trees.values():
        tree["parameters"] = {"trust": {"negativity_bias": 2.0, "memory": 0.98},
                              "influence": {"weight": 0.3}}  # fmt: skip
    grid = {NB: [1.0, 2.5, 4.0], MEM: [0.95, 0.99], weight: [0.1, 0.3]}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "counter": -0.1}, grid,
                                 replicates=2, trees=trees, question=QUESTION)  # fmt: skip
    results = open_results(folder)
    headline = headline_of(results)
    assert headline is not None and headline.reference == {NB: 2.5, MEM: 0.99, weight: 0.3}
    where = (
        "trust: negativity bias 2.5 (the value run nearest the scenario's 2), trust: memory "
        "0.99 (the value run nearest the scenario's 0.98), influence: weight 0.3 (the "
        "scenario's value)"
    )
    caption = headline_caption(headline)
    assert f"box: the cell at {where}." in caption and "own values" not in caption
    assert f"at {where}: +0.1" in headline.sentence()
    fig = headline_figure(headline)
    boxed = [(ax.get_title(loc="left"), p.get_xy()) for ax in fig.axes for p in ax.patches
             if p.get_gid() == "reference"]  # fmt: skip
    assert boxed == [("influence: weight = 0.3", (0.5, 0.5))]  # 2.5 and 0.99: second each
    assert fig._suptitle.get_text() == headline.label  # not the last panel's title
    entry = next(figures_for(results, selection_of(results, at=[f"{NB}=1"])))
    assert entry.stem == "headline"
    assert f"box: the cell at {where}; --at moves the other figures, not the headline" in (
        entry.caption
    )


def test_a_binned_line_whose_reference_is_no_point_drawn_draws_no_reference_line():
    """A sampled design's one-parameter line shows bin means: the scenario's value need not
    be a point of it. The figure then draws no dashed line (it raised ValueError looking
    the value up), and the caption names none, as for the map's box."""
    from sim.plots.headline import headline_caption

    cells = pd.DataFrame({"x": [0.1, 0.35, 0.6], "mean": [0.01, 0.02, 0.03],
                          "lo": [0.0, 0.01, 0.02], "hi": [0.02, 0.03, 0.04],
                          "n": [4, 4, 4]})  # fmt: skip
    headline = _headline(cells, axes=["x"], reference={"x": 0.33}, binned=True)
    ax = headline_figure(headline).axes[0]
    assert not any(line.get_gid() == "reference" for line in ax.get_lines())
    assert "dashed line" not in headline_caption(headline)


def test_the_headline_numbers_share_one_precision_and_name_their_interval():
    """ "+0.0496 [95% interval 0.048 to 0.0511]" gave the mean and its bounds in three
    precisions, the bounds unsigned, and the findings a bootstrap interval beside this t
    interval under the same name (an audit of the README, decision 648)."""
    from sim.errors import alike as _alike

    assert _alike(0.0496, 0.048, 0.0511) == ["+0.0496", "+0.0480", "+0.0511"]
    assert _alike(-12.345, -13.0, -11.0) == ["-12.3", "-13.0", "-11.0"]
    assert _alike(0.0, -0.1, 0.1) == ["0", "-0.1", "+0.1"]  # zero without a sign


def _posterior_sweep(folder, grid, question=None):
    """A factory sweep made a posterior design of one run per set: memory's sets 0.9
    (drawn twice: points 0 and 3), 0.95 and 0.97; every other parameter fixed."""
    import json

    import pandas as pd
    import results_factory as factory

    folder = factory.write_sweep(folder, grid=grid, replicates=1, question=question)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["design"]["method"] = "posterior"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    fixed = {p: values[0] for p, values in grid.items() if p != "parameters.trust.memory"}
    design = {"point": [0, 1, 2, 3], **fixed, "parameters.trust.memory": [0.9, 0.95, 0.97, 0.9]}
    pd.DataFrame(design).to_parquet(folder / "design.parquet")
    return folder


def test_a_posterior_designs_map_draws_what_varies_weighted_by_draws(tmp_path):
    """A posterior design of a variant with fixed values drew its headline map over the
    two fixed parameters (a 1 x 1 map), and each cell's mean counted a parameter set once
    however often the posterior drew it (an audit, decision 649). Here affinity scale is
    fixed at 0 and memory drawn: sets 0.9 (drawn twice: points 0 and 3), 0.95 and 0.97."""
    from sim.plots.headline import headline_caption, headline_of
    from sim.results import open_results

    grid = {"parameters.affinity.scale": [0.0], "parameters.trust.memory": [0.9, 0.95, 0.97]}
    question = {"difference": ["base", "counter"], "metric": "final_trust.USA.all"}
    folder = _posterior_sweep(tmp_path / "s", grid, question)
    headline = headline_of(open_results(folder))
    assert headline is not None and headline.posterior is not None
    assert headline.axes == ["parameters.trust.memory"]
    assert headline.cells["n"].tolist() == [2, 1, 1]
    caption = headline_caption(headline)
    assert "each parameter set counted as often as the posterior drew it" in caption
    # A binned cell pools its bins' design points: not "the 2 paired differences per
    # design point" (an audit of the figures, decision 652).
    assert (
        "points: mean of the paired differences in each point (from every design point in "
        "its bins: 1 to 2 differences)"
    ) in caption


def test_a_posterior_designs_figures_leave_out_its_fixed_values(tmp_path):
    """The same posterior design drew six one-column heatmaps over its variant's fixed
    values, and its figures against memory pooled the distinct sets unweighted (an audit,
    decision 650): no figure over a parameter that takes one value, and the caption says
    how the sets count."""
    from sim.plots.gallery import figures_for
    from sim.results import open_results

    grid = {  # memory first: the factory's runs move with the first varied parameter
        "parameters.trust.memory": [0.9, 0.95, 0.97],
        "parameters.affinity.scale": [0.0],
        "parameters.stance.enemy_reliability": [1.0],
    }
    folder = _posterior_sweep(tmp_path / "s", grid)
    entries = list(figures_for(open_results(folder)))
    stems = [e.stem for e in entries]
    assert not [s for s in stems if "affinity" in s or "enemy" in s or s.startswith("heatmap")]
    memory = [e for e in entries if e.stem.startswith("sweep_trust-memory")]
    assert memory and all(
        "each parameter set counts as often as the posterior drew it" in e.caption for e in memory
    )


def test_a_binned_maps_sentence_says_its_cells_pool_the_points():
    """A cut-down Sobol sweep's answer said "Over the 8 cells drawn" of a 20-point design,
    which read as 12 points left out; a sampled design's cells pool the pairs of a bin
    (an audit, decision 741). A grid's cells are its points, and say nothing more."""
    cells = pd.DataFrame(
        {"x": [1, 1, 2, 2], "y": [1, 2, 1, 2], "mean": [0.1, 0.2, -0.1, 0.3],
         "lo": [0.0, 0.1, -0.2, 0.2], "hi": [0.2, 0.3, 0.0, 0.4], "n": [5, 6, 4, 5]}
    )  # fmt: skip
    axes = ["parameters.trust.memory", "parameters.trust.negativity_bias"]
    cells = cells.rename(columns={"x": axes[0], "y": axes[1]})
    binned = _headline(cells, axes=axes, binned=True).sentence()
    assert (
        "Over the 4 cells drawn (20 pairs of runs, binned by trust: memory and trust: "
        "negativity bias): from" in binned
    )
    assert "Over the 4 cells drawn: from" in _headline(cells, axes=axes).sentence()


def test_the_answer_says_its_interval_is_over_replicates_only(tmp_path):
    """A first afternoon on a new case read the answer's t interval as its whole
    uncertainty (decision 900's wishes): the interval is over the replicates at fixed
    values, so the sentence says so and names where the values' uncertainty comes from
    (decision 902). One replicate has no interval, and then nothing is said of it."""
    results = _sweep(tmp_path, {NB: [1.0, 2.0, 3.0]})
    headline = headline_of(results)
    assert headline is not None
    sentence = headline.sentence()
    said = "The interval is the replicates' spread (the model's chance) at these values"
    assert "[95% t interval" in sentence and said in sentence
    assert sentence.index("paired replicates.") < sentence.index(said)
    assert "credsim calibrate" in sentence
    lone = dataclasses.replace(headline, at_reference=(0.1, float("nan"), float("nan"), 1))
    assert "t interval" not in lone.sentence() and said not in lone.sentence()
