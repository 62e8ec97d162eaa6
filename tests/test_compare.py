"""``credsim compare``: known differences are found, identical folders give zero, and
folders that cannot be compared are refused with one clear line (exit 2)."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import results_factory as factory
from matplotlib.collections import PathCollection
from matplotlib.container import ErrorbarContainer
from scipy import stats

from sim.analysis.comparison import difference, markdown, series_key
from sim.cli import main
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
ONE_POINT = {"parameters.trust.negativity_bias": [1.0]}


@pytest.fixture(autouse=True)
def _close_figures():
    """The figures a test drew are closed after it (more than 20 open warned)."""
    yield
    plt.close("all")


def _compare(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["compare", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _table(out: Path, metric: str) -> pd.DataFrame:
    return pd.read_csv(out / f"compare_{metric.replace('.', '-')}.csv")


# What the per-run panels say they draw, under their titles.
DRAWN = "points: runs; line: mean ± 95% t interval"


def _t_interval(values) -> tuple[float, float, float]:
    """Mean and Student t 95% interval of the mean, by scipy (not the code's helper)."""
    values = np.asarray(values, dtype=np.float64)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    return float(values.mean()), float(low), float(high)


def _per_run_marks(ax):
    """What a per-run panel draws, read from its artists: the points (x, row), each mean's
    line (x, row) and each whisker (low, high, row)."""
    points = [np.asarray(c.get_offsets(), np.float64) for c in ax.collections
              if isinstance(c, PathCollection)]  # fmt: skip
    means = []
    for line in ax.get_lines():
        if line.get_gid() == "mean":
            xs = line.get_xdata()
            assert xs[0] == xs[1]  # a line across the row, at one value
            means.append((float(xs[0]), float(np.mean(line.get_ydata()))))
    whiskers = []
    for container in ax.containers:
        assert isinstance(container, ErrorbarContainer)  # no bars
        ((start, end),) = container.lines[2][0].get_segments()
        assert start[1] == end[1]
        whiskers.append((float(start[0]), float(end[0]), float(start[1])))
    return np.concatenate(points), means, whiskers


def _beneath_its_runs(y: float, row: int, points: np.ndarray) -> bool:
    """Whether a mean's line or whisker at height ``y`` lies in ``row`` (the axis runs
    down) and beneath every one of that row's points, so that it hides none of them
    (decision 757: drawn across them, it hid runs that lie within its width)."""
    mine = points[np.round(points[:, 1]) == row, 1]
    return bool(row < y < row + 0.5 and (mine < y).all())


def _decimals(ax) -> set[int]:
    """The numbers of decimals of the value axis' tick labels, as drawn."""
    ax.figure.canvas.draw()
    labels = [t.get_text().replace("\u2212", "-") for t in ax.get_xticklabels() if t.get_text()]
    assert labels
    return {len(text.partition(".")[2]) for text in labels}


def test_known_difference_is_found_paired(tmp_path, capsys):
    """Two folders of the same design and seed pair run by run: every pair differs by
    exactly -0.1 (the offset), so the interval is the point and all 8 signed ranks are
    negative (Wilcoxon statistic 0, two-sided p at most 2 / 2**8 exactly)."""
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, ONE_POINT, replicates=8)
    b = factory.write_sweep(tmp_path / "b", {"base": -0.1}, ONE_POINT, replicates=8)
    out = tmp_path / "cmp"
    code, printed, _ = _compare(capsys, str(a), str(b), "--metric", "final_trust.USA.all",
                                "--out", str(out))  # fmt: skip
    assert code == 0
    row = _table(out, "final_trust.USA.all").iloc[0]
    assert (row["a"], row["b"], row["n_a"], row["n_b"]) == ("a", "b", 8, 8)
    assert (row["pairing"], row["pooled"], row["test"]) == ("paired", "nothing", "wilcoxon")
    assert row["difference"] == pytest.approx(-0.1)
    assert row["ci_low"] == pytest.approx(-0.1) and row["ci_high"] == pytest.approx(-0.1)
    assert row["statistic"] == 0.0 and row["p_value"] <= 0.01
    assert "paired run by run (the same seed and replicate" in printed
    assert "pooled over: nothing" in printed
    assert (out / "compare_final_trust-USA-all.md").read_text() in printed
    assert (out / "compare_final_trust-USA-all.png").stat().st_size > 10_000


def test_a_misspelled_window_is_refused_not_read_as_final_trust(tmp_path, capsys):
    """`compare --metric trust_change.withdrawl.USA.all` gave final trust under a "Change
    in trust ... over 'withdrawl'" title (an audit; decision 614): a summary that is not
    its series' last value is read from its own column only."""
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT)
    out = tmp_path / "cmp"
    code, _, err = _compare(capsys, str(folder), "--metric", "trust_change.withdrawl.USA.all",
                            "--out", str(out))  # fmt: skip
    assert code == 2 and not out.exists()
    assert err.strip() == (
        f"credsim: error: window 'withdrawl' of metric 'trust_change.withdrawl.USA.all' is "
        f"not in '{folder}'; its trust_change windows are withdrawal (did you mean "
        "'withdrawal'?)"
    )
    # The right window compares; final trust through the series stays allowed.
    for metric in ("trust_change.withdrawal.USA.all", "final_trust.USA.all"):
        code, _, err = _compare(capsys, str(folder), "--metric", metric, "--out", str(out))
        assert code == 0, err


def test_a_summary_is_never_taken_from_its_series_last_value_unless_it_is_one(tmp_path):
    """min_trust, sd_trust or trust_change read at the last step of trust_mean is final
    trust, another number: only final_* summaries may come from their series."""
    from sim.analysis.paired import metric_values
    from sim.results import open_results

    results = open_results(factory.write_sweep(tmp_path / "s", {"base": 0.0}, ONE_POINT))
    runs = results.ok_runs.drop(columns=["sd_trust.USA.all", "final_trust.USA.all"])
    results.ok_runs = runs  # as a folder that holds the series but not these columns
    last = metric_values(results, "final_trust.USA.all")
    series = results.series(metrics=["trust_mean"], groups=["all"])
    usa = series[(series["power"] == "USA") & (series["step"] == series["step"].max())]
    assert last.sort_index().tolist() == usa.set_index("run_id")["value"].sort_index().tolist()
    with pytest.raises(InputError, match=r"metric 'sd_trust\.USA\.all' is not in"):
        metric_values(results, "sd_trust.USA.all")


def test_runs_without_a_partner_are_left_out_of_a_paired_difference():
    """An unfinished sweep compared its scenarios unpaired: 640 runs over the whole design
    against 82 over the part that had run, though all 82 had partners (an audit; decision
    616). The runs of the smaller sample each have a partner: paired on those, the rest
    left out and counted."""
    from sim.analysis.comparison import compare_cell

    keys = ["point", "replicate"]
    first = pd.DataFrame({"point": [0, 0, 1, 1, 2, 2], "replicate": [0, 1] * 3,
                          "value": [1.0, 2.0, 3.0, 4.0, 50.0, 60.0]})  # fmt: skip
    second = first.iloc[:4].assign(value=lambda f: f["value"] + 0.5)
    cell = compare_cell(first, second, keys)
    assert cell["pairing"] == "paired" and cell["left_out"] == 2
    assert (cell["n_a"], cell["n_b"]) == (4, 4)
    assert cell["difference"] == pytest.approx(0.5)
    assert (cell["mean_a"], cell["mean_b"]) == (pytest.approx(2.5), pytest.approx(3.0))
    # A run of the smaller sample without a partner: no pairing at all.
    odd = second.assign(point=[0, 0, 1, 7])
    assert compare_cell(first, odd, keys)["pairing"] == "unpaired"
    # Complete samples are paired as before, nothing left out.
    assert compare_cell(first, first.assign(value=0.0), keys)["left_out"] == 0


def test_an_unfinished_sweep_is_said_when_compared(tmp_path, capsys):
    """`compare` on an unfinished sweep said nothing of it (analyze refuses, plot warns)."""
    import json

    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "running"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = _compare(capsys, str(folder), "--out", str(tmp_path / "cmp"))
    assert code == 0
    assert f"note: the sweep in '{folder}' is" in err and "run its command again" in err


def test_folders_of_different_designs_are_compared_unpaired(tmp_path, capsys):
    """Different varied parameters: no pairs, so the difference of means with the
    Mann-Whitney U; every run of a is above every run of b, so U of a is 8 * 8."""
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, ONE_POINT, replicates=8)
    b = factory.write_sweep(
        tmp_path / "b", {"base": -0.1}, {"parameters.trust.memory": [1.0]}, replicates=8
    )
    code, _, _ = _compare(capsys, str(a), str(b), "--out", str(tmp_path / "c"))
    assert code == 0
    row = _table(tmp_path / "c", "final_trust.USA.all").iloc[0]
    assert (row["pairing"], row["test"]) == ("unpaired", "mann-whitney")
    assert row["difference"] == pytest.approx(-0.1)
    assert row["ci_low"] < -0.1 < row["ci_high"] < 0.0
    assert row["statistic"] == 64.0 and row["p_value"] < 0.001


