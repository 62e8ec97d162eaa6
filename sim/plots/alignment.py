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
    PAGE_HEIGHT_IN,
    add_heading,
    date_axis,
    date_label,
    draw_band,
    fill_pages,
    group_heading,
    group_order,
    group_phrase,
    heading_in,
    is_one_state,
    legend_below_in,
    outside_legend,
    page_columns,
    page_room,
    page_width,
    power_name,
    set_theme,
    step_times,
    text_size_in,
    time_band,
    with_scenarios,
    wrap_to,
)
from sim.plots.palette import power_hatches, power_palette, sample_colors, scenario_linestyles

# A row label's group name is wrapped at this many characters (a row is 2.1 inches
# high): "Arab Conservatives (6 members)" ran into the rows above and below.
LABEL_CHARS = 19


# A shares panel of a group its scenario does not have.
NO_GROUP = "no such group in this scenario"


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
    if not len(shares):
        # A group that one scenario of the folder lacks (Syria's Arab League in the
        # Sino-Soviet case of cross_case_values): `plot` stopped in stackplot with "need at
        # least one array to concatenate" and drew no report (an outside check, decision
        # 961). The panel says so; the date axis stays shared.
        note = NO_GROUP.replace(" in ", "\nin ") if page_width() is not None else NO_GROUP
        ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center",
                fontsize=8.5, color="0.35", gid="no-group")  # fmt: skip
        ax.set_yticks([])
        ax.grid(False, axis="y")
        return ax
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
    lines = textwrap.wrap(head, LABEL_CHARS, break_long_words=False) + (
        [f"({members}"] if members else []
    )
    return "\n".join(lines)


