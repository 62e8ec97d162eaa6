"""The explorer's charts inside their column (decision 862): at a 1024x768 window the
trust, difference, affinity, alignment, poles and network charts were 770 to 888 pixels
wide in a 732-pixel column, a long scenario's name in a legend ran past the window's edge
and Vega's "..." menu lay beyond it.

The fast tests read the specs: each chart's plotting area, axis, titles and legends
(their text measured here in DejaVu Sans, which Debian's Chromium draws Vega's
sans-serif with, by Pillow) within the column at 1024, a legend's name cut (with Vega's
"…") only where it is said whole on the chart. The last drives ``credsim explore`` in
Debian's headless Chromium at 1024x768 and 1500x900 and measures each chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser import explore_in_chromium, font, needs_chromium, open_page

from sim.explore.figures import (
    WIDTH,
    Line,
    alignment_spec,
    event_table,
    network_layout,
    network_spec,
    trajectories_spec,
)
from sim.model import CredibilityModel
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.seeds import seed_sequence

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
# The page at 1024x768: its right-hand column's content is 732 pixels wide (measured in
# Chromium, decision 858's layout), and vega-embed keeps 38 pixels at a chart's right for
# its "..." menu (`.vega-embed.has-actions { padding-right: 38px }`).
COLUMN = 732
ACTIONS = 38
FIT = COLUMN - ACTIONS
# Vega 5's defaults: 5 pixels of padding around a chart; a legend 18 pixels off the
# plotting area, an entry's symbol sqrt(symbolSize) wide (100: 10 px) and 4 pixels from its
# label, 10 pixels between entries of a row; labels 10 px, titles 13 px bold. A y axis
# (ticks, labels such as "-0.08", its title) takes at most AXIS pixels.
PAD, OFFSET, LABEL_OFFSET, COLUMN_PAD = 5, 18, 4, 10
AXIS = 60
LONG = "syria_variant_with_a_long_name"
LONGER = f"{LONG}_abstained"


def width(text: str, size: int = 10, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


@cache
def syria_series(name: str) -> pd.DataFrame:
    scenario = load_scenario(str(SHIPPED / f"{name}.yaml"))
    return run_scenario(scenario, 0, "series", engine="fast").series


def syria_specs(names: tuple[str, str]) -> dict[str, dict[str, Any]]:
    """The page's time charts of Syria and its counterfactual, run under ``names`` (the
    page names a run after its scenario)."""
    scenario = load_scenario(str(SHIPPED / "syria.yaml"))
    run = Line(names[0], syria_series("syria"))
    cf = Line(names[1], syria_series("syria_abstained"))
    events, powers = event_table(scenario), scenario.power_names
    phrase = "among Arab League states"
    return {
        "trust": trajectories_spec(run, cf, events, "arab_league", powers, phrase=phrase),
        "affinity": trajectories_spec(
            run, cf, events, "arab_league", powers, "affinity_mean", "Affinity", phrase=phrase
        ),
        "alignment": alignment_spec(run, cf, "arab_league", powers, phrase=phrase),
        "trust alone": trajectories_spec(run, None, events, "arab_league", powers, phrase=phrase),
    }


def views(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every view of ``spec`` (concatenated and layered ones, and their layers)."""
    yield spec
    for key in ("vconcat", "hconcat", "layer"):
        for child in spec.get(key, []):
            yield from views(child)


def legends(spec: dict[str, Any]) -> list[tuple[dict[str, Any], list[str]]]:
    """Each legend of ``spec`` (a channel with a scale over a field and a legend), with the
    names it lists (its scale's domain)."""
    found = []
    for view in views(spec):
        for channel in ("color", "shape", "strokeDash", "fill"):
            encoding = (view.get("encoding") or {}).get(channel)
            if not isinstance(encoding, dict) or "field" not in encoding:
                continue
            if encoding.get("legend", {}) is None or encoding.get("scale", {}) is None:
                continue
            found.append((encoding.get("legend") or {}, list(encoding["scale"]["domain"])))
    return found


