"""Figures of observed votes: ``credsim observe`` series and pattern checks.

Both take tidy tables (:mod:`sim.observed.series`; the pattern series of
:mod:`sim.patterns.check`) and draw yearly values on a year axis.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.plots.figure import BAND_ALPHA, add_caption, outside_legend, set_theme
from sim.plots.palette import OKABE_ITO

_MEASURE_LABELS = {
    "agreement": "Vote agreement (0 to 1)",
    "split_agreement": "Agreement on split votes (0 to 1)",
}
_GROUP_PREFIX = "group:"
STATE_GREY = "0.55"


def observed_figure(
    table: pd.DataFrame, *, ax: Axes | None = None, issue: str | None = None
) -> Figure:
    """Each state's yearly value (thin grey) and the group's (thick), from the tidy table;
    ``issue``: the unvotes issue code the roll calls were restricted to, named in the title."""
    set_theme()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    is_group = table["state"].str.startswith(_GROUP_PREFIX)
    # A state's line darker than the grid (0.8): a state that always votes with (1) or
    # against (0) the power lies on a grid line, where grey 0.75 was not seen.
    for _, rows in table[~is_group].groupby("state"):
        ax.plot(rows["year"], rows["value"], color=STATE_GREY, lw=0.8)
    for name, rows in table[is_group].groupby("state"):
        label = str(name).removeprefix(_GROUP_PREFIX)
        ax.plot(
            rows["year"],
            rows["value"],
            color=OKABE_ITO[0],
            lw=2.2,
            marker="o",
            ms=3,
            label=f"{label} (mean of states)",
        )
    ax.plot([], [], color=STATE_GREY, lw=0.8, label="one state")
    measure = str(table["measure"].iloc[0]) if len(table) else "agreement"
    power = str(table["power"].iloc[0]) if len(table) else ""
    rival = str(table["rival"].iloc[0]) if len(table) else ""
    ax.set_ylabel(_MEASURE_LABELS.get(measure, measure))
    ax.set_xlabel("Year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole years, even over a few
    ax.set_ylim(-0.02, 1.02)
    against = f" (votes split against {rival})" if rival else ""
    if issue:
        from sim.observed.votes import ISSUE_CODES

        against += f", roll calls on {ISSUE_CODES.get(issue, issue)} ({issue})"
    ax.set_title(f"Agreement with {power}{against}", loc="left")
    outside_legend(ax, "", ax.get_legend_handles_labels()[0])
    add_caption(
        fig,
        "UN General Assembly roll calls (Voeten, Strezhnev and Bailey); yes = 1, "
        "abstain = 0.5, no = 0; absences are not votes.",
    )
    return fig


def pattern_figure(
    series: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    windows: Mapping[str, tuple[int, int]],
    caption: str,
    ax: Axes | None = None,
) -> Figure:
    """Observed against predicted yearly values of a pattern's group (and control).

    Args:
        series: ``year, who, kind, value`` with ``kind`` observed or predicted
            and ``who`` the group or control's name.
        title: the panel title.
        ylabel: the measure's label.
        windows: shaded year ranges, by label (``before``, ``after``, ``years``).
        caption: the caption (numbers of the check).
        ax: an axes to draw on.
    """
    set_theme()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    shades = ["0.85", "#E69F00"]
    for (label, (first, last)), shade in zip(windows.items(), shades * 2, strict=False):
        ax.axvspan(first - 0.5, last + 0.5, color=shade, alpha=BAND_ALPHA * 2, lw=0, label=label)
    colors = dict(zip(dict.fromkeys(series["who"]), OKABE_ITO, strict=False))
    for (who, kind), rows in series.groupby(["who", "kind"], sort=False):
        observed = kind == "observed"
        ax.plot(
            rows["year"],
            rows["value"],
            color=colors[who],
            lw=1.8,
            ls="-" if observed else "--",
            marker="o" if observed else None,
            ms=3,
            label=f"{who}, {kind}",
        )
    ax.set_xlabel("Year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    outside_legend(ax, "", ax.get_legend_handles_labels()[0])
    add_caption(fig, caption)
    return fig


def measure_label(measure: str) -> str:
    """The axis label of a measure."""
    return _MEASURE_LABELS.get(measure, measure)
