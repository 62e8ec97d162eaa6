"""The explorer's error boxes in its left column, read whole in Chromium.

An outside check typed a scenario file with a misspelt key into "or a scenario file": the
page kept the scenario loaded, but its red box was 32 pixels tall where its text needed 128,
its overflow hidden, so that only "unknown field 'negativity_bais';" showed, without the
file's name, its line or "did you mean". A bad counterfactual (152 pixels needed) and a
refused save were cut alike. The controls' column scrolls on its own within the window
(decision 944): a flex column whose items shrink to fit it, and an alert (its overflow
hidden) shrank to one line. Each box here must show all its text, in a column that still
scrolls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser import explore_in_chromium, needs_chromium, open_page

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "batch_small.yaml"

# Each alert on the page: its text, the height it is drawn at and the height its content
# needs, and whether it is in the controls' column.
ALERTS = """() => Array.from(document.querySelectorAll('.v-alert')).map(e => ({
    text: e.innerText, client: e.clientHeight, scroll: e.scrollHeight,
    left: !!e.closest('.credsim-controls')}))"""
# The controls' column: the height it is drawn at, the height of what it holds, and its
# vertical overflow (it scrolls on its own; decision 944).
COLUMN = """() => { const c = document.querySelector('.credsim-controls');
    return {client: c.clientHeight, scroll: c.scrollHeight,
            overflow: getComputedStyle(c).overflowY}; }"""
FOOT = "() => { document.querySelector('.credsim-controls').scrollTop = 1e6; }"
# The page is not scrolled and the first chart's top is inside the window.
CHART_IN_VIEW = """() => window.scrollY === 0 &&
    document.querySelector('.vega-embed').getBoundingClientRect().top < window.innerHeight"""


def misspelt(folder: Path, name: str, old: str, new: str) -> Path:
    """A copy of the small scenario with ``old`` written ``new``."""
    text = SMALL.read_text(encoding="utf-8")
    assert old in text
    file = folder / name
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def shown_whole(page: Any, *words: str) -> dict[str, Any]:
    """The one alert in the controls' column whose text has every one of ``words``, checked
    to be drawn at the height its text needs."""
    alerts = [a for a in page.evaluate(ALERTS) if a["left"]]
    found = [a for a in alerts if all(w in a["text"] for w in words)]
    assert len(found) == 1, (words, alerts)
    (alert,) = found
    assert alert["scroll"] <= alert["client"] + 1, alert
    return alert


@needs_chromium
def test_each_error_box_in_the_left_column_shows_all_its_text(tmp_path: Path) -> None:
    """At 1024 x 768 and 1366 x 768 (where the controls' column is taller than the window
    and scrolls): a scenario file with a misspelt key, a counterfactual file with another,
    a save to a folder that cannot be made, and a typed value that is not a number. Each
    refusal's box is drawn at the height its text needs, its text naming the file and what
    was meant; the column still scrolls on its own."""
    bad = misspelt(
        tmp_path, "scenario_with_a_misspelt_key.yaml", "negativity_bias", "negativity_bais"
    )
    bad_cf = misspelt(tmp_path, "counterfactual_with_a_misspelt_key.yaml", "calendar:", "calender:")
    blocked = tmp_path / "a_file_not_a_folder"
    blocked.write_text("", encoding="utf-8")
    served = explore_in_chromium(str(SMALL), "none", tmp_path / "out")
    with served as (browser, url):
        for w, h in ((1024, 768), (1366, 768)):
            page = browser.new_page(viewport={"width": w, "height": h})
            open_page(page, url, ".vega-embed .marks", charts=3)
            column = page.evaluate(COLUMN)
            assert column["scroll"] > column["client"] + 100, (w, column)
            assert column["overflow"] == "auto", (w, column)

            scenario_box = page.get_by_label("or a scenario file")
            scenario_box.fill(str(bad))
            scenario_box.press("Enter")
            page.wait_for_selector("text=/did you mean 'negativity_bias'/", timeout=60_000)
            page.wait_for_timeout(500)
            alert = shown_whole(page, bad.name, "did you mean 'negativity_bias'")
            assert ":16:" in alert["text"], alert  # the line of the misspelt key

            cf_box = page.get_by_label("or a counterfactual file")
            cf_box.fill(str(bad_cf))
            cf_box.press("Enter")
            page.wait_for_selector("text=/did you mean 'calendar'/", timeout=60_000)
            page.wait_for_timeout(500)
            shown_whole(page, bad_cf.name, "did you mean 'calendar'")

            folder = page.get_by_label("save to folder").first
            folder.fill(str(blocked / "figures"))
            folder.press("Enter")
            page.wait_for_timeout(500)
            page.get_by_role("button", name="save scenario").click()
            page.wait_for_selector(f"text=/{blocked.name}/", timeout=60_000)
            page.wait_for_timeout(500)
            shown_whole(page, blocked.name)

            typed = page.get_by_label("type negativity bias")
            typed.fill("abc")
            typed.press("Enter")
            page.wait_for_timeout(1500)
            shown_whole(page, "abc")

            # Every box in the column, whatever it says.
            for each in page.evaluate(ALERTS):
                assert each["scroll"] <= each["client"] + 1, (w, each)
            column = page.evaluate(COLUMN)
            assert column["scroll"] > column["client"], (w, column)
            assert column["overflow"] == "auto", (w, column)
            # The column scrolls to its foot, the page does not: the charts stay in view.
            page.evaluate(FOOT)
            page.wait_for_timeout(500)
            assert page.evaluate(CHART_IN_VIEW), w
            page.screenshot(path=str(tmp_path / f"errors_{w}.png"))
            page.close()
        browser.close()