def test_identical_folders_give_zero_paired_differences(tmp_path, capsys):
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, replicates=4)
    b = tmp_path / "b"
    shutil.copytree(a, b)
    code, _, _ = _compare(capsys, str(a), str(b), "--out", str(tmp_path / "cmp"))
    assert code == 0
    row = _table(tmp_path / "cmp", "final_trust.USA.all").iloc[0]  # the default metric
    assert row["pairing"] == "paired" and row["n_a"] == 12
    assert row["difference"] == 0.0 and row["ci_low"] == 0.0 == row["ci_high"]
    assert np.isnan(row["p_value"])  # no test when every difference is zero
    assert row["pooled"] == "parameters.trust.negativity_bias (3 values)"


def test_scenarios_inside_one_sweep_are_compared_pairwise(tmp_path, capsys):
    folder = factory.write_sweep(tmp_path / "s", {"x": 0.0, "y": 0.05, "z": 0.2}, ONE_POINT,
                                 replicates=5)  # fmt: skip
    code, _, _ = _compare(capsys, str(folder), "--metric", "trust_mean.Russia.levant")
    assert code == 0
    table = _table(folder / "compare", "trust_mean.Russia.levant")
    assert list(zip(table["a"], table["b"], strict=True)) == [("x", "y"), ("x", "z"), ("y", "z")]
    np.testing.assert_allclose(table["difference"], [0.05, 0.2, 0.15])


def test_series_metric_uses_the_last_step(tmp_path, capsys):
    a = factory.write_sweep(tmp_path / "a", {"s": 0.0, "t": 0.3}, ONE_POINT, replicates=3)
    _compare(capsys, str(a), "--metric", "final_trust.USA.all", "--out", str(tmp_path / "c"))
    _compare(capsys, str(a), "--metric", "trust_mean.USA.all", "--out", str(tmp_path / "c"))
    summary = _table(tmp_path / "c", "final_trust.USA.all")
    series = _table(tmp_path / "c", "trust_mean.USA.all")
    np.testing.assert_allclose(series["mean_a"], summary["mean_a"])
    np.testing.assert_allclose(series["difference"], summary["difference"])


def test_single_runs_give_a_difference_without_interval(tmp_path, capsys):
    a = factory.write_run(tmp_path / "a")
    b = factory.write_run(tmp_path / "b", offset=0.02)
    code, printed, _ = _compare(capsys, str(a), str(b), "--out", str(tmp_path / "c"))
    assert code == 0 and "| final_trust.USA.all |  | a | b | paired | nothing | 1 | 1 |" in printed
    row = _table(tmp_path / "c", "final_trust.USA.all").iloc[0]
    assert row["difference"] == pytest.approx(0.02)
    assert np.isnan(row["ci_low"]) and np.isnan(row["p_value"])


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        ("calendar", [], "calendars differ"),
        ("metric", ["--metric", "final_trust.Rusia.all"], "did you mean 'final_trust.Russia.all'"),
        ("alone", [], "needs at least two samples"),
    ],
)
def test_incomparable_folders_exit_2_with_one_line(tmp_path, capsys, make, extra, message):
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, ONE_POINT)
    tree = factory.scenario_tree("base", end="2016-12" if make == "calendar" else "2015-12")
    b = factory.write_sweep(tmp_path / "b", {"base": 0.0}, ONE_POINT, trees={"base": tree})
    folders = [str(a)] if make == "alone" else [str(a), str(b)]
    code, _, err = _compare(capsys, *folders, *extra, "--out", str(tmp_path / "c"))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err
    assert not (tmp_path / "c").exists()


def test_difference_interval_and_test_on_hand_values():
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([11.0, 12.0, 13.0, 14.0])
    result = difference(a, b)
    assert result["difference"] == 10.0
    # Resampled means stay within [min, max] of each sample: 10 +- 3 at most.
    assert 7.0 <= result["ci_low"] < 10.0 < result["ci_high"] <= 13.0
    assert result["mann_whitney_u"] == 0.0
    assert result["p_value"] == pytest.approx(2 / 70)  # exact: 2 of C(8, 4) orderings


def test_series_keys_and_markdown():
    assert series_key("final_share.none.all").metric == "share_aligned"
    assert series_key("trust_change.withdrawal.USA.levant").group == "levant"
    assert series_key("final_effective_poles").power == ""
    assert series_key("realignments.all").group == "all"
    table = pd.DataFrame({"a": ["x"], "v": [0.123456], "w": [np.nan]})
    assert markdown(table) == "| a | v | w |\n|---|---|---|\n| x | 0.1235 |  |\n"


@pytest.mark.slow
def test_real_sweeps_known_difference_and_self_comparison(tmp_path, capsys):
    """Without the withdrawal (magnitude 0) the patron ends trusted more than with it."""
    folders = []
    for magnitude in ("0", "2.5"):
        out = tmp_path / f"withdrawal{magnitude}"
        argv = ["sweep", str(ROOT / "scenarios" / "tour.yaml"), "--reps", "3",
                "--set", f"events.withdrawal.magnitude={magnitude}", "--record", "series",
                "--workers", "1", "--out", str(out), "--no-plots", "--quiet"]  # fmt: skip
        assert main(argv) == 0
        folders.append(str(out))
    capsys.readouterr()
    metric = "final_trust.Patron.all"
    code, _, _ = _compare(capsys, *folders, "--metric", metric, "--out", str(tmp_path / "c"))
    assert code == 0
    row = _table(tmp_path / "c", metric).iloc[0]
    assert row["difference"] < 0.0 and row["ci_high"] < 0.0
    shutil.copytree(folders[0], tmp_path / "copy")
    code, _, _ = _compare(capsys, folders[0], str(tmp_path / "copy"), "--metric", metric,
                          "--out", str(tmp_path / "same"))  # fmt: skip
    assert code == 0
    same = _table(tmp_path / "same", metric).iloc[0]
    assert same["difference"] == 0.0 and same["ci_low"] <= 0.0 <= same["ci_high"]


def test_by_and_at_on_a_real_sweep_equal_hand_paired_differences(tmp_path, capsys):
    """A real --vary sweep of one scenario: ``--by`` negativity bias compares its two
    values paired on (memory, replicate); ``--at`` memory keeps one memory. The
    expectations are the runs table's own rows differenced by hand with pandas."""
    nb, mem = "parameters.trust.negativity_bias", "parameters.trust.memory"
    out = tmp_path / "sweep"
    argv = ["sweep", str(ROOT / "scenarios" / "tour.yaml"), "--vary", f"{nb}=1,3",
            "--vary", f"{mem}=0.9,0.99", "--reps", "3", "--workers", "1",
            "--out", str(out), "--no-plots", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    metric = "final_trust.Patron.all"
    low = runs[runs[nb] == 1.0].set_index([mem, "replicate"])[metric]
    high = runs[runs[nb] == 3.0].set_index([mem, "replicate"])[metric]
    by_hand = (high - low).dropna()
    assert len(by_hand) == 6
    capsys.readouterr()
    code, printed, _ = _compare(capsys, str(out), "--metric", metric, "--by", nb,
                                "--out", str(tmp_path / "c"))  # fmt: skip
    assert code == 0
    row = pd.read_csv(next((tmp_path / "c").glob("compare_*by*.csv"))).iloc[0]
    assert (row["a"], row["b"]) == ("trust.negativity_bias=1", "trust.negativity_bias=3")
    assert row["pairing"] == "paired"
    assert row["n_a"] == 6 and row["pooled"] == f"{mem} (2 values)"
    assert row["difference"] == pytest.approx(by_hand.mean(), abs=1e-12)
    assert "pooled over: parameters.trust.memory (2 values)" in printed
    code, printed, _ = _compare(capsys, str(out), "--metric", metric, "--by", nb,
                                "--at", f"{mem}=0.99", "--out", str(tmp_path / "d"))  # fmt: skip
    assert code == 0
    row = pd.read_csv(next((tmp_path / "d").glob("compare_*.csv"))).iloc[0]
    assert row["n_a"] == 3 and row["pooled"] == "nothing"
    assert row["difference"] == pytest.approx(by_hand.xs(0.99, level=mem).mean(), abs=1e-12)
    assert f"held at: {mem}=0.99" in printed


def test_at_a_value_not_run_is_one_line(tmp_path, capsys):
    folder = factory.write_sweep(tmp_path / "s", {"x": 0.0, "y": 0.1})
    code, _, err = _compare(capsys, str(folder), "--at", "parameters.trust.negativity_bias=9")
    assert code == 2
    assert err.strip().splitlines() == [
        "credsim: error: --at parameters.trust.negativity_bias=9: the sweep ran "
        "parameters.trust.negativity_bias at 1, 2, 3"
    ]


@pytest.mark.parametrize("sign", ["", "-"])
def test_at_a_number_past_a_floats_range_is_a_value_not_run(tmp_path, capsys, sign):
    """``--at PATH=999...9`` (400 digits) raised OverflowError in float() (decision 541)."""
    folder = factory.write_sweep(tmp_path / "s", {"x": 0.0, "y": 0.1})
    setting = f"parameters.trust.negativity_bias={sign}{'9' * 400}"
    code, _, err = _compare(capsys, str(folder), "--at", setting)
    assert code == 2
    assert err.strip().splitlines() == [
        f"credsim: error: --at {setting[:100]}... ({len(setting)} characters): the sweep ran "
        "parameters.trust.negativity_bias at 1, 2, 3"
    ]


def test_at_that_one_of_several_folders_cannot_take_names_that_folder(tmp_path, capsys):
    """A run folder beside a sweep: "this folder varies no parameter" did not say which."""
    sweep = factory.write_sweep(tmp_path / "s", {"x": 0.0})
    run = factory.write_run(tmp_path / "r")
    at = "parameters.trust.negativity_bias=2"
    code, _, err = _compare(capsys, str(sweep), str(run), "--at", at)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith(f"credsim: error: --at {at}: this folder varies no parameter")
    assert line.endswith(f"({tmp_path / 'r'})")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "parameters.trust.negativity_bias=high",
            "--at parameters.trust.negativity_bias=high: 'high' is not a number; the sweep "
            "ran parameters.trust.negativity_bias at 1, 2, 3",
        ),
        (
            "parameters.trust.negativity_bias",
            "--at 'parameters.trust.negativity_bias' must look like PATH=VALUE, e.g. "
            "parameters.trust.negativity_bias=VALUE (a value the sweep ran)",
        ),
    ],
)
def test_at_text_for_a_number_or_without_a_value_says_so(tmp_path, capsys, given, expected):
    """They said only where the sweep ran the parameter, and "override '...' must look
    like PATH=VALUE", naming no option (decision 479)."""
    folder = factory.write_sweep(tmp_path / "s", {"x": 0.0, "y": 0.1})
    code, _, err = _compare(capsys, str(folder), "--at", given)
    assert code == 2
    assert err.strip().splitlines() == [f"credsim: error: {expected}"]


