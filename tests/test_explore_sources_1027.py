"""The sources of a crowded period's events (decision 1027). Since decision 1018 Syria's
eight events of 2024-12 share one marker, whose tooltip lists them without their sources
(2,250 characters of them): the sources were left to the file. A click on an event's
marker now lists its period's events under the chart, each with its period, kind, who and
source whole; a list of the periods under the chart reaches them from the keyboard; the
crowded period's tooltip says so. Each test fails on the code before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

import ipyvue  # noqa: E402
from browser import explore_in_chromium, needs_chromium, open_page  # noqa: E402
from solara.widgets import VegaLite  # noqa: E402
from test_explore_review_1018 import DECEMBER, _markers, in_order  # noqa: E402

from sim.explore.app import Explorer  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
SYRIA = load_scenario(SHIPPED / "syria.yaml")
LIST = "a period's events and their sources"
# The text of what has the keyboard's focus, in the page.
FOCUSED = "document.activeElement.innerText"


def _period(date: str) -> list[Any]:
    """Syria's events of the period ``date``, in its file's order."""
    return [e for e in SYRIA.events if SYRIA.calendar.label(SYRIA.event_step(e)) == date]


def _text(widget: Any) -> str:
    """What an HTML widget shows: its text and its children's, in order."""
    return "".join(c if isinstance(c, str) else _text(c) for c in widget.children or [])


def _syria() -> tuple[Any, Any]:
    """The page of Syria beside syria_abstained: its root widget and render context."""
    return solara.render(
        Explorer(str(SHIPPED / "syria.yaml"), str(SHIPPED / "syria_abstained.yaml")),
        handle_error=False,
    )


def _listed(root: Any) -> list[tuple[int, list[tuple[str, str, str]]]]:
    """Each list of events under a chart: how many charts come before it on the page, and
    each event's label, its "period: kind, who" line and its source."""
    found, charts = [], 0
    for widget in in_order(root):
        if isinstance(widget, VegaLite):
            charts += 1
        elif isinstance(widget, ipyvue.Html) and widget.tag == "ul":
            items = [tuple(_text(part) for part in li.children) for li in widget.children]
            found.append((charts, items))
    return found


def test_a_click_on_a_crowded_periods_marker_lists_its_events_with_their_sources() -> None:
    """A click on 2024-12's marker in the trust chart lists its eight events under that
    chart, each with its source as the file gives it; a click on a line changes nothing; a
    click on an event's marker in the affinity chart lists its period under the affinity
    chart; the list of periods (the keyboard's way) holds every period with events, and
    choosing one lists it."""
    root, rc = _syria()
    trust, affinity = rc.find(VegaLite).widgets[:2]
    assert _listed(root) == []
    assert trust.listen_to_click and affinity.listen_to_click
    # The datum Vega hands over: the marker's row of its dataset.
    (crowded,) = [p for p in trust.spec["datasets"]["event_periods"] if p["date"] == "2024-12"]
    trust.on_click(crowded)
    ((under, events),) = _listed(root)
    assert under == 1  # under the trust chart, before the affinity chart
    assert [label for label, _, _ in events] == DECEMBER
    assert [source for _, _, source in events] == [e.source for e in _period("2024-12")]
    assert all(e.source for e in _period("2024-12"))
    assert events[0][1] == "2024-12: withdraw, Russia \u2192 Syria"
    assert events[2][1] == "2024-12: regime_change, Syria; in both scenarios"

    trust.on_click(trust.spec["datasets"]["lines"][0])  # a line's point: no event
    trust.on_click(None)  # off the marks
    assert _listed(root) == [(1, events)]

    (single,) = [e for e in affinity.spec["datasets"]["events"] if e["date"] == "2015-09"]
    affinity.on_click(single)
    ((under, events),) = _listed(root)
    assert under == 2  # under the affinity chart
    ((label, what, source),) = events
    assert label == "Russian intervention (syria only)"
    assert what == "2015-09: intervene, Russia \u2192 Syria"
    (intervention,) = _period("2015-09")
    assert source == intervention.source

    box = rc.find(v.Select, label=LIST).widget
    dates = {e["date"]: e["when"] for e in trust.spec["datasets"]["events"]}
    assert [item["value"] for item in box.items] == sorted(dates, key=dates.__getitem__)
    assert {"title": "2024-12: 8 events", "value": "2024-12"} in box.items
    box.v_model = "2024-12"
    ((under, events),) = _listed(root)
    assert [label for label, _, _ in events] == DECEMBER


