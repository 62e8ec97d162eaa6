"""The model v2 pieces of the compiled core (model.md section 8), switched on by hand.

These tests switch the core's v2 parameters on by hand in a model's own
copy of its compiled arrays and check each mechanism alone against numbers
worked out by hand; equality with the Mesa v2 model on whole scenarios is
in tests/test_fast_engine.py (docs/decisions.md, items 88 and 104).

The scenario: power A (region ra), states C (the client, region rc), E and
F (region rx, so their salience of an event about C is ``global`` = 0.1);
no network weights (susceptibility 0), memory 1, negativity bias 2, prior
strength 10, every prior 0.5 (a0 = b0 = 5), no alignment.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from strategies import validated

from sim.fast import FastModel, core

BASE: dict[str, Any] = {
    "name": "v2",
    "calendar": {"start": "2000-01", "end": "2000-03"},
    "powers": {"A": {"capability": 1.0, "region": "ra", "ideology": 1.0}},
    "states": {
        "C": {"region": "rc", "ideology": 1.0},
        "E": {"region": "rx", "ideology": -1.0},
        "F": {"region": "rx", "ideology": 0.0},
    },
    "network": {"same_region": 0.0, "same_bloc": 0.0},
    "parameters": {
        "trust": {"negativity_bias": 2.0, "memory": 1.0, "prior_strength": 10},
        "diffusion": {"susceptibility": 0.0},
        "alignment": {"period": 0},
    },
}
A, C, E, F = 0, 1, 2, 3


def model(
    events: list[dict[str, Any]], relations: dict[tuple[int, int], float], **fp: float
) -> Any:
    """A FastModel of BASE with ``events``, explicit stances and v2 ``fp`` entries set."""
    m = FastModel(validated({**BASE, "events": events}), rng=0, record="summary")
    values = m.compiled.fp.copy()
    for name, value in fp.items():
        values[getattr(core, name)] = value
    m.compiled = replace(m.compiled, fp=values)
    for (observer, actor), value in relations.items():
        core.set_stance(observer, actor, value, m._rel_obs, m._rel_act, m._rel_val, m._rel_count)
    return m


WITHDRAW = [{"kind": "withdraw", "step": 1, "actor": "A", "target": "C", "magnitude": 1.0}]
INTERVENE = [{"kind": "intervene", "step": 1, "actor": "A", "target": "C", "magnitude": 2.0}]


def test_stance_column_is_the_ideology_rule_with_explicit_overrides() -> None:
    """s = 1, one axis: closeness(o, A) = 1 - |x_o - 1| / 2, stance = clip(2 * closeness - 1).

    C (x = 1): closeness 1, stance 1; E (x = -1): closeness 0, stance -1;
    F (x = 0): closeness 0.5, stance 0 until its explicit entry 0.3; A itself 1.
    """
    m = model([], {(F, A): 0.3}, FP_STANCE_FROM_IDEOLOGY=1.0)
    out = np.empty(4)
    core.stance_column(
        out, A, m.world.ideology, m.compiled.fp, m._rel_obs, m._rel_act, m._rel_val, m._rel_count
    )
    np.testing.assert_allclose(out, [1.0, 1.0, -1.0, 0.3], atol=1e-15)


def test_explicit_stances_are_replaced_and_dropped() -> None:
    m = model([], {(E, C): -0.9, (C, E): -0.9, (F, A): 0.2})
    core.set_stance(E, C, -0.5, m._rel_obs, m._rel_act, m._rel_val, m._rel_count)
    assert m._rel_count[0] == 3
    core.drop_stances(C, m._rel_obs, m._rel_act, m._rel_val, m._rel_count)
    assert m._rel_count[0] == 1
    assert (m._rel_obs[0], m._rel_act[0], m._rel_val[0]) == (F, A, 0.2)


def test_enemy_reliability_scales_an_enemys_lesson() -> None:
    """A withdraws from C (weight -1, magnitude 1); E and F see it at salience 0.1.

    v1: s = 2 * 0.1 = 0.2 for both, own = 5 / 10.2. With enemy_reliability
    0.5 and stance[E, C] = -0.5 the factor is 1 - 0.5 * 0.5 = 0.75: s_E =
    0.15, own_E = 5 / 10.15; F (stance 0) keeps 5 / 10.2.
    """
    m = model(WITHDRAW, {(E, C): -0.5}, FP_ENEMY_RELIABILITY=0.5)
    m.step()
    assert m.world.negative[E, A] == pytest.approx(0.15, abs=1e-15)
    assert m.own[E, A] == pytest.approx(5 / 10.15, abs=1e-15)
    assert m.own[F, A] == pytest.approx(5 / 10.2, abs=1e-15)


def test_salience_floor_follows_the_stance_towards_the_target() -> None:
    """salience.stance 0.9 and stance[F, C] = 1: F's salience max(0.1, 0.9) = 0.9, s_F = 1.8."""
    m = model(WITHDRAW, {(F, C): 1.0}, FP_SAL_STANCE=0.9)
    m.step()
    assert m.world.negative[F, A] == pytest.approx(1.8, abs=1e-15)
    assert m.world.negative[E, A] == pytest.approx(0.2, abs=1e-15)


