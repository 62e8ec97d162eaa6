"""The explorer's labels (decision 859): every separate stretch of an alignment band is
named, and the network's names cover no other name and no node.

Everything expected is computed here from the charts' own data (the specs' datasets),
and each name's width is measured here in the DejaVu Sans that Debian's Chromium draws
the page's sans-serif with (by Pillow), not taken from the figures' own estimates.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from browser import font

from sim.cli import main
from sim.explore.figures import (
    HEIGHT,
    LABELLED,
    MIN_LABEL_SHARE,
    SHARE_HEIGHT,
    SHARE_LABEL_CHAR,
    SHARE_LABEL_PAD,
    WIDTH,
    Line,
    alignment_spec,
    network_figure,
    network_layout,
    network_spec,
    share_labels,
)
from sim.model import CredibilityModel
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.seeds import seed_sequence

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
DATA = Path(__file__).parent / "data"
Box = tuple[float, float, float, float]


def text_box(text: str, x: float, y: float, size: int, bold: bool) -> Box:
    """The box (pixels, y down) of ``text`` centred at (x, y): its measured advance width
    and a line of the font's size."""
    width = float(font(size, bold).getlength(text))
    return (x - width / 2, y - size / 2, x + width / 2, y + size / 2)


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def clashes(boxes: list[tuple[str, Box]]) -> list[tuple[str, str]]:
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if overlap(box_a, box_b)
    ]


# --------------------------------------------------------------------------- alignment


Clearance = dict[str, tuple[pd.Series, pd.Series, pd.Series]]


def band_clearances(rows: pd.DataFrame) -> Clearance:
    """Each band of a share chart, from its own rows, stacked as Vega-Lite stacks them (by
    "order", the first at the bottom): by step, the height its name has there (the height
    common to the band's steps within the name's half width, and a step more; -inf where
    the name would cross the chart's left or right edge), and that height's ceiling and
    floor; the bands in stacking order."""
    order = rows.drop_duplicates("power").sort_values("order")["power"].tolist()
    wide = rows.pivot(index="when", columns="power", values="value")[order].sort_index()
    top = wide.cumsum(axis=1)
    bottom = top - wide
    days = pd.Series(pd.to_datetime(wide.index), index=wide.index)
    x = (days - days.iloc[0]) / (days.iloc[-1] - days.iloc[0]) * WIDTH
    step = x.diff().median()
    out: Clearance = {}
    for power in order:
        half = len(power) * SHARE_LABEL_CHAR / 2 + SHARE_LABEL_PAD
        reach = [(x - at).abs() <= half + step for at in x]
        ceiling = pd.Series([top[power][r].min() for r in reach], index=wide.index)
        floor = pd.Series([bottom[power][r].max() for r in reach], index=wide.index)
        clear = (ceiling - floor).where((x >= half) & (x <= WIDTH - half), -np.inf)
        out[power] = (clear, ceiling, floor)
    return out