def test_bar_labels_of_one_parameter_are_its_values(tmp_path, capsys):
    """Samples split --by one parameter are named ``parameter=value``; beside their rows that
    is the value, the parameter going to the axis label (the names side by side ran
    into each other). Names of other kinds are wrapped, never cut."""
    from sim.analysis.comparison import compare_figure, compare_table, samples_of
    from sim.results import open_results

    grid = {"parameters.trust.negativity_bias": [1.0, 2.0, 4.0]}
    folder = open_results(factory.write_sweep(tmp_path / "s", {"base": 0.0}, grid))
    metric = "final_trust.USA.all"
    samples = samples_of([folder], "parameters.trust.negativity_bias")
    fig = compare_figure(samples, metric, compare_table(samples, metric), {})
    bars = fig.axes[-1]
    assert [t.get_text() for t in bars.get_yticklabels()] == ["1", "2", "4"]
    # In words, as every other figure names a parameter (decision 652).
    assert bars.get_ylabel() == "trust: negativity bias"
    run = open_results(factory.write_run(tmp_path / "a_run_in_a_long_folder_name"))
    samples = samples_of([folder, run], None)
    fig = compare_figure(samples, metric, compare_table(samples, metric), {})
    labels = [t.get_text() for t in fig.axes[-1].get_yticklabels()]
    assert [label.replace("\n", "") for label in labels] == [s.label for s in samples]
    assert max(len(line) for label in labels for line in label.splitlines()) <= 16


def test_by_a_parameter_of_many_values_is_refused(tmp_path, capsys):
    """--by compares each value with each: 13 values would be 78 rows and 13 lines in
    one legend (an lhs design's 40 drawn values gave 780 rows)."""
    grid = {"parameters.trust.memory": [0.9 + 0.005 * i for i in range(13)]}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0}, grid, replicates=2)
    out = tmp_path / "c"
    code, _, err = _compare(capsys, str(folder), "--by", "parameters.trust.memory",
                            "--out", str(out))  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "ran 13 values of it (grid design); --by compares at most 12 values" in err
    assert not out.exists()
    twelve = {"parameters.trust.memory": grid["parameters.trust.memory"][:12]}
    folder = factory.write_sweep(tmp_path / "t", {"base": 0.0}, twelve, replicates=2)
    code, _, _ = _compare(capsys, str(folder), "--by", "parameters.trust.memory",
                          "--out", str(out))  # fmt: skip
    assert code == 0


def test_a_run_against_a_sweep_says_the_sweep_is_pooled(tmp_path, capsys):
    """The second folder's design counts too: the row pools its three bias values."""
    run = factory.write_run(tmp_path / "a")
    sweep = factory.write_sweep(tmp_path / "b", {"base": 0.0}, replicates=2)
    code, _, _ = _compare(capsys, str(run), str(sweep), "--out", str(tmp_path / "c"))
    assert code == 0
    row = _table(tmp_path / "c", "final_trust.USA.all").iloc[0]
    assert row["pooled"] == "parameters.trust.negativity_bias (3 values)"
    assert (row["n_a"], row["n_b"]) == (1, 6)


def test_a_grid_against_a_sampled_design_says_what_each_pools(tmp_path, capsys):
    """An audit's grid (3 x 2 values) against an lhs folder (10 drawn values each) said
    "pooled over: negativity_bias (10 values)" for rows that pool the grid's 3 (the larger
    count of the two samples). Here the second folder runs 10 values of the bias; the
    row gives each sample's count when they differ."""
    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
        "parameters.trust.memory": [0.9, 1.0],
    }
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, grid, replicates=1)
    drawn = {
        "parameters.trust.negativity_bias": [1.0 + 0.2 * i for i in range(10)],
        "parameters.trust.memory": [0.9, 1.0],
    }
    b = factory.write_sweep(tmp_path / "b", {"base": 0.0}, drawn, replicates=1)
    code, printed, _ = _compare(capsys, str(a), str(b), "--metric", "final_trust.USA.all",
                                "--out", str(tmp_path / "c"))  # fmt: skip
    assert code == 0
    row = _table(tmp_path / "c", "final_trust.USA.all").iloc[0]
    assert row["pooled"] == (
        "parameters.trust.negativity_bias (3 values in a, 10 in b), "
        "parameters.trust.memory (2 values)"
    )
    assert f"pooled over: {row['pooled']}" in printed


def test_the_default_metric_is_the_question_else_the_first_powers_trust(tmp_path, capsys):
    """Without --metric an audit compared ``final_trust.China.all``, the first final trust
    in the runs table, a power no event of the Syria scenario moves (difference 0). The
    default is now the experiment's question metric, else the final trust in the
    scenario's first power among all states; the command says which it took."""
    tree = factory.scenario_tree("base")
    tree["powers"] = {p: tree["powers"][p] for p in ("Russia", "USA")}  # Russia first
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": 0.1}, ONE_POINT,
                                 trees={"base": tree, "alt": tree})  # fmt: skip
    code, printed, _ = _compare(capsys, str(folder), "--out", str(tmp_path / "c"))
    assert code == 0
    assert "no --metric: comparing final_trust.Russia.all (final trust in Russia" in printed
    assert _table(tmp_path / "c", "final_trust.Russia.all")["difference"].iloc[0] == (
        pytest.approx(0.1)
    )
    question = {"metric": "final_trust.USA.levant", "difference": ["alt", "base"]}
    asked = factory.write_sweep(tmp_path / "q", {"base": 0.0, "alt": 0.1}, ONE_POINT,
                                trees={"base": tree, "alt": tree}, question=question)  # fmt: skip
    code, printed, _ = _compare(capsys, str(asked), "--out", str(tmp_path / "d"))
    assert code == 0
    assert "comparing final_trust.USA.levant (the experiment's question)" in printed
    assert (tmp_path / "d" / "compare_final_trust-USA-levant.csv").is_file()


def test_the_default_metric_says_why_it_is_not_the_questions(tmp_path, capsys):
    """Compared with a folder that lacks the question's metric (of a scenario without its
    group), or with the question read at a date, compare took the first power's final
    trust and said only "final trust in USA, the scenario's first power": the question
    was passed over without a word (an audit). It now says why."""
    question = {"metric": "final_trust.USA.levant", "difference": ["alt", "base"]}
    asked = factory.write_sweep(tmp_path / "q", {"base": 0.0, "alt": 0.1}, ONE_POINT,
                                question=question)  # fmt: skip
    other = factory.write_sweep(tmp_path / "o", {"base": 0.0}, ONE_POINT)
    runs = pd.read_parquet(other / "runs.parquet")  # as a scenario without the group
    runs.drop(columns=[c for c in runs if c.endswith(".levant")]).to_parquet(other / "runs.parquet")
    code, printed, _ = _compare(capsys, str(asked), str(other), "--out", str(tmp_path / "c"))
    assert code == 0
    assert (
        "no --metric: comparing final_trust.USA.all (final trust in USA, the scenario's first "
        f"power, among all states; not the question's final_trust.USA.levant: '{other}' has "
        "no such metric); --metric chooses another"
    ) in printed
    dated = {"metric": "trust_mean.USA.levant", "date": "2020-06", "difference": ["alt", "base"]}
    at_date = factory.write_sweep(tmp_path / "t", {"base": 0.0, "alt": 0.1}, ONE_POINT,
                                  question=dated)  # fmt: skip
    code, printed, _ = _compare(capsys, str(at_date), "--out", str(tmp_path / "d"))
    assert code == 0
    assert (
        "among all states; not the question's trust_mean.USA.levant, which it asks at "
        "2020-06: compare reads a series at its last step); --metric chooses another"
    ) in printed


