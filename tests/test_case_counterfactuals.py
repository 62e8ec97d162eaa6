"""The three held-out cases of issue 15 and their counterfactuals, checked on the
parsed YAML (no model run, so these hold before and after the v2 schema).

A counterfactual must differ from its historical scenario only in the events
it is meant to change. Each file below is checked against what its own
description and docs/scenarios.md promise, written out here by hand:

- it overrides nothing but ``name``, ``description`` and ``remove_events``
  (so actors, relations, parameters, calendar and every other event are the
  parent's);
- every removed id exists in the parent, once;
- the events the comparison turns on are removed (the intervention; for a
  "sustained" file the withdrawal and the client's fall), and the events it
  must keep are kept (the client's fate in an "abstained" file);
- an "abstained" file leaves the patron no commitment to the client above
  the level it had before the intervention (magnitude 1 at most), and a
  "sustained" file leaves no withdrawal, refused aid or regime change of the
  client from its divergence date on, and removes nothing dated before it
  (so the two runs are identical until then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

CASES = {
    "afghanistan_ussr": ("USSR", "Afghanistan"),
    "vietnam_usa": ("USA", "South Vietnam"),
    "egypt_ussr": ("USSR", "Egypt"),
}

# counterfactual -> (parent, ids that must go, ids that must stay, divergence month or None)
COUNTERFACTUALS: dict[str, tuple[str, set[str], set[str], str | None]] = {
    "afghanistan_ussr_abstained": (
        "afghanistan_ussr",
        {"soviet_intervention", "karmal_installed", "troops_withdrawn", "geneva_accords"},
        {"saur_revolution", "friendship_treaty", "aid_ends", "najibullah_falls", "ussr_dissolves"},
        None,
    ),
    "afghanistan_ussr_sustained": (
        "afghanistan_ussr",
        {"troops_withdrawn", "aid_ends", "najibullah_falls"},
        {"soviet_intervention", "ussr_dissolves", "poland_government"},
        "1988-04",
    ),
    "vietnam_usa_abstained": (
        "vietnam_usa",
        {"us_ground_war", "paris_accords", "frequent_wind", "aid_cut"},
        {"saigon_falls", "khmer_rouge", "pathet_lao", "nixon_china", "soviet_aid_dvr"},
        None,
    ),
    "vietnam_usa_sustained": (
        "vietnam_usa",
        {"paris_accords", "frequent_wind", "saigon_falls", "aid_cut"},
        {"us_ground_war", "linebacker", "nixon_china", "soviet_vietnam_treaty"},
        "1973-01",
    ),
    "egypt_ussr_abstained": (
        "egypt_ussr",
        {"kavkaz", "soviet_resupply", "friendship_treaty", "expulsion", "soviet_airlift"},
        {"arms_client", "six_day_war", "treaty_abrogated", "camp_david", "somalia_expels"},
        None,
    ),
}

CHILD_KEYS = {"extends", "name", "description", "remove_events"}
WITHDRAWING = {"withdraw", "refuse_aid", "expelled"}


def read(name: str) -> dict[str, Any]:
    """The parsed YAML of ``scenarios/<name>.yaml``."""
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def kept_events(name: str) -> list[dict[str, Any]]:
    """The parent's events left after the counterfactual's ``remove_events``."""
    child = read(name)
    removed = set(child["remove_events"])
    return [
        ev
        for ev in read(child["extends"].removesuffix(".yaml"))["events"]
        if ev["id"] not in removed
    ]


def test_every_counterfactual_of_the_cases_is_checked_here() -> None:
    """A new file extending one of the three cases must be listed above, so that
    the checks below cover it; the listed files must exist."""
    extending = {
        path.stem
        for path in SCENARIOS.glob("*.yaml")
        if yaml.safe_load(path.read_text(encoding="utf-8")).get("extends", "").removesuffix(".yaml")
        in CASES
    }
    assert extending == set(COUNTERFACTUALS)


@pytest.mark.parametrize("name", sorted(COUNTERFACTUALS))
def test_counterfactual_changes_only_its_events(name: str) -> None:
    parent, must_go, must_stay, _ = COUNTERFACTUALS[name]
    child = read(name)
    assert set(child) == CHILD_KEYS, set(child) ^ CHILD_KEYS
    assert child["extends"] == f"{parent}.yaml"
    assert child["name"] == name
    removed = child["remove_events"]
    assert len(removed) == len(set(removed)), "an id is removed twice"
    parent_ids = [ev["id"] for ev in read(parent)["events"]]
    assert set(removed) <= set(parent_ids), set(removed) - set(parent_ids)
    assert must_go <= set(removed), must_go - set(removed)
    assert not must_stay & set(removed), must_stay & set(removed)


@pytest.mark.parametrize("name", sorted(n for n, c in COUNTERFACTUALS.items() if c[3] is None))
def test_abstained_leaves_no_commitment_beyond_the_pre_war_level(name: str) -> None:
    patron, client = CASES[COUNTERFACTUALS[name][0]]
    grown = [
        ev["id"]
        for ev in kept_events(name)
        if ev["kind"] == "intervene"
        and ev.get("actor") == patron
        and ev.get("target") == client
        and ev["magnitude"] > 1.0
    ]
    assert grown == []


@pytest.mark.parametrize("name", sorted(n for n, c in COUNTERFACTUALS.items() if c[3] is not None))
def test_sustained_diverges_at_its_date_and_never_lets_go(name: str) -> None:
    parent, _, _, divergence = COUNTERFACTUALS[name]
    assert divergence is not None
    patron, client = CASES[parent]
    removed = set(read(name)["remove_events"])
    early = [
        ev["id"] for ev in read(parent)["events"] if ev["id"] in removed and ev["date"] < divergence
    ]
    assert early == [], "runs would differ before the divergence date"
    letting_go = [
        ev["id"]
        for ev in kept_events(name)
        if ev["date"] >= divergence
        and ev.get("target") == client
        and (
            ev["kind"] == "regime_change"
            or (ev["kind"] in WITHDRAWING and ev.get("actor") == patron)
        )
    ]
    assert letting_go == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_is_sourced_and_large_enough(case: str) -> None:
    data = read(case)
    patron, client = CASES[case]
    assert patron in data["powers"] and client in data["states"]
    assert len(data["states"]) >= 25
    assert data["calendar"]["step"] == "month"
    for ev in data["events"]:
        assert ev.get("id") and ev.get("label"), ev
        # a reader must be able to look the event up: a year appears in its source
        assert any(str(year) in ev.get("source", "") for year in range(1940, 2000)), ev["id"]
    for rel in data["relations"]:
        assert set(rel) == {"from", "to", "value", "directed", "source"}, rel
        assert any(str(year) in rel["source"] for year in range(1900, 2000)), rel
    assert {"withdrawal", "fall"} <= set(data["windows"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_patterns_are_held_out_and_name_known_states(case: str) -> None:
    """Every pattern of a new case is ``holdout``, so ``calibrate`` never reads it,
    and every group it names exists, with members that are the scenario's states."""
    patterns = yaml.safe_load((SCENARIOS.parent / "patterns" / f"{case}.yaml").read_text("utf-8"))
    scenario = read(case)
    assert patterns["scenario"] == f"../scenarios/{case}.yaml"
    groups = set(scenario["outputs"]["groups"]) | set(patterns["groups"]) | {"all"}
    for members in (g["members"] for g in patterns["groups"].values()):
        assert set(members) <= set(scenario["states"]), set(members) - set(scenario["states"])
    for pattern in patterns["patterns"]:
        assert pattern["role"] == "holdout", pattern["id"]
        assert pattern["group"] in groups, pattern["id"]
        assert pattern.get("control", "all") in groups, pattern["id"]
        assert any(c.isdigit() for c in pattern["source"]), pattern["id"]


