"""The findings' figures: one function per claim, each returning a matplotlib Figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: never open a window

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.findings.numbers import (
    DECAY,
    DPI,
    GLOBAL,
    LABELS,
    MEMORY,
    NB,
    RHETORIC,
    SCENARIO_COLOURS,
    at,
    describe_point,
)
from sim.plots.figure import DIVERGING_CMAP, group_phrase, step_times

# --------------------------------------------------------------------------- figures


def save(fig: Figure, path: Path) -> str:
    """Write a small PNG without a date (byte-identical on a rerun); return its name."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path.name


def _dates(frame: pd.DataFrame) -> pd.Series:
    """Where each step of ``frame`` (by step, with its date) sits on the time axis: the end
    of its period, as every figure of the package draws it (decision 1004)."""
    rows = frame.reset_index() if "step" not in frame.columns else frame
    return step_times(rows).set_axis(frame.index)


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
    trust: pd.DataFrame,
    varied: list[str],
    point: dict[str, float],
    groups: Sequence[str],
    phrases: Mapping[str, str] | None = None,
) -> Figure:
    """Russia's trust per scenario over time, and historical minus abstained at each grid point.

    ``phrases``: each group's phrase ("among Arab League states",
    :func:`sim.plots.figure.group_phrases`) for the titles; else one made from its name.
    """
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
        phrase = (phrases or {}).get(group) or group_phrase(group)
        top.set_title(f"Russia's trust {phrase}", fontsize=10)
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
    axes[0, 0].legend(fontsize=8, loc="upper left")
    # The grid points' key goes below the panels, where it covers no line.
    handles, labels = axes[1, 0].get_legend_handles_labels()
    fig.legend(
        handles, labels, fontsize=7.5, ncol=len(memories), loc="lower center",
        title="historical minus abstained: mean of replicates at", title_fontsize=8,
    )  # fmt: skip
    fig.suptitle(
        "Claim 1: lines at " + describe_point(point) + "; bands: 95% of runs over the grid;\n"
        "dotted: intervention (2015-09) and withdrawal (2024-12)",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0.028 * (len(biases) + 1), 1, 1))
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
            # Red above 0, as the report's headline maps the same difference (it was the
            # other way round here: decision 495).
            values,
            origin="lower",
            cmap=DIVERGING_CMAP,
            vmin=-limit,
            vmax=limit,
            aspect="auto",
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
    fig.colorbar(
        image,
        ax=axes[0].tolist(),
        shrink=0.85,
        label="historical minus abstained",
    )
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
    ylabels = ["mean trust (0 to 1)"] * 3 + ["effective poles"]
    for ax, (rows, title), ylabel in zip(axes, panels, ylabels, strict=True):
        for scenario in ("coexistence_neutral", "neutral_1962", "historical"):
            _trajectory(ax, rows, scenario, point, scenario, SCENARIO_COLOURS[scenario])
        ax.axvspan(pd.Timestamp("1964-01"), pd.Timestamp("1967-01"), color="0.9", zorder=0)
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
