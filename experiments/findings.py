"""Findings: the argument under test, claim by claim, from the experiments' results folders.

This script owns ``docs/findings.md`` and its figures in ``docs/figures/``.
It reads the results folder of every experiment in ``experiments/`` (the
folder ``credsim sweep experiments/NAME.yaml`` writes, or one named with
``--results NAME=DIR``), computes for each claim the paired differences
between scenarios with bootstrap 95% intervals, the boundary of claim 1 in
negativity bias x memory, and the Sobol indices of claim 1's key metric,
draws the figures and writes the document. It runs no model.

Every number is a deterministic function of the results folders: the
bootstrap and SALib take fixed seeds, tables are sorted, and the PNG files
carry no date, so the same results give byte-identical output.

Usage::

    python experiments/findings.py [--results NAME=DIR ...] [--out docs/findings.md]
        [--figures docs/figures]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: never open a window

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.results import Results, open_results
from sim.scenario.schema import DEFAULT_FIRST_MOVER_DECAY, DEFAULT_WEIGHTS

REPO = Path(__file__).resolve().parent.parent
EXPERIMENTS = (
    "syria_withdrawal",
    "claim1_boundary",
    "claim1_observers",
    "claim1_sobol",
    "claim2_sino_soviet",
    "claim3_statement",
    "claim4_recognition",
    "claim5_steadiness",
)
BOOTSTRAP_SEED = 20241208
BOOTSTRAP_RESAMPLES = 9999
SOBOL_SEED = 103
SOBOL_RESAMPLES = 1000
DPI = 90
NB = "parameters.trust.negativity_bias"
MEMORY = "parameters.trust.memory"
SUSCEPTIBILITY = "parameters.diffusion.susceptibility"
SAME_BLOC = "parameters.salience.same_bloc"
SAME_REGION = "parameters.salience.same_region"
GLOBAL = "parameters.salience.global"
RHETORIC = "parameters.event_kinds.rhetoric.weight"
DECAY = "parameters.event_kinds.recognize.first_mover_decay"
# Claim 1's key metric: Russia's mean trust among the Arab League states in December 2026.
KEY_METRIC = "final_trust.Russia.arab_league"
SCENARIO_COLOURS = {
    "historical": "#c0392b",
    "sustained": "#2471a3",
    "abstained": "#7f8c8d",
    "neutral_1962": "#2471a3",
    "coexistence_neutral": "#7f8c8d",
    "no_statement": "#7f8c8d",
    "russia_first": "#2471a3",
    "west_later": "#27ae60",
    "china_bystander": "#8e44ad",
}
POWER_COLOURS = {
    "Russia": "#c0392b",
    "USA": "#2471a3",
    "China": "#d4ac0d",
    "Turkey": "#16a085",
    "France": "#7d3c98",
}
LABELS = {
    NB: "negativity bias",
    MEMORY: "memory (monthly)",
    SUSCEPTIBILITY: "susceptibility",
    SAME_BLOC: "salience same bloc",
    SAME_REGION: "salience same region",
    GLOBAL: "salience global",
    RHETORIC: "rhetoric weight",
    DECAY: "first-mover decay",
    "parameters.trust.prior_strength": "prior strength",
    "parameters.event_kinds.support.weight": "support weight",
}


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap 95% interval over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int

    def text(self, digits: int = 3) -> str:
        """``+0.012 [+0.010, +0.014]``."""
        f = f"{{:+.{digits}f}}"
        return f"{f.format(self.mean)} [{f.format(self.low)}, {f.format(self.high)}]"


def interval(values: npt.ArrayLike) -> Interval:
    """The mean of ``values`` with a bootstrap 95% percentile interval.

    ``scipy.stats.bootstrap`` with a fixed generator, so the interval is
    reproducible; values that do not vary (or a single value) give a
    zero-width interval rather than a degenerate bootstrap.
    """
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2 or np.ptp(data) == 0:
        return Interval(mean, mean, mean, len(data))
    res = stats.bootstrap(
        (data,),
        np.mean,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=0.95,
        method="percentile",
        random_state=np.random.default_rng(BOOTSTRAP_SEED),
    )
    ci = res.confidence_interval
    return Interval(mean, float(ci.low), float(ci.high), len(data))


def paired(runs: pd.DataFrame, values: str, a: str, b: str, keys: Sequence[str]) -> pd.DataFrame:
    """Scenario ``a`` minus scenario ``b`` of column ``values``, run by run.

    Runs are paired by design point and replicate: both scenarios share the
    design and the seeds (common random numbers). ``keys`` are the columns
    kept alongside (the varied parameters).

    Returns:
        One row per pair: ``point, replicate``, ``keys``, ``a``, ``b``, ``diff``.
    """
    index = ["point", "replicate", *keys]
    table = runs[runs["scenario"].isin([a, b])].pivot_table(
        index=index, columns="scenario", values=values, aggfunc="first"
    )
    table = table.dropna(subset=[a, b]).reset_index()
    out = table[[*index, a, b]].copy()
    out["diff"] = out[a] - out[b]
    return out.sort_values(["point", "replicate"]).reset_index(drop=True)


def tree_value(tree: dict[str, Any], path: str) -> float:
    """A parameter's value in a resolved scenario tree (event-kind defaults filled in)."""
    node: Any = tree
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    if node is not None:
        return float(node)
    parts = path.split(".")
    if parts[-1] == "first_mover_decay":
        return DEFAULT_FIRST_MOVER_DECAY
    return DEFAULT_WEIGHTS[parts[-2]]


def baseline_point(results: Results, scenario: str) -> dict[str, float]:
    """The design point nearest the scenario's own parameter values (each range scaled to 1)."""
    varied = results.varied
    own = np.array([tree_value(results.scenarios[scenario], p) for p in varied])
    points = results.ok_runs[varied].drop_duplicates().sort_values(varied)
    grid = points.to_numpy(dtype=float)
    span = np.ptp(grid, axis=0)
    span[span == 0] = 1.0
    best = int(np.argmin((((grid - own) / span) ** 2).sum(axis=1)))
    return dict(zip(varied, (float(v) for v in grid[best]), strict=True))


def at(frame: pd.DataFrame, point: dict[str, float]) -> pd.DataFrame:
    """The rows of ``frame`` at one design point."""
    mask = np.ones(len(frame), dtype=bool)
    for path, value in point.items():
        mask &= np.isclose(frame[path].to_numpy(dtype=float), value)
    return frame[mask]


def describe_point(point: dict[str, float]) -> str:
    """``negativity bias 2, memory 0.98``."""
    return ", ".join(f"{LABELS.get(p, p)} {v:g}" for p, v in point.items())


def recorded_series(results: Results, metric: str) -> pd.DataFrame:
    """The series ``metric`` of every group; stops when the experiment recorded none."""
    series = results.series(metrics=[metric])
    if series is None:
        raise SystemExit(f"{results.path} recorded no series; its experiment needs record: series")
    return series


def series_at(results: Results, date: str, metric: str = "trust_mean") -> pd.DataFrame:
    """Per run, group and power: the series ``metric`` at the last step labelled ``date``."""
    series = recorded_series(results, metric)
    rows = series[series["date"] == date]
    last = rows.groupby("run_id")["step"].transform("max")
    return rows[rows["step"] == last]


