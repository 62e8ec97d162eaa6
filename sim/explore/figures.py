"""The explorer's figures (Altair): trust over time, alignment, the network of states.

Each figure is a Vega-Lite spec (a dict): a chart built once with Altair
from named data sources (cached: building and validating an Altair chart
takes longer than a run), with the data of the run on the page filled in as
its ``datasets``. A test reads what is drawn from ``spec["datasets"]``.
Colours are the package's (:mod:`sim.plots.palette`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd

from sim.catalogue import SERIES_METRICS
from sim.errors import count_text
from sim.plots.alignment import ONE_STATE_POLES, poles_with_third_way
from sim.plots.figure import group_phrase, is_one_state, step_times, to_datetime
from sim.plots.palette import NONE_COLOR, power_markers, power_palette
from sim.plots.trajectories import EVENT_KEYS, mark_every
from sim.scenario.schema import Scenario

# Every chart's plotting area, pixels: the alignment's band names (share_labels) and the
# network's labels (_label_places) are placed in its pixels; the legends, titles and axes
# around it must fit the page's column with it (PAGE_FIT).
WIDTH = 560
REGIONAL = 300  # actors beyond which the network is laid out region by region
LABELLED = 80  # actors beyond which only the powers are named in the network
HEIGHT = 380  # the network's plotting area, pixels
# A network label's line height at 9 px (states) and 10 px (powers, bold), pixels: its
# box's height (its width is measured, label_width).
LABEL_HEIGHT = {"state": 10.0, "power": 12.0}
NONE = "none"
Spec = dict[str, Any]
if TYPE_CHECKING:
    from matplotlib.figure import Figure
Records = list[dict[str, Any]]
SOLID, DASHED = [1, 0], [6, 4]
# The Vega-Lite that draws the page: Solara 1.64's VegaLite widget loads vega-lite@5
# (sim.explore.assets), while Altair 6 writes its specs for v6. The page's specs use
# nothing v5 lacks (the browser test validates them against v5's own schema), so the
# page hands them over as v5 specs and vega-embed has no version to warn about.
PAGE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# An event's marker stands over the trust (or affinity) chart's plotting area, its tip
# this many pixels above its top edge, over no line (decision 1018).
EVENT_LIFT = 6
EVENT_TOOLTIP = [
    alt.Tooltip("date:N"),
    alt.Tooltip("label:N"),
    alt.Tooltip("kind:N"),
    alt.Tooltip("actor:N"),
    alt.Tooltip("target:N"),
    alt.Tooltip("source:N"),
    alt.Tooltip("scenarios:N", title="in"),
]
# The last line of a crowded period's tooltip: where its events' sources are (decision 1027).
SOURCES_HINT = "click the marker: each event with its source, under the chart"
# What that line says in a saved spec, where no page lists the events (decision 1038).
SAVED_SOURCES_HINT = "each event's source: its entry in the scenario file"


def for_a_file(spec: Spec) -> Spec:
    """``spec`` as saved beside the page's PNGs: a crowded period's tooltip says where its
    events' sources are outside the page (the scenario file) rather than asking for a click
    that only the page answers, and its markers drop the pointer that promised one."""
    saved: Spec = _outside_the_page(spec)
    return saved


def _outside_the_page(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                f"'{SAVED_SOURCES_HINT}'"
                if key == "calculate" and item == f"'{SOURCES_HINT}'"
                else _outside_the_page(item)
            )
            for key, item in value.items()
            if not (key == "cursor" and item == "pointer")
        }
    if isinstance(value, list):
        return [_outside_the_page(item) for item in value]
    return value


# Every chart fits the page's right-hand column at a 1024x768 window (decision 862): that
# column's content is PAGE_COLUMN pixels wide there (1089 at 1500x900), and vega-embed keeps
# ACTIONS pixels at a chart's right for its "..." menu, so a chart, its axes, titles and
# legends included, may be PAGE_FIT wide. At WIDTH plus its axis a time chart has no room
# for a legend at its right (the long names of two scenarios made the trust chart 888 px
# wide): its powers' legend goes under it and its scenarios' key over it, in rows across
# the plotting area (_legend_columns), and its titles wrap within the plotting area
# (title_lines). The network keeps its legend at its right, its names cut to fit.
PAGE_COLUMN = 732
ACTIONS = 38
PAGE_FIT = PAGE_COLUMN - ACTIONS
# Vega's legends: labels of LEGEND_LABEL_SIZE pixels, an entry's symbol and the gap to its
# label within LEGEND_SYMBOL pixels, LEGEND_COLUMN_PAD between the entries of a row, and
# LEGEND_OFFSET between a legend at the right and the plotting area; VIEW_PAD around a chart.
LEGEND_LABEL_SIZE = 10
LEGEND_SYMBOL = 16
LEGEND_COLUMN_PAD = 10
LEGEND_OFFSET = 18
VIEW_PAD = 5
# The key's line is KEY_LINE pixels long (Vega draws a stroke symbol sqrt(size) long), so
# that its dashes read as dashes (at Vega's 10 pixels the dashed and the solid were alike);
# with the gap to its label, KEY_SYMBOL.
KEY_LINE = 24
KEY_SYMBOL = KEY_LINE + 6
# A power's name in a legend under a chart is cut, ending in "…", beyond LEGEND_LIMIT pixels
# (its lines' and bands' tooltips name it whole); a scenario's name in the key only where it
# is longer than the plotting area (the charts' titles and the lines' tooltips name it).
LEGEND_LIMIT = 160
KEY_LIMIT = WIDTH - KEY_SYMBOL
# The network's legend at its right: what is left of PAGE_FIT, less 4 pixels for rounding.
NETWORK_LEGEND_LIMIT = PAGE_FIT - WIDTH - 2 * VIEW_PAD - LEGEND_OFFSET - LEGEND_SYMBOL - 4
TITLE_SIZE = 13  # Vega's titles, pixels, bold
# A title is centred over the plotting area and may reach TITLE_OVERHANG pixels past it
# either side: over the y axis at its left (wider than that), and within PAGE_FIT at its
# right.
TITLE_OVERHANG = 30
TITLE_WIDTH = WIDTH + 2 * TITLE_OVERHANG


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """``text``'s width in pixels, in DejaVu Sans (the sans-serif of Debian's Chromium, which
    Vega's titles and legends are drawn in) at ``size`` pixels."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    width, _, _ = TextToPath().get_text_width_height_descent(text, font, ismath=False)
    return float(width)


def _pieces(word: str, width: float, size: float, bold: bool) -> list[str]:
    """``word`` in pieces no wider than ``width``, broken after an underscore where it can
    be (a scenario's name), else between characters."""
    pieces: list[str] = []
    while text_width(word, size, bold) > width:
        cut = max(
            (i for i in range(1, len(word)) if text_width(word[:i], size, bold) <= width),
            default=1,
        )
        under = word.rfind("_", 0, cut)
        cut = under + 1 if under > 0 else cut
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def title_lines(text: str, width: float = TITLE_WIDTH, size: float = TITLE_SIZE) -> str | list[str]:
    """A chart's title: ``text`` where it is no wider than ``width`` (bold, ``size``
    pixels), else its lines, each as wide as it can be within ``width``, broken between
    words (within a word longer than a line, after an underscore). Vega draws a title
    whole, and a long one (two long scenarios' names) widened its chart past the page's
    column."""
    if text_width(text, size, True) <= width:
        return text
    words = [piece for word in text.split() for piece in _pieces(word, width, size, bold=True)]
    lines: list[str] = []
    for word in words:
        if lines and text_width(f"{lines[-1]} {word}", size, True) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _legend_columns(
    labels: Sequence[str], limit: float, width: float = WIDTH, symbol: float = LEGEND_SYMBOL
) -> int:
    """How many entries a row of a legend across a chart holds: as many as fit ``width``,
    each entry's label (cut at ``limit``) and ``symbol``, the columns as wide as their
    widest entry (Vega's ``gridAlign: each``)."""
    entries = [symbol + min(text_width(s, LEGEND_LABEL_SIZE), limit) for s in labels]
    for columns in range(len(entries), 1, -1):
        widths = [max(entries[c::columns]) for c in range(columns)]
        if sum(widths) + LEGEND_COLUMN_PAD * (columns - 1) <= width:
            return columns
    return 1


def _legend_below(labels: Sequence[str], orient: Literal["top", "bottom"] = "bottom") -> alt.Legend:
    """A legend under its chart (or over it: ``orient``), in rows across the plotting
    area, names cut (ending in "…") beyond :data:`LEGEND_LIMIT`."""
    return alt.Legend(
        orient=orient,
        direction="horizontal",
        columns=_legend_columns(labels, LEGEND_LIMIT),
        labelLimit=LEGEND_LIMIT,
    )