def test_affinity_evidence_takes_the_observers_side() -> None:
    """A intervenes for C, magnitude 2; affinity.scale 1, affinity(intervene) 1, direction +1.

    e_aff(E) = 1 * 2 * 1 * 0.1 * stance[E, C] (-1) = -0.2: s_aff = 2 * 0.2 =
    0.4, affinity 5 / 10.4. F (stance 0.5): r_aff = 0.1, affinity 5.1 /
    10.1. C itself (salience 1, stance 1): r_aff = 2, affinity 7 / 12.
    Trust (reliability) is v1's: intervene is good news for all three.
    """
    m = model(INTERVENE, {(E, C): -1.0, (F, C): 0.5}, FP_AFFINITY_SCALE=1.0)
    m.step()
    assert m.affinity[E, A] == pytest.approx(5 / 10.4, abs=1e-15)
    assert m.affinity[F, A] == pytest.approx(5.1 / 10.1, abs=1e-15)
    assert m.affinity[C, A] == pytest.approx(7 / 12, abs=1e-15)
    assert m.own[E, A] == pytest.approx(5.2 / 10.2, abs=1e-15)


def test_support_brings_affinity_each_step() -> None:
    """Step 2: support for the open commitment, magnitude 2 * affinity(support) 0.1 * 0.1 * -1.

    E's s_aff after step 2 = 0.4 + 2 * 0.02 = 0.44 (memory 1), affinity 5 / 10.44.
    """
    m = model(INTERVENE, {(E, C): -1.0}, FP_AFFINITY_SCALE=1.0)
    m.step()
    m.step()
    assert m.affinity[E, A] == pytest.approx(5 / 10.44, abs=1e-15)


def test_reanchoring_moves_the_priors_to_the_assessment() -> None:
    """rho = 0.5 after the withdrawal: own_F = 5 / 10.2, k = 10, a0 <- 2.5 + 5 * own_F.

    Step 2 (no news, memory 1): own = (a0 + 0) / (k + 0.2) with the new a0.
    """
    m = model(WITHDRAW, {}, FP_PRIOR_MEMORY=0.5)
    m.step()
    own1 = 5 / 10.2
    a0 = 2.5 + 5 * own1
    assert m.world.a0[F, A] == pytest.approx(a0, abs=1e-14)
    assert m.world.b0[F, A] == pytest.approx(2.5 + 5 * (1 - own1), abs=1e-14)
    m.step()
    assert m.own[F, A] == pytest.approx(a0 / 10.2, abs=1e-14)


def test_equilibrium_is_the_friedkin_johnsen_fixed_point() -> None:
    """Three states in one region, mu = 0.5: tau = (I - mu W)^-1 (1 - mu) own, W = (J - I) / 2.

    Checked against numpy's dense solve; with no events the held trust then
    stays there (the own assessments stay at the priors, memory 1).
    """
    tree = {
        **BASE,
        "states": {
            "S0": {"region": "r", "trust": {"A": 0.2}},
            "S1": {"region": "r", "trust": {"A": 0.5}},
            "S2": {"region": "r", "trust": {"A": 0.9}},
        },
        "network": {"same_region": 1.0, "same_bloc": 0.0},
        "parameters": {**BASE["parameters"], "diffusion": {"susceptibility": 0.5}},
        "events": [],
    }
    m = FastModel(validated(tree), rng=0, record="summary")
    c = m.compiled
    own = m.own.copy()
    trust = np.empty_like(own)
    sweeps = core.equilibrium(
        own, trust, 0.5, c.member_ptr, c.member_idx, c.group_weight,
        c.tie_ptr, c.tie_idx, c.tie_w, 0.0, c.remaining, c.has_neighbours, 10_000, 1e-15, 1, False,
    )  # fmt: skip
    assert sweeps < 10_000
    w = (np.ones((3, 3)) - np.eye(3)) / 2
    expected = np.linalg.solve(np.eye(3) - 0.5 * w, 0.5 * own[1:, 0])
    np.testing.assert_allclose(trust[1:, 0], expected, atol=1e-14)
    m.world.trust[:] = trust
    m.step()
    np.testing.assert_allclose(m.trust[1:, 0], expected, atol=1e-14)


def test_v2_switches_off_leave_the_affinity_at_its_priors() -> None:
    m = model(INTERVENE, {(E, C): -1.0})
    m.run()
    np.testing.assert_array_equal(m.affinity, np.full((4, 1), 0.5))
