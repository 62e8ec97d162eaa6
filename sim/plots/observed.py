"""Figures of observed votes: ``credsim observe`` series and pattern checks.

Both take tidy tables (:mod:`sim.observed.series`; the pattern series of
:mod:`sim.patterns.check`) and draw yearly values on a year axis, the y axis
over the measure's range 0 to 1 and a line broken at a year without a value.
Groups are drawn in black and grey, never in a power's colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.columns import distinct
from sim.observed.names import in_text
from sim.observed.votes import FEW_ROLL_CALLS, few_roll_calls, is_few, span_text
from sim.plots.figure import (
    BAND_ALPHA,
    DPI,
    add_caption,
    group_phrase,
    group_title,
    outside_legend,
    page_width,
    set_theme,
    wrap_to,
)
from sim.plots.palette import SCENARIO_GREYS, sample_colors

_GROUP_PREFIX = "group:"
STATE_GREY = "0.55"
# Agreement is a share of votes: the axis shows 0 to 1 with the margin the trajectories'
# bounded metrics have (a state at 0 or 1 stays clear of the frame).
Y_RANGE = (-0.02, 1.02)
# Up to this many states, each its own grey, dashes and marker, named in the legend: told
# apart in print as on screen. More are drawn alike, as "One state".
_STATE_STYLES = [
    ("0.3", "--", "s"),
    ("0.5", ":", "^"),
    ("0.4", "-.", "D"),
    ("0.6", "--", "v"),
    ("0.35", ":", "P"),
    ("0.55", "-.", "o"),
]


def measure_label(measure: str, power: str = "", rival: str = "") -> str:
    """The axis label of a measure, saying with whom (and against whom) the votes agree.

    ``split_agreement`` of ``Russia`` against ``USA``: ``Agreement with Russia on votes
    splitting Russia and the USA (0 to 1)``, over two lines.
    """
    with_whom = f" with {in_text(power)}" if power else ""
    if measure == "split_agreement":
        if power and rival:
            return (
                f"Agreement{with_whom}\non votes splitting {in_text(power)} "
                f"and {in_text(rival)} (0 to 1)"
            )
        return f"Agreement{with_whom} on split votes (0 to 1)"
    if measure == "agreement":
        return f"Vote agreement{with_whom} (0 to 1)"
    return measure


def group_label(
    group: str,
    definition: Mapping[str, object] | None = None,
    counted: tuple[int, int] | None = None,
) -> str:
    """A group in a legend: ``all`` -> ``All states``, ``africa_non_arab`` with members ->
    ``Africa Non Arab (12 members)`` (:func:`~sim.plots.figure.group_phrase`).

    ``counted``: (states counted, states listed) where a pattern counts fewer than the
    group holds, said in place of the members' number (``Neighbours (4 of 5 members
    counted)``, ``All states (17 of 18 counted)``): the legend gave the listed members
    alone while the lines were of the states counted (an outside check; decision 836).
    """
    label = group_title(group_phrase(group, definition))
    if counted is None or counted[0] >= counted[1]:
        return label
    used, listed = counted
    members = f" ({listed} members)"
    if label.endswith(members):
        return f"{label.removesuffix(members)} ({used} of {listed} members counted)"
    return f"{label} ({used} of {listed} counted)"


def _gapped(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Years and values of ``rows`` with NaN at every year missing between the first and
    the last, so that the line breaks there (1964 has no roll call) instead of joining
    its neighbours."""
    series = rows.groupby("year")["value"].mean()
    if series.empty:
        return series.index.to_numpy(), series.to_numpy()
    years = np.arange(int(series.index.min()), int(series.index.max()) + 1)
    return years, series.reindex(years).to_numpy(dtype=np.float64)