def entry_width(legend: dict[str, Any], name: str) -> float:
    """An entry as Vega draws it: its symbol, the gap and its label (cut at labelLimit)."""
    symbol = math.sqrt(legend.get("symbolSize", 100))
    return symbol + LABEL_OFFSET + min(width(name), legend.get("labelLimit", 160))


def row_width(legend: dict[str, Any], names: list[str]) -> float:
    """The widest row of a legend of ``columns`` entries a row, its columns as wide as
    their widest entry (Vega's gridAlign "each")."""
    columns = legend.get("columns") or len(names)
    entries = [entry_width(legend, n) for n in names]
    widths = [max(entries[c::columns]) for c in range(min(columns, len(entries)))]
    return sum(widths) + COLUMN_PAD * (len(widths) - 1)


def title_lines(view: dict[str, Any]) -> list[str]:
    title = view.get("title")
    if title is None:
        return []
    text = title.get("text", "") if isinstance(title, dict) else title
    return [text] if isinstance(text, str) else list(text)


def chart_width(spec: dict[str, Any]) -> float:
    """A time chart's width on the page: its y axis, its plotting area and its titles,
    each centred over the plotting area; legends at its right or left (none may be)."""
    widest = max(
        [WIDTH] + [width(line, 13, True) for view in views(spec) for line in title_lines(view)]
    )
    right = [legend for legend, _ in legends(spec) if legend.get("orient", "right") == "right"]
    beside = max(
        (OFFSET + max(entry_width(legend, n) for n in names) for legend, names in legends(spec))
        if right
        else [0.0]
    )
    return PAD + AXIS + WIDTH / 2 + max(WIDTH / 2 + beside, widest / 2) + PAD


# --------------------------------------------------------------------------- in process


@pytest.mark.parametrize("names", [("syria", "syria_abstained"), (LONG, LONGER)])
def test_each_time_chart_fits_the_column_at_1024_legends_included(
    names: tuple[str, str],
) -> None:
    """A time chart's legends were at its right: its plotting area (560 px), its axis and
    a legend of the powers (70 px) and one of the scenarios (up to Vega's 160 px a name)
    took it past the column's 694 pixels. Each legend now lies over or under the plotting
    area, in rows no wider than it, each name cut (with "…") at a set width; the titles
    reach no further past the plotting area than the axis at their left."""
    for chart, spec in syria_specs(names).items():
        assert chart_width(spec) <= FIT, (chart, chart_width(spec))
        found = legends(spec)
        assert found, chart
        for legend, listed in found:
            assert legend.get("orient") in ("top", "bottom"), (chart, legend)
            assert legend["labelLimit"] <= WIDTH, (chart, legend)
            assert row_width(legend, listed) <= WIDTH, (chart, listed, legend)
        for view in views(spec):
            for line in title_lines(view):
                assert width(line, 13, True) <= WIDTH + 2 * (AXIS / 2), (chart, line)


def test_a_name_cut_in_a_legend_is_said_whole_on_the_chart() -> None:
    """Two names longer than the plotting area (130 characters): the key of the dashes
    cuts them at its labelLimit, where Vega ends them in "…"; each is said whole in the
    difference panel's and the alignment charts' titles, in lines no wider than the
    chart, broken after an underscore, and the lines' tooltips name it."""
    run, cf = "a" * 40 + "_" + LONG * 3, "b" * 40 + "_" + LONGER * 3
    specs = syria_specs((run, cf))
    for chart in ("trust", "affinity", "alignment"):
        spec = specs[chart]
        ((key, listed),) = [(lg, n) for lg, n in legends(spec) if n == [run, cf]]
        # Cut at a set width (Vega ends a cut label in "…"), not at the window's edge.
        assert "labelLimit" in key, key
        assert all(width(name) > key["labelLimit"] for name in listed)
        assert row_width(key, listed) <= WIDTH
        assert chart_width(spec) <= FIT, chart
        titles = ["".join(title_lines(view)) for view in views(spec)]
        for name in (run, cf):
            assert any(name in t.replace(" ", "") for t in titles), (chart, name)
        tooltips = [
            view["encoding"]["tooltip"]
            for view in views(spec)
            if "strokeDash" in (view.get("encoding") or {})
        ]
        assert tooltips and all({"field": "scenario", "type": "nominal"} in t for t in tooltips)
    difference = specs["trust"]["vconcat"][1]["layer"][0]
    lines = title_lines(difference)
    assert len(lines) > 1 and all(width(line, 13, True) <= WIDTH + AXIS for line in lines)
    assert "".join(lines).replace(" ", "") == f"Difference,{run}minus{cf}"