def _key(names: Sequence[str]) -> alt.Legend:
    """The scenarios' key (solid, dashed) over its chart, under the title: side by side
    where both names fit the plotting area, else one a line, a name cut only beyond it."""
    return alt.Legend(
        orient="top",
        direction="horizontal",
        columns=_legend_columns(names, KEY_LIMIT, symbol=KEY_SYMBOL),
        labelLimit=KEY_LIMIT,
        symbolSize=KEY_LINE**2,
    )


# How vega-embed draws a chart on the page (it reads the spec's ``usermeta``): as SVG, not
# on a canvas, so that a chart shrunk to a narrow column (the page's CSS, decision 952) is
# still hovered right. The browser finds the mark under the pointer in a scaled SVG; Vega's
# canvas reckons the pointer's place in unscaled pixels, and its tooltips would miss.
PAGE_EMBED = {"renderer": "svg"}


def on_page(spec: Spec) -> Spec:
    """``spec`` as the page's Vega-Lite 5 draws it (:data:`PAGE_SCHEMA`), as SVG
    (:data:`PAGE_EMBED`); a shallow copy."""
    usermeta = {**spec.get("usermeta", {}), "embedOptions": PAGE_EMBED}
    return {**spec, "$schema": PAGE_SCHEMA, "usermeta": usermeta}


# The time charts' y axes (decision 896: the page's time axes started a few pixels apart).
# Vega puts a chart's plotting area as far right as its y axis needs: its ticks
# (AXIS_TICK pixels), the gap to their labels (AXIS_LABEL_PAD), the widest label
# (AXIS_LABEL_SIZE pixels) and the title. The widest labels of trust ("0.15", its
# difference), affinity ("−0.08") and alignment ("0.0") put the plotting areas of Syria
# beside its counterfactual at 46, 54 and 39 pixels from their charts' left edges, so a
# date stood at three places down the page. Every time chart's y axes now take one room
# (Vega's ``minExtent``), Y_AXIS_ROOM, wide enough for a label of Y_AXIS_LABEL's width
# (seven characters, d3's minus sign included: a small difference's ticks, "−0.0020",
# the widest over the shipped cases' pages) with AXIS_SLACK pixels to spare, so the
# plotting areas, all WIDTH wide, start and end at one x. A wider label (a difference of
# a few ten-thousandths, "−0.00020") widens its own chart's room, and that chart alone
# then starts a few pixels to the right. Reckoning each page's labels as Vega writes them
# lines up every page exactly, but copies Vega's tick and number-format code (about 200
# lines, measured right against Vega 5 and tied to it); the fixed room was preferred
# (decision 907).
AXIS_TICK = 5
AXIS_LABEL_PAD = 2
AXIS_LABEL_SIZE = 10
AXIS_SLACK = 1.0
Y_AXIS_LABEL = "\u22120.0000"
Y_AXIS_ROOM = int(
    np.ceil(AXIS_TICK + AXIS_LABEL_PAD + text_width(Y_AXIS_LABEL, AXIS_LABEL_SIZE) + AXIS_SLACK)
)


def line_up(specs: Sequence[Spec]) -> list[Spec]:
    """The page's time charts (``specs``, each a shallow copy) with their y axes' ticks and
    labels given one room (:data:`Y_AXIS_ROOM`), so that their plotting areas start and
    end at the same x and a date lies at one place down the page."""
    out = []
    for spec in specs:
        config = spec.get("config", {})
        axis = {**config.get("axisY", {}), "minExtent": Y_AXIS_ROOM}
        out.append({**spec, "config": {**config, "axisY": axis}})
    return out


@dataclass(frozen=True)
class Line:
    """One scenario's series and the name its lines carry in the legend."""

    name: str
    series: pd.DataFrame


def _events(scenario: Scenario) -> pd.DataFrame:
    """The scenario's events, one row each in file order: when (the date label of their
    step), label, source, kind, who."""
    rows = []
    for event in scenario.events:
        step = scenario.event_step(event)
        actor = getattr(event, "actor", None)
        target = (
            getattr(event, "target", None)
            or getattr(event, "with_", None)
            or getattr(event, "about", None)
        )
        rows.append(
            {
                "date": scenario.calendar.label(step),
                "label": event.label or event.id or f"{event.kind} {actor or ''}".strip(),
                "source": event.source or "",
                "kind": event.kind,
                "actor": actor or "",
                "target": target or "",
            }
        )
    return pd.DataFrame(rows, columns=["date", "label", "source", "kind", "actor", "target"])


def _event_keys(events: pd.DataFrame) -> list[tuple[object, ...]]:
    """Each event's :data:`~sim.plots.trajectories.EVENT_KEYS`, in order."""
    return list(events[EVENT_KEYS].itertuples(index=False, name=None))


def event_table(
    scenario: Scenario,
    counterfactual: Scenario | None = None,
    names: Sequence[str] = (),
) -> pd.DataFrame:
    """The events the page marks: the scenario's and, with a ``counterfactual``, those of
    the counterfactual it lacks, one row each (an event of both once).

    ``scenarios`` says which have it ("both", else "NAME only", ``names`` naming the
    scenario and the counterfactual as the page's lines do; their own names by default),
    and an event of one only has it after its label too, as the saved figure does
    ("Russian intervention (syria only)"): the page marked the nine events that
    syria_abstained removes as it marked those of both, under its solid lines and its
    dashed ones alike (an outside review; decision 927). ``shared`` is whether both have it.

    Columns: date, label, source, kind, actor, target, scenarios, shared, order (the
    scenario's events in file order, then the counterfactual's own), when, crowded
    (another event shares its period: :func:`event_periods` marks them together).
    """
    mine = _events(scenario)
    name = names[0] if names else scenario.name
    if counterfactual is None:
        frame = mine.assign(scenarios=name, shared=True)
    else:
        other = names[1] if len(names) > 1 else counterfactual.name
        theirs = _events(counterfactual)
        # Matched as the saved figure matches them (sim.plots.trajectories.unique_events).
        keys_mine, keys_theirs = _event_keys(mine), _event_keys(theirs)
        have, had = set(keys_theirs), set(keys_mine)
        mine["shared"] = [key in have for key in keys_mine]
        own = [key not in had for key in keys_theirs]
        theirs = theirs[own].assign(shared=False)
        mine["scenarios"] = np.where(mine["shared"], "both", f"{name} only")
        theirs["scenarios"] = f"{other} only"
        frame = pd.concat([mine, theirs], ignore_index=True)
        alone = ~frame["shared"]
        frame.loc[alone, "label"] = (
            frame.loc[alone, "label"] + " (" + frame.loc[alone, "scenarios"] + ")"
        )
    frame = frame.reset_index(drop=True)
    frame["shared"] = frame["shared"].astype(bool)
    frame["order"] = np.arange(len(frame))
    frame["when"] = to_datetime(frame["date"]).dt.strftime("%Y-%m-%d").to_numpy()
    # Events of one period share a place on the time axis: one marker stands for them all,
    # its tooltip listing them (event_periods). Stacked down from the top one each
    # (decision 598), Syria's eight of 2024-12 covered the lines' peaks (decision 1018).
    frame["crowded"] = frame.groupby("date", sort=False)["date"].transform("size").to_numpy() > 1
    return frame


def event_what(event: pd.Series) -> str:
    """An event's kind and who: "regime_change, Syria", "withdraw, Russia \u2192 Syria"."""
    who = " \u2192 ".join(name for name in (event["actor"], event["target"]) if name)
    return f"{event['kind']}{', ' + who if who else ''}"


def _listed(event: pd.Series) -> str:
    """One event as a crowded period's tooltip lists it: "Assad falls: regime_change,
    Syria", "Russia abandons Assad (syria only): withdraw, Russia \u2192 Syria"."""
    return f"\u2022 {event['label']}: {event_what(event)}"


def event_periods(events: pd.DataFrame) -> pd.DataFrame:
    """One row for each period of :func:`event_table`'s ``events`` that holds several
    events: its one marker on the page. ``events`` counts them and lists each, in the
    table's order, one a line ("8 events:", then "\u2022 label: kind, actor \u2192
    target"); ``shared`` is whether any is of both scenarios (a filled marker).

    Columns: date, when, events, shared.
    """
    columns = ["date", "when", "events", "shared"]
    if events.empty or "crowded" not in events:
        return pd.DataFrame(columns=columns)
    crowded = events[events["crowded"]]
    rows = [
        {
            "date": date,
            "when": period["when"].iloc[0],
            "events": "\n".join(
                [f"{len(period)} events:", *(_listed(e) for _, e in period.iterrows())]
            ),
            "shared": bool(period["shared"].any()),
        }
        for date, period in crowded.groupby("date", sort=False)
    ]
    return pd.DataFrame(rows, columns=columns)