def _thin_joins(
    rows: pd.DataFrame, counts: str, years: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """A series' solid line without the years whose value rests on few roll calls
    (``rows[counts]``, :func:`~sim.observed.votes.is_few`), and the short lines that join
    each such year to its neighbours, to be drawn dotted.

    Joined solid, one roll call in January 2020 (0.50 after 0.90 in 2019) read as a
    collapse of the year; the hollow marker said it rested on one vote, the line did not
    (a new case's walk, decision 1031). A series whose every year rests on few roll calls
    stays solid (its hollow markers say it). ``years`` and ``values`` are
    :func:`_gapped`'s."""
    few_years = set(rows.loc[is_few(rows[counts].to_numpy()), "year"].astype(int))
    few = np.isin(years.astype(int), sorted(few_years)) & np.isfinite(values)
    if few.sum() == np.isfinite(values).sum():
        return values, []  # every year on few roll calls: no other to tell them from
    solid = np.where(few, np.nan, values)
    joins = []
    for i in np.flatnonzero(few):
        lo, hi = max(0, i - 1), min(len(years), i + 2)
        joins.append((years[lo:hi], values[lo:hi]))
    return solid, joins


def _isolated(values: np.ndarray) -> np.ndarray:
    """Which values have no value on either side (a year between two gaps, or alone): a
    line without markers draws nothing there."""
    finite = np.isfinite(values)
    before = np.concatenate([[False], finite[:-1]])
    after = np.concatenate([finite[1:], [False]])
    return np.asarray(finite & ~before & ~after)


def _mark_isolated(
    ax: Axes, years: np.ndarray, values: np.ndarray, color: str, marker: str = "_"
) -> bool:
    """A marker at each value of a marker-less line that has no neighbour to join.

    Such a value (1994 after a year without any roll call the link keeps, a pattern
    over one year) counts in the statistic, but a line of one point is invisible: the
    figure showed the observed point and no prediction (an audit of held-out style
    pattern files). Whether there was one."""
    return _points(ax, years, values, _isolated(values), marker=marker, ms=9, mew=1.8, color=color,
            label="_alone")  # fmt: skip


def _points(ax: Axes, years: np.ndarray, values: np.ndarray, at: np.ndarray, **style: Any) -> bool:
    """Markers alone (no line) at the values where ``at``; whether there was one."""
    if not at.any():
        return False
    ax.plot(years[at], values[at], ls="none", **style)
    return True


FEW_GID = "few_roll_calls"


def _mark_few(
    ax: Axes, years: np.ndarray, values: np.ndarray, counts: np.ndarray, color: str, marker: str
) -> bool:
    """A hollow ``marker`` (white inside, ``color`` around) over each value that rests on
    at least one but fewer than :data:`~sim.observed.votes.FEW_ROLL_CALLS` roll calls;
    whether there was one. Such a year counts in a window's mean like any other (a first
    afternoon on a new case found one roll call behind a drawn year with nothing on the
    figure to say so; decision 904)."""
    few = np.isfinite(values) & is_few(counts)
    return _points(ax, years, values, few, marker=marker, ms=6, mew=1.2, mec=color,
                   mfc="white", zorder=3, gid=FEW_GID, label="_few")  # fmt: skip


def _few_legend(ax: Axes) -> None:
    """The legend's entry for :func:`_mark_few`'s hollow markers."""
    from sim.observed.votes import FEW_ROLL_CALLS

    ax.plot(
        [], [], ls="none", marker="o", ms=6, mew=1.2, mec="0.2", mfc="white",
        label=f"Fewer than {FEW_ROLL_CALLS} roll calls",
    )  # fmt: skip


def _whole_year_axis(ax: Axes, years: np.ndarray) -> None:
    """Whole years on the x axis; a figure of one year spans the year on either side.

    Of one year the axis ran 1875 to 2075 (observe) or over fractions of the year
    (1967.50, 1967.65, ...: a pattern over one year), as matplotlib widens a single
    point (an audit)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if years.size and float(np.nanmax(years)) - float(np.nanmin(years)) < 1:
        year = float(np.nanmin(years))
        ax.set_xlim(year - 1, year + 1)


def _mark_beyond(ax: Axes, years: np.ndarray, values: np.ndarray, color: str) -> None:
    """A triangle on the axis's edge at each year whose value lies beyond it.

    A pattern figure's axis shows the measure's range (:data:`Y_RANGE`), and the
    linear link may predict past it (decision 288): the dashed line then leaves the
    panel, and the triangles (up at the top, down at the bottom) show the years it
    is out; the caption says how far it goes.
    """
    for edge, beyond, marker in (
        (Y_RANGE[1], values > Y_RANGE[1], "^"),
        (Y_RANGE[0], values < Y_RANGE[0], "v"),
    ):
        if beyond.any():
            ax.plot(
                years[beyond],
                np.full(int(beyond.sum()), edge),
                ls="none",
                marker=marker,
                ms=6,
                color=color,
                clip_on=False,
                zorder=4,
                label="_beyond",
            )


def observed_figure(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    issue: str | None = None,
    power: str | None = None,
    rival: str | None = None,
    group: str | None = None,
    note: str = "",
) -> Figure:
    """Each state's yearly value (thin grey; up to six states each in a style of its
    own, named in the legend) and the group's mean (thick black).

    Args:
        table: the tidy table of :func:`sim.observed.series.observed_table`.
        ax: an axes to draw on.
        issue: the unvotes issue code the roll calls were restricted to, named in the
            title.
        power, rival: the names to show, as the user gave them (``USSR``, which the vote
            data codes as Russia); default the table's.
        group: the group's line in the legend (default its name in words).
        note: a sentence for the caption (years asked without a value).
    """
    set_theme()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    is_group = table["state"].str.startswith(_GROUP_PREFIX)
    states = table[~is_group].groupby("state")
    # A few states are told apart, each named in the legend; many are one grey crowd.
    named = states.ngroups <= len(_STATE_STYLES)
    # A state's line darker than the grid (0.8): a state that always votes with (1) or
    # against (0) the power lies on a grid line, where grey 0.75 was not seen.
    plain = (STATE_GREY, "-", None)
    thin_states = []
    lone = []  # the crowd's dots: (state, year) of a value with none beside it
    for k, (name, rows) in enumerate(states):
        grey, dashes, marker = _STATE_STYLES[k] if named else plain
        years, values = _gapped(rows)
        if marker is not None:
            # A named state's year on few roll calls stands on its hollow marker, not
            # joined (its own line may be dotted already; decision 1031).
            values, _ = _thin_joins(rows, "n_votes", years, values)
        ax.plot(
            years,
            values,
            color=grey,
            lw=1.0 if named else 0.8,
            ls=dashes,
            marker=marker,
            ms=3.5,
            label=in_text(str(name)) if named else None,
        )
        if marker is None:
            if _mark_isolated(ax, years, values, grey, "."):
                lone += [f"{in_text(str(name))} in {int(y)}" for y in years[_isolated(values)]]
        elif _mark_few(
            ax,
            rows["year"].to_numpy(dtype=np.float64),
            rows["value"].to_numpy(dtype=np.float64),
            rows["n_votes"].to_numpy(),
            grey,
            marker,
        ):
            # A named state's own value on few roll calls (Kiribati's 2012 on one, under
            # a group mean on 88; an outside check, decision 911).
            thin = few_roll_calls(rows["year"], rows["n_votes"])
            thin_states.append(f"{in_text(str(name))} in {', '.join(thin)}")
    groups = table[is_group].groupby("state")
    colors = sample_colors(str(name) for name, _ in groups)
    means = []
    few = False
    for name, rows in groups:
        bare = str(name).removeprefix(_GROUP_PREFIX)
        years, values = _gapped(rows)
        solid, joins = _thin_joins(rows, "n_votes", years, values)
        (mean,) = ax.plot(
            years,
            solid,
            color=colors[str(name)],
            lw=2.2,
            marker="o",
            ms=3,
            label=f"{group or group_label(bare)}, mean",
        )
        for join_years, join_values in joins:
            ax.plot(join_years, join_values, color=colors[str(name)], lw=1.2, ls=":",
                    label="_few_join")  # fmt: skip
        means.append(mean)
        few |= _mark_few(
            ax,
            rows["year"].to_numpy(dtype=np.float64),
            rows["value"].to_numpy(dtype=np.float64),
            rows["n_votes"].to_numpy(),
            colors[str(name)],
            "o",
        )
    if few or thin_states:
        _few_legend(ax)
    if not named:
        ax.plot([], [], color=STATE_GREY, lw=0.8, label="One state")
    measure = str(table["measure"].iloc[0]) if len(table) else "agreement"
    power = power or (str(table["power"].iloc[0]) if len(table) else "")
    rival = rival or (str(table["rival"].iloc[0]) if len(table) else "")
    ax.set_ylabel(measure_label(measure, power, rival))
    ax.set_xlabel("Year")
    _whole_year_axis(ax, table["year"].to_numpy(dtype=np.float64))  # even over a few
    ax.set_ylim(*Y_RANGE)
    against = f" (votes split against {in_text(rival)})" if rival else ""
    if issue:
        from sim.observed.votes import ISSUE_CODES

        against += f", roll calls on {ISSUE_CODES.get(issue, issue)} ({issue})"
    ax.set_title(f"Agreement with {in_text(power)}{against}", loc="left")
    handles = ax.get_legend_handles_labels()[0]
    # The group's mean first, then the states (or "One state").
    outside_legend(ax, "", [*means, *(h for h in handles if h not in means)])
    add_caption(
        fig,
        "UN General Assembly roll calls (Voeten, Strezhnev and Bailey); yes = 1, "
        "abstain = 0.5, no = 0; absences are not votes. "
        + _counted_note(table[is_group])
        + (f" {note}" if note else "")
        + (
            " Hollow markers on a state's line: its own value rests on fewer than "
            f"{FEW_ROLL_CALLS} roll calls, {'; '.join(thin_states)}."
            if thin_states
            else ""
        )
        # A grey dot in the crowd had no legend entry nor word (Egypt's Arab League,
        # 1963 before the year without roll calls; an outside review, decision 947).
        + (
            " A grey dot: one state's value in a year without one of its own on either "
            f"side, which a line cannot join ({'; '.join(lone)})."
            if lone
            else ""
        ),
    )
    return fig


def _counted_note(groups: pd.DataFrame) -> str:
    """What the group's mean is of, and, where the number of states behind it changes from
    year to year, how many it averages when: `observe --states "Israel,Palau" --issue me`
    averaged Israel alone until 1995 and both in 1996, and the mean's drop that year was
    Palau coming in, which the caption did not say (an audit of the figures, decision 736)."""
    text = (
        "Mean: of the states' yearly values, each state alike, over those with a value that year."
    )
    for name, rows in groups.sort_values("year").groupby("state"):
        counts = rows["n_states"].astype(int).tolist()
        if len(set(counts)) < 2:
            continue
        years = rows["year"].astype(int).tolist()
        spans: list[tuple[int, int, int]] = []  # first year, last year, states
        for year, count in zip(years, counts, strict=True):
            if spans and spans[-1][2] == count:
                spans[-1] = (spans[-1][0], year, count)
            else:
                spans.append((year, year, count))
        parts = [
            f"{n} state{'s' if n != 1 else ''} in {a if a == b else f'{a}-{b}'}"
            for a, b, n in spans
        ]
        bare = str(name).removeprefix(_GROUP_PREFIX)
        who = "" if groups["state"].nunique() == 1 else f" ({bare})"
        text += (
            f" The mean{who} averages {', '.join(parts)}: a step in it may be a state "
            "coming in or dropping out, not a change of vote."
        )
    return text


def pattern_figure(
    series: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    windows: Mapping[str, tuple[int, int]],
    caption: str,
    names: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Observed against predicted yearly values of a pattern's group (and control).

    Args:
        series: ``year, who, kind, value`` with ``kind`` observed or predicted
            and ``who`` the group or control's name; an optional ``roll_calls`` column
            (the roll calls behind an observed value) marks the values that rest on
            few with a hollow marker.
        title: the panel title.
        ylabel: the measure's label.
        windows: shaded year ranges, by label (``before``, ``after``, ``years``).
        caption: the caption (numbers of the check).
        names: ``who`` in words for the legend (default :func:`group_label`).
        ax: an axes to draw on.
    """
    set_theme()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    shades = ["0.85", "#E69F00"]
    for (label, (first, last)), shade in zip(windows.items(), shades * 2, strict=False):
        label = "Years compared" if label == "years" else label.capitalize()
        ax.axvspan(first - 0.5, last + 0.5, color=shade, alpha=BAND_ALPHA * 2, lw=0, label=label)
    # Black for the group, the palette's light grey for the control: its middle grey is
    # hard to tell from black at this width. Observed lines are solid with markers (a
    # circle for the group, a square for the control), predicted ones dashed.
    whos = distinct(series["who"])
    colors = dict(zip(whos, SCENARIO_GREYS[::2], strict=False))
    markers = dict(zip(whos, "os", strict=False))
    few = False
    for (who, kind), rows in series.groupby(["who", "kind"], sort=False):
        observed = kind == "observed"
        years, values = _gapped(rows)
        color = colors.get(who, SCENARIO_GREYS[1])
        joins: list[tuple[np.ndarray, np.ndarray]] = []
        if observed and "roll_calls" in rows:
            values, joins = _thin_joins(rows, "roll_calls", years, values)
        for join_years, join_values in joins:
            ax.plot(join_years, join_values, color=color, lw=1.0, ls=":", label="_few_join")
        ax.plot(
            years,
            values,
            color=color,
            lw=1.8,
            ls="-" if observed else "--",
            marker=markers.get(who, "o") if observed else None,
            ms=3.5,
            label=f"{(names or {}).get(str(who)) or group_label(str(who))}, {kind}",
        )
        if not observed:
            _mark_isolated(ax, years, values, color)
            _mark_beyond(ax, years, values, color)
        elif "roll_calls" in rows:
            few |= _mark_few(
                ax,
                rows["year"].to_numpy(dtype=np.float64),
                rows["value"].to_numpy(dtype=np.float64),
                rows["roll_calls"].to_numpy(),
                color,
                markers.get(who, "o"),
            )
    if few:
        _few_legend(ax)
    ax.set_xlabel("Year")
    shown = [*series["year"], *(y for span in windows.values() for y in span)]
    _whole_year_axis(ax, np.asarray(shown, dtype=np.float64))
    ax.set_ylabel(ylabel)
    ax.set_ylim(*Y_RANGE)
    ax.set_title(title, loc="left")
    outside_legend(ax, "", ax.get_legend_handles_labels()[0])
    add_caption(fig, caption)
    return fig


