"""The explorer's figures (Altair): trust over time, alignment, the network of states.

Each figure is a Vega-Lite spec (a dict): a chart built once with Altair
from named data sources (cached: building and validating an Altair chart
takes longer than a run), with the data of the run on the page filled in as
its ``datasets``. A test reads what is drawn from ``spec["datasets"]``.
Colours are the package's (:mod:`sim.plots.palette`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd

from sim.plots.alignment import poles_with_third_way
from sim.plots.figure import step_times, to_datetime
from sim.plots.palette import NONE_COLOR, power_palette
from sim.scenario.schema import Scenario

WIDTH = 560
REGIONAL = 300  # actors beyond which the network is laid out region by region
LABELLED = 80  # actors beyond which only the powers are named in the network
NONE = "none"
Spec = dict[str, Any]
Records = list[dict[str, Any]]
SOLID, DASHED = [1, 0], [6, 4]
EVENT_TOOLTIP = [
    alt.Tooltip("date:N"),
    alt.Tooltip("label:N"),
    alt.Tooltip("kind:N"),
    alt.Tooltip("actor:N"),
    alt.Tooltip("target:N"),
    alt.Tooltip("source:N"),
]


@dataclass(frozen=True)
class Line:
    """One scenario's series and the name its lines carry in the legend."""

    name: str
    series: pd.DataFrame


def event_table(scenario: Scenario) -> pd.DataFrame:
    """The scenario's events: when (the date label of their step), label, source, who."""
    rows = []
    for index, event in enumerate(scenario.events):
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
                "order": index,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["date", "label", "source", "kind", "actor", "target", "order"]
    )
    frame["when"] = to_datetime(frame["date"]).dt.strftime("%Y-%m-%d").to_numpy()
    return frame


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


def _power_scale(powers: Sequence[str], none: bool = False) -> alt.Scale:
    palette = power_palette(powers)
    domain = [*powers, NONE] if none else list(powers)
    return alt.Scale(domain=domain, range=[palette.get(p, NONE_COLOR) for p in domain])


def _dash(names: Sequence[str]) -> alt.StrokeDash:
    return alt.StrokeDash(
        "scenario:N",
        scale=alt.Scale(domain=list(names), range=[SOLID, DASHED][: len(names)]),
        title="scenario",
    )


def _events_layer(y_top: float) -> alt.LayerChart | alt.FacetChart:
    rule = (
        alt.Chart(alt.Data(name="events"))
        .mark_rule(color="#777777", strokeDash=[2, 3], opacity=0.7)
        .encode(x="when:T", tooltip=EVENT_TOOLTIP)
    )
    point = (
        alt.Chart(alt.Data(name="events"))
        .mark_point(shape="triangle-down", filled=True, color="#555555", size=60)
        .encode(x="when:T", y=alt.datum(y_top), tooltip=EVENT_TOOLTIP)
    )
    return alt.layer(rule, point)


@lru_cache(maxsize=64)
def _trajectories_template(
    names: tuple[str, ...], group: str, powers: tuple[str, ...], title: str
) -> Spec:
    colour = alt.Color("power:N", scale=_power_scale(powers), title="power")
    lines = (
        alt.Chart(alt.Data(name="lines"))
        .mark_line()
        .encode(
            x=alt.X("when:T", title="date"),
            y=alt.Y("value:Q", title=f"{title} ({group})", scale=alt.Scale(domain=[0, 1])),
            color=colour,
            strokeDash=_dash(names),
            detail="scenario:N",
            tooltip=[
                alt.Tooltip("scenario:N"),
                alt.Tooltip("power:N"),
                alt.Tooltip("date:N"),
                alt.Tooltip("value:Q", format=".3f"),
            ],
        )
        .properties(width=WIDTH, height=240, title=f"{title} in each power, {group}")
    )
    upper = alt.layer(lines, _events_layer(1.0))
    if len(names) == 1:
        return upper.to_dict()
    difference = (
        alt.Chart(alt.Data(name="difference"))
        .mark_line()
        .encode(
            x=alt.X("when:T", title="date"),
            y=alt.Y("value:Q", title=f"{names[0]} minus {names[1]}"),
            color=colour,
            tooltip=[
                alt.Tooltip("power:N"),
                alt.Tooltip("date:N"),
                alt.Tooltip("value:Q", format="+.3f"),
            ],
        )
        .properties(width=WIDTH, height=140, title="Difference")
    )
    zero = alt.Chart(alt.Data(name="zero")).mark_rule(color="#444444").encode(y=alt.datum(0.0))
    return alt.vconcat(upper, alt.layer(difference, zero, _events_layer(0.0))).to_dict()