# Syria's counterfactuals that re-list events of syria.yaml to change their order within
# a month (events of one month apply in file order; a child's come after its parent's):
# file -> (the events it adds, listed before the re-listed ones).
RELISTED = {
    "syria_china_bystander": ["china_stands_by_syria"],
}


@pytest.mark.parametrize("name", sorted(RELISTED))
def test_a_relisted_event_is_the_parents_own_after_the_new_ones(name: str) -> None:
    """``syria_china_bystander`` listed China's standing by after Assad's fall, so the
    harm was read with the new administration's stances (an outside check, decision
    892). It removes the regime change and the month's events after it and lists them
    again after its own: each must be syria.yaml's, field for field, and come after
    the new event."""
    child, parent = read(name), read("syria")
    removed = child["remove_events"]
    own = {ev["id"]: ev for ev in parent["events"]}
    ids = [ev["id"] for ev in child["events"]]
    relisted = [ev for ev in child["events"] if ev["id"] in removed]
    assert [ev["id"] for ev in relisted] == removed
    for ev in relisted:
        assert ev == own[ev["id"]], ev["id"]
    first = min(ids.index(i) for i in removed)
    assert all(ids.index(new) < first for new in RELISTED[name])
    # The re-listed events are the parent's from the regime change on, in its order.
    month = [ev["id"] for ev in parent["events"] if ev["date"] == own["assad_falls"]["date"]]
    assert removed == month[month.index("assad_falls") :]
