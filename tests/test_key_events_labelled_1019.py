"""Key events are labelled wherever the strip has room, above its four lanes too.

An outside review drew a sweep of its Iraq case (2002-2016, three scenarios, seven key
events) with ``plot --width 6.5``: the trajectories labelled five and left "The surge"
(2007-01) and "US withdrawal" (2011-12) as bare ticks, the caption naming them. The
labels, with their scenarios ("Fall of Baghdad (not abstained)"), are longer than the
stretches between the key ticks: each but the last runs over the next key event's tick,
so each must stand in a lane above the next, a chain of seven, and no arrangement of
four lanes holds it (decision 1019). Each figure is read back here: the strip's labels
(gid ``event-label``) and leaders, measured with the renderer at the saved resolution.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.plots import trajectories
from sim.plots.figure import DPI, at_page_width
from sim.plots.trajectories import (
    LANES,
    trajectories_figure,
    unique_events,
    unlabelled_events,
    unlabelled_note,
)
from tests.test_plots import HORN, horn_strip

SCENARIOS = ["historical", "sustained", "abstained"]
NOT_ABSTAINED = ["historical", "sustained"]
METRICS = ["trust_mean", "affinity_mean"]

# The review's scenario's events (/tmp/hC/case/iraq_usa.yaml and its counterfactuals):
# id, date, kind, actor, magnitude, key, label, the scenarios that have it.
IRAQ = [
    ("egypt_aid", "2002-01", "intervene", "USA", 1.0, False, "US aid to Egypt", SCENARIOS),
    ("powell_un", "2003-02", "rhetoric", "USA", 1.0, False, "Powell at the UNSC", SCENARIOS),
    ("saddam_falls", "2003-04", "regime_change", None, None, True, "Fall of Baghdad",
     NOT_ABSTAINED),
    ("occupation", "2003-04", "intervene", "USA", 3.0, True, "US occupation", NOT_ABSTAINED),
    ("sovereignty_usa", "2004-06", "recognize", "USA", 1.0, False, "Sovereignty handed over",
     NOT_ABSTAINED),
    ("sovereignty_russia", "2004-06", "recognize", "Russia", 0.5, False, "UNSCR 1546 (Russia)",
     NOT_ABSTAINED),
    ("sovereignty_china", "2004-06", "recognize", "China", 0.5, False, "UNSCR 1546 (China)",
     NOT_ABSTAINED),
    ("samarra", "2006-02", "client_harmed", "USA", 0.5, False, "Samarra bombing", NOT_ABSTAINED),
    ("maliki_iran", "2006-05", "relation", "Iraq", None, False, "Maliki government",
     NOT_ABSTAINED),
    ("surge", "2007-01", "intervene", "USA", 3.0, True, "The surge", NOT_ABSTAINED),
    ("georgia_war", "2008-08", "client_harmed", "USA", 1.0, False, "Georgia war", SCENARIOS),
    ("sofa", "2008-11", "relation", "Iraq", None, False, "SOFA", NOT_ABSTAINED),
    ("china_rise", "2010-08", "capability_change", "China", None, False, "China passes Japan",
     SCENARIOS),
    ("mubarak_dropped", "2011-02", "withdraw", "USA", 1.0, False, "Mubarak dropped", SCENARIOS),
    ("us_withdrawal", "2011-12", "withdraw", "USA", 2.0, True, "US withdrawal", ["historical"]),
    ("mosul_falls", "2014-06", "client_harmed", "USA", 1.5, True, "Fall of Mosul",
     NOT_ABSTAINED),
    ("inherent_resolve", "2014-08", "intervene", "USA", 1.5, True, "US air strikes",
     NOT_ABSTAINED),
    ("jcpoa", "2015-07", "relation", "USA", None, False, "JCPOA", SCENARIOS),
    ("russia_syria", "2015-09", "intervene", "Russia", 3.0, True, "Russia in Syria", SCENARIOS),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _iraq_events() -> pd.DataFrame:
    rows = [
        {
            "scenario": scenario,
            "id": ident,
            "label": label,
            "kind": kind,
            "step": None,
            "date": date,
            "actor": actor,
            "target": "Iraq",
            "key": key,
            "magnitude": magnitude,
        }
        for ident, date, kind, actor, magnitude, key, label, have in IRAQ
        for scenario in have
    ]
    return pd.DataFrame(rows)


def _iraq_series() -> pd.DataFrame:
    """Monthly 2002-01 to 2016-12, groups iraq and gulf, three powers, three scenarios,
    trust and affinity (the review's ``--groups iraq gulf``): flat lines will do, the
    strip is what is read."""
    dates = pd.period_range("2002-01", "2016-12", freq="M").strftime("%Y-%m")
    rows = [
        (step, date, group, power, metric, 0.5, f"{scenario}0", scenario)
        for scenario in SCENARIOS
        for group in ("iraq", "gulf")
        for power in ("USA", "Russia", "China")
        for metric in METRICS
        for step, date in enumerate(dates)
    ]
    columns = ["step", "date", "group", "power", "metric", "value", "run_id", "scenario"]
    return pd.DataFrame(rows, columns=columns)


def _labels(figure: Figure) -> list[Text]:
    return [t for t in figure.axes[0].texts if t.get_gid() == "event-label"]


def _key_texts(events: pd.DataFrame) -> set[str]:
    marks = unique_events(events, SCENARIOS)
    return set(marks.loc[marks["key"], "text"])


def _assert_clear(figure: Figure) -> None:
    """No two labels' drawn boxes overlap, and no leader (a strip line from the baseline
    up to a label) crosses another label's text: measured at the saved resolution."""
    figure.set_dpi(DPI)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    strip = figure.axes[0]
    boxes = [t.get_window_extent(renderer) for t in _labels(figure)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    leaders = []
    for line in strip.get_lines():
        xs, ys = line.get_xdata(), line.get_ydata()
        if len(xs) == 2 and xs[0] == xs[1] and ys[0] == 0.0:
            (x0, y0), (_, y1) = line.get_transform().transform(np.column_stack([xs, ys]))
            leaders.append((float(x0), float(y0), float(y1)))
    assert len(leaders) == len(boxes)
    for x, low, high in leaders:
        # A leader ends at its own label's foot, so it crosses a box only by passing
        # through it, bottom to top.
        crossed = [b for b in boxes if b.x0 < x < b.x1 and low < b.y0 and b.y1 < high]
        assert not crossed, (x, crossed)


def test_the_reviews_iraq_strip_labels_every_key_event_at_a_pages_width():
    """At 6.5 in the strip labelled five of the seven key events; "The surge" and "US
    withdrawal" were left under the longer labels of 2003. All seven are labelled now,
    none over another or over another's leader, the other events stay ticks, and the
    caption names no key event as unlabelled."""
    events, series = _iraq_events(), _iraq_series()
    with at_page_width(6.5):
        figure = trajectories_figure(series, events, metrics=METRICS)
        drawn = {t.get_text() for t in _labels(figure)}
        assert drawn == _key_texts(events)
        assert "The surge (not abstained)" in drawn
        assert "US withdrawal (historical only)" in drawn
        assert unlabelled_events(figure, series, events, METRICS).empty
        assert unlabelled_note(figure, series, events, METRICS) == ""
        _assert_clear(figure)


def test_a_grown_strip_stands_under_the_heading_and_inside_the_saved_figure():
    """The lanes above the four stand over the strip's axes: the strip grows up to its
    highest label (every label where it was placed), a heading goes over it, and the
    saved figure's tight box takes in every label."""
    events, series = _iraq_events(), _iraq_series()
    with at_page_width(6.5):
        figure = trajectories_figure(
            series, events, metrics=METRICS, heading="Scenarios: historical, sustained"
        )
        assert {t.get_text() for t in _labels(figure)} == _key_texts(events)
        figure.set_dpi(DPI)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        labels = [t.get_window_extent(renderer) for t in _labels(figure)]
        assert len({round(b.y0) for b in labels}) > LANES  # it did grow
        strip = figure.axes[0].get_window_extent(renderer)
        assert max(b.y1 for b in labels) <= strip.y1 + 1.0
        heading = figure._suptitle  # type: ignore[attr-defined]
        assert heading is not None
        assert heading.get_window_extent(renderer).y0 >= max(b.y1 for b in labels)
        whole = figure.get_tightbbox(renderer)
        inches = Bbox.union(labels).transformed(figure.dpi_scale_trans.inverted())
        assert whole.y1 >= inches.y1 and whole.y0 <= inches.y0


def test_where_even_the_grown_strip_has_no_room_the_caption_names_exactly_the_rest():
    """At 3 in (the smallest width a figure is drawn to fit) not every key label has
    room, even on two lines (decision 1040, which gave every one room at 3.5 in): those
    drawn are clear of each other, and the caption names exactly the key events the
    strip left without one."""
    events, series = _iraq_events(), _iraq_series()
    with at_page_width(3.0):
        figure = trajectories_figure(series, events, metrics=METRICS)
        # A label on two lines is the one it was broken from.
        drawn = {t.get_text().replace("\n", " ") for t in _labels(figure)}
        assert drawn < _key_texts(events)
        missing = unlabelled_events(figure, series, events, METRICS)
        assert set(missing["text"]) == _key_texts(events) - drawn
        note = unlabelled_note(figure, series, events, METRICS)
        for row in missing.itertuples():
            assert f"{row.label} ({row.date})" in note
        for text in drawn:
            assert text.split(" (")[0] not in note
        _assert_clear(figure)


# The most lanes the strip grows to for key events (monkeypatched below).
GROWN = getattr(trajectories, "KEY_LANES", LANES)


def _horn_strip(monkeypatch: pytest.MonkeyPatch, lanes: int) -> list[Text]:
    monkeypatch.setattr(trajectories, "KEY_LANES", lanes)
    return horn_strip()[1]


def test_the_horn_strip_grows_for_a_key_event_four_lanes_could_not_hold(monkeypatch):
    """The Horn case of decision 836: four lanes hold seven of its nine key events, and
    "Mengistu in power" and "USSR backs Ethiopia" were left (its test keeps that with the
    strip held to four lanes). With lanes above, "Mengistu in power" is labelled too;
    "USSR backs Ethiopia", ticked beside "Somalia expels Soviets" in one month, still has
    no place where its leader and the other's keep clear."""
    four = {t.get_text() for t in _horn_strip(monkeypatch, LANES)}
    assert {r[0] for r in HORN} - four == {"Mengistu in power", "USSR backs Ethiopia"}
    grown = {t.get_text() for t in _horn_strip(monkeypatch, GROWN)}
    assert {r[0] for r in HORN} - grown == {"USSR backs Ethiopia"}