def _by_figure(tmp_path: Path, metric: str, windows: dict[str, list[str]] | None = None):
    from sim.analysis.comparison import compare_figure, compare_table, samples_of
    from sim.results import open_results

    tree = factory.scenario_tree("base")
    if windows:
        tree["windows"] = windows
    grid = {"parameters.trust.negativity_bias": [1.0, 2.0, 4.0]}
    folder = open_results(
        factory.write_sweep(
            tmp_path / "s",
            {"base": 0.0, "alt": -0.1},
            grid,
            replicates=2,
            trees={"base": tree, "alt": {**tree, "name": "alt"}},
        )
    )
    by = "parameters.trust.negativity_bias"
    samples = samples_of([folder], by)
    table = compare_table(samples, metric, by=by)
    return folder, compare_figure(samples, metric, table, {}, by), table


def test_compare_by_draws_a_row_per_value_of_only_its_runs(tmp_path):
    """An audit's `compare --by` table split by the bias, but its figure's time and
    per-run panels drew every value's runs together (three regimes in one band). Each
    row now draws the runs at its value only: the line's last point and the points of
    the per-run panel are that value's (trust rises 0.1 per unit of the bias)."""
    metric = "trust_mean.USA.levant"
    _, fig, table = _by_figure(tmp_path, metric)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 6  # three values, a time panel and a per-run panel each
    assert list(table["by"]) == [f"parameters.trust.negativity_bias={v}" for v in (1, 2, 4)]
    for row, value in enumerate((1.0, 2.0, 4.0)):
        time_panel, per_run = panels[2 * row], panels[2 * row + 1]
        assert time_panel.get_title(loc="left").startswith(
            f"Over time at trust: negativity bias = {value:g} ("
        )
        # The last step (24) of the fake model, base scenario, offset 0.1 per unit of bias.
        expected = np.mean(
            [factory.trust_value(24, "USA", "levant", r, 0.1 * value) for r in (0, 1)]
        )
        line = time_panel.get_lines()[0]
        assert line.get_ydata()[-1] == pytest.approx(expected)
        points, means, whiskers = _per_run_marks(per_run)
        assert len(points) == 4  # two replicates of two scenarios at this value
        assert points[:, 0].min() >= expected - 0.1 - 0.02
        assert points[:, 0].max() <= expected + 0.02
        # Each sample's mean and its t interval over its two runs at this value (base:
        # offset 0, alt: -0.1), a row each, top to bottom.
        for sample_row, offset in enumerate((0.0, -0.1)):
            runs = [factory.trust_value(24, "USA", "levant", r, offset + 0.1 * value)
                    for r in (0, 1)]  # fmt: skip
            mean, low, high = _t_interval(runs)
            assert means[sample_row][0] == pytest.approx(mean)
            assert whiskers[sample_row][:2] == pytest.approx((low, high))
            assert _beneath_its_runs(means[sample_row][1], sample_row, points)
            assert whiskers[sample_row][2] == pytest.approx(means[sample_row][1])
    # One value scale for every row, scaled to the runs: not from 0.
    limits = {panels[2 * row + 1].get_xlim() for row in range(3)}
    assert len(limits) == 1
    ((left, right),) = limits
    assert 0.0 < left < right


def test_compare_figure_shades_the_metric_window_and_names_groups_as_elsewhere(tmp_path):
    """The time panel of a windowed metric shades its window (from the step before it
    starts, whose trust the change subtracts, to its last step: each drawn at the end of
    its month, decision 1004, so the shade covers the window's months, March to June),
    and the group reads as in the other figures ("states in Levant", not "levant")."""
    metric = "trust_change.withdrawal.USA.levant"
    _, fig, _ = _by_figure(tmp_path, metric, {"withdrawal": ["2015-03", "2015-06"]})
    time_panel = fig.axes[0]
    (span,) = [p for p in time_panel.patches if p.get_gid() == "window"]
    expected = mdates.date2num(pd.to_datetime(["2015-03-01", "2015-07-01"]))
    assert (span.get_x(), span.get_x() + span.get_width()) == pytest.approx(tuple(expected))
    assert "(USA, among states in Levant)" in time_panel.get_title(loc="left")
    assert fig.get_suptitle().splitlines()[0] == (
        "Change in trust in USA among states in Levant over 'withdrawal'"
    )


def test_sample_names_wrap_at_separators_only(tmp_path):
    """Tick labels broke mid-word (``r_grid_serial:hi`` / ``storical``)."""
    from sim.analysis.comparison import compare_figure, compare_table, samples_of
    from sim.results import open_results

    folders = [
        open_results(
            factory.write_sweep(
                tmp_path / name, {"historical": 0.0, "sustained": 0.1}, ONE_POINT, replicates=2
            )
        )
        for name in ("r_grid_serial", "r_lhs1")
    ]
    samples = samples_of(folders, None)
    metric = "final_trust.USA.all"
    fig = compare_figure(samples, metric, compare_table(samples, metric), {})
    labels = [t.get_text() for t in fig.axes[-1].get_yticklabels()]
    assert labels == [
        "r_grid_serial:\nhistorical",
        "r_grid_serial:\nsustained",
        "r_lhs1:\nhistorical",
        "r_lhs1:sustained",
    ]


def test_compare_by_and_at_a_text_parameter(tmp_path):
    """`compare --by states.Client.aligned` crashed (`Unknown format code 'g'` naming
    the samples). Samples and rows are named with the text values, in sorted order;
    the differences are the known ones (the fake model adds 0.1 per place in the
    grid's list: USA 0, Russia 1, none 2); `--at` holds a name, and a name not run is
    one line naming those that were."""
    from sim.analysis.comparison import compare_table, samples_of
    from sim.analysis.paired import parse_at
    from sim.results import open_results

    aligned, when = "states.Syria.aligned", "events.intervention.date"
    grid = {aligned: ["USA", "Russia", "none"], when: ["2014-12", "2014-05"]}
    one = open_results(factory.write_sweep(tmp_path / "one", {"base": 0.0}, grid, replicates=2))
    metric = "final_trust.USA.all"
    samples = samples_of([one], aligned)
    assert [s.label for s in samples] == [f"{aligned}={v}" for v in ("Russia", "USA", "none")]
    fixed = parse_at([f"{when}=2014-05"], one.varied, one.ok_runs)
    table = compare_table(samples, metric, fixed=fixed)
    assert table["difference"].to_numpy() == pytest.approx([-0.1, 0.1, 0.2])
    assert set(table["n_a"]) == {2}  # held at one date: the 2 replicates of a point
    two = open_results(factory.write_sweep(tmp_path / "two", {"a": 0.0, "b": 0.05}, grid))
    table = compare_table(samples_of([two], None), metric, by=aligned)
    assert list(table["by"]) == [f"{aligned}={v}" for v in ("Russia", "USA", "none")]
    assert table["difference"].to_numpy() == pytest.approx([0.05] * 3)
    with pytest.raises(
        InputError, match=r"the sweep ran states\.Syria\.aligned at Russia, USA, none$"
    ):
        parse_at([f"{aligned}=France"], one.varied, one.ok_runs)


def test_a_figure_without_its_time_panel_is_not_widened_by_its_header(tmp_path, monkeypatch):
    """A summary-only sweep compared --by a parameter drew a 5.5-inch figure under a header
    of one long line per difference: saved with its tight box, the file was half blank."""
    import sim.analysis.comparison as comparison
    from sim.results import open_results

    monkeypatch.setattr(comparison, "_series_rows", lambda *args: None)  # no series recorded
    grid = {"parameters.trust.negativity_bias": [1.0, 2.0, 3.0]}
    folder = open_results(factory.write_sweep(tmp_path / "s", {"base": 0.0}, grid))
    metric = "final_trust.USA.all"
    samples = comparison.samples_of([folder], "parameters.trust.negativity_bias")
    fig = comparison.compare_figure(samples, metric, comparison.compare_table(samples, metric), {})
    assert len([ax for ax in fig.axes if ax.axison]) == 1  # the per-run panel only
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    assert box.width <= 1.1 * fig.get_figwidth()
    assert "p\u00a0=" in fig.get_suptitle()


