"""``credsim analyze``: Sobol and Morris indices of a sweep whose outputs are known functions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sim.cli import main
from sim.runner import RunOutput
from sim.scenario import Scenario
from sim.sweep import load_experiment, plan_runs, run_sweep

TINY = Path(__file__).parent / "data" / "sweep" / "tiny.yaml"
BIAS, MEMORY, SUSCEPTIBILITY = (
    "parameters.trust.negativity_bias",
    "parameters.trust.memory",
    "parameters.diffusion.susceptibility",
)


def _linear(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """``y = 2*bias + 10*memory + noise``; susceptibility has no effect; ``flat`` never moves.

    The noise depends on the replicate only (common random numbers), so the
    replicate mean differs from the noiseless output by the same constant at
    every point and every index below has a closed form.
    """
    trust = scenario.parameters.trust
    noise = float(np.random.default_rng(seed).normal())
    y = 2.0 * trust.negativity_bias + 10.0 * trust.memory + noise
    return RunOutput(
        summary={"final_trust": {"Patron": {"all": y}}, "flat": {"x": 1.0}},
        series=None,
        actors=None,
    )


def _experiment(tmp_path: Path, method: str, samples: int, extra: str = "") -> Path:
    exp = tmp_path / f"{method}.yaml"
    exp.write_text(
        f"name: analyze_{method}\nscenarios: {{tiny: {TINY}}}\nreplicates: 3\nseed: 5\n"
        f"design:\n  method: {method}\n  samples: {samples}\n{extra}  parameters:\n"
        f"    {BIAS}: {{low: 1, high: 4}}\n"
        f"    {MEMORY}: {{low: 0.9, high: 1.0}}\n"
        f"    {SUSCEPTIBILITY}: {{low: 0, high: 1}}\n"
    )
    return exp


def _sweep_and_analyze(tmp_path: Path, exp: Path, method: str) -> pd.DataFrame:
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_linear, quiet=True)
    assert main(["analyze", str(folder), "--method", method]) == 0
    table = pd.read_parquet(folder / "analysis" / f"sensitivity_{method}.parquet")
    csv = pd.read_csv(folder / "analysis" / f"sensitivity_{method}.csv")
    assert list(csv.columns) == list(table.columns)
    # "as a table and a bar chart" (experiments.md): the bars are drawn by analyze itself.
    charts = sorted((folder / "analysis").glob(f"sensitivity_{method}*.png"))
    assert charts and all(c.read_bytes()[:4] == b"\x89PNG" for c in charts)
    return table.set_index(["metric", "parameter"])


def test_morris_elementary_effects_of_a_linear_output(tmp_path: Path) -> None:
    """For ``y = a*x`` on ``[low, high]`` every elementary effect is ``a*(high - low)``."""
    exp = _experiment(tmp_path, "morris", 10, extra="  levels: 4\n")
    experiment = load_experiment(exp)
    # Trajectories of 3 parameters on a 4-level grid meet: such points are run once.
    assert len(experiment.points) == 40
    assert len(plan_runs(experiment)) < 40 * 3
    table = _sweep_and_analyze(tmp_path, exp, "morris")
    assert list(table.columns) == ["scenario", "mu_star", "mu_star_conf", "sigma"]
    y = table.loc["final_trust.Patron.all"]
    assert_allclose(y.loc[BIAS, "mu_star"], 2.0 * 3.0, rtol=1e-9)
    assert_allclose(y.loc[MEMORY, "mu_star"], 10.0 * 0.1, rtol=1e-9)
    assert y.loc[SUSCEPTIBILITY, "mu_star"] == 0.0
    assert_allclose(y["sigma"], 0.0, atol=1e-9)
    assert table.loc["flat.x", "mu_star"].eq(0.0).all()


def test_sobol_indices_of_a_linear_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Var(2*bias) = 4 * 9/12 = 3, Var(10*memory) = 100 * 0.01/12: S1 = 0.973 and 0.027."""
    table = _sweep_and_analyze(tmp_path, _experiment(tmp_path, "sobol", 256), "sobol")
    assert list(table.columns) == ["scenario", "S1", "S1_conf", "ST", "ST_conf"]
    y = table.loc["final_trust.Patron.all"]
    share = 3.0 / (3.0 + 100 * 0.01 / 12)
    assert_allclose(y.loc[BIAS, ["S1", "ST"]], share, atol=0.05)
    assert_allclose(y.loc[MEMORY, ["S1", "ST"]], 1 - share, atol=0.02)
    # No effect at all: the estimators' differences vanish exactly.
    assert y.loc[SUSCEPTIBILITY, "S1"] == 0.0 and y.loc[SUSCEPTIBILITY, "ST"] == 0.0
    assert (y["S1_conf"] >= 0).all() and y.loc[BIAS, "S1_conf"] > 0
    # A metric that never moves has no variance to apportion.
    assert table.loc["flat.x", "S1"].isna().all()
    out = capsys.readouterr()
    assert "final_trust.Patron.all" in out.out and "no index" in out.err