def stretches_of(rows: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Each band's stretches, from a share chart's own rows: the runs of steps where its
    name would fit (:func:`band_clearances` at least MIN_LABEL_SHARE), each with its
    steps and where the name goes (the middle of its longest run of the stretch's
    greatest clearance) and its y there."""
    out: dict[str, list[dict[str, Any]]] = {}
    for power, (clear, ceiling, floor) in band_clearances(rows).items():
        fits = clear >= MIN_LABEL_SHARE
        runs = (fits != fits.shift()).cumsum()[fits]
        for _, steps in runs.groupby(runs):
            mine = clear[steps.index]
            tied = mine >= mine.max() - 1e-9
            ties = (tied != tied.shift()).cumsum()[tied]
            longest = ties.value_counts(sort=False).idxmax()
            at = ties.index[ties == longest]
            when = at[(len(at) - 1) // 2]
            out.setdefault(power, []).append(
                {"steps": list(steps.index), "when": when, "y": (ceiling[when] + floor[when]) / 2}
            )
    return out


def share_name_boxes(labels: list[dict[str, Any]], rows: pd.DataFrame) -> list[tuple[str, Box]]:
    """Each drawn name's box on its chart (10 px bold), its x from its date as the chart's
    time axis places it."""
    days = pd.to_datetime(rows["when"])
    first, last = days.min(), days.max()
    boxes = []
    for r in labels:
        x = (pd.Timestamp(r["when"]) - first) / (last - first) * WIDTH
        y = (1 - r["y"]) * SHARE_HEIGHT
        boxes.append((f"{r['power']} {r['when']}", text_box(r["power"], x, y, 10, True)))
    return boxes


def _lines(*names: str) -> list[Line]:
    lines = []
    for name in names:
        scenario = load_scenario(str(SHIPPED / f"{name}.yaml"))
        lines.append(Line(name, run_scenario(scenario, 0, "series", engine="fast").series))
    return lines


@pytest.mark.parametrize(
    ("names", "group"),
    [
        (("sino_soviet",), "communist"),
        (("afghanistan_ussr", "afghanistan_ussr_abstained"), "neighbours"),
        (("egypt_ussr", "egypt_ussr_abstained"), "arab_states"),
    ],
)
def test_each_separate_stretch_of_a_band_is_named(names: tuple[str, ...], group: str) -> None:
    """A band was named once: the PRC's one state among communist states from 1965-02,
    pushed a state higher in 1966-09 (the two parts meet at a corner), was told from the
    USSR's band below it by colour alone, one grey in greyscale. Each stretch of a band
    where its name fits is now named, where it is widest for the name within the stretch,
    and no two names overlap (widths measured here)."""
    lines = _lines(*names)
    scenario = load_scenario(str(SHIPPED / f"{names[0]}.yaml"))
    spec = alignment_spec(
        lines[0], lines[1] if len(lines) > 1 else None, group, scenario.power_names
    )
    for dataset in ["shares", "shares_counterfactual"][: len(lines)]:
        rows = pd.DataFrame(spec["datasets"][dataset])
        labels = spec["datasets"][f"{dataset}_labels"]
        want = stretches_of(rows)
        drawn: dict[str, list[dict[str, Any]]] = {}
        for r in labels:
            drawn.setdefault(r["power"], []).append(r)
        assert set(drawn) == set(want), dataset
        for power, stretches in want.items():
            # One name a stretch, at its widest place, in date order.
            assert [r["when"] for r in drawn[power]] == [s["when"] for s in stretches], power
            assert [r["y"] for r in drawn[power]] == pytest.approx([s["y"] for s in stretches])
        assert not clashes(share_name_boxes(labels, rows)), dataset
    if names[0] == "sino_soviet":
        prc = [r for r in spec["datasets"]["shares_labels"] if r["power"] == "PRC"]
        assert len(prc) == 2
        # The first inside its 1965-1966 stretch, at one state's height above the USSR.
        assert "1965-02" <= prc[0]["date"] <= "1966-08" and prc[0]["value"] == pytest.approx(1 / 11)
        assert prc[0]["y"] == pytest.approx((7 / 11 + 8 / 11) / 2)
        assert prc[1]["date"] >= "1967-03"


def test_names_of_bands_side_by_side_do_not_overlap() -> None:
    """Two bands of one state in sixteen each, stacked on each other from start to end:
    both names' best place is the chart's middle, 9.4 pixels apart, one line over the
    other. The second is moved along its band to where it clears the first (by its next
    best place, nearest the middle); both are named, and no two names overlap."""
    months = pd.period_range("2000-01", "2009-12", freq="M")
    rows = []
    for i, month in enumerate(months):
        when = month.to_timestamp().strftime("%Y-%m-%d")
        for power, value in (("Aa", 1 / 16), ("Bb", 1 / 16), ("none", 14 / 16)):
            rows.append(
                {"date": str(month), "when": when, "power": power, "value": value, "step": i}
            )
    shares = pd.DataFrame(rows)
    labels = share_labels(shares, ["Aa", "Bb", "none"])
    assert sorted(labels["power"]) == ["Aa", "Bb", "none"]
    records = labels.to_dict("records")
    assert not clashes(share_name_boxes(records, shares))
    # Each still sits within its own band, at its middle.
    y = dict(zip(labels["power"], labels["y"], strict=True))
    assert y["Aa"] == pytest.approx(1 / 32) and y["Bb"] == pytest.approx(3 / 32)


# --------------------------------------------------------------------------- network


def node_boxes(spec: dict[str, Any]) -> list[tuple[str, Box]]:
    """Each node's mark on the page: a Vega-Lite path shape spans sqrt(size) pixels (its
    path, within [-1, 1], drawn at sqrt(size) / 2 a unit), its outline half outside."""
    boxes = []
    for row in spec["datasets"]["nodes"]:
        x, y = row["x"] * WIDTH, (1 - row["y"]) * HEIGHT
        r = np.sqrt(row["size"]) / 2 + row["outline"] / 2
        boxes.append((row["name"], (x - r, y - r, x + r, y + r)))
    return boxes


def label_boxes(spec: dict[str, Any]) -> list[tuple[str, Box]]:
    """Each drawn label's box: 9 px for a state, 10 px bold for a power."""
    boxes = []
    for row in spec["datasets"]["nodes"]:
        if row["label"]:
            power = row["kind"] == "power"
            x, y = row["lx"] * WIDTH, (1 - row["ly"]) * HEIGHT
            boxes.append((row["name"], text_box(row["label"], x, y, 10 if power else 9, power)))
    return boxes