def test_a_series_metric_of_a_summary_only_sweep_says_to_record_series(tmp_path, capsys):
    """It offered "series metrics written metric.power.group (e.g. trust_mean.<power>.all)"
    of a sweep that recorded none, where they cannot be had."""
    tiny = ROOT / "tests" / "data" / "sweep" / "tiny.yaml"
    folder = tmp_path / "sweep"
    bias = "parameters.trust.negativity_bias"
    argv = ["sweep", str(tiny), "--vary", f"{bias}=1,2", "--out", str(folder)]
    assert main([*argv, "--no-plots", "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "compared"
    code, _, err = _compare(capsys, str(folder), "--by", bias, "--metric",
                            "trust_mean.Patron.all", "--out", str(out))  # fmt: skip
    assert code == 2 and len(err.splitlines()) == 1
    assert (
        "it recorded summaries only (record: summary), so no series metric: run it with "
        "--record series" in err
    )
    assert "e.g. trust_mean" not in err
    assert not out.exists()


def _folders_of_scenarios(tmp_path: Path, names: list[str]):
    """Sweep folders named ``names``, each of the flagship's three scenarios."""
    from sim.results import open_results

    scenarios = {"historical": 0.0, "sustained": 0.1, "abstained": -0.05}
    return [
        open_results(factory.write_sweep(tmp_path / name, scenarios, ONE_POINT, replicates=2))
        for name in names
    ]


def _sample_figure(folders, by: str | None = None):
    from sim.analysis.comparison import compare_figure, compare_table, samples_of

    samples = samples_of(folders, by)
    metric = "final_trust.USA.all"
    return samples, compare_figure(samples, metric, compare_table(samples, metric), {}, by)


def _names_apart(fig, samples) -> None:
    """Every per-run panel names each sample once, and no two names, nor a name and the
    time panel, share a pixel (extents measured by the renderer)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.axison]
    per_run = [
        ax for ax in panels if ax.get_title(loc="left").splitlines()[0].lower().endswith("per run")
    ]
    assert per_run
    time_panels = [ax.get_window_extent(renderer) for ax in panels if ax not in per_run]
    labels = [s.label for s in samples]
    for ax in per_run:
        texts = [t for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]
                 if t.get_text().replace("\n", "") in labels]  # fmt: skip
        assert sorted(t.get_text().replace("\n", "") for t in texts) == sorted(labels)
        boxes = [t.get_window_extent(renderer) for t in texts]
        for i, box in enumerate(boxes):
            assert not any(box.overlaps(other) for other in boxes[i + 1 :]), texts[i].get_text()
            assert not any(box.overlaps(panel) for panel in time_panels), texts[i].get_text()


@pytest.mark.parametrize(
    "names",
    [
        ["sweep_syria", "sweep_syria_prior20"],
        ["syria_withdrawal_baseline_replication", "prior_strength_twenty", "memory_095", "x"],
    ],
)
def test_sample_names_do_not_run_into_each_other(tmp_path, names):
    """An audit's compare of two sweep folders of the flagship's three scenarios drew six
    two-line names ("sweep_syria:" / "historical") side by side under the per-run
    bars, each wider than its bar: they ran into each other. The per-run panel now
    gives each sample a row, its name beside it; the figure grows taller for more or
    longer names, and wider where they need more room than the gap to the time panel."""
    samples, fig = _sample_figure(_folders_of_scenarios(tmp_path, names))
    assert len(samples) == 3 * len(names)
    _names_apart(fig, samples)


def test_sample_names_do_not_run_into_each_other_split_by_a_value_or_untimed(tmp_path, monkeypatch):
    """The same in every row of a figure split --by a parameter, and beside a per-run panel
    with no time panel (a summary-only sweep), where the names take the left margin."""
    import sim.analysis.comparison as comparison

    folders = [
        comparison.open_results(
            factory.write_sweep(
                tmp_path / name,
                {"historical": 0.0, "sustained": 0.1, "abstained": -0.05},
                {"parameters.trust.negativity_bias": [1.0, 2.0]},
                replicates=2,
            )
        )
        for name in ("sweep_syria", "sweep_syria_prior_strength_twenty")
    ]
    samples, fig = _sample_figure(folders, "parameters.trust.negativity_bias")
    assert len([ax for ax in fig.axes if ax.axison]) == 4
    _names_apart(fig, samples)
    monkeypatch.setattr(comparison, "_series_rows", lambda *args: None)  # no series recorded
    samples, fig = _sample_figure(folders)
    assert len([ax for ax in fig.axes if ax.axison]) == 1
    _names_apart(fig, samples)
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    assert box.x0 >= 0.0  # the names are inside the figure, not left of its margin


def test_two_folders_of_three_scenarios_look_apart(tmp_path):
    """The three greys went by sample, so the audit's two folders of three scenarios gave
    each scenario of the first folder the grey of the same scenario of the second:
    their lines, apart only by dashes, read as one where they coincided. Now a folder
    has one grey and one marker (on its lines and its per-run points), a scenario one
    line style; the greys are black and greys (no power's colour)."""
    from matplotlib.colors import to_hex

    samples, fig = _sample_figure(_folders_of_scenarios(tmp_path, ["a", "b"]))
    time_panel, per_run = [ax for ax in fig.axes if ax.axison]
    lines = {line.get_label(): line for line in time_panel.get_lines()}
    assert list(lines) == [s.label for s in samples]
    look = {
        label: (to_hex(line.get_color()), line.get_linestyle(), line.get_marker())
        for label, line in lines.items()
    }
    for first, second in itertools.combinations(samples, 2):
        (grey_a, style_a, marker_a), (grey_b, style_b, marker_b) = (
            look[first.label],
            look[second.label],
        )
        same_folder = first.results is second.results
        assert (grey_a == grey_b, marker_a == marker_b) == (same_folder, same_folder)
        assert (style_a == style_b) == (first.scenario == second.scenario)
    assert all(grey[1:3] == grey[3:5] == grey[5:7] for grey, _, _ in look.values())
    # Each row of the per-run panel: its sample's runs, in its line's grey and marker.
    rows: dict[int, set[tuple[str, bytes]]] = {}
    for points in [c for c in per_run.collections if isinstance(c, PathCollection)]:
        for (_, y), color in zip(points.get_offsets(), points.get_facecolors(), strict=False):
            shape = points.get_paths()[0].vertices.round(3).tobytes()
            rows.setdefault(round(y), set()).add((to_hex(color), shape))
    assert sorted(rows) == list(range(6))
    shapes = {}
    for row, sample in enumerate(samples):
        ((grey, shape),) = rows[row]
        assert grey == look[sample.label][0]
        shapes.setdefault(look[sample.label][2], set()).add(shape)
    assert len(shapes) == 2 and all(len(s) == 1 for s in shapes.values())
    assert shapes[look["a:historical"][2]] != shapes[look["b:historical"][2]]


def test_one_folders_scenarios_keep_a_grey_and_a_style_each(tmp_path):
    """Samples of one folder (or one per folder) look as before: a grey and a line style
    each, in order, no markers."""
    from sim.results import open_results

    _, fig = _sample_figure(_folders_of_scenarios(tmp_path, ["a"]))
    lines = next(ax for ax in fig.axes if ax.axison).get_lines()
    assert [line.get_color() for line in lines] == ["#000000", "#4d4d4d", "#808080"]
    # Dash-dot third: dotted is the events' style (a figure audit).
    assert [line.get_linestyle() for line in lines] == ["-", "--", "-."]
    assert {line.get_marker() for line in lines} == {"None"}
    runs = [open_results(factory.write_run(tmp_path / name)) for name in ("r1", "r2")]
    _, fig = _sample_figure(runs)
    lines = next(ax for ax in fig.axes if ax.axison).get_lines()
    assert [(line.get_color(), line.get_linestyle(), line.get_marker()) for line in lines] == [
        ("#000000", "-", "None"),
        ("#4d4d4d", "--", "None"),
    ]


def test_the_figure_names_folders_without_their_paths(tmp_path, capsys, monkeypatch):
    """The caption drawn in the PNG listed the folders' absolute paths (/tmp/...); a figure
    for a paper names them as the samples do, with what each holds. The paths go
    under the table (.md), for the record."""
    from matplotlib.text import Text

    import sim.analysis.comparison as comparison

    drawn = []
    render = comparison.render
    monkeypatch.setattr(
        comparison, "render", lambda fig, fmt: drawn.append(fig) or render(fig, fmt)
    )
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, ONE_POINT)
    b = factory.write_run(tmp_path / "b")
    out = tmp_path / "cmp"
    code, printed, _ = _compare(capsys, str(a.resolve()), str(b.resolve()), "--out", str(out))
    assert code == 0
    texts = [t.get_text() for t in drawn[0].findobj(Text)]
    assert not [t for t in texts if str(tmp_path) in t or "/tmp" in t]
    (caption,) = [t for t in texts if t.startswith("Samples: ")]
    assert "Folders: a (sweep of toy_sweep), b (run of toy). " in caption
    table = (out / "compare_final_trust-USA-all.md").read_text()
    assert f"Folders: a = {a.resolve()}, b = {b.resolve()}\n" in table
    assert table in printed


def test_the_caption_says_when_the_header_leaves_out_rows_of_the_table(
    tmp_path, capsys, monkeypatch
):
    """Three samples: the header drew two differences (each from the first) beside a
    table of three; the caption now says so. Two samples: one difference, no sentence."""
    from matplotlib.text import Text

    import sim.analysis.comparison as comparison

    drawn = []
    render = comparison.render
    monkeypatch.setattr(
        comparison, "render", lambda fig, fmt: drawn.append(fig) or render(fig, fmt)
    )
    three = factory.write_sweep(tmp_path / "s", {"x": 0.0, "y": 0.05, "z": 0.2}, ONE_POINT)
    two = factory.write_sweep(tmp_path / "t", {"x": 0.0, "y": 0.05}, ONE_POINT)
    for folder in (three, two):
        assert _compare(capsys, str(folder), "--metric", "trust_mean.Russia.levant")[0] == 0
    captions = [
        next(t.get_text() for t in fig.findobj(Text) if t.get_text().startswith("Samples: "))
        for fig in drawn
    ]
    assert (
        "The header gives 2 of the table's 3 differences, each sample's from the first"
        in (captions[0])
    )
    assert "The header gives" not in captions[1]


def _fail_at_bias_3(scenario, seed, record):
    """The real run, except that every run at a negativity bias of 3 raises."""
    from sim.runner import run_scenario

    if scenario.parameters.trust.negativity_bias == 3.0:
        raise ValueError("boom at 3")
    return run_scenario(scenario, seed, record)


def test_compare_by_a_value_whose_runs_all_failed_says_so(tmp_path, capsys):
    """With every run at bias 3 failed, `compare --by` the bias said "give ... or --by a
    varied parameter", which was given (an audit of the sweep); it now names the value
    whose runs failed and where their errors are."""
    from sim.sweep import experiment_from_scenario, run_sweep

    by = "parameters.trust.negativity_bias"
    tiny = ROOT / "tests" / "data" / "sweep" / "tiny.yaml"
    experiment = experiment_from_scenario(tiny, [f"{by}=1,3"], replicates=2, seed=1)
    folder = tmp_path / "sweep"
    outcome = run_sweep(experiment, folder, executor="serial", run_fn=_fail_at_bias_3, quiet=True)
    assert outcome.failed == 2
    argv = ["compare", str(folder), "--by", by, "--metric", "final_trust.Patron.all"]
    assert main([*argv, "--out", str(tmp_path / "cmp")]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: --by '{by}': every run at 3 failed, so only 1 is left to compare; "
        f"the runs' errors are in the 'error' column of {folder / 'runs.parquet'}\n"
    )
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize(
    ("metric", "said"),
    [("trust_mean.USA.levant", True), ("final_trust.USA.levant", False)],
)
def test_a_series_metric_is_said_to_be_compared_at_its_last_step(tmp_path, metric, said):
    """`compare --metric trust_mean.Russia.levant` compares each run's value at the last
    step (module docstring), but its per-run panel read "Per run (bar: mean)" over "Mean
    trust", taken for the mean over the run (an audit of the figures). A summary metric
    names what it is already ("Final trust")."""
    _, fig, _ = _by_figure(tmp_path, metric)
    per_run = [ax for ax in fig.axes if ax.axison][1]
    title = per_run.get_title(loc="left")
    header = fig.get_suptitle().splitlines()[0]
    assert title.splitlines() == ["Per run, at the last step" if said else "Per run", DRAWN]
    assert header.endswith(", at the last step") is said


def test_a_p_value_at_its_tests_floor_is_said_to_be_so():
    """Six pairs whose differences all have one sign give Wilcoxon's smallest two-sided p,
    2 / 2^6 = 0.031; a `compare --by` figure of a small sweep read "p = 0.031" on every
    contrast, as if each were a finding (an audit of the figures). The line now says it
    is the least its runs can give; a larger p, or Mann-Whitney's above its floor
    2 / C(n + m, n), is left alone."""
    from scipy import stats as scipy_stats

    from sim.analysis.comparison import _difference_text, compare_cell

    runs = pd.DataFrame({"point": range(6), "replicate": 0})
    first = runs.assign(value=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    second = runs.assign(value=first["value"] + [0.01, 0.02, 0.03, 0.04, 0.05, 0.06])
    row = pd.Series(
        {"a": "x", "b": "y", "by": "", **compare_cell(first, second, ["point", "replicate"])}
    )
    assert row["p_value"] == pytest.approx(2 / 2**6)
    assert row["p_value"] == pytest.approx(scipy_stats.wilcoxon(np.arange(1, 7)).pvalue)
    assert _difference_text(row).endswith("wilcoxon p = 0.031, the smallest p 6 pairs can give)")
    mixed = second.assign(value=first["value"] + [0.01, -0.02, 0.03, 0.04, 0.05, 0.06])
    row = pd.Series(
        {"a": "x", "b": "y", "by": "", **compare_cell(first, mixed, ["point", "replicate"])}
    )
    assert "the least" not in _difference_text(row)
    apart = pd.DataFrame({"value": [1.0, 2.0, 3.0]}), pd.DataFrame({"value": [4.0, 5.0, 6.0]})
    row = pd.Series({"a": "x", "b": "y", "by": "", **compare_cell(*apart, [])})
    assert row["p_value"] == pytest.approx(2 / 20)  # 2 / C(6, 3)
    assert _difference_text(row).endswith(
        "mann-whitney p = 0.1, the smallest p 3 and 3 runs can give)"
    )


def test_at_takes_a_value_as_the_messages_list_it(tmp_path, capsys):
    """A sampled design ran memory 0.9508525048894807, listed as 0.950853; that value
    copied into --at matched nothing (an audit; decision 623)."""
    grid = {"parameters.trust.memory": [0.9508525048894807, 0.97]}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, grid, replicates=2)
    out = tmp_path / "cmp"
    code, _, err = _compare(capsys, str(folder), "--at", "parameters.trust.memory=0.950853",
                            "--out", str(out))  # fmt: skip
    assert code == 0, err
    row = pd.read_csv(out / "compare_final_trust-USA-all_at-trust.memory-0.950853.csv").iloc[0]
    assert (row["n_a"], row["n_b"]) == (2, 2)
    # A value no run reads as is still refused, with the values run.
    code, _, err = _compare(capsys, str(folder), "--at", "parameters.trust.memory=0.95",
                            "--out", str(out))  # fmt: skip
    assert code == 2 and "the sweep ran parameters.trust.memory at 0.950853, 0.97" in err


def test_an_empty_metric_is_refused_not_taken_for_none(tmp_path, capsys):
    """`--metric ""` (an unset shell variable) compared the default metric, saying "no
    --metric" (an audit; decision 625)."""
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT)
    code, _, err = _compare(capsys, str(folder), "--metric", "", "--out", str(tmp_path / "c"))
    assert code == 2 and err.startswith("credsim: error: --metric is empty;")
    assert not (tmp_path / "c").exists()


def test_an_empty_by_is_refused_not_called_unvaried(tmp_path, capsys):
    """`--by ""` said "--by '' is not varied by ...; varied: ..." (an audit): it is said
    empty, as an empty --metric is."""
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT)
    code, _, err = _compare(capsys, str(folder), "--by", "", "--out", str(tmp_path / "c"))
    assert code == 2 and err.startswith("credsim: error: --by is empty; give a varied parameter")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()