def trajectories_spec(
    run: Line,
    counterfactual: Line | None,
    events: pd.DataFrame,
    group: str,
    powers: Sequence[str],
    metric: str = "trust_mean",
    title: str = "Trust",
) -> Spec:
    """``metric`` per power over time for ``group``: the run solid, the counterfactual
    dashed, events marked (hover for label and source); below, run minus counterfactual.

    Datasets: ``lines`` (step, date, when, power, value, scenario), ``events``
    and, with a counterfactual, ``difference`` (step, power, value: run minus it).
    """
    lines = [run] if counterfactual is None else [run, counterfactual]
    data = pd.concat([_rows(line, metric, group) for line in lines], ignore_index=True)
    datasets: dict[str, Records] = {
        "lines": _records(data),
        "events": _records(events.drop(columns="order")),
    }
    if counterfactual is not None:
        mine = data[data["scenario"] == run.name].set_index(["step", "power"])
        theirs = data[data["scenario"] == counterfactual.name].set_index(["step", "power"])
        diff = mine[["date", "when"]].assign(
            value=mine["value"] - theirs["value"].reindex(mine.index)
        )
        datasets["difference"] = _records(diff.reset_index())
        datasets["zero"] = [{}]
    template = _trajectories_template(
        tuple(line.name for line in lines), group, tuple(powers), title
    )
    return {**template, "datasets": datasets}


@lru_cache(maxsize=64)
def _alignment_template(names: tuple[str, ...], group: str, powers: tuple[str, ...]) -> Spec:
    area = (
        alt.Chart(alt.Data(name="shares"))
        .mark_area()
        .encode(
            x=alt.X("when:T", title="date"),
            y=alt.Y("value:Q", stack="zero", title=f"share aligned ({group})"),
            color=alt.Color("power:N", scale=_power_scale(powers, none=True), title="aligned"),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("power:N"),
                alt.Tooltip("date:N"),
                alt.Tooltip("value:Q", format=".2f"),
            ],
        )
        .properties(width=WIDTH, height=180, title=f"Alignment, {names[0]}, {group}")
    )
    poles = (
        alt.Chart(alt.Data(name="poles"))
        .mark_line(color="#333333")
        .encode(
            x=alt.X("when:T", title="date"),
            y=alt.Y("value:Q", title="effective poles (non-aligned as one)"),
            strokeDash=_dash(names),
            tooltip=[
                alt.Tooltip("scenario:N"),
                alt.Tooltip("date:N"),
                alt.Tooltip("value:Q", format=".2f"),
            ],
        )
        .properties(width=WIDTH, height=110, title="Effective number of poles (non-aligned as one)")
    )
    return alt.vconcat(area, poles).to_dict()