def window_mean(results: Results, start: str, end: str, metric: str = "trust_mean") -> pd.DataFrame:
    """Per run, group and power: the mean of ``metric`` over the steps from ``start`` to ``end``."""
    series = recorded_series(results, metric)
    rows = series[(series["date"] >= start) & (series["date"] <= end)]
    keys = ["run_id", "scenario", "point", "replicate", *results.varied, "group", "power"]
    return rows.groupby(keys, as_index=False)[["value"]].mean()


def wide(frame: pd.DataFrame, results: Results, group: str, power: str) -> pd.DataFrame:
    """Rows of a per-run, group and power table as a runs-like table with a ``value`` column."""
    rows = frame[(frame["group"] == group) & (frame["power"] == power)]
    return rows[["scenario", "point", "replicate", *results.varied, "value"]]


def point_means(diff: pd.DataFrame, column: str = "diff") -> pd.Series:
    """The mean of ``column`` at each design point (over its replicates), by point."""
    return diff.groupby("point")[column].mean()


def value_range(values: pd.Series, spec: str = "+.3f") -> str:
    """``-0.012 to +0.034``: the smallest and the largest of ``values``."""
    return f"{values.min():{spec}} to {values.max():{spec}}"


def design_size(results: Results) -> str:
    """``12 points, 5 replicates``: the finished design points and the replicates of each."""
    points = results.ok_runs["point"].nunique()
    return f"{points} points, {results.manifest['replicates']} replicates"


def crossing(x: np.ndarray, y: np.ndarray) -> float | None:
    """The first ``x`` where ``y`` changes sign from negative to non-negative (linear)."""
    for i in range(len(x) - 1):
        if y[i] < 0 <= y[i + 1]:
            return float(x[i] + (x[i + 1] - x[i]) * (-y[i]) / (y[i + 1] - y[i]))
    return None


def half_life(memory: float) -> float:
    """Months for evidence to lose half its weight at monthly ``memory``."""
    return float(np.log(0.5) / np.log(memory))


def sobol_of_difference(results: Results, metric: str, a: str, b: str) -> pd.DataFrame:
    """First and total Sobol indices of ``metric`` in ``a`` minus ``b``.

    The two scenarios share the Saltelli sample and the seeds, so the
    difference is taken per (design point, replicate), averaged over
    replicates, and given to ``SALib.analyze.sobol.analyze`` with the
    design's own ``problem`` (``calc_second_order=False``, as sampled).

    Returns:
        Columns ``parameter, S1, S1_conf, ST, ST_conf``, sorted by ``ST`` (largest first).
    """
    from SALib.analyze import sobol

    design = results.manifest["design"]
    names = list(design["parameters"])
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(v["low"]), float(v["high"])] for v in design["parameters"].values()],
    }
    per_point = point_means(paired(results.ok_runs, metric, a, b, []))
    expected = np.arange(int(design["points"]))
    if not np.array_equal(per_point.index.to_numpy(), expected):
        raise SystemExit(f"{results.path}: the Sobol sample is incomplete; finish the sweep first")
    res = sobol.analyze(
        problem,
        per_point.to_numpy(dtype=float),
        calc_second_order=False,
        num_resamples=SOBOL_RESAMPLES,
        conf_level=0.95,
        seed=SOBOL_SEED,
    )
    table = pd.DataFrame(
        {
            "parameter": names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return table.sort_values(["ST", "parameter"], ascending=[False, True]).reset_index(drop=True)


# --------------------------------------------------------------------------- figures


def save(fig: Figure, path: Path) -> str:
    """Write a small PNG without a date (byte-identical on a rerun); return its name."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path.name


def _dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["date"], format="%Y-%m")


def _trajectory(
    ax: Any,
    frame: pd.DataFrame,
    scenario: str,
    point: dict[str, float],
    label: str,
    colour: str,
) -> None:
    """One scenario: its line at ``point`` (mean of replicates), its band 2.5-97.5% of all runs."""
    rows = frame[frame["scenario"] == scenario]
    band = rows.groupby("step").agg(
        date=("date", "first"),
        low=("value", lambda v: np.quantile(v, 0.025)),
        high=("value", lambda v: np.quantile(v, 0.975)),
    )
    line = at(rows, point).groupby("step").agg(date=("date", "first"), value=("value", "mean"))
    ax.fill_between(_dates(band), band["low"], band["high"], color=colour, alpha=0.15, lw=0)
    ax.plot(_dates(line), line["value"], color=colour, lw=1.6, label=label)


def _mark(ax: Any, dates: Sequence[str]) -> None:
    for d in dates:
        ax.axvline(pd.Timestamp(d), color="0.4", lw=0.7, ls=":")


def figure_claim1_trajectories(
    trust: pd.DataFrame, varied: list[str], point: dict[str, float], groups: Sequence[str]
) -> Figure:
    """Russia's trust per scenario over time, and historical minus abstained at each grid point."""
    fig, axes = plt.subplots(
        2, len(groups), figsize=(4.2 * len(groups), 6.2), sharex=True, squeeze=False
    )
    memories = sorted(trust[MEMORY].unique())
    biases = sorted(trust[NB].unique())
    cmap = plt.get_cmap("viridis")
    styles = ["-", "--", ":", "-."]
    for col, group in enumerate(groups):
        rows = trust[(trust["group"] == group) & (trust["power"] == "Russia")]
        top, bottom = axes[0, col], axes[1, col]
        # Historical last: before 2024 it coincides with sustained and must stay visible.
        for scenario in ("sustained", "abstained", "historical"):
            _trajectory(top, rows, scenario, point, scenario, SCENARIO_COLOURS[scenario])
        top.set_title(f"Russia's trust among {group.replace('_', ' ')}", fontsize=10)
        top.set_ylabel("mean trust")
        wide_rows = rows.pivot_table(
            index=["step", "date", "replicate", *varied], columns="scenario", values="value"
        )
        diff = (wide_rows["historical"] - wide_rows["abstained"]).rename("diff").reset_index()
        for i, m in enumerate(memories):
            for j, nb in enumerate(biases):
                sel = diff[np.isclose(diff[MEMORY], m) & np.isclose(diff[NB], nb)]
                mean = sel.groupby("step").agg(date=("date", "first"), diff=("diff", "mean"))
                bottom.plot(
                    _dates(mean),
                    mean["diff"],
                    color=cmap(i / max(len(memories) - 1, 1)),
                    ls=styles[j % len(styles)],
                    lw=1.1,
                    label=f"memory {m:g}, bias {nb:g}" if col == 0 else None,
                )
        bottom.axhline(0, color="k", lw=0.8)
        bottom.set_ylabel("historical minus abstained")
        for ax in (top, bottom):
            _mark(ax, ["2015-09", "2024-12"])
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="lower left")
    axes[1, 0].legend(fontsize=6.5, ncol=1, loc="upper left")
    fig.suptitle(
        "Claim 1: lines at " + describe_point(point) + "; bands: 95% of runs over the grid;\n"
        "dotted: intervention (2015-09) and withdrawal (2024-12)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def figure_heatmaps(
    tables: dict[str, pd.DataFrame], x: str, y: str, title: str, mark: dict[str, float]
) -> Figure:
    """Heatmaps of a difference over two parameters (categorical axes) with the zero contour."""
    fig, axes = plt.subplots(
        1, len(tables), figsize=(4.6 * len(tables), 4.4), squeeze=False, layout="constrained"
    )
    limit = max(float(np.nanmax(np.abs(t.to_numpy()))) for t in tables.values())
    image = None
    for ax, (name, table) in zip(axes[0], tables.items(), strict=True):
        values = table.to_numpy(dtype=float)
        image = ax.imshow(
            values, origin="lower", cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto"
        )
        if np.nanmin(values) < 0 < np.nanmax(values):
            ax.contour(values, levels=[0.0], colors="k", linewidths=1.5)
        ax.set_xticks(range(len(table.columns)))
        ax.set_xticklabels([f"{v:g}" for v in table.columns], rotation=45, fontsize=8)
        ax.set_yticks(range(len(table.index)))
        ax.set_yticklabels([f"{v:g}" for v in table.index], fontsize=8)
        ax.set_xlabel(LABELS.get(x, x))
        ax.set_ylabel(LABELS.get(y, y))
        ax.set_title(name, fontsize=10)
        cols = [float(c) for c in table.columns]
        rows = [float(r) for r in table.index]
        if mark.get(x) in cols and mark.get(y) in rows:
            ax.plot(cols.index(mark[x]), rows.index(mark[y]), marker="*", color="k", ms=11)
    assert image is not None
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.85, label="historical minus abstained")
    fig.suptitle(title, fontsize=9)
    return fig