def gap(a: Box, b: Box) -> float:
    """The distance between two boxes (0 where they touch or overlap)."""
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float(np.hypot(dx, dy))


def page_network(path: Path, group: str | None = None, size_by: str = "capability") -> Any:
    """The network as the page draws it at the start: the model's capabilities and
    alignments, the page's group (the first after "all", or ``group``)."""
    scenario = load_scenario(path)
    model = CredibilityModel(spec=scenario, rng=seed_sequence(0, 0))
    names = [g.name for g in model.groups]
    chosen = group or (names[1] if len(names) > 1 else names[0])
    members = {model.actor_names[i] for g in model.groups if g.name == chosen for i in g.members}
    spec = network_spec(
        scenario,
        network_layout(scenario),
        model.aligned,
        model.capability,
        members,
        size_by,
        model.date,
    )
    return scenario, spec


def subtitle(spec: dict[str, Any]) -> str:
    title = spec["title"]
    return " ".join(title["subtitle"]) if isinstance(title, dict) else ""


def check_network(spec: dict[str, Any]) -> None:
    """No two labels overlap, none covers a node or crosses the plotting area's edge,
    each is beside its own node, and the actors left unnamed are said under the title."""
    labels = label_boxes(spec)
    nodes = node_boxes(spec)
    assert not clashes(labels)
    assert not [(a, b) for a, box in labels for b, node in nodes if overlap(box, node)]
    outside = [a for a, (x0, y0, x1, y1) in labels if x0 < 0 or y0 < 0 or x1 > WIDTH or y1 > HEIGHT]
    assert not outside
    own = dict(nodes)
    assert all(gap(box, own[a]) <= 4.0 for a, box in labels), "a label away from its node"
    rows = spec["datasets"]["nodes"]
    unnamed = [r["name"] for r in rows if not r["label"]]
    said = subtitle(spec)
    if len(rows) > LABELLED:
        assert said.startswith(f"Only the powers are named (over {LABELLED} actors)")
        unnamed = [r["name"] for r in rows if not r["label"] and r["kind"] == "power"]
    if not unnamed:
        assert "not named" not in said.lower()
    elif len(unnamed) <= 6:
        assert f"named, for want of room: {', '.join(unnamed)}." in said
    else:
        powers = [r["name"] for r in rows if not r["label"] and r["kind"] == "power"]
        states = len(unnamed) - len(powers)
        assert f"for want of room: {', '.join([*powers, f'{states} states'])}." in said
    if unnamed:
        assert said.endswith("Hover a node for its name.")


CASES = [
    ("syria", None, "capability"),
    ("sino_soviet", "communist", "capability"),
    ("vietnam_usa", "south_vietnam", "capability"),
    ("afghanistan_ussr", "neighbours", "group"),
    ("egypt_ussr", "arab_states", "group"),
]


@pytest.mark.parametrize(("name", "group", "size_by"), CASES)
def test_network_labels_cover_no_label_and_no_node(
    name: str, group: str | None, size_by: str
) -> None:
    """The page's network printed names over nodes where states crowd (Syria's Russia over
    Kazakhstan and Armenia: a power was named above its node whatever it covered; Vietnam's
    USA over the Philippines, USSR over Laos), over each other (Afghanistan's PRC and
    Mongolia, nodes sized by the neighbours group) and past the chart's edge (Tanzania).
    Now no label overlaps another or a node or crosses the edge, each sits beside its own
    node, every power is named, and whoever has no room is named under the title."""
    scenario, spec = page_network(SHIPPED / f"{name}.yaml", group, size_by)
    check_network(spec)
    named = {a for a, _ in label_boxes(spec)}
    assert set(scenario.power_names) <= named
    assert len(named & set(scenario.states)) >= 0.8 * len(scenario.states)