def alignment_figure(
    series: pd.DataFrame,
    *,
    phrases: Mapping[str, str] | None = None,
    all_powers: Sequence[str] = (),
    heading: str | None = None,
    part: int | None = None,
    parts: Sequence[Sequence[str]] | None = None,
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
        heading: a line over the figure (:func:`~sim.plots.figure.add_heading`): which
            of a folder's scenarios it holds, when it holds some of them.
        part: the groups of the ``part``-th file of :func:`alignment_parts` (from 1),
            each part with the legend, its panels as high as the whole figure's;
            ``None``, every group in one figure.
        parts: :func:`alignment_parts` of these arguments where the caller has it (the
            gallery plans a figure's parts once for all its files); planned here if not.
    """
    set_theme()
    frame, scenarios = with_scenarios(series)
    shares = frame[frame["metric"] == "share_aligned"]
    # A group of powers only (the PRC in the Sino-Soviet case) has no state to align.
    groups = group_order(shares.dropna(subset=["value"])["group"], phrases or ())
    palette = power_palette(shares["power"], all_powers)
    page = page_width()
    if page is None:
        fig, axes = _default_grid(len(groups), len(scenarios))
        blocks = [[list(axes[row])] for row in range(len(groups))]
    else:
        left_in = _left_in(groups, phrases)
        extra = None
        if part is not None and parts is None:
            parts = alignment_parts(series, phrases=phrases, heading=heading)
        if part is not None and parts is not None and len(parts) > 1:
            # One part is the whole, as without ``part``.
            extra = _part_room_in(shares, scenarios, palette, heading)
            groups = list(parts[part - 1])
        fig, blocks = _page_grid(len(groups), len(scenarios), left_in, extra)
    wrapped = len(blocks[0]) > 1  # a group's panels over more than one row (decision 956)
    cells = [[ax for line in block for ax in line] for block in blocks]
    for row, group in enumerate(groups):
        panels = cells[row]
        name = (phrases or {}).get(group) or group_phrase(group)
        label = row_label(group_heading(name))
        for col, scenario in enumerate(scenarios):
            shares_panel(
                shares[(shares["group"] == group) & (shares["scenario"] == scenario)],
                ax=panels[col],
                palette=palette,
            )
        poles_ax = panels[-1]
        if is_one_state(name):
            # One state is in one camp in each run: its poles are 1 at every step, a
            # flat line that says nothing; the panel says so instead (and the caption).
            one_state_panel(poles_ax)
        else:
            poles = poles_with_third_way(shares[shares["group"] == group])
            poles_panel(poles, ax=poles_ax, scenarios=scenarios)
            if page is None:
                poles_ax.set_ylabel("effective poles")
            top = float(poles["value"].max()) if len(poles) else 1.0
            poles_ax.set_ylim(0.9, max(2.1, top + 0.15))
        for line in blocks[row]:
            first = line[0]
            if first is not poles_ax:
                first.set_ylabel(f"{label}\nshare (0 to 1)")
            else:  # a group's poles panel starting a row of a page's figure
                first.set_ylabel(label if is_one_state(name) else f"{label}\neffective poles")
            if page is not None:
                # Every share panel runs 0 to 1: its numbers said once, at the row's start.
                for ax in line[1:]:
                    if ax is not poles_ax:
                        ax.tick_params(labelleft=False)
        if row == 0 or wrapped:
            # Scenarios head the columns and groups label the rows, so panel titles stay
            # short; a group's panels over several rows each say their scenario.
            across = len(blocks[row][0])
            room = (
                3.6
                if page is None
                else ((page_room() - 0.9 - ALIGN_GAP_IN * (across - 1)) / across)
            )
            for col, scenario in enumerate(scenarios):
                text = f"Alignment, {scenario}" if scenario else "Alignment"
                panels[col].set_title(
                    text if page is None else name_wrap(text, room, 10.6), loc="left"
                )
            poles_title = "Effective poles (non-aligned as one)"
            if page is not None:
                # Its unit in the title: the panel's own numbers are all the room
                # beside it holds.
                poles_title = wrap_to("Effective poles, count (non-aligned as one)", room, 10.6)
            poles_ax.set_title(poles_title, loc="left")
    for ax in _lowest_panels(fig, blocks):
        ax.set_xlabel(date_label(shares))
    for ax in (a for block in cells for a in block):
        ax.tick_params(axis="x", labelrotation=0)
        if wrapped:
            ax.tick_params(axis="x", labelbottom=True)
    handles, title = _legend_handles(shares, scenarios, palette)
    outside_legend(cells[0][-1], title, handles, x=1.03)
    if heading is not None:
        add_heading(fig, heading, over=cells[0])
    return fig


def _legend_handles(
    shares: pd.DataFrame, scenarios: Sequence[str], palette: dict[str, str]
) -> tuple[list[Artist], str]:
    """The legend's handles (each power's area, each scenario's poles line when there are
    several) and its title."""
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
    return handles, title


def _left_in(groups: Sequence[str], phrases: Mapping[str, str] | None) -> float:
    """The room at a page-width figure's left for its rows' labels: the longest group
    name's lines over "share (0 to 1)"."""
    labels = [row_label(group_heading((phrases or {}).get(g) or group_phrase(g))) for g in groups]
    lines = max((label.count("\n") + 2 for label in labels), default=2)
    return ALIGN_LEFT_IN + LINE_IN * lines


def _part_room_in(
    shares: pd.DataFrame, scenarios: Sequence[str], palette: dict[str, str], heading: str | None
) -> float:
    """A part's height beyond its panels, inches: the dates under them, its legend and its
    heading (the whole figure squeezes these into the 0.6 in it adds to its rows)."""
    handles, title = _legend_handles(shares, scenarios, palette)
    return (
        _PAGE_EXTRA_IN
        + legend_below_in(handles, title)
        + (heading_in(heading) if heading is not None else 0.0)
    )


def alignment_parts(
    series: pd.DataFrame,
    *,
    phrases: Mapping[str, str] | None = None,
    heading: str | None = None,
) -> list[list[str]]:
    """The groups of each file :func:`alignment_figure` draws ``series`` in: every group
    in one, but at a page's width where its rows of groups pass a page's height
    (:data:`~sim.plots.figure.PAGE_HEIGHT_IN`), whole groups a part, filled in order
    (:func:`~sim.plots.figure.fill_pages`), each part with the legend. A run of the Syria
    case at ``--width 6.5`` was one figure 19.59 in tall."""
    frame, scenarios = with_scenarios(series)
    shares = frame[frame["metric"] == "share_aligned"]
    groups = group_order(shares.dropna(subset=["value"])["group"], phrases or ())
    if page_width() is None or not groups:
        return [groups]
    _, lines, _, high = _page_shape(len(scenarios), _left_in(groups, phrases))
    row_in = high * lines
    # The whole figure as it is drawn: its saved height, about its size and the tight
    # box's padding, within the page (decision 960's figures are byte for byte as before).
    if row_in * len(groups) + _PAGE_EXTRA_IN + _PAD_IN <= PAGE_HEIGHT_IN:
        return [groups]
    extra = _part_room_in(shares, scenarios, power_palette(shares["power"]), heading) + _PAD_IN
    return fill_pages(groups, lambda part: row_in * len(part) + extra <= PAGE_HEIGHT_IN)


def name_wrap(text: str, inches: float, points: float) -> str:
    """:func:`~sim.plots.figure.wrap_to`, and a line still wider than ``inches`` as
    measured broken again (:func:`_name_cut`): at a space where one leaves a line that
    fits, and after an underscore only within a word longer than the line (a scenario's
    name): "Alignment, afghanistan_ussr_abstained" ran into the poles panel's title at
    6.5 in (decision 967), and "Alignment, www_www" then broke as "Alignment, www_" over
    "www" where "Alignment," over "www_www" fits (decision 1036)."""
    lines = []
    for line in wrap_to(text, inches, points).split("\n"):
        while text_size_in(line, points)[0] > inches:
            head, rest = _name_cut(line, inches, points)
            if not rest:
                break
            lines.append(head)
            line = rest
        lines.append(line)
    return "\n".join(lines)


def _name_cut(line: str, inches: float, points: float) -> tuple[str, str]:
    """A line wider than ``inches`` cut in two: at its last space that leaves the first
    part within ``inches``; where none does (its first word is longer than a line),
    after the first word's last underscore that does (its first, where none does), else
    at its first space; ``(line, "")`` where it cannot be cut."""
    spaces = [i for i, c in enumerate(line) if c == " "]
    fits = [i for i in spaces if text_size_in(line[:i], points)[0] <= inches]
    if fits:
        return line[: fits[-1]], line[fits[-1] + 1 :]
    word = line[: spaces[0]] if spaces else line
    cuts = [i + 1 for i in range(1, len(word) - 1) if word[i] == "_"]
    if cuts:
        fitting = [c for c in cuts if text_size_in(line[:c], points)[0] <= inches]
        cut = fitting[-1] if fitting else cuts[0]
        return line[:cut], line[cut:]
    if spaces:
        return line[: spaces[0]], line[spaces[0] + 1 :]
    return line, ""


# At a page's width: the narrowest an alignment panel is drawn, the room a row's labels
# (a group's name over "share (0 to 1)", the tick numbers) take at its left, and the gap
# between two panels (the poles panel's own numbers), in inches. A reviewer found a
# three-scenario sweep's row of four panels squeezed to 0.2 in at 3.5 in (decision 956):
# a group's panels now wrap onto more rows instead.
ALIGN_LEAST_IN = 1.0
ALIGN_LEFT_IN = 0.3
LINE_IN = 0.18
ALIGN_GAP_IN = 0.42
# What a page-width figure adds to its rows of panels (the dates under them), inches, and
# what the saved file's tight box adds to the figure's size (savefig.pad_inches, less the
# white it crops).
_PAGE_EXTRA_IN = 0.6
_PAD_IN = 0.1


def _default_grid(n_groups: int, n_scenarios: int) -> tuple[Figure, Any]:
    """The figure as wide as its panels need: a row per group, a column per scenario
    and the poles' last."""
    n_cols = n_scenarios + 1
    fig, axes = plt.subplots(
        n_groups,
        n_cols,
        figsize=(3.6 * n_cols + 1.5, 2.1 * n_groups + 0.6),
        sharex=True,
        squeeze=False,
        gridspec_kw={"hspace": 0.25, "wspace": 0.3},
    )
    return fig, axes


def _page_shape(n_scenarios: int, left_in: float) -> tuple[int, int, int, float]:
    """A group's panels at a page's width (:func:`_page_grid`): how many (the scenarios'
    and the poles'), over how many rows, in how many columns, and a row's height."""
    m = n_scenarios + 1
    most = page_columns(m, m, ALIGN_LEAST_IN, left_in, ALIGN_GAP_IN)
    rows = -(-m // most)
    cols = -(-m // rows)
    high = 2.1 if rows == 1 else 1.55
    return m, rows, cols, high


def _page_grid(
    n_groups: int, n_scenarios: int, left_in: float, extra_in: float | None = None
) -> tuple[Figure, list[list[list[Axes]]]]:
    """The figure at a page's width: each group's panels (scenarios', then the poles')
    in as many columns as the page holds at ALIGN_LEAST_IN each, over as few rows as that
    allows, balanced (four panels two by two rather than three and one); ``left_in``
    inches at the left for the rows' labels; ``extra_in`` inches beyond the panels
    (a part's dates, legend and heading; default 0.6 in).

    Returns:
        The figure and, per group, its rows of panels (the spare axes hidden).
    """
    m, rows, cols, high = _page_shape(n_scenarios, left_in)
    fig, axes = plt.subplots(
        n_groups * rows,
        cols,
        figsize=(page_room(), high * n_groups * rows + (extra_in if extra_in is not None else 0.6)),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    blocks = []
    for group in range(n_groups):
        flat = [ax for r in range(rows) for ax in axes[group * rows + r]]
        for ax in flat[m:]:
            ax.set_axis_off()
        shown = flat[:m]
        blocks.append([shown[r * cols : (r + 1) * cols] for r in range(rows)])
    return fig, blocks


def _lowest_panels(fig: Figure, blocks: Sequence[Sequence[Sequence[Axes]]]) -> list[Axes]:
    """The lowest shown panel of each column, which carries the date axis' label."""
    last = blocks[-1]
    lowest: dict[int, Axes] = {}
    for line in last:
        for col, ax in enumerate(line):
            lowest[col] = ax
    return list(lowest.values())