def _records(frame: pd.DataFrame) -> Records:
    """Rows as dicts (column by column: much faster than ``to_dict`` on Arrow strings).

    A missing number is None (null): JSON has no NaN, and the browser refuses a figure
    holding one (it keeps showing the previous one)."""
    columns = [
        frame[name].astype(object).where(frame[name].notna(), None).tolist()
        if frame[name].dtype.kind == "f" and frame[name].isna().any()
        else frame[name].tolist()
        for name in frame.columns
    ]
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _when(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``when``: where each step sits on the time axis, as an ISO date."""
    steps = rows.drop_duplicates("step")[["step", "date"]]
    when = dict(zip(steps["step"], step_times(steps).dt.strftime("%Y-%m-%d"), strict=True))
    return rows.assign(when=rows["step"].map(when).to_numpy())


def _rows(line: Line, metric: str, group: str) -> pd.DataFrame:
    s = line.series
    rows = s[(s["metric"] == metric) & (s["group"] == group) & (s["power"] != "")]
    return _when(rows).assign(scenario=line.name)[
        ["step", "date", "when", "power", "value", "scenario"]
    ]


def _marked(rows: pd.DataFrame, powers: Sequence[str], by: Sequence[str]) -> pd.Series:
    """Which rows carry their power's marker: the steps the saved figures mark
    (:func:`sim.plots.trajectories.mark_every`) along each line (the rows of one ``by``
    value, in step order), the power's place among ``powers`` shifting them."""
    if rows.empty:
        return pd.Series([], index=rows.index, dtype=bool)
    position = rows.groupby(list(by), sort=False)["step"].rank(method="first").astype(int) - 1
    points = rows.groupby(list(by), sort=False)["step"].transform("size")
    place = rows["power"].map({p: i for i, p in enumerate(powers)}).fillna(0).astype(int)
    first, every = mark_every(points, place, len(powers))
    return (position % every) == first


def _power_scale(powers: Sequence[str], none: bool = False) -> alt.Scale:
    palette = power_palette(powers)
    domain = [*powers, NONE] if none else list(powers)
    return alt.Scale(domain=domain, range=[palette.get(p, NONE_COLOR) for p in domain])


# The non-aligned state's shape: a flat bar (a dash), which no power's marker is
# (:func:`~sim.plots.palette.power_markers`), so the network reads without colour.
NONE_MARKER: tuple[tuple[float, float], ...] = ((-1.0, -0.4), (1.0, -0.4), (1.0, 0.4), (-1.0, 0.4))
# A power's node has a thick outline (and its name in bold); a state's a thin one.
OUTLINE = {"power": 2.0, "state": 0.5}


def node_markers(powers: Sequence[str]) -> dict[str, Any]:
    """The matplotlib marker of a node aligned with each of ``powers`` (the power's own,
    as in every figure over time; a circle where it has none) and of a non-aligned one
    (:data:`NONE_MARKER`)."""
    markers: dict[str, Any] = {p: m or "o" for p, m in power_markers(power_palette(powers)).items()}
    return {**markers, NONE: list(NONE_MARKER)}


def svg_shape(marker: Any) -> str:
    """A matplotlib marker as a Vega-Lite shape: its SVG path within [-1, 1] (y down), so
    that the page's network and its saved picture draw the same shapes."""
    from matplotlib.markers import MarkerStyle
    from matplotlib.path import Path

    style = MarkerStyle(marker)
    path = style.get_path().transformed(style.get_transform())
    scale = float(np.abs(path.vertices).max()) or 1.0
    commands = {Path.MOVETO: "M", Path.LINETO: "L", Path.CURVE3: "Q", Path.CURVE4: "C"}
    parts = []
    for points, code in path.iter_segments(simplify=False, curves=True):
        if code == Path.CLOSEPOLY:
            parts.append("Z")
            continue
        xy = np.asarray(points, dtype=float).reshape(-1, 2) / scale
        parts.append(commands[code] + " ".join(f"{x:.4g} {-y:.4g}" for x, y in xy))
    return " ".join(parts) + ("" if parts[-1] == "Z" else " Z")


def _power_shapes(powers: Sequence[str]) -> alt.Scale:
    """Each power's marker (:func:`~sim.plots.palette.power_markers`, read off its colour)
    as a Vega-Lite shape: the marks its lines carry in the saved figures."""
    markers = node_markers(powers)
    return alt.Scale(domain=list(powers), range=[svg_shape(markers[p]) for p in powers])


def _power_marks(
    dataset: str, x: alt.X, y: alt.Y, colour: alt.Color, shape: alt.Shape, tooltip: list[Any]
) -> alt.Chart:
    """The marked rows of ``dataset`` (:func:`_marked`) as points in their power's colour
    and shape: the lines read without colour, in greyscale print or to a colour-blind
    reader, as the saved figures' do. Hovering one says what its line's tooltip says."""
    return (
        alt.Chart(alt.Data(name=dataset))
        .transform_filter("datum.marked")
        .mark_point(filled=True, opacity=1, size=55, stroke="white", strokeWidth=0.5)
        .encode(x=x, y=y, color=colour, shape=shape, tooltip=tooltip)
    )


def _dash(names: Sequence[str]) -> alt.StrokeDash:
    return alt.StrokeDash(
        "scenario:N",
        scale=alt.Scale(domain=list(names), range=[SOLID, DASHED][: len(names)]),
        title="scenario",
        legend=_key(names),
    )


def _event_rules() -> alt.Chart:
    """A dotted rule at each event (its tooltip the event's)."""
    return (
        alt.Chart(alt.Data(name="events"))
        .mark_rule(color="#777777", strokeDash=[2, 3], opacity=0.7)
        .encode(x="when:T", tooltip=EVENT_TOOLTIP)
    )


def _event_marker(data: str) -> alt.Chart:
    """A marker over the top of the trust panel at each row of ``data``, pointing down at
    its date, clear of the lines (decision 1018); a click on it lists its period's events
    with their sources under the chart (the page's ``EventSources``; decision 1027)."""
    return (
        alt.Chart(alt.Data(name=data))
        .mark_point(
            shape="triangle-down",
            filled=True,
            stroke=EVENT_INK,
            size=60,
            yOffset=-EVENT_LIFT,
            cursor="pointer",
        )
        .encode(
            x="when:T",
            y=alt.datum(1.0),
            # An event of one scenario only is hollow (decision 927): its shape, not a
            # colour, so that it reads in greyscale; the tooltip says which scenario.
            fill=alt.condition("datum.shared", alt.value(EVENT_INK), alt.value("white")),
        )
    )


def _events_layer() -> alt.LayerChart | alt.FacetChart:
    """The rules, and a marker over the top of the trust panel for each period with
    events: an event alone in its period has its own tooltip; the events of a crowded
    period one marker, its tooltip listing them (:func:`event_periods`). Stacked down one
    each (decision 598), Syria's eight of 2024-12 covered the lines' peaks (decision 1018).
    The list leaves out the sources (2,250 characters for Syria's 2024-12), and says where
    they are: a click on the marker lists them under the chart (decision 1027).
    The difference panel below has the rules alone."""
    crowded = (
        _event_marker("event_periods")
        .transform_calculate(sources=f"'{SOURCES_HINT}'")
        .encode(tooltip=[alt.Tooltip("date:N"), alt.Tooltip("events:N"), alt.Tooltip("sources:N")])
    )
    alone = _event_marker("events").transform_filter("!datum.crowded").encode(tooltip=EVENT_TOOLTIP)
    return alt.layer(_event_rules(), crowded, alone)


EVENT_INK = "#555555"
# Under the trust and affinity charts' titles where the scenarios' events differ.
EVENT_KEY = "\u25bc an event of both scenarios, \u25bd of one only (hover: which)"
# Each point is the state at the end of its period, drawn at the next one's start, as in
# every figure of the package (decision 1004); the page did not say so (an outside check
# of the explorer, decision 1013).
DATE_TITLE = "date (each point: the state at its period's end)"


@lru_cache(maxsize=64)
def _trajectories_template(
    names: tuple[str, ...],
    phrase: str,
    powers: tuple[str, ...],
    title: str,
    towards: str = "in",
    alone: bool = False,
) -> Spec:
    # ``alone``: some event is of one scenario only, and the title's subtitle keys its
    # hollow marker.
    # A power's line has its colour and, every so many steps, its marker (one legend for
    # both); a scenario's its dash. Colour alone was lost in greyscale print (decision 849).
    # One legend for both, under the chart (its right has no room: decision 862); over the
    # two panels where a difference panel follows: under it, at 1366 x 768 the powers'
    # key lay below the window while the trust chart was in view (decision 945).
    below = _legend_below(powers, "top" if len(names) > 1 else "bottom")
    colour = alt.Color("power:N", scale=_power_scale(powers), title="power", legend=below)
    shape = alt.Shape("power:N", scale=_power_shapes(powers), title="power", legend=below)
    x = alt.X("when:T", title=DATE_TITLE)
    y = alt.Y("value:Q", title=f"{title} (0 to 1)", scale=alt.Scale(domain=[0, 1]))
    tooltip = [
        alt.Tooltip("scenario:N"),
        alt.Tooltip("power:N"),
        alt.Tooltip("date:N", title="period"),
        alt.Tooltip("value:Q", format=".3f"),
    ]
    lines = (
        alt.Chart(alt.Data(name="lines"))
        .mark_line()
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=_dash(names),
            detail="scenario:N",
            tooltip=tooltip,
        )
        .properties(
            width=WIDTH, height=240, title=title_lines(f"{title} {towards} each power {phrase}")
        )
    )
    marks = _power_marks("lines", x, y, colour, shape, tooltip)
    upper = alt.layer(lines, marks, _events_layer())
    if alone:
        # The same title over the panel (Vega-Lite takes a layer's own before its
        # layers'), with the key of the hollow markers under it.
        upper = upper.properties(
            title=alt.TitleParams(
                lines.title, subtitle=EVENT_KEY, subtitleFontSize=10, subtitleColor="#595959"
            )
        )
    if len(names) == 1:
        # A panel of its own all the same: Vega puts a single chart's plotting area a pixel
        # left of a concatenation's, whose axes it would otherwise line up with (line_up).
        # The key under its title, as with two panels (shared, it went over the title).
        return alt.vconcat(upper).resolve_legend(strokeDash="independent").to_dict()
    y = alt.Y("value:Q", title=f"{title} difference")
    tooltip = [
        alt.Tooltip("power:N"),
        alt.Tooltip("date:N", title="period"),
        alt.Tooltip("value:Q", format="+.3f"),
    ]
    difference = (
        alt.Chart(alt.Data(name="difference"))
        .mark_line()
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
        .properties(
            width=WIDTH, height=140, title=title_lines(f"Difference, {names[0]} minus {names[1]}")
        )
    )
    marks = _power_marks("difference", x, y, colour, shape, tooltip)
    zero = alt.Chart(alt.Data(name="zero")).mark_rule(color="#444444").encode(y=alt.datum(0.0))
    # The key of the scenarios' dashes over the panel that has them, not over the figure.
    return (
        alt.vconcat(upper, alt.layer(difference, marks, zero, _event_rules()))
        .resolve_legend(strokeDash="independent")
        .to_dict()
    )


