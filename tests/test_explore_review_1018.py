"""Two defects decision 1013's outside check of the explorer left (decision 1018): an error
about the scenario box was shown under the counterfactual's section, where it read as the
counterfactual's; and Syria's eight events of 2024-12 stacked their markers down over the
lines' peaks, so that they could not be read. Each test fails on the code before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from browser import explore_in_chromium, needs_chromium, open_page  # noqa: E402
from test_explore import errors, loaded_name  # noqa: E402

from sim.explore.app import Explorer  # noqa: E402
from sim.explore.engine import mesa_engine  # noqa: E402
from sim.explore.figures import Line, event_table, trajectories_spec  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"


def in_order(widget: Any) -> Iterator[Any]:
    """``widget`` and every widget under it, in the page's order (depth first)."""
    yield widget
    for child in getattr(widget, "children", None) or []:
        if not isinstance(child, str):
            yield from in_order(child)


def places(root: Any) -> dict[str, list[int]]:
    """Where the scenario's and the counterfactual's boxes and the error boxes stand in the
    page's order: the scenario's list and box, the counterfactual's list and box, and each
    error box."""
    found: dict[str, list[int]] = {"errors": []}
    for i, widget in enumerate(in_order(root)):
        label = getattr(widget, "label", None)
        if isinstance(widget, v.Select) and label in ("scenario", "counterfactual"):
            found[f"{label} list"] = [i]
        elif isinstance(widget, v.TextField) and label in (
            "or a scenario file",
            "or a counterfactual file",
        ):
            found[label] = [i]
        elif isinstance(widget, v.Alert) and widget.type == "error":
            found["errors"].append(i)
    return found


def _enter(rc: Any, label: str, text: str) -> None:
    """``text`` typed in the file box ``label`` and Enter pressed."""
    field = rc.find(v.TextField, label=label).widget
    field.v_model = text
    field.fire_event("keyup.enter", None)


def _refused(rc: Any, root: Any, label: str, text: str) -> tuple[str, int, dict[str, list[int]]]:
    """``text`` entered in the box ``label``: the one error shown, its place on the page and
    every widget's place (:func:`places`)."""
    _enter(rc, label, text)
    (shown,) = errors(rc)
    at = places(root)
    (error,) = at["errors"]
    return shown, error, at


def test_each_file_boxs_error_is_shown_under_its_own_box(tmp_path: Path) -> None:
    """A scenario file that does not exist, typed in "or a scenario file", was refused
    under the counterfactual's box and its description (decision 1013's check): it is shown
    between the scenario's box and the counterfactual's list. A counterfactual file's
    error is still shown under the counterfactual's box."""
    abstained = str(SHIPPED / "syria_abstained.yaml")
    root, rc = solara.render(Explorer(str(SHIPPED / "syria.yaml"), abstained), handle_error=False)

    missing = str(tmp_path / "no_such_scenario.yaml")
    shown, error, at = _refused(rc, root, "or a scenario file", missing)
    assert missing in shown
    assert at["or a scenario file"][0] < error < at["counterfactual list"][0], at
    assert loaded_name(rc) == "syria"  # the scenario loaded stays

    missing_cf = str(tmp_path / "no_such_counterfactual.yaml")
    shown, error, at = _refused(rc, root, "or a counterfactual file", missing_cf)
    assert missing_cf in shown
    assert error > at["or a counterfactual file"][0], at

    # The scenario itself chosen as its counterfactual: under the counterfactual's box.
    rc.find(v.Select, label="counterfactual").widget.v_model = str(SHIPPED / "syria.yaml")
    (shown,) = errors(rc)
    assert shown.endswith("is the scenario itself: choose another file to compare with, or (none)")
    at = places(root)
    (error,) = at["errors"]
    assert error > at["or a counterfactual file"][0], at

    # A blank scenario box: under the scenario's box again.
    shown, error, at = _refused(rc, root, "or a scenario file", "")
    assert shown == "give a scenario file (the box is empty)"
    assert at["or a scenario file"][0] < error < at["counterfactual list"][0], at
    assert loaded_name(rc) == "syria"


# Syria's events of 2024-12, in its file's order, as the page labels them beside
# syria_abstained (which has three of them less).
DECEMBER = [
    "Russia abandons Assad (syria only)",
    "Israel strikes Syrian army (syria only)",
    "Assad falls",
    "Putin - not a defeat (syria only)",
    "China - stability",
    "Turkey in Damascus",
    "French delegation",
    "US delegation",
]


def _markers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The trust panel's event markers (its point layers that read an events dataset)."""
    upper = spec["vconcat"][0]
    (events,) = [layer["layer"] for layer in upper["layer"] if "layer" in layer]
    return [layer for layer in events if layer["mark"]["type"] == "point"]


