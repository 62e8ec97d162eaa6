"""The event markers of the figures follow what is drawn, not the scenario file.

An outside check swept ``events.withdrawal.date=2025-01,2025-06``: the trajectories
figure labelled "Patron withdraws" at the file's 2024-03, where trust did not move, and
marked nothing at 2025-01, where it fell; so did ``plot --at`` and every column of
``plot --across``. Each figure is read back here: the x of its event lines and labels as
months, and its caption.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import pytest
import results_factory as factory
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots.gallery import Entry, figures_for, selection_of
from sim.results import Results, open_results

DATE = "events.intervention.date"
FILE_DATE = "2014-09"  # the factory's intervention (Russia), labelled "Russian intervention"
LABEL = "Russian intervention"


def _month(x: float) -> str:
    return mdates.num2date(x).strftime("%Y-%m")


def _marked(ax: Axes) -> set[str]:
    """The months of an axes' event lines (and of a strip's ticks)."""
    return {_month(float(ln.get_xdata()[0])) for ln in ax.get_lines() if ln.get_gid() == "event"}


def _labels(figure: Figure) -> dict[str, str]:
    """The strip's event labels, text to month."""
    strip = figure.axes[0]
    return {
        t.get_text(): _month(float(t.get_position()[0]))
        for t in strip.texts
        if t.get_gid() == "event-label"
    }


def _entries(results: Results, **selection: Any) -> dict[str, Entry]:
    return {e.stem: e for e in figures_for(results, selection_of(results, **selection))}


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """A sweep of one scenario over the intervention's date, neither value the file's."""
    folder = tmp_path_factory.mktemp("moved") / "sweep"
    grid = {DATE: ["2015-03", "2015-06"]}
    return open_results(factory.write_sweep(folder, scenarios={"toy": 0.0}, grid=grid))


def test_the_trajectories_mark_the_drawn_points_date_not_the_files(moved):
    entry = _entries(moved)["trust_trajectories"]
    strip, *panels = entry.figure.axes
    # The design point drawn: the value run nearest the file's 2014-09.
    assert "At events intervention: date 2015-03" in entry.caption
    for ax in [strip, *panels]:
        assert "2015-03" in _marked(ax)
        assert FILE_DATE not in _marked(ax)
    assert _labels(entry.figure)[LABEL] == "2015-03"
    assert "mark the scenario's events at the dates of the design point drawn" in entry.caption


def test_plot_at_marks_the_chosen_points_date(moved):
    entry = _entries(moved, at=[f"{DATE}=2015-06"])["trust_trajectories"]
    for ax in entry.figure.axes:
        assert "2015-06" in _marked(ax)
        assert not {"2015-03", FILE_DATE} & _marked(ax)
    assert _labels(entry.figure)[LABEL] == "2015-06"


def test_each_column_across_the_date_marks_its_own_value(moved):
    entry = _entries(moved, across=DATE)["trajectories_across_events-intervention-date"]
    figure = entry.figure
    columns: dict[str, set[str]] = {}
    for ax in figure.axes:
        title = ax.get_title(loc="left")
        if title:
            columns[title.rpartition("= ")[2]] = _marked(ax)
    assert set(columns) == {"2015-03", "2015-06"}
    for value, marked in columns.items():
        # The pullout (step 16, 2015-04) and this column's intervention, nothing else.
        assert marked == {value, "2015-04"}
    # Every panel of a column, not its top one only.
    by_x = {}
    for ax in figure.axes:
        if ax.get_lines():
            by_x.setdefault(round(ax.get_position().x0, 3), []).append(_marked(ax))
    assert len(by_x) == 2 and all(len({frozenset(m) for m in ms}) == 1 for ms in by_x.values())
    assert (
        'Each column marks the event intervention ("Russian intervention") at its own '
        "date: 2015-03 and 2015-06, from left to right." in entry.caption
    )


def test_a_varied_step_moves_the_marker_too(tmp_path):
    grid = {"events.pullout.step": [5, 20]}
    results = open_results(
        factory.write_sweep(tmp_path / "sweep", scenarios={"toy": 0.0}, grid=grid)
    )
    entry = _entries(results, at=["events.pullout.step=5"])["trust_trajectories"]
    # Step 5 of a monthly calendar from 2014-01 is 2014-05; the file's step 16 is 2015-04.
    assert _labels(entry.figure)["pullout"] == "2014-05"
    assert "2015-04" not in _marked(entry.figure.axes[1])


def test_a_counterfactuals_own_date_is_marked_beside_its_parents(tmp_path):
    """Scenarios whose dates of one event differ: each scenario's own date is marked, and
    the caption says the event's date differs, naming each with its scenario."""
    trees = {"base": factory.scenario_tree("base"), "late": factory.scenario_tree("late")}
    trees["late"]["events"][0]["date"] = "2015-02"
    folder = factory.write_sweep(tmp_path / "sweep", trees=trees, scenarios={"base": 0.0,
                                 "late": -0.1})  # fmt: skip
    entry = _entries(open_results(folder))["trust_trajectories"]
    for ax in entry.figure.axes:
        assert {FILE_DATE, "2015-02"} <= _marked(ax)
    assert (
        'The event intervention ("Russian intervention") falls on different dates in the '
        "scenarios drawn, each marked: 2014-09 in base, 2015-02 in late." in entry.caption
    )