def trajectories_spec(
    run: Line,
    counterfactual: Line | None,
    events: pd.DataFrame,
    group: str,
    powers: Sequence[str],
    metric: str = "trust_mean",
    title: str = "Trust",
    *,
    phrase: str | None = None,
) -> Spec:
    """``metric`` per power over time for ``group``: the run solid, the counterfactual
    dashed, events marked (hover for label and source); below, run minus counterfactual.
    Each power's lines have its colour and its marker every so many steps (:func:`_marked`),
    as in the saved figures, so that they read in greyscale too.
    ``phrase`` names the group in the title (default: from its id alone; the page gives
    :func:`group_phrase` of its definition, "among Arab League states").

    ``events`` is :func:`event_table`'s: an event of one scenario only is marked hollow,
    and the title's subtitle says so.

    Datasets: ``lines`` (step, date, when, power, value, scenario, marked), ``events``,
    ``event_periods`` (:func:`event_periods`: a period's several events, one marker) and,
    with a counterfactual, ``difference`` (step, power, value: run minus it; marked).
    """
    lines = [run] if counterfactual is None else [run, counterfactual]
    data = pd.concat([_rows(line, metric, group) for line in lines], ignore_index=True)
    data["marked"] = _marked(data, powers, ["scenario", "power"])
    datasets: dict[str, Records] = {
        "lines": _records(data),
        "events": _records(events.drop(columns="order")),
        "event_periods": _records(event_periods(events)),
    }
    if counterfactual is not None:
        mine = data[data["scenario"] == run.name].set_index(["step", "power"])
        theirs = data[data["scenario"] == counterfactual.name].set_index(["step", "power"])
        diff = mine[["date", "when", "marked"]].assign(
            value=mine["value"] - theirs["value"].reindex(mine.index)
        )
        datasets["difference"] = _records(diff.reset_index())
        datasets["zero"] = [{}]
    entry = SERIES_METRICS.get(metric)
    template = _trajectories_template(
        tuple(line.name for line in lines),
        phrase or group_phrase(group),
        tuple(powers),
        title,
        entry.towards if entry is not None else "in",
        alone=not events["shared"].all() if "shared" in events else False,
    )
    return {**template, "datasets": datasets}


# The datasets of the share charts: the run's, then the counterfactual's.
SHARES = ("shares", "shares_counterfactual")


# Each band of the share charts is named inside it (decision 853), each separate stretch
# of it once (decision 859): the saved PNG hatches its areas, which Vega-Lite 5 cannot,
# and colour alone is lost in greyscale. A band under MIN_LABEL_SHARE of the axis (9 of
# the chart's SHARE_HEIGHT pixels) is too thin for its name and keeps only its colour,
# the legend and the tooltip.
SHARE_HEIGHT = 150  # the share chart's plotting area, pixels
MIN_LABEL_SHARE = 0.06
SHARE_LABEL_SIZE = 10  # the band's name, pixels (bold)
SHARE_LABEL_CHAR = 6.5  # a character of it, pixels: enough for bold capitals
SHARE_LABEL_PAD = 2.0  # pixels kept clear of the band's edges either side of the name
INKS = ("#000000", "#ffffff")


def _luminance(colour: str) -> float:
    """WCAG 2's relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def label_ink(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (WCAG 2's ratio): at least
    4.58 to 1 on any colour, in greyscale too (black on the palette's lighter colours and
    the non-aligned grey, white on blue and black)."""
    lum = _luminance(fill)
    return INKS[0] if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else INKS[1]