def test_a_legend_of_many_long_names_goes_on_in_rows_within_the_plot() -> None:
    """Nine powers of 32 characters: the powers' legend under the trust chart, and
    the alignment's, go on in as many rows as they need, none wider than the plotting
    area; a name longer than a legend's labelLimit is said whole by its lines' and
    bands' tooltips."""
    powers = [f"Power number {i} of the long names" for i in range(1, 10)]
    months = pd.period_range("2000-01", "2001-12", freq="M").astype(str)
    rows = []
    for step, month in enumerate(months):
        for i, power in enumerate(powers):
            rows.append((step, month, "all", power, "trust_mean", 0.5 + i / 50))
            rows.append((step, month, "all", power, "affinity_mean", 0.5))
            rows.append((step, month, "all", power, "share_aligned", 0.1))
        rows.append((step, month, "all", "none", "share_aligned", 0.1))
    series = pd.DataFrame(rows, columns=["step", "date", "group", "power", "metric", "value"])
    run, cf = Line("run", series), Line("counterfactual", series)
    events = pd.DataFrame(
        columns=["date", "label", "source", "kind", "actor", "target", "order", "when", "stack"]
    )
    trust = trajectories_spec(run, cf, events, "all", powers)
    alignment = alignment_spec(run, cf, "all", powers)
    # Over the trust chart and its difference panel (decision 945), under the alignment.
    for spec, orient in ((trust, "top"), (alignment, "bottom")):
        below = [(lg, n) for lg, n in legends(spec) if n[:9] == powers]
        legend, listed = below[0]
        # One legend for the colours and the markers, on every layer alike.
        assert all(lg == legend for lg, _ in below)
        assert legend.get("orient") == orient
        assert 1 <= legend["columns"] < len(listed)
        assert row_width(legend, listed) <= WIDTH
        assert chart_width(spec) <= FIT
    tooltips = [
        t["field"]
        for spec in (trust, alignment)
        for view in views(spec)
        for t in (view.get("encoding") or {}).get("tooltip", [])
    ]
    assert "power" in tooltips


def page_network(path: Path) -> dict[str, Any]:
    scenario = load_scenario(path)
    model = CredibilityModel(spec=scenario, rng=seed_sequence(0, 0))
    members = {
        model.actor_names[i] for g in model.groups if g.name == "arab_league" for i in g.members
    }
    return network_spec(
        scenario,
        network_layout(scenario),
        model.aligned,
        model.capability,
        members,
        "capability",
        model.date,
    )