def correlation_panel(
    ax: Axes,
    gap: np.ndarray,
    votes: np.ndarray,
    states: list[str],
    *,
    r: float,
    years: tuple[int, int],
    xlabel: str,
    ylabel: str,
) -> list[str]:
    """The statistic of a correlation pattern, drawn: each state's mean propensity gap
    (x) against its mean observed value (y) over ``years``, their Pearson's ``r``
    (:func:`sim.patterns.simulated_statistic`) in the title, and the least-squares line
    (dashed) that r measures the fit of. States are named beside their points when
    there are at most ``NAMED_POINTS``, else the ``FARTHEST_NAMED`` furthest from the
    line. Returns the states to be named that are not, at a page's width: a name that
    would overprint one placed before it is left out (the caption is to say so).
    """
    keep = np.isfinite(gap) & np.isfinite(votes)
    x, y = gap[keep], votes[keep]
    names = [name for name, kept in zip(states, keep, strict=True) if kept]
    dots = ax.scatter(x, y, s=14, color="black", zorder=3)
    named = list(range(len(names)))
    if np.isfinite(r):
        slope, intercept = np.polyfit(x, y, 1)
        ends = np.array([x.min(), x.max()])
        ax.plot(ends, intercept + slope * ends, color="0.45", ls="--", lw=1.2)
        if len(names) > NAMED_POINTS:  # the states furthest from the line, which move r most
            named = list(np.argsort(-np.abs(y - (intercept + slope * x)))[:FARTHEST_NAMED])
    elif len(names) > NAMED_POINTS:
        named = []
    shown = "r undefined" if np.isnan(r) else f"r = {r:.2f}"
    first, last = years
    which = "" if len(named) == len(names) else f"; named: the {len(named)} furthest from the line"
    title = (
        f"Across the group's {len(names)} states, {span_text(first, last)}: {shown}\n"
        f"(dashed: least squares{which})"
    )
    if page_width() is not None:
        # At a page's width, the title and the x label wrapped to the panel: the label,
        # wider than a 3.5 in page's panel, ran left under the y label and made the figure
        # 4.45 in wide (an outside check, decision 962).
        fig = ax.get_figure()
        assert isinstance(fig, Figure)
        wide = ax.get_position().width * fig.get_figwidth()
        title = wrap_to(title, wide, float(plt.rcParams["axes.titlesize"]))
        xlabel = wrap_to(xlabel, wide, float(plt.rcParams["axes.labelsize"]))
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(*Y_RANGE)
    # After every limit is set: adjustText works in the axes' display coordinates.
    return _name_points(ax, [in_text(names[k]) for k in named], x[named], y[named], dots)