def share_labels(shares: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Where each power's band of a share chart is named: each separate stretch of the
    band (stacked in ``order``, the first at the bottom, as the chart stacks them) at the
    step where it is widest over the whole width of its name, at the middle of its height
    there.

    ``shares`` has ``date, when, power, value`` rows. A step's clearance is the height
    all the band's steps within the name's half width (and one step more, the areas
    being straight between steps) have in common: at a narrow peak the name would spill
    into the neighbours' bands, so it goes where the band is wide for long enough. Steps
    whose name would cross the chart's left or right edge are left out (unless all are).
    A *stretch* is a maximal run of steps whose clearance is at least
    :data:`MIN_LABEL_SHARE`: where the band is tall enough for its name and the name
    fits. A band that thins out and comes back, or jumps by its own height (the PRC's
    among communist states, one state from 1965-02 and a state higher from 1966-09, the
    two parts meeting at a corner), has several, and each is named (decision 859); a
    band with no such step is too thin for its name and has none. Within a stretch, the
    name goes at the middle of the longest run of its steps of the greatest clearance.
    No name is placed over another (:func:`_share_label_box`): each band's best stretch
    is named first, in ``order``, then the others by their clearance, each at the best
    of its steps that keeps clear of the names placed before (none: it stays unnamed).

    Returns ``power, date, when, value`` (the step's, for the tooltip), ``y`` (share
    units) and ``ink`` (:func:`label_ink` on the power's colour), in ``order``, each
    power's names by date."""
    columns = ["power", "date", "when", "value", "y", "ink"]
    if shares.empty:
        return pd.DataFrame(columns=columns)
    wide = (
        shares.pivot_table(index="when", columns="power", values="value", aggfunc="first")
        .reindex(columns=list(order))
        .fillna(0.0)
        .sort_index()
    )
    if wide.empty:  # a group of powers only: no state has a share (sino_soviet's `china`)
        return pd.DataFrame(columns=columns)
    top = wide.cumsum(axis=1)
    bottom = top - wide
    seconds = (pd.to_datetime(wide.index) - pd.to_datetime(wide.index[0])).total_seconds()
    span = float(seconds[-1]) or 1.0
    x = np.asarray(seconds, dtype=float) / span * WIDTH
    gap = float(np.median(np.diff(x))) if len(x) > 1 else 0.0
    dates = shares.drop_duplicates("when").set_index("when")["date"]
    palette = power_palette([p for p in order if p != NONE])
    # Each stretch's candidate places, best first: (rank, power, steps, mids).
    stretches: list[tuple[tuple[int, float, int], str, list[int], np.ndarray]] = []
    for place, power in enumerate(order):
        half = _share_label_half(power)
        first = np.searchsorted(x, x - half - gap, side="left")
        last = np.searchsorted(x, x + half + gap, side="right")
        upper, lower = top[power].to_numpy(), bottom[power].to_numpy()
        ceiling = np.array([upper[a:b].min() for a, b in zip(first, last, strict=True)])
        floor = np.array([lower[a:b].max() for a, b in zip(first, last, strict=True)])
        clear = ceiling - floor
        inside = (x >= half) & (x <= WIDTH - half)
        clear = np.where(inside if inside.any() else True, clear, -np.inf)
        found = []
        for start, stop in _runs(clear >= MIN_LABEL_SHARE):
            best = float(clear[start:stop].max())
            preferred = start + _middle_of_longest_run(clear[start:stop] >= best - 1e-9)
            # The stretch's places, best first: by clearance, then nearer the preferred
            # step (that step first).
            steps = sorted(
                range(start, stop),
                key=lambda i: (-round(float(clear[i]), 9), abs(i - preferred), i),
            )
            found.append((best, steps))
        if not found:
            continue
        top_stretch = max(range(len(found)), key=lambda k: found[k][0])  # the first of ties
        for k, (best, steps) in enumerate(found):
            rank = (0, float(place), 0) if k == top_stretch else (1, -best, place)
            stretches.append((rank, power, steps, (ceiling + floor) / 2))
    boxes: list[tuple[float, float, float, float]] = []
    rows = []
    for _, power, steps, mids in sorted(stretches, key=lambda s: s[0]):
        for i in steps:
            box = _share_label_box(power, float(x[i]), float(mids[i]))
            if not any(_overlap(box, other) for other in boxes):
                break
        else:
            continue
        boxes.append(box)
        when = wide.index[i]
        rows.append(
            {
                "power": power,
                "date": dates[when],
                "when": when,
                "value": float(wide[power].iloc[i]),
                "y": float(mids[i]),
                "ink": label_ink(palette.get(power, NONE_COLOR)),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    frame["place"] = frame["power"].map({p: i for i, p in enumerate(order)})
    return frame.sort_values(["place", "when"], kind="stable")[columns].reset_index(drop=True)


def _share_label_half(power: str) -> float:
    """Half a band's name's estimated width, pixels, with :data:`SHARE_LABEL_PAD`."""
    return len(power) * SHARE_LABEL_CHAR / 2 + SHARE_LABEL_PAD


def _share_label_box(power: str, x: float, y: float) -> tuple[float, float, float, float]:
    """A band's name's box on the chart, pixels (y down): its estimated width with
    :data:`SHARE_LABEL_PAD` either side, a line of :data:`SHARE_LABEL_SIZE` high,
    centred at ``x`` and at ``y`` share units."""
    half = _share_label_half(power)
    middle = (1 - y) * SHARE_HEIGHT
    return (x - half, middle - SHARE_LABEL_SIZE / 2, x + half, middle + SHARE_LABEL_SIZE / 2)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The maximal runs of True in ``flags``, as (start, stop) index pairs."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(int), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _middle_of_longest_run(flags: np.ndarray) -> int:
    """The index in the middle of the longest run of True in ``flags`` (the first such run;
    the left of its two middles), which holds at least one True."""
    start, stop = max(_runs(flags), key=lambda run: run[1] - run[0])
    return start + (stop - start - 1) // 2


def _share_chart(
    dataset: str, name: str, phrase: str, powers: tuple[str, ...], legend: bool = True
) -> alt.LayerChart | alt.FacetChart:
    """One scenario's stacked shares, each band in its colour and named inside it
    (:func:`share_labels`, in the dataset ``<dataset>_labels``), so that the chart reads
    without colour; the name carries the band's tooltip at its step. The colours' key
    under it where ``legend``."""
    x = alt.X("when:T", title=DATE_TITLE)
    tooltip = [
        alt.Tooltip("power:N"),
        alt.Tooltip("date:N", title="period"),
        alt.Tooltip("value:Q", format=".2f"),
    ]
    areas = (
        alt.Chart(alt.Data(name=dataset))
        .mark_area()
        .encode(
            x=x,
            y=alt.Y("value:Q", stack="zero", title="share aligned"),
            color=alt.Color(
                "power:N",
                scale=_power_scale(powers, none=True),
                title="aligned",
                legend=_legend_below([*powers, NONE]) if legend else None,
            ),
            order=alt.Order("order:Q"),
            tooltip=tooltip,
        )
    )
    names = (
        alt.Chart(alt.Data(name=f"{dataset}_labels"))
        .mark_text(fontSize=SHARE_LABEL_SIZE, fontWeight="bold", baseline="middle")
        .encode(
            x=x,
            y=alt.Y("y:Q", title="share aligned"),
            text="power:N",
            # The ink itself (black or white), no scale and no legend of its own.
            color=alt.Color("ink:N", scale=None),
            tooltip=tooltip,
        )
    )
    return alt.layer(areas, names).properties(
        width=WIDTH, height=SHARE_HEIGHT, title=title_lines(f"Alignment {phrase}, {name}")
    )


@lru_cache(maxsize=64)
def _alignment_template(names: tuple[str, ...], phrase: str, powers: tuple[str, ...]) -> Spec:
    # The colours' key under the last share chart, the charts it belongs to: shared by
    # the concatenation, it went under the poles chart below them, whose lines are black
    # (an outside review; decision 927).
    areas = [
        _share_chart(dataset, name, phrase, powers, legend=k == len(names) - 1)
        for k, (dataset, name) in enumerate(zip(SHARES, names, strict=False))
    ]
    # The group named, and how it counts: a run's effective_poles counts the aligned only
    # (an outside check read this chart's 1.86 against a run's 1.18; decision 846).
    poles_title = title_lines(f"Effective number of poles {phrase}, the non-aligned as one pole")
    if is_one_state(phrase):
        # One state is in one camp at each step: its poles are 1 throughout, a flat line
        # on the chart's top border that says nothing; the chart says so instead, as the
        # static alignment figure's panel does (alignment.one_state_panel).
        note = (
            alt.Chart(alt.Data(values=[{"note": ONE_STATE_POLES.replace("\n", " ")}]))
            .mark_text(color="#595959", fontSize=12)
            .encode(text="note:N", x=alt.value(WIDTH / 2), y=alt.value(20))
            .properties(width=WIDTH, height=40, title=poles_title)
        )
        return alt.vconcat(*areas, note).resolve_legend(color="independent").to_dict()
    poles = (
        alt.Chart(alt.Data(name="poles"))
        .mark_line(color="#333333")
        .encode(
            x=alt.X("when:T", title=DATE_TITLE),
            y=alt.Y("value:Q", title="effective poles"),
            strokeDash=_dash(names),
            tooltip=[
                alt.Tooltip("scenario:N"),
                alt.Tooltip("date:N", title="period"),
                alt.Tooltip("value:Q", format=".2f"),
            ],
        )
        .properties(width=WIDTH, height=110, title=poles_title)
    )
    # The scenarios' key over the poles chart, whose dashes it tells apart.
    return (
        alt.vconcat(*areas, poles)
        .resolve_legend(strokeDash="independent", color="independent")
        .to_dict()
    )


def aligns(series: pd.DataFrame, group: str | None = None) -> bool:
    """Whether ``series`` (of ``group``, else of any group) holds an alignment share: a
    group of powers alone has no state to align (decision 907)."""
    rows = series["metric"] == "share_aligned"
    if group is not None:
        rows &= series["group"] == group
    return bool(series.loc[rows, "value"].notna().any())


def alignment_spec(
    run: Line,
    counterfactual: Line | None,
    group: str,
    powers: Sequence[str],
    *,
    phrase: str | None = None,
) -> Spec:
    """Shares of ``group``'s states aligned with each power (non-aligned grey) over time,
    a chart for the run and one for the counterfactual, and the effective number of poles
    of both. ``phrase`` names the group in the titles, as for :func:`trajectories_spec`.

    Each separate stretch of each band is named inside it where it is widest
    (:func:`share_labels`), no two names overlapping, in black or white on its colour,
    so that the charts read in greyscale (bands under :data:`MIN_LABEL_SHARE` of the
    axis are too thin and are not named).

    Datasets: ``shares`` (the run's), ``shares_counterfactual`` (with a counterfactual),
    each with its bands' names in ``<dataset>_labels`` (power, date, when, value, y,
    ink), and ``poles`` (every scenario's; a one-state group's last chart is a note
    instead).
    """
    order = {name: i for i, name in enumerate([*powers, NONE])}
    lines = [run] if counterfactual is None else [run, counterfactual]
    datasets: dict[str, Records] = {}
    for dataset, line in zip(SHARES, lines, strict=False):
        s = line.series
        shares = _when(s[(s["metric"] == "share_aligned") & (s["group"] == group)])
        shares = shares.assign(order=shares["power"].map(order))
        datasets[dataset] = _records(shares[["date", "when", "power", "value", "order"]])
        datasets[f"{dataset}_labels"] = _records(share_labels(shares, list(order)))
    poles = []
    for line in lines:
        # As the static alignment figure counts them (decision 94): the non-aligned are
        # one pole of their own, so the two pages give the same number.
        frame = line.series
        mine = frame[(frame["metric"] == "share_aligned") & (frame["group"] == group)]
        rows = poles_with_third_way(mine[["step", "date", "power", "value"]])
        poles.append(_when(rows).assign(scenario=line.name)[["date", "when", "value", "scenario"]])
    template = _alignment_template(
        tuple(line.name for line in lines), phrase or group_phrase(group), tuple(powers)
    )
    datasets["poles"] = _records(pd.concat(poles, ignore_index=True))
    return {**template, "datasets": datasets}


def network_layout(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Fixed positions for the actors: a spring layout of the explicit ties, with weak
    links within regions so that regions sit together (seeded: the same every time).

    Beyond :data:`REGIONAL` actors the spring layout takes many seconds (18 s for 2000
    states) and draws one blob; the regions are then laid out instead
    (:func:`_regional_layout`)."""
    actors = scenario.actor_names
    regions: dict[str, list[str]] = {}
    for name in actors:
        actor = scenario.powers.get(name) or scenario.states[name]
        regions.setdefault(actor.region, []).append(name)
    if len(actors) > REGIONAL:
        return _regional_layout(scenario, regions)
    graph = nx.Graph()
    graph.add_nodes_from(actors)
    for members in regions.values():
        for a, b in pairwise(members):
            graph.add_edge(a, b, weight=0.3)
    for a, b, weight, _ in scenario.network.resolved_ties():
        graph.add_edge(a, b, weight=float(weight))
    positions = nx.spring_layout(graph, seed=0, weight="weight")
    return {name: (float(x), float(y)) for name, (x, y) in positions.items()}


def _regional_layout(
    scenario: Scenario, regions: dict[str, list[str]]
) -> dict[str, tuple[float, float]]:
    """Regions placed by a spring layout of the ties between them, each region's actors
    on a small sunflower disc around its centre (no two actors at one point)."""
    graph = nx.Graph()
    graph.add_nodes_from(regions)
    region_of = {name: region for region, members in regions.items() for name in members}
    for a, b, _, _ in scenario.network.resolved_ties():
        ra, rb = region_of[a], region_of[b]
        if ra != rb:
            weight = graph.get_edge_data(ra, rb, {"weight": 0.0})["weight"]
            graph.add_edge(ra, rb, weight=weight + 1.0)
    centres = nx.spring_layout(graph, seed=0, weight="weight")
    points = np.array([centres[r] for r in regions])
    gaps = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    radius = 0.4 * float(gaps.min()) if len(regions) > 1 else 1.0
    golden = np.pi * (3.0 - np.sqrt(5.0))
    out: dict[str, tuple[float, float]] = {}
    for region, members in regions.items():
        cx, cy = centres[region]
        for i, name in enumerate(members):
            r = radius * np.sqrt((i + 0.5) / len(members))
            out[name] = (float(cx + r * np.cos(i * golden)), float(cy + r * np.sin(i * golden)))
    return out


@lru_cache(maxsize=16)
def _network_template(powers: tuple[str, ...], halo: bool = False) -> Spec:
    axis = alt.Axis(labels=False, ticks=False, grid=False, title=None, domain=False)
    # Positions are given in [0, 1] (network_spec), so that a label's place on the page is
    # known when it is chosen (_label_places).
    unit = alt.Scale(domain=[0, 1], nice=False, zero=False)
    # At the chart's right, a power's name cut (ending in "…") where it would take the
    # chart past the page's column at 1024 px (decision 862); its node's tooltip names it.
    legend = alt.Legend(labelLimit=NETWORK_LEGEND_LIMIT)
    edges = (
        alt.Chart(alt.Data(name="ties"))
        .mark_rule(color="#cccccc")
        .encode(
            x=alt.X("x:Q", axis=axis, scale=unit),
            y=alt.Y("y:Q", axis=axis, scale=unit),
            x2="x2:Q",
            y2="y2:Q",
        )
    )
    points = (
        alt.Chart(alt.Data(name="nodes"))
        .mark_point(filled=True, opacity=0.9, stroke="#333333")
        .encode(
            x=alt.X("x:Q", axis=axis, scale=unit),
            y=alt.Y("y:Q", axis=axis, scale=unit),
            color=alt.Color(
                "aligned:N",
                scale=_power_scale(powers, none=True),
                title="aligned",
                legend=legend,
            ),
            # A shape per power and one for the non-aligned, in one legend with the colours:
            # colour alone is lost in greyscale print and to a colour-blind reader.
            shape=alt.Shape(
                "aligned:N",
                scale=alt.Scale(
                    domain=[*powers, NONE],
                    range=[svg_shape(node_markers(powers)[p]) for p in [*powers, NONE]],
                ),
                title="aligned",
                legend=legend,
            ),
            # The width itself (as size), not a scale over "kind": Vega-Lite warns of a
            # width scale over a nominal field in the browser's console.
            strokeWidth=alt.StrokeWidth("outline:Q", scale=None, legend=None),
            size=alt.Size("size:Q", legend=None, scale=None),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("region:N"),
                alt.Tooltip("aligned:N"),
            ],
        )
    )
    # Each label at the place _label_places found for it, clear of the others and the nodes.
    labels = [
        alt.Chart(alt.Data(name="nodes"))
        .transform_filter(f"datum.kind == '{kind}' && datum.label != ''")
        .mark_text(
            baseline="middle",
            align="center",
            fontSize=size,
            fontWeight="bold" if kind == "power" else "normal",
            color="#333333",
        )
        .encode(x=alt.X("lx:Q", scale=unit), y=alt.Y("ly:Q", scale=unit), text="label:N")
        for kind, size in (("state", 9), ("power", 10))
    ]
    if halo:
        # A crowded network's powers' names on a white halo (HALO pixels of white stroke
        # under each), legible over the states' nodes they may cover (_over_states).
        halos = (
            alt.Chart(alt.Data(name="nodes"))
            .transform_filter("datum.kind == 'power' && datum.label != ''")
            .mark_text(
                baseline="middle",
                align="center",
                fontSize=10,
                fontWeight="bold",
                color="white",
                stroke="white",
                strokeWidth=HALO,
                strokeJoin="round",
            )
            .encode(x=alt.X("lx:Q", scale=unit), y=alt.Y("ly:Q", scale=unit), text="label:N")
        )
        labels.insert(1, halos)
    return alt.layer(edges, points, *labels).properties(width=WIDTH, height=HEIGHT).to_dict()


def network_figure(spec: Spec, powers: Sequence[str]) -> Figure:
    """The page's network (:func:`network_spec`) as a matplotlib figure, for "save
    figures": the same nodes, places, sizes, colours, shapes and labels, a point of the
    figure for a pixel of the page (decision 613)."""
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    nodes = pd.DataFrame(spec["datasets"]["nodes"])
    ties = spec["datasets"]["ties"]
    palette = {**power_palette(powers), NONE: NONE_COLOR}
    # Inches of 72 points: Vega-Lite's pixel sizes (areas in square pixels) as points.
    fig, ax = plt.subplots(figsize=((WIDTH + 160) / 72, (HEIGHT + 40) / 72))
    ax.set_position(
        (10 / (WIDTH + 160), 10 / (HEIGHT + 40), WIDTH / (WIDTH + 160), HEIGHT / (HEIGHT + 40))
    )
    for tie in ties:
        ax.plot([tie["x"], tie["x2"]], [tie["y"], tie["y2"]], color="#cccccc", lw=0.8, zorder=1)
    markers = node_markers(powers)
    for (kind, aligned), rows in nodes.groupby(["kind", "aligned"], sort=True):
        ax.scatter(
            rows["x"],
            rows["y"],
            s=rows["size"],
            marker=markers.get(str(aligned), "o"),
            c=[palette.get(str(aligned), NONE_COLOR)] * len(rows),
            edgecolors="#333333",
            linewidths=OUTLINE[str(kind)],
            alpha=0.9,
            zorder=2 if kind == "state" else 2.5,
        )
    # A crowded network's powers' names on a white halo, as on the page (_over_states).
    halo = [patheffects.withStroke(linewidth=HALO, foreground="white")]
    crowded = len(nodes) > LABELLED
    for row in spec["datasets"]["nodes"]:
        if not row["label"]:
            continue
        power = row["kind"] == "power"
        ax.text(
            float(row["lx"]),
            float(row["ly"]),
            str(row["label"]),
            ha="center",
            va="center",
            color="#333333",
            fontsize=10 if power else 9,
            fontweight="bold" if power else "normal",
            zorder=3,
            path_effects=halo if power and crowded else None,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    title = spec.get("title", "")
    text, note = (title["text"], title["subtitle"]) if isinstance(title, dict) else (title, [])
    ax.set_title(text, fontsize=11, fontweight="bold")
    said = " ".join(note).replace(HOVER, "").strip()
    if said:
        # The page's subtitle (who is not named, and why) under the picture, without the
        # page's hint to hover.
        ax.text(
            0.0,
            -0.01,
            "\n".join(textwrap.wrap(said, NOTE_CHARS + 15)),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=8,
            color=NOTE_STYLE["subtitleColor"],
        )
    shown = [p for p in [*powers, NONE] if p in set(nodes["aligned"])] or [NONE]
    handles = [
        Line2D(
            [],
            [],
            marker=markers.get(p, "o"),
            ls="",
            color=palette.get(p, NONE_COLOR),
            mec="#333333",
            mew=OUTLINE["state"],
            label=p,
        )
        for p in shown
    ] + [Line2D([], [], ls="", label="a power: thick outline,\nname in bold")]
    ax.legend(
        handles=handles,
        title="aligned",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=9,
        title_fontsize=9,
    )
    return fig


# A power's node's area by capability (square pixels): POWER_SIZE and
# POWER_SIZE_PER_CAPABILITY a unit of capability. A state's largest, drawn large as a
# member of the group chosen: STATE_SIZE_LARGEST.
POWER_SIZE = 150.0
POWER_SIZE_PER_CAPABILITY = 600.0
STATE_SIZE_LARGEST = 220.0
# Pixels kept between a state's mark and a power's (clear_of_powers).
MARK_GAP = 3.0


def clear_of_powers(
    unit: dict[str, tuple[float, float]], powers: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """``unit`` (a layout in [0, 1], :func:`_unit_layout`) with each state whose mark could
    lie under a power's moved straight away from it until :data:`MARK_GAP` pixels part
    them: the power's mark at capability 1 and the state's drawn large (the same for every
    step and node size); the powers stay. Vietnam's South Vietnam, the state the case is
    about and the group chosen at the start, lay half under the USA's mark (tied to it by a
    weight of 2): no place beside it was clear of the two, and it was not named (an outside
    review; decision 927). Syria moves five states, Vietnam six, by a few pixels."""
    size = np.array([WIDTH, HEIGHT], dtype=float)
    reach = (
        np.sqrt(POWER_SIZE + POWER_SIZE_PER_CAPABILITY) / 2
        + OUTLINE["power"] / 2
        + np.sqrt(STATE_SIZE_LARGEST) / 2
        + OUTLINE["state"] / 2
        + MARK_GAP
    )
    centres = [np.array(unit[p]) * size for p in powers if p in unit]
    out = dict(unit)
    for name, place in unit.items():
        if name in powers:
            continue
        at = np.array(place) * size
        # A few rounds: a step away from one power may bring it nearer another.
        for _ in range(len(centres)):
            for centre in centres:
                away = at - centre
                far = float(np.hypot(*away))
                if far < reach:
                    at = centre + (away / far if far > 0 else np.array([0.0, 1.0])) * reach
        at = np.clip(at / size, 0.0, 1.0)
        out[name] = (float(at[0]), float(at[1]))
    return out


def _unit_layout(
    layout: dict[str, tuple[float, float]],
) -> dict[str, tuple[float, float]]:
    """The layout scaled into [0, 1] with a margin (for labels above the top row and the
    largest power's square at the edges), the same for every step."""
    points = np.array(list(layout.values()), dtype=float)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    margin = np.array([0.05, 0.07])
    scaled = margin + (points - low) / span * (1 - 2 * margin)
    return {name: (float(x), float(y)) for name, (x, y) in zip(layout, scaled, strict=True)}


# A network label's place (decision 859): beside its node, LABEL_GAP pixels off its mark
# (:func:`_around`), where its box, its text measured in DejaVu Sans with LABEL_PAD either
# side, overlaps no other label, no node and not the plotting area's edge, and (decision
# 861) lies at least LABEL_CLEAR pixels nearer its own node's box than any other node's,
# so that it is not read as a neighbour's. A label with no such place is left out, and
# the chart says so (unnamed_note).
LABEL_GAP = 1.5
LABEL_PAD = 1.0
LABEL_CLEAR = 2.0
HALO = 3.0  # the white stroke under a crowded network's powers' names, pixels
Box = tuple[float, float, float, float]


def label_width(text: str, kind: str) -> float:
    """A network label's width on the page, pixels: ``text`` measured in DejaVu Sans (the
    sans-serif of Debian's Chromium, and the font of the saved PNG; :func:`text_width`), 9 px
    for a state and 10 px bold for a power, with :data:`LABEL_PAD` either side. Measured,
    not estimated per character: capitals ("USSR" 29.8 px, where 6.6 a character gave 26.4)
    ran into the node beside them."""
    power = kind == "power"
    return text_width(text, 10 if power else 9, power) + 2 * LABEL_PAD


def node_box(row: dict[str, Any]) -> Box:
    """A node's mark on the page, pixels (y down): its shape spans ``sqrt(size)`` (a
    Vega-Lite path shape is drawn at ``sqrt(size) / 2`` a unit, and :func:`svg_shape`
    fills [-1, 1]), with half its outline around it."""
    x, y = row["x"] * WIDTH, (1 - row["y"]) * HEIGHT
    r = float(np.sqrt(row["size"])) / 2 + OUTLINE[row["kind"]] / 2
    return (x - r, y - r, x + r, y + r)


def _around(node: Box, w: float, h: float) -> list[tuple[float, float]]:
    """The centres, in the order tried, of a ``w`` by ``h`` label beside ``node``'s box
    (pixels, y down), each :data:`LABEL_GAP` off it: above, below, right and left, the
    label centred on the node; then at its four corners; then slid along a side, half and
    all the way to the label's end at the node's centre (Syria's Russia, with Kazakhstan
    on it, Armenia at its right and India and Venezuela below, is named at its left, slid
    up, at the page's start: at its upper left, decision 859's place, its name stood
    as near Pakistan's node as its own)."""
    x0, y0, x1, y1 = node
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    above, below = y0 - LABEL_GAP - h / 2, y1 + LABEL_GAP + h / 2
    left, right = x0 - LABEL_GAP - w / 2, x1 + LABEL_GAP + w / 2
    centres = [(x, above), (x, below), (right, y), (left, y)]
    centres += [(right, above), (left, above), (right, below), (left, below)]
    for part in (0.5, 1.0):
        for side in (-1, 1):
            dx, dy = side * part * w / 2, side * part * h / 2
            centres += [(x + dx, above), (x + dx, below), (right, y + dy), (left, y + dy)]
    return centres


def _label_places(
    rows: Records, wanted: list[bool], crowded: bool = False
) -> list[tuple[float, float] | None]:
    """Where each row's label goes, in [0, 1] units, or None where it cannot go without
    covering another label or a node.

    Labels are placed in order (the powers first, then the states the caller wants named
    first, then the rest), each at the first place around its node (:func:`_around`) whose box
    (:func:`label_width` wide, ``LABEL_HEIGHT`` high) lies within the plotting area,
    overlaps no label placed before and no node (:func:`node_box`), and is at least
    :data:`LABEL_CLEAR` pixels nearer its own node than any other node, box to box
    (:func:`_lead`): at a corner or slid along a side a name could stand nearer a
    neighbour's node than its own (Vietnam's "Saudi Arabia" beside Egypt's, its "USSR"
    beside Cuba's). A power with no such place, its bold name beside the one large
    thick-outlined mark there, takes of its free places those at least
    :data:`LABEL_CLEAR` nearer its node than any other power's the one where it leads the
    nearest node by most, if nearer its own node still. A label with no place is left
    out, a power's too (decision 564 put a power's above its node whatever it covered:
    Syria's Russia over Kazakhstan and Armenia); hovering a node names it, and
    :func:`unnamed_note` says which are left out. In a ``crowded`` network (only the
    powers named, beyond :data:`LABELLED` actors) a power with no such place goes over
    the states' nodes beside its own (:func:`_over_states`), on a white halo.
    """
    nodes = [node_box(row) for row in rows]
    powers = [j for j, row in enumerate(rows) if row["kind"] == "power"]
    placed: list[Box] = []
    out: list[tuple[float, float] | None] = [None] * len(rows)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["kind"] != "power", not wanted[i]))
    for i in order:
        row = rows[i]
        if not row["label"]:
            continue
        w, h = label_width(row["label"], row["kind"]), LABEL_HEIGHT[row["kind"]]
        others = [node for j, node in enumerate(nodes) if j != i]
        # The places inside the plot that cover no label and no node, tried in turn (all
        # of a power's kept, for the fallback below).
        places = (
            (cx, cy, box)
            for cx, cy in _around(nodes[i], w, h)
            for box in [(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)]
            if box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT
            if not any(_overlap(box, other) for other in (*placed, *nodes))
        )
        free = list(places) if row["kind"] == "power" else places
        mine = next((f for f in free if _lead(f[2], nodes[i], others) >= LABEL_CLEAR), None)
        if mine is None and row["kind"] == "power":
            # A power's name, bold beside its large mark with the thick outline: where no
            # place is clear of every node, the place where it leads the nearest other
            # node by most, if it is clear of the other powers' and nearer its own node
            # still (Syria's Russia, ringed by the CSTO's states drawn large when nodes
            # are sized by that group: left of it, 1.5 px off it and 1.9 off Kazakhstan).
            rivals = [nodes[j] for j in powers if j != i]
            clear = [f for f in free if _lead(f[2], nodes[i], rivals) >= LABEL_CLEAR]
            best = max(clear, key=lambda f: _lead(f[2], nodes[i], others), default=None)
            mine = best if best and _lead(best[2], nodes[i], others) > 0 else None
        if mine is None and row["kind"] == "power" and crowded:
            mine = _over_states(i, nodes, powers, placed, w, h)
        if mine is not None:
            cx, cy, box = mine
            placed.append(box)
            out[i] = (cx / WIDTH, 1 - cy / HEIGHT)
    return out


def _over_states(
    i: int, nodes: list[Box], powers: list[int], placed: list[Box], w: float, h: float
) -> tuple[float, float, Box] | None:
    """Where a crowded network's power ``i`` is named when no place beside its node is
    clear of every node (at 400 generated states none was, and no power was named; an
    outside check, decision 896): the place around its node (:func:`_around`), within the
    plotting area, clear of the names placed before and of the other powers' nodes and
    at least :data:`LABEL_CLEAR` nearer its own node than theirs, that covers the fewest
    states' nodes (the first of ties). Its name is drawn bold on a white halo over them,
    beside the one large thick-outlined mark there. None where every place covers a name
    or another power."""
    rivals = [nodes[j] for j in powers if j != i]
    best: tuple[int, tuple[float, float, Box]] | None = None
    for cx, cy in _around(nodes[i], w, h):
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if box[0] < 0 or box[1] < 0 or box[2] > WIDTH or box[3] > HEIGHT:
            continue
        if any(_overlap(box, other) for other in (*placed, *rivals)):
            continue
        if _lead(box, nodes[i], rivals) < LABEL_CLEAR:
            continue
        covered = sum(_overlap(box, node) for j, node in enumerate(nodes) if j != i)
        if best is None or covered < best[0]:
            best = (covered, (cx, cy, box))
    return best[1] if best is not None else None


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _gap(a: Box, b: Box) -> float:
    """The distance between two boxes, pixels (0 where they touch or overlap)."""
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float((dx * dx + dy * dy) ** 0.5)


def _lead(box: Box, own: Box, others: Sequence[Box]) -> float:
    """How much nearer ``box`` is to ``own`` than to the nearest of ``others``, pixels
    (box to box, :func:`_gap`); a label reads as its node's where this is at least
    :data:`LABEL_CLEAR`."""
    return min((_gap(box, other) for other in others), default=np.inf) - _gap(box, own)


# At most this many unnamed actors are listed by name under the network's title, in
# lines of at most NOTE_CHARS characters (10 px: about 5.5 px a character, under WIDTH).
UNNAMED_LISTED = 6
NOTE_CHARS = 95
NOTE_STYLE = {"subtitleFontSize": 10, "subtitleColor": "#595959"}


def unnamed_note(rows: Records, listed: bool) -> str:
    """What the network's subtitle says of the actors it does not name: those
    :func:`_label_places` found no room for (by name, up to :data:`UNNAMED_LISTED`;
    beyond that the powers by name and the states counted), and, beyond
    :data:`LABELLED` actors (``listed`` False), that only the powers are named. Empty
    where every actor is named."""
    powers = [row["name"] for row in rows if not row["label"] and row["kind"] == "power"]
    states = [row["name"] for row in rows if not row["label"] and row["kind"] == "state"]
    states = states if listed else []
    parts = [] if listed else [f"only the powers are named (over {LABELLED} actors)"]
    if powers or states:
        names = [*powers, *states]
        if len(names) > UNNAMED_LISTED:
            # No "0 states" after the powers of a crowded network (an outside check,
            # decision 910).
            names = [*powers, *([count_text(len(states), "state")] if states else [])]
        said = ", ".join(names)
        parts.append(f"not named, for want of room: {said}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


HOVER = "Hover a node for its name."


def note_lines(note: str) -> list[str]:
    """``note`` and :data:`HOVER` in lines of at most :data:`NOTE_CHARS` characters, the
    hint on a line of its own where it would be split."""
    lines = textwrap.wrap(note, NOTE_CHARS)
    if len(lines[-1]) + 1 + len(HOVER) <= NOTE_CHARS:
        return [*lines[:-1], f"{lines[-1]} {HOVER}"]
    return [*lines, HOVER]


def _node(
    scenario: Scenario,
    layout: dict[str, tuple[float, float]],
    name: str,
    kind: str,
    aligned: str,
    size: float,
) -> dict[str, Any]:
    actor = scenario.powers.get(name) or scenario.states[name]
    x, y = layout[name]
    named = kind == "power" or len(layout) <= LABELLED
    return {
        "name": name,
        "label": name if named else "",
        "kind": kind,
        "aligned": aligned,
        "size": size,
        "outline": OUTLINE[kind],
        "x": x,
        "y": y,
        "region": actor.region,
    }


def network_spec(
    scenario: Scenario,
    layout: dict[str, tuple[float, float]],
    aligned: np.ndarray,
    capability: np.ndarray,
    members: set[str],
    size_by: str,
    date: str,
) -> Spec:
    """States coloured by the power they align with (grey: none) and shaped by it too
    (:func:`node_markers`: the power's marker, a bar for none), so that the figure reads
    in greyscale; powers in their own colour and shape with a thick outline; node size
    by capability (powers) or by membership of the group.
    Beyond :data:`LABELLED` actors only the powers are named (hover names a state). A
    label goes beside its node where it covers no other label, no node and not the
    chart's edge, nearer its own node than any other (:func:`_label_places`: the powers
    first, then the group's states), or
    is left out, and the title's subtitle names those left out (:func:`unnamed_note`).
    Beyond :data:`LABELLED` actors a power's name with no such place goes beside its
    node over the states' nodes there (:func:`_over_states`), and the powers' names are
    drawn on a white halo.

    Datasets: ``nodes`` (name, label, kind, aligned, size, x, y, region, and ``lx``,
    ``ly``, where its label goes), positions in [0, 1]; and ``ties``. The title is a
    string, or ``{"text", "subtitle"}`` where the subtitle says who is not named.
    """
    powers = scenario.power_names
    unit = _unit_layout(layout)
    if len(layout) <= REGIONAL:
        unit = clear_of_powers(unit, powers)
    rows: Records = []
    for i, name in enumerate(powers):
        size = POWER_SIZE + POWER_SIZE_PER_CAPABILITY * float(capability[i])
        size = size if size_by == "capability" else 250
        rows.append(_node(scenario, unit, name, "power", name, size))
    for j, name in enumerate(scenario.states):
        choice = int(aligned[j])
        size = 220 if size_by == "group" and name in members else 90
        option = powers[choice] if choice >= 0 else NONE
        rows.append(_node(scenario, unit, name, "state", option, size))
    crowded = len(layout) > LABELLED
    places = _label_places(rows, [row["name"] in members for row in rows], crowded)
    for row, place in zip(rows, places, strict=True):
        if place is None:
            row["label"] = ""
        row["lx"], row["ly"] = place if place is not None else (row["x"], row["y"])
    # Laid out by region (beyond REGIONAL actors) the ties are one grey mesh between the
    # discs, and thousands of them made each step's figure slow to send and draw.
    ties = (
        [
            {"x": unit[a][0], "y": unit[a][1], "x2": unit[b][0], "y2": unit[b][1]}
            for a, b, _, _ in scenario.network.resolved_ties()
        ]
        if len(layout) <= REGIONAL
        else []
    )
    template = _network_template(tuple(powers), halo=crowded)
    title: str | dict[str, Any] = f"States by alignment, {date}"
    note = unnamed_note(rows, listed=not crowded)
    if note:
        # Lines no wider than the chart: a long subtitle widened the whole figure.
        title = {"text": title, "subtitle": note_lines(note), **NOTE_STYLE}
    return {**template, "title": title, "datasets": {"nodes": rows, "ties": ties}}
