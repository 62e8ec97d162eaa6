"""The fast model agrees with the plain reference (tests/reference.py) at every step.

Both are run with the same seed on hypothesis-drawn small scenarios with
events of every kind, v1 and v2 (model.md section 8); ``own``, ``trust`` and
``affinity`` (except a power's unspecified cells about itself), ``aligned``,
``capability`` and the alignment propensity must agree to 1e-12 after step
0 and after every step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EVENT_KINDS, kitchen_sink, new_model, scenario_dicts, validated

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
        for name in ("own", "trust", "affinity"):
            np.testing.assert_allclose(
                np.asarray(getattr(fast, name))[valid],
                getattr(reference, name)[valid],
                atol=TOLERANCE,
                rtol=0,
                err_msg=f"{name}, {where}",
            )
        np.testing.assert_array_equal(np.asarray(fast.aligned), reference.aligned, err_msg=where)
        np.testing.assert_allclose(
            np.asarray(fast.capability), reference.capability, atol=TOLERANCE, rtol=0, err_msg=where
        )
        np.testing.assert_allclose(
            fast.propensity(), reference.propensity(), atol=1e-10, rtol=0, err_msg=where
        )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(), seed=st.integers(0, 2**32 - 1))
def test_fast_agrees_with_reference(tree: dict[str, Any], seed: int) -> None:
    assert_agree(tree, seed)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(v2=True), seed=st.integers(0, 2**32 - 1))
def test_fast_agrees_with_reference_v2(tree: dict[str, Any], seed: int) -> None:
    assert_agree(tree, seed)


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
