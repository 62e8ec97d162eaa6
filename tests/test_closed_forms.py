"""Closed forms: Beta posterior, forgetting sums, Friedkin-Johnsen equilibrium, salience, choice.

Every expected number is derived by hand or from a closed form written in
the test (model.md sections 2 and 4), never copied from the code's output.
Each test runs on the fast model and on the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from strategies import hand_scenario, new_model, trajectory, validated

ONE_MONTH = {"start": "2000-01", "end": "2000-01"}


def ev(kind: str, step: int, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "step": step, **fields}


def one_step(implementation: str, **changes: Any) -> Any:
    """The trajectory (steps 0 and 1) of a one-month hand scenario with ``changes``."""
    return trajectory(implementation, hand_scenario(calendar=ONE_MONTH, **changes))


def test_beta_posterior_after_a_sequence(implementation: str) -> None:
    """Memory 1: own = (a0 + sum pos) / (a0 + b0 + sum pos + bias * sum neg).

    Prior 0.3 x 10 (a0 = 3, b0 = 7), bias 2. X is the target, Y shares a bloc (0.4).
    step 1 intervene 2:                  X pos 2,            Y pos 0.8
    step 2 support 0.1*2, withdraw 1:    X pos 0.2, neg 1,   Y pos 0.08, neg 0.4
    step 3 (closed: no support), base_loss 1 (weight -0.3): X neg 0.3, Y neg 0.12
    X after step 3: (3 + 2.2) / (10 + 2.2 + 2*1.3) = 5.2/14.8.
    """
    t = trajectory(
        implementation,
        hand_scenario(
            states={"X": {"region": "rx", "blocs": ["u"]}, "Y": {"region": "ry", "blocs": ["u"]}},
            defaults={"trust": {"A": 0.3}},
            parameters={"trust": {"negativity_bias": 2.0}},
            events=[
                ev("intervene", 1, actor="A", target="X", magnitude=2.0),
                ev("withdraw", 2, actor="A", target="X", magnitude=1.0),
                ev("base_loss", 3, actor="A", target="X", magnitude=1.0),
            ],
        ),
    )

    def posterior(pos: float, neg: float) -> float:
        return (3 + pos) / (10 + pos + 2.0 * neg)

    x = [posterior(0, 0), posterior(2, 0), posterior(2.2, 1), posterior(2.2, 1.3)]
    y = [posterior(0, 0), posterior(0.8, 0), posterior(0.88, 0.4), posterior(0.88, 0.52)]
    assert [t.cell("own", k, "X", "A") for k in range(4)] == pytest.approx(x, abs=1e-12)
    assert [t.cell("own", k, "Y", "A") for k in range(4)] == pytest.approx(y, abs=1e-12)
    assert x[3] == pytest.approx(5.2 / 14.8)


def test_forgetting_geometric_sums(implementation: str) -> None:
    """Memory delta = 0.9, bias 2: a withdrawal (magnitude 1) every step, one support at step 1.

    s_k = 2 * (1 - delta^k) / (1 - delta);  r_k = 1 * delta^(k-1) (support 10 * 0.1);
    own_k = (a0 + r_k) / (a0 + b0 + r_k + s_k) with a0 = b0 = 5, k = 1..12.
    """
    delta, steps = 0.9, 12
    t = trajectory(
        implementation,
        hand_scenario(
            calendar={"start": "2000-01", "end": "2000-12"},
            parameters={"trust": {"negativity_bias": 2.0, "memory": delta}},
            events=[ev("support", 1, actor="A", target="X", magnitude=10.0)]
            + [ev("withdraw", k, actor="A", target="X") for k in range(1, steps + 1)],
        ),
    )
    k = np.arange(1, steps + 1)
    s = 2.0 * (1 - delta**k) / (1 - delta)
    r = delta ** (k - 1)
    expected = (5 + r) / (10 + r + s)
    got = [t.cell("own", step, "X", "A") for step in k]
    np.testing.assert_allclose(got, expected, atol=1e-12, rtol=0)


def friedkin_johnsen_scenario() -> Any:
    """Powers A, B and states X, Y, Z tied only by ties (no region, bloc or baseline weight).

    Undirected ties A-X 5, B-Z 3, X-Y 1, Y-Z 2, X-Z 1 and a directed tie Y -> B 1
    (Y listens to B). Priors (strength 10): X: A 0.9, B 0.2; Y: A 0.5, B 0.6;
    Z: A 0.1, B 0.8; A in B 0.7; B in A 0.4. Susceptibility 0.4, memory 1,
    no events, 200 monthly steps.
    """
    return hand_scenario(
        calendar={"start": "2000-01", "end": "2016-08"},
        powers={
            "A": {"capability": 1.0, "region": "r", "trust": {"B": 0.7}},
            "B": {"capability": 1.0, "region": "r", "trust": {"A": 0.4}},
        },
        states={
            "X": {"region": "r", "trust": {"A": 0.9, "B": 0.2}},
            "Y": {"region": "r", "trust": {"B": 0.6}},
            "Z": {"region": "r", "trust": {"A": 0.1, "B": 0.8}},
        },
        network={
            "ties": [
                ["A", "X", 5.0],
                ["B", "Z", 3.0],
                ["X", "Y", 1.0],
                ["Y", "Z", 2.0],
                ["X", "Z", 1.0],
                {"from": "Y", "to": "B", "weight": 1.0, "directed": True},
            ]
        },
        parameters={"diffusion": {"susceptibility": 0.4}},
    )


# W_p by hand, over the actors other than p, rows renormalised after removing p.
# Column A, actors (B, X, Y, Z): B hears Z (3); X hears Y, Z (1, 1); Y hears B, X, Z
# (1, 1, 2); Z hears B, X, Y (3, 1, 2).
W_A = np.array(
    [
        [0, 0, 0, 1],
        [0, 0, 1 / 2, 1 / 2],
        [1 / 4, 1 / 4, 0, 2 / 4],
        [3 / 6, 1 / 6, 2 / 6, 0],
    ]
)
OWN_A = np.array([0.4, 0.9, 0.5, 0.1])
# Column B, actors (A, X, Y, Z): A hears X (5); X hears A, Y, Z (5, 1, 1); Y hears X, Z
# (1, 2); Z hears X, Y (1, 2).
W_B = np.array(
    [
        [0, 1, 0, 0],
        [5 / 7, 0, 1 / 7, 1 / 7],
        [0, 1 / 3, 0, 2 / 3],
        [0, 1 / 3, 2 / 3, 0],
    ]
)
OWN_B = np.array([0.7, 0.2, 0.6, 0.8])


def test_friedkin_johnsen_equilibrium(implementation: str) -> None:
    """After 200 steps trust is (I - mu W_p)^-1 (1 - mu) own (error below 0.4^200).

    Step 1 is (1 - mu) own + mu W_p own, since held trust starts at own.
    """
    mu = 0.4
    t = trajectory(implementation, friedkin_johnsen_scenario())
    for power, w, own, others in (("A", W_A, OWN_A, "BXYZ"), ("B", W_B, OWN_B, "AXYZ")):
        equilibrium = np.linalg.solve(np.eye(4) - mu * w, (1 - mu) * own)
        first = (1 - mu) * own + mu * w @ own
        assert [t.cell("trust", 0, o, power) for o in others] == pytest.approx(own, abs=1e-12)
        assert [t.cell("trust", 1, o, power) for o in others] == pytest.approx(first, abs=1e-12)
        assert [t.cell("trust", 200, o, power) for o in others] == pytest.approx(
            equilibrium, abs=1e-12
        )
        assert [t.cell("own", 200, o, power) for o in others] == pytest.approx(own, abs=1e-12)


def test_a_small_tie_beside_large_shared_weights(implementation: str) -> None:
    """X shares its region (weight 1e6) and bloc (0.3) only with its patron A, and
    listens to Y by a tie of 1e-6; susceptibility 0.5, no events.

    In A's column X's only neighbour is Y, so trust at step 1 is 0.5*0.67 + 0.5*0.76,
    whatever the weights. The operator weighted the group sums before taking X's own
    terms off, which left a residue of about 1e-16 * 1e6 against the tie's 1e-6: X's
    trust was 5.8e-5 off.
    """
    t = trajectory(
        implementation,
        hand_scenario(
            calendar=ONE_MONTH,
            powers={"A": {"capability": 1.0, "region": "r", "blocs": ["b"]}},
            states={
                "X": {"region": "r", "blocs": ["b"], "trust": {"A": 0.6719028034776905}},
                "Y": {"region": "s", "trust": {"A": 0.76048659866525}},
            },
            network={"same_region": 1e6, "same_bloc": 0.3, "ties": [["X", "Y", 1e-6]]},
            parameters={"diffusion": {"susceptibility": 0.5}},
        ),
    )
    expected = 0.5 * 0.6719028034776905 + 0.5 * 0.76048659866525
    assert t.cell("trust", 1, "X", "A") == pytest.approx(expected, abs=1e-15)


def test_salience_by_region_bloc_and_alignment(implementation: str) -> None:
    """One withdrawal by A from X (magnitude 1, bias 1): own = 5 / (10 + salience).

    Salience target 0.2, same region 0.6, same bloc 0.3, aligned with actor 0.45,
    global 0.05. X is the target (0.2, even though aligned with A); R shares X's
    region (0.6); U shares one bloc (0.3), UU two (still 0.3: a bloc test, not a
    count); L is aligned with A (0.45); RL region and aligned (0.6); UL bloc and
    aligned (0.45); G nothing (0.05); power B shares X's region (0.6).
    """
    t = trajectory(
        implementation,
        hand_scenario(
            powers={
                "A": {"capability": 1.0, "region": "ra"},
                "B": {"capability": 1.0, "region": "rx"},
            },
            states={
                "X": {"region": "rx", "blocs": ["u", "v"], "aligned": "A"},
                "R": {"region": "rx"},
                "U": {"region": "r1", "blocs": ["u"]},
                "UU": {"region": "r2", "blocs": ["u", "v"]},
                "L": {"region": "r3", "aligned": "A"},
                "RL": {"region": "rx", "aligned": "A"},
                "UL": {"region": "r4", "blocs": ["v"], "aligned": "A"},
                "G": {"region": "r5", "aligned": "B"},
            },
            parameters={
                "salience": {
                    "target": 0.2,
                    "same_region": 0.6,
                    "same_bloc": 0.3,
                    "aligned_with_actor": 0.45,
                    "global": 0.05,
                }
            },
            events=[ev("withdraw", 1, actor="A", target="X")],
        ),
    )
    salience = {
        "X": 0.2, "R": 0.6, "U": 0.3, "UU": 0.3, "L": 0.45,
        "RL": 0.6, "UL": 0.45, "G": 0.05, "B": 0.6,
    }  # fmt: skip
    got = {o: t.cell("own", 1, o, "A") for o in salience}
    assert got == pytest.approx({o: 5 / (10 + s) for o, s in salience.items()}, abs=1e-12)


def alignment_scenario(aligned: str, nonaligned: float, temperature: float = 0.0) -> Any:
    return hand_scenario(
        calendar=ONE_MONTH,
        powers={
            "A": {"capability": 0.2, "region": "ra", "ideology": 0.5},
            "B": {"capability": 0.6, "region": "rb", "ideology": -1.0},
        },
        states={"X": {"region": "rx", "ideology": 0.0, "aligned": aligned, "trust": {"A": 0.6}}},
        parameters={
            "alignment": {
                "period": 1,
                "temperature": temperature,
                "nonaligned_utility": nonaligned,
                "weights": {"trust": 3.0, "capability": 1.0, "ideology": 1.0, "inertia": 0.5},
            }
        },
    )


@pytest.mark.parametrize(
    ("aligned", "nonaligned", "expected"),
    [
        # U_A = 3*0.6 + 0.2 - 0.25 = 1.75, U_B = 3*0.5 + 0.6 - 0.5 = 1.6,
        # U_none = 2.0 + 0.5 (inertia) = 2.5: stays non-aligned.
        ("none", 2.0, "none"),
        # U_none = 1.0 + 0.5 = 1.5 < 1.75: A.
        ("none", 1.0, "A"),
        # aligned with B: U_B = 1.6 + 0.5 = 2.1 > 1.75 > U_none = 1.0: stays with B.
        ("B", 1.0, "B"),
    ],
)
def test_alignment_argmax(
    implementation: str, aligned: str, nonaligned: float, expected: str
) -> None:
    """Temperature 0: argmax of U (distances 0.5/2 = 0.25 to A, 1/2 = 0.5 to B)."""
    t = trajectory(implementation, alignment_scenario(aligned, nonaligned))
    assert t.alignment(0, "X") == aligned
    assert t.alignment(1, "X") == expected


def test_alignment_tie_goes_to_the_earlier_power(implementation: str) -> None:
    """A and B identical (capability 0.5, ideology 0, trust 0.5): U_A = U_B; A wins."""
    t = one_step(
        implementation,
        powers={
            "A": {"capability": 0.5, "region": "r"},
            "B": {"capability": 0.5, "region": "r"},
        },
        states={"X": {"region": "rx", "aligned": "B"}},
        parameters={
            "alignment": {
                "period": 1,
                "temperature": 0.0,
                "nonaligned_utility": -1.0,
                "weights": {"inertia": 0.0},
            }
        },
    )
    assert t.alignment(1, "X") == "A"


def test_alignment_draw_follows_softmax() -> None:
    """Temperature 1, 600 identical states (U_A 1.75, U_B 1.6, U_none 0.5 + 0.5 = 1.0):
    the shares match softmax(U) = (0.4286, 0.3689, 0.2025) within 4 standard errors."""
    base = alignment_scenario("none", 0.5, temperature=1.0)
    state = base.states["X"].model_dump(by_alias=True)
    tree = base.model_dump(by_alias=True, exclude_none=True)
    tree["states"] = {f"X{i}": state for i in range(600)}

    model = new_model("fast", validated(tree), seed=3)
    model.step()
    utility = np.array([1.75, 1.6, 1.0])
    probability = np.exp(utility) / np.exp(utility).sum()
    aligned = np.asarray(model.aligned)
    shares = np.array([np.mean(aligned == 0), np.mean(aligned == 1), np.mean(aligned == -1)])
    error = np.sqrt(probability * (1 - probability) / 600)
    assert np.all(np.abs(shares - probability) < 4 * error)


@pytest.mark.parametrize("baseline", [1e-3, 1e-9])
def test_influence_when_the_power_dominates_a_row(implementation: str, baseline: float) -> None:
    """S0 puts weight 1 on P0 and ``baseline`` on each of P1, S1, S2, S3 (six actors,
    nothing else shared). For P0's column, P0 is removed: S0 listens to the other
    four equally, whatever the baseline. Susceptibility 1: S0's trust in P0 after
    step 1 is the mean of their priors (0.5, 0, 0.5, 0.5) = 0.375 exactly.
    """
    t = one_step(
        implementation,
        powers={
            "P0": {"capability": 0.0, "region": "a"},
            "P1": {"capability": 0.0, "region": "b"},
        },
        states={
            "S0": {"region": "c"},
            "S1": {"region": "d", "trust": {"P0": 0.0}},
            "S2": {"region": "e"},
            "S3": {"region": "f"},
        },
        network={"baseline": baseline, "ties": [["S0", "P0", 1.0]]},
        parameters={"diffusion": {"susceptibility": 1.0}},
    )
    assert t.cell("trust", 1, "S0", "P0") == pytest.approx(0.375, abs=1e-12)
