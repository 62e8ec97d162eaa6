"""Two things an outside check of the explorer found (decision 896): the page's time axes
started a few pixels apart, and at 400 states no power was named in the network.

The time charts are Vega-Lite specs, drawn by Vega in the browser: where a plotting area
starts is Vega's layout of its axes, so the test of the first draws the page's own specs
(from the page rendered without a browser) with the Vega files the page loads, in Debian's
headless Chromium, and reads each plotting area's edges, in pixels, off Vega's scenegraph.
The network's names are read from its spec and from its saved picture (matplotlib).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import ARGS, CHROMIUM, font, needs_chromium

solara = pytest.importorskip("solara")

from solara.widgets import VegaLite  # noqa: E402

from sim.cli import main  # noqa: E402
from sim.explore.app import Explorer  # noqa: E402
from sim.explore.engine import fast_engine  # noqa: E402
from sim.explore.figures import (  # noqa: E402
    HEIGHT,
    LABELLED,
    WIDTH,
    network_figure,
    network_layout,
    network_spec,
)
from sim.model import CredibilityModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.seeds import seed_sequence  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
VEGA = (
    "vega@5/build/vega.min.js",
    "vega-lite@5/build/vega-lite.min.js",
    "vega-embed@6/build/vega-embed.min.js",
)


# --------------------------------------------------------------------------- time axes


def page_specs(scenario: str, counterfactual: str | None) -> list[dict[str, Any]]:
    """The specs the page draws (trust, affinity, alignment, the network), as its widgets
    hold them."""
    _, rc = solara.render(
        Explorer(scenario, counterfactual, engine=fast_engine), handle_error=False
    )
    return [w.spec for w in rc.find(VegaLite).widgets]


def time_charts(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The time charts among the page's specs (all but the network)."""
    return [spec for spec in specs if "nodes" not in spec.get("datasets", {})]


# Each spec drawn by vega-embed as the page draws it, and each plotting area's left and
# right edges in the page, pixels: the drawing's place (its SVG, as the page draws it since
# decision 952; a canvas before), Vega's origin (padding and the room
# of the axes at the left) and each panel's place within the chart.
PLOTTING_AREAS = """async (specs) => {
    const out = [];
    for (const spec of specs) {
        const element = document.createElement('div');
        document.body.appendChild(element);
        const {view} = await vegaEmbed(element, spec, {actions: true});
        await view.runAsync();
        const canvas = element.querySelector('.marks').getBoundingClientRect();
        const [x, y] = view.origin();
        const root = view.scenegraph().root.items[0];
        const panels = (root.items || []).filter(
            mark => mark.marktype === 'group' && /^concat_\\d+_group$/.test(mark.name || ''));
        const areas = panels.length
            ? panels.flatMap(mark => mark.items.map(g => [g.x, g.x + g.width]))
            : [[0, view.width()]];
        out.push(areas.map(([a, b]) => [canvas.left + x + a, canvas.left + x + b]));
    }
    return out;
}"""