def _name_points(
    ax: Axes,
    names: list[str],
    x: np.ndarray,
    y: np.ndarray,
    dots: PathCollection,
) -> list[str]:
    """Names the points ``(x, y)``, each beside its point; of two or more, moved apart and
    off all the panel's ``dots`` by adjustText, each joined to its point by a thin line when moved
    away: names of close states ran into each other ("Bahrain" over "Kuwait"; an audit,
    decision 640). A fixed number of steps, so that the same figure comes out each time
    (adjustText's default is a time limit). At a page's width, a name that still
    overprints one placed before it (the furthest from the line first) is taken away with
    its line: at 3.5 in "Bahrain" ran over "Kuwait" (an outside check, decision 962); the
    names left out are returned."""
    if len(names) == 1:
        ax.annotate(names[0], (x[0], y[0]), xytext=(3, 3), textcoords="offset points", fontsize=7)
        return []
    if not names:
        return []
    from adjustText import adjust_text

    labels = [ax.text(px, py, name, fontsize=7) for name, px, py in zip(names, x, y, strict=True)]
    adjust_text(
        labels,
        objects=dots,
        ax=ax,
        iter_lim=LABEL_STEPS,
        # Room around each name: at adjustText's default (1.05, 1.2) two names could end
        # touching ("TunisiaOman") and a name could stay on its dot (an outside check,
        # decision 826).
        expand=LABEL_ROOM,
        force_text=(0.2, 0.4),
        force_static=(0.3, 0.6),
        arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.5},
    )
    _beside_own(ax, labels, np.column_stack([x, y]), dots)
    return _apart(ax, labels) if page_width() is not None else []