def test_the_networks_legend_fits_beside_it_and_its_names_are_said(tmp_path: Path) -> None:
    """The network keeps its legend at its right (nodes by alignment, a square chart), its
    names cut where they would take the chart past the column: "French Republic and its
    overseas territories" (214 px) is cut; its node's tooltip names it."""
    long_power = "French Republic and its overseas territories"
    text = (SHIPPED / "syria.yaml").read_text(encoding="utf-8")
    path = tmp_path / "syria_long_power.yaml"
    path.write_text(text.replace("France", long_power), encoding="utf-8")
    for spec in (page_network(SHIPPED / "syria.yaml"), page_network(path)):
        ((legend, listed), *rest) = legends(spec)
        assert all(lg == legend for lg, _ in rest)
        assert legend.get("orient", "right") == "right"
        beside = OFFSET + max(entry_width(legend, n) for n in listed)
        assert PAD + WIDTH + beside + PAD <= FIT, beside
    assert long_power in listed and width(long_power) > legend["labelLimit"]
    (node,) = [r for r in spec["datasets"]["nodes"] if r["name"] == long_power]
    points = [v for v in views(spec) if "shape" in (v.get("encoding") or {})]
    assert {"field": "name", "type": "nominal"} in points[0]["encoding"]["tooltip"]
    assert node["aligned"] == long_power


# --------------------------------------------------------------------------- in Chromium

SIZES = ((1024, 768), (1500, 900))
# Each chart's box on the page: vega-embed's element (the chart, legends included, and
# its "..." menu's button), its drawing, the button, the column's content box.
BOXES = """() => Array.from(document.querySelectorAll('.vega-embed')).map(e => {
    const box = x => { const r = x.getBoundingClientRect();
                       return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    const column = e.closest('.v-col');
    const style = getComputedStyle(column);
    const c = box(column);
    return {embed: box(e), drawn: box(e.querySelector('.marks')),
            menu: box(e.querySelector('summary')),
            column: {left: c.left + parseFloat(style.paddingLeft),
                     right: c.right - parseFloat(style.paddingRight)},
            window: innerWidth};
})"""


@needs_chromium
def test_every_chart_lies_inside_its_column_in_chromium(tmp_path: Path) -> None:
    """At 1024x768 and 1500x900, copies of Syria and its counterfactual under long names:
    each chart (trust, affinity, alignment, network), its legends, its "..." button, and
    the menu it opens lie inside the right-hand column and the window."""
    scenario = tmp_path / f"{LONG}.yaml"
    text = (SHIPPED / "syria.yaml").read_text(encoding="utf-8")
    scenario.write_text(text.replace("\nname: syria\n", f"\nname: {LONG}\n"), encoding="utf-8")
    counterfactual = tmp_path / f"{LONGER}.yaml"
    text = (SHIPPED / "syria_abstained.yaml").read_text(encoding="utf-8")
    text = text.replace("extends: syria.yaml", f"extends: {scenario.name}")
    counterfactual.write_text(
        text.replace("\nname: syria_abstained\n", f"\nname: {LONGER}\n"), encoding="utf-8"
    )
    assert load_scenario(counterfactual).name == LONGER
    served = explore_in_chromium(str(scenario), str(counterfactual), tmp_path / "out")
    with served as (browser, url):
        for w, h in SIZES:
            page = browser.new_page(viewport={"width": w, "height": h})
            open_page(page, url, ".vega-embed .marks")
            size = f"{w}x{h}"
            boxes = page.evaluate(BOXES)
            assert len(boxes) == 4, (size, boxes)
            for k, b in enumerate(boxes):
                column, window = b["column"], b["window"]
                for part in ("embed", "drawn", "menu"):
                    box = b[part]
                    assert box["left"] >= column["left"] - 0.5, (size, k, part, b)
                    assert box["right"] <= column["right"] + 0.5, (size, k, part, b)
                    assert box["right"] <= window, (size, k, part, b)
            # The first chart's menu, opened: inside the window.
            embed = page.locator(".vega-embed").first
            embed.scroll_into_view_if_needed()
            embed.locator("summary").click()
            menu = page.locator(".vega-embed details[open] .vega-actions")
            menu.wait_for(timeout=10_000)
            opened = menu.bounding_box()
            assert opened is not None
            assert opened["x"] >= 0 and opened["x"] + opened["width"] <= w, (size, opened)
            page.screenshot(path=str(tmp_path / f"page_{size}.png"))
            page.close()
        browser.close()
