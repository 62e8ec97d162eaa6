"""A page-width series figure in parts: each part's caption of its own groups, each part
within a page with its strip as drawn, and the flagship's key events labelled at a single
column (decision 1040).

The parts of a trajectories or alignment figure shared one caption, which named the
coinciding lines (and the groups of one state) of every part: a researcher putting part 2
in a paper had a caption about part 1. ``trajectory_parts`` counted the strip of events
whole at four lanes, while key events may grow it to eight, some 0.8 in more: a figure
planned within the page was saved 9.67 in tall. At ``--width 3.3`` the flagship's
"Russian intervention (not abstained)" was left a bare tick: on one line it ran over the
ticks of 2021-2024, whose labels, ending at their ticks, ran back over its own.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.plots.figure import (
    DPI,
    PAGE_HEIGHT_IN,
    at_page_width,
    render,
    saved_size_in,
    set_theme,
)
from sim.plots.gallery import Entry, figures_for, selection_of
from sim.plots.trajectories import (
    LANES,
    trajectories_figure,
    trajectory_parts,
    unique_events,
    unlabelled_events,
    unlabelled_note,
)
from sim.results import open_results, scenario_events
from sim.scenario import load_scenario, scenario_tree
from tests import results_factory as factory
from tests.test_key_events_labelled_1019 import METRICS, _assert_clear, _iraq_events
from tests.test_page_height import PIXEL_IN

# Seven region groups and one of a single state: nine rows with "all", three parts at 6.5 in.
REGIONS = [f"region_{k}" for k in range(7)]
GROUPS = ["all", *REGIONS, "syria"]
# The group where the two powers' trust lines coincide (in one part only).
SAME = "region_5"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def nine_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """The factory's runs with nine groups, Russia's trust equal to the USA's in SAME."""
    monkeypatch.setattr(factory, "GROUPS", GROUPS)
    plain = factory.trust_value

    def trust(step: int, power: str, group: str, replicate: int, offset: float) -> float:
        return plain(step, "USA" if group == SAME else power, group, replicate, offset)

    monkeypatch.setattr(factory, "trust_value", trust)


def _tree() -> dict[str, Any]:
    tree = factory.scenario_tree()
    tree["states"].update({f"State {g}": {"region": g} for g in REGIONS})
    groups: dict[str, Any] = {g: {"region": g} for g in REGIONS}
    tree["outputs"] = {"groups": {**groups, "syria": {"members": ["Syria"]}}}
    return tree


def _captions(plots: Path) -> dict[str, str]:
    """captions.md's caption of each file."""
    lines = (plots / "captions.md").read_text().splitlines()
    return {m[1]: m[2] for ln in lines if (m := re.match(r"- `([^`]+)\.png`: (.*)", ln))}


def _page_captions(report: Path) -> dict[str, str]:
    """The report page's caption of each figure."""
    found = re.findall(
        r'<figure id="([^"]*)">.*?<figcaption>(.*?)</figcaption>', report.read_text(), re.S
    )
    return {stem: html.unescape(caption) for stem, caption in found}


@pytest.mark.parametrize(
    ("family", "group", "words"),
    [
        ("trust_trajectories", SAME, "Lines that coincide"),
        ("alignment", "syria", "A group of one state (Syria)"),
    ],
)
def test_each_part_s_caption_speaks_of_its_own_groups(
    tmp_path: Path, nine_groups: None, family: str, group: str, words: str
) -> None:
    """``plot --width 6.5`` of a run of nine groups: the trajectories part that draws
    Region 5, and only it, says its lines coincide; the alignment part that draws Syria, a
    group of one state, and only it, says so; every part says which part it is and what
    is common (the band; the trajectories' strip of events). In captions.md and on the
    report page alike."""
    folder = factory.write_run(tmp_path / "run", _tree())
    assert main(["plot", str(folder), "--width", "6.5"]) == 0
    with at_page_width(6.5):
        results = open_results(folder)
        planned: dict[str, Entry] = {e.stem: e for e in figures_for(results, selection_of(results))}
    listed, shown = _captions(folder / "plots"), _page_captions(folder / "report.html")
    assert listed == {stem: shown[stem] for stem in listed}
    stems = [s for s in planned if s.startswith(family)]
    assert len(stems) >= 2, stems
    parts = planned[stems[0]].draw.keywords["parts"]
    assert len(parts) == len(stems)
    for k, (stem, groups) in enumerate(zip(stems, parts, strict=True), start=1):
        caption = listed[stem]
        assert f"Part {k} of {len(stems)}" in caption
        assert "One run (no band)." in caption
        assert (words in caption) == (group in groups), (stem, groups, caption)
        if family == "trust_trajectories":
            assert "dotted grey lines mark the scenario's events" in caption
            assert ("Region 5" in caption) == (group in groups)


