"""Trust in each power over time: one panel per group, a line per power and scenario.

The scenario's events are drawn as thin grey dotted vertical lines through
every panel (dotted, so they are not taken for grid lines; no scenario's line
is dotted, :func:`~sim.plots.palette.scenario_linestyles`).
Key events (``key: true`` in the scenario; without any, a selection by kind:
interventions, withdrawals and regime changes first) are labelled above the
panels, horizontally, in up to ``LANES`` lanes: each label goes into the
first lane where its drawn bounding box overlaps no other label, and an
event that fits no lane stays an unlabelled tick. So labels never collide.
Each label starts (or ends) at its own tick, beside the other ticks of its
month. Key events that no arrangement of the lanes holds get lanes above
them, up to ``KEY_LANES`` (the strip grows to its highest label); the
report's caption names the key events left without a label
(:func:`unlabelled_note`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox, ScaledTranslation

from sim.analysis.paired import runs_at, value_order, value_text
from sim.catalogue import SERIES_METRICS
from sim.columns import distinct
from sim.plots.figure import (
    DPI,
    LINE_SPACING,
    PAGE_HEIGHT_IN,
    PAGE_LEFT_IN,
    add_heading,
    coincide_note,
    coincide_texts,
    coinciding,
    date_axis,
    date_label,
    draw_band,
    fill_pages,
    fit_page,
    group_order,
    group_phrase,
    heading_in,
    in_words,
    legend_below_in,
    nice,
    outside_legend,
    page_room,
    page_width,
    parameter_label,
    series_label,
    set_theme,
    step_times,
    time_band,
    to_datetime,
    with_scenarios,
    wrap_to,
)
from sim.plots.palette import power_markers, power_palette, scenario_linestyles
from sim.results import EVENT_COLUMNS

EVENT_FONT_PT = 7.5
LANES = 4
MAX_LABELS = 14
_OVERHANG_IN = 0.3
# The gap between a page-width figure's columns: the second's y tick labels and axis label.
_PAGE_GAP_IN = 0.6
# The narrowest a trajectories panel is drawn beside another at a page's width, inches.
_PAGE_LEAST_IN = 1.8
KIND_PRIORITY = (
    "intervene",
    "withdraw",
    "expelled",
    "regime_change",
    "recognize",
    "rapprochement",
    "side_with_adversary",
    "base_loss",
    "refuse_aid",
    "capability_change",
    "client_harmed",
    "support",
    "propaganda",
    "rhetoric",
    "relation",
)
_LABEL_CHARS = 34
_PANEL_HEIGHT_IN = 2.3
_WIDTH_IN = 10.0
_STRIP_IN = 0.95
# A trajectories figure's height beyond its strip and rows (its gaps and margins), inches;
# the share of its height between its strip's top and its lowest panels' foot (the
# gridspec's top and bottom); and the room under them for the dates at a page's width.
_PAGE_ROOM_IN = 0.6
_AREA = 0.98 - 0.06
_DATES_IN = 0.6
_AXES_FRACTION = 0.78
# At most this many dates labelled under a panel of the figure across a parameter.
ACROSS_TICKS = 5
# The strip's tick of an event whose actor has no line in the figure: a state, or a power
# left out by --powers, whose colour would be in no legend (an audit of the figures).
OTHER_ACTOR_COLOR = "0.3"
OTHER_ACTOR_LABEL = "event by an actor without a line"
_TICK: dict[str, Any] = {"marker": "|", "ms": 7, "mew": 1.6}
# Its own shape too: a power coloured black (Okabe-Ito's seventh) ticked in a grey that
# colour alone did not tell apart (an outside check of the figures; decision 801).
_OTHER_TICK: dict[str, Any] = {"marker": "x", "ms": 5, "mew": 1.3}


# What makes two scenarios' events one event (unique_events; the explorer's page too).
EVENT_KEYS = ["date", "label", "kind", "actor"]


def unique_events(events: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """One row per distinct (date, label, kind, actor), sorted by date, with ``text`` (the
    label, and which scenarios have it when not all do), ``when`` and ``key``."""
    # Only the scenarios drawn (an incomplete sweep may not have run them all yet).
    events = events[events["scenario"].isin(list(scenarios))]
    if events.empty:
        return events.assign(text=pd.Series(dtype=str), when=pd.Series(dtype="datetime64[ns]"))
    keys = EVENT_KEYS
    if "magnitude" not in events:
        events = events.assign(magnitude=float("nan"))
    if "id" not in events:
        events = events.assign(id=None)
    merged = (
        events.fillna({"actor": ""})
        .groupby(keys, sort=False)
        .agg(
            scenario=("scenario", lambda s: sorted(set(s))),
            id=("id", "first"),
            key=("key", "any"),
            magnitude=("magnitude", "max"),
        )
        .reset_index()
    )

    def text(row: pd.Series) -> str:
        label = str(row["label"])
        if len(label) > _LABEL_CHARS:
            label = label[: _LABEL_CHARS - 1] + "\u2026"
        have = row["scenario"]
        if len(have) == len(scenarios):
            return label
        if len(have) == 1:
            return f"{label} ({have[0]} only)"
        return f"{label} (not {', '.join(s for s in scenarios if s not in have)})"

    merged["text"] = merged.apply(text, axis=1)
    merged["when"] = to_datetime(merged["date"]).to_numpy()
    return merged.sort_values(["when", "label"], kind="stable").reset_index(drop=True)


def _priority(events: pd.DataFrame) -> Callable[[int], tuple[bool, int, float, int]]:
    """The sort key of :func:`label_priority` for a row position."""
    rank = {kind: i for i, kind in enumerate(KIND_PRIORITY)}
    sizes = events["magnitude"].fillna(0.0).to_numpy(float)
    keys = events["key"].to_numpy(bool)
    kinds = [rank.get(str(kind), len(rank)) for kind in events["kind"]]
    return lambda i: (not keys[i], kinds[i], -float(sizes[i]), int(i))


def label_priority(events: pd.DataFrame) -> list[int]:
    """Row positions of ``events`` (:func:`unique_events`) in the order their labels are
    placed: key events first, then by kind (:data:`KIND_PRIORITY`), the larger magnitude
    first within a kind (none counts as 0), then by date."""
    order = sorted(range(len(events)), key=_priority(events))
    if events["key"].any():
        order = [i for i in order if bool(events["key"].iloc[i])]
    return order


# Ticks of events on one date stand side by side, this many points apart (a tick is 1.6
# points wide): drawn at one place, the last hid the others, and a label could point at
# another power's colour (decision 599).
TICK_GAP_PT = 2.4


def tick_shifts(events: pd.DataFrame) -> list[float]:
    """Each event's tick's shift in points from its date: 0 for an event alone on its
    date; among events of one date, 0 for the first in label order (key, kind,
    magnitude: the one most likely labelled), then +1, -1, +2, ... gaps."""
    priority = _priority(events)
    shifts = [0.0] * len(events)
    for rows in events.groupby("when", sort=False).indices.values():
        for k, i in enumerate(sorted(rows, key=priority)):
            shifts[i] = TICK_GAP_PT * ((k + 1) // 2) * (1 if k % 2 else -1)
    return shifts


def _shifted(strip: Axes, points: float) -> Any:
    """The strip's data coordinates moved right by ``points``."""
    figure = strip.get_figure()
    assert figure is not None
    if not points:
        return strip.transData
    return strip.transData + ScaledTranslation(points / 72.0, 0.0, figure.dpi_scale_trans)


