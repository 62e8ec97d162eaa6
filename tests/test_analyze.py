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


def _two_scenarios(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """Patron's final trust in each scenario, its own function of the parameters, plus a
    replicate's noise (common random numbers: a pair shares it, the abstained run at
    half); abstained's runs at ``_FAILING``'s bias and replicate fail."""
    trust = scenario.parameters.trust
    bias, memory = trust.negativity_bias, trust.memory
    susceptibility = scenario.parameters.diffusion.susceptibility
    noise = float(np.random.default_rng(seed).normal())
    if scenario.name == "tiny":
        y = 2.0 * bias + 10.0 * memory + noise
    elif (bias, seed.spawn_key[0]) == (_FAILING.get("bias"), _FAILING.get("replicate")):
        raise RuntimeError("a run that fails")
    else:
        y = 0.5 * bias**2 + 5.0 * susceptibility + 0.5 * noise
    return RunOutput(summary={"final_trust": {"Patron": {"all": y}}}, series=None, actors=None)


# Where abstained's runs fail: a bias and a replicate (set by the test before its sweep).
_FAILING: dict[str, Any] = {}


def _question_experiment(tmp_path: Path, method: str, samples: int, reps: int) -> Path:
    exp = tmp_path / f"question_{method}.yaml"
    exp.write_text(
        f"name: question_{method}\nreplicates: {reps}\nseed: 7\n"
        f"scenarios: {{historical: {TINY}, abstained: {TINY.with_name('tiny_abstained.yaml')}}}\n"
        "question:\n  difference: [historical, abstained]\n  metric: final_trust.Patron.all\n"
        f"design:\n  method: {method}\n  samples: {samples}\n"
        + ("  levels: 4\n" if method == "morris" else "")
        + "  parameters:\n"
        f"    {BIAS}: {{low: 1, high: 4}}\n"
        f"    {MEMORY}: {{low: 0.9, high: 1.0}}\n"
        f"    {SUSCEPTIBILITY}: {{low: 0, high: 1}}\n"
    )
    return exp


def _failing_at_largest_bias(monkeypatch: pytest.MonkeyPatch, exp: Path, replicate: int) -> None:
    """Abstained's runs of ``replicate`` at the design's largest bias fail."""
    largest = max(point[BIAS] for point in load_experiment(exp).points)
    monkeypatch.setitem(_FAILING, "bias", largest)
    monkeypatch.setitem(_FAILING, "replicate", replicate)


@pytest.mark.parametrize(("method", "samples"), [("sobol", 16), ("morris", 6)])
def test_the_questions_paired_difference_gets_its_indices(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    samples: int,
) -> None:
    """analyze gave each scenario's indices, not those of the question's answer (decision
    843). Its rows "historical - abstained" now come first: the indices of historical
    minus abstained paired by design point and replicate, averaged over the replicates
    of each point, as SALib gives them for the differences taken here from runs.parquet.
    A failed run leaves its replicate's pair out of its point's mean (not the other
    scenario's run of that replicate, which a difference of the scenarios' means keeps)."""
    from SALib.analyze import morris as salib_morris
    from SALib.analyze import sobol as salib_sobol

    exp = _question_experiment(tmp_path, method, samples, reps=2)
    _failing_at_largest_bias(monkeypatch, exp, replicate=1)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_two_scenarios, quiet=True)
    capsys.readouterr()
    assert main(["analyze", str(folder), "--method", method]) == 0
    out, err = capsys.readouterr()
    table = pd.read_parquet(folder / "analysis" / f"sensitivity_{method}.parquet")

    runs = pd.read_parquet(folder / "runs.parquet")
    assert (runs["status"] != "ok").sum() > 0  # the failing runs ran
    design = pd.read_parquet(folder / "design.parquet")
    params = [BIAS, MEMORY, SUSCEPTIBILITY]
    metric = "final_trust.Patron.all"
    ok = runs[runs["status"] == "ok"]
    wide = ok.pivot_table(index=["point", "replicate"], columns="scenario", values=metric)
    diff = (wide["historical"] - wide["abstained"]).dropna().rename("d").reset_index()
    # Morris points that coincide are run once, under the first: every design point
    # takes the mean of the runs with its values.
    values = ok.drop_duplicates("point").set_index("point")[params]
    means = diff.groupby("point")["d"].mean().to_frame().join(values)
    y = design.merge(means, on=params, how="left")["d"].to_numpy()
    assert len(y) == len(design) and not np.isnan(y).any()
    problem = {"num_vars": 3, "names": params, "bounds": [[1.0, 4.0], [0.9, 1.0], [0.0, 1.0]]}
    # The bootstrap's seed as README says it is drawn from the experiment's seed (7).
    seed = int(np.random.SeedSequence(7).generate_state(1)[0])
    if method == "sobol":
        expected = salib_sobol.analyze(
            problem, y, calc_second_order=False, num_resamples=100, seed=seed
        )
    else:
        matrix = design[params].to_numpy()
        expected = salib_morris.analyze(
            problem, matrix, y, num_resamples=100, num_levels=4, seed=seed
        )

    columns = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star",
               "mu_star_conf", "sigma"]  # fmt: skip
    asked = table[table["scenario"] == "historical - abstained"]
    assert asked.index.tolist() == [0, 1, 2]  # first in the table
    assert asked["metric"].tolist() == [metric] * 3 and asked["parameter"].tolist() == params
    for column in columns:
        assert_allclose(asked[column], expected[column], rtol=1e-9, atol=1e-12)
    # Not the indices of either scenario's own metric, nor of the difference of means.
    for scenario in ("historical", "abstained"):
        own = table[(table["scenario"] == scenario) & (table["metric"] == metric)]
        assert not np.allclose(own[columns[0]], asked[columns[0]])
    # On the terminal first, said what it is, and its chart beside the others.
    assert out.index("historical - abstained") < out.index("  historical ")
    assert "the question's paired difference, final_trust.Patron.all of historical minus " in out
    assert "and of the question's difference (historical - abstained)" in out
    assert (folder / "analysis" / f"sensitivity_{method}_difference.png").is_file()
    assert "have no index" not in err