def test_a_period_of_several_events_has_one_marker_over_the_chart_listing_them() -> None:
    """Syria's eight events of 2024-12 were eight markers stacked 10 pixels apart down from
    the top of the trust chart, over the lines' peaks (Russia's at 0.71). A period of
    several events now has one marker, its tooltip counting and listing them ("8
    events:", then each label, kind and who); an event alone in its period keeps its own
    tooltip; every marker stands over the plotting area, none offset into it."""
    from sim.explore.figures import event_periods  # new with decision 1018

    syria = load_scenario(SHIPPED / "syria.yaml")
    abstained = load_scenario(SHIPPED / "syria_abstained.yaml")
    table = event_table(syria, abstained, ["syria", "syria_abstained"])
    periods = event_periods(table)
    (december,) = periods[periods["date"] == "2024-12"].to_dict("records")
    lines = december["events"].split("\n")
    assert lines[0] == "8 events:"
    assert [line.split(": ")[0] for line in lines[1:]] == [f"\u2022 {label}" for label in DECEMBER]
    assert lines[1] == "\u2022 Russia abandons Assad (syria only): withdraw, Russia \u2192 Syria"
    assert lines[3] == "\u2022 Assad falls: regime_change, Syria"
    assert december["shared"] is True  # five of its events are of both: a filled marker

    run = Line("syria", mesa_engine(syria, 0))
    cf = Line("syria_abstained", mesa_engine(abstained, 0))
    spec = trajectories_spec(run, cf, table, "arab_league", syria.power_names)
    crowded, alone = _markers(spec)
    # One marker a period: the crowded periods' rows, and the events alone in theirs.
    assert crowded["data"]["name"] == "event_periods"
    assert alone["data"]["name"] == "events"
    assert alone["transform"] == [{"filter": "!datum.crowded"}]
    single = [e for e in spec["datasets"]["events"] if not e["crowded"]]
    marked = [p["date"] for p in spec["datasets"]["event_periods"]] + [e["date"] for e in single]
    assert sorted(marked) == sorted(set(table["date"]))
    # Every event is named in one marker's tooltip: its own, or its period's list.
    # (The Russia-Africa summits of 2019-10 and 2023-07 share a label: by period.)
    listed = {p["date"]: p["events"] for p in spec["datasets"]["event_periods"]}
    own = {(e["date"], e["label"]) for e in single}
    for date, label in zip(table["date"], table["label"], strict=True):
        in_list = f"\u2022 {label}: " in listed.get(date, "")
        assert ((date, label) in own) != in_list, (date, label)
    # Over the chart: the top of the axis (1.0), lifted; nothing offsets a marker down.
    for marker in (crowded, alone):
        assert marker["encoding"]["y"] == {"datum": 1.0}
        assert "yOffset" not in marker["encoding"]
        assert marker["mark"]["yOffset"] < 0
    assert {"field": "events", "type": "nominal"} in crowded["encoding"]["tooltip"]


# The trust chart's event markers (their description names an event's label, or a
# period's events) and the top of its plotting area (its y axis' line), in the window.
MARKERS = """() => {
    const chart = document.querySelector('.vega-embed');
    const axis = Array.from(chart.querySelectorAll('g.role-axis')).find(
        g => (g.getAttribute('aria-label') || '').startsWith("Y-axis titled 'Trust"));
    const top = axis.querySelector('.role-axis-domain').getBoundingClientRect().top;
    const markers = Array.from(chart.querySelectorAll('g.mark-symbol path')).filter(
        p => /; (label|events): /.test(p.getAttribute('aria-label') || ''));
    return {top, markers: markers.map(p => ({
        label: p.getAttribute('aria-label'), bottom: p.getBoundingClientRect().bottom}))};
}"""


@needs_chromium
def test_syrias_december_2024_reads_in_chromium(tmp_path: Path) -> None:
    """At 1024 x 768, Syria beside syria_abstained: one event marker a period (24
    periods for 39 events), each over the trust chart's plotting area, and hovering
    2024-12's shows all eight of its events, one a line. Before, 39 markers, 2024-12's
    eight reaching 70 pixels down into the chart."""
    syria = load_scenario(SHIPPED / "syria.yaml")
    periods = {syria.calendar.label(syria.event_step(e)) for e in syria.events}
    served = explore_in_chromium(
        "scenarios/syria.yaml", "scenarios/syria_abstained.yaml", tmp_path / "out"
    )
    with served as (browser, url):
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        open_page(page, url, ".vega-embed .marks")
        found = page.evaluate(MARKERS)
        assert len(found["markers"]) == len(periods), found
        for marker in found["markers"]:
            assert marker["bottom"] <= found["top"] + 0.5, (found["top"], marker)
        trust = page.locator(".vega-embed").first
        trust.locator("g.mark-symbol path[aria-label*='date: 2024-12;']").first.hover(force=True)
        tip = page.locator("#vg-tooltip-element.visible")
        tip.wait_for(timeout=10_000)
        shown = tip.inner_text()
        assert "8 events:" in shown
        for label in DECEMBER:
            assert f"\u2022 {label}: " in shown, (label, shown)
        assert shown.count("\n\u2022 ") == len(DECEMBER), shown  # one a line
        page.screenshot(path=str(tmp_path / "december.png"))
        page.close()
        browser.close()