def test_a_calibration_folder_is_named_as_one(tmp_path, capsys):
    """compare and analyze on a calibration's folder said "manifest kind is
    'calibration'; expected 'run' or 'sweep'" (an audit; decision 625)."""
    import json

    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibration"}))
    for argv in (["compare", str(folder)], ["analyze", str(folder), "--method", "sobol"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"credsim: error: '{folder}' holds a calibration, not a run or")
        assert "variants.csv" in err and "method: posterior" in err


def test_a_pooled_difference_that_changes_sign_is_said(tmp_path, capsys):
    """A pooled paired difference of +0.039 (interval clear of zero) hid -0.005 at one
    design point and +0.082 at another (an audit; decision 629): each paired row keeps
    the lowest and highest mean difference of its design points, and the terminal says
    when they straddle zero."""
    from sim.analysis.comparison import compare_cell

    keys = ["point", "replicate"]
    first = pd.DataFrame({"point": [0, 0, 1, 1], "replicate": [0, 1, 0, 1], "value": 0.0})
    second = first.assign(value=[-0.004, -0.006, 0.08, 0.084])
    cell = compare_cell(first, second, keys)
    assert cell["point_low"] == pytest.approx(-0.005)
    assert cell["point_high"] == pytest.approx(0.082)
    one_point = compare_cell(first.iloc[:2], second.iloc[:2], keys)
    assert one_point["pairing"] == "paired"
    assert np.isnan(one_point["point_low"]) and np.isnan(one_point["point_high"])


def test_pooled_names_the_values_of_the_runs_paired_not_of_those_left_out(tmp_path, capsys):
    """A sweep over three negativity biases against one over two pairs on the two they
    share and leaves the third's runs out, so the row pools over 2 values, not "3 values
    in a, 2 in b" (the `pooled` column counted every run; an audit, decision 637)."""
    bias = "parameters.trust.negativity_bias"
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, {bias: [1.0, 2.0, 3.0]})
    b = factory.write_sweep(tmp_path / "b", {"base": -0.1}, {bias: [1.0, 2.0]})
    out = tmp_path / "cmp"
    code, printed, _ = _compare(capsys, str(a), str(b), "--metric", "final_trust.USA.all",
                                "--out", str(out))  # fmt: skip
    assert code == 0
    row = _table(out, "final_trust.USA.all").iloc[0]
    assert (row["pairing"], row["left_out"], row["n_a"]) == ("paired", 3, 6)
    assert row["pooled"] == f"{bias} (2 values)"
    assert f"pooled over: {bias} (2 values)" in printed


def test_a_paired_difference_of_zeros_says_it_has_no_p(tmp_path):
    """Identical runs give no Wilcoxon p (every difference is 0): the table leaves it
    blank, and the figure's header said "wilcoxon p = nan" (an audit, decision 642)."""
    from sim.analysis.comparison import _difference_text, compare_cell

    runs = pd.DataFrame({"point": [0, 0, 0], "replicate": [0, 1, 2], "value": [0.1, 0.2, 0.3]})
    row = pd.Series(
        {"a": "x", "b": "y", "by": "", **compare_cell(runs, runs, ["point", "replicate"])}
    )
    text = _difference_text(row)
    assert "nan" not in text
    assert text.endswith("(paired; 95% interval 0 to 0; no wilcoxon p: every difference is 0)")