def figure_sobol(table: pd.DataFrame, title: str) -> Figure:
    """First-order and total Sobol indices with their 95% intervals, largest total first."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    order = table.iloc[::-1]
    y = np.arange(len(order))
    ax.barh(y + 0.2, order["ST"], 0.4, xerr=order["ST_conf"], color="#c0392b", label="total (ST)")
    ax.barh(y - 0.2, order["S1"], 0.4, xerr=order["S1_conf"], color="#f5b7b1", label="first (S1)")
    ax.set_yticks(y)
    ax.set_yticklabels([LABELS.get(p, p) for p in order["parameter"]], fontsize=8)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("Sobol index (95% interval)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def figure_claim2(trust: pd.DataFrame, poles: pd.DataFrame, point: dict[str, float]) -> Figure:
    """PRC's and the non-aligned states' trust in the USSR, and the effective number of poles."""
    fig, axes = plt.subplots(4, 1, figsize=(7.0, 9.0), sharex=True)
    panels = [
        (trust[(trust["group"] == "china") & (trust["power"] == "USSR")], "PRC's trust in USSR"),
        (
            trust[(trust["group"] == "nonaligned") & (trust["power"] == "USSR")],
            "non-aligned states' trust in USSR",
        ),
        (
            trust[(trust["group"] == "africa") & (trust["power"] == "USSR")],
            "African states' trust in USSR",
        ),
        (poles[poles["group"] == "all"], "effective number of poles (all states)"),
    ]
    ylabels = ["mean trust (0 to 1)"] * 3 + ["poles (count)"]
    for ax, (rows, title), ylabel in zip(axes, panels, ylabels, strict=True):
        for scenario in ("coexistence_neutral", "neutral_1962", "historical"):
            _trajectory(ax, rows, scenario, point, scenario, SCENARIO_COLOURS[scenario])
        ax.axvspan(pd.Timestamp("1964-01"), pd.Timestamp("1966-12"), color="0.9", zorder=0)
        _mark(ax, ["1962-11", "1963-08"])
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper right")
    fig.suptitle(
        "Claim 2: lines at " + describe_point(point) + ";\nbands: 95% of runs over the grid; "
        "dotted: lean to India (1962-11), Test Ban (1963-08); grey: mid-1960s window",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def figure_claim3(share: pd.DataFrame, groups: Sequence[str]) -> Figure:
    """Share of the withdrawal window's loss the statement restores, against rhetoric weight."""
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 3.6), squeeze=False)
    saliences = sorted(share[GLOBAL].unique())
    cmap = plt.get_cmap("viridis")
    for ax, group in zip(axes[0], groups, strict=True):
        rows = share[share["group"] == group]
        for i, s in enumerate(saliences):
            sel = rows[np.isclose(rows[GLOBAL], s)].groupby(RHETORIC)["share"]
            colour = cmap(i / max(len(saliences) - 1, 1))
            mean, low, high = sel.mean(), sel.min(), sel.max()
            ax.fill_between(mean.index, 100 * low, 100 * high, color=colour, alpha=0.2, lw=0)
            ax.plot(
                mean.index, 100 * mean, marker="o", color=colour, label=f"global salience {s:g}"
            )
        ax.set_xlabel("rhetoric weight (default 0.2)")
        ax.set_ylabel("% of the window's loss restored")
        ax.set_title(group.replace("_", " "), fontsize=10)
        ax.set_ylim(0, max(5.0, 120 * float(rows["share"].max())))
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(
        "Claim 3: lines mean over negativity bias and replicates, bands min-max\n"
        "(the criterion, half the loss restored, is 50%)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def figure_claim4(runs: pd.DataFrame) -> Figure:
    """Russia's (and Turkey's) final trust with the new Syrian administration against decay."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    # russia_first and west_later nearly coincide: different markers and dashes keep both seen.
    styles = {"historical": ("o", "-"), "russia_first": ("s", "--"), "west_later": ("^", ":")}
    for scenario, (marker, line) in styles.items():
        rows = runs[runs["scenario"] == scenario].groupby(DECAY)["final_trust.Russia.syria"]
        mean = rows.mean()
        colour = SCENARIO_COLOURS[scenario]
        ax.fill_between(mean.index, rows.min(), rows.max(), color=colour, alpha=0.12, lw=0)
        ax.plot(mean.index, mean, marker=marker, ls=line, color=colour, label=f"Russia, {scenario}")
    for power, style in (("Turkey", "--"), ("USA", ":")):
        level = runs[runs["scenario"] == "historical"].groupby(DECAY)[f"final_trust.{power}.syria"]
        ax.plot(level.mean().index, level.mean(), color="k", ls=style, label=f"{power}, historical")
    ax.set_xlabel("first-mover decay of recognition (1 = order does not matter)")
    ax.set_ylabel("trust of the new Syrian administration, Dec 2026")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7.5, ncol=2)
    ax.grid(alpha=0.3)
    ax.set_title("Claim 4: lines mean over bias x memory x replicates, bands min-max", fontsize=9)
    fig.tight_layout()
    return fig


def figure_claim5(runs: pd.DataFrame, powers: Sequence[str], groups: Sequence[str]) -> Figure:
    """Standard deviation over time of each power's mean trust, by scenario."""
    fig, axes = plt.subplots(1, len(groups), figsize=(4.4 * len(groups), 3.6), squeeze=False)
    scenarios = ("historical", "china_bystander")
    x = np.arange(len(powers))
    for ax, group in zip(axes[0], groups, strict=True):
        for k, scenario in enumerate(scenarios):
            rows = runs[runs["scenario"] == scenario]
            values = [rows[f"sd_trust.{p}.{group}"] for p in powers]
            mean = np.array([v.mean() for v in values])
            err = np.array([[mean[i] - v.min(), v.max() - mean[i]] for i, v in enumerate(values)]).T
            ax.bar(
                x + (k - 0.5) * 0.38,
                mean,
                0.38,
                yerr=err,
                color=SCENARIO_COLOURS[scenario],
                alpha=0.85,
                label=scenario,
            )
        ax.set_xticks(x)
        ax.set_xticklabels(powers, fontsize=8)
        ax.set_ylabel("sd over time of mean trust")
        ax.set_title(group.replace("_", " "), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("Claim 5: bars mean over the grid, whiskers min-max", fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the document


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def captioned(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A paragraph ending in a blank line, then its Markdown table, then a blank line."""
    return caption + table(header, rows) + "\n\n"


def share_text(values: pd.Series) -> str:
    """``41 of 64``."""
    return f"{int(values.sum())} of {len(values)}"


@dataclass
class Context:
    """What every section needs: the loaded folders and where figures go."""

    results: dict[str, Results]
    figures: Path
    figure_prefix: str

    def figure(self, fig: Figure, stem: str, alt: str) -> str:
        """Save a figure and return its Markdown image paragraph."""
        name = save(fig, self.figures / f"{stem}.png")
        return f"![{alt}]({self.figure_prefix}{name})\n\n"


def opened(ctx: Context, name: str) -> tuple[Results, pd.DataFrame, dict[str, float]]:
    """An experiment's results, its finished runs, and its baseline point (historical)."""
    res = ctx.results[name]
    return res, res.ok_runs, baseline_point(res, "historical")


def missing(names: Sequence[str]) -> str:
    """The note a section gets when its experiments have not been run."""
    commands = "\n".join(f"    credsim sweep experiments/{n}.yaml --no-plots" for n in names)
    return f"*Not computed: run first*\n\n{commands}\n"


def flagship_grid(flagship: Results, by_date: dict[str, pd.DataFrame]) -> str:
    """Historical minus abstained among Arab League states at each flagship grid point.

    ``by_date`` holds :func:`series_at` of trust at June 2025 and December 2026.
    """
    cells: dict[tuple[float, float], list[str]] = {}
    for series in by_date.values():
        at_date = wide(series, flagship, "arab_league", "Russia")
        d = paired(at_date, "value", "historical", "abstained", flagship.varied)
        means = d.groupby([NB, MEMORY], as_index=False)["diff"].mean()
        for nb, memory, diff in means[[NB, MEMORY, "diff"]].itertuples(index=False):
            cells.setdefault((float(nb), float(memory)), []).append(f"{diff:+.3f}")
    biases = sorted({nb for nb, _ in cells})
    memories = sorted({m for _, m in cells})
    rows = [
        [f"{nb:g}", *(" / ".join(cells.get((nb, m), ["", ""])) for m in memories)] for nb in biases
    ]
    return (
        "Russia's trust among Arab League states, historical minus abstained, at each point of "
        "the flagship grid (June 2025 / December 2026, mean of the replicates):\n\n"
        + table(["negativity bias", *(f"memory {m:g}" for m in memories)], rows)
    )


def body_claim1(ctx: Context) -> list[str]:
    """Claim 1: intervening then withdrawing against never intervening (and staying)."""
    flagship, boundary = ctx.results["syria_withdrawal"], ctx.results["claim1_boundary"]
    return [
        '> "If you are unable to manage a conflict until the end, your intervention may '
        'cause greater losses."\n\n'
        "**Experiments.** `syria_withdrawal` (the flagship, `make run`): scenarios "
        "`historical` (syria.yaml), `sustained` (Russia keeps Assad) and `abstained` (Russia "
        f"never intervenes) over a {flagship.ok_runs[NB].nunique()} x "
        f"{flagship.ok_runs[MEMORY].nunique()} grid of negativity bias x memory, "
        f"{flagship.manifest['replicates']} replicates, series recorded. `claim1_boundary`: the "
        f"same three scenarios on a {boundary.ok_runs[NB].nunique()} x "
        f"{boundary.ok_runs[MEMORY].nunique()} grid (summaries only). `claim1_observers`: "
        "historical and abstained over third-party salience (same bloc, same region) x "
        "network susceptibility. `claim1_sobol`: a Saltelli sample over eight parameters.\n\n"
        "**Key metric.** Russia's mean trust among the Arab League states two years after the "
        "withdrawal (December 2026, `final_trust.Russia.arab_league`), historical minus "
        "abstained; negative means withdrawing cost more than never intervening. The same "
        "difference at the end of the withdrawal window (June 2025, six months after) comes "
        "from the flagship's series.\n\n",
        *claim1_flagship(ctx, flagship),
        *claim1_boundary(ctx, boundary),
        *claim1_observers(ctx.results["claim1_observers"]),
        *claim1_sobol(ctx, ctx.results["claim1_sobol"]),
    ]


def claim1_flagship(ctx: Context, flagship: Results) -> list[str]:
    """The flagship's differences at its baseline and over its grid, with the trajectories."""
    point = baseline_point(flagship, "historical")
    out = []
    groups = ["arab_league", "africa", "syria", "all"]
    trust = flagship.series(metrics=["trust_mean"], groups=groups)
    assert trust is not None
    whens = {"Jun 2025": "2025-06", "Dec 2026": "2026-12"}
    by_date = {when: series_at(flagship, when) for when in whens.values()}
    rows = []
    for group in groups:
        for label, when in whens.items():
            at_date = wide(by_date[when], flagship, group, "Russia")
            diffs = {
                other: paired(at_date, "value", "historical", other, flagship.varied)
                for other in ("abstained", "sustained")
            }
            per_point = point_means(diffs["abstained"])
            rows.append(
                [
                    group.replace("_", " "),
                    label,
                    *(interval(at(d, point)["diff"]).text() for d in diffs.values()),
                    value_range(per_point),
                    share_text(per_point < 0),
                ]
            )
    out.append(
        captioned(
            f"**Result (flagship, at {describe_point(point)}, the scenario's values; "
            f"{flagship.manifest['replicates']} paired replicates).** Russia's mean trust, "
            "historical minus each counterfactual, with bootstrap 95% intervals; then the range "
            "of historical minus abstained over the grid's points and the number of points "
            "where it is negative (withdrawing worse than abstaining):\n\n",
            [
                "group",
                "when",
                "hist. - abstained",
                "hist. - sustained",
                "hist. - abstained, grid range",
                "points where worse",
            ],
            rows,
        )
    )
    out.append(flagship_grid(flagship, by_date) + "\n\n")
    out.append(
        ctx.figure(
            figure_claim1_trajectories(trust, flagship.varied, point, ["arab_league", "africa"]),
            "claim1_trajectories",
            "Russia's trust among Arab League and African states by scenario",
        )
    )
    return out


def claim1_boundary(ctx: Context, boundary: Results) -> list[str]:
    """The boundary in negativity bias x memory: heatmaps and the memory where it flips."""
    means = {
        group: paired(
            boundary.ok_runs,
            f"final_trust.Russia.{group}",
            "historical",
            "abstained",
            boundary.varied,
        )
        .groupby([NB, MEMORY])["diff"]
        .mean()
        for group in ("arab_league", "africa")
    }
    cells = means["arab_league"].unstack(MEMORY)
    mark = baseline_point(boundary, "historical")
    out = [
        ctx.figure(
            figure_heatmaps(
                {"Arab League": cells, "Africa": means["africa"].unstack(MEMORY)},
                MEMORY,
                NB,
                "Claim 1: Russia's trust in Dec 2026, historical minus abstained (mean over "
                "replicates)\nred: withdrawing worse; black line: zero; star: scenario's values",
                mark,
            ),
            "claim1_boundary",
            "Boundary of claim 1 over negativity bias and memory",
        )
    ]
    memories = cells.columns.to_numpy(dtype=float)
    crossings = []
    for nb, row in cells.iterrows():
        m = crossing(memories, row.to_numpy(dtype=float))
        where = (
            "never (better at every memory)"
            if m is None and row.min() >= 0
            else "above every memory in the grid"
            if m is None
            else f"{m:.3f} (half-life {half_life(m):.0f} months)"
        )
        crossings.append([f"{float(str(nb)):g}", where])
    worse = means["arab_league"] < 0
    replicate_sd = boundary.ok_runs.groupby(["scenario", "point"])[KEY_METRIC].std().max()
    out.append(
        captioned(
            "**The boundary** (`claim1_boundary`, mean of "
            f"{boundary.manifest['replicates']} paired replicates per cell; the largest standard "
            f"deviation across replicates of any cell is {replicate_sd:.1e}, so the cells are "
            f"exact to the digits shown). Withdrawing leaves Russia worse off among Arab League "
            f"states than abstaining in {share_text(worse)} cells. Below the memory in the table "
            "(faster forgetting) withdrawing is worse; above it, the nine years of support still "
            "outweigh the withdrawal in December 2026:\n\n",
            ["negativity bias", "memory where the difference turns positive"],
            crossings,
        )
    )
    return out


def claim1_observers(observers: Results) -> list[str]:
    """Historical minus abstained over third-party salience and susceptibility."""
    obs_point = baseline_point(observers, "historical")
    diffs = {
        group: paired(
            observers.ok_runs,
            f"final_trust.Russia.{group}",
            "historical",
            "abstained",
            observers.varied,
        )
        for group in ("arab_league", "africa", "all")
    }
    obs_rows = []
    for group, d in diffs.items():
        per_point = point_means(d)
        obs_rows.append(
            [
                group.replace("_", " "),
                interval(at(d, obs_point)["diff"]).text(),
                value_range(per_point),
                share_text(per_point < 0),
            ]
        )
    # Claim 1's key metric (KEY_METRIC) by one parameter, over the other two.
    by_bloc = diffs["arab_league"].groupby(SAME_BLOC)["diff"].mean()
    by_susc = diffs["arab_league"].groupby(SUSCEPTIBILITY)["diff"].mean()
    return [
        captioned(
            "**Who is watching** (`claim1_observers`, negativity bias and memory at the "
            f"scenario's values; baseline {describe_point(obs_point)}). Historical minus "
            "abstained in December 2026:\n\n",
            ["group", "at baseline", "range over salience x susceptibility", "points where worse"],
            obs_rows,
        ),
        "Among Arab League states the difference by same-bloc salience is "
        + ", ".join(f"{d:+.3f} at {b:g}" for b, d in by_bloc.items())
        + "; by susceptibility "
        + ", ".join(f"{d:+.3f} at {s:g}" for s, d in by_susc.items())
        + " (means over the other two parameters).\n\n",
    ]


def claim1_sobol(ctx: Context, sobol_runs: Results) -> list[str]:
    """The Sobol indices of the key metric's difference, as a figure and a table."""
    indices = sobol_of_difference(sobol_runs, KEY_METRIC, "historical", "abstained")
    per_point = point_means(paired(sobol_runs.ok_runs, KEY_METRIC, "historical", "abstained", []))
    out = [
        ctx.figure(
            figure_sobol(
                indices,
                "Claim 1: Sobol indices of Russia's Dec 2026 trust among Arab League states,\n"
                "historical minus abstained",
            ),
            "claim1_sobol",
            "Sobol indices of claim 1's key metric",
        )
    ]
    sob_rows = [
        [
            LABELS.get(str(r.parameter), str(r.parameter)),
            f"{r.S1:.3f} ± {r.S1_conf:.3f}",
            f"{r.ST:.3f} ± {r.ST_conf:.3f}",
        ]
        for r in indices.itertuples()
    ]
    bounds = sobol_runs.manifest["design"]["parameters"]
    ranges = "; ".join(
        f"{LABELS.get(p, p)} {v['low']:g} to {v['high']:g}" for p, v in bounds.items()
    )
    out.append(
        captioned(
            f"**Sensitivity** (`claim1_sobol`: Saltelli sample, N = "
            f"{sobol_runs.manifest['design']['samples']}, {len(per_point)} design points x 2 "
            f"scenarios, paired by design point and seed; ranges: {ranges}). Over this box the "
            f"difference has mean {per_point.mean():+.3f} and is negative at "
            f"{share_text(per_point < 0)} points. Sobol indices (SALib, first order and total, "
            "with 95% intervals), ranked by total effect:\n\n",
            ["parameter", "S1", "ST"],
            sob_rows,
        )
    )
    return out


def body_claim2(ctx: Context) -> list[str]:
    """Claim 2: the lean to India and the test ban against neutrality."""
    res, runs, point = opened(ctx, "claim2_sino_soviet")
    out = [
        "**Experiment.** `claim2_sino_soviet`: `historical` (sino_soviet.yaml) against "
        "`neutral_1962` (no lean to India in November 1962) and `coexistence_neutral` (neither "
        "the lean nor the Test Ban Treaty of August 1963), over negativity bias x memory x "
        "same-bloc salience x susceptibility "
        f"({design_size(res)}, series). "
        "Metrics: the mean trust in the USSR over 1964-1966 (the mid-1960s) of the PRC, the "
        "non-aligned states and the African states, and the effective number of poles "
        "(1 / sum of squared alignment shares, all states).\n\n"
    ]
    mid = window_mean(res, "1964-01", "1966-12")
    rows = []
    for group in ("china", "nonaligned", "africa"):
        values = wide(mid, res, group, "USSR")
        for other in ("neutral_1962", "coexistence_neutral"):
            d = paired(values, "value", "historical", other, res.varied)
            per_point = point_means(d)
            rows.append(
                [
                    group,
                    other,
                    interval(at(d, point)["diff"]).text(),
                    interval(d["diff"]).text(),
                    value_range(per_point),
                    share_text(per_point < 0),
                ]
            )
    out.append(
        captioned(
            "**Result.** Mean trust in the USSR over 1964-1966, historical minus counterfactual: "
            f"at {describe_point(point)} (the scenario's values), the mean over the whole grid "
            "(bootstrap 95% intervals over paired runs), the range over grid points and the "
            "number of points where the historical USSR is trusted less:\n\n",
            ["group", "against", "at baseline", "grid mean", "grid range", "points where lower"],
            rows,
        )
    )
    poles = res.series(metrics=["effective_poles"], groups=["all"])
    assert poles is not None
    pole_rows = []
    for when in ("1961-12", "1964-12", "1966-12", "1969-12", "1972-12"):
        at_date = wide(series_at(res, when, "effective_poles"), res, "all", "")
        cells = []
        for scenario in ("historical", "neutral_1962", "coexistence_neutral"):
            v = at(at_date[at_date["scenario"] == scenario], point)["value"]
            cells.append(f"{v.mean():.2f}")
        hist = at_date[at_date["scenario"] == "historical"]["value"]
        cells.append(value_range(hist, ".2f"))
        pole_rows.append([when, *cells])
    post = window_mean(res, "1963-01", "1972-12", "effective_poles")
    post = wide(post, res, "all", "")
    d_poles = paired(post, "value", "historical", "neutral_1962", res.varied)
    shares = runs.groupby("scenario")["final_share.PRC.all"].mean()
    out.append(
        captioned(
            "**Poles.** Effective number of poles among all states at "
            f"{describe_point(point)}, and its range over the grid in the historical scenario:\n\n",
            ["date", "historical", "neutral_1962", "coexistence_neutral", "historical, grid range"],
            pole_rows,
        )
    )
    out.append(
        "Mean effective poles over 1963-1972, historical minus neutral_1962 (grid mean): "
        f"{interval(d_poles['diff']).text(2)}. Share of states aligned with the PRC at the "
        "end (mean over the grid): "
        + ", ".join(f"{s} {shares[s]:.3f}" for s in ("historical", "neutral_1962"))
        + ".\n\n"
    )
    trust = res.series(metrics=["trust_mean"], groups=["china", "nonaligned", "africa"])
    assert trust is not None
    out.append(
        ctx.figure(
            figure_claim2(trust, poles, point),
            "claim2_sino_soviet",
            "Trust in the USSR and effective poles, 1956-1972",
        )
    )
    return out


def body_claim3(ctx: Context) -> list[str]:
    """Claim 3: the face-saving statement."""
    res, runs, point = opened(ctx, "claim3_statement")
    out = [
        "**Experiment.** `claim3_statement`: `historical` against `no_statement` "
        "(scenarios/syria_no_statement.yaml: the same history without the December 2024 "
        "statements), over rhetoric weight x negativity bias x global salience "
        f"({design_size(res)}). "
        "The statement's effect is historical minus no_statement of Russia's trust change "
        "over the withdrawal window (Dec 2024 to Jun 2025; both scenarios are identical "
        "before it, so this is the difference in trust in June 2025). The loss it could "
        "restore is the window's change without the statement. Criterion: the statement "
        "restores credibility if it recovers at least half of that loss.\n\n"
    ]
    rows = []
    shares = []
    for group in ("arab_league", "africa", "all"):
        metric = f"trust_change.withdrawal.Russia.{group}"
        d = paired(runs, metric, "historical", "no_statement", res.varied)
        d["share"] = d["diff"] / d["no_statement"].abs()
        d["group"] = group
        shares.append(d)
        base = at(d, point)
        rows.append(
            [
                group.replace("_", " "),
                f"{base['no_statement'].mean():+.3f}",
                interval(base["diff"]).text(4),
                f"{100 * base['share'].mean():.2f}%",
                f"{100 * d['share'].max():.2f}%",
                share_text(point_means(d, "share") >= 0.5),
            ]
        )
    final = paired(runs, "final_trust.Russia.arab_league", "historical", "no_statement", [])
    out.append(
        captioned(
            f"**Result** (at {describe_point(point)}, the scenario's values; "
            f"{res.manifest['replicates']} paired replicates):\n\n",
            [
                "group",
                "window change without statement",
                "statement's effect",
                "share restored",
                "largest share on the grid",
                "points restoring half",
            ],
            rows,
        )
    )
    out.append(
        "Two years later (December 2026) the statement's effect on Russia's trust among Arab "
        f"League states is {interval(final['diff']).text(4)} (grid mean).\n\n"
    )
    out.append(
        ctx.figure(
            figure_claim3(pd.concat(shares), ["arab_league", "all"]),
            "claim3_statement",
            "Share of the withdrawal's loss the statement restores",
        )
    )
    return out


def body_claim4(ctx: Context) -> list[str]:
    """Claim 4: the order of recognition."""
    res, runs, point = opened(ctx, "claim4_recognition")
    out = [
        "**Experiment.** `claim4_recognition`: the historical order (Turkey, France, the USA "
        "in December 2024, Russia in January 2025) against `russia_first` "
        "(scenarios/syria_russia_recognizes_first.yaml) and `west_later` "
        "(scenarios/syria_west_recognizes_later.yaml: Turkey in February, France and the USA "
        "in March 2025), over the first-mover decay of recognition (evidence x decay^n after "
        "n earlier recognisers; 1 = order does not matter) x negativity bias x memory "
        f"({design_size(res)}). "
        "Russia's standing with the new administration is the trust of the group `syria` "
        "(the state Syria, reset at Assad's fall) in Russia in December 2026.\n\n"
    ]
    rows = []
    for other in ("russia_first", "west_later"):
        d = paired(runs, "final_trust.Russia.syria", other, "historical", res.varied)
        rows.append(
            [
                f"{other} - historical",
                interval(at(d, point)["diff"]).text(4),
                interval(d["diff"]).text(4),
                value_range(point_means(d), "+.4f"),
            ]
        )
    out.append(
        captioned(
            "**Result.** Russia's trust with the new administration (at "
            f"{describe_point(point)}, the scenario's values; grid mean with bootstrap "
            "intervals; range over points):\n\n",
            ["difference", "at baseline", "grid mean", "grid range"],
            rows,
        )
    )
    base = at(runs, point)
    levels = base.groupby("scenario")[
        [f"final_trust.{p}.syria" for p in ("Russia", "Turkey", "USA", "France")]
    ].mean()
    level_rows = [[s, *(f"{levels.loc[s, c]:.3f}" for c in levels.columns)] for s in levels.index]
    aligned = runs.groupby("scenario")["final_share.Russia.syria"].mean()
    out.append(
        captioned(
            "Trust of the new administration in each power in December 2026 at the baseline:\n\n",
            ["scenario", "Russia", "Turkey", "USA", "France"],
            level_rows,
        )
        + "Share of runs in which Syria ends aligned with Russia: "
        + ", ".join(f"{s} {aligned[s]:.2f}" for s in aligned.index)
        + ".\n\n"
    )
    out.append(
        ctx.figure(
            figure_claim4(runs),
            "claim4_recognition",
            "Russia's trust with the new Syrian administration by order of recognition",
        )
    )
    return out


def body_claim5(ctx: Context) -> list[str]:
    """Claim 5: steadiness of the non-interventionist."""
    res, runs, point = opened(ctx, "claim5_steadiness")
    out = [
        "**Experiment.** `claim5_steadiness`: `historical` against `china_bystander` "
        "(scenarios/syria_china_bystander.yaml: China's standing by when Assad falls in "
        "December 2024 and when Iran is bombed in June 2025 counts against it as harm to a "
        "partner), over negativity bias x memory x susceptibility "
        f"({design_size(res)}). "
        "Metric: the standard deviation over 2014-2026 of each power's monthly mean trust "
        "(`sd_trust`), and the ratio Russia / China.\n\n"
    ]
    rows = []
    for scenario in ("historical", "china_bystander"):
        for group in ("all", "arab_league", "africa"):
            sel = runs[runs["scenario"] == scenario]
            ratio = sel[f"sd_trust.Russia.{group}"] / sel[f"sd_trust.China.{group}"]
            base = at(sel, point)
            rows.append(
                [
                    scenario,
                    group.replace("_", " "),
                    f"{base[f'sd_trust.China.{group}'].mean():.4f}",
                    f"{base[f'sd_trust.Russia.{group}'].mean():.4f}",
                    interval(ratio).text(1).replace("+", ""),
                    value_range(ratio, ".1f"),
                    share_text(ratio.groupby(sel["point"]).mean() > 1),
                ]
            )
    out.append(
        captioned(
            f"**Result** (sd at {describe_point(point)}, the scenario's values; ratio as grid "
            "mean with bootstrap interval over runs, its range, and the points where Russia "
            "swings more):\n\n",
            [
                "scenario",
                "group",
                "sd China",
                "sd Russia",
                "ratio Russia/China",
                "ratio range",
                "points Russia > China",
            ],
            rows,
        )
    )
    out.append(
        ctx.figure(
            figure_claim5(runs, list(POWER_COLOURS), ["all", "arab_league"]),
            "claim5_steadiness",
            "Standard deviation over time of trust by power",
        )
    )
    return out


def section_runs(ctx: Context) -> str:
    """The experiments read, one row each."""
    rows = []
    for name in EXPERIMENTS:
        res = ctx.results.get(name)
        if res is None:
            rows.append([f"`{name}`", "not run", "", "", ""])
            continue
        m = res.manifest
        design = m["design"]
        rows.append(
            [
                f"`{name}`",
                ", ".join(m["scenarios"]),
                f"{design['method']}, {design['points']} points x {m['replicates']} replicates",
                f"{len(res.ok_runs)} ok / {m['counts']['planned']}",
                f"`{res.path.relative_to(REPO) if res.path.is_relative_to(REPO) else res.path}`",
            ]
        )
    return (
        "## The experiments\n\n"
        + table(["experiment", "scenarios", "design", "runs", "results folder"], rows)
        + "\n\n"
    )


@dataclass(frozen=True)
class Claim:
    """A claim's section: its title, the experiments it reads, and its body."""

    key: str
    title: str
    needs: tuple[str, ...]
    body: Callable[[Context], list[str]]

    def render(self, ctx: Context) -> str:
        """The section: title, body and discussion, or what to run when results are missing."""
        head = f"## {self.title}\n\n"
        absent = [n for n in self.needs if n not in ctx.results]
        if absent:
            return head + missing(absent)
        return head + "".join(self.body(ctx)) + DISCUSSION[self.key] + "\n"


CLAIMS = (
    Claim(
        "claim1",
        "Claim 1: intervening and then withdrawing costs more than never intervening",
        ("syria_withdrawal", "claim1_boundary", "claim1_observers", "claim1_sobol"),
        body_claim1,
    ),
    Claim(
        "claim2",
        "Claim 2: the lean to India and the rapprochement with the USA cost the USSR China "
        "and the non-aligned, and made two poles three",
        ("claim2_sino_soviet",),
        body_claim2,
    ),
    Claim(
        "claim3",
        "Claim 3: face-saving statements after a withdrawal do not restore credibility",
        ("claim3_statement",),
        body_claim3,
    ),
    Claim(
        "claim4",
        "Claim 4: Western states that recognise the new Syrian administration first deny "
        "Russia the role of its supporter",
        ("claim4_recognition",),
        body_claim4,
    ),
    Claim(
        "claim5",
        "Claim 5: a consistent non-interventionist (China) keeps a steady standing while the "
        "interventionist's swings",
        ("claim5_steadiness",),
        body_claim5,
    ),
)

PREAMBLE = """\
# Findings: the argument under test

*Generated by `experiments/findings.py` from the experiments' results
folders; do not edit by hand (the discussion lives in the script). The same
results give the same file, byte for byte.*

Regenerate everything (a few minutes on 2 cores; each sweep resumes or skips what is done):

    for e in syria_withdrawal claim1_boundary claim1_observers claim1_sobol \\
             claim2_sino_soviet claim3_statement claim4_recognition claim5_steadiness; do
        .venv/bin/credsim sweep experiments/$e.yaml --no-plots
    done
    .venv/bin/python experiments/findings.py

**How to read the numbers.** Trust is a group's mean trust in a power
(0 to 1). A difference is scenario A minus scenario B of the same metric,
paired run by run: both scenarios share every design point and every
replicate's seed (common random numbers), so the pair differs only by the
scenario. Intervals are bootstrap 95% percentile intervals of the mean of
the paired differences (`scipy.stats.bootstrap`, 9999 resamples, fixed
seed). "At baseline" is the grid point at the scenario's own parameter
values, where the only randomness is the alignment draw, so its intervals
are narrow by nature. "Grid mean" weighs every grid point equally: its
interval says how well that average is known, not how uncertain the
parameters are; the spread over the parameters is the "grid range" and the
count of points where the claim holds. Each claim says where a result
follows from the model's construction alone.

"""

VERDICTS: tuple[tuple[str, str], ...] = (
    (
        "1. Withdrawing costs more than never intervening",
        (
            "**Only under fast forgetting; not at the scenario's values.** Withdrawing costs "
            "Russia far more than staying would have. Against never intervening, Russia ends "
            "*better* off among Arab League states at the scenario's values (negativity bias 2, "
            "monthly memory 0.98), both six months and two years after the withdrawal, because "
            "nine years of visible support are still remembered. It ends worse off only where "
            "memory is short (below about 0.96 at bias 2, 0.98 at bias 3.5), and among African "
            "states, who saw the support only dimly. Over the Sobol box the sign is a coin toss, "
            "decided mostly by memory and by how much sustained support counts."
        ),
    ),
    (
        "2. The 1962 lean and the test ban cost the USSR China and the non-aligned; "
        "two poles became three",
        (
            "**China: yes. The non-aligned, Africa, three poles: no.** The lean and the test ban "
            "lower the PRC's mid-1960s trust in the USSR at every grid point (by about 0.05 and "
            "0.10). The lean *raises* the non-aligned and African states' trust (India is one of "
            "them), and the effective number of poles stays near two: hardly any state aligns "
            "with the PRC."
        ),
    ),
    (
        "3. Face-saving statements do not restore credibility",
        (
            "**Supported, by construction.** The statement restores under 5% of the withdrawal "
            "window's loss anywhere on the grid; cheap talk is weak by assumption and scaled by "
            "the trust that is left."
        ),
    ),
    (
        "4. Recognising first denies Russia the supporter's role",
        (
            "**Not supported.** Going first (or the West waiting) raises Russia's trust with the "
            "new administration by about 0.02, against a gap of about 0.37 to Turkey; the new "
            "regime's low prior trust in Russia, a scenario judgement, decides its standing."
        ),
    ),
    (
        "5. The non-interventionist keeps a steady standing",
        (
            "**Supported**, also when China's standing by counts against it: Russia's trust "
            "swings 3 to 9 times as much as China's there (10 to 35 times without that evidence, "
            "which is largely construction)."
        ),
    ),
)


DISCUSSION = {
    "claim1": """\
**Where it holds and where it fails.** Against *staying*, withdrawing is
costly everywhere: at the scenario's values Russia ends about 0.15 lower
among Arab League states than if it had kept Assad (the sustained scenario
also lacks the regime change, Tartus and the recognition race, so this is
the cost of the whole defeat, not of the decision alone). Against *never
intervening*, the claim holds only in part of the plausible space. The
boundary figure shows it: with fast forgetting (memory below roughly 0.96
at a negativity bias of 2, a half-life of about a year and a half) the
recent abandonment dominates and the historical Russia ends below the
abstaining one; with slower forgetting the nine years of visible support
are still remembered and it ends above, at the scenario's values by about
0.03 to 0.05. A stronger negativity bias moves the boundary towards longer
memories, but even at a bias of 4.5 the claim fails once the half-life
exceeds about four years. Reputations for resolve are often argued to be
remembered for years, which puts the plausible region on the right-hand
side of the figure: at the scenario's values and wherever memory is long,
the model does not support the claim for Arab League states. Among African
states, who saw Syria only through global salience, it holds at the scenario's values and in most of
the grid: the same evidence, seen faintly, nets out negative against their
higher trust in Russia by 2024 (switching off realignment or the network
leaves this nearly unchanged, checked by hand, so it lies in the evidence
arithmetic). More same-bloc salience makes the historical Russia look
*better* among Arab League states, because they saw the support as clearly
as the abandonment; susceptibility to the network hardly matters.

The Sobol ranking says what carries the result: memory above all (with
strong interactions: its total index well exceeds its first-order one),
then the weight of sustained support (how much a month of help counts, a
judgement of the model), then the negativity bias and the global salience;
prior strength, the regional and bloc salience and susceptibility matter
little over their ranges. The claim's intuition, that bad news weighs more
than good, is therefore not what decides it in this model: how long good
deeds are remembered, and how much they count, decides it. Negative S1
estimates are sampling noise (their intervals include zero). The client
itself (group `syria`) cannot test the claim: the new administration's
priors are set by the scenario, identically in all three scenarios, so its
differences are small by construction.
""",
    "claim2": """\
**Where it holds and where it fails.** The PRC part holds at every grid
point: the lean to India lowers the PRC's mid-1960s trust in the USSR by
about 0.05, and the lean and the test ban together by about 0.10. This is
close to construction (both are negative evidence addressed to the PRC as
their target), so the informative part is the size, which grows with the
negativity bias and the memory. In all three scenarios the PRC's trust
drifts back up after 1964: with forgetting, trust returns towards the
prior, and the scenario gives the PRC a high prior trust in the USSR, so
the model needs continued negative evidence (Zhenbao, 1969) to keep the
split open. The non-aligned and African part fails: `side_with_adversary`
with India gives India's non-aligned bloc partners the same evidence as
support, and each observer takes the larger side, so the lean *raises*
their trust in the USSR a little relative to neutrality; the lean and the
test ban together change it by less than 0.01, in either direction across
the grid. The poles part fails too: the effective
number of poles stays close to two throughout, the lean lowers rather than
raises it (by under a tenth), and about 2% of states end aligned with the
PRC in either scenario. The model does not support "two poles became
three" under these parameters; a third pole would need the PRC's
capability or ideological pull in the alignment utility to be larger than
the scenario gives it.
""",
    "claim3": """\
**Where it holds and where it fails.** The claim holds everywhere on the
grid, and mostly by construction: `rhetoric` has a small default weight
(0.2), reaches states that are not aligned with Russia only through global
salience, and is scaled by the trust the observer still holds, which the
withdrawal has just lowered. Even at four times the default weight and
three times the default global salience the statement restores only a few
percent of the window's loss. It could only fail if cheap talk weighed
about as much as an intervention, which the model rules out by assumption
rather than finds. This is a test of the claim's consistency with the
model's premise that talk is cheap, not an independent confirmation.
""",
    "claim4": """\
**Where it holds and where it fails.** The direction is built in: with a
first-mover decay below 1, the first recogniser's visit counts for more,
so Russia gains when it goes first or when the West waits, and gains
nothing when the decay is 1. The size is what the model adds, and it is
small: about two hundredths of trust at the scenario's values, against a
gap of more than a third to Turkey and about two tenths to the USA with the
new administration. That gap comes from the priors the scenario gives the
new regime at Assad's fall (trust in Russia 0.15, in Turkey 0.75), a
judgement on the new administration's origins, not from the order of
recognition. Syria never ends aligned with Russia in any scenario. The
model therefore does not support the claim that recognising first is what
denied Russia the supporter's role; under its assumptions that role was
lost with the regime.
""",
    "claim5": """\
**Where it holds and where it fails.** In the historical scenario China's
standing barely moves, and that is nearly construction: China's only
events are three small statements, so its trust can only drift with the
network and memory. The `china_bystander` variant gives China negative
evidence of the kind Russia receives (a partner harmed while it stands by),
which could have made it swing. It does swing more, but Russia still
swings 3 to 9 times as much at every grid point, because Russia's record is
a ten-year rise (intervention, support) and a sharp fall, while China's is
two late hits from a flat start. The model supports the claim in this
form: consistent restraint keeps a standing steady, and even inaction that
counts against a power moves it less than a commitment made and broken.
It says nothing about the *level* of trust: steadiness is about swings,
not standing.
""",
}


def render_document(ctx: Context) -> str:
    """The whole of findings.md."""
    summary = "## Summary\n\n" + table(["claim", "what the model says"], VERDICTS)
    parts = [PREAMBLE, summary, section_runs(ctx)]
    parts += [claim.render(ctx) for claim in CLAIMS]
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


def default_results(name: str) -> Path | None:
    """The folder ``credsim sweep experiments/NAME.yaml`` writes, if it exists."""
    from sim.sweep import default_folder, load_experiment

    folder = REPO / default_folder(load_experiment(str(REPO / "experiments" / f"{name}.yaml")))
    return folder if (folder / "manifest.json").is_file() else None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="results folder of experiment NAME (default: the folder its sweep writes)",
    )
    p.add_argument("--out", default=str(REPO / "docs" / "findings.md"))
    p.add_argument("--figures", default=str(REPO / "docs" / "figures"))
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Read the results folders, write the figures and findings.md."""
    args = parse_args(argv)
    given: dict[str, Path] = {}
    for item in args.results:
        name, sep, folder = item.partition("=")
        if not sep or name not in EXPERIMENTS:
            raise SystemExit(f"--results takes NAME=DIR with NAME one of {', '.join(EXPERIMENTS)}")
        given[name] = Path(folder)
    results: dict[str, Results] = {}
    for name in EXPERIMENTS:
        folder = given.get(name) or default_results(name)
        if folder is not None:
            results[name] = open_results(folder)
    out = Path(args.out)
    figures = Path(args.figures)
    figures.mkdir(parents=True, exist_ok=True)
    # Links from the document to its figures: relative when they sit side by side (docs/).
    same_place = figures.parent.resolve() == out.parent.resolve()
    ctx = Context(results, figures, f"{figures.name}/" if same_place else f"{figures.resolve()}/")
    out.write_text(render_document(ctx))
    print(
        f"findings: {out} (figures in {figures}; {len(results)} of {len(EXPERIMENTS)} "
        "experiments found)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
