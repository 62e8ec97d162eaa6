"""Every event kind of model.md section 5 on a few observers, worked out by hand.

Each test runs on both the reference (tests/reference.py) and the fast model.
Unless a test says otherwise the scenario is ``strategies.HAND_BASE``: power
A, state X in another region, prior mean 0.5 with strength 10 (a0 = b0 = 5),
memory 1, negativity bias 1, susceptibility 0 (so trust = own), salience
target 1, same region 0.6, same bloc 0.4, aligned with actor 0.5, global
0.1, no alignment steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    Trajectory,
    hand_scenario,
    scenario_dicts,
    trajectory,
    validated,
)

from sim.scenario.schema import DEFAULT_WEIGHTS, Scenario

Run = Callable[[Scenario], Trajectory]


@pytest.fixture
def run(implementation: str) -> Run:
    return lambda scenario: trajectory(implementation, scenario)


def ev(kind: str, step: int, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "step": step, **fields}


def test_withdraw_with_negativity_bias(run: Run) -> None:
    """Withdraw magnitude 2, weight -1, salience target 1, bias 2: s = 2*2 = 4.

    own = a0 / (a0 + b0 + s) = 5 / (10 + 4) = 5/14.
    """
    t = run(
        hand_scenario(
            parameters={"trust": {"negativity_bias": 2.0}},
            events=[ev("withdraw", 1, actor="A", target="X", magnitude=2.0)],
        )
    )
    assert t.cell("own", 0, "X", "A") == pytest.approx(0.5, abs=1e-12)
    assert t.cell("own", 1, "X", "A") == pytest.approx(5 / 14, abs=1e-12)
    assert t.cell("trust", 1, "X", "A") == pytest.approx(5 / 14, abs=1e-12)


def test_expelled_closes_the_commitment_and_weighs_like_a_base_loss(run: Run) -> None:
    """Intervene (magnitude 3) at step 2; the client expels the patron (magnitude 1) at step 4.

    As withdraw up to step 3: own 8/13, 8.3/13.3. Step 4: support 0.3 (open at the
    start of the step) and expelled weight -0.3: r = 3.6, s = 0.3, own 8.6/13.9.
    Step 5: the commitment is closed, no more support: unchanged.
    """
    t = run(
        hand_scenario(
            events=[
                ev("intervene", 2, actor="A", target="X", magnitude=3.0),
                ev("expelled", 4, actor="A", target="X", magnitude=1.0),
            ],
        )
    )
    expected = [0.5, 0.5, 8 / 13, 8.3 / 13.3, 8.6 / 13.9, 8.6 / 13.9, 8.6 / 13.9]
    assert [t.cell("own", k, "X", "A") for k in range(7)] == pytest.approx(expected, abs=1e-12)


def test_intervene_support_timing_and_withdraw_closes(run: Run) -> None:
    """Intervene (magnitude 3) at step 2, withdraw (magnitude 1) at step 4.

    step 1: nothing, 0.5. step 2: r = 3 (no support yet), own = 8/13.
    step 3: support 0.1*3: r = 3.3, own = 8.3/13.3.
    step 4: support still (open at the start of the step) 0.3 and withdraw -1:
    r = 3.6, s = 1, own = 8.6/14.6. step 5: commitment closed, unchanged.
    Observer Y (same region as X, 0.6): r = 1.8, then 1.98, 2.16 with s = 0.6.
    """
    t = run(
        hand_scenario(
            states={"X": {"region": "rx"}, "Y": {"region": "rx"}},
            events=[
                ev("intervene", 2, actor="A", target="X", magnitude=3.0),
                ev("withdraw", 4, actor="A", target="X", magnitude=1.0),
            ],
        )
    )
    expected = [0.5, 0.5, 8 / 13, 8.3 / 13.3, 8.6 / 14.6, 8.6 / 14.6, 8.6 / 14.6]
    assert [t.cell("own", k, "X", "A") for k in range(7)] == pytest.approx(expected, abs=1e-12)
    assert t.cell("own", 5, "Y", "A") == pytest.approx(7.16 / 12.76, abs=1e-12)


def test_reintervention_keeps_commitment_with_new_magnitude(run: Run) -> None:
    """Intervene 1 at step 1, again with 2 at step 2: support at step 3 is 0.1*2 (once).

    r: 1, then 1 + 0.1 (support of the first) + 2 = 3.1, then 3.1 + 0.2 = 3.3.
    """
    t = run(
        hand_scenario(
            events=[
                ev("intervene", 1, actor="A", target="X", magnitude=1.0),
                ev("intervene", 2, actor="A", target="X", magnitude=2.0),
            ],
        )
    )
    assert t.cell("own", 3, "X", "A") == pytest.approx(8.3 / 13.3, abs=1e-12)


def test_side_with_adversary_with_rival(run: Run) -> None:
    """A sides with Y against X, magnitude 1, weight -1 (bias 1).

    X (target):            e_t = -1,   e_w = +0.1 (global)  -> -1:   own 5/11
    Y (the rival):         e_t = -0.1, e_w = +1             -> +1:   own 6/11
    Z (Y's region):        e_t = -0.1, e_w = +0.6           -> +0.6: own 5.6/10.6
    V (shares nothing):    e_t = -0.1, e_w = +0.1, a tie    -> -0.1: own 5/10.1
    Without ``with`` Y and Z get -0.1 like V.
    """
    states = {
        "X": {"region": "rx"},
        "Y": {"region": "ry"},
        "Z": {"region": "ry"},
        "V": {"region": "rv"},
    }
    t = run(
        hand_scenario(
            states=states,
            events=[
                ev("side_with_adversary", 1, actor="A", target="X", magnitude=1.0, **{"with": "Y"})
            ],
        )
    )
    got = [t.cell("own", 1, o, "A") for o in "XYZV"]
    assert got == pytest.approx([5 / 11, 6 / 11, 5.6 / 10.6, 5 / 10.1], abs=1e-12)
    plain = run(
        hand_scenario(
            states=states,
            events=[ev("side_with_adversary", 1, actor="A", target="X", magnitude=1.0)],
        )
    )
    got = [plain.cell("own", 1, o, "A") for o in "XYZV"]
    assert got == pytest.approx([5 / 11, 5 / 10.1, 5 / 10.1, 5 / 10.1], abs=1e-12)


def test_rapprochement_closeness_factor(run: Run) -> None:
    """A (ideology 1) makes up with B (ideology -1), magnitude 2, weight -0.5, bias 2.

    X (ideology 0.5, aligned with A, salience 0.5): closeness to A 1 - 0.5/2 = 0.75,
    to B 1 - 1.5/2 = 0.25, factor 0.5: e = 2 * -0.5 * 0.5 * 0.5 = -0.25, s = 0.5,
    own = 5/10.5. Y (ideology -0.5, not aligned, 0.1): factor max(0, 0.25 - 0.75) = 0.
    B itself: closeness to A 0, to itself 1: factor 0.
    """
    t = run(
        hand_scenario(
            powers={
                "A": {"capability": 1.0, "region": "ra", "ideology": 1.0},
                "B": {"capability": 1.0, "region": "rb", "ideology": -1.0},
            },
            states={
                "X": {"region": "rx", "ideology": 0.5, "aligned": "A"},
                "Y": {"region": "rx", "ideology": -0.5},
            },
            parameters={"trust": {"negativity_bias": 2.0}},
            events=[ev("rapprochement", 1, actor="A", magnitude=2.0, **{"with": "B"})],
        )
    )
    assert t.cell("own", 1, "X", "A") == pytest.approx(5 / 10.5, abs=1e-12)
    assert t.cell("own", 1, "Y", "A") == pytest.approx(0.5, abs=1e-12)
    assert t.cell("own", 1, "B", "A") == pytest.approx(0.5, abs=1e-12)


def test_rapprochement_distance_on_two_axes(run: Run) -> None:
    """Two axes: distance is Euclidean over 2*sqrt(2).

    A at (1, 1), B at (-1, -1), X at (1, -1): both distances 2/(2*sqrt 2), factor 0.
    Y at (1, 0.5): to A 0.5/(2 sqrt 2), to B sqrt(4 + 2.25)/(2 sqrt 2) = 2.5/(2 sqrt 2);
    factor 2/(2 sqrt 2) = 1/sqrt 2. e = 1 * -0.5 * 0.1 * 0.7071... (bias 1).
    """
    t = run(
        hand_scenario(
            ideology_axes=["x", "y"],
            powers={
                "A": {"capability": 1.0, "region": "ra", "ideology": [1.0, 1.0]},
                "B": {"capability": 1.0, "region": "rb", "ideology": [-1.0, -1.0]},
            },
            states={
                "X": {"region": "rx", "ideology": [1.0, -1.0]},
                "Y": {"region": "rx", "ideology": [1.0, 0.5]},
            },
            events=[ev("rapprochement", 1, actor="A", magnitude=1.0, **{"with": "B"})],
        )
    )
    s = 0.05 / np.sqrt(2.0)
    assert t.cell("own", 1, "X", "A") == pytest.approx(0.5, abs=1e-12)
    assert t.cell("own", 1, "Y", "A") == pytest.approx(5 / (10 + s), abs=1e-12)


def test_rhetoric_scaled_by_previous_trust(run: Run) -> None:
    """Rhetoric by A at steps 1 and 2, magnitude 1, weight 0.2.

    X trusts A 0.8 (a0 = 8, b0 = 2), aligned with A (salience 0.5):
    step 1: e = 0.2 * 0.5 * 0.8 = 0.08, own = 8.08/10.08;
    step 2: e = 0.2 * 0.5 * (8.08/10.08), using the trust held after step 1.
    Y trusts A 0.2, not aligned (0.1): step 1 e = 0.2 * 0.1 * 0.2 = 0.004.
    """
    t = run(
        hand_scenario(
            states={
                "X": {"region": "rx", "aligned": "A", "trust": {"A": 0.8}},
                "Y": {"region": "ry", "trust": {"A": 0.2}},
            },
            events=[ev("rhetoric", 1, actor="A"), ev("rhetoric", 2, actor="A")],
        )
    )
    step1 = 8.08 / 10.08
    r2 = 0.08 + 0.1 * step1
    assert t.cell("own", 1, "X", "A") == pytest.approx(step1, abs=1e-12)
    assert t.cell("own", 2, "X", "A") == pytest.approx((8 + r2) / (10 + r2), abs=1e-12)
    assert t.cell("own", 1, "Y", "A") == pytest.approx(2.004 / 10.004, abs=1e-12)


def test_recognition_race(run: Run) -> None:
    """Powers A, B, C recognise X (magnitude 1, weight 0.8, decay 0.5, target salience 1).

    step 1: A first, n = 0: X's r in A 0.8.
    step 2: B (n = 1) 0.4, then C in the same step (n = 2) 0.2.
    step 3: A again: nothing. step 4: regime change of X: back to 0.5 everywhere.
    step 5: C recognises the new regime first: n = 0, r = 0.8 in C.
    """
    powers = {n: {"capability": 1.0, "region": "r" + n} for n in "ABC"}
    t = run(
        hand_scenario(
            powers=powers,
            events=[
                ev("recognize", 1, actor="A", target="X"),
                ev("recognize", 2, actor="B", target="X"),
                ev("recognize", 2, actor="C", target="X"),
                ev("recognize", 3, actor="A", target="X"),
                ev("regime_change", 4, target="X"),
                ev("recognize", 5, actor="C", target="X"),
            ],
        )
    )
    assert [t.cell("own", 3, "X", p) for p in "ABC"] == pytest.approx(
        [5.8 / 10.8, 5.4 / 10.4, 5.2 / 10.2], abs=1e-12
    )
    assert [t.cell("own", 4, "X", p) for p in "ABC"] == pytest.approx([0.5] * 3, abs=1e-12)
    assert [t.cell("own", 5, "X", p) for p in "ABC"] == pytest.approx(
        [0.5, 0.5, 5.8 / 10.8], abs=1e-12
    )


def test_propaganda_multiplier_and_until(run: Run) -> None:
    """B's campaign about A (magnitude 2) from step 2 until step 3; A withdraws from X each step.

    X trusts B 0.6, so the factor is 1 + 2*0.6 = 2.2 in steps 2 and 3, also for the
    step-2 withdrawal listed before the campaign. X's s in A: 1, 3.2, 5.4, 6.4;
    own after step 4: 5/16.4. B (the propagandist, global 0.1) is not moved by
    its own campaign: s = 0.4, own 5/10.4.
    """
    t = run(
        hand_scenario(
            powers={
                "A": {"capability": 1.0, "region": "ra"},
                "B": {"capability": 1.0, "region": "rb"},
            },
            states={"X": {"region": "rx", "trust": {"B": 0.6}}},
            events=[
                ev("withdraw", 1, actor="A", target="X"),
                ev("withdraw", 2, actor="A", target="X"),
                {
                    "kind": "propaganda",
                    "date": "2000-02",
                    "actor": "B",
                    "about": "A",
                    "magnitude": 2.0,
                    "until": "2000-03",
                },
                ev("withdraw", 3, actor="A", target="X"),
                ev("withdraw", 4, actor="A", target="X"),
            ],
        )
    )
    expected = [0.5, 5 / 11, 5 / 13.2, 5 / 15.4, 5 / 16.4]
    assert [t.cell("own", k, "X", "A") for k in range(5)] == pytest.approx(expected, abs=1e-12)
    assert t.cell("own", 4, "B", "A") == pytest.approx(5 / 10.4, abs=1e-12)


def test_propaganda_leaves_positive_evidence_alone(run: Run) -> None:
    """A campaign multiplies only negative evidence: intervene 1 gives r = 1, own 6/11."""
    t = run(
        hand_scenario(
            powers={
                "A": {"capability": 1.0, "region": "ra"},
                "B": {"capability": 1.0, "region": "rb"},
            },
            events=[
                ev("propaganda", 1, actor="B", about="A", magnitude=3.0),
                ev("intervene", 1, actor="A", target="X"),
            ],
        )
    )
    assert t.cell("own", 1, "X", "A") == pytest.approx(6 / 11, abs=1e-12)


@pytest.mark.parametrize(
    ("kind", "magnitude", "bias", "target_s", "region_s"),
    [
        # client_harmed: weight -0.8, bias 2: target 1.6, same region 2 * 0.8 * 0.6 = 0.96
        ("client_harmed", 1.0, 2.0, 1.6, 0.96),
        # base_loss: weight -0.3, magnitude 2, bias 1: target 0.6, same region 0.36
        ("base_loss", 2.0, 1.0, 0.6, 0.36),
        # refuse_aid: weight -0.6, bias 3: target 1.8, same region 1.08
        ("refuse_aid", 1.0, 3.0, 1.8, 1.08),
    ],
)
def test_negative_targeted_kinds(
    run: Run, kind: str, magnitude: float, bias: float, target_s: float, region_s: float
) -> None:
    """own = 5 / (10 + s) with s = bias * magnitude * |weight| * salience (see parameters)."""
    t = run(
        hand_scenario(
            states={"X": {"region": "rx"}, "Y": {"region": "rx"}},
            parameters={"trust": {"negativity_bias": bias}},
            events=[ev(kind, 1, actor="A", target="X", magnitude=magnitude)],
        )
    )
    assert t.cell("own", 1, "X", "A") == pytest.approx(5 / (10 + target_s), abs=1e-12)
    assert t.cell("own", 1, "Y", "A") == pytest.approx(5 / (10 + region_s), abs=1e-12)


def test_regime_change_resets_priors_and_same_step_evidence(run: Run) -> None:
    """X trusts A 0.8 (a0 = 8, b0 = 2); withdraw 1 at step 1: own 8/11.

    step 2: a withdrawal before the regime change (cleared), the regime change with
    A at {mean 0.3, strength 20} (a0 = 6, b0 = 14), aligned none, then a
    withdrawal that reaches the new regime: own = 6/21. X was aligned with A.
    """
    t = run(
        hand_scenario(
            states={"X": {"region": "rx", "aligned": "A", "trust": {"A": 0.8}}},
            events=[
                ev("withdraw", 1, actor="A", target="X"),
                ev("withdraw", 2, actor="A", target="X"),
                ev(
                    "regime_change",
                    2,
                    target="X",
                    trust={"A": {"mean": 0.3, "strength": 20}},
                    aligned="none",
                ),
                ev("withdraw", 2, actor="A", target="X"),
            ],
        )
    )
    assert t.cell("own", 1, "X", "A") == pytest.approx(8 / 11, abs=1e-12)
    assert t.cell("own", 2, "X", "A") == pytest.approx(6 / 21, abs=1e-12)
    assert t.alignment(1, "X") == "A"
    assert t.alignment(2, "X") == "none"


def test_regime_change_uses_defaults_not_file_entry(run: Run) -> None:
    """X's file entry (0.9) is dropped at a regime change; A falls back to defaults 0.2."""
    t = run(
        hand_scenario(
            states={"X": {"region": "rx", "trust": {"A": 0.9}}},
            defaults={"trust": {"A": 0.2}},
            events=[ev("regime_change", 1, target="X")],
        )
    )
    assert t.cell("own", 0, "X", "A") == pytest.approx(0.9, abs=1e-12)
    assert t.cell("own", 1, "X", "A") == pytest.approx(0.2, abs=1e-12)


def test_regime_change_closes_commitments_and_resets_held_trust(run: Run) -> None:
    """Intervene 2 at step 1, regime change of X at step 2 with rhetoric after it.

    Y (global 0.1) sees intervene 0.2 and the step-2 support 0.02 but no support at
    step 3: r = 0.22, own 5.22/10.22. X: the step-2 support is cleared by the
    regime change; the rhetoric after it uses X's new held trust 0.5 with
    salience 0.1 (X is not aligned): e = 0.2 * 0.1 * 0.5 = 0.01, own 5.01/10.01,
    and stays there at step 3 (no support).
    """
    t = run(
        hand_scenario(
            states={"X": {"region": "rx"}, "Y": {"region": "ry"}},
            events=[
                ev("intervene", 1, actor="A", target="X", magnitude=2.0),
                ev("regime_change", 2, target="X"),
                ev("rhetoric", 2, actor="A"),
            ],
        )
    )
    assert t.cell("own", 1, "X", "A") == pytest.approx(7 / 12, abs=1e-12)
    assert t.cell("own", 3, "X", "A") == pytest.approx(5.01 / 10.01, abs=1e-12)
    # Y: 0.2 + 0.02 + rhetoric 0.2*0.1*(5.2/10.2) at step 2, nothing at step 3.
    r_y = 0.22 + 0.02 * 5.2 / 10.2
    assert t.cell("own", 3, "Y", "A") == pytest.approx((5 + r_y) / (10 + r_y), abs=1e-12)


def test_capability_change_delta_value_and_clip(run: Run) -> None:
    """Capability 1: delta -5 -> 0 (clipped); value 0.7 -> 0.7; delta 0.2 -> 0.9."""
    t = run(
        hand_scenario(
            events=[
                {"kind": "capability_change", "step": 1, "actor": "A", "delta": -5.0},
                {"kind": "capability_change", "step": 2, "actor": "A", "value": 0.7},
                {"kind": "capability_change", "step": 3, "actor": "A", "delta": 0.2},
            ],
        )
    )
    got = [float(t.capability[k][0]) for k in range(4)]
    assert got == pytest.approx([1.0, 0.0, 0.7, 0.9], abs=1e-12)


def test_explicit_support_event(run: Run) -> None:
    """An explicit support event (weight 0.1, magnitude 2) counts like any other: r = 0.2."""
    t = run(hand_scenario(events=[ev("support", 1, actor="A", target="X", magnitude=2.0)]))
    assert t.cell("own", 1, "X", "A") == pytest.approx(5.2 / 10.2, abs=1e-12)


def test_evidence_never_reaches_its_actor(run: Run) -> None:
    """A power targeted by another's intervention: the actor B learns nothing about itself;
    A as target gets 1 (own 6/11 in B); X (global 0.1) gets 0.1."""
    t = run(
        hand_scenario(
            powers={
                "A": {"capability": 1.0, "region": "ra"},
                "B": {"capability": 1.0, "region": "rb"},
            },
            events=[ev("intervene", 1, actor="B", target="A")],
        )
    )
    assert t.cell("own", 1, "A", "B") == pytest.approx(6 / 11, abs=1e-12)
    assert t.cell("own", 1, "X", "B") == pytest.approx(5.1 / 10.1, abs=1e-12)


# --------------------------------------------------------------------------- properties

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def zero_weight_tree(tree: dict[str, Any]) -> dict[str, Any]:
    tree["parameters"]["event_kinds"] = {k: {"weight": 0.0} for k in DEFAULT_WEIGHTS}
    tree["events"] = [e for e in tree["events"] if e["kind"] != "regime_change"]
    return tree


@PROPERTY
@given(tree=scenario_dicts())
def test_weight_zero_changes_nothing(implementation: str, tree: dict[str, Any]) -> None:
    """With every weight 0 (and no regime change) own stays at its prior at every step."""
    t = trajectory(implementation, validated(zero_weight_tree(tree)))
    for k in range(len(t.own)):
        np.testing.assert_allclose(t.own[k][t.valid], t.own[0][t.valid], atol=1e-12, rtol=0)


@PROPERTY
@given(tree=scenario_dicts(), data=st.data())
def test_more_negative_evidence_never_raises_trust(
    implementation: str, tree: dict[str, Any], data: st.DataObject
) -> None:
    """An extra withdrawal never raises any observer's trust in its actor, at any step.

    Holds without alignment steps (a realignment changes later saliences),
    with non-negative rhetoric weight (negative cheap talk scaled by trust
    would shrink as trust falls) and non-negative support weight (the extra
    withdrawal closes a commitment, which would end negative support).
    """
    tree["parameters"]["alignment"]["period"] = 0
    kinds = tree["parameters"]["event_kinds"]
    for kind in ("rhetoric", "support", "withdraw"):
        if kind in kinds:
            sign = -1 if kind == "withdraw" else 1
            kinds[kind]["weight"] = abs(kinds[kind]["weight"]) * sign
    powers, actors = list(tree["powers"]), [*tree["powers"], *tree["states"]]
    n_steps = validated(tree).calendar.n_steps
    actor = data.draw(st.sampled_from(powers))
    extra = {
        "kind": "withdraw",
        "step": data.draw(st.integers(1, n_steps)),
        "actor": actor,
        "target": data.draw(st.sampled_from([a for a in actors if a != actor])),
        "magnitude": data.draw(st.floats(0.0, 3.0)),
    }
    position = data.draw(st.integers(0, len(tree["events"])))
    more = {**tree, "events": [*tree["events"][:position], extra, *tree["events"][position:]]}
    base = trajectory(implementation, validated(tree))
    worse = trajectory(implementation, validated(more))
    p = base.power_names.index(actor)
    others = [o for o in range(len(base.actor_names)) if o != p]
    for k in range(len(base.trust)):
        assert np.all(worse.trust[k][others, p] <= base.trust[k][others, p] + 1e-12)
        assert np.all(worse.own[k][others, p] <= base.own[k][others, p] + 1e-12)


@PROPERTY
@given(tree=scenario_dicts())
def test_trust_stays_in_unit_interval(implementation: str, tree: dict[str, Any]) -> None:
    """own and trust lie in [0, 1] at every step of every scenario."""
    t = trajectory(implementation, validated(tree))
    for k in range(len(t.trust)):
        for values in (t.own[k][t.valid], t.trust[k][t.valid]):
            assert np.all(values >= 0.0) and np.all(values <= 1.0)


# --------------------------------------------------------------------------- the registry


class KindTest:
    """What every event kind's entry in the registry must say (Axelrod's ``TestPlayer``).

    A subclass per kind states the kind's metadata as model.md sections 5 and
    8 give it; the tests check the registry entry, the schema's event model,
    the engine's handler, the parameter defaults and the synthetic mix against
    it, so that a new kind is one subclass here and one entry in
    :mod:`sim.scenario.kinds`.
    """

    kind = ""
    fields: tuple[str, ...] = ()
    weight: float | None = None
    affinity = 0.0
    parties: tuple[tuple[str, int], ...] = ()
    has_target = False
    two_powers = False
    actor = "power"
    synthetic = True

    @property
    def entry(self) -> Any:
        from sim.scenario.kinds import KINDS

        return KINDS[self.kind]

    def test_metadata(self) -> None:
        e = self.entry
        assert e.name == self.kind
        assert e.fields == self.fields
        assert e.weight == self.weight
        assert e.affinity == self.affinity
        assert e.parties == self.parties
        assert (e.has_target, e.two_powers, e.actor) == (
            self.has_target,
            self.two_powers,
            self.actor,
        )
        assert e.synthetic == self.synthetic

    def test_schema_model_takes_the_fields(self) -> None:
        from sim.scenario.schema import EventBase, EventModel

        models = {m.model_fields["kind"].annotation.__args__[0]: m for m in EventModel.__args__}
        own = (
            {(f.alias or name) for name, f in models[self.kind].model_fields.items()}
            - set(EventBase.model_fields)
            - {"kind"}
        )
        assert own == set(self.fields)
        assert ("target" in own) == self.has_target

    def test_engine_has_its_handler(self) -> None:
        from sim.events import EventEngine

        assert callable(getattr(EventEngine, f"_on_{self.entry.handler}", None))

    def test_parameter_defaults(self) -> None:
        from sim.scenario.schema import EventKinds

        table = EventKinds()
        assert table.affinity(self.kind) == self.affinity
        if self.weight is None:
            assert self.kind not in EventKinds.model_fields
        else:
            assert table.weight(self.kind) == self.weight
            if self.parties:
                given = table.model_validate({self.kind: {"affinity": 0.25}})
                assert given.affinity(self.kind) == 0.25
            else:
                # No parties: an affinity weight would multiply nothing (decision 617).
                with pytest.raises(ValueError, match="takes no affinity setting"):
                    table.model_validate({self.kind: {"affinity": 0.25}})

    def test_synthetic_mix(self) -> None:
        from sim.scenario.synthetic import EVENT_MIX, REQUIRES_TWO_POWERS

        assert (self.kind in EVENT_MIX) == self.synthetic
        assert (self.kind in REQUIRES_TWO_POWERS) == self.two_powers


TARGETED_FIELDS = ("actor", "target", "magnitude")


class TestIntervene(KindTest):
    kind, fields, weight, affinity = "intervene", TARGETED_FIELDS, 1.0, 1.0
    parties, has_target = (("target", 1),), True


class TestSupport(KindTest):
    kind, fields, weight, affinity = "support", TARGETED_FIELDS, 0.1, 0.1
    parties, has_target, synthetic = (("target", 1),), True, False


class TestWithdraw(KindTest):
    kind, fields, weight, affinity = "withdraw", TARGETED_FIELDS, -1.0, 1.0
    parties, has_target = (("target", -1),), True


class TestSideWithAdversary(KindTest):
    kind, weight, affinity = "side_with_adversary", -1.0, 1.0
    fields = ("actor", "target", "with", "magnitude")
    parties, has_target = (("target", -1), ("with_", 1)), True


class TestRefuseAid(KindTest):
    kind, fields, weight, affinity = "refuse_aid", TARGETED_FIELDS, -0.6, 0.6
    parties, has_target = (("target", -1),), True


class TestClientHarmed(KindTest):
    kind, fields, weight, affinity = "client_harmed", TARGETED_FIELDS, -0.8, 0.8
    parties, has_target = (("target", -1),), True


class TestExpelled(KindTest):
    """docs/ODD.md section 7.1: the client ends the patron's presence (Sadat, July 1972)."""

    kind, fields, weight, affinity = "expelled", TARGETED_FIELDS, -0.3, 1.0
    parties, has_target, synthetic = (("target", -1),), True, False


class TestBaseLoss(KindTest):
    kind, fields, weight, has_target = "base_loss", TARGETED_FIELDS, -0.3, True


class TestRapprochement(KindTest):
    kind, fields, weight, affinity = "rapprochement", ("actor", "with", "magnitude"), -0.5, 0.5
    parties, two_powers = (("with_", 1),), True


class TestRhetoric(KindTest):
    kind, fields, weight = "rhetoric", ("actor", "magnitude"), 0.2


class TestRecognize(KindTest):
    kind, fields, weight, affinity = "recognize", TARGETED_FIELDS, 0.8, 0.8
    parties, has_target = (("target", 1),), True


class TestPropaganda(KindTest):
    kind, fields, two_powers = "propaganda", ("actor", "about", "magnitude", "until"), True


class TestRegimeChange(KindTest):
    kind, has_target, actor, synthetic = "regime_change", True, "none", False
    fields = ("target", "trust", "aligned", "ideology", "relations", "affinity")


class TestCapabilityChange(KindTest):
    kind, fields = "capability_change", ("actor", "delta", "value")


class TestRelation(KindTest):
    kind, fields = "relation", ("actor", "target", "value", "directed")
    has_target, actor, synthetic = True, "actor", False


def test_every_kind_has_a_test_class() -> None:
    from sim.scenario.kinds import EVENT_KINDS

    tested = {cls.kind for cls in KindTest.__subclasses__()}
    assert tested == set(EVENT_KINDS)