def test_a_p_at_its_tests_floor_is_said_on_the_terminal(tmp_path, capsys):
    """Five pairs that all differ one way give Wilcoxon's smallest p, 2 / 2**5 = 0.0625:
    the figure said so, the terminal did not, and 0.0625 read as no effect beside an
    interval clear of zero (an audit of the README, decision 648)."""
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, ONE_POINT, replicates=5)
    b = factory.write_sweep(tmp_path / "b", {"base": -0.1}, ONE_POINT, replicates=5)
    code, printed, _ = _compare(capsys, str(a), str(b), "--metric", "final_trust.USA.all",
                                "--out", str(tmp_path / "cmp"))  # fmt: skip
    assert code == 0
    assert (
        "- p = 0.062 is the smallest a wilcoxon test of 5 pairs can give: more replicates "
        "can make it smaller"
    ) in printed.splitlines()


def test_an_untimed_panel_title_and_caption_say_only_what_is_drawn(tmp_path, monkeypatch):
    """Without a time panel, a row of --by read "at trust: memory = 0.95per run (bar:
    mean)", and the caption spoke of "lines, bands and points" the figure does not have
    (an audit of the figures, decision 652)."""
    import sim.analysis.comparison as comparison
    from sim.results import open_results

    monkeypatch.setattr(comparison, "_series_rows", lambda *args: None)  # no series recorded
    grid = {"parameters.trust.memory": [0.95, 0.99], "parameters.trust.negativity_bias": [1, 2]}
    a = open_results(factory.write_sweep(tmp_path / "a", {"base": 0.0}, grid))
    b = open_results(factory.write_sweep(tmp_path / "b", {"base": -0.1}, grid))
    metric = "final_trust.USA.all"
    samples = comparison.samples_of([a, b], "parameters.trust.memory")
    table = comparison.compare_table(samples, metric, by="parameters.trust.memory")
    fig = comparison.compare_figure(samples, metric, table, {}, "parameters.trust.memory")
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.axison]
    assert titles[0] == f"At trust: memory = 0.95, per run\n{DRAWN}", titles
    caption = comparison.compare_caption(
        [a, b], samples, metric, fig, "parameters.trust.memory", table
    )
    assert "Lines, bands" not in caption and "Points and means pool each sample's" in caption


def test_a_difference_and_its_interval_share_one_precision():
    """The header read "-9.94e-05 (paired; 95% interval -0.000186 to -2.77e-05 ...": three
    formats for one quantity (an audit of the figures, decision 653)."""
    from sim.analysis.comparison import _difference_text

    row = pd.Series({"a": "x", "b": "y", "by": "", "difference": -9.94e-05, "ci_low": -0.000186,
                     "ci_high": -2.77e-05, "pairing": "paired", "test": "wilcoxon",
                     "p_value": 0.12, "n_a": 5, "n_b": 5})  # fmt: skip
    assert _difference_text(row) == (
        "y - x: -0.0000994 (paired; 95% interval -0.0001860 to -0.0000277; wilcoxon p = 0.12)"
    )


def test_an_out_folder_that_is_not_compares_is_refused(tmp_path, capsys):
    """`compare --out` wrote its table over a user's folder, and into another sweep's
    `series/` (an audit, decision 655): both are refused in one line, nothing written."""
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own")
    code, _, err = _compare(capsys, str(folder), "--out", str(mine))
    assert code == 2 and err.strip() == (
        f"credsim: error: --out '{mine}' holds files that are not an earlier compare's "
        "(notes.txt); choose an empty or new folder"
    )
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    inside = folder / "series" / "cmp"
    code, _, err = _compare(capsys, str(folder), "--out", str(inside))
    assert code == 2 and f"is inside the results folder '{folder.resolve()}'" in err
    assert not inside.exists()
    # Its own compare/ and an earlier compare's folder stay allowed.
    for out in (folder / "compare", tmp_path / "cmp", tmp_path / "cmp"):
        assert _compare(capsys, str(folder), "--out", str(out))[0] == 0


def test_the_same_comparison_draws_the_same_figure(tmp_path, capsys):
    """seaborn's strip-plot jitter drew the per-run points somewhere else each time (an
    audit, decision 657): the same comparison gives the same PNG, and numpy's global
    generator is left as it was."""
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT,
                                 replicates=6)  # fmt: skip
    pngs = []
    for out in ("c1", "c2"):
        np.random.seed(123)  # noqa: NPY002 (the global generator, checked untouched)
        assert _compare(capsys, str(folder), "--out", str(tmp_path / out))[0] == 0
        assert np.random.random() == np.random.RandomState(123).random()  # noqa: NPY002
        (png,) = (tmp_path / out).glob("*.png")
        pngs.append(png.read_bytes())
    assert pngs[0] == pngs[1]


@pytest.mark.parametrize(
    "column", ["status", "run_id", "error", "seed", "elapsed_s", "replicate", "point"]
)
def test_a_column_of_the_runs_table_is_refused_as_a_metric(tmp_path, capsys, column):
    """`--metric status` (or run_id) ended in a traceback, "ValueError: could not convert
    string to float: 'ok'", and `--metric seed` compared the runs' seeds as a metric (an
    audit of the commands' options)."""
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0, "alt": -0.1}, ONE_POINT)
    out = tmp_path / "c"
    code, _, err = _compare(capsys, str(folder), "--metric", column, "--out", str(out))
    assert code == 2
    assert err.startswith(f"credsim: error: '{column}' is a column of the runs table of ")
    assert "not a metric; give a summary metric such as final_trust." in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def _close_means(tmp_path: Path):
    """A sweep of two scenarios 0.02 apart, six replicates each 0.01 apart (runs spread
    0.05), compared: the audit's "means 0.61 vs 0.63 with runs from 0.55 to 0.70"."""
    from sim.analysis.comparison import compare_caption, compare_figure, compare_table, samples_of
    from sim.results import open_results

    path = factory.write_sweep(tmp_path / "s", {"low": 0.0, "high": 0.02}, ONE_POINT,
                               replicates=6)  # fmt: skip
    folder = open_results(path)
    metric = "final_trust.USA.all"
    samples = samples_of([folder], None)
    table = compare_table(samples, metric)
    fig = compare_figure(samples, metric, table, {})
    caption = compare_caption([folder], samples, metric, fig, None, table)
    runs = pd.read_parquet(path / "runs.parquet")
    values = {
        name: runs.loc[runs["scenario"] == name, metric].to_numpy() for name in ("low", "high")
    }
    return fig, caption, values


def test_close_means_are_drawn_with_their_t_intervals_on_an_axis_scaled_to_the_runs(tmp_path):
    """compare drew each sample's mean as a bar from 0, so means 0.02 apart over runs 0.05
    apart were two bars alike (an audit of the figures). Each mean is now a line with its
    Student t 95% interval as a whisker (computed here by scipy from the runs table),
    over the points, on a value axis scaled to the runs: 0 is not on it."""
    fig, caption, values = _close_means(tmp_path)
    per_run = [ax for ax in fig.axes if ax.axison][-1]
    points, means, whiskers = _per_run_marks(per_run)
    assert not per_run.patches  # no bars
    for row, name in enumerate(("low", "high")):
        mean, low, high = _t_interval(values[name])
        assert means[row][0] == pytest.approx(mean)
        assert whiskers[row][:2] == pytest.approx((low, high))
        assert _beneath_its_runs(means[row][1], row, points)
        assert whiskers[row][2] == pytest.approx(means[row][1])
        drawn = points[np.round(points[:, 1]) == row, 0]
        assert sorted(drawn) == pytest.approx(sorted(values[name]))  # every run, as a point
    left, right = per_run.get_xlim()
    every = np.concatenate(list(values.values()))
    assert 0.0 < left < every.min() and every.max() < right
    assert right - left < 2 * (every.max() - every.min())  # the runs fill the axis
    assert per_run.get_title(loc="left") == f"Per run\n{DRAWN}"
    assert (
        "thick line and whisker beneath them: the sample's mean and its Student t 95% "
        "interval, on an axis scaled to the runs (not from 0)" in caption
    )
    assert "One run" not in caption


def test_the_value_axis_labels_its_ticks_with_one_number_of_decimals(tmp_path):
    """ "Mixed tick precision" (0.1, 0.25, 0.4) was reported of compare and the binned axes:
    compare's value axis, scaled to the runs now, labels every tick with the same
    decimals, in one panel and in the rows of --by."""
    fig, _, _ = _close_means(tmp_path)
    assert len(_decimals([ax for ax in fig.axes if ax.axison][-1])) == 1
    _, fig, _ = _by_figure(tmp_path / "by", "trust_mean.USA.levant")
    for per_run in [ax for ax in fig.axes if ax.axison][1::2]:
        assert len(_decimals(per_run)) == 1