def in_chromium(script: str, specs: list[dict[str, Any]]) -> Any:
    """``script`` run on ``specs`` in a blank page of headless Chromium that holds the Vega
    files the explorer's page loads (from Solara's asset cache, filled as the page's server
    fills it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from sim.explore.assets import fill_cache, missing, proxy_cache

    cache = proxy_cache()
    fill_cache(cache)
    if any(name.startswith(("vega@", "vega-lite@", "vega-embed@")) for name in missing(cache)):
        pytest.skip(f"Vega's files are not in {cache} and npm could not fetch them")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.set_content("<html><body style='margin: 0'></body></html>")
            for path in VEGA:
                page.add_script_tag(path=str(cache / path))
            return page.evaluate(script, specs)
        finally:
            browser.close()


@needs_chromium
def test_the_time_charts_plotting_areas_start_and_end_at_one_x() -> None:
    """Syria beside its counterfactual: Vega put the plotting areas of trust, affinity and
    alignment 46, 54 and 39 pixels into their charts (the widest labels of their y axes,
    "0.15", "−0.08" and "0.0", are of different widths), so that a date stood at three
    places down the page. Each panel of each time chart now starts and ends at one x,
    within a pixel; Syria alone too (its trust chart, one panel, lay a pixel left of the
    alignment's)."""
    syria, cf = str(SHIPPED / "syria.yaml"), str(SHIPPED / "syria_abstained.yaml")
    charts = [time_charts(page_specs(syria, cf)), time_charts(page_specs(syria, None))]
    assert [len(c) for c in charts] == [3, 3]
    measured = in_chromium(PLOTTING_AREAS, [spec for c in charts for spec in c])
    for page, areas in (("beside syria_abstained", measured[:3]), ("alone", measured[3:])):
        lefts = [a for chart in areas for a, _ in chart]
        rights = [b for chart in areas for _, b in chart]
        assert max(lefts) - min(lefts) < 1, (page, areas)
        assert max(rights) - min(rights) < 1, (page, areas)
        assert all(b - a == pytest.approx(WIDTH) for chart in areas for a, b in chart)


def test_the_page_gives_its_time_charts_one_y_axis_room() -> None:
    """The page hands each time chart the same room for its y axes' ticks and labels
    (Vega's minExtent; before, Vega's own layout gave each chart the room of its own
    labels, and the test in Chromium above measures what that did), a room that holds a
    seven-character label such as a small difference's "−0.0020" (decision 907). The
    width is measured here with Pillow, not with the function the code uses."""
    from sim.explore.figures import AXIS_LABEL_PAD, AXIS_TICK, Y_AXIS_ROOM

    syria, cf = str(SHIPPED / "syria.yaml"), str(SHIPPED / "syria_abstained.yaml")
    for counterfactual in (cf, None):
        charts = time_charts(page_specs(syria, counterfactual))
        rooms = {spec.get("config", {}).get("axisY", {}).get("minExtent") for spec in charts}
        assert len(charts) == 3 and rooms == {Y_AXIS_ROOM}, rooms
    for label in ("\u22120.0020", "\u22120.0000", "0.0000", "1.0"):
        assert AXIS_TICK + AXIS_LABEL_PAD + font(10, False).getlength(label) <= Y_AXIS_ROOM
    assert Y_AXIS_ROOM <= 60  # the page's column holds WIDTH and a 60-pixel axis


# --------------------------------------------------------------------------- network


def synthetic(folder: Path, states: int, powers: int, seed: int = 0) -> Path:
    """A generated scenario (``credsim synth``: a file with ``generate:``)."""
    path = folder / f"synth_{states}_{powers}.yaml"
    args = ["synth", "--states", str(states), "--powers", str(powers), "--seed", str(seed)]
    assert main([*args, "--out", str(path)]) == 0
    assert "generate:" in path.read_text(encoding="utf-8")
    return path


def page_network(path: Path, size_by: str) -> tuple[Any, dict[str, Any]]:
    """The page's network of ``path`` at its start (the page's first group chosen)."""
    scenario = load_scenario(path)
    model = CredibilityModel(spec=scenario, rng=seed_sequence(0, 0))
    group = model.groups[1] if len(model.groups) > 1 else model.groups[0]
    members = {model.actor_names[i] for i in group.members}
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


def boxes(spec: dict[str, Any]) -> dict[str, tuple[float, float, float, float]]:
    """Each drawn label's box on the page (pixels, y down), measured here in DejaVu Sans."""
    out = {}
    for row in spec["datasets"]["nodes"]:
        if row["label"]:
            power = row["kind"] == "power"
            width = font(10 if power else 9, power).getlength(row["label"])
            x, y = row["lx"] * WIDTH, (1 - row["ly"]) * HEIGHT
            half = 5.0 if power else 4.5
            out[row["name"]] = (x - width / 2, y - half, x + width / 2, y + half)
    return out


def node_boxes(spec: dict[str, Any]) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for row in spec["datasets"]["nodes"]:
        x, y = row["x"] * WIDTH, (1 - row["y"]) * HEIGHT
        r = (row["size"] ** 0.5) / 2 + row["outline"] / 2
        out[row["name"]] = (x - r, y - r, x + r, y + r)
    return out


def gap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float((dx * dx + dy * dy) ** 0.5)


@pytest.mark.parametrize("powers", [3, 5])
@pytest.mark.parametrize("size_by", ["capability", "group"])
def test_every_power_is_named_in_a_network_of_400_states(
    tmp_path: Path, powers: int, size_by: str
) -> None:
    """400 generated states crowd every power's node (synth: 3 powers named none of them,
    5 powers one): no place beside it was clear of every state's node, and the powers went
    unnamed "for want of room". Each power is named beside its node now, on a white halo
    over the states' nodes it may cover, clear of the other names and of the other powers'
    nodes, nearer its own than any other power's; the states are still not named. The
    saved picture writes each power's name too."""
    import matplotlib.pyplot as plt

    scenario, spec = page_network(synthetic(tmp_path, 400, powers), size_by)
    assert len(scenario.actor_names) > LABELLED
    rows = spec["datasets"]["nodes"]
    named = {r["name"] for r in rows if r["label"]}
    assert named == set(scenario.power_names)
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "for want of room" not in subtitle
    assert subtitle.startswith(f"Only the powers are named (over {LABELLED} actors).")
    labels, nodes = boxes(spec), node_boxes(spec)
    for power, box in labels.items():
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT, power
        assert gap(box, nodes[power]) <= 4.0, power
        for other in scenario.power_names:
            if other != power:
                assert gap(box, labels[other]) > 0, (power, other)
                assert gap(box, nodes[other]) > gap(box, nodes[power]), (power, other)
    # On the page: the powers' names over a white halo (a white stroke under each).
    halos = [
        view
        for view in spec["layer"]
        if view.get("mark", {}).get("type") == "text" and view["mark"].get("stroke") == "white"
    ]
    assert len(halos) == 1 and "datum.kind == 'power'" in halos[0]["transform"][0]["filter"]
    fig = network_figure(spec, scenario.power_names)
    (ax, *_) = fig.axes
    written = {t.get_text(): t for t in ax.texts}
    for power in scenario.power_names:
        assert power in written, power
        assert written[power].get_path_effects(), power
    assert not set(written) & set(scenario.states)
    plt.close(fig)


def test_a_small_networks_power_names_have_no_halo() -> None:
    """Where the states are named (Syria's 39 actors) the network is as it was: its powers'
    names placed clear of every node, no halo layer, none in the saved picture."""
    import matplotlib.pyplot as plt

    scenario, spec = page_network(SHIPPED / "syria.yaml", "capability")
    assert not [view for view in spec["layer"] if view.get("mark", {}).get("stroke") == "white"]
    fig = network_figure(spec, scenario.power_names)
    (ax, *_) = fig.axes
    assert not [t for t in ax.texts if t.get_path_effects()]
    plt.close(fig)


def test_a_crowded_networks_subtitle_counts_no_zero_states() -> None:
    """At 400 states and 50 powers the subtitle ended "...: P02, P04, P06, P08, P24, P28,
    P45, 0 states.": the states left out are not listed beyond LABELLED actors, yet their
    count was (an outside check, decision 910); and the reason is room, no longer room
    beside the nodes."""
    from sim.explore.figures import UNNAMED_LISTED, unnamed_note

    powers = [{"name": f"P{k:02}", "label": "", "kind": "power"} for k in range(UNNAMED_LISTED + 2)]
    states = [{"name": f"S{k}", "label": "", "kind": "state"} for k in range(300)]
    note = unnamed_note([*powers, *states], listed=False)
    assert "0 states" not in note and "states" not in note.split(":")[-1], note
    assert note.startswith(f"Only the powers are named (over {LABELLED} actors); not named, ")
    assert note.endswith(f"for want of room: {', '.join(p['name'] for p in powers)}."), note
