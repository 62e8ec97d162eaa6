"""Model v2 (model.md section 8): stances, the affinity channel, re-anchoring, a start at rest.

The hand-worked tests run on both the reference (tests/reference.py) and the
fast model. Unless a test says otherwise the scenario is
``strategies.HAND_BASE``: power A, states in regions of their own, prior
mean 0.5 with strength 10 (a0 = b0 = 5, also for affinity), memory 1,
negativity bias 1, susceptibility 0 (trust = own), salience target 1, same
region 0.6, same bloc 0.4, aligned with actor 0.5, global 0.1, no alignment.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    IMPLEMENTATIONS,
    TARGETED_KINDS,
    Trajectory,
    between,
    hand_scenario,
    new_model,
    scenario_dicts,
    trajectory,
    validated,
)

from sim.cli import main
from sim.events import EventEngine
from sim.model import CredibilityModel
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from sim.world import World

Run = Callable[[Scenario], Trajectory]
ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "scenarios"
MINI_TEXT = (DATA / "mini.yaml").read_text()


@pytest.fixture(params=IMPLEMENTATIONS)
def run(request: pytest.FixtureRequest) -> Run:
    return lambda scenario: trajectory(str(request.param), scenario)


def ev(kind: str, step: int, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "step": step, **fields}


def cells(t: Trajectory, array: str, step: int, observers: str) -> list[float]:
    return [t.cell(array, step, o, "A") for o in observers]


def own_region(*names: str) -> dict[str, Any]:
    """States that share nothing: each in a region of its own."""
    return {name: {"region": f"r{name}"} for name in names}


# --------------------------------------------------------------------------- hand-worked


def test_friend_and_enemy_read_an_intervention_in_opposite_ways(run: Run) -> None:
    """A intervenes in X (magnitude 2). F is X's friend (+1, both ways), E its enemy
    (-1, directed E -> X), N neutral. enemy_reliability 0, affinity scale 1,
    salience.stance 0.5.

    X: salience 1, r = 2: own 7/12; affinity: 1*2*1*1*stance[X, X]=1, so 7/12.
    F: salience max(0.1, 0.5*1) = 0.5; r = 1: own 6/11; affinity +1: 6/11.
    E: salience 0.5, enemy factor 1 - 1*1 = 0: own 5/10; affinity
       2*0.5*(-1) = -1, s_aff = 1: 5/11.
    N: salience 0.1, r = 0.2: own 5.2/10.2; stance 0: affinity 0.5.
    """
    t = run(
        hand_scenario(
            states=own_region("X", "F", "E", "N"),
            relations=[["F", "X", 1.0], {"from": "E", "to": "X", "value": -1.0, "directed": True}],
            parameters={
                "stance": {"enemy_reliability": 0.0},
                "affinity": {"scale": 1.0},
                "salience": {"stance": 0.5},
            },
            events=[ev("intervene", 1, actor="A", target="X", magnitude=2.0)],
        )
    )
    assert cells(t, "own", 1, "XFEN") == pytest.approx([7 / 12, 6 / 11, 0.5, 5.2 / 10.2])
    assert cells(t, "affinity", 1, "XFEN") == pytest.approx([7 / 12, 6 / 11, 5 / 11, 0.5])
    assert cells(t, "affinity", 0, "XFEN") == pytest.approx([0.5] * 4)


def test_withdrawal_hurts_friends_affinity_and_pleases_enemies(run: Run) -> None:
    """A withdraws from X (magnitude 1), bias 2, salience.stance 1, enemy_reliability 0.5.

    F (+1 to X): salience 1; reliability -1, s = 2: own 5/12; affinity
       1*1*1*1*(-1)(+1) = -1, s_aff = 2: 5/12.
    E (-1 to X): salience 1; reliability -1*(1 - 0.5*1) = -0.5, s = 1: own 5/11;
       affinity (-1)(-1) = +1, r_aff = 1: 6/11.
    """
    t = run(
        hand_scenario(
            states=own_region("X", "F", "E"),
            relations=[["F", "X", 1.0], ["E", "X", -1.0]],
            parameters={
                "trust": {"negativity_bias": 2.0},
                "stance": {"enemy_reliability": 0.5},
                "affinity": {"scale": 1.0},
                "salience": {"stance": 1.0},
            },
            events=[ev("withdraw", 1, actor="A", target="X", magnitude=1.0)],
        )
    )
    assert cells(t, "own", 1, "FE") == pytest.approx([5 / 12, 5 / 11])
    assert cells(t, "affinity", 1, "FE") == pytest.approx([5 / 12, 6 / 11])


def test_side_with_adversary_affinity_reads_both_parties(run: Run) -> None:
    """A sides with Y against X (magnitude 1, weight -1, affinity 1), salience.stance 1.

    F, X's friend: parties -stance[F, X] + stance[F, Y] = -1; salience the larger of
       the two sides, max(0.1, 1*1) = 1: affinity -1, s_aff = 1: 5/11.
    G, Y's friend: parties -0 + 1 = +1, salience 1: affinity 6/11.
    Reliability for F: target side -1*1 = -1, rival side +1*0.1 = 0.1: -1, own 5/11.
    For G: target side -0.1, rival side +1: +1, own 6/11.
    """
    t = run(
        hand_scenario(
            states=own_region("X", "Y", "F", "G"),
            relations=[["F", "X", 1.0], ["G", "Y", 1.0]],
            parameters={"affinity": {"scale": 1.0}, "salience": {"stance": 1.0}},
            events=[
                ev("side_with_adversary", 1, actor="A", target="X", magnitude=1.0, **{"with": "Y"})
            ],
        )
    )
    assert cells(t, "affinity", 1, "FG") == pytest.approx([5 / 11, 6 / 11])
    assert cells(t, "own", 1, "FG") == pytest.approx([5 / 11, 6 / 11])


def test_rapprochement_affinity_without_the_closeness_factor(run: Run) -> None:
    """A makes up with B (magnitude 1, affinity weight 0.5); F is B's friend (+1).

    Every ideology is 0, so the v1 closeness factor is 0 and no reliability
    evidence arrives: own stays 0.5. Affinity (no target, salience global 0.1):
    1*1*0.5*0.1*(+1) = 0.05: 5.05/10.05. B, the party itself (stance[B, B] = 1,
    salience 0.1), gets the same: 5.05/10.05.
    """
    t = run(
        hand_scenario(
            powers={
                "A": {"capability": 1.0, "region": "ra"},
                "B": {"capability": 1.0, "region": "rb"},
            },
            states=own_region("F"),
            relations=[["F", "B", 1.0]],
            parameters={"affinity": {"scale": 1.0}},
            events=[ev("rapprochement", 1, actor="A", magnitude=1.0, **{"with": "B"})],
        )
    )
    assert cells(t, "own", 1, "F") == pytest.approx([0.5])
    assert cells(t, "affinity", 1, "FB") == pytest.approx([5.05 / 10.05, 5.05 / 10.05])


def test_stances_from_ideology(run: Run) -> None:
    """from_ideology 2; X at -0.2, F at 0 (distance 0.1, closeness 0.9: stance 2*0.8 -> 1),
    E at 1 (distance 0.6, closeness 0.4: stance 2*(-0.2) = -0.4). A intervenes in X
    (magnitude 1), salience.stance 1, enemy_reliability 0, affinity scale 1.

    F: salience 1, reliability +1: own 6/11, affinity +1: 6/11.
    E: salience max(0.1, 0.4) = 0.4, enemy factor 1 - 0.4 = 0.6: r = 0.24, own
       5.24/10.24; affinity 0.4*(-0.4) = -0.16: 5/10.16.
    """
    t = run(
        hand_scenario(
            states={
                "X": {"region": "rx", "ideology": -0.2},
                "F": {"region": "rf", "ideology": 0.0},
                "E": {"region": "re", "ideology": 1.0},
            },
            parameters={
                "stance": {"from_ideology": 2.0, "enemy_reliability": 0.0},
                "affinity": {"scale": 1.0},
                "salience": {"stance": 1.0},
            },
            events=[ev("intervene", 1, actor="A", target="X", magnitude=1.0)],
        )
    )
    assert cells(t, "own", 1, "FE") == pytest.approx([6 / 11, 5.24 / 10.24])
    assert cells(t, "affinity", 1, "FE") == pytest.approx([6 / 11, 5 / 10.16])


def test_relation_events_and_regime_change_reset(run: Run) -> None:
    """Explicit support events by A for X; F starts neutral (salience 0.1, affinity scale 1).

    Support affinity: 1 * magnitude * 0.1 * 0.1 * stance[F, X].
    step 1: stance 0, magnitude 10: nothing, 0.5.
    step 2: relation F -> X -1 (directed) first, then support 10: -0.1: 5/10.1.
    step 3: regime change of X with relations {F: +1} and affinity {A: 0.8}, then
            support 20: +0.2: F's affinity 5.2/10.3. X's affinity restarts at
            8/10 and gets 1*20*0.1*1*1 = 2: 10/12.
    step 4: regime change of X without relations (F back to the rule, 0), support
            10: nothing for F, 5.2/10.3; X restarts at the default 0.5 and gets 1: 6/11.
    """
    support = {"actor": "A", "target": "X"}
    t = run(
        hand_scenario(
            states=own_region("X", "F"),
            parameters={"affinity": {"scale": 1.0}},
            events=[
                ev("support", 1, magnitude=10.0, **support),
                ev("relation", 2, actor="F", target="X", value=-1.0, directed=True),
                ev("support", 2, magnitude=10.0, **support),
                ev(
                    "regime_change",
                    3,
                    target="X",
                    relations={"F": 1.0},
                    affinity={"A": 0.8},
                ),
                ev("support", 3, magnitude=20.0, **support),
                ev("regime_change", 4, target="X"),
                ev("support", 4, magnitude=10.0, **support),
            ],
        )
    )
    assert [t.cell("affinity", k, "F", "A") for k in range(5)] == pytest.approx(
        [0.5, 0.5, 5 / 10.1, 5.2 / 10.3, 5.2 / 10.3]
    )
    assert [t.cell("affinity", k, "X", "A") for k in (3, 4)] == pytest.approx([10 / 12, 6 / 11])


def test_relation_is_undirected_unless_directed(run: Run) -> None:
    """A relation event F - X (-1, undirected): X's stance to F is -1 too.

    A intervenes in F at step 2 (magnitude 1, salience.stance 1, scale 1): X sees it
    at salience 1 with stance -1: affinity -1: 5/11, and F itself +1: 6/11.
    """
    t = run(
        hand_scenario(
            states=own_region("X", "F"),
            parameters={"affinity": {"scale": 1.0}, "salience": {"stance": 1.0}},
            events=[
                ev("relation", 1, actor="F", target="X", value=-1.0),
                ev("intervene", 2, actor="A", target="F", magnitude=1.0),
            ],
        )
    )
    assert cells(t, "affinity", 2, "XF") == pytest.approx([5 / 11, 6 / 11])


def test_reanchoring_moves_priors_for_trust_and_affinity(run: Run) -> None:
    """prior_memory 0.5, A withdraws from X at step 1 (magnitude 1, bias 1, memory 1),
    affinity scale 1 (X's own stance to itself is 1, direction -1: the same evidence).

    step 1: s = 1, own = 5/11. Priors move half way to it, keeping k = 10:
            a0 = 2.5 + 5*5/11 = 52.5/11, b0 = 2.5 + 5*6/11 = 57.5/11.
    step 2: own = (52.5/11)/(10 + 1) = 52.5/121. The same for affinity.
    In v1 (prior_memory 1) own would stay at 5/11.
    """
    t = run(
        hand_scenario(
            parameters={"trust": {"prior_memory": 0.5}, "affinity": {"scale": 1.0}},
            events=[ev("withdraw", 1, actor="A", target="X", magnitude=1.0)],
        )
    )
    assert [t.cell("own", k, "X", "A") for k in (1, 2)] == pytest.approx([5 / 11, 52.5 / 121])
    assert [t.cell("affinity", k, "X", "A") for k in (1, 2)] == pytest.approx([5 / 11, 52.5 / 121])


def test_start_at_rest(run: Run) -> None:
    """X and Y share a region (weight 1) and listen only to each other; susceptibility 0.5;
    X trusts A 0.9, Y 0.1.

    At rest: x = 0.45 + 0.5y, y = 0.05 + 0.5x, so x = 0.475/0.75 = 19/30 and
    y = 0.05 + 19/60 = 11/30. Nothing happens, so trust stays there. From the
    priors (v1) trust starts at 0.9 and moves to 0.5*0.9 + 0.5*0.1 = 0.5 at step 1.
    """
    base = {
        "states": {
            "X": {"region": "r", "trust": {"A": 0.9}},
            "Y": {"region": "r", "trust": {"A": 0.1}},
        },
        "parameters": {"diffusion": {"susceptibility": 0.5}},
    }
    rest = run(hand_scenario(**base, network={"same_region": 1.0, "initial": "equilibrium"}))
    for k in (0, 1, 6):
        assert [rest.cell("trust", k, o, "A") for o in "XY"] == pytest.approx([19 / 30, 11 / 30])
        assert [rest.cell("own", k, o, "A") for o in "XY"] == pytest.approx([0.9, 0.1])
    prior = run(hand_scenario(**base, network={"same_region": 1.0}))
    assert [prior.cell("trust", k, "X", "A") for k in (0, 1)] == pytest.approx([0.9, 0.5])


def test_start_at_rest_near_susceptibility_one(run: Run) -> None:
    """test_start_at_rest's pair at susceptibility 0.99999: x = (1 - mu)0.9 + mu y and
    y = (1 - mu)0.1 + mu x give x = (0.9 + 0.1 mu)/(1 + mu), y = (0.1 + 0.9 mu)/(1 + mu).

    The pair listens only to each other, so the fixed-point iteration's error flips
    sign each sweep and shrinks only like mu**n: after its 100,000 sweeps X's trust was
    0.647 at step 0 (at rest 0.500), swinging from step to step with nothing happening.
    """
    mu = 0.99999
    rest = run(
        hand_scenario(
            states={
                "X": {"region": "r", "trust": {"A": 0.9}},
                "Y": {"region": "r", "trust": {"A": 0.1}},
            },
            network={"same_region": 1.0, "initial": "equilibrium"},
            parameters={"diffusion": {"susceptibility": mu}},
        )
    )
    at_rest = [(0.9 + 0.1 * mu) / (1 + mu), (0.1 + 0.9 * mu) / (1 + mu)]
    for k in (0, 1, 2):
        assert [rest.cell("trust", k, o, "A") for o in "XY"] == pytest.approx(at_rest, abs=1e-12)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_propensity_adds_affinity_and_leaves_out_inertia(implementation: str) -> None:
    """X (aligned with A, ideology 0 like A) trusts A 0.5, affinity 0.8 (its entry);
    weights trust 3, capability 1, ideology 1, inertia 0.5, affinity 2; capability 1.

    propensity = 3*0.5 + 1*1 - 1*0 + 2*0.8 = 4.1 (no inertia, no draw).
    """
    scenario = hand_scenario(
        states={"X": {"region": "rx", "aligned": "A", "affinity": {"A": 0.8}}},
        parameters={"alignment": {"weights": {"affinity": 2.0}}},
    )
    model = new_model(implementation, scenario)
    assert np.asarray(model.propensity()) == pytest.approx(np.array([[4.1]]))


# --------------------------------------------------------------------------- properties

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def run_fast(tree: dict[str, Any]) -> Trajectory:
    return trajectory("fast", validated(tree))


@PROPERTY
@given(tree=scenario_dicts(v2=True))
def test_affinity_stays_in_unit_interval(tree: dict[str, Any]) -> None:
    t = run_fast(tree)
    for values in t.affinity:
        assert np.all(values[t.valid] >= 0.0) and np.all(values[t.valid] <= 1.0)


@PROPERTY
@given(tree=scenario_dicts(v2=True))
def test_without_affinity_scale_affinity_stays_at_its_priors(tree: dict[str, Any]) -> None:
    """Scale 0, no regime change: affinity is its prior mean at every step, for every
    observer: its own entry, else defaults.affinity, else 0.5 (re-anchoring to itself)."""
    tree["parameters"]["affinity"]["scale"] = 0.0
    tree["events"] = [e for e in tree["events"] if e["kind"] != "regime_change"]
    t = run_fast(tree)
    actors = {**tree["powers"], **tree["states"]}
    for o, name in enumerate(t.actor_names):
        for p, power in enumerate(t.power_names):
            if o == p:
                continue
            entry = actors[name]["affinity"].get(power, tree["defaults"]["affinity"].get(power))
            mean = 0.5 if entry is None else entry if isinstance(entry, float) else entry["mean"]
            for values in t.affinity:
                assert values[o, p] == pytest.approx(mean, abs=1e-12)


@PROPERTY
@given(
    tree=scenario_dicts(v2=True),
    kind=st.sampled_from(TARGETED_KINDS),
    enemy=between(-1.0, 0.0),
    data=st.data(),
)
def test_an_enemys_reliability_evidence_never_exceeds_a_neutrals(
    tree: dict[str, Any], kind: str, enemy: float, data: st.DataObject
) -> None:
    """With salience not raised by stances (salience.stance 0), an observer who is an
    enemy of the target gets reliability evidence no larger in size than as a neutral."""
    tree["parameters"]["salience"]["stance"] = 0.0
    scenario = validated(tree)
    names = scenario.actor_names
    actor = data.draw(st.sampled_from(scenario.power_names))
    target = data.draw(st.sampled_from([n for n in names if n != actor]))
    a, c = names.index(actor), names.index(target)
    sizes = []
    for value in (0.0, enemy):
        world = World.from_scenario(scenario)
        for o in range(len(names)):
            if o != c:
                world.stances.set(o, c, value)
        found = EventEngine(scenario, world).targeted(kind, a, c, 1.5)
        sizes.append(np.abs(found.reliability))
    assert np.all(sizes[1] <= sizes[0] + 1e-15)


@PROPERTY
@given(tree=scenario_dicts(v2=True))
def test_prior_memory_one_never_moves_the_priors(tree: dict[str, Any]) -> None:
    tree["parameters"]["trust"]["prior_memory"] = 1.0
    tree["events"] = [e for e in tree["events"] if e["kind"] != "regime_change"]
    model = CredibilityModel(validated(tree), rng=0)
    before = [x.copy() for x in (model.world.a0, model.world.b0, model.world.a0_aff)]
    model.run()
    after = (model.world.a0, model.world.b0, model.world.a0_aff)
    for x, y in zip(before, after, strict=True):
        np.testing.assert_array_equal(x, y)


def test_v2_fields_at_their_defaults_change_nothing() -> None:
    """Writing every v2 field at its default gives the v1 run, bit for bit."""
    path = ROOT / "tests" / "data" / "v1" / "tour.yaml"
    defaults = {
        "parameters.stance.from_ideology": 0,
        "parameters.stance.enemy_reliability": 1,
        "parameters.affinity.scale": 0,
        "parameters.salience.stance": 0,
        "parameters.trust.prior_memory": 1,
        "parameters.alignment.weights.affinity": 0,
        "parameters.event_kinds.withdraw.affinity": 3,
        "network.initial": "prior",
    }
    plain = CredibilityModel(load_scenario(path), rng=3).run()
    written = CredibilityModel(load_scenario(path, defaults), rng=3).run()
    pd.testing.assert_frame_equal(plain.series(), written.series(), check_exact=True)


# --------------------------------------------------------------------------- bad input


def _error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err.strip().removeprefix("credsim: error: ")


REGIME = '  - {{date: "2016-01", kind: regime_change, target: Syria, {}}}\nwindows:'
RELATION = '  - {{date: "2016-01", kind: relation, actor: Syria, {}}}\nwindows:'
PARAM = "parameters:\n  {}\nwindows:"

# (old text of mini.yaml, new text, line, field path, part of the message)
BAD = [
    (
        "windows:",
        "relations: [[Syria, Irak, -0.5]]\nwindows:",
        11,
        "relations[0][1]",
        "unknown actor 'Irak'",
    ),
    (
        "windows:",
        "relations:\n  - {from: Syria, to: Jordn, value: -1}\nwindows:",
        12,
        "relations[0].to",
        "(did you mean 'Jordan'?)",
    ),
    (
        "windows:",
        "relations: [[Syria, Jordan, 1.5]]\nwindows:",
        11,
        "relations[0][2]",
        "must be <= 1, got 1.5",
    ),
    (
        "windows:",
        "relations:\n  - {from: Syria, to: Jordan, value: -2, source: x}\nwindows:",
        12,
        "relations[0].value",
        "must be >= -1, got -2",
    ),
    (
        "windows:",
        "relations: [[Syria, Syria, 0.5]]\nwindows:",
        11,
        "relations[0]",
        "to itself is not allowed",
    ),
    (
        "windows:",
        PARAM.format("stance: {enemy_reliability: 1.5}"),
        12,
        "parameters.stance.enemy_reliability",
        "must be <= 1, got 1.5",
    ),
    (
        "windows:",
        PARAM.format("stance: {enemy_reliability: -0.1}"),
        12,
        "parameters.stance.enemy_reliability",
        "must be >= 0, got -0.1",
    ),
    (
        "windows:",
        PARAM.format("stance: {from_ideology: -1}"),
        12,
        "parameters.stance.from_ideology",
        "must be >= 0, got -1",
    ),
    (
        "windows:",
        PARAM.format("affinity: {scale: -0.5}"),
        12,
        "parameters.affinity.scale",
        "must be >= 0, got -0.5",
    ),
    (
        "windows:",
        PARAM.format("trust: {prior_memory: 0}"),
        12,
        "parameters.trust.prior_memory",
        "must be > 0, got 0",
    ),
    (
        "windows:",
        PARAM.format("trust: {prior_memory: 1.2}"),
        12,
        "parameters.trust.prior_memory",
        "must be <= 1, got 1.2",
    ),
    (
        "windows:",
        PARAM.format("salience: {stance: 2}"),
        12,
        "parameters.salience.stance",
        "must be <= 1, got 2",
    ),
    (
        "windows:",
        PARAM.format("alignment: {weights: {affinity: -1}}"),
        12,
        "parameters.alignment.weights.affinity",
        "must be >= 0, got -1",
    ),
    (
        "windows:",
        PARAM.format("event_kinds: {withdraw: {affinity: abc}}"),
        12,
        "parameters.event_kinds.withdraw.affinity",
        "expected a number, got 'abc'",
    ),
    (
        "windows:",
        "network: {initial: rest}\nwindows:",
        11,
        "network.initial",
        "must be one of 'prior' or 'equilibrium', got 'rest'",
    ),
    (
        "windows:",
        "network: {initial: equilibrium}\nparameters: {diffusion: {susceptibility: 1}}\nwindows:",
        12,
        "parameters.diffusion.susceptibility",
        "needs susceptibility below 1",
    ),
    (
        "aligned: USA}",
        "aligned: USA, affinity: {Rusia: 0.3}}",
        8,
        "states.Jordan.affinity.Rusia",
        "unknown power 'Rusia'",
    ),
    (
        "aligned: USA}",
        "aligned: USA, affinity: {Russia: 1.3}}",
        8,
        "states.Jordan.affinity.Russia",
        "must be <= 1, got 1.3",
    ),
    (
        "region: americas}",
        "region: americas, affinity: {USA: 0.5}}",
        5,
        "powers.USA.affinity.USA",
        "a power holds no affinity in itself",
    ),
    (
        "windows:",
        "defaults: {affinity: {Chna: 0.3}}\nwindows:",
        11,
        "defaults.affinity.Chna",
        "unknown power 'Chna'",
    ),
    (
        "windows:",
        REGIME.format("relations: {Jordn: -1}"),
        11,
        "events[1].relations.Jordn",
        "unknown actor 'Jordn'",
    ),
    (
        "windows:",
        REGIME.format("relations: {Jordan: -3}"),
        11,
        "events[1].relations.Jordan",
        "must be >= -1, got -3",
    ),
    (
        "windows:",
        REGIME.format("relations: {Syria: 1}"),
        11,
        "events[1].relations.Syria",
        "to itself is not allowed",
    ),
    (
        "windows:",
        REGIME.format("affinity: {Jordan: 0.3}"),
        11,
        "events[1].affinity.Jordan",
        "'Jordan' is a state; each affinity entry must be a power",
    ),
    (
        "windows:",
        REGIME.format("affinity: {USA: -0.3}"),
        11,
        "events[1].affinity.USA",
        "must be >= 0, got -0.3",
    ),
    (
        "windows:",
        RELATION.format("target: Jordn, value: -1"),
        11,
        "events[1].target",
        "unknown actor 'Jordn'",
    ),
    (
        "windows:",
        RELATION.format("target: Jordan, value: 4"),
        11,
        "events[1].value",
        "must be <= 1, got 4",
    ),
    (
        "windows:",
        RELATION.format("target: Jordan"),
        11,
        "events[1].value",
        "required field is missing",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "part"), BAD, ids=lambda x: str(x)[:30])
def test_bad_v2_input(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    line: int,
    field: str,
    part: str,
) -> None:
    assert MINI_TEXT.count(old) == 1
    path = tmp_path / "bad.yaml"
    path.write_text(MINI_TEXT.replace(old, new))
    message = _error(capsys, path)
    assert message.startswith(f"{path}:{line}: {field}: "), message
    assert part in message


@pytest.mark.parametrize(
    ("setting", "part"),
    [
        ("parameters.stance.enemy_reliability=2", "must be <= 1, got 2"),
        ("parameters.trust.prior_memory=0", "must be > 0, got 0"),
        ("parameters.event_kinds.withdraw.affinity=x", "expected a number"),
        ("network.initial=later", "must be one of 'prior' or 'equilibrium'"),
    ],
)
def test_bad_v2_override(capsys: pytest.CaptureFixture[str], setting: str, part: str) -> None:
    message = _error(capsys, DATA / "mini.yaml", "--set", setting)
    assert message.startswith(f"override {setting}: "), message
    assert part in message


def test_validate_shows_the_v2_settings(capsys: pytest.CaptureFixture[str]) -> None:
    settings_ = [
        "parameters.affinity.scale=1.5",
        "parameters.stance.enemy_reliability=0.25",
        "parameters.trust.prior_memory=0.9",
        "parameters.event_kinds.withdraw.affinity=0.5",
        "network.initial=equilibrium",
    ]
    argv = ["validate", str(DATA / "mini.yaml")]
    for setting in settings_:
        argv += ["--set", setting]
    assert main(argv) == 0
    line = capsys.readouterr().out.splitlines()[1]
    for part in (
        "enemy_reliability 0.25",
        "affinity scale 1.5",
        "prior_memory 0.9",
        "network.initial equilibrium",
    ):
        assert part in line


def test_overrides_reach_every_v2_field() -> None:
    scenario = load_scenario(
        DATA / "mini.yaml",
        {
            "parameters.event_kinds.withdraw.affinity": 0.5,
            "parameters.stance.from_ideology": 1.5,
            "parameters.salience.stance": 0.3,
            "parameters.alignment.weights.affinity": 2,
            "states.Syria.affinity.Russia": 0.9,
            "defaults.affinity.USA": 0.2,
        },
    )
    p = scenario.parameters
    assert p.event_kinds.affinity("withdraw") == 0.5
    assert p.event_kinds.affinity("intervene") == 1.0
    assert (p.stance.from_ideology, p.salience.stance, p.alignment.weights.affinity) == (
        1.5,
        0.3,
        2.0,
    )
    assert scenario.states["Syria"].affinity == {"Russia": 0.9}
    assert scenario.defaults.affinity == {"USA": 0.2}
    assert copy.deepcopy(scenario) == scenario


# --------------------------------------------------------------------------- figure


def test_trust_figure_draws_affinity_beside_trust_where_it_is_on() -> None:
    """With affinity on, each group gets a trust panel and an affinity panel beside it."""
    from sim.plots.trajectories import trajectories_figure

    scenario = hand_scenario(
        states=own_region("X", "F"),
        relations=[["F", "X", 1.0]],
        parameters={"affinity": {"scale": 1.0}},
        events=[ev("intervene", 1, actor="A", target="X", magnitude=1.0)],
    )
    series = CredibilityModel(scenario, rng=0).run().series()
    plain = trajectories_figure(series)
    both = trajectories_figure(series, metrics=["trust_mean", "affinity_mean"])
    titles = [ax.get_title(loc="left").lower() for ax in both.axes[1:]]
    assert len(plain.axes) == 2
    assert len(titles) == 2
    assert "trust" in titles[0] and "affinity" in titles[1]