def test_a_crowded_periods_tooltip_says_where_its_sources_are() -> None:
    """2024-12's tooltip ends with where its events' sources are, and every marker shows a
    hand; an event alone in its period keeps its own tooltip, source and all."""
    _, rc = _syria()
    crowded, alone = _markers(rc.find(VegaLite).widgets[0].spec)
    assert crowded["encoding"]["tooltip"][-1] == {"field": "sources", "type": "nominal"}
    (hint,) = [step["calculate"] for step in crowded["transform"] if step["as"] == "sources"]
    assert hint == "'click the marker: each event with its source, under the chart'"
    assert {"field": "source", "type": "nominal"} in alone["encoding"]["tooltip"]
    assert {"field": "sources", "type": "nominal"} not in alone["encoding"]["tooltip"]
    assert crowded["mark"]["cursor"] == alone["mark"]["cursor"] == "pointer"


def _sources_shown(page: Any, date: str) -> str:
    """The list under the chart once it shows ``date``'s events, as the browser draws it."""
    page.wait_for_function(
        f"""() => {{ const l = document.querySelector('.credsim-sources');
            return l && l.innerText.includes({_period(date)[0].source[:40]!r}); }}""",
        timeout=30_000,
    )
    return " ".join(page.locator(".credsim-sources").inner_text().split())


def _in_view(page: Any) -> None:
    """The first event of the list under a chart stands whole in the 768-pixel window."""
    first = page.locator(".credsim-sources li").first.bounding_box()
    assert first is not None and 0 <= first["y"] < 768 - first["height"], first


@needs_chromium
def test_syrias_december_2024_sources_in_chromium(tmp_path: Path) -> None:
    """At 1024 x 768: 2024-12's tooltip says where the sources are; a click on its marker
    lists all eight events with their sources, brought into the window (under the
    difference panel it stood below it), as does a click on a marker of the affinity chart;
    from the keyboard, the list of periods shows them too."""
    served = explore_in_chromium(
        "scenarios/syria.yaml", "scenarios/syria_abstained.yaml", tmp_path / "out"
    )
    december = _period("2024-12")
    with served as (browser, url):
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        open_page(page, url, ".vega-embed .marks")
        trust = page.locator(".vega-embed").first
        marker = trust.locator("g.mark-symbol path[aria-label*='date: 2024-12;']").first
        marker.hover(force=True)
        tip = page.locator("#vg-tooltip-element.visible")
        tip.wait_for(timeout=10_000)
        assert "click the marker: each event with its source, under the chart" in tip.inner_text()
        marker.click(force=True)
        shown = _sources_shown(page, "2024-12")
        for event in december:
            assert " ".join(str(event.source).split()) in shown, event.label
        assert page.locator(".credsim-sources li").count() == len(december)
        _in_view(page)
        # A marker of the affinity chart: the list under that chart, in the window too (with
        # nothing at its top for the browser to hold, it was pushed up out of the window).
        affinity = page.locator(".vega-embed").nth(1)
        single = affinity.locator("g.mark-symbol path[aria-label*='date: 2015-09;']").first
        single.scroll_into_view_if_needed()
        single.click(force=True)
        shown = _sources_shown(page, "2015-09")
        assert shown.startswith("Russian intervention (syria only) 2015-09: intervene,"), shown
        page.wait_for_timeout(1000)  # the list, once drawn, stays where it is
        _in_view(page)
        page.close()

        # From the keyboard: the list of periods, down its entries to 2024-12's.
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        open_page(page, url, ".vega-embed .marks")
        page.get_by_role("combobox", name=LIST).focus()
        page.keyboard.press("Enter")
        page.locator("[role=option]").first.wait_for(timeout=10_000)
        # The menu draws the options in view only; each says how many there are. Keys
        # pressed in a burst were lost as the focus moved: one at a time, round the menu
        # twice at most (it wraps).
        options = page.locator("[role=option]").first.get_attribute("aria-setsize")
        for _ in range(2 * int(options or 0)):
            page.keyboard.press("ArrowDown")
            page.wait_for_timeout(150)
            if page.evaluate(f"() => {FOCUSED}") == "2024-12: 8 events":
                break
        assert page.evaluate(f"() => {FOCUSED}") == "2024-12: 8 events"
        page.keyboard.press("Enter")
        shown = _sources_shown(page, "2024-12")
        for event in december:
            assert " ".join(str(event.source).split()) in shown, event.label
        page.close()
        browser.close()
