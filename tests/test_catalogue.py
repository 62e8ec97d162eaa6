"""The metric catalogue against what the model really records, and its name parsing."""

from __future__ import annotations

from sim.catalogue import SERIES_METRICS, SUMMARY_METRICS, family_of, parse_metric
from sim.metrics import flatten_summary
from sim.runner import run_scenario
from sim.scenario import load_scenario


def test_every_recorded_metric_is_in_the_catalogue():
    """Every series metric of a real tour run and every flattened summary name parses
    to a catalogue entry of the right kind (a metric added to the recorder without
    an entry fails here)."""
    out = run_scenario(load_scenario("scenarios/tour.yaml"), seed=1, record="series")
    assert out.series is not None
    assert set(out.series["metric"]) <= set(SERIES_METRICS)
    for name in flatten_summary(out.summary):
        parsed = parse_metric(name, "summary")
        assert parsed is not None, name
        assert parsed.metric.name == name.split(".")[0]


def test_names_are_taken_apart_by_shape():
    window = parse_metric("trust_change.withdrawal.USA.levant")
    assert window is not None
    assert (window.metric.name, window.window, window.power, window.group) == (
        "trust_change",
        "withdrawal",
        "USA",
        "levant",
    )
    series = parse_metric("trust_mean.Russia.syria")
    assert series is not None and series.metric.kind == "series"
    poles = parse_metric("final_effective_poles")
    assert poles is not None and (poles.power, poles.group) == ("", "all")
    assert parse_metric("final_trust.Russia") is None
    assert parse_metric("no_such_metric.a.b") is None


def test_summaries_name_a_recorded_series_and_families_group_them():
    assert all(m.series in SERIES_METRICS for m in SUMMARY_METRICS.values())
    assert family_of("final_effective_poles") == family_of("effective_poles.arab_league")
    assert family_of("trust_change.war.USA.all") == "trust_change.war"
    assert family_of("final_affinity.USA.all") == "final_affinity"


def test_a_power_named_with_dots_is_taken_apart_between_the_window_and_the_group():
    """A power may be named U.S. (decision 333): its flattened names read
    ``final_trust.U.S..all``. They were split at every dot, found no catalogue shape,
    and a sweep of such a scenario drew its figures from zero groups (ZeroDivisionError;
    an outside check). Group and window names hold no dot (the loader refuses one), so the
    power is what lies between the family (and window) and the group."""
    final = parse_metric("final_trust.U.S..all")
    assert final is not None and (final.metric.name, final.power, final.group) == (
        "final_trust",
        "U.S.",
        "all",
    )
    window = parse_metric("trust_change.after.U.S..east")
    assert window is not None
    assert (window.window, window.power, window.group) == ("after", "U.S.", "east")
    series = parse_metric("trust_mean.St. Kitts.levant")
    assert series is not None and (series.power, series.group) == ("St. Kitts", "levant")
    assert family_of("trust_change.after.U.S..east") == "trust_change.after"