def alignment_spec(
    run: Line, counterfactual: Line | None, group: str, powers: Sequence[str]
) -> Spec:
    """Shares of ``group``'s states aligned with each power (non-aligned grey) over time,
    and the effective number of poles of the run and the counterfactual.

    Datasets: ``shares`` (the run's) and ``poles`` (every scenario's).
    """
    s = run.series
    shares = _when(s[(s["metric"] == "share_aligned") & (s["group"] == group)])
    order = {name: i for i, name in enumerate([*powers, NONE])}
    shares = shares.assign(order=shares["power"].map(order))
    lines = [run] if counterfactual is None else [run, counterfactual]
    poles = []
    for line in lines:
        # As the static alignment figure counts them (decision 94): the non-aligned are
        # one pole of their own, so the two pages give the same number.
        frame = line.series
        mine = frame[(frame["metric"] == "share_aligned") & (frame["group"] == group)]
        rows = poles_with_third_way(mine[["step", "date", "power", "value"]])
        poles.append(_when(rows).assign(scenario=line.name)[["date", "when", "value", "scenario"]])
    template = _alignment_template(tuple(line.name for line in lines), group, tuple(powers))
    return {
        **template,
        "datasets": {
            "shares": _records(shares[["date", "when", "power", "value", "order"]]),
            "poles": _records(pd.concat(poles, ignore_index=True)),
        },
    }


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
def _network_template(powers: tuple[str, ...]) -> Spec:
    axis = alt.Axis(labels=False, ticks=False, grid=False, title=None, domain=False)
    edges = (
        alt.Chart(alt.Data(name="ties"))
        .mark_rule(color="#cccccc")
        .encode(x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis), x2="x2:Q", y2="y2:Q")
    )
    points = (
        alt.Chart(alt.Data(name="nodes"))
        .mark_point(filled=True, opacity=0.9, stroke="#333333", strokeWidth=0.5)
        .encode(
            x=alt.X("x:Q", axis=axis),
            y=alt.Y("y:Q", axis=axis),
            color=alt.Color("aligned:N", scale=_power_scale(powers, none=True), title="aligned"),
            shape=alt.Shape(
                "kind:N", scale=alt.Scale(domain=["power", "state"], range=["square", "circle"])
            ),
            size=alt.Size("size:Q", legend=None, scale=None),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("region:N"),
                alt.Tooltip("aligned:N"),
            ],
        )
    )
    # A power's label sits above its square (up to 27 px wide), a state's above its dot.
    labels = [
        alt.Chart(alt.Data(name="nodes"))
        .transform_filter(f"datum.kind == '{kind}'")
        .mark_text(
            dy=dy,
            fontSize=size,
            fontWeight="bold" if kind == "power" else "normal",
            color="#333333",
        )
        .encode(x="x:Q", y="y:Q", text="label:N")
        for kind, dy, size in (("state", -11, 9), ("power", -20, 10))
    ]
    return alt.layer(edges, points, *labels).properties(width=WIDTH, height=380).to_dict()


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
    """States coloured by the power they align with (grey: none), powers as squares in
    their own colour; node size by capability (powers) or by membership of the group.
    Beyond :data:`LABELLED` actors only the powers are named (hover names a state).

    Datasets: ``nodes`` (name, label, kind, aligned, size, x, y, region) and ``ties``.
    """
    powers = scenario.power_names
    rows: Records = []
    for i, name in enumerate(powers):
        size = 150 + 600 * float(capability[i]) if size_by == "capability" else 250
        rows.append(_node(scenario, layout, name, "power", name, size))
    for j, name in enumerate(scenario.states):
        choice = int(aligned[j])
        size = 220 if size_by == "group" and name in members else 90
        option = powers[choice] if choice >= 0 else NONE
        rows.append(_node(scenario, layout, name, "state", option, size))
    # Laid out by region (beyond REGIONAL actors) the ties are one grey mesh between the
    # discs, and thousands of them made each step's figure slow to send and draw.
    ties = (
        [
            {"x": layout[a][0], "y": layout[a][1], "x2": layout[b][0], "y2": layout[b][1]}
            for a, b, _, _ in scenario.network.resolved_ties()
        ]
        if len(layout) <= REGIONAL
        else []
    )
    template = _network_template(tuple(powers))
    return {
        **template,
        "title": f"States by alignment, {date}",
        "datasets": {"nodes": rows, "ties": ties},
    }