def _beside_own(ax: Axes, labels: list[Any], points: np.ndarray, dots: PathCollection) -> None:
    """Each of :func:`_name_points`' names that is not clear of the other points and
    names (:func:`_unclear`) moved to the first place beside its own point that is,
    without the line that joined it there; one with no such place stays where adjustText
    left it. adjustText left "Pakistan" under another state's dot, between its own point
    and Cuba's, across the line that joins "Cuba" to its point: which point it named
    could not be told (sino_soviet's correlation figure; an outside check, decision
    1036)."""
    fig = ax.get_figure()
    assert fig is not None
    fig.set_dpi(DPI)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    every = ax.transData.transform(np.asarray(dots.get_offsets(), dtype=np.float64))
    own = ax.transData.transform(points)
    inside = ax.get_window_extent(renderer)
    pt = fig.dpi / 72.0
    for i, label in enumerate(labels):
        if not _unclear(ax, labels, i, own[i], every, renderer):
            continue
        box = label.get_window_extent(renderer)
        half_w, half_h = box.width / 2, box.height / 2
        radius = NAME_DOT_PT / 2 * pt
        start = ax.transData.transform(label.get_position())
        for gap in (1.5, 4.0, 8.0):
            reach = radius + gap * pt
            for dx, dy in NAME_PLACES:
                centre = own[i] + np.array([dx * (reach + half_w), dy * (reach + half_h)])
                moved = start + centre - np.array([box.x0 + half_w, box.y0 + half_h])
                label.set_position(ax.transData.inverted().transform(moved))
                placed = label.get_window_extent(renderer)
                if (
                    placed.x0 >= inside.x0
                    and placed.x1 <= inside.x1
                    and placed.y0 >= inside.y0
                    and placed.y1 <= inside.y1
                    and not _unclear(ax, labels, i, own[i], every, renderer)
                ):
                    _drop_leader(ax, label)
                    break
            else:
                continue
            break
        else:
            label.set_position(ax.transData.inverted().transform(start))