def draw_events(
    strip: Axes,
    panels: Sequence[Axes],
    events: pd.DataFrame,
    palette: dict[str, str],
) -> list[Text]:
    """Event markers and labels.

    Every event: a thin dotted grey line through each panel (gid ``event``) and a
    tick on the strip's baseline coloured by the acting power (``palette``: the powers
    drawn; any other actor's tick is a cross of :data:`OTHER_ACTOR_COLOR`). Labels, in
    :func:`label_priority` order, each in the first of ``LANES`` lanes where its
    bounding box (measured on the drawn figure) overlaps no placed label, else the
    arrangement :func:`_search` finds; key events it leaves without a label are
    searched again in up to :data:`KEY_LANES` lanes, those above the strip's top (the
    fewest lanes that label the most; :func:`_trim_strip` grows the strip to them).
    Labelled events get a darker line and a leader from the tick to the label.

    Returns:
        The label texts placed (their bounding boxes never overlap).
    """
    strip.set_ylim(0.0, 1.0)
    strip.set_axis_off()
    if events.empty:
        return []
    when = mdates.date2num(events["when"].to_numpy())
    figure = strip.get_figure()
    assert figure is not None
    shifts = tick_shifts(events)
    lines = []
    for x, actor, shift in zip(when, events["actor"], shifts, strict=True):
        # Dotted, so that an event is not taken for a grid line (solid, of the same grey).
        lines.append(
            [ax.axvline(x, color="0.7", lw=0.7, ls=":", zorder=1, gid="event") for ax in panels]
        )
        strip.plot(
            [x],
            [0.0],
            **(_TICK if actor in palette else _OTHER_TICK),
            color=palette.get(actor, OTHER_ACTOR_COLOR),
            clip_on=False,
            gid="event",
            transform=_shifted(strip, shift),
        )
    # Measure the labels at the resolution they are saved at: hinted text is wider, in
    # proportion, at 150 dpi than at matplotlib's 100 (8% for an audit's two labels,
    # which touched once saved).
    figure.set_dpi(DPI)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    # Labels may run a little past the panels' right edge, never past the figure's left.
    right = strip.get_window_extent(renderer).x1 + _OVERHANG_IN * figure.dpi
    if page_width() is not None:
        # A page's width is all the figure has, and all of it the labels may use: the
        # strip's ticks stand over the first column, its labels may run on over the
        # others (three labels of a sweep's strip at 6.5 in, the space over its right-hand
        # column empty; decision 956).
        fig_box = figure.get_tightbbox(renderer)
        right = max(
            strip.get_window_extent(renderer).x1,
            float(fig_box.x0 * figure.dpi) + page_room() * figure.dpi - 2.0,
        )
    left = figure.get_window_extent(renderer).x0
    # Each label starts (or ends) at its own tick, shifted from its date with the other
    # events of the month: placed at the date, two labels of one month each ran over the
    # other's leader in every arrangement, and only one was labelled (decision 836).
    x_px = [
        float(_shifted(strip, shift).transform((float(x), 0.0))[0])
        for x, shift in zip(when, shifts, strict=True)
    ]

    def label(i: int, lane: int, ha: str, broken: bool = False) -> Text:
        text = str(events["text"].iloc[i])
        return strip.text(
            float(when[i]),
            _lane_y(lane),
            two_lines(text) if broken else text,
            ha=ha,
            va="bottom",
            fontsize=EVENT_FONT_PT,
            color="0.1",
            gid="event-label",
            transform=_shifted(strip, shifts[i]),
        )

    cache: dict[tuple[int, int, str, bool], _Place | None] = {}

    def place_at(i: int, lane: int, ha: str, broken: bool = False) -> _Place | None:
        """Event ``i``'s label in ``lane``, aligned ``ha`` (``broken``: on two lines,
        :func:`two_lines`), its box measured; None where it does not fit in the figure."""
        if (i, lane, ha, broken) not in cache:
            text = label(i, lane, ha, broken)
            drawn = text.get_window_extent(renderer)
            text.remove()
            box = drawn.expanded(1.04, 1.1)
            clear = LEADER_CLEAR_PT * figure.dpi / 72.0
            ink = Bbox.from_extents(drawn.x0 - clear, drawn.y0, drawn.x1 + clear, drawn.y1)
            fits = left <= box.x0 and box.x1 <= right
            place = _Place(i, lane, ha, box, ink, x_px[i], broken)
            cache[i, lane, ha, broken] = place if fits else None
        return cache[i, lane, ha, broken]

    def places_in(lanes: int, broken: bool = False) -> Callable[[int], Iterator[_Place]]:
        """An event's places in ``lanes`` lanes, in the order they are tried
        (:func:`_tries`); ``broken``: then each on two lines, where its label has a space."""
        tries = [(lane, ha, False) for lane, ha in _tries(lanes)]
        if broken:
            tries += [(lane, ha, True) for lane, ha in _tries(lanes)]

        def places(i: int) -> Iterator[_Place]:
            for lane, ha, two in tries:
                if two and "\n" not in two_lines(str(events["text"].iloc[i])):
                    continue
                if (p := place_at(i, lane, ha, two)) is not None:
                    yield p

        return places

    order = label_priority(events)
    places = places_in(LANES)
    chosen = _greedy(order, places)
    if len(chosen) < len(order) <= KEY_SEARCH:
        # A key event is to be labelled whatever its kind; the greedy order (by kind) can
        # leave one without room that another arrangement has (an audit's Iraq case: the
        # withdrawal, under a later label that ran over its tick). Searched in the label
        # order, so that of the arrangements with the most labels the one found first
        # keeps the events first in that order: in date order, a tie went to the earlier
        # events (decision 836). A strip without key events is searched too: the tour's
        # five events of 2024 stood under "Patron withdraws", its label over their ticks,
        # where a staircase of lanes labels them all (an outside review; decision 947).
        searched = _search(order, places)
        if len(searched) > len(chosen):
            chosen = searched
    if len(chosen) < len(order) <= KEY_SEARCH and bool(events["key"].any()):
        # Key events that no arrangement of the four lanes holds get lanes above them, as
        # few as label the most: a long label over the next key event's tick makes that
        # event's label go under it, and a chain of such labels needs a lane each (an
        # outside review's Iraq case at 6.5 in: seven key events, each label but the
        # last over the next one's tick, five labelled in four lanes; decision 1019).
        for lanes in range(LANES + 1, KEY_LANES + 1):
            searched = _search(order, places_in(lanes))
            if len(searched) > len(chosen):
                chosen = searched
            if len(chosen) == len(order):
                break
    if len(chosen) < len(order) <= KEY_SEARCH and bool(events["key"].any()):
        # Still a key event left: labels on two lines too, each after its places on one
        # (the fewest lanes again). At a single column's 3.3 in the flagship's "Russian
        # intervention (not abstained)" (2015-09) ran over the ticks of 2021-2024, whose
        # long labels, ending at their ticks, ran back over its own: no lanes held both
        # (decision 1040).
        for lanes in range(LANES, KEY_LANES + 1):
            searched = _search(order, places_in(lanes, broken=True))
            if len(searched) > len(chosen):
                chosen = searched
            if len(chosen) == len(order):
                break
    placed: list[Text] = []
    for place in chosen:
        i, x = place.event, float(when[place.event])
        placed.append(label(i, place.lane, place.ha, place.broken))
        strip.plot(
            [x, x],
            [0.0, _lane_y(place.lane)],
            color="0.45",
            lw=0.6,
            clip_on=False,
            transform=_shifted(strip, shifts[i]),  # up from its own tick
        )
        for line in lines[i]:
            line.set(color="0.45", lw=0.8)
    return placed


