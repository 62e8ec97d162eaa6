"""Who is aligned with whom: stacked shares over time and the effective number of poles.

One row of panels per group. Each scenario gets a panel of stacked areas
(the share of the group's states aligned with each power, non-aligned in
grey on top, averaged over the replicates); the last column draws the
effective number of poles with the non-aligned counted as a pole of their
own, the "third way": ``1 / sum of squared shares`` over the powers and
the non-aligned (:func:`poles_with_third_way`), computed per run from the
recorded shares. It is 1 when every state is in one camp, or none is
aligned, and is defined at every step (the recorded ``effective_poles``
counts aligned states only and is 0 when none is aligned). A line per
scenario (black, brown, ... never a power's colour) with the band of the
replicates.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.columns import NONE as NON_ALIGNED
from sim.columns import distinct
from sim.plots.figure import (
    date_axis,
    date_label,
    draw_band,
    group_heading,
    group_order,
    group_phrase,
    is_one_state,
    outside_legend,
    page_room,
    page_width,
    power_name,
    set_theme,
    step_times,
    time_band,
    with_scenarios,
    wrap_to,
)
from sim.plots.palette import power_hatches, power_palette, sample_colors, scenario_linestyles

# A row label's group name is wrapped at this many characters (a row is 2.1 inches
# high): "Arab Conservatives (6 members)" ran into the rows above and below.
LABEL_CHARS = 19


def share_order(powers: Sequence[str]) -> list[str]:
    """Stacking order: powers as given, non-aligned last (on top)."""
    return [p for p in powers if p != NON_ALIGNED] + [NON_ALIGNED] * (NON_ALIGNED in powers)


# Each power's area hatched in a pale line over its colour (:func:`power_hatches`), which
# tells the powers apart in greyscale and leaves the colour readable on screen.
HATCH_STYLE: dict[str, Any] = {"hatchcolor": (1.0, 1.0, 1.0, 0.55), "hatch_linewidth": 0.6}


def shares_panel(
    shares: pd.DataFrame, *, ax: Axes | None = None, palette: dict[str, str] | None = None
) -> Axes:
    """Stacked areas of ``share_aligned`` rows (``date, power, value``) of one group and
    scenario; several runs are averaged per date and power first.

    The areas are labelled with the power's name (non-aligned as ``none``) and
    coloured by ``palette`` (default: :func:`power_palette` of the powers drawn).
    """
    ax = plt.subplots(figsize=(6, 3))[1] if ax is None else ax
    timed = shares.assign(when=step_times(shares))
    mean = timed.groupby(["when", "power"], sort=True)["value"].mean().unstack("power")
    order = share_order(distinct(shares["power"]))
    mean = mean.reindex(columns=order).fillna(0.0)
    colors = palette if palette is not None else power_palette(order)
    hatches = power_hatches(colors)
    ax.stackplot(
        mean.index.to_numpy(),
        *(mean[p].to_numpy() for p in order),
        labels=order,
        colors=[colors[p] for p in order],
        hatch=[hatches.get(p, "") for p in order],
        alpha=0.85,
        lw=0,
        **HATCH_STYLE,
    )
    ax.set_ylim(0.0, 1.0)
    date_axis(ax, max_ticks=5)
    return ax


def poles_with_third_way(shares: pd.DataFrame) -> pd.DataFrame:
    """The effective number of poles per run and step from ``share_aligned`` rows, the
    non-aligned counted as one pole: ``1 / sum(share^2)`` over every option.

    Args:
        shares: ``share_aligned`` rows of one group (``run_id, scenario, step, date,
            power, value``; ``power`` includes ``none``).

    Returns:
        One row per run and step: the key columns and ``value``.
    """
    keys = [c for c in ("scenario", "run_id", "step", "date") if c in shares]
    squares = shares.assign(value=shares["value"] ** 2)
    total = squares.groupby(keys, sort=True)["value"].sum()
    return (1.0 / total).rename("value").reset_index()


def poles_panel(
    poles: pd.DataFrame, *, ax: Axes | None = None, scenarios: Sequence[str] | None = None
) -> Axes:
    """The effective number of poles of one group: a line per scenario (``date, value``,
    optionally ``scenario``), mean across runs with the 95% band."""
    ax = plt.subplots(figsize=(6, 3))[1] if ax is None else ax
    frame, order = with_scenarios(poles, scenarios)
    colors, styles = sample_colors(order), scenario_linestyles(order)
    for scenario, cell in time_band(frame, ["scenario"]).groupby("scenario", sort=False):
        name = str(scenario)
        draw_band(ax, cell["when"].to_numpy(), cell, colors[name], ls=styles[name], label=name)
    ax.set_ylim(bottom=0.0)
    date_axis(ax, max_ticks=5)
    return ax


ONE_STATE_POLES = "1 state: always 1 pole\n(not drawn)"


def one_state_panel(ax: Axes) -> None:
    """The poles panel of a one-state group: no line, a note in its middle (gid
    ``one-state``); the shared date axis stays."""
    # At a page's width the panel may be narrower than the note's first line.
    note = ONE_STATE_POLES.replace(": ", ":\n") if page_width() is not None else ONE_STATE_POLES
    ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center",
            fontsize=8.5, color="0.35", gid="one-state")  # fmt: skip
    ax.set_yticks([])
    ax.grid(False, axis="y")


def one_state_note(phrases: Sequence[str], replicated: bool = True) -> str:
    """The alignment caption's sentence on groups of one state (``""`` when none);
    ``replicated``: the figure draws a mean of several runs (a single run's caption spoke
    of replicates it does not have; an audit, decision 648)."""
    states = [p.removeprefix("of ") for p in phrases if is_one_state(p)]
    if not states:
        return ""
    names = " and ".join([", ".join(states[:-1]), states[-1]] if len(states) > 1 else states)
    each = "A group of one state" if len(states) == 1 else "Groups of one state"
    share = (
        "a share is 0 or 1 in each run, so the mean of the replicates steps and lies "
        "between only where they differ"
        if replicated
        else "a share is 0 or 1 at each step"
    )
    return (
        f"{each} ({names}): {share}; the effective number of poles is 1 at every step and "
        "is not drawn."
    )


def row_label(title: str) -> str:
    """A group's title wrapped to stay within its row's height, a closing count of
    members on a line of its own (``Soviet Clients\n(6 members)``)."""
    head, _, members = title.partition(" (")
    lines = textwrap.wrap(head, LABEL_CHARS) + ([f"({members}"] if members else [])
    return "\n".join(lines)


def alignment_figure(
    series: pd.DataFrame,
    *,
    phrases: Mapping[str, str] | None = None,
    all_powers: Sequence[str] = (),
) -> Figure:
    """Alignment shares (a column per scenario) and effective poles (last column), a row
    per group (``all`` first).

    Args:
        series: tidy series with ``share_aligned`` and ``effective_poles`` rows
            (optionally ``scenario``, ``run_id``).
        phrases: groups in words (:func:`~sim.plots.figure.group_phrases`).
        all_powers: every power of the folder's scenarios, which the colours are
            assigned among (:func:`~sim.plots.palette.power_palette`), so that a power
            keeps its colour in figures that draw different powers.
    """
    set_theme()
    frame, scenarios = with_scenarios(series)
    shares = frame[frame["metric"] == "share_aligned"]
    # A group of powers only (the PRC in the Sino-Soviet case) has no state to align.
    groups = group_order(shares.dropna(subset=["value"])["group"], phrases or ())
    palette = power_palette(shares["power"], all_powers)
    n_cols = len(scenarios) + 1
    page = page_width()
    # At a page's width: the columns share it, laid out by matplotlib's constrained
    # layout (labels never run into the next panel), titles wrapped to a panel's width.
    panel_in = 3.6 if page is None else (page_room() - 1.0) / n_cols - 0.12
    fig, axes = plt.subplots(
        len(groups),
        n_cols,
        figsize=(3.6 * n_cols + 1.5, 2.1 * len(groups) + 0.6)
        if page is None
        else (page_room(), 2.1 * len(groups) + 0.6),
        sharex=True,
        squeeze=False,
        **(
            {"gridspec_kw": {"hspace": 0.25, "wspace": 0.3}}
            if page is None
            else {"layout": "constrained"}
        ),
    )

    def heading(text: str) -> str:
        return text if page is None else wrap_to(text, panel_in, 10.6)

    # Scenarios head the columns and groups label the rows, so panel titles stay short.
    for col, scenario in enumerate(scenarios):
        axes[0, col].set_title(
            heading(f"Alignment, {scenario}" if scenario else "Alignment"), loc="left"
        )
    poles_title = "Effective poles (non-aligned as one)"
    if page is not None:
        poles_title = (
            "Effective poles\n(non-aligned\nas one)" if panel_in < 1.8 else heading(poles_title)
        )
    axes[0, -1].set_title(poles_title, loc="left")
    for row, group in enumerate(groups):
        for col, scenario in enumerate(scenarios):
            cell = shares[(shares["group"] == group) & (shares["scenario"] == scenario)]
            shares_panel(cell, ax=axes[row, col], palette=palette)
        name = (phrases or {}).get(group) or group_phrase(group)
        axes[row, 0].set_ylabel(f"{row_label(group_heading(name))}\nshare (0 to 1)")
        if is_one_state(name):
            # One state is in one camp in each run: its poles are 1 at every step, a
            # flat line that says nothing; the panel says so instead (and the caption).
            one_state_panel(axes[row, -1])
            continue
        poles = poles_with_third_way(shares[shares["group"] == group])
        poles_panel(poles, ax=axes[row, -1], scenarios=scenarios)
        axes[row, -1].set_ylabel("poles (count)")
        top = float(poles["value"].max()) if len(poles) else 1.0
        axes[row, -1].set_ylim(0.9, max(2.1, top + 0.15))
    for ax in axes[-1]:
        ax.set_xlabel(date_label(shares))
        ax.tick_params(axis="x", labelrotation=0)
    if page is not None:
        # Every share panel runs 0 to 1: its numbers said once, at the row's start.
        for ax in axes[:, 1:-1].flat:
            ax.tick_params(labelleft=False)
    powers = share_order(distinct(shares["power"]))
    hatches = power_hatches(palette)
    handles: list[Artist] = [
        Patch(facecolor=palette[p], hatch=hatches[p], lw=0, label=power_name(p), **HATCH_STYLE)
        for p in powers
    ]
    if len(scenarios) > 1:
        colors, styles = sample_colors(scenarios), scenario_linestyles(scenarios)
        handles.append(Line2D([], [], color="none", label=""))
        handles += [Line2D([], [], color=colors[s], ls=styles[s], label=s) for s in scenarios]
    title = "Aligned with" + (" / scenario (poles)" if len(scenarios) > 1 else "")
    outside_legend(axes[0, -1], title, handles, x=1.03)
    return fig