def test_a_question_without_a_pair_at_a_point_has_no_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One replicate, its abstained run at one point failed: the difference has no value
    there, so no Sobol index (NaN, noted), and no chart; the scenarios' own indices stay."""
    from tests.test_observed import drawn_figures

    exp = _question_experiment(tmp_path, "sobol", 4, reps=1)
    _failing_at_largest_bias(monkeypatch, exp, replicate=0)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_two_scenarios, quiet=True)
    capsys.readouterr()
    figures = drawn_figures(monkeypatch)
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    out, err = capsys.readouterr()
    table = pd.read_parquet(folder / "analysis" / "sensitivity_sobol.parquet")
    asked = table[table["scenario"] == "historical - abstained"]
    assert len(asked) == 3 and asked[["S1", "ST"]].isna().all().all()
    assert table.loc[table["scenario"] == "historical", "S1"].notna().all()
    # The note names the design points without a pair (read here from runs.parquet) and
    # says the chart is not drawn, apart from the scenarios' rows without an index.
    runs = pd.read_parquet(folder / "runs.parquet")
    failed = sorted(runs.loc[runs["status"] != "ok", "point"].unique().tolist())
    points = len(pd.read_parquet(folder / "design.parquet"))
    listed = ", ".join(map(str, failed))
    assert (
        "credsim: note: the question's difference (historical - abstained) has no index: "
        f"no pair of runs finished at {len(failed)} of the {points} design points "
        f"(point{'s' if len(failed) > 1 else ''} {listed}); no chart of it is drawn"
    ) in err
    assert "without a pair" not in err.split("no chart of it is drawn")[1]
    assert not (folder / "analysis" / "sensitivity_sobol_difference.png").exists()
    assert len(figures) == 1 and "historical - abstained" in out


def test_the_question_read_as_a_difference() -> None:
    """Every question an experiment file takes is a paired difference; one that is not
    (a manifest written otherwise) is left out, said why."""
    from sim.analysis.sensitivity import Difference, question_difference

    manifest: dict[str, Any] = {"scenarios": {"a": {}, "b": {}}, "experiment": {}}
    assert question_difference(manifest) == (None, "")
    manifest["experiment"]["question"] = {"difference": ["b", "a"], "metric": "m.P.all"}
    found, why = question_difference(manifest)
    assert found == Difference("b", "a", "m.P.all") and not why
    assert (found.scenario, found.name, found.words) == ("b - a", "m.P.all", "b minus a")
    manifest["experiment"]["question"]["date"] = "2020-06"
    found, _ = question_difference(manifest)
    assert found is not None and found.name == "m.P.all in 2020-06"
    manifest["experiment"]["question"]["difference"] = ["a", "c"]
    found, why = question_difference(manifest)
    assert found is None and why.startswith("the experiment's question is left out: it is not")


def test_the_note_of_intervals_too_wide_tells_the_difference_from_the_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The question's rows carry its metric's name, as the scenarios' rows of that metric
    do: the note of indices the sample cannot estimate said "metrics
    final_trust.Patron.all" for both, and a reader could not tell which (an outside check
    of decision 850)."""
    from sim.analysis.sensitivity import uninformative_rows

    exp = _question_experiment(tmp_path, "sobol", 2, reps=1)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_two_scenarios, quiet=True)
    capsys.readouterr()
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    err = capsys.readouterr().err
    table = pd.read_parquet(folder / "analysis" / "sensitivity_sobol.parquet")
    flagged = uninformative_rows(table)
    asked = table["scenario"] == "historical - abstained"
    # Two samples of three parameters: both the difference and the scenarios' metric.
    assert (flagged & asked).any() and (flagged & ~asked).any()
    assert (
        f"credsim: note: {int(flagged.sum())} rows (the question's difference "
        "'historical - abstained' and metrics final_trust.Patron.all) have an index"
    ) in err


def _same_but_shifted(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """Both scenarios the same function of the parameters, historical 0.1 higher: their
    difference is 0.1 at every point, but for rounding."""
    trust = scenario.parameters.trust
    y = 2.0 * trust.negativity_bias + 10.0 * trust.memory + (0.1 if scenario.name == "tiny" else 0)
    return RunOutput(summary={"final_trust": {"Patron": {"all": y}}}, series=None, actors=None)


def test_a_question_whose_difference_is_flat_over_the_design_gets_no_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A difference that does not move over the design has indices of its rounding: its
    rows stay in the table, but no chart shares out that rounding (as a flat metric's,
    decision 850); the scenarios' own metric, which moves, keeps its chart."""
    exp = _question_experiment(tmp_path, "sobol", 8, reps=1)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_same_but_shifted, quiet=True)
    runs = pd.read_parquet(folder / "runs.parquet")
    wide = runs.pivot_table(index="point", columns="scenario", values="final_trust.Patron.all")
    difference = wide["historical"] - wide["abstained"]
    assert np.allclose(difference, 0.1, rtol=0, atol=1e-12) and wide["historical"].std() > 1
    capsys.readouterr()
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    table = pd.read_parquet(folder / "analysis" / "sensitivity_sobol.parquet")
    assert (table["scenario"] == "historical - abstained").sum() == 3
    assert not (folder / "analysis" / "sensitivity_sobol_difference.png").exists()
    assert list((folder / "analysis").glob("sensitivity_sobol*.png"))  # the metric's chart
