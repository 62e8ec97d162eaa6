"""The explorer's page on a laptop's screen (decision 858): each loaded file's path whole in
its box, no framework banner over a chart, the save buttons inside their column, and the
seed said beside the changed values.

The fast tests render the page without a browser and read the widget tree; the last one
drives ``credsim explore`` in Debian's headless Chromium at 1024x768 and 1500x900 and
measures what a researcher sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser import explore_in_chromium, needs_chromium, open_page

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from solara.widgets import VegaLite  # noqa: E402

import sim.explore.app as app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL = str(ROOT / "tests" / "data" / "batch_small.yaml")
BIAS = "parameters.trust.negativity_bias"
ZWSP = "\u200b"


def texts(rc: Any) -> list[str]:
    return [str(c) for w in rc.find(v.Html).widgets for c in w.children if isinstance(c, str)]


def button(rc: Any, label: str) -> Any:
    return rc.find(v.Btn, children=[label]).widget


def infos(rc: Any) -> list[str]:
    return [str(w.children[0]) for w in rc.find(v.Alert, type="info").widgets]


def page_css(rc: Any) -> str:
    """The CSS the page puts in (``solara.Style`` renders it as a template)."""
    return "\n".join(
        w.template for w in rc.find(v.VuetifyTemplate).widgets if isinstance(w.template, str)
    )


def sheets(widget: Any) -> list[Any]:
    """Every ``v.Sheet`` (solara's rows and columns) under ``widget``, nested ones too
    (``find`` stops at the first it meets on each branch)."""
    found = []
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, v.Sheet):
            found.append(child)
        found.extend(sheets(child))
    return found


def rule(css: str, selector: str) -> str:
    """The declarations of the CSS rule for exactly ``selector``."""
    found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert found, f"no rule for {selector}"
    return " ".join(found.group(1).split())


def long_named(folder: Path) -> tuple[str, str]:
    """A scenario and its counterfactual under a long folder, with long names."""
    deep = folder / "a_folder_for_the_credibility_cases_of_2024"
    deep.mkdir(parents=True)
    scenario = deep / "batch_small_variant_with_a_long_name.yaml"
    scenario.write_text(f"extends: {SMALL}\nname: variant\n", encoding="utf-8")
    counterfactual = deep / "batch_small_variant_with_a_long_name_without_the_event.yaml"
    counterfactual.write_text(f"extends: {SMALL}\nname: without\n", encoding="utf-8")
    return str(scenario), str(counterfactual)


# --------------------------------------------------------------------------- in process


def test_each_loaded_files_path_is_shown_whole_in_its_box(tmp_path: Path) -> None:
    """At 1024 pixels Vuetify cut "scenarios/syria_abstained.yaml" to
    "scenarios/syria_abstai…", and an absolute path lost its file name at any width: each
    file list now shows its file's whole path, wrapped over the lines it takes, breaking
    after a '/'. What it shows is not what it holds: a choice is the path as given."""
    scenario, counterfactual = long_named(tmp_path)
    _, rc = solara.render(app.Explorer(SMALL), handle_error=False)
    rc.find(v.Select, label="scenario").widget.v_model = scenario
    rc.find(v.Select, label="counterfactual").widget.v_model = counterfactual
    trust = rc.find(VegaLite).widgets[0].spec
    assert {row["scenario"] for row in trust["datasets"]["lines"]} == {"variant", "without"}
    for label, path in (("scenario", scenario), ("counterfactual", counterfactual)):
        box = rc.find(v.Select, label=label).widget
        assert box.v_model == path
        assert "credsim-file" in box.class_.split()
        titles = {item["value"]: item["title"] for item in box.items}
        assert all(title.replace(ZWSP, "") == value for value, title in titles.items())
        # A line may break after each '/' of the path shown, and nowhere else is marked.
        assert titles[path] == path.replace("/", "/" + ZWSP)
    css = page_css(rc)
    shown = rule(css, ".credsim-file .v-select__selection-text")
    assert "white-space: normal" in shown and "overflow-wrap: anywhere" in shown
    assert "text-overflow: clip" in shown and "overflow: visible" in shown
    assert "max-width: 100%" in rule(css, ".credsim-file .v-select__selection")
    # The file's name in the line over its notes breaks too ("credsim validate
    # batch_small_variant_with_a_long_name_without_the_event.yaml: ...").
    assert "overflow-wrap: anywhere" in rule(css, ".credsim-notes .v-expansion-panel-title")


def test_the_file_box_spans_the_column_and_the_save_buttons_wrap() -> None:
    """Beside "load" the typed file's box was 127 pixels wide at 1024; "save figures" was
    cut to "SAVE FIGU" at the column's edge. The box is alone on its line, "load" under
    it; the save buttons' row goes on to a second line where the column is narrow."""
    _, rc = solara.render(app.Explorer(SMALL), handle_error=False)
    rows = sheets(rc.container)
    field = rc.find(v.TextField, label="or a scenario file").widget
    load = button(rc, "load")
    assert not any(field in row.children and load in row.children for row in rows)
    assert any(row.children == [load] for row in rows)
    (saves,) = [row for row in rows if button(rc, "save figures") in row.children]
    assert button(rc, "save scenario") in saves.children
    style = saves.style_.replace(" ", "")
    assert "flex-wrap:wrap;" in style and "row-gap:8px;" in style


def test_solaras_banner_is_not_shown() -> None:
    """Solara's "This website runs on Solara" stood at the window's bottom right over the
    scrolling page, and at 1024x768 covered the alignment legend's corner. The page's
    module turns it off before the server serves a page."""
    from solara.server import settings

    assert app.Explorer is not None  # the page's module is imported
    assert settings.theme.show_banner is False


def test_the_seed_is_said_beside_the_changed_values(tmp_path: Path) -> None:
    """The seed is no scenario value (a scenario file holds none, `--set` cannot give it),
    so it is not counted among the changed values; but "0 changed from the scenario" beside
    figures of seed 7 read as the scenario's own run. The page says a seed other than
    `credsim run`'s default; about.txt and its command name the seed, as before."""
    _, rc = solara.render(app.Explorer(SMALL, out=str(tmp_path)), handle_error=False)

    def status() -> str:
        (line,) = [t for t in texts(rc) if "changed from the scenario" in t]
        return line

    assert status().startswith("0 changed from the scenario; runs took ")
    field = rc.find(v.TextField, label="seed").widget
    field.v_model = "7"
    field.fire_event("focusout", None)
    assert status().startswith("0 changed from the scenario, seed 7 (not the default 0); runs ")
    rc.find(v.Slider, label="negativity bias").widget.v_model = 3.0
    assert status().startswith("1 changed from the scenario, seed 7 (not the default 0); runs ")

    button(rc, "save scenario").click()
    saved = tmp_path / "batch_small_explored.yaml"
    assert infos(rc) == [f"saved {saved} (1 changed value; seed 7, in its header)"]
    assert f"credsim run {saved} --seed 7\n" in saved.read_text()
    button(rc, "save figures").click()
    about = (tmp_path / "batch_small_explored_figures" / "about.txt").read_text()
    assert "\nSeed 7; the mesa engine; " in about
    assert f"Values changed from the scenario's: {BIAS} = 3." in about
    assert about.endswith(f"credsim run {SMALL} --seed 7 --set {BIAS}=3 --engine mesa\n")

    field.v_model = "0"
    field.fire_event("focusout", None)
    assert status().startswith("1 changed from the scenario; runs took ")
    button(rc, "save scenario").click()
    assert infos(rc) == [f"saved {tmp_path / 'batch_small_explored_2.yaml'} (1 changed value)"]


def test_a_path_breaks_after_each_slash() -> None:
    assert app.breakable("scenarios/syria.yaml") == f"scenarios/{ZWSP}syria.yaml"
    assert app.breakable("/a/b") == f"/{ZWSP}a/{ZWSP}b"
    assert app.breakable("C:\\cases\\x.yaml") == f"C:\\{ZWSP}cases\\{ZWSP}x.yaml"
    assert app.breakable("(none)") == "(none)"


# --------------------------------------------------------------------------- in Chromium

SIZES = ((1024, 768), (1500, 900))

# What a researcher sees of each file list's path, and how much of it its box hides (of
# the lists showing a choice: the list of periods under the trust chart starts empty).
FILE_BOXES = """() => Array.from(document.querySelectorAll('.v-select')).filter(
        s => s.querySelector('.v-select__selection-text')).map(s => {
    const label = s.querySelector('label').innerText;
    const text = s.querySelector('.v-select__selection-text');
    const field = s.querySelector('.v-field').getBoundingClientRect();
    const r = text.getBoundingClientRect();
    return {label: label, text: text.innerText.replace(/\\u200b/g, ''),
            hidden: text.scrollWidth - text.clientWidth,
            inside: r.left >= field.left && r.right <= field.right && r.bottom <= field.bottom};
})"""
# Each chart's drawing (its SVG since decision 952, a canvas before), brought into view
# at the window's top and then at its bottom: the points (every 16 pixels) of its visible
# part where an element not of the chart is on top.
COVERED = """async () => {
    const covered = [];
    const charts = Array.from(document.querySelectorAll('.vega-embed'));
    for (const [k, chart] of charts.entries()) {
        const canvas = chart.querySelector('.marks');
        for (const where of ['start', 'end']) {
            canvas.scrollIntoView({block: where});
            await new Promise(done => setTimeout(done, 200));
            const r = canvas.getBoundingClientRect();
            const right = Math.min(r.right, innerWidth) - 1;
            const bottom = Math.min(r.bottom, innerHeight) - 1;
            for (let x = Math.max(r.left, 0) + 1; x <= right; x += 16) {
                for (let y = Math.max(r.top, 0) + 1; y <= bottom; y += 16) {
                    const top = document.elementFromPoint(x, y);
                    if (top && !chart.contains(top)) {
                        covered.push([k, where, Math.round(x), Math.round(y), top.tagName,
                                      (top.innerText || '').slice(0, 40)]);
                    }
                }
            }
        }
    }
    return covered;
}"""


@needs_chromium
def test_the_page_on_a_laptops_screen_in_chromium(tmp_path: Path) -> None:
    """At 1024x768 and 1500x900, Syria beside its counterfactual under a long folder,
    given by their absolute paths: each file list shows its whole path inside its box;
    the typed file's box is as wide as the lists; no element outside a chart lies over
    any point of any chart (legends included) wherever the page is scrolled, and Solara's
    banner is not on the page; "save figures" stands inside its column; a seed typed in
    is said beside the changed values."""
    deep = tmp_path / "cases" / "a_folder_for_the_credibility_cases_of_2024"
    deep.mkdir(parents=True)
    scenario = deep / "syria_variant_with_a_long_name.yaml"
    scenario.write_text(f"extends: {ROOT / 'scenarios' / 'syria.yaml'}\nname: variant\n")
    counterfactual = deep / "syria_variant_with_a_long_name_abstained.yaml"
    counterfactual.write_text(
        f"extends: {ROOT / 'scenarios' / 'syria_abstained.yaml'}\nname: variant_abstained\n"
    )
    console: list[tuple[str, str]] = []
    served = explore_in_chromium(str(scenario), str(counterfactual), tmp_path / "out")
    with served as (browser, url):
        for width, height in SIZES:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: console.append((m.type, m.text)))
            open_page(page, url, ".vega-embed .marks")
            size = f"{width}x{height}"

            boxes = {b["label"]: b for b in page.evaluate(FILE_BOXES)}
            for label, path in (("scenario", scenario), ("counterfactual", counterfactual)):
                box = boxes[label]
                assert box["text"] == str(path), (size, box)
                assert box["hidden"] <= 0 and box["inside"], (size, box)
            widths = page.evaluate(
                """() => ({
                    typed: Array.from(document.querySelectorAll('.v-text-field')).find(f =>
                        f.querySelector('label')?.innerText === 'or a scenario file')
                        .getBoundingClientRect().width,
                    list: document.querySelector('.v-select').getBoundingClientRect().width,
                })"""
            )
            assert widths["typed"] == pytest.approx(widths["list"], abs=2), (size, widths)

            assert "runs on" not in page.evaluate("document.body.innerText"), size
            assert page.evaluate(COVERED) == [], size

            edges = page.evaluate(
                """() => {
                    const right = e => e.getBoundingClientRect().right;
                    const folder = Array.from(document.querySelectorAll('.v-text-field'))
                        .find(f => f.querySelector('label')?.innerText === 'save to folder');
                    const save = Array.from(document.querySelectorAll('button'))
                        .find(b => b.innerText.trim().toLowerCase() === 'save figures');
                    return {column: right(folder), button: right(save)};
                }"""
            )
            assert edges["button"] <= edges["column"] + 1, (size, edges)

            if width == 1024:
                seed = page.locator(".v-text-field:has(label:text-is('seed')) input")
                seed.fill("7")
                seed.press("Enter")
                page.wait_for_selector(
                    "text=0 changed from the scenario, seed 7 (not the default 0)",
                    timeout=60_000,
                )
            page.screenshot(path=str(tmp_path / f"page_{size}.png"))
            page.close()
        browser.close()
    said = [(kind, text) for kind, text in console if kind in ("warning", "error")]
    assert not said, said