def test_point_means_average_replicates_and_match_points_by_value() -> None:
    from sim.analysis.sensitivity import point_means

    runs = pd.DataFrame(
        {
            "a": [0.5, 0.5, 0.5, 1.0, 1.0],
            "m": [1.0, 2.0, 6.0, 10.0, 99.0],
            "status": ["ok", "ok", "ok", "ok", "failed"],
        }
    )
    # Point 2 repeats point 0 (as Morris points can): it gets the same mean.
    points = pd.DataFrame({"a": [0.5, 1.0, 0.5]})
    assert point_means(runs, points, ["a"], ["m"])["m"].tolist() == [3.0, 10.0, 3.0]


def test_analyze_refuses_a_sweep_of_another_design(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = _experiment(tmp_path, "lhs", 8)
    run_sweep(load_experiment(exp), tmp_path / "out", run_fn=_linear, quiet=True)
    assert main(["analyze", str(tmp_path / "out"), "--method", "sobol"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"credsim: error: {tmp_path / 'out'}: this sweep used a 'lhs'")
    assert not (tmp_path / "out" / "analysis").exists()


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_results_layout_lists_the_columns_of_the_table(method: str) -> None:
    """docs/results_layout.md, "analysis/": the table's columns as analyze writes them."""
    from sim.analysis.sensitivity import COLUMNS

    layout = (Path(__file__).resolve().parents[1] / "docs" / "results_layout.md").read_text()
    listed = re.search(rf"{method}: ([a-zA-Z0-9_, ]+);\s", layout)
    assert listed is not None
    written = ["scenario", "metric", "parameter", *COLUMNS[method]]
    assert listed.group(1).split(", ") == written


def test_sobol_indices_the_sample_cannot_estimate_are_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two samples of three parameters: intervals wider than a share's whole range."""
    from sim.analysis.sensitivity import uninformative_rows

    table = _sweep_and_analyze(tmp_path, _experiment(tmp_path, "sobol", 2), "sobol")
    flagged = uninformative_rows(table.reset_index())
    assert flagged.any()
    err = capsys.readouterr().err
    assert f"{int(flagged.sum())} rows (metrics final_trust.Patron.all)" in err
    assert "2 design samples are too few" in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_folder_where_the_table_goes_is_refused_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """With a folder at `analysis/sensitivity_sobol.csv`, analyze rewrote the parquet, then
    said "'.../.sensitivity_sobol.csv.x1y2.tmp' is a folder" (an audit): it is refused
    first, naming the real path, and nothing in analysis/ changes."""
    _sweep_and_analyze(tmp_path, _experiment(tmp_path, "sobol", 2), "sobol")
    capsys.readouterr()
    analysis = tmp_path / "out" / "analysis"
    blocked = analysis / f"sensitivity_sobol{suffix}"
    blocked.unlink()
    blocked.mkdir()
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in analysis.iterdir()}
    assert main(["analyze", str(tmp_path / "out"), "--method", "sobol"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"credsim: error: '{blocked}' is a folder, where the sobol indices'")
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in analysis.iterdir()} == before


@pytest.mark.parametrize(
    ("damage", "said"),
    [("bytes", "it is not a readable parquet table"), ("columns", "it has no columns metric,")],
)
def test_plot_refuses_a_damaged_indices_table_before_making_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str, said: str
) -> None:
    """The indices table is written outside the integrity record: `plot --out P` of a
    folder whose table was "x" ended in "pyarrow.lib.ArrowInvalid: Could not open
    Parquet input source ...", one of other columns in "KeyError: 'metric'", both with
    an empty P left behind (an audit)."""
    _sweep_and_analyze(tmp_path, _experiment(tmp_path, "sobol", 2), "sobol")
    capsys.readouterr()
    table = tmp_path / "out" / "analysis" / "sensitivity_sobol.parquet"
    if damage == "bytes":
        table.write_text("x\n")
    else:
        pd.DataFrame({"a": [1.0]}).to_parquet(table)
    out = tmp_path / "p"
    assert main(["plot", str(tmp_path / "out"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"credsim: error: '{table}' is damaged ({said}")
    assert err.strip().endswith(
        f"run credsim analyze again: credsim analyze {tmp_path / 'out'} --method sobol"
    )
    assert not out.exists()


def test_sobol_indices_a_large_sample_estimates_give_no_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.analysis.sensitivity import uninformative_rows

    table = _sweep_and_analyze(tmp_path, _experiment(tmp_path, "sobol", 256), "sobol")
    assert not uninformative_rows(table.reset_index()).any()
    assert "too few" not in capsys.readouterr().err
    # The rule: an interval wider than [0, 1], or wholly outside it; not one that
    # only reaches past it, nor a row without an index.
    rows = pd.DataFrame(
        {"S1": [1.05, 1.05, -0.2, 0.5, 0.5, 0.2], "S1_conf": [0.1, 0.01, 0.1, 0.4, 0.6, 0.3],
         "ST": [0.9, 0.9, 0.1, 0.5, 0.5, np.nan], "ST_conf": [0.1, 0.1, 0.1, 0.1, 0.1, np.nan]}
    )  # fmt: skip
    assert uninformative_rows(rows).tolist() == [False, True, True, False, True, False]


def test_the_morris_axis_says_effects_are_over_the_parameters_range() -> None:
    """SALib's elementary effect is the change per step of the unit hypercube, so
    y = 2 x over x in [0, 10] has mu* = 20, the change over the whole range, not 2 per
    unit: the axis said "metric units" (an audit of the figures, decision 652)."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    from sim.plots.sensitivity import AXIS_LABEL

    problem = {"num_vars": 1, "names": ["x"], "bounds": [[0.0, 10.0]]}
    x = sample.sample(problem, 8, num_levels=4, seed=1)
    mu_star = analyze.analyze(problem, x, 2.0 * x[:, 0], num_levels=4)["mu_star"][0]
    assert mu_star == pytest.approx(20.0)
    assert "over the parameter's range" in " ".join(AXIS_LABEL["morris"].split())


@pytest.mark.parametrize(
    ("method", "samples", "drawn"),
    [
        ("sobol", 2, ["first order S1 (the share of the metric's variance", "total order ST"]),
        (
            "morris",
            4,
            [
                "the change in the metric over the parameter's range",
                "no interval",
            ],
        ),
    ],
)
def test_analyzes_figures_say_what_they_draw_and_count_the_cut_whiskers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, samples: int, drawn: list[str]
) -> None:
    """analyze's bar charts are files of their own, yet carried no caption, and the
    clipping of their whiskers was said on stderr only (an audit of the figures). Each
    now has its caption under it: what the bars are, the intervals' level and source,
    and how many whiskers are cut at a bound, as many as the arrowheads drawn."""
    from matplotlib.markers import CARETLEFTBASE, CARETRIGHTBASE

    from tests.test_observed import drawn_figures

    figures = drawn_figures(monkeypatch)
    extra = "  levels: 4\n" if method == "morris" else ""
    _sweep_and_analyze(tmp_path, _experiment(tmp_path, method, samples, extra=extra), method)
    (fig,) = figures
    (caption,) = [t.get_text() for t in fig.texts if t.get_text().startswith(method.title())]
    assert "Whiskers: SALib's 95% confidence intervals (bootstrap, 100 resamples)" in caption
    assert all(words in caption for words in drawn)
    heads = sum(
        len(line.get_xdata())
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_marker() in (CARETLEFTBASE, CARETRIGHTBASE)
    )
    said = re.search(
        r"(\d+) whiskers? (\(.*?\) )?whose interval runs (past the bound|below 0)", caption
    )
    assert (int(said.group(1)) if said else 0) == heads
    assert method == "morris" or heads > 0
    # A hair past the bound is not marked, and the count says how far counts (decision 811).
    assert not said or "by more than 1% of its panel's axis" in caption
    assert "Each panel has its own scale" not in caption  # one panel here


def test_a_morris_figure_of_several_panels_says_each_has_its_own_scale() -> None:
    """Morris panels of metrics in other units and ranges are each scaled to their own
    bars: China's mu* of 0.0006 drew as wide as France's 0.12, and nothing said so (a
    figure audit, decision 737). Sobol's panels all run over [0, 1]: not said there."""
    from sim.plots.sensitivity import indices_caption

    rows = [
        {"metric": m, "parameter": "x", "mu_star": v, "mu_star_conf": 0.0, "sigma": v}
        for m, v in (("final_trust.China.all", 0.0006), ("final_trust.France.all", 0.12))
    ]
    two = indices_caption(pd.DataFrame(rows), "morris")
    assert "Each panel has its own scale (its metric's units and range): compare bars " in two
    one = indices_caption(pd.DataFrame(rows[:1]), "morris")
    assert "own scale" not in one
    sobol = [
        {
            "metric": r["metric"],
            "parameter": "x",
            "S1": 0.5,
            "S1_conf": 0.1,
            "ST": 0.6,
            "ST_conf": 0.1,
        }
        for r in rows
    ]
    assert "own scale" not in indices_caption(pd.DataFrame(sobol), "sobol")


def test_the_morris_axis_label_stays_within_its_panel() -> None:
    """The Morris axis label ran wider than its panel, so the labels of a row of three
    panels nearly ran together into one line (an outside check of the figures). Each
    panel's label, as drawn, now lies within its panel's width."""
    from sim.plots.sensitivity import sensitivity_figures

    rows = [
        {"metric": f"final_trust.{p}.all", "parameter": x, "mu_star": v, "mu_star_conf": 0.01,
         "sigma": v}
        for p in ("USA", "USSR", "PRC")
        for x, v in (("parameters.trust.memory", 0.1), ("parameters.trust.negativity_bias", 0.2))
    ]  # fmt: skip
    (fig,) = sensitivity_figures(pd.DataFrame(rows), "morris")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_xlabel()]
    assert len(panels) == 3
    for ax in panels:
        label = ax.xaxis.label.get_window_extent(renderer)
        box = ax.get_window_extent(renderer)
        assert box.x0 - 1 <= label.x0 and label.x1 <= box.x1 + 1
    # The caption under them (placed by an estimate of the labels' height) clears them.
    from sim.plots.figure import add_caption

    add_caption(fig, "A caption.")
    fig.canvas.draw()
    caption = fig.texts[-1].get_window_extent(renderer)
    assert all(caption.y1 < ax.xaxis.label.get_window_extent(renderer).y0 for ax in panels)


def _nearly_flat(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """Patron's final trust moves with the bias; Rival's by 1e-5 a unit of it, a variance
    that Sobol's indices would still give to the bias whole."""
    bias = scenario.parameters.trust.negativity_bias
    noise = float(np.random.default_rng(seed).normal())
    summary = {
        "final_trust": {
            "Patron": {"all": 0.1 * bias + 0.01 * noise},
            "Rival": {"all": 0.5 + 1e-5 * bias},
        }
    }
    return RunOutput(summary=summary, series=None, actors=None)


def test_a_metric_flat_over_the_design_is_not_drawn_and_said(tmp_path: Path) -> None:
    """An outside check of the figures (decision 814): a final trust whose runs differ by
    0.0002 was drawn with S1 = ST = 1 for one parameter, where the sweep figures leave it
    out as flat. The sensitivity figures now leave out a metric whose design points'
    means differ by at most 0.1% of its range, and the caption names it; the table keeps
    its indices."""
    from sim.plots.gallery import sensitivity_entries, sensitivity_metrics
    from sim.results import open_results

    exp = _experiment(tmp_path, "sobol", 16)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_nearly_flat, quiet=True)
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    table = pd.read_parquet(folder / "analysis" / "sensitivity_sobol.parquet")
    rival = table[table["metric"] == "final_trust.Rival.all"].set_index("parameter")["S1"]
    assert rival.idxmax() == BIAS  # the table keeps its indices: the bias's, the largest
    results = open_results(folder)
    (entry,) = sensitivity_entries(results, "sobol", sensitivity_metrics(results))
    titles = " ".join(
        ax.get_title(loc=loc) for ax in entry.figure.axes for loc in ("left", "center", "right")
    )
    assert "Patron" in titles and "Rival" not in titles
    assert (
        "Not drawn, 1 metric flat over the design (the means at its design points differ "
        "by at most 0.1% of the metric's range, or by 0.001 where it has no upper bound)"
    ) in entry.caption
    assert entry.caption.split("(the table holds them): ")[1].startswith("final trust in Rival")
