"""Hypothesis strategies: small random valid scenarios as validated ``Scenario`` objects.

A scenario has 2-4 powers, 1-8 states, a few regions and blocs, random ties
in every written form, 1-2 ideology axes, parameters anywhere in their bounds
(temperature 0 or positive, alignment period 0-3), a monthly calendar of 3-12
steps and events of every kind of the registry (:mod:`sim.scenario.kinds`),
dated by month or by step, with valid references. With ``v2=True`` it also
draws model v2's fields (model.md section 8): relations in both written
forms, affinity entries, regime changes with relations and affinity, and
every v2 parameter anywhere in its bounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from sim.scenario.calendar import format_month, parse_month
from sim.scenario.kinds import DEFAULT_WEIGHTS, EVENT_KINDS, KINDS
from sim.scenario.schema import Scenario, check_references

START = "2000-01"
EVIDENCE_KINDS_WITH_WEIGHT = tuple(DEFAULT_WEIGHTS)
TARGETED_KINDS = tuple(k for k, spec in KINDS.items() if spec.handler == "targeted")


def network_weight(high: float) -> st.SearchStrategy[float]:
    """0, or a weight no smaller than 1e-3.

    Rows whose weights sum below about 1e-12 are a floating-point edge case
    tested on its own (test_reference_agreement); kept out of random draws so
    that it does not hide other disagreements.
    """
    return st.one_of(st.just(0.0), between(1e-3, high))


def unit() -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0, allow_nan=False)


def between(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def trust_entry(draw: st.DrawFn) -> Any:
    """A mean, or ``{mean, strength}``."""
    mean = draw(unit())
    if draw(st.booleans()):
        return mean
    return {"mean": mean, "strength": draw(between(0.5, 30.0))}


@st.composite
def trust_entries(draw: st.DrawFn, powers: list[str], exclude: str | None = None) -> dict[str, Any]:
    names = [p for p in powers if p != exclude]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return {p: draw(trust_entry()) for p in chosen}


def stance() -> st.SearchStrategy[float]:
    return between(-1.0, 1.0)


@st.composite
def relation(draw: st.DrawFn, actors: list[str]) -> Any:
    """A relation as ``[a, b, value]`` or ``{from, to, value, directed, source}``."""
    a, b = draw(st.permutations(actors))[:2]
    value = draw(stance())
    if draw(st.booleans()):
        return [a, b, value]
    spec: dict[str, Any] = {"from": a, "to": b, "value": value, "source": "drawn"}
    if draw(st.booleans()):
        spec["directed"] = draw(st.booleans())
    return spec


def ideology(dims: int) -> st.SearchStrategy[Any]:
    coordinate = between(-1.0, 1.0)
    if dims == 1:
        return st.one_of(coordinate, st.lists(coordinate, min_size=1, max_size=1))
    return st.lists(coordinate, min_size=dims, max_size=dims)


@st.composite
def when(draw: st.DrawFn, n_steps: int) -> dict[str, Any]:
    """``{date: ..}`` or ``{step: ..}`` somewhere in the calendar."""
    k = draw(st.integers(1, n_steps))
    if draw(st.booleans()):
        return {"step": k}
    return {"date": format_month(parse_month(START) + k - 1)}


def step_of(timing: dict[str, Any]) -> int:
    if "step" in timing:
        return int(timing["step"])
    return parse_month(timing["date"]) - parse_month(START) + 1


@st.composite
def event(
    draw: st.DrawFn,
    kind: str,
    powers: list[str],
    states: list[str],
    dims: int,
    n_steps: int,
    v2: bool = False,
) -> dict[str, Any]:
    """One event of ``kind`` with valid references (v2: regime changes with v2 fields)."""
    actors = [*powers, *states]
    magnitude = draw(between(0.0, 3.0))
    out: dict[str, Any] = {"kind": kind, **draw(when(n_steps))}
    if kind == "relation":
        actor, target = draw(st.permutations(actors))[:2]
        out |= {"actor": actor, "target": target, "value": draw(stance())}
        if draw(st.booleans()):
            out["directed"] = draw(st.booleans())
    elif KINDS[kind].has_target and KINDS[kind].actor == "power":
        actor = draw(st.sampled_from(powers))
        # States are the usual targets; powers may be targets too.
        target = draw(
            st.one_of(st.sampled_from(states), st.sampled_from(actors)).filter(lambda t: t != actor)
        )
        out |= {"actor": actor, "target": target, "magnitude": magnitude}
        if kind == "side_with_adversary" and draw(st.booleans()):
            rivals = [a for a in actors if a not in (actor, target)]
            if rivals:
                out["with"] = draw(st.sampled_from(rivals))
    elif kind == "rapprochement":
        actor, partner = draw(st.permutations(powers))[:2]
        out |= {"actor": actor, "with": partner, "magnitude": magnitude}
    elif kind == "rhetoric":
        out |= {"actor": draw(st.sampled_from(powers)), "magnitude": magnitude}
    elif kind == "propaganda":
        actor, about = draw(st.permutations(powers))[:2]
        out |= {"actor": actor, "about": about, "magnitude": magnitude}
        if draw(st.booleans()):
            last = draw(st.integers(step_of(out), n_steps))
            out["until"] = format_month(parse_month(START) + last - 1)
    elif kind == "regime_change":
        out["target"] = draw(st.sampled_from(states))
        out["trust"] = draw(trust_entries(powers))
        if draw(st.booleans()):
            out["aligned"] = draw(st.sampled_from([*powers, "none"]))
        if draw(st.booleans()):
            out["ideology"] = draw(ideology(dims))
        if v2:
            others = [a for a in actors if a != out["target"]]
            chosen = draw(st.lists(st.sampled_from(others), unique=True, max_size=3))
            out["relations"] = {a: draw(stance()) for a in chosen}
            out["affinity"] = draw(trust_entries(powers))
    elif kind == "capability_change":
        out["actor"] = draw(st.sampled_from(powers))
        if draw(st.booleans()):
            out["delta"] = draw(between(-1.5, 1.5))
        else:
            out["value"] = draw(between(0.0, 2.0))
    return out


@st.composite
def tie(draw: st.DrawFn, actors: list[str]) -> Any:
    """A tie in one of the three written forms of decisions.md item 19."""
    a, b = draw(st.permutations(actors))[:2]
    weight = draw(network_weight(3.0))
    form = draw(st.sampled_from(["triple", "pair", "mapping"]))
    if form == "triple":
        return [a, b, weight]
    if form == "pair":
        return [a, b]
    spec: dict[str, Any] = {"from": a, "to": b, "weight": weight}
    if draw(st.booleans()):
        spec["directed"] = draw(st.booleans())
    return spec


@st.composite
def parameters(draw: st.DrawFn, v2: bool = False) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for kind in draw(st.lists(st.sampled_from(EVIDENCE_KINDS_WITH_WEIGHT), unique=True)):
        kinds[kind] = {"weight": draw(between(-2.0, 2.0))}
        # Kinds without parties take no affinity setting (decision 617).
        if v2 and KINDS[kind].parties and draw(st.booleans()):
            kinds[kind]["affinity"] = draw(between(-2.0, 2.0))
    if draw(st.booleans()):
        kinds.setdefault("recognize", {})["first_mover_decay"] = draw(unit())
    temperature = draw(st.one_of(st.just(0.0), between(0.05, 3.0)))
    out = {
        "trust": {
            "negativity_bias": draw(between(0.0, 5.0)),
            "memory": draw(st.one_of(st.just(1.0), between(0.3, 1.0))),
            "prior_strength": draw(between(0.5, 30.0)),
        },
        "salience": {
            "target": draw(unit()),
            "same_region": draw(unit()),
            "same_bloc": draw(unit()),
            "aligned_with_actor": draw(unit()),
            "global": draw(unit()),
        },
        "diffusion": {"susceptibility": draw(unit())},
        "alignment": {
            "period": draw(st.integers(0, 3)),
            "temperature": temperature,
            "nonaligned_utility": draw(between(-1.0, 4.0)),
            "weights": {
                "trust": draw(between(0.0, 4.0)),
                "capability": draw(between(0.0, 4.0)),
                "ideology": draw(between(0.0, 4.0)),
                "inertia": draw(between(0.0, 2.0)),
            },
        },
        "event_kinds": kinds,
    }
    if v2:
        out["trust"]["prior_memory"] = draw(st.one_of(st.just(1.0), between(0.05, 1.0)))
        out["salience"]["stance"] = draw(unit())
        out["alignment"]["weights"]["affinity"] = draw(between(0.0, 4.0))
        out["stance"] = {
            "from_ideology": draw(st.one_of(st.just(0.0), between(0.0, 3.0))),
            "enemy_reliability": draw(unit()),
        }
        out["affinity"] = {"scale": draw(st.one_of(st.just(0.0), between(0.0, 3.0)))}
    return out


@st.composite
def scenario_dicts(draw: st.DrawFn, max_events: int = 12, v2: bool = False) -> dict[str, Any]:
    """A small valid scenario as the plain data a YAML file would hold (v2: with v2 fields)."""
    n_powers = draw(st.integers(2, 4))
    n_states = draw(st.integers(1, 8))
    powers = [f"P{i}" for i in range(n_powers)]
    states = [f"S{i}" for i in range(n_states)]
    actors = [*powers, *states]
    dims = draw(st.integers(1, 2))
    regions = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    blocs = [f"b{i}" for i in range(draw(st.integers(0, 3)))]
    n_steps = draw(st.integers(3, 12))

    def place() -> dict[str, Any]:
        return {
            "region": draw(st.sampled_from(regions)),
            "blocs": draw(st.lists(st.sampled_from(blocs), unique=True)) if blocs else [],
            "ideology": draw(ideology(dims)),
        }

    def affinity(exclude: str | None = None) -> dict[str, Any]:
        return {"affinity": draw(trust_entries(powers, exclude))} if v2 else {}

    power_specs = {
        p: {
            **place(),
            "capability": draw(between(0.0, 2.0)),
            "trust": draw(trust_entries(powers, p)),
            **affinity(p),
        }
        for p in powers
    }
    state_specs = {
        s: {
            **place(),
            "aligned": draw(st.sampled_from([*powers, "none"])),
            "trust": draw(trust_entries(powers)),
            **affinity(),
        }
        for s in states
    }
    kinds = draw(st.lists(st.sampled_from(EVENT_KINDS), max_size=max_events))
    events = [draw(event(kind, powers, states, dims, n_steps, v2)) for kind in kinds]
    # Repeated recognitions of one target: the second by the same power yields nothing.
    if draw(st.booleans()):
        first = draw(event("recognize", powers, states, dims, n_steps))
        repeat = {k: v for k, v in first.items() if k not in ("date", "step")}
        events += [first, repeat | draw(when(n_steps))]
    events = draw(st.permutations(events))
    axes = ["left_right", "east_west"][:dims]
    tree = {
        "name": "random",
        "calendar": {"start": START, "end": format_month(parse_month(START) + n_steps - 1)},
        "ideology_axes": axes,
        "powers": power_specs,
        "states": state_specs,
        "defaults": {"trust": draw(trust_entries(powers))},
        "network": {
            "same_region": draw(network_weight(2.0)),
            "same_bloc": draw(network_weight(2.0)),
            "baseline": draw(network_weight(1.0)),
            "directed": draw(st.booleans()),
            "ties": draw(st.lists(tie(actors), max_size=6)),
        },
        "parameters": draw(parameters(v2)),
        "events": events,
    }
    if v2:
        tree["relations"] = draw(st.lists(relation(actors), max_size=6))
        tree["defaults"]["affinity"] = draw(trust_entries(powers))
        if draw(st.booleans()):
            # The equilibrium needs susceptibility below 1 (and converges at rate mu).
            tree["network"]["initial"] = "equilibrium"
            tree["parameters"]["diffusion"]["susceptibility"] = draw(between(0.0, 0.95))
    return tree


def validated(tree: dict[str, Any]) -> Scenario:
    """``Scenario.model_validate`` plus ``check_references``, as the loader does."""
    scenario = Scenario.model_validate(tree)
    check_references(scenario)
    return scenario


@st.composite
def scenarios(draw: st.DrawFn, max_events: int = 12, v2: bool = False) -> Scenario:
    """A small random valid :class:`Scenario`."""
    return validated(draw(scenario_dicts(max_events, v2)))


# --------------------------------------------------------------------------- hand-made scenarios

HAND_BASE: dict[str, Any] = {
    "name": "hand",
    "calendar": {"start": START, "end": "2000-06"},
    "powers": {"A": {"capability": 1.0, "region": "ra"}},
    "states": {"X": {"region": "rx"}},
    "network": {"same_region": 0.0, "same_bloc": 0.0, "baseline": 0.0},
    "parameters": {
        "trust": {"negativity_bias": 1.0, "memory": 1.0, "prior_strength": 10.0},
        "salience": {
            "target": 1.0,
            "same_region": 0.6,
            "same_bloc": 0.4,
            "aligned_with_actor": 0.5,
            "global": 0.1,
        },
        "diffusion": {"susceptibility": 0.0},
        "alignment": {"period": 0},
    },
}
"""One power A, one state X, nothing shared, memory 1, bias 1, prior 0.5 x 10, no influence."""


ACTORS = ("powers", "states")


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` merged key by key over ``base``; lists and values are replaced."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def hand_scenario(**changes: Any) -> Scenario:
    """:data:`HAND_BASE` with ``changes`` merged over it, validated.

    ``powers`` and ``states``, where given, replace the base's actors instead of
    adding to them, so that a test's actors are exactly the ones it lists.
    """
    base = {
        key: value for key, value in HAND_BASE.items() if key not in changes or key not in ACTORS
    }
    return validated(merged(base, changes))


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
            {"kind": "expelled", "step": 9, "actor": "B", "target": "S2", "magnitude": 1.0},
            {"kind": "capability_change", "step": 9, "actor": "A", "delta": -0.5},
            {"kind": "capability_change", "step": 10, "actor": "B", "value": 1.5},
            {"kind": "regime_change", "step": 10, "target": "S2"},
            {"kind": "withdraw", "step": 11, "actor": "B", "target": "S2"},
            {"kind": "relation", "step": 4, "actor": "S1", "target": "S2", "value": -0.7},
        ],
    }


# --------------------------------------------------------------------------- running a model


class Trajectory:
    """The recorded arrays of one run at steps 0..T, addressed by actor and power name."""

    def __init__(self, model: Any, steps: int) -> None:
        self.actor_names = list(model.actor_names)
        self.power_names = list(model.power_names)
        self.own: list[Any] = []
        self.trust: list[Any] = []
        self.affinity: list[Any] = []
        self.aligned: list[Any] = []
        self.capability: list[Any] = []
        # A power's trust in itself is unspecified (decisions.md 2): never compared.
        self.valid = np.ones((len(self.actor_names), len(self.power_names)), dtype=bool)
        for p in range(len(self.power_names)):
            self.valid[p, p] = False
        self.record(model)
        for _ in range(steps):
            model.step()
            self.record(model)

    def record(self, model: Any) -> None:
        self.own.append(np.array(model.own, dtype=float))
        self.trust.append(np.array(model.trust, dtype=float))
        self.affinity.append(np.array(model.affinity, dtype=float))
        self.aligned.append(np.array(model.aligned, dtype=int))
        self.capability.append(np.array(model.capability, dtype=float))

    def cell(self, array: str, step: int, observer: str, power: str) -> float:
        """``own``, ``trust`` or ``affinity`` of ``observer`` in ``power`` after ``step``."""
        values = getattr(self, array)[step]
        return float(values[self.actor_names.index(observer), self.power_names.index(power)])

    def alignment(self, step: int, state: str) -> str:
        """The power ``state`` is aligned with after ``step``, or ``none``."""
        index = int(self.aligned[step][self.actor_names.index(state) - len(self.power_names)])
        return "none" if index < 0 else self.power_names[index]


IMPLEMENTATIONS = ("reference", "fast", "compiled")


def new_model(implementation: str, scenario: Scenario, seed: Any = 0) -> Any:
    """A fresh model at step 0: ``reference`` (tests/reference.py), ``fast``
    (:class:`sim.model.CredibilityModel`) or ``compiled`` (:class:`sim.fast.FastModel`)."""
    if implementation == "reference":
        from reference import ReferenceModel

        return ReferenceModel(scenario, rng=seed)
    if implementation == "compiled":
        from sim.fast import FastModel

        return FastModel(scenario, rng=seed)
    from sim.model import CredibilityModel

    return CredibilityModel(scenario, rng=seed)


def trajectory(implementation: str, scenario: Scenario, seed: Any = 0) -> Trajectory:
    """Run ``implementation`` over the whole calendar, recording every step."""
    return Trajectory(new_model(implementation, scenario, seed), scenario.calendar.n_steps)
