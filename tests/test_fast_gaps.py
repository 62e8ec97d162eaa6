"""The fast engine's propensity gaps in a few compiled calls (decision 866).

``FastModel.propensity_gaps`` runs the calendar in chunks of steps and
computes the link's gaps from the states each chunk hands back; the patterns,
``patterns check`` and every calibration simulation take their gaps from it on
the fast engine. Its gaps must be the ones :meth:`FastModel.propensity` gives
after each :meth:`FastModel.step`, to the bit: capabilities and ideologies
change at a step's events, so a chunk that ran past such a step would take
the later values for its earlier steps.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import hand_scenario, scenario_dicts, validated

from sim.fast import FastModel
from sim.patterns import link
from sim.scenario.schema import Scenario
from sim.seeds import seed_sequence

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def stepwise_utilities(scenario: Scenario, seed: Any) -> np.ndarray:
    """(T + 1, S, P) utilities without inertia, one step and one ``propensity()`` at a time."""
    model = FastModel(scenario, rng=seed, record="summary")
    out = [model.propensity()]
    for _ in range(model.n_steps):
        model.step()
        out.append(model.propensity())
    return np.stack(out)


def pair_gaps(utilities: np.ndarray, power: int, rival: int) -> np.ndarray:
    """The gaps of one pair from stepwise utilities, as sim.patterns.link takes them."""
    return np.stack([u[:, power] - u[:, rival] for u in utilities])


def assert_gaps_equal(scenario: Scenario, seed: Any) -> None:
    utilities = stepwise_utilities(scenario, seed)
    for power, rival in itertools.permutations(range(len(scenario.powers)), 2):
        batched = FastModel(scenario, rng=seed, record="summary").propensity_gaps(power, rival)
        np.testing.assert_array_equal(
            batched, pair_gaps(utilities, power, rival), err_msg=f"pair {power}, {rival}"
        )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_gaps_are_the_stepwise_ones_to_the_bit(path: Path) -> None:
    from sim.scenario import load_scenario

    assert_gaps_equal(load_scenario(str(path)), seed_sequence(3, 1))


def capability_and_ideology_scenario() -> Scenario:
    """Two powers and three states; a capability change at step 5 and a regime change with
    a new ideology at step 9 that move the gaps at those steps and after."""
    return hand_scenario(
        calendar={"start": "2000-01", "end": "2001-06"},
        ideology_axes=["economy", "security"],
        powers={
            "A": {"capability": 1.0, "region": "r", "ideology": [0.2, 0.1]},
            "B": {"capability": 0.8, "region": "q", "ideology": [-0.3, 0.4]},
        },
        states={
            "S": {"region": "r", "aligned": "A", "ideology": [0.0, 0.0]},
            "T": {"region": "q", "ideology": [0.5, -0.5]},
            "U": {"region": "r", "aligned": "B", "ideology": [-0.2, 0.3]},
        },
        events=[
            {"kind": "support", "date": "2000-02", "actor": "A", "target": "S"},
            {"kind": "capability_change", "date": "2000-05", "actor": "B", "delta": 0.7},
            {"kind": "withdraw", "date": "2000-07", "actor": "B", "target": "U"},
            {
                "kind": "regime_change",
                "date": "2000-09",
                "target": "T",
                "ideology": [-0.6, 0.6],
                "trust": {"A": 0.3, "B": 0.7},
            },
        ],
    )


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7, 100])
def test_a_chunk_never_runs_past_a_capability_or_ideology_change(limit: int) -> None:
    scenario = capability_and_ideology_scenario()
    utilities = stepwise_utilities(scenario, 5)
    # The scenario does what it is for: the gaps move at the capability change (step 5)
    # and at the regime change (step 9) by more than trust alone moves them.
    jumps = np.abs(np.diff(pair_gaps(utilities, 0, 1), axis=0)).max(axis=1)
    assert jumps[4] > 0.05 and jumps[8] > 0.05, jumps
    with mock.patch.object(FastModel, "_snapshot_steps", lambda self: limit):
        assert_gaps_equal(scenario, 5)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    tree=st.one_of(scenario_dicts(max_events=16), scenario_dicts(max_events=16, v2=True)),
    seed=st.integers(0, 2**32 - 1),
    limit=st.integers(1, 9),
)
def test_random_scenarios_gaps_are_the_stepwise_ones_to_the_bit(
    tree: dict[str, Any], seed: int, limit: int
) -> None:
    scenario = validated(tree)
    assert_gaps_equal(scenario, seed)
    with mock.patch.object(FastModel, "_snapshot_steps", lambda self: limit):
        assert_gaps_equal(scenario, seed)


def test_the_links_fast_engine_takes_its_gaps_in_chunks() -> None:
    scenario = capability_and_ideology_scenario()
    seed = seed_sequence(0, 0)
    calls: list[int] = []
    steps = FastModel._steps

    def counted(self: FastModel, k1: int, *, in_loop: bool) -> Any:
        calls.append(k1)
        return steps(self, k1, in_loop=in_loop)

    with mock.patch.object(FastModel, "_steps", counted):
        gaps = link.propensity_gaps(scenario, seed, 1, 0, engine="fast")
    # Steps 1-4, 5-8 and 9-18: one call each, where a step at a time made 18.
    assert calls == [4, 8, 18]
    np.testing.assert_array_equal(gaps, pair_gaps(stepwise_utilities(scenario, seed), 1, 0))
    mesa_gaps = link.propensity_gaps(scenario, seed, 1, 0, engine="mesa")
    np.testing.assert_allclose(gaps, mesa_gaps, atol=1e-12, rtol=0)


def test_gaps_are_taken_from_a_runs_start_only() -> None:
    model = FastModel(capability_and_ideology_scenario(), rng=0, record="summary")
    model.step()
    with pytest.raises(RuntimeError, match="from a run's start"):
        model.propensity_gaps(0, 1)