@dataclass(frozen=True)
class _Place:
    """A label's place on the event strip: its event's row, lane, alignment, its box
    (pixels, padded: no other label's box may overlap it), its text's extent with
    :data:`LEADER_CLEAR_PT` either side (no other leader may cross it), and the pixel x
    of the event's tick, where its leader runs up; ``broken``: the label on two lines
    (:func:`two_lines`), which reach into the lane above."""

    event: int
    lane: int
    ha: str
    box: Bbox
    ink: Bbox
    x: float
    broken: bool = False


def two_lines(text: str) -> str:
    """An event's label on two lines: its scenarios (:func:`unique_events`' ``(not
    abstained)``) under the rest, else broken at the space nearest its middle; ``text``
    itself when it has no space. The strip tries it where a key event finds no place on
    one line (decision 1040)."""
    spaces = [k for k, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    k = text.rfind(" (")
    if k <= 0:
        k = min(spaces, key=lambda k: abs(2 * k - len(text)))
    return f"{text[:k]}\n{text[k + 1 :]}"


# How far (points) a leader passes at least beside another event's label: the ticks of one
# month stand TICK_GAP_PT apart, and a label's padded box (4% of its width) reached past
# the next tick, so a second label of the month had no place (decision 836).
LEADER_CLEAR_PT = 1.5


def _tries(lanes: int) -> list[tuple[int, str]]:
    """A label's places in the order tried: each lane from the lowest, left-aligned at its
    tick (the label on the tick's right), then each lane right-aligned (ending at it)."""
    return [(lane, ha) for ha in ("left", "right") for lane in range(lanes)]


# The most lanes a strip grows to for its key events when no arrangement of LANES lanes
# labels them all (the strip is as high as its highest label, :func:`_trim_strip`).
KEY_LANES = 8
# At most this many key events are placed by :func:`_search` when the greedy order leaves
# one without a label (an exhaustive search, bounded by SEARCH_NODES).
KEY_SEARCH = 12
SEARCH_NODES = 200_000


def _lane_y(lane: int) -> float:
    return 0.1 + lane * (0.9 / LANES)


def _clash(a: _Place, b: _Place) -> bool:
    """Whether two labels cannot both be placed: their boxes overlap (in one lane, or a
    label on two lines in the lane above it), or one's leader, running up from the
    baseline, crosses the other's text (:attr:`_Place.ink`) in a lower lane."""
    if a.lane == b.lane or a.box.overlaps(b.box):
        return bool(a.box.overlaps(b.box))
    low, high = (a, b) if a.lane < b.lane else (b, a)
    return bool(low.ink.x0 <= high.x <= low.ink.x1)


def _greedy(order: Sequence[int], places: Callable[[int], Iterator[_Place]]) -> list[_Place]:
    """Each label in ``order`` at its first place that clashes with none placed before,
    until MAX_LABELS are placed: one that finds no room leaves it to the next (a crowded
    stretch must not use up the tries of the rest)."""
    chosen: list[_Place] = []
    for i in order:
        if len(chosen) == MAX_LABELS:
            break
        place = next((p for p in places(i) if not any(_clash(p, q) for q in chosen)), None)
        if place is not None:
            chosen.append(place)
    return chosen


def _search(order: Sequence[int], places: Callable[[int], Iterator[_Place]]) -> list[_Place]:
    """The most labels of ``order`` that can be placed without a clash, found depth first
    (each label at one of its places, or none), the places in the greedy's order of
    preference; of arrangements with as many labels, the one whose labelled events come
    earliest in ``order`` (their positions compared in turn). Stops at a full placement
    or after SEARCH_NODES steps.

    The tie matters: the Horn case's strip has room for seven of its nine key events,
    and the first seven found left out "Berbera access" (an intervention, alone in its
    stretch) for "Mengistu in power" (a relation, last in the label order); decision 836.
    """
    best: list[_Place] = []
    ranks: tuple[int, ...] = ()  # the positions in ``order`` of best's events
    chosen: list[_Place] = []
    taken: list[int] = []
    nodes = 0
    # Every place measured once, and which places clash with which as bits of an integer
    # (a place's own event's others never clash: one is chosen at most), so that a step
    # tests its place against the chosen at once: the grown strips of decision 1019
    # search up to KEY_LANES lanes, twice the places, where testing each pair at each
    # step took seconds.
    options = [list(places(i)) for i in order]
    flat = [place for opts in options for place in opts]
    ids: list[range] = []
    for opts in options:
        start = ids[-1].stop if ids else 0
        ids.append(range(start, start + len(opts)))
    clashes = [0] * len(flat)
    for a, pa in enumerate(flat):
        for b in range(a + 1, len(flat)):
            if pa.event != flat[b].event and _clash(pa, flat[b]):
                clashes[a] |= 1 << b
                clashes[b] |= 1 << a
    used = 0

    def hopeless(k: int) -> bool:
        """Whether no arrangement that decides the events from ``k`` on beats ``best``:
        fewer labels at most, or as many only by labelling every one of them, with
        events later in the order than best's."""
        room = len(chosen) + len(order) - k
        if room != len(best):
            return room < len(best)
        return (*taken, *range(k, len(order))) >= ranks

    def visit(k: int) -> bool:
        nonlocal best, ranks, nodes, used
        nodes += 1
        if len(chosen) > len(best) or (len(chosen) == len(best) and tuple(taken) < ranks):
            best, ranks = list(chosen), tuple(taken)
        if k == len(order) or len(best) == len(order):
            return len(best) == len(order)
        if nodes > SEARCH_NODES or hopeless(k):
            return False
        for n in ids[k]:
            if not clashes[n] & used:
                chosen.append(flat[n])
                taken.append(k)
                used |= 1 << n
                if visit(k + 1):
                    return True
                used &= ~(1 << n)
                chosen.pop()
                taken.pop()
        return visit(k + 1)

    visit(0)
    return best


def trajectory_panel(
    series: pd.DataFrame,
    *,
    ax: Axes | None = None,
    scenarios: Sequence[str] | None = None,
    palette: dict[str, str] | None = None,
) -> Axes:
    """Draw one group's trajectories: a line per power (palette colour and
    :func:`~sim.plots.palette.power_markers`' marker) and scenario (line style), mean
    across runs with a 95% band when there are several.

    Args:
        series: tidy rows of one group and one metric: ``date, power, value``,
            plus ``scenario`` when there are several.
        ax: axes to draw on (a new figure when omitted).
        scenarios: scenario order for line styles (default: order of appearance).
        palette: colour per power (default: :func:`power_palette` of the powers drawn).
    """
    ax = plt.subplots(figsize=(8, 3))[1] if ax is None else ax
    frame, order = with_scenarios(series, scenarios)
    styles = scenario_linestyles(order)
    colors = palette if palette is not None else power_palette(frame["power"])
    markers = power_markers(colors)
    cells = time_band(frame, ["scenario", "power"])
    powers = [str(p) for p in distinct(cells["power"])]
    for (scenario, power), cell in cells.groupby(["scenario", "power"], sort=False):
        draw_band(
            ax,
            cell["when"].to_numpy(),
            cell,
            colors[str(power)],
            ls=styles[str(scenario)],
            label=f"{power}|{scenario}",
            **marker_style(markers[str(power)], len(cell), powers.index(str(power)), len(powers)),
        )
    date_axis(ax)
    return ax


MARKS_PER_LINE = 8


def mark_every(points: Any, place: Any, lines: int) -> tuple[Any, Any]:
    """``(first, every)``: the steps of a line of ``points`` steps that carry its marker,
    about :data:`MARKS_PER_LINE` of them, the ``place``-th of ``lines`` lines shifted along
    so that the marks of lines lying together fall side by side, not on one another.
    Integers, or numpy arrays of them element by element (the explorer's rows)."""
    every = np.maximum(1, points // MARKS_PER_LINE)
    return place * every // max(lines, 1), every


def marker_style(marker: str, points: int, place: int, lines: int) -> dict[str, Any]:
    """Line keywords for a power's marker on a trajectory of ``points`` steps
    (:func:`mark_every`)."""
    if not marker:
        return {}
    first, every = mark_every(points, place, lines)
    return {
        "marker": marker,
        "markevery": (int(first), int(every)),
        "ms": 4.5,
        "mec": "white",
        "mew": 0.5,
    }


def _legend(
    ax: Axes,
    palette: dict[str, str],
    powers: Sequence[str],
    scenarios: Sequence[str],
    *,
    others: bool = False,
) -> None:
    """The powers' lines, the scenarios' styles when there are several, and the grey
    tick of an event by an actor without a line when the strip has one (``others``)."""
    handles, title = _legend_handles(palette, powers, scenarios, others)
    outside_legend(ax, title, handles, x=1.01)


def _legend_handles(
    palette: dict[str, str], powers: Sequence[str], scenarios: Sequence[str], others: bool
) -> tuple[list[Artist], str]:
    """:func:`_legend`'s handles and title."""
    markers = power_markers(palette)
    handles: list[Artist] = [
        Line2D([], [], color=palette[p], lw=2, label=p, **marker_style(markers[p], 1, 0, 1))
        for p in powers
    ]
    if others:
        handles.append(
            Line2D(
                [], [], ls="none", color=OTHER_ACTOR_COLOR, label=OTHER_ACTOR_LABEL, **_OTHER_TICK
            )
        )
    if len(scenarios) > 1:
        styles = scenario_linestyles(scenarios)
        handles.append(Line2D([], [], color="none", label=""))
        handles += [Line2D([], [], color="0.3", ls=styles[s], lw=1.6, label=s) for s in scenarios]
    title = "Power" + (" / scenario" if len(scenarios) > 1 else "")
    return handles, title


def _row_in(n_groups: int) -> float:
    """The height of a group's row of trajectories panels, inches, in a figure of
    ``n_groups`` groups (its parts keep the whole figure's)."""
    return _PANEL_HEIGHT_IN if n_groups <= 4 else 1.9


def metrics_stacked(n_metrics: int) -> bool:
    """Whether :func:`trajectories_figure` draws a group's ``n_metrics`` panels (trust,
    affinity) one under another: at a page's width too narrow for them side by side."""
    if page_width() is None or n_metrics < 2:
        return False
    panel_in = (page_room() - PAGE_LEFT_IN - 0.1 - (n_metrics - 1) * _PAGE_GAP_IN) / n_metrics
    return panel_in < _PAGE_LEAST_IN


def trajectory_parts(
    series: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    metrics: Sequence[str] = ("trust_mean",),
    phrases: Mapping[str, str] | None = None,
    heading: str | None = None,
) -> list[list[str]]:
    """The groups of each file :func:`trajectories_figure` draws ``series`` in: every
    group in one, but at a page's width where the rows of groups pass a page's height
    (:data:`~sim.plots.figure.PAGE_HEIGHT_IN`), whole rows a part, filled in order
    (:func:`~sim.plots.figure.fill_pages`), each part with the strip of events and the
    legend. A run of the Syria case at ``--width 6.5`` was one figure 18.46 in tall."""
    # The legend is measured in the theme it is drawn in, whatever was drawn before.
    set_theme()
    rows, scenarios = with_scenarios(
        series[series["metric"].isin(list(metrics)) & (series["power"] != "")]
    )
    groups = group_order(rows["group"], phrases or ())
    if page_width() is None or not groups:
        return [groups]
    stacked = len(metrics) if metrics_stacked(len(metrics)) else 1
    marks = unique_events(
        events if events is not None else pd.DataFrame(columns=EVENT_COLUMNS), scenarios
    )
    powers = distinct(rows["power"])
    others = not marks["actor"].isin(powers).all()
    handles, title = _legend_handles(power_palette(powers, powers), powers, scenarios, others)
    # The saved figure runs from the strip's top to the legend's foot: the figure's
    # share between them (``_AREA`` of its height: the strip, the gaps and the rows) and
    # under it the dates and the legend, over it the heading; round it, the saved file's
    # padding (savefig.pad_inches a side, which the strip counted whole hid: decision 1040).
    fixed = (
        _AREA * ((_STRIP_IN if len(marks) else 0.05) + _PAGE_ROOM_IN)
        + _DATES_IN
        + legend_below_in(handles, title)
        + (heading_in(heading) if heading is not None else 0.0)
        + 2 * float(plt.rcParams["savefig.pad_inches"])
    )
    row_in = _AREA * _row_in(len(groups)) * stacked
    if len(marks) and fixed + _GROWN_MOST_IN + row_in * len(groups) > PAGE_HEIGHT_IN:
        # The strip is cut down to its labels, or grown to the lanes over it that key
        # events take (draw_events, _trim_strip): counted whole, a part could save up to
        # some 0.85 in taller than planned, past the page (decision 1040). As drawn, then,
        # wherever that could matter: its labels stand alike in every part (the same
        # events over the same width), so one figure of one group shows how high it is.
        fixed += _strip_grown_in(series, events, metrics, phrases, groups[0])
    return fill_pages(groups, lambda part: fixed + row_in * len(part) <= PAGE_HEIGHT_IN)


# The most a trajectories figure's strip is drawn taller than its STRIP_IN: its labels in
# up to KEY_LANES lanes, the highest on two lines (decision 1040), with a tenth to spare.
_GROWN_MOST_IN = 1.1 * (
    _AREA * _STRIP_IN * (_lane_y(KEY_LANES - 1) - 1.0) + 2 * LINE_SPACING * EVENT_FONT_PT / 72
)


def _strip_grown_in(
    series: pd.DataFrame,
    events: pd.DataFrame | None,
    metrics: Sequence[str],
    phrases: Mapping[str, str] | None,
    group: str,
) -> float:
    """How much taller :func:`trajectories_figure` draws its strip of ``events`` than the
    whole strip it is laid out with, inches (less than 0 where it is cut down to its
    labels): measured on the figure of ``group`` alone, as drawn at this page's width."""
    figure = trajectories_figure(
        series, events, metrics=metrics, phrases=phrases, part=1, parts=[[group]]
    )
    try:
        strip = figure.axes[0]
        spec = strip.get_subplotspec()
        assert spec is not None
        whole = spec.get_position(figure).height
        return float((strip.get_position().height - whole) * figure.get_figheight())
    finally:
        plt.close(figure)


def trajectories_figure(
    series: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    metrics: Sequence[str] = ("trust_mean",),
    phrases: Mapping[str, str] | None = None,
    all_powers: Sequence[str] = (),
    heading: str | None = None,
    part: int | None = None,
    parts: Sequence[Sequence[str]] | None = None,
) -> Figure:
    """Series metrics (trust by default) in each power over time: a row of panels per
    group, a column per metric, the event strip on top.

    Args:
        series: tidy series (``date, group, power, metric, value``, optionally
            ``scenario`` and ``run_id``); only rows of ``metrics`` with a power are drawn.
        events: events as read by :func:`sim.results.scenario_events` (optional).
        metrics: the series metrics to draw, one column each.
        phrases: groups in words (:func:`~sim.plots.figure.group_phrases`).
        all_powers: every power of the folder's scenarios, which the colours are
            assigned among (:func:`~sim.plots.palette.power_palette`), so that a power
            keeps its colour in figures that draw different powers.
        heading: a line over the figure (:func:`~sim.plots.figure.add_heading`): which
            of a folder's scenarios it holds, when it holds some of them.
        part: the groups of the ``part``-th file of :func:`trajectory_parts` (from 1),
            each part with the whole strip of events and the whole legend, its rows as
            high as the whole figure's; ``None``, every group in one figure.
        parts: :func:`trajectory_parts` of these arguments where the caller has it (the
            gallery plans a figure's parts once for all its files); planned here if not.

    Returns:
        The figure; its first axes is the event strip, the others the panels
        row by row (group ``all`` first).
    """
    set_theme()
    rows, scenarios = with_scenarios(
        series[series["metric"].isin(list(metrics)) & (series["power"] != "")]
    )
    every = group_order(rows["group"], phrases or ())
    groups = every
    if part is not None:
        if parts is None:
            parts = trajectory_parts(series, events, metrics=metrics, phrases=phrases,
                                     heading=heading)  # fmt: skip
        groups = list(parts[part - 1])
    powers = distinct(rows["power"])
    marks = unique_events(
        events if events is not None else pd.DataFrame(columns=EVENT_COLUMNS), scenarios
    )
    # Colours among every power, so that each keeps its own; an event's actor without a
    # line (a state, or a power --powers left out) gets a grey cross (draw_events).
    palette = power_palette(powers, all_powers)
    n_cols = len(metrics)
    width = _WIDTH_IN + 4.5 * (n_cols - 1)
    left, right, wspace = 0.08, 0.08 + _AXES_FRACTION, 0.18
    page = page_width()
    panel_in = width * _AXES_FRACTION / n_cols
    stacked = 1  # the metrics of a group one under another (a narrow page)
    if page is not None:
        page = page_room()
        # At a page's width: the panels fill it, the legend goes under them and each
        # panel's title is wrapped to it (one column a metric, as at any width).
        width = page
        panel_in = (page - PAGE_LEFT_IN - 0.1 - (n_cols - 1) * _PAGE_GAP_IN) / n_cols
        if metrics_stacked(n_cols):
            # Too narrow a page for the metrics side by side: each under the other.
            stacked, n_cols = n_cols, 1
            panel_in = page - PAGE_LEFT_IN - 0.1
        left, right, wspace = PAGE_LEFT_IN / page, 1 - 0.1 / page, _PAGE_GAP_IN / panel_in
    strip_in = _STRIP_IN if len(marks) else 0.05
    panels_in = _row_in(len(every)) * len(groups) * stacked
    fig = plt.figure(figsize=(width, strip_in + panels_in + _PAGE_ROOM_IN))
    outer = fig.add_gridspec(
        2,
        1,
        height_ratios=[strip_in, panels_in],
        # A page's narrower panels wrap their titles to two lines: room for the second.
        hspace=(0.35 if page is None else 0.55) / ((strip_in + panels_in) / 2),
        left=left,
        right=right,
        top=0.98,
        bottom=0.06,
    )
    inner = outer[1].subgridspec(
        len(groups) * stacked, n_cols, hspace=0.35 if page is None else 0.5, wspace=wspace
    )
    # The strip sits over the first column only, so that its dates line up with the panels'.
    strip = fig.add_subplot(outer[0].subgridspec(1, n_cols, wspace=0.18)[0, 0])
    panels = [
        [
            fig.add_subplot(inner[(r * stacked + c, 0) if stacked > 1 else (r, c)], sharex=strip)
            for c in range(len(metrics))
        ]
        for r in range(len(groups))
    ]
    for r, group in enumerate(groups):
        for c, metric in enumerate(metrics):
            ax = panels[r][c]
            cell = rows[(rows["group"] == group) & (rows["metric"] == metric)]
            trajectory_panel(cell, ax=ax, scenarios=scenarios, palette=palette)
            entry = SERIES_METRICS.get(metric)
            what = entry.label if entry is not None else nice(metric)
            where = (phrases or {}).get(group) or group_phrase(group)
            towards = f"{entry.towards if entry is not None else 'in'} each power"
            title = (
                f"{what} {where} {towards}"
                if where.startswith("of ")
                else f"{what} {towards} {where}"
            )
            if page is not None:
                title = wrap_to(title, panel_in, 9.5)
            ax.set_title(title, loc="left", fontsize=9.5)
            ax.set_ylabel(series_label(metric) if c == 0 or len(set(metrics)) > 1 else "")
            low = entry.low if entry is not None and entry.low is not None else None
            high = entry.high if entry is not None and entry.high is not None else None
            if low is not None and high is not None:
                pad = 0.02 * (high - low)
                ax.set_ylim(low - pad, high + pad)
            ax.set_xlabel("")
            if r < len(groups) - 1:
                ax.tick_params(labelbottom=False)
    for ax in panels[-1]:
        ax.set_xlabel(date_label(rows))
    if stacked > 1:
        for ax in panels[-1][:-1]:  # the dates under the lowest panel only
            ax.set_xlabel("")
            ax.tick_params(labelbottom=False)
    times = step_times(rows)
    strip.set_xlim(mdates.date2num(times.min()), mdates.date2num(times.max()))
    others = not marks["actor"].isin(powers).all()
    _legend(panels[0][-1], palette, powers, scenarios, others=others)
    # Fitted to a page before the event labels are placed, which are measured as drawn.
    fit_page(fig)
    placed = draw_events(
        strip, [ax for row in panels for ax in row], marks, {p: palette[p] for p in powers}
    )
    _trim_strip(strip, placed)
    if heading is not None:
        add_heading(fig, heading, over=[strip, *panels[0]])
    return fig


def _strip_labels(
    figure: Figure,
    series: pd.DataFrame,
    events: pd.DataFrame,
    metrics: Sequence[str],
) -> tuple[pd.DataFrame, np.ndarray, set[tuple[str, float]]]:
    """The strip's events (:func:`unique_events` of the scenarios drawn), their dates as
    matplotlib numbers, and the labels the drawn strip placed, as (text, date number)."""
    _, scenarios = with_scenarios(
        series[series["metric"].isin(list(metrics)) & (series["power"] != "")]
    )
    marks = unique_events(events, scenarios)
    placed = {  # a label on two lines (two_lines) read as the one it was broken from
        (text.get_text().replace("\n", " "), float(text.get_position()[0]))
        for text in figure.axes[0].texts
        if text.get_gid() == "event-label"
    }
    return marks, mdates.date2num(marks["when"].to_numpy()), placed


def unlabelled_events(
    figure: Figure,
    series: pd.DataFrame,
    events: pd.DataFrame,
    metrics: Sequence[str] = ("trust_mean",),
) -> pd.DataFrame:
    """The events :func:`trajectories_figure`'s ``figure`` of ``series`` and ``events``
    was to label and left without a label (rows of :func:`unique_events`, in date order):
    the key events (``key: true``), or every event where none is key.

    The strip's labels keep off each other and each other's leaders in up to ``LANES``
    lanes (key events up to :data:`KEY_LANES`); a stretch of more events than that, or
    long labels each over a later event's tick, leaves some without a label even in the
    best arrangement (:func:`_search`).
    Read off the drawn strip: its labels (gid ``event-label``) at their events' dates.
    """
    marks, when, placed = _strip_labels(figure, series, events, metrics)
    if marks.empty:
        return marks
    wanted = set(label_priority(marks))
    left = [
        i
        for i, (text, x) in enumerate(zip(marks["text"], when, strict=True))
        if i in wanted and (text, float(x)) not in placed
    ]
    return marks.iloc[left]


# At most this many unlabelled events are named (label and date) in a caption; more are
# counted and given by id, month by month (a case of 49 events and no key event).
NAMED_UNLABELLED = 10


def unlabelled_note(
    figure: Figure,
    series: pd.DataFrame,
    events: pd.DataFrame,
    metrics: Sequence[str] = ("trust_mean",),
) -> str:
    """The trajectories' caption sentence naming the events the strip had no room to
    label (:func:`unlabelled_events`), ``""`` when it labelled every one: the README
    says key events are labelled first, and two of the Horn case's nine were left
    unlabelled without a word (an outside check; decision 836). A strip without key
    events left two of ten events of one month as ticks the caption said nothing of but
    "darker where labelled" (an outside check): they are named too, and where more than
    :data:`NAMED_UNLABELLED` are left, counted and given by id, month by month."""
    missing = unlabelled_events(figure, series, events, metrics)
    if missing.empty:
        return ""
    what = "Key events" if bool(missing["key"].any()) else "Events"
    if len(missing) <= NAMED_UNLABELLED:
        named = [f"{row.label} ({row.date})" for row in missing.itertuples()]
        return f"{what} not labelled, for want of room on the strip: {in_words(named)}."
    # An event without an id is given by its label (which is its id when it has one).
    months: dict[str, list[str]] = {}
    for date, ident, label in zip(missing["date"], missing["id"], missing["label"], strict=True):
        months.setdefault(str(date), []).append(ident if isinstance(ident, str) else str(label))
    by_month = "; ".join(f"{date} {', '.join(names)}" for date, names in months.items())
    return (
        f"{len(missing)} {what.lower()} are not labelled, for want of room on the strip; "
        f"by month, their ids: {by_month}."
    )


def shortened_note(
    figure: Figure,
    series: pd.DataFrame,
    events: pd.DataFrame,
    metrics: Sequence[str] = ("trust_mean",),
) -> str:
    """The trajectories' caption sentence giving whole the labels the strip drew cut
    short (longer than :data:`_LABEL_CHARS`, ending in an ellipsis), ``""`` when it cut
    none: a reader had "Russia begins its air campaign in s..." and no way to the rest
    (a left item of decision 989). Read off the drawn strip, as
    :func:`unlabelled_events` reads which labels it placed."""
    marks, when, placed = _strip_labels(figure, series, events, metrics)
    whole = [
        f"{row.label} ({row.date})"
        for row, x in zip(marks.itertuples(), when, strict=True)
        if len(str(row.label)) > _LABEL_CHARS and (row.text, float(x)) in placed
    ]
    if not whole:
        return ""
    return f"Labels cut short on the strip, in full: {'; '.join(whole)}."


def strip_note(
    figure: Figure,
    series: pd.DataFrame,
    events: pd.DataFrame,
    metrics: Sequence[str] = ("trust_mean",),
) -> str:
    """What the drawn strip of events leaves unsaid: the events it had no room to label
    (:func:`unlabelled_note`) and the labels it cut short (:func:`shortened_note`)."""
    said = (
        unlabelled_note(figure, series, events, metrics),
        shortened_note(figure, series, events, metrics),
    )
    return " ".join(s for s in said if s)


def _trim_strip(strip: Axes, placed: Sequence[Text]) -> None:
    """Fit the event strip to its highest label, every label where it was drawn.

    The strip has room for ``LANES`` lanes of labels; when fewer are used, the
    rest would be blank space at the top of the saved figure (the tight
    bounding box counts the strip's axes), and the strip is cut down. Key events
    placed in lanes above those (:data:`KEY_LANES`) stand over the strip, which
    grows up to them, over the figure's top (the saved figure's tight box takes them
    in, and a heading goes over the strip). The strip keeps its bottom and its scale,
    so nothing drawn moves.
    """
    figure = strip.get_figure()
    if figure is None or not placed:
        return
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    top_px = max(t.get_window_extent(renderer).y1 for t in placed)
    top = float(strip.transData.inverted().transform((0.0, top_px))[1])
    low, high = strip.get_ylim()
    if not low < top or top == high:
        return
    pos = strip.get_position()
    strip.set_position((pos.x0, pos.y0, pos.width, pos.height * (top - low) / (high - low)))
    strip.set_ylim(low, top)


def across_figure(
    series: pd.DataFrame,
    parameter: str,
    events: pd.DataFrame | None = None,
    *,
    metric: str = "trust_mean",
    phrases: Mapping[str, str] | None = None,
    all_powers: Sequence[str] = (),
    heading: str | None = None,
) -> Figure:
    """Small multiples: ``metric`` over time, a row per group and a column per value of
    ``parameter`` (every panel on the same y scale, events as unlabelled grey lines).

    Args:
        series: tidy series with the ``parameter`` column (a sweep's series).
        parameter: the varied parameter across the columns.
        events: events as read by :func:`sim.results.scenario_events` (optional).
        metric: the series metric to draw.
        phrases: groups in words.
        all_powers: every power of the folder's scenarios, which the colours are
            assigned among (:func:`~sim.plots.palette.power_palette`), so that a power
            keeps its colour in figures that draw different powers.
        heading: a line over the figure (:func:`~sim.plots.figure.add_heading`).
    """
    set_theme()
    rows, scenarios = with_scenarios(series[(series["metric"] == metric) & (series["power"] != "")])
    groups = group_order(rows["group"], phrases or ())
    values = value_order(rows[parameter])
    palette = power_palette(rows["power"], all_powers)
    size = (2.9 * len(values) + 1.6, 2.0 * len(groups) + 0.8)
    if page_width() is not None:
        size = (page_room(), size[1])  # the columns share the page (constrained layout)
    fig, axes = plt.subplots(
        len(groups),
        len(values),
        figsize=size,
        squeeze=False,
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    given = events if events is not None else pd.DataFrame(columns=EVENT_COLUMNS)
    # Each column marks the events where its runs had them (an event the parameter moves
    # was marked at the scenario file's date in every column; an outside check).
    marks = [unique_events(events_in_column(given, parameter, v), scenarios) for v in values]
    for r, group in enumerate(groups):
        for c, value in enumerate(values):
            ax = axes[r, c]
            cell = rows[(rows["group"] == group) & (rows[parameter] == value)]
            trajectory_panel(cell, ax=ax, scenarios=scenarios, palette=palette)
            # Panels under 3 inches wide: a date label every 4 or 5 years ran together.
            date_axis(ax, max_ticks=ACROSS_TICKS)
            for when in mdates.date2num(marks[c]["when"].to_numpy()):
                # Dotted and darker than the grid (0.8), which solid 0.82 lines were not.
                ax.axvline(when, color="0.55", lw=0.7, ls=":", zorder=1, gid="event")
            ax.set_ylim(-0.02, 1.02)
            ax.set_xlabel(date_label(rows) if r == len(groups) - 1 else "")
            if r == 0:
                column = f"{parameter_label(parameter)} = {value_text(value, 3)}"
                if page_width() is not None:
                    column = wrap_to(column, (page_room() - 1.0) / len(values), 9)
                ax.set_title(column, loc="left", fontsize=9)
        name = (phrases or {}).get(group) or group_phrase(group)
        axes[r, 0].set_ylabel(f"{series_label(metric)}\n{name}", fontsize=8)
    _legend(axes[0, -1], palette, distinct(rows["power"]), scenarios)
    if heading is not None:
        add_heading(fig, heading)
    return fig


def events_in_column(events: pd.DataFrame, parameter: str, value: Any) -> pd.DataFrame:
    """The events of :func:`across_figure`'s column at ``value`` of ``parameter``: the
    rows of ``events`` at that value where it has a ``parameter`` column (the events of
    each value's design point, :meth:`~sim.results.Results.events_at`), else all."""
    return runs_at(events, {parameter: value}) if parameter in events else events


def event_dates_note(
    events: pd.DataFrame, scenarios: Sequence[str], across: str | None = None
) -> str:
    """The caption's sentence on an event whose date differs between the lines one figure
    draws (``""`` when no event's does), so that a reader takes neither date for the
    other's: the scenarios' own dates (a counterfactual that moves an event), or, with
    ``across`` (the figure across a parameter, ``events`` holding its column), each
    column's, in the columns' order. Each date is marked; none of them is a date no drawn
    line ran."""
    events = events[events["scenario"].isin(list(scenarios))]
    events = events[events["id"].notna()]
    said = []
    for ident, rows in events.groupby("id", sort=False):
        if rows["date"].nunique() < 2:
            continue
        # Not in single quotes, which name a window in a caption (window_note).
        name = str(ident)
        labels = distinct(rows["label"])
        if len(labels) == 1 and labels[0] != ident:
            name += f' ("{labels[0]}")'
        # Each column's dates, where they differ between the columns (else the scenarios').
        columns = []
        if across is not None and across in rows:
            columns = [
                _dates_by_scenario(events_in_column(rows, across, value), scenarios)
                for value in value_order(rows[across])
            ]
        if len(set(columns)) > 1:
            joined = "; ".join(columns) if any(" in " in c for c in columns) else in_words(columns)
            said.append(
                f"each column marks the event {name} at its own date: {joined}, from left to right"
            )
        else:
            said.append(
                f"the event {name} falls on different dates in the scenarios drawn, each marked: "
                f"{_dates_by_scenario(rows, scenarios)}"
            )
    if not said:
        return ""
    text = "; ".join(said)
    return text[0].upper() + text[1:] + "."


def _dates_by_scenario(rows: pd.DataFrame, scenarios: Sequence[str]) -> str:
    """An event's dates in ``rows``: one date alone, else each with its scenarios."""
    dates = sorted(distinct(rows["date"]))
    if len(dates) == 1:
        return str(dates[0])
    have = [
        [s for s in scenarios if ((rows["date"] == d) & (rows["scenario"] == s)).any()]
        for d in dates
    ]
    return ", ".join(f"{d} in {in_words(names)}" for d, names in zip(dates, have, strict=True))


def _panel_sets(
    frame: pd.DataFrame, keys: Sequence[str], x: str = "step"
) -> list[tuple[tuple[object, ...], list[list[tuple[str, str]]]]]:
    """Per panel (the ``keys`` cell), the sets of (scenario, power) lines whose means
    over the runs coincide (:func:`~sim.plots.figure.coinciding`)."""
    frame, _ = with_scenarios(frame)
    means = frame.groupby([*keys, "scenario", "power", x], sort=False)["value"].mean()
    found: list[tuple[tuple[object, ...], list[list[tuple[str, str]]]]] = []
    for cell, lines in means.groupby(level=list(range(len(keys))), sort=False):
        wide = lines.unstack(x)
        order = {k: wide.loc[k].to_numpy(np.float64) for k in wide.index}
        sets = coinciding({(str(k[-2]), str(k[-1])): v for k, v in order.items()})
        if sets:
            found.append((cell if isinstance(cell, tuple) else (cell,), sets))
    return found


def overlap_note(
    series: pd.DataFrame,
    metrics: Sequence[str] = ("trust_mean",),
    phrases: Mapping[str, str] | None = None,
) -> str:
    """The trajectories' caption sentence on lines that coincide, so that a scenario or
    power drawn under another is not taken for missing (``""`` when none do)."""
    rows = series[series["metric"].isin(list(metrics)) & (series["power"] != "")]
    found = [
        (str(metric), str(group), lines)
        for (metric, group), sets in _panel_sets(rows, ["metric", "group"])
        for lines in sets
    ]
    return coincide_note(coincide_texts(found, phrases))


# A band that reaches less than this from its line on either side lies under the line:
# trust and affinity are drawn from 0 to 1, where the line (1.8 points) is 0.0115 thick
# in the tallest panel (a figure of one group) and 0.0152 with four groups (measured).
HIDDEN_REACH = 0.005


def hidden_band_note(series: pd.DataFrame, metrics: Sequence[str] = ("trust_mean",)) -> str:
    """The trajectories' caption sentence on bands their line hides: a figure whose
    replicates agree to a few thousandths showed no band, and its caption described one
    (an audit; decision 781). ``""`` with one run per line or when every band shows."""
    rows, _ = with_scenarios(series[series["metric"].isin(list(metrics)) & (series["power"] != "")])
    if rows.empty:
        return ""
    lines = ["metric", "group", "scenario", "power"]
    cells = time_band(rows, lines)
    if int(cells["n"].max()) <= 1:
        return ""
    mean = cells["mean"].to_numpy()
    reach = pd.Series(
        np.maximum(cells["hi"].to_numpy() - mean, mean - cells["lo"].to_numpy()),
        index=cells.index,
    )
    widest = reach.groupby([cells[k] for k in lines], sort=False, observed=True).max()
    hidden = int((widest < HIDDEN_REACH).sum())
    if hidden == 0:
        return ""
    if float(widest.max()) < 1e-12:  # the mean of equal values may differ in its last bit
        return "The replicates are equal at every step, so no band has any width."
    if hidden == len(widest):
        return (
            f"Every band lies within {value_text(float(widest.max()), 2)} of its line, "
            "which hides it: the replicates agree that closely."
        )
    return (
        f"The bands of {hidden} of the {len(widest)} lines lie within {HIDDEN_REACH} of "
        "their line, which hides them."
    )


def across_overlap_note(
    series: pd.DataFrame,
    parameter: str,
    metric: str = "trust_mean",
    phrases: Mapping[str, str] | None = None,
) -> str:
    """:func:`overlap_note` for the figure across ``parameter``: each set of coinciding
    lines once, with the values where they coincide (or "at every value")."""
    rows = series[(series["metric"] == metric) & (series["power"] != "")]
    values = value_order(rows[parameter])
    where: dict[str, list[object]] = {}
    for (group, value), sets in _panel_sets(rows, ["group", parameter]):
        for text in coincide_texts([(metric, str(group), lines) for lines in sets], phrases):
            where.setdefault(text, []).append(value)
    texts = [
        f"{text} (at every value)"
        if len(at) == len(values)
        else f"{text} (at {parameter_label(parameter)} "
        f"{in_words([value_text(v, 3) for v in value_order(pd.Series(at))])})"
        for text, at in where.items()
    ]
    return coincide_note(texts)