def test_a_sweep_that_moves_no_event_says_nothing_of_dates(tmp_path):
    folder = factory.write_sweep(tmp_path / "sweep")  # negativity bias, base and counter
    entry = _entries(open_results(folder))["trust_trajectories"]
    assert _marked(entry.figure.axes[1]) == {FILE_DATE, "2015-04"}
    assert "design point drawn" not in entry.caption
    assert "different dates" not in entry.caption


def test_with_event_values_sets_an_events_field_by_id():
    from sim.results import with_event_values

    tree = factory.scenario_tree()
    moved = with_event_values(tree, {"events.pullout.date": "2015-09", "parameters.x": 1.0})
    pullout = moved["events"][1]
    assert pullout["date"] == "2015-09" and "step" not in pullout  # the date places it
    # The tree given is left as it was.
    assert "date" not in tree["events"][1] and tree["events"][1]["step"] == 16
    stepped = with_event_values(tree, {"events.intervention.step": 3.0})
    assert stepped["events"][0]["step"] == 3 and "date" not in stepped["events"][0]
    assert with_event_values(tree, {"parameters.trust.memory": 0.9}) is tree


def test_events_left_unlabelled_for_want_of_room_are_named(tmp_path):
    """Ten events of one month, none key (an outside check's same-day scenario): the strip
    labelled eight, and the caption said only "darker where labelled". It names each
    event the drawn strip left as a bare tick, and only those."""
    tree = factory.scenario_tree()
    crowd = [f"Crowded event number {i}" for i in range(10)]
    tree["events"] = [
        {"id": f"c{i}", "date": "2014-09", "kind": "intervene", "actor": "Russia",
         "target": "Syria", "label": label}
        for i, label in enumerate(crowd)
    ]  # fmt: skip
    results = open_results(factory.write_run(tmp_path / "run", tree))
    entry = _entries(results)["trust_trajectories"]
    labelled = set(_labels(entry.figure))
    left = [label for label in crowd if label not in labelled]
    assert labelled and left and labelled <= set(crowd)
    caption = entry.caption
    assert "Events not labelled, for want of room on the strip: " in caption
    for label in crowd:
        assert (f"{label} (2014-09)" in caption) == (label in left)


def test_many_unlabelled_events_are_counted_and_given_by_id(tmp_path):
    tree = factory.scenario_tree()
    tree["events"] = [
        {"id": f"ev{i}", "date": f"2014-{1 + i % 4:02d}", "kind": "rhetoric", "actor": "USA",
         "magnitude": 1.0, "label": f"A fairly long label for event {i}"}
        for i in range(40)
    ]  # fmt: skip
    results = open_results(factory.write_run(tmp_path / "run", tree))
    entry = _entries(results)["trust_trajectories"]
    labelled = set(_labels(entry.figure))
    left = 40 - len(labelled)
    assert left > 10
    caption = entry.caption
    assert f"{left} events are not labelled, for want of room on the strip; by month" in caption
    listed = caption.partition("by month, their ids: ")[2].partition(". ")[0]
    months = {m: set(ids.split(", ")) for m, ids in (p.split(" ", 1) for p in listed.split("; "))}
    unlabelled = {i for i in range(40) if f"A fairly long label for event {i}" not in labelled}
    assert {ident for ids in months.values() for ident in ids} == {f"ev{i}" for i in unlabelled}
    assert all(f"ev{i}" in months[f"2014-{1 + i % 4:02d}"] for i in unlabelled)


def test_a_label_cut_short_on_the_strip_is_given_whole_in_the_caption(tmp_path):
    """A label longer than the strip's 34 characters is drawn cut short, ending in an
    ellipsis; the caption gives it whole (a left item of decision 989). A short label
    is not repeated."""
    long = "Russia begins its air campaign in support of the Assad government"
    tree = factory.scenario_tree()
    tree["events"] = [
        {"id": "air", "date": "2015-09", "kind": "intervene", "actor": "Russia",
         "target": "Syria", "label": long},
        {"id": "talk", "date": "2015-06", "kind": "rhetoric", "actor": "USA",
         "magnitude": 1.0, "label": "Talks"},
    ]  # fmt: skip
    results = open_results(factory.write_run(tmp_path / "run", tree))
    entry = _entries(results)["trust_trajectories"]
    drawn = _labels(entry.figure)
    assert "Talks" in drawn and long not in drawn
    assert any(text.endswith("\u2026") and long.startswith(text[:-1]) for text in drawn)
    caption = entry.caption
    assert f"Labels cut short on the strip, in full: {long} (2015-09)." in caption
    assert "Talks (2015-06)" not in caption


def test_no_cut_short_sentence_where_every_label_is_whole(tmp_path):
    tree = factory.scenario_tree()
    results = open_results(factory.write_run(tmp_path / "run", tree))
    assert "cut short" not in _entries(results)["trust_trajectories"].caption