def test_a_crowded_generated_network_names_no_state_over_another(tmp_path: Path) -> None:
    """75 generated states (credsim synth), under the 80 beyond which only the powers are
    named: they crowd into one tangle, and the labels that fit are drawn clear of each
    other and of every node; the rest are counted under the title. The generated test
    scenario (a file with ``generate:``) is all named."""
    path = tmp_path / "crowded.yaml"
    assert (
        main(
            [
                "synth",
                "--states",
                "75",
                "--powers",
                "4",
                "--regions",
                "5",
                "--seed",
                "3",
                "--out",
                str(path),
            ]
        )
        == 0
    )
    for size_by in ("capability", "group"):
        _, spec = page_network(path, size_by=size_by)
        check_network(spec)
        assert "states" in subtitle(spec)
    _, spec = page_network(DATA / "scenarios" / "generated.yaml")
    check_network(spec)
    assert all(r["label"] for r in spec["datasets"]["nodes"])


def unaligned_network(
    scenario: Any,
    layout: dict[str, tuple[float, float]] | None = None,
    members: Collection[str] = (),
    size_by: str = "capability",
    date: str = "x",
) -> dict[str, Any]:
    """``network_spec`` of ``scenario`` with no state aligned and every power's capability 1
    (its own layout unless one is given)."""
    return network_spec(
        scenario,
        network_layout(scenario) if layout is None else layout,
        np.full(len(scenario.states), -1),
        np.ones(len(scenario.powers)),
        set(members),
        size_by,
        date,
    )


def ringed_russia() -> tuple[Any, dict[str, tuple[float, float]]]:
    """Syria with Russia at the middle of the network, ringed by 18 states 20 pixels out
    and 14 more 32 out, the other powers and two states in the corners (which fix the
    layout's scale: 504 pixels a unit across, 327 up, _unit_layout's margins)."""
    scenario = load_scenario(SHIPPED / "syria.yaml")
    states = list(scenario.states)
    layout = {"Russia": (0.5, 0.5)}
    for k, name in enumerate(states[:18]):
        angle = 2 * np.pi * k / 18
        layout[name] = (0.5 + 20 / 504 * np.cos(angle), 0.5 + 20 / 327 * np.sin(angle))
    for k, name in enumerate(states[18:32]):
        angle = 2 * np.pi * (k + 0.5) / 14
        layout[name] = (0.5 + 32 / 504 * np.cos(angle), 0.5 + 32 / 327 * np.sin(angle))
    corners = [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0), (0.2, 0.8), (0.8, 0.2)]
    rest = [name for name in scenario.actor_names if name not in layout]
    layout.update(zip(rest, corners, strict=True))
    return scenario, {name: layout[name] for name in scenario.actor_names}


def test_labels_with_no_room_are_left_out_and_said(tmp_path: Path) -> None:
    """Syria's 39 actors laid out within a few pixels of one point (two far corners
    anchoring the scale): few labels can go beside their nodes without covering another
    node, a power's neither (before, a power's went above its node whatever it covered).
    Those left out are said under the title on the page (powers by name, states counted),
    and under the saved picture, without the page's hint to hover; beyond LABELLED actors
    the subtitle says only the powers are named."""
    import matplotlib.pyplot as plt

    scenario, layout = ringed_russia()
    spec = unaligned_network(scenario, layout)
    check_network(spec)
    rows = spec["datasets"]["nodes"]
    unnamed = [r["name"] for r in rows if not r["label"]]
    assert len(unnamed) > 6 and set(unnamed) & set(scenario.power_names)
    fig = network_figure(spec, scenario.power_names)
    (ax,) = fig.axes
    (note,) = [t.get_text() for t in ax.texts if "for want of room" in t.get_text()]
    assert note.replace("\n", " ") == subtitle(spec).replace(" Hover a node for its name.", "")
    plt.close(fig)

    big = tmp_path / "big.yaml"
    assert main(["synth", "--states", "100", "--powers", "3", "--out", str(big)]) == 0
    scenario, spec = page_network(big)
    check_network(spec)
    named = {r["name"] for r in spec["datasets"]["nodes"] if r["label"]}
    assert named and named <= set(scenario.power_names)