def test_a_one_run_sample_draws_its_point_without_a_whisker_and_the_caption_says_so(tmp_path):
    """A run has no interval of its mean: its row draws its point alone (no mean line over
    it, no NaN whisker) beside a sweep's mean and whisker, and the caption names it; two
    runs draw points only, and title and caption say so."""
    from sim.analysis.comparison import compare_caption, compare_figure, compare_table, samples_of
    from sim.results import open_results

    run = open_results(factory.write_run(tmp_path / "one_run"))
    sweep_path = factory.write_sweep(tmp_path / "sweep", {"toy": 0.0}, ONE_POINT, replicates=3)
    sweep = open_results(sweep_path)
    metric = "final_trust.USA.all"
    samples = samples_of([run, sweep], None)
    table = compare_table(samples, metric)
    fig = compare_figure(samples, metric, table, {})
    per_run = [ax for ax in fig.axes if ax.axison][-1]
    points, means, whiskers = _per_run_marks(per_run)
    summary = json.loads((tmp_path / "one_run" / "summary.json").read_text())
    single = summary["final_trust"]["USA"]["all"]  # the run's value, from its own file
    assert points[np.round(points[:, 1]) == 0, 0] == pytest.approx([single])
    runs = pd.read_parquet(sweep_path / "runs.parquet")[metric].to_numpy()
    mean, low, high = _t_interval(runs)
    assert len(means) == len(whiskers) == 1  # the sweep's row only
    assert means[0][0] == pytest.approx(mean) and whiskers[0][:2] == pytest.approx((low, high))
    assert _beneath_its_runs(means[0][1], 1, points)
    caption = compare_caption([run, sweep], samples, metric, fig, None, table)
    assert "One run, so a point alone (no mean line, no interval): one_run. " in caption
    assert per_run.get_title(loc="left") == f"Per run\n{DRAWN}"
    other = open_results(factory.write_run(tmp_path / "other_run", offset=0.01))
    samples = samples_of([run, other], None)
    table = compare_table(samples, metric)
    fig = compare_figure(samples, metric, table, {})
    per_run = [ax for ax in fig.axes if ax.axison][-1]
    points, means, whiskers = _per_run_marks(per_run)
    assert len(points) == 2 and means == [] and whiskers == []
    assert per_run.get_title(loc="left") == "Per run\npoints: runs"
    caption = compare_caption([run, other], samples, metric, fig, None, table)
    assert "Each sample is one run: no mean line, no interval." in caption
    assert "whisker" not in caption


def test_a_calibration_folder_names_report_html_only_when_it_has_one(tmp_path, capsys):
    """A calibration run with --no-plots has no report.html, and the refusal said its
    results were in "summary.csv and report.html there" (an audit, decision 788)."""
    import json

    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibration"}))
    assert main(["plot", str(folder)]) == 2
    assert "results are in summary.csv there;" in capsys.readouterr().err
    (folder / "report.html").write_text("<html></html>")
    assert main(["plot", str(folder)]) == 2
    assert "results are in summary.csv and report.html there;" in capsys.readouterr().err


def test_a_truncated_manifest_is_called_damaged_with_its_repair(tmp_path, capsys):
    """A manifest cut short said "manifest.json is not valid JSON: Unterminated string
    starting at", the line ending there, while 'credsim check' said how to repair it
    (an audit, decision 788)."""
    import json

    folder = tmp_path / "s"
    folder.mkdir()
    text = json.dumps({"kind": "sweep", "command": ["credsim", "sweep", "e.yaml"]}, indent=2)
    (folder / "manifest.json").write_text(text[: text.index("sweep") + 2])
    for argv in (["plot", str(folder)], ["compare", str(folder)]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1
        assert err.startswith(f"credsim: error: {folder / 'manifest.json'}")
        assert "is damaged (it is not valid JSON: Unterminated string starting at: line" in err
        assert err.endswith("repair it by running the command that wrote it again")


def test_two_single_runs_are_not_promised_an_interval(tmp_path, capsys):
    """An outside check (decision 817): `compare` of two runs printed "difference b - a
    with its bootstrap 95% interval" above a table without one. It now says why there is
    none; samples of several runs keep the words."""
    runs = [factory.write_run(tmp_path / name, offset=o) for name, o in (("a", 0.0), ("b", 0.01))]
    metric = "final_trust.USA.all"
    code, out, _ = _compare(
        capsys, *map(str, runs), "--metric", metric, "--out", str(tmp_path / "c")
    )
    assert code == 0
    assert out.splitlines()[0] == (
        f"{metric}: difference b - a (a sample of one run, or one pair: no bootstrap "
        "interval, no test)"
    )
    sweeps = [
        factory.write_sweep(tmp_path / f"s{i}", {"toy": 0.0}, ONE_POINT, replicates=3)
        for i in (1, 2)
    ]
    code, out, _ = _compare(
        capsys, *map(str, sweeps), "--metric", metric, "--out", str(tmp_path / "d")
    )
    assert out.splitlines()[0] == f"{metric}: difference b - a with its bootstrap 95% interval"
    # A series metric says that it is read at the last step (decision 900).
    series = "trust_mean.USA.all"
    code, out, _ = _compare(
        capsys, *map(str, sweeps), "--metric", series, "--out", str(tmp_path / "e")
    )
    assert code == 0
    assert out.splitlines()[0] == (
        f"{series} at the last step: difference b - a with its bootstrap 95% interval"
    )


def test_samples_pooled_over_different_values_are_said_so(tmp_path, capsys):
    """An outside check (decision 817): two sweeps of bias 1-3 and 2-4, equal where they
    meet, were compared pooled as "(3 values)" with p = 0.0002, a difference of the designs
    alone. The pooled column now says that the values are not the same, and which."""
    a = factory.write_sweep(tmp_path / "a", {"base": 0.0}, replicates=2)
    b = factory.write_sweep(
        tmp_path / "b", {"base": 0.0}, {"parameters.trust.negativity_bias": [2.0, 3.0, 4.0]},
        replicates=2,
    )  # fmt: skip
    code, out, _ = _compare(capsys, str(a), str(b), "--out", str(tmp_path / "c"))
    assert code == 0
    said = (
        "pooled over: parameters.trust.negativity_bias (3 values in each, not the same: "
        "1, 2, 3 in a, 2, 3, 4 in b)"
    )
    assert said in out, out
    same = factory.write_sweep(tmp_path / "same", {"base": 0.0}, replicates=2)
    code, out, _ = _compare(capsys, str(a), str(same), "--out", str(tmp_path / "d"))
    assert "pooled over: parameters.trust.negativity_bias (3 values)" in out, out


def test_what_compare_cannot_give_is_said_as_it_is(tmp_path, capsys, monkeypatch):
    """An outside check (decision 817), three messages that said something else: folders
    without a power in common were told "'r1' has no final_trust metrics"; `--by` on an
    unfinished sweep with one value run was told to give `--by`; a figure without its
    panel over time (a folder of summaries only) said nothing of it."""
    mini = ROOT / "tests" / "data" / "scenarios" / "mini.yaml"
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(
        mini.read_text().replace("Russia", "USSR").replace("USA", "America").replace(
            "name: mini", "name: renamed"
        )
    )  # fmt: skip
    folders = {}
    for name, path, record in (("r1", mini, "series"), ("rn", renamed, "summary"),
                               ("rs", mini, "summary")):  # fmt: skip
        folders[name] = tmp_path / name
        argv = ["run", str(path), "--out", str(folders[name]), "--record", record, "--no-plots"]
        assert main(argv) == 0
    capsys.readouterr()
    code, _, err = _compare(capsys, str(folders["r1"]), str(folders["rn"]))
    assert code == 2
    assert err.strip() == (
        "credsim: error: the folders share no power whose final trust among all states they "
        f"all hold (powers of '{folders['r1']}': Russia, USA; '{folders['rn']}': USSR, "
        "America); give the metric to compare with --metric"
    )
    import sim.analysis.comparison as comparison

    captions: list[str] = []
    monkeypatch.setattr(comparison, "add_caption", lambda fig, text: captions.append(text))
    code, _, _ = _compare(
        capsys, str(folders["r1"]), str(folders["rs"]), "--out", str(tmp_path / "c")
    )
    assert code == 0
    assert (
        "No panel over time: rs recorded its summaries only (record: summary), and the panel "
        "draws every sample or none. "
    ) in captions[0]
    sweep = factory.write_sweep(tmp_path / "s", {"base": 0.0}, ONE_POINT)
    manifest = json.loads((sweep / "manifest.json").read_text())
    manifest["status"] = "running"
    (sweep / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = _compare(capsys, str(sweep), "--by", "parameters.trust.negativity_bias")
    assert code == 2
    assert err.startswith(
        "credsim: error: --by 'parameters.trust.negativity_bias': only 1 has finished runs so "
        f"far, so there is nothing to compare it with; the sweep in '{sweep}' is"
    ), err


def test_folders_of_one_design_with_its_parameters_in_another_order_are_paired(tmp_path):
    """`--vary a --vary b` and `--vary b --vary a` make the same experiment (one identity,
    the same runs), and compare called their runs unpaired: a difference of 1.1e-16 with a
    Mann-Whitney p of 1 (an outside check, decision 1012). They pair, and the difference
    of identical runs is 0."""
    from sim.cli import main

    tour = ROOT / "scenarios" / "tour.yaml"
    given = [
        ("parameters.trust.memory=0.95,0.99", "parameters.trust.negativity_bias=1,2"),
        ("parameters.trust.negativity_bias=1,2", "parameters.trust.memory=0.95,0.99"),
    ]
    folders = []
    for i, (first, second) in enumerate(given):
        out = tmp_path / f"s{i}"
        argv = ["sweep", str(tour), "--vary", first, "--vary", second, "--reps", "2",
                "--out", str(out), "--no-plots", "--quiet", "--executor", "serial"]  # fmt: skip
        assert main(argv) == 0
        folders.append(str(out))
    table = tmp_path / "cmp"
    argv = ["compare", *folders, "--metric", "final_trust.Patron.all", "--out", str(table)]
    assert main(argv) == 0
    (csv,) = table.glob("*.csv")
    row = pd.read_csv(csv).iloc[0]
    assert row["pairing"] == "paired"
    assert row["difference"] == 0.0