def _leaders(ax: Axes) -> dict[int, Any]:
    """The lines adjustText draws from a name to its point, by the name's ``id``."""
    ends = {id(p): getattr(p, "patchA", None) for p in ax.patches}
    return {id(end): p for p in ax.patches if (end := ends[id(p)]) is not None}


def _drop_leader(ax: Axes, label: Any) -> None:
    for patch in list(ax.patches):
        if getattr(patch, "patchA", None) is label:
            patch.remove()


def _unclear(
    ax: Axes,
    labels: list[Any],
    i: int,
    own: np.ndarray,
    every: np.ndarray,
    renderer: Any,
) -> bool:
    """Whether name ``i`` cannot be told to name its point ``own`` (display pixels): its
    box within NAME_CLEAR_PT of another point's dot (``every``: all the panel's points),
    or no nearer its own point than another (a reader takes a name for its nearest
    point's, whatever line joins it to its own); or over (NAME_PAD_PX) another name or
    the line joining another name to its point."""
    fig = ax.get_figure()
    assert fig is not None
    pt = fig.dpi / 72.0
    box = labels[i].get_window_extent(renderer)

    def reach(point: np.ndarray) -> float:
        """Pixels from the box to a point's centre (0 inside)."""
        dx = max(box.x0 - point[0], 0.0, point[0] - box.x1)
        dy = max(box.y0 - point[1], 0.0, point[1] - box.y1)
        return float(np.hypot(dx, dy))

    others = [p for p in every if np.hypot(*(p - own)) > 0.5]
    clear = (NAME_CLEAR_PT + NAME_DOT_PT / 2) * pt
    # Read as naming the point it is nearest, whatever line joins it to its own.
    mine = reach(own)
    if any(reach(p) < clear or reach(p) <= mine for p in others):
        return True
    padded = box.padded(NAME_PAD_PX / 2)
    for j, other in enumerate(labels):
        if j == i or other.axes is None:
            continue
        if padded.overlaps(other.get_window_extent(renderer).padded(NAME_PAD_PX / 2)):
            return True
    for key, patch in _leaders(ax).items():
        if key == id(labels[i]):
            continue
        path = patch.get_path().transformed(patch.get_transform())
        if path.intersects_bbox(padded, filled=False):
            return True
    return False