# --------------------------------------------------------------------------- network (861)


def misread(spec: dict[str, Any]) -> list[tuple[str, str, float, float]]:
    """The drawn labels that stand as near another node as their own, or nearer: (the
    label's state, the other node, the distance from the label's box to its own node's
    box and to the other's, pixels). Boxes as :func:`label_boxes` and :func:`node_boxes`
    measure them from the spec's data: text in DejaVu Sans, marks by their size."""
    nodes = node_boxes(spec)
    out = []
    for name, box in label_boxes(spec):
        own = gap(box, dict(nodes)[name])
        other, nearest = min(((gap(box, node), b) for b, node in nodes if b != name))
        if other <= own:
            out.append((name, nearest, round(own, 2), round(other, 2)))
    return out


NEAR_CASES = [*CASES, ("syria", "csto", "group")]


@pytest.mark.parametrize(("name", "group", "size_by"), NEAR_CASES)
def test_each_network_label_is_nearer_its_own_node_than_any_other(
    name: str, group: str | None, size_by: str
) -> None:
    """A label at a corner of its node or slid along a side could stand nearer a
    neighbour's node than its own, and be read as the neighbour's: Vietnam's "Saudi
    Arabia" beside Egypt's node, its "USSR" beside Cuba's, Sino-Soviet's "Japan" beside
    the USA's, Syria's "South Africa" as near Nigeria's node as its own. Now every drawn
    label's box is nearer its own node's box than any other node's (the shipped cases with
    the most states, at the page's start; Syria's by the CSTO, whose members drawn large
    ring Russia), every power is still named, and the labels still cover nothing."""
    scenario, spec = page_network(SHIPPED / f"{name}.yaml", group, size_by)
    assert not misread(spec)
    assert set(scenario.power_names) <= {a for a, _ in label_boxes(spec)}
    check_network(spec)


def test_labels_of_a_crowded_network_are_nearer_their_own_nodes(tmp_path: Path) -> None:
    """75 generated states in one tangle (credsim synth, nodes by capability and by
    group), and Syria's states ringed round Russia (the layout of
    test_labels_with_no_room_are_left_out_and_said): no drawn label is as near another
    node as its own; those without such a place are left out and said."""
    path = tmp_path / "crowded.yaml"
    args = ["synth", "--states", "75", "--powers", "4", "--regions", "5", "--seed", "3"]
    assert main([*args, "--out", str(path)]) == 0
    for size_by in ("capability", "group"):
        _, spec = page_network(path, size_by=size_by)
        assert not misread(spec), size_by
        check_network(spec)
    scenario, layout = ringed_russia()
    spec = unaligned_network(scenario, layout)
    assert not misread(spec)
    check_network(spec)


@pytest.mark.parametrize(
    "name", ["afghanistan_ussr", "egypt_ussr", "sino_soviet", "syria", "tour", "vietnam_usa"]
)
def test_every_power_is_named_by_every_group(name: str) -> None:
    """Each shipped case (its counterfactuals share its layout), at the page's
    start, with each of its groups as the page's and nodes sized by capability and by the
    group: every power is named, and no drawn label is as near another node as its own.
    Syria's Russia, ringed by the CSTO's states drawn large, has no place clear by
    LABEL_CLEAR of every node; its bold name goes where it is nearest its own node against
    the others (left of it), still nearer its own than any other."""
    scenario = load_scenario(SHIPPED / f"{name}.yaml")
    model = CredibilityModel(spec=scenario, rng=seed_sequence(0, 0))
    layout = network_layout(scenario)
    for group in model.groups:
        members = {model.actor_names[i] for i in group.members}
        for size_by in ("capability", "group"):
            spec = network_spec(
                scenario, layout, model.aligned, model.capability, members, size_by, model.date
            )
            named = {r["name"] for r in spec["datasets"]["nodes"] if r["label"]}
            assert set(scenario.power_names) <= named, (group.name, size_by)
            assert not misread(spec), (group.name, size_by)
