"""The fast model agrees with the plain reference (tests/reference.py) at every step.

Both are run with the same seed on hypothesis-drawn small scenarios with
events of every kind; ``own`` and ``trust`` (except a power's unspecified
trust in itself), ``aligned`` and ``capability`` must agree to 1e-12 after
step 0 and after every step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EVENT_KINDS, new_model, scenario_dicts, validated

pytest.importorskip("sim.model")

TOLERANCE = 1e-12


def assert_agree(tree: dict[str, Any], seed: int) -> None:
    """Step both models in lockstep over the calendar, comparing after every step."""
    scenario = validated(tree)
    fast = new_model("fast", scenario, seed)
    reference = new_model("reference", scenario, seed)
    assert list(fast.actor_names) == reference.actor_names
    assert list(fast.power_names) == reference.power_names
    valid = np.ones_like(reference.own, dtype=bool)
    for p in range(reference.n_powers):
        valid[p, p] = False
    for k in range(scenario.calendar.n_steps + 1):
        if k > 0:
            fast.step()
            reference.step()
        where = f"step {k}"
        np.testing.assert_allclose(
            np.asarray(fast.own)[valid], reference.own[valid], atol=TOLERANCE, rtol=0, err_msg=where
        )
        np.testing.assert_allclose(
            np.asarray(fast.trust)[valid],
            reference.trust[valid],
            atol=TOLERANCE,
            rtol=0,
            err_msg=where,
        )
        np.testing.assert_array_equal(np.asarray(fast.aligned), reference.aligned, err_msg=where)
        np.testing.assert_allclose(
            np.asarray(fast.capability), reference.capability, atol=TOLERANCE, rtol=0, err_msg=where
        )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(), seed=st.integers(0, 2**32 - 1))
def test_fast_agrees_with_reference(tree: dict[str, Any], seed: int) -> None:
    assert_agree(tree, seed)


def kitchen_sink() -> dict[str, Any]:
    """Every event kind at least once, with overlapping commitments, campaigns and regimes."""
    return {
        "name": "kitchen_sink",
        "calendar": {"start": "2000-01", "end": "2000-12"},
        "ideology_axes": ["x", "y"],
        "powers": {
            "A": {"capability": 1.0, "region": "north", "blocs": ["b1"], "ideology": [0.8, 0.1]},
            "B": {"capability": 0.7, "region": "east", "ideology": [-0.6, 0.4]},
            "C": {"capability": 0.4, "region": "south", "blocs": ["b2"], "ideology": [0.0, -0.9]},
        },
        "states": {
            "S1": {
                "region": "south",
                "blocs": ["b1", "b2"],
                "ideology": [0.5, 0.0],
                "aligned": "A",
                "trust": {"A": 0.8, "B": {"mean": 0.2, "strength": 4.0}},
            },
            "S2": {"region": "south", "blocs": ["b2"], "ideology": [-0.3, 0.2], "aligned": "B"},
            "S3": {"region": "east", "ideology": [0.1, 0.9]},
            "S4": {"region": "north", "blocs": ["b1"], "ideology": [0.9, -0.4], "aligned": "C"},
            "S5": {"region": "west", "ideology": [-1.0, -1.0]},
        },
        "defaults": {"trust": {"C": 0.35}},
        "network": {
            "same_region": 1.0,
            "same_bloc": 0.5,
            "baseline": 0.05,
            "ties": [
                ["S1", "S3", 2.0],
                ["A", "S5"],
                {"from": "S5", "to": "B", "weight": 1.5, "directed": True},
            ],
        },
        "parameters": {
            "trust": {"negativity_bias": 2.5, "memory": 0.9, "prior_strength": 8.0},
            "diffusion": {"susceptibility": 0.35},
            "alignment": {"period": 2, "temperature": 0.3, "nonaligned_utility": 1.2},
            "event_kinds": {"recognize": {"first_mover_decay": 0.4}, "support": {"weight": 0.2}},
        },
        "events": [
            {"kind": "intervene", "step": 1, "actor": "A", "target": "S1", "magnitude": 2.0},
            {
                "kind": "propaganda",
                "step": 2,
                "actor": "B",
                "about": "A",
                "magnitude": 1.5,
                "until": "2000-06",
            },
            {"kind": "intervene", "step": 2, "actor": "B", "target": "S2", "magnitude": 1.0},
            {"kind": "recognize", "step": 2, "actor": "C", "target": "S3"},
            {"kind": "recognize", "step": 3, "actor": "B", "target": "S3"},
            {"kind": "recognize", "step": 3, "actor": "C", "target": "S3"},
            {"kind": "rhetoric", "step": 3, "actor": "C", "magnitude": 2.0},
            {"kind": "side_with_adversary", "step": 4, "actor": "B", "target": "S1", "with": "S2"},
            {"kind": "side_with_adversary", "step": 4, "actor": "C", "target": "S4"},
            {"kind": "withdraw", "step": 5, "actor": "A", "target": "S1", "magnitude": 1.5},
            {"kind": "client_harmed", "step": 6, "actor": "A", "target": "S1"},
            {
                "kind": "regime_change",
                "step": 6,
                "target": "S3",
                "trust": {"A": 0.6},
                "aligned": "A",
                "ideology": [0.2, 0.2],
            },
            {"kind": "recognize", "step": 7, "actor": "C", "target": "S3"},
            {"kind": "base_loss", "step": 7, "actor": "B", "target": "S2", "magnitude": 2.0},
            {"kind": "refuse_aid", "step": 8, "actor": "C", "target": "S4"},
            {"kind": "rapprochement", "step": 8, "actor": "A", "with": "B"},
            {"kind": "support", "step": 9, "actor": "C", "target": "S5"},
            {"kind": "capability_change", "step": 9, "actor": "A", "delta": -0.5},
            {"kind": "capability_change", "step": 10, "actor": "B", "value": 1.5},
            {"kind": "regime_change", "step": 10, "target": "S2"},
            {"kind": "withdraw", "step": 11, "actor": "B", "target": "S2"},
        ],
    }


def test_kitchen_sink_covers_every_kind() -> None:
    assert {e["kind"] for e in kitchen_sink()["events"]} == set(EVENT_KINDS)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_agrees_with_reference_on_every_kind(seed: int) -> None:
    assert_agree(kitchen_sink(), seed)


def test_tiny_weights_still_make_neighbours() -> None:
    """A row whose remaining weights are tiny but positive is not a row "summing to zero".

    Powers P0, P1 and state S0 share a region with weight 1e-20; susceptibility 1.
    S0's trust in P0 (own 0) is then P1's previous trust in P0 (0.5), and P1's
    trust in P0 is S0's previous trust (0): model.md section 4 step 3, decisions 11.
    """
    tree = {
        "name": "tiny",
        "calendar": {"start": "2000-01", "end": "2000-02"},
        "powers": {
            "P0": {"capability": 0.0, "region": "r"},
            "P1": {"capability": 0.0, "region": "r"},
        },
        "states": {"S0": {"region": "r", "trust": {"P0": 0.0}}},
        "network": {"same_region": 1e-20, "same_bloc": 0.0, "baseline": 0.0},
        "parameters": {"diffusion": {"susceptibility": 1.0}, "alignment": {"period": 0}},
    }
    reference = new_model("reference", validated(tree))
    reference.step()
    assert reference.trust[2, 0] == 0.5
    assert reference.trust[1, 0] == 0.0
    assert_agree(tree, 0)