# Where :func:`_beside_own` tries a name, in order: right of its point, left, above,
# below, then the four corners (x, y: -1, 0 or 1 side of the point).
NAME_PLACES = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]
# A correlation panel's dot (scatter s=14, its diameter in points) and the least room a
# name keeps from every other point, points.
NAME_DOT_PT = float(np.sqrt(14.0))
NAME_CLEAR_PT = 3.0


def _apart(ax: Axes, labels: list[Any]) -> list[str]:
    """:func:`_name_points`' names at a page's width that overprint (or come within
    NAME_PAD_PX of) one kept before them, removed with the line that joins them to their
    point; their names, in order."""
    fig = ax.get_figure()
    assert fig is not None
    fig.set_dpi(DPI)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    kept: list[Any] = []
    dropped: list[str] = []
    for label in labels:
        box = label.get_window_extent(renderer).padded(NAME_PAD_PX / 2)
        if any(box.overlaps(k.get_window_extent(renderer).padded(NAME_PAD_PX / 2)) for k in kept):
            for patch in list(ax.patches):
                if getattr(patch, "patchA", None) is label:
                    patch.remove()
            label.remove()
            dropped.append(str(label.get_text()))
        else:
            kept.append(label)
    return dropped


# Pixels kept between two point names at a page's width (at the saved resolution).
NAME_PAD_PX = 2.0


# Steps of adjustText's repulsion: enough for the 15 names a panel may carry.
LABEL_STEPS = 400
# How much larger than its text a name's box counts in adjustText's repulsion (x, y).
LABEL_ROOM = (1.3, 1.6)

# A correlation panel names its states beside their points up to this many; of more, the
# few furthest from the least-squares line.
NAMED_POINTS = 15
FARTHEST_NAMED = 3