def _flat_series(groups: list[str], dates: list[str], powers: list[str]) -> pd.DataFrame:
    """Trust and affinity of three scenarios, flat at 0.5: the strip is what is read."""
    rows = [
        (step, date, group, power, metric, 0.5, f"{scenario}0", scenario)
        for scenario in ("historical", "sustained", "abstained")
        for group in groups
        for power in powers
        for metric in METRICS
        for step, date in enumerate(dates)
    ]
    columns = ["step", "date", "group", "power", "metric", "value", "run_id", "scenario"]
    return pd.DataFrame(rows, columns=columns)


def _label_lanes(figure: Figure) -> int:
    """How many heights the strip's labels stand at (their lanes), as drawn."""
    figure.set_dpi(DPI)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    labels = [t for t in figure.axes[0].texts if t.get_gid() == "event-label"]
    return len({round(t.get_window_extent(renderer).y0) for t in labels})


def test_a_part_with_a_grown_strip_is_saved_within_a_page() -> None:
    """decision 1019's Iraq strip (seven key events in seven lanes at 6.5 in) over three
    groups, trust and affinity side by side: counted at four lanes the three fitted a
    page, and the figure was saved 9.67 in tall. Each part is now within the page."""
    dates = list(pd.period_range("2002-01", "2016-12", freq="M").strftime("%Y-%m"))
    series = _flat_series(["all", "iraq", "gulf"], dates, ["USA", "Russia", "China"])
    events = _iraq_events()
    set_theme()  # the figures' (the legend measured as drawn, whatever ran before)
    with at_page_width(6.5):
        parts = trajectory_parts(series, events, metrics=METRICS)
        assert sorted(g for part in parts for g in part) == ["all", "gulf", "iraq"]
        for k in range(1, len(parts) + 1):
            figure = trajectories_figure(series, events, metrics=METRICS, part=k, parts=parts)
            assert _label_lanes(figure) > LANES  # the strip grew
            high = saved_size_in(render(figure), "png")[1]
            assert high <= PAGE_HEIGHT_IN + PIXEL_IN, (k, parts, high)
            plt.close(figure)


def _syria_events() -> pd.DataFrame:
    """The flagship's events (experiments/syria_withdrawal.yaml's three scenarios)."""
    files = {
        "historical": "scenarios/syria.yaml",
        "sustained": "scenarios/syria_sustained.yaml",
        "abstained": "scenarios/syria_abstained.yaml",
    }
    return pd.concat(
        [scenario_events(name, scenario_tree(load_scenario(f))) for name, f in files.items()],
        ignore_index=True,
    )


def test_the_flagship_s_key_events_are_all_labelled_at_a_single_column() -> None:
    """At 3.3 in the flagship's strip labelled five of its six key events and left
    "Russian intervention (not abstained)" (2015-09) a tick, the caption naming it. It
    is labelled now, its words on two lines at its own tick, none over another label or
    another's leader, and the caption names no event as unlabelled."""
    events = _syria_events()
    dates = list(pd.period_range("2014-01", "2026-12", freq="M").strftime("%Y-%m"))
    series = _flat_series(["all"], dates, ["Russia", "USA", "China", "Turkey", "France"])
    scenarios = ["historical", "sustained", "abstained"]
    marks = unique_events(events, scenarios)
    keys = set(marks.loc[marks["key"], "text"])
    assert "Russian intervention (not abstained)" in keys
    with at_page_width(3.3):
        figure = trajectories_figure(series, events, metrics=METRICS)
        labels = [t for t in figure.axes[0].texts if t.get_gid() == "event-label"]
        drawn = {" ".join(t.get_text().split()) for t in labels}
        assert drawn == keys
        assert unlabelled_events(figure, series, events, METRICS).empty
        assert unlabelled_note(figure, series, events, METRICS) == ""
        (label,) = [t for t in labels if t.get_text().startswith("Russian intervention")]
        when = marks.loc[marks["text"] == "Russian intervention (not abstained)", "when"]
        assert label.get_text().count("\n") == 1
        assert abs(label.get_position()[0] - _date_number(when.iloc[0])) < 1e-9
        _assert_clear(figure)
        assert saved_size_in(render(figure), "png")[0] <= 3.3 + PIXEL_IN


def _date_number(when: Any) -> float:
    import matplotlib.dates as mdates

    return float(mdates.date2num(when))
